/* api_table.c: Jet* entry points for tables and cursors on the read path: open/close, current
 * index, moves, keys, seeks, ranges, counts, positions, bookmarks, key retrieval. Each enters
 * the session, resolves the JET_TABLEID (src/inst/tableid.c) and calls src/tbl. */
#include "api/api.h"
#include "inst/tableid.h"
#include "inst/tempdb.h"
#include "tbl/tbl_write.h"

BJ_EXPORT JET_ERR JetOpenTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                               const void *pvParameters, uint32_t cbParameters, JET_GRBIT grbit,
                               JET_TABLEID *ptableid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    (void)pvParameters;
    (void)cbParameters;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!ptableid)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_tableid_open(s, dbid, szTableName, grbit, ptableid);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetOpenTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                      const void *pvParameters, uint32_t cbParameters, JET_GRBIT grbit,
                      JET_TABLEID *ptableid) BJ_ALIAS(JetOpenTable);

BJ_EXPORT JET_ERR JetCloseTable(JET_SESID sesid, JET_TABLEID tableid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_tableid_close(s, tableid);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSetCurrentIndex4(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                      JET_INDEXID *pindexid, JET_GRBIT grbit, uint32_t itagSequence)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    (void)pindexid; /* a hint only: the name decides */
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (itagSequence > 1 && grbit == JET_bitNoMove)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_tbl_set_index(o->tbl, szIndexName, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}
JET_ERR JetSetCurrentIndex4A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                             JET_INDEXID *pindexid, JET_GRBIT grbit, uint32_t itagSequence)
    BJ_ALIAS(JetSetCurrentIndex4);

BJ_EXPORT JET_ERR JetSetCurrentIndex3(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                      JET_GRBIT grbit, uint32_t itagSequence)
{
    return JetSetCurrentIndex4(sesid, tableid, szIndexName, NULL, grbit, itagSequence);
}
JET_ERR JetSetCurrentIndex3A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                             JET_GRBIT grbit, uint32_t itagSequence) BJ_ALIAS(JetSetCurrentIndex3);

BJ_EXPORT JET_ERR JetSetCurrentIndex2(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                      JET_GRBIT grbit)
{
    return JetSetCurrentIndex4(sesid, tableid, szIndexName, NULL, grbit, 1);
}
JET_ERR JetSetCurrentIndex2A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                             JET_GRBIT grbit) BJ_ALIAS(JetSetCurrentIndex2);

BJ_EXPORT JET_ERR JetSetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName)
{
    return JetSetCurrentIndex4(sesid, tableid, szIndexName, NULL, JET_bitMoveFirst, 1);
}
JET_ERR JetSetCurrentIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName)
    BJ_ALIAS(JetSetCurrentIndex);

BJ_EXPORT JET_ERR JetGetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PSTR szIndexName,
                                     uint32_t cbIndexName)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    const char *name = bj_tbl_index_name(o->tbl);
    size_t n = strlen(name);
    if (!szIndexName || cbIndexName == 0) {
        err = BJ_ERR(JET_errInvalidParameter);
    } else {
        size_t c = BJ_MIN(n, (size_t)cbIndexName - 1);
        memcpy(szIndexName, name, c);
        szIndexName[c] = 0;
        if (c < n)
            err = JET_wrnBufferTruncated;
    }
    bj_api_table_leave(s, o);
fail:
    return err;
}
JET_ERR JetGetCurrentIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PSTR szIndexName,
                            uint32_t cbIndexName) BJ_ALIAS(JetGetCurrentIndex);

