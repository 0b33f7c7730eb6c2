/* buf.c: the buffer cache's frames, hash table, latches, page lookup (hit and miss), eviction
 * by clock, and the database registry. Write-back is in bufwrite.c.
 *
 * Invariants (see buf_int.h for frame states):
 * - A (db, pgno) is in the hash at most once. A page enters the hash as READING with its
 *   exclusive latch held by the thread reading it; other getters pin it and wait on the latch,
 *   so a page is read once. A read that fails (I/O, beyond end of file, verify) removes the
 *   frame from the hash before the latch is released: a bad page is never cached, and the
 *   waiters get the same error.
 * - Pinned frames are never evicted; every latch holder holds a pin.
 * - A dirty frame is evicted only after it was written (bj_buf_write_frame).
 *
 * Lock order: stripe lock -> frame mutex (leaf). The hit path takes one stripe lock shared
 * (readers of pages in one stripe share it, they do not exclude each other), then the frame's
 * own mutex; readers of different pages never wait on one mutex.
 */
#include <sched.h>

#include "buf/buf_int.h"

static bool is_pow2(uint32_t x)
{
    return x && !(x & (x - 1));
}

static uint32_t pow2_at_least(uint32_t x)
{
    uint32_t p = 1;
    while (p < x)
        p <<= 1;
    return p;
}

uint32_t bj_buf_bucket(const bj_buf *buf, uint32_t dbid, uint32_t pgno)
{
    uint64_t k = ((uint64_t)dbid << 32) | pgno;
    k *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(k >> 29) & buf->bucket_mask;
}

/* ---- latches ---- */

static void latch_acquire(bj_frame *f, bj_latch mode)
{
    bj_mutex_lock(&f->mu);
    if (mode == BJ_LATCH_SHARED) {
        /* readers defer to waiting writers so a hot page cannot starve its writer */
        while (f->excl || f->nwait_excl) {
            f->nwaiters++;
            bj_cond_wait(&f->cv, &f->mu);
            f->nwaiters--;
        }
        f->nshared++;
    } else {
        while (f->excl || f->nshared) {
            f->nwaiters++;
            f->nwait_excl++;
            bj_cond_wait(&f->cv, &f->mu);
            f->nwait_excl--;
            f->nwaiters--;
        }
        f->excl = true;
    }
    bj_mutex_unlock(&f->mu);
}

static void latch_release(bj_frame *f)
{
    bj_mutex_lock(&f->mu);
    if (f->excl)
        f->excl = false;
    else
        f->nshared--;
    if (f->nwaiters)
        bj_cond_broadcast(&f->cv);
    bj_mutex_unlock(&f->mu);
}

bool bj_buf_latch_upgrade(bj_frame *f)
{
    bool ok;
    bj_mutex_lock(&f->mu);
    ok = !f->excl && f->nshared == 1;
    if (ok) {
        f->nshared = 0;
        f->excl = true;
    }
    bj_mutex_unlock(&f->mu);
    return ok;
}

void bj_buf_latch_downgrade(bj_frame *f)
{
    bj_mutex_lock(&f->mu);
    f->excl = false;
    f->nshared = 1;
    if (f->nwaiters)
        bj_cond_broadcast(&f->cv);
    bj_mutex_unlock(&f->mu);
}

/* ---- hash chains (caller holds the bucket's stripe lock) ---- */

static bj_frame *chain_find(bj_buf *buf, uint32_t b, const bj_buf_db *db, uint32_t pgno)
{
    for (bj_frame *f = buf->buckets[b]; f; f = f->hnext)
        if (f->pgno == pgno && f->db == db)
            return f;
    return NULL;
}

static void chain_remove(bj_buf *buf, uint32_t b, bj_frame *f)
{
    for (bj_frame **pp = &buf->buckets[b]; *pp; pp = &(*pp)->hnext) {
        if (*pp == f) {
            *pp = f->hnext;
            f->hnext = NULL;
            return;
        }
    }
}

/* ---- eviction ---- */

/* Drops f (claimed by us: pin 1, VALID, in the hash) from the hash if nobody else pinned it
 * meanwhile and it is clean. */
