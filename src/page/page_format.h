/* page_format.h: the on-disk layout of an ESE database page (ese-format.md §2, §3.6).
 *
 * Page = header (40 bytes; 80 on 16/32 KiB pages) | data area (nodes, growing up from the
 * header) | free space | TAG array (4 bytes per tag, growing down from the end of the page).
 * TAG i sits at [cbPage - 4*(i+1), cbPage - 4*i): u16 cb then u16 ib, both relative to the
 * start of the data area. Small pages keep 3 node flags in ib's top 3 bits; large pages keep
 * them in the top 3 bits of the first u16 of the node itself. TAG 0 is the external header.
 * Invariant of every well-formed page:
 *   cbFree = cbPage - cbHeader - sum(tag cb) - 4 * itagMicFree
 * Only offsets and constants live here; access goes through bj_ld / bj_st.
 */
#ifndef BJ_PAGE_FORMAT_H
#define BJ_PAGE_FORMAT_H

#include "common/checksum.h"
#include "common/common.h"

/* ---- page header (PGHDR / PGHDR2) ---- */
#define BJ_PGHDR_IB_CHECKSUM 0u      /* u64: checksum (block 0) */
#define BJ_PGHDR_IB_DBTIME 8u        /* u64: dbtime of the last change */
#define BJ_PGHDR_IB_PGNOPREV 16u     /* u32 */
#define BJ_PGHDR_IB_PGNONEXT 20u     /* u32 */
#define BJ_PGHDR_IB_OBJID 24u        /* u32: objidFDP */
#define BJ_PGHDR_IB_CBFREE 28u       /* u16 */
#define BJ_PGHDR_IB_CBUNCOMMITTED 30u /* u16: cbUncommittedFree */
#define BJ_PGHDR_IB_IBMICFREE 32u    /* u16: first unused byte of the data area */
#define BJ_PGHDR_IB_ITAGSTATE 34u    /* u16: low 12 bits itagMicFree, bits 12..14 ctagReserved */
#define BJ_PGHDR_IB_FLAGS 36u        /* u32 */
#define BJ_PGHDR_CB_SMALL 40u
/* large pages (> 8 KiB) only */
#define BJ_PGHDR_IB_BLOCKCKS 40u     /* 3 x u64: checksums of blocks 1..3 */
#define BJ_PGHDR_IB_PGNO 64u         /* u32: this page's number */
#define BJ_PGHDR_IB_RESERVED 68u     /* 12 bytes, zero */
#define BJ_PGHDR_CB_LARGE 80u

#define BJ_PG_ITAGMICFREE_MASK 0x0fffu
#define BJ_PG_CTAGRESERVED_SHIFT 12u
#define BJ_PG_CTAGRESERVED_MASK 0x7000u

_Static_assert(BJ_PGHDR_IB_FLAGS + 4 == BJ_PGHDR_CB_SMALL, "small header ends after flags");
_Static_assert(BJ_PGHDR_IB_RESERVED + 12 == BJ_PGHDR_CB_LARGE, "large header is 80 bytes");
_Static_assert(BJ_PGHDR_IB_BLOCKCKS + 3 * 8 == BJ_PGHDR_IB_PGNO, "3 block checksums");
_Static_assert(BJ_PGHDR_IB_FLAGS == BJ_CKS_IB_FLAGS, "checksum layer agrees on flags");
_Static_assert(BJ_PGHDR_IB_BLOCKCKS == BJ_CKS_IB_BLOCKS, "checksum layer agrees on blocks");

/* ---- page flags (fFlags) ---- */
#define BJ_PGF_ROOT 0x00001u
#define BJ_PGF_LEAF 0x00002u
#define BJ_PGF_PARENT_OF_LEAF 0x00004u
#define BJ_PGF_EMPTY 0x00008u
#define BJ_PGF_REPAIR 0x00010u
#define BJ_PGF_SPACE_TREE 0x00020u
#define BJ_PGF_INDEX 0x00040u
#define BJ_PGF_LONG_VALUE 0x00080u
#define BJ_PGF_NON_UNIQUE_KEYS 0x00400u
#define BJ_PGF_NEW_RECORD_FORMAT 0x00800u
#define BJ_PGF_NEW_CHECKSUM_FORMAT 0x02000u
#define BJ_PGF_SCRUBBED 0x04000u
#define BJ_PGF_FLUSH_TYPE_MASK 0x18000u /* 2-bit field, shift 15 */
#define BJ_PGF_FLUSH_TYPE_SHIFT 15u
#define BJ_PGF_PREINIT 0x20000u
#define BJ_PGF_FDP_DELETE 0x40000u
_Static_assert(BJ_PGF_NEW_CHECKSUM_FORMAT == BJ_CKS_PAGE_NEW_FORMAT, "same flag");

/* ---- TAG ---- */
#define BJ_TAG_CB 4u
#define BJ_TAG_IB_CB 0u              /* u16 cb */
#define BJ_TAG_IB_IB 2u              /* u16 ib */
#define BJ_TAG_MASK_SMALL 0x1fffu    /* cb / ib on pages <= 8 KiB */
#define BJ_TAG_MASK_LARGE 0x7fffu    /* cb / ib on 16/32 KiB pages */
#define BJ_TAG_FLAGS_SHIFT 13u       /* flags = u16 >> 13 (ib on small pages, node u16 on large) */
#define BJ_TAG_FLAGS_MASK 0xe000u

/* ---- node flags ---- */
#define BJ_ND_VERSION 0x1u
#define BJ_ND_DELETED 0x2u
#define BJ_ND_COMPRESSED 0x4u
#define BJ_ND_FLAGS_ALL 0x7u

/* ---- node layout: [u16 cbPrefix if compressed] u16 cbSuffix, suffix, data ---- */
#define BJ_ND_CB_KEYLEN 2u
#define BJ_ND_KEYLEN_MASK 0x1fffu    /* usNDCbKeyMask */
#define BJ_ND_PREFIX_MIN 3u          /* compress only when the shared prefix is > 2 bytes */

/* ---- SPACE_HEADER (TAG 0 of a non-space-tree root) ---- */
#define BJ_SPH_IB_CPGPRIMARY 0u      /* u32: cpgPrimary (v1) / cpgLastAlloc (v2) */
#define BJ_SPH_IB_PGNOPARENT 4u      /* u32 */
#define BJ_SPH_IB_FLAGS 8u           /* u32: byte0 0x1 multiple extent, 0x2 non-unique, 0x4 v2 */
#define BJ_SPH_IB_PGNOOE 12u         /* u32: multi-extent: OE root (AE = OE+1); single: bitmap */
#define BJ_SPH_CB 16u
#define BJ_SPH_F_MULTIPLE_EXTENT 0x1u
#define BJ_SPH_F_NON_UNIQUE 0x2u
#define BJ_SPH_F_V2 0x4u
_Static_assert(BJ_SPH_IB_PGNOOE + 4 == BJ_SPH_CB, "SPACE_HEADER is 16 bytes");

/* ---- SPLIT_BUFFER (start of TAG 0 of a space-tree root) ---- */
#define BJ_SPB_IB_PGNOLAST1 0u
#define BJ_SPB_IB_CPG1 4u
#define BJ_SPB_IB_PGNOLAST2 8u
#define BJ_SPB_IB_CPG2 12u
#define BJ_SPB_CB 16u
_Static_assert(BJ_SPB_IB_CPG2 + 4 == BJ_SPB_CB, "SPLIT_BUFFER is 16 bytes");

#endif /* BJ_PAGE_FORMAT_H */
