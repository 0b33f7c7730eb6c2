/* rec_update.c: building a record from an old one plus one set-column operation (fixed,
 * variable, tagged and multi-valued columns), and the insert record with burst defaults.
 *
 * Rules follow ESE's fldmod.cxx (ErrRECISetIFixedColumn, ErrRECISetVarColumn) and tagfld.cxx
 * (TAGFIELDS::ErrSetColumn): fidFixedLastInRec / fidVarLastInRec only grow, to the column being
 * set (setting NULL does not shrink them); columns added in between take their default value
 * (burst) or NULL; new fixed space is filled with '*', new bitmap bytes with 1s; NULL variable
 * columns keep the previous end offset with 0x8000. Tagged: TAGFLDs stay sorted (derived first,
 * then by fid); a second value of a small-page non-LV column becomes TWOVALUES, otherwise
 * MULTIVALUES; deleting down to one value returns to the single-value form.
 * Invariant: the old record is validated before use and the output is never larger than
 * bj_rec_cb_record_most for the schema (JET_errRecordTooBig).
 */
#include <stdlib.h>

#include "rec/rec_int.h"

#define W_CAP 0x10000u

typedef struct wbuf {
    uint8_t *p;
    uint32_t cb;
    bool overflow;
} wbuf;

static void w_put(wbuf *w, const void *pv, uint32_t cb)
{
    if (w->overflow || cb > W_CAP - w->cb) {
        w->overflow = true;
        return;
    }
    if (cb)
        memcpy(w->p + w->cb, pv, cb);
    w->cb += cb;
}
static void w_fill(wbuf *w, uint8_t b, uint32_t cb)
{
    if (w->overflow || cb > W_CAP - w->cb) {
        w->overflow = true;
        return;
    }
    memset(w->p + w->cb, b, cb);
    w->cb += cb;
}
static void w_u16(wbuf *w, uint16_t v)
{
    uint8_t b[2];
    bj_st16(b, v);
    w_put(w, b, 2);
}

static const uint8_t k_rec_empty[BJ_REC_CB_HEADER] = {BJ_REC_FID_FIXED_NONE, BJ_REC_FID_VAR_NONE,
                                                      BJ_REC_CB_HEADER, 0};

/* Writes value bytes of a fixed column of width cbWidth (padding Text/Binary as ESE does). */
static void put_fixed_value(uint8_t *dst, const bj_rec_column *c, const uint8_t *pv, uint32_t cb)
{
    const uint32_t width = c->cbFixed;
    if (c->coltyp == JET_coltypBit) {
        dst[0] = pv[0] ? 0xff : 0x00;
        return;
    }
    memcpy(dst, pv, cb);
    for (uint32_t i = cb; i < width; i++) {
        if (c->coltyp == JET_coltypText)
            dst[i] =
                c->cp == BJ_REC_CP_UNICODE ? (i % 2 == 0 ? BJ_REC_TEXT_PAD : 0) : BJ_REC_TEXT_PAD;
        else
            dst[i] = 0;
    }
}

/* ---------------------------------------------------------------- fixed */

