/* log.h: layer 2, the transaction log: log files and their names, the log writer with group
 * commit, the log reader used by recovery, and the checkpoint file. Bytes and files only: the
 * log does not know what a record means (the record types below are listed here so every layer
 * agrees on the numbers; their bodies belong to the layer that writes them).
 *
 * Positions. A log position (bj_lsn) is (generation << 32) | byte offset in that generation's
 * file; it grows with every record. ESE's LGPOS is (lGeneration, isec = offset / 512,
 * ib = offset % 512): bj_lsn_to_lgpos / bj_lgpos_to_lsn convert. 0 means "none".
 *
 * Files (names as ESE with JET_bitESE98FileNames, ese-backup-spec.md §6), base name "edb":
 *   <logpath>/edb.log            the generation being written
 *   <logpath>/edbXXXXXXXX.log    finished generations (8 uppercase hex digits)
 *   <logpath>/edbtmp.log         the next generation, made in advance
 *   <logpath>/edbres00001.jrs, edbres00002.jrs   reserve logs
 *   <syspath>/edb.chk            the checkpoint file
 * Every log file has the same size (JET_paramLogFileSize KiB): a header (generation, stream
 * signature, tmCreate, tmPrevGen, sizes, the checkpoint when made, the attached databases),
 * then 4 KiB segments. Every segment carries a checksum, its generation and index; records
 * are a byte stream across the segments' payloads. Details: log_format.h.
 *
 * Durability: bj_log_flush(lsn) returns once everything up to lsn is on disk (written and
 * fsynced). Concurrent callers share one write + fsync (group commit). After a write or fsync
 * failure the log is down: every later append or flush returns JET_errLogWriteFail and nothing
 * more is written (ESE's behaviour), bj_log_error tells the first error.
 *
 * Thread safety: every bj_log_* function may be called from any thread; bj_logr_* readers are
 * used by one thread each.
 */
#ifndef BJ_LOG_H
#define BJ_LOG_H

#include "common/common.h"
#include "os/os.h"
#include "page/dbhdr.h"

typedef uint64_t bj_lsn;

#define BJ_LSN_GEN(l) ((uint32_t)((l) >> 32))
#define BJ_LSN_OFF(l) ((uint32_t)(l))
#define BJ_LSN_MAKE(gen, off) (((uint64_t)(gen) << 32) | (uint32_t)(off))

bj_lgpos bj_lsn_to_lgpos(bj_lsn lsn);
bj_lsn bj_lgpos_to_lsn(const bj_lgpos *p);

/* Record types. The log stores (type, body); the body's layout is the writing layer's. */
typedef enum bj_lrtype {
    BJ_LR_NOP = 0,
    BJ_LR_INIT = 1,     /* instance started logging (after recovery, if any) */
    BJ_LR_TERM = 2,     /* clean shutdown: every database was flushed and detached */
    BJ_LR_CREATEDB = 3, /* body: dbid, signDb, path (a new empty database, flushed) */
    BJ_LR_ATTACH = 4,   /* body: dbid, signDb, dbtime, path */
    BJ_LR_DETACH = 5,   /* body: dbid (the database was flushed and marked clean) */
    BJ_LR_PGOP = 6,     /* body: dbid, encoded bj_pgop (page change; redo) */
    BJ_LR_VER = 7,      /* body: a revision entry (RCE) created (undo information) */
    BJ_LR_UNDO = 8,     /* body: a revision entry was undone by a rollback */
    BJ_LR_COMMIT0 = 9,  /* body: trx id, commit time (a level-0 commit) */
    BJ_LR_TRXEND = 10,  /* body: trx id (a level-0 rollback finished: nothing left to undo) */
    BJ_LR_PGOP_VER = 11, /* body: a BJ_LR_VER or BJ_LR_UNDO body, then a BJ_LR_PGOP body, as one
                           * atomic record (a change and its undo information) */
    BJ_LR_FPI = 12,     /* body: dbid, pgno, the whole page before a change (the first change
                         * of a page since it was last written: redo never needs a torn page) */
    BJ_LR_EXTEND = 13,  /* body: dbid, the database's new size in pages (file growth) */
    BJ_LR_SMO_IMAGE = 14, /* body: dbid, pgno, smo id, the page before its first change in a
                           * structure modification (also a full page image for redo) */
    BJ_LR_SMO_END = 15,   /* body: dbid, smo id: that structure modification is complete */
    BJ_LR_SMO_UNDO = 16,  /* body: dbid, pgno, smo id, the encoded op that takes back the
                           * next change of that page in the structure modification */
    BJ_LR_MAX
} bj_lrtype;

