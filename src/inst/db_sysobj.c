/* db_sysobj.c: the dynamic system tables of a database: MSysObjids and MSysLocales, made at
 * JetCreateDatabase as ESE makes them from update major 0x14 on, and the upkeep of MSysObjids
 * rows by DDL (bj_cat_db.objids).
 *
 * Facts (ESE cat.cxx ErrCATCreateMSObjids / ErrCATIInsertMSObjidsRecord /
 * ErrCATPossiblyDeleteMSObjidsRecord, kvpstore.cxx ErrKVPIInitICreateTable; checked against
 * the catalog rows of objids 6 and 7 in the Windows-written Catalog1_rev14_4k.edb and
 * SRUDB_win_rev14_4k.dat):
 *  - MSysObjids (objid 6): tagged columns objid (Long), objidTable (Long), type (Short); primary
 *    index "primary" on +objid, density 100; flags System | SystemDynamic | FixedDDL, 0 initial
 *    pages in the row. One row per B-tree: tables (type 1, objid = objidTable), secondary
 *    indexes (3), LV trees (4), written in the DDL's transaction; the primary index has none
 *    (its objid is the table's). Rows for the catalog's own trees: 2, 3 (tables), 4, 5 (the
 *    Name and RootObjects indexes of MSysObjects).
 *  - MSysLocales (objid 7): fixed Type (UnsignedByte, NotNULL), fixed iValue (Long, escrow,
 *    default 0), variable Key (Binary, 255); primary index "KeyPrimary" on +Key, disallow
 *    truncation, density 92; flags System | SystemDynamic. Rows: the key-value store's schema
 *    versions (type 1) .Schema\External|Internal\Major = 1, Minor = 0, Update = 0, and the
 *    consistency marker "MSysLocalesConsistent" = 1 (type 2); keys are UTF-16LE with their NUL.
 *    Not written: ESE's "LocaleName=...,SortID=...,Ver=..." rows (NLS sort versions of the
 *    locales indexes use; we have no NLS versions to record).
 * Every write goes through the table layer (versioned like any record write); outside a
 * transaction through a transaction of its own, committed at once. The callers hold the
 * database's DDL lock; the instance's version store cleans up on its own thread, so a commit
 * here never runs DDL cleanup callbacks (which take that lock) inline.
 */
#include "cat/cat_ddl.h"
#include "inst/db.h"
#include "tbl/tbl_write.h"
#include "ver/ver.h"

#define SZ_OBJIDS "MSysObjids"
#define SZ_LOCALES "MSysLocales"
#define FID_OBJIDS_OBJID 256u
#define FID_OBJIDS_TABLE 257u
#define FID_OBJIDS_TYPE 258u
#define FID_LOCALES_TYPE 1u
#define FID_LOCALES_IVALUE 2u
#define FID_LOCALES_KEY 128u

typedef struct colval {
    JET_COLUMNID columnid;
    const void *pv;
    uint32_t cb;
} colval;

/* A cursor on t reading and writing in trx (own: a transaction begun here, end with done). */
typedef struct writer {
    bj_db *db;
    bj_trx *trx, *own;
    bj_tbl *c;
} writer;

static JET_ERR writer_open(bj_db *db, bj_trx *trx, const bj_cat_table *t, writer *w)
{
    JET_ERR err = JET_errSuccess;
    memset(w, 0, sizeof(*w));
    w->db = db;
    if (!trx || bj_ver_trx_level(trx) == 0) {
        CALL(bj_ver_trx_create(db->ver, &w->own));
        CALL(bj_ver_trx_begin(w->own));
        trx = w->own;
    }
    w->trx = trx;
    CALL(bj_tbl_open_db(db->tdb, t, &w->c));
    bj_tbl_set_reader(w->c, trx, 0);
fail:
    return err;
}

/* Closes w; commits its own transaction when err >= 0, else rolls it back. */
static JET_ERR writer_done(writer *w, JET_ERR err)
{
    bj_tbl_close(w->c);
    if (w->own) {
        if (bj_ver_trx_level(w->own) > 0) {
            if (err >= 0)
                err = bj_ver_trx_commit(w->own, 0);
            else
                (void)bj_ver_trx_rollback(w->own, 0);
        }
        bj_ver_trx_destroy(w->own);
    }
    return err;
}

