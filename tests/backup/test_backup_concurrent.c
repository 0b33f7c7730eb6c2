/* test_backup_concurrent.c: a full streaming backup taken while two threads keep inserting
 * rows (ese-backup-spec.md §5, §8 item 10): with a small cache the pages are written back
 * while the backup reads them, and the page-range locks keep every streamed page whole: each
 * is checksum-valid (or all zero), the trailer decodes, the bytes read equal the size OpenFile
 * reported, the database grows meanwhile (growth after OpenFile is not copied). Also prints
 * the writers' rate during the backup against without one, and the time from Begin to the
 * first byte.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "backup/bk_trailer.h"
#include "bkt.h"
#include "common/checksum.h"
#include "log/log.h"
#include "page/dbhdr.h"

typedef struct writer {
    bkt *b;
    int id;
    _Atomic bool *stop;
    _Atomic uint64_t rows;
    JET_ERR err;
    pthread_t th;
} writer;

static void *writer_main(void *pv)
{
    writer *w = pv;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    JET_COLUMNID cId, cPay;
    JET_COLUMNDEF cd;
    JET_ERR err = JetBeginSession(w->b->inst, &s, NULL, NULL);
    if (err >= 0)
        err = JetOpenDatabase(s, w->b->db, NULL, &db, 0);
    if (err >= 0)
        err = JetOpenTable(s, db, "t", NULL, 0, 0, &t);
    if (err >= 0)
        err = JetGetTableColumnInfo(s, t, "id", &cd, sizeof cd, JET_ColInfo);
    cId = cd.columnid;
    if (err >= 0)
        err = JetGetTableColumnInfo(s, t, "pay", &cd, sizeof cd, JET_ColInfo);
    cPay = cd.columnid;
    int32_t next = (w->id + 1) * 10000000;
    uint32_t rnd = 12345u + (uint32_t)w->id;
    static char pay[1200];
    while (err >= 0 && !atomic_load(w->stop)) {
        err = bkt_insert(s, t, cId, cPay, next, 10, 1200);
        next += 10;
        atomic_fetch_add(&w->rows, 10);
        /* and rewrite an old row: changes spread over every page of the table */
        for (int k = 0; k < 5 && err >= 0; k++) {
            rnd = rnd * 1103515245u + 12345u;
            int32_t id = 1 + (int32_t)((rnd >> 8) % 1500);
            err = JetBeginTransaction(s);
            if (err >= 0)
                err = JetMakeKey(s, t, &id, 4, JET_bitNewKey);
            if (err >= 0)
                err = JetSeek(s, t, JET_bitSeekEQ);
            if (err >= 0)
                err = JetPrepareUpdate(s, t, JET_prepReplace);
            memset(pay, 'a' + (int)(rnd % 26), sizeof pay);
            if (err >= 0)
                err = JetSetColumn(s, t, cPay, pay, 1000 + (rnd >> 20) % 200, 0, NULL);
            if (err >= 0)
                err = JetUpdate(s, t, NULL, 0, NULL);
            if (err >= 0)
                err = JetCommitTransaction(s, 0);
            else
                JetRollback(s, 0);
            if (err == JET_errWriteConflict)
                err = JET_errSuccess; /* the other writer has that row */
        }
    }
    w->err = err;
    JetEndSession(s, 0);
    return NULL;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One full backup of the database, streamed cbChunk bytes at a time and checked page by page;
 * *ptFirst = time of the first byte after Begin. fLogs: also GetLogInfo, stream the logs and
 * End(Normal); else End(Abort) after the database. */
