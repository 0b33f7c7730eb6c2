/* cat_write.c: MSysObjects rows as ESE writes them (one encoder per row type) and the catalog
 * writer that puts a row into MSysObjects (pgno 4), its two secondary indexes (Name: pgno 7,
 * key (ObjidTable, Type, Name), unique, DisallowNull; RootObjects: pgno 10, key (RootFlag,
 * Name), unique, IgnoreFirstNull: only rows with RootFlag set, i.e. tables) and the shadow
 * catalog MSysObjectsShadow (pgno 24, same rows, no secondary indexes), and takes it out again.
 *
 * Index entries are (normalised key -> primary key of the row). Keys are made with the key
 * layer from the MSysObjects descriptor of the loaded catalog, so they are the bytes ESE makes
 * (Long/Short/Bit and ASCII text keys are byte-exact with Windows).
 * Invariant: a failed insert leaves none of the four trees changed.
 * Concurrency: a writer is used by one thread at a time (the database's DDL lock); the trees
 * themselves follow the B-tree layer's protocol.
 */
#include "cat/cat_ddl.h"
#include "os/os.h"
#include "space/space.h"

/* ---- row encoding ---- */

typedef struct rowb {
    const bj_rec_schema *s;
    uint8_t *out; /* final buffer */
    uint8_t *tmp; /* scratch of the same size */
    size_t cbMax, cb;
} rowb;

static JET_ERR rowb_set(rowb *b, JET_COLUMNID id, const void *pv, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    size_t cbNew = 0;
    if (cb == 0)
        return JET_errSuccess;
    memcpy(b->tmp, b->out, b->cb);
    CALL(bj_rec_set(b->s, b->tmp, b->cb, id, 0, pv, cb, 0, 0, b->out, b->cbMax, &cbNew));
    b->cb = cbNew;
fail:
    return err;
}

static JET_ERR rowb_u32(rowb *b, JET_COLUMNID id, uint32_t v)
{
    uint8_t a[4];
    bj_st32(a, v);
    return rowb_set(b, id, a, 4);
}

static JET_ERR rowb_u16(rowb *b, JET_COLUMNID id, uint16_t v)
{
    uint8_t a[2];
    bj_st16(a, v);
    return rowb_set(b, id, a, 2);
}

static JET_ERR rowb_str(rowb *b, JET_COLUMNID id, const char *sz)
{
    return sz ? rowb_set(b, id, sz, (uint32_t)strlen(sz)) : JET_errSuccess;
}

static JET_ERR rowb_begin(rowb *b, const bj_rec_schema *s, uint8_t *out, size_t cbMax,
                          uint32_t objidTable, uint16_t type, uint32_t id)
{
    JET_ERR err = JET_errSuccess;
    memset(b, 0, sizeof(*b));
    b->s = s;
    b->out = out;
    b->cbMax = cbMax;
    b->tmp = bj_malloc(cbMax);
    if (!b->tmp)
        ERR(JET_errOutOfMemory);
    CALL(bj_rec_set(s, NULL, 0, BJ_MSO_OBJIDTABLE, 0, "\0\0\0\0", 4, 0, 0, out, cbMax, &b->cb));
    CALL(rowb_u32(b, BJ_MSO_OBJIDTABLE, objidTable));
    CALL(rowb_u16(b, BJ_MSO_TYPE, type));
    CALL(rowb_u32(b, BJ_MSO_ID, id));
fail:
    return err;
}

static JET_ERR rowb_end(rowb *b, JET_ERR err, size_t *pcb)
{
    bj_free(b->tmp);
    *pcb = err < 0 ? 0 : b->cb;
    return err;
}

