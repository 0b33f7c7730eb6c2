/* bk_logstream.c: the logs of a backup (ese-backup-spec.md §2.3-§2.8, §4): "prepare logs" at
 * the first GetLogInfo (log roll, copy and delete ranges), the list of log paths, the stream of
 * one archive log verified as it is read (header, then every 4 KiB segment: a valid segment of
 * its generation or all zero; JET_errLogReadVerifyFailure otherwise), patch files (streamed
 * as they are), and the deletion of truncated logs.
 *
 * Invariants: after prepare, copyMic <= copyMac - 1 (copyMic is at most the checkpoint's
 * generation, which is at most the generation rolled), deleteMic <= deleteMac (or nothing is
 * deleted), deleteMac <= the checkpoint's generation read from the checkpoint file at prepare
 * (so no log recovery needs is ever deleted) and, for a full backup, <= FullPrev.genHigh of
 * every database not copied in this backup. The current log (edb.log), edbtmp.log, reserve
 * logs and the checkpoint are never named here (only archive names of generations).
 */
#include <stdio.h>

#include "backup/bk_int.h"

#define BK_SEG 4096u /* a log segment (log_format.h) */

JET_ERR bk_checkpoint_gen(bj_backup *bk, uint32_t *pgen)
{
    JET_ERR err = JET_errSuccess;
    bj_chk_info *info = bj_malloc(sizeof(*info));
    if (!info)
        ERR(JET_errOutOfMemory);
    CALL(bj_chk_read(bk->inst->os, bk->paths.sys, bk->paths.base, info));
    *pgen = BJ_LSN_GEN(info->lsnCheckpoint);
    if (*pgen == 0)
        ERR(JET_errCheckpointCorrupt);
fail:
    bj_free(info);
    return err;
}

typedef struct low_scan {
    const char *base;
    uint32_t genLow;
} low_scan;

static void scan_low(void *ctx, const char *name, bool is_dir)
{
    low_scan *s = ctx;
    const uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, s->base);
    if (g && (s->genLow == 0 || g < s->genLow))
        s->genLow = g;
}

JET_ERR bk_prepare_logs(bj_backup *bk)
{
    JET_ERR err = JET_errSuccess;
    bj_log *log = bj_ilog_log(bk->inst);
    if (!log)
        ERR(JET_errLogWriteFail);
    const bj_lsn lsnPrepare = bj_log_end(log);
    uint32_t genDone = 0;
    CALL(bj_log_roll(log, &genDone));
    bk->copyMac = genDone + 1;
    low_scan s = {bk->paths.base, 0};
    CALL(bj_os_list_dir(bk->inst->os, bk->paths.log, scan_low, &s));
    if (s.genLow == 0)
        ERR(JET_errFileNotFound);
    uint32_t genChk = 0;
    CALL(bk_checkpoint_gen(bk, &genChk));
    bk->deleteMic = s.genLow;
    bk->deleteMac = BJ_MIN(genChk, bk->copyMac);
    if (!bk->full) {
        CALL(bk_history_check_continuity(bk, s.genLow));
        bk->copyMic = s.genLow;
        bk->mark = bj_lsn_to_lgpos(lsnPrepare);
        bj_logtime_now(&bk->markTime);
    } else {
        bk->deleteMac = bk_history_delete_limit(bk, bk->deleteMac);
        bk->deleteMic = BJ_MIN(bk->deleteMic, bk->deleteMac);
    }
    if (bk->copyMic == 0 || bk->copyMic >= bk->copyMac)
        ERR(JET_errMissingFileToBackup);
    bk->logRead = bj_calloc(bk->copyMac - bk->copyMic, 1);
    if (!bk->logRead)
        ERR(JET_errOutOfMemory);
    bk->prepared = true;
fail:
    return err;
}

JET_ERR bk_log_list(bj_backup *bk, uint32_t genFirst, uint32_t genEnd, char **pszz, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    char name[BJ_PATH_MAX];
    char *list = NULL;
    uint32_t cb = 1, ib = 0;
    for (uint32_t g = genFirst; g < genEnd; g++) {
        CALL(bj_log_name_gen(name, sizeof(name), bk->paths.log, bk->paths.base, g));
        cb += (uint32_t)strlen(name) + 1;
    }
    list = bj_malloc(cb);
    if (!list)
        ERR(JET_errOutOfMemory);
    for (uint32_t g = genFirst; g < genEnd; g++) {
        CALL(bj_log_name_gen(name, sizeof(name), bk->paths.log, bk->paths.base, g));
        const size_t n = strlen(name) + 1;
        memcpy(list + ib, name, n);
        ib += (uint32_t)n;
    }
    list[ib] = 0;
    *pszz = list;
    *pcb = cb;
    list = NULL;
fail:
    bj_free(list);
    return err;
}

