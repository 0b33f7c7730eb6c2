/* log_hdr.c: bytes of the log layer: log file header areas, segment headers and checksums,
 * record headers, checkpoint copies and their files (bj_log_read_header, bj_chk_read), lsn and
 * LGPOS conversion. Layout: log_format.h. Every decode validates every field it trusts; corrupt
 * input is an error code, never a crash. No state, no locks.
 */
#include "common/checksum.h"
#include "log/log_int.h"

bj_lgpos bj_lsn_to_lgpos(bj_lsn lsn)
{
    bj_lgpos p;
    uint32_t off = BJ_LSN_OFF(lsn);
    p.gen = BJ_LSN_GEN(lsn);
    p.isec = (uint16_t)(off / BJ_LOG_CB_SECTOR);
    p.ib = (uint16_t)(off % BJ_LOG_CB_SECTOR);
    return p;
}

bj_lsn bj_lgpos_to_lsn(const bj_lgpos *p)
{
    return BJ_LSN_MAKE(p->gen, (uint32_t)p->isec * BJ_LOG_CB_SECTOR + p->ib);
}

static void lsn_encode(bj_lsn lsn, uint8_t *p)
{
    bj_lgpos g = bj_lsn_to_lgpos(lsn);
    bj_lgpos_encode(&g, p);
}

static bj_lsn lsn_decode(const uint8_t *p)
{
    bj_lgpos g;
    bj_lgpos_decode(p, &g);
    return bj_lgpos_to_lsn(&g);
}

void bj_log_signature_new(bj_signature *sign)
{
    char name[BJ_SIGN_CB_COMPUTER + 1];
    memset(sign, 0, sizeof(*sign));
    sign->random = bj_os_random32();
    bj_logtime_now(&sign->created);
    memset(name, 0, sizeof(name));
    bj_os_computer_name(name, BJ_SIGN_CB_COMPUTER);
    memcpy(sign->computer, name, BJ_SIGN_CB_COMPUTER);
}

/* ---------------------------------------------------------------- attachments */

void bj_log_att_encode(const bj_log_attach *rg, uint32_t n, uint8_t *area)
{
    uint32_t ib = 0;
    memset(area, 0, BJ_ATT_CB_AREA);
    for (uint32_t i = 0; i < n && i < BJ_LOG_ATTACH_MAX; i++) {
        size_t cb = strnlen(rg[i].szPath, sizeof(rg[i].szPath));
        if (cb > BJ_ATT_CB_PATH_MAX)
            cb = BJ_ATT_CB_PATH_MAX;
        bj_st32(area + ib + BJ_ATT_IB_DBID, rg[i].dbid);
        bj_signature_encode(&rg[i].signDb, area + ib + BJ_ATT_IB_SIGN);
        bj_st16(area + ib + BJ_ATT_IB_CBPATH, (uint16_t)cb);
        memcpy(area + ib + BJ_ATT_IB_PATH, rg[i].szPath, cb);
        ib += BJ_ATT_IB_PATH + (uint32_t)cb;
    }
}

bool bj_log_att_decode(const uint8_t *area, uint32_t n, bj_log_attach *rg)
{
    uint32_t ib = 0;
    if (n > BJ_LOG_ATTACH_MAX)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (ib + BJ_ATT_IB_PATH > BJ_ATT_CB_AREA)
            return false;
        uint32_t cb = bj_ld16(area + ib + BJ_ATT_IB_CBPATH);
        if (cb > BJ_ATT_CB_PATH_MAX || ib + BJ_ATT_IB_PATH + cb > BJ_ATT_CB_AREA)
            return false;
        memset(&rg[i], 0, sizeof(rg[i]));
        rg[i].dbid = bj_ld32(area + ib + BJ_ATT_IB_DBID);
        bj_signature_decode(area + ib + BJ_ATT_IB_SIGN, &rg[i].signDb);
        memcpy(rg[i].szPath, area + ib + BJ_ATT_IB_PATH, cb);
        if (memchr(rg[i].szPath, 0, cb))
            return false;
        ib += BJ_ATT_IB_PATH + cb;
    }
    return true;
}

