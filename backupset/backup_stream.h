/* backup_stream.h: an external (streaming) backup of a live instance into a folder, through the
 * public esent.h calls only: JetBeginExternalBackupInstance, JetGetAttachInfoInstance,
 * JetOpenFileInstance / JetReadFileInstance / JetCloseFileInstance for each database (full
 * only), JetGetLogInfoInstance2 and the same three calls for each log, JetTruncateLogInstance
 * (when asked), JetEndExternalBackupInstance2 (Normal, or Abort after an error). Each file lands
 * in the folder under its own base name and is fdatasync'ed; the folder too.
 *
 * The folder gets a manifest (backup_set.h) after a successful end, so a chain of such folders
 * restores with bj_bks_restore (backup_restore.h). Used by `bluejet backup`, the backup demo,
 * the benchmark (bench/backup_bluejet.c) and the backup tests.
 * Single-threaded: call it from one thread; the instance's writers may run meanwhile.
 */
#ifndef BJ_BACKUPSET_STREAM_H
#define BJ_BACKUPSET_STREAM_H

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
 * cbChunk: bytes per JetReadFileInstance (a multiple of the page size; 0 = 1 MiB). mbPerSec:
 * at most this many MB (10^6 bytes) a second are copied (0: as fast as possible): a copy onto
 * the disk the instance's logs are on takes the bandwidth its commits' fsyncs need, and pacing
 * it leaves the writers their rate. Returns the first error; the backup is then ended with
 * JET_bitBackupEndAbort. */
JET_ERR bj_bks_backup(JET_INSTANCE inst, JET_GRBIT grbit, const char *destDir, bool truncate,
                      uint32_t cbChunk, uint32_t mbPerSec, bj_bks_progress_fn fn, void *ctx,
                      bj_bks_stats *st);

#endif /* BJ_BACKUPSET_STREAM_H */
