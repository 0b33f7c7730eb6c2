/* test_workload.c: the writers with an invariant (demo/workload.c) and their verifier: a load
 * run and verified after JetTerm passes with the exact published seqs; the verifier catches a
 * balance changed by hand, a history row removed, a writer seq changed, a minimum above what was
 * committed and a maximum below it; the interval callback and the samples report commits.
 */
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#include "testlib.h"
#include "workload.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct run {
    char dir[4096], db[4200], vdir[4200];
    JET_INSTANCE inst;
    bj_wl_params p;
    bj_wl_stats st;
    int64_t mid[BJ_WL_MAX_WRITERS]; /* published seqs halfway */
} run;

static atomic_int g_calls;
static void on_rate(void *ctx, double t0, double t1, double rate)
{
    (void)ctx;
    if (t1 > t0 && rate >= 0)
        atomic_fetch_add(&g_calls, 1);
}

/* Sets up the database, runs cWriters writers for about ms milliseconds, stops them; the
 * instance stays open. Returns 0 on success. */
static int run_load(run *r, int cWriters, int ms)
{
    snprintf(r->dir, sizeof r->dir, "%s/live", bj_test_tmpdir());
    snprintf(r->db, sizeof r->db, "%s/wl.edb", r->dir);
    snprintf(r->vdir, sizeof r->vdir, "%s/verify", bj_test_tmpdir());
    bj_wl_params in = {.cAccounts = 200, .initialBalance = 500, .cWriters = cWriters, .seed = 7};
    bj_wl_params_fill(&in, &r->p);
    JET_ERR err;
    if ((err = bj_wl_instance_open(r->dir, "wltest", &r->inst)) < 0)
        return printf("instance %d\n", (int)err), 1;
    if ((err = bj_wl_setup(r->inst, r->db, &r->p)) < 0)
        return printf("setup %d\n", (int)err), 2;
    bj_wl *wl = NULL;
    if ((err = bj_wl_start(r->inst, r->db, &r->p, on_rate, NULL, 50, &wl)) < 0)
        return printf("start %d\n", (int)err), 3;
    sleep_ms(ms / 2);
    bj_wl_committed(wl, r->mid);
    sleep_ms(ms / 2);
    if ((err = bj_wl_stop(wl, &r->st)) < 0)
        return printf("writer %d: %d\n", r->st.errWriter, (int)err), 4;
    return 0;
}

static bool verify(run *r, const int64_t *lo, const int64_t *hi, bj_wl_verdict *v)
{
    bj_wl_expect e = {.params = r->p, .seqMin = lo, .seqMax = hi};
    bool ok = bj_wl_verify(r->db, r->vdir, &e, v);
    printf("  verdict: %s\n", v->msg);
    return ok;
}

