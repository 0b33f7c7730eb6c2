/* bt_check.c: whole-tree validation (bj_bt_check, for `bluejet check`) and page enumeration
 * (bj_bt_walk_pages, for the space accounting check).
 *
 * bj_bt_check walks the tree depth-first from the root, carrying the key range [lo, hi) each
 * page must respect (lo inclusive: a separator equals the first key of its right child; hi
 * exclusive). It reports every fault it finds through the callback and keeps going where it
 * can; pages are read with shared latches under the tree lock held shared. A page reached
 * twice is reported and not walked again. The leaf chain is compared with the leaf order
 * the walk produced.
 */
#include <stdarg.h>
#include <stdio.h>

#include "btree/bt_int.h"
#include "os/os.h"

typedef struct bt_chk {
    bj_bt_tree *t;
    bj_bt_report_fn fn;
    void *ctx;
    uint32_t faults;
    uint8_t *seen; /* bitmap by pgno */
    uint32_t cpgSeen;
    uint32_t *leaves; /* (pgno, prev, next) triples in walk order */
    uint32_t cleaves, capLeaves;
    int32_t leafDepth; /* -1 until the first leaf */
} bt_chk;

static void chk_fault(bt_chk *k, uint32_t pgno, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    k->faults++;
    if (k->fn)
        k->fn(k->ctx, pgno, msg);
}

static JET_ERR chk_add_leaf(bt_chk *k, uint32_t pgno, uint32_t prev, uint32_t next)
{
    if (k->cleaves == k->capLeaves) {
        uint32_t cap = k->capLeaves ? 2 * k->capLeaves : 64;
        uint32_t *a = bj_realloc(k->leaves, (size_t)cap * 3 * sizeof(uint32_t));
        if (!a)
            return BJ_ERR(JET_errOutOfMemory);
        k->leaves = a;
        k->capLeaves = cap;
    }
    k->leaves[3 * k->cleaves] = pgno;
    k->leaves[3 * k->cleaves + 1] = prev;
    k->leaves[3 * k->cleaves + 2] = next;
    k->cleaves++;
    return JET_errSuccess;
}

/* Checks the subtree at pgno; keys must be in [lo, hi) (NULL = unbounded). expectLeaf: 1 the
 * page must be a leaf, 0 must not, -1 either (the root). */
