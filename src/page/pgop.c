/* pgop.c: bj_page_apply, the only code that changes the inside of a page, plus the log-record
 * encoding of an op.
 *
 * Determinism: every placement decision depends only on the page bytes and the op:
 *  - a new or grown node goes at ibMicFree when the contiguous gap (ibMicFree .. start of the
 *    tag array, after any new tag) is large enough;
 *  - otherwise the data area is compacted: nodes slide down to offset 0 in increasing-ib order
 *    (ties impossible: non-empty tags never overlap), and a node being grown is rotated to the
 *    end so it can grow in place;
 *  - a shrunk node stays in place; a node ending at ibMicFree gives its tail back.
 * Every op is checked completely before the first byte changes, so an error leaves the page
 * unchanged. The page must satisfy the header invariants of page.c (checked here in O(ntags)).
 */
#include "page/pgop.h"

#include <stdlib.h>

typedef struct pgx {
    uint8_t *pg;
    uint32_t cbPage, hdr, mask, ntags;
    bool large;
} pgx;

static uint8_t *tagp(const pgx *x, uint32_t i)
{
    return x->pg + x->cbPage - BJ_TAG_CB * (i + 1);
}
static uint32_t tag_cb(const pgx *x, uint32_t i)
{
    return bj_ld16(tagp(x, i) + BJ_TAG_IB_CB) & x->mask;
}
static uint32_t tag_ib(const pgx *x, uint32_t i)
{
    return bj_ld16(tagp(x, i) + BJ_TAG_IB_IB) & x->mask;
}
/* Sets cb and ib of tag i, keeping the node flags held in ib on small pages. */
static void tag_set(const pgx *x, uint32_t i, uint32_t cb, uint32_t ib)
{
    uint8_t *t = tagp(x, i);
    uint16_t keep = x->large ? 0 : (uint16_t)(bj_ld16(t + BJ_TAG_IB_IB) & BJ_TAG_FLAGS_MASK);
    bj_st16(t + BJ_TAG_IB_CB, (uint16_t)cb);
    bj_st16(t + BJ_TAG_IB_IB, (uint16_t)(keep | ib));
}
static uint8_t *data_area(const pgx *x)
{
    return x->pg + x->hdr;
}
static uint32_t ibmic(const pgx *x)
{
    return bj_page_ibmicfree(x->pg);
}
static uint32_t cbfree(const pgx *x)
{
    return bj_page_cbfree(x->pg);
}
static void set_counts(pgx *x, uint32_t ntags, uint32_t ibMic, uint32_t cbFree)
{
    uint16_t st = bj_ld16(x->pg + BJ_PGHDR_IB_ITAGSTATE);
    bj_st16(x->pg + BJ_PGHDR_IB_ITAGSTATE,
            (uint16_t)((st & ~BJ_PG_ITAGMICFREE_MASK) | (ntags & BJ_PG_ITAGMICFREE_MASK)));
    bj_st16(x->pg + BJ_PGHDR_IB_IBMICFREE, (uint16_t)ibMic);
    bj_st16(x->pg + BJ_PGHDR_IB_CBFREE, (uint16_t)cbFree);
    x->ntags = ntags;
}
/* Contiguous bytes between ibMicFree and the tag array once it has ntags tags. */
static uint32_t contig(const pgx *x, uint32_t ntags)
{
    uint32_t lim = x->cbPage - x->hdr - BJ_TAG_CB * ntags;
    return lim > ibmic(x) ? lim - ibmic(x) : 0;
}

