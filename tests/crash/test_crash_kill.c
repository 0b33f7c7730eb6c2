/* test_crash_kill.c: durability across SIGKILL (issue 3, "crash").
 *
 * The parent creates a database (tables "rows" and "accounts", crash_common.h) in a scratch
 * folder that is also the instance's log and system folder. Each round it starts a child (this
 * executable again, `--child ...`) that opens an instance on that folder (JetInit: recovery of
 * whatever the previous round left), attaches the database and runs several threads of random
 * transactions (inserts, updates, deletes, transfers between accounts, multi-statement ones,
 * some rolled back on purpose, some committed with JET_bitCommitLazyFlush), announcing each one
 * on a pipe before it begins and acknowledging it after JetCommitTransaction returns
 * (crash_common.h, "protocol"). The parent kills the child with SIGKILL at a random time
 * (some rounds measured from the start, so the kill may land in JetInit's recovery; most from
 * the child's "ready"), then after every second round runs JetInit on the folder in-process
 * (recovery), attaches and asserts with cw_check:
 *   - every acknowledged durable commit ('C', and the lazy commits before it) is there, with
 *     the values it wrote;
 *   - no row of a rolled-back transaction and no row no transaction announced is there;
 *   - each thread's unacknowledged transactions (the one in flight at the kill, lazy commits
 *     not yet flushed) are there as a prefix in commit order, each one whole;
 *   - the account balances still sum to CW_NACC * CW_BAL0 (no partial transfer);
 * then detaches, JetTerm (clean) and runs `bluejet check` on the database: it must be clean.
 * (Verifying every second round means half of the kills are recovered first by the next child,
 * which may itself be killed: recovery after a crash after recovery.)
 *
 * Environment: BJ_CRASH_ROUNDS (default 50), BJ_CRASH_SEED (0 or unset: from the clock; the
 * seed is printed), BJ_CRASH_THREADS (default 3, at most 4).
 *
 * harness_clean_exit runs the same rounds without a kill: the child runs a fixed number of
 * transactions per thread and terminates cleanly; the same checks must hold. It passes without
 * a transaction log and guards the harness itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crash_common.h"
#include "testlib.h"

#define DBNAME "crash.edb"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static JET_ERR open_instance(JET_INSTANCE *pinst, const char *name, const char *dir)
{
    char sys[1100];
    snprintf(sys, sizeof sys, "%s/", dir);
    JET_ERR err = JetCreateInstance(pinst, name);
    if (err < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, sys)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, sys)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, sys)) < 0 ||
        /* small generations: many rolls per round, and the rounds' logs stay small (every
         * JetInit starts a generation, zero-filled) */
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        return err;
    }
    return JET_errSuccess;
}

/* ---------------------------------------------------------------- child */

static int g_fd = -1;

static void child_say(const char *line)
{
    size_t n = strlen(line);
    if (write(g_fd, line, n) != (ssize_t)n)
        _exit(4);
}

static void child_sink(void *ctx, char what, const cw_txn *t)
{
    (void)ctx;
    char line[1024];
    if (!cw_format(line, sizeof line, what, t))
        _exit(5);
    child_say(line); /* one write of < PIPE_BUF bytes: atomic, survives the kill once made */
}

static void child_fail(const char *where, JET_ERR err)
{
    char line[200];
    snprintf(line, sizeof line, "ERR %s %d\n", where, (int)err);
    child_say(line);
    _exit(3);
}

