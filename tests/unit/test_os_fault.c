/* test_os_fault.c: layer 1: the fault-injecting wrapper (exactly the Nth call of the chosen
 * kinds fails, nothing else does, with the chosen error) and allocation faults (counter,
 * sticky mode, the wrapper's allocation kind, every allocation of a posix open failing
 * cleanly). */
#include <errno.h>

#include "os/os.h"
#include "testlib.h"

#define NCALLS 14
#define SKIPPED (-9999) /* a call not made because the file did not open */

/* One fixed workload over os; res[i] is the result of its i-th call (NCALLS calls, each of a
 * known kind). It goes on after failures; only the calls on a file that failed to open are
 * skipped (SKIPPED). */
static const uint32_t workload_kinds[NCALLS] = {
    BJ_FAULT_DIR,  BJ_FAULT_OPEN, BJ_FAULT_WRITE,    BJ_FAULT_WRITE, BJ_FAULT_SYNC,
    BJ_FAULT_STAT, BJ_FAULT_READ, BJ_FAULT_SET_SIZE, BJ_FAULT_SYNC,  BJ_FAULT_READ,
    BJ_FAULT_DIR,  BJ_FAULT_STAT, BJ_FAULT_DIR,      BJ_FAULT_OPEN,
};

static void workload(bj_os *os, JET_ERR res[NCALLS])
{
    bj_file *f = NULL, *g = NULL;
    uint8_t x[64] = {1, 2, 3}, y[64];
    uint64_t size = 0;
    size_t cb = 0;
    bool ex = false;
    int i = 0;
    res[i++] = bj_os_mkdir(os, "/w");
    res[i++] = bj_file_open(os, "/w/f", BJ_OPEN_CREATE, &f);
    res[i++] = f ? bj_file_write(f, 0, x, sizeof x) : SKIPPED;
    res[i++] = f ? bj_file_write(f, 64, x, sizeof x) : SKIPPED;
    res[i++] = f ? bj_file_sync(f) : SKIPPED;
    res[i++] = f ? bj_file_size(f, &size) : SKIPPED;
    res[i++] = f ? bj_file_read(f, 0, y, sizeof y, &cb) : SKIPPED;
    res[i++] = f ? bj_file_set_size(f, 4096) : SKIPPED;
    res[i++] = f ? bj_file_sync(f) : SKIPPED;
    res[i++] = f ? bj_file_read_exact(f, 4000, y, 64) : SKIPPED;
    res[i++] = bj_os_sync_dir(os, "/w");
    res[i++] = bj_os_stat(os, "/w/f", &ex, NULL, NULL);
    res[i++] = bj_os_rename(os, "/w/f", "/w/g");
    res[i++] = bj_file_open(os, "/w/g", BJ_OPEN_READONLY, &g);
    bj_file_close(f);
    bj_file_close(g);
}

/* Runs the workload on a fresh mem backend under a wrapper configured as given. */
static uint64_t run(uint64_t fail_at, JET_ERR err, uint32_t kinds, JET_ERR res[NCALLS],
                    uint64_t *failures)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_os_fault_set(os, fail_at, err, kinds);
    workload(os, res);
    uint64_t n = bj_os_fault_count(os);
    *failures = bj_os_fault_failures(os);
    bj_os_fault_destroy(os);
    bj_os_mem_destroy(mem);
    return n;
}

TEST(fault_counts_without_failing)
{
    JET_ERR res[NCALLS];
    uint64_t failures = 1;
    CHECK_EQ(run(0, JET_errDiskIO, BJ_FAULT_ALL_KINDS, res, &failures), NCALLS);
    CHECK_EQ(failures, 0);
    for (int i = 0; i < NCALLS; i++)
        CHECK_OK(res[i]);
}

TEST(fault_fails_exactly_the_nth_call_of_all_kinds)
{
    for (uint64_t nth = 1; nth <= NCALLS; nth++) {
        JET_ERR res[NCALLS];
        uint64_t failures = 0;
        uint64_t count = run(nth, JET_errDiskIO, BJ_FAULT_ALL_KINDS, res, &failures);
        uint64_t made = 0;
        for (int i = 0; i < NCALLS; i++)
            made += res[i] != SKIPPED;
        CHECK_EQ(count, made);
        /* when the mkdir or the open of /w/f fails, the 8 calls on /w/f are skipped */
        CHECK_EQ(made, nth <= 2 ? NCALLS - 8 : NCALLS);
        CHECK_EQ(failures, 1);
        CHECK_ERR(res[nth - 1], JET_errDiskIO);
        /* the calls before it all succeeded */
        for (uint64_t i = 0; i + 1 < nth; i++)
            CHECK_OK(res[i]);
    }
}

