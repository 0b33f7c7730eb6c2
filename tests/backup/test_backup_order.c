/* test_backup_order.c: every row of the out-of-order table (ese-backup-spec.md §3.3), bad
 * grbits and arguments, JetStopBackupInstance (§2.10), attach/detach/JetTerm during a backup
 * (§3.4), a page corrupted on disk (§2.4: JET_errReadVerifyFailure, the handle closed, the log
 * backup goes on), a corrupted log (JET_errLogReadVerifyFailure ends the session), truncation
 * that never deletes a log a database not copied still needs, and the legacy (no-instance)
 * calls in multi-instance mode.
 */
#include <fcntl.h>

#include "backup/backup.h"
#include "bkt.h"

static uint8_t *abuf(uint32_t cb)
{
    uint8_t *p = aligned_alloc(4096, cb);
    memset(p, 0, cb);
    return p;
}

/* GetLogInfo's list into a malloc'd buffer. */
static char *log_list(JET_INSTANCE inst, JET_LOGINFO *li)
{
    uint32_t cb = 0;
    if (JetGetLogInfoInstance(inst, NULL, 0, &cb) < 0)
        return NULL;
    char *szz = calloc(1, cb + 1);
    li->cbSize = sizeof(*li);
    if (JetGetLogInfoInstance2(inst, szz, cb, &cb, li) < 0) {
        free(szz);
        return NULL;
    }
    return szz;
}

/* Streams every log of the list (open, read all, close). */
static void copy_logs(JET_INSTANCE inst, const char *szz)
{
    for (const char *p = szz; *p; p += strlen(p) + 1) {
        JET_HANDLE h;
        uint32_t lo, hi;
        CHECK_OK(JetOpenFileInstance(inst, p, &h, &lo, &hi));
        uint8_t *all;
        uint64_t cb;
        CHECK_OK(bkt_read_all(inst, h, 65536, &all, &cb));
        free(all);
        CHECK_OK(JetCloseFileInstance(inst, h));
    }
}

TEST(no_backup_and_bad_grbits)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o1", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    uint8_t *buf = abuf(65536);
    uint32_t cb = 0, lo, hi;
    JET_HANDLE h;
    JET_LOGINFO li = {sizeof(li), 0, 0, ""};
    CHECK_ERR(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb), JET_errNoBackup);
    CHECK_ERR(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi), JET_errNoBackup);
    CHECK_ERR(JetReadFileInstance(b.inst, 1, buf, 65536, &cb), JET_errNoBackup);
    CHECK_ERR(JetCloseFileInstance(b.inst, 1), JET_errNoBackup);
    CHECK_ERR(JetGetLogInfoInstance2(b.inst, NULL, 0, &cb, &li), JET_errNoBackup);
    CHECK_ERR(JetGetTruncateLogInfoInstance(b.inst, NULL, 0, &cb), JET_errNoBackup);
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errNoBackup);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    CHECK_ERR(JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndAbort), JET_errNoBackup);
    /* End's grbit is checked first: -1003 unless exactly one of Normal / Abort */
    CHECK_ERR(JetEndExternalBackupInstance2(b.inst, 0), JET_errInvalidParameter);
    CHECK_ERR(JetEndExternalBackupInstance2(b.inst, 3), JET_errInvalidParameter);
    /* StopBackup without a backup: success */
    CHECK_OK(JetStopBackupInstance(b.inst));
    const JET_GRBIT bad[] = {JET_bitBackupAtomic,
                             JET_bitBackupSnapshot,
                             0x2 /* KeepOldLogs */,
                             JET_bitBackupFullWithAllLogs,
                             0x40,
                             0x100,
                             JET_bitBackupIncremental | JET_bitBackupAtomic};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(JetBeginExternalBackupInstance(b.inst, bad[i]), JET_errInvalidGrbit);
    /* Begin clears the stop flag: this backup runs */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    CHECK_OK(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb));
    CHECK_ERR(JetBeginExternalBackupInstance(b.inst, 0), JET_errBackupInProgress);
    CHECK_ERR(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental),
              JET_errBackupInProgress);
    /* the original continues */
    CHECK_OK(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb));
    CHECK_ERR(JetEndExternalBackupInstance2(b.inst, 0), JET_errInvalidParameter);
    CHECK_ERR(JetEndExternalBackupInstance2(b.inst, 3), JET_errInvalidParameter);
    CHECK_OK(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb)); /* not ended by the bad End */
    CHECK_OK(JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndAbort));
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    free(buf);
    bkt_close(&b);
}

