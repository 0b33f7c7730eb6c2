/* test_libesedb_schema.c: databases we create (4, 8, 16 and 32 KiB pages) with several tables
 * of every column class, detached cleanly, read by Debian's libesedb 20181229: esedbinfo lists
 * every table and column with the ids and types we defined, esedbexport -t succeeds and writes
 * one file per table; esechk.py verifies every page checksum. (The 16/32 KiB files are read too:
 * libesedb accepts large pages from format revision 0x11 on, and we write 0x14.)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "esent.h"
#include "testlib.h"

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    return system(cmd);
}

static void build(uint32_t cbPage)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/schema%u.edb", bj_test_tmpdir(), cbPage);
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL));
    REQUIRE_OK(JetCreateInstance(&inst, "schema"));
    REQUIRE_OK(JetInit(&inst));
    REQUIRE_OK(JetBeginSession(inst, &ses, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(ses, path, NULL, &db, 0));
    static const char *tables[] = {"Alpha", "Beta", "Gamma", "Delta"};
    for (int i = 0; i < 4; i++) {
        JET_COLUMNCREATE cols[5] = {
            {sizeof(JET_COLUMNCREATE), "Id", JET_coltypLongLong, 0, JET_bitColumnNotNULL, NULL, 0,
             0, 0, 0},
            {sizeof(JET_COLUMNCREATE), "Flag", JET_coltypBit, 0, 0, NULL, 0, 0, 0, 0},
            {sizeof(JET_COLUMNCREATE), "Name", JET_coltypText, 64, 0, NULL, 0, 1200, 0, 0},
            {sizeof(JET_COLUMNCREATE), "Blob", JET_coltypLongBinary, 0, 0, NULL, 0, 0, 0, 0},
            {sizeof(JET_COLUMNCREATE), "Notes", JET_coltypLongText, 0, 0, NULL, 0, 1252, 0, 0},
        };
        JET_INDEXCREATE idx[2] = {0};
        idx[0].cbStruct = sizeof(idx[0]);
        idx[0].szIndexName = "PK";
        idx[0].szKey = "+Id\0";
        idx[0].cbKey = 5;
        idx[0].grbit = JET_bitIndexPrimary;
        idx[1].cbStruct = sizeof(idx[1]);
        idx[1].szIndexName = "ByName";
        idx[1].szKey = "-Name\0+Flag\0";
        idx[1].cbKey = 13;
        JET_TABLECREATE tc = {0};
        tc.cbStruct = sizeof(tc);
        tc.szTableName = (char *)tables[i];
        tc.rgcolumncreate = cols;
        tc.cColumns = 5;
        tc.rgindexcreate = idx;
        tc.cIndexes = i % 2 ? 2 : 1; /* some tables with a secondary index */
        CHECK_OK(JetCreateTableColumnIndex(ses, db, &tc));
        CHECK_OK(JetCloseTable(ses, tc.tableid));
    }
    CHECK_OK(JetCloseDatabase(ses, db, 0));
    CHECK_OK(JetDetachDatabase(ses, path));
    CHECK_OK(JetEndSession(ses, 0));
    CHECK_OK(JetTerm(inst));

    if (system("command -v esedbinfo >/dev/null 2>&1") == 0) {
        CHECK_EQ(sh("esedbinfo '%s' > '%s.txt' 2>&1", path, path), 0);
        /* MSO, its shadow, MSysObjids, MSysLocales and ours */
        CHECK_EQ(sh("grep -q 'Number of tables:.*8' '%s.txt' && test -n '%s'", path, path), 0);
        CHECK_EQ(
            sh("grep -qP '^Table: 3\\t+MSysObjids \\(6\\)' '%s.txt' && test -n '%s'", path, path),
            0);
        CHECK_EQ(
            sh("grep -qP '^Table: 4\\t+MSysLocales \\(7\\)' '%s.txt' && test -n '%s'", path, path),
            0);
        for (int i = 0; i < 4; i++)
            CHECK_EQ(sh("grep -q '%s' '%s.txt'", tables[i], path), 0);
        /* column lines: "<n>\t<id>\t<name>\t<type>" */
        CHECK_EQ(sh("grep -qP '^\\t1\\t1\\tId\\tInteger 64-bit signed' '%s.txt' && test -n '%s'",
                    path, path),
                 0);
        CHECK_EQ(sh("grep -qP '^\\t3\\t128\\tName\\tText' '%s.txt' && test -n '%s'", path, path),
                 0);
        CHECK_EQ(sh("grep -qP '^\\t4\\t256\\tBlob\\tLarge binary data' '%s.txt' && test -n '%s'",
                    path, path),
                 0);
        CHECK_EQ(
            sh("grep -qP '^\\t5\\t257\\tNotes\\tLarge text' '%s.txt' && test -n '%s'", path, path),
            0);
        CHECK_EQ(sh("esedbexport -t '%s.x' '%s' >/dev/null 2>&1", path, path), 0);
        CHECK_EQ(sh("test -f '%s.x.export/Alpha.4' && test -n '%s'", path, path), 0);
        /* MSysObjids: a row per B-tree (tables 8.., secondary indexes after their table) */
        CHECK_EQ(sh("grep -qP '^6\\t6\\t1$' '%s.x.export/MSysObjids.2' && "
                    "grep -qP '^7\\t7\\t1$' '%s.x.export/MSysObjids.2'",
                    path, path),
                 0);
        CHECK_EQ(sh("grep -qP '^9\\t9\\t1$' '%s.x.export/MSysObjids.2' && "
                    "grep -qP '^10\\t9\\t3$' '%s.x.export/MSysObjids.2'",
                    path, path),
                 0);
        /* MSysLocales: the consistency marker (UTF-16 "MSysLocalesConsistent") = 1 */
        CHECK_EQ(
            sh("grep -qP '^2\\t1\\t4d005300790073004c006f00630061006c006500730043006f006e00"
               "730069007300740065006e0074000000$' '%s.x.export/MSysLocales.3' && test -n '%s'",
               path, path),
            0);
    }
    if (bj_test_shared_dir())
        CHECK_EQ(
            sh("python3 '%s/tools/esechk.py' '%s' >/dev/null 2>&1", bj_test_shared_dir(), path), 0);
}

TEST(schema_4k)
{
    build(4096);
}
TEST(schema_8k)
{
    build(8192);
}
TEST(schema_16k)
{
    build(16384);
}
TEST(schema_32k)
{
    build(32768);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
