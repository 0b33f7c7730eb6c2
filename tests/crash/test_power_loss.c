/* test_power_loss.c: durability across simulated power loss, and the WAL rule (issue 3).
 *
 * Everything runs in-process on the in-memory OS backend (bj_os_mem_create) wrapped by
 * crash_walos (the power-loss trigger and the WAL checker), installed for new instances with
 * bj_inst_test_set_os. Each round:
 *   1. a new instance on the same backend: JetInit (recovery of the previous round's loss),
 *      attach, and cw_check against the model (crash_common.h): every acknowledged durable
 *      commit is there, nothing rolled back or never announced is, each thread's unacknowledged
 *      transactions are there as a whole, in-order prefix, accounts sum intact;
 *   2. every BJ_CRASH_TOOL_EVERY rounds (default 4): detach, clean JetTerm, copy the database
 *      out of the backend to disk and run `bluejet check` on it (must be clean), then a new
 *      instance again;
 *   3. the WAL checker is enabled with the database's dbtime counter (crash_walos.h says
 *      exactly what is asserted), two threads run 3-20 random transactions each, and at a
 *      random write-or-sync call (or at the end when the workload issued fewer) the backend
 *      loses power (bj_os_mem_power_loss: unsynced writes dropped or kept by seed, the last
 *      one possibly torn; seed 0 in some rounds: every unsynced write lost);
 *   4. the engine's calls then fail; the threads stop; JetTerm2(JET_bitTermAbrupt |
 * JET_bitTermDirty) (errors expected and ignored; it must return and close every file, or
 * destroying the backend aborts). No page may have been written ahead of the log (WAL checker: 0
 * violations). The last round ends with recovery, the check, a clean term and `bluejet check`.
 *
 * Environment: BJ_CRASH_ROUNDS (default 200), BJ_CRASH_SEED (0/unset: clock; printed),
 * BJ_CRASH_TOOL_EVERY (default 4; 0 = only at the end).
 *
 * harness_no_loss: the same rounds with a clean JetTerm instead of the power loss (passes
 * without a log). harness_wal_checker: the checker itself on scripted writes and syncs.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crash_common.h"
#include "crash_walos.h"
#include "buf/buf.h"
#include "inst/db.h"
#include "inst/inst.h"
#include "page/page.h"
#include "testlib.h"

#define PL_DIR "/pl"
#define PL_DB "/pl/pl.edb"
#define PL_NTHR 2

typedef struct pl_ctx {
    bj_os *mem, *os;
    cw_model m;
    pthread_mutex_t lock; /* the model, fed by the workers */
    uint64_t seed;
} pl_ctx;

static void pl_sink(void *ctx, char what, const cw_txn *t)
{
    pl_ctx *c = ctx;
    pthread_mutex_lock(&c->lock);
    cw_model_event(&c->m, what, t);
    pthread_mutex_unlock(&c->lock);
}

static JET_ERR open_instance(JET_INSTANCE *pinst)
{
    JET_ERR err = JetCreateInstance(pinst, "powerloss");
    if (err < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, PL_DIR "/")) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, PL_DIR "/")) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, PL_DIR "/tmp/")) < 0 ||
        /* small generations: many rolls per round, and the rounds' logs stay small (every
         * JetInit starts a generation, zero-filled) */
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        return err;
    }
    return JET_errSuccess;
}

/* The database's dbtime counter (for the WAL checker), through the internal layers. */
static const _Atomic uint64_t *db_dbtime(JET_SESID s, JET_DBID dbid)
{
    bj_sess *sess = NULL;
    bj_db *db = NULL;
    if (bj_sess_enter(s, 0, &sess) < 0)
        return NULL;
    JET_ERR err = bj_db_get(sess, dbid, &db);
    bj_sess_leave(sess);
    return err < 0 ? NULL : &db->dbc.dbtime;
}

/* A thread that writes the database's dirty pages every few hundred microseconds while the
 * workers run (as the engine's checkpoint and eviction do, only much more often), so power
 * losses hit database page writes: torn pages, pages newer than the durable log (the WAL
 * checker's case), pages written between a change and its commit. */
typedef struct flusher {
    JET_SESID s;
    JET_DBID db;
    _Atomic bool stop;
    uint64_t flushes;
} flusher;

