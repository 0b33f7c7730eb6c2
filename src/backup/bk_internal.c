/* bk_internal.c: JetBackupInstance, the engine-driven backup to a folder (ese-backup-spec.md
 * §2.11), built on the same context and calls as the external backup: Begin, every database
 * streamed to <folder>/<name> (256 pages per read) with a zero-length <dbbase>.pat next to it,
 * the logs of GetLogInfo copied, TruncateLog, End (Normal on success, Abort on error).
 *
 * Folders: non-atomic: a full backup needs an empty folder (JET_errBackupDirectoryNotEmpty),
 * an incremental adds its logs next to the previous full (no new/ or old/ entries allowed).
 * JET_bitBackupAtomic: an existing new/ becomes old/ (old/ deleted first); a full writes into
 * temp/, then temp/ becomes new/ and old/ is deleted; an incremental writes into old/. A stale
 * temp/ is always removed first. NULL or "" path: logs are truncated only (up to the
 * checkpoint; nothing with circular logging), no header update.
 * Status: (JET_snpBackup, JET_sntBegin), JET_sntProgress with JET_SNPROG cunitTotal 100, then
 * JET_sntComplete; a callback's error aborts the backup and is returned.
 */
#include <stdio.h>

#include "backup/bk_int.h"

#define BK_IO_PAGES 256u

typedef struct bk_job {
    bj_backup *bk;
    JET_PFNSTATUS pfn;
    uint64_t cbTotal, cbDone;
    uint32_t pctLast;
} bk_job;

static JET_ERR status(bk_job *j, JET_SNT snt, uint32_t done)
{
    if (!j->pfn)
        return JET_errSuccess;
    JET_SNPROG p = {sizeof(JET_SNPROG), done, 100};
    return j->pfn(0, JET_snpBackup, snt, &p);
}

static JET_ERR progress(bk_job *j, uint64_t cb)
{
    j->cbDone += cb;
    uint32_t pct = j->cbTotal ? (uint32_t)(j->cbDone * 99 / j->cbTotal) : 0;
    if (pct > 99)
        pct = 99;
    if (pct <= j->pctLast)
        return JET_errSuccess;
    j->pctLast = pct;
    return status(j, JET_sntProgress, pct);
}

typedef struct dir_scan {
    bj_os *os;
    const char *dir;
    uint32_t n;
    JET_ERR err;
    bool fDelete;
} dir_scan;

static void scan_entry(void *ctx, const char *name, bool is_dir)
{
    dir_scan *d = ctx;
    d->n++;
    if (!d->fDelete || d->err < 0)
        return;
    char p[BJ_PATH_MAX];
    JET_ERR e = bj_path_join(p, sizeof(p), d->dir, name);
    if (e >= 0)
        e = is_dir ? bj_os_rmdir(d->os, p) : bj_os_remove(d->os, p);
    if (e < 0)
        d->err = e;
}

/* Number of entries in dir (0 when missing). */
static JET_ERR dir_count(bj_os *os, const char *dir, uint32_t *pn)
{
    bool exists = false, isdir = false;
    *pn = 0;
    JET_ERR err = bj_os_stat(os, dir, &exists, &isdir, NULL);
    if (err < 0 || !exists)
        return err;
    dir_scan d = {os, dir, 0, JET_errSuccess, false};
    err = bj_os_list_dir(os, dir, scan_entry, &d);
    *pn = d.n;
    return err;
}

/* Deletes dir and the files in it (one level); missing: success. */
static JET_ERR dir_remove(bj_os *os, const char *dir)
{
    JET_ERR err = JET_errSuccess;
    bool exists = false;
    CALL(bj_os_stat(os, dir, &exists, NULL, NULL));
    if (!exists)
        goto fail;
    dir_scan d = {os, dir, 0, JET_errSuccess, true};
    CALL(bj_os_list_dir(os, dir, scan_entry, &d));
    if (d.err < 0)
        ERR(JET_errDeleteBackupFileFail);
    if (bj_os_rmdir(os, dir) < 0)
        ERR(JET_errDeleteBackupFileFail);
fail:
    return err;
}

