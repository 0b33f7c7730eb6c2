/* api_info.c: schema information entry points answered from the loaded catalog (src/cat):
 * JetGetTableColumnInfo / JetGetColumnInfo, JetGetTableIndexInfo / JetGetIndexInfo,
 * JetGetTableInfo. ESE answers the list forms (JET_ColInfoList*, JET_IdxInfo / JET_IdxInfoList)
 * with a temporary table: those levels are routed to api_list.c. Sizes per level follow ESE's
 * info.cxx (KeyMost and VarSegMac are USHORTs, LCID and SpaceAlloc ULONGs, Count an INT). */
#include <stdio.h>

#include "api/api_list.h"
#include "inst/tableid.h"

/* ---- columns ---- */

static JET_ERR column_info(bj_db *db, bj_sess *s, const bj_cat_table *t, const void *pvName,
                           void *pv, uint32_t cbMax, uint32_t level)
{
    const uint32_t lvl =
        level & ~(JET_ColInfoGrbitNonDerivedColumnsOnly | JET_ColInfoGrbitMinimalInfo |
                  JET_ColInfoGrbitSortByColumnid | JET_ColInfoGrbitCompacting);
    const bj_cat_column *c = NULL;
    switch (lvl) {
    case JET_ColInfoList:
    case JET_ColInfoListCompact:
    case JET_ColInfoListSortColumnid:
    case JET_ColInfoSysTabCursor:
        return BJ_ERR(JET_errFeatureNotAvailable);
    case JET_ColInfo:
    case JET_ColInfoBase:
        if (!pvName)
            return BJ_ERR(JET_errInvalidParameter);
        c = bj_cat_find_column(t, pvName);
        break;
    case JET_ColInfoByColid:
    case JET_ColInfoBaseByColid:
        if (!pvName)
            return BJ_ERR(JET_errInvalidParameter);
        c = bj_cat_column_by_id(t, *(const JET_COLUMNID *)pvName);
        break;
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
    if (!pv)
        return BJ_ERR(JET_errInvalidParameter);
    /* a column added (or deleted) by a transaction this session must not see */
    if (c && !(c->columnid & BJ_REC_COLUMNID_TEMPLATE) &&
        !bj_db_row_seen(db, s, t->objid, BJ_CAT_TYPE_COLUMN, c->columnid & 0xffffu))
        c = NULL;
    if (!c)
        return BJ_ERR(JET_errColumnNotFound);
    if (lvl == JET_ColInfo || lvl == JET_ColInfoByColid) {
        if (cbMax < sizeof(JET_COLUMNDEF))
            return BJ_ERR(JET_errBufferTooSmall);
        JET_COLUMNDEF *d = pv;
        memset(d, 0, sizeof(*d));
        d->cbStruct = sizeof(*d);
        d->columnid = c->columnid;
        d->coltyp = c->coltyp;
        d->wCountry = 1;  /* countryDefault */
        d->langid = 1033; /* the default locale's LANGID */
        d->cp = c->cp;
        d->cbMax = c->cbMax;
        d->grbit = c->grbit;
        return JET_errSuccess;
    }
    if (cbMax < sizeof(JET_COLUMNBASE))
        return BJ_ERR(JET_errBufferTooSmall);
    JET_COLUMNBASE *b = pv;
    memset(b, 0, sizeof(*b));
    b->cbStruct = sizeof(*b);
    b->columnid = c->columnid;
    b->coltyp = c->coltyp;
    b->wCountry = 1;
    b->langid = 1033;
    b->cp = c->cp;
    b->cbMax = c->cbMax;
    b->grbit = c->grbit;
    const bool fTmpl = (c->columnid & BJ_REC_COLUMNID_TEMPLATE) && t->ptemplate;
    snprintf(b->szBaseTableName, sizeof b->szBaseTableName, "%s",
             fTmpl ? t->ptemplate->szName : t->szName);
    snprintf(b->szBaseColumnName, sizeof b->szBaseColumnName, "%s", c->szName);
    return JET_errSuccess;
}

BJ_EXPORT JET_ERR JetGetTableColumnInfo(JET_SESID sesid, JET_TABLEID tableid,
                                        JET_PCSTR szColumnName, void *pvResult, uint32_t cbMax,
                                        uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_tableid_get(s, tableid, &o);
    if (err >= 0) {
        if (bj_api_column_list_level(InfoLevel)) /* a writable cursor lists Updatable columns */
            err = bj_api_column_list(s, o->tbl->t,
                                     !o->db->fReadOnly && !(o->grbit & JET_bitTableReadOnly),
                                     pvResult, cbMax, InfoLevel);
        else
            err = column_info(o->db, s, o->tbl->t, szColumnName, pvResult, cbMax, InfoLevel);
        bj_tableid_put(o);
    }
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetTableColumnInfoA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                               void *pvResult, uint32_t cbMax, uint32_t InfoLevel)
    BJ_ALIAS(JetGetTableColumnInfo);

/* The catalog table named szTable of an open database of the session. */
static JET_ERR table_by_name(bj_sess *s, JET_DBID dbid, const char *szTable, bj_db **pdb,
                             const bj_cat_table **pt)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_db_get(s, dbid, pdb));
    CALL(bj_db_table_find(*pdb, s, szTable, pt));
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGetColumnInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                   JET_PCSTR pColumnNameOrId, void *pvResult, uint32_t cbMax,
                                   uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    const bj_cat_table *t;
    bj_db *db = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = table_by_name(s, dbid, szTableName, &db, &t);
    if (err >= 0 && bj_api_column_list_level(InfoLevel))
        err = bj_api_column_list(s, t, false, pvResult, cbMax, InfoLevel);
    else if (err >= 0)
        err = column_info(db, s, t, pColumnNameOrId, pvResult, cbMax, InfoLevel);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetColumnInfoA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                          JET_PCSTR pColumnNameOrId, void *pvResult, uint32_t cbMax,
                          uint32_t InfoLevel) BJ_ALIAS(JetGetColumnInfo);

