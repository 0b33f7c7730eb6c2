/* bufwrite.c: write-back for the buffer cache: writing one dirty frame under the WAL rule,
 * flushing a database, the background writer thread, the oldest dirty lsn for the checkpoint,
 * and the pool of write buffers.
 *
 * Writing a frame: under the frame mutex, with no exclusive holder and no write in flight, the
 * page is copied into a write buffer and marked clean (io_busy set, its oldest lsn kept in
 * io_lsn_oldest for the checkpoint). The mutex is then dropped: the log is flushed up to the
 * copy's newest lsn (WAL rule), the copy is sealed and written. On failure the frame becomes
 * dirty again with the lsns merged. The writer holds a pin for the whole time, and eviction
 * skips io_busy frames, so a page is never dropped before its image reached the file; only one
 * write per frame is in flight, so writes of one page cannot be reordered.
 *
 * Lock order: stripe lock (shared, only to pin candidates) -> frame mutex; wr_mu and wbuf_mu are
 * leaves. No lock is held during log_flush, seal or the file write.
 */
#include <stdlib.h>

#include "buf/buf_int.h"

#define BJ_BUF_WBUF_POOL_MAX 64u

/* ---- write buffers ---- */

static uint8_t *wbuf_get(bj_buf *buf)
{
    uint8_t *p = NULL;
    bj_mutex_lock(&buf->wbuf_mu);
    if (buf->nwbufs)
        p = buf->wbufs[--buf->nwbufs];
    bj_mutex_unlock(&buf->wbuf_mu);
    return p ? p : bj_alloc_aligned(buf->cbPage);
}

static void wbuf_put(bj_buf *buf, uint8_t *p)
{
    bj_mutex_lock(&buf->wbuf_mu);
    if (buf->nwbufs == buf->cwbufs && buf->cwbufs < BJ_BUF_WBUF_POOL_MAX) {
        uint32_t c = buf->cwbufs ? 2 * buf->cwbufs : 4;
        uint8_t **n = bj_realloc(buf->wbufs, c * sizeof(*n));
        if (n) {
            buf->wbufs = n;
            buf->cwbufs = c;
        }
    }
    if (buf->nwbufs < buf->cwbufs) {
        buf->wbufs[buf->nwbufs++] = p;
        p = NULL;
    }
    bj_mutex_unlock(&buf->wbuf_mu);
    bj_free_aligned(p);
}

void bj_buf_wbufs_free(bj_buf *buf)
{
    for (uint32_t i = 0; i < buf->nwbufs; i++)
        bj_free_aligned(buf->wbufs[i]);
    bj_free(buf->wbufs);
    buf->wbufs = NULL;
    buf->nwbufs = buf->cwbufs = 0;
}

/* ---- one frame ---- */

static uint64_t lsn_min(uint64_t a, uint64_t b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return a < b ? a : b;
}

JET_ERR bj_buf_write_frame(bj_buf *buf, bj_frame *f, bool wait, bool *busy)
{
    JET_ERR err = JET_errSuccess;
    bj_buf_db *db = f->db;
    uint8_t *wb = NULL;
    uint64_t lsn_old = 0, lsn_new = 0;
    uint32_t pgno = f->pgno;
    bool started = false;

    *busy = false;
    if (db->readonly)
        return JET_errSuccess;
    wb = wbuf_get(buf);
    if (!wb)
        ERR(JET_errOutOfMemory);

    bj_mutex_lock(&f->mu);
    while (f->dirty && (f->excl || f->io_busy)) {
        if (!wait) {
            *busy = true;
            break;
        }
        f->nwaiters++;
        bj_cond_wait(&f->cv, &f->mu);
        f->nwaiters--;
    }
    if (f->dirty && !*busy) {
        /* holding the mutex with no exclusive holder: the image is stable while we copy */
        memcpy(wb, f->data, buf->cbPage);
        lsn_old = f->lsn_oldest;
        lsn_new = f->lsn_newest;
        f->dirty = false;
        f->lsn_oldest = f->lsn_newest = 0;
        atomic_store_explicit(&f->dirty_hint, false, memory_order_release);
        f->io_busy = true;
        f->io_lsn_oldest = lsn_old;
        atomic_fetch_sub_explicit(&buf->ndirty, 1, memory_order_relaxed);
        started = true;
    }
    bj_mutex_unlock(&f->mu);
    if (!started)
        goto fail;

    if (lsn_new && buf->log_flush)
        CALL(buf->log_flush(buf->log_ctx, lsn_new));
    if (buf->seal)
        buf->seal(wb, buf->cbPage, pgno);
    /* page-range locks (backup): a page inside a range a backup reader holds is written once
     * the range is released, so the reader never copies a half-written page */
    {
        const uint32_t tok = bj_buf_range_write_begin(&db->ranges, pgno);
        err = bj_file_write(db->file, ((uint64_t)pgno + 1) * buf->cbPage, wb, buf->cbPage);
        bj_buf_range_write_end(&db->ranges, tok);
        CALL(err);
    }
    atomic_fetch_add_explicit(&buf->writes, 1, memory_order_relaxed);
    {
        uint32_t cur = atomic_load(&db->cpg);
        while (pgno > cur && !atomic_compare_exchange_weak(&db->cpg, &cur, pgno))
            ;
    }

fail:
    if (started) {
        bj_mutex_lock(&f->mu);
        f->io_busy = false;
        f->io_lsn_oldest = 0;
        if (err < 0) {
            /* not written: dirty again, covering both the failed image and later changes */
            if (!f->dirty) {
                f->dirty = true;
                atomic_store_explicit(&f->dirty_hint, true, memory_order_release);
                atomic_fetch_add_explicit(&buf->ndirty, 1, memory_order_relaxed);
            }
            f->lsn_oldest = lsn_min(f->lsn_oldest, lsn_old);
            f->lsn_newest = BJ_MAX(f->lsn_newest, lsn_new);
        }
        if (f->nwaiters)
            bj_cond_broadcast(&f->cv);
        bj_mutex_unlock(&f->mu);
    }
    if (wb)
        wbuf_put(buf, wb);
    return err;
}

