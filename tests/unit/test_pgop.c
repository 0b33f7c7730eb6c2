/* test_pgop.c: typed page operations against a model (sorted list of nodes), at 4 KiB and
 * 32 KiB: structure and every node checked after each op; replaying the same ops on a copy of
 * the start page gives identical bytes; op encode/decode round trip; error codes. */
#include <stdio.h>
#include <stdlib.h>

#include "page/pgop.h"
#include "testlib.h"

#define MAXN 2000
typedef struct mnode {
    uint8_t key[24];
    uint32_t cbKey;
    uint8_t data[300];
    uint32_t cbData;
    uint8_t flags;
} mnode;
static mnode model[MAXN];
static uint32_t nmodel;

static void check_page(const uint8_t *pg, uint32_t cbPage)
{
    CHECK_OK(bj_page_check_structure(pg, cbPage));
    CHECK_EQ(bj_page_ntags(pg), nmodel + 1);
    for (uint32_t i = 0; i < nmodel; i++) {
        bj_node n;
        uint8_t k[64];
        if (bj_page_get_node(pg, cbPage, i + 1, &n) != 0) {
            CHECK(0);
            return;
        }
        CHECK_EQ(bj_node_key_len(&n), model[i].cbKey);
        bj_node_copy_key(&n, k);
        CHECK_MEM(k, model[i].key, model[i].cbKey);
        CHECK_EQ(n.cbData, model[i].cbData);
        CHECK_MEM(n.data, model[i].data, model[i].cbData);
        CHECK_EQ(n.flags & (BJ_ND_VERSION | BJ_ND_DELETED), model[i].flags);
    }
}

/* a recorded op with its own copies of key/data */
typedef struct rec {
    bj_pgop op;
    uint8_t buf[400];
} rec;

