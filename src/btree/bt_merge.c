/* bt_merge.c: structure modifications that shrink a tree: removal of empty leaves (and of the
 * internal pages they leave empty), collapse of an emptied tree back to a root leaf, and merges
 * of an underfull leaf into a sibling (bt.cxx ErrBTIMergeOrEmptyPage, BTICheckMergeable).
 *
 * Runs with t->smo held exclusive (see bt_split.c). Merge rule (after ESE's delete cleanup,
 * bt.cxx ErrBTIDelete: right merge first, then left): leaf P moves all its nodes into
 *  - its right sibling R when P's parent also points at R (P is not its parent's last child;
 *    ESE can move into R only when the parent's separators stay right), else
 *  - its left sibling L when the parent also points at L (P not its first child; ESE skips a
 *    left merge when the parent node of P is the first, and when P is the last leaf),
 * if the nodes of both fit one page leaving the tree's density free (CbBTIFreeDensity on
 * leaves). The destination is rebuilt with a fresh prefix (INIT + INSERT_RANGE); P is flagged
 * fPageEmpty (so cursors holding it see its dbtime move and re-seek) and released; the
 * parent loses P's node (left merge: the node of L goes and P's node points at L, keeping the
 * separator that bounded P). Leaf links are fixed on both sides.
 */
#include "btree/bt_int.h"
#include "os/os.h"

