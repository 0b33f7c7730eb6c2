/* bench_recovery.c: crash-recovery speed (issue 3), bluejet only, through esent.h.
 *
 *  1. build (child process): a new database with table "kv" (k LongLong primary key,
 *     v Binary(100)) and --rows rows, then a clean JetTerm. No log file afterwards means the
 *     engine has no log yet: the bench prints "no log files: recovery not measured" and stops.
 *  2. write (child process): JetInit, attach, then insert rows in transactions of --batch rows
 *     (lazy commits, so the writer is not bound by fsync) until about --mb MB of log files exist
 *     from the writer's first generation on, then one durable commit (everything before it is
 *     durable too); the parent then SIGKILLs the child. The cache is large (--cache-mb) and the
 *     checkpoint is held back (JET_paramCheckpointDepthMax, JET_paramLogCheckpointPeriod at
 *     their maxima) so that the log since the checkpoint is what recovery replays.
 *  3. the crashed folder is copied once; each run (--runs, child processes) works on a fresh
 *     copy of it: finds the checkpoint generation (genMinRequired of the database header,
 *     JetGetDatabaseFileInfo; when that is 0, the writer's first generation), sums the sizes of
 *     the log files from that generation to the end (edb.log included), times reading those
 *     files twice (the comparison: "faster than cat-ing the log twice"), then times JetInit
 *     (which runs recovery), and counts the rows afterwards (they must be every committed row).
 * Medians over the runs; MB = 10^6 bytes. Timings only: never a test.
 *
 * usage: bench_recovery [--mb N] [--runs R] [--rows N] [--batch B] [--cache-mb M]
 *                       [--log-kb K] [--dir DIR] [--quick]
 */
#include <esent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_bj.h"
#include "bench_util.h"

#define VALUE_SIZE 100
#define BJ_PAGE 8192
#define MAX_RUNS 64
#define MAX_LOGS 8192

static struct {
    long mb, runs, rows, batch, cache_mb, log_kb;
    double write_limit; /* seconds: the writer stops there even short of --mb */
    const char *dir;
} opt = {100, 3, 10000, 100, 1024, 0, 900, NULL};

/* What the writer tells the parent before it is killed. */
typedef struct {
    int ok;
    uint32_t firstGen;
    long rows; /* rows committed durably in all (the build's and the writer's) */
    double seconds;
    uint64_t logBytes;
} write_msg;

/* What one recovery run tells the parent. */
typedef struct {
    int ok;
    JET_ERR errInit;
    uint32_t genCkpt;
    int ckptFromHeader; /* genCkpt came from the database header's genMinRequired */
    int nfiles;
    uint64_t logBytes;
    double readTwiceSec, recoverSec;
    long rowsAfter;
} recover_msg;

static void value_of(int64_t key, uint8_t *out)
{
    uint64_t x = (uint64_t)key * 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < VALUE_SIZE; i++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        out[i] = (uint8_t)(x >> 56);
    }
}

static int bj_fail(const char *what, JET_ERR err)
{
    fprintf(stderr, "bluejet: %s: %d\n", what, (int)err);
    return -1;
}

#define TRY(what, call)                                                                            \
    do {                                                                                           \
        JET_ERR e_ = (call);                                                                       \
        if (e_ < 0)                                                                                \
            return bj_fail(what, e_);                                                              \
    } while (0)

/* A parameter the engine may not have: set it if it can, go on if it cannot. */
static void set_optional(JET_INSTANCE *inst, unsigned long id, JET_API_PTR v, const char *name)
{
    JET_ERR err = JetSetSystemParameter(inst, 0, id, v, NULL);
    if (err < 0)
        fprintf(stderr, "note: %s not set (%d)\n", name, (int)err);
}

/* One instance as every phase makes it: files in dir, a large cache, the checkpoint held. */
static int make_instance(const char *dir, JET_INSTANCE *inst)
{
    char sys[4200];
    snprintf(sys, sizeof sys, "%s/", dir);
    TRY("JetCreateInstance", JetCreateInstance(inst, "bench_recovery"));
    TRY("page size", JetSetSystemParameter(inst, 0, JET_paramDatabasePageSize, BJ_PAGE, NULL));
    TRY("system path", JetSetSystemParameter(inst, 0, JET_paramSystemPath, 0, sys));
    TRY("log path", JetSetSystemParameter(inst, 0, JET_paramLogFilePath, 0, sys));
    TRY("temp path", JetSetSystemParameter(inst, 0, JET_paramTempPath, 0, sys));
    TRY("cache size", JetSetSystemParameter(inst, 0, JET_paramCacheSizeMax,
                                            (JET_API_PTR)opt.cache_mb * 1024 * 1024 / BJ_PAGE,
                                            NULL));
    if (opt.log_kb > 0)
        TRY("log file size",
            JetSetSystemParameter(inst, 0, JET_paramLogFileSize, (JET_API_PTR)opt.log_kb, NULL));
    set_optional(inst, JET_paramCheckpointDepthMax, (JET_API_PTR)1 << 40,
                 "JET_paramCheckpointDepthMax");
    set_optional(inst, JET_paramLogCheckpointPeriod, 2147483647, "JET_paramLogCheckpointPeriod");
    return 0;
}

