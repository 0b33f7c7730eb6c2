/* tbl_update_rec.c: prepared updates (the copy buffer) and record-level writes: JetPrepareUpdate,
 * JetSetColumn(s), JetRetrieveColumn(JET_bitRetrieveCopy), JetUpdate, JetDelete,
 * JetEscrowUpdate, JetGetLock, with secondary-index and long-value maintenance.
 *
 * The copy buffer is a record; long values set during the prepared update are kept in memory
 * (pending values) and stand in the record as placeholder LIDs (>= LID_PENDING) until JetUpdate
 * decides: intrinsic when at most 1023 bytes (bj_lv_intrinsic_most) and not
 * JET_bitSetSeparateLV, and the record fits; else a new separated value (new LID). Long values
 * are never shared between records (no refcount above 1): JET_prepInsertCopy copies them.
 * Index entry keys of a record follow ESE's rules for NULL segments (IgnoreNull: all NULL,
 * IgnoreFirstNull, IgnoreAnyNull, DisallowNull -> JET_errNullKeyDisallowed) and enumerate the
 * first multi-valued segment's values (one entry each).
 */
#include "page/page.h"
#include "cat/cat_ddl.h"
#include "tbl/tbl_upd.h"

#define LID_PENDING 0x7fff0000u
#define AUTOINC_UNSET ((uint64_t)-1)

typedef struct pendlv {
    uint8_t *pb;
    uint32_t cb, cbAlloc;
    bool fSeparate;
} pendlv;

struct bj_tbl_upd {
    uint32_t prep;
    uint8_t *rec; /* the copy (cbPage) */
    size_t cbRec;
    uint8_t *tmp;    /* scratch record (cbPage) */
    uint8_t *bmOrig; /* replace: the record's bookmark */
    uint32_t cbBmOrig;
    pendlv *lv;
    uint32_t clv, clvAlloc;
};

bool bj_tbl_update_prepared(const bj_tbl *c)
{
    return c->upd != NULL;
}

void bj_tbl_update_free(bj_tbl *c)
{
    bj_tbl_upd *u = c->upd;
    if (!u)
        return;
    for (uint32_t i = 0; i < u->clv; i++)
        bj_free(u->lv[i].pb);
    bj_free(u->lv);
    bj_free(u->rec);
    bj_free(u->tmp);
    bj_free(u->bmOrig);
    bj_free(u);
    c->upd = NULL;
}

static JET_ERR writable(const bj_tbl *c)
{
    if (!c->tdb || !c->tdb->sdb)
        return BJ_ERR(JET_errPermissionDenied);
    return JET_errSuccess;
}

static const bj_cat_column *col_with(const bj_cat_table *t, uint32_t ffield)
{
    for (uint32_t i = 0; i < t->ccol; i++)
        if (t->rgcol[i].ffield & ffield)
            return &t->rgcol[i];
    return NULL;
}

/* ---- long values ---- */

static JET_ERR lid_next(bj_tbl *c, uint32_t *plid)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = c->tdb;
    tbl_tabstate *ts = tbl_tabstate_get(d, c->t->objid);
    if (!ts)
        return BJ_ERR(JET_errOutOfMemory);
    bj_mutex_lock(&d->lock);
    if (!ts->fLidInit) {
        bj_bt_cursor cur;
        uint32_t last = 0;
        err = bj_bt_cursor_open(c->ptLV, false, &cur);
        if (err >= 0) {
            err = bj_bt_move_last(&cur);
            const uint8_t *k;
            uint32_t cbK;
            if (err >= 0 && (err = bj_bt_get(&cur, &k, &cbK, NULL, NULL, NULL)) >= 0 && cbK >= 4)
                last = bj_ld32be(k) & 0x7fffffffu;
            if (err == JET_errRecordNotFound)
                err = JET_errSuccess;
            bj_bt_cursor_close(&cur);
        }
        if (err >= 0) {
            ts->lidLast = last;
            ts->fLidInit = true;
        }
    }
    if (err >= 0) {
        if (ts->lidLast + 1 >= LID_PENDING)
            err = BJ_ERR(JET_errOutOfLongValueIDs);
        else
            *plid = ++ts->lidLast;
    }
    bj_mutex_unlock(&d->lock);
    return err;
}

/* Writes a new long value (root + chunks) and records it for rollback. */
static JET_ERR lv_write(bj_tbl *c, const uint8_t *pb, uint32_t cb, uint32_t *plid)
{
    JET_ERR err = JET_errSuccess;
    uint32_t lid = 0;
    uint8_t key[12], root[BJ_LV_CB_LVROOT];
    CALL(tbl_lv_open(c, true));
    CALL(lid_next(c, &lid));
    CALL(tbl_lv_created(c->tdb, c->trx, c->ptLV, lid));
    bj_lv_root r = {.refcount = 1, .cbSize = cb, .flags = 0};
    bj_lv_root_encode(&r, root);
    uint32_t cbKey = bj_lv_root_key(lid, key);
    CALL(bj_bt_insert(c->ptLV, key, cbKey, root, sizeof root, 0));
    const uint32_t chunk =
        c->t->cbLVChunkMax ? c->t->cbLVChunkMax : bj_lv_chunk_size(c->dbc->cbPage);
    for (uint32_t off = 0; off < cb; off += chunk) {
        uint32_t n = BJ_MIN(chunk, cb - off);
        cbKey = bj_lv_chunk_key(lid, off, key);
        CALL(bj_bt_insert(c->ptLV, key, cbKey, pb + off, n, 0));
    }
    *plid = lid;
fail:
    return err;
}

