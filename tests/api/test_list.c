/* test_list.c: the list forms of the info calls on tables created through the API:
 * JET_ColInfoList (by name), JET_ColInfoListSortColumnid, JET_ColInfoListCompact, the
 * JET_ColInfoGrbit* bits, JET_IdxInfo / JET_IdxInfoList (one row per key segment, sorted by
 * index name and segment), JET_ObjInfoList / JET_ObjInfo; read the way ManagedEsent reads them
 * (move before first, move next until JET_errNoCurrentRecord, retrieve by the JET_*LIST
 * columnids, close); closing list tables frees them (the temporary database does not grow over
 * many calls); buffer sizes, levels and NULL outputs give ESE's errors; a template table
 * lists its own columns; without temporary tables (JET_paramMaxTemporaryTables 0) every list is
 * JET_errTooManySorts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    JET_TABLEID t; /* "Items", open writable */
    char path[1024];
    char tmp[1024];
    JET_COLUMNID rgcol[8];
} env;

enum { C_ID, C_AMOUNT, C_FLAG, C_DFLT, C_NAME, C_BIN, C_TAGS, C_BLOB };

static bool env_start(env *e, const char *name)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    snprintf(e->tmp, sizeof(e->tmp), "%s/", bj_test_tmpdir());
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 4096, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "list") < 0)
        return false;
    if (JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, e->tmp) < 0)
        return false;
    if (JetInit(&e->inst) < 0 || JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return false;
    if (JetCreateDatabase(e->ses, e->path, NULL, &e->db, 0) < 0)
        return false;
    int32_t dflt = 42;
    JET_COLUMNCREATE cols[8] = {
        {sizeof(JET_COLUMNCREATE), "id", JET_coltypLong, 0, JET_bitColumnNotNULL, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "Amount", JET_coltypCurrency, 0, 0, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "flag", JET_coltypBit, 0, 0, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "dflt", JET_coltypLong, 0, 0, &dflt, 4, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "name", JET_coltypText, 100, 0, NULL, 0, 1200, 0, 0},
        {sizeof(JET_COLUMNCREATE), "Bin", JET_coltypBinary, 50, 0, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "tags", JET_coltypText, 0,
         JET_bitColumnTagged | JET_bitColumnMultiValued, NULL, 0, 1252, 0, 0},
        {sizeof(JET_COLUMNCREATE), "blob", JET_coltypLongBinary, 0, 0, NULL, 0, 0, 0, 0},
    };
    JET_INDEXCREATE idx[3] = {0};
    idx[0].cbStruct = sizeof(idx[0]);
    idx[0].szIndexName = "primary";
    idx[0].szKey = "+id\0";
    idx[0].cbKey = 5;
    idx[0].grbit = JET_bitIndexPrimary;
    idx[1].cbStruct = sizeof(idx[1]);
    idx[1].szIndexName = "byNameAmt";
    idx[1].szKey = "+name\0-Amount\0";
    idx[1].cbKey = 15;
    idx[1].grbit = JET_bitIndexUnique;
    idx[2].cbStruct = sizeof(idx[2]);
    idx[2].szIndexName = "tagsIdx";
    idx[2].szKey = "+tags\0-flag\0+dflt\0";
    idx[2].cbKey = 19;
    idx[2].grbit = JET_bitIndexIgnoreAnyNull;
    JET_TABLECREATE tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "Items";
    tc.rgcolumncreate = cols;
    tc.cColumns = 8;
    tc.rgindexcreate = idx;
    tc.cIndexes = 3;
    if (JetCreateTableColumnIndex(e->ses, e->db, &tc) < 0)
        return false;
    e->t = tc.tableid;
    for (int i = 0; i < 8; i++)
        e->rgcol[i] = cols[i].columnid;
    JET_TABLEID t2;
    if (JetCreateTable(e->ses, e->db, "alpha", 1, 100, &t2) < 0)
        return false;
    return JetCloseTable(e->ses, t2) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetCloseTable(e->ses, e->t));
    CHECK_OK(JetCloseDatabase(e->ses, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->ses, e->path));
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

/* ManagedEsent's MoveBeforeFirst + TryMoveNext. */
static void move_before_first(env *e, JET_TABLEID t)
{
    if (JetMove(e->ses, t, JET_MoveFirst, 0) >= 0)
        CHECK_ERR(JetMove(e->ses, t, JET_MovePrevious, 0), JET_errNoCurrentRecord);
}

