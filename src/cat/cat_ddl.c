/* cat_ddl.c: DDL on an attached database: create/delete table, add/delete column,
 * create/delete index (with the index built from the table's rows), each as catalog rows
 * (cat_write.c) + FDPs (space) + a new published catalog version, and, inside a transaction,
 * a BJ_VER_DDL revision entry whose undo takes the change back (rows, FDPs, catalog version).
 *
 * ESE's rules followed (fcreate.cxx ErrFILECreateTable / ErrFILEIAddColumn / ErrFILECheck-
 * ColumnDef / ErrFILECreateIndex / ErrFILEDeleteTable ..., cat.cxx):
 *  - column class: tagged when JET_bitColumnTagged or a long type (or the fixed/var space is
 *    full? no: ESE fails with JET_errTooManyColumns); fixed when JET_bitColumnFixed or a
 *    fixed-size type; variable otherwise (Text/Binary). Ids: fixed 1..127, variable 128..255,
 *    tagged 256..65535, each the class's last id + 1;
 *  - Text/Binary cbMax 0 -> 255, > 255 -> 255 with JET_wrnColumnMaxTruncated; fixed Text/Binary
 *    keep cbMax as their width; text columns get code page 1252 unless 1200 is asked;
 *  - a new primary index needs an empty table (JET_errTableNotEmpty), a second one is
 *    JET_errIndexHasPrimary; index keys "+col\\0-col\\0\\0" (JET_errIndexInvalidDef).
 * Deletes of tables/indexes: rows go at once; the FDPs are given back at once outside a
 * transaction, else when the transaction's cleanup runs (after commit) or never (rollback puts
 * the rows back).
 * Uncommitted DDL: the RCE of a change is an insert (created rows), a delete (deleted rows) or
 * a replace (renamed rows) of the catalog row key, so bj_cat_ddl_row_seen answers with the
 * version store's visibility rule what another session sees (ESE reads MSysObjects with the
 * session's snapshot). FDPs freed while cursors use the table are deferred (cdb->forget).
 * Simplifications (see the report): the catalog is reloaded from MSysObjects after each change
 * (unchanged tables are not shared between versions). Index builds read separated long values
 * through cdb->lv_open / lv_read (the table layer's reader).
 * Lock: every function runs under cdb->lock; undo / cleanup callbacks take it themselves.
 */
#include <stdio.h>

#include "cat/cat_ddl.h"
#include "os/os.h"
#include "space/space.h"
#include "ver/ver.h"

/* ---- helpers ---- */

static JET_ERR reload(bj_cat_db *cdb)
{
    JET_ERR err = JET_errSuccess;
    bj_cat *cat = NULL;
    CALL(bj_cat_load(cdb->dbc, &cat));
    atomic_fetch_add(&cdb->gen, 1); /* before *pcat changes (tbl_column) */
    CALL(cdb->publish(cdb->ctx, cat));
fail:
    return err;
}

static const bj_cat_table *table_named(bj_cat_db *cdb, const char *sz)
{
    return bj_cat_find_table(*cdb->pcat, sz);
}

/* Undo information of one DDL change (the RCE payload). */
enum { UNDO_CREATE_TABLE = 1, UNDO_ADD_COLUMN, UNDO_CREATE_INDEX, UNDO_DELETE, UNDO_REPLACE };

/* Logged: crash recovery writes the payload bytes to the log and hands them to undo_fn in
 * another process, so it holds no pointer (the database comes from ops.ctx), only u32 fields
 * in the host's layout (little-endian hosts only: common.h), no padding; the trailing arrays
 * as bj_st32 (little-endian). It is complete when the RCE is created (before the change's
 * first page write), except pgnoFDP, which the creator fills in after it made the FDP: the
 * logged copy has 0 there and undo then takes the FDP from the catalog row. */
typedef struct ddl_undo {
    uint32_t op;
    uint32_t objidTable;
    uint32_t type;
    uint32_t id;
    uint32_t pgnoFDP; /* CREATE_TABLE / CREATE_INDEX: the FDP to free on undo (0: look it up) */
    uint32_t cpgno;   /* DELETE: after this struct, cpgno u32 FDP roots to free at cleanup */
    uint32_t crow;    /* DELETE/REPLACE: then crow rows to put back on undo, u32 size + bytes */
} ddl_undo;
_Static_assert(sizeof(ddl_undo) == 28, "ddl_undo is logged: no padding");

JET_ERR bj_cat_ddl_free_fdp(bj_cat_db *cdb, uint32_t pgno)
{
    JET_ERR err = JET_errSuccess;
    bj_space_fdp *f = NULL;
    CALL(bj_space_fdp_open(cdb->sdb, pgno, &f));
    err = bj_space_free_fdp(f);
fail:
    return err;
}

static JET_ERR free_fdp(bj_cat_db *cdb, uint32_t objidTable, uint32_t pgno)
{
    if (cdb->forget && !cdb->forget(cdb->ctx, objidTable, pgno))
        return JET_errSuccess; /* freed when the table's last cursor closes */
    return bj_cat_ddl_free_fdp(cdb, pgno);
}

typedef struct bj_cat_dead {
    uint32_t objid;
    char szName[JET_cbNameMost + 1];
    struct bj_cat_dead *next;
} bj_cat_dead;

static void dead_remove(bj_cat_db *cdb, uint32_t objid)
{
    for (bj_cat_dead **pp = &cdb->dead; *pp; pp = &(*pp)->next) {
        if ((*pp)->objid == objid) {
            bj_cat_dead *d = *pp;
            *pp = d->next;
            bj_free(d);
            return;
        }
    }
}

uint32_t bj_cat_ddl_deleted_table(const bj_cat_db *cdb, const char *sz)
{
    for (const bj_cat_dead *d = cdb->dead; d; d = d->next)
        if (bj_cat_namecmp(d->szName, sz) == 0)
            return d->objid;
    return 0;
}

void bj_cat_ddl_db_free(bj_cat_db *cdb)
{
    while (cdb->dead) {
        bj_cat_dead *d = cdb->dead;
        cdb->dead = d->next;
        bj_free(d);
    }
}

/* The FDP a created table / index owns, from the current catalog (0: none, e.g. a primary
 * index, or the row never made it). */
static uint32_t fdp_of(bj_cat_db *cdb, const ddl_undo *u)
{
    const bj_cat_table *t = bj_cat_table_by_objid(*cdb->pcat, u->objidTable);
    if (!t)
        return 0;
    if (u->op == UNDO_CREATE_TABLE)
        return t->pgnoFDP;
    for (uint32_t i = 0; i < t->cidx; i++)
        if (t->rgidx[i].objid == u->id)
            return (t->rgidx[i].fidb & BJ_FIDB_PRIMARY) ? 0 : t->rgidx[i].pgnoFDP;
    return 0;
}

/* A DDL RCE left the store (undo or cleanup succeeded). RCEs re-created by crash recovery were
 * never counted (no other DDL RCE exists then): the count stops at 0. */
static void count_down(bj_cat_db *cdb)
{
    int64_t c = atomic_load(&cdb->cRce);
    while (c > 0 && !atomic_compare_exchange_weak(&cdb->cRce, &c, c - 1))
        ;
}

/* Rollback of one DDL change. Tolerates a change that was made in part or not at all, and a
 * second run (crash recovery): rows are removed / put back with the crash-tolerant writer
 * forms; a created FDP is freed after its row is gone, so a second run, which finds no row
 * (the logged payload has pgnoFDP 0), does not free it twice (a crash between the two leaks
 * the FDP's pages, as does one between making the FDP and its row). */
