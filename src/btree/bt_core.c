/* bt_core.c: tree handles, the dbtime counter, page access and descent for every other btree
 * file.
 *
 * Concurrency protocol (binding for all of src/btree):
 *  - t->smo is a writer-preferring pthread rwlock. Every public call takes it shared for its
 *    duration (reads and leaf writes that fit); splits and empty-page removals take it
 *    exclusive (bt_split.c) after releasing every latch and the shared hold.
 *  - Internal pages, leaf links and page allocation change only under the exclusive lock. So a
 *    shared holder descends latching one internal page at a time, shared, with no coupling:
 *    nothing it reads there can change while it holds the lock.
 *  - Leaves: shared latch to read, exclusive to write. Latch order: top-down, then left to
 *    right among siblings (a cursor moving left releases its page before latching the left
 *    neighbour: the link cannot change under the shared lock).
 *  - No latch and no lock is held when a call returns.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "btree/bt_int.h"

void bj_bt_dbctx_init(bj_bt_dbctx *ctx, bj_buf_db *db, uint32_t cbPage, uint64_t dbtimeLast)
{
    ctx->db = db;
    ctx->cbPage = cbPage;
    atomic_store(&ctx->dbtime, dbtimeLast);
}

uint64_t bj_bt_dbctx_dbtime(bj_bt_dbctx *ctx)
{
    return atomic_load(&ctx->dbtime);
}

uint32_t bj_bt_key_most(uint32_t cbPage)
{
    uint32_t k = cbPage / 4 - 24;
    return k > 2000 ? 2000 : k;
}

uint32_t bt_node_size(const bj_bt_tree *t, uint32_t cbKey, uint32_t cbData)
{
    BJ_UNUSED(t);
    return BJ_ND_CB_KEYLEN + cbKey + cbData + BJ_TAG_CB;
}

uint32_t bt_capacity(const bj_bt_tree *t, bool root, uint32_t cbExt)
{
    uint32_t cbPage = bt_cbpage(t);
    return cbPage - bj_page_hdr_size(cbPage) - BJ_TAG_CB - (root ? cbExt : 0);
}

uint32_t bj_bt_data_most(uint32_t cbPage, uint32_t cbKey)
{
    /* must fit alone on an empty non-root page */
    uint32_t cap = cbPage - bj_page_hdr_size(cbPage) - BJ_TAG_CB;
    uint32_t over = BJ_ND_CB_KEYLEN + cbKey + BJ_TAG_CB;
    return cap > over ? cap - over : 0;
}

static void bt_rwlock_init(pthread_rwlock_t *l)
{
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(l, &a);
    pthread_rwlockattr_destroy(&a);
}

JET_ERR bj_bt_create(bj_bt_dbctx *dbc, uint32_t pgnoRoot, uint32_t objid, uint32_t flags,
                     const uint8_t *ext, uint32_t cbExt)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bj_bt_tree t = {.dbc = dbc, .pgnoRoot = pgnoRoot, .objid = objid, .flags = flags};
    if (pgnoRoot == 0 || objid == 0 || cbExt > 64 || (cbExt && !ext))
        ERR(JET_errInvalidParameter);
    CALL(bj_buf_new(dbc->db, pgnoRoot, &fr));
    CALL(bt_op_init(&t, fr, bt_base_flags(&t) | BJ_PGF_ROOT | BJ_PGF_LEAF, 0, 0, ext, cbExt));
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

