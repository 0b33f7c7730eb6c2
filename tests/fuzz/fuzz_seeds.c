/* fuzz_seeds.c: writes the seed corpora of the fuzz targets from the real Windows databases
 * (BJ_SHARED_DIR/data/edb, read-only): header pages (dbhdr), raw pages of each size and encoded
 * page operations (page), records with their table's schema (rec), MSysObjects rows (catalog)
 * and empty patch lists for each base file (file). Usage: fuzz_seeds OUTDIR [SHAREDDIR].
 * Input formats are described in each target's opening comment.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cat/cat.h"
#include "fuzz_common.h"
#include "page/pgop.h"

static const char *g_out;
static const char *g_shared;

static void put(const char *target, const char *name, const uint8_t *p, size_t cb)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", g_out, target);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/%s", g_out, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, cb, f) != cb) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* ---- dbhdr and page seeds: raw bytes ---- */

static void seed_pages(const char *file, const char *tag, uint32_t cbPage, uint32_t stride)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/data/edb/%s", g_shared, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_seeds: cannot open %s\n", path);
        exit(1);
    }
    uint8_t *buf = malloc(2 + 4 + 1 + (size_t)cbPage * 2);
    size_t n = fread(buf, 1, (size_t)cbPage * 2, f);
    put("dbhdr", tag, buf, n);
    for (uint32_t ipg = 2, k = 0; k < 40; ipg += stride, k++) {
        if (fseek(f, (long)ipg * cbPage, SEEK_SET) != 0)
            break;
        uint8_t *pg = buf + 8;
        if (fread(pg, 1, cbPage, f) != cbPage)
            break;
        buf[0] = fz_page_sel(cbPage);
        buf[1] = 0; /* mode: checks */
        bj_st32(buf + 2, ipg - 1);
        buf[6] = 1; /* cbKey */
        buf[7] = 0x7f;
        char name[128];
        snprintf(name, sizeof name, "%s-pg%u", tag, ipg - 1);
        put("page", name, buf, 8 + cbPage);
    }
    free(buf);
    fclose(f);
}

/* page apply seeds: mode 1, nnodes, then [u16 len][encoded op]... */
static void seed_ops(void)
{
    uint8_t buf[4096], key[8] = "k0004", data[16] = "datadatadatadata";
    uint8_t packed[64];
    for (uint32_t sel = 0; sel < 5; sel++) {
        size_t ib = 0;
        buf[ib++] = (uint8_t)sel;
        buf[ib++] = 1;
        buf[ib++] = 8; /* nodes on the base page */
        bj_pgop ops[9];
        memset(ops, 0, sizeof ops);
        for (int i = 0; i < 9; i++) {
            ops[i].pgno = 10;
            ops[i].itag = 2;
        }
        ops[0].kind = BJ_PGOP_INSERT, ops[0].key = key, ops[0].cbKey = 5, ops[0].data = data,
        ops[0].cbData = 16;
        ops[1].kind = BJ_PGOP_REPLACE, ops[1].data = data, ops[1].cbData = 7;
        ops[2].kind = BJ_PGOP_FLAGS, ops[2].flagsSet = BJ_ND_DELETED;
        ops[3].kind = BJ_PGOP_DELTA, ops[3].ibDelta = 0, ops[3].cbDelta = 4, ops[3].delta = 3;
        ops[4].kind = BJ_PGOP_EXTHDR, ops[4].data = data, ops[4].cbData = 16;
        ops[5].kind = BJ_PGOP_LINKS, ops[5].linkMask = 3, ops[5].pgnoPrev = 9, ops[5].pgnoNext = 11;
        ops[6].kind = BJ_PGOP_DELETE_RANGE, ops[6].count = 2;
        uint32_t cbp = bj_pgop_pack_node(packed, sizeof packed, 0, key, 5, data, 9);
        cbp += bj_pgop_pack_node(packed + cbp, sizeof packed - cbp, 0, (const uint8_t *)"k0005", 5,
                                 data, 3);
        ops[7].kind = BJ_PGOP_INSERT_RANGE, ops[7].data = packed, ops[7].cbData = cbp;
        ops[8].kind = BJ_PGOP_DELETE;
        for (int i = 0; i < 9; i++) {
            uint32_t cb = bj_pgop_encode(&ops[i], buf + ib + 2, (uint32_t)(sizeof buf - ib - 2));
            bj_st16(buf + ib, cb);
            ib += 2 + cb;
        }
        char name[64];
        snprintf(name, sizeof name, "ops-%u", sel);
        put("page", name, buf, ib);
    }
}

