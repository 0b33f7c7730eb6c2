/* bench_restore.c: restore speed in MB/s of log replayed (issue 4's benchmark).
 *
 * Per run, in a fresh scratch folder: an instance with the demo workload's database (demo/
 * workload.h) grown to --mb MiB; a full backup (backupset/backup_stream.h); --writers writer
 * threads then commit durably for --seconds while the log grows; an incremental backup of those
 * logs; then the chain is restored into a new folder (backupset/backup_restore.h: the engine's
 * hard restore) and timed. The figure is the bytes of the log records replayed over the
 * restore's time (the size of the log files, partly empty after each backup's roll, is printed
 * too), the image copy excluded; the restored database is verified (the workload's invariant, every committed transaction there).
 * Medians over --runs. Timings only: never a test.
 *
 * usage: bench_restore [--mb N] [--seconds S] [--writers W] [--runs R] [--dir DIR] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup_restore.h"
#include "backup_stream.h"
#include "bench_util.h"
#include "workload.h"

#define MAX_RUNS 16

static struct {
    uint64_t mb;
    double seconds;
    int writers, runs;
    const char *dir;
} opt = {64, 5.0, 4, 3, NULL};

static int fail(const char *what, JET_ERR err)
{
    fprintf(stderr, "bench_restore: %s: %d\n", what, (int)err);
    return -1;
}

/* One run: returns 0 and the restore's MB/s of log replayed (and what it replayed). */
static int one_run(const char *scratch, int r, double *pmbs, double *pmb, double *psec)
{
    char dir[4200], db[4300], full[4300], inc[4300], dest[4300];
    snprintf(dir, sizeof dir, "%s/run%d", scratch, r);
    snprintf(db, sizeof db, "%s/live.edb", dir);
    snprintf(full, sizeof full, "%s/backup-full", dir);
    snprintf(inc, sizeof inc, "%s/backup-inc", dir);
    snprintf(dest, sizeof dest, "%s/restored", dir);
    JET_INSTANCE inst = 0;
    JET_ERR err;
    bj_wl *wl = NULL;
    bj_wl_stats st;
    bj_bks_stats bs;
    bj_wl_params p = {.cWriters = opt.writers};
    if ((err = bj_wl_instance_open(dir, "bench-restore", &inst)) < 0)
        return fail("instance", err);
    if ((err = bj_wl_setup(inst, db, &p)) < 0 || (err = bj_wl_fill(inst, db, opt.mb << 20)) < 0 ||
        (err = bj_bks_backup(inst, 0, full, true, 0, 0, NULL, NULL, &bs)) < 0 ||
        (err = bj_wl_start(inst, db, &p, NULL, NULL, 0, &wl)) < 0) {
        JetTerm(inst);
        return fail("setup and full backup", err);
    }
    bench_sleep(opt.seconds);
    if ((err = bj_wl_stop(wl, &st)) < 0 ||
        (err = bj_bks_backup(inst, JET_bitBackupIncremental, inc, true, 0, 0, NULL, NULL, &bs)) <
            0) {
        JetTerm(inst);
        return fail("load and incremental backup", err);
    }
    if ((err = JetTerm(inst)) < 0)
        return fail("JetTerm", err);
    const char *chain[] = {full, inc};
    bj_bks_restored res;
    char msg[4400];
    if ((err = bj_bks_restore(chain, 2, dest, NULL, NULL, NULL, &res, msg, sizeof msg)) < 0) {
        fprintf(stderr, "bench_restore: %s\n", msg);
        return -1;
    }
    bj_wl_params pf;
    bj_wl_params_fill(&p, &pf);
    bj_wl_expect e = {.params = pf, .seqMin = st.seq, .seqMax = st.seq};
    bj_wl_verdict v;
    char vdir[4400];
    snprintf(vdir, sizeof vdir, "%s/verify", dir);
    if (!bj_wl_verify(res.rgdb[0], vdir, &e, &v)) {
        fprintf(stderr, "bench_restore: the restored database is wrong: %s\n", v.msg);
        return -1;
    }
    *pmb = (double)res.cbReplayed / 1e6;
    *psec = res.sec;
    *pmbs = res.sec > 0 ? *pmb / res.sec : 0;
    printf("  run %d: %llu transactions; generations %u-%u (%.1f MB of log files): %llu records,"
           " %.1f MB, replayed in %.2f s = %.1f MB/s; invariant ok\n",
           r + 1, (unsigned long long)st.commits, res.genLow, res.genHigh,
           (double)res.cbLogs / 1e6, (unsigned long long)res.cRecords, *pmb, res.sec, *pmbs);
    fflush(stdout);
    return bench_rm_rf(dir);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_restore [--mb N] [--seconds S] [--writers W] [--runs R] "
                    "[--dir DIR] [--quick]\n");
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            opt.mb = 4;
            opt.seconds = 0.5;
            opt.runs = 1;
        } else if (!v) {
            return usage();
        } else if (!strcmp(a, "--mb")) {
            opt.mb = strtoull(v, NULL, 10), i++;
        } else if (!strcmp(a, "--seconds")) {
            opt.seconds = atof(v), i++;
        } else if (!strcmp(a, "--writers")) {
            opt.writers = atoi(v), i++;
        } else if (!strcmp(a, "--runs")) {
            opt.runs = atoi(v), i++;
        } else if (!strcmp(a, "--dir")) {
            opt.dir = v, i++;
        } else {
            return usage();
        }
    }
    if (opt.runs < 1 || opt.runs > MAX_RUNS || opt.writers < 1 ||
        opt.writers > BJ_WL_MAX_WRITERS || opt.seconds <= 0)
        return usage();
    char scratch[4096];
    if (bench_make_scratch(opt.dir, scratch, sizeof scratch) != 0)
        return 1;
    printf("bench_restore: %llu MiB database, %d writers for %.1f s, %d run(s), scratch %s\n",
           (unsigned long long)opt.mb, opt.writers, opt.seconds, opt.runs, scratch);
    double mbs[MAX_RUNS], mb[MAX_RUNS], sec[MAX_RUNS];
    int rc = 0;
    for (int r = 0; r < opt.runs && rc == 0; r++)
        rc = one_run(scratch, r, &mbs[r], &mb[r], &sec[r]);
    if (rc == 0)
        printf("median: %.1f MB of log records replayed in %.2f s = %.1f MB/s\n",
               bench_median(mb, opt.runs), bench_median(sec, opt.runs),
               bench_median(mbs, opt.runs));
    bench_rm_rf(scratch);
    return rc == 0 ? 0 : 1;
}
