/* test_badargs.c: every exported Jet* function given bad handles returns ESE's error code.
 *
 * One row per exported function (the A aliases once each) with a thunk that calls it with
 * otherwise valid arguments; the sweep substitutes each handle argument with 0, the Nil value,
 * a garbage value, a stale handle (ended session, closed table, termed instance), a handle of
 * the wrong kind and a handle of another session. The expected codes are ESE's (jetapi.cxx,
 * JET_VALIDATE_* with JET_VALIDATE on as in ESENT builds, and ErrPIBCheckIfmp in pib.hxx):
 *   bad JET_SESID                         -> JET_errInvalidSesid
 *   bad JET_TABLEID                       -> JET_errInvalidTableId
 *   tableid of another session            -> JET_errSesidTableIdMismatch
 *   dbid not opened by this session       -> JET_errInvalidDatabaseId
 *   bad JET_INSTANCE (not 0/Nil)          -> JET_errInvalidInstance
 * A test also checks the table against the symbols libbluejet.so exports, so a new entry point
 * without a row fails here. Every call runs under an alarm: a hang fails with the case's name.
 * Argument, grbit, enum and call-order cases are in test_badargs_calls.c.
 */
#include <signal.h>
#include <unistd.h>

#include "esent.h"
#include "test_badargs_env.h"

enum { K_NONE, K_INST, K_SES, K_SESPARAM, K_SES_DB, K_SES_TAB };

typedef JET_ERR (*thunk)(ba_fx *f, JET_API_PTR a, JET_API_PTR b);
typedef struct row {
    const char *name;
    int kind;
    thunk fn;
} row;

#define TH(name, args)                                                                             \
    static JET_ERR th_##name(ba_fx *f, JET_API_PTR a, JET_API_PTR b)                               \
    {                                                                                              \
        (void)f, (void)a, (void)b;                                                                 \
        return name args;                                                                          \
    }
#define THA(name, args) TH(name, args) TH(name##A, args)

/* a = sesid or instance, b = tableid or dbid; everything else valid. */
THA(JetAddColumn, (a, b, "cnew", &f->cdef, NULL, 0, &f->colid))
THA(JetAttachDatabase, (a, f->path, 0))
THA(JetAttachDatabase2, (a, f->path, 0, 0))
TH(JetBeginSession, (a, &f->sesOut, NULL, NULL))
TH(JetBeginSessionA, (a, &f->sesOut, NULL, NULL))
TH(JetBeginTransaction, (a))
TH(JetBeginTransaction2, (a, 0))
TH(JetBeginTransaction3, (a, 0, 0))
TH(JetCloseDatabase, (a, (JET_DBID)b, 0))
TH(JetCloseTable, (a, b))
TH(JetCommitTransaction, (a, 0))
TH(JetCommitTransaction2, (a, 0, 0, NULL))
THA(JetCreateDatabase, (a, f->pathNew, NULL, &f->dbidOut, 0))
THA(JetCreateDatabase2, (a, f->pathNew, 0, &f->dbidOut, 0))
THA(JetCreateDatabase3, (a, f->pathNew, &f->dbidOut, NULL, 0, 0))
THA(JetCreateIndex, (a, b, "ixnew", 0, "+c1\0", 5, 100))
THA(JetCreateIndex2, (a, b, &f->ic1, 1))
THA(JetCreateIndex3, (a, b, &f->ic2, 1))
THA(JetCreateIndex4, (a, b, &f->ic3, 1))
TH(JetCreateInstance, (&f->instOut, NULL))
TH(JetCreateInstanceA, (&f->instOut, NULL))
THA(JetCreateInstance2, (&f->instOut, NULL, NULL, 0))
THA(JetCreateTable, (a, (JET_DBID)b, "tnew", 0, 0, &f->tabOut))
THA(JetCreateTableColumnIndex, (a, (JET_DBID)b, &f->tc1))
THA(JetCreateTableColumnIndex2, (a, (JET_DBID)b, &f->tc2))
THA(JetCreateTableColumnIndex3, (a, (JET_DBID)b, &f->tc3))
THA(JetCreateTableColumnIndex4, (a, (JET_DBID)b, &f->tc4))
TH(JetDelete, (a, b))
THA(JetDeleteColumn, (a, b, "c2"))
THA(JetDeleteColumn2, (a, b, "c2", 0))
THA(JetDeleteIndex, (a, b, "ix"))
THA(JetDeleteTable, (a, (JET_DBID)b, "t"))
THA(JetDetachDatabase, (a, f->path))
THA(JetDetachDatabase2, (a, f->path, 0))
TH(JetDupSession, (a, &f->sesOut))
THA(JetEnableMultiInstance, (NULL, 0, NULL))
TH(JetEndSession, (a, 0))
TH(JetEscrowUpdate, (a, b, 1, &f->i32, 4, NULL, 0, NULL, 0))
TH(JetFreeBuffer, (NULL))
TH(JetGetBookmark, (a, b, f->buf, sizeof f->buf, &f->cb))
THA(JetGetColumnInfo, (a, (JET_DBID)b, "t", "c1", f->buf, sizeof f->buf, JET_ColInfo))
THA(JetGetCurrentIndex, (a, b, (char *)f->buf, sizeof f->buf))
THA(JetGetDatabaseFileInfo, (f->path, f->buf, sizeof f->buf, JET_DbInfoPageSize))
THA(JetGetDatabaseInfo, (a, (JET_DBID)b, f->buf, sizeof f->buf, JET_DbInfoPageSize))
THA(JetGetIndexInfo, (a, (JET_DBID)b, "t", "ix", f->buf, sizeof f->buf, JET_IdxInfo))
THA(JetGetInstanceInfo, (&f->cb, &f->instInfo))
TH(JetGetLock, (a, b, JET_bitReadLock))
THA(JetGetObjectInfo,
    (a, (JET_DBID)b, JET_objtypTable, NULL, "t", f->buf, sizeof f->buf, JET_ObjInfo))
