/* rec_decode.c: the record schema, record validation (header, fixed and variable parts) and
 * column retrieval with NULLs and defaults.
 *
 * Invariants: a record is validated in full by bj_rec_parse before any value is read from it;
 * every offset is checked against the record size. Default values apply only to columns the
 * record does not contain (fixed/variable fid beyond fid*LastInRec, tagged column absent), as
 * in ESE; an explicit NULL (bitmap bit, 0x8000 offset, NULL TAGFLD) stays NULL.
 */
#include <stdlib.h>

#include "rec/rec_int.h"

/* ---------------------------------------------------------------- column types */

uint32_t bj_rec_coltyp_width(JET_COLTYP coltyp)
{
    switch (coltyp) {
    case JET_coltypBit:
    case JET_coltypUnsignedByte:
        return 1;
    case JET_coltypShort:
    case JET_coltypUnsignedShort:
        return 2;
    case JET_coltypLong:
    case JET_coltypUnsignedLong:
    case JET_coltypIEEESingle:
        return 4;
    case JET_coltypCurrency:
    case JET_coltypIEEEDouble:
    case JET_coltypDateTime:
    case JET_coltypLongLong:
    case JET_coltypUnsignedLongLong:
        return 8;
    case JET_coltypGUID:
        return 16;
    default:
        return 0;
    }
}

bool bj_rec_coltyp_is_lv(JET_COLTYP coltyp)
{
    return coltyp == JET_coltypLongText || coltyp == JET_coltypLongBinary;
}

/* ---------------------------------------------------------------- schema */

JET_ERR bj_rec_schema_init(bj_rec_schema *s, uint32_t cbPage)
{
    memset(s, 0, sizeof(*s));
    if (cbPage < 2048 || cbPage > 32768 || (cbPage & (cbPage - 1)) != 0)
        return BJ_ERR(JET_errInvalidParameter);
    s->cbPage = cbPage;
    s->fidFixedLast = BJ_REC_FID_FIXED_NONE;
    s->fidVarLast = BJ_REC_FID_VAR_NONE;
    return JET_errSuccess;
}

JET_ERR bj_rec_schema_add(bj_rec_schema *s, const bj_rec_column *col)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_column *c = NULL;
    void *pvDefault = NULL;
    const uint32_t fid = bj_rec_fid(col->columnid);

    if (s->fFinished || fid == 0 || col->coltyp == JET_coltypNil || col->coltyp > 18)
        ERR(JET_errInvalidParameter);
    const bj_rec_column *dup = bj_rec_schema_column(s, col->columnid);
    if (dup && dup->columnid == col->columnid)
        ERR(JET_errInvalidParameter);
    if (dup && fid <= BJ_REC_FID_VAR_LAST)
        ERR(JET_errInvalidParameter); /* fixed/variable ids are one space */
    c = malloc(sizeof(*c));
    if (!c)
        ERR(JET_errOutOfMemory);
    *c = *col;
    if (col->pvDefault && col->cbDefault) {
        pvDefault = malloc(col->cbDefault);
        if (!pvDefault)
            ERR(JET_errOutOfMemory);
        memcpy(pvDefault, col->pvDefault, col->cbDefault);
        c->pvDefault = pvDefault;
    } else {
        c->pvDefault = NULL;
        c->cbDefault = 0;
    }
    if (fid <= BJ_REC_FID_FIXED_LAST) {
        if (bj_rec_coltyp_is_lv(col->coltyp))
            ERR(JET_errInvalidParameter);
        if (!c->cbFixed)
            c->cbFixed =
                (uint16_t)(bj_rec_coltyp_width(col->coltyp) ? bj_rec_coltyp_width(col->coltyp)
                                                            : col->cbMax);
        if (!c->cbFixed || c->cbFixed > JET_cbColumnMost)
            ERR(JET_errInvalidParameter);
        s->fixed[fid] = c;
        if (fid > s->fidFixedLast)
            s->fidFixedLast = (uint8_t)fid;
    } else if (fid <= BJ_REC_FID_VAR_LAST) {
        s->var[fid - BJ_REC_FID_VAR_FIRST] = c;
        if (fid > s->fidVarLast)
            s->fidVarLast = (uint8_t)fid;
    } else {
        if (s->ctagged == s->ctaggedAlloc) {
            uint32_t n = s->ctaggedAlloc ? 2 * s->ctaggedAlloc : 16;
            bj_rec_column **p = realloc(s->tagged, n * sizeof(*p));
            if (!p)
                ERR(JET_errOutOfMemory);
            s->tagged = p;
            s->ctaggedAlloc = n;
        }
        /* keep sorted by fid (insertion) */
        uint32_t i = s->ctagged;
        while (i > 0 && bj_rec_fid(s->tagged[i - 1]->columnid) > fid) {
            s->tagged[i] = s->tagged[i - 1];
            i--;
        }
        s->tagged[i] = c;
        s->ctagged++;
    }
    return JET_errSuccess;