static JET_ERR undo_fn(bj_rce *rce, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    const ddl_undo *u = rce->payload;
    bj_cat_db *cdb = ctx;
    bj_mutex_lock(cdb->lock);
    switch (u->op) {
    case UNDO_CREATE_TABLE:
    case UNDO_ADD_COLUMN:
    case UNDO_CREATE_INDEX: {
        uint32_t pgno = u->pgnoFDP;
        if (!pgno && u->op != UNDO_ADD_COLUMN)
            pgno = fdp_of(cdb, u);
        err = bj_cat_writer_remove(cdb->w, u->objidTable, (uint16_t)u->type, u->id);
        if (err >= 0 && pgno)
            err = free_fdp(cdb, u->objidTable, pgno);
        break;
    }
    case UNDO_REPLACE:
    case UNDO_DELETE: {
        if (u->op == UNDO_REPLACE) /* the new row goes, the saved one comes back */
            err = bj_cat_writer_remove(cdb->w, u->objidTable, (uint16_t)u->type, u->id);
        const uint8_t *p = (const uint8_t *)(u + 1) + 4 * u->cpgno;
        for (uint32_t i = 0; i < u->crow && err >= 0; i++) {
            uint32_t cb = bj_ld32(p);
            err = bj_cat_writer_restore(cdb->w, p + 4, cb);
            p += 4 + cb;
        }
        if (u->op == UNDO_DELETE && u->type == BJ_CAT_TYPE_TABLE)
            dead_remove(cdb, u->objidTable);
        break;
    }
    }
    if (err >= 0)
        err = reload(cdb);
    if (err >= 0) /* after the reload: the catalog is back (an error keeps the count) */
        count_down(cdb);
    bj_mutex_unlock(cdb->lock);
    return err;
}

static JET_ERR cleanup_fn(bj_rce *rce, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    const ddl_undo *u = rce->payload;
    bj_cat_db *cdb = ctx;
    bj_mutex_lock(cdb->lock);
    if (u->op == UNDO_DELETE && u->cpgno) {
        const uint8_t *p = (const uint8_t *)(u + 1);
        for (uint32_t i = u->cpgno; i-- > 0 && err >= 0;) /* children before the table */
            err = free_fdp(cdb, u->objidTable, bj_ld32(p + 4 * i));
        if (err >= 0 && u->type == BJ_CAT_TYPE_TABLE)
            dead_remove(cdb, u->objidTable);
    }
    if (err >= 0) /* the RCE goes now; an error keeps it (and the count) */
        count_down(cdb);
    bj_mutex_unlock(cdb->lock);
    return err;
}

const bj_ver_ops *bj_cat_ddl_ver_ops(bj_cat_db *cdb)
{
    if (cdb->ver_ops.ctx != cdb) {
        cdb->ver_ops.undo = undo_fn;
        cdb->ver_ops.cleanup = cleanup_fn;
        cdb->ver_ops.client = BJ_VER_CLIENT_DDL;
        cdb->ver_ops.ctx = cdb;
    }
    return &cdb->ver_ops;
}

static bool in_trx(struct bj_trx *trx)
{
    return trx && bj_ver_trx_level(trx) > 0;
}

/* The version-store bookmark of catalog row (objidTable, type, id). */
static void row_bm(uint8_t bm[10], uint32_t objidTable, uint16_t type, uint32_t id)
{
    bj_st32(bm, objidTable);
    bj_st16(bm + 4, type);
    bj_st32(bm + 6, id);
}

/* Records the undo of a change (in a transaction). The RCE's kind gives other sessions ESE's
 * view of the catalog row (ErrCATAccessTableColumn & co. read MSysObjects with the session's
 * snapshot): a created object is an insert (absent for whoever must not see it), a deleted or
 * replaced one a delete / replace (still there, unchanged, for them). */
static JET_ERR version(bj_cat_db *cdb, struct bj_trx *trx, const ddl_undo *u, uint32_t cbU,
                       bj_rce **prce)
{
    uint8_t bm[10];
    static const uint8_t before[1] = {0};
    row_bm(bm, u->objidTable, u->type, u->id);
    bj_ver_key key = {cdb->dbid, BJ_CAT_OBJID_MSO, bm, sizeof(bm)};
    const bj_ver_kind kind = u->op == UNDO_DELETE    ? BJ_VER_DELETE
                             : u->op == UNDO_REPLACE ? BJ_VER_REPLACE
                                                     : BJ_VER_INSERT;
    atomic_fetch_add(&cdb->cRce, 1); /* before the RCE exists (tbl_column's fast path) */
    JET_ERR err = bj_ver_modify(trx, &key, kind, before, sizeof(before), bj_cat_ddl_ver_ops(cdb), u,
                                cbU, prce);
    if (err < 0)
        atomic_fetch_sub(&cdb->cRce, 1);
    return err;
}

/* Withdraws the RCE of a change that failed after it was created (the change was taken back
 * by its maker). */
static void unversion(bj_cat_db *cdb, struct bj_trx *trx, bj_rce *rce)
{
    if (!rce)
        return;
    bj_ver_rce_cancel(trx, rce);
    atomic_fetch_sub(&cdb->cRce, 1);
}

bool bj_cat_ddl_row_seen(const bj_cat_db *cdb, bj_ver *ver, const struct bj_trx *trx,
                         uint64_t snap_ts, uint32_t objidTable, uint16_t type, uint32_t id,
                         bool fInCatalog)
{
    uint8_t bm[10], buf[16];
    static const uint8_t now[1] = {1};
    row_bm(bm, objidTable, type, id);
    bj_ver_key key = {cdb->dbid, BJ_CAT_OBJID_MSO, bm, sizeof(bm)};
    if (!ver || !bj_ver_has_versions(ver, &key))
        return fInCatalog;
    bj_ver_seen seen = {0};
    if (bj_ver_visible(ver, trx, snap_ts, &key, fInCatalog, false, now, fInCatalog ? 1 : 0, buf,
                       sizeof(buf), &seen) < 0)
        return fInCatalog;
    return seen.present;
}

bool bj_cat_ddl_row_changed(const bj_cat_db *cdb, bj_ver *ver, const struct bj_trx *trx,
                            uint64_t snap_ts, uint32_t objidTable, uint16_t type, uint32_t id)
{
    uint8_t bm[10], buf[16];
    row_bm(bm, objidTable, type, id);
    bj_ver_key key = {cdb->dbid, BJ_CAT_OBJID_MSO, bm, sizeof(bm)};
    if (!ver || !bj_ver_has_versions(ver, &key))
        return false;
    bj_ver_seen seen = {0};
    static const uint8_t now[1] = {1};
    if (bj_ver_visible(ver, trx, snap_ts, &key, true, false, now, 1, buf, sizeof(buf), &seen) < 0)
        return false;
    return !seen.from_page;
}

/* The MSysObjects record schema (of the current catalog's MSysObjects descriptor). */
static const bj_rec_schema *mso_schema(bj_cat_db *cdb)
{
    return &bj_cat_table_by_objid(*cdb->pcat, BJ_CAT_OBJID_MSO)->schema;
}

static uint32_t next_objid(bj_cat_db *cdb)
{
    return ++*cdb->pobjidLast;
}

/* ---- tables ---- */

