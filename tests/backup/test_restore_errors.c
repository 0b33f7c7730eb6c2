/* test_restore_errors.c: every restore negative of ese-backup-spec.md §8 item 12 and §7: a
 * database that is not a backup image (-615), a trailer that does not match (-552), a set
 * starting after the image's first log (-554) or ending before its last (-553), a missing log
 * in the set (-557), a log of another stream in the set (-555), a broken tmPrevGen chain
 * (-556), a log folder with another stream's log (-610) or a gap after the set (-565), no
 * .pat for JetRestore (-538), restore on an initialized instance (-1030), JetExternalRestore in
 * one-instance mode (-1080), calls on a restoring instance (-506), soft recovery of an image
 * (-544), and the argument checks of §2.13. After each failure a correct restore of the same
 * files still works where the failure happened before anything was changed. */
#include <fcntl.h>

#include "backup/bk_trailer.h"
#include "log/log_int.h"
#include "recovery/rst_check.h"
#include "rst_env.h"

/* One backup set (made once): rows 1..100, a set of >= 2 generations, then rows 101..200
 * and a roll in the source's log folder. */
static rst_env g_e;
static uint32_t g_lo, g_hi;
static char g_readyIn[1024]; /* the scratch folder it was made in (one per test) */

static void fixture(void)
{
    if (strcmp(g_readyIn, bj_test_tmpdir()) == 0)
        return;
    env_dirs(&g_e);
    REQUIRE_OK(env_open(&g_e, 100));
    REQUIRE_OK(bk_fake_roll(g_e.inst));
    const char *dbs[] = {g_e.db};
    bk_fake_roll_first = true;
    JET_ERR err = bk_fake_backup(g_e.inst, dbs, 1, g_e.bak, false, &g_lo, &g_hi);
    bk_fake_roll_first = false;
    REQUIRE_OK(err);
    REQUIRE(g_lo >= 1 && g_hi >= g_lo + 1);
    REQUIRE_OK(rows_insert(&g_e, 101, 200));
    REQUIRE_OK(bk_fake_roll(g_e.inst));
    env_close(&g_e);
    snprintf(g_readyIn, sizeof g_readyIn, "%s", bj_test_tmpdir());
}

/* A fresh restore folder with the image at <rst>/img.edb and a copy of the backup set at
 * <rst>/bak; returns the image path in img. */
static void scratch(rst_env *e, char *img, size_t cb)
{
    fixture();
    env_dirs(e);
    strcpy(e->db, g_e.db);
    snprintf(e->bak, sizeof e->bak, "%s/bak", e->rst);
    mkdir(e->bak, 0755);
    char a[1200], b[1200];
    for (uint32_t g = g_lo; g <= g_hi; g++) {
        snprintf(a, sizeof a, "%s/edb%08X.log", g_e.bak, g);
        snprintf(b, sizeof b, "%s/edb%08X.log", e->bak, g);
        REQUIRE_OK(bk_copy_file(a, b));
    }
    snprintf(a, sizeof a, "%s/test.edb", g_e.bak);
    snprintf(img, cb, "%s/img.edb", e->rst);
    REQUIRE_OK(bk_copy_file(a, img));
}

static JET_ERR ext(rst_env *e, const char *img, int32_t lo, int32_t hi)
{
    JET_RSTMAP map = {e->db, (char *)img};
    char log[1100];
    snprintf(log, sizeof log, "%s/", e->rst);
    return JetExternalRestore(log, log, &map, 1, e->bak, lo, hi, NULL);
}

/* Rewrites the image's trailer through fn. */
static void edit_trailer(const char *img, void (*fn)(bj_bk_trailer *))
{
    const uint32_t cbPage = 8192;
    static uint8_t pg[8192];
    int fd = open(img, O_RDWR);
    REQUIRE(fd >= 0);
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0);
    const uint32_t pgnoLast = (uint32_t)(st.st_size / cbPage) - 3;
    REQUIRE(pread(fd, pg, cbPage, st.st_size - cbPage) == (ssize_t)cbPage);
    bj_bk_trailer t;
    REQUIRE_OK(bj_bk_trailer_decode(pg, cbPage, pgnoLast, &t));
    fn(&t);
    bj_bk_trailer_encode(&t, pgnoLast, pg, cbPage);
    REQUIRE(pwrite(fd, pg, cbPage, st.st_size - cbPage) == (ssize_t)cbPage);
    close(fd);
}

