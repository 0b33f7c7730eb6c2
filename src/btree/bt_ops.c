/* bt_ops.c: the only place the B-tree changes page bytes. Each helper builds one bj_pgop and
 * hands it to bj_bt_apply, which stamps the next dbtime, applies it with bj_page_apply (the
 * function redo will use) and marks the frame dirty. The log layer hooks into bj_bt_apply.
 * Callers hold the frame's exclusive latch.
 */
#include <stdatomic.h>

#include <string.h>

#include "btree/bt_int.h"
#include "os/os.h"
#include "page/pgop.h"

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
    if (dbc->log && op->kind != BJ_PGOP_INIT && !bj_buf_frame_dirty(fr)) {
        before = bj_malloc(dbc->cbPage); /* the image redo starts from (see btree.h) */
        if (!before)
            ERR(JET_errOutOfMemory);
        memcpy(before, pg, dbc->cbPage);
    }
    CALL(bj_page_apply(pg, dbc->cbPage, op));
    if (dbc->log) {
        err = dbc->log(dbc->log_ctx, dbc, before, op, &lsnFirst, &lsn);
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
