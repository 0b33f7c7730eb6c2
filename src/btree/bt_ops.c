/* bt_ops.c: the only place the B-tree changes page bytes. Each helper builds one bj_pgop and
 * hands it to bj_bt_apply, which stamps the next dbtime, applies it with bj_page_apply (the
 * function redo will use) and marks the frame dirty. The log layer hooks into bj_bt_apply.
 * Callers hold the frame's exclusive latch.
 */
#include <stdatomic.h>

#include <stdatomic.h>
#include <string.h>

#include "btree/bt_int.h"
#include "os/os.h"
#include "page/pgop.h"

/* ---- structure modifications (SMOs) ----
 * A split or merge changes several pages in several log records; the log can end between
 * them. So the first change of each existing page inside an SMO logs the page's image before
 * it (tagged with the SMO's id), and the SMO's end is logged; recovery puts back the images of
 * an SMO whose end is missing, which leaves the tree as it was before it (the pages it took
 * from the space tree stay allocated: a leak, never a broken tree). The SMOs a thread is in
 * (an SMO of one tree may run an SMO of a space tree) are a small per-thread stack. */
#define BT_SMO_DEPTH 6
#define BT_SMO_PAGES 64
typedef struct bt_smo {
    bj_bt_tree *t;
    uint64_t id;
    uint32_t n;
    uint32_t pgno[BT_SMO_PAGES];
    bool imaged[BT_SMO_PAGES]; /* an image of the page before the SMO is in the log */
    uint32_t *rgfree; /* pages the SMO gives back: freed after its end is logged */
    uint32_t cfree, cfreeAlloc;
} bt_smo;
static _Thread_local bt_smo t_smo[BT_SMO_DEPTH];
static _Thread_local uint32_t t_smo_depth;
static _Atomic uint64_t g_smo_id;

static bt_smo *smo_of(bj_bt_tree *t);

void bt_smo_begin(bj_bt_tree *t)
{
    if (t_smo_depth < BT_SMO_DEPTH) {
        bt_smo *s = &t_smo[t_smo_depth];
        s->t = t;
        s->id = atomic_fetch_add(&g_smo_id, 1) + 1;
        s->n = 0;
        s->cfree = 0;
    }
    t_smo_depth++;
}

JET_ERR bt_smo_end(bj_bt_tree *t)
{
    JET_ERR err = JET_errSuccess;
    if (t_smo_depth == 0)
        return JET_errSuccess;
    t_smo_depth--;
    if (t_smo_depth < BT_SMO_DEPTH) {
        bt_smo *s = &t_smo[t_smo_depth];
        if (s->n && t->dbc->log_smo_end) /* an SMO that logged images */
            err = t->dbc->log_smo_end(t->dbc->log_ctx, t->dbc, s->id);
        s->t = NULL;
        /* only now may its pages go back to the space tree: an unfinished SMO is taken back
         * by recovery, and a page it still uses must not be free then */
        for (uint32_t i = 0; i < s->cfree; i++) {
            JET_ERR e2 = err >= 0 && t->alloc.release
                             ? t->alloc.release(t->alloc.ctx, t, s->rgfree[i])
                             : JET_errSuccess;
            if (err >= 0 && e2 < 0)
                err = e2;
        }
        s->cfree = 0;
        bj_free(s->rgfree);
        s->rgfree = NULL;
        s->cfreeAlloc = 0;
    }
    return err;
}

JET_ERR bt_smo_defer_free(bj_bt_tree *t, uint32_t pgno, bool *pfDeferred)
{
    bt_smo *s = smo_of(t);
    *pfDeferred = false;
    if (!s || !t->dbc->log)
        return JET_errSuccess;
    if (s->cfree == s->cfreeAlloc) {
        uint32_t n = s->cfreeAlloc ? 2 * s->cfreeAlloc : 8;
        uint32_t *rg = bj_realloc(s->rgfree, n * sizeof(*rg));
        if (!rg)
            return BJ_ERR(JET_errOutOfMemory);
        s->rgfree = rg;
        s->cfreeAlloc = n;
    }
    s->rgfree[s->cfree++] = pgno;
    *pfDeferred = true;
    return JET_errSuccess;
}

