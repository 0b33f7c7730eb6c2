/* test_rec_catalog.c: decodes real catalog (MSysObjects) records of Windows-written databases
 * with a hand-built MSysObjects schema. The page layer is built elsewhere at the same time, so
 * this test reads the B-tree leaves itself (minimal, for test data only: page header, TAG array,
 * node key/data split), then decodes every record with src/rec and checks the table names and
 * row counts the README of the data folder lists. It also rebuilds each record through the
 * encoder (setting every column again) and checks that the result decodes the same.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rec/rec.h"
#include "testlib.h"

typedef struct file {
    uint8_t *p;
    size_t cb;
    uint32_t cbPage;
} file;

static bool load(const char *name, uint32_t cbPage, file *f)
{
    memset(f, 0, sizeof(*f));
    f->p = bj_test_load_edb(name, &f->cb);
    f->cbPage = cbPage;
    return f->p != NULL;
}

typedef void (*leaf_fn)(void *ctx, const uint8_t *data, uint32_t cb);

/* Walks the tree rooted at pgno, calling fn for each non-deleted leaf node's data. */
static int walk(const file *f, uint32_t pgno, int depth, leaf_fn fn, void *ctx)
{
    const bool large = f->cbPage > 8192;
    const uint32_t cbHdr = large ? 80 : 40;
    const uint16_t mask = large ? 0x7fff : 0x1fff;
    if (depth > 8 || ((uint64_t)pgno + 2) * f->cbPage > f->cb)
        return -1;
    const uint8_t *pg = f->p + (size_t)(pgno + 1) * f->cbPage;
    const uint32_t flags = bj_ld32(pg + 36);
    const uint32_t ctag = bj_ld16(pg + 34) & 0xfff;
    int n = 0;
    for (uint32_t i = 1; i < ctag; i++) {
        const uint8_t *t = pg + f->cbPage - 4 * (i + 1);
        uint32_t cb = bj_ld16(t) & mask, ib = bj_ld16(t + 2) & mask;
        uint32_t nflags = large ? 0 : bj_ld16(t + 2) >> 13;
        if (cbHdr + ib + cb > f->cbPage)
            return -1;
        const uint8_t *node = pg + cbHdr + ib;
        if (large && cb >= 2)
            nflags = node[1] >> 5;
        if (nflags & 2)
            continue; /* deleted */
        uint32_t off = 0;
        if (nflags & 4)
            off += 2; /* prefix length */
        if (off + 2 > cb)
            return -1;
        uint32_t cbSuffix = bj_ld16(node + off) & (large ? 0x1fff : 0x1fff);
        off += 2 + cbSuffix;
        if (off > cb)
            return -1;
        if (flags & 2) {
            fn(ctx, node + off, cb - off);
            n++;
        } else {
            if (cb - off < 4)
                return -1;
            int r = walk(f, bj_ld32(node + off), depth + 1, fn, ctx);
            if (r < 0)
                return r;
            n += r;
        }
    }
    return n;
}

static void add(bj_rec_schema *s, JET_COLUMNID id, JET_COLTYP t, uint32_t cbMax)
{
    bj_rec_column c = {0};
    c.columnid = id;
    c.coltyp = t;
    c.cbMax = cbMax;
    c.cp = t == JET_coltypText ? BJ_REC_CP_ASCII : 0;
    if (bj_rec_schema_add(s, &c) != 0)
        bj_test_fail(__FILE__, __LINE__, "schema_add %u", (unsigned)id);
}

