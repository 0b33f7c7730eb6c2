/* test_backup_legacy.c: the backup calls without an instance argument in one-instance (legacy)
 * mode (ese-backup-spec.md §2.0): they act on the one instance; a whole streaming backup and a
 * JetBackup run through them. (Multi-instance mode: test_backup_order.c.)
 */
#include "bkt.h"

TEST(legacy_mode_streaming_backup)
{
    char dir[1100], db[1200], bk[1200];
    snprintf(dir, sizeof dir, "%s/", bj_test_tmpdir());
    snprintf(db, sizeof db, "%smain.edb", dir);
    snprintf(bk, sizeof bk, "%sbk", dir);
    uint32_t cb = 0;
    CHECK_ERR(JetBeginExternalBackup(0), JET_errInvalidParameter); /* no mode yet */
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramLogFilePath, 0, dir));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramSystemPath, 0, dir));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramTempPath, 0, dir));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramLogFileSize, 256, NULL));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramCreatePathIfNotExist, 1, NULL));
    JET_INSTANCE inst = 0;
    REQUIRE(JetInit(&inst) >= 0);
    JET_SESID s;
    JET_DBID d;
    REQUIRE(JetBeginSession(inst, &s, NULL, NULL) >= 0);
    REQUIRE(JetCreateDatabase(s, db, NULL, &d, 0) >= 0);
    CHECK_ERR(JetEndExternalBackup(), JET_errNoBackup);
    CHECK_OK(JetStopBackup());
    CHECK_OK(JetBeginExternalBackup(0));
    CHECK_OK(JetGetAttachInfo(NULL, 0, &cb));
    CHECK_EQ(cb, strlen(db) + 2);
    JET_HANDLE h;
    uint32_t lo, hi;
    CHECK_OK(JetOpenFile(db, &h, &lo, &hi));
    uint8_t *buf = aligned_alloc(4096, 65536);
    uint64_t total = 0;
    for (;;) {
        CHECK_OK(JetReadFile(h, buf, 65536, &cb));
        if (cb == 0)
            break;
        total += cb;
    }
    CHECK_EQ(total, ((uint64_t)hi << 32) | lo);
    CHECK_OK(JetCloseFile(h));
    CHECK_OK(JetGetLogInfo(NULL, 0, &cb));
    char *logs = calloc(1, cb);
    CHECK_OK(JetGetLogInfo(logs, cb, &cb));
    for (const char *p = logs; *p; p += strlen(p) + 1) {
        CHECK_OK(JetOpenFile(p, &h, &lo, &hi));
        for (;;) {
            CHECK_OK(JetReadFile(h, buf, 65536, &cb));
            if (cb == 0)
                break;
        }
        CHECK_OK(JetCloseFile(h));
    }
    free(logs);
    CHECK_OK(JetTruncateLog());
    CHECK_OK(JetEndExternalBackup());
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(db, &m));
    CHECK(m.bkinfoFullPrev.genLow != 0);
    CHECK_OK(JetBackup(bk, 0, NULL));
    char pat[1300];
    snprintf(pat, sizeof pat, "%s/main.pat", bk);
    CHECK(bkt_exists(pat));
    free(buf);
    JetEndSession(s, 0);
    CHECK_OK(JetTerm2(inst, JET_bitTermComplete));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