JET_ERR bj_cat_row_table(const bj_rec_schema *mso, const bj_cat_table *t, uint8_t *out,
                         size_t cbMax, size_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    rowb b;
    CALL(rowb_begin(&b, mso, out, cbMax, t->objid, BJ_CAT_TYPE_TABLE, t->objid));
    CALL(rowb_u32(&b, BJ_MSO_COLTYP_PGNOFDP, t->pgnoFDP));
    CALL(rowb_u32(&b, BJ_MSO_SPACEUSAGE, t->density));
    CALL(rowb_u32(&b, BJ_MSO_FLAGS, t->flags));
    CALL(rowb_u32(&b, BJ_MSO_PAGES_LOCALE, t->cpgInitial));
    CALL(rowb_set(&b, BJ_MSO_ROOTFLAG, "\xff", 1));
    if (t->cbLVChunkMax)
        CALL(rowb_u32(&b, BJ_MSO_LVCHUNKMAX, t->cbLVChunkMax));
    CALL(rowb_str(&b, BJ_MSO_NAME, t->szName));
    CALL(rowb_str(&b, BJ_MSO_TEMPLATE, t->szTemplate[0] ? t->szTemplate : NULL));
fail:
    return rowb_end(&b, err, pcb);
}

JET_ERR bj_cat_row_column(const bj_rec_schema *mso, uint32_t objidTable, const bj_cat_column *c,
                          uint8_t *out, size_t cbMax, size_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    rowb b;
    const uint32_t fid = c->columnid & 0xffffu;
    CALL(rowb_begin(&b, mso, out, cbMax, objidTable, BJ_CAT_TYPE_COLUMN, fid));
    CALL(rowb_u32(&b, BJ_MSO_COLTYP_PGNOFDP, (uint32_t)c->coltyp));
    CALL(rowb_u32(&b, BJ_MSO_SPACEUSAGE, c->cbMax));
    CALL(rowb_u32(&b, BJ_MSO_FLAGS, c->ffield));
    CALL(rowb_u32(&b, BJ_MSO_PAGES_LOCALE, c->cp));
    if (fid <= BJ_REC_FID_FIXED_LAST)
        CALL(rowb_u16(&b, BJ_MSO_RECORDOFFSET, c->ibRecordOffset));
    CALL(rowb_str(&b, BJ_MSO_NAME, c->szName));
    if (c->cbDefault)
        CALL(rowb_set(&b, BJ_MSO_DEFAULT, c->pvDefault, c->cbDefault));
fail:
    return rowb_end(&b, err, pcb);
}

/* KeyFldIDs / ConditionalColumns: 4-byte LE_IDXSEG {flags, 0, fid LE}. */
static uint32_t idxsegs(uint8_t *p, const JET_COLUMNID *rgcol, const bool *rgf, uint32_t n,
                        uint8_t bFlag)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t fl = rgf[i] ? bFlag : 0;
        if (rgcol[i] & BJ_REC_COLUMNID_TEMPLATE)
            fl |= BJ_IDXSEG_TEMPLATE;
        p[4 * i] = fl;
        p[4 * i + 1] = 0;
        bj_st16(p + 4 * i + 2, (uint16_t)(rgcol[i] & 0xffffu));
    }
    return 4 * n;
}

