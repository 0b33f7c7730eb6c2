/* page.c: read access to one ESE page: header fields, tags, nodes (with prefix compression),
 * binary search, structural validation, checksum verification and sealing before a write.
 *
 * Invariants checked by bj_page_check_structure (and relied on by pgop.c):
 *  - 1 <= itagMicFree and header + 4*itagMicFree <= cbPage;
 *  - ibMicFree <= data-area size (cbPage - header - 4*itagMicFree);
 *  - every non-empty tag lies inside [0, ibMicFree) of the data area and none overlap
 *    (an empty tag's ib is meaningless: Windows leaves stale values there);
 *  - cbFree = cbPage - header - sum(tag cb) - 4*itagMicFree; cbUncommittedFree <= cbFree;
 *  - every node (tags 1..) has its key lengths inside its tag.
 * Nothing here writes except bj_page_set_dbtime and bj_page_seal.
 */
#include "page/page.h"

#include <stdlib.h>

bool bj_page_size_valid(uint32_t cbPage)
{
    return cbPage == 2048 || cbPage == 4096 || cbPage == 8192 || cbPage == 16384 ||
           cbPage == 32768;
}

uint64_t bj_page_dbtime(const uint8_t *pg)
{
    return bj_ld64(pg + BJ_PGHDR_IB_DBTIME);
}
uint32_t bj_page_prev(const uint8_t *pg)
{
    return bj_ld32(pg + BJ_PGHDR_IB_PGNOPREV);
}
uint32_t bj_page_next(const uint8_t *pg)
{
    return bj_ld32(pg + BJ_PGHDR_IB_PGNONEXT);
}
uint32_t bj_page_objid(const uint8_t *pg)
{
    return bj_ld32(pg + BJ_PGHDR_IB_OBJID);
}
uint32_t bj_page_flags(const uint8_t *pg)
{
    return bj_ld32(pg + BJ_PGHDR_IB_FLAGS);
}
uint32_t bj_page_cbfree(const uint8_t *pg)
{
    return bj_ld16(pg + BJ_PGHDR_IB_CBFREE);
}
uint32_t bj_page_cbuncommitted(const uint8_t *pg)
{
    return bj_ld16(pg + BJ_PGHDR_IB_CBUNCOMMITTED);
}
uint32_t bj_page_ibmicfree(const uint8_t *pg)
{
    return bj_ld16(pg + BJ_PGHDR_IB_IBMICFREE);
}
uint32_t bj_page_ntags(const uint8_t *pg)
{
    return bj_ld16(pg + BJ_PGHDR_IB_ITAGSTATE) & BJ_PG_ITAGMICFREE_MASK;
}
uint32_t bj_page_pgno_field(const uint8_t *pg, uint32_t cbPage)
{
    return bj_page_is_large(cbPage) ? bj_ld32(pg + BJ_PGHDR_IB_PGNO) : 0;
}
void bj_page_set_dbtime(uint8_t *pg, uint64_t dbtime)
{
    bj_st64(pg + BJ_PGHDR_IB_DBTIME, dbtime);
}

void bj_page_tag(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint32_t *pcb, uint32_t *pib)
{
    const uint8_t *t = pg + cbPage - BJ_TAG_CB * (itag + 1);
    uint32_t mask = bj_page_is_large(cbPage) ? BJ_TAG_MASK_LARGE : BJ_TAG_MASK_SMALL;
    *pcb = bj_ld16(t + BJ_TAG_IB_CB) & mask;
    *pib = bj_ld16(t + BJ_TAG_IB_IB) & mask;
}

/* Size of the data area available to nodes given the tag count; 0 when the tags do not fit. */
static uint32_t data_limit(const uint8_t *pg, uint32_t cbPage, uint32_t *pntags)
{
    uint32_t hdr = bj_page_hdr_size(cbPage), ntags = bj_page_ntags(pg);
    *pntags = ntags;
    if (hdr + BJ_TAG_CB * ntags > cbPage)
        return 0;
    return cbPage - hdr - BJ_TAG_CB * ntags;
}

JET_ERR bj_page_get_ext_header(const uint8_t *pg, uint32_t cbPage, const uint8_t **p,
                               uint32_t *cb)
{
    JET_ERR err = JET_errSuccess;
    uint32_t ntags, cbT, ib;
    uint32_t limit = data_limit(pg, cbPage, &ntags);
    if (ntags < 1 || limit == 0)
        ERR(JET_errDatabaseCorrupted);
    bj_page_tag(pg, cbPage, 0, &cbT, &ib);
    if (cbT == 0)
        ib = 0; /* an empty tag's ib is stale in Windows files (e.g. emptied pages) */
    if (ib + cbT > limit)
        ERR(JET_errDatabaseCorrupted);
    *p = pg + bj_page_hdr_size(cbPage) + ib;
    *cb = cbT;
fail:
    return err;
}