/* Reads the whole value of (rec, columnid, itag) into a malloc'ed buffer. */
static JET_ERR value_read(bj_tbl *c, const uint8_t *rec, size_t cbRec, JET_COLUMNID columnid,
                          uint32_t itag, uint8_t **ppb, uint32_t *pcb, bool *pfNull)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_value v;
    *ppb = NULL;
    *pcb = 0;
    *pfNull = false;
    CALL(bj_rec_retrieve(&c->t->schema, rec, cbRec, columnid, itag, 0, &v));
    if (err == JET_wrnColumnNull) {
        *pfNull = true;
        err = JET_errSuccess;
        goto fail;
    }
    if ((v.flags & BJ_RECVAL_SEPARATED) && v.lid >= LID_PENDING) {
        pendlv *p = &c->upd->lv[v.lid - LID_PENDING];
        *ppb = bj_malloc(p->cb ? p->cb : 1);
        if (!*ppb)
            ERR(JET_errOutOfMemory);
        memcpy(*ppb, p->pb, p->cb);
        *pcb = p->cb;
    } else if (v.flags & BJ_RECVAL_SEPARATED) {
        uint32_t total = 0;
        CALL(bj_tbl_lv_read(c, v.lid, 0, NULL, 0, &total));
        *ppb = bj_malloc(total ? total : 1);
        if (!*ppb)
            ERR(JET_errOutOfMemory);
        CALL(bj_tbl_lv_read(c, v.lid, 0, *ppb, total, &total));
        *pcb = total;
    } else if (v.flags & BJ_RECVAL_COMPRESSED) {
        uint32_t full = 0;
        uint8_t probe;
        CALL(bj_rec_decompress(v.pb, v.cb, &probe, 0, &full));
        *ppb = bj_malloc(full ? full : 1);
        if (!*ppb)
            ERR(JET_errOutOfMemory);
        CALL(bj_rec_decompress(v.pb, v.cb, *ppb, full, &full));
        *pcb = full;
    } else {
        *ppb = bj_malloc(v.cb ? v.cb : 1);
        if (!*ppb)
            ERR(JET_errOutOfMemory);
        memcpy(*ppb, v.pb, v.cb);
        *pcb = v.cb;
    }
    err = JET_errSuccess;
fail:
    if (err < 0) {
        bj_free(*ppb);
        *ppb = NULL;
    }
    return err;
}

/* The separated LIDs (real ones) of a record. */
static JET_ERR record_lids(const bj_tbl *c, const uint8_t *rec, size_t cbRec, uint32_t **prg,
                           uint32_t *pc)
{
    JET_ERR err = JET_errSuccess;
    uint32_t n = 0, cap = 0;
    uint32_t *rg = NULL;
    const bj_rec_schema *s = &c->t->schema;
    for (uint32_t i = 0; i < s->ctagged; i++) {
        const bj_rec_column *col = s->tagged[i];
        if (!bj_rec_coltyp_is_lv(col->coltyp))
            continue;
        for (uint32_t itag = 1;; itag++) {
            bj_rec_value v;
            CALL(bj_rec_retrieve(s, rec, cbRec, col->columnid, itag, JET_bitRetrieveIgnoreDefault,
                                 &v));
            if (err == JET_wrnColumnNull)
                break;
            if (!(v.flags & BJ_RECVAL_SEPARATED) || v.lid >= LID_PENDING)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 8;
                uint32_t *nrg = bj_realloc(rg, cap * sizeof(*rg));
                if (!nrg)
                    ERR(JET_errOutOfMemory);
                rg = nrg;
            }
            rg[n++] = (uint32_t)v.lid;
        }
    }
    err = JET_errSuccess;
fail:
    if (err < 0) {
        bj_free(rg);
        rg = NULL;
        n = 0;
    }
    *prg = rg;
    *pc = n;
    return err;
}

/* ---- the copy buffer ---- */

static JET_ERR pend_new(bj_tbl_upd *u, uint32_t *pi)
{
    if (u->clv == u->clvAlloc) {
        uint32_t cap = u->clvAlloc ? 2 * u->clvAlloc : 4;
        pendlv *n = bj_realloc(u->lv, cap * sizeof(*n));
        if (!n)
            return BJ_ERR(JET_errOutOfMemory);
        u->lv = n;
        u->clvAlloc = cap;
    }
    memset(&u->lv[u->clv], 0, sizeof(pendlv));
    *pi = u->clv++;
    return JET_errSuccess;
}

/* Sets (columnid, itag) of the copy to the bytes pv/cb (opts BJ_RECSET_*). */
static JET_ERR copy_set(bj_tbl *c, JET_COLUMNID columnid, uint32_t itag, const void *pv,
                        uint32_t cb, JET_GRBIT grbit, uint32_t opts)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_upd *u = c->upd;
    size_t cbOut = 0;
    CALL(bj_rec_set(&c->t->schema, u->rec, u->cbRec, columnid, itag, pv, cb, grbit, opts, u->tmp,
                    c->dbc->cbPage, &cbOut));
    memcpy(u->rec, u->tmp, cbOut);
    u->cbRec = cbOut;
fail:
    return err;
}

/* Turns every real separated LV of the copy into a pending one (insert copies). */
static JET_ERR copy_detach_lvs(bj_tbl *c)
{
    JET_ERR err = JET_errSuccess;
    const bj_rec_schema *s = &c->t->schema;
    for (uint32_t i = 0; i < s->ctagged; i++) {
        const bj_rec_column *col = s->tagged[i];
        if (!bj_rec_coltyp_is_lv(col->coltyp))
            continue;
        for (uint32_t itag = 1;; itag++) {
            bj_rec_value v;
            CALL(bj_rec_retrieve(s, c->upd->rec, c->upd->cbRec, col->columnid, itag,
                                 JET_bitRetrieveIgnoreDefault, &v));
            if (err == JET_wrnColumnNull)
                break;
            if (!(v.flags & BJ_RECVAL_SEPARATED) || v.lid >= LID_PENDING)
                continue;
            uint8_t *pb;
            uint32_t cb = 0, ip = 0;
            bool fNull;
            CALL(value_read(c, c->upd->rec, c->upd->cbRec, col->columnid, itag, &pb, &cb, &fNull));
            err = pend_new(c->upd, &ip);
            if (err < 0) {
                bj_free(pb);
                goto fail;
            }
            c->upd->lv[ip] = (pendlv){.pb = pb, .cb = cb, .cbAlloc = cb, .fSeparate = true};
            uint8_t lidb[8];
            uint32_t cbl = bj_lv_lid_to_record(LID_PENDING + ip, lidb);
            CALL(copy_set(c, col->columnid, itag, lidb, cbl, 0, BJ_RECSET_SEPARATED));
        }
    }
    err = JET_errSuccess;
fail:
    return err;
}

