/* test_btree.c: B-tree behaviour on the in-memory backend: basic writes and error codes,
 * random workloads against a model (splits 3+ levels deep, merges back down), fill factor of
 * ascending inserts, cursor stability across splits/deletes, positions, concurrency.
 */
#include "test_btree_env.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Key of id: 4 bytes BE id then a pseudo-random tail (0..maxTail bytes): order = id order. */
static uint32_t make_key(uint32_t id, uint32_t maxTail, uint8_t *out)
{
    bj_st32be(out, id);
    uint32_t n = maxTail ? (uint32_t)(mix(id) % (maxTail + 1)) : 0;
    for (uint32_t i = 0; i < n; i++)
        out[4 + i] = (uint8_t)mix(id * 131 + i);
    return 4 + n;
}

static uint32_t make_data(uint32_t id, uint32_t ver, uint32_t maxData, uint8_t *out)
{
    uint32_t n = (uint32_t)(mix(((uint64_t)id << 20) ^ ver) % (maxData + 1));
    for (uint32_t i = 0; i < n; i++)
        out[i] = (uint8_t)mix(id * 7919 + ver * 31 + i);
    return n;
}

TEST(basic_writes_and_errors)
{
    tenv *e = tenv_new(4096, 64, 0);
    REQUIRE(e);
    bj_bt_tree *t = &e->t;
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(t, true, &c));
    CHECK_ERR(bj_bt_move_first(&c), JET_errRecordNotFound);
    CHECK_ERR(bj_bt_move_next(&c), JET_errNoCurrentRecord);
    CHECK_OK(bj_bt_insert(t, (const uint8_t *)"b", 1, (const uint8_t *)"B", 1, 0));
    CHECK_OK(bj_bt_insert(t, (const uint8_t *)"d", 1, (const uint8_t *)"DDDD", 4, 0));
    CHECK_OK(bj_bt_insert(t, (const uint8_t *)"a", 1, (const uint8_t *)"", 0, 0));
    CHECK_ERR(bj_bt_insert(t, (const uint8_t *)"b", 1, (const uint8_t *)"x", 1, 0),
              JET_errKeyDuplicate);
    CHECK_ERR(bj_bt_insert(t, (const uint8_t *)"", 0, (const uint8_t *)"x", 1, 0),
              JET_errKeyTooBig);
    static uint8_t big[8192];
    CHECK_ERR(bj_bt_insert(t, (const uint8_t *)"z", 1, big, 4090, 0), JET_errRecordTooBig);
    CHECK_ERR(bj_bt_insert(t, big, bj_bt_key_most(4096) + 1, big, 1, 0), JET_errKeyTooBig);
    /* flagged deleted: insert reports it distinctly */
    CHECK_OK(bj_bt_set_flags(t, (const uint8_t *)"b", 1, BJ_ND_DELETED | BJ_ND_VERSION));
    CHECK_ERR(bj_bt_insert(t, (const uint8_t *)"b", 1, (const uint8_t *)"x", 1, 0),
              JET_errRecordDeleted);
    /* the cursor skips it; a non-skipping cursor sees it with its flags */
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    uint8_t fl;
    CHECK_OK(bj_bt_move_first(&c));
    CHECK_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, &fl));
    CHECK(cbK == 1 && k[0] == 'a' && cbD == 0);
    CHECK_OK(bj_bt_move_next(&c));
    CHECK_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, &fl));
    CHECK(k[0] == 'd' && cbD == 4 && fl == 0);
    CHECK_ERR(bj_bt_move_next(&c), JET_errNoCurrentRecord);
    CHECK_OK(bj_bt_move_prev(&c)); /* from after-last back to the last */
    CHECK_OK(bj_bt_get(&c, &k, &cbK, NULL, NULL, NULL));
    CHECK(k[0] == 'd');
    bj_bt_cursor all;
    REQUIRE_OK(bj_bt_cursor_open(t, false, &all));
    CHECK_OK(bj_bt_seek(&all, (const uint8_t *)"b", 1, BJ_BT_SEEK_EQ));
    CHECK_OK(bj_bt_get(&all, NULL, NULL, &d, &cbD, &fl));
    CHECK_EQ(fl, BJ_ND_DELETED | BJ_ND_VERSION);
    CHECK(cbD == 1 && d[0] == 'B');
    CHECK_ERR(bj_bt_seek(&c, (const uint8_t *)"b", 1, BJ_BT_SEEK_EQ), JET_errRecordNotFound);
    CHECK_ERR(bj_bt_seek(&c, (const uint8_t *)"b", 1, BJ_BT_SEEK_GE), JET_wrnSeekNotEqual);
    CHECK_OK(bj_bt_get(&c, &k, &cbK, NULL, NULL, NULL));
    CHECK(k[0] == 'd');
    CHECK_ERR(bj_bt_seek(&c, (const uint8_t *)"c", 1, BJ_BT_SEEK_LE), JET_wrnSeekNotEqual);
    CHECK_OK(bj_bt_get(&c, &k, &cbK, NULL, NULL, NULL));
    CHECK(k[0] == 'a');
    CHECK_ERR(bj_bt_seek(&c, (const uint8_t *)"e", 1, BJ_BT_SEEK_GE), JET_errRecordNotFound);
    CHECK_ERR(bj_bt_seek(&c, (const uint8_t *)"0", 1, BJ_BT_SEEK_LE), JET_errRecordNotFound);
    /* unflag, replace, delta, delete */
    CHECK_OK(bj_bt_set_flags(t, (const uint8_t *)"b", 1, 0));
    CHECK_OK(bj_bt_replace(t, (const uint8_t *)"d", 1, (const uint8_t *)"\x05\0\0\0zz", 6));
    uint32_t old = 0;
    CHECK_OK(bj_bt_delta(t, (const uint8_t *)"d", 1, 0, -2, &old));
    CHECK_EQ(old, 5);
    CHECK_ERR(bj_bt_delta(t, (const uint8_t *)"d", 1, 3, 1, NULL), JET_errInvalidParameter);
    CHECK_OK(bj_bt_seek(&c, (const uint8_t *)"d", 1, BJ_BT_SEEK_EQ));
    CHECK_OK(bj_bt_get(&c, NULL, NULL, &d, &cbD, NULL));
    CHECK(cbD == 6 && bj_ld32(d) == 3 && d[4] == 'z');
    CHECK_ERR(bj_bt_replace(t, (const uint8_t *)"q", 1, (const uint8_t *)"x", 1),
              JET_errRecordNotFound);
    CHECK_ERR(bj_bt_delete(t, (const uint8_t *)"q", 1), JET_errRecordNotFound);
    CHECK_OK(bj_bt_delete(t, (const uint8_t *)"d", 1));
    CHECK_ERR(bj_bt_get(&c, NULL, NULL, NULL, NULL, NULL), JET_errRecordDeleted);
    CHECK_ERR(bj_bt_move_next(&c), JET_errNoCurrentRecord);
    uint64_t n = 0;
    CHECK_OK(bj_bt_count(t, true, &n));
    CHECK_EQ(n, 2);
    CHECK_OK(bj_bt_check(t, tenv_report, NULL));
    /* the root keeps its external header */
    bj_frame *fr;
    REQUIRE_OK(bj_buf_get(e->db, 1, BJ_LATCH_SHARED, &fr));
    const uint8_t *ext;
    uint32_t cbExt;
    CHECK_OK(bj_page_get_ext_header(bj_frame_data(fr), 4096, &ext, &cbExt));
    CHECK(cbExt == 16 && ext[0] == 0xa0 && ext[15] == 0xaf);
    CHECK_EQ(bj_page_flags(bj_frame_data(fr)) & 0xfff, 0x803);
    CHECK_EQ(bj_page_objid(bj_frame_data(fr)), 42);
    bj_buf_release(fr);
    bj_bt_cursor_close(&all);
    bj_bt_cursor_close(&c);
    tenv_free(e);
}

