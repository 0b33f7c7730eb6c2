/* bk_trailer.h: layer 8, the trailer page that ends a streamed database backup image (ESE's
 * PATCHHDR, ese-backup-spec.md §2.4 and §5): a normal page header, then the backup's log range
 * (BKINFO), the database and log stream signatures, and the database's required generations
 * as captured when the last page was copied. The restore merges it into the image's header
 * (bkinfoFullCur.genHigh) and zeroes it (§7.3).
 *
 * Layout after the page header (40 bytes for pages <= 8 KiB, 80 for 16/32 KiB):
 *   +0   BKINFO bkinfo (24)       lgposMark, logtimeMark, genLow, genHigh
 *   +24  SIGNATURE signDb (28)
 *   +52  SIGNATURE signLog (28)
 *   +80  uint32 lgenMinReq, +84 lgenMaxReq, +88 lgenMaxCommitted
 *   +92  LOGTIME logtimeGenMaxRequired (8), +100 LOGTIME logtimeGenMaxCommitted (8)
 * The page is sealed (new-format checksum) as page number pgnoLast + 1 of the image, where
 * pgnoLast = image size / cbPage - 3. Bytes only, no I/O, no state.
 */
#ifndef BJ_BK_TRAILER_H
#define BJ_BK_TRAILER_H

#include "page/dbhdr.h"

#define BJ_BKT_IB_BKINFO 0u
#define BJ_BKT_IB_SIGNDB 24u
#define BJ_BKT_IB_SIGNLOG 52u
#define BJ_BKT_IB_GENMINREQ 80u
#define BJ_BKT_IB_GENMAXREQ 84u
#define BJ_BKT_IB_GENMAXCOMMITTED 88u
#define BJ_BKT_IB_TMGENMAXREQ 92u
#define BJ_BKT_IB_TMGENMAXCOMMITTED 100u
#define BJ_BKT_CB 108u
_Static_assert(BJ_BKT_IB_SIGNDB == BJ_BKT_IB_BKINFO + BJ_BKINFO_CB, "trailer bkinfo");
_Static_assert(BJ_BKT_IB_SIGNLOG == BJ_BKT_IB_SIGNDB + BJ_SIGN_CB, "trailer signDb");
_Static_assert(BJ_BKT_IB_GENMINREQ == BJ_BKT_IB_SIGNLOG + BJ_SIGN_CB, "trailer signLog");
_Static_assert(BJ_BKT_CB == BJ_BKT_IB_TMGENMAXCOMMITTED + 8, "trailer size");

typedef struct bj_bk_trailer {
    bj_bkinfo bkinfo;
    bj_signature signDb, signLog;
    uint32_t genMinRequired, genMaxRequired, genMaxCommitted;
    bj_logtime logtimeGenMaxRequired, logtimeGenMaxCommitted;
} bj_bk_trailer;

/* Writes the trailer page for an image whose last data page is pgnoLast into pg (cbPage
 * bytes, zeroed first, then sealed). */
void bj_bk_trailer_encode(const bj_bk_trailer *t, uint32_t pgnoLast, uint8_t *pg,
                          uint32_t cbPage);
/* Reads a trailer page: JET_errReadVerifyFailure when its checksum (as page pgnoLast + 1)
 * fails, JET_errPageNotInitialized when it is all zero (already merged by a restore). */
JET_ERR bj_bk_trailer_decode(const uint8_t *pg, uint32_t cbPage, uint32_t pgnoLast,
                             bj_bk_trailer *t);

#endif /* BJ_BK_TRAILER_H */