static JET_ERR autoinc_next(bj_tbl *c, const bj_cat_column *col, uint64_t *pv)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = c->tdb;
    tbl_tabstate *ts = tbl_tabstate_get(d, c->t->objid);
    if (!ts)
        return BJ_ERR(JET_errOutOfMemory);
    bj_mutex_lock(&d->lock);
    if (!ts->fAutoInit) {
        /* ESE: the largest value in the table (any version) */
        uint64_t max = 0;
        bj_bt_cursor cur;
        err = bj_bt_cursor_open(c->ptPrimary, false, &cur);
        if (err >= 0) {
            for (err = bj_bt_move_first(&cur); err >= 0; err = bj_bt_move_next(&cur)) {
                const uint8_t *dt;
                uint32_t cbD;
                bj_rec_value v;
                if ((err = bj_bt_get(&cur, NULL, NULL, &dt, &cbD, NULL)) < 0)
                    break;
                if (bj_rec_retrieve(&c->t->schema, dt, cbD, col->columnid, 1, 0, &v) ==
                        JET_errSuccess &&
                    (v.cb == 4 || v.cb == 8)) {
                    uint64_t x = v.cb == 4 ? bj_ld32(v.pb) : bj_ld64(v.pb);
                    max = BJ_MAX(max, x);
                }
            }
            if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
                err = JET_errSuccess;
            bj_bt_cursor_close(&cur);
        }
        if (err >= 0) {
            ts->autoincLast = max;
            ts->fAutoInit = true;
        }
    }
    if (err >= 0)
        *pv = ++ts->autoincLast;
    bj_mutex_unlock(&d->lock);
    return err;
}

JET_ERR bj_tbl_prepare_update(bj_tbl *c, uint32_t prep)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_upd *u = NULL;
    if (prep == JET_prepCancel) {
        if (!c->upd)
            ERR(JET_errUpdateNotPrepared);
        bj_tbl_update_free(c);
        goto fail;
    }
    if (prep != JET_prepInsert && prep != JET_prepReplace && prep != JET_prepReplaceNoLock &&
        prep != JET_prepInsertCopy && prep != JET_prepInsertCopyDeleteOriginal)
        ERR(JET_errInvalidParameter);
    if (c->upd)
        ERR(JET_errAlreadyPrepared);
    CALL(writable(c));
    const bool fInsert = prep == JET_prepInsert;
    if (!fInsert && (c->state != BJ_TBL_ON || c->fCurDeleted))
        ERR(JET_errNoCurrentRecord);
    u = bj_calloc(1, sizeof(*u));
    if (!u)
        ERR(JET_errOutOfMemory);
    u->prep = prep;
    u->rec = bj_malloc(c->dbc->cbPage);
    u->tmp = bj_malloc(c->dbc->cbPage);
    if (!u->rec || !u->tmp)
        ERR(JET_errOutOfMemory);
    c->upd = u;
    if (fInsert) {
        CALL(bj_rec_init_insert(&c->t->schema, u->rec, c->dbc->cbPage, &u->cbRec));
    } else {
        memcpy(u->rec, c->rec, c->cbRec);
        u->cbRec = c->cbRec;
        u->bmOrig = bj_malloc(c->cbBm ? c->cbBm : 1);
        if (!u->bmOrig)
            ERR(JET_errOutOfMemory);
        memcpy(u->bmOrig, c->bm, c->cbBm);
        u->cbBmOrig = c->cbBm;
    }
    if (prep == JET_prepReplace) {
        if (!c->trx || bj_ver_trx_level(c->trx) == 0)
            ERR(JET_errNotInTransaction);
        CALL(tbl_node_lock(c->tdb, c->trx, c->ptPrimary, c->bm, c->cbBm, BJ_VER_WRITE_LOCK));
    }
    if (prep == JET_prepInsertCopy || prep == JET_prepInsertCopyDeleteOriginal)
        CALL(copy_detach_lvs(c));
    if (prep != JET_prepReplace && prep != JET_prepReplaceNoLock) {
        const bj_cat_column *ai = col_with(c->t, BJ_FFIELD_AUTOINC);
        const bj_cat_column *vc = col_with(c->t, BJ_FFIELD_VERSION);
        if (ai) {
            uint64_t v = 0;
            uint8_t b[8];
            CALL(autoinc_next(c, ai, &v));
            const uint32_t cb = ai->coltyp == JET_coltypLong ? 4 : 8;
            if (cb == 4)
                bj_st32(b, (uint32_t)v);
            else
                bj_st64(b, v);
            CALL(copy_set(c, ai->columnid, 1, b, cb, 0, 0));
        }
        if (vc) {
            uint8_t b[4];
            bj_st32(b, 0);
            CALL(copy_set(c, vc->columnid, 1, b, 4, 0, 0));
        }
    }
    u = NULL;
fail:
    if (u && c->upd == u)
        bj_tbl_update_free(c);
    else if (u) {
        bj_free(u->rec);
        bj_free(u->tmp);
        bj_free(u);
    }
    return err;
}

