/* bench_kv.c: the key-value benchmark of issue 2. In one run, for each engine (bluejet, SQLite,
 * LMDB): load N rows (8-byte integer key, 100-byte value) in transactions of B rows, N random
 * point lookups, one full scan, U random updates (transactions of B rows). Each engine runs in
 * its own child process (so peak memory is per engine); each run is repeated R times (the
 * engines interleaved) and the median is reported, with the ratio bluejet/peer. Timings live here, never in tests.
 *
 * usage: bench_kv [--rows N] [--lookups N] [--updates N] [--batch B] [--runs R]
 *                 [--cache-mb M] [--order random|seq] [--engines a,b,c] [--dir DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kv.h"

#define BJ_COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum { PH_LOAD, PH_LOOKUP, PH_SCAN, PH_UPDATE, PH_COUNT };
static const char *phase_names[PH_COUNT] = {"load", "lookup", "scan", "update"};

typedef struct {
    double ops_per_sec[PH_COUNT];
    long peak_kb;
    int ok;
} run_result;

static struct {
    long rows, lookups, updates, batch, runs, cache_mb;
    int sequential;
    const char *dir;
    const char *engines;
} opt = {1000000, 1000000, 200000, 1000, 3, 256, 0, NULL, "bluejet,sqlite,lmdb"};

void bench_value_of(int64_t key, uint32_t salt, uint8_t *out)
{
    uint64_t x = (uint64_t)key * 0x9e3779b97f4a7c15ULL ^ salt;
    for (int i = 0; i < BENCH_VALUE_SIZE; i++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        out[i] = (uint8_t)(x >> 56);
    }
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x1234567;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Key i of the data set: spread over the 64-bit range, distinct. */
static int64_t key_of(long i)
{
    return (int64_t)i * 1000003 + 17;
}

static int run_engine(const bench_engine *e, const char *dir, run_result *r)
{
    void *ctx;
    int64_t *keys = malloc(sizeof(int64_t) * (size_t)opt.rows);
    uint8_t v[BENCH_VALUE_SIZE], want[BENCH_VALUE_SIZE];
    if (!keys)
        return -1;
    for (long i = 0; i < opt.rows; i++)
        keys[i] = key_of(i);
    if (!opt.sequential)
        for (long i = opt.rows - 1; i > 0; i--) {
            long j = (long)(rng() % (uint64_t)(i + 1));
            int64_t t = keys[i];
            keys[i] = keys[j];
            keys[j] = t;
        }
    if (e->open(dir, (size_t)opt.cache_mb, &ctx)) {
        fprintf(stderr, "%s: open failed\n", e->name);
        return -1;
    }
    double t0 = now_sec();
    for (long i = 0; i < opt.rows; i += opt.batch) {
        size_t n = (size_t)(opt.rows - i < opt.batch ? opt.rows - i : opt.batch);
        if (e->load_batch(ctx, keys + i, n)) {
            fprintf(stderr, "%s: load failed at row %ld\n", e->name, i);
            return -1;
        }
    }
    r->ops_per_sec[PH_LOAD] = opt.rows / (now_sec() - t0);

    t0 = now_sec();
    for (long i = 0; i < opt.lookups; i++) {
        int64_t k = key_of((long)(rng() % (uint64_t)opt.rows));
        if (e->lookup(ctx, k, v)) {
            fprintf(stderr, "%s: key %lld not found\n", e->name, (long long)k);
            return -1;
        }
        if ((i & 1023) == 0) {
            bench_value_of(k, 0, want);
            if (memcmp(v, want, sizeof v)) {
                fprintf(stderr, "%s: wrong value for key %lld\n", e->name, (long long)k);
                return -1;
            }
        }
    }
    r->ops_per_sec[PH_LOOKUP] = opt.lookups / (now_sec() - t0);

    uint64_t sum = 0;
    t0 = now_sec();
    long n = e->scan(ctx, &sum);
    r->ops_per_sec[PH_SCAN] = n / (now_sec() - t0);
    if (n != opt.rows) {
        fprintf(stderr, "%s: scan saw %ld rows, expected %ld\n", e->name, n, opt.rows);
        return -1;
    }

    int64_t *ukeys = malloc(sizeof(int64_t) * (size_t)opt.batch);
    t0 = now_sec();
    for (long i = 0; i < opt.updates; i += opt.batch) {
        size_t m = (size_t)(opt.updates - i < opt.batch ? opt.updates - i : opt.batch);
        for (size_t j = 0; j < m; j++)
            ukeys[j] = key_of((long)(rng() % (uint64_t)opt.rows));
        if (e->update_batch(ctx, ukeys, m, 1 + (uint32_t)i)) {
            fprintf(stderr, "%s: update failed\n", e->name);
            return -1;
        }
    }
    r->ops_per_sec[PH_UPDATE] = opt.updates / (now_sec() - t0);
    free(ukeys);
    e->close(ctx);
    free(keys);
    r->ok = 1;
    return 0;
}

static int remove_tree(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    return system(cmd);
}

