/* bt_cursor.c: cursors over a tree: seek, first/last/next/prev, get, positions, counts.
 *
 * A cursor holds no latch between calls. Its position is (leaf pgno, itag, the leaf's dbtime
 * when the position was taken, a copy of the node's key and data). A call takes the tree lock
 * shared, latches the leaf shared and, when the page's dbtime still equals the saved one, uses
 * (pgno, itag) as is; otherwise it re-seeks by the saved key (non-unique trees: key and data,
 * the node's bookmark) from the root. If the node is gone, the cursor sits in a "gap" before
 * the first node greater than the saved one, so next returns that node and prev the last node
 * smaller than it.
 * Leaves are visited left to right by pgnoNext and right to left by pgnoPrev, releasing a leaf
 * before latching its neighbour (links only change under the exclusive tree lock).
 */
#include "btree/bt_int.h"
#include "os/os.h"

JET_ERR bj_bt_cursor_open(bj_bt_tree *t, bool skip_deleted, bj_bt_cursor *c)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->skip_deleted = skip_deleted;
    c->key = bj_malloc(bt_cbpage(t));
    c->data = bj_malloc(bt_cbpage(t));
    if (!c->key || !c->data) {
        bj_bt_cursor_close(c);
        return BJ_ERR(JET_errOutOfMemory);
    }
    return JET_errSuccess;
}

void bj_bt_cursor_close(bj_bt_cursor *c)
{
    bj_free(c->key);
    bj_free(c->data);
    c->key = c->data = NULL;
    c->state = BT_CUR_NONE;
}

/* Copies node itag of the latched leaf into the cursor and positions it there. */
static JET_ERR cur_load(bj_bt_cursor *c, bj_frame *fr, uint32_t itag)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *pg = bj_frame_data(fr);
    bj_node n;
    CALL(bj_page_get_node(pg, bt_cbpage(c->t), itag, &n));
    uint32_t cbKey = bj_node_key_len(&n);
    if (cbKey > bt_cbpage(c->t) || n.cbData > bt_cbpage(c->t))
        ERR(JET_errDatabaseCorrupted);
    bj_node_copy_key(&n, c->key);
    c->cbKey = cbKey;
    if (n.cbData)
        memcpy(c->data, n.data, n.cbData);
    c->cbData = n.cbData;
    c->nflags = n.flags & (BJ_ND_VERSION | BJ_ND_DELETED);
    c->quiet = !(c->nflags & BJ_ND_VERSION) || (c->t->quiet && c->t->quiet(c->t->quiet_ctx));
    c->pgno = bj_frame_pgno(fr);
    c->itag = itag;
    c->dbtime = bj_page_dbtime(pg);
    c->gap = false;
    c->state = BT_CUR_ON;
fail:
    return err;
}

static bool cur_visible(const bj_bt_cursor *c, const uint8_t *pg, uint32_t itag, JET_ERR *perr)
{
    bj_node n;
    *perr = JET_errSuccess;
    if (!c->skip_deleted)
        return true; /* cur_load reads (and checks) the node */
    *perr = bj_page_get_node(pg, bt_cbpage(c->t), itag, &n);
    if (*perr < 0)
        return false;
    return !(c->skip_deleted && (n.flags & BJ_ND_DELETED));
}

/* Latches the cursor's leaf shared. *pexact: the saved node is at c->itag; otherwise c->itag is
 * the first node after the saved key on that leaf (possibly past its last node). */
static JET_ERR cur_relatch(bj_bt_cursor *c, bj_frame **pfr, bool *pexact)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree *t = c->t;
    bj_frame *fr = NULL;
    *pfr = NULL;
    if (bj_buf_get(t->dbc->db, c->pgno, BJ_LATCH_SHARED, &fr) >= 0) {
        const uint8_t *pg = bj_frame_data(fr);
        if (bj_page_dbtime(pg) == c->dbtime && bj_page_objid(pg) == t->objid && bt_is_leaf(pg) &&
            c->itag <= bj_page_ntags(pg)) {
            *pexact = !c->gap;
            *pfr = fr;
            return JET_errSuccess;
        }
        bj_buf_release(fr);
        fr = NULL;
    }
    bool found;
    uint32_t itag;
    bt_bm bm = {c->key, c->cbKey, c->data, c->cbData, BT_BM_KD};
    CALL(bt_descend_bm(t, &bm, 0, BJ_LATCH_SHARED, NULL, &fr));
    CALL(bt_search_leaf_bm(t, bj_frame_data(fr), &bm, &itag, &found));
    c->pgno = bj_frame_pgno(fr);
    c->itag = itag;
    c->dbtime = bj_page_dbtime(bj_frame_data(fr));
    c->gap = !found;
    *pexact = found;
    *pfr = fr;
    fr = NULL;
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Whether node itag of pg lies after the cursor's saved node in tree order (key; then data on a
 * non-unique tree). Used when a move crosses into another leaf: a node not after the saved one
 * means the leaf chain loops back (corrupt file), which would make a walk endless. */
