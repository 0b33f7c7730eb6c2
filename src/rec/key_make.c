/* key_make.c: building whole keys: JetMakeKey's search-key state machine (ESE fldnorm.cxx
 * ErrIsamMakeKey / ErrFLDNormalizeSegment and its limit helpers) and a record's index key
 * (ErrRECIIRetrieveKey's append loop).
 *
 * Invariants: kb->cb <= cbKeyMost + 1; only a limit (or a normalised key) makes a key longer
 * than cbKeyMost; once fLimit is set nothing more is appended (JET_errKeyIsMade); once fTooBig
 * is set later segments are counted but add no bytes. No locks: a builder belongs to one cursor.
 */
#include "rec/key.h"
#include "rec/rec.h"

#define CB_COLUMN_MOST 255 /* JET_cbColumnMost: longest fixed column */

static bool is_text(JET_COLTYP t)
{
    return t == JET_coltypText || t == JET_coltypLongText;
}

static bool is_binary(JET_COLTYP t)
{
    return t == JET_coltypBinary || t == JET_coltypLongBinary;
}

static void reset(bj_key_builder *kb)
{
    kb->cb = 0;
    kb->cseg = 0;
    kb->fPrepared = false;
    kb->fLimit = false;
    kb->fTooBig = false;
    kb->fAllNull = true;
    kb->fNullFirstSeg = false;
    kb->fNullSeg = false;
}

void bj_key_builder_init(bj_key_builder *kb, const bj_key_index *idx)
{
    kb->idx = idx;
    reset(kb);
}

/* Full-column limit (FLDISetFullColumnLimit): an end limit fills the rest of the key space and
 * the suffix byte with 0xff; a start limit leaves the segment as it is. */
static void limit_full(uint8_t *seg, uint32_t *pcb, uint32_t cbWithSuffix, bool fEnd)
{
    if (fEnd) {
        memset(seg + *pcb, BJ_KEY_SENTINEL, cbWithSuffix - *pcb);
        *pcb = cbWithSuffix;
    }
}

/* Partial-column limit on text (FLDISetPartialColumnLimitOnTextColumn): cut the segment where
 * the string ends, so longer strings with this prefix sort inside [start, end]. Single-byte
 * text drops its 0x00 terminator; sort keys are cut at the end of the primary weights (the first
 * 0x01 level separator, or the 0x00 terminator when ICU emits only one level); uppercase
 * UTF-16BE text drops its 00 00 terminator. */
static void limit_partial_text(const bj_key_index *idx, const bj_key_seg *s, uint8_t *seg,
                               uint32_t *pcb, uint32_t cbWithSuffix, bool fEnd)
{
    uint32_t cb = *pcb, ibT;
    uint32_t ibSuffix = cbWithSuffix - 1;
    uint8_t flip = s->fDescending ? 0xff : 0x00;

    if (cb < 2) {
        limit_full(seg, pcb, cbWithSuffix, fEnd);
        return;
    }
    if (s->cp == BJ_KEY_CP_UNICODE) {
        uint32_t flags = idx->dwLCMapFlags ? idx->dwLCMapFlags : BJ_KEY_LCMAP_DEFAULT;
        if (flags == BJ_LCMAP_UPPERCASE) {
            ibT = cb;
            if (cb >= 3 && (cb - 1) % 2 == 0 && seg[cb - 1] == flip && seg[cb - 2] == flip)
                ibT = cb - 2;
        } else {
            for (ibT = 1; ibT < cb && seg[ibT] != (0x01 ^ flip) && seg[ibT] != flip; ibT++)
                ;
        }
    } else {
        ibT = cb;
        if (seg[ibT - 1] == flip)
            ibT--;
    }
    ibT = BJ_MIN(ibT, ibSuffix);
    if (fEnd) {
        memset(seg + ibT, BJ_KEY_SENTINEL, ibSuffix - ibT + 1);
        *pcb = cbWithSuffix;
    } else {
        *pcb = ibT;
    }
}

