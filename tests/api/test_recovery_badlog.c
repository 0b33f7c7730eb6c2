/* test_recovery_badlog.c: crash recovery with bad logs (issue 3). A child process writes a
 * database through many log generations (128 KiB log files, one durable commit per 500-byte
 * row), keeps a transaction open from the start (so the checkpoint stays at generation 1) and
 * another at the end, and dies without JetTerm. The parent keeps a pristine copy of that
 * folder and, per case, damages a copy in the original place (the log records the database's
 * path), then runs JetInit:
 *   torn or zeroed tail of edb.log       JetInit succeeds, the committed rows before the damage
 *                                        are there, nothing of an unfinished transaction;
 *   checksum failure in an archive       JET_errLogFileCorrupt
 *   a generation missing in the middle   JET_errMissingLogFile
 *   a generation of another stream       JET_errBadLogSignature
 *   the database needs later logs        JET_errRequiredLogFilesMissing (ESE's
 *                                        LOG::ErrLGCheckDatabaseGens: lGenMaxRequired first)
 *   the checkpoint's generation missing  JET_errMissingPreviousLogFile
 *   a file under another generation name JET_errLogGenerationMismatch
 * (codes per ../shared/ref/ese-backup-spec.md §7.4). Every failing JetInit must leave every file
 * of the folder byte-identical (the database still DirtyShutdown); then the good files are put
 * back and recovery must succeed with every committed row. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esent.h"
#include "log/log.h"
#include "testlib.h"

#define C_ID 1
#define C_TXT 256
#define CB_VAL 500
#define ID_OPEN_FIRST 999999 /* the transaction open from the start */
#define ID_OPEN_LAST 1000000 /* the transaction open at the crash: 1000000.. */
#define N_LAZY 8             /* rows committed lazily at the end, after the durable ones */

static char g_root[1024];
static char g_w[1100], g_p[1100], g_e[1100], g_o[1100], g_db[1200];
/* commits surely in archives; the last durable commit; the last (lazily) committed row */
static int32_t g_idSafe, g_idLast, g_idAll;
static bool g_ready;

/* ---- files ---- */

static void path_in(char *out, size_t cb, const char *dir, const char *name)
{
    snprintf(out, cb, "%s/%s", dir, name);
}

static bool copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY), out = -1;
    bool ok = false;
    static char buf[65536];
    if (in < 0)
        return false;
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        goto done;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0)
            goto done;
        if (n == 0)
            break;
        if (write(out, buf, (size_t)n) != n)
            goto done;
    }
    ok = fsync(out) == 0;
done:
    close(in);
    if (out >= 0)
        close(out);
    return ok;
}