JET_ERR bj_tbl_set_column(bj_tbl *c, JET_COLUMNID columnid, const void *pv, uint32_t cb,
                          JET_GRBIT grbit, uint32_t ibLongValue, uint32_t itagSequence)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_upd *u = c->upd;
    uint8_t *cur = NULL;
    if (!u)
        ERR(JET_errUpdateNotPrepared);
    const bj_cat_column *col = tbl_column(c, columnid);
    if (!col)
        ERR(JET_errColumnNotFound);
    const bool fReplace = u->prep == JET_prepReplace || u->prep == JET_prepReplaceNoLock;
    if ((col->ffield & BJ_FFIELD_VERSION) && fReplace)
        ERR(JET_errInvalidColumnType);
    if (col->ffield & BJ_FFIELD_AUTOINC)
        ERR(JET_errInvalidColumnType);
    const JET_GRBIT lvbits = JET_bitSetAppendLV | JET_bitSetOverwriteLV | JET_bitSetSizeLV |
                             JET_bitSetSeparateLV | JET_bitSetIntrinsicLV;
    if (!bj_rec_coltyp_is_lv(col->coltyp)) {
        if (grbit & (JET_bitSetAppendLV | JET_bitSetOverwriteLV | JET_bitSetSizeLV))
            ERR(JET_errInvalidParameter);
        CALL(copy_set(c, columnid, itagSequence, pv, cb,
                      grbit & ~(lvbits | JET_bitSetUniqueNormalizedMultiValues), 0));
        goto fail;
    }
    /* long values: current instance, then the operation, kept pending. itagSequence 0 adds a
     * value only to a multi-valued column without an LV operation; else it means the first */
    const bool fOp0 =
        (grbit & (JET_bitSetAppendLV | JET_bitSetOverwriteLV | JET_bitSetSizeLV)) != 0;
    if (itagSequence == 0 && (fOp0 || !(col->ffield & BJ_FFIELD_MULTIVALUED)))
        itagSequence = 1;
    uint32_t count = 0;
    CALL(bj_rec_count_values(&c->t->schema, u->rec, u->cbRec, columnid,
                             JET_bitRetrieveIgnoreDefault, &count));
    const bool fExisting = itagSequence >= 1 && itagSequence <= count;
    const bool fOp = (grbit & (JET_bitSetAppendLV | JET_bitSetOverwriteLV | JET_bitSetSizeLV)) != 0;
    if (!fOp && !(grbit & JET_bitSetRevertToDefaultValue) && (cb == 0 || !pv) &&
        !(grbit & JET_bitSetZeroLength)) {
        if (fExisting || itagSequence <= 1)
            CALL(copy_set(c, columnid, itagSequence, NULL, 0, 0, 0)); /* NULL */
        goto fail;
    }
    if (grbit & JET_bitSetRevertToDefaultValue) {
        CALL(copy_set(c, columnid, itagSequence, NULL, 0, JET_bitSetRevertToDefaultValue, 0));
        goto fail;
    }
    uint32_t cbCur = 0;
    bool fNull = true;
    if (fExisting)
        CALL(value_read(c, u->rec, u->cbRec, columnid, itagSequence, &cur, &cbCur, &fNull));
    uint32_t cbNew;
    if (grbit & JET_bitSetSizeLV)
        cbNew = cb;
    else if (grbit & JET_bitSetAppendLV)
        cbNew = cbCur + cb;
    else if (grbit & JET_bitSetOverwriteLV) {
        if (ibLongValue > cbCur)
            ERR(JET_errInvalidParameter);
        cbNew = BJ_MAX(cbCur, ibLongValue + cb);
    } else
        cbNew = cb;
    if (cbNew > 0x7fffffffu)
        ERR(JET_errInvalidParameter);
    uint32_t ip = 0;
    CALL(pend_new(u, &ip));
    pendlv *p = &u->lv[ip];
    p->pb = bj_calloc(1, cbNew ? cbNew : 1);
    if (!p->pb)
        ERR(JET_errOutOfMemory);
    p->cb = p->cbAlloc = cbNew;
    p->fSeparate = (grbit & JET_bitSetSeparateLV) != 0;
    if ((grbit & JET_bitSetSizeLV) && cur && cbCur)
        memcpy(p->pb, cur, BJ_MIN(cbCur, cbNew));
    else if (grbit & JET_bitSetAppendLV) {
        if (cbCur)
            memcpy(p->pb, cur, cbCur);
        if (cb)
            memcpy(p->pb + cbCur, pv, cb);
    } else if (grbit & JET_bitSetOverwriteLV) {
        if (cbCur)
            memcpy(p->pb, cur, cbCur);
        if (cb)
            memcpy(p->pb + ibLongValue, pv, cb);
    } else if (cb)
        memcpy(p->pb, pv, cb);
    uint8_t lidb[8];
    uint32_t cbl = bj_lv_lid_to_record(LID_PENDING + ip, lidb);
    CALL(copy_set(c, columnid, fExisting ? itagSequence : 0, lidb, cbl,
                  grbit & JET_bitSetUniqueMultiValues, BJ_RECSET_SEPARATED));
fail:
    bj_free(cur);
    return err;
}

JET_ERR bj_tbl_retrieve_copy(bj_tbl *c, JET_COLUMNID columnid, void *pv, uint32_t cbMax,
                             uint32_t *pcbActual, JET_GRBIT grbit, uint32_t ibLongValue,
                             uint32_t itagSequence)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_upd *u = c->upd;
    if (!u)
        return bj_tbl_retrieve_column(c, columnid, pv, cbMax, pcbActual,
                                      grbit & ~(JET_GRBIT)JET_bitRetrieveCopy, ibLongValue,
                                      itagSequence);
    if (pcbActual)
        *pcbActual = 0;
    bj_rec_value v;
    if (!tbl_column(c, columnid))
        ERR(JET_errColumnNotFound);
    CALL(bj_rec_retrieve(&c->t->schema, u->rec, u->cbRec, columnid, itagSequence ? itagSequence : 1,
                         grbit & JET_bitRetrieveIgnoreDefault, &v));
    if (err == JET_errSuccess && (v.flags & BJ_RECVAL_SEPARATED) && v.lid >= LID_PENDING) {
        pendlv *p = &u->lv[v.lid - LID_PENDING];
        uint32_t avail = ibLongValue < p->cb ? p->cb - ibLongValue : 0;
        if (pcbActual)
            *pcbActual = avail;
        if (pv && avail)
            memcpy(pv, p->pb + ibLongValue, BJ_MIN(avail, cbMax));
        err = avail > cbMax ? JET_wrnBufferTruncated : JET_errSuccess;
        goto fail;
    }
    /* serve from the copy with the ordinary retrieval */
    uint8_t *rec = c->rec;
    uint32_t cbRec = c->cbRec;
    bj_tbl_state st = c->state;
    c->rec = u->rec;
    c->cbRec = (uint32_t)u->cbRec;
    c->state = BJ_TBL_ON;
    err =
        bj_tbl_retrieve_column(c, columnid, pv, cbMax, pcbActual,
                               grbit & ~(JET_GRBIT)JET_bitRetrieveCopy, ibLongValue, itagSequence);
    c->rec = rec;
    c->cbRec = cbRec;
    c->state = st;