static uint64_t att_block_checksum(const uint8_t *area, uint32_t iblk)
{
    return bj_checksum_block(area + iblk * BJ_LOG_CB_BLOCK, BJ_LOG_CB_BLOCK, 1u + iblk, false);
}

/* ---------------------------------------------------------------- log file header */

void bj_log_hdr_encode(const bj_log_hdr *h, uint8_t *area)
{
    uint8_t *b = area;
    memset(area, 0, BJ_LOG_CB_HDRAREA);
    bj_log_att_encode(h->rgattach, h->cattach, area + BJ_ATT_IB_AREA);

    bj_st32(b + BJ_LGH_IB_GEN, h->gen);
    bj_st16(b + BJ_LGH_IB_CBSEC, BJ_LOG_CB_SECTOR);
    bj_st16(b + BJ_LGH_IB_CSECHEADER, BJ_LOG_CB_HDRAREA / BJ_LOG_CB_SECTOR);
    uint32_t csec = h->cbLogFile / BJ_LOG_CB_SECTOR;
    bj_st16(b + BJ_LGH_IB_CSECLGFILE, (uint16_t)(csec > 0xffffu ? 0 : csec));
    bj_st16(b + BJ_LGH_IB_CBPAGE,
            (uint16_t)(h->cbDbPage == 4096 || h->cbDbPage > 0xffff ? 0 : h->cbDbPage));
    bj_logtime_encode(&h->tmCreate, b + BJ_LGH_IB_TMCREATE);
    bj_logtime_encode(&h->tmPrevGen, b + BJ_LGH_IB_TMPREVGEN);
    bj_st32(b + BJ_LGH_IB_MAJOR, BJ_LGH_MAJOR);
    bj_st32(b + BJ_LGH_IB_MINOR, BJ_LGH_MINOR);
    bj_st32(b + BJ_LGH_IB_UPDMAJOR, 0);
    bj_signature_encode(&h->signLog, b + BJ_LGH_IB_SIGNLOG);
    bj_st32(b + BJ_LGH_IB_MAGIC, BJ_LGH_MAGIC);
    bj_st32(b + BJ_LGH_IB_CBSEGMENT, BJ_LOG_CB_SEGMENT);
    bj_st32(b + BJ_LGH_IB_CBLOGFILE, h->cbLogFile);
    bj_st32(b + BJ_LGH_IB_CBHDRAREA, BJ_LOG_CB_HDRAREA);
    bj_st32(b + BJ_LGH_IB_CBDBPAGE, h->cbDbPage);
    bj_st32(b + BJ_LGH_IB_CATTACH, BJ_MIN(h->cattach, BJ_LOG_ATTACH_MAX));
    for (uint32_t i = 0; i < BJ_ATT_NBLOCKS; i++)
        bj_st64(b + BJ_LGH_IB_CKATTACH + 8 * i, att_block_checksum(area + BJ_ATT_IB_AREA, i));
    bj_st64(b + BJ_LGH_IB_LSNPREVEND, h->lsnPrevEnd);
    b[BJ_LGH_IB_FLAGS] = (uint8_t)((h->fCircular ? BJ_LGH_FLAG_CIRCULAR : 0) |
                                   (h->fReserve ? BJ_LGH_FLAG_RESERVE : 0));
    lsn_encode(h->lsnCheckpoint, b + BJ_LGH_IB_LGPOSCHK);
    bj_st32(b + BJ_LGH_IB_UPDMINOR, 0);
    bj_st32(b + BJ_LGH_IB_FILETYPE, JET_filetypeLog);
    bj_st32(b + BJ_LGH_IB_CHECKSUM, bj_checksum_xor_old(b, BJ_LOG_CB_BLOCK));
}

