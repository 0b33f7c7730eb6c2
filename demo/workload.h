/* workload.h: a multi-threaded write load with a known invariant, and its verifier, through the
 * public esent.h API only. Used by the backup tests (tests/backup), the backup benchmark and the
 * demo program.
 *
 * The database (bj_wl_setup):
 *   accounts  id Long (primary, unique), balance LongLong: cAccounts rows, each starting at
 *             initialBalance, so the sum of balances is always cAccounts * initialBalance.
 *   writers   id Long (primary, unique), seq LongLong: one row per writer, seq 0 at the start.
 *   history   writer Long, seq LongLong, from Long, to Long, amount LongLong; primary unique
 *             key (writer, seq).
 * A transaction of writer w (bj_wl_start): moves a random amount between two random distinct
 * accounts, sets writers[w].seq to seq + 1 and inserts history (w, seq + 1, ...), then commits
 * durably (JetCommitTransaction 0). A write conflict rolls the whole transaction back and retries
 * with fresh accounts; nothing is published for it.
 *
 * The invariant (bj_wl_verify): sum(balance) == cAccounts * initialBalance; for every writer,
 * writers.seq == number of its history rows == the highest of their seqs (rows 1..seq all
 * present), so no transaction is partial; and writers.seq lies in an expected [min, max].
 *
 * Publishing: after JetCommitTransaction returns, a writer stores its seq (atomic, release).
 * bj_wl_committed() taken at time T is therefore a lower bound of what is durable at T: pass it
 * as seqMin for a backup begun after T. A writer has at most one transaction in flight, so
 * bj_wl_committed() taken after a backup ended, plus one, bounds what the backup may hold
 * (seqMax).
 *
 * Threads: each writer owns its own session, database handle and cursors; the published
 * counters are the only state shared with the caller. Lock order: none (atomics only).
 */
#ifndef BJ_DEMO_WORKLOAD_H
#define BJ_DEMO_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <esent.h>

#define BJ_WL_MAX_WRITERS 64

/* The shape of the data and of the load. Zero fields take the defaults shown. */
typedef struct bj_wl_params {
    int32_t cAccounts;      /* 1000 */
    int64_t initialBalance; /* 1000 */
    int cWriters;           /* 4; at most BJ_WL_MAX_WRITERS */
    int32_t maxAmount;      /* 100: a transfer moves 1..maxAmount */
    uint32_t seed;          /* 1: writer w draws from seed * 7919 + w */
    uint32_t cbHistoryPad;  /* 0: bytes of filler per history row (grows the data faster) */
} bj_wl_params;

/* Fills the defaults of p's zero fields into *out. */
void bj_wl_params_fill(const bj_wl_params *p, bj_wl_params *out);

/* Creates and initialises (JetInit) an instance named name whose system, log and temp paths are
 * the folder dir (made when missing; a trailing '/' is added): circular logging off, 8 KiB
 * pages, sessions enough for BJ_WL_MAX_WRITERS writers. The caller owns the instance (JetTerm).
 * Each instance needs its own folder (multi-instance mode). */
JET_ERR bj_wl_instance_open(const char *dir, const char *name, JET_INSTANCE *pinst);

/* Creates database dbPath in inst with the three tables, the accounts and the writer rows, and
 * detaches nothing: the database stays attached (JetCloseDatabase only). */
JET_ERR bj_wl_setup(JET_INSTANCE inst, const char *dbPath, const bj_wl_params *p);

/* Grows database dbPath (attached in inst) by about cbTarget bytes: table "filler" (id Long
 * primary, data LongBinary) gets rows of 64 KiB of incompressible bytes, 16 rows per transaction
 * committed with JET_bitCommitLazyFlush (the closing one durably). The verifier ignores it.
 * Made for benchmarks and the demo: a large database for a backup to stream. */
JET_ERR bj_wl_fill(JET_INSTANCE inst, const char *dbPath, uint64_t cbTarget);

typedef struct bj_wl bj_wl;

/* A point of a running load: its time (monotonic seconds) and the commits so far. */
typedef struct bj_wl_sample {
    double t;
    uint64_t commits;
} bj_wl_sample;

