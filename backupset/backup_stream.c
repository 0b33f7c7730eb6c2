/* backup_stream.c: an external backup of a live instance into a folder (see backup_stream.h).
 * The read buffer is aligned to the OS page (JetReadFileInstance requires it). Single-threaded.
 *
 * Write-behind (Linux): every BKS_WB_CB bytes of a file, the writeback of that window is started
 * (sync_file_range WRITE) and the window before it is waited for and dropped from the page cache
 * (it is not read again). Dirty output stays under two windows instead of the whole image: the
 * final fdatasync has little left to do, and the writers' commit fsyncs on the same file system
 * (ext4 data=ordered: a journal commit first writes the dirty data of newly allocated blocks)
 * no longer wait behind a gigabyte of the backup's dirty pages. 1 MiB windows (one read of the
 * default size) measured better than 2 and 8 MiB both for the image's speed and for the
 * writers' commits (bench/README.md, online backup).
 */
#include "backup_stream.h"

#include "backup_set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct bks {
    JET_INSTANCE inst;
    const char *dir;
    uint8_t *buf;
    uint32_t cbBuf;
    double t0;
    uint64_t cbDone, cbKnown;
    uint32_t mbPerSec; /* 0: unpaced */
    bj_bks_progress_fn fn;
    void *ctx;
    bj_bks_stats *st;
} bks;

static double bks_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *bks_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int bks_write_all(int fd, const uint8_t *p, size_t cb)
{
    while (cb) {
        ssize_t n = write(fd, p, cb);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        cb -= (size_t)n;
    }
    return 0;
}

#define BKS_WB_CB (1u << 20)

/* The write-behind state of one output file. */
typedef struct bks_wb {
    uint64_t off;     /* bytes written */
    uint64_t started; /* writeback started for [waited, started) */
    uint64_t waited;  /* written back and dropped below this */
} bks_wb;

