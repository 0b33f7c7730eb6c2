/* ver_priv.h: ver's private structures, shared by ver.c (RCE hash, modify, visibility,
 * cleanup) and ver_trx.c (transactions, snapshots, commit, rollback).
 *
 * Lock order: cleanup_lock -> trx_lock -> one stripe lock; thr_lock is a leaf. No ver lock is
 * held while a callback (undo, cleanup, commit hook) runs. A bj_ver_txn's RCE list is touched
 * only by its session's thread until level-0 commit, then only by cleanup (under cleanup_lock).
 */
#ifndef BJ_VER_PRIV_H
#define BJ_VER_PRIV_H

#include <stdatomic.h>

#include "os/os.h"
#include "ver/ver.h"

#define BJ_VER_NBUCKETS 4096u /* hash buckets (power of 2) */
#define BJ_VER_NSTRIPES 64u   /* bucket b is guarded by stripe b % NSTRIPES */

/* bj_ver_txn.commit: one word carries the state and, once committed, trxCommit0. */
#define BJ_TS_ACTIVE 0u
#define BJ_TS_ROLLEDBACK (UINT64_MAX - 1u)
#define BJ_TS_COMMITTING UINT64_MAX

struct bj_ver_txn {
    bj_ver_snap snap;        /* trxBegin0 and the active-list links */
    _Atomic uint64_t commit; /* BJ_TS_* or trxCommit0 */
    bj_rce *first, *last;    /* RCEs in creation order */
    uint32_t nrce;
    struct bj_ver_txn *cnext; /* committed list / zombie list */
};

typedef struct bj_ver_chain {
    struct bj_ver_chain *next; /* in its bucket */
    bj_rce *newest;
    uint32_t hash, dbid, objid, cbBm;
    uint8_t bm[];
} bj_ver_chain;

/* Reader-snapshot slots (bj_ver_snap_begin without trx_lock); more readers use the list. */
#define BJ_VER_SNAP_SLOTS 64
#define BJ_VER_SLOT_CLAIMED UINT64_MAX

struct bj_ver {
    bj_ver_config cfg;
    _Atomic uint64_t ts; /* the last timestamp drawn */

    bj_mutex trx_lock;  /* active list (sorted by ts: drawn under this lock), committed list */
    bj_ver_snap active; /* sentinel of the circular active list */
    uint32_t nactive;
    /* Reader snapshots without a lock (ver_trx.c): 0 = free, BJ_VER_SLOT_CLAIMED, or a ts.
     * horizon: the bound the last cleanup pass took before it scanned the slots. */
    _Atomic uint64_t slots[BJ_VER_SNAP_SLOTS];
    _Atomic uint64_t horizon;
    bj_ver_txn *committed; /* level-0 committed transactions still holding RCEs */
    bj_ver_txn *zombies;   /* transactions whose rollback failed and whose session is gone */

    bj_rwlock stripes[BJ_VER_NSTRIPES];
    bj_ver_chain *buckets[BJ_VER_NBUCKETS];

    _Atomic uint64_t cbUsed;
    _Atomic int32_t fatal;
    _Atomic uint64_t rce_ids, trx_ids; /* the last RCE / transaction id handed out */
    _Atomic bool logging;              /* the cfg.log_* hooks are called */
    _Atomic uint32_t commits_since_cleanup;

    bj_mutex cleanup_lock; /* one cleanup pass at a time */
    bj_mutex thr_lock;
    bj_cond thr_cond;
    bj_cond thr_done;    /* broadcast after each pass of the thread (thr_passes) */
    uint64_t thr_passes; /* passes the thread completed (under thr_lock) */
    bool thr_running, thr_stop, thr_kick, thr_busy;
    bj_thread thr;

    _Atomic uint64_t st_live, st_created, st_cleaned, st_rolled_back, st_commits, st_rollbacks,
        st_conflicts, st_oob, st_cleanup_runs, st_cleanup_callbacks;
};

struct bj_trx {
    bj_ver *ver;
    uint32_t level;
    bj_trx_state state;
    bj_ver_txn *txn; /* the open transaction (level > 0) */
    uint64_t last_commit;
    uint64_t id; /* bj_ver_trx_id: set at level 0 -> 1, cleared after commit / log_trx_end */
};

/* Whether rce's kind is logged (not a lock) and logging is on. */
bool bj_ver_logs(const bj_ver *ver, const bj_rce *rce);
/* The rollback in progress on this thread (ver_trx.c sets it around an undo callback), for
 * bj_ver_rce_set_undone's log_undone call. */
void bj_ver_undo_begin(bj_ver *ver, bj_trx *trx, bj_rce *rce);
void bj_ver_undo_end(void);

/* trxCommit0 or BJ_TS_ACTIVE / BJ_TS_ROLLEDBACK; waits out BJ_TS_COMMITTING. */
uint64_t bj_ver_txn_commit_ts(const bj_ver_txn *txn);
/* The oldest snapshot among bound and the reader slots; publishes bound as the horizon first
 * (cleanup only, under cleanup_lock; bound 0 publishes nothing). *pcount: slots in use. */
uint64_t bj_ver_slots_oldest(bj_ver *ver, uint64_t bound, uint32_t *pcount);
/* Unlinks rce from its key chain (freeing an empty chain), frees it, releases its budget. The
 * caller has already removed it from its transaction's list. */
void bj_ver_rce_free(bj_ver *ver, bj_rce *rce);
/* Unlinks rce from its transaction's list. */
void bj_ver_txn_remove(bj_ver_txn *txn, bj_rce *rce);
/* Opportunistic cleanup after a level-0 commit (inline, or a kick to the thread). */
void bj_ver_after_commit(bj_ver *ver);

#endif /* BJ_VER_PRIV_H */