TEST(fault_counts_only_the_chosen_kinds)
{
    static const uint32_t kinds[] = {
        BJ_FAULT_READ,     BJ_FAULT_WRITE, BJ_FAULT_SYNC, BJ_FAULT_OPEN,
        BJ_FAULT_SET_SIZE, BJ_FAULT_DIR,   BJ_FAULT_STAT, BJ_FAULT_WRITE | BJ_FAULT_SYNC};
    for (size_t k = 0; k < BJ_ARRAY_LEN(kinds); k++) {
        JET_ERR res[NCALLS];
        uint64_t failures = 0;
        int want = 0;
        for (int i = 0; i < NCALLS; i++)
            want += (workload_kinds[i] & kinds[k]) != 0;
        CHECK_EQ(run(0, 0, kinds[k], res, &failures), want);
        /* fail each counted call in turn: exactly that call of that kind fails */
        for (int nth = 1; nth <= want; nth++) {
            CHECK_EQ(run((uint64_t)nth, -1234, kinds[k], res, &failures), want);
            CHECK_EQ(failures, 1);
            int seen = 0;
            for (int i = 0; i < NCALLS; i++) {
                if (workload_kinds[i] & kinds[k])
                    seen++;
                if ((workload_kinds[i] & kinds[k]) && seen == nth)
                    CHECK_ERR(res[i], -1234);
                else
                    CHECK(res[i] != -1234);
            }
        }
    }
}

TEST(fault_error_kinds_and_sticky)
{
    JET_ERR res[NCALLS];
    uint64_t failures = 0;
    run(3, ENOSPC, BJ_FAULT_ALL_KINDS, res, &failures);
    CHECK_ERR(res[2], JET_errDiskFull);
    run(3, EACCES, BJ_FAULT_ALL_KINDS, res, &failures);
    CHECK_ERR(res[2], JET_errFileAccessDenied);
    run(3, 0, BJ_FAULT_ALL_KINDS, res, &failures);
    CHECK_ERR(res[2], JET_errDiskIO);
    run(3, JET_errOutOfMemory, BJ_FAULT_ALL_KINDS, res, &failures);
    CHECK_ERR(res[2], JET_errOutOfMemory);
    /* sticky: the 2nd write and every later write fail; nothing else does */
    run(2, JET_errDiskIO, BJ_FAULT_WRITE | BJ_FAULT_STICKY, res, &failures);
    CHECK_OK(res[2]);
    CHECK_ERR(res[3], JET_errDiskIO);
    CHECK_EQ(failures, 1);
    CHECK_EQ(run(1, JET_errDiskIO, BJ_FAULT_ALL_KINDS | BJ_FAULT_STICKY, res, &failures),
             NCALLS - 8);
    CHECK_EQ(failures, NCALLS - 8);
    for (int i = 0; i < NCALLS; i++)
        CHECK(res[i] == JET_errDiskIO || res[i] == SKIPPED);
}

TEST(fault_failed_call_does_not_reach_inner)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_file *f = NULL;
    uint8_t x[8] = {9, 9, 9, 9, 9, 9, 9, 9}, y[8] = {0};
    bool ex = true;
    bj_os_fault_set(os, 1, JET_errDiskIO, BJ_FAULT_OPEN);
    CHECK_ERR(bj_file_open(os, "/f", BJ_OPEN_CREATE, &f), JET_errDiskIO);
    CHECK(f == NULL);
    CHECK_OK(bj_os_stat(mem, "/f", &ex, NULL, NULL));
    CHECK(!ex);
    REQUIRE_OK(bj_file_open(os, "/f", BJ_OPEN_CREATE, &f)); /* only the first failed */
    CHECK(f->os == os);
    bj_os_fault_set(os, 1, JET_errDiskIO, BJ_FAULT_WRITE);
    CHECK_ERR(bj_file_write(f, 0, x, sizeof x), JET_errDiskIO);
    uint64_t size = 1;
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 0);
    CHECK_OK(bj_file_write(f, 0, x, sizeof x));
    CHECK_OK(bj_file_read_exact(f, 0, y, sizeof y));
    CHECK_MEM(x, y, sizeof x);
    bj_file_close(f);
    bj_os_fault_destroy(os);
    bj_os_mem_destroy(mem);
}

/* ---- allocation faults ---- */

