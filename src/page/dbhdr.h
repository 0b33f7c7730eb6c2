/* dbhdr.h: the database file header (DBFILEHDR) decoded into a C struct, its encoding into a
 * header page, its checksum, and ESE's shadowed-header selection (fileu.cxx rule, §1.1).
 * Bytes only, no I/O; the caller reads the first two pages of the file.
 */
#ifndef BJ_DBHDR_H
#define BJ_DBHDR_H

#include "page/dbhdr_format.h"

typedef struct bj_lgpos {
    uint16_t ib, isec;
    uint32_t gen;
} bj_lgpos;
typedef struct bj_signature {
    uint32_t random;
    bj_logtime created;
    char computer[BJ_SIGN_CB_COMPUTER]; /* not necessarily NUL-terminated */
} bj_signature;
typedef struct bj_bkinfo {
    bj_lgpos lgposMark;
    bj_logtime logtimeMark;
    uint32_t genLow, genHigh;
} bj_bkinfo;

void bj_logtime_decode(const uint8_t *p, bj_logtime *o);
void bj_logtime_encode(const bj_logtime *v, uint8_t *p);
void bj_lgpos_decode(const uint8_t *p, bj_lgpos *o);
void bj_lgpos_encode(const bj_lgpos *v, uint8_t *p);
void bj_signature_decode(const uint8_t *p, bj_signature *o);
void bj_signature_encode(const bj_signature *v, uint8_t *p);
void bj_bkinfo_decode(const uint8_t *p, bj_bkinfo *o);
void bj_bkinfo_encode(const bj_bkinfo *v, uint8_t *p);
/* LGPOS order: generation, then sector, then ib. */
int bj_lgpos_cmp(const bj_lgpos *a, const bj_lgpos *b);

/* Every field of DBFILEHDR (748 bytes), named after ESE's. */
typedef struct bj_dbhdr {
    uint32_t checksum; /* decode only: the stored value */
    uint32_t magic, version, attrib;
    uint64_t dbtime;
    bj_signature signDb;
    uint32_t dbstate;
    bj_lgpos lgposConsistent;
    bj_logtime logtimeConsistent, logtimeAttach;
    bj_lgpos lgposAttach;
    bj_logtime logtimeDetach;
    bj_lgpos lgposDetach;
    uint32_t dbid;
    bj_signature signLog;
    bj_bkinfo bkinfoFullPrev, bkinfoIncPrev, bkinfoFullCur;
    uint32_t dbFlags;
    uint32_t objidLast;
    uint32_t osMajor, osMinor, osBuild, osSP;
    uint32_t updateMajor;
    uint32_t cbPageSize; /* as stored (0 = 4096 in very old files) */
    uint32_t repairCount;
    bj_logtime logtimeRepair;
    uint8_t reservedSignSLV[BJ_SIGN_CB];
    uint64_t dbtimeLastScrub;
    bj_logtime logtimeScrub;
    uint32_t genMinRequired, genMaxRequired;
    uint32_t cpgUpgrade55Format, cpgUpgradeFreePages, cpgUpgradeSpaceMapPages;
    bj_bkinfo bkinfoSnapshotCur;
    uint32_t createVersion, createUpdate;
    bj_logtime logtimeGenMaxCreate;
    uint32_t bkinfoTypeFullPrev, bkinfoTypeIncPrev;
    uint32_t repairCountOld;
    uint32_t eccFixSuccess;
    bj_logtime logtimeEccFixSuccess;
    uint32_t eccFixSuccessOld, eccFixFail;
    bj_logtime logtimeEccFixFail;
    uint32_t eccFixFailOld, badChecksum;
    bj_logtime logtimeBadChecksum;
    uint32_t badChecksumOld;
    uint32_t genMaxCommitted;
    bj_bkinfo bkinfoCopyPrev, bkinfoDiffPrev;
    uint32_t bkinfoTypeCopyPrev, bkinfoTypeDiffPrev;
    uint32_t incReseedCount;
    bj_logtime logtimeIncReseed;
    uint32_t incReseedCountOld, pagePatchCount;
    bj_logtime logtimePagePatch;
    uint32_t pagePatchCountOld;
    uint64_t sortVersion;
    bj_logtime logtimeDbscanPrev, logtimeDbscanStart;
    uint32_t pgnoDbscanHighestContinuous;
    uint32_t genRecovering;
    uint32_t extendCount;
    bj_logtime logtimeLastExtend;
    uint32_t shrinkCount;
    bj_logtime logtimeLastShrink, logtimeLastReAttach;
    bj_lgpos lgposLastReAttach;
    uint32_t trimCount;
    bj_signature signDbHdrFlush, signFlushMapHdrFlush;
    uint32_t genMinConsistent;
    uint32_t updateMinor;
    uint32_t efvMaxBinAttachDiagnostic;
    uint32_t pgnoDbscanHighest;
    bj_lgpos lgposLastResize;
    uint32_t filetype; /* 1 = database; encode writes 1 when this is 0 */
    bj_logtime logtimeGenMaxRequired;
    uint32_t genPreRedoMinConsistent, genPreRedoMinRequired;
    bj_signature signRBSHdrFlush;
    uint32_t revertCount;
    bj_logtime logtimeRevertFrom, logtimeRevertTo;
    uint32_t revertPageCount;
    bj_lgpos lgposCommitBeforeRevert;
} bj_dbhdr;

/* Decodes every field of a header page (no validation; cbPage >= 748). */
JET_ERR bj_dbhdr_decode(const uint8_t *page, uint32_t cbPage, bj_dbhdr *out);
/* Zeroes the page, writes every field (filetype 1 when h->filetype is 0), and the full-page
 * XOR checksum. Bytes >= 668 stay zero unless a field there is non-zero. */
JET_ERR bj_dbhdr_encode(const bj_dbhdr *h, uint8_t *page, uint32_t cbPage);
/* Whether the full-page XOR checksum at offset 0 matches. */
bool bj_dbhdr_verify(const uint8_t *page, uint32_t cbPage);
/* Page size a header states (0 stored means 4096). */
uint32_t bj_dbhdr_page_size(const bj_dbhdr *h);

/* ESE's shadowed-header rule on the first bytes of a file (cb = up to 2 * 32 KiB): for each
 * candidate page size 2/4/8/16/32 KiB, a copy is good when its checksum matches and its
 * page-size field equals the candidate. Primary good: used (shadow_used false); else shadow.
 * Errors (ESE's codes, see dbhdr.c): neither good -> JET_errReadVerifyFailure, or
 * JET_errDatabaseCorrupted when neither copy even has the magic (not a database);
 * good checksum but wrong magic or version < 0x620 -> JET_errInvalidDatabaseVersion;
 * filetype neither 0 nor 1 -> JET_errFileInvalidType. */
JET_ERR bj_dbhdr_choose(const uint8_t *first2pages, size_t cb, uint32_t *pcbPage, bj_dbhdr *out,
                        bool *shadow_used);

#endif /* BJ_DBHDR_H */