/* ---- random workload against a model ---- */

typedef struct model {
    uint32_t n;    /* ids 0..n-1 */
    uint32_t *ver; /* 0 = absent, else data version */
    uint32_t live;
} model;

static JET_ERR depth_fn(void *ctx, uint32_t pgno, uint32_t pf)
{
    (void)pgno;
    uint32_t *cnt = ctx;
    cnt[0]++;
    if (pf & BJ_PGF_LEAF)
        cnt[1]++;
    return JET_errSuccess;
}

static int tree_depth(tenv *e)
{
    int d = 1;
    uint32_t pgno = 1;
    for (;;) {
        bj_frame *fr;
        if (bj_buf_get(e->db, pgno, BJ_LATCH_SHARED, &fr) < 0)
            return -1;
        const uint8_t *pg = bj_frame_data(fr);
        if (bj_page_flags(pg) & BJ_PGF_LEAF) {
            bj_buf_release(fr);
            return d;
        }
        bj_node n;
        bj_page_get_node(pg, e->dbc.cbPage, 1, &n);
        pgno = bj_ld32(n.data);
        bj_buf_release(fr);
        d++;
    }
}

/* Full forward and backward scans compared with the model; and the page walk compared with
 * the allocator's books. */
static void verify_model(tenv *e, model *m, uint32_t maxTail, uint32_t maxData)
{
    bj_bt_cursor c;
    static uint8_t kb[4096], db[32768];
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    JET_ERR err = bj_bt_move_first(&c);
    uint32_t id = 0, seen = 0;
    for (; err >= 0; err = bj_bt_move_next(&c)) {
        while (id < m->n && !m->ver[id])
            id++;
        REQUIRE(id < m->n);
        REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
        uint32_t ck = make_key(id, maxTail, kb), cd = make_data(id, m->ver[id], maxData, db);
        if (cbK != ck || memcmp(k, kb, ck) || cbD != cd || memcmp(d, db, cd)) {
            bj_test_fail(__FILE__, __LINE__, "scan: id %u differs", id);
            break;
        }
        id++;
        seen++;
    }
    CHECK_ERR(err, m->live ? JET_errNoCurrentRecord : JET_errRecordNotFound);
    CHECK_EQ(seen, m->live);
    /* backward */
    err = bj_bt_move_last(&c);
    seen = 0;
    uint32_t prevId = UINT32_MAX;
    for (; err >= 0; err = bj_bt_move_prev(&c)) {
        REQUIRE_OK(bj_bt_get(&c, &k, &cbK, NULL, NULL, NULL));
        uint32_t kid = bj_ld32be(k);
        CHECK(kid < prevId && m->ver[kid]);
        prevId = kid;
        seen++;
    }
    CHECK_EQ(seen, m->live);
    bj_bt_cursor_close(&c);
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    uint32_t cnt[2] = {0, 0};
    CHECK_OK(bj_bt_walk_pages(&e->t, depth_fn, cnt));
    uint32_t owned = 1; /* root */
    for (uint32_t p = 0; p < e->capuse; p++)
        owned += e->inuse[p];
    CHECK_EQ(cnt[0], owned);
}

