/* inst_recover.h: crash recovery at JetInit (inst_recover.c). Used by src/inst and the restore (src/inst/inst_restore.c). */
#ifndef BJ_INST_RECOVER_H
#define BJ_INST_RECOVER_H

#include "inst/db.h"
#include "recovery/redo.h"

/* Options of a recovery (NULL: plain crash recovery at JetInit). */
typedef struct bj_recover_opts {
    bj_redo_config redo;  /* its optional fields: map, start (hard restore), stop, progress;
                           * the rest is filled from the instance */
    bool fRecoverOnly;    /* restore: the caller stops the engine after recovery */
    /* out */
    bool fStopped;        /* a point-in-time stop ended replay (the stream was restarted) */
    bj_lsn lsnEnd;        /* where replay ended */
    uint64_t cRecords, cbReplayed; /* log records redo read and their body bytes */
    uint32_t genNext;     /* the generation the writer began after recovery */
    bj_signature signLog; /* the stream the writer continues (or began, after a stop) */
} bj_recover_opts;

/* Replays the instance's log folder (if any), undoes unfinished transactions, leaves every
 * database detached and CleanShutdown, and opens the log writer (inst->ilog) continuing the
 * stream (or a new stream when there is no log). The caller then calls bj_ilog_begin_normal.
 * On error the instance's files are as redo's first pass found them when the log is bad;
 * otherwise the error of the step that failed. */
JET_ERR bj_inst_recover(bj_inst *inst, bj_recover_opts *opts);

/* Runs fn(inst, ctx) on an instance marked restoring (other calls on it, JetInit and JetTerm
 * get JET_errRestoreInProgress): instance 0/Nil = a temporary instance named szTempName (or
 * with 4 digits appended when taken; multi-instance mode is set when no mode is), freed
 * after; else that instance, which must not be initialized (JET_errAlreadyInitialized).
 * fLegacy (JetRestore, JetRestore2): JET_errRunningInMultiInstanceMode in multi-instance
 * mode; one-instance mode is set when no mode is; the legacy instance when there is one,
 * else a temporary one. JET_errInvalidInstance / JET_errInvalidParameter as bj_inst_enter. */
typedef JET_ERR (*bj_inst_restore_fn)(bj_inst *inst, void *ctx);
JET_ERR bj_inst_restore(JET_INSTANCE instance, bool fLegacy, const char *szTempName,
                        bj_inst_restore_fn fn, void *ctx);
/* On an instance in bj_inst_restore: starts the cache, version store and log, recovers with
 * opts, stops everything again (databases detached clean, TERM and a checkpoint logged). */
JET_ERR bj_inst_recover_offline(bj_inst *inst, bj_recover_opts *opts);
/* Whether an instance other than self that is initialized (or initializing) writes its log
 * in szLogPath (compared as absolute, normalised paths). */
bool bj_inst_log_path_in_use(const bj_inst *self, const char *szLogPath);
/* JetInit3 with options (remap, stop). */
JET_ERR bj_inst_init_opts(JET_INSTANCE *pinstance, JET_GRBIT grbit, bj_recover_opts *opts);

#endif /* BJ_INST_RECOVER_H */