TEST(file_calls_out_of_order)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o2", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1000) >= 0);
    uint8_t *buf = abuf(65536 + 4096);
    uint32_t cb = 0, lo, hi;
    JET_HANDLE h, h2;
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    /* a name that is not an attached database while copying databases: the session goes on */
    char other[1200];
    snprintf(other, sizeof other, "%s/other.edb", b.dir);
    CHECK_ERR(JetOpenFileInstance(b.inst, other, &h, &lo, &hi), JET_errDatabaseNotFound);
    CHECK_ERR(JetOpenFileInstance(b.inst, NULL, &h, &lo, &hi), JET_errInvalidParameter);
    CHECK_ERR(JetOpenFileInstance(b.inst, "", &h, &lo, &hi), JET_errInvalidParameter);
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    /* one open file per backup */
    CHECK_ERR(JetOpenFileInstance(b.inst, b.db, &h2, &lo, &hi), JET_errOutOfMemory);
    /* ReadFile arguments */
    CHECK_ERR(JetReadFileInstance(b.inst, h, buf + 8, 65536, &cb), JET_errInvalidParameter);
    CHECK_ERR(JetReadFileInstance(b.inst, h, buf, 65536 + 100, &cb), JET_errInvalidParameter);
    CHECK_ERR(JetReadFileInstance(b.inst, h, buf, 2 * 8192, &cb), JET_errInvalidParameter);
    CHECK_ERR(JetReadFileInstance(b.inst, h + 1, buf, 65536, &cb), JET_errInvalidParameter);
    CHECK_ERR(JetReadFileInstance(b.inst, h, NULL, 65536, &cb), JET_errInvalidParameter);
    CHECK_OK(JetReadFileInstance(b.inst, h, buf, 65536, &cb));
    CHECK_EQ(cb, 65536);
    /* the log calls need no file open */
    CHECK_ERR(JetGetLogInfoInstance(b.inst, NULL, 0, &cb), JET_errInvalidBackupSequence);
    CHECK_ERR(JetGetTruncateLogInfoInstance(b.inst, NULL, 0, &cb), JET_errInvalidBackupSequence);
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errInvalidBackupSequence);
    CHECK_ERR(JetCloseFileInstance(b.inst, h + 1), JET_errInvalidParameter);
    CHECK_OK(JetCloseFileInstance(b.inst, h)); /* a partial read is allowed */
    CHECK_ERR(JetCloseFileInstance(b.inst, h), JET_errInvalidParameter);
    /* TruncateLog before GetLogInfo */
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errInvalidBackupSequence);
    JET_LOGINFO li;
    char *logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    CHECK(li.ulGenHigh >= li.ulGenLow);
    /* JET_LOGINFO with a bad cbSize */
    JET_LOGINFO bad = {sizeof(bad) + 1, 0, 0, ""};
    CHECK_ERR(JetGetLogInfoInstance2(b.inst, NULL, 0, &cb, &bad), JET_errInvalidParameter);
    /* a log name that does not parse */
    char bogus[1200];
    snprintf(bogus, sizeof bogus, "%s/edbXYZ.log", b.dir);
    CHECK_ERR(JetOpenFileInstance(b.inst, bogus, &h, &lo, &hi), JET_errInvalidParameter);
    /* TruncateLog with the logs not read */
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errLogFileNotCopied);
    /* a log read only partly does not count */
    CHECK_OK(JetOpenFileInstance(b.inst, logs, &h, &lo, &hi));
    CHECK_OK(JetReadFileInstance(b.inst, h, buf, 65536, &cb));
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errLogFileNotCopied);
    /* the first read of a log must be at least 2 pages */
    CHECK_OK(JetOpenFileInstance(b.inst, logs, &h, &lo, &hi));
    CHECK_ERR(JetReadFileInstance(b.inst, h, buf, 8192, &cb), JET_errInvalidParameter);
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    copy_logs(b.inst, logs);
    CHECK_OK(JetTruncateLogInstance(b.inst));
    /* a database after GetLogInfo: InvalidBackupSequence, and the session ends */
    CHECK_ERR(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi), JET_errInvalidBackupSequence);
    CHECK_ERR(JetGetLogInfoInstance(b.inst, NULL, 0, &cb), JET_errNoBackup);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    free(logs);

    /* a missing log ends the session */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    char missing[1200];
    bkt_log_name(&b, li.ulGenHigh + 5, missing, sizeof missing);
    CHECK_ERR(JetOpenFileInstance(b.inst, missing, &h, &lo, &hi), JET_errMissingFileToBackup);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    free(logs);
    free(buf);
    bkt_close(&b);
}