JET_ERR bj_cat_row_index(const bj_rec_schema *mso, uint32_t objidTable, const bj_cat_index *x,
                         uint8_t *out, size_t cbMax, size_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    rowb b;
    uint8_t seg[4 * JET_ccolKeyMost];
    uint8_t loc[2 * BJ_KEY_LOCALE_NAME_MAX];
    CALL(rowb_begin(&b, mso, out, cbMax, objidTable, BJ_CAT_TYPE_INDEX, x->objid));
    CALL(rowb_u32(&b, BJ_MSO_COLTYP_PGNOFDP, x->pgnoFDP));
    CALL(rowb_u32(&b, BJ_MSO_SPACEUSAGE, x->density));
    CALL(rowb_u32(&b, BJ_MSO_FLAGS,
                  (uint32_t)x->fidb | ((uint32_t)(x->fidx | BJ_FIDX_EXTENDED_COLUMNS) << 16)));
    /* since Win8 the locale is in LocaleName and PagesOrLocale is 0; an lcid without a name
     * is kept in PagesOrLocale (the pre-Win8 place) */
    CALL(rowb_u32(&b, BJ_MSO_PAGES_LOCALE, x->szLocale[0] ? 0 : x->lcid));
    CALL(rowb_u32(&b, BJ_MSO_LCMAPFLAGS, x->dwLCMapFlags));
    if (x->cbKeyMost != JET_cbKeyMost)
        CALL(rowb_u16(&b, BJ_MSO_KEYMOST, (uint16_t)x->cbKeyMost));
    CALL(rowb_str(&b, BJ_MSO_NAME, x->szName));
    CALL(rowb_set(&b, BJ_MSO_KEYFLDIDS, seg,
                  idxsegs(seg, x->rgcolumnid, x->rgfDescending, x->cseg, BJ_IDXSEG_DESCENDING)));
    if (x->cbVarSegMac && x->cbVarSegMac != x->cbKeyMost)
        CALL(rowb_u16(&b, BJ_MSO_VARSEGMAC, (uint16_t)x->cbVarSegMac));
    if (x->ccond)
        CALL(rowb_set(
            &b, BJ_MSO_CONDCOLS, seg,
            idxsegs(seg, x->rgcolumnidCond, x->rgfMustBeNull, x->ccond, BJ_IDXSEG_MUST_BE_NULL)));
    uint32_t n = 0;
    for (; x->szLocale[n]; n++)
        bj_st16(loc + 2 * n, (uint8_t)x->szLocale[n]);
    CALL(rowb_set(&b, BJ_MSO_LOCALENAME, loc, 2 * n));
fail:
    return rowb_end(&b, err, pcb);
}

JET_ERR bj_cat_row_lv(const bj_rec_schema *mso, uint32_t objidTable, uint32_t objidLV,
                      uint32_t pgnoLV, uint8_t *out, size_t cbMax, size_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    rowb b;
    CALL(rowb_begin(&b, mso, out, cbMax, objidTable, BJ_CAT_TYPE_LV, objidLV));
    CALL(rowb_u32(&b, BJ_MSO_COLTYP_PGNOFDP, pgnoLV));
    CALL(rowb_u32(&b, BJ_MSO_SPACEUSAGE, BJ_CAT_DENSITY_MOST));
    CALL(rowb_u32(&b, BJ_MSO_FLAGS, 0));
    CALL(rowb_u32(&b, BJ_MSO_PAGES_LOCALE, 1)); /* cpgLVTree */
    CALL(rowb_str(&b, BJ_MSO_NAME, BJ_CAT_LV_NAME));
fail:
    return rowb_end(&b, err, pcb);
}

/* ---- the writer ---- */

enum { T_MSO, T_NAME, T_ROOT, T_SHADOW, T_COUNT };

static const struct {
    uint32_t pgno, objid;
} g_trees[T_COUNT] = {
    {BJ_PGNO_FDP_MSO, BJ_OBJID_MSO},
    {BJ_PGNO_FDP_MSO_NAME, BJ_OBJID_MSO_NAME},
    {BJ_PGNO_FDP_MSO_ROOTOBJ, BJ_OBJID_MSO_ROOTOBJ},
    {BJ_PGNO_FDP_MSO_SHADOW, BJ_OBJID_MSO_SHADOW},
};

struct bj_cat_writer {
    bj_bt_dbctx *dbc;
    bj_cat *cat; /* a reference: keeps mso alive */
    const bj_cat_table *mso;
    const bj_cat_index *xName, *xRoot;
    bj_space_fdp *rgfdp[T_COUNT];
    bj_bt_tree rgt[T_COUNT];
    bool rgfOpen[T_COUNT];
};

void bj_cat_writer_close(bj_cat_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < T_COUNT; i++) {
        if (w->rgfOpen[i])
            bj_bt_close(&w->rgt[i]);
        bj_space_fdp_close(w->rgfdp[i]);
    }
    bj_cat_release(w->cat);
    bj_free(w);
}