/* Runs one engine in a child process; returns its result and peak memory. */
static run_result run_in_child(const bench_engine *e, int run)
{
    run_result r;
    memset(&r, 0, sizeof r);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s.%d", opt.dir, e->name, run);
    remove_tree(dir);
    mkdir(dir, 0755);
    int fds[2];
    if (pipe(fds))
        return r;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        rng_state = 0x1234567 + (uint64_t)run;
        run_engine(e, dir, &r);
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(3);
        _exit(r.ok ? 0 : 1);
    }
    close(fds[1]);
    if (read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
        r.ok = 0;
    close(fds[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    r.peak_kb = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        r.ok = 0;
    remove_tree(dir);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--rows") && v) opt.rows = atol(v), i++;
        else if (!strcmp(a, "--lookups") && v) opt.lookups = atol(v), i++;
        else if (!strcmp(a, "--updates") && v) opt.updates = atol(v), i++;
        else if (!strcmp(a, "--batch") && v) opt.batch = atol(v), i++;
        else if (!strcmp(a, "--runs") && v) opt.runs = atol(v), i++;
        else if (!strcmp(a, "--cache-mb") && v) opt.cache_mb = atol(v), i++;
        else if (!strcmp(a, "--order") && v) opt.sequential = !strcmp(v, "seq"), i++;
        else if (!strcmp(a, "--engines") && v) opt.engines = v, i++;
        else if (!strcmp(a, "--dir") && v) opt.dir = v, i++;
        else {
            fprintf(stderr, "usage: %s [--rows N] [--lookups N] [--updates N] [--batch B] "
                            "[--runs R] [--cache-mb M] [--order random|seq] [--engines list] "
                            "[--dir DIR]\n", argv[0]);
            return 2;
        }
    }
    if (opt.rows <= 0 || opt.batch <= 0 || opt.runs <= 0)
        return 2;
    char tmpl[4096];
    if (!opt.dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/bjbench.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpl))
            return 2;
        opt.dir = tmpl;
    }
    const bench_engine *all[] = {
#ifdef BENCH_HAVE_BLUEJET
        &bench_engine_bluejet,
#endif
        &bench_engine_sqlite, &bench_engine_lmdb};
    const bench_engine *sel[3];
    int nsel = 0;
    for (size_t i = 0; i < BJ_COUNT(all); i++)
        if (strstr(opt.engines, all[i]->name))
            sel[nsel++] = all[i];
    printf("rows %ld, lookups %ld, updates %ld, batch %ld, %s order, cache %ld MB, %ld runs "
           "(median)\n", opt.rows, opt.lookups, opt.updates, opt.batch,
           opt.sequential ? "sequential" : "random", opt.cache_mb, opt.runs);
    double med[3][PH_COUNT];
    long peak[3] = {0, 0, 0};
    int ok[3], good[3] = {0, 0, 0};
    static double samples[3][PH_COUNT][64];
    /* runs interleave the engines (run 0 of each, then run 1 ...), so that a change in the
     * machine's load during the benchmark weighs on every engine alike */
    for (int run = 0; run < opt.runs && run < 64; run++) {
        for (int e = 0; e < nsel; e++) {
            run_result r = run_in_child(sel[e], run);
            if (!r.ok) {
                fprintf(stderr, "%s: run %d failed\n", sel[e]->name, run);
                continue;
            }
            for (int p = 0; p < PH_COUNT; p++)
                samples[e][p][good[e]] = r.ops_per_sec[p];
            if (r.peak_kb > peak[e])
                peak[e] = r.peak_kb;
            good[e]++;
        }
    }
    for (int e = 0; e < nsel; e++) {
        const int n = good[e];
        ok[e] = n > 0;
        for (int p = 0; p < PH_COUNT && n; p++) {
            qsort(samples[e][p], (size_t)n, sizeof(double), cmp_double);
            med[e][p] = n % 2 ? samples[e][p][n / 2]
                              : (samples[e][p][n / 2 - 1] + samples[e][p][n / 2]) / 2;
        }
    }
    printf("\n%-8s", "engine");
    for (int p = 0; p < PH_COUNT; p++)
        printf(" %14s", phase_names[p]);
    printf(" %12s\n", "peak MiB");
    for (int e = 0; e < nsel; e++) {
        printf("%-8s", sel[e]->name);
        for (int p = 0; p < PH_COUNT; p++)
            if (ok[e])
                printf(" %12.0f/s", med[e][p]);
            else
                printf(" %14s", "failed");
        printf(" %12.1f\n", peak[e] / 1024.0);
    }
    if (nsel > 1 && !strcmp(sel[0]->name, "bluejet") && ok[0]) {
        for (int e = 1; e < nsel; e++) {
            if (!ok[e])
                continue;
            printf("bluejet/%-6s", sel[e]->name);
            for (int p = 0; p < PH_COUNT; p++)
                printf(" %13.2fx", med[0][p] / med[e][p]);
            printf("\n");
        }
    }
    if (opt.dir == tmpl)
        rmdir(tmpl);
    return 0;
}