/* Copies the files (not folders) of src whose name starts with prefix ("" = all) into dst. */
static bool copy_dir(const char *src, const char *dst, const char *prefix)
{
    DIR *d = opendir(src);
    bool ok = d != NULL;
    struct dirent *e;
    mkdir(dst, 0755);
    while (ok && (e = readdir(d)) != NULL) {
        char a[1400], b[1400];
        struct stat st;
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        path_in(a, sizeof a, src, e->d_name);
        if (stat(a, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        path_in(b, sizeof b, dst, e->d_name);
        ok = copy_file(a, b);
    }
    if (d)
        closedir(d);
    return ok;
}

/* Removes the files of dir (not the folder). */
static void wipe_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char a[1400];
        struct stat st;
        path_in(a, sizeof a, dir, e->d_name);
        if (stat(a, &st) == 0 && S_ISREG(st.st_mode))
            unlink(a);
    }
    closedir(d);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char a[1400];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        path_in(a, sizeof a, dir, e->d_name);
        if (lstat(a, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(a);
        else
            unlink(a);
    }
    closedir(d);
    rmdir(dir);
}

static bool exists_in(const char *dir, const char *name)
{
    char p[1400];
    path_in(p, sizeof p, dir, name);
    return access(p, F_OK) == 0;
}

static bool gen_exists(const char *dir, uint32_t gen)
{
    char name[32];
    snprintf(name, sizeof name, "edb%08X.log", gen);
    return exists_in(dir, name);
}

/* A folder's files: names, sizes and content hashes. */
#define SNAP_MAX 64
typedef struct snap {
    int n;
    char name[SNAP_MAX][256];
    uint64_t cb[SNAP_MAX], hash[SNAP_MAX];
} snap;

static uint64_t hash_file(const char *p, uint64_t *pcb)
{
    uint64_t h = 1469598103934665603ull;
    static unsigned char buf[65536];
    int fd = open(p, O_RDONLY);
    *pcb = 0;
    if (fd < 0)
        return 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
        *pcb += (uint64_t)n;
    }
    close(fd);
    return h;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void take_snap(const char *dir, snap *s)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    memset(s, 0, sizeof *s);
    while (d && (e = readdir(d)) != NULL) {
        char a[1400];
        struct stat st;
        path_in(a, sizeof a, dir, e->d_name);
        if (stat(a, &st) != 0 || !S_ISREG(st.st_mode) || s->n == SNAP_MAX)
            continue;
        snprintf(s->name[s->n++], sizeof s->name[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(s->name, (size_t)s->n, sizeof s->name[0], cmp_names);
    for (int i = 0; i < s->n; i++) {
        char a[1400];
        path_in(a, sizeof a, dir, s->name[i]);
        s->hash[i] = hash_file(a, &s->cb[i]);
    }
}

/* Checks that dir still holds exactly the files of *before, byte for byte. */
static void check_unchanged(const char *dir, const snap *before, const char *what)
{
    snap *now = malloc(sizeof *now);
    REQUIRE(now);
    take_snap(dir, now);
    if (now->n != before->n) {
        bj_test_fail(__FILE__, __LINE__, "%s: %d files before, %d after", what, before->n, now->n);
        for (int i = 0; i < now->n; i++)
            fprintf(stderr, "  now: %s\n", now->name[i]);
    }
    for (int i = 0; i < before->n && i < now->n; i++) {
        if (strcmp(before->name[i], now->name[i]) != 0 || before->cb[i] != now->cb[i] ||
            before->hash[i] != now->hash[i])
            bj_test_fail(__FILE__, __LINE__, "%s: %s changed (now %s)", what, before->name[i],
                         now->name[i]);
    }
    free(now);
}

/* The written data of a log file: *pisegEnd = the segment after the last one that names its
 * generation and index (from segment 3 on), *pisegFlushLast = the first segment of the write
 * that wrote the last one (segment header field isegFlush). False when unreadable. */
static bool log_written(const char *p, uint32_t *pgen, uint32_t *pisegEnd, uint32_t *pisegFlushLast)
{
    bj_log_hdr h;
    static unsigned char seg[4096];
    if (bj_log_read_header(bj_os_posix(), p, &h) < 0)
        return false;
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return false;
    *pgen = h.gen;
    *pisegEnd = 3;
    *pisegFlushLast = 0;
    for (uint32_t i = 3; i < h.cbLogFile / 4096; i++) {
        if (pread(fd, seg, 4096, (off_t)i * 4096) != 4096)
            break;
        if (bj_ld32(seg + 8) != h.gen || bj_ld32(seg + 12) != i)
            break;
        *pisegFlushLast = bj_ld32(seg + 16);
        *pisegEnd = i + 1;
    }
    close(fd);
    return true;
}

/* ---- the engine ---- */

static JET_ERR inst_open(const char *dir, JET_INSTANCE *pinst, JET_SESID *ps)
{
    JET_ERR err;
    char d[1200];
    snprintf(d, sizeof d, "%s/", dir);
    if ((err = JetCreateInstance(pinst, "badlog")) < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, d)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, d)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, d)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 128, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        return err;
    }
    return JetBeginSession(*pinst, ps, NULL, NULL);
}

static void value_of(int32_t id, unsigned char *v)
{
    for (uint32_t j = 0; j < CB_VAL; j++)
        v[j] = (unsigned char)(id * 31 + (int32_t)j * 7);
}