static JET_ERR set_fixed(const bj_rec_schema *s, const bj_rec_layout *l, const bj_rec_column *c,
                         const uint8_t *pv, uint32_t cb, bool fNull, wbuf *w)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t fid = bj_rec_fid(c->columnid);

    if (cb == 0)
        fNull = true; /* zero-length fixed = NULL */
    if (!fNull && cb != c->cbFixed) {
        if (bj_rec_coltyp_width(c->coltyp) || cb > c->cbFixed)
            ERR(JET_errInvalidBufferSize);
    }
    const uint32_t oldLast = l->fidFixedLast;
    const uint32_t newLast = BJ_MAX(oldLast, fid);
    const uint32_t ibFixEnd = newLast <= s->fidFixedLast ? s->ibEndFixed[newLast] : l->ibBitmap;
    const uint32_t cbOldBitmap = (oldLast + 7) / 8, cbNewBitmap = (newLast + 7) / 8;

    /* header, then fixed values */
    w_put(w, l->rec, BJ_REC_CB_HEADER);
    w_put(w, l->rec + BJ_REC_CB_HEADER, l->ibBitmap - BJ_REC_CB_HEADER);
    w_fill(w, BJ_REC_FILL, ibFixEnd - l->ibBitmap);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    /* bitmap: old bytes, new bytes all NULL */
    const uint32_t ibBitmap = w->cb;
    w_put(w, l->rec + l->ibBitmap, cbOldBitmap);
    w_fill(w, 0xff, cbNewBitmap - cbOldBitmap);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    uint8_t *bm = w->p + ibBitmap;
    for (uint32_t f = oldLast + 1; f <= newLast; f++) {
        const bj_rec_column *cf = s->fixed[f];
        bm[(f - 1) / 8] |= (uint8_t)(1u << ((f - 1) % 8));
        if (cf && cf->pvDefault && f != fid) { /* burst the default of a column in between */
            put_fixed_value(w->p + cf->ibRecordOffset, cf, cf->pvDefault,
                            BJ_MIN(cf->cbDefault, cf->cbFixed));
            bm[(f - 1) / 8] &= (uint8_t) ~(1u << ((f - 1) % 8));
        }
    }
    if (fNull) {
        bm[(fid - 1) / 8] |= (uint8_t)(1u << ((fid - 1) % 8));
    } else {
        put_fixed_value(w->p + c->ibRecordOffset, c, pv, cb);
        bm[(fid - 1) / 8] &= (uint8_t) ~(1u << ((fid - 1) % 8));
    }
    /* the rest (var offsets, var data, tagged) unchanged */
    w_put(w, l->rec + l->ibEndFixed, l->cb - l->ibEndFixed);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    w->p[BJ_REC_OFF_FIDFIXEDLAST] = (uint8_t)newLast;
    bj_st16(w->p + BJ_REC_OFF_IBENDFIXED, (uint16_t)(ibBitmap + cbNewBitmap));
fail:
    return err;
}

/* ---------------------------------------------------------------- variable */

static JET_ERR set_var(const bj_rec_schema *s, const bj_rec_layout *l, const bj_rec_column *c,
                       const uint8_t *pv, uint32_t cb, bool fNull, wbuf *w)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t fid = bj_rec_fid(c->columnid);
    const uint32_t cbMax = c->cbMax ? c->cbMax : JET_cbColumnMost;
    JET_ERR wrn = JET_errSuccess;

    if (fNull)
        cb = 0;
    else if (cb > cbMax) {
        cb = cbMax;
        wrn = JET_wrnColumnMaxTruncated;
    }
    const uint32_t oldLast = l->fidVarLast, newLast = BJ_MAX(oldLast, fid);
    const uint32_t cNew = newLast - BJ_REC_FID_VAR_NONE;

    w_put(w, l->rec, l->ibEndFixed); /* header + fixed part unchanged */
    const uint32_t ibOffs = w->cb;
    w_fill(w, 0, BJ_REC_CB_VAROFFSET * cNew);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    uint32_t ibEnd = 0;
    for (uint32_t f = BJ_REC_FID_VAR_FIRST; f <= newLast; f++) {
        const uint32_t i = f - BJ_REC_FID_VAR_FIRST;
        const uint8_t *pb = NULL;
        uint32_t cbv = 0;
        bool fNullF = false;
        if (f == fid) {
            pb = pv;
            cbv = cb;
            fNullF = fNull;
        } else if (f <= oldLast) {
            const uint16_t raw = bj_ld16(l->rec + l->ibEndFixed + BJ_REC_CB_VAROFFSET * i);
            const uint32_t ibS =
                i == 0 ? 0
                       : (bj_ld16(l->rec + l->ibEndFixed + BJ_REC_CB_VAROFFSET * (i - 1)) &
                          BJ_REC_VAR_IBMASK);
            pb = l->rec + l->ibVarData + ibS;
            cbv = (raw & BJ_REC_VAR_IBMASK) - ibS;
            fNullF = (raw & BJ_REC_VAR_NULL) != 0;
        } else {
            const bj_rec_column *cf = s->var[i];
            if (cf && cf->pvDefault && f < fid) {
                pb = cf->pvDefault;
                cbv = BJ_MIN(cf->cbDefault, cf->cbMax ? cf->cbMax : JET_cbColumnMost);
            } else {
                fNullF = true;
            }
        }
        if (fNullF)
            cbv = 0;
        w_put(w, pb, cbv);
        ibEnd += cbv;
        if (w->overflow || ibEnd > BJ_REC_VAR_IBMASK)
            ERR(JET_errRecordTooBig);
        bj_st16(w->p + ibOffs + BJ_REC_CB_VAROFFSET * i,
                (uint16_t)(ibEnd | (fNullF ? BJ_REC_VAR_NULL : 0)));
    }
    w_put(w, l->rec + l->ibTagged, l->cbTagged);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    w->p[BJ_REC_OFF_FIDVARLAST] = (uint8_t)newLast;
    err = wrn;
