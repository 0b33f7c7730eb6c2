/* log_write.c: the log writer: the append buffer, group commit, generations (edb.log, archives,
 * edbtmp.log made in advance, reserve logs), rolls, the checkpoint file and circular deletion.
 *
 * State. The append buffer abuf holds the segments of the current generation from isegBase on
 * that no flush has taken yet; the cursor (curSeg, curIb) is where the next record byte goes
 * (segment index in abuf, payload offset). Bytes beyond the cursor are zero.
 * Invariants:
 *  - lsnDurable <= lsnEnd; everything before lsnDurable is written and fsynced.
 *  - One thread at a time does I/O on the log files (fIoBusy): it takes (copies) every appended
 *    segment into wbuf under mu, then writes them with one write and fsyncs without mu; appends
 *    continue meanwhile into the emptied abuf, at a fresh segment (a written segment is never
 *    written again).
 *  - While a generation is being finished (fGenClosed) appends wait; the roller writes the last
 *    segments, rewrites edbtmp.log's header for the next generation, renames edb.log to its
 *    archive name and edbtmp.log to edb.log, fsyncs the folder, then opens the new generation.
 *  - The next edbtmp.log is then made (zero-filled, fsynced) with fTmpBusy set instead of
 *    fIoBusy: flushes of the new generation (commits) go on meanwhile, since they touch only
 *    edb.log; the next roll and close wait for fTmpBusy. Only the maker touches fTmp while
 *    fTmpBusy (a crash meanwhile leaves a partial edbtmp.log next to a whole edb.log, as a
 *    crash during the making always could: open remakes it, recovery reads it only when edb.log
 *    is missing).
 *  - Once errDown != 0 nothing more is written; appends and flushes return JET_errLogWriteFail.
 * Lock order: muChk (checkpoint writers) before mu. The roll callback runs without locks.
 */
#include <stdatomic.h>

#include "log/log_int.h"

#define CAP_SEG_MAX 300u /* > (BJ_LOG_RECORD_MAX + header) / payload + 1 */
_Static_assert((CAP_SEG_MAX - 1) * BJ_SEG_CB_PAYLOAD > BJ_LOG_RECORD_MAX + BJ_REC_CB_HDR,
               "the append buffer holds the largest record");

struct bj_log {
    bj_os *os;
    char base[4];
    char *szLogPath, *szSysPath;
    char szCur[BJ_PATH_MAX], szTmp[BJ_PATH_MAX], szChk[BJ_PATH_MAX];
    uint32_t cbLogFile, cbDbPage, nseg;
    bool fCircular;

    bj_mutex mu;
    bj_cond cv;
    /* current generation (mu) */
    uint32_t gen;
    bj_signature sign;
    bj_logtime tmCreate;
    bj_file *fCur, *fTmp; /* fTmp: edbtmp.log, made in advance (NULL when not made) */
    bool fTmpReserve;     /* fTmp came from a reserve log */
    /* append buffer (mu) */
    uint8_t *abuf, *wbuf;
    uint32_t capSeg, isegBase, curSeg, curIb;
    bj_lsn lsnEnd, lsnDurable;
    bool fIoBusy, fGenClosed;
    bool fTmpBusy; /* edbtmp.log is being made, outside fIoBusy (see the invariants) */
    JET_ERR errDown;
    /* for new headers and the checkpoint (mu) */
    bj_lsn lsnCheckpoint;
    uint32_t catt;
    bj_log_attach rgatt[BJ_LOG_ATTACH_MAX];
    bj_log_roll_fn rollFn;
    void *rollCtx;

    bj_mutex muChk;
    uint64_t chkSeq; /* muChk */
    /* backup: circular deletion spares the generations >= this (0: none) */
    _Atomic uint32_t genKeepFrom;
};

static bj_lsn cursor_lsn(const bj_log *log, uint32_t seg, uint32_t ib)
{
    return BJ_LSN_MAKE(log->gen, (log->isegBase + seg) * BJ_LOG_CB_SEGMENT + BJ_SEG_CB_HDR + ib);
}

/* ---------------------------------------------------------------- files */

/* Writes zeros over the whole file (cb bytes). As ESE formats its logs: the blocks then exist,
 * so a commit's fdatasync flushes data only (a preallocated, unwritten extent would make every
 * first write into it a file-system metadata change, a journal commit per commit). */