JET_ERR bk_delete_logs(bj_backup *bk)
{
    JET_ERR err = JET_errSuccess;
    char name[BJ_PATH_MAX];
    bool fAny = false;
    for (uint32_t g = bk->deleteMic; g < bk->deleteMac; g++) {
        CALL(bj_log_name_gen(name, sizeof(name), bk->paths.log, bk->paths.base, g));
        err = bj_os_remove(bk->inst->os, name);
        if (err == JET_errFileNotFound) {
            err = JET_errSuccess; /* counted as missing, not an error (§2.8) */
            continue;
        }
        CALL(err); /* stops: the remaining logs stay contiguous */
        fAny = true;
    }
    if (fAny)
        CALL(bj_os_sync_dir(bk->inst->os, bk->paths.log));
fail:
    return err;
}

JET_ERR bk_log_open(bj_backup *bk, const char *szPath, uint32_t gen)
{
    JET_ERR err = JET_errSuccess;
    bk_file *f = &bk->file;
    bj_file *file = NULL;
    uint64_t cb = 0;
    err = bj_file_open(bk->inst->os, szPath, BJ_OPEN_READONLY, &file);
    if (err == JET_errFileNotFound || err == JET_errInvalidPath)
        err = BJ_ERR(JET_errMissingFileToBackup);
    CALL(err);
    CALL(bj_file_size(file, &cb));
    f->kind = gen ? BK_FILE_LOG : BK_FILE_PATCH;
    f->f = file;
    file = NULL;
    f->gen = gen;
    f->cbTotal = cb;
    f->ibNext = 0;
    snprintf(f->path, sizeof(f->path), "%s", szPath);
fail:
    bj_file_close(file);
    return err;
}

/* Reads [ib, ib + cb) of the open log into dst, verified: the bytes are read in whole 4 KiB
 * segments into a buffer of their own, checked, then copied. */
static JET_ERR log_read_verified(bj_backup *bk, uint64_t ib, uint32_t cb, uint8_t *dst)
{
    JET_ERR err = JET_errSuccess;
    bk_file *f = &bk->file;
    const uint64_t a = ib / BK_SEG * BK_SEG;
    uint64_t e = (ib + cb + BK_SEG - 1) / BK_SEG * BK_SEG;
    if (e > f->cbTotal) /* a log's size is whole segments: a torn file fails verification */
        ERR(JET_errLogReadVerifyFailure);
    uint8_t *tmp = bj_alloc_aligned((size_t)(e - a));
    if (!tmp)
        ERR(JET_errOutOfMemory);
    err = bj_file_read_exact(f->f, a, tmp, (size_t)(e - a));
    if (err >= 0 && a < BJ_LOG_HEADER_AREA_CB) {
        bj_log_hdr *h = bj_malloc(sizeof(*h));
        if (!h)
            err = BJ_ERR(JET_errOutOfMemory);
        else {
            err = bj_log_read_header(bk->inst->os, f->path, h);
            if (err >= 0 && h->gen != f->gen)
                err = BJ_ERR(JET_errLogReadVerifyFailure);
            else if (err < 0 && err != JET_errOutOfMemory)
                err = BJ_ERR(JET_errLogReadVerifyFailure);
            bj_free(h);
        }
    }
    if (err >= 0) {
        const uint64_t s = BJ_MAX(a, (uint64_t)BJ_LOG_HEADER_AREA_CB);
        if (e > s)
            err = bj_log_verify_segments(tmp + (s - a), s, (uint32_t)(e - s), f->gen);
    }
    if (err >= 0)
        memcpy(dst, tmp + (ib - a), cb);
    bj_free_aligned(tmp);
fail:
    return err;
}

JET_ERR bk_log_read(bj_backup *bk, uint8_t *pv, uint32_t cb, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    bk_file *f = &bk->file;
    *pcbActual = 0;
    if (f->ibNext == 0 && cb / bk->cbPage < 2)
        ERR(JET_errInvalidParameter);
    const uint64_t remaining = f->cbTotal - f->ibNext;
    const uint32_t n = (uint32_t)BJ_MIN((uint64_t)cb, remaining);
    if (n == 0)
        goto fail; /* end of the file: success, 0 bytes */
    if (f->kind == BK_FILE_LOG)
        CALL(log_read_verified(bk, f->ibNext, n, pv));
    else
        CALL(bj_file_read_exact(f->f, f->ibNext, pv, n));
    f->ibNext += n;
    *pcbActual = n;
fail:
    return err;
}
