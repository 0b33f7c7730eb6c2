/* pgop.h: typed page operations, "one way to change a page".
 *
 * Every change to a page is a bj_pgop applied by bj_page_apply. Normal operation and crash
 * recovery (redo from the log) call the same function, so it is deterministic: the same page
 * bytes and the same op give the same bytes out, including where node data lands and how the
 * data area is compacted when contiguous space runs short. Every op stamps dbtimeAfter on
 * the page and keeps cbFree / ibMicFree / itagMicFree exactly consistent. It never seals
 * (checksums): bj_page_seal does that before a write.
 *
 * Errors: JET_errDatabaseCorrupted when the op does not fit the page's structure (bad itag,
 * offsets outside the node, page structure already bad); BJ_errPMOutOfPageSpace when the
 * page lacks free bytes (check with bj_pgop_fits first); JET_errInvalidParameter for a
 * malformed op; JET_errDbTimeCorrupted when op->dbtimeBefore is non-zero and differs from the
 * page's dbtime (redo must only apply an op to the page state it was built on).
 */
#ifndef BJ_PGOP_H
#define BJ_PGOP_H

#include "page/page.h"

/* ESE's internal "out of page space" code (errPMOutOfPageSpace, daeconst/err.hxx: -300); not
 * part of esent.h, never returned through the API (the B-tree splits instead). */
#define BJ_errPMOutOfPageSpace (-300)

typedef enum bj_pgop_kind {
    BJ_PGOP_INIT = 1,       /* fresh page: objid, pageFlags, prev, next; TAG 0 = data */
    BJ_PGOP_INSERT = 2,     /* node (key, data, nodeFlags) at itag; later nodes shift up */
    BJ_PGOP_REPLACE = 3,    /* node data at itag; key and flags unchanged */
    BJ_PGOP_DELETE = 4,     /* node at itag */
    BJ_PGOP_FLAGS = 5,      /* node flags at itag: |= flagsSet, &= ~flagsClear */
    BJ_PGOP_DELTA = 6,      /* LE integer of cbDelta (4|8) bytes at ibDelta in node data += delta */
    BJ_PGOP_EXTHDR = 7,     /* TAG 0 = data */
    BJ_PGOP_LINKS = 8,      /* prev/next/pageFlags/objid per linkMask */
    BJ_PGOP_DELETE_RANGE = 9, /* nodes itag .. itag+count-1 */
    BJ_PGOP_INSERT_RANGE = 10, /* data = packed node list (bj_pgop_pack_node), inserted at itag
                                  in order; itag = ntags appends (the new half of a split) */
} bj_pgop_kind;

/* linkMask bits of BJ_PGOP_LINKS */
#define BJ_PGOP_LINK_PREV 0x1u
#define BJ_PGOP_LINK_NEXT 0x2u
#define BJ_PGOP_LINK_FLAGS 0x4u
#define BJ_PGOP_LINK_OBJID 0x8u

typedef struct bj_pgop {
    uint8_t kind;             /* bj_pgop_kind */
    uint32_t pgno;            /* page changed (large pages: INIT writes it to the pgno field) */
    uint64_t dbtimeBefore;    /* page dbtime the op was built on; 0 = not checked */
    uint64_t dbtimeAfter;     /* stamped on the page */
    uint32_t itag;            /* node (1..ntags-1; INSERT/INSERT_RANGE: 1..ntags) */
    uint32_t count;           /* DELETE_RANGE: nodes */
    const uint8_t *key;  uint32_t cbKey;   /* INSERT */
    const uint8_t *data; uint32_t cbData;  /* INSERT, REPLACE, INIT/EXTHDR (TAG 0), INSERT_RANGE */
    uint8_t nodeFlags;        /* INSERT: BJ_ND_VERSION|BJ_ND_DELETED (COMPRESSED is computed) */
    uint8_t flagsSet, flagsClear; /* FLAGS (VERSION|DELETED only) */
    uint32_t ibDelta;         /* DELTA: offset in node data */
    uint8_t cbDelta;          /* DELTA: 4 or 8 */
    int64_t delta;            /* DELTA */
    uint32_t linkMask;        /* LINKS */
    uint32_t objid, pageFlags, pgnoPrev, pgnoNext; /* INIT, LINKS */
} bj_pgop;

/* Applies op to the page (cbPage bytes); see the error list above. On error the page is
 * unchanged. */
JET_ERR bj_page_apply(uint8_t *pg, uint32_t cbPage, const bj_pgop *op);
/* JET_errSuccess when op would apply; BJ_errPMOutOfPageSpace when it lacks room; other
 * errors as bj_page_apply. Does not change the page. */
JET_ERR bj_pgop_fits(const uint8_t *pg, uint32_t cbPage, const bj_pgop *op);

/* Packed node list of INSERT_RANGE: per node u8 flags, u16 cbKey, u16 cbData, key, data.
 * Writes one entry at buf (cap bytes) and returns its size, or 0 if it does not fit. */
uint32_t bj_pgop_pack_node(uint8_t *buf, uint32_t cap, uint8_t flags, const uint8_t *key,
                           uint32_t cbKey, const uint8_t *data, uint32_t cbData);
#define BJ_PGOP_PACKED_HDR 5u

/* Log-record body of an op: encoded size, encode (returns bytes written, 0 if cap is short),
 * decode (key/data point into buf; JET_errDatabaseCorrupted on a malformed buffer). */
uint32_t bj_pgop_encoded_size(const bj_pgop *op);
uint32_t bj_pgop_encode(const bj_pgop *op, uint8_t *buf, uint32_t cap);
JET_ERR bj_pgop_decode(const uint8_t *buf, uint32_t cb, bj_pgop *out);

#endif /* BJ_PGOP_H */
