/* space.c: FDP handles, allocation and freeing of pages and extents, single -> multi-extent
 * conversion, file growth, whole-FDP release (ESE space.cxx: ErrSPGetPage, ErrSPGetExt,
 * ErrSPFreeExt, ErrSPFreeFDP, ErrSPIConvertToMultipleExtent).
 *
 * Invariants (at rest, i.e. whenever no FDP mutex is held):
 *  - a multi-extent FDP's OE lists its owned extents, its AE the free sub-extents of them; an
 *    AE extent never crosses an OE extent boundary (neighbours merge only inside one);
 *  - a single-extent FDP owns pgnoFDP .. pgnoFDP + cpgPrimary - 1 (at most 33 pages), bit k of
 *    its bitmap set <=> page pgnoFDP + 1 + k is available;
 *  - every page of a child FDP is owned by the parent and not available in the parent;
 *  - pendOE / pendAE are empty.
 *
 * Recursion (space trees need pages to split): a space-tree split of FDP X calls X's
 * space-tree allocator while X's mutex is held by the same thread. That allocator never
 * touches X's own trees (they are mid-split): it takes a page from X's in-memory reserve
 * pendAE, else it gets a small extent (4 pages) from X's parent (the parent's mutex, upward in
 * the lock order), or, for the DB root, grows the file by the extension size. The new extent
 * is remembered in pendOE (owned) and the rest of it in pendAE (available, the reserve that
 * serves further splits); pages a space tree releases go to pendAE as well. Before X's mutex
 * is released, sp_drain writes pendOE into the OE tree and pendAE into the AE tree (which can
 * split again and refill the lists: the loop runs until both are empty; each split consumes
 * the reserve first, so it converges). This is ESE's SPLIT_BUFFER idea kept in memory: the
 * SPLIT_BUFFER in TAG 0 of our space-tree roots stays zero. Without a log, a crash between a
 * space-tree split and the drain leaks at most those pages (the checker counts leaks).
 */
#include "space/space_int.h"

#include <string.h>

#include "buf/buf.h"
#include "page/page.h"
#include "page/pgop.h"

#define SP_CPG_SMALL_FDP 16u  /* cpgSmallFDP */
#define SP_CPG_SMALL_GROW 4u  /* cpgSmallGrow */
#define SP_CPG_SE_DEFAULT 16u /* cpageSEDefault */
#define SP_SEC_FRAC 4u        /* cSecFrac */
#define SP_CPG_CONVERT 2u     /* cpgMultipleExtentConvert: OE + AE roots */
#define SP_CPG_TREE_GROW 4u   /* pages a space tree takes from the parent at once */
#define SP_SINGLE_MAX (BJ_SPH_BITMAP_BITS + 1u)

uint32_t bj_space_cpg_shadow(uint32_t cbPage)
{
    return cbPage <= 2048 ? 6u : 5u;
}

/* ---- small helpers ---- */

static JET_ERR sp_push(sp_extlist *l, uint32_t first, uint32_t cpg)
{
    if (cpg == 0)
        return JET_errSuccess;
    if (l->n == l->cap) {
        uint32_t cap = l->cap * 2 + 8;
        sp_ext *a = bj_realloc(l->a, cap * sizeof(*a));
        if (!a)
            return BJ_ERR(JET_errOutOfMemory);
        l->a = a;
        l->cap = cap;
    }
    l->a[l->n++] = (sp_ext){first, cpg};
    return JET_errSuccess;
}

static uint32_t sp_kind(uint32_t btflags)
{
    return btflags & (BJ_BT_INDEX | BJ_BT_LONG_VALUE | BJ_BT_NON_UNIQUE);
}

static JET_ERR sph_read(bj_space_fdp *f, bj_sph *h)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    const uint8_t *p;
    uint32_t cb;
    CALL(bj_buf_get(f->sdb->dbc->db, f->pgno, BJ_LATCH_SHARED, &fr));
    CALL(bj_page_get_ext_header(bj_frame_data(fr), f->sdb->cbPage, &p, &cb));
    int off = bj_sph_offset(p, cb);
    if (off < 0)
        ERR(JET_errSPOwnExtCorrupted);
    bj_sph_decode(p + off, h);
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

static JET_ERR sph_write(bj_space_fdp *f, const bj_sph *h)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    uint8_t b[64];
    const uint8_t *p;
    uint32_t cb;
    CALL(bj_buf_get(f->sdb->dbc->db, f->pgno, BJ_LATCH_EXCLUSIVE, &fr));
    CALL(bj_page_get_ext_header(bj_frame_data(fr), f->sdb->cbPage, &p, &cb));
    int off = bj_sph_offset(p, cb);
    if (off < 0 || cb > sizeof(b))
        ERR(JET_errSPOwnExtCorrupted);
    memcpy(b, p, cb); /* keeps the other fields of a field-list header */
    bj_sph_encode(h, b + off);
    bj_pgop op = {.kind = BJ_PGOP_EXTHDR, .data = b, .cbData = cb};
    CALL(bj_bt_apply(&f->self, fr, &op));
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* ---- space-tree node access ---- */

