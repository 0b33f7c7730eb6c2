/* test_buf.c: layer 3, the buffer cache, on a test-only in-memory file backend.
 *
 * The backend here (tfile) counts reads and writes per page, can slow or fail a read, and calls
 * a hook on every page write (to check the WAL rule and the latch rule at the moment of the
 * write). Test pages carry: u32 checksum @0, u32 pgno @4, u64 counter @8, u64 lsn @16,
 * u32 magic @24; test_verify / test_seal play the page layer's bj_page_verify / bj_page_seal.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "buf/buf.h"
#include "testlib.h"

/* ---- the in-memory test file ---- */
#define CB_PAGE 4096u
#define MAX_PG 256u

typedef struct tfile {
    bj_file base;
    pthread_mutex_t mu;
    uint8_t *data;
    size_t cb;
    _Atomic uint32_t reads[MAX_PG + 2];
    _Atomic uint32_t writes[MAX_PG + 2];
    _Atomic uint32_t nsync;
    _Atomic uint32_t slow_read_pgno; /* reads of this page sleep slow_ms first */
    uint32_t slow_ms;
    _Atomic JET_ERR fail_read; /* every read returns this while set */
} tfile;

/* Called on every page write with the image being written (before it lands). */
static void (*g_on_write)(tfile *tf, uint32_t pgno, const uint8_t *pg);

static uint32_t pg_of(uint64_t off)
{
    return (uint32_t)(off / CB_PAGE) - 1;
}

static JET_ERR tf_read(bj_file *f, uint64_t off, void *b, size_t cb, size_t *pcb)
{
    tfile *tf = (tfile *)f;
    uint32_t pg = pg_of(off);
    JET_ERR e = atomic_load(&tf->fail_read);
    if (pg <= MAX_PG)
        atomic_fetch_add(&tf->reads[pg], 1);
    if (pg == atomic_load(&tf->slow_read_pgno))
        usleep(tf->slow_ms * 1000);
    if (e < 0)
        return e;
    pthread_mutex_lock(&tf->mu);
    size_t n = off >= tf->cb ? 0 : BJ_MIN(cb, tf->cb - off);
    memcpy(b, tf->data + off, n);
    pthread_mutex_unlock(&tf->mu);
    *pcb = n;
    return JET_errSuccess;
}

static JET_ERR tf_write(bj_file *f, uint64_t off, const void *b, size_t cb)
{
    tfile *tf = (tfile *)f;
    uint32_t pg = pg_of(off);
    if (g_on_write)
        g_on_write(tf, pg, b);
    pthread_mutex_lock(&tf->mu);
    if (off + cb > tf->cb) {
        tf->data = realloc(tf->data, off + cb);
        memset(tf->data + tf->cb, 0, off + cb - tf->cb);
        tf->cb = off + cb;
    }
    memcpy(tf->data + off, b, cb);
    pthread_mutex_unlock(&tf->mu);
    if (pg <= MAX_PG)
        atomic_fetch_add(&tf->writes[pg], 1);
    return JET_errSuccess;
}

static JET_ERR tf_sync(bj_file *f)
{
    atomic_fetch_add(&((tfile *)f)->nsync, 1);
    return JET_errSuccess;
}

static JET_ERR tf_size(bj_file *f, uint64_t *pcb)
{
    tfile *tf = (tfile *)f;
    pthread_mutex_lock(&tf->mu);
    *pcb = tf->cb;
    pthread_mutex_unlock(&tf->mu);
    return JET_errSuccess;
}

static bj_os g_tos = {
    .name = "buftest", .read = tf_read, .write = tf_write, .sync = tf_sync, .size = tf_size};

/* ---- test pages ---- */
#define PG_MAGIC 0xb1e7b1e7u

static uint32_t test_sum(const uint8_t *pg, uint32_t cb, uint32_t pgno)
{
    uint32_t h = 2166136261u ^ pgno;
    for (uint32_t i = 4; i < cb; i++)
        h = (h ^ pg[i]) * 16777619u;
    return h;
}

