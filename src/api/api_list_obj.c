/* api_list_obj.c: JetGetObjectInfo: JET_ObjInfo / JET_ObjInfoNoStats (a JET_OBJECTINFO for one
 * table) and JET_ObjInfoList / JET_ObjInfoListNoStats (a list table of the database's tables,
 * system tables included, built with api_list.c's builder).
 *
 * Facts (ESE info.cxx ErrIsamGetObjectInfo, ErrInfoGetObjectInfo, ErrInfoGetObjectInfoList,
 * rgcolumndefGetObjectInfo_A; jetapi.cxx JetGetObjectInfoEx):
 *  - levels: JET_ObjInfo / NoStats need sizeof(JET_OBJECTINFO), the list levels
 *    sizeof(JET_OBJECTLIST), else JET_errBufferTooSmall; SysTabCursor, SysTabReadOnly, ListACM
 *    and RulesLoaded are JET_errFeatureNotAvailable; other levels JET_errInvalidParameter;
 *  - a container name other than NULL / "" must be "Tables" (case-insensitive), else
 *    JET_errObjectNotFound; names are checked (JET_errInvalidName);
 *  - the list has one row per table of MSysObjects' RootObjects index (every table, MSys*
 *    system tables with JET_bitObjectSystem in their flags): ContainerName "Tables",
 *    ObjectName, ObjectType JET_objtypTable, grbit JET_bitTableInfoBookmark | Rollback
 *    (| Updatable when the database is writable), flags (the catalog's), cRecord, cPage;
 *    DtCreate / DtUpdate stay NULL. (ContainerName, ObjectName) is the key. An objtyp other
 *    than JET_objtypNil / JET_objtypTable gives an empty list;
 *  - statistics come from the catalog's Stats column (written by JetComputeStats), which the
 *    catalog loader does not read: cRecord and cPage are 0 here (ESE's NoStats values).
 */
#include "api/api_list.h"
#include "inst/db.h"

enum {
    OBJ_CONTAINER,
    OBJ_NAME,
    OBJ_TYPE,
    OBJ_DTCREATE,
    OBJ_DTUPDATE,
    OBJ_CRECORD,
    OBJ_CPAGE,
    OBJ_GRBIT,
    OBJ_FLAGS,
    OBJ_COUNT
};

#define OBJCOL(t, g)                                                                               \
    {                                                                                              \
        sizeof(JET_COLUMNDEF), 0, (t), 0, 0, 0, 0, 0, (g)                                          \
    }

static const JET_COLUMNDEF rgcolObjectList[OBJ_COUNT] = {
    OBJCOL(JET_coltypText, JET_bitColumnTTKey),     OBJCOL(JET_coltypText, JET_bitColumnTTKey),
    OBJCOL(JET_coltypLong, JET_bitColumnFixed),     OBJCOL(JET_coltypDateTime, JET_bitColumnFixed),
    OBJCOL(JET_coltypDateTime, JET_bitColumnFixed), OBJCOL(JET_coltypLong, JET_bitColumnFixed),
    OBJCOL(JET_coltypLong, JET_bitColumnFixed),     OBJCOL(JET_coltypLong, JET_bitColumnFixed),
    OBJCOL(JET_coltypLong, JET_bitColumnFixed),
};

static const char szContainerTables[] = "Tables";

static JET_GRBIT table_grbit(const bj_db *db)
{
    JET_GRBIT g = JET_bitTableInfoBookmark | JET_bitTableInfoRollback;
    if (!db->fReadOnly)
        g |= JET_bitTableInfoUpdatable;
    return g;
}

void bj_api_table_object_info(const bj_db *db, const bj_cat_table *t, bool fUpdatable,
                              JET_OBJECTINFO *oi)
{
    memset(oi, 0, sizeof(*oi));
    oi->cbStruct = sizeof(*oi);
    oi->objtyp = JET_objtypTable;
    oi->grbit = table_grbit(db);
    if (!fUpdatable)
        oi->grbit &= ~(JET_GRBIT)JET_bitTableInfoUpdatable;
    oi->flags = t->flags; /* cRecord / cPage: see the file comment */
}

static JET_ERR object_info(const bj_db *db, const bj_cat *cat, const char *szObject, void *pv)
{
    if (!szObject || !szObject[0])
        return BJ_ERR(JET_errObjectNotFound);
    const bj_cat_table *t = bj_cat_find_table(cat, szObject);
    if (!t)
        return BJ_ERR(JET_errObjectNotFound);
    bj_api_table_object_info(db, t, true, pv);
    return JET_errSuccess;
}

