/* test_trx.c: transactions through esent.h: commit / rollback of inserts, replaces, deletes and
 * long values; nested levels; rollback-all; JetEndSession and JetTerm rolling back; after a
 * rollback the database equals the state before (full scans of every index compared). */
#include "test_update_env.h"

/* A digest of everything visible: per index, the sequence of (id, txt, lb size) in order. */
static uint64_t digest(JET_SESID s, JET_TABLEID t)
{
    static const char *idx[] = {"pk", "ix_txt", "ux_sh", "ix_mv"};
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(idx); i++) {
        if (JetSetCurrentIndex(s, t, idx[i]) < 0)
            return 0;
        for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
             err = JetMove(s, t, JET_MoveNext, 0)) {
            uint8_t buf[300];
            uint32_t cb = 0;
            int32_t id = get_long(s, t, C_ID);
            h = (h ^ (uint32_t)id) * 1099511628211ull;
            if (JetRetrieveColumn(s, t, C_TXT, buf, sizeof buf, &cb, 0, NULL) >= 0)
                for (uint32_t k = 0; k < cb; k++)
                    h = (h ^ buf[k]) * 1099511628211ull;
            cb = 0;
            JetRetrieveColumn(s, t, C_LB, NULL, 0, &cb, 0, NULL);
            h = (h ^ cb) * 1099511628211ull;
        }
        h = (h ^ 0xabcdef) * 1099511628211ull;
    }
    return h;
}

static JET_ERR ins_lv(JET_SESID s, JET_TABLEID t, int32_t id, uint32_t cbLV, int32_t mv)
{
    static uint8_t lv[200000];
    JET_ERR err = JetPrepareUpdate(s, t, JET_prepInsert);
    int32_t one = 1;
    char txt[16];
    snprintf(txt, sizeof txt, "t%05d", id % 7);
    if (err >= 0)
        err = JetSetColumn(s, t, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_REQ, &one, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_TXT, txt, (uint32_t)strlen(txt), 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_MV, &mv, 4, 0, NULL);
    if (err >= 0 && cbLV)
        err = JetSetColumn(s, t, C_LB, lv, cbLV, 0, NULL);
    if (err >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    return err;
}

TEST(commit_and_rollback)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    for (int i = 0; i < 50; i++)
        REQUIRE_OK(ins_lv(s, t, i, i % 5 == 0 ? 5000 : 10, i % 3));
    const uint64_t before = digest(s, t);
    REQUIRE(before != 0);
    /* a transaction that inserts, replaces, deletes (also long values), rolled back */
    REQUIRE_OK(JetBeginTransaction(s));
    for (int i = 100; i < 150; i++)
        CHECK_OK(ins_lv(s, t, i, 3000, 7));
    for (int i = 0; i < 50; i += 2) {
        REQUIRE_OK(seek_id(s, t, i));
        CHECK_OK(JetPrepareUpdate(s, t, JET_prepReplace));
        CHECK_OK(JetSetColumn(s, t, C_TXT, "replaced", 8, 0, NULL));
        CHECK_OK(JetSetColumn(s, t, C_LB, "x", 1, JET_bitSetAppendLV, NULL));
        CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    }
    for (int i = 1; i < 50; i += 4) {
        REQUIRE_OK(seek_id(s, t, i));
        CHECK_OK(JetDelete(s, t));
    }
    CHECK(digest(s, t) != before);
    CHECK_OK(JetRollback(s, 0));
    CHECK_EQ(digest(s, t), before);
    CHECK_ERR(JetRollback(s, 0), JET_errNotInTransaction);
    CHECK_ERR(JetCommitTransaction(s, 0), JET_errNotInTransaction);
    /* the same committed */
    REQUIRE_OK(JetBeginTransaction(s));
    for (int i = 1; i < 50; i += 4) {
        REQUIRE_OK(seek_id(s, t, i));
        CHECK_OK(JetDelete(s, t));
    }
    CHECK_OK(JetCommitTransaction(s, JET_bitCommitLazyFlush));
    CHECK_EQ(count_index(s, t, NULL), 50 - 13);
    CHECK_EQ(count_index(s, t, "ix_txt"), 50 - 13);
    /* commit grbits (ESE: WaitLast/WaitAll alone, no transaction needed) */
    CHECK_OK(JetCommitTransaction(s, JET_bitWaitLastLevel0Commit));
    CHECK_OK(JetCommitTransaction(s, JET_bitWaitAllLevel0Commit));
    CHECK_ERR(JetCommitTransaction(s, JET_bitWaitAllLevel0Commit | JET_bitCommitLazyFlush),
              JET_errInvalidGrbit);
    CHECK_ERR(JetCommitTransaction(s, 0x4000), JET_errInvalidGrbit);
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 37);
    CHECK_EQ(cent[1], 37);
    CHECK_EQ(cent[3], 37);
}