/* Streams the backup file szSrc (a database or a log) to szDst through Open/Read/Close. */
static JET_ERR copy_one(bk_job *j, const char *szSrc, const char *szDst, uint8_t *buf,
                        uint32_t cbBuf)
{
    JET_ERR err = JET_errSuccess;
    bj_backup *bk = j->bk;
    JET_HANDLE h = 0;
    bool fOpen = false;
    bj_file *out = NULL;
    uint32_t lo = 0, hi = 0;
    CALL(bj_bk_open_file(bk, szSrc, 0, &h, &lo, &hi));
    fOpen = true;
    CALL(bj_file_open(bk->inst->os, szDst, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &out));
    uint64_t ib = 0;
    for (;;) {
        uint32_t cb = 0;
        CALL(bj_bk_read_file(bk, h, buf, cbBuf, &cb));
        if (cb == 0)
            break;
        CALL(bj_file_write(out, ib, buf, cb));
        ib += cb;
        CALL(progress(j, cb));
    }
    CALL(bj_file_sync(out));
fail:
    bj_file_close(out);
    if (fOpen)
        (void)bj_bk_close_file(bk, h); /* after a database read error it is closed already */
    return err;
}

/* <dir>/<name of path without its extension>.pat, zero length. */
static JET_ERR make_patch(bj_os *os, const char *dir, const char *dbpath)
{
    JET_ERR err = JET_errSuccess;
    char name[BJ_PATH_MAX], p[BJ_PATH_MAX];
    bj_file *f = NULL;
    snprintf(name, sizeof(name), "%s", bj_path_name(dbpath));
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = 0;
    if (strlen(name) + 5 > sizeof(name))
        ERR(JET_errInvalidPath);
    strcat(name, ".pat");
    CALL(bj_path_join(p, sizeof(p), dir, name));
    CALL(bj_file_open(os, p, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &f));
    CALL(bj_file_sync(f));
fail:
    bj_file_close(f);
    return err;
}

/* The backup proper into folder dir (Begin already done). */
static JET_ERR run(bk_job *j, const char *dir)
{
    JET_ERR err = JET_errSuccess;
    bj_backup *bk = j->bk;
    bj_os *os = bk->inst->os;
    char *logs = NULL;
    char dst[BJ_PATH_MAX];
    const uint32_t cbBuf = BK_IO_PAGES * bk->cbPage;
    uint8_t *buf = bj_alloc_aligned(cbBuf);
    if (!buf)
        ERR(JET_errOutOfMemory);
    CALL(status(j, JET_sntBegin, 0));
    if (bk->full) {
        for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
            bj_db *db = bk_db(bk, i);
            uint64_t cb = 0;
            if (db && bj_file_size(db->file, &cb) >= 0)
                j->cbTotal += cb + 3ull * bk->cbPage;
        }
        for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
            bj_db *db = bk_db(bk, i);
            if (!db)
                continue;
            CALL(bj_path_join(dst, sizeof(dst), dir, bj_path_name(db->path)));
            CALL(copy_one(j, db->path, dst, buf, cbBuf));
            CALL(make_patch(os, dir, db->path));
        }
    }
    uint32_t cb = 0;
    CALL(bj_bk_log_info(bk, NULL, 0, &cb, NULL));
    logs = bj_malloc(cb);
    if (!logs)
        ERR(JET_errOutOfMemory);
    CALL(bj_bk_log_info(bk, logs, cb, &cb, NULL));
    j->cbTotal += (uint64_t)(bk->copyMac - bk->copyMic) *
                  bj_param_int(bk->inst, JET_paramLogFileSize) * 1024u;
    for (const char *p = logs; *p; p += strlen(p) + 1) {
        CALL(bj_path_join(dst, sizeof(dst), dir, bj_path_name(p)));
        CALL(copy_one(j, p, dst, buf, cbBuf));
    }
    CALL(bj_os_sync_dir(os, dir));
    CALL(bj_bk_truncate(bk));
fail:
    bj_free(logs);
    bj_free_aligned(buf);
    return err;
}