/* argv: --child DIR ROUND SEED NTHREADS FIRSTSLOT MAXTXNS FD */
static int child_main(int argc, char **argv)
{
    if (argc != 9)
        return 2;
    const char *dir = argv[2];
    uint32_t round = (uint32_t)strtoul(argv[3], NULL, 0);
    uint64_t seed = strtoull(argv[4], NULL, 0);
    uint32_t nthr = (uint32_t)strtoul(argv[5], NULL, 0);
    uint32_t slot0 = (uint32_t)strtoul(argv[6], NULL, 0);
    uint32_t maxTxns = (uint32_t)strtoul(argv[7], NULL, 0);
    g_fd = atoi(argv[8]);
    char path[1100];
    snprintf(path, sizeof path, "%s/" DBNAME, dir);
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_ERR err;
    if ((err = open_instance(&inst, "crashchild", dir)) < 0)
        child_fail("JetInit", err);
    if ((err = JetBeginSession(inst, &s, NULL, NULL)) < 0)
        child_fail("JetBeginSession", err);
    if ((err = JetAttachDatabase(s, path, 0)) < 0)
        child_fail("JetAttachDatabase", err);
    child_say("READY\n");
    cw_worker w[CW_MAXTHR];
    pthread_t th[CW_MAXTHR];
    memset(w, 0, sizeof w);
    for (uint32_t i = 0; i < nthr; i++) {
        w[i].inst = inst;
        w[i].dbpath = path;
        w[i].thread = slot0 + i;
        w[i].round = round;
        w[i].rng = seed ^ (0x1000193ull * (i + 1));
        w[i].maxTxns = maxTxns ? maxTxns : UINT32_MAX;
        w[i].lazy = true;
        w[i].sink = child_sink;
        if (pthread_create(&th[i], NULL, cw_worker_main, &w[i]) != 0)
            child_fail("pthread_create", -1);
    }
    for (uint32_t i = 0; i < nthr; i++)
        pthread_join(th[i], NULL);
    for (uint32_t i = 0; i < nthr; i++)
        if (w[i].err < 0)
            child_fail("worker", w[i].err);
    if ((err = JetDetachDatabase(s, path)) < 0)
        child_fail("JetDetachDatabase", err);
    JetEndSession(s, 0);
    if ((err = JetTerm(inst)) < 0)
        child_fail("JetTerm", err);
    child_say("DONE\n");
    return 0;
}

/* ---------------------------------------------------------------- parent */

typedef struct round_out {
    bool ready, done, killed;
    char childErr[200];
    int status;
} round_out;

static char g_selfexe[4096];

/* Feeds complete lines of buf[0..*pn) to the model; keeps a trailing partial line. */
static void eat_lines(char *buf, size_t *pn, cw_model *m, round_out *ro)
{
    size_t start = 0;
    for (size_t i = 0; i < *pn; i++) {
        if (buf[i] != '\n')
            continue;
        buf[i] = 0;
        const char *line = buf + start;
        start = i + 1;
        cw_txn t;
        char what;
        if (!strcmp(line, "READY"))
            ro->ready = true;
        else if (!strcmp(line, "DONE"))
            ro->done = true;
        else if (!strncmp(line, "ERR ", 4))
            snprintf(ro->childErr, sizeof ro->childErr, "%s", line + 4);
        else if (cw_parse(line, &what, &t))
            cw_model_event(m, what, &t);
        else if (!m->err[0])
            snprintf(m->err, sizeof m->err, "unparsable line from the child: %.100s", line);
    }
    memmove(buf, buf + start, *pn - start);
    *pn -= start;
}

/* One child run. killAt: 0 = no kill (the child must finish); else ms after the start
 * (fromReady false) or after "READY" (fromReady true). */
