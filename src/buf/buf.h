/* buf.h: layer 3, the buffer cache. One cache per instance, one page size, a fixed number of
 * frames. Databases attach to it; every page access of the layers above goes through
 * bj_buf_get / bj_buf_new and ends with bj_buf_release.
 *
 * Frames are keyed by (database, pgno). A frame handed out is pinned (it cannot be evicted) and
 * latched shared or exclusive until bj_buf_release. Latches are not recursive: a thread must
 * not latch a page it already holds. Only the exclusive holder changes a page's bytes, and it
 * reports each change with bj_buf_dirty before releasing.
 *
 * Disk reads are validated by the configured verify callback before a page enters the cache (a
 * page that fails is never cached; the error goes to the caller). Writes follow the WAL rule:
 * before a dirty page is written the cache calls log_flush with the newest lsn that changed it,
 * then seals a copy of the page (checksum) and writes the copy, so no latch is held during I/O.
 *
 * Page pgno of a database lives at file offset (pgno + 1) * cbPage (pages 0 and 1 of the file
 * are the header and its shadow, which this cache never touches).
 *
 * Backup page-range locks (buf_range.c): a backup reader that copies pages [first, last] of a
 * database straight from the file locks that range first; the cache's write of a page inside
 * it waits until the range is released (pages outside keep being written), and the lock is
 * granted only once no write of a page inside it is in flight. Without a lock held, a write
 * pays two atomic operations.
 */
#ifndef BJ_BUF_H
#define BJ_BUF_H

#include "common/common.h"
#include "os/os.h"

typedef struct bj_buf bj_buf;
typedef struct bj_buf_db bj_buf_db;
typedef struct bj_frame bj_frame;

typedef enum bj_latch {
    BJ_LATCH_SHARED = 1,    /* readers: any number at once */
    BJ_LATCH_EXCLUSIVE = 2, /* the one writer of the page */
} bj_latch;

/* Checks a page image read from disk (bj_page_verify): checksum, pgno, structure. */
typedef JET_ERR (*bj_buf_verify_fn)(const uint8_t *pg, uint32_t cbPage, uint32_t pgno);
/* Prepares a page image for writing (bj_page_seal): sets its checksum. */
typedef void (*bj_buf_seal_fn)(uint8_t *pg, uint32_t cbPage, uint32_t pgno);
/* Makes the log durable up to lsn (the WAL rule); called before writing a page changed at lsn. */
typedef JET_ERR (*bj_buf_log_flush_fn)(void *ctx, uint64_t lsn);

typedef struct bj_buf_config {
    uint32_t cbPage;               /* power of two, 2 KiB .. 64 KiB */
    uint32_t cFrames;              /* capacity in pages (JET_paramCacheSizeMax), at least 1 */
    bj_buf_verify_fn verify;       /* NULL: pages are not verified (tests only) */
    bj_buf_seal_fn seal;           /* NULL: pages are written as they are */
    bj_buf_log_flush_fn log_flush; /* NULL: no log yet */
    void *log_ctx;                 /* passed to log_flush */
} bj_buf_config;

/* Counters for benchmarks (each read atomically; the set is not one snapshot). */
typedef struct bj_buf_stats {
    uint64_t hits;      /* bj_buf_get/bj_buf_new found the page cached */
    uint64_t misses;    /* it was not cached */
    uint64_t reads;     /* pages read from disk and installed (verified) */
    uint64_t writes;    /* pages written to disk */
    uint64_t evictions; /* cached pages dropped to make room */
    uint64_t dirty;     /* frames dirty now */
} bj_buf_stats;

/* ---- the cache ---- */

/* Creates a cache of cfg->cFrames frames of cfg->cbPage bytes (page-aligned).
 * JET_errInvalidParameter for a bad size, JET_errOutOfMemory. */
JET_ERR bj_buf_open(const bj_buf_config *cfg, bj_buf **out);
/* Stops the background writer and frees the cache. Databases still attached are dropped
 * without writing (detach them first to keep their changes). NULL is ignored. */
void bj_buf_close(bj_buf *buf);
/* The page size of the cache. */
uint32_t bj_buf_page_size(const bj_buf *buf);
/* Fills *st with the counters. */
void bj_buf_get_stats(bj_buf *buf, bj_buf_stats *st);
/* The smallest non-zero oldest-lsn over dirty pages (including pages being written), or 0 when
 * none: the checkpoint may advance up to it. */
uint64_t bj_buf_oldest_dirty_lsn(bj_buf *buf);

