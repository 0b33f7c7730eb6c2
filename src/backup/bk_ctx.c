/* bk_ctx.c: the per-instance backup state machine (ese-backup-spec.md §2.1-§2.10, §3): Begin,
 * GetAttachInfo, OpenFile / ReadFile / CloseFile dispatch, GetLogInfo, GetTruncateLogInfo,
 * TruncateLog, End, Stop, and the "session ends" rules of the out-of-order table (§3.3).
 *
 * Invariants: active == false means every other field is reset (state NotStarted, no open
 * file, no keep-from limit on the log). At most one open file (bk->file.kind != NONE); its
 * handle value is never reused within a context. Databases cannot be attached or detached while
 * active (db_attach.c asks bj_bk_active under the database table lock, which Begin takes to set
 * active), so bk_db's answers stay valid for the whole backup.
 * Locks: see bk_int.h.
 */
#include <strings.h>
#include <time.h>

#include "backup/bk_int.h"

JET_ERR bj_bk_new(bj_inst *inst, bj_backup **pbk)
{
    bj_backup *bk = bj_calloc(1, sizeof(*bk));
    if (!bk)
        return BJ_ERR(JET_errOutOfMemory);
    bk->inst = inst;
    bj_mutex_init(&bk->mu);
    bk->hNext = 0x4b420000u; /* handles: any non-zero value; a fresh one per open */
    *pbk = bk;
    return JET_errSuccess;
}

void bj_bk_free(bj_backup *bk)
{
    if (!bk)
        return;
    bj_bk_abort(bk);
    bj_mutex_destroy(&bk->mu);
    bj_free(bk);
}

bool bj_bk_active(bj_backup *bk)
{
    return bk && atomic_load(&bk->active);
}

void bj_bk_abort(bj_backup *bk)
{
    if (!bk)
        return;
    bj_mutex_lock(&bk->mu);
    if (atomic_load(&bk->active))
        bk_end_session(bk);
    atomic_store(&bk->stop, false);
    bj_mutex_unlock(&bk->mu);
}

void bj_bk_stop(bj_backup *bk)
{
    if (bk)
        atomic_store(&bk->stop, true);
}

static void file_close(bj_backup *bk)
{
    bk_file *f = &bk->file;
    bj_file_close(f->f);
    bj_free_aligned(f->hdrPage);
    memset(f, 0, sizeof(*f));
}

void bk_end_session(bj_backup *bk)
{
    file_close(bk);
    bj_log *log = bj_ilog_log(bk->inst);
    if (log)
        bj_log_set_keep_from(log, 0);
    bj_free(bk->logRead);
    bk->logRead = NULL;
    bk->state = BK_NOT_STARTED;
    bk->full = bk->prepared = bk->truncated = false;
    bk->copyMic = bk->copyMac = bk->deleteMic = bk->deleteMac = 0;
    memset(&bk->mark, 0, sizeof(bk->mark));
    memset(&bk->markTime, 0, sizeof(bk->markTime));
    memset(bk->dbIn, 0, sizeof(bk->dbIn));
    memset(bk->dbDone, 0, sizeof(bk->dbDone));
    atomic_store(&bk->active, false);
}

bj_db *bk_db(bj_backup *bk, uint32_t dbid)
{
    bj_dbtable *tab = bk->inst->dbs;
    if (!tab || dbid >= BJ_DB_MAX)
        return NULL;
    bj_db *db = tab->rgdb[dbid];
    if (!db || db->fReadOnly || !db->dbc.log)
        return NULL;
    return db;
}

void bk_out_multi(const char *src, uint32_t cb, char *szz, uint32_t cbMax, uint32_t *pcbActual,
                  bool fActualFull)
{
    const uint32_t n = szz ? BJ_MIN(cbMax, cb) : 0;
    if (n)
        memcpy(szz, src, n);
    if (pcbActual)
        *pcbActual = (fActualFull || !szz) ? cb : n;
}

/* The common checks of a backup call (§3.3): no backup, stop requested. */
static JET_ERR check_running(bj_backup *bk, bool fStop)
{
    if (!atomic_load(&bk->active))
        return BJ_ERR(JET_errNoBackup);
    if (fStop && atomic_load(&bk->stop))
        return BJ_ERR(JET_errBackupAbortByServer);
    return JET_errSuccess;
}