/* After a write: starts the writeback of a full window, waits for the previous one. */
static void bks_write_behind(int fd, bks_wb *w)
{
#ifdef __linux__
    if (w->off - w->started < BKS_WB_CB)
        return;
    if (w->started > w->waited) {
        (void)sync_file_range(fd, (off64_t)w->waited, (off64_t)(w->started - w->waited),
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
        (void)posix_fadvise(fd, (off_t)w->waited, (off_t)(w->started - w->waited),
                            POSIX_FADV_DONTNEED);
        w->waited = w->started;
    }
    (void)sync_file_range(fd, (off64_t)w->started, (off64_t)(w->off - w->started),
                          SYNC_FILE_RANGE_WRITE);
    w->started = w->off;
#else
    (void)fd;
    (void)w;
#endif
}

static int bks_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Holds the copy to b->mbPerSec: sleeps while it is ahead of that rate since the start. */
static void bks_pace(const bks *b)
{
    if (!b->mbPerSec)
        return;
    const double ahead = (double)b->cbDone / ((double)b->mbPerSec * 1e6) - (bks_now() - b->t0);
    if (ahead > 0) {
        struct timespec ts = {(time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

/* Streams one file of the backup (a database or a log) into the folder. */
static JET_ERR bks_copy(bks *b, const char *name, bool fDb)
{
    JET_HANDLE h = 0;
    uint32_t lo = 0, hi = 0, cbRead = 0;
    char path[4096];
    int fd = -1;
    bool fOpen = false;
    bks_wb wb = {0, 0, 0};
    JET_ERR err = JetOpenFileInstance(b->inst, name, &h, &lo, &hi);
    if (err < 0)
        return err;
    fOpen = true;
    b->cbKnown += (uint64_t)hi << 32 | lo;
    snprintf(path, sizeof path, "%s/%s", b->dir, bks_base(name));
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        err = JET_errDiskIO;
        goto fail;
    }
    for (;;) {
        if ((err = JetReadFileInstance(b->inst, h, b->buf, b->cbBuf, &cbRead)) < 0)
            goto fail;
        if (cbRead == 0)
            break;
        if (b->st->secFirstByte < 0)
            b->st->secFirstByte = bks_now() - b->t0;
        if (bks_write_all(fd, b->buf, cbRead) < 0) {
            err = JET_errDiskIO;
            goto fail;
        }
        wb.off += cbRead;
        bks_write_behind(fd, &wb);
        b->cbDone += cbRead;
        bks_pace(b);
        if (fDb)
            b->st->cbDatabases += cbRead;
        else
            b->st->cbLogs += cbRead;
        if (b->fn)
            b->fn(b->ctx, b->cbDone, b->cbKnown);
    }
    if (fdatasync(fd) != 0) {
        err = JET_errDiskIO;
        goto fail;
    }
    if (fDb)
        b->st->cDatabases++;
    else
        b->st->cLogs++;
fail:
    if (fd >= 0)
        close(fd);
    if (fOpen) {
        JET_ERR errClose = JetCloseFileInstance(b->inst, h);
        if (err >= 0 && errClose < 0)
            err = errClose;
    }
    return err;
}

/* The attached databases (JetGetAttachInfoInstance: size, then fill), a malloc'ed multi-string. */
static JET_ERR bks_attach_list(JET_INSTANCE inst, char **psz)
{
    uint32_t cb = 0;
    JET_ERR err = JetGetAttachInfoInstance(inst, NULL, 0, &cb);
    if (err < 0)
        return err;
    char *sz = calloc(1, (size_t)cb + 2);
    if (!sz)
        return JET_errOutOfMemory;
    if ((err = JetGetAttachInfoInstance(inst, sz, cb, &cb)) < 0) {
        free(sz);
        return err;
    }
    *psz = sz;
    return JET_errSuccess;
}

/* The folder's manifest (backup_set.h): what a restore of the folder needs to know. */
static JET_ERR bks_manifest(JET_INSTANCE inst, JET_GRBIT grbit, bool truncate, const char *dir,
                            const char *szDbs, const JET_LOGINFO *li)
{
    bj_bkset s;
    JET_API_PTR cbPage = 0, kb = 0;
    JET_ERR err;
    memset(&s, 0, sizeof s);
    snprintf(s.dir, sizeof s.dir, "%s", dir);
    s.kind = (grbit & JET_bitBackupIncremental)
                 ? (truncate ? BJ_BKSET_INCREMENTAL : BJ_BKSET_DIFFERENTIAL)
                 : (truncate ? BJ_BKSET_FULL : BJ_BKSET_COPY);
    if ((err = JetGetSystemParameter(inst, JET_sesidNil, JET_paramDatabasePageSize, &cbPage, NULL,
                                     0)) < 0 ||
        (err = JetGetSystemParameter(inst, JET_sesidNil, JET_paramLogFileSize, &kb, NULL, 0)) < 0)
        return err;
    s.cbPage = (uint32_t)cbPage;
    s.cbLogFileKb = (uint32_t)kb;
    memcpy(s.base, li->szBaseName, 3);
    s.genLow = li->ulGenLow;
    s.genHigh = li->ulGenHigh;
    for (const char *p = szDbs; p && *p && s.cdb < BJ_BKSET_DB_MAX; p += strlen(p) + 1)
        snprintf(s.rgdb[s.cdb++], sizeof s.rgdb[0], "%s", p);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s.time, sizeof s.time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return bj_bkset_write(&s);
}

static JET_ERR bks_log_list(JET_INSTANCE inst, char **psz, JET_LOGINFO *li)
{
    uint32_t cb = 0;
    li->cbSize = sizeof *li;
    JET_ERR err = JetGetLogInfoInstance2(inst, NULL, 0, &cb, li);
    if (err < 0)
        return err;
    char *sz = calloc(1, (size_t)cb + 2);
    if (!sz)
        return JET_errOutOfMemory;
    if ((err = JetGetLogInfoInstance2(inst, sz, cb, &cb, li)) < 0) {
        free(sz);
        return err;
    }
    *psz = sz;
    return JET_errSuccess;
}

JET_ERR bj_bks_backup(JET_INSTANCE inst, JET_GRBIT grbit, const char *destDir, bool truncate,
                      uint32_t cbChunk, uint32_t mbPerSec, bj_bks_progress_fn fn, void *ctx,
                      bj_bks_stats *st)
{
    bks b = {.inst = inst, .dir = destDir, .mbPerSec = mbPerSec, .fn = fn, .ctx = ctx, .st = st};
    char *szDbs = NULL, *szLogs = NULL;
    bool begun = false;
    JET_LOGINFO li = {0};
    JET_ERR err;
    long cbPage = sysconf(_SC_PAGESIZE);
    memset(st, 0, sizeof *st);
    st->secFirstByte = -1;
    b.cbBuf = cbChunk ? cbChunk : 1u << 20;
    if (cbPage <= 0)
        cbPage = 4096;
    if (!(b.buf = aligned_alloc((size_t)cbPage, b.cbBuf)))
        return JET_errOutOfMemory;
    if (mkdir(destDir, 0755) != 0 && errno != EEXIST) {
        err = JET_errInvalidPath;
        goto fail;
    }
    b.t0 = bks_now();
    if ((err = JetBeginExternalBackupInstance(inst, grbit)) < 0)
        goto fail;
    begun = true;
    st->secBegin = bks_now() - b.t0;
    if (!(grbit & JET_bitBackupIncremental)) {
        if ((err = bks_attach_list(inst, &szDbs)) < 0)
            goto fail;
        for (const char *p = szDbs; *p; p += strlen(p) + 1)
            if ((err = bks_copy(&b, p, true)) < 0)
                goto fail;
        st->secDatabases = bks_now() - b.t0;
    }
    if ((err = bks_log_list(inst, &szLogs, &li)) < 0)
        goto fail;
    st->genLow = li.ulGenLow;
    st->genHigh = li.ulGenHigh;
    for (const char *p = szLogs; *p; p += strlen(p) + 1)
        if ((err = bks_copy(&b, p, false)) < 0)
            goto fail;
    if (truncate && (err = JetTruncateLogInstance(inst)) < 0)
        goto fail;
    begun = false;
    if ((err = JetEndExternalBackupInstance2(inst, JET_bitBackupEndNormal)) < 0)
        goto fail;
    if ((err = bks_manifest(inst, grbit, truncate, destDir, szDbs, &li)) < 0)
        goto fail;
    if (bks_fsync_dir(destDir) != 0)
        err = JET_errDiskIO;
    st->secTotal = bks_now() - b.t0;
fail:
    if (begun)
        JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
    free(szDbs);
    free(szLogs);
    free(b.buf);
    return err;
}
