/* rec_tagged.c: reading the tagged area of a record: the TAGFLD array, the TAGFLD_HEADER byte,
 * single values, two-values and multi-values, separated LIDs.
 *
 * Layout (ESE tagfld.hxx): TAGFLD[n] = (u16 fid, u16 ib); ib is relative to the start of the
 * array and masked with 0x1fff (small pages, flags 0x4000 header present, 0x2000 NULL) or
 * 0x7fff (large pages: the header byte is always present and NULL is header bit 0x20);
 * 0x8000 marks a template (derived) column. Entries are sorted: derived first, then by fid.
 * bj_rec_parse_tagged checks all of this once (the rules of ESE's TAGFIELDS::FValidate); the
 * other functions here then read without further checks.
 */
#include "rec/rec_int.h"

static uint16_t tagfld_ibmask(const bj_rec_layout *l)
{
    return l->large ? BJ_TAGFLD_IBMASK_LARGE : BJ_TAGFLD_IBMASK_SMALL;
}

static uint32_t tagfld_ib(const bj_rec_layout *l, uint32_t i)
{
    return bj_ld16(l->rec + l->ibTagged + BJ_TAGFLD_CB * i + BJ_TAGFLD_OFF_IB) & tagfld_ibmask(l);
}

void bj_rec_tagfld_get(const bj_rec_layout *l, uint32_t i, bj_rec_tagfld *t)
{
    const uint8_t *e = l->rec + l->ibTagged + BJ_TAGFLD_CB * i;
    const uint16_t raw = bj_ld16(e + BJ_TAGFLD_OFF_IB);
    memset(t, 0, sizeof(*t));
    t->fid = bj_ld16(e + BJ_TAGFLD_OFF_FID);
    t->fDerived = (raw & BJ_TAGFLD_DERIVED) != 0;
    t->ib = raw & tagfld_ibmask(l);
    t->cb = (i + 1 < l->cTagfld ? tagfld_ib(l, i + 1) : l->cbTagged) - t->ib;
    if (l->large) {
        t->fHeader = t->cb >= BJ_TAGHDR_CB;
        t->bHeader = t->fHeader ? l->rec[l->ibTagged + t->ib] : 0;
        t->fNull = (t->bHeader & BJ_TAGHDR_NULL) != 0;
    } else {
        t->fHeader = (raw & BJ_TAGFLD_EXTINFO_SMALL) != 0 && t->cb >= BJ_TAGHDR_CB;
        t->bHeader = t->fHeader ? l->rec[l->ibTagged + t->ib] : 0;
        t->fNull = (raw & BJ_TAGFLD_NULL_SMALL) != 0;
    }
}

/* Checks a separated LID (4 or 8 bytes). */
static bool lid_ok(const uint8_t *pb, uint32_t cb)
{
    uint64_t lid;
    return bj_lv_lid_from_record(pb, cb, &lid) == JET_errSuccess;
}

static JET_ERR check_multivalues(const uint8_t *pb, uint32_t cb, uint8_t h)
{
    /* pb/cb: after the header byte */
    if (cb < 2 * BJ_MV_CB_OFFSET)
        return BJ_ERR(JET_errDatabaseCorrupted);
    const uint32_t ib0 = bj_ld16(pb) & BJ_MV_IBMASK;
    if (ib0 < 2 * BJ_MV_CB_OFFSET || ib0 > cb || ib0 % BJ_MV_CB_OFFSET != 0)
        return BJ_ERR(JET_errDatabaseCorrupted);
    const uint32_t n = ib0 / BJ_MV_CB_OFFSET;
    for (uint32_t i = 0; i < n; i++) {
        const uint16_t raw = bj_ld16(pb + BJ_MV_CB_OFFSET * i);
        const uint32_t ib = raw & BJ_MV_IBMASK;
        const uint32_t ibNext =
            i + 1 < n ? (bj_ld16(pb + BJ_MV_CB_OFFSET * (i + 1)) & BJ_MV_IBMASK) : cb;
        if (ib < ib0 || ib > ibNext || ibNext > cb) /* next offset too: it bounds this value */
            return BJ_ERR(JET_errDatabaseCorrupted);
        if (!(h & BJ_TAGHDR_LONGVALUE) && ibNext - ib > JET_cbColumnMost)
            return BJ_ERR(JET_errDatabaseCorrupted);
        if (raw & BJ_MV_SEPARATED) {
            if (!(h & BJ_TAGHDR_LONGVALUE) || !lid_ok(pb + ib, ibNext - ib))
                return BJ_ERR(JET_errDatabaseCorrupted);
        }
    }
    return JET_errSuccess;
}

