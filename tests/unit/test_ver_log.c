/* test_ver_log.c: the version store's logging hooks (log_rce, log_undo, log_cancel,
 * log_trx_end) and ids (RCE ids, transaction ids), bj_ver_set_logging, and recovery's
 * re-creation of logged RCEs in a fresh store followed by a rollback (with a fake page: an
 * array of values that the undo callbacks restore). */
#include "testlib.h"
#include "ver/ver.h"

/* ---- an event trace ---- */

enum { EV_RCE = 1, EV_UNDO, EV_CANCEL, EV_END, EV_PAGE, EV_UNDOCB };

typedef struct ev {
    int kind;
    uint64_t trx_id, rce_id;
    bj_ver_kind rkind;
    uint32_t level;
} ev;

#define NEV 64
static ev g_ev[NEV];
static int g_nev;
static JET_ERR g_fail_rce, g_fail_undo, g_fail_end; /* the next hook call fails with it */

static void trace(int kind, uint64_t trx_id, const bj_rce *rce)
{
    if (g_nev == NEV)
        return;
    ev *e = &g_ev[g_nev++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->trx_id = trx_id;
    if (rce) {
        e->rce_id = rce->id;
        e->rkind = rce->kind;
        e->level = rce->level;
    }
}

static JET_ERR h_rce(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)ctx;
    trace(EV_RCE, bj_ver_trx_id(trx), rce);
    JET_ERR e = g_fail_rce;
    g_fail_rce = 0;
    return e;
}
static JET_ERR h_undo(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)ctx;
    trace(EV_UNDO, bj_ver_trx_id(trx), rce);
    JET_ERR e = g_fail_undo;
    g_fail_undo = 0;
    return e;
}
static void h_cancel(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)ctx;
    trace(EV_CANCEL, bj_ver_trx_id(trx), rce);
}
static JET_ERR h_end(void *ctx, bj_trx *trx)
{
    (void)ctx;
    trace(EV_END, bj_ver_trx_id(trx), NULL);
    JET_ERR e = g_fail_end;
    g_fail_end = 0;
    return e;
}

/* ---- a fake page: value per key, the undo callback restores the before-image ---- */

#define NKEYS 8
static int32_t g_page[NKEYS]; /* 0 = absent */
static int g_undo_calls;

static JET_ERR fake_undo(bj_rce *rce, void *ctx)
{
    (void)ctx;
    uint32_t k = rce->bm[0];
    trace(EV_UNDOCB, 0, rce);
    g_undo_calls++;
    switch (rce->kind) {
    case BJ_VER_INSERT:
        g_page[k] = 0; /* idempotent: absent stays absent */
        break;
    case BJ_VER_REPLACE:
    case BJ_VER_DELETE:
        g_page[k] = (int32_t)bj_ld32(rce->before);
        break;
    case BJ_VER_DELTA:
        g_page[k] -= (int32_t)rce->delta;
        break;
    default:
        break;
    }
    return JET_errSuccess;
}

static const bj_ver_ops g_ops = {fake_undo, NULL, NULL, 77};

static bj_ver *g_ver;

static void setup(void)
{
    bj_ver_config cfg = {0};
    cfg.cleanup_every = 1000000;
    cfg.log_rce = h_rce;
    cfg.log_undo = h_undo;
    cfg.log_cancel = h_cancel;
    cfg.log_trx_end = h_end;
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    memset(g_page, 0, sizeof(g_page));
    g_nev = 0;
    g_undo_calls = 0;
    g_fail_rce = g_fail_undo = g_fail_end = 0;
}

static void teardown(void)
{
    bj_ver_term(g_ver);
    g_ver = NULL;
}

/* A write as the table layer does it: RCE (with before-image), then the page. */
static JET_ERR write(bj_trx *t, uint32_t k, bj_ver_kind kind, int32_t v)
{
    uint8_t bm[1] = {(uint8_t)k}, before[4];
    bj_st32(before, (uint32_t)g_page[k]);
    bj_ver_key key = {1, 5, bm, 1};
    bj_rce *rce = NULL;
    JET_ERR err = bj_ver_modify(t, &key, kind, before, 4, &g_ops, NULL, 0, &rce);
    if (err < 0)
        return err;
    trace(EV_PAGE, 0, rce);
    g_page[k] = kind == BJ_VER_DELETE ? 0 : v;
    return JET_errSuccess;
}

