/* test_ver.c: the version store, single-threaded: snapshot isolation, own changes at every
 * level, nesting, rollback, write conflicts, escrow deltas, locks, cleanup, budget, errors. */
#include <unistd.h>

#include "test_ver_store.h"

static bj_ver *g_ver;

static void setup(uint64_t cbMax)
{
    bj_ver_config cfg = {0};
    cfg.cbMax = cbMax;
    cfg.cleanup_every = 1000000; /* cleanup only when a test asks */
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    fs_init(g_ver);
}

static void teardown(void)
{
    bj_ver_term(g_ver);
    g_ver = NULL;
    fs_term();
}

static bj_trx *trx_new(void)
{
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    return t;
}

/* Inserts key k with (counter, tag) in its own committed transaction. */
static void put(int k, int64_t counter, uint64_t tag)
{
    bj_trx *t = trx_new();
    uint8_t r[REC_CB];
    rec_make(r, counter, tag);
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(fs_write(t, k, BJ_VER_INSERT, r));
    CHECK_OK(bj_ver_trx_commit(t, 0));
    bj_ver_trx_destroy(t);
}

/* The tag trx sees for k, or 0 when absent. */
static uint64_t tag_of(bj_trx *t, uint64_t ts, int k)
{
    uint8_t r[REC_CB];
    int rc = fs_read(t, ts, k, r);
    CHECK(rc >= 0);
    return rc == 1 ? rec_tag(r) : 0;
}

static int64_t counter_of(bj_trx *t, uint64_t ts, int k)
{
    uint8_t r[REC_CB];
    int rc = fs_read(t, ts, k, r);
    CHECK_EQ(rc, 1);
    return rec_counter(r);
}

TEST(bucket_size)
{
    CHECK_EQ(bj_ver_bucket_size(8192, 4096), 8192 - 32);
    CHECK_EQ(bj_ver_bucket_size(8192, 8192), 16384 - 32);
    CHECK_EQ(bj_ver_bucket_size(8192, 32768), 65536 - 32);
    CHECK_EQ(bj_ver_bucket_size(65536, 4096), 65536 - 32);
}

TEST(snapshot_isolation)
{
    setup(0);
    put(1, 0, 11);
    put(3, 0, 33);
    bj_trx *r = trx_new(), *w = trx_new(), *r2 = trx_new();
    bj_ver_snap snap;
    CHECK_OK(bj_ver_trx_begin(r));
    bj_ver_snap_begin(g_ver, &snap);
    uint8_t rec[REC_CB];
    CHECK_OK(bj_ver_trx_begin(w));
    rec_make(rec, 0, 12);
    CHECK_OK(fs_write(w, 1, BJ_VER_REPLACE, rec));
    rec_make(rec, 0, 22);
    CHECK_OK(fs_write(w, 2, BJ_VER_INSERT, rec));
    CHECK_OK(fs_write(w, 3, BJ_VER_DELETE, NULL));
    /* uncommitted: others see the old state, w sees its own */
    CHECK_EQ(tag_of(r, 0, 1), 11);
    CHECK_EQ(tag_of(r, 0, 2), 0);
    CHECK_EQ(tag_of(r, 0, 3), 33);
    CHECK_EQ(tag_of(w, 0, 1), 12);
    CHECK_EQ(tag_of(w, 0, 2), 22);
    CHECK_EQ(tag_of(w, 0, 3), 0);
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK(bj_ver_trx_commit_ts(w) > bj_ver_trx_begin_ts(r));
    /* committed after r began: r and the snapshot still see the old state */
    CHECK_EQ(tag_of(r, 0, 1), 11);
    CHECK_EQ(tag_of(r, 0, 2), 0);
    CHECK_EQ(tag_of(r, 0, 3), 33);
    CHECK_EQ(tag_of(NULL, snap.ts, 1), 11);
    CHECK_EQ(tag_of(NULL, snap.ts, 2), 0);
    CHECK_EQ(tag_of(NULL, snap.ts, 3), 33);
    /* a new transaction sees the new state */
    CHECK_OK(bj_ver_trx_begin(r2));
    CHECK_EQ(tag_of(r2, 0, 1), 12);
    CHECK_EQ(tag_of(r2, 0, 2), 22);
    CHECK_EQ(tag_of(r2, 0, 3), 0);
    bj_ver_snap new_snap;
    bj_ver_snap_begin(g_ver, &new_snap);
    CHECK_EQ(tag_of(NULL, new_snap.ts, 1), 12);
    bj_ver_snap_end(g_ver, &new_snap);
    CHECK_OK(bj_ver_trx_commit(r2, 0));
    /* a read-only commit draws no commit timestamp */
    CHECK_EQ(bj_ver_trx_commit_ts(r2), 0);
    CHECK_EQ(bj_ver_trx_state(r2), BJ_TRX_COMMITTED);
    CHECK_OK(bj_ver_trx_commit(r, 0));
    bj_ver_snap_end(g_ver, &snap);
    bj_ver_trx_destroy(r);
    bj_ver_trx_destroy(r2);
    bj_ver_trx_destroy(w);
    teardown();
}