/* One piece of a record body (records are appended from pieces without copying first). */
typedef struct bj_log_part {
    const void *pv;
    uint32_t cb;
} bj_log_part;

/* Largest record body (bytes). A larger append is JET_errInvalidParameter. */
#define BJ_LOG_RECORD_MAX (1u << 20)

/* An attached database as the log header and the checkpoint file list it (at most
 * BJ_LOG_ATTACH_MAX: ESE's 6 user databases + 1). */
#define BJ_LOG_ATTACH_MAX 7
typedef struct bj_log_attach {
    uint32_t dbid;
    bj_signature signDb;
    char szPath[1024];
} bj_log_attach;

typedef struct bj_log_config {
    bj_os *os;
    const char *szLogPath;    /* folder of the log files (created if missing when fCreatePath) */
    const char *szSystemPath; /* folder of the checkpoint file */
    const char *szBaseName;   /* 3 characters, "edb" by default */
    uint32_t cbLogFile;       /* JET_paramLogFileSize x 1024 (64 KiB .. 32 MiB) */
    uint32_t cbDbPage;        /* the instance's database page size (recorded in headers) */
    bool fCircular;           /* JET_paramCircularLog */
    bool fCreatePath;         /* JET_paramCreatePathIfNotExist */
} bj_log_config;

typedef struct bj_log bj_log;

/* How the writer starts: a new stream (no logs exist: generation 1, a new signature), or
 * after the last generation recovery found (a new generation genNext that continues the
 * stream: same signature, tmPrevGen = the last generation's tmCreate). */
typedef struct bj_log_start {
    bool fNewStream;
    bj_signature signLog;   /* !fNewStream: the stream's signature */
    uint32_t genNext;       /* !fNewStream: the generation to create */
    bj_logtime tmPrevGen;   /* !fNewStream: tmCreate of generation genNext - 1 */
} bj_log_start;

/* Opens the writer: makes edb.log of the start generation (renaming an existing edb.log to its
 * archive name first), the reserve logs, and edbtmp.log in advance. Errors: JET_errInvalidPath,
 * JET_errLogDiskFull, JET_errDiskIO, JET_errOutOfMemory, JET_errInvalidParameter. */
JET_ERR bj_log_open(const bj_log_config *cfg, const bj_log_start *start, bj_log **plog);
/* Flushes what was appended, closes the files, frees. edb.log stays (ESE keeps it). */
void bj_log_close(bj_log *log);

/* Appends one record (type, concatenation of parts) to the log buffer. *plsn (may be NULL) =
 * the record's position; *plsnEnd (may be NULL) = the position just after it (what
 * bj_log_flush needs to make it durable). Waits only when the buffer is full. Rolls to a new
 * generation when the current file is full. JET_errLogWriteFail once the log is down. */
JET_ERR bj_log_append(bj_log *log, bj_lrtype type, const bj_log_part *parts, uint32_t nparts,
                      bj_lsn *plsn, bj_lsn *plsnEnd);
/* Makes everything before lsn durable (group commit: one writer writes and fsyncs for all
 * waiters). JET_errLogWriteFail (or the I/O error) when the log is down. */