/* The table row and FDP of a new table (szTemplate: a derived table's template, checked). */
static JET_ERR table_create(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                            const char *szTemplate, uint32_t cpg, uint32_t density, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_space_fdp *root = NULL;
    uint8_t *row = NULL;
    size_t cb = 0;
    uint32_t pgno = 0, objid = 0;
    bool fRow = false, fObjids = false;
    bj_rce *rce = NULL;
    bj_cat_table *t = bj_calloc(1, sizeof(*t));
    if (!t)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_check_name(szTable));
    if (density && (density < 20 || density > 100))
        ERR(JET_errDensityInvalid);
    /* ESE rejects it now (fcreate.cxx: never implemented, deprecated) */
    if (grbit & JET_bitTableCreateNoFixedVarColumnsInDerivedTables)
        ERR(JET_errInvalidGrbit);
    if (szTemplate && (grbit & JET_bitTableCreateTemplateTable))
        ERR(JET_errCannotNestDDL);
    bj_mutex_lock(cdb->lock);
    if (table_named(cdb, szTable)) {
        bj_mutex_unlock(cdb->lock);
        ERR(JET_errTableDuplicate);
    }
    if (szTemplate) {
        const bj_cat_table *tt = table_named(cdb, szTemplate);
        err = !tt                                         ? BJ_ERR(JET_errObjectNotFound)
              : !(tt->flags & JET_bitObjectTableTemplate) ? BJ_ERR(JET_errDDLNotInheritable)
                                                          : JET_errSuccess;
        if (err < 0) {
            bj_mutex_unlock(cdb->lock);
            goto fail;
        }
    }
    objid = next_objid(cdb);
    if (in_trx(trx)) { /* the RCE before the first page write (crash recovery undoes it) */
        ddl_undo u = {0};
        u.op = UNDO_CREATE_TABLE;
        u.objidTable = objid;
        u.type = BJ_CAT_TYPE_TABLE;
        u.id = objid;
        err = version(cdb, trx, &u, sizeof(u), &rce);
    }
    if (err >= 0)
        err = bj_space_fdp_open(cdb->sdb, BJ_PGNO_SYSTEM_ROOT, &root);
    if (err >= 0)
        err = bj_space_create_fdp(root, BJ_MAX(cpg, 1u), objid, 0, 0, 0, &pgno);
    if (err >= 0 && rce)
        ((ddl_undo *)rce->payload)->pgnoFDP = pgno;
    if (err >= 0) {
        t->objid = objid;
        t->pgnoFDP = pgno;
        snprintf(t->szName, sizeof(t->szName), "%s", szTable);
        /* ESE fcreate.cxx ErrFILECreateTable: templates are always fixed DDL */
        t->flags = 0;
        if (grbit & JET_bitTableCreateFixedDDL)
            t->flags |= JET_bitObjectTableFixedDDL;
        if (grbit & JET_bitTableCreateTemplateTable)
            t->flags |= JET_bitObjectTableTemplate | JET_bitObjectTableFixedDDL;
        if (szTemplate) {
            t->flags |= JET_bitObjectTableDerived;
            snprintf(t->szTemplate, sizeof(t->szTemplate), "%s", szTemplate);
        }
        if (grbit & JET_bitTableCreateSystemTable) /* internal: MSysObjids, MSysLocales */
            t->flags |= JET_bitObjectSystemDynamic;
        t->density = density ? density : BJ_CAT_DENSITY_DEFAULT;
        t->cpgInitial = cpg;
        row = bj_malloc(cdb->dbc->cbPage);
        err = row ? bj_cat_row_table(mso_schema(cdb), t, row, cdb->dbc->cbPage, &cb)
                  : BJ_ERR(JET_errOutOfMemory);
    }
    if (err >= 0) {
        err = bj_cat_writer_insert(cdb->w, row, (uint32_t)cb);
        if (err == JET_errKeyDuplicate)
            err = BJ_ERR(JET_errTableDuplicate);
        fRow = err >= 0;
    }
    if (err >= 0 && cdb->objids) {
        err = cdb->objids(cdb->ctx, trx, true, objid, objid, BJ_CAT_TYPE_TABLE);
        fObjids = err >= 0;
    }
    if (err >= 0)
        err = reload(cdb);
    if (err < 0) {
        if (fObjids)
            (void)cdb->objids(cdb->ctx, trx, false, objid, objid, BJ_CAT_TYPE_TABLE);
        if (fRow)
            (void)bj_cat_writer_delete(cdb->w, objid, BJ_CAT_TYPE_TABLE, objid);
        bj_space_fdp_close(root);
        root = NULL;
        if (pgno)
            (void)free_fdp(cdb, objid, pgno);
        (void)reload(cdb);
        unversion(cdb, trx, rce);
    }
    bj_space_fdp_close(root);
    bj_mutex_unlock(cdb->lock);
fail:
    bj_free(row);
    bj_free(t);
    return err;
}

JET_ERR bj_cat_ddl_create_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                uint32_t cpg, uint32_t density, JET_GRBIT grbit)
{
    return table_create(cdb, trx, szTable, NULL, cpg, density, grbit);
}

/* The key description "+a\0-b\0\0" of template index x (column names of tmpl). */
static JET_ERR key_of(const bj_cat_table *tmpl, const bj_cat_index *x, char *out, size_t cbOut,
                      uint32_t *pcb)
{
    size_t n = 0;
    for (uint32_t i = 0; i < x->cseg; i++) {
        const bj_cat_column *c = bj_cat_column_by_id(tmpl, x->rgcolumnid[i]);
        if (!c)
            return BJ_ERR(JET_errCatalogCorrupted);
        const size_t cb = strlen(c->szName);
        if (n + cb + 3 > cbOut)
            return BJ_ERR(JET_errIndexInvalidDef);
        out[n++] = x->rgfDescending[i] ? '-' : '+';
        memcpy(out + n, c->szName, cb);
        n += cb;
        out[n++] = '\0';
    }
    out[n++] = '\0';
    *pcb = (uint32_t)n;
    return JET_errSuccess;
}

JET_ERR bj_cat_ddl_create_derived(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                  const char *szTemplate, uint32_t cpg, uint32_t density,
                                  JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_cat *cat = NULL;
    CALL(bj_cat_check_name(szTemplate));
    CALL(table_create(cdb, trx, szTable, szTemplate, cpg, density, grbit));
    /* ErrFILEIInheritIndexes: every template index, as a derived index of the new table */
    bj_mutex_lock(cdb->lock);
    cat = *cdb->pcat;
    bj_cat_addref(cat); /* the template's descriptor, across the publications below */
    bj_mutex_unlock(cdb->lock);
    const bj_cat_table *tmpl = bj_cat_find_table(cat, szTemplate);
    if (!tmpl)
        ERR(JET_errObjectNotFound);
    for (uint32_t i = 0; i < tmpl->cidx; i++) {
        const bj_cat_index *x = &tmpl->rgidx[i];
        char key[JET_ccolKeyMost * (JET_cbNameMost + 2) + 1];
        JET_CONDITIONALCOLUMN_A cond[JET_ccolKeyMost];
        bj_cat_idxdef d = {0};
        CALL(key_of(tmpl, x, key, sizeof(key), &d.cbKey));
        for (uint32_t k = 0; k < x->ccond && k < JET_ccolKeyMost; k++) {
            const bj_cat_column *c = bj_cat_column_by_id(tmpl, x->rgcolumnidCond[k]);
            if (!c)
                ERR(JET_errCatalogCorrupted);
            cond[k] =
                (JET_CONDITIONALCOLUMN_A){sizeof(cond[k]), (char *)c->szName,
                                          x->rgfMustBeNull[k] ? JET_bitIndexColumnMustBeNull
                                                              : JET_bitIndexColumnMustBeNonNull};
        }
        d.szName = x->szName;
        d.szKey = key;
        d.grbit = x->grbit;
        d.density = x->density;
        /* the template's IDB as it is (ESE copies it): a locale only when one was set */
        const bool fLoc = x->fidb & BJ_FIDB_LOCALE_SET;
        d.lcid = fLoc ? x->lcid : 0;
        d.szLocale = fLoc && x->szLocale[0] ? x->szLocale : NULL;
        d.dwLCMapFlags = x->dwLCMapFlags;
        d.cbVarSegMac = x->cbVarSegMac < x->cbKeyMost ? x->cbVarSegMac : 0;
        d.cbKeyMost = x->cbKeyMost;
        d.rgcond = x->ccond ? cond : NULL;
        d.ccond = x->ccond;
        d.ddl = BJ_CAT_DDL_CREATE;
        d.fDerived = true;
        CALL(bj_cat_ddl_create_index(cdb, trx, szTable, &d));
    }
fail:
    bj_cat_release(cat);
    return err;
}

/* ---- columns ---- */

static bool coltyp_fixed_size(JET_COLTYP t)
{
    return bj_rec_coltyp_width(t) != 0;
}

