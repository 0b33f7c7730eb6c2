/* test_ddl_isolation.c: DDL inside transactions through esent.h: JetRollback undoes every
 * kind of DDL (also after detach + re-attach), other sessions do not see uncommitted DDL
 * (tables, columns, indexes), deleted tables pending purge are locked, JetDeleteTable of an
 * open table, and JetOpenTable's deny modes (ESE fileopen.cxx ErrFILEISetMode).
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
    if (JetCreateInstance(&e->inst, "iso") < 0 || JetInit(&e->inst) < 0)
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

static JET_ERR addcol(JET_SESID s, JET_TABLEID t, const char *name, JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = JET_coltypLong;
    return JetAddColumn(s, t, name, &d, NULL, 0, pid);
}

static JET_ERR colinfo(JET_SESID s, JET_DBID db, const char *table, const char *col)
{
    JET_COLUMNDEF d = {0};
    return JetGetColumnInfo(s, db, table, col, &d, sizeof(d), JET_ColInfo);
}

static JET_ERR idxinfo(JET_SESID s, JET_DBID db, const char *table, const char *idx)
{
    uint32_t dens = 0;
    return JetGetIndexInfo(s, db, table, idx, &dens, sizeof(dens), JET_IdxInfoSpaceAlloc);
}

TEST(rollback_undoes_every_ddl)
{
    env e;
    JET_TABLEID t, t2;
    REQUIRE(env_start(&e, "rb.edb"));
    /* a committed base table */
    CHECK_OK(JetCreateTable(e.a, e.dba, "Base", 0, 0, &t));
    CHECK_OK(addcol(e.a, t, "k", NULL));
    CHECK_OK(JetCreateIndex(e.a, t, "ik", 0, "+k\0\0", 4, 0));
    CHECK_OK(JetCloseTable(e.a, t));
    /* create table + column + index, rolled back */
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetCreateTable(e.a, e.dba, "New", 0, 0, &t));
    CHECK_OK(addcol(e.a, t, "c", NULL));
    CHECK_OK(JetCreateIndex(e.a, t, "ic", 0, "+c\0\0", 4, 0));
    CHECK_OK(colinfo(e.a, e.dba, "New", "c"));
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_ERR(JetOpenTable(e.a, e.dba, "New", NULL, 0, 0, &t2), JET_errObjectNotFound);
    CHECK_ERR(colinfo(e.a, e.dba, "New", "c"), JET_errObjectNotFound);
    CHECK_OK(JetCloseTable(e.a, t)); /* the cursor outlived its table: its FDP goes now */
    /* add column / create index / delete index / delete table on Base, rolled back */
    CHECK_OK(JetOpenTable(e.a, e.dba, "Base", NULL, 0, 0, &t));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(addcol(e.a, t, "extra", NULL));
    CHECK_OK(JetCreateIndex(e.a, t, "iextra", 0, "+extra\0\0", 8, 0));
    CHECK_OK(JetDeleteIndex(e.a, t, "ik"));
    CHECK_ERR(idxinfo(e.a, e.dba, "Base", "ik"), JET_errIndexNotFound);
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_ERR(colinfo(e.a, e.dba, "Base", "extra"), JET_errColumnNotFound);
    CHECK_ERR(idxinfo(e.a, e.dba, "Base", "iextra"), JET_errIndexNotFound);
    CHECK_OK(idxinfo(e.a, e.dba, "Base", "ik"));
    CHECK_OK(JetCloseTable(e.a, t));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetDeleteTable(e.a, e.dba, "Base"));
    CHECK_ERR(JetOpenTable(e.a, e.dba, "Base", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_OK(JetOpenTable(e.a, e.dba, "Base", NULL, 0, 0, &t));
    CHECK_OK(JetCloseTable(e.a, t));
    /* nested levels: the inner rollback undoes only the inner DDL; commit keeps the rest */
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetCreateTable(e.a, e.dba, "Outer", 0, 0, &t));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(addcol(e.a, t, "inner", NULL));
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_OK(addcol(e.a, t, "kept", NULL));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_OK(JetCloseTable(e.a, t));
    CHECK_ERR(colinfo(e.a, e.dba, "Outer", "inner"), JET_errColumnNotFound);
    CHECK_OK(colinfo(e.a, e.dba, "Outer", "kept"));
    env_stop(&e);
    /* after detach + re-attach */
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    CHECK_OK(JetCreateInstance(&inst, "iso2"));
    CHECK_OK(JetInit(&inst));
    CHECK_OK(JetBeginSession(inst, &s, NULL, NULL));
    CHECK_OK(JetAttachDatabase(s, e.path, 0));
    CHECK_OK(JetOpenDatabase(s, e.path, NULL, &db, 0));
    CHECK_ERR(JetOpenTable(s, db, "New", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_OK(colinfo(s, db, "Base", "k"));
    CHECK_ERR(colinfo(s, db, "Base", "extra"), JET_errColumnNotFound);
    CHECK_OK(idxinfo(s, db, "Base", "ik"));
    CHECK_ERR(idxinfo(s, db, "Base", "iextra"), JET_errIndexNotFound);
    CHECK_OK(colinfo(s, db, "Outer", "kept"));
    CHECK_ERR(colinfo(s, db, "Outer", "inner"), JET_errColumnNotFound);
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, e.path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
}

TEST(uncommitted_ddl_is_invisible_to_others)
{
    env e;
    JET_TABLEID ta, tb;
    REQUIRE(env_start(&e, "iso.edb"));
    CHECK_OK(JetCreateTable(e.a, e.dba, "T", 0, 0, &ta));
    CHECK_OK(addcol(e.a, ta, "k", NULL));
    CHECK_OK(JetCloseTable(e.a, ta));
    /* a table created in A's open transaction */
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetCreateTable(e.a, e.dba, "U", 0, 0, &ta));
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "U", NULL, 0, 0, &tb), JET_errObjectNotFound);
    CHECK_ERR(colinfo(e.b, e.dbb, "U", "x"), JET_errObjectNotFound);
    /* B in a transaction that began before A's commit still does not see it */
    CHECK_OK(JetBeginTransaction(e.b));
    CHECK_OK(JetCloseTable(e.a, ta));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "U", NULL, 0, 0, &tb), JET_errObjectNotFound);
    CHECK_OK(JetCommitTransaction(e.b, 0));
    CHECK_OK(JetOpenTable(e.b, e.dbb, "U", NULL, 0, 0, &tb));
    CHECK_OK(JetCloseTable(e.b, tb));
    /* a column and an index added in A's open transaction */
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &ta));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(addcol(e.a, ta, "c2", NULL));
    CHECK_OK(JetCreateIndex(e.a, ta, "i2", 0, "+c2\0\0", 5, 0));
    CHECK_OK(colinfo(e.a, e.dba, "T", "c2"));
    CHECK_OK(idxinfo(e.a, e.dba, "T", "i2"));
    CHECK_ERR(colinfo(e.b, e.dbb, "T", "c2"), JET_errColumnNotFound);
    CHECK_ERR(idxinfo(e.b, e.dbb, "T", "i2"), JET_errIndexNotFound);
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_OK(colinfo(e.b, e.dbb, "T", "c2"));
    CHECK_OK(idxinfo(e.b, e.dbb, "T", "i2"));
    /* an index deleted in A's open transaction is still there for B */
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetDeleteIndex(e.a, ta, "i2"));
    CHECK_ERR(idxinfo(e.a, e.dba, "T", "i2"), JET_errIndexNotFound);
    CHECK_OK(JetCloseTable(e.a, ta));
    /* a table deleted in A's open transaction: pending deletion, locked for others */
    CHECK_OK(JetDeleteTable(e.a, e.dba, "U"));
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "U", NULL, 0, 0, &tb), JET_errTableLocked);
    CHECK_ERR(JetOpenTable(e.a, e.dba, "U", NULL, 0, 0, &ta), JET_errObjectNotFound);
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_OK(idxinfo(e.b, e.dbb, "T", "i2"));
    CHECK_OK(JetOpenTable(e.b, e.dbb, "U", NULL, 0, 0, &tb));
    CHECK_OK(JetCloseTable(e.b, tb));
    env_stop(&e);
}