static JET_ERR zero_fill(bj_file *f, uint64_t cb)
{
    JET_ERR err = JET_errSuccess;
    const size_t cbChunk = 256 * 1024;
    uint8_t *z = bj_calloc(1, cbChunk);
    if (!z)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_set_size(f, cb)); /* the space first: a full disk shows here */
    for (uint64_t off = 0; off < cb; off += cbChunk)
        CALL(bj_file_write(f, off, z, (size_t)BJ_MIN((uint64_t)cbChunk, cb - off)));
fail:
    bj_free(z);
    return err;
}

/* Creates (replacing) a log file of full size at szPath (zero-filled when fZero, else only
 * allocated) with the header h, fsynced;
 * the folder is not synced. */
static JET_ERR create_log_file(bj_log *log, const char *szPath, const bj_log_hdr *h, bool fZero,
                               bj_file **pf)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    uint8_t *area = bj_calloc(1, BJ_LOG_CB_HDRAREA);
    if (!area)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_open(log->os, szPath, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &f));
    if (fZero)
        CALL(zero_fill(f, log->cbLogFile));
    else /* a reserve log: the space is held (fallocate), written only if it is ever used */
        CALL(bj_file_set_size(f, log->cbLogFile));
    if (h) {
        bj_log_hdr_encode(h, area);
        CALL(bj_file_write(f, 0, area, BJ_LOG_CB_HDRAREA));
    }
    CALL(bj_file_sync(f));
    *pf = f;
    f = NULL;
fail:
    bj_file_close(f);
    bj_free(area);
    return err;
}

/* Writes a header area for h at offset 0 of f and fsyncs. */
static JET_ERR write_header(bj_file *f, const bj_log_hdr *h)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *area = bj_malloc(BJ_LOG_CB_HDRAREA);
    if (!area)
        ERR(JET_errOutOfMemory);
    bj_log_hdr_encode(h, area);
    CALL(bj_file_write(f, 0, area, BJ_LOG_CB_HDRAREA));
    CALL(bj_file_sync(f));
fail:
    bj_free(area);
    return err;
}

/* A header for generation gen of this log (mu held or not shared yet). */
static void make_header(bj_log *log, bj_log_hdr *h, uint32_t gen, const bj_logtime *tmPrev,
                        bj_lsn lsnPrevEnd)
{
    memset(h, 0, sizeof(*h));
    h->gen = gen;
    h->signLog = log->sign;
    bj_logtime_now(&h->tmCreate);
    if (tmPrev)
        h->tmPrevGen = *tmPrev;
    h->cbLogFile = log->cbLogFile;
    h->cbSegment = BJ_LOG_CB_SEGMENT;
    h->cbDbPage = log->cbDbPage;
    h->lsnCheckpoint = log->lsnCheckpoint;
    h->fCircular = log->fCircular;
    h->lsnPrevEnd = lsnPrevEnd;
    h->cattach = log->catt;
    memcpy(h->rgattach, log->rgatt, sizeof(h->rgattach));
}

/* Makes edbtmp.log (provisional header for gen + 1) and syncs the folder; on a full disk uses
 * a reserve log instead. Called by the I/O owner (fIoBusy), the maker (fTmpBusy) or during open.
 * Sets log->fTmp under mu on success. */
static JET_ERR make_tmp(bj_log *log, uint32_t genNext)
{
    JET_ERR err = JET_errSuccess;
    bj_log_hdr *h = bj_malloc(sizeof(*h));
    bj_file *f = NULL;
    bool fReserve = false;
    if (!h)
        ERR(JET_errOutOfMemory);
    bj_mutex_lock(&log->mu);
    make_header(log, h, genNext, &log->tmCreate, 0);
    bj_mutex_unlock(&log->mu);
    err = create_log_file(log, log->szTmp, h, true, &f);
    if (err == JET_errDiskFull) {
        /* ESE's reserve logs: take one already made at full size. */
        char szRes[BJ_PATH_MAX];
        bj_os_remove(log->os, log->szTmp);
        for (uint32_t n = 1; n <= 2 && !fReserve; n++) {
            bool exists = false;
            CALL(bj_log_name_reserve(szRes, sizeof(szRes), log->szLogPath, log->base, n));
            CALL(bj_os_stat(log->os, szRes, &exists, NULL, NULL));
            if (!exists)
                continue;
            CALL(bj_os_rename(log->os, szRes, log->szTmp));
            CALL(bj_file_open(log->os, log->szTmp, 0, &f));
            fReserve = true;
        }
        if (!fReserve)
            ERR(JET_errLogDiskFull);
        h->fReserve = true;
        CALL(write_header(f, h));
    }
    CALL(err);
    CALL(bj_os_sync_dir(log->os, log->szLogPath));
    bj_mutex_lock(&log->mu);
    log->fTmp = f;
    log->fTmpReserve = fReserve;
    bj_mutex_unlock(&log->mu);
    f = NULL;
fail:
    bj_file_close(f);
    bj_free(h);
    return err;
}

