/* ver.c: the version store: the RCE hash, bj_ver_modify (write conflicts, budget), visibility,
 * cleanup and its background thread.
 *
 * Hash: BJ_VER_NBUCKETS buckets of per-key chains (bj_ver_chain), each chain a doubly linked
 * list of RCEs newest first. A chain and its RCEs' chain links change only under the stripe
 * lock of the bucket, as writer; readers (visibility, conflict checks hold it as writer) hold
 * it as reader only while walking. An RCE is freed only after it has been unlinked under that
 * lock, so a walker never sees freed memory; a transaction record (bj_ver_txn) is freed only
 * after all its RCEs are, so rce->txn is valid for anyone who reached rce under the lock.
 *
 * Commit publication (see ver_trx.c for the writer side): a transaction's state and commit
 * timestamp are one atomic word: ACTIVE -> COMMITTING -> trxCommit0. The committer stores
 * COMMITTING before it draws trxCommit0 from the counter (both sequentially consistent). A
 * reader drew its snapshot before it looks. If it sees ACTIVE, the committer's draw comes after
 * the reader's in the counter's order, so trxCommit0 > snapshot: invisible now and forever. If
 * it sees COMMITTING it waits until the timestamp is published and compares. So no snapshot
 * sees a transaction first as uncommitted and later as committed before it.
 *
 * Budget: each RCE charges sizeof(bj_rce) + its bytes to cbUsed; past cfg.cbMax the modifying
 * call kicks the cleanup thread and waits for a few of its passes (wait_for_cleanup) before it
 * gets JET_errVersionStoreOutOfMemory.
 */
#include <sched.h>

#include "ver/ver_priv.h"

/* ---- helpers ---- */

uint32_t bj_ver_bucket_size(uint32_t cbVerPageParam, uint32_t cbDbPage)
{
    uint32_t cb = BJ_MAX(cbVerPageParam, 2u * cbDbPage);
    cb = BJ_MIN(cb, 64u * 1024u);
    return cb - 0x20u;
}

