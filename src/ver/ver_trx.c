/* ver_trx.c: transactions (ESE's PIB transaction state and VERCommitTransaction /
 * ErrVERRollback) and reader snapshots.
 *
 * A session's bj_trx holds the level; the open level-0 transaction is a bj_ver_txn allocated
 * at level 0 -> 1, because its RCEs (and the readers that reach them) outlive the session's
 * next transaction: after commit the bj_ver_txn moves to ver's committed list and is freed by
 * cleanup with its last RCE. The RCEs of level n are always a suffix of the transaction's
 * creation-ordered list (levels nest), so commit of level n relabels that suffix n-1 and
 * rollback of level n undoes that suffix newest first.
 *
 * Snapshots: trxBegin0 and registered reader snapshots are drawn from the counter while
 * trx_lock is held and appended to the active list, which is therefore sorted; its head is the
 * oldest snapshot (cleanup's horizon).
 *
 * Commit publication, writer side (readers: see ver.c): after the commit hook, store
 * COMMITTING, draw trxCommit0 (seq_cst fetch-add), store trxCommit0; then leave the active list
 * and join the committed list. A transaction without RCEs publishes nothing.
 *
 * Rollback: per RCE, newest first: undo callback (which marks the RCE undone under its page
 * latch), mark undone, unlink and free. A failing callback stops the rollback there with
 * JET_errRollbackError; ver->fatal records the callback's error (the instance layer reads it
 * and refuses updates); the remaining RCEs stay owned by the transaction and a later rollback
 * retries them.
 */
#include "ver/ver_priv.h"

/* ---- snapshots ---- */

/* Draws a timestamp and appends snap to the active list (trx_lock held). */
static void snap_register(bj_ver *ver, bj_ver_snap *snap)
{
    snap->ts = atomic_fetch_add(&ver->ts, 1) + 1;
    snap->prev = ver->active.prev;
    snap->next = &ver->active;
    ver->active.prev->next = snap;
    ver->active.prev = snap;
    ver->nactive++;
}

static void snap_unregister(bj_ver *ver, bj_ver_snap *snap)
{
    snap->prev->next = snap->next;
    snap->next->prev = snap->prev;
    snap->prev = snap->next = NULL;
    ver->nactive--;
}

/* Lock-free registration in a slot: draw ts, publish it in the slot, then read the horizon of
 * the last cleanup pass. Cleanup (ver.c) publishes its horizon before it scans the slots, both
 * sequentially consistent: either the scan saw our ts (and kept what it sees), or we see that
 * horizon; a ts below it is drawn again (a newer ts sees everything that pass removed). */
void bj_ver_snap_begin(bj_ver *ver, bj_ver_snap *snap)
{
    const uint32_t start = (uint32_t)(((uintptr_t)snap >> 6) % BJ_VER_SNAP_SLOTS);
    for (uint32_t n = 0; n < BJ_VER_SNAP_SLOTS; n++) {
        const uint32_t i = (start + n) % BJ_VER_SNAP_SLOTS;
        uint64_t free_ = 0;
        if (atomic_load_explicit(&ver->slots[i], memory_order_relaxed) != 0 ||
            !atomic_compare_exchange_strong(&ver->slots[i], &free_, BJ_VER_SLOT_CLAIMED))
            continue;
        uint64_t ts;
        do {
            ts = atomic_fetch_add(&ver->ts, 1) + 1;
            atomic_store(&ver->slots[i], ts);
        } while (ts < atomic_load(&ver->horizon));
        snap->ts = ts;
        snap->slot = (int32_t)i;
        snap->prev = snap->next = NULL;
        return;
    }
    snap->slot = -1;
    bj_mutex_lock(&ver->trx_lock);
    snap_register(ver, snap);
    bj_mutex_unlock(&ver->trx_lock);
}

void bj_ver_snap_end(bj_ver *ver, bj_ver_snap *snap)
{
    if (snap->slot >= 0) {
        atomic_store(&ver->slots[snap->slot], 0);
        snap->slot = -1;
        return;
    }
    bj_mutex_lock(&ver->trx_lock);
    snap_unregister(ver, snap);
    bj_mutex_unlock(&ver->trx_lock);
}

