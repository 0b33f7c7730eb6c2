/* test_log.c: the log writer: names, append/flush/read back across segments and generations,
 * header fields, concurrent appenders, group commit, checkpoint file, circular deletion,
 * reserve logs, write/fsync failures (the log goes down).
 */
#include <stdatomic.h>
#include <unistd.h>

#include "test_log_env.h"

TEST(names)
{
    char sz[BJ_PATH_MAX];
    CHECK_OK(bj_log_name_current(sz, sizeof(sz), "/l", "edb"));
    CHECK_STR(sz, "/l/edb.log");
    CHECK_OK(bj_log_name_gen(sz, sizeof(sz), "/l", "edb", 0x1a));
    CHECK_STR(sz, "/l/edb0000001A.log");
    CHECK_OK(bj_log_name_chk(sz, sizeof(sz), "/s", "edb"));
    CHECK_STR(sz, "/s/edb.chk");
    CHECK_OK(bj_log_name_reserve(sz, sizeof(sz), "/l", "edb", 2));
    CHECK_STR(sz, "/l/edbres00002.jrs");
    CHECK_OK(bj_log_name_tmp(sz, sizeof(sz), "/l", "edb"));
    CHECK_STR(sz, "/l/edbtmp.log");
    CHECK_ERR(bj_log_name_gen(sz, sizeof(sz), "/l", "edbx", 1), JET_errInvalidParameter);
    CHECK_EQ(bj_log_parse_gen("edb0000001A.log", "edb"), 0x1a);
    CHECK_EQ(bj_log_parse_gen("edb0000001a.log", "edb"), 0x1a);
    CHECK_EQ(bj_log_parse_gen("EDB0001A.LOG", "edb"), 0x1a);
    CHECK_EQ(bj_log_parse_gen("edbFFFFF.log", "edb"), 0xfffff);
    CHECK_EQ(bj_log_parse_gen("edb1A.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edb000001A.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edb.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edbtmp.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edb0000G01A.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edb00000000.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edb0000001A.jrs", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("abc0000001A.log", "edb"), 0);
    CHECK_EQ(bj_log_parse_gen("edbres00001.jrs", "edb"), 0);
}

TEST(lgpos_conversion)
{
    bj_lsn l = BJ_LSN_MAKE(7, 12288 + 32 + 1000);
    bj_lgpos p = bj_lsn_to_lgpos(l);
    CHECK_EQ(p.gen, 7);
    CHECK_EQ(p.isec, (12288 + 1032) / 512);
    CHECK_EQ(p.ib, (12288 + 1032) % 512);
    CHECK_EQ(bj_lgpos_to_lsn(&p), l);
}

static bool exists(bj_os *os, const char *path)
{
    bool e = false;
    bj_os_stat(os, path, &e, NULL, NULL);
    return e;
}

TEST(append_flush_read_across_generations)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    const uint32_t N = 600;
    bj_lsn prevEnd = 0, lsn13 = 0;
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    CHECK_EQ(bj_log_generation(log), 1);
    for (uint32_t i = 0; i < N; i++) {
        bj_lsn lsn, lsnEnd;
        REQUIRE_OK(rec_append(log, 0, i, rec_size(i), &lsn, &lsnEnd));
        CHECK(lsn >= prevEnd);
        CHECK(lsnEnd > lsn);
        prevEnd = lsnEnd;
        if (i == 13)
            lsn13 = lsn;
        if (i % 7 == 0) {
            CHECK_OK(bj_log_flush(log, lsnEnd));
            CHECK(bj_log_durable(log) >= lsnEnd);
        }
    }
    CHECK_EQ(bj_log_end(log), prevEnd);
    uint32_t genLast = bj_log_generation(log);
    CHECK(genLast > 20);
    bj_log_close(log);

    char sz[BJ_PATH_MAX];
    CHECK(exists(os, LOGDIR "/edb.log"));
    CHECK(exists(os, LOGDIR "/edbtmp.log"));
    CHECK(exists(os, LOGDIR "/edbres00001.jrs"));
    CHECK(exists(os, LOGDIR "/edbres00002.jrs"));
    gen_path(sz, genLast - 1);
    CHECK(exists(os, sz));
    gen_path(sz, 1);
    CHECK(exists(os, sz));

    /* header chain */
    bj_log_hdr h1, h2, hc;
    gen_path(sz, 1);
    REQUIRE_OK(bj_log_read_header(os, sz, &h1));
    gen_path(sz, 2);
    REQUIRE_OK(bj_log_read_header(os, sz, &h2));
    REQUIRE_OK(bj_log_read_header(os, LOGDIR "/edb.log", &hc));
    CHECK_EQ(h1.gen, 1);
    CHECK_EQ(hc.gen, genLast);
    CHECK_EQ(h1.cbLogFile, 64 * 1024);
    CHECK_EQ(h1.cbSegment, 4096);
    CHECK_EQ(h1.cbDbPage, 8192);
    CHECK_MEM(&h2.tmPrevGen, &h1.tmCreate, sizeof(bj_logtime));
    CHECK_MEM(&h1.signLog, &h2.signLog, sizeof(bj_signature));
    bj_logtime zero;
    memset(&zero, 0, sizeof(zero));
    CHECK_MEM(&h1.tmPrevGen, &zero, sizeof(zero));
    CHECK(h2.lsnPrevEnd != 0 && BJ_LSN_GEN(h2.lsnPrevEnd) == 1);
    /* file type at 667 */
    bj_file *f = NULL;
    uint8_t b[4];
    size_t got;
    REQUIRE_OK(bj_file_open(os, LOGDIR "/edb.log", BJ_OPEN_READONLY, &f));
    bj_file_read(f, 667, b, 4, &got);
    CHECK_EQ(bj_ld32(b), JET_filetypeLog);
    bj_file_close(f);

    uint32_t n;
    bool bad;
    bj_lsn end = 0;
    CHECK_OK(read_all(os, 0, &n, 0, &bad, &end));
    CHECK_EQ(n, N);
    CHECK(!bad);
    CHECK_EQ(end, prevEnd);
    /* from a position: the 14th record first */
    CHECK_OK(read_all(os, lsn13, &n, 99, &bad, NULL));
    CHECK_EQ(n, N - 13);
    CHECK(!bad);
    /* stop after a generation */
    bj_logr_config rc = {.os = os, .szLogPath = LOGDIR, .szBaseName = "edb", .genLast = 2};
    bj_logr *r = NULL;
    REQUIRE_OK(bj_logr_open(&rc, &r));
    for (;;) {
        bj_logr_rec rec;
        bool fEnd;
        REQUIRE_OK(bj_logr_next(r, &rec, &fEnd));
        if (fEnd)
            break;
        CHECK(BJ_LSN_GEN(rec.lsn) <= 2);
    }
    CHECK_EQ(bj_logr_last_header(r)->gen, 2);
    bj_logr_close(r);
    bj_os_mem_destroy(os);
}