JET_ERR bj_page_get_prefix(const uint8_t *pg, uint32_t cbPage, const uint8_t **p, uint32_t *cb)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_page_get_ext_header(pg, cbPage, p, cb));
    uint32_t flags = bj_page_flags(pg);
    if (flags & BJ_PGF_ROOT) {
        if ((flags & BJ_PGF_SPACE_TREE) && *cb >= BJ_SPB_CB) {
            *p += BJ_SPB_CB;
            *cb -= BJ_SPB_CB;
        } else {
            *cb = 0;
        }
    }
fail:
    return err;
}

JET_ERR bj_page_get_node(const uint8_t *pg, uint32_t cbPage, uint32_t itag, bj_node *out)
{
    JET_ERR err = JET_errSuccess;
    uint32_t ntags, cb, ib;
    uint32_t limit = data_limit(pg, cbPage, &ntags);
    if (itag == 0 || itag >= ntags || limit == 0)
        ERR(JET_errDatabaseCorrupted);
    bj_page_tag(pg, cbPage, itag, &cb, &ib);
    if (ib + cb > limit)
        ERR(JET_errDatabaseCorrupted);
    const uint8_t *nd = pg + bj_page_hdr_size(cbPage) + ib;
    uint32_t flags, off = 0, cbPrefix = 0;
    if (bj_page_is_large(cbPage)) {
        if (cb < BJ_ND_CB_KEYLEN)
            ERR(JET_errDatabaseCorrupted);
        flags = bj_ld16(nd) >> BJ_TAG_FLAGS_SHIFT;
    } else {
        flags = bj_ld16(pg + cbPage - BJ_TAG_CB * (itag + 1) + BJ_TAG_IB_IB) >> BJ_TAG_FLAGS_SHIFT;
    }
    if (flags & BJ_ND_COMPRESSED) {
        if (cb < 2 * BJ_ND_CB_KEYLEN)
            ERR(JET_errDatabaseCorrupted);
        cbPrefix = bj_ld16(nd) & BJ_ND_KEYLEN_MASK;
        off = BJ_ND_CB_KEYLEN;
    }
    if (cb < off + BJ_ND_CB_KEYLEN)
        ERR(JET_errDatabaseCorrupted);
    uint32_t cbSuffix = bj_ld16(nd + off) & BJ_ND_KEYLEN_MASK;
    off += BJ_ND_CB_KEYLEN;
    if (off + cbSuffix > cb)
        ERR(JET_errDatabaseCorrupted);
    out->prefix = NULL;
    out->cbPrefix = 0;
    if (flags & BJ_ND_COMPRESSED) {
        const uint8_t *p;
        uint32_t cbP;
        CALL(bj_page_get_prefix(pg, cbPage, &p, &cbP));
        uint32_t pf = bj_page_flags(pg);
        if ((pf & BJ_PGF_ROOT) && !(pf & BJ_PGF_SPACE_TREE)) {
            cbPrefix = 0; /* ESE: nodes on a (non space-tree) root page have no prefix */
        } else if (cbPrefix > cbP) {
            ERR(JET_errDatabaseCorrupted);
        }
        out->prefix = p;
        out->cbPrefix = cbPrefix;
    }
    out->suffix = nd + off;
    out->cbSuffix = cbSuffix;
    out->data = nd + off + cbSuffix;
    out->cbData = cb - off - cbSuffix;
    out->flags = (uint8_t)flags;
fail:
    return err;
}

uint32_t bj_node_key_len(const bj_node *n)
{
    return n->cbPrefix + n->cbSuffix;
}

void bj_node_copy_key(const bj_node *n, uint8_t *out)
{
    if (n->cbPrefix)
        memcpy(out, n->prefix, n->cbPrefix);
    if (n->cbSuffix)
        memcpy(out + n->cbPrefix, n->suffix, n->cbSuffix);
}

int bj_node_keycmp(const bj_node *n, const uint8_t *key, uint32_t cbKey)
{
    uint32_t cbP = n->cbPrefix;
    uint32_t m = cbP < cbKey ? cbP : cbKey;
    int c = m ? memcmp(n->prefix, key, m) : 0;
    if (c)
        return c;
    if (cbKey <= cbP) /* key is a prefix of the node's prefix */
        return (cbKey < cbP || n->cbSuffix > 0) ? 1 : 0;
    return bj_keycmp(n->suffix, n->cbSuffix, key + cbP, cbKey - cbP);
}

