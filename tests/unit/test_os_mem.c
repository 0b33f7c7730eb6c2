/* test_os_mem.c: layer 1: the in-memory backend's durability model: what survives a simulated
 * power loss (synced data always; unsynced writes maybe, whole or torn on 512-byte sectors;
 * folder entries only after sync_dir), dead files after a power loss, and the write hook. */
#include "os/os.h"
#include "testlib.h"

#define BASE 0x41 /* the synced content's byte */

/* A file /d/f with 16 KiB of BASE, synced, its folder entry durable. */
static bj_os *setup(bj_file **pf)
{
    bj_os *os = bj_os_mem_create();
    uint8_t buf[16384];
    memset(buf, BASE, sizeof buf);
    if (bj_os_mkdir(os, "/d") < 0 || bj_os_sync_dir(os, "/") < 0 ||
        bj_file_open(os, "/d/f", BJ_OPEN_CREATE, pf) < 0 ||
        bj_file_write(*pf, 0, buf, sizeof buf) < 0 || bj_file_sync(*pf) < 0 ||
        bj_os_sync_dir(os, "/d") < 0)
        bj_test_fail(__FILE__, __LINE__, "setup failed");
    return os;
}

/* The whole content of path into buf (at most cb); its size, or -1 when missing. */
static long long slurp(bj_os *os, const char *path, uint8_t *buf, size_t cb)
{
    bj_file *f = NULL;
    uint64_t size = 0;
    size_t got = 0;
    if (bj_file_open(os, path, BJ_OPEN_READONLY, &f) < 0)
        return -1;
    if (bj_file_size(f, &size) < 0 || size > cb || bj_file_read(f, 0, buf, (size_t)size, &got) < 0)
        size = (uint64_t)-2;
    bj_file_close(f);
    return (long long)size;
}

TEST(synced_data_survives_every_seed)
{
    for (uint64_t seed = 0; seed < 64; seed++) {
        bj_file *f = NULL;
        bj_os *os = setup(&f);
        uint8_t buf[20000];
        bj_file_close(f);
        bj_os_mem_power_loss(os, seed);
        CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), 16384);
        for (int i = 0; i < 16384; i++)
            if (buf[i] != BASE) {
                CHECK_EQ(buf[i], BASE);
                break;
            }
        bj_os_mem_destroy(os);
    }
}

TEST(strict_power_loss_drops_every_unsynced_change)
{
    bj_file *f = NULL;
    bj_os *os = setup(&f);
    uint8_t buf[40000], x[3000];
    memset(x, 0x5a, sizeof x);
    CHECK_OK(bj_file_write(f, 100, x, sizeof x));
    CHECK_OK(bj_file_write(f, 16384, x, sizeof x)); /* growth */
    CHECK_OK(bj_file_set_size(f, 30000));
    bj_os_mem_power_loss(os, 0);
    bj_file_close(f);
    CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), 16384);
    uint8_t want[16384];
    memset(want, BASE, sizeof want);
    CHECK_MEM(buf, want, sizeof want);
    bj_os_mem_destroy(os);
}

/* Unsynced, non-overlapping writes k = 0..N-1 of byte 0x10+k; after a power loss each one is
 * absent or whole, except the last, which may also keep a prefix ending on a file offset
 * that is a multiple of 512. Over many seeds every outcome shows up. */