typedef struct {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tab;
    JET_COLUMNID colK, colV;
} bj_db;

static int create_table(bj_db *d)
{
    TRY("JetCreateTableColumnIndex",
        bench_bj_create_kv(d->ses, d->dbid, VALUE_SIZE, &d->tab, &d->colK, &d->colV));
    return 0;
}

/* Opens table kv of an attached database and its column ids. */
static int open_table(bj_db *d, const char *db)
{
    JET_COLUMNDEF def;
    TRY("JetOpenDatabase", JetOpenDatabase(d->ses, db, NULL, &d->dbid, 0));
    TRY("JetOpenTable", JetOpenTable(d->ses, d->dbid, "kv", NULL, 0, 0, &d->tab));
    TRY("column k", JetGetTableColumnInfo(d->ses, d->tab, "k", &def, sizeof def, JET_ColInfo));
    d->colK = def.columnid;
    TRY("column v", JetGetTableColumnInfo(d->ses, d->tab, "v", &def, sizeof def, JET_ColInfo));
    d->colV = def.columnid;
    return 0;
}

/* Inserts rows [first, first + n) in one transaction, committed with grbit. */
static int insert_rows(bj_db *d, long first, long n, JET_GRBIT grbit)
{
    uint8_t v[VALUE_SIZE];
    TRY("JetBeginTransaction", JetBeginTransaction(d->ses));
    for (long i = first; i < first + n; i++) {
        int64_t k = (int64_t)i * 1000003 + 17;
        value_of(k, v);
        JET_SETCOLUMN set[2] = {
            {.columnid = d->colK, .pvData = &k, .cbData = sizeof k},
            {.columnid = d->colV, .pvData = v, .cbData = sizeof v},
        };
        TRY("JetPrepareUpdate", JetPrepareUpdate(d->ses, d->tab, JET_prepInsert));
        TRY("JetSetColumns", JetSetColumns(d->ses, d->tab, set, 2));
        TRY("JetUpdate", JetUpdate(d->ses, d->tab, NULL, 0, NULL));
    }
    TRY("JetCommitTransaction", JetCommitTransaction(d->ses, grbit));
    return 0;
}

/* Phase 1 (child): the database with opt.rows rows, closed cleanly. */
static int build(const char *dir, const char *db)
{
    bj_db d = {0};
    if (make_instance(dir, &d.inst))
        return -1;
    TRY("JetInit", JetInit(&d.inst));
    TRY("JetBeginSession", JetBeginSession(d.inst, &d.ses, NULL, NULL));
    TRY("JetCreateDatabase", JetCreateDatabase(d.ses, db, NULL, &d.dbid, 0));
    if (create_table(&d))
        return -1;
    for (long i = 0; i < opt.rows; i += 1000)
        if (insert_rows(&d, i, opt.rows - i < 1000 ? opt.rows - i : 1000, 0))
            return -1;
    JetCloseTable(d.ses, d.tab);
    JetCloseDatabase(d.ses, d.dbid, 0);
    JetDetachDatabase(d.ses, db);
    JetEndSession(d.ses, 0);
    TRY("JetTerm", JetTerm(d.inst));
    return 0;
}

/* Phase 2 (child): writes until about opt.mb MB of log exist, then reports and waits to die. */
static void write_until_killed(const char *dir, const char *db, int fd)
{
    write_msg m = {0};
    bj_db d = {0};
    double t0 = bench_now();
    if (make_instance(dir, &d.inst) || JetInit(&d.inst) < 0 ||
        JetBeginSession(d.inst, &d.ses, NULL, NULL) < 0 ||
        JetAttachDatabase(d.ses, db, 0) < 0 || open_table(&d, db))
        goto report;
    m.firstGen = bench_log_max_archived(dir) + 1;
    const uint64_t target = (uint64_t)opt.mb * 1000000;
    long next = opt.rows;
    for (long b = 0;; b++) {
        if (insert_rows(&d, next, opt.batch, JET_bitCommitLazyFlush))
            goto report;
        next += opt.batch;
        if (b % 16 == 15) {
            m.logBytes = bench_log_bytes(dir, m.firstGen);
            if (m.logBytes >= target)
                break;
            if (bench_now() - t0 > opt.write_limit) {
                fprintf(stderr, "writer: only %.1f MB of log after %.0f s: stopping there\n",
                        (double)m.logBytes / 1e6, opt.write_limit);
                break;
            }
        }
    }
    /* a default (durable) commit: the log is flushed up to it, lazy commits included */
    if (insert_rows(&d, next, 1, 0))
        goto report;
    next++;
    m.rows = next;
    m.seconds = bench_now() - t0;
    m.logBytes = bench_log_bytes(dir, m.firstGen);
    m.ok = 1;
report:
    if (write(fd, &m, sizeof m) != (ssize_t)sizeof m)
        _exit(3);
    for (;;)
        pause(); /* the parent kills us: no JetTerm, nothing flushed beyond the log */
}

