/* test_log_read.c: the log reader's rules: power loss at random points (every acknowledged
 * record back intact, a clean end at the torn tail, nothing invented), torn vs durable segment
 * damage, missing generations, foreign signature, broken tmPrevGen chain, renamed files.
 */
#include <stdatomic.h>
#include <unistd.h>

#include "test_log_env.h"

/* ---- power loss ---- */

typedef struct pl_ctx {
    bj_log *log;
    atomic_uint appended; /* records appended (indexes 0..appended-1) */
    atomic_uint acked;    /* records covered by a completed flush */
    atomic_bool stop;
} pl_ctx;

static void *pl_writer(void *arg)
{
    pl_ctx *c = arg;
    for (uint32_t i = 0; !atomic_load(&c->stop); i++) {
        bj_lsn lsnEnd;
        atomic_store(&c->appended, i + 1); /* before: the append may reach the disk */
        if (rec_append(c->log, 0, i, rec_size(i) % 9000 + 8, NULL, &lsnEnd) < 0)
            break;
        if (i % 3 == 0) {
            if (bj_log_flush(c->log, lsnEnd) < 0)
                break;
            atomic_store(&c->acked, i + 1);
        }
    }
    return NULL;
}

TEST(power_loss_at_random_points)
{
    for (uint64_t seed = 1; seed <= 60; seed++) {
        bj_os *os = bj_os_mem_create();
        bj_os *fos = bj_os_fault_create(os); /* to stop all I/O at the power loss */
        bj_log *log = NULL;
        pl_ctx c;
        bj_thread th;
        memset(&c, 0, sizeof(c));
        REQUIRE_OK(log_open_new(fos, 64 * 1024, false, &log));
        c.log = log;
        REQUIRE_OK(bj_thread_start(&th, pl_writer, &c));
        usleep((useconds_t)(200 + (seed * 7919) % 20000));
        uint32_t acked = atomic_load(&c.acked);
        /* The machine stops: no later call reaches the files (the writer thread would otherwise
         * go on renaming files after the simulated power loss), then the unsynced state is
         * lost or torn. */
        bj_os_fault_set(fos, 1, 0, (BJ_FAULT_ALL_KINDS & ~BJ_FAULT_ALLOC) | BJ_FAULT_STICKY);
        bj_os_mem_power_loss(os, seed);
        atomic_store(&c.stop, true);
        bj_thread_join(th);
        uint32_t appended = atomic_load(&c.appended);
        bj_log_close(log);

        uint32_t n;
        bool bad;
        bj_lsn end = 0;
        JET_ERR err = read_all(os, 0, &n, 0, &bad, &end);
        CHECK_OK(err);
        CHECK(!bad);
        CHECK(n >= acked);
        CHECK(n <= appended);
        if (err || bad || n < acked || n > appended)
            fprintf(stderr, "seed %" PRIu64 ": err %d n %u acked %u appended %u\n", seed, (int)err,
                    n, acked, appended);
        bj_os_fault_destroy(fos);
        bj_os_mem_destroy(os);
    }
}

/* ---- damage ---- */

/* One generation (1 MiB file) with 40 records, each flushed: a segment per flush. Returns the
 * lsns. */
static void one_gen(bj_os *os, bj_lsn *rglsn, uint32_t n, uint32_t cb)
{
    bj_log *log = NULL;
    if (log_open_new(os, 1024 * 1024, false, &log) < 0)
        return;
    for (uint32_t i = 0; i < n; i++) {
        bj_lsn lsnEnd;
        rec_append(log, 0, i, cb, &rglsn[i], &lsnEnd);
        bj_log_flush(log, lsnEnd);
    }
    bj_log_close(log);
}

static void flip(bj_os *os, const char *path, uint64_t off)
{
    uint8_t b = 0;
    size_t got;
    bj_file *f = NULL;
    bj_file_open(os, path, BJ_OPEN_READONLY, &f);
    bj_file_read(f, off, &b, 1, &got);
    bj_file_close(f);
    b ^= 0x10;
    patch_file(os, path, off, &b, 1);
}

