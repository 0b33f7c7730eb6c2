/* backup_restore.c: restore of a chain of backup folders into a new folder (backup_restore.h). */
#include "backup_restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "inst/restore.h"
#include "log/log.h"

static void say(char *msg, size_t cch, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t cch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cch, fmt, ap);
    va_end(ap);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static JET_ERR copy_file(const char *from, const char *to)
{
    JET_ERR err = JET_errSuccess;
    int in = open(from, O_RDONLY), out = -1;
    char *buf = malloc(1u << 20);
    if (in < 0 || !buf || (out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0) {
        err = buf ? bj_os_err_from_errno(errno) : BJ_ERR(JET_errOutOfMemory);
        goto done;
    }
    for (;;) {
        ssize_t n = read(in, buf, 1u << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                err = bj_os_err_from_errno(errno);
            break;
        }
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                err = bj_os_err_from_errno(errno);
                goto done;
            }
            w += k;
        }
    }
    if (err >= 0 && fdatasync(out) != 0)
        err = bj_os_err_from_errno(errno);
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    free(buf);
    return err;
}

/* A LOGTIME (UTC, milliseconds) from milliseconds since 1970. */
static void logtime_from_ms(int64_t ms, bj_logtime *t)
{
    time_t sec = (time_t)(ms / 1000);
    unsigned m = (unsigned)(ms % 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    t->sec = (uint8_t)tm.tm_sec;
    t->min = (uint8_t)tm.tm_min;
    t->hour = (uint8_t)tm.tm_hour;
    t->day = (uint8_t)tm.tm_mday;
    t->month = (uint8_t)(tm.tm_mon + 1);
    t->year_since_1900 = (uint8_t)tm.tm_year;
    t->filler1 = (uint8_t)(1u | ((m & 0x7fu) << 1));
    t->filler2 = (uint8_t)(((m >> 7) & 0x7u) << 1);
}

typedef struct progress_ctx {
    bj_bks_restore_progress_fn fn;
    void *ctx;
} progress_ctx;

static JET_ERR on_status(void *ctx, JET_SNT snt, uint32_t done, uint32_t total)
{
    progress_ctx *p = ctx;
    if (p->fn && snt == JET_sntProgress && total)
        p->fn(p->ctx, (uint32_t)((uint64_t)done * 100u / total));
    return JET_errSuccess;
}

JET_ERR bj_bks_restore(const char *const *dirs, uint32_t n, const char *target,
                       const bj_bks_stop *stop, bj_bks_restore_progress_fn fn, void *ctx,
                       bj_bks_restored *out, char *msg, size_t cchMsg)
{
    JET_ERR err = JET_errSuccess;
    bj_bkset *rg = calloc(n ? n : 1, sizeof(*rg));
    const char **more = calloc(n ? n : 1, sizeof(*more));
    bj_restore_map map[BJ_BKSET_DB_MAX];
    char dir[BJ_PATH_MAX];
    memset(out, 0, sizeof(*out));
    msg[0] = '\0';
    if (!rg || !more) {
        err = BJ_ERR(JET_errOutOfMemory);
        goto done;
    }
    for (uint32_t i = 0; i < n; i++)
        if ((err = bj_bkset_read(dirs[i], &rg[i], msg, cchMsg)) < 0)
            goto done;
    if (!bj_bkset_check_chain(bj_os_posix(), rg, n, &out->genLow, &out->genHigh, msg, cchMsg)) {
        err = BJ_ERR(JET_errInvalidBackup);
        goto done;
    }
    if ((err = bj_bkset_empty_dir(target, dir, sizeof dir, msg, cchMsg)) < 0)
        goto done;
    const bj_bkset *full = &rg[0];
    for (uint32_t i = 0; i < full->cdb; i++) {
        char from[BJ_PATH_MAX];
        bj_bkset_image_path(full, i, from, sizeof from);
        if ((err = bj_path_join(out->rgdb[i], BJ_PATH_MAX, dir, bj_path_name(full->rgdb[i]))) <
                0 ||
            (err = copy_file(from, out->rgdb[i])) < 0) {
            say(msg, cchMsg, "copying %s: %s", from, bj_err_name(err));
            goto done;
        }
        map[i].szFrom = full->rgdb[i];
        map[i].szTo = out->rgdb[i];
    }
    out->cdb = full->cdb;
    out->cbLogs = (uint64_t)(out->genHigh - out->genLow + 1) * full->cbLogFileKb * 1024u;
    /* the temporary restore instance takes the process's values */
    if ((err = JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, full->cbPage, NULL)) <
            0 ||
        (err = JetSetSystemParameter(NULL, 0, JET_paramLogFileSize, full->cbLogFileKb, NULL)) <
            0) {
        say(msg, cchMsg, "JetSetSystemParameter: %s", bj_err_name(err));
        goto done;
    }
    for (uint32_t i = 1; i < n; i++)
        more[i - 1] = rg[i].dir;
    progress_ctx pc = {fn, ctx};
    bj_restore_result res;
    memset(&res, 0, sizeof res);
    bj_restore_params p = {
        .szTempName = "bluejet-restore",
        .szBackupPath = full->dir,
        .rgszMoreBackupPaths = more,
        .cMoreBackupPaths = n - 1,
        .genLow = out->genLow,
        .genHigh = out->genHigh,
        .rgmap = map,
        .cmap = full->cdb,
        .szLogPath = dir,
        .szSystemPath = dir,
        .szBaseName = full->base,
        .pfnStatus = on_status,
        .ctxStatus = &pc,
        .presult = &res,
    };
    if (stop && stop->fLgpos) {
        bj_lgpos lg = {.ib = (uint16_t)stop->ib, .isec = (uint16_t)stop->isec, .gen = stop->gen};
        p.lsnStop = bj_lgpos_to_lsn(&lg);
    }
    if (stop && stop->fTime) {
        p.fTimeStop = true;
        logtime_from_ms(stop->msUtc, &p.tmStop);
    }
    const double t0 = now_sec();
    err = bj_restore_run(&p);
    out->sec = now_sec() - t0;
    out->fStopped = res.fStopped;
    out->cRecords = res.cRecords;
    out->cbReplayed = res.cbReplayed;
    if (err < 0)
        say(msg, cchMsg, "restore: %s (%d)", bj_err_name(err), (int)err);
done:
    free(more);
    free(rg);
    return err;
}