fail:
    free(pvDefault);
    free(c);
    return err;
}

JET_ERR bj_rec_schema_finish(bj_rec_schema *s)
{
    JET_ERR err = JET_errSuccess;
    s->ibEndFixed[0] = BJ_REC_CB_HEADER;
    for (uint32_t fid = 1; fid <= s->fidFixedLast; fid++) {
        bj_rec_column *c = s->fixed[fid];
        uint32_t ib = s->ibEndFixed[fid - 1];
        if (c) {
            if (c->ibRecordOffset == 0)
                c->ibRecordOffset = (uint16_t)ib;
            else if (c->ibRecordOffset != ib)
                ERR(JET_errInvalidParameter);
            ib += c->cbFixed;
        }
        s->ibEndFixed[fid] = (uint16_t)ib;
    }
    if ((uint32_t)s->ibEndFixed[s->fidFixedLast] + (s->fidFixedLast + 7u) / 8u >
        bj_rec_cb_record_most(s->cbPage, s->cbKeyMost))
        ERR(JET_errRecordTooBig);
    s->fFinished = true;
fail:
    return err;
}

void bj_rec_schema_free(bj_rec_schema *s)
{
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(s->fixed); i++) {
        if (s->fixed[i]) {
            free((void *)s->fixed[i]->pvDefault);
            free(s->fixed[i]);
        }
    }
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(s->var); i++) {
        if (s->var[i]) {
            free((void *)s->var[i]->pvDefault);
            free(s->var[i]);
        }
    }
    for (uint32_t i = 0; i < s->ctagged; i++) {
        free((void *)s->tagged[i]->pvDefault);
        free(s->tagged[i]);
    }
    free(s->tagged);
    memset(s, 0, sizeof(*s));
}

