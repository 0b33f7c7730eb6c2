/* tbl_version.c: the per-database shared state of table cursors (shared B-tree handles, table
 * counters) and snapshot-isolated visibility of nodes (see tbl_write.h for the rules).
 *
 * Shared trees: one bj_bt_tree per root pgno for the life of the attachment, so that every
 * cursor and writer of a tree uses the same structure-modification lock. Each writable tree
 * carries the allocator of its FDP (space layer); the FDP handle stays open with the tree.
 * Column visibility (tbl_column) skips the DDL lock while the database has no DDL RCE and the
 * catalog generation is the one the cursor's descriptor was checked against (cdb->cRce, gen).
 * Lock order: d->lock is taken alone (never while a page latch is held).
 */
#include <sched.h>

#include "os/os.h"
#include "page/page.h"
#include "space/space.h"
#include "cat/cat_ddl.h"
#include "tbl/tbl_int.h"

bj_bt_dbctx *bj_tbl_db_dbc(bj_tbl_db *d)
{
    return d->dbc;
}

JET_ERR bj_tbl_db_open(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_ver *ver, uint32_t dbid,
                       bj_tbl_db **out)
{
    bj_tbl_db *d = bj_calloc(1, sizeof(*d));
    *out = NULL;
    if (!d)
        return BJ_ERR(JET_errOutOfMemory);
    d->dbc = dbc;
    d->sdb = sdb;
    d->ver = ver;
    d->dbid = dbid;
    bj_mutex_init(&d->lock);
    tbl_ops_init(d);
    *out = d;
    return JET_errSuccess;
}

void bj_tbl_db_set_ddl(bj_tbl_db *d, struct bj_cat_db *cdb)
{
    d->cdb = cdb;
}

void bj_tbl_db_close(bj_tbl_db *d)
{
    if (!d)
        return;
    while (d->trees) {
        tbl_tree *t = d->trees;
        d->trees = t->next;
        bj_bt_close(&t->tree);
        bj_free(t);
    }
    while (d->tabs) {
        tbl_tabstate *ts = d->tabs;
        d->tabs = ts->next;
        bj_free(ts);
    }
    bj_mutex_destroy(&d->lock);
    bj_free(d);
}

/* Page allocation for a shared tree: the FDP handle is opened per call (so that no handle
 * outlives a DDL delete of the table, which needs the only reference). */
static JET_ERR tree_alloc(void *ctx, bj_bt_tree *t, uint32_t pgnoNear, uint32_t *ppgno)
{
    JET_ERR err = JET_errSuccess;
    tbl_tree *tt = ctx;
    bj_space_fdp *f = NULL;
    CALL(bj_space_fdp_open(tt->d->sdb, t->pgnoRoot, &f));
    err = bj_space_alloc_page(f, pgnoNear, ppgno);
fail:
    bj_space_fdp_close(f);
    return err;
}

static JET_ERR tree_release(void *ctx, bj_bt_tree *t, uint32_t pgno)
{
    JET_ERR err = JET_errSuccess;
    tbl_tree *tt = ctx;
    bj_space_fdp *f = NULL;
    CALL(bj_space_fdp_open(tt->d->sdb, t->pgnoRoot, &f));
    err = bj_space_free_page(f, pgno);
fail:
    bj_space_fdp_close(f);
    return err;
}

void bj_tbl_db_forget(bj_tbl_db *d, uint32_t pgnoFDP)
{
    if (!d)
        return;
    bj_mutex_lock(&d->lock);
    for (tbl_tree **pp = &d->trees; *pp;) {
        tbl_tree *t = *pp;
        if (t->tree.pgnoRoot != pgnoFDP) {
            pp = &t->next;
            continue;
        }
        *pp = t->next;
        bj_bt_close(&t->tree);
        bj_free(t);
    }
    bj_mutex_unlock(&d->lock);
}

/* The shared trees' quiet hook: no RCE in the database's version store. */
static bool tbl_tree_quiet(void *ctx)
{
    return bj_ver_quiet(ctx);
}

