/* test_ddl.c: DDL through esent.h: tables with columns of every type and class, indexes of
 * several kinds, JetCreateTableColumnIndex* outputs, column/index info after DDL and after a
 * detach + re-attach, deletes (name reusable), the error codes, a read-only database, and
 * Debian's esedbinfo / esedbexport + esechk.py on the result.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    char path[1024];
} env;

static bool env_start(env *e, uint32_t cbPage, const char *name)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "ddl") < 0 || JetInit(&e->inst) < 0)
        return false;
    if (JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return false;
    return JetCreateDatabase(e->ses, e->path, NULL, &e->db, 0) >= 0;
}

static void env_stop(env *e)
{
    if (e->db != JET_dbidNil) {
        CHECK_OK(JetCloseDatabase(e->ses, e->db, 0));
        CHECK_OK(JetDetachDatabase(e->ses, e->path));
    }
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

static JET_ERR add(env *e, JET_TABLEID t, const char *name, JET_COLTYP coltyp, JET_GRBIT grbit,
                   uint32_t cbMax, uint16_t cp, JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    d.grbit = grbit;
    d.cbMax = cbMax;
    d.cp = cp;
    return JetAddColumn(e->ses, t, name, &d, NULL, 0, pid);
}

static JET_COLUMNID colid(env *e, const char *table, const char *col)
{
    JET_COLUMNDEF d = {0};
    if (JetGetColumnInfo(e->ses, e->db, table, col, &d, sizeof(d), JET_ColInfo) < 0)
        return 0;
    return d.columnid;
}

static const struct {
    const char *name;
    JET_COLTYP coltyp;
    JET_GRBIT grbit;
    uint16_t cp;
    JET_COLUMNID want;
} g_cols[] = {
    {"bit", JET_coltypBit, 0, 0, 1},
    {"ubyte", JET_coltypUnsignedByte, 0, 0, 2},
    {"short", JET_coltypShort, 0, 0, 3},
    {"long", JET_coltypLong, JET_bitColumnNotNULL, 0, 4},
    {"currency", JET_coltypCurrency, 0, 0, 5},
    {"single", JET_coltypIEEESingle, 0, 0, 6},
    {"double", JET_coltypIEEEDouble, 0, 0, 7},
    {"date", JET_coltypDateTime, 0, 0, 8},
    {"ulong", JET_coltypUnsignedLong, 0, 0, 9},
    {"longlong", JET_coltypLongLong, 0, 0, 10},
    {"guid", JET_coltypGUID, 0, 0, 11},
    {"ushort", JET_coltypUnsignedShort, 0, 0, 12},
    {"text", JET_coltypText, 0, 1200, 128},
    {"bin", JET_coltypBinary, 0, 0, 129},
    {"atext", JET_coltypText, 0, 1252, 130},
    {"longtext", JET_coltypLongText, 0, 1200, 256},
    {"longbin", JET_coltypLongBinary, 0, 0, 257},
    {"mv", JET_coltypLong, JET_bitColumnTagged | JET_bitColumnMultiValued, 0, 258},
    {"taggedtext", JET_coltypText, JET_bitColumnTagged, 1252, 259},
};

static void make_all_columns(env *e, JET_TABLEID t)
{
    for (size_t i = 0; i < sizeof(g_cols) / sizeof(g_cols[0]); i++) {
        JET_COLUMNID id = 0;
        CHECK_OK(
            add(e, t, g_cols[i].name, g_cols[i].coltyp, g_cols[i].grbit, 0, g_cols[i].cp, &id));
        CHECK_EQ(id, g_cols[i].want);
    }
}

static void check_all_columns(env *e, const char *table)
{
    for (size_t i = 0; i < sizeof(g_cols) / sizeof(g_cols[0]); i++) {
        JET_COLUMNDEF d = {0};
        CHECK_OK(
            JetGetColumnInfo(e->ses, e->db, table, g_cols[i].name, &d, sizeof(d), JET_ColInfo));
        CHECK_EQ(d.columnid, g_cols[i].want);
        CHECK_EQ(d.coltyp, g_cols[i].coltyp);
    }
}

TEST(tables_columns_indexes)
{
    env e;
    REQUIRE(env_start(&e, 8192, "ddl.edb"));
    JET_TABLEID t;
    REQUIRE_OK(JetCreateTable(e.ses, e.db, "Everything", 0, 0, &t));
    make_all_columns(&e, t);
    check_all_columns(&e, "Everything");
    /* indexes */
    CHECK_OK(JetCreateIndex(e.ses, t, "pk", JET_bitIndexPrimary, "+long\0\0", 8, 0));
    CHECK_ERR(JetCreateIndex(e.ses, t, "pk2", JET_bitIndexPrimary, "+short\0\0", 9, 0),
              JET_errIndexHasPrimary);
    CHECK_OK(JetCreateIndex(e.ses, t, "byText", 0, "+text\0-date\0\0", 13, 90));
    CHECK_OK(JetCreateIndex(e.ses, t, "uniq", JET_bitIndexUnique | JET_bitIndexIgnoreAnyNull,
                            "+guid\0\0", 8, 0));
    CHECK_OK(JetCreateIndex(e.ses, t, "mv", 0, "+mv\0\0", 5, 0));
    CHECK_ERR(JetCreateIndex(e.ses, t, "byText", 0, "+bin\0\0", 6, 0), JET_errIndexDuplicate);
    CHECK_ERR(JetCreateIndex(e.ses, t, "bad", 0, "+nosuch\0\0", 9, 0), JET_errColumnNotFound);
    CHECK_ERR(JetCreateIndex(e.ses, t, "bad", 0, "\0\0", 2, 0), JET_errIndexInvalidDef);
    JET_CONDITIONALCOLUMN cc = {sizeof(cc), "bit", JET_bitIndexColumnMustBeNonNull};
    JET_INDEXCREATE ic = {0};
    ic.cbStruct = sizeof(ic);
    ic.szIndexName = "cond";
    ic.szKey = "+ushort\0";
    ic.cbKey = 9;
    ic.rgconditionalcolumn = &cc;
    ic.cConditionalColumn = 1;
    CHECK_OK(JetCreateIndex2(e.ses, t, &ic, 1));
    CHECK_OK(ic.err);
    /* column errors */
    CHECK_ERR(add(&e, t, "long", JET_coltypLong, 0, 0, 0, NULL), JET_errColumnDuplicate);
    CHECK_ERR(add(&e, t, "LONG", JET_coltypLong, 0, 0, 0, NULL), JET_errColumnDuplicate);
    CHECK_ERR(add(&e, t, "x", 0, 0, 0, 0, NULL), JET_errInvalidColumnType);
    CHECK_ERR(add(&e, t, "x", 99, 0, 0, 0, NULL), JET_errInvalidColumnType);
    CHECK_ERR(add(&e, t, "", JET_coltypLong, 0, 0, 0, NULL), JET_errInvalidName);
    CHECK_ERR(add(&e, t, "x", JET_coltypLong, JET_bitColumnMultiValued, 0, 0, NULL),
              JET_errMultiValuedColumnMustBeTagged);
    CHECK_ERR(add(&e, t, "x", JET_coltypLongText, JET_bitColumnFixed, 0, 0, NULL),
              JET_errInvalidGrbit);
    CHECK_ERR(add(&e, t, "x", JET_coltypText, 0, 0, 437, NULL), JET_errInvalidCodePage);
    CHECK_ERR(add(&e, t, "x", JET_coltypLong, JET_bitColumnAutoincrement | JET_bitColumnTagged, 0,
                  0, NULL),
              JET_errCannotBeTagged);
    CHECK_ERR(add(&e, t, "x", JET_coltypText, 0, 300, 0, NULL), JET_wrnColumnMaxTruncated);
    /* table errors */
    JET_TABLEID t2;
    CHECK_ERR(JetCreateTable(e.ses, e.db, "everything", 0, 0, &t2), JET_errTableDuplicate);
    CHECK_ERR(JetCreateTable(e.ses, e.db, "MSysObjects", 0, 0, &t2), JET_errTableDuplicate);
    CHECK_ERR(JetCreateTable(e.ses, e.db, "", 0, 0, &t2), JET_errInvalidName);
    CHECK_ERR(JetCreateTable(e.ses, e.db, "d", 0, 5, &t2), JET_errDensityInvalid);
    CHECK_ERR(JetCreateTable(e.ses, 99, "d", 0, 0, &t2), JET_errInvalidDatabaseId);
    CHECK_ERR(JetDeleteTable(e.ses, e.db, "MSysObjects"), JET_errCannotDeleteSystemTable);
    CHECK_ERR(JetDeleteTable(e.ses, e.db, "nosuch"), JET_errObjectNotFound);
    /* deletes */
    CHECK_ERR(JetDeleteIndex(e.ses, t, "pk"), JET_errIndexMustStay);
    CHECK_ERR(JetDeleteIndex(e.ses, t, "nosuch"), JET_errIndexNotFound);
    CHECK_OK(JetDeleteIndex(e.ses, t, "uniq"));
    CHECK_ERR(JetDeleteColumn(e.ses, t, "text"), JET_errColumnInUse);
    CHECK_OK(JetDeleteColumn(e.ses, t, "taggedtext"));
    CHECK_ERR(JetDeleteColumn(e.ses, t, "taggedtext"), JET_errColumnNotFound);
    CHECK_OK(JetCloseTable(e.ses, t));
    /* a second table, deleted, name reusable */
    CHECK_OK(JetCreateTable(e.ses, e.db, "Gone", 4, 100, &t2));
    CHECK_OK(add(&e, t2, "a", JET_coltypLong, 0, 0, 0, NULL));
    CHECK_OK(JetCreateIndex(e.ses, t2, "ia", 0, "+a\0\0", 4, 0));
    CHECK_OK(JetCloseTable(e.ses, t2));
    CHECK_OK(JetDeleteTable(e.ses, e.db, "Gone"));
    CHECK_ERR(JetOpenTable(e.ses, e.db, "Gone", NULL, 0, 0, &t2), JET_errObjectNotFound);
    CHECK_OK(JetCreateTable(e.ses, e.db, "Gone", 0, 0, &t2));
    CHECK_OK(JetCloseTable(e.ses, t2));
    CHECK_OK(JetDeleteTable(e.ses, e.db, "Gone"));
    env_stop(&e);

    /* re-attach: the schema is there */
    char path[1024];
    snprintf(path, sizeof(path), "%s", e.path);
    CHECK_OK(JetCreateInstance(&e.inst, "ddl2"));
    CHECK_OK(JetInit(&e.inst));
    CHECK_OK(JetBeginSession(e.inst, &e.ses, NULL, NULL));
    CHECK_OK(JetAttachDatabase(e.ses, path, JET_bitDbReadOnly));
    CHECK_OK(JetOpenDatabase(e.ses, path, NULL, &e.db, JET_bitDbReadOnly));
    for (size_t i = 0; i + 1 < sizeof(g_cols) / sizeof(g_cols[0]); i++)
        CHECK_EQ(colid(&e, "Everything", g_cols[i].name), g_cols[i].want);
    CHECK_EQ(colid(&e, "Everything", "taggedtext"), 0);
    CHECK_EQ(colid(&e, "Everything", "x"), 131); /* the truncated one */
    CHECK_OK(JetOpenTable(e.ses, e.db, "Everything", NULL, 0, 0, &t));
    CHECK_OK(JetSetCurrentIndex(e.ses, t, "byText"));
    CHECK_OK(JetSetCurrentIndex(e.ses, t, "mv"));
    CHECK_OK(JetSetCurrentIndex(e.ses, t, "cond"));
    CHECK_ERR(JetSetCurrentIndex(e.ses, t, "uniq"), JET_errIndexNotFound);
    /* read-only database: no DDL */
    CHECK_ERR(add(&e, t, "y", JET_coltypLong, 0, 0, 0, NULL), JET_errPermissionDenied);
    CHECK_ERR(JetCreateTable(e.ses, e.db, "ro", 0, 0, &t2), JET_errPermissionDenied);
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);

    if (system("command -v esedbinfo >/dev/null 2>&1") == 0) {
        char cmd[4096];
        snprintf(cmd, sizeof(cmd), "esedbinfo '%s' > '%s.txt' 2>&1", path, path);
        CHECK_EQ(system(cmd), 0);
        snprintf(cmd, sizeof(cmd),
                 "grep -q 'Everything' '%s.txt' && grep -q 'longtext' '%s.txt' && "
                 "grep -q 'Number of tables:.*5' '%s.txt'",
                 path, path, path);
        CHECK_EQ(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "esedbexport -t '%s.x' '%s' >/dev/null 2>&1", path, path);
        CHECK_EQ(system(cmd), 0);
    }
    if (bj_test_shared_dir()) {
        char cmd[4096];
        snprintf(cmd, sizeof(cmd), "python3 '%s/tools/esechk.py' '%s' >/dev/null 2>&1",
                 bj_test_shared_dir(), path);
        CHECK_EQ(system(cmd), 0);
    }
}