TH(JetGetRecordPosition, (a, b, &f->recpos, sizeof f->recpos))
TH(JetGetSessionParameter, (a, JET_sesparamCommitDefault, f->buf, 4, &f->cb))
THA(JetGetSystemParameter, (0, a, JET_paramCacheSizeMax, &f->ptr, NULL, 0))
THA(JetGetTableColumnInfo, (a, b, "c1", f->buf, sizeof f->buf, JET_ColInfo))
THA(JetGetTableIndexInfo, (a, b, "ix", f->buf, sizeof f->buf, JET_IdxInfo))
THA(JetGetTableInfo, (a, b, f->buf, sizeof f->buf, JET_TblInfo))
TH(JetGetVersion, (a, &f->cb))
TH(JetGotoBookmark, (a, b, f->buf, 4))
TH(JetGotoPosition, (a, b, &f->recpos))
TH(JetIndexRecordCount, (a, b, &f->cb, 0))
TH(JetIndexRecordCount2, (a, b, &f->u64, 0))
TH(JetInit, (&f->instStale))
TH(JetInit2, (&f->instStale, 0))
THA(JetInit3, (&f->instStale, NULL, 0))
THA(JetInit4, (&f->instStale, NULL, 0))
TH(JetMakeKey, (a, b, &f->i32, 4, JET_bitNewKey))
TH(JetMove, (a, b, JET_MoveFirst, 0))
THA(JetOpenDatabase, (a, f->path, NULL, &f->dbidOut, 0))
THA(JetOpenTable, (a, (JET_DBID)b, "t", NULL, 0, 0, &f->tabOut))
TH(JetOpenTempTable, (a, &f->cdef, 1, 0, &f->tabOut, &f->colid))
TH(JetOpenTempTable2, (a, &f->cdef, 1, 1033, 0, &f->tabOut, &f->colid))
TH(JetOpenTempTable3, (a, &f->cdef, 1, NULL, 0, &f->tabOut, &f->colid))
TH(JetOpenTemporaryTable, (a, &f->ott))
TH(JetOpenTemporaryTable2, (a, &f->ott2))
TH(JetPrepareUpdate, (a, b, JET_prepInsert))
THA(JetRenameColumn, (a, b, "c2", "c3", 0))
THA(JetRenameTable, (a, (JET_DBID)b, "t", "t2"))
THA(JetRestore, (NULL, NULL))
THA(JetRestore2, (NULL, NULL, NULL))
THA(JetRestoreInstance, (a, f->path, NULL, NULL))
THA(JetExternalRestore, (NULL, NULL, NULL, 0, NULL, 0, 0, NULL))
THA(JetExternalRestore2, (NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL))
TH(JetResetSessionContext, (a))
TH(JetRetrieveColumn, (a, b, 1, f->buf, sizeof f->buf, &f->cb, 0, NULL))
TH(JetRetrieveColumns, (a, b, NULL, 0))
TH(JetRetrieveKey, (a, b, f->buf, sizeof f->buf, &f->cb, 0))
TH(JetRollback, (a, 0))
TH(JetSeek, (a, b, JET_bitSeekEQ))
TH(JetSetColumn, (a, b, 1, &f->i32, 4, 0, NULL))
THA(JetSetColumnDefaultValue, (a, (JET_DBID)b, "t", "c2", &f->i32, 4, 0))
TH(JetSetColumns, (a, b, NULL, 0))
THA(JetSetCurrentIndex, (a, b, "ix"))
THA(JetSetCurrentIndex2, (a, b, "ix", 0))
THA(JetSetCurrentIndex3, (a, b, "ix", 0, 1))
THA(JetSetCurrentIndex4, (a, b, "ix", NULL, 0, 1))
TH(JetSetIndexRange, (a, b, 0))
TH(JetSetSessionContext, (a, 7))
TH(JetSetSessionParameter, (a, JET_sesparamCommitDefault, &f->zero, 4))
THA(JetSetSystemParameter, (NULL, a, JET_paramCacheSizeMax, 1000, NULL))
TH(JetStopService, ())
TH(JetStopServiceInstance, (a))
TH(JetStopServiceInstance2, (a, 0))
TH(JetTerm, (a))
TH(JetTerm2, (a, 0))
TH(JetUpdate, (a, b, NULL, 0, NULL))
TH(JetUpdate2, (a, b, NULL, 0, NULL, 0))