TEST(durable_segment_damaged_is_corrupt)
{
    bj_os *os = bj_os_mem_create();
    bj_lsn l[40];
    one_gen(os, l, 40, 100);
    uint32_t n;
    bool bad;
    CHECK_OK(read_all(os, 0, &n, 0, &bad, NULL));
    CHECK_EQ(n, 40);
    /* record 10's segment: later segments were written by later flushes */
    flip(os, LOGDIR "/edb.log", BJ_LSN_OFF(l[10]) + 20);
    /* a generation is checked whole before any of its records is returned */
    CHECK_ERR(read_all(os, 0, &n, 0, &bad, NULL), JET_errLogFileCorrupt);
    CHECK_EQ(n, 0);
    CHECK(!bad);
    bj_os_mem_destroy(os);
}

TEST(torn_last_write_ends_quietly)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    bj_lsn lsnEnd, lsnBig;
    REQUIRE_OK(log_open_new(os, 1024 * 1024, false, &log));
    for (uint32_t i = 0; i < 5; i++) {
        REQUIRE_OK(rec_append(log, 0, i, 100, NULL, &lsnEnd));
        REQUIRE_OK(bj_log_flush(log, lsnEnd));
    }
    bj_lsn lsnEnd4 = lsnEnd;
    /* one flush of 4 segments: a big record then a small one */
    REQUIRE_OK(rec_append(log, 0, 5, 12000, &lsnBig, NULL));
    REQUIRE_OK(rec_append(log, 0, 6, 50, NULL, &lsnEnd));
    REQUIRE_OK(bj_log_flush(log, lsnEnd));
    bj_log_close(log);
    uint32_t n;
    bool bad;
    bj_lsn end = 0;
    /* the middle segment of that flush lost (later ones of the same flush survived) */
    uint8_t zero[4096];
    memset(zero, 0, sizeof(zero));
    uint32_t isegBig = BJ_LSN_OFF(lsnBig) / 4096;
    patch_file(os, LOGDIR "/edb.log", (uint64_t)(isegBig + 1) * 4096, zero, sizeof(zero));
    CHECK_OK(read_all(os, 0, &n, 0, &bad, &end));
    CHECK_EQ(n, 5);
    CHECK(!bad);
    CHECK_EQ(end, lsnEnd4); /* after record 4 */
    CHECK(end < lsnBig);
    /* the same in a finished generation: corrupt */
    bj_log_start s = {.fNewStream = false};
    bj_log_hdr h;
    REQUIRE_OK(bj_log_read_header(os, LOGDIR "/edb.log", &h));
    s.signLog = h.signLog;
    s.genNext = 2;
    s.tmPrevGen = h.tmCreate;
    bj_log_config c = log_cfg(os, 1024 * 1024, false);
    REQUIRE_OK(bj_log_open(&c, &s, &log));
    bj_log_close(log);
    CHECK_ERR(read_all(os, 0, &n, 0, &bad, NULL), JET_errLogFileCorrupt);
    bj_os_mem_destroy(os);
}

TEST(random_damage_never_crashes)
{
    for (uint32_t k = 0; k < 200; k++) {
        bj_os *os = bj_os_mem_create();
        bj_log *log = NULL;
        REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
        for (uint32_t i = 0; i < 30; i++) {
            bj_lsn e;
            REQUIRE_OK(rec_append(log, 0, i, rec_size(i) % 5000 + 8, NULL, &e));
            if (i % 4 == 0)
                REQUIRE_OK(bj_log_flush(log, e));
        }
        bj_log_close(log);
        uint64_t x = (uint64_t)k * 0x9e3779b97f4a7c15ull + 1;
        char sz[BJ_PATH_MAX];
        uint32_t g = 1 + (uint32_t)(x >> 40) % 3;
        gen_path(sz, g);
        uint64_t off = (x >> 8) % (64 * 1024);
        uint8_t v = (uint8_t)(x >> 56);
        patch_file(os, sz, off, &v, 1);
        uint32_t n;
        bool bad;
        JET_ERR err = read_all(os, 0, &n, 0, &bad, NULL);
        CHECK(!bad); /* every record returned is one that was written */
        CHECK(err == 0 || err == JET_errLogFileCorrupt || err == JET_errBadLogVersion ||
              err == JET_errLogGenerationMismatch || err == JET_errInvalidLogSequence ||
              err == JET_errBadLogSignature || err == JET_errMissingPreviousLogFile);
        bj_os_mem_destroy(os);
    }
}

