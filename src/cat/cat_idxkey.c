/* cat_idxkey.c: the index entry keys of a record (ESE's ErrRECIRetrieveKey + the KeySequence
 * enumeration of recupd.cxx), the primary key of a record, DBK keys, and the persisted index
 * flags of JET_bitIndex* grbits. Pure functions over a table descriptor and record bytes; the
 * only I/O is the caller's long-value reader for separated values.
 * Invariant: a key set holds distinct keys (the same key made twice for one record, e.g. by two
 * equal multi-values, is one index entry).
 */
#include "cat/cat_ddl.h"
#include "os/os.h"

/* ---- key sets ---- */

void bj_cat_keys_init(bj_cat_keys *k)
{
    memset(k, 0, sizeof(*k));
}

void bj_cat_keys_free(bj_cat_keys *k)
{
    bj_free(k->rgib);
    bj_free(k->rgcb);
    bj_free(k->pb);
    memset(k, 0, sizeof(*k));
}

static JET_ERR keys_add(bj_cat_keys *k, const uint8_t *key, uint32_t cb)
{
    for (uint32_t i = 0; i < k->ckey; i++) {
        if (k->rgcb[i] == cb && memcmp(k->pb + k->rgib[i], key, cb) == 0)
            return JET_errSuccess;
    }
    if (k->ckey == k->ckeyAlloc) {
        uint32_t n = k->ckeyAlloc ? 2 * k->ckeyAlloc : 4;
        uint32_t *ib = bj_realloc(k->rgib, n * sizeof(uint32_t));
        if (!ib)
            return BJ_ERR(JET_errOutOfMemory);
        k->rgib = ib;
        uint32_t *pcb = bj_realloc(k->rgcb, n * sizeof(uint32_t));
        if (!pcb)
            return BJ_ERR(JET_errOutOfMemory);
        k->rgcb = pcb;
        k->ckeyAlloc = n;
    }
    if (k->cbUsed + cb > k->cbAlloc || !k->pb) {
        uint32_t n = k->cbAlloc ? 2 * k->cbAlloc : 256;
        while (n < k->cbUsed + cb)
            n *= 2;
        uint8_t *p = bj_realloc(k->pb, n);
        if (!p)
            return BJ_ERR(JET_errOutOfMemory);
        k->pb = p;
        k->cbAlloc = n;
    }
    memcpy(k->pb + k->cbUsed, key, cb);
    k->rgib[k->ckey] = k->cbUsed;
    k->rgcb[k->ckey++] = cb;
    k->cbUsed += cb;
    return JET_errSuccess;
}

/* ---- one column value ---- */

typedef struct colval {
    bool fNull;
    const uint8_t *pb;
    uint32_t cb;
    uint8_t *pbOwned; /* fetched / decompressed bytes */
} colval;

/* Value itag of columnid as a key sees it: defaults apply, separated values are fetched (a
 * prefix large enough to saturate any key), compressed ones decompressed. */