/* backup (api_backup.c): harmless arguments; with a bad instance nothing runs */
static char g_bkbuf[64];
static uint32_t g_bkcb;
static JET_HANDLE g_bkh;
static JET_LOGINFO g_bkli = {sizeof(JET_LOGINFO), 0, 0, ""};
THA(JetBackup, (NULL, 0, NULL))
THA(JetBackupInstance, (a, NULL, 0, NULL))
TH(JetBeginExternalBackup, (0))
TH(JetBeginExternalBackupInstance, (a, 0))
TH(JetCloseFile, (0))
TH(JetCloseFileInstance, (a, 0))
TH(JetEndExternalBackup, ())
TH(JetEndExternalBackupInstance, (a))
TH(JetEndExternalBackupInstance2, (a, JET_bitBackupEndAbort))
THA(JetGetAttachInfo, (g_bkbuf, sizeof g_bkbuf, &g_bkcb))
THA(JetGetAttachInfoInstance, (a, g_bkbuf, sizeof g_bkbuf, &g_bkcb))
THA(JetGetLogInfo, (g_bkbuf, sizeof g_bkbuf, &g_bkcb))
THA(JetGetLogInfoInstance, (a, g_bkbuf, sizeof g_bkbuf, &g_bkcb))
THA(JetGetLogInfoInstance2, (a, g_bkbuf, sizeof g_bkbuf, &g_bkcb, &g_bkli))
THA(JetGetTruncateLogInfoInstance, (a, g_bkbuf, sizeof g_bkbuf, &g_bkcb))
THA(JetOpenFile, ("x.edb", &g_bkh, &g_bkcb, &g_bkcb))
THA(JetOpenFileInstance, (a, "x.edb", &g_bkh, &g_bkcb, &g_bkcb))
THA(JetOpenFileSectionInstance, (a, g_bkbuf, &g_bkh, 0, 1, 0, &g_bkcb, (int32_t *)&g_bkcb))
TH(JetReadFile, (0, g_bkbuf, 0, &g_bkcb))
TH(JetReadFileInstance, (a, 0, g_bkbuf, 0, &g_bkcb))
TH(JetStopBackup, ())
TH(JetStopBackupInstance, (a))
TH(JetTruncateLog, ())
TH(JetTruncateLogInstance, (a))