static JET_ERR insert_row(bj_tbl *c, const colval *rg, uint32_t n)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_tbl_prepare_update(c, JET_prepInsert));
    for (uint32_t i = 0; i < n; i++)
        CALL(bj_tbl_set_column(c, rg[i].columnid, rg[i].pv, rg[i].cb, 0, 0, 0));
    CALL(bj_tbl_update(c, NULL, 0, NULL));
fail:
    if (err < 0)
        bj_tbl_update_free(c);
    return err;
}

/* MSysObjids when the database keeps it (ESE's FMaintainMSObjids): a system table with its
 * primary index. Caller holds db->ddl. */
static const bj_cat_table *objids_table(bj_db *db)
{
    const bj_cat_table *t = bj_cat_find_table(db->cat, SZ_OBJIDS);
    return t && t->fHasPrimary && (t->flags & JET_bitObjectSystem) ? t : NULL;
}

static JET_ERR objids_put(bj_tbl *c, uint32_t objid, uint32_t objidTable, uint16_t type)
{
    /* JetSetColumn values: host order */
    const int32_t a = (int32_t)objid, b = (int32_t)objidTable;
    const int16_t ty = (int16_t)type;
    const colval rg[3] = {
        {FID_OBJIDS_TYPE, &ty, 2}, {FID_OBJIDS_OBJID, &a, 4}, {FID_OBJIDS_TABLE, &b, 4}};
    return insert_row(c, rg, 3);
}

JET_ERR bj_db_objids_row(bj_db *db, bj_trx *trx, bool fInsert, uint32_t objid, uint32_t objidTable,
                         uint16_t type)
{
    JET_ERR err = JET_errSuccess;
    writer w = {0};
    const bj_cat_table *t = objids_table(db);
    if (!t)
        return JET_errSuccess;
    CALL(writer_open(db, trx, t, &w));
    if (fInsert) {
        err = objids_put(w.c, objid, objidTable, type);
        if (err == JET_errKeyDuplicate) /* ESE ignores a row already there */
            err = JET_errSuccess;
        CALL(err);
    } else {
        const int32_t k = (int32_t)objid;
        CALL(bj_tbl_make_key(w.c, &k, 4, JET_bitNewKey));
        err = bj_tbl_seek(w.c, JET_bitSeekEQ);
        if (err == JET_errRecordNotFound) {
            err = JET_errSuccess;
            goto fail;
        }
        CALL(err);
        CALL(bj_tbl_delete(w.c));
    }
fail:
    return w.db ? writer_done(&w, err) : err;
}

/* ---- creation ---- */

static JET_ERR add_col(bj_cat_db *cdb, const char *szTable, const char *szName, JET_COLTYP coltyp,
                       uint32_t cbMax, JET_GRBIT grbit, const void *pvDefault, uint32_t cbDefault)
{
    bj_cat_coldef d = {.szName = szName,
                       .coltyp = coltyp,
                       .cbMax = cbMax,
                       .grbit = grbit,
                       .pvDefault = pvDefault,
                       .cbDefault = cbDefault,
                       .ddl = BJ_CAT_DDL_CREATE};
    JET_ERR err = bj_cat_ddl_add_column(cdb, NULL, szTable, &d, NULL);
    return err < 0 ? err : JET_errSuccess;
}

static JET_ERR add_primary(bj_cat_db *cdb, const char *szTable, const char *szName,
                           const char *szKey, uint32_t cbKey, JET_GRBIT grbit, uint32_t density)
{
    bj_cat_idxdef x = {.szName = szName,
                       .szKey = szKey,
                       .cbKey = cbKey,
                       .grbit = JET_bitIndexPrimary | grbit,
                       .density = density,
                       .ddl = BJ_CAT_DDL_CREATE};
    return bj_cat_ddl_create_index(cdb, NULL, szTable, &x);
}

/* Rows for every B-tree the catalog holds now (MSysObjids was made without upkeep). */
static JET_ERR objids_populate(bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    writer w = {0};
    bool fShadow = false;
    const bj_cat_table *t = objids_table(db);
    if (!t)
        ERR(JET_errCatalogCorrupted);
    CALL(writer_open(db, NULL, t, &w));
    for (uint32_t i = 0; i < db->cat->ctbl; i++) {
        const bj_cat_table *u = db->cat->rgtbl[i];
        fShadow |= u->objid == BJ_CAT_OBJID_MSO_SHADOW;
        CALL(objids_put(w.c, u->objid, u->objid, BJ_CAT_TYPE_TABLE));
        for (uint32_t j = 0; j < u->cidx; j++)
            if (u->rgidx[j].objid != u->objid)
                CALL(objids_put(w.c, u->rgidx[j].objid, u->objid, BJ_CAT_TYPE_INDEX));
        if (u->objidLV)
            CALL(objids_put(w.c, u->objidLV, u->objid, BJ_CAT_TYPE_LV));
    }
    if (!fShadow)
        CALL(objids_put(w.c, BJ_CAT_OBJID_MSO_SHADOW, BJ_CAT_OBJID_MSO_SHADOW, BJ_CAT_TYPE_TABLE));
fail:
    return w.db ? writer_done(&w, err) : err;
}

