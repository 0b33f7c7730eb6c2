/* ver.h: layer 5, transactions and the version store (snapshot isolation), as ESE's ver.cxx.
 *
 * One bj_ver per instance: a global timestamp counter (begin and commit timestamps), the list
 * of active snapshots (transactions and registered reader snapshots), the hash of revision
 * entries (RCEs) keyed by (dbid, objid, bookmark) with a chain per key, newest first, a byte
 * budget (JET_paramMaxVerPages x version page size) and statistics. One bj_trx per session.
 *
 * This layer knows nothing of pages. The layer that changes a record creates an RCE first
 * (bj_ver_modify: write-conflict check + before-image), then changes the page; it supplies
 * callbacks that physically undo the change (rollback) and clean it up once no snapshot can
 * see the old state (e.g. remove a flag-deleted node, free an old long value).
 *
 * Caller contract (the page latch makes a page change and its RCE one step for readers):
 *  - a writer holds the page latch exclusively from bj_ver_modify until the page reflects the
 *    change (or bj_ver_rce_cancel when the page change failed);
 *  - a reader holds the page latch (shared) from reading the node until bj_ver_visible returns;
 *  - an undo callback restores the page under its exclusive latch and calls
 *    bj_ver_rce_set_undone(rce) before releasing that latch (ver sets it again after the
 *    callback returns, so a callback for a change no reader can observe may omit it);
 *  - cleanup callbacks and bj_ver_cleanup run with no ver lock held and take page latches, so
 *    bj_ver_cleanup / bj_ver_trx_commit (which may clean up inline) must be called with no
 *    page latch held.
 *
 * Visibility: an RCE is visible to reader R iff it is R's own (any level) or its transaction
 * committed with trxCommit0 < R's snapshot. Timestamps are unique (one counter).
 * Write conflict (ESE's rule): the newest RCE of the key belongs to another transaction that is
 * uncommitted or committed after our begin -> JET_errWriteConflict; escrow deltas of one size
 * and read locks commute with themselves.
 * Levels: JetBeginTransaction nests up to 7 (ESE's levelUserMost); an 8th is JET_errTransTooDeep.
 * Rollback failure (an undo callback fails): JET_errRollbackError for the call, the RCEs not
 * undone stay (a later rollback retries them), and the instance becomes unavailable for
 * updates: bj_ver_fatal_error() returns the callback's error, and bj_ver_modify /
 * bj_ver_trx_begin return JET_errInstanceUnavailable from then on.
 */
#ifndef BJ_VER_H
#define BJ_VER_H

#include "common/common.h"

typedef struct bj_ver bj_ver;
typedef struct bj_trx bj_trx;
typedef struct bj_rce bj_rce;
typedef struct bj_ver_txn bj_ver_txn; /* private: one level-0 transaction's shared state */

#define BJ_VER_LEVEL_MAX 7           /* ESE's levelUserMost (daeconst.hxx) */
#define BJ_VER_LEVEL_INTERNAL_MAX 10 /* ESE's levelMax: the engine's own nested levels */

/* ESE's version bucket ("version page") size in bytes: max(JET_paramVerPageSize, 2 x database
 * page size), at most 64 KiB, minus the 0x20-byte resource section header (osu.cxx). ESE's
 * defaults: JET_paramVerPageSize 32768 on 64-bit (daeconst.hxx cbDefaultVerPageSize),
 * JET_paramMaxVerPages 64 (sysparamtable.g.cxx), so about 2 MiB. */
uint32_t bj_ver_bucket_size(uint32_t cbVerPageParam, uint32_t cbDbPage);