TEST(own_changes_every_level_and_nesting)
{
    setup(0);
    put(1, 0, 10);
    put(2, 0, 20);
    bj_trx *t = trx_new(), *o = trx_new();
    uint8_t rec[REC_CB];
    CHECK_OK(bj_ver_trx_begin(t));
    rec_make(rec, 0, 11);
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec)); /* level 1 */
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_EQ(bj_ver_trx_level(t), 2);
    CHECK_EQ(tag_of(t, 0, 1), 11);
    rec_make(rec, 0, 21);
    CHECK_OK(fs_write(t, 2, BJ_VER_REPLACE, rec)); /* level 2 */
    CHECK_OK(bj_ver_trx_begin(t));
    rec_make(rec, 0, 31);
    CHECK_OK(fs_write(t, 3, BJ_VER_INSERT, rec));  /* level 3 */
    CHECK_OK(fs_write(t, 1, BJ_VER_DELETE, NULL)); /* level 3, over level 1's replace */
    CHECK_EQ(tag_of(t, 0, 1), 0);
    CHECK_EQ(tag_of(t, 0, 2), 21);
    CHECK_EQ(tag_of(t, 0, 3), 31);
    CHECK_EQ(bj_ver_trx_rce_count(t), 4);
    /* rollback of level 3 keeps levels 1 and 2 */
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(bj_ver_trx_level(t), 2);
    CHECK_EQ(tag_of(t, 0, 1), 11);
    CHECK_EQ(tag_of(t, 0, 2), 21);
    CHECK_EQ(tag_of(t, 0, 3), 0);
    CHECK(!g_fs.n[3].present);
    /* commit of level 2 merges into level 1; then rollback of level 1 undoes both */
    CHECK_OK(bj_ver_trx_commit(t, 0));
    CHECK_EQ(bj_ver_trx_level(t), 1);
    CHECK_EQ(bj_ver_trx_rce_count(t), 2);
    CHECK_OK(bj_ver_trx_begin(o));
    CHECK_EQ(tag_of(o, 0, 1), 10);
    CHECK_EQ(tag_of(o, 0, 2), 20);
    CHECK_OK(bj_ver_trx_commit(o, 0));
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(bj_ver_trx_level(t), 0);
    CHECK_EQ(bj_ver_trx_state(t), BJ_TRX_ROLLED_BACK);
    CHECK_EQ(rec_tag(g_fs.n[1].data), 10);
    CHECK_EQ(rec_tag(g_fs.n[2].data), 20);
    /* nested: level 2 rolled back, level 1 committed */
    CHECK_OK(bj_ver_trx_begin(t));
    rec_make(rec, 0, 12);
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_begin(t));
    rec_make(rec, 0, 22);
    CHECK_OK(fs_write(t, 2, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_OK(bj_ver_trx_commit(t, 0));
    CHECK_OK(bj_ver_trx_begin(o));
    CHECK_EQ(tag_of(o, 0, 1), 12);
    CHECK_EQ(tag_of(o, 0, 2), 20);
    CHECK_OK(bj_ver_trx_commit(o, 0));
    bj_ver_trx_destroy(t);
    bj_ver_trx_destroy(o);
    teardown();
}

TEST(rollback_all_and_levels)
{
    setup(0);
    put(1, 5, 10);
    bj_trx *t = trx_new();
    uint8_t rec[REC_CB] = {0};
    CHECK_ERR(bj_ver_trx_commit(t, 0), JET_errNotInTransaction);
    CHECK_ERR(bj_ver_trx_rollback(t, 0), JET_errNotInTransaction);
    CHECK_ERR(fs_write(t, 1, BJ_VER_REPLACE, rec), JET_errNotInTransaction);
    for (int i = 0; i < BJ_VER_LEVEL_MAX; i++) {
        CHECK_OK(bj_ver_trx_begin(t));
        rec_make(rec, 5, 100 + (uint64_t)i);
        if (i == 0)
            CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
        else
            CHECK_OK(fs_delta(t, 1, 1));
        rec_make(rec, 0, 200 + (uint64_t)i);
        CHECK_OK(fs_write(t, 2 + i, BJ_VER_INSERT, rec));
    }
    CHECK_EQ(bj_ver_trx_level(t), 7);
    CHECK_ERR(bj_ver_trx_begin(t), JET_errTransTooDeep);
    CHECK_EQ(counter_of(t, 0, 1), 5 + 6);
    CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
    CHECK_EQ(bj_ver_trx_level(t), 0);
    CHECK_EQ(bj_ver_trx_state(t), BJ_TRX_ROLLED_BACK);
    CHECK_EQ(rec_tag(g_fs.n[1].data), 10);
    CHECK_EQ(rec_counter(g_fs.n[1].data), 5);
    for (int k = 2; k < 2 + BJ_VER_LEVEL_MAX; k++)
        CHECK(!g_fs.n[k].present);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.rces_rolled_back, 14);
    CHECK_EQ(st.rces_live, 1); /* put's committed insert, not cleaned yet */
    CHECK_EQ(st.active, 0);
    bj_ver_trx_destroy(t);
    teardown();
}

