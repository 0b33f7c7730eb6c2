/* test_page.c: page reading and validation on every used page of the Windows files, and random
 * corruption of real pages (must return errors, never crash; run under ASan). */
#include <stdio.h>
#include <stdlib.h>

#include "page/page.h"
#include "testlib.h"

static uint8_t *load(const char *name, size_t *pcb)
{
    return bj_test_load_edb(name, pcb);
}

static void walk(const char *name, uint32_t cbPage, uint32_t want_ok, uint32_t want_zero,
                 uint32_t want_bad)
{
    size_t cb;
    uint8_t *f = load(name, &cb);
    REQUIRE(f != NULL);
    uint32_t ok = 0, zero = 0, bad = 0, nodes = 0, compressed = 0;
    uint8_t *k1 = malloc(65536), *k2 = malloc(65536);
    for (uint32_t pgno = 1; (size_t)(pgno + 2) * cbPage <= cb; pgno++) {
        const uint8_t *pg = f + (size_t)(pgno + 1) * cbPage;
        JET_ERR err = bj_page_verify(pg, cbPage, pgno);
        if (err == JET_errPageNotInitialized) {
            zero++;
            continue;
        }
        if (err == JET_errReadVerifyFailure) {
            bad++;
            continue;
        }
        CHECK_OK(err);
        if (err)
            continue;
        ok++;
        uint32_t ntags = bj_page_ntags(pg), cbk1 = 0;
        const uint8_t *ext;
        uint32_t cbExt;
        CHECK_OK(bj_page_get_ext_header(pg, cbPage, &ext, &cbExt));
        if (bj_page_flags(pg) & BJ_PGF_ROOT && !(bj_page_flags(pg) & BJ_PGF_SPACE_TREE))
            CHECK(cbExt >= 16); /* SPACE_HEADER (+ v2 hints) */
        for (uint32_t i = 1; i < ntags; i++) {
            bj_node n;
            CHECK_OK(bj_page_get_node(pg, cbPage, i, &n));
            nodes++;
            if (n.flags & BJ_ND_COMPRESSED)
                compressed++;
            uint32_t cbk2 = bj_node_key_len(&n);
            bj_node_copy_key(&n, k2);
            CHECK_EQ(bj_node_keycmp(&n, k2, cbk2), 0);
            /* sorted: each key > the previous one, except the empty last key of branches */
            if (i > 1 && !(cbk2 == 0 && i == ntags - 1 && !(bj_page_flags(pg) & BJ_PGF_LEAF)))
                CHECK(bj_keycmp(k1, cbk1, k2, cbk2) <= 0);
            uint32_t itag;
            bool found;
            if (cbk2 && (bj_page_flags(pg) & BJ_PGF_LEAF) && !(bj_page_flags(pg) & BJ_PGF_NON_UNIQUE_KEYS)) {
                CHECK_OK(bj_page_seek(pg, cbPage, k2, cbk2, &itag, &found));
                CHECK(found);
                CHECK_EQ(itag, i);
            }
            memcpy(k1, k2, cbk2);
            cbk1 = cbk2;
        }
        CHECK_ERR(bj_page_get_node(pg, cbPage, ntags, &(bj_node){0}), JET_errDatabaseCorrupted);
        CHECK_ERR(bj_page_get_node(pg, cbPage, 0, &(bj_node){0}), JET_errDatabaseCorrupted);
        CHECK_ERR(bj_page_verify(pg, cbPage, pgno + 1), JET_errReadVerifyFailure);
    }
    CHECK_EQ(ok, want_ok);
    CHECK_EQ(zero, want_zero);
    CHECK_EQ(bad, want_bad);
    CHECK(nodes > 0);
    CHECK(compressed > 0);
    free(k1);
    free(k2);
    free(f);
}

TEST(walk_every_used_page_of_windows_files)
{
    walk("SRUDB_win_rev14_4k.dat", 4096, 79, 63, 16);
    walk("Catalog1_rev14_4k.edb", 4096, 209, 559, 0);
    walk("WebCacheV01_rev6e_32k.dat", 32768, 172, 642, 0);
}

static void fuzz(const char *name, uint32_t cbPage, unsigned seed)
{
    size_t cb;
    uint8_t *f = load(name, &cb);
    REQUIRE(f != NULL);
    uint8_t *pg = malloc(cbPage), *k = malloc(65536);
    srand(seed);
    uint32_t tried = 0, errors = 0;
    for (uint32_t pgno = 1; (size_t)(pgno + 2) * cbPage <= cb; pgno++) {
        const uint8_t *orig = f + (size_t)(pgno + 1) * cbPage;
        if (bj_page_verify(orig, cbPage, pgno) != JET_errSuccess)
            continue;
        for (int round = 0; round < 20; round++) {
            memcpy(pg, orig, cbPage);
            int nbytes = 1 + rand() % 8;
            for (int b = 0; b < nbytes; b++) {
                /* mostly the header and the tag array, where structure lives */
                uint32_t off = (rand() & 1) ? (uint32_t)rand() % 80
                                            : cbPage - 1 - (uint32_t)rand() % 256;
                if (rand() % 4 == 0)
                    off = (uint32_t)rand() % cbPage;
                pg[off] = (uint8_t)rand();
            }
            tried++;
            JET_ERR e1 = bj_page_verify(pg, cbPage, pgno);
            if (memcmp(pg, orig, cbPage) != 0)
                CHECK(e1 < 0); /* the checksum catches any change */
            bj_page_seal(pg, cbPage, pgno);
            JET_ERR e2 = bj_page_check_structure(pg, cbPage);
            if (e2 < 0)
                errors++;
            /* whatever the structure says, reads stay in bounds */
            uint32_t n = bj_page_ntags(pg);
            for (uint32_t i = 0; i <= n && i < 5000; i++) {
                bj_node nd;
                if (bj_page_get_node(pg, cbPage, i, &nd) == JET_errSuccess) {
                    bj_node_copy_key(&nd, k);
                    volatile uint8_t sink = 0;
                    for (uint32_t j = 0; j < nd.cbData; j++)
                        sink ^= nd.data[j];
                    (void)sink;
                }
            }
            uint32_t itag;
            bool found;
            (void)bj_page_seek(pg, cbPage, (const uint8_t *)"\x7f\x80\x00", 3, &itag, &found);
        }
    }
    CHECK(tried > 100);
    CHECK(errors > 0);
    free(k);
    free(pg);
    free(f);
}

TEST(random_corruption_of_real_pages_returns_errors)
{
    fuzz("Catalog1_rev14_4k.edb", 4096, 11);
    fuzz("WebCacheV01_rev6e_32k.dat", 32768, 12);
}

TEST(zero_page_and_bad_sizes)
{
    static uint8_t pg[4096];
    CHECK_ERR(bj_page_verify(pg, 4096, 1), JET_errPageNotInitialized);
    CHECK_ERR(bj_page_verify(pg, 1000, 1), JET_errInvalidParameter);
    CHECK_EQ(bj_page_node_cost(pg, 4096, 10, 20), 2 + 10 + 20 + 4);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