static bool move_next(env *e, JET_TABLEID t)
{
    JET_ERR err = JetMove(e->ses, t, JET_MoveNext, 0);
    if (err != JET_errNoCurrentRecord)
        CHECK_OK(err);
    return err >= 0;
}

/* A fixed-size value (-1 if NULL or another size). */
static int64_t ret_n(env *e, JET_TABLEID t, JET_COLUMNID c, uint32_t cb)
{
    uint8_t b[8] = {0};
    uint32_t cbActual = 0;
    JET_ERR err = JetRetrieveColumn(e->ses, t, c, b, sizeof(b), &cbActual, 0, NULL);
    if (err != JET_errSuccess || cbActual != cb)
        return -1;
    return cb == 2 ? (int64_t)(b[0] | b[1] << 8)
                   : (int64_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
}

static const char *ret_s(env *e, JET_TABLEID t, JET_COLUMNID c, char *buf, uint32_t cb)
{
    uint32_t cbActual = 0;
    buf[0] = 0;
    if (JetRetrieveColumn(e->ses, t, c, buf, cb - 1, &cbActual, 0, NULL) != JET_errSuccess)
        return "<null>";
    buf[cbActual < cb - 1 ? cbActual : cb - 1] = 0;
    return buf;
}

static bool is_null(env *e, JET_TABLEID t, JET_COLUMNID c)
{
    uint8_t b[16];
    uint32_t cbActual = 0;
    return JetRetrieveColumn(e->ses, t, c, b, sizeof(b), &cbActual, 0, NULL) == JET_wrnColumnNull;
}

typedef struct colexp {
    const char *name;
    int icol;
    JET_COLTYP coltyp;
    uint32_t cbMax;
    uint16_t cp;
    JET_GRBIT grbit;
} colexp;

/* The columns in ESE's JET_ColInfoList order (by name, case-insensitively). cbMax: a fixed
 * column's width; a Text / Binary column created with 0 gets JET_cbColumnMost (255). */
static const colexp rgexpByName[8] = {
    {"Amount", C_AMOUNT, JET_coltypCurrency, 8, 0, JET_bitColumnFixed},
    {"Bin", C_BIN, JET_coltypBinary, 50, 0, 0},
    {"blob", C_BLOB, JET_coltypLongBinary, 0, 0, JET_bitColumnTagged},
    {"dflt", C_DFLT, JET_coltypLong, 4, 0, JET_bitColumnFixed},
    {"flag", C_FLAG, JET_coltypBit, 1, 0, JET_bitColumnFixed},
    {"id", C_ID, JET_coltypLong, 4, 0, JET_bitColumnFixed | JET_bitColumnNotNULL},
    {"name", C_NAME, JET_coltypText, 100, 1200, 0},
    {"tags", C_TAGS, JET_coltypText, 255, 1252, JET_bitColumnTagged | JET_bitColumnMultiValued},
};
/* by columnid: id, Amount, flag, dflt (fixed), name, Bin (variable), tags, blob (tagged) */
static const int rgByColid[8] = {5, 0, 4, 3, 6, 1, 7, 2};

/* Reads a column list the way ManagedEsent's GetColumnInfoFromColumnlist does and checks each
 * row against rgexp[order[i]]; closes the list. */
static void check_columns(env *e, const JET_COLUMNLIST *cl, const int *order, JET_GRBIT grbitExtra,
                          bool fPOrder, bool fMinimal)
{
    char buf[300];
    CHECK_EQ(cl->cbStruct, sizeof(JET_COLUMNLIST));
    CHECK_EQ(cl->cRecord, 8);
    CHECK_EQ(cl->columnidDefinitionName, cl->columnidcolumnname);
    int n = 0;
    move_before_first(e, cl->tableid);
    while (move_next(e, cl->tableid) && n < 8) {
        const colexp *x = &rgexpByName[order ? order[n] : n];
        CHECK_STR(ret_s(e, cl->tableid, cl->columnidcolumnname, buf, sizeof buf), x->name);
        CHECK_EQ(ret_n(e, cl->tableid, cl->columnidcolumnid, 4), e->rgcol[x->icol]);
        if (fPOrder)
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidPresentationOrder, 4), e->rgcol[x->icol]);
        else
            CHECK(is_null(e, cl->tableid, cl->columnidPresentationOrder));
        if (fMinimal) {
            CHECK(is_null(e, cl->tableid, cl->columnidcoltyp));
            CHECK(is_null(e, cl->tableid, cl->columnidBaseTableName));
        } else {
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidcoltyp, 4), x->coltyp);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidCp, 2), x->cp);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidcbMax, 4), x->cbMax);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidgrbit, 4), x->grbit | grbitExtra);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidCountry, 2), 1);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidLangid, 2), 1033);
            CHECK_EQ(ret_n(e, cl->tableid, cl->columnidCollate, 2), 0);
            CHECK_STR(ret_s(e, cl->tableid, cl->columnidBaseTableName, buf, sizeof buf), "Items");
            CHECK_STR(ret_s(e, cl->tableid, cl->columnidBaseColumnName, buf, sizeof buf), x->name);
            if (x->icol == C_DFLT)
                CHECK_EQ(ret_n(e, cl->tableid, cl->columnidDefault, 4), 42);
            else
                CHECK(is_null(e, cl->tableid, cl->columnidDefault));
        }
        n++;
    }
    CHECK_EQ(n, 8);
    CHECK_OK(JetCloseTable(e->ses, cl->tableid));
}

