/* dbhdr.c: DBFILEHDR decode/encode through one field table (offset, kind, struct member), so
 * both directions cover exactly the same fields; the header checksum; the shadowed-header rule.
 *
 * Error codes of bj_dbhdr_choose, from ESE (fileu.cxx ErrUtilReadSpecificShadowedHeader and
 * db.cxx ErrDBReadHeaderCheckConsistency / attach): no candidate page size gives a copy with a
 * good checksum and matching page-size field -> JET_errReadVerifyFailure, which the attach
 * path turns into JET_errDatabaseCorrupted when the magic is not ESE's (not a database file);
 * a good copy with the wrong magic or an old version -> JET_errInvalidDatabaseVersion;
 * JetGetDatabaseFileInfo rejects a file type other than database with JET_errFileInvalidType.
 */
#include "page/dbhdr.h"

#include <stddef.h>

#include "common/checksum.h"

void bj_logtime_decode(const uint8_t *p, bj_logtime *o)
{
    o->sec = p[0];
    o->min = p[1];
    o->hour = p[2];
    o->day = p[3];
    o->month = p[4];
    o->year_since_1900 = p[5];
    o->filler1 = p[6];
    o->filler2 = p[7];
}
void bj_logtime_encode(const bj_logtime *v, uint8_t *p)
{
    p[0] = v->sec;
    p[1] = v->min;
    p[2] = v->hour;
    p[3] = v->day;
    p[4] = v->month;
    p[5] = v->year_since_1900;
    p[6] = v->filler1;
    p[7] = v->filler2;
}
void bj_lgpos_decode(const uint8_t *p, bj_lgpos *o)
{
    o->ib = bj_ld16(p + BJ_LGPOS_IB_IB);
    o->isec = bj_ld16(p + BJ_LGPOS_IB_ISEC);
    o->gen = bj_ld32(p + BJ_LGPOS_IB_GEN);
}
void bj_lgpos_encode(const bj_lgpos *v, uint8_t *p)
{
    bj_st16(p + BJ_LGPOS_IB_IB, v->ib);
    bj_st16(p + BJ_LGPOS_IB_ISEC, v->isec);
    bj_st32(p + BJ_LGPOS_IB_GEN, v->gen);
}
int bj_lgpos_cmp(const bj_lgpos *a, const bj_lgpos *b)
{
    if (a->gen != b->gen)
        return a->gen < b->gen ? -1 : 1;
    if (a->isec != b->isec)
        return a->isec < b->isec ? -1 : 1;
    if (a->ib != b->ib)
        return a->ib < b->ib ? -1 : 1;
    return 0;
}
void bj_signature_decode(const uint8_t *p, bj_signature *o)
{
    o->random = bj_ld32(p + BJ_SIGN_IB_RANDOM);
    bj_logtime_decode(p + BJ_SIGN_IB_LOGTIME, &o->created);
    memcpy(o->computer, p + BJ_SIGN_IB_COMPUTER, BJ_SIGN_CB_COMPUTER);
}
void bj_signature_encode(const bj_signature *v, uint8_t *p)
{
    bj_st32(p + BJ_SIGN_IB_RANDOM, v->random);
    bj_logtime_encode(&v->created, p + BJ_SIGN_IB_LOGTIME);
    memcpy(p + BJ_SIGN_IB_COMPUTER, v->computer, BJ_SIGN_CB_COMPUTER);
}
void bj_bkinfo_decode(const uint8_t *p, bj_bkinfo *o)
{
    bj_lgpos_decode(p + BJ_BKINFO_IB_LGPOS, &o->lgposMark);
    bj_logtime_decode(p + BJ_BKINFO_IB_LOGTIME, &o->logtimeMark);
    o->genLow = bj_ld32(p + BJ_BKINFO_IB_GENLOW);
    o->genHigh = bj_ld32(p + BJ_BKINFO_IB_GENHIGH);
}
void bj_bkinfo_encode(const bj_bkinfo *v, uint8_t *p)
{
    bj_lgpos_encode(&v->lgposMark, p + BJ_BKINFO_IB_LGPOS);
    bj_logtime_encode(&v->logtimeMark, p + BJ_BKINFO_IB_LOGTIME);
    bj_st32(p + BJ_BKINFO_IB_GENLOW, v->genLow);
    bj_st32(p + BJ_BKINFO_IB_GENHIGH, v->genHigh);
}

