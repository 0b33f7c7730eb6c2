/* bk_dbstream.c: the stream of a database in an external backup (ese-backup-spec.md §2.3,
 * §2.4, §5): two copies of a header snapshot, pages 1..pgnoLast read live from the file, then
 * the trailer page (bk_trailer.h).
 *
 * The header snapshot is taken (under the header lock) before the size is sampled, so its
 * required-generation range covers every page copied; pgnoLast is the larger of the file's
 * size in pages and the cache's size of the database (pages the space layer owns but never
 * wrote read as zeros beyond the end of the file, and are copied as zero pages). Pages grown
 * after OpenFile are not copied: redo of the log from copyMic recreates them.
 *
 * Pages are read with pread in chunks of up to 128 KiB under a page-range lock of the buffer
 * cache (no page in the chunk is being written meanwhile), bypassing the cache; a caller's
 * larger read is several chunks. 128 KiB keeps a chunk in the CPU's L2 cache for the
 * verification right after the pread, and the range held (the cache's writes of pages in it
 * wait) for tens of microseconds rather than the time of a 1 MiB copy. Every page is
 * verified (checksum, which covers the page number; all-zero pages are accepted); a chunk that
 * fails is re-read up to 16 times, sleeping 100 ms x attempt as ESE does (the lock is released
 * while sleeping), then the read fails with JET_errReadVerifyFailure (or the I/O error).
 */
#include <time.h>

#include "backup/bk_int.h"
#include "backup/bk_trailer.h"
#include "buf/buf.h"
#include "common/checksum.h"

#define BK_CHUNK_CB (1u << 17)
#define BK_RETRIES 16

static _Atomic uint32_t g_retry_ms = 100;

void bj_bk_test_set_retry_ms(uint32_t ms)
{
    atomic_store(&g_retry_ms, ms);
}

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

JET_ERR bk_db_open(bj_backup *bk, bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    bk_file *f = &bk->file;
    bj_dbhdr hdr;
    uint8_t *pg = bj_alloc_aligned(db->cbPage);
    if (!pg)
        ERR(JET_errOutOfMemory);
    /* header first, then the size (§5: the image's required range covers the copied size) */
    bj_ilog_db_header_snapshot(db, &hdr);
    uint64_t cbFile = 0;
    CALL(bj_file_size(db->file, &cbFile));
    uint64_t cpg = cbFile / db->cbPage;
    cpg = cpg > 2 ? cpg - 2 : 0;
    const uint32_t cpgCache = bj_buf_db_size(db->bdb);
    if (cpgCache > cpg)
        cpg = cpgCache;
    if (cpg > UINT32_MAX - 3)
        ERR(JET_errDatabaseCorrupted);
    hdr.bkinfoFullCur.lgposMark = bk->mark;
    hdr.bkinfoFullCur.logtimeMark = bk->markTime;
    hdr.bkinfoFullCur.genLow = bk->copyMic;
    hdr.bkinfoFullCur.genHigh = 0;
    CALL(bj_dbhdr_encode(&hdr, pg, db->cbPage));
    f->kind = BK_FILE_DB;
    f->db = db;
    f->pgnoLast = (uint32_t)cpg;
    f->hdrPage = pg;
    pg = NULL;
    f->cbTotal = ((uint64_t)f->pgnoLast + 3) * db->cbPage;
    f->ibNext = 0;
fail:
    bj_free_aligned(pg);
    return err;
}

/* Whether every page of the n-page chunk of pages pgFirst.. at dst verifies. */
static bool chunk_ok(const uint8_t *dst, uint32_t cbPage, uint32_t pgFirst, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *pg = dst + (size_t)i * cbPage;
        if (bj_checksum_page_ok(pg, cbPage, pgFirst + i))
            continue;
        for (uint32_t b = 0; b < cbPage; b++)
            if (pg[b])
                return false;
    }
    return true;
}

