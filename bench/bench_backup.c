/* bench_backup.c: online backup while a writer commits (issue 4). For each engine (SQLite's
 * backup API, LMDB's mdb_env_copy and mdb_env_copy2 COMPACT, and bluejet's external backup when
 * built in), on a data set of --mb MiB (default 1024), in one run:
 *   - `cat` of the engine's data file: read + write in 1 MiB chunks to a file in the same
 *     folder, then fdatasync (MB/s). The page cache is not dropped (that needs root): the data
 *     set was just written, so on a machine with memory to spare both cat and the backup read
 *     from memory and the figures compare copying and writing, not reading the disk. Every
 *     measurement starts after sync(), so no write-back of the data set competes with it;
 *   - the writer alone: commits/s over --base seconds after a short warm-up;
 *   - the backup to a file while the writer goes on: MB/s of everything it wrote (the image,
 *     and the logs for bluejet) over the time from the call to the output made durable with
 *     fsync; MB/s of the image alone over the image's own time (bluejet: until the database
 *     stream was written and fdatasync'ed, before the logs; the peers have no logs), compared
 *     with cat; the time to the first byte; the writer's commits/s during the whole backup.
 * Every figure is the median of --runs runs (default 3); each engine builds its data set once and
 * backs it up --runs times (the output removed after each). Ratios: backup/cat (bluejet's target
 * >= 0.9) and writer during/without (target >= 0.8). Timings only: never a test.
 *
 * usage: bench_backup [--mb N] [--runs R] [--base S] [--writers W] [--engines LIST]
 *                     [--dir DIR] [--out DIR] [--max-rate MB] [--keep] [--quick]
 * --max-rate: bluejet's copy paced to at most MB a second (bj_bks_backup's mbPerSec).
 * --out: the folder backups and cat copies are written to (default: next to the data; another
 * device, e.g. /dev/shm, keeps the copy's writes off the disk the writers' commits wait for).
 * Engines: bluejet, sqlite, lmdb
 * (bluejet: backup_bluejet.c). --writers is the number of bluejet writer threads (the peers have one
 * writer thread each: both serialise their writers anyway).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_backup.h"
#include "bench_util.h"

#define MAX_RUNS 32
#define CHUNK (1u << 20)

static const bench_backup_engine *const g_engines[] = {
    &bench_backup_bluejet,
    &bench_backup_sqlite,
    &bench_backup_lmdb,
};
#define N_ENGINES (sizeof g_engines / sizeof g_engines[0])

static struct {
    uint64_t mb;
    int runs;
    double base;
    int writers;
    const char *engines;
    const char *dir;
    const char *out; /* where backups and cat copies go (default: next to the data) */
    bool keep;
} opt = {1024, 3, 2.0, 1, NULL, NULL, NULL, false};

uint32_t bench_backup_mb_per_sec;

int bench_writer_start(bench_writer *w, void *(*main)(void *), void *arg)
{
    atomic_store(&w->stop, false);
    if (pthread_create(&w->thread, NULL, main, arg) != 0)
        return -1;
    w->running = true;
    return 0;
}

uint64_t bench_writer_commits(bench_writer *w)
{
    return atomic_load(&w->commits);
}

int bench_writer_stop(bench_writer *w)
{
    if (!w->running)
        return 0;
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
    w->running = false;
    return w->err;
}

void bench_backup_random(uint64_t *x, void *buf, size_t cb)
{
    uint8_t *p = buf;
    uint64_t s = *x ? *x : 1;
    for (size_t i = 0; i < cb; i += 8) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t n = cb - i < 8 ? cb - i : 8;
        memcpy(p + i, &s, n);
    }
    *x = s;
}

/* ---- cat ---- */