static void one_backup(bkt *b, uint32_t cbChunk, bool fLogs, uint64_t *pdtFirst, uint32_t *pcpg,
                       uint32_t *pnData)
{
    const uint64_t t0 = now_ns();
    CHECK_OK(JetBeginExternalBackupInstance(b->inst, 0));
    JET_HANDLE h;
    uint32_t lo, hi;
    CHECK_OK(JetOpenFileInstance(b->inst, b->db, &h, &lo, &hi));
    const uint64_t cbReported = ((uint64_t)hi << 32) | lo;
    uint8_t *chunk = aligned_alloc(4096, cbChunk);
    uint8_t *all = malloc(cbReported + cbChunk);
    uint64_t cb = 0, tFirst = 0;
    for (;;) {
        uint32_t got = 0;
        JET_ERR err = JetReadFileInstance(b->inst, h, chunk, cbChunk, &got);
        CHECK_OK(err);
        if (!tFirst)
            tFirst = now_ns();
        if (err < 0 || got == 0)
            break;
        REQUIRE(cb + got <= cbReported);
        memcpy(all + cb, chunk, got);
        cb += got;
        sched_yield();
    }
    CHECK_OK(JetCloseFileInstance(b->inst, h));
    CHECK_EQ(cb, cbReported);
    const uint32_t pgnoLast = (uint32_t)(cb / 8192) - 3;
    bj_dbhdr hdr;
    CHECK_OK(bj_dbhdr_decode(all, 8192, &hdr));
    uint32_t nBad = 0, nData = 0;
    for (uint32_t pgno = 1; pgno <= pgnoLast; pgno++) {
        const uint8_t *pg = all + (uint64_t)(pgno + 1) * 8192;
        bool zero = true;
        for (uint32_t i = 0; i < 8192 && zero; i++)
            zero = pg[i] == 0;
        if (zero)
            continue;
        nData++;
        if (!bj_checksum_page_ok(pg, 8192, pgno))
            nBad++;
    }
    CHECK_EQ(nBad, 0);
    CHECK(nData > 100);
    bj_bk_trailer t;
    CHECK_OK(bj_bk_trailer_decode(all + cb - 8192, 8192, pgnoLast, &t));
    CHECK_EQ(t.bkinfo.genLow, hdr.bkinfoFullCur.genLow);
    if (fLogs) {
        uint32_t cbl = 0;
        CHECK_OK(JetGetLogInfoInstance(b->inst, NULL, 0, &cbl));
        char *logs = calloc(1, cbl);
        CHECK_OK(JetGetLogInfoInstance(b->inst, logs, cbl, &cbl));
        for (const char *p = logs; *p; p += strlen(p) + 1) {
            uint8_t *lall;
            uint64_t lcb;
            CHECK_OK(JetOpenFileInstance(b->inst, p, &h, &lo, &hi));
            CHECK_OK(bkt_read_all(b->inst, h, 65536, &lall, &lcb));
            free(lall);
            CHECK_OK(JetCloseFileInstance(b->inst, h));
        }
        free(logs);
        CHECK_OK(JetEndExternalBackupInstance(b->inst));
    } else {
        CHECK_OK(JetEndExternalBackupInstance2(b->inst, JET_bitBackupEndAbort));
    }
    *pdtFirst = tFirst - t0;
    *pcpg = pgnoLast;
    *pnData = nData;
    free(all);
    free(chunk);
}

static uint64_t rows_of(writer *w)
{
    return atomic_load(&w[0].rows) + atomic_load(&w[1].rows);
}

TEST(full_backup_while_two_threads_write)
{
    bkt b;
    REQUIRE(bkt_open(&b, "c1", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 1500, 1500) >= 0);
    JetCloseTable(b.s, b.t);
    _Atomic bool stop = false;
    writer w[2];
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].b = &b;
        w[i].id = i;
        w[i].stop = &stop;
        REQUIRE(pthread_create(&w[i].th, NULL, writer_main, &w[i]) == 0);
    }
    /* the writers' rate without a backup, then while backups run back to back (each one
     * streamed in 3-page reads and checked), alternating twice */
    uint64_t nsIdle = 0, nsBk = 0, rowsIdle = 0, rowsBk = 0, dtFirstMax = 0;
    uint32_t nBackups = 0, cpg = 0, nData = 0;
    for (int round = 0; round < 2; round++) {
        uint64_t r0 = rows_of(w), t0 = now_ns();
        struct timespec idle = {0, 500 * 1000 * 1000};
        nanosleep(&idle, NULL);
        rowsIdle += rows_of(w) - r0;
        nsIdle += now_ns() - t0;
        r0 = rows_of(w);
        t0 = now_ns();
        while (now_ns() - t0 < 500ull * 1000 * 1000) {
            uint64_t dt = 0;
            one_backup(&b, 3 * 8192, nBackups % 4 == 0, &dt, &cpg, &nData);
            dtFirstMax = dt > dtFirstMax ? dt : dtFirstMax;
            nBackups++;
        }
        rowsBk += rows_of(w) - r0;
        nsBk += now_ns() - t0;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(w[i].th, NULL);
        CHECK_OK(w[i].err);
    }
    const double rIdle = (double)rowsIdle * 1e9 / (double)nsIdle;
    const double rBk = (double)rowsBk * 1e9 / (double)nsBk;
    struct stat st;
    REQUIRE(stat(b.db, &st) == 0);
    printf("  %u backups (last image %u pages, %u non-zero; file now %lld pages); "
           "Begin->first byte at most %.2f ms; writers %.0f rows/s during backups vs %.0f "
           "without (ratio %.2f)\n",
           nBackups, cpg, nData, (long long)(st.st_size / 8192) - 2, (double)dtFirstMax / 1e6, rBk,
           rIdle, rIdle > 0 ? rBk / rIdle : 0.0);
    CHECK(nBackups >= 2);
    JetEndSession(b.s, 0);
    CHECK_OK(JetTerm2(b.inst, JET_bitTermComplete));
}

