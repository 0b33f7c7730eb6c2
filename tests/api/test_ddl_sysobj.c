/* test_ddl_sysobj.c: MSysObjids and MSysLocales of a database made by JetCreateDatabase, as
 * ESE makes them at update major 0x14: their catalog rows equal the Windows samples' (objids 6
 * and 7, pgnoFDP aside), their rows, and MSysObjids kept by DDL (tables, secondary indexes, LV
 * trees; deletes; rollback; other sessions do not see uncommitted rows); system tables cannot
 * be made or deleted through the API.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID a, b;
    JET_DBID dba, dbb;
    char path[1024];
} env;

static bool env_start(env *e, const char *name, uint32_t cbPage)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "sys") < 0 || JetInit(&e->inst) < 0)
        return false;
    if (JetBeginSession(e->inst, &e->a, NULL, NULL) < 0 ||
        JetBeginSession(e->inst, &e->b, NULL, NULL) < 0)
        return false;
    if (JetCreateDatabase(e->a, e->path, NULL, &e->dba, 0) < 0)
        return false;
    return JetOpenDatabase(e->b, e->path, NULL, &e->dbb, 0) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetCloseDatabase(e->a, e->dba, 0));
    CHECK_OK(JetCloseDatabase(e->b, e->dbb, 0));
    CHECK_OK(JetDetachDatabase(e->a, e->path));
    CHECK_OK(JetEndSession(e->a, 0));
    CHECK_OK(JetEndSession(e->b, 0));
    CHECK_OK(JetTerm(e->inst));
}

/* The MSysObjids row of objid as s sees it: its objidTable and type, or false when absent. */
static bool objids_row(JET_SESID s, JET_DBID db, int32_t objid, int32_t *pTable, int16_t *pType)
{
    JET_TABLEID t;
    bool f = false;
    if (JetOpenTable(s, db, "MSysObjids", NULL, 0, JET_bitTableReadOnly, &t) < 0)
        return false;
    uint32_t cb;
    if (JetMakeKey(s, t, &objid, sizeof(objid), JET_bitNewKey) >= 0 &&
        JetSeek(s, t, JET_bitSeekEQ) >= 0 &&
        JetRetrieveColumn(s, t, 257, pTable, sizeof(*pTable), &cb, 0, NULL) >= 0 &&
        JetRetrieveColumn(s, t, 258, pType, sizeof(*pType), &cb, 0, NULL) >= 0)
        f = true;
    (void)JetCloseTable(s, t);
    return f;
}

static bool has_row(JET_SESID s, JET_DBID db, int32_t objid, int32_t objidTable, int16_t type)
{
    int32_t tb = 0;
    int16_t ty = 0;
    return objids_row(s, db, objid, &tb, &ty) && tb == objidTable && ty == type;
}

static uint32_t objids_count(JET_SESID s, JET_DBID db)
{
    JET_TABLEID t;
    uint32_t n = 0;
    if (JetOpenTable(s, db, "MSysObjids", NULL, 0, JET_bitTableReadOnly, &t) < 0)
        return ~0u;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0))
        n++;
    (void)JetCloseTable(s, t);
    return n;
}

static JET_ERR addcol(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP coltyp,
                      JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    return JetAddColumn(s, t, name, &d, NULL, 0, pid);
}

