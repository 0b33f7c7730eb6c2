/* test_list_edb.c: the list forms of the info calls on a copy of a Windows-written database
 * (Catalog1_rev14_4k.edb, attached read-only, page size 4096).
 *
 * The expected values are hard-coded and were verified with Debian's libesedb-utils 20181229:
 * column identifiers, names and types and the index names per table from `esedbinfo`; the key
 * segments (KeyFldIDs: flags, fid), the index Flags (IDBFLAG | IDXFLAG << 16), LCMapFlags
 * 0x30401, the column and table Flags and the empty Stats column from `esedbexport -T MSysObjects`.
 */
#include <stdbool.h>
#include <stdio.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    char path[1024];
    char tmp[1024];
} env;

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    bool ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok;
}

static bool env_open(env *e)
{
    char src[1024];
    memset(e, 0, sizeof(*e));
    if (!bj_test_shared_dir())
        return false;
    snprintf(src, sizeof src, "%s/data/edb/Catalog1_rev14_4k.edb", bj_test_shared_dir());
    snprintf(e->path, sizeof e->path, "%s/Catalog1.edb", bj_test_tmpdir());
    snprintf(e->tmp, sizeof(e->tmp), "%s/", bj_test_tmpdir());
    if (!copy_file(src, e->path))
        return false;
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 4096, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "listedb") < 0 ||
        JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, e->tmp) < 0 ||
        JetInit(&e->inst) < 0 || JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return false;
    if (JetAttachDatabase(e->ses, e->path, JET_bitDbReadOnly) < 0)
        return false;
    return JetOpenDatabase(e->ses, e->path, NULL, &e->db, JET_bitDbReadOnly) >= 0;
}

static void env_close(env *e)
{
    CHECK_OK(JetCloseDatabase(e->ses, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->ses, e->path));
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

static int64_t ret_n(env *e, JET_TABLEID t, JET_COLUMNID c, uint32_t cb)
{
    uint8_t b[8] = {0};
    uint32_t cbActual = 0;
    JET_ERR err = JetRetrieveColumn(e->ses, t, c, b, sizeof(b), &cbActual, 0, NULL);
    if (err != JET_errSuccess || cbActual != cb)
        return -1;
    uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8;
    if (cb == 4)
        v |= (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return v;
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

typedef struct col {
    uint32_t id;
    const char *name;
    JET_COLTYP coltyp;
} col;

/* esedbinfo: table "namespace", 11 columns (identifier, name, type). */
static const col rgNamespace[11] = {
    {1, "id", JET_coltypLong},
    {2, "parentId", JET_coltypLong},
    {3, "childId", JET_coltypLong},
    {4, "status", JET_coltypShort},
    {5, "fileAttrib", JET_coltypUnsignedLong},
    {6, "fileCreated", JET_coltypLongLong},
    {7, "fileModified", JET_coltypLongLong},
    {8, "usn", JET_coltypLongLong},
    {9, "tCreated", JET_coltypLong},
    {10, "tVisible", JET_coltypLong},
    {11, "fileRecordId", JET_coltypLong},
};

TEST(catalog1_column_lists_match_esedbinfo)
{
    env e;
    REQUIRE(env_open(&e));
    JET_COLUMNLIST cl;
    char buf[80];
    /* by columnid: esedbinfo's order */
    REQUIRE_OK(JetGetColumnInfo(e.ses, e.db, "namespace", NULL, &cl, sizeof cl,
                                JET_ColInfoListSortColumnid));
    CHECK_EQ(cl.cRecord, 11);
    uint32_t n = 0;
    for (JET_ERR err = JetMove(e.ses, cl.tableid, JET_MoveFirst, 0); err >= 0 && n < 11;
         err = JetMove(e.ses, cl.tableid, JET_MoveNext, 0), n++) {
        CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcolumnid, 4), rgNamespace[n].id);
        CHECK_STR(ret_s(&e, cl.tableid, cl.columnidcolumnname, buf, sizeof buf),
                  rgNamespace[n].name);
        CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcoltyp, 4), rgNamespace[n].coltyp);
        /* fixed columns on a read-only database: no JET_bitColumnUpdatable; "id" has catalog
         * Flags 4 (ffieldAutoincrement) */
        CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidgrbit, 4),
                 JET_bitColumnFixed | (n == 0 ? JET_bitColumnAutoincrement : 0));
        CHECK_STR(ret_s(&e, cl.tableid, cl.columnidBaseTableName, buf, sizeof buf), "namespace");
    }
    CHECK_EQ(n, 11);
    CHECK_OK(JetCloseTable(e.ses, cl.tableid));
    /* by name, through a read-only cursor: "global" = id (1, Long), key (128, Text),
     * value (256, LongBinary) */
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "global", NULL, 0, JET_bitTableReadOnly, &t));
    REQUIRE_OK(JetGetTableColumnInfo(e.ses, t, NULL, &cl, sizeof cl, JET_ColInfoList));
    CHECK_EQ(cl.cRecord, 3);
    static const col rgGlobal[3] = {{1, "id", JET_coltypLong},
                                    {128, "key", JET_coltypText},
                                    {256, "value", JET_coltypLongBinary}};
    n = 0;
    for (JET_ERR err = JetMove(e.ses, cl.tableid, JET_MoveFirst, 0); err >= 0 && n < 3;
         err = JetMove(e.ses, cl.tableid, JET_MoveNext, 0), n++) {
        CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcolumnid, 4), rgGlobal[n].id);
        CHECK_STR(ret_s(&e, cl.tableid, cl.columnidcolumnname, buf, sizeof buf), rgGlobal[n].name);
        CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcoltyp, 4), rgGlobal[n].coltyp);
    }
    CHECK_EQ(n, 3);
    CHECK_OK(JetCloseTable(e.ses, cl.tableid));
    /* MSysObjects: 27 columns, the last by columnid is LocaleName (261) */
    REQUIRE_OK(JetGetColumnInfo(e.ses, e.db, "MSysObjects", NULL, &cl, sizeof cl,
                                JET_ColInfoListSortColumnid));
    CHECK_EQ(cl.cRecord, 27);
    CHECK_OK(JetMove(e.ses, cl.tableid, JET_MoveLast, 0));
    CHECK_EQ(ret_n(&e, cl.tableid, cl.columnidcolumnid, 4), 261);
    CHECK_STR(ret_s(&e, cl.tableid, cl.columnidcolumnname, buf, sizeof buf), "LocaleName");
    CHECK_OK(JetCloseTable(e.ses, cl.tableid));
    CHECK_OK(JetCloseTable(e.ses, t));
    env_close(&e);
}