/* ---- catalog and record seeds, from the catalog and the trees ---- */

static size_t put_schema(uint8_t *buf, size_t cap, const bj_rec_schema *s)
{
    size_t ib = 2;
    uint32_t n = 0;
    buf[0] = fz_page_sel(s->cbPage);
    for (uint32_t fid = 1; fid <= BJ_REC_FID_FIXED_LAST; fid++)
        if (s->fixed[fid] && n < 255 && fz_schema_put_col(buf, cap, &ib, s->fixed[fid]))
            n++;
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(s->var); i++)
        if (s->var[i] && n < 255 && fz_schema_put_col(buf, cap, &ib, s->var[i]))
            n++;
    for (uint32_t i = 0; i < s->ctagged; i++)
        if (n < 255 && fz_schema_put_col(buf, cap, &ib, s->tagged[i]))
            n++;
    buf[1] = (uint8_t)n;
    return ib;
}

static void seed_db(const char *file, const char *tag, uint32_t cbPage, uint32_t maxCatRows)
{
    char path[2048];
    fz_db d;
    bj_cat *cat = NULL;
    snprintf(path, sizeof path, "%s/data/edb/%s", g_shared, file);
    if (fz_db_open(&d, path, cbPage) < 0 || bj_cat_load(&d.dbc, &cat) < 0) {
        fprintf(stderr, "fuzz_seeds: cannot load %s\n", path);
        exit(1);
    }
    size_t cap = 1u << 20;
    uint8_t *buf = malloc(cap);
    /* catalog: u8 page selector, u32 cpgDb, then [u16 len][row]... */
    bj_bt_tree t;
    bj_bt_cursor c;
    size_t ib = 5;
    buf[0] = fz_page_sel(cbPage);
    bj_st32(buf + 1, 0);
    uint32_t nrows = 0, part = 0;
    if (bj_bt_open(&t, &d.dbc, BJ_CAT_PGNO_MSO, BJ_CAT_OBJID_MSO, ~0u, NULL) < 0 ||
        bj_bt_cursor_open(&t, true, &c) < 0)
        exit(1);
    for (JET_ERR e = bj_bt_move_first(&c); e >= 0; e = bj_bt_move_next(&c)) {
        const uint8_t *k, *dt;
        uint32_t cbk, cbd;
        if (bj_bt_get(&c, &k, &cbk, &dt, &cbd, NULL) < 0)
            break;
        bj_st16(buf + ib, cbd);
        memcpy(buf + ib + 2, dt, cbd);
        ib += 2 + cbd;
        if (++nrows == maxCatRows) {
            char name[64];
            snprintf(name, sizeof name, "%s-%u", tag, part++);
            put("catalog", name, buf, ib);
            ib = 5, nrows = 0;
        }
    }
    if (nrows) {
        char name[64];
        snprintf(name, sizeof name, "%s-%u", tag, part++);
        put("catalog", name, buf, ib);
    }
    bj_bt_cursor_close(&c);
    bj_bt_close(&t);
    /* rec: schema, u8 set column index, u8 itagSequence, u8 grbit selector, u8 cbValue, value,
     * record */
    for (uint32_t it = 0; it < cat->ctbl; it++) {
        const bj_cat_table *tb = cat->rgtbl[it];
        if (bj_bt_open(&t, &d.dbc, tb->pgnoFDP, tb->objid, ~0u, NULL) < 0)
            continue;
        if (bj_bt_cursor_open(&t, true, &c) < 0)
            exit(1);
        uint32_t k = 0;
        for (JET_ERR e = bj_bt_move_first(&c); e >= 0 && k < 6; e = bj_bt_move_next(&c), k++) {
            const uint8_t *key, *dt;
            uint32_t cbk, cbd;
            if (bj_bt_get(&c, &key, &cbk, &dt, &cbd, NULL) < 0)
                break;
            ib = put_schema(buf, cap, &tb->schema);
            buf[ib++] = (uint8_t)k;
            buf[ib++] = 1;
            buf[ib++] = (uint8_t)k;
            buf[ib++] = 4;
            memcpy(buf + ib, "\x01\x02\x03\x04", 4);
            ib += 4;
            memcpy(buf + ib, dt, cbd);
            ib += cbd;
            char name[128];
            snprintf(name, sizeof name, "%s-t%u-r%u", tag, it, k);
            put("rec", name, buf, ib);
        }
        bj_bt_cursor_close(&c);
        bj_bt_close(&t);
    }
    free(buf);
    bj_cat_release(cat);
    fz_db_close(&d);
}

