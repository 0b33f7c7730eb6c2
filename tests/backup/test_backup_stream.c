/* test_backup_stream.c: the external (streaming) full backup through esent.h
 * (ese-backup-spec.md §2.1-§2.9, §8 items 1-3, 5): the database stream (size reported =
 * bytes read, two header copies with bkinfoFullCur, every page checksum-valid or zero, the
 * trailer page last, EOF), the log list (absolute paths, ascending, JET_LOGINFO), truncation
 * (exactly the listed logs, never edb.log or the checkpoint), and the header history each kind
 * of backup leaves (full, copy, incremental, differential) read with JetGetDatabaseFileInfo.
 */
#include "backup/bk_trailer.h"
#include "bkt.h"
#include "common/checksum.h"
#include "page/dbhdr.h"

/* Streams main.edb of a full backup and checks the stream's layout. *pgenLow = the image's
 * bkinfoFullCur.genLow. */
static void stream_db(bkt *b, uint32_t *pgenLow)
{
    JET_HANDLE h = 0;
    uint32_t lo = 0, hi = 0;
    CHECK_OK(JetOpenFileInstance(b->inst, b->db, &h, &lo, &hi));
    const uint64_t cbReported = ((uint64_t)hi << 32) | lo;
    uint8_t *all = NULL;
    uint64_t cb = 0;
    CHECK_OK(bkt_read_all(b->inst, h, 65536, &all, &cb));
    CHECK_EQ(cb, cbReported);
    const uint32_t cbPage = 8192;
    REQUIRE(cb % cbPage == 0 && cb >= 4 * cbPage);
    CHECK(memcmp(all, all + cbPage, cbPage) == 0);
    bj_dbhdr hdr;
    CHECK_OK(bj_dbhdr_decode(all, cbPage, &hdr));
    CHECK(hdr.bkinfoFullCur.genLow != 0);
    CHECK_EQ(hdr.bkinfoFullCur.genHigh, 0);
    *pgenLow = hdr.bkinfoFullCur.genLow;
    const uint32_t pgnoLast = (uint32_t)(cb / cbPage) - 3;
    uint32_t nData = 0;
    for (uint32_t pgno = 1; pgno <= pgnoLast; pgno++) {
        const uint8_t *pg = all + (uint64_t)(pgno + 1) * cbPage;
        bool zero = true;
        for (uint32_t i = 0; i < cbPage && zero; i++)
            zero = pg[i] == 0;
        if (!zero) {
            CHECK(bj_checksum_page_ok(pg, cbPage, pgno));
            nData++;
        }
    }
    CHECK(nData > 4);
    bj_bk_trailer t;
    CHECK_OK(bj_bk_trailer_decode(all + cb - cbPage, cbPage, pgnoLast, &t));
    CHECK_EQ(t.bkinfo.genLow, hdr.bkinfoFullCur.genLow);
    CHECK(t.bkinfo.genHigh >= t.bkinfo.genLow);
    CHECK(bj_lgpos_cmp(&t.bkinfo.lgposMark, &hdr.bkinfoFullCur.lgposMark) == 0);
    CHECK(memcmp(&t.signDb, &hdr.signDb, sizeof(t.signDb)) == 0);
    /* EOF: success with 0 bytes */
    uint8_t *chunk = aligned_alloc(4096, 65536);
    uint32_t got = 7;
    CHECK_OK(JetReadFileInstance(b->inst, h, chunk, 65536, &got));
    CHECK_EQ(got, 0);
    free(chunk);
    free(all);
    CHECK_OK(JetCloseFileInstance(b->inst, h));
}

