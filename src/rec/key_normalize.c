/* key_normalize.c: one column value -> one normalised key segment (ESE fldnorm.cxx rules).
 *
 * Owns: the byte rules per column type, NULL / zero-length prefixes, the legacy 255-byte source
 * truncation, cbVarSegMac, truncation to the key space left, descending complement.
 * Invariants: a segment never exceeds the space it is given; its first byte is a prefix byte
 * (possibly complemented); fixed-size values are read little-endian (the record format's and
 * Windows' byte order). No locks (Unicode text is delegated to key_unicode.c).
 */
#include "rec/key.h"
#include "rec/rec.h"

#include <stdlib.h>

#define BINARY_CHUNK 8u                      /* cbFLDBinaryChunk */
#define BINARY_CHUNK_NORM (BINARY_CHUNK + 1) /* cbFLDBinaryChunkNormalized */

uint32_t bj_key_cb_key_most(const bj_key_index *idx)
{
    return idx->cbKeyMost ? idx->cbKeyMost : JET_cbKeyMost;
}


static bool is_text(JET_COLTYP t)
{
    return t == JET_coltypText || t == JET_coltypLongText;
}

static bool is_binary(JET_COLTYP t)
{
    return t == JET_coltypBinary || t == JET_coltypLongBinary;
}

/* cbVarSegMac as ESE uses it: "no limit" becomes cbKeyMost + 1. */
static uint32_t var_seg_mac(const bj_key_index *idx)
{
    uint32_t most = bj_key_cb_key_most(idx);
    if (idx->cbVarSegMac == 0 || idx->cbVarSegMac >= most)
        return most + 1;
    return idx->cbVarSegMac;
}

JET_ERR bj_key_index_check(const bj_key_index *idx)
{
    JET_ERR err = JET_errSuccess;
    bool fUnicode = false;
    uint32_t most = bj_key_cb_key_most(idx);

    if (most < JET_cbKeyMostMin || most > BJ_KEY_CB_MOST_MOST)
        ERR(JET_errInvalidParameter);
    if (idx->cseg == 0 || idx->cseg > JET_ccolKeyMost)
        ERR(JET_errInvalidParameter);
    for (uint32_t i = 0; i < idx->cseg; i++) {
        const bj_key_seg *s = &idx->rgseg[i];
        if (s->coltyp == JET_coltypNil || s->coltyp == JET_coltypSLV ||
            s->coltyp > JET_coltypUnsignedLongLong)
            ERR(JET_errInvalidColumnType);
        if (is_text(s->coltyp) && s->cp == BJ_KEY_CP_UNICODE)
            fUnicode = true;
    }
    if (fUnicode)
        CALL(bj_key_unicode_check(idx));
fail:
    return err;
}

/* Fixed-size types: big-endian, sign bit flipped for signed integers, floats ordered by
 * complementing negatives (FLDNormalizeFixedSegment). Writes 1 + size bytes. */