TEST(good_restore_of_the_fixture)
{
    rst_env e;
    char img[1100];
    scratch(&e, img, sizeof img);
    CHECK_OK(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi));
    uint32_t c = 0;
    bool fOk = false;
    static bool rgf[1000];
    CHECK_OK(db_rows(e.rst, img, &c, rgf, 1000, &fOk));
    CHECK_EQ(c, 100u);
    CHECK(tool_check(img));
}

TEST(not_a_backup_image_615)
{
    rst_env e;
    char img[1100];
    scratch(&e, img, sizeof img);
    REQUIRE_OK(bk_copy_file(g_e.db, img)); /* the live database, cleanly shut down */
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errRestoreOfNonBackupDatabase);
}

static void mark_off(bj_bk_trailer *t)
{
    t->bkinfo.lgposMark.ib ^= 1;
}

TEST(trailer_mismatch_552)
{
    rst_env e;
    char img[1100];
    scratch(&e, img, sizeof img);
    edit_trailer(img, mark_off);
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errDatabasePatchFileMismatch);
    /* a trailer whose checksum fails */
    scratch(&e, img, sizeof img);
    int fd = open(img, O_RDWR);
    struct stat st;
    REQUIRE(fd >= 0 && fstat(fd, &st) == 0);
    uint8_t b = 0x5a;
    REQUIRE(pwrite(fd, &b, 1, st.st_size - 100) == 1);
    close(fd);
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errDatabasePatchFileMismatch);
    /* the image unchanged by the failures: a correct one still restores */
    scratch(&e, img, sizeof img);
    CHECK_OK(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi));
}

TEST(range_554_553)
{
    rst_env e;
    char img[1100];
    scratch(&e, img, sizeof img);
    /* the set starts after the image's first log */
    CHECK_ERR(ext(&e, img, (int32_t)g_lo + 1, (int32_t)g_hi), JET_errStartingRestoreLogTooHigh);
    /* the set ends before the image's last log */
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi - 1), JET_errEndingRestoreLogTooLow);
    /* neither changed the image */
    CHECK_OK(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi));
}

TEST(missing_log_in_set_557)
{
    rst_env e;
    char img[1100], lg[1200];
    scratch(&e, img, sizeof img);
    snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, g_hi);
    REQUIRE(unlink(lg) == 0);
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errMissingRestoreLogFiles);
    /* no log at all in the backup folder, range asked from it */
    for (uint32_t g = g_lo; g < g_hi; g++) {
        snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, g);
        unlink(lg);
    }
    CHECK_ERR(ext(&e, img, 0, 0), JET_errFileNotFound);
}

/* A log folder of another stream with generations up to at least gen. */
static void other_stream(char *dir, size_t cb, uint32_t gen)
{
    static char s_dir[1000];
    static uint32_t s_gen;
    static char s_in[1024];
    if (strcmp(s_in, bj_test_tmpdir()) != 0 || s_gen < gen) {
        snprintf(s_in, sizeof s_in, "%s", bj_test_tmpdir());
        snprintf(s_dir, sizeof s_dir, "%s/other", bj_test_tmpdir());
        JET_INSTANCE inst;
        REQUIRE_OK(inst_start(s_dir, &inst));
        uint32_t g = 0;
        do {
            REQUIRE_OK(bk_fake_roll(inst));
            REQUIRE_OK(bk_fake_log_position(inst, &g, NULL));
        } while (g <= gen + 2);
        JetTerm(inst);
        s_gen = g - 1;
    }
    snprintf(dir, cb, "%s", s_dir);
}

TEST(log_of_another_stream_555_610)
{
    rst_env e;
    char img[1100], other[1100], a[1200], b[1200];
    scratch(&e, img, sizeof img);
    other_stream(other, sizeof other, g_hi + 1);
    snprintf(a, sizeof a, "%s/edb%08X.log", other, g_hi);
    snprintf(b, sizeof b, "%s/edb%08X.log", e.bak, g_hi);
    REQUIRE_OK(bk_copy_file(a, b));
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errGivenLogFileHasBadSignature);
    /* the set is good, the log folder holds a generation of another stream */
    scratch(&e, img, sizeof img);
    snprintf(a, sizeof a, "%s/edb%08X.log", other, g_hi + 1);
    snprintf(b, sizeof b, "%s/edb%08X.log", e.rst, g_hi + 1);
    REQUIRE_OK(bk_copy_file(a, b));
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errExistingLogFileHasBadSignature);
}

