/* bench_commit.c: durable commits per second (issue 3). For each engine (bluejet, SQLite, LMDB)
 * and each thread count (default 1, 2, 4, 8): T threads each commit one small row per
 * transaction (8-byte key, 64-byte value, keys fresh per thread) for a fixed time (--seconds)
 * or a fixed count per thread (--count); the figure is the total of commits over the elapsed
 * time. Each measurement runs in its own child process on a fresh store; every measurement is
 * repeated --runs times (engines and thread counts interleaved) and the median is printed, with
 * the ratios bluejet/peer and each engine's gain from threads. Timings only: never a test.
 *
 * What a commit is:
 *   bluejet  one instance, a session per thread (each opens the database and the table):
 *            JetBeginTransaction, JetPrepareUpdate(Insert) + JetSetColumns + JetUpdate,
 *            JetCommitTransaction(sesid, 0): the default commit, durable once the log exists
 *            (issue 3). Log, checkpoint and temporary files live in the store's folder. The
 *            bench reports when no log file was written (commits were then not durable).
 *   SQLite   WAL, synchronous=FULL, a connection per thread, busy_timeout 60 s:
 *            BEGIN IMMEDIATE; INSERT; COMMIT (fsync of the WAL at every commit).
 *   LMDB     one environment, default sync (fsync at every commit); a write transaction per row
 *            (LMDB serialises writers: each thread opens its own and waits for the lock).
 *
 * usage: bench_commit [--seconds S | --count N] [--threads 1,2,4,8] [--runs R]
 *                     [--engines bluejet,sqlite,lmdb] [--dir DIR] [--quick]
 */
#include <esent.h>
#include <lmdb.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_bj.h"
#include "bench_util.h"

#define VALUE_SIZE 64
#define MAX_THREADS 64
#define MAX_TCOUNTS 8
#define MAX_RUNS 64
#define BJ_PAGE 8192

/* One engine: a store (env) shared by the threads, and one context per thread. */
typedef struct commit_engine {
    const char *name;
    /* Creates a fresh store in dir (an empty folder) for nthreads threads. */
    int (*open)(const char *dir, int nthreads, void **env);
    /* Per thread, before timing starts: a session / connection. */
    int (*thread_begin)(void *env, int t, void **tctx);
    /* One durable transaction inserting (key, value). 0 on success. */
    int (*commit_one)(void *tctx, int64_t key, const uint8_t *val);
    void (*thread_end)(void *tctx);
    void (*close)(void *env);
} commit_engine;

static struct {
    double seconds;
    long count; /* > 0: fixed count per thread instead of a duration */
    int tcounts[MAX_TCOUNTS], ntcounts;
    int runs;
    const char *engines;
    const char *dir;
} opt = {3.0, 0, {1, 2, 4, 8}, 4, 3, "bluejet,sqlite,lmdb", NULL};

static void value_of(int64_t key, uint8_t *out)
{
    uint64_t x = (uint64_t)key * 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < VALUE_SIZE; i++) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        out[i] = (uint8_t)(x >> 56);
    }
}

/* ---- bluejet, through esent.h ---- */

typedef struct {
    JET_INSTANCE inst;
    JET_SESID ses; /* the creating session, kept until close */
    char db[4200];
    JET_COLUMNID colK, colV;
} bj_env;

typedef struct {
    bj_env *env;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tab;
} bj_thr;

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