TEST(alloc_fault_fails_exactly_the_nth)
{
    void *p[6];
    bj_alloc_fault_set(3, false);
    for (int i = 0; i < 6; i++)
        p[i] = bj_malloc(16);
    uint64_t count = bj_alloc_fault_count(), failures = bj_alloc_fault_failures();
    bj_alloc_fault_clear();
    CHECK_EQ(count, 6);
    CHECK_EQ(failures, 1);
    for (int i = 0; i < 6; i++) {
        CHECK(i == 2 ? p[i] == NULL : p[i] != NULL);
        bj_free(p[i]);
    }
    /* off: nothing is counted */
    bj_free(bj_malloc(1));
    CHECK_EQ(bj_alloc_fault_count(), 6);
}

TEST(alloc_fault_every_function)
{
    bj_alloc_fault_set(1, true);
    void *a = bj_malloc(10);
    void *b = bj_calloc(2, 10);
    void *c = bj_realloc(NULL, 10);
    char *d = bj_strdup("abc");
    void *e = bj_alloc_aligned(8192);
    uint64_t failures = bj_alloc_fault_failures();
    bj_alloc_fault_clear();
    CHECK(!a && !b && !c && !d && !e);
    CHECK_EQ(failures, 5);
    /* realloc failing leaves the block alone */
    char *s = bj_strdup("hello");
    REQUIRE(s);
    bj_alloc_fault_set(1, false);
    CHECK(bj_realloc(s, 1 << 20) == NULL);
    bj_alloc_fault_clear();
    CHECK_STR(s, "hello");
    bj_free(s);
    e = bj_alloc_aligned(8192);
    REQUIRE(e);
    CHECK_EQ((uintptr_t)e % 4096, 0);
    bj_free_aligned(e);
    b = bj_calloc(3, 100);
    REQUIRE(b);
    for (int i = 0; i < 300; i++)
        CHECK_EQ(((uint8_t *)b)[i], 0);
    bj_free(b);
}

TEST(alloc_faults_in_posix_open_fail_cleanly)
{
    const char *path = NULL;
    char buf[BJ_PATH_MAX];
    bj_file *f = NULL;
    REQUIRE_OK(bj_path_join(buf, sizeof buf, bj_test_tmpdir(), "x"));
    path = buf;
    bj_alloc_fault_set(0, false);
    REQUIRE_OK(bj_file_open(bj_os_posix(), path, BJ_OPEN_CREATE | BJ_OPEN_LOCK, &f));
    uint64_t n = bj_alloc_fault_count();
    bj_alloc_fault_clear();
    bj_file_close(f);
    CHECK(n >= 1);
    for (uint64_t nth = 1; nth <= n; nth++) {
        bj_alloc_fault_set(nth, false);
        JET_ERR err = bj_file_open(bj_os_posix(), path, BJ_OPEN_CREATE | BJ_OPEN_LOCK, &f);
        bj_alloc_fault_clear();
        CHECK_ERR(err, JET_errOutOfMemory);
        CHECK(f == NULL);
    }
    /* no lock or descriptor leaked: an exclusive open still works */
    REQUIRE_OK(bj_file_open(bj_os_posix(), path, BJ_OPEN_LOCK, &f));
    bj_file_close(f);
}

TEST(fault_alloc_kind_counts_allocations_with_io)
{
    bj_os *mem = bj_os_mem_create();
    bj_os *os = bj_os_fault_create(mem);
    bj_file *f = NULL;
    bj_os_fault_set(os, 3, JET_errDiskIO, BJ_FAULT_ALLOC | BJ_FAULT_OPEN);
    void *a = bj_malloc(8);                                  /* 1 */
    JET_ERR e1 = bj_file_open(os, "/f", BJ_OPEN_CREATE, &f); /* 2 */
    void *b = bj_malloc(8);                                  /* 3: fails */
    void *c = bj_malloc(8);                                  /* 4 */
    uint64_t count = bj_os_fault_count(os), failures = bj_os_fault_failures(os);
    bj_os_fault_set(os, 0, 0, 0); /* removes the hook */
    void *d = bj_malloc(8);
    CHECK_EQ(bj_os_fault_count(os), 0);
    CHECK(a && !b && c && d);
    CHECK_OK(e1);
    CHECK_EQ(count, 4);
    CHECK_EQ(failures, 1);
    bj_free(a);
    bj_free(c);
    bj_free(d);
    bj_file_close(f);
    bj_os_fault_set(os, 1, 0, BJ_FAULT_ALLOC);
    bj_os_fault_destroy(os); /* also removes the hook */
    a = bj_malloc(8);
    CHECK(a != NULL);
    bj_free(a);
    bj_os_mem_destroy(mem);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
