/* test_tool_logs.c: the `bluejet logs`, `bluejet recover` and `bluejet header` commands on a
 * crashed instance, run as a program ($BJ_TOOL). A child process makes a database through
 * esent.h with its logs in a scratch folder (128 KiB log files, so there are several
 * generations), commits work, leaves a transaction open and dies without JetTerm (_exit). Then:
 * `logs DIR` / `logs FILE` / `logs --headers` / `logs edb.chk` dump what is there (generations,
 * COMMIT0 and PGOP records, summary), `header` shows the dirty state and the required log range,
 * `recover DIR` makes the database Clean Shutdown (JetGetDatabaseFileInfo agrees), the
 * committed rows are there and the open transaction's are not, `check` is clean; a damaged
 * log (header, or a segment of a finished generation) is JET_errLogFileCorrupt with exit 1.
 * Sanitizer exit codes are moved to 99 so a crash is never mistaken for an expected status.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esent.h"
#include "testlib.h"

#define NROWS 300
#define C_ID 1
#define C_TXT 256

static char g_dir[1024], g_db[1100];

/* ---------------------------------------------------------------- running the tool */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return calloc(1, 1);
    fseek(f, 0, SEEK_END);
    long cb = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)(cb > 0 ? cb : 0) + 1);
    size_t n = buf ? fread(buf, 1, (size_t)(cb > 0 ? cb : 0), f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

typedef struct run_result {
    int rc; /* exit status; -1 if the tool did not exit normally */
    char *out, *err;
} run_result;

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Runs `$BJ_TOOL <args>` (shell words the caller quoted), capturing stdout and stderr. */
static run_result run_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static run_result run_tool(const char *fmt, ...)
{
    run_result r = {-1, NULL, NULL};
    const char *tool = getenv("BJ_TOOL");
    char args[4096], cmd[3 * 4096 + 256], outPath[2048], errPath[2048];
    va_list ap;
    if (!tool || !*tool) {
        bj_test_fail(__FILE__, __LINE__, "BJ_TOOL is not set");
        r.out = calloc(1, 1);
        r.err = calloc(1, 1);
        return r;
    }
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(outPath, sizeof(outPath), "%s/tool.out", g_dir);
    snprintf(errPath, sizeof(errPath), "%s/tool.err", g_dir);
    snprintf(cmd, sizeof(cmd),
             "ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99:halt_on_error=1 '%s' %s "
             ">'%s' 2>'%s'",
             tool, args, outPath, errPath);
    fflush(NULL);
    int st = system(cmd);
    if (st != -1 && WIFEXITED(st))
        r.rc = WEXITSTATUS(st);
    r.out = slurp(outPath);
    r.err = slurp(errPath);
    unlink(outPath);
    unlink(errPath);
    if (r.err && (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error")))
        bj_test_fail(__FILE__, __LINE__, "sanitizer report from `bluejet %s`:\n%s", args, r.err);
    return r;
}

static bool has(const char *s, const char *what)
{
    return s && strstr(s, what) != NULL;
}

/* ---------------------------------------------------------------- the crashed instance */

static JET_ERR inst_open(JET_INSTANCE *pinst, JET_SESID *ps)
{
    JET_ERR err;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/", g_dir);
    if ((err = JetCreateInstance(pinst, "toollogs")) < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 128, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        return err;
    }
    return JetBeginSession(*pinst, ps, NULL, NULL);
}

static JET_ERR ins(JET_SESID s, JET_TABLEID t, int32_t id, const char *txt, uint32_t cbTxt)
{
    JET_ERR err = JetPrepareUpdate(s, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(s, t, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_TXT, txt, cbTxt, 0, NULL);
    if (err >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    return err;
}

static JET_ERR seek(JET_SESID s, JET_TABLEID t, int32_t id)
{
    JET_ERR err = JetMakeKey(s, t, &id, 4, JET_bitNewKey);
    return err < 0 ? err : JetSeek(s, t, JET_bitSeekEQ);
}

/* Rows 1..NROWS committed one transaction each; rows 1001..1050 in a transaction left open;
 * then the process dies. */
static int child_work(void)
{
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    JET_COLUMNID col;
    static char txt[600];
    memset(txt, 'z', sizeof txt);
    JET_COLUMNDEF cd = {sizeof(cd), 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnFixed};
    JET_COLUMNDEF lt = {sizeof(lt), 0, JET_coltypLongBinary, 0, 0, 0, 0, 0, JET_bitColumnTagged};
    if (inst_open(&inst, &s) < 0 || JetCreateDatabase(s, g_db, NULL, &db, 0) < 0 ||
        JetBeginTransaction(s) < 0 || JetCreateTable(s, db, "t", 0, 100, &t) < 0 ||
        JetAddColumn(s, t, "id", &cd, NULL, 0, &col) < 0 ||
        JetAddColumn(s, t, "txt", &lt, NULL, 0, &col) < 0 ||
        JetCreateIndex(s, t, "pk", JET_bitIndexPrimary, "+id\0", 5, 100) < 0 ||
        JetCommitTransaction(s, 0) < 0)
        return 10;
    for (int32_t i = 1; i <= NROWS; i++)
        if (JetBeginTransaction(s) < 0 || ins(s, t, i, txt, sizeof txt) < 0 ||
            JetCommitTransaction(s, 0) < 0)
            return 11;
    if (JetBeginTransaction(s) < 0)
        return 12;
    for (int32_t i = 1001; i <= 1050; i++)
        if (ins(s, t, i, txt, 100) < 0)
            return 13;
    _exit(0); /* the crash: no rollback, no JetTerm */
}

static bool make_crashed(void)
{
    snprintf(g_dir, sizeof g_dir, "%s", bj_test_tmpdir());
    snprintf(g_db, sizeof g_db, "%s/t.edb", g_dir);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_work());
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "child status 0x%x\n", (unsigned)st);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    bool ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b && fclose(b) != 0)
        ok = false;
    return ok;
}

static bool flip_byte(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return false;
    int c = (fseek(f, off, SEEK_SET) == 0) ? fgetc(f) : EOF;
    bool ok = c != EOF && fseek(f, off, SEEK_SET) == 0 && fputc(c ^ 0x5a, f) != EOF;
    return fclose(f) == 0 && ok;
}

/* ---------------------------------------------------------------- tests */

TEST(help_lists_logs_and_recover)
{
    snprintf(g_dir, sizeof g_dir, "%s", bj_test_tmpdir());
    run_result r = run_tool("--help");
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "logs"));
    CHECK(has(r.out, "recover"));
    run_free(&r);
    r = run_tool("logs --help");
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "usage: bluejet logs"));
    CHECK(has(r.out, "--headers"));
    run_free(&r);
    r = run_tool("recover --help");
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "usage: bluejet recover"));
    run_free(&r);
    r = run_tool("logs '%s/nothing-here'", g_dir);
    CHECK_EQ(r.rc, 2);
    CHECK(has(r.err, "JET_errFileNotFound"));
    run_free(&r);
    r = run_tool("logs");
    CHECK_EQ(r.rc, 2);
    run_free(&r);
    r = run_tool("logs --base toolong '%s'", g_dir);
    CHECK_EQ(r.rc, 2);
    run_free(&r);
    r = run_tool("recover '%s/nothing-here'", g_dir);
    CHECK_EQ(r.rc, 2);
    run_free(&r);
}