typedef struct sp_node {
    uint8_t key[BJ_SPKEY_POOL];
    uint32_t cbKey;
    uint32_t last, cpg, pool;
} sp_node;

/* First general-pool node with last >= pgno (mode GE) or last <= pgno (mode LE). *pfound. */
static JET_ERR sp_find(bj_bt_tree *t, uint32_t pgno, bj_bt_seek_mode mode, sp_node *n, bool *pfound)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_cursor c;
    bool open = false;
    uint8_t k[4];
    *pfound = false;
    bj_st32be(k, pgno);
    CALL(bj_bt_cursor_open(t, true, &c));
    open = true;
    err = bj_bt_seek(&c, k, 4, mode);
    for (;;) {
        if (err == JET_errRecordNotFound || err == JET_errNoCurrentRecord) {
            err = JET_errSuccess;
            goto fail;
        }
        CALL(err);
        const uint8_t *key, *data;
        uint32_t cbKey, cbData;
        CALL(bj_bt_get(&c, &key, &cbKey, &data, &cbData, NULL));
        CALL(bj_spnode_decode(key, cbKey, data, cbData, &n->last, &n->cpg, &n->pool));
        if (n->pool == BJ_SPPOOL_GENERAL) {
            memcpy(n->key, key, cbKey);
            n->cbKey = cbKey;
            *pfound = true;
            goto fail;
        }
        err = mode == BJ_BT_SEEK_LE ? bj_bt_move_prev(&c) : bj_bt_move_next(&c);
    }
fail:
    if (open)
        bj_bt_cursor_close(&c);
    return err;
}

/* Inserts (last, cpg); a flag-deleted node with that key (ESE leaves them until version
 * cleanup) is reused. */
static JET_ERR sp_insert(bj_bt_tree *t, uint32_t last, uint32_t cpg)
{
    JET_ERR err = JET_errSuccess;
    uint8_t k[4], d[4];
    bj_st32be(k, last);
    bj_st32(d, cpg);
    err = bj_bt_insert(t, k, 4, d, 4, 0);
    if (err == JET_errRecordDeleted) {
        err = JET_errSuccess;
        CALL(bj_bt_replace(t, k, 4, d, 4));
        CALL(bj_bt_set_flags(t, k, 4, 0));
    } else if (err == JET_errKeyDuplicate) {
        ERR(t->flags & BJ_BT_SPACE_TREE ? JET_errSPAvailExtCorrupted : err);
    }
    CALL(err);
fail:
    return err;
}

static JET_ERR sp_set_count(bj_bt_tree *t, const sp_node *n, uint32_t cpg)
{
    uint8_t d[4];
    bj_st32(d, cpg);
    return bj_bt_replace(t, n->key, n->cbKey, d, 4);
}

/* ---- FDP handles ---- */

static void sp_fdp_free(bj_space_fdp *f)
{
    if (f->treesOpen) {
        bj_bt_close(&f->oe);
        bj_bt_close(&f->ae);
    }
    if (f->selfOpen)
        bj_bt_close(&f->self);
    bj_mutex_destroy(&f->mu);
    bj_free(f->pendOE.a);
    bj_free(f->pendAE.a);
    bj_free(f);
}

static void sp_fdp_release_locked(bj_space_fdp *f)
{
    while (f && --f->refs == 0) {
        bj_space_db *sdb = f->sdb;
        bj_space_fdp **pp = &sdb->list;
        while (*pp != f)
            pp = &(*pp)->next;
        *pp = f->next;
        bj_space_fdp *parent = f->parent;
        sp_fdp_free(f);
        f = parent;
    }
}

static JET_ERR sp_fdp_open_locked(bj_space_db *sdb, uint32_t pgno, int depth, bj_space_fdp **out)
{
    JET_ERR err = JET_errSuccess;
    bj_space_fdp *f = NULL;
    *out = NULL;
    if (depth > 8 || pgno == 0)
        ERR(JET_errSPOwnExtCorrupted);
    for (bj_space_fdp *g = sdb->list; g; g = g->next)
        if (g->pgno == pgno) {
            g->refs++;
            *out = g;
            return JET_errSuccess;
        }
    f = bj_calloc(1, sizeof(*f));
    if (!f)
        ERR(JET_errOutOfMemory);
    f->sdb = sdb;
    f->pgno = pgno;
    bj_mutex_init(&f->mu);
    CALL(bj_bt_open(&f->self, sdb->dbc, pgno, 0, ~0u, NULL));
    f->selfOpen = true;
    f->objid = f->self.objid;
    f->btflags = f->self.flags;
    if (f->btflags & BJ_BT_SPACE_TREE)
        ERR(JET_errSPOwnExtCorrupted);
    bj_sph h = {0};
    CALL(sph_read(f, &h));
    if ((pgno == BJ_PGNO_SYSTEM_ROOT) != (h.pgnoParent == 0) || h.pgnoParent == pgno)
        ERR(JET_errSPOwnExtCorrupted);
    if (h.pgnoParent)
        CALL(sp_fdp_open_locked(sdb, h.pgnoParent, depth + 1, &f->parent));
    f->refs = 1;
    f->next = sdb->list;
    sdb->list = f;
    *out = f;
    return JET_errSuccess;
fail:
    if (f) {
        if (f->parent)
            sp_fdp_release_locked(f->parent);
        sp_fdp_free(f);
    }
    return err;
}

