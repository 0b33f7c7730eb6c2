/* test_restore_pit.c: restore to a point in time (issue 4, beyond ESE): bj_restore_run with a
 * stop position and with a stop time (rows committed before are there, rows committed after
 * are not, the database is clean and passes `bluejet check`, the log continues with a new
 * stream so the old tail is never replayed); JetInit3 with JET_RSTINFO: a database remapped to
 * another path, lgposStop {0xFFFF, 0xFFFF, G} (after generation G), and a stop before the
 * state a database file already holds (-543). */
#include <fcntl.h>
#include <time.h>

#include "inst/restore.h"
#include "rst_env.h"

static uint32_t count_rows(rst_env *e, const char *path, int32_t *pmax)
{
    uint32_t c = 0;
    bool fOk = false;
    static bool rgf[2000];
    memset(rgf, 0, sizeof rgf);
    CHECK_OK(db_rows(e->rst, path, &c, rgf, 2000, &fOk));
    CHECK(fOk);
    int32_t max = 0;
    for (int32_t i = 1; i < 2000; i++)
        if (rgf[i])
            max = i;
    for (int32_t i = 1; i <= max; i++)
        if (!rgf[i]) {
            bj_test_fail(__FILE__, __LINE__, "row %d missing below %d", i, max);
            break;
        }
    *pmax = max;
    return c;
}

/* Source with rows 1..100, a backup, rows 101..150, then *plsn (the end of the log),
 * *ptm (a time between the two commits), rows 151..200; the later logs copied to e->rst. */
static void pit_source(rst_env *e, uint32_t *plo, uint32_t *phi, uint64_t *plsn, bj_logtime *ptm)
{
    env_dirs(e);
    REQUIRE_OK(env_open(e, 100));
    const char *dbs[] = {e->db};
    REQUIRE_OK(bk_fake_backup(e->inst, dbs, 1, e->bak, false, plo, phi));
    REQUIRE_OK(rows_insert(e, 101, 150));
    REQUIRE_OK(bk_fake_log_position(e->inst, NULL, plsn));
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    bj_logtime_now(ptm);
    nanosleep(&ts, NULL);
    REQUIRE_OK(rows_insert(e, 151, 200));
    env_close(e);
    REQUIRE_OK(copy_logs_after(e->src, e->rst, *phi));
}

static JET_ERR pit_restore(rst_env *e, const char *to, uint32_t lo, uint32_t hi, uint64_t lsn,
                           const bj_logtime *ptm, bj_restore_result *pres)
{
    char img[1100];
    snprintf(img, sizeof img, "%s/test.edb", e->bak);
    JET_ERR err = bk_copy_file(img, to);
    if (err < 0)
        return err;
    bj_restore_map map = {e->db, to};
    char log[1000];
    snprintf(log, sizeof log, "%s/", e->rst);
    bj_restore_params p = {.szBackupPath = e->bak,
                           .genLow = lo,
                           .genHigh = hi,
                           .rgmap = &map,
                           .cmap = 1,
                           .szLogPath = log,
                           .szSystemPath = log,
                           .lsnStop = lsn,
                           .fTimeStop = ptm != NULL,
                           .presult = pres};
    if (ptm)
        p.tmStop = *ptm;
    return bj_restore_run(&p);
}

TEST(stop_at_a_position)
{
    rst_env e;
    uint32_t lo, hi;
    uint64_t lsn;
    bj_logtime tm;
    pit_source(&e, &lo, &hi, &lsn, &tm);
    char to[1100];
    snprintf(to, sizeof to, "%s/pos.edb", e.rst);
    bj_restore_result res;
    CHECK_OK(pit_restore(&e, to, lo, hi, lsn, NULL, &res));
    CHECK(res.fStopped);
    CHECK(res.lsnEnd >= lsn); /* the first record not replayed: at or after the stop */
    CHECK(tool_check(to));
    int32_t max = 0;
    CHECK_EQ(count_rows(&e, to, &max), 150u);
    CHECK_EQ(max, 150);
    /* the log continues with a new stream after every old generation; a second JetInit there
     * (db_rows again) still sees 150 rows: the old tail is never replayed */
    JET_DBINFOMISC m;
    CHECK_OK(JetGetDatabaseFileInfo(to, &m, sizeof m, JET_DbInfoMisc));
    char lg[1200];
    snprintf(lg, sizeof lg, "%s/edb%08X.log", e.bak, lo);
    bj_log_hdr h;
    REQUIRE_OK(bj_log_read_header(bj_os_posix(), lg, &h));
    CHECK(memcmp(&m.signLog, &h.signLog, 4) != 0); /* another stream's random number */
    CHECK(count_rows(&e, to, &max) == 150u);
}