JET_ERR bj_cat_writer_open(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_cat *cat,
                           bj_cat_writer **pw)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_writer *w = bj_calloc(1, sizeof(*w));
    *pw = NULL;
    if (!w)
        ERR(JET_errOutOfMemory);
    w->dbc = dbc;
    bj_cat_addref(cat);
    w->cat = cat;
    w->mso = bj_cat_table_by_objid(cat, BJ_OBJID_MSO);
    if (!w->mso || !w->mso->fHasPrimary)
        ERR(JET_errCatalogCorrupted);
    w->xName = bj_cat_find_index(w->mso, "Name");
    w->xRoot = bj_cat_find_index(w->mso, "RootObjects");
    if (!w->xName || !w->xRoot)
        ERR(JET_errCatalogCorrupted);
    for (int i = 0; i < T_COUNT; i++) {
        CALL(bj_space_fdp_open(sdb, g_trees[i].pgno, &w->rgfdp[i]));
        bj_bt_alloc a = bj_space_fdp_allocator(w->rgfdp[i]);
        CALL(bj_bt_open(&w->rgt[i], dbc, g_trees[i].pgno, g_trees[i].objid, ~0u, &a));
        w->rgfOpen[i] = true;
    }
    *pw = w;
    w = NULL;
fail:
    bj_cat_writer_close(w);
    return err;
}

/* The secondary entry key of row in index x, or *pcb = 0 when the row is not in it. */
static JET_ERR sec_key(const bj_cat_writer *w, const bj_cat_index *x, const uint8_t *row,
                       uint32_t cb, uint8_t *key, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_keys k;
    bj_cat_keys_init(&k);
    *pcb = 0;
    CALL(bj_cat_index_keys(w->mso, x, row, cb, NULL, NULL, &k));
    if (k.ckey > 1)
        ERR(JET_errCatalogCorrupted);
    if (k.ckey == 1) {
        memcpy(key, k.pb + k.rgib[0], k.rgcb[0]);
        *pcb = k.rgcb[0];
    }
fail:
    bj_cat_keys_free(&k);
    return err;
}

JET_ERR bj_cat_writer_insert(bj_cat_writer *w, const uint8_t *row, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    uint8_t pk[JET_cbKeyMostMost], kName[JET_cbKeyMostMost], kRoot[JET_cbKeyMostMost];
    uint32_t cbPk = 0, cbName = 0, cbRoot = 0;
    int done = 0; /* trees changed so far, in g_trees order */
    CALL(bj_cat_primary_key(w->mso, row, cb, NULL, NULL, pk, &cbPk));
    CALL(sec_key(w, w->xName, row, cb, kName, &cbName));
    CALL(sec_key(w, w->xRoot, row, cb, kRoot, &cbRoot));
    CALL(bj_bt_insert(&w->rgt[T_MSO], pk, cbPk, row, cb, 0));
    done = 1;
    if (cbName)
        CALL(bj_bt_insert(&w->rgt[T_NAME], kName, cbName, pk, cbPk, 0));
    done = 2;
    if (cbRoot)
        CALL(bj_bt_insert(&w->rgt[T_ROOT], kRoot, cbRoot, pk, cbPk, 0));
    done = 3;
    CALL(bj_bt_insert(&w->rgt[T_SHADOW], pk, cbPk, row, cb, 0));
    done = 4;
fail:
    if (err < 0) {
        if (err == JET_errRecordDeleted)
            err = BJ_ERR(JET_errKeyDuplicate);
        if (done >= 3 && cbRoot)
            (void)bj_bt_delete(&w->rgt[T_ROOT], kRoot, cbRoot);
        if (done >= 2 && cbName)
            (void)bj_bt_delete(&w->rgt[T_NAME], kName, cbName);
        if (done >= 1)
            (void)bj_bt_delete(&w->rgt[T_MSO], pk, cbPk);
    }
    return err;
}

/* Primary key (ObjidTable, Type, Id) of a catalog row. */
static JET_ERR row_pk(const bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id,
                      uint8_t *pk, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    bj_key_builder *kb = bj_malloc(sizeof(*kb));
    uint8_t a[4], b[2], c[4];
    if (!kb)
        ERR(JET_errOutOfMemory);
    bj_st32(a, objidTable);
    bj_st16(b, type);
    bj_st32(c, id);
    bj_key_record_begin(kb, &w->mso->rgidx[0].key);
    CALL(bj_key_record_add(kb, false, a, 4));
    CALL(bj_key_record_add(kb, false, b, 2));
    CALL(bj_key_record_add(kb, false, c, 4));
    memcpy(pk, kb->rgb, kb->cb);
    *pcb = kb->cb;
fail:
    bj_free(kb);
    return err;
}