static double read_files_twice(const bench_logfile *f, int n)
{
    static char buf[1 << 20];
    double t0 = bench_now();
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            int fd = open(f[i].path, O_RDONLY);
            if (fd < 0)
                continue;
            while (read(fd, buf, sizeof buf) > 0)
                ;
            close(fd);
        }
    return bench_now() - t0;
}

static long count_rows(bj_db *d)
{
    long n = 0;
    JET_ERR err = JetMove(d->ses, d->tab, JET_MoveFirst, 0);
    while (err >= 0) {
        n++;
        err = JetMove(d->ses, d->tab, JET_MoveNext, 0);
    }
    return err == JET_errNoCurrentRecord ? n : bj_fail("JetMove", err);
}

/* Phase 3 (child): one recovery of the crashed folder dir. */
static void recover_once(const char *dir, const char *db, uint32_t firstGen, recover_msg *r)
{
    static bench_logfile files[MAX_LOGS];
    JET_DBINFOMISC4 misc;
    memset(&misc, 0, sizeof misc);
    r->genCkpt = firstGen;
    if (JetGetDatabaseFileInfo(db, &misc, sizeof misc, JET_DbInfoMisc) >= 0 &&
        misc.genMinRequired > 0) {
        r->genCkpt = misc.genMinRequired;
        r->ckptFromHeader = 1;
    }
    int n = bench_log_list(dir, files, MAX_LOGS);
    if (n > MAX_LOGS)
        n = MAX_LOGS;
    int first = 0;
    while (first < n && files[first].gen < r->genCkpt)
        first++;
    r->nfiles = n - first;
    for (int i = first; i < n; i++)
        r->logBytes += files[i].size;
    r->readTwiceSec = read_files_twice(files + first, r->nfiles);

    bj_db d = {0};
    if (make_instance(dir, &d.inst))
        return;
    double t0 = bench_now();
    r->errInit = JetInit(&d.inst);
    r->recoverSec = bench_now() - t0;
    if (r->errInit < 0)
        return;
    r->rowsAfter = -1;
    JET_ERR err = JetBeginSession(d.inst, &d.ses, NULL, NULL);
    if (err >= 0 && (err = JetAttachDatabase(d.ses, db, 0)) < 0)
        bj_fail("JetAttachDatabase after recovery", err);
    if (err >= 0 && open_table(&d, db) == 0)
        r->rowsAfter = count_rows(&d);
    if (d.tab)
        JetCloseTable(d.ses, d.tab);
    if (d.ses)
        JetEndSession(d.ses, 0);
    JetTerm(d.inst);
    r->ok = 1;
}