static JET_ERR test_verify(const uint8_t *pg, uint32_t cb, uint32_t pgno)
{
    bool zero = true;
    for (uint32_t i = 0; i < cb && zero; i++)
        zero = pg[i] == 0;
    if (zero)
        return JET_errPageNotInitialized;
    if (bj_ld32(pg) != test_sum(pg, cb, pgno) || bj_ld32(pg + 4) != pgno ||
        bj_ld32(pg + 24) != PG_MAGIC)
        return JET_errReadVerifyFailure;
    return JET_errSuccess;
}

static void test_seal(uint8_t *pg, uint32_t cb, uint32_t pgno)
{
    bj_st32(pg, test_sum(pg, cb, pgno));
}

static void page_format(uint8_t *pg, uint32_t pgno, uint64_t counter)
{
    memset(pg, 0, CB_PAGE);
    bj_st32(pg + 4, pgno);
    bj_st64(pg + 8, counter);
    bj_st32(pg + 24, PG_MAGIC);
}

/* A file of cpg formatted, sealed pages (plus the two header pages). */
static tfile *tf_new(uint32_t cpg)
{
    tfile *tf = calloc(1, sizeof(*tf));
    tf->base.os = &g_tos;
    pthread_mutex_init(&tf->mu, NULL);
    tf->cb = (size_t)(cpg + 2) * CB_PAGE;
    tf->data = calloc(1, tf->cb);
    for (uint32_t p = 1; p <= cpg; p++) {
        uint8_t *pg = tf->data + (size_t)(p + 1) * CB_PAGE;
        page_format(pg, p, 0);
        test_seal(pg, CB_PAGE, p);
    }
    atomic_store(&tf->slow_read_pgno, UINT32_MAX);
    return tf;
}

static void tf_free(tfile *tf)
{
    pthread_mutex_destroy(&tf->mu);
    free(tf->data);
    free(tf);
}

static uint8_t *tf_page(tfile *tf, uint32_t pgno)
{
    return tf->data + (size_t)(pgno + 1) * CB_PAGE;
}

static bj_buf *cache_new(uint32_t cFrames)
{
    bj_buf_config cfg = {
        .cbPage = CB_PAGE, .cFrames = cFrames, .verify = test_verify, .seal = test_seal};
    bj_buf *buf = NULL;
    if (bj_buf_open(&cfg, &buf) < 0)
        return NULL;
    return buf;
}

static uint64_t counter_of(bj_frame *f)
{
    return bj_ld64(bj_frame_data(f) + 8);
}

/* Increments page pgno's counter under the exclusive latch. */
static JET_ERR bump(bj_buf_db *db, uint32_t pgno, uint64_t lsn)
{
    bj_frame *f = NULL;
    JET_ERR err = bj_buf_get(db, pgno, BJ_LATCH_EXCLUSIVE, &f);
    if (err < 0)
        return err;
    bj_st64(bj_frame_data(f) + 8, counter_of(f) + 1);
    bj_buf_dirty(f, lsn);
    bj_buf_release(f);
    return JET_errSuccess;
}

/* ---- tests ---- */

TEST(config_is_checked)
{
    bj_buf_config cfg = {.cbPage = 3000, .cFrames = 4};
    bj_buf *buf = (bj_buf *)1;
    CHECK_ERR(bj_buf_open(&cfg, &buf), JET_errInvalidParameter);
    CHECK(buf == NULL);
    cfg.cbPage = 8192;
    cfg.cFrames = 0;
    CHECK_ERR(bj_buf_open(&cfg, &buf), JET_errInvalidParameter);
    cfg.cFrames = 4;
    REQUIRE_OK(bj_buf_open(&cfg, &buf));
    CHECK_EQ(bj_buf_page_size(buf), 8192);
    bj_buf_close(buf);
}