/* The SMO of tree t this thread is in (innermost), or NULL. */
static bt_smo *smo_of(bj_bt_tree *t)
{
    uint32_t d = t_smo_depth < BT_SMO_DEPTH ? t_smo_depth : BT_SMO_DEPTH;
    return d && t_smo[d - 1].t == t ? &t_smo[d - 1] : NULL;
}

/* The SMO's record of page pgno: *pimaged = whether the page's state before the SMO is
 * already recoverable from the log (an image, or a fresh page); NULL when the table is full
 * (the caller then logs an image every time). */
static bool *smo_page(bt_smo *s, uint32_t pgno)
{
    for (uint32_t i = 0; i < s->n && i < BT_SMO_PAGES; i++)
        if (s->pgno[i] == pgno)
            return &s->imaged[i];
    s->n++;
    if (s->n > BT_SMO_PAGES)
        return NULL;
    s->pgno[s->n - 1] = pgno;
    s->imaged[s->n - 1] = false;
    return &s->imaged[s->n - 1];
}

/* The op that takes op back on page pg (cbPage), built before op is applied (its data points
 * into pg): LINKS, FLAGS, REPLACE, INSERT, DELETE and DELTA have one; false for the others
 * (INIT, ranges, TAG 0: the caller logs the page's image instead). *pkey receives the full key
 * of a deleted node (cbPage bytes). */
static bool smo_inverse(const uint8_t *pg, uint32_t cbPage, const bj_pgop *op, bj_pgop *inv,
                        uint8_t *pkey)
{
    bj_node nd;
    memset(inv, 0, sizeof(*inv));
    inv->pgno = op->pgno;
    /* it applies only to the page exactly as op leaves it, and puts back the dbtime before
     * op: taking an SMO back is then idempotent, and an inverse whose op never reached the log
     * (or the page) is skipped */
    inv->dbtimeBefore = op->dbtimeAfter;
    inv->dbtimeAfter = bj_page_dbtime(pg);
    switch (op->kind) {
    case BJ_PGOP_LINKS:
        inv->kind = BJ_PGOP_LINKS;
        inv->linkMask = op->linkMask;
        inv->pgnoPrev = bj_page_prev(pg);
        inv->pgnoNext = bj_page_next(pg);
        inv->pageFlags = bj_page_flags(pg);
        inv->objid = bj_page_objid(pg);
        return true;
    case BJ_PGOP_FLAGS: {
        if (bj_page_get_node(pg, cbPage, op->itag, &nd) < 0)
            return false;
        const uint8_t m = (uint8_t)(op->flagsSet | op->flagsClear);
        inv->kind = BJ_PGOP_FLAGS;
        inv->itag = op->itag;
        inv->flagsSet = (uint8_t)(nd.flags & m);
        inv->flagsClear = (uint8_t)(~nd.flags & m);
        return true;
    }
    case BJ_PGOP_REPLACE:
        if (bj_page_get_node(pg, cbPage, op->itag, &nd) < 0)
            return false;
        inv->kind = BJ_PGOP_REPLACE;
        inv->itag = op->itag;
        inv->data = nd.data;
        inv->cbData = nd.cbData;
        return true;
    case BJ_PGOP_INSERT:
        inv->kind = BJ_PGOP_DELETE;
        inv->itag = op->itag;
        return true;
    case BJ_PGOP_DELETE:
        if (bj_page_get_node(pg, cbPage, op->itag, &nd) < 0 || nd.cbPrefix + nd.cbSuffix > cbPage)
            return false;
        if (nd.cbPrefix)
            memcpy(pkey, nd.prefix, nd.cbPrefix);
        if (nd.cbSuffix)
            memcpy(pkey + nd.cbPrefix, nd.suffix, nd.cbSuffix);
        inv->kind = BJ_PGOP_INSERT;
        inv->itag = op->itag;
        inv->key = pkey;
        inv->cbKey = nd.cbPrefix + nd.cbSuffix;
        inv->data = nd.data;
        inv->cbData = nd.cbData;
        inv->nodeFlags = (uint8_t)(nd.flags & (BJ_ND_VERSION | BJ_ND_DELETED));
        return true;
    case BJ_PGOP_DELTA:
        inv->kind = BJ_PGOP_DELTA;
        inv->itag = op->itag;
        inv->ibDelta = op->ibDelta;
        inv->cbDelta = op->cbDelta;
        inv->delta = -op->delta;
        return true;
    default:
        return false;
    }
}

