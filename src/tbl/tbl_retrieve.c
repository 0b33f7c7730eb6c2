/* tbl_retrieve.c: column retrieval from the cursor's record copy: intrinsic values, 7-bit
 * compressed values (decompressed), separated long values read from the table's LV tree with
 * ibLongValue offsets. Xpress-compressed values are refused with JET_errFeatureNotAvailable
 * (bj_rec_decompress), for those values only.
 * LV tree facts (ese-format.md §3.5): root key = LID, data = LVROOT (refcount, size); chunk
 * key = LID || BE offset; a reader must not assume a chunk size: each chunk starts where the
 * previous one ended.
 */
#include "cat/cat_ddl.h"
#include "os/os.h"
#include "tbl/tbl.h"
#include "tbl/tbl_int.h"

JET_ERR bj_tbl_lv_read(bj_tbl *c, uint64_t lid, uint32_t ib, void *pv, uint32_t cbMax,
                       uint32_t *pcbTotal)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_cursor cur;
    bool fCur = false;
    uint8_t key[12];
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    uint8_t nflags;
    bj_lv_root root;
    *pcbTotal = 0;
    CALL(tbl_lv_open(c, false)); /* a tree created after this cursor's catalog was loaded */
    if (!c->fLVOpen)
        ERR(JET_errDatabaseCorrupted); /* a LID in a table without an LV tree */
    CALL(bj_bt_cursor_open(c->ptLV, false, &cur));
    fCur = true;
    uint32_t cbKey = bj_lv_root_key(lid, key);
    err = bj_bt_seek(&cur, key, cbKey, BJ_BT_SEEK_EQ);
    if (err == JET_errRecordNotFound)
        ERR(JET_errDatabaseCorrupted);
    CALL(err);
    CALL(bj_bt_get(&cur, NULL, NULL, &d, &cbD, &nflags));
    CALL(bj_lv_root_decode(d, cbD, &root));
    if (root.flags & BJ_LV_ROOTFLAG_ENCRYPTED)
        ERR(JET_errFeatureNotAvailable);
    *pcbTotal = root.cbSize;
    if (ib >= root.cbSize || cbMax == 0 || !pv)
        goto fail;
    const uint32_t cbWant = BJ_MIN(cbMax, root.cbSize - ib);
    /* chunks in key order after the root; expected offset = end of the previous chunk */
    uint32_t off = 0, copied = 0;
    while (copied < cbWant) {
        err = bj_bt_move_next(&cur);
        if (err == JET_errNoCurrentRecord)
            ERR(JET_errDatabaseCorrupted);
        CALL(err);
        CALL(bj_bt_get(&cur, &k, &cbK, &d, &cbD, &nflags));
        uint64_t lidK;
        bool fRoot;
        uint32_t offK;
        CALL(bj_lv_parse_key(k, cbK, &lidK, &fRoot, &offK));
        if (lidK != lid || fRoot || offK != off || cbD == 0 || (uint64_t)off + cbD > root.cbSize)
            ERR(JET_errDatabaseCorrupted);
        if (ib < off + cbD) {
            uint32_t from = ib > off ? ib - off : 0;
            uint32_t n = BJ_MIN(cbD - from, cbWant - copied);
            memcpy((uint8_t *)pv + copied, d + from, n);
            copied += n;
        }
        off += cbD;
    }
    err = JET_errSuccess;
fail:
    if (fCur)
        bj_bt_cursor_close(&cur);
    return err;
}

void bj_tbl_retrieve_batch(bj_tbl *c, bool fOn)
{
    c->fBatch = fOn;
    c->fBatchParsed = false;
}

/* Copies [ib, ...) of bytes (pb, cb) to pv: sets *pcbActual, returns the warning. */
static JET_ERR copy_out(const uint8_t *pb, uint32_t cb, uint32_t ib, void *pv, uint32_t cbMax,
                        uint32_t *pcbActual)
{
    uint32_t avail = ib < cb ? cb - ib : 0;
    if (pcbActual)
        *pcbActual = avail;
    if (pv && avail)
        memcpy(pv, pb + ib, BJ_MIN(avail, cbMax));
    return avail > cbMax ? JET_wrnBufferTruncated : JET_errSuccess;
}