JET_ERR bj_page_seek(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                     uint32_t *pitag, bool *pfound)
{
    JET_ERR err = JET_errSuccess;
    uint32_t lo = 1, hi = bj_page_ntags(pg);
    bool found = false;
    bj_node n;
    /* invariant: nodes < lo have key < key; nodes >= hi have key >= key */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        CALL(bj_page_get_node(pg, cbPage, mid, &n));
        int c = bj_node_keycmp(&n, key, cbKey);
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
            if (c == 0)
                found = true;
        }
    }
    if (found) {
        /* found records an exact match at some mid >= lo; lo is the first >= key */
        CALL(bj_page_get_node(pg, cbPage, lo, &n));
        found = bj_node_keycmp(&n, key, cbKey) == 0;
    }
    *pitag = lo;
    *pfound = found;
fail:
    return err;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

JET_ERR bj_page_check_structure(const uint8_t *pg, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    uint32_t ent[BJ_PG_ITAGMICFREE_MASK + 1];
    uint32_t ntags, hdr = bj_page_hdr_size(cbPage);
    if (!bj_page_size_valid(cbPage))
        ERR(JET_errInvalidParameter);
    uint32_t limit = data_limit(pg, cbPage, &ntags);
    if (ntags < 1 || limit == 0)
        ERR(JET_errDatabaseCorrupted);
    uint32_t ibMic = bj_page_ibmicfree(pg);
    if (ibMic > limit)
        ERR(JET_errDatabaseCorrupted);
    uint32_t sum = 0, n = 0;
    for (uint32_t i = 0; i < ntags; i++) {
        uint32_t cb, ib;
        bj_page_tag(pg, cbPage, i, &cb, &ib);
        if (cb && ib + cb > ibMic) /* an empty tag's ib may be stale */
            ERR(JET_errDatabaseCorrupted);
        sum += cb;
        if (cb)
            ent[n++] = (ib << 16) | i;
    }
    if (bj_page_cbfree(pg) != cbPage - hdr - sum - BJ_TAG_CB * ntags)
        ERR(JET_errDatabaseCorrupted);
    if (bj_page_cbuncommitted(pg) > bj_page_cbfree(pg))
        ERR(JET_errDatabaseCorrupted);
    qsort(ent, n, sizeof(ent[0]), cmp_u32);
    for (uint32_t k = 1; k < n; k++) {
        uint32_t cbPrev, ibPrev;
        bj_page_tag(pg, cbPage, ent[k - 1] & 0xffffu, &cbPrev, &ibPrev);
        if (ibPrev + cbPrev > (ent[k] >> 16))
            ERR(JET_errDatabaseCorrupted);
    }
    for (uint32_t i = 1; i < ntags; i++) {
        bj_node nd;
        CALL(bj_page_get_node(pg, cbPage, i, &nd));
    }
fail:
    return err;
}

bool bj_page_is_zero(const uint8_t *pg, uint32_t cbPage)
{
    return cbPage == 0 || (pg[0] == 0 && memcmp(pg, pg + 1, cbPage - 1) == 0);
}

JET_ERR bj_page_verify(const uint8_t *pg, uint32_t cbPage, uint32_t pgno)
{
    JET_ERR err = JET_errSuccess;
    if (!bj_page_size_valid(cbPage))
        ERR(JET_errInvalidParameter);
    if (bj_page_is_zero(pg, cbPage))
        ERR(JET_errPageNotInitialized);
    if (!bj_checksum_page_ok(pg, cbPage, pgno))
        ERR(JET_errReadVerifyFailure);
    if (bj_page_is_large(cbPage) && bj_ld32(pg + BJ_PGHDR_IB_PGNO) != pgno)
        ERR(JET_errReadVerifyFailure);
    CALL(bj_page_check_structure(pg, cbPage));
fail:
    return err;
}

JET_ERR bj_page_verify_repair(uint8_t *pg, uint32_t cbPage, uint32_t pgno, bool *pfixed)
{
    *pfixed = false;
    if (bj_page_size_valid(cbPage) && !bj_page_is_zero(pg, cbPage) &&
        !bj_checksum_page_ok(pg, cbPage, pgno)) {
        uint32_t ibit;
        *pfixed = bj_checksum_page_correct(pg, cbPage, pgno, &ibit);
    }
    return bj_page_verify(pg, cbPage, pgno);
}

void bj_page_seal(uint8_t *pg, uint32_t cbPage, uint32_t pgno)
{
    bj_st32(pg + BJ_PGHDR_IB_FLAGS, bj_page_flags(pg) | BJ_PGF_NEW_CHECKSUM_FORMAT);
    if (bj_page_is_large(cbPage))
        bj_st32(pg + BJ_PGHDR_IB_PGNO, pgno);
    bj_checksum_page_set(pg, cbPage, pgno);
}

uint32_t bj_page_node_cost(const uint8_t *pg, uint32_t cbPage, uint32_t cbKey, uint32_t cbData)
{
    BJ_UNUSED(pg);
    BJ_UNUSED(cbPage);
    return BJ_ND_CB_KEYLEN + cbKey + cbData + BJ_TAG_CB;
}
