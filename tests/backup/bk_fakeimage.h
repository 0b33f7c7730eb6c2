/* bk_fakeimage.h: a test stand-in for the backup side (until the real API is used by these
 * tests): makes a backup set of a running instance the way a full backup does
 * (ese-backup-spec.md §2.4, §4, §5): each database's image (header snapshot with
 * bkinfoFullCur = {mark, genLow = the checkpoint generation at the start, genHigh 0} in pages
 * 0 and 1, pages 1..pgnoLast at the live layout's offsets, the trailer page last), then a log
 * roll, then the archive logs genLow..genHigh copied into the backup folder. Pages are read
 * with pread while the instance runs (no page-range lock: the image is fuzzy, the restore's
 * replay from genLow makes it consistent).
 */
#ifndef BK_FAKEIMAGE_H
#define BK_FAKEIMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "esent.h"

/* Backs up the databases rgszDb (paths as attached) of the running instance into szDir
 * (created): <szDir>/<file name of each db>, <szDir>/edbXXXXXXXX.log for genLow..genHigh, and
 * with fPat a <name>.pat marker per database (JetBackup's layout). *pgenLow / *pgenHigh: the
 * set's range (may be NULL). */
JET_ERR bk_fake_backup(JET_INSTANCE instance, const char *const *rgszDb, uint32_t cdb,
                       const char *szDir, bool fPat, uint32_t *pgenLow, uint32_t *pgenHigh);

/* When set, bk_fake_backup rolls the log once after reading the checkpoint, before copying
 * (the set then spans at least two generations). */
extern bool bk_fake_roll_first;

/* The instance's current log generation and the end of its log (an lsn: generation << 32 |
 * offset), e.g. for a point-in-time stop. */
JET_ERR bk_fake_log_position(JET_INSTANCE instance, uint32_t *pgen, uint64_t *plsnEnd);

/* Ends the instance's current generation (a log roll). */
JET_ERR bk_fake_roll(JET_INSTANCE instance);

/* Copies a file (the whole of it). */
JET_ERR bk_copy_file(const char *szFrom, const char *szTo);

#endif /* BK_FAKEIMAGE_H */