/* ---- sequence errors ---- */

static uint32_t make_gens(bj_os *os, uint32_t genMin)
{
    bj_log *log = NULL;
    if (log_open_new(os, 64 * 1024, false, &log) < 0)
        return 0;
    for (uint32_t i = 0; bj_log_generation(log) < genMin; i++)
        rec_append(log, 0, i, 5000, NULL, NULL);
    rec_append(log, 0, 999999, 100, NULL, NULL);
    uint32_t g = bj_log_generation(log);
    bj_log_close(log);
    return g;
}

TEST(missing_generations)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n;
    bool bad;
    char sz[BJ_PATH_MAX];
    REQUIRE(make_gens(os, 5) == 5);
    CHECK_OK(read_all(os, 0, &n, 99, &bad, NULL));
    gen_path(sz, 3);
    REQUIRE_OK(bj_os_remove(os, sz));
    CHECK_ERR(read_all(os, 0, &n, 99, &bad, NULL), JET_errMissingLogFile);
    CHECK_ERR(read_all(os, BJ_LSN_MAKE(3, 0), &n, 99, &bad, NULL), JET_errMissingPreviousLogFile);
    CHECK_OK(read_all(os, BJ_LSN_MAKE(4, 0), &n, 99, &bad, NULL));
    REQUIRE_OK(bj_os_remove(os, LOGDIR "/edb.log"));
    CHECK_ERR(read_all(os, BJ_LSN_MAKE(4, 0), &n, 99, &bad, NULL), JET_errMissingLogFile);
    bj_os_mem_destroy(os);
}

/* A roll stopped between its renames (edb.log already archived, edbtmp.log not yet edb.log):
 * the log ends cleanly at the last archive; edb.log simply gone is still a missing file. */
TEST(interrupted_roll_ends_at_last_archive)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n, nAll;
    bool bad;
    char sz[BJ_PATH_MAX];
    const uint32_t gmax = make_gens(os, 4);
    REQUIRE(gmax >= 4);
    CHECK_OK(read_all(os, 0, &nAll, 99, &bad, NULL));
    gen_path(sz, gmax);
    REQUIRE_OK(bj_os_rename(os, LOGDIR "/edb.log", sz));
    CHECK_OK(read_all(os, 0, &n, 99, &bad, NULL));
    CHECK_EQ(n, nAll); /* every record, the last generation now an archive */
    CHECK(!bad);
    /* without the chained edbtmp.log it is a missing edb.log */
    REQUIRE_OK(bj_os_remove(os, LOGDIR "/edbtmp.log"));
    CHECK_ERR(read_all(os, 0, &n, 99, &bad, NULL), JET_errMissingLogFile);
    bj_os_mem_destroy(os);
}

/* A second reader takes the generations the first one verified from the cache: the same
 * records, and the files are not read again (a generation changed on disk in between is not
 * seen: the cache is for one recovery's two passes). Over the budget, generations are read. */