static void random_workload(uint32_t cbPage, uint32_t nIds, uint32_t nOps, uint32_t maxTail,
                            uint32_t maxData, uint64_t seed)
{
    tenv *e = tenv_new(cbPage, 256, 0);
    REQUIRE(e);
    model m = {.n = nIds, .ver = calloc(nIds, sizeof(uint32_t))};
    static uint8_t kb[4096], db[32768];
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    int maxDepth = 0;
    uint64_t r = seed;
    for (uint32_t op = 0; op < nOps; op++) {
        r = mix(r);
        uint32_t id = (uint32_t)(r % nIds);
        uint32_t kind = (uint32_t)((r >> 32) % 100);
        /* grow for the first 60% of the run, then shrink */
        bool growing = op < nOps * 6 / 10;
        uint32_t cbK = make_key(id, maxTail, kb);
        if (kind < (growing ? 70u : 25u)) {
            uint32_t ver = m.ver[id] ? m.ver[id] : 1;
            uint32_t cbD = make_data(id, ver, maxData, db);
            JET_ERR err = bj_bt_insert(&e->t, kb, cbK, db, cbD, 0);
            if (m.ver[id]) {
                CHECK_ERR(err, JET_errKeyDuplicate);
            } else {
                CHECK_OK(err);
                m.ver[id] = 1;
                m.live++;
            }
        } else if (kind < (growing ? 85u : 85u)) {
            JET_ERR err = bj_bt_delete(&e->t, kb, cbK);
            if (m.ver[id]) {
                CHECK_OK(err);
                m.ver[id] = 0;
                m.live--;
            } else {
                CHECK_ERR(err, JET_errRecordNotFound);
            }
        } else if (kind < 93) {
            uint32_t ver = m.ver[id] + 1;
            uint32_t cbD = make_data(id, ver, maxData, db);
            JET_ERR err = bj_bt_replace(&e->t, kb, cbK, db, cbD);
            if (m.ver[id]) {
                CHECK_OK(err);
                m.ver[id] = ver;
            } else {
                CHECK_ERR(err, JET_errRecordNotFound);
            }
        } else {
            /* seek GE + next/prev against the model */
            JET_ERR err = bj_bt_seek(&c, kb, cbK, BJ_BT_SEEK_GE);
            uint32_t want = id;
            while (want < nIds && !m.ver[want])
                want++;
            const uint8_t *k;
            uint32_t cbk;
            if (want == nIds) {
                CHECK_ERR(err, JET_errRecordNotFound);
            } else {
                CHECK_ERR(err, want == id ? JET_errSuccess : JET_wrnSeekNotEqual);
                REQUIRE_OK(bj_bt_get(&c, &k, &cbk, NULL, NULL, NULL));
                CHECK_EQ(bj_ld32be(k), want);
                uint32_t nx = want + 1;
                while (nx < nIds && !m.ver[nx])
                    nx++;
                err = bj_bt_move_next(&c);
                if (nx == nIds) {
                    CHECK_ERR(err, JET_errNoCurrentRecord);
                } else {
                    CHECK_OK(err);
                    REQUIRE_OK(bj_bt_get(&c, &k, &cbk, NULL, NULL, NULL));
                    CHECK_EQ(bj_ld32be(k), nx);
                    CHECK_OK(bj_bt_move_prev(&c));
                    REQUIRE_OK(bj_bt_get(&c, &k, &cbk, NULL, NULL, NULL));
                    CHECK_EQ(bj_ld32be(k), want);
                }
            }
        }
        if (op % 500 == 0) {
            int d = tree_depth(e);
            if (d > maxDepth)
                maxDepth = d;
        }
        if (op % (nOps / 8) == 0)
            verify_model(e, &m, maxTail, maxData);
    }
    verify_model(e, &m, maxTail, maxData);
    CHECK(maxDepth >= 3);
    /* delete everything: the tree collapses to an empty root leaf, every page released */
    for (uint32_t id = 0; id < nIds; id++) {
        if (!m.ver[id])
            continue;
        uint32_t cbK = make_key(id, maxTail, kb);
        CHECK_OK(bj_bt_delete(&e->t, kb, cbK));
        m.ver[id] = 0;
        m.live--;
    }
    verify_model(e, &m, maxTail, maxData);
    CHECK_EQ(tree_depth(e), 1);
    uint32_t owned = 0;
    for (uint32_t p = 0; p < e->capuse; p++)
        owned += e->inuse[p];
    CHECK_EQ(owned, 0);
    fprintf(stderr, "  max depth %d, pages used %u\n", maxDepth, e->next);
    bj_bt_cursor_close(&c);
    free(m.ver);
    tenv_free(e);
}