TEST(get_modify_flush_round_trip)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(8);
    bj_buf_db *db = NULL;
    bj_frame *f = NULL;
    bj_buf_stats st;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    CHECK_EQ(bj_buf_db_size(db), 4);
    CHECK(bj_buf_db_id(db) != 0);

    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_SHARED, &f));
    CHECK_EQ(bj_frame_pgno(f), 2);
    CHECK(bj_frame_db(f) == db);
    CHECK_EQ(bj_ld32(bj_frame_data(f) + 4), 2);
    CHECK_EQ(((uintptr_t)bj_frame_data(f)) % 4096, 0);
    bj_buf_release(f);

    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_EXCLUSIVE, &f));
    bj_st64(bj_frame_data(f) + 8, 42);
    bj_buf_dirty(f, 0);
    bj_buf_release(f);
    CHECK_EQ(atomic_load(&tf->writes[2]), 0);
    bj_buf_get_stats(buf, &st);
    CHECK_EQ(st.reads, 1);
    CHECK_EQ(st.misses, 1);
    CHECK_EQ(st.hits, 1);
    CHECK_EQ(st.dirty, 1);

    REQUIRE_OK(bj_buf_flush_db(db));
    CHECK_EQ(atomic_load(&tf->writes[2]), 1);
    CHECK_EQ(atomic_load(&tf->reads[2]), 1);
    CHECK(atomic_load(&tf->nsync) >= 1);
    CHECK_EQ(bj_ld64(tf_page(tf, 2) + 8), 42);
    CHECK_OK(test_verify(tf_page(tf, 2), CB_PAGE, 2)); /* sealed on the way out */
    bj_buf_get_stats(buf, &st);
    CHECK_EQ(st.writes, 1);
    CHECK_EQ(st.dirty, 0);
    /* a second flush has nothing to write */
    REQUIRE_OK(bj_buf_flush_db(db));
    CHECK_EQ(atomic_load(&tf->writes[2]), 1);

    /* a new page past the end: zeroed, not read, grows the file when written */
    REQUIRE_OK(bj_buf_new(db, 6, &f));
    for (uint32_t i = 0; i < CB_PAGE; i++)
        if (bj_frame_data(f)[i]) {
            CHECK(!"new page not zeroed");
            break;
        }
    page_format(bj_frame_data(f), 6, 7);
    bj_buf_dirty(f, 0);
    bj_buf_release(f);
    CHECK_EQ(atomic_load(&tf->reads[6]), 0);
    REQUIRE_OK(bj_buf_db_detach(db, false));
    CHECK_EQ(tf->cb, 8 * CB_PAGE);
    CHECK_EQ(bj_ld64(tf_page(tf, 6) + 8), 7);
    CHECK_OK(test_verify(tf_page(tf, 6), CB_PAGE, 6));

    /* reattached: the content comes back from the file */
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    CHECK_EQ(bj_buf_db_size(db), 6);
    REQUIRE_OK(bj_buf_get(db, 6, BJ_LATCH_SHARED, &f));
    CHECK_EQ(counter_of(f), 7);
    bj_buf_release(f);
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_SHARED, &f));
    CHECK_EQ(counter_of(f), 42);
    bj_buf_release(f);
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(eviction_keeps_last_written_content)
{
    tfile *tf = tf_new(40);
    bj_buf *buf = cache_new(4);
    bj_buf_db *db = NULL;
    bj_frame *f = NULL;
    bj_buf_stats st;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t p = 1; p <= 40; p++)
            REQUIRE_OK(bump(db, p, 0));
    for (uint32_t p = 1; p <= 40; p++) {
        REQUIRE_OK(bj_buf_get(db, p, BJ_LATCH_SHARED, &f));
        CHECK_EQ(counter_of(f), 3);
        bj_buf_release(f);
    }
    bj_buf_get_stats(buf, &st);
    CHECK(st.evictions >= 3 * 40 - 4);
    CHECK(st.reads >= 3 * 40);
    CHECK(st.writes >= 2 * 40); /* every dirty victim was written before it left */
    CHECK(atomic_load(&tf->reads[1]) >= 3);
    REQUIRE_OK(bj_buf_db_detach(db, false));
    for (uint32_t p = 1; p <= 40; p++)
        CHECK_EQ(bj_ld64(tf_page(tf, p) + 8), 3);
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(verify_failure_propagates_and_is_not_cached)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(8);
    bj_buf_db *db = NULL;
    bj_frame *f = (bj_frame *)1;
    bj_buf_stats st;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    tf_page(tf, 3)[100] ^= 0x40; /* one flipped bit */
    CHECK_ERR(bj_buf_get(db, 3, BJ_LATCH_SHARED, &f), JET_errReadVerifyFailure);
    CHECK(f == NULL);
    CHECK_ERR(bj_buf_get(db, 3, BJ_LATCH_EXCLUSIVE, &f), JET_errReadVerifyFailure);
    CHECK_EQ(atomic_load(&tf->reads[3]), 2); /* read again: the bad image was not kept */
    bj_buf_get_stats(buf, &st);
    CHECK_EQ(st.reads, 0);
    /* repaired on disk: now it reads */
    tf_page(tf, 3)[100] ^= 0x40;
    REQUIRE_OK(bj_buf_get(db, 3, BJ_LATCH_SHARED, &f));
    CHECK_EQ(bj_ld32(bj_frame_data(f) + 4), 3);
    bj_buf_release(f);
    /* a zeroed page: the verify callback's own error comes back */
    memset(tf_page(tf, 4), 0, CB_PAGE);
    CHECK_ERR(bj_buf_get(db, 4, BJ_LATCH_SHARED, &f), JET_errPageNotInitialized);
    /* a page holding another pgno */
    memcpy(tf_page(tf, 4), tf_page(tf, 1), CB_PAGE);
    CHECK_ERR(bj_buf_get(db, 4, BJ_LATCH_SHARED, &f), JET_errReadVerifyFailure);
    /* an I/O error propagates as is */
    atomic_store(&tf->fail_read, JET_errDiskIO);
    CHECK_ERR(bj_buf_get(db, 2, BJ_LATCH_SHARED, &f), JET_errDiskIO);
    atomic_store(&tf->fail_read, 0);
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_SHARED, &f));
    bj_buf_release(f);
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