TEST(column_list_by_name_through_tableid_and_dbid)
{
    env e;
    REQUIRE(env_start(&e, "cl1.edb"));
    JET_COLUMNLIST cl;
    memset(&cl, 0xcc, sizeof cl);
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoList));
    /* a writable cursor: ESE adds JET_bitColumnUpdatable */
    check_columns(&e, &cl, NULL, JET_bitColumnUpdatable, false, false);
    /* "" names no column either (ManagedEsent passes string.Empty) */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, "", &cl, sizeof cl, JET_ColInfoList));
    check_columns(&e, &cl, NULL, JET_bitColumnUpdatable, false, false);
    /* by name through the database: the table is opened without Updatable */
    REQUIRE_OK(JetGetColumnInfo(e.ses, e.db, "Items", "", &cl, sizeof cl, JET_ColInfoList));
    check_columns(&e, &cl, NULL, 0, false, false);
    /* a read-only cursor lists no Updatable either */
    JET_TABLEID tro;
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "Items", NULL, 0, JET_bitTableReadOnly, &tro));
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, tro, NULL, &cl, sizeof cl, JET_ColInfoList));
    check_columns(&e, &cl, NULL, 0, false, false);
    CHECK_OK(JetCloseTable(e.ses, tro));
    env_stop(&e);
}

TEST(column_list_sorted_by_columnid_compact_and_minimal)
{
    env e;
    REQUIRE(env_start(&e, "cl2.edb"));
    JET_COLUMNLIST cl;
    REQUIRE_OK(
        JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoListSortColumnid));
    check_columns(&e, &cl, rgByColid, JET_bitColumnUpdatable, true, false);
    /* the grbit form of the same level */
    REQUIRE_OK(JetGetColumnInfo(e.ses, e.db, "Items", NULL, &cl, sizeof cl,
                                JET_ColInfoList | JET_ColInfoGrbitSortByColumnid));
    check_columns(&e, &cl, rgByColid, 0, true, false);
    /* compact: no key, the columns in columnid order, no presentation order */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoListCompact));
    check_columns(&e, &cl, rgByColid, JET_bitColumnUpdatable, false, false);
    /* minimal info: name and columnid only */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl,
                                     JET_ColInfoList | JET_ColInfoGrbitMinimalInfo));
    check_columns(&e, &cl, NULL, 0, false, true);
    /* the list table is scrollable and indexed: seek by (NULL order, name) */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoList));
    CHECK_OK(JetMakeKey(e.ses, cl.tableid, NULL, 0, JET_bitNewKey));
    CHECK_OK(JetMakeKey(e.ses, cl.tableid, "NAME", 4, 0));
    CHECK_OK(JetSeek(e.ses, cl.tableid, JET_bitSeekEQ));
    CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcolumnid, 4), e.rgcol[C_NAME]);
    CHECK_OK(JetMove(e.ses, cl.tableid, JET_MoveLast, 0));
    char buf[80];
    CHECK_STR(ret_s(&e, cl.tableid, cl.columnidcolumnname, buf, sizeof buf), "tags");
    CHECK_OK(JetCloseTable(e.ses, cl.tableid));
    env_stop(&e);
}

