/* test_fault_io.c: the Nth write or fsync fails, for every N (issue 3, "fault").
 *
 * The engine runs in-process on the in-memory backend wrapped by bj_os_fault_create. For each
 * error (JET_errDiskIO, as EIO; JET_errDiskFull, as ENOSPC) and N = 1, 2, ... until the
 * workload runs without reaching the Nth write-or-sync call, one run:
 *   - a fresh backend; the Nth write or sync fails (bj_os_fault_set, kinds WRITE|SYNC);
 *   - a small fixed workload: JetInit, create the database and its tables (crash_common.h),
 *     BJ_FAULT_TXNS (default 6) transactions of one worker, each announced and acknowledged as
 *     in crash_common.h (durable commits: JetCommitTransaction(sesid, 0)), then one transaction
 *     left open (an insert, never committed);
 *   - asserted: every call returns (no crash, no hang); when the failure was injected, some API
 *     call of the run returns an error (the worker's, or at the latest a clean JetTerm: a lost
 *     write is never silent); once a worker call has failed, a new update in a new transaction
 *     is refused with JET_errLogWriteFail or JET_errInstanceUnavailable (ESE: the log is down);
 *   - then JetTerm2(JET_bitTermAbrupt | JET_bitTermDirty), the fault removed, a new instance:
 * JetInit (recovery), attach, and cw_check: every acknowledged commit is there, nothing else (the
 * open transaction and anything rolled back are absent), accounts sum intact; a clean JetTerm and
 *     `bluejet check` on a copy of the database on disk. When the failure came before the
 *     schema's commit returned, only "JetInit succeeds and nothing crashes" is asserted (there
 *     is nothing acknowledged to find; attach may fail with FileNotFound or find no table).
 * Environment: BJ_FAULT_TXNS (workload size), BJ_FAULT_NMAX (default 2000: safety bound on N).
 *
 * harness_no_fault: the same run with fault counting only (no failure): everything committed
 * is there after a clean term (passes without a log).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_common.h"
#include "inst/inst.h"
#include "testlib.h"

#define F_DIR "/f"
#define F_DB "/f/f.edb"

static void f_sink(void *ctx, char what, const cw_txn *t)
{
    cw_model_event(ctx, what, t);
}

static JET_ERR open_instance(JET_INSTANCE *pinst)
{
    JET_ERR err = JetCreateInstance(pinst, "fault");
    if (err < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, F_DIR "/")) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, F_DIR "/")) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, F_DIR "/tmp/")) < 0 ||
        /* small generations: many rolls per round, and the rounds' logs stay small (every
         * JetInit starts a generation, zero-filled) */
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        *pinst = 0;
        return err;
    }
    return JET_errSuccess;
}

static int copy_out_and_check(bj_os *mem)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/f.edb", bj_test_tmpdir());
    bj_file *f = NULL;
    if (bj_file_open(mem, F_DB, BJ_OPEN_READONLY, &f) < 0)
        return -1;
    uint64_t cb = 0;
    FILE *o = fopen(out, "wb");
    uint8_t *buf = malloc(65536);
    uint64_t off = 0;
    if (o && buf && bj_file_size(f, &cb) >= 0)
        while (off < cb) {
            size_t got = 0, want = (size_t)(cb - off < 65536 ? cb - off : 65536);
            if (bj_file_read(f, off, buf, want, &got) < 0 || !got || fwrite(buf, 1, got, o) != got)
                break;
            off += got;
        }
    free(buf);
    if (o)
        fclose(o);
    bj_file_close(f);
    return off == cb && cb ? cw_tool_check(out, bj_test_tmpdir()) : -1;
}

/* An update in a new transaction on a fresh session: what the instance says after a failure. */
static JET_ERR try_update(JET_INSTANCE inst, JET_SESID s, JET_DBID db)
{
    (void)inst;
    JET_TABLEID t = 0;
    JET_COLUMNDEF d;
    JET_ERR err;
    int64_t k = (int64_t)0x7fffffff00000001ll, v = 1;
    if ((err = JetBeginTransaction(s)) < 0)
        return err;
    if ((err = JetOpenTable(s, db, "rows", NULL, 0, 0, &t)) >= 0 &&
        (err = JetGetTableColumnInfo(s, t, "k", &d, sizeof d, JET_ColInfo)) >= 0 &&
        (err = JetPrepareUpdate(s, t, JET_prepInsert)) >= 0 &&
        (err = JetSetColumn(s, t, d.columnid, &k, 8, 0, NULL)) >= 0 &&
        (err = JetGetTableColumnInfo(s, t, "v", &d, sizeof d, JET_ColInfo)) >= 0 &&
        (err = JetSetColumn(s, t, d.columnid, &v, 8, 0, NULL)) >= 0 &&
        (err = JetUpdate(s, t, NULL, 0, NULL)) >= 0)
        err = JetCommitTransaction(s, 0);
    if (err < 0)
        JetRollback(s, 0);
    if (t)
        JetCloseTable(s, t);
    return err;
}

