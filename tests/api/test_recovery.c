/* test_recovery.c: crash recovery through esent.h. A child process does committed and
 * uncommitted work and then dies without JetTerm (_exit: the process crash, every write it
 * made is in the file system); the parent's JetInit on the same folders replays the log and
 * must show exactly the committed work: inserts, replaces, deletes, escrow updates and long
 * values of unfinished transactions are gone, durable and lazily-flushed-then-waited commits
 * are there, and the database is CleanShutdown after recovery. Also: the log files ESE names,
 * and the header fields (dbstate, genMinRequired/genMaxRequired) while attached and after. */
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "esent.h"
#include "testlib.h"

#define C_ID 1
#define C_ESC 2
#define C_TXT 256

static char g_dir[1024], g_db[1100];

static JET_ERR inst_open(JET_INSTANCE *pinst, JET_SESID *ps)
{
    JET_ERR err;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/", g_dir);
    if ((err = JetCreateInstance(pinst, "rec")) < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, dir)) < 0 ||
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
    int32_t zero = 0;
    if (err >= 0)
        err = JetSetColumn(s, t, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_ESC, &zero, 4, 0, NULL);
    if (err >= 0 && txt)
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

static JET_ERR make_table(JET_SESID s, JET_DBID db, JET_TABLEID *pt)
{
    JET_ERR err = JetCreateTable(s, db, "t", 0, 100, pt);
    JET_COLUMNDEF cd = {sizeof(cd), 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnFixed};
    JET_COLUMNID col;
    if (err >= 0)
        err = JetAddColumn(s, *pt, "id", &cd, NULL, 0, &col);
    cd.grbit = JET_bitColumnEscrowUpdate;
    int32_t zero = 0;
    if (err >= 0)
        err = JetAddColumn(s, *pt, "esc", &cd, &zero, 4, &col);
    JET_COLUMNDEF lt = {sizeof(lt), 0, JET_coltypLongBinary, 0, 0, 0, 0, 0, JET_bitColumnTagged};
    if (err >= 0)
        err = JetAddColumn(s, *pt, "txt", &lt, NULL, 0, &col);
    if (err >= 0)
        err = JetCreateIndex(s, *pt, "pk", JET_bitIndexPrimary, "+id\0", 5, 100);
    return err;
}

/* The child: committed rows 1..100 (row 7 with a 20000-byte long value), then an open
 * transaction that inserts 101..150, replaces row 1's long value, deletes row 2 and adds 5 to
 * row 3's escrow column; a second session commits 200..209 lazily and waits for them. Exits
 * with the open transaction still open. */
static bool g_sleep_after_load; /* let the checkpoint thread move past the ATTACH record */

static int child_work(void)
{
    JET_INSTANCE inst;
    JET_SESID s, s2;
    JET_DBID db;
    JET_TABLEID t, t2;
    static char big[20000];
    memset(big, 'q', sizeof big);
    if (inst_open(&inst, &s) < 0 || JetCreateDatabase(s, g_db, NULL, &db, 0) < 0 ||
        JetBeginTransaction(s) < 0 || make_table(s, db, &t) < 0 ||
        JetCommitTransaction(s, 0) < 0)
        return 10;
    for (int32_t i = 1; i <= 100; i++) {
        if (JetBeginTransaction(s) < 0 ||
            ins(s, t, i, i == 7 ? big : "v", i == 7 ? sizeof big : 1) < 0 ||
            JetCommitTransaction(s, 0) < 0)
            return 11;
    }
    if (g_sleep_after_load) {
        struct timespec ts = {1, 600 * 1000 * 1000}; /* > the checkpoint thread's period */
        nanosleep(&ts, NULL);
    }
    if (JetBeginSession(inst, &s2, NULL, NULL) < 0 || JetOpenDatabase(s2, g_db, NULL, &db, 0) < 0 ||
        JetOpenTable(s2, db, "t", NULL, 0, 0, &t2) < 0)
        return 12;
    for (int32_t i = 200; i < 210; i++)
        if (JetBeginTransaction(s2) < 0 || ins(s2, t2, i, "lazy", 4) < 0 ||
            JetCommitTransaction(s2, JET_bitCommitLazyFlush) < 0)
            return 13;
    if (JetCommitTransaction2(s2, JET_bitWaitAllLevel0Commit, 0, NULL) < 0)
        return 14;
    if (JetBeginTransaction(s) < 0)
        return 15;
    for (int32_t i = 101; i <= 150; i++)
        if (ins(s, t, i, big, 3000) < 0)
            return 16;
    int32_t five = 5;
    if (seek(s, t, 1) < 0 || JetPrepareUpdate(s, t, JET_prepReplace) < 0 ||
        JetSetColumn(s, t, C_TXT, big, 9000, 0, NULL) < 0 || JetUpdate(s, t, NULL, 0, NULL) < 0 ||
        seek(s, t, 2) < 0 || JetDelete(s, t) < 0 || seek(s, t, 3) < 0 ||
        JetEscrowUpdate(s, t, C_ESC, &five, 4, NULL, 0, NULL, 0) < 0)
        return 17;
    /* make sure some of the uncommitted work reaches the log */
    if (JetCommitTransaction2(s2, JET_bitWaitAllLevel0Commit, 0, NULL) < 0)
        return 18;
    _exit(0); /* the crash: no rollback, no JetTerm */
}