typedef struct idxexp {
    const char *index;
    JET_GRBIT grbit;
    uint32_t cseg;
    uint32_t iseg;
    int icol;
    const char *column;
    JET_COLTYP coltyp;
    uint16_t cp;
    JET_GRBIT grbitCol;
} idxexp;

/* ESE's order: index name, then segment. Index grbits are IDB::GrbitFromFlags (fcreate.cxx):
 * the primary index is unique; JET_bitIndexIgnoreAnyNull also clears "all NULL" and "first
 * NULL", so it reads back with IgnoreNull and IgnoreFirstNull. */
static const idxexp rgidxexp[6] = {
    {"byNameAmt", JET_bitIndexUnique, 2, 0, C_NAME, "name", JET_coltypText, 1200,
     JET_bitKeyAscending},
    {"byNameAmt", JET_bitIndexUnique, 2, 1, C_AMOUNT, "Amount", JET_coltypCurrency, 0,
     JET_bitKeyDescending},
    {"primary", JET_bitIndexPrimary | JET_bitIndexUnique, 1, 0, C_ID, "id", JET_coltypLong, 0,
     JET_bitKeyAscending},
    {"tagsIdx", JET_bitIndexIgnoreNull | JET_bitIndexIgnoreAnyNull | JET_bitIndexIgnoreFirstNull, 3,
     0, C_TAGS, "tags", JET_coltypText, 1252, JET_bitKeyAscending},
    {"tagsIdx", JET_bitIndexIgnoreNull | JET_bitIndexIgnoreAnyNull | JET_bitIndexIgnoreFirstNull, 3,
     1, C_FLAG, "flag", JET_coltypBit, 0, JET_bitKeyDescending},
    {"tagsIdx", JET_bitIndexIgnoreNull | JET_bitIndexIgnoreAnyNull | JET_bitIndexIgnoreFirstNull, 3,
     2, C_DFLT, "dflt", JET_coltypLong, 0, JET_bitKeyAscending},
};

/* Reads an index list as ManagedEsent's GetIndexInfoFromIndexlist does (per index: its first
 * row, then JetMove next through its segments) and checks rows rgidxexp[first .. first+n). */
static void check_indexes(env *e, const JET_INDEXLIST *il, int first, int n)
{
    char buf[80];
    CHECK_EQ(il->cbStruct, sizeof(JET_INDEXLIST));
    CHECK_EQ(il->cRecord, (uint32_t)n);
    int i = 0;
    move_before_first(e, il->tableid);
    while (move_next(e, il->tableid) && i < n) {
        const uint32_t cseg = (uint32_t)ret_n(e, il->tableid, il->columnidcColumn, 4);
        CHECK_EQ(ret_n(e, il->tableid, il->columnidLCMapFlags, 4), 0x00030401);
        for (uint32_t s = 0; s < cseg && i < n; s++, i++) {
            const idxexp *x = &rgidxexp[first + i];
            CHECK_EQ(cseg, x->cseg);
            CHECK_STR(ret_s(e, il->tableid, il->columnidindexname, buf, sizeof buf), x->index);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidgrbitIndex, 4), x->grbit);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidiColumn, 4), x->iseg);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidcolumnid, 4), e->rgcol[x->icol]);
            CHECK_STR(ret_s(e, il->tableid, il->columnidcolumnname, buf, sizeof buf), x->column);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidcoltyp, 4), x->coltyp);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidCp, 2), x->cp);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidgrbitColumn, 4), x->grbitCol);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidLangid, 2), 1033);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidCountry, 2), 1);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidCollate, 2), 0);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidcEntry, 4), 0);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidcKey, 4), 0);
            CHECK_EQ(ret_n(e, il->tableid, il->columnidcPage, 4), 0);
            if (s + 1 < cseg)
                CHECK_OK(JetMove(e->ses, il->tableid, JET_MoveNext, 0));
        }
    }
    CHECK_EQ(i, n);
    CHECK_OK(JetCloseTable(e->ses, il->tableid));
}

