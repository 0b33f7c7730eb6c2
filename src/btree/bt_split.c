/* bt_split.c: structure modifications: page splits (with ESE's append split), root splits that
 * keep the root pgno, and removal of empty leaves (and internal pages they leave empty).
 *
 * Everything here runs with t->smo held exclusive, so no other thread is in the tree: latches
 * are still taken (exclusive, top-down, left-to-right) because the buffer cache requires them,
 * but no deadlock is possible. Splits rewrite both halves (INIT + INSERT_RANGE), which also
 * drops any prefix compression of the old page: nodes we write are never compressed.
 *
 * Split choice (after bt.cxx ErrBTISelectSplit / BTISelectAppend): an insert past the last
 * node of the rightmost leaf is an "append" split: the new page gets only the new node, so
 * ascending inserts leave full leaves; the parent levels of an append split append too. Other
 * splits cut where the two halves' byte sizes are closest. If the new node cannot be placed in
 * either half, the page is split without it and the write retries from the root.
 * Separators (ErrBTIComputeSeparatorKey): leaf level = shortest prefix of the right half's
 * first key that is greater than the left half's last key; internal level = the key of the
 * left half's last node, whose key becomes empty (+infinity) on the left page.
 * Merge: only empty pages are removed (ESE also merges underfull neighbours; not done here).
 */
#include "btree/bt_int.h"
#include "os/os.h"

/* A change to a page's node list: replace the data of node pos and/or insert a node before
 * it (pos = nnodes + 1 appends). */
typedef struct bt_oper {
    uint32_t pos;
    bool do_repl;
    const uint8_t *repl;
    uint32_t cbRepl;
    bool do_ins;
    bt_kd ins;
} bt_oper;

static JET_ERR bt_alloc_page(bj_bt_tree *t, uint32_t near, bj_frame **pfr)
{
    JET_ERR err = JET_errSuccess;
    uint32_t pgno = 0;
    *pfr = NULL;
    if (!t->alloc.alloc)
        ERR(JET_errOutOfDatabaseSpace);
    CALL(t->alloc.alloc(t->alloc.ctx, t, near, &pgno));
    CALL(bj_buf_new(t->dbc->db, pgno, pfr));
fail:
    return err;
}

static JET_ERR bt_free_page(bj_bt_tree *t, uint32_t pgno)
{
    if (!t->alloc.release)
        return JET_errSuccess;
    return t->alloc.release(t->alloc.ctx, t, pgno);
}

/* Moves every node of the root to a new child; the root becomes an internal page with one
 * node (empty key -> child) and keeps its external header. The path gains a level. */
static JET_ERR bt_split_root(bj_bt_tree *t, bt_path *path)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = bt_cbpage(t);
    bj_frame *fr = NULL, *frc = NULL;
    uint8_t *buf = NULL;
    bt_kd *kd = NULL;
    uint8_t ext[256];
    uint32_t cbExt, used = 0;
    if (path->depth >= BT_DEPTH_MAX)
        ERR(JET_errDatabaseCorrupted);
    /* the new child first: the allocator may rewrite the root's external header (the space
     * layer's single-extent bitmap), so the root is latched (and its header copied) after */
    CALL(bt_alloc_page(t, t->pgnoRoot, &frc));
    CALL(bt_get(t, t->pgnoRoot, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    const uint8_t *pext;
    CALL(bj_page_get_ext_header(pg, cbPage, &pext, &cbExt));
    if (cbExt > sizeof(ext))
        ERR(JET_errDatabaseCorrupted);
    memcpy(ext, pext, cbExt);
    uint32_t n = bt_nnodes(pg), pf = bj_page_flags(pg);
    buf = bj_malloc(cbPage);
    kd = bj_calloc(n + 1, sizeof(*kd));
    if (!buf || !kd)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < n; i++)
        CALL(bt_copy_node(pg, cbPage, i + 1, buf, &used, &kd[i]));
    uint32_t pgnoC = bj_frame_pgno(frc);
    uint32_t keep = pf & (BJ_PGF_LEAF | BJ_PGF_PARENT_OF_LEAF);
    CALL(bt_op_init(t, frc, bt_base_flags(t) | keep, 0, 0, NULL, 0));
    CALL(bt_op_append(t, frc, kd, n));
    uint32_t rf = bt_base_flags(t) | BJ_PGF_ROOT | ((pf & BJ_PGF_LEAF) ? BJ_PGF_PARENT_OF_LEAF : 0);
    CALL(bt_op_init(t, fr, rf, 0, 0, ext, cbExt));
    uint8_t child[4];
    bj_st32(child, pgnoC);
    bt_kd inf = {NULL, 0, child, 4, 0};
    CALL(bt_op_insert(t, fr, 1, &inf));
    memmove(&path->lv[1], &path->lv[0], path->depth * sizeof(path->lv[0]));
    path->depth++;
    path->lv[0].pgno = t->pgnoRoot;
    path->lv[0].itag = 1;
    path->lv[1].pgno = pgnoC;
fail:
    if (frc)
        bj_buf_release(frc);
    if (fr)
        bj_buf_release(fr);
    bj_free(buf);
    bj_free(kd);
    return err;
}