TEST(unsynced_writes_survive_whole_lost_or_torn_on_sectors)
{
    static const struct {
        uint64_t off;
        size_t cb;
    } w[] = {{0, 512}, {700, 100}, {1000, 3000}, {5000, 4000}, {10000, 2100}, {13000, 3300}};
    const int n = (int)BJ_ARRAY_LEN(w);
    int seen_lost = 0, seen_whole = 0, seen_torn = 0, seen_earlier_kept = 0, seen_earlier_lost = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        bj_file *f = NULL;
        bj_os *os = setup(&f);
        uint8_t buf[20000], x[4000];
        for (int k = 0; k < n; k++) {
            memset(x, 0x10 + k, w[k].cb);
            CHECK_OK(bj_file_write(f, w[k].off, x, w[k].cb));
        }
        bj_os_mem_power_loss(os, seed);
        bj_file_close(f);
        REQUIRE(slurp(os, "/d/f", buf, sizeof buf) == 16384);
        for (int k = 0; k < n; k++) {
            uint8_t nb = (uint8_t)(0x10 + k);
            size_t keep = 0;
            while (keep < w[k].cb && buf[w[k].off + keep] == nb)
                keep++;
            for (size_t i = keep; i < w[k].cb; i++)
                if (buf[w[k].off + i] != BASE) {
                    bj_test_fail(__FILE__, __LINE__, "seed %llu write %d: byte %zu mixed",
                                 (unsigned long long)seed, k, i);
                    break;
                }
            if (k < n - 1) {
                CHECK(keep == 0 || keep == w[k].cb);
                seen_earlier_kept += keep == w[k].cb;
                seen_earlier_lost += keep == 0;
            } else if (keep == 0) {
                seen_lost++;
            } else if (keep == w[k].cb) {
                seen_whole++;
            } else {
                CHECK_EQ((w[k].off + keep) % 512, 0); /* torn on a sector boundary */
                seen_torn++;
            }
        }
        /* bytes no write touched keep the synced content */
        for (int i = 612; i < 700; i++)
            CHECK_EQ(buf[i], BASE);
        bj_os_mem_destroy(os);
    }
    CHECK(seen_lost > 0);
    CHECK(seen_whole > 0);
    CHECK(seen_torn > 0);
    CHECK(seen_earlier_kept > 0);
    CHECK(seen_earlier_lost > 0);
}

TEST(same_seed_same_outcome)
{
    uint8_t a[20000], b[20000];
    for (int round = 0; round < 2; round++) {
        bj_file *f = NULL;
        bj_os *os = setup(&f);
        uint8_t x[5000];
        memset(x, 0x77, sizeof x);
        CHECK_OK(bj_file_write(f, 1000, x, sizeof x));
        CHECK_OK(bj_file_write(f, 9000, x, sizeof x));
        bj_os_mem_power_loss(os, 12345);
        bj_file_close(f);
        CHECK_EQ(slurp(os, "/d/f", round ? b : a, sizeof a), 16384);
        bj_os_mem_destroy(os);
    }
    CHECK_MEM(a, b, 16384);
}

TEST(synced_after_unsynced_is_durable)
{
    for (uint64_t seed = 0; seed < 32; seed++) {
        bj_file *f = NULL;
        bj_os *os = setup(&f);
        uint8_t buf[40000], x[5000];
        memset(x, 0x66, sizeof x);
        CHECK_OK(bj_file_write(f, 20000, x, sizeof x));
        CHECK_OK(bj_file_set_size(f, 30000));
        CHECK_OK(bj_file_sync(f));
        memset(x, 0x67, sizeof x);
        CHECK_OK(bj_file_write(f, 0, x, sizeof x)); /* unsynced */
        bj_os_mem_power_loss(os, seed);
        bj_file_close(f);
        CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), 30000);
        CHECK_EQ(buf[20000], 0x66);
        CHECK_EQ(buf[24999], 0x66);
        CHECK_EQ(buf[25000], 0);
        CHECK_EQ(buf[16384], 0); /* the gap the growth made */
        CHECK(buf[5000] == BASE);
        bj_os_mem_destroy(os);
    }
}

