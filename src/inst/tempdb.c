/* tempdb.c: the temporary database of an instance and its temporary tables (see tempdb.h for
 * the rules and the ESE sources they come from).
 *
 * Invariants: a temporary table holds a reference on the catalog version its cursor's
 * descriptor lives in (the temporary database publishes a new version per DDL change and drops
 * the old one at once); its version store is empty between calls (every write commits and is
 * cleaned), so its pages can be freed as soon as its cursor is closed.
 * Lock order: bj_tempdb.lock -> the temporary database's DDL lock.
 */
#include <stdio.h>

#include "inst/tempdb.h"
#include "cat/cat_ddl.h"
#include "space/space.h"
#include "tbl/tbl_write.h"
#include "ver/ver.h"

#define TEMP_DBID BJ_DB_MAX /* the temporary database's id in version keys (no user db) */
#define TEMP_NAME "tmp.edb"

typedef struct bj_tempdb {
    bj_mutex lock; /* open/close of temporary tables, the database's creation */
    bj_db *db;     /* NULL until the first temporary table */
    uint32_t cOpen;
    uint32_t seq; /* table names TEMP<seq> */
} bj_tempdb;

struct bj_temptab {
    bj_tempdb *tdb;
    char szName[JET_cbNameMost + 1];
    JET_GRBIT grbit;
    bool fKeyed;        /* key columns were given */
    bool fMaterialized; /* a table from the start: no sort rules */
    bool fInsertPhase;  /* before the first move or seek */
    bj_cat *cat;        /* the catalog version the cursor's descriptor is in (a reference) */
    bj_ver *ver;
    bj_trx *trx;
    bj_tbl_db *shared; /* shared trees on the temporary database, versioned by ver */
};

/* Publishing a temporary database's catalog: the new version replaces the old, which is
 * dropped (each open table holds its own reference). Caller holds the DDL lock. */
static JET_ERR temp_publish(void *ctx, bj_cat *cat)
{
    bj_db *db = ctx;
    bj_cat *old = db->cat;
    db->cat = cat;
    atomic_fetch_add(&db->catgen, 1);
    bj_cat_release(old);
    return JET_errSuccess;
}

static bj_tempdb *tempdb_get(bj_inst *inst)
{
    bj_mutex_lock(&inst->lock);
    if (!inst->tempdb) {
        bj_tempdb *t = bj_calloc(1, sizeof(*t));
        if (t) {
            bj_mutex_init(&t->lock);
            inst->tempdb = t;
        }
    }
    bj_tempdb *t = inst->tempdb;
    bj_mutex_unlock(&inst->lock);
    return t;
}

/* The file of the temporary database: JET_paramTempPath, a folder when it ends in '/' or is
 * an existing folder. */
static JET_ERR temp_path(bj_inst *inst, char *out, size_t cb)
{
    char sz[BJ_PATH_MAX];
    bj_param_str(inst, JET_paramTempPath, sz, sizeof(sz));
    size_t n = strlen(sz);
    if (n == 0)
        return bj_path_join(out, cb, ".", TEMP_NAME);
    bool fExists = false, fDir = false;
    if (sz[n - 1] == '/' || sz[n - 1] == '\\' ||
        (bj_os_stat(inst->os, sz, &fExists, &fDir, NULL) >= 0 && fDir))
        return bj_path_join(out, cb, sz, TEMP_NAME);
    if (n + 1 > cb)
        return BJ_ERR(JET_errInvalidPath);
    memcpy(out, sz, n + 1);
    return JET_errSuccess;
}

/* Creates the temporary database on first use. Caller holds t->lock. */
static JET_ERR tempdb_ensure(bj_inst *inst, bj_tempdb *t)
{
    JET_ERR err = JET_errSuccess;
    char path[BJ_PATH_MAX];
    if (t->db)
        return JET_errSuccess;
    CALL(temp_path(inst, path, sizeof(path)));
    CALL(bj_db_create_private(inst, path, TEMP_DBID, &t->db));
    t->db->cdb.publish = temp_publish;
    t->db->cdb.ctx = t->db;
    t->db->cdb.dbid = TEMP_DBID;
fail:
    return err;
}

