/* bench_util.c: helpers shared by bench_commit and bench_recovery (see bench_util.h): clock,
 * medians, scratch folders on a real disk, and listing a folder's log files by ESE's names.
 */
#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#ifndef BENCH_DEFAULT_DIR
#define BENCH_DEFAULT_DIR "/tmp"
#endif
#define BENCH_TMPFS_MAGIC 0x01021994L
#define BENCH_LOG_BASE "edb"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_sleep(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_rm_rf(const char *path)
{
    char cmd[4200];
    if (strchr(path, '\''))
        return -1;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    return system(cmd);
}

int bench_make_scratch(const char *base, char *out, size_t cb)
{
    if (!base || !*base)
        base = getenv("BJ_BENCH_DIR");
    if (!base || !*base)
        base = BENCH_DEFAULT_DIR;
    mkdir(base, 0755);
    if ((size_t)snprintf(out, cb, "%s/bjbench.XXXXXX", base) >= cb || !mkdtemp(out)) {
        fprintf(stderr, "cannot make a scratch folder under %s: %s\n", base, strerror(errno));
        return -1;
    }
    struct statfs sf;
    if (statfs(out, &sf) == 0 && (long)sf.f_type == BENCH_TMPFS_MAGIC)
        fprintf(stderr, "warning: %s is on tmpfs: fsync costs nothing there, durable-commit "
                        "figures mean little (use --dir or $BJ_BENCH_DIR on a disk)\n", out);
    return 0;
}

/* The generation a log file name tells: <base>XXXXXXXX.log or <base>XXXXX.log (hex, either
 * case); BENCH_GEN_CURRENT for <base>.log; 0 for anything else. */
static uint32_t log_name_gen(const char *name)
{
    const size_t nb = strlen(BENCH_LOG_BASE), n = strlen(name);
    if (n < nb + 4 || strncasecmp(name, BENCH_LOG_BASE, nb) || strcasecmp(name + n - 4, ".log"))
        return 0;
    const size_t digits = n - nb - 4;
    if (digits == 0)
        return BENCH_GEN_CURRENT;
    if (digits != 8 && digits != 5)
        return 0;
    uint32_t gen = 0;
    for (size_t i = 0; i < digits; i++) {
        char c = name[nb + i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        gen = gen << 4 | (uint32_t)d;
    }
    return gen;
}

static int cmp_logfile(const void *a, const void *b)
{
    const bench_logfile *x = a, *y = b;
    return x->gen < y->gen ? -1 : x->gen > y->gen;
}

int bench_log_list(const char *dir, bench_logfile *out, int max)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint32_t gen = log_name_gen(de->d_name);
        if (!gen)
            continue;
        if (out && n < max) {
            struct stat st;
            snprintf(out[n].path, sizeof out[n].path, "%s/%s", dir, de->d_name);
            out[n].gen = gen;
            out[n].size = stat(out[n].path, &st) == 0 ? (uint64_t)st.st_size : 0;
        }
        n++;
    }
    closedir(d);
    if (out)
        qsort(out, (size_t)(n < max ? n : max), sizeof *out, cmp_logfile);
    return n;
}

uint64_t bench_log_bytes(const char *dir, uint32_t genMin)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    uint64_t total = 0;
    struct dirent *de;
    char path[4400];
    while ((de = readdir(d))) {
        uint32_t gen = log_name_gen(de->d_name);
        struct stat st;
        if (!gen || gen < genMin)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) == 0)
            total += (uint64_t)st.st_size;
    }
    closedir(d);
    return total;
}

uint32_t bench_log_max_archived(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    uint32_t max = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint32_t gen = log_name_gen(de->d_name);
        if (gen != BENCH_GEN_CURRENT && gen > max)
            max = gen;
    }
    closedir(d);
    return max;
}
