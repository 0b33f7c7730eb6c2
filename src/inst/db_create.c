/* db_create.c: the write path of a database: JetCreateDatabase (file, layout, header, system
 * catalog), the writable attach (space + catalog writer), header writes, the flush at detach,
 * and catalog-version publication for DDL.
 *
 * Header at creation (ESE db.cxx ErrDBCreateDatabase; ese-format.md §1.4 / Appendix A):
 * version 0x620, update major 0x14, update minor 0, create version 0x620 / 0x14, signature =
 * random + creation time + computer name, dbid, objidLast, dbtime, page size, filetype 1.
 * Without a log (until issue 3) the state goes JustCreated -> DirtyShutdown (on disk while
 * attached for writing) -> CleanShutdown (after every page was flushed and synced at detach);
 * so a crash leaves a file that re-attaches with JET_errDatabaseDirtyShutdown, as ESE without
 * logs does.
 * Lock order: the instance's database table lock, then a database's ddl mutex.
 */
#include "buf/buf.h"
#include "cat/cat_ddl.h"
#include "inst/db.h"
#include "inst/inst_log.h"
#include "page/page.h"
#include "space/space.h"
#include "tbl/tbl_write.h"

#define DB_UPDATE_MAJOR 0x14u

JET_ERR bj_db_write_header(bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *pg = bj_calloc(1, db->cbPage);
    if (!pg)
        ERR(JET_errOutOfMemory);
    db->hdr.dbtime = bj_bt_dbctx_dbtime(&db->dbc);
    if (db->objidLast > db->hdr.objidLast)
        db->hdr.objidLast = db->objidLast;
    CALL(bj_dbhdr_encode(&db->hdr, pg, db->cbPage));
    CALL(bj_file_write(db->file, 0, pg, db->cbPage));
    CALL(bj_file_write(db->file, db->cbPage, pg, db->cbPage));
    CALL(bj_file_sync(db->file));
fail:
    bj_free(pg);
    return err;
}

bj_cat *bj_db_cat_get(bj_db *db)
{
    bj_cat *cat;
    if (db->fDdlInit)
        bj_mutex_lock(&db->catlock);
    cat = db->cat;
    bj_cat_addref(cat);
    if (db->fDdlInit)
        bj_mutex_unlock(&db->catlock);
    return cat;
}

JET_ERR bj_db_cat_publish(bj_db *db, bj_cat *cat)
{
    if (db->ccatOld == db->ccatOldAlloc) {
        uint32_t n = db->ccatOldAlloc ? 2 * db->ccatOldAlloc : 8;
        bj_cat **rg = bj_realloc(db->rgcatOld, n * sizeof(*rg));
        if (!rg) {
            bj_cat_release(cat);
            return BJ_ERR(JET_errOutOfMemory);
        }
        db->rgcatOld = rg;
        db->ccatOldAlloc = n;
    }
    bj_mutex_lock(&db->catlock);
    db->rgcatOld[db->ccatOld++] = db->cat;
    db->cat = cat;
    atomic_fetch_add(&db->catgen, 1); /* after the swap, under catlock (tableid.c refresh) */
    bj_mutex_unlock(&db->catlock);
    return JET_errSuccess;
}

static JET_ERR publish_cb(void *ctx, bj_cat *cat)
{
    return bj_db_cat_publish(ctx, cat);
}

static bool forget_cb(void *ctx, uint32_t objidTable, uint32_t pgnoFDP)
{
    return bj_db_ddl_forget(ctx, objidTable, pgnoFDP);
}

static bool in_use_cb(void *ctx, uint32_t objid)
{
    return bj_db_ddl_in_use(ctx, objid);
}

/* Long values for index builds: a table cursor reading as of now (a registered snapshot). */
typedef struct lvctx {
    bj_db *db;
    bj_tbl *c;
    bj_ver_snap snap;
    bool fSnap;
} lvctx;

static void lv_close_cb(void *p)
{
    lvctx *l = p;
    if (!l)
        return;
    bj_tbl_close(l->c);
    if (l->fSnap)
        bj_ver_snap_end(l->db->ver, &l->snap);
    bj_free(l);
}