TEST(bad_arguments)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    bj_log_config c = log_cfg(os, 60 * 1024, false);
    bj_log_start s = {.fNewStream = true};
    CHECK_ERR(bj_log_open(&c, &s, &log), JET_errInvalidParameter);
    c = log_cfg(os, 64 * 1024, false);
    c.fCreatePath = false;
    CHECK_ERR(bj_log_open(&c, &s, &log), JET_errInvalidPath);
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    uint8_t *big = calloc(1, BJ_LOG_RECORD_MAX + 1);
    bj_log_part p = {big, BJ_LOG_RECORD_MAX + 1};
    CHECK_ERR(bj_log_append(log, BJ_LR_NOP, &p, 1, NULL, NULL), JET_errInvalidParameter);
    p.cb = 60000; /* larger than a 64 KiB generation's data */
    CHECK_ERR(bj_log_append(log, BJ_LR_NOP, &p, 1, NULL, NULL), JET_errInvalidParameter);
    CHECK_ERR(bj_log_append(log, BJ_LR_MAX, &p, 0, NULL, NULL), JET_errInvalidParameter);
    p.cb = 0;
    CHECK_OK(bj_log_append(log, BJ_LR_NOP, &p, 1, NULL, NULL));
    free(big);
    bj_log_close(log);
    bj_os_mem_destroy(os);
}

