/* rst_check.h: layer 8, the file checks of a hard restore (ese-backup-spec.md §7.2, §7.3):
 * the backup set's logs (present, one stream, a tmCreate/tmPrevGen chain), the logs already in
 * the log folder the restore will roll forward with, and each database image (a backup image
 * of this stream whose trailer covers the set's range), whose trailer is merged into its
 * header. Files only: no instance, no cache. The restore itself is src/inst/inst_restore.c.
 */
#ifndef BJ_RST_CHECK_H
#define BJ_RST_CHECK_H

#include "log/log.h"

/* The lowest and highest archive generation in the folders rgdir (base name szBase): 0/0
 * when none (a missing folder counts as empty). */
JET_ERR bj_rst_find_range(bj_os *os, const char *const *rgdir, uint32_t cdir, const char *szBase,
                          uint32_t *pgenLow, uint32_t *pgenHigh);

/* Checks the backup set genLow..genHigh in the folders rgdir (each generation from the first
 * folder that has it; a chain of backups): every generation present
 * (JET_errMissingRestoreLogFiles), readable, named for its generation
 * (JET_errLogGenerationMismatch), of the first one's stream (JET_errGivenLogFileHasBadSignature)
 * and chained (JET_errGivenLogFileIsNotContiguous). *phdrLow / *phdrHigh: the first and the
 * last generation's headers. JET_errInvalidParameter when genLow is 0 or above genHigh. */
JET_ERR bj_rst_check_backup_logs(bj_os *os, const char *const *rgdir, uint32_t cdir,
                                 const char *szBase, uint32_t genLow, uint32_t genHigh,
                                 bj_log_hdr *phdrLow, bj_log_hdr *phdrHigh);

/* Checks the logs already in the log folder against the backup set (hdrLow .. hdrHigh): every
 * one of the same stream (JET_errExistingLogFileHasBadSignature), the one at genLow - 1,
 * genLow and genHigh + 1 chained with the set (JET_errExistingLogFileIsNotContiguous), and
 * the ones after genHigh without a gap (JET_errMissingCurrentLogFiles). */
JET_ERR bj_rst_check_log_path(bj_os *os, const char *szLogPath, const char *szBase,
                              const bj_log_hdr *hdrLow, const bj_log_hdr *hdrHigh);

/* The checks of one database image szImage that change nothing (§7.3 steps 1-5: a backup
 * image of the stream signLog whose trailer, unless merged, verifies and matches its header):
 * *pimgLow..*pimgHigh the generations it needs. Errors as bj_rst_check_image's but the range. */
JET_ERR bj_rst_image_range(bj_os *os, const char *szImage, const bj_signature *signLog,
                           uint32_t *pimgLow, uint32_t *pimgHigh);

/* The checks of one database image szImage for a restore of genLow..genHigh of the stream
 * signLog (§7.3), then the merge: bkinfoFullCur.genHigh := genHigh, genMaxRequired and
 * genMaxCommitted raised to genHigh (their logtimes zeroed), header and shadow written, the
 * trailer page zeroed and cut off. An image merged before (a retry) is checked against its
 * header's range. fStop (a point-in-time restore): the merge raises genMaxRequired only to
 * the image's own last generation (its trailer's genHigh), so replay may stop anywhere past
 * it. *psignDb: the image's database signature. Errors: JET_errFileNotFound,
 * JET_errDatabaseCorrupted (no readable header), JET_errRestoreOfNonBackupDatabase,
 * JET_errDatabasePatchFileMismatch (trailer or signatures do not match),
 * JET_errStartingRestoreLogTooHigh, JET_errEndingRestoreLogTooLow, I/O errors. */
JET_ERR bj_rst_check_image(bj_os *os, const char *szImage, const bj_signature *signLog,
                           uint32_t genLow, uint32_t genHigh, bool fStop, bj_signature *psignDb);

/* After a restore: zeroes every backup record of the header of szDb (FullPrev, IncPrev,
 * CopyPrev, DiffPrev, FullCur, SnapshotCur and their types) and writes header and shadow. */
JET_ERR bj_rst_clear_bkinfo(bj_os *os, const char *szDb);

/* Reads the two header pages of a database file: *pcbPage its page size. */
JET_ERR bj_rst_read_dbhdr(bj_os *os, const char *szDb, bj_dbhdr *h, uint32_t *pcbPage);

#endif /* BJ_RST_CHECK_H */
