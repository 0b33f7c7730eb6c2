/* test_checksum.c: layer 0 checksums against the Windows sample files (ground truth: what
 * shared/tools/esechk.py reports), bit flips, single-bit repair, sealing at every page size. */
#include <stdio.h>
#include <stdlib.h>

#include "common/checksum.h"
#include "page/page.h"
#include "testlib.h"

static uint8_t *load(const char *name, size_t *pcb)
{
    return bj_test_load_edb(name, pcb);
}

/* counts per file: ok / zero / bad, as esechk.py classifies the pages */
static void count_file(const char *name, uint32_t cbPage, uint32_t want_ok, uint32_t want_zero,
                       uint32_t want_bad, uint32_t bad_first, uint32_t bad_last)
{
    size_t cb;
    uint8_t *f = load(name, &cb);
    REQUIRE(f != NULL);
    CHECK(bj_checksum_xor_old(f, cbPage) == bj_ld32(f));
    uint32_t ok = 0, zero = 0, bad = 0, npages = (uint32_t)(cb / cbPage) - 2;
    for (uint32_t pgno = 1; pgno <= npages; pgno++) {
        const uint8_t *pg = f + (size_t)(pgno + 1) * cbPage;
        if (bj_page_is_zero(pg, cbPage)) {
            zero++;
            continue;
        }
        if (bj_checksum_page_ok(pg, cbPage, pgno)) {
            ok++;
            CHECK(!bj_checksum_page_ok(pg, cbPage, pgno + 1)); /* pgno is mixed in */
        } else {
            bad++;
            CHECK(pgno >= bad_first && pgno <= bad_last);
        }
    }
    CHECK_EQ(ok, want_ok);
    CHECK_EQ(zero, want_zero);
    CHECK_EQ(bad, want_bad);
    free(f);
}

TEST(windows_files_verify_like_esechk)
{
    /* esechk.py: SRUDB ecc_ok 79, zero 63, old_bad 12 + ecc_bad 4 (pages 143..158 = slack) */
    count_file("SRUDB_win_rev14_4k.dat", 4096, 79, 63, 16, 143, 158);
    count_file("Catalog1_rev14_4k.edb", 4096, 209, 559, 0, 0, 0);
    count_file("WebCacheV01_rev6e_32k.dat", 32768, 172, 642, 0, 0, 0);
}

static void flip_and_repair(uint8_t *pg, uint32_t cbPage, uint32_t pgno, uint32_t seed)
{
    uint8_t *copy = malloc(cbPage);
    memcpy(copy, pg, cbPage);
    srand(seed);
    for (int k = 0; k < 200; k++) {
        uint32_t ibit = 64 + (uint32_t)rand() % (cbPage * 8 - 64);
        pg[ibit / 8] ^= (uint8_t)(1u << (ibit % 8));
        CHECK(!bj_checksum_page_ok(pg, cbPage, pgno));
        uint32_t fixed = 0;
        bool ok = bj_checksum_page_correct(pg, cbPage, pgno, &fixed);
        /* bits inside the stored block checksums 1..3 of large pages break two blocks */
        bool in_sub = cbPage > 8192 && ibit >= 320 && ibit < 512;
        if (!in_sub) {
            CHECK(ok);
            CHECK_EQ(fixed, ibit);
            CHECK_MEM(pg, copy, cbPage);
        }
        memcpy(pg, copy, cbPage);
    }
    /* two flipped bits are not "corrected" into a wrong page */
    pg[100] ^= 1;
    pg[200] ^= 4;
    uint32_t fixed;
    CHECK(!bj_checksum_page_correct(pg, cbPage, pgno, &fixed));
    CHECK(!bj_checksum_page_ok(pg, cbPage, pgno));
    memcpy(pg, copy, cbPage);
    free(copy);
}

