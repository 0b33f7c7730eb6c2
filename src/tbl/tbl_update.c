/* tbl_update.c: versioned record writes: the RCE callbacks (undo = the reverse B-tree
 * operation, cleanup = physical removal of flag-deleted nodes and freeing of dropped long
 * values), node-level writes on primary and index trees, index entry keys of a record, and
 * JetUpdate / JetDelete / JetEscrowUpdate / JetGetLock on a cursor.
 *
 * Every node write: bj_ver_modify first (write-conflict check, before-image), then the page
 * change(s), the version flag never after the data (see tbl_write.h). A flag-deleted node with
 * an equal identity is reused by inserts (bj_bt_insert's JET_errRecordDeleted).
 * Atomicity: bj_tbl_update / bj_tbl_delete run inside a nested transaction level of their own;
 * any failure rolls that level back, which undoes every node write made so far.
 */
#include "page/page.h"
#include "space/space.h"
#include "tbl/tbl_int.h"
#include "tbl/tbl_upd.h"

/* ---- RCE payloads ---- */

enum { OP_INSERT = 1, OP_REUSE, OP_REPLACE, OP_DELETE, OP_ESCROW, OP_LVNEW, OP_LOCK };

/* Payload: header, then key, data (node identity), old data (REUSE), LIDs to free.
 * Logged: crash recovery writes the payload bytes to the log and gives them back to rce_undo in
 * another process, so it holds no pointer, only fixed-width fields, in the host's layout (we
 * build for little-endian hosts only: common.h), the LIDs as bj_st32 (little-endian).
 * Fields per op: pgnoFDP/objid name the tree (bj_tbl_db_tree); DELETE/REPLACE with LIDs: the LV
 * tree's root in ibDelta and its objid in delta; ESCROW: ibDelta = offset, delta = amount. */
typedef struct vpay {
    uint32_t pgnoFDP, objid;
    uint32_t op;
    uint32_t cbKey, cbData, cbOld, clid;
    int32_t delta;
    uint32_t ibDelta;
} vpay;

static const uint8_t *pay_key(const vpay *p)
{
    return (const uint8_t *)(p + 1);
}
static const uint8_t *pay_data(const vpay *p)
{
    return pay_key(p) + p->cbKey;
}
static const uint8_t *pay_old(const vpay *p)
{
    return pay_data(p) + p->cbData;
}
static uint32_t pay_lid(const vpay *p, uint32_t i)
{
    return bj_ld32(pay_old(p) + p->cbOld + 4 * i);
}

/* Deletes a long value (root and chunks) physically. Missing: success. */
static JET_ERR lv_delete(bj_bt_tree *tr, uint32_t lid)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_cursor cur;
    uint8_t key[12];
    CALL(bj_bt_cursor_open(tr, false, &cur));
    for (;;) {
        uint32_t cbKey = bj_lv_root_key(lid, key);
        err = bj_bt_seek(&cur, key, cbKey, BJ_BT_SEEK_GE);
        if (err == JET_errRecordNotFound) {
            err = JET_errSuccess;
            break;
        }
        if (err < 0)
            break;
        const uint8_t *k;
        uint32_t cbK;
        err = bj_bt_get(&cur, &k, &cbK, NULL, NULL, NULL);
        if (err == JET_errRecordDeleted)
            continue; /* the node after ours (another LID) went meanwhile: seek again */
        if (err < 0)
            break;
        if (cbK < 4 || bj_ld32be(k) != lid) {
            err = JET_errSuccess;
            break;
        }
        uint8_t kc[12];
        memcpy(kc, k, cbK);
        err = bj_bt_delete(tr, kc, cbK);
        if (err < 0)
            break;
    }
    bj_bt_cursor_close(&cur);
fail:
    return err;
}

/* Rollback of one tbl RCE. Each case succeeds when the change never reached the page (recovery
 * re-creates RCEs whose page change was not logged) and when run again on an undone node (a
 * crash during a recovery rollback): INSERT: the node is deleted, absent = done; REUSE: the old
 * data and the flag-deleted flags are written again (absent: a flag-deleted node and none look
 * alike to every reader, done); REPLACE: the before-image is written again; DELETE: the delete
 * flag is cleared again; LVNEW: the LV's nodes are deleted, each absent one skipped. ESCROW is
 * one page operation (bj_bt_delta) and not idempotent: the log makes it atomic with its record.
 */