/* ---------------------------------------------------------------- taking and writing */

/* Under mu: copies every appended segment into wbuf and empties abuf. *pcount segments starting
 * at file segment *pisegStart; the last holds *pcbLast stream bytes. */
static void take_segments(bj_log *log, uint32_t *pisegStart, uint32_t *pcount, uint32_t *pcbLast)
{
    uint32_t count = log->curIb > 0 ? log->curSeg + 1 : log->curSeg;
    *pisegStart = log->isegBase;
    *pcount = count;
    *pcbLast = log->curIb;
    if (count == 0)
        return;
    memcpy(log->wbuf, log->abuf, (size_t)count * BJ_LOG_CB_SEGMENT);
    memset(log->abuf, 0, (size_t)count * BJ_LOG_CB_SEGMENT);
    log->isegBase += count;
    log->curSeg = 0;
    log->curIb = 0;
}

/* Without mu, as the I/O owner: seals and writes the taken segments to f, then fsyncs. */
static JET_ERR write_segments(bj_log *log, bj_file *f, uint32_t gen, uint32_t isegStart,
                              uint32_t count, uint32_t cbLast)
{
    JET_ERR err = JET_errSuccess;
    bj_logtime tm;
    if (count == 0)
        return JET_errSuccess;
    bj_logtime_now(&tm);
    for (uint32_t i = 0; i < count; i++)
        bj_log_seg_seal(log->wbuf + (size_t)i * BJ_LOG_CB_SEGMENT, gen, isegStart + i, isegStart,
                        i + 1 < count ? BJ_SEG_CB_PAYLOAD : cbLast, &tm);
    CALL(bj_file_write(f, (uint64_t)isegStart * BJ_LOG_CB_SEGMENT, log->wbuf,
                       (size_t)count * BJ_LOG_CB_SEGMENT));
    CALL(bj_file_sync(f));
fail:
    return err;
}

static void go_down(bj_log *log, JET_ERR err)
{
    if (log->errDown == 0)
        log->errDown = err < 0 ? err : JET_errLogWriteFail;
    bj_cond_broadcast(&log->cv);
}

/* mu held, !fIoBusy: writes and fsyncs everything appended so far (group commit). */
static void flush_locked(bj_log *log)
{
    uint32_t isegStart, count, cbLast, gen = log->gen;
    bj_lsn lsnTaken = log->lsnEnd;
    bj_file *f = log->fCur;
    JET_ERR err;
    log->fIoBusy = true;
    take_segments(log, &isegStart, &count, &cbLast);
    bj_mutex_unlock(&log->mu);
    err = write_segments(log, f, gen, isegStart, count, cbLast);
    bj_mutex_lock(&log->mu);
    if (err < 0)
        go_down(log, err);
    else if (lsnTaken > log->lsnDurable)
        log->lsnDurable = lsnTaken;
    log->fIoBusy = false;
    bj_cond_broadcast(&log->cv);
}

/* mu held, !fIoBusy, !fGenClosed, !fTmpBusy: finishes the current generation and starts the
 * next one.
 * Returns with mu held; the roll callback ran without mu. */