static JET_ERR ins(JET_SESID s, JET_TABLEID t, int32_t id)
{
    unsigned char v[CB_VAL];
    value_of(id, v);
    JET_ERR err = JetPrepareUpdate(s, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(s, t, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_TXT, v, CB_VAL, 0, NULL);
    if (err >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    return err;
}

static JET_ERR make_table(JET_SESID s, JET_DBID db, JET_TABLEID *pt)
{
    JET_ERR err = JetCreateTable(s, db, "t", 0, 100, pt);
    JET_COLUMNDEF cd = {sizeof(cd), 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnFixed};
    JET_COLUMNDEF lt = {sizeof(lt), 0, JET_coltypLongBinary, 0, 0, 0, 0, 0, JET_bitColumnTagged};
    JET_COLUMNID col;
    if (err >= 0)
        err = JetAddColumn(s, *pt, "id", &cd, NULL, 0, &col);
    if (err >= 0)
        err = JetAddColumn(s, *pt, "txt", &lt, NULL, 0, &col);
    if (err >= 0)
        err = JetCreateIndex(s, *pt, "pk", JET_bitIndexPrimary, "+id\0", 5, 100);
    return err;
}

/* The child: see the top. dir: its folder; early: where to copy the logs once generation 2 is
 * finished (NULL: none); ids: where to write "idSafe idLast". Never returns on success. */
static int child_work(const char *dir, const char *early, const char *ids)
{
    JET_INSTANCE inst;
    JET_SESID s, s2, s3;
    JET_DBID db;
    JET_TABLEID t, t2;
    char szDb[1200];
    path_in(szDb, sizeof szDb, dir, "r.edb");
    if (inst_open(dir, &inst, &s) < 0 || JetCreateDatabase(s, szDb, NULL, &db, 0) < 0 ||
        JetBeginTransaction(s) < 0 || make_table(s, db, &t) < 0 || JetCommitTransaction(s, 0) < 0)
        return 10;
    /* a transaction open from the start holds the checkpoint at generation 1 */
    if (JetBeginSession(inst, &s2, NULL, NULL) < 0 || JetOpenDatabase(s2, szDb, NULL, &db, 0) < 0 ||
        JetOpenTable(s2, db, "t", NULL, 0, 0, &t2) < 0 || JetBeginTransaction(s2) < 0 ||
        ins(s2, t2, ID_OPEN_FIRST) < 0)
        return 11;
    uint32_t genArch = 0, since = 0;
    int32_t idSafe = 0, id;
    bool fEarly = early == NULL;
    for (id = 1;; id++) {
        if (id > 20000)
            return 12;
        if (JetBeginTransaction(s) < 0 || ins(s, t, id) < 0 || JetCommitTransaction(s, 0) < 0)
            return 13;
        bool fRolled = false;
        while (gen_exists(dir, genArch + 1)) {
            genArch++;
            fRolled = true;
        }
        if (fRolled) { /* commit id - 1 ended before the roll: its record is in an archive */
            idSafe = id - 1;
            since = 0;
        } else {
            since++;
        }
        if (!fEarly && genArch >= 2) {
            if (!copy_dir(dir, early, "edb"))
                return 14;
            fEarly = true;
        }
        /* at least 5 finished generations, and room in edb.log for the end below */
        char szCur[1300];
        uint32_t gen, isegEnd, isegFlush;
        path_in(szCur, sizeof szCur, dir, "edb.log");
        if (genArch >= 5 && since >= 3 && log_written(szCur, &gen, &isegEnd, &isegFlush) &&
            isegEnd <= 8)
            break;
    }
    /* the end: a transaction left open, then rows committed lazily (never acknowledged as
     * durable), and one flush of all of it: the last write, the one a crash may tear */
    if (JetBeginTransaction(s) < 0)
        return 16;
    for (int32_t i = 0; i < 4; i++)
        if (ins(s, t, ID_OPEN_LAST + i) < 0)
            return 17;
    JET_TABLEID t3;
    if (JetBeginSession(inst, &s3, NULL, NULL) < 0 || JetOpenDatabase(s3, szDb, NULL, &db, 0) < 0 ||
        JetOpenTable(s3, db, "t", NULL, 0, 0, &t3) < 0)
        return 18;
    for (int32_t i = 1; i <= N_LAZY; i++)
        if (JetBeginTransaction(s3) < 0 || ins(s3, t3, id + i) < 0 ||
            JetCommitTransaction(s3, JET_bitCommitLazyFlush) < 0)
            return 19;
    FILE *f = fopen(ids, "w");
    if (!f)
        return 15;
    fprintf(f, "%d %d\n", idSafe, id);
    fclose(f);
    if (JetCommitTransaction2(s3, JET_bitWaitAllLevel0Commit, 0, NULL) < 0)
        return 20;
    _exit(0); /* the crash */
}

static bool run_child(const char *dir, const char *early, const char *ids)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_work(dir, early, ids));
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "child for %s: status %d\n", dir, st);
        return false;
    }
    return true;
}

