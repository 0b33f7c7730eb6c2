/* checksum.c: ESE's old XOR and new XOR+ECC ("XE") checksums, and single-bit repair.
 *
 * Speed: this runs on every page read and write. Rows of 16 bytes are loaded in host order
 * (memcpy) and XORed as 128-bit values; parity does not depend on byte order, so only the
 * column words and the bit-index code need the conversion to little-endian, once at the end.
 * The ECC's row part is linear in the data (see bj_checksum_block): a group of 8 rows costs
 * eight loads, about twenty XORs and one parity, with no dependency between groups beyond XOR.
 * The 32-bit "bit index" half of the ECC is computed with five masked parities instead of a
 * per-bit loop: bit j of the XOR of the indices of the set bits of x is parity(x & M_j).
 */
#include "common/checksum.h"

static inline uint32_t ld_host(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint32_t host_to_le(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap32(v);
#else
    return v;
#endif
}

static inline uint32_t parity32(uint32_t v)
{
    return (uint32_t)__builtin_parity(v);
}

uint32_t bj_checksum_xor_old(const uint8_t *p, size_t cb)
{
    uint32_t x0 = 0, x1 = 0, x2 = 0, x3 = 0;
    size_t n = cb / 4, i = 1;
    /* word 1..3 alone, then aligned rows of four */
    for (; i < n && (i & 3); i++)
        x0 ^= ld_host(p + 4 * i);
    for (; i + 4 <= n; i += 4) {
        x0 ^= ld_host(p + 4 * i);
        x1 ^= ld_host(p + 4 * i + 4);
        x2 ^= ld_host(p + 4 * i + 8);
        x3 ^= ld_host(p + 4 * i + 12);
    }
    for (; i < n; i++)
        x0 ^= ld_host(p + 4 * i);
    return BJ_CKS_SEED ^ host_to_le(x0 ^ x1 ^ x2 ^ x3);
}

/* XOR of the indices (0..31) of the set bits of x, in the low 5 bits. */
static inline uint32_t bit_index_xor(uint32_t x)
{
    return parity32(x & 0xaaaaaaaau) | (parity32(x & 0xccccccccu) << 1) |
           (parity32(x & 0xf0f0f0f0u) << 2) | (parity32(x & 0xff00ff00u) << 3) |
           (parity32(x & 0xffff0000u) << 4);
}

/* Rows of 16 bytes as one value (GCC/Clang vector extension: SSE2 on x86-64, NEON on arm64,
 * pairs of words elsewhere). Only XOR and the parity of a row are needed, so byte order plays no
 * part until the column words are taken apart at the end. */
typedef uint64_t row128 __attribute__((vector_size(16)));

static inline row128 ld_row(const uint8_t *q)
{
    row128 v;
    memcpy(&v, q, 16);
    return v;
}

static inline uint32_t parity_row(row128 v)
{
    return (uint32_t)__builtin_parityll(v[0] ^ v[1]);
}

/* The row part of the ECC word, without a serial dependency from row to row.
 *
 * Row r of an odd parity XORs idx_r = 0xff800000 + r * 0xff800080 (mod 2^32) into p. For
 * r < 65536 that is (r << 7) | ((~r & 511) << 23), so the XOR over the set S of odd rows is
 * (R << 7) | (((R ^ (|S| odd ? 511 : 0)) & 511) << 23) with R the XOR of the indices in S.
 * Parity is linear: bit j of R is the parity of the XOR of the rows whose index has bit j set,
 * and |S| mod 2 is the parity of the XOR of all rows (the column words). Rows are taken in
 * groups of 8 (a small XOR tree gives index bits 0..2); a group of odd parity XORs its group
 * number into the bits from 3 up. Exactly equal to the row-by-row loop (tests/unit compares). */
uint64_t bj_checksum_block(const uint8_t *blk, uint32_t cb, uint32_t pgno, bool header_block)
{
    const uint32_t nrows = cb / 16, ngroups = nrows / 8;
    row128 col = {0, 0}, a0 = {0, 0}, a1 = {0, 0}, a2 = {0, 0};
    uint32_t rhi = 0, rlo = 0, p = 0;
    uint8_t first[128];

    if (nrows >= 65536) { /* idx_r no longer splits into two fields: the row-by-row loop */
        uint32_t idx = 0xff800000u;
        for (uint32_t r = 0; r < nrows; r++, idx += 0xff800080u) {
            row128 v = ld_row(blk + 16 * (size_t)r);
            if (r == 0 && header_block)
                v[0] = 0;
            col ^= v;
            p ^= idx & (0u - parity_row(v));
        }
    } else {
        for (uint32_t g = 0; g < ngroups; g++) {
            const uint8_t *q = blk + 128 * (size_t)g;
            if (g == 0 && header_block) { /* words 0 and 1 hold the checksum: they count as zero */
                memcpy(first, q, 128);
                memset(first, 0, 8);
                q = first;
            }
            row128 v0 = ld_row(q), v1 = ld_row(q + 16), v2 = ld_row(q + 32), v3 = ld_row(q + 48);
            row128 v4 = ld_row(q + 64), v5 = ld_row(q + 80), v6 = ld_row(q + 96);
            row128 v7 = ld_row(q + 112);
            row128 s23 = v2 ^ v3, s67 = v6 ^ v7, s4567 = (v4 ^ v5) ^ s67;
            a0 ^= (v1 ^ v3) ^ (v5 ^ v7);
            a1 ^= s23 ^ s67;
            a2 ^= s4567;
            row128 sum = (v0 ^ v1) ^ s23 ^ s4567;
            col ^= sum;
            rhi ^= g & (0u - parity_row(sum));
        }
        for (uint32_t r = ngroups * 8; r < nrows; r++) {
            row128 v = ld_row(blk + 16 * (size_t)r);
            if (r == 0 && header_block)
                v[0] = 0;
            col ^= v;
            rlo ^= r & (0u - parity_row(v));
        }
        const uint32_t R =
            (rhi << 3) ^ rlo ^ parity_row(a0) ^ (parity_row(a1) << 1) ^ (parity_row(a2) << 2);
        const uint32_t odd = parity_row(col) ? 511u : 0u;
        p = (R << 7) | (((R ^ odd) & 511u) << 23);
    }
    uint32_t cw[4];
    memcpy(cw, &col, 16);
    const uint32_t c0 = host_to_le(cw[0]), c1 = host_to_le(cw[1]);
    const uint32_t c2 = host_to_le(cw[2]), c3 = host_to_le(cw[3]);

    if (parity32(c0 ^ c1))
        p |= 0x00400000u;
    if (parity32(c2 ^ c3))
        p |= 0x00000040u;
    uint32_t r0 = c0 ^ c2, r1 = c1 ^ c3;
    if (parity32(r0))
        p |= 0x00200000u;
    if (parity32(r1))
        p |= 0x00000020u;
    uint32_t x = r0 ^ r1;

    /* for each set bit b of x: r ^= b | (~b << 16); only the low 5 bits of each half are kept */
    uint32_t lo = bit_index_xor(x);
    uint32_t hi = (lo ^ (parity32(x) ? 0xffffu : 0u)) & 0x1fu;
    uint32_t rr = lo | (hi << 16);

    uint32_t mask = (uint32_t)((cb << 19) - 1u);
    uint32_t ecc = (p & 0xffe0ffe0u & mask) | (rr & 0x001f001fu);
    return ((uint64_t)ecc << 32) | (uint64_t)(x ^ pgno);
}

bool bj_checksum_block_locate(uint32_t cb, uint64_t stored, uint64_t computed, uint32_t *pibit)
{
    uint32_t dxor = (uint32_t)stored ^ (uint32_t)computed;
    uint32_t decc = (uint32_t)(stored >> 32) ^ (uint32_t)(computed >> 32);
    uint32_t mask = cb * 8u - 1u;
    if (decc == 0 || __builtin_popcount(dxor) != 1)
        return false;
    if ((((decc >> 16) ^ decc) & mask) != mask)
        return false;
    uint32_t ibit = decc & 0xffffu;
    if (ibit / 8 >= cb)
        return false;
    *pibit = ibit;
    return true;
}

uint32_t bj_checksum_nblocks(uint32_t cbPage)
{
    return cbPage > 8192 ? BJ_CKS_NBLOCKS_LARGE : 1;
}

void bj_checksum_page_compute(const uint8_t *pg, uint32_t cbPage, uint32_t pgno, uint64_t out[4])
{
    uint32_t nb = bj_checksum_nblocks(cbPage), cbBlk = cbPage / nb;
    for (uint32_t i = 1; i < nb; i++)
        out[i] = bj_checksum_block(pg + (size_t)i * cbBlk, cbBlk, pgno, false);
    out[0] = bj_checksum_block(pg, cbBlk, pgno, true);
}

void bj_checksum_page_set(uint8_t *pg, uint32_t cbPage, uint32_t pgno)
{
    uint32_t nb = bj_checksum_nblocks(cbPage), cbBlk = cbPage / nb;
    for (uint32_t i = 1; i < nb; i++)
        bj_st64(pg + BJ_CKS_IB_BLOCKS + 8 * (i - 1),
                bj_checksum_block(pg + (size_t)i * cbBlk, cbBlk, pgno, false));
    bj_st64(pg, bj_checksum_block(pg, cbBlk, pgno, true));
}

static uint64_t stored_block(const uint8_t *pg, uint32_t i)
{
    return i == 0 ? bj_ld64(pg) : bj_ld64(pg + BJ_CKS_IB_BLOCKS + 8 * (i - 1));
}

bool bj_checksum_page_ok(const uint8_t *pg, uint32_t cbPage, uint32_t pgno)
{
    uint32_t flags = bj_ld32(pg + BJ_CKS_IB_FLAGS);
    if (cbPage <= 8192 && !(flags & BJ_CKS_PAGE_NEW_FORMAT))
        return bj_ld32(pg) == bj_checksum_xor_old(pg, cbPage) && bj_ld32(pg + 4) == pgno;
    uint64_t want[4];
    bj_checksum_page_compute(pg, cbPage, pgno, want);
    for (uint32_t i = 0; i < bj_checksum_nblocks(cbPage); i++)
        if (stored_block(pg, i) != want[i])
            return false;
    return true;
}

bool bj_checksum_page_correct(uint8_t *pg, uint32_t cbPage, uint32_t pgno, uint32_t *pibit)
{
    uint32_t nb = bj_checksum_nblocks(cbPage), cbBlk = cbPage / nb;
    if (cbPage <= 8192 && !(bj_ld32(pg + BJ_CKS_IB_FLAGS) & BJ_CKS_PAGE_NEW_FORMAT))
        return false;
    uint64_t want[4];
    bj_checksum_page_compute(pg, cbPage, pgno, want);
    uint32_t nbad = 0, ibad = 0;
    for (uint32_t i = 0; i < nb; i++)
        if (stored_block(pg, i) != want[i]) {
            nbad++;
            ibad = i;
        }
    if (nbad != 1)
        return false;
    uint32_t ibit;
    if (!bj_checksum_block_locate(cbBlk, stored_block(pg, ibad), want[ibad], &ibit))
        return false;
    ibit += ibad * cbBlk * 8u;
    if (ibit < 64) /* the stored checksum itself: nothing to repair in the data */
        return false;
    pg[ibit / 8] ^= (uint8_t)(1u << (ibit % 8));
    if (!bj_checksum_page_ok(pg, cbPage, pgno)) {
        pg[ibit / 8] ^= (uint8_t)(1u << (ibit % 8));
        return false;
    }
    *pibit = ibit;
    return true;
}