static JET_ERR col_value(const bj_cat_table *t, const void *rec, size_t cbRec,
                         JET_COLUMNID columnid, uint32_t itag, bj_cat_lv_read_fn lvread,
                         void *lvctx, colval *v)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_value rv;
    memset(v, 0, sizeof(*v));
    err = bj_rec_retrieve(&t->schema, rec, cbRec, columnid, itag, 0, &rv);
    if (err < 0)
        goto fail;
    if (err == JET_wrnColumnNull) {
        v->fNull = true;
        err = JET_errSuccess;
        goto fail;
    }
    err = JET_errSuccess;
    v->pb = rv.pb;
    v->cb = rv.cb;
    /* Unicode sort keys take a few source bytes per key byte: 8 x the largest key is plenty */
    const uint32_t cbWant = 8 * JET_cbKeyMostMost;
    if (rv.flags & BJ_RECVAL_ENCRYPTED)
        ERR(JET_errFeatureNotAvailable);
    if (rv.flags & BJ_RECVAL_SEPARATED) {
        if (!lvread)
            ERR(JET_errFeatureNotAvailable);
        v->pbOwned = bj_malloc(cbWant);
        if (!v->pbOwned)
            ERR(JET_errOutOfMemory);
        uint32_t cb = 0;
        CALL(lvread(lvctx, rv.lid, v->pbOwned, cbWant, &cb));
        v->pb = v->pbOwned;
        v->cb = cb;
        /* a separated value may itself be compressed: the LV layer hands back plain bytes */
    } else if (rv.flags & BJ_RECVAL_COMPRESSED) {
        uint32_t cbFull = 0;
        err = bj_rec_decompress(rv.pb, rv.cb, NULL, 0, &cbFull);
        if (err < 0)
            goto fail;
        const uint32_t cb = cbFull < cbWant ? cbFull : cbWant;
        v->pbOwned = bj_malloc(cb ? cb : 1);
        if (!v->pbOwned)
            ERR(JET_errOutOfMemory);
        err = bj_rec_decompress(rv.pb, rv.cb, v->pbOwned, cb, &cbFull);
        if (err < 0)
            goto fail;
        err = JET_errSuccess;
        v->pb = v->pbOwned;
        v->cb = cb;
    }
fail:
    return err;
}

/* ---- one key ---- */

enum { KEY_OK = 0, KEY_OUT_OF_VALUES = 1 };

/* Builds the key for the itag vector (ESE ErrRECIIRetrieveKey). *pres = KEY_OUT_OF_VALUES when
 * a segment with itag > 1 has no such value (*piseg = that segment). */
static JET_ERR make_key(const bj_cat_table *t, const bj_cat_index *x, const void *rec, size_t cbRec,
                        const uint32_t *rgitag, bj_cat_lv_read_fn lvread, void *lvctx,
                        bj_key_builder *kb, int *pres, uint32_t *piseg)
{
    JET_ERR err = JET_errSuccess;
    colval v = {0};
    *pres = KEY_OK;
    bj_key_record_begin(kb, &x->key);
    for (uint32_t i = 0; i < x->cseg; i++) {
        CALL(col_value(t, rec, cbRec, x->rgcolumnid[i], rgitag[i], lvread, lvctx, &v));
        if (v.fNull && rgitag[i] > 1) {
            *pres = KEY_OUT_OF_VALUES;
            *piseg = i;
            goto fail;
        }
        CALL(bj_key_record_add(kb, v.fNull, v.pb, v.cb));
        bj_free(v.pbOwned);
        v.pbOwned = NULL;
    }
fail:
    bj_free(v.pbOwned);
    return err;
}

/* Conditional columns: is the record in the index at all? */
static JET_ERR condition_met(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                             size_t cbRec, bool *pf)
{
    JET_ERR err = JET_errSuccess;
    *pf = true;
    for (uint32_t i = 0; i < x->ccond; i++) {
        bj_rec_value rv;
        err = bj_rec_retrieve(&t->schema, rec, cbRec, x->rgcolumnidCond[i], 1, 0, &rv);
        if (err < 0)
            goto fail;
        const bool fNull = err == JET_wrnColumnNull;
        err = JET_errSuccess;
        if (fNull != x->rgfMustBeNull[i]) {
            *pf = false;
            break;
        }
    }
fail:
    return err;
}

static bool column_multivalued(const bj_cat_table *t, JET_COLUMNID columnid)
{
    const bj_cat_column *c = bj_cat_column_by_id(t, columnid);
    return c && (columnid & 0xffffu) >= BJ_REC_FID_TAGGED_FIRST &&
           (c->ffield & BJ_FFIELD_MULTIVALUED);
}

/* The enumeration behind bj_cat_index_keys and bj_cat_index_key_itags: every key goes to out,
 * or, with pbMatch, the itag vector of the first key equal to pbMatch goes to rgitagOut
 * (*pfMatch). */