TEST(index_list_rows_per_segment)
{
    env e;
    REQUIRE(env_start(&e, "il1.edb"));
    JET_INDEXLIST il;
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, NULL, &il, sizeof il, JET_IdxInfoList));
    check_indexes(&e, &il, 0, 6);
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, "", &il, sizeof il, JET_IdxInfo));
    check_indexes(&e, &il, 0, 6);
    REQUIRE_OK(JetGetIndexInfo(e.ses, e.db, "Items", NULL, &il, sizeof il, JET_IdxInfoList));
    check_indexes(&e, &il, 0, 6);
    /* one index by name (either level), case-insensitively */
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, "TAGSIDX", &il, sizeof il, JET_IdxInfo));
    check_indexes(&e, &il, 3, 3);
    REQUIRE_OK(JetGetIndexInfo(e.ses, e.db, "Items", "primary", &il, sizeof il, JET_IdxInfoList));
    check_indexes(&e, &il, 2, 1);
    CHECK_ERR(JetGetTableIndexInfo(e.ses, e.t, "nosuch", &il, sizeof il, JET_IdxInfo),
              JET_errIndexNotFound);
    /* a table without indexes: an empty list */
    REQUIRE_OK(JetGetIndexInfo(e.ses, e.db, "alpha", NULL, &il, sizeof il, JET_IdxInfoList));
    CHECK_EQ(il.cRecord, 0);
    CHECK_ERR(JetMove(e.ses, il.tableid, JET_MoveFirst, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetCloseTable(e.ses, il.tableid));
    /* the original, 4 bytes shorter JET_INDEXLIST: accepted, no columnidLCMapFlags */
    uint8_t raw[sizeof(JET_INDEXLIST)];
    memset(raw, 0xab, sizeof raw);
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, NULL, raw, sizeof raw - 4, JET_IdxInfoList));
    JET_INDEXLIST old;
    memcpy(&old, raw, sizeof old);
    CHECK_EQ(old.cbStruct, sizeof(JET_INDEXLIST) - 4);
    CHECK_EQ(old.cRecord, 6);
    CHECK_EQ(old.columnidLCMapFlags, 0xabababab);
    CHECK_OK(JetCloseTable(e.ses, old.tableid));
    env_stop(&e);
}