/* O(ntags) header checks: counts in range, every tag inside [0, ibMicFree), cbFree exact. */
static JET_ERR pre_check(pgx *x, uint8_t *pg, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    if (!bj_page_size_valid(cbPage))
        ERR(JET_errInvalidParameter);
    x->pg = pg;
    x->cbPage = cbPage;
    x->large = bj_page_is_large(cbPage);
    x->hdr = bj_page_hdr_size(cbPage);
    x->mask = x->large ? BJ_TAG_MASK_LARGE : BJ_TAG_MASK_SMALL;
    x->ntags = bj_page_ntags(pg);
    if (x->ntags < 1 || x->hdr + BJ_TAG_CB * x->ntags > cbPage)
        ERR(JET_errDatabaseCorrupted);
    uint32_t lim = cbPage - x->hdr - BJ_TAG_CB * x->ntags, mic = ibmic(x), sum = 0;
    if (mic > lim)
        ERR(JET_errDatabaseCorrupted);
    for (uint32_t i = 0; i < x->ntags; i++) {
        uint32_t cb = tag_cb(x, i);
        if (cb && tag_ib(x, i) + cb > mic)
            ERR(JET_errDatabaseCorrupted);
        sum += cb;
    }
    if (cbfree(x) != cbPage - x->hdr - sum - BJ_TAG_CB * x->ntags)
        ERR(JET_errDatabaseCorrupted);
fail:
    return err;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t p = *(const uint32_t *)a, q = *(const uint32_t *)b;
    return p < q ? -1 : (p > q ? 1 : 0);
}

static void reverse(uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint8_t t = p[i];
        p[i] = p[j - 1];
        p[j - 1] = t;
    }
}

/* Slides every node down to offset 0 in increasing-ib order; itagLast (if < ntags) ends up
 * last. Sets ibMicFree to the bytes in use. */
static void compact(pgx *x, uint32_t itagLast)
{
    uint32_t ent[BJ_PG_ITAGMICFREE_MASK + 1], n = 0, cur = 0;
    uint8_t *d = data_area(x);
    for (uint32_t i = 0; i < x->ntags; i++)
        if (tag_cb(x, i))
            ent[n++] = (tag_ib(x, i) << 16) | i;
    qsort(ent, n, sizeof(ent[0]), cmp_u32);
    uint32_t ibL = 0, cbL = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = ent[k] & 0xffffu, cb = tag_cb(x, i), ib = ent[k] >> 16;
        if (ib != cur)
            memmove(d + cur, d + ib, cb);
        tag_set(x, i, cb, cur);
        if (i == itagLast) {
            ibL = cur;
            cbL = cb;
        }
        cur += cb;
    }
    if (itagLast < x->ntags && cbL && ibL + cbL < cur) {
        /* rotate [ibL, cur) left by cbL: the node goes to the end, the rest moves down */
        reverse(d + ibL, cbL);
        reverse(d + ibL + cbL, cur - ibL - cbL);
        reverse(d + ibL, cur - ibL);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = ent[k] & 0xffffu, ib = tag_ib(x, i);
            if (i != itagLast && ib > ibL)
                tag_set(x, i, tag_cb(x, i), ib - cbL);
        }
        tag_set(x, itagLast, cbL, cur - cbL);
    }
    bj_st16(x->pg + BJ_PGHDR_IB_IBMICFREE, (uint16_t)cur);
}

/* ---- node encoding ---- */

/* Prefix length an inserted key shares with the page's TAG-0 prefix (0 = no compression). */
static uint32_t compress_len(const pgx *x, const uint8_t *key, uint32_t cbKey)
{
    if (bj_page_flags(x->pg) & BJ_PGF_ROOT)
        return 0;
    uint32_t cb0 = tag_cb(x, 0);
    const uint8_t *p = data_area(x) + tag_ib(x, 0);
    uint32_t m = cb0 < cbKey ? cb0 : cbKey, n = 0;
    if (m > BJ_ND_KEYLEN_MASK)
        m = BJ_ND_KEYLEN_MASK;
    while (n < m && p[n] == key[n])
        n++;
    return n >= BJ_ND_PREFIX_MIN ? n : 0;
}
static uint32_t node_size(uint32_t cbPrefix, uint32_t cbKey, uint32_t cbData)
{
    return (cbPrefix ? 2 * BJ_ND_CB_KEYLEN : BJ_ND_CB_KEYLEN) + (cbKey - cbPrefix) + cbData;
}
static void write_node(const pgx *x, uint8_t *nd, uint32_t cbPrefix, const uint8_t *key,
                       uint32_t cbKey, const uint8_t *data, uint32_t cbData, uint32_t flags)
{
    uint32_t off = 0;
    if (cbPrefix) {
        bj_st16(nd, (uint16_t)cbPrefix);
        off = BJ_ND_CB_KEYLEN;
    }
    bj_st16(nd + off, (uint16_t)(cbKey - cbPrefix));
    off += BJ_ND_CB_KEYLEN;
    if (cbKey > cbPrefix)
        memcpy(nd + off, key + cbPrefix, cbKey - cbPrefix);
    off += cbKey - cbPrefix;
    if (cbData)
        memcpy(nd + off, data, cbData);
    if (x->large)
        bj_st16(nd, (uint16_t)((bj_ld16(nd) & ~BJ_TAG_FLAGS_MASK) | (flags << BJ_TAG_FLAGS_SHIFT)));
}
static uint32_t node_flags(const pgx *x, uint32_t i)
{
    if (x->large)
        return tag_cb(x, i) >= 2 ? bj_ld16(data_area(x) + tag_ib(x, i)) >> BJ_TAG_FLAGS_SHIFT : 0;
    return bj_ld16(tagp(x, i) + BJ_TAG_IB_IB) >> BJ_TAG_FLAGS_SHIFT;
}
static void set_node_flags(const pgx *x, uint32_t i, uint32_t flags)
{
    uint8_t *p = x->large ? data_area(x) + tag_ib(x, i) : tagp(x, i) + BJ_TAG_IB_IB;
    bj_st16(p, (uint16_t)((bj_ld16(p) & ~BJ_TAG_FLAGS_MASK) | (flags << BJ_TAG_FLAGS_SHIFT)));
}