TEST(random_model_4k)
{
    random_workload(4096, 50000, 120000, 60, 300, 1);
}

TEST(random_model_4k_big_nodes)
{
    /* big keys and records: few nodes per page, many splits that need a retry */
    random_workload(4096, 3000, 12000, 900, 3000, 7);
}

TEST(random_model_32k)
{
    random_workload(32768, 30000, 60000, 700, 6000, 3);
}

typedef struct fillctx {
    tenv *e;
    uint32_t leaves, full, last;
    double minfill, maxfill;
    bool skipFirst; /* the first leaf comes from the root split, recompressed */
} fillctx;

static JET_ERR fill_fn(void *ctx, uint32_t pgno, uint32_t pf)
{
    fillctx *f = ctx;
    if (!(pf & BJ_PGF_LEAF))
        return JET_errSuccess;
    bj_frame *fr;
    JET_ERR err = bj_buf_get(f->e->db, pgno, BJ_LATCH_SHARED, &fr);
    if (err < 0)
        return err;
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t cbPage = f->e->dbc.cbPage, hdr = bj_page_hdr_size(cbPage);
    double fill = 1.0 - (double)bj_page_cbfree(pg) / (double)(cbPage - hdr);
    if (bj_page_next(pg) != 0 && (!f->skipFirst || bj_page_prev(pg) != 0)) {
        f->leaves++;
        if (fill < f->minfill)
            f->minfill = fill;
        if (fill > f->maxfill)
            f->maxfill = fill;
    }
    bj_buf_release(fr);
    return JET_errSuccess;
}

TEST(ascending_inserts_fill_leaves)
{
    tenv *e = tenv_new(4096, 128, 0);
    REQUIRE(e);
    CHECK_OK(bj_bt_set_density(&e->t, 100));
    uint8_t kb[16], db[128];
    for (uint32_t i = 0; i < 20000; i++) {
        bj_st64be(kb, i);
        uint32_t cbD = 20 + i % 90;
        memset(db, (int)i, cbD);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 8, db, cbD, 0));
    }
    fillctx f = {.e = e, .minfill = 1.0};
    CHECK_OK(bj_bt_walk_pages(&e->t, fill_fn, &f));
    fprintf(stderr, "  %u leaves, min fill %.3f\n", f.leaves, f.minfill);
    CHECK(f.leaves > 100);
    CHECK(f.minfill >= 0.85);
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    uint64_t n;
    CHECK_OK(bj_bt_count(&e->t, false, &n));
    CHECK_EQ(n, 20000);
    /* positions: ESE's fractional position of the middle key is about 1/2 */
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    bj_st64be(kb, 10000);
    CHECK_OK(bj_bt_seek(&c, kb, 8, BJ_BT_SEEK_EQ));
    uint64_t lt, total;
    CHECK_OK(bj_bt_get_position(&c, &lt, &total));
    double frac = (double)lt / (double)total;
    CHECK(frac > 0.4 && frac < 0.6);
    CHECK_OK(bj_bt_goto_position(&c, 1, 4));
    const uint8_t *k;
    CHECK_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
    uint64_t at = bj_ld64be(k);
    fprintf(stderr, "  position 1/4 -> key %llu\n", (unsigned long long)at);
    CHECK(at > 3500 && at < 6500); /* node counts per leaf vary (compressed pages hold more) */
    CHECK_OK(bj_bt_goto_position(&c, 0, 1));
    CHECK_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld64be(k), 0);
    CHECK_OK(bj_bt_goto_position(&c, 1, 1));
    CHECK_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld64be(k), 19999);
    bj_bt_cursor_close(&c);
    tenv_free(e);
}

/* Fill of every leaf but the last after ascending inserts at a density. */
static void density_run(uint32_t pct, double lo, double hi)
{
    tenv *e = tenv_new(4096, 128, 0);
    REQUIRE(e);
    if (pct)
        REQUIRE_OK(bj_bt_set_density(&e->t, pct));
    uint8_t kb[16], db[128];
    for (uint32_t i = 0; i < 8000; i++) {
        bj_st64be(kb, i);
        uint32_t cbD = 20 + i % 60;
        memset(db, (int)i, cbD);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 8, db, cbD, 0));
    }
    fillctx f = {.e = e, .minfill = 1.0, .skipFirst = true};
    CHECK_OK(bj_bt_walk_pages(&e->t, fill_fn, &f));
    fprintf(stderr, "  density %u: %u leaves, fill %.3f..%.3f\n", pct, f.leaves, f.minfill,
            f.maxfill);
    CHECK(f.leaves > 50);
    CHECK(f.minfill >= lo);
    CHECK(f.maxfill <= hi);
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    tenv_free(e);
}