TEST(object_list_and_object_info)
{
    env e;
    REQUIRE(env_start(&e, "ol1.edb"));
    JET_OBJECTLIST ol;
    REQUIRE_OK(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol,
                                JET_ObjInfoList));
    CHECK_EQ(ol.cbStruct, sizeof ol);
    CHECK_EQ(ol.cRecord, 6);
    /* by name, case-insensitively (ESE walks RootObjects); new databases have four system tables */
    static const char *const names[6] = {"alpha",       "Items",             "MSysLocales",
                                         "MSysObjects", "MSysObjectsShadow", "MSysObjids"};
    const JET_GRBIT grbitTable =
        JET_bitTableInfoBookmark | JET_bitTableInfoRollback | JET_bitTableInfoUpdatable;
    int n = 0, cUser = 0;
    char buf[80];
    move_before_first(&e, ol.tableid);
    while (move_next(&e, ol.tableid) && n < 6) {
        CHECK_STR(ret_s(&e, ol.tableid, ol.columnidobjectname, buf, sizeof buf), names[n]);
        CHECK_STR(ret_s(&e, ol.tableid, ol.columnidcontainername, buf, sizeof buf), "Tables");
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidobjtyp, 4), JET_objtypTable);
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidgrbit, 4), grbitTable);
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidcRecord, 4), 0);
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidcPage, 4), 0);
        CHECK(is_null(&e, ol.tableid, ol.columniddtCreate));
        /* ManagedEsent's GetTableNames skips JET_bitObjectSystem tables */
        const uint32_t flags = (uint32_t)ret_n(&e, ol.tableid, ol.columnidflags, 4);
        CHECK_EQ((flags & JET_bitObjectSystem) != 0, n >= 2);
        cUser += !(flags & JET_bitObjectSystem);
        n++;
    }
    CHECK_EQ(n, 6);
    CHECK_EQ(cUser, 2);
    CHECK_OK(JetCloseTable(e.ses, ol.tableid));
    /* NoStats, objtypNil, the "Tables" container */
    REQUIRE_OK(JetGetObjectInfo(e.ses, e.db, JET_objtypNil, "tables", NULL, &ol, sizeof ol,
                                JET_ObjInfoListNoStats));
    CHECK_EQ(ol.cRecord, 6);
    CHECK_OK(JetCloseTable(e.ses, ol.tableid));
    /* another object type: an empty list */
    REQUIRE_OK(
        JetGetObjectInfo(e.ses, e.db, JET_objtypDb, NULL, NULL, &ol, sizeof ol, JET_ObjInfoList));
    CHECK_EQ(ol.cRecord, 0);
    CHECK_ERR(JetMove(e.ses, ol.tableid, JET_MoveFirst, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetCloseTable(e.ses, ol.tableid));
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, "Queries", NULL, &ol, sizeof ol,
                               JET_ObjInfoList),
              JET_errObjectNotFound);
    /* one table */
    JET_OBJECTINFO oi;
    REQUIRE_OK(
        JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, "items", &oi, sizeof oi, JET_ObjInfo));
    CHECK_EQ(oi.cbStruct, sizeof oi);
    CHECK_EQ(oi.objtyp, JET_objtypTable);
    CHECK_EQ(oi.grbit, grbitTable);
    CHECK_EQ(oi.flags & JET_bitObjectSystem, 0);
    REQUIRE_OK(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, "MSysObjects", &oi, sizeof oi,
                                JET_ObjInfoNoStats));
    CHECK(oi.flags & JET_bitObjectSystem);
    CHECK_ERR(
        JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, "nosuch", &oi, sizeof oi, JET_ObjInfo),
        JET_errObjectNotFound);
    /* JetGetTableInfo(JET_TblInfo) on the open (writable) cursor: the same JET_OBJECTINFO */
    memset(&oi, 0xab, sizeof oi);
    REQUIRE_OK(JetGetTableInfo(e.ses, e.t, &oi, sizeof oi, JET_TblInfo));
    CHECK_EQ(oi.cbStruct, sizeof oi);
    CHECK_EQ(oi.objtyp, JET_objtypTable);
    CHECK_EQ(oi.grbit, grbitTable);
    CHECK_EQ(oi.flags & JET_bitObjectSystem, 0);
    CHECK_ERR(JetGetTableInfo(e.ses, e.t, &oi, sizeof oi - 1, JET_TblInfo), JET_errBufferTooSmall);
    env_stop(&e);
}

TEST(errors_sizes_levels_null)
{
    env e;
    REQUIRE(env_start(&e, "er1.edb"));
    JET_COLUMNLIST cl;
    JET_INDEXLIST il;
    JET_OBJECTLIST ol;
    JET_OBJECTINFO oi;
    /* buffers smaller than the level's structure (jetapi.cxx JetGet*InfoEx) */
    CHECK_ERR(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl - 1, JET_ColInfoList),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetColumnInfo(e.ses, e.db, "Items", NULL, &cl, 4, JET_ColInfoListCompact),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetTableIndexInfo(e.ses, e.t, NULL, &il, sizeof il - 5, JET_IdxInfoList),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetIndexInfo(e.ses, e.db, "Items", NULL, &il, 0, JET_IdxInfo),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol - 1,
                               JET_ObjInfoList),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, "Items", &oi, sizeof oi - 1,
                               JET_ObjInfo),
              JET_errBufferTooSmall);
    /* NULL outputs */
    CHECK_ERR(JetGetTableColumnInfo(e.ses, e.t, NULL, NULL, sizeof cl, JET_ColInfoList),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetTableIndexInfo(e.ses, e.t, NULL, NULL, sizeof il, JET_IdxInfoList),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, NULL, sizeof ol,
                               JET_ObjInfoList),
              JET_errInvalidParameter);
    /* levels */
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol, 99),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol,
                               JET_ObjInfoSysTabCursor),
              JET_errFeatureNotAvailable);
    CHECK_ERR(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol,
                               JET_ObjInfoListACM),
              JET_errFeatureNotAvailable);
    CHECK_ERR(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoSysTabCursor),
              JET_errFeatureNotAvailable);
    CHECK_ERR(JetGetTableIndexInfo(e.ses, e.t, NULL, &il, sizeof il, JET_IdxInfoSysTabCursor),
              JET_errFeatureNotAvailable);
    /* handles and names */
    CHECK_ERR(
        JetGetObjectInfo(e.ses, 77, JET_objtypTable, NULL, NULL, &ol, sizeof ol, JET_ObjInfoList),
        JET_errInvalidDatabaseId);
    CHECK_ERR(JetGetColumnInfo(e.ses, e.db, "nosuch", NULL, &cl, sizeof cl, JET_ColInfoList),
              JET_errObjectNotFound);
    CHECK_ERR(
        JetGetTableColumnInfo(e.ses, (JET_TABLEID)12345, NULL, &cl, sizeof cl, JET_ColInfoList),
        JET_errInvalidTableId);
    env_stop(&e);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