/* ---- primitive changes (checked by the caller) ---- */

static void do_insert(pgx *x, uint32_t itag, const uint8_t *key, uint32_t cbKey,
                      const uint8_t *data, uint32_t cbData, uint32_t flags)
{
    uint32_t cbPrefix = compress_len(x, key, cbKey);
    uint32_t cbNode = node_size(cbPrefix, cbKey, cbData);
    if (cbPrefix)
        flags |= BJ_ND_COMPRESSED;
    else
        flags &= ~BJ_ND_COMPRESSED;
    if (contig(x, x->ntags + 1) < cbNode)
        compact(x, UINT32_MAX);
    uint32_t ib = ibmic(x), n = x->ntags;
    write_node(x, data_area(x) + ib, cbPrefix, key, cbKey, data, cbData, flags);
    /* tags itag..n-1 move one slot down in memory */
    uint8_t *end = x->pg + x->cbPage;
    memmove(end - BJ_TAG_CB * (n + 1), end - BJ_TAG_CB * n, BJ_TAG_CB * (n - itag));
    uint8_t *t = tagp(x, itag);
    bj_st16(t + BJ_TAG_IB_CB, (uint16_t)cbNode);
    bj_st16(t + BJ_TAG_IB_IB, (uint16_t)(x->large ? ib : (ib | (flags << BJ_TAG_FLAGS_SHIFT))));
    set_counts(x, n + 1, ib + cbNode, cbfree(x) - cbNode - BJ_TAG_CB);
}

static void do_delete(pgx *x, uint32_t itag)
{
    uint32_t cb = tag_cb(x, itag), ib = tag_ib(x, itag), n = x->ntags, mic = ibmic(x);
    if (cb && ib + cb == mic)
        mic = ib;
    uint8_t *end = x->pg + x->cbPage;
    memmove(end - BJ_TAG_CB * (n - 1), end - BJ_TAG_CB * n, BJ_TAG_CB * (n - 1 - itag));
    memset(end - BJ_TAG_CB * n, 0, BJ_TAG_CB);
    set_counts(x, n - 1, mic, cbfree(x) + cb + BJ_TAG_CB);
}