static JET_ERR index_keys(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                          size_t cbRec, bj_cat_lv_read_fn lvread, void *lvctx, bj_cat_keys *out,
                          const uint8_t *pbMatch, uint32_t cbMatch, uint32_t *rgitagOut,
                          bool *pfMatch)
{
    JET_ERR err = JET_errSuccess;
    bj_key_builder *kb = NULL;
    uint32_t rgitag[JET_ccolKeyMost];
    bool rgfMV[JET_ccolKeyMost] = {0};
    int ivMost = -1; /* last enumerated multi-valued segment */
    bool fIn;
    const bool fCross = x->grbit & JET_bitIndexCrossProduct;
    const bool fNested = x->grbit & JET_bitIndexNestedTable;

    if (out) {
        out->ckey = 0;
        out->cbUsed = 0;
    }
    if (x->cseg == 0 || x->cseg > JET_ccolKeyMost)
        ERR(JET_errInvalidParameter);
    CALL(bj_rec_validate(&t->schema, rec, cbRec));
    CALL(condition_met(t, x, rec, cbRec, &fIn));
    if (!fIn)
        goto fail;
    kb = bj_malloc(sizeof(*kb));
    if (!kb)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < x->cseg; i++)
        rgitag[i] = 1; /* every segment: the loop below stops at the first multi-value */
    for (uint32_t i = 0; i < x->cseg; i++) {
        if (!(x->fidb & BJ_FIDB_PRIMARY) && column_multivalued(t, x->rgcolumnid[i])) {
            rgfMV[i] = true;
            ivMost = (int)i;
            if (!fCross && !fNested)
                break;
        }
    }
    for (;;) {
        int res;
        uint32_t iseg = 0;
        CALL(make_key(t, x, rec, cbRec, rgitag, lvread, lvctx, kb, &res, &iseg));
        if (res == KEY_OUT_OF_VALUES) {
            if (fNested)
                break; /* the values of the nested columns are used up together */
            /* roll over: this segment back to 1, the next more significant one advances */
            int j = (int)iseg - 1;
            while (j >= 0 && !rgfMV[j])
                j--;
            if (j < 0)
                break;
            for (int k = j + 1; k <= ivMost; k++)
                rgitag[k] = 1;
            rgitag[j]++;
            continue;
        }
        const bool fAnyNull = kb->fNullSeg;
        if (fAnyNull && (x->fidb & BJ_FIDB_NO_NULL_SEG))
            ERR(JET_errNullKeyDisallowed);
        bool fAdd = true, fStop = false;
        if (kb->fAllNull) {
            fAdd = x->fidb & BJ_FIDB_ALLOW_ALL_NULLS;
            fStop = true;
        } else if (kb->fNullFirstSeg) {
            fAdd = x->fidb & BJ_FIDB_ALLOW_FIRST_NULL;
            fStop = !fAdd;
        } else if (fAnyNull) {
            fAdd = x->fidb & BJ_FIDB_ALLOW_SOME_NULLS;
            fStop = !fAdd;
        }
        if (fAdd && pbMatch) {
            if (kb->cb == cbMatch && memcmp(kb->rgb, pbMatch, cbMatch) == 0) {
                memcpy(rgitagOut, rgitag, x->cseg * sizeof(uint32_t));
                *pfMatch = true;
                break;
            }
        } else if (fAdd) {
            CALL(keys_add(out, kb->rgb, kb->cb));
        }
        if (fStop || ivMost < 0)
            break;
        if (fNested) {
            for (int k = 0; k <= ivMost; k++)
                if (rgfMV[k])
                    rgitag[k]++;
        } else {
            rgitag[ivMost]++;
        }
    }
fail:
    bj_free(kb);
    return err;
}

JET_ERR bj_cat_index_keys(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                          size_t cbRec, bj_cat_lv_read_fn lvread, void *lvctx, bj_cat_keys *out)
{
    return index_keys(t, x, rec, cbRec, lvread, lvctx, out, NULL, 0, NULL, NULL);
}

