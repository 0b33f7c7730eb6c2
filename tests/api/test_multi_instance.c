/* test_multi_instance.c: several instances in one process at the same time, through esent.h:
 * two instances (JetCreateInstance x2), each with its own database, written by two threads
 * at once (inserts in transactions, replaces, deletes, index seeks); a third thread reads a
 * Windows-written sample database in a third instance meanwhile. Afterwards the row counts and
 * index counts are right and `bluejet check` ($BJ_TOOL) finds the written databases clean.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "test_keys_env.h"

enum { NWRITE = 1500, BATCH = 50 };

typedef struct wjob {
    kenv e;
    char name[16];
    int32_t seed;
    int rc;        /* 0 ok, else the failing step */
    int32_t crow;  /* rows left */
    int32_t cidx;  /* entries of index "v" */
} wjob;

static JET_ERR ins_w(kenv *e, JET_TABLEID t, int32_t id, int32_t v, const char *s)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 2, &v, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 128, s, (uint32_t)strlen(s), 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

static int count_rows(kenv *e, JET_TABLEID t, const char *idx)
{
    if (JetSetCurrentIndex(e->ses, t, idx) < 0)
        return -1;
    return kscan(e, t, true, NULL, 0);
}

static void *writer(void *p)
{
    wjob *j = p;
    kenv *e = &j->e;
    JET_TABLEID t;
    JET_COLUMNID ids[2];
    kcol cols[] = {{"v", JET_coltypLong, 4, 0, 0}, {"s", JET_coltypText, 255, 0, 1252}};
    kidx idx[] = {{"v", KKEY("-v\0"), 0}, {"s", KKEY("+s\0+v\0"), 0}};
    j->rc = 1;
    if (ktable(e, "W", cols, 2, true, idx, 2, ids, &t) < 0)
        return NULL;
    j->rc = 2;
    char s[32];
    for (int32_t i = 0; i < NWRITE; i += BATCH) {
        if (JetBeginTransaction(e->ses) < 0)
            return NULL;
        for (int32_t k = i; k < i + BATCH; k++) {
            snprintf(s, sizeof s, "%s-%05d", j->name, (int)((k * 37 + j->seed) % NWRITE));
            if (ins_w(e, t, k + 1, (k * 7 + j->seed) % 101, s) < 0)
                return NULL;
        }
        if (JetCommitTransaction(e->ses, 0) < 0)
            return NULL;
    }
    /* delete every 5th row, replace the text of every 3rd remaining one */
    j->rc = 3;
    if (JetSetCurrentIndex(e->ses, t, "pk") < 0)
        return NULL;
    int32_t cdel = 0;
    for (int32_t id = 5; id <= NWRITE; id += 5) {
        if (JetBeginTransaction(e->ses) < 0 || JetMakeKey(e->ses, t, &id, 4, JET_bitNewKey) < 0 ||
            JetSeek(e->ses, t, JET_bitSeekEQ) < 0 || JetDelete(e->ses, t) < 0 ||
            JetCommitTransaction(e->ses, 0) < 0)
            return NULL;
        cdel++;
    }
    j->rc = 4;
    for (int32_t id = 3; id <= NWRITE; id += 3) {
        if (id % 5 == 0)
            continue;
        snprintf(s, sizeof s, "%s-r%05d", j->name, (int)id);
        if (JetBeginTransaction(e->ses) < 0 || JetMakeKey(e->ses, t, &id, 4, JET_bitNewKey) < 0 ||
            JetSeek(e->ses, t, JET_bitSeekEQ) < 0 ||
            JetPrepareUpdate(e->ses, t, JET_prepReplace) < 0 ||
            JetSetColumn(e->ses, t, 128, s, (uint32_t)strlen(s), 0, NULL) < 0 ||
            JetUpdate(e->ses, t, NULL, 0, NULL) < 0 || JetCommitTransaction(e->ses, 0) < 0)
            return NULL;
    }
    j->rc = 5;
    j->crow = count_rows(e, t, "pk");
    j->cidx = count_rows(e, t, "s");
    if (j->crow != NWRITE - cdel || j->cidx != j->crow || count_rows(e, t, "v") != j->crow)
        return NULL;
    /* a prefix range over the replaced texts: every 3rd id not deleted */
    j->rc = 6;
    char pfx[24];
    snprintf(pfx, sizeof pfx, "%s-r", j->name);
    int32_t want = 0;
    for (int32_t id = 3; id <= NWRITE; id += 3)
        want += id % 5 != 0;
    if (JetSetCurrentIndex(e->ses, t, "s") < 0 ||
        JetMakeKey(e->ses, t, pfx, (uint32_t)strlen(pfx),
                   JET_bitNewKey | JET_bitPartialColumnStartLimit) < 0 ||
        JetSeek(e->ses, t, JET_bitSeekGE) < 0 ||
        JetMakeKey(e->ses, t, pfx, (uint32_t)strlen(pfx),
                   JET_bitNewKey | JET_bitPartialColumnEndLimit) < 0 ||
        JetSetIndexRange(e->ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive) < 0)
        return NULL;
    uint32_t c = 0;
    if (JetIndexRecordCount(e->ses, t, &c, 0) < 0 || (int32_t)c != want)
        return NULL;
    if (JetCloseTable(e->ses, t) < 0)
        return NULL;
    j->rc = 0;
    return NULL;
}

