/* test_btree_edb.c: the B-tree cursor and checker on real Windows-written databases
 * (../shared/data/edb, read-only through the POSIX backend and the buffer cache): the catalog
 * row counts of README.md, and bj_bt_check on every tree the catalog names.
 */
#include "btree/btree.h"
#include "buf/buf.h"
#include "os/os.h"
#include "page/page.h"
#include "testlib.h"

typedef struct edb {
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
} edb;

static bool edb_open(edb *e, const char *name, uint32_t cbPage)
{
    char path[1024];
    const char *shared = bj_test_shared_dir();
    memset(e, 0, sizeof(*e));
    if (!shared)
        return false;
    snprintf(path, sizeof(path), "%s/data/edb/%s", shared, name);
    if (bj_file_open(bj_os_posix(), path, BJ_OPEN_READONLY, &e->file) < 0)
        return false;
    bj_buf_config cfg = {.cbPage = cbPage, .cFrames = 256, .verify = bj_page_verify};
    if (bj_buf_open(&cfg, &e->buf) < 0)
        return false;
    if (bj_buf_db_attach(e->buf, e->file, true, &e->db) < 0)
        return false;
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 0);
    return true;
}

static void edb_close(edb *e)
{
    if (e->db)
        bj_buf_db_detach(e->db, true);
    bj_buf_close(e->buf);
    bj_file_close(e->file);
}

static void report(void *ctx, uint32_t pgno, const char *msg)
{
    (void)pgno;
    fprintf(stderr, "  %s: %s\n", (const char *)ctx, msg);
}

static uint32_t g_pages, g_nonunique;

/* A non-unique tree read by seeks: for every node in scan order, seek by its key (EQ, GE) lands
 * on the first node of that key, LE on the last, and seek by (key, data) on the node itself. */
static void check_nonunique(bj_bt_tree *t, const char *what)
{
    bj_bt_cursor scan, s;
    REQUIRE_OK(bj_bt_cursor_open(t, false, &scan));
    REQUIRE_OK(bj_bt_cursor_open(t, false, &s));
    uint32_t cbPage = t->dbc->cbPage;
    uint8_t *firstData = malloc(cbPage), *prevKey = malloc(cbPage), *prevData = malloc(cbPage);
    uint8_t *key = malloc(cbPage), *data = malloc(cbPage);
    uint32_t cbFirst = 0, cbPrevKey = 0, cbPrevData = 0, nodes = 0, keys = 0, bad = 0;
    bool have = false;
    for (JET_ERR err = bj_bt_move_first(&scan); err >= 0; err = bj_bt_move_next(&scan)) {
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
        REQUIRE_OK(bj_bt_get(&scan, &k, &cbK, &d, &cbD, NULL));
        memcpy(key, k, cbK);
        memcpy(data, d, cbD);
        nodes++;
        bool newKey = !have || bj_keycmp(key, cbK, prevKey, cbPrevKey) != 0;
        if (newKey) {
            if (have) {
                /* LE on the previous key: its last node = the previous node */
                const uint8_t *k2, *d2;
                uint32_t cbK2, cbD2;
                if (bj_bt_seek(&s, prevKey, cbPrevKey, BJ_BT_SEEK_LE) < 0 ||
                    bj_bt_get(&s, &k2, &cbK2, &d2, &cbD2, NULL) < 0 ||
                    bj_keycmp(d2, cbD2, prevData, cbPrevData) != 0)
                    bad++;
            }
            keys++;
            memcpy(firstData, data, cbD);
            cbFirst = cbD;
        } else if (bj_keycmp(data, cbD, prevData, cbPrevData) <= 0) {
            bad++; /* (key, data) order */
        }
        const uint8_t *k2, *d2;
        uint32_t cbK2, cbD2;
        for (int mode = 0; mode < 2; mode++) {
            if (bj_bt_seek(&s, key, cbK, mode ? BJ_BT_SEEK_GE : BJ_BT_SEEK_EQ) != JET_errSuccess ||
                bj_bt_get(&s, &k2, &cbK2, &d2, &cbD2, NULL) < 0 || bj_keycmp(k2, cbK2, key, cbK) ||
                bj_keycmp(d2, cbD2, firstData, cbFirst))
                bad++;
        }
        if (bj_bt_seek_kd(&s, key, cbK, data, cbD, BJ_BT_SEEK_EQ) != JET_errSuccess ||
            bj_bt_get(&s, &k2, &cbK2, &d2, &cbD2, NULL) < 0 || bj_keycmp(d2, cbD2, data, cbD))
            bad++;
        memcpy(prevKey, key, cbK);
        cbPrevKey = cbK;
        memcpy(prevData, data, cbD);
        cbPrevData = cbD;
        have = true;
    }
    fprintf(stderr, "  %s: non-unique, %u nodes, %u keys, %u bad seeks\n", what, nodes, keys, bad);
    CHECK_EQ(bad, 0);
    g_nonunique++;
    free(firstData);
    free(prevKey);
    free(prevData);
    free(key);
    free(data);
    bj_bt_cursor_close(&s);
    bj_bt_cursor_close(&scan);
}

static JET_ERR count_pages(void *ctx, uint32_t pgno, uint32_t pf)
{
    (void)ctx;
    (void)pgno;
    (void)pf;
    g_pages++;
    return JET_errSuccess;
}

/* Counts the catalog rows, then checks pgno 4, 24 and every table / index / LV tree the
 * catalog lists; non-unique ones are also read by seeks (check_nonunique). */