static JET_ERR check_tagfld(const bj_rec_layout *l, uint32_t i)
{
    const uint16_t raw = bj_ld16(l->rec + l->ibTagged + BJ_TAGFLD_CB * i + BJ_TAGFLD_OFF_IB);
    bj_rec_tagfld t;
    bj_rec_tagfld_get(l, i, &t);
    if (!l->large) {
        if ((raw & BJ_TAGFLD_EXTINFO_SMALL) && (raw & BJ_TAGFLD_NULL_SMALL))
            return BJ_ERR(JET_errDatabaseCorrupted);
        if ((raw & BJ_TAGFLD_EXTINFO_SMALL) && t.cb < BJ_TAGHDR_CB)
            return BJ_ERR(JET_errDatabaseCorrupted);
        if (t.fNull && t.cb != 0)
            return BJ_ERR(JET_errDatabaseCorrupted);
    } else {
        if (t.cb < BJ_TAGHDR_CB)
            return BJ_ERR(JET_errDatabaseCorrupted);
        if (t.fNull && t.cb != BJ_TAGHDR_CB)
            return BJ_ERR(JET_errDatabaseCorrupted);
    }
    if (!t.fHeader) {
        if (t.cb > JET_cbColumnMost)
            return BJ_ERR(JET_errDatabaseCorrupted);
        return JET_errSuccess;
    }
    const uint8_t h = t.bHeader;
    const uint8_t *pb = l->rec + l->ibTagged + t.ib + BJ_TAGHDR_CB;
    const uint32_t cb = t.cb - BJ_TAGHDR_CB;
    if (h & ~BJ_TAGHDR_MASK)
        return BJ_ERR(JET_errDatabaseCorrupted);
    if (!l->large && !(h & (BJ_TAGHDR_LONGVALUE | BJ_TAGHDR_MULTIVALUES)))
        return BJ_ERR(JET_errDatabaseCorrupted);
    if (t.fNull)
        return JET_errSuccess;
    if (h & BJ_TAGHDR_TWOVALUES) {
        if (!(h & BJ_TAGHDR_MULTIVALUES) || (h & (BJ_TAGHDR_LONGVALUE | BJ_TAGHDR_SEPARATED)))
            return BJ_ERR(JET_errDatabaseCorrupted);
        if (cb < BJ_TV_CB_LENGTH || cb > BJ_TV_CB_LENGTH + 2 * JET_cbColumnMost)
            return BJ_ERR(JET_errDatabaseCorrupted);
        const uint32_t cb1 = pb[0];
        if (cb1 > cb - BJ_TV_CB_LENGTH || cb - BJ_TV_CB_LENGTH - cb1 > JET_cbColumnMost)
            return BJ_ERR(JET_errDatabaseCorrupted);
        return JET_errSuccess;
    }
    if (h & BJ_TAGHDR_MULTIVALUES) {
        if (h & BJ_TAGHDR_SEPARATED)
            return BJ_ERR(JET_errDatabaseCorrupted);
        return check_multivalues(pb, cb, h);
    }
    if (h & BJ_TAGHDR_SEPARATED) {
        if (!(h & BJ_TAGHDR_LONGVALUE) || !lid_ok(pb, cb))
            return BJ_ERR(JET_errDatabaseCorrupted);
    }
    /* a value of a column that is not a long value holds at most JET_cbColumnMost bytes, as the
     * forms without header and multi-values above already require */
    if (!(h & BJ_TAGHDR_LONGVALUE) && cb > JET_cbColumnMost)
        return BJ_ERR(JET_errDatabaseCorrupted);
    return JET_errSuccess;
}

JET_ERR bj_rec_parse_tagged(bj_rec_layout *l)
{
    JET_ERR err = JET_errSuccess;
    l->cTagfld = 0;
    if (l->cbTagged == 0)
        return JET_errSuccess;
    if (l->cbTagged < BJ_TAGFLD_CB)
        ERR(JET_errDatabaseCorrupted);
    /* the first TAGFLD's offset is the size of the array */
    const uint32_t ib0 = bj_ld16(l->rec + l->ibTagged + BJ_TAGFLD_OFF_IB) & tagfld_ibmask(l);
    if (ib0 < BJ_TAGFLD_CB || ib0 > l->cbTagged || ib0 % BJ_TAGFLD_CB != 0)
        ERR(JET_errDatabaseCorrupted);
    l->cTagfld = ib0 / BJ_TAGFLD_CB;
    uint16_t fidPrev = 0;
    bool fDerivedPrev = true;
    for (uint32_t i = 0; i < l->cTagfld; i++) {
        const uint8_t *e = l->rec + l->ibTagged + BJ_TAGFLD_CB * i;
        const uint16_t fid = bj_ld16(e + BJ_TAGFLD_OFF_FID);
        const bool fDerived = (bj_ld16(e + BJ_TAGFLD_OFF_IB) & BJ_TAGFLD_DERIVED) != 0;
        if (fid < BJ_REC_FID_TAGGED_FIRST)
            ERR(JET_errDatabaseCorrupted);
        if (i > 0 && bj_rec_tagfld_cmp(fidPrev, fDerivedPrev, fid, fDerived) >= 0)
            ERR(JET_errDatabaseCorrupted);
        const uint32_t ib = tagfld_ib(l, i);
        const uint32_t ibNext = i + 1 < l->cTagfld ? tagfld_ib(l, i + 1) : l->cbTagged;
        if (ib < ib0 || ib > ibNext || ibNext > l->cbTagged)
            ERR(JET_errDatabaseCorrupted);
        fidPrev = fid;
        fDerivedPrev = fDerived;
    }
    for (uint32_t i = 0; i < l->cTagfld; i++)
        CALL(check_tagfld(l, i));
fail:
    if (err < 0)
        l->cTagfld = 0;
    return err;
}