/* Node itag keeps its first cbKeep bytes; the rest becomes tail[0..cbTail). */
static void do_replace_tail(pgx *x, uint32_t itag, uint32_t cbKeep, const uint8_t *tail,
                            uint32_t cbTail)
{
    uint8_t *d = data_area(x);
    uint32_t cbOld = tag_cb(x, itag), ib = tag_ib(x, itag), cbNew = cbKeep + cbTail;
    uint32_t mic = ibmic(x), fr = cbfree(x);
    if (cbNew <= cbOld) {
        if (cbTail)
            memcpy(d + ib + cbKeep, tail, cbTail);
        tag_set(x, itag, cbNew, cbOld ? ib : 0);
        if (cbOld && ib + cbOld == mic)
            mic = ib + cbNew;
        set_counts(x, x->ntags, mic, fr + cbOld - cbNew);
        return;
    }
    uint32_t grow = cbNew - cbOld;
    if (cbOld && ib + cbOld == mic && contig(x, x->ntags) >= grow) {
        /* last node: grow in place */
    } else if (contig(x, x->ntags) >= cbNew) {
        if (cbKeep)
            memmove(d + mic, d + ib, cbKeep);
        ib = mic;
        tag_set(x, itag, cbOld, ib);
        mic += cbOld; /* as if the node had been moved whole, then grown in place below */
        bj_st16(x->pg + BJ_PGHDR_IB_IBMICFREE, (uint16_t)mic);
    } else {
        compact(x, itag);
        mic = ibmic(x);
        ib = mic - cbOld;
        if (cbOld == 0) /* empty tag: place it at the end of the compacted area */
            ib = mic;
    }
    memcpy(d + ib + cbKeep, tail, cbTail);
    tag_set(x, itag, cbNew, ib);
    set_counts(x, x->ntags, ib + cbNew, fr - grow);
}

/* ---- ops ---- */

/* Walks an INSERT_RANGE list; returns node count and total bytes (nodes + tags) or an error. */
static JET_ERR scan_range(const pgx *x, const bj_pgop *op, uint32_t *pn, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    uint32_t off = 0, n = 0, total = 0;
    while (off < op->cbData) {
        if (op->cbData - off < BJ_PGOP_PACKED_HDR)
            ERR(JET_errInvalidParameter);
        const uint8_t *e = op->data + off;
        uint32_t cbKey = bj_ld16(e + 1), cbData = bj_ld16(e + 3);
        if (op->cbData - off - BJ_PGOP_PACKED_HDR < cbKey + cbData)
            ERR(JET_errInvalidParameter);
        if (e[0] & ~(BJ_ND_VERSION | BJ_ND_DELETED) || cbKey > BJ_ND_KEYLEN_MASK)
            ERR(JET_errInvalidParameter);
        uint32_t cbNode = node_size(compress_len(x, e + BJ_PGOP_PACKED_HDR, cbKey), cbKey, cbData);
        if (cbNode > x->mask)
            ERR(JET_errInvalidParameter);
        total += cbNode + BJ_TAG_CB;
        n++;
        off += BJ_PGOP_PACKED_HDR + cbKey + cbData;
    }
    *pn = n;
    *pcb = total;
fail:
    return err;
}

