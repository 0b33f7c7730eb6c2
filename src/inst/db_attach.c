/* db_attach.c: attach / detach / open / close of databases (read path; see db.h).
 * An attached database owns: its file (opened with an advisory lock, shared when read-only),
 * its place in the instance's buffer cache, the B-tree context, its loaded catalog and the
 * shared state of its table cursors (tbl_write.h).
 * Header rules (ESE's ErrDBReadHeaderCheckConsistency, dbhdr.c): the page size must equal
 * JET_paramDatabasePageSize (JET_errPageSizeMismatch); dbstate 2 (dirty shutdown) is
 * JET_errDatabaseDirtyShutdown; only a clean (3) or just-created (1) database is attached.
 */
#include "backup/backup.h"
#include "buf/buf.h"
#include "inst/db.h"
#include "inst/inst_log.h"
#include "space/space.h"
#include "page/page.h"
#include "tbl/tbl_write.h"

#define DB_STATE_JUST_CREATED 1
#define DB_STATE_DIRTY 2
#define DB_STATE_CLEAN 3

static bj_dbtable *table_of(bj_inst *inst, bool create)
{
    bj_mutex_lock(&inst->lock);
    if (!inst->dbs && create) {
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

JET_ERR bj_db_read_header(bj_os *os, const char *szFile, bj_dbhdr *phdr, uint32_t *pcbPage,
                          uint64_t *pcbFile)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    uint8_t *buf = NULL;
    size_t cbRead = 0;
    bool shadow;
    CALL(bj_file_open(os, szFile, BJ_OPEN_READONLY, &f));
    CALL(bj_file_size(f, pcbFile));
    buf = bj_malloc(2 * 32768);
    if (!buf)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_read(f, 0, buf, 2 * 32768, &cbRead));
    CALL(bj_dbhdr_choose(buf, cbRead, pcbPage, phdr, &shadow));
fail:
    bj_free(buf);
    if (f)
        bj_file_close(f);
    return err;
}

/* Frees an attached database: a writable one is flushed and marked CleanShutdown first
 * (bj_db_write_close; its error is returned: the file stays DirtyShutdown), unless fDirty
 * (JetTerm2 with JET_bitTermDirty: the cache is dropped, the header left as it is). */
static JET_ERR db_free(bj_db *db, bool fDirty)
{
    JET_ERR err = JET_errSuccess;
    if (!db)
        return JET_errSuccess;
    bj_tbl_db_close(db->tdb); /* shared trees first */
    if (db->sdb && !fDirty)
        err = bj_db_write_close(db); /* flush, sync, CleanShutdown header; closes sdb */
    else if (db->sdb) {
        if (db->dbc.log)
            bj_ilog_db_forget(db);
        bj_cat_writer_close(db->catw);
        db->catw = NULL;
        bj_space_db_close(db->sdb);
        db->sdb = NULL;
    }
    for (uint32_t i = 0; i < db->ccatOld; i++)
        bj_cat_release(db->rgcatOld[i]);
    bj_free(db->rgcatOld);
    bj_db_ddl_free(db);
    if (db->fDdlInit) {
        bj_mutex_destroy(&db->ddl);
        bj_mutex_destroy(&db->catlock);
        bj_rwlock_destroy(&db->schemalock);
    }
    bj_cat_release(db->cat);
    if (db->bdb)
        bj_buf_db_detach(db->bdb, true); /* flushed above (writable) or clean (read-only) */
    if (db->file)
        bj_file_close(db->file);
    bj_free(db);
    return err;
}