static JET_ERR chk_page(bt_chk *k, uint32_t pgno, const uint8_t *lo, uint32_t cbLo,
                        const uint8_t *hi, uint32_t cbHi, uint32_t depth, int expectLeaf)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree *t = k->t;
    uint32_t cbPage = bt_cbpage(t);
    bj_frame *fr = NULL;
    uint8_t *keys = NULL;
    uint32_t *children = NULL;
    if (depth >= BT_DEPTH_MAX) {
        chk_fault(k, pgno, "tree deeper than %u levels", BT_DEPTH_MAX);
        return JET_errSuccess;
    }
    if (pgno == 0 || pgno > k->cpgSeen) {
        chk_fault(k, pgno, "page number %u outside the database", pgno);
        return JET_errSuccess;
    }
    if (k->seen[pgno / 8] & (1u << (pgno % 8))) {
        chk_fault(k, pgno, "page %u reached twice", pgno);
        return JET_errSuccess;
    }
    k->seen[pgno / 8] |= (uint8_t)(1u << (pgno % 8));
    err = bj_buf_get(t->dbc->db, pgno, BJ_LATCH_SHARED, &fr);
    if (err < 0) {
        chk_fault(k, pgno, "page %u unreadable (%d)", pgno, err);
        fr = NULL;
        err = JET_errSuccess;
        goto fail;
    }
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t pf = bj_page_flags(pg);
    bool leaf = (pf & BJ_PGF_LEAF) != 0;
    if (bj_page_check_structure(pg, cbPage) < 0) {
        chk_fault(k, pgno, "page %u: bad page structure", pgno);
        goto fail;
    }
    if (bj_page_objid(pg) != t->objid)
        chk_fault(k, pgno, "page %u: objid %u, tree objid %u", pgno, bj_page_objid(pg), t->objid);
    if (((pf & BJ_PGF_ROOT) != 0) != (pgno == t->pgnoRoot))
        chk_fault(k, pgno, "page %u: root flag wrong", pgno);
    if (pf & (BJ_PGF_EMPTY | BJ_PGF_PREINIT | BJ_PGF_REPAIR | BJ_PGF_FDP_DELETE))
        chk_fault(k, pgno, "page %u: flags 0x%x not allowed in a tree", pgno, pf);
    if ((pf & BJ_BT_KIND_MASK) != (t->flags & BJ_BT_KIND_MASK))
        chk_fault(k, pgno, "page %u: kind flags 0x%x, tree 0x%x", pgno, pf & BJ_BT_KIND_MASK,
                  t->flags & BJ_BT_KIND_MASK);
    if (expectLeaf >= 0 && leaf != (expectLeaf == 1))
        chk_fault(k, pgno, "page %u: leaf flag does not match its level", pgno);
    if (leaf && (pf & BJ_PGF_PARENT_OF_LEAF))
        chk_fault(k, pgno, "page %u: leaf and parent-of-leaf", pgno);
    uint32_t n = bt_nnodes(pg);
    keys = bj_malloc(2 * (size_t)cbPage);
    children = bj_calloc(n + 1, sizeof(uint32_t));
    if (!keys || !children)
        ERR(JET_errOutOfMemory);
    /* keys[0..cbPage) = previous key, keys[cbPage..) = current */
    uint8_t *prevKey = keys, *curKey = keys + cbPage;
    uint32_t cbPrev = 0, cbPrevKey = 0;
    bool havePrev = false;
    for (uint32_t i = 1; i <= n; i++) {
        bj_node nd;
        if (bj_page_get_node(pg, cbPage, i, &nd) < 0) {
            chk_fault(k, pgno, "page %u node %u unreadable", pgno, i);
            goto fail;
        }
        uint32_t cbKey = bj_node_key_len(&nd);
        if (cbKey + nd.cbData > cbPage) {
            chk_fault(k, pgno, "page %u node %u: key too long", pgno, i);
            goto fail;
        }
        bool lastInternal = !leaf && i == n;
        if (lastInternal && cbKey == 0)
            continue; /* +infinity */
        if (!leaf && cbKey == 0)
            chk_fault(k, pgno, "page %u node %u: empty separator before the last", pgno, i);
        /* non-unique trees (ESE): equal keys allowed, ordered by data; bounds compare the
         * separator with key || data (ESE's separators there may carry data bytes) */
        bool nu = leaf && bt_nu(t);
        uint32_t cbFull = cbKey + (nu ? nd.cbData : 0);
        bj_node_copy_key(&nd, curKey);
        if (nu && nd.cbData)
            memcpy(curKey + cbKey, nd.data, nd.cbData);
        if (havePrev) {
            int c = bj_keycmp(curKey, cbKey, prevKey, cbPrevKey);
            if (nu && c == 0)
                c = bj_keycmp(curKey + cbKey, cbFull - cbKey, prevKey + cbPrevKey,
                              cbPrev - cbPrevKey);
            if (c <= 0)
                chk_fault(k, pgno, "page %u node %u: key not greater than the previous", pgno, i);
        }
        if (lo && bj_keycmp(curKey, cbFull, lo, cbLo) < (leaf ? 0 : 1))
            chk_fault(k, pgno, "page %u node %u: key below the page's range", pgno, i);
        if (hi && bj_keycmp(curKey, cbFull, hi, cbHi) > (leaf ? -1 : 0))
            chk_fault(k, pgno, "page %u node %u: key not below the page's bound", pgno, i);
        uint8_t *tmp = prevKey;
        prevKey = curKey;
        curKey = tmp;
        cbPrev = cbFull;
        cbPrevKey = cbKey;
        havePrev = true;
    }
    if (leaf) {
        if (k->leafDepth < 0)
            k->leafDepth = (int32_t)depth;
        else if (k->leafDepth != (int32_t)depth)
            chk_fault(k, pgno, "page %u: leaf at depth %u, others at %d", pgno, depth,
                      k->leafDepth);
        CALL(chk_add_leaf(k, pgno, bj_page_prev(pg), bj_page_next(pg)));
        goto fail;
    }
    if (bj_page_prev(pg) || bj_page_next(pg))
        chk_fault(k, pgno, "internal page %u has sibling links", pgno);
    if (n == 0) {
        chk_fault(k, pgno, "internal page %u has no nodes", pgno);
        goto fail;
    }
    /* children: copy what we need, release the page, then recurse (top-down, one latch) */
    uint32_t cbKeys = 0;
    uint8_t *sepBuf = bj_malloc((size_t)cbPage + 8);
    uint32_t *sepOff = bj_calloc(n + 2, sizeof(uint32_t));
    if (!sepBuf || !sepOff) {
        bj_free(sepBuf);
        bj_free(sepOff);
        ERR(JET_errOutOfMemory);
    }
    for (uint32_t i = 1; i <= n; i++) {
        bj_node nd;
        bj_page_get_node(pg, cbPage, i, &nd); /* read fine above */
        sepOff[i - 1] = cbKeys;
        uint32_t cbKey = bj_node_key_len(&nd);
        if (cbKeys + cbKey <= cbPage) {
            bj_node_copy_key(&nd, sepBuf + cbKeys);
            cbKeys += cbKey;
        }
        if (nd.cbData != 4 || bj_ld32(nd.data) == 0) {
            chk_fault(k, pgno, "page %u node %u: bad child pointer", pgno, i);
            children[i - 1] = 0;
        } else {
            children[i - 1] = bj_ld32(nd.data);
        }
    }
    sepOff[n] = cbKeys;
    bool pol = (pf & BJ_PGF_PARENT_OF_LEAF) != 0;
    bj_buf_release(fr);
    fr = NULL;
    for (uint32_t i = 0; i < n && err >= 0; i++) {
        if (!children[i])
            continue;
        const uint8_t *clo = i == 0 ? lo : sepBuf + sepOff[i - 1];
        uint32_t cbClo = i == 0 ? cbLo : sepOff[i] - sepOff[i - 1];
        const uint8_t *chi = sepBuf + sepOff[i];
        uint32_t cbChi = sepOff[i + 1] - sepOff[i];
        if (i == n - 1 && cbChi == 0) {
            chi = hi;
            cbChi = cbHi;
        }
        err = chk_page(k, children[i], clo, cbClo, chi, cbChi, depth + 1, pol ? 1 : 0);
    }
    bj_free(sepBuf);
    bj_free(sepOff);