enum { K32, K64, KLT, KLG, KSG, KBK, KRAW28 };
typedef struct field {
    uint16_t ib;
    uint8_t kind;
    uint16_t off; /* offsetof in bj_dbhdr */
} field;

#define F(ibname, kind, member) {BJ_DBH_IB_##ibname, kind, offsetof(bj_dbhdr, member)}
static const field k_fields[] = {
    F(MAGIC, K32, magic), F(VERSION, K32, version), F(ATTRIB, K32, attrib),
    F(DBTIME, K64, dbtime), F(SIGNDB, KSG, signDb), F(DBSTATE, K32, dbstate),
    F(LGPOSCONSISTENT, KLG, lgposConsistent), F(LOGTIMECONSISTENT, KLT, logtimeConsistent),
    F(LOGTIMEATTACH, KLT, logtimeAttach), F(LGPOSATTACH, KLG, lgposAttach),
    F(LOGTIMEDETACH, KLT, logtimeDetach), F(LGPOSDETACH, KLG, lgposDetach), F(DBID, K32, dbid),
    F(SIGNLOG, KSG, signLog), F(BKFULLPREV, KBK, bkinfoFullPrev),
    F(BKINCPREV, KBK, bkinfoIncPrev), F(BKFULLCUR, KBK, bkinfoFullCur),
    F(DBFLAGS, K32, dbFlags), F(OBJIDLAST, K32, objidLast), F(OSMAJOR, K32, osMajor),
    F(OSMINOR, K32, osMinor), F(OSBUILD, K32, osBuild), F(OSSP, K32, osSP),
    F(UPDATEMAJOR, K32, updateMajor), F(CBPAGE, K32, cbPageSize),
    F(REPAIRCOUNT, K32, repairCount), F(LOGTIMEREPAIR, KLT, logtimeRepair),
    F(RESERVEDSIGNSLV, KRAW28, reservedSignSLV), F(DBTIMELASTSCRUB, K64, dbtimeLastScrub),
    F(LOGTIMESCRUB, KLT, logtimeScrub), F(GENMINREQUIRED, K32, genMinRequired),
    F(GENMAXREQUIRED, K32, genMaxRequired), F(CPGUPGRADE55, K32, cpgUpgrade55Format),
    F(CPGUPGRADEFREE, K32, cpgUpgradeFreePages),
    F(CPGUPGRADESPACEMAP, K32, cpgUpgradeSpaceMapPages),
    F(BKSNAPSHOTCUR, KBK, bkinfoSnapshotCur), F(CREATEVERSION, K32, createVersion),
    F(CREATEUPDATE, K32, createUpdate), F(LOGTIMEGENMAXCREATE, KLT, logtimeGenMaxCreate),
    F(BKTYPEFULLPREV, K32, bkinfoTypeFullPrev), F(BKTYPEINCPREV, K32, bkinfoTypeIncPrev),
    F(REPAIRCOUNTOLD, K32, repairCountOld), F(ECCFIXSUCCESS, K32, eccFixSuccess),
    F(LOGTIMEECCFIXSUCCESS, KLT, logtimeEccFixSuccess),
    F(ECCFIXSUCCESSOLD, K32, eccFixSuccessOld), F(ECCFIXFAIL, K32, eccFixFail),
    F(LOGTIMEECCFIXFAIL, KLT, logtimeEccFixFail), F(ECCFIXFAILOLD, K32, eccFixFailOld),
    F(BADCHECKSUM, K32, badChecksum), F(LOGTIMEBADCHECKSUM, KLT, logtimeBadChecksum),
    F(BADCHECKSUMOLD, K32, badChecksumOld), F(GENMAXCOMMITTED, K32, genMaxCommitted),
    F(BKCOPYPREV, KBK, bkinfoCopyPrev), F(BKDIFFPREV, KBK, bkinfoDiffPrev),
    F(BKTYPECOPYPREV, K32, bkinfoTypeCopyPrev), F(BKTYPEDIFFPREV, K32, bkinfoTypeDiffPrev),
    F(INCRESEEDCOUNT, K32, incReseedCount), F(LOGTIMEINCRESEED, KLT, logtimeIncReseed),
    F(INCRESEEDCOUNTOLD, K32, incReseedCountOld), F(PAGEPATCHCOUNT, K32, pagePatchCount),
    F(LOGTIMEPAGEPATCH, KLT, logtimePagePatch), F(PAGEPATCHCOUNTOLD, K32, pagePatchCountOld),
    F(SORTVERSION, K64, sortVersion), F(LOGTIMEDBSCANPREV, KLT, logtimeDbscanPrev),
    F(LOGTIMEDBSCANSTART, KLT, logtimeDbscanStart),
    F(PGNODBSCANHIGHESTCONT, K32, pgnoDbscanHighestContinuous),
    F(GENRECOVERING, K32, genRecovering), F(EXTENDCOUNT, K32, extendCount),
    F(LOGTIMELASTEXTEND, KLT, logtimeLastExtend), F(SHRINKCOUNT, K32, shrinkCount),
    F(LOGTIMELASTSHRINK, KLT, logtimeLastShrink),
    F(LOGTIMELASTREATTACH, KLT, logtimeLastReAttach),
    F(LGPOSLASTREATTACH, KLG, lgposLastReAttach), F(TRIMCOUNT, K32, trimCount),
    F(SIGNDBHDRFLUSH, KSG, signDbHdrFlush), F(SIGNFMHDRFLUSH, KSG, signFlushMapHdrFlush),
    F(GENMINCONSISTENT, K32, genMinConsistent), F(UPDATEMINOR, K32, updateMinor),
    F(EFVMAXBINATTACH, K32, efvMaxBinAttachDiagnostic),
    F(PGNODBSCANHIGHEST, K32, pgnoDbscanHighest), F(LGPOSLASTRESIZE, KLG, lgposLastResize),
    F(FILETYPE, K32, filetype), F(LOGTIMEGENMAXREQUIRED, KLT, logtimeGenMaxRequired),
    F(GENPREREDOMINCONSISTENT, K32, genPreRedoMinConsistent),
    F(GENPREREDOMINREQUIRED, K32, genPreRedoMinRequired),
    F(SIGNRBSHDRFLUSH, KSG, signRBSHdrFlush), F(REVERTCOUNT, K32, revertCount),
    F(LOGTIMEREVERTFROM, KLT, logtimeRevertFrom), F(LOGTIMEREVERTTO, KLT, logtimeRevertTo),
    F(REVERTPAGECOUNT, K32, revertPageCount),
    F(LGPOSCOMMITBEFOREREVERT, KLG, lgposCommitBeforeRevert),
};
#undef F