TEST(folder_entries_durable_only_after_sync_dir)
{
    for (uint64_t seed = 0; seed < 16; seed++) {
        bj_file *f = NULL, *g = NULL;
        bj_os *os = setup(&f);
        uint8_t buf[20000], x[100];
        bool ex = false;
        bj_file_close(f);
        memset(x, 1, sizeof x);
        /* a new file, synced, but its folder entry is not */
        REQUIRE_OK(bj_file_open(os, "/d/new", BJ_OPEN_CREATE, &g));
        CHECK_OK(bj_file_write(g, 0, x, sizeof x));
        CHECK_OK(bj_file_sync(g));
        bj_file_close(g);
        /* a rename not made durable */
        CHECK_OK(bj_os_rename(os, "/d/f", "/d/g"));
        /* a new folder, made durable */
        CHECK_OK(bj_os_mkdir(os, "/e"));
        CHECK_OK(bj_os_sync_dir(os, "/"));
        bj_os_mem_power_loss(os, seed);
        CHECK_OK(bj_os_stat(os, "/d/new", &ex, NULL, NULL));
        CHECK(!ex);
        CHECK_OK(bj_os_stat(os, "/d/g", &ex, NULL, NULL));
        CHECK(!ex);
        CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), 16384);
        CHECK_OK(bj_os_stat(os, "/e", &ex, NULL, NULL));
        CHECK(ex);

        /* now the same, made durable */
        REQUIRE_OK(bj_file_open(os, "/d/new", BJ_OPEN_CREATE, &g));
        CHECK_OK(bj_file_write(g, 0, x, sizeof x));
        CHECK_OK(bj_file_sync(g));
        bj_file_close(g);
        CHECK_OK(bj_os_rename(os, "/d/f", "/d/g"));
        CHECK_OK(bj_os_remove(os, "/d/new"));
        CHECK_OK(bj_os_rename(os, "/d/g", "/d/h"));
        CHECK_OK(bj_os_sync_dir(os, "/d"));
        bj_os_mem_power_loss(os, seed);
        CHECK_OK(bj_os_stat(os, "/d/new", &ex, NULL, NULL));
        CHECK(!ex);
        CHECK_OK(bj_os_stat(os, "/d/f", &ex, NULL, NULL));
        CHECK(!ex);
        CHECK_EQ(slurp(os, "/d/h", buf, sizeof buf), 16384);
        CHECK_EQ(buf[0], BASE);
        bj_os_mem_destroy(os);
    }
}

TEST(removed_file_comes_back_without_sync_dir)
{
    bj_file *f = NULL;
    bj_os *os = setup(&f);
    uint8_t buf[20000];
    bj_file_close(f);
    CHECK_OK(bj_os_remove(os, "/d/f"));
    CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), -1);
    bj_os_mem_power_loss(os, 0);
    CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), 16384);
    CHECK_OK(bj_os_remove(os, "/d/f"));
    CHECK_OK(bj_os_sync_dir(os, "/d"));
    bj_os_mem_power_loss(os, 0);
    CHECK_EQ(slurp(os, "/d/f", buf, sizeof buf), -1);
    bj_os_mem_destroy(os);
}

TEST(open_files_die_with_the_power)
{
    bj_file *f = NULL, *g = NULL;
    bj_os *os = setup(&f);
    uint8_t x[10] = {0};
    size_t cb = 0;
    uint64_t size = 0;
    REQUIRE_OK(bj_file_open(os, "/d/l", BJ_OPEN_CREATE | BJ_OPEN_LOCK, &g));
    CHECK_OK(bj_os_sync_dir(os, "/d"));
    bj_os_mem_power_loss(os, 7);
    CHECK_ERR(bj_file_read(f, 0, x, sizeof x, &cb), JET_errDiskIO);
    CHECK_ERR(bj_file_write(f, 0, x, sizeof x), JET_errDiskIO);
    CHECK_ERR(bj_file_sync(f), JET_errDiskIO);
    CHECK_ERR(bj_file_size(f, &size), JET_errDiskIO);
    CHECK_ERR(bj_file_set_size(f, 0), JET_errDiskIO);
    /* the lock went with the power: a new open may take it while the dead file is open */
    bj_file *h = NULL;
    REQUIRE_OK(bj_file_open(os, "/d/l", BJ_OPEN_LOCK, &h));
    bj_file_close(g);
    CHECK_ERR(bj_file_open(os, "/d/l", BJ_OPEN_LOCK, &g), JET_errFileAccessDenied);
    bj_file_close(h);
    bj_file_close(f);
    bj_os_mem_destroy(os);
}