TEST(large_records_and_explicit_roll)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    REQUIRE_OK(log_open_new(os, 4 * 1024 * 1024, false, &log));
    uint32_t sizes[] = {BJ_LOG_RECORD_MAX, 8, 4056, 4064, 4065, 100000, BJ_LOG_RECORD_MAX - 1};
    bj_lsn lsnEnd = 0;
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(sizes); i++)
        REQUIRE_OK(rec_append(log, 0, i, sizes[i], NULL, &lsnEnd));
    uint32_t genDone = 0;
    CHECK_OK(bj_log_roll(log, &genDone));
    CHECK_EQ(genDone, 1);
    CHECK_EQ(bj_log_generation(log), 2);
    CHECK(bj_log_durable(log) >= lsnEnd);
    REQUIRE_OK(rec_append(log, 0, 7, 50, NULL, &lsnEnd));
    bj_log_close(log);
    uint32_t n;
    bool bad;
    CHECK_OK(read_all(os, 0, &n, 0, &bad, NULL));
    CHECK_EQ(n, 8);
    CHECK(!bad);
    bj_os_mem_destroy(os);
}

/* ---- concurrency and group commit ---- */

typedef struct mt_ctx {
    bj_log *log;
    uint32_t tag, n;
    atomic_uint flushes;
    JET_ERR err;
} mt_ctx;

static void *mt_writer(void *arg)
{
    mt_ctx *c = arg;
    for (uint32_t i = 0; i < c->n; i++) {
        bj_lsn lsnEnd;
        JET_ERR err =
            rec_append(c->log, c->tag, i, rec_size(i * 13 + c->tag) % 3000 + 8, NULL, &lsnEnd);
        if (err == 0)
            err = bj_log_flush(c->log, lsnEnd);
        if (err == 0 && bj_log_durable(c->log) < lsnEnd)
            err = -1;
        if (err) {
            c->err = err;
            break;
        }
    }
    return NULL;
}

static void slow_write(void *ctx, const char *path, uint64_t off, const void *buf, size_t cb)
{
    (void)ctx, (void)off, (void)buf, (void)cb;
    if (strstr(path, LOGDIR "/"))
        usleep(300);
}

static void check_mt_read(bj_os *os, uint32_t nthreads, uint32_t nper)
{
    bj_logr_config rc = {.os = os, .szLogPath = LOGDIR, .szBaseName = "edb"};
    bj_logr *r = NULL;
    uint32_t *next = calloc(nthreads, sizeof(uint32_t));
    bj_lsn prev = 0;
    bool bad = false;
    REQUIRE_OK(bj_logr_open(&rc, &r));
    for (;;) {
        bj_logr_rec rec;
        bool fEnd;
        uint32_t tag, i;
        JET_ERR err = bj_logr_next(r, &rec, &fEnd);
        CHECK_OK(err);
        if (err || fEnd)
            break;
        if (!rec_ok(&rec, &tag, &i) || tag >= nthreads || next[tag] != i || rec.lsn <= prev)
            bad = true;
        else
            next[tag]++;
        prev = rec.lsn;
    }
    CHECK(!bad);
    for (uint32_t t = 0; t < nthreads; t++)
        CHECK_EQ(next[t], nper);
    bj_logr_close(r);
    free(next);
}

TEST(concurrent_appenders_every_record_once_in_order)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    enum { T = 6, NPER = 400 };
    mt_ctx c[T];
    bj_thread th[T];
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    for (uint32_t t = 0; t < T; t++) {
        memset(&c[t], 0, sizeof(c[t]));
        c[t].log = log;
        c[t].tag = t;
        c[t].n = NPER;
        REQUIRE_OK(bj_thread_start(&th[t], mt_writer, &c[t]));
    }
    for (uint32_t t = 0; t < T; t++) {
        bj_thread_join(th[t]);
        CHECK_OK(c[t].err);
    }
    CHECK(bj_log_generation(log) > 5);
    bj_log_close(log);
    check_mt_read(os, T, NPER);
    bj_os_mem_destroy(os);
}

