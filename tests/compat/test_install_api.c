/* test_install_api.c: README's "Supported API" lists only calls a suite exercises; this suite
 * covers the ones no other suite called: JetRetrieveColumns, JetRetrieveKey (and a seek on the
 * normalised key it returns), JetGetRecordPosition / JetGotoPosition, JetGetDatabaseInfo, and
 * the numbered variants JetUpdate2, JetIndexRecordCount2, JetSetCurrentIndex3, JetCreateIndex3,
 * JetCreateDatabase3 and JetInit3 (their refusals included). The table is examples/hello.c's. */
#include <stdio.h>
#include <string.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    JET_TABLEID tab;
    JET_COLUMNID colId, colName, colSpan;
    char path[1024];
} env;

static const struct {
    int32_t id;
    const char *name;
    int32_t span; /* 0: NULL */
} g_rows[] = {{1, "Robin", 22}, {2, "Swift", 42},   {3, "Kestrel", 76},
              {4, "Heron", 175}, {5, "Magpie", 0}, {6, "Buzzard", 120}};
enum { NROWS = sizeof g_rows / sizeof g_rows[0] };

/* A database with table Birds (primary index on id) holding g_rows; e->tab open on it. */
static int env_open(env *e, const char *name)
{
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s/%s", bj_test_tmpdir(), name);
    if (JetCreateInstance(&e->inst, name) < 0 || JetInit(&e->inst) < 0 ||
        JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0 ||
        JetCreateDatabase(e->ses, e->path, NULL, &e->db, 0) < 0)
        return -1;
    JET_COLUMNCREATE cols[] = {
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "id", .coltyp = JET_coltypLong,
         .grbit = JET_bitColumnNotNULL},
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "name", .coltyp = JET_coltypText,
         .cbMax = 64, .cp = 1252},
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "wingspan",
         .coltyp = JET_coltypLong},
    };
    JET_INDEXCREATE idx = {.cbStruct = sizeof idx, .szIndexName = "primary", .szKey = "+id\0",
                           .cbKey = sizeof "+id\0", .grbit = JET_bitIndexPrimary,
                           .ulDensity = 100};
    JET_TABLECREATE tc = {.cbStruct = sizeof tc, .szTableName = "Birds", .ulDensity = 100,
                          .rgcolumncreate = cols, .cColumns = 3, .rgindexcreate = &idx,
                          .cIndexes = 1};
    if (JetCreateTableColumnIndex(e->ses, e->db, &tc) < 0)
        return -2;
    e->tab = tc.tableid;
    e->colId = cols[0].columnid;
    e->colName = cols[1].columnid;
    e->colSpan = cols[2].columnid;
    for (int i = 0; i < NROWS; i++) {
        JET_SETCOLUMN set[3] = {
            {.columnid = e->colId, .pvData = &g_rows[i].id, .cbData = 4},
            {.columnid = e->colName, .pvData = g_rows[i].name,
             .cbData = (uint32_t)strlen(g_rows[i].name)},
            {.columnid = e->colSpan, .pvData = &g_rows[i].span, .cbData = 4},
        };
        if (JetPrepareUpdate(e->ses, e->tab, JET_prepInsert) < 0 ||
            JetSetColumns(e->ses, e->tab, set, g_rows[i].span ? 3 : 2) < 0 ||
            JetUpdate2(e->ses, e->tab, NULL, 0, NULL, 0) < 0)
            return -3;
    }
    return 0;
}

