/* test_ver_store.h: a fake record store for the version-store tests (header-only, static).
 *
 * A map from a small integer key to (present, deleted flag, bytes), guarded by one rwlock that
 * plays the page latch: writers hold it across bj_ver_modify + the change, readers across the
 * read + bj_ver_visible. Records are REC_CB bytes: a little-endian 64-bit counter (the escrow
 * column) followed by a tag. Each RCE's payload keeps the node's prior state, so undo can
 * restore it; cleanup of a committed delete removes the node physically if still deleted.
 */
#ifndef TEST_VER_STORE_H
#define TEST_VER_STORE_H

#include <stdatomic.h>

#include "os/os.h"
#include "testlib.h"
#include "ver/ver.h"

#define NKEYS 16
#define REC_CB 16

typedef struct fnode {
    bool present, deleted;
    uint8_t data[REC_CB];
} fnode;

typedef struct fstore {
    bj_rwlock latch;
    fnode n[NKEYS];
    atomic_int cleanups[NKEYS]; /* cleanup callbacks per key */
    atomic_int removed[NKEYS];  /* physical removals by cleanup */
    atomic_int undos;
    JET_ERR undo_error; /* when set, undo callbacks fail with it */
    bj_ver *ver;
} fstore;

static JET_ERR fs_undo(bj_rce *rce, void *ctx);
static JET_ERR fs_cleanup(bj_rce *rce, void *ctx);

static fstore g_fs;
static const bj_ver_ops g_fs_ops = {fs_undo, fs_cleanup, &g_fs, 0};

static const uint8_t g_bm[NKEYS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static bj_ver_key fs_key(int k)
{
    bj_ver_key key = {1, 7, &g_bm[k], 1};
    return key;
}

static void fs_init(bj_ver *ver)
{
    memset(&g_fs, 0, sizeof(g_fs));
    bj_rwlock_init(&g_fs.latch);
    g_fs.ver = ver;
}

static void fs_term(void)
{
    bj_rwlock_destroy(&g_fs.latch);
}

static void rec_make(uint8_t *out, int64_t counter, uint64_t tag)
{
    bj_st64(out, (uint64_t)counter);
    bj_st64(out + 8, tag);
}

static JET_ERR fs_undo(bj_rce *rce, void *ctx)
{
    fstore *fs = ctx;
    if (fs->undo_error)
        return fs->undo_error;
    int k = rce->bm[0];
    bj_rwlock_wrlock(&fs->latch);
    fnode *n = &fs->n[k];
    switch (rce->kind) {
    case BJ_VER_DELTA:
        bj_st64(n->data + rce->delta_off, bj_ld64(n->data + rce->delta_off) - (uint64_t)rce->delta);
        break;
    case BJ_VER_INSERT:
    case BJ_VER_REPLACE:
    case BJ_VER_DELETE:
        memcpy(n, rce->payload, sizeof(*n)); /* the prior state */
        break;
    default:
        break;
    }
    bj_ver_rce_set_undone(rce);
    atomic_fetch_add(&fs->undos, 1);
    bj_rwlock_unlock(&fs->latch);
    return JET_errSuccess;
}

static JET_ERR fs_cleanup(bj_rce *rce, void *ctx)
{
    fstore *fs = ctx;
    int k = rce->bm[0];
    atomic_fetch_add(&fs->cleanups[k], 1);
    if (rce->kind == BJ_VER_DELETE) {
        bj_rwlock_wrlock(&fs->latch);
        if (fs->n[k].present && fs->n[k].deleted) {
            fs->n[k].present = false;
            atomic_fetch_add(&fs->removed[k], 1);
        }
        bj_rwlock_unlock(&fs->latch);
    }
    return JET_errSuccess;
}

/* A versioned change of key k: INSERT/REPLACE (data = new bytes), DELETE. */
static JET_ERR fs_write(bj_trx *trx, int k, bj_ver_kind kind, const uint8_t *data)
{
    JET_ERR err = JET_errSuccess;
    bj_ver_key key = fs_key(k);
    bj_rwlock_wrlock(&g_fs.latch);
    fnode *n = &g_fs.n[k];
    fnode prior = *n;
    bool live = n->present && !n->deleted;
    bj_rce *rce = NULL;
    if (kind == BJ_VER_INSERT || kind == BJ_VER_REPLACE || kind == BJ_VER_DELETE ||
        kind == BJ_VER_WRITE_LOCK || kind == BJ_VER_READ_LOCK)
        CALL(bj_ver_modify(trx, &key, kind, live ? n->data : NULL, live ? REC_CB : 0, &g_fs_ops,
                           &prior, sizeof(prior), &rce));
    else
        ERR(JET_errInvalidParameter);
    if (kind == BJ_VER_INSERT && live) {
        bj_ver_rce_cancel(trx, rce);
        ERR(JET_errKeyDuplicate);
    }
    if ((kind == BJ_VER_REPLACE || kind == BJ_VER_DELETE || kind == BJ_VER_WRITE_LOCK ||
         kind == BJ_VER_READ_LOCK) &&
        !live) {
        bj_ver_rce_cancel(trx, rce);
        ERR(JET_errRecordNotFound);
    }
    if (kind == BJ_VER_INSERT || kind == BJ_VER_REPLACE) {
        n->present = true;
        n->deleted = false;
        memcpy(n->data, data, REC_CB);
    } else if (kind == BJ_VER_DELETE) {
        n->deleted = true;
    }
fail:
    bj_rwlock_unlock(&g_fs.latch);
    return err;
}

/* An escrow delta on key k's counter. */
static JET_ERR fs_delta(bj_trx *trx, int k, int64_t delta)
{
    JET_ERR err = JET_errSuccess;
    bj_ver_key key = fs_key(k);
    bj_rwlock_wrlock(&g_fs.latch);
    fnode *n = &g_fs.n[k];
    fnode prior = *n;
    bj_rce *rce = NULL;
    CALL(bj_ver_modify_delta(trx, &key, 0, 8, delta, &g_fs_ops, &prior, sizeof(prior), &rce));
    if (!n->present || n->deleted) {
        bj_ver_rce_cancel(trx, rce);
        ERR(JET_errRecordNotFound);
    }
    bj_st64(n->data, bj_ld64(n->data) + (uint64_t)delta);
    bj_ver_rce_set_applied(rce, true);
fail:
    bj_rwlock_unlock(&g_fs.latch);
    return err;
}

/* Reads key k as trx (or, with trx NULL / level 0, as snapshot ts): 1 present, 0 absent, or a
 * negative error. */
static int fs_read(bj_trx *trx, uint64_t ts, int k, uint8_t *out)
{
    bj_ver_key key = fs_key(k);
    uint8_t buf[REC_CB];
    bj_ver_seen seen;
    bj_rwlock_rdlock(&g_fs.latch);
    fnode *n = &g_fs.n[k];
    JET_ERR err = bj_ver_visible(g_fs.ver, trx, ts, &key, n->present, n->deleted, n->data, REC_CB,
                                 buf, sizeof(buf), &seen);
    if (err >= 0 && seen.present)
        memcpy(out, seen.from_page ? n->data : buf, REC_CB);
    bj_rwlock_unlock(&g_fs.latch);
    if (err < 0)
        return err;
    return seen.present ? 1 : 0;
}

static int64_t rec_counter(const uint8_t *r)
{
    return (int64_t)bj_ld64(r);
}

static uint64_t rec_tag(const uint8_t *r)
{
    return bj_ld64(r + 8);
}

#endif