/* Starts the background writer: every interval_ms (or sooner when eviction meets dirty pages)
 * it writes dirty pages until at most pct_dirty_max percent of the frames are dirty.
 * JET_errInvalidParameter when already running or pct > 100, JET_errOutOfThreads. */
JET_ERR bj_buf_writer_start(bj_buf *buf, uint32_t pct_dirty_max, uint32_t interval_ms);
/* Stops the background writer (waits for it); no-op when not running. */
void bj_buf_writer_stop(bj_buf *buf);
/* The last error the background writer met writing a page (0 if none); clears it. */
JET_ERR bj_buf_writer_error(bj_buf *buf);

/* ---- databases ---- */

/* Attaches an open database file (the caller keeps ownership of file and closes it after
 * detach). Its size in pages is taken from the file: (bytes / cbPage) - 2, 0 if smaller. */
JET_ERR bj_buf_db_attach(bj_buf *buf, bj_file *file, bool readonly, bj_buf_db **out);
/* Writes every dirty page of db (unless read-only or discard), syncs the file, drops its frames
 * and frees db. On a write error db stays attached (nothing dropped) and the error is returned.
 * No frame of db may be held, and no other thread may use db, during the call. */
JET_ERR bj_buf_db_detach(bj_buf_db *db, bool discard);
/* The cache's id of db (unique among attached databases). */
uint32_t bj_buf_db_id(const bj_buf_db *db);
/* The number of database pages the cache believes the file holds (pgno 1..size readable). */
uint32_t bj_buf_db_size(const bj_buf_db *db);
/* Tells the cache the file now holds cpg database pages (the space layer grew or shrank it). */
void bj_buf_db_set_size(bj_buf_db *db, uint32_t cpg);
/* Writes every page of db dirtied before the call, then syncs the file. Waits for pages
 * latched exclusively by others; the caller must hold no latch. Read-only: no-op. */
JET_ERR bj_buf_flush_db(bj_buf_db *db);

/* Locks pages [first, last] of db against the cache's writes (waits for writes in flight
 * inside the range). *ptoken: pass to bj_buf_range_unlock. At most 8 ranges per database at
 * once (a further caller waits). JET_errInvalidParameter when first is 0 or first > last. */
JET_ERR bj_buf_range_lock(bj_buf_db *db, uint32_t first, uint32_t last, uint32_t *ptoken);
/* Releases a range from bj_buf_range_lock; writes waiting for it go on. */
void bj_buf_range_unlock(bj_buf_db *db, uint32_t token);

/* ---- pages ---- */

/* Latches page pgno of db in mode, reading and verifying it on a miss. Errors:
 * JET_errInvalidParameter (pgno 0), JET_errFileIOBeyondEOF (pgno past the end of the file),
 * the verify callback's error (JET_errReadVerifyFailure ...), I/O errors, JET_errOutOfBuffers
 * (every frame pinned), JET_errOutOfMemory. On error *out is NULL and nothing is cached. */
JET_ERR bj_buf_get(bj_buf_db *db, uint32_t pgno, bj_latch mode, bj_frame **out);
/* Latches page pgno exclusively for a page being created: zero-filled, not read from disk
 * (a cached copy is zeroed too). The caller formats it and calls bj_buf_dirty.
 * JET_errDatabaseFileReadOnly on a read-only database; else as bj_buf_get. */
JET_ERR bj_buf_new(bj_buf_db *db, uint32_t pgno, bj_frame **out);
/* Releases the latch and the pin of a frame from bj_buf_get/bj_buf_new. */
void bj_buf_release(bj_frame *f);
/* Shared -> exclusive without waiting: true on success; false (still shared) if others hold it. */
bool bj_buf_latch_upgrade(bj_frame *f);
/* Exclusive -> shared (waiting readers may enter). */
void bj_buf_latch_downgrade(bj_frame *f);
/* Records a change by the exclusive holder, made at log position lsn (0 until the log exists):
 * the page becomes dirty and its oldest/newest lsn since the last write are updated.
 * Ignored on a read-only database (callers reject updates there first). */
void bj_buf_dirty(bj_frame *f, uint64_t lsn);
/* Whether the frame holds a change not yet written (exact for the exclusive holder: only it
 * dirties the frame, and a write-back copies the page under a latch). */
bool bj_buf_frame_dirty(bj_frame *f);

/* The page bytes (cbPage, page-aligned); writable only under the exclusive latch. */
uint8_t *bj_frame_data(bj_frame *f);
/* The page number of a held frame. */
uint32_t bj_frame_pgno(const bj_frame *f);
/* The database of a held frame. */
bj_buf_db *bj_frame_db(const bj_frame *f);

#endif /* BJ_BUF_H */