/* Called from the load's own monitor thread every interval: the commits per second over the
 * interval just ended (t0..t1, monotonic seconds). */
typedef void (*bj_wl_rate_fn)(void *ctx, double t0, double t1, double commitsPerSec);

/* Starts p->cWriters writer threads on database dbPath of inst (set up by bj_wl_setup, attached).
 * With fn non-NULL, a monitor thread calls fn every intervalMs (>= 10) milliseconds.
 * *pwl is the running load; bj_wl_stop ends it. */
JET_ERR bj_wl_start(JET_INSTANCE inst, const char *dbPath, const bj_wl_params *p, bj_wl_rate_fn fn,
                    void *ctx, int intervalMs, bj_wl **pwl);

/* The committed seq of each writer, published so far: seqs[0..cWriters). */
void bj_wl_committed(const bj_wl *wl, int64_t *seqs);

/* The current time and total commits, for rates over a phase (bj_wl_rate). */
bj_wl_sample bj_wl_sample_now(const bj_wl *wl);

/* Commits per second between two samples (0 when no time passed). */
double bj_wl_rate(bj_wl_sample a, bj_wl_sample b);

/* What a load did, returned by bj_wl_stop. */
typedef struct bj_wl_stats {
    JET_ERR err;        /* the first unexpected error of a writer (success when none) */
    int errWriter;      /* which writer hit it (-1 when none) */
    uint64_t commits;   /* all writers */
    uint64_t conflicts; /* transactions rolled back on a write conflict and retried */
    double seconds;     /* from start to stop */
    int64_t seq[BJ_WL_MAX_WRITERS];
} bj_wl_stats;

/* Stops the writers (each finishes or rolls back its transaction), joins them, ends their
 * sessions and frees wl. stats may be NULL. Returns stats->err. */
JET_ERR bj_wl_stop(bj_wl *wl, bj_wl_stats *stats);

/* What the verifier must find. */
typedef struct bj_wl_expect {
    bj_wl_params params;   /* the shape the database was set up with (defaults filled) */
    const int64_t *seqMin; /* per writer, or NULL: writers.seq >= seqMin[w] */
    const int64_t *seqMax; /* per writer, or NULL: writers.seq <= seqMax[w] */
} bj_wl_expect;

typedef enum bj_wl_fault {
    BJ_WL_OK = 0,
    BJ_WL_ENGINE,    /* the engine failed: verdict.err */
    BJ_WL_SHAPE,     /* missing table or column, wrong account or writer count */
    BJ_WL_TOTAL,     /* sum of balances differs */
    BJ_WL_PARTIAL,   /* writers.seq, history count and history max disagree, or a gap */
    BJ_WL_BELOW_MIN, /* a writer's seq is below seqMin */
    BJ_WL_ABOVE_MAX, /* a writer's seq is above seqMax */
} bj_wl_fault;

typedef struct bj_wl_verdict {
    bj_wl_fault fault; /* the first fault found (BJ_WL_OK when the database is right) */
    JET_ERR err;       /* the engine's error for BJ_WL_ENGINE */
    int writer;        /* the writer concerned, or -1 */
    int64_t total;     /* sum of balances found */
    int32_t cAccounts; /* accounts found */
    int cWriters;      /* writer rows found */
    int64_t seq[BJ_WL_MAX_WRITERS];      /* writers.seq */
    int64_t cHistory[BJ_WL_MAX_WRITERS]; /* history rows per writer */
    uint64_t cHistoryAll;
    char msg[256]; /* one line: "ok: ..." or what is wrong */
} bj_wl_verdict;

/* Attaches dbPath read-only in a new instance whose folder is instDir (a fresh folder, made when
 * missing; NULL: a temporary folder removed afterwards), checks the invariant and exp, detaches
 * and ends the instance. Returns true when the database is right; *v says what was found. */
bool bj_wl_verify(const char *dbPath, const char *instDir, const bj_wl_expect *exp,
                  bj_wl_verdict *v);

/* The same checks on a database already open in session ses (dbid), read in one transaction. */
bool bj_wl_verify_open(JET_SESID ses, JET_DBID dbid, const bj_wl_expect *exp, bj_wl_verdict *v);

#endif /* BJ_DEMO_WORKLOAD_H */