/* Partial-column limit on variable binary (FLDITrySetPartialColumnLimitOnBinaryColumn): cut at
 * the end of the data (dropping padding and chunk count); an end limit puts 0xff from there to
 * one byte past the segment. Without a delimiter it is a full-column limit. */
static void limit_partial_binary(uint8_t *seg, uint32_t *pcb, uint32_t cbWithSuffix,
                                 uint32_t ibDelim, bool fEnd)
{
    if (ibDelim == 0) {
        limit_full(seg, pcb, cbWithSuffix, fEnd);
    } else if (fEnd) {
        *pcb += 1;
        memset(seg + ibDelim, BJ_KEY_SENTINEL, *pcb - ibDelim);
    } else {
        *pcb = ibDelim;
    }
}

/* Fixed text shorter than its column is padded with spaces (RECTextColumnPadding): 0x20 for
 * single-byte text, L' ' as 20 00 (by byte offset parity) for Unicode. */
static void pad_fixed_text(uint8_t *buf, uint32_t cbCol, uint32_t cbData, uint16_t cp)
{
    for (uint32_t i = cbData; i < cbCol; i++)
        buf[i] = (cp == BJ_KEY_CP_UNICODE && (i & 1)) ? 0x00 : 0x20;
}

JET_ERR bj_key_make(bj_key_builder *kb, const void *pv, uint32_t cb, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    const bj_key_index *idx = kb->idx;
    uint32_t most = bj_key_cb_key_most(idx);
    uint8_t padded[CB_COLUMN_MOST];
    const bj_key_seg *s;
    uint32_t iseg, cbSeg = 0;

    if (cb > 0 && pv == NULL)
        ERR(JET_errInvalidParameter);

    if (grbit & JET_bitNormalizedKey) {
        if (cb > most + 1 && cb > JET_cbKeyMost)
            ERR(JET_errInvalidParameter);
        cb = BJ_MIN(cb, most + 1);
        reset(kb);
        if (cb)
            memcpy(kb->rgb, pv, cb);
        kb->cb = cb;
        kb->cseg = 1;
        kb->fPrepared = true;
        kb->fLimit = cb > most;
        goto fail;
    }
    if (grbit & JET_bitNewKey)
        reset(kb);
    else if (kb->fLimit)
        ERR(JET_errKeyIsMade);
    else if (!kb->fPrepared)
        ERR(JET_errKeyNotMade);

    if (!kb->fPrepared && idx->fPlaceholder &&
        !(grbit & JET_bitKeyOverridePrimaryIndexPlaceholder)) {
        /* RECINormalisePlaceholder: the placeholder Bit segment holds "0" */
        bool fDesc = idx->cseg > 0 && idx->rgseg[0].fDescending;
        kb->rgb[0] = fDesc ? (uint8_t)~BJ_KEY_PREFIX_DATA : BJ_KEY_PREFIX_DATA;
        kb->rgb[1] = fDesc ? 0xff : 0x00;
        kb->cb = 2;
        kb->cseg = 1;
    }

    iseg = kb->cseg;
    if (iseg >= idx->cseg)
        ERR(JET_errKeyIsMade);
    s = &idx->rgseg[iseg];

    if (s->fFixed) {
        uint32_t cbCol = s->cbFixed ? s->cbFixed : bj_rec_coltyp_width(s->coltyp);
        if (cb > 0 && cb != cbCol) {
            uint32_t cbData = most == JET_cbKeyMost ? BJ_MIN(cb, JET_cbKeyMost) : cb;
            if (s->coltyp == JET_coltypText && cb < cbCol && cbCol <= sizeof(padded)) {
                memcpy(padded, pv, cbData);
                pad_fixed_text(padded, cbCol, cbData, s->cp);
                pv = padded;
                cb = cbCol;
            } else {
                ERR(JET_errInvalidBufferSize);
            }
        }
    }

    switch (grbit & BJ_KEY_LIMIT_MASK) {
    case JET_bitPartialColumnStartLimit:
    case JET_bitPartialColumnEndLimit:
        if (!is_text(s->coltyp) && (s->fFixed || !is_binary(s->coltyp)))
            ERR(JET_errInvalidGrbit);
        break;
    case 0:
    case JET_bitFullColumnStartLimit:
    case JET_bitFullColumnEndLimit:
        break;
    default:
        ERR(JET_errInvalidGrbit);
    }

    if (!kb->fTooBig && kb->cb < most) {
        uint32_t cbAvail = most - kb->cb;
        uint8_t *seg = kb->rgb + kb->cb; /* room for cbAvail + 1 (the limit suffix byte) */
        bool fZeroLength = cb == 0 && (grbit & JET_bitKeyDataZeroLength);
        bj_key_segout so;

        if (fZeroLength && (s->fFixed || (!is_text(s->coltyp) && !is_binary(s->coltyp))))
            ERR(JET_errInvalidBufferSize);
        CALL(bj_key_normalize_segment(idx, iseg, cb == 0 && !fZeroLength, pv, cb, seg, cbAvail,
                                      &so));
        if (so.fTruncated)
            kb->fTooBig = true;
        cbSeg = so.cb;

        switch (grbit & BJ_KEY_LIMIT_MASK) {
        case JET_bitFullColumnStartLimit:
        case JET_bitFullColumnEndLimit:
            limit_full(seg, &cbSeg, cbAvail + 1, (grbit & JET_bitFullColumnEndLimit) != 0);
            kb->fLimit = true;
            break;
        case JET_bitPartialColumnStartLimit:
        case JET_bitPartialColumnEndLimit: {
            bool fEnd = (grbit & JET_bitPartialColumnEndLimit) != 0;
            if (is_text(s->coltyp))
                limit_partial_text(idx, s, seg, &cbSeg, cbAvail + 1, fEnd);
            else
                limit_partial_binary(seg, &cbSeg, cbAvail + 1, so.ibDelim, fEnd);
            kb->fLimit = true;
            break;
        }
        default:
            if ((grbit & JET_bitSubStrLimit) && is_text(s->coltyp)) {
                limit_partial_text(idx, s, seg, &cbSeg, cbAvail + 1, true);
                kb->fLimit = true;
            } else if (grbit & JET_bitStrLimit) {
                limit_partial_binary(seg, &cbSeg, cbAvail + 1, so.ibDelim, true);
                kb->fLimit = true;
            }
            break;
        }
    }

    kb->cseg++;
    if (kb->cb + cbSeg > most + 1)
        cbSeg = most + 1 - kb->cb;
    kb->cb += cbSeg;
    kb->fPrepared = true;
fail:
    return err;
}