fail:
    return err;
}

/* ---- index keys of a record ---- */

typedef struct keylist {
    uint8_t *pb;
    uint32_t ckey, cb;
    uint32_t *rgib, *rgcb; /* ckeyAlloc entries each (a multi-valued index: one per value) */
    uint32_t ckeyAlloc;
} keylist;

static void keylist_free(keylist *kl)
{
    bj_free(kl->pb);
    bj_free(kl->rgib);
    bj_free(kl->rgcb);
    memset(kl, 0, sizeof(*kl));
}

/* Room for ckey entries. */
static JET_ERR keylist_reserve(keylist *kl, uint32_t ckey)
{
    if (ckey <= kl->ckeyAlloc)
        return JET_errSuccess;
    uint32_t *ib = bj_realloc(kl->rgib, sizeof(uint32_t) * ckey);
    if (!ib)
        return BJ_ERR(JET_errOutOfMemory);
    kl->rgib = ib;
    uint32_t *cb = bj_realloc(kl->rgcb, sizeof(uint32_t) * ckey);
    if (!cb)
        return BJ_ERR(JET_errOutOfMemory);
    kl->rgcb = cb;
    kl->ckeyAlloc = ckey;
    return JET_errSuccess;
}

/* Long values for index keys (cat_idxkey.c): pending values of the copy, or the LV tree. */
static JET_ERR key_lvread(void *ctx, uint64_t lid, uint8_t *pv, uint32_t cbMax, uint32_t *pcb)
{
    bj_tbl *c = ctx;
    *pcb = 0;
    if (lid >= LID_PENDING && c->upd && lid - LID_PENDING < c->upd->clv) {
        const pendlv *p = &c->upd->lv[lid - LID_PENDING];
        *pcb = BJ_MIN(cbMax, p->cb);
        if (*pcb)
            memcpy(pv, p->pb, *pcb);
        return JET_errSuccess;
    }
    uint32_t total = 0;
    JET_ERR err = bj_tbl_lv_read(c, lid, 0, pv, cbMax, &total);
    if (err >= 0)
        *pcb = BJ_MIN(total, cbMax);
    return err;
}

/* The entry keys of rec in index x (the catalog's rules: multi-values, NULLs, conditional
 * columns), into kl. */
static JET_ERR index_keys(bj_tbl *c, const bj_cat_index *x, const uint8_t *rec, size_t cbRec,
                          keylist *kl)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_keys keys;
    bj_cat_keys_init(&keys);
    kl->ckey = 0;
    kl->cb = 0;
    if (x->fidb & BJ_FIDB_PRIMARY) {
        uint8_t *k = bj_malloc(JET_cbKeyMostMost);
        uint32_t cb = 0;
        if (!k)
            ERR(JET_errOutOfMemory);
        err = bj_cat_primary_key(c->t, rec, cbRec, key_lvread, c, k, &cb);
        if (err >= 0)
            err = keylist_reserve(kl, 1);
        if (err >= 0) {
            uint8_t *n = bj_realloc(kl->pb, cb + 1);
            if (!n)
                err = BJ_ERR(JET_errOutOfMemory);
            else {
                kl->pb = n;
                memcpy(kl->pb, k, cb);
                kl->rgib[0] = 0;
                kl->rgcb[0] = cb;
                kl->cb = cb;
                kl->ckey = 1;
            }
        }
        bj_free(k);
        CALL(err);
        goto fail;
    }
    CALL(bj_cat_index_keys(c->t, x, rec, cbRec, key_lvread, c, &keys));
    CALL(keylist_reserve(kl, keys.ckey));
    if (keys.ckey) {
        uint8_t *n = bj_realloc(kl->pb, keys.cbUsed + 1);
        if (!n)
            ERR(JET_errOutOfMemory);
        kl->pb = n;
        memcpy(kl->pb, keys.pb, keys.cbUsed);
        kl->cb = keys.cbUsed;
        for (uint32_t i = 0; i < keys.ckey; i++) {
            kl->rgib[i] = keys.rgib[i];
            kl->rgcb[i] = keys.rgcb[i];
        }
        kl->ckey = keys.ckey;
    }
fail:
    bj_cat_keys_free(&keys);
    return err;
}

static bool keylist_has(const keylist *kl, const uint8_t *k, uint32_t cb)
{
    for (uint32_t j = 0; j < kl->ckey; j++)
        if (bj_keycmp(kl->pb + kl->rgib[j], kl->rgcb[j], k, cb) == 0)
            return true;
    return false;
}

/* ---- JetUpdate ---- */

static JET_ERR dbk_next(bj_tbl *c, uint32_t *pdbk)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = c->tdb;
    tbl_tabstate *ts = tbl_tabstate_get(d, c->t->objid);
    if (!ts)
        return BJ_ERR(JET_errOutOfMemory);
    bj_mutex_lock(&d->lock);
    if (!ts->fDbkInit) {
        /* ESE ErrRECIInitDbkMost: the last node's DBK (deleted ones included) */
        bj_bt_cursor cur;
        uint32_t last = 0;
        err = bj_bt_cursor_open(c->ptPrimary, false, &cur);
        if (err >= 0) {
            err = bj_bt_move_last(&cur);
            const uint8_t *k;
            uint32_t cbK;
            if (err >= 0 && (err = bj_bt_get(&cur, &k, &cbK, NULL, NULL, NULL)) >= 0 && cbK == 4)
                last = bj_ld32be(k);
            if (err == JET_errRecordNotFound)
                err = JET_errSuccess;
            bj_bt_cursor_close(&cur);
        }
        if (err >= 0) {
            ts->dbkLast = last;
            ts->fDbkInit = true;
        }
    }
    if (err >= 0)
        *pdbk = ++ts->dbkLast;
    bj_mutex_unlock(&d->lock);
    return err;
}

