/* test_backup_workload.c: backups taken while writers with a known invariant commit
 * (demo/workload.h), each restored into a new folder (backupset/: external backup, the
 * engine's hard restore) and checked: the restored database passes `bluejet check` ($BJ_TOOL),
 * keeps the invariant (balances sum, no partial transaction), holds every transaction
 * committed before the backup began and none a writer began after it ended. Kinds: full, copy
 * (full without truncation), incremental and differential; a chain full + incrementals restores
 * to the same state as a later full.
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup_restore.h"
#include "backup_stream.h"
#include "testlib.h"
#include "workload.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct live {
    char dir[4096], db[4200];
    JET_INSTANCE inst;
    bj_wl *wl;
    bj_wl_params p;
    bj_wl_stats st;
} live;

typedef struct taken {
    bj_bks_stats st;
    char dir[4200];
    int64_t lo[BJ_WL_MAX_WRITERS], hi[BJ_WL_MAX_WRITERS];
} taken;

static int live_start(live *L, int writers)
{
    snprintf(L->dir, sizeof L->dir, "%s/live", bj_test_tmpdir());
    snprintf(L->db, sizeof L->db, "%s/wl.edb", L->dir);
    bj_wl_params in = {.cAccounts = 300, .initialBalance = 100, .cWriters = writers, .seed = 3};
    bj_wl_params_fill(&in, &L->p);
    if (bj_wl_instance_open(L->dir, "bkwl", &L->inst) < 0)
        return 1;
    if (bj_wl_setup(L->inst, L->db, &L->p) < 0 || bj_wl_fill(L->inst, L->db, 1u << 20) < 0)
        return 2;
    return bj_wl_start(L->inst, L->db, &L->p, NULL, NULL, 0, &L->wl) < 0 ? 3 : 0;
}

static int live_stop(live *L)
{
    JET_ERR err = JET_errSuccess;
    if (L->wl)
        err = bj_wl_stop(L->wl, &L->st);
    L->wl = NULL;
    return err < 0 ? 1 : 0;
}

/* A backup with the writers running (or stopped): the bounds the restored state must meet. */
static JET_ERR take(live *L, JET_GRBIT grbit, bool truncate, const char *name, taken *t)
{
    snprintf(t->dir, sizeof t->dir, "%s/%s", bj_test_tmpdir(), name);
    if (L->wl)
        bj_wl_committed(L->wl, t->lo);
    else
        memcpy(t->lo, L->st.seq, sizeof t->lo);
    JET_ERR err = bj_bks_backup(L->inst, grbit, t->dir, truncate, 0, 0, NULL, NULL, &t->st);
    if (L->wl)
        bj_wl_committed(L->wl, t->hi);
    else
        memcpy(t->hi, L->st.seq, sizeof t->hi);
    for (int w = 0; L->wl && w < L->p.cWriters; w++)
        t->hi[w]++; /* one transaction in flight per writer */
    printf("  %s: image %llu B, %d logs (gen %u-%u), err %d\n", name,
           (unsigned long long)t->st.cbDatabases, t->st.cLogs, (unsigned)t->st.genLow,
           (unsigned)t->st.genHigh, (int)err);
    return err;
}

static int tool_check(const char *db)
{
    const char *tool = getenv("BJ_TOOL");
    if (!tool)
        return 0;
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
        return -1;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
}

/* Restores sets[0] (a full) plus the logs of sets[1..n), verifies against the last set's bounds
 * and runs `bluejet check`. */
static bool restore_verify(live *L, taken *const *sets, int n, const char *name, bj_wl_verdict *v)
{
    char dest[4200], vdir[4200], msg[4400];
    const char *dirs[8];
    bj_bks_restored res;
    for (int i = 0; i < n; i++)
        dirs[i] = sets[i]->dir;
    snprintf(dest, sizeof dest, "%s/%s", bj_test_tmpdir(), name);
    snprintf(vdir, sizeof vdir, "%s/%s-verify", bj_test_tmpdir(), name);
    JET_ERR err = bj_bks_restore(dirs, (uint32_t)n, dest, NULL, NULL, NULL, &res, msg, sizeof msg);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "%s: restore returned %d: %s", name, (int)err, msg);
        return false;
    }
    CHECK_EQ(res.cdb, 1u);
    CHECK_EQ(res.genLow, sets[0]->st.genLow);
    CHECK_EQ(res.genHigh, sets[n - 1]->st.genHigh);
    const char *db = res.rgdb[0];
    bj_wl_expect e = {.params = L->p, .seqMin = sets[n - 1]->lo, .seqMax = sets[n - 1]->hi};
    bool ok = bj_wl_verify(db, vdir, &e, v);
    printf("  %s: %s\n", name, v->msg);
    int rc = tool_check(db);
    if (rc != 0)
        bj_test_fail(__FILE__, __LINE__, "%s: bluejet check exited %d", name, rc);
    return ok && rc == 0;
}

TEST(full_and_copy_under_load)
{
    live L = {0};
    taken full, copy;
    bj_wl_verdict v;
    REQUIRE(live_start(&L, 3) == 0);
    sleep_ms(300);
    CHECK_OK(take(&L, 0, true, "full", &full));
    sleep_ms(200);
    CHECK_OK(take(&L, 0, false, "copy", &copy));
    sleep_ms(200);
    REQUIRE(live_stop(&L) == 0);
    REQUIRE_OK(JetTerm(L.inst));
    CHECK(full.st.cbDatabases > 0 && full.st.cDatabases == 1 && full.st.cLogs >= 1);
    taken *s1[] = {&full}, *s2[] = {&copy};
    CHECK(restore_verify(&L, s1, 1, "restore-full", &v));
    CHECK(restore_verify(&L, s2, 1, "restore-copy", &v));
}

TEST(chain_equals_later_full)
{
    live L = {0};
    taken full, inc, diff, inc2, full2;
    bj_wl_verdict vChain, vDiff, vFull2;
    REQUIRE(live_start(&L, 3) == 0);
    sleep_ms(200);
    CHECK_OK(take(&L, 0, true, "full", &full));
    sleep_ms(200);
    CHECK_OK(take(&L, JET_bitBackupIncremental, true, "inc", &inc));
    sleep_ms(200);
    CHECK_OK(take(&L, JET_bitBackupIncremental, false, "diff", &diff));
    sleep_ms(100);
    REQUIRE(live_stop(&L) == 0);
    /* quiescent from here: the chain's end and the later full hold the same transactions */
    CHECK_OK(take(&L, JET_bitBackupIncremental, true, "inc2", &inc2));
    CHECK_OK(take(&L, 0, true, "full2", &full2));
    REQUIRE_OK(JetTerm(L.inst));
    CHECK(inc.st.cbDatabases == 0 && inc.st.cLogs >= 1);

    taken *diffSet[] = {&full, &inc, &diff};
    CHECK(restore_verify(&L, diffSet, 3, "restore-diff", &vDiff));
    taken *chain[] = {&full, &inc, &inc2};
    CHECK(restore_verify(&L, chain, 3, "restore-chain", &vChain));
    taken *later[] = {&full2};
    CHECK(restore_verify(&L, later, 1, "restore-full2", &vFull2));
    for (int w = 0; w < L.p.cWriters; w++) {
        CHECK_EQ(vChain.seq[w], L.st.seq[w]);
        CHECK_EQ(vFull2.seq[w], L.st.seq[w]);
    }
    CHECK_EQ(vChain.cHistoryAll, vFull2.cHistoryAll);
    CHECK_EQ(vChain.cHistoryAll, L.st.commits);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
