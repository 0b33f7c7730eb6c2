/* fuzz_rec.c: libFuzzer target for the record format (rec/rec.h) with a schema built from the
 * input (fuzz_common.h encoding), then u8 column index to set, u8 itagSequence, u8 grbit
 * selector, u8 cbValue, value bytes, and the record (rest of the input). Runs validate,
 * retrieve (every value of every column), count_values, the tagged iteration,
 * find_null_notnull, decompress of compressed values, and bj_rec_set of one column; a record
 * bj_rec_set wrote must validate. The record is an exact-size heap copy (ASan sees overreads).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(const bj_rec_value *v)
{
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; i < v->cb; i++)
        sink ^= v->pb[i];
    (void)sink;
    if (v->flags & BJ_RECVAL_COMPRESSED) {
        uint8_t out[512];
        uint32_t cbActual = 0;
        (void)bj_rec_decompress(v->pb, v->cb, out, sizeof out, &cbActual);
    }
}

static void column_ids(const bj_rec_schema *s, JET_COLUMNID *ids, uint32_t *pn, uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t fid = 1; fid <= BJ_REC_FID_FIXED_LAST && n < cap; fid++)
        if (s->fixed[fid])
            ids[n++] = s->fixed[fid]->columnid;
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(s->var) && n < cap; i++)
        if (s->var[i])
            ids[n++] = s->var[i]->columnid;
    for (uint32_t i = 0; i < s->ctagged && n < cap; i++)
        ids[n++] = s->tagged[i]->columnid;
    if (n < cap)
        ids[n++] = 300; /* maybe absent */
    *pn = n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in;
    bj_rec_schema s;
    fz_init(&in, data, size);
    if (!fz_schema_read(&in, &s))
        return 0;
    uint32_t icolSet = fz_u8(&in), itagSet = fz_u8(&in), grbitSel = fz_u8(&in);
    size_t cbVal, cbRec;
    const uint8_t *val = fz_bytes(&in, fz_u8(&in), &cbVal);
    const uint8_t *recIn = fz_bytes(&in, fz_left(&in), &cbRec);
    uint8_t *rec = malloc(cbRec ? cbRec : 1);
    memcpy(rec, recIn, cbRec);
    uint8_t *vcopy = malloc(cbVal ? cbVal : 1);
    memcpy(vcopy, val, cbVal);

    JET_COLUMNID ids[400];
    uint32_t nids = 0;
    column_ids(&s, ids, &nids, BJ_ARRAY_LEN(ids));
    JET_ERR errValid = bj_rec_validate(&s, rec, cbRec);
    for (uint32_t i = 0; i < nids; i++) {
        uint32_t c = 0;
        JET_ERR e = bj_rec_count_values(&s, rec, cbRec, ids[i], 0, &c);
        if (e >= 0 && errValid < 0)
            __builtin_trap(); /* an invalid record was read */
        if (c > 70000)
            c = 70000;
        for (uint32_t itag = 0; itag <= c + 1; itag++) {
            bj_rec_value v;
            if (bj_rec_retrieve(&s, rec, cbRec, ids[i], itag,
                                itag & 1 ? 0 : JET_bitRetrieveIgnoreDefault, &v) >= 0)
                touch(&v);
        }
    }
    uint32_t ctag = 0;
    if (bj_rec_tagged_count(&s, rec, cbRec, &ctag) >= 0) {
        for (uint32_t i = 0; i <= ctag; i++) {
            bj_rec_tagged_info ti;
            if (bj_rec_tagged_at(&s, rec, cbRec, i, &ti) < 0)
                continue;
            uint32_t cv = ti.cValues > 70000 ? 70000 : ti.cValues;
            for (uint32_t k = 1; k <= cv + 1; k++) {
                bj_rec_value v;
                if (bj_rec_tagged_value_at(&s, rec, cbRec, i, k, &v) >= 0)
                    touch(&v);
            }
        }
    }
    JET_COLUMNID nn = 0;
    (void)bj_rec_find_null_notnull(&s, rec, cbRec, &nn);

    static const JET_GRBIT grbits[4] = {0, JET_bitSetZeroLength, JET_bitSetUniqueMultiValues,
                                        JET_bitSetRevertToDefaultValue};
    if (nids) {
        size_t cbOutMax = 40000, cbOut = 0;
        uint8_t *out = malloc(cbOutMax);
        JET_ERR e = bj_rec_set(&s, rec, grbitSel & 0x80 ? 0 : cbRec, ids[icolSet % nids], itagSet,
                               vcopy, (uint32_t)cbVal, grbits[grbitSel & 3], (grbitSel >> 2) & 3,
                               out, cbOutMax, &cbOut);
        if (e >= 0) {
            uint8_t *o2 = malloc(cbOut ? cbOut : 1);
            memcpy(o2, out, cbOut);
            if (bj_rec_validate(&s, o2, cbOut) < 0)
                __builtin_trap(); /* bj_rec_set wrote a record it cannot read */
            free(o2);
        }
        free(out);
    }
    {
        uint8_t out[256];
        uint32_t cbActual = 0;
        (void)bj_rec_decompress(rec, (uint32_t)cbRec, out, sizeof out, &cbActual);
    }
    free(vcopy);
    free(rec);
    bj_rec_schema_free(&s);
    return 0;
}
