/* bench_util.h: helpers shared by bench_commit and bench_recovery: a monotonic clock, medians,
 * the scratch folder (on a real disk: fsync on tmpfs costs nothing), removing a folder, and the
 * log files of a folder (ESE's names: <base>.log, <base>XXXXXXXX.log). Not part of the engine.
 */
#ifndef BJ_BENCH_UTIL_H
#define BJ_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Seconds on a monotonic clock. */
double bench_now(void);
/* Sleeps for s seconds. */
void bench_sleep(double s);
/* The median of v[0..n) (sorts v); 0 when n == 0. */
double bench_median(double *v, int n);
/* Removes a folder and everything in it (rm -rf); 0 on success. */
int bench_rm_rf(const char *path);
/* Makes a fresh scratch folder "bjbench.XXXXXX" under base (if non-NULL), else under
 * $BJ_BENCH_DIR, else under BENCH_DEFAULT_DIR (the build folder); writes its path to out.
 * Warns on stderr when that file system is tmpfs (fsync is free there). 0 on success. */
int bench_make_scratch(const char *base, char *out, size_t cb);

/* One log file of a folder. gen = its generation; the file being written (<base>.log, whose
 * generation its name does not tell) has gen = BENCH_GEN_CURRENT. */
#define BENCH_GEN_CURRENT UINT32_MAX
typedef struct bench_logfile {
    uint32_t gen;
    uint64_t size;
    char path[4096];
} bench_logfile;

/* The log files of folder dir with base name "edb", sorted by generation (the current file
 * last); at most max of them into out (may be NULL to count). Returns how many exist, or -1
 * when the folder cannot be read. <base>tmp.log (made in advance) and reserve logs do not
 * count. */
int bench_log_list(const char *dir, bench_logfile *out, int max);
/* Total size of the log files of dir with generation >= genMin (the current file included). */
uint64_t bench_log_bytes(const char *dir, uint32_t genMin);
/* The highest archived generation in dir (0 when none). */
uint32_t bench_log_max_archived(const char *dir);

#endif