TEST(logs_recover_header_after_a_crash)
{
    REQUIRE(make_crashed());
    char p[1200];

    /* the whole folder: every generation, records, the checkpoint, the summary */
    run_result r = run_tool("logs '%s'", g_dir);
    CHECK_EQ(r.rc, 0);
    snprintf(p, sizeof p, "Log file: %s/edb.log", g_dir);
    CHECK(has(r.out, p));
    snprintf(p, sizeof p, "Log file: %s/edb00000001.log", g_dir);
    CHECK(has(r.out, p)); /* 128 KiB files: the work spans several generations */
    CHECK(has(r.out, "lGeneration: 1 (0x1)"));
    CHECK(
        has(r.out,
            "00000001:0018:0020 INIT")); /* the first record: 12288 + 32 bytes (a segment header) */
    CHECK(has(r.out, " COMMIT0 "));
    CHECK(has(r.out, " PGOP"));
    CHECK(has(r.out, " ATTACH "));
    CHECK(has(r.out, "Checkpoint file:"));
    CHECK(has(r.out, "Summary: "));
    CHECK(has(r.out, "COMMIT0 "));
    if (r.rc != 0)
        fprintf(stderr, "%s", r.err);
    /* the committed transactions are all there: one COMMIT0 per row at least */
    const char *sum = strstr(r.out, "COMMIT0 ");
    const char *last = sum;
    while (last && (sum = strstr(last + 1, "COMMIT0 ")))
        last = sum;
    CHECK(last && strtoul(last + 8, NULL, 10) >= NROWS);
    run_free(&r);

    /* one file: edb.log alone */
    r = run_tool("logs '%s/edb.log'", g_dir);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "lGeneration:"));
    CHECK(has(r.out, "Records:"));
    CHECK(has(r.out, "Summary: 1 generation,"));
    run_free(&r);
    r = run_tool("logs '%s/edb00000001.log'", g_dir);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "00000001:0018:0020 INIT"));
    run_free(&r);
    r = run_tool("logs --headers '%s'", g_dir);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "lGeneration: 2 (0x2)"));
    CHECK(!has(r.out, "Records:"));
    CHECK(!has(r.out, "COMMIT0"));
    run_free(&r);
    r = run_tool("logs '%s/edb.chk'", g_dir);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "Checkpoint file:"));
    CHECK(has(r.out, "Checkpoint: (0x"));
    run_free(&r);

    /* the header of the crashed database */
    r = run_tool("header '%s'", g_db);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "State: Dirty Shutdown"));
    CHECK(has(r.out, "Log Required: 1-"));
    CHECK(has(r.out, "Log Signature: Create time:"));
    run_free(&r);
    JET_DBINFOMISC4 misc;
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateDirtyShutdown);

    /* recovery */
    r = run_tool("recover '%s'", g_dir);
    CHECK_EQ(r.rc, 0);
    if (r.rc != 0)
        fprintf(stderr, "recover:\n%s%s", r.out, r.err);
    CHECK(has(r.out, "before: Dirty Shutdown"));
    CHECK(has(r.out, "now Clean Shutdown"));
    CHECK(has(r.out, "Checkpoint: "));
    run_free(&r);
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateCleanShutdown);
    CHECK_EQ(misc.genMinRequired, 0u);
    CHECK(misc.lgposConsistent.lGeneration > 0);

    r = run_tool("check '%s'", g_db);
    CHECK_EQ(r.rc, 0);
    run_free(&r);
    r = run_tool("header '%s'", g_db);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, "State: Clean Shutdown"));
    CHECK(has(r.out, "Log Required: 0-0"));
    run_free(&r);
    /* a second recover finds nothing to do and succeeds */
    r = run_tool("recover '%s'", g_dir);
    CHECK_EQ(r.rc, 0);
    run_free(&r);

    /* the committed rows are there, the open transaction's are not */
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    REQUIRE(inst_open(&inst, &s) >= 0);
    CHECK_OK(JetAttachDatabase(s, g_db, 0));
    CHECK_OK(JetOpenDatabase(s, g_db, NULL, &db, 0));
    CHECK_OK(JetOpenTable(s, db, "t", NULL, 0, 0, &t));
    CHECK_OK(seek(s, t, 1));
    CHECK_OK(seek(s, t, NROWS));
    CHECK_ERR(seek(s, t, 1001), JET_errRecordNotFound);
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));

    /* the logs still dump after recovery and a clean restart */
    r = run_tool("logs '%s'", g_dir);
    CHECK_EQ(r.rc, 0);
    CHECK(has(r.out, " TERM "));
    run_free(&r);
}

