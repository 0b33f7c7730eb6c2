/* test_btree_nu.c: non-unique trees (ESE secondary indexes): many nodes per key ordered by
 * (key, data), writes and seeks by (key, data) and by key, random model workloads with bj_bt_check
 * after every batch, and the separators ESE computes between equal keys.
 */
#include "test_btree_env.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Key k: 0x7f, BE32 k, then a k-dependent tail (prefix-free: keys differ in bytes 1..4). */
static uint32_t nu_key(uint32_t k, uint32_t maxTail, uint8_t *out)
{
    out[0] = 0x7f;
    bj_st32be(out + 1, k);
    uint32_t n = maxTail ? (uint32_t)(mix(k) % (maxTail + 1)) : 0;
    memset(out + 5, 0x41 + (int)(k % 7), n);
    return 5 + n;
}

/* Data d ("primary bookmark"): BE32 d then a d-dependent tail; order = d order. */
static uint32_t nu_data(uint32_t d, uint32_t maxTail, uint8_t *out)
{
    bj_st32be(out, d);
    uint32_t n = maxTail ? (uint32_t)(mix(d + 77) % (maxTail + 1)) : 0;
    for (uint32_t i = 0; i < n; i++)
        out[4 + i] = (uint8_t)mix(d * 31 + i);
    return 4 + n;
}

TEST(nonunique_basics)
{
    tenv *e = tenv_new(4096, 64, BJ_BT_INDEX | BJ_BT_NON_UNIQUE);
    REQUIRE(e);
    bj_bt_tree *t = &e->t;
    uint8_t k[16], d[16];
    uint32_t cbK = nu_key(5, 0, k), cbD;
    for (uint32_t i = 10; i > 0; i--) {
        cbD = nu_data(i * 10, 0, d);
        CHECK_OK(bj_bt_insert(t, k, cbK, d, cbD, 0));
    }
    cbD = nu_data(30, 0, d);
    CHECK_ERR(bj_bt_insert(t, k, cbK, d, cbD, 0), JET_errKeyDuplicate);
    CHECK_OK(bj_bt_set_flags_kd(t, k, cbK, d, cbD, BJ_ND_DELETED));
    CHECK_ERR(bj_bt_insert(t, k, cbK, d, cbD, 0), JET_errRecordDeleted);
    /* key-only writes are ambiguous on a non-unique tree */
    CHECK_ERR(bj_bt_delete(t, k, cbK), JET_errInvalidParameter);
    CHECK_ERR(bj_bt_replace(t, k, cbK, d, cbD), JET_errInvalidParameter);
    CHECK_ERR(bj_bt_set_flags(t, k, cbK, 0), JET_errInvalidParameter);
    CHECK_ERR(bj_bt_delta(t, k, cbK, 0, 1, NULL), JET_errInvalidParameter);
    uint8_t k4[16], k6[16];
    uint32_t cbK4 = nu_key(4, 0, k4), cbK6 = nu_key(6, 0, k6);
    cbD = nu_data(999, 0, d);
    CHECK_OK(bj_bt_insert(t, k4, cbK4, d, cbD, 0));
    cbD = nu_data(1, 0, d);
    CHECK_OK(bj_bt_insert(t, k6, cbK6, d, cbD, 0));

    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(t, true, &c));
    const uint8_t *pk, *pd;
    uint32_t cbPk, cbPd;
    /* by key: EQ/GE land on the lowest data, LE on the highest */
    CHECK_OK(bj_bt_seek(&c, k, cbK, BJ_BT_SEEK_EQ));
    CHECK_OK(bj_bt_get(&c, &pk, &cbPk, &pd, &cbPd, NULL));
    CHECK(cbPk == cbK && !memcmp(pk, k, cbK) && bj_ld32be(pd) == 10);
    CHECK_OK(bj_bt_seek(&c, k, cbK, BJ_BT_SEEK_LE));
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &pd, &cbPd, NULL));
    CHECK_EQ(bj_ld32be(pd), 100);
    /* data 30 is flagged deleted: order skips it */
    CHECK_OK(bj_bt_seek_kd(&c, k, cbK, d, nu_data(20, 0, d), BJ_BT_SEEK_EQ));
    CHECK_OK(bj_bt_move_next(&c));
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &pd, &cbPd, NULL));
    CHECK_EQ(bj_ld32be(pd), 40);
    CHECK_ERR(bj_bt_seek_kd(&c, k, cbK, d, nu_data(30, 0, d), BJ_BT_SEEK_EQ),
              JET_errRecordNotFound);
    CHECK_ERR(bj_bt_seek_kd(&c, k, cbK, d, nu_data(35, 0, d), BJ_BT_SEEK_GE), JET_wrnSeekNotEqual);
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &pd, &cbPd, NULL));
    CHECK_EQ(bj_ld32be(pd), 40);
    CHECK_ERR(bj_bt_seek_kd(&c, k, cbK, d, nu_data(35, 0, d), BJ_BT_SEEK_LE), JET_wrnSeekNotEqual);
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &pd, &cbPd, NULL));
    CHECK_EQ(bj_ld32be(pd), 20);
    /* past the key's last data: GE goes to the next key */
    CHECK_ERR(bj_bt_seek_kd(&c, k, cbK, d, nu_data(500, 0, d), BJ_BT_SEEK_GE), JET_wrnSeekNotEqual);
    CHECK_OK(bj_bt_get(&c, &pk, &cbPk, &pd, NULL, NULL));
    CHECK(!memcmp(pk, k6, cbK6) && bj_ld32be(pd) == 1);
    /* a key with no nodes */
    uint8_t k5b[16];
    uint32_t cbK5b = nu_key(5, 0, k5b);
    k5b[cbK5b++] = 0;
    CHECK_ERR(bj_bt_seek(&c, k5b, cbK5b, BJ_BT_SEEK_EQ), JET_errRecordNotFound);
    /* deleted flag cleared, pair deleted */
    CHECK_OK(bj_bt_set_flags_kd(t, k, cbK, d, nu_data(30, 0, d), 0));
    CHECK_OK(bj_bt_seek_kd(&c, k, cbK, d, nu_data(30, 0, d), BJ_BT_SEEK_EQ));
    CHECK_OK(bj_bt_delete_kd(t, k, cbK, d, nu_data(30, 0, d)));
    CHECK_ERR(bj_bt_delete_kd(t, k, cbK, d, nu_data(30, 0, d)), JET_errRecordNotFound);
    CHECK_ERR(bj_bt_get(&c, NULL, NULL, NULL, NULL, NULL), JET_errRecordDeleted);
    CHECK_OK(bj_bt_move_next(&c));
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &pd, NULL, NULL));
    CHECK_EQ(bj_ld32be(pd), 40);
    uint64_t n;
    CHECK_OK(bj_bt_count(t, true, &n));
    CHECK_EQ(n, 11);
    CHECK_OK(bj_bt_check(t, tenv_report, NULL));
    bj_bt_cursor_close(&c);
    tenv_free(e);
}