JET_ERR bj_tbl_db_tree(bj_tbl_db *d, uint32_t pgnoFDP, uint32_t objid, bj_bt_tree **pt)
{
    JET_ERR err = JET_errSuccess;
    tbl_tree *t = NULL;
    *pt = NULL;
    bj_mutex_lock(&d->lock);
    /* keyed by (root, objid): objids are never reused, a freed root page may be */
    for (tbl_tree *e = d->trees; e; e = e->next) {
        if (e->tree.pgnoRoot == pgnoFDP && e->tree.objid == objid) {
            *pt = &e->tree;
            goto fail;
        }
    }
    t = bj_calloc(1, sizeof(*t));
    if (!t)
        ERR(JET_errOutOfMemory);
    t->d = d;
    bj_bt_alloc alloc = {tree_alloc, tree_release, t};
    CALL(bj_bt_open(&t->tree, d->dbc, pgnoFDP, objid, ~0u, d->sdb ? &alloc : NULL));
    if (d->ver) {
        t->tree.quiet = tbl_tree_quiet;
        t->tree.quiet_ctx = d->ver;
    }
    t->next = d->trees;
    d->trees = t;
    *pt = &t->tree;
    t = NULL;
fail:
    bj_free(t);
    bj_mutex_unlock(&d->lock);
    return err;
}

/* Whether the current catalog version holds row (objidTable, type, id) (column or index). */
static bool in_current(const bj_cat_db *cdb, uint32_t objidTable, uint16_t type, uint32_t id)
{
    const bj_cat_table *t = bj_cat_table_by_objid(*cdb->pcat, objidTable);
    if (!t)
        return false;
    if (type == BJ_CAT_TYPE_COLUMN) {
        for (uint32_t i = 0; i < t->ccol; i++)
            if ((t->rgcol[i].columnid & 0xffffu) == id)
                return true;
        return false;
    }
    for (uint32_t i = 0; i < t->cidx; i++)
        if (t->rgidx[i].objid == id)
            return true;
    return false;
}

bool tbl_row_seen(bj_tbl *c, uint16_t type, uint32_t id)
{
    bj_tbl_db *d = c->tdb;
    if (!d || !d->cdb || !d->cdb->lock || (c->t->flags & JET_bitObjectSystem))
        return true; /* system tables: no DDL (their rows are written under the DDL lock) */
    /* under the DDL lock: a rollback cannot run between the catalog read and the question.
     * The cursor's descriptor may be older than the current version: what a rollback took
     * away since (no revision entry left) is gone for everyone. */
    bj_mutex_lock(d->cdb->lock);
    const bool fIn = in_current(d->cdb, c->t->objid, type, id);
    bool f = bj_cat_ddl_row_seen(d->cdb, d->ver, c->trx, c->snap_ts, c->t->objid, type, id, fIn);
    bj_mutex_unlock(d->cdb->lock);
    return f;
}

/* Under cdb->lock: whether every column of the cursor's descriptor is in the current catalog;
 * if so, remembers the catalog generation (and the descriptor) it checked. */
static void column_gen_check(bj_tbl *c, bj_cat_db *cdb)
{
    const uint64_t gen = atomic_load(&cdb->gen);
    for (uint32_t i = 0; i < c->t->ccol; i++)
        if (!in_current(cdb, c->t->objid, BJ_CAT_TYPE_COLUMN, c->t->rgcol[i].columnid & 0xffffu))
            return;
    c->colgen_t = c->t;
    c->colgen = gen + 1;
}

/* Fast path: when the version store holds no DDL RCE of the database (cdb->cRce == 0), a
 * column row is seen iff it is in the current catalog (bj_cat_ddl_row_seen); if the catalog
 * generation is the one at which every column of c->t was found there (checked under the DDL
 * lock), the answer is yes without the lock. cRce is read before gen: a DDL raises cRce before
 * its RCE exists and bumps gen before it publishes; a rollback or cleanup lowers cRce only after
 * it republished, so a reader that sees cRce 0 and gen unchanged answers as of that moment. */
