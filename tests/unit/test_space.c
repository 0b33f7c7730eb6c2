/* test_space.c: the space layer on the in-memory OS: creation layout, allocation/free against
 * a model, file growth, single -> multi-extent conversion, whole-FDP release and reuse, B-trees
 * grown concurrently with the space allocator, and the checker (clean and on injected faults).
 */
#include <stdlib.h>
#include <string.h>

#include "btree/btree.h"
#include "buf/buf.h"
#include "os/os.h"
#include "page/page.h"
#include "page/pgop.h"
#include "space/space.h"
#include "space/space_format.h"
#include "testlib.h"

typedef struct senv {
    bj_os *os;
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
    bj_space_db *sdb;
    uint32_t cbPage;
} senv;

static senv *senv_new(uint32_t cbPage, uint32_t cpgInitial, uint32_t cpgExt)
{
    senv *e = calloc(1, sizeof(*e));
    e->cbPage = cbPage;
    e->os = bj_os_mem_create();
    if (bj_file_open(e->os, "/db.edb", BJ_OPEN_CREATE, &e->file) < 0)
        return NULL;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 8192, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &e->buf) < 0 || bj_buf_db_attach(e->buf, e->file, false, &e->db) < 0)
        return NULL;
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 10);
    if (bj_space_db_open(&e->dbc, e->file, cpgExt, &e->sdb) < 0)
        return NULL;
    if (bj_space_create_db(e->sdb, cpgInitial) < 0)
        return NULL;
    return e;
}

static void senv_free(senv *e)
{
    bj_space_db_close(e->sdb);
    bj_buf_db_detach(e->db, true);
    bj_buf_close(e->buf);
    bj_file_close(e->file);
    bj_os_mem_destroy(e->os);
    free(e);
}

static int g_faults;
static void report(void *ctx, uint32_t pgno, const char *msg)
{
    (void)ctx;
    g_faults++;
    if (g_faults < 20)
        fprintf(stderr, "  space fault (page %u): %s\n", pgno, msg);
}