JET_ERR bj_tbl_retrieve_column(bj_tbl *c, JET_COLUMNID columnid, void *pv, uint32_t cbMax,
                               uint32_t *pcbActual, JET_GRBIT grbit, uint32_t ibLongValue,
                               uint32_t itagSequence)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_value v;
    uint8_t *tmp = NULL;
    if (pcbActual)
        *pcbActual = 0;
    const bj_cat_column *col = tbl_column(c, columnid);
    if (!col)
        ERR(JET_errColumnNotFound);
    if (c->state != BJ_TBL_ON)
        ERR(JET_errNoCurrentRecord);
    if ((grbit & JET_bitRetrieveFromIndex) && c->fSecondary && c->idx) {
        /* the value that made the current entry (ESE fldext.cxx: the column's value in the
         * key, or the itag whose key is the entry's); a column outside the index is not found */
        uint32_t iseg = 0, rgitag[JET_ccolKeyMost];
        while (iseg < c->idx->cseg && c->idx->rgcolumnid[iseg] != columnid)
            iseg++;
        if (iseg == c->idx->cseg)
            ERR(JET_errColumnNotFound);
        bool fFound = false;
        if (bj_cat_index_key_itags(c->t, c->idx, c->rec, c->cbRec, NULL, NULL, c->key, c->cbKey,
                                   rgitag, &fFound) >= 0 &&
            fFound)
            itagSequence = rgitag[iseg];
    }
    const uint32_t itag = itagSequence ? itagSequence : 1;
    const JET_GRBIT grbitRec = grbit & JET_bitRetrieveIgnoreDefault;
    if (c->fBatch)
        err = bj_rec_retrieve_reuse(&c->t->schema, c->rec, c->cbRec, &c->batchLayout,
                                    &c->fBatchParsed, columnid, itag, grbitRec, &v);
    else
        err = bj_rec_retrieve(&c->t->schema, c->rec, c->cbRec, columnid, itag, grbitRec, &v);
    CALL(err);
    if (err == JET_wrnColumnNull)
        goto fail;
    const bool fLV = bj_rec_coltyp_is_lv(col->coltyp);
    const uint32_t ib = fLV ? ibLongValue : 0;
    if (v.flags & BJ_RECVAL_ENCRYPTED)
        ERR(JET_errFeatureNotAvailable);
    if (v.flags & BJ_RECVAL_SEPARATED) {
        uint32_t cbTotal;
        CALL(bj_tbl_lv_read(c, v.lid, ib, pv, cbMax, &cbTotal));
        uint32_t avail = ib < cbTotal ? cbTotal - ib : 0;
        if (pcbActual)
            *pcbActual = avail;
        err = avail > cbMax ? JET_wrnBufferTruncated : JET_errSuccess;
        goto fail;
    }
    if (v.flags & BJ_RECVAL_COMPRESSED) {
        uint32_t cbFull = 0;
        uint8_t probe;
        err = bj_rec_decompress(v.pb, v.cb, &probe, 0, &cbFull);
        CALL(err);
        tmp = bj_malloc(cbFull ? cbFull : 1);
        if (!tmp)
            ERR(JET_errOutOfMemory);
        CALL(bj_rec_decompress(v.pb, v.cb, tmp, cbFull, &cbFull));
        err = copy_out(tmp, cbFull, ib, pv, cbMax, pcbActual);
        goto fail;
    }
    err = copy_out(v.pb, v.cb, ib, pv, cbMax, pcbActual);
fail:
    bj_free(tmp);
    return err;
}

JET_ERR bj_tbl_count_values(bj_tbl *c, JET_COLUMNID columnid, JET_GRBIT grbit, uint32_t *pc)
{
    *pc = 0;
    if (!tbl_column(c, columnid))
        return BJ_ERR(JET_errColumnNotFound);
    if (c->state != BJ_TBL_ON)
        return BJ_ERR(JET_errNoCurrentRecord);
    return bj_rec_count_values(&c->t->schema, c->rec, c->cbRec, columnid,
                               grbit & JET_bitRetrieveIgnoreDefault, pc);
}