JET_ERR bj_space_fdp_open(bj_space_db *sdb, uint32_t pgnoFDP, bj_space_fdp **out)
{
    bj_mutex_lock(&sdb->mu);
    JET_ERR err = sp_fdp_open_locked(sdb, pgnoFDP, 0, out);
    bj_mutex_unlock(&sdb->mu);
    return err;
}

void bj_space_fdp_close(bj_space_fdp *f)
{
    if (!f)
        return;
    bj_space_db *sdb = f->sdb;
    bj_mutex_lock(&sdb->mu);
    sp_fdp_release_locked(f);
    bj_mutex_unlock(&sdb->mu);
}

uint32_t bj_space_fdp_pgno(const bj_space_fdp *f)
{
    return f->pgno;
}

static JET_ERR sp_tree_alloc(void *ctx, bj_bt_tree *t, uint32_t near, uint32_t *ppgno);
static JET_ERR sp_tree_release(void *ctx, bj_bt_tree *t, uint32_t pgno);

/* Opens the OE/AE handles of a multi-extent FDP (f->mu held). */
static JET_ERR sp_trees(bj_space_fdp *f, const bj_sph *h)
{
    JET_ERR err = JET_errSuccess;
    if (f->treesOpen)
        return JET_errSuccess;
    if (!(h->flags & BJ_SPH_MULTI) || h->bitmapOrOE == 0 || h->bitmapOrOE == f->pgno)
        ERR(JET_errSPOwnExtCorrupted);
    bj_bt_alloc a = {sp_tree_alloc, sp_tree_release, f};
    uint32_t fl = BJ_BT_SPACE_TREE | sp_kind(f->btflags);
    CALL(bj_bt_open(&f->oe, f->sdb->dbc, h->bitmapOrOE, f->objid, fl, &a));
    err = bj_bt_open(&f->ae, f->sdb->dbc, h->bitmapOrOE + 1, f->objid, fl, &a);
    if (err < 0) {
        bj_bt_close(&f->oe);
        goto fail;
    }
    f->treesOpen = true;
fail:
    return err;
}

/* ---- database ---- */

JET_ERR bj_space_db_open(bj_bt_dbctx *dbc, bj_file *file, uint32_t cpgExtension, bj_space_db **out)
{
    JET_ERR err = JET_errSuccess;
    bj_space_db *sdb = bj_calloc(1, sizeof(*sdb));
    *out = NULL;
    if (!sdb)
        ERR(JET_errOutOfMemory);
    sdb->dbc = dbc;
    sdb->file = file;
    sdb->cbPage = dbc->cbPage;
    sdb->cpgExt = cpgExtension ? cpgExtension : BJ_CPG_DB_EXTENSION_DEFAULT;
    bj_mutex_init(&sdb->mu);
    *out = sdb;
fail:
    return err;
}

void bj_space_db_close(bj_space_db *sdb)
{
    if (!sdb)
        return;
    bj_mutex_destroy(&sdb->mu);
    bj_free(sdb);
}

uint32_t bj_space_db_extensions(const bj_space_db *sdb)
{
    return atomic_load(&((bj_space_db *)sdb)->cExtensions);
}

/* Grows the file by cpg pages (DB root's mutex held): *pfirst = the first new page. */
static JET_ERR sp_extend_file(bj_space_db *sdb, uint32_t cpg, uint32_t *pfirst)
{
    JET_ERR err = JET_errSuccess;
    uint32_t size = bj_buf_db_size(sdb->dbc->db);
    if ((uint64_t)size + cpg > 0x7fffffffu)
        ERR(JET_errOutOfDatabaseSpace);
    if (sdb->dbc->log_extend) /* redo grows the file again if this growth is lost */
        CALL(sdb->dbc->log_extend(sdb->dbc->log_ctx, sdb->dbc, size + cpg));
    if (sdb->file)
        CALL(bj_file_set_size(sdb->file, ((uint64_t)size + cpg + 2) * sdb->cbPage));
    bj_buf_db_set_size(sdb->dbc->db, size + cpg);
    atomic_fetch_add(&sdb->cExtensions, 1);
    *pfirst = size + 1;
fail:
    return err;
}