/* Makes the pristine crashed folder (once): g_p, the early log copy g_e, the other stream g_o. */
static bool setup(void)
{
    if (g_ready)
        return true;
    char ids[1200];
    snprintf(g_w, sizeof g_w, "%s/w", g_root);
    snprintf(g_p, sizeof g_p, "%s/p", g_root);
    snprintf(g_e, sizeof g_e, "%s/e", g_root);
    snprintf(g_o, sizeof g_o, "%s/o", g_root);
    path_in(g_db, sizeof g_db, g_w, "r.edb");
    mkdir(g_w, 0755);
    mkdir(g_o, 0755);
    mkdir(g_e, 0755);
    path_in(ids, sizeof ids, g_root, "ids.txt");
    if (!run_child(g_w, g_e, ids))
        return false;
    FILE *f = fopen(ids, "r");
    if (!f || fscanf(f, "%d %d", &g_idSafe, &g_idLast) != 2) {
        if (f)
            fclose(f);
        return false;
    }
    fclose(f);
    g_idAll = g_idLast + N_LAZY;
    path_in(ids, sizeof ids, g_root, "ids-other.txt");
    if (!copy_dir(g_w, g_p, "") || !run_child(g_o, NULL, ids))
        return false;
    fprintf(stderr, "setup: rows 1..%d durable, 1..%d committed, 1..%d in archives\n", g_idLast,
            g_idAll, g_idSafe);
    g_ready = true;
    return true;
}

/* Puts the pristine crashed folder in place. */
static bool restore_pristine(void)
{
    wipe_dir(g_w);
    return copy_dir(g_p, g_w, "");
}

static uint32_t checkpoint_gen(const char *dir)
{
    bj_chk_info *ci = calloc(1, sizeof *ci);
    uint32_t g = 0;
    if (ci && bj_chk_read(bj_os_posix(), dir, "edb", ci) >= 0)
        g = BJ_LSN_GEN(ci->lsnCheckpoint);
    free(ci);
    return g;
}

static uint32_t dbstate(void)
{
    JET_DBINFOMISC4 misc;
    memset(&misc, 0, sizeof misc);
    if (JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc) < 0)
        return 0;
    return misc.dbstate;
}

/* Recovery on g_w; then the rows must be exactly 1..k for some k in [kMin, kMax], with their
 * values, and nothing of the unfinished transactions. Returns k (-1 on failure). */
static int32_t recover_and_check(int32_t kMin, int32_t kMax)
{
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    int32_t k = 0;
    bool fOk = true;
    JET_ERR err = inst_open(g_w, &inst, &s);
    CHECK_OK(err);
    if (err < 0)
        return -1;
    CHECK_EQ(dbstate(), JET_dbstateCleanShutdown);
    CHECK_OK(JetAttachDatabase(s, g_db, 0));
    CHECK_OK(JetOpenDatabase(s, g_db, NULL, &db, 0));
    err = JetOpenTable(s, db, "t", NULL, 0, 0, &t);
    CHECK_OK(err);
    for (err = err < 0 ? err : JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0)) {
        int32_t id = 0;
        unsigned char v[CB_VAL + 8], want[CB_VAL];
        uint32_t cb = 0;
        CHECK_OK(JetRetrieveColumn(s, t, C_ID, &id, 4, &cb, 0, NULL));
        CHECK_OK(JetRetrieveColumn(s, t, C_TXT, v, sizeof v, &cb, 0, NULL));
        value_of(id, want);
        if (id != k + 1 || cb != CB_VAL || memcmp(v, want, CB_VAL) != 0) {
            if (fOk)
                bj_test_fail(__FILE__, __LINE__, "row %d after %d (cb %u)", id, k, cb);
            fOk = false;
        }
        k = id;
    }
    CHECK_ERR(err, JET_errNoCurrentRecord);
    CHECK(k >= kMin && k <= kMax);
    if (k < kMin || k > kMax)
        fprintf(stderr, "recovered rows 1..%d, expected %d..%d\n", k, kMin, kMax);
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    return fOk ? k : -1;
}

/* A failing case: JetInit on g_w (as damaged) must return want and change no file; then the
 * pristine files are put back and recovery finds every committed row. */