static JET_ERR object_list(bj_sess *s, const bj_db *db, const bj_cat *cat, JET_OBJTYP objtyp,
                           void *pv)
{
    JET_ERR err = JET_errSuccess;
    bj_list l = {.tableid = JET_tableidNil, .s = s};
    const JET_OBJTYP objtypTable = JET_objtypTable;
    const JET_GRBIT grbit = table_grbit(db);
    const int32_t zero = 0;
    CALL(bj_list_open(s, rgcolObjectList, OBJ_COUNT, &l));
    for (uint32_t i = 0; (objtyp == JET_objtypNil || objtyp == JET_objtypTable) && i < cat->ctbl;
         i++) {
        const bj_cat_table *t = cat->rgtbl[i];
        const uint32_t flags = t->flags;
        const bj_list_val rgv[] = {
            {OBJ_CONTAINER, szContainerTables, (uint32_t)strlen(szContainerTables)},
            {OBJ_TYPE, &objtypTable, sizeof(objtypTable)},
            {OBJ_NAME, t->szName, (uint32_t)strlen(t->szName)},
            {OBJ_FLAGS, &flags, sizeof(flags)},
            {OBJ_CRECORD, &zero, sizeof(zero)},
            {OBJ_CPAGE, &zero, sizeof(zero)},
            {OBJ_GRBIT, &grbit, sizeof(grbit)},
        };
        CALL(bj_list_insert(&l, rgv, (uint32_t)(sizeof(rgv) / sizeof(rgv[0]))));
    }
    CALL(bj_list_finish(&l));
    JET_OBJECTLIST *ol = pv;
    memset(ol, 0, sizeof(*ol));
    ol->cbStruct = sizeof(*ol);
    ol->tableid = l.tableid;
    ol->cRecord = l.crow;
    ol->columnidcontainername = l.rgcolumnid[OBJ_CONTAINER];
    ol->columnidobjectname = l.rgcolumnid[OBJ_NAME];
    ol->columnidobjtyp = l.rgcolumnid[OBJ_TYPE];
    ol->columniddtCreate = l.rgcolumnid[OBJ_DTCREATE];
    ol->columniddtUpdate = l.rgcolumnid[OBJ_DTUPDATE];
    ol->columnidgrbit = l.rgcolumnid[OBJ_GRBIT];
    ol->columnidflags = l.rgcolumnid[OBJ_FLAGS];
    ol->columnidcRecord = l.rgcolumnid[OBJ_CRECORD];
    ol->columnidcPage = l.rgcolumnid[OBJ_CPAGE];
    return JET_errSuccess;
fail:
    bj_list_abort(&l);
    return err;
}

/* The level's minimum buffer, or an error for levels ESE filters out (JetGetObjectInfoEx). */
static JET_ERR level_size(uint32_t level, uint32_t *pcbMin)
{
    switch (level) {
    case JET_ObjInfo:
    case JET_ObjInfoNoStats:
        *pcbMin = sizeof(JET_OBJECTINFO);
        return JET_errSuccess;
    case JET_ObjInfoList:
    case JET_ObjInfoListNoStats:
        *pcbMin = sizeof(JET_OBJECTLIST);
        return JET_errSuccess;
    case JET_ObjInfoSysTabCursor:
    case JET_ObjInfoSysTabReadOnly:
    case JET_ObjInfoListACM:
    case JET_ObjInfoRulesLoaded:
        return BJ_ERR(JET_errFeatureNotAvailable);
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
}

BJ_EXPORT JET_ERR JetGetObjectInfo(JET_SESID sesid, JET_DBID dbid, JET_OBJTYP objtyp,
                                   JET_PCSTR szContainerName, JET_PCSTR szObjectName,
                                   void *pvResult, uint32_t cbMax, uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_db *db = NULL;
    bj_cat *cat = NULL;
    uint32_t cbMin = 0;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_db_get(s, dbid, &db);
    if (err >= 0)
        err = level_size(InfoLevel, &cbMin);
    if (err >= 0 && cbMax < cbMin)
        err = BJ_ERR(JET_errBufferTooSmall);
    if (err >= 0 && !pvResult)
        err = BJ_ERR(JET_errInvalidParameter);
    if (err >= 0 && szContainerName && szContainerName[0]) {
        err = bj_cat_check_name(szContainerName);
        if (err >= 0 && bj_cat_namecmp(szContainerName, szContainerTables) != 0)
            err = BJ_ERR(JET_errObjectNotFound);
    }
    if (err >= 0 && szObjectName && szObjectName[0])
        err = bj_cat_check_name(szObjectName);
    if (err >= 0) {
        cat = bj_db_cat_get(db);
        if (InfoLevel == JET_ObjInfo || InfoLevel == JET_ObjInfoNoStats)
            err = object_info(db, cat, szObjectName, pvResult);
        else
            err = object_list(s, db, cat, objtyp, pvResult);
        bj_cat_release(cat);
    }
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetObjectInfoA(JET_SESID sesid, JET_DBID dbid, JET_OBJTYP objtyp,
                          JET_PCSTR szContainerName, JET_PCSTR szObjectName, void *pvResult,
                          uint32_t cbMax, uint32_t InfoLevel) BJ_ALIAS(JetGetObjectInfo);