/* MSysObjects as ESE's catalog defines it (cat.cxx / ese-format.md §3.2). */
static void msysobjects_schema(bj_rec_schema *s, uint32_t cbPage)
{
    bj_rec_schema_init(s, cbPage);
    add(s, 1, JET_coltypLong, 0);           /* ObjidTable */
    add(s, 2, JET_coltypShort, 0);          /* Type */
    add(s, 3, JET_coltypLong, 0);           /* Id */
    add(s, 4, JET_coltypLong, 0);           /* ColtypOrPgnoFDP */
    add(s, 5, JET_coltypLong, 0);           /* SpaceUsage */
    add(s, 6, JET_coltypLong, 0);           /* Flags */
    add(s, 7, JET_coltypLong, 0);           /* PagesOrLocale */
    add(s, 8, JET_coltypBit, 0);            /* RootFlag */
    add(s, 9, JET_coltypShort, 0);          /* RecordOffset */
    add(s, 10, JET_coltypLong, 0);          /* LCMapFlags */
    add(s, 11, JET_coltypUnsignedShort, 0); /* KeyMost */
    add(s, 12, JET_coltypLong, 0);          /* LVChunkMax */
    add(s, 128, JET_coltypText, 255);       /* Name */
    for (JET_COLUMNID id = 129; id <= 137; id++)
        add(s, id, id == 130 ? JET_coltypText : JET_coltypBinary, 255);
    for (JET_COLUMNID id = 256; id <= 261; id++)
        add(s, id, JET_coltypLongBinary, 0);
    if (bj_rec_schema_finish(s) != 0)
        bj_test_fail(__FILE__, __LINE__, "schema_finish");
}

typedef struct cat_ctx {
    bj_rec_schema *s;
    uint32_t rows, bad, tables, reencoded;
    char names[64][72];
    uint32_t cnames;
} cat_ctx;

/* Rebuilds rec column by column through the encoder and compares every value. */
static void reencode(cat_ctx *c, const uint8_t *rec, uint32_t cb)
{
    static uint8_t a[0x10000], b[0x10000];
    size_t cba = 0;
    bj_rec_value v, w;
    static const JET_COLUMNID ids[] = {1,   2,   3,   4,   5,   6,   7,   8,   9,   10,
                                       11,  12,  128, 129, 130, 131, 132, 133, 134, 135,
                                       136, 137, 256, 257, 258, 259, 260, 261};
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(ids); i++) {
        for (uint32_t it = 1; it <= 4; it++) {
            JET_ERR e = bj_rec_retrieve(c->s, rec, cb, ids[i], it, 0, &v);
            if (e != JET_errSuccess)
                break;
            size_t cbb;
            uint32_t opts = (v.flags & BJ_RECVAL_SEPARATED ? BJ_RECSET_SEPARATED : 0) |
                            (v.flags & BJ_RECVAL_COMPRESSED ? BJ_RECSET_COMPRESSED : 0);
            e = bj_rec_set(c->s, a, cba, ids[i], 0, v.pb, v.cb, JET_bitSetZeroLength, opts, b,
                           sizeof(b), &cbb);
            if (e < 0) {
                bj_test_fail(__FILE__, __LINE__, "re-encode column %u: %d", (unsigned)ids[i], e);
                return;
            }
            memcpy(a, b, cbb);
            cba = cbb;
        }
    }
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(ids); i++) {
        for (uint32_t it = 1; it <= 4; it++) {
            JET_ERR e1 = bj_rec_retrieve(c->s, rec, cb, ids[i], it, 0, &v);
            JET_ERR e2 = bj_rec_retrieve(c->s, a, cba, ids[i], it, 0, &w);
            /* a NULL fixed column inside fidFixedLastInRec stays NULL; a re-encoded record
             * stops at the last set column instead, which also reads NULL */
            if (e1 != e2 || v.cb != w.cb || (v.cb && memcmp(v.pb, w.pb, v.cb) != 0)) {
                bj_test_fail(__FILE__, __LINE__, "re-encoded column %u/%u differs",
                             (unsigned)ids[i], it);
                return;
            }
        }
    }
    c->reencoded++;
}

static void on_catalog_row(void *ctx, const uint8_t *data, uint32_t cb)
{
    cat_ctx *c = ctx;
    bj_rec_value v;
    c->rows++;
    /* copy to an exact-size buffer so ASan catches any overread */
    uint8_t *rec = malloc(cb ? cb : 1);
    memcpy(rec, data, cb);
    if (bj_rec_validate(c->s, rec, cb) != 0) {
        c->bad++;
        free(rec);
        return;
    }
    if (bj_rec_retrieve(c->s, rec, cb, 2, 1, 0, &v) == 0 && v.cb == 2 && bj_ld16(v.pb) == 1) {
        c->tables++;
        if (bj_rec_retrieve(c->s, rec, cb, 128, 1, 0, &v) == 0 && c->cnames < 64) {
            uint32_t n = BJ_MIN(v.cb, 71u);
            memcpy(c->names[c->cnames], v.pb, n);
            c->names[c->cnames][n] = 0;
            c->cnames++;
        }
    }
    reencode(c, rec, cb);
    free(rec);
}