static void run_child(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_work());
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void check_state(JET_SESID s, JET_TABLEID t)
{
    int32_t n = 0;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0)) {
        int32_t id = 0;
        uint32_t cb = 0;
        CHECK_OK(JetRetrieveColumn(s, t, C_ID, &id, 4, &cb, 0, NULL));
        CHECK((id >= 1 && id <= 100) || (id >= 200 && id < 210));
        n++;
    }
    CHECK_EQ(n, 110);
    uint32_t cb = 0;
    CHECK_OK(seek(s, t, 1));
    JetRetrieveColumn(s, t, C_TXT, NULL, 0, &cb, 0, NULL);
    CHECK_EQ(cb, 1u); /* the replace was undone */
    CHECK_OK(seek(s, t, 7));
    JetRetrieveColumn(s, t, C_TXT, NULL, 0, &cb, 0, NULL);
    CHECK_EQ(cb, 20000u);
    CHECK_OK(seek(s, t, 2)); /* the delete was undone */
    int32_t esc = -1;
    CHECK_OK(seek(s, t, 3));
    CHECK_OK(JetRetrieveColumn(s, t, C_ESC, &esc, 4, &cb, 0, NULL));
    CHECK_EQ(esc, 0); /* the escrow delta was undone */
    CHECK_ERR(seek(s, t, 101), JET_errRecordNotFound);
}

static bool exists(const char *name)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return access(p, F_OK) == 0;
}

TEST(crash_then_recover)
{
    snprintf(g_dir, sizeof g_dir, "%s", bj_test_tmpdir());
    snprintf(g_db, sizeof g_db, "%s/r.edb", g_dir);
    run_child();
    /* the files ESE names */
    CHECK(exists("edb.log"));
    CHECK(exists("edb.chk"));
    CHECK(exists("edbres00001.jrs"));
    JET_DBINFOMISC4 misc;
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateDirtyShutdown);
    CHECK(misc.genMinRequired >= 1);
    CHECK(misc.genMaxRequired >= misc.genMinRequired);
    fprintf(stderr, "gen min %u max %u\n", misc.genMinRequired, misc.genMaxRequired);
    CHECK_ERR(JetAttachDatabase(0, g_db, 0), JET_errInvalidSesid);

    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    REQUIRE(inst_open(&inst, &s) >= 0); /* recovery */
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateCleanShutdown);
    CHECK_EQ(misc.genMinRequired, 0u);
    CHECK_OK(JetAttachDatabase(s, g_db, 0));
    CHECK_OK(JetOpenDatabase(s, g_db, NULL, &db, 0));
    CHECK_OK(JetOpenTable(s, db, "t", NULL, 0, 0, &t));
    check_state(s, t);
    /* the recovered database takes new work */
    CHECK_OK(JetBeginTransaction(s));
    CHECK_OK(ins(s, t, 300, "new", 3));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateCleanShutdown);
    CHECK(misc.lgposConsistent.lGeneration > 0);

    /* a clean restart replays nothing and finds the same rows */
    REQUIRE(inst_open(&inst, &s) >= 0);
    CHECK_OK(JetAttachDatabase(s, g_db, 0));
    CHECK_OK(JetOpenDatabase(s, g_db, NULL, &db, 0));
    CHECK_OK(JetOpenTable(s, db, "t", NULL, 0, 0, &t));
    CHECK_OK(seek(s, t, 300));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
}

/* The checkpoint passes the ATTACH record before the crash: recovery finds the database in
 * the checkpoint file's list of attached databases. */
TEST(checkpoint_after_attach)
{
    snprintf(g_dir, sizeof g_dir, "%s", bj_test_tmpdir());
    snprintf(g_db, sizeof g_db, "%s/r.edb", g_dir);
    g_sleep_after_load = true;
    run_child();
    g_sleep_after_load = false;
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    REQUIRE(inst_open(&inst, &s) >= 0);
    JET_DBINFOMISC4 misc;
    CHECK_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, (uint32_t)JET_dbstateCleanShutdown);
    CHECK_OK(JetAttachDatabase(s, g_db, 0));
    CHECK_OK(JetOpenDatabase(s, g_db, NULL, &db, 0));
    CHECK_OK(JetOpenTable(s, db, "t", NULL, 0, 0, &t));
    check_state(s, t);
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
}

