/* backup_set.h: the backup folders `bluejet backup` writes and `bluejet restore` / `bluejet
 * backup verify` read, and the checks of a chain of them.
 *
 * A backup folder holds what one backup streamed through the engine's external backup API:
 * the database images (full and copy backups only; the file name of the live database), the
 * log generations genLow..genHigh under their archive names (edbXXXXXXXX.log), and a manifest,
 * `bluejet-backup.txt`, with one "key value" line each: format, kind, base, page_size,
 * log_file_kb, gen_low, gen_high, time, and one `db ORIGINAL-PATH` line per image (the path the
 * database was attached with, which the logs name; the image is the file of that name here).
 *
 * A chain is a full (or copy) backup followed by incremental or differential backups of the
 * same log stream; restoring it replays the union of their generations, which must be
 * contiguous from the full backup's genLow. Single-threaded; no locks.
 */
#ifndef BJ_TOOL_BACKUP_SET_H
#define BJ_TOOL_BACKUP_SET_H

#include "common/common.h"
#include "log/log.h"

#define BJ_BKSET_MANIFEST "bluejet-backup.txt"
#define BJ_BKSET_DB_MAX 7
#define BJ_BKSET_CHAIN_MAX 64 /* folders in one chain */

typedef enum bj_bkset_kind {
    BJ_BKSET_FULL = 0,         /* full: logs truncated (bkinfoFullPrev) */
    BJ_BKSET_INCREMENTAL = 1,  /* logs since the last full/incremental, truncated */
    BJ_BKSET_DIFFERENTIAL = 2, /* incremental without truncation */
    BJ_BKSET_COPY = 3,         /* full without truncation */
} bj_bkset_kind;

typedef struct bj_bkset {
    char dir[BJ_PATH_MAX];
    bj_bkset_kind kind;
    char base[4];
    uint32_t cbPage, cbLogFileKb;
    uint32_t genLow, genHigh;
    char time[40];
    uint32_t cdb;
    char rgdb[BJ_BKSET_DB_MAX][BJ_PATH_MAX]; /* original database paths */
} bj_bkset;

/* "full", "incremental", ... and back (false for an unknown name). */
const char *bj_bkset_kind_name(bj_bkset_kind k);
bool bj_bkset_kind_parse(const char *s, bj_bkset_kind *pk);
/* Whether the kind carries database images (full, copy). */
bool bj_bkset_has_images(bj_bkset_kind k);

/* Writes / reads the manifest of s->dir (read: dir is the folder). Read errors:
 * JET_errFileNotFound (no manifest), JET_errInvalidParameter (malformed: *msg tells). */
JET_ERR bj_bkset_write(const bj_bkset *s);
JET_ERR bj_bkset_read(const char *dir, bj_bkset *s, char *msg, size_t cchMsg);

/* dir made when missing; it must then be empty (else JET_errBackupDirectoryNotEmpty);
 * *out = its absolute path. On failure msg says why. */
JET_ERR bj_bkset_empty_dir(const char *dir, char *out, size_t cch, char *msg, size_t cchMsg);
/* The image file of database i in set s (its folder + the original path's file name). */
void bj_bkset_image_path(const bj_bkset *s, uint32_t i, char *out, size_t cch);
/* The folder holding generation gen in the chain (the first set that has it), NULL if none. */
const bj_bkset *bj_bkset_chain_log_owner(const bj_bkset *rg, uint32_t n, uint32_t gen);

/* Checks a chain without changing anything: the first set is full or copy, the others are
 * incremental or differential; manifests agree (base, sizes) and leave no gap; then the
 * engine's restore checks (recovery/rst_check.h): every generation from the first genLow to
 * the last genHigh is present in some set, names its generation, is of one stream and follows
 * the previous one (tmPrevGen); every image is a backup image of that stream whose trailer
 * verifies and matches its header, and needs only generations of the chain. On failure returns false with the first problem in msg.
 * *pgenLow / *pgenHigh: the chain's generations. */
bool bj_bkset_check_chain(bj_os *os, const bj_bkset *rg, uint32_t n, uint32_t *pgenLow,
                          uint32_t *pgenHigh, char *msg, size_t cchMsg);

#endif /* BJ_TOOL_BACKUP_SET_H */