JET_ERR bj_log_flush(bj_log *log, bj_lsn lsn);
/* Everything appended so far (the position after the last record) / what is durable. */
bj_lsn bj_log_end(bj_log *log);
bj_lsn bj_log_durable(bj_log *log);
/* 0 while the log works; the first write/fsync error once it is down. */
JET_ERR bj_log_error(bj_log *log);
/* Ends the current generation now and starts the next (backup's log roll). *pgenDone = the
 * finished generation (now an archive file). */
JET_ERR bj_log_roll(bj_log *log, uint32_t *pgenDone);
/* The stream's signature and the current generation. */
void bj_log_signature(bj_log *log, bj_signature *psign);
uint32_t bj_log_generation(bj_log *log);

/* Called (outside the log's locks) when a generation is finished and the next one started:
 * the engine updates the databases' lGenMaxRequired/lGenMaxCommitted there. NULL: none. */
typedef void (*bj_log_roll_fn)(void *ctx, uint32_t genNew);
void bj_log_set_roll_callback(bj_log *log, bj_log_roll_fn fn, void *ctx);

/* The attached databases (recorded in each new generation's header and the checkpoint). */
JET_ERR bj_log_set_attachments(bj_log *log, const bj_log_attach *rg, uint32_t n);

/* ---- checkpoint ---- */
/* Writes <syspath>/edb.chk: the checkpoint lsnCheckpoint (recovery starts there), the stream
 * signature and the attached databases; written twice-safe (a torn write of the file leaves
 * the previous checkpoint readable). With circular logging, deletes the archive generations
 * below the checkpoint's generation. */
JET_ERR bj_log_checkpoint(bj_log *log, bj_lsn lsnCheckpoint);

/* Backup (issue 4): with circular logging, bj_log_checkpoint deletes no generation >= gen
 * while gen != 0 (the generations a running backup still copies); 0 lifts the limit. */
void bj_log_set_keep_from(bj_log *log, uint32_t gen);

typedef struct bj_chk_info {
    bj_lsn lsnCheckpoint;
    bj_signature signLog;
    uint32_t genLast; /* the last generation when written */
    uint32_t cattach;
    bj_log_attach rgattach[BJ_LOG_ATTACH_MAX];
} bj_chk_info;
/* Reads a checkpoint file. JET_errCheckpointFileNotFound, JET_errCheckpointCorrupt,
 * JET_errFileNotFound. */
JET_ERR bj_chk_read(bj_os *os, const char *szSystemPath, const char *szBaseName,
                    bj_chk_info *pinfo);

/* ---- names ---- */
/* <path>/<base>.log, <path>/<base>XXXXXXXX.log, <path>/<base>.chk into out (cb bytes). */
JET_ERR bj_log_name_current(char *out, size_t cb, const char *szPath, const char *szBase);
JET_ERR bj_log_name_gen(char *out, size_t cb, const char *szPath, const char *szBase,
                        uint32_t gen);
JET_ERR bj_log_name_chk(char *out, size_t cb, const char *szPath, const char *szBase);
/* Parses a file name (no folder): 0 unless it is <base>XXXXXXXX.log or <base>XXXXX.log
 * (either case); the generation otherwise. */
uint32_t bj_log_parse_gen(const char *szName, const char *szBase);

/* ---- log file headers ---- */
typedef struct bj_log_hdr {
    uint32_t gen;
    bj_signature signLog;
    bj_logtime tmCreate, tmPrevGen;
    uint32_t cbLogFile, cbSegment, cbDbPage;
    bj_lsn lsnCheckpoint; /* the checkpoint when the generation was created */
    bool fCircular;
    bool fReserve;        /* the file was made from a reserve log (disk was full) */
    bj_lsn lsnPrevEnd;    /* the end of generation gen - 1's data (0: unknown) */
    uint32_t cattach;
    bj_log_attach rgattach[BJ_LOG_ATTACH_MAX];
} bj_log_hdr;
/* Reads and verifies a log file's header. JET_errLogFileCorrupt (checksum, magic, sizes),
 * JET_errBadLogVersion, JET_errFileNotFound. */