JET_ERR bj_bk_begin(bj_backup *bk, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = bk->inst;
    bj_log *log = bj_ilog_log(inst);
    bool fLocked = false;
    bj_mutex_lock(&bk->mu);
    fLocked = true;
    if (atomic_load(&inst->term_in_progress) || !atomic_load(&inst->initialized))
        ERR(JET_errBackupNotAllowedYet);
    if (!bj_ilog_enabled(inst) || !log)
        ERR(JET_errLoggingDisabled);
    if (bj_log_error(log) < 0)
        ERR(JET_errLogWriteFail);
    if (grbit & ~(JET_GRBIT)JET_bitBackupIncremental)
        ERR(JET_errInvalidGrbit);
    const bool fInc = (grbit & JET_bitBackupIncremental) != 0;
    if (fInc && bj_param_int(inst, JET_paramCircularLog))
        ERR(JET_errInvalidBackup);
    if (atomic_load(&bk->active))
        ERR(JET_errBackupInProgress);

    atomic_store(&bk->stop, false);
    bk->cbPage = bj_param_page_size();
    CALL(bj_ilog_paths_abs(inst, &bk->paths));
    /* active first, then an attach or detach past its check finishes (cChanging: each sees
     * active or is counted there, sequentially consistent); no wait on the table lock, which a
     * checkpoint holds while it flushes (time to the first byte) */
    atomic_store(&bk->active, true);
    while (inst->dbs && atomic_load(&inst->dbs->cChanging) != 0) {
        struct timespec ts = {0, 200 * 1000};
        nanosleep(&ts, NULL);
    }
    bk->full = !fInc;
    if (!fInc) {
        bk->state = BK_DATABASES;
        /* circular logging keeps everything while the checkpoint generation is read */
        bj_log_set_keep_from(log, 1);
        bk->mark = bj_lsn_to_lgpos(bj_log_end(log));
        bj_logtime_now(&bk->markTime);
        err = bk_checkpoint_gen(bk, &bk->copyMic);
        if (err >= 0)
            bj_log_set_keep_from(log, bk->copyMic);
    } else {
        bk->state = BK_LOGS_AND_PATCHES;
        for (uint32_t i = 0; i < BJ_DB_MAX; i++)
            bk->dbIn[i] = bk_db(bk, i) != NULL;
        err = bk_history_check_incremental(bk);
    }
    if (err < 0) {
        bk_end_session(bk);
        goto fail;
    }
fail:
    if (fLocked)
        bj_mutex_unlock(&bk->mu);
    return err;
}

JET_ERR bj_bk_attach_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    char *list = NULL;
    bj_mutex_lock(&bk->mu);
    CALL(check_running(bk, true));
    if (!bk->full)
        ERR(JET_errInvalidBackupSequence);
    uint32_t cb = 1;
    for (uint32_t i = 0; i < BJ_DB_MAX; i++)
        if (bk_db(bk, i))
            cb += (uint32_t)strlen(bk_db(bk, i)->path) + 1;
    list = bj_malloc(cb);
    if (!list) {
        bk_end_session(bk); /* an internal failure ends the session (§2.2) */
        ERR(JET_errOutOfMemory);
    }
    uint32_t ib = 0;
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        const bj_db *db = bk_db(bk, i);
        if (!db)
            continue;
        const size_t n = strlen(db->path) + 1;
        memcpy(list + ib, db->path, n);
        ib += (uint32_t)n;
    }
    list[ib] = 0;
    bk_out_multi(list, cb, szz, cbMax, pcbActual, true);
fail:
    bj_mutex_unlock(&bk->mu);
    bj_free(list);
    return err;
}

/* Whether name ends with ".log" (any case): the log extension. */
static bool is_log_name(const char *name)
{
    const size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".log") == 0;
}

