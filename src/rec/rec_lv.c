/* rec_lv.c: long-value format helpers (LID keys, chunk keys, LVROOT, chunk size, intrinsic
 * limit, chunk arithmetic) and decompression of compressed column values (7-bit schemes).
 *
 * Facts (ESE rec.hxx, lv.hxx, lv.cxx, jetapi.cxx, compression.cxx): a LID32 is 1..0x7fffffff;
 * a LID64 has bit 63 set and is at most 0x80ffffffffffffff. LV-tree keys are big-endian:
 * root = LID, chunk = LID || u32 offset; chunks sit at multiples of the chunk size. Records
 * store the LID little-endian. A compressed value starts with a byte scheme << 3 | data.
 */
#include "rec/rec_int.h"

/* ---------------------------------------------------------------- sizes */

uint32_t bj_lv_chunk_size(uint32_t cbPage)
{
    if (!bj_rec_is_large(cbPage))
        return cbPage - (BJ_LV_CHUNK_OVERHEAD_COMMON + BJ_REC_CB_PGHDR_SMALL);
    return cbPage == 32768 ? BJ_LV_CHUNK_32K : BJ_LV_CHUNK_16K;
}

uint32_t bj_lv_intrinsic_most(uint32_t cbPreferred)
{
    return cbPreferred ? cbPreferred : BJ_LV_CB_INTRINSIC_MOST;
}

/* ---------------------------------------------------------------- LIDs and keys */

static bool lid_valid(uint64_t lid)
{
    if (lid & BJ_LV_LID64_FLAG)
        return lid <= BJ_LV_LID64_MAX;
    return lid > 0 && lid <= BJ_LV_LID32_MAX;
}

uint32_t bj_lv_root_key(uint64_t lid, uint8_t key[8])
{
    if (lid & BJ_LV_LID64_FLAG) {
        bj_st64be(key, lid);
        return BJ_LV_CB_LID64;
    }
    bj_st32be(key, (uint32_t)lid);
    return BJ_LV_CB_LID32;
}

uint32_t bj_lv_chunk_key(uint64_t lid, uint32_t offset, uint8_t key[12])
{
    uint32_t cb = bj_lv_root_key(lid, key);
    bj_st32be(key + cb, offset);
    return cb + 4;
}

JET_ERR bj_lv_parse_key(const void *key, uint32_t cbKey, uint64_t *plid, bool *pfRoot,
                        uint32_t *poffset)
{
    const uint8_t *k = key;
    *plid = 0;
    *pfRoot = false;
    *poffset = 0;
    if (cbKey == 4) {
        *plid = bj_ld32be(k);
        *pfRoot = true;
    } else if (cbKey == 8 && (k[0] & 0x80)) {
        *plid = bj_ld64be(k);
        *pfRoot = true;
    } else if (cbKey == 8) {
        *plid = bj_ld32be(k);
        *poffset = bj_ld32be(k + 4);
    } else if (cbKey == 12) {
        *plid = bj_ld64be(k);
        *poffset = bj_ld32be(k + 8);
        if (!(*plid & BJ_LV_LID64_FLAG))
            return BJ_ERR(JET_errDatabaseCorrupted);
    } else {
        return BJ_ERR(JET_errDatabaseCorrupted);
    }
    if (!lid_valid(*plid))
        return BJ_ERR(JET_errDatabaseCorrupted);
    return JET_errSuccess;
}

JET_ERR bj_lv_lid_from_record(const void *pv, uint32_t cb, uint64_t *plid)
{
    *plid = 0;
    if (cb == BJ_LV_CB_LID32) {
        *plid = bj_ld32(pv);
        if (*plid & 0x80000000u)
            return BJ_ERR(JET_errDatabaseCorrupted);
    } else if (cb == BJ_LV_CB_LID64) {
        *plid = bj_ld64(pv);
        if (!(*plid & BJ_LV_LID64_FLAG))
            return BJ_ERR(JET_errDatabaseCorrupted);
    } else {
        return BJ_ERR(JET_errDatabaseCorrupted);
    }
    if (!lid_valid(*plid))
        return BJ_ERR(JET_errDatabaseCorrupted);
    return JET_errSuccess;
}

uint32_t bj_lv_lid_to_record(uint64_t lid, uint8_t out[8])
{
    if (lid & BJ_LV_LID64_FLAG) {
        bj_st64(out, lid);
        return BJ_LV_CB_LID64;
    }
    bj_st32(out, (uint32_t)lid);
    return BJ_LV_CB_LID32;
}

/* ---------------------------------------------------------------- LVROOT */