TEST(stop_backup)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o3", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 50, 1000) >= 0);
    JET_DBINFOMISC4 before, after;
    CHECK_OK(bkt_misc(b.db, &before));
    uint8_t *buf = abuf(65536);
    uint32_t cb = 0, lo, hi;
    JET_HANDLE h;
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    CHECK_OK(JetReadFileInstance(b.inst, h, buf, 65536, &cb));
    CHECK_OK(JetStopBackupInstance(b.inst));
    JET_LOGINFO li = {sizeof(li), 0, 0, ""};
    CHECK_ERR(JetReadFileInstance(b.inst, h, buf, 65536, &cb), JET_errBackupAbortByServer);
    CHECK_ERR(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb), JET_errBackupAbortByServer);
    CHECK_ERR(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi), JET_errBackupAbortByServer);
    CHECK_ERR(JetGetLogInfoInstance2(b.inst, NULL, 0, &cb, &li), JET_errBackupAbortByServer);
    CHECK_ERR(JetGetTruncateLogInfoInstance(b.inst, NULL, 0, &cb), JET_errBackupAbortByServer);
    CHECK_ERR(JetTruncateLogInstance(b.inst), JET_errBackupAbortByServer);
    CHECK_OK(JetCloseFileInstance(b.inst, h)); /* Close still works */
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    CHECK_OK(bkt_misc(b.db, &after));
    CHECK(memcmp(&before.bkinfoFullPrev, &after.bkinfoFullPrev, sizeof(JET_BKINFO)) == 0);
    CHECK(memcmp(&before.bkinfoCopyPrev, &after.bkinfoCopyPrev, sizeof(JET_BKINFO)) == 0);
    /* stopped after GetLogInfo: End succeeds, still no header change */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    uint8_t *all;
    uint64_t cball;
    CHECK_OK(bkt_read_all(b.inst, h, 65536, &all, &cball));
    free(all);
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    char *logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    copy_logs(b.inst, logs);
    free(logs);
    CHECK_OK(JetStopBackupInstance(b.inst));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    CHECK_OK(bkt_misc(b.db, &after));
    CHECK(memcmp(&before.bkinfoCopyPrev, &after.bkinfoCopyPrev, sizeof(JET_BKINFO)) == 0);
    /* a new Begin works, and a full backup now records its history */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    CHECK_OK(bkt_read_all(b.inst, h, 65536, &all, &cball));
    free(all);
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    copy_logs(b.inst, logs);
    free(logs);
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    CHECK_OK(bkt_misc(b.db, &after));
    CHECK_EQ(after.bkinfoCopyPrev.genLow, li.ulGenLow);
    free(buf);
    bkt_close(&b);
}

TEST(attach_detach_term_during_backup)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o4", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    char db2[1200];
    snprintf(db2, sizeof db2, "%s/second.edb", b.dir);
    JET_DBID d2;
    CHECK_OK(JetCreateDatabase(b.s, db2, NULL, &d2, 0));
    CHECK_OK(JetCloseDatabase(b.s, d2, 0));
    CHECK_OK(JetDetachDatabase(b.s, db2));
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    CHECK_ERR(JetAttachDatabase(b.s, db2, 0), JET_errBackupInProgress);
    CHECK_ERR(JetDetachDatabase(b.s, b.db), JET_errBackupInProgress);
    CHECK_ERR(JetTerm2(b.inst, JET_bitTermComplete), JET_errBackupInProgress);
    /* the instance still works after the refused term */
    uint32_t cb;
    CHECK_OK(JetGetAttachInfoInstance(b.inst, NULL, 0, &cb));
    CHECK_OK(JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndAbort));
    CHECK_OK(JetAttachDatabase(b.s, db2, 0));
    CHECK_OK(JetDetachDatabase(b.s, db2));
    /* JetTerm2(StopBackup) ends a running backup */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JetCloseTable(b.s, b.t);
    JetEndSession(b.s, 0);
    CHECK_OK(JetTerm2(b.inst, JET_bitTermStopBackup));
    /* plain JetTerm is JetTerm2(Abrupt): it ends the backup too */
    REQUIRE(bkt_open(&b, "o4b", false) >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JetEndSession(b.s, 0);
    CHECK_OK(JetTerm(b.inst));
}