/* ---- instance ---- */
typedef struct bj_ver_config {
    uint64_t cbMax;         /* budget: JET_paramMaxVerPages x bj_ver_bucket_size(); 0 = none */
    uint32_t cleanup_every; /* opportunistic cleanup every N level-0 commits; 0 = 64 */
    uint32_t cleanup_ms;    /* background thread period; 0 = 100 */
    /* Called at every level-0 commit before publication (log layer: commit record, durable
     * commit wait). A failure fails the commit; the transaction stays open. NULL = no-op. */
    JET_ERR (*commit_hook)(void *ctx, bj_trx *trx, JET_GRBIT grbit, bool has_changes);
    void *commit_hook_ctx;
    /* Logging hooks (crash recovery's undo information; all NULL = no logging). Each is called
     * with no ver lock held, only while logging is on (bj_ver_set_logging), and only for RCEs
     * of the logged kinds (INSERT, REPLACE, DELETE, DELTA, DDL: never for lock RCEs); the trx
     * passed has its bj_ver_trx_id still valid.
     * log_rce: a new RCE is linked and its creator has not yet changed the page; an error makes
     *   bj_ver_modify / bj_ver_modify_delta fail with it (the RCE is withdrawn, no log_cancel).
     * log_undo: a rollback (also a recovery rollback) is about to run the RCE's undo callback
     *   (called also when the RCE has none); an error fails the rollback like a failing undo
     *   callback (JET_errRollbackError, instance unavailable), the RCE stays.
     * log_cancel: bj_ver_rce_cancel withdraws the RCE (its page change failed).
     * log_trx_end: a level-0 rollback completed (the transaction is over even if it fails; its
     *   error is bj_ver_trx_rollback's result then). */
    JET_ERR (*log_rce)(void *ctx, bj_trx *trx, const bj_rce *rce);
    JET_ERR (*log_undo)(void *ctx, bj_trx *trx, const bj_rce *rce);
    void (*log_cancel)(void *ctx, bj_trx *trx, const bj_rce *rce);
    JET_ERR (*log_trx_end)(void *ctx, bj_trx *trx);
    /* log_undone: a rollback's undo of the RCE is complete (called once, when the undo marks
     * it undone, still under the page latch of its last change and before any other
     * transaction may change the record): the undo record belongs in the log now. */
    void (*log_undone)(void *ctx, bj_trx *trx, const bj_rce *rce);
    void *log_ctx;
} bj_ver_config;

typedef struct bj_ver_stats {
    uint64_t cbUsed, cbMax; /* bytes charged to the budget now / the budget */
    uint64_t rces_live;     /* RCEs in the hash now */
    uint64_t rces_created, rces_cleaned, rces_rolled_back;
    uint64_t commits, rollbacks, write_conflicts, out_of_budget;
    uint64_t cleanup_runs, cleanup_callbacks;
    uint32_t active; /* active transactions + registered snapshots */
} bj_ver_stats;

/* A new version store (cfg NULL = defaults, no budget). JET_errOutOfMemory. */
JET_ERR bj_ver_init(const bj_ver_config *cfg, bj_ver **pver);
/* Stops the cleanup thread, runs a last cleanup, frees everything. Sessions' bj_trx must have
 * been destroyed; RCEs still held (e.g. after a failed rollback) are freed without callbacks. */
void bj_ver_term(bj_ver *ver);
/* The same without the last cleanup: no callback runs (the databases they would touch are
 * gone, e.g. after a failed flush; what cleanup left stays on the pages for recovery). */
void bj_ver_term_discard(bj_ver *ver);
void bj_ver_get_stats(bj_ver *ver, bj_ver_stats *st);
/* 0, or the error of the undo callback that made the instance unavailable for updates. */
JET_ERR bj_ver_fatal_error(bj_ver *ver);
/* The current value of the timestamp counter (the last timestamp drawn). */
uint64_t bj_ver_now(bj_ver *ver);
/* Switches the logging hooks of the configuration on (the default) or off (crash recovery
 * re-creates logged RCEs and rolls them back without logging them again). */
void bj_ver_set_logging(bj_ver *ver, bool on);