/* GetLogInfo + streams every listed log; returns the JET_LOGINFO. */
static void stream_logs(bkt *b, JET_LOGINFO *li)
{
    uint32_t cbNeed = 0, cbGot = 0;
    CHECK_OK(JetGetLogInfoInstance(b->inst, NULL, 0, &cbNeed));
    char *szz = calloc(1, cbNeed + 16);
    /* with a buffer: min(cbMax, required) */
    CHECK_OK(JetGetLogInfoInstance(b->inst, szz, 5, &cbGot));
    CHECK_EQ(cbGot, 5);
    memset(li, 0, sizeof(*li));
    li->cbSize = sizeof(*li);
    CHECK_OK(JetGetLogInfoInstance2(b->inst, szz, cbNeed + 16, &cbGot, li));
    CHECK_EQ(cbGot, cbNeed);
    CHECK_EQ(strcmp(li->szBaseName, "edb"), 0);
    CHECK(li->ulGenHigh >= li->ulGenLow);
    CHECK_EQ(bkt_multi_count(szz), (int)(li->ulGenHigh - li->ulGenLow + 1));
    uint32_t gen = li->ulGenLow;
    for (const char *p = szz; *p; p += strlen(p) + 1, gen++) {
        char want[1200];
        bkt_log_name(b, gen, want, sizeof want);
        CHECK(p[0] == '/');
        CHECK_EQ(strcmp(strrchr(p, '/'), strrchr(want, '/')), 0);
        JET_HANDLE h;
        uint32_t lo, hi;
        CHECK_OK(JetOpenFileInstance(b->inst, p, &h, &lo, &hi));
        CHECK_EQ(lo, 256u * 1024u);
        uint8_t *all = NULL;
        uint64_t cb = 0;
        CHECK_OK(bkt_read_all(b->inst, h, 3 * 8192, &all, &cb));
        CHECK_EQ(cb, 256u * 1024u);
        free(all);
        CHECK_OK(JetCloseFileInstance(b->inst, h));
    }
    /* the current log was rolled: edb.log is the generation after the last one listed */
    char cur[1200];
    bkt_log_name(b, li->ulGenHigh + 1, cur, sizeof cur);
    CHECK(!bkt_exists(cur));
    free(szz);
}

TEST(full_backup_stream_truncate_and_history)
{
    bkt b;
    REQUIRE(bkt_open(&b, "bk1", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 600, 1500) >= 0);
    REQUIRE(bkt_reopen(&b, "bk1b") >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    /* GetAttachInfo: *pcbActual is the full size even with a short buffer */
    uint32_t cbNeed = 0, cbGot = 0;
    CHECK_OK(JetGetAttachInfoInstance(b.inst, NULL, 0, &cbNeed));
    CHECK_EQ(cbNeed, strlen(b.db) + 2);
    char small[4];
    CHECK_OK(JetGetAttachInfoInstance(b.inst, small, sizeof small, &cbGot));
    CHECK_EQ(cbGot, cbNeed);
    char *att = calloc(1, cbNeed);
    CHECK_OK(JetGetAttachInfoInstance(b.inst, att, cbNeed, &cbGot));
    CHECK_EQ(strcmp(att, b.db), 0);
    free(att);
    uint32_t genLow = 0;
    stream_db(&b, &genLow);
    JET_LOGINFO li;
    stream_logs(&b, &li);
    CHECK_EQ(li.ulGenLow, genLow);
    /* truncation: exactly the listed logs: every generation below the checkpoint (the reopen
     * moved it past the rows' generations) */
    const int ndel = bkt_truncate_checked(&b);
    CHECK_EQ(ndel, (int)li.ulGenLow - 1);
    char path[1200];
    snprintf(path, sizeof path, "%s/edb.log", b.dir);
    CHECK(bkt_exists(path));
    snprintf(path, sizeof path, "%s/edb.chk", b.dir);
    CHECK(bkt_exists(path));
    /* logs the image needs and later ones survive */
    bkt_log_name(&b, li.ulGenHigh, path, sizeof path);
    CHECK(bkt_exists(path));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoFullPrev.genLow, li.ulGenLow);
    CHECK_EQ(m.bkinfoFullPrev.genHigh, li.ulGenHigh);
    CHECK_EQ(m.bkinfoIncPrev.genLow, 0);
    CHECK_EQ(m.bkinfoDiffPrev.genLow, 0);
    CHECK_EQ(m.bkinfoCopyPrev.genLow, 0);
    CHECK_EQ(m.bkinfoFullCur.genLow, 0);
    CHECK(m.bkinfoFullPrev.lgposMark.lGeneration >= (int32_t)li.ulGenLow);

    /* differential: Begin(Incremental) without truncation -> DiffPrev; IncPrev unchanged */
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1000, 200, 1500) >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental));
    CHECK_ERR(JetGetAttachInfoInstance(b.inst, NULL, 0, &cbNeed), JET_errInvalidBackupSequence);
    JET_HANDLE h;
    uint32_t lo, hi;
    CHECK_ERR(JetOpenFileInstance(b.inst, b.db, &h, &lo, &hi), JET_errInvalidBackupSequence);
    /* that ended the session */
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental));
    JET_LOGINFO li2;
    stream_logs(&b, &li2);
    CHECK_EQ(li2.ulGenLow, li.ulGenLow); /* everything on disk: from the old checkpoint on */
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoDiffPrev.genLow, li2.ulGenLow);
    CHECK_EQ(m.bkinfoDiffPrev.genHigh, li2.ulGenHigh);
    CHECK_EQ(m.bkinfoIncPrev.genLow, 0);
    CHECK_EQ(m.bkinfoFullPrev.genLow, li.ulGenLow);

    /* incremental with truncation -> IncPrev */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental));
    JET_LOGINFO li3;
    stream_logs(&b, &li3);
    bkt_truncate_checked(&b);
    CHECK_OK(JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndNormal));
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoIncPrev.genLow, li3.ulGenLow);
    CHECK_EQ(m.bkinfoIncPrev.genHigh, li3.ulGenHigh);
    CHECK_EQ(m.bkinfoFullPrev.genLow, li.ulGenLow);
    /* a new full backup clears IncPrev and DiffPrev */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    stream_db(&b, &genLow);
    stream_logs(&b, &li);
    CHECK_OK(
        JetEndExternalBackupInstance2(b.inst, JET_bitBackupEndNormal | JET_bitBackupTruncateDone));
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoFullPrev.genLow, li.ulGenLow);
    CHECK_EQ(m.bkinfoIncPrev.genLow, 0);
    CHECK_EQ(m.bkinfoDiffPrev.genLow, 0);
    bkt_close(&b);
}