static void expect_failure(JET_ERR want, const char *what)
{
    snap *before = malloc(sizeof *before);
    REQUIRE(before);
    take_snap(g_w, before);
    CHECK_EQ(dbstate(), JET_dbstateDirtyShutdown);
    JET_INSTANCE inst;
    JET_SESID s;
    JET_ERR err = inst_open(g_w, &inst, &s);
    if (err != want)
        bj_test_fail(__FILE__, __LINE__, "%s: JetInit returned %d, expected %d", what, (int)err,
                     (int)want);
    if (err >= 0) {
        JetEndSession(s, 0);
        JetTerm(inst);
    }
    check_unchanged(g_w, before, what);
    CHECK_EQ(dbstate(), JET_dbstateDirtyShutdown);
    free(before);
    /* the failure changed nothing that prevents recovery with the good files */
    REQUIRE(restore_pristine());
    CHECK_EQ(recover_and_check(g_idAll, g_idAll), g_idAll);
}

static bool file_patch(const char *p, long off, const void *pv, size_t cb)
{
    int fd = open(p, O_WRONLY);
    bool ok = fd >= 0 && pwrite(fd, pv, cb, off) == (ssize_t)cb && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static bool gen_path(char *out, size_t cb, const char *dir, uint32_t gen)
{
    char name[32];
    snprintf(name, sizeof name, "edb%08X.log", gen);
    path_in(out, cb, dir, name);
    return access(out, F_OK) == 0;
}

/* ---- the cases ---- */

TEST(setup_is_as_intended)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    for (uint32_t g = 1; g <= 5; g++)
        CHECK(gen_exists(g_w, g));
    CHECK(exists_in(g_w, "edb.log"));
    CHECK(gen_exists(g_o, 3));
    /* the checkpoint cannot pass the first record of the transaction open from the start */
    CHECK_EQ(checkpoint_gen(g_w), 1u);
    CHECK_EQ(dbstate(), JET_dbstateDirtyShutdown);
    CHECK(g_idSafe >= 1 && g_idSafe < g_idLast);
    /* the good files recover: every committed row, nothing of the open transactions */
    CHECK_EQ(recover_and_check(g_idAll, g_idAll), g_idAll);
}

/* The last write of edb.log torn: its later segments zeroed (they never reached the disk), or
 * the first of those overwritten with garbage (a torn sector) and the rest zeroed. That write
 * held the open transaction's records and the lazy commits after it (segment header field
 * isegFlush tells which segments one write wrote). Recovery ends at the last complete record
 * and succeeds: every durable commit is there, the lazy ones up to the tear, and nothing of the
 * open transactions. */
static void torn_tail(bool fGarbage)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char p[1400];
    path_in(p, sizeof p, g_w, "edb.log");
    static unsigned char seg[4096];
    uint32_t gen = 0, isegEnd = 0, isegFlushLast = 0;
    REQUIRE(log_written(p, &gen, &isegEnd, &isegFlushLast));
    REQUIRE(isegFlushLast >= 3 && isegFlushLast < isegEnd);
    const uint32_t nFlush = isegEnd - isegFlushLast;
    fprintf(stderr, "edb.log generation %u: segments 3..%u written, the last write %u segments\n",
            gen, isegEnd - 1, nFlush);
    REQUIRE(nFlush >= 4);
    const uint32_t first = isegEnd - 2; /* the last two segments of the last write */
    for (uint32_t i = first; i < isegEnd; i++) {
        for (uint32_t j = 0; j < 4096; j++)
            seg[j] = fGarbage && i == first ? (unsigned char)(j * 13 + 5) : 0;
        REQUIRE(file_patch(p, (long)i * 4096, seg, 4096));
    }
    int32_t k = recover_and_check(g_idLast, g_idAll - 1);
    CHECK(k > g_idLast); /* the lazy commits before the tear are there */
    fprintf(stderr, "torn tail (%s): rows 1..%d recovered (durable 1..%d, committed 1..%d)\n",
            fGarbage ? "garbage" : "zeroes", k, g_idLast, g_idAll);
}

TEST(torn_tail_zeroed)
{
    torn_tail(false);
}

TEST(torn_tail_garbage)
{
    torn_tail(true);
}

TEST(checksum_failure_in_archive)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char p[1400];
    REQUIRE(gen_path(p, sizeof p, g_w, 2));
    unsigned char b = 0;
    int fd = open(p, O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(pread(fd, &b, 1, 5 * 4096 + 1000) == 1);
    close(fd);
    b ^= 0x20;
    REQUIRE(file_patch(p, 5 * 4096 + 1000, &b, 1));
    expect_failure(JET_errLogFileCorrupt, "byte flipped in edb00000002.log");
}

/* A durable segment of edb.log gone bad: later segments were written by later writes, so this
 * is no torn tail. */
