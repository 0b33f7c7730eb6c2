/* test_export.c: `bluejet export` on the Windows-written databases (../shared/data/edb, read
 * only): exit status, one CSV per table, records per table (counted with an RFC 4180 parser, so
 * values holding newlines count once) equal to README.md's counts, known values, stdout output
 * for one table, --help and errors. The tool binary comes from BJ_TOOL (CTest). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "common/common.h"
#include "testlib.h"

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *pcb)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    fclose(f);
    p[got] = 0;
    if (pcb)
        *pcb = got;
    return p;
}

/* RFC 4180 records (CRLF-terminated, quotes may hold CR/LF): returns the count, -1 if bad. */
static long csv_records(const char *p, size_t cb)
{
    long n = 0;
    bool q = false;
    for (size_t i = 0; i < cb; i++) {
        if (p[i] == '"') {
            q = !q; /* a doubled quote toggles twice */
        } else if (!q && p[i] == '\r') {
            if (i + 1 >= cb || p[i + 1] != '\n')
                return -1;
            n++;
            i++;
        }
    }
    return q ? -1 : n;
}

typedef struct want {
    const char *table;
    long rows;
} want;

static void export_file(const char *file, const want *w, size_t cw, size_t ctables)
{
    const char *tool = getenv("BJ_TOOL"), *shared = bj_test_shared_dir();
    if (!tool || !shared)
        return;
    char out[1024], log[1100], path[1200];
    snprintf(out, sizeof out, "%s/out", bj_test_tmpdir());
    snprintf(log, sizeof log, "%s/log.txt", bj_test_tmpdir());
    CHECK_EQ(run("'%s' export '%s/data/edb/%s' --out '%s' 2>'%s'", tool, shared, file, out, log),
             0);
    char *sum = slurp(log, NULL);
    REQUIRE(sum != NULL);
    size_t lines = 0;
    for (char *s = sum; *s; s++)
        lines += *s == '\n';
    CHECK_EQ(lines, ctables);
    for (size_t i = 0; i < cw; i++) {
        snprintf(path, sizeof path, "%s/%s.csv", out, w[i].table);
        size_t cb = 0;
        char *csv = slurp(path, &cb);
        if (!csv) {
            bj_test_fail(__FILE__, __LINE__, "%s: no CSV", w[i].table);
            continue;
        }
        long n = csv_records(csv, cb);
        if (n - 1 != w[i].rows)
            bj_test_fail(__FILE__, __LINE__, "%s: %ld records, want %ld", w[i].table, n - 1,
                         w[i].rows);
        char line[200];
        snprintf(line, sizeof line, "%s: %ld rows\n", w[i].table, w[i].rows);
        if (!strstr(sum, line))
            bj_test_fail(__FILE__, __LINE__, "summary lacks '%s'", w[i].table);
        free(csv);
    }
    free(sum);
}

TEST(export_srudb)
{
    static const want w[] = {{"MSysObjects", 161},
                             {"MSysObjectsShadow", 161},
                             {"MSysObjids", 28},
                             {"MSysLocales", 7},
                             {"SruDbIdMapTable", 106},
                             {"SruDbCheckpointTable", 0},
                             {"{17F4D97B-F26A-5E79-3A82-90040A47D13D}", 6},
                             {"{841A7317-3805-518B-C2EA-AD224CB4AF84}", 3},
                             {"{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", 203},
                             {"{DC3D3B50-BB90-5066-FA4E-A5F90DD8B677}", 3},
                             {"{DD6636C4-8929-4683-974E-22C046A43763}", 3},
                             {"{EEE2F477-0659-5C47-EF03-6D6BEFD441B3}", 2}};
    export_file("SRUDB_win_rev14_4k.dat", w, BJ_ARRAY_LEN(w), 12);
}

TEST(export_catalog1)
{
    static const want w[] = {{"MSysObjects", 128}, {"MSysObjectsShadow", 0}, {"MSysObjids", 26},
                             {"MSysLocales", 8},   {"namespace", 1373},      {"string", 994},
                             {"file", 912},        {"backupset", 150},       {"global", 20},
                             {"library", 14}};
    export_file("Catalog1_rev14_4k.edb", w, BJ_ARRAY_LEN(w), 10);
}

TEST(export_webcache)
{
    static const want w[] = {{"MSysObjects", 841},
                             {"MSysObjectsShadow", 841},
                             {"MSysObjids", 85},
                             {"Containers", 19},
                             {"Container_21", 339}};
    export_file("WebCacheV01_rev6e_32k.dat", w, BJ_ARRAY_LEN(w), 46);
}

TEST(export_one_table_stdout)
{
    const char *tool = getenv("BJ_TOOL"), *shared = bj_test_shared_dir();
    if (!tool || !shared)
        return;
    char out[1024];
    snprintf(out, sizeof out, "%s/global.csv", bj_test_tmpdir());
    CHECK_EQ(run("'%s' export '%s/data/edb/Catalog1_rev14_4k.edb' global >'%s' 2>/dev/null", tool,
                 shared, out),
             0);
    size_t cb;
    char *csv = slurp(out, &cb);
    REQUIRE(csv != NULL);
    /* values checked against esedbexport -t (libesedb 20181229) output */
    CHECK(strncmp(csv, "id,key,value\r\n26,FirstBackupTime,91298845d7bece01\r\n", 50) == 0);
    CHECK_EQ(csv_records(csv, cb), 21);
    free(csv);
    /* a value with a comma is quoted (string table, id 305) */
    snprintf(out, sizeof out, "%s/string.csv", bj_test_tmpdir());
    CHECK_EQ(run("'%s' export '%s/data/edb/Catalog1_rev14_4k.edb' string >'%s' 2>/dev/null", tool,
                 shared, out),
             0);
    csv = slurp(out, &cb);
    REQUIRE(csv != NULL);
    CHECK(strstr(csv, "\r\n305,\"Asgard Venture Capital, Inc. Team Site - Home.url\"\r\n") != NULL);
    free(csv);
}

TEST(export_help_and_errors)
{
    const char *tool = getenv("BJ_TOOL"), *shared = bj_test_shared_dir();
    if (!tool || !shared)
        return;
    CHECK_EQ(run("'%s' export --help >/dev/null", tool), 0);
    CHECK_EQ(run("'%s' export >/dev/null 2>&1", tool), 2);
    CHECK_EQ(run("'%s' export /nonexistent/x.edb >/dev/null 2>&1", tool), 2);
    CHECK_EQ(run("'%s' export '%s/data/edb/Catalog1_rev14_4k.edb' nosuchtable >/dev/null 2>&1",
                 tool, shared),
             2);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