static int find(int kind, uint64_t rce_id, int from)
{
    for (int i = from; i < g_nev; i++)
        if (g_ev[i].kind == kind && (!rce_id || g_ev[i].rce_id == rce_id))
            return i;
    return -1;
}

TEST(ids_and_hook_order)
{
    setup();
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    CHECK_EQ(bj_ver_trx_id(t), 0);
    CHECK_OK(bj_ver_trx_begin(t));
    const uint64_t id1 = bj_ver_trx_id(t);
    CHECK(id1 >= 1);
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_EQ(bj_ver_trx_id(t), id1); /* nested levels keep the id */
    CHECK_OK(write(t, 2, BJ_VER_INSERT, 20));
    /* a lock: no hook */
    uint8_t bm3[1] = {3};
    bj_ver_key k3 = {1, 5, bm3, 1};
    CHECK_OK(bj_ver_modify(t, &k3, BJ_VER_WRITE_LOCK, NULL, 0, &g_ops, NULL, 0, NULL));
    CHECK_OK(bj_ver_modify(t, &k3, BJ_VER_READ_LOCK, NULL, 0, &g_ops, NULL, 0, NULL));
    CHECK_EQ(g_nev, 4); /* rce, page, rce, page */
    CHECK_EQ(g_ev[0].kind, EV_RCE);
    CHECK_EQ(g_ev[1].kind, EV_PAGE); /* log_rce before the page change */
    CHECK_EQ(g_ev[0].rce_id, g_ev[1].rce_id);
    CHECK_EQ(g_ev[0].trx_id, id1);
    CHECK_EQ(g_ev[2].kind, EV_RCE);
    CHECK_EQ(g_ev[2].trx_id, id1);
    CHECK(g_ev[2].rce_id > g_ev[0].rce_id); /* ids grow in creation order */
    CHECK_EQ(g_ev[2].level, 2);
    const uint64_t r1 = g_ev[0].rce_id, r2 = g_ev[2].rce_id;

    /* level-2 rollback: log_undo before the callback, no trx end */
    g_nev = 0;
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(g_page[2], 0);
    int u = find(EV_UNDO, r2, 0), cb = find(EV_UNDOCB, r2, 0);
    CHECK(u >= 0 && cb > u);
    CHECK_EQ(g_ev[u].trx_id, id1);
    CHECK_EQ(find(EV_END, 0, 0), -1);
    CHECK_EQ(g_undo_calls, 3); /* the two locks have the callback too (it ignores them) */
    /* but only the insert was logged as undone */
    int nundo = 0;
    for (int i = 0; i < g_nev; i++)
        nundo += g_ev[i].kind == EV_UNDO;
    CHECK_EQ(nundo, 1);

    /* level-1 rollback: undo of r1, then log_trx_end with the id still valid */
    g_nev = 0;
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    u = find(EV_UNDO, r1, 0);
    cb = find(EV_UNDOCB, r1, 0);
    int end = find(EV_END, 0, 0);
    CHECK(u >= 0 && cb > u && end > cb);
    CHECK_EQ(g_ev[end].trx_id, id1);
    CHECK_EQ(bj_ver_trx_id(t), 0);
    CHECK_EQ(g_page[1], 0);

    /* the next transaction gets a new id; commit: no trx end */
    CHECK_OK(bj_ver_trx_begin(t));
    const uint64_t id2 = bj_ver_trx_id(t);
    CHECK(id2 > id1);
    g_nev = 0;
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 11));
    CHECK_OK(bj_ver_trx_commit(t, 0));
    CHECK_EQ(bj_ver_trx_id(t), 0);
    CHECK_EQ(find(EV_END, 0, 0), -1);
    CHECK_EQ(find(EV_RCE, 0, 0), 0);
    CHECK_EQ(g_ev[0].trx_id, id2);
    bj_ver_trx_destroy(t);
    teardown();
}