TEST(corrupt_page_on_disk)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o5", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 400, 1500) >= 0);
    JetCloseTable(b.s, b.t);
    CHECK_OK(JetCloseDatabase(b.s, b.dbid, 0));
    CHECK_OK(JetDetachDatabase(b.s, b.db));
    /* a page near the end of the file, never read at attach */
    struct stat st;
    REQUIRE(stat(b.db, &st) == 0);
    const uint32_t cpg = (uint32_t)(st.st_size / 8192) - 2;
    const uint32_t pgnoBad = cpg - 3;
    int fd = open(b.db, O_RDWR);
    REQUIRE(fd >= 0);
    uint8_t pg[8192];
    REQUIRE(pread(fd, pg, sizeof pg, (off_t)(pgnoBad + 1) * 8192) == (ssize_t)sizeof pg);
    pg[4000] ^= 0x5a;
    pg[4001] ^= 0x11;
    REQUIRE(pwrite(fd, pg, sizeof pg, (off_t)(pgnoBad + 1) * 8192) == (ssize_t)sizeof pg);
    close(fd);
    CHECK_OK(JetAttachDatabase(b.s, b.db, 0));
    bj_bk_test_set_retry_ms(1);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JET_HANDLE h;
    uint32_t lo, hi, cb;
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    uint8_t *all;
    uint64_t cball;
    CHECK_ERR(bkt_read_all(b.inst, h, 65536, &all, &cball), JET_errReadVerifyFailure);
    free(all);
    CHECK(cball < ((uint64_t)pgnoBad + 1) * 8192);
    /* the handle was closed: another file can be opened; the logs can still be backed up */
    CHECK_ERR(JetCloseFileInstance(b.inst, h), JET_errInvalidParameter);
    JET_LOGINFO li;
    char *logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    copy_logs(b.inst, logs);
    free(logs);
    CHECK_OK(JetGetTruncateLogInfoInstance(b.inst, NULL, 0, &cb));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    /* the database was not copied: no history */
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoCopyPrev.genLow, 0);
    bj_bk_test_set_retry_ms(100);
    bkt_close(&b);
}

TEST(corrupt_log_ends_the_session)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o6", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1500) >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JET_LOGINFO li;
    char *logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    /* a byte in the first data segment of the first log */
    int fd = open(logs, O_RDWR);
    REQUIRE(fd >= 0);
    uint8_t seg[4096];
    REQUIRE(pread(fd, seg, sizeof seg, 12288) == (ssize_t)sizeof seg);
    seg[200] ^= 0xff;
    REQUIRE(pwrite(fd, seg, sizeof seg, 12288) == (ssize_t)sizeof seg);
    close(fd);
    JET_HANDLE h;
    uint32_t lo, hi;
    CHECK_OK(JetOpenFileInstance(b.inst, logs, &h, &lo, &hi));
    uint8_t *all;
    uint64_t cb;
    CHECK_ERR(bkt_read_all(b.inst, h, 65536, &all, &cb), JET_errLogReadVerifyFailure);
    free(all);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    free(logs);
    bkt_close(&b);
}

/* Two databases; a full backup that copies only one never truncates a log the other needs. */
TEST(truncate_keeps_logs_of_databases_not_copied)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o7", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    char db2[1200];
    snprintf(db2, sizeof db2, "%s/second.edb", b.dir);
    JET_DBID d2;
    CHECK_OK(JetCreateDatabase(b.s, db2, NULL, &d2, 0));
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 400, 1500) >= 0);
    REQUIRE(bkt_reopen(&b, "o7b") >= 0);
    CHECK_OK(JetAttachDatabase(b.s, db2, 0));
    /* only main.edb copied; second.edb was never backed up: nothing may be truncated */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JET_HANDLE h;
    uint32_t lo, hi, cb;
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    uint8_t *all;
    uint64_t cball;
    CHECK_OK(bkt_read_all(b.inst, h, 65536, &all, &cball));
    free(all);
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    JET_LOGINFO li;
    char *logs = log_list(b.inst, &li);
    REQUIRE(logs != NULL);
    CHECK(li.ulGenLow > 1);
    copy_logs(b.inst, logs);
    free(logs);
    CHECK_OK(JetGetTruncateLogInfoInstance(b.inst, NULL, 0, &cb));
    CHECK_EQ(cb, 1); /* an empty list */
    CHECK_EQ(bkt_truncate_checked(&b), 0);
    char p1[1200];
    bkt_log_name(&b, 1, p1, sizeof p1);
    CHECK(bkt_exists(p1));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(db2, &m));
    CHECK_EQ(m.bkinfoFullPrev.genLow, 0); /* not copied: untouched */
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoFullPrev.genLow, li.ulGenLow);
    bkt_close(&b);
}