static void normalize_fixed(JET_COLTYP t, bool fDotNetGuid, const uint8_t *pb, uint8_t *seg)
{
    seg[0] = BJ_KEY_PREFIX_DATA;
    switch (t) {
    case JET_coltypBit:
        seg[1] = pb[0] ? 0xff : 0x00;
        break;
    case JET_coltypUnsignedByte:
        seg[1] = pb[0];
        break;
    case JET_coltypShort:
        bj_st16be(seg + 1, (uint16_t)(bj_ld16(pb) ^ 0x8000u));
        break;
    case JET_coltypUnsignedShort:
        bj_st16be(seg + 1, bj_ld16(pb));
        break;
    case JET_coltypLong:
        bj_st32be(seg + 1, bj_ld32(pb) ^ 0x80000000u);
        break;
    case JET_coltypUnsignedLong:
        bj_st32be(seg + 1, bj_ld32(pb));
        break;
    case JET_coltypLongLong:
    case JET_coltypCurrency:
        bj_st64be(seg + 1, bj_ld64(pb) ^ 0x8000000000000000ull);
        break;
    case JET_coltypUnsignedLongLong:
        bj_st64be(seg + 1, bj_ld64(pb));
        break;
    case JET_coltypIEEESingle: {
        uint32_t v = bj_ld32(pb);
        bj_st32be(seg + 1, (v & 0x80000000u) ? ~v : (v ^ 0x80000000u));
        break;
    }
    case JET_coltypIEEEDouble:
    case JET_coltypDateTime: {
        uint64_t v = bj_ld64(pb);
        bj_st64be(seg + 1, (v & 0x8000000000000000ull) ? ~v : (v ^ 0x8000000000000000ull));
        break;
    }
    case JET_coltypGUID: {
        /* Source byte for each key byte: .NET Guid order (the Data1/2/3 fields big-endian,
         * then Data4), or ESE's classic order (node, clock-seq, time-hi, time-mid, time-low). */
        static const uint8_t dotnet[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
        static const uint8_t classic[16] = {10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3};
        const uint8_t *map = fDotNetGuid ? dotnet : classic;
        for (int i = 0; i < 16; i++)
            seg[1 + i] = pb[map[i]];
        break;
    }
    default:
        break;
    }
}

/* Binary (FLDNormalizeBinarySegment). Fixed columns: prefix + raw bytes. Variable columns:
 * 8-byte chunks, each followed by 9 (more follows) or, for the last chunk, the count of its
 * real bytes (zero padded); 8 for a full last chunk. Truncation cuts anywhere. */
static void normalize_binary(const uint8_t *pb, uint32_t cb, bool fFixed, uint32_t cbAvail,
                             uint32_t cbKeyMost, uint32_t cbVarSegMac, uint8_t *seg,
                             bj_key_segout *pso)
{
    uint32_t cbSeg;
    seg[0] = BJ_KEY_PREFIX_DATA;
    if (fFixed) {
        cbSeg = cb + 1;
        if (cbVarSegMac < cbKeyMost && cbSeg > cbVarSegMac)
            cbSeg = cbVarSegMac;
        if (cbSeg > cbAvail) {
            cbSeg = cbAvail;
            pso->fTruncated = true;
        }
        memcpy(seg + 1, pb, cbSeg - 1);
        pso->cb = cbSeg;
        return;
    }

    bool fEntire = true;
    uint32_t cChunks = (cb + BINARY_CHUNK - 1) / BINARY_CHUNK;
    cbSeg = cChunks * BINARY_CHUNK_NORM + 1;
    if (cbVarSegMac < cbKeyMost && cbSeg > cbVarSegMac) {
        cbSeg = cbVarSegMac;
        fEntire = false;
    }
    if (cbSeg > cbAvail) {
        cbSeg = cbAvail;
        fEntire = false;
        pso->fTruncated = true;
    }

    uint32_t cbLeft = cbSeg - 1; /* segment bytes still to write */
    uint32_t cbData = cb;        /* source bytes still to read */
    uint8_t *p = seg + 1;
    const uint8_t *src = pb;
    while (cbLeft >= BINARY_CHUNK_NORM) {
        if (cbData <= BINARY_CHUNK) { /* last chunk */
            memcpy(p, src, cbData);
            p += cbData;
            pso->ibDelim = (uint32_t)(p - seg);
            if (cbData == BINARY_CHUNK) {
                *p++ = fEntire ? (uint8_t)BINARY_CHUNK : (uint8_t)BINARY_CHUNK_NORM;
            } else {
                memset(p, 0, BINARY_CHUNK - cbData);
                p += BINARY_CHUNK - cbData;
                *p++ = (uint8_t)cbData;
            }
            src += cbData;
            cbData = 0;
        } else {
            memcpy(p, src, BINARY_CHUNK);
            p += BINARY_CHUNK;
            src += BINARY_CHUNK;
            *p++ = (uint8_t)BINARY_CHUNK_NORM;
            cbData -= BINARY_CHUNK;
        }
        cbLeft -= BINARY_CHUNK_NORM;
    }
    if (cbLeft > 0) { /* a cut chunk: data (zero padded if it ends), no count byte */
        if (cbData >= cbLeft) {
            memcpy(p, src, cbLeft);
        } else {
            pso->ibDelim = (uint32_t)(p + cbData - seg);
            memcpy(p, src, cbData);
            memset(p + cbData, 0, cbLeft - cbData);
        }
    }
    pso->cb = cbSeg;
}

/* Single-byte text (ErrUtilNormText): C-locale uppercase of a-z, stop at the first NUL, then a
 * 0x00 terminator. When the text does not fit, the last byte of the space holds the next
 * character minus 0x20 (Windows CRT _toupper quirk kept for compatibility), no terminator. */
static void normalize_ansi(const uint8_t *pb, uint32_t cb, uint32_t cbMax, uint8_t *out,
                           uint32_t *pcbOut, bool *pfTooBig)
{
    *pfTooBig = false;
    if (cbMax > cb) {
        uint32_t n = 0;
        while (n < cb && pb[n] != 0) {
            uint8_t c = pb[n];
            out[n] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - ('a' - 'A')) : c;
            n++;
        }
        out[n] = 0;
        *pcbOut = n + 1;
    } else if (cbMax > 0) {
        uint32_t lim = cbMax - 1, n = 0;
        while (n < lim && pb[n] != 0) {
            uint8_t c = pb[n];
            out[n] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - ('a' - 'A')) : c;
            n++;
        }
        out[n] = 0;
        if (n == lim && pb[n] != 0) { /* n < cb here since cb >= cbMax */
            out[n] = (uint8_t)(pb[n] - ('a' - 'A'));
            *pfTooBig = true;
        }
        *pcbOut = n + 1;
    } else {
        *pcbOut = 0;
    }
}

