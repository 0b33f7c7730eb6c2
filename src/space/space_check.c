/* space_check.c: bj_space_check, the read-only ownership checker (ESE's space checks of
 * esentutl /g and repair: every page owned exactly once down the FDP hierarchy, available space
 * owned and unused, used pages owned).
 *
 * It reads pages through the buffer cache with shared latches only and takes no space mutex:
 * run it on a quiescent database. Per page it keeps the deepest FDP that owns it (owner), and
 * whether it is available and whether a tree uses it. FDPs are processed parents first.
 * Flag-deleted space-tree nodes (ESE removes them at version cleanup) are not extents; AE nodes
 * of the shelved pool (space beyond the end of the file) are ignored.
 */
#include <stdio.h>
#include <string.h>

#include "buf/buf.h"
#include "page/page.h"
#include "space/space_int.h"

typedef struct ck_fdp {
    uint32_t pgno;
    bool ok;
    bj_sph h;
    int parent; /* index, -1 for the DB root */
    int depth;
} ck_fdp;

typedef struct ck {
    bj_bt_dbctx *dbc;
    bj_space_report_fn fn;
    void *ctx;
    uint32_t n;     /* pages in the file */
    int *owner;     /* by pgno: index + 1 of the deepest owning FDP, 0 none */
    uint8_t *avail; /* by pgno */
    uint8_t *used;  /* by pgno */
    ck_fdp *f;
    uint32_t cf;
    int cur;       /* FDP being walked (page callbacks) */
    JET_ERR first; /* first fault's error */
    bj_space_check_stats st;
} ck;

static void ck_fault(ck *c, JET_ERR e, uint32_t pgno, const char *fmt, uint32_t a, uint32_t b)
{
    char msg[200];
    snprintf(msg, sizeof(msg), fmt, a, b);
    if (c->fn)
        c->fn(c->ctx, pgno, msg);
    if (c->first == JET_errSuccess)
        c->first = BJ_ERR(e);
    c->st.cFaults++;
}