/* Waits for child pid; 0 when it exited with status 0. */
static int child_status(pid_t pid)
{
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--mb N] [--runs R] [--rows N] [--batch B] [--cache-mb M] "
                    "[--log-kb K] [--dir DIR] [--quick]\n", argv0);
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mb") && v) opt.mb = atol(v), i++;
        else if (!strcmp(a, "--runs") && v) opt.runs = atol(v), i++;
        else if (!strcmp(a, "--rows") && v) opt.rows = atol(v), i++;
        else if (!strcmp(a, "--batch") && v) opt.batch = atol(v), i++;
        else if (!strcmp(a, "--cache-mb") && v) opt.cache_mb = atol(v), i++;
        else if (!strcmp(a, "--log-kb") && v) opt.log_kb = atol(v), i++;
        else if (!strcmp(a, "--dir") && v) opt.dir = v, i++;
        else if (!strcmp(a, "--quick")) {
            /* smoke mode (ctest): 1 MB of log in 128 KiB files, one run */
            opt.mb = 1, opt.runs = 1, opt.rows = 1000, opt.cache_mb = 64, opt.log_kb = 128;
            opt.write_limit = 30;
        } else
            return usage(argv[0]);
    }
    if (opt.mb < 1 || opt.runs < 1 || opt.runs > MAX_RUNS || opt.rows < 0 || opt.batch < 1 ||
        opt.cache_mb < 1)
        return usage(argv[0]);
    char base[4200], dir[4300], crash[4300], db[4400];
    if (bench_make_scratch(opt.dir, base, sizeof base))
        return 2;
    snprintf(dir, sizeof dir, "%s/store", base);
    snprintf(crash, sizeof crash, "%s/crashed", base);
    snprintf(db, sizeof db, "%s/bench.edb", dir);
    mkdir(dir, 0755);
    char logsz[64] = "the engine's default size";
    if (opt.log_kb > 0)
        snprintf(logsz, sizeof logsz, "%ld KiB", opt.log_kb);
    printf("recovery: about %ld MB of log since the checkpoint, rows of 8 + %d bytes in "
           "transactions of %ld, cache %ld MB, log files of %s, %ld run%s (median)\n"
           "folder: %s\n", opt.mb, VALUE_SIZE, opt.batch, opt.cache_mb, logsz, opt.runs,
           opt.runs > 1 ? "s" : "", base);
    fflush(stdout);
    int rc = 1;

    pid_t pid = fork();
    if (pid == 0)
        _exit(build(dir, db) ? 1 : 0);
    if (child_status(pid)) {
        fprintf(stderr, "build failed\n");
        goto done;
    }
    if (bench_log_list(dir, NULL, 0) <= 0) {
        printf("no log files: recovery not measured\n");
        rc = 0;
        goto done;
    }

    int fds[2];
    write_msg w = {0};
    if (pipe(fds))
        goto done;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        write_until_killed(dir, db, fds[1]);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], &w, sizeof w) != (ssize_t)sizeof w)
        w.ok = 0;
    close(fds[0]);
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (!w.ok) {
        fprintf(stderr, "writer failed\n");
        goto done;
    }
    printf("writer: %ld rows committed in %.1f s, %.1f MB of log from generation %u on, "
           "killed\n", w.rows - opt.rows, w.seconds, (double)w.logBytes / 1e6, w.firstGen);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", dir, crash);
    if (system(cmd) != 0)
        goto done;

    double recSec[MAX_RUNS], readSec[MAX_RUNS];
    recover_msg last = {0};
    int good = 0;
    for (int run = 0; run < opt.runs; run++) {
        recover_msg r = {0};
        bench_rm_rf(dir);
        snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", crash, dir);
        if (system(cmd) != 0 || pipe(fds))
            break;
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
            close(fds[0]);
            recover_once(dir, db, w.firstGen, &r);
            _exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
        }
        close(fds[1]);
        if (pid < 0 || read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
            r.ok = 0;
        close(fds[0]);
        if (child_status(pid))
            r.ok = 0;
        if (r.errInit < 0) {
            printf("run %d: recovery failed: JetInit returned %d after %.2f s\n", run,
                   (int)r.errInit, r.recoverSec);
            continue;
        }
        if (!r.ok) {
            fprintf(stderr, "run %d failed\n", run);
            continue;
        }
        if (r.rowsAfter != w.rows)
            printf("run %d: %ld rows after recovery, %ld were committed: RECOVERY LOST OR "
                   "ADDED ROWS\n", run, r.rowsAfter, w.rows);
        recSec[good] = r.recoverSec;
        readSec[good] = r.readTwiceSec;
        good++;
        last = r;
    }
    if (!good) {
        printf("recovery not measured (no run succeeded)\n");
        goto done;
    }
    const double mb = (double)last.logBytes / 1e6;
    const double rec = bench_median(recSec, good), rd = bench_median(readSec, good);
    printf("log since the checkpoint: generation %u on (%s), %d files, %.1f MB\n", last.genCkpt,
           last.ckptFromHeader ? "genMinRequired of the database header"
                               : "the writer's first generation: the header gave none",
           last.nfiles, mb);
    printf("%-28s %9.3f s %10.1f MB/s\n", "recovery (JetInit)", rec, rec > 0 ? mb / rec : 0);
    printf("%-28s %9.3f s %10.1f MB/s\n", "read the log twice", rd, rd > 0 ? mb / rd : 0);
    printf("recovery / reading twice: %.2fx the time; target (recovery faster than reading the "
           "log twice): %s\n", rd > 0 ? rec / rd : 0, rec < rd ? "met" : "not met");
    printf("rows after recovery: %ld (committed: %ld)\n", last.rowsAfter, w.rows);
    rc = 0;
done:
    bench_rm_rf(base);
    return rc;
}
