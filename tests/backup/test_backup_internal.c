/* test_backup_internal.c: JetBackupInstance (ese-backup-spec.md §2.11): a full backup into an
 * empty folder (database image with its trailer, a zero-length main.pat, the logs, no
 * checkpoint), JET_PFNSTATUS begin / progress / complete with cunitTotal 100, a non-empty
 * folder (JET_errBackupDirectoryNotEmpty), a missing folder (JET_paramCreatePathIfNotExist),
 * an incremental next to the full, JET_bitBackupAtomic's temp/new/old, and the NULL path
 * (truncation only).
 */
#include "backup/bk_trailer.h"
#include "bkt.h"

typedef struct cbstate {
    int nBegin, nProgress, nComplete, nBad;
    uint32_t lastDone;
} cbstate;
static cbstate g_cb;

static JET_ERR JET_API status_cb(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv)
{
    (void)sesid;
    if (snp != JET_snpBackup)
        g_cb.nBad++;
    const JET_SNPROG *p = pv;
    if (!p || p->cbStruct != sizeof(JET_SNPROG) || p->cunitTotal != 100 ||
        p->cunitDone > p->cunitTotal)
        g_cb.nBad++;
    else if (p->cunitDone < g_cb.lastDone)
        g_cb.nBad++;
    else
        g_cb.lastDone = p->cunitDone;
    if (snt == JET_sntBegin)
        g_cb.nBegin++;
    else if (snt == JET_sntProgress)
        g_cb.nProgress++;
    else if (snt == JET_sntComplete)
        g_cb.nComplete++;
    else
        g_cb.nBad++;
    return JET_errSuccess;
}

static int count_logs(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "edb", 3) == 0 && strstr(e->d_name, ".log"))
            n++;
    if (d)
        closedir(d);
    return n;
}

TEST(backup_to_folder)
{
    bkt b;
    REQUIRE(bkt_open(&b, "i1", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 500, 1500) >= 0);
    char bk[1200], p[1300];
    snprintf(bk, sizeof bk, "%s/backup", b.dir);
    /* missing folder without CreatePathIfNotExist */
    CHECK_ERR(JetBackupInstance(b.inst, bk, 0, NULL), JET_errInvalidPath);
    CHECK_OK(JetSetSystemParameter(&b.inst, 0, JET_paramCreatePathIfNotExist, 1, NULL));
    memset(&g_cb, 0, sizeof g_cb);
    CHECK_OK(JetBackupInstance(b.inst, bk, 0, status_cb));
    CHECK_EQ(g_cb.nBegin, 1);
    CHECK_EQ(g_cb.nComplete, 1);
    CHECK(g_cb.nProgress >= 1);
    CHECK_EQ(g_cb.nBad, 0);
    CHECK_EQ(g_cb.lastDone, 100);
    snprintf(p, sizeof p, "%s/main.pat", bk);
    struct stat st;
    CHECK(stat(p, &st) == 0 && st.st_size == 0);
    snprintf(p, sizeof p, "%s/edb.chk", bk);
    CHECK(!bkt_exists(p));
    snprintf(p, sizeof p, "%s/main.edb", bk);
    REQUIRE(stat(p, &st) == 0);
    const uint32_t pgnoLast = (uint32_t)(st.st_size / 8192) - 3;
    FILE *f = fopen(p, "rb");
    REQUIRE(f != NULL);
    uint8_t pg[8192];
    REQUIRE(fseek(f, (long)(st.st_size - 8192), SEEK_SET) == 0);
    REQUIRE(fread(pg, 1, sizeof pg, f) == sizeof pg);
    fclose(f);
    bj_bk_trailer t;
    CHECK_OK(bj_bk_trailer_decode(pg, 8192, pgnoLast, &t));
    const int nLogs = count_logs(bk);
    /* every log the image needs (genLow..genHigh) is in the folder */
    CHECK(nLogs >= (int)(t.bkinfo.genHigh - t.bkinfo.genLow + 1));
    for (uint32_t g = t.bkinfo.genLow; g <= t.bkinfo.genHigh; g++) {
        snprintf(p, sizeof p, "%s/edb%08X.log", bk, g);
        CHECK(bkt_exists(p));
    }
    JET_DBINFOMISC4 m;
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK_EQ(m.bkinfoFullPrev.genLow, t.bkinfo.genLow); /* JetBackup truncates: FullPrev */
    /* a full backup needs an empty folder */
    CHECK_ERR(JetBackupInstance(b.inst, bk, 0, NULL), JET_errBackupDirectoryNotEmpty);
    /* an incremental adds its logs next to the full */
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1000, 300, 1500) >= 0);
    CHECK_OK(JetBackupInstance(b.inst, bk, JET_bitBackupIncremental, NULL));
    CHECK(count_logs(bk) > nLogs);
    CHECK_OK(bkt_misc(b.db, &m));
    CHECK(m.bkinfoIncPrev.genLow != 0);
    CHECK(m.bkinfoIncPrev.genHigh >= m.bkinfoFullPrev.genHigh);
    /* truncate only */
    CHECK_OK(JetBackupInstance(b.inst, NULL, 0, NULL));
    bkt_close(&b);
}

TEST(atomic_backup_folders)
{
    bkt b;
    REQUIRE(bkt_open(&b, "i2", false) >= 0);
    REQUIRE(bkt_create_db(&b) >= 0);
    REQUIRE(bkt_insert(b.s, b.t, b.cId, b.cPay, 1, 100, 1500) >= 0);
    char bk[1200], p[1300];
    snprintf(bk, sizeof bk, "%s/abk", b.dir);
    mkdir(bk, 0755);
    CHECK_OK(JetBackupInstance(b.inst, bk, JET_bitBackupAtomic, NULL));
    snprintf(p, sizeof p, "%s/new/main.edb", bk);
    CHECK(bkt_exists(p));
    snprintf(p, sizeof p, "%s/temp", bk);
    CHECK(!bkt_exists(p));
    /* a second atomic full: new/ -> old/, then the new set in new/, old/ deleted */
    CHECK_OK(JetBackupInstance(b.inst, bk, JET_bitBackupAtomic, NULL));
    snprintf(p, sizeof p, "%s/new/main.edb", bk);
    CHECK(bkt_exists(p));
    snprintf(p, sizeof p, "%s/old", bk);
    CHECK(!bkt_exists(p));
    /* an atomic incremental goes into old/ (the previous new/) */
    CHECK_OK(JetBackupInstance(b.inst, bk, JET_bitBackupAtomic | JET_bitBackupIncremental, NULL));
    snprintf(p, sizeof p, "%s/old/main.edb", bk);
    CHECK(bkt_exists(p));
    snprintf(p, sizeof p, "%s/old", bk);
    CHECK(count_logs(p) >= 2);
    bkt_close(&b);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