typedef struct getter_arg {
    bj_buf_db *db;
    uint32_t pgno;
    JET_ERR err;
    uint32_t seen_pgno;
} getter_arg;

static void *getter_main(void *p)
{
    getter_arg *a = p;
    bj_frame *f = NULL;
    a->err = bj_buf_get(a->db, a->pgno, BJ_LATCH_SHARED, &f);
    if (a->err >= 0) {
        a->seen_pgno = bj_ld32(bj_frame_data(f) + 4);
        usleep(1000);
        bj_buf_release(f);
    }
    return NULL;
}

TEST(concurrent_getters_read_a_page_once)
{
    tfile *tf = tf_new(8);
    bj_buf *buf = cache_new(8);
    bj_buf_db *db = NULL;
    pthread_t th[4];
    getter_arg a[4];
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    tf->slow_ms = 100;
    atomic_store(&tf->slow_read_pgno, 5);
    for (int i = 0; i < 4; i++) {
        a[i] = (getter_arg){.db = db, .pgno = 5};
        pthread_create(&th[i], NULL, getter_main, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_OK(a[i].err);
        CHECK_EQ(a[i].seen_pgno, 5);
    }
    CHECK_EQ(atomic_load(&tf->reads[5]), 1);

    /* a failing read in flight: every waiter gets its error, nothing is cached */
    tf_page(tf, 6)[50] ^= 1;
    atomic_store(&tf->slow_read_pgno, 6);
    for (int i = 0; i < 4; i++) {
        a[i] = (getter_arg){.db = db, .pgno = 6};
        pthread_create(&th[i], NULL, getter_main, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_ERR(a[i].err, JET_errReadVerifyFailure);
    }
    CHECK(atomic_load(&tf->reads[6]) >= 1);
    CHECK(atomic_load(&tf->reads[6]) < 4); /* the waiters shared the one read */
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

/* ---- WAL rule ---- */
static _Atomic uint64_t g_log_durable;
static _Atomic uint32_t g_log_calls;
static _Atomic uint64_t g_log_last;
static _Atomic uint32_t g_wal_violations;
static _Atomic JET_ERR g_log_fail;

static JET_ERR test_log_flush(void *ctx, uint64_t lsn)
{
    BJ_UNUSED(ctx);
    atomic_fetch_add(&g_log_calls, 1);
    atomic_store(&g_log_last, lsn);
    if (atomic_load(&g_log_fail) < 0)
        return atomic_load(&g_log_fail);
    if (lsn > atomic_load(&g_log_durable))
        atomic_store(&g_log_durable, lsn);
    return JET_errSuccess;
}

static void wal_check_write(tfile *tf, uint32_t pgno, const uint8_t *pg)
{
    BJ_UNUSED(tf);
    BJ_UNUSED(pgno);
    if (bj_ld64(pg + 16) > atomic_load(&g_log_durable))
        atomic_fetch_add(&g_wal_violations, 1);
}

TEST(wal_log_flushed_to_newest_lsn_before_write)
{
    tfile *tf = tf_new(4);
    bj_buf_config cfg = {.cbPage = CB_PAGE,
                         .cFrames = 2,
                         .verify = test_verify,
                         .seal = test_seal,
                         .log_flush = test_log_flush};
    bj_buf *buf = NULL;
    bj_buf_db *db = NULL;
    bj_frame *f = NULL;
    atomic_store(&g_log_durable, 0);
    atomic_store(&g_log_calls, 0);
    atomic_store(&g_wal_violations, 0);
    atomic_store(&g_log_fail, 0);
    g_on_write = wal_check_write;
    REQUIRE_OK(bj_buf_open(&cfg, &buf));
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    CHECK_EQ(bj_buf_oldest_dirty_lsn(buf), 0);

    REQUIRE_OK(bj_buf_get(db, 1, BJ_LATCH_EXCLUSIVE, &f));
    bj_st64(bj_frame_data(f) + 16, 100);
    bj_buf_dirty(f, 100);
    bj_st64(bj_frame_data(f) + 16, 150);
    bj_buf_dirty(f, 150);
    bj_buf_release(f);
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_EXCLUSIVE, &f));
    bj_st64(bj_frame_data(f) + 16, 120);
    bj_buf_dirty(f, 120);
    bj_buf_release(f);
    CHECK_EQ(bj_buf_oldest_dirty_lsn(buf), 100);

    /* the log cannot be flushed: the page is not written and stays dirty */
    atomic_store(&g_log_fail, JET_errLogWriteFail);
    CHECK_ERR(bj_buf_flush_db(db), JET_errLogWriteFail);
    CHECK_EQ(atomic_load(&tf->writes[1]), 0);
    CHECK_EQ(atomic_load(&tf->writes[2]), 0);
    CHECK_EQ(bj_buf_oldest_dirty_lsn(buf), 100);
    atomic_store(&g_log_fail, 0);

    atomic_store(&g_log_calls, 0);
    REQUIRE_OK(bj_buf_flush_db(db));
    CHECK_EQ(atomic_load(&g_log_calls), 2);
    CHECK_EQ(atomic_load(&g_log_durable), 150); /* page 1's newest lsn, not its oldest */
    CHECK_EQ(atomic_load(&tf->writes[1]), 1);
    CHECK_EQ(atomic_load(&g_wal_violations), 0);
    CHECK_EQ(bj_buf_oldest_dirty_lsn(buf), 0);

    /* eviction of a dirty page obeys the rule too (2 frames, a third page) */
    atomic_store(&g_log_durable, 0);
    REQUIRE_OK(bj_buf_get(db, 1, BJ_LATCH_EXCLUSIVE, &f));
    bj_st64(bj_frame_data(f) + 16, 300);
    bj_buf_dirty(f, 300);
    bj_buf_release(f);
    atomic_store(&g_log_last, 0);
    REQUIRE_OK(bump(db, 3, 0));
    REQUIRE_OK(bump(db, 4, 0));
    CHECK_EQ(atomic_load(&tf->writes[1]), 2);
    CHECK_EQ(atomic_load(&g_log_last), 300);
    CHECK_EQ(atomic_load(&g_wal_violations), 0);
    CHECK_OK(bj_buf_db_detach(db, false));
    g_on_write = NULL;
    bj_buf_close(buf);
    tf_free(tf);
}

/* ---- no write while exclusively latched ---- */
static _Atomic uint32_t g_excl_pgno = UINT32_MAX;
static _Atomic uint32_t g_excl_violations;

static void excl_check_write(tfile *tf, uint32_t pgno, const uint8_t *pg)
{
    BJ_UNUSED(tf);
    BJ_UNUSED(pg);
    if (pgno == atomic_load(&g_excl_pgno))
        atomic_fetch_add(&g_excl_violations, 1);
}

typedef struct flusher_arg {
    bj_buf_db *db;
    JET_ERR err;
    _Atomic bool done;
} flusher_arg;

static void *flusher_main(void *p)
{
    flusher_arg *a = p;
    a->err = bj_buf_flush_db(a->db);
    atomic_store(&a->done, true);
    return NULL;
}

TEST(dirty_page_not_written_while_exclusively_latched)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(4);
    bj_buf_db *db = NULL;
    bj_frame *f = NULL;
    pthread_t th;
    flusher_arg a = {0};
    REQUIRE(buf);
    g_on_write = excl_check_write;
    atomic_store(&g_excl_violations, 0);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_EXCLUSIVE, &f));
    bj_st64(bj_frame_data(f) + 8, 1);
    bj_buf_dirty(f, 0);
    atomic_store(&g_excl_pgno, 2);
    a.db = db;
    pthread_create(&th, NULL, flusher_main, &a);
    usleep(50 * 1000);
    CHECK(!atomic_load(&a.done)); /* the flush waits for the latch */
    CHECK_EQ(atomic_load(&tf->writes[2]), 0);
    bj_st64(bj_frame_data(f) + 8, 2); /* still changing it */
    atomic_store(&g_excl_pgno, UINT32_MAX);
    bj_buf_release(f);
    pthread_join(th, NULL);
    CHECK_OK(a.err);
    CHECK_EQ(atomic_load(&tf->writes[2]), 1);
    CHECK_EQ(bj_ld64(tf_page(tf, 2) + 8), 2);
    CHECK_EQ(atomic_load(&g_excl_violations), 0);

    /* the background writer and eviction skip a latched dirty page instead of waiting */
    REQUIRE_OK(bj_buf_get(db, 3, BJ_LATCH_EXCLUSIVE, &f));
    bj_buf_dirty(f, 0);
    atomic_store(&g_excl_pgno, 3);
    REQUIRE_OK(bj_buf_writer_start(buf, 0, 1));
    usleep(20 * 1000);
    CHECK_EQ(atomic_load(&tf->writes[3]), 0);
    atomic_store(&g_excl_pgno, UINT32_MAX);
    bj_buf_release(f);
    for (int i = 0; i < 200 && atomic_load(&tf->writes[3]) == 0; i++)
        usleep(5 * 1000);
    CHECK_EQ(atomic_load(&tf->writes[3]), 1); /* the writer cleaned it once released */
    bj_buf_writer_stop(buf);
    CHECK_OK(bj_buf_writer_error(buf));
    CHECK_EQ(atomic_load(&g_excl_violations), 0);
    g_on_write = NULL;
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(latch_upgrade_and_downgrade)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(4);
    bj_buf_db *db = NULL;
    bj_frame *f1 = NULL, *f2 = NULL;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    REQUIRE_OK(bj_buf_get(db, 1, BJ_LATCH_SHARED, &f1));
    REQUIRE_OK(bj_buf_get(db, 1, BJ_LATCH_SHARED, &f2)); /* another holder (same thread here) */
    CHECK(f1 == f2);
    CHECK(!bj_buf_latch_upgrade(f1));
    bj_buf_release(f2);
    CHECK(bj_buf_latch_upgrade(f1));
    bj_st64(bj_frame_data(f1) + 8, 9);
    bj_buf_dirty(f1, 0);
    bj_buf_latch_downgrade(f1);
    REQUIRE_OK(bj_buf_get(db, 1, BJ_LATCH_SHARED, &f2)); /* shared again: readers enter */
    CHECK_EQ(counter_of(f2), 9);
    bj_buf_release(f2);
    bj_buf_release(f1);
    CHECK_OK(bj_buf_db_detach(db, false));
    CHECK_EQ(bj_ld64(tf_page(tf, 1) + 8), 9);
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(out_of_buffers_when_every_frame_is_pinned)
{
    tfile *tf = tf_new(8);
    bj_buf *buf = cache_new(3);
    bj_buf_db *db = NULL;
    bj_frame *f[3] = {0}, *g = NULL;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(bj_buf_get(db, (uint32_t)i + 1, BJ_LATCH_SHARED, &f[i]));
    CHECK_ERR(bj_buf_get(db, 4, BJ_LATCH_SHARED, &g), JET_errOutOfBuffers);
    CHECK(g == NULL);
    CHECK_ERR(bj_buf_new(db, 9, &g), JET_errOutOfBuffers);
    CHECK_EQ(atomic_load(&tf->reads[4]), 0);
    /* a page already held is still a hit */
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_SHARED, &g));
    bj_buf_release(g);
    bj_buf_release(f[1]);
    REQUIRE_OK(bj_buf_get(db, 4, BJ_LATCH_SHARED, &g));
    CHECK_EQ(bj_ld32(bj_frame_data(g) + 4), 4);
    bj_buf_release(g);
    bj_buf_release(f[0]);
    bj_buf_release(f[2]);
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(read_beyond_end_of_file)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(4);
    bj_buf_db *db = NULL;
    bj_frame *f = NULL;
    bj_buf_stats st;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    CHECK_ERR(bj_buf_get(db, 5, BJ_LATCH_SHARED, &f), JET_errFileIOBeyondEOF);
    CHECK_ERR(bj_buf_get(db, UINT32_MAX, BJ_LATCH_SHARED, &f), JET_errFileIOBeyondEOF);
    CHECK_ERR(bj_buf_get(db, 0, BJ_LATCH_SHARED, &f), JET_errInvalidParameter);
    CHECK_EQ(atomic_load(&tf->reads[5]), 0);
    /* the cache believes the file is larger than it is: the short read is caught */
    bj_buf_db_set_size(db, 10);
    CHECK_ERR(bj_buf_get(db, 7, BJ_LATCH_EXCLUSIVE, &f), JET_errFileIOBeyondEOF);
    bj_buf_db_set_size(db, UINT32_MAX); /* the largest pgno: its offset must not wrap */
    CHECK_ERR(bj_buf_get(db, UINT32_MAX, BJ_LATCH_SHARED, &f), JET_errFileIOBeyondEOF);
    CHECK_EQ(atomic_load(&tf->reads[0]), 0);
    bj_buf_db_set_size(db, 10);
    tf->cb -= CB_PAGE / 2; /* a torn last page */
    CHECK_ERR(bj_buf_get(db, 4, BJ_LATCH_SHARED, &f), JET_errFileIOBeyondEOF);
    bj_buf_get_stats(buf, &st);
    CHECK_EQ(st.reads, 0);
    REQUIRE_OK(bj_buf_get(db, 3, BJ_LATCH_SHARED, &f));
    bj_buf_release(f);
    CHECK_OK(bj_buf_db_detach(db, false));
    bj_buf_close(buf);
    tf_free(tf);
}