TEST(corrupt_logs_are_log_file_corrupt)
{
    REQUIRE(make_crashed());
    char bad[1200], from[1200], sub[1200];

    /* a damaged header */
    snprintf(from, sizeof from, "%s/edb.log", g_dir);
    snprintf(bad, sizeof bad, "%s/damaged.log", g_dir);
    REQUIRE(copy_file(from, bad));
    REQUIRE(flip_byte(bad, 4));
    run_result r = run_tool("logs '%s'", bad);
    CHECK_EQ(r.rc, 1);
    CHECK(has(r.err, "JET_errLogFileCorrupt (-501)"));
    run_free(&r);
    r = run_tool("logs --headers '%s'", bad);
    CHECK_EQ(r.rc, 1);
    CHECK(has(r.err, "JET_errLogFileCorrupt"));
    run_free(&r);

    /* a bad segment in the middle of a finished generation, as a file and in a folder */
    snprintf(from, sizeof from, "%s/edb00000001.log", g_dir);
    snprintf(bad, sizeof bad, "%s/edb00000001.log.bad", g_dir);
    REQUIRE(copy_file(from, bad));
    snprintf(sub, sizeof sub, "%s/edb00000001.log", g_dir);
    REQUIRE(flip_byte(sub, 12288 + 4096 + 100));
    r = run_tool("logs '%s'", sub);
    CHECK_EQ(r.rc, 1);
    CHECK(has(r.err, "JET_errLogFileCorrupt (-501)"));
    run_free(&r);
    r = run_tool("logs '%s'", g_dir);
    CHECK_EQ(r.rc, 1);
    CHECK(has(r.err, "JET_errLogFileCorrupt"));
    run_free(&r);
    /* recovery refuses it too, with the same error, and leaves the database dirty */
    r = run_tool("recover '%s'", g_dir);
    CHECK_EQ(r.rc, 1);
    CHECK(has(r.err, "JET_errLogFileCorrupt"));
    run_free(&r);
    JET_DBINFOMISC4 misc;
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateDirtyShutdown);

    /* random damage anywhere in a log never crashes the dump */
    srand(7);
    for (int i = 0; i < 20; i++) {
        REQUIRE(copy_file(bad, sub));
        long off = rand() % (128 * 1024);
        REQUIRE(flip_byte(sub, off));
        r = run_tool("logs '%s'", sub);
        CHECK(r.rc == 0 || r.rc == 1);
        run_free(&r);
    }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