JET_ERR bj_cat_writer_read(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id,
                           uint8_t *out, uint32_t cbMax, uint32_t *pcb)
{
    JET_ERR err = JET_errSuccess;
    uint8_t pk[JET_cbKeyMostMost];
    uint32_t cbPk;
    bj_bt_cursor c;
    bool fCur = false;
    const uint8_t *pb;
    uint32_t cb;
    CALL(row_pk(w, objidTable, type, id, pk, &cbPk));
    CALL(bj_bt_cursor_open(&w->rgt[T_MSO], true, &c));
    fCur = true;
    CALL(bj_bt_seek(&c, pk, cbPk, BJ_BT_SEEK_EQ));
    CALL(bj_bt_get(&c, NULL, NULL, &pb, &cb, NULL));
    if (cb > cbMax)
        ERR(JET_errBufferTooSmall);
    memcpy(out, pb, cb);
    *pcb = cb;
fail:
    if (fCur)
        bj_bt_cursor_close(&c);
    return err;
}

JET_ERR bj_cat_writer_delete(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = w->dbc->cbPage;
    uint8_t *row = bj_malloc(cbPage);
    uint8_t pk[JET_cbKeyMostMost], kName[JET_cbKeyMostMost], kRoot[JET_cbKeyMostMost];
    uint32_t cb = 0, cbPk = 0, cbName = 0, cbRoot = 0;
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(bj_cat_writer_read(w, objidTable, type, id, row, cbPage, &cb));
    CALL(row_pk(w, objidTable, type, id, pk, &cbPk));
    CALL(sec_key(w, w->xName, row, cb, kName, &cbName));
    CALL(sec_key(w, w->xRoot, row, cb, kRoot, &cbRoot));
    if (cbRoot)
        CALL(bj_bt_delete(&w->rgt[T_ROOT], kRoot, cbRoot));
    if (cbName)
        CALL(bj_bt_delete(&w->rgt[T_NAME], kName, cbName));
    CALL(bj_bt_delete(&w->rgt[T_MSO], pk, cbPk));
    err = bj_bt_delete(&w->rgt[T_SHADOW], pk, cbPk);
    if (err == JET_errRecordNotFound) /* a shadow may lack rows (Catalog1.edb's is empty) */
        err = JET_errSuccess;
fail:
    bj_free(row);
    return err;
}

/* ---- crash-tolerant forms (DDL undo, also in crash recovery) ---- */

/* The row (objidTable, type, id) from MSysObjects, else from the shadow (a delete removes the
 * MSysObjects row before the shadow's). JET_errRecordNotFound when neither has it. */
static JET_ERR row_any(bj_cat_writer *w, const uint8_t *pk, uint32_t cbPk, uint8_t *out,
                       uint32_t cbMax, uint32_t *pcb)
{
    JET_ERR err = JET_errRecordNotFound;
    for (int i = 0; i < 2 && err == JET_errRecordNotFound; i++) {
        bj_bt_cursor c;
        const uint8_t *pb;
        uint32_t cb;
        err = bj_bt_cursor_open(&w->rgt[i ? T_SHADOW : T_MSO], true, &c);
        if (err < 0)
            break;
        err = bj_bt_seek(&c, pk, cbPk, BJ_BT_SEEK_EQ);
        if (err >= 0)
            err = bj_bt_get(&c, NULL, NULL, &pb, &cb, NULL);
        if (err >= 0 && cb > cbMax)
            err = BJ_ERR(JET_errBufferTooSmall);
        if (err >= 0) {
            memcpy(out, pb, cb);
            *pcb = cb;
        }
        bj_bt_cursor_close(&c);
    }
    return err;
}