TEST(stop_at_a_time)
{
    rst_env e;
    uint32_t lo, hi;
    uint64_t lsn;
    bj_logtime tm;
    pit_source(&e, &lo, &hi, &lsn, &tm);
    char to[1100];
    snprintf(to, sizeof to, "%s/time.edb", e.rst);
    bj_restore_result res;
    CHECK_OK(pit_restore(&e, to, lo, hi, 0, &tm, &res));
    CHECK(res.fStopped);
    CHECK(tool_check(to));
    int32_t max = 0;
    CHECK_EQ(count_rows(&e, to, &max), 150u);
    /* a time after everything: the whole log, no stop */
    snprintf(to, sizeof to, "%s/late.edb", e.rst);
    strcat(e.rst, "b");
    mkdir(e.rst, 0755);
    REQUIRE_OK(copy_logs_after(e.src, e.rst, hi));
    snprintf(to, sizeof to, "%s/late.edb", e.rst);
    bj_logtime late = tm;
    late.year_since_1900 = (uint8_t)(late.year_since_1900 + 1);
    CHECK_OK(pit_restore(&e, to, lo, hi, 0, &late, &res));
    CHECK(!res.fStopped);
    CHECK_EQ(count_rows(&e, to, &max), 200u);
}

/* ---- JetInit3 ---- */

/* Rows 1..100 and a clean JetTerm; the database file saved; rows 101..150 in generation *pG,
 * a roll, rows 151..200; a crash. */
static void init3_source(rst_env *e, char *saved, size_t cb, uint32_t *pG)
{
    env_dirs(e);
    REQUIRE_OK(env_open(e, 100));
    env_close(e);
    snprintf(saved, cb, "%s/saved.edb", e->rst);
    REQUIRE_OK(bk_copy_file(e->db, saved));
    REQUIRE_OK(inst_start(e->src, &e->inst));
    REQUIRE_OK(JetBeginSession(e->inst, &e->ses, NULL, NULL));
    REQUIRE_OK(JetAttachDatabase(e->ses, e->db, 0));
    REQUIRE_OK(JetOpenDatabase(e->ses, e->db, NULL, &e->dbid, 0));
    REQUIRE_OK(JetOpenTable(e->ses, e->dbid, "t", NULL, 0, 0, &e->tbl));
    JET_COLUMNDEF cd;
    REQUIRE_OK(JetGetTableColumnInfo(e->ses, e->tbl, "id", &cd, sizeof cd, JET_ColInfo));
    e->colId = cd.columnid;
    REQUIRE_OK(JetGetTableColumnInfo(e->ses, e->tbl, "v", &cd, sizeof cd, JET_ColInfo));
    e->colV = cd.columnid;
    REQUIRE_OK(rows_insert(e, 101, 150));
    REQUIRE_OK(bk_fake_log_position(e->inst, pG, NULL));
    REQUIRE_OK(bk_fake_roll(e->inst));
    REQUIRE_OK(rows_insert(e, 151, 200));
    JetCloseTable(e->ses, e->tbl);
    JetEndSession(e->ses, 0);
    JetTerm2(e->inst, JET_bitTermDirty);
    e->inst = 0;
}

static JET_ERR init3(const char *dir, JET_RSTINFO *ri, JET_INSTANCE *pinst)
{
    static int n;
    char name[32], path[1200];
    JET_ERR err;
    snprintf(name, sizeof name, "i3_%d", n++);
    snprintf(path, sizeof path, "%s/", dir);
    if ((err = JetCreateInstance(pinst, name)) < 0)
        return err;
    JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, path);
    JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, path);
    JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, path);
    JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 256, NULL);
    return JetInit3(pinst, ri, 0);
}

TEST(jetinit3_remap_and_stop_after_generation)
{
    rst_env e;
    char saved[1100], moved[1100], chk[1100];
    uint32_t G = 0;
    init3_source(&e, saved, sizeof saved, &G);
    /* the saved (older) file at another path; replay from the first generation */
    snprintf(moved, sizeof moved, "%s/moved.edb", e.rst);
    REQUIRE(rename(saved, moved) == 0);
    snprintf(chk, sizeof chk, "%s/edb.chk", e.src);
    REQUIRE(unlink(chk) == 0);
    JET_RSTMAP map = {e.db, moved};
    JET_RSTINFO ri;
    memset(&ri, 0, sizeof ri);
    ri.cbStruct = sizeof ri;
    ri.rgrstmap = &map;
    ri.crstmap = 1;
    ri.lgposStop = (JET_LGPOS){0xFFFF, 0xFFFF, (int32_t)G};
    JET_INSTANCE inst = 0;
    CHECK_OK(init3(e.src, &ri, &inst));
    CHECK_OK(JetTerm(inst));
    CHECK(tool_check(moved));
    int32_t max = 0;
    strcpy(e.rst, e.src); /* db_rows opens an instance in the (continued) log folder */
    CHECK_EQ(count_rows(&e, moved, &max), 150u);
}