static bool frame_evict(bj_buf *buf, bj_frame *f)
{
    uint32_t b = bj_buf_bucket(buf, f->db->id, f->pgno);
    bj_buf_stripe *s = bj_buf_stripe_of(buf, b);
    bool ok;

    bj_rwlock_wrlock(&s->lock);
    ok = atomic_load_explicit(&f->pin, memory_order_acquire) == 1 &&
         !atomic_load_explicit(&f->dirty_hint, memory_order_acquire);
    if (ok) {
        bj_mutex_lock(&f->mu);
        ok = !f->dirty && !f->io_busy;
        bj_mutex_unlock(&f->mu);
    }
    if (ok) {
        chain_remove(buf, b, f);
        f->state = BJ_FS_FREE;
    }
    bj_rwlock_unlock(&s->lock);
    return ok;
}

/* Finds a frame for a new page by clock (second chance): a free frame, or an unpinned one whose
 * reference bit is clear (written first when dirty). Returns it pinned (pin 1), out of the hash,
 * state FREE. JET_errOutOfBuffers when every frame stays pinned (or a victim's write error). */
static JET_ERR frame_claim(bj_buf *buf, bj_frame **out)
{
    JET_ERR err_write = JET_errSuccess;
    const uint32_t n = buf->cFrames;

    *out = NULL;
    for (int round = 0; round < 8; round++) {
        for (uint64_t step = 0; step < 2ull * n + 1; step++) {
            uint32_t i = atomic_fetch_add_explicit(&buf->clock_hand, 1, memory_order_relaxed) % n;
            bj_frame *f = &buf->frames[i];
            uint32_t zero = 0;

            if (atomic_load_explicit(&f->pin, memory_order_relaxed))
                continue;
            if (atomic_load_explicit(&f->ref, memory_order_relaxed)) {
                atomic_store_explicit(&f->ref, 0, memory_order_relaxed);
                continue;
            }
            if (!atomic_compare_exchange_strong_explicit(&f->pin, &zero, 1, memory_order_acq_rel,
                                                         memory_order_relaxed))
                continue;
            if (f->state == BJ_FS_FREE || f->state == BJ_FS_FAILED) {
                f->state = BJ_FS_FREE;
                *out = f;
                return JET_errSuccess;
            }
            if (atomic_load_explicit(&f->dirty_hint, memory_order_acquire)) {
                bool busy = false;
                JET_ERR e = bj_buf_write_frame(buf, f, false, &busy);
                bj_buf_writer_kick(buf);
                if (e < 0)
                    err_write = e;
                if (e < 0 || busy) {
                    bj_frame_unpin(f);
                    continue;
                }
            }
            if (frame_evict(buf, f)) {
                atomic_fetch_add_explicit(&buf->evictions, 1, memory_order_relaxed);
                *out = f;
                return JET_errSuccess;
            }
            bj_frame_unpin(f);
        }
        sched_yield(); /* pins may be transient: let holders finish */
    }
    return err_write < 0 ? err_write : BJ_ERR(JET_errOutOfBuffers);
}

/* ---- page access ---- */

/* Reads page pgno of db into f (exclusively latched, READING, in the hash). */
static JET_ERR frame_read(bj_buf *buf, bj_buf_db *db, bj_frame *f, uint32_t pgno)
{
    JET_ERR err = JET_errSuccess;
    size_t cb = 0;

    CALL(bj_file_read(db->file, ((uint64_t)pgno + 1) * buf->cbPage, f->data, buf->cbPage, &cb));
    if (cb < buf->cbPage)
        ERR(JET_errFileIOBeyondEOF);
    if (buf->verify)
        CALL(buf->verify(f->data, buf->cbPage, pgno));
fail:
    return err;
}

