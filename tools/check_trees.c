/* check_trees.c: phases 3 (every B-tree) and 4 (space accounting) of `bluejet check`.
 *
 * Phase 3 lists the trees: the fixed ones (DB root 1, MSysObjects 4, its Name 7 and
 * RootObjects 10 indexes, MSysObjectsShadow 24), then, when MSysObjects itself is sound and
 * loads, every table, secondary index and long-value tree of the catalog, and for every FDP
 * with a multi-extent space header its OE and AE trees. Each is opened with the objid and kind
 * flags it must have and walked by bj_bt_check, whose walk never revisits a page (loops are
 * faults, not hangs). A tree that fails is marked and not read by later phases: the cursors
 * and page walks they use follow leaf chains and child pointers without loop detection.
 * Phase 4 runs bj_space_check over the FDPs whose trees all passed.
 * Single-threaded; no locks.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "check.h"
#include "page/page.h"
#include "space/space.h"
#include "space/space_format.h"

chk_tree *chk_tree_by_root(chk *c, uint32_t pgno)
{
    for (uint32_t i = 0; i < c->ntrees; i++)
        if (c->trees[i].pgnoRoot == pgno)
            return &c->trees[i];
    return NULL;
}

/* Adds a tree unless one with that root is listed; false when out of memory. */
static bool add_tree(chk *c, uint32_t pgnoRoot, uint32_t objid, uint32_t flags, bool fdp,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static bool add_tree(chk *c, uint32_t pgnoRoot, uint32_t objid, uint32_t flags, bool fdp,
                     const char *fmt, ...)
{
    if (chk_tree_by_root(c, pgnoRoot))
        return true;
    if (c->ntrees == c->captrees) {
        uint32_t cap = c->captrees ? 2 * c->captrees : 64;
        chk_tree *v = bj_tool_realloc(c->trees, (size_t)cap * sizeof(*v));
        if (!v)
            return false;
        c->trees = v;
        c->captrees = cap;
    }
    chk_tree *t = &c->trees[c->ntrees++];
    memset(t, 0, sizeof(*t));
    t->pgnoRoot = pgnoRoot;
    t->objid = objid;
    t->flags = flags;
    t->fdp = fdp;
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    snprintf(t->name, sizeof(t->name), "%s (objid %" PRIu32 ", root %" PRIu32 ")", name, objid,
             pgnoRoot);
    return true;
}

typedef struct tree_report {
    chk *c;
    const chk_tree *t;
} tree_report;

static void on_tree_fault(void *ctx, uint32_t pgno, const char *msg)
{
    tree_report *r = ctx;
    chk_fault(r->c, CHK_TREES, pgno, "%s: %s", r->t->name, msg);
}

/* bj_bt_check on one tree; faults go to phase 3. Returns an error only for out of memory. */
static JET_ERR check_tree(chk *c, chk_tree *t)
{
    bj_bt_tree bt;
    t->checked = true;
    t->ok = false;
    if (t->pgnoRoot == 0 || t->pgnoRoot > c->db.cpg) {
        chk_fault(c, CHK_TREES, 0,
                  "%s: root page %" PRIu32 " is outside the file (%" PRIu32 " pages)", t->name,
                  t->pgnoRoot, c->db.cpg);
        return JET_errSuccess;
    }
    JET_ERR err = bj_bt_open(&bt, &c->dbc, t->pgnoRoot, t->objid, t->flags, NULL);
    if (err == JET_errOutOfMemory)
        return err;
    if (err < 0) {
        chk_fault(c, CHK_TREES, t->pgnoRoot,
                  "%s: page %" PRIu32 " is not a readable root of objid %" PRIu32 ": %s (%d)",
                  t->name, t->pgnoRoot, t->objid, bj_tool_err_name(err), (int)err);
        return JET_errSuccess;
    }
    tree_report r = {c, t};
    err = bj_bt_check(&bt, on_tree_fault, &r);
    bj_bt_close(&bt);
    if (err == JET_errOutOfMemory)
        return err;
    if (err < 0 && c->nfaults[CHK_TREES] == 0)
        chk_fault(c, CHK_TREES, t->pgnoRoot, "%s: check failed: %s (%d)", t->name,
                  bj_tool_err_name(err), (int)err);
    t->ok = err >= 0;
    return JET_errSuccess;
}

/* The space header of an FDP root; false if the root cannot be read or has none. */
static bool read_sph(chk *c, uint32_t pgno, bj_sph *h)
{
    bj_frame *fr = NULL;
    const uint8_t *p;
    uint32_t cb;
    bool ok = false;
    if (pgno == 0 || pgno > c->db.cpg || bj_buf_get(c->bdb, pgno, BJ_LATCH_SHARED, &fr) < 0)
        return false;
    if (bj_page_get_ext_header(bj_frame_data(fr), c->db.cbPage, &p, &cb) >= 0) {
        int off = bj_sph_offset(p, cb);
        if (off >= 0) {
            bj_sph_decode(p + off, h);
            ok = true;
        }
    }
    bj_buf_release(fr);
    return ok;
}

static void see_objid(chk *c, uint32_t objid)
{
    if (objid > c->objidMax) {
        c->objidMax = objid;
        c->objidMaxWhere = 0;
    }
}

/* The catalog's trees (after MSysObjects passed its check and loaded). */
static bool add_catalog_trees(chk *c)
{
    for (uint32_t i = 0; i < c->cat->ctbl; i++) {
        const bj_cat_table *t = c->cat->rgtbl[i];
        see_objid(c, t->objid);
        if (!add_tree(c, t->pgnoFDP, t->objid, 0, true, "table '%s'", t->szName))
            return false;
        for (uint32_t k = 0; k < t->cidx; k++) {
            const bj_cat_index *x = &t->rgidx[k];
            see_objid(c, x->objid);
            if (x->pgnoFDP == t->pgnoFDP)
                continue; /* the primary index is the table's tree */
            uint32_t fl = BJ_BT_INDEX | ((x->fidb & BJ_FIDB_UNIQUE) ? 0 : BJ_BT_NON_UNIQUE);
            if (!add_tree(c, x->pgnoFDP, x->objid, fl, true, "table '%s' index '%s'", t->szName,
                          x->szName))
                return false;
        }
        if (t->pgnoLV) {
            see_objid(c, t->objidLV);
            if (!add_tree(c, t->pgnoLV, t->objidLV, BJ_BT_LONG_VALUE, true,
                          "table '%s' long values", t->szName))
                return false;
        }
    }
    return true;
}

/* The DB root's last owned page (its OE tree's largest key) against the file's size: a file
 * shorter than that is truncated (ESE's checker: "database file is too small", an error). */
static JET_ERR check_file_size(chk *c)
{
    JET_ERR err = JET_errSuccess;
    bj_sph h;
    bj_bt_tree bt;
    bj_bt_cursor cur;
    bool topen = false, copen = false;
    if (!read_sph(c, BJ_PGNO_SYSTEM_ROOT, &h) || !(h.flags & BJ_SPH_MULTI))
        return JET_errSuccess;
    const chk_tree *oe = chk_tree_by_root(c, h.bitmapOrOE);
    if (!oe || !oe->ok)
        return JET_errSuccess;
    CALL(bj_bt_open(&bt, &c->dbc, oe->pgnoRoot, oe->objid, oe->flags, NULL));
    topen = true;
    CALL(bj_bt_cursor_open(&bt, true, &cur));
    copen = true;
    uint32_t lastOwned = 0;
    for (err = bj_bt_move_first(&cur); err >= 0; err = bj_bt_move_next(&cur)) {
        const uint8_t *k, *d;
        uint32_t cbk, cbd, last = 0, cpg = 0, pool = 0;
        CALL(bj_bt_get(&cur, &k, &cbk, &d, &cbd, NULL));
        if (bj_spnode_decode(k, cbk, d, cbd, &last, &cpg, &pool) >= 0 &&
            pool == BJ_SPPOOL_GENERAL && last > lastOwned)
            lastOwned = last;
    }
    err = JET_errSuccess;
    if (lastOwned > c->db.cpg)
        chk_fault(c, CHK_SPACE, 0,
                  "the file is too small: the database owns pages up to %" PRIu32
                  " but the file holds %" PRIu32 " (truncated)",
                  lastOwned, c->db.cpg);
fail:
    if (copen)
        bj_bt_cursor_close(&cur);
    if (topen)
        bj_bt_close(&bt);
    if (err < 0 && err != JET_errOutOfMemory)
        err = JET_errSuccess; /* the space phase reports unreadable space trees */
    return err;
}

JET_ERR chk_trees(chk *c)
{
    JET_ERR err = JET_errSuccess;
    if (!add_tree(c, BJ_PGNO_SYSTEM_ROOT, BJ_OBJID_SYSTEM_ROOT, 0, true, "database root") ||
        !add_tree(c, BJ_CAT_PGNO_MSO, BJ_CAT_OBJID_MSO, 0, true, "catalog MSysObjects") ||
        !add_tree(c, BJ_PGNO_FDP_MSO_NAME, BJ_OBJID_MSO_NAME, BJ_BT_INDEX, true,
                  "catalog MSysObjects index 'Name'") ||
        !add_tree(c, BJ_PGNO_FDP_MSO_ROOTOBJ, BJ_OBJID_MSO_ROOTOBJ, BJ_BT_INDEX, true,
                  "catalog MSysObjects index 'RootObjects'") ||
        !add_tree(c, BJ_CAT_PGNO_MSO_SHADOW, BJ_CAT_OBJID_MSO_SHADOW, 0, true,
                  "catalog shadow MSysObjectsShadow"))
        ERR(JET_errOutOfMemory);
    /* the catalog first: the rest of the list comes from it */
    CALL(check_tree(c, chk_tree_by_root(c, BJ_CAT_PGNO_MSO)));
    if (chk_tree_by_root(c, BJ_CAT_PGNO_MSO)->ok) {
        JET_ERR e = bj_cat_load(&c->dbc, &c->cat);
        if (e == JET_errOutOfMemory)
            ERR(e);
        if (e < 0) {
            c->cat = NULL;
            chk_fault(c, CHK_TREES, BJ_CAT_PGNO_MSO,
                      "catalog MSysObjects: its rows do not load: %s (%d)", bj_tool_err_name(e),
                      (int)e);
        } else if (!add_catalog_trees(c)) {
            ERR(JET_errOutOfMemory);
        }
    }
    /* space trees of every multi-extent FDP (the list grows while we walk it) */
    uint32_t nfdp = c->ntrees;
    for (uint32_t i = 0; i < nfdp; i++) {
        bj_sph h;
        chk_tree *t = &c->trees[i];
        if (!read_sph(c, t->pgnoRoot, &h) || !(h.flags & BJ_SPH_MULTI))
            continue;
        char owner[200];
        snprintf(owner, sizeof(owner), "%s", t->name);
        /* space-tree pages carry their owner's kind flags too (index, non-unique, LV) */
        uint32_t objid = t->objid, fl = t->flags | BJ_BT_SPACE_TREE;
        if (!add_tree(c, h.bitmapOrOE, objid, fl, false, "%s: owned-extent tree", owner) ||
            !add_tree(c, h.bitmapOrOE + 1, objid, fl, false, "%s: available-extent tree", owner))
            ERR(JET_errOutOfMemory);
    }
    for (uint32_t i = 0; i < c->ntrees; i++)
        if (!c->trees[i].checked)
            CALL(check_tree(c, &c->trees[i]));
    CALL(check_file_size(c));
    if (!c->cat)
        chk_skip(c, CHK_RECORDS, "the catalog (MSysObjects) could not be read");
fail:
    return err;
}

/* ---------------------------------------------------------------- phase 4: space */

static void on_space_fault(void *ctx, uint32_t pgno, const char *msg)
{
    chk *c = ctx;
    if (pgno)
        chk_fault(c, CHK_SPACE, pgno, "page %" PRIu32 ": %s", pgno, msg);
    else
        chk_fault(c, CHK_SPACE, 0, "%s", msg);
}

/* Whether an FDP's own tree and its space trees all passed phase 3. */
static bool fdp_sound(chk *c, const chk_tree *t)
{
    bj_sph h;
    if (!t->ok)
        return false;
    if (!read_sph(c, t->pgnoRoot, &h))
        return true; /* the space check reports the missing header */
    if (!(h.flags & BJ_SPH_MULTI))
        return true;
    const chk_tree *oe = chk_tree_by_root(c, h.bitmapOrOE);
    const chk_tree *ae = chk_tree_by_root(c, h.bitmapOrOE + 1);
    return oe && ae && oe->ok && ae->ok;
}

JET_ERR chk_space(chk *c)
{
    JET_ERR err = JET_errSuccess;
    uint32_t *fdps = NULL, n = 0;
    if (!c->cat) {
        chk_skip(c, CHK_SPACE, "the catalog (MSysObjects) could not be read");
        return JET_errSuccess;
    }
    if (!fdp_sound(c, chk_tree_by_root(c, BJ_PGNO_SYSTEM_ROOT))) {
        chk_skip(c, CHK_SPACE, "the database root or its space trees failed the tree check");
        return JET_errSuccess;
    }
    fdps = bj_tool_malloc(((size_t)c->ntrees + 1) * sizeof(uint32_t));
    if (!fdps)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < c->ntrees; i++) {
        const chk_tree *t = &c->trees[i];
        if (!t->fdp || t->pgnoRoot == BJ_PGNO_SYSTEM_ROOT)
            continue;
        if (fdp_sound(c, t))
            fdps[n++] = t->pgnoRoot;
        else
            chk_note(c, CHK_SPACE, t->pgnoRoot,
                     "%s: not accounted (it failed the tree check); the pages it owns count as "
                     "leaked below",
                     t->name);
    }
    bj_space_check_stats st;
    memset(&st, 0, sizeof(st));
    uint32_t before = c->nfaults[CHK_SPACE];
    err = bj_space_check(&c->dbc, fdps, n, on_space_fault, c, &st);
    if (err == JET_errOutOfMemory)
        goto fail;
    if (err < 0 && c->nfaults[CHK_SPACE] == before)
        chk_fault(c, CHK_SPACE, 0, "space trees cannot be read: %s (%d)", bj_tool_err_name(err),
                  (int)err);
    err = JET_errSuccess;
    if (st.cpgFile >= st.cpgUnownedTail)
        c->lastOwned = st.cpgFile - st.cpgUnownedTail;
    if (st.cpgLeaked)
        chk_note(c, CHK_SPACE, 0,
                 "%" PRIu32 " pages are leaked: owned by an FDP but neither used by a tree nor "
                 "available",
                 st.cpgLeaked);
    if (st.cpgUnownedTail)
        chk_note(c, CHK_SPACE, 0,
                 "%" PRIu32 " pages at the end of the file (%" PRIu32 "-%" PRIu32
                 ") are owned by no FDP (unowned tail)",
                 st.cpgUnownedTail, c->lastOwned + 1, st.cpgFile);
fail:
    bj_tool_free(fdps);
    return err;
}
