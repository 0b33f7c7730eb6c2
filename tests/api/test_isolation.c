/* test_isolation.c: snapshot isolation through esent.h: session B's transaction sees none of
 * A's uncommitted inserts, replaces and deletes, and keeps its snapshot after A commits
 * (repeatable reads across a table scan, a seek, an index range, a secondary-index scan and
 * long values) until B commits and begins again. Readers outside a transaction read "now". */
#include <unistd.h>

#include "test_update_env.h"

typedef struct two {
    env e;
    JET_SESID b;
    JET_DBID dbb;
    JET_TABLEID tb;
} two;

static int two_open(two *w)
{
    if (env_open(&w->e))
        return -1;
    if (JetBeginSession(w->e.inst, &w->b, NULL, NULL) < 0 ||
        JetOpenDatabase(w->b, w->e.path, NULL, &w->dbb, 0) < 0 ||
        JetOpenTable(w->b, w->dbb, FX_TABLE, NULL, 0, 0, &w->tb) < 0)
        return -2;
    return 0;
}

static JET_ERR set_lb(JET_SESID s, JET_TABLEID t, int32_t id, char fill, uint32_t cb)
{
    static char buf[20000];
    memset(buf, fill, cb);
    JET_ERR err = seek_id(s, t, id);
    if (err >= 0)
        err = JetPrepareUpdate(s, t, JET_prepReplaceNoLock);
    if (err >= 0)
        err = JetSetColumn(s, t, C_LB, buf, cb, 0, NULL);
    if (err >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    return err;
}

/* What B sees: record count (primary), ix_txt count, txt of id 5 (seek), count in the range
 * txt = "r", lb of id 5 (first byte and size). */
typedef struct view {
    int cPrimary, cTxt, cRange;
    char txt5[16];
    uint32_t cbLb5;
    char lb5;
} view;

static void look(JET_SESID s, JET_TABLEID t, view *v)
{
    memset(v, 0, sizeof(*v));
    v->cPrimary = count_index(s, t, NULL);
    v->cTxt = count_index(s, t, "ix_txt");
    if (seek_id(s, t, 5) >= 0) {
        uint32_t cb = 0;
        JetRetrieveColumn(s, t, C_TXT, v->txt5, sizeof v->txt5 - 1, &cb, 0, NULL);
        char lb[20000];
        if (JetRetrieveColumn(s, t, C_LB, lb, sizeof lb, &v->cbLb5, 0, NULL) >= 0 && v->cbLb5)
            v->lb5 = lb[0];
    }
    JetSetCurrentIndex(s, t, "ix_txt");
    JetMakeKey(s, t, "r", 1, JET_bitNewKey);
    if (JetSeek(s, t, JET_bitSeekEQ | JET_bitSetIndexRange) >= 0) {
        uint32_t n = 0;
        JetIndexRecordCount(s, t, &n, 0);
        v->cRange = (int)n;
    }
}

static int same(const view *a, const view *b)
{
    return a->cPrimary == b->cPrimary && a->cTxt == b->cTxt && a->cRange == b->cRange &&
           !strcmp(a->txt5, b->txt5) && a->cbLb5 == b->cbLb5 && a->lb5 == b->lb5;
}

TEST(snapshot_isolation)
{
    two w;
    REQUIRE(two_open(&w) == 0);
    JET_SESID a = w.e.ses, b = w.b;
    JET_TABLEID ta = w.e.tab, tb = w.tb;
    for (int i = 1; i <= 10; i++)
        REQUIRE_OK(ins(a, ta, i, i % 2 ? "r" : "s", 0));
    REQUIRE_OK(set_lb(a, ta, 5, 'a', 5000));
    view v0, v;
    REQUIRE_OK(JetBeginTransaction(b));
    look(b, tb, &v0);
    CHECK_EQ(v0.cPrimary, 10);
    CHECK_EQ(v0.cRange, 5);
    CHECK_STR(v0.txt5, "r");
    CHECK(v0.cbLb5 == 5000 && v0.lb5 == 'a');

    /* A changes everything B looks at, uncommitted */
    REQUIRE_OK(JetBeginTransaction(a));
    CHECK_OK(ins(a, ta, 11, "r", 0));
    CHECK_OK(ins(a, ta, 12, "r", 0));
    REQUIRE_OK(seek_id(a, ta, 5));
    CHECK_OK(JetPrepareUpdate(a, ta, JET_prepReplace));
    CHECK_OK(JetSetColumn(a, ta, C_TXT, "changed", 7, 0, NULL));
    CHECK_OK(JetUpdate(a, ta, NULL, 0, NULL));
    CHECK_OK(set_lb(a, ta, 5, 'b', 7000));
    REQUIRE_OK(seek_id(a, ta, 3));
    CHECK_OK(JetDelete(a, ta));
    look(a, ta, &v);
    CHECK_EQ(v.cPrimary, 11); /* A sees its own changes */
    CHECK_STR(v.txt5, "changed");
    CHECK(v.cbLb5 == 7000 && v.lb5 == 'b');
    CHECK_EQ(v.cRange, 5); /* 1,3,5,7,9 + 11,12 - 3 - 5 */

    look(b, tb, &v);
    CHECK(same(&v, &v0));
    /* a reader outside any transaction (session C) sees only committed data, now */
    JET_SESID c;
    JET_DBID dbc;
    JET_TABLEID tc;
    REQUIRE_OK(JetBeginSession(w.e.inst, &c, NULL, NULL));
    REQUIRE_OK(JetOpenDatabase(c, w.e.path, NULL, &dbc, 0));
    REQUIRE_OK(JetOpenTable(c, dbc, FX_TABLE, NULL, 0, 0, &tc));
    look(c, tc, &v);
    CHECK(same(&v, &v0));
    /* B cannot update what A holds */
    REQUIRE_OK(seek_id(b, tb, 5));
    CHECK_ERR(JetPrepareUpdate(b, tb, JET_prepReplace), JET_errWriteConflict);
    REQUIRE_OK(seek_id(b, tb, 3));
    CHECK_ERR(JetDelete(b, tb), JET_errWriteConflict);

    CHECK_OK(JetCommitTransaction(a, 0));
    /* B keeps its snapshot after A's commit */
    look(b, tb, &v);
    CHECK(same(&v, &v0));
    /* and may not update a record changed after its snapshot */
    REQUIRE_OK(seek_id(b, tb, 5));
    CHECK_ERR(JetPrepareUpdate(b, tb, JET_prepReplace), JET_errWriteConflict);
    /* C, outside a transaction, now sees A's commit */
    look(c, tc, &v);
    CHECK_EQ(v.cPrimary, 11);
    CHECK_STR(v.txt5, "changed");
    CHECK(v.cbLb5 == 7000 && v.lb5 == 'b');
    /* B's next transaction sees it too */
    CHECK_OK(JetCommitTransaction(b, 0));
    REQUIRE_OK(JetBeginTransaction(b));
    look(b, tb, &v);
    CHECK_EQ(v.cPrimary, 11);
    CHECK_EQ(v.cTxt, 11);
    CHECK_EQ(v.cRange, 5);
    CHECK_STR(v.txt5, "changed");
    CHECK_OK(JetCommitTransaction(b, 0));
    CHECK_OK(JetEndSession(c, 0));
    env_close(&w.e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(w.e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 11);
    CHECK_EQ(cent[1], 11);
}

TEST(rollback_is_invisible_to_others)
{
    two w;
    REQUIRE(two_open(&w) == 0);
    JET_SESID a = w.e.ses, b = w.b;
    REQUIRE_OK(ins(a, w.e.tab, 1, "r", 0));
    REQUIRE_OK(JetBeginTransaction(a));
    REQUIRE_OK(seek_id(a, w.e.tab, 1));
    CHECK_OK(JetDelete(a, w.e.tab));
    CHECK_OK(ins(a, w.e.tab, 1, "again", 0)); /* reuses the flag-deleted key */
    view v;
    look(b, w.tb, &v);
    CHECK_EQ(v.cPrimary, 1);
    CHECK_EQ(v.cTxt, 1);
    CHECK_EQ(v.cRange, 1);
    CHECK_OK(JetRollback(a, 0));
    look(b, w.tb, &v);
    CHECK_EQ(v.cPrimary, 1);
    CHECK_EQ(v.cRange, 1);
    look(a, w.e.tab, &v);
    CHECK_EQ(v.cRange, 1);
    env_close(&w.e);
}

TEST(escrow_commutes_and_is_isolated)
{
    two w;
    REQUIRE(two_open(&w) == 0);
    JET_SESID a = w.e.ses, b = w.b;
    JET_TABLEID ta = w.e.tab, tb = w.tb;
    REQUIRE_OK(ins(a, ta, 1, "r", 0));
    REQUIRE_OK(JetBeginTransaction(a));
    REQUIRE_OK(JetBeginTransaction(b));
    REQUIRE_OK(seek_id(a, ta, 1));
    REQUIRE_OK(seek_id(b, tb, 1));
    int32_t d1 = 10, d2 = 3;
    /* two transactions add to one escrow column without a write conflict */
    CHECK_OK(JetEscrowUpdate(a, ta, C_ESC, &d1, 4, NULL, 0, NULL, 0));
    CHECK_OK(JetEscrowUpdate(b, tb, C_ESC, &d2, 4, NULL, 0, NULL, 0));
    /* but a replace of the record conflicts with them */
    CHECK_ERR(JetPrepareUpdate(b, tb, JET_prepReplace), JET_errWriteConflict);
    /* each sees its own delta only */
    REQUIRE_OK(seek_id(a, ta, 1));
    CHECK_EQ(get_long(a, ta, C_ESC), 10);
    REQUIRE_OK(seek_id(b, tb, 1));
    CHECK_EQ(get_long(b, tb, C_ESC), 3);
    CHECK_OK(JetCommitTransaction(a, 0));
    REQUIRE_OK(seek_id(b, tb, 1));
    CHECK_EQ(get_long(b, tb, C_ESC), 3); /* B's snapshot predates A's commit */
    CHECK_OK(JetRollback(b, 0));
    REQUIRE_OK(seek_id(b, tb, 1));
    CHECK_EQ(get_long(b, tb, C_ESC), 10);
    env_close(&w.e);
}

TEST(uncommitted_insert_bookmark)
{
    two w;
    REQUIRE(two_open(&w) == 0);
    JET_SESID a = w.e.ses, b = w.b;
    REQUIRE_OK(JetBeginTransaction(a));
    REQUIRE_OK(JetPrepareUpdate(a, w.e.tab, JET_prepInsert));
    int32_t id = 42, one = 1;
    REQUIRE_OK(JetSetColumn(a, w.e.tab, C_ID, &id, 4, 0, NULL));
    REQUIRE_OK(JetSetColumn(a, w.e.tab, C_REQ, &one, 4, 0, NULL));
    uint8_t bm[16];
    uint32_t cb = 0;
    REQUIRE_OK(JetUpdate(a, w.e.tab, bm, sizeof bm, &cb));
    CHECK_ERR(JetGotoBookmark(b, w.tb, bm, cb), JET_errRecordDeleted);
    CHECK_ERR(seek_id(b, w.tb, 42), JET_errRecordNotFound);
    CHECK_OK(JetGotoBookmark(a, w.e.tab, bm, cb));
    CHECK_OK(JetCommitTransaction(a, 0));
    CHECK_OK(JetGotoBookmark(b, w.tb, bm, cb));
    env_close(&w.e);
}

/* Reads of nodes whose versions were all cleaned up skip the version store (the store is
 * empty while the leaf is latched); a change made after that by another session must still be
 * hidden from a snapshot taken before it, and a rolled-back one from everyone. */
TEST(cleaned_store_keeps_snapshots)
{
    two w;
    REQUIRE(two_open(&w) == 0);
    JET_SESID a = w.e.ses, b = w.b;
    REQUIRE_OK(JetBeginTransaction(a));
    for (int32_t id = 1; id <= 20; id++)
        REQUIRE_OK(ins(a, w.e.tab, id, "old", 0));
    REQUIRE_OK(JetCommitTransaction(a, 0));
    usleep(400 * 1000); /* the cleanup thread (every 100 ms) empties the store meanwhile */
    view v;
    look(b, w.tb, &v);
    CHECK_EQ(v.cPrimary, 20);
    CHECK(strcmp(v.txt5, "old") == 0);
    REQUIRE_OK(JetBeginTransaction(b));
    CHECK_OK(seek_id(b, w.tb, 5)); /* B's snapshot, read from a quiet page */
    REQUIRE_OK(JetBeginTransaction(a));
    REQUIRE_OK(seek_id(a, w.e.tab, 5));
    REQUIRE_OK(JetPrepareUpdate(a, w.e.tab, JET_prepReplace));
    REQUIRE_OK(JetSetColumn(a, w.e.tab, C_TXT, "new", 3, 0, NULL));
    REQUIRE_OK(JetUpdate(a, w.e.tab, NULL, 0, NULL));
    REQUIRE_OK(seek_id(a, w.e.tab, 7));
    REQUIRE_OK(JetDelete(a, w.e.tab));
    REQUIRE_OK(JetCommitTransaction(a, 0));
    look(b, w.tb, &v);
    CHECK_EQ(v.cPrimary, 20);
    CHECK(strcmp(v.txt5, "old") == 0);
    REQUIRE_OK(JetCommitTransaction(b, 0));
    look(b, w.tb, &v);
    CHECK_EQ(v.cPrimary, 19);
    CHECK(strcmp(v.txt5, "new") == 0);
    /* a rolled-back replace after the store emptied again */
    usleep(400 * 1000);
    REQUIRE_OK(JetBeginTransaction(a));
    REQUIRE_OK(seek_id(a, w.e.tab, 5));
    REQUIRE_OK(JetPrepareUpdate(a, w.e.tab, JET_prepReplace));
    REQUIRE_OK(JetSetColumn(a, w.e.tab, C_TXT, "gone", 4, 0, NULL));
    REQUIRE_OK(JetUpdate(a, w.e.tab, NULL, 0, NULL));
    look(b, w.tb, &v);
    CHECK(strcmp(v.txt5, "new") == 0);
    REQUIRE_OK(JetRollback(a, 0));
    look(b, w.tb, &v);
    CHECK(strcmp(v.txt5, "new") == 0);
    CHECK_EQ(v.cPrimary, 19);
    env_close(&w.e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