static uint32_t first_ok(const uint8_t *f, size_t cb, uint32_t cbPage)
{
    for (uint32_t pgno = 1; (size_t)(pgno + 2) * cbPage <= cb; pgno++)
        if (bj_checksum_page_ok(f + (size_t)(pgno + 1) * cbPage, cbPage, pgno))
            return pgno;
    return 0;
}

TEST(bit_flip_fails_and_is_corrected_on_real_pages)
{
    size_t cb;
    uint8_t *f = load("Catalog1_rev14_4k.edb", &cb);
    REQUIRE(f != NULL);
    uint32_t pgno = first_ok(f, cb, 4096);
    REQUIRE(pgno != 0);
    flip_and_repair(f + (size_t)(pgno + 1) * 4096, 4096, pgno, 1);
    free(f);
    f = load("WebCacheV01_rev6e_32k.dat", &cb);
    REQUIRE(f != NULL);
    pgno = first_ok(f, cb, 32768);
    REQUIRE(pgno != 0);
    flip_and_repair(f + (size_t)(pgno + 1) * 32768, 32768, pgno, 2);
    free(f);
}

TEST(sealed_pages_verify_at_every_size)
{
    static const uint32_t sizes[] = {2048, 4096, 8192, 16384, 32768};
    for (size_t s = 0; s < BJ_ARRAY_LEN(sizes); s++) {
        uint32_t cbPage = sizes[s];
        uint8_t *pg = malloc(cbPage);
        srand((unsigned)cbPage);
        for (uint32_t i = 0; i < cbPage; i++)
            pg[i] = (uint8_t)rand();
        bj_page_seal(pg, cbPage, 77);
        CHECK(bj_checksum_page_ok(pg, cbPage, 77));
        CHECK(!bj_checksum_page_ok(pg, cbPage, 78));
        CHECK(bj_page_flags(pg) & BJ_PGF_NEW_CHECKSUM_FORMAT);
        if (cbPage > 8192)
            CHECK_EQ(bj_page_pgno_field(pg, cbPage), 77);
        flip_and_repair(pg, cbPage, 77, cbPage + 5);
        free(pg);
    }
}

TEST(old_format_page)
{
    uint8_t pg[4096];
    memset(pg, 0x5a, sizeof(pg));
    bj_st32(pg + BJ_PGHDR_IB_FLAGS, BJ_PGF_LEAF); /* no 0x2000 */
    bj_st32(pg + 4, 9);
    bj_st32(pg, bj_checksum_xor_old(pg, sizeof(pg)));
    CHECK(bj_checksum_page_ok(pg, 4096, 9));
    CHECK(!bj_checksum_page_ok(pg, 4096, 10)); /* word 1 must be the pgno */
    pg[1000] ^= 0x10;
    CHECK(!bj_checksum_page_ok(pg, 4096, 9));
    uint32_t ibit;
    CHECK(!bj_checksum_page_correct(pg, 4096, 9, &ibit)); /* no ECC in the old format */
}

TEST(block_function_matches_page_function)
{
    uint8_t blk[4096];
    for (uint32_t i = 0; i < sizeof(blk); i++)
        blk[i] = (uint8_t)(i * 7 + 3);
    uint64_t a = bj_checksum_block(blk, 4096, 5, true);
    bj_st32(blk + BJ_PGHDR_IB_FLAGS, bj_ld32(blk + BJ_PGHDR_IB_FLAGS) | BJ_PGF_NEW_CHECKSUM_FORMAT);
    bj_checksum_page_set(blk, 4096, 5);
    CHECK(bj_ld64(blk) == bj_checksum_block(blk, 4096, 5, true));
    CHECK(a != 0);
    /* header-block words 0,1 do not count */
    uint64_t before = bj_checksum_block(blk, 4096, 5, true);
    bj_st64(blk, 0x1234567890abcdefULL);
    CHECK(bj_checksum_block(blk, 4096, 5, true) == before);
    CHECK(bj_checksum_block(blk, 4096, 5, false) != before);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