JET_ERR bj_bk_open_file(bj_backup *bk, const char *szFile, uint64_t ibRead, JET_HANDLE *ph,
                        uint32_t *pcbLow, uint32_t *pcbHigh)
{
    JET_ERR err = JET_errSuccess;
    char path[BJ_PATH_MAX];
    bj_mutex_lock(&bk->mu);
    CALL(check_running(bk, true));
    if (!szFile || !szFile[0] || !ph)
        ERR(JET_errInvalidParameter);
    if (bk->file.kind != BK_FILE_NONE)
        ERR(JET_errOutOfMemory); /* ESE's handle table has one slot */
    /* a resumed read: whole pages, and (ESE's PgnoOfOffset) not before data page 2 */
    if (ibRead % bk->cbPage || (ibRead && ibRead / bk->cbPage < 3))
        ERR(JET_errInvalidParameter);
    CALL(bj_path_absolute(path, sizeof(path), szFile));
    bj_db *db = NULL;
    bool fAttached = false;
    for (uint32_t i = 0; i < BJ_DB_MAX && bk->inst->dbs; i++) {
        bj_db *d = bk->inst->dbs->rgdb[i];
        if (d && strcmp(d->path, path) == 0) {
            fAttached = true;
            db = bk_db(bk, i);
        }
    }
    if (fAttached) {
        if (!bk->full || bk->state != BK_DATABASES) {
            bk_end_session(bk);
            ERR(JET_errInvalidBackupSequence);
        }
        if (!db)
            ERR(JET_errDatabaseNotFound); /* read-only attach: not part of a backup */
        CALL(bk_db_open(bk, db));
        bk->dbIn[db->dbid] = true;
    } else if (bk->state == BK_DATABASES) {
        ERR(JET_errDatabaseNotFound);
    } else {
        uint32_t gen = 0;
        if (is_log_name(bj_path_name(path))) {
            gen = bj_log_parse_gen(bj_path_name(path), bk->paths.base);
            if (!gen)
                ERR(JET_errInvalidParameter);
        }
        err = bk_log_open(bk, path, gen);
        if (err == JET_errMissingFileToBackup)
            bk_end_session(bk);
        CALL(err);
    }
    if (ibRead > bk->file.cbTotal) {
        if (bk->file.kind == BK_FILE_DB)
            bk->dbIn[bk->file.db->dbid] = false;
        file_close(bk);
        ERR(JET_errInvalidParameter);
    }
    bk->file.ibNext = ibRead;
    bk->file.h = ++bk->hNext;
    *ph = bk->file.h;
    if (pcbLow)
        *pcbLow = (uint32_t)bk->file.cbTotal;
    if (pcbHigh)
        *pcbHigh = (uint32_t)(bk->file.cbTotal >> 32);
fail:
    bj_mutex_unlock(&bk->mu);
    return err;
}

JET_ERR bj_bk_read_file(bj_backup *bk, JET_HANDLE h, void *pv, uint32_t cb, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbDone = 0;
    bj_mutex_lock(&bk->mu);
    CALL(check_running(bk, true));
    if (!pv || cb % bk->cbPage) /* the API checked pv's alignment (OS page) */
        ERR(JET_errInvalidParameter);
    if (bk->file.kind == BK_FILE_NONE || h != bk->file.h)
        ERR(JET_errInvalidParameter);
    if (bk->file.kind == BK_FILE_DB) {
        const uint32_t dbid = bk->file.db->dbid;
        err = bk_db_read(bk, pv, cb, &cbDone);
        if (err < 0 && err != JET_errInvalidParameter) {
            /* that database leaves the backup; the rest goes on (§2.4) */
            bk->dbIn[dbid] = false;
            bk->dbDone[dbid] = false;
            file_close(bk);
        }
    } else {
        err = bk_log_read(bk, pv, cb, &cbDone);
        if (err < 0 && err != JET_errInvalidParameter)
            bk_end_session(bk);
    }
fail:
    if (pcbActual)
        *pcbActual = err < 0 ? 0 : cbDone;
    bj_mutex_unlock(&bk->mu);
    return err;
}

JET_ERR bj_bk_close_file(bj_backup *bk, JET_HANDLE h)
{
    JET_ERR err = JET_errSuccess;
    bj_mutex_lock(&bk->mu);
    CALL(check_running(bk, false));
    if (bk->file.kind == BK_FILE_NONE || h != bk->file.h)
        ERR(JET_errInvalidParameter);
    const bool fAll = bk->file.ibNext >= bk->file.cbTotal;
    if (bk->file.kind == BK_FILE_DB && fAll)
        bk->dbDone[bk->file.db->dbid] = true;
    if (bk->file.kind == BK_FILE_LOG && fAll && bk->logRead && bk->file.gen >= bk->copyMic &&
        bk->file.gen < bk->copyMac)
        bk->logRead[bk->file.gen - bk->copyMic] = 1;
    file_close(bk);
fail:
    bj_mutex_unlock(&bk->mu);
    return err;
}