JET_ERR bj_db_attach(bj_inst *inst, const char *szFile, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_db *db = NULL;
    bj_dbtable *tab = NULL;
    uint8_t *hdrbuf = NULL;
    bool fLocked = false;
    if (!szFile || !szFile[0])
        ERR(JET_errInvalidParameter);
    tab = table_of(inst, true);
    if (!tab)
        ERR(JET_errOutOfMemory);
    db = bj_calloc(1, sizeof(*db));
    if (!db)
        ERR(JET_errOutOfMemory);
    CALL(bj_path_absolute(db->path, sizeof(db->path), szFile));
    bj_mutex_lock(&tab->lock);
    fLocked = true;
    /* ESE: no attach while a backup runs (§3.4); a Begin meanwhile waits for cChanging */
    atomic_fetch_add(&tab->cChanging, 1);
    if (bj_bk_active(inst->backup))
        ERR(JET_errBackupInProgress);
    int slot = -1;
    for (int i = 0; i < BJ_DB_MAX; i++) {
        if (tab->rgdb[i] && strcmp(tab->rgdb[i]->path, db->path) == 0) {
            err = JET_wrnDatabaseAttached;
            goto fail;
        }
        if (!tab->rgdb[i] && slot < 0)
            slot = i;
    }
    if (slot < 0)
        ERR(JET_errTooManyAttachedDatabases);
    db->fReadOnly = grbit & JET_bitDbReadOnly;
    CALL(bj_file_open(inst->os, db->path, BJ_OPEN_LOCK | (db->fReadOnly ? BJ_OPEN_READONLY : 0u),
                      &db->file));
    CALL(bj_file_size(db->file, &db->cbFile));
    hdrbuf = bj_malloc(2 * 32768);
    if (!hdrbuf)
        ERR(JET_errOutOfMemory);
    size_t cbRead = 0;
    bool shadow;
    CALL(bj_file_read(db->file, 0, hdrbuf, 2 * 32768, &cbRead));
    CALL(bj_dbhdr_choose(hdrbuf, cbRead, &db->cbPage, &db->hdr, &shadow));
    if (db->cbPage != bj_param_page_size())
        ERR(JET_errPageSizeMismatch);
    if (db->hdr.dbstate == DB_STATE_DIRTY && !(grbit & BJ_ATTACH_RECOVERY))
        ERR(JET_errDatabaseDirtyShutdown);
    if (db->hdr.dbstate != DB_STATE_CLEAN && db->hdr.dbstate != DB_STATE_JUST_CREATED &&
        !(db->hdr.dbstate == DB_STATE_DIRTY && (grbit & BJ_ATTACH_RECOVERY)))
        ERR(JET_errDatabaseInconsistent);
    if (!inst->buf || bj_buf_page_size(inst->buf) != db->cbPage)
        ERR(JET_errPageSizeMismatch);
    CALL(bj_buf_db_attach(inst->buf, db->file, db->fReadOnly, &db->bdb));
    bj_bt_dbctx_init(&db->dbc, db->bdb, db->cbPage, db->hdr.dbtime);
    CALL(bj_cat_load(&db->dbc, &db->cat));
    db->dbid = (JET_DBID)slot;
    db->ver = inst->ver;
    if (!db->fReadOnly) {
        CALL(bj_db_write_open(db, inst));
        CALL(bj_ilog_db_attached(inst, db));
    }
    CALL(bj_tbl_db_open(&db->dbc, db->sdb, inst->ver, (uint32_t)slot, &db->tdb));
    bj_tbl_db_set_ddl(db->tdb, bj_db_ddl(db));
    tab->rgdb[slot] = db;
    db = NULL;
fail:
    if (fLocked) {
        atomic_fetch_sub(&tab->cChanging, 1);
        bj_mutex_unlock(&tab->lock);
    }
    bj_free(hdrbuf);
    (void)db_free(db, false);
    return err;
}

JET_ERR bj_db_detach(bj_inst *inst, const char *szFile, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    char path[BJ_PATH_MAX];
    (void)grbit;
    bj_dbtable *tab = table_of(inst, false);
    const bool fAll = !szFile || !szFile[0];
    if (!fAll)
        CALL(bj_path_absolute(path, sizeof(path), szFile));
    if (!tab) {
        if (!fAll)
            ERR(JET_errDatabaseNotFound);
        goto fail;
    }
    bj_mutex_lock(&tab->lock);
    /* ESE: no detach while a backup runs (§3.4); a Begin meanwhile waits for cChanging */
    atomic_fetch_add(&tab->cChanging, 1);
    if (bj_bk_active(inst->backup)) {
        atomic_fetch_sub(&tab->cChanging, 1);
        bj_mutex_unlock(&tab->lock);
        ERR(JET_errBackupInProgress);
    }
    bool found = false;
    for (int i = 0; i < BJ_DB_MAX && err >= 0; i++) {
        bj_db *db = tab->rgdb[i];
        if (!db || (!fAll && strcmp(db->path, path) != 0))
            continue;
        found = true;
        if (atomic_load(&db->cOpen) > 0) {
            err = BJ_ERR(JET_errDatabaseInUse);
            break;
        }
        tab->rgdb[i] = NULL;
        if (inst->ver)
            bj_ver_cleanup(inst->ver); /* no RCE of this database may outlive it */
        err = db_free(db, false);
    }
    atomic_fetch_sub(&tab->cChanging, 1);
    bj_mutex_unlock(&tab->lock);
    if (err >= 0 && !found && !fAll)
        err = BJ_ERR(JET_errDatabaseNotFound);
fail:
    return err;
}