TEST(create_table_column_index)
{
    env e;
    REQUIRE(env_start(&e, 4096, "tci.edb"));
    JET_COLUMNCREATE cols[3] = {
        {sizeof(JET_COLUMNCREATE), "id", JET_coltypLong, 0, JET_bitColumnNotNULL, NULL, 0, 0, 0, 0},
        {sizeof(JET_COLUMNCREATE), "name", JET_coltypText, 100, 0, NULL, 0, 1200, 0, 0},
        {sizeof(JET_COLUMNCREATE), "tags", JET_coltypText, 0,
         JET_bitColumnMultiValued | JET_bitColumnTagged, NULL, 0, 0, 0, 0},
    };
    JET_INDEXCREATE idx[2] = {0};
    idx[0].cbStruct = sizeof(idx[0]);
    idx[0].szIndexName = "primary";
    idx[0].szKey = "+id\0";
    idx[0].cbKey = 5;
    idx[0].grbit = JET_bitIndexPrimary | JET_bitIndexDisallowNull;
    idx[1].cbStruct = sizeof(idx[1]);
    idx[1].szIndexName = "byTag";
    idx[1].szKey = "+tags\0+name\0";
    idx[1].cbKey = 13;
    JET_TABLECREATE tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "People";
    tc.rgcolumncreate = cols;
    tc.cColumns = 3;
    tc.rgindexcreate = idx;
    tc.cIndexes = 2;
    REQUIRE_OK(JetCreateTableColumnIndex(e.ses, e.db, &tc));
    CHECK_EQ(tc.cCreated, 6);
    CHECK(tc.tableid != JET_tableidNil);
    CHECK_EQ(cols[0].columnid, 1);
    CHECK_EQ(cols[1].columnid, 128);
    CHECK_EQ(cols[2].columnid, 256);
    CHECK_OK(cols[2].err);
    CHECK_OK(idx[1].err);
    CHECK_OK(JetCloseTable(e.ses, tc.tableid));
    /* a failing index takes the whole table back */
    idx[1].szKey = "+nosuch\0";
    idx[1].cbKey = 9;
    tc.szTableName = "People2";
    CHECK_ERR(JetCreateTableColumnIndex(e.ses, e.db, &tc), JET_errColumnNotFound);
    CHECK_ERR(idx[1].err, JET_errColumnNotFound);
    JET_TABLEID t;
    CHECK_ERR(JetOpenTable(e.ses, e.db, "People2", NULL, 0, 0, &t), JET_errObjectNotFound);
    /* version 4 with a locale name */
    JET_WCHAR loc[] = {'e', 'n', '-', 'G', 'B', 0};
    JET_UNICODEINDEX2 ui = {loc, 0};
    JET_INDEXCREATE3 i3 = {0};
    i3.cbStruct = sizeof(i3);
    i3.szIndexName = "byName";
    i3.szKey = "+name\0";
    i3.cbKey = 7;
    i3.grbit = JET_bitIndexUnicode;
    i3.pidxunicode = &ui;
    CHECK_OK(JetOpenTable(e.ses, e.db, "People", NULL, 0, 0, &t));
    CHECK_OK(JetCreateIndex4(e.ses, t, &i3, 1));
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