/* NULL path: truncate the logs below the checkpoint, no backup. */
static JET_ERR truncate_only(bj_backup *bk)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_bk_begin(bk, 0));
    bj_mutex_lock(&bk->mu);
    if (!bj_param_int(bk->inst, JET_paramCircularLog)) {
        uint32_t genChk = 0;
        err = bk_checkpoint_gen(bk, &genChk);
        if (err >= 0) {
            bk->deleteMic = 1;
            bk->deleteMac = genChk;
            err = bk_delete_logs(bk);
        }
    }
    bj_mutex_unlock(&bk->mu);
    (void)bj_bk_end(bk, JET_bitBackupEndAbort);
fail:
    return err;
}

JET_ERR bj_bk_backup_to(bj_backup *bk, const char *szPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus)
{
    JET_ERR err = JET_errSuccess;
    bj_os *os = bk->inst->os;
    const bool fInc = (grbit & JET_bitBackupIncremental) != 0;
    const bool fAtomic = (grbit & JET_bitBackupAtomic) != 0;
    char dir[BJ_PATH_MAX], tmp[BJ_PATH_MAX], dnew[BJ_PATH_MAX], dold[BJ_PATH_MAX];
    bool fBegun = false;
    bk_job j = {bk, pfnStatus, 0, 0, 0};
    /* the checks of §2.11 before any folder is touched */
    if (atomic_load(&bk->inst->term_in_progress))
        ERR(JET_errBackupNotAllowedYet);
    if (!bj_ilog_enabled(bk->inst) || !bj_ilog_log(bk->inst))
        ERR(JET_errLoggingDisabled);
    if (bj_log_error(bj_ilog_log(bk->inst)) < 0)
        ERR(JET_errLogWriteFail);
    if (fInc && bj_param_int(bk->inst, JET_paramCircularLog))
        ERR(JET_errInvalidBackup);
    if (!szPath || !szPath[0])
        return truncate_only(bk);
    if (strlen(szPath) >= BJ_PATH_MAX - 16)
        ERR(JET_errInvalidPath);
    CALL(bj_path_absolute(dir, sizeof(dir), szPath));
    CALL(bj_path_ensure_dir(os, dir, bj_param_int(bk->inst, JET_paramCreatePathIfNotExist) != 0));
    CALL(bj_path_join(tmp, sizeof(tmp), dir, "temp"));
    CALL(bj_path_join(dnew, sizeof(dnew), dir, "new"));
    CALL(bj_path_join(dold, sizeof(dold), dir, "old"));
    CALL(dir_remove(os, tmp));
    const char *target = dir;
    if (!fAtomic) {
        uint32_t n = 0, nNew = 0, nOld = 0;
        bool eNew = false, eOld = false;
        CALL(dir_count(os, dir, &n));
        CALL(bj_os_stat(os, dnew, &eNew, NULL, NULL));
        CALL(bj_os_stat(os, dold, &eOld, NULL, NULL));
        (void)nNew, (void)nOld;
        if (!fInc && n != 0)
            ERR(JET_errBackupDirectoryNotEmpty);
        if (fInc && (eNew || eOld))
            ERR(JET_errBackupDirectoryNotEmpty);
    } else {
        bool eNew = false;
        CALL(bj_os_stat(os, dnew, &eNew, NULL, NULL));
        if (eNew) {
            CALL(dir_remove(os, dold));
            if (bj_os_rename(os, dnew, dold) < 0)
                ERR(JET_errMakeBackupDirectoryFail);
        }
        if (!fInc) {
            if (bj_os_mkdir(os, tmp) < 0)
                ERR(JET_errMakeBackupDirectoryFail);
            target = tmp;
        } else {
            target = dold;
        }
    }
    CALL(bj_bk_begin(bk, fInc ? JET_bitBackupIncremental : 0));
    fBegun = true;
    CALL(run(&j, target));
    CALL(bj_bk_end(bk, JET_bitBackupEndNormal));
    fBegun = false;
    if (fAtomic && !fInc) {
        if (bj_os_rename(os, tmp, dnew) < 0)
            ERR(JET_errMakeBackupDirectoryFail);
        CALL(dir_remove(os, dold));
    }
    CALL(status(&j, JET_sntComplete, 100));
fail:
    if (fBegun)
        (void)bj_bk_end(bk, JET_bitBackupEndAbort);
    return err;
}