/* Text (ErrFLDNormalizeTextSegment): prefix + ANSI or Unicode normalisation in at most
 * min(cbAvail, cbVarSegMac) bytes. Hitting cbVarSegMac exactly is not a truncation. */
static JET_ERR normalize_text(const bj_key_index *idx, const bj_key_seg *s, const uint8_t *pb,
                              uint32_t cb, uint32_t cbAvail, uint8_t *seg, bj_key_segout *pso)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbKeyMost = bj_key_cb_key_most(idx);
    uint32_t cbVarSegMac = var_seg_mac(idx);
    uint32_t cbT = BJ_MIN(cbAvail, cbVarSegMac) - 1;
    uint32_t cbChar = s->cp == BJ_KEY_CP_UNICODE ? 2 : 1;
    uint32_t cbField = (cb / cbChar) * cbChar;
    uint32_t cbNorm = 0;
    bool fTooBig = false;

    if (cbKeyMost == JET_cbKeyMost)
        cbField = BJ_MIN(cbField, ((cbKeyMost + cbChar - 1) / cbChar) * cbChar);
    if (s->cp == BJ_KEY_CP_UNICODE) {
        if (cbField == 0) /* a lone odd byte: LCMapStringEx gets no characters and fails */
            ERR(JET_errUnicodeTranslationFail);
        CALL(bj_key_unicode_map(idx, pb, cbField, seg + 1, cbT, &cbNorm, &fTooBig));
    } else {
        normalize_ansi(pb, cbField, cbT, seg + 1, &cbNorm, &fTooBig);
    }
    if (fTooBig && (cbVarSegMac > cbKeyMost || cbNorm < cbVarSegMac - 1))
        pso->fTruncated = true;
    seg[0] = BJ_KEY_PREFIX_DATA;
    pso->cb = cbNorm + 1;
fail:
    return err;
}

JET_ERR bj_key_normalize_segment(const bj_key_index *idx, uint32_t iseg, bool fNull, const void *pv,
                                 uint32_t cb, uint8_t *out, uint32_t cbAvail, bj_key_segout *pso)
{
    JET_ERR err = JET_errSuccess;
    const bj_key_seg *s;
    const uint8_t *pb = pv;
    uint32_t cbKeyMost = bj_key_cb_key_most(idx);

    memset(pso, 0, sizeof(*pso));
    if (iseg >= idx->cseg || cbAvail == 0 || (!fNull && cb > 0 && pv == NULL))
        ERR(JET_errInvalidParameter);
    s = &idx->rgseg[iseg];

    if (cbKeyMost == JET_cbKeyMost && cb > JET_cbKeyMost)
        cb = JET_cbKeyMost; /* legacy indexes normalise at most 255 source bytes */

    if (fNull || cb == 0) {
        uint8_t bNull = idx->fSortNullsHigh ? BJ_KEY_PREFIX_NULL_HIGH : BJ_KEY_PREFIX_NULL;
        bool fVar = is_text(s->coltyp) || is_binary(s->coltyp);
        out[0] = (!fNull && fVar) ? BJ_KEY_PREFIX_ZERO_LENGTH : bNull;
        pso->cb = 1;
    } else if (is_text(s->coltyp)) {
        CALL(normalize_text(idx, s, pb, cb, cbAvail, out, pso));
    } else if (is_binary(s->coltyp)) {
        normalize_binary(pb, cb, s->fFixed, cbAvail, cbKeyMost, var_seg_mac(idx), out, pso);
    } else {
        uint32_t size = bj_rec_coltyp_width(s->coltyp);
        uint8_t tmp[17];
        if (size == 0)
            ERR(JET_errInvalidColumnType);
        if (cb != size)
            ERR(JET_errInvalidBufferSize);
        normalize_fixed(s->coltyp, idx->fDotNetGuid, pb, tmp);
        pso->cb = size + 1;
        if (pso->cb > cbAvail) {
            pso->cb = cbAvail;
            pso->fTruncated = true;
        }
        memcpy(out, tmp, pso->cb);
    }

    if (s->fDescending) {
        for (uint32_t i = 0; i < pso->cb; i++)
            out[i] = (uint8_t)~out[i];
    }
fail:
    return err;
}