/* ---- indexes ---- */

static JET_ERR index_info(bj_db *db, bj_sess *s, const bj_cat_table *t, const char *szIndex,
                          void *pv, uint32_t cb,
                          uint32_t level)
{
    if (level == JET_IdxInfo || level == JET_IdxInfoList || level == JET_IdxInfoSysTabCursor)
        return BJ_ERR(JET_errFeatureNotAvailable);
    if (!pv)
        return BJ_ERR(JET_errInvalidParameter);
    if (level == JET_IdxInfoCount) {
        if (cb < sizeof(int32_t))
            return BJ_ERR(JET_errBufferTooSmall);
        *(int32_t *)pv = (int32_t)t->cidx;
        return JET_errSuccess;
    }
    const bj_cat_index *x = bj_cat_find_index(t, szIndex);
    if (x && !(x->fidb & BJ_FIDB_PRIMARY) &&
        !bj_db_row_seen(db, s, t->objid, BJ_CAT_TYPE_INDEX, x->objid))
        x = NULL; /* created by a transaction this session must not see */
    if (!x)
        return BJ_ERR(JET_errIndexNotFound);
    switch (level) {
    case JET_IdxInfoSpaceAlloc:
        if (cb < sizeof(uint32_t))
            return BJ_ERR(JET_errBufferTooSmall);
        *(uint32_t *)pv = x->density;
        return JET_errSuccess;
    case JET_IdxInfoLCID:
        if (cb < sizeof(uint16_t))
            return BJ_ERR(JET_errBufferTooSmall);
        if (cb >= sizeof(uint32_t))
            *(uint32_t *)pv = x->lcid ? x->lcid : BJ_KEY_LCID_DEFAULT;
        else
            *(uint16_t *)pv = (uint16_t)(x->lcid ? x->lcid : BJ_KEY_LCID_DEFAULT);
        return JET_errSuccess;
    case JET_IdxInfoVarSegMac:
    case JET_IdxInfoKeyMost:
        if (cb < sizeof(uint16_t))
            return BJ_ERR(JET_errBufferTooSmall);
        *(uint16_t *)pv = (uint16_t)(level == JET_IdxInfoKeyMost ? x->cbKeyMost : x->cbVarSegMac);
        return JET_errSuccess;
    case JET_IdxInfoIndexId: {
        if (cb < sizeof(JET_INDEXID))
            return BJ_ERR(JET_errBufferTooSmall);
        JET_INDEXID *id = pv;
        memset(id, 0, sizeof(*id));
        id->cbStruct = sizeof(*id);
        /* opaque to callers: the index objid and root pgno */
        memcpy(id->rgbIndexId, &x->objid, 4);
        memcpy(id->rgbIndexId + 4, &x->pgnoFDP, 4);
        return JET_errSuccess;
    }
    case JET_IdxInfoLocaleName:
        if (cb < 2 * (strlen(x->szLocale) + 1))
            return BJ_ERR(JET_errBufferTooSmall);
        for (size_t i = 0; i <= strlen(x->szLocale); i++) {
            ((uint8_t *)pv)[2 * i] = (uint8_t)x->szLocale[i];
            ((uint8_t *)pv)[2 * i + 1] = 0;
        }
        return JET_errSuccess;
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
}

BJ_EXPORT JET_ERR JetGetTableIndexInfo(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                       void *pvResult, uint32_t cbResult, uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_tableid_get(s, tableid, &o);
    if (err >= 0) {
        if (bj_api_index_list_level(InfoLevel))
            err = bj_api_index_list(s, o->tbl->t, szIndexName, pvResult, cbResult);
        else
            err = index_info(o->db, s, o->tbl->t, szIndexName, pvResult, cbResult, InfoLevel);
        bj_tableid_put(o);
    }
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetTableIndexInfoA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                              void *pvResult, uint32_t cbResult, uint32_t InfoLevel)
    BJ_ALIAS(JetGetTableIndexInfo);

BJ_EXPORT JET_ERR JetGetIndexInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                  JET_PCSTR szIndexName, void *pvResult, uint32_t cbResult,
                                  uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    const bj_cat_table *t;
    bj_db *db = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = table_by_name(s, dbid, szTableName, &db, &t);
    if (err >= 0 && bj_api_index_list_level(InfoLevel))
        err = bj_api_index_list(s, t, szIndexName, pvResult, cbResult);
    else if (err >= 0)
        err = index_info(db, s, t, szIndexName, pvResult, cbResult, InfoLevel);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetIndexInfoA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                         JET_PCSTR szIndexName, void *pvResult, uint32_t cbResult,
                         uint32_t InfoLevel) BJ_ALIAS(JetGetIndexInfo);