static void env_close(env *e)
{
    CHECK_OK(JetCloseTable(e->ses, e->tab));
    CHECK_OK(JetCloseDatabase(e->ses, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->ses, e->path));
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

static int32_t current_id(env *e)
{
    int32_t id = -1;
    uint32_t cb = 0;
    if (JetRetrieveColumn(e->ses, e->tab, e->colId, &id, sizeof id, &cb, 0, NULL) < 0 || cb != 4)
        return -1;
    return id;
}

TEST(retrieve_columns_and_key)
{
    env e;
    REQUIRE_OK(env_open(&e, "rc.edb"));
    int32_t key = 5;
    REQUIRE_OK(JetMakeKey(e.ses, e.tab, &key, sizeof key, JET_bitNewKey));
    REQUIRE_OK(JetSeek(e.ses, e.tab, JET_bitSeekEQ));
    /* three columns in one call; the NULL wingspan is a warning in its own err */
    int32_t id = 0, span = -1;
    char name[8];
    JET_RETRIEVECOLUMN rc[3] = {
        {.columnid = e.colId, .pvData = &id, .cbData = sizeof id, .itagSequence = 1},
        {.columnid = e.colName, .pvData = name, .cbData = 3, .itagSequence = 1},
        {.columnid = e.colSpan, .pvData = &span, .cbData = sizeof span, .itagSequence = 1},
    };
    JET_ERR err = JetRetrieveColumns(e.ses, e.tab, rc, 3);
    CHECK(err >= 0);
    CHECK_OK(rc[0].err);
    CHECK_EQ(id, 5);
    CHECK_EQ(rc[0].cbActual, 4);
    CHECK_EQ(rc[1].err, JET_wrnBufferTruncated); /* "Magpie" into 3 bytes */
    CHECK_EQ(rc[1].cbActual, 6);
    CHECK_MEM(name, "Mag", 3);
    CHECK_EQ(rc[2].err, JET_wrnColumnNull);
    CHECK_EQ(rc[2].cbActual, 0);
    CHECK_EQ(span, -1);

    /* the normalised key of record 3: 0x7f, then the Long big-endian with its sign bit flipped */
    key = 3;
    REQUIRE_OK(JetMakeKey(e.ses, e.tab, &key, sizeof key, JET_bitNewKey));
    REQUIRE_OK(JetSeek(e.ses, e.tab, JET_bitSeekEQ));
    uint8_t k[JET_cbKeyMost], want[] = {0x7f, 0x80, 0x00, 0x00, 0x03};
    uint32_t cbKey = 0;
    CHECK_OK(JetRetrieveKey(e.ses, e.tab, k, sizeof k, &cbKey, 0));
    CHECK_EQ(cbKey, sizeof want);
    CHECK_MEM(k, want, sizeof want);
    CHECK_ERR(JetRetrieveKey(e.ses, e.tab, k, 2, &cbKey, 0), JET_wrnBufferTruncated);
    CHECK_EQ(cbKey, sizeof want);
    /* that key, given back normalised, finds the record again */
    CHECK_OK(JetMove(e.ses, e.tab, JET_MoveFirst, 0));
    CHECK_OK(JetMakeKey(e.ses, e.tab, want, sizeof want, JET_bitNormalizedKey));
    CHECK_OK(JetSeek(e.ses, e.tab, JET_bitSeekEQ));
    CHECK_EQ(current_id(&e), 3);
    env_close(&e);
}

TEST(positions_counts_variants)
{
    env e;
    REQUIRE_OK(env_open(&e, "pos.edb"));
    /* a one-page tree: positions are exact */
    CHECK_OK(JetMove(e.ses, e.tab, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.ses, e.tab, 2, 0));
    JET_RECPOS rp = {0};
    CHECK_OK(JetGetRecordPosition(e.ses, e.tab, &rp, sizeof rp));
    CHECK_EQ(rp.centriesLT, 2);
    CHECK_EQ(rp.centriesTotal, NROWS);
    CHECK_ERR(JetGetRecordPosition(e.ses, e.tab, &rp, 4), JET_errInvalidParameter);
    JET_RECPOS to = {sizeof to, 4, 0, NROWS};
    CHECK_OK(JetGotoPosition(e.ses, e.tab, &to));
    CHECK_EQ(current_id(&e), 5);
    to.centriesLT = NROWS;
    CHECK_ERR(JetGotoPosition(e.ses, e.tab, &to), JET_errInvalidParameter);

    /* counts from the current record on (here the 5th: 2 records), or from the first */
    uint64_t n = 0;
    CHECK_OK(JetIndexRecordCount2(e.ses, e.tab, &n, 0));
    CHECK_EQ(n, 2);
    CHECK_OK(JetMove(e.ses, e.tab, JET_MoveFirst, 0));
    CHECK_OK(JetIndexRecordCount2(e.ses, e.tab, &n, 0));
    CHECK_EQ(n, NROWS);
    CHECK_OK(JetIndexRecordCount2(e.ses, e.tab, &n, 4));
    CHECK_EQ(n, 4);

    /* a secondary index through JetCreateIndex3, used through JetSetCurrentIndex3 */
    JET_INDEXCREATE2 ic = {.cbStruct = sizeof ic, .szIndexName = "byName", .szKey = "+name\0",
                           .cbKey = sizeof "+name\0", .ulDensity = 100};
    CHECK_OK(JetCreateIndex3(e.ses, e.tab, &ic, 1));
    CHECK_OK(JetSetCurrentIndex3(e.ses, e.tab, "byName", JET_bitMoveFirst, 1));
    CHECK_EQ(current_id(&e), 6); /* Buzzard */
    CHECK_ERR(JetSetCurrentIndex3(e.ses, e.tab, "nosuch", JET_bitMoveFirst, 1),
              JET_errIndexNotFound);

    /* a replace needs a transaction (as in ESE); JetUpdate2 refuses unknown flags */
    CHECK_ERR(JetPrepareUpdate(e.ses, e.tab, JET_prepReplace), JET_errNotInTransaction);
    CHECK_OK(JetBeginTransaction(e.ses));
    CHECK_OK(JetPrepareUpdate(e.ses, e.tab, JET_prepReplace));
    CHECK_ERR(JetUpdate2(e.ses, e.tab, NULL, 0, NULL, 0x80000000u), JET_errInvalidGrbit);
    CHECK_OK(JetPrepareUpdate(e.ses, e.tab, JET_prepCancel));
    CHECK_OK(JetRollback(e.ses, 0));

    /* database information through the open handle */
    char path[1024];
    CHECK_OK(JetGetDatabaseInfo(e.ses, e.db, path, sizeof path, JET_DbInfoFilename));
    CHECK(strstr(path, "pos.edb") != NULL);
    CHECK_ERR(JetGetDatabaseInfo(e.ses, e.db, path, 3, JET_DbInfoFilename),
              JET_errBufferTooSmall);
    uint32_t cbPage = 0, cpg = 0;
    CHECK_OK(JetGetDatabaseInfo(e.ses, e.db, &cbPage, sizeof cbPage, JET_DbInfoPageSize));
    CHECK(cbPage >= 4096 && cbPage <= 32768 && (cbPage & (cbPage - 1)) == 0);
    CHECK_OK(JetGetDatabaseInfo(e.ses, e.db, &cpg, sizeof cpg, JET_DbInfoFilesize));
    CHECK(cpg > 2);
    CHECK_ERR(JetGetDatabaseInfo(e.ses, e.db, NULL, 4, JET_DbInfoPageSize),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetDatabaseInfo(e.ses, 77, &cbPage, 4, JET_DbInfoPageSize),
              JET_errInvalidDatabaseId);

    /* what the README lists as not yet: database parameters, restore information */
    JET_SETDBPARAM p = {JET_dbparamDbSizeMaxPages, &(uint32_t){1000}, 4};
    JET_DBID db2 = 0;
    char path2[1100];
    snprintf(path2, sizeof path2, "%s2", e.path);
    CHECK_ERR(JetCreateDatabase3(e.ses, path2, &db2, &p, 1, 0), JET_errFeatureNotAvailable);
    JET_INSTANCE i2 = 0;
    CHECK_OK(JetCreateInstance(&i2, "pos2"));
    JET_RSTINFO2 rst = {.cbStruct = 3}; /* restore information: checked (docs/restore.md) */
    CHECK_ERR(JetInit4(&i2, &rst, 0), JET_errInvalidParameter);
    /* its own log folder: the first instance's log is in use */
    CHECK_OK(JetSetSystemParameter(&i2, 0, JET_paramCreatePathIfNotExist, 1, NULL));
    CHECK_OK(JetSetSystemParameter(&i2, 0, JET_paramLogFilePath, 0, "log2/"));
    CHECK_OK(JetSetSystemParameter(&i2, 0, JET_paramSystemPath, 0, "log2/"));
    CHECK_OK(JetInit3(&i2, NULL, 0));
    CHECK_OK(JetTerm(i2));
    env_close(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