TEST(nested_levels)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    for (int lvl = 1; lvl <= 7; lvl++) {
        CHECK_OK(JetBeginTransaction(s));
        CHECK_OK(ins(s, t, lvl, "n", 0));
    }
    CHECK_ERR(JetBeginTransaction(s), JET_errTransTooDeep);
    CHECK_OK(JetRollback(s, 0)); /* level 7 */
    CHECK_EQ(count_index(s, t, NULL), 6);
    CHECK_OK(JetCommitTransaction(s, 0)); /* level 6 into 5 */
    CHECK_OK(JetRollback(s, 0));          /* level 5: drops 5 and 6 */
    CHECK_EQ(count_index(s, t, NULL), 4);
    CHECK_OK(JetRollback(s, JET_bitRollbackAll));
    CHECK_EQ(count_index(s, t, NULL), 0);
    CHECK_ERR(JetRollback(s, 0), JET_errNotInTransaction);
    /* commit of a nested level becomes durable only with level 0 */
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(ins(s, t, 1, "a", 0));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_EQ(count_index(s, t, NULL), 1);
    env_close(&e);
}

TEST(end_session_and_term_roll_back)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    JET_SESID s2;
    JET_DBID db2;
    JET_TABLEID t2;
    REQUIRE_OK(JetBeginSession(e.inst, &s2, NULL, NULL));
    REQUIRE_OK(JetOpenDatabase(s2, e.path, NULL, &db2, 0));
    REQUIRE_OK(JetOpenTable(s2, db2, FX_TABLE, NULL, 0, 0, &t2));
    REQUIRE_OK(ins(e.ses, e.tab, 1, "keep", 0));
    REQUIRE_OK(JetBeginTransaction(s2));
    CHECK_OK(ins(s2, t2, 2, "gone", 0));
    CHECK_OK(seek_id(s2, t2, 1));
    CHECK_OK(JetDelete(s2, t2));
    CHECK_OK(JetEndSession(s2, 0));
    CHECK_EQ(count_index(e.ses, e.tab, NULL), 1);
    CHECK_EQ(count_index(e.ses, e.tab, "ix_txt"), 1);
    /* JetTerm with an open transaction: ESE refuses a clean term (TooManyActiveUsers); a dirty
     * term leaves the database to recovery, which keeps the committed row 1 only */
    REQUIRE_OK(JetBeginTransaction(e.ses));
    CHECK_OK(ins(e.ses, e.tab, 3, "gone", 0));
    CHECK_ERR(JetTerm2(e.inst, JET_bitTermComplete), JET_errTooManyActiveUsers);
    CHECK_ERR(JetTerm2(e.inst, JET_bitTermDirty), JET_errDirtyShutdown);
    e.inst = 0;
    JET_INSTANCE inst;
    REQUIRE_OK(JetCreateInstance(&inst, "recover"));
    CHECK_OK(JetInit(&inst)); /* recovery from ./ (the test's folder) */
    CHECK_OK(JetTerm(inst));
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 1);
    CHECK_EQ(cent[1], 1);
}

TEST(session_context_and_locks)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    REQUIRE_OK(ins(s, t, 1, "a", 0));
    JET_SESID s2;
    JET_DBID db2;
    JET_TABLEID t2;
    REQUIRE_OK(JetBeginSession(e.inst, &s2, NULL, NULL));
    REQUIRE_OK(JetOpenDatabase(s2, e.path, NULL, &db2, 0));
    REQUIRE_OK(JetOpenTable(s2, db2, FX_TABLE, NULL, 0, 0, &t2));
    REQUIRE_OK(JetBeginTransaction(s));
    REQUIRE_OK(JetBeginTransaction(s2));
    REQUIRE_OK(seek_id(s, t, 1));
    REQUIRE_OK(seek_id(s2, t2, 1));
    /* read locks commute; a write lock conflicts with them */
    CHECK_OK(JetGetLock(s, t, JET_bitReadLock));
    CHECK_OK(JetGetLock(s2, t2, JET_bitReadLock));
    CHECK_ERR(JetGetLock(s2, t2, JET_bitWriteLock), JET_errWriteConflict);
    CHECK_ERR(JetGetLock(s2, t2, 0), JET_errInvalidGrbit);
    CHECK_OK(JetRollback(s2, 0));
    CHECK_OK(JetCommitTransaction(s, 0));
    /* prepared replace takes the write lock: the second session conflicts at prepare */
    REQUIRE_OK(JetBeginTransaction(s));
    REQUIRE_OK(JetBeginTransaction(s2));
    REQUIRE_OK(seek_id(s, t, 1));
    REQUIRE_OK(seek_id(s2, t2, 1));
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepReplace));
    CHECK_ERR(JetPrepareUpdate(s2, t2, JET_prepReplace), JET_errWriteConflict);
    /* without the lock the conflict comes at JetUpdate */
    CHECK_OK(JetPrepareUpdate(s2, t2, JET_prepReplaceNoLock));
    CHECK_OK(JetSetColumn(s2, t2, C_TXT, "s2", 2, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_TXT, "s1", 2, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_ERR(JetUpdate(s2, t2, NULL, 0, NULL), JET_errWriteConflict);
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetRollback(s2, 0));
    CHECK_ERR(JetUpdate(s2, t2, NULL, 0, NULL), JET_errUpdateNotPrepared); /* rollback cancels */
    CHECK_OK(JetEndSession(s2, 0));
    env_close(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