TEST(new_database_rows)
{
    env e;
    REQUIRE(env_start(&e, "s1.edb", 4096));
    /* the catalog's trees, MSysObjids (6) and MSysLocales (7) */
    CHECK(has_row(e.a, e.dba, 2, 2, 1));
    CHECK(has_row(e.a, e.dba, 3, 3, 1));
    CHECK(has_row(e.a, e.dba, 4, 2, 3));
    CHECK(has_row(e.a, e.dba, 5, 2, 3));
    CHECK(has_row(e.a, e.dba, 6, 6, 1));
    CHECK(has_row(e.a, e.dba, 7, 7, 1));
    CHECK_EQ(objids_count(e.a, e.dba), 6u);
    /* MSysLocales: the key-value store's schema rows and the consistency marker */
    JET_TABLEID t;
    CHECK_OK(JetOpenTable(e.a, e.dba, "MSysLocales", NULL, 0, JET_bitTableReadOnly, &t));
    static const char *keys[] = {".Schema\\External\\Major",  ".Schema\\External\\Minor",
                                 ".Schema\\External\\Update", ".Schema\\Internal\\Major",
                                 ".Schema\\Internal\\Minor",  ".Schema\\Internal\\Update",
                                 "MSysLocalesConsistent"};
    static const int32_t vals[] = {1, 0, 0, 1, 0, 0, 1};
    static const uint8_t types[] = {1, 1, 1, 1, 1, 1, 2};
    uint32_t n = 0;
    for (JET_ERR err = JetMove(e.a, t, JET_MoveFirst, 0); err >= 0 && n < 7;
         err = JetMove(e.a, t, JET_MoveNext, 0), n++) {
        uint8_t key[128], want[128];
        uint32_t cb = 0, cbWant = 0;
        for (const char *p = keys[n]; *p; p++) {
            want[cbWant++] = (uint8_t)*p;
            want[cbWant++] = 0;
        }
        want[cbWant++] = 0;
        want[cbWant++] = 0;
        CHECK_OK(JetRetrieveColumn(e.a, t, 128, key, sizeof(key), &cb, 0, NULL));
        CHECK_EQ(cb, cbWant);
        CHECK(memcmp(key, want, cbWant) == 0);
        int32_t v = -1;
        uint8_t ty = 0;
        CHECK_OK(JetRetrieveColumn(e.a, t, 2, &v, sizeof(v), &cb, 0, NULL));
        CHECK_EQ(v, vals[n]);
        CHECK_OK(JetRetrieveColumn(e.a, t, 1, &ty, sizeof(ty), &cb, 0, NULL));
        CHECK_EQ(ty, types[n]);
    }
    CHECK_EQ(n, 7u);
    CHECK_ERR(JetMove(e.a, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetCloseTable(e.a, t));
    /* system tables: not deletable, not makeable */
    CHECK_ERR(JetDeleteTable(e.a, e.dba, "MSysObjids"), JET_errCannotDeleteSystemTable);
    CHECK_ERR(JetDeleteTable(e.a, e.dba, "MSysLocales"), JET_errCannotDeleteSystemTable);
    JET_TABLECREATE_A tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "Sys";
    tc.grbit = JET_bitTableCreateSystemTable;
    CHECK_ERR(JetCreateTableColumnIndex(e.a, e.dba, &tc), JET_errInvalidGrbit);
    /* fixed DDL: no column can be added to MSysObjids */
    CHECK_OK(JetOpenTable(e.a, e.dba, "MSysObjids", NULL, 0, 0, &t));
    CHECK_ERR(addcol(e.a, t, "x", JET_coltypLong, NULL), JET_errFixedDDL);
    CHECK_OK(JetCloseTable(e.a, t));
    env_stop(&e);
}

TEST(ddl_keeps_objids)
{
    env e;
    JET_TABLEID t;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "s2.edb", 8192));
    CHECK_OK(JetCreateTable(e.a, e.dba, "T", 0, 0, &t)); /* objid 8 */
    CHECK_OK(addcol(e.a, t, "k", JET_coltypLong, &ck));
    CHECK_OK(addcol(e.a, t, "v", JET_coltypLongBinary, &cv));
    CHECK_OK(JetCreateIndex(e.a, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    CHECK_OK(JetCreateIndex(e.a, t, "ik", JET_bitIndexUnique, "-k\0\0", 4, 0)); /* 9 */
    CHECK(has_row(e.a, e.dba, 8, 8, 1));
    CHECK(has_row(e.a, e.dba, 9, 8, 3));
    CHECK_EQ(objids_count(e.a, e.dba), 8u); /* no row for the primary index */
    /* the LV tree on the first separated value: objid 10, type 4 */
    static uint8_t big[6000];
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetPrepareUpdate(e.a, t, JET_prepInsert));
    int32_t k = 1;
    CHECK_OK(JetSetColumn(e.a, t, ck, &k, sizeof(k), 0, NULL));
    CHECK_OK(JetSetColumn(e.a, t, cv, big, sizeof(big), 0, NULL));
    CHECK_OK(JetUpdate(e.a, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK(has_row(e.a, e.dba, 10, 8, 4));
    /* a table and an index made in a transaction: B does not see their rows until the commit */
    CHECK_OK(JetBeginTransaction(e.a));
    JET_TABLEID t2;
    CHECK_OK(JetCreateTable(e.a, e.dba, "U", 0, 0, &t2)); /* 11 */
    CHECK_OK(addcol(e.a, t2, "c", JET_coltypLong, NULL));
    CHECK_OK(JetCreateIndex(e.a, t2, "ic", 0, "+c\0\0", 4, 0)); /* 12 */
    CHECK(has_row(e.a, e.dba, 11, 11, 1));
    CHECK(has_row(e.a, e.dba, 12, 11, 3));
    CHECK(!has_row(e.b, e.dbb, 11, 11, 1));
    CHECK_OK(JetCloseTable(e.a, t2));
    CHECK_OK(JetRollback(e.a, 0));
    CHECK(!has_row(e.a, e.dba, 11, 11, 1));
    CHECK(!has_row(e.a, e.dba, 12, 11, 3));
    /* delete index / table: rows go; a rolled-back delete puts them back */
    CHECK_OK(JetDeleteIndex(e.a, t, "ik"));
    CHECK(!has_row(e.a, e.dba, 9, 8, 3));
    CHECK_OK(JetCloseTable(e.a, t));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetDeleteTable(e.a, e.dba, "T"));
    CHECK(!has_row(e.a, e.dba, 8, 8, 1));
    CHECK(!has_row(e.a, e.dba, 10, 8, 4));
    CHECK(has_row(e.b, e.dbb, 8, 8, 1)); /* B still sees them */
    CHECK_OK(JetRollback(e.a, 0));
    CHECK(has_row(e.a, e.dba, 8, 8, 1));
    CHECK(has_row(e.a, e.dba, 10, 8, 4));
    CHECK_OK(JetDeleteTable(e.a, e.dba, "T"));
    CHECK(!has_row(e.a, e.dba, 8, 8, 1));
    CHECK(!has_row(e.a, e.dba, 10, 8, 4));
    CHECK_EQ(objids_count(e.a, e.dba), 6u);
    /* after re-attach: the same */
    CHECK_OK(JetCloseDatabase(e.a, e.dba, 0));
    CHECK_OK(JetCloseDatabase(e.b, e.dbb, 0));
    CHECK_OK(JetDetachDatabase(e.a, e.path));
    CHECK_OK(JetAttachDatabase(e.a, e.path, 0));
    CHECK_OK(JetOpenDatabase(e.a, e.path, NULL, &e.dba, 0));
    CHECK_OK(JetOpenDatabase(e.b, e.path, NULL, &e.dbb, 0));
    CHECK_EQ(objids_count(e.a, e.dba), 6u);
    CHECK_OK(JetCreateTable(e.a, e.dba, "V", 0, 0, &t));
    CHECK_OK(JetCloseTable(e.a, t));
    CHECK_EQ(objids_count(e.a, e.dba), 7u);
    env_stop(&e);
}

/* `$BJ_TOOL export FILE MSysObjects` rows of objids 6 and 7, ColtypOrPgnoFDP of the table and
 * index rows blanked (page numbers differ between files). */
static bool catalog_rows(const char *file, const char *out)
{
    const char *tool = getenv("BJ_TOOL");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "'%s' export '%s' MSysObjects 2>/dev/null | "
             "awk -F, 'BEGIN{OFS=\",\"} ($1==6||$1==7) { if ($2!=2) $4=\"\"; print }' > '%s'",
             tool, file, out);
    return system(cmd) == 0;
}