static JET_ERR buf_latch(bj_buf_db *db, uint32_t pgno, bj_latch mode, bool fnew, bj_frame **out)
{
    JET_ERR err = JET_errSuccess;
    bj_buf *buf = db->buf;
    bj_frame *f = NULL, *victim = NULL;
    uint32_t b = bj_buf_bucket(buf, db->id, pgno);
    bj_buf_stripe *s = bj_buf_stripe_of(buf, b);

    *out = NULL;
    if (pgno == 0 || (mode != BJ_LATCH_SHARED && mode != BJ_LATCH_EXCLUSIVE))
        ERR(JET_errInvalidParameter);
    if (fnew && db->readonly)
        ERR(JET_errDatabaseFileReadOnly);
    for (;;) {
        /* hit path: stripe lock shared, pin, then the frame's own latch */
        bj_rwlock_rdlock(&s->lock);
        f = chain_find(buf, b, db, pgno);
        if (f) {
            bj_frame_pin(f);
            atomic_fetch_add_explicit(&s->hits, 1, memory_order_relaxed);
        }
        bj_rwlock_unlock(&s->lock);
        if (f) {
            if (!atomic_load_explicit(&f->ref, memory_order_relaxed))
                atomic_store_explicit(&f->ref, 1, memory_order_relaxed);
            latch_acquire(f, mode);
            if (f->state == BJ_FS_VALID) {
                if (fnew)
                    memset(f->data, 0, buf->cbPage);
                *out = f;
                err = JET_errSuccess;
                goto fail; /* success: release the unused victim, if any */
            }
            /* the read we waited for failed: its frame left the hash */
            err = f->read_err;
            latch_release(f);
            bj_frame_unpin(f);
            f = NULL;
            if (fnew)
                continue;
            goto fail;
        }

        /* miss */
        if (!fnew && pgno > atomic_load_explicit(&db->cpg, memory_order_acquire))
            ERR(JET_errFileIOBeyondEOF);
        if (!victim)
            CALL(frame_claim(buf, &victim));
        bj_rwlock_wrlock(&s->lock);
        if (chain_find(buf, b, db, pgno)) {
            bj_rwlock_unlock(&s->lock); /* installed meanwhile: take it as a hit */
            continue;
        }
        f = victim;
        victim = NULL;
        f->db = db;
        f->pgno = pgno;
        f->state = fnew ? BJ_FS_VALID : BJ_FS_READING;
        f->excl = true; /* nobody can see f yet: latch it before publishing it */
        f->nshared = 0;
        f->dirty = false;
        f->lsn_oldest = f->lsn_newest = 0;
        f->read_err = JET_errSuccess;
        atomic_store_explicit(&f->dirty_hint, false, memory_order_relaxed);
        atomic_store_explicit(&f->ref, 1, memory_order_relaxed);
        f->hnext = buf->buckets[b];
        buf->buckets[b] = f;
        bj_rwlock_unlock(&s->lock);
        atomic_fetch_add_explicit(&buf->misses, 1, memory_order_relaxed);
        break;
    }

    err = JET_errSuccess;
    if (fnew) {
        memset(f->data, 0, buf->cbPage);
        *out = f;
        goto fail;
    }
    err = frame_read(buf, db, f, pgno);
    if (err < 0) {
        bj_rwlock_wrlock(&s->lock);
        chain_remove(buf, b, f);
        bj_rwlock_unlock(&s->lock);
        f->state = BJ_FS_FAILED;
        f->read_err = err;
        latch_release(f);
        bj_frame_unpin(f);
        goto fail;
    }
    atomic_fetch_add_explicit(&buf->reads, 1, memory_order_relaxed);
    f->state = BJ_FS_VALID;
    if (mode == BJ_LATCH_SHARED)
        bj_buf_latch_downgrade(f);
    *out = f;
fail:
    if (victim)
        bj_frame_unpin(victim);
    return err;
}

JET_ERR bj_buf_get(bj_buf_db *db, uint32_t pgno, bj_latch mode, bj_frame **out)
{
    return buf_latch(db, pgno, mode, false, out);
}

JET_ERR bj_buf_new(bj_buf_db *db, uint32_t pgno, bj_frame **out)
{
    return buf_latch(db, pgno, BJ_LATCH_EXCLUSIVE, true, out);
}

void bj_buf_release(bj_frame *f)
{
    latch_release(f);
    bj_frame_unpin(f);
}

void bj_buf_dirty(bj_frame *f, uint64_t lsn)
{
    if (f->db->readonly)
        return; /* never written: a dirty frame here could never be cleaned or evicted */
    bj_mutex_lock(&f->mu);
    if (!f->dirty) {
        f->dirty = true;
        f->lsn_oldest = f->lsn_newest = lsn;
        atomic_store_explicit(&f->dirty_hint, true, memory_order_release);
        atomic_fetch_add_explicit(&f->db->buf->ndirty, 1, memory_order_relaxed);
    } else if (lsn) {
        if (!f->lsn_oldest || lsn < f->lsn_oldest)
            f->lsn_oldest = lsn;
        if (lsn > f->lsn_newest)
            f->lsn_newest = lsn;
    }
    bj_mutex_unlock(&f->mu);
}

bool bj_buf_frame_dirty(bj_frame *f)
{
    return atomic_load_explicit(&f->dirty_hint, memory_order_acquire);
}