static int bj_open(const char *dir, int nthreads, void **out)
{
    bj_env *c = calloc(1, sizeof *c);
    char sys[4200];
    JET_DBID dbid;
    if (!c)
        return -1;
    *out = c;
    snprintf(sys, sizeof sys, "%s/", dir);
    snprintf(c->db, sizeof c->db, "%s/bench.edb", dir);
    TRY("JetCreateInstance", JetCreateInstance(&c->inst, "bench_commit"));
    TRY("page size", JetSetSystemParameter(&c->inst, 0, JET_paramDatabasePageSize, BJ_PAGE, NULL));
    TRY("max sessions",
        JetSetSystemParameter(&c->inst, 0, JET_paramMaxSessions, (JET_API_PTR)nthreads + 4, NULL));
    TRY("system path", JetSetSystemParameter(&c->inst, 0, JET_paramSystemPath, 0, sys));
    TRY("log path", JetSetSystemParameter(&c->inst, 0, JET_paramLogFilePath, 0, sys));
    TRY("temp path", JetSetSystemParameter(&c->inst, 0, JET_paramTempPath, 0, sys));
    TRY("JetInit", JetInit(&c->inst));
    TRY("JetBeginSession", JetBeginSession(c->inst, &c->ses, NULL, NULL));
    TRY("JetCreateDatabase", JetCreateDatabase(c->ses, c->db, NULL, &dbid, 0));
    JET_TABLEID tab;
    TRY("JetCreateTableColumnIndex",
        bench_bj_create_kv(c->ses, dbid, VALUE_SIZE, &tab, &c->colK, &c->colV));
    TRY("JetCloseTable", JetCloseTable(c->ses, tab));
    TRY("JetCloseDatabase", JetCloseDatabase(c->ses, dbid, 0));
    return 0;
}

static int bj_thread_begin(void *env, int t, void **out)
{
    bj_thr *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    *out = w;
    w->env = env;
    TRY("JetBeginSession", JetBeginSession(w->env->inst, &w->ses, NULL, NULL));
    TRY("JetOpenDatabase", JetOpenDatabase(w->ses, w->env->db, NULL, &w->dbid, 0));
    TRY("JetOpenTable", JetOpenTable(w->ses, w->dbid, "kv", NULL, 0, 0, &w->tab));
    return 0;
}

static int bj_commit_one(void *tctx, int64_t key, const uint8_t *val)
{
    bj_thr *w = tctx;
    JET_SETCOLUMN set[2] = {
        {.columnid = w->env->colK, .pvData = &key, .cbData = sizeof key},
        {.columnid = w->env->colV, .pvData = val, .cbData = VALUE_SIZE},
    };
    JET_ERR err;
    TRY("JetBeginTransaction", JetBeginTransaction(w->ses));
    if ((err = JetPrepareUpdate(w->ses, w->tab, JET_prepInsert)) < 0 ||
        (err = JetSetColumns(w->ses, w->tab, set, 2)) < 0 ||
        (err = JetUpdate(w->ses, w->tab, NULL, 0, NULL)) < 0) {
        JetRollback(w->ses, 0);
        return bj_fail("insert", err);
    }
    /* grbit 0: the default commit, durable (waits for the log flush) once the log exists */
    TRY("JetCommitTransaction", JetCommitTransaction(w->ses, 0));
    return 0;
}

static void bj_thread_end(void *tctx)
{
    bj_thr *w = tctx;
    if (!w)
        return;
    if (w->tab)
        JetCloseTable(w->ses, w->tab);
    if (w->dbid)
        JetCloseDatabase(w->ses, w->dbid, 0);
    if (w->ses)
        JetEndSession(w->ses, 0);
    free(w);
}

static void bj_close(void *env)
{
    bj_env *c = env;
    if (!c)
        return;
    if (c->ses)
        JetEndSession(c->ses, 0);
    if (c->inst)
        JetTerm(c->inst);
    free(c);
}

/* ---- SQLite ---- */

typedef struct {
    char path[4200];
} sq_env;

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *begin, *insert, *commit;
} sq_thr;

