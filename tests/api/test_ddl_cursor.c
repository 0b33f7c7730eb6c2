/* test_ddl_cursor.c: open cursors and DDL through esent.h. A cursor sees columns and indexes
 * added after it was opened (ESE's cursors share the table's FCB): JetSetColumn /
 * JetRetrieveColumn on a new column, JetSetCurrentIndex on a new index, and its updates keep
 * the new index. Columns and indexes another session added in a transaction it must not see
 * are hidden: JET_errColumnNotFound, JET_errIndexNotFound (ESE reads the catalog with the
 * session's snapshot), until the commit (and, inside a transaction, until its snapshot is
 * newer).
 */
#include <stdbool.h>
#include <stdio.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID a, b;
    JET_DBID dba, dbb;
    char path[1024];
} env;

static bool env_start(env *e, const char *name)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "cur") < 0 || JetInit(&e->inst) < 0)
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

static JET_ERR addcol(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP coltyp,
                      JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    return JetAddColumn(s, t, name, &d, NULL, 0, pid);
}

/* Table T (k Long, primary index) with keys 1..n, committed. */
static void make_table(env *e, int32_t n, JET_COLUMNID *pk)
{
    JET_TABLEID t;
    CHECK_OK(JetCreateTable(e->a, e->dba, "T", 0, 0, &t));
    CHECK_OK(addcol(e->a, t, "k", JET_coltypLong, pk));
    CHECK_OK(JetCreateIndex(e->a, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    for (int32_t i = 1; i <= n; i++) {
        CHECK_OK(JetPrepareUpdate(e->a, t, JET_prepInsert));
        CHECK_OK(JetSetColumn(e->a, t, *pk, &i, sizeof(i), 0, NULL));
        CHECK_OK(JetUpdate(e->a, t, NULL, 0, NULL));
    }
    CHECK_OK(JetCloseTable(e->a, t));
}

static JET_ERR seek(JET_SESID s, JET_TABLEID t, int32_t k)
{
    JET_ERR err = JetMakeKey(s, t, &k, sizeof(k), JET_bitNewKey);
    return err < 0 ? err : JetSeek(s, t, JET_bitSeekEQ);
}

TEST(cursor_sees_columns_added_after_open)
{
    env e;
    JET_TABLEID t, t2;
    JET_COLUMNID ck, cv, cw;
    REQUIRE(env_start(&e, "c1.edb"));
    make_table(&e, 3, &ck);
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &t));
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &t2));
    /* added through the other cursor, then used through the first */
    CHECK_OK(addcol(e.a, t2, "v", JET_coltypLong, &cv));
    CHECK_OK(addcol(e.a, t2, "w", JET_coltypLongText, &cw));
    CHECK_OK(seek(e.a, t, 2));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetPrepareUpdate(e.a, t, JET_prepReplace));
    int32_t v = 77;
    CHECK_OK(JetSetColumn(e.a, t, cv, &v, sizeof(v), 0, NULL));
    CHECK_OK(JetSetColumn(e.a, t, cw, "text", 4, 0, NULL));
    CHECK_OK(JetUpdate(e.a, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    int32_t got = 0;
    uint32_t cb = 0;
    CHECK_OK(seek(e.a, t2, 2));
    CHECK_OK(JetRetrieveColumn(e.a, t2, cv, &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 77);
    /* a record written before the column existed: NULL */
    CHECK_OK(seek(e.a, t, 1));
    CHECK_ERR(JetRetrieveColumn(e.a, t, cv, &got, sizeof(got), &cb, 0, NULL), JET_wrnColumnNull);
    /* an index added through t2: t can make it current, and its inserts keep it */
    CHECK_OK(JetCreateIndex(e.a, t2, "iv", 0, "+v\0\0", 4, 0));
    CHECK_OK(JetPrepareUpdate(e.a, t, JET_prepInsert));
    int32_t k = 9;
    v = 5;
    CHECK_OK(JetSetColumn(e.a, t, ck, &k, sizeof(k), 0, NULL));
    CHECK_OK(JetSetColumn(e.a, t, cv, &v, sizeof(v), 0, NULL));
    CHECK_OK(JetUpdate(e.a, t, NULL, 0, NULL));
    CHECK_OK(JetSetCurrentIndex(e.a, t2, "iv"));
    CHECK_OK(seek(e.a, t2, 5)); /* the entry t's insert made */
    CHECK_OK(JetRetrieveColumn(e.a, t2, ck, &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 9);
    CHECK_OK(JetSetCurrentIndex(e.a, t, "iv"));
    CHECK_OK(JetMove(e.a, t, JET_MoveLast, 0)); /* NULLs first, then 5, then 77 */
    CHECK_OK(JetRetrieveColumn(e.a, t, ck, &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 2);
    CHECK_OK(JetCloseTable(e.a, t));
    CHECK_OK(JetCloseTable(e.a, t2));
    env_stop(&e);
}

TEST(uncommitted_columns_and_indexes_hidden_from_other_sessions)
{
    env e;
    JET_TABLEID ta, tb;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "c2.edb"));
    make_table(&e, 2, &ck);
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &ta));
    CHECK_OK(addcol(e.a, ta, "v", JET_coltypLong, &cv));
    CHECK_OK(JetCreateIndex(e.a, ta, "iv", 0, "+v\0\0", 4, 0));
    /* A sees its own */
    CHECK_OK(JetSetCurrentIndex(e.a, ta, "iv"));
    CHECK_OK(JetSetCurrentIndex(e.a, ta, NULL));
    CHECK_OK(seek(e.a, ta, 1));
    CHECK_OK(JetPrepareUpdate(e.a, ta, JET_prepReplace));
    int32_t v = 3, got = 0;
    uint32_t cb = 0;
    CHECK_OK(JetSetColumn(e.a, ta, cv, &v, sizeof(v), 0, NULL));
    CHECK_OK(JetUpdate(e.a, ta, NULL, 0, NULL));
    /* B (outside a transaction) does not */
    CHECK_ERR(JetSetCurrentIndex(e.b, tb, "iv"), JET_errIndexNotFound);
    CHECK_OK(seek(e.b, tb, 2));
    CHECK_ERR(JetRetrieveColumn(e.b, tb, cv, &got, sizeof(got), &cb, 0, NULL),
              JET_errColumnNotFound);
    CHECK_OK(JetPrepareUpdate(e.b, tb, JET_prepInsert));
    int32_t k = 5;
    CHECK_OK(JetSetColumn(e.b, tb, ck, &k, sizeof(k), 0, NULL));
    CHECK_ERR(JetSetColumn(e.b, tb, cv, &v, sizeof(v), 0, NULL), JET_errColumnNotFound);
    CHECK_OK(JetUpdate(e.b, tb, NULL, 0, NULL)); /* the insert itself goes through */
    /* B in a transaction that began before A commits keeps not seeing them */
    CHECK_OK(JetBeginTransaction(e.b));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_ERR(JetSetCurrentIndex(e.b, tb, "iv"), JET_errIndexNotFound);
    CHECK_OK(seek(e.b, tb, 5));
    CHECK_ERR(JetRetrieveColumn(e.b, tb, cv, &got, sizeof(got), &cb, 0, NULL),
              JET_errColumnNotFound);
    CHECK_OK(JetCommitTransaction(e.b, 0));
    /* after: both visible; B's insert made while the index was uncommitted is in it */
    CHECK_OK(seek(e.b, tb, 1));
    CHECK_OK(JetRetrieveColumn(e.b, tb, cv, &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 3);
    CHECK_OK(JetSetCurrentIndex(e.b, tb, "iv"));
    uint32_t n = 0;
    JET_ERR err = JetMove(e.b, tb, JET_MoveFirst, 0);
    for (; err >= 0; err = JetMove(e.b, tb, JET_MoveNext, 0))
        n++;
    CHECK_ERR(err, JET_errNoCurrentRecord);
    CHECK_EQ(n, 3u); /* keys 1, 2 and 5 (NULLs included) */
    CHECK_OK(JetCloseTable(e.a, ta));
    CHECK_OK(JetCloseTable(e.b, tb));
    env_stop(&e);
}

TEST(rolled_back_column_gone_for_open_cursor)
{
    env e;
    JET_TABLEID ta, t2;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, "c3.edb"));
    make_table(&e, 1, &ck);
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &ta));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &t2));
    CHECK_OK(addcol(e.a, t2, "v", JET_coltypLong, &cv));
    CHECK_OK(JetCloseTable(e.a, t2));
    CHECK_OK(seek(e.a, ta, 1));
    int32_t got;
    uint32_t cb;
    CHECK_ERR(JetRetrieveColumn(e.a, ta, cv, &got, sizeof(got), &cb, 0, NULL), JET_wrnColumnNull);
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_OK(seek(e.a, ta, 1));
    CHECK_ERR(JetRetrieveColumn(e.a, ta, cv, &got, sizeof(got), &cb, 0, NULL),
              JET_errColumnNotFound);
    CHECK_OK(JetCloseTable(e.a, ta));
    env_stop(&e);
}