static JET_ERR ck_header(ck *c, ck_fdp *x)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    const uint8_t *p;
    uint32_t cb;
    if (x->pgno == 0 || x->pgno > c->n)
        ERR(JET_errSPOwnExtCorrupted);
    CALL(bj_buf_get(c->dbc->db, x->pgno, BJ_LATCH_SHARED, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    if (!(bj_page_flags(pg) & BJ_PGF_ROOT) || (bj_page_flags(pg) & BJ_BT_SPACE_TREE))
        ERR(JET_errSPOwnExtCorrupted);
    CALL(bj_page_get_ext_header(pg, c->dbc->cbPage, &p, &cb));
    int off = bj_sph_offset(p, cb);
    if (off < 0)
        ERR(JET_errSPOwnExtCorrupted);
    bj_sph_decode(p + off, &x->h);
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

typedef JET_ERR (*ck_ext_fn)(ck *c, int ix, uint32_t first, uint32_t cpg);

/* Calls fn for every general-pool extent of the space tree at pgnoTree. */
static JET_ERR ck_tree_extents(ck *c, int ix, uint32_t pgnoTree, bool ae, ck_ext_fn fn)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree t;
    bj_bt_cursor cur;
    bool topen = false, copen = false;
    uint32_t prevLast = 0;
    CALL(bj_bt_open(&t, c->dbc, pgnoTree, 0, ~0u, NULL));
    topen = true;
    if (!(t.flags & BJ_BT_SPACE_TREE))
        ERR(ae ? JET_errSPAvailExtCorrupted : JET_errSPOwnExtCorrupted);
    CALL(bj_bt_cursor_open(&t, true, &cur));
    copen = true;
    for (err = bj_bt_move_first(&cur); err >= 0; err = bj_bt_move_next(&cur)) {
        const uint8_t *k, *d;
        uint32_t cbk = 0, cbd = 0, last = 0, cpg = 0, pool = 0;
        CALL(bj_bt_get(&cur, &k, &cbk, &d, &cbd, NULL));
        err = bj_spnode_decode(k, cbk, d, cbd, &last, &cpg, &pool);
        if (err < 0) {
            ck_fault(c, ae ? JET_errSPAvailExtCorrupted : JET_errSPOwnExtCorrupted, pgnoTree,
                     "space tree node with a bad key/count (FDP %u)", c->f[ix].pgno, 0);
            err = JET_errSuccess;
            continue;
        }
        if (pool == BJ_SPPOOL_SHELVED)
            continue;
        if (pool == BJ_SPPOOL_GENERAL && last - cpg + 1 <= prevLast)
            ck_fault(c, ae ? JET_errSPAvailExtCorrupted : JET_errSPOwnExtCorrupted, pgnoTree,
                     "extents overlap (ending at %u and %u)", prevLast, last);
        if (pool == BJ_SPPOOL_GENERAL)
            prevLast = last;
        CALL(fn(c, ix, last - cpg + 1, cpg));
    }
    if (err == JET_errRecordNotFound || err == JET_errNoCurrentRecord)
        err = JET_errSuccess;
fail:
    if (copen)
        bj_bt_cursor_close(&cur);
    if (topen)
        bj_bt_close(&t);
    return err;
}

static JET_ERR ck_own(ck *c, int ix, uint32_t first, uint32_t cpg)
{
    int par = c->f[ix].parent;
    for (uint64_t p = first; p < (uint64_t)first + cpg; p++) {
        if (p > c->n) {
            ck_fault(c, JET_errSPOwnExtCorrupted, (uint32_t)p,
                     "FDP %u owns a page beyond the end of the file (%u pages)", c->f[ix].pgno,
                     c->n);
            return JET_errSuccess;
        }
        int o = c->owner[p] - 1;
        if (o != par) {
            if (par < 0)
                ck_fault(c, JET_errSPOwnExtCorrupted, (uint32_t)p, "DB root owns the page twice", 0,
                         0);
            else if (o < 0 || c->f[o].depth < c->f[ix].depth - 1)
                ck_fault(c, JET_errSPOwnExtCorrupted, (uint32_t)p,
                         "FDP %u owns a page its parent %u does not own", c->f[ix].pgno,
                         c->f[par].pgno);
            else
                ck_fault(c, JET_errSPOwnExtCorrupted, (uint32_t)p,
                         "FDP %u owns a page FDP %u owns too", c->f[ix].pgno, c->f[o].pgno);
            continue;
        }
        c->owner[p] = ix + 1;
    }
    return JET_errSuccess;
}

static JET_ERR ck_avail(ck *c, int ix, uint32_t first, uint32_t cpg)
{
    for (uint64_t p = first; p < (uint64_t)first + cpg; p++) {
        if (p > c->n) { /* once: an extent may reach 2^32 pages past the end */
            ck_fault(c, JET_errSPAvailExtCorrupted, (uint32_t)p,
                     "page available in FDP %u is beyond the end of the file (%u pages)",
                     c->f[ix].pgno, c->n);
            return JET_errSuccess;
        }
        if (c->owner[p] - 1 != ix) {
            ck_fault(c, JET_errSPAvailExtCorrupted, (uint32_t)p,
                     "page available in FDP %u is not owned by it (or was given to a child)",
                     c->f[ix].pgno, 0);
            continue;
        }
        if (c->avail[p])
            ck_fault(c, JET_errSPAvailExtCorrupted, (uint32_t)p, "page available twice (FDP %u)",
                     c->f[ix].pgno, 0);
        c->avail[p] = 1;
    }
    return JET_errSuccess;
}

static JET_ERR ck_page(void *ctx, uint32_t pgno, uint32_t pageflags)
{
    ck *c = ctx;
    int ix = c->cur;
    BJ_UNUSED(pageflags);
    if (pgno == 0 || pgno > c->n) {
        ck_fault(c, JET_errDatabaseCorrupted, pgno, "tree of FDP %u uses a page beyond the file",
                 c->f[ix].pgno, 0);
        return JET_errSuccess;
    }
    if (c->owner[pgno] - 1 != ix) {
        int o = c->owner[pgno] - 1;
        ck_fault(c, JET_errDatabaseCorrupted, pgno,
                 "page used by the tree of FDP %u is owned by FDP %u", c->f[ix].pgno,
                 o < 0 ? 0 : c->f[o].pgno);
    }
    if (c->avail[pgno])
        ck_fault(c, JET_errSPAvailExtCorrupted, pgno,
                 "page used by the tree of FDP %u is available", c->f[ix].pgno, 0);
    if (c->used[pgno])
        ck_fault(c, JET_errDatabaseCorrupted, pgno, "page used twice (FDP %u)", c->f[ix].pgno, 0);
    c->used[pgno] = 1;
    return JET_errSuccess;
}

static JET_ERR ck_walk(ck *c, int ix, uint32_t pgnoRoot)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree t;
    bool open = false;
    c->cur = ix;
    CALL(bj_bt_open(&t, c->dbc, pgnoRoot, 0, ~0u, NULL));
    open = true;
    CALL(bj_bt_walk_pages(&t, ck_page, c));
fail:
    if (open)
        bj_bt_close(&t);
    if (err < 0 && err != JET_errOutOfMemory) {
        ck_fault(c, JET_errDatabaseCorrupted, pgnoRoot, "tree of FDP %u cannot be walked (%d)",
                 c->f[ix].pgno, (uint32_t)err);
        err = JET_errSuccess;
    }
    return err;
}