TEST(density_of_ascending_inserts)
{
    /* ESE default 80%: (100-80)% of 4096 = 819 bytes stay free on every full leaf */
    density_run(0, 0.76, 0.80);
    density_run(50, 0.46, 0.50);
    tenv *e = tenv_new(4096, 16, 0);
    REQUIRE(e);
    CHECK_ERR(bj_bt_set_density(&e->t, 10), JET_errDensityInvalid);
    CHECK_ERR(bj_bt_set_density(&e->t, 101), JET_errDensityInvalid);
    CHECK_EQ(e->t.cbDensityFree, 819);
    CHECK_OK(bj_bt_set_density(&e->t, 100));
    CHECK_EQ(e->t.cbDensityFree, 0);
    tenv_free(e);
}

static uint32_t tree_pages(tenv *e)
{
    uint32_t cnt[2] = {0, 0};
    CHECK_OK(bj_bt_walk_pages(&e->t, depth_fn, cnt));
    return cnt[0];
}

/* Random deletes merge underfull leaves: the page count falls batch by batch, far below what
 * removing only empty pages would give, and the tree checks clean after every batch. */
TEST(merges_shrink_tree)
{
    tenv *e = tenv_new(4096, 256, 0);
    REQUIRE(e);
    const uint32_t n = 20000;
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t r = 99;
    for (uint32_t i = n - 1; i > 0; i--) {
        r = mix(r);
        uint32_t j = (uint32_t)(r % (i + 1)), x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
    }
    uint8_t kb[16], db[128];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t cbK = make_key(perm[i], 8, kb), cbD = make_data(perm[i], 1, 90, db);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, cbK, db, cbD, 0));
    }
    uint32_t p0 = tree_pages(e), prev = p0;
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    /* delete in a new random order, 10 batches of 9% */
    for (uint32_t b = 0; b < 10; b++) {
        for (uint32_t i = b * n * 9 / 100; i < (b + 1) * n * 9 / 100; i++) {
            uint32_t id = perm[(i * 7919u) % n];
            uint32_t cbK = make_key(id, 8, kb);
            JET_ERR err = bj_bt_delete(&e->t, kb, cbK);
            CHECK_OK(err);
            if (i % 97 == 0) /* a cursor walking while pages merge */
                (void)(bj_bt_move_next(&c) == JET_errNoCurrentRecord && bj_bt_move_first(&c));
        }
        uint32_t p = tree_pages(e);
        CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
        CHECK(p <= prev); /* early batches leave leaves over half full: nothing to merge yet */
        if (b == 9)
            CHECK(p < prev);
        prev = p;
        /* pages the allocator handed out = pages of the tree */
        uint32_t owned = 1;
        for (uint32_t q = 0; q < e->capuse; q++)
            owned += e->inuse[q];
        CHECK_EQ(p, owned);
    }
    uint64_t left;
    CHECK_OK(bj_bt_count(&e->t, true, &left));
    CHECK_EQ(left, n - n * 90 / 100);
    fprintf(stderr, "  pages %u -> %u for 10%% of the nodes\n", p0, prev);
    CHECK(prev * 4 < p0); /* empty-page removal alone keeps ~all pages at random 90% deletes */
    /* every remaining key is still there, in order */
    uint32_t seen = 0, last = 0;
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *k;
        REQUIRE_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
        CHECK(seen == 0 || bj_ld32be(k) > last);
        last = bj_ld32be(k);
        seen++;
    }
    CHECK_EQ(seen, left);
    bj_bt_cursor_close(&c);
    free(perm);
    tenv_free(e);
}

typedef struct pfxctx {
    tenv *e;
    uint32_t nodes, compressed, rootCompressed, prefixed;
} pfxctx;

static JET_ERR pfx_fn(void *ctx, uint32_t pgno, uint32_t pf)
{
    pfxctx *x = ctx;
    bj_frame *fr;
    JET_ERR err = bj_buf_get(x->e->db, pgno, BJ_LATCH_SHARED, &fr);
    if (err < 0)
        return err;
    const uint8_t *pg = bj_frame_data(fr);
    const uint8_t *p;
    uint32_t cbP = 0;
    if (!(pf & BJ_PGF_ROOT) && bj_page_get_prefix(pg, x->e->dbc.cbPage, &p, &cbP) >= 0 && cbP)
        x->prefixed++;
    for (uint32_t i = 1; i < bj_page_ntags(pg); i++) {
        bj_node n;
        if (bj_page_get_node(pg, x->e->dbc.cbPage, i, &n) < 0)
            continue;
        x->nodes++;
        if (n.flags & BJ_ND_COMPRESSED) {
            x->compressed++;
            if (pf & BJ_PGF_ROOT)
                x->rootCompressed++;
        }
    }
    bj_buf_release(fr);
    return JET_errSuccess;
}

/* Keys with a 40-byte common prefix (like normalised keys of one index segment): pages built by
 * splits put it in TAG 0 and store nodes compressed; everything reads back. */
