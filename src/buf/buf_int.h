/* buf_int.h: private to src/buf: the cache, frame and database structures shared by buf.c
 * (lookup, latches, eviction) and bufwrite.c (write-back, flush, background writer).
 *
 * Lock order (outer first):  stripe lock  ->  frame mutex.  The frame mutex is a leaf (nothing
 * is taken under it); db_mu, wbuf_mu and wr_mu are leaves taken under no other cache lock.
 * No lock is held during disk I/O or a callback (verify, seal, log_flush); a thread waiting for
 * a latch holds no stripe lock (it pinned the frame and dropped the stripe lock first).
 *
 * Frame states and who may change them:
 *   FREE     not in the hash; owned by whoever pinned it with pin 0 -> 1 (claim).
 *   READING  in the hash; the reader holds the exclusive latch until the read ends.
 *   VALID    in the hash, holds the page image.
 *   FAILED   removed from the hash after a failed read; waiters take read_err; reused like FREE.
 * A frame is removed from the hash only by a thread holding its stripe lock exclusively and
 * seeing pin == 1 (its own pin). Lookups pin under the stripe lock (shared), so a pinned frame
 * in the hash keeps its identity (db, pgno) until unpinned.
 */
#ifndef BJ_BUF_INT_H
#define BJ_BUF_INT_H

#include <stdatomic.h>

#include "buf/buf.h"

enum { BJ_FS_FREE = 0, BJ_FS_READING, BJ_FS_VALID, BJ_FS_FAILED };

struct bj_frame {
    /* identity: set by the claimer while the frame is out of the hash */
    bj_buf_db *db;
    uint32_t pgno;
    uint32_t state;          /* BJ_FS_*, changed under the exclusive latch or by the claimer */
    bj_frame *hnext;         /* hash chain (stripe lock) */
    _Atomic uint32_t pin;    /* holders + waiters + writers; >0 forbids eviction */
    _Atomic uint8_t ref;     /* clock reference bit */
    _Atomic bool dirty_hint; /* copy of dirty readable without the mutex */
    JET_ERR read_err;        /* FAILED: the read's error */

    /* latch and dirty state: all under mu */
    bj_mutex mu;
    bj_cond cv;          /* broadcast when the latch frees, io ends or state changes */
    uint32_t nshared;    /* shared holders */
    uint32_t nwaiters;   /* threads waiting on cv */
    uint32_t nwait_excl; /* of them, waiting for the exclusive latch (readers defer to them) */
    bool excl;           /* exclusively latched */
    bool dirty;          /* changed since the last write began */
    bool io_busy;        /* a write of this page is in flight */
    uint64_t lsn_oldest, lsn_newest; /* of changes since the last write began (0 = none) */
    uint64_t io_lsn_oldest;          /* while io_busy: oldest lsn of the image being written */

    uint8_t *data; /* cbPage bytes inside buf->pages */
};

/* Backup page-range locks of one database (buf_range.c). nlocks and nfast are the lock-free
 * fast path of a write (Dekker-style, sequentially consistent): a writer counts itself in
 * nfast and then sees nlocks == 0, or a reader that counted its range in nlocks sees nfast > 0
 * and waits for it. With a range held, writes register their pgno in a slot under mu. */
#define BJ_BUF_RANGES_MAX 8
#define BJ_BUF_RANGE_WRITES_MAX 64
typedef struct bj_buf_ranges {
    _Atomic uint32_t nlocks; /* ranges held */
    _Atomic uint32_t nfast;  /* writes in flight that took the fast path */
    bj_mutex mu;
    bj_cond cv;
    uint32_t first[BJ_BUF_RANGES_MAX], last[BJ_BUF_RANGES_MAX]; /* last == 0: slot free */
    uint32_t writing[BJ_BUF_RANGE_WRITES_MAX];                  /* pgno; 0: slot free */
} bj_buf_ranges;