/* ESE's ErrFILECheckColumnDef (the parts that apply): the persisted column for def. */
static JET_ERR column_from_def(const bj_cat_coldef *def, bj_cat_column *c, bool *pfTruncated)
{
    JET_ERR err = JET_errSuccess;
    const JET_GRBIT g = def->grbit;
    memset(c, 0, sizeof(*c));
    *pfTruncated = false;
    CALL(bj_cat_check_name(def->szName));
    if (def->coltyp == 0 || def->coltyp > JET_coltypUnsignedShort || def->coltyp == 13)
        ERR(JET_errInvalidColumnType);
    const bool fLV = bj_rec_coltyp_is_lv(def->coltyp);
    const bool fText = def->coltyp == JET_coltypText || def->coltyp == JET_coltypLongText;
    c->cp = 0;
    if (fText) {
        c->cp = def->cp ? def->cp : BJ_REC_CP_ASCII;
        if (c->cp != BJ_REC_CP_ASCII && c->cp != BJ_REC_CP_UNICODE)
            ERR(JET_errInvalidCodePage);
    }
    if ((g & JET_bitColumnCompressed) && !fLV)
        ERR(JET_errColumnCannotBeCompressed);
    if ((g & JET_bitColumnTagged) || fLV) {
        if (g & JET_bitColumnFixed)
            ERR(JET_errInvalidGrbit);
    } else if (g & JET_bitColumnMultiValued) {
        ERR(JET_errMultiValuedColumnMustBeTagged);
    }
    if (g & (JET_bitColumnVersion | JET_bitColumnAutoincrement)) {
        if ((g & JET_bitColumnVersion) && (g & JET_bitColumnAutoincrement))
            ERR(JET_errInvalidGrbit);
        if ((g & JET_bitColumnAutoincrement) && def->coltyp != JET_coltypLong &&
            def->coltyp != JET_coltypLongLong && def->coltyp != JET_coltypCurrency)
            ERR(JET_errInvalidGrbit);
        if ((g & JET_bitColumnVersion) && def->coltyp != JET_coltypLong)
            ERR(JET_errInvalidGrbit);
        if (g & JET_bitColumnTagged)
            ERR(JET_errCannotBeTagged);
    }
    if ((g & (JET_bitColumnFinalize | JET_bitColumnDeleteOnZero)) &&
        !(g & JET_bitColumnEscrowUpdate))
        ERR(JET_errInvalidGrbit);
    if (g & JET_bitColumnEscrowUpdate) {
        if ((def->coltyp != JET_coltypLong && def->coltyp != JET_coltypLongLong) ||
            (g & (JET_bitColumnVersion | JET_bitColumnAutoincrement)) || !def->cbDefault)
            ERR(JET_errInvalidGrbit);
        if (g & JET_bitColumnTagged)
            ERR(JET_errCannotBeTagged);
    }
    if (g & JET_bitColumnUserDefinedDefault)
        ERR(JET_errFeatureNotAvailable); /* callbacks are not supported */
    snprintf(c->szName, sizeof(c->szName), "%s", def->szName);
    c->coltyp = def->coltyp;
    uint32_t ff = 0;
    if (g & JET_bitColumnNotNULL)
        ff |= BJ_FFIELD_NOT_NULL;
    if (g & JET_bitColumnVersion)
        ff |= BJ_FFIELD_VERSION;
    if (g & JET_bitColumnAutoincrement)
        ff |= BJ_FFIELD_AUTOINC;
    if (g & JET_bitColumnMultiValued)
        ff |= BJ_FFIELD_MULTIVALUED;
    if (g & JET_bitColumnEscrowUpdate)
        ff |= BJ_FFIELD_ESCROW;
    if (g & JET_bitColumnFinalize)
        ff |= BJ_FFIELD_FINALIZE;
    if (g & JET_bitColumnDeleteOnZero)
        ff |= BJ_FFIELD_DELETE_ON_ZERO;
    if (g & JET_bitColumnCompressed)
        ff |= BJ_FFIELD_COMPRESSED;
    /* UlCATColumnSize */
    uint32_t w = bj_rec_coltyp_width(def->coltyp);
    if (w) {
        c->cbMax = w;
    } else if (fLV) {
        c->cbMax = def->cbMax;
    } else if (def->cbMax == 0) {
        c->cbMax = JET_cbColumnMost;
    } else if (def->cbMax > JET_cbColumnMost) {
        c->cbMax = JET_cbColumnMost;
        *pfTruncated = true;
    } else {
        c->cbMax = def->cbMax;
    }
    if (def->cbDefault) {
        ff |= BJ_FFIELD_DEFAULT;
        if (c->cbMax && c->cbMax < def->cbDefault)
            ERR(JET_errDefaultValueTooBig);
        if (w && def->cbDefault != w)
            ERR(JET_errInvalidParameter);
    }
    c->ffield = ff;
fail:
    return err;
}

JET_ERR bj_cat_ddl_add_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                              const bj_cat_coldef *def, JET_COLUMNID *pcolumnid)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_column c;
    bool fTrunc = false, fLocked = false, fRow = false;
    uint8_t *row = NULL;
    size_t cb = 0;
    const bj_cat_table *t;
    bj_rce *rce = NULL;
    CALL(column_from_def(def, &c, &fTrunc));
    bj_mutex_lock(cdb->lock);
    fLocked = true;
    t = table_named(cdb, szTable);
    if (!t)
        ERR(JET_errObjectNotFound);
    const bool fTagged = (def->grbit & JET_bitColumnTagged) || bj_rec_coltyp_is_lv(def->coltyp);
    /* ESE ErrIsamAddColumn: fixed DDL needs a JET_bitTablePermitDDL cursor; a template table
     * then takes tagged (and long) columns only */
    if ((t->flags & JET_bitObjectTableFixedDDL) && def->ddl == BJ_CAT_DDL_USER)
        ERR(JET_errFixedDDL);
    if ((t->flags & JET_bitObjectTableTemplate) && def->ddl != BJ_CAT_DDL_CREATE && !fTagged)
        ERR(JET_errFixedDDL);
    if (bj_cat_find_column(t, def->szName))
        ERR(JET_errColumnDuplicate);
    const bool fFixed =
        !fTagged && ((def->grbit & JET_bitColumnFixed) || coltyp_fixed_size(def->coltyp));
    uint32_t fidLast = fFixed    ? 0
                       : fTagged ? BJ_REC_FID_TAGGED_FIRST - 1
                                 : BJ_REC_FID_VAR_FIRST - 1;
    for (uint32_t i = 0; i < t->ccol; i++) {
        uint32_t fid = t->rgcol[i].columnid & 0xffffu;
        /* a derived table's fixed and variable ids continue the template's, its tagged ids
         * start their own space (ESE fcreate.cxx ErrFILEIBuildColumns) */
        if (fTagged && t->ptemplate && (t->rgcol[i].columnid & BJ_REC_COLUMNID_TEMPLATE))
            continue;
        bool fIn = fFixed    ? fid <= BJ_REC_FID_FIXED_LAST
                   : fTagged ? fid >= BJ_REC_FID_TAGGED_FIRST
                             : fid >= BJ_REC_FID_VAR_FIRST && fid <= BJ_REC_FID_VAR_LAST;
        if (fIn && fid > fidLast)
            fidLast = fid;
    }
    const uint32_t fid = fidLast + 1;
    if ((fFixed && fid > BJ_REC_FID_FIXED_LAST) ||
        (!fFixed && !fTagged && fid > BJ_REC_FID_VAR_LAST) || fid > BJ_REC_FID_TAGGED_LAST)
        ERR(JET_errTooManyColumns);
    c.columnid = fid;
    if (fFixed) {
        c.ibRecordOffset = fidLast ? t->schema.ibEndFixed[fidLast] : BJ_REC_CB_HEADER;
        if (!c.ibRecordOffset)
            c.ibRecordOffset = BJ_REC_CB_HEADER;
        if ((uint32_t)c.ibRecordOffset + c.cbMax > bj_rec_cb_record_most(cdb->dbc->cbPage, 0))
            ERR(JET_errRecordTooBig);
    }
    c.pvDefault = (uint8_t *)def->pvDefault;
    c.cbDefault = def->cbDefault;
    if (t->flags & JET_bitObjectTableTemplate)
        c.ffield |= BJ_FFIELD_TEMPLATE_ESE98; /* ESE FIELDSetTemplateColumnESE98 */
    row = bj_malloc(cdb->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_row_column(mso_schema(cdb), t->objid, &c, row, cdb->dbc->cbPage, &cb));
    const uint32_t objidTable = t->objid;
    if (in_trx(trx)) { /* the RCE before the page writes (crash recovery undoes it) */
        ddl_undo u = {0};
        u.op = UNDO_ADD_COLUMN;
        u.objidTable = objidTable;
        u.type = BJ_CAT_TYPE_COLUMN;
        u.id = fid;
        CALL(version(cdb, trx, &u, sizeof(u), &rce));
    }
    err = bj_cat_writer_insert(cdb->w, row, (uint32_t)cb);
    if (err == JET_errKeyDuplicate)
        err = BJ_ERR(JET_errColumnDuplicate);
    CALL(err);
    fRow = true;
    err = reload(cdb);
    if (err < 0) {
        (void)bj_cat_writer_delete(cdb->w, objidTable, BJ_CAT_TYPE_COLUMN, fid);
        fRow = false;
        (void)reload(cdb);
        goto fail;
    }
    fRow = false;
    rce = NULL;
    if (pcolumnid) /* a template table's columns carry the template bit (ESE columnids) */
        *pcolumnid = fid | (c.ffield & BJ_FFIELD_TEMPLATE_ESE98 ? BJ_REC_COLUMNID_TEMPLATE : 0);
    err = fTrunc ? JET_wrnColumnMaxTruncated : JET_errSuccess;