typedef struct hook_log {
    bj_os *os;
    int calls;
    char path[64];
    uint64_t off;
    size_t cb;
    uint8_t first_new;
    uint8_t before; /* the byte at off as the hook saw it */
} hook_log;

static void hook(void *ctx, const char *path, uint64_t off, const void *buf, size_t cb)
{
    hook_log *h = ctx;
    bj_file *f = NULL;
    size_t got = 0;
    h->calls++;
    snprintf(h->path, sizeof h->path, "%s", path);
    h->off = off;
    h->cb = cb;
    h->first_new = *(const uint8_t *)buf;
    h->before = 0;
    if (bj_file_open(h->os, path, BJ_OPEN_READONLY, &f) >= 0) {
        bj_file_read(f, off, &h->before, 1, &got);
        bj_file_close(f);
    }
}

TEST(write_hook_sees_every_write_before_it_lands)
{
    bj_file *f = NULL;
    bj_os *os = setup(&f);
    hook_log h = {.os = os};
    uint8_t x[300];
    memset(x, 0x99, sizeof x);
    bj_os_mem_set_write_hook(os, hook, &h);
    CHECK_OK(bj_file_write(f, 4096, x, sizeof x));
    CHECK_EQ(h.calls, 1);
    CHECK_STR(h.path, "/d/f");
    CHECK_EQ(h.off, 4096);
    CHECK_EQ(h.cb, 300);
    CHECK_EQ(h.first_new, 0x99);
    CHECK_EQ(h.before, BASE); /* called before the write */
    CHECK_OK(bj_file_write(f, 0, x, 1));
    CHECK_EQ(h.calls, 2);
    bj_os_mem_set_write_hook(os, NULL, NULL);
    CHECK_OK(bj_file_write(f, 0, x, 1));
    CHECK_EQ(h.calls, 2);
    bj_file_close(f);
    bj_os_mem_destroy(os);
}

typedef struct writer_arg {
    bj_file *f;
    int id;
    int bad;
} writer_arg;

static void *writer(void *arg)
{
    writer_arg *w = arg;
    uint8_t x[1000], y[1000];
    size_t got = 0;
    for (int i = 0; i < 200; i++) {
        uint64_t off = ((uint64_t)i * 4 + (uint64_t)w->id) * sizeof x;
        memset(x, (uint8_t)(w->id * 50 + i), sizeof x);
        if (bj_file_write(w->f, off, x, sizeof x) < 0 ||
            bj_file_read(w->f, off, y, sizeof y, &got) < 0 || got != sizeof y ||
            memcmp(x, y, sizeof x) != 0)
            w->bad++;
        if (i % 50 == 0 && bj_file_sync(w->f) < 0)
            w->bad++;
    }
    return NULL;
}

TEST(concurrent_writers)
{
    bj_os *os = bj_os_mem_create();
    bj_file *f = NULL;
    bj_thread t[4];
    writer_arg a[4];
    REQUIRE_OK(bj_file_open(os, "/f", BJ_OPEN_CREATE, &f));
    for (int i = 0; i < 4; i++) {
        a[i] = (writer_arg){.f = f, .id = i};
        REQUIRE_OK(bj_thread_start(&t[i], writer, &a[i]));
    }
    for (int i = 0; i < 4; i++) {
        bj_thread_join(t[i]);
        CHECK_EQ(a[i].bad, 0);
    }
    uint64_t size = 0;
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 800 * 1000);
    bj_file_close(f);
    bj_os_mem_destroy(os);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