static uint32_t count_index(JET_SESID s, JET_TABLEID t, const char *szIndex)
{
    uint32_t n = 0;
    if (JetSetCurrentIndex(s, t, szIndex) < 0)
        return ~0u;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0))
        n++;
    return n;
}

/* An index built while another transaction has an uncommitted insert: the entry follows that
 * transaction's outcome (ESE builds from every record and versions the entries). */
static void build_over_uncommitted(bool fCommit)
{
    env e;
    JET_TABLEID ta, tb;
    JET_COLUMNID ck, cv;
    REQUIRE(env_start(&e, fCommit ? "c4.edb" : "c5.edb"));
    make_table(&e, 2, &ck);
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &ta));
    CHECK_OK(addcol(e.a, ta, "v", JET_coltypLong, &cv));
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb));
    CHECK_OK(JetBeginTransaction(e.b));
    CHECK_OK(JetPrepareUpdate(e.b, tb, JET_prepInsert));
    int32_t k = 50, v = 7;
    CHECK_OK(JetSetColumn(e.b, tb, ck, &k, sizeof(k), 0, NULL));
    CHECK_OK(JetSetColumn(e.b, tb, cv, &v, sizeof(v), 0, NULL));
    CHECK_OK(JetUpdate(e.b, tb, NULL, 0, NULL));
    CHECK_OK(JetCreateIndex(e.a, ta, "iv", 0, "+v\0\0", 4, 0));
    CHECK_EQ(count_index(e.a, ta, "iv"), 2u); /* A does not see B's record */
    if (fCommit)
        CHECK_OK(JetCommitTransaction(e.b, 0));
    else
        CHECK_OK(JetRollback(e.b, 0));
    const uint32_t n = fCommit ? 3u : 2u;
    CHECK_EQ(count_index(e.a, ta, NULL), n);
    CHECK_EQ(count_index(e.a, ta, "iv"), n);
    if (fCommit) {
        CHECK_OK(JetMakeKey(e.a, ta, &v, sizeof(v), JET_bitNewKey));
        CHECK_OK(JetSeek(e.a, ta, JET_bitSeekEQ));
    }
    CHECK_OK(JetCloseTable(e.a, ta));
    CHECK_OK(JetCloseTable(e.b, tb));
    env_stop(&e);
}

TEST(index_build_over_uncommitted_insert_committed)
{
    build_over_uncommitted(true);
}

TEST(index_build_over_uncommitted_insert_rolled_back)
{
    build_over_uncommitted(false);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