static void run_random(uint32_t cbPage, unsigned seed)
{
    uint8_t *pg = malloc(cbPage), *start = malloc(cbPage), *replay = malloc(cbPage);
    rec *log = calloc(3000, sizeof(rec));
    uint32_t nlog = 0;
    uint64_t dbtime = 100;
    srand(seed);
    nmodel = 0;
    static const uint8_t prefix[] = "\x7f\x80\x00\x00\x2a\x7f";
    bj_pgop init = {.kind = BJ_PGOP_INIT, .pgno = 9, .dbtimeAfter = ++dbtime, .objid = 42,
                    .pageFlags = BJ_PGF_LEAF | BJ_PGF_NEW_RECORD_FORMAT, .pgnoPrev = 8,
                    .pgnoNext = 10, .data = prefix, .cbData = 6};
    REQUIRE_OK(bj_page_apply(pg, cbPage, &init));
    memcpy(start, pg, cbPage);
    uint32_t full = 0, compressed = 0;
    for (int step = 0; step < 2500; step++) {
        rec *r = &log[nlog];
        bj_pgop *op = &r->op;
        memset(r, 0, sizeof(*r));
        op->pgno = 9;
        op->dbtimeBefore = bj_page_dbtime(pg);
        op->dbtimeAfter = ++dbtime;
        int what = rand() % 10;
        if (nmodel == 0 || what < 4) {
            /* insert a random key; keys share the page prefix most of the time */
            uint8_t key[24];
            uint32_t cbKey = 4 + (uint32_t)rand() % 16;
            for (uint32_t j = 0; j < cbKey; j++)
                key[j] = (uint8_t)(rand() % 4);
            if (rand() % 4)
                memcpy(key, prefix, cbKey < 6 ? cbKey : 6);
            uint32_t itag;
            bool found;
            CHECK_OK(bj_page_seek(pg, cbPage, key, cbKey, &itag, &found));
            if (found)
                continue;
            uint32_t cbData = (uint32_t)rand() % (cbPage > 8192 ? 300 : 120);
            memcpy(r->buf, key, cbKey);
            for (uint32_t j = 0; j < cbData; j++)
                r->buf[24 + j] = (uint8_t)rand();
            op->kind = BJ_PGOP_INSERT;
            op->itag = itag;
            op->key = r->buf;
            op->cbKey = cbKey;
            op->data = r->buf + 24;
            op->cbData = cbData;
            op->nodeFlags = (uint8_t)(rand() % 4);
            JET_ERR fits = bj_pgop_fits(pg, cbPage, op);
            if (fits == BJ_errPMOutOfPageSpace) {
                uint8_t *before = malloc(cbPage);
                memcpy(before, pg, cbPage);
                CHECK_ERR(bj_page_apply(pg, cbPage, op), BJ_errPMOutOfPageSpace);
                CHECK_MEM(before, pg, cbPage); /* unchanged on error */
                free(before);
                full++;
                continue;
            }
            CHECK_OK(fits);
            REQUIRE_OK(bj_page_apply(pg, cbPage, op));
            memmove(&model[itag], &model[itag - 1], (nmodel - (itag - 1)) * sizeof(mnode));
            mnode *m = &model[itag - 1];
            memcpy(m->key, key, cbKey);
            m->cbKey = cbKey;
            memcpy(m->data, r->buf + 24, cbData);
            m->cbData = cbData;
            m->flags = op->nodeFlags;
            nmodel++;
            bj_node n;
            if (bj_page_get_node(pg, cbPage, itag, &n) == 0 && (n.flags & BJ_ND_COMPRESSED))
                compressed++;
        } else {
            uint32_t itag = 1 + (uint32_t)rand() % nmodel;
            mnode *m = &model[itag - 1];
            op->itag = itag;
            if (what < 6) {
                op->kind = BJ_PGOP_DELETE;
                REQUIRE_OK(bj_page_apply(pg, cbPage, op));
                memmove(m, m + 1, (nmodel - itag) * sizeof(mnode));
                nmodel--;
            } else if (what < 8) {
                uint32_t cbData = (uint32_t)rand() % (cbPage > 8192 ? 300 : 160);
                for (uint32_t j = 0; j < cbData; j++)
                    r->buf[j] = (uint8_t)rand();
                op->kind = BJ_PGOP_REPLACE;
                op->data = r->buf;
                op->cbData = cbData;
                JET_ERR e = bj_page_apply(pg, cbPage, op);
                if (e == BJ_errPMOutOfPageSpace) {
                    full++;
                    continue;
                }
                REQUIRE_OK(e);
                memcpy(m->data, r->buf, cbData);
                m->cbData = cbData;
            } else if (what < 9) {
                op->kind = BJ_PGOP_FLAGS;
                op->flagsSet = (uint8_t)(rand() % 4);
                op->flagsClear = (uint8_t)(rand() % 4) & ~op->flagsSet;
                REQUIRE_OK(bj_page_apply(pg, cbPage, op));
                m->flags = (uint8_t)((m->flags | op->flagsSet) & ~op->flagsClear);
            } else {
                if (m->cbData < 8)
                    continue;
                op->kind = BJ_PGOP_DELTA;
                op->cbDelta = (rand() & 1) ? 4 : 8;
                op->ibDelta = (uint32_t)rand() % (m->cbData - op->cbDelta + 1);
                op->delta = (rand() & 1) ? -1 : 12345;
                REQUIRE_OK(bj_page_apply(pg, cbPage, op));
                uint8_t *p = m->data + op->ibDelta;
                if (op->cbDelta == 4)
                    bj_st32(p, bj_ld32(p) + (uint32_t)op->delta);
                else
                    bj_st64(p, bj_ld64(p) + (uint64_t)op->delta);
            }
        }
        nlog++;
        CHECK(bj_page_dbtime(pg) == dbtime);
        check_page(pg, cbPage);
        if (nlog >= 3000)
            break;
    }
    CHECK(full > 0);       /* the page filled up at some point */
    CHECK(compressed > 0); /* prefix compression was used */
    /* replay: same ops on a copy of the start page, through encode/decode */
    memcpy(replay, start, cbPage);
    uint8_t *enc = malloc(1024);
    for (uint32_t i = 0; i < nlog; i++) {
        uint32_t n = bj_pgop_encode(&log[i].op, enc, 1024);
        REQUIRE(n == bj_pgop_encoded_size(&log[i].op));
        bj_pgop d;
        REQUIRE_OK(bj_pgop_decode(enc, n, &d));
        REQUIRE_OK(bj_page_apply(replay, cbPage, &d));
    }
    CHECK_MEM(replay, pg, cbPage);
    /* a stale op is refused */
    CHECK_ERR(bj_page_apply(replay, cbPage, &log[0].op), JET_errDbTimeCorrupted);
    bj_page_seal(pg, cbPage, 9);
    CHECK_OK(bj_page_verify(pg, cbPage, 9));
    free(enc);
    free(log);
    free(pg);
    free(start);
    free(replay);
}

