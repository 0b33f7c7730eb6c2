/* test_cat_write.c: the catalog writer and index keys below the API: a new database's system
 * catalog (rows, Name/RootObjects entries, shadow) loaded back by bj_cat_load; a file with a
 * header read by Debian's esedbinfo and esechk.py; index entry keys of records (multi-values,
 * cross product, NULL rules, conditional columns, DisallowNull) and catalog row round trips.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cat/cat_ddl.h"
#include "os/os.h"
#include "page/dbhdr.h"
#include "page/page.h"
#include "space/space.h"
#include "testlib.h"

typedef struct env {
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
    bj_space_db *sdb;
    uint32_t cbPage;
} env;

static bool env_create(env *e, const char *path, uint32_t cbPage)
{
    memset(e, 0, sizeof(*e));
    e->cbPage = cbPage;
    if (bj_file_open(bj_os_posix(), path, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &e->file) < 0)
        return false;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 1024, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &e->buf) < 0 || bj_buf_db_attach(e->buf, e->file, false, &e->db) < 0)
        return false;
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 0);
    if (bj_space_db_open(&e->dbc, e->file, 0, &e->sdb) < 0)
        return false;
    return bj_space_create_db(e->sdb, 0) >= 0;
}

static void write_header(env *e)
{
    bj_dbhdr h;
    memset(&h, 0, sizeof(h));
    h.magic = BJ_DBH_MAGIC;
    h.version = BJ_DBH_VERSION;
    h.updateMajor = 0x14;
    h.createVersion = BJ_DBH_VERSION;
    h.createUpdate = 0x14;
    h.dbtime = bj_bt_dbctx_dbtime(&e->dbc);
    h.dbstate = BJ_DBSTATE_CLEAN_SHUTDOWN;
    h.dbid = 1;
    h.objidLast = 5;
    h.cbPageSize = e->cbPage;
    h.signDb.random = 12345;
    uint8_t *pg = calloc(1, e->cbPage);
    CHECK_OK(bj_dbhdr_encode(&h, pg, e->cbPage));
    CHECK_OK(bj_file_write(e->file, 0, pg, e->cbPage));
    CHECK_OK(bj_file_write(e->file, e->cbPage, pg, e->cbPage));
    free(pg);
}

static void env_close(env *e)
{
    bj_space_db_close(e->sdb);
    if (e->db)
        bj_buf_db_detach(e->db, false);
    bj_buf_close(e->buf);
    if (e->file)
        bj_file_sync(e->file);
    bj_file_close(e->file);
}

static void create_and_check(uint32_t cbPage)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/sys%u.edb", bj_test_tmpdir(), cbPage);
    env e;
    REQUIRE(env_create(&e, path, cbPage));
    bj_cat *cat = NULL;
    REQUIRE_OK(bj_cat_create(&e.dbc, e.sdb, &cat));
    CHECK_EQ(cat->ctbl, 2);
    bj_cat_release(cat);
    /* what is on disk loads back */
    REQUIRE_OK(bj_cat_load(&e.dbc, &cat));
    CHECK_EQ(cat->ctbl, 2);
    const bj_cat_table *mso = bj_cat_find_table(cat, "MSysObjects");
    const bj_cat_table *sh = bj_cat_find_table(cat, "MSysObjectsShadow");
    REQUIRE(mso && sh);
    CHECK_EQ(mso->ccol, 27);
    CHECK_EQ(mso->cidx, 3);
    CHECK_EQ(sh->cidx, 1);
    CHECK_EQ(mso->pgnoFDP, 4);
    CHECK_EQ(sh->pgnoFDP, 24);
    CHECK(mso->fHasPrimary);
    CHECK_STR(mso->rgidx[0].szName, "Id");
    CHECK_STR(mso->rgidx[0].szLocale, "en-US");
    CHECK_EQ(mso->rgidx[0].fidb, 0x31);
    const bj_cat_index *xr = bj_cat_find_index(mso, "RootObjects");
    REQUIRE(xr);
    CHECK_EQ(xr->fidb, 0x09);
    CHECK_EQ(xr->objid, 5);
    /* the writer: the Name / RootObjects trees hold the entries, duplicates are refused */
    bj_cat_writer *w = NULL;
    REQUIRE_OK(bj_cat_writer_open(&e.dbc, e.sdb, cat, &w));
    bj_bt_tree t;
    uint64_t n = 0;
    REQUIRE_OK(bj_bt_open(&t, &e.dbc, 7, 4, ~0u, NULL));
    CHECK_OK(bj_bt_count(&t, true, &n));
    CHECK_EQ(n, 2 + 2 * 27 + 4); /* every row has an (ObjidTable, Type, Name) entry */
    bj_bt_close(&t);
    REQUIRE_OK(bj_bt_open(&t, &e.dbc, 10, 5, ~0u, NULL));
    CHECK_OK(bj_bt_count(&t, true, &n));
    CHECK_EQ(n, 2); /* tables only */
    bj_bt_close(&t);
    REQUIRE_OK(bj_bt_open(&t, &e.dbc, 24, 3, ~0u, NULL));
    CHECK_OK(bj_bt_count(&t, true, &n));
    CHECK_EQ(n, 2 + 2 * 27 + 4);
    bj_bt_close(&t);
    uint8_t *row = malloc(cbPage);
    uint32_t cbRow = 0;
    CHECK_OK(bj_cat_writer_read(w, 2, BJ_CAT_TYPE_COLUMN, 128, row, cbPage, &cbRow));
    CHECK_ERR(bj_cat_writer_insert(w, row, cbRow), JET_errKeyDuplicate);
    CHECK_OK(bj_cat_writer_delete(w, 2, BJ_CAT_TYPE_COLUMN, 128));
    uint32_t cbSaved = cbRow;
    CHECK_ERR(bj_cat_writer_read(w, 2, BJ_CAT_TYPE_COLUMN, 128, row, cbPage, &cbRow),
              JET_errRecordNotFound);
    CHECK_OK(bj_cat_writer_insert(w, row, cbSaved)); /* back again */
    /* a second table named MSysObjects is refused by RootObjects */
    bj_cat_table tt = {0};
    tt.objid = 9;
    tt.pgnoFDP = 40;
    snprintf(tt.szName, sizeof(tt.szName), "msysobjects");
    bj_rec_schema s;
    REQUIRE_OK(bj_cat_mso_schema(&s, cbPage));
    size_t cb = 0;
    CHECK_OK(bj_cat_row_table(&s, &tt, row, cbPage, &cb));
    CHECK_ERR(bj_cat_writer_insert(w, row, (uint32_t)cb), JET_errKeyDuplicate);
    CHECK_ERR(bj_cat_writer_read(w, 9, BJ_CAT_TYPE_TABLE, 9, row, cbPage, &cbRow),
              JET_errRecordNotFound);
    bj_rec_schema_free(&s);
    free(row);
    bj_cat_writer_close(w);
    bj_cat_release(cat);
    write_header(&e);
    env_close(&e);

    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "esedbinfo '%s' > '%s.txt' 2>&1", path, path);
    int st = system(cmd);
    if (system("command -v esedbinfo >/dev/null 2>&1") == 0) {
        CHECK_EQ(st, 0);
        snprintf(cmd, sizeof(cmd), "grep -q 'Number of tables:.*2' '%s.txt'", path);
        CHECK_EQ(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s '%s.txt' 1>&2", getenv("BJ_SHOW") ? "cat" : "true", path);
        (void)!system(cmd);
    }
    const char *shared = bj_test_shared_dir();
    if (shared) {
        snprintf(cmd, sizeof(cmd), "python3 '%s/tools/esechk.py' '%s' >/dev/null 2>&1", shared,
                 path);
        CHECK_EQ(system(cmd), 0);
    }
}