static int ck_find(const ck *c, uint32_t pgno)
{
    for (uint32_t i = 0; i < c->cf; i++)
        if (c->f[i].pgno == pgno)
            return (int)i;
    return -1;
}

JET_ERR bj_space_check(bj_bt_dbctx *dbc, const uint32_t *fdps, uint32_t cfdp, bj_space_report_fn fn,
                       void *ctx, bj_space_check_stats *st)
{
    JET_ERR err = JET_errSuccess;
    ck c = {.dbc = dbc, .fn = fn, .ctx = ctx};
    int *order = NULL;
    c.n = bj_buf_db_size(dbc->db);
    c.owner = bj_calloc((size_t)c.n + 1, sizeof(int));
    c.avail = bj_calloc((size_t)c.n + 1, 1);
    c.used = bj_calloc((size_t)c.n + 1, 1);
    c.f = bj_calloc((size_t)cfdp + 1, sizeof(ck_fdp));
    order = bj_calloc((size_t)cfdp + 1, sizeof(int));
    if (!c.owner || !c.avail || !c.used || !c.f || !order)
        ERR(JET_errOutOfMemory);
    c.f[c.cf++].pgno = BJ_PGNO_SYSTEM_ROOT;
    for (uint32_t i = 0; i < cfdp; i++)
        if (ck_find(&c, fdps[i]) < 0)
            c.f[c.cf++].pgno = fdps[i];
    /* headers and the hierarchy */
    for (uint32_t i = 0; i < c.cf; i++) {
        ck_fdp *x = &c.f[i];
        x->ok = ck_header(&c, x) >= 0;
        if (!x->ok) {
            ck_fault(&c, JET_errSPOwnExtCorrupted, x->pgno, "FDP %u: no valid space header",
                     x->pgno, 0);
            continue;
        }
        if ((i == 0) != (x->h.pgnoParent == 0)) {
            ck_fault(&c, JET_errSPOwnExtCorrupted, x->pgno, "FDP %u: bad parent %u", x->pgno,
                     x->h.pgnoParent);
            x->ok = false;
        }
    }
    if (!c.f[0].ok || !(c.f[0].h.flags & BJ_SPH_MULTI)) {
        ck_fault(&c, JET_errSPOwnExtCorrupted, 1, "DB root is not a multi-extent FDP", 0, 0);
        goto done;
    }
    c.f[0].parent = -1;
    for (uint32_t i = 1; i < c.cf; i++) {
        ck_fdp *x = &c.f[i];
        if (!x->ok)
            continue;
        x->parent = ck_find(&c, x->h.pgnoParent);
        if (x->parent < 0 || !c.f[x->parent].ok) {
            ck_fault(&c, JET_errSPOwnExtCorrupted, x->pgno, "FDP %u: parent %u is not a known FDP",
                     x->pgno, x->h.pgnoParent);
            x->ok = false;
        }
    }
    for (uint32_t i = 1; i < c.cf; i++) {
        int d = 0, j = (int)i;
        while (j > 0 && c.f[j].ok && d <= (int)c.cf) {
            j = c.f[j].parent;
            d++;
        }
        if (j != 0) {
            if (c.f[i].ok)
                ck_fault(&c, JET_errSPOwnExtCorrupted, c.f[i].pgno, "FDP %u: broken parent chain",
                         c.f[i].pgno, 0);
            c.f[i].ok = false;
        }
        c.f[i].depth = d;
    }
    uint32_t co = 0;
    for (int d = 0; d <= (int)c.cf; d++)
        for (uint32_t i = 0; i < c.cf; i++)
            if (c.f[i].ok && c.f[i].depth == d)
                order[co++] = (int)i;
    /* ownership, parents first */
    for (uint32_t k = 0; k < co; k++) {
        int ix = order[k];
        ck_fdp *x = &c.f[ix];
        if (x->h.flags & BJ_SPH_MULTI)
            CALL(ck_tree_extents(&c, ix, x->h.bitmapOrOE, false, ck_own));
        else
            CALL(ck_own(&c, ix, x->pgno, x->h.cpg < 33 ? x->h.cpg : 33));
    }
    /* availability */
    for (uint32_t k = 0; k < co; k++) {
        int ix = order[k];
        ck_fdp *x = &c.f[ix];
        if (x->h.flags & BJ_SPH_MULTI) {
            CALL(ck_tree_extents(&c, ix, x->h.bitmapOrOE + 1, true, ck_avail));
        } else {
            uint32_t nb = (x->h.cpg < 33 ? x->h.cpg : 33) - 1;
            for (uint32_t b = 0; b < 32; b++)
                if (x->h.bitmapOrOE & (1u << b)) {
                    if (b >= nb)
                        ck_fault(&c, JET_errSPAvailExtCorrupted, x->pgno,
                                 "FDP %u: bitmap bit %u beyond its primary extent", x->pgno, b);
                    else
                        CALL(ck_avail(&c, ix, x->pgno + 1 + b, 1));
                }
        }
    }
    /* use */
    for (uint32_t k = 0; k < co; k++) {
        int ix = order[k];
        ck_fdp *x = &c.f[ix];
        if (ix != 0)
            CALL(ck_walk(&c, ix, x->pgno));
        else {
            c.cur = 0;
            CALL(ck_page(&c, 1, 0));
        }
        if (x->h.flags & BJ_SPH_MULTI) {
            CALL(ck_walk(&c, ix, x->h.bitmapOrOE));
            CALL(ck_walk(&c, ix, x->h.bitmapOrOE + 1));
        }
    }
    /* totals */
    uint32_t lastOwned = 0;
    for (uint32_t p = 1; p <= c.n; p++)
        if (c.owner[p])
            lastOwned = p;
    for (uint32_t p = 1; p <= c.n; p++) {
        if (c.owner[p])
            c.st.cpgOwned++;
        else if (p < lastOwned)
            ck_fault(&c, JET_errSPOwnExtCorrupted, p, "page %u is owned by no FDP", p, 0);
        c.st.cpgAvail += c.avail[p];
        c.st.cpgUsed += c.used[p];
        if (c.owner[p] && !c.avail[p] && !c.used[p])
            c.st.cpgLeaked++;
    }
    c.st.cpgUnownedTail = c.n - lastOwned;
done:
    err = c.first;
fail:
    c.st.cpgFile = c.n;
    if (st)
        *st = c.st;
    bj_free(c.owner);
    bj_free(c.avail);
    bj_free(c.used);
    bj_free(c.f);
    bj_free(order);
    return err;
}