static JET_ERR rce_undo(bj_rce *rce, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = ctx;
    const vpay *p = rce->payload;
    bj_bt_tree *tr;
    if (!p || p->op == OP_LOCK)
        return JET_errSuccess;
    CALL(bj_tbl_db_tree(d, p->pgnoFDP, p->objid, &tr));
    switch (p->op) {
    case OP_INSERT:
        err = bj_bt_delete_kd(tr, pay_key(p), p->cbKey, pay_data(p), p->cbData);
        if (err == JET_errRecordNotFound) /* never inserted, or already undone */
            err = JET_errSuccess;
        CALL(err);
        break;
    case OP_REUSE:
        if (!(tr->flags & BJ_BT_NON_UNIQUE))
            err = bj_bt_replace(tr, pay_key(p), p->cbKey, pay_old(p), p->cbOld);
        if (err >= 0)
            err = bj_bt_set_flags_kd(tr, pay_key(p), p->cbKey, pay_old(p), p->cbOld,
                                     BJ_ND_VERSION | BJ_ND_DELETED);
        if (err == JET_errRecordNotFound)
            err = JET_errSuccess;
        CALL(err);
        break;
    case OP_REPLACE:
        CALL(bj_bt_replace(tr, pay_key(p), p->cbKey, rce->before, rce->cbBefore));
        break;
    case OP_DELETE:
        CALL(bj_bt_set_flags_kd(tr, pay_key(p), p->cbKey, pay_data(p), p->cbData, BJ_ND_VERSION));
        break;
    case OP_ESCROW:
        bj_ver_rce_set_applied(rce, false); /* readers re-read until the page is restored */
        CALL(bj_bt_delta(tr, pay_key(p), p->cbKey, p->ibDelta, -p->delta, NULL));
        break;
    case OP_LVNEW:
        CALL(lv_delete(tr, pay_lid(p, 0)));
        break;
    default:
        break;
    }
    bj_ver_rce_set_undone(rce);
fail:
    return err;
}

typedef struct cleanup_ctx {
    bj_ver *ver;
    const bj_rce *rce;
} cleanup_ctx;

/* Under the leaf's exclusive latch: the node is flag-deleted and no RCE newer than the delete
 * being cleaned exists for its key (no insert is reusing it, no later change). */
static bool cleanup_removable(void *ctx, uint8_t nflags)
{
    const cleanup_ctx *cc = ctx;
    return (nflags & BJ_ND_DELETED) && !bj_ver_rce_has_newer(cc->ver, cc->rce);
}

static JET_ERR rce_cleanup(bj_rce *rce, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = ctx;
    const vpay *p = rce->payload;
    bj_bt_tree *tr;
    if (!p || (p->op != OP_DELETE && p->op != OP_REPLACE))
        return JET_errSuccess;
    CALL(bj_tbl_db_tree(d, p->pgnoFDP, p->objid, &tr));
    if (p->op == OP_DELETE) {
        /* remove the node if it is still the flag-deleted one: both facts checked under the
         * leaf's exclusive latch, so an insert that reuses the node (its RCE is created before
         * it touches the page) either keeps it or finds it gone and inserts afresh */
        cleanup_ctx cc = {d->ver, rce};
        bool deleted;
        err = bj_bt_delete_kd_if(tr, pay_key(p), p->cbKey, pay_data(p), p->cbData,
                                 cleanup_removable, &cc, &deleted);
        if (err == JET_errRecordNotFound)
            err = JET_errSuccess;
        CALL(err);
    }
    if (p->clid) {
        const bj_cat_table *dummy = NULL;
        (void)dummy;
        bj_bt_tree *lvt;
        CALL(bj_tbl_db_tree(d, p->ibDelta /* LV root */, (uint32_t)p->delta, &lvt));
        for (uint32_t i = 0; i < p->clid; i++)
            CALL(lv_delete(lvt, pay_lid(p, i)));
    }
fail:
    return err;
}

void tbl_ops_init(bj_tbl_db *d)
{
    d->ops.undo = rce_undo;
    d->ops.cleanup = rce_cleanup;
    d->ops.ctx = d;
    d->ops.client = BJ_VER_CLIENT_TBL;
}