static void roll_locked(bj_log *log)
{
    JET_ERR err = JET_errSuccess;
    uint32_t isegStart, count, cbLast, gen = log->gen;
    bj_file *fOld = log->fCur, *fNew = NULL;
    bj_log_hdr *h = bj_malloc(sizeof(*h));
    char szArchive[BJ_PATH_MAX];
    bj_log_roll_fn fn;
    void *ctx;
    bool fReserve;

    log->fIoBusy = true;
    log->fGenClosed = true;
    take_segments(log, &isegStart, &count, &cbLast);
    if (h)
        make_header(log, h, gen + 1, &log->tmCreate, log->lsnEnd);
    bj_mutex_unlock(&log->mu);

    if (!h)
        ERR(JET_errOutOfMemory);
    CALL(write_segments(log, fOld, gen, isegStart, count, cbLast));
    if (!log->fTmp)
        CALL(make_tmp(log, gen + 1));
    fNew = log->fTmp;
    fReserve = log->fTmpReserve;
    h->fReserve = fReserve;
    CALL(write_header(fNew, h));
    CALL(bj_log_name_gen(szArchive, sizeof(szArchive), log->szLogPath, log->base, gen));
    CALL(bj_os_rename(log->os, log->szCur, szArchive));
    CALL(bj_os_rename(log->os, log->szTmp, log->szCur));
    CALL(bj_os_sync_dir(log->os, log->szLogPath));

    bj_mutex_lock(&log->mu);
    log->fTmp = NULL;
    log->fCur = fNew;
    log->gen = gen + 1;
    log->tmCreate = h->tmCreate;
    log->isegBase = BJ_LOG_ISEG_FIRST;
    log->lsnEnd = log->lsnDurable = BJ_LSN_MAKE(log->gen, BJ_LOG_CB_HDRAREA);
    log->fGenClosed = false;
    /* commits may flush the new generation while edbtmp.log is made */
    log->fIoBusy = false;
    log->fTmpBusy = true;
    bj_cond_broadcast(&log->cv);
    bj_mutex_unlock(&log->mu);
    bj_file_close(fOld);

    /* The next edbtmp.log, right away. An I/O error here takes the log down (the log device is
     * failing); a full disk only leaves no edbtmp.log (the next roll takes a reserve log). */
    JET_ERR errTmp = make_tmp(log, gen + 2);
    bj_mutex_lock(&log->mu);
    if (errTmp < 0)
        log->fTmp = NULL;
    if (errTmp < 0 && errTmp != JET_errLogDiskFull && errTmp != JET_errDiskFull)
        go_down(log, errTmp);
    log->fTmpBusy = false;
    bj_cond_broadcast(&log->cv);
    fn = log->rollFn;
    ctx = log->rollCtx;
    bj_mutex_unlock(&log->mu);
    if (fn)
        fn(ctx, gen + 1);
    bj_mutex_lock(&log->mu);
    bj_free(h);
    return;
fail:
    bj_mutex_lock(&log->mu);
    go_down(log, err);
    log->fGenClosed = false;
    log->fIoBusy = false;
    bj_cond_broadcast(&log->cv);
    bj_free(h);
}

/* ---------------------------------------------------------------- open / close */

static JET_ERR check_config(const bj_log_config *cfg, const bj_log_start *start)
{
    if (!cfg || !start || !cfg->os || !cfg->szLogPath || !cfg->szSystemPath)
        return BJ_ERR(JET_errInvalidParameter);
    if (!cfg->szBaseName || strlen(cfg->szBaseName) != 3)
        return BJ_ERR(JET_errInvalidParameter);
    if (cfg->cbLogFile < BJ_LOG_CB_MIN || cfg->cbLogFile > BJ_LOG_CB_MAX ||
        cfg->cbLogFile % BJ_LOG_CB_SEGMENT != 0)
        return BJ_ERR(JET_errInvalidParameter);
    if (!start->fNewStream && (start->genNext == 0 || start->genNext > 0x7fffff00u))
        return BJ_ERR(JET_errInvalidParameter);
    return JET_errSuccess;
}

/* Renames an existing edb.log to its archive name (its header's generation). */
static JET_ERR archive_existing(bj_log *log)
{
    JET_ERR err = JET_errSuccess;
    bool exists = false;
    char szArchive[BJ_PATH_MAX];
    bj_log_hdr *h = bj_malloc(sizeof(*h));
    if (!h)
        ERR(JET_errOutOfMemory);
    CALL(bj_os_stat(log->os, log->szCur, &exists, NULL, NULL));
    if (!exists)
        goto fail;
    CALL(bj_log_read_header(log->os, log->szCur, h));
    CALL(bj_log_name_gen(szArchive, sizeof(szArchive), log->szLogPath, log->base, h->gen));
    CALL(bj_os_rename(log->os, log->szCur, szArchive));
    CALL(bj_os_sync_dir(log->os, log->szLogPath));
fail:
    bj_free(h);
    return err;
}