/* ---- random (key, data) model ---- */

typedef struct numodel {
    uint32_t nk, nd;
    uint8_t *present; /* [k * nd + d] */
    uint32_t live;
} numodel;

static void nu_verify(tenv *e, numodel *m, uint32_t kt, uint32_t dt, uint64_t *rng)
{
    bj_bt_tree *t = &e->t;
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(t, true, &c));
    uint8_t kb[64], db[64];
    /* scan = (key, data) order of the model */
    uint32_t seen = 0, bad = 0, pos = 0;
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
        REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
        while (pos < m->nk * m->nd && !m->present[pos])
            pos++;
        if (pos == m->nk * m->nd) {
            bad++;
            break;
        }
        uint32_t cbWk = nu_key(pos / m->nd, kt, kb), cbWd = nu_data(pos % m->nd, dt, db);
        if (bj_keycmp(k, cbK, kb, cbWk) || bj_keycmp(d, cbD, db, cbWd))
            bad++;
        pos++;
        seen++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(seen, m->live);
    /* seeks by key: GE = lowest data of the first key >= k, LE = highest of the last <= k */
    for (int i = 0; i < 200; i++) {
        *rng = mix(*rng);
        uint32_t kq = (uint32_t)(*rng % m->nk);
        uint32_t cbKq = nu_key(kq, kt, kb);
        int64_t geK = -1, geD = -1, leK = -1, leD = -1;
        for (uint32_t k = kq; k < m->nk && geK < 0; k++)
            for (uint32_t d = 0; d < m->nd; d++)
                if (m->present[k * m->nd + d]) {
                    geK = k;
                    geD = d;
                    break;
                }
        for (int64_t k = kq; k >= 0 && leK < 0; k--)
            for (int64_t d = (int64_t)m->nd - 1; d >= 0; d--)
                if (m->present[k * m->nd + d]) {
                    leK = k;
                    leD = d;
                    break;
                }
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
        JET_ERR err = bj_bt_seek(&c, kb, cbKq, BJ_BT_SEEK_GE);
        if (geK < 0) {
            CHECK_ERR(err, JET_errRecordNotFound);
        } else {
            CHECK_ERR(err, geK == kq ? JET_errSuccess : JET_wrnSeekNotEqual);
            REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
            CHECK_EQ(bj_ld32be(k + 1), (uint32_t)geK);
            CHECK_EQ(bj_ld32be(d), (uint32_t)geD);
        }
        err = bj_bt_seek(&c, kb, cbKq, BJ_BT_SEEK_EQ);
        CHECK_ERR(err, geK == kq ? JET_errSuccess : JET_errRecordNotFound);
        err = bj_bt_seek(&c, kb, cbKq, BJ_BT_SEEK_LE);
        if (leK < 0) {
            CHECK_ERR(err, JET_errRecordNotFound);
        } else {
            CHECK_ERR(err, leK == kq ? JET_errSuccess : JET_wrnSeekNotEqual);
            REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
            CHECK_EQ(bj_ld32be(k + 1), (uint32_t)leK);
            CHECK_EQ(bj_ld32be(d), (uint32_t)leD);
        }
        /* by (key, data) */
        uint32_t dq = (uint32_t)((*rng >> 32) % m->nd), cbDq = nu_data(dq, dt, db);
        err = bj_bt_seek_kd(&c, kb, cbKq, db, cbDq, BJ_BT_SEEK_EQ);
        CHECK_ERR(err, m->present[kq * m->nd + dq] ? JET_errSuccess : JET_errRecordNotFound);
        err = bj_bt_seek_kd(&c, kb, cbKq, db, cbDq, BJ_BT_SEEK_GE);
        uint32_t p = kq * m->nd + dq;
        while (p < m->nk * m->nd && !m->present[p])
            p++;
        if (p == m->nk * m->nd) {
            CHECK_ERR(err, JET_errRecordNotFound);
        } else {
            CHECK(err >= 0);
            REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
            CHECK_EQ(bj_ld32be(k + 1), p / m->nd);
            CHECK_EQ(bj_ld32be(d), p % m->nd);
        }
    }
    bj_bt_cursor_close(&c);
    CHECK_OK(bj_bt_check(t, tenv_report, NULL));
}