TEST(write_conflicts)
{
    setup(0);
    put(1, 0, 10);
    put(2, 0, 20);
    bj_trx *a = trx_new(), *b = trx_new(), *c = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 1);
    /* uncommitted other */
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(bj_ver_trx_begin(b));
    CHECK_OK(fs_write(a, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(fs_write(a, 1, BJ_VER_REPLACE, rec)); /* own again: fine */
    CHECK_ERR(fs_write(b, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_ERR(fs_write(b, 1, BJ_VER_DELETE, NULL), JET_errWriteConflict);
    CHECK_ERR(fs_delta(b, 1, 1), JET_errWriteConflict);
    CHECK_ERR(fs_write(b, 1, BJ_VER_WRITE_LOCK, NULL), JET_errWriteConflict);
    /* committed after b began */
    CHECK_OK(bj_ver_trx_commit(a, 0));
    CHECK_ERR(fs_write(b, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    /* committed before c began */
    CHECK_OK(bj_ver_trx_begin(c));
    CHECK_OK(fs_write(c, 1, BJ_VER_REPLACE, rec));
    /* b is unaffected elsewhere */
    CHECK_OK(fs_write(b, 2, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(b, 0));
    CHECK_OK(bj_ver_trx_commit(c, 0));
    /* a rolled-back transaction leaves nothing to conflict with */
    CHECK_OK(bj_ver_trx_begin(b));
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(fs_write(a, 2, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_rollback(a, 0));
    CHECK_OK(fs_write(b, 2, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(b, 0));
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.write_conflicts, 5);
    bj_ver_trx_destroy(a);
    bj_ver_trx_destroy(b);
    bj_ver_trx_destroy(c);
    teardown();
}

TEST(escrow_deltas)
{
    setup(0);
    put(1, 100, 10);
    bj_trx *a = trx_new(), *b = trx_new(), *r = trx_new(), *d = trx_new();
    uint8_t rec[REC_CB];
    CHECK_OK(bj_ver_trx_begin(r));
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(bj_ver_trx_begin(b));
    CHECK_OK(fs_delta(a, 1, 5));
    CHECK_OK(fs_delta(b, 1, 7)); /* concurrent deltas commute */
    CHECK_OK(fs_delta(a, 1, 1));
    CHECK_EQ(rec_counter(g_fs.n[1].data), 113);
    CHECK_EQ(counter_of(a, 0, 1), 106);
    CHECK_EQ(counter_of(b, 0, 1), 107);
    CHECK_EQ(counter_of(r, 0, 1), 100);
    /* a delta against another's uncommitted replace conflicts, and the reverse */
    rec_make(rec, 100, 11);
    CHECK_ERR(fs_write(a, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_OK(bj_ver_trx_begin(d));
    CHECK_ERR(fs_write(d, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_ERR(fs_write(d, 1, BJ_VER_DELETE, NULL), JET_errWriteConflict);
    CHECK_OK(bj_ver_trx_rollback(d, 0));
    /* ESE's operDelta and operDelta64 do not commute */
    bj_ver_key key = fs_key(1);
    CHECK_OK(bj_ver_trx_begin(d));
    CHECK_ERR(bj_ver_modify_delta(d, &key, 0, 4, 1, NULL, NULL, 0, NULL), JET_errWriteConflict);
    CHECK_ERR(bj_ver_modify_delta(d, &key, 0, 3, 1, NULL, NULL, 0, NULL), JET_errInvalidParameter);
    CHECK_OK(bj_ver_trx_rollback(d, 0));
    CHECK_OK(bj_ver_trx_commit(b, 0));
    CHECK_EQ(counter_of(r, 0, 1), 100); /* b committed after r began */
    CHECK_EQ(counter_of(a, 0, 1), 106); /* nor does a see b (a began before b committed) */
    CHECK_OK(bj_ver_trx_begin(d));
    CHECK_EQ(counter_of(d, 0, 1), 107); /* b visible, a not */
    CHECK_OK(bj_ver_trx_commit(d, 0));
    /* a rolls back: the page loses exactly a's deltas */
    CHECK_OK(bj_ver_trx_rollback(a, 0));
    CHECK_EQ(rec_counter(g_fs.n[1].data), 107);
    CHECK_EQ(counter_of(r, 0, 1), 100);
    CHECK_OK(bj_ver_trx_commit(r, 0));
    /* once the deltas are committed before our begin, a replace is fine */
    CHECK_OK(bj_ver_trx_begin(d));
    rec_make(rec, 1, 12);
    CHECK_OK(fs_write(d, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(d, 0));
    /* own delta then own replace is fine; another's open delta blocks my replace even when
     * my own delta is the newest RCE */
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(bj_ver_trx_begin(b));
    CHECK_OK(fs_delta(a, 1, 2));
    CHECK_OK(fs_delta(b, 1, 3));
    CHECK_OK(fs_delta(a, 1, 2));
    CHECK_ERR(fs_write(a, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_OK(bj_ver_trx_commit(b, 0));
    CHECK_ERR(fs_write(a, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict); /* after a's begin */
    CHECK_OK(bj_ver_trx_rollback(a, 0));
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(fs_delta(a, 1, 2));
    CHECK_OK(fs_write(a, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(a, 0));
    bj_ver_trx_destroy(a);
    bj_ver_trx_destroy(b);
    bj_ver_trx_destroy(r);
    bj_ver_trx_destroy(d);
    teardown();
}

TEST(lock_rces)
{
    setup(0);
    put(1, 0, 10);
    bj_trx *a = trx_new(), *b = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(bj_ver_trx_begin(b));
    CHECK_OK(fs_write(a, 1, BJ_VER_WRITE_LOCK, NULL));
    CHECK_EQ(tag_of(b, 0, 1), 10); /* a lock changes nothing a reader sees */
    CHECK_ERR(fs_write(b, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_ERR(fs_write(b, 1, BJ_VER_WRITE_LOCK, NULL), JET_errWriteConflict);
    CHECK_ERR(fs_write(b, 1, BJ_VER_READ_LOCK, NULL), JET_errWriteConflict);
    CHECK_OK(fs_write(a, 1, BJ_VER_REPLACE, rec)); /* the lock holder may update */
    CHECK_OK(bj_ver_trx_rollback(a, 0));
    CHECK_EQ(rec_tag(g_fs.n[1].data), 10);
    /* read locks commute with read locks only */
    CHECK_OK(bj_ver_trx_begin(a));
    CHECK_OK(fs_write(a, 1, BJ_VER_READ_LOCK, NULL));
    CHECK_OK(fs_write(b, 1, BJ_VER_READ_LOCK, NULL));
    CHECK_ERR(fs_write(b, 1, BJ_VER_WRITE_LOCK, NULL), JET_errWriteConflict);
    CHECK_ERR(fs_write(a, 1, BJ_VER_REPLACE, rec), JET_errWriteConflict);
    CHECK_OK(bj_ver_trx_commit(a, 0));
    CHECK_OK(bj_ver_trx_commit(b, 0));
    bj_ver_trx_destroy(a);
    bj_ver_trx_destroy(b);
    teardown();
}

TEST(cleanup_removes_what_no_snapshot_sees)
{
    setup(0);
    put(1, 0, 10);
    put(2, 0, 20);
    CHECK_EQ(bj_ver_cleanup(g_ver), 2);
    CHECK_EQ(bj_ver_cleanup(g_ver), 0);
    CHECK_EQ(atomic_load(&g_fs.cleanups[1]), 1);
    bj_trx *r = trx_new(), *w = trx_new();
    bj_ver_snap snap;
    bj_ver_snap_begin(g_ver, &snap); /* an old reader without a transaction */
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 1, BJ_VER_DELETE, NULL));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_OK(bj_ver_trx_begin(r)); /* begins after the delete: sees it */
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 21);
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 2, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    /* the snapshot still needs both */
    CHECK_EQ(bj_ver_cleanup(g_ver), 0);
    CHECK_EQ(tag_of(NULL, snap.ts, 1), 10);
    CHECK_EQ(tag_of(NULL, snap.ts, 2), 20);
    CHECK(g_fs.n[1].present);
    bj_ver_snap_end(g_ver, &snap);
    /* r needs only the replace */
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    CHECK_EQ(atomic_load(&g_fs.cleanups[1]), 2);
    CHECK_EQ(atomic_load(&g_fs.removed[1]), 1);
    CHECK(!g_fs.n[1].present);
    CHECK_EQ(tag_of(r, 0, 1), 0);
    CHECK_EQ(tag_of(r, 0, 2), 20);
    CHECK_EQ(atomic_load(&g_fs.cleanups[2]), 1);
    CHECK_OK(bj_ver_trx_commit(r, 0));
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    CHECK_EQ(atomic_load(&g_fs.cleanups[2]), 2);
    CHECK_EQ(bj_ver_cleanup(g_ver), 0);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.rces_live, 0);
    CHECK_EQ(st.cbUsed, 0);
    CHECK_EQ(st.rces_cleaned, 4);
    CHECK(!bj_ver_has_versions(g_ver, &(bj_ver_key){1, 7, "\x02", 1}));
    /* the background thread cleans without being asked */
    CHECK_OK(bj_ver_start_cleanup_thread(g_ver));
    CHECK_OK(bj_ver_start_cleanup_thread(g_ver));
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 2, BJ_VER_DELETE, NULL));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    for (int i = 0; i < 500 && atomic_load(&g_fs.removed[2]) == 0; i++)
        usleep(10000);
    CHECK_EQ(atomic_load(&g_fs.removed[2]), 1);
    bj_ver_stop_cleanup_thread(g_ver);
    bj_ver_stop_cleanup_thread(g_ver);
    bj_ver_trx_destroy(r);
    bj_ver_trx_destroy(w);
    teardown();
}

TEST(opportunistic_cleanup_every_n_commits)
{
    bj_ver_config cfg = {0};
    cfg.cleanup_every = 4;
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    fs_init(g_ver);
    for (int i = 0; i < 4; i++)
        put(i, 0, 1);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.cleanup_runs, 1);
    CHECK_EQ(st.rces_live, 0);
    teardown();
}

TEST(budget_exhaustion)
{
    setup(4096);
    put(1, 0, 10);
    bj_trx *t = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    CHECK_OK(bj_ver_trx_begin(t));
    JET_ERR err = JET_errSuccess;
    int n = 0;
    while ((err = fs_write(t, 1, BJ_VER_REPLACE, rec)) == JET_errSuccess)
        n++;
    CHECK_ERR(err, JET_errVersionStoreOutOfMemory);
    CHECK(n > 5 && n < 4096 / 16);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK(st.cbUsed <= 4096);
    CHECK_EQ(st.out_of_budget, 1);
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.cbUsed, 0);
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(t, 0));
    bj_ver_trx_destroy(t);
    teardown();
}

/* A writer over budget while committed versions wait for cleanup: it waits for the cleanup
 * thread (as ESE does) instead of failing at once; a full store of active versions still fails. */
TEST(budget_waits_for_cleanup_thread)
{
    bj_ver_config cfg = {0};
    cfg.cbMax = 4096;
    cfg.cleanup_every = 1000000;
    cfg.cleanup_ms = 60000; /* the thread runs only when kicked */
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    fs_init(g_ver);
    REQUIRE_OK(bj_ver_start_cleanup_thread(g_ver));
    put(1, 0, 10);
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    bj_trx *t = trx_new();
    for (int round = 0; round < 20; round++) {
        CHECK_OK(bj_ver_trx_begin(t));
        int n = 0;
        while (fs_write(t, 1, BJ_VER_REPLACE, rec) == JET_errSuccess)
            n++;
        CHECK(n > 5);
        CHECK_OK(bj_ver_trx_commit(t, 0));
        /* the store is full of committed versions nobody can see: room is made at once */
        CHECK_OK(bj_ver_trx_begin(t));
        CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
        CHECK_OK(bj_ver_trx_commit(t, 0));
    }
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.out_of_budget, 20); /* one per round, from the writer that filled it */
    bj_ver_trx_destroy(t);
    bj_ver_stop_cleanup_thread(g_ver);
    teardown();
}

/* More reader snapshots than lock-free slots: the rest use the locked list; cleanup keeps
 * what the oldest of either kind sees, and releases it once all have ended. */
TEST(reader_snapshots_slots_and_list)
{
    setup(0);
    put(1, 0, 10);
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    enum { N = 100 };
    static bj_ver_snap snaps[N];
    for (int i = 0; i < N; i++)
        bj_ver_snap_begin(g_ver, &snaps[i]);
    for (int i = 1; i < N; i++)
        CHECK(snaps[i].ts > snaps[i - 1].ts);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.active, N);
    bj_trx *w = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    /* end them oldest first: until the last one ends, someone still needs the old image */
    for (int i = 0; i < N; i++) {
        CHECK_EQ(bj_ver_cleanup(g_ver), 0);
        CHECK_EQ(tag_of(NULL, snaps[i].ts, 1), 10);
        bj_ver_snap_end(g_ver, &snaps[i]);
    }
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.active, 0);
    /* a snapshot begun after that cleanup sees the replace */
    bj_ver_snap s2;
    bj_ver_snap_begin(g_ver, &s2);
    CHECK_EQ(tag_of(NULL, s2.ts, 1), 11);
    bj_ver_snap_end(g_ver, &s2);
    bj_ver_trx_destroy(w);
    teardown();
}

TEST(out_of_memory)
{
    setup(0);
    put(1, 0, 10);
    bj_trx *t = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    bj_alloc_fault_set(1, false);
    CHECK_ERR(bj_ver_trx_begin(t), JET_errOutOfMemory);
    bj_alloc_fault_clear();
    CHECK_EQ(bj_ver_trx_level(t), 0);
    CHECK_OK(bj_ver_trx_begin(t));
    bj_alloc_fault_set(1, false);
    CHECK_ERR(fs_write(t, 1, BJ_VER_REPLACE, rec), JET_errOutOfMemory);
    bj_alloc_fault_set(2, false); /* the RCE succeeds, the new chain fails */
    CHECK_ERR(fs_write(t, 5, BJ_VER_INSERT, rec), JET_errOutOfMemory);
    bj_alloc_fault_clear();
    CHECK(!g_fs.n[5].present);
    CHECK_EQ(bj_ver_trx_rce_count(t), 0);
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
    CHECK_OK(bj_ver_trx_commit(t, 0));
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.rces_live, 2);
    bj_ver_trx_destroy(t);
    teardown();
}

TEST(rollback_failure_makes_instance_unavailable)
{
    setup(0);
    put(1, 0, 10);
    bj_trx *t = trx_new(), *o = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    CHECK_OK(bj_ver_trx_begin(o));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
    g_fs.undo_error = JET_errDiskIO;
    CHECK_ERR(bj_ver_trx_rollback(t, 0), JET_errRollbackError);
    CHECK_ERR(bj_ver_fatal_error(g_ver), JET_errDiskIO);
    CHECK_EQ(bj_ver_trx_level(t), 1);
    CHECK_ERR(fs_write(o, 2, BJ_VER_INSERT, rec), JET_errInstanceUnavailable);
    CHECK_ERR(bj_ver_trx_begin(o), JET_errInstanceUnavailable);
    CHECK_EQ(tag_of(o, 0, 1), 10); /* still invisible to others */
    /* a later rollback retries */
    g_fs.undo_error = 0;
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(rec_tag(g_fs.n[1].data), 10);
    CHECK_OK(bj_ver_trx_commit(o, 0));
    /* a session destroyed with a failed rollback leaves its RCEs to term */
    bj_ver_trx_destroy(t);
    bj_ver_trx_destroy(o);
    teardown();
    setup(0);
    put(1, 0, 10);
    t = trx_new();
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(fs_write(t, 1, BJ_VER_REPLACE, rec));
    g_fs.undo_error = JET_errDiskIO;
    bj_ver_trx_destroy(t);
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.active, 0);
    CHECK_EQ(st.rces_live, 2);
    teardown();
}

static int g_hook_calls;
static bool g_hook_changes;
static JET_ERR g_hook_err;
static JET_ERR hook(void *ctx, bj_trx *trx, JET_GRBIT grbit, bool has_changes)
{
    CHECK_EQ(grbit, JET_bitCommitLazyFlush);
    CHECK_EQ(bj_ver_trx_level(trx), 1);
    g_hook_calls++;
    g_hook_changes = has_changes;
    return g_hook_err;
}

TEST(commit_hook_and_cancel)
{
    bj_ver_config cfg = {0};
    cfg.commit_hook = hook;
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    fs_init(g_ver);
    bj_trx *t = trx_new(), *o = trx_new();
    uint8_t rec[REC_CB];
    rec_make(rec, 0, 11);
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(fs_write(t, 1, BJ_VER_INSERT, rec));
    CHECK_OK(bj_ver_trx_commit(t, JET_bitCommitLazyFlush));
    CHECK_EQ(g_hook_calls, 0);
    g_hook_err = JET_errLogWriteFail;
    CHECK_ERR(bj_ver_trx_commit(t, JET_bitCommitLazyFlush), JET_errLogWriteFail);
    CHECK_EQ(g_hook_calls, 1);
    CHECK(g_hook_changes);
    CHECK_EQ(bj_ver_trx_level(t), 1);
    CHECK_OK(bj_ver_trx_begin(o));
    CHECK_EQ(tag_of(o, 0, 1), 0);
    g_hook_err = 0;
    CHECK_OK(bj_ver_trx_commit(t, JET_bitCommitLazyFlush));
    CHECK_EQ(g_hook_calls, 2);
    /* a change whose page update failed is withdrawn without undo */
    CHECK_ERR(fs_write(o, 1, BJ_VER_INSERT, rec), JET_errWriteConflict);
    CHECK_OK(bj_ver_trx_commit(o, JET_bitCommitLazyFlush));
    CHECK(!g_hook_changes);
    CHECK_OK(bj_ver_trx_begin(o));
    CHECK_ERR(fs_write(o, 1, BJ_VER_INSERT, rec), JET_errKeyDuplicate);
    CHECK_EQ(bj_ver_trx_rce_count(o), 0);
    CHECK_EQ(atomic_load(&g_fs.undos), 0);
    CHECK_OK(bj_ver_trx_rollback(o, 0));
    bj_ver_trx_destroy(t);
    bj_ver_trx_destroy(o);
    teardown();
}

TEST(visibility_edges)
{
    setup(0);
    put(1, 0, 10);
    bj_trx *w = trx_new(), *r = trx_new();
    CHECK_OK(bj_ver_trx_begin(r));
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_delta(w, 1, 3));
    bj_ver_key key = fs_key(1);
    uint8_t small[4], buf[REC_CB];
    bj_ver_seen seen;
    /* an image that must be computed does not fit */
    CHECK_ERR(bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, REC_CB, small,
                             sizeof(small), &seen),
              JET_wrnBufferTruncated);
    CHECK_EQ(seen.cb, REC_CB);
    CHECK(seen.present && !seen.from_page);
    /* a delta past the record's end is corruption */
    CHECK_ERR(
        bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, 4, buf, sizeof(buf), &seen),
        JET_errDatabaseCorrupted);
    /* the owner sees the page bytes as they are */
    CHECK_OK(bj_ver_visible(g_ver, w, 0, &key, true, false, g_fs.n[1].data, REC_CB, small,
                            sizeof(small), &seen));
    CHECK(seen.present && seen.from_page);
    /* delete then re-insert by later transactions: an old reader sees the original */
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 1, BJ_VER_DELETE, NULL));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    bj_trx *m = trx_new();
    CHECK_OK(bj_ver_trx_begin(m));
    uint8_t rec[REC_CB];
    rec_make(rec, 50, 99);
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(fs_write(w, 1, BJ_VER_INSERT, rec));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_EQ(tag_of(r, 0, 1), 10);
    CHECK_EQ(counter_of(r, 0, 1), 0);
    CHECK_EQ(tag_of(m, 0, 1), 0);
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_EQ(tag_of(w, 0, 1), 99);
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_OK(bj_ver_trx_commit(m, 0));
    CHECK_OK(bj_ver_trx_commit(r, 0));
    bj_ver_trx_destroy(w);
    bj_ver_trx_destroy(r);
    bj_ver_trx_destroy(m);
    teardown();
}