JET_ERR bj_dbhdr_decode(const uint8_t *page, uint32_t cbPage, bj_dbhdr *out)
{
    JET_ERR err = JET_errSuccess;
    if (cbPage < BJ_DBH_CB)
        ERR(JET_errInvalidParameter);
    memset(out, 0, sizeof(*out));
    out->checksum = bj_ld32(page + BJ_DBH_IB_CHECKSUM);
    for (size_t i = 0; i < BJ_ARRAY_LEN(k_fields); i++) {
        const uint8_t *p = page + k_fields[i].ib;
        void *m = (uint8_t *)out + k_fields[i].off;
        switch (k_fields[i].kind) {
        case K32: *(uint32_t *)m = bj_ld32(p); break;
        case K64: *(uint64_t *)m = bj_ld64(p); break;
        case KLT: bj_logtime_decode(p, m); break;
        case KLG: bj_lgpos_decode(p, m); break;
        case KSG: bj_signature_decode(p, m); break;
        case KBK: bj_bkinfo_decode(p, m); break;
        default: memcpy(m, p, BJ_SIGN_CB); break;
        }
    }
fail:
    return err;
}

JET_ERR bj_dbhdr_encode(const bj_dbhdr *h, uint8_t *page, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    if (cbPage < BJ_DBH_CB || cbPage % 4)
        ERR(JET_errInvalidParameter);
    memset(page, 0, cbPage);
    for (size_t i = 0; i < BJ_ARRAY_LEN(k_fields); i++) {
        uint8_t *p = page + k_fields[i].ib;
        const void *m = (const uint8_t *)h + k_fields[i].off;
        switch (k_fields[i].kind) {
        case K32: bj_st32(p, *(const uint32_t *)m); break;
        case K64: bj_st64(p, *(const uint64_t *)m); break;
        case KLT: bj_logtime_encode(m, p); break;
        case KLG: bj_lgpos_encode(m, p); break;
        case KSG: bj_signature_encode(m, p); break;
        case KBK: bj_bkinfo_encode(m, p); break;
        default: memcpy(p, m, BJ_SIGN_CB); break;
        }
    }
    if (h->filetype == 0)
        bj_st32(page + BJ_DBH_IB_FILETYPE, BJ_FILETYPE_DATABASE);
    bj_st32(page + BJ_DBH_IB_CHECKSUM, bj_checksum_xor_old(page, cbPage));
fail:
    return err;
}

