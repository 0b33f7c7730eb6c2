/* test_tool_backup.c: the command-line tool's backup side ($BJ_TOOL): `bluejet backup` (full,
 * incremental) of an instance folder written by the workload's writers, `bluejet backup verify`
 * of the chain (and of a broken one), `bluejet restore` of the chain (every committed
 * transaction there, the invariant kept) and `bluejet restore --stop-time` / `--stop-at` to a
 * point in time between two batches of commits (exactly the first batch there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup_set.h"
#include "log/log.h"
#include "testlib.h"
#include "workload.h"

#define NW 3

static int tool(const char *args)
{
    const char *t = getenv("BJ_TOOL");
    char cmd[8192];
    if (!t)
        return -1;
    snprintf(cmd, sizeof cmd, "%s %s >tool.out 2>&1", t, args);
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc))
        return -1;
    return WEXITSTATUS(rc);
}

static bool tool_said(const char *needle)
{
    char buf[16384];
    FILE *f = fopen("tool.out", "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Runs the writers on live/demo.edb for ms milliseconds (the database made first when new);
 * seqs = what they committed, in total. The instance ends cleanly. */
static void run_load(bool fNew, int ms, int64_t *seqs)
{
    JET_INSTANCE inst = 0;
    JET_SESID ses = 0;
    bj_wl *wl = NULL;
    bj_wl_stats st;
    bj_wl_params p = {.cAccounts = 200, .cWriters = NW};
    CHECK_OK(bj_wl_instance_open("live", "tool-live", &inst));
    if (fNew)
        CHECK_OK(bj_wl_setup(inst, "live/demo.edb", &p));
    else {
        CHECK_OK(JetBeginSession(inst, &ses, NULL, NULL));
        CHECK_OK(JetAttachDatabase(ses, "live/demo.edb", 0));
    }
    CHECK_OK(bj_wl_start(inst, "live/demo.edb", &p, NULL, NULL, 0, &wl));
    sleep_ms(ms);
    CHECK_OK(bj_wl_stop(wl, &st));
    for (int w = 0; w < NW; w++)
        seqs[w] = st.seq[w];
    if (ses)
        JetEndSession(ses, 0);
    CHECK_OK(JetTerm2(inst, JET_bitTermComplete));
}

static void expect_db(const char *db, const char *vdir, const int64_t *seqs)
{
    bj_wl_params p = {.cAccounts = 200, .cWriters = NW}, pf;
    bj_wl_params_fill(&p, &pf);
    bj_wl_expect e = {.params = pf, .seqMin = seqs, .seqMax = seqs};
    bj_wl_verdict v;
    bool ok = bj_wl_verify(db, vdir, &e, &v);
    if (!ok)
        printf("  %s: %s\n", db, v.msg);
    CHECK(ok);
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

TEST(backup_verify_restore_and_point_in_time)
{
    int64_t s0[NW], s1[NW], s2[NW];
    run_load(true, 300, s0);
    CHECK_EQ(tool("backup live bk-full"), 0);
    bj_bkset set;
    char msg[512];
    CHECK_OK(bj_bkset_read("bk-full", &set, msg, sizeof msg));
    CHECK_EQ(set.kind, BJ_BKSET_FULL);
    CHECK_EQ(set.cdb, 1u);
    /* a second full backup into a folder that is not empty is refused */
    CHECK_EQ(tool("backup live bk-full"), 2);

    run_load(false, 300, s1);
    /* the point in time: after the second batch, before the third (whole milliseconds apart) */
    sleep_ms(20);
    const int64_t msStop = now_ms();
    sleep_ms(20);
    run_load(false, 300, s2);
    CHECK_EQ(tool("backup --kind incremental --max-rate 200 live bk-inc"), 0);
    CHECK_OK(bj_bkset_read("bk-inc", &set, msg, sizeof msg));
    CHECK_EQ(set.kind, BJ_BKSET_INCREMENTAL);
    CHECK_EQ(set.cdb, 0u);

    CHECK_EQ(tool("backup verify bk-full bk-inc"), 0);
    CHECK(tool_said("the backup restores and checks clean"));
    /* the incremental alone does not start a chain */
    CHECK_EQ(tool("backup verify bk-inc"), 1);

    CHECK_EQ(tool("restore --quiet --to rs-all bk-full bk-inc"), 0);
    expect_db("rs-all/demo.edb", "v-all", s2);
    /* the full backup alone: what was committed before it */
    CHECK_EQ(tool("restore --quiet --to rs-full bk-full"), 0);
    expect_db("rs-full/demo.edb", "v-full", s0);

    /* to a point in time: exactly the first two batches */
    char args[256], t[64];
    time_t sec = (time_t)(msStop / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(args, sizeof args, "restore --quiet --to rs-pit --stop-time %s.%03dZ bk-full bk-inc",
             t, (int)(msStop % 1000));
    CHECK_EQ(tool(args), 0);
    CHECK(tool_said("stopped at the point in time"));
    expect_db("rs-pit/demo.edb", "v-pit", s1);
    /* stopping at the start of the incremental's last generation keeps the databases
     * consistent, at or after the full backup's state */
    snprintf(args, sizeof args, "restore --quiet --to rs-lg --stop-at %u:0x18:0 bk-full bk-inc",
             set.genHigh);
    CHECK_EQ(tool(args), 0);
    CHECK_EQ(tool("check rs-lg/demo.edb"), 0);

    /* a generation missing from the chain: verify and restore both refuse it, nothing made */
    char from[BJ_PATH_MAX], to[BJ_PATH_MAX + 8];
    CHECK_OK(bj_log_name_gen(from, sizeof from, "bk-inc", "edb", set.genLow + 1));
    snprintf(to, sizeof to, "%s.moved", from);
    CHECK(rename(from, to) == 0);
    CHECK_EQ(tool("backup verify bk-full bk-inc"), 1);
    CHECK(tool_said("is in no backup folder") || tool_said("missing"));
    CHECK_EQ(tool("restore --quiet --to rs-bad bk-full bk-inc"), 1);
    CHECK(rename(to, from) == 0);
    /* usage errors */
    CHECK_EQ(tool("restore bk-full"), 2);
    CHECK_EQ(tool("restore --to rs-x --stop-time yesterday bk-full"), 2);
    CHECK_EQ(tool("backup --kind weekly live bk-x"), 2);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
