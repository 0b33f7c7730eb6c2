/* test_cat_ddl.c: DDL below the API with the version store: rollback of create table + add
 * column + create index leaves no trace (catalog on disk, published catalog, space: the
 * FDPs are back in the database's available space, the name is reusable); nested levels;
 * delete table rolled back restores every row; a committed delete frees its FDPs at cleanup;
 * an index built from existing rows and a unique index over duplicates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cat/cat_ddl.h"
#include "os/os.h"
#include "page/page.h"
#include "space/space.h"
#include "testlib.h"
#include "ver/ver.h"

typedef struct env {
    bj_os *os;
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
    bj_space_db *sdb;
    bj_cat *cat;
    bj_cat_writer *w;
    bj_mutex lock;
    uint32_t objidLast;
    bj_cat_db cdb;
    bj_ver *ver;
    bj_trx *trx;
} env;

static JET_ERR publish(void *ctx, bj_cat *cat)
{
    env *e = ctx;
    bj_cat_release(e->cat); /* no cursors in this test */
    e->cat = cat;
    return JET_errSuccess;
}

static env *env_new(uint32_t cbPage)
{
    env *e = calloc(1, sizeof(*e));
    e->os = bj_os_mem_create();
    if (bj_file_open(e->os, "/db.edb", BJ_OPEN_CREATE, &e->file) < 0)
        return NULL;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 2048, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &e->buf) < 0 || bj_buf_db_attach(e->buf, e->file, false, &e->db) < 0)
        return NULL;
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 0);
    if (bj_space_db_open(&e->dbc, e->file, 0, &e->sdb) < 0 || bj_space_create_db(e->sdb, 0) < 0)
        return NULL;
    if (bj_cat_create(&e->dbc, e->sdb, &e->cat) < 0)
        return NULL;
    if (bj_cat_writer_open(&e->dbc, e->sdb, e->cat, &e->w) < 0)
        return NULL;
    bj_mutex_init(&e->lock);
    e->objidLast = 5;
    e->cdb = (bj_cat_db){.dbc = &e->dbc,
                         .sdb = e->sdb,
                         .w = e->w,
                         .lock = &e->lock,
                         .pobjidLast = &e->objidLast,
                         .dbid = 1,
                         .pcat = &e->cat,
                         .publish = publish,
                         .ctx = e};
    if (bj_ver_init(NULL, &e->ver) < 0 || bj_ver_trx_create(e->ver, &e->trx) < 0)
        return NULL;
    return e;
}

static void env_free(env *e)
{
    bj_ver_trx_destroy(e->trx);
    bj_ver_term(e->ver);
    bj_cat_writer_close(e->w);
    bj_cat_release(e->cat);
    bj_space_db_close(e->sdb);
    bj_buf_db_detach(e->db, true);
    bj_buf_close(e->buf);
    bj_file_close(e->file);
    bj_os_mem_destroy(e->os);
    bj_mutex_destroy(&e->lock);
    free(e);
}

/* Space check over every FDP of the published catalog; returns the leaked page count. */
static uint32_t space_ok(env *e)
{
    uint32_t fdps[256], n = 0;
    for (uint32_t i = 0; i < e->cat->ctbl; i++) {
        const bj_cat_table *t = e->cat->rgtbl[i];
        fdps[n++] = t->pgnoFDP;
        for (uint32_t j = 0; j < t->cidx; j++)
            if (!(t->rgidx[j].fidb & BJ_FIDB_PRIMARY))
                fdps[n++] = t->rgidx[j].pgnoFDP;
    }
    bj_space_check_stats st;
    CHECK_OK(bj_space_check(&e->dbc, fdps, n, NULL, NULL, &st));
    return st.cpgLeaked;
}

static uint32_t tables_on_disk(env *e)
{
    bj_cat *c = NULL;
    if (bj_cat_load(&e->dbc, &c) < 0)
        return 999;
    uint32_t n = c->ctbl;
    bj_cat_release(c);
    return n;
}

static JET_ERR add_col(env *e, const char *t, const char *name, JET_COLTYP typ, JET_GRBIT g)
{
    bj_cat_coldef d = {name, typ, 0, g, 0, NULL, 0, BJ_CAT_DDL_USER};
    return bj_cat_ddl_add_column(&e->cdb, e->trx, t, &d, NULL);
}