/* Replaces the pending LVs of the copy into out: intrinsic when small (threshold), else new
 * separated values (written only when fWrite). */
static JET_ERR materialize(bj_tbl *c, uint8_t *rec, size_t *pcbRec, uint32_t threshold, bool fWrite)
{
    JET_ERR err = JET_errSuccess;
    const bj_rec_schema *s = &c->t->schema;
    uint8_t *tmp = bj_malloc(c->dbc->cbPage);
    if (!tmp)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < s->ctagged; i++) {
        const bj_rec_column *col = s->tagged[i];
        if (!bj_rec_coltyp_is_lv(col->coltyp))
            continue;
        for (uint32_t itag = 1;; itag++) {
            bj_rec_value v;
            CALL(bj_rec_retrieve(s, rec, *pcbRec, col->columnid, itag, JET_bitRetrieveIgnoreDefault,
                                 &v));
            if (err == JET_wrnColumnNull)
                break;
            if (!(v.flags & BJ_RECVAL_SEPARATED) || v.lid < LID_PENDING)
                continue;
            pendlv *p = &c->upd->lv[v.lid - LID_PENDING];
            size_t cbOut;
            if (p->cb == 0 || (!p->fSeparate && p->cb <= threshold)) {
                CALL(bj_rec_set(s, rec, *pcbRec, col->columnid, itag, p->pb, p->cb,
                                JET_bitSetZeroLength, 0, tmp, c->dbc->cbPage, &cbOut));
            } else if (fWrite) {
                uint32_t lid = 0;
                uint8_t lidb[8];
                CALL(lv_write(c, p->pb, p->cb, &lid));
                uint32_t cbl = bj_lv_lid_to_record(lid, lidb);
                CALL(bj_rec_set(s, rec, *pcbRec, col->columnid, itag, lidb, cbl, 0,
                                BJ_RECSET_SEPARATED, tmp, c->dbc->cbPage, &cbOut));
            } else {
                continue;
            }
            memcpy(rec, tmp, cbOut);
            *pcbRec = cbOut;
        }
    }
    err = JET_errSuccess;
fail:
    bj_free(tmp);
    return err;
}

static JET_ERR do_update(bj_tbl *c, uint8_t *bmOut, uint32_t *pcbBm)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_upd *u = c->upd;
    bj_tbl_db *d = c->tdb;
    const uint32_t cbPage = c->dbc->cbPage;
    const bool fReplace = u->prep == JET_prepReplace || u->prep == JET_prepReplaceNoLock;
    uint8_t *rec = bj_malloc(cbPage), *old = bj_malloc(cbPage);
    uint32_t *rgOld = NULL, *rgNew = NULL, *rgDrop = NULL, cOld = 0, cNew = 0, cDrop = 0;
    keylist klNew = {0}, klOld = {0};
    size_t cbRec = u->cbRec;
    uint32_t cbOld = 0;
    uint8_t bm[BJ_KEY_CB_MOST_MOST + 8];
    uint32_t cbBm = 0;
    if (!rec || !old)
        ERR(JET_errOutOfMemory);
    memcpy(rec, u->rec, cbRec);
    /* decide long values: intrinsic when small and the record fits, else separated */
    err = materialize(c, rec, &cbRec, bj_lv_intrinsic_most(0), false);
    if (err == JET_errRecordTooBig) {
        memcpy(rec, u->rec, u->cbRec);
        cbRec = u->cbRec;
        err = materialize(c, rec, &cbRec, 0, false);
    }
    CALL(err);
    JET_COLUMNID colNull = 0;
    CALL(bj_rec_find_null_notnull(&c->t->schema, rec, cbRec, &colNull));
    if (colNull)
        ERR(JET_errNullInvalid);
    CALL(materialize(c, rec, &cbRec, 0, true));
    /* the bookmark */
    if (c->t->fHasPrimary) {
        CALL(index_keys(c, &c->t->rgidx[0], rec, cbRec, &klNew));
        if (klNew.ckey != 1)
            ERR(JET_errNullKeyDisallowed);
        cbBm = klNew.rgcb[0];
        memcpy(bm, klNew.pb, cbBm);
    } else if (fReplace) {
        cbBm = u->cbBmOrig;
        memcpy(bm, u->bmOrig, cbBm);
    } else {
        uint32_t dbk = 0;
        CALL(dbk_next(c, &dbk));
        bj_st32be(bm, dbk);
        cbBm = 4;
    }
    if (fReplace) {
        if (bj_keycmp(bm, cbBm, u->bmOrig, u->cbBmOrig) != 0)
            ERR(JET_errRecordPrimaryChanged);
        /* the record as it is now (the version we replace) */
        bj_bt_cursor cur;
        CALL(bj_bt_cursor_open(c->ptPrimary, false, &cur));
        const uint8_t *dt;
        uint8_t nflags = 0;
        err = bj_bt_seek(&cur, bm, cbBm, BJ_BT_SEEK_EQ);
        if (err >= 0)
            err = bj_bt_get(&cur, NULL, NULL, &dt, &cbOld, &nflags);
        if (err >= 0)
            memcpy(old, dt, cbOld);
        bj_bt_cursor_close(&cur);
        if (err >= 0 && (nflags & BJ_ND_DELETED))
            ERR(tbl_node_deleted_error(d, c->trx, c->ptPrimary, bm, cbBm));
        if (err == JET_errRecordNotFound)
            ERR(JET_errRecordDeleted);
        CALL(err);
        /* long values the new version no longer points to: freed at cleanup */
        CALL(record_lids(c, old, cbOld, &rgOld, &cOld));
        CALL(record_lids(c, rec, cbRec, &rgNew, &cNew));
        rgDrop = bj_calloc(cOld + 1, sizeof(uint32_t));
        if (!rgDrop)
            ERR(JET_errOutOfMemory);
        for (uint32_t i = 0; i < cOld; i++) {
            bool keep = false;
            for (uint32_t j = 0; j < cNew && !keep; j++)
                keep = rgOld[i] == rgNew[j];
            if (!keep)
                rgDrop[cDrop++] = rgOld[i];
        }
        const bj_cat_column *vc = col_with(c->t, BJ_FFIELD_VERSION);
        if (vc) {
            bj_rec_value v;
            uint32_t ver = 0;
            if (bj_rec_retrieve(&c->t->schema, old, cbOld, vc->columnid, 1, 0, &v) ==
                    JET_errSuccess &&
                v.cb == 4)
                ver = bj_ld32(v.pb);
            uint8_t b[4];
            size_t cbOut;
            bj_st32(b, ver + 1);
            CALL(bj_rec_set(&c->t->schema, rec, cbRec, vc->columnid, 1, b, 4, 0, 0, u->tmp, cbPage,
                            &cbOut));
            memcpy(rec, u->tmp, cbOut);
            cbRec = cbOut;
        }
        CALL(tbl_node_replace(d, c->trx, c->ptPrimary, bm, cbBm, rec, (uint32_t)cbRec, rgDrop,
                              cDrop, c->ptLV));
    } else {
        CALL(tbl_node_insert(d, c->trx, c->ptPrimary, bm, cbBm, rec, (uint32_t)cbRec));
    }
    /* secondary indexes: entries removed, then entries added */
    for (uint32_t i = c->t->fHasPrimary ? 1 : 0; i < c->t->cidx; i++) {
        const bj_cat_index *x = &c->t->rgidx[i];
        bj_bt_tree *tr;
        CALL(bj_tbl_db_tree(d, x->pgnoFDP, x->objid, &tr));
        CALL(index_keys(c, x, rec, cbRec, &klNew));
        klOld.ckey = 0;
        if (fReplace)
            CALL(index_keys(c, x, old, cbOld, &klOld));
        for (uint32_t j = 0; j < klOld.ckey; j++) {
            if (keylist_has(&klNew, klOld.pb + klOld.rgib[j], klOld.rgcb[j]))
                continue;
            CALL(tbl_node_delete(d, c->trx, tr, klOld.pb + klOld.rgib[j], klOld.rgcb[j], bm, cbBm,
                                 NULL, 0, NULL));
        }
        for (uint32_t j = 0; j < klNew.ckey; j++) {
            if (keylist_has(&klOld, klNew.pb + klNew.rgib[j], klNew.rgcb[j]))
                continue;
            CALL(tbl_node_insert(d, c->trx, tr, klNew.pb + klNew.rgib[j], klNew.rgcb[j], bm, cbBm));
        }
    }
    memcpy(bmOut, bm, cbBm);
    *pcbBm = cbBm;