TEST(closing_lists_frees_them)
{
    env e;
    REQUIRE(env_start(&e, "gr1.edb"));
    char tmpdb[1100];
    snprintf(tmpdb, sizeof tmpdb, "%stmp.edb", e.tmp);
    JET_COLUMNLIST cl;
    JET_INDEXLIST il;
    JET_OBJECTLIST ol;
    long long cbAfterWarmup = -1;
    for (int i = 0; i < 200; i++) {
        REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoList));
        REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, NULL, &il, sizeof il, JET_IdxInfoList));
        REQUIRE_OK(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol,
                                    JET_ObjInfoList));
        CHECK_OK(JetCloseTable(e.ses, cl.tableid));
        CHECK_OK(JetCloseTable(e.ses, il.tableid));
        CHECK_OK(JetCloseTable(e.ses, ol.tableid));
        if (i == 9)
            cbAfterWarmup = file_size(tmpdb);
    }
    CHECK(cbAfterWarmup > 0);
    CHECK_EQ(file_size(tmpdb), cbAfterWarmup);
    /* lists left open are closed by JetEndSession (env_stop) */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, e.t, NULL, &cl, sizeof cl, JET_ColInfoList));
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, e.t, NULL, &il, sizeof il, JET_IdxInfoList));
    env_stop(&e);
}

/* Reads the names (and columnids) of a list table's rows into one "a,b,c" string. */
static void list_names(env *e, JET_TABLEID t, JET_COLUMNID colName, JET_COLUMNID colId, char *out,
                       size_t cbOut, JET_COLUMNID *rgid)
{
    char buf[80];
    int n = 0;
    out[0] = 0;
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e->ses, t, JET_MoveNext, 0), n++) {
        size_t len = strlen(out);
        snprintf(out + len, cbOut - len, "%s%s", len ? "," : "",
                 ret_s(e, t, colName, buf, sizeof buf));
        if (rgid && n < 8)
            rgid[n] = (JET_COLUMNID)ret_n(e, t, colId, 4);
    }
    CHECK_OK(JetCloseTable(e->ses, t));
}