typedef struct seg {
    const char *index;
    JET_GRBIT grbit;
    uint32_t cseg, iseg, fid;
    JET_GRBIT grbitCol;
} seg;

TEST(catalog1_index_lists_match_the_catalog)
{
    env e;
    REQUIRE(env_open(&e));
    /* namespace's 6 indexes (esedbinfo), sorted by name; pkIndex is the primary (Flags
     * 0x1002F), filePathIndex unique (0x1000F), the others plain (0x1000E) */
    static const seg rg[8] = {
        {"childIdIndex", 0, 1, 0, 3, JET_bitKeyAscending},
        {"filePathIndex", JET_bitIndexUnique, 3, 0, 2, JET_bitKeyAscending},
        {"filePathIndex", JET_bitIndexUnique, 3, 1, 3, JET_bitKeyAscending},
        {"filePathIndex", JET_bitIndexUnique, 3, 2, 9, JET_bitKeyDescending},
        {"fileRecordIdIndex", 0, 1, 0, 11, JET_bitKeyAscending},
        {"parentIdIndex", 0, 1, 0, 2, JET_bitKeyAscending},
        {"pkIndex", JET_bitIndexPrimary | JET_bitIndexUnique, 1, 0, 1, JET_bitKeyAscending},
        {"tVisibleIndex", 0, 1, 0, 10, JET_bitKeyAscending},
    };
    JET_INDEXLIST il;
    char buf[80];
    REQUIRE_OK(JetGetIndexInfo(e.ses, e.db, "namespace", NULL, &il, sizeof il, JET_IdxInfoList));
    CHECK_EQ(il.cRecord, 8);
    uint32_t n = 0;
    for (JET_ERR err = JetMove(e.ses, il.tableid, JET_MoveFirst, 0); err >= 0 && n < 8;
         err = JetMove(e.ses, il.tableid, JET_MoveNext, 0), n++) {
        CHECK_STR(ret_s(&e, il.tableid, il.columnidindexname, buf, sizeof buf), rg[n].index);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidgrbitIndex, 4), rg[n].grbit);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidcColumn, 4), rg[n].cseg);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidiColumn, 4), rg[n].iseg);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidcolumnid, 4), rg[n].fid);
        CHECK_STR(ret_s(&e, il.tableid, il.columnidcolumnname, buf, sizeof buf),
                  rgNamespace[rg[n].fid - 1].name);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidgrbitColumn, 4), rg[n].grbitCol);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidLCMapFlags, 4), 0x30401);
        CHECK_EQ(ret_n(&e, il.tableid, il.columnidcEntry, 4), 0); /* Stats is NULL */
    }
    CHECK_EQ(n, 8);
    CHECK_OK(JetCloseTable(e.ses, il.tableid));
    /* file.stateTQueuedDescIndex: state (4) ascending, tQueued (7) descending */
    REQUIRE_OK(
        JetGetIndexInfo(e.ses, e.db, "file", "stateTQueuedDescIndex", &il, sizeof il, JET_IdxInfo));
    CHECK_EQ(il.cRecord, 2);
    CHECK_OK(JetMove(e.ses, il.tableid, JET_MoveFirst, 0));
    CHECK_STR(ret_s(&e, il.tableid, il.columnidcolumnname, buf, sizeof buf), "state");
    CHECK_EQ(ret_n(&e, il.tableid, il.columnidgrbitColumn, 4), JET_bitKeyAscending);
    CHECK_OK(JetMove(e.ses, il.tableid, JET_MoveNext, 0));
    CHECK_STR(ret_s(&e, il.tableid, il.columnidcolumnname, buf, sizeof buf), "tQueued");
    CHECK_EQ(ret_n(&e, il.tableid, il.columnidgrbitColumn, 4), JET_bitKeyDescending);
    CHECK_ERR(JetMove(e.ses, il.tableid, JET_MoveNext, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetCloseTable(e.ses, il.tableid));
    /* every table: as many index names as esedbinfo lists */
    static const struct {
        const char *table;
        uint32_t cidx;
    } rgc[10] = {{"MSysObjects", 3}, {"MSysObjectsShadow", 1}, {"MSysObjids", 1},
                 {"MSysLocales", 1}, {"namespace", 6},         {"string", 2},
                 {"file", 5},        {"backupset", 2},         {"global", 2},
                 {"library", 3}};
    for (int i = 0; i < 10; i++) {
        REQUIRE_OK(
            JetGetIndexInfo(e.ses, e.db, rgc[i].table, NULL, &il, sizeof il, JET_IdxInfoList));
        uint32_t cidx = 0;
        for (JET_ERR err = JetMove(e.ses, il.tableid, JET_MoveFirst, 0); err >= 0;
             err = JetMove(e.ses, il.tableid, JET_MoveNext, 0))
            cidx += ret_n(&e, il.tableid, il.columnidiColumn, 4) == 0;
        CHECK_EQ(cidx, rgc[i].cidx);
        CHECK_OK(JetCloseTable(e.ses, il.tableid));
    }
    env_close(&e);
}