const bj_rec_column *bj_rec_schema_column(const bj_rec_schema *s, JET_COLUMNID columnid)
{
    const uint32_t fid = bj_rec_fid(columnid);
    if (fid == 0)
        return NULL;
    if (fid <= BJ_REC_FID_FIXED_LAST)
        return s->fixed[fid];
    if (fid <= BJ_REC_FID_VAR_LAST)
        return s->var[fid - BJ_REC_FID_VAR_FIRST];
    uint32_t lo = 0, hi = s->ctagged;
    while (lo < hi) { /* the first entry with this fid */
        uint32_t mid = (lo + hi) / 2;
        if (bj_rec_fid(s->tagged[mid]->columnid) < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* a derived table has a template column and an own column per tagged fid at most: the
     * columnid (template bit included) picks one; a bare fid the first */
    const bj_rec_column *first = NULL;
    for (uint32_t i = lo; i < s->ctagged && bj_rec_fid(s->tagged[i]->columnid) == fid; i++) {
        if (s->tagged[i]->columnid == columnid)
            return s->tagged[i];
        if (!first)
            first = s->tagged[i];
    }
    return first;
}

/* ---------------------------------------------------------------- limits */

uint32_t bj_rec_cb_record_most(uint32_t cbPage, uint32_t cbKeyMost)
{
    const bool large = bj_rec_is_large(cbPage);
    const uint32_t cbHdr = large ? BJ_REC_CB_PGHDR_LARGE : BJ_REC_CB_PGHDR_SMALL;
    /* CbNDNodeMost = page data - one reserved TAG - one TAG for the insertion */
    const uint32_t cbNodeMost = cbPage - cbHdr - 2 * BJ_REC_CB_TAG;
    if (cbKeyMost == 0)
        cbKeyMost = BJ_REC_CB_DBK;
    if (!large) {
        uint32_t k = BJ_MAX((uint32_t)JET_cbKeyMostMin, BJ_REC_CB_KEYCOUNT + cbKeyMost);
        return cbNodeMost - BJ_REC_CB_KEYCOUNT - k;
    }
    return cbNodeMost - 2 * BJ_REC_CB_KEYCOUNT - cbKeyMost;
}

/* ---------------------------------------------------------------- parsing */

/* A value whose TAGFLD header says "long value" must belong to a long-value column: bj_rec_set
 * would otherwise carry an LV-sized value of a short column into a form that refuses it.
 * Columns absent from the schema (deleted ones) are not checked. */
static JET_ERR check_tagged_types(const bj_rec_schema *s, const bj_rec_layout *l)
{
    for (uint32_t i = 0; i < l->cTagfld; i++) {
        bj_rec_tagfld t;
        bj_rec_tagfld_get(l, i, &t);
        if (!t.fHeader || !(t.bHeader & BJ_TAGHDR_LONGVALUE))
            continue;
        const bj_rec_column *c = bj_rec_schema_column(s, t.fid);
        if (c && c->fDerived == t.fDerived && !bj_rec_coltyp_is_lv(c->coltyp))
            return BJ_ERR(JET_errDatabaseCorrupted);
    }
    return JET_errSuccess;
}

JET_ERR bj_rec_parse(const bj_rec_schema *s, const void *rec, size_t cbRec, bj_rec_layout *l)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *p = rec;

    memset(l, 0, sizeof(*l));
    if (!rec || cbRec < BJ_REC_CB_HEADER || cbRec > 0xffff)
        ERR(JET_errDatabaseCorrupted);
    if (s && cbRec > bj_rec_cb_record_most(s->cbPage, BJ_REC_CB_DBK))
        ERR(JET_errDatabaseCorrupted);
    l->rec = p;
    l->cb = (uint32_t)cbRec;
    l->large = s ? bj_rec_is_large(s->cbPage) : false;
    l->fidFixedLast = p[BJ_REC_OFF_FIDFIXEDLAST];
    l->fidVarLast = p[BJ_REC_OFF_FIDVARLAST];
    l->ibEndFixed = bj_ld16(p + BJ_REC_OFF_IBENDFIXED);
    if (l->fidFixedLast > BJ_REC_FID_FIXED_LAST || l->fidVarLast < BJ_REC_FID_VAR_NONE)
        ERR(JET_errDatabaseCorrupted);

    const uint32_t cbBitmap = (l->fidFixedLast + 7u) / 8u;
    if (l->ibEndFixed < BJ_REC_CB_HEADER + cbBitmap || l->ibEndFixed > l->cb)
        ERR(JET_errDatabaseCorrupted);
    l->ibBitmap = l->ibEndFixed - cbBitmap;
    if (s) {
        if (l->fidFixedLast <= s->fidFixedLast) {
            if (l->ibBitmap != s->ibEndFixed[l->fidFixedLast])
                ERR(JET_errDatabaseCorrupted);
        } else if (l->ibBitmap < s->ibEndFixed[s->fidFixedLast]) {
            ERR(JET_errDatabaseCorrupted);
        }
    }

    const uint32_t cVar = (uint32_t)l->fidVarLast - BJ_REC_FID_VAR_NONE;
    l->ibVarData = l->ibEndFixed + BJ_REC_CB_VAROFFSET * cVar;
    if (l->ibVarData > l->cb)
        ERR(JET_errDatabaseCorrupted);
    uint32_t ibPrev = 0;
    for (uint32_t i = 0; i < cVar; i++) {
        uint32_t ib = bj_ld16(p + l->ibEndFixed + BJ_REC_CB_VAROFFSET * i) & BJ_REC_VAR_IBMASK;
        if (ib < ibPrev || ib > l->cb - l->ibVarData)
            ERR(JET_errDatabaseCorrupted);
        ibPrev = ib;
    }
    l->ibTagged = l->ibVarData + ibPrev;
    l->cbTagged = l->cb - l->ibTagged;
    CALL(bj_rec_parse_tagged(l));
    if (s)
        CALL(check_tagged_types(s, l));
fail:
    return err;
}

JET_ERR bj_rec_validate(const bj_rec_schema *s, const void *rec, size_t cbRec)
{
    bj_rec_layout l;
    return bj_rec_parse(s, rec, cbRec, &l);
}

/* ---------------------------------------------------------------- retrieval */

static JET_ERR rec_null(bj_rec_value *out)
{
    memset(out, 0, sizeof(*out));
    return JET_wrnColumnNull;
}

static JET_ERR rec_default(const bj_rec_column *c, JET_GRBIT grbit, bj_rec_value *out)
{
    if ((grbit & JET_bitRetrieveIgnoreDefault) || !c->pvDefault)
        return rec_null(out);
    memset(out, 0, sizeof(*out));
    out->pb = c->pvDefault;
    out->cb = c->cbDefault;
    out->flags = BJ_RECVAL_DEFAULT | (bj_rec_coltyp_is_lv(c->coltyp) ? BJ_RECVAL_LONG : 0);
    return JET_errSuccess;
}

/* Value of a fixed or variable column (itag must be 1). */
static JET_ERR rec_retrieve_nontagged(const bj_rec_layout *l, const bj_rec_column *c,
                                      JET_GRBIT grbit, bj_rec_value *out)
{
    const uint32_t fid = bj_rec_fid(c->columnid);
    memset(out, 0, sizeof(*out));
    if (fid <= BJ_REC_FID_FIXED_LAST) {
        if (fid > l->fidFixedLast)
            return rec_default(c, grbit, out);
        if (bj_rec_fixed_null(l, fid))
            return rec_null(out);
        out->pb = l->rec + c->ibRecordOffset;
        out->cb = c->cbFixed;
        return JET_errSuccess;
    }
    if (fid > l->fidVarLast)
        return rec_default(c, grbit, out);
    const uint32_t i = fid - BJ_REC_FID_VAR_FIRST;
    const uint16_t raw = bj_ld16(l->rec + l->ibEndFixed + BJ_REC_CB_VAROFFSET * i);
    if (raw & BJ_REC_VAR_NULL)
        return rec_null(out);
    const uint32_t ibStart =
        i == 0
            ? 0
            : (bj_ld16(l->rec + l->ibEndFixed + BJ_REC_CB_VAROFFSET * (i - 1)) & BJ_REC_VAR_IBMASK);
    const uint32_t ibEnd = raw & BJ_REC_VAR_IBMASK;
    out->pb = l->rec + l->ibVarData + ibStart;
    out->cb = ibEnd - ibStart;
    return JET_errSuccess;
}

JET_ERR bj_rec_retrieve(const bj_rec_schema *s, const void *rec, size_t cbRec,
                        JET_COLUMNID columnid, uint32_t itagSequence, JET_GRBIT grbit,
                        bj_rec_value *out)
{
    bj_rec_layout l;
    bool fParsed = false;
    return bj_rec_retrieve_reuse(s, rec, cbRec, &l, &fParsed, columnid, itagSequence, grbit, out);
}

JET_ERR bj_rec_retrieve_reuse(const bj_rec_schema *s, const void *rec, size_t cbRec,
                              bj_rec_layout *l, bool *pfParsed, JET_COLUMNID columnid,
                              uint32_t itagSequence, JET_GRBIT grbit, bj_rec_value *out)
{
    JET_ERR err = JET_errSuccess;
    const bj_rec_column *c = bj_rec_schema_column(s, columnid);

    memset(out, 0, sizeof(*out));
    if (!c)
        ERR(JET_errColumnNotFound);
    if (!*pfParsed) {
        CALL(bj_rec_parse(s, rec, cbRec, l));
        *pfParsed = true;
    }
    if (itagSequence == 0)
        itagSequence = 1;
    const uint16_t fid = bj_rec_fid(c->columnid);
    if (fid < BJ_REC_FID_TAGGED_FIRST) {
        if (itagSequence != 1)
            return rec_null(out);
        return rec_retrieve_nontagged(l, c, grbit, out);
    }
    bool fFound;
    uint32_t i = bj_rec_tagfld_find(l, fid, c->fDerived, &fFound);
    if (fFound) {
        bj_rec_tagfld t;
        bj_rec_tagfld_get(l, i, &t);
        return bj_rec_tagfld_value(l, &t, itagSequence, out);
    }
    if (itagSequence == 1)
        return rec_default(c, grbit, out);
    return rec_null(out);
fail:
    return err;
}

JET_ERR bj_rec_count_values(const bj_rec_schema *s, const void *rec, size_t cbRec,
                            JET_COLUMNID columnid, JET_GRBIT grbit, uint32_t *pcValues)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_layout l;
    bj_rec_value v;
    const bj_rec_column *c = bj_rec_schema_column(s, columnid);

    *pcValues = 0;
    if (!c)
        ERR(JET_errColumnNotFound);
    CALL(bj_rec_parse(s, rec, cbRec, &l));
    const uint16_t fid = bj_rec_fid(c->columnid);
    if (fid < BJ_REC_FID_TAGGED_FIRST) {
        *pcValues = rec_retrieve_nontagged(&l, c, grbit, &v) == JET_errSuccess ? 1 : 0;
        return JET_errSuccess;
    }
    bool fFound;
    uint32_t i = bj_rec_tagfld_find(&l, fid, c->fDerived, &fFound);
    if (fFound) {
        bj_rec_tagfld t;
        bj_rec_tagfld_get(&l, i, &t);
        *pcValues = bj_rec_tagfld_cvalues(&l, &t);
    } else if (c->pvDefault && !(grbit & JET_bitRetrieveIgnoreDefault)) {
        *pcValues = 1;
    }
fail:
    return err;
}