/* Circular logging deletes archives below the checkpoint; while a full backup runs it keeps
 * every generation from copyMic on, so each log GetLogInfo lists can be streamed. */
TEST(circular_logging_keeps_the_backup_logs)
{
    bkt b;
    g_bkt_chk_depth = 1u << 20; /* the checkpoint follows the log closely */
    REQUIRE(bkt_open(&b, "c2", true) >= 0);
    g_bkt_chk_depth = 0;
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 200, 1500) >= 0);
    bj_chk_info *chk = malloc(sizeof(*chk));
    REQUIRE(bj_chk_read(bj_os_posix(), b.dir, "edb", chk) == 0);
    const uint32_t gen0 = BJ_LSN_GEN(chk->lsnCheckpoint);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    /* generations and checkpoints while the backup runs, until the checkpoint is well past the
     * generation the backup started from (circular logging would delete those) */
    const uint64_t tEnd = now_ns() + 20000ull * 1000000ull;
    int32_t next = 1000;
    uint32_t genChk = gen0;
    while (now_ns() < tEnd && genChk < gen0 + 4) {
        REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, next, 50, 1500) >= 0);
        next += 50;
        REQUIRE(bj_chk_read(bj_os_posix(), b.dir, "edb", chk) == 0);
        genChk = BJ_LSN_GEN(chk->lsnCheckpoint);
    }
    CHECK(genChk >= gen0 + 4);
    free(chk);
    JET_LOGINFO li = {sizeof(li), 0, 0, ""};
    uint32_t cbl = 0;
    CHECK_OK(JetGetLogInfoInstance2(b.inst, NULL, 0, &cbl, &li));
    char *logs = calloc(1, cbl);
    CHECK_OK(JetGetLogInfoInstance(b.inst, logs, cbl, &cbl));
    CHECK(li.ulGenHigh - li.ulGenLow >= 3);
    int n = 0;
    for (const char *p = logs; *p; p += strlen(p) + 1, n++) {
        JET_HANDLE h;
        uint32_t lo, hi;
        uint8_t *lall;
        uint64_t lcb;
        CHECK_OK(JetOpenFileInstance(b.inst, p, &h, &lo, &hi));
        CHECK_OK(bkt_read_all(b.inst, h, 65536, &lall, &lcb));
        free(lall);
        CHECK_OK(JetCloseFileInstance(b.inst, h));
    }
    CHECK_EQ(n, (int)(li.ulGenHigh - li.ulGenLow + 1));
    CHECK_OK(JetTruncateLogInstance(b.inst));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    /* after the backup the old generations go again at the next checkpoint */
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, next, 100, 1500) >= 0);
    struct timespec ts = {2, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    char p0[1200];
    bkt_log_name(&b, li.ulGenLow, p0, sizeof p0);
    printf("  backup held generations %u..%u; first one after the backup: %s\n", li.ulGenLow,
           li.ulGenHigh, bkt_exists(p0) ? "kept" : "deleted");
    free(logs);
    bkt_close(&b);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