TEST(jetinit3_stop_before_the_file_543)
{
    rst_env e;
    char saved[1100], chk[1100];
    uint32_t G = 0;
    init3_source(&e, saved, sizeof saved, &G);
    /* the database in place holds changes of generation G + 1: a stop after G cannot be */
    snprintf(chk, sizeof chk, "%s/edb.chk", e.src);
    REQUIRE(unlink(chk) == 0);
    JET_RSTINFO ri;
    memset(&ri, 0, sizeof ri);
    ri.cbStruct = sizeof ri;
    ri.lgposStop = (JET_LGPOS){0xFFFF, 0xFFFF, (int32_t)G};
    JET_INSTANCE inst = 0;
    CHECK_ERR(init3(e.src, &ri, &inst), JET_errRequiredLogFilesMissing);
    /* without a stop the same files recover */
    ri.lgposStop = (JET_LGPOS){0, 0, 0};
    CHECK_OK(init3(e.src, &ri, &inst));
    CHECK_OK(JetTerm(inst));
}

static int g_cbBegin, g_cbProgress, g_cbComplete, g_cbBadCtx;

static JET_ERR JET_API init_cb(JET_SNP snp, JET_SNT snt, void *pv, void *ctx)
{
    (void)pv;
    if (ctx != &g_cbBegin || snp != JET_snpRestore)
        g_cbBadCtx++;
    g_cbBegin += snt == JET_sntBegin;
    g_cbProgress += snt == JET_sntProgress;
    g_cbComplete += snt == JET_sntComplete;
    return JET_errSuccess;
}

TEST(jetinit4_map_by_signature_and_checks)
{
    rst_env e;
    char saved[1100], moved[1100], chk[1100];
    uint32_t G = 0;
    init3_source(&e, saved, sizeof saved, &G);
    snprintf(moved, sizeof moved, "%s/bysign.edb", e.rst);
    REQUIRE(rename(saved, moved) == 0);
    snprintf(chk, sizeof chk, "%s/edb.chk", e.src);
    REQUIRE(unlink(chk) == 0);
    JET_RSTMAP2 map;
    memset(&map, 0, sizeof map);
    map.cbStruct = sizeof map;
    map.szNewDatabaseName = moved; /* no source: the database with this file's signature */
    JET_RSTINFO2 ri;
    memset(&ri, 0, sizeof ri);
    ri.cbStruct = sizeof ri;
    ri.rgrstmap = &map;
    ri.crstmap = 1;
    ri.pfnCallback = init_cb;
    ri.pvCallbackContext = &g_cbBegin;
    JET_INSTANCE inst = 0;
    /* argument checks first */
    map.grbit = 0x100;
    CHECK_ERR(JetInit4(&inst, &ri, 0), JET_errInvalidGrbit);
    map.grbit = 0;
    map.szNewDatabaseName = NULL;
    CHECK_ERR(JetInit4(&inst, &ri, 0), JET_errDatabaseInvalidName);
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/none.edb", e.rst);
    map.szNewDatabaseName = missing;
    map.grbit = JET_bitRestoreMapFailWhenMissing;
    CHECK_ERR(JetInit4(&inst, &ri, 0), JET_errFileNotFound);
    map.grbit = 0;
    map.csetdbparam = 1;
    CHECK_ERR(JetInit4(&inst, &ri, 0), JET_errInvalidParameter);
    map.csetdbparam = 0;
    ri.cbStruct = sizeof(JET_RSTINFO);
    CHECK_ERR(JetInit4(&inst, &ri, 0), JET_errInvalidParameter);
    ri.cbStruct = sizeof ri;
    map.szNewDatabaseName = moved;
    /* stop after generation G; replay goes to the file with the database's signature */
    ri.lgposStop = (JET_LGPOS){0xFFFF, 0xFFFF, (int32_t)G};
    char path[1200], name[32];
    snprintf(path, sizeof path, "%s/", e.src);
    snprintf(name, sizeof name, "i4");
    REQUIRE_OK(JetCreateInstance(&inst, name));
    JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, path);
    JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, path);
    JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, path);
    JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 256, NULL);
    g_cbBegin = g_cbProgress = g_cbComplete = g_cbBadCtx = 0;
    CHECK_OK(JetInit4(&inst, &ri, 0));
    CHECK_OK(JetTerm(inst));
    CHECK(g_cbBegin == 1 && g_cbProgress >= 1 && g_cbComplete == 1 && g_cbBadCtx == 0);
    int32_t max = 0;
    strcpy(e.rst, e.src);
    CHECK_EQ(count_rows(&e, moved, &max), 150u);
    /* the file at the logged path was not used by the replay: still as the crash left it */
    uint32_t state = 0;
    bool fZero;
    CHECK_OK(db_state(e.db, &state, &fZero));
    CHECK_EQ(state, JET_dbstateDirtyShutdown);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