fail:
    keylist_free(&klNew);
    keylist_free(&klOld);
    bj_free(rgOld);
    bj_free(rgNew);
    bj_free(rgDrop);
    bj_free(rec);
    bj_free(old);
    return err;
}

static JET_ERR do_delete(bj_tbl *c);

/* Runs fn inside a nested level of c's transaction: rolled back on error. */
static JET_ERR atomically(bj_tbl *c, JET_ERR err)
{
    if (err < 0) {
        JET_ERR errRb = bj_ver_trx_rollback(c->trx, 0);
        return errRb < 0 ? errRb : err;
    }
    JET_ERR errC = bj_ver_trx_commit(c->trx, 0);
    return errC < 0 ? errC : err;
}

JET_ERR bj_tbl_update(bj_tbl *c, void *pvBm, uint32_t cbBm, uint32_t *pcbBm)
{
    JET_ERR err = JET_errSuccess;
    uint8_t bm[BJ_KEY_CB_MOST_MOST + 8];
    uint32_t cb = 0;
    if (pcbBm)
        *pcbBm = 0;
    if (!c->upd)
        ERR(JET_errUpdateNotPrepared);
    CALL(writable(c));
    if (!c->trx || bj_ver_trx_level(c->trx) == 0)
        ERR(JET_errNotInTransaction);
    bj_ver_make_room(c->tdb->ver);
    CALL(bj_ver_trx_begin_internal(c->trx));
    err = JET_errSuccess;
    if (c->upd->prep == JET_prepInsertCopyDeleteOriginal) {
        /* the original goes first (its long values were copied), so its unique keys can be
         * taken by the copy */
        memcpy(c->bm, c->upd->bmOrig, c->upd->cbBmOrig);
        c->cbBm = c->upd->cbBmOrig;
        err = do_delete(c);
    }
    if (err >= 0)
        err = do_update(c, bm, &cb);
    CALL(atomically(c, err));
    if (c->upd->prep == JET_prepInsertCopyDeleteOriginal)
        c->fCurDeleted = true;
    if (pcbBm)
        *pcbBm = cb;
    if (pvBm)
        memcpy(pvBm, bm, BJ_MIN(cb, cbBm));
    const bool fReplace = c->upd->prep == JET_prepReplace || c->upd->prep == JET_prepReplaceNoLock;
    bj_tbl_update_free(c);
    /* ESE: after a replace the cursor stays on the record; after an insert it stays where it
     * was (we refresh the current record if it is the one replaced) */
    if (fReplace && c->state == BJ_TBL_ON && bj_keycmp(c->bm, c->cbBm, bm, cb) == 0)
        (void)bj_tbl_goto_bookmark(c, bm, cb);
    if (pvBm && cbBm < cb)
        err = JET_wrnBufferTruncated;
fail:
    return err;
}

