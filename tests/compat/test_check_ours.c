/* test_check_ours.c: `bluejet check` on databases this engine writes through esent.h (create
 * database, tables with columns of several classes, unique / non-unique / primary indexes, a
 * deleted table whose space went back to the pool), at 4, 8, 16 and 32 KiB pages: every one must
 * check clean (exit 0, no fault). Records are not written yet (no JetUpdate on this branch), so
 * this covers the header, pages, trees and space of our own files.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "esent.h"
#include "testlib.h"

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

/* Runs `$BJ_TOOL check FILE`; returns the exit status, *pout = stdout (caller frees). */
static int run_check(const char *file, char **pout)
{
    const char *tool = getenv("BJ_TOOL");
    char cmd[8192], outPath[2048], errPath[2048];
    *pout = NULL;
    if (!tool) {
        bj_test_fail(__FILE__, __LINE__, "BJ_TOOL is not set");
        return -1;
    }
    snprintf(outPath, sizeof(outPath), "%s/check.out", bj_test_tmpdir());
    snprintf(errPath, sizeof(errPath), "%s/check.err", bj_test_tmpdir());
    snprintf(cmd, sizeof(cmd),
             "ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99:halt_on_error=1 timeout 120 "
             "'%s' check '%s' >'%s' 2>'%s'",
             tool, file, outPath, errPath);
    int st = system(cmd);
    *pout = slurp(outPath);
    char *err = slurp(errPath);
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error"))
        bj_test_fail(__FILE__, __LINE__, "sanitizer report from bluejet check:\n%s", err);
    free(err);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static JET_ERR add_column(JET_SESID ses, JET_TABLEID t, const char *name, JET_COLTYP coltyp,
                          JET_GRBIT grbit, uint32_t cbMax)
{
    JET_COLUMNDEF d = {0};
    JET_COLUMNID id;
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    d.grbit = grbit;
    d.cbMax = cbMax;
    d.cp = (coltyp == JET_coltypText || coltyp == JET_coltypLongText) ? 1252 : 0;
    return JetAddColumn(ses, t, name, &d, NULL, 0, &id);
}

static JET_ERR add_index(JET_SESID ses, JET_TABLEID t, const char *name, const char *key,
                         size_t cbKey, JET_GRBIT grbit)
{
    return JetCreateIndex(ses, t, name, grbit, key, (unsigned long)cbKey, 80);
}

static void build_and_check(uint32_t cbPage)
{
    JET_INSTANCE inst = 0;
    JET_SESID ses = 0;
    JET_DBID db = 0;
    char path[1024], name[32];
    snprintf(name, sizeof(name), "ours_%u.edb", cbPage);
    snprintf(path, sizeof(path), "%s/%s", bj_test_tmpdir(), name);
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL));
    CHECK_OK(JetCreateInstance(&inst, name));
    CHECK_OK(JetInit(&inst));
    CHECK_OK(JetBeginSession(inst, &ses, NULL, NULL));
    CHECK_OK(JetCreateDatabase(ses, path, NULL, &db, 0));
    for (int i = 0; i < 6; i++) {
        char tname[32];
        JET_TABLEID t;
        snprintf(tname, sizeof(tname), "table%d", i);
        CHECK_OK(JetCreateTable(ses, db, tname, i == 5 ? 40 : 1, 80, &t));
        CHECK_OK(add_column(ses, t, "id", JET_coltypLong, JET_bitColumnNotNULL, 0));
        CHECK_OK(add_column(ses, t, "stamp", JET_coltypLongLong, 0, 0));
        CHECK_OK(add_column(ses, t, "name", JET_coltypText, 0, 64));
        CHECK_OK(add_column(ses, t, "blob", JET_coltypLongBinary, 0, 0));
        CHECK_OK(add_column(ses, t, "tags", JET_coltypLong,
                            JET_bitColumnTagged | JET_bitColumnMultiValued, 0));
        static const char kId[] = "+id\0";
        static const char kStamp[] = "-stamp\0";
        static const char kName[] = "+name\0+id\0";
        if (i % 2 == 0)
            CHECK_OK(add_index(ses, t, "primary", kId, sizeof(kId), JET_bitIndexPrimary));
        CHECK_OK(add_index(ses, t, "byStamp", kStamp, sizeof(kStamp), 0));
        CHECK_OK(add_index(ses, t, "byName", kName, sizeof(kName), JET_bitIndexUnique));
        CHECK_OK(JetCloseTable(ses, t));
    }
    CHECK_OK(JetDeleteTable(ses, db, "table2")); /* its space goes back to the DB root */
    CHECK_OK(JetCloseDatabase(ses, db, 0));
    CHECK_OK(JetDetachDatabase(ses, path));
    CHECK_OK(JetEndSession(ses, 0));
    CHECK_OK(JetTerm(inst));

    char *out = NULL;
    int rc = run_check(path, &out);
    if (rc != 0 || getenv("BJ_CHECK_VERBOSE"))
        fprintf(stderr, "bluejet check on our %u-byte-page file:\n%s", cbPage, out ? out : "");
    CHECK_EQ(rc, 0);
    CHECK(out && strstr(out, "records checked: 0 faults") != NULL);
    free(out);
}

TEST(our_files_check_clean_4k)
{
    build_and_check(4096);
}

TEST(our_files_check_clean_8k)
{
    build_and_check(8192);
}

TEST(our_files_check_clean_16k)
{
    build_and_check(16384);
}

TEST(our_files_check_clean_32k)
{
    build_and_check(32768);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