/* A reader cannot tell from the page whether an escrow delta is on it while the writer is
 * between bj_ver_modify_delta and the page change (or an undo between marking and the page
 * change): bj_ver_visible flags such an invisible delta unstable so the reader reads again
 * (the table layer holds no page latch across the two steps; found by test_stress_random). */
TEST(escrow_delta_in_flight_is_unstable)
{
    setup(0);
    put(1, 100, 10);
    bj_trx *w = trx_new(), *r = trx_new();
    CHECK_OK(bj_ver_trx_begin(r));
    CHECK_OK(bj_ver_trx_begin(w));
    bj_ver_key key = fs_key(1);
    bj_rce *rce = NULL;
    CHECK_OK(bj_ver_modify_delta(w, &key, 0, 8, 5, &g_fs_ops, &g_fs.n[1], sizeof(fnode), &rce));
    uint8_t buf[REC_CB];
    bj_ver_seen seen;
    CHECK_OK(bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, REC_CB, buf,
                            sizeof(buf), &seen));
    CHECK(seen.present && seen.unstable);
    /* the owner is never unstable on its own delta */
    CHECK_OK(bj_ver_visible(g_ver, w, 0, &key, true, false, g_fs.n[1].data, REC_CB, buf,
                            sizeof(buf), &seen));
    CHECK(seen.present && !seen.unstable);
    /* the page holds it now: stable, and the reader's view takes it off */
    bj_st64(g_fs.n[1].data, 105);
    bj_ver_rce_set_applied(rce, true);
    CHECK_OK(bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, REC_CB, buf,
                            sizeof(buf), &seen));
    CHECK(seen.present && !seen.unstable && !seen.from_page);
    CHECK_EQ(bj_ld64(buf), 100);
    /* an undo in progress */
    bj_ver_rce_set_applied(rce, false);
    CHECK_OK(bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, REC_CB, buf,
                            sizeof(buf), &seen));
    CHECK(seen.unstable);
    CHECK_OK(bj_ver_trx_rollback(w, 0));
    CHECK_EQ(counter_of(r, 0, 1), 100);
    CHECK_OK(bj_ver_visible(g_ver, r, 0, &key, true, false, g_fs.n[1].data, REC_CB, buf,
                            sizeof(buf), &seen));
    CHECK(!seen.unstable);
    CHECK_OK(bj_ver_trx_commit(r, 0));
    bj_ver_trx_destroy(w);
    bj_ver_trx_destroy(r);
    teardown();
}

