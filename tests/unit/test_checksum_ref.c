/* test_checksum_ref.c: bj_checksum_block against the row-by-row routine it replaced (kept here
 * as the reference, verbatim in behaviour): random blocks of every size 1..8192 bytes, both
 * header_block settings, random page numbers; blocks with few set bits (single rows, single
 * bits) where the ECC's row indices matter most; larger blocks (16 KiB, 32 KiB, 1 MiB) that take
 * the long-index path. Bit-identical results are required: the value is on disk. */
#include <stdlib.h>

#include "common/checksum.h"
#include "testlib.h"

static uint32_t ref_ld(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t ref_parity(uint32_t v)
{
    return (uint32_t)__builtin_parity(v);
}

/* the routine as it was before the row-parity rewrite (little-endian words, one row a step) */
static uint64_t ref_block(const uint8_t *blk, uint32_t cb, uint32_t pgno, bool header_block)
{
    uint32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    uint32_t p = 0, idx = 0xff800000u;
    uint32_t nrows = cb / 16, r = 0;
    if (header_block && nrows) {
        uint32_t c = ref_ld(blk + 8), d = ref_ld(blk + 12);
        c2 = c;
        c3 = d;
        p ^= idx & (0u - ref_parity(c ^ d));
        idx += 0xff800080u;
        r = 1;
    }
    for (; r < nrows; r++) {
        const uint8_t *q = blk + 16 * (size_t)r;
        uint32_t a = ref_ld(q), b = ref_ld(q + 4), c = ref_ld(q + 8), d = ref_ld(q + 12);
        c0 ^= a;
        c1 ^= b;
        c2 ^= c;
        c3 ^= d;
        p ^= idx & (0u - ref_parity(a ^ b ^ c ^ d));
        idx += 0xff800080u;
    }
    if (ref_parity(c0 ^ c1))
        p |= 0x00400000u;
    if (ref_parity(c2 ^ c3))
        p |= 0x00000040u;
    uint32_t r0 = c0 ^ c2, r1 = c1 ^ c3;
    if (ref_parity(r0))
        p |= 0x00200000u;
    if (ref_parity(r1))
        p |= 0x00000020u;
    uint32_t x = r0 ^ r1, rr = 0;
    for (uint32_t b = 0; b < 32; b++)
        if (x & (1u << b))
            rr ^= b | (~b << 16);
    rr &= 0x001f001fu;
    uint32_t mask = (uint32_t)((cb << 19) - 1u);
    uint32_t ecc = (p & 0xffe0ffe0u & mask) | rr;
    return ((uint64_t)ecc << 32) | (uint64_t)(x ^ pgno);
}

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static void fill_random(uint8_t *b, size_t cb)
{
    for (size_t i = 0; i < cb; i++)
        b[i] = (uint8_t)rnd();
}

/* compares at offset 0 and at an odd offset (unaligned loads) */
static bool same(uint8_t *buf, const uint8_t *blk, uint32_t cb, uint32_t pgno, bool hdr)
{
    uint64_t want = ref_block(blk, cb, pgno, hdr);
    if (bj_checksum_block(blk, cb, pgno, hdr) != want)
        return false;
    memcpy(buf + 3, blk, cb);
    return bj_checksum_block(buf + 3, cb, pgno, hdr) == want;
}

TEST(every_size_random_blocks_match_reference)
{
    uint8_t *blk = malloc(8192), *buf = malloc(8192 + 16);
    CHECK(blk && buf);
    uint32_t nbad = 0;
    for (uint32_t cb = 1; cb <= 8192; cb++) {
        for (int h = 0; h < 2; h++) {
            fill_random(blk, cb);
            if (!same(buf, blk, cb, (uint32_t)rnd(), h != 0))
                nbad++;
        }
    }
    CHECK_EQ(nbad, 0);
    free(blk);
    free(buf);
}

TEST(sparse_blocks_match_reference)
{
    static const uint32_t sizes[] = {16, 32, 48, 112, 128, 144, 1024, 2048, 4096, 4112, 8192};
    uint8_t *blk = malloc(8192), *buf = malloc(8192 + 16);
    CHECK(blk && buf);
    uint32_t nbad = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        const uint32_t cb = sizes[s];
        /* every single bit (odd parity in exactly one row) */
        for (uint32_t bit = 0; bit < cb * 8; bit += (cb >= 4096 ? 7 : 1)) {
            memset(blk, 0, cb);
            blk[bit / 8] = (uint8_t)(1u << (bit % 8));
            for (int h = 0; h < 2; h++)
                if (!same(buf, blk, cb, bit, h != 0))
                    nbad++;
        }
        /* a few random set bits, so that any subset of rows has odd parity */
        for (int t = 0; t < 2000; t++) {
            memset(blk, 0, cb);
            for (int k = (int)(rnd() % 6); k >= 0; k--) {
                uint32_t bit = (uint32_t)(rnd() % (cb * 8));
                blk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
            for (int h = 0; h < 2; h++)
                if (!same(buf, blk, cb, (uint32_t)t, h != 0))
                    nbad++;
        }
        /* all zero, all ones */
        for (int v = 0; v < 2; v++) {
            memset(blk, v ? 0xff : 0, cb);
            for (int h = 0; h < 2; h++)
                if (!same(buf, blk, cb, 7, h != 0))
                    nbad++;
        }
    }
    CHECK_EQ(nbad, 0);
    free(blk);
    free(buf);
}

TEST(large_blocks_match_reference)
{
    static const uint32_t sizes[] = {16384, 32768, 65536 + 48, 1u << 20, (1u << 20) + 160};
    const size_t cbMax = (1u << 20) + 160;
    uint8_t *blk = malloc(cbMax), *buf = malloc(cbMax + 16);
    CHECK(blk && buf);
    uint32_t nbad = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int t = 0; t < 4; t++) {
            fill_random(blk, sizes[s]);
            for (int h = 0; h < 2; h++)
                if (!same(buf, blk, sizes[s], (uint32_t)rnd(), h != 0))
                    nbad++;
        }
    }
    CHECK_EQ(nbad, 0);
    free(blk);
    free(buf);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