JET_ERR bj_bt_apply(bj_bt_tree *t, bj_frame *fr, bj_pgop *op)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_dbctx *dbc = t->dbc;
    uint8_t *pg = bj_frame_data(fr);
    uint8_t *before = NULL;
    uint64_t lsnFirst = 0, lsn = 0;
    op->pgno = bj_frame_pgno(fr);
    op->dbtimeBefore = op->kind == BJ_PGOP_INIT ? 0 : bj_page_dbtime(pg);
    op->dbtimeAfter = atomic_fetch_add(&dbc->dbtime, 1) + 1;
    uint64_t smoid = 0;
    bj_pgop inv, *pinv = NULL;
    uint8_t *invkey = NULL;
    const bool fClean = dbc->log && !bj_buf_frame_dirty(fr);
    if (dbc->log) {
        bt_smo *s = smo_of(t);
        bool *pimaged = s ? smo_page(s, op->pgno) : NULL;
        if (s && (!pimaged || !*pimaged)) {
            /* an SMO changes a page: the log must let recovery take the change back. A fresh
             * page (dbtime 0) needs nothing; a clean page gets its image (the FPI anyway); a
             * change with an inverse logs the inverse; others (rebuilds) the page's image */
            if (bj_page_dbtime(pg) == 0) {
                if (pimaged)
                    *pimaged = true;
            } else if (!fClean &&
                       (op->kind != BJ_PGOP_DELETE || (invkey = bj_malloc(dbc->cbPage))) &&
                       smo_inverse(pg, dbc->cbPage, op, &inv, invkey)) {
                smoid = s->id;
                pinv = &inv;
            } else {
                smoid = s->id;
                if (pimaged)
                    *pimaged = true;
            }
        }
    }
    if (dbc->log && ((smoid && !pinv) || (op->kind != BJ_PGOP_INIT && fClean))) {
        before = bj_malloc(dbc->cbPage); /* the image redo starts from (see btree.h) */
        if (!before)
            ERR(JET_errOutOfMemory);
        memcpy(before, pg, dbc->cbPage);
    }
    CALL(bj_page_apply(pg, dbc->cbPage, op));
    if (dbc->log) {
        err = dbc->log(dbc->log_ctx, dbc, before, smoid, pinv, op, &lsnFirst, &lsn);
        if (err < 0) { /* the change is on the page but not in the log: never write it */
            bj_buf_dirty(fr, UINT64_MAX);
            goto fail;
        }
    }
    if (lsnFirst && lsnFirst != lsn)
        bj_buf_dirty(fr, lsnFirst);
    bj_buf_dirty(fr, lsn);
fail:
    bj_free(before);
    bj_free(invkey);
    return err;
}