TEST(readonly_and_discard)
{
    tfile *tf = tf_new(4);
    bj_buf *buf = cache_new(4);
    bj_buf_db *db = NULL, *db2 = NULL;
    bj_frame *f = NULL;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, true, &db));
    CHECK_ERR(bj_buf_new(db, 2, &f), JET_errDatabaseFileReadOnly);
    REQUIRE_OK(bj_buf_get(db, 2, BJ_LATCH_EXCLUSIVE, &f));
    bj_buf_dirty(f, 5); /* ignored: nothing dirty, nothing written */
    bj_buf_release(f);
    CHECK_EQ(bj_buf_oldest_dirty_lsn(buf), 0);
    CHECK_OK(bj_buf_flush_db(db));
    CHECK_EQ(atomic_load(&tf->nsync), 0);
    CHECK_OK(bj_buf_db_detach(db, false));

    /* two attachments of one file are two databases; discard drops changes unwritten */
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db2));
    CHECK(bj_buf_db_id(db) != bj_buf_db_id(db2));
    REQUIRE_OK(bump(db, 1, 0));
    CHECK_OK(bj_buf_db_detach(db, true));
    CHECK_EQ(atomic_load(&tf->writes[1]), 0);
    REQUIRE_OK(bj_buf_get(db2, 1, BJ_LATCH_SHARED, &f));
    CHECK_EQ(counter_of(f), 0);
    bj_buf_release(f);
    bj_buf_stats st;
    bj_buf_get_stats(buf, &st);
    CHECK_EQ(st.dirty, 0);
    CHECK_OK(bj_buf_db_detach(db2, false));
    bj_buf_close(buf);
    tf_free(tf);
}