/* ---- extents in the AE / OE trees (f->mu held, f multi-extent, trees open) ---- */

/* The OE extent of f that contains [first, first + cpg - 1]. */
static JET_ERR sp_owned_extent(bj_space_fdp *f, uint32_t first, uint32_t cpg, sp_node *oe)
{
    JET_ERR err = JET_errSuccess;
    bool found;
    CALL(sp_find(&f->oe, first, BJ_BT_SEEK_GE, oe, &found));
    if (!found || oe->last - oe->cpg + 1 > first || first + cpg - 1 > oe->last)
        ERR(JET_errSPAvailExtCorrupted);
fail:
    return err;
}

/* Adds [first, first + cpg - 1] to f's AE, merging with available neighbours inside the same
 * owned extent. JET_errSPAvailExtCorrupted if not owned or (partly) available already. */
static JET_ERR sp_ae_add(bj_space_fdp *f, uint32_t first, uint32_t cpg)
{
    JET_ERR err = JET_errSuccess;
    sp_node oe, r, l;
    bool haveR, haveL = false;
    uint32_t last = first + cpg - 1;
    CALL(sp_owned_extent(f, first, cpg, &oe));
    uint32_t oeFirst = oe.last - oe.cpg + 1;
    CALL(sp_find(&f->ae, first, BJ_BT_SEEK_GE, &r, &haveR));
    if (haveR && r.last - r.cpg + 1 <= last)
        ERR(JET_errSPAvailExtCorrupted); /* overlaps an available extent */
    bool mergeR = haveR && r.last - r.cpg + 1 == last + 1 && r.last <= oe.last;
    if (first > oeFirst) {
        CALL(sp_find(&f->ae, first - 1, BJ_BT_SEEK_LE, &l, &haveL));
        haveL = haveL && l.last == first - 1;
    }
    if (mergeR && haveL) {
        CALL(bj_bt_delete(&f->ae, l.key, l.cbKey));
        CALL(sp_set_count(&f->ae, &r, r.cpg + cpg + l.cpg));
    } else if (mergeR) {
        CALL(sp_set_count(&f->ae, &r, r.cpg + cpg));
    } else if (haveL) {
        CALL(bj_bt_delete(&f->ae, l.key, l.cbKey));
        CALL(sp_insert(&f->ae, last, l.cpg + cpg));
    } else {
        CALL(sp_insert(&f->ae, last, cpg));
    }
fail:
    return err;
}

/* Removes [p, p + cpg - 1] from the AE extent n that contains it. */
static JET_ERR sp_ae_cut(bj_space_fdp *f, const sp_node *n, uint32_t p, uint32_t cpg)
{
    JET_ERR err = JET_errSuccess;
    uint32_t s = n->last - n->cpg + 1;
    uint32_t cLeft = p - s, cRight = n->last - (p + cpg - 1);
    if (cRight) {
        CALL(sp_set_count(&f->ae, n, cRight));
    } else {
        CALL(bj_bt_delete(&f->ae, n->key, n->cbKey));
    }
    if (cLeft)
        CALL(sp_insert(&f->ae, p - 1, cLeft));
fail:
    return err;
}

/* Takes cpg contiguous available pages of f: at near if that run is available, else the
 * first fitting extent at or after near, else the first fitting one. *pfound = false when no
 * extent is large enough. */
static JET_ERR sp_ae_take(bj_space_fdp *f, uint32_t near, uint32_t cpg, uint32_t *pfirst,
                          bool *pfound)
{
    JET_ERR err = JET_errSuccess;
    sp_node n;
    bool found;
    *pfound = false;
    if (near) {
        CALL(sp_find(&f->ae, near, BJ_BT_SEEK_GE, &n, &found));
        if (found && n.last - n.cpg + 1 <= near && near + cpg - 1 <= n.last) {
            CALL(sp_ae_cut(f, &n, near, cpg));
            *pfirst = near;
            *pfound = true;
            goto fail;
        }
    }
    for (int pass = near ? 0 : 1; pass < 2; pass++) {
        uint32_t from = pass == 0 ? near : 1;
        for (;;) {
            CALL(sp_find(&f->ae, from, BJ_BT_SEEK_GE, &n, &found));
            if (!found)
                break;
            if (n.cpg >= cpg) {
                uint32_t s = n.last - n.cpg + 1;
                CALL(sp_ae_cut(f, &n, s, cpg));
                *pfirst = s;
                *pfound = true;
                goto fail;
            }
            if (n.last == 0xffffffffu)
                break;
            from = n.last + 1;
        }
    }
fail:
    return err;
}

/* Writes the pending extents into the trees (f->mu held); see the file comment. */
static JET_ERR sp_drain(bj_space_fdp *f)
{
    JET_ERR err = JET_errSuccess;
    while (f->pendOE.n || f->pendAE.n) {
        if (f->pendOE.n) {
            sp_ext e = f->pendOE.a[--f->pendOE.n];
            CALL(sp_insert(&f->oe, e.first + e.cpg - 1, e.cpg));
        } else {
            sp_ext e = f->pendAE.a[--f->pendAE.n];
            CALL(sp_ae_add(f, e.first, e.cpg));
        }
    }
fail:
    return err;
}