fail:
    if (fr)
        bj_buf_release(fr);
    bj_free(keys);
    bj_free(children);
    return err;
}

JET_ERR bj_bt_check(bj_bt_tree *t, bj_bt_report_fn fn, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    bt_chk k = {.t = t, .fn = fn, .ctx = ctx, .leafDepth = -1};
    pthread_rwlock_rdlock(&t->smo);
    k.cpgSeen = bj_buf_db_size(t->dbc->db);
    k.seen = bj_calloc((size_t)k.cpgSeen / 8 + 1, 1);
    if (!k.seen)
        ERR(JET_errOutOfMemory);
    CALL(chk_page(&k, t->pgnoRoot, NULL, 0, NULL, 0, 0, -1));
    for (uint32_t i = 0; i < k.cleaves; i++) {
        uint32_t pgno = k.leaves[3 * i], prev = k.leaves[3 * i + 1], next = k.leaves[3 * i + 2];
        uint32_t wantPrev = i ? k.leaves[3 * (i - 1)] : 0;
        uint32_t wantNext = i + 1 < k.cleaves ? k.leaves[3 * (i + 1)] : 0;
        if (prev != wantPrev)
            chk_fault(&k, pgno, "leaf %u: prev %u, tree order says %u", pgno, prev, wantPrev);
        if (next != wantNext)
            chk_fault(&k, pgno, "leaf %u: next %u, tree order says %u", pgno, next, wantNext);
    }
    if (k.faults)
        err = BJ_ERR(JET_errDatabaseCorrupted);
fail:
    pthread_rwlock_unlock(&t->smo);
    bj_free(k.seen);
    bj_free(k.leaves);
    return err;
}

/* *pleft: pages the walk may still visit; a tree reaching more pages than the database has
 * shares subtrees (corrupt), and without the bound its walk could take exponential time. */
static JET_ERR walk_page(bj_bt_tree *t, uint32_t pgno, uint32_t depth, uint32_t *pleft,
                         bj_bt_page_fn fn, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t *children = NULL, n = 0;
    if (depth >= BT_DEPTH_MAX || *pleft == 0)
        ERR(JET_errDatabaseCorrupted);
    --*pleft;
    CALL(bt_get(t, pgno, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t pf = bj_page_flags(pg);
    if (!(pf & BJ_PGF_LEAF)) {
        n = bt_nnodes(pg);
        children = bj_calloc(n + 1, sizeof(uint32_t));
        if (!children)
            ERR(JET_errOutOfMemory);
        for (uint32_t i = 0; i < n; i++)
            CALL(bt_child(pg, bt_cbpage(t), i + 1, &children[i]));
    }
    bj_buf_release(fr);
    fr = NULL;
    CALL(fn(ctx, pgno, pf));
    for (uint32_t i = 0; i < n; i++)
        CALL(walk_page(t, children[i], depth + 1, pleft, fn, ctx));
fail:
    if (fr)
        bj_buf_release(fr);
    bj_free(children);
    return err;
}

JET_ERR bt_walk_nolock(bj_bt_tree *t, bj_bt_page_fn fn, void *ctx)
{
    uint32_t left = bj_buf_db_size(t->dbc->db);
    return walk_page(t, t->pgnoRoot, 0, &left, fn, ctx);
}

JET_ERR bj_bt_walk_pages(bj_bt_tree *t, bj_bt_page_fn fn, void *ctx)
{
    pthread_rwlock_rdlock(&t->smo);
    JET_ERR err = bt_walk_nolock(t, fn, ctx);
    pthread_rwlock_unlock(&t->smo);
    return err;
}