static JET_ERR cur_after_saved(const bj_bt_cursor *c, const uint8_t *pg, uint32_t itag, int dir)
{
    JET_ERR err = JET_errSuccess;
    bj_node n;
    CALL(bj_page_get_node(pg, bt_cbpage(c->t), itag, &n));
    int cmp = bj_node_keycmp(&n, c->key, c->cbKey);
    if (cmp == 0 && bt_nu(c->t)) {
        uint32_t cb = BJ_MIN(n.cbData, c->cbData);
        cmp = cb ? memcmp(n.data, c->data, cb) : 0;
        if (cmp == 0)
            cmp = n.cbData < c->cbData ? -1 : n.cbData > c->cbData ? 1 : 0;
    }
    if (dir > 0 ? cmp <= 0 : cmp >= 0)
        ERR(JET_errDatabaseCorrupted);
fail:
    return err;
}

/* Latches the leaf a move reaches from leaf pgnoFrom (consumed by the caller) through its link
 * pgnoTo, checking it is a leaf whose link back names pgnoFrom, and that the move has not
 * crossed more leaves than the database has pages (a loop in the leaf chain). */
static JET_ERR cur_cross(bj_bt_cursor *c, uint32_t pgnoFrom, uint32_t pgnoTo, int dir,
                         uint32_t *pcpg, bj_frame **pfr)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    if (++*pcpg > bj_buf_db_size(c->t->dbc->db))
        ERR(JET_errDatabaseCorrupted);
    CALL(bt_get(c->t, pgnoTo, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    if (!bt_is_leaf(pg) || (dir > 0 ? bj_page_prev(pg) : bj_page_next(pg)) != pgnoFrom)
        ERR(JET_errDatabaseCorrupted);
    *pfr = fr;
    fr = NULL;
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* From node itag of the latched leaf fr (consumed) forward to the first visible node.
 * JET_errNoCurrentRecord past the last leaf. ordered: the cursor holds the node the move
 * starts from, and a node found on a later leaf must come after it. */
static JET_ERR cur_scan_fwd(bj_bt_cursor *c, bj_frame *fr, uint32_t itag, bool ordered)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cpg = 0;
    for (;;) {
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t n = bt_nnodes(pg);
        for (uint32_t i = itag; i <= n; i++) {
            bool vis = cur_visible(c, pg, i, &err);
            if (err < 0)
                goto fail;
            if (vis) {
                if (ordered && cpg)
                    CALL(cur_after_saved(c, pg, i, 1));
                CALL(cur_load(c, fr, i));
                goto fail;
            }
        }
        uint32_t next = bj_page_next(pg), pgno = bj_frame_pgno(fr);
        bj_buf_release(fr);
        fr = NULL;
        if (next == 0)
            ERR(JET_errNoCurrentRecord);
        CALL(cur_cross(c, pgno, next, 1, &cpg, &fr));
        itag = 1;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* From node itag (0 = before the first) of fr (consumed) backward to the first visible node.
 * JET_errNoCurrentRecord before the first leaf. ordered: as cur_scan_fwd, mirrored. */
static JET_ERR cur_scan_back(bj_bt_cursor *c, bj_frame *fr, uint32_t itag, bool ordered)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cpg = 0;
    for (;;) {
        const uint8_t *pg = bj_frame_data(fr);
        if (itag > bt_nnodes(pg))
            itag = bt_nnodes(pg);
        for (uint32_t i = itag; i >= 1; i--) {
            bool vis = cur_visible(c, pg, i, &err);
            if (err < 0)
                goto fail;
            if (vis) {
                if (ordered && cpg)
                    CALL(cur_after_saved(c, pg, i, -1));
                CALL(cur_load(c, fr, i));
                goto fail;
            }
        }
        uint32_t prev = bj_page_prev(pg), pgno = bj_frame_pgno(fr);
        bj_buf_release(fr);
        fr = NULL;
        if (prev == 0)
            ERR(JET_errNoCurrentRecord);
        CALL(cur_cross(c, pgno, prev, -1, &cpg, &fr));
        itag = bt_nnodes(bj_frame_data(fr));
    }
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

static JET_ERR cur_first(bj_bt_cursor *c)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    CALL(bt_descend(c->t, NULL, 0, -1, BJ_LATCH_SHARED, NULL, &fr));
    err = cur_scan_fwd(c, fr, 1, false);
    if (err == JET_errNoCurrentRecord) {
        c->state = BT_CUR_NONE;
        err = BJ_ERR(JET_errRecordNotFound);
    }
fail:
    return err;
}

static JET_ERR cur_last(bj_bt_cursor *c)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    CALL(bt_descend(c->t, NULL, 0, 1, BJ_LATCH_SHARED, NULL, &fr));
    err = cur_scan_back(c, fr, bt_nnodes(bj_frame_data(fr)), false);
    if (err == JET_errNoCurrentRecord) {
        c->state = BT_CUR_NONE;
        err = BJ_ERR(JET_errRecordNotFound);
    }
fail:
    return err;
}

JET_ERR bj_bt_move_first(bj_bt_cursor *c)
{
    pthread_rwlock_rdlock(&c->t->smo);
    JET_ERR err = cur_first(c);
    pthread_rwlock_unlock(&c->t->smo);
    return err;
}

JET_ERR bj_bt_move_last(bj_bt_cursor *c)
{
    pthread_rwlock_rdlock(&c->t->smo);
    JET_ERR err = cur_last(c);
    pthread_rwlock_unlock(&c->t->smo);
    return err;
}

JET_ERR bj_bt_move_next(bj_bt_cursor *c)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool exact;
    pthread_rwlock_rdlock(&c->t->smo);
    if (c->state == BT_CUR_BEFORE_FIRST) {
        err = cur_first(c);
        if (err == JET_errRecordNotFound)
            err = BJ_ERR(JET_errNoCurrentRecord);
        goto fail;
    }
    if (c->state != BT_CUR_ON)
        ERR(JET_errNoCurrentRecord);
    CALL(cur_relatch(c, &fr, &exact));
    err = cur_scan_fwd(c, fr, exact ? c->itag + 1 : c->itag, true);
    if (err == JET_errNoCurrentRecord)
        c->state = BT_CUR_AFTER_LAST;
fail:
    pthread_rwlock_unlock(&c->t->smo);
    return err;
}