static void page_info(senv *e, uint32_t pgno, uint32_t *objid, uint32_t *flags, bj_sph *h)
{
    bj_frame *fr;
    CHECK_OK(bj_buf_get(e->db, pgno, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    *objid = bj_page_objid(pg);
    *flags = bj_page_flags(pg);
    if (h) {
        const uint8_t *p;
        uint32_t cb;
        CHECK_OK(bj_page_get_ext_header(pg, e->cbPage, &p, &cb));
        CHECK_EQ(cb, 16u);
        bj_sph_decode(p, h);
    }
    bj_buf_release(fr);
}

static const uint32_t sysfdps[] = {4, 7, 10, 24};

/* Found reviewing what fuzz_file's checkers reach: an available extent reaching far past the
 * end of the file (last 0xfffffff0, 0xfffffff0 pages) made the checker report every page of it,
 * four billion reports: an endless check. One report now ends that extent. */
TEST(checker_huge_avail_extent)
{
    senv *e = senv_new(4096, 64, 16);
    bj_bt_tree ae;
    uint8_t k[4], d[4];
    bj_st32be(k, 0xfffffff0u);
    bj_st32(d, 0xfffffff0u);
    CHECK_OK(bj_bt_open(&ae, &e->dbc, 3, 0, ~0u, NULL)); /* the DB root's AE tree */
    CHECK_OK(bj_bt_insert(&ae, k, 4, d, 4, 0));
    bj_bt_close(&ae);
    g_faults = 0;
    CHECK_ERR(bj_space_check(&e->dbc, sysfdps, 4, report, NULL, NULL), JET_errSPAvailExtCorrupted);
    CHECK(g_faults > 0 && g_faults < 100);
    senv_free(e);
}

TEST(create_db_layout)
{
    uint32_t sizes[] = {2048, 4096, 8192, 32768};
    for (int s = 0; s < 4; s++) {
        senv *e = senv_new(sizes[s], 0, 0);
        CHECK(e != NULL);
        CHECK_EQ(bj_buf_db_size(e->db), 254u);
        uint64_t cb;
        CHECK_OK(bj_file_size(e->file, &cb));
        CHECK_EQ(cb, 256ull * sizes[s]);
        struct {
            uint32_t pgno, objid, parent, oe, cpg;
        } exp[] = {{1, 1, 0, 2, 254},
                   {4, 2, 1, 5, 20},
                   {7, 4, 4, 8, 3},
                   {10, 5, 4, 11, 3},
                   {24, 3, 1, 25, bj_space_cpg_shadow(sizes[s])}};
        for (int i = 0; i < 5; i++) {
            uint32_t objid, flags;
            bj_sph h;
            page_info(e, exp[i].pgno, &objid, &flags, &h);
            CHECK_EQ(objid, exp[i].objid);
            CHECK(flags & BJ_PGF_ROOT);
            CHECK_EQ(h.pgnoParent, exp[i].parent);
            CHECK_EQ(h.flags, BJ_SPH_MULTI);
            CHECK_EQ(h.bitmapOrOE, exp[i].oe);
            CHECK_EQ(h.cpg, exp[i].cpg);
            CHECK_EQ((flags & BJ_BT_INDEX) != 0, exp[i].pgno == 7 || exp[i].pgno == 10);
            for (uint32_t k = 0; k < 2; k++) {
                uint32_t o2, f2;
                page_info(e, exp[i].oe + k, &o2, &f2, NULL);
                CHECK_EQ(o2, exp[i].objid);
                CHECK(f2 & BJ_BT_SPACE_TREE);
                CHECK(f2 & BJ_PGF_ROOT);
            }
        }
        bj_space_check_stats st;
        g_faults = 0;
        CHECK_OK(bj_space_check(&e->dbc, sysfdps, 4, report, NULL, &st));
        CHECK_EQ(g_faults, 0);
        CHECK_EQ(st.cpgOwned, 254u);
        CHECK_EQ(st.cpgLeaked, 0u);
        CHECK_EQ(st.cpgUnownedTail, 0u);
        CHECK_EQ(st.cpgUsed, 15u); /* 5 roots + 10 space-tree roots */
        CHECK_EQ(st.cpgAvail + st.cpgUsed, 254u);
        /* the next table goes right after the shadow */
        bj_space_fdp *root;
        uint32_t pg;
        CHECK_OK(bj_space_fdp_open(e->sdb, 1, &root));
        CHECK_OK(bj_space_create_fdp(root, 1, 6, 0, 0, 0, &pg));
        CHECK_EQ(pg, 24 + bj_space_cpg_shadow(sizes[s]));
        bj_space_fdp_close(root);
        senv_free(e);
    }
}

TEST(checker_finds_faults)
{
    senv *e = senv_new(4096, 64, 16);
    bj_space_fdp *root;
    uint32_t t1, pg;
    CHECK_OK(bj_space_fdp_open(e->sdb, 1, &root));
    CHECK_OK(bj_space_create_fdp(root, 8, 6, 0, 0, 0, &t1));
    uint32_t fdps[] = {4, 7, 10, 24, t1};
    CHECK_OK(bj_space_check(&e->dbc, fdps, 5, NULL, NULL, NULL));
    /* a table root missing from the list: its pages are owned by the DB root, unused */
    bj_space_check_stats st;
    CHECK_OK(bj_space_check(&e->dbc, fdps, 4, NULL, NULL, &st));
    CHECK_EQ(st.cpgLeaked, 8u);
    /* corrupt the single-extent bitmap: a bit beyond the extent */
    bj_frame *fr;
    bj_bt_tree self;
    CHECK_OK(bj_bt_open(&self, &e->dbc, t1, 0, ~0u, NULL));
    CHECK_OK(bj_buf_get(e->db, t1, BJ_LATCH_EXCLUSIVE, &fr));
    uint8_t hb[16];
    const uint8_t *p;
    uint32_t cb;
    CHECK_OK(bj_page_get_ext_header(bj_frame_data(fr), 4096, &p, &cb));
    memcpy(hb, p, 16);
    uint8_t bad[16];
    memcpy(bad, hb, 16);
    bj_st32(bad + 12, 0xffffffffu);
    bj_pgop op = {.kind = BJ_PGOP_EXTHDR, .data = bad, .cbData = 16};
    CHECK_OK(bj_bt_apply(&self, fr, &op));
    bj_buf_release(fr);
    g_faults = 0;
    CHECK_ERR(bj_space_check(&e->dbc, fdps, 5, report, NULL, NULL), JET_errSPAvailExtCorrupted);
    CHECK(g_faults > 0);
    /* a child claiming the DB root's own pages: parent points at MSO */
    memcpy(bad, hb, 16);
    bj_st32(bad + 4, 4);
    CHECK_OK(bj_buf_get(e->db, t1, BJ_LATCH_EXCLUSIVE, &fr));
    CHECK_OK(bj_bt_apply(&self, fr, &op));
    bj_buf_release(fr);
    CHECK_ERR(bj_space_check(&e->dbc, fdps, 5, NULL, NULL, NULL), JET_errSPOwnExtCorrupted);
    memcpy(bad, hb, 16);
    CHECK_OK(bj_buf_get(e->db, t1, BJ_LATCH_EXCLUSIVE, &fr));
    CHECK_OK(bj_bt_apply(&self, fr, &op));
    bj_buf_release(fr);
    bj_bt_close(&self);
    CHECK_OK(bj_space_check(&e->dbc, fdps, 5, NULL, NULL, NULL));
    /* freeing a page twice, or one not owned */
    bj_space_fdp *f;
    CHECK_OK(bj_space_fdp_open(e->sdb, t1, &f));
    CHECK_OK(bj_space_alloc_page(f, 0, &pg));
    CHECK_OK(bj_space_free_page(f, pg));
    CHECK_ERR(bj_space_free_page(f, pg), JET_errSPAvailExtCorrupted);
    CHECK_ERR(bj_space_free_page(f, 5), JET_errSPAvailExtCorrupted);
    bj_space_fdp_close(f);
    bj_space_fdp_close(root);
    senv_free(e);
}

TEST(single_to_multi_conversion)
{
    senv *e = senv_new(4096, 64, 16);
    bj_space_fdp *root, *f;
    uint32_t t1, pg[8];
    CHECK_OK(bj_space_fdp_open(e->sdb, 1, &root));
    CHECK_OK(bj_space_create_fdp(root, 4, 6, 0, 0, 0, &t1));
    CHECK_OK(bj_space_fdp_open(e->sdb, t1, &f));
    uint32_t objid, flags;
    bj_sph h;
    page_info(e, t1, &objid, &flags, &h);
    CHECK_EQ(h.flags, 0u);
    CHECK_EQ(h.bitmapOrOE, 7u);
    for (int i = 0; i < 3; i++) {
        CHECK_OK(bj_space_alloc_page(f, 0, &pg[i]));
        CHECK_EQ(pg[i], t1 + 1 + (uint32_t)i);
    }
    page_info(e, t1, &objid, &flags, &h);
    CHECK_EQ(h.bitmapOrOE, 0u);
    CHECK_OK(bj_space_free_page(f, pg[1]));
    page_info(e, t1, &objid, &flags, &h);
    CHECK_EQ(h.bitmapOrOE, 2u);
    CHECK_OK(bj_space_alloc_page(f, 0, &pg[1]));
    CHECK_EQ(pg[1], t1 + 2);
    CHECK_OK(bj_space_alloc_page(f, 0, &pg[3])); /* converts */
    page_info(e, t1, &objid, &flags, &h);
    CHECK_EQ(h.flags & BJ_SPH_MULTI, BJ_SPH_MULTI);
    uint32_t oe = h.bitmapOrOE;
    CHECK(oe > t1 + 3);
    CHECK_EQ(pg[3], oe + 2); /* the pages after OE/AE of the new extent */
    uint32_t fdps[] = {4, 7, 10, 24, t1};
    bj_space_check_stats st;
    CHECK_OK(bj_space_check(&e->dbc, fdps, 5, report, NULL, &st));
    CHECK_EQ(st.cpgLeaked, 4u); /* the pages we hold (no tree uses them) */
    for (int i = 0; i < 4; i++)
        CHECK_OK(bj_space_free_page(f, pg[i]));
    CHECK_OK(bj_space_check(&e->dbc, fdps, 5, report, NULL, &st));
    CHECK_EQ(st.cpgLeaked, 0u);
    bj_space_fdp_close(f);
    bj_space_fdp_close(root);
    senv_free(e);
}

/* Random allocation and freeing over a hierarchy of FDPs against a model. */
TEST(random_alloc_free_model)
{
    const uint32_t cpgExt = 32, cpgInit = 48;
    senv *e = senv_new(4096, cpgInit, cpgExt);
    enum { NF = 24 };
    bj_space_fdp *f[NF];
    uint32_t fp[NF];
    uint32_t **held = calloc(NF, sizeof(uint32_t *));
    uint32_t nheld[NF] = {0}, capheld = 4096;
    uint8_t *taken = calloc(1u << 20, 1);
    bj_space_fdp *root;
    CHECK_OK(bj_space_fdp_open(e->sdb, 1, &root));
    srand(7);
    for (int i = 0; i < NF; i++) {
        bj_space_fdp *par = (i >= 8 && i % 2) ? f[i % 8] : root; /* some indexes under tables */
        uint32_t cpg = (uint32_t)(1 + rand() % 12) * ((i % 5 == 0) ? 4 : 1);
        uint32_t spf = (i % 3 == 0) ? BJ_SPACE_MULTI_EXTENT : 0;
        CHECK_OK(bj_space_create_fdp(par, cpg, 100 + (uint32_t)i, par == root ? 0 : BJ_BT_INDEX,
                                     spf, 0, &fp[i]));
        CHECK(!taken[fp[i]]);
        CHECK_OK(bj_space_fdp_open(e->sdb, fp[i], &f[i]));
        held[i] = malloc(capheld * sizeof(uint32_t));
    }
    uint32_t total = 0;
    for (int step = 0; step < 6000; step++) {
        int i = rand() % NF;
        bool doFree = nheld[i] && (rand() % 100 < (step < 4000 ? 35 : 70));
        if (doFree) {
            uint32_t k = (uint32_t)rand() % nheld[i];
            uint32_t pg = held[i][k];
            held[i][k] = held[i][--nheld[i]];
            CHECK_OK(bj_space_free_page(f[i], pg));
            taken[pg] = 0;
            total--;
        } else if (nheld[i] < capheld) {
            uint32_t pg;
            uint32_t near = nheld[i] ? held[i][nheld[i] - 1] : 0;
            CHECK_OK(bj_space_alloc_page(f[i], near, &pg));
            CHECK(pg > 0 && pg < (1u << 20));
            CHECK(!taken[pg]); /* never handed out twice */
            for (int j = 0; j < NF; j++)
                CHECK(pg != fp[j]);
            taken[pg] = 1;
            held[i][nheld[i]++] = pg;
            total++;
        }
        if (step % 1500 == 1499) {
            bj_space_check_stats st;
            uint32_t all[NF + 4];
            memcpy(all, sysfdps, sizeof(sysfdps));
            memcpy(all + 4, fp, sizeof(fp));
            g_faults = 0;
            CHECK_OK(bj_space_check(&e->dbc, all, NF + 4, report, NULL, &st));
            CHECK_EQ(st.cpgLeaked, total); /* held pages: owned, not available, in no tree */
            CHECK_EQ(st.cpgUnownedTail, 0u);
            uint32_t size = bj_buf_db_size(e->db);
            CHECK_EQ(st.cpgOwned, size);
            CHECK_EQ((size - cpgInit) % cpgExt, 0u); /* grown in whole extension sizes */
            CHECK(size - cpgInit >= cpgExt * bj_space_db_extensions(e->sdb));
            uint64_t cb;
            CHECK_OK(bj_file_size(e->file, &cb));
            CHECK_EQ(cb, (uint64_t)(size + 2) * 4096);
        }
    }
    CHECK(bj_space_db_extensions(e->sdb) > 10);
    for (int i = 0; i < NF; i++)
        while (nheld[i])
            CHECK_OK(bj_space_free_page(f[i], held[i][--nheld[i]]));
    uint32_t all[NF + 4];
    memcpy(all, sysfdps, sizeof(sysfdps));
    memcpy(all + 4, fp, sizeof(fp));
    bj_space_check_stats st;
    CHECK_OK(bj_space_check(&e->dbc, all, NF + 4, report, NULL, &st));
    CHECK_EQ(st.cpgLeaked, 0u);
    /* free the index FDPs, then the tables (their former children's pages come back too) */
    uint32_t avail0 = st.cpgAvail;
    for (int i = NF - 1; i >= 0; i--) {
        CHECK_OK(bj_space_free_fdp(f[i]));
        all[4 + i] = 4; /* gone from the catalog */
    }
    CHECK_OK(bj_space_check(&e->dbc, all, NF + 4, report, NULL, &st));
    CHECK_EQ(st.cpgLeaked, 0u);
    CHECK(st.cpgAvail > avail0);
    /* the space is reused: a table of one extension's size fits without growth */
    uint32_t ext0 = bj_space_db_extensions(e->sdb), pg;
    CHECK_OK(bj_space_create_fdp(root, 16, 500, 0, 0, 0, &pg));
    CHECK_EQ(bj_space_db_extensions(e->sdb), ext0);
    bj_space_fdp_close(root);
    for (int i = 0; i < NF; i++)
        free(held[i]);
    free(held);
    free(taken);
    senv_free(e);
}

/* ---- B-trees grown concurrently through the allocator ---- */

enum { NT = 10, NTHR = 4, NKEYS = 50000 };

typedef struct bt_job {
    senv *e;
    bj_bt_tree *trees;
    int tid;
    JET_ERR err;
} bt_job;

static void mkkey(uint32_t i, uint8_t *k)
{
    uint32_t h = i * 2654435761u;
    bj_st32be(k, h);
    bj_st32be(k + 4, i);
}

static void *bt_worker(void *arg)
{
    bt_job *j = arg;
    uint8_t k[8], d[40];
    memset(d, 0x5a, sizeof(d));
    for (uint32_t i = (uint32_t)j->tid; i < NKEYS; i += NTHR) {
        mkkey(i, k);
        JET_ERR err = bj_bt_insert(&j->trees[i % NT], k, 8, d, 20 + i % 20, 0);
        if (err < 0) {
            j->err = err;
            break;
        }
    }
    for (uint32_t i = (uint32_t)j->tid; i < NKEYS && j->err >= 0; i += NTHR) {
        if (i % 3 == 0)
            continue;
        mkkey(i, k);
        JET_ERR err = bj_bt_delete(&j->trees[i % NT], k, 8);
        if (err < 0)
            j->err = err;
    }
    return NULL;
}

TEST(btrees_grown_concurrently)
{
    senv *e = senv_new(4096, 0, 64);
    bj_space_fdp *root, *fd[NT];
    bj_bt_tree trees[NT];
    uint32_t all[NT + 4];
    memcpy(all, sysfdps, sizeof(sysfdps));
    CHECK_OK(bj_space_fdp_open(e->sdb, 1, &root));
    for (int i = 0; i < NT; i++) {
        uint32_t pg;
        /* tables under the DB root; every other one an index under the previous table */
        bj_space_fdp *par = (i % 2) ? fd[i - 1] : root;
        CHECK_OK(bj_space_create_fdp(par, (i % 3) ? 1 : 16, 200 + (uint32_t)i,
                                     (i % 2) ? BJ_BT_INDEX : 0, 0, 0, &pg));
        CHECK_OK(bj_space_fdp_open(e->sdb, pg, &fd[i]));
        bj_bt_alloc a = bj_space_fdp_allocator(fd[i]);
        CHECK_OK(bj_bt_open(&trees[i], &e->dbc, pg, 200 + (uint32_t)i, ~0u, &a));
        all[4 + i] = pg;
    }
    bt_job jobs[NTHR];
    bj_thread th[NTHR];
    for (int t = 0; t < NTHR; t++) {
        jobs[t] = (bt_job){e, trees, t, 0};
        CHECK_OK(bj_thread_start(&th[t], bt_worker, &jobs[t]));
    }
    for (int t = 0; t < NTHR; t++) {
        bj_thread_join(th[t]);
        CHECK_OK(jobs[t].err);
    }
    bj_space_check_stats st;
    g_faults = 0;
    CHECK_OK(bj_space_check(&e->dbc, all, NT + 4, report, NULL, &st));
    CHECK_EQ(g_faults, 0);
    CHECK_EQ(st.cpgLeaked, 0u);
    CHECK(st.cpgUsed > 200u);
    uint64_t total = 0;
    for (int i = 0; i < NT; i++) {
        uint64_t n;
        CHECK_OK(bj_bt_check(&trees[i], report, NULL));
        CHECK_OK(bj_bt_count(&trees[i], false, &n));
        total += n;
        bj_sph h;
        uint32_t objid, flags;
        page_info(e, all[4 + i], &objid, &flags, &h);
        CHECK(h.flags & BJ_SPH_MULTI); /* every tree outgrew its primary extent */
    }
    CHECK_EQ(total, (uint64_t)(NKEYS + 2) / 3);
    for (int i = 0; i < NT; i++)
        bj_bt_close(&trees[i]);
    /* reopen everything from the pages (fresh handles) and check again */
    for (int i = NT - 1; i >= 0; i--)
        bj_space_fdp_close(fd[i]);
    CHECK_OK(bj_buf_flush_db(e->db));
    CHECK_OK(bj_space_check(&e->dbc, all, NT + 4, report, NULL, &st));
    bj_space_fdp_close(root);
    senv_free(e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
