/* backup_demo.c: what bluejet is for, in one run (`bluejet_demo`): an embedded database under a
 * multi-threaded write load (demo/workload.h: transfers between accounts, per-writer sequence
 * numbers), an online full backup and then an incremental one taken while the writers keep
 * committing (backupset/backup_stream.h: ESE's external backup calls), a restore of the chain
 * into a new folder (backupset/backup_restore.h: the engine's hard restore), and a verification that the restored database keeps the
 * invariant, holds every transaction committed before the incremental began and none past its
 * end (bj_wl_verify), and passes `bluejet check`. The full backup alone is restored and verified
 * too. A summary gives sizes, rates and the writers' throughput without and during each backup.
 *
 * usage: bluejet_demo [--dir DIR] [--writers W] [--seconds S] [--mb N] [--tool PATH] [--keep]
 *   DIR      the demo's folder (made fresh under $TMPDIR when not given; removed at the end
 *            unless --keep or a step failed)
 *   W        writer threads (4); S seconds of load before each backup (2); N MiB the database
 *            is grown to before the load (64); PATH the `bluejet` tool for the check (default:
 *            ../tools/bluejet next to this program; skipped when missing).
 * Exit status 0 when every step and check passed.
 *
 * Layout of DIR: live/ (the instance: database demo.edb, logs, checkpoint), backup-full/ (image
 * and logs), backup-inc/ (logs), restored/
 * and restored-full/ (the restored databases and the restore's own logs), verify-chain/ and
 * verify-full/ (the verifier's instances).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup_restore.h"
#include "backup_stream.h"
#include "tool_progress.h"
#include "workload.h"

static struct {
    const char *dir;
    int writers;
    double seconds;
    unsigned mb;
    const char *tool;
    bool keep;
} opt = {NULL, 4, 2.0, 64, NULL, false};

static char g_dir[PATH_MAX];

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void path_of(char *out, size_t cb, const char *sub)
{
    int n = snprintf(out, cb, "%s/%s", g_dir, sub);
    if (n < 0 || (size_t)n >= cb)
        out[0] = 0; /* too long: an empty path fails where it is used */
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static uint64_t folder_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[PATH_MAX + 256];
    uint64_t cb = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            cb += file_size(p);
        }
    closedir(d);
    return cb;
}

static bool fail_jet(const char *what, JET_ERR err)
{
    fprintf(stderr, "bluejet_demo: %s: error %d\n", what, (int)err);
    return false;
}

/* ---- one backup with the writers running ---- */

typedef struct phase {
    const char *name;
    bj_bks_stats st;
    double rateBefore, rateDuring;
    int64_t seqMin[BJ_WL_MAX_WRITERS], seqMax[BJ_WL_MAX_WRITERS];
} phase;

static bj_progress g_prog;

static void on_backup_progress(void *ctx, uint64_t done, uint64_t known)
{
    (void)ctx;
    if (known != g_prog.total)
        bj_progress_set_total(&g_prog, known);
    bj_progress_update(&g_prog, done);
}

static bool run_backup(bj_wl *wl, JET_INSTANCE inst, int cWriters, JET_GRBIT grbit, const char *sub,
                       phase *ph)
{
    char dest[PATH_MAX];
    path_of(dest, sizeof dest, sub);
    bj_wl_sample s0 = bj_wl_sample_now(wl);
    sleep_s(opt.seconds);
    bj_wl_sample s1 = bj_wl_sample_now(wl);
    ph->rateBefore = bj_wl_rate(s0, s1);
    /* everything published now committed durably before the backup begins */
    bj_wl_committed(wl, ph->seqMin);
    bj_progress_begin(&g_prog, stderr, ph->name, 0);
    JET_ERR err = bj_bks_backup(inst, grbit, dest, true, 0, 0, on_backup_progress, NULL, &ph->st);
    bj_progress_end(&g_prog, err >= 0);
    bj_wl_sample s2 = bj_wl_sample_now(wl);
    bj_wl_committed(wl, ph->seqMax);
    for (int w = 0; w < cWriters; w++)
        ph->seqMax[w]++; /* a writer's one transaction in flight may be in the set */
    ph->rateDuring = bj_wl_rate(s1, s2);
    if (err < 0)
        return fail_jet(ph->name, err);
    return true;
}

/* ---- restore and verify ---- */

static void on_restore_pct(void *ctx, uint32_t pct)
{
    (void)ctx;
    JET_SNPROG sp = {.cbStruct = sizeof sp, .cunitDone = pct, .cunitTotal = 100};
    bj_progress_status(JET_sesidNil, JET_snpRestore, JET_sntProgress, &sp);
}