const bj_ver_ops *bj_tbl_db_ver_ops(bj_tbl_db *d)
{
    return &d->ops;
}

/* Builds a payload (malloc'ed). */
static vpay *pay_make(const bj_bt_tree *tr, uint32_t op, const uint8_t *k, uint32_t cbK,
                      const uint8_t *dt, uint32_t cbD, const uint8_t *old, uint32_t cbOld,
                      const uint32_t *rglid, uint32_t clid, uint32_t *pcb)
{
    uint32_t cb = (uint32_t)sizeof(vpay) + cbK + cbD + cbOld + 4 * clid;
    vpay *p = bj_calloc(1, cb);
    if (!p)
        return NULL;
    p->pgnoFDP = tr->pgnoRoot;
    p->objid = tr->objid;
    p->op = op;
    p->cbKey = cbK;
    p->cbData = cbD;
    p->cbOld = cbOld;
    p->clid = clid;
    uint8_t *w = (uint8_t *)(p + 1);
    if (cbK)
        memcpy(w, k, cbK);
    if (cbD)
        memcpy(w + cbK, dt, cbD);
    if (cbOld)
        memcpy(w + cbK + cbD, old, cbOld);
    for (uint32_t i = 0; i < clid; i++)
        bj_st32(w + cbK + cbD + cbOld + 4 * i, rglid[i]);
    *pcb = cb;
    return p;
}

/* ---- node writes ---- */

/* Reads the raw node (k, dt) of tr (identity as the tree defines it) into out (cbPage):
 * *pfound, *pnflags. */
static JET_ERR node_peek(bj_tbl_db *d, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                         const uint8_t *dt, uint32_t cbD, bool *pfound, uint8_t *pnflags,
                         uint8_t *out, uint32_t *pcbOut)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_cursor cur;
    const uint8_t *dd;
    uint32_t cbdd;
    *pfound = false;
    CALL(bj_bt_cursor_open(tr, false, &cur));
    err = bj_bt_seek_kd(&cur, k, cbK, dt, cbD, BJ_BT_SEEK_EQ);
    if (err >= 0)
        err = bj_bt_get(&cur, NULL, NULL, &dd, &cbdd, pnflags);
    if (err >= 0) {
        *pfound = true;
        if (out) {
            memcpy(out, dd, cbdd);
            *pcbOut = cbdd;
        }
    }
    bj_bt_cursor_close(&cur);
    if (err == JET_errRecordNotFound || err == JET_errRecordDeleted)
        err = JET_errSuccess;
    (void)d;
fail:
    return err;
}

static JET_ERR modify(bj_tbl_db *d, bj_trx *trx, const bj_bt_tree *tr, const uint8_t *vk,
                      uint32_t cbVk, bj_ver_kind kind, const void *before, uint32_t cbBefore,
                      vpay *p, uint32_t cbp, bj_rce **prce)
{
    bj_ver_key key = {.dbid = d->dbid, .objid = tr->objid, .bm = vk, .cbBm = cbVk};
    return bj_ver_modify(trx, &key, kind, before, cbBefore, &d->ops, p, cbp, prce);
}