static bool has_name(const cat_ctx *c, const char *name)
{
    for (uint32_t i = 0; i < c->cnames; i++)
        if (strcmp(c->names[i], name) == 0)
            return true;
    return false;
}

TEST(catalog1_msysobjects)
{
    file f;
    if (!load("Catalog1_rev14_4k.edb", 4096, &f)) {
        printf("  (Catalog1_rev14_4k.edb not available: skipped)\n");
        free(f.p);
        return;
    }
    bj_rec_schema s;
    msysobjects_schema(&s, 4096);
    cat_ctx *c = calloc(1, sizeof(*c));
    c->s = &s;
    int n = walk(&f, 4, 0, on_catalog_row, c);
    CHECK(n > 0);
    CHECK_EQ(c->rows, 128); /* README: MSysObjects 128 rows */
    CHECK_EQ(c->bad, 0);
    CHECK_EQ(c->reencoded, c->rows);
    CHECK_EQ(c->tables, 10);
    static const char *want[] = {
        "MSysObjects", "MSysObjectsShadow", "MSysObjids", "MSysLocales", "namespace", "string",
        "file",        "backupset",         "global",     "library"};
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(want); i++) {
        if (!has_name(c, want[i]))
            bj_test_fail(__FILE__, __LINE__, "table %s not found", want[i]);
    }
    free(c);
    bj_rec_schema_free(&s);
    free(f.p);
}

TEST(srudb_msysobjects)
{
    file f;
    if (!load("SRUDB_win_rev14_4k.dat", 4096, &f)) {
        free(f.p);
        return;
    }
    bj_rec_schema s;
    msysobjects_schema(&s, 4096);
    cat_ctx *c = calloc(1, sizeof(*c));
    c->s = &s;
    CHECK(walk(&f, 4, 0, on_catalog_row, c) > 0);
    CHECK_EQ(c->rows, 161);
    CHECK_EQ(c->bad, 0);
    CHECK_EQ(c->tables, 12);
    CHECK(has_name(c, "SruDbIdMapTable"));
    CHECK(has_name(c, "SruDbCheckpointTable"));
    free(c);
    bj_rec_schema_free(&s);
    free(f.p);
}

TEST(webcache_32k_msysobjects)
{
    file f;
    if (!load("WebCacheV01_rev6e_32k.dat", 32768, &f)) {
        free(f.p);
        return;
    }
    bj_rec_schema s;
    msysobjects_schema(&s, 32768);
    cat_ctx *c = calloc(1, sizeof(*c));
    c->s = &s;
    CHECK(walk(&f, 4, 0, on_catalog_row, c) > 0);
    CHECK_EQ(c->rows, 841);
    CHECK_EQ(c->bad, 0);
    CHECK_EQ(c->reencoded, c->rows);
    CHECK_EQ(c->tables, 46);
    CHECK(has_name(c, "Containers"));
    CHECK(has_name(c, "Container_21"));
    free(c);
    bj_rec_schema_free(&s);
    free(f.p);
}

/* ---- every user table: schema from the catalog rows, decode every record ---- */

typedef struct catrow {
    uint32_t objid, id, coltyp, cbMax, flags, cp, ibOffset;
    uint16_t type;
    char name[72];
} catrow;

typedef struct rows_ctx {
    bj_rec_schema *s;
    catrow *r;
    uint32_t n;
} rows_ctx;

static uint32_t fixed_u32(const bj_rec_schema *s, const uint8_t *rec, uint32_t cb, JET_COLUMNID id)
{
    bj_rec_value v;
    if (bj_rec_retrieve(s, rec, cb, id, 1, 0, &v) != 0)
        return 0;
    return v.cb == 4 ? bj_ld32(v.pb) : v.cb == 2 ? bj_ld16(v.pb) : v.cb == 1 ? v.pb[0] : 0;
}