/* The checks of GetLogInfo / GetTruncateLogInfo / TruncateLog, then prepare when not done. */
static JET_ERR logs_ready(bj_backup *bk, bool fPrepare)
{
    JET_ERR err = JET_errSuccess;
    CALL(check_running(bk, true));
    if (bk->file.kind != BK_FILE_NONE)
        ERR(JET_errInvalidBackupSequence);
    if (!bk->prepared && fPrepare) {
        err = bk_prepare_logs(bk);
        if (err < 0) {
            bk_end_session(bk); /* §2.6 NOTE: an unusable session is ended */
            goto fail;
        }
    }
fail:
    return err;
}

JET_ERR bj_bk_log_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual,
                       JET_LOGINFO *pLogInfo)
{
    JET_ERR err = JET_errSuccess;
    char *list = NULL;
    uint32_t cb = 0;
    bj_mutex_lock(&bk->mu);
    if (pLogInfo && pLogInfo->cbSize != sizeof(JET_LOGINFO) && atomic_load(&bk->active))
        ERR(JET_errInvalidParameter);
    CALL(logs_ready(bk, true));
    bk->state = BK_LOGS_AND_PATCHES;
    err = bk_log_list(bk, bk->copyMic, bk->copyMac, &list, &cb);
    if (err < 0) {
        bk_end_session(bk);
        goto fail;
    }
    bk_out_multi(list, cb, szz, cbMax, pcbActual, false);
    if (pLogInfo) {
        pLogInfo->ulGenLow = bk->copyMic;
        pLogInfo->ulGenHigh = bk->copyMac - 1;
        memset(pLogInfo->szBaseName, 0, sizeof(pLogInfo->szBaseName));
        memcpy(pLogInfo->szBaseName, bk->paths.base,
               BJ_MIN(strlen(bk->paths.base), (size_t)JET_BASE_NAME_LENGTH));
    }
fail:
    bj_mutex_unlock(&bk->mu);
    bj_free(list);
    return err;
}

JET_ERR bj_bk_truncate_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    char *list = NULL;
    uint32_t cb = 0;
    bj_mutex_lock(&bk->mu);
    CALL(logs_ready(bk, true));
    bk->state = BK_LOGS_AND_PATCHES;
    err = bk_log_list(bk, bk->deleteMic, bk->deleteMac, &list, &cb);
    if (err < 0) {
        bk_end_session(bk);
        goto fail;
    }
    bk_out_multi(list, cb, szz, cbMax, pcbActual, false);
fail:
    bj_mutex_unlock(&bk->mu);
    bj_free(list);
    return err;
}

JET_ERR bj_bk_truncate(bj_backup *bk)
{
    JET_ERR err = JET_errSuccess;
    bj_mutex_lock(&bk->mu);
    CALL(logs_ready(bk, false));
    if (!bk->prepared || bk->copyMic == 0 || bk->copyMac == 0)
        ERR(JET_errInvalidBackupSequence);
    for (uint32_t g = bk->copyMic; g < bk->copyMac; g++)
        if (!bk->logRead[g - bk->copyMic])
            ERR(JET_errLogFileNotCopied);
    bk->state = BK_LOGS_AND_PATCHES;
    CALL(bk_delete_logs(bk));
    bk->truncated = true;
fail:
    bj_mutex_unlock(&bk->mu);
    return err;
}

JET_ERR bj_bk_end(bj_backup *bk, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    const JET_GRBIT end = grbit & (JET_bitBackupEndNormal | JET_bitBackupEndAbort);
    if (end != JET_bitBackupEndNormal && end != JET_bitBackupEndAbort)
        return BJ_ERR(JET_errInvalidParameter);
    bj_mutex_lock(&bk->mu);
    CALL(check_running(bk, false));
    /* prepared: an incremental ended before GetLogInfo has no log range to record */
    if (end == JET_bitBackupEndNormal && !atomic_load(&bk->stop) && bk->prepared &&
        bk->state != BK_DATABASES && !(grbit & JET_bitBackupNoDbHeaderUpdate))
        (void)bk_history_update(bk, bk->truncated || (grbit & JET_bitBackupTruncateDone));
    bk_end_session(bk);
fail:
    bj_mutex_unlock(&bk->mu);
    return err;
}