JET_ERR bt_op_init(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags, uint32_t prev, uint32_t next,
                   const uint8_t *ext, uint32_t cbExt)
{
    bj_pgop op = {.kind = BJ_PGOP_INIT,
                  .objid = t->objid,
                  .pageFlags = pgflags,
                  .pgnoPrev = prev,
                  .pgnoNext = next,
                  .data = ext,
                  .cbData = cbExt};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_insert(bj_bt_tree *t, bj_frame *fr, uint32_t itag, const bt_kd *kd)
{
    bj_pgop op = {.kind = BJ_PGOP_INSERT,
                  .itag = itag,
                  .key = kd->key,
                  .cbKey = kd->cbKey,
                  .data = kd->data,
                  .cbData = kd->cbData,
                  .nodeFlags = kd->flags};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_append(bj_bt_tree *t, bj_frame *fr, const bt_kd *kd, uint32_t n)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cb = 0, used = 0;
    uint8_t *buf = NULL;
    if (n == 0)
        return JET_errSuccess;
    for (uint32_t i = 0; i < n; i++)
        cb += BJ_PGOP_PACKED_HDR + kd[i].cbKey + kd[i].cbData;
    buf = bj_malloc(cb);
    if (!buf)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = bj_pgop_pack_node(buf + used, cb - used, kd[i].flags, kd[i].key, kd[i].cbKey,
                                       kd[i].data, kd[i].cbData);
        if (c == 0)
            ERR(JET_errInvalidParameter);
        used += c;
    }
    bj_pgop op = {.kind = BJ_PGOP_INSERT_RANGE,
                  .itag = bj_page_ntags(bj_frame_data(fr)),
                  .data = buf,
                  .cbData = used};
    CALL(bj_bt_apply(t, fr, &op));
fail:
    bj_free(buf);
    return err;
}

JET_ERR bt_op_replace(bj_bt_tree *t, bj_frame *fr, uint32_t itag, const uint8_t *data,
                      uint32_t cbData)
{
    bj_pgop op = {.kind = BJ_PGOP_REPLACE, .itag = itag, .data = data, .cbData = cbData};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_delete(bj_bt_tree *t, bj_frame *fr, uint32_t itag)
{
    bj_pgop op = {.kind = BJ_PGOP_DELETE, .itag = itag};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_delete_range(bj_bt_tree *t, bj_frame *fr, uint32_t itagFirst, uint32_t n)
{
    if (n == 0)
        return JET_errSuccess;
    bj_pgop op = {.kind = BJ_PGOP_DELETE_RANGE, .itag = itagFirst, .count = n};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_nflags(bj_bt_tree *t, bj_frame *fr, uint32_t itag, uint8_t nflags)
{
    uint8_t all = BJ_ND_VERSION | BJ_ND_DELETED;
    bj_pgop op = {.kind = BJ_PGOP_FLAGS,
                  .itag = itag,
                  .flagsSet = (uint8_t)(nflags & all),
                  .flagsClear = (uint8_t)(~nflags & all)};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_delta(bj_bt_tree *t, bj_frame *fr, uint32_t itag, uint32_t ib, int32_t delta)
{
    bj_pgop op = {.kind = BJ_PGOP_DELTA, .itag = itag, .ibDelta = ib, .cbDelta = 4, .delta = delta};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_links(bj_bt_tree *t, bj_frame *fr, uint32_t prev, uint32_t next)
{
    bj_pgop op = {.kind = BJ_PGOP_LINKS,
                  .linkMask = BJ_PGOP_LINK_PREV | BJ_PGOP_LINK_NEXT,
                  .pgnoPrev = prev,
                  .pgnoNext = next};
    return bj_bt_apply(t, fr, &op);
}

JET_ERR bt_op_pgflags(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags)
{
    bj_pgop op = {.kind = BJ_PGOP_LINKS, .linkMask = BJ_PGOP_LINK_FLAGS, .pageFlags = pgflags};
    return bj_bt_apply(t, fr, &op);
}

bool bt_fits_insert(const uint8_t *pg, uint32_t cbPage, uint32_t itag, const bt_kd *kd)
{
    bj_pgop op = {.kind = BJ_PGOP_INSERT,
                  .itag = itag,
                  .key = kd->key,
                  .cbKey = kd->cbKey,
                  .data = kd->data,
                  .cbData = kd->cbData,
                  .nodeFlags = kd->flags};
    return bj_pgop_fits(pg, cbPage, &op) == JET_errSuccess;
}

bool bt_fits_replace(const uint8_t *pg, uint32_t cbPage, uint32_t itag, const uint8_t *data,
                     uint32_t cbData)
{
    bj_pgop op = {.kind = BJ_PGOP_REPLACE, .itag = itag, .data = data, .cbData = cbData};
    return bj_pgop_fits(pg, cbPage, &op) == JET_errSuccess;
}