typedef struct f_result {
    bool faulted;  /* the Nth call was reached and failed */
    bool schema;   /* the schema's commit returned success */
    bool sawError; /* some API call returned an error */
} f_result;

/* One run with the Nth write/sync failing with ferr (n == 0: no failure). */
static bool one_run(uint64_t n, JET_ERR ferr, uint32_t ntxn, f_result *res)
{
    memset(res, 0, sizeof *res);
    bj_os *mem = bj_os_mem_create();
    bj_os *fos = bj_os_fault_create(mem);
    bj_os_mkdir(mem, F_DIR);
    bj_os_mkdir(mem, F_DIR "/tmp");
    bj_os_sync_dir(mem, "/");
    bj_os_sync_dir(mem, F_DIR);
    bj_inst_test_set_os(fos);
    cw_model m;
    cw_model_init(&m);
    char why[600];
    bool ok = true;
    bj_os_fault_set(fos, n, ferr, BJ_FAULT_WRITE | BJ_FAULT_SYNC);

    /* the workload */
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_DBID db = 0;
    bool dbOpen = false;
    JET_ERR err = open_instance(&inst);
    JET_ERR workErr = err;
    if (err >= 0 && (err = JetBeginSession(inst, &s, NULL, NULL)) >= 0 &&
        (err = JetCreateDatabase(s, F_DB, NULL, &db, 0)) >= 0) {
        dbOpen = true;
        err = cw_create_schema(s, db);
        res->schema = err >= 0;
    }
    workErr = err;
    if (err >= 0) {
        cw_worker w;
        memset(&w, 0, sizeof w);
        w.inst = inst;
        w.dbpath = F_DB;
        w.round = 1;
        w.rng = 0x5eed0000u + ntxn;
        w.maxTxns = ntxn;
        w.sink = f_sink;
        w.ctx = &m;
        cw_worker_main(&w);
        workErr = w.err;
    }
    if (workErr >= 0 && res->schema) {
        /* one transaction left open */
        cw_txn t = {.thread = 7, .id = 1, .nops = 1};
        t.ops[0] = (cw_op){CW_INS, 0x7fffffff00000002ull, 42};
        cw_model_event(&m, 'B', &t);
        JET_TABLEID tb = 0;
        JET_COLUMNDEF d;
        int64_t k = (int64_t)t.ops[0].key, v = 42;
        if ((err = JetBeginTransaction(s)) >= 0 &&
            (err = JetOpenTable(s, db, "rows", NULL, 0, 0, &tb)) >= 0 &&
            (err = JetGetTableColumnInfo(s, tb, "k", &d, sizeof d, JET_ColInfo)) >= 0 &&
            (err = JetPrepareUpdate(s, tb, JET_prepInsert)) >= 0 &&
            (err = JetSetColumn(s, tb, d.columnid, &k, 8, 0, NULL)) >= 0 &&
            (err = JetGetTableColumnInfo(s, tb, "v", &d, sizeof d, JET_ColInfo)) >= 0 &&
            (err = JetSetColumn(s, tb, d.columnid, &v, 8, 0, NULL)) >= 0)
            err = JetUpdate(s, tb, NULL, 0, NULL);
        workErr = err;
        (void)tb; /* left open with the transaction; the abrupt term ends both */
    }
    res->sawError = workErr < 0;
    if (workErr < 0 && res->schema) {
        /* the instance must refuse further updates */
        JET_SESID s2 = 0;
        JET_DBID db2 = 0;
        JET_ERR e2 = JetBeginSession(inst, &s2, NULL, NULL);
        if (e2 >= 0 && (e2 = JetOpenDatabase(s2, F_DB, NULL, &db2, 0)) >= 0)
            e2 = try_update(inst, s2, db2);
        if (e2 != JET_errLogWriteFail && e2 != JET_errInstanceUnavailable) {
            bj_test_fail(__FILE__, __LINE__,
                         "N=%" PRIu64 " err %d: after a failed call (%d) an update returned %d, "
                         "expected JET_errLogWriteFail or JET_errInstanceUnavailable",
                         n, (int)ferr, (int)workErr, (int)e2);
            ok = false;
        }
        if (s2)
            JetEndSession(s2, 0);
    }
    res->faulted = bj_os_fault_failures(fos) > 0;
    if (inst) {
        if (res->faulted && !res->sawError) {
            /* a failed write nobody reported yet: a clean term must report it */
            if (dbOpen)
                JetCloseDatabase(s, db, 0);
            dbOpen = false;
            JetEndSession(s, 0);
            s = 0;
            err = JetTerm2(inst, JET_bitTermComplete);
            res->sawError = err < 0;
        } else
            JetTerm2(inst, JET_bitTermAbrupt | JET_bitTermDirty); /* a crash */
    }
    bool faultedInTerm = !res->faulted && bj_os_fault_failures(fos) > 0;
    /* (a failure during the dirty term itself needs no report: it returns an error anyway) */
    /* a full disk while a log file is made is absorbed by the reserve logs (ESE's design), so
     * only an I/O error must always reach a caller */
    if (res->faulted && !res->sawError && ferr != JET_errDiskFull) {
        bj_test_fail(__FILE__, __LINE__,
                     "N=%" PRIu64 " err %d: the failed write/sync was reported by no call", n,
                     (int)ferr);
        ok = false;
    }

    res->faulted |= faultedInTerm;

    /* recovery without the fault */
    bj_os_fault_set(fos, 0, 0, 0);
    inst = 0;
    s = 0;
    dbOpen = false;
    err = open_instance(&inst);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 " err %d: JetInit (recovery): %d", n,
                     (int)ferr, (int)err);
        ok = false;
        goto done;
    }
    if ((err = JetBeginSession(inst, &s, NULL, NULL)) >= 0 &&
        (err = JetAttachDatabase(s, F_DB, 0)) >= 0 &&
        (err = JetOpenDatabase(s, F_DB, NULL, &db, 0)) >= 0)
        dbOpen = true;
    if (res->schema) {
        if (err < 0) {
            bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 " err %d: attach after recovery: %d%s", n,
                         (int)ferr, (int)err,
                         err == JET_errDatabaseDirtyShutdown ? " (DirtyShutdown: not recovered)"
                                                             : "");
            ok = false;
        } else if (cw_check(&m, s, db, why, sizeof why) != 0) {
            bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 " err %d: %s", n, (int)ferr, why);
            ok = false;
        }
    }
    if (dbOpen)
        JetCloseDatabase(s, db, 0);
    if (dbOpen && (err = JetDetachDatabase(s, F_DB)) < 0) {
        bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 ": detach: %d", n, (int)err);
        ok = false;
    }
    if (s)
        JetEndSession(s, 0);
    if ((err = JetTerm(inst)) < 0) {
        bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 ": JetTerm: %d", n, (int)err);
        ok = false;
    }
    if (ok && res->schema && copy_out_and_check(mem) != 0) {
        bj_test_fail(__FILE__, __LINE__, "N=%" PRIu64 " err %d: bluejet check is not clean", n,
                     (int)ferr);
        ok = false;
    }
done:
    bj_inst_test_set_os(NULL);
    bj_os_fault_destroy(fos);
    bj_os_mem_destroy(mem);
    cw_model_free(&m);
    return ok;
}

TEST(fault_every_n)
{
    uint32_t ntxn = (uint32_t)cw_env_u64("BJ_FAULT_TXNS", 6);
    uint64_t nmax = cw_env_u64("BJ_FAULT_NMAX", 2000);
    const JET_ERR errs[2] = {JET_errDiskIO, JET_errDiskFull};
    for (int e = 0; e < 2; e++) {
        uint64_t n;
        f_result res;
        for (n = 1; n <= nmax; n++) {
            if (!one_run(n, errs[e], ntxn, &res))
                return;
            if (!res.faulted)
                break;
        }
        printf("  error %d: N = 1..%" PRIu64 " (the workload makes %" PRIu64 " writes and syncs)\n",
               (int)errs[e], n, n - 1);
        CHECK(n > 1 && n <= nmax);
    }
}

TEST(harness_no_fault)
{
    f_result res;
    CHECK(one_run(0, 0, (uint32_t)cw_env_u64("BJ_FAULT_TXNS", 6), &res));
    CHECK(res.schema);
    CHECK(!res.faulted);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