static JET_ERR run(uint8_t *pg, uint32_t cbPage, const bj_pgop *op, bool dry)
{
    JET_ERR err = JET_errSuccess;
    pgx x;
    bj_node nd;
    if (op->kind == BJ_PGOP_INIT) {
        if (!bj_page_size_valid(cbPage))
            ERR(JET_errInvalidParameter);
        uint32_t hdr = bj_page_hdr_size(cbPage);
        if (op->cbData + hdr + BJ_TAG_CB > cbPage || op->cbData > (bj_page_is_large(cbPage) ?
                                                       BJ_TAG_MASK_LARGE : BJ_TAG_MASK_SMALL))
            ERR(JET_errInvalidParameter);
        if (dry)
            goto fail;
        memset(pg, 0, cbPage);
        bj_st32(pg + BJ_PGHDR_IB_PGNOPREV, op->pgnoPrev);
        bj_st32(pg + BJ_PGHDR_IB_PGNONEXT, op->pgnoNext);
        bj_st32(pg + BJ_PGHDR_IB_OBJID, op->objid);
        bj_st32(pg + BJ_PGHDR_IB_FLAGS, op->pageFlags);
        if (bj_page_is_large(cbPage))
            bj_st32(pg + BJ_PGHDR_IB_PGNO, op->pgno);
        if (op->cbData)
            memcpy(pg + hdr, op->data, op->cbData);
        uint8_t *t = pg + cbPage - BJ_TAG_CB;
        bj_st16(t + BJ_TAG_IB_CB, (uint16_t)op->cbData);
        bj_st16(t + BJ_TAG_IB_IB, 0);
        bj_st16(pg + BJ_PGHDR_IB_ITAGSTATE, 1);
        bj_st16(pg + BJ_PGHDR_IB_IBMICFREE, (uint16_t)op->cbData);
        bj_st16(pg + BJ_PGHDR_IB_CBFREE, (uint16_t)(cbPage - hdr - op->cbData - BJ_TAG_CB));
        bj_page_set_dbtime(pg, op->dbtimeAfter);
        goto fail;
    }
    CALL(pre_check(&x, pg, cbPage));
    if (op->dbtimeBefore && bj_page_dbtime(pg) != op->dbtimeBefore)
        ERR(JET_errDbTimeCorrupted);
    switch (op->kind) {
    case BJ_PGOP_INSERT: {
        if (op->itag < 1 || op->itag > x.ntags)
            ERR(JET_errDatabaseCorrupted);
        if (op->nodeFlags & ~(BJ_ND_VERSION | BJ_ND_DELETED) || op->cbKey > BJ_ND_KEYLEN_MASK)
            ERR(JET_errInvalidParameter);
        uint32_t cbNode = node_size(compress_len(&x, op->key, op->cbKey), op->cbKey, op->cbData);
        if (cbNode > x.mask)
            ERR(JET_errInvalidParameter);
        if (x.ntags + 1 > BJ_PG_ITAGMICFREE_MASK || cbfree(&x) < cbNode + BJ_TAG_CB)
            ERR(BJ_errPMOutOfPageSpace);
        if (!dry)
            do_insert(&x, op->itag, op->key, op->cbKey, op->data, op->cbData, op->nodeFlags);
        break;
    }
    case BJ_PGOP_INSERT_RANGE: {
        uint32_t n = 0, total = 0;
        if (op->itag < 1 || op->itag > x.ntags)
            ERR(JET_errDatabaseCorrupted);
        CALL(scan_range(&x, op, &n, &total));
        if (x.ntags + n > BJ_PG_ITAGMICFREE_MASK || cbfree(&x) < total)
            ERR(BJ_errPMOutOfPageSpace);
        if (dry)
            break;
        for (uint32_t off = 0, k = 0; off < op->cbData; k++) {
            const uint8_t *e = op->data + off;
            uint32_t cbKey = bj_ld16(e + 1), cbData = bj_ld16(e + 3);
            do_insert(&x, op->itag + k, e + BJ_PGOP_PACKED_HDR, cbKey,
                      e + BJ_PGOP_PACKED_HDR + cbKey, cbData, e[0]);
            off += BJ_PGOP_PACKED_HDR + cbKey + cbData;
        }
        break;
    }
    case BJ_PGOP_REPLACE: {
        CALL(bj_page_get_node(pg, cbPage, op->itag, &nd));
        uint32_t cbKeep = tag_cb(&x, op->itag) - nd.cbData;
        if (cbKeep + op->cbData > x.mask)
            ERR(JET_errInvalidParameter);
        if (op->cbData > nd.cbData && cbfree(&x) < op->cbData - nd.cbData)
            ERR(BJ_errPMOutOfPageSpace);
        if (!dry)
            do_replace_tail(&x, op->itag, cbKeep, op->data, op->cbData);
        break;
    }
    case BJ_PGOP_DELETE:
        CALL(bj_page_get_node(pg, cbPage, op->itag, &nd));
        if (!dry)
            do_delete(&x, op->itag);
        break;
    case BJ_PGOP_DELETE_RANGE:
        if (op->itag < 1 || op->count > x.ntags || op->itag > x.ntags - op->count)
            ERR(JET_errDatabaseCorrupted);
        for (uint32_t k = 0; k < op->count; k++)
            CALL(bj_page_get_node(pg, cbPage, op->itag + k, &nd));
        for (uint32_t k = 0; !dry && k < op->count; k++)
            do_delete(&x, op->itag);
        break;
    case BJ_PGOP_FLAGS: {
        CALL(bj_page_get_node(pg, cbPage, op->itag, &nd));
        uint32_t allowed = BJ_ND_VERSION | BJ_ND_DELETED;
        if ((op->flagsSet | op->flagsClear) & ~allowed)
            ERR(JET_errInvalidParameter);
        if (!dry)
            set_node_flags(&x, op->itag,
                           (node_flags(&x, op->itag) | op->flagsSet) & ~(uint32_t)op->flagsClear);
        break;
    }
    case BJ_PGOP_DELTA: {
        CALL(bj_page_get_node(pg, cbPage, op->itag, &nd));
        if (op->cbDelta != 4 && op->cbDelta != 8)
            ERR(JET_errInvalidParameter);
        if (op->ibDelta > nd.cbData || nd.cbData - op->ibDelta < op->cbDelta)
            ERR(JET_errDatabaseCorrupted);
        if (dry)
            break;
        uint8_t *p = (uint8_t *)nd.data + op->ibDelta;
        if (op->cbDelta == 4)
            bj_st32(p, bj_ld32(p) + (uint32_t)op->delta);
        else
            bj_st64(p, bj_ld64(p) + (uint64_t)op->delta);
        break;
    }
    case BJ_PGOP_EXTHDR: {
        if (op->cbData > x.mask)
            ERR(JET_errInvalidParameter);
        uint32_t cb0 = tag_cb(&x, 0);
        if (op->cbData > cb0 && cbfree(&x) < op->cbData - cb0)
            ERR(BJ_errPMOutOfPageSpace);
        if (!(bj_page_flags(pg) & BJ_PGF_ROOT)) {
            /* ESE: every compressed node's prefix must stay inside the new TAG 0 */
            for (uint32_t i = 1; i < x.ntags; i++) {
                CALL(bj_page_get_node(pg, cbPage, i, &nd));
                if (nd.cbPrefix > op->cbData)
                    ERR(JET_errDatabaseCorrupted);
            }
        }
        if (!dry)
            do_replace_tail(&x, 0, 0, op->data, op->cbData);
        break;
    }
    case BJ_PGOP_LINKS:
        if (op->linkMask & ~(BJ_PGOP_LINK_PREV | BJ_PGOP_LINK_NEXT | BJ_PGOP_LINK_FLAGS |
                             BJ_PGOP_LINK_OBJID))
            ERR(JET_errInvalidParameter);
        if (dry)
            break;
        if (op->linkMask & BJ_PGOP_LINK_PREV)
            bj_st32(pg + BJ_PGHDR_IB_PGNOPREV, op->pgnoPrev);
        if (op->linkMask & BJ_PGOP_LINK_NEXT)
            bj_st32(pg + BJ_PGHDR_IB_PGNONEXT, op->pgnoNext);
        if (op->linkMask & BJ_PGOP_LINK_FLAGS)
            bj_st32(pg + BJ_PGHDR_IB_FLAGS, op->pageFlags);
        if (op->linkMask & BJ_PGOP_LINK_OBJID)
            bj_st32(pg + BJ_PGHDR_IB_OBJID, op->objid);
        break;
    default:
        ERR(JET_errInvalidParameter);
    }
    if (!dry)
        bj_page_set_dbtime(pg, op->dbtimeAfter);
fail:
    return err;
}