uint64_t bj_ver_slots_oldest(bj_ver *ver, uint64_t bound, uint32_t *pcount)
{
    uint32_t n = 0;
    if (bound > atomic_load(&ver->horizon))
        atomic_store(&ver->horizon, bound);
    for (uint32_t i = 0; i < BJ_VER_SNAP_SLOTS; i++) {
        uint64_t s = atomic_load(&ver->slots[i]);
        if (s == 0 || s == BJ_VER_SLOT_CLAIMED)
            continue;
        n++;
        if (s < bound)
            bound = s;
    }
    if (pcount)
        *pcount = n;
    return bound;
}

/* ---- sessions ---- */

JET_ERR bj_ver_trx_create(bj_ver *ver, bj_trx **ptrx)
{
    JET_ERR err = JET_errSuccess;
    bj_trx *trx = bj_calloc(1, sizeof(*trx));
    *ptrx = NULL;
    if (!trx)
        ERR(JET_errOutOfMemory);
    trx->ver = ver;
    trx->state = BJ_TRX_NONE;
    *ptrx = trx;
fail:
    return err;
}

void bj_ver_trx_destroy(bj_trx *trx)
{
    if (!trx)
        return;
    bj_ver *ver = trx->ver;
    if (trx->level > 0)
        (void)bj_ver_trx_rollback(trx, JET_bitRollbackAll);
    if (trx->level > 0) {
        /* the rollback failed: the transaction's RCEs stay (uncommitted, so still invisible
         * and conflicting) until term; it no longer holds back cleanup */
        bj_mutex_lock(&ver->trx_lock);
        snap_unregister(ver, &trx->txn->snap);
        trx->txn->cnext = ver->zombies;
        ver->zombies = trx->txn;
        bj_mutex_unlock(&ver->trx_lock);
    }
    bj_free(trx);
}

uint32_t bj_ver_trx_level(const bj_trx *trx)
{
    return trx->level;
}

bj_trx_state bj_ver_trx_state(const bj_trx *trx)
{
    return trx->state;
}

uint64_t bj_ver_trx_id(const bj_trx *trx)
{
    return trx->id;
}

uint64_t bj_ver_trx_begin_ts(const bj_trx *trx)
{
    return trx->level ? trx->txn->snap.ts : 0;
}

uint64_t bj_ver_trx_commit_ts(const bj_trx *trx)
{
    return trx->last_commit;
}

uint32_t bj_ver_trx_rce_count(const bj_trx *trx)
{
    return trx->level ? trx->txn->nrce : 0;
}

/* ---- begin / commit ---- */

static JET_ERR trx_begin(bj_trx *trx, uint32_t levelMax)
{
    JET_ERR err = JET_errSuccess;
    bj_ver *ver = trx->ver;
    if (atomic_load(&ver->fatal))
        ERR(JET_errInstanceUnavailable);
    if (trx->level >= levelMax)
        ERR(JET_errTransTooDeep);
    if (trx->level == 0) {
        bj_ver_txn *t = bj_calloc(1, sizeof(*t));
        if (!t)
            ERR(JET_errOutOfMemory);
        atomic_init(&t->commit, BJ_TS_ACTIVE);
        bj_mutex_lock(&ver->trx_lock);
        snap_register(ver, &t->snap);
        bj_mutex_unlock(&ver->trx_lock);
        trx->txn = t;
        trx->id = atomic_fetch_add(&ver->trx_ids, 1) + 1;
    }
    trx->level++;
    trx->state = BJ_TRX_ACTIVE;
fail:
    return err;
}

JET_ERR bj_ver_trx_begin(bj_trx *trx)
{
    return trx_begin(trx, BJ_VER_LEVEL_MAX);
}

JET_ERR bj_ver_trx_begin_internal(bj_trx *trx)
{
    return trx_begin(trx, BJ_VER_LEVEL_INTERNAL_MAX);
}