TEST(delete_open_table_and_deny_modes)
{
    env e;
    JET_TABLEID ta, ta2, tb;
    REQUIRE(env_start(&e, "lock.edb"));
    CHECK_OK(JetCreateTable(e.a, e.dba, "T", 0, 0, &ta));
    CHECK_OK(JetCloseTable(e.a, ta));
    /* JetDeleteTable of a table open anywhere, the own session included */
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb));
    CHECK_ERR(JetDeleteTable(e.a, e.dba, "T"), JET_errTableInUse);
    CHECK_ERR(JetDeleteTable(e.b, e.dbb, "T"), JET_errTableInUse);
    CHECK_OK(JetCloseTable(e.b, tb));
    /* grbit checks */
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableReadOnly | JET_bitTableUpdatable,
                           &ta),
              JET_errInvalidGrbit);
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableReadOnly | JET_bitTableDenyRead,
                           &ta),
              JET_errInvalidGrbit);
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTablePermitDDL, &ta),
              JET_errInvalidGrbit);
    /* deny read: others are locked out, the owner may open more cursors */
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableDenyRead, &ta));
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb), JET_errTableLocked);
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "T", NULL, 0, JET_bitTableReadOnly, &tb),
              JET_errTableLocked);
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, 0, &ta2));
    CHECK_OK(JetCloseTable(e.a, ta2));
    CHECK_OK(JetCloseTable(e.a, ta));
    /* deny read while another session has it open */
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, JET_bitTableReadOnly, &tb));
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableDenyRead, &ta),
              JET_errTableInUse);
    /* deny write while another session has a read-only cursor: fine */
    CHECK_OK(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableDenyWrite, &ta));
    CHECK_OK(JetCloseTable(e.b, tb));
    /* others: updatable -> locked, read-only -> fine, deny write -> in use */
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb), JET_errTableLocked);
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "T", NULL, 0, JET_bitTableUpdatable, &tb),
              JET_errTableLocked);
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, JET_bitTableReadOnly, &tb));
    CHECK_OK(JetCloseTable(e.b, tb));
    /* a second deny write, even by the owner */
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableDenyWrite, &ta2),
              JET_errTableInUse);
    CHECK_OK(JetCloseTable(e.a, ta));
    /* deny write while another session has an updatable cursor */
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb));
    CHECK_ERR(JetOpenTable(e.a, e.dba, "T", NULL, 0, JET_bitTableDenyWrite, &ta),
              JET_errTableInUse);
    CHECK_OK(JetCloseTable(e.b, tb));
    /* everything closed: deletable */
    CHECK_OK(JetDeleteTable(e.a, e.dba, "T"));
    CHECK_ERR(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb), JET_errObjectNotFound);
    env_stop(&e);
}

