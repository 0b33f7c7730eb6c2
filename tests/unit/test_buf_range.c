/* test_buf_range.c: the buffer cache's backup page-range locks (buf_range.c) on a real file:
 * a write of a page inside a locked range waits until the range is released, pages outside
 * are written meanwhile, and a range lock is granted at once when no write is in flight.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "buf/buf.h"
#include "testlib.h"

#define CBP 4096u

typedef struct fx {
    bj_buf *buf;
    bj_file *file;
    bj_buf_db *db;
    char path[1100];
} fx;

static void fx_open(fx *f)
{
    snprintf(f->path, sizeof f->path, "%s/range.db", bj_test_tmpdir());
    bj_buf_config cfg = {.cbPage = CBP, .cFrames = 32};
    REQUIRE(bj_buf_open(&cfg, &f->buf) == 0);
    REQUIRE(bj_file_open(bj_os_posix(), f->path, BJ_OPEN_CREATE, &f->file) == 0);
    REQUIRE(bj_buf_db_attach(f->buf, f->file, false, &f->db) == 0);
}

static void fx_close(fx *f)
{
    CHECK_OK(bj_buf_db_detach(f->db, false));
    bj_file_close(f->file);
    bj_buf_close(f->buf);
}

/* Page pgno dirty in the cache with marker byte m. */
static void dirty_page(fx *f, uint32_t pgno, uint8_t m)
{
    bj_frame *fr;
    REQUIRE(bj_buf_new(f->db, pgno, &fr) == 0);
    memset(bj_frame_data(fr), m, CBP);
    bj_buf_dirty(fr, 0);
    bj_buf_release(fr);
}

/* The first byte of page pgno on disk (0 when beyond the end). */
static uint8_t disk_byte(fx *f, uint32_t pgno)
{
    uint8_t b = 0;
    size_t cb = 0;
    bj_file_read(f->file, ((uint64_t)pgno + 1) * CBP, &b, 1, &cb);
    return cb ? b : 0;
}

typedef struct flusher {
    fx *f;
    _Atomic bool done;
    JET_ERR err;
} flusher;

static void *flush_main(void *pv)
{
    flusher *fl = pv;
    fl->err = bj_buf_flush_db(fl->f->db);
    atomic_store(&fl->done, true);
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

TEST(write_inside_locked_range_waits)
{
    fx f;
    fx_open(&f);
    for (uint32_t p = 1; p <= 6; p++)
        dirty_page(&f, p, (uint8_t)(0x10 + p));
    uint32_t tok = 0;
    CHECK_ERR(bj_buf_range_lock(f.db, 0, 3, &tok), JET_errInvalidParameter);
    CHECK_ERR(bj_buf_range_lock(f.db, 4, 3, &tok), JET_errInvalidParameter);
    CHECK_OK(bj_buf_range_lock(f.db, 3, 4, &tok));
    flusher fl = {&f, false, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, flush_main, &fl) == 0);
    sleep_ms(300);
    CHECK(!atomic_load(&fl.done));
    CHECK_EQ(disk_byte(&f, 3), 0);
    CHECK_EQ(disk_byte(&f, 4), 0);
    bj_buf_range_unlock(f.db, tok);
    pthread_join(th, NULL);
    CHECK_OK(fl.err);
    for (uint32_t p = 1; p <= 6; p++)
        CHECK_EQ(disk_byte(&f, p), 0x10 + p);
    fx_close(&f);
}

TEST(writes_outside_the_range_go_on)
{
    fx f;
    fx_open(&f);
    for (uint32_t p = 1; p <= 6; p++)
        dirty_page(&f, p, (uint8_t)(0x20 + p));
    uint32_t tok = 0, tok2 = 0;
    CHECK_OK(bj_buf_range_lock(f.db, 100, 200, &tok));
    CHECK_OK(bj_buf_range_lock(f.db, 150, 300, &tok2)); /* overlapping readers */
    flusher fl = {&f, false, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, flush_main, &fl) == 0);
    for (int i = 0; i < 200 && !atomic_load(&fl.done); i++)
        sleep_ms(10);
    CHECK(atomic_load(&fl.done));
    pthread_join(th, NULL);
    CHECK_OK(fl.err);
    for (uint32_t p = 1; p <= 6; p++)
        CHECK_EQ(disk_byte(&f, p), 0x20 + p);
    bj_buf_range_unlock(f.db, tok);
    bj_buf_range_unlock(f.db, tok2);
    /* no range held: the fast path again */
    dirty_page(&f, 2, 0x77);
    CHECK_OK(bj_buf_flush_db(f.db));
    CHECK_EQ(disk_byte(&f, 2), 0x77);
    fx_close(&f);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