/* ---- allocation ---- */

static JET_ERR sp_take(bj_space_fdp *f, uint32_t cpg, uint32_t near, uint32_t *pfirst);

/* Locks parent, takes cpg contiguous pages from it, drains, unlocks. */
static JET_ERR sp_get_ext(bj_space_fdp *p, uint32_t cpg, uint32_t near, uint32_t *pfirst)
{
    bj_mutex_lock(&p->mu);
    JET_ERR err = sp_take(p, cpg, near, pfirst);
    JET_ERR e2 = p->treesOpen ? sp_drain(p) : JET_errSuccess;
    bj_mutex_unlock(&p->mu);
    return err < 0 ? err : e2 < 0 ? e2 : err;
}

/* The size of f's next secondary extent for a request of cpgReq (ESE's rule, default space
 * hints: small FDPs grow by max(req, 4); others by max(req, cpgPrimary / 4 or cpgLastAlloc,
 * 16); no growth factor). */
static uint32_t sp_secondary_size(const bj_sph *h, uint32_t cpgReq)
{
    bool v2 = (h->flags & BJ_SPH_V2) != 0;
    if (!v2 && h->cpg < SP_CPG_SMALL_FDP)
        return cpgReq > SP_CPG_SMALL_GROW ? cpgReq : SP_CPG_SMALL_GROW;
    uint32_t least = v2 ? h->cpg : h->cpg / SP_SEC_FRAC;
    if (least < SP_CPG_SE_DEFAULT)
        least = SP_CPG_SE_DEFAULT;
    return cpgReq > least ? cpgReq : least;
}

/* Converts single-extent f to multi-extent: a secondary extent of cpgExtra + 2 pages (at
 * least 4) from the parent holds the OE/AE roots and the rest goes to the AE. */
static JET_ERR sp_convert(bj_space_fdp *f, bj_sph *h, uint32_t cpgExtra)
{
    JET_ERR err = JET_errSuccess;
    uint32_t n = cpgExtra + SP_CPG_CONVERT;
    if (n < SP_CPG_SMALL_GROW)
        n = SP_CPG_SMALL_GROW;
    uint32_t first;
    if (!f->parent)
        ERR(JET_errSPOwnExtCorrupted);
    CALL(sp_get_ext(f->parent, n, f->pgno, &first));
    uint8_t sb[BJ_SPLIT_BUFFER_SIZE] = {0};
    uint32_t fl = BJ_BT_SPACE_TREE | sp_kind(f->btflags);
    CALL(bj_bt_create(f->sdb->dbc, first, f->objid, fl, sb, sizeof(sb)));
    CALL(bj_bt_create(f->sdb->dbc, first + 1, f->objid, fl, sb, sizeof(sb)));
    bj_sph nh = *h;
    nh.flags |= BJ_SPH_MULTI;
    nh.bitmapOrOE = first;
    CALL(sp_trees(f, &nh));
    uint32_t cpgPrim = h->cpg < SP_SINGLE_MAX ? h->cpg : SP_SINGLE_MAX;
    CALL(sp_insert(&f->oe, f->pgno + cpgPrim - 1, cpgPrim));
    CALL(sp_insert(&f->oe, first + n - 1, n));
    for (uint32_t k = 0; k + 1 < cpgPrim;) {
        if (!(h->bitmapOrOE & (1u << k))) {
            k++;
            continue;
        }
        uint32_t k0 = k;
        while (k + 1 < cpgPrim && (h->bitmapOrOE & (1u << k)))
            k++;
        CALL(sp_insert(&f->ae, f->pgno + k, k - k0));
    }
    if (n > SP_CPG_CONVERT)
        CALL(sp_insert(&f->ae, first + n - 1, n - SP_CPG_CONVERT));
    CALL(sph_write(f, &nh));
    *h = nh;
fail:
    return err;
}

/* Gives f a new secondary extent of at least cpgReq pages (multi-extent f). */
static JET_ERR sp_grow(bj_space_fdp *f, bj_sph *h, uint32_t cpgReq)
{
    JET_ERR err = JET_errSuccess;
    uint32_t first, n;
    if (!f->parent) {
        uint32_t x = f->sdb->cpgExt; /* whole multiples of JET_paramDbExtensionSize */
        n = (cpgReq + x - 1) / x * x;
        CALL(sp_extend_file(f->sdb, n, &first));
    } else {
        n = sp_secondary_size(h, cpgReq);
        CALL(sp_get_ext(f->parent, n, f->pgno, &first));
        if (!(h->flags & BJ_SPH_V2) || h->cpg != n) {
            h->flags |= BJ_SPH_V2;
            h->cpg = n;
            CALL(sph_write(f, h));
        }
    }
    CALL(sp_insert(&f->oe, first + n - 1, n));
    CALL(sp_ae_add(f, first, n));
fail:
    return err;
}