static void *flusher_main(void *arg)
{
    flusher *fl = arg;
    bj_sess *sess = NULL;
    bj_db *db = NULL;
    if (bj_sess_enter(fl->s, 0, &sess) < 0)
        return NULL;
    JET_ERR err = bj_db_get(sess, fl->db, &db);
    bj_sess_leave(sess);
    while (err >= 0 && !atomic_load(&fl->stop)) {
        if (bj_buf_flush_db(db->bdb) < 0)
            break; /* the power is gone */
        fl->flushes++;
        struct timespec ts = {0, 300 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Copies every file of PL_DIR out of the memory backend into dir (to look at a failure with
 * `bluejet logs` / `bluejet check`). */
typedef struct dump_ctx {
    bj_os *mem;
    const char *dir;
} dump_ctx;

static void dump_one(void *ctx, const char *name, bool is_dir)
{
    dump_ctx *d = ctx;
    if (is_dir)
        return;
    char in[600], out[1200];
    snprintf(in, sizeof in, "%s/%s", PL_DIR, name);
    snprintf(out, sizeof out, "%s/%s", d->dir, name);
    bj_file *f = NULL;
    if (bj_file_open(d->mem, in, BJ_OPEN_READONLY, &f) < 0)
        return;
    uint64_t cb = 0;
    FILE *o = fopen(out, "wb");
    uint8_t *buf = malloc(65536);
    if (o && buf && bj_file_size(f, &cb) >= 0)
        for (uint64_t off = 0; off < cb;) {
            size_t got = 0;
            if (bj_file_read(f, off, buf, 65536, &got) < 0 || got == 0 ||
                fwrite(buf, 1, got, o) != got)
                break;
            off += got;
        }
    free(buf);
    if (o)
        fclose(o);
    bj_file_close(f);
}

static void dump_dir(bj_os *mem, const char *dir)
{
    dump_ctx d = {mem, dir};
    (void)bj_os_list_dir(mem, PL_DIR, dump_one, &d);
    if (!getenv("BJ_PL_KEEP"))
        fprintf(stderr, "  the memory backend's %s is copied to %s\n", PL_DIR, dir);
}

/* Copies PL_DB out of the memory backend to dir/pl.edb and runs `bluejet check` on it. */
static int tool_check_mem(pl_ctx *c, const char *dir)
{
    char out[1100];
    snprintf(out, sizeof out, "%s/pl.edb", dir);
    bj_file *f = NULL;
    if (bj_file_open(c->mem, PL_DB, BJ_OPEN_READONLY, &f) < 0)
        return -1;
    FILE *o = fopen(out, "wb");
    uint64_t cb = 0;
    int rc = -1;
    if (o && bj_file_size(f, &cb) >= 0) {
        uint8_t *buf = malloc(65536);
        uint64_t off = 0;
        while (buf && off < cb) {
            size_t got = 0;
            size_t want = (size_t)(cb - off < 65536 ? cb - off : 65536);
            if (bj_file_read(f, off, buf, want, &got) < 0 || got == 0 ||
                fwrite(buf, 1, got, o) != got)
                break;
            off += got;
        }
        free(buf);
        if (off == cb)
            rc = 0;
    }
    if (o)
        fclose(o);
    bj_file_close(f);
    return rc < 0 ? rc : cw_tool_check(out, dir);
}

typedef struct pl_session {
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    bool dbOpen; /* dbid 0 is a valid id */
} pl_session;

static JET_ERR pl_open(pl_session *ps)
{
    memset(ps, 0, sizeof *ps);
    JET_ERR err = open_instance(&ps->inst);
    if (err < 0) {
        ps->inst = 0;
        return err;
    }
    if ((err = JetBeginSession(ps->inst, &ps->s, NULL, NULL)) < 0 ||
        (err = JetAttachDatabase(ps->s, PL_DB, 0)) < 0 ||
        (err = JetOpenDatabase(ps->s, PL_DB, NULL, &ps->db, 0)) < 0)
        return err;
    ps->dbOpen = true;
    return JET_errSuccess;
}

static bj_os *g_wo; /* the WAL checker of the running rounds */

/* Closes what pl_open made; abrupt: JetTerm2(JET_bitTermAbrupt | JET_bitTermDirty: a crash, open
 * transactions left as they are), errors ignored. */
static JET_ERR pl_close(pl_session *ps, bool abrupt)
{
    JET_ERR err = JET_errSuccess;
    if (ps->dbOpen)
        JetCloseDatabase(ps->s, ps->db, 0);
    if (ps->s) {
        if (!abrupt)
            err = JetDetachDatabase(ps->s, PL_DB);
        if (g_wo)
            walos_forget_dbtime(g_wo); /* the database (and its counter) may be freed now */
        JetEndSession(ps->s, 0);
    }
    if (ps->inst) {
        JET_ERR e2 =
            JetTerm2(ps->inst, abrupt ? JET_bitTermAbrupt | JET_bitTermDirty : JET_bitTermComplete);
        if (err >= 0)
            err = e2;
    }
    memset(ps, 0, sizeof *ps);
    return abrupt ? JET_errSuccess : err;
}

static void run_rounds(uint32_t rounds, bool loss)
{
    pl_ctx c;
    memset(&c, 0, sizeof c);
    pthread_mutex_init(&c.lock, NULL);
    cw_model_init(&c.m);
    c.seed = cw_env_u64("BJ_CRASH_SEED", 0);
    if (!c.seed)
        c.seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)clock();
    uint32_t toolEvery = (uint32_t)cw_env_u64("BJ_CRASH_TOOL_EVERY", 4);
    printf("  BJ_CRASH_SEED=%" PRIu64 " BJ_CRASH_ROUNDS=%u%s\n", c.seed, rounds,
           loss ? "" : " (no power loss)");
    fflush(stdout);
    /* a small cache: pages are evicted (written) during the workload, so power losses find
     * torn and half-written database pages, and the WAL checker sees page writes */
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, 16, NULL));
    c.mem = bj_os_mem_create();
    c.os = walos_create(c.mem, "pl.edb", bj_param_page_size());
    g_wo = c.os;
    bj_inst_test_set_os(c.os);
    REQUIRE_OK(bj_os_mkdir(c.mem, PL_DIR));
    REQUIRE_OK(bj_os_mkdir(c.mem, PL_DIR "/tmp"));
    REQUIRE_OK(bj_os_sync_dir(c.mem, "/"));
    REQUIRE_OK(bj_os_sync_dir(c.mem, PL_DIR));
    uint64_t rng = c.seed;
    char why[600];
    pl_session ps;
    memset(&ps, 0, sizeof ps);
    {
        JET_INSTANCE inst = 0;
        JET_SESID s = 0;
        JET_DBID db = 0;
        JET_ERR err = open_instance(&inst);
        if (err >= 0 && (err = JetBeginSession(inst, &s, NULL, NULL)) >= 0 &&
            (err = JetCreateDatabase(s, PL_DB, NULL, &db, 0)) >= 0 &&
            (err = cw_create_schema(s, db)) >= 0 && (err = JetCloseDatabase(s, db, 0)) >= 0)
            err = JetDetachDatabase(s, PL_DB);
        if (s)
            JetEndSession(s, 0);
        if (inst)
            JetTerm(inst);
        CHECK_OK(err);
        if (err < 0)
            goto out;
    }
    uint64_t nloss = 0, nfired = 0, calls = 0;
    walos_stats st;
    memset(&st, 0, sizeof st);
    for (uint32_t round = 1; round <= rounds + 1; round++) {
        bool last = round == rounds + 1;
        /* 1. recovery and the check (BJ_PL_KEEP: the crashed folder is copied out first, to
         * replay a failure by hand) */
        if (getenv("BJ_PL_KEEP")) {
            char keep[1100], cmd[2400];
            snprintf(keep, sizeof keep, "%s/crashed", bj_test_tmpdir());
            snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", keep, keep);
            if (system(cmd) == 0)
                dump_dir(c.mem, keep);
        }
        walos_trace_note("ROUND-RECOVERY");
        JET_ERR err = pl_open(&ps);
        if (err < 0) {
            walos_trace_dump();
            dump_dir(c.mem, bj_test_tmpdir());
            bj_test_fail(__FILE__, __LINE__, "round %u (seed %" PRIu64 "): recovery/attach: %d%s",
                         round, c.seed, (int)err,
                         err == JET_errDatabaseDirtyShutdown
                             ? " (JET_errDatabaseDirtyShutdown: the power loss was not recovered)"
                             : "");
            pl_close(&ps, true);
            break;
        }
        if (cw_check(&c.m, ps.s, ps.db, why, sizeof why) != 0) {
            bj_test_fail(__FILE__, __LINE__, "round %u (seed %" PRIu64 "): %s", round, c.seed, why);
            pl_close(&ps, true);
            break;
        }
        /* 2. the structure check */
        if (last || (toolEvery && round % toolEvery == 0)) {
            if ((err = pl_close(&ps, false)) < 0) {
                bj_test_fail(__FILE__, __LINE__, "round %u: clean term: %d", round, (int)err);
                break;
            }
            int rc = tool_check_mem(&c, bj_test_tmpdir());
            if (rc != 0) {
                bj_test_fail(__FILE__, __LINE__,
                             "round %u (seed %" PRIu64 "): bluejet check: exit %d", round, c.seed,
                             rc);
                break;
            }
            if (last)
                break;
            if ((err = pl_open(&ps)) < 0) {
                bj_test_fail(__FILE__, __LINE__, "round %u: reopen: %d", round, (int)err);
                pl_close(&ps, true);
                break;
            }
        }
        /* 3. the workload, the WAL checker and the power loss */
        if (loss) {
            walos_enable(c.os, db_dbtime(ps.s, ps.db));
            uint64_t lossSeed = cw_rand(&rng) % 4 == 0 ? 0 : cw_rand(&rng) | 1;
            walos_arm_power_loss(c.os, 1 + cw_rand(&rng) % cw_env_u64("BJ_PL_CALLS", 400), lossSeed);
        }
        cw_worker w[PL_NTHR];
        pthread_t th[PL_NTHR];
        memset(w, 0, sizeof w);
        for (uint32_t i = 0; i < PL_NTHR; i++) {
            w[i].inst = ps.inst;
            w[i].dbpath = PL_DB;
            w[i].thread = (round % 2) * PL_NTHR + i;
            w[i].round = round;
            w[i].rng = cw_rand(&rng);
            w[i].maxTxns = 3 + (uint32_t)(cw_rand(&rng) % (uint32_t)cw_env_u64("BJ_PL_TXNS", 60));
            w[i].lazy = true;
            w[i].sink = pl_sink;
            w[i].ctx = &c;
            REQUIRE(pthread_create(&th[i], NULL, cw_worker_main, &w[i]) == 0);
        }
        flusher fl = {.s = ps.s, .db = ps.db};
        pthread_t thf;
        REQUIRE(pthread_create(&thf, NULL, flusher_main, &fl) == 0);
        for (uint32_t i = 0; i < PL_NTHR; i++)
            pthread_join(th[i], NULL);
        atomic_store(&fl.stop, true);
        pthread_join(thf, NULL);
        if (!loss) {
            for (uint32_t i = 0; i < PL_NTHR; i++)
                if (w[i].err < 0)
                    bj_test_fail(__FILE__, __LINE__, "round %u: worker: %d", round, (int)w[i].err);
            if ((err = pl_close(&ps, false)) < 0) {
                bj_test_fail(__FILE__, __LINE__, "round %u: clean term: %d", round, (int)err);
                break;
            }
            continue;
        }
        /* 4. the power loss (now, if the trigger did not fire), abrupt term */
        nfired += walos_power_lost(c.os);
        calls += walos_calls(c.os);
        if (!walos_power_lost(c.os))
            walos_power_loss_now(c.os, cw_rand(&rng) % 2 ? 0 : cw_rand(&rng) | 1);
        nloss++;
        {
            JET_ERR et = pl_close(&ps, true); /* the engine's last calls all fail: it is off */
            char note[64];
            snprintf(note, sizeof note, "TERM %d", (int)et);
            walos_trace_note(note);
        }
        walos_arm_power_loss(c.os, 0, 0); /* the reboot */
        walos_trace_note("REBOOT");
        walos_get_stats(c.os, &st);
        walos_disable(c.os);
        if (st.violations) {
            bj_test_fail(__FILE__, __LINE__,
                         "round %u (seed %" PRIu64 "): WAL rule: %" PRIu64 " violation(s); first: "
                         "%s",
                         round, c.seed, st.violations, st.first);
            break;
        }
    }
    printf("  power losses %" PRIu64 " (%" PRIu64 " inside the workload, %" PRIu64
           " write/sync calls), %" PRIu64 " durable commits acknowledged, %" PRIu64
           " rolled back; WAL: %" PRIu64 " page writes checked, %" PRIu64 " log writes, %" PRIu64
           " log syncs\n",
           nloss, nfired, calls, c.m.ncommitted, c.m.nrolledback, st.pageWrites, st.logWrites,
           st.logSyncs);
    CHECK(c.m.ncommitted > 0);
out:
    pl_close(&ps, true);
    bj_inst_test_set_os(NULL);
    g_wo = NULL;
    walos_destroy(c.os);
    bj_os_mem_destroy(c.mem);
    cw_model_free(&c.m);
    pthread_mutex_destroy(&c.lock);
}