TEST(template_table_lists_its_own_columns)
{
    env e;
    REQUIRE(env_start(&e, "dt1.edb"));
    JET_COLUMNCREATE tcols[2] = {
        {sizeof(JET_COLUMNCREATE), "tA", JET_coltypLong, 0, 0, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "tName", JET_coltypText, 64, 0, NULL, 0, 1252, 0, 0},
    };
    JET_INDEXCREATE tidx = {0};
    tidx.cbStruct = sizeof(tidx);
    tidx.szIndexName = "tPrimary";
    tidx.szKey = "+tName\0-tA\0";
    tidx.cbKey = 12;
    tidx.grbit = JET_bitIndexPrimary;
    JET_TABLECREATE tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "Tmpl";
    tc.rgcolumncreate = tcols;
    tc.cColumns = 2;
    tc.rgindexcreate = &tidx;
    tc.cIndexes = 1;
    tc.grbit = JET_bitTableCreateTemplateTable;
    REQUIRE_OK(JetCreateTableColumnIndex(e.ses, e.db, &tc));
    char names[200];
    JET_COLUMNID ids[8] = {0};
    JET_COLUMNLIST cl;
    /* a template table's columns are its own: they stay in the NonDerivedColumnsOnly and
     * compact lists, with the columnids JetCreateTableColumnIndex gave */
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, tc.tableid, NULL, &cl, sizeof cl,
                                     JET_ColInfoList | JET_ColInfoGrbitNonDerivedColumnsOnly));
    CHECK_EQ(cl.cRecord, 2);
    list_names(&e, cl.tableid, cl.columnidcolumnname, cl.columnidcolumnid, names, sizeof names,
               ids);
    CHECK_STR(names, "tA,tName");
    CHECK_EQ(ids[0], tcols[0].columnid);
    REQUIRE_OK(JetGetColumnInfo(e.ses, e.db, "Tmpl", NULL, &cl, sizeof cl, JET_ColInfoListCompact));
    list_names(&e, cl.tableid, cl.columnidcolumnname, 0, names, sizeof names, NULL);
    CHECK_STR(names, "tA,tName");
    JET_INDEXLIST il;
    REQUIRE_OK(JetGetTableIndexInfo(e.ses, tc.tableid, NULL, &il, sizeof il, JET_IdxInfoList));
    CHECK_EQ(il.cRecord, 2);
    JET_TABLEID tl = il.tableid;
    CHECK_OK(JetMove(e.ses, tl, JET_MoveLast, 0));
    CHECK_EQ(ret_n(&e, tl, il.columnidcolumnid, 4), tcols[0].columnid);
    CHECK_EQ(ret_n(&e, tl, il.columnidgrbitColumn, 4), JET_bitKeyDescending);
    list_names(&e, tl, il.columnidcolumnname, 0, names, sizeof names, NULL);
    CHECK_STR(names, "tName,tA");
    CHECK_OK(JetCloseTable(e.ses, tc.tableid));
    env_stop(&e);
}

TEST(no_temporary_tables_allowed)
{
    env e;
    REQUIRE(env_start(&e, "nt1.edb"));
    JET_INSTANCE inst2;
    JET_SESID s2;
    JET_DBID db2;
    /* a second instance with JET_paramMaxTemporaryTables 0: every list is JET_errTooManySorts */
    REQUIRE_OK(JetCreateInstance(&inst2, "list0"));
    REQUIRE_OK(JetSetSystemParameter(&inst2, 0, JET_paramMaxTemporaryTables, 0, NULL));
    REQUIRE_OK(JetSetSystemParameter(&inst2, 0, JET_paramTempPath, 0, e.tmp));
    /* a second instance keeps its log apart from the first one's (ESE requires it) */
    REQUIRE_OK(JetSetSystemParameter(&inst2, 0, JET_paramCreatePathIfNotExist, 1, NULL));
    REQUIRE_OK(JetSetSystemParameter(&inst2, 0, JET_paramLogFilePath, 0, "log2/"));
    REQUIRE_OK(JetSetSystemParameter(&inst2, 0, JET_paramSystemPath, 0, "log2/"));
    REQUIRE_OK(JetInit(&inst2));
    REQUIRE_OK(JetBeginSession(inst2, &s2, NULL, NULL));
    CHECK_OK(JetCloseTable(e.ses, e.t));
    CHECK_OK(JetCloseDatabase(e.ses, e.db, 0));
    CHECK_OK(JetDetachDatabase(e.ses, e.path));
    REQUIRE_OK(JetAttachDatabase(s2, e.path, 0));
    REQUIRE_OK(JetOpenDatabase(s2, e.path, NULL, &db2, 0));
    JET_COLUMNLIST cl;
    JET_OBJECTLIST ol;
    JET_INDEXLIST il;
    CHECK_ERR(JetGetColumnInfo(s2, db2, "Items", NULL, &cl, sizeof cl, JET_ColInfoList),
              JET_errTooManySorts);
    CHECK_ERR(JetGetIndexInfo(s2, db2, "Items", NULL, &il, sizeof il, JET_IdxInfoList),
              JET_errTooManySorts);
    CHECK_ERR(
        JetGetObjectInfo(s2, db2, JET_objtypTable, NULL, NULL, &ol, sizeof ol, JET_ObjInfoList),
        JET_errTooManySorts);
    CHECK_OK(JetCloseDatabase(s2, db2, 0));
    CHECK_OK(JetDetachDatabase(s2, e.path));
    CHECK_OK(JetEndSession(s2, 0));
    CHECK_OK(JetTerm(inst2));
    CHECK_OK(JetEndSession(e.ses, 0));
    CHECK_OK(JetTerm(e.inst));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