static JET_ERR lv_open_cb(void *ctx, const bj_cat_table *t, void **plv)
{
    JET_ERR err = JET_errSuccess;
    bj_db *db = ctx;
    lvctx *l = bj_calloc(1, sizeof(*l));
    *plv = NULL;
    if (!l)
        ERR(JET_errOutOfMemory);
    l->db = db;
    if (db->ver) {
        bj_ver_snap_begin(db->ver, &l->snap);
        l->fSnap = true;
    }
    CALL(bj_tbl_open_db(db->tdb, t, &l->c));
    bj_tbl_set_reader(l->c, NULL, l->snap.ts);
    *plv = l;
    l = NULL;
fail:
    lv_close_cb(l);
    return err;
}

static JET_ERR lv_read_cb(void *p, uint64_t lid, uint8_t *pv, uint32_t cbMax, uint32_t *pcb)
{
    lvctx *l = p;
    uint32_t total = 0;
    JET_ERR err = bj_tbl_lv_read(l->c, lid, 0, pv, cbMax, &total);
    if (err >= 0) {
        *pcb = BJ_MIN(total, cbMax);
        err = JET_errSuccess;
    }
    return err;
}

static JET_ERR objids_cb(void *ctx, struct bj_trx *trx, bool fInsert, uint32_t objid,
                         uint32_t objidTable, uint16_t type)
{
    return bj_db_objids_row(ctx, trx, fInsert, objid, objidTable, type);
}

static void cdb_init(bj_db *db)
{
    bj_cat_db *c = &db->cdb;
    c->dbc = &db->dbc;
    c->sdb = db->sdb;
    c->w = db->catw;
    c->lock = &db->ddl;
    c->pobjidLast = &db->objidLast;
    c->dbid = db->dbid;
    c->pcat = &db->cat;
    c->publish = publish_cb;
    c->forget = forget_cb;
    c->in_use = in_use_cb;
    c->lv_open = lv_open_cb;
    c->lv_close = lv_close_cb;
    c->lv_read = lv_read_cb;
    c->objids = objids_cb;
    c->ctx = db;
}

bj_cat_db *bj_db_ddl(bj_db *db)
{
    return db->catw ? &db->cdb : NULL;
}

JET_ERR bj_db_write_open(bj_db *db, bj_inst *inst)
{
    JET_ERR err = JET_errSuccess;
    if (!db->fDdlInit) {
        bj_mutex_init(&db->ddl);
        bj_mutex_init(&db->catlock);
        bj_rwlock_init(&db->schemalock);
        db->fDdlInit = true;
    }
    db->objidLast = db->hdr.objidLast;
    for (uint32_t i = 0; i < db->cat->ctbl; i++) { /* never below an objid in use */
        const bj_cat_table *t = db->cat->rgtbl[i];
        db->objidLast = BJ_MAX(db->objidLast, BJ_MAX(t->objid, t->objidLV));
        for (uint32_t j = 0; j < t->cidx; j++)
            db->objidLast = BJ_MAX(db->objidLast, t->rgidx[j].objid);
    }
    if (!db->sdb)
        CALL(bj_space_db_open(&db->dbc, db->file,
                              (uint32_t)bj_param_int(inst, JET_paramDbExtensionSize), &db->sdb));
    /* a catalog without the Name/RootObjects indexes (older files, hand-built fixtures) takes
     * record writes but no DDL (bj_db_ddl: NULL) */
    err = bj_cat_writer_open(&db->dbc, db->sdb, db->cat, &db->catw);
    if (err == JET_errCatalogCorrupted)
        err = JET_errSuccess;
    CALL(err);
    cdb_init(db);
    db->hdr.dbstate = BJ_DBSTATE_DIRTY_SHUTDOWN;
    bj_logtime_now(&db->hdr.logtimeAttach);
    CALL(bj_db_write_header(db));
fail:
    return err;
}