JET_ERR bj_log_read_header(bj_os *os, const char *szFile, bj_log_hdr *phdr);

/* Verifies the data segments of generation gen held in buf: cb bytes (a multiple of 4096) that
 * start at file offset ib (a multiple of 4096, >= the header area). Each segment must be a
 * valid segment of gen at its index, or all zero (the unwritten tail of the file).
 * JET_errLogReadVerifyFailure otherwise; JET_errInvalidParameter for a bad ib or cb. */
JET_ERR bj_log_verify_segments(const uint8_t *buf, uint64_t ib, uint32_t cb, uint32_t gen);
/* The size of a log file's header area (the bytes bj_log_read_header verifies). */
#define BJ_LOG_HEADER_AREA_CB 12288u

/* ---- reading ----
 * A reader walks the records of the generations in a folder from a start position, in order,
 * across generation files (archives, then edb.log). */
typedef struct bj_logr bj_logr;

/* Generations a first reader read and verified, kept (up to a byte budget) for a second
 * reader of the same files, which then neither reads nor verifies them again (recovery's
 * redo pass after its scan pass). Single-threaded. */
typedef struct bj_logr_cache bj_logr_cache;
bj_logr_cache *bj_logr_cache_new(uint64_t cbMax); /* NULL: out of memory */
void bj_logr_cache_free(bj_logr_cache *c);

typedef struct bj_logr_config {
    bj_os *os;
    const char *szLogPath;
    const char *szBaseName;
    bj_lsn lsnStart;     /* first record at or after this position (a record boundary) */
    uint32_t genLast;    /* 0: read to the end of edb.log; else stop after this generation */
    bj_logr_cache *cache; /* optional: fCacheFill fills it, else generations found are used */
    bool fCacheFill;
    /* Hard restore: generations up to genBackupHigh are read from the backup folders (archive
     * names only; each generation from the first folder that has it), later ones from
     * szLogPath (archives, then <base>.log: roll-forward); the log ends after genBackupHigh
     * when szLogPath has no generation after it. cBackupPath 0: none. */
    const char *const *rgszBackupPath;
    uint32_t cBackupPath;
    uint32_t genBackupHigh;
} bj_logr_config;

/* Opens a reader. JET_errMissingPreviousLogFile when lsnStart's generation does not exist. */
JET_ERR bj_logr_open(const bj_logr_config *cfg, bj_logr **pr);
void bj_logr_close(bj_logr *r);

typedef struct bj_logr_rec {
    bj_lrtype type;
    bj_lsn lsn, lsnEnd;
    const uint8_t *body; /* valid until the next bj_logr_next */
    uint32_t cb;
} bj_logr_rec;

/* The next record into *prec, or *pfEnd = true at the end of the log. The end of the log is the end of edb.log's valid data: a torn or zeroed tail of the
 * last generation ends the log quietly (the position after the last complete record is
 * bj_logr_end). Errors, each leaving nothing half-read:
 *   JET_errLogFileCorrupt       a checksum failure or bad record before the end
 *   JET_errMissingLogFile       a generation missing between two that exist (or edb.log)
 *   JET_errBadLogSignature      a generation of another stream
 *   JET_errInvalidLogSequence   tmPrevGen does not match the previous generation's tmCreate
 *   JET_errLogGenerationMismatch a file whose header generation is not its name's
 */
JET_ERR bj_logr_next(bj_logr *r, bj_logr_rec *prec, bool *pfEnd);
/* After the end: the position after the last complete record, the last
 * generation, its header (for continuing the stream). */
bj_lsn bj_logr_end(bj_logr *r);
const bj_log_hdr *bj_logr_last_header(bj_logr *r);

#endif /* BJ_LOG_H */