static bool run_child(const char *dir, uint32_t round, uint64_t seed, uint32_t nthr, uint32_t slot0,
                      uint32_t maxTxns, uint64_t killAt, bool fromReady, cw_model *m, round_out *ro)
{
    memset(ro, 0, sizeof *ro);
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    char a[6][64];
    snprintf(a[0], sizeof a[0], "%" PRIu32, round);
    snprintf(a[1], sizeof a[1], "%" PRIu64, seed);
    snprintf(a[2], sizeof a[2], "%" PRIu32, nthr);
    snprintf(a[3], sizeof a[3], "%" PRIu32, slot0);
    snprintf(a[4], sizeof a[4], "%" PRIu32, maxTxns);
    snprintf(a[5], sizeof a[5], "%d", fds[1]);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        close(fds[0]);
        execl(g_selfexe, g_selfexe, "--child", dir, a[0], a[1], a[2], a[3], a[4], a[5],
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    uint64_t t0 = now_ms(), deadline = killAt && !fromReady ? t0 + killAt : 0;
    const uint64_t hang = t0 + 120000; /* a child that neither finishes nor dies: a hang */
    char buf[65536];
    size_t n = 0;
    for (;;) {
        uint64_t t = now_ms();
        if (killAt && fromReady && ro->ready && !deadline)
            deadline = t + killAt;
        if ((deadline && t >= deadline && !ro->killed) || t >= hang) {
            kill(pid, SIGKILL);
            ro->killed = true;
        }
        int timeout = 50;
        if (deadline && !ro->killed)
            timeout = (int)(deadline > t ? (deadline - t < 50 ? deadline - t : 50) : 0);
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int r = poll(&p, 1, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (n == sizeof buf) /* a line longer than the buffer: cannot happen */
            n = 0;
        ssize_t got = read(fds[0], buf + n, sizeof buf - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* EOF: the child is gone (killed or exited) */
        n += (size_t)got;
        eat_lines(buf, &n, m, ro);
    }
    close(fds[0]);
    while (waitpid(pid, &ro->status, 0) < 0 && errno == EINTR)
        ;
    if (now_ms() >= hang)
        snprintf(ro->childErr, sizeof ro->childErr, "the child hung (killed after 120 s)");
    return true;
}

/* Recovery in-process, the model check, a clean JetTerm and `bluejet check`. */
static bool verify(const char *dir, cw_model *m, uint32_t round, uint64_t seed)
{
    char path[1100], why[600];
    snprintf(path, sizeof path, "%s/" DBNAME, dir);
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_DBID db = 0;
    bool dbOpen = false;
    JET_ERR err = open_instance(&inst, "verify", dir);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "round %u (seed %" PRIu64 "): JetInit (recovery): %d",
                     round, seed, (int)err);
        return false;
    }
    bool ok = false;
    if ((err = JetBeginSession(inst, &s, NULL, NULL)) < 0 ||
        (err = JetAttachDatabase(s, path, 0)) < 0 ||
        (err = JetOpenDatabase(s, path, NULL, &db, 0)) < 0) {
        bj_test_fail(__FILE__, __LINE__,
                     "round %u (seed %" PRIu64 "): attaching after recovery: %d%s", round, seed,
                     (int)err,
                     err == JET_errDatabaseDirtyShutdown
                         ? " (JET_errDatabaseDirtyShutdown: recovery did not replay the log)"
                         : "");
        goto done;
    }
    dbOpen = true;
    if (cw_check(m, s, db, why, sizeof why) != 0) {
        bj_test_fail(__FILE__, __LINE__, "round %u (seed %" PRIu64 "): %s", round, seed, why);
        goto done;
    }
    ok = true;
done:
    if (dbOpen)
        JetCloseDatabase(s, db, 0);
    if (s) {
        if ((err = JetDetachDatabase(s, path)) < 0 && ok) {
            bj_test_fail(__FILE__, __LINE__, "round %u: JetDetachDatabase: %d", round, (int)err);
            ok = false;
        }
        JetEndSession(s, 0);
    }
    err = JetTerm(inst);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "round %u: JetTerm: %d", round, (int)err);
        ok = false;
    }
    if (ok && cw_tool_path()) {
        int rc = cw_tool_check(path, dir);
        if (rc != 0) {
            bj_test_fail(__FILE__, __LINE__,
                         "round %u (seed %" PRIu64 "): bluejet check %s: exit %d", round, seed,
                         path, rc);
            ok = false;
        }
    }
    return ok;
}

