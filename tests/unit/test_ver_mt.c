/* test_ver_mt.c: the version store under threads: the commit-publication race (readers check
 * that one snapshot's repeated reads agree and that transfers are atomic), and random
 * transactions over a small key space checked afterwards against a serial model (every read
 * equals the model state at the reader's snapshot plus its own changes; the final state equals
 * all committed transactions applied in commit order). */
#include <sched.h>

#include "test_ver_store.h"

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static bj_ver *new_ver(uint32_t cleanup_every)
{
    bj_ver_config cfg = {0};
    cfg.cleanup_every = cleanup_every;
    cfg.cleanup_ms = 5;
    bj_ver *ver = NULL;
    CHECK_OK(bj_ver_init(&cfg, &ver));
    return ver;
}

static void seed(int nkeys, int64_t counter)
{
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_fs.ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    for (int k = 0; k < nkeys; k++) {
        uint8_t r[REC_CB];
        rec_make(r, counter, (uint64_t)k);
        CHECK_OK(fs_write(t, k, BJ_VER_INSERT, r));
    }
    CHECK_OK(bj_ver_trx_commit(t, 0));
    bj_ver_trx_destroy(t);
}

/* ---- publication race: transfers between counters, readers check the sum ---- */

#define TK 4
#define TSUM (TK * 1000)
static atomic_int g_stop;
static atomic_long g_reads, g_transfers, g_conflicts;

static void *transfer_thread(void *arg)
{
    uint64_t s = (uintptr_t)arg * 7919 + 1;
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_fs.ver, &t));
    for (int n = 0; n < 1500; n++) {
        int i = (int)(rnd(&s) % TK), j = (int)((i + 1 + rnd(&s) % (TK - 1)) % TK);
        bool escrow = rnd(&s) % 2;
        CHECK_OK(bj_ver_trx_begin(t));
        JET_ERR err;
        if (escrow) {
            err = fs_delta(t, i, -1);
            sched_yield();
            if (err >= 0)
                err = fs_delta(t, j, 1);
        } else {
            uint8_t a[REC_CB], b[REC_CB];
            CHECK_EQ(fs_read(t, 0, i, a), 1);
            CHECK_EQ(fs_read(t, 0, j, b), 1);
            sched_yield();
            rec_make(a, rec_counter(a) - 1, rec_tag(a) + 1);
            rec_make(b, rec_counter(b) + 1, rec_tag(b) + 1);
            err = fs_write(t, i, BJ_VER_REPLACE, a);
            sched_yield();
            if (err >= 0)
                err = fs_write(t, j, BJ_VER_REPLACE, b);
        }
        if (err == JET_errWriteConflict) {
            CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
            atomic_fetch_add(&g_conflicts, 1);
            continue;
        }
        CHECK_OK(err);
        sched_yield();
        CHECK_OK(bj_ver_trx_commit(t, 0));
        atomic_fetch_add(&g_transfers, 1);
    }
    bj_ver_trx_destroy(t);
    return NULL;
}

static void *sum_reader_thread(void *arg)
{
    bool use_snap = (uintptr_t)arg % 2;
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_fs.ver, &t));
    while (!atomic_load(&g_stop)) {
        bj_ver_snap snap;
        if (use_snap)
            bj_ver_snap_begin(g_fs.ver, &snap);
        else
            CHECK_OK(bj_ver_trx_begin(t));
        uint8_t first[TK][REC_CB], again[REC_CB];
        int64_t sum = 0;
        for (int k = 0; k < TK; k++) {
            CHECK_EQ(fs_read(t, use_snap ? snap.ts : 0, k, first[k]), 1);
            sum += rec_counter(first[k]);
            sched_yield();
        }
        CHECK_EQ(sum, TSUM);
        for (int k = 0; k < TK; k++) {
            CHECK_EQ(fs_read(t, use_snap ? snap.ts : 0, k, again), 1);
            CHECK_MEM(again, first[k], REC_CB);
        }
        if (use_snap)
            bj_ver_snap_end(g_fs.ver, &snap);
        else
            CHECK_OK(bj_ver_trx_commit(t, 0));
        atomic_fetch_add(&g_reads, 1);
    }
    bj_ver_trx_destroy(t);
    return NULL;
}