static JET_ERR add_idx(env *e, const char *t, const char *name, const char *key, uint32_t cb,
                       JET_GRBIT g)
{
    bj_cat_idxdef d = {0};
    d.szName = name;
    d.szKey = key;
    d.cbKey = cb;
    d.grbit = g;
    return bj_cat_ddl_create_index(&e->cdb, e->trx, t, &d);
}

TEST(rollback_create_leaves_no_trace)
{
    env *e = env_new(8192);
    REQUIRE(e);
    const uint32_t leaked0 = space_ok(e);
    REQUIRE_OK(bj_ver_trx_begin(e->trx));
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, e->trx, "T", 0, 0, 0));
    CHECK_OK(add_col(e, "T", "a", JET_coltypLong, 0));
    CHECK_OK(add_col(e, "T", "b", JET_coltypText, 0));
    CHECK_OK(add_idx(e, "T", "ia", "+a\0\0", 4, JET_bitIndexPrimary));
    CHECK_OK(add_idx(e, "T", "ib", "+b\0\0", 4, 0));
    CHECK(bj_cat_find_table(e->cat, "T") != NULL);
    CHECK_EQ(tables_on_disk(e), 3);
    CHECK_OK(bj_ver_trx_rollback(e->trx, 0));
    CHECK(bj_cat_find_table(e->cat, "T") == NULL);
    CHECK_EQ(tables_on_disk(e), 2);
    CHECK_EQ(space_ok(e), leaked0);
    /* the name is free again, outside a transaction too */
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, NULL, "T", 0, 0, 0));
    CHECK_OK(bj_cat_ddl_add_column(
        &e->cdb, NULL, "T",
        &(bj_cat_coldef){"a", JET_coltypLong, 0, 0, 0, NULL, 0, BJ_CAT_DDL_USER}, NULL));
    CHECK_EQ(tables_on_disk(e), 3);
    env_free(e);
}

TEST(rollback_nested_levels)
{
    env *e = env_new(4096);
    REQUIRE(e);
    REQUIRE_OK(bj_ver_trx_begin(e->trx));
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, e->trx, "T1", 0, 0, 0));
    REQUIRE_OK(bj_ver_trx_begin(e->trx));
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, e->trx, "T2", 0, 0, 0));
    CHECK_OK(add_col(e, "T1", "c", JET_coltypLong, 0));
    CHECK_OK(bj_ver_trx_rollback(e->trx, 0)); /* level 2 */
    CHECK(bj_cat_find_table(e->cat, "T1") != NULL);
    CHECK(bj_cat_find_table(e->cat, "T2") == NULL);
    CHECK(bj_cat_find_column(bj_cat_find_table(e->cat, "T1"), "c") == NULL);
    CHECK_OK(bj_ver_trx_commit(e->trx, 0));
    CHECK_EQ(tables_on_disk(e), 3);
    CHECK_OK(bj_ver_trx_begin(e->trx));
    CHECK_ERR(bj_ver_trx_rollback(e->trx, 0), JET_errSuccess);
    CHECK(bj_cat_find_table(e->cat, "T1") != NULL); /* committed: stays */
    env_free(e);
}