/* Range locks of a new database / of one being freed. */
void bj_buf_ranges_init(bj_buf_ranges *r);
void bj_buf_ranges_destroy(bj_buf_ranges *r);
/* The write of page pgno may start: waits while a range lock covers it. Returns a token for
 * bj_buf_range_write_end (0 on the fast path: no lock held). */
uint32_t bj_buf_range_write_begin(bj_buf_ranges *r, uint32_t pgno);
void bj_buf_range_write_end(bj_buf_ranges *r, uint32_t token);

struct bj_buf_db {
    bj_buf *buf;
    bj_file *file;
    bool readonly;
    uint32_t id;
    _Atomic uint32_t cpg; /* database pages in the file: pgno 1..cpg exist */
    bj_buf_db *next;      /* buf->dbs list (buf->db_mu) */
    bj_buf_ranges ranges; /* backup page-range locks */
};

/* One stripe of the hash table: its lock covers buckets b with (b & stripe_mask) == index. */
typedef struct bj_buf_stripe {
    bj_rwlock lock;
    _Atomic uint64_t hits;
} __attribute__((aligned(64))) bj_buf_stripe;

struct bj_buf {
    uint32_t cbPage;
    uint32_t cFrames;
    bj_buf_verify_fn verify;
    bj_buf_seal_fn seal;
    bj_buf_log_flush_fn log_flush;
    void *log_ctx;

    bj_frame *frames;   /* cFrames */
    uint8_t *pages;     /* cFrames * cbPage, page-aligned */
    bj_frame **buckets; /* nbuckets chain heads */
    uint32_t bucket_mask;
    bj_buf_stripe *stripes;
    uint32_t stripe_mask;

    _Atomic uint32_t clock_hand;
    _Atomic uint64_t misses, reads, writes, evictions;
    _Atomic uint32_t ndirty;

    bj_mutex db_mu; /* dbs, next_db_id */
    bj_buf_db *dbs;
    uint32_t next_db_id;

    bj_mutex wbuf_mu; /* pool of write buffers (cbPage, aligned) */
    uint8_t **wbufs;
    uint32_t nwbufs, cwbufs;

    /* background writer (bufwrite.c) */
    bj_mutex wr_mu;
    bj_cond wr_cv;
    bj_thread wr_thread;
    bool wr_running, wr_stop, wr_kick;
    uint32_t wr_pct, wr_interval_ms;
    _Atomic uint32_t wr_hand;
    JET_ERR wr_err;
};

/* ---- buf.c internals used by bufwrite.c ---- */
/* The bucket and stripe of (db, pgno). */
uint32_t bj_buf_bucket(const bj_buf *buf, uint32_t dbid, uint32_t pgno);
static inline bj_buf_stripe *bj_buf_stripe_of(bj_buf *buf, uint32_t bucket)
{
    return &buf->stripes[bucket & buf->stripe_mask];
}
/* Adds / drops a pin (drop: release order, so the next claimer sees our writes). */
static inline void bj_frame_pin(bj_frame *f)
{
    atomic_fetch_add_explicit(&f->pin, 1, memory_order_acq_rel);
}
static inline void bj_frame_unpin(bj_frame *f)
{
    atomic_fetch_sub_explicit(&f->pin, 1, memory_order_acq_rel);
}

/* ---- bufwrite.c ---- */
/* Writes frame f (pinned by the caller) if dirty: copies it under its mutex (no exclusive
 * holder), flushes the log to its newest lsn, seals and writes the copy. With wait false it
 * gives up (*busy = true, returns 0) when f is exclusively latched or already being written. */
JET_ERR bj_buf_write_frame(bj_buf *buf, bj_frame *f, bool wait, bool *busy);
/* Wakes the background writer (eviction met a dirty page). */
void bj_buf_writer_kick(bj_buf *buf);
/* Frees the write-buffer pool. */
void bj_buf_wbufs_free(bj_buf *buf);

#endif /* BJ_BUF_INT_H */