/* file seeds: one no-op patch (the byte already there, page re-sealed) at a header field, the
 * tag array or the data of a few pages of each base file, so mutations start from the places
 * the structure lives. */
static void seed_file(const char *file, uint8_t sel)
{
    static const uint32_t ipgs[] = {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 20, 30, 40, 60, 100};
    static const uint32_t offs[] = {16, 32, 40, 4094, 4090, 300};
    char path[2048];
    snprintf(path, sizeof path, "%s/data/edb/%s", g_shared, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        exit(1);
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(ipgs); i++) {
        for (uint32_t k = 0; k < BJ_ARRAY_LEN(offs); k++) {
            uint8_t buf[8] = {sel};
            if (fseek(f, (long)ipgs[i] * 4096 + offs[k], SEEK_SET) != 0 ||
                fread(buf + 7, 1, 1, f) != 1)
                continue;
            bj_st16(buf + 1, ipgs[i]);
            bj_st16(buf + 3, offs[k]);
            buf[5] = 1;
            buf[6] = 1; /* re-seal */
            char name[64];
            snprintf(name, sizeof name, "%u-p%u-o%u", sel, ipgs[i], offs[k]);
            put("file", name, buf, sizeof buf);
        }
    }
    fclose(f);
    /* page copies: a leaf or internal page placed where another belongs */
    static const uint32_t copies[][2] = {{5, 6}, {6, 5}, {10, 11}, {20, 21}, {30, 12}, {8, 9}};
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(copies); i++) {
        uint8_t buf[9] = {sel};
        bj_st16(buf + 1, copies[i][0]);
        bj_st16(buf + 3, 0);
        buf[5] = 2;
        buf[6] = 3; /* copy + re-seal */
        bj_st16(buf + 7, copies[i][1]);
        char name[64];
        snprintf(name, sizeof name, "%u-copy%u-%u", sel, copies[i][1], copies[i][0]);
        put("file", name, buf, sizeof buf);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fuzz_seeds OUTDIR [SHAREDDIR]\n");
        return 2;
    }
    g_out = argv[1];
    g_shared = argc > 2 ? argv[2] : getenv("BJ_SHARED_DIR");
    if (!g_shared)
        g_shared = "/work/shared";
    mkdir(g_out, 0777);
    seed_pages("Catalog1_rev14_4k.edb", "catalog1", 4096, 19);
    seed_pages("SRUDB_win_rev14_4k.dat", "srudb", 4096, 3);
    seed_pages("WebCacheV01_rev6e_32k.dat", "webcache", 32768, 20);
    seed_ops();
    seed_db("Catalog1_rev14_4k.edb", "catalog1", 4096, 1000);
    seed_db("SRUDB_win_rev14_4k.dat", "srudb", 4096, 1000);
    seed_db("WebCacheV01_rev6e_32k.dat", "webcache", 32768, 120);
    const uint8_t f0[1] = {0}, f1[1] = {1};
    put("file", "catalog1", f0, 1);
    put("file", "srudb", f1, 1);
    seed_file("Catalog1_rev14_4k.edb", 0);
    seed_file("SRUDB_win_rev14_4k.dat", 1);
    return 0;
}