/* ---- flushing ---- */

/* Pins the dirty frames of db (NULL: of any database) in the buckets of stripe si into *pbatch
 * (grown as needed); *pn of them. The caller holds no lock. */
static JET_ERR collect_dirty(bj_buf *buf, bj_buf_db *db, uint32_t si, bj_frame ***pbatch,
                             size_t *pcap, size_t *pn)
{
    JET_ERR err = JET_errSuccess;
    bj_buf_stripe *s = &buf->stripes[si];

    *pn = 0;
    bj_rwlock_rdlock(&s->lock);
    for (uint32_t b = si; b <= buf->bucket_mask; b += buf->stripe_mask + 1) {
        for (bj_frame *f = buf->buckets[b]; f; f = f->hnext) {
            if ((db && f->db != db) || !atomic_load_explicit(&f->dirty_hint, memory_order_acquire))
                continue;
            if (*pn == *pcap) {
                size_t c = *pcap ? 2 * *pcap : 16;
                bj_frame **n = bj_realloc(*pbatch, c * sizeof(*n));
                if (!n) {
                    bj_rwlock_unlock(&s->lock);
                    for (size_t i = 0; i < *pn; i++)
                        bj_frame_unpin((*pbatch)[i]);
                    *pn = 0;
                    ERR(JET_errOutOfMemory);
                }
                *pbatch = n;
                *pcap = c;
            }
            bj_frame_pin(f);
            (*pbatch)[(*pn)++] = f;
        }
    }
    bj_rwlock_unlock(&s->lock);
fail:
    return err;
}

static int frame_cmp_pgno(const void *a, const void *b)
{
    uint32_t pa = (*(bj_frame *const *)a)->pgno, pb = (*(bj_frame *const *)b)->pgno;
    return pa < pb ? -1 : pa > pb;
}

JET_ERR bj_buf_flush_db(bj_buf_db *db)
{
    JET_ERR err = JET_errSuccess, err_write = JET_errSuccess;
    bj_buf *buf = db->buf;
    bj_frame **batch = NULL;
    size_t cap = 0, n = 0;

    if (db->readonly)
        return JET_errSuccess;
    for (uint32_t si = 0; si <= buf->stripe_mask; si++) {
        CALL(collect_dirty(buf, db, si, &batch, &cap, &n));
        if (n > 1)
            qsort(batch, n, sizeof(*batch), frame_cmp_pgno);
        for (size_t i = 0; i < n; i++) {
            bool busy = false;
            JET_ERR e = bj_buf_write_frame(buf, batch[i], true, &busy);
            if (e < 0 && err_write >= 0)
                err_write = e;
            bj_frame_unpin(batch[i]);
        }
    }
    if (err_write < 0) {
        err = err_write;
        goto fail;
    }
    CALL(bj_file_sync(db->file));
fail:
    bj_free(batch);
    return err;
}

