/* test_ddl_lv.c: long values in tables made through esent.h DDL: a separated value (6000
 * bytes) in a table from JetCreateTable creates the table's LV tree on first use (committed,
 * rolled back, after re-attach), long values in temporary tables, and an index built by
 * JetCreateIndex over a column whose values are separated (ESE reads the whole value for the
 * key, truncated to the key's maximum).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "esent.h"
#include "testlib.h"

#define CB_BIG 6000u

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    char path[1024];
} env;

static bool env_start(env *e, const char *name)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "lv") < 0)
        return false;
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s/", bj_test_tmpdir());
    if (JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, tmp) < 0)
        return false;
    if (JetInit(&e->inst) < 0 || JetBeginSession(e->inst, &e->s, NULL, NULL) < 0)
        return false;
    return JetCreateDatabase(e->s, e->path, NULL, &e->db, 0) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetCloseDatabase(e->s, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->s, e->path));
    CHECK_OK(JetEndSession(e->s, 0));
    CHECK_OK(JetTerm(e->inst));
}

static void fill(uint8_t *pb, uint32_t cb, uint8_t seed)
{
    for (uint32_t i = 0; i < cb; i++)
        pb[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static JET_ERR addcol(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP coltyp,
                      JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    return JetAddColumn(s, t, name, &d, NULL, 0, pid);
}

/* Inserts (k, a CB_BIG value from seed) inside its own transaction (committed unless fRollback). */
static JET_ERR insert(JET_SESID s, JET_TABLEID t, JET_COLUMNID ck, JET_COLUMNID cv, int32_t k,
                      uint8_t seed, bool fRollback)
{
    static uint8_t big[CB_BIG];
    JET_ERR err;
    fill(big, CB_BIG, seed);
    if ((err = JetBeginTransaction(s)) < 0)
        return err;
    if ((err = JetPrepareUpdate(s, t, JET_prepInsert)) >= 0 &&
        (err = JetSetColumn(s, t, ck, &k, sizeof(k), 0, NULL)) >= 0 &&
        (err = JetSetColumn(s, t, cv, big, CB_BIG, 0, NULL)) >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    if (err < 0 || fRollback) {
        (void)JetRollback(s, 0);
        return err;
    }
    return JetCommitTransaction(s, 0);
}

/* Whether the record with key k (primary index) has the CB_BIG value of seed. */
static bool has_value(JET_SESID s, JET_TABLEID t, JET_COLUMNID cv, int32_t k, uint8_t seed)
{
    static uint8_t want[CB_BIG], got[CB_BIG + 16];
    fill(want, CB_BIG, seed);
    uint32_t cb = 0;
    if (JetMakeKey(s, t, &k, sizeof(k), JET_bitNewKey) < 0 || JetSeek(s, t, JET_bitSeekEQ) < 0)
        return false;
    if (JetRetrieveColumn(s, t, cv, got, sizeof(got), &cb, 0, NULL) < 0)
        return false;
    return cb == CB_BIG && memcmp(got, want, CB_BIG) == 0;
}

/* `$BJ_TOOL check FILE` exit status (0 = clean), -1 when it cannot run. */
static int tool_check(const char *path)
{
    const char *tool = getenv("BJ_TOOL");
    char cmd[4096];
    if (!tool)
        return -1;
    snprintf(cmd, sizeof(cmd), "'%s' check '%s' >/dev/null 2>&1", tool, path);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(separated_value_in_ddl_table)
{
    env e;
    JET_TABLEID t;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "lv1.edb"));
    CHECK_OK(JetCreateTable(e.s, e.db, "T", 0, 0, &t));
    CHECK_OK(addcol(e.s, t, "k", JET_coltypLong, &ck));
    CHECK_OK(addcol(e.s, t, "v", JET_coltypLongBinary, &cv));
    CHECK_OK(JetCreateIndex(e.s, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    /* the first separated value creates the LV tree, even when its transaction rolls back */
    CHECK_OK(insert(e.s, t, ck, cv, 1, 3, true));
    CHECK_OK(insert(e.s, t, ck, cv, 2, 5, false));
    CHECK_OK(insert(e.s, t, ck, cv, 3, 9, false));
    CHECK(has_value(e.s, t, cv, 2, 5));
    CHECK(has_value(e.s, t, cv, 3, 9));
    int32_t k = 1;
    CHECK_OK(JetMakeKey(e.s, t, &k, sizeof(k), JET_bitNewKey));
    CHECK_ERR(JetSeek(e.s, t, JET_bitSeekEQ), JET_errRecordNotFound);
    CHECK_OK(JetCloseTable(e.s, t));
    /* re-attach: the LV tree is in the catalog */
    CHECK_OK(JetCloseDatabase(e.s, e.db, 0));
    CHECK_OK(JetDetachDatabase(e.s, e.path));
    CHECK_OK(JetAttachDatabase(e.s, e.path, 0));
    CHECK_OK(JetOpenDatabase(e.s, e.path, NULL, &e.db, 0));
    CHECK_OK(JetOpenTable(e.s, e.db, "T", NULL, 0, 0, &t));
    CHECK(has_value(e.s, t, cv, 2, 5));
    CHECK(has_value(e.s, t, cv, 3, 9));
    CHECK_OK(insert(e.s, t, ck, cv, 4, 11, false));
    CHECK(has_value(e.s, t, cv, 4, 11));
    CHECK_OK(JetCloseTable(e.s, t));
    env_stop(&e);
    /* the LV tree, its catalog row and the values check clean */
    if (getenv("BJ_TOOL"))
        CHECK_EQ(tool_check(e.path), 0);
}

TEST(separated_value_in_table_created_in_transaction)
{
    env e;
    JET_TABLEID t;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "lv2.edb"));
    CHECK_OK(JetBeginTransaction(e.s));
    CHECK_OK(JetCreateTable(e.s, e.db, "T", 0, 0, &t));
    CHECK_OK(addcol(e.s, t, "k", JET_coltypLong, &ck));
    CHECK_OK(addcol(e.s, t, "v", JET_coltypLongBinary, &cv));
    CHECK_OK(JetCreateIndex(e.s, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    CHECK_OK(insert(e.s, t, ck, cv, 7, 1, false)); /* nested level */
    CHECK(has_value(e.s, t, cv, 7, 1));
    CHECK_OK(JetCommitTransaction(e.s, 0));
    CHECK(has_value(e.s, t, cv, 7, 1));
    CHECK_OK(JetCloseTable(e.s, t));
    env_stop(&e);
}

TEST(index_over_separated_values)
{
    env e;
    JET_TABLEID t;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "lv3.edb"));
    CHECK_OK(JetCreateTable(e.s, e.db, "T", 0, 0, &t));
    CHECK_OK(addcol(e.s, t, "k", JET_coltypLong, &ck));
    CHECK_OK(addcol(e.s, t, "v", JET_coltypLongBinary, &cv));
    CHECK_OK(JetCreateIndex(e.s, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    for (int32_t i = 0; i < 5; i++)
        CHECK_OK(insert(e.s, t, ck, cv, i, (uint8_t)(40 - i * 8), false));
    /* the index is built from the rows: every value is separated */
    CHECK_OK(JetCreateIndex(e.s, t, "iv", 0, "+v\0\0", 4, 0));
    CHECK_OK(JetSetCurrentIndex(e.s, t, "iv"));
    /* index order = order of the values' first bytes: seeds 8, 16, 24, 32, 40 -> k 4..0 */
    int32_t expect = 4, n = 0;
    JET_ERR err = JetMove(e.s, t, JET_MoveFirst, 0);
    while (err >= 0) {
        int32_t kk = -1;
        uint32_t cb = 0;
        CHECK_OK(JetRetrieveColumn(e.s, t, ck, &kk, sizeof(kk), &cb, 0, NULL));
        CHECK_EQ(kk, expect);
        expect--;
        n++;
        err = JetMove(e.s, t, JET_MoveNext, 0);
    }
    CHECK_ERR(err, JET_errNoCurrentRecord);
    CHECK_EQ(n, 5);
    /* a seek by the whole value finds its record (the key holds the value's first bytes) */
    static uint8_t big[CB_BIG];
    fill(big, CB_BIG, 24);
    CHECK_OK(JetMakeKey(e.s, t, big, CB_BIG, JET_bitNewKey));
    CHECK_OK(JetSeek(e.s, t, JET_bitSeekGE));
    int32_t kk = -1;
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(e.s, t, ck, &kk, sizeof(kk), &cb, 0, NULL));
    CHECK_EQ(kk, 2);
    /* a unique index over values whose key prefixes are equal: JET_errKeyDuplicate */
    CHECK_OK(insert(e.s, t, ck, cv, 9, 24, false));
    CHECK_ERR(JetCreateIndex(e.s, t, "uv", JET_bitIndexUnique, "+v\0\0", 4, 0),
              JET_errKeyDuplicate);
    CHECK_OK(JetCloseTable(e.s, t));
    env_stop(&e);
}

TEST(long_values_in_temp_table)
{
    env e;
    JET_TABLEID t;
    REQUIRE(env_start(&e, "lv4.edb"));
    JET_COLUMNDEF cols[2] = {{0}};
    cols[0].cbStruct = cols[1].cbStruct = sizeof(JET_COLUMNDEF);
    cols[0].coltyp = JET_coltypLong;
    cols[0].grbit = JET_bitColumnTTKey;
    cols[1].coltyp = JET_coltypLongBinary;
    JET_COLUMNID ids[2];
    CHECK_OK(JetOpenTempTable(e.s, cols, 2, JET_bitTTIndexed | JET_bitTTUpdatable, &t, ids));
    static uint8_t big[CB_BIG], got[CB_BIG + 8];
    for (int32_t k = 0; k < 3; k++) {
        fill(big, CB_BIG, (uint8_t)k);
        CHECK_OK(JetPrepareUpdate(e.s, t, JET_prepInsert));
        CHECK_OK(JetSetColumn(e.s, t, ids[0], &k, sizeof(k), 0, NULL));
        CHECK_OK(JetSetColumn(e.s, t, ids[1], big, CB_BIG, 0, NULL));
        CHECK_OK(JetUpdate(e.s, t, NULL, 0, NULL));
    }
    int32_t n = 0;
    JET_ERR err = JetMove(e.s, t, JET_MoveFirst, 0);
    while (err >= 0) {
        int32_t k = -1;
        uint32_t cb = 0;
        CHECK_OK(JetRetrieveColumn(e.s, t, ids[0], &k, sizeof(k), &cb, 0, NULL));
        CHECK_EQ(k, n);
        fill(big, CB_BIG, (uint8_t)k);
        CHECK_OK(JetRetrieveColumn(e.s, t, ids[1], got, sizeof(got), &cb, 0, NULL));
        CHECK_EQ(cb, CB_BIG);
        CHECK(memcmp(got, big, CB_BIG) == 0);
        n++;
        err = JetMove(e.s, t, JET_MoveNext, 0);
    }
    CHECK_EQ(n, 3);
    CHECK_OK(JetCloseTable(e.s, t));
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