TEST(harness_no_loss)
{
    run_rounds((uint32_t)cw_env_u64("BJ_CRASH_CLEAN_ROUNDS", 12), false);
}

TEST(power_loss_rounds)
{
    run_rounds((uint32_t)cw_env_u64("BJ_CRASH_ROUNDS", 200), true);
}

/* The checker on scripted calls: a page ahead of the synced log is a violation, a page covered
 * by a synced log write is not, an unsynced log write covers nothing. */
TEST(harness_wal_checker)
{
    const uint32_t cbPage = 8192;
    bj_os *mem = bj_os_mem_create();
    bj_os *os = walos_create(mem, "x.edb", cbPage);
    _Atomic uint64_t counter = 10;
    bj_file *log = NULL, *db = NULL;
    uint8_t *pg = calloc(1, cbPage);
    REQUIRE(pg);
    REQUIRE_OK(bj_file_open(os, "/edb.log", BJ_OPEN_CREATE, &log));
    REQUIRE_OK(bj_file_open(os, "/x.edb", BJ_OPEN_CREATE, &db));
    walos_enable(os, &counter); /* dSynced = 10 */
    walos_stats st;
    bj_page_set_dbtime(pg, 10);
    CHECK_OK(bj_file_write(db, 2 * cbPage, pg, cbPage)); /* covered: 10 <= 10 */
    walos_get_stats(os, &st);
    CHECK_EQ(st.violations, 0);
    CHECK_EQ(st.pageWrites, 1);
    atomic_store(&counter, 15);
    bj_page_set_dbtime(pg, 12);
    CHECK_OK(bj_file_write(db, 3 * cbPage, pg, cbPage)); /* no log yet: violation */
    walos_get_stats(os, &st);
    CHECK_EQ(st.violations, 1);
    CHECK_OK(bj_file_write(log, 0, pg, 512)); /* covers <= 15, not synced */
    atomic_store(&counter, 20);
    CHECK_OK(bj_file_write(db, 3 * cbPage, pg, cbPage)); /* still a violation */
    walos_get_stats(os, &st);
    CHECK_EQ(st.violations, 2);
    CHECK_OK(bj_file_sync(log));                         /* dSynced = 15 */
    CHECK_OK(bj_file_write(db, 3 * cbPage, pg, cbPage)); /* 12 <= 15: fine */
    bj_page_set_dbtime(pg, 16);
    CHECK_OK(bj_file_write(db, 0, pg, cbPage));          /* header page: not checked */
    CHECK_OK(bj_file_write(db, 4 * cbPage, pg, cbPage)); /* 16 > 15: violation */
    walos_get_stats(os, &st);
    CHECK_EQ(st.violations, 3);
    CHECK_EQ(st.pageWrites, 5);
    CHECK_EQ(st.logSyncs, 1);
    /* the power-loss trigger: the 2nd write/sync call kills the files */
    walos_arm_power_loss(os, 2, 0);
    CHECK_OK(bj_file_write(log, 512, pg, 512));
    CHECK(!walos_power_lost(os));
    CHECK_ERR(bj_file_sync(log), JET_errDiskIO);
    CHECK(walos_power_lost(os));
    CHECK_EQ(walos_calls(os), 2);
    free(pg);
    bj_file_close(log);
    bj_file_close(db);
    walos_destroy(os);
    bj_os_mem_destroy(mem);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
