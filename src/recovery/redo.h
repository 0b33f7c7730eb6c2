/* redo.h: layer 8, the physical half of crash recovery: from the checkpoint to the end of the
 * log, every logged page change is applied to each database page that is older than it
 * (dbtime), full page images replace torn or older pages, file growth is redone; and the
 * revision entries of transactions that never ended are collected for the undo that follows
 * (done by the instance layer with the normal rollback code: inst_recover.c).
 *
 * Before any database changes, a first pass reads every record from the checkpoint to the end
 * (checksums, generations, signatures): a bad log fails recovery with its error and leaves
 * every file as it was. Databases are matched to the log by signature (signDb in ATTACH
 * records, signLog in their headers).
 */
#ifndef BJ_REDO_H
#define BJ_REDO_H

#include "buf/buf.h"
#include "log/log.h"
#include "recovery/lrbody.h"

/* One revision entry of an unfinished transaction (a copy of its VER record body). */
typedef struct bj_redo_rce {
    uint64_t rceid;
    uint8_t *body;
    uint32_t cb;
} bj_redo_rce;

typedef struct bj_redo_trx {
    uint64_t trxid;
    bj_redo_rce *rg;
    uint32_t c, cAlloc;
} bj_redo_trx;

/* A database the log touched. */
typedef struct bj_redo_db {
    bool fUsed;      /* the log attached it */
    bool fOpen;      /* its file is open for redo */
    bool fDetached;  /* the log detached it after its last change */
    bool fMissing;   /* the file is gone or is another database (its changes are skipped) */
    uint32_t dbid;   /* the id in the log */
    char path[1024];
    bj_signature signDb;
    bj_file *file;
    bj_buf_db *bdb;
    uint64_t dbtime; /* the largest dbtime in the header or the log */
} bj_redo_db;

/* A database relocation: the path the log names (szFrom; with fBaseName only its file name
 * is compared; NULL with fBySign: the database the log names with signature signDb) -> the
 * file redo uses instead (szTo). */
typedef struct bj_redo_map {
    const char *szFrom;
    const char *szTo;
    bool fBaseName;
    bool fBySign;
    bj_signature signDb;
} bj_redo_map;

typedef struct bj_redo_config {
    bj_os *os;
    bj_buf *buf;
    const char *szLogPath, *szSystemPath, *szBaseName;
    uint32_t cbPage;
    /* Optional: the databases the log names are mapped (rgmap); fMapOnly: a database with no
     * map entry is ignored (its changes are skipped), else it is used at its logged path. */
    const bj_redo_map *rgmap;
    uint32_t cmap;
    bool fMapOnly;
    /* Hard restore (lsnStart != 0): replay starts at lsnStart instead of the checkpoint file,
     * with the databases of rgattachStart attached (the start generation's header), and
     * generations up to genBackupHigh come from the backup folders (then szLogPath:
     * roll-forward). */
    bj_lsn lsnStart;
    const bj_log_attach *rgattachStart;
    uint32_t cattachStart;
    bj_signature signLogStart;
    const char *const *rgszBackupPath;
    uint32_t cBackupPath;
    uint32_t genBackupHigh;
    /* Point in time (0 / false: none): replay ends before the first record at or after
     * lsnStop, or before the first level-0 commit whose commit time is after tmStop. */
    bj_lsn lsnStop;
    bool fTimeStop;
    bj_logtime tmStop;
    /* Progress of the redo pass (NULL: none): called when replay enters generation gen;
     * genEnd is the last generation it will replay. */
    void (*pfnProgress)(void *ctx, uint32_t gen, uint32_t genFirst, uint32_t genEnd);
    void *ctxProgress;
} bj_redo_config;

/* What takes back one change of a structure modification whose end has not been seen yet:
 * the page's image before it, or an encoded inverse op (fOp). */
typedef struct bj_redo_smo {
    uint64_t smoid;
    uint32_t dbid, pgno;
    bool fOp;
    uint8_t *bytes;
    uint32_t cb;
} bj_redo_smo;

typedef struct bj_redo {
    bj_redo_db rgdb[BJ_LOG_ATTACH_MAX];
    bj_redo_trx *rgtrx; /* unfinished transactions, in order of their first record */
    uint32_t ctrx, ctrxAlloc;
    bool fLogs;         /* false: no log and no checkpoint: a new stream starts */
    bool fStopped;      /* a point-in-time stop ended replay before the end of the log */
    bj_lsn lsnCheckpoint, lsnEnd; /* lsnEnd: where replay ended (the stop, when fStopped) */
    bj_log_hdr hdrLast; /* the last generation's header (to continue the stream) */
    bj_redo_smo *rgsmo; /* images of unfinished structure modifications */
    uint32_t csmo, csmoAlloc;
    uint64_t cRecords, cbReplayed, cApplied, cSmoUndone;
} bj_redo;

/* Runs the scan and the redo pass. On success every database the log touched is flushed,
 * synced and closed with its header's dbtime raised (still DirtyShutdown: undo follows), and
 * *pr describes what undo needs; free it with bj_redo_free. Errors: the log reader's
 * (JET_errLogFileCorrupt, JET_errMissingLogFile, JET_errBadLogSignature, ...),
 * JET_errCheckpointCorrupt, JET_errMissingPreviousLogFile, JET_errRequiredLogFilesMissing
 * (a database needs generations beyond the last one), JET_errBadLogSignature (a database of
 * another log stream), JET_errSoftRecoveryOnBackupDatabase (a database the log names is a
 * backup image whose trailer was never merged by a restore), page errors, I/O errors. */
/* A database file's header (the valid one of its two copies, ESE's rule) / both copies written
 * and synced. */
JET_ERR bj_redo_hdr_read(bj_file *f, bj_dbhdr *h, uint32_t *pcbPage);
JET_ERR bj_redo_hdr_write(bj_file *f, const bj_dbhdr *h, uint32_t cbPage);

JET_ERR bj_redo_run(const bj_redo_config *cfg, bj_redo **pr);
void bj_redo_free(bj_redo *r);

/* LOGTIME order key (year, month, day, hour, minute, second, millisecond). */
uint64_t bj_logtime_key(const bj_logtime *t);

#endif /* BJ_REDO_H */