/* Every allocation of a small workload fails in turn: each call fails cleanly with
 * JET_errOutOfMemory or succeeds, and nothing leaks (ASan) or stays half-done. */
TEST(allocation_fault_sweep)
{
    for (uint64_t n = 1; n < 40; n++) {
        setup(0);
        bj_trx *t = NULL;
        uint8_t rec[REC_CB];
        rec_make(rec, 1, 2);
        bj_alloc_fault_set(n, false);
        JET_ERR err = bj_ver_trx_create(g_ver, &t);
        if (err >= 0) {
            err = bj_ver_trx_begin(t);
            if (err >= 0) {
                for (int k = 0; k < 3; k++) {
                    JET_ERR e = fs_write(t, k, BJ_VER_INSERT, rec);
                    CHECK(e == JET_errSuccess || e == JET_errOutOfMemory);
                    CHECK_EQ(g_fs.n[k].present, e == JET_errSuccess);
                }
                err = bj_ver_trx_commit(t, 0);
            }
            CHECK(err == JET_errSuccess || err == JET_errOutOfMemory);
        } else {
            CHECK_ERR(err, JET_errOutOfMemory);
        }
        bj_alloc_fault_clear();
        bj_ver_trx_destroy(t);
        bj_ver_stats st;
        bj_ver_get_stats(g_ver, &st);
        CHECK_EQ(st.active, 0);
        CHECK_EQ(st.rces_live,
                 (uint64_t)(g_fs.n[0].present + g_fs.n[1].present + g_fs.n[2].present));
        teardown();
    }
}