typedef struct rjob {
    char path[700];
    char dir[600];
    int rc;
    int cpass;
    int crow;
} rjob;

static void *reader(void *p)
{
    rjob *r = p;
    JET_INSTANCE inst = 0;
    JET_SESID ses = 0;
    JET_DBID db = 0;
    JET_TABLEID t = 0;
    r->rc = 1;
    if (JetCreateInstance(&inst, "mi_reader") < 0 ||
        JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, r->dir) < 0 ||
        JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, r->dir) < 0 ||
        JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, r->dir) < 0 ||
        JetInit(&inst) < 0 || JetBeginSession(inst, &ses, NULL, NULL) < 0 ||
        JetAttachDatabase(ses, r->path, JET_bitDbReadOnly) < 0 ||
        JetOpenDatabase(ses, r->path, NULL, &db, JET_bitDbReadOnly) < 0 ||
        JetOpenTable(ses, db, "MSysObjects", NULL, 0, JET_bitTableReadOnly, &t) < 0)
        goto done;
    r->rc = 2;
    for (r->cpass = 0; r->cpass < 20; r->cpass++) {
        int n = 0;
        JET_ERR err = JetMove(ses, t, JET_MoveFirst, 0);
        while (err >= 0) {
            n++;
            err = JetMove(ses, t, JET_MoveNext, 0);
        }
        if (err != JET_errNoCurrentRecord || n == 0 || (r->cpass > 0 && n != r->crow))
            goto done;
        r->crow = n;
        /* and by the Name index, sought from its start */
        if (JetSetCurrentIndex(ses, t, "Name") < 0 || JetMove(ses, t, JET_MoveLast, 0) < 0 ||
            JetSetCurrentIndex(ses, t, NULL) < 0)
            goto done;
    }
    r->rc = 0;
done:
    if (inst)
        JetTerm(inst);
    return NULL;
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

static int tool_check(const char *path)
{
    const char *tool = getenv("BJ_TOOL");
    if (!tool)
        return 0; /* run outside CTest: nothing to run */
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "'%s' check '%s' > /dev/null 2>&1", tool, path);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(two_writing_instances_and_a_reader)
{
    /* the page size is process-wide: the Windows sample has 4 KB pages */
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 4096, NULL));
    wjob w[2];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2; i++) {
        snprintf(w[i].name, sizeof w[i].name, "mi%d", i);
        w[i].seed = 11 + i * 13;
        REQUIRE(kenv_start(&w[i].e, w[i].name, "w.edb"));
    }
    rjob r;
    memset(&r, 0, sizeof r);
    bool fReader = bj_test_shared_dir() != NULL;
    if (fReader) {
        char src[700];
        snprintf(r.dir, sizeof r.dir, "%s/", bj_test_tmpdir());
        snprintf(r.path, sizeof r.path, "%s/Catalog1.edb", bj_test_tmpdir());
        snprintf(src, sizeof src, "%s/data/edb/Catalog1_rev14_4k.edb", bj_test_shared_dir());
        fReader = copy_file(src, r.path);
    }
    pthread_t th[3];
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&th[i], NULL, writer, &w[i]) == 0);
    if (fReader)
        REQUIRE(pthread_create(&th[2], NULL, reader, &r) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    if (fReader)
        pthread_join(th[2], NULL);

    for (int i = 0; i < 2; i++) {
        if (w[i].rc != 0)
            bj_test_fail(__FILE__, __LINE__, "writer %d failed at step %d (rows %d, idx %d)", i,
                         w[i].rc, (int)w[i].crow, (int)w[i].cidx);
        CHECK_EQ(w[i].crow, NWRITE - NWRITE / 5);
    }
    if (fReader) {
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(r.cpass, 20);
        CHECK(r.crow > 0);
    }
    /* JetTerm detaches; each database is then clean for the checker */
    char path[2][700];
    for (int i = 0; i < 2; i++) {
        memcpy(path[i], w[i].e.path, sizeof path[i]);
        kenv_stop(&w[i].e);
    }
    for (int i = 0; i < 2; i++)
        CHECK_EQ(tool_check(path[i]), 0);
    /* re-attached in a new instance: the rows are all there */
    kenv e;
    memset(&e, 0, sizeof e);
    REQUIRE_OK(JetCreateInstance(&e.inst, "mi_after"));
    REQUIRE_OK(JetSetSystemParameter(&e.inst, 0, JET_paramTempPath, 0, bj_test_tmpdir()));
    REQUIRE_OK(JetInit(&e.inst));
    REQUIRE_OK(JetBeginSession(e.inst, &e.ses, NULL, NULL));
    for (int i = 0; i < 2; i++) {
        JET_DBID db;
        JET_TABLEID t;
        REQUIRE_OK(JetAttachDatabase(e.ses, path[i], 0));
        REQUIRE_OK(JetOpenDatabase(e.ses, path[i], NULL, &db, 0));
        REQUIRE_OK(JetOpenTable(e.ses, db, "W", NULL, 0, 0, &t));
        e.db = db;
        CHECK_EQ(count_rows(&e, t, "s"), NWRITE - NWRITE / 5);
        CHECK_EQ(count_rows(&e, t, "v"), NWRITE - NWRITE / 5);
        CHECK_OK(JetCloseTable(e.ses, t));
    }
    kenv_stop(&e);
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