void bj_tempdb_term(bj_inst *inst)
{
    bj_tempdb *t = inst->tempdb;
    if (!t)
        return;
    inst->tempdb = NULL;
    bj_db_free_private(t->db, true, inst->os);
    bj_mutex_destroy(&t->lock);
    bj_free(t);
}

uint32_t bj_tempdb_pages(bj_inst *inst)
{
    bj_tempdb *t = inst->tempdb;
    uint64_t cb = 0;
    if (!t || !t->db)
        return 0;
    bj_mutex_lock(&t->lock);
    if (bj_file_size(t->db->file, &cb) < 0)
        cb = 0;
    bj_mutex_unlock(&t->lock);
    return (uint32_t)(cb / t->db->cbPage);
}

bj_ver *bj_temp_ver(bj_temptab *tt)
{
    return tt->ver;
}

bj_trx *bj_temp_trx(bj_temptab *tt)
{
    return tt->trx;
}

static bool is_long(JET_COLTYP coltyp)
{
    return coltyp == JET_coltypLongBinary || coltyp == JET_coltypLongText;
}

/* Frees what a (partly) opened temporary table holds; deletes its table. Caller holds
 * tt->tdb->lock. */
static void temptab_free(bj_temptab *tt)
{
    bj_db *db = tt->tdb->db;
    if (tt->trx)
        bj_ver_trx_destroy(tt->trx);
    if (tt->ver)
        bj_ver_term(tt->ver); /* last cleanup: through the shared trees, still open */
    bj_tbl_db_close(tt->shared);
    if (tt->szName[0])
        (void)bj_cat_ddl_delete_table(&db->cdb, NULL, tt->szName);
    bj_cat_release(tt->cat);
    bj_free(tt);
}

void bj_temp_close(bj_temptab *tt)
{
    bj_tempdb *t = tt->tdb;
    bj_mutex_lock(&t->lock);
    temptab_free(tt);
    t->cOpen--;
    bj_mutex_unlock(&t->lock);
}

/* Builds the table: columns, then the primary index over the key columns. */
static JET_ERR temp_ddl(bj_temptab *tt, const bj_temp_def *def, JET_COLUMNID *rgcolumnid,
                        bool fKeepDups)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_db *cdb = &tt->tdb->db->cdb;
    char *szKey = NULL;
    size_t cbKey = 0;
    char szCol[JET_cbNameMost + 1];
    CALL(bj_cat_ddl_create_table(cdb, NULL, tt->szName, 1, 100, 0));
    szKey = bj_calloc(1, (size_t)(def->ccol + 2) * (JET_cbNameMost + 2) + 1);
    if (!szKey)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < def->ccol; i++) {
        const JET_COLUMNDEF *cd = &def->rgcol[i];
        const char *szName = szCol;
        if (def->rgszName)
            szName = def->rgszName[i];
        else
            snprintf(szCol, sizeof(szCol), "c%u", i + 1);
        bj_cat_coldef c = {
            .szName = szName,
            .coltyp = cd->coltyp,
            .cbMax = cd->cbMax,
            .grbit = cd->grbit & ~(JET_GRBIT)(JET_bitColumnTTKey | JET_bitColumnTTDescending),
            .cp = cd->cp,
        };
        JET_COLUMNID columnid = 0;
        err = bj_cat_ddl_add_column(cdb, NULL, tt->szName, &c, &columnid);
        if (err < 0)
            goto fail;
        err = JET_errSuccess;
        if (rgcolumnid)
            rgcolumnid[i] = columnid;
        if ((cd->grbit & JET_bitColumnTTKey) && cbKey / (JET_cbNameMost + 2) < JET_ccolKeyMost) {
            szKey[cbKey] = (cd->grbit & JET_bitColumnTTDescending) ? '-' : '+';
            size_t n = strlen(szName);
            memcpy(szKey + cbKey + 1, szName, n + 1);
            cbKey += n + 2;
        }
    }
    tt->fKeyed = cbKey > 0;
    if (!tt->fKeyed)
        goto fail;
    if (fKeepDups) {
        /* a forward-only sort keeps equal keys: a hidden counter orders them by insertion */
        bj_cat_coldef c = {.szName = "TTSequence",
                           .coltyp = JET_coltypLong,
                           .grbit = JET_bitColumnFixed | JET_bitColumnAutoincrement};
        CALL(bj_cat_ddl_add_column(cdb, NULL, tt->szName, &c, NULL));
        memcpy(szKey + cbKey, "+TTSequence", 12);
        cbKey += 12;
    }
    szKey[cbKey++] = '\0';
    JET_GRBIT grbitIdx = JET_bitIndexPrimary | JET_bitIndexUnique;
    if (def->grbit & JET_bitTTSortNullsHigh)
        grbitIdx |= JET_bitIndexSortNullsHigh;
    if (def->grbit & JET_bitTTDotNetGuid)
        grbitIdx |= JET_bitIndexDotNetGuid;
    bj_cat_idxdef x = {.szName = "TTKey",
                       .szKey = szKey,
                       .cbKey = (uint32_t)cbKey,
                       .grbit = grbitIdx,
                       .density = 100,
                       .lcid = def->lcid,
                       .szLocale = def->szLocale,
                       .dwLCMapFlags = def->dwMapFlags,
                       .cbVarSegMac = def->cbVarSegMac,
                       .cbKeyMost = def->cbKeyMost};
    CALL(bj_cat_ddl_create_index(cdb, NULL, tt->szName, &x));