/* ---- reader snapshots without a transaction ---- */
typedef struct bj_ver_snap {
    uint64_t ts;                     /* the snapshot: RCEs committed before ts are visible */
    struct bj_ver_snap *prev, *next; /* private */
    int32_t slot;                    /* private: its reader slot, or -1 (in the active list) */
} bj_ver_snap;
/* Draws a timestamp and registers it so that cleanup keeps what it can see. Never fails. */
void bj_ver_snap_begin(bj_ver *ver, bj_ver_snap *snap);
void bj_ver_snap_end(bj_ver *ver, bj_ver_snap *snap);

/* ---- transactions (one bj_trx per session; used by one thread at a time) ---- */
typedef enum bj_trx_state {
    BJ_TRX_NONE = 0,    /* level 0: no transaction */
    BJ_TRX_ACTIVE,      /* level >= 1 */
    BJ_TRX_COMMITTED,   /* last transaction committed (level 0 again) */
    BJ_TRX_ROLLED_BACK, /* last transaction rolled back (level 0 again) */
} bj_trx_state;

/* A session's transaction state. JET_errOutOfMemory. */
JET_ERR bj_ver_trx_create(bj_ver *ver, bj_trx **ptrx);
/* Rolls back whatever is open (errors ignored), then frees. */
void bj_ver_trx_destroy(bj_trx *trx);
/* JetBeginTransaction: level +1; at level 0 -> 1 draws trxBegin0 and registers the snapshot.
 * JET_errTransTooDeep at level 7; JET_errInstanceUnavailable after a rollback failure;
 * JET_errOutOfMemory. */
JET_ERR bj_ver_trx_begin(bj_trx *trx);
/* The same for the engine's own nested levels (an update's atomicity): up to
 * BJ_VER_LEVEL_INTERNAL_MAX, so a user at level 7 can still update. */
JET_ERR bj_ver_trx_begin_internal(bj_trx *trx);
/* JetCommitTransaction: level n > 1 merges its RCEs into level n-1; level 1 calls the commit
 * hook, draws trxCommit0, publishes it, and hands the RCEs to cleanup. JET_errNotInTransaction
 * at level 0; the hook's error (the transaction stays open). */
JET_ERR bj_ver_trx_commit(bj_trx *trx, JET_GRBIT grbit);
/* JetRollback: undoes the current level's RCEs newest first (all levels with
 * JET_bitRollbackAll). JET_errNotInTransaction at level 0; JET_errRollbackError when an undo
 * callback fails (see the top of this file). */
JET_ERR bj_ver_trx_rollback(bj_trx *trx, JET_GRBIT grbit);
uint32_t bj_ver_trx_level(const bj_trx *trx);
bj_trx_state bj_ver_trx_state(const bj_trx *trx);
/* The id of the open level-0 transaction: unique per bj_ver, from 1 (a counter drawn at level
 * 0 -> 1); 0 at level 0, except inside the commit hook and log_trx_end, which still see it. */
uint64_t bj_ver_trx_id(const bj_trx *trx);
/* Crash simulation (tests): ends the open transaction as if the process had died: its RCEs are
 * freed without undo callbacks or hooks (the pages keep the changes); level 0 afterwards. */
void bj_ver_trx_abandon(bj_trx *trx);
/* trxBegin0 of the open transaction (0 at level 0). */
uint64_t bj_ver_trx_begin_ts(const bj_trx *trx);
/* trxCommit0 of the last committed transaction (0 when none). */
uint64_t bj_ver_trx_commit_ts(const bj_trx *trx);
/* RCEs the open transaction holds (all levels). */
uint32_t bj_ver_trx_rce_count(const bj_trx *trx);

/* ---- revision entries ---- */
typedef enum bj_ver_kind {
    BJ_VER_INSERT = 1, /* record inserted: invisible -> absent */
    BJ_VER_REPLACE,    /* before-image required: invisible -> before-image */
    BJ_VER_DELETE,     /* flag-delete, before-image required: invisible -> present, before */
    BJ_VER_DELTA,      /* escrow update (bj_ver_modify_delta): invisible -> value - delta */
    BJ_VER_READ_LOCK,  /* JetGetLock read lock: commutes with read locks */
    BJ_VER_WRITE_LOCK, /* JetGetLock write lock / prepared replace with lock: no change */
    BJ_VER_DDL,        /* schema change: opaque payload; no image effect */
} bj_ver_kind;

