/* test_restore_basic.c: hard restore that works (ese-backup-spec.md §2.12, §2.13, §7, §8 item
 * 13): JetExternalRestore of a backup set to another path (JET_RSTMAP), the database clean
 * with every backup record zeroed and every committed row there; JetRestore2 into szDest and
 * JetRestoreInstance; roll-forward with later logs in the log folder; an image taken while a
 * writer commits holds every row committed before the backup began and no torn state, and
 * passes `bluejet check`; a retry after the trailer was merged; progress callbacks; JetInit
 * continuing the restored stream. Backup sets are made by bk_fakeimage.c. */
#include <pthread.h>
#include <stdatomic.h>

#include "inst/restore.h"
#include "recovery/rst_check.h"
#include "rst_env.h"

static JET_ERR ext_restore(rst_env *e, const char *szTo, uint32_t lo, uint32_t hi)
{
    JET_RSTMAP map = {e->db, (char *)szTo};
    char log[1100];
    snprintf(log, sizeof log, "%s/", e->rst);
    return JetExternalRestore(log, log, &map, 1, e->bak, (int32_t)lo, (int32_t)hi, NULL);
}

static void check_restored(rst_env *e, const char *path, int32_t nrows)
{
    uint32_t state = 0, c = 0;
    bool fBkZero = false, fOk = false;
    static bool rgf[100000];
    CHECK_OK(db_state(path, &state, &fBkZero));
    CHECK_EQ(state, JET_dbstateCleanShutdown);
    CHECK(fBkZero);
    CHECK(tool_check(path));
    memset(rgf, 0, sizeof rgf);
    CHECK_OK(db_rows(e->rst, path, &c, rgf, 100000, &fOk));
    CHECK_EQ(c, (uint32_t)nrows);
    CHECK(fOk);
    for (int32_t i = 1; i <= nrows && i < 100000; i++)
        if (!rgf[i]) {
            bj_test_fail(__FILE__, __LINE__, "row %d missing", i);
            break;
        }
}

TEST(external_restore_remapped)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 200));
    const char *dbs[] = {e.db};
    uint32_t lo = 0, hi = 0;
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, false, &lo, &hi));
    CHECK(lo >= 1 && hi >= lo);
    env_close(&e);
    /* the image goes to another folder and name; the log and checkpoint to e.rst */
    char img[1100], to[1100];
    snprintf(img, sizeof img, "%s/test.edb", e.bak);
    snprintf(to, sizeof to, "%s/moved.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, to));
    CHECK_OK(ext_restore(&e, to, lo, hi));
    check_restored(&e, to, 200);
    /* the source database was not touched by the restore */
    uint32_t state = 0;
    bool fZero;
    CHECK_OK(db_state(e.db, &state, &fZero));
    CHECK_EQ(state, JET_dbstateCleanShutdown);
    /* a retry after the trailer was merged (a restore that failed after step 3) is
     * accepted; genLow/genHigh 0 are taken from the backup folder */
    strcat(e.rst, "r");
    mkdir(e.rst, 0755);
    snprintf(to, sizeof to, "%s/again.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, to));
    bj_signature signLog, signDb;
    bj_log_hdr h;
    char lg[1200];
    snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, lo);
    REQUIRE_OK(bj_log_read_header(bj_os_posix(), lg, &h));
    signLog = h.signLog;
    CHECK_OK(bj_rst_check_image(bj_os_posix(), to, &signLog, lo, hi, false, &signDb));
    CHECK_OK(ext_restore(&e, to, 0, 0));
    check_restored(&e, to, 200);
}

static int g_status_calls, g_status_begin, g_status_complete, g_status_bad;

static JET_ERR JET_API status_cb(JET_SESID s, JET_SNP snp, JET_SNT snt, void *pv)
{
    (void)s;
    g_status_calls++;
    if (snp != JET_snpRestore)
        g_status_bad++;
    if (snt == JET_sntBegin)
        g_status_begin++;
    if (snt == JET_sntComplete)
        g_status_complete++;
    if (snt == JET_sntProgress) {
        const JET_SNPROG *p = pv;
        if (!p || p->cbStruct != sizeof *p || p->cunitTotal != 100 || p->cunitDone > 100)
            g_status_bad++;
    }
    return JET_errSuccess;
}