TEST(checksum_failure_in_current_log)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char p[1400];
    path_in(p, sizeof p, g_w, "edb.log");
    uint32_t gen = 0, isegEnd = 0, isegFlushLast = 0;
    REQUIRE(log_written(p, &gen, &isegEnd, &isegFlushLast));
    if (isegFlushLast <= 3) {
        printf("SKIP checksum_failure_in_current_log: edb.log holds one write only\n");
        return;
    }
    const long off = 3 * 4096 + 2000; /* a segment of an earlier write */
    unsigned char b = 0;
    int fd = open(p, O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(pread(fd, &b, 1, off) == 1);
    close(fd);
    b ^= 0x01;
    REQUIRE(file_patch(p, off, &b, 1));
    expect_failure(JET_errLogFileCorrupt, "byte flipped in an early segment of edb.log");
}

TEST(missing_generation)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    REQUIRE(checkpoint_gen(g_w) == 1);
    char p[1400];
    REQUIRE(gen_path(p, sizeof p, g_w, 2));
    REQUIRE(unlink(p) == 0);
    expect_failure(JET_errMissingLogFile, "edb00000002.log deleted");
}

TEST(generation_of_another_stream)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char a[1400], b[1400];
    REQUIRE(gen_path(a, sizeof a, g_o, 3));
    REQUIRE(gen_path(b, sizeof b, g_w, 3));
    REQUIRE(copy_file(a, b));
    expect_failure(JET_errBadLogSignature, "edb00000003.log of another stream");
}

/* edb.log of another stream with the generation ours would have. */
TEST(current_log_of_another_stream)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char a[1400], b[1400];
    bj_log_hdr ha, hb;
    path_in(a, sizeof a, g_o, "edb.log");
    path_in(b, sizeof b, g_w, "edb.log");
    REQUIRE_OK(bj_log_read_header(bj_os_posix(), a, &ha));
    REQUIRE_OK(bj_log_read_header(bj_os_posix(), b, &hb));
    if (ha.gen != hb.gen) {
        printf("SKIP current_log_of_another_stream: the other run ended in generation %u, not %u\n",
               ha.gen, hb.gen);
        return;
    }
    REQUIRE(copy_file(a, b));
    expect_failure(JET_errBadLogSignature, "edb.log of another stream");
}

TEST(database_needs_logs_that_are_gone)
{
    REQUIRE(setup());
    /* the logs and checkpoint as they were when generation 2 was finished, with the database
     * as it was at the crash (it needs generations beyond those) */
    wipe_dir(g_w);
    REQUIRE(copy_dir(g_e, g_w, ""));
    char a[1400];
    path_in(a, sizeof a, g_p, "r.edb");
    REQUIRE(copy_file(a, g_db));
    path_in(a, sizeof a, g_w, "edb.log");
    bj_log_hdr h;
    REQUIRE_OK(bj_log_read_header(bj_os_posix(), a, &h));
    JET_DBINFOMISC4 misc;
    REQUIRE_OK(JetGetDatabaseFileInfo(g_db, &misc, sizeof misc, JET_DbInfoMisc));
    fprintf(stderr, "early edb.log generation %u, database needs %d..%d\n", h.gen,
            (int)misc.genMinRequired, (int)misc.genMaxRequired);
    CHECK(misc.genMaxRequired > h.gen);
    expect_failure(JET_errRequiredLogFilesMissing, "database needs generations that are gone");
}

TEST(checkpoint_generation_missing)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    REQUIRE(checkpoint_gen(g_w) == 1);
    char p[1400];
    REQUIRE(gen_path(p, sizeof p, g_w, 1));
    REQUIRE(unlink(p) == 0);
    expect_failure(JET_errMissingPreviousLogFile, "edb00000001.log deleted");
}

TEST(renamed_generation)
{
    REQUIRE(setup());
    REQUIRE(restore_pristine());
    char a[1400], b[1400];
    REQUIRE(gen_path(a, sizeof a, g_w, 2));
    REQUIRE(gen_path(b, sizeof b, g_w, 3));
    REQUIRE(copy_file(a, b));
    expect_failure(JET_errLogGenerationMismatch, "edb00000002.log copied as generation 3");
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_root, sizeof g_root, "%s/bj-badlog-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = bj_test_main(argc, argv);
    if (rc == 0 && !getenv("BJ_KEEP"))
        remove_tree(g_root);
    else
        fprintf(stderr, "files kept in %s\n", g_root);
    return rc;
}