typedef struct bj_ver_key {
    uint32_t dbid;
    uint32_t objid;
    const void *bm; /* bookmark bytes (may be NULL when cbBm == 0) */
    uint32_t cbBm;
} bj_ver_key;

/* Which layer created an RCE (bj_ver_ops.client): crash recovery finds the callbacks of a
 * logged RCE again by (dbid, client). */
#define BJ_VER_CLIENT_TBL 1 /* src/tbl: record and index nodes, long values (bj_tbl_db_ver_ops) */
#define BJ_VER_CLIENT_DDL 2 /* src/cat: catalog changes (bj_cat_ddl_ver_ops) */

/* The creating layer's callbacks for its RCEs (ctx is passed back). Undo callbacks must be
 * idempotent and succeed when the change they undo never reached the page (recovery re-creates
 * logged RCEs whose page change may not have been logged, and a crash during a recovery
 * rollback runs undo again), except for escrow deltas (see bj_ver_modify_delta). */
typedef struct bj_ver_ops {
    /* Rollback: physically undo the change (NULL: nothing to undo, e.g. locks). */
    JET_ERR (*undo)(bj_rce *rce, void *ctx);
    /* Once no snapshot can see the state before this committed RCE (NULL: nothing to do).
     * An error keeps the RCE for the next cleanup pass. */
    JET_ERR (*cleanup)(bj_rce *rce, void *ctx);
    void *ctx;
    uint32_t client; /* BJ_VER_CLIENT_* (0: not logged by a client recovery knows) */
} bj_ver_ops;

/* Read-only for everyone but ver, except payload which the creator may change. */
struct bj_rce {
    uint64_t id; /* unique per bj_ver, from 1, in creation order */
    uint32_t dbid, objid;
    const uint8_t *bm;
    uint32_t cbBm;
    bj_ver_kind kind;
    uint32_t level; /* transaction level that owns it now */
    const uint8_t *before;
    uint32_t cbBefore;
    uint32_t delta_off;  /* BJ_VER_DELTA: little-endian signed integer at delta_off */
    uint32_t delta_size; /* 4 or 8 */
    int64_t delta;
    void *payload;
    uint32_t cbPayload;
    const bj_ver_ops *ops;
    /* private to ver */
    bj_ver_txn *txn;
    bj_rce *older, *newer;       /* chain of the key */
    bj_rce *trx_prev, *trx_next; /* the transaction's RCEs, creation order */
    struct bj_ver_chain *chain;
    uint32_t cbCharge;
    _Atomic int undone;
    _Atomic int inflight; /* BJ_VER_DELTA: the page may or may not hold the delta right now */
};

/* Creates an RCE for trx's current level (the caller holds the page latch, see above):
 * write-conflict check, then insert at the head of the key's chain. before/cbBefore: the
 * before-image (required for REPLACE and DELETE, ignored otherwise); payload copied. Errors:
 * JET_errNotInTransaction (level 0), JET_errWriteConflict, JET_errVersionStoreOutOfMemory
 * (budget), JET_errVersionStoreEntryTooBig (over 4 GiB), JET_errOutOfMemory,
 * JET_errInstanceUnavailable, JET_errInvalidParameter. */
JET_ERR bj_ver_modify(bj_trx *trx, const bj_ver_key *key, bj_ver_kind kind, const void *before,
                      uint32_t cbBefore, const bj_ver_ops *ops, const void *payload,
                      uint32_t cbPayload, bj_rce **prce);
/* An escrow delta RCE: the record's little-endian signed integer of size 4 or 8 at off gets
 * delta added. Deltas of one size by several transactions do not conflict. Its undo is not
 * idempotent: the log makes a delta's RCE and its page change one record, and its undo and
 * the undo's page change (one page operation) another. */
