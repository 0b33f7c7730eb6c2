/* backup_restore.h: restore of a chain of backup folders (backup_set.h) into a new folder, used
 * by `bluejet restore`, `bluejet backup verify`, the backup demo and the backup tests.
 *
 * The chain is checked first (bj_bkset_check_chain: nothing is changed when it fails), the
 * images of its first folder are copied into the target under their file names, and the
 * engine's hard restore (bj_restore_run, the function behind JetExternalRestore2) replays the
 * chain's generations straight from the backup folders, optionally stopping at a log position
 * or time (point in time). The databases end Clean Shutdown in the target, whose log stream
 * continues there. Single-threaded; uses the process's parameters (page size, log file size)
 * as the chain's manifest gives them.
 */
#ifndef BJ_BACKUPSET_RESTORE_H
#define BJ_BACKUPSET_RESTORE_H

#include "backup_set.h"
#include "common/common.h"

/* Where a restore stops (nothing set: replay everything). */
typedef struct bj_bks_stop {
    bool fLgpos;
    uint32_t gen, isec, ib; /* replay the records before this log position */
    bool fTime;
    int64_t msUtc;          /* replay the commits made at or before this time (ms since 1970, UTC) */
} bj_bks_stop;

/* Progress of the replay in percent (0..100); may be NULL. */
typedef void (*bj_bks_restore_progress_fn)(void *ctx, uint32_t pct);

typedef struct bj_bks_restored {
    uint32_t genLow, genHigh; /* the chain's generations */
    bool fStopped;            /* a stop ended the replay (a new log stream began) */
    uint32_t cdb;
    char rgdb[BJ_BKSET_DB_MAX][BJ_PATH_MAX]; /* the restored databases */
    double sec;               /* the engine's restore alone */
    uint64_t cbLogs;          /* bytes of the log files replayed (whole files) */
    uint64_t cRecords;        /* log records replayed */
    uint64_t cbReplayed;      /* their bytes (record bodies) */
} bj_bks_restored;

/* Restores the chain dirs[0..n) into target (made when missing; must be empty). On failure
 * msg says why (the chain's first problem, or the step and error). */
JET_ERR bj_bks_restore(const char *const *dirs, uint32_t n, const char *target,
                       const bj_bks_stop *stop, bj_bks_restore_progress_fn fn, void *ctx,
                       bj_bks_restored *out, char *msg, size_t cchMsg);

#endif /* BJ_BACKUPSET_RESTORE_H */