static bool make_db(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/" DBNAME, dir);
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_DBID db = 0;
    JET_ERR err = open_instance(&inst, "create", dir);
    if (err >= 0 && (err = JetBeginSession(inst, &s, NULL, NULL)) >= 0 &&
        (err = JetCreateDatabase(s, path, NULL, &db, 0)) >= 0 &&
        (err = cw_create_schema(s, db)) >= 0 && (err = JetCloseDatabase(s, db, 0)) >= 0)
        err = JetDetachDatabase(s, path);
    if (s)
        JetEndSession(s, 0);
    JET_ERR e2 = inst ? JetTerm(inst) : 0;
    if (err < 0 || e2 < 0) {
        bj_test_fail(__FILE__, __LINE__, "creating the database: %d, JetTerm %d", (int)err,
                     (int)e2);
        return false;
    }
    return true;
}

static void run_rounds(uint32_t rounds, bool kill, uint32_t maxTxns)
{
    uint64_t seed = cw_env_u64("BJ_CRASH_SEED", 0);
    if (!seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
    uint32_t nthr = (uint32_t)cw_env_u64("BJ_CRASH_THREADS", 3);
    if (nthr < 1 || nthr > CW_MAXTHR / 2)
        nthr = 3;
    printf("  BJ_CRASH_SEED=%" PRIu64 " BJ_CRASH_ROUNDS=%u BJ_CRASH_THREADS=%u%s\n", seed, rounds,
           nthr, kill ? "" : " (no kill)");
    fflush(stdout);
    ssize_t cb = readlink("/proc/self/exe", g_selfexe, sizeof g_selfexe - 1);
    REQUIRE(cb > 0);
    g_selfexe[cb] = 0;
    const char *dir = bj_test_tmpdir();
    if (!make_db(dir))
        return;
    cw_model m;
    cw_model_init(&m);
    uint64_t rng = seed;
    uint32_t nkilled = 0, nready = 0;
    uint64_t ncommit0 = 0;
    for (uint32_t round = 1; round <= rounds; round++) {
        uint64_t rseed = cw_rand(&rng);
        uint64_t killAt = 0;
        bool fromReady = true;
        if (kill) {
            fromReady = cw_rand(&rng) % 5 != 0;
            killAt = fromReady ? 1 + cw_rand(&rng) % 200 : 1 + cw_rand(&rng) % 400;
        }
        round_out ro;
        REQUIRE(run_child(dir, round, rseed, nthr, (round % 2) * (CW_MAXTHR / 2),
                          kill ? 0 : maxTxns, killAt, fromReady, &m, &ro));
        nkilled += ro.killed;
        nready += ro.ready;
        if (ro.childErr[0] || (!kill && !ro.done) ||
            (kill && !ro.killed && !(WIFEXITED(ro.status) && WEXITSTATUS(ro.status) == 0))) {
            bj_test_fail(__FILE__, __LINE__,
                         "round %u (seed %" PRIu64 "): child %s (status 0x%x)%s", round, seed,
                         ro.childErr[0] ? ro.childErr : "did not finish", ro.status,
                         strstr(ro.childErr, "-550") ? " (JET_errDatabaseDirtyShutdown: the "
                                                       "previous kill was not recovered)"
                                                     : "");
            break;
        }
        if (m.err[0]) {
            bj_test_fail(__FILE__, __LINE__, "round %u (seed %" PRIu64 "): %s", round, seed, m.err);
            break;
        }
        if ((round % 2 == 0 || round == rounds) && !verify(dir, &m, round, seed))
            break;
    }
    printf("  %u rounds: %u killed (%u after ready), %" PRIu64 " durable commits acknowledged, "
           "%" PRIu64 " rolled back\n",
           rounds, nkilled, nready, m.ncommitted - ncommit0, m.nrolledback);
    if (kill)
        CHECK(nkilled > 0);
    else
        CHECK(m.ncommitted > 0);
    cw_model_free(&m);
}

TEST(harness_clean_exit)
{
    run_rounds((uint32_t)cw_env_u64("BJ_CRASH_CLEAN_ROUNDS", 4), false, 25);
}

TEST(kill_rounds)
{
    run_rounds((uint32_t)cw_env_u64("BJ_CRASH_ROUNDS", 50), true, 0);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--child"))
        return child_main(argc, argv);
    return bj_test_main(argc, argv);
}