JET_ERR bj_page_apply(uint8_t *pg, uint32_t cbPage, const bj_pgop *op)
{
    JET_ERR err = JET_errSuccess;
    CALL(run(pg, cbPage, op, true));
    CALL(run(pg, cbPage, op, false));
fail:
    return err;
}

JET_ERR bj_pgop_fits(const uint8_t *pg, uint32_t cbPage, const bj_pgop *op)
{
    /* dry runs only read the page */
    return run((uint8_t *)pg, cbPage, op, true);
}

uint32_t bj_pgop_pack_node(uint8_t *buf, uint32_t cap, uint8_t flags, const uint8_t *key,
                           uint32_t cbKey, const uint8_t *data, uint32_t cbData)
{
    uint32_t n = BJ_PGOP_PACKED_HDR + cbKey + cbData;
    if (n > cap || cbKey > 0xffff || cbData > 0xffff)
        return 0;
    buf[0] = flags;
    bj_st16(buf + 1, (uint16_t)cbKey);
    bj_st16(buf + 3, (uint16_t)cbData);
    if (cbKey)
        memcpy(buf + BJ_PGOP_PACKED_HDR, key, cbKey);
    if (cbData)
        memcpy(buf + BJ_PGOP_PACKED_HDR + cbKey, data, cbData);
    return n;
}

/* ---- log-record body: fixed part, then key, then data ---- */
enum {
    E_KIND = 0, E_NODEFLAGS = 1, E_FSET = 2, E_FCLEAR = 3, E_CBDELTA = 4, /* 5..7 zero */
    E_PGNO = 8, E_DBTBEFORE = 12, E_DBTAFTER = 20, E_ITAG = 28, E_COUNT = 32, E_IBDELTA = 36,
    E_DELTA = 40, E_LINKMASK = 48, E_OBJID = 52, E_PAGEFLAGS = 56, E_PREV = 60, E_NEXT = 64,
    E_CBKEY = 68, E_CBDATA = 72, E_FIXED = 76
};