JET_ERR bj_log_hdr_decode(const uint8_t *area, size_t cb, bj_log_hdr *h)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *b = area;
    memset(h, 0, sizeof(*h));
    if (cb < BJ_LOG_CB_HDRAREA)
        ERR(JET_errLogFileCorrupt);
    if (bj_ld32(b + BJ_LGH_IB_CHECKSUM) != bj_checksum_xor_old(b, BJ_LOG_CB_BLOCK))
        ERR(JET_errLogFileCorrupt);
    if (bj_ld32(b + BJ_LGH_IB_MAGIC) != BJ_LGH_MAGIC ||
        bj_ld32(b + BJ_LGH_IB_FILETYPE) != JET_filetypeLog)
        ERR(JET_errLogFileCorrupt);
    if (bj_ld32(b + BJ_LGH_IB_MAJOR) != BJ_LGH_MAJOR || bj_ld32(b + BJ_LGH_IB_MINOR) > BJ_LGH_MINOR)
        ERR(JET_errBadLogVersion);
    h->gen = bj_ld32(b + BJ_LGH_IB_GEN);
    h->cbSegment = bj_ld32(b + BJ_LGH_IB_CBSEGMENT);
    h->cbLogFile = bj_ld32(b + BJ_LGH_IB_CBLOGFILE);
    h->cbDbPage = bj_ld32(b + BJ_LGH_IB_CBDBPAGE);
    h->cattach = bj_ld32(b + BJ_LGH_IB_CATTACH);
    if (h->gen == 0 || h->gen > 0x7fffffffu || h->cbSegment != BJ_LOG_CB_SEGMENT ||
        bj_ld32(b + BJ_LGH_IB_CBHDRAREA) != BJ_LOG_CB_HDRAREA || h->cbLogFile < BJ_LOG_CB_MIN ||
        h->cbLogFile > BJ_LOG_CB_MAX || h->cbLogFile % BJ_LOG_CB_SEGMENT != 0 ||
        h->cattach > BJ_LOG_ATTACH_MAX)
        ERR(JET_errLogFileCorrupt);
    for (uint32_t i = 0; i < BJ_ATT_NBLOCKS; i++)
        if (bj_ld64(b + BJ_LGH_IB_CKATTACH + 8 * i) != att_block_checksum(area + BJ_ATT_IB_AREA, i))
            ERR(JET_errLogFileCorrupt);
    if (!bj_log_att_decode(area + BJ_ATT_IB_AREA, h->cattach, h->rgattach))
        ERR(JET_errLogFileCorrupt);
    bj_logtime_decode(b + BJ_LGH_IB_TMCREATE, &h->tmCreate);
    bj_logtime_decode(b + BJ_LGH_IB_TMPREVGEN, &h->tmPrevGen);
    bj_signature_decode(b + BJ_LGH_IB_SIGNLOG, &h->signLog);
    h->lsnPrevEnd = bj_ld64(b + BJ_LGH_IB_LSNPREVEND);
    h->fCircular = (b[BJ_LGH_IB_FLAGS] & BJ_LGH_FLAG_CIRCULAR) != 0;
    h->fReserve = (b[BJ_LGH_IB_FLAGS] & BJ_LGH_FLAG_RESERVE) != 0;
    h->lsnCheckpoint = lsn_decode(b + BJ_LGH_IB_LGPOSCHK);
fail:
    return err;
}

JET_ERR bj_log_read_header(bj_os *os, const char *szFile, bj_log_hdr *phdr)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    uint8_t *area = bj_malloc(BJ_LOG_CB_HDRAREA);
    size_t cbRead = 0;
    if (!area)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_open(os, szFile, BJ_OPEN_READONLY, &f));
    CALL(bj_file_read(f, 0, area, BJ_LOG_CB_HDRAREA, &cbRead));
    CALL(bj_log_hdr_decode(area, cbRead, phdr));
fail:
    bj_file_close(f);
    bj_free(area);
    return err;
}

/* ---------------------------------------------------------------- segments and records */

void bj_log_seg_seal(uint8_t *seg, uint32_t gen, uint32_t iseg, uint32_t isegFlush, uint32_t cbUsed,
                     const bj_logtime *tm)
{
    bj_st32(seg + BJ_SEG_IB_GEN, gen);
    bj_st32(seg + BJ_SEG_IB_ISEG, iseg);
    bj_st32(seg + BJ_SEG_IB_ISEGFLUSH, isegFlush);
    bj_st16(seg + BJ_SEG_IB_CBUSED, (uint16_t)cbUsed);
    bj_st16(seg + BJ_SEG_IB_ZERO, 0);
    bj_logtime_encode(tm, seg + BJ_SEG_IB_LOGTIME);
    bj_st64(seg + BJ_SEG_IB_CHECKSUM, bj_checksum_block(seg, BJ_LOG_CB_SEGMENT, iseg, true));
}