uint8_t *bj_frame_data(bj_frame *f)
{
    return f->data;
}

uint32_t bj_frame_pgno(const bj_frame *f)
{
    return f->pgno;
}

bj_buf_db *bj_frame_db(const bj_frame *f)
{
    return f->db;
}

/* ---- the cache ---- */

static void buf_free_memory(bj_buf *buf)
{
    bj_free(buf->frames);
    bj_free_aligned(buf->pages);
    bj_free(buf->buckets);
    bj_free_aligned(buf->stripes);
    bj_free(buf);
}

JET_ERR bj_buf_open(const bj_buf_config *cfg, bj_buf **out)
{
    JET_ERR err = JET_errSuccess;
    bj_buf *buf = NULL;
    uint32_t nbuckets, nstripes;

    *out = NULL;
    if (!cfg || !is_pow2(cfg->cbPage) || cfg->cbPage < 2048 || cfg->cbPage > 65536 ||
        cfg->cFrames == 0 || cfg->cFrames > (1u << 26))
        ERR(JET_errInvalidParameter);
    buf = bj_calloc(1, sizeof(*buf));
    if (!buf)
        ERR(JET_errOutOfMemory);
    buf->cbPage = cfg->cbPage;
    buf->cFrames = cfg->cFrames;
    buf->verify = cfg->verify;
    buf->seal = cfg->seal;
    buf->log_flush = cfg->log_flush;
    buf->log_ctx = cfg->log_ctx;
    nbuckets = pow2_at_least(BJ_MAX(2 * cfg->cFrames, 16u));
    nstripes = BJ_MIN(nbuckets, 1024u);
    buf->bucket_mask = nbuckets - 1;
    buf->stripe_mask = nstripes - 1;
    buf->frames = bj_calloc(cfg->cFrames, sizeof(bj_frame));
    buf->pages = bj_alloc_aligned((size_t)cfg->cFrames * cfg->cbPage);
    buf->buckets = bj_calloc(nbuckets, sizeof(bj_frame *));
    buf->stripes = bj_alloc_aligned((size_t)nstripes * sizeof(bj_buf_stripe));
    if (!buf->frames || !buf->pages || !buf->buckets || !buf->stripes) {
        buf_free_memory(buf);
        buf = NULL;
        ERR(JET_errOutOfMemory);
    }
    /* page memory is not touched here: a frame's page is written in full (read or new) before
     * it is used, so the process's memory grows with the pages in use, up to the cache size */
    memset(buf->stripes, 0, (size_t)nstripes * sizeof(bj_buf_stripe));
    for (uint32_t i = 0; i < nstripes; i++)
        bj_rwlock_init(&buf->stripes[i].lock);
    for (uint32_t i = 0; i < cfg->cFrames; i++) {
        bj_frame *f = &buf->frames[i];
        bj_mutex_init(&f->mu);
        bj_cond_init(&f->cv);
        f->data = buf->pages + (size_t)i * cfg->cbPage;
        f->state = BJ_FS_FREE;
    }
    bj_mutex_init(&buf->db_mu);
    bj_mutex_init(&buf->wbuf_mu);
    bj_mutex_init(&buf->wr_mu);
    bj_cond_init(&buf->wr_cv);
    buf->next_db_id = 1;
    *out = buf;
fail:
    return err;
}

void bj_buf_close(bj_buf *buf)
{
    if (!buf)
        return;
    bj_buf_writer_stop(buf);
    while (buf->dbs) {
        bj_buf_db *db = buf->dbs;
        buf->dbs = db->next;
        bj_free(db);
    }
    for (uint32_t i = 0; i < buf->cFrames; i++) {
        bj_mutex_destroy(&buf->frames[i].mu);
        bj_cond_destroy(&buf->frames[i].cv);
    }
    for (uint32_t i = 0; i <= buf->stripe_mask; i++)
        bj_rwlock_destroy(&buf->stripes[i].lock);
    bj_buf_wbufs_free(buf);
    bj_mutex_destroy(&buf->db_mu);
    bj_mutex_destroy(&buf->wbuf_mu);
    bj_mutex_destroy(&buf->wr_mu);
    bj_cond_destroy(&buf->wr_cv);
    buf_free_memory(buf);
}

uint32_t bj_buf_page_size(const bj_buf *buf)
{
    return buf->cbPage;
}