fail:
    bj_free(szKey);
    return err;
}

JET_ERR bj_temp_open(bj_sess *sess, const bj_temp_def *def, JET_TABLEID *ptableid,
                     JET_COLUMNID *rgcolumnid)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = sess->inst;
    bj_tempdb *t = NULL;
    bj_temptab *tt = NULL;
    bj_tbl *c = NULL;
    bool fLocked = false;
    const JET_GRBIT grbit = def->grbit;
    *ptableid = JET_tableidNil;
    if (bj_param_int(inst, JET_paramMaxTemporaryTables) == 0)
        ERR(JET_errTooManySorts);
    if ((grbit & JET_bitTTForwardOnly) &&
        (grbit & (JET_bitTTIndexed | JET_bitTTUpdatable | JET_bitTTScrollable |
                  JET_bitTTForceMaterialization)))
        ERR(JET_errCannotMaterializeForwardOnlySort);
    if (grbit & ~(JET_GRBIT)0x1ff)
        ERR(JET_errInvalidGrbit);
    if (!def->rgcol && def->ccol)
        ERR(JET_errInvalidParameter);
    /* sortapi.cxx ErrSORTTableOpen's key-limit checks */
    uint32_t cbKeyMostPage = bj_param_page_size() >= 16384  ? 2000u
                             : bj_param_page_size() >= 8192 ? 1000u
                                                            : 500u;
    if ((def->cbKeyMost != 0 && def->cbKeyMost < JET_cbKeyMostMin) ||
        def->cbKeyMost > cbKeyMostPage)
        ERR(JET_errInvalidParameter);
    if ((def->cbKeyMost != 0 && def->cbVarSegMac > def->cbKeyMost) ||
        (def->cbKeyMost == 0 && def->cbVarSegMac > JET_cbKeyMostMin))
        ERR(JET_errInvalidParameter);
    bool fKeyed = false, fLong = false;
    for (uint32_t i = 0; i < def->ccol; i++) {
        fKeyed |= (def->rgcol[i].grbit & JET_bitColumnTTKey) != 0;
        fLong |= is_long(def->rgcol[i].coltyp);
    }
    bool fMaterialize = !fKeyed || (fLong && !(grbit & JET_bitTTIntrinsicLVsOnly)) ||
                        (grbit & JET_bitTTForceMaterialization);
    if (fMaterialize && (grbit & JET_bitTTForwardOnly))
        ERR(JET_errCannotMaterializeForwardOnlySort);
    t = tempdb_get(inst);
    if (!t)
        ERR(JET_errOutOfMemory);
    bj_mutex_lock(&t->lock);
    fLocked = true;
    if (t->cOpen >= bj_param_int(inst, JET_paramMaxTemporaryTables))
        ERR(JET_errTooManySorts);
    CALL(tempdb_ensure(inst, t));
    tt = bj_calloc(1, sizeof(*tt));
    if (!tt)
        ERR(JET_errOutOfMemory);
    tt->tdb = t;
    tt->grbit = grbit;
    tt->fMaterialized = fMaterialize;
    tt->fInsertPhase = !fMaterialize;
    snprintf(tt->szName, sizeof(tt->szName), "TEMP%u", ++t->seq);
    bool fKeepDups = (grbit & JET_bitTTForwardOnly) && !(grbit & JET_bitTTUnique);
    err = temp_ddl(tt, def, rgcolumnid, fKeepDups);
    if (err < 0) {
        /* a failed table leaves nothing: delete what the DDL made */
        temptab_free(tt);
        tt = NULL;
        goto fail;
    }
    bj_db *db = t->db;
    bj_mutex_lock(&db->ddl);
    tt->cat = db->cat;
    bj_cat_addref(tt->cat);
    bj_mutex_unlock(&db->ddl);
    const bj_cat_table *tab = bj_cat_find_table(tt->cat, tt->szName);
    if (!tab)
        ERR(JET_errObjectNotFound);
    CALL(bj_ver_init(NULL, &tt->ver));
    CALL(bj_ver_trx_create(tt->ver, &tt->trx));
    CALL(bj_tbl_db_open(&db->dbc, db->sdb, tt->ver, TEMP_DBID, &tt->shared));
    /* separated long values: the LV tree is made on the first one, as for any table */
    bj_tbl_db_set_ddl(tt->shared, &db->cdb);
    CALL(bj_tbl_open_db(tt->shared, tab, &c));
    CALL(bj_tableid_adopt(sess, db, c, tt, ptableid));
    c = NULL;
    tt = NULL;
    t->cOpen++;