static JET_ERR make_reserves(bj_log *log)
{
    JET_ERR err = JET_errSuccess;
    char sz[BJ_PATH_MAX];
    for (uint32_t n = 1; n <= 2; n++) {
        bool exists = false;
        uint64_t cb = 0;
        bj_file *f = NULL;
        CALL(bj_log_name_reserve(sz, sizeof(sz), log->szLogPath, log->base, n));
        CALL(bj_os_stat(log->os, sz, &exists, NULL, &cb));
        if (exists && cb == log->cbLogFile)
            continue;
        err = create_log_file(log, sz, NULL, false, &f);
        bj_file_close(f);
        if (err == JET_errDiskFull)
            ERR(JET_errLogDiskFull);
        CALL(err);
    }
    CALL(bj_os_sync_dir(log->os, log->szLogPath));
fail:
    return err;
}

JET_ERR bj_log_open(const bj_log_config *cfg, const bj_log_start *start, bj_log **plog)
{
    JET_ERR err = JET_errSuccess;
    bj_log *log = NULL;
    bj_log_hdr *h = NULL;
    bj_chk_info *chk = NULL;
    uint32_t gen;
    bj_logtime tmPrev;

    *plog = NULL;
    CALL(check_config(cfg, start));
    log = bj_calloc(1, sizeof(*log));
    h = bj_malloc(sizeof(*h));
    chk = bj_malloc(sizeof(*chk));
    if (!log || !h || !chk)
        ERR(JET_errOutOfMemory);
    bj_mutex_init(&log->mu);
    bj_cond_init(&log->cv);
    bj_mutex_init(&log->muChk);
    log->os = cfg->os;
    memcpy(log->base, cfg->szBaseName, 3);
    log->cbLogFile = cfg->cbLogFile;
    log->cbDbPage = cfg->cbDbPage;
    log->fCircular = cfg->fCircular;
    log->nseg = cfg->cbLogFile / BJ_LOG_CB_SEGMENT;
    log->capSeg = BJ_MIN(log->nseg - BJ_LOG_ISEG_FIRST, CAP_SEG_MAX);
    log->szLogPath = bj_strdup(cfg->szLogPath);
    log->szSysPath = bj_strdup(cfg->szSystemPath);
    log->abuf = bj_alloc_aligned((size_t)log->capSeg * BJ_LOG_CB_SEGMENT);
    log->wbuf = bj_alloc_aligned((size_t)log->capSeg * BJ_LOG_CB_SEGMENT);
    if (!log->szLogPath || !log->szSysPath || !log->abuf || !log->wbuf)
        ERR(JET_errOutOfMemory);
    memset(log->abuf, 0, (size_t)log->capSeg * BJ_LOG_CB_SEGMENT);
    CALL(bj_log_name_current(log->szCur, sizeof(log->szCur), log->szLogPath, log->base));
    CALL(bj_log_name_tmp(log->szTmp, sizeof(log->szTmp), log->szLogPath, log->base));
    CALL(bj_log_name_chk(log->szChk, sizeof(log->szChk), log->szSysPath, log->base));
    CALL(bj_path_ensure_dir(log->os, log->szLogPath, cfg->fCreatePath));
    CALL(bj_path_ensure_dir(log->os, log->szSysPath, cfg->fCreatePath));

    if (start->fNewStream) {
        bj_log_signature_new(&log->sign);
        gen = 1;
        memset(&tmPrev, 0, sizeof(tmPrev));
    } else {
        log->sign = start->signLog;
        gen = start->genNext;
        tmPrev = start->tmPrevGen;
    }
    CALL(archive_existing(log));
    CALL(make_reserves(log));

    /* edb.log of the start generation: made as edbtmp.log, then renamed. */
    log->tmCreate = tmPrev;
    CALL(make_tmp(log, gen));
    CALL(bj_os_rename(log->os, log->szTmp, log->szCur));
    CALL(bj_os_sync_dir(log->os, log->szLogPath));
    log->fCur = log->fTmp;
    log->fTmp = NULL;
    CALL(bj_log_read_header(log->os, log->szCur, h)); /* the tmCreate written */
    log->tmCreate = h->tmCreate;
    log->gen = gen;
    log->isegBase = BJ_LOG_ISEG_FIRST;
    log->lsnEnd = log->lsnDurable = BJ_LSN_MAKE(gen, BJ_LOG_CB_HDRAREA);
    CALL(make_tmp(log, gen + 1));

    if (bj_chk_read_seq(log->os, log->szChk, chk, &log->chkSeq) < 0)
        log->chkSeq = 0;
    *plog = log;
    log = NULL;
fail:
    if (log) {
        bj_file_close(log->fTmp);
        log->fTmp = NULL;
        bj_log_close(log);
    }
    bj_free(h);
    bj_free(chk);
    return err;
}