TEST(dirty_without_logs)
{
    snprintf(g_dir, sizeof g_dir, "%s", bj_test_tmpdir());
    snprintf(g_db, sizeof g_db, "%s/r.edb", g_dir);
    run_child();
    /* the logs and the checkpoint are lost: the database cannot be made consistent */
    char p[1200];
    static const char *const names[] = {"edb.log", "edb.chk"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, names[i]);
        CHECK(unlink(p) == 0);
    }
    for (uint32_t g = 1; g < 16; g++) {
        snprintf(p, sizeof p, "%s/edb%08X.log", g_dir, g);
        unlink(p);
    }
    JET_INSTANCE inst;
    JET_SESID s;
    REQUIRE(inst_open(&inst, &s) >= 0);
    CHECK_ERR(JetAttachDatabase(s, g_db, 0), JET_errDatabaseDirtyShutdown);
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
}

/* Counts the finished generations (edbXXXXXXXX.log) in g_dir. */
static int count_archives(void)
{
    int n = 0;
    char p[1200];
    for (uint32_t g = 1; g < 4096; g++) {
        snprintf(p, sizeof p, "%s/edb%08X.log", g_dir, g);
        n += access(p, F_OK) == 0;
    }
    return n;
}

/* Circular logging deletes generations behind the checkpoint, and only then; the checkpoint
 * advances while the engine runs (JET_paramCheckpointDepthMax makes it write pages). */
static void circular_case(bool fCircular)
{
    snprintf(g_dir, sizeof g_dir, "%s/%s", bj_test_tmpdir(), fCircular ? "c" : "n");
    REQUIRE(mkdir(g_dir, 0700) == 0);
    snprintf(g_db, sizeof g_db, "%s/r.edb", g_dir);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/", g_dir);
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    /* a small cache: the checkpoint depth is at least twice the dirty pages' bytes */
    JET_API_PTR cacheOld = 0;
    REQUIRE_OK(JetGetSystemParameter(0, 0, JET_paramCacheSizeMax, &cacheOld, NULL, 0));
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, 256, NULL));
    REQUIRE_OK(JetCreateInstance(&inst, "circ"));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, dir));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, dir));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 128, NULL));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramCircularLog, fCircular, NULL));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramCheckpointDepthMax, 1 << 20, NULL));
    REQUIRE_OK(JetInit(&inst));
    REQUIRE_OK(JetBeginSession(inst, &s, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(s, g_db, NULL, &db, 0));
    REQUIRE_OK(JetBeginTransaction(s));
    REQUIRE_OK(make_table(s, db, &t));
    REQUIRE_OK(JetCommitTransaction(s, 0));
    static char val[2000];
    memset(val, 'c', sizeof val);
    int32_t id = 1;
    const uint64_t t0 = (uint64_t)time(NULL);
    int maxArchives = 0;
    /* about 4 MB of log over more than two checkpoint periods */
    while ((uint64_t)time(NULL) < t0 + 3 || id < 2000) {
        CHECK_OK(JetBeginTransaction(s));
        CHECK_OK(ins(s, t, id++, val, sizeof val));
        CHECK_OK(JetCommitTransaction(s, JET_bitCommitLazyFlush));
        if (id % 200 == 0) {
            int n = count_archives();
            maxArchives = n > maxArchives ? n : maxArchives;
        }
        if (id > 20000)
            break;
    }
    CHECK_OK(JetCommitTransaction2(s, JET_bitWaitAllLevel0Commit, 0, NULL));
    int n = count_archives();
    char p1[1200];
    snprintf(p1, sizeof p1, "%s/edb00000001.log", g_dir);
    fprintf(stderr, "  %s: %d finished generations now, at most %d seen, %d rows\n",
            fCircular ? "circular" : "not circular", n, maxArchives, (int)id);
    if (fCircular) { /* the oldest generations went */
        CHECK(access(p1, F_OK) != 0);
        CHECK(n < maxArchives);
    }
    else /* every generation stays */
        CHECK(n >= 20 && n >= maxArchives);
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, cacheOld, NULL));
    if (!fCircular) {
        char p[1200];
        snprintf(p, sizeof p, "%s/edb00000001.log", g_dir);
        CHECK(access(p, F_OK) == 0);
    }
}

TEST(circular_logging)
{
    circular_case(true);
}

TEST(no_circular_logging_keeps_every_generation)
{
    circular_case(false);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