/* Retrieval through cursors that already read the table (tbl_column caches the catalog
 * generation at which their columns were checked): a column committed while another session's
 * transaction is open appears there only after that transaction; one added in an open
 * transaction stays unseen by others and disappears for its own cursor on rollback. */
static JET_ERR getlong(JET_SESID s, JET_TABLEID t, JET_COLUMNID col, int32_t *pv)
{
    uint32_t cb = 0;
    *pv = 0;
    return JetRetrieveColumn(s, t, col, pv, sizeof(*pv), &cb, 0, NULL);
}

TEST(retrieve_after_column_ddl_of_others)
{
    env e;
    JET_TABLEID ta, tb;
    JET_COLUMNID ck, c2, c3;
    int32_t v = 7, got;
    REQUIRE(env_start(&e, "isoret.edb"));
    CHECK_OK(JetCreateTable(e.a, e.dba, "T", 0, 0, &ta));
    CHECK_OK(addcol(e.a, ta, "k", &ck));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(JetPrepareUpdate(e.a, ta, JET_prepInsert));
    CHECK_OK(JetSetColumn(e.a, ta, ck, &v, sizeof(v), 0, NULL));
    CHECK_OK(JetUpdate(e.a, ta, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_OK(JetOpenTable(e.b, e.dbb, "T", NULL, 0, 0, &tb));
    CHECK_OK(JetMove(e.a, ta, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.b, tb, JET_MoveFirst, 0));
    for (int i = 0; i < 3; i++) { /* warm both cursors */
        CHECK_OK(getlong(e.a, ta, ck, &got));
        CHECK_EQ(got, 7);
        CHECK_OK(getlong(e.b, tb, ck, &got));
        CHECK_EQ(got, 7);
    }
    /* committed while B's transaction is open: B sees it only after its transaction */
    CHECK_OK(JetBeginTransaction(e.b));
    CHECK_OK(getlong(e.b, tb, ck, &got));
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(addcol(e.a, ta, "c2", &c2));
    CHECK_EQ(getlong(e.a, ta, c2, &got), JET_wrnColumnNull);
    CHECK_OK(JetCommitTransaction(e.a, 0));
    CHECK_ERR(getlong(e.b, tb, c2, &got), JET_errColumnNotFound);
    CHECK_ERR(getlong(e.b, tb, c2, &got), JET_errColumnNotFound);
    CHECK_OK(JetCommitTransaction(e.b, 0));
    /* (the record copy, and the snapshot it is read with, are those of the last move) */
    CHECK_OK(JetMove(e.b, tb, JET_MoveFirst, 0));
    CHECK_EQ(getlong(e.b, tb, c2, &got), JET_wrnColumnNull);
    CHECK_OK(JetMove(e.a, ta, JET_MoveFirst, 0));
    CHECK_EQ(getlong(e.a, ta, c2, &got), JET_wrnColumnNull);
    /* added in A's open transaction: A sees it (null), B does not */
    CHECK_OK(JetBeginTransaction(e.a));
    CHECK_OK(addcol(e.a, ta, "c3", &c3));
    CHECK_EQ(getlong(e.a, ta, c3, &got), JET_wrnColumnNull);
    CHECK_ERR(getlong(e.b, tb, c3, &got), JET_errColumnNotFound);
    CHECK_OK(getlong(e.b, tb, ck, &got));
    /* rolled back: gone for A's cursor too */
    CHECK_OK(JetRollback(e.a, 0));
    CHECK_ERR(getlong(e.a, ta, c3, &got), JET_errColumnNotFound);
    CHECK_ERR(getlong(e.a, ta, c3, &got), JET_errColumnNotFound);
    CHECK_ERR(getlong(e.b, tb, c3, &got), JET_errColumnNotFound);
    CHECK_OK(getlong(e.a, ta, ck, &got));
    CHECK_EQ(got, 7);
    CHECK_OK(getlong(e.b, tb, ck, &got));
    CHECK_EQ(got, 7);
    CHECK_OK(JetCloseTable(e.a, ta));
    CHECK_OK(JetCloseTable(e.b, tb));
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