/* Takes cpg contiguous pages of f's available space, growing f if needed (f->mu held). */
static JET_ERR sp_take(bj_space_fdp *f, uint32_t cpg, uint32_t near, uint32_t *pfirst)
{
    JET_ERR err = JET_errSuccess;
    bj_sph h = {0};
    bool found = false;
    if (cpg == 0)
        ERR(JET_errInvalidParameter);
    CALL(sph_read(f, &h));
    if (!(h.flags & BJ_SPH_MULTI)) {
        uint32_t nbits = (h.cpg < SP_SINGLE_MAX ? h.cpg : SP_SINGLE_MAX) - 1;
        if (h.cpg == 0 || !f->parent)
            ERR(JET_errSPOwnExtCorrupted);
        uint32_t k0 = near > f->pgno && near - f->pgno - 1 < nbits ? near - f->pgno - 1 : 0;
        for (int pass = 0; pass < 2 && !found; pass++) {
            for (uint32_t k = pass ? 0 : k0; k + cpg <= nbits; k++) {
                uint32_t mask = cpg >= 32 ? 0xffffffffu : ((1u << cpg) - 1) << k;
                if ((h.bitmapOrOE & mask) == mask) {
                    h.bitmapOrOE &= ~mask;
                    CALL(sph_write(f, &h));
                    *pfirst = f->pgno + 1 + k;
                    found = true;
                    break;
                }
            }
        }
        if (found)
            goto fail;
        CALL(sp_convert(f, &h, cpg));
    }
    CALL(sp_trees(f, &h));
    CALL(sp_ae_take(f, near, cpg, pfirst, &found));
    if (!found) {
        CALL(sp_grow(f, &h, cpg));
        CALL(sp_ae_take(f, near, cpg, pfirst, &found));
        if (!found)
            ERR(JET_errSPAvailExtCorrupted);
    }
fail:
    return err;
}

/* Returns [first, first + cpg - 1] to f's available space (f->mu held). */
static JET_ERR sp_give_back(bj_space_fdp *f, uint32_t first, uint32_t cpg)
{
    JET_ERR err = JET_errSuccess;
    bj_sph h = {0};
    if (cpg == 0 || first == 0 || first + cpg - 1 < first)
        ERR(JET_errSPAvailExtCorrupted);
    CALL(sph_read(f, &h));
    if (h.flags & BJ_SPH_MULTI) {
        CALL(sp_trees(f, &h));
        CALL(sp_ae_add(f, first, cpg));
    } else {
        uint32_t nbits = (h.cpg < SP_SINGLE_MAX ? h.cpg : SP_SINGLE_MAX) - 1;
        if (first <= f->pgno || first - f->pgno - 1 + cpg > nbits)
            ERR(JET_errSPAvailExtCorrupted);
        uint32_t k = first - f->pgno - 1;
        uint32_t mask = cpg >= 32 ? 0xffffffffu : ((1u << cpg) - 1) << k;
        if (h.bitmapOrOE & mask)
            ERR(JET_errSPAvailExtCorrupted);
        h.bitmapOrOE |= mask;
        CALL(sph_write(f, &h));
    }
fail:
    return err;
}

/* Space-tree allocator: see the file comment (f->mu is held by this thread). */
static JET_ERR sp_tree_alloc(void *ctx, bj_bt_tree *t, uint32_t near, uint32_t *ppgno)
{
    JET_ERR err = JET_errSuccess;
    bj_space_fdp *f = ctx;
    BJ_UNUSED(t);
    if (f->pendAE.n) {
        sp_ext *e = &f->pendAE.a[f->pendAE.n - 1];
        *ppgno = e->first++;
        if (--e->cpg == 0)
            f->pendAE.n--;
        return JET_errSuccess;
    }
    uint32_t first, n;
    if (!f->parent) {
        n = f->sdb->cpgExt;
        CALL(sp_extend_file(f->sdb, n, &first));
    } else {
        n = SP_CPG_TREE_GROW;
        CALL(sp_get_ext(f->parent, n, near, &first));
    }
    CALL(sp_push(&f->pendOE, first, n));
    CALL(sp_push(&f->pendAE, first + 1, n - 1));
    *ppgno = first;
fail:
    return err;
}

static JET_ERR sp_tree_release(void *ctx, bj_bt_tree *t, uint32_t pgno)
{
    BJ_UNUSED(t);
    bj_space_fdp *f = ctx;
    return sp_push(&f->pendAE, pgno, 1);
}

/* ---- public allocation entry points ---- */

JET_ERR bj_space_alloc_page(bj_space_fdp *f, uint32_t pgnoNear, uint32_t *ppgno)
{
    return sp_get_ext(f, 1, pgnoNear, ppgno);
}