JET_ERR bj_bt_open(bj_bt_tree *t, bj_bt_dbctx *dbc, uint32_t pgnoRoot, uint32_t objid,
                   uint32_t flags, const bj_bt_alloc *alloc)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    memset(t, 0, sizeof(*t));
    t->dbc = dbc;
    t->pgnoRoot = pgnoRoot;
    if (alloc)
        t->alloc = *alloc;
    if (pgnoRoot == 0)
        ERR(JET_errInvalidParameter);
    CALL(bj_buf_get(dbc->db, pgnoRoot, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t pf = bj_page_flags(pg);
    if (!(pf & BJ_PGF_ROOT) || (pf & (BJ_PGF_EMPTY | BJ_PGF_PREINIT)))
        ERR(JET_errDatabaseCorrupted);
    if (objid == 0)
        objid = bj_page_objid(pg);
    if (bj_page_objid(pg) != objid)
        ERR(JET_errDatabaseCorrupted);
    t->objid = objid;
    t->flags = flags == ~0u ? (pf & BJ_BT_KIND_MASK) : (flags & BJ_BT_KIND_MASK);
    CALL(bj_bt_set_density(t, (t->flags & (BJ_BT_SPACE_TREE | BJ_BT_LONG_VALUE))
                                  ? BJ_BT_DENSITY_MOST
                                  : BJ_BT_DENSITY_DEFAULT));
    bt_rwlock_init(&t->smo);
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

JET_ERR bj_bt_set_density(bj_bt_tree *t, uint32_t pct)
{
    if (pct == 0)
        pct = BJ_BT_DENSITY_DEFAULT;
    if (pct < BJ_BT_DENSITY_LEAST || pct > BJ_BT_DENSITY_MOST)
        return BJ_ERR(JET_errDensityInvalid);
    t->cbDensityFree = (100 - pct) * bt_cbpage(t) / 100;
    return JET_errSuccess;
}

uint32_t bt_node_cost(const bj_bt_tree *t, const uint8_t *pg, const uint8_t *key, uint32_t cbKey,
                      uint32_t cbData)
{
    const uint8_t *p;
    uint32_t cbP = 0, n = 0;
    if (!(bj_page_flags(pg) & BJ_PGF_ROOT) && bj_page_get_prefix(pg, bt_cbpage(t), &p, &cbP) >= 0) {
        uint32_t m = cbP < cbKey ? cbP : cbKey;
        while (n < m && p[n] == key[n])
            n++;
    }
    uint32_t cost = bt_node_size(t, cbKey, cbData);
    return n >= BJ_ND_PREFIX_MIN ? cost - n + BJ_ND_CB_KEYLEN : cost;
}

bool bt_density_append(const bj_bt_tree *t, const uint8_t *pg, uint32_t itag, const bt_kd *kd)
{
    if (t->cbDensityFree == 0 || (t->flags & BJ_BT_SPACE_TREE) || bj_page_next(pg) != 0 ||
        itag != bj_page_ntags(pg) || itag == 1)
        return false; /* an empty page keeps what it gets: nothing to leave behind */
    uint32_t need = bt_node_cost(t, pg, kd->key, kd->cbKey, kd->cbData) + t->cbDensityFree;
    return bj_page_cbfree(pg) < need;
}

void bj_bt_close(bj_bt_tree *t)
{
    if (t && t->dbc)
        pthread_rwlock_destroy(&t->smo);
}

JET_ERR bt_get(bj_bt_tree *t, uint32_t pgno, bj_latch mode, bj_frame **out)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    *out = NULL;
    if (pgno == 0)
        ERR(JET_errDatabaseCorrupted);
    CALL(bj_buf_get(t->dbc->db, pgno, mode, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    if (bj_page_objid(pg) != t->objid ||
        (bj_page_flags(pg) & (BJ_PGF_EMPTY | BJ_PGF_PREINIT | BJ_PGF_REPAIR)) ||
        ((bj_page_flags(pg) & BJ_PGF_ROOT) != 0) != (pgno == t->pgnoRoot))
        ERR(JET_errDatabaseCorrupted);
    *out = fr;
    fr = NULL;
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Fast key access for the unique-tree searches (the seek path): the page facts are decoded
 * once per page, and each probe reads a TAG and the node's key lengths with bounds checks
 * that are plain arithmetic (same checks as bj_page_get_node: TAG inside the data area, key
 * lengths inside the node, prefix inside TAG 0), no call per probe. */
typedef struct bt_pv {
    const uint8_t *pg, *area, *pre;
    uint32_t cbPage, mask, limit, cbPre, ntags;
    bool large, rootNoPrefix;
} bt_pv;

static JET_ERR bt_pv_init(bt_pv *v, const uint8_t *pg, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    uint32_t hdr = bj_page_hdr_size(cbPage), pf = bj_page_flags(pg);
    v->pg = pg;
    v->cbPage = cbPage;
    v->large = bj_page_is_large(cbPage);
    v->mask = v->large ? BJ_TAG_MASK_LARGE : BJ_TAG_MASK_SMALL;
    v->ntags = bj_page_ntags(pg);
    if (v->ntags < 1 || hdr + BJ_TAG_CB * v->ntags > cbPage)
        ERR(JET_errDatabaseCorrupted);
    v->area = pg + hdr;
    v->limit = cbPage - hdr - BJ_TAG_CB * v->ntags;
    v->rootNoPrefix = (pf & BJ_PGF_ROOT) && !(pf & BJ_PGF_SPACE_TREE);
    CALL(bj_page_get_prefix(pg, cbPage, &v->pre, &v->cbPre));
fail:
    return err;
}

/* memcmp's sign for the short keys of searches, without the library call: 8 bytes at a time
 * as big-endian words (their order is the bytes' order). */
static inline int bt_bytecmp(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    if (n > 32)
        return memcmp(a, b, n);
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x = bj_ld64be(a), y = bj_ld64be(b);
        if (x != y)
            return x < y ? -1 : 1;
    }
    for (; n; a++, b++, n--)
        if (*a != *b)
            return *a < *b ? -1 : 1;
    return 0;
}

/* bj_keycmp with bt_bytecmp. */
static inline int bt_keycmp(const uint8_t *a, uint32_t cba, const uint8_t *b, uint32_t cbb)
{
    int c = bt_bytecmp(a, b, cba < cbb ? cba : cbb);
    if (c)
        return c;
    return cba < cbb ? -1 : (cba > cbb ? 1 : 0);
}

/* Node itag's key vs key (memcmp-then-length); *pbad on a malformed node. */
static inline int bt_pv_keycmp(const bt_pv *v, uint32_t itag, const uint8_t *key, uint32_t cbKey,
                               bool *pbad)
{
    const uint8_t *t = v->pg + v->cbPage - BJ_TAG_CB * (itag + 1);
    uint32_t cb = bj_ld16(t + BJ_TAG_IB_CB) & v->mask, ibRaw = bj_ld16(t + BJ_TAG_IB_IB);
    uint32_t ib = ibRaw & v->mask;
    if (ib + cb > v->limit || cb < BJ_ND_CB_KEYLEN) {
        *pbad = true;
        return 0;
    }
    const uint8_t *nd = v->area + ib;
    uint32_t flags = (v->large ? bj_ld16(nd) : ibRaw) >> BJ_TAG_FLAGS_SHIFT, off = 0, cbP = 0;
    if (flags & BJ_ND_COMPRESSED) {
        if (cb < 2 * BJ_ND_CB_KEYLEN) {
            *pbad = true;
            return 0;
        }
        cbP = bj_ld16(nd) & BJ_ND_KEYLEN_MASK;
        off = BJ_ND_CB_KEYLEN;
        if (v->rootNoPrefix)
            cbP = 0;
        else if (cbP > v->cbPre) {
            *pbad = true;
            return 0;
        }
    }
    uint32_t cbS = bj_ld16(nd + off) & BJ_ND_KEYLEN_MASK;
    off += BJ_ND_CB_KEYLEN;
    if (off + cbS > cb) {
        *pbad = true;
        return 0;
    }
    const uint8_t *suf = nd + off;
    if (cbP) {
        uint32_t m = cbP < cbKey ? cbP : cbKey;
        int c = bt_bytecmp(v->pre, key, m);
        if (c)
            return c;
        if (cbKey <= cbP)
            return (cbKey < cbP || cbS > 0) ? 1 : 0;
        key += cbP;
        cbKey -= cbP;
    }
    return bt_keycmp(suf, cbS, key, cbKey);
}

JET_ERR bt_search_leaf(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                       uint32_t *pitag, bool *pfound)
{
    JET_ERR err = JET_errSuccess;
    bt_pv v;
    bool bad = false;
    CALL(bt_pv_init(&v, pg, cbPage));
    uint32_t lo = 1, hi = v.ntags; /* answer in [lo, hi] */
    *pfound = false;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = bt_pv_keycmp(&v, mid, key, cbKey, &bad);
        if (bad)
            ERR(JET_errDatabaseCorrupted);
        if (c < 0) {
            lo = mid + 1;
        } else {
            if (c == 0)
                *pfound = true;
            hi = mid;
        }
    }
    *pitag = lo;
fail:
    return err;
}

JET_ERR bt_search_internal(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                           uint32_t *pitag)
{
    JET_ERR err = JET_errSuccess;
    bt_pv v;
    bool bad = false;
    CALL(bt_pv_init(&v, pg, cbPage));
    if (v.ntags < 2)
        ERR(JET_errDatabaseCorrupted);
    /* first node among 1..ntags-2 whose separator is > key; else the last node */
    uint32_t lo = 1, hi = v.ntags - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = bt_pv_keycmp(&v, mid, key, cbKey, &bad);
        if (bad)
            ERR(JET_errDatabaseCorrupted);
        if (c <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pitag = lo;
fail:
    return err;
}

/* Non-unique leaf order: node vs bm (see bt_bm). */
static inline int nu_leaf_cmp(const bj_node *n, const bt_bm *bm)
{
    int c = bj_node_keycmp(n, bm->key, bm->cbKey);
    if (c == 0) {
        if (bm->how == BT_BM_KD)
            c = bj_keycmp(n->data, n->cbData, bm->data, bm->cbData);
        else if (bm->how == BT_BM_KEY_HI)
            c = -1;
    }
    return c;
}

/* The node's key (prefix || suffix) against a || b, memcmp-then-length (CmpKeyWithKeyData).
 * *pstarts: the node's key begins with a (a's bytes all matched). */
static int nu_sep_cmp(const bj_node *n, const uint8_t *a, uint32_t ca, const uint8_t *b,
                      uint32_t cb, bool *pstarts)
{
    const uint8_t *xs[2] = {n->prefix, n->suffix}, *ys[2] = {a, b};
    uint32_t xl[2] = {n->cbPrefix, n->cbSuffix}, yl[2] = {ca, cb};
    uint32_t i = 0, j = 0, oi = 0, oj = 0, done = 0;
    *pstarts = false;
    for (;;) {
        while (i < 2 && oi == xl[i]) {
            i++;
            oi = 0;
        }
        while (j < 2 && oj == yl[j]) {
            j++;
            oj = 0;
        }
        if (done >= ca)
            *pstarts = true;
        if (i == 2 || j == 2)
            break;
        uint32_t m = xl[i] - oi < yl[j] - oj ? xl[i] - oi : yl[j] - oj;
        int c = memcmp(xs[i] + oi, ys[j] + oj, m);
        if (c)
            return c;
        oi += m;
        oj += m;
        done += m;
    }
    uint64_t lx = (uint64_t)xl[0] + xl[1], ly = (uint64_t)ca + cb;
    return lx < ly ? -1 : (lx > ly ? 1 : 0);
}

JET_ERR bt_search_leaf_bm(const bj_bt_tree *t, const uint8_t *pg, const bt_bm *bm, uint32_t *pitag,
                          bool *pfound)
{
    JET_ERR err = JET_errSuccess;
    if (!bt_nu(t))
        return bt_search_leaf(pg, bt_cbpage(t), bm->key, bm->cbKey, pitag, pfound);
    uint32_t cbPage = bt_cbpage(t);
    uint32_t lo = 1, hi = bj_page_ntags(pg);
    int cAtHi = 1;
    bj_node n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        CALL(bj_page_get_node(pg, cbPage, mid, &n));
        int c = nu_leaf_cmp(&n, bm);
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
            cAtHi = c;
        }
    }
    *pitag = lo;
    *pfound = lo < bj_page_ntags(pg) && cAtHi == 0 && bm->how != BT_BM_KEY_HI;
fail:
    return err;
}

JET_ERR bt_search_internal_bm(const bj_bt_tree *t, const uint8_t *pg, const bt_bm *bm,
                              uint32_t *pitag)
{
    JET_ERR err = JET_errSuccess;
    if (!bt_nu(t))
        return bt_search_internal(pg, bt_cbpage(t), bm->key, bm->cbKey, pitag);
    uint32_t cbPage = bt_cbpage(t), ntags = bj_page_ntags(pg);
    bj_node n;
    if (ntags < 2)
        ERR(JET_errDatabaseCorrupted);
    /* first separator > target, else the last node; KEY_HI: a separator that begins with the
     * key is still <= every (key, data) */
    uint32_t lo = 1, hi = ntags - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        CALL(bj_page_get_node(pg, cbPage, mid, &n));
        bool starts;
        int c = bm->how == BT_BM_KD
                    ? nu_sep_cmp(&n, bm->key, bm->cbKey, bm->data, bm->cbData, &starts)
                    : nu_sep_cmp(&n, bm->key, bm->cbKey, NULL, 0, &starts);
        if (bm->how == BT_BM_KEY_HI && starts)
            c = 0;
        if (c <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pitag = lo;
fail:
    return err;
}

JET_ERR bt_child(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint32_t *ppgno)
{
    JET_ERR err = JET_errSuccess;
    bj_node n;
    CALL(bj_page_get_node(pg, cbPage, itag, &n));
    if (n.cbData != 4 || bj_ld32(n.data) == 0)
        ERR(JET_errDatabaseCorrupted);
    *ppgno = bj_ld32(n.data);
fail:
    return err;
}

JET_ERR bt_descend(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, int dir, bj_latch mode,
                   bt_path *path, bj_frame **pleaf)
{
    bt_bm bm = {key, cbKey, NULL, 0, BT_BM_KEY_LO};
    return bt_descend_bm(t, &bm, dir, mode, path, pleaf);
}

JET_ERR bt_descend_bm(bj_bt_tree *t, const bt_bm *bm, int dir, bj_latch mode, bt_path *path,
                      bj_frame **pleaf)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t cbPage = bt_cbpage(t);
    uint32_t pgno = t->pgnoRoot;
    uint32_t depth = 0;
    bj_latch m = BJ_LATCH_SHARED; /* the root: shared, re-latched below if it is a leaf */
    *pleaf = NULL;
    for (;;) {
        if (depth >= BT_DEPTH_MAX)
            ERR(JET_errDatabaseCorrupted);
        /* internal pages shared; the child of a parent-of-leaf page in the leaf mode; a root
         * leaf taken shared is re-latched in mode (it stays a leaf: only the exclusive lock
         * turns a root leaf into an internal page) */
        CALL(bt_get(t, pgno, m, &fr));
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t itag;
        if (bt_is_leaf(pg) && m != mode) {
            bj_buf_release(fr);
            fr = NULL;
            CALL(bt_get(t, pgno, mode, &fr));
            pg = bj_frame_data(fr);
            if (!bt_is_leaf(pg))
                ERR(JET_errDatabaseCorrupted);
        }
        if (bt_is_leaf(pg)) {
            if (path) {
                path->lv[depth].pgno = pgno;
                path->lv[depth].itag = 0;
                path->depth = depth + 1;
            }
            *pleaf = fr;
            return JET_errSuccess;
        }
        if (bj_page_prev(pg) || bj_page_next(pg))
            ERR(JET_errDatabaseCorrupted);
        if (dir < 0) {
            if (bj_page_ntags(pg) < 2)
                ERR(JET_errDatabaseCorrupted);
            itag = 1;
        } else if (dir > 0) {
            if (bj_page_ntags(pg) < 2)
                ERR(JET_errDatabaseCorrupted);
            itag = bj_page_ntags(pg) - 1;
        } else {
            CALL(bt_search_internal_bm(t, pg, bm, &itag));
        }
        uint32_t child = 0;
        CALL(bt_child(pg, cbPage, itag, &child));
        if (path) {
            path->lv[depth].pgno = pgno;
            path->lv[depth].itag = itag;
        }
        m = (bj_page_flags(pg) & BJ_PGF_PARENT_OF_LEAF) ? mode : BJ_LATCH_SHARED;
        bj_buf_release(fr);
        fr = NULL;
        pgno = child;
        depth++;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

JET_ERR bt_copy_node(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint8_t *buf,
                     uint32_t *pused, bt_kd *out)
{
    JET_ERR err = JET_errSuccess;
    bj_node n;
    CALL(bj_page_get_node(pg, cbPage, itag, &n));
    uint32_t cbKey = bj_node_key_len(&n);
    uint8_t *p = buf + *pused;
    bj_node_copy_key(&n, p);
    if (n.cbData)
        memcpy(p + cbKey, n.data, n.cbData);
    out->key = p;
    out->cbKey = cbKey;
    out->data = p + cbKey;
    out->cbData = n.cbData;
    out->flags = n.flags & (BJ_ND_VERSION | BJ_ND_DELETED);
    *pused += cbKey + n.cbData;
fail:
    return err;
}