static void prefix_run(bool common, pfxctx *x, uint32_t *ppages)
{
    tenv *e = tenv_new(4096, 256, 0);
    REQUIRE(e);
    const uint32_t n = 6000;
    uint8_t kb[64], db[64];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = (uint32_t)(mix(i) % 1000000007u);
        for (uint32_t b = 0; b < 40; b++)
            kb[b] = common ? (uint8_t)(0x7f - b) : (uint8_t)mix(id * 41 + b);
        bj_st32be(kb + 40, id);
        memset(db, (int)id, 24);
        JET_ERR err = bj_bt_insert(&e->t, kb, 44, db, 24, 0);
        CHECK(err == JET_errSuccess || err == JET_errKeyDuplicate);
    }
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    /* read back: scan in order, and every key by seek */
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    uint32_t seen = 0, bad = 0;
    uint8_t prevk[64];
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
        REQUIRE_OK(bj_bt_get(&c, &k, &cbK, &d, &cbD, NULL));
        if (cbK != 44 || cbD != 24 || d[0] != k[43] || (seen && memcmp(prevk, k, 44) >= 0))
            bad++;
        memcpy(prevk, k, 44);
        seen++;
    }
    for (uint32_t i = 0; i < n; i += 7) {
        uint32_t id = (uint32_t)(mix(i) % 1000000007u);
        for (uint32_t b = 0; b < 40; b++)
            kb[b] = common ? (uint8_t)(0x7f - b) : (uint8_t)mix(id * 41 + b);
        bj_st32be(kb + 40, id);
        const uint8_t *d;
        if (bj_bt_seek(&c, kb, 44, BJ_BT_SEEK_EQ) != JET_errSuccess ||
            bj_bt_get(&c, NULL, NULL, &d, NULL, NULL) < 0 || d[0] != (uint8_t)id)
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(seen > n * 99 / 100);
    bj_bt_cursor_close(&c);
    x->e = e;
    CHECK_OK(bj_bt_walk_pages(&e->t, pfx_fn, x));
    *ppages = tree_pages(e);
    tenv_free(e);
}

TEST(prefix_compressed_pages)
{
    pfxctx a = {0}, b = {0};
    uint32_t pa = 0, pb = 0;
    prefix_run(true, &a, &pa);
    prefix_run(false, &b, &pb);
    fprintf(stderr, "  common prefix: %u pages, %u/%u nodes compressed; random: %u pages\n", pa,
            a.compressed, a.nodes, pb);
    CHECK(a.compressed * 10 > a.nodes * 9);
    CHECK_EQ(a.rootCompressed, 0);
    CHECK(a.prefixed > 10);
    CHECK_EQ(b.compressed, 0);
    CHECK(pa * 10 < pb * 7); /* 40 of ~74 bytes per node saved */
}