/* Reads pages pgFirst..pgFirst+n-1 of db into dst, locked, verified, with ESE's retries. */
static JET_ERR read_pages(bj_db *db, uint32_t pgFirst, uint32_t n, uint8_t *dst)
{
    JET_ERR err = JET_errSuccess;
    const size_t cb = (size_t)n * db->cbPage;
    for (uint32_t attempt = 0;; attempt++) {
        uint32_t tok = 0;
        size_t cbRead = 0;
        CALL(bj_buf_range_lock(db->bdb, pgFirst, pgFirst + n - 1, &tok));
        err = bj_file_read(db->file, ((uint64_t)pgFirst + 1) * db->cbPage, dst, cb, &cbRead);
        bj_buf_range_unlock(db->bdb, tok);
        if (err >= 0) {
            if (cbRead < cb) /* owned but never written: beyond the end of the file */
                memset(dst + cbRead, 0, cb - cbRead);
            if (chunk_ok(dst, db->cbPage, pgFirst, n))
                return JET_errSuccess;
            err = BJ_ERR(JET_errReadVerifyFailure);
        }
        if (attempt >= BK_RETRIES)
            break;
        sleep_ms(atomic_load(&g_retry_ms) * (attempt + 1));
    }
fail:
    return err;
}

/* The trailer page: the backup's range and the database's state at the end of the copy. */
static JET_ERR make_trailer(bj_backup *bk, uint8_t *dst)
{
    bk_file *f = &bk->file;
    bj_dbhdr hdr;
    bj_ilog_db_header_snapshot(f->db, &hdr);
    bj_bk_trailer t;
    memset(&t, 0, sizeof(t));
    t.bkinfo.lgposMark = bk->mark;
    t.bkinfo.logtimeMark = bk->markTime;
    t.bkinfo.genLow = bk->copyMic;
    bj_log *log = bj_ilog_log(bk->inst);
    if (!log)
        return BJ_ERR(JET_errLogWriteFail);
    t.bkinfo.genHigh = BJ_MAX(bj_log_generation(log), hdr.genMaxCommitted);
    t.signDb = hdr.signDb;
    bj_log_signature(log, &t.signLog);
    t.genMinRequired = hdr.genMinRequired;
    t.genMaxRequired = hdr.genMaxRequired;
    t.genMaxCommitted = hdr.genMaxCommitted;
    t.logtimeGenMaxRequired = hdr.logtimeGenMaxRequired;
    t.logtimeGenMaxCommitted = hdr.logtimeGenMaxCreate;
    bj_bk_trailer_encode(&t, f->pgnoLast, dst, f->db->cbPage);
    return JET_errSuccess;
}

JET_ERR bk_db_read(bj_backup *bk, uint8_t *pv, uint32_t cb, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    bk_file *f = &bk->file;
    const uint32_t cbPage = f->db->cbPage;
    const uint64_t cpgTotal = (uint64_t)f->pgnoLast + 3;
    uint32_t cpgOut = cb / cbPage, cpgDone = 0;
    *pcbActual = 0;
    if (f->ibNext == 0 && cpgOut < 3)
        ERR(JET_errInvalidParameter);
    uint64_t s = f->ibNext / cbPage;
    while (cpgDone < cpgOut && s < cpgTotal) {
        uint8_t *dst = pv + (size_t)cpgDone * cbPage;
        uint32_t n = 1;
        if (s < 2) {
            memcpy(dst, f->hdrPage, cbPage);
        } else if (s <= (uint64_t)f->pgnoLast + 1) {
            const uint32_t pgFirst = (uint32_t)(s - 1);
            n = BJ_MIN(cpgOut - cpgDone, BK_CHUNK_CB / cbPage);
            n = BJ_MIN(n, f->pgnoLast - pgFirst + 1);
            CALL(read_pages(f->db, pgFirst, n, dst));
        } else {
            CALL(make_trailer(bk, dst));
        }
        cpgDone += n;
        s += n;
        f->ibNext = s * cbPage;
        *pcbActual = cpgDone * cbPage;
    }
fail:
    return err;
}
