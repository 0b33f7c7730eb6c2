/* restore.h: layer 9, hard restore of a backup (ESE's JetRestore / JetExternalRestore,
 * ese-backup-spec.md §2.12, §2.13, §7), and restore to a point in time (beyond ESE).
 *
 * bj_restore_run is the one internal entry: the Jet* restore calls (src/api/api_restore.c) and
 * the command-line tool call it. It checks the backup set's logs and the logs already in the
 * log folder, checks each database image and merges its trailer into its header, replays from
 * genLow (a checkpoint made there, not edb.chk) through the backup set and then every
 * contiguous generation in the log folder (roll-forward), undoes what was not committed, and
 * leaves the databases CleanShutdown with every backup record of their headers zeroed. The log
 * stream continues in the log folder (edb.log, edb.chk), and the instance is left NOT
 * initialized: the caller may JetInit it there.
 *
 * Point in time (lsnStop / tmStop): replay ends before the first record at or after lsnStop,
 * or before the first level-0 commit whose commit time is later than tmStop; transactions not
 * committed by then are undone. The writer then begins a NEW log stream (a new signature) at
 * the next free generation of the log folder, so the records after the stop can never be
 * replayed onto these databases (docs/restore.md, "After a point-in-time stop").
 */
#ifndef BJ_RESTORE_H
#define BJ_RESTORE_H

#include "inst/inst.h"
#include "log/log.h"

/* A database to restore: the path the log names it by (what JetGetAttachInfo listed at
 * backup time) and where its image is (already placed there by the caller). */
typedef struct bj_restore_map {
    const char *szFrom;
    const char *szTo;
} bj_restore_map;

/* Progress (snt: JET_sntBegin, JET_sntProgress with cunitDone of cunitTotal = 100,
 * JET_sntComplete, JET_sntFail). A negative return at JET_sntBegin stops the restore with
 * that error; later returns are ignored. */
typedef JET_ERR (*bj_restore_status_fn)(void *ctx, JET_SNT snt, uint32_t cunitDone,
                                        uint32_t cunitTotal);

typedef struct bj_restore_result {
    uint32_t genLow, genHigh; /* the backup set used */
    bj_lsn lsnEnd;            /* where replay ended */
    bool fStopped;            /* a point-in-time stop ended it (a new stream began) */
    uint32_t genNext;         /* the generation the log folder continues with */
    uint32_t cdb;             /* databases restored */
    uint64_t cRecords;        /* log records replayed */
    uint64_t cbReplayed;      /* their body bytes */
} bj_restore_result;

typedef struct bj_restore_params {
    JET_INSTANCE instance;    /* 0 or JET_instanceNil: a temporary instance (szTempName, else
                               * "Restore"), freed after; else an instance not initialized */
    const char *szTempName;
    bool fLegacy;             /* JetRestore / JetRestore2: one-instance mode rules (§2.0) */
    const char *szBackupPath; /* the folder of the backup set's logs (and JetRestore images) */
    const char *const *rgszMoreBackupPaths; /* optional: more folders of the set's logs (a
                                             * chain: full + incrementals), searched after
                                             * szBackupPath for each generation */
    uint32_t cMoreBackupPaths;
    uint32_t genLow, genHigh; /* 0: the lowest / highest generation in szBackupPath */
    const bj_restore_map *rgmap; /* the databases (fPatFiles: ignored) */
    uint32_t cmap;
    bool fPatFiles;           /* JetRestore: every <name>.pat in szBackupPath names a database
                               * (by the file name the log has, extension dropped), whose image
                               * szBackupPath/<file> is copied to szDest/<file>, or to its
                               * logged path when szDest is NULL */
    const char *szDest;
    /* Where the log continues (NULL: the instance's JET_paramLogFilePath / SystemPath /
     * BaseName); set on the instance when given. */
    const char *szLogPath, *szSystemPath, *szBaseName;
    bj_lsn lsnStop;           /* 0: none */
    bool fTimeStop;
    bj_logtime tmStop;
    bj_restore_status_fn pfnStatus;
    void *ctxStatus;
    bj_restore_result *presult; /* optional */
} bj_restore_params;

/* Runs a hard restore. Errors (besides I/O and memory): JET_errInvalidParameter (no backup
 * folder, genLow > genHigh, two images of one database), JET_errFileNotFound (no log in the
 * backup folder), JET_errPatchFileMissing (fPatFiles, no .pat), the backup-set and log-folder
 * checks (-557, -555, -556, -513, -610, -611, -565), the image checks (-615, -552, -554, -553,
 * JET_errDatabaseCorrupted, JET_errFileNotFound), replay errors (redo.h), and the instance's
 * (JET_errAlreadyInitialized, JET_errRestoreInProgress, JET_errInvalidInstance). */
JET_ERR bj_restore_run(const bj_restore_params *p);

#endif /* BJ_RESTORE_H */