const bj_cat_column *tbl_column(bj_tbl *c, JET_COLUMNID columnid)
{
    const bj_cat_column *col = bj_cat_column_by_id(c->t, columnid);
    if (!col)
        return NULL;
    bj_tbl_db *d = c->tdb;
    if (!d || !d->cdb || !d->cdb->lock || (c->t->flags & JET_bitObjectSystem))
        return col; /* tbl_row_seen: always seen */
    bj_cat_db *cdb = d->cdb;
    if (atomic_load(&cdb->cRce) == 0 && c->colgen_t == c->t &&
        c->colgen == atomic_load(&cdb->gen) + 1)
        return col;
    bj_mutex_lock(cdb->lock);
    const bool fIn = in_current(cdb, c->t->objid, BJ_CAT_TYPE_COLUMN, columnid & 0xffffu);
    bool f = bj_cat_ddl_row_seen(cdb, d->ver, c->trx, c->snap_ts, c->t->objid, BJ_CAT_TYPE_COLUMN,
                                 columnid & 0xffffu, fIn);
    if (c->colgen_t != c->t || c->colgen != atomic_load(&cdb->gen) + 1)
        column_gen_check(c, cdb);
    bj_mutex_unlock(cdb->lock);
    return f ? col : NULL;
}

tbl_tabstate *tbl_tabstate_get(bj_tbl_db *d, uint32_t objid)
{
    bj_mutex_lock(&d->lock);
    tbl_tabstate *ts;
    for (ts = d->tabs; ts; ts = ts->next) {
        if (ts->objid == objid)
            break;
    }
    if (!ts) {
        ts = bj_calloc(1, sizeof(*ts));
        if (ts) {
            ts->objid = objid;
            ts->next = d->tabs;
            d->tabs = ts;
        }
    }
    bj_mutex_unlock(&d->lock);
    return ts;
}

/* Creates the LV tree of table t: FDP under the table, catalog row, new catalog version (the
 * database's DDL lock held). Not versioned: an empty LV tree is harmless after a rollback. */
static JET_ERR lv_create(bj_tbl_db *d, const bj_cat_table *t, uint32_t *ppgno, uint32_t *pobjid)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_db *cdb = d->cdb;
    bj_space_fdp *ftab = NULL;
    bj_rec_schema mso;
    bool fMso = false;
    bj_cat *cat = NULL;
    uint8_t *row = bj_malloc(d->dbc->cbPage);
    if (!row)
        ERR(JET_errOutOfMemory);
    const uint32_t objid = *cdb->pobjidLast + 1;
    uint32_t pgno;
    CALL(bj_space_fdp_open(d->sdb, t->pgnoFDP, &ftab));
    CALL(bj_space_create_fdp(ftab, 1, objid, BJ_BT_LONG_VALUE, 0, 0, &pgno));
    CALL(bj_cat_mso_schema(&mso, d->dbc->cbPage));
    fMso = true;
    size_t cb;
    CALL(bj_cat_row_lv(&mso, t->objid, objid, pgno, row, d->dbc->cbPage, &cb));
    CALL(bj_cat_writer_insert(cdb->w, row, (uint32_t)cb));
    *cdb->pobjidLast = objid;
    if (cdb->objids) /* at once, like the tree (NULL: not in a transaction) */
        CALL(cdb->objids(cdb->ctx, NULL, true, objid, t->objid, BJ_CAT_TYPE_LV));
    CALL(bj_cat_load(d->dbc, &cat));
    atomic_fetch_add(&cdb->gen, 1);    /* before *pcat changes (tbl_column) */
    err = cdb->publish(cdb->ctx, cat); /* takes the reference */
    cat = NULL;
    CALL(err);
    *ppgno = pgno;
    *pobjid = objid;
fail:
    bj_cat_release(cat);
    if (fMso)
        bj_rec_schema_free(&mso);
    bj_space_fdp_close(ftab);
    bj_free(row);
    return err;
}

JET_ERR tbl_lv_open(bj_tbl *c, bool fCreate)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl_db *d = c->tdb;
    if (c->fLVOpen || !d)
        return JET_errSuccess;
    tbl_tabstate *ts = tbl_tabstate_get(d, c->t->objid);
    if (!ts)
        return BJ_ERR(JET_errOutOfMemory);
    bj_mutex_lock(&d->lock);
    uint32_t pgno = ts->pgnoLV, objid = ts->objidLV;
    bj_mutex_unlock(&d->lock);
    if (!pgno && fCreate) {
        if (!d->cdb || !d->sdb)
            ERR(JET_errPermissionDenied);
        bj_mutex_lock(d->cdb->lock);
        bj_mutex_lock(&d->lock);
        pgno = ts->pgnoLV;
        objid = ts->objidLV;
        bj_mutex_unlock(&d->lock);
        if (!pgno) {
            err = lv_create(d, c->t, &pgno, &objid);
            if (err >= 0) {
                bj_mutex_lock(&d->lock);
                ts->pgnoLV = pgno;
                ts->objidLV = objid;
                bj_mutex_unlock(&d->lock);
            }
        }
        bj_mutex_unlock(d->cdb->lock);
        CALL(err);
    }
    if (pgno) {
        CALL(bj_tbl_db_tree(d, pgno, objid, &c->ptLV));
        c->fLVOpen = true;
    }