void bj_log_close(bj_log *log)
{
    if (!log)
        return;
    if (log->fCur) {
        bj_mutex_lock(&log->mu);
        while (log->fIoBusy || log->fTmpBusy)
            bj_cond_wait(&log->cv, &log->mu);
        if (!log->errDown && log->lsnDurable < log->lsnEnd)
            flush_locked(log);
        bj_mutex_unlock(&log->mu);
    }
    bj_file_close(log->fCur);
    bj_file_close(log->fTmp);
    bj_free_aligned(log->abuf);
    bj_free_aligned(log->wbuf);
    bj_free(log->szLogPath);
    bj_free(log->szSysPath);
    bj_mutex_destroy(&log->mu);
    bj_cond_destroy(&log->cv);
    bj_mutex_destroy(&log->muChk);
    bj_free(log);
}

/* ---------------------------------------------------------------- append / flush */

/* Copies cb bytes into the stream at the cursor (room was checked). */
static void put_bytes(bj_log *log, const uint8_t *src, uint32_t cb)
{
    while (cb > 0) {
        if (log->curIb == BJ_SEG_CB_PAYLOAD) {
            log->curSeg++;
            log->curIb = 0;
        }
        uint32_t n = BJ_MIN(cb, BJ_SEG_CB_PAYLOAD - log->curIb);
        memcpy(log->abuf + (size_t)log->curSeg * BJ_LOG_CB_SEGMENT + BJ_SEG_CB_HDR + log->curIb,
               src, n);
        log->curIb += n;
        src += n;
        cb -= n;
    }
}

JET_ERR bj_log_append(bj_log *log, bj_lrtype type, const bj_log_part *parts, uint32_t nparts,
                      bj_lsn *plsn, bj_lsn *plsnEnd)
{
    JET_ERR err = JET_errSuccess;
    uint64_t cb = 0;
    uint32_t n, seg, ib;
    uint8_t hdr[BJ_REC_CB_HDR];
    bj_lsn lsn;
    bool locked = false;

    if (!log || (unsigned)type >= BJ_LR_MAX || (nparts && !parts))
        ERR(JET_errInvalidParameter);
    for (uint32_t i = 0; i < nparts; i++) {
        if (parts[i].cb && !parts[i].pv)
            ERR(JET_errInvalidParameter);
        cb += parts[i].cb;
    }
    if (cb > BJ_LOG_RECORD_MAX)
        ERR(JET_errInvalidParameter);
    n = BJ_REC_CB_HDR + (uint32_t)cb;
    /* A record never crosses a generation: it must fit in an empty one. */
    if ((uint64_t)n > (uint64_t)(log->nseg - BJ_LOG_ISEG_FIRST) * BJ_SEG_CB_PAYLOAD)
        ERR(JET_errInvalidParameter);

    bj_mutex_lock(&log->mu);
    locked = true;
    for (;;) {
        if (log->errDown)
            ERR(JET_errLogWriteFail);
        if (log->fGenClosed) {
            bj_cond_wait(&log->cv, &log->mu);
            continue;
        }
        uint64_t roomGen =
            (uint64_t)(log->nseg - log->isegBase - log->curSeg) * BJ_SEG_CB_PAYLOAD - log->curIb;
        uint64_t roomBuf = (uint64_t)(log->capSeg - log->curSeg) * BJ_SEG_CB_PAYLOAD - log->curIb;
        if (n <= roomGen && n <= roomBuf)
            break;
        if (log->fIoBusy || (n > roomGen && log->fTmpBusy)) {
            bj_cond_wait(&log->cv, &log->mu);
            continue;
        }
        if (n > roomGen)
            roll_locked(log);
        else
            flush_locked(log);
    }
    seg = log->curSeg;
    ib = log->curIb;
    if (ib == BJ_SEG_CB_PAYLOAD) {
        seg++;
        ib = 0;
    }
    lsn = cursor_lsn(log, seg, ib);
    bj_log_rec_header(hdr, type, (uint32_t)cb, lsn);
    put_bytes(log, hdr, BJ_REC_CB_HDR);
    for (uint32_t i = 0; i < nparts; i++)
        put_bytes(log, parts[i].pv, parts[i].cb);
    log->lsnEnd = cursor_lsn(log, log->curSeg, log->curIb);
    if (plsn)
        *plsn = lsn;
    if (plsnEnd)
        *plsnEnd = log->lsnEnd;
fail:
    if (locked)
        bj_mutex_unlock(&log->mu);
    return err;
}

