/* test_cat.c: the catalog layer on the Windows-written databases of ../shared/data/edb (read
 * only, POSIX backend + buffer cache + B-trees): table counts, column and index counts, key
 * segments, and corrupt catalog rows (targeted and random) that must fail cleanly.
 * The column / index counts were read by hand from Debian's `esedbinfo` (libesedb 20181229)
 * output on the same files; esedbinfo's index count includes the primary index.
 */
#include <stdlib.h>

#include "cat/cat.h"
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

static void check_counts(const bj_cat *cat, const char *table, uint32_t ccol, uint32_t cidx)
{
    const bj_cat_table *t = bj_cat_find_table(cat, table);
    if (!t) {
        bj_test_fail(__FILE__, __LINE__, "table %s not found", table);
        return;
    }
    if (t->ccol != ccol || t->cidx != cidx)
        bj_test_fail(__FILE__, __LINE__, "%s: %u columns %u indexes, want %u %u", table, t->ccol,
                     t->cidx, ccol, cidx);
}

TEST(srudb_catalog)
{
    edb e;
    if (!edb_open(&e, "SRUDB_win_rev14_4k.dat", 4096)) {
        edb_close(&e);
        return;
    }
    bj_cat *cat = NULL;
    REQUIRE_OK(bj_cat_load(&e.dbc, &cat));
    CHECK_EQ(cat->ctbl, 12);
    check_counts(cat, "MSysObjects", 28, 3);
    check_counts(cat, "SruDbIdMapTable", 3, 2);
    check_counts(cat, "SruDbCheckpointTable", 5, 2);
    check_counts(cat, "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", 19, 3);
    check_counts(cat, "{DD6636C4-8929-4683-974E-22C046A43763}", 9, 3);
    /* case-insensitive lookup as ESE's _stricmp */
    const bj_cat_table *t = bj_cat_find_table(cat, "srudbidmaptable");
    REQUIRE(t != NULL);
    CHECK_EQ(t->objid, 8);
    CHECK(t->fHasPrimary);
    CHECK_STR(t->rgidx[0].szName, "IdIndex");
    CHECK(t->rgidx[0].grbit & JET_bitIndexPrimary);
    CHECK_EQ(t->rgidx[0].pgnoFDP, t->pgnoFDP);
    const bj_cat_column *c = bj_cat_find_column(t, "IDBLOB");
    REQUIRE(c != NULL);
    CHECK_EQ(c->columnid, 256);
    CHECK_EQ(c->coltyp, JET_coltypLongBinary);
    CHECK(c->grbit & JET_bitColumnTagged);
    c = bj_cat_column_by_id(t, 1);
    REQUIRE(c != NULL);
    CHECK_STR(c->szName, "IdType");
    CHECK_EQ(c->coltyp, JET_coltypUnsignedByte);
    CHECK(c->grbit & JET_bitColumnFixed);
    const bj_cat_index *x = bj_cat_find_index(t, "IdTypeIdBlob");
    REQUIRE(x != NULL);
    CHECK_EQ(x->cseg, 2);
    CHECK_EQ(x->rgcolumnid[0], 1);
    CHECK_EQ(x->rgcolumnid[1], 256);
    CHECK(x->fidx & BJ_FIDX_EXTENDED_COLUMNS);
    CHECK(x->pgnoFDP != t->pgnoFDP);
    CHECK(bj_cat_find_index(t, NULL) == &t->rgidx[0]);
    CHECK(bj_cat_find_index(t, "nope") == NULL);
    CHECK(bj_cat_find_table(cat, "nope") == NULL);
    /* the catalog describes itself */
    t = bj_cat_find_table(cat, "MSysObjects");
    REQUIRE(t != NULL);
    CHECK_EQ(t->pgnoFDP, 4);
    CHECK_EQ(t->flags & JET_bitObjectSystem, JET_bitObjectSystem);
    x = bj_cat_find_index(t, "Name");
    REQUIRE(x != NULL);
    CHECK_EQ(x->pgnoFDP, 7);
    bj_cat_addref(cat);
    bj_cat_release(cat);
    bj_cat_release(cat);
    edb_close(&e);
}

