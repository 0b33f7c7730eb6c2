/* test_libesedb_schema.c: databases we create (4, 8, 16 and 32 KiB pages) with several tables
 * of every column class, detached cleanly, read by Debian's libesedb 20181229: esedbinfo lists
 * every table and column with the ids and types we defined, esedbexport -t succeeds and writes
 * one file per table; esechk.py verifies every page checksum. (The 16/32 KiB files are read too:
 * libesedb accepts large pages from format revision 0x11 on, and we write 0x14.)
 * Template and derived tables: esedbinfo names the template of the derived table and lists its
 * own columns and copied indexes; esedbexport writes the derived table's records with the
 * template's columns and its own (libesedb 20181229 reads records of derived tables only when
 * every column is tagged: "only tagged data types supported in tables using a template table").
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

static JET_COLUMNCREATE_A tagged_col(const char *name, JET_COLTYP coltyp)
{
    JET_COLUMNCREATE_A c = {0};
    c.cbStruct = sizeof(c);
    c.szColumnName = (char *)name;
    c.coltyp = coltyp;
    c.grbit = JET_bitColumnTagged;
    c.cp = coltyp == JET_coltypText || coltyp == JET_coltypLongText ? 1252 : 0;
    return c;
}

TEST(template_and_derived)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/tmpl.edb", bj_test_tmpdir());
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL));
    REQUIRE_OK(JetCreateInstance(&inst, "tmpl"));
    REQUIRE_OK(JetInit(&inst));
    REQUIRE_OK(JetBeginSession(inst, &s, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(s, path, NULL, &db, 0));
    JET_COLUMNCREATE_A c[3] = {tagged_col("Id", JET_coltypLong), tagged_col("Name", JET_coltypText),
                               tagged_col("Tag", JET_coltypLongText)};
    JET_INDEXCREATE_A ix[2] = {0};
    ix[0].cbStruct = ix[1].cbStruct = sizeof(ix[0]);
    ix[0].szIndexName = "PK";
    ix[0].szKey = "+Id\0";
    ix[0].cbKey = 5;
    ix[0].grbit = JET_bitIndexPrimary | JET_bitIndexDisallowNull;
    ix[1].szIndexName = "ByName";
    ix[1].szKey = "+Name\0";
    ix[1].cbKey = 7;
    JET_TABLECREATE_A tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "Tpl";
    tc.rgcolumncreate = c;
    tc.cColumns = 3;
    tc.rgindexcreate = ix;
    tc.cIndexes = 2;
    tc.grbit = JET_bitTableCreateTemplateTable;
    CHECK_OK(JetCreateTableColumnIndex(s, db, &tc));
    CHECK_OK(JetCloseTable(s, tc.tableid));
    JET_COLUMNCREATE_A c2[2] = {tagged_col("Own", JET_coltypLong),
                                tagged_col("OwnTag", JET_coltypLongText)};
    JET_TABLECREATE_A td = {0};
    td.cbStruct = sizeof(td);
    td.szTableName = "Der";
    td.szTemplateTableName = "Tpl";
    td.rgcolumncreate = c2;
    td.cColumns = 2;
    CHECK_OK(JetCreateTableColumnIndex(s, db, &td));
    for (int32_t i = 1; i <= 3; i++) {
        char nm[16], tg[16], ot[16];
        snprintf(nm, sizeof(nm), "name%d", (int)i);
        snprintf(tg, sizeof(tg), "tag%d", (int)i);
        snprintf(ot, sizeof(ot), "own%d", (int)i);
        int32_t own = i * 100;
        CHECK_OK(JetBeginTransaction(s));
        CHECK_OK(JetPrepareUpdate(s, td.tableid, JET_prepInsert));
        CHECK_OK(JetSetColumn(s, td.tableid, 0x80000100u, &i, 4, 0, NULL));
        CHECK_OK(JetSetColumn(s, td.tableid, 0x80000101u, nm, (uint32_t)strlen(nm), 0, NULL));
        CHECK_OK(JetSetColumn(s, td.tableid, 0x80000102u, tg, (uint32_t)strlen(tg), 0, NULL));
        CHECK_OK(JetSetColumn(s, td.tableid, 256, &own, 4, 0, NULL)); /* own tagged ids */
        CHECK_OK(JetSetColumn(s, td.tableid, 257, ot, (uint32_t)strlen(ot), 0, NULL));
        CHECK_OK(JetUpdate(s, td.tableid, NULL, 0, NULL));
        CHECK_OK(JetCommitTransaction(s, 0));
    }
    CHECK_OK(JetCloseTable(s, td.tableid));
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    if (system("command -v esedbinfo >/dev/null 2>&1") == 0) {
        CHECK_EQ(sh("esedbinfo '%s' > '%s.txt' 2>&1", path, path), 0);
        CHECK_EQ(sh("grep -qP '^\\tTemplate:\\t+Tpl$' '%s.txt' && test -n '%s'", path, path), 0);
        CHECK_EQ(
            sh("grep -qP '^\\tIndex: 2\\t+ByName \\(11\\)' '%s.txt' && test -n '%s'", path, path),
            0);
        CHECK_EQ(sh("esedbexport -t '%s.x' '%s' >/dev/null 2>&1", path, path), 0);
        CHECK_EQ(sh("grep -qP '^2\\tname2\\ttag2\\t200\\town2$' '%s.x.export/Der.5' && "
                    "test -n '%s'",
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