#define R(name, kind)                                                                              \
    {                                                                                              \
#name, kind, th_##name                                                                     \
    }
#define RA(name, kind) R(name, kind), R(name##A, kind)
static const row g_rows[] = {
    RA(JetAddColumn, K_SES_TAB),
    RA(JetAttachDatabase, K_SES),
    RA(JetAttachDatabase2, K_SES),
    R(JetBeginSession, K_INST),
    R(JetBeginSessionA, K_INST),
    R(JetBeginTransaction, K_SES),
    R(JetBeginTransaction2, K_SES),
    R(JetBeginTransaction3, K_SES),
    R(JetCloseDatabase, K_SES_DB),
    R(JetCloseTable, K_SES_TAB),
    R(JetCommitTransaction, K_SES),
    R(JetCommitTransaction2, K_SES),
    RA(JetCreateDatabase, K_SES),
    RA(JetCreateDatabase2, K_SES),
    RA(JetCreateDatabase3, K_SES),
    RA(JetCreateIndex, K_SES_TAB),
    RA(JetCreateIndex2, K_SES_TAB),
    RA(JetCreateIndex3, K_SES_TAB),
    RA(JetCreateIndex4, K_SES_TAB),
    R(JetCreateInstance, K_NONE),
    R(JetCreateInstanceA, K_NONE),
    RA(JetCreateInstance2, K_NONE),
    RA(JetCreateTable, K_SES_DB),
    RA(JetCreateTableColumnIndex, K_SES_DB),
    RA(JetCreateTableColumnIndex2, K_SES_DB),
    RA(JetCreateTableColumnIndex3, K_SES_DB),
    RA(JetCreateTableColumnIndex4, K_SES_DB),
    R(JetDelete, K_SES_TAB),
    RA(JetDeleteColumn, K_SES_TAB),
    RA(JetDeleteColumn2, K_SES_TAB),
    RA(JetDeleteIndex, K_SES_TAB),
    RA(JetDeleteTable, K_SES_DB),
    RA(JetDetachDatabase, K_SES),
    RA(JetDetachDatabase2, K_SES),
    R(JetDupSession, K_SES),
    RA(JetEnableMultiInstance, K_NONE),
    R(JetEndSession, K_SES),
    R(JetEscrowUpdate, K_SES_TAB),
    R(JetFreeBuffer, K_NONE),
    R(JetGetBookmark, K_SES_TAB),
    RA(JetGetColumnInfo, K_SES_DB),
    RA(JetGetCurrentIndex, K_SES_TAB),
    RA(JetGetDatabaseFileInfo, K_NONE),
    RA(JetGetDatabaseInfo, K_SES_DB),
    RA(JetGetIndexInfo, K_SES_DB),
    RA(JetGetInstanceInfo, K_NONE),
    R(JetGetLock, K_SES_TAB),
    RA(JetGetObjectInfo, K_SES_DB),
    R(JetGetRecordPosition, K_SES_TAB),
    R(JetGetSessionParameter, K_SES),
    RA(JetGetSystemParameter, K_SESPARAM),
    RA(JetGetTableColumnInfo, K_SES_TAB),
    RA(JetGetTableIndexInfo, K_SES_TAB),
    RA(JetGetTableInfo, K_SES_TAB),
    R(JetGetVersion, K_SES),
    R(JetGotoBookmark, K_SES_TAB),
    R(JetGotoPosition, K_SES_TAB),
    R(JetIndexRecordCount, K_SES_TAB),
    R(JetIndexRecordCount2, K_SES_TAB),
    R(JetInit, K_NONE),
    R(JetInit2, K_NONE),
    RA(JetInit3, K_NONE),
    RA(JetInit4, K_NONE),
    R(JetMakeKey, K_SES_TAB),
    R(JetMove, K_SES_TAB),
    RA(JetOpenDatabase, K_SES),
    RA(JetOpenTable, K_SES_DB),
    R(JetOpenTempTable, K_SES),
    R(JetOpenTempTable2, K_SES),
    R(JetOpenTempTable3, K_SES),
    R(JetOpenTemporaryTable, K_SES),
    R(JetOpenTemporaryTable2, K_SES),
    R(JetPrepareUpdate, K_SES_TAB),
    RA(JetRenameColumn, K_SES_TAB),
    RA(JetRenameTable, K_SES_DB),
    RA(JetRestore, K_NONE),
    RA(JetRestore2, K_NONE),
    RA(JetRestoreInstance, K_INST),
    RA(JetExternalRestore, K_NONE),
    RA(JetExternalRestore2, K_NONE),
    R(JetResetSessionContext, K_SES),
    R(JetRetrieveColumn, K_SES_TAB),
    R(JetRetrieveColumns, K_SES_TAB),
    R(JetRetrieveKey, K_SES_TAB),
    R(JetRollback, K_SES),
    R(JetSeek, K_SES_TAB),
    R(JetSetColumn, K_SES_TAB),
    RA(JetSetColumnDefaultValue, K_SES_DB),
    R(JetSetColumns, K_SES_TAB),
    RA(JetSetCurrentIndex, K_SES_TAB),
    RA(JetSetCurrentIndex2, K_SES_TAB),
    RA(JetSetCurrentIndex3, K_SES_TAB),
    RA(JetSetCurrentIndex4, K_SES_TAB),
    R(JetSetIndexRange, K_SES_TAB),
    R(JetSetSessionContext, K_SES),
    R(JetSetSessionParameter, K_SES),
    RA(JetSetSystemParameter, K_SESPARAM),
    R(JetStopService, K_NONE),
    R(JetStopServiceInstance, K_INST),
    R(JetStopServiceInstance2, K_INST),
    R(JetTerm, K_INST),
    R(JetTerm2, K_INST),
    R(JetUpdate, K_SES_TAB),
    R(JetUpdate2, K_SES_TAB),
    RA(JetBackup, K_NONE),
    RA(JetBackupInstance, K_INST),
    R(JetBeginExternalBackup, K_NONE),
    R(JetBeginExternalBackupInstance, K_INST),
    R(JetCloseFile, K_NONE),
    R(JetCloseFileInstance, K_INST),
    R(JetEndExternalBackup, K_NONE),
    R(JetEndExternalBackupInstance, K_INST),
    R(JetEndExternalBackupInstance2, K_INST),
    RA(JetGetAttachInfo, K_NONE),
    RA(JetGetAttachInfoInstance, K_INST),
    RA(JetGetLogInfo, K_NONE),
    RA(JetGetLogInfoInstance, K_INST),
    RA(JetGetLogInfoInstance2, K_INST),
    RA(JetGetTruncateLogInfoInstance, K_INST),
    RA(JetOpenFile, K_NONE),
    RA(JetOpenFileInstance, K_INST),
    RA(JetOpenFileSectionInstance, K_INST),
    R(JetReadFile, K_NONE),
    R(JetReadFileInstance, K_INST),
    R(JetStopBackup, K_NONE),
    R(JetStopBackupInstance, K_INST),
    R(JetTruncateLog, K_NONE),
    R(JetTruncateLogInstance, K_INST),
};