TEST(load_verifies_after_term)
{
    run r = {0};
    atomic_store(&g_calls, 0);
    REQUIRE(run_load(&r, 3, 1200) == 0);
    REQUIRE_OK(JetTerm(r.inst));
    uint64_t sum = 0;
    for (int w = 0; w < 3; w++) {
        CHECK(r.st.seq[w] >= r.mid[w]);
        sum += (uint64_t)r.st.seq[w];
    }
    CHECK(r.st.commits > 0);
    CHECK_EQ(sum, r.st.commits);
    CHECK(atomic_load(&g_calls) > 0);
    printf("  %llu commits in %.2f s, %llu conflicts\n", (unsigned long long)r.st.commits,
           r.st.seconds, (unsigned long long)r.st.conflicts);

    bj_wl_verdict v;
    CHECK(verify(&r, r.mid, r.st.seq, &v));
    CHECK_EQ(v.fault, BJ_WL_OK);
    CHECK_EQ(v.cAccounts, 200);
    CHECK_EQ(v.total, 200 * 500);
    CHECK_EQ(v.cWriters, 3);
    CHECK_EQ(v.cHistoryAll, r.st.commits);
    for (int w = 0; w < 3; w++) {
        CHECK_EQ(v.seq[w], r.st.seq[w]);
        CHECK_EQ(v.cHistory[w], r.st.seq[w]);
    }
    /* exact bounds pass; one above the minimum, one below the maximum fail */
    CHECK(verify(&r, r.st.seq, r.st.seq, &v));
    int64_t lo[BJ_WL_MAX_WRITERS], hi[BJ_WL_MAX_WRITERS];
    memcpy(lo, r.st.seq, sizeof lo);
    lo[1]++;
    CHECK(!verify(&r, lo, NULL, &v));
    CHECK_EQ(v.fault, BJ_WL_BELOW_MIN);
    CHECK_EQ(v.writer, 1);
    memcpy(hi, r.st.seq, sizeof hi);
    hi[2]--;
    CHECK(!verify(&r, NULL, hi, &v));
    CHECK_EQ(v.fault, BJ_WL_ABOVE_MAX);
    CHECK_EQ(v.writer, 2);
    /* a second load on the same database continues the seqs, and the result verifies */
    REQUIRE_OK(bj_wl_instance_open(r.dir, "wltest2", &r.inst));
    JET_SESID ses;
    REQUIRE_OK(JetBeginSession(r.inst, &ses, NULL, NULL));
    REQUIRE_OK(JetAttachDatabase(ses, r.db, 0));
    bj_wl *wl;
    REQUIRE_OK(bj_wl_start(r.inst, r.db, &r.p, NULL, NULL, 0, &wl));
    sleep_ms(300);
    bj_wl_sample a = bj_wl_sample_now(wl);
    sleep_ms(200);
    bj_wl_sample b = bj_wl_sample_now(wl);
    CHECK(bj_wl_rate(a, b) >= 0);
    CHECK(b.commits >= a.commits);
    bj_wl_stats st2;
    CHECK_OK(bj_wl_stop(wl, &st2));
    CHECK_OK(JetEndSession(ses, 0));
    REQUIRE_OK(JetTerm(r.inst));
    CHECK(verify(&r, r.st.seq, st2.seq, &v));
    for (int w = 0; w < 3; w++)
        CHECK(st2.seq[w] >= r.st.seq[w]);
}

/* Opens the database in a session of r->inst, seeks table's row with Long key k (and LongLong
 * second key part k2 when >= 0). */
static int open_row(run *r, JET_SESID *pses, JET_DBID *pdbid, JET_TABLEID *pt, const char *table,
                    int32_t k, int64_t k2)
{
    if (JetBeginSession(r->inst, pses, NULL, NULL) < 0 ||
        JetOpenDatabase(*pses, r->db, NULL, pdbid, 0) < 0 ||
        JetOpenTable(*pses, *pdbid, table, NULL, 0, 0, pt) < 0 ||
        JetMakeKey(*pses, *pt, &k, 4, JET_bitNewKey) < 0)
        return 1;
    if (k2 >= 0 && JetMakeKey(*pses, *pt, &k2, 8, 0) < 0)
        return 2;
    return JetSeek(*pses, *pt, JET_bitSeekEQ) < 0 ? 3 : 0;
}

static JET_COLUMNID colid(JET_SESID ses, JET_DBID dbid, const char *t, const char *c)
{
    JET_COLUMNDEF def = {.cbStruct = sizeof def};
    if (JetGetColumnInfo(ses, dbid, t, c, &def, sizeof def, JET_ColInfo) < 0)
        return 0;
    return def.columnid;
}

static void close_row(JET_SESID ses, JET_DBID dbid, JET_TABLEID t)
{
    CHECK_OK(JetCloseTable(ses, t));
    CHECK_OK(JetCloseDatabase(ses, dbid, 0));
    CHECK_OK(JetEndSession(ses, 0));
}