TEST(catalog1_catalog)
{
    edb e;
    if (!edb_open(&e, "Catalog1_rev14_4k.edb", 4096)) {
        edb_close(&e);
        return;
    }
    bj_cat *cat = NULL;
    REQUIRE_OK(bj_cat_load(&e.dbc, &cat));
    CHECK_EQ(cat->ctbl, 10);
    check_counts(cat, "MSysObjects", 27, 3);
    check_counts(cat, "MSysObjectsShadow", 27, 1);
    check_counts(cat, "namespace", 11, 6);
    check_counts(cat, "string", 2, 2);
    check_counts(cat, "file", 9, 5);
    check_counts(cat, "backupset", 2, 2);
    check_counts(cat, "global", 3, 2);
    check_counts(cat, "library", 5, 3);
    const bj_cat_table *t = bj_cat_find_table(cat, "namespace");
    REQUIRE(t != NULL);
    CHECK_EQ(t->objid, 8);
    CHECK_STR(t->rgidx[0].szName, "pkIndex");
    for (uint32_t i = 0; i < t->cidx; i++) {
        CHECK(t->rgidx[i].cseg >= 1);
        CHECK_OK(bj_key_index_check(&t->rgidx[i].key));
    }
    bj_cat_release(cat);
    edb_close(&e);
}

TEST(webcache_catalog)
{
    edb e;
    if (!edb_open(&e, "WebCacheV01_rev6e_32k.dat", 32768)) {
        edb_close(&e);
        return;
    }
    bj_cat *cat = NULL;
    REQUIRE_OK(bj_cat_load(&e.dbc, &cat));
    CHECK_EQ(cat->ctbl, 46);
    check_counts(cat, "MSysObjects", 28, 3);
    check_counts(cat, "PartitionsEx", 6, 3);
    check_counts(cat, "BlobEntry_1", 8, 1);
    check_counts(cat, "Containers", 14, 2);
    check_counts(cat, "Container_1", 25, 1);
    check_counts(cat, "AppCacheEntryEx_2", 15, 3);
    uint32_t clv = 0;
    for (uint32_t i = 0; i < cat->ctbl; i++)
        clv += cat->rgtbl[i]->objidLV != 0;
    CHECK(clv > 0);
    bj_cat_release(cat);
    edb_close(&e);
}

/* ---- corrupt rows ---- */

typedef struct rows {
    uint8_t **rg;
    uint32_t *cb;
    uint32_t n;
} rows;

static bool read_rows(const char *name, uint32_t cbPage, rows *r)
{
    edb e;
    memset(r, 0, sizeof(*r));
    if (!edb_open(&e, name, cbPage)) {
        edb_close(&e);
        return false;
    }
    bj_bt_tree t;
    bj_bt_cursor c;
    if (bj_bt_open(&t, &e.dbc, 4, 2, ~0u, NULL) < 0)
        return false;
    bj_bt_cursor_open(&t, true, &c);
    r->rg = calloc(4096, sizeof(uint8_t *));
    r->cb = calloc(4096, sizeof(uint32_t));
    for (JET_ERR err = bj_bt_move_first(&c); err >= 0 && r->n < 4096; err = bj_bt_move_next(&c)) {
        const uint8_t *pb;
        uint32_t cb;
        bj_bt_get(&c, NULL, NULL, &pb, &cb, NULL);
        r->rg[r->n] = malloc(cb);
        memcpy(r->rg[r->n], pb, cb);
        r->cb[r->n++] = cb;
    }
    bj_bt_cursor_close(&c);
    bj_bt_close(&t);
    edb_close(&e);
    return true;
}

static void free_rows(rows *r)
{
    for (uint32_t i = 0; i < r->n; i++)
        free(r->rg[i]);
    free(r->rg);
    free(r->cb);
}

static JET_ERR build(const rows *r, uint32_t cbPage)
{
    bj_cat *cat = NULL;
    JET_ERR err = bj_cat_build(cbPage, 0, (const uint8_t *const *)r->rg, r->cb, r->n, &cat);
    if (err >= 0 && !cat)
        return -9999;
    bj_cat_release(cat);
    return err;
}