JET_ERR bj_ver_modify_delta(bj_trx *trx, const bj_ver_key *key, uint32_t off, uint32_t size,
                            int64_t delta, const bj_ver_ops *ops, const void *payload,
                            uint32_t cbPayload, bj_rce **prce);
/* Withdraws an RCE of trx after its page change failed (no undo callback; log_cancel). */
void bj_ver_rce_cancel(bj_trx *trx, bj_rce *rce);
/* For undo callbacks: the page no longer shows this RCE's change (call under the latch). */
void bj_ver_rce_set_undone(bj_rce *rce);
/* Escrow deltas are not idempotent, so a reader must know whether the page it read holds one:
 * a delta RCE is "in flight" from bj_ver_modify_delta until the writer, after the page change,
 * calls bj_ver_rce_set_applied(rce, true); an undo callback calls it with false before taking
 * the delta off the page. bj_ver_visible reports an invisible in-flight delta as
 * seen->unstable (the reader re-reads the node and asks again). */
void bj_ver_rce_set_applied(bj_rce *rce, bool applied);

/* ---- visibility ---- */
/* What a reader sees of one node. */
typedef struct bj_ver_seen {
    bool present;   /* the record exists for the reader */
    bool from_page; /* the image is the page's bytes unchanged (nothing copied) */
    bool unstable;  /* an invisible delta was in flight: read the node again and ask again */
    uint32_t cb;    /* the image's size (when present) */
} bj_ver_seen;

/* Computes the reader's view of one node: trx (its snapshot and its own RCEs) or, when trx is
 * NULL or at level 0, the registered snapshot timestamp snap_ts. present/deleted/data/cb: the
 * node on the page (present false when there is none). When the image differs from the page's
 * bytes it is copied into buf (cbBuf bytes; a page-sized buffer always suffices);
 * JET_wrnBufferTruncated when it does not fit (seen->cb tells the size).
 * JET_errDatabaseCorrupted when a delta does not fit the record. Waits (briefly) for a
 * transaction that is publishing its commit. */
JET_ERR bj_ver_visible(bj_ver *ver, const bj_trx *trx, uint64_t snap_ts, const bj_ver_key *key,
                       bool present, bool deleted, const void *data, uint32_t cb, void *buf,
                       uint32_t cbBuf, bj_ver_seen *seen);
/* True when the store holds no RCE at all. A reader that calls it while it holds the latch of
 * the page it read a node from may then take that node as it is (present unless flag-deleted)
 * without bj_ver_visible: the RCE of any change on the page is counted before the page changes
 * and uncounted only after a rollback restored the page, or once every snapshot sees it. */
bool bj_ver_quiet(bj_ver *ver);
/* True when the key has any RCE (a cheap hint for callers that keep no fNDVersion flag). */
bool bj_ver_has_versions(bj_ver *ver, const bj_ver_key *key);
/* For cleanup callbacks (rce is the RCE being cleaned, still linked): whether its key's chain
 * holds an RCE newer than rce, read under the chain's lock (callable under a page latch). */
bool bj_ver_rce_has_newer(bj_ver *ver, const bj_rce *rce);

/* ---- cleanup ---- */
/* Removes the RCEs of transactions that committed before the oldest active snapshot, calling
 * their cleanup callbacks (no ver lock held). Returns the number of RCEs removed. */
uint64_t bj_ver_cleanup(bj_ver *ver);
/* Back-pressure before a modifying operation (call with no page latch held): when the store
 * is more than three quarters full, cleans up now, as ESE waits for a cleanup pass before it
 * gives up with JET_errVersionStoreOutOfMemory. */
void bj_ver_make_room(bj_ver *ver);
/* Starts / stops the background cleanup thread (idempotent). JET_errOutOfThreads. */
JET_ERR bj_ver_start_cleanup_thread(bj_ver *ver);
void bj_ver_stop_cleanup_thread(bj_ver *ver);

#endif /* BJ_VER_H */
