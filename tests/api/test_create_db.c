/* test_create_db.c: JetCreateDatabase through esent.h: a new database of 4/8/16/32 KiB pages
 * is attached and open (JET_DBID), its header says DirtyShutdown while attached and
 * CleanShutdown after detach, it re-attaches with the system tables in place, a copy taken
 * while attached re-attaches with JET_errDatabaseDirtyShutdown; error codes (duplicate file,
 * attached file, missing folder, bad arguments); Debian's esedbinfo / esedbexport and
 * esechk.py accept the detached file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
} env;

static bool env_start(env *e, uint32_t cbPage)
{
    memset(e, 0, sizeof(*e));
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "createdb") < 0 || JetInit(&e->inst) < 0)
        return false;
    return JetBeginSession(e->inst, &e->ses, NULL, NULL) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

static uint32_t file_state(const char *path)
{
    unsigned char b[64] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(b, 1, sizeof(b), f);
    fclose(f);
    if (n < 56)
        return 0;
    return (uint32_t)b[52] | (uint32_t)b[53] << 8 | (uint32_t)b[54] << 16 | (uint32_t)b[55] << 24;
}

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    bool ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok;
}

static int run(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    return system(cmd);
}

static void create_cycle(uint32_t cbPage)
{
    env e;
    char path[1024], copy[1100];
    REQUIRE(env_start(&e, cbPage));
    snprintf(path, sizeof(path), "%s/new%u.edb", bj_test_tmpdir(), cbPage);
    snprintf(copy, sizeof(copy), "%s.crash", path);
    JET_DBID dbid = JET_dbidNil;
    REQUIRE_OK(JetCreateDatabase(e.ses, path, NULL, &dbid, 0));
    CHECK(dbid != JET_dbidNil);
    CHECK_EQ(file_state(path), 2); /* attached for writing: dirty */
    CHECK(copy_file(path, copy));
    /* the system tables are there (and open like any table) */
    JET_TABLEID t;
    CHECK_OK(JetOpenTable(e.ses, dbid, "MSysObjects", NULL, 0, 0, &t));
    CHECK_OK(JetCloseTable(e.ses, t));
    CHECK_ERR(JetOpenTable(e.ses, dbid, "NoSuchTable", NULL, 0, 0, &t), JET_errObjectNotFound);
    /* errors */
    JET_DBID d2;
    CHECK_ERR(JetCreateDatabase(e.ses, path, NULL, &d2, 0), JET_errDatabaseDuplicate);
    CHECK_ERR(JetCreateDatabase(e.ses, path, NULL, &d2, JET_bitDbOverwriteExisting),
              JET_errDatabaseDuplicate); /* attached */
    CHECK_ERR(JetDetachDatabase(e.ses, path), JET_errDatabaseInUse);
    CHECK_OK(JetCloseDatabase(e.ses, dbid, 0));
    CHECK_OK(JetDetachDatabase(e.ses, path));
    CHECK_EQ(file_state(path), 3); /* clean after detach */
    /* re-attach */
    CHECK_OK(JetAttachDatabase(e.ses, path, 0));
    CHECK_EQ(file_state(path), 2);
    CHECK_OK(JetOpenDatabase(e.ses, path, NULL, &dbid, 0));
    CHECK_OK(JetOpenTable(e.ses, dbid, "MSysObjectsShadow", NULL, 0, 0, &t));
    CHECK_OK(JetCloseTable(e.ses, t));
    CHECK_OK(JetCloseDatabase(e.ses, dbid, 0));
    CHECK_OK(JetDetachDatabase(e.ses, path));
    CHECK_EQ(file_state(path), 3);
    /* a copy taken while attached: dirty shutdown (no log to recover from) */
    CHECK_EQ(file_state(copy), 2);
    CHECK_ERR(JetAttachDatabase(e.ses, copy, 0), JET_errDatabaseDirtyShutdown);
    /* overwrite an existing (detached) file */
    CHECK_OK(JetCreateDatabase(e.ses, copy, NULL, &d2, JET_bitDbOverwriteExisting));
    CHECK_OK(JetCloseDatabase(e.ses, d2, 0));
    CHECK_OK(JetDetachDatabase(e.ses, copy));
    CHECK_EQ(file_state(copy), 3);
    env_stop(&e);

    /* independent readers */
    if (system("command -v esedbinfo >/dev/null 2>&1") == 0) {
        CHECK_EQ(run("esedbinfo '%s' > '%s.info' 2>&1", path, path), 0);
        CHECK_EQ(run("grep -q 'MSysObjectsShadow' '%s.info' && test -n '%s'", path, path), 0);
        CHECK_EQ(run("esedbexport -t '%s.x' '%s' >/dev/null 2>&1", path, path), 0);
    }
    if (bj_test_shared_dir())
        CHECK_EQ(
            run("python3 '%s/tools/esechk.py' '%s' >/dev/null 2>&1", bj_test_shared_dir(), path),
            0);
}

TEST(create_4k)
{
    create_cycle(4096);
}
TEST(create_8k)
{
    create_cycle(8192);
}
TEST(create_16k)
{
    create_cycle(16384);
}
TEST(create_32k)
{
    create_cycle(32768);
}

TEST(create_errors)
{
    env e;
    REQUIRE(env_start(&e, 8192));
    JET_DBID dbid;
    char path[1024];
    snprintf(path, sizeof(path), "%s/no/such/folder/x.edb", bj_test_tmpdir());
    CHECK_ERR(JetCreateDatabase(e.ses, path, NULL, &dbid, 0), JET_errInvalidPath);
    CHECK_ERR(JetCreateDatabase(e.ses, NULL, NULL, &dbid, 0), JET_errInvalidParameter);
    CHECK_ERR(JetCreateDatabase(e.ses, "", NULL, &dbid, 0), JET_errInvalidParameter);
    snprintf(path, sizeof(path), "%s/x.edb", bj_test_tmpdir());
    CHECK_ERR(JetCreateDatabase(e.ses, path, NULL, NULL, 0), JET_errInvalidParameter);
    CHECK_ERR(JetCreateDatabase(0, path, NULL, &dbid, 0), JET_errInvalidSesid);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