JET_ERR bj_bt_move_prev(bj_bt_cursor *c)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool exact;
    pthread_rwlock_rdlock(&c->t->smo);
    if (c->state == BT_CUR_AFTER_LAST) {
        err = cur_last(c);
        if (err == JET_errRecordNotFound)
            err = BJ_ERR(JET_errNoCurrentRecord);
        goto fail;
    }
    if (c->state != BT_CUR_ON)
        ERR(JET_errNoCurrentRecord);
    CALL(cur_relatch(c, &fr, &exact));
    err = cur_scan_back(c, fr, c->itag - 1, true);
    if (err == JET_errNoCurrentRecord)
        c->state = BT_CUR_BEFORE_FIRST;
fail:
    pthread_rwlock_unlock(&c->t->smo);
    return err;
}

/* Whether the loaded node matches the seek target (key; and data for a KD target). */
static bool cur_matches(const bj_bt_cursor *c, const bt_bm *bm)
{
    if (bj_keycmp(c->key, c->cbKey, bm->key, bm->cbKey) != 0)
        return false;
    return !bt_nu(c->t) || bm->how != BT_BM_KD ||
           bj_keycmp(c->data, c->cbData, bm->data, bm->cbData) == 0;
}

static JET_ERR cur_seek(bj_bt_cursor *c, bt_bm *bm, bj_bt_seek_mode mode)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint32_t itag;
    bool found, vis = false;
    bj_bt_tree *t = c->t;
    pthread_rwlock_rdlock(&t->smo);
    c->state = BT_CUR_NONE;
    if (bm->cbKey > bt_cbpage(t) || bm->cbData > bt_cbpage(t))
        ERR(JET_errKeyTooBig);
    /* LE by key on a non-unique tree: just past the key's last node, then back */
    if (mode == BJ_BT_SEEK_LE && bm->how == BT_BM_KEY_LO && bt_nu(t))
        bm->how = BT_BM_KEY_HI;
    CALL(bt_descend_bm(t, bm, 0, BJ_LATCH_SHARED, NULL, &fr));
    CALL(bt_search_leaf_bm(t, bj_frame_data(fr), bm, &itag, &found));
    if (found) {
        vis = cur_visible(c, bj_frame_data(fr), itag, &err);
        if (err < 0)
            goto fail;
    }
    if (found && vis) {
        CALL(cur_load(c, fr, itag));
        goto fail;
    }
    if (mode == BJ_BT_SEEK_EQ && (!bt_nu(t) || bm->how == BT_BM_KD))
        ERR(JET_errRecordNotFound);
    bj_frame *f = fr;
    fr = NULL;
    err = mode == BJ_BT_SEEK_LE ? cur_scan_back(c, f, itag - 1, false)
                                : cur_scan_fwd(c, f, itag, false);
    if (err == JET_errNoCurrentRecord) {
        c->state = BT_CUR_NONE;
        err = BJ_ERR(JET_errRecordNotFound);
    } else if (err >= 0 && !cur_matches(c, bm)) {
        if (mode == BJ_BT_SEEK_EQ) {
            c->state = BT_CUR_NONE;
            err = BJ_ERR(JET_errRecordNotFound);
        } else {
            err = JET_wrnSeekNotEqual;
        }
    }
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}