TEST(random_ops_against_model_4k)
{
    run_random(4096, 1);
}
TEST(random_ops_against_model_32k)
{
    run_random(32768, 2);
}

TEST(split_ops_range_exthdr_links)
{
    const uint32_t cbPage = 8192;
    static uint8_t a[8192], b[8192];
    bj_pgop op = {.kind = BJ_PGOP_INIT, .pgno = 5, .dbtimeAfter = 1, .objid = 7,
                  .pageFlags = BJ_PGF_LEAF};
    REQUIRE_OK(bj_page_apply(a, cbPage, &op));
    REQUIRE_OK(bj_page_apply(b, cbPage, &op));
    uint8_t key[4], data[50], packed[8192];
    uint32_t cbPacked = 0;
    for (uint32_t i = 0; i < 60; i++) {
        bj_st32be(key, 1000 + i);
        memset(data, (int)i, sizeof(data));
        bj_pgop ins = {.kind = BJ_PGOP_INSERT, .itag = i + 1, .key = key, .cbKey = 4,
                       .data = data, .cbData = 50, .dbtimeAfter = 2 + i};
        REQUIRE_OK(bj_page_apply(a, cbPage, &ins));
        if (i >= 30)
            cbPacked += bj_pgop_pack_node(packed + cbPacked, sizeof(packed) - cbPacked, 0, key,
                                          4, data, 50);
    }
    /* move the upper half: INSERT_RANGE on the new page, DELETE_RANGE on the old one */
    bj_pgop app = {.kind = BJ_PGOP_INSERT_RANGE, .itag = 1, .data = packed, .cbData = cbPacked,
                   .dbtimeAfter = 100};
    CHECK_OK(bj_pgop_fits(b, cbPage, &app));
    REQUIRE_OK(bj_page_apply(b, cbPage, &app));
    bj_pgop del = {.kind = BJ_PGOP_DELETE_RANGE, .itag = 31, .count = 30, .dbtimeAfter = 101};
    REQUIRE_OK(bj_page_apply(a, cbPage, &del));
    CHECK_EQ(bj_page_ntags(a), 31);
    CHECK_EQ(bj_page_ntags(b), 31);
    CHECK_OK(bj_page_check_structure(a, cbPage));
    CHECK_OK(bj_page_check_structure(b, cbPage));
    bj_node n;
    REQUIRE_OK(bj_page_get_node(b, cbPage, 1, &n));
    CHECK_EQ(bj_ld32be(n.suffix), 1030);
    /* EXTHDR: a prefix for page b; links */
    static const uint8_t pfx[] = {0, 0, 0x04};
    bj_pgop eh = {.kind = BJ_PGOP_EXTHDR, .data = pfx, .cbData = 3, .dbtimeAfter = 102};
    REQUIRE_OK(bj_page_apply(b, cbPage, &eh));
    bj_st32be(key, 1100);
    bj_pgop ins = {.kind = BJ_PGOP_INSERT, .itag = 31, .key = key, .cbKey = 4, .data = data,
                   .cbData = 5, .dbtimeAfter = 103};
    REQUIRE_OK(bj_page_apply(b, cbPage, &ins));
    REQUIRE_OK(bj_page_get_node(b, cbPage, 31, &n));
    CHECK(n.flags & BJ_ND_COMPRESSED);
    CHECK_EQ(n.cbPrefix, 3);
    CHECK_EQ(bj_node_keycmp(&n, key, 4), 0);
    /* shrinking TAG 0 below a compressed node's prefix breaks the page: refused */
    bj_pgop eh2 = {.kind = BJ_PGOP_EXTHDR, .data = pfx, .cbData = 2, .dbtimeAfter = 104};
    CHECK_ERR(bj_page_apply(b, cbPage, &eh2), JET_errDatabaseCorrupted);
    bj_pgop ln = {.kind = BJ_PGOP_LINKS, .linkMask = BJ_PGOP_LINK_NEXT | BJ_PGOP_LINK_PREV,
                  .pgnoPrev = 5, .pgnoNext = 0, .dbtimeAfter = 105};
    REQUIRE_OK(bj_page_apply(b, cbPage, &ln));
    CHECK_EQ(bj_page_prev(b), 5);
    CHECK(bj_page_dbtime(b) == 105);
    /* errors: bad itag, bad delta offset, bad flag masks */
    bj_pgop bad = {.kind = BJ_PGOP_DELETE, .itag = 99};
    CHECK_ERR(bj_page_apply(b, cbPage, &bad), JET_errDatabaseCorrupted);
    bad = (bj_pgop){.kind = BJ_PGOP_DELTA, .itag = 1, .ibDelta = 48, .cbDelta = 4};
    CHECK_ERR(bj_page_apply(b, cbPage, &bad), JET_errDatabaseCorrupted);
    bad = (bj_pgop){.kind = BJ_PGOP_FLAGS, .itag = 1, .flagsSet = BJ_ND_COMPRESSED};
    CHECK_ERR(bj_page_apply(b, cbPage, &bad), JET_errInvalidParameter);
    /* root pages never compress */
    bj_pgop lf = {.kind = BJ_PGOP_LINKS, .linkMask = BJ_PGOP_LINK_FLAGS,
                  .pageFlags = BJ_PGF_ROOT | BJ_PGF_LEAF, .dbtimeAfter = 106};
    REQUIRE_OK(bj_page_apply(a, cbPage, &lf));
    static const uint8_t sph[16] = {1};
    eh = (bj_pgop){.kind = BJ_PGOP_EXTHDR, .data = sph, .cbData = 16, .dbtimeAfter = 107};
    REQUIRE_OK(bj_page_apply(a, cbPage, &eh));
    uint8_t k2[] = {1, 0, 0, 0, 0, 9};
    ins = (bj_pgop){.kind = BJ_PGOP_INSERT, .itag = 1, .key = k2, .cbKey = 6, .data = data,
                    .cbData = 1, .dbtimeAfter = 108};
    REQUIRE_OK(bj_page_apply(a, cbPage, &ins));
    REQUIRE_OK(bj_page_get_node(a, cbPage, 1, &n));
    CHECK(!(n.flags & BJ_ND_COMPRESSED));
}