TEST(catalog_rows_as_windows_writes_them)
{
    if (!getenv("BJ_TOOL") || !bj_test_shared_dir())
        return;
    env e;
    REQUIRE(env_start(&e, "s3.edb", 4096));
    env_stop(&e);
    char ours[1100], theirs[1100], sample[1100], cmd[4096];
    snprintf(ours, sizeof(ours), "%s/ours.csv", bj_test_tmpdir());
    snprintf(theirs, sizeof(theirs), "%s/theirs.csv", bj_test_tmpdir());
    snprintf(sample, sizeof(sample), "%s/data/edb/Catalog1_rev14_4k.edb", bj_test_shared_dir());
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s/cat1.edb' && chmod u+w '%s/cat1.edb'", sample,
             bj_test_tmpdir(), bj_test_tmpdir());
    REQUIRE(system(cmd) == 0);
    snprintf(sample, sizeof(sample), "%s/cat1.edb", bj_test_tmpdir());
    REQUIRE(catalog_rows(e.path, ours));
    REQUIRE(catalog_rows(sample, theirs));
    /* 10 rows (2 tables, 6 columns, 2 indexes), field by field */
    snprintf(cmd, sizeof(cmd), "test $(wc -l < '%s') -eq 10 && diff '%s' '%s' >&2", ours, ours,
             theirs);
    CHECK_EQ(system(cmd), 0);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