/* Restores the chain of backup folders (the full backup first) into folder sub. */
static bool run_restore(const char *sub, const char *const *setDirs, int cSets, char *dbOut,
                        size_t cbDbOut, double *psec)
{
    char dst[PATH_MAX], dirs[4][PATH_MAX], msg[PATH_MAX + 256];
    const char *rg[4];
    path_of(dst, sizeof dst, sub);
    for (int i = 0; i < cSets && i < 4; i++) {
        path_of(dirs[i], sizeof dirs[i], setDirs[i]);
        rg[i] = dirs[i];
    }
    bj_bks_restored res;
    bj_progress_begin(&g_prog, stderr, "restore", 0);
    bj_progress_set_current(&g_prog);
    JET_ERR err = bj_bks_restore(rg, (uint32_t)(cSets < 4 ? cSets : 4), dst, NULL,
                                 on_restore_pct, NULL, &res, msg, sizeof msg);
    bj_progress_set_current(NULL);
    bj_progress_end(&g_prog, err >= 0);
    if (err < 0) {
        fprintf(stderr, "bluejet_demo: %s\n", msg);
        return false;
    }
    *psec = res.sec;
    snprintf(dbOut, cbDbOut, "%s", res.rgdb[0]);
    return true;
}

static bool verify_db(const char *db, const char *sub, const bj_wl_params *p, const phase *ph)
{
    char vdir[PATH_MAX];
    bj_wl_verdict v;
    bj_wl_expect e = {.params = *p, .seqMin = ph->seqMin, .seqMax = ph->seqMax};
    path_of(vdir, sizeof vdir, sub);
    bool ok = bj_wl_verify(db, vdir, &e, &v);
    printf("  verify %-22s %s\n", sub, v.msg);
    return ok;
}

/* `bluejet check DB`: true when it exits 0 (or when the tool is missing: reported, not failed). */
static bool check_db(const char *tool, const char *db, int *pstatus)
{
    *pstatus = -1;
    if (!tool || access(tool, X_OK) != 0)
        return true;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execl(tool, tool, "check", db, (char *)NULL);
        _exit(127);
    }
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) < 0)
        return false;
    *pstatus = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
    return *pstatus == 0;
}

static void print_phase(const phase *ph)
{
    char a[32], b[32];
    const bj_bks_stats *s = &ph->st;
    double mbs = s->secTotal > 0 ? (double)(s->cbDatabases + s->cbLogs) / 1e6 / s->secTotal : 0;
    printf("  %-18s image %10s, %3d logs %10s (gen %u-%u), %6.2f s, %7.1f MB/s, first byte "
           "%.2f ms\n",
           ph->name, bj_progress_fmt_bytes(a, sizeof a, s->cbDatabases), s->cLogs,
           bj_progress_fmt_bytes(b, sizeof b, s->cbLogs), (unsigned)s->genLow, (unsigned)s->genHigh,
           s->secTotal, mbs, s->secFirstByte * 1e3);
    printf("  %-18s writers %8.0f commits/s before, %8.0f during (%.2f)\n", "", ph->rateBefore,
           ph->rateDuring, ph->rateBefore > 0 ? ph->rateDuring / ph->rateBefore : 0);
}

static int usage(void)
{
    fprintf(stderr, "usage: bluejet_demo [--dir DIR] [--writers W] [--seconds S] [--mb N] "
                    "[--tool PATH] [--keep]\n");
    return 2;
}