JET_ERR bj_ver_trx_commit(bj_trx *trx, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_ver *ver = trx->ver;
    bj_ver_txn *t = trx->txn;
    if (trx->level == 0)
        ERR(JET_errNotInTransaction);
    if (trx->level > 1) {
        /* the level's RCEs (a suffix of the list) join the parent level */
        for (bj_rce *r = t->last; r && r->level == trx->level; r = r->trx_prev)
            r->level = trx->level - 1;
        trx->level--;
        return JET_errSuccess;
    }

    bool has_changes = t->first != NULL;
    if (ver->cfg.commit_hook)
        CALL(ver->cfg.commit_hook(ver->cfg.commit_hook_ctx, trx, grbit, has_changes));

    uint64_t c = 0;
    if (has_changes) {
        atomic_store(&t->commit, BJ_TS_COMMITTING);
        c = atomic_fetch_add(&ver->ts, 1) + 1;
        atomic_store(&t->commit, c);
    }
    bj_mutex_lock(&ver->trx_lock);
    snap_unregister(ver, &t->snap);
    if (has_changes) {
        t->cnext = ver->committed;
        ver->committed = t;
    }
    bj_mutex_unlock(&ver->trx_lock);
    if (!has_changes)
        bj_free(t);

    trx->txn = NULL;
    trx->level = 0;
    trx->id = 0;
    trx->state = BJ_TRX_COMMITTED;
    trx->last_commit = c;
    atomic_fetch_add_explicit(&ver->st_commits, 1, memory_order_relaxed);
    if (has_changes)
        bj_ver_after_commit(ver);
fail:
    return err;
}

/* ---- rollback ---- */

/* Undoes and drops the RCEs of the current level, newest first, then leaves the level. */
static JET_ERR rollback_level(bj_trx *trx)
{
    JET_ERR err = JET_errSuccess;
    bj_ver *ver = trx->ver;
    bj_ver_txn *t = trx->txn;
    while (t->last && t->last->level >= trx->level) {
        bj_rce *r = t->last;
        JET_ERR e = JET_errSuccess;
        if (ver->cfg.log_undo && bj_ver_logs(ver, r))
            e = ver->cfg.log_undo(ver->cfg.log_ctx, trx, r);
        if (e < 0) {
            int32_t expected = 0;
            atomic_compare_exchange_strong(&ver->fatal, &expected, e);
            ERR(JET_errRollbackError);
        }
        bj_ver_undo_begin(ver, trx, r);
        if (r->ops && r->ops->undo) {
            e = r->ops->undo(r, r->ops->ctx);
            if (e < 0) {
                bj_ver_undo_end();
                int32_t expected = 0;
                atomic_compare_exchange_strong(&ver->fatal, &expected, e);
                ERR(JET_errRollbackError);
            }
        }
        bj_ver_rce_set_undone(r); /* log_undone, if the callback did not mark it */
        bj_ver_undo_end();
        bj_ver_txn_remove(t, r);
        bj_ver_rce_free(ver, r);
        atomic_fetch_add_explicit(&ver->st_rolled_back, 1, memory_order_relaxed);
    }
    trx->level--;
    if (trx->level == 0) {
        atomic_store(&t->commit, BJ_TS_ROLLEDBACK);
        bj_mutex_lock(&ver->trx_lock);
        snap_unregister(ver, &t->snap);
        bj_mutex_unlock(&ver->trx_lock);
        bj_free(t);
        trx->txn = NULL;
        trx->state = BJ_TRX_ROLLED_BACK;
        if (ver->cfg.log_trx_end && atomic_load(&ver->logging))
            err = ver->cfg.log_trx_end(ver->cfg.log_ctx, trx);
        trx->id = 0;
    }
fail:
    return err;
}

void bj_ver_trx_abandon(bj_trx *trx)
{
    bj_ver *ver = trx->ver;
    bj_ver_txn *t = trx->txn;
    if (trx->level == 0)
        return;
    while (t->first) {
        bj_rce *r = t->first;
        bj_ver_txn_remove(t, r);
        bj_ver_rce_free(ver, r);
    }
    atomic_store(&t->commit, BJ_TS_ROLLEDBACK);
    bj_mutex_lock(&ver->trx_lock);
    snap_unregister(ver, &t->snap);
    bj_mutex_unlock(&ver->trx_lock);
    bj_free(t);
    trx->txn = NULL;
    trx->level = 0;
    trx->id = 0;
    trx->state = BJ_TRX_ROLLED_BACK;
}

JET_ERR bj_ver_trx_rollback(bj_trx *trx, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    if (trx->level == 0)
        ERR(JET_errNotInTransaction);
    do {
        CALL(rollback_level(trx));
    } while ((grbit & JET_bitRollbackAll) && trx->level > 0);
    atomic_fetch_add_explicit(&trx->ver->st_rollbacks, 1, memory_order_relaxed);
fail:
    return err;
}