JET_ERR bj_rec_tagged_count(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t *pc)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_layout l;
    *pc = 0;
    CALL(bj_rec_parse(s, rec, cbRec, &l));
    *pc = l.cTagfld;
fail:
    return err;
}

JET_ERR bj_rec_tagged_at(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t i,
                         bj_rec_tagged_info *info)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_layout l;
    bj_rec_tagfld t;
    memset(info, 0, sizeof(*info));
    CALL(bj_rec_parse(s, rec, cbRec, &l));
    if (i >= l.cTagfld)
        ERR(JET_errInvalidParameter);
    bj_rec_tagfld_get(&l, i, &t);
    info->fid = t.fid;
    info->fDerived = t.fDerived;
    info->fNull = t.fNull;
    info->bHeader = t.fHeader ? t.bHeader : 0;
    info->cValues = bj_rec_tagfld_cvalues(&l, &t);
fail:
    return err;
}

JET_ERR bj_rec_tagged_value_at(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t i,
                               uint32_t itagSequence, bj_rec_value *out)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_layout l;
    bj_rec_tagfld t;
    memset(out, 0, sizeof(*out));
    CALL(bj_rec_parse(s, rec, cbRec, &l));
    if (i >= l.cTagfld)
        ERR(JET_errInvalidParameter);
    bj_rec_tagfld_get(&l, i, &t);
    return bj_rec_tagfld_value(&l, &t, itagSequence ? itagSequence : 1, out);
fail:
    return err;
}

JET_ERR bj_rec_find_null_notnull(const bj_rec_schema *s, const void *rec, size_t cbRec,
                                 JET_COLUMNID *pcolumnid)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_value v;
    *pcolumnid = 0;
    CALL(bj_rec_validate(s, rec, cbRec));
    for (uint32_t pass = 0; pass < 3; pass++) {
        uint32_t n = pass == 0   ? BJ_ARRAY_LEN(s->fixed)
                     : pass == 1 ? BJ_ARRAY_LEN(s->var)
                                 : s->ctagged;
        for (uint32_t i = 0; i < n; i++) {
            const bj_rec_column *c = pass == 0 ? s->fixed[i] : pass == 1 ? s->var[i] : s->tagged[i];
            if (!c || !(c->grbit & JET_bitColumnNotNULL))
                continue;
            CALL(bj_rec_retrieve(s, rec, cbRec, c->columnid, 1, 0, &v));
            if (err == JET_wrnColumnNull) {
                *pcolumnid = c->columnid;
                return JET_errSuccess;
            }
        }
    }
    err = JET_errSuccess;
fail:
    return err;
}