/* Counts internal separators carrying data bytes (longer than any key: key 5+kt bytes). */
typedef struct sepctx {
    tenv *e;
    uint32_t withData, internal;
    uint32_t keyMost;
} sepctx;

static JET_ERR sep_fn(void *ctx, uint32_t pgno, uint32_t pf)
{
    sepctx *s = ctx;
    if (pf & BJ_PGF_LEAF)
        return JET_errSuccess;
    bj_frame *fr;
    JET_ERR err = bj_buf_get(s->e->db, pgno, BJ_LATCH_SHARED, &fr);
    if (err < 0)
        return err;
    const uint8_t *pg = bj_frame_data(fr);
    for (uint32_t i = 1; i < bj_page_ntags(pg); i++) {
        bj_node n;
        if (bj_page_get_node(pg, s->e->dbc.cbPage, i, &n) >= 0) {
            s->internal++;
            if (bj_node_key_len(&n) > s->keyMost)
                s->withData++;
        }
    }
    bj_buf_release(fr);
    return JET_errSuccess;
}

static void nu_workload(uint32_t cbPage, uint32_t nk, uint32_t nd, uint32_t kt, uint32_t dt,
                        uint32_t nOps, uint64_t seed)
{
    tenv *e = tenv_new(cbPage, 256, BJ_BT_INDEX | BJ_BT_NON_UNIQUE);
    REQUIRE(e);
    numodel m = {.nk = nk, .nd = nd, .present = calloc((size_t)nk * nd, 1)};
    uint8_t kb[64], db[64];
    uint64_t r = seed, rv = seed * 3 + 1;
    uint32_t batch = nOps / 8;
    for (uint32_t op = 0; op < nOps; op++) {
        r = mix(r);
        /* few keys get most nodes: many duplicates per key */
        uint32_t k = (uint32_t)(r % nk);
        if ((r >> 40) % 4)
            k = k % (nk / 8 + 1);
        uint32_t d = (uint32_t)((r >> 16) % nd);
        bool growing = op < nOps * 6 / 10;
        uint32_t cbK = nu_key(k, kt, kb), cbD = nu_data(d, dt, db);
        uint8_t *p = &m.present[k * nd + d];
        if ((uint32_t)((r >> 56) % 100) < (growing ? 75u : 20u)) {
            JET_ERR err = bj_bt_insert(&e->t, kb, cbK, db, cbD, 0);
            if (*p) {
                CHECK_ERR(err, JET_errKeyDuplicate);
            } else {
                CHECK_OK(err);
                *p = 1;
                m.live++;
            }
        } else {
            JET_ERR err = bj_bt_delete_kd(&e->t, kb, cbK, db, cbD);
            if (*p) {
                CHECK_OK(err);
                *p = 0;
                m.live--;
            } else {
                CHECK_ERR(err, JET_errRecordNotFound);
            }
        }
        if (op % batch == batch - 1) {
            if (op / batch == 3) {
                sepctx s = {.e = e, .keyMost = 5 + kt};
                CHECK_OK(bj_bt_walk_pages(&e->t, sep_fn, &s));
                fprintf(stderr, "  %u live, %u separators, %u with data bytes\n", m.live,
                        s.internal, s.withData);
                CHECK(s.withData > 0); /* splits between equal keys happened */
            }
            nu_verify(e, &m, kt, dt, &rv);
        }
    }
    nu_verify(e, &m, kt, dt, &rv);
    free(m.present);
    tenv_free(e);
}

TEST(nonunique_model_4k)
{
    nu_workload(4096, 400, 300, 12, 20, 60000, 11);
}

TEST(nonunique_model_32k_long)
{
    nu_workload(32768, 200, 400, 40, 40, 50000, 5);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
