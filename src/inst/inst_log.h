/* inst_log.h: layer 9, an instance's use of the transaction log: the writer's life (opened
 * after recovery, closed at JetTerm), the hooks that make every change durable and replayable
 * (page changes from bj_bt_apply, revision entries and their undo from the version store, the
 * commit record and the durable-commit wait), database attach/detach records and the header
 * fields they move (dbstate, lgposAttach/Consistent, lGenMin/MaxRequired, signLog), and the
 * checkpoint thread. Private to src/inst.
 *
 * Undo information and atomicity: a revision entry's log record (VER) is held per thread
 * ("pending") and written in ONE record with the next page change of that thread (PGOP_VER),
 * so the log holds the undo information of a change whenever it holds the change (undo
 * tolerates a change that never happened); an escrow delta's VER waits for the delta itself
 * (not idempotent). An undo's record (UNDO) is written when the undo is complete, while it
 * still holds the latch of its last page change and before any other transaction may change
 * the record (so a crash before it undoes again, which is idempotent, and a second undo never
 * overwrites a later committed change) - except an escrow delta's, which goes in one record
 * with the undo's single delta change. A
 * pending record with no page change after it goes out alone before the thread's next
 * VER/UNDO, commit or transaction end.
 *
 * Checkpoint: min(oldest dirty page's first change, first record of every open transaction),
 * written after the database files were fsynced (so a page written before is durable and a
 * page written after started its dirty period with a full page image or INIT at or after the
 * checkpoint: redo never depends on a torn page).
 */
#ifndef BJ_INST_LOG_H
#define BJ_INST_LOG_H

#include "inst/db.h"
#include "log/log.h"

typedef struct bj_ilog bj_ilog;

/* Whether JET_paramRecovery is not "off". */
bool bj_ilog_enabled(bj_inst *inst);
/* The log configuration from the instance's parameters (strings live in *pbufs). */
typedef struct bj_ilog_paths {
    char log[BJ_PATH_MAX], sys[BJ_PATH_MAX], base[8];
} bj_ilog_paths;
void bj_ilog_config(bj_inst *inst, bj_ilog_paths *paths, bj_log_config *cfg);

/* Opens the writer (after recovery) and installs the version store hooks. */
JET_ERR bj_ilog_open(bj_inst *inst, const bj_log_start *start);
/* Logs INIT, writes a checkpoint at the end of the log and starts the checkpoint thread:
 * normal operation begins (after recovery's undo). */
JET_ERR bj_ilog_begin_normal(bj_inst *inst);
/* Stops the checkpoint thread (before the databases are detached at JetTerm). */
void bj_ilog_stop_checkpoints(bj_inst *inst);
/* Stops the checkpoint thread; fClean (every database detached cleanly): logs TERM, flushes,
 * writes the checkpoint at the end. Closes the writer. */
void bj_ilog_close(bj_inst *inst, bool fClean);
/* The instance's log (NULL when logging is off or not open). */
bj_log *bj_ilog_log(bj_inst *inst);
/* The first error that stopped the log (0 while it works). */
JET_ERR bj_ilog_error(bj_inst *inst);

/* The version store configuration's log hooks (ctx = inst). */
void bj_ilog_ver_hooks(bj_inst *inst, bj_ver_config *cfg);

/* A writable database starts being logged: ATTACH record (durable), header DirtyShutdown with
 * lgposAttach, signLog, lGenMinRequired/lGenMaxRequired, written; page changes logged from
 * now on. No-op without a log. */
JET_ERR bj_ilog_db_attached(bj_inst *inst, bj_db *db);
/* Before a writable database's final header: every page was flushed; logs DETACH (durable)
 * and fills lgposConsistent / lgposDetach and clears the required range in db->hdr. */
JET_ERR bj_ilog_db_detaching(bj_db *db);

/* Stops logging a database that is dropped without a detach (JET_bitTermDirty). */
void bj_ilog_db_forget(bj_db *db);
/* The buffer cache's WAL callback (ctx = inst): the log is durable up to lsn. */
JET_ERR bj_ilog_buf_flush(void *ctx, uint64_t lsn);
/* JetCommitTransaction2's JET_bitWaitLastLevel0Commit / WaitAllLevel0Commit: everything
 * committed so far is made durable. */
JET_ERR bj_ilog_flush_all(bj_inst *inst);

/* Backup (src/backup): a copy of db->hdr taken under the header lock, with the current dbtime
 * (what a header write now would store). */
void bj_ilog_db_header_snapshot(bj_db *db, bj_dbhdr *phdr);
/* Backup: fn(&db->hdr, ctx) edits the header under the header lock, then both header copies
 * are written and synced. */
JET_ERR bj_ilog_db_header_update(bj_db *db, void (*fn)(bj_dbhdr *hdr, void *ctx), void *ctx);
/* The log, checkpoint folders and base name as the instance uses them (absolute paths). */
JET_ERR bj_ilog_paths_abs(bj_inst *inst, bj_ilog_paths *paths);

/* Recovery's undo re-creates revision entries with new ids: undo records must carry the
 * original ones so a second recovery matches them. */
JET_ERR bj_ilog_recovery_map(bj_inst *inst, uint64_t rceidNew, uint64_t trxidOld,
                             uint64_t rceidOld);
JET_ERR bj_ilog_recovery_map_trx(bj_inst *inst, uint64_t trxidNew, uint64_t trxidOld);
void bj_ilog_recovery_map_clear(bj_inst *inst);

#endif /* BJ_INST_LOG_H */