fail:
    bj_tbl_close(c);
    if (tt)
        temptab_free(tt);
    if (fLocked)
        bj_mutex_unlock(&t->lock);
    return err;
}

JET_ERR bj_temp_check(bj_temptab *tt, bj_temp_op op)
{
    const JET_GRBIT g = tt->grbit;
    bool fScroll = tt->fMaterialized || (g & (JET_bitTTScrollable | JET_bitTTIndexed));
    bool fUpd = tt->fMaterialized || (g & JET_bitTTUpdatable);
    switch (op) {
    case BJ_TEMP_MOVE_FWD:
        tt->fInsertPhase = false;
        return JET_errSuccess;
    case BJ_TEMP_MOVE_BACK:
    case BJ_TEMP_SEEK:
        if (!fScroll)
            return BJ_ERR(JET_errIllegalOperation);
        tt->fInsertPhase = false;
        return JET_errSuccess;
    case BJ_TEMP_INSERT:
        return tt->fInsertPhase || fUpd ? JET_errSuccess : BJ_ERR(JET_errIllegalOperation);
    case BJ_TEMP_WRITE:
        return !tt->fInsertPhase && fUpd ? JET_errSuccess : BJ_ERR(JET_errIllegalOperation);
    case BJ_TEMP_READ:
        return tt->fInsertPhase ? BJ_ERR(JET_errIllegalOperation) : JET_errSuccess;
    }
    return JET_errSuccess;
}

JET_ERR bj_temp_write_end(bj_temptab *tt, bj_tbl *c, JET_ERR err)
{
    if (err == JET_errKeyDuplicate && tt->fInsertPhase && tt->fKeyed) {
        /* a sort drops a record whose key is already there */
        bj_tbl_update_free(c);
        err = JET_errSuccess;
    }
    if (err < 0)
        (void)bj_ver_trx_rollback(tt->trx, 0);
    else {
        JET_ERR errC = bj_ver_trx_commit(tt->trx, 0);
        if (errC < 0)
            err = errC;
    }
    bj_ver_cleanup(tt->ver);
    return err;
}