fail:
    if (fRow) {
        (void)bj_cat_writer_delete(cdb->w, t->objid, BJ_CAT_TYPE_COLUMN, c.columnid);
    }
    if (err < 0)
        unversion(cdb, trx, rce);
    if (fLocked)
        bj_mutex_unlock(cdb->lock);
    bj_free(row);
    return err;
}

/* ---- indexes ---- */

/* "+a\0-b\0\0" (cbKey bytes, the final double NUL may be cut by cbKey) -> segments. */
static JET_ERR parse_key(const bj_cat_table *t, const char *szKey, uint32_t cbKey, bj_cat_index *x)
{
    JET_ERR err = JET_errSuccess;
    uint32_t i = 0;
    x->cseg = 0;
    if (!szKey || cbKey < 2)
        ERR(JET_errIndexInvalidDef);
    while (i < cbKey && szKey[i]) {
        bool fDesc = false;
        if (szKey[i] == '+' || szKey[i] == '-') {
            fDesc = szKey[i] == '-';
            i++;
        }
        const char *name = szKey + i;
        uint32_t n = 0;
        while (i + n < cbKey && name[n])
            n++;
        if (n == 0 || n > JET_cbNameMost || i + n >= cbKey)
            ERR(JET_errIndexInvalidDef);
        char sz[JET_cbNameMost + 1];
        memcpy(sz, name, n);
        sz[n] = 0;
        const bj_cat_column *c = bj_cat_find_column(t, sz);
        if (!c)
            ERR(JET_errColumnNotFound);
        if (x->cseg == JET_ccolKeyMost)
            ERR(JET_errIndexInvalidDef);
        for (uint32_t k = 0; k < x->cseg; k++)
            if (x->rgcolumnid[k] == c->columnid)
                ERR(JET_errIndexInvalidDef);
        x->rgcolumnid[x->cseg] = c->columnid;
        x->rgfDescending[x->cseg++] = fDesc;
        i += n + 1;
    }
    if (x->cseg == 0)
        ERR(JET_errIndexInvalidDef);
fail:
    return err;
}

/* Builds the entries of the new index from the table's rows (t: the version that has it). */
static JET_ERR populate(bj_cat_db *cdb, const bj_cat_table *t, const bj_cat_index *x)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree tt, ti;
    bool fT = false, fI = false, fC = false;
    bj_bt_cursor c;
    bj_space_fdp *f = NULL;
    bj_cat_keys k;
    void *lv = NULL;
    bj_cat_keys_init(&k);
    uint8_t *rec = bj_malloc(cdb->dbc->cbPage), *bm = bj_malloc(cdb->dbc->cbPage);
    if (!rec || !bm)
        ERR(JET_errOutOfMemory);
    if (cdb->lv_open && t->objidLV)
        CALL(cdb->lv_open(cdb->ctx, t, &lv));
    CALL(bj_bt_open(&tt, cdb->dbc, t->pgnoFDP, t->objid, ~0u, NULL));
    fT = true;
    CALL(bj_space_fdp_open(cdb->sdb, x->pgnoFDP, &f));
    bj_bt_alloc a = bj_space_fdp_allocator(f);
    CALL(bj_bt_open(&ti, cdb->dbc, x->pgnoFDP, x->objid, ~0u, &a));
    fI = true;
    CALL(bj_bt_cursor_open(&tt, true, &c));
    fC = true;
    for (err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *pk, *pd;
        uint32_t cbK, cbD;
        CALL(bj_bt_get(&c, &pk, &cbK, &pd, &cbD, NULL));
        memcpy(rec, pd, cbD);
        memcpy(bm, pk, cbK);
        CALL(bj_cat_index_keys(t, x, rec, cbD, lv ? cdb->lv_read : NULL, lv, &k));
        for (uint32_t i = 0; i < k.ckey; i++) {
            err = bj_bt_insert(&ti, k.pb + k.rgib[i], k.rgcb[i], bm, cbK, 0);
            if (err == JET_errRecordDeleted)
                err = BJ_ERR(JET_errKeyDuplicate);
            CALL(err);
        }
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
        err = JET_errSuccess;
fail:
    if (lv)
        cdb->lv_close(lv);
    bj_cat_keys_free(&k);
    if (fC)
        bj_bt_cursor_close(&c);
    if (fI)
        bj_bt_close(&ti);
    if (fT)
        bj_bt_close(&tt);
    bj_space_fdp_close(f);
    bj_free(rec);
    bj_free(bm);
    return err;
}

static JET_ERR table_empty(bj_cat_db *cdb, const bj_cat_table *t, bool *pf)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree tt;
    bj_bt_cursor c;
    CALL(bj_bt_open(&tt, cdb->dbc, t->pgnoFDP, t->objid, ~0u, NULL));
    err = bj_bt_cursor_open(&tt, true, &c);
    if (err >= 0) {
        err = bj_bt_move_first(&c);
        *pf = err == JET_errRecordNotFound || err == JET_errNoCurrentRecord;
        if (*pf || err > 0)
            err = JET_errSuccess;
        bj_bt_cursor_close(&c);
    }
    bj_bt_close(&tt);
fail:
    return err;
}