/* Chooses the cut k (left = b[0..k-1], right = b[k..m-1]) or returns false. */
static bool bt_choose_split(const bj_bt_tree *t, const bt_kd *b, uint32_t m, bool leaf,
                            bool append, uint32_t *pk)
{
    uint32_t cap = bt_capacity(t, false, 0);
    uint64_t total = 0;
    for (uint32_t i = 0; i < m; i++)
        total += bt_node_size(t, b[i].cbKey, b[i].cbData);
    bool have = false;
    uint64_t best = 0, left = 0;
    for (uint32_t k = 1; k < m; k++) {
        left += bt_node_size(t, b[k - 1].cbKey, b[k - 1].cbData);
        uint64_t l = leaf ? left : left - b[k - 1].cbKey; /* left's last key becomes empty */
        uint64_t r = total - left;
        if (l > cap || r > cap)
            continue;
        if (append && k == m - 1) {
            *pk = k;
            return true;
        }
        uint64_t d = l > r ? l - r : r - l;
        if (!have || d < best) {
            have = true;
            best = d;
            *pk = k;
        }
    }
    return have;
}

static JET_ERR bt_apply_oper(bj_bt_tree *t, bj_frame *fr, const bt_oper *op)
{
    JET_ERR err = JET_errSuccess;
    if (op->do_repl)
        CALL(bt_op_replace(t, fr, op->pos, op->repl, op->cbRepl));
    if (op->do_ins)
        CALL(bt_op_insert(t, fr, op->pos, &op->ins));
fail:
    return err;
}

static bool bt_oper_fits(bj_bt_tree *t, const uint8_t *pg, const bt_oper *op)
{
    uint32_t cbPage = bt_cbpage(t);
    if (op->do_repl && op->do_ins) {
        /* replace keeps the size here (a u32 child pgno) */
        return bt_fits_insert(pg, cbPage, op->pos, &op->ins);
    }
    if (op->do_repl)
        return bt_fits_replace(pg, cbPage, op->pos, op->repl, op->cbRepl);
    return bt_fits_insert(pg, cbPage, op->pos, &op->ins);
}

/* Splits the page at path level lvl while applying op to its nodes; then posts the separator
 * to the parent (splitting it in turn). *pretry: op could not be placed; the page was split
 * without it. */