TEST(broken_chain_556)
{
    rst_env e;
    char img[1100], lg[1200];
    scratch(&e, img, sizeof img);
    snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, g_hi);
    static uint8_t area[BJ_LOG_CB_HDRAREA];
    int fd = open(lg, O_RDWR);
    REQUIRE(fd >= 0);
    REQUIRE(pread(fd, area, sizeof area, 0) == (ssize_t)sizeof area);
    bj_log_hdr h;
    REQUIRE_OK(bj_log_hdr_decode(area, sizeof area, &h));
    h.tmPrevGen.sec = (uint8_t)((h.tmPrevGen.sec + 1) % 60);
    bj_log_hdr_encode(&h, area);
    REQUIRE(pwrite(fd, area, sizeof area, 0) == (ssize_t)sizeof area);
    close(fd);
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errGivenLogFileIsNotContiguous);
}

TEST(gap_after_the_set_565)
{
    rst_env e;
    char img[1100], a[1200], b[1200];
    scratch(&e, img, sizeof img);
    /* the source's generation hi + 2 without hi + 1 */
    snprintf(a, sizeof a, "%s/edb%08X.log", g_e.src, g_hi + 2);
    snprintf(b, sizeof b, "%s/edb%08X.log", e.rst, g_hi + 2);
    REQUIRE_OK(bk_copy_file(a, b));
    CHECK_ERR(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi), JET_errMissingCurrentLogFiles);
    /* with hi + 1 too: roll-forward replays rows 101..200 */
    snprintf(a, sizeof a, "%s/edb%08X.log", g_e.src, g_hi + 1);
    snprintf(b, sizeof b, "%s/edb%08X.log", e.rst, g_hi + 1);
    REQUIRE_OK(bk_copy_file(a, b));
    CHECK_OK(ext(&e, img, (int32_t)g_lo, (int32_t)g_hi));
    uint32_t c = 0;
    bool fOk = false;
    static bool rgf[1000];
    CHECK_OK(db_rows(e.rst, img, &c, rgf, 1000, &fOk));
    CHECK_EQ(c, 200u);
}

TEST(jetrestore_without_pat_538)
{
    rst_env e;
    char img[1100], log[1100];
    scratch(&e, img, sizeof img);
    snprintf(log, sizeof log, "%s/", e.rst);
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramLogFilePath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramSystemPath, 0, log));
    CHECK_ERR(JetRestore(e.bak, NULL), JET_errPatchFileMissing);
    CHECK_ERR(JetRestore(NULL, NULL), JET_errInvalidParameter);
    /* a failed JetRestore leaves no mode set */
    JET_INSTANCE i = 0;
    CHECK_OK(JetCreateInstance(&i, "x538"));
    CHECK_OK(JetTerm(i));
    /* one-instance mode with its instance running: JetRestore -1030, external -1080 */
    CHECK_OK(JetInit(NULL));
    CHECK_ERR(JetRestore(e.bak, NULL), JET_errAlreadyInitialized);
    JET_RSTMAP map = {e.db, img};
    CHECK_ERR(JetExternalRestore(log, log, &map, 1, e.bak, 0, 0, NULL),
              JET_errRunningInOneInstanceMode);
    CHECK_OK(JetTerm(0));
    JetSetSystemParameter(NULL, 0, JET_paramLogFilePath, 0, ".\\");
    JetSetSystemParameter(NULL, 0, JET_paramSystemPath, 0, ".\\");
    /* multi-instance mode: the legacy restore calls refuse */
    CHECK_OK(JetCreateInstance(&i, "m538"));
    CHECK_ERR(JetRestore(e.bak, NULL), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetRestore2(e.bak, NULL, NULL), JET_errRunningInMultiInstanceMode);
    CHECK_OK(JetTerm(i));
}

static JET_INSTANCE g_restoring;
static JET_ERR g_errInit, g_errTerm, g_errSes;

