/* bt_write.c: leaf writes by key, or by (key, data) on non-unique trees (insert, replace,
 * delete, flags, delta).
 *
 * Each write takes the tree's structure lock shared, descends with the leaf latched exclusive,
 * and changes the leaf with one page operation when it fits. A write that does not fit (or a
 * delete that empties a non-root leaf) releases everything and hands over to bt_split.c,
 * which takes the lock exclusive and re-checks from the root. A delete that leaves a non-root
 * leaf under half full checks its siblings (right while the leaf is latched: left-to-right
 * order; left after releasing it) and hands a mergeable page to bt_merge.c. An insert past the
 * end of the last leaf that would break the density is an append split (FBTIAppend). No latch
 * is held on return.
 */
#include "btree/bt_int.h"

static JET_ERR bt_check_sizes(bj_bt_tree *t, uint32_t cbKey, uint32_t cbData)
{
    uint32_t cbPage = bt_cbpage(t);
    if (cbKey == 0 || cbKey > bj_bt_key_most(cbPage))
        return BJ_ERR(JET_errKeyTooBig);
    if (cbData > bj_bt_data_most(cbPage, cbKey))
        return BJ_ERR(JET_errRecordTooBig);
    return JET_errSuccess;
}

JET_ERR bj_bt_insert(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                     uint32_t cbData, uint8_t nflags)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool locked = false, split = false;
    CALL(bt_check_sizes(t, cbKey, cbData));
    pthread_rwlock_rdlock(&t->smo);
    locked = true;
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    CALL(bt_descend_bm(t, &bm, 0, BJ_LATCH_EXCLUSIVE, NULL, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t itag;
    bool found;
    CALL(bt_search_leaf_bm(t, pg, &bm, &itag, &found));
    if (found) {
        bj_node n;
        CALL(bj_page_get_node(pg, bt_cbpage(t), itag, &n));
        ERR((n.flags & BJ_ND_DELETED) ? JET_errRecordDeleted : JET_errKeyDuplicate);
    }
    bt_kd kd = {key, cbKey, data, cbData, (uint8_t)(nflags & (BJ_ND_VERSION | BJ_ND_DELETED))};
    if (bt_fits_insert(pg, bt_cbpage(t), itag, &kd) && !bt_density_append(t, pg, itag, &kd))
        CALL(bt_op_insert(t, fr, itag, &kd));
    else
        split = true;
fail:
    if (fr)
        bj_buf_release(fr);
    if (locked)
        pthread_rwlock_unlock(&t->smo);
    if (split && err >= 0)
        err = bt_smo_write(t, key, cbKey, data, cbData, nflags, true);
    return err;
}

JET_ERR bj_bt_replace(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                      uint32_t cbData)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool locked = false, split = false;
    if (bt_nu(t))
        return BJ_ERR(JET_errInvalidParameter);
    CALL(bt_check_sizes(t, cbKey, cbData));
    pthread_rwlock_rdlock(&t->smo);
    locked = true;
    CALL(bt_descend(t, key, cbKey, 0, BJ_LATCH_EXCLUSIVE, NULL, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t itag;
    bool found;
    CALL(bt_search_leaf(pg, bt_cbpage(t), key, cbKey, &itag, &found));
    if (!found)
        ERR(JET_errRecordNotFound);
    if (bt_fits_replace(pg, bt_cbpage(t), itag, data, cbData))
        CALL(bt_op_replace(t, fr, itag, data, cbData));
    else
        split = true;
fail:
    if (fr)
        bj_buf_release(fr);
    if (locked)
        pthread_rwlock_unlock(&t->smo);
    if (split && err >= 0)
        err = bt_smo_write(t, key, cbKey, data, cbData, 0, false);
    return err;
}

/* Latches the leaf of bm exclusive and finds the node: shared lock taken by the caller. */
static JET_ERR bt_find_excl(bj_bt_tree *t, const bt_bm *bm, bj_frame **pfr, uint32_t *pitag)
{
    JET_ERR err = JET_errSuccess;
    bool found;
    CALL(bt_descend_bm(t, bm, 0, BJ_LATCH_EXCLUSIVE, NULL, pfr));
    CALL(bt_search_leaf_bm(t, bj_frame_data(*pfr), bm, pitag, &found));
    if (!found)
        ERR(JET_errRecordNotFound);
fail:
    return err;
}

/* Bytes of a leaf's data area in use (nodes, TAGs, TAG 0). */
static uint32_t bt_used(const bj_bt_tree *t, const uint8_t *pg)
{
    return bt_capacity(t, false, 0) + BJ_TAG_CB - bj_page_cbfree(pg);
}

/* After a delete left leaf fr (latched exclusive, consumed) non-empty: whether it is under half
 * full and fits together with a sibling (leaving the density's room). */
static JET_ERR bt_merge_candidate(bj_bt_tree *t, bj_frame *fr, bool *pmerge)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *frs = NULL;
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t cap = bt_capacity(t, false, 0) + BJ_TAG_CB, used = bt_used(t, pg);
    uint32_t prev = bj_page_prev(pg), next = bj_page_next(pg);
    *pmerge = false;
    if ((bj_page_flags(pg) & BJ_PGF_ROOT) || 2 * used >= cap)
        goto fail;
    /* the right sibling while the leaf is held (left to right), then the left one */
    if (next) {
        CALL(bt_get(t, next, BJ_LATCH_SHARED, &frs));
        if (used + bt_used(t, bj_frame_data(frs)) + t->cbDensityFree <= cap)
            *pmerge = true;
        bj_buf_release(frs);
        frs = NULL;
    }
    bj_buf_release(fr);
    fr = NULL;
    if (!*pmerge && prev && next) {
        CALL(bt_get(t, prev, BJ_LATCH_SHARED, &frs));
        if (used + bt_used(t, bj_frame_data(frs)) + t->cbDensityFree <= cap)
            *pmerge = true;
    }
fail:
    if (frs)
        bj_buf_release(frs);
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Deletes node bm; with pred, only if pred(ctx, flags) holds while the leaf is latched
 * exclusive (*pdeleted: whether it was deleted). */
static JET_ERR bt_delete_bm(bj_bt_tree *t, const bt_bm *bm, bool (*pred)(void *, uint8_t),
                            void *ctx, bool *pdeleted)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool shrink = false;
    uint32_t itag;
    if (pdeleted)
        *pdeleted = false;
    pthread_rwlock_rdlock(&t->smo);
    CALL(bt_find_excl(t, bm, &fr, &itag));
    if (pred) {
        bj_node n;
        CALL(bj_page_get_node(bj_frame_data(fr), bt_cbpage(t), itag, &n));
        if (!pred(ctx, n.flags))
            goto fail;
    }
    CALL(bt_op_delete(t, fr, itag));
    if (pdeleted)
        *pdeleted = true;
    const uint8_t *pg = bj_frame_data(fr);
    if (!(bj_page_flags(pg) & BJ_PGF_ROOT)) {
        if (bt_nnodes(pg) == 0) {
            shrink = true;
        } else {
            bj_frame *f = fr;
            fr = NULL;
            CALL(bt_merge_candidate(t, f, &shrink));
        }
    }
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    if (shrink && err >= 0)
        err = bt_smo_shrink(t, bm);
    return err;
}

JET_ERR bj_bt_delete(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey)
{
    if (bt_nu(t))
        return BJ_ERR(JET_errInvalidParameter);
    bt_bm bm = {key, cbKey, NULL, 0, BT_BM_KD};
    return bt_delete_bm(t, &bm, NULL, NULL, NULL);
}

JET_ERR bj_bt_delete_kd(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                        uint32_t cbData)
{
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    return bt_delete_bm(t, &bm, NULL, NULL, NULL);
}

JET_ERR bj_bt_delete_kd_if(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                           uint32_t cbData, bool (*pred)(void *ctx, uint8_t nflags), void *ctx,
                           bool *pdeleted)
{
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    return bt_delete_bm(t, &bm, pred, ctx, pdeleted);
}

static JET_ERR bt_set_flags_bm(bj_bt_tree *t, const bt_bm *bm, uint8_t nflags)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t itag;
    pthread_rwlock_rdlock(&t->smo);
    CALL(bt_find_excl(t, bm, &fr, &itag));
    CALL(bt_op_nflags(t, fr, itag, nflags));
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}