/* ---- multi-threaded stress with a content invariant ---- */
#define ST_PAGES 48u
#define ST_THREADS 4
#define ST_OPS 3000

typedef struct stress_arg {
    bj_buf_db *db;
    uint32_t seed;
    int id;
    uint64_t incs[ST_PAGES + 1];
    uint32_t errors;
} stress_arg;

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void *stress_main(void *p)
{
    stress_arg *a = p;
    for (int op = 0; op < ST_OPS; op++) {
        uint32_t pgno = 1 + rnd(&a->seed) % ST_PAGES;
        uint32_t kind = rnd(&a->seed) % 8;
        bj_frame *f = NULL;
        JET_ERR err;
        if (kind < 3) {
            err = bj_buf_get(a->db, pgno, BJ_LATCH_SHARED, &f);
            if (err < 0) {
                a->errors++;
                continue;
            }
            if (bj_ld32(bj_frame_data(f) + 4) != pgno)
                a->errors++;
            if (kind == 0 && bj_buf_latch_upgrade(f)) {
                bj_st64(bj_frame_data(f) + 8, counter_of(f) + 1);
                bj_buf_dirty(f, 0);
                a->incs[pgno]++;
            }
            bj_buf_release(f);
        } else if (kind < 7) {
            err = bj_buf_get(a->db, pgno, BJ_LATCH_EXCLUSIVE, &f);
            if (err < 0) {
                a->errors++;
                continue;
            }
            if (bj_ld32(bj_frame_data(f) + 4) != pgno)
                a->errors++;
            bj_st64(bj_frame_data(f) + 8, counter_of(f) + 1);
            bj_buf_dirty(f, 0);
            a->incs[pgno]++;
            bj_buf_release(f);
        } else if (a->id == 0 && op % 256 == 7) {
            if (bj_buf_flush_db(a->db) < 0)
                a->errors++;
        }
    }
    return NULL;
}