static JET_ERR JET_API probe_cb(JET_SESID s, JET_SNP snp, JET_SNT snt, void *pv)
{
    (void)s, (void)snp, (void)pv;
    if (snt == JET_sntBegin) {
        JET_INSTANCE i = g_restoring;
        JET_SESID ses;
        g_errInit = JetInit(&i);
        g_errTerm = JetTerm(g_restoring);
        g_errSes = JetBeginSession(g_restoring, &ses, NULL, NULL);
    }
    return JET_errSuccess;
}

TEST(calls_on_a_restoring_instance_506)
{
    rst_env e;
    char img[1100], log[1100];
    scratch(&e, img, sizeof img);
    snprintf(log, sizeof log, "%s/", e.rst);
    JET_INSTANCE inst = 0;
    REQUIRE_OK(JetCreateInstance(&inst, "r506"));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, log));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, log));
    g_restoring = inst;
    g_errInit = g_errTerm = g_errSes = 0;
    /* no .pat in the set: the restore fails after its begin notification */
    CHECK_ERR(JetRestoreInstance(inst, e.bak, NULL, probe_cb), JET_errPatchFileMissing);
    CHECK_EQ(g_errInit, JET_errRestoreInProgress);
    CHECK_EQ(g_errTerm, JET_errRestoreInProgress);
    CHECK_EQ(g_errSes, JET_errRestoreInProgress);
    /* afterwards the instance is usable (not initialized) */
    CHECK_ERR(JetRestoreInstance((JET_INSTANCE)0x12345, e.bak, NULL, NULL),
              JET_errInvalidInstance);
    CHECK_OK(JetTerm(inst));
}