JET_ERR bj_space_free_page(bj_space_fdp *f, uint32_t pgno)
{
    bj_mutex_lock(&f->mu);
    JET_ERR err = sp_give_back(f, pgno, 1);
    JET_ERR e2 = f->treesOpen ? sp_drain(f) : JET_errSuccess;
    bj_mutex_unlock(&f->mu);
    return err < 0 ? err : e2;
}

static JET_ERR sp_user_alloc(void *ctx, bj_bt_tree *t, uint32_t near, uint32_t *ppgno)
{
    BJ_UNUSED(t);
    return bj_space_alloc_page(ctx, near, ppgno);
}

static JET_ERR sp_user_release(void *ctx, bj_bt_tree *t, uint32_t pgno)
{
    BJ_UNUSED(t);
    return bj_space_free_page(ctx, pgno);
}

bj_bt_alloc bj_space_fdp_allocator(bj_space_fdp *f)
{
    return (bj_bt_alloc){sp_user_alloc, sp_user_release, f};
}

/* ---- creating and freeing FDPs ---- */

/* Formats [first, first + cpg - 1] as a new FDP (root, and OE/AE when multi). */
static JET_ERR sp_format_fdp(bj_space_db *sdb, uint32_t first, uint32_t cpg, uint32_t pgnoParent,
                             uint32_t objid, uint32_t btflags, bool multi)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree oe, ae;
    bool oeOpen = false, aeOpen = false;
    bj_sph h = {.cpg = cpg, .pgnoParent = pgnoParent};
    if (btflags & BJ_BT_NON_UNIQUE)
        h.flags |= BJ_SPH_NON_UNIQUE;
    if (multi) {
        uint8_t sb[BJ_SPLIT_BUFFER_SIZE] = {0};
        uint32_t fl = BJ_BT_SPACE_TREE | sp_kind(btflags);
        CALL(bj_bt_create(sdb->dbc, first + 1, objid, fl, sb, sizeof(sb)));
        CALL(bj_bt_create(sdb->dbc, first + 2, objid, fl, sb, sizeof(sb)));
        CALL(bj_bt_open(&oe, sdb->dbc, first + 1, objid, fl, NULL));
        oeOpen = true;
        CALL(bj_bt_open(&ae, sdb->dbc, first + 2, objid, fl, NULL));
        aeOpen = true;
        CALL(sp_insert(&oe, first + cpg - 1, cpg));
        if (cpg > 3)
            CALL(sp_insert(&ae, first + cpg - 1, cpg - 3));
        h.flags |= BJ_SPH_MULTI;
        h.bitmapOrOE = first + 1;
    } else {
        h.bitmapOrOE = cpg - 1 >= 32 ? 0xffffffffu : (1u << (cpg - 1)) - 1;
    }
    uint8_t b[BJ_SPH_SIZE];
    bj_sph_encode(&h, b);
    CALL(bj_bt_create(sdb->dbc, first, objid, btflags, b, sizeof(b)));
fail:
    if (oeOpen)
        bj_bt_close(&oe);
    if (aeOpen)
        bj_bt_close(&ae);
    return err;
}

JET_ERR bj_space_create_fdp(bj_space_fdp *parent, uint32_t cpgPrimary, uint32_t objid,
                            uint32_t btflags, uint32_t spflags, uint32_t pgnoNear,
                            uint32_t *ppgnoRoot)
{
    JET_ERR err = JET_errSuccess;
    bool multi = (spflags & BJ_SPACE_MULTI_EXTENT) || cpgPrimary > SP_SINGLE_MAX;
    uint32_t first;
    if (cpgPrimary == 0 || objid == 0 || (btflags & BJ_BT_SPACE_TREE))
        ERR(JET_errInvalidParameter);
    if (multi && cpgPrimary < 3)
        cpgPrimary = 3;
    CALL(sp_get_ext(parent, cpgPrimary, pgnoNear, &first));
    err = sp_format_fdp(parent->sdb, first, cpgPrimary, parent->pgno, objid, btflags, multi);
    if (err < 0) {
        bj_mutex_lock(&parent->mu);
        (void)sp_give_back(parent, first, cpgPrimary);
        if (parent->treesOpen)
            (void)sp_drain(parent);
        bj_mutex_unlock(&parent->mu);
        goto fail;
    }
    *ppgnoRoot = first;
fail:
    return err;
}

