/* test_concurrency.c: sessions on several threads through esent.h: 4 threads transferring
 * amounts between 100 account rows in transactions (retrying on JET_errWriteConflict) while 2
 * threads scan in transactions and assert the total is constant; then 4 threads inserting
 * disjoint keys (with secondary indexes) in parallel, and a full check of every tree and index
 * against the table. */
#include <pthread.h>

#include "test_update_env.h"

#define NACC 100
#define BAL0 1000
#define NXFER 150

typedef struct worker {
    env *e;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    int id;
    uint32_t seed;
    int done, conflicts, scans, bad;
    _Atomic int *stop;
} worker;

static int w_open(worker *w)
{
    if (JetBeginSession(w->e->inst, &w->s, NULL, NULL) < 0 ||
        JetOpenDatabase(w->s, w->e->path, NULL, &w->db, 0) < 0 ||
        JetOpenTable(w->s, w->db, FX_TABLE, NULL, 0, 0, &w->t) < 0)
        return -1;
    return 0;
}

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* Adds amt to account id inside the open transaction. */
static JET_ERR add(worker *w, int32_t id, int64_t amt)
{
    JET_ERR err = seek_id(w->s, w->t, id);
    if (err < 0)
        return err;
    err = JetPrepareUpdate(w->s, w->t, JET_prepReplace);
    if (err < 0)
        return err;
    int64_t bal = 0;
    uint32_t cb = 0;
    err = JetRetrieveColumn(w->s, w->t, C_LL, &bal, 8, &cb, JET_bitRetrieveCopy, NULL);
    if (err >= 0) {
        bal += amt;
        err = JetSetColumn(w->s, w->t, C_LL, &bal, 8, 0, NULL);
    }
    if (err >= 0)
        err = JetUpdate(w->s, w->t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(w->s, w->t, JET_prepCancel);
    return err;
}

static void *xfer_main(void *arg)
{
    worker *w = arg;
    while (w->done < NXFER) {
        int32_t a = (int32_t)(rnd(&w->seed) % NACC), b = (int32_t)(rnd(&w->seed) % NACC);
        if (a == b)
            continue;
        int64_t amt = (int64_t)(rnd(&w->seed) % 50);
        if (JetBeginTransaction(w->s) < 0) {
            w->bad++;
            break;
        }
        JET_ERR err = add(w, a, -amt);
        if (err >= 0)
            err = add(w, b, amt);
        if (err >= 0)
            err = JetCommitTransaction(w->s, 0);
        if (err < 0) {
            JetRollback(w->s, 0);
            if (err == JET_errWriteConflict)
                w->conflicts++;
            else
                w->bad++;
            continue;
        }
        w->done++;
    }
    return NULL;
}

static void *scan_main(void *arg)
{
    worker *w = arg;
    while (!atomic_load(w->stop)) {
        if (JetBeginTransaction(w->s) < 0) {
            w->bad++;
            break;
        }
        int64_t total = 0;
        int n = 0;
        JetSetCurrentIndex(w->s, w->t, NULL);
        for (JET_ERR err = JetMove(w->s, w->t, JET_MoveFirst, 0); err >= 0;
             err = JetMove(w->s, w->t, JET_MoveNext, 0)) {
            int64_t bal = 0;
            uint32_t cb = 0;
            if (JetRetrieveColumn(w->s, w->t, C_LL, &bal, 8, &cb, 0, NULL) < 0)
                w->bad++;
            total += bal;
            n++;
        }
        if (n != NACC || total != (int64_t)NACC * BAL0)
            w->bad++;
        JetCommitTransaction(w->s, 0);
        w->scans++;
    }
    return NULL;
}

TEST(transfers_keep_the_total)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    for (int32_t i = 0; i < NACC; i++) {
        REQUIRE_OK(JetPrepareUpdate(e.ses, e.tab, JET_prepInsert));
        int64_t bal = BAL0;
        int32_t one = 1;
        REQUIRE_OK(JetSetColumn(e.ses, e.tab, C_ID, &i, 4, 0, NULL));
        REQUIRE_OK(JetSetColumn(e.ses, e.tab, C_REQ, &one, 4, 0, NULL));
        REQUIRE_OK(JetSetColumn(e.ses, e.tab, C_LL, &bal, 8, 0, NULL));
        REQUIRE_OK(JetUpdate(e.ses, e.tab, NULL, 0, NULL));
    }
    _Atomic int stop = 0;
    worker w[6];
    pthread_t th[6];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 6; i++) {
        w[i].e = &e;
        w[i].id = i;
        w[i].seed = 1234u + (uint32_t)i * 7919u;
        w[i].stop = &stop;
        REQUIRE(w_open(&w[i]) == 0);
    }
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, i < 4 ? xfer_main : scan_main, &w[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    atomic_store(&stop, 1);
    for (int i = 4; i < 6; i++)
        pthread_join(th[i], NULL);
    int conflicts = 0;
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(w[i].bad, 0);
        if (i < 4)
            CHECK_EQ(w[i].done, NXFER);
        else
            CHECK(w[i].scans > 0);
        conflicts += w[i].conflicts;
    }
    printf("  transfers %d, conflicts retried %d, scans %d + %d\n", 4 * NXFER, conflicts,
           w[4].scans, w[5].scans);
    /* the total after everything */
    int64_t total = 0;
    int n = 0;
    JetSetCurrentIndex(e.ses, e.tab, NULL);
    for (JET_ERR err = JetMove(e.ses, e.tab, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e.ses, e.tab, JET_MoveNext, 0)) {
        int64_t bal = 0;
        JetRetrieveColumn(e.ses, e.tab, C_LL, &bal, 8, NULL, 0, NULL);
        total += bal;
        n++;
    }
    CHECK_EQ(n, NACC);
    CHECK_EQ(total, (int64_t)NACC * BAL0);
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, NACC);
}