JET_ERR bj_cat_ddl_create_index(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                const bj_cat_idxdef *def)
{
    JET_ERR err = JET_errSuccess;
    bool fLocked = false, fRow = false, fObjids = false;
    uint8_t *row = NULL;
    size_t cb = 0;
    uint32_t pgno = 0, objidTable = 0;
    bj_space_fdp *ft = NULL;
    bj_rce *rce = NULL;
    bj_cat_index *x = bj_calloc(1, sizeof(*x));
    const bj_cat_table *t;
    if (!x)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_check_name(def->szName));
    if (def->density && (def->density < 20 || def->density > 100))
        ERR(JET_errDensityInvalid);
    if (def->cbKeyMost &&
        (def->cbKeyMost < JET_cbKeyMost_OLD || def->cbKeyMost > bj_bt_key_most(cdb->dbc->cbPage) ||
         def->cbKeyMost > JET_cbKeyMostMost))
        ERR(JET_errInvalidParameter);
    if ((def->grbit & JET_bitIndexCrossProduct) && (def->grbit & JET_bitIndexNestedTable))
        ERR(JET_errInvalidGrbit);
    if (def->grbit & (JET_bitIndexTuples | JET_bitIndexTupleLimits))
        ERR(JET_errFeatureNotAvailable);
    bj_mutex_lock(cdb->lock);
    fLocked = true;
    t = table_named(cdb, szTable);
    if (!t)
        ERR(JET_errObjectNotFound);
    objidTable = t->objid;
    if (bj_cat_find_index(t, def->szName))
        ERR(JET_errIndexDuplicate);
    /* ESE ErrIsamCreateIndex: fixed DDL needs a JET_bitTablePermitDDL cursor, and a template
     * table takes no index after its creation */
    if ((t->flags & JET_bitObjectTableFixedDDL) && def->ddl != BJ_CAT_DDL_CREATE &&
        (def->ddl != BJ_CAT_DDL_PERMIT || (t->flags & JET_bitObjectTableTemplate)))
        ERR(JET_errFixedDDL);
    const bool fPrimary = def->grbit & JET_bitIndexPrimary;
    if (fPrimary && t->fHasPrimary)
        ERR(JET_errIndexHasPrimary);
    snprintf(x->szName, sizeof(x->szName), "%s", def->szName);
    CALL(parse_key(t, def->szKey, def->cbKey, x));
    const uint32_t fl = bj_cat_index_flags_from_grbit(def->grbit);
    x->fidb = (uint16_t)fl;
    x->fidx = (uint16_t)(fl >> 16);
    for (uint32_t i = 0; i < x->cseg; i++) {
        const bj_cat_column *c = bj_cat_column_by_id(t, x->rgcolumnid[i]);
        if (c->ffield & BJ_FFIELD_MULTIVALUED)
            x->fidb |= BJ_FIDB_MULTIVALUED;
        if (c->cp == BJ_REC_CP_UNICODE)
            x->fidb |= BJ_FIDB_LOCALIZED_TEXT;
    }
    if (def->grbit & JET_bitIndexUnicode || def->szLocale || def->lcid)
        x->fidb |= BJ_FIDB_LOCALE_SET;
    if (t->flags & JET_bitObjectTableTemplate)
        x->fidb |= BJ_FIDB_TEMPLATE_INDEX; /* ESE idb.SetFTemplateIndex */
    if (def->fDerived)
        x->fidb = (uint16_t)((x->fidb & ~BJ_FIDB_TEMPLATE_INDEX) | BJ_FIDB_DERIVED_INDEX);
    for (uint32_t i = 0; i < def->ccond; i++) {
        const JET_CONDITIONALCOLUMN_A *cc = &def->rgcond[i];
        if (!cc->szColumnName || i >= JET_ccolKeyMost ||
            (cc->grbit != JET_bitIndexColumnMustBeNull &&
             cc->grbit != JET_bitIndexColumnMustBeNonNull))
            ERR(JET_errInvalidGrbit);
        const bj_cat_column *c = bj_cat_find_column(t, cc->szColumnName);
        if (!c)
            ERR(JET_errColumnNotFound);
        x->rgcolumnidCond[i] = c->columnid;
        x->rgfMustBeNull[i] = cc->grbit == JET_bitIndexColumnMustBeNull;
    }
    x->ccond = def->ccond;
    if (fPrimary && x->ccond)
        ERR(JET_errIndexInvalidDef);
    x->density = def->density ? def->density : BJ_CAT_DENSITY_DEFAULT;
    x->lcid = def->lcid;
    if (def->szLocale)
        snprintf(x->szLocale, sizeof(x->szLocale), "%s", def->szLocale);
    else if (!def->lcid || def->lcid == BJ_KEY_LCID_DEFAULT)
        snprintf(x->szLocale, sizeof(x->szLocale), "en-US"), x->lcid = 0;
    x->dwLCMapFlags = def->dwLCMapFlags ? def->dwLCMapFlags : BJ_KEY_LCMAP_DEFAULT;
    x->cbKeyMost = def->cbKeyMost ? def->cbKeyMost : JET_cbKeyMost_OLD;
    x->cbVarSegMac =
        def->cbVarSegMac && def->cbVarSegMac < x->cbKeyMost ? def->cbVarSegMac : x->cbKeyMost;
    /* the key description must normalise (locale, flags, types) */
    {
        bj_key_index kx = {0};
        kx.cbKeyMost = x->cbKeyMost;
        memcpy(kx.szLocale, x->szLocale, sizeof(kx.szLocale));
        kx.lcid = x->lcid;
        kx.dwLCMapFlags = x->dwLCMapFlags;
        kx.cseg = x->cseg;
        for (uint32_t i = 0; i < x->cseg; i++) {
            const bj_cat_column *c = bj_cat_column_by_id(t, x->rgcolumnid[i]);
            kx.rgseg[i].coltyp = c->coltyp;
            kx.rgseg[i].cp = c->cp ? c->cp : BJ_REC_CP_ASCII;
        }
        CALL(bj_key_index_check(&kx));
    }
    if (fPrimary) {
        bool fEmpty = false;
        CALL(table_empty(cdb, t, &fEmpty));
        if (!fEmpty)
            ERR(JET_errTableNotEmpty);
        x->objid = t->objid;
        x->pgnoFDP = t->pgnoFDP;
    } else {
        x->objid = next_objid(cdb);
    }
    if (in_trx(trx)) { /* the RCE before the first page write (crash recovery undoes it) */
        ddl_undo u = {0};
        u.op = UNDO_CREATE_INDEX;
        u.objidTable = objidTable;
        u.type = BJ_CAT_TYPE_INDEX;
        u.id = x->objid;
        CALL(version(cdb, trx, &u, sizeof(u), &rce));
    }
    if (!fPrimary) {
        CALL(bj_space_fdp_open(cdb->sdb, t->pgnoFDP, &ft));
        CALL(bj_space_create_fdp(ft, 1, x->objid,
                                 BJ_BT_INDEX | (x->fidb & BJ_FIDB_UNIQUE ? 0 : BJ_BT_NON_UNIQUE), 0,
                                 0, &pgno));
        bj_space_fdp_close(ft);
        ft = NULL;
        x->pgnoFDP = pgno;
        if (rce)
            ((ddl_undo *)rce->payload)->pgnoFDP = pgno;
    }
    row = bj_malloc(cdb->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_row_index(mso_schema(cdb), t->objid, x, row, cdb->dbc->cbPage, &cb));
    err = bj_cat_writer_insert(cdb->w, row, (uint32_t)cb);
    if (err == JET_errKeyDuplicate)
        err = BJ_ERR(JET_errIndexDuplicate);
    CALL(err);
    fRow = true;
    CALL(reload(cdb));
    if (!fPrimary) {
        const bj_cat_table *tn = table_named(cdb, szTable);
        const bj_cat_index *xn = tn ? bj_cat_find_index(tn, def->szName) : NULL;
        if (!xn)
            ERR(JET_errCatalogCorrupted);
        CALL(populate(cdb, tn, xn));
        if (cdb->objids) {
            CALL(cdb->objids(cdb->ctx, trx, true, x->objid, objidTable, BJ_CAT_TYPE_INDEX));
            fObjids = true;
        }
    }
    fRow = false;
    pgno = 0;
    rce = NULL;
fail:
    if (err < 0 && fLocked) {
        if (fObjids)
            (void)cdb->objids(cdb->ctx, trx, false, x->objid, objidTable, BJ_CAT_TYPE_INDEX);
        if (fRow)
            (void)bj_cat_writer_delete(cdb->w, objidTable, BJ_CAT_TYPE_INDEX, x->objid);
        bj_space_fdp_close(ft);
        if (pgno)
            (void)free_fdp(cdb, objidTable, pgno);
        if (fRow)
            (void)reload(cdb);
        unversion(cdb, trx, rce);
    }
    if (fLocked)
        bj_mutex_unlock(cdb->lock);
    bj_free(row);
    bj_free(x);
    return err;
}

/* ---- deletes ---- */

typedef struct undo_buf {
    uint8_t *pb;
    uint32_t cb, cap;
} undo_buf;

static JET_ERR ub_put(undo_buf *b, const void *pv, uint32_t cb)
{
    if (b->cb + cb > b->cap) {
        uint32_t n = b->cap ? 2 * b->cap : 1024;
        while (n < b->cb + cb)
            n *= 2;
        uint8_t *p = bj_realloc(b->pb, n);
        if (!p)
            return BJ_ERR(JET_errOutOfMemory);
        b->pb = p;
        b->cap = n;
    }
    memcpy(b->pb + b->cb, pv, cb);
    b->cb += cb;
    return JET_errSuccess;
}

typedef struct rowid {
    uint16_t type;
    uint32_t id;
} rowid;