static JET_ERR bt_split_level(bj_bt_tree *t, bt_path *path, uint32_t lvl, const bt_oper *op,
                              bool append, bool *pretry)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = bt_cbpage(t);
    bj_frame *fr = NULL, *frn = NULL, *frx = NULL;
    uint8_t *buf = NULL;
    bt_kd *b = NULL;
    uint32_t used = 0, k = 0;
    if (lvl == 0) {
        CALL(bt_split_root(t, path));
        lvl = 1;
    }
    uint32_t pgno = path->lv[lvl].pgno;
    CALL(bt_get(t, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t n = bt_nnodes(pg), pf = bj_page_flags(pg);
    bool leaf = (pf & BJ_PGF_LEAF) != 0;
    uint32_t prev = bj_page_prev(pg), next = bj_page_next(pg);
    buf = bj_malloc(2 * (size_t)cbPage + 16);
    b = bj_calloc(n + 2, sizeof(*b));
    if (!buf || !b)
        ERR(JET_errOutOfMemory);
    /* b = the page's nodes with op applied; a = the page's nodes as they are (b + n + 1) */
    uint32_t m = 0;
    for (uint32_t i = 1; i <= n + 1; i++) {
        if (op->do_ins && i == op->pos)
            b[m++] = op->ins;
        if (i > n)
            break;
        CALL(bt_copy_node(pg, cbPage, i, buf, &used, &b[m]));
        if (op->do_repl && i == op->pos) {
            b[m].data = op->repl;
            b[m].cbData = op->cbRepl;
        }
        m++;
    }
    bool app = false;
    if (leaf)
        app = op->do_ins && op->pos == n + 1 && next == 0;
    else
        app = append && op->do_ins && op->pos == n;
    if (!bt_choose_split(t, b, m, leaf, app, &k)) {
        /* the op does not fit either half: split the page as it is, retry from the root */
        if (n < 2)
            ERR(JET_errRecordTooBig);
        m = 0;
        used = 0;
        for (uint32_t i = 1; i <= n; i++)
            CALL(bt_copy_node(pg, cbPage, i, buf, &used, &b[m++]));
        if (!bt_choose_split(t, b, m, leaf, false, &k))
            ERR(JET_errDatabaseCorrupted);
        *pretry = true;
        app = false;
    }
    /* separator, copied to the end of buf before the page is rewritten */
    uint8_t *sep = buf + used;
    uint32_t cbSep;
    if (leaf) {
        const bt_kd *l = &b[k - 1], *r = &b[k];
        uint32_t c = 0;
        while (c < l->cbKey && c < r->cbKey && l->key[c] == r->key[c])
            c++;
        if (c >= r->cbKey) /* r <= l: keys out of order */
            ERR(JET_errDatabaseCorrupted);
        cbSep = c + 1;
        memcpy(sep, r->key, cbSep);
    } else {
        cbSep = b[k - 1].cbKey;
        memcpy(sep, b[k - 1].key, cbSep);
        if (cbSep == 0)
            ERR(JET_errDatabaseCorrupted);
    }
    CALL(bt_alloc_page(t, pgno, &frn));
    uint32_t pgnoN = bj_frame_pgno(frn);
    CALL(bt_op_init(t, frn, pf, leaf ? pgno : 0, leaf ? next : 0, NULL, 0));
    CALL(bt_op_append(t, frn, b + k, m - k));
    CALL(bt_op_init(t, fr, pf, leaf ? prev : 0, leaf ? pgnoN : 0, NULL, 0));
    if (!leaf) {
        b[k - 1].key = NULL;
        b[k - 1].cbKey = 0;
    }
    CALL(bt_op_append(t, fr, b, k));
    if (leaf && next) {
        CALL(bt_get(t, next, BJ_LATCH_EXCLUSIVE, &frx));
        CALL(bt_op_links(t, frx, pgnoN, bj_page_next(bj_frame_data(frx))));
        bj_buf_release(frx);
        frx = NULL;
    }
    bj_buf_release(frn);
    frn = NULL;
    bj_buf_release(fr);
    fr = NULL;

    /* parent: node pos pointed at pgno with the page's upper bound; now it points at the new
     * right page, and (sep -> pgno) goes in before it */
    uint8_t pgnoLE[4], pgnoNLE[4];
    bj_st32(pgnoLE, pgno);
    bj_st32(pgnoNLE, pgnoN);
    bt_oper pop = {.pos = path->lv[lvl - 1].itag, .do_repl = true, .repl = pgnoNLE, .cbRepl = 4,
                   .do_ins = true, .ins = {sep, cbSep, pgnoLE, 4, 0}};
    CALL(bt_get(t, path->lv[lvl - 1].pgno, BJ_LATCH_EXCLUSIVE, &frx));
    if (bt_oper_fits(t, bj_frame_data(frx), &pop)) {
        CALL(bt_apply_oper(t, frx, &pop));
    } else {
        bj_buf_release(frx);
        frx = NULL;
        bool r2 = false;
        CALL(bt_split_level(t, path, lvl - 1, &pop, app, &r2));
        if (r2)
            ERR(JET_errDatabaseCorrupted); /* internal nodes always fit a half page */
    }
fail:
    if (frx)
        bj_buf_release(frx);
    if (frn)
        bj_buf_release(frn);
    if (fr)
        bj_buf_release(fr);
    bj_free(buf);
    bj_free(b);
    return err;
}

JET_ERR bt_smo_write(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                     uint32_t cbData, uint8_t nflags, bool do_insert)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bt_path path;
    pthread_rwlock_wrlock(&t->smo);
    for (int round = 0;; round++) {
        if (round > 64)
            ERR(JET_errDatabaseCorrupted);
        CALL(bt_descend(t, key, cbKey, 0, BJ_LATCH_EXCLUSIVE, &path, &fr));
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t itag;
        bool found;
        CALL(bt_search_leaf(pg, bt_cbpage(t), key, cbKey, &itag, &found));
        bt_oper op = {.pos = itag};
        if (do_insert) {
            if (found) {
                bj_node n;
                CALL(bj_page_get_node(pg, bt_cbpage(t), itag, &n));
                ERR((n.flags & BJ_ND_DELETED) ? JET_errRecordDeleted : JET_errKeyDuplicate);
            }
            op.do_ins = true;
            op.ins = (bt_kd){key, cbKey, data, cbData,
                             (uint8_t)(nflags & (BJ_ND_VERSION | BJ_ND_DELETED))};
        } else {
            if (!found)
                ERR(JET_errRecordNotFound);
            op.do_repl = true;
            op.repl = data;
            op.cbRepl = cbData;
        }
        if (bt_oper_fits(t, pg, &op)) {
            CALL(bt_apply_oper(t, fr, &op));
            break;
        }
        bj_buf_release(fr);
        fr = NULL;
        bool retry = false;
        CALL(bt_split_level(t, &path, path.depth - 1, &op, false, &retry));
        if (!retry)
            break;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}

static JET_ERR bt_collect_fn(void *ctx, uint32_t pgno, uint32_t pageflags)
{
    BJ_UNUSED(pageflags);
    uint32_t **pp = ctx;
    uint32_t n = (*pp)[0];
    uint32_t *a = bj_realloc(*pp, (n + 2) * sizeof(uint32_t));
    if (!a)
        return BJ_ERR(JET_errOutOfMemory);
    a[n + 1] = pgno;
    a[0] = n + 1;
    *pp = a;
    return JET_errSuccess;
}

/* The tree's only leaf is empty: the root becomes an empty leaf again, every other page goes
 * back to the allocator. */
static JET_ERR bt_collapse(bj_bt_tree *t)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t *pages = bj_calloc(1, sizeof(uint32_t));
    uint8_t ext[256];
    uint32_t cbExt;
    const uint8_t *pext;
    if (!pages)
        ERR(JET_errOutOfMemory);
    CALL(bt_walk_nolock(t, bt_collect_fn, &pages));
    CALL(bt_get(t, t->pgnoRoot, BJ_LATCH_EXCLUSIVE, &fr));
    CALL(bj_page_get_ext_header(bj_frame_data(fr), bt_cbpage(t), &pext, &cbExt));
    if (cbExt > sizeof(ext))
        ERR(JET_errDatabaseCorrupted);
    memcpy(ext, pext, cbExt);
    CALL(bt_op_init(t, fr, bt_base_flags(t) | BJ_PGF_ROOT | BJ_PGF_LEAF, 0, 0, ext, cbExt));
    bj_buf_release(fr);
    fr = NULL;
    for (uint32_t i = 1; i <= pages[0]; i++)
        if (pages[i] != t->pgnoRoot)
            CALL(bt_free_page(t, pages[i]));
fail:
    if (fr)
        bj_buf_release(fr);
    bj_free(pages);
    return err;
}