uint32_t bj_pgop_encoded_size(const bj_pgop *op)
{
    return E_FIXED + op->cbKey + op->cbData;
}

uint32_t bj_pgop_encode(const bj_pgop *op, uint8_t *buf, uint32_t cap)
{
    uint32_t n = bj_pgop_encoded_size(op);
    if (n > cap)
        return 0;
    memset(buf, 0, E_FIXED);
    buf[E_KIND] = op->kind;
    buf[E_NODEFLAGS] = op->nodeFlags;
    buf[E_FSET] = op->flagsSet;
    buf[E_FCLEAR] = op->flagsClear;
    buf[E_CBDELTA] = op->cbDelta;
    bj_st32(buf + E_PGNO, op->pgno);
    bj_st64(buf + E_DBTBEFORE, op->dbtimeBefore);
    bj_st64(buf + E_DBTAFTER, op->dbtimeAfter);
    bj_st32(buf + E_ITAG, op->itag);
    bj_st32(buf + E_COUNT, op->count);
    bj_st32(buf + E_IBDELTA, op->ibDelta);
    bj_st64(buf + E_DELTA, (uint64_t)op->delta);
    bj_st32(buf + E_LINKMASK, op->linkMask);
    bj_st32(buf + E_OBJID, op->objid);
    bj_st32(buf + E_PAGEFLAGS, op->pageFlags);
    bj_st32(buf + E_PREV, op->pgnoPrev);
    bj_st32(buf + E_NEXT, op->pgnoNext);
    bj_st32(buf + E_CBKEY, op->cbKey);
    bj_st32(buf + E_CBDATA, op->cbData);
    if (op->cbKey)
        memcpy(buf + E_FIXED, op->key, op->cbKey);
    if (op->cbData)
        memcpy(buf + E_FIXED + op->cbKey, op->data, op->cbData);
    return n;
}

JET_ERR bj_pgop_decode(const uint8_t *buf, uint32_t cb, bj_pgop *out)
{
    JET_ERR err = JET_errSuccess;
    if (cb < E_FIXED)
        ERR(JET_errDatabaseCorrupted);
    memset(out, 0, sizeof(*out));
    out->kind = buf[E_KIND];
    out->nodeFlags = buf[E_NODEFLAGS];
    out->flagsSet = buf[E_FSET];
    out->flagsClear = buf[E_FCLEAR];
    out->cbDelta = buf[E_CBDELTA];
    out->pgno = bj_ld32(buf + E_PGNO);
    out->dbtimeBefore = bj_ld64(buf + E_DBTBEFORE);
    out->dbtimeAfter = bj_ld64(buf + E_DBTAFTER);
    out->itag = bj_ld32(buf + E_ITAG);
    out->count = bj_ld32(buf + E_COUNT);
    out->ibDelta = bj_ld32(buf + E_IBDELTA);
    out->delta = (int64_t)bj_ld64(buf + E_DELTA);
    out->linkMask = bj_ld32(buf + E_LINKMASK);
    out->objid = bj_ld32(buf + E_OBJID);
    out->pageFlags = bj_ld32(buf + E_PAGEFLAGS);
    out->pgnoPrev = bj_ld32(buf + E_PREV);
    out->pgnoNext = bj_ld32(buf + E_NEXT);
    out->cbKey = bj_ld32(buf + E_CBKEY);
    out->cbData = bj_ld32(buf + E_CBDATA);
    if (out->kind < BJ_PGOP_INIT || out->kind > BJ_PGOP_INSERT_RANGE)
        ERR(JET_errDatabaseCorrupted);
    if (out->cbKey > cb - E_FIXED || out->cbData > cb - E_FIXED - out->cbKey ||
        E_FIXED + out->cbKey + out->cbData != cb)
        ERR(JET_errDatabaseCorrupted);
    out->key = out->cbKey ? buf + E_FIXED : NULL;
    out->data = out->cbData ? buf + E_FIXED + out->cbKey : NULL;
fail:
    return err;
}