JET_ERR bj_cat_index_key_itags(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                               size_t cbRec, bj_cat_lv_read_fn lvread, void *lvctx,
                               const void *key, uint32_t cbKey, uint32_t *rgitag, bool *pfFound)
{
    *pfFound = false;
    return index_keys(t, x, rec, cbRec, lvread, lvctx, NULL, key, cbKey, rgitag, pfFound);
}

JET_ERR bj_cat_primary_key(const bj_cat_table *t, const void *rec, size_t cbRec,
                           bj_cat_lv_read_fn lvread, void *lvctx, uint8_t *out, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    bj_key_builder *kb = NULL;
    uint32_t rgitag[JET_ccolKeyMost];
    int res;
    uint32_t iseg;
    if (!t->fHasPrimary || t->cidx == 0)
        ERR(JET_errInvalidParameter);
    const bj_cat_index *x = &t->rgidx[0];
    CALL(bj_rec_validate(&t->schema, rec, cbRec));
    kb = bj_malloc(sizeof(*kb));
    if (!kb)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < JET_ccolKeyMost; i++)
        rgitag[i] = 1;
    CALL(make_key(t, x, rec, cbRec, rgitag, lvread, lvctx, kb, &res, &iseg));
    if (kb->fNullSeg && (x->fidb & BJ_FIDB_NO_NULL_SEG))
        ERR(JET_errNullKeyDisallowed);
    memcpy(out, kb->rgb, kb->cb);
    *pcb = kb->cb;
fail:
    bj_free(kb);
    return err;
}

void bj_cat_dbk_key(uint32_t dbk, uint8_t key[4])
{
    key[0] = (uint8_t)(dbk >> 24);
    key[1] = (uint8_t)(dbk >> 16);
    key[2] = (uint8_t)(dbk >> 8);
    key[3] = (uint8_t)dbk;
}

uint32_t bj_cat_index_flags_from_grbit(JET_GRBIT grbit)
{
    uint32_t fidb = 0, fidx = BJ_FIDX_EXTENDED_COLUMNS;
    if (!(grbit & (JET_bitIndexDisallowNull | JET_bitIndexIgnoreAnyNull))) {
        fidb |= BJ_FIDB_ALLOW_SOME_NULLS;
        if (!(grbit & JET_bitIndexIgnoreFirstNull)) {
            fidb |= BJ_FIDB_ALLOW_FIRST_NULL;
            if (!(grbit & JET_bitIndexIgnoreNull))
                fidb |= BJ_FIDB_ALLOW_ALL_NULLS;
        }
    }
    if (grbit & JET_bitIndexPrimary)
        fidb |= BJ_FIDB_UNIQUE | BJ_FIDB_PRIMARY;
    else if (grbit & JET_bitIndexUnique)
        fidb |= BJ_FIDB_UNIQUE;
    if (grbit & JET_bitIndexDisallowNull)
        fidb |= BJ_FIDB_NO_NULL_SEG;
    else if (grbit & JET_bitIndexSortNullsHigh)
        fidb |= BJ_FIDB_SORT_NULLS_HIGH;
    if (grbit & JET_bitIndexCrossProduct)
        fidb |= BJ_FIDB_CROSS_PRODUCT;
    else if (grbit & JET_bitIndexNestedTable)
        fidb |= BJ_FIDB_NESTED_TABLE;
    if (grbit & JET_bitIndexDisallowTruncation)
        fidb |= BJ_FIDB_DISALLOW_TRUNCATION;
    if (grbit & JET_bitIndexDotNetGuid)
        fidx |= BJ_FIDX_DOTNET_GUID;
    if (grbit & JET_bitIndexDeferredPopulateCreate)
        fidx |= BJ_FIDX_DEFERRED_POPULATE;
    return fidb | (fidx << 16);
}
