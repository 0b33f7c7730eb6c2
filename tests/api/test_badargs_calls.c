/* test_badargs_calls.c: bad arguments other than handles, and calls out of order, each with the
 * code ESE gives (sources cited per group), each under an alarm (test_badargs_env.h).
 *
 * Where ESE dereferences a required pointer without checking it, ESE's process dies (JET_TRY in
 * _jet.hxx ends in ExceptionFail); we return an error instead, and the cases only require a
 * failure code ("ANY_ERR"), never a crash.
 */
#include "esent.h"
#include "test_badargs_env.h"

#define ANY_ERR 1 /* "any negative code": ESE has no code there (it faults) */

static int g_n;

static void check_case(const char *label, JET_ERR got, JET_ERR want, int line)
{
    g_n++;
    bool ok = want == ANY_ERR ? got < 0 : got == want;
    if (!ok)
        bj_test_fail(__FILE__, line, "%s returned %d, expected %d", label, (int)got, (int)want);
}

/* Runs one case: the expression under an alarm, its code against ESE's. */
#define CASE(expr, want)                                                                           \
    do {                                                                                           \
        ba_arm(#expr);                                                                             \
        JET_ERR got_ = (expr);                                                                     \
        ba_disarm();                                                                               \
        check_case(#expr, got_, (want), __LINE__);                                                 \
    } while (0)

/* Out-of-order calls on an empty table without a primary index (fldmod.cxx ErrIsamPrepareUpdate,
 * rec.cxx ErrIsamSeek, fldnorm.cxx ErrIsamMakeKey, tm.cxx ErrIsamCommitTransaction/Rollback). */
TEST(out_of_order)
{
    ba_fx f;
    REQUIRE(ba_open(&f) == 0);
    JET_SESID s = f.sesA;
    JET_TABLEID t = f.tabA;
    g_n = 0;
    CASE(JetCommitTransaction(s, 0), JET_errNotInTransaction);
    CASE(JetCommitTransaction2(s, 0, 0, NULL), JET_errNotInTransaction);
    CASE(JetRollback(s, 0), JET_errNotInTransaction);
    CASE(JetUpdate(s, t, NULL, 0, NULL), JET_errUpdateNotPrepared);
    CASE(JetUpdate2(s, t, NULL, 0, NULL, 0), JET_errUpdateNotPrepared);
    CASE(JetPrepareUpdate(s, t, JET_prepCancel), JET_errUpdateNotPrepared);
    CASE(JetSetColumn(s, t, 1, &f.i32, 4, 0, NULL), JET_errUpdateNotPrepared);
    /* no current record */
    CASE(JetRetrieveColumn(s, t, 1, f.buf, 4, &f.cb, 0, NULL), JET_errNoCurrentRecord);
    CASE(JetDelete(s, t), JET_errNoCurrentRecord);
    CASE(JetGetBookmark(s, t, f.buf, sizeof f.buf, &f.cb), JET_errNoCurrentRecord);
    CASE(JetMove(s, t, JET_MoveFirst, 0), JET_errNoCurrentRecord);
    CASE(JetMove(s, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    CASE(JetPrepareUpdate(s, t, JET_prepReplace), JET_errNoCurrentRecord);
    /* no current index (sequential table), no key made */
    CASE(JetMakeKey(s, t, &f.i32, 4, JET_bitNewKey), JET_errNoCurrentIndex);
    CASE(JetSetCurrentIndex(s, t, "ix"), JET_errSuccess);
    CASE(JetSeek(s, t, JET_bitSeekEQ), JET_errKeyNotMade);
    CASE(JetSeek(s, t, 0), JET_errInvalidParameter); /* no seek bit: checked before the key */
    CASE(JetSetIndexRange(s, t, 0), JET_errKeyNotMade);
    /* invalid enum values */
    CASE(JetPrepareUpdate(s, t, 99), JET_errInvalidParameter);
    /* commit grbits outside g_grbitCommitFlagsMsk (jetapi.cxx) */
    CASE(JetBeginTransaction(s), JET_errSuccess);
    CASE(JetCommitTransaction(s, 0x40000000), JET_errInvalidGrbit);
    CASE(JetRollback(s, 0), JET_errSuccess);
    /* a prepared insert: the second prepare, and the NULL arrays ESE allows with a count 0 */
    CASE(JetPrepareUpdate(s, t, JET_prepInsert), JET_errSuccess);
    CASE(JetPrepareUpdate(s, t, JET_prepInsert), JET_errAlreadyPrepared);
    CASE(JetSetColumns(s, t, NULL, 0), JET_errSuccess);
    CASE(JetPrepareUpdate(s, t, JET_prepCancel), JET_errSuccess);
    CASE(JetRetrieveColumns(s, t, NULL, 0), JET_errSuccess);
    printf("  %d out-of-order cases\n", g_n);
    ba_close(&f);
}

/* cbStruct of the create structures must be exact (jetapi.cxx CAutoTABLECREATE*::ErrSet and
 * the JET_INDEXCREATE* conversions: JET_errInvalidParameter). */
TEST(cbstruct_wrong)
{
    ba_fx f;
    REQUIRE(ba_open(&f) == 0);
    JET_SESID s = f.sesA;
    g_n = 0;
    for (int d = -1; d <= 1; d += 2) {
        f.tc1.cbStruct = (uint32_t)(sizeof f.tc1 + d);
        f.tc2.cbStruct = (uint32_t)(sizeof f.tc2 + d);
        f.tc3.cbStruct = (uint32_t)(sizeof f.tc3 + d);
        f.tc4.cbStruct = (uint32_t)(sizeof f.tc4 + d);
        CASE(JetCreateTableColumnIndex(s, f.dbid, &f.tc1), JET_errInvalidParameter);
        CASE(JetCreateTableColumnIndex2(s, f.dbid, &f.tc2), JET_errInvalidParameter);
        CASE(JetCreateTableColumnIndex3(s, f.dbid, &f.tc3), JET_errInvalidParameter);
        CASE(JetCreateTableColumnIndex4(s, f.dbid, &f.tc4), JET_errInvalidParameter);
        f.ic1.cbStruct = (uint32_t)(sizeof f.ic1 + d);
        f.ic2.cbStruct = (uint32_t)(sizeof f.ic2 + d);
        f.ic3.cbStruct = (uint32_t)(sizeof f.ic3 + d);
        CASE(JetCreateIndex2(s, f.tabA, &f.ic1, 1), JET_errInvalidParameter);
        CASE(JetCreateIndex3(s, f.tabA, &f.ic2, 1), JET_errInvalidParameter);
        CASE(JetCreateIndex4(s, f.tabA, &f.ic3, 1), JET_errInvalidParameter);
    }
    /* nothing was created */
    JET_TABLEID t;
    CASE(JetOpenTable(s, f.dbid, "tc", NULL, 0, 0, &t), JET_errObjectNotFound);
    CASE(JetSetCurrentIndex(s, f.tabA, "ix2"), JET_errIndexNotFound);
    printf("  %d cbStruct cases\n", g_n);
    ba_close(&f);
}

/* NULL where ESE requires a pointer: a failure, never a crash. */
TEST(null_pointers)
{
    ba_fx f;
    REQUIRE(ba_open(&f) == 0);
    JET_SESID s = f.sesA;
    JET_TABLEID t = f.tabA;
    g_n = 0;
    CASE(JetBeginSession(f.inst, NULL, NULL, NULL), ANY_ERR);
    CASE(JetDupSession(s, NULL), ANY_ERR);
    CASE(JetGetVersion(s, NULL), ANY_ERR);
    CASE(JetOpenDatabase(s, NULL, NULL, &f.dbidOut, 0), ANY_ERR);
    CASE(JetOpenDatabase(s, f.path, NULL, NULL, 0), ANY_ERR);
    CASE(JetCreateDatabase(s, NULL, NULL, &f.dbidOut, 0), ANY_ERR);
    CASE(JetAttachDatabase(s, NULL, 0), ANY_ERR);
    CASE(JetOpenTable(s, f.dbid, NULL, NULL, 0, 0, &f.tabOut), ANY_ERR);
    CASE(JetOpenTable(s, f.dbid, "t", NULL, 0, 0, NULL), ANY_ERR);
    CASE(JetCreateTable(s, f.dbid, NULL, 0, 0, &f.tabOut), ANY_ERR);
    CASE(JetCreateTableColumnIndex(s, f.dbid, NULL), ANY_ERR);
    CASE(JetDeleteTable(s, f.dbid, NULL), ANY_ERR);
    CASE(JetAddColumn(s, t, NULL, &f.cdef, NULL, 0, &f.colid), ANY_ERR);
    CASE(JetAddColumn(s, t, "cx", NULL, NULL, 0, &f.colid), ANY_ERR);
    CASE(JetCreateIndex(s, t, NULL, 0, "+c1\0", 5, 100), ANY_ERR);
    CASE(JetCreateIndex(s, t, "ixn", 0, NULL, 0, 100), ANY_ERR);
    CASE(JetCreateIndex2(s, t, NULL, 1), ANY_ERR);
    CASE(JetGetTableInfo(s, t, NULL, 4, JET_TblInfoRvt), ANY_ERR);
    CASE(JetGetTableColumnInfo(s, t, "c1", NULL, sizeof(JET_COLUMNDEF), JET_ColInfo), ANY_ERR);
    CASE(JetGetCurrentIndex(s, t, NULL, 10), ANY_ERR);
    CASE(JetGetRecordPosition(s, t, NULL, sizeof(JET_RECPOS)), ANY_ERR);
    CASE(JetGotoPosition(s, t, NULL), ANY_ERR);
    CASE(JetIndexRecordCount(s, t, NULL, 0), ANY_ERR);
    CASE(JetMakeKey(s, t, NULL, 4, JET_bitNewKey), ANY_ERR);
    CASE(JetOpenTempTable(s, NULL, 1, 0, &f.tabOut, &f.colid), ANY_ERR);
    CASE(JetOpenTempTable(s, &f.cdef, 1, 0, NULL, &f.colid), ANY_ERR);
    CASE(JetOpenTemporaryTable(s, NULL), ANY_ERR);
    CASE(JetRetrieveColumns(s, t, NULL, 1), ANY_ERR);
    CASE(JetGetDatabaseFileInfo(NULL, f.buf, 4, JET_DbInfoPageSize), ANY_ERR);
    CASE(JetGetDatabaseInfo(s, f.dbid, NULL, 4, JET_DbInfoPageSize), ANY_ERR);
    CASE(JetCreateInstance(NULL, "x"), ANY_ERR);
    CASE(JetGetInstanceInfo(NULL, &f.instInfo), ANY_ERR);
    CASE(JetGetInstanceInfo(&f.cb, NULL), ANY_ERR);
    /* a transaction, a prepared update: the session still works after all of the above */
    CASE(JetBeginTransaction(s), JET_errSuccess);
    CASE(JetPrepareUpdate(s, t, JET_prepInsert), JET_errSuccess);
    f.i32 = 5;
    CASE(JetSetColumn(s, t, 1, &f.i32, 4, 0, NULL), JET_errSuccess);
    CASE(JetSetColumn(s, t, 2, NULL, 0, 0, NULL), JET_errSuccess); /* NULL value: ESE allows */
    CASE(JetUpdate(s, t, NULL, 0, NULL), JET_errSuccess);
    CASE(JetCommitTransaction(s, 0), JET_errSuccess);
    CASE(JetMove(s, t, JET_MoveFirst, 0), JET_errSuccess);
    printf("  %d NULL-pointer cases\n", g_n);
    ba_close(&f);
}

/* Invalid enum values: an unknown table InfoLevel (info.cxx ErrIsamGetTableInfo: default ->
 * JET_errFeatureNotAvailable), column types 0 and >= JET_coltypMax (fcreate.cxx:
 * JET_errInvalidColumnType). */
TEST(bad_enums)
{
    ba_fx f;
    REQUIRE(ba_open(&f) == 0);
    JET_SESID s = f.sesA;
    JET_TABLEID t = f.tabA;
    g_n = 0;
    CASE(JetGetTableInfo(s, t, f.buf, sizeof f.buf, 9999), JET_errFeatureNotAvailable);
    JET_COLUMNDEF def = f.cdef;
    def.coltyp = 0;
    CASE(JetAddColumn(s, t, "cbad", &def, NULL, 0, &f.colid), JET_errInvalidColumnType);
    def.coltyp = 99;
    CASE(JetAddColumn(s, t, "cbad", &def, NULL, 0, &f.colid), JET_errInvalidColumnType);
    CASE(JetGetTableColumnInfo(s, t, "cbad", f.buf, sizeof f.buf, JET_ColInfo),
         JET_errColumnNotFound);
    printf("  %d enum cases\n", g_n);
    ba_close(&f);
}

/* Calls after JetTerm: the sessions of a termed instance are stale (JET_errInvalidSesid). */
TEST(after_term)
{
    ba_fx f;
    memset(&f, 0, sizeof f);
    snprintf(f.sys, sizeof f.sys, "%s/", bj_test_tmpdir());
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    REQUIRE(ba_instance(&f, &inst, "ba_term") == 0);
    REQUIRE_OK(JetBeginSession(inst, &s, NULL, NULL));
    REQUIRE_OK(JetTerm2(inst, JET_bitTermAbrupt));
    g_n = 0;
    CASE(JetBeginTransaction(s), JET_errInvalidSesid);
    CASE(JetEndSession(s, 0), JET_errInvalidSesid);
    CASE(JetGetVersion(s, &f.cb), JET_errInvalidSesid);
    CASE(JetBeginSession(inst, &s, NULL, NULL), JET_errInvalidInstance);
    CASE(JetTerm(inst), JET_errInvalidInstance);
    CASE(JetStopServiceInstance(inst), JET_errInvalidInstance);
    printf("  %d after-term cases\n", g_n);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