TEST(copy_backup_then_incremental_needs_full)
{
    bkt b;
    REQUIRE(bkt_open(&b, "bk2", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1000) >= 0);
    /* incremental before any full */
    CHECK_ERR(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental),
              JET_errMissingFullBackup);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    /* full without truncation: a copy backup */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    uint32_t genLow;
    stream_db(&b, &genLow);
    JET_LOGINFO li;
    stream_logs(&b, &li);
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoCopyPrev.genLow, li.ulGenLow);
    CHECK_EQ(m.bkinfoCopyPrev.genHigh, li.ulGenHigh);
    CHECK_EQ(m.bkinfoFullPrev.genLow, 0);
    for (uint32_t g = li.ulGenLow; g <= li.ulGenHigh; g++) {
        char p[1200];
        bkt_log_name(&b, g, p, sizeof p);
        CHECK(bkt_exists(p)); /* nothing truncated */
    }
    CHECK_ERR(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental),
              JET_errMissingFullBackup);
    /* a full backup that ended in state Databases is an abort: no header change */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    stream_db(&b, &genLow);
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    JET_DBINFOMISC4 m2;
    CHECK_OK(bkt_misc(b.db, &m2));
    CHECK(memcmp(&m2.bkinfoCopyPrev, &m.bkinfoCopyPrev, sizeof(m.bkinfoCopyPrev)) == 0);
    CHECK_EQ(m2.bkinfoFullPrev.genLow, 0);
    bkt_close(&b);
}

TEST(incremental_with_circular_logging_is_invalid)
{
    bkt b;
    REQUIRE(bkt_open(&b, "bk3", true) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    CHECK_ERR(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental),
              JET_errInvalidBackup);
    char d[1200];
    snprintf(d, sizeof d, "%s/bkdir", b.dir);
    CHECK_ERR(JetBackupInstance(b.inst, d, JET_bitBackupIncremental, NULL), JET_errInvalidBackup);
    /* a full backup works with circular logging and rolls the log */
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    uint32_t genLow;
    stream_db(&b, &genLow);
    JET_LOGINFO li;
    stream_logs(&b, &li);
    CHECK_OK(JetTruncateLogInstance(b.inst));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    bkt_close(&b);
}

/* An incremental after logs were lost since the last backup: GetLogInfo -> -569, and the
 * session ends. */
TEST(incremental_after_lost_logs)
{
    bkt b;
    REQUIRE(bkt_open(&b, "bk4", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1500) >= 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, 0));
    uint32_t genLow;
    stream_db(&b, &genLow);
    JET_LOGINFO li;
    stream_logs(&b, &li);
    CHECK_OK(JetTruncateLogInstance(b.inst));
    CHECK_OK(JetEndExternalBackupInstance(b.inst));
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1000, 800, 1500) >= 0);
    REQUIRE(bkt_reopen(&b, "bk4b") >= 0);
    /* the checkpoint is past FullPrev.genHigh + 1: drop every archive below it */
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(b.db, &m));
    int ndropped = 0;
    for (uint32_t g = 1; g <= m.bkinfoFullPrev.genHigh + 1; g++) {
        char p[1200];
        bkt_log_name(&b, g, p, sizeof p);
        if (unlink(p) == 0)
            ndropped++;
    }
    CHECK(ndropped > 0);
    CHECK_OK(JetBeginExternalBackupInstance(b.inst, JET_bitBackupIncremental));
    uint32_t cb;
    CHECK_ERR(JetGetLogInfoInstance(b.inst, NULL, 0, &cb), JET_errMissingFileToBackup);
    CHECK_ERR(JetEndExternalBackupInstance(b.inst), JET_errNoBackup);
    bkt_close(&b);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
