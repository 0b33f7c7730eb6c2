/* test_log_roll.c: a roll does not make commits wait for the next edbtmp.log. After a roll has
 * opened the new generation it makes the next edbtmp.log (zero-fill + fsync, tens of ms on a
 * disk); a flush of the new generation (a commit) must complete meanwhile. The in-memory
 * backend's write hook holds the zero-fill of edbtmp.log at a gate until the flush is seen
 * done (or a timeout: then the check fails and the gate opens, so the test never hangs).
 */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "test_log_env.h"

#define ZERO_CHUNK (256u * 1024u) /* log_write.c's zero-fill writes */

typedef struct gate {
    bj_mutex mu;
    bj_cond cv;
    bool armed, reached, open;
} gate;

static void gate_hook(void *ctx, const char *path, uint64_t off, const void *buf, size_t cb)
{
    gate *g = ctx;
    (void)off;
    (void)buf;
    if (cb != ZERO_CHUNK || !strstr(path, "edbtmp.log"))
        return;
    bj_mutex_lock(&g->mu);
    if (g->armed) {
        g->reached = true;
        bj_cond_broadcast(&g->cv);
        while (!g->open)
            bj_cond_timedwait(&g->cv, &g->mu, 1000);
    }
    bj_mutex_unlock(&g->mu);
}

typedef struct roll_ctx {
    bj_log *log;
    uint32_t genDone;
    JET_ERR err;
} roll_ctx;

static void *roll_main(void *p)
{
    roll_ctx *c = p;
    c->err = bj_log_roll(c->log, &c->genDone);
    return NULL;
}

typedef struct flush_ctx {
    bj_log *log;
    bj_lsn lsn;
    JET_ERR err;
    atomic_bool done;
} flush_ctx;

static void *flush_main(void *p)
{
    flush_ctx *c = p;
    c->err = bj_log_flush(c->log, c->lsn);
    atomic_store(&c->done, true);
    return NULL;
}

TEST(commit_flushes_while_next_tmp_log_is_made)
{
    bj_os *os = bj_os_mem_create();
    bj_log *log = NULL;
    gate g;
    memset(&g, 0, sizeof(g));
    bj_mutex_init(&g.mu);
    bj_cond_init(&g.cv);
    REQUIRE_OK(log_open_new(os, 1024 * 1024, false, &log));
    bj_lsn lsnEnd = 0;
    REQUIRE_OK(rec_append(log, 0, 0, 100, NULL, &lsnEnd));
    REQUIRE_OK(bj_log_flush(log, lsnEnd));

    bj_mutex_lock(&g.mu);
    g.armed = true;
    bj_mutex_unlock(&g.mu);
    bj_os_mem_set_write_hook(os, gate_hook, &g);
    roll_ctx rc = {.log = log};
    bj_thread thRoll, thFlush;
    REQUIRE_OK(bj_thread_start(&thRoll, roll_main, &rc));

    /* the roll is now making edbtmp.log for generation 3 */
    bj_mutex_lock(&g.mu);
    for (int i = 0; i < 100 && !g.reached; i++)
        bj_cond_timedwait(&g.cv, &g.mu, 100);
    const bool reached = g.reached;
    bj_mutex_unlock(&g.mu);
    CHECK(reached);
    CHECK_EQ(bj_log_generation(log), 2);

    /* a commit in generation 2: appended and made durable before edbtmp.log is finished */
    REQUIRE_OK(rec_append(log, 0, 1, 100, NULL, &lsnEnd));
    flush_ctx fc = {.log = log, .lsn = lsnEnd};
    atomic_init(&fc.done, false);
    REQUIRE_OK(bj_thread_start(&thFlush, flush_main, &fc));
    for (int i = 0; i < 500 && !atomic_load(&fc.done); i++)
        usleep(10000);
    const bool flushedDuringMake = atomic_load(&fc.done);
    CHECK(flushedDuringMake);

    bj_mutex_lock(&g.mu);
    g.open = true;
    g.armed = false;
    bj_cond_broadcast(&g.cv);
    bj_mutex_unlock(&g.mu);
    bj_thread_join(thFlush);
    bj_thread_join(thRoll);
    bj_os_mem_set_write_hook(os, NULL, NULL);
    CHECK_OK(fc.err);
    CHECK_OK(rc.err);
    CHECK_EQ(rc.genDone, 1);
    CHECK(bj_log_durable(log) >= lsnEnd);

    /* the next roll takes the edbtmp.log just made */
    uint32_t genDone = 0;
    CHECK_OK(bj_log_roll(log, &genDone));
    CHECK_EQ(genDone, 2);
    CHECK_EQ(bj_log_generation(log), 3);
    REQUIRE_OK(rec_append(log, 0, 2, 100, NULL, &lsnEnd));
    bj_log_close(log);

    uint32_t n = 0;
    bool bad = false;
    CHECK_OK(read_all(os, 0, &n, 0, &bad, NULL));
    CHECK_EQ(n, 3);
    CHECK(!bad);
    bj_os_mem_destroy(os);
    bj_cond_destroy(&g.cv);
    bj_mutex_destroy(&g.mu);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