static void on_row_collect(void *ctx, const uint8_t *data, uint32_t cb)
{
    rows_ctx *c = ctx;
    bj_rec_value v;
    if (c->n >= 4096 || bj_rec_validate(c->s, data, cb) != 0)
        return;
    catrow *r = &c->r[c->n++];
    memset(r, 0, sizeof(*r));
    r->objid = fixed_u32(c->s, data, cb, 1);
    r->type = (uint16_t)fixed_u32(c->s, data, cb, 2);
    r->id = fixed_u32(c->s, data, cb, 3);
    r->coltyp = fixed_u32(c->s, data, cb, 4);
    r->cbMax = fixed_u32(c->s, data, cb, 5);
    r->flags = fixed_u32(c->s, data, cb, 6);
    r->cp = fixed_u32(c->s, data, cb, 7);
    r->ibOffset = fixed_u32(c->s, data, cb, 9);
    if (bj_rec_retrieve(c->s, data, cb, 128, 1, 0, &v) == 0) {
        uint32_t n = BJ_MIN(v.cb, 71u);
        memcpy(r->name, v.pb, n);
    }
}

typedef struct table_ctx {
    bj_rec_schema *s;
    uint32_t rows, bad, values, compressed, decompressed, separated;
} table_ctx;

static void on_table_row(void *ctx, const uint8_t *data, uint32_t cb)
{
    table_ctx *t = ctx;
    bj_rec_value v;
    uint8_t *rec = malloc(cb ? cb : 1);
    memcpy(rec, data, cb);
    t->rows++;
    if (bj_rec_validate(t->s, rec, cb) != 0) {
        t->bad++;
        free(rec);
        return;
    }
    const bj_rec_schema *s = t->s;
    for (uint32_t k = 0; k < 3; k++) {
        const uint32_t n = k == 0 ? 128 : k == 1 ? 128 : s->ctagged;
        for (uint32_t i = 0; i < n; i++) {
            const bj_rec_column *col = k == 0 ? s->fixed[i] : k == 1 ? s->var[i] : s->tagged[i];
            if (!col)
                continue;
            for (uint32_t it = 1; it <= 8; it++) {
                JET_ERR e = bj_rec_retrieve(s, rec, cb, col->columnid, it, 0, &v);
                if (e != 0)
                    break;
                t->values++;
                if (v.flags & BJ_RECVAL_SEPARATED)
                    t->separated++;
                if (v.flags & BJ_RECVAL_COMPRESSED) {
                    t->compressed++;
                    uint32_t cbFull = 0;
                    uint8_t *out = malloc(70000);
                    e = bj_rec_decompress(v.pb, v.cb, out, 70000, &cbFull);
                    if (e == 0) {
                        t->decompressed++;
                        /* 7-bit text: every byte < 0x80 (Unicode: every odd byte 0) */
                        bool ok = cbFull >= v.cb - 1;
                        for (uint32_t j = 0; j < cbFull; j++)
                            ok &= out[j] < 0x80 && !((v.pb[0] >> 3) == 2 && (j % 2) && out[j]);
                        if (!ok)
                            bj_test_fail(__FILE__, __LINE__, "bad 7-bit value");
                    } else if (e != JET_errFeatureNotAvailable) {
                        bj_test_fail(__FILE__, __LINE__, "decompress: %d", e);
                    }
                    free(out);
                }
            }
        }
    }
    free(rec);
}

static uint32_t g_compressed, g_separated;

typedef struct want_rows {
    const char *name;
    uint32_t rows;
} want_rows;

