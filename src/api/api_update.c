/* api_update.c: Jet* entry points for record writes: JetPrepareUpdate, JetSetColumn(s),
 * JetUpdate / JetUpdate2, JetDelete, JetEscrowUpdate, JetGetLock. Each enters the session,
 * resolves the table and calls src/tbl (tbl_write.h). A write outside a transaction runs in an
 * implicit one (begun and committed, or rolled back on error, around the call), as ESE does.
 */
#include "api/api.h"
#include "inst/tableid.h"
#include "inst/tempdb.h"
#include "tbl/tbl_write.h"
#include "ver/ver.h"

/* Implicit transaction around a write at level 0: *pfImplicit says whether one was begun. */
static JET_ERR implicit_begin(bj_sess *s, bj_tableobj *o, bool *pfImplicit)
{
    JET_ERR err = JET_errSuccess;
    bj_trx *trx;
    *pfImplicit = false;
    bj_tableid_write_begin(o); /* until implicit_end */
    if (o->tt) { /* temporary tables: a transaction of their own per write (tempdb.h) */
        trx = bj_temp_trx(o->tt);
        CALL(bj_ver_trx_begin(trx));
        *pfImplicit = true;
        bj_tbl_set_reader(o->tbl, trx, 0);
        goto fail;
    }
    CALL(bj_api_sess_trx(s, &trx));
    if (bj_ver_trx_level(trx) == 0) {
        CALL(bj_ver_trx_begin(trx));
        *pfImplicit = true;
    }
    bj_tbl_set_reader(o->tbl, trx, 0);
fail:
    return err;
}

static JET_ERR implicit_end(bj_sess *s, bj_tableobj *o, bool fImplicit, JET_ERR err)
{
    bj_tableid_write_end(o);
    if (o->tt && fImplicit)
        return bj_temp_write_end(o->tt, o->tbl, err);
    if (!fImplicit)
        return err;
    if (err < 0) {
        (void)bj_ver_trx_rollback(s->ver_state, 0);
        return err;
    }
    JET_ERR errC = bj_ver_trx_commit(s->ver_state, 0);
    return errC < 0 ? errC : err;
}

BJ_EXPORT JET_ERR JetPrepareUpdate(JET_SESID sesid, JET_TABLEID tableid, uint32_t prep)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    bj_trx *trx;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    if (o->tt) {
        /* a sort's rules; no record locks outside transactions of its own (tempdb.h) */
        if (prep == JET_prepInsert || prep == JET_prepInsertCopy)
            err = bj_temp_check(o->tt, BJ_TEMP_INSERT);
        else if (prep != JET_prepCancel)
            err = bj_temp_check(o->tt, BJ_TEMP_WRITE);
        if (prep == JET_prepReplace)
            prep = JET_prepReplaceNoLock;
        if (err >= 0)
            err = bj_tbl_prepare_update(o->tbl, prep);
        goto leave;
    }
    err = bj_api_sess_trx(s, &trx);
    if (err >= 0) {
        bj_tbl_set_reader(o->tbl, trx, o->tbl->snap_ts);
        err = bj_tbl_prepare_update(o->tbl, prep);
    }
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}

static JET_ERR set_one(bj_tbl *c, JET_COLUMNID columnid, const void *pv, uint32_t cb,
                       JET_GRBIT grbit, uint32_t ib, uint32_t itag)
{
    const JET_GRBIT all = JET_bitSetAppendLV | JET_bitSetOverwriteLV | JET_bitSetSizeLV |
                          JET_bitSetZeroLength | JET_bitSetSeparateLV |
                          JET_bitSetUniqueMultiValues | JET_bitSetUniqueNormalizedMultiValues |
                          JET_bitSetRevertToDefaultValue | JET_bitSetIntrinsicLV;
    if (grbit & ~all)
        return BJ_ERR(JET_errInvalidGrbit);
    if (!pv && cb && !(grbit & JET_bitSetSizeLV))
        return BJ_ERR(JET_errInvalidParameter);
    return bj_tbl_set_column(c, columnid, pv, cb, grbit, ib, itag);
}

BJ_EXPORT JET_ERR JetSetColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                               const void *pvData, uint32_t cbData, JET_GRBIT grbit,
                               JET_SETINFO *psetinfo)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    uint32_t ib = 0, itag = 0;
    if (psetinfo) {
        if (psetinfo->cbStruct < sizeof(JET_SETINFO)) {
            err = BJ_ERR(JET_errInvalidParameter);
            goto leave;
        }
        ib = psetinfo->ibLongValue;
        itag = psetinfo->itagSequence;
    }
    err = set_one(o->tbl, columnid, pvData, cbData, grbit, ib, itag);
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSetColumns(JET_SESID sesid, JET_TABLEID tableid, JET_SETCOLUMN *psetcolumn,
                                uint32_t csetcolumn)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    if (!psetcolumn && csetcolumn) {
        err = BJ_ERR(JET_errInvalidParameter);
        goto leave;
    }
    for (uint32_t i = 0; i < csetcolumn; i++) {
        JET_SETCOLUMN *sc = &psetcolumn[i];
        sc->err = set_one(o->tbl, sc->columnid, sc->pvData, sc->cbData, sc->grbit, sc->ibLongValue,
                          sc->itagSequence);
        if (sc->err < 0) {
            err = sc->err;
            break;
        }
        if (sc->err > 0)
            err = sc->err;
    }
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetUpdate2(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                             uint32_t cbBookmark, uint32_t *pcbActual, const JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    bool fImplicit = false;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    if (grbit & ~(JET_GRBIT)JET_bitUpdateCheckESE97Compatibility) {
        err = BJ_ERR(JET_errInvalidGrbit);
        goto leave;
    }
    if (!bj_tbl_update_prepared(o->tbl)) {
        err = BJ_ERR(JET_errUpdateNotPrepared);
        goto leave;
    }
    err = implicit_begin(s, o, &fImplicit);
    if (err >= 0)
        err = bj_tbl_update(o->tbl, pvBookmark, cbBookmark, pcbActual);
    err = implicit_end(s, o, fImplicit, err);
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetUpdate(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                            uint32_t cbBookmark, uint32_t *pcbActual)
{
    return JetUpdate2(sesid, tableid, pvBookmark, cbBookmark, pcbActual, 0);
}

BJ_EXPORT JET_ERR JetDelete(JET_SESID sesid, JET_TABLEID tableid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    bool fImplicit = false;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    if (o->tt)
        err = bj_temp_check(o->tt, BJ_TEMP_WRITE);
    if (err >= 0)
        err = implicit_begin(s, o, &fImplicit);
    if (err >= 0)
        err = bj_tbl_delete(o->tbl);
    err = implicit_end(s, o, fImplicit, err);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetEscrowUpdate(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                                  void *pv, uint32_t cbMax, void *pvOld, uint32_t cbOldMax,
                                  uint32_t *pcbOldActual, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    bool fImplicit = false;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    err = implicit_begin(s, o, &fImplicit);
    if (err >= 0)
        err =
            bj_tbl_escrow_update(o->tbl, columnid, pv, cbMax, pvOld, cbOldMax, pcbOldActual, grbit);
    err = implicit_end(s, o, fImplicit, err);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGetLock(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_TRX_OWNER, &s, &o));
    err = bj_tbl_get_lock(o->tbl, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}