TEST(commit_publication_race)
{
    bj_ver *ver = new_ver(8); /* inline cleanup every 8 commits, no thread */
    REQUIRE(ver);
    fs_init(ver);
    seed(TK, 1000);
    atomic_store(&g_stop, 0);
    bj_thread w[2], r[2];
    for (uintptr_t i = 0; i < 2; i++) {
        CHECK_OK(bj_thread_start(&w[i], transfer_thread, (void *)i));
        CHECK_OK(bj_thread_start(&r[i], sum_reader_thread, (void *)i));
    }
    for (int i = 0; i < 2; i++)
        bj_thread_join(w[i]);
    atomic_store(&g_stop, 1);
    for (int i = 0; i < 2; i++)
        bj_thread_join(r[i]);
    int64_t sum = 0;
    for (int k = 0; k < TK; k++)
        sum += rec_counter(g_fs.n[k].data);
    CHECK_EQ(sum, TSUM);
    CHECK(atomic_load(&g_transfers) > 0);
    CHECK(atomic_load(&g_reads) > 0);
    bj_ver_cleanup(ver);
    bj_ver_stats st;
    bj_ver_get_stats(ver, &st);
    CHECK_EQ(st.rces_live, 0);
    CHECK_EQ(st.cbUsed, 0);
    CHECK_EQ(st.active, 0);
    printf("  transfers %ld, conflicts %ld, reader passes %ld, cleanup runs %" PRIu64 "\n",
           atomic_load(&g_transfers), atomic_load(&g_conflicts), atomic_load(&g_reads),
           st.cleanup_runs);
    bj_ver_term(ver);
    fs_term();
}

/* ---- random transactions against a serial model ---- */

#define MK 5 /* keys */
#define NTHR 4
#define NTX 300 /* transactions per thread */
#define MAXEV 12

enum { EV_READ, EV_INSERT, EV_REPLACE, EV_DELETE, EV_DELTA };

typedef struct ev {
    uint8_t type, k;
    bool present;
    uint8_t data[REC_CB];
    int64_t delta;
} ev;

typedef struct txlog {
    uint64_t begin, commit; /* commit 0: not committed */
    int nev;
    ev ev[MAXEV];
} txlog;

static txlog g_logs[NTHR][NTX];
static atomic_int g_unexpected;

static void log_ev(txlog *l, uint8_t type, int k, bool present, const uint8_t *data, int64_t delta)
{
    if (l->nev >= MAXEV)
        return;
    ev *e = &l->ev[l->nev++];
    e->type = type;
    e->k = (uint8_t)k;
    e->present = present;
    if (data)
        memcpy(e->data, data, REC_CB);
    e->delta = delta;
}