fail:
    return err;
}

void bj_tbl_set_reader(bj_tbl *c, bj_trx *trx, uint64_t snap_ts)
{
    c->trx = trx;
    c->snap_ts = snap_ts;
}

/* The version-store key of a node: the primary bookmark (primary trees, unique indexes: the
 * key), key || data for a non-unique index (a node's identity there). buf: cbPage * 2. */
uint32_t tbl_verkey(const bj_bt_tree *tr, const uint8_t *k, uint32_t cbK, const uint8_t *dt,
                    uint32_t cbD, uint8_t *buf)
{
    memcpy(buf, k, cbK);
    if (!(tr->flags & BJ_BT_NON_UNIQUE))
        return cbK;
    memcpy(buf + cbK, dt, cbD);
    return cbK + cbD;
}

JET_ERR bj_tbl_see(bj_tbl *c, bj_bt_cursor *cur, uint32_t objid, const uint8_t **pk, uint32_t *pcbK,
                   const uint8_t **pd, uint32_t *pcbD, bool *pvis)
{
    JET_ERR err = JET_errSuccess;
    uint8_t nflags;
    uint8_t *vk = NULL;
    *pvis = false;
    for (int tries = 0;; tries++) {
        /* the caller has just positioned cur: its copy is the node as of this call */
        err = tries ? bj_bt_get(cur, pk, pcbK, pd, pcbD, &nflags)
                    : bj_bt_current(cur, pk, pcbK, pd, pcbD, &nflags);
        if (err == JET_errRecordDeleted && c->tdb) {
            err = JET_errSuccess; /* removed by cleanup meanwhile: invisible */
            goto fail;
        }
        CALL(err);
        /* quiet: the version store was empty while the copy's leaf was latched, so the page
         * was every reader's view (bj_ver_quiet) */
        if (!c->tdb || !(nflags & BJ_ND_VERSION) || cur->quiet) {
            *pvis = !(nflags & BJ_ND_DELETED);
            goto fail;
        }
        const uint32_t pgno = cur->pgno;
        const uint64_t dbtime = cur->dbtime;
        if (!vk) {
            vk = bj_malloc(2 * c->dbc->cbPage);
            if (!vk)
                ERR(JET_errOutOfMemory);
        }
        bj_ver_key key = {.dbid = c->tdb->dbid, .objid = objid, .bm = vk};
        key.cbBm = tbl_verkey(cur->t, *pk, *pcbK, *pd, *pcbD, vk);
        bj_ver_seen seen;
        CALL(bj_ver_visible(c->tdb->ver, c->trx, c->snap_ts, &key, true,
                            (nflags & BJ_ND_DELETED) != 0, *pd, *pcbD, c->img, c->dbc->cbPage,
                            &seen));
        if (err == JET_wrnBufferTruncated)
            ERR(JET_errDatabaseCorrupted);
        /* re-read: if the page changed meanwhile (e.g. a rollback restored it), ask again */
        const uint8_t *k2, *d2;
        uint32_t cbK2, cbD2;
        err = bj_bt_get(cur, &k2, &cbK2, &d2, &cbD2, &nflags);
        if (err == JET_errRecordDeleted) {
            err = JET_errSuccess;
            goto fail;
        }
        CALL(err);
        if ((cur->pgno != pgno || cur->dbtime != dbtime) && tries < 1000)
            continue;
        if (seen.unstable) {
            sched_yield(); /* an escrow delta is being applied or undone: read again */
            tries = 0;
            continue;
        }
        *pk = k2;
        *pcbK = cbK2;
        *pvis = seen.present;
        if (seen.present && !seen.from_page) {
            *pd = c->img;
            *pcbD = seen.cb;
        } else {
            *pd = d2;
            *pcbD = cbD2;
        }
        err = JET_errSuccess;
        break;
    }
fail:
    bj_free(vk);
    return err;
}