/* A cleanup callback that records, for the RCE being cleaned, whether its key's chain holds a
 * newer RCE (what the table layer checks under the leaf latch before removing a node). */
static int g_newer_seen = -1;
static JET_ERR newer_cleanup(bj_rce *rce, void *ctx)
{
    g_newer_seen = bj_ver_rce_has_newer(ctx, rce) ? 1 : 0;
    return JET_errSuccess;
}

TEST(cleanup_sees_a_newer_rce_of_its_key)
{
    setup(0);
    bj_ver_ops ops = {NULL, newer_cleanup, g_ver, 0};
    bj_ver_key key = {1, 9, "\x05", 1};
    uint8_t before[4] = {1, 2, 3, 4};
    bj_trx *w = trx_new(), *w2 = trx_new();
    bj_rce *rce = NULL;
    /* a committed delete, then an uncommitted insert reusing the key: cleanup must see it */
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(bj_ver_modify(w, &key, BJ_VER_DELETE, before, 4, &ops, NULL, 0, &rce));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_OK(bj_ver_trx_begin(w2));
    CHECK_OK(bj_ver_modify(w2, &key, BJ_VER_INSERT, NULL, 0, &ops, NULL, 0, &rce));
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    CHECK_EQ(g_newer_seen, 1);
    CHECK_OK(bj_ver_trx_rollback(w2, 0));
    /* a committed delete alone: no newer RCE */
    g_newer_seen = -1;
    CHECK_OK(bj_ver_trx_begin(w));
    CHECK_OK(bj_ver_modify(w, &key, BJ_VER_DELETE, before, 4, &ops, NULL, 0, &rce));
    CHECK_OK(bj_ver_trx_commit(w, 0));
    CHECK_EQ(bj_ver_cleanup(g_ver), 1);
    CHECK_EQ(g_newer_seen, 0);
    bj_ver_trx_destroy(w);
    bj_ver_trx_destroy(w2);
    teardown();
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