bool bj_log_seg_valid(const uint8_t *seg, uint32_t gen, uint32_t iseg, uint32_t *pisegFlush,
                      uint32_t *pcbUsed)
{
    /* the cheap fields first: the zeroed rest of a log fails here without a checksum */
    if (bj_ld32(seg + BJ_SEG_IB_GEN) != gen || bj_ld32(seg + BJ_SEG_IB_ISEG) != iseg)
        return false;
    if (bj_ld64(seg + BJ_SEG_IB_CHECKSUM) != bj_checksum_block(seg, BJ_LOG_CB_SEGMENT, iseg, true))
        return false;
    uint32_t isegFlush = bj_ld32(seg + BJ_SEG_IB_ISEGFLUSH);
    uint32_t cbUsed = bj_ld16(seg + BJ_SEG_IB_CBUSED);
    if (isegFlush > iseg || isegFlush < BJ_LOG_ISEG_FIRST || cbUsed > BJ_SEG_CB_PAYLOAD ||
        bj_ld16(seg + BJ_SEG_IB_ZERO) != 0)
        return false;
    *pisegFlush = isegFlush;
    *pcbUsed = cbUsed;
    return true;
}

uint16_t bj_log_rec_check(const uint8_t *hdr, bj_lsn lsn)
{
    /* FNV-1a over the 6 header bytes and the 8 bytes of the position. */
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < BJ_REC_IB_CHECK; i++)
        h = (h ^ hdr[i]) * 16777619u;
    for (uint32_t i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(lsn >> (8 * i))) * 16777619u;
    return (uint16_t)(h ^ (h >> 16));
}

void bj_log_rec_header(uint8_t *hdr, bj_lrtype type, uint32_t cb, bj_lsn lsn)
{
    hdr[BJ_REC_IB_TYPE] = (uint8_t)type;
    hdr[BJ_REC_IB_MARK] = BJ_REC_MARK;
    bj_st32(hdr + BJ_REC_IB_CB, cb);
    bj_st16(hdr + BJ_REC_IB_CHECK, bj_log_rec_check(hdr, lsn));
}

/* ---------------------------------------------------------------- checkpoint */

void bj_chk_encode(const bj_chk_info *info, uint64_t seq, uint8_t *copy)
{
    uint8_t *b = copy;
    uint32_t n = BJ_MIN(info->cattach, BJ_LOG_ATTACH_MAX);
    memset(copy, 0, BJ_CHK_CB_COPY);
    bj_log_att_encode(info->rgattach, n, copy + BJ_ATT_IB_AREA);
    lsn_encode(info->lsnCheckpoint, b + BJ_CHK_IB_LGPOSCHK);
    bj_signature_encode(&info->signLog, b + BJ_CHK_IB_SIGNLOG);
    bj_st32(b + BJ_CHK_IB_MAGIC, BJ_CHK_MAGIC);
    bj_st64(b + BJ_CHK_IB_SEQ, seq);
    bj_st32(b + BJ_CHK_IB_GENLAST, info->genLast);
    bj_st32(b + BJ_CHK_IB_CATTACH, n);
    for (uint32_t i = 0; i < BJ_ATT_NBLOCKS; i++)
        bj_st64(b + BJ_CHK_IB_CKATTACH + 8 * i, att_block_checksum(copy + BJ_ATT_IB_AREA, i));
    bj_st32(b + BJ_CHK_IB_CBCOPY, BJ_CHK_CB_COPY);
    bj_st32(b + BJ_CHK_IB_FILETYPE, JET_filetypeCheckpoint);
    bj_st32(b + BJ_CHK_IB_CHECKSUM, bj_checksum_xor_old(b, BJ_LOG_CB_BLOCK));
}

