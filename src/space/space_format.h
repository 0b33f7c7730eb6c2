/* space_format.h: on-disk space structures (ese-format.md §3.6; ESE space.hxx, _space.hxx).
 *
 * SPACE_HEADER: 16 bytes in TAG 0 of every FDP root (tables, indexes, LV trees, DB root):
 *   0 u32 cpgPrimary (v1) / cpgLastAlloc (v2, flag bit 0x04)
 *   4 u32 pgnoParent (0 for the DB root, 1 for tables, the table's root for its children)
 *   8 u32 flags (byte 0: 0x01 multiple extent, 0x02 non-unique, 0x04 v2)
 *  12 u32 single extent: free-page bitmap, bit k = page pgnoFDP + 1 + k is available;
 *         multiple extent: pgno of the OE tree root (the AE root is always OE + 1)
 * Space trees (page flag fPageSpaceTree) have a 16-byte SPLIT_BUFFER in TAG 0 (we write it
 * zeroed). Their nodes: key = big-endian last pgno of the extent (4 bytes; newer ESE writes a
 * 5-byte key 0x80|pool, pgno for AE nodes of a non-general pool), data = u32 page count.
 */
#ifndef BJ_SPACE_FORMAT_H
#define BJ_SPACE_FORMAT_H

#include "common/common.h"

#define BJ_SPH_SIZE 16u
#define BJ_SPH_CPG 0u
#define BJ_SPH_PARENT 4u
#define BJ_SPH_FLAGS 8u
#define BJ_SPH_BITMAP_OR_OE 12u
_Static_assert(BJ_SPH_BITMAP_OR_OE + 4 == BJ_SPH_SIZE, "SPACE_HEADER is 16 bytes");

#define BJ_SPH_MULTI 0x01u      /* fSPHMultipleExtent */
#define BJ_SPH_NON_UNIQUE 0x02u /* fSPHNonUnique */
#define BJ_SPH_V2 0x04u         /* fSPHv2: cpgPrimary field holds cpgLastAlloc */

#define BJ_SPLIT_BUFFER_SIZE 16u

/* Space-tree node keys and data. */
#define BJ_SPKEY_LEGACY 4u       /* big-endian pgnoLast */
#define BJ_SPKEY_POOL 5u         /* 0x80 | pool, then big-endian pgnoLast */
#define BJ_SPKEY_POOL_MARK 0x80u /* fSPAvailExtReservedPool */
#define BJ_SPKEY_POOL_MASK 0x07u /* fSPPoolMask */
#define BJ_SPPOOL_GENERAL 0u
#define BJ_SPPOOL_CONTINUOUS 1u
#define BJ_SPPOOL_SHELVED 2u /* available space beyond EOF (shrink): not real pages */
#define BJ_SPDATA_SIZE 4u    /* u32 LE page count */

/* Single-extent bitmap: 32 bits, so a single-extent FDP spans at most 33 pages
 * (cpgSmallSpaceAvailMost + 1: the root itself has no bit). */
#define BJ_SPH_BITMAP_BITS 32u

/* Newer ESE (node.hxx NodeRootField) may write TAG 0 of a root as a field list: byte 0 = the
 * set of fields present (0x01 space header, 0x02 ISAM auto-increment u64), then the fields in
 * that order. Seen on the 32 KiB WebCache file: 25 bytes = 0x03, SPACE_HEADER, autoinc. */
#define BJ_EXTHDR_RF_SPACE 0x01u

/* Offset of the SPACE_HEADER inside an external header of cb bytes, or -1 if it has none. */
static inline int bj_sph_offset(const uint8_t *ext, uint32_t cb)
{
    if (cb == BJ_SPH_SIZE)
        return 0;
    if (cb >= 1 + BJ_SPH_SIZE && (ext[0] & BJ_EXTHDR_RF_SPACE) && !(ext[0] & 0xe0u))
        return 1;
    return -1;
}

/* Decoded SPACE_HEADER. */
typedef struct bj_sph {
    uint32_t cpg; /* cpgPrimary (v1) or cpgLastAlloc (v2) */
    uint32_t pgnoParent;
    uint32_t flags;      /* BJ_SPH_* */
    uint32_t bitmapOrOE; /* single: available bitmap; multi: OE root pgno */
} bj_sph;

static inline void bj_sph_decode(const uint8_t *p, bj_sph *o)
{
    o->cpg = bj_ld32(p + BJ_SPH_CPG);
    o->pgnoParent = bj_ld32(p + BJ_SPH_PARENT);
    o->flags = bj_ld32(p + BJ_SPH_FLAGS);
    o->bitmapOrOE = bj_ld32(p + BJ_SPH_BITMAP_OR_OE);
}

static inline void bj_sph_encode(const bj_sph *h, uint8_t *p)
{
    bj_st32(p + BJ_SPH_CPG, h->cpg);
    bj_st32(p + BJ_SPH_PARENT, h->pgnoParent);
    bj_st32(p + BJ_SPH_FLAGS, h->flags);
    bj_st32(p + BJ_SPH_BITMAP_OR_OE, h->bitmapOrOE);
}

/* Decodes a space-tree node: *ppgnoLast, *pcpg, *ppool. JET_errSPAvailExtCorrupted on a bad
 * key/data size, a zero count or an extent that would start below page 1. */
static inline JET_ERR bj_spnode_decode(const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                                       uint32_t cbData, uint32_t *ppgnoLast, uint32_t *pcpg,
                                       uint32_t *ppool)
{
    if (cbData < BJ_SPDATA_SIZE)
        return BJ_ERR(JET_errSPAvailExtCorrupted);
    if (cbKey == BJ_SPKEY_LEGACY) {
        *ppgnoLast = bj_ld32be(key);
        *ppool = BJ_SPPOOL_GENERAL;
    } else if (cbKey == BJ_SPKEY_POOL && (key[0] & BJ_SPKEY_POOL_MARK)) {
        *ppgnoLast = bj_ld32be(key + 1);
        *ppool = key[0] & BJ_SPKEY_POOL_MASK;
    } else {
        return BJ_ERR(JET_errSPAvailExtCorrupted);
    }
    *pcpg = bj_ld32(data);
    if (*pcpg == 0 || *pcpg > *ppgnoLast)
        return BJ_ERR(JET_errSPAvailExtCorrupted);
    return JET_errSuccess;
}

#endif /* BJ_SPACE_FORMAT_H */