JET_ERR bj_log_flush(bj_log *log, bj_lsn lsn)
{
    JET_ERR err = JET_errSuccess;
    bj_mutex_lock(&log->mu);
    for (;;) {
        if (log->errDown)
            ERR(JET_errLogWriteFail);
        if (lsn > log->lsnEnd)
            lsn = log->lsnEnd;
        if (log->lsnDurable >= lsn)
            break;
        if (log->fIoBusy) {
            bj_cond_wait(&log->cv, &log->mu);
            continue;
        }
        flush_locked(log);
    }
fail:
    bj_mutex_unlock(&log->mu);
    return err;
}

bj_lsn bj_log_end(bj_log *log)
{
    bj_mutex_lock(&log->mu);
    bj_lsn l = log->lsnEnd;
    bj_mutex_unlock(&log->mu);
    return l;
}

bj_lsn bj_log_durable(bj_log *log)
{
    bj_mutex_lock(&log->mu);
    bj_lsn l = log->lsnDurable;
    bj_mutex_unlock(&log->mu);
    return l;
}

JET_ERR bj_log_error(bj_log *log)
{
    bj_mutex_lock(&log->mu);
    JET_ERR e = log->errDown;
    bj_mutex_unlock(&log->mu);
    return e;
}

JET_ERR bj_log_roll(bj_log *log, uint32_t *pgenDone)
{
    JET_ERR err = JET_errSuccess;
    uint32_t gen;
    bj_mutex_lock(&log->mu);
    while (!log->errDown && (log->fIoBusy || log->fGenClosed || log->fTmpBusy))
        bj_cond_wait(&log->cv, &log->mu);
    if (log->errDown)
        ERR(JET_errLogWriteFail);
    gen = log->gen;
    roll_locked(log);
    if (log->errDown)
        ERR(JET_errLogWriteFail);
    if (pgenDone)
        *pgenDone = gen;
fail:
    bj_mutex_unlock(&log->mu);
    return err;
}

void bj_log_signature(bj_log *log, bj_signature *psign)
{
    *psign = log->sign; /* set at open, never changed */
}

uint32_t bj_log_generation(bj_log *log)
{
    bj_mutex_lock(&log->mu);
    uint32_t g = log->gen;
    bj_mutex_unlock(&log->mu);
    return g;
}

void bj_log_set_roll_callback(bj_log *log, bj_log_roll_fn fn, void *ctx)
{
    bj_mutex_lock(&log->mu);
    log->rollFn = fn;
    log->rollCtx = ctx;
    bj_mutex_unlock(&log->mu);
}

JET_ERR bj_log_set_attachments(bj_log *log, const bj_log_attach *rg, uint32_t n)
{
    if (n > BJ_LOG_ATTACH_MAX || (n && !rg))
        return BJ_ERR(JET_errInvalidParameter);
    for (uint32_t i = 0; i < n; i++)
        if (strnlen(rg[i].szPath, sizeof(rg[i].szPath)) > BJ_ATT_CB_PATH_MAX)
            return BJ_ERR(JET_errInvalidParameter);
    bj_mutex_lock(&log->mu);
    memcpy(log->rgatt, rg, n * sizeof(*rg));
    log->catt = n;
    bj_mutex_unlock(&log->mu);
    return JET_errSuccess;
}