TEST(verifier_catches_changed_balance)
{
    run r = {0};
    REQUIRE(run_load(&r, 2, 400) == 0);
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID t;
    REQUIRE(open_row(&r, &ses, &dbid, &t, "accounts", 17, -1) == 0);
    int64_t bal = 0;
    JET_COLUMNID c = colid(ses, dbid, "accounts", "balance");
    REQUIRE_OK(JetBeginTransaction(ses));
    CHECK_OK(JetRetrieveColumn(ses, t, c, &bal, 8, NULL, 0, NULL));
    bal += 1;
    CHECK_OK(JetPrepareUpdate(ses, t, JET_prepReplace));
    CHECK_OK(JetSetColumn(ses, t, c, &bal, 8, 0, NULL));
    CHECK_OK(JetUpdate(ses, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(ses, 0));
    close_row(ses, dbid, t);
    REQUIRE_OK(JetTerm(r.inst));
    bj_wl_verdict v;
    CHECK(!verify(&r, NULL, NULL, &v));
    CHECK_EQ(v.fault, BJ_WL_TOTAL);
    CHECK_EQ(v.total, 200 * 500 + 1);
}

TEST(verifier_catches_missing_history_row)
{
    run r = {0};
    REQUIRE(run_load(&r, 2, 400) == 0);
    REQUIRE(r.st.seq[1] >= 1);
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID t;
    /* writer 1's last row: writers.seq then exceeds its history count */
    REQUIRE(open_row(&r, &ses, &dbid, &t, "history", 1, r.st.seq[1]) == 0);
    REQUIRE_OK(JetBeginTransaction(ses));
    CHECK_OK(JetDelete(ses, t));
    CHECK_OK(JetCommitTransaction(ses, 0));
    close_row(ses, dbid, t);
    REQUIRE_OK(JetTerm(r.inst));
    bj_wl_verdict v;
    CHECK(!verify(&r, NULL, NULL, &v));
    CHECK_EQ(v.fault, BJ_WL_PARTIAL);
    CHECK_EQ(v.writer, 1);
    CHECK_EQ(v.cHistory[1], r.st.seq[1] - 1);
}

TEST(verifier_catches_changed_writer_seq)
{
    run r = {0};
    REQUIRE(run_load(&r, 2, 400) == 0);
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID t;
    REQUIRE(open_row(&r, &ses, &dbid, &t, "writers", 0, -1) == 0);
    int64_t seq = r.st.seq[0] + 1;
    JET_COLUMNID c = colid(ses, dbid, "writers", "seq");
    REQUIRE_OK(JetBeginTransaction(ses));
    CHECK_OK(JetPrepareUpdate(ses, t, JET_prepReplace));
    CHECK_OK(JetSetColumn(ses, t, c, &seq, 8, 0, NULL));
    CHECK_OK(JetUpdate(ses, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(ses, 0));
    close_row(ses, dbid, t);
    REQUIRE_OK(JetTerm(r.inst));
    bj_wl_verdict v;
    CHECK(!verify(&r, NULL, NULL, &v));
    CHECK_EQ(v.fault, BJ_WL_PARTIAL);
    CHECK_EQ(v.writer, 0);
}

TEST(verifier_reports_missing_database)
{
    bj_wl_verdict v;
    char db[4200];
    snprintf(db, sizeof db, "%s/none.edb", bj_test_tmpdir());
    bj_wl_expect e = {.params = {.cWriters = 2}};
    CHECK(!bj_wl_verify(db, NULL, &e, &v));
    CHECK_EQ(v.fault, BJ_WL_ENGINE);
    CHECK(v.err < 0);
    printf("  verdict: %s\n", v.msg);
}

TEST(fill_grows_database_and_verifier_ignores_it)
{
    run r = {0};
    REQUIRE(run_load(&r, 2, 200) == 0);
    struct stat st0, st1;
    REQUIRE(stat(r.db, &st0) == 0);
    REQUIRE_OK(bj_wl_fill(r.inst, r.db, 3u << 20));
    REQUIRE_OK(bj_wl_fill(r.inst, r.db, 1u << 20)); /* appends after the rows there */
    /* writers still run on the grown database */
    bj_wl *wl;
    REQUIRE_OK(bj_wl_start(r.inst, r.db, &r.p, NULL, NULL, 0, &wl));
    sleep_ms(200);
    bj_wl_stats st2;
    CHECK_OK(bj_wl_stop(wl, &st2));
    REQUIRE_OK(JetTerm(r.inst));
    REQUIRE(stat(r.db, &st1) == 0);
    printf("  %lld -> %lld bytes\n", (long long)st0.st_size, (long long)st1.st_size);
    CHECK(st1.st_size >= st0.st_size + (4 << 20));
    bj_wl_verdict v;
    CHECK(verify(&r, r.st.seq, st2.seq, &v));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