/* Deletes the index entry key of tree it if it points to the row pk (absent: success). */
static JET_ERR entry_remove(bj_cat_writer *w, int it, const uint8_t *key, uint32_t cbKey,
                            const uint8_t *pk, uint32_t cbPk)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_cursor c;
    const uint8_t *pb;
    uint32_t cb;
    bool fMine = false;
    CALL(bj_bt_cursor_open(&w->rgt[it], true, &c));
    err = bj_bt_seek(&c, key, cbKey, BJ_BT_SEEK_EQ);
    if (err >= 0)
        err = bj_bt_get(&c, NULL, NULL, &pb, &cb, NULL);
    if (err >= 0)
        fMine = cb == cbPk && !memcmp(pb, pk, cb);
    bj_bt_cursor_close(&c);
    if (err == JET_errRecordNotFound || err == JET_errRecordDeleted)
        err = JET_errSuccess;
    CALL(err);
    if (fMine) {
        err = bj_bt_delete(&w->rgt[it], key, cbKey);
        if (err == JET_errRecordNotFound)
            err = JET_errSuccess;
    }
fail:
    return err;
}

JET_ERR bj_cat_writer_remove(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t cbPage = w->dbc->cbPage;
    uint8_t *row = bj_malloc(cbPage);
    uint8_t pk[JET_cbKeyMostMost], kName[JET_cbKeyMostMost], kRoot[JET_cbKeyMostMost];
    uint32_t cb = 0, cbPk = 0, cbName = 0, cbRoot = 0;
    if (!row)
        ERR(JET_errOutOfMemory);
    CALL(row_pk(w, objidTable, type, id, pk, &cbPk));
    err = row_any(w, pk, cbPk, row, cbPage, &cb);
    if (err == JET_errRecordNotFound) {
        err = JET_errSuccess;
        goto fail; /* neither tree has the row: its index entries went before it */
    }
    CALL(err);
    CALL(sec_key(w, w->xName, row, cb, kName, &cbName));
    CALL(sec_key(w, w->xRoot, row, cb, kRoot, &cbRoot));
    if (cbRoot)
        CALL(entry_remove(w, T_ROOT, kRoot, cbRoot, pk, cbPk));
    if (cbName)
        CALL(entry_remove(w, T_NAME, kName, cbName, pk, cbPk));
    for (int i = 0; i < 2; i++) {
        err = bj_bt_delete(&w->rgt[i ? T_SHADOW : T_MSO], pk, cbPk);
        if (err == JET_errRecordNotFound)
            err = JET_errSuccess;
        CALL(err);
    }
fail:
    bj_free(row);
    return err;
}

JET_ERR bj_cat_writer_restore(bj_cat_writer *w, const uint8_t *row, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    uint8_t pk[JET_cbKeyMostMost], kName[JET_cbKeyMostMost], kRoot[JET_cbKeyMostMost];
    uint32_t cbPk = 0, cbName = 0, cbRoot = 0;
    CALL(bj_cat_primary_key(w->mso, row, cb, NULL, NULL, pk, &cbPk));
    CALL(sec_key(w, w->xName, row, cb, kName, &cbName));
    CALL(sec_key(w, w->xRoot, row, cb, kRoot, &cbRoot));
    /* in bj_cat_writer_insert's order; a node already there is the row's (undo runs newest
     * change first, so nothing else can hold its keys) */
    struct {
        int it;
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
    } rg[4] = {{T_MSO, pk, row, cbPk, cb},
               {T_NAME, kName, pk, cbName, cbPk},
               {T_ROOT, kRoot, pk, cbRoot, cbPk},
               {T_SHADOW, pk, row, cbPk, cb}};
    for (int i = 0; i < 4; i++) {
        if (!rg[i].cbK)
            continue;
        err = bj_bt_insert(&w->rgt[rg[i].it], rg[i].k, rg[i].cbK, rg[i].d, rg[i].cbD, 0);
        if (err == JET_errKeyDuplicate)
            err = JET_errSuccess;
        CALL(err);
    }
fail:
    return err;
}