TEST(create_catalog_4k)
{
    create_and_check(4096);
}

TEST(create_catalog_8k)
{
    create_and_check(8192);
}

TEST(create_catalog_32k)
{
    create_and_check(32768);
}

/* ---- index keys ---- */

/* A table built from rows: 1 Long fixed "a", 128 Text "b", 256 Long tagged MV "m", 257 Long
 * tagged MV "n"; the index under test is given by grbit/segments/conditions. */
static bj_cat *make_table(uint32_t cbPage, JET_GRBIT grbit, const JET_COLUMNID *rgseg,
                          uint32_t cseg, JET_COLUMNID colCond, bool fMustBeNull)
{
    bj_rec_schema s;
    if (bj_cat_mso_schema(&s, cbPage) < 0)
        return NULL;
    uint8_t *rows[8];
    uint32_t cbs[8], n = 0;
    size_t cb;
    bj_cat_table t = {0};
    t.objid = 10;
    t.pgnoFDP = 50;
    t.density = 80;
    snprintf(t.szName, sizeof(t.szName), "T");
    rows[n] = malloc(cbPage);
    bj_cat_row_table(&s, &t, rows[n], cbPage, &cb);
    cbs[n++] = (uint32_t)cb;
    static const struct {
        JET_COLUMNID id;
        JET_COLTYP t;
        const char *sz;
        uint32_t ff;
    } cols[] = {{1, JET_coltypLong, "a", 0},
                {128, JET_coltypText, "b", 0},
                {256, JET_coltypLong, "m", BJ_FFIELD_MULTIVALUED},
                {257, JET_coltypLong, "n", BJ_FFIELD_MULTIVALUED}};
    for (int i = 0; i < 4; i++) {
        bj_cat_column c = {0};
        c.columnid = cols[i].id;
        c.coltyp = cols[i].t;
        c.cbMax = cols[i].t == JET_coltypText ? 255 : 4;
        c.cp = 1252;
        c.ffield = cols[i].ff;
        c.ibRecordOffset = 4;
        snprintf(c.szName, sizeof(c.szName), "%s", cols[i].sz);
        rows[n] = malloc(cbPage);
        bj_cat_row_column(&s, 10, &c, rows[n], cbPage, &cb);
        cbs[n++] = (uint32_t)cb;
    }
    bj_cat_index x = {0};
    x.objid = 11;
    x.pgnoFDP = 60;
    snprintf(x.szName, sizeof(x.szName), "ix");
    uint32_t fl = bj_cat_index_flags_from_grbit(grbit);
    x.fidb = (uint16_t)fl;
    x.fidx = (uint16_t)(fl >> 16);
    x.density = 80;
    x.dwLCMapFlags = BJ_KEY_LCMAP_DEFAULT;
    snprintf(x.szLocale, sizeof(x.szLocale), "en-US");
    x.cbKeyMost = 255;
    x.cbVarSegMac = 255;
    x.cseg = cseg;
    memcpy(x.rgcolumnid, rgseg, cseg * sizeof(JET_COLUMNID));
    if (colCond) {
        x.ccond = 1;
        x.rgcolumnidCond[0] = colCond;
        x.rgfMustBeNull[0] = fMustBeNull;
    }
    rows[n] = malloc(cbPage);
    bj_cat_row_index(&s, 10, &x, rows[n], cbPage, &cb);
    cbs[n++] = (uint32_t)cb;
    bj_cat *cat = NULL;
    JET_ERR err = bj_cat_build(cbPage, 0, (const uint8_t *const *)rows, cbs, n, &cat);
    for (uint32_t i = 0; i < n; i++)
        free(rows[i]);
    bj_rec_schema_free(&s);
    return err < 0 ? NULL : cat;
}