TEST(external_restore_arguments)
{
    rst_env e;
    char img[1100], log[1100];
    scratch(&e, img, sizeof img);
    snprintf(log, sizeof log, "%s/", e.rst);
    JET_RSTMAP map[15];
    for (int i = 0; i < 15; i++)
        map[i] = (JET_RSTMAP){e.db, img};
    CHECK_ERR(JetExternalRestore(log, log, map, 15, e.bak, 0, 0, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore(log, log, map, -1, e.bak, 0, 0, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore(log, log, NULL, 1, e.bak, 0, 0, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore(log, log, map, 0, e.bak, 0, 0, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore(log, log, map, 1, NULL, 0, 0, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore(log, log, map, 1, e.bak, 5, 4, NULL), JET_errInvalidParameter);
    JET_RSTMAP bad = {e.db, NULL};
    CHECK_ERR(JetExternalRestore(log, log, &bad, 1, e.bak, 0, 0, NULL),
              JET_errDatabaseInvalidName);
    JET_LOGINFO li = {sizeof li, g_lo, g_hi, "edb"};
    CHECK_ERR(JetExternalRestore2(log, log, map, 1, e.bak, NULL, NULL, NULL, NULL, NULL),
              JET_errInvalidParameter);
    JET_LOGINFO liBad = li;
    liBad.cbSize = 4;
    CHECK_ERR(JetExternalRestore2(log, log, map, 1, e.bak, &liBad, NULL, NULL, NULL, NULL),
              JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore2(log, log, map, 1, e.bak, &li, NULL, log, NULL, NULL),
              JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore2(log, log, map, 1, e.bak, &li, "x", log, log, NULL),
              JET_errInvalidParameter);
    CHECK_ERR(JetExternalRestore2(log, log, map, 1, e.bak, &li, "nobody", NULL, NULL, NULL),
              JET_errBadRestoreTargetInstance);
    /* two images of one database */
    char img2[1200];
    snprintf(img2, sizeof img2, "%s/img2.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, img2));
    JET_RSTMAP two[2] = {{e.db, img}, {(char *)"/elsewhere/x.edb", img2}};
    CHECK_ERR(JetExternalRestore(log, log, two, 2, e.bak, 0, 0, NULL), JET_errInvalidParameter);
    /* a target given by folders that a running instance uses: rolling forward into a
     * running instance is not built */
    char run[1100], runLog[1200];
    snprintf(run, sizeof run, "%s/running", e.rst);
    snprintf(runLog, sizeof runLog, "%s/", run);
    JET_INSTANCE instRun = 0;
    REQUIRE_OK(inst_start(run, &instRun));
    CHECK_ERR(JetExternalRestore2(NULL, NULL, map, 1, e.bak, &li, NULL, runLog, runLog, NULL),
              JET_errFeatureNotAvailable);
    CHECK_OK(JetTerm(instRun));
    /* JetExternalRestore2 with a target given by folders (not running): runs there */
    scratch(&e, img, sizeof img);
    char tlog[1200];
    snprintf(tlog, sizeof tlog, "%s/target/", e.rst);
    CHECK_OK(JetExternalRestore2(NULL, NULL, map, 1, e.bak, &li, NULL, tlog, tlog, NULL));
    char chk[1300];
    snprintf(chk, sizeof chk, "%sedb.chk", tlog);
    CHECK(access(chk, F_OK) == 0);
}

TEST(soft_recovery_of_an_image_544)
{
    rst_env e;
    env_dirs(&e);
    REQUIRE_OK(env_open(&e, 30));
    const char *dbs[] = {e.db};
    REQUIRE_OK(bk_fake_backup(e.inst, dbs, 1, e.bak, false, NULL, NULL));
    /* a crash: the database stays attached in the log */
    JetCloseTable(e.ses, e.tbl);
    JetEndSession(e.ses, 0);
    CHECK_ERR(JetTerm2(e.inst, JET_bitTermDirty), JET_errDirtyShutdown);
    e.inst = 0;
    char img[1100];
    snprintf(img, sizeof img, "%s/test.edb", e.bak);
    REQUIRE_OK(bk_copy_file(img, e.db));
    JET_INSTANCE inst = 0;
    CHECK_ERR(inst_start(e.src, &inst), JET_errSoftRecoveryOnBackupDatabase);
}

/* Random damage to an image's headers, its trailer or its size, and to a backup log's
 * header: the checks return an error code (or accept a change that does not matter), never
 * crash or read out of bounds (ASan). */
TEST(fuzz_image_and_log_checks)
{
    rst_env e;
    char img[1100], src[1100], lg[1200];
    scratch(&e, img, sizeof img);
    snprintf(src, sizeof src, "%s/orig.edb", e.rst);
    REQUIRE_OK(bk_copy_file(img, src));
    snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, g_lo);
    bj_log_hdr hLow, hHigh;
    const char *bak1[] = {e.bak};
    REQUIRE_OK(bj_rst_check_backup_logs(bj_os_posix(), bak1, 1, "edb", g_lo, g_hi, &hLow, &hHigh));
    srand(4242);
    int cErr = 0;
    for (int it = 0; it < 150; it++) {
        REQUIRE_OK(bk_copy_file(src, img));
        int fd = open(img, O_RDWR);
        REQUIRE(fd >= 0);
        struct stat st;
        REQUIRE(fstat(fd, &st) == 0);
        const int kind = it % 3;
        for (int k = 0; k < 1 + rand() % 8; k++) {
            off_t off = kind == 0   ? rand() % (2 * 8192)           /* the two headers */
                        : kind == 1 ? st.st_size - 8192 + rand() % 8192 /* the trailer */
                                    : rand() % st.st_size;
            uint8_t b = (uint8_t)rand();
            REQUIRE(pwrite(fd, &b, 1, off) == 1);
        }
        if (it % 10 == 9)
            REQUIRE(ftruncate(fd, st.st_size - 8192 * (1 + rand() % 3)) == 0);
        close(fd);
        bj_signature signDb;
        JET_ERR err = bj_rst_check_image(bj_os_posix(), img, &hLow.signLog, g_lo, g_hi, false,
                                         &signDb);
        if (err < 0)
            cErr++;
    }
    CHECK(cErr > 50);
    /* a log header with a damaged byte: an error, never a crash */
    char lgSave[1300];
    snprintf(lgSave, sizeof lgSave, "%s.save", lg);
    REQUIRE_OK(bk_copy_file(lg, lgSave));
    for (int it = 0; it < 40; it++) {
        REQUIRE_OK(bk_copy_file(lgSave, lg));
        int fd = open(lg, O_RDWR);
        REQUIRE(fd >= 0);
        uint8_t b = (uint8_t)(1 + rand() % 255), old = 0;
        off_t off = rand() % 700;
        REQUIRE(pread(fd, &old, 1, off) == 1);
        b ^= old;
        REQUIRE(pwrite(fd, &b, 1, off) == 1);
        close(fd);
        CHECK(bj_rst_check_backup_logs(bj_os_posix(), bak1, 1, "edb", g_lo, g_hi, &hLow, &hHigh) < 0);
    }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