/* Every exported Jet* symbol of libbluejet.so (next to the test's build folder) has a row. */
TEST(every_export_has_a_row)
{
    char exe[1024], cmd[1300];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    REQUIRE(n > 0);
    exe[n] = 0;
    char *lib = NULL;
    for (int up = 0; up < 3 && !lib; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            break;
        *slash = 0;
        snprintf(cmd, sizeof cmd, "%s/libbluejet.so", exe);
        if (access(cmd, R_OK) == 0)
            lib = cmd;
    }
    if (!lib) {
        printf("  (libbluejet.so not found next to the test: export check skipped)\n");
        return;
    }
    char path[1300];
    memcpy(path, lib, sizeof path);
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%.1200s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    REQUIRE(p != NULL);
    char line[512];
    int nexp = 0;
    while (fgets(line, sizeof line, p)) {
        char addr[64], type[8], name[256];
        if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3 || strcmp(type, "T") != 0)
            continue;
        nexp++;
        bool found = false;
        for (size_t i = 0; i < BJ_ARRAY_LEN(g_rows) && !found; i++)
            found = strcmp(g_rows[i].name, name) == 0;
        if (!found)
            bj_test_fail(__FILE__, __LINE__, "exported %s has no row in test_badargs.c", name);
    }
    pclose(p);
    CHECK(nexp > 0);
    CHECK_EQ(nexp, BJ_ARRAY_LEN(g_rows));
}