TEST(stress_four_threads_counters_add_up)
{
    tfile *tf = tf_new(ST_PAGES);
    bj_buf *buf = cache_new(12);
    bj_buf_db *db = NULL;
    pthread_t th[ST_THREADS];
    static stress_arg a[ST_THREADS];
    bj_frame *f = NULL;
    bj_buf_stats st;
    REQUIRE(buf);
    REQUIRE_OK(bj_buf_db_attach(buf, &tf->base, false, &db));
    REQUIRE_OK(bj_buf_writer_start(buf, 25, 1));
    for (int i = 0; i < ST_THREADS; i++) {
        memset(&a[i], 0, sizeof(a[i]));
        a[i].db = db;
        a[i].id = i;
        a[i].seed = 0x9e3779b9u * (uint32_t)(i + 1);
        pthread_create(&th[i], NULL, stress_main, &a[i]);
    }
    for (int i = 0; i < ST_THREADS; i++)
        pthread_join(th[i], NULL);
    bj_buf_writer_stop(buf);
    CHECK_OK(bj_buf_writer_error(buf));
    for (int i = 0; i < ST_THREADS; i++)
        CHECK_EQ(a[i].errors, 0);
    bj_buf_get_stats(buf, &st);
    CHECK(st.evictions > 0);
    CHECK(st.hits > 0);
    for (uint32_t p = 1; p <= ST_PAGES; p++) {
        uint64_t want = 0;
        for (int i = 0; i < ST_THREADS; i++)
            want += a[i].incs[p];
        REQUIRE_OK(bj_buf_get(db, p, BJ_LATCH_SHARED, &f));
        CHECK_EQ(counter_of(f), want);
        bj_buf_release(f);
    }
    REQUIRE_OK(bj_buf_db_detach(db, false));
    /* and the file agrees after detach */
    for (uint32_t p = 1; p <= ST_PAGES; p++) {
        uint64_t want = 0;
        for (int i = 0; i < ST_THREADS; i++)
            want += a[i].incs[p];
        CHECK_EQ(bj_ld64(tf_page(tf, p) + 8), want);
        CHECK_OK(test_verify(tf_page(tf, p), CB_PAGE, p));
    }
    bj_buf_close(buf);
    tf_free(tf);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