/* Copies src to dst (1 MiB reads and writes, fdatasync); *pcb = bytes. Seconds, < 0 on error. */
static double cat_file(const char *src, const char *dst, uint64_t *pcb)
{
    int in = open(src, O_RDONLY), out = -1;
    char *buf = malloc(CHUNK);
    double t0 = bench_now(), t = -1;
    uint64_t cb = 0;
    if (in < 0 || !buf || (out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
        goto fail;
    for (;;) {
        ssize_t n = read(in, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail;
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                goto fail;
            off += w;
        }
        cb += (uint64_t)n;
    }
    if (fdatasync(out) != 0)
        goto fail;
    t = bench_now() - t0;
    *pcb = cb;
fail:
    if (t < 0)
        perror("cat");
    if (out >= 0)
        close(out);
    if (in >= 0)
        close(in);
    free(buf);
    return t;
}

/* ---- time to the first byte of an output file, polled ---- */

typedef struct watch {
    const char *path;
    double t0, tFirst;
    atomic_bool stop;
    pthread_t thread;
} watch;

static void *watch_main(void *arg)
{
    watch *w = arg;
    struct stat st;
    while (!atomic_load(&w->stop)) {
        if (stat(w->path, &st) == 0 && st.st_size > 0) {
            w->tFirst = bench_now() - w->t0;
            return NULL;
        }
        bench_sleep(0.0002);
    }
    return NULL;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- one engine ---- */

typedef struct figures {
    double catMBs[MAX_RUNS];
    double bkMBs[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];  /* image + logs over the whole time */
    double imgMBs[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS]; /* image over the image's time */
    double secs[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double firstMs[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double wBase[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double wDuring[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double dataMB[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double extraMB[MAX_RUNS][BENCH_BACKUP_MAX_VARIANTS];
    double catMB;
    int nRuns;
} figures;

static double rate_over(const bench_backup_engine *e, void *env, double s)
{
    uint64_t c0 = e->writer_commits(env);
    double t0 = bench_now();
    bench_sleep(s);
    uint64_t c1 = e->writer_commits(env);
    return (double)(c1 - c0) / (bench_now() - t0);
}

/* One backup of variant v with the writer running. 0 on success. */
static int one_backup(const bench_backup_engine *e, void *env, int v, const char *out, int r,
                      figures *f)
{
    watch w = {.path = out, .tFirst = -1};
    double tFirst = -1, secData = -1;
    uint64_t cbData = 0, cbExtra = 0;
    int rc = -1;
    bench_rm_rf(out); /* a file, or a folder (bluejet) */
    sync();           /* no write-back of earlier work competes with this measurement */
    if (e->writer_start(env) != 0)
        return -1;
    bench_sleep(opt.base / 4); /* warm-up */
    f->wBase[r][v] = rate_over(e, env, opt.base);
    uint64_t c0 = e->writer_commits(env);
    w.t0 = bench_now();
    atomic_init(&w.stop, false);
    if (pthread_create(&w.thread, NULL, watch_main, &w) != 0)
        goto fail;
    rc = e->backup(env, v, out, &tFirst, &cbData, &cbExtra, &secData);
    if (rc == 0)
        rc = fsync_path(out);
    double t = bench_now() - w.t0;
    uint64_t c1 = e->writer_commits(env);
    atomic_store(&w.stop, true);
    pthread_join(w.thread, NULL);
    if (rc != 0)
        goto fail;
    if (cbData == 0)
        cbData = file_size(out);
    f->bkMBs[r][v] = (double)(cbData + cbExtra) / 1e6 / t;
    f->imgMBs[r][v] = (double)cbData / 1e6 / (secData > 0 ? secData : t);
    f->secs[r][v] = t;
    f->firstMs[r][v] = (tFirst >= 0 ? tFirst : w.tFirst) * 1e3;
    f->wDuring[r][v] = (double)(c1 - c0) / t;
    f->dataMB[r][v] = (double)cbData / 1e6;
    f->extraMB[r][v] = (double)cbExtra / 1e6;
    printf("  %-31s run %d: %8.1f MB in %6.2f s = %7.1f MB/s (image %7.1f MB/s), first byte "
           "%7.2f ms, writer %7.0f -> %7.0f commits/s\n",
           e->variant[v], r + 1, (double)(cbData + cbExtra) / 1e6, t, f->bkMBs[r][v],
           f->imgMBs[r][v], f->firstMs[r][v], f->wBase[r][v], f->wDuring[r][v]);
    fflush(stdout);
fail:
    if (e->writer_stop(env) != 0 && rc == 0) {
        fprintf(stderr, "%s: the writer failed\n", e->name);
        rc = -1;
    }
    if (!opt.keep)
        bench_rm_rf(out);
    return rc;
}

static int run_engine(const bench_backup_engine *e, const char *scratch, figures *f)
{
    char dir[4200], out[4300], catOut[4300];
    void *env = NULL;
    int rc = -1;
    snprintf(dir, sizeof dir, "%s/%s", scratch, e->name);
    snprintf(out, sizeof out, "%s/%s-backup.out", opt.out ? opt.out : dir, e->name);
    snprintf(catOut, sizeof catOut, "%s/%s-cat.out", opt.out ? opt.out : dir, e->name);
    if (mkdir(dir, 0755) != 0) {
        perror(dir);
        return -1;
    }
    double t0 = bench_now();
    if (e->prepare(dir, opt.mb << 20, opt.writers, &env) != 0) {
        fprintf(stderr, "%s: preparing the data set failed\n", e->name);
        goto fail;
    }
    f->catMB = (double)file_size(e->data_path(env)) / 1e6;
    printf("%s: data file %.1f MB, built in %.1f s\n", e->name, f->catMB, bench_now() - t0);
    for (int r = 0; r < opt.runs; r++) {
        uint64_t cb = 0;
        sync();
        double t = cat_file(e->data_path(env), catOut, &cb);
        unlink(catOut);
        if (t < 0)
            goto fail;
        f->catMBs[r] = (double)cb / 1e6 / t;
        printf("  %-31s run %d: %8.1f MB in %6.2f s = %7.1f MB/s\n", "cat of the data file", r + 1,
               (double)cb / 1e6, t, f->catMBs[r]);
        for (int v = 0; v < e->cVariants; v++)
            if (one_backup(e, env, v, out, r, f) != 0) {
                fprintf(stderr, "%s: %s failed\n", e->name, e->variant[v]);
                goto fail;
            }
        f->nRuns = r + 1;
    }
    rc = 0;
fail:
    if (env)
        e->close(env);
    if (!opt.keep)
        bench_rm_rf(dir);
    return rc;
}

static double med(const double *v, int n)
{
    double tmp[MAX_RUNS];
    memcpy(tmp, v, (size_t)n * sizeof *v);
    return bench_median(tmp, n);
}

static double med_col(double (*m)[BENCH_BACKUP_MAX_VARIANTS], int v, int n)
{
    double tmp[MAX_RUNS];
    for (int i = 0; i < n; i++)
        tmp[i] = m[i][v];
    return bench_median(tmp, n);
}

static void print_summary(const bench_backup_engine *const *es, figures *fs, int n)
{
    printf("\nmedians of %d run(s), data set %llu MiB, writer baseline %.1f s\n", opt.runs,
           (unsigned long long)opt.mb, opt.base);
    printf("%-31s %8s %8s %7s %8s %8s %8s %6s %8s %8s %8s %6s\n", "backup", "image MB", "logs MB",
           "total s", "all MB/s", "img MB/s", "cat MB/s", "img/cat", "first ms", "w/o c/s",
           "during", "ratio");
    for (int i = 0; i < n; i++) {
        figures *f = &fs[i];
        if (f->nRuns == 0)
            continue;
        double cat = med(f->catMBs, f->nRuns);
        for (int v = 0; v < es[i]->cVariants; v++) {
            double bk = med_col(f->bkMBs, v, f->nRuns), img = med_col(f->imgMBs, v, f->nRuns);
            double wb = med_col(f->wBase, v, f->nRuns), wd = med_col(f->wDuring, v, f->nRuns);
            printf("%-31s %8.1f %8.1f %7.2f %8.1f %8.1f %8.1f %6.2f %8.2f %8.0f %8.0f %6.2f\n",
                   es[i]->variant[v], med_col(f->dataMB, v, f->nRuns),
                   med_col(f->extraMB, v, f->nRuns), med_col(f->secs, v, f->nRuns), bk, img, cat,
                   cat > 0 ? img / cat : 0, med_col(f->firstMs, v, f->nRuns), wb, wd,
                   wb > 0 ? wd / wb : 0);
        }
    }
}

static bool engine_wanted(const char *name)
{
    if (!opt.engines)
        return true;
    size_t n = strlen(name);
    for (const char *p = opt.engines; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (c ? 1 : 0);
    }
    return false;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_backup [--mb N] [--runs R] [--base S] [--writers W] "
                    "[--engines LIST] [--dir DIR] [--out DIR] [--max-rate MB] [--keep] [--quick]\n");
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            opt.mb = 16;
            opt.runs = 1;
            opt.base = 0.4;
        } else if (!strcmp(a, "--keep")) {
            opt.keep = true;
        } else if (!v) {
            return usage();
        } else if (!strcmp(a, "--mb")) {
            opt.mb = strtoull(v, NULL, 10), i++;
        } else if (!strcmp(a, "--runs")) {
            opt.runs = atoi(v), i++;
        } else if (!strcmp(a, "--base")) {
            opt.base = atof(v), i++;
        } else if (!strcmp(a, "--writers")) {
            opt.writers = atoi(v), i++;
        } else if (!strcmp(a, "--engines")) {
            opt.engines = v, i++;
        } else if (!strcmp(a, "--dir")) {
            opt.dir = v, i++;
        } else if (!strcmp(a, "--out")) {
            opt.out = v, i++;
        } else if (!strcmp(a, "--max-rate")) {
            bench_backup_mb_per_sec = (uint32_t)strtoul(v, NULL, 10), i++;
        } else {
            return usage();
        }
    }
    if (opt.mb == 0 || opt.runs < 1 || opt.runs > MAX_RUNS || opt.base <= 0 || opt.writers < 1)
        return usage();
    char scratch[4096];
    if (bench_make_scratch(opt.dir, scratch, sizeof scratch) != 0)
        return 1;
    printf("bench_backup: %llu MiB per engine, %d run(s), scratch %s\n", (unsigned long long)opt.mb,
           opt.runs, scratch);
    static figures fs[N_ENGINES];
    const bench_backup_engine *es[N_ENGINES];
    int n = 0, rc = 0;
    for (size_t i = 0; i < N_ENGINES; i++) {
        if (!engine_wanted(g_engines[i]->name))
            continue;
        es[n] = g_engines[i];
        if (run_engine(es[n], scratch, &fs[n]) != 0)
            rc = 1;
        n++;
    }
    print_summary(es, fs, n);
    if (!opt.keep)
        bench_rm_rf(scratch);
    return rc;
}