bool bj_dbhdr_verify(const uint8_t *page, uint32_t cbPage)
{
    return cbPage >= BJ_DBH_CB && bj_ld32(page) == bj_checksum_xor_old(page, cbPage);
}

uint32_t bj_dbhdr_page_size(const bj_dbhdr *h)
{
    return h->cbPageSize ? h->cbPageSize : 4096u;
}

/* A copy at off of size cbCand is good: checksum over cbCand bytes and page-size field. */
static bool copy_good(const uint8_t *p, size_t cb, size_t off, uint32_t cbCand)
{
    if (off + cbCand > cb)
        return false;
    const uint8_t *pg = p + off;
    if (!bj_dbhdr_verify(pg, cbCand))
        return false;
    uint32_t cbField = bj_ld32(pg + BJ_DBH_IB_CBPAGE);
    if (cbField == 0)
        cbField = 4096;
    return cbField == cbCand;
}

JET_ERR bj_dbhdr_choose(const uint8_t *first2pages, size_t cb, uint32_t *pcbPage, bj_dbhdr *out,
                        bool *shadow_used)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPrimary = 0, cbShadow = 0;
    for (uint32_t cand = 2048; cand <= 32768; cand *= 2) {
        if (copy_good(first2pages, cb, 0, cand))
            cbPrimary = cand;
        if (copy_good(first2pages, cb, cand, cand))
            cbShadow = cand;
    }
    if (!cbPrimary && !cbShadow) {
        bool magic = cb >= 8 && bj_ld32(first2pages + BJ_DBH_IB_MAGIC) == BJ_DBH_MAGIC;
        for (uint32_t cand = 2048; !magic && cand <= 32768; cand *= 2)
            magic = cand + 8 <= cb && bj_ld32(first2pages + cand + BJ_DBH_IB_MAGIC) == BJ_DBH_MAGIC;
        ERR(magic ? JET_errReadVerifyFailure : JET_errDatabaseCorrupted);
    }
    bool shadow = !cbPrimary;
    uint32_t cbPage = shadow ? cbShadow : cbPrimary;
    CALL(bj_dbhdr_decode(first2pages + (shadow ? cbPage : 0), cbPage, out));
    if (out->magic != BJ_DBH_MAGIC || out->version < BJ_DBH_VERSION)
        ERR(JET_errInvalidDatabaseVersion);
    if (out->filetype != BJ_FILETYPE_UNKNOWN && out->filetype != BJ_FILETYPE_DATABASE)
        ERR(JET_errFileInvalidType);
    *pcbPage = cbPage;
    *shadow_used = shadow;
fail:
    return err;
}