fail:
    return err;
}

/* ---------------------------------------------------------------- tagged */

typedef struct mvval {
    const uint8_t *pb;
    uint32_t cb;
    bool fSep;
} mvval;

typedef struct tagent {
    uint16_t fid;
    bool fDerived;
    bool fNullSmall; /* small-page NULL flag */
    bool fExt;       /* small-page header flag */
    const uint8_t *pb;
    uint32_t cb;
} tagent;

/* Encodes the values of one column into scratch; sets *pfExt (small pages). */
static void encode_column(bool large, bool fLV, mvval *v, uint32_t n, bool fCompressedFirst,
                          bool fWasMulti, bool fWasTwo, wbuf *o, bool *pfExt)
{
    *pfExt = false;
    if (n == 1) {
        if (large || fLV) {
            uint8_t h =
                (uint8_t)((fLV ? BJ_TAGHDR_LONGVALUE : 0) | (v[0].fSep ? BJ_TAGHDR_SEPARATED : 0) |
                          (fCompressedFirst && !v[0].fSep ? BJ_TAGHDR_COMPRESSED : 0));
            w_put(o, &h, 1);
            *pfExt = true;
        }
        w_put(o, v[0].pb, v[0].cb);
        return;
    }
    *pfExt = true;
    /* TWOVALUES: small pages, non-LV, two values, unless the column already was MULTIVALUES */
    if (!large && !fLV && n == 2 && (fWasTwo || !fWasMulti)) {
        uint8_t h = BJ_TAGHDR_MULTIVALUES | BJ_TAGHDR_TWOVALUES;
        uint8_t cb1 = (uint8_t)v[0].cb;
        w_put(o, &h, 1);
        w_put(o, &cb1, 1);
        w_put(o, v[0].pb, v[0].cb);
        w_put(o, v[1].pb, v[1].cb);
        return;
    }
    uint8_t h = (uint8_t)(BJ_TAGHDR_MULTIVALUES | (fLV ? BJ_TAGHDR_LONGVALUE : 0) |
                          (fCompressedFirst && !v[0].fSep ? BJ_TAGHDR_COMPRESSED : 0));
    w_put(o, &h, 1);
    uint32_t ib = BJ_MV_CB_OFFSET * n;
    for (uint32_t i = 0; i < n; i++) {
        w_u16(o, (uint16_t)((ib & BJ_MV_IBMASK) | (v[i].fSep ? BJ_MV_SEPARATED : 0)));
        ib += v[i].cb;
    }
    if (ib > BJ_MV_IBMASK)
        o->overflow = true;
    for (uint32_t i = 0; i < n; i++)
        w_put(o, v[i].pb, v[i].cb);
}