/* Versioned insert of node (k, dt): JET_errKeyDuplicate when a live equal node exists. */
JET_ERR tbl_node_insert(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                        const uint8_t *dt, uint32_t cbD)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = d->dbc->cbPage;
    uint8_t *old = bj_malloc(cbPage), *vk = bj_malloc(2 * cbPage);
    vpay *p = NULL;
    bj_rce *rce = NULL;
    bool found;
    uint8_t nflags = 0;
    uint32_t cbOld = 0, cbp;
    if (!old || !vk)
        ERR(JET_errOutOfMemory);
    const uint32_t cbVk = tbl_verkey(tr, k, cbK, dt, cbD, vk);
    for (int tries = 0;; tries++) {
        CALL(node_peek(d, tr, k, cbK, dt, cbD, &found, &nflags, old, &cbOld));
        if (found && !(nflags & BJ_ND_DELETED))
            ERR(JET_errKeyDuplicate);
        bj_free(p);
        p = pay_make(tr, found ? OP_REUSE : OP_INSERT, k, cbK, dt, cbD, old, found ? cbOld : 0,
                     NULL, 0, &cbp);
        if (!p)
            ERR(JET_errOutOfMemory);
        /* the RCE first: from here on the cleanup of an older delete keeps a flag-deleted node */
        CALL(modify(d, trx, tr, vk, cbVk, BJ_VER_INSERT, NULL, 0, p, cbp, &rce));
        if (!found) {
            err = bj_bt_insert(tr, k, cbK, dt, cbD, BJ_ND_VERSION);
        } else {
            err = JET_errSuccess;
            if (!(tr->flags & BJ_BT_NON_UNIQUE))
                err = bj_bt_replace(tr, k, cbK, dt, cbD);
            if (err >= 0)
                err = bj_bt_set_flags_kd(tr, k, cbK, dt, cbD, BJ_ND_VERSION);
        }
        if (err >= 0)
            break;
        bj_ver_rce_cancel(trx, rce);
        /* the flag-deleted node went (cleanup removed it after our look) or one appeared: the
         * page changed under us before our RCE existed; look again */
        const bool raced = found ? err == JET_errRecordNotFound : err == JET_errRecordDeleted;
        if (!raced || tries >= 100)
            goto fail;
        err = JET_errSuccess;
    }
fail:
    bj_free(p);
    bj_free(old);
    bj_free(vk);
    return err;
}

/* Versioned flag-delete of node (k, dt) (its current data as before-image); lids (clid) are
 * freed by the cleanup from LV tree lv. */
JET_ERR tbl_node_delete(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                        const uint8_t *dt, uint32_t cbD, const uint32_t *rglid, uint32_t clid,
                        const bj_bt_tree *lv)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = d->dbc->cbPage;
    uint8_t *cur = bj_malloc(cbPage), *vk = bj_malloc(2 * cbPage);
    vpay *p = NULL;
    bj_rce *rce = NULL;
    bool found;
    uint8_t nflags = 0;
    uint32_t cbCur = 0, cbp;
    if (!cur || !vk)
        ERR(JET_errOutOfMemory);
    CALL(node_peek(d, tr, k, cbK, dt, cbD, &found, &nflags, cur, &cbCur));
    if (!found || (nflags & BJ_ND_DELETED))
        ERR(JET_errRecordDeleted);
    const bool fNU = (tr->flags & BJ_BT_NON_UNIQUE) != 0;
    p = pay_make(tr, OP_DELETE, k, cbK, fNU ? dt : NULL, fNU ? cbD : 0, NULL, 0, rglid, clid, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    if (clid && lv) {
        p->ibDelta = lv->pgnoRoot;
        p->delta = (int32_t)lv->objid;
    }
    uint32_t cbVk = tbl_verkey(tr, k, cbK, dt, cbD, vk);
    CALL(modify(d, trx, tr, vk, cbVk, BJ_VER_DELETE, cur, cbCur, p, cbp, &rce));
    err = bj_bt_set_flags_kd(tr, k, cbK, dt, cbD, BJ_ND_VERSION | BJ_ND_DELETED);
    if (err < 0) {
        bj_ver_rce_cancel(trx, rce);
        goto fail;
    }
fail:
    bj_free(p);
    bj_free(cur);
    bj_free(vk);
    return err;
}

/* Versioned replace of the data of node k in a unique tree. */
JET_ERR tbl_node_replace(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                         const uint8_t *dt, uint32_t cbD, const uint32_t *rglid, uint32_t clid,
                         const bj_bt_tree *lv)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = d->dbc->cbPage;
    uint8_t *cur = bj_malloc(cbPage);
    vpay *p = NULL;
    bj_rce *rce = NULL;
    bool found;
    uint8_t nflags = 0;
    uint32_t cbCur = 0, cbp;
    if (!cur)
        ERR(JET_errOutOfMemory);
    CALL(node_peek(d, tr, k, cbK, NULL, 0, &found, &nflags, cur, &cbCur));
    if (!found || (nflags & BJ_ND_DELETED))
        ERR(JET_errRecordDeleted);
    p = pay_make(tr, OP_REPLACE, k, cbK, NULL, 0, NULL, 0, rglid, clid, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    if (clid && lv) {
        p->ibDelta = lv->pgnoRoot;
        p->delta = (int32_t)lv->objid;
    }
    CALL(modify(d, trx, tr, k, cbK, BJ_VER_REPLACE, cur, cbCur, p, cbp, &rce));
    err = JET_errSuccess;
    if (!(nflags & BJ_ND_VERSION))
        err = bj_bt_set_flags(tr, k, cbK, BJ_ND_VERSION);
    if (err >= 0)
        err = bj_bt_replace(tr, k, cbK, dt, cbD);
    if (err < 0) {
        if (!(nflags & BJ_ND_VERSION))
            (void)bj_bt_set_flags(tr, k, cbK, nflags);
        bj_ver_rce_cancel(trx, rce);
        goto fail;
    }
fail:
    bj_free(p);
    bj_free(cur);
    return err;
}