/* ---- tables ---- */

BJ_EXPORT JET_ERR JetGetTableInfo(JET_SESID sesid, JET_TABLEID tableid, void *pvResult,
                                  uint32_t cbMax, uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_tableid_get(s, tableid, &o);
    if (err < 0)
        goto leave;
    const bj_cat_table *t = o->tbl->t;
    if (!pvResult) {
        err = BJ_ERR(JET_errInvalidParameter);
    } else if (InfoLevel == JET_TblInfoName || InfoLevel == JET_TblInfoTemplateTableName) {
        const char *name = InfoLevel == JET_TblInfoName ? t->szName : t->szTemplate;
        if (cbMax < strlen(name) + 1)
            err = BJ_ERR(JET_errBufferTooSmall);
        else
            memcpy(pvResult, name, strlen(name) + 1);
    } else if (InfoLevel == JET_TblInfoDbid) {
        /* ESE writes the JET_DBID and then the JET_VDBID (the same here) */
        if (cbMax < 2 * sizeof(JET_DBID))
            err = BJ_ERR(JET_errBufferTooSmall);
        else
            ((JET_DBID *)pvResult)[0] = ((JET_DBID *)pvResult)[1] = o->dbid;
    } else if (InfoLevel == JET_TblInfoSpaceAlloc) {
        if (cbMax < 2 * sizeof(uint32_t))
            err = BJ_ERR(JET_errBufferTooSmall);
        else {
            ((uint32_t *)pvResult)[0] = t->cpgInitial;
            ((uint32_t *)pvResult)[1] = t->density;
        }
    } else if (InfoLevel == JET_TblInfoLVChunkMax || InfoLevel == JET_TblInfoObjectId) {
        if (cbMax < sizeof(uint32_t))
            err = BJ_ERR(JET_errBufferTooSmall);
        else
            *(uint32_t *)pvResult = InfoLevel == JET_TblInfoObjectId ? t->objid
                                    : t->cbLVChunkMax                ? t->cbLVChunkMax
                                                      : bj_lv_chunk_size(o->db->cbPage);
    } else if (InfoLevel == JET_TblInfo) {
        if (cbMax < sizeof(JET_OBJECTINFO))
            err = BJ_ERR(JET_errBufferTooSmall);
        else
            bj_api_table_object_info(o->db, t,
                                     !o->db->fReadOnly && !(o->grbit & JET_bitTableReadOnly),
                                     pvResult);
    } else {
        /* ESE's ErrIsamGetTableInfo (info.cxx) answers an unknown level this way too */
        err = BJ_ERR(JET_errFeatureNotAvailable);
    }
    bj_tableid_put(o);
leave:
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetTableInfoA(JET_SESID sesid, JET_TABLEID tableid, void *pvResult, uint32_t cbMax,
                         uint32_t InfoLevel) BJ_ALIAS(JetGetTableInfo);