void bj_lv_root_encode(const bj_lv_root *root, uint8_t out[BJ_LV_CB_LVROOT])
{
    bj_st32(out + BJ_LV_OFF_REFCOUNT, root->refcount);
    bj_st32(out + BJ_LV_OFF_SIZE, root->cbSize);
}

JET_ERR bj_lv_root_decode(const void *pv, uint32_t cb, bj_lv_root *root)
{
    const uint8_t *p = pv;
    memset(root, 0, sizeof(*root));
    if (cb != BJ_LV_CB_LVROOT && cb != BJ_LV_CB_LVROOT2)
        return BJ_ERR(JET_errDatabaseCorrupted);
    root->refcount = bj_ld32(p + BJ_LV_OFF_REFCOUNT);
    root->cbSize = bj_ld32(p + BJ_LV_OFF_SIZE);
    if (cb == BJ_LV_CB_LVROOT2) {
        root->flags = p[BJ_LV_OFF_FLAGS];
        if (root->flags & ~BJ_LV_ROOTFLAG_ENCRYPTED)
            return BJ_ERR(JET_errDatabaseCorrupted);
    }
    return JET_errSuccess;
}

JET_ERR bj_lv_chunks_for_read(uint32_t cbLV, uint32_t cbChunk, uint32_t ib, uint32_t cb,
                              uint32_t *pibFirst, uint32_t *pcChunks, uint32_t *pibInFirst)
{
    *pibFirst = 0;
    *pcChunks = 0;
    *pibInFirst = 0;
    if (cbChunk == 0)
        return BJ_ERR(JET_errInvalidParameter);
    if (ib >= cbLV || cb == 0)
        return JET_errSuccess;
    const uint64_t ibEnd = BJ_MIN((uint64_t)ib + cb, (uint64_t)cbLV); /* exclusive */
    const uint32_t first = ib / cbChunk;
    const uint32_t last = (uint32_t)((ibEnd - 1) / cbChunk);
    *pibFirst = first * cbChunk;
    *pcChunks = last - first + 1;
    *pibInFirst = ib - *pibFirst;
    return JET_errSuccess;
}

/* ---------------------------------------------------------------- decompression */

/* 7-bit schemes: header = scheme << 3 | (bits used in the last byte - 1); then 7-bit units
 * packed little-endian bit order; Unicode re-inserts a zero high byte after each unit. */
static JET_ERR decompress_7bit(const uint8_t *p, uint32_t cb, bool fUnicode, uint8_t *out,
                               uint32_t cbMax, uint32_t *pcbActual)
{
    if (cb < 2)
        return BJ_ERR(JET_errDatabaseCorrupted);
    const uint32_t cbitFinal = (p[0] & 7u) + 1;
    const uint64_t cbitTotal = (uint64_t)(cb - 2) * 8 + cbitFinal;
    if (cbitTotal % 7 != 0)
        return BJ_ERR(JET_errDatabaseCorrupted);
    const uint32_t cUnits = (uint32_t)(cbitTotal / 7);
    const uint32_t cbTotal = fUnicode ? 2 * cUnits : cUnits;
    *pcbActual = cbTotal;
    const uint32_t cbOut = out ? BJ_MIN(cbTotal, cbMax) : 0;
    uint32_t ibit = 0; /* bit position in p[1..] */
    for (uint32_t io = 0, unit = 0; io < cbOut; unit++) {
        const uint32_t ib = 1 + ibit / 8, sh = ibit % 8;
        uint32_t w = p[ib];
        if (sh > 1 && ib + 1 < cb)
            w |= (uint32_t)p[ib + 1] << 8;
        out[io++] = (uint8_t)((w >> sh) & 0x7f);
        if (fUnicode && io < cbOut)
            out[io++] = 0;
        ibit += 7;
    }
    return cbTotal > cbMax ? JET_wrnBufferTruncated : JET_errSuccess;
}

JET_ERR bj_rec_decompress(const void *pv, uint32_t cb, void *pvOut, uint32_t cbMax,
                          uint32_t *pcbActual)
{
    const uint8_t *p = pv;
    *pcbActual = 0;
    if (cb < 1)
        return BJ_ERR(JET_errDatabaseCorrupted);
    switch (p[0] >> 3) {
    case BJ_CMP_7BITASCII:
        return decompress_7bit(p, cb, false, pvOut, cbMax, pcbActual);
    case BJ_CMP_7BITUNICODE:
        return decompress_7bit(p, cb, true, pvOut, cbMax, pcbActual);
    case BJ_CMP_XPRESS:
    case BJ_CMP_XPRESS9:
    case BJ_CMP_XPRESS10:
    case BJ_CMP_LZ4:
        return BJ_ERR(JET_errFeatureNotAvailable);
    default:
        return BJ_ERR(JET_errDatabaseCorrupted);
    }
}