TEST(group_commit_shares_fsyncs)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_log *log = NULL;
    enum { T = 8, NPER = 60 };
    mt_ctx c[T];
    bj_thread th[T];
    REQUIRE_OK(log_open_new(os, 8 * 1024 * 1024, false, &log));

    /* one thread: 100 appends then one flush = one write + one fsync */
    bj_os_fault_set(os, 0, 0, BJ_FAULT_SYNC);
    bj_lsn lsnEnd = 0;
    for (uint32_t i = 0; i < 100; i++)
        REQUIRE_OK(rec_append(log, 99, i, 200, NULL, &lsnEnd));
    CHECK_OK(bj_log_flush(log, lsnEnd));
    CHECK_EQ(bj_os_fault_count(os), 1);
    CHECK_OK(bj_log_flush(log, lsnEnd)); /* already durable: no I/O */
    CHECK_EQ(bj_os_fault_count(os), 1);

    /* many threads, slow writes: far fewer fsyncs than flush calls */
    bj_os_mem_set_write_hook(mem, slow_write, NULL);
    bj_os_fault_set(os, 0, 0, BJ_FAULT_SYNC);
    for (uint32_t t = 0; t < T; t++) {
        memset(&c[t], 0, sizeof(c[t]));
        c[t].log = log;
        c[t].tag = t;
        c[t].n = NPER;
        REQUIRE_OK(bj_thread_start(&th[t], mt_writer, &c[t]));
    }
    for (uint32_t t = 0; t < T; t++) {
        bj_thread_join(th[t]);
        CHECK_OK(c[t].err);
    }
    uint64_t syncs = bj_os_fault_count(os);
    CHECK(syncs < (uint64_t)T * NPER / 2);
    CHECK(syncs > 0);
    bj_os_mem_set_write_hook(mem, NULL, NULL);
    bj_log_close(log);
    bj_os_fault_destroy(os);
    bj_os_mem_destroy(mem);
}

/* ---- checkpoint ---- */

TEST(checkpoint_write_read)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    bj_chk_info info;
    bj_log_attach att[2];
    memset(att, 0, sizeof(att));
    att[0].dbid = 1;
    att[0].signDb.random = 0x1234;
    memset(att[0].szPath, 'a', 1023);
    att[1].dbid = 2;
    strcpy(att[1].szPath, "/db/two.edb");
    CHECK_ERR(bj_chk_read(os, SYSDIR, "edb", &info), JET_errCheckpointFileNotFound);
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    REQUIRE_OK(bj_log_set_attachments(log, att, 2));
    bj_lsn l1, l2;
    REQUIRE_OK(rec_append(log, 0, 0, 100, &l1, NULL));
    REQUIRE_OK(rec_append(log, 0, 1, 100, &l2, NULL));
    CHECK_OK(bj_log_checkpoint(log, l1));
    REQUIRE_OK(bj_chk_read(os, SYSDIR, "edb", &info));
    CHECK_EQ(info.lsnCheckpoint, l1);
    CHECK_EQ(info.genLast, 1);
    CHECK_EQ(info.cattach, 2);
    CHECK_EQ(info.rgattach[0].dbid, 1);
    CHECK_EQ(info.rgattach[0].signDb.random, 0x1234);
    CHECK_EQ(strlen(info.rgattach[0].szPath), 1023);
    CHECK_STR(info.rgattach[1].szPath, "/db/two.edb");
    bj_signature s;
    bj_log_signature(log, &s);
    CHECK_MEM(&info.signLog, &s, sizeof(s));
    CHECK_OK(bj_log_checkpoint(log, l2));
    REQUIRE_OK(bj_chk_read(os, SYSDIR, "edb", &info));
    CHECK_EQ(info.lsnCheckpoint, l2);
    /* file type 4 at 667 */
    bj_file *f = NULL;
    uint8_t b[4];
    size_t got;
    REQUIRE_OK(bj_file_open(os, SYSDIR "/edb.chk", BJ_OPEN_READONLY, &f));
    bj_file_read(f, 667, b, 4, &got);
    CHECK_EQ(bj_ld32(b), JET_filetypeCheckpoint);
    bj_file_close(f);
    /* the newest copy (seq 2: offset 0) damaged: the previous one is read */
    uint8_t junk[16] = {0xff, 0xee};
    patch_file(os, SYSDIR "/edb.chk", 600, junk, sizeof(junk));
    REQUIRE_OK(bj_chk_read(os, SYSDIR, "edb", &info));
    CHECK_EQ(info.lsnCheckpoint, l1);
    /* both damaged */
    patch_file(os, SYSDIR "/edb.chk", BJ_CHK_CB_COPY + 5000, junk, sizeof(junk));
    CHECK_ERR(bj_chk_read(os, SYSDIR, "edb", &info), JET_errCheckpointCorrupt);
    bj_log_close(log);
    bj_os_mem_destroy(os);
}