JET_ERR bj_bt_seek(bj_bt_cursor *c, const uint8_t *key, uint32_t cbKey, bj_bt_seek_mode mode)
{
    bt_bm bm = {key, cbKey, NULL, 0, BT_BM_KEY_LO};
    return cur_seek(c, &bm, mode);
}

JET_ERR bj_bt_seek_kd(bj_bt_cursor *c, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                      uint32_t cbData, bj_bt_seek_mode mode)
{
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    return cur_seek(c, &bm, mode);
}

JET_ERR bj_bt_get(bj_bt_cursor *c, const uint8_t **pkey, uint32_t *pcbKey, const uint8_t **pdata,
                  uint32_t *pcbData, uint8_t *pnflags)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool exact;
    pthread_rwlock_rdlock(&c->t->smo);
    if (c->state != BT_CUR_ON)
        ERR(JET_errNoCurrentRecord);
    uint64_t dbtimeBefore = c->dbtime;
    uint32_t pgnoBefore = c->pgno;
    CALL(cur_relatch(c, &fr, &exact));
    if (!exact)
        ERR(JET_errRecordDeleted);
    /* same page at the same dbtime: the cursor's copies are the node as it is */
    if (bj_frame_pgno(fr) != pgnoBefore || bj_page_dbtime(bj_frame_data(fr)) != dbtimeBefore)
        CALL(cur_load(c, fr, c->itag));
    if (pkey)
        *pkey = c->key;
    if (pcbKey)
        *pcbKey = c->cbKey;
    if (pdata)
        *pdata = c->data;
    if (pcbData)
        *pcbData = c->cbData;
    if (pnflags)
        *pnflags = c->nflags;
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&c->t->smo);
    return err;
}

JET_ERR bj_bt_current(const bj_bt_cursor *c, const uint8_t **pkey, uint32_t *pcbKey,
                      const uint8_t **pdata, uint32_t *pcbData, uint8_t *pnflags)
{
    if (c->state != BT_CUR_ON)
        return BJ_ERR(JET_errNoCurrentRecord);
    if (c->gap)
        return BJ_ERR(JET_errRecordDeleted);
    *pkey = c->key;
    *pcbKey = c->cbKey;
    *pdata = c->data;
    *pcbData = c->cbData;
    *pnflags = c->nflags;
    return JET_errSuccess;
}