TEST(log_rce_failure_withdraws_the_rce)
{
    setup();
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    g_fail_rce = JET_errLogWriteFail;
    CHECK_ERR(write(t, 1, BJ_VER_INSERT, 10), JET_errLogWriteFail);
    CHECK_EQ(bj_ver_trx_rce_count(t), 0);
    CHECK_EQ(g_page[1], 0);
    uint8_t bm[1] = {1};
    bj_ver_key key = {1, 5, bm, 1};
    CHECK(!bj_ver_has_versions(g_ver, &key));
    bj_ver_stats st;
    bj_ver_get_stats(g_ver, &st);
    CHECK_EQ(st.rces_live, 0);
    CHECK_EQ(st.cbUsed, 0);
    /* a delta too */
    g_fail_rce = JET_errLogWriteFail;
    CHECK_ERR(bj_ver_modify_delta(t, &key, 0, 4, 5, &g_ops, NULL, 0, NULL), JET_errLogWriteFail);
    CHECK_EQ(bj_ver_trx_rce_count(t), 0);
    /* the next one works */
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    CHECK_EQ(find(EV_CANCEL, 0, 0), -1);
    CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
    bj_ver_trx_destroy(t);
    teardown();
}

TEST(cancel_and_failures_of_undo_and_end)
{
    setup();
    bj_trx *t = NULL;
    bj_rce *rce = NULL;
    uint8_t bm[1] = {4};
    bj_ver_key key = {1, 5, bm, 1};
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(bj_ver_modify(t, &key, BJ_VER_INSERT, NULL, 0, &g_ops, NULL, 0, &rce));
    const uint64_t rid = rce->id;
    bj_ver_rce_cancel(t, rce);
    int c = find(EV_CANCEL, rid, 0);
    CHECK(c > 0);
    CHECK_EQ(g_ev[c].trx_id, bj_ver_trx_id(t));
    /* a lock's cancel is not logged */
    g_nev = 0;
    CHECK_OK(bj_ver_modify(t, &key, BJ_VER_WRITE_LOCK, NULL, 0, &g_ops, NULL, 0, &rce));
    bj_ver_rce_cancel(t, rce);
    CHECK_EQ(g_nev, 0);

    /* log_trx_end fails: the rollback is over anyway, its error is the result */
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    g_fail_end = JET_errLogWriteFail;
    CHECK_ERR(bj_ver_trx_rollback(t, 0), JET_errLogWriteFail);
    CHECK_EQ(bj_ver_trx_level(t), 0);
    CHECK_EQ(g_page[1], 0);

    /* log_undo fails: rollback error, nothing undone, instance unavailable */
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    g_fail_undo = JET_errLogWriteFail;
    g_undo_calls = 0;
    CHECK_ERR(bj_ver_trx_rollback(t, 0), JET_errRollbackError);
    CHECK_EQ(g_undo_calls, 0);
    CHECK_EQ(g_page[1], 10);
    CHECK_EQ(bj_ver_fatal_error(g_ver), JET_errLogWriteFail);
    CHECK_EQ(bj_ver_trx_rce_count(t), 1);
    /* a retry undoes it */
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    CHECK_EQ(g_page[1], 0);
    bj_ver_trx_destroy(t);
    teardown();
}

TEST(no_hooks_while_logging_is_off)
{
    setup();
    bj_trx *t = NULL;
    bj_rce *rce = NULL;
    uint8_t bm[1] = {4};
    bj_ver_key key = {1, 5, bm, 1};
    bj_ver_set_logging(g_ver, false);
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    CHECK_OK(bj_ver_modify(t, &key, BJ_VER_INSERT, NULL, 0, &g_ops, NULL, 0, &rce));
    bj_ver_rce_cancel(t, rce);
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    for (int i = 0; i < g_nev; i++)
        CHECK(g_ev[i].kind == EV_PAGE || g_ev[i].kind == EV_UNDOCB);
    CHECK_EQ(g_page[1], 0);
    /* on again */
    bj_ver_set_logging(g_ver, true);
    g_nev = 0;
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    CHECK_EQ(g_ev[0].kind, EV_RCE);
    CHECK_OK(bj_ver_trx_rollback(t, 0));
    bj_ver_trx_destroy(t);
    teardown();
}

/* ---- crash and recovery on the fake page ---- */