TEST(torn_checkpoint_write_keeps_previous)
{
    for (uint64_t seed = 1; seed <= 40; seed++) {
        bj_os *mem = bj_os_mem_create();
        bj_os *os = bj_os_fault_create(mem);
        bj_log *log = NULL;
        bj_chk_info info;
        bj_lsn l[4];
        REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
        for (uint32_t i = 0; i < 4; i++)
            REQUIRE_OK(rec_append(log, 0, i, 3000, &l[i], NULL));
        REQUIRE_OK(bj_log_flush(log, bj_log_end(log)));
        CHECK_OK(bj_log_checkpoint(log, l[0]));
        CHECK_OK(bj_log_checkpoint(log, l[1 + seed % 2]));
        bj_os_fault_set(os, 1, 0, BJ_FAULT_SYNC); /* the next checkpoint's fsync fails */
        CHECK_ERR(bj_log_checkpoint(log, l[3]), JET_errDiskIO);
        bj_os_mem_power_loss(mem, seed);
        bj_log_close(log);
        REQUIRE_OK(bj_chk_read(mem, SYSDIR, "edb", &info));
        CHECK(info.lsnCheckpoint == l[1 + seed % 2] || info.lsnCheckpoint == l[3]);
        bj_os_fault_destroy(os);
        bj_os_mem_destroy(mem);
    }
}

static uint32_t count_archives(bj_os *os, uint32_t genMax, uint32_t *plowest)
{
    char sz[BJ_PATH_MAX];
    uint32_t n = 0;
    *plowest = 0;
    for (uint32_t g = 1; g <= genMax; g++) {
        gen_path(sz, g);
        if (exists(os, sz)) {
            if (!*plowest)
                *plowest = g;
            n++;
        }
    }
    return n;
}

static void circular_case(bool fCircular)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    bj_lsn lsnAt6 = 0;
    REQUIRE_OK(log_open_new(os, 64 * 1024, fCircular, &log));
    for (uint32_t i = 0; bj_log_generation(log) < 9; i++) {
        bj_lsn lsn;
        REQUIRE_OK(rec_append(log, 0, i, 5000, &lsn, NULL));
        if (!lsnAt6 && BJ_LSN_GEN(lsn) == 6)
            lsnAt6 = lsn;
    }
    uint32_t lowest;
    CHECK_EQ(count_archives(os, 20, &lowest), 8);
    CHECK_OK(bj_log_checkpoint(log, lsnAt6));
    uint32_t n = count_archives(os, 20, &lowest);
    if (fCircular) {
        CHECK_EQ(n, 3);
        CHECK_EQ(lowest, 6);
    } else {
        CHECK_EQ(n, 8);
        CHECK_EQ(lowest, 1);
    }
    bj_log_hdr h;
    REQUIRE_OK(bj_log_read_header(os, LOGDIR "/edb.log", &h));
    CHECK_EQ(h.fCircular, fCircular);
    bj_log_close(log);
    if (fCircular) {
        /* reading from the checkpoint works */
        uint32_t cnt;
        bool bad;
        CHECK_OK(read_all(os, lsnAt6, &cnt, 99, &bad, NULL));
        CHECK(cnt > 0);
        CHECK(!bad);
        CHECK_ERR(read_all(os, BJ_LSN_MAKE(5, 0), &cnt, 99, &bad, NULL),
                  JET_errMissingPreviousLogFile);
    }
    bj_os_mem_destroy(os);
}

TEST(circular_deletion_only_when_on)
{
    circular_case(true);
    circular_case(false);
}

/* ---- reopen, continuing the stream ---- */

static uint32_t g_rolls[64], g_nrolls;
static void on_roll(void *ctx, uint32_t gen)
{
    (void)ctx;
    if (g_nrolls < 64)
        g_rolls[g_nrolls++] = gen;
}