static uint32_t key_hash(const bj_ver_key *key)
{
    uint32_t h = 2166136261u;
    uint8_t hdr[8];
    bj_st32(hdr, key->dbid);
    bj_st32(hdr + 4, key->objid);
    for (size_t i = 0; i < sizeof(hdr); i++)
        h = (h ^ hdr[i]) * 16777619u;
    const uint8_t *b = key->bm;
    for (uint32_t i = 0; i < key->cbBm; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static bj_rwlock *stripe_of(bj_ver *ver, uint32_t hash)
{
    return &ver->stripes[(hash & (BJ_VER_NBUCKETS - 1)) % BJ_VER_NSTRIPES];
}

/* The key's chain, or NULL (stripe lock held). */
static bj_ver_chain *chain_find(bj_ver *ver, uint32_t hash, const bj_ver_key *key)
{
    for (bj_ver_chain *c = ver->buckets[hash & (BJ_VER_NBUCKETS - 1)]; c; c = c->next) {
        if (c->hash == hash && c->dbid == key->dbid && c->objid == key->objid &&
            c->cbBm == key->cbBm && (key->cbBm == 0 || !memcmp(c->bm, key->bm, key->cbBm)))
            return c;
    }
    return NULL;
}

uint64_t bj_ver_txn_commit_ts(const bj_ver_txn *txn)
{
    uint64_t c = atomic_load(&((bj_ver_txn *)txn)->commit);
    unsigned spins = 0;
    while (c == BJ_TS_COMMITTING) {
        if (++spins > 64)
            sched_yield();
        c = atomic_load(&((bj_ver_txn *)txn)->commit);
    }
    return c;
}

static bool ts_committed(uint64_t c)
{
    return c != BJ_TS_ACTIVE && c != BJ_TS_ROLLEDBACK;
}

void bj_ver_txn_remove(bj_ver_txn *txn, bj_rce *rce)
{
    if (rce->trx_prev)
        rce->trx_prev->trx_next = rce->trx_next;
    else
        txn->first = rce->trx_next;
    if (rce->trx_next)
        rce->trx_next->trx_prev = rce->trx_prev;
    else
        txn->last = rce->trx_prev;
    rce->trx_prev = rce->trx_next = NULL;
    txn->nrce--;
}

void bj_ver_rce_free(bj_ver *ver, bj_rce *rce)
{
    bj_ver_chain *c = rce->chain;
    bj_rwlock *lk = stripe_of(ver, c->hash);
    bj_rwlock_wrlock(lk);
    if (rce->newer)
        rce->newer->older = rce->older;
    else
        c->newest = rce->older;
    if (rce->older)
        rce->older->newer = rce->newer;
    bool empty = c->newest == NULL;
    if (empty) {
        bj_ver_chain **pp = &ver->buckets[c->hash & (BJ_VER_NBUCKETS - 1)];
        while (*pp != c)
            pp = &(*pp)->next;
        *pp = c->next;
    }
    bj_rwlock_unlock(lk);
    if (empty)
        bj_free(c);
    atomic_fetch_sub(&ver->cbUsed, rce->cbCharge);
    atomic_fetch_sub(&ver->st_live, 1); /* after the unlink (bj_ver_quiet) */
    bj_free(rce);
}

bool bj_ver_quiet(bj_ver *ver)
{
    return atomic_load(&ver->st_live) == 0;
}

/* The undo this thread's rollback is running (log_undone is called once for it). */
static _Thread_local struct {
    bj_ver *ver;
    bj_trx *trx;
    bj_rce *rce;
    bool logged;
} t_undo;

void bj_ver_undo_begin(bj_ver *ver, bj_trx *trx, bj_rce *rce)
{
    t_undo.ver = ver;
    t_undo.trx = trx;
    t_undo.rce = rce;
    t_undo.logged = false;
}

void bj_ver_undo_end(void)
{
    t_undo.rce = NULL;
}

void bj_ver_rce_set_undone(bj_rce *rce)
{
    /* the undo record first: nobody may change the record before it is in the log */
    if (t_undo.rce == rce && !t_undo.logged) {
        t_undo.logged = true;
        bj_ver *ver = t_undo.ver;
        if (ver->cfg.log_undone && bj_ver_logs(ver, rce))
            ver->cfg.log_undone(ver->cfg.log_ctx, t_undo.trx, rce);
    }
    atomic_store(&rce->undone, 1);
}

void bj_ver_rce_set_applied(bj_rce *rce, bool applied)
{
    atomic_store(&rce->inflight, applied ? 0 : 1);
}

static bool rce_undone(const bj_rce *rce)
{
    return atomic_load(&((bj_rce *)rce)->undone) != 0;
}

/* ---- instance ---- */

JET_ERR bj_ver_init(const bj_ver_config *cfg, bj_ver **pver)
{
    JET_ERR err = JET_errSuccess;
    *pver = NULL;
    bj_ver *ver = bj_calloc(1, sizeof(*ver));
    if (!ver)
        ERR(JET_errOutOfMemory);
    if (cfg)
        ver->cfg = *cfg;
    if (!ver->cfg.cleanup_every)
        ver->cfg.cleanup_every = 64;
    if (!ver->cfg.cleanup_ms)
        ver->cfg.cleanup_ms = 100;
    atomic_init(&ver->ts, 0);
    atomic_init(&ver->cbUsed, 0);
    atomic_init(&ver->fatal, 0);
    atomic_init(&ver->commits_since_cleanup, 0);
    atomic_init(&ver->rce_ids, 0);
    atomic_init(&ver->trx_ids, 0);
    atomic_init(&ver->logging, true);
    bj_mutex_init(&ver->trx_lock);
    bj_mutex_init(&ver->cleanup_lock);
    bj_mutex_init(&ver->thr_lock);
    bj_cond_init(&ver->thr_cond);
    bj_cond_init(&ver->thr_done);
    for (uint32_t i = 0; i < BJ_VER_NSTRIPES; i++)
        bj_rwlock_init(&ver->stripes[i]);
    ver->active.prev = ver->active.next = &ver->active;
    *pver = ver;
fail:
    return err;
}

static void txn_free_all(bj_ver *ver, bj_ver_txn *t)
{
    while (t->first) {
        bj_rce *r = t->first;
        bj_ver_txn_remove(t, r);
        bj_ver_rce_free(ver, r);
    }
    bj_free(t);
}

void bj_ver_term(bj_ver *ver)
{
    if (!ver)
        return;
    bj_ver_stop_cleanup_thread(ver);
    bj_ver_cleanup(ver);
    bj_ver_term_discard(ver);
}

void bj_ver_term_discard(bj_ver *ver)
{
    if (!ver)
        return;
    bj_ver_stop_cleanup_thread(ver);
    while (ver->committed) {
        bj_ver_txn *t = ver->committed;
        ver->committed = t->cnext;
        txn_free_all(ver, t);
    }
    while (ver->zombies) {
        bj_ver_txn *t = ver->zombies;
        ver->zombies = t->cnext;
        txn_free_all(ver, t);
    }
    for (uint32_t i = 0; i < BJ_VER_NSTRIPES; i++)
        bj_rwlock_destroy(&ver->stripes[i]);
    bj_cond_destroy(&ver->thr_cond);
    bj_cond_destroy(&ver->thr_done);
    bj_mutex_destroy(&ver->thr_lock);
    bj_mutex_destroy(&ver->cleanup_lock);
    bj_mutex_destroy(&ver->trx_lock);
    bj_free(ver);
}

void bj_ver_get_stats(bj_ver *ver, bj_ver_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->cbUsed = atomic_load(&ver->cbUsed);
    st->cbMax = ver->cfg.cbMax;
    st->rces_live = atomic_load(&ver->st_live);
    st->rces_created = atomic_load(&ver->st_created);
    st->rces_cleaned = atomic_load(&ver->st_cleaned);
    st->rces_rolled_back = atomic_load(&ver->st_rolled_back);
    st->commits = atomic_load(&ver->st_commits);
    st->rollbacks = atomic_load(&ver->st_rollbacks);
    st->write_conflicts = atomic_load(&ver->st_conflicts);
    st->out_of_budget = atomic_load(&ver->st_oob);
    st->cleanup_runs = atomic_load(&ver->st_cleanup_runs);
    st->cleanup_callbacks = atomic_load(&ver->st_cleanup_callbacks);
    bj_mutex_lock(&ver->trx_lock);
    uint32_t nslots = 0;
    (void)bj_ver_slots_oldest(ver, 0, &nslots);
    st->active = ver->nactive + nslots;
    bj_mutex_unlock(&ver->trx_lock);
}

JET_ERR bj_ver_fatal_error(bj_ver *ver)
{
    return atomic_load(&ver->fatal);
}

uint64_t bj_ver_now(bj_ver *ver)
{
    return atomic_load(&ver->ts);
}

void bj_ver_set_logging(bj_ver *ver, bool on)
{
    atomic_store(&ver->logging, on);
}

bool bj_ver_logs(const bj_ver *ver, const bj_rce *rce)
{
    return rce->kind != BJ_VER_READ_LOCK && rce->kind != BJ_VER_WRITE_LOCK &&
           atomic_load(&((bj_ver *)ver)->logging);
}

/* ---- modify ---- */

static bool kind_commutes(bj_ver_kind k)
{
    return k == BJ_VER_DELTA || k == BJ_VER_READ_LOCK;
}

/* ESE's operDelta and operDelta64 are different operations. */
static bool same_oper(const bj_rce *r, bj_ver_kind kind, uint32_t delta_size)
{
    return r->kind == kind && (kind != BJ_VER_DELTA || r->delta_size == delta_size);
}

/* ESE's FActiveNotByMe: r belongs to another transaction that is uncommitted, or committed
 * after our begin. */
static bool active_not_by_me(const bj_rce *r, const bj_ver_txn *me)
{
    if (r->txn == me)
        return false;
    uint64_t c = bj_ver_txn_commit_ts(r->txn);
    return !ts_committed(c) || c > me->snap.ts;
}

/* ESE's FVERIWriteConflict (ver.cxx), on the key's chain (stripe lock held). */
static bool write_conflict(const bj_ver_chain *chain, const bj_ver_txn *me, bj_ver_kind kind,
                           uint32_t delta_size)
{
    const bj_rce *newest = chain ? chain->newest : NULL;
    if (!newest)
        return false;
    if (active_not_by_me(newest, me)) {
        if (!kind_commutes(kind))
            return true;
        /* commuting operations: every RCE not committed before our begin (ours included)
         * must be the same operation */
        for (const bj_rce *r = newest; r; r = r->older) {
            uint64_t c = bj_ver_txn_commit_ts(r->txn);
            if (ts_committed(c) && c < me->snap.ts)
                break;
            if (!same_oper(r, kind, delta_size))
                return true;
        }
        return false;
    }
    if (!same_oper(newest, kind, delta_size) && kind_commutes(newest->kind)) {
        /* a different operation after commuting ones: nobody else may still hold one */
        for (const bj_rce *r = newest; r; r = r->older)
            if (active_not_by_me(r, me))
                return true;
    }
    return false;
}

/* Passes of the cleanup thread a modification over budget waits for (each at most
 * BJ_VER_ROOM_WAIT_MS) before it gives up with JET_errVersionStoreOutOfMemory. */
#define BJ_VER_ROOM_WAITS 4
#define BJ_VER_ROOM_WAIT_MS 250

/* Kicks the cleanup thread and waits until it has completed a pass that began after the kick
 * (ESE waits for version cleanup too before it reports the store full). The caller holds no
 * ver lock and no page latch. False without a thread or on timeout. */
static bool wait_for_cleanup(bj_ver *ver)
{
    bool done = false;
    bj_mutex_lock(&ver->thr_lock);
    if (ver->thr_running && !ver->thr_stop) {
        /* a pass already under way may have taken its oldest snapshot before our commits: wait
         * for the one after it */
        const uint64_t target = ver->thr_passes + (ver->thr_busy ? 2 : 1);
        ver->thr_kick = true;
        bj_cond_signal(&ver->thr_cond);
        while (ver->thr_passes < target && !ver->thr_stop)
            if (!bj_cond_timedwait(&ver->thr_done, &ver->thr_lock, BJ_VER_ROOM_WAIT_MS))
                break;
        done = ver->thr_passes >= target;
    }
    bj_mutex_unlock(&ver->thr_lock);
    return done;
}

static JET_ERR modify(bj_trx *trx, const bj_ver_key *key, bj_ver_kind kind, const void *before,
                      uint32_t cbBefore, uint32_t delta_off, uint32_t delta_size, int64_t delta,
                      const bj_ver_ops *ops, const void *payload, uint32_t cbPayload, bj_rce **prce)
{
    JET_ERR err = JET_errSuccess;
    bj_ver *ver = trx->ver;
    bj_rce *rce = NULL;
    uint64_t charge = 0;
    bj_rwlock *lk = NULL;
    if (prce)
        *prce = NULL;
    if (atomic_load(&ver->fatal))
        ERR(JET_errInstanceUnavailable);
    if (trx->level == 0)
        ERR(JET_errNotInTransaction);
    if (!key || (key->cbBm && !key->bm) || (cbPayload && !payload) || kind < BJ_VER_INSERT ||
        kind > BJ_VER_DDL)
        ERR(JET_errInvalidParameter);
    if (kind == BJ_VER_REPLACE || kind == BJ_VER_DELETE) {
        if (cbBefore && !before)
            ERR(JET_errInvalidParameter);
    } else {
        cbBefore = 0;
    }

    size_t cbPay8 = ((size_t)cbPayload + 7u) & ~(size_t)7u;
    size_t cb = sizeof(bj_rce) + cbPay8 + key->cbBm + cbBefore;
    if (cb > UINT32_MAX)
        ERR(JET_errVersionStoreEntryTooBig);
    charge = cb;
    uint64_t used = atomic_fetch_add(&ver->cbUsed, charge) + charge;
    for (int attempt = 0; ver->cfg.cbMax && used > ver->cfg.cbMax; attempt++) {
        atomic_fetch_sub(&ver->cbUsed, charge);
        charge = 0;
        if (attempt == BJ_VER_ROOM_WAITS || !wait_for_cleanup(ver)) {
            atomic_fetch_add_explicit(&ver->st_oob, 1, memory_order_relaxed);
            ERR(JET_errVersionStoreOutOfMemory);
        }
        charge = cb;
        used = atomic_fetch_add(&ver->cbUsed, charge) + charge;
    }
    rce = bj_malloc(cb);
    if (!rce)
        ERR(JET_errOutOfMemory);
    memset(rce, 0, sizeof(*rce));
    uint8_t *p = (uint8_t *)(rce + 1);
    rce->payload = cbPayload ? p : NULL;
    if (cbPayload)
        memcpy(p, payload, cbPayload);
    p += cbPay8;
    rce->bm = p;
    if (key->cbBm)
        memcpy(p, key->bm, key->cbBm);
    p += key->cbBm;
    rce->before = cbBefore ? p : NULL;
    if (cbBefore)
        memcpy(p, before, cbBefore);
    rce->dbid = key->dbid;
    rce->objid = key->objid;
    rce->cbBm = key->cbBm;
    rce->kind = kind;
    rce->level = trx->level;
    rce->cbBefore = cbBefore;
    rce->delta_off = delta_off;
    rce->delta_size = delta_size;
    rce->delta = delta;
    rce->cbPayload = cbPayload;
    rce->ops = ops;
    rce->txn = trx->txn;
    rce->cbCharge = (uint32_t)charge;
    atomic_init(&rce->undone, 0);
    atomic_init(&rce->inflight, kind == BJ_VER_DELTA ? 1 : 0);
    rce->id = atomic_fetch_add(&ver->rce_ids, 1) + 1;

    uint32_t hash = key_hash(key);
    lk = stripe_of(ver, hash);
    bj_rwlock_wrlock(lk);
    bj_ver_chain *chain = chain_find(ver, hash, key);
    if (write_conflict(chain, trx->txn, kind, delta_size)) {
        atomic_fetch_add_explicit(&ver->st_conflicts, 1, memory_order_relaxed);
        ERR(JET_errWriteConflict);
    }
    if (!chain) {
        chain = bj_malloc(sizeof(*chain) + key->cbBm);
        if (!chain)
            ERR(JET_errOutOfMemory);
        chain->hash = hash;
        chain->dbid = key->dbid;
        chain->objid = key->objid;
        chain->cbBm = key->cbBm;
        if (key->cbBm)
            memcpy(chain->bm, key->bm, key->cbBm);
        chain->newest = NULL;
        bj_ver_chain **head = &ver->buckets[hash & (BJ_VER_NBUCKETS - 1)];
        chain->next = *head;
        *head = chain;
    }
    rce->chain = chain;
    rce->older = chain->newest;
    if (chain->newest)
        chain->newest->newer = rce;
    chain->newest = rce;
    bj_rwlock_unlock(lk);
    lk = NULL;

    bj_ver_txn *t = trx->txn;
    rce->trx_prev = t->last;
    if (t->last)
        t->last->trx_next = rce;
    else
        t->first = rce;
    t->last = rce;
    t->nrce++;
    atomic_fetch_add(&ver->st_live, 1); /* before the page changes (bj_ver_quiet) */
    if (ver->cfg.log_rce && bj_ver_logs(ver, rce)) {
        err = ver->cfg.log_rce(ver->cfg.log_ctx, trx, rce);
        if (err < 0) {
            bj_ver_txn_remove(t, rce);
            bj_ver_rce_free(ver, rce); /* releases the charge */
            return err;
        }
        err = JET_errSuccess;
    }
    atomic_fetch_add_explicit(&ver->st_created, 1, memory_order_relaxed);
    if (prce)
        *prce = rce;
    return JET_errSuccess;

fail:
    if (lk)
        bj_rwlock_unlock(lk);
    bj_free(rce);
    if (charge)
        atomic_fetch_sub(&ver->cbUsed, charge);
    return err;
}

JET_ERR bj_ver_modify(bj_trx *trx, const bj_ver_key *key, bj_ver_kind kind, const void *before,
                      uint32_t cbBefore, const bj_ver_ops *ops, const void *payload,
                      uint32_t cbPayload, bj_rce **prce)
{
    if (kind == BJ_VER_DELTA)
        return BJ_ERR(JET_errInvalidParameter);
    return modify(trx, key, kind, before, cbBefore, 0, 0, 0, ops, payload, cbPayload, prce);
}

JET_ERR bj_ver_modify_delta(bj_trx *trx, const bj_ver_key *key, uint32_t off, uint32_t size,
                            int64_t delta, const bj_ver_ops *ops, const void *payload,
                            uint32_t cbPayload, bj_rce **prce)
{
    if (size != 4 && size != 8)
        return BJ_ERR(JET_errInvalidParameter);
    return modify(trx, key, BJ_VER_DELTA, NULL, 0, off, size, delta, ops, payload, cbPayload, prce);
}

void bj_ver_rce_cancel(bj_trx *trx, bj_rce *rce)
{
    if (trx->ver->cfg.log_cancel && bj_ver_logs(trx->ver, rce))
        trx->ver->cfg.log_cancel(trx->ver->cfg.log_ctx, trx, rce);
    bj_ver_txn_remove(trx->txn, rce);
    bj_ver_rce_free(trx->ver, rce);
}

/* ---- visibility ---- */

/* image -= delta, in place (little-endian, wrapping). */
static void delta_subtract(uint8_t *img, const bj_rce *r)
{
    if (r->delta_size == 4)
        bj_st32(img + r->delta_off, bj_ld32(img + r->delta_off) - (uint32_t)r->delta);
    else
        bj_st64(img + r->delta_off, bj_ld64(img + r->delta_off) - (uint64_t)r->delta);
}

JET_ERR bj_ver_visible(bj_ver *ver, const bj_trx *trx, uint64_t snap_ts, const bj_ver_key *key,
                       bool present, bool deleted, const void *data, uint32_t cb, void *buf,
                       uint32_t cbBuf, bj_ver_seen *seen)
{
    JET_ERR err = JET_errSuccess;
    const bj_ver_txn *own = (trx && trx->level > 0) ? trx->txn : NULL;
    uint64_t snap = own ? own->snap.ts : snap_ts;
    bool exists = present && !deleted;
    const uint8_t *src = present ? data : NULL;
    uint32_t cbImg = present ? cb : 0;
    bool inbuf = false, truncated = false, unstable = false;

    uint32_t hash = key_hash(key);
    bj_rwlock *lk = stripe_of(ver, hash);
    bj_rwlock_rdlock(lk);
    bj_ver_chain *chain = chain_find(ver, hash, key);
    for (const bj_rce *r = chain ? chain->newest : NULL; r; r = r->older) {
        if (rce_undone(r) || r->txn == own)
            continue;
        uint64_t c = bj_ver_txn_commit_ts(r->txn);
        if (ts_committed(c) && c < snap)
            continue;
        /* invisible: undo it in the reader's view */
        switch (r->kind) {
        case BJ_VER_INSERT:
            exists = false;
            break;
        case BJ_VER_REPLACE:
        case BJ_VER_DELETE:
            exists = true;
            src = r->before;
            cbImg = r->cbBefore;
            inbuf = truncated = false;
            break;
        case BJ_VER_DELTA:
            if (atomic_load(&((bj_rce *)r)->inflight))
                unstable = true;
            if (!exists)
                break;
            if ((uint64_t)r->delta_off + r->delta_size > cbImg) {
                bj_rwlock_unlock(lk);
                ERR(JET_errDatabaseCorrupted);
            }
            if (!inbuf && !truncated) {
                if (cbImg > cbBuf) {
                    truncated = true;
                } else {
                    memmove(buf, src, cbImg);
                    src = buf;
                    inbuf = true;
                }
            }
            if (inbuf)
                delta_subtract(buf, r);
            break;
        default:
            break;
        }
    }
    seen->present = exists;
    seen->unstable = unstable;
    seen->cb = exists ? cbImg : 0;
    seen->from_page = exists && src == data && !truncated;
    if (exists && !seen->from_page && !inbuf && !truncated) {
        if (cbImg > cbBuf)
            truncated = true;
        else if (cbImg)
            memcpy(buf, src, cbImg);
    }
    bj_rwlock_unlock(lk);
    if (truncated)
        err = JET_wrnBufferTruncated;
fail:
    return err;
}

bool bj_ver_has_versions(bj_ver *ver, const bj_ver_key *key)
{
    uint32_t hash = key_hash(key);
    bj_rwlock *lk = stripe_of(ver, hash);
    bj_rwlock_rdlock(lk);
    bool any = chain_find(ver, hash, key) != NULL;
    bj_rwlock_unlock(lk);
    return any;
}

bool bj_ver_rce_has_newer(bj_ver *ver, const bj_rce *rce)
{
    bj_rwlock *lk = stripe_of(ver, rce->chain->hash);
    bj_rwlock_rdlock(lk);
    bool any = rce->newer != NULL;
    bj_rwlock_unlock(lk);
    return any;
}

/* ---- cleanup ---- */

uint64_t bj_ver_cleanup(bj_ver *ver)
{
    uint64_t removed = 0;
    bj_mutex_lock(&ver->cleanup_lock);
    atomic_fetch_add_explicit(&ver->st_cleanup_runs, 1, memory_order_relaxed);

    /* the oldest snapshot anyone holds; later snapshots are drawn under trx_lock, so they
     * will be greater than any timestamp drawn so far */
    bj_mutex_lock(&ver->trx_lock);
    uint64_t oldest =
        ver->active.next != &ver->active ? ver->active.next->ts : atomic_load(&ver->ts) + 1;
    oldest = bj_ver_slots_oldest(ver, oldest, NULL); /* lock-free reader snapshots */
    bj_ver_txn *ready = NULL, **pp = &ver->committed;
    while (*pp) {
        bj_ver_txn *t = *pp;
        if (bj_ver_txn_commit_ts(t) < oldest) {
            *pp = t->cnext;
            t->cnext = ready;
            ready = t;
        } else {
            pp = &t->cnext;
        }
    }
    bj_mutex_unlock(&ver->trx_lock);

    bj_ver_txn *retry = NULL;
    while (ready) {
        bj_ver_txn *t = ready;
        ready = t->cnext;
        while (t->first) {
            bj_rce *r = t->first;
            if (r->ops && r->ops->cleanup) {
                atomic_fetch_add_explicit(&ver->st_cleanup_callbacks, 1, memory_order_relaxed);
                if (r->ops->cleanup(r, r->ops->ctx) < 0)
                    break; /* keep it for the next pass */
            }
            bj_ver_txn_remove(t, r);
            bj_ver_rce_free(ver, r);
            atomic_fetch_add_explicit(&ver->st_cleaned, 1, memory_order_relaxed);
            removed++;
        }
        if (t->first) {
            t->cnext = retry;
            retry = t;
        } else {
            bj_free(t);
        }
    }
    if (retry) {
        bj_mutex_lock(&ver->trx_lock);
        while (retry) {
            bj_ver_txn *t = retry;
            retry = t->cnext;
            t->cnext = ver->committed;
            ver->committed = t;
        }
        bj_mutex_unlock(&ver->trx_lock);
    }
    bj_mutex_unlock(&ver->cleanup_lock);
    return removed;
}

void bj_ver_make_room(bj_ver *ver)
{
    if (ver->cfg.cbMax && atomic_load(&ver->cbUsed) > ver->cfg.cbMax / 4 * 3)
        bj_ver_cleanup(ver);
}

void bj_ver_after_commit(bj_ver *ver)
{
    uint32_t n = atomic_fetch_add(&ver->commits_since_cleanup, 1) + 1;
    bool over = ver->cfg.cbMax && atomic_load(&ver->cbUsed) > ver->cfg.cbMax / 2;
    if (n < ver->cfg.cleanup_every && !over)
        return;
    atomic_store(&ver->commits_since_cleanup, 0);
    bj_mutex_lock(&ver->thr_lock);
    bool running = ver->thr_running;
    if (running) {
        ver->thr_kick = true;
        bj_cond_signal(&ver->thr_cond);
    }
    bj_mutex_unlock(&ver->thr_lock);
    if (!running)
        bj_ver_cleanup(ver);
}

static void *cleanup_thread(void *arg)
{
    bj_ver *ver = arg;
    bj_mutex_lock(&ver->thr_lock);
    while (!ver->thr_stop) {
        if (!ver->thr_kick)
            bj_cond_timedwait(&ver->thr_cond, &ver->thr_lock, ver->cfg.cleanup_ms);
        if (ver->thr_stop)
            break;
        ver->thr_kick = false;
        ver->thr_busy = true;
        bj_mutex_unlock(&ver->thr_lock);
        bj_ver_cleanup(ver);
        bj_mutex_lock(&ver->thr_lock);
        ver->thr_busy = false;
        ver->thr_passes++;
        bj_cond_broadcast(&ver->thr_done);
    }
    bj_mutex_unlock(&ver->thr_lock);
    return NULL;
}

JET_ERR bj_ver_start_cleanup_thread(bj_ver *ver)
{
    JET_ERR err = JET_errSuccess;
    bj_mutex_lock(&ver->thr_lock);
    if (!ver->thr_running) {
        ver->thr_stop = false;
        ver->thr_kick = false;
        err = bj_thread_start(&ver->thr, cleanup_thread, ver);
        if (err >= 0)
            ver->thr_running = true;
    }
    bj_mutex_unlock(&ver->thr_lock);
    return err;
}

void bj_ver_stop_cleanup_thread(bj_ver *ver)
{
    bj_mutex_lock(&ver->thr_lock);
    bool running = ver->thr_running;
    ver->thr_stop = true;
    bj_cond_broadcast(&ver->thr_cond);
    bj_cond_broadcast(&ver->thr_done);
    bj_mutex_unlock(&ver->thr_lock);
    if (running)
        bj_thread_join(ver->thr);
    bj_mutex_lock(&ver->thr_lock);
    ver->thr_running = false;
    ver->thr_stop = false;
    bj_mutex_unlock(&ver->thr_lock);
}