/* A key of MSysLocales: the ASCII name as UTF-16LE with its NUL. */
static uint32_t kvp_key(const char *sz, uint8_t *out)
{
    uint32_t n = 0;
    for (; *sz; sz++, n += 2) {
        out[n] = (uint8_t)*sz;
        out[n + 1] = 0;
    }
    out[n] = out[n + 1] = 0;
    return n + 2;
}

static JET_ERR locales_populate(bj_db *db)
{
    static const struct {
        const char *sz;
        uint8_t type;
        int32_t v;
    } rows[] = {
        {".Schema\\Internal\\Major", 1, 1},  {".Schema\\Internal\\Minor", 1, 0},
        {".Schema\\Internal\\Update", 1, 0}, {".Schema\\External\\Major", 1, 1},
        {".Schema\\External\\Minor", 1, 0},  {".Schema\\External\\Update", 1, 0},
        {"MSysLocalesConsistent", 2, 1},
    };
    JET_ERR err = JET_errSuccess;
    writer w = {0};
    const bj_cat_table *t = bj_cat_find_table(db->cat, SZ_LOCALES);
    if (!t)
        ERR(JET_errCatalogCorrupted);
    CALL(writer_open(db, NULL, t, &w));
    for (uint32_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        uint8_t key[128];
        const uint32_t cbKey = kvp_key(rows[i].sz, key);
        const colval rg[3] = {{FID_LOCALES_KEY, key, cbKey},
                              {FID_LOCALES_TYPE, &rows[i].type, 1},
                              {FID_LOCALES_IVALUE, &rows[i].v, 4}};
        CALL(insert_row(w.c, rg, 3));
    }
fail:
    return w.db ? writer_done(&w, err) : err;
}

JET_ERR bj_db_sysobj_create(bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_db *cdb = bj_db_ddl(db);
    static const int32_t zero = 0;
    if (!cdb)
        return BJ_ERR(JET_errPermissionDenied);
    const JET_GRBIT sys = JET_bitTableCreateSystemTable;
    CALL(bj_cat_ddl_create_table(cdb, NULL, SZ_OBJIDS, 0, 100, sys | JET_bitTableCreateFixedDDL));
    CALL(add_col(cdb, SZ_OBJIDS, "objid", JET_coltypLong, 4, JET_bitColumnTagged, NULL, 0));
    CALL(add_col(cdb, SZ_OBJIDS, "objidTable", JET_coltypLong, 4, JET_bitColumnTagged, NULL, 0));
    CALL(add_col(cdb, SZ_OBJIDS, "type", JET_coltypShort, 2, JET_bitColumnTagged, NULL, 0));
    CALL(add_primary(cdb, SZ_OBJIDS, "primary", "+objid\0", 8, 0, 100));
    bj_mutex_lock(&db->ddl);
    err = objids_populate(db);
    bj_mutex_unlock(&db->ddl);
    CALL(err);
    /* from here on DDL keeps MSysObjids (MSysLocales gets its row 7) */
    CALL(bj_cat_ddl_create_table(cdb, NULL, SZ_LOCALES, 0, 92, sys));
    CALL(add_col(cdb, SZ_LOCALES, "Key", JET_coltypBinary, 255, JET_bitColumnVariable, NULL, 0));
    CALL(add_col(cdb, SZ_LOCALES, "Type", JET_coltypUnsignedByte, 1,
                 JET_bitColumnFixed | JET_bitColumnNotNULL, NULL, 0));
    CALL(add_col(cdb, SZ_LOCALES, "iValue", JET_coltypLong, 4,
                 JET_bitColumnFixed | JET_bitColumnEscrowUpdate, &zero, 4));
    CALL(add_primary(cdb, SZ_LOCALES, "KeyPrimary", "+Key\0", 6, JET_bitIndexDisallowTruncation,
                     92));
    bj_mutex_lock(&db->ddl);
    err = locales_populate(db);
    bj_mutex_unlock(&db->ddl);
fail:
    return err;
}