/* ---------------------------------------------------------------- checkpoint */

void bj_log_set_keep_from(bj_log *log, uint32_t gen)
{
    atomic_store(&log->genKeepFrom, gen);
}

typedef struct old_gens {
    const char *base;
    uint32_t genBelow;
    uint32_t n, cap;
    uint32_t *rg;
} old_gens;

static void collect_old(void *ctx, const char *name, bool is_dir)
{
    old_gens *o = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, o->base);
    if (g == 0 || g >= o->genBelow)
        return;
    if (o->n == o->cap) {
        uint32_t cap = o->cap ? 2 * o->cap : 16;
        uint32_t *rg = bj_realloc(o->rg, cap * sizeof(*rg));
        if (!rg)
            return; /* what fits is deleted now, the rest at the next checkpoint */
        o->rg = rg;
        o->cap = cap;
    }
    o->rg[o->n++] = g;
}

/* Circular logging: deletes the archives below genBelow (their 8-digit names). */
static JET_ERR delete_old(bj_log *log, uint32_t genBelow)
{
    JET_ERR err = JET_errSuccess;
    old_gens o = {log->base, genBelow, 0, 0, NULL};
    char sz[BJ_PATH_MAX];
    CALL(bj_os_list_dir(log->os, log->szLogPath, collect_old, &o));
    for (uint32_t i = 0; i < o.n; i++) {
        CALL(bj_log_name_gen(sz, sizeof(sz), log->szLogPath, log->base, o.rg[i]));
        err = bj_os_remove(log->os, sz);
        if (err == JET_errFileNotFound)
            err = JET_errSuccess; /* a 5-digit name: leave it */
        CALL(err);
    }
    if (o.n)
        CALL(bj_os_sync_dir(log->os, log->szLogPath));
fail:
    bj_free(o.rg);
    return err;
}

JET_ERR bj_log_checkpoint(bj_log *log, bj_lsn lsnCheckpoint)
{
    JET_ERR err = JET_errSuccess;
    bj_chk_info *info = bj_calloc(1, sizeof(*info));
    uint8_t *copy = bj_malloc(BJ_CHK_CB_COPY);
    bj_file *f = NULL;
    bool exists = false;
    uint64_t cb = 0;
    bj_mutex_lock(&log->muChk);
    if (!info || !copy)
        ERR(JET_errOutOfMemory);
    bj_mutex_lock(&log->mu);
    if (lsnCheckpoint > log->lsnEnd || BJ_LSN_GEN(lsnCheckpoint) == 0) {
        bj_mutex_unlock(&log->mu);
        ERR(JET_errInvalidParameter);
    }
    info->lsnCheckpoint = lsnCheckpoint;
    info->signLog = log->sign;
    info->genLast = log->gen;
    info->cattach = log->catt;
    memcpy(info->rgattach, log->rgatt, sizeof(info->rgattach));
    log->lsnCheckpoint = lsnCheckpoint;
    bj_mutex_unlock(&log->mu);

    uint64_t seq = log->chkSeq + 1;
    bj_chk_encode(info, seq, copy);
    CALL(bj_os_stat(log->os, log->szChk, &exists, NULL, &cb));
    CALL(bj_file_open(log->os, log->szChk, BJ_OPEN_CREATE, &f));
    CALL(bj_file_write(f, (seq % BJ_CHK_NCOPIES) * BJ_CHK_CB_COPY, copy, BJ_CHK_CB_COPY));
    CALL(bj_file_sync(f));
    if (!exists)
        CALL(bj_os_sync_dir(log->os, log->szSysPath));
    log->chkSeq = seq;
    if (log->fCircular) {
        uint32_t genBelow = BJ_LSN_GEN(lsnCheckpoint);
        const uint32_t keep = atomic_load(&log->genKeepFrom);
        if (keep && keep < genBelow)
            genBelow = keep;
        CALL(delete_old(log, genBelow));
    }
fail:
    bj_file_close(f);
    bj_mutex_unlock(&log->muChk);
    bj_free(info);
    bj_free(copy);
    return err;
}
