/* bk_int.h: private to src/backup: the backup context of an instance (ese-backup-spec.md §3.1)
 * and the functions the backup's files share.
 *
 * Locking: bk->mu serialises every backup call on the instance (held for the whole call,
 * including file I/O); the stop flag is atomic (JetStopBackupInstance never waits). Lock order:
 * bk->mu -> the database table lock (Begin) -> the header lock (inst_log.c hdrmu) -> a
 * database's page-range lock (only while its pages are read).
 */
#ifndef BJ_BK_INT_H
#define BJ_BK_INT_H

#include <stdatomic.h>

#include "backup/backup.h"
#include "inst/db.h"
#include "inst/inst_log.h"
#include "log/log.h"

typedef enum bk_state {
    BK_NOT_STARTED = 0,
    BK_DATABASES,       /* full backup: databases may be opened */
    BK_LOGS_AND_PATCHES /* GetLogInfo ran (or incremental): logs only */
} bk_state;

typedef enum bk_kind { BK_FILE_NONE = 0, BK_FILE_DB, BK_FILE_LOG, BK_FILE_PATCH } bk_kind;

/* The one open file of a backup. */
typedef struct bk_file {
    bk_kind kind;
    JET_HANDLE h;
    uint64_t cbTotal; /* the size OpenFile reported */
    uint64_t ibNext;  /* stream offset of the next read */
    /* database stream */
    bj_db *db;
    uint32_t pgnoLast;
    uint8_t *hdrPage; /* the header snapshot page (cbPage) */
    /* log or patch file */
    bj_file *f;
    uint32_t gen; /* log generation (0: patch file) */
    char path[BJ_PATH_MAX];
} bk_file;

struct bj_backup {
    bj_inst *inst;
    bj_mutex mu;
    _Atomic bool active;
    _Atomic bool stop;
    bool full;
    bk_state state;
    bool prepared, truncated;
    uint32_t copyMic, copyMac, deleteMic, deleteMac;
    bj_lgpos mark; /* full: at Begin; incremental: at prepare */
    bj_logtime markTime;
    bool dbIn[BJ_DB_MAX], dbDone[BJ_DB_MAX];
    uint8_t *logRead; /* per generation copyMic..copyMac-1: fully read and closed */
    bk_file file;
    JET_HANDLE hNext;
    uint32_t cbPage;
    bj_ilog_paths paths; /* absolute */
};

/* bk_ctx.c */
/* Ends the session (abort: no header update); later calls get JET_errNoBackup. */
void bk_end_session(bj_backup *bk);
/* The attached database of dbid that a backup covers (writable and logged), else NULL. */
bj_db *bk_db(bj_backup *bk, uint32_t dbid);
/* Copies a multi-string into szz: the cb-byte list in src; *pcbActual per fActualFull (ESE's
 * GetAttachInfo: always the full size) or min(cbMax, size) with a buffer (GetLogInfo). */
void bk_out_multi(const char *src, uint32_t cb, char *szz, uint32_t cbMax, uint32_t *pcbActual,
                  bool fActualFull);

/* bk_dbstream.c */
/* Opens db's stream into bk->file: header snapshot, pgnoLast, reported size. */
JET_ERR bk_db_open(bj_backup *bk, bj_db *db);
/* Reads the next bytes of the open database stream. */
JET_ERR bk_db_read(bj_backup *bk, uint8_t *pv, uint32_t cb, uint32_t *pcbActual);

/* bk_logstream.c */
/* Opens a log (gen != 0) or patch file into bk->file. JET_errMissingFileToBackup. */
JET_ERR bk_log_open(bj_backup *bk, const char *szPath, uint32_t gen);
/* Reads the next bytes of the open log, verified (JET_errLogReadVerifyFailure). */
JET_ERR bk_log_read(bj_backup *bk, uint8_t *pv, uint32_t cb, uint32_t *pcbActual);
/* Prepare logs (§2.6): rolls the log, sets copyMac and the delete range. */
JET_ERR bk_prepare_logs(bj_backup *bk);
/* Multi-string of full log paths for generations [genFirst, genEnd). *pcb includes the final
 * NUL. *pszz: free with bj_free. */
JET_ERR bk_log_list(bj_backup *bk, uint32_t genFirst, uint32_t genEnd, char **pszz, uint32_t *pcb);
/* Deletes archive logs deleteMic..deleteMac-1. */
JET_ERR bk_delete_logs(bj_backup *bk);
/* The checkpoint generation in the checkpoint file. */
JET_ERR bk_checkpoint_gen(bj_backup *bk, uint32_t *pgen);

/* bk_history.c */
/* End(Normal) of a backup that reached LogsAndPatches: the headers' backup history (§2.9, §4);
 * fTruncated: TruncateLog succeeded or JET_bitBackupTruncateDone. Errors are ignored by End
 * (ESE only logs an event) but returned for tests. */
JET_ERR bk_history_update(bj_backup *bk, bool fTruncated);
/* Begin(Incremental): every database covered has a normal FullPrev, else
 * JET_errMissingFullBackup. */
JET_ERR bk_history_check_incremental(bj_backup *bk);
/* Prepare of an incremental: deleteMic <= max(FullPrev.genHigh, IncPrev.genHigh) + 1 for every
 * database, else JET_errMissingFileToBackup. */
JET_ERR bk_history_check_continuity(bj_backup *bk, uint32_t genLow);
/* Full prepare: deleteMac lowered to FullPrev.genHigh of every database not copied. */
uint32_t bk_history_delete_limit(bj_backup *bk, uint32_t deleteMac);

#endif /* BJ_BK_INT_H */