/* Deletes the record with bookmark c->bm (inside the caller's level). */
static JET_ERR do_delete(bj_tbl *c)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = c->tdb;
    uint8_t *old = bj_malloc(c->dbc->cbPage);
    uint32_t cbOld = 0, *rgLid = NULL, cLid = 0;
    keylist kl = {0};
    if (!old)
        ERR(JET_errOutOfMemory);
    bj_bt_cursor cur;
    CALL(bj_bt_cursor_open(c->ptPrimary, false, &cur));
    const uint8_t *dt;
    uint8_t nflags = 0;
    err = bj_bt_seek(&cur, c->bm, c->cbBm, BJ_BT_SEEK_EQ);
    if (err >= 0)
        err = bj_bt_get(&cur, NULL, NULL, &dt, &cbOld, &nflags);
    if (err >= 0)
        memcpy(old, dt, cbOld);
    bj_bt_cursor_close(&cur);
    if (err >= 0 && (nflags & BJ_ND_DELETED))
        ERR(tbl_node_deleted_error(d, c->trx, c->ptPrimary, c->bm, c->cbBm));
    if (err == JET_errRecordNotFound)
        ERR(JET_errRecordDeleted);
    CALL(err);
    CALL(record_lids(c, old, cbOld, &rgLid, &cLid));
    CALL(
        tbl_node_delete(d, c->trx, c->ptPrimary, c->bm, c->cbBm, old, cbOld, rgLid, cLid, c->ptLV));
    for (uint32_t i = c->t->fHasPrimary ? 1 : 0; i < c->t->cidx; i++) {
        const bj_cat_index *x = &c->t->rgidx[i];
        bj_bt_tree *tr;
        CALL(bj_tbl_db_tree(d, x->pgnoFDP, x->objid, &tr));
        CALL(index_keys(c, x, old, cbOld, &kl));
        for (uint32_t j = 0; j < kl.ckey; j++)
            CALL(tbl_node_delete(d, c->trx, tr, kl.pb + kl.rgib[j], kl.rgcb[j], c->bm, c->cbBm,
                                 NULL, 0, NULL));
    }
fail:
    keylist_free(&kl);
    bj_free(rgLid);
    bj_free(old);
    return err;
}

JET_ERR bj_tbl_delete(bj_tbl *c)
{
    JET_ERR err = JET_errSuccess;
    CALL(writable(c));
    if (c->state != BJ_TBL_ON || c->fCurDeleted)
        ERR(JET_errNoCurrentRecord);
    if (!c->trx || bj_ver_trx_level(c->trx) == 0)
        ERR(JET_errNotInTransaction);
    bj_ver_make_room(c->tdb->ver);
    CALL(bj_ver_trx_begin_internal(c->trx));
    CALL(atomically(c, do_delete(c)));
    c->fCurDeleted = true;
fail:
    return err;
}

JET_ERR bj_tbl_escrow_update(bj_tbl *c, JET_COLUMNID columnid, const void *pv, uint32_t cb,
                             void *pvOld, uint32_t cbOldMax, uint32_t *pcbOldActual,
                             JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    if (pcbOldActual)
        *pcbOldActual = 0;
    CALL(writable(c));
    if (grbit & ~(JET_GRBIT)JET_bitEscrowNoRollback)
        ERR(JET_errInvalidGrbit);
    if (c->upd)
        ERR(JET_errAlreadyPrepared);
    const bj_cat_column *col = tbl_column(c, columnid);
    if (!col)
        ERR(JET_errColumnNotFound);
    if ((columnid & 0xffff) > BJ_REC_FID_FIXED_LAST)
        ERR(JET_errInvalidOperation);
    if (cb != 4 || !pv || col->coltyp != JET_coltypLong)
        ERR(JET_errInvalidBufferSize);
    if (pvOld && cbOldMax != 0 && cbOldMax < 4)
        ERR(JET_errInvalidBufferSize);
    if (!(col->ffield & BJ_FFIELD_ESCROW))
        ERR(JET_errInvalidOperation);
    if (c->state != BJ_TBL_ON || c->fCurDeleted)
        ERR(JET_errNoCurrentRecord);
    if (!c->trx || bj_ver_trx_level(c->trx) == 0)
        ERR(JET_errNotInTransaction);
    bj_rec_value v;
    CALL(bj_rec_retrieve(&c->t->schema, c->rec, c->cbRec, columnid, 1, 0, &v));
    if (err == JET_wrnColumnNull || (v.flags & BJ_RECVAL_DEFAULT) || v.cb != 4)
        ERR(JET_errInvalidOperation); /* the escrow column is not stored in the record */
    const uint32_t ib = (uint32_t)(v.pb - c->rec);
    uint32_t oldv = 0;
    CALL(tbl_node_delta(c->tdb, c->trx, c->ptPrimary, c->bm, c->cbBm, ib, (int32_t)bj_ld32(pv),
                        (grbit & JET_bitEscrowNoRollback) != 0, &oldv));
    if (pvOld && cbOldMax >= 4)
        bj_st32(pvOld, oldv);
    if (pcbOldActual)
        *pcbOldActual = 4;
    /* the cursor's copy follows */
    bj_st32(c->rec + ib, oldv + bj_ld32(pv));
fail:
    return err;
}

JET_ERR bj_tbl_get_lock(bj_tbl *c, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    if (grbit != JET_bitReadLock && grbit != JET_bitWriteLock)
        ERR(JET_errInvalidGrbit);
    if (c->state != BJ_TBL_ON || c->fCurDeleted)
        ERR(JET_errNoCurrentRecord);
    if (!c->trx || bj_ver_trx_level(c->trx) == 0)
        ERR(JET_errNotInTransaction);
    if (grbit == JET_bitWriteLock)
        CALL(writable(c));
    CALL(tbl_node_lock(c->tdb, c->trx, c->ptPrimary, c->bm, c->cbBm,
                       grbit == JET_bitReadLock ? BJ_VER_READ_LOCK : BJ_VER_WRITE_LOCK));
fail:
    return err;
}