#define NINS 1500

static void *ins_main(void *arg)
{
    worker *w = arg;
    for (int k = 0; k < NINS; k += 10) {
        if (JetBeginTransaction(w->s) < 0) {
            w->bad++;
            break;
        }
        JET_ERR err = JET_errSuccess;
        for (int j = 0; j < 10 && err >= 0; j++) {
            int32_t id = w->id * 1000000 + k + j, one = 1, mv = id % 97;
            char txt[32];
            snprintf(txt, sizeof txt, "k%07d", (int)(((int64_t)id * 7919) % 100003));
            err = JetPrepareUpdate(w->s, w->t, JET_prepInsert);
            if (err >= 0)
                err = JetSetColumn(w->s, w->t, C_ID, &id, 4, 0, NULL);
            if (err >= 0)
                err = JetSetColumn(w->s, w->t, C_REQ, &one, 4, 0, NULL);
            if (err >= 0)
                err = JetSetColumn(w->s, w->t, C_TXT, txt, (uint32_t)strlen(txt), 0, NULL);
            if (err >= 0)
                err = JetSetColumn(w->s, w->t, C_MV, &mv, 4, 0, NULL);
            if (err >= 0)
                err = JetUpdate(w->s, w->t, NULL, 0, NULL);
        }
        if (err >= 0)
            err = JetCommitTransaction(w->s, 0);
        if (err < 0) {
            printf("  insert thread %d: %d\n", w->id, (int)err);
            JetRollback(w->s, 0);
            w->bad++;
            break;
        }
        w->done += 10;
    }
    return NULL;
}

TEST(parallel_inserts_with_indexes)
{
    env e;
    REQUIRE(env_open(&e) == 0);
    worker w[4];
    pthread_t th[4];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 4; i++) {
        w[i].e = &e;
        w[i].id = i + 1;
        REQUIRE(w_open(&w[i]) == 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, ins_main, &w[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(w[i].bad, 0);
        CHECK_EQ(w[i].done, NINS);
    }
    CHECK_EQ(count_index(e.ses, e.tab, NULL), 4 * NINS);
    CHECK_EQ(count_index(e.ses, e.tab, "ix_txt"), 4 * NINS);
    CHECK_EQ(count_index(e.ses, e.tab, "ix_mv"), 4 * NINS);
    CHECK_EQ(count_index(e.ses, e.tab, "ux_sh"), 0); /* sh NULL: IgnoreAnyNull */
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 4 * NINS);
    CHECK_EQ(cent[0], 4 * NINS); /* the primary index is the table */
    CHECK_EQ(cent[1], 4 * NINS);
    CHECK_EQ(cent[2], 0);
    CHECK_EQ(cent[3], 4 * NINS);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
