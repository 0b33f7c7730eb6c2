/* crash_common.h: what the crash, power-loss and fault suites share: the schema, a random
 * transactional workload whose every transaction is announced and acknowledged to a sink, a
 * model built from those announcements, and the check of a recovered database against it.
 *
 * Schema: table "rows" (k currency, primary index; v currency) and table "accounts" (id long,
 * primary index; bal currency) holding CW_NACC rows whose balances always sum to
 * CW_NACC * CW_BAL0 (transfers move money between two of them in one transaction).
 *
 * Protocol of a worker thread, for each transaction (cw_txn: thread, id, ops on "rows"):
 *   'B' before JetBeginTransaction (the ops it will do on "rows"; transfers are not listed);
 *   'C' after JetCommitTransaction(sesid, 0) returned success (durable: must survive);
 *   'L' after a successful JetCommitTransaction(JET_bitCommitLazyFlush): it survives once a
 *       later 'C' of the same thread is reported (that commit flushed the log past it);
 *   'R' after a rollback of a transaction whose commit was never called (must not survive);
 *   nothing after 'B' when the commit failed or the process died: it may or may not survive.
 * Keys "rows" keys are (round << 40) | (thread << 32) | seq, so workers of one round touch
 * disjoint rows; updates and deletes only touch rows the same worker inserted and committed.
 *
 * cw_check asserts, per thread, that the database holds the model (every 'C' and the 'L's before
 * it) plus a prefix, in order, of the transactions that were still pending (lazy commits and the
 * one in flight): whole transactions only, nothing else (no 'R' and no row never announced),
 * and that "accounts" has CW_NACC rows summing to CW_NACC * CW_BAL0. It then adopts the prefix
 * found into the model, so the model equals the database again.
 */
#ifndef BJ_TESTS_CRASH_COMMON_H
#define BJ_TESTS_CRASH_COMMON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "esent.h"

#define CW_NACC 16
#define CW_BAL0 1000
#define CW_MAXOPS 4
#define CW_MAXTHR 8
#define CW_MAXPEND 8 /* pending transactions per thread (lazy commits + one in flight) */

enum { CW_INS = 1, CW_UPD = 2, CW_DEL = 3 };

typedef struct cw_op {
    uint8_t kind;
    uint64_t key;
    int64_t val; /* INS, UPD */
} cw_op;

typedef struct cw_txn {
    uint32_t thread;
    uint64_t id; /* per thread, increasing */
    uint32_t nops;
    cw_op ops[CW_MAXOPS];
} cw_txn;

/* Receives the protocol events above (from any worker thread; serialise inside). */
typedef void (*cw_sink_fn)(void *ctx, char what, const cw_txn *t);

/* One worker: a session of its own on the database, random transactions until *stop, maxTxns
 * or an error other than a write conflict (saved in err). */
typedef struct cw_worker {
    JET_INSTANCE inst;
    const char *dbpath;
    uint32_t thread, round;
    uint64_t rng;
    uint32_t maxTxns; /* 0: until *stop */
    bool lazy;        /* some commits with JET_bitCommitLazyFlush */
    atomic_int *stop;
    cw_sink_fn sink;
    void *ctx;
    /* results */
    JET_ERR err; /* first error that stopped the worker (0: stopped on request / maxTxns) */
    uint32_t ncommit, nrollback, nconflict;
    /* private: keys this worker inserted and committed ('C' or 'L'), with their values */
    uint64_t *live;
    int64_t *liveVal;
    uint32_t nlive, caplive;
} cw_worker;

/* Thread body (arg: cw_worker*). Frees its private arrays before returning. */
void *cw_worker_main(void *arg);

/* Creates the two tables and the accounts in an open database (own transaction). */
JET_ERR cw_create_schema(JET_SESID s, JET_DBID db);

/* ---- model ---- */
/* key -> value, open addressing with linear probing */
typedef struct cw_map {
    uint64_t *keys;
    int64_t *vals;
    uint8_t *used; /* 0 empty, 1 full, 2 tombstone */
    size_t cap, n, ntomb;
} cw_map;

typedef struct cw_model {
    cw_map rows;                          /* committed rows */
    cw_txn pend[CW_MAXTHR][CW_MAXPEND];   /* per thread: 'L's then possibly one 'B' */
    char pendKind[CW_MAXTHR][CW_MAXPEND]; /* 'L' or 'B' */
    uint32_t npend[CW_MAXTHR];
    uint64_t ncommitted, nrolledback; /* events seen */
    char err[512];                    /* first protocol error (e.g. 'C' without 'B') */
} cw_model;

void cw_model_init(cw_model *m);
void cw_model_free(cw_model *m);
/* Feeds one protocol event. */
void cw_model_event(cw_model *m, char what, const cw_txn *t);

/* Checks an attached database (opened as db by s) against the model (see the top comment) and
 * adopts the pending prefix found. 0 when it matches; else a message in why. */
int cw_check(cw_model *m, JET_SESID s, JET_DBID db, char *why, size_t cbWhy);

/* ---- protocol lines (for pipes): "<what> <thread> <id> <nops> (<kind> <key> <val>)*\n" ---- */
/* Formats one event into buf; returns its length (< cb), 0 when it does not fit. */
size_t cw_format(char *buf, size_t cb, char what, const cw_txn *t);
/* Parses one line (without or with its newline); false when malformed. */
bool cw_parse(const char *line, char *what, cw_txn *t);

/* ---- helpers ---- */
uint64_t cw_rand(uint64_t *s);
/* Unsigned value of environment variable name, or dflt. */
uint64_t cw_env_u64(const char *name, uint64_t dflt);
/* Path of the bluejet tool: $BJ_TOOL, else the build tree's (BJ_TOOL_PATH), else NULL. */
const char *cw_tool_path(void);
/* Runs `bluejet check FILE --quiet` (its output into tmp/check.out); its exit status
 * (0 clean), -1 when it could not run; a sanitizer report in its stderr counts as -2. */
int cw_tool_check(const char *file, const char *tmpdir);

#endif