static void default_tool(const char *argv0, char *out, size_t cb)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(self, sizeof self, "%s", argv0);
        n = (ssize_t)strlen(self);
    }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    snprintf(out, cb, "%s/../tools/bluejet", slash ? self : ".");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* in order with the progress lines on stderr */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--keep"))
            opt.keep = true;
        else if (!v)
            return usage();
        else if (!strcmp(a, "--dir"))
            opt.dir = v, i++;
        else if (!strcmp(a, "--writers"))
            opt.writers = atoi(v), i++;
        else if (!strcmp(a, "--seconds"))
            opt.seconds = atof(v), i++;
        else if (!strcmp(a, "--mb"))
            opt.mb = (unsigned)atoi(v), i++;
        else if (!strcmp(a, "--tool"))
            opt.tool = v, i++;
        else
            return usage();
    }
    if (opt.writers < 1 || opt.writers > BJ_WL_MAX_WRITERS || opt.seconds <= 0)
        return usage();
    char tool[PATH_MAX + 32];
    if (opt.tool)
        snprintf(tool, sizeof tool, "%s", opt.tool);
    else
        default_tool(argv[0], tool, sizeof tool);
    if (opt.dir) {
        snprintf(g_dir, sizeof g_dir, "%s", opt.dir);
        if (mkdir(g_dir, 0755) != 0 && errno != EEXIST)
            return perror(g_dir), 2;
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(g_dir, sizeof g_dir, "%s/bluejet-demo.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(g_dir))
            return perror(g_dir), 2;
    }

    char live[PATH_MAX], db[PATH_MAX + 16];
    JET_INSTANCE inst = 0;
    bj_wl *wl = NULL;
    bj_wl_params p;
    bj_wl_params in = {.cAccounts = 10000, .initialBalance = 1000, .cWriters = opt.writers};
    phase full = {.name = "full backup"}, inc = {.name = "incremental"};
    bool ok = false;
    JET_ERR err;
    bj_wl_params_fill(&in, &p);
    path_of(live, sizeof live, "live");
    snprintf(db, sizeof db, "%s/demo.edb", live);
    printf("bluejet demo in %s: %d writers, %u MiB database\n", g_dir, p.cWriters, opt.mb);

    if ((err = bj_wl_instance_open(live, "demo", &inst)) < 0) {
        fail_jet("instance", err);
        goto done;
    }
    if ((err = bj_wl_setup(inst, db, &p)) < 0 ||
        (err = bj_wl_fill(inst, db, (uint64_t)opt.mb << 20)) < 0) {
        fail_jet("setting the database up", err);
        goto done;
    }
    if ((err = bj_wl_start(inst, db, &p, NULL, NULL, 0, &wl)) < 0) {
        fail_jet("starting the writers", err);
        goto done;
    }
    if (!run_backup(wl, inst, p.cWriters, 0, "backup-full", &full) ||
        !run_backup(wl, inst, p.cWriters, JET_bitBackupIncremental, "backup-inc", &inc))
        goto done;
    sleep_s(opt.seconds / 2); /* the writers go on past the backups: the restore must stop */
    bj_wl_stats ws;
    err = bj_wl_stop(wl, &ws);
    wl = NULL;
    if (err < 0) {
        fail_jet("a writer", err);
        goto done;
    }
    uint64_t cbLive = file_size(db);
    if ((err = JetTerm(inst)) < 0) {
        fail_jet("JetTerm", err);
        goto done;
    }
    inst = 0;

    /* the chain (full + incremental), then the full backup alone */
    char dbChain[PATH_MAX + 16], dbFull[PATH_MAX + 16];
    double secChain = 0, secFull = 0;
    const char *chain[] = {"backup-full", "backup-inc"};
    if (!run_restore("restored", chain, 2, dbChain, sizeof dbChain, &secChain) ||
        !run_restore("restored-full", chain, 1, dbFull, sizeof dbFull, &secFull))
        goto done;
    bool vChain = verify_db(dbChain, "verify-chain", &p, &inc);
    bool vFull = verify_db(dbFull, "verify-full", &p, &full);
    int stChain, stFull;
    bool cChain = check_db(tool, dbChain, &stChain), cFull = check_db(tool, dbFull, &stFull);

    char a[32], b[32];
    printf("\nsummary\n");
    printf("  live database      %s, %llu transactions by %d writers in %.1f s "
           "(%.0f commits/s)\n",
           bj_progress_fmt_bytes(a, sizeof a, cbLive), (unsigned long long)ws.commits, p.cWriters,
           ws.seconds, ws.seconds > 0 ? (double)ws.commits / ws.seconds : 0);
    print_phase(&full);
    print_phase(&inc);
    char fFull[PATH_MAX], fInc[PATH_MAX];
    path_of(fFull, sizeof fFull, "backup-full");
    path_of(fInc, sizeof fInc, "backup-inc");
    printf("  backup folders     full %s, incremental %s\n",
           bj_progress_fmt_bytes(a, sizeof a, folder_bytes(fFull)),
           bj_progress_fmt_bytes(b, sizeof b, folder_bytes(fInc)));
    printf("  restore            chain %.2f s, full alone %.2f s\n", secChain, secFull);
    printf("  invariant          chain %s, full %s\n", vChain ? "ok" : "FAILED",
           vFull ? "ok" : "FAILED");
    if (stChain < 0)
        printf("  bluejet check      skipped (no tool at %s)\n", tool);
    else
        printf("  bluejet check      chain exit %d, full exit %d\n", stChain, stFull);
    ok = vChain && vFull && cChain && cFull;
    printf("%s\n", ok ? "demo passed" : "demo FAILED");
done:
    if (wl)
        bj_wl_stop(wl, NULL);
    if (inst)
        JetTerm(inst);
    if (ok && !opt.keep) {
        char cmd[PATH_MAX + 16];
        if (!strchr(g_dir, '\'')) {
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
            if (system(cmd) != 0)
                fprintf(stderr, "bluejet_demo: could not remove %s\n", g_dir);
        }
    } else if (!ok) {
        fprintf(stderr, "bluejet_demo: files kept in %s\n", g_dir);
    }
    return ok ? 0 : 1;
}