TEST(jetrestore2_into_dest)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 150));
    const char *dbs[] = {e.db};
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, true, NULL, NULL));
    env_close(&e);
    /* the temporary instance takes the process's parameters: its log goes to e.rst */
    char log[1100];
    snprintf(log, sizeof log, "%s/", e.rst);
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramLogFilePath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramSystemPath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramLogFileSize, 256, NULL));
    char dest[1100], to[1200];
    snprintf(dest, sizeof dest, "%s/dest", e.rst);
    g_status_calls = g_status_begin = g_status_complete = g_status_bad = 0;
    CHECK_OK(JetRestore2(e.bak, dest, status_cb));
    CHECK(g_status_begin == 1 && g_status_complete == 1 && g_status_bad == 0);
    CHECK(g_status_calls >= 3);
    snprintf(to, sizeof to, "%s/test.edb", dest);
    check_restored(&e, to, 150);
    /* no mode is left set: a multi-instance call works */
    JET_INSTANCE i = 0;
    CHECK_OK(JetCreateInstance(&i, "after"));
    CHECK_OK(JetTerm(i));
    /* the process defaults back */
    JetSetSystemParameter(NULL, 0, JET_paramLogFilePath, 0, ".\\");
    JetSetSystemParameter(NULL, 0, JET_paramSystemPath, 0, ".\\");
}

TEST(jetrestoreinstance_and_init_after)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 120));
    const char *dbs[] = {e.db};
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, true, NULL, NULL));
    env_close(&e);
    JET_INSTANCE inst = 0;
    char log[1100], dest[1100], to[1200];
    snprintf(log, sizeof log, "%s/", e.rst);
    snprintf(dest, sizeof dest, "%s/d2", e.rst);
    REQUIRE_OK(JetCreateInstance(&inst, "rstinst"));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 256, NULL));
    CHECK_OK(JetRestoreInstance(inst, e.bak, dest, NULL));
    /* left not initialized: JetInit continues the stream in the log folder */
    CHECK_OK(JetInit(&inst));
    JET_SESID s;
    JET_DBID db;
    snprintf(to, sizeof to, "%s/test.edb", dest);
    CHECK_OK(JetBeginSession(inst, &s, NULL, NULL));
    CHECK_OK(JetAttachDatabase(s, to, 0));
    CHECK_OK(JetOpenDatabase(s, to, NULL, &db, 0));
    JET_TABLEID t;
    CHECK_OK(JetOpenTable(s, db, "t", NULL, 0, 0, &t));
    int32_t n = 0;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0))
        n++;
    CHECK_EQ(n, 120);
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    /* a restore on an initialized instance */
    JET_INSTANCE i2 = 0;
    REQUIRE_OK(inst_start(e.rst, &i2));
    CHECK_ERR(JetRestoreInstance(i2, e.bak, dest, NULL), JET_errAlreadyInitialized);
    JetTerm(i2);
}

TEST(roll_forward_replays_later_logs)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 100));
    const char *dbs[] = {e.db};
    uint32_t lo = 0, hi = 0;
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, false, &lo, &hi));
    /* after the backup: more rows, over several generations */
    REQUIRE_OK(rows_insert(&e, 101, 300));
    REQUIRE_OK(bk_fake_roll(e.inst));
    REQUIRE_OK(rows_insert(&e, 301, 400));
    env_close(&e);
    /* the log folder of the restore holds the source's later generations */
    REQUIRE_OK(copy_logs_after(e.src, e.rst, hi));
    char img[1100], to[1100];
    snprintf(img, sizeof img, "%s/test.edb", e.bak);
    snprintf(to, sizeof to, "%s/rf.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, to));
    CHECK_OK(ext_restore(&e, to, lo, hi));
    check_restored(&e, to, 400);
}

TEST(chain_of_backup_folders)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 100));
    const char *dbs[] = {e.db};
    uint32_t lo = 0, hi = 0, g = 0;
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, false, &lo, &hi));
    /* an "incremental": the generations after the full, in a folder of their own */
    REQUIRE_OK(rows_insert(&e, 101, 250));
    REQUIRE_OK(bk_fake_roll(e.inst));
    REQUIRE_OK(bk_fake_log_position(e.inst, &g, NULL));
    env_close(&e);
    char inc[1100], a[1200], b[1200];
    snprintf(inc, sizeof inc, "%s/inc", e.rst);
    mkdir(inc, 0755);
    for (uint32_t i = hi + 1; i < g; i++) {
        snprintf(a, sizeof a, "%s/edb%08X.log", e.src, i);
        snprintf(b, sizeof b, "%s/edb%08X.log", inc, i);
        REQUIRE_OK(bk_copy_file(a, b));
    }
    char img[1100], to[1100], log[1000];
    snprintf(img, sizeof img, "%s/test.edb", e.bak);
    snprintf(to, sizeof to, "%s/chain.edb", e.rst);
    snprintf(log, sizeof log, "%s/", e.rst);
    REQUIRE_OK(bk_copy_file(img, to));
    const char *more[] = {inc};
    bj_restore_map map = {e.db, to};
    bj_restore_result res;
    bj_restore_params p = {.szBackupPath = e.bak,
                           .rgszMoreBackupPaths = more,
                           .cMoreBackupPaths = 1,
                           .rgmap = &map,
                           .cmap = 1,
                           .szLogPath = log,
                           .szSystemPath = log,
                           .presult = &res};
    CHECK_OK(bj_restore_run(&p));
    CHECK_EQ(res.genLow, lo);
    CHECK_EQ(res.genHigh, g - 1);
    CHECK_EQ(res.cdb, 1u);
    check_restored(&e, to, 250);
}