static JET_ERR check_tagged_value(const bj_rec_column *c, const uint8_t *pv, uint32_t cb,
                                  uint32_t opts)
{
    const bool fLV = bj_rec_coltyp_is_lv(c->coltyp);
    if (!fLV && (opts & (BJ_RECSET_SEPARATED | BJ_RECSET_COMPRESSED)))
        return BJ_ERR(JET_errInvalidParameter);
    if (opts & BJ_RECSET_SEPARATED) {
        uint64_t lid;
        if (bj_lv_lid_from_record(pv, cb, &lid) < 0)
            return BJ_ERR(JET_errInvalidParameter);
        return JET_errSuccess;
    }
    if (c->cbMax > 0 && cb > c->cbMax && !(opts & BJ_RECSET_COMPRESSED))
        return BJ_ERR(JET_errColumnTooBig);
    if (!fLV && cb > JET_cbColumnMost)
        return BJ_ERR(JET_errColumnTooBig);
    const uint32_t width = bj_rec_coltyp_width(c->coltyp);
    if (cb > 0 && width && cb != width)
        return BJ_ERR(JET_errInvalidBufferSize);
    return JET_errSuccess;
}

static JET_ERR set_tagged(const bj_rec_schema *s, const bj_rec_layout *l, const bj_rec_column *c,
                          uint32_t itag, const uint8_t *pv, uint32_t cb, bool fNull,
                          JET_GRBIT grbit, uint32_t opts, wbuf *w)
{
    JET_ERR err = JET_errSuccess;
    const bool large = l->large, fLV = bj_rec_coltyp_is_lv(c->coltyp);
    const uint16_t fid = bj_rec_fid(c->columnid);
    const bool fNullOverride = large || s->fWriteNullOverride;
    tagent *ents = NULL;
    mvval *vals = NULL;
    uint8_t *scratch = NULL;
    wbuf o = {0};

    if (!fNull)
        CALL(check_tagged_value(c, pv, cb, opts));
    ents = malloc((l->cTagfld + 1) * sizeof(*ents));
    vals = malloc((l->cb / 2 + 2) * sizeof(*vals));
    scratch = malloc(W_CAP);
    if (!ents || !vals || !scratch)
        ERR(JET_errOutOfMemory);
    o.p = scratch;

    bool fFound;
    const uint32_t ifind = bj_rec_tagfld_find(l, fid, c->fDerived, &fFound);
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->cTagfld; i++) {
        bj_rec_tagfld t;
        bj_rec_tagfld_get(l, i, &t);
        const uint16_t raw = bj_ld16(l->rec + l->ibTagged + BJ_TAGFLD_CB * i + BJ_TAGFLD_OFF_IB);
        ents[n].fid = t.fid;
        ents[n].fDerived = t.fDerived;
        ents[n].fNullSmall = !large && (raw & BJ_TAGFLD_NULL_SMALL);
        ents[n].fExt = !large && (raw & BJ_TAGFLD_EXTINFO_SMALL);
        ents[n].pb = l->rec + l->ibTagged + t.ib;
        ents[n].cb = t.cb;
        n++;
    }

    /* the column's current values */
    uint32_t cv = 0;
    bool fEntryNull = false, fWasMulti = false, fWasTwo = false, fCompFirst = false;
    if (fFound) {
        bj_rec_tagfld t;
        bj_rec_tagfld_get(l, ifind, &t);
        fEntryNull = t.fNull;
        fWasMulti = t.fHeader && (t.bHeader & BJ_TAGHDR_MULTIVALUES);
        fWasTwo = fWasMulti && (t.bHeader & BJ_TAGHDR_TWOVALUES);
        fCompFirst = t.fHeader && (t.bHeader & BJ_TAGHDR_COMPRESSED);
        cv = bj_rec_tagfld_cvalues(l, &t);
        for (uint32_t k = 0; k < cv; k++) {
            bj_rec_value v;
            (void)bj_rec_tagfld_value(l, &t, k + 1, &v);
            vals[k].pb = v.pb;
            vals[k].cb = v.cb;
            vals[k].fSep = (v.flags & BJ_RECVAL_SEPARATED) != 0;
        }
    }

    enum { KEEP, REMOVE, NULLENTRY, VALUES } action = KEEP;
    if (!fNull) {
        if ((grbit & JET_bitSetUniqueMultiValues) && !(opts & BJ_RECSET_SEPARATED)) {
            for (uint32_t k = 0; k < cv; k++) {
                if (k + 1 != itag && !vals[k].fSep && vals[k].cb == cb &&
                    (cb == 0 || memcmp(vals[k].pb, pv, cb) == 0))
                    ERR(JET_errMultiValuedDuplicate);
            }
        }
        const mvval nv = {pv, cb, (opts & BJ_RECSET_SEPARATED) != 0};
        const bool fComp = (opts & BJ_RECSET_COMPRESSED) != 0;
        if (!fFound || fEntryNull || cv == 0) {
            vals[0] = nv;
            cv = 1;
            fCompFirst = fComp;
            fWasMulti = fWasTwo = false;
        } else if (itag >= 1 && itag <= cv && (fWasMulti || itag == 1)) {
            if (fComp && itag != 1)
                ERR(JET_errInvalidParameter);
            vals[itag - 1] = nv;
            if (itag == 1)
                fCompFirst = fComp;
        } else {
            if (fComp)
                ERR(JET_errInvalidParameter);
            vals[cv++] = nv;
        }
        action = VALUES;
    } else if (!fFound) {
        if (c->pvDefault && itag == 1 && !(grbit & JET_bitSetRevertToDefaultValue) && fNullOverride)
            action = NULLENTRY;
    } else if (!fEntryNull) {
        if (fWasMulti) {
            if (itag >= 1 && itag <= cv) {
                memmove(vals + itag - 1, vals + itag, (cv - itag) * sizeof(*vals));
                cv--;
                if (itag == 1)
                    fCompFirst = false;
                action = VALUES;
            }
        } else if (itag == 1) {
            if (c->pvDefault && !(grbit & JET_bitSetRevertToDefaultValue) && fNullOverride)
                action = NULLENTRY;
            else
                action = REMOVE;
        }
    } else if (grbit & JET_bitSetRevertToDefaultValue) {
        action = REMOVE;
    }

    tagent ne = {fid, c->fDerived, false, false, NULL, 0};
    if (action == VALUES) {
        bool fExt;
        encode_column(large, fLV, vals, cv, fCompFirst, fWasMulti, fWasTwo, &o, &fExt);
        if (o.overflow)
            ERR(JET_errRecordTooBig);
        ne.fExt = !large && fExt;
        ne.pb = scratch;
        ne.cb = o.cb;
    } else if (action == NULLENTRY) {
        if (large) {
            scratch[0] = (uint8_t)(BJ_TAGHDR_NULL | (fLV ? BJ_TAGHDR_LONGVALUE : 0));
            ne.pb = scratch;
            ne.cb = 1;
        } else {
            ne.fNullSmall = true;
        }
    }
    if (action == VALUES || action == NULLENTRY) {
        if (fFound) {
            ents[ifind] = ne;
        } else {
            memmove(ents + ifind + 1, ents + ifind, (n - ifind) * sizeof(*ents));
            ents[ifind] = ne;
            n++;
        }
    } else if (action == REMOVE) {
        memmove(ents + ifind, ents + ifind + 1, (n - ifind - 1) * sizeof(*ents));
        n--;
    }

    /* write: everything before the tagged area, then the TAGFLD array and the values */
    w_put(w, l->rec, l->ibTagged);
    const uint32_t ibArr = w->cb;
    w_fill(w, 0, BJ_TAGFLD_CB * n);
    if (w->overflow)
        ERR(JET_errRecordTooBig);
    const uint32_t ibMask = large ? BJ_TAGFLD_IBMASK_LARGE : BJ_TAGFLD_IBMASK_SMALL;
    uint32_t ib = BJ_TAGFLD_CB * n;
    for (uint32_t i = 0; i < n; i++) {
        if (ib > ibMask)
            ERR(JET_errRecordTooBig);
        uint16_t raw = (uint16_t)ib;
        if (ents[i].fDerived)
            raw |= BJ_TAGFLD_DERIVED;
        if (ents[i].fExt)
            raw |= BJ_TAGFLD_EXTINFO_SMALL;
        if (ents[i].fNullSmall)
            raw |= BJ_TAGFLD_NULL_SMALL;
        bj_st16(w->p + ibArr + BJ_TAGFLD_CB * i + BJ_TAGFLD_OFF_FID, ents[i].fid);
        bj_st16(w->p + ibArr + BJ_TAGFLD_CB * i + BJ_TAGFLD_OFF_IB, raw);
        w_put(w, ents[i].pb, ents[i].cb);
        ib += ents[i].cb;
    }
    if (w->overflow)
        ERR(JET_errRecordTooBig);
