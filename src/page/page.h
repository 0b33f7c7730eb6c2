/* page.h: layer 2, read access to and validation of one ESE database page (bytes only, no I/O).
 *
 * A page is cbPage bytes (2/4/8/16/32 KiB); pages > 8 KiB are "large" (80-byte header, 15-bit
 * tags, node flags inside the node). Every accessor that follows a TAG validates its bounds and
 * returns JET_errDatabaseCorrupted on bad bytes; nothing here asserts on disk data.
 * Changes to a page go through pgop.h (bj_page_apply) only; bj_page_seal prepares a write.
 * Layout constants: page_format.h. No state, no locks (callers hold the page latch).
 */
#ifndef BJ_PAGE_H
#define BJ_PAGE_H

#include "page/page_format.h"

static inline bool bj_page_is_large(uint32_t cbPage)
{
    return cbPage > 8192;
}
/* Header size of a page of this size: 40 or 80. */
static inline uint32_t bj_page_hdr_size(uint32_t cbPage)
{
    return bj_page_is_large(cbPage) ? BJ_PGHDR_CB_LARGE : BJ_PGHDR_CB_SMALL;
}
/* Whether cbPage is a page size ESE knows (2048, 4096, 8192, 16384, 32768). */
bool bj_page_size_valid(uint32_t cbPage);

/* Header fields (no validation). */
uint64_t bj_page_dbtime(const uint8_t *pg);
uint32_t bj_page_prev(const uint8_t *pg);
uint32_t bj_page_next(const uint8_t *pg);
uint32_t bj_page_objid(const uint8_t *pg);
uint32_t bj_page_flags(const uint8_t *pg);
uint32_t bj_page_cbfree(const uint8_t *pg);
uint32_t bj_page_cbuncommitted(const uint8_t *pg);
uint32_t bj_page_ibmicfree(const uint8_t *pg);
uint32_t bj_page_ntags(const uint8_t *pg); /* itagMicFree (low 12 bits), tag 0 included */
/* Large pages: the pgno stored at offset 64 (0 on small pages). */
uint32_t bj_page_pgno_field(const uint8_t *pg, uint32_t cbPage);
void bj_page_set_dbtime(uint8_t *pg, uint64_t dbtime);

/* Raw TAG i (no bounds check against the data area; i < ntags is the caller's job):
 * cb, ib (masked) and, for small pages, the flags from ib. */
void bj_page_tag(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint32_t *pcb, uint32_t *pib);

typedef struct bj_node {
    const uint8_t *prefix; uint32_t cbPrefix;       /* leading part of the key, from TAG 0 */
    const uint8_t *suffix; uint32_t cbSuffix;       /* rest of the key, in the node */
    const uint8_t *data;   uint32_t cbData;         /* node data */
    uint8_t flags;                                  /* BJ_ND_VERSION|BJ_ND_DELETED|BJ_ND_COMPRESSED */
} bj_node;

/* Node itag (1..ntags-1) of a page; validates every bound; JET_errDatabaseCorrupted if bad. */
JET_ERR bj_page_get_node(const uint8_t *pg, uint32_t cbPage, uint32_t itag, bj_node *out);
/* TAG 0 (external header / prefix). */
JET_ERR bj_page_get_ext_header(const uint8_t *pg, uint32_t cbPage, const uint8_t **p,
                               uint32_t *cb);
/* The bytes compressed node keys on this page take their prefix from: TAG 0 on non-root
 * pages, TAG 0 past the 16-byte SPLIT_BUFFER on space-tree roots, nothing on other roots. */
JET_ERR bj_page_get_prefix(const uint8_t *pg, uint32_t cbPage, const uint8_t **p, uint32_t *cb);

/* Compares the node's full key with key (memcmp-then-length order): <0, 0, >0. */
int bj_node_keycmp(const bj_node *n, const uint8_t *key, uint32_t cbKey);
uint32_t bj_node_key_len(const bj_node *n);
void bj_node_copy_key(const bj_node *n, uint8_t *out); /* out >= key_len bytes */

/* Binary search of nodes 1..ntags-1 (sorted by key): *pitag = first node with key >= key
 * (ntags if none), *pfound = exact match. JET_errDatabaseCorrupted if a node is bad. */
JET_ERR bj_page_seek(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                     uint32_t *pitag, bool *pfound);

/* Checksum + page number (large pages: the pgno field) + structure; for a page just read:
 * JET_errReadVerifyFailure on a checksum/pgno failure, JET_errPageNotInitialized on an
 * all-zero page, JET_errDatabaseCorrupted on bad structure (tags out of bounds/overlapping,
 * cbFree/ibMicFree inconsistent, itagMicFree too large). */
JET_ERR bj_page_verify(const uint8_t *pg, uint32_t cbPage, uint32_t pgno);
/* As bj_page_verify, but first repairs a single flipped bit the ECC locates (as ESE does on
 * read); *pfixed tells whether a bit was repaired. */
JET_ERR bj_page_verify_repair(uint8_t *pg, uint32_t cbPage, uint32_t pgno, bool *pfixed);
/* Structure only: header counts, tag bounds and overlaps, every node's key lengths. */
JET_ERR bj_page_check_structure(const uint8_t *pg, uint32_t cbPage);
/* Whether every byte of the page is zero. */
bool bj_page_is_zero(const uint8_t *pg, uint32_t cbPage);

/* Before a write: sets flag 0x2000 (+ pgno field on large pages) and the checksum(s). */
void bj_page_seal(uint8_t *pg, uint32_t cbPage, uint32_t pgno);

/* Free bytes an insert of a node with this key/data would need (node + tag), without prefix
 * compression (an upper bound: compression only ever saves bytes). */
uint32_t bj_page_node_cost(const uint8_t *pg, uint32_t cbPage, uint32_t cbKey, uint32_t cbData);

#endif /* BJ_PAGE_H */