TEST(cursor_stable_across_changes)
{
    tenv *e = tenv_new(4096, 128, 0);
    REQUIRE(e);
    uint8_t kb[16], db[200];
    memset(db, 7, sizeof(db));
    for (uint32_t i = 0; i < 4000; i += 2) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 4, db, 100, 0));
    }
    bj_bt_cursor c, c2;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c2));
    bj_st32be(kb, 2000);
    REQUIRE_OK(bj_bt_seek(&c, kb, 4, BJ_BT_SEEK_EQ));
    bj_st32be(kb, 3000);
    REQUIRE_OK(bj_bt_seek(&c2, kb, 4, BJ_BT_SEEK_EQ));
    /* its node and both neighbours go; odd keys around it come; many splits */
    for (uint32_t i = 1; i < 4000; i += 2) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 4, db, 150, 0));
    }
    for (uint32_t i = 1990; i <= 2010; i++) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_delete(&e->t, kb, 4));
    }
    const uint8_t *k;
    CHECK_ERR(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL), JET_errRecordDeleted);
    CHECK_OK(bj_bt_move_next(&c));
    CHECK_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 2011);
    CHECK_OK(bj_bt_move_prev(&c));
    CHECK_OK(bj_bt_get(&c, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 1989);
    /* c2's node survived the splits: neighbours are the new odd keys */
    CHECK_OK(bj_bt_get(&c2, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 3000);
    CHECK_OK(bj_bt_move_prev(&c2));
    CHECK_OK(bj_bt_get(&c2, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 2999);
    CHECK_OK(bj_bt_move_next(&c2));
    CHECK_OK(bj_bt_move_next(&c2));
    CHECK_OK(bj_bt_get(&c2, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 3001);
    /* delete whole leaves under a cursor: it continues after the gap */
    for (uint32_t i = 3002; i < 3900; i++) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_delete(&e->t, kb, 4));
    }
    CHECK_OK(bj_bt_move_next(&c2));
    CHECK_OK(bj_bt_get(&c2, &k, NULL, NULL, NULL, NULL));
    CHECK_EQ(bj_ld32be(k), 3900);
    CHECK(e->released > 0);
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    bj_bt_cursor_close(&c);
    bj_bt_cursor_close(&c2);
    tenv_free(e);
}

/* ---- concurrency ---- */

typedef struct thr {
    tenv *e;
    uint32_t id, n;
    JET_ERR err;
    uint32_t scans;
    _Atomic int *stop;
} thr;

static void *writer_main(void *p)
{
    thr *w = p;
    uint8_t kb[8], db[64];
    for (uint32_t i = 0; i < w->n && w->err >= 0; i++) {
        uint32_t v = (uint32_t)(mix(i) % 1000000) * 4 + w->id; /* disjoint by thread */
        bj_st32be(kb, v);
        bj_st32be(kb + 4, i);
        memset(db, (int)v, sizeof(db));
        JET_ERR err = bj_bt_insert(&w->e->t, kb, 8, db, 16 + v % 48, 0);
        if (err < 0)
            w->err = err;
    }
    return NULL;
}

static void *scanner_main(void *p)
{
    thr *s = p;
    bj_bt_cursor c;
    uint8_t prev[16];
    if ((s->err = bj_bt_cursor_open(&s->e->t, true, &c)) < 0)
        return NULL;
    while (!atomic_load(s->stop) && s->err >= 0) {
        uint32_t cbPrev = 0;
        JET_ERR err = bj_bt_move_first(&c);
        while (err >= 0) {
            const uint8_t *k;
            uint32_t cbK;
            err = bj_bt_get(&c, &k, &cbK, NULL, NULL, NULL);
            if (err < 0)
                break;
            if (cbPrev && bj_keycmp(prev, cbPrev, k, cbK) >= 0) {
                s->err = JET_errDatabaseCorrupted;
                break;
            }
            memcpy(prev, k, cbK);
            cbPrev = cbK;
            err = bj_bt_move_next(&c);
        }
        if (err != JET_errNoCurrentRecord && err != JET_errRecordNotFound && s->err >= 0)
            s->err = err;
        s->scans++;
    }
    bj_bt_cursor_close(&c);
    return NULL;
}

TEST(concurrent_writers_and_scanners)
{
    tenv *e = tenv_new(4096, 512, 0);
    REQUIRE(e);
    _Atomic int stop = 0;
    thr w[4], s[2];
    pthread_t tw[4], ts[2];
    for (uint32_t i = 0; i < 2; i++) {
        s[i] = (thr){.e = e, .stop = &stop};
        pthread_create(&ts[i], NULL, scanner_main, &s[i]);
    }
    for (uint32_t i = 0; i < 4; i++) {
        w[i] = (thr){.e = e, .id = i, .n = 6000};
        pthread_create(&tw[i], NULL, writer_main, &w[i]);
    }
    for (uint32_t i = 0; i < 4; i++) {
        pthread_join(tw[i], NULL);
        CHECK_OK(w[i].err);
    }
    atomic_store(&stop, 1);
    for (uint32_t i = 0; i < 2; i++) {
        pthread_join(ts[i], NULL);
        CHECK_OK(s[i].err);
        CHECK(s[i].scans > 0);
    }
    uint64_t n;
    CHECK_OK(bj_bt_count(&e->t, false, &n));
    CHECK_EQ(n, 24000);
    CHECK_OK(bj_bt_check(&e->t, tenv_report, NULL));
    CHECK(tree_depth(e) >= 3);
    tenv_free(e);
}

TEST(check_detects_corruption)
{
    tenv *e = tenv_new(4096, 128, 0);
    REQUIRE(e);
    uint8_t kb[8], db[100];
    memset(db, 1, sizeof(db));
    for (uint32_t i = 0; i < 2000; i++) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 4, db, 100, 0));
    }
    REQUIRE_OK(bj_bt_check(&e->t, NULL, NULL));
    /* break a leaf link behind the tree's back */
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    bj_st32be(kb, 1000);
    REQUIRE_OK(bj_bt_seek(&c, kb, 4, BJ_BT_SEEK_EQ));
    bj_frame *fr;
    REQUIRE_OK(bj_buf_get(e->db, c.pgno, BJ_LATCH_EXCLUSIVE, &fr));
    uint8_t *pg = bj_frame_data(fr);
    uint32_t oldNext = bj_page_next(pg);
    bj_st32(pg + BJ_PGHDR_IB_PGNONEXT, 1);
    bj_buf_dirty(fr, 0);
    bj_buf_release(fr);
    uint32_t faults = 0;
    CHECK_ERR(bj_bt_check(&e->t, NULL, NULL), JET_errDatabaseCorrupted);
    REQUIRE_OK(bj_buf_get(e->db, c.pgno, BJ_LATCH_EXCLUSIVE, &fr));
    pg = bj_frame_data(fr);
    bj_st32(pg + BJ_PGHDR_IB_PGNONEXT, oldNext);
    /* wrong objid */
    bj_st32(pg + BJ_PGHDR_IB_OBJID, 43);
    bj_buf_dirty(fr, 0);
    bj_buf_release(fr);
    CHECK_ERR(bj_bt_check(&e->t, NULL, NULL), JET_errDatabaseCorrupted);
    (void)faults;
    bj_bt_cursor_close(&c);
    tenv_free(e);
}