TEST(encode_decode_round_trip)
{
    uint8_t key[] = {1, 2, 3}, data[] = {9, 8, 7, 6};
    bj_pgop op = {.kind = BJ_PGOP_DELTA, .pgno = 77, .dbtimeBefore = 5, .dbtimeAfter = 6,
                  .itag = 3, .count = 2, .key = key, .cbKey = 3, .data = data, .cbData = 4,
                  .nodeFlags = 1, .flagsSet = 2, .flagsClear = 1, .ibDelta = 4, .cbDelta = 8,
                  .delta = -5, .linkMask = 3, .objid = 11, .pageFlags = 0xa802,
                  .pgnoPrev = 12, .pgnoNext = 13};
    uint8_t buf[256];
    uint32_t n = bj_pgop_encode(&op, buf, sizeof(buf));
    REQUIRE(n == bj_pgop_encoded_size(&op));
    bj_pgop d;
    REQUIRE_OK(bj_pgop_decode(buf, n, &d));
    CHECK_EQ(d.kind, op.kind);
    CHECK_EQ(d.pgno, 77);
    CHECK(d.dbtimeBefore == 5 && d.dbtimeAfter == 6);
    CHECK_EQ(d.itag, 3);
    CHECK_EQ(d.count, 2);
    CHECK_EQ(d.cbKey, 3);
    CHECK_MEM(d.key, key, 3);
    CHECK_EQ(d.cbData, 4);
    CHECK_MEM(d.data, data, 4);
    CHECK(d.nodeFlags == 1 && d.flagsSet == 2 && d.flagsClear == 1);
    CHECK(d.ibDelta == 4 && d.cbDelta == 8 && d.delta == -5);
    CHECK(d.linkMask == 3 && d.objid == 11 && d.pageFlags == 0xa802);
    CHECK(d.pgnoPrev == 12 && d.pgnoNext == 13);
    CHECK_ERR(bj_pgop_decode(buf, n - 1, &d), JET_errDatabaseCorrupted);
    CHECK_EQ(bj_pgop_encode(&op, buf, n - 1), 0);
    buf[0] = 99;
    CHECK_ERR(bj_pgop_decode(buf, n, &d), JET_errDatabaseCorrupted);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