JET_ERR bj_db_write_close(bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_writer_close(db->catw);
    db->catw = NULL;
    CALL(bj_buf_flush_db(db->bdb));
    CALL(bj_file_sync(db->file));
    CALL(bj_ilog_db_detaching(db)); /* DETACH logged: lgposConsistent */
    db->hdr.dbstate = BJ_DBSTATE_CLEAN_SHUTDOWN;
    bj_logtime_now(&db->hdr.logtimeDetach);
    CALL(bj_db_write_header(db));
fail:
    bj_space_db_close(db->sdb);
    db->sdb = NULL;
    return err;
}

static bj_dbtable *dbtable(bj_inst *inst)
{
    bj_mutex_lock(&inst->lock);
    if (!inst->dbs) {
        bj_dbtable *t = bj_calloc(1, sizeof(*t));
        if (t) {
            bj_mutex_init(&t->lock);
            inst->dbs = t;
        }
    }
    bj_dbtable *t = inst->dbs;
    bj_mutex_unlock(&inst->lock);
    return t;
}

static void created_free(bj_db *db, bool fDelete, bj_os *os)
{
    if (!db)
        return;
    if (db->dbc.log)
        (void)bj_ilog_db_detaching(db); /* stops logging it (a failed create) */
    bj_tbl_db_close(db->tdb);
    bj_cat_writer_close(db->catw);
    bj_space_db_close(db->sdb);
    bj_cat_release(db->cat);
    for (uint32_t i = 0; i < db->ccatOld; i++)
        bj_cat_release(db->rgcatOld[i]);
    bj_free(db->rgcatOld);
    if (db->bdb)
        bj_buf_db_detach(db->bdb, true);
    if (db->file)
        bj_file_close(db->file);
    if (fDelete)
        (void)bj_os_remove(os, db->path);
    bj_db_ddl_free(db);
    if (db->fDdlInit) {
        bj_mutex_destroy(&db->ddl);
        bj_mutex_destroy(&db->catlock);
        bj_rwlock_destroy(&db->schemalock);
    }
    bj_free(db);
}

/* A zeroed database with its DDL and catalog mutexes (NULL: out of memory). */
static bj_db *db_alloc(void)
{
    bj_db *db = bj_calloc(1, sizeof(*db));
    if (db) {
        bj_mutex_init(&db->ddl);
        bj_mutex_init(&db->catlock);
        bj_rwlock_init(&db->schemalock);
        db->fDdlInit = true;
    }
    return db;
}

/* Creates, lays out and catalogs the file db->path (already absolute) for slot; the database
 * is writable, DirtyShutdown on disk, in no table. */
static JET_ERR db_make(bj_inst *inst, bj_db *db, int slot, bool *pfCreated)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_file_open(inst->os, db->path, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE | BJ_OPEN_LOCK,
                      &db->file));
    *pfCreated = true;
    db->cbPage = bj_param_page_size();
    if (!inst->buf || bj_buf_page_size(inst->buf) != db->cbPage)
        ERR(JET_errPageSizeMismatch);
    CALL(bj_buf_db_attach(inst->buf, db->file, false, &db->bdb));
    bj_bt_dbctx_init(&db->dbc, db->bdb, db->cbPage, 0);
    CALL(bj_space_db_open(&db->dbc, db->file,
                          (uint32_t)bj_param_int(inst, JET_paramDbExtensionSize), &db->sdb));
    CALL(bj_space_create_db(db->sdb, 0));
    CALL(bj_cat_create(&db->dbc, db->sdb, &db->cat));
    CALL(bj_cat_writer_open(&db->dbc, db->sdb, db->cat, &db->catw));
    /* the header */
    bj_dbhdr *h = &db->hdr;
    memset(h, 0, sizeof(*h));
    h->magic = BJ_DBH_MAGIC;
    h->version = BJ_DBH_VERSION;
    h->updateMajor = DB_UPDATE_MAJOR;
    h->updateMinor = 0;
    h->createVersion = BJ_DBH_VERSION;
    h->createUpdate = DB_UPDATE_MAJOR;
    h->cbPageSize = db->cbPage;
    h->dbid = (uint32_t)slot + 1;
    h->signDb.random = bj_os_random32();
    bj_logtime_now(&h->signDb.created);
    bj_os_computer_name(h->signDb.computer, sizeof(h->signDb.computer));
    h->logtimeAttach = h->signDb.created;
    h->filetype = 1;
    db->objidLast = BJ_OBJID_MSO_ROOTOBJ;
    h->objidLast = db->objidLast;
    h->dbstate = BJ_DBSTATE_JUST_CREATED;
    /* every page of the layout first, then the header saying attached (dirty) */
    CALL(bj_buf_flush_db(db->bdb));
    h->dbstate = BJ_DBSTATE_DIRTY_SHUTDOWN;
    CALL(bj_db_write_header(db));
    CALL(bj_file_size(db->file, &db->cbFile));
    db->dbid = (JET_DBID)slot;
    db->ver = inst->ver;
    cdb_init(db);
    CALL(bj_tbl_db_open(&db->dbc, db->sdb, inst->ver, (uint32_t)slot, &db->tdb));
    bj_tbl_db_set_ddl(db->tdb, bj_db_ddl(db));