void bj_key_record_begin(bj_key_builder *kb, const bj_key_index *idx)
{
    kb->idx = idx;
    reset(kb);
    kb->fPrepared = true;
}

JET_ERR bj_key_record_add(bj_key_builder *kb, bool fNull, const void *pv, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    const bj_key_index *idx = kb->idx;
    uint32_t most = bj_key_cb_key_most(idx);
    uint32_t iseg = kb->cseg;

    if (iseg >= idx->cseg)
        ERR(JET_errKeyIsMade);
    if (fNull) {
        if (iseg == 0)
            kb->fNullFirstSeg = true;
        kb->fNullSeg = true;
    } else {
        kb->fAllNull = false;
    }

    if (kb->cb >= most) { /* no key space left */
        kb->fTooBig = true;
        if (idx->fDisallowTruncation)
            ERR(JET_errKeyTruncated);
    } else if (!kb->fTooBig) {
        bj_key_segout so;
        CALL(bj_key_normalize_segment(idx, iseg, fNull, pv, cb, kb->rgb + kb->cb, most - kb->cb,
                                      &so));
        if (so.fTruncated) {
            kb->fTooBig = true;
            if (idx->fDisallowTruncation)
                ERR(JET_errKeyTruncated);
        }
        kb->cb += so.cb;
    }
    kb->cseg++;
fail:
    return err;
}