/* Collects every owned extent of f (f->mu held). */
static JET_ERR sp_owned_list(bj_space_fdp *f, sp_extlist *out)
{
    JET_ERR err = JET_errSuccess;
    bj_sph h = {0};
    CALL(sph_read(f, &h));
    if (!(h.flags & BJ_SPH_MULTI)) {
        CALL(sp_push(out, f->pgno, h.cpg < SP_SINGLE_MAX ? h.cpg : SP_SINGLE_MAX));
        goto fail;
    }
    CALL(sp_trees(f, &h));
    uint32_t from = 1;
    for (;;) {
        sp_node n;
        bool found;
        CALL(sp_find(&f->oe, from, BJ_BT_SEEK_GE, &n, &found));
        if (!found)
            break;
        CALL(sp_push(out, n.last - n.cpg + 1, n.cpg));
        if (n.last == 0xffffffffu)
            break;
        from = n.last + 1;
    }
fail:
    return err;
}

JET_ERR bj_space_free_fdp(bj_space_fdp *f)
{
    JET_ERR err = JET_errSuccess;
    sp_extlist l = {0};
    bj_space_db *sdb = f->sdb;
    bj_space_fdp *p = f->parent;
    bj_mutex_lock(&sdb->mu);
    bool alone = f->refs == 1 && p != NULL;
    if (alone)
        for (bj_space_fdp *g = sdb->list; g; g = g->next)
            if (g->parent == f)
                alone = false;
    if (alone)
        p->refs++; /* keep the parent while f goes */
    bj_mutex_unlock(&sdb->mu);
    if (!alone)
        ERR(JET_errInvalidParameter);
    bj_mutex_lock(&f->mu);
    err = sp_owned_list(f, &l);
    bj_mutex_unlock(&f->mu);
    bj_space_fdp_close(f);
    f = NULL;
    if (err >= 0) {
        bj_mutex_lock(&p->mu);
        for (uint32_t i = 0; i < l.n && err >= 0; i++)
            err = sp_give_back(p, l.a[i].first, l.a[i].cpg);
        JET_ERR e2 = p->treesOpen ? sp_drain(p) : JET_errSuccess;
        if (err >= 0)
            err = e2;
        bj_mutex_unlock(&p->mu);
    }
    bj_space_fdp_close(p);
    CALL(err);
fail:
    bj_free(l.a);
    return err;
}

/* ---- creating a database ---- */

JET_ERR bj_space_create_db(bj_space_db *sdb, uint32_t cpgInitial)
{
    JET_ERR err = JET_errSuccess;
    bj_space_fdp *root = NULL, *mso = NULL;
    uint32_t cpg = cpgInitial ? cpgInitial : BJ_CPG_DB_INITIAL_DEFAULT;
    uint32_t cpgShadow = bj_space_cpg_shadow(sdb->cbPage);
    uint32_t pg;
    if (cpg < BJ_PGNO_FDP_MSO_SHADOW + cpgShadow + 1 || bj_buf_db_size(sdb->dbc->db) != 0)
        ERR(JET_errInvalidParameter);
    CALL(sp_extend_file(sdb, cpg, &pg));
    atomic_fetch_sub(&sdb->cExtensions, 1); /* the initial size is not an extension */
    CALL(sp_format_fdp(sdb, BJ_PGNO_SYSTEM_ROOT, cpg, 0, BJ_OBJID_SYSTEM_ROOT, 0, true));
    CALL(bj_space_fdp_open(sdb, BJ_PGNO_SYSTEM_ROOT, &root));
    CALL(bj_space_create_fdp(root, BJ_CPG_MSO_INITIAL, BJ_OBJID_MSO, 0, BJ_SPACE_MULTI_EXTENT,
                             BJ_PGNO_FDP_MSO, &pg));
    if (pg != BJ_PGNO_FDP_MSO)
        ERR(JET_errDatabaseCorrupted);
    CALL(bj_space_fdp_open(sdb, BJ_PGNO_FDP_MSO, &mso));
    CALL(bj_space_create_fdp(mso, BJ_CPG_MSO_INDEX, BJ_OBJID_MSO_NAME, BJ_BT_INDEX,
                             BJ_SPACE_MULTI_EXTENT, BJ_PGNO_FDP_MSO_NAME, &pg));
    if (pg != BJ_PGNO_FDP_MSO_NAME)
        ERR(JET_errDatabaseCorrupted);
    CALL(bj_space_create_fdp(mso, BJ_CPG_MSO_INDEX, BJ_OBJID_MSO_ROOTOBJ, BJ_BT_INDEX,
                             BJ_SPACE_MULTI_EXTENT, BJ_PGNO_FDP_MSO_ROOTOBJ, &pg));
    if (pg != BJ_PGNO_FDP_MSO_ROOTOBJ)
        ERR(JET_errDatabaseCorrupted);
    CALL(bj_space_create_fdp(root, cpgShadow, BJ_OBJID_MSO_SHADOW, 0, BJ_SPACE_MULTI_EXTENT,
                             BJ_PGNO_FDP_MSO_SHADOW, &pg));
    if (pg != BJ_PGNO_FDP_MSO_SHADOW)
        ERR(JET_errDatabaseCorrupted);
fail:
    bj_space_fdp_close(mso);
    bj_space_fdp_close(root);
    return err;
}