static int sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int sq_connect(const char *path, sqlite3 **db)
{
    if (sqlite3_open(path, db) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(*db, 60000);
    return sq_exec(*db, "PRAGMA journal_mode=WAL") || sq_exec(*db, "PRAGMA synchronous=FULL")
               ? -1
               : 0;
}

static int sq_open(const char *dir, int nthreads, void **out)
{
    sq_env *c = calloc(1, sizeof *c);
    sqlite3 *db = NULL;
    if (!c)
        return -1;
    *out = c;
    snprintf(c->path, sizeof c->path, "%s/bench.sqlite", dir);
    int rc = sq_connect(c->path, &db) ||
             sq_exec(db, "CREATE TABLE kv(k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    sqlite3_close(db);
    return rc ? -1 : 0;
}

static int sq_thread_begin(void *env, int t, void **out)
{
    sq_env *c = env;
    sq_thr *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    *out = w;
    if (sq_connect(c->path, &w->db) ||
        sqlite3_prepare_v2(w->db, "BEGIN IMMEDIATE", -1, &w->begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "INSERT INTO kv(k, v) VALUES(?, ?)", -1, &w->insert, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "COMMIT", -1, &w->commit, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static int sq_step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int sq_commit_one(void *tctx, int64_t key, const uint8_t *val)
{
    sq_thr *w = tctx;
    if (sq_step(w->db, w->begin, "BEGIN IMMEDIATE"))
        return -1;
    sqlite3_bind_int64(w->insert, 1, key);
    sqlite3_bind_blob(w->insert, 2, val, VALUE_SIZE, SQLITE_STATIC);
    if (sq_step(w->db, w->insert, "INSERT")) {
        sq_exec(w->db, "ROLLBACK");
        return -1;
    }
    return sq_step(w->db, w->commit, "COMMIT");
}

static void sq_thread_end(void *tctx)
{
    sq_thr *w = tctx;
    if (!w)
        return;
    sqlite3_finalize(w->begin);
    sqlite3_finalize(w->insert);
    sqlite3_finalize(w->commit);
    sqlite3_close(w->db);
    free(w);
}

static void sq_close(void *env)
{
    free(env);
}

/* ---- LMDB ---- */

typedef struct {
    MDB_env *env;
    MDB_dbi dbi;
} lm_env;

static int lm_open(const char *dir, int nthreads, void **out)
{
    lm_env *c = calloc(1, sizeof *c);
    MDB_txn *txn;
    if (!c)
        return -1;
    *out = c;
    if (mdb_env_create(&c->env) || mdb_env_set_mapsize(c->env, (size_t)4 << 30) ||
        mdb_env_open(c->env, dir, 0, 0644) || mdb_txn_begin(c->env, NULL, 0, &txn))
        return -1;
    if (mdb_dbi_open(txn, NULL, MDB_INTEGERKEY, &c->dbi)) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) ? -1 : 0;
}

static int lm_thread_begin(void *env, int t, void **out)
{
    *out = env;
    return 0;
}

static int lm_commit_one(void *tctx, int64_t key, const uint8_t *val)
{
    lm_env *c = tctx;
    MDB_txn *txn;
    MDB_val k = {sizeof key, &key}, d = {VALUE_SIZE, (void *)val};
    int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
    if (rc == 0 && (rc = mdb_put(txn, c->dbi, &k, &d, MDB_NOOVERWRITE)) != 0)
        mdb_txn_abort(txn);
    else if (rc == 0)
        rc = mdb_txn_commit(txn); /* default sync: fsync before it returns */
    if (rc)
        fprintf(stderr, "lmdb: %s\n", mdb_strerror(rc));
    return rc ? -1 : 0;
}

static void lm_thread_end(void *tctx)
{
}

static void lm_close(void *env)
{
    lm_env *c = env;
    if (!c)
        return;
    if (c->env)
        mdb_env_close(c->env);
    free(c);
}

static const commit_engine engines[] = {
    {"bluejet", bj_open, bj_thread_begin, bj_commit_one, bj_thread_end, bj_close},
    {"sqlite", sq_open, sq_thread_begin, sq_commit_one, sq_thread_end, sq_close},
    {"lmdb", lm_open, lm_thread_begin, lm_commit_one, lm_thread_end, lm_close},
};
#define NENGINES ((int)(sizeof engines / sizeof engines[0]))

/* ---- one measurement, in a child process ---- */

typedef struct {
    int ok;
    int has_log; /* log files existed in the folder afterwards */
    long commits;
    double seconds;
} run_result;

typedef struct {
    const commit_engine *e;
    void *env, *tctx;
    int t, ok;
    long commits;
    pthread_barrier_t *ready;
    atomic_int *stop;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    uint8_t val[VALUE_SIZE];
    w->ok = w->e->thread_begin(w->env, w->t, &w->tctx) == 0;
    pthread_barrier_wait(w->ready); /* the timer starts when every thread is ready */
    pthread_barrier_wait(w->ready);
    if (!w->ok)
        return NULL;
    for (long i = 0; opt.count > 0 ? i < opt.count : !atomic_load(w->stop); i++) {
        int64_t key = ((int64_t)(w->t + 1) << 40) + i; /* fresh keys, disjoint per thread */
        value_of(key, val);
        if (w->e->commit_one(w->tctx, key, val)) {
            w->ok = 0;
            break;
        }
        w->commits++;
    }
    return NULL;
}

static void measure(const commit_engine *e, const char *dir, int nthreads, run_result *r)
{
    void *env = NULL;
    worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    pthread_barrier_t ready;
    atomic_int stop = 0;
    if (e->open(dir, nthreads, &env)) {
        fprintf(stderr, "%s: open failed\n", e->name);
        e->close(env);
        return;
    }
    pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
    int started = 0;
    for (int t = 0; t < nthreads; t++) {
        w[t] = (worker){.e = e, .env = env, .t = t, .ready = &ready, .stop = &stop};
        if (pthread_create(&tid[t], NULL, worker_main, &w[t]))
            break;
        started++;
    }
    if (started < nthreads) { /* cannot meet at the barrier: give up (the child exits) */
        fprintf(stderr, "%s: cannot start %d threads\n", e->name, nthreads);
        return;
    }
    pthread_barrier_wait(&ready);
    double t0 = bench_now();
    pthread_barrier_wait(&ready);
    if (opt.count <= 0) {
        bench_sleep(opt.seconds);
        atomic_store(&stop, 1);
    }
    r->ok = 1;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(tid[t], NULL);
        r->commits += w[t].commits;
        r->ok &= w[t].ok;
    }
    r->seconds = bench_now() - t0;
    for (int t = 0; t < nthreads; t++)
        e->thread_end(w[t].tctx);
    e->close(env);
    pthread_barrier_destroy(&ready);
    r->has_log = bench_log_list(dir, NULL, 0) > 0;
}

static run_result run_in_child(const commit_engine *e, const char *base, int nthreads, int run)
{
    run_result r;
    memset(&r, 0, sizeof r);
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/%s.t%d.%d", base, e->name, nthreads, run);
    bench_rm_rf(dir);
    mkdir(dir, 0755);
    int fds[2];
    if (pipe(fds))
        return r;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        measure(e, dir, nthreads, &r);
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(3);
        _exit(r.ok ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
        r.ok = 0;
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        r.ok = 0;
    bench_rm_rf(dir);
    return r;
}

/* ---- options and the report ---- */

static int parse_threads(const char *s)
{
    opt.ntcounts = 0;
    while (*s && opt.ntcounts < MAX_TCOUNTS) {
        char *end;
        long n = strtol(s, &end, 10);
        if (end == s || n < 1 || n > MAX_THREADS)
            return -1;
        opt.tcounts[opt.ntcounts++] = (int)n;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return opt.ntcounts ? 0 : -1;
}

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--seconds S | --count N] [--threads 1,2,4,8] [--runs R] "
                    "[--engines bluejet,sqlite,lmdb] [--dir DIR] [--quick]\n", argv0);
    return 2;
}

static void print_rate(double v)
{
    if (v > 0)
        printf(" %12.0f/s", v);
    else
        printf(" %14s", "failed");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--seconds") && v) opt.seconds = atof(v), i++;
        else if (!strcmp(a, "--count") && v) opt.count = atol(v), i++;
        else if (!strcmp(a, "--threads") && v) {
            if (parse_threads(v))
                return usage(argv[0]);
            i++;
        } else if (!strcmp(a, "--runs") && v) opt.runs = atoi(v), i++;
        else if (!strcmp(a, "--engines") && v) opt.engines = v, i++;
        else if (!strcmp(a, "--dir") && v) opt.dir = v, i++;
        else if (!strcmp(a, "--quick")) {
            /* smoke mode (ctest): every engine, 1 and 2 threads, a fraction of a second */
            opt.seconds = 0.2, opt.runs = 1, opt.ntcounts = 2;
            opt.tcounts[0] = 1, opt.tcounts[1] = 2;
        } else
            return usage(argv[0]);
    }
    if (opt.runs < 1 || opt.runs > MAX_RUNS || (opt.count <= 0 && opt.seconds <= 0))
        return usage(argv[0]);
    const commit_engine *sel[NENGINES];
    int nsel = 0;
    for (int i = 0; i < NENGINES; i++)
        if (strstr(opt.engines, engines[i].name))
            sel[nsel++] = &engines[i];
    if (!nsel)
        return usage(argv[0]);
    char base[4200];
    if (bench_make_scratch(opt.dir, base, sizeof base))
        return 2;

    printf("durable commits/s: one row per transaction (8-byte key, %d-byte value), ", VALUE_SIZE);
    if (opt.count > 0)
        printf("%ld commits per thread", opt.count);
    else
        printf("%.1f s per measurement", opt.seconds);
    printf(", %d run%s (median)\nfolder: %s\n", opt.runs, opt.runs > 1 ? "s" : "", base);
    fflush(stdout);

    static double samples[NENGINES][MAX_TCOUNTS][MAX_RUNS];
    int good[NENGINES][MAX_TCOUNTS] = {{0}}, nolog[NENGINES] = {0};
    /* runs interleave engines and thread counts, so that a change in the machine's load
     * weighs on all alike */
    for (int run = 0; run < opt.runs; run++)
        for (int c = 0; c < opt.ntcounts; c++)
            for (int e = 0; e < nsel; e++) {
                run_result r = run_in_child(sel[e], base, opt.tcounts[c], run);
                if (!r.ok || r.seconds <= 0) {
                    fprintf(stderr, "%s: %d threads, run %d failed\n", sel[e]->name,
                            opt.tcounts[c], run);
                    continue;
                }
                samples[e][c][good[e][c]++] = (double)r.commits / r.seconds;
                nolog[e] |= !r.has_log;
            }
    rmdir(base);

    double med[NENGINES][MAX_TCOUNTS];
    for (int e = 0; e < nsel; e++)
        for (int c = 0; c < opt.ntcounts; c++)
            med[e][c] = bench_median(samples[e][c], good[e][c]);
    const int bj = !strcmp(sel[0]->name, "bluejet") ? 0 : -1;

    printf("\n%-8s", "threads");
    for (int e = 0; e < nsel; e++)
        printf(" %14s", sel[e]->name);
    for (int e = 1; bj == 0 && e < nsel; e++) {
        char h[32];
        snprintf(h, sizeof h, "bluejet/%s", sel[e]->name);
        printf(" %15s", h);
    }
    printf("\n");
    for (int c = 0; c < opt.ntcounts; c++) {
        printf("%-8d", opt.tcounts[c]);
        for (int e = 0; e < nsel; e++)
            print_rate(med[e][c]);
        for (int e = 1; bj == 0 && e < nsel; e++)
            if (med[0][c] > 0 && med[e][c] > 0)
                printf(" %14.2fx", med[0][c] / med[e][c]);
            else
                printf(" %15s", "-");
        printf("\n");
    }
    /* gain from threads: each thread count against the first (normally 1 thread) */
    if (opt.ntcounts > 1) {
        printf("\ngain over %d thread%s:\n", opt.tcounts[0], opt.tcounts[0] > 1 ? "s" : "");
        for (int c = 1; c < opt.ntcounts; c++) {
            printf("%-8d", opt.tcounts[c]);
            for (int e = 0; e < nsel; e++)
                if (med[e][0] > 0 && med[e][c] > 0)
                    printf(" %13.2fx", med[e][c] / med[e][0]);
                else
                    printf(" %14s", "-");
            printf("\n");
        }
        if (bj == 0 && med[0][0] > 0) {
            int best = 0;
            for (int c = 1; c < opt.ntcounts; c++)
                if (med[0][c] > med[0][best])
                    best = c;
            /* "gains" = at least 10% above the first thread count (noise on a shared machine) */
            if (med[0][best] > 1.1 * med[0][0])
                printf("bluejet gains with threads: yes, best %.2fx at %d threads\n",
                       med[0][best] / med[0][0], opt.tcounts[best]);
            else
                printf("bluejet gains with threads: no (best %.2fx)\n",
                       med[0][best] / med[0][0]);
        }
    }
    if (bj == 0 && nolog[0])
        printf("note: bluejet wrote no log files: its commits were not durable (no log yet, "
               "issue 3), so its figures are not comparable to the peers' fsynced commits\n");
    return 0;
}