uint64_t bj_buf_oldest_dirty_lsn(bj_buf *buf)
{
    uint64_t oldest = 0;
    for (uint32_t i = 0; i < buf->cFrames; i++) {
        bj_frame *f = &buf->frames[i];
        bj_mutex_lock(&f->mu);
        if (f->dirty)
            oldest = lsn_min(oldest, f->lsn_oldest);
        if (f->io_busy)
            oldest = lsn_min(oldest, f->io_lsn_oldest);
        bj_mutex_unlock(&f->mu);
    }
    return oldest;
}

/* ---- background writer ---- */

/* Writes dirty frames, a bucket at a time from where the last pass stopped, until at most the
 * target share of frames is dirty or every bucket was visited. Skips latched or busy frames. */
static void writer_pass(bj_buf *buf)
{
    const uint64_t target = (uint64_t)buf->cFrames * buf->wr_pct / 100;
    bj_frame *batch[16];

    for (uint32_t visited = 0; visited <= buf->bucket_mask; visited++) {
        uint32_t b, n = 0;
        bj_buf_stripe *s;

        if (atomic_load_explicit(&buf->ndirty, memory_order_relaxed) <= target)
            break;
        b = atomic_fetch_add_explicit(&buf->wr_hand, 1, memory_order_relaxed) & buf->bucket_mask;
        s = bj_buf_stripe_of(buf, b);
        bj_rwlock_rdlock(&s->lock);
        for (bj_frame *f = buf->buckets[b]; f && n < BJ_ARRAY_LEN(batch); f = f->hnext) {
            if (atomic_load_explicit(&f->dirty_hint, memory_order_acquire)) {
                bj_frame_pin(f);
                batch[n++] = f;
            }
        }
        bj_rwlock_unlock(&s->lock);
        for (uint32_t i = 0; i < n; i++) {
            bool busy = false;
            JET_ERR e = bj_buf_write_frame(buf, batch[i], false, &busy);
            bj_frame_unpin(batch[i]);
            if (e < 0) {
                bj_mutex_lock(&buf->wr_mu);
                buf->wr_err = e;
                bj_mutex_unlock(&buf->wr_mu);
            }
        }
    }
}

static void *writer_main(void *arg)
{
    bj_buf *buf = arg;

    bj_mutex_lock(&buf->wr_mu);
    while (!buf->wr_stop) {
        if (!buf->wr_kick)
            bj_cond_timedwait(&buf->wr_cv, &buf->wr_mu, buf->wr_interval_ms);
        buf->wr_kick = false;
        if (buf->wr_stop)
            break;
        bj_mutex_unlock(&buf->wr_mu);
        writer_pass(buf);
        bj_mutex_lock(&buf->wr_mu);
    }
    bj_mutex_unlock(&buf->wr_mu);
    return NULL;
}

JET_ERR bj_buf_writer_start(bj_buf *buf, uint32_t pct_dirty_max, uint32_t interval_ms)
{
    JET_ERR err = JET_errSuccess;

    bj_mutex_lock(&buf->wr_mu);
    if (buf->wr_running || pct_dirty_max > 100) {
        bj_mutex_unlock(&buf->wr_mu);
        ERR(JET_errInvalidParameter);
    }
    buf->wr_pct = pct_dirty_max;
    buf->wr_interval_ms = interval_ms ? interval_ms : 1;
    buf->wr_stop = false;
    buf->wr_kick = false;
    buf->wr_err = JET_errSuccess;
    err = bj_thread_start(&buf->wr_thread, writer_main, buf);
    buf->wr_running = err >= 0;
    bj_mutex_unlock(&buf->wr_mu);
    CALL(err);
fail:
    return err;
}

void bj_buf_writer_stop(bj_buf *buf)
{
    bool running;

    bj_mutex_lock(&buf->wr_mu);
    running = buf->wr_running;
    buf->wr_stop = true;
    bj_cond_broadcast(&buf->wr_cv);
    bj_mutex_unlock(&buf->wr_mu);
    if (!running)
        return;
    bj_thread_join(buf->wr_thread);
    bj_mutex_lock(&buf->wr_mu);
    buf->wr_running = false;
    bj_mutex_unlock(&buf->wr_mu);
}

JET_ERR bj_buf_writer_error(bj_buf *buf)
{
    JET_ERR err;
    bj_mutex_lock(&buf->wr_mu);
    err = buf->wr_err;
    buf->wr_err = JET_errSuccess;
    bj_mutex_unlock(&buf->wr_mu);
    return err;
}

void bj_buf_writer_kick(bj_buf *buf)
{
    bj_mutex_lock(&buf->wr_mu);
    if (buf->wr_running && !buf->wr_kick) {
        buf->wr_kick = true;
        bj_cond_signal(&buf->wr_cv);
    }
    bj_mutex_unlock(&buf->wr_mu);
}
