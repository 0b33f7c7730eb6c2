/* test_btree_env.h: a database for B-tree tests: in-memory OS file, buffer cache with the real
 * page verify/seal, a dbtime context and a trivial page allocator (bump + free list) that also
 * records which pages are allocated, so tests can compare it with bj_bt_walk_pages.
 */
#ifndef BJ_TEST_BTREE_ENV_H
#define BJ_TEST_BTREE_ENV_H

#include "btree/btree.h"
#include "buf/buf.h"
#include "os/os.h"
#include "page/page.h"
#include "testlib.h"

typedef struct tenv {
    bj_os *os;
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
    bj_bt_tree t;
    pthread_mutex_t mu;
    uint32_t next;   /* next never-used pgno */
    uint32_t *freel; /* released pages */
    uint32_t cfree, capfree;
    uint8_t *inuse; /* by pgno, 1 = allocated to the tree */
    uint32_t capuse;
    uint32_t released; /* count of release calls */
} tenv;

static JET_ERR tenv_alloc(void *ctx, bj_bt_tree *t, uint32_t near, uint32_t *ppgno)
{
    (void)t;
    (void)near;
    tenv *e = ctx;
    pthread_mutex_lock(&e->mu);
    uint32_t pgno = e->cfree ? e->freel[--e->cfree] : e->next++;
    if (pgno >= e->capuse) {
        uint32_t cap = pgno * 2 + 64;
        e->inuse = realloc(e->inuse, cap);
        memset(e->inuse + e->capuse, 0, cap - e->capuse);
        e->capuse = cap;
    }
    e->inuse[pgno] = 1;
    if (pgno > bj_buf_db_size(e->db))
        bj_buf_db_set_size(e->db, pgno);
    pthread_mutex_unlock(&e->mu);
    *ppgno = pgno;
    return JET_errSuccess;
}

static JET_ERR tenv_release(void *ctx, bj_bt_tree *t, uint32_t pgno)
{
    (void)t;
    tenv *e = ctx;
    pthread_mutex_lock(&e->mu);
    if (e->cfree == e->capfree) {
        e->capfree = e->capfree * 2 + 64;
        e->freel = realloc(e->freel, e->capfree * sizeof(uint32_t));
    }
    e->freel[e->cfree++] = pgno;
    if (pgno < e->capuse)
        e->inuse[pgno] = 0;
    e->released++;
    pthread_mutex_unlock(&e->mu);
    return JET_errSuccess;
}

/* A fresh tree (objid 42, root pgno 1, a 16-byte external header) on cbPage pages. */
static tenv *tenv_new(uint32_t cbPage, uint32_t cFrames, uint32_t flags)
{
    tenv *e = calloc(1, sizeof(*e));
    pthread_mutex_init(&e->mu, NULL);
    e->os = bj_os_mem_create();
    if (bj_file_open(e->os, "/db.edb", BJ_OPEN_CREATE, &e->file) < 0)
        return NULL;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = cFrames, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &e->buf) < 0)
        return NULL;
    if (bj_buf_db_attach(e->buf, e->file, false, &e->db) < 0)
        return NULL;
    bj_buf_db_set_size(e->db, 1);
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 100);
    e->next = 2;
    uint8_t ext[16];
    for (int i = 0; i < 16; i++)
        ext[i] = (uint8_t)(0xa0 + i);
    if (bj_bt_create(&e->dbc, 1, 42, flags, ext, 16) < 0)
        return NULL;
    bj_bt_alloc a = {tenv_alloc, tenv_release, e};
    if (bj_bt_open(&e->t, &e->dbc, 1, 42, flags, &a) < 0)
        return NULL;
    return e;
}

static void tenv_free(tenv *e)
{
    if (!e)
        return;
    bj_bt_close(&e->t);
    bj_buf_db_detach(e->db, true);
    bj_buf_close(e->buf);
    bj_file_close(e->file);
    bj_os_mem_destroy(e->os);
    free(e->freel);
    free(e->inuse);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

static void tenv_report(void *ctx, uint32_t pgno, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "  check fault (page %u): %s\n", pgno, msg);
}

#endif