/* Deletes rows (saved for undo in a transaction) and FDPs (at once, or at cleanup). */
static JET_ERR delete_rows(bj_cat_db *cdb, struct bj_trx *trx, uint32_t objidTable, const rowid *rg,
                           uint32_t c, const uint32_t *rgpgno, uint32_t cpgno, uint16_t typeKey,
                           uint32_t idKey)
{
    JET_ERR err = JET_errSuccess;
    undo_buf b = {0};
    uint8_t *row = bj_malloc(cdb->dbc->cbPage);
    uint32_t cdone = 0;
    if (!row)
        ERR(JET_errOutOfMemory);
    ddl_undo u = {0};
    u.op = UNDO_DELETE;
    u.objidTable = objidTable;
    u.type = typeKey;
    u.id = idKey;
    u.cpgno = in_trx(trx) ? cpgno : 0;
    u.crow = c;
    CALL(ub_put(&b, &u, sizeof(u)));
    for (uint32_t i = 0; i < u.cpgno; i++) {
        uint8_t a[4];
        bj_st32(a, rgpgno[i]);
        CALL(ub_put(&b, a, 4));
    }
    for (uint32_t i = 0; i < c; i++) {
        uint32_t cb = 0;
        uint8_t a[4];
        CALL(bj_cat_writer_read(cdb->w, objidTable, rg[i].type, rg[i].id, row, cdb->dbc->cbPage,
                                &cb));
        bj_st32(a, cb);
        CALL(ub_put(&b, a, 4));
        CALL(ub_put(&b, row, cb));
    }
    if (in_trx(trx)) /* before the first page write (crash recovery undoes it) */
        CALL(version(cdb, trx, (const ddl_undo *)b.pb, b.cb, NULL));
    /* MSysObjids: every B-tree but the primary index (its objid is the table's) */
    for (uint32_t i = 0; i < c && cdb->objids; i++) {
        const uint16_t ty = rg[i].type;
        if (ty == BJ_CAT_TYPE_TABLE || ty == BJ_CAT_TYPE_LV ||
            (ty == BJ_CAT_TYPE_INDEX && rg[i].id != objidTable))
            CALL(cdb->objids(cdb->ctx, trx, false, rg[i].id, objidTable, ty));
    }
    for (uint32_t i = 0; i < c; i++) {
        CALL(bj_cat_writer_delete(cdb->w, objidTable, rg[i].type, rg[i].id));
        cdone++;
    }
    if (!in_trx(trx)) {
        for (uint32_t i = cpgno; i-- > 0;)
            CALL(free_fdp(cdb, objidTable, rgpgno[i]));
    }
    err = reload(cdb);
fail:
    if (err < 0 && cdone < c && in_trx(trx)) {
        /* the RCE's undo puts back every row; rows not yet deleted are duplicates then */
    }
    bj_free(b.pb);
    bj_free(row);
    return err;
}

JET_ERR bj_cat_ddl_delete_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable)
{
    JET_ERR err = JET_errSuccess;
    rowid *rg = NULL;
    uint32_t *rgpgno = NULL, c = 0, cpg = 0;
    CALL(bj_cat_check_name(szTable));
    bj_mutex_lock(cdb->lock);
    const bj_cat_table *t = table_named(cdb, szTable);
    if (!t || (t->flags & (JET_bitObjectSystem | JET_bitObjectTableTemplate))) {
        bj_mutex_unlock(cdb->lock);
        ERR(!t                                 ? JET_errObjectNotFound
            : (t->flags & JET_bitObjectSystem) ? JET_errCannotDeleteSystemTable
                                               : JET_errCannotDeleteTemplateTable);
    }
    rg = bj_calloc(t->ccol + t->cidx + 2, sizeof(*rg));
    rgpgno = bj_calloc(t->cidx + 2, sizeof(*rgpgno));
    if (!rg || !rgpgno) {
        bj_mutex_unlock(cdb->lock);
        ERR(JET_errOutOfMemory);
    }
    rgpgno[cpg++] = t->pgnoFDP;
    if (t->objidLV) {
        rg[c++] = (rowid){BJ_CAT_TYPE_LV, t->objidLV};
        rgpgno[cpg++] = t->pgnoLV;
    }
    for (uint32_t i = t->cidx; i-- > 0;) {
        rg[c++] = (rowid){BJ_CAT_TYPE_INDEX, t->rgidx[i].objid};
        if (!(t->rgidx[i].fidb & BJ_FIDB_PRIMARY))
            rgpgno[cpg++] = t->rgidx[i].pgnoFDP;
    }
    for (uint32_t i = t->ccol; i-- > 0;)
        if (!t->ptemplate || !(t->rgcol[i].columnid & BJ_REC_COLUMNID_TEMPLATE))
            rg[c++] = (rowid){BJ_CAT_TYPE_COLUMN, t->rgcol[i].columnid & 0xffffu};
    rg[c++] = (rowid){BJ_CAT_TYPE_TABLE, t->objid};
    bj_cat_dead *dead = NULL;
    if (in_trx(trx)) {
        dead = bj_calloc(1, sizeof(*dead));
        if (!dead) {
            bj_mutex_unlock(cdb->lock);
            ERR(JET_errOutOfMemory);
        }
        dead->objid = t->objid;
        snprintf(dead->szName, sizeof(dead->szName), "%s", t->szName);
    }
    if (cdb->in_use && cdb->in_use(cdb->ctx, t->objid))
        err = BJ_ERR(JET_errTableInUse);
    else
        err = delete_rows(cdb, trx, t->objid, rg, c, rgpgno, cpg, BJ_CAT_TYPE_TABLE, t->objid);
    if (err >= 0 && dead) {
        dead->next = cdb->dead;
        cdb->dead = dead;
        dead = NULL;
    }
    bj_free(dead);
    bj_mutex_unlock(cdb->lock);
fail:
    bj_free(rg);
    bj_free(rgpgno);
    return err;
}

JET_ERR bj_cat_ddl_delete_index(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                const char *szIndex)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_cat_check_name(szIndex));
    bj_mutex_lock(cdb->lock);
    const bj_cat_table *t = table_named(cdb, szTable);
    const bj_cat_index *x = t ? bj_cat_find_index(t, szIndex) : NULL;
    if (!t)
        err = BJ_ERR(JET_errObjectNotFound);
    else if (!x)
        err = BJ_ERR(JET_errIndexNotFound);
    else if (t->flags & JET_bitObjectTableFixedDDL) /* ESE ErrIsamDeleteIndex */
        err = BJ_ERR(JET_errFixedDDL);
    else if (x->fidb & BJ_FIDB_DERIVED_INDEX) /* a template index of a derived table */
        err = BJ_ERR(JET_errFixedInheritedDDL);
    else if (x->fidb & BJ_FIDB_PRIMARY)
        err = BJ_ERR(JET_errIndexMustStay);
    else {
        rowid r = {BJ_CAT_TYPE_INDEX, x->objid};
        uint32_t pgno = x->pgnoFDP;
        err = delete_rows(cdb, trx, t->objid, &r, 1, &pgno, 1, BJ_CAT_TYPE_INDEX, x->objid);
    }
    bj_mutex_unlock(cdb->lock);
fail:
    return err;
}

JET_ERR bj_cat_ddl_delete_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                 const char *szColumn)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_cat_check_name(szColumn));
    bj_mutex_lock(cdb->lock);
    const bj_cat_table *t = table_named(cdb, szTable);
    const bj_cat_column *c = t ? bj_cat_find_column(t, szColumn) : NULL;
    if (!t)
        err = BJ_ERR(JET_errObjectNotFound);
    else if (!c)
        err = BJ_ERR(JET_errColumnNotFound);
    else if (t->flags & JET_bitObjectTableFixedDDL) /* ESE ErrIsamDeleteColumn */
        err = BJ_ERR(JET_errFixedDDL);
    else if (c->columnid & BJ_REC_COLUMNID_TEMPLATE) /* inherited by a derived table */
        err = BJ_ERR(JET_errFixedInheritedDDL);
    if (err >= 0) {
        for (uint32_t i = 0; i < t->cidx && err >= 0; i++) {
            const bj_cat_index *x = &t->rgidx[i];
            for (uint32_t k = 0; k < x->cseg; k++)
                if (x->rgcolumnid[k] == c->columnid)
                    err = BJ_ERR(JET_errColumnInUse);
            for (uint32_t k = 0; k < x->ccond; k++)
                if (x->rgcolumnidCond[k] == c->columnid)
                    err = BJ_ERR(JET_errColumnInUse);
        }
    }
    if (err >= 0) {
        /* ESE keeps a stub for a deleted fixed/variable column so later ids and record
         * offsets stay put; we only allow deleting the last column of those classes */
        const uint32_t fid = c->columnid & 0xffffu;
        if (fid < BJ_REC_FID_TAGGED_FIRST) {
            for (uint32_t i = 0; i < t->ccol; i++) {
                uint32_t f2 = t->rgcol[i].columnid & 0xffffu;
                if ((fid <= BJ_REC_FID_FIXED_LAST) == (f2 <= BJ_REC_FID_FIXED_LAST) &&
                    f2 < BJ_REC_FID_TAGGED_FIRST && f2 > fid)
                    err = BJ_ERR(JET_errFeatureNotAvailable);
            }
        }
    }
    if (err >= 0) {
        rowid r = {BJ_CAT_TYPE_COLUMN, c->columnid & 0xffffu};
        err = delete_rows(cdb, trx, t->objid, &r, 1, NULL, 0, BJ_CAT_TYPE_COLUMN,
                          c->columnid & 0xffffu);
    }
    bj_mutex_unlock(cdb->lock);
fail:
    return err;
}