fail:
    free(ents);
    free(vals);
    free(scratch);
    return err;
}

/* ---------------------------------------------------------------- entry points */

JET_ERR bj_rec_set(const bj_rec_schema *s, const void *rec, size_t cbRec, JET_COLUMNID columnid,
                   uint32_t itagSequence, const void *pv, uint32_t cb, JET_GRBIT grbit,
                   uint32_t opts, void *out, size_t cbOutMax, size_t *pcbOut)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_layout l;
    wbuf w = {0};
    const bj_rec_column *c = bj_rec_schema_column(s, columnid);

    *pcbOut = 0;
    if (!s->fFinished)
        ERR(JET_errInvalidParameter);
    if (!c)
        ERR(JET_errColumnNotFound);
    if (cbRec == 0) {
        rec = k_rec_empty;
        cbRec = sizeof(k_rec_empty);
    }
    CALL(bj_rec_parse(s, rec, cbRec, &l));
    const bool fNull = pv == NULL || (cb == 0 && !(grbit & JET_bitSetZeroLength));
    w.p = malloc(W_CAP);
    if (!w.p)
        ERR(JET_errOutOfMemory);
    const uint16_t fid = bj_rec_fid(c->columnid);
    if (fid <= BJ_REC_FID_FIXED_LAST)
        CALL(set_fixed(s, &l, c, pv, cb, fNull, &w));
    else if (fid <= BJ_REC_FID_VAR_LAST)
        CALL(set_var(s, &l, c, pv, cb, fNull, &w));
    else {
        /* ESE: a tagged column that is not multi-valued holds one value, so itagSequence 0
         * sets that value instead of adding a second one */
        if (itagSequence == 0 && !(c->grbit & JET_bitColumnMultiValued))
            itagSequence = 1;
        CALL(set_tagged(s, &l, c, itagSequence, pv, fNull ? 0 : cb, fNull, grbit, opts, &w));
    }
    const JET_ERR wrn = err;
    if (w.cb > bj_rec_cb_record_most(s->cbPage, s->cbKeyMost))
        ERR(JET_errRecordTooBig);
    if (w.cb > cbOutMax)
        ERR(JET_errBufferTooSmall);
    memcpy(out, w.p, w.cb);
    *pcbOut = w.cb;
    err = wrn;
