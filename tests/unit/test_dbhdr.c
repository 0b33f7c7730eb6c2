/* test_dbhdr.c: database header decode/encode against the Windows files, round trips, and the
 * shadowed-header selection rule with corrupted copies. */
#include <stdio.h>
#include <stdlib.h>

#include "common/checksum.h"
#include "page/dbhdr.h"
#include "testlib.h"

static uint8_t *load(const char *name, size_t *pcb)
{
    return bj_test_load_edb(name, pcb);
}

static void check_file(const char *name, uint32_t cbPage, uint32_t updateMajor)
{
    size_t cb;
    uint8_t *f = load(name, &cb);
    REQUIRE(f != NULL);
    uint32_t cbChosen = 0;
    bool shadow = true;
    bj_dbhdr h;
    CHECK_OK(bj_dbhdr_choose(f, cb, &cbChosen, &h, &shadow));
    CHECK_EQ(cbChosen, cbPage);
    CHECK(!shadow);
    CHECK(bj_dbhdr_verify(f, cbPage));
    CHECK_EQ(h.magic, BJ_DBH_MAGIC);
    CHECK_EQ(h.version, 0x620);
    CHECK_EQ(h.updateMajor, updateMajor);
    CHECK_EQ(h.createVersion, 0x620);
    CHECK_EQ(h.createUpdate, 0x14);
    CHECK_EQ(h.dbstate, BJ_DBSTATE_CLEAN_SHUTDOWN);
    CHECK_EQ(h.cbPageSize, cbPage);
    CHECK_EQ(h.filetype, BJ_FILETYPE_DATABASE);
    CHECK(h.dbtime > 0);
    CHECK(h.objidLast > 8);
    CHECK_EQ(h.checksum, bj_ld32(f));

    /* encode of the decoded header reproduces the page byte for byte */
    uint8_t *enc = malloc(cbPage);
    CHECK_OK(bj_dbhdr_encode(&h, enc, cbPage));
    CHECK_MEM(enc, f, cbPage);
    bj_dbhdr h2;
    CHECK_OK(bj_dbhdr_decode(enc, cbPage, &h2));
    CHECK(memcmp(&h, &h2, sizeof(h)) == 0);

    /* shadow selection */
    uint8_t *two = malloc(2 * (size_t)cbPage);
    memcpy(two, f, 2 * (size_t)cbPage);
    two[100] ^= 1; /* primary bad */
    CHECK_OK(bj_dbhdr_choose(two, 2 * (size_t)cbPage, &cbChosen, &h2, &shadow));
    CHECK(shadow);
    CHECK_EQ(cbChosen, cbPage);
    CHECK(h2.dbtime == h.dbtime);
    two[100] ^= 1;
    two[cbPage + 100] ^= 1; /* shadow bad */
    CHECK_OK(bj_dbhdr_choose(two, 2 * (size_t)cbPage, &cbChosen, &h2, &shadow));
    CHECK(!shadow);
    two[100] ^= 1; /* both bad */
    CHECK_ERR(bj_dbhdr_choose(two, 2 * (size_t)cbPage, &cbChosen, &h2, &shadow),
              JET_errReadVerifyFailure);
    /* a non-database file */
    memset(two, 'x', 2 * (size_t)cbPage);
    CHECK_ERR(bj_dbhdr_choose(two, 2 * (size_t)cbPage, &cbChosen, &h2, &shadow),
              JET_errDatabaseCorrupted);
    /* page-size field must equal the candidate */
    memcpy(two, f, 2 * (size_t)cbPage);
    h2 = h;
    h2.cbPageSize = cbPage == 4096 ? 8192 : 4096;
    bj_dbhdr_encode(&h2, two, cbPage);
    CHECK_OK(bj_dbhdr_choose(two, 2 * (size_t)cbPage, &cbChosen, &h2, &shadow));
    /* the primary never counts as a cbPage header; a 32 KiB file whose zero-tailed primary
     * claims 4 KiB really is a good 4 KiB header (ESE's rule picks it too) */
    CHECK(cbPage == 4096 ? (shadow && cbChosen == cbPage) : (!shadow && cbChosen == 4096));
    free(two);
    free(enc);
    free(f);
}