/* Removes node itag of the internal page at path level lvl (its child is gone). */
static JET_ERR bt_remove_child(bj_bt_tree *t, const bt_path *path, uint32_t lvl)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t cbPage = bt_cbpage(t);
    uint32_t pgno = path->lv[lvl].pgno, j = path->lv[lvl].itag;
    CALL(bt_get(t, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t n = bt_nnodes(pg);
    if (j < 1 || j > n || bt_is_leaf(pg))
        ERR(JET_errDatabaseCorrupted);
    if (n == 1) {
        if (lvl == 0)
            ERR(JET_errDatabaseCorrupted); /* the collapse case handles an emptied tree */
        bj_buf_release(fr);
        fr = NULL;
        CALL(bt_free_page(t, pgno));
        CALL(bt_remove_child(t, path, lvl - 1));
    } else if (j == n) {
        /* the last node goes: the one before it becomes the +infinity node */
        bj_node nd;
        uint8_t child[4];
        CALL(bj_page_get_node(pg, cbPage, j - 1, &nd));
        if (nd.cbData != 4)
            ERR(JET_errDatabaseCorrupted);
        memcpy(child, nd.data, 4);
        CALL(bt_op_delete_range(t, fr, j - 1, 2));
        bt_kd inf = {NULL, 0, child, 4, 0};
        CALL(bt_op_insert(t, fr, j - 1, &inf));
    } else {
        CALL(bt_op_delete(t, fr, j));
    }
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

JET_ERR bt_smo_remove_empty(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL, *frx = NULL;
    bt_path path;
    pthread_rwlock_wrlock(&t->smo);
    CALL(bt_descend(t, key, cbKey, 0, BJ_LATCH_EXCLUSIVE, &path, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    if (bt_nnodes(pg) != 0 || path.depth < 2)
        goto fail; /* refilled meanwhile, or the root */
    uint32_t pgno = bj_frame_pgno(fr), prev = bj_page_prev(pg), next = bj_page_next(pg);
    bj_buf_release(fr);
    fr = NULL;
    if (prev == 0 && next == 0) {
        CALL(bt_collapse(t));
        goto fail;
    }
    if (prev) {
        CALL(bt_get(t, prev, BJ_LATCH_EXCLUSIVE, &frx));
        CALL(bt_op_links(t, frx, bj_page_prev(bj_frame_data(frx)), next));
        bj_buf_release(frx);
        frx = NULL;
    }
    if (next) {
        CALL(bt_get(t, next, BJ_LATCH_EXCLUSIVE, &frx));
        CALL(bt_op_links(t, frx, prev, bj_page_next(bj_frame_data(frx))));
        bj_buf_release(frx);
        frx = NULL;
    }
    CALL(bt_remove_child(t, &path, path.depth - 2));
    CALL(bt_free_page(t, pgno));
fail:
    if (frx)
        bj_buf_release(frx);
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}