static void *random_thread(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t s = id * 104729 + 17;
    bj_trx *t = NULL;
    CHECK_OK(bj_ver_trx_create(g_fs.ver, &t));
    for (int n = 0; n < NTX; n++) {
        txlog *l = &g_logs[id][n];
        memset(l, 0, sizeof(*l));
        if (id == 0 && n % 3 == 0) {
            /* a reader without a transaction */
            bj_ver_snap snap;
            bj_ver_snap_begin(g_fs.ver, &snap);
            l->begin = snap.ts;
            for (int i = 0; i < 4; i++) {
                int k = (int)(rnd(&s) % MK);
                uint8_t a[REC_CB] = {0}, b[REC_CB] = {0};
                int p = fs_read(NULL, snap.ts, k, a);
                sched_yield();
                CHECK_EQ(fs_read(NULL, snap.ts, k, b), p);
                CHECK_MEM(a, b, REC_CB);
                log_ev(l, EV_READ, k, p == 1, a, 0);
            }
            bj_ver_snap_end(g_fs.ver, &snap);
            continue;
        }
        CHECK_OK(bj_ver_trx_begin(t));
        l->begin = bj_ver_trx_begin_ts(t);
        int nops = 1 + (int)(rnd(&s) % 5);
        bool aborted = false;
        for (int i = 0; i < nops && !aborted; i++) {
            int k = (int)(rnd(&s) % MK);
            uint8_t cur[REC_CB] = {0}, again[REC_CB] = {0};
            int p = fs_read(t, 0, k, cur);
            CHECK(p >= 0);
            sched_yield();
            CHECK_EQ(fs_read(t, 0, k, again), p);
            CHECK_MEM(cur, again, REC_CB);
            log_ev(l, EV_READ, k, p == 1, cur, 0);
            uint32_t c = rnd(&s) % 8;
            if (c < 2)
                continue; /* a plain read */
            uint8_t rec[REC_CB];
            JET_ERR err;
            uint8_t type;
            int64_t delta = 0;
            if (p != 1) {
                type = EV_INSERT;
                rec_make(rec, 0, rnd(&s));
                err = fs_write(t, k, BJ_VER_INSERT, rec);
            } else if (c < 4) {
                type = EV_DELTA;
                delta = (int64_t)(rnd(&s) % 7) - 3;
                err = fs_delta(t, k, delta);
            } else if (c < 7) {
                type = EV_REPLACE;
                rec_make(rec, rec_counter(cur) + 1, rnd(&s));
                err = fs_write(t, k, BJ_VER_REPLACE, rec);
            } else {
                type = EV_DELETE;
                err = fs_write(t, k, BJ_VER_DELETE, NULL);
            }
            if (err == JET_errWriteConflict) {
                aborted = true;
                break;
            }
            if (err < 0) {
                atomic_fetch_add(&g_unexpected, 1);
                aborted = true;
                break;
            }
            log_ev(l, type, k, true, type == EV_INSERT || type == EV_REPLACE ? rec : NULL, delta);
            if (rnd(&s) % 8 == 0) {
                /* a nested level that commits or rolls back */
                CHECK_OK(bj_ver_trx_begin(t));
                int k2 = (int)(rnd(&s) % MK);
                uint8_t r2[REC_CB] = {0};
                int p2 = fs_read(t, 0, k2, r2);
                log_ev(l, EV_READ, k2, p2 == 1, r2, 0);
                if (p2 == 1 && rnd(&s) % 2) {
                    if (fs_delta(t, k2, 100) < 0) {
                        CHECK_OK(bj_ver_trx_rollback(t, 0));
                    } else if (rnd(&s) % 2) {
                        CHECK_OK(bj_ver_trx_rollback(t, 0)); /* no event: undone */
                    } else {
                        CHECK_OK(bj_ver_trx_commit(t, 0));
                        log_ev(l, EV_DELTA, k2, true, NULL, 100);
                    }
                } else {
                    CHECK_OK(bj_ver_trx_commit(t, 0));
                }
            }
        }
        if (l->nev >= MAXEV)
            aborted = true; /* the log is incomplete: do not commit */
        if (aborted || rnd(&s) % 10 == 0) {
            CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
        } else {
            CHECK_OK(bj_ver_trx_commit(t, 0));
            l->commit = bj_ver_trx_commit_ts(t);
        }
    }
    bj_ver_trx_destroy(t);
    return NULL;
}

typedef struct mstate {
    bool present;
    uint8_t data[REC_CB];
} mstate;

static void apply_ev(mstate *m, const ev *e)
{
    mstate *x = &m[e->k];
    switch (e->type) {
    case EV_INSERT:
    case EV_REPLACE:
        x->present = true;
        memcpy(x->data, e->data, REC_CB);
        break;
    case EV_DELETE:
        x->present = false;
        break;
    case EV_DELTA:
        bj_st64(x->data, bj_ld64(x->data) + (uint64_t)e->delta);
        break;
    default:
        break;
    }
}

static int cmp_commit(const void *a, const void *b)
{
    const txlog *x = *(txlog *const *)a, *y = *(txlog *const *)b;
    return x->commit < y->commit ? -1 : x->commit > y->commit;
}