TEST(jetrestore_finds_the_set_in_new)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 60));
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/new", e.bak);
    mkdir(e.bak, 0755);
    const char *dbs[] = {e.db};
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, sub, true, NULL, NULL));
    env_close(&e);
    JET_INSTANCE inst = 0;
    char log[1000], dest[1100], to[1200];
    snprintf(log, sizeof log, "%s/", e.rst);
    snprintf(dest, sizeof dest, "%s/d3", e.rst);
    REQUIRE_OK(JetCreateInstance(&inst, "rstnew"));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, log));
    CHECK_OK(JetRestoreInstance(inst, e.bak, dest, NULL));
    CHECK_OK(JetTerm(inst));
    snprintf(to, sizeof to, "%s/test.edb", dest);
    check_restored(&e, to, 60);
}

/* ---- an image taken while a writer commits ---- */

typedef struct writer {
    rst_env *e;
    atomic_int next;      /* the id the writer inserts next */
    atomic_bool fStop;
    JET_ERR err;
} writer;

static void *writer_main(void *pv)
{
    writer *w = pv;
    rst_env *e = w->e;
    JET_SESID s;
    JET_DBID db;
    rst_env mine = *e;
    if ((w->err = JetBeginSession(e->inst, &s, NULL, NULL)) < 0 ||
        (w->err = JetOpenDatabase(s, e->db, NULL, &db, 0)) < 0 ||
        (w->err = JetOpenTable(s, db, "t", NULL, 0, 0, &mine.tbl)) < 0)
        return NULL;
    mine.ses = s;
    while (!atomic_load(&w->fStop)) {
        int32_t id = atomic_load(&w->next);
        if ((w->err = row_insert(&mine, id, id * 3)) < 0)
            break;
        atomic_store(&w->next, id + 1);
    }
    JetCloseTable(s, mine.tbl);
    JetEndSession(s, 0);
    return NULL;
}

TEST(image_under_concurrent_writes)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 50));
    writer w = {&e, 51, false, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, writer_main, &w) == 0);
    while (atomic_load(&w.next) < 400)
        usleep(1000);
    const int32_t committedBefore = atomic_load(&w.next) - 1; /* committed when backup began */
    const char *dbs[] = {e.db};
    uint32_t lo = 0, hi = 0;
    JET_ERR errBk = bk_fake_backup(e.inst, dbs, 1, e.bak, false, &lo, &hi);
    atomic_store(&w.fStop, true);
    pthread_join(th, NULL);
    REQUIRE_OK(errBk);
    CHECK_OK(w.err);
    const int32_t last = atomic_load(&w.next) - 1;
    env_close(&e);
    char img[1100], to[1100];
    snprintf(img, sizeof img, "%s/test.edb", e.bak);
    snprintf(to, sizeof to, "%s/cw.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, to));
    CHECK_OK(ext_restore(&e, to, lo, hi));
    uint32_t state = 0, c = 0;
    bool fBkZero = false, fOk = false;
    static bool rgf[100000];
    CHECK_OK(db_state(to, &state, &fBkZero));
    CHECK_EQ(state, JET_dbstateCleanShutdown);
    CHECK(fBkZero);
    CHECK(tool_check(to));
    CHECK_OK(db_rows(e.rst, to, &c, rgf, 100000, &fOk));
    CHECK(fOk);
    /* every row committed before the backup began; the rows are a prefix 1..c (a writer
     * commits in order: no hole, nothing beyond what was committed) */
    CHECK(c >= (uint32_t)committedBefore);
    CHECK(c <= (uint32_t)last);
    for (uint32_t i = 1; i <= c && i < 100000; i++)
        if (!rgf[i]) {
            bj_test_fail(__FILE__, __LINE__, "row %u missing (c = %u)", i, c);
            break;
        }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