fail:
    return err;
}

JET_ERR bj_db_create_private(bj_inst *inst, const char *szFile, uint32_t dbid, bj_db **pdb)
{
    JET_ERR err = JET_errSuccess;
    bool fCreated = false;
    bj_db *db = db_alloc();
    *pdb = NULL;
    if (!db)
        ERR(JET_errOutOfMemory);
    CALL(bj_path_absolute(db->path, sizeof(db->path), szFile));
    CALL(db_make(inst, db, (int)dbid, &fCreated));
    *pdb = db;
    db = NULL;
fail:
    created_free(db, fCreated, inst->os);
    return err;
}

void bj_db_free_private(bj_db *db, bool fDelete, bj_os *os)
{
    created_free(db, fDelete, os);
}

JET_ERR bj_db_create(bj_sess *sess, const char *szFile, uint32_t cpgMax, JET_GRBIT grbit,
                     JET_DBID *pdbid)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = sess->inst;
    bj_db *db = NULL;
    bj_dbtable *tab = NULL;
    bool fLocked = false, fCreated = false;
    (void)cpgMax;
    if (!szFile || !szFile[0])
        ERR(JET_errInvalidParameter);
    tab = dbtable(inst);
    if (!tab)
        ERR(JET_errOutOfMemory);
    db = db_alloc();
    if (!db)
        ERR(JET_errOutOfMemory);
    CALL(bj_path_absolute(db->path, sizeof(db->path), szFile));
    bj_mutex_lock(&tab->lock);
    fLocked = true;
    int slot = -1;
    for (int i = 0; i < BJ_DB_MAX; i++) {
        if (tab->rgdb[i] && strcmp(tab->rgdb[i]->path, db->path) == 0)
            ERR(JET_errDatabaseDuplicate); /* attached: ESE's FMP lookup */
        if (!tab->rgdb[i] && slot < 0)
            slot = i;
    }
    if (slot < 0)
        ERR(JET_errTooManyAttachedDatabases);
    bool fExists = false, fDir = false;
    CALL(bj_os_stat(inst->os, db->path, &fExists, &fDir, NULL));
    if (fExists && (fDir || !(grbit & JET_bitDbOverwriteExisting)))
        ERR(JET_errDatabaseDuplicate);
    CALL(db_make(inst, db, slot, &fCreated));
    CALL(bj_ilog_db_attached(inst, db)); /* logged from here on (not the temporary one) */
    CALL(bj_db_sysobj_create(db));       /* user databases only: not the temporary one */
    tab->rgdb[slot] = db;
    bj_mutex_unlock(&tab->lock);
    fLocked = false;
    db = NULL;
    CALL(bj_db_open(sess, szFile, 0, pdbid));
fail:
    if (fLocked)
        bj_mutex_unlock(&tab->lock);
    created_free(db, fCreated, inst->os);
    return err;
}