TEST(catalog1_object_list)
{
    env e;
    REQUIRE(env_open(&e));
    /* esedbinfo's 10 tables sorted by name (case-insensitively), with their catalog Flags */
    static const struct {
        const char *name;
        uint32_t flags;
    } rg[10] = {
        {"backupset", 0},
        {"file", 0},
        {"global", 0},
        {"library", 0},
        {"MSysLocales", 0x88000000u},
        {"MSysObjects", 0xC0000000u},
        {"MSysObjectsShadow", 0xC0000000u},
        {"MSysObjids", 0xC8000000u},
        {"namespace", 0},
        {"string", 0},
    };
    JET_OBJECTLIST ol;
    char buf[80];
    REQUIRE_OK(JetGetObjectInfo(e.ses, e.db, JET_objtypTable, NULL, NULL, &ol, sizeof ol,
                                JET_ObjInfoList));
    CHECK_EQ(ol.cRecord, 10);
    uint32_t n = 0;
    for (JET_ERR err = JetMove(e.ses, ol.tableid, JET_MoveFirst, 0); err >= 0 && n < 10;
         err = JetMove(e.ses, ol.tableid, JET_MoveNext, 0), n++) {
        CHECK_STR(ret_s(&e, ol.tableid, ol.columnidobjectname, buf, sizeof buf), rg[n].name);
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidflags, 4), rg[n].flags);
        /* read-only: no JET_bitTableInfoUpdatable */
        CHECK_EQ(ret_n(&e, ol.tableid, ol.columnidgrbit, 4),
                 JET_bitTableInfoBookmark | JET_bitTableInfoRollback);
    }
    CHECK_EQ(n, 10);
    CHECK_OK(JetCloseTable(e.ses, ol.tableid));
    env_close(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
