/* test_ddl_concurrency.c: DDL while other threads write and read the same table through
 * esent.h. One thread adds columns and builds indexes over them in transactions (committed or
 * rolled back in turn) while writer threads insert records through cursors opened before, and
 * a reader thread switches indexes and scans. Afterwards every committed index holds exactly
 * one entry per record (no insert slipped past an index build), rolled-back ones are gone, and
 * nothing failed with anything but the errors ESE gives in these races.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "esent.h"
#include "testlib.h"

#define NWRITERS 2
#define NROUNDS 12
#define NINSERTS 150

typedef struct shared {
    JET_INSTANCE inst;
    char path[1024];
    atomic_int errors;
    atomic_bool stop;
} shared;

typedef struct warg {
    shared *sh;
    int id;
} warg;

static void fail_once(shared *sh, const char *what, JET_ERR err)
{
    if (atomic_fetch_add(&sh->errors, 1) < 5)
        fprintf(stderr, "  %s: %d\n", what, (int)err);
}

static void *writer(void *p)
{
    warg *a = p;
    shared *sh = a->sh;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    JET_COLUMNDEF cd;
    if (JetBeginSession(sh->inst, &s, NULL, NULL) < 0 ||
        JetOpenDatabase(s, sh->path, NULL, &db, 0) < 0 ||
        JetOpenTable(s, db, "T", NULL, 0, 0, &t) < 0 ||
        JetGetTableColumnInfo(s, t, "k", &cd, sizeof(cd), JET_ColInfo) < 0) {
        fail_once(sh, "writer setup", -1);
        return NULL;
    }
    for (int i = 0; i < NINSERTS; i++) {
        int32_t k = 1000000 * (a->id + 1) + i;
        JET_ERR err = JetBeginTransaction(s);
        if (err >= 0)
            err = JetPrepareUpdate(s, t, JET_prepInsert);
        if (err >= 0)
            err = JetSetColumn(s, t, cd.columnid, &k, sizeof(k), 0, NULL);
        if (err >= 0)
            err = JetUpdate(s, t, NULL, 0, NULL);
        if (err >= 0)
            err = JetCommitTransaction(s, 0);
        if (err < 0) {
            (void)JetPrepareUpdate(s, t, JET_prepCancel);
            (void)JetRollback(s, 0);
            fail_once(sh, "insert", err);
        }
    }
    (void)JetCloseTable(s, t);
    (void)JetCloseDatabase(s, db, 0);
    (void)JetEndSession(s, 0);
    return NULL;
}

static void *reader(void *p)
{
    shared *sh = p;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    if (JetBeginSession(sh->inst, &s, NULL, NULL) < 0 ||
        JetOpenDatabase(s, sh->path, NULL, &db, 0) < 0 ||
        JetOpenTable(s, db, "T", NULL, 0, 0, &t) < 0) {
        fail_once(sh, "reader setup", -1);
        return NULL;
    }
    for (int n = 0; !atomic_load(&sh->stop); n++) {
        char sz[16];
        snprintf(sz, sizeof(sz), "i%d", n % NROUNDS);
        JET_ERR err = JetSetCurrentIndex(s, t, sz);
        if (err == JET_errIndexNotFound)
            err = JetSetCurrentIndex(s, t, NULL);
        if (err < 0) {
            fail_once(sh, "set index", err);
            continue;
        }
        for (err = JetMove(s, t, JET_MoveFirst, 0); err >= 0; err = JetMove(s, t, JET_MoveNext, 0))
            ;
        if (err != JET_errNoCurrentRecord)
            fail_once(sh, "scan", err);
    }
    (void)JetCloseTable(s, t);
    (void)JetCloseDatabase(s, db, 0);
    (void)JetEndSession(s, 0);
    return NULL;
}

static uint32_t count(JET_SESID s, JET_TABLEID t, const char *szIndex)
{
    uint32_t n = 0;
    if (JetSetCurrentIndex(s, t, szIndex) < 0)
        return ~0u;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0))
        n++;
    return n;
}

TEST(ddl_while_writing)
{
    shared sh = {0};
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    snprintf(sh.path, sizeof(sh.path), "%s/dc.edb", bj_test_tmpdir());
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL));
    REQUIRE_OK(JetCreateInstance(&sh.inst, "ddlc"));
    REQUIRE_OK(JetInit(&sh.inst));
    REQUIRE_OK(JetBeginSession(sh.inst, &s, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(s, sh.path, NULL, &db, 0));
    REQUIRE_OK(JetCreateTable(s, db, "T", 0, 0, &t));
    JET_COLUMNDEF d = {sizeof(d), 0, JET_coltypLong, 0, 0, 0, 0, 0, 0};
    REQUIRE_OK(JetAddColumn(s, t, "k", &d, NULL, 0, NULL));
    REQUIRE_OK(JetCreateIndex(s, t, "pk", JET_bitIndexPrimary, "+k\0\0", 4, 0));
    CHECK_OK(JetCloseTable(s, t));
    pthread_t w[NWRITERS], r;
    warg wa[NWRITERS];
    for (int i = 0; i < NWRITERS; i++) {
        wa[i] = (warg){&sh, i};
        REQUIRE(pthread_create(&w[i], NULL, writer, &wa[i]) == 0);
    }
    REQUIRE(pthread_create(&r, NULL, reader, &sh) == 0);
    /* DDL: a column and an index over it per round; odd rounds roll back */
    bool committed[NROUNDS] = {0};
    CHECK_OK(JetOpenTable(s, db, "T", NULL, 0, 0, &t));
    for (int i = 0; i < NROUNDS; i++) {
        char szCol[16], szIdx[16], key[24];
        snprintf(szCol, sizeof(szCol), "c%d", i);
        snprintf(szIdx, sizeof(szIdx), "i%d", i);
        int cb = snprintf(key, sizeof(key), "+%s", szCol);
        key[cb + 1] = '\0';
        JET_ERR err = JetBeginTransaction(s);
        if (err >= 0)
            err = JetAddColumn(s, t, szCol, &d, NULL, 0, NULL);
        if (err >= 0)
            err = JetCreateIndex(s, t, szIdx, 0, key, (uint32_t)cb + 2, 100);
        if (err >= 0 && i % 2 == 0) {
            err = JetCommitTransaction(s, 0);
            committed[i] = err >= 0;
        } else {
            if (err < 0)
                fail_once(&sh, "ddl", err);
            CHECK_OK(JetRollback(s, 0));
        }
    }
    for (int i = 0; i < NWRITERS; i++)
        pthread_join(w[i], NULL);
    atomic_store(&sh.stop, true);
    pthread_join(r, NULL);
    CHECK_EQ(atomic_load(&sh.errors), 0);
    const uint32_t n = count(s, t, NULL);
    CHECK_EQ(n, (uint32_t)(NWRITERS * NINSERTS));
    for (int i = 0; i < NROUNDS; i++) {
        char szIdx[16];
        snprintf(szIdx, sizeof(szIdx), "i%d", i);
        if (committed[i])
            CHECK_EQ(count(s, t, szIdx), n);
        else
            CHECK_ERR(JetSetCurrentIndex(s, t, szIdx), JET_errIndexNotFound);
    }
    CHECK_OK(JetCloseTable(s, t));
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, sh.path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(sh.inst));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