typedef struct recb {
    uint8_t a[4096], b[4096];
    size_t cb;
    const bj_rec_schema *s;
} recb;

static void rset(recb *r, JET_COLUMNID id, const void *pv, uint32_t cb)
{
    memcpy(r->b, r->a, r->cb);
    CHECK(bj_rec_set(r->s, r->b, r->cb, id, 0, pv, cb, 0, 0, r->a, sizeof(r->a), &r->cb) >= 0);
}

static void rset32(recb *r, JET_COLUMNID id, uint32_t v)
{
    uint8_t b[4];
    bj_st32(b, v);
    rset(r, id, b, 4);
}

static uint32_t nkeys(const bj_cat *cat, const recb *r, JET_ERR *perr)
{
    const bj_cat_table *t = bj_cat_find_table(cat, "T");
    bj_cat_keys k;
    bj_cat_keys_init(&k);
    *perr = bj_cat_index_keys(t, bj_cat_find_index(t, "ix"), r->a, r->cb, NULL, NULL, &k);
    uint32_t n = k.ckey;
    bj_cat_keys_free(&k);
    return n;
}

TEST(index_keys_multivalued)
{
    JET_ERR err;
    const JET_COLUMNID segAM[] = {1, 256, 257};
    bj_cat *cat = make_table(8192, 0, segAM, 3, 0, false);
    REQUIRE(cat);
    const bj_cat_table *t = bj_cat_find_table(cat, "T");
    recb *r = calloc(1, sizeof(*r));
    r->s = &t->schema;
    rset32(r, 1, 7);
    rset32(r, 256, 1);
    rset32(r, 256, 2);
    rset32(r, 256, 3);
    rset32(r, 257, 10);
    rset32(r, 257, 20);
    /* only the first multi-valued column is enumerated */
    CHECK_EQ(nkeys(cat, r, &err), 3);
    CHECK_OK(err);
    bj_cat_release(cat);
    cat = make_table(8192, JET_bitIndexCrossProduct, segAM, 3, 0, false);
    REQUIRE(cat);
    r->s = &bj_cat_find_table(cat, "T")->schema;
    CHECK_EQ(nkeys(cat, r, &err), 6);
    CHECK_OK(err);
    bj_cat_release(cat);
    /* equal values give one entry */
    const JET_COLUMNID segM[] = {256};
    cat = make_table(8192, 0, segM, 1, 0, false);
    REQUIRE(cat);
    r->s = &bj_cat_find_table(cat, "T")->schema;
    rset32(r, 256, 3);
    CHECK_EQ(nkeys(cat, r, &err), 3);
    bj_cat_release(cat);
    free(r);
}

