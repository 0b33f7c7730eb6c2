/* checksum.h: layer 0, ESE's page and header checksums (ese-format.md §1.2, §2.5).
 *
 * Two formats:
 *  - old (ESE97): 32-bit XOR of every little-endian word but word 0, seeded with 0x89abcdef.
 *    Database/log headers use it over the whole page; old-format pages (flag 0x2000 clear,
 *    pages <= 8 KiB only) keep their pgno in word 1 so it is mixed in.
 *  - new ("XE", flag 0x2000): per block a 64-bit value = (32-bit ECC << 32) | (XOR ^ pgno).
 *    The ECC is a Hamming-style code over 16-byte rows and 32-bit columns that locates a single
 *    flipped bit. Pages <= 8 KiB are one block (H = header block, words 0 and 1 taken as 0).
 *    16/32 KiB pages are four blocks of 4/8 KiB: blocks 1..3 first (stored at 40/48/56), then
 *    block 0 (H), which covers those three stored values.
 * The block function is public so the log layer can checksum its 4 KiB segments.
 * No state, no locks.
 */
#ifndef BJ_CHECKSUM_H
#define BJ_CHECKSUM_H

#include "common/common.h"

#define BJ_CKS_SEED 0x89abcdefu
/* Page facts the checksum needs (page_format.h asserts they agree with its own constants). */
#define BJ_CKS_IB_FLAGS 36u          /* page flags word */
#define BJ_CKS_PAGE_NEW_FORMAT 0x2000u /* fPageNewChecksumFormat */
#define BJ_CKS_IB_BLOCKS 40u         /* large pages: checksums of blocks 1..3 (8 bytes each) */
#define BJ_CKS_NBLOCKS_LARGE 4u

/* Seed ^ XOR of the little-endian words 1..cb/4-1 (word 0 excluded). cb multiple of 4. */
uint32_t bj_checksum_xor_old(const uint8_t *p, size_t cb);

/* The 64-bit XE checksum of one block: cb a multiple of 16, 16..8192. header_block: words 0
 * and 1 count as zero (they hold the checksum). Low 32 bits = XOR ^ pgno, high 32 = ECC. */
uint64_t bj_checksum_block(const uint8_t *blk, uint32_t cb, uint32_t pgno, bool header_block);

/* Whether the ECC difference between a stored and a computed block checksum points at one
 * flipped bit; if so *pibit = its bit index in the block (byte ibit/8, bit ibit%8). */
bool bj_checksum_block_locate(uint32_t cb, uint64_t stored, uint64_t computed, uint32_t *pibit);

/* Number of checksum blocks of a page (1 for <= 8 KiB, 4 for 16/32 KiB) and their size. */
uint32_t bj_checksum_nblocks(uint32_t cbPage);

/* Computes the new-format checksums of a page into out[0..nblocks-1] (the values the page
 * should store). Does not modify the page. For large pages block 0 is computed over the page's
 * stored sub-checksums, not over out[1..3]. */
void bj_checksum_page_compute(const uint8_t *pg, uint32_t cbPage, uint32_t pgno, uint64_t out[4]);

/* Writes the new-format checksum(s) of a page (blocks 1..3 first, then block 0). The caller
 * sets flag 0x2000 (and the large-page pgno field) first. */
void bj_checksum_page_set(uint8_t *pg, uint32_t cbPage, uint32_t pgno);

/* Verifies a page's checksum: old format when flag 0x2000 is clear and cbPage <= 8192
 * (word 0 = XOR, word 1 = pgno), else new format. True if it matches. */
bool bj_checksum_page_ok(const uint8_t *pg, uint32_t cbPage, uint32_t pgno);

/* Tries to repair a single flipped bit in a new-format page that fails verification: flips the
 * bit the ECC points at and keeps it only if the whole page then verifies. Returns true and
 * sets *pibit (bit index in the page) when repaired; false (page unchanged) otherwise. */
bool bj_checksum_page_correct(uint8_t *pg, uint32_t cbPage, uint32_t pgno, uint32_t *pibit);

#endif /* BJ_CHECKSUM_H */