static void check_file(const char *name, uint32_t cbPage, uint64_t wantRows, uint32_t minTrees)
{
    edb e;
    if (!edb_open(&e, name, cbPage)) {
        bj_test_fail(__FILE__, __LINE__, "cannot open %s", name);
        edb_close(&e);
        return;
    }
    bj_bt_tree cat;
    REQUIRE_OK(bj_bt_open(&cat, &e.dbc, 4, 2, ~0u, NULL));
    uint64_t n = 0;
    CHECK_OK(bj_bt_count(&cat, true, &n));
    CHECK_EQ(n, wantRows);
    /* the same through a cursor, forward and backward */
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&cat, true, &c));
    uint64_t fwd = 0, back = 0;
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c))
        fwd++;
    for (JET_ERR err = bj_bt_move_last(&c); err >= 0; err = bj_bt_move_prev(&c))
        back++;
    CHECK_EQ(fwd, wantRows);
    CHECK_EQ(back, wantRows);
    CHECK_OK(bj_bt_check(&cat, report, (void *)name));

    /* trees named by the catalog: (pgno, objid) of tables, secondary indexes, LV trees */
    uint32_t trees[512][2], ntrees = 0, tablePgno = 0;
    trees[ntrees][0] = 24;
    trees[ntrees++][1] = 3;
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0 && ntrees < 512; err = bj_bt_move_next(&c)) {
        const uint8_t *d;
        uint32_t cbD;
        REQUIRE_OK(bj_bt_get(&c, NULL, NULL, &d, &cbD, NULL));
        if (cbD < 18)
            continue;
        uint16_t type = bj_ld16(d + 8);
        uint32_t id = bj_ld32(d + 10), pgno = bj_ld32(d + 14);
        if (type == 1)
            tablePgno = pgno;
        if ((type == 1 || type == 4 || (type == 3 && pgno != tablePgno)) && pgno != 4 &&
            pgno != 24) {
            trees[ntrees][0] = pgno;
            trees[ntrees++][1] = id;
        }
    }
    bj_bt_cursor_close(&c);
    bj_bt_close(&cat);
    fprintf(stderr, "  %s: %u trees besides the catalog\n", name, ntrees);
    CHECK(ntrees >= minTrees);
    uint32_t checked = 0;
    for (uint32_t i = 0; i < ntrees; i++) {
        bj_bt_tree t;
        JET_ERR err = bj_bt_open(&t, &e.dbc, trees[i][0], trees[i][1], ~0u, NULL);
        if (err < 0) {
            bj_test_fail(__FILE__, __LINE__, "%s: open tree pgno %u objid %u: %d", name,
                         trees[i][0], trees[i][1], err);
            continue;
        }
        char what[128];
        snprintf(what, sizeof(what), "%s tree %u/%u", name, trees[i][0], trees[i][1]);
        CHECK_OK(bj_bt_check(&t, report, what));
        g_pages = 0;
        CHECK_OK(bj_bt_walk_pages(&t, count_pages, NULL));
        CHECK(g_pages >= 1);
        uint64_t all = 0, live = 0;
        CHECK_OK(bj_bt_count(&t, false, &all));
        CHECK_OK(bj_bt_count(&t, true, &live));
        CHECK(live <= all);
        if (t.flags & BJ_BT_NON_UNIQUE)
            check_nonunique(&t, what);
        bj_bt_close(&t);
        checked++;
    }
    CHECK_EQ(checked, ntrees);
    edb_close(&e);
}

TEST(srudb_4k)
{
    check_file("SRUDB_win_rev14_4k.dat", 4096, 161, 12);
}

TEST(catalog1_4k)
{
    check_file("Catalog1_rev14_4k.edb", 4096, 128, 10);
}

TEST(webcache_32k)
{
    g_nonunique = 0;
    check_file("WebCacheV01_rev6e_32k.dat", 32768, 841, 46);
    /* 30 catalogued trees carry fPageNonUniqueKeys (objid 14 at page 448 among them) */
    CHECK_EQ(g_nonunique, 30);
}

/* Table rows through the cursor: Catalog1's "string" table (994 rows per README). */
TEST(catalog1_table_rows)
{
    edb e;
    REQUIRE(edb_open(&e, "Catalog1_rev14_4k.edb", 4096));
    bj_bt_tree cat;
    REQUIRE_OK(bj_bt_open(&cat, &e.dbc, 4, 2, ~0u, NULL));
    bj_bt_cursor c;
    REQUIRE_OK(bj_bt_cursor_open(&cat, true, &c));
    uint32_t pgno = 0, objid = 0;
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *d;
        uint32_t cbD;
        REQUIRE_OK(bj_bt_get(&c, NULL, NULL, &d, &cbD, NULL));
        if (cbD < 18 || bj_ld16(d + 8) != 1)
            continue;
        /* the name is the first variable column (128): find "string" in the record */
        for (uint32_t i = 0; i + 6 <= cbD; i++) {
            if (!memcmp(d + i, "string", 6) && (i + 6 == cbD || d[i + 6] < 'a')) {
                pgno = bj_ld32(d + 14);
                objid = bj_ld32(d + 10);
                break;
            }
        }
        if (pgno)
            break;
    }
    bj_bt_cursor_close(&c);
    REQUIRE(pgno != 0);
    bj_bt_tree t;
    REQUIRE_OK(bj_bt_open(&t, &e.dbc, pgno, objid, ~0u, NULL));
    uint64_t n = 0;
    CHECK_OK(bj_bt_count(&t, true, &n));
    CHECK_EQ(n, 994);
    CHECK_OK(bj_bt_check(&t, report, "string"));
    bj_bt_close(&t);
    bj_bt_close(&cat);
    edb_close(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