static void set_links(tenv *e, uint32_t pgno, uint32_t prev, uint32_t next)
{
    bj_frame *fr;
    REQUIRE_OK(bj_buf_get(e->db, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    bj_st32(bj_frame_data(fr) + BJ_PGHDR_IB_PGNOPREV, prev);
    bj_st32(bj_frame_data(fr) + BJ_PGHDR_IB_PGNONEXT, next);
    bj_buf_dirty(fr, 0);
    bj_buf_release(fr);
}

/* Found reviewing the walks fuzz_file bounds: a loop in the leaf chain whose links agree
 * (A.next = B, B.next = A, A.prev = B, B.prev = A) made walks endless: bj_bt_count ran on, and
 * every JetMove returned a row, so a scan never ended. Moves that cross leaves now require tree
 * order and links that agree, and no walk crosses more leaves than the file has pages. */
TEST(leaf_chain_loop_is_corruption)
{
    tenv *e = tenv_new(4096, 128, 0);
    REQUIRE(e);
    uint8_t kb[8], db[100];
    memset(db, 1, sizeof(db));
    for (uint32_t i = 0; i < 2000; i++) {
        bj_st32be(kb, i);
        REQUIRE_OK(bj_bt_insert(&e->t, kb, 4, db, 100, 0));
    }
    uint64_t n = 0;
    REQUIRE_OK(bj_bt_count(&e->t, false, &n));
    CHECK_EQ(n, 2000);
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&e->t, true, &c));
    REQUIRE_OK(bj_bt_move_first(&c));
    uint32_t a = c.pgno, b;
    bj_frame *fr;
    REQUIRE_OK(bj_buf_get(e->db, a, BJ_LATCH_SHARED, &fr));
    b = bj_page_next(bj_frame_data(fr));
    bj_buf_release(fr);
    REQUIRE(b != 0);
    set_links(e, a, b, b);
    set_links(e, b, a, a);
    CHECK_ERR(bj_bt_count(&e->t, false, &n), JET_errDatabaseCorrupted);
    CHECK_ERR(bj_bt_check(&e->t, NULL, NULL), JET_errDatabaseCorrupted);
    /* forward: the walk ends with an error within the rows of the two leaves */
    JET_ERR err = bj_bt_move_first(&c);
    uint32_t moves = 0;
    while (err >= 0 && moves < 5000) {
        err = bj_bt_move_next(&c);
        moves++;
    }
    CHECK_ERR(err, JET_errDatabaseCorrupted);
    CHECK(moves < 200);
    /* backward from b (its prev a, whose prev is b again) */
    bj_st32be(kb, 0);
    REQUIRE_OK(bj_bt_seek(&c, kb, 4, BJ_BT_SEEK_EQ));
    err = bj_bt_move_next(&c);
    while (err >= 0 && c.pgno == a)
        err = bj_bt_move_next(&c);
    REQUIRE_OK(err); /* on the first row of b */
    moves = 0;
    while (err >= 0 && moves < 5000) {
        err = bj_bt_move_prev(&c);
        moves++;
    }
    CHECK_ERR(err, JET_errDatabaseCorrupted);
    CHECK(moves < 200);
    /* a leaf whose next is itself */
    set_links(e, a, 0, a);
    CHECK_ERR(bj_bt_count(&e->t, false, &n), JET_errDatabaseCorrupted);
    REQUIRE_OK(bj_bt_move_first(&c));
    for (err = 0, moves = 0; err >= 0 && moves < 5000; moves++)
        err = bj_bt_move_next(&c);
    CHECK_ERR(err, JET_errDatabaseCorrupted);
    bj_bt_cursor_close(&c);
    tenv_free(e);
}

static bool pred_deleted(void *ctx, uint8_t nflags)
{
    (*(int *)ctx)++;
    return (nflags & BJ_ND_DELETED) != 0;
}

TEST(conditional_delete_checks_under_the_latch)
{
    tenv *e = tenv_new(4096, 64, 0);
    REQUIRE(e);
    bj_bt_tree *t = &e->t;
    int calls = 0;
    bool deleted = true;
    CHECK_OK(bj_bt_insert(t, (const uint8_t *)"k", 1, (const uint8_t *)"v", 1, BJ_ND_VERSION));
    /* live node: the predicate refuses, the node stays */
    CHECK_OK(bj_bt_delete_kd_if(t, (const uint8_t *)"k", 1, NULL, 0, pred_deleted, &calls,
                                &deleted));
    CHECK(!deleted);
    CHECK_EQ(calls, 1);
    CHECK_ERR(bj_bt_insert(t, (const uint8_t *)"k", 1, (const uint8_t *)"x", 1, 0),
              JET_errKeyDuplicate);
    /* flag-deleted: removed */
    CHECK_OK(bj_bt_set_flags(t, (const uint8_t *)"k", 1, BJ_ND_VERSION | BJ_ND_DELETED));
    CHECK_OK(bj_bt_delete_kd_if(t, (const uint8_t *)"k", 1, NULL, 0, pred_deleted, &calls,
                                &deleted));
    CHECK(deleted);
    CHECK_EQ(calls, 2);
    /* absent: RecordNotFound, predicate not asked */
    CHECK_ERR(bj_bt_delete_kd_if(t, (const uint8_t *)"k", 1, NULL, 0, pred_deleted, &calls,
                                 &deleted),
              JET_errRecordNotFound);
    CHECK(!deleted);
    CHECK_EQ(calls, 2);
    CHECK_OK(bj_bt_insert(t, (const uint8_t *)"k", 1, (const uint8_t *)"y", 1, 0));
    tenv_free(e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