/* Flags page pgno (latched by nobody) empty and gives it back to the allocator. */
static JET_ERR bt_retire_page(bj_bt_tree *t, uint32_t pgno)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    CALL(bt_get(t, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    CALL(bt_op_pgflags(t, fr, bj_page_flags(bj_frame_data(fr)) | BJ_PGF_EMPTY));
    bj_buf_release(fr);
    fr = NULL;
    CALL(bt_free_page(t, pgno));
fail:
    if (fr)
        bj_buf_release(fr);
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
            CALL(bt_retire_page(t, pages[i]));
fail:
    if (fr)
        bj_buf_release(fr);
    bj_free(pages);
    return err;
}

JET_ERR bt_remove_child(bj_bt_tree *t, const bt_path *path, uint32_t lvl)
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
        CALL(bt_retire_page(t, pgno));
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

/* Copies the nodes of page pgno to the end of kd[*pm..] (bytes into buf at *pused). */
static JET_ERR bt_copy_page(bj_bt_tree *t, uint32_t pgno, uint8_t *buf, uint32_t *pused, bt_kd *kd,
                            uint32_t *pm)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    CALL(bt_get(t, pgno, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t n = bt_nnodes(pg);
    for (uint32_t i = 1; i <= n; i++)
        CALL(bt_copy_node(pg, bt_cbpage(t), i, buf, pused, &kd[(*pm)++]));
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Sets one link of leaf pgno (prev if left, else next) to v. */
static JET_ERR bt_set_link(bj_bt_tree *t, uint32_t pgno, bool left, uint32_t v)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    CALL(bt_get(t, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    CALL(bt_op_links(t, fr, left ? v : bj_page_prev(pg), left ? bj_page_next(pg) : v));
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Merges leaf path->lv[depth-1] into a sibling if the rule above allows; *pdone tells. */
static JET_ERR bt_merge_leaf(bj_bt_tree *t, const bt_path *path, bool *pdone)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = bt_cbpage(t), d = path->depth;
    bj_frame *fr = NULL;
    uint8_t *buf = NULL;
    bt_kd *kd = NULL;
    *pdone = false;
    if (d < 2)
        return JET_errSuccess;
    uint32_t pgnoX = path->lv[d - 2].pgno, j = path->lv[d - 2].itag, pgno = path->lv[d - 1].pgno;
    uint32_t nX, childL = 0, childR = 0, prev, next, pf, nP, nL = 0, nR = 0;
    CALL(bt_get(t, pgnoX, BJ_LATCH_SHARED, &fr));
    nX = bt_nnodes(bj_frame_data(fr));
    if (j < 1 || j > nX)
        ERR(JET_errDatabaseCorrupted);
    if (j > 1)
        CALL(bt_child(bj_frame_data(fr), cbPage, j - 1, &childL));
    if (j < nX)
        CALL(bt_child(bj_frame_data(fr), cbPage, j + 1, &childR));
    bj_buf_release(fr);
    fr = NULL;
    CALL(bt_get(t, pgno, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    prev = bj_page_prev(pg);
    next = bj_page_next(pg);
    pf = bj_page_flags(pg);
    nP = bt_nnodes(pg);
    bj_buf_release(fr);
    fr = NULL;
    if (!(pf & BJ_PGF_LEAF) || nP == 0)
        goto fail;
    bool right = next && childR == next, left = prev && next && childL == prev;
    if (!right && !left)
        goto fail;
    if (right) {
        CALL(bt_get(t, next, BJ_LATCH_SHARED, &fr));
        nR = bt_nnodes(bj_frame_data(fr));
        bj_buf_release(fr);
        fr = NULL;
    }
    if (left) {
        CALL(bt_get(t, prev, BJ_LATCH_SHARED, &fr));
        nL = bt_nnodes(bj_frame_data(fr));
        bj_buf_release(fr);
        fr = NULL;
    }
    uint32_t most = nP + (nL > nR ? nL : nR);
    buf = bj_malloc(2 * (size_t)cbPage);
    kd = bj_calloc(most + 1, sizeof(*kd));
    if (!buf || !kd)
        ERR(JET_errOutOfMemory);
    uint64_t cap = bt_capacity(t, false, 0);
    for (int side = 0; side < 2 && !*pdone; side++) {
        bool toRight = side == 0;
        if (toRight ? !right : !left)
            continue;
        uint32_t dest = toRight ? next : prev, m = 0, used = 0;
        CALL(bt_copy_page(t, toRight ? pgno : dest, buf, &used, kd, &m));
        CALL(bt_copy_page(t, toRight ? dest : pgno, buf, &used, kd, &m));
        if (bt_packed_size(t, kd, m) + t->cbDensityFree > cap)
            continue;
        /* rebuild the destination with every node, fix the far link, retire P */
        CALL(bt_get(t, dest, BJ_LATCH_EXCLUSIVE, &fr));
        const uint8_t *pd = bj_frame_data(fr);
        uint32_t dPrev = toRight ? prev : bj_page_prev(pd),
                 dNext = toRight ? bj_page_next(pd) : next;
        CALL(bt_build_page(t, fr, bj_page_flags(pd), dPrev, dNext, kd, m));
        bj_buf_release(fr);
        fr = NULL;
        if (toRight && prev)
            CALL(bt_set_link(t, prev, false, dest));
        if (!toRight)
            CALL(bt_set_link(t, next, true, dest));
        CALL(bt_retire_page(t, pgno));
        /* parent: drop P's node (right), or L's node with P's pointing at L (left) */
        CALL(bt_get(t, pgnoX, BJ_LATCH_EXCLUSIVE, &fr));
        if (toRight) {
            CALL(bt_op_delete(t, fr, j));
        } else {
            uint8_t le[4];
            bj_st32(le, dest);
            CALL(bt_op_replace(t, fr, j, le, 4));
            CALL(bt_op_delete(t, fr, j - 1));
        }
        bj_buf_release(fr);
        fr = NULL;
        *pdone = true;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    bj_free(buf);
    bj_free(kd);
    return err;
}

JET_ERR bt_smo_shrink(bj_bt_tree *t, const bt_bm *bm)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bt_path path;
    pthread_rwlock_wrlock(&t->smo);
    bt_smo_begin(t);
    CALL(bt_descend_bm(t, bm, 0, BJ_LATCH_EXCLUSIVE, &path, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    if (path.depth < 2)
        goto fail; /* the root */
    uint32_t pgno = bj_frame_pgno(fr), prev = bj_page_prev(pg), next = bj_page_next(pg);
    bool empty = bt_nnodes(pg) == 0;
    bj_buf_release(fr);
    fr = NULL;
    if (!empty) {
        bool done;
        CALL(bt_merge_leaf(t, &path, &done));
        goto fail;
    }
    if (prev == 0 && next == 0) {
        CALL(bt_collapse(t));
        goto fail;
    }
    if (prev)
        CALL(bt_set_link(t, prev, false, next));
    if (next)
        CALL(bt_set_link(t, next, true, prev));
    CALL(bt_remove_child(t, &path, path.depth - 2));
    CALL(bt_retire_page(t, pgno));
fail:
    if (fr)
        bj_buf_release(fr);
    {
        JET_ERR e2 = bt_smo_end(t); /* then the pages it gave back are freed */
        if (err >= 0 && e2 < 0)
            err = e2;
    }
    pthread_rwlock_unlock(&t->smo);
    return err;
}