BJ_EXPORT JET_ERR JetMove(JET_SESID sesid, JET_TABLEID tableid, int32_t cRow, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (o->tt) /* a sort's rules (tempdb.h) */
        err = bj_temp_check(o->tt, cRow < 0 && cRow != (int32_t)JET_MoveFirst ? BJ_TEMP_MOVE_BACK
                                                                              : BJ_TEMP_MOVE_FWD);
    if (err >= 0)
        err = bj_tbl_move(o->tbl, cRow, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetMakeKey(JET_SESID sesid, JET_TABLEID tableid, const void *pvData,
                             uint32_t cbData, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_COPY, &s, &o));
    if (!pvData && cbData)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_tbl_make_key(o->tbl, pvData, cbData, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSeek(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (o->tt)
        err = bj_temp_check(o->tt, BJ_TEMP_SEEK);
    if (err >= 0)
        err = bj_tbl_seek(o->tbl, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSetIndexRange(JET_SESID sesid, JET_TABLEID tableidSrc, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableidSrc, 0, &s, &o));
    if (o->tt)
        err = bj_temp_check(o->tt, BJ_TEMP_SEEK);
    if (err >= 0)
        err = bj_tbl_set_index_range(o->tbl, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetIndexRecordCount(JET_SESID sesid, JET_TABLEID tableid, uint32_t *pcrec,
                                      uint32_t crecMax)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (!pcrec)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_tbl_index_record_count(o->tbl, pcrec, crecMax);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetIndexRecordCount2(JET_SESID sesid, JET_TABLEID tableid, uint64_t *pcrec,
                                       uint64_t crecMax)
{
    uint32_t n = 0;
    JET_ERR err;
    if (!pcrec)
        return BJ_ERR(JET_errInvalidParameter);
    err = JetIndexRecordCount(sesid, tableid, &n, crecMax > UINT32_MAX ? 0 : (uint32_t)crecMax);
    *pcrec = n;
    return err;
}

BJ_EXPORT JET_ERR JetGetRecordPosition(JET_SESID sesid, JET_TABLEID tableid, JET_RECPOS *precpos,
                                       uint32_t cbRecpos)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (!precpos || cbRecpos < sizeof(JET_RECPOS)) {
        err = BJ_ERR(JET_errInvalidParameter);
    } else {
        uint32_t lt = 0, total = 0;
        err = bj_tbl_get_position(o->tbl, &lt, &total);
        if (err >= 0) {
            precpos->cbStruct = sizeof(JET_RECPOS);
            precpos->centriesLT = lt;
            precpos->centriesInRange = 1;
            precpos->centriesTotal = total;
        }
    }
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGotoPosition(JET_SESID sesid, JET_TABLEID tableid, JET_RECPOS *precpos)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (!precpos)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_tbl_goto_position(o->tbl, precpos->centriesLT, precpos->centriesTotal);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGetBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                                 uint32_t cbMax, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    err = bj_tbl_get_bookmark(o->tbl, pvBookmark, cbMax, pcbActual);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGotoBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                                  uint32_t cbBookmark)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    if (!pvBookmark || cbBookmark == 0)
        err = BJ_ERR(JET_errInvalidBookmark);
    else
        err = bj_tbl_goto_bookmark(o->tbl, pvBookmark, cbBookmark);
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetRetrieveKey(JET_SESID sesid, JET_TABLEID tableid, void *pvKey, uint32_t cbMax,
                                 uint32_t *pcbActual, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, 0, &s, &o));
    err = bj_tbl_retrieve_key(o->tbl, pvKey, cbMax, pcbActual, grbit);
    bj_api_table_leave(s, o);
fail:
    return err;
}

/* ---- retrieval ---- */

#define RETRIEVE_GRBITS                                                                            \
    (JET_bitRetrieveCopy | JET_bitRetrieveFromIndex | JET_bitRetrieveFromPrimaryBookmark |         \
     JET_bitRetrieveTag | JET_bitRetrieveNull | JET_bitRetrieveIgnoreDefault |                     \
     JET_bitRetrieveCopyIntrinsic)

static JET_ERR retrieve_one(bj_tbl *c, JET_COLUMNID columnid, void *pv, uint32_t cbData,
                            uint32_t *pcbActual, JET_GRBIT grbit, uint32_t ib, uint32_t itag)
{
    if (grbit & ~(JET_GRBIT)RETRIEVE_GRBITS)
        return BJ_ERR(JET_errInvalidGrbit);
    if (!pv && cbData)
        return BJ_ERR(JET_errInvalidParameter);
    if (grbit & JET_bitRetrieveCopy)
        return bj_tbl_retrieve_copy(c, columnid, pv, cbData, pcbActual, grbit, ib, itag);
    if (c->fCurDeleted)
        return BJ_ERR(JET_errRecordDeleted);
    return bj_tbl_retrieve_column(c, columnid, pv, cbData, pcbActual, grbit, ib, itag);
}

BJ_EXPORT JET_ERR JetRetrieveColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                                    void *pvData, uint32_t cbData, uint32_t *pcbActual,
                                    JET_GRBIT grbit, JET_RETINFO *pretinfo)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_COPY, &s, &o));
    uint32_t ib = 0, itag = 1;
    if (pretinfo) {
        if (pretinfo->cbStruct < sizeof(JET_RETINFO)) {
            err = BJ_ERR(JET_errInvalidParameter);
            goto leave;
        }
        ib = pretinfo->ibLongValue;
        itag = pretinfo->itagSequence;
        pretinfo->columnidNextTagged = 0;
    }
    err = retrieve_one(o->tbl, columnid, pvData, cbData, pcbActual, grbit, ib, itag);
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetRetrieveColumns(JET_SESID sesid, JET_TABLEID tableid,
                                     JET_RETRIEVECOLUMN *pretrievecolumn, uint32_t cretrievecolumn)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s;
    bj_tableobj *o;
    CALL(bj_api_table_enter(sesid, tableid, BJ_API_TABLE_COPY, &s, &o));
    if (!pretrievecolumn && cretrievecolumn) {
        err = BJ_ERR(JET_errInvalidParameter);
        goto leave;
    }
    /* ESE: each element gets its own err; the call returns the first error, else the last
     * warning. The record copy does not change during the call: parsed once. */
    bj_tbl_retrieve_batch(o->tbl, true);
    for (uint32_t i = 0; i < cretrievecolumn; i++) {
        JET_RETRIEVECOLUMN *r = &pretrievecolumn[i];
        r->columnidNextTagged = 0;
        if (r->itagSequence == 0) {
            /* ESE: itagSequence 0 asks for the number of values, returned in itagSequence */
            r->err = bj_tbl_count_values(o->tbl, r->columnid, r->grbit, &r->itagSequence);
            if (r->err < 0) {
                err = r->err;
                break;
            }
            continue;
        }
        r->err = retrieve_one(o->tbl, r->columnid, r->pvData, r->cbData, &r->cbActual, r->grbit,
                              r->ibLongValue, r->itagSequence);
        if (r->err < 0) {
            err = r->err;
            break;
        }
        if (r->err > 0)
            err = r->err;
    }
    bj_tbl_retrieve_batch(o->tbl, false);
leave:
    bj_api_table_leave(s, o);
fail:
    return err;
}