TEST(second_reader_uses_the_cache)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n1, n2, n3;
    bool bad;
    bj_lsn e1 = 0, e2 = 0;
    REQUIRE(make_gens(os, 4) >= 4);
    bj_logr_cache *c = bj_logr_cache_new(1ull << 30);
    REQUIRE(c != NULL);
    CHECK_OK(read_all_cached(os, 0, &n1, 99, &bad, &e1, c, true));
    CHECK(!bad);
    char sz[BJ_PATH_MAX];
    gen_path(sz, 2);
    REQUIRE_OK(bj_os_remove(os, sz)); /* gone from disk, still in the cache */
    CHECK_OK(read_all_cached(os, 0, &n2, 99, &bad, &e2, c, false));
    CHECK(!bad);
    CHECK_EQ(n2, n1);
    CHECK_EQ(e2, e1);
    bj_logr_cache_free(c);
    /* a budget of nothing keeps nothing: the missing generation shows */
    c = bj_logr_cache_new(0);
    CHECK_ERR(read_all_cached(os, 0, &n3, 99, &bad, NULL, c, true), JET_errMissingLogFile);
    bj_logr_cache_free(c);
    bj_os_mem_destroy(os);
}

TEST(foreign_signature)
{
    bj_os *os = bj_os_mem_create();
    bj_os *os2 = bj_os_mem_create();
    uint32_t n;
    bool bad;
    char sz[BJ_PATH_MAX];
    REQUIRE(make_gens(os, 4) == 4);
    REQUIRE(make_gens(os2, 4) == 4);
    /* gen 3 of the other stream, byte for byte */
    gen_path(sz, 3);
    bj_file *f = NULL;
    uint8_t *p = malloc(64 * 1024);
    size_t got = 0;
    REQUIRE_OK(bj_file_open(os2, sz, BJ_OPEN_READONLY, &f));
    bj_file_read(f, 0, p, 64 * 1024, &got);
    bj_file_close(f);
    patch_file(os, sz, 0, p, got);
    free(p);
    CHECK_ERR(read_all(os, 0, &n, 99, &bad, NULL), JET_errBadLogSignature);
    bj_os_mem_destroy(os);
    bj_os_mem_destroy(os2);
}

TEST(broken_tmprevgen_chain)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n;
    bool bad;
    char sz[BJ_PATH_MAX];
    REQUIRE(make_gens(os, 4) == 4);
    gen_path(sz, 3);
    bj_log_hdr *h = malloc(sizeof(*h));
    uint8_t *area = malloc(BJ_LOG_CB_HDRAREA);
    REQUIRE_OK(bj_log_read_header(os, sz, h));
    h->tmPrevGen.sec ^= 1;
    bj_log_hdr_encode(h, area);
    patch_file(os, sz, 0, area, BJ_LOG_CB_HDRAREA);
    CHECK_ERR(read_all(os, 0, &n, 99, &bad, NULL), JET_errInvalidLogSequence);
    /* starting at gen 3 does not check the link to gen 2 */
    CHECK_OK(read_all(os, BJ_LSN_MAKE(3, 0), &n, 99, &bad, NULL));
    free(h);
    free(area);
    bj_os_mem_destroy(os);
}

TEST(renamed_file_generation_mismatch)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n;
    bool bad;
    char sz2[BJ_PATH_MAX], sz3[BJ_PATH_MAX];
    REQUIRE(make_gens(os, 4) == 4);
    gen_path(sz2, 2);
    gen_path(sz3, 3);
    REQUIRE_OK(bj_os_remove(os, sz2));
    REQUIRE_OK(bj_os_rename(os, sz3, sz2));
    CHECK_ERR(read_all(os, 0, &n, 99, &bad, NULL), JET_errLogGenerationMismatch);
    bj_os_mem_destroy(os);
}

TEST(five_digit_archive_names_are_read)
{
    bj_os *os = bj_os_mem_create();
    uint32_t n, n2;
    bool bad;
    char sz[BJ_PATH_MAX];
    REQUIRE(make_gens(os, 3) == 3);
    CHECK_OK(read_all(os, 0, &n, 99, &bad, NULL));
    gen_path(sz, 2);
    REQUIRE_OK(bj_os_rename(os, sz, LOGDIR "/edb00002.log"));
    CHECK_OK(read_all(os, 0, &n2, 99, &bad, NULL));
    CHECK_EQ(n, n2);
    bj_os_mem_destroy(os);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