void bj_db_term(bj_inst *inst, bool fDirty)
{
    bj_dbtable *tab = inst->dbs;
    if (!tab)
        return;
    for (int i = 0; i < BJ_DB_MAX; i++) {
        (void)db_free(tab->rgdb[i], fDirty);
        tab->rgdb[i] = NULL;
    }
    bj_mutex_destroy(&tab->lock);
    bj_free(tab);
    inst->dbs = NULL;
}

JET_ERR bj_db_open(bj_sess *sess, const char *szFile, JET_GRBIT grbit, JET_DBID *pdbid)
{
    JET_ERR err = JET_errSuccess;
    char path[BJ_PATH_MAX];
    (void)grbit;
    if (!szFile || !szFile[0])
        ERR(JET_errDatabaseNotFound);
    CALL(bj_path_absolute(path, sizeof(path), szFile));
    bj_dbtable *tab = table_of(sess->inst, false);
    if (!tab)
        ERR(JET_errDatabaseNotFound);
    if (!sess->open_dbs) {
        sess->open_dbs = bj_calloc(1, sizeof(bj_sess_dbs));
        if (!sess->open_dbs)
            ERR(JET_errOutOfMemory);
    }
    bj_sess_dbs *sd = sess->open_dbs;
    bj_mutex_lock(&tab->lock);
    err = BJ_ERR(JET_errDatabaseNotFound);
    for (int i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = tab->rgdb[i];
        if (db && strcmp(db->path, path) == 0) {
            atomic_fetch_add(&db->cOpen, 1);
            sd->cOpen[i]++;
            *pdbid = db->dbid;
            err = db->fReadOnly && !(grbit & JET_bitDbReadOnly) ? JET_wrnFileOpenReadOnly
                                                                : JET_errSuccess;
            break;
        }
    }
    bj_mutex_unlock(&tab->lock);
fail:
    return err;
}

JET_ERR bj_db_get(bj_sess *sess, JET_DBID dbid, bj_db **pdb)
{
    bj_sess_dbs *sd = sess->open_dbs;
    bj_dbtable *tab = sess->inst->dbs;
    *pdb = NULL;
    if (dbid >= BJ_DB_MAX || !sd || !tab || sd->cOpen[dbid] == 0 || !tab->rgdb[dbid])
        return BJ_ERR(JET_errInvalidDatabaseId);
    *pdb = tab->rgdb[dbid];
    return JET_errSuccess;
}

JET_ERR bj_db_close(bj_sess *sess, JET_DBID dbid)
{
    JET_ERR err = JET_errSuccess;
    bj_db *db;
    CALL(bj_db_get(sess, dbid, &db));
    ((bj_sess_dbs *)sess->open_dbs)->cOpen[dbid]--;
    atomic_fetch_sub(&db->cOpen, 1);
fail:
    return err;
}

void bj_db_sess_end(bj_sess *sess)
{
    bj_sess_dbs *sd = sess->open_dbs;
    bj_dbtable *tab = sess->inst->dbs;
    if (!sd)
        return;
    for (int i = 0; tab && i < BJ_DB_MAX; i++) {
        if (sd->cOpen[i] && tab->rgdb[i])
            atomic_fetch_sub(&tab->rgdb[i]->cOpen, sd->cOpen[i]);
    }
    bj_free(sd);
    sess->open_dbs = NULL;
}