JET_ERR bj_bt_get_position(bj_bt_cursor *c, uint64_t *plt, uint64_t *ptotal)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree *t = c->t;
    bj_frame *fr = NULL;
    uint32_t cbPage = bt_cbpage(t), pgno = t->pgnoRoot;
    uint64_t lt = 0, total = 1;
    pthread_rwlock_rdlock(&t->smo);
    if (c->state != BT_CUR_ON)
        ERR(JET_errNoCurrentRecord);
    for (uint32_t depth = 0;; depth++) {
        if (depth >= BT_DEPTH_MAX)
            ERR(JET_errDatabaseCorrupted);
        CALL(bt_get(t, pgno, BJ_LATCH_SHARED, &fr));
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t n = bt_nnodes(pg), itag;
        bool found;
        bt_bm bm = {c->key, c->cbKey, c->data, c->cbData, BT_BM_KD};
        if (bt_is_leaf(pg)) {
            CALL(bt_search_leaf_bm(t, pg, &bm, &itag, &found));
            if (itag > n) /* past the end of an (empty or stale) leaf */
                itag = n ? n : 1;
        } else {
            CALL(bt_search_internal_bm(t, pg, &bm, &itag));
        }
        lt = lt * (n ? n : 1) + (itag - 1);
        total *= n ? n : 1;
        if (bt_is_leaf(pg))
            break;
        CALL(bt_child(pg, cbPage, itag, &pgno));
        bj_buf_release(fr);
        fr = NULL;
    }
    *plt = lt;
    *ptotal = total;
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}

JET_ERR bj_bt_goto_position(bj_bt_cursor *c, uint64_t lt, uint64_t total)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree *t = c->t;
    bj_frame *fr = NULL;
    uint32_t cbPage = bt_cbpage(t), pgno = t->pgnoRoot;
    if (total == 0 || lt > total)
        return BJ_ERR(JET_errInvalidParameter);
    long double frac = (long double)lt / (long double)total;
    pthread_rwlock_rdlock(&t->smo);
    c->state = BT_CUR_NONE;
    for (uint32_t depth = 0;; depth++) {
        if (depth >= BT_DEPTH_MAX)
            ERR(JET_errDatabaseCorrupted);
        CALL(bt_get(t, pgno, BJ_LATCH_SHARED, &fr));
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t n = bt_nnodes(pg);
        long double x = frac * n;
        uint32_t i = (uint32_t)x;
        if (n && i >= n)
            i = n - 1;
        frac = x - i;
        if (bt_is_leaf(pg)) {
            bj_frame *f = fr;
            fr = NULL;
            err = cur_scan_fwd(c, f, i + 1, false);
            if (err == JET_errNoCurrentRecord) {
                CALL(bt_descend(t, NULL, 0, 1, BJ_LATCH_SHARED, NULL, &f));
                err = cur_scan_back(c, f, bt_nnodes(bj_frame_data(f)), false);
                if (err == JET_errNoCurrentRecord)
                    err = BJ_ERR(JET_errRecordNotFound);
            }
            goto fail;
        }
        if (n == 0)
            ERR(JET_errDatabaseCorrupted);
        CALL(bt_child(pg, cbPage, i + 1, &pgno));
        bj_buf_release(fr);
        fr = NULL;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}

JET_ERR bj_bt_count(bj_bt_tree *t, bool skip_deleted, uint64_t *pcount)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint64_t count = 0, pages = 0;
    uint32_t pgnoFrom = 0;
    pthread_rwlock_rdlock(&t->smo);
    CALL(bt_descend(t, NULL, 0, -1, BJ_LATCH_SHARED, NULL, &fr));
    for (;;) {
        const uint8_t *pg = bj_frame_data(fr);
        /* a leaf chain longer than the file, or whose links disagree, loops: corrupt */
        if (!bt_is_leaf(pg) || ++pages > bj_buf_db_size(t->dbc->db) ||
            (pgnoFrom && bj_page_prev(pg) != pgnoFrom))
            ERR(JET_errDatabaseCorrupted);
        uint32_t n = bt_nnodes(pg);
        for (uint32_t i = 1; i <= n; i++) {
            bj_node nd;
            CALL(bj_page_get_node(pg, bt_cbpage(t), i, &nd));
            if (!(skip_deleted && (nd.flags & BJ_ND_DELETED)))
                count++;
        }
        uint32_t next = bj_page_next(pg);
        pgnoFrom = bj_frame_pgno(fr);
        bj_buf_release(fr);
        fr = NULL;
        if (!next)
            break;
        CALL(bt_get(t, next, BJ_LATCH_SHARED, &fr));
    }
    *pcount = count;
fail:
    if (fr)
        bj_buf_release(fr);
    pthread_rwlock_unlock(&t->smo);
    return err;
}