/* Index of the first row of the given Type for table objid. */
static uint32_t find_row(const rows *r, uint32_t objid, uint16_t type)
{
    for (uint32_t i = 0; i < r->n; i++) {
        if (bj_ld32(r->rg[i] + 4) == objid && bj_ld16(r->rg[i] + 8) == type)
            return i;
    }
    return ~0u;
}

TEST(corrupt_rows_targeted)
{
    rows r;
    if (!read_rows("SRUDB_win_rev14_4k.dat", 4096, &r))
        return;
    CHECK_OK(build(&r, 4096));
    uint8_t save[64];
    /* unknown row type */
    uint32_t i = find_row(&r, 8, 2);
    REQUIRE(i != ~0u);
    memcpy(save, r.rg[i], 16);
    bj_st16(r.rg[i] + 8, 99);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    memcpy(r.rg[i], save, 16);
    /* a column row whose table row is another table */
    bj_st32(r.rg[i] + 4, 9999);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    memcpy(r.rg[i], save, 16);
    /* a column with an invalid coltyp */
    bj_st32(r.rg[i] + 14, 200);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    memcpy(r.rg[i], save, 16);
    /* a column id of 0 */
    bj_st32(r.rg[i] + 10, 0);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    memcpy(r.rg[i], save, 16);
    /* a table row with root pgno 0 */
    i = find_row(&r, 8, 1);
    memcpy(save, r.rg[i], 18);
    bj_st32(r.rg[i] + 14, 0);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    memcpy(r.rg[i], save, 18);
    /* a truncated record */
    uint32_t cbSave = r.cb[i];
    r.cb[i] = 3;
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    r.cb[i] = cbSave;
    /* an index whose key column does not exist */
    i = find_row(&r, 8, 3);
    REQUIRE(i != ~0u);
    bj_rec_schema s;
    REQUIRE_OK(bj_cat_mso_schema(&s, 4096));
    bj_rec_value v;
    REQUIRE_OK(bj_rec_retrieve(&s, r.rg[i], r.cb[i], 132, 1, 0, &v));
    REQUIRE(v.cb >= 4);
    uint8_t *p = (uint8_t *)v.pb;
    uint16_t fid = bj_ld16(p + 2);
    bj_st16(p + 2, 77);
    CHECK_ERR(build(&r, 4096), JET_errCatalogCorrupted);
    bj_st16(p + 2, fid);
    CHECK_OK(build(&r, 4096));
    bj_rec_schema_free(&s);
    free_rows(&r);
}

/* Random byte corruption of random rows: the load fails cleanly or succeeds, never crashes. */
static void fuzz_file(const char *name, uint32_t cbPage, uint32_t rounds)
{
    rows r;
    if (!read_rows(name, cbPage, &r))
        return;
    srand(1234);
    uint32_t nerr = 0;
    for (uint32_t k = 0; k < rounds; k++) {
        uint32_t i = (uint32_t)rand() % r.n;
        uint32_t ib = (uint32_t)rand() % r.cb[i];
        uint8_t old = r.rg[i][ib];
        r.rg[i][ib] ^= (uint8_t)(1 + rand() % 255);
        JET_ERR err = build(&r, cbPage);
        if (err < 0) {
            nerr++;
            if (err != JET_errCatalogCorrupted && err != JET_errOutOfMemory)
                bj_test_fail(__FILE__, __LINE__, "row %u byte %u: unexpected %d", i, ib, err);
        } else if (err == -9999) {
            bj_test_fail(__FILE__, __LINE__, "no catalog returned");
        }
        r.rg[i][ib] = old;
    }
    printf("  %s: %u of %u corruptions rejected\n", name, nerr, rounds);
    CHECK(nerr > 0);
    free_rows(&r);
}

TEST(corrupt_rows_random)
{
    fuzz_file("SRUDB_win_rev14_4k.dat", 4096, 1500);
    fuzz_file("WebCacheV01_rev6e_32k.dat", 32768, 300);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