/* A lock RCE on the record with bookmark bm (kind READ_LOCK / WRITE_LOCK). */
JET_ERR tbl_node_lock(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm, uint32_t cbBm,
                      bj_ver_kind kind)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbp;
    bj_rce *rce;
    vpay *p = pay_make(tr, OP_LOCK, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    CALL(modify(d, trx, tr, bm, cbBm, kind, NULL, 0, p, cbp, &rce));
fail:
    bj_free(p);
    return err;
}

JET_ERR tbl_node_deleted_error(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm,
                               uint32_t cbBm)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbp;
    bj_rce *rce = NULL;
    vpay *p = pay_make(tr, OP_LOCK, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    CALL(modify(d, trx, tr, bm, cbBm, BJ_VER_WRITE_LOCK, NULL, 0, p, cbp, &rce));
    bj_ver_rce_cancel(trx, rce);
    err = BJ_ERR(JET_errRecordDeleted);
fail:
    bj_free(p);
    return err;
}

/* Escrow: adds delta to the 4-byte value at ib of record bm; *pold = the page value before. */
JET_ERR tbl_node_delta(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm, uint32_t cbBm,
                       uint32_t ib, int32_t delta, bool fNoRollback, uint32_t *pold)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbp;
    bj_rce *rce = NULL;
    vpay *p = pay_make(tr, OP_ESCROW, bm, cbBm, NULL, 0, NULL, 0, NULL, 0, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    p->ibDelta = ib;
    p->delta = delta;
    if (!fNoRollback) {
        bj_ver_key key = {.dbid = d->dbid, .objid = tr->objid, .bm = bm, .cbBm = cbBm};
        CALL(bj_ver_modify_delta(trx, &key, ib, 4, delta, &d->ops, p, cbp, &rce));
        /* the flag first, so no reader sees the delta without it */
        bool found;
        uint8_t nflags;
        CALL(node_peek(d, tr, bm, cbBm, NULL, 0, &found, &nflags, NULL, NULL));
        if (found && !(nflags & BJ_ND_VERSION))
            err = bj_bt_set_flags(tr, bm, cbBm, nflags | BJ_ND_VERSION);
        if (err >= 0)
            err = bj_bt_delta(tr, bm, cbBm, ib, delta, pold);
        if (err < 0) {
            bj_ver_rce_cancel(trx, rce);
            goto fail;
        }
        bj_ver_rce_set_applied(rce, true); /* the page holds the delta now */
    } else {
        CALL(bj_bt_delta(tr, bm, cbBm, ib, delta, pold));
    }
fail:
    bj_free(p);
    return err;
}

/* Records a new long value lid of LV tree lv (rollback deletes it). */
JET_ERR tbl_lv_created(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *lv, uint32_t lid)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbp;
    bj_rce *rce;
    uint8_t key[8];
    uint32_t cbKey = bj_lv_root_key(lid, key);
    vpay *p = pay_make(lv, OP_LVNEW, NULL, 0, NULL, 0, NULL, 0, &lid, 1, &cbp);
    if (!p)
        ERR(JET_errOutOfMemory);
    CALL(modify(d, trx, lv, key, cbKey, BJ_VER_INSERT, NULL, 0, p, cbp, &rce));
fail:
    bj_free(p);
    return err;
}

JET_ERR tbl_lv_delete_now(bj_bt_tree *lv, uint32_t lid)
{
    return lv_delete(lv, lid);
}