TEST(windows_headers_decode_and_reencode)
{
    check_file("SRUDB_win_rev14_4k.dat", 4096, 0x14);
    check_file("Catalog1_rev14_4k.edb", 4096, 0x14);
    check_file("WebCacheV01_rev6e_32k.dat", 32768, 0x6e);
}

TEST(encode_decode_round_trip)
{
    bj_dbhdr h;
    memset(&h, 0, sizeof(h));
    uint8_t *p = (uint8_t *)&h;
    for (size_t i = 0; i < sizeof(h); i++)
        p[i] = (uint8_t)(i * 31 + 7); /* every field non-zero; padding is not compared */
    h.cbPageSize = 8192;
    static uint8_t page[8192], page2[8192];
    CHECK_OK(bj_dbhdr_encode(&h, page, sizeof(page)));
    CHECK(bj_dbhdr_verify(page, sizeof(page)));
    bj_dbhdr d;
    CHECK_OK(bj_dbhdr_decode(page, sizeof(page), &d));
    d.checksum = 0;
    CHECK_OK(bj_dbhdr_encode(&d, page2, sizeof(page2)));
    CHECK_MEM(page, page2, sizeof(page));
    CHECK_EQ(d.magic, h.magic);
    CHECK(d.dbtime == h.dbtime);
    CHECK_EQ(d.signDb.random, h.signDb.random);
    CHECK_MEM(d.signLog.computer, h.signLog.computer, 16);
    CHECK_EQ(d.bkinfoDiffPrev.genHigh, h.bkinfoDiffPrev.genHigh);
    CHECK_EQ(d.lgposCommitBeforeRevert.gen, h.lgposCommitBeforeRevert.gen);
    CHECK_EQ(d.filetype, h.filetype);
    for (size_t i = BJ_DBH_CB; i < sizeof(page); i++)
        CHECK_EQ(page[i], 0);

    /* a fresh header: bytes >= 668 zero, filetype 1 at 667 */
    memset(&h, 0, sizeof(h));
    h.magic = BJ_DBH_MAGIC;
    h.version = BJ_DBH_VERSION;
    h.cbPageSize = 4096;
    CHECK_OK(bj_dbhdr_encode(&h, page, 4096));
    CHECK_EQ(bj_ld32(page + 667), 1);
    for (size_t i = BJ_DBH_CB_LIBESEDB; i < 4096; i++)
        CHECK_EQ(page[i], 0);
    CHECK_EQ(bj_ld32(page), bj_checksum_xor_old(page, 4096));
}

TEST(choose_rejects_bad_magic_version_filetype)
{
    static uint8_t two[8192];
    bj_dbhdr h, o;
    uint32_t cbPage;
    bool shadow;
    memset(&h, 0, sizeof(h));
    h.magic = 0x12345678;
    h.version = BJ_DBH_VERSION;
    h.cbPageSize = 4096;
    bj_dbhdr_encode(&h, two, 4096);
    memcpy(two + 4096, two, 4096);
    CHECK_ERR(bj_dbhdr_choose(two, sizeof(two), &cbPage, &o, &shadow),
              JET_errInvalidDatabaseVersion);
    h.magic = BJ_DBH_MAGIC;
    h.filetype = BJ_FILETYPE_LOG;
    bj_dbhdr_encode(&h, two, 4096);
    memcpy(two + 4096, two, 4096);
    CHECK_ERR(bj_dbhdr_choose(two, sizeof(two), &cbPage, &o, &shadow), JET_errFileInvalidType);
    h.filetype = 0;
    h.cbPageSize = 0; /* 0 means 4096 */
    bj_dbhdr_encode(&h, two, 4096);
    memcpy(two + 4096, two, 4096);
    CHECK_OK(bj_dbhdr_choose(two, sizeof(two), &cbPage, &o, &shadow));
    CHECK_EQ(cbPage, 4096);
    CHECK_EQ(bj_dbhdr_page_size(&o), 4096);
    /* too short */
    CHECK_ERR(bj_dbhdr_choose(two, 4, &cbPage, &o, &shadow), JET_errDatabaseCorrupted);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