/* ---- renames and default values (rows replaced in place) ---- */

/* Replaces catalog row (objidTable, type, id) by row (cb bytes); in a transaction the old row
 * is kept for the undo. A duplicate name: dupErr, nothing changed. Under cdb->lock. */
static JET_ERR replace_row(bj_cat_db *cdb, struct bj_trx *trx, uint32_t objidTable, uint16_t type,
                           uint32_t id, const uint8_t *row, uint32_t cb, JET_ERR dupErr)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = cdb->dbc->cbPage;
    uint8_t *buf = bj_malloc(sizeof(ddl_undo) + 4 + cbPage);
    uint32_t cbOld = 0;
    bool fDeleted = false;
    bj_rce *rce = NULL;
    if (!buf)
        ERR(JET_errOutOfMemory);
    uint8_t *old = buf + sizeof(ddl_undo) + 4;
    CALL(bj_cat_writer_read(cdb->w, objidTable, type, id, old, cbPage, &cbOld));
    if (in_trx(trx)) { /* the RCE before the page writes (crash recovery undoes it) */
        ddl_undo u = {0};
        u.op = UNDO_REPLACE;
        u.objidTable = objidTable;
        u.type = type;
        u.id = id;
        u.crow = 1;
        memcpy(buf, &u, sizeof(u));
        bj_st32(buf + sizeof(u), cbOld);
        CALL(version(cdb, trx, (const ddl_undo *)buf, (uint32_t)(sizeof(u) + 4 + cbOld), &rce));
    }
    CALL(bj_cat_writer_delete(cdb->w, objidTable, type, id));
    fDeleted = true;
    err = bj_cat_writer_insert(cdb->w, row, cb);
    if (err == JET_errKeyDuplicate)
        err = BJ_ERR(dupErr);
    CALL(err);
    fDeleted = false;
    rce = NULL; /* the change is made: a rollback takes it back */
    err = reload(cdb);
fail:
    if (fDeleted) {
        (void)bj_cat_writer_insert(cdb->w, old, cbOld);
        (void)reload(cdb);
    }
    if (err < 0)
        unversion(cdb, trx, rce);
    bj_free(buf);
    return err;
}

JET_ERR bj_cat_ddl_rename_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szName,
                                const char *szNameNew)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *row = NULL;
    size_t cb = 0;
    bool fLocked = false;
    bj_cat_table *tn = bj_malloc(sizeof(*tn));
    if (!tn)
        ERR(JET_errOutOfMemory);
    if (!szName || !szNameNew)
        ERR(JET_errInvalidParameter);
    CALL(bj_cat_check_name(szName));
    CALL(bj_cat_check_name(szNameNew));
    bj_mutex_lock(cdb->lock);
    fLocked = true;
    const bj_cat_table *t = table_named(cdb, szName);
    if (!t)
        ERR(JET_errObjectNotFound);
    if (t->flags & JET_bitObjectSystem)
        ERR(JET_errCannotDeleteSystemTable); /* our rule: system tables keep their names */
    /* ESE cat.cxx ErrCATRenameTable: derived tables name their template */
    if (t->flags & (JET_bitObjectTableTemplate | JET_bitObjectTableFixedDDL))
        ERR(JET_errFixedDDL);
    const bj_cat_table *other = table_named(cdb, szNameNew);
    if (other && other != t)
        ERR(JET_errTableDuplicate);
    if (cdb->in_use && cdb->in_use(cdb->ctx, t->objid))
        ERR(JET_errTableInUse); /* ESE's ErrCATRenameTable: the FCB must not be in use */
    *tn = *t;
    snprintf(tn->szName, sizeof(tn->szName), "%s", szNameNew);
    row = bj_malloc(cdb->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_row_table(mso_schema(cdb), tn, row, cdb->dbc->cbPage, &cb));
    CALL(replace_row(cdb, trx, t->objid, BJ_CAT_TYPE_TABLE, t->objid, row, (uint32_t)cb,
                     JET_errTableDuplicate));
fail:
    if (fLocked)
        bj_mutex_unlock(cdb->lock);
    bj_free(row);
    bj_free(tn);
    return err;
}

/* The writable column szColumn of szTable (template columns: JET_errFixedDDL). */
static JET_ERR own_column(bj_cat_db *cdb, const char *szTable, const char *szColumn,
                          const bj_cat_table **pt, const bj_cat_column **pc)
{
    const bj_cat_table *t = table_named(cdb, szTable);
    if (!t)
        return BJ_ERR(JET_errObjectNotFound);
    const bj_cat_column *c = bj_cat_find_column(t, szColumn);
    if (!c)
        return BJ_ERR(JET_errColumnNotFound);
    if ((c->columnid & BJ_REC_COLUMNID_TEMPLATE) && !(t->flags & JET_bitObjectTableTemplate))
        return BJ_ERR(JET_errFixedDDL);
    *pt = t;
    *pc = c;
    return JET_errSuccess;
}

JET_ERR bj_cat_ddl_rename_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                 const char *szName, const char *szNameNew)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *row = NULL;
    size_t cb = 0;
    bool fLocked = false;
    const bj_cat_table *t;
    const bj_cat_column *c;
    if (!szName || !szNameNew)
        ERR(JET_errInvalidParameter);
    CALL(bj_cat_check_name(szName));
    CALL(bj_cat_check_name(szNameNew));
    bj_mutex_lock(cdb->lock);
    fLocked = true;
    CALL(own_column(cdb, szTable, szName, &t, &c));
    const bj_cat_column *other = bj_cat_find_column(t, szNameNew);
    if (other && other != c)
        ERR(JET_errColumnDuplicate);
    bj_cat_column cn = *c;
    snprintf(cn.szName, sizeof(cn.szName), "%s", szNameNew);
    cn.columnid &= 0xffffu;
    row = bj_malloc(cdb->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_row_column(mso_schema(cdb), t->objid, &cn, row, cdb->dbc->cbPage, &cb));
    CALL(replace_row(cdb, trx, t->objid, BJ_CAT_TYPE_COLUMN, cn.columnid, row, (uint32_t)cb,
                     JET_errColumnDuplicate));
fail:
    if (fLocked)
        bj_mutex_unlock(cdb->lock);
    bj_free(row);
    return err;
}

JET_ERR bj_cat_ddl_set_default(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                               const char *szColumn, const void *pv, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *row = NULL;
    size_t cbRow = 0;
    bool fLocked = false;
    const bj_cat_table *t;
    const bj_cat_column *c;
    CALL(bj_cat_check_name(szColumn));
    if (!pv || !cb)
        ERR(JET_errNullInvalid);
    if (cb > bj_rec_cb_record_most(cdb->dbc->cbPage, 0))
        ERR(JET_errDefaultValueTooBig);
    bj_mutex_lock(cdb->lock);
    fLocked = true;
    CALL(own_column(cdb, szTable, szColumn, &t, &c));
    for (uint32_t i = 0; i < t->cidx; i++)
        for (uint32_t k = 0; k < t->rgidx[i].cseg; k++)
            if (t->rgidx[i].rgcolumnid[k] == c->columnid)
                ERR(JET_errColumnInUse); /* ESE: FFILEIsIndexColumn */
    const uint32_t w = bj_rec_coltyp_width(c->coltyp);
    if ((w && cb != w) || (c->cbMax && !bj_rec_coltyp_is_lv(c->coltyp) && cb > c->cbMax))
        ERR(w ? JET_errInvalidParameter : JET_errDefaultValueTooBig);
    if (cdb->in_use && cdb->in_use(cdb->ctx, t->objid))
        ERR(JET_errTableInUse); /* ESE opens the table deny-read */
    bj_cat_column cn = *c;
    cn.columnid &= 0xffffu;
    cn.pvDefault = (uint8_t *)pv;
    cn.cbDefault = cb;
    cn.ffield |= BJ_FFIELD_DEFAULT;
    row = bj_malloc(cdb->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_row_column(mso_schema(cdb), t->objid, &cn, row, cdb->dbc->cbPage, &cbRow));
    CALL(replace_row(cdb, trx, t->objid, BJ_CAT_TYPE_COLUMN, cn.columnid, row, (uint32_t)cbRow,
                     JET_errColumnDuplicate));
fail:
    if (fLocked)
        bj_mutex_unlock(cdb->lock);
    bj_free(row);
    return err;
}