TEST(rollback_delete_restores)
{
    env *e = env_new(8192);
    REQUIRE(e);
    const uint32_t leaked0 = space_ok(e);
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, NULL, "T", 0, 0, 0));
    bj_trx *t0 = e->trx;
    e->trx = NULL; /* level 0: final at once */
    CHECK_OK(add_col(e, "T", "a", JET_coltypLong, 0));
    CHECK_OK(add_col(e, "T", "m", JET_coltypLong, JET_bitColumnMultiValued | JET_bitColumnTagged));
    CHECK_OK(add_idx(e, "T", "im", "+m\0\0", 4, 0));
    e->trx = t0;
    REQUIRE_OK(bj_ver_trx_begin(e->trx));
    CHECK_OK(bj_cat_ddl_delete_table(&e->cdb, e->trx, "T"));
    CHECK(bj_cat_find_table(e->cat, "T") == NULL);
    CHECK_OK(bj_ver_trx_rollback(e->trx, 0));
    const bj_cat_table *t = bj_cat_find_table(e->cat, "T");
    REQUIRE(t);
    CHECK_EQ(t->ccol, 2);
    CHECK_EQ(t->cidx, 1);
    CHECK(t->rgidx[0].fidb & BJ_FIDB_MULTIVALUED);
    CHECK_EQ(space_ok(e), leaked0);
    /* committed delete: FDPs go back at cleanup */
    REQUIRE_OK(bj_ver_trx_begin(e->trx));
    CHECK_OK(bj_cat_ddl_delete_table(&e->cdb, e->trx, "T"));
    CHECK_OK(bj_ver_trx_commit(e->trx, 0));
    bj_ver_cleanup(e->ver);
    CHECK_EQ(tables_on_disk(e), 2);
    CHECK_EQ(space_ok(e), leaked0);
    env_free(e);
}

/* Inserts a record directly into the table tree (the record layer is another task). */
static void put_record(env *e, const char *table, uint32_t a, const char *b)
{
    const bj_cat_table *t = bj_cat_find_table(e->cat, table);
    uint8_t r1[512], r2[512], key[16];
    size_t cb = 0;
    uint8_t v[4];
    bj_st32(v, a);
    CHECK(bj_rec_set(&t->schema, NULL, 0, 1, 0, v, 4, 0, 0, r1, sizeof(r1), &cb) >= 0);
    CHECK(bj_rec_set(&t->schema, r1, cb, 128, 0, b, (uint32_t)strlen(b), 0, 0, r2, sizeof(r2),
                     &cb) >= 0);
    bj_bt_tree tr;
    bj_space_fdp *f = NULL;
    REQUIRE_OK(bj_space_fdp_open(e->sdb, t->pgnoFDP, &f));
    bj_bt_alloc al = bj_space_fdp_allocator(f);
    REQUIRE_OK(bj_bt_open(&tr, &e->dbc, t->pgnoFDP, t->objid, ~0u, &al));
    bj_cat_dbk_key(a, key);
    CHECK_OK(bj_bt_insert(&tr, key, 4, r2, (uint32_t)cb, 0));
    bj_bt_close(&tr);
    bj_space_fdp_close(f);
}

TEST(index_build_from_rows)
{
    env *e = env_new(8192);
    REQUIRE(e);
    bj_trx *t0 = e->trx;
    e->trx = NULL;
    CHECK_OK(bj_cat_ddl_create_table(&e->cdb, NULL, "T", 0, 0, 0));
    CHECK_OK(add_col(e, "T", "a", JET_coltypLong, 0));
    CHECK_OK(add_col(e, "T", "b", JET_coltypText, 0));
    put_record(e, "T", 1, "x");
    put_record(e, "T", 2, "y");
    put_record(e, "T", 3, "x");
    CHECK_ERR(add_idx(e, "T", "pk", "+a\0\0", 4, JET_bitIndexPrimary), JET_errTableNotEmpty);
    CHECK_OK(add_idx(e, "T", "ia", "+a\0\0", 4, JET_bitIndexUnique));
    CHECK_ERR(add_idx(e, "T", "ub", "+b\0\0", 4, JET_bitIndexUnique), JET_errKeyDuplicate);
    CHECK(bj_cat_find_index(bj_cat_find_table(e->cat, "T"), "ub") == NULL);
    CHECK_OK(add_idx(e, "T", "ib", "+b\0\0", 4, 0));
    const bj_cat_table *t = bj_cat_find_table(e->cat, "T");
    const bj_cat_index *x = bj_cat_find_index(t, "ib");
    REQUIRE(x);
    bj_bt_tree tr;
    uint64_t n = 0;
    REQUIRE_OK(bj_bt_open(&tr, &e->dbc, x->pgnoFDP, x->objid, ~0u, NULL));
    CHECK_OK(bj_bt_count(&tr, true, &n));
    CHECK_EQ(n, 3);
    bj_bt_close(&tr);
    space_ok(e);
    e->trx = t0;
    env_free(e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