/* Decodes every table of a file; returns the total of 7-bit values decompressed. */
static uint32_t all_tables(const char *fname, uint32_t cbPage, const want_rows *want,
                           uint32_t cwant, uint32_t *pcTables)
{
    file f;
    uint32_t cdecomp = 0;
    *pcTables = 0;
    if (!load(fname, cbPage, &f)) {
        free(f.p);
        return 0;
    }
    bj_rec_schema cat;
    msysobjects_schema(&cat, cbPage);
    rows_ctx rc = {&cat, calloc(4096, sizeof(catrow)), 0};
    walk(&f, 4, 0, on_row_collect, &rc);
    for (uint32_t i = 0; i < rc.n; i++) {
        const catrow *tr = &rc.r[i];
        if (tr->type != 1 || strncmp(tr->name, "MSys", 4) == 0)
            continue;
        bj_rec_schema s;
        bj_rec_schema_init(&s, cbPage);
        for (uint32_t j = i + 1; j < rc.n && rc.r[j].objid == tr->objid; j++) {
            const catrow *cr = &rc.r[j];
            if (cr->type != 2)
                continue;
            bj_rec_column col = {0};
            col.columnid = cr->id;
            col.coltyp = cr->coltyp;
            col.cbMax = cr->cbMax;
            col.grbit = cr->flags;
            col.cp = (uint16_t)cr->cp;
            col.ibRecordOffset = (uint16_t)(cr->id <= 127 ? cr->ibOffset : 0);
            if (bj_rec_schema_add(&s, &col) != 0)
                bj_test_fail(__FILE__, __LINE__, "%s: column %u", tr->name, (unsigned)cr->id);
        }
        if (bj_rec_schema_finish(&s) != 0)
            bj_test_fail(__FILE__, __LINE__, "%s: schema_finish", tr->name);
        table_ctx tc = {&s, 0, 0, 0, 0, 0, 0};
        if (walk(&f, tr->coltyp /* pgnoFDP */, 0, on_table_row, &tc) < 0)
            bj_test_fail(__FILE__, __LINE__, "%s: tree walk failed", tr->name);
        if (tc.bad)
            bj_test_fail(__FILE__, __LINE__, "%s: %u of %u records corrupt", tr->name, tc.bad,
                         tc.rows);
        for (uint32_t w = 0; w < cwant; w++) {
            if (strcmp(want[w].name, tr->name) == 0 && want[w].rows != tc.rows)
                bj_test_fail(__FILE__, __LINE__, "%s: %u rows, expected %u", tr->name, tc.rows,
                             want[w].rows);
        }
        cdecomp += tc.decompressed;
        g_compressed += tc.compressed;
        g_separated += tc.separated;
        (*pcTables)++;
        bj_rec_schema_free(&s);
    }
    free(rc.r);
    bj_rec_schema_free(&cat);
    free(f.p);
    return cdecomp;
}

TEST(catalog1_all_tables)
{
    static const want_rows want[] = {{"backupset", 150}, {"global", 20}, {"library", 14}};
    uint32_t ct;
    all_tables("Catalog1_rev14_4k.edb", 4096, want, BJ_ARRAY_LEN(want), &ct);
    if (bj_test_shared_dir())
        CHECK_EQ(ct, 6);
}

TEST(srudb_all_tables_7bit)
{
    static const want_rows want[] = {{"SruDbIdMapTable", 106}, {"SruDbCheckpointTable", 0}};
    uint32_t ct;
    uint32_t n = all_tables("SRUDB_win_rev14_4k.dat", 4096, want, BJ_ARRAY_LEN(want), &ct);
    printf("  SRUDB: %u tables, %u 7-bit values decompressed (%u compressed, %u separated)\n", ct,
           n, g_compressed, g_separated);
    if (bj_test_shared_dir())
        CHECK_EQ(ct, 8);
}

TEST(webcache_all_tables_7bit)
{
    uint32_t ct;
    uint32_t n = all_tables("WebCacheV01_rev6e_32k.dat", 32768, NULL, 0, &ct);
    printf("  WebCache: %u tables, %u 7-bit values decompressed (%u compressed, %u separated)\n",
           ct, n, g_compressed, g_separated);
    if (bj_test_shared_dir()) {
        CHECK_EQ(ct, 42);       /* 46 minus the four MSys tables */
        CHECK(g_separated > 0); /* separated LIDs (WebCache has 86) decoded and valid */
    }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