TEST(index_keys_nulls_and_conditions)
{
    JET_ERR err;
    const JET_COLUMNID segAB[] = {1, 128};
    recb *r = calloc(1, sizeof(*r));
    struct {
        JET_GRBIT g;
        int nAll, nFirst, nSome, nNone;
    } cases[] = {
        {0, 1, 1, 1, 1},
        {JET_bitIndexIgnoreNull, 0, 1, 1, 1},
        {JET_bitIndexIgnoreFirstNull, 0, 0, 1, 1},
        {JET_bitIndexIgnoreAnyNull, 0, 0, 0, 1},
    };
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(cases); i++) {
        bj_cat *cat = make_table(4096, cases[i].g, segAB, 2, 0, false);
        REQUIRE(cat);
        r->s = &bj_cat_find_table(cat, "T")->schema;
        r->cb = 0;
        rset(r, 256, NULL, 0); /* an empty record */
        r->cb = 0;
        CHECK(bj_rec_init_insert(r->s, r->a, sizeof(r->a), &r->cb) >= 0);
        CHECK_EQ(nkeys(cat, r, &err), cases[i].nAll);
        rset(r, 128, "x", 1); /* a NULL, b set: first segment NULL */
        CHECK_EQ(nkeys(cat, r, &err), cases[i].nFirst);
        r->cb = 0;
        CHECK(bj_rec_init_insert(r->s, r->a, sizeof(r->a), &r->cb) >= 0);
        rset32(r, 1, 5); /* a set, b NULL */
        CHECK_EQ(nkeys(cat, r, &err), cases[i].nSome);
        rset(r, 128, "x", 1);
        CHECK_EQ(nkeys(cat, r, &err), cases[i].nNone);
        bj_cat_release(cat);
    }
    /* DisallowNull */
    bj_cat *cat = make_table(4096, JET_bitIndexDisallowNull, segAB, 2, 0, false);
    REQUIRE(cat);
    r->s = &bj_cat_find_table(cat, "T")->schema;
    r->cb = 0;
    CHECK(bj_rec_init_insert(r->s, r->a, sizeof(r->a), &r->cb) >= 0);
    rset32(r, 1, 5);
    nkeys(cat, r, &err);
    CHECK_ERR(err, JET_errNullKeyDisallowed);
    rset(r, 128, "x", 1);
    CHECK_EQ(nkeys(cat, r, &err), 1);
    CHECK_OK(err);
    bj_cat_release(cat);
    /* conditional column: must be non-NULL / must be NULL */
    const JET_COLUMNID segA[] = {1};
    for (int mbn = 0; mbn < 2; mbn++) {
        cat = make_table(4096, 0, segA, 1, 257, mbn);
        REQUIRE(cat);
        r->s = &bj_cat_find_table(cat, "T")->schema;
        r->cb = 0;
        CHECK(bj_rec_init_insert(r->s, r->a, sizeof(r->a), &r->cb) >= 0);
        rset32(r, 1, 5);
        CHECK_EQ(nkeys(cat, r, &err), mbn ? 1 : 0);
        rset32(r, 257, 9);
        CHECK_EQ(nkeys(cat, r, &err), mbn ? 0 : 1);
        bj_cat_release(cat);
    }
    free(r);
}

TEST(index_flags_from_grbit)
{
    CHECK_EQ(bj_cat_index_flags_from_grbit(JET_bitIndexPrimary | JET_bitIndexDisallowNull),
             0x10031);
    CHECK_EQ(bj_cat_index_flags_from_grbit(JET_bitIndexUnique | JET_bitIndexDisallowNull), 0x10011);
    CHECK_EQ(bj_cat_index_flags_from_grbit(JET_bitIndexUnique | JET_bitIndexIgnoreFirstNull),
             0x10009);
    CHECK_EQ(bj_cat_index_flags_from_grbit(JET_bitIndexPrimary), 0x1002f); /* MSysObjids */
    uint8_t k[4];
    bj_cat_dbk_key(0x01020304, k);
    CHECK_MEM(k, "\x01\x02\x03\x04", 4);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