JET_ERR bj_bt_set_flags(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, uint8_t nflags)
{
    if (bt_nu(t))
        return BJ_ERR(JET_errInvalidParameter);
    bt_bm bm = {key, cbKey, NULL, 0, BT_BM_KD};
    return bt_set_flags_bm(t, &bm, nflags);
}

JET_ERR bj_bt_set_flags_kd(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                           uint32_t cbData, uint8_t nflags)
{
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    return bt_set_flags_bm(t, &bm, nflags);
}

JET_ERR bj_bt_delta(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, uint32_t ib, int32_t delta,
                    uint32_t *pold)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t itag;
    bj_node n;
    bt_bm bm = {key, cbKey, NULL, 0, BT_BM_KD};
    if (bt_nu(t))
        return BJ_ERR(JET_errInvalidParameter);
    pthread_rwlock_rdlock(&t->smo);
    CALL(bt_find_excl(t, &bm, &fr, &itag));
    CALL(bj_page_get_node(bj_frame_data(fr), bt_cbpage(t), itag, &n));
    if ((uint64_t)ib + 4 > n.cbData)
        ERR(JET_errInvalidParameter);
    if (pold)
        *pold = bj_ld32(n.data + ib);
    CALL(bt_op_delta(t, fr, itag, ib, delta));
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}