static int g_ncases;

static void run(ba_fx *f, const row *r, const char *what, JET_API_PTR a, JET_API_PTR b,
                JET_ERR want)
{
    char label[160];
    snprintf(label, sizeof label, "%s, %s", r->name, what);
    ba_arm(label);
    JET_ERR got = r->fn(f, a, b);
    ba_disarm();
    g_ncases++;
    if (got != want)
        bj_test_fail(__FILE__, __LINE__, "%s returned %d, expected %d", label, (int)got, (int)want);
}

TEST(bad_handles_every_function)
{
    ba_fx f;
    REQUIRE(ba_open(&f) == 0);
    g_ncases = 0;
    const JET_API_PTR garbage = (JET_API_PTR)0xdeadbeefULL;
    for (size_t i = 0; i < BJ_ARRAY_LEN(g_rows); i++) {
        const row *r = &g_rows[i];
        if (r->kind == K_SES || r->kind == K_SES_DB || r->kind == K_SES_TAB ||
            r->kind == K_SESPARAM) {
            JET_API_PTR b = r->kind == K_SES_DB ? f.dbid : f.tabA;
            if (r->kind != K_SESPARAM) { /* 0/Nil select the instance there */
                run(&f, r, "sesid 0", 0, b, JET_errInvalidSesid);
                run(&f, r, "sesid Nil", JET_sesidNil, b, JET_errInvalidSesid);
            }
            run(&f, r, "sesid garbage", garbage, b, JET_errInvalidSesid);
            run(&f, r, "sesid ended", f.sesStale, b, JET_errInvalidSesid);
            run(&f, r, "tableid as sesid", f.tabA, b, JET_errInvalidSesid);
            run(&f, r, "instance as sesid", f.inst, b, JET_errInvalidSesid);
        }
        if (r->kind == K_SES_TAB) {
            run(&f, r, "tableid 0", f.sesA, 0, JET_errInvalidTableId);
            run(&f, r, "tableid Nil", f.sesA, JET_tableidNil, JET_errInvalidTableId);
            run(&f, r, "tableid garbage", f.sesA, garbage, JET_errInvalidTableId);
            run(&f, r, "tableid closed", f.sesA, f.tabStale, JET_errInvalidTableId);
            run(&f, r, "sesid as tableid", f.sesA, f.sesA, JET_errInvalidTableId);
            run(&f, r, "tableid of ended session", f.sesA, f.tabOfStale, JET_errInvalidTableId);
            run(&f, r, "tableid of session B", f.sesA, f.tabB, JET_errSesidTableIdMismatch);
        }
        if (r->kind == K_SES_DB) {
            run(&f, r, "dbid Nil", f.sesA, JET_dbidNil, JET_errInvalidDatabaseId);
            run(&f, r, "dbid garbage", f.sesA, 0xdeadbeef, JET_errInvalidDatabaseId);
            run(&f, r, "dbid never opened", f.sesA, f.dbid + 7, JET_errInvalidDatabaseId);
            run(&f, r, "dbid closed", f.sesC, f.dbid, JET_errInvalidDatabaseId);
        }
        if (r->kind == K_INST) {
            run(&f, r, "instance garbage", garbage, 0, JET_errInvalidInstance);
            run(&f, r, "instance termed", f.instStale, 0, JET_errInvalidInstance);
            run(&f, r, "sesid as instance", f.sesA, 0, JET_errInvalidInstance);
        }
    }
    printf("  %zu functions, %d bad-handle cases\n", BJ_ARRAY_LEN(g_rows), g_ncases);
    ba_close(&f);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