uint32_t bj_rec_tagfld_find(const bj_rec_layout *l, uint16_t fid, bool fDerived, bool *pfFound)
{
    uint32_t lo = 0, hi = l->cTagfld;
    *pfFound = false;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        const uint8_t *e = l->rec + l->ibTagged + BJ_TAGFLD_CB * mid;
        int c = bj_rec_tagfld_cmp(bj_ld16(e + BJ_TAGFLD_OFF_FID),
                                  (bj_ld16(e + BJ_TAGFLD_OFF_IB) & BJ_TAGFLD_DERIVED) != 0, fid,
                                  fDerived);
        if (c == 0) {
            *pfFound = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t bj_rec_tagfld_cvalues(const bj_rec_layout *l, const bj_rec_tagfld *t)
{
    if (t->fNull)
        return 0;
    if (t->fHeader && (t->bHeader & BJ_TAGHDR_MULTIVALUES)) {
        if (t->bHeader & BJ_TAGHDR_TWOVALUES)
            return 2;
        return (bj_ld16(l->rec + l->ibTagged + t->ib + BJ_TAGHDR_CB) & BJ_MV_IBMASK) /
               BJ_MV_CB_OFFSET;
    }
    return 1;
}

static void set_value(bj_rec_value *out, const uint8_t *pb, uint32_t cb, bool fLong, bool fSep,
                      bool fCompressed, bool fEncrypted)
{
    out->pb = pb;
    out->cb = cb;
    out->flags = (fLong ? BJ_RECVAL_LONG : 0) | (fSep ? BJ_RECVAL_SEPARATED : 0) |
                 (fCompressed ? BJ_RECVAL_COMPRESSED : 0) | (fEncrypted ? BJ_RECVAL_ENCRYPTED : 0);
    out->lid = 0;
    if (fSep)
        (void)bj_lv_lid_from_record(pb, cb, &out->lid); /* validated by the parse */
}

JET_ERR bj_rec_tagfld_value(const bj_rec_layout *l, const bj_rec_tagfld *t, uint32_t itag,
                            bj_rec_value *out)
{
    memset(out, 0, sizeof(*out));
    if (t->fNull || itag == 0)
        return JET_wrnColumnNull;
    const uint8_t *pb = l->rec + l->ibTagged + t->ib;
    if (!t->fHeader) {
        if (itag != 1)
            return JET_wrnColumnNull;
        set_value(out, pb, t->cb, false, false, false, false);
        return JET_errSuccess;
    }
    const uint8_t h = t->bHeader;
    const bool fLong = (h & BJ_TAGHDR_LONGVALUE) != 0;
    pb += BJ_TAGHDR_CB;
    const uint32_t cb = t->cb - BJ_TAGHDR_CB;
    if (h & BJ_TAGHDR_TWOVALUES) {
        const uint32_t cb1 = pb[0];
        if (itag == 1)
            set_value(out, pb + BJ_TV_CB_LENGTH, cb1, false, false, false, false);
        else if (itag == 2)
            set_value(out, pb + BJ_TV_CB_LENGTH + cb1, cb - BJ_TV_CB_LENGTH - cb1, false, false,
                      false, false);
        else
            return JET_wrnColumnNull;
        return JET_errSuccess;
    }
    if (h & BJ_TAGHDR_MULTIVALUES) {
        const uint32_t n = (bj_ld16(pb) & BJ_MV_IBMASK) / BJ_MV_CB_OFFSET;
        if (itag > n)
            return JET_wrnColumnNull;
        const uint16_t raw = bj_ld16(pb + BJ_MV_CB_OFFSET * (itag - 1));
        const uint32_t ib = raw & BJ_MV_IBMASK;
        const uint32_t ibNext =
            itag < n ? (bj_ld16(pb + BJ_MV_CB_OFFSET * itag) & BJ_MV_IBMASK) : cb;
        /* only the first instance can be compressed */
        set_value(out, pb + ib, ibNext - ib, fLong, (raw & BJ_MV_SEPARATED) != 0,
                  itag == 1 && (h & BJ_TAGHDR_COMPRESSED), (h & BJ_TAGHDR_ENCRYPTED) != 0);
        return JET_errSuccess;
    }
    if (itag != 1)
        return JET_wrnColumnNull;
    set_value(out, pb, cb, fLong, (h & BJ_TAGHDR_SEPARATED) != 0, (h & BJ_TAGHDR_COMPRESSED) != 0,
              (h & BJ_TAGHDR_ENCRYPTED) != 0);
    return JET_errSuccess;
}