typedef struct logged {
    uint64_t trx_id;
    uint32_t dbid, objid, client;
    uint8_t bm[8];
    uint32_t cbBm;
    bj_ver_kind kind;
    uint8_t before[8];
    uint32_t cbBefore;
    uint32_t delta_off, delta_size;
    int64_t delta;
} logged;

static logged g_log[16];
static int g_nlog;

static JET_ERR cap_rce(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)ctx;
    logged *l = &g_log[g_nlog++];
    memset(l, 0, sizeof(*l));
    l->trx_id = bj_ver_trx_id(trx);
    l->dbid = rce->dbid;
    l->objid = rce->objid;
    l->client = rce->ops->client;
    memcpy(l->bm, rce->bm, rce->cbBm);
    l->cbBm = rce->cbBm;
    l->kind = rce->kind;
    if (rce->cbBefore)
        memcpy(l->before, rce->before, rce->cbBefore);
    l->cbBefore = rce->cbBefore;
    l->delta_off = rce->delta_off;
    l->delta_size = rce->delta_size;
    l->delta = rce->delta;
    return JET_errSuccess;
}

/* Re-creates the log in a fresh store and rolls it back (what recovery does). */
static void recover(int n)
{
    bj_ver *v = NULL;
    bj_trx *t = NULL;
    REQUIRE_OK(bj_ver_init(NULL, &v));
    bj_ver_set_logging(v, false);
    CHECK_OK(bj_ver_trx_create(v, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    for (int i = 0; i < n; i++) {
        const logged *l = &g_log[i];
        CHECK_EQ(l->client, 77);
        bj_ver_key key = {l->dbid, l->objid, l->bm, l->cbBm};
        bj_rce *rce = NULL;
        if (l->kind == BJ_VER_DELTA) {
            CHECK_OK(bj_ver_modify_delta(t, &key, l->delta_off, l->delta_size, l->delta, &g_ops,
                                         NULL, 0, &rce));
            bj_ver_rce_set_applied(rce, true);
        } else {
            CHECK_OK(
                bj_ver_modify(t, &key, l->kind, l->before, l->cbBefore, &g_ops, NULL, 0, &rce));
        }
    }
    CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
    bj_ver_trx_destroy(t);
    bj_ver_term(v);
}

TEST(recreated_rces_roll_back_in_a_fresh_store)
{
    bj_ver_config cfg = {0};
    cfg.log_rce = cap_rce;
    REQUIRE_OK(bj_ver_init(&cfg, &g_ver));
    memset(g_page, 0, sizeof(g_page));
    g_page[2] = 200;
    g_page[3] = 300;
    g_page[5] = 50;
    int32_t saved[NKEYS];
    memcpy(saved, g_page, sizeof(saved));
    g_nlog = 0;
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    CHECK_OK(write(t, 1, BJ_VER_INSERT, 10));
    CHECK_OK(bj_ver_trx_begin(t)); /* levels do not matter to recovery */
    CHECK_OK(write(t, 2, BJ_VER_REPLACE, 201));
    CHECK_OK(write(t, 2, BJ_VER_REPLACE, 202)); /* two RCEs on one key */
    CHECK_OK(write(t, 3, BJ_VER_DELETE, 0));
    uint8_t bm5[1] = {5};
    bj_ver_key k5 = {1, 5, bm5, 1};
    bj_rce *rce;
    CHECK_OK(bj_ver_modify_delta(t, &k5, 0, 4, 7, &g_ops, NULL, 0, &rce));
    g_page[5] += 7;
    bj_ver_rce_set_applied(rce, true);
    CHECK_EQ(g_nlog, 5);
    CHECK_EQ(g_log[0].trx_id, bj_ver_trx_id(t));
    /* crash: the RCEs go without undo */
    bj_ver_trx_abandon(t);
    CHECK_EQ(bj_ver_trx_level(t), 0);
    CHECK_EQ(g_page[1], 10);
    bj_ver_trx_destroy(t);
    bj_ver_term(g_ver);
    g_ver = NULL;

    recover(g_nlog);
    CHECK_MEM(g_page, saved, sizeof(saved));
    /* the page change of the last logged RCE never happened / a second recovery: the same
     * (the delta's undo is logged atomically with its page change: not re-created then) */
    recover(g_nlog - 1);
    CHECK_MEM(g_page, saved, sizeof(saved));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