void bj_buf_get_stats(bj_buf *buf, bj_buf_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (uint32_t i = 0; i <= buf->stripe_mask; i++)
        st->hits += atomic_load_explicit(&buf->stripes[i].hits, memory_order_relaxed);
    st->misses = atomic_load_explicit(&buf->misses, memory_order_relaxed);
    st->reads = atomic_load_explicit(&buf->reads, memory_order_relaxed);
    st->writes = atomic_load_explicit(&buf->writes, memory_order_relaxed);
    st->evictions = atomic_load_explicit(&buf->evictions, memory_order_relaxed);
    st->dirty = atomic_load_explicit(&buf->ndirty, memory_order_relaxed);
}

/* ---- databases ---- */

JET_ERR bj_buf_db_attach(bj_buf *buf, bj_file *file, bool readonly, bj_buf_db **out)
{
    JET_ERR err = JET_errSuccess;
    bj_buf_db *db = NULL;
    uint64_t cb = 0;
    uint64_t cpg;

    *out = NULL;
    if (!buf || !file)
        ERR(JET_errInvalidParameter);
    CALL(bj_file_size(file, &cb));
    cpg = cb / buf->cbPage;
    cpg = cpg > 2 ? cpg - 2 : 0;
    db = bj_calloc(1, sizeof(*db));
    if (!db)
        ERR(JET_errOutOfMemory);
    db->buf = buf;
    db->file = file;
    db->readonly = readonly;
    bj_buf_ranges_init(&db->ranges);
    atomic_store(&db->cpg, (uint32_t)BJ_MIN(cpg, (uint64_t)UINT32_MAX));
    bj_mutex_lock(&buf->db_mu);
    db->id = buf->next_db_id++;
    db->next = buf->dbs;
    buf->dbs = db;
    bj_mutex_unlock(&buf->db_mu);
    *out = db;
fail:
    return err;
}

/* Removes every frame of db from the hash (waits out transient pins by the writer). */
static void db_drop_frames(bj_buf_db *db)
{
    bj_buf *buf = db->buf;
    bool busy;

    do {
        busy = false;
        for (uint32_t si = 0; si <= buf->stripe_mask; si++) {
            bj_buf_stripe *s = &buf->stripes[si];
            bj_rwlock_wrlock(&s->lock);
            for (uint32_t b = si; b <= buf->bucket_mask; b += buf->stripe_mask + 1) {
                bj_frame **pp = &buf->buckets[b];
                while (*pp) {
                    bj_frame *f = *pp;
                    uint32_t zero = 0;
                    if (f->db != db) {
                        pp = &f->hnext;
                        continue;
                    }
                    if (!atomic_compare_exchange_strong(&f->pin, &zero, 1)) {
                        busy = true;
                        pp = &f->hnext;
                        continue;
                    }
                    *pp = f->hnext;
                    f->hnext = NULL;
                    bj_mutex_lock(&f->mu);
                    if (f->dirty)
                        atomic_fetch_sub(&buf->ndirty, 1);
                    f->dirty = false;
                    f->lsn_oldest = f->lsn_newest = 0;
                    atomic_store(&f->dirty_hint, false);
                    bj_mutex_unlock(&f->mu);
                    f->state = BJ_FS_FREE;
                    bj_frame_unpin(f);
                }
            }
            bj_rwlock_unlock(&s->lock);
        }
        if (busy)
            sched_yield();
    } while (busy);
}

JET_ERR bj_buf_db_detach(bj_buf_db *db, bool discard)
{
    JET_ERR err = JET_errSuccess;
    bj_buf *buf;

    if (!db)
        return JET_errSuccess;
    buf = db->buf;
    if (!discard && !db->readonly)
        CALL(bj_buf_flush_db(db));
    db_drop_frames(db);
    bj_mutex_lock(&buf->db_mu);
    for (bj_buf_db **pp = &buf->dbs; *pp; pp = &(*pp)->next) {
        if (*pp == db) {
            *pp = db->next;
            break;
        }
    }
    bj_mutex_unlock(&buf->db_mu);
    bj_buf_ranges_destroy(&db->ranges);
    bj_free(db);
fail:
    return err;
}

uint32_t bj_buf_db_id(const bj_buf_db *db)
{
    return db->id;
}

uint32_t bj_buf_db_size(const bj_buf_db *db)
{
    return atomic_load(&((bj_buf_db *)db)->cpg);
}

void bj_buf_db_set_size(bj_buf_db *db, uint32_t cpg)
{
    atomic_store(&db->cpg, cpg);
}