fail:
    free(w.p);
    return err;
}

JET_ERR bj_rec_init_insert(const bj_rec_schema *s, void *out, size_t cbOutMax, size_t *pcbOut)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *a = NULL, *b = NULL;
    size_t cb = 0;

    *pcbOut = 0;
    a = malloc(W_CAP);
    b = malloc(W_CAP);
    if (!a || !b)
        ERR(JET_errOutOfMemory);
    memcpy(a, k_rec_empty, sizeof(k_rec_empty));
    cb = sizeof(k_rec_empty);
    for (uint32_t pass = 0; pass < 2; pass++) {
        const uint32_t n = pass == 0 ? BJ_ARRAY_LEN(s->fixed) : BJ_ARRAY_LEN(s->var);
        for (uint32_t i = 0; i < n; i++) {
            const bj_rec_column *c = pass == 0 ? s->fixed[i] : s->var[i];
            if (!c || !c->pvDefault)
                continue;
            uint32_t cbv = c->cbDefault;
            if (pass == 0)
                cbv = BJ_MIN(cbv, c->cbFixed);
            CALL(bj_rec_set(s, a, cb, c->columnid, 1, c->pvDefault, cbv, JET_bitSetZeroLength, 0, b,
                            W_CAP, &cb));
            uint8_t *t = a;
            a = b;
            b = t;
        }
    }
    if (cb > cbOutMax)
        ERR(JET_errBufferTooSmall);
    memcpy(out, a, cb);
    *pcbOut = cb;
    err = JET_errSuccess;
fail:
    free(a);
    free(b);
    return err;
}