static int cmp_begin(const void *a, const void *b)
{
    const txlog *x = *(txlog *const *)a, *y = *(txlog *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

TEST(random_transactions_vs_serial_model)
{
    bj_ver *ver = new_ver(16);
    REQUIRE(ver);
    fs_init(ver);
    seed(3, 0); /* keys 0..2 exist, 3..4 do not */
    mstate model[MK];
    memset(model, 0, sizeof(model));
    for (int k = 0; k < 3; k++) {
        model[k].present = true;
        rec_make(model[k].data, 0, (uint64_t)k);
    }
    CHECK_OK(bj_ver_start_cleanup_thread(ver));
    atomic_store(&g_unexpected, 0);
    bj_thread th[NTHR];
    for (uintptr_t i = 0; i < NTHR; i++)
        CHECK_OK(bj_thread_start(&th[i], random_thread, (void *)i));
    for (int i = 0; i < NTHR; i++)
        bj_thread_join(th[i]);
    bj_ver_stop_cleanup_thread(ver);
    CHECK_EQ(atomic_load(&g_unexpected), 0);

    static txlog *commits[NTHR * NTX], *all[NTHR * NTX];
    int nc = 0, na = 0;
    for (int i = 0; i < NTHR; i++) {
        for (int n = 0; n < NTX; n++) {
            all[na++] = &g_logs[i][n];
            if (g_logs[i][n].commit)
                commits[nc++] = &g_logs[i][n];
        }
    }
    qsort(commits, (size_t)nc, sizeof(commits[0]), cmp_commit);
    qsort(all, (size_t)na, sizeof(all[0]), cmp_begin);
    int ci = 0, bad = 0;
    for (int a = 0; a < na; a++) {
        txlog *l = all[a];
        while (ci < nc && commits[ci]->commit < l->begin) {
            for (int e = 0; e < commits[ci]->nev; e++)
                apply_ev(model, &commits[ci]->ev[e]);
            ci++;
        }
        mstate local[MK];
        memcpy(local, model, sizeof(local));
        for (int e = 0; e < l->nev; e++) {
            const ev *v = &l->ev[e];
            if (v->type != EV_READ) {
                apply_ev(local, v);
                continue;
            }
            bool ok = v->present == local[v->k].present &&
                      (!v->present || !memcmp(v->data, local[v->k].data, REC_CB));
            if (!ok && bad++ < 5)
                bj_test_fail(__FILE__, __LINE__,
                             "read of key %d at ts %" PRIu64 " differs from the model", v->k,
                             l->begin);
        }
    }
    for (; ci < nc; ci++)
        for (int e = 0; e < commits[ci]->nev; e++)
            apply_ev(model, &commits[ci]->ev[e]);
    CHECK_EQ(bad, 0);
    /* the final state: physically and through a fresh snapshot */
    bj_ver_snap snap;
    bj_ver_snap_begin(ver, &snap);
    for (int k = 0; k < MK; k++) {
        bool live = g_fs.n[k].present && !g_fs.n[k].deleted;
        CHECK_EQ(live, model[k].present);
        if (live && model[k].present)
            CHECK_MEM(g_fs.n[k].data, model[k].data, REC_CB);
        uint8_t r[REC_CB];
        CHECK_EQ(fs_read(NULL, snap.ts, k, r), model[k].present ? 1 : 0);
    }
    bj_ver_snap_end(ver, &snap);
    bj_ver_cleanup(ver);
    bj_ver_stats st;
    bj_ver_get_stats(ver, &st);
    CHECK_EQ(st.rces_live, 0);
    CHECK_EQ(st.active, 0);
    printf("  %d committed of %d, conflicts %" PRIu64 ", cleaned %" PRIu64 ", runs %" PRIu64 "\n",
           nc, na, st.write_conflicts, st.rces_cleaned, st.cleanup_runs);
    CHECK(nc > NTHR * NTX / 4);
    CHECK(st.write_conflicts > 0);
    bj_ver_term(ver);
    fs_term();
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
