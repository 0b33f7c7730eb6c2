/* backup.h: layer 8, online backup of an instance (issue 4, ese-backup-spec.md §2-§5): the
 * external (streaming) backup API's engine side and the internal backup to a folder. One
 * bj_backup per initialised instance (inst->backup, made at JetInit, freed at JetTerm); at
 * most one backup runs on it at a time, with at most one open file.
 *
 * Every function here is called by src/api on an entered instance (bj_inst_enter) and returns
 * the error codes of the spec's state table (§3.3). Calls on one bj_backup are serialised by
 * its mutex, except bj_bk_stop (a flag) and bj_bk_active.
 *
 * Note on layering: the backup reads the instance's attached databases, their headers and the
 * log's paths, so it includes src/inst headers (inst.h, db.h, inst_log.h).
 */
#ifndef BJ_BACKUP_H
#define BJ_BACKUP_H

#include "inst/inst.h"

typedef struct bj_backup bj_backup;

/* Makes the backup context of an initialised instance. JET_errOutOfMemory. */
JET_ERR bj_bk_new(bj_inst *inst, bj_backup **pbk);
/* Ends a running backup as aborted by the server (JetTerm) and frees the context. */
void bj_bk_free(bj_backup *bk);
/* Whether a backup is in progress (JetAttachDatabase / JetDetachDatabase / JetTerm). */
bool bj_bk_active(bj_backup *bk);
/* JetTerm2 with JET_bitTermStopBackup / JET_bitTermAbrupt: ends a running backup now, as
 * aborted by the server (no header update). No-op without a backup. */
void bj_bk_abort(bj_backup *bk);

/* JetBeginExternalBackupInstance (grbit 0 or JET_bitBackupIncremental). */
JET_ERR bj_bk_begin(bj_backup *bk, JET_GRBIT grbit);
/* JetGetAttachInfoInstance: multi-string of the databases' absolute paths; *pcbActual = the
 * full size always, min(cbMax, size) bytes copied. */
JET_ERR bj_bk_attach_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual);
/* JetOpenFileInstance: a database of the backup or (after GetLogInfo) a log / patch file;
 * ibRead (JetOpenFileSectionInstance) resumes the stream at that offset: a multiple of the
 * page size, and for a database at or after data page 2 (else JET_errInvalidParameter). The
 * size reported is the whole stream's. */
JET_ERR bj_bk_open_file(bj_backup *bk, const char *szFile, uint64_t ibRead, JET_HANDLE *ph,
                        uint32_t *pcbLow, uint32_t *pcbHigh);
/* JetReadFileInstance: the next bytes of the open file's stream (whole pages); pv needs no
 * alignment here (the API layer enforces the OS-page alignment ESE requires). */
JET_ERR bj_bk_read_file(bj_backup *bk, JET_HANDLE h, void *pv, uint32_t cb, uint32_t *pcbActual);
/* JetCloseFileInstance. */
JET_ERR bj_bk_close_file(bj_backup *bk, JET_HANDLE h);
/* JetGetLogInfoInstance(2): logs copyMic..copyMac-1 (rolls the log at the first call).
 * pLogInfo may be NULL; its cbSize must be sizeof(JET_LOGINFO). */
JET_ERR bj_bk_log_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual,
                       JET_LOGINFO *pLogInfo);
/* JetGetTruncateLogInfoInstance: logs deleteMic..deleteMac-1. */
JET_ERR bj_bk_truncate_info(bj_backup *bk, char *szz, uint32_t cbMax, uint32_t *pcbActual);
/* JetTruncateLogInstance. */
JET_ERR bj_bk_truncate(bj_backup *bk);
/* JetEndExternalBackupInstance2: exactly one of JET_bitBackupEndNormal / EndAbort. */
JET_ERR bj_bk_end(bj_backup *bk, JET_GRBIT grbit);
/* JetStopBackupInstance: later calls of the running backup get JET_errBackupAbortByServer. */
void bj_bk_stop(bj_backup *bk);

/* JetBackupInstance: the whole backup to a folder (NULL or "": truncate logs only). */
JET_ERR bj_bk_backup_to(bj_backup *bk, const char *szPath, JET_GRBIT grbit,
                        JET_PFNSTATUS pfnStatus);

/* Tests only: the retry sleep of a failing database page read is ms x attempt (ESE: 100). */
void bj_bk_test_set_retry_ms(uint32_t ms);

#endif /* BJ_BACKUP_H */
