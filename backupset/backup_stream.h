/* backup_stream.h: an external (streaming) backup of a live instance into a folder, through the
 * public esent.h calls only: JetBeginExternalBackupInstance, JetGetAttachInfoInstance,
 * JetOpenFileInstance / JetReadFileInstance / JetCloseFileInstance for each database (full
 * only), JetGetLogInfoInstance2 and the same three calls for each log, JetTruncateLogInstance
 * (when asked), JetEndExternalBackupInstance2 (Normal, or Abort after an error). Each file lands
 * in the folder under its own base name and is fdatasync'ed; the folder too.
 *
 * bj_bks_restore (backup_restore.c) restores such a set into a new folder: JetExternalRestore2.
 * Used by the backup demo (demo/backup_demo.c), the benchmark (bench/backup_bluejet.c) and the
 * backup tests. They need the engine's backup calls (issue 4, helper `bk`) and, for the restore,
 * JetExternalRestore2 (helper `rst`): each file links only once those exist.
 * Single-threaded: call it from one thread; the instance's writers may run meanwhile.
 */
#ifndef BJ_DEMO_BACKUP_STREAM_H
#define BJ_DEMO_BACKUP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esent.h>

typedef struct bj_bks_stats {
    double secBegin;     /* JetBeginExternalBackupInstance alone */
    double secFirstByte; /* from before Begin to the first database byte read (full), or the
                            first log byte (incremental); < 0 when none */
    double secDatabases; /* from before Begin to the last database file closed (full) */
    double secTotal;     /* from before Begin to after End and the folder's fsync */
    uint64_t cbDatabases, cbLogs;
    int cDatabases, cLogs;
    uint32_t genLow, genHigh; /* the log range of the set (JET_LOGINFO) */
} bj_bks_stats;

/* Progress: bytes written so far, and the total of the sizes JetOpenFileInstance reported so
 * far plus, before the logs are known, nothing (the total grows as files open). */
typedef void (*bj_bks_progress_fn)(void *ctx, uint64_t cbDone, uint64_t cbKnown);

/* Backs inst up into folder destDir (made when missing): grbit 0 = full (databases and logs),
 * JET_bitBackupIncremental = the logs since the last full or incremental. truncate: call
 * JetTruncateLogInstance (a full / incremental backup proper; without it a copy / differential).
 * cbChunk: bytes per JetReadFileInstance (a multiple of the page size; 0 = 1 MiB). Returns the
 * first error; the backup is then ended with JET_bitBackupEndAbort. */
JET_ERR bj_bks_backup(JET_INSTANCE inst, JET_GRBIT grbit, const char *destDir, bool truncate,
                      uint32_t cbChunk, bj_bks_progress_fn fn, void *ctx, bj_bks_stats *st);

/* Restores a backup set into folder destDir (made when missing; must not hold the database):
 * the database image of backupDirs[0] (a full backup made by bj_bks_backup; its file name is
 * origDb's base name) and the logs (*.log) of every backupDirs[i] (the full, then incrementals
 * or differentials) are copied into destDir and destDir/logs, then JetExternalRestore2 replays
 * generations genLow..genHigh with destDir as the restore's log and checkpoint folder and
 * origDb (the path the live instance attached; made absolute) mapped to destDir/<base name>.
 * pfn (may be NULL) gets the restore's status notifications. *psec = seconds of the restore
 * call; dbOut = the restored database's path. Needs JetExternalRestore2 (helper `rst`). */
JET_ERR bj_bks_restore(const char *const *backupDirs, int cDirs, const char *origDb,
                       const char *destDir, uint32_t genLow, uint32_t genHigh, JET_PFNSTATUS pfn,
                       char *dbOut, size_t cbDbOut, double *psec);

#endif /* BJ_DEMO_BACKUP_STREAM_H */