TEST(reopen_continues_stream_and_roll_callback)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    g_nrolls = 0;
    bj_log_set_roll_callback(log, on_roll, NULL);
    for (uint32_t i = 0; i < 40; i++)
        REQUIRE_OK(rec_append(log, 0, i, 3000, NULL, NULL));
    uint32_t gen = bj_log_generation(log);
    CHECK_EQ(g_nrolls, gen - 1);
    CHECK_EQ(g_rolls[0], 2);
    bj_log_close(log);

    /* what recovery would do: read to the end, start genNext */
    bj_logr_config rc = {.os = os, .szLogPath = LOGDIR, .szBaseName = "edb"};
    bj_logr *r = NULL;
    REQUIRE_OK(bj_logr_open(&rc, &r));
    for (;;) {
        bj_logr_rec rec;
        bool fEnd;
        REQUIRE_OK(bj_logr_next(r, &rec, &fEnd));
        if (fEnd)
            break;
    }
    const bj_log_hdr *h = bj_logr_last_header(r);
    bj_log_start s;
    memset(&s, 0, sizeof(s));
    s.signLog = h->signLog;
    s.genNext = h->gen + 1;
    s.tmPrevGen = h->tmCreate;
    bj_logr_close(r);
    bj_log_config c = log_cfg(os, 64 * 1024, false);
    REQUIRE_OK(bj_log_open(&c, &s, &log));
    CHECK_EQ(bj_log_generation(log), gen + 1);
    for (uint32_t i = 40; i < 60; i++)
        REQUIRE_OK(rec_append(log, 0, i, 3000, NULL, NULL));
    bj_log_close(log);
    uint32_t n;
    bool bad;
    CHECK_OK(read_all(os, 0, &n, 0, &bad, NULL));
    CHECK_EQ(n, 60);
    CHECK(!bad);
    bj_os_mem_destroy(os);
}

/* ---- failures ---- */

static void fault_case(uint32_t kind, uint64_t nth)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_log *log = NULL;
    JET_ERR err = 0;
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    bj_os_fault_set(os, nth, 0, kind);
    for (uint32_t i = 0; i < 200 && err == 0; i++) {
        bj_lsn lsnEnd;
        err = rec_append(log, 0, i, 2000, NULL, &lsnEnd);
        if (err == 0 && i % 3 == 0)
            err = bj_log_flush(log, lsnEnd);
    }
    CHECK(bj_os_fault_failures(os) == 1);
    CHECK_ERR(err, JET_errLogWriteFail);
    CHECK(bj_log_error(log) < 0);
    bj_os_fault_set(os, 0, 0, BJ_FAULT_WRITE | BJ_FAULT_SYNC | BJ_FAULT_DIR);
    CHECK_ERR(rec_append(log, 0, 9999, 10, NULL, NULL), JET_errLogWriteFail);
    CHECK_ERR(bj_log_flush(log, bj_log_end(log)), JET_errLogWriteFail);
    CHECK_ERR(bj_log_roll(log, NULL), JET_errLogWriteFail);
    bj_log_close(log);
    CHECK_EQ(bj_os_fault_count(os), 0); /* nothing written after the failure */
    bj_os_fault_destroy(os);
    bj_os_mem_destroy(mem);
}

TEST(write_or_fsync_failure_takes_the_log_down)
{
    for (uint64_t n = 1; n <= 25; n += 3) {
        fault_case(BJ_FAULT_WRITE, n);
        fault_case(BJ_FAULT_SYNC, n);
    }
    fault_case(BJ_FAULT_DIR, 1); /* the first roll's rename */
}

TEST(reserve_log_used_when_disk_full)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_log *log = NULL;
    REQUIRE_OK(log_open_new(os, 64 * 1024, false, &log));
    bj_os_fault_set(os, 1, JET_errDiskFull, BJ_FAULT_SET_SIZE | BJ_FAULT_STICKY);
    JET_ERR err = 0;
    uint32_t i = 0;
    while (err == 0 && i < 200)
        err = rec_append(log, 0, i++, 5000, NULL, NULL);
    /* gen 2 = the edbtmp.log made at open; 3 and 4 from the reserve logs; then no room */
    CHECK_ERR(err, JET_errLogWriteFail);
    CHECK_ERR(bj_log_error(log), JET_errLogDiskFull);
    CHECK_EQ(bj_log_generation(log), 4);
    bj_log_close(log);
    bj_log_hdr h;
    char sz[BJ_PATH_MAX];
    gen_path(sz, 3);
    REQUIRE_OK(bj_log_read_header(mem, sz, &h));
    CHECK(h.fReserve);
    gen_path(sz, 2);
    REQUIRE_OK(bj_log_read_header(mem, sz, &h));
    CHECK(!h.fReserve);
    CHECK(!exists(mem, LOGDIR "/edbres00001.jrs"));
    uint32_t n;
    bool bad;
    CHECK_OK(read_all(mem, 0, &n, 0, &bad, NULL));
    CHECK_EQ(n, i - 1);
    CHECK(!bad);
    bj_os_fault_destroy(os);
    bj_os_mem_destroy(mem);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
