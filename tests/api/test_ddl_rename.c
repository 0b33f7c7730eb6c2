/* test_ddl_rename.c: JetRenameTable, JetRenameColumn and JetSetColumnDefaultValue through
 * esent.h: the new names and defaults in the catalog (also after detach + re-attach), a default
 * applied to a new record, rollback restoring the old name, uncommitted renames hidden from
 * another session, and every error code (ESE fcreate.cxx ErrIsamRenameTable / ErrIsamRename-
 * Column, fldmod.cxx ErrIsamSetColumnDefaultValue).
 */
#include <stdbool.h>
#include <stdio.h>

#include "esent.h"
#include "testlib.h"

static JET_ERR addcol(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP coltyp)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    return JetAddColumn(s, t, name, &d, NULL, 0, NULL);
}

static JET_ERR colinfo(JET_SESID s, JET_DBID db, const char *table, const char *col,
                       JET_COLUMNID *pid)
{
    JET_COLUMNDEF d = {0};
    JET_ERR err = JetGetColumnInfo(s, db, table, col, &d, sizeof(d), JET_ColInfo);
    if (pid)
        *pid = d.columnid;
    return err;
}

TEST(rename_and_defaults)
{
    JET_INSTANCE inst;
    JET_SESID s, s2;
    JET_DBID db, db2;
    JET_TABLEID t, t2;
    JET_COLUMNID cid;
    char path[1024];
    snprintf(path, sizeof(path), "%s/ren.edb", bj_test_tmpdir());
    REQUIRE(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL) >= 0);
    CHECK_OK(JetCreateInstance(&inst, "ren"));
    CHECK_OK(JetInit(&inst));
    CHECK_OK(JetBeginSession(inst, &s, NULL, NULL));
    CHECK_OK(JetBeginSession(inst, &s2, NULL, NULL));
    CHECK_OK(JetCreateDatabase(s, path, NULL, &db, 0));
    CHECK_OK(JetOpenDatabase(s2, path, NULL, &db2, 0));
    CHECK_OK(JetCreateTable(s, db, "T", 0, 0, &t));
    CHECK_OK(addcol(s, t, "a", JET_coltypLong));
    CHECK_OK(addcol(s, t, "b", JET_coltypText));
    CHECK_OK(addcol(s, t, "n", JET_coltypLong));
    CHECK_OK(JetCreateIndex(s, t, "ia", 0, "+a\0\0", 4, 0));
    CHECK_OK(JetCreateTable(s, db, "Other", 0, 0, &t2));
    CHECK_OK(JetCloseTable(s, t2));

    /* columns */
    CHECK_OK(JetRenameColumn(s, t, "b", "c", 0));
    CHECK_OK(colinfo(s, db, "T", "c", &cid));
    CHECK_EQ(cid, 128u);
    CHECK_ERR(colinfo(s, db, "T", "b", NULL), JET_errColumnNotFound);
    CHECK_ERR(JetRenameColumn(s, t, "c", "a", 0), JET_errColumnDuplicate);
    CHECK_ERR(JetRenameColumn(s, t, "nosuch", "x", 0), JET_errColumnNotFound);
    CHECK_ERR(JetRenameColumn(s, t, "c", "x", 0x100), JET_errInvalidGrbit);
    CHECK_ERR(JetRenameColumn(s, t, "c", NULL, 0), JET_errInvalidParameter);
    CHECK_ERR(JetRenameColumn(s, t, "c", "", 0), JET_errInvalidName);
    CHECK_OK(JetBeginTransaction(s));
    CHECK_ERR(JetRenameColumn(s, t, "c", "x", 0), JET_errInTransaction);
    CHECK_OK(JetCommitTransaction(s, 0));

    /* tables */
    CHECK_ERR(JetRenameTable(s, db, "T", "T2"), JET_errTableInUse);
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "T", "n", "\7\0\0\0", 4, 0), JET_errTableInUse);
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetRenameTable(s, db, "T", "T2"));
    CHECK_ERR(JetOpenTable(s, db, "T", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_OK(colinfo(s, db, "T2", "c", NULL));
    CHECK_ERR(JetRenameTable(s, db, "T", "T3"), JET_errObjectNotFound);
    CHECK_ERR(JetRenameTable(s, db, "T2", "Other"), JET_errTableDuplicate);
    CHECK_ERR(JetRenameTable(s, db, "MSysObjects", "X"), JET_errCannotDeleteSystemTable);
    CHECK_ERR(JetRenameTable(s, db, "T2", NULL), JET_errInvalidParameter);
    CHECK_ERR(JetRenameTable(s, db, "T2", ""), JET_errInvalidName);
    /* rolled back: the old name again; uncommitted: another session cannot use the new one */
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(JetRenameTable(s, db, "T2", "T3"));
    CHECK_OK(colinfo(s, db, "T3", "c", NULL));
    CHECK_ERR(JetOpenTable(s2, db2, "T3", NULL, 0, 0, &t2), JET_errObjectNotFound);
    CHECK_OK(JetRollback(s, 0));
    CHECK_ERR(colinfo(s, db, "T3", "c", NULL), JET_errObjectNotFound);
    CHECK_OK(colinfo(s, db, "T2", "c", NULL));
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(JetRenameTable(s, db, "T2", "T4"));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetOpenTable(s2, db2, "T4", NULL, 0, 0, &t2));
    CHECK_OK(JetCloseTable(s2, t2));

    /* default values */
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "T4", "n", NULL, 0, 0), JET_errNullInvalid);
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "T4", "a", "\1\0\0\0", 4, 0), JET_errColumnInUse);
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "T4", "zz", "\1\0\0\0", 4, 0),
              JET_errColumnNotFound);
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "Nope", "n", "\1\0\0\0", 4, 0),
              JET_errObjectNotFound);
    CHECK_ERR(JetSetColumnDefaultValue(s, db, "T4", "n", "\1\0", 2, 0), JET_errInvalidParameter);
    CHECK_OK(JetSetColumnDefaultValue(s, db, "T4", "n", "\7\0\0\0", 4, 0));
    CHECK_OK(JetSetColumnDefaultValue(s, db, "T4", "c", "dflt", 4, 0));
    /* a new record gets the defaults */
    CHECK_OK(JetOpenTable(s, db, "T4", NULL, 0, 0, &t));
    JET_COLUMNID ida, idn, idc;
    CHECK_OK(colinfo(s, db, "T4", "a", &ida));
    CHECK_OK(colinfo(s, db, "T4", "n", &idn));
    CHECK_OK(colinfo(s, db, "T4", "c", &idc));
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    int32_t one = 1;
    CHECK_OK(JetSetColumn(s, t, ida, &one, 4, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetMove(s, t, JET_MoveFirst, 0));
    int32_t n = 0;
    char buf[16] = {0};
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(s, t, idn, &n, 4, &cb, 0, NULL));
    CHECK_EQ(n, 7);
    CHECK_OK(JetRetrieveColumn(s, t, idc, buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(cb, 4u);
    CHECK(memcmp(buf, "dflt", 4) == 0);
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetCloseDatabase(s2, db2, 0));
    CHECK_OK(JetDetachDatabase(s, path));

    /* after re-attach */
    CHECK_OK(JetAttachDatabase(s, path, 0));
    CHECK_OK(JetOpenDatabase(s, path, NULL, &db, 0));
    CHECK_ERR(JetOpenTable(s, db, "T2", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_OK(colinfo(s, db, "T4", "c", &cid));
    CHECK_EQ(cid, 128u);
    CHECK_ERR(colinfo(s, db, "T4", "b", NULL), JET_errColumnNotFound);
    CHECK_OK(JetOpenTable(s, db, "T4", NULL, 0, 0, &t));
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    int32_t two = 2;
    CHECK_OK(JetSetColumn(s, t, ida, &two, 4, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetMove(s, t, JET_MoveLast, 0));
    n = 0;
    CHECK_OK(JetRetrieveColumn(s, t, idn, &n, 4, &cb, 0, NULL));
    CHECK_EQ(n, 7);
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetEndSession(s2, 0));
    CHECK_OK(JetTerm(inst));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