/* JetOpenFileSectionInstance: one section only; ibRead resumes a database stream. */
TEST(open_file_section_resumes)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o9", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1500) >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    JET_HANDLE h;
    uint32_t lo, hi, cb;
    int32_t hi2;
    CHECK_OK(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi));
    uint8_t *all, *part;
    uint64_t cball, cbpart;
    CHECK_OK(bkt_read_all(b.inst, h, 65536, &all, &cball));
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    CHECK_ERR(JetOpenFileSectionInstance(b.inst, b.db, &h, 0, 2, 0, &cb, &hi2), JET_wrnNyi);
    CHECK_ERR(JetOpenFileSectionInstance(b.inst, b.db, &h, 0, 1, 100, &cb, &hi2),
              JET_errInvalidParameter);
    CHECK_ERR(JetOpenFileSectionInstance(b.inst, b.db, &h, 0, 1, 2 * 8192, &cb, &hi2),
              JET_errInvalidParameter);
    CHECK_OK(JetOpenFileSectionInstance(b.inst, b.db, &h, 0, 1, 5 * 8192, &cb, &hi2));
    CHECK_EQ(cb, lo);
    CHECK_OK(bkt_read_all(b.inst, h, 8192, &part, &cbpart));
    CHECK_OK(JetCloseFileInstance(b.inst, h));
    CHECK_EQ(cbpart, cball - 5 * 8192);
    /* the same pages (the database is quiet), the trailer included */
    CHECK(memcmp(part, all + 5 * 8192, cbpart) == 0);
    free(all);
    free(part);
    CHECK_OK(JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndAbort));
    bkt_close(&b);
}

TEST(logging_disabled)
{
    char dir[1100], db[1200];
    snprintf(dir, sizeof dir, "%s/", bj_test_tmpdir());
    snprintf(db, sizeof db, "%smain.edb", dir);
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID d;
    CHECK_OK(JetCreateInstance(&inst, "nolog"));
    CHECK_OK(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, dir));
    CHECK_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, dir));
    CHECK_OK(JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, dir));
    CHECK_OK(JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "off"));
    REQUIRE(JetInit(&inst) >= 0);
    REQUIRE(JetBeginSession(inst, &s, NULL, NULL) >= 0);
    REQUIRE(JetCreateDatabase(s, db, NULL, &d, 0) >= 0);
    CHECK_ERR(JetBeginExternalBackupInstance(inst, 0), JET_errLoggingDisabled);
    CHECK_ERR(JetBeginExternalBackupInstance(inst, JET_bitBackupAtomic), JET_errLoggingDisabled);
    CHECK_ERR(JetBackupInstance(inst, dir, 0, NULL), JET_errLoggingDisabled);
    /* an incremental that ends before GetLogInfo records nothing */
    JetEndSession(s, 0);
    CHECK_OK(JetTerm2(inst, JET_bitTermComplete));
}

TEST(incremental_ended_before_getloginfo)
{
    bkt b;
    REQUIRE(bkt_open(&b, "o8", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    CHECK_OK(JetBackupInstance(b.inst, NULL, 0, NULL)); /* truncate only: no history */
    char d[1200];
    snprintf(d, sizeof d, "%s/bk", b.dir);
    mkdir(d, 0755);
    CHECK_OK(JetBackupInstance(b.inst, d, 0, NULL));
    JET_DBINFOMISC4 before, after;
    CHECK_OK(bkt_misc(b.db, &before));
    CHECK(before.bkinfoFullPrev.genLow != 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    CHECK_OK(bkt_misc(b.db, &after));
    CHECK(memcmp(&before.bkinfoIncPrev, &after.bkinfoIncPrev, sizeof(JET_BKINFO)) == 0);
    CHECK(memcmp(&before.bkinfoDiffPrev, &after.bkinfoDiffPrev, sizeof(JET_BKINFO)) == 0);
    bkt_close(&b);
}

TEST(legacy_calls_in_multi_instance_mode)
{
    uint8_t buf[16];
    uint32_t cb;
    JET_HANDLE h;
    /* no instance left: no mode is set (§2.0: JET_errInvalidParameter) */
    CHECK_ERR(JetBeginExternalBackup(0), JET_errInvalidParameter);
    CHECK_ERR(JetStopBackup(), JET_errInvalidParameter);
    JET_INSTANCE inst;
    CHECK_OK(JetCreateInstance(&inst, "multi"));
    CHECK_ERR(JetBeginExternalBackup(0), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetGetAttachInfo(NULL, 0, &cb), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetOpenFile("x", &h, &cb, &cb), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetReadFile(0, buf, 0, &cb), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetCloseFile(0), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetGetLogInfo(NULL, 0, &cb), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetTruncateLog(), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetEndExternalBackup(), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetStopBackup(), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetBackup("x", 0, NULL), JET_errRunningInMultiInstanceMode);
    JetTerm(inst);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