bool bj_chk_decode(const uint8_t *copy, bj_chk_info *info, uint64_t *pseq)
{
    const uint8_t *b = copy;
    memset(info, 0, sizeof(*info));
    if (bj_ld32(b + BJ_CHK_IB_CHECKSUM) != bj_checksum_xor_old(b, BJ_LOG_CB_BLOCK) ||
        bj_ld32(b + BJ_CHK_IB_MAGIC) != BJ_CHK_MAGIC ||
        bj_ld32(b + BJ_CHK_IB_FILETYPE) != JET_filetypeCheckpoint ||
        bj_ld32(b + BJ_CHK_IB_CBCOPY) != BJ_CHK_CB_COPY)
        return false;
    for (uint32_t i = 0; i < BJ_ATT_NBLOCKS; i++)
        if (bj_ld64(b + BJ_CHK_IB_CKATTACH + 8 * i) != att_block_checksum(copy + BJ_ATT_IB_AREA, i))
            return false;
    info->cattach = bj_ld32(b + BJ_CHK_IB_CATTACH);
    if (!bj_log_att_decode(copy + BJ_ATT_IB_AREA, info->cattach, info->rgattach))
        return false;
    info->lsnCheckpoint = lsn_decode(b + BJ_CHK_IB_LGPOSCHK);
    bj_signature_decode(b + BJ_CHK_IB_SIGNLOG, &info->signLog);
    info->genLast = bj_ld32(b + BJ_CHK_IB_GENLAST);
    *pseq = bj_ld64(b + BJ_CHK_IB_SEQ);
    return true;
}

/* Reads both copies of a checkpoint file: the newest valid one into *pinfo, its sequence into
 * *pseq. Used by the writer (to continue the sequence) and bj_chk_read. */
JET_ERR bj_chk_read_seq(bj_os *os, const char *szFile, bj_chk_info *pinfo, uint64_t *pseq)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    uint8_t *buf = bj_malloc(BJ_CHK_CB_COPY);
    bj_chk_info *tmp = bj_malloc(sizeof(*tmp));
    bool found = false;
    if (!buf || !tmp)
        ERR(JET_errOutOfMemory);
    err = bj_file_open(os, szFile, BJ_OPEN_READONLY, &f);
    if (err == JET_errFileNotFound || err == JET_errInvalidPath)
        ERR(JET_errCheckpointFileNotFound);
    CALL(err);
    *pseq = 0;
    for (uint32_t i = 0; i < BJ_CHK_NCOPIES; i++) {
        size_t cbRead = 0;
        uint64_t seq = 0;
        CALL(bj_file_read(f, (uint64_t)i * BJ_CHK_CB_COPY, buf, BJ_CHK_CB_COPY, &cbRead));
        if (cbRead < BJ_CHK_CB_COPY || !bj_chk_decode(buf, tmp, &seq))
            continue;
        if (!found || seq > *pseq) {
            *pinfo = *tmp;
            *pseq = seq;
            found = true;
        }
    }
    if (!found)
        ERR(JET_errCheckpointCorrupt);
fail:
    bj_file_close(f);
    bj_free(buf);
    bj_free(tmp);
    return err;
}

JET_ERR bj_chk_read(bj_os *os, const char *szSystemPath, const char *szBaseName, bj_chk_info *pinfo)
{
    JET_ERR err = JET_errSuccess;
    char path[BJ_PATH_MAX];
    uint64_t seq = 0;
    CALL(bj_log_name_chk(path, sizeof(path), szSystemPath, szBaseName));
    CALL(bj_chk_read_seq(os, path, pinfo, &seq));
fail:
    return err;
}

JET_ERR bj_log_verify_segments(const uint8_t *buf, uint64_t ib, uint32_t cb, uint32_t gen)
{
    _Static_assert(BJ_LOG_HEADER_AREA_CB == BJ_LOG_CB_HDRAREA, "header area size");
    if (ib % BJ_LOG_CB_SEGMENT || cb % BJ_LOG_CB_SEGMENT || ib < BJ_LOG_CB_HDRAREA)
        return BJ_ERR(JET_errInvalidParameter);
    for (uint32_t off = 0; off < cb; off += BJ_LOG_CB_SEGMENT) {
        const uint8_t *seg = buf + off;
        const uint32_t iseg = (uint32_t)((ib + off) / BJ_LOG_CB_SEGMENT);
        uint32_t isegFlush, cbUsed;
        if (bj_log_seg_valid(seg, gen, iseg, &isegFlush, &cbUsed))
            continue;
        for (uint32_t i = 0; i < BJ_LOG_CB_SEGMENT; i++)
            if (seg[i])
                return BJ_ERR(JET_errLogReadVerifyFailure);
    }
    return JET_errSuccess;
}
