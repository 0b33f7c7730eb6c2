/* check_records.c: phase 5 of `bluejet check`: records, long values and index entries.
 *
 * Per table whose tree passed phase 3: the LV tree is read first (every LVROOT with its
 * chunks: chunk keys must run LID || 0, LID || len0, ... with no gap, and the chunks must
 * cover exactly the LVROOT's size), then every record is validated against the table's schema
 * (bj_rec_validate) and every separated long value it references is looked up: it must exist,
 * and its LVROOT refcount must be >= the references found (ESE's rule: a refcount above the
 * references is a warning there, like an LV nothing references: notes here). Chunks of
 * compressed LVs store fewer bytes than their logical span (ESE's FLVCompressedChunk): 7-bit
 * chunks are sized by decoding, Xpress/LZ4 ones may cover up to the chunk size.
 * Then every secondary index entry
 * must point (its data is the primary bookmark) at an existing record. MSysObjects and its
 * shadow are checked the same way with the catalog's own record schema, and MSysObjects' Name
 * and RootObjects indexes against MSysObjects.
 * Not checked: that every record has its index entries (needs index-key extraction, which is
 * not built yet), LVs of compressed columns beyond their chunk layout.
 * Trees are only read when they passed phase 3, so leaf chains are known to be loop-free.
 * Single-threaded; no locks.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "check.h"
#include "page/page.h"
#include "rec/rec.h"

typedef struct lv_ent {
    uint64_t lid;
    uint32_t refcount;
    uint32_t cbSize;
    uint32_t refs; /* references found in records */
    uint32_t pgno; /* where its LVROOT is */
} lv_ent;

typedef struct lv_map {
    lv_ent *v;
    uint32_t n, cap;
    bool usable; /* the table has a sound LV tree */
} lv_map;

/* Key bytes as hex, at most 24 bytes then "...". */
static void hexkey(const uint8_t *k, uint32_t cb, char *out, size_t cch)
{
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < cb && i < 24 && n + 3 < cch; i++)
        n += (size_t)snprintf(out + n, cch - n, "%02x", k[i]);
    if (cb > 24 && n + 4 < cch)
        snprintf(out + n, cch - n, "...");
    if (cb == 0)
        snprintf(out, cch, "(empty)");
}

static lv_ent *lv_find(lv_map *m, uint64_t lid)
{
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].lid < lid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->v[lo].lid == lid ? &m->v[lo] : NULL;
}

static int lv_cmp(const void *a, const void *b)
{
    uint64_t x = ((const lv_ent *)a)->lid, y = ((const lv_ent *)b)->lid;
    return x < y ? -1 : x > y;
}

/* Where the LV being read stands: the logical bytes its chunks cover so far, as a range
 * [lo, hi] because a compressed chunk (ESE lv.cxx FLVCompressedChunk: stored smaller than the
 * logical span) covers more than it stores, and only 7-bit compression tells its size here. */
typedef struct lv_pos {
    int64_t ix; /* index in the map of the LV being read, -1 none */
    uint32_t lo, hi;
} lv_pos;

/* Ends the LV being read: its chunks must cover its size. */
static void lv_close_one(chk *c, const chk_tree *lt, lv_map *m, const lv_pos *ps)
{
    if (ps->ix < 0)
        return;
    const lv_ent *e = &m->v[ps->ix];
    if (e->cbSize < ps->lo || e->cbSize > ps->hi)
        chk_fault(c, CHK_RECORDS, e->pgno,
                  "%s: LID 0x%" PRIx64 ": LVROOT size %" PRIu32 " but its chunks hold %" PRIu32
                  " bytes (missing or extra chunk)",
                  lt->name, e->lid, e->cbSize, ps->lo);
}

/* Logical size range of one chunk of cb stored bytes at offset off of an LV of cbLV bytes
 * (chunk size most cbChunkMost). As ESE's FLVCompressedChunk (lv.cxx): a chunk is compressed
 * only when it stores fewer bytes than its span (cbChunkMost, or what remains of the LV);
 * a full-size chunk whose first byte merely looks like a compression header is plain data. */
static void chunk_span(const uint8_t *d, uint32_t cb, uint32_t off, uint32_t cbLV,
                       uint32_t cbChunkMost, uint32_t *plo, uint32_t *phi)
{
    *plo = *phi = cb;
    uint32_t cbExpected = off < cbLV ? BJ_MIN(cbChunkMost, cbLV - off) : 0;
    if (cb == 0 || cb >= cbChunkMost || cb >= cbExpected)
        return;
    uint32_t scheme = d[0] >> 3; /* rec.h: 1-2 7-bit, 3 Xpress, 5 Xpress9, 6 Xpress10, 7 LZ4 */
    if (scheme == 1 || scheme == 2) {
        uint32_t cbActual = 0;
        if (bj_rec_decompress(d, cb, NULL, 0, &cbActual) >= 0 && cbActual > cb)
            *plo = *phi = cbActual > cbChunkMost ? cb : cbActual;
    } else if (scheme == 3 || (scheme >= 5 && scheme <= 7)) {
        *phi = cbChunkMost;
    }
}

/* Reads the whole LV tree into m. */
static JET_ERR load_lvs(chk *c, const chk_tree *lt, uint32_t cbChunkMost, lv_map *m)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree bt;
    bj_bt_cursor cur;
    bool topen = false, copen = false;
    lv_pos ps = {-1, 0, 0};
    char kx[64];
    CALL(bj_bt_open(&bt, &c->dbc, lt->pgnoRoot, lt->objid, lt->flags, NULL));
    topen = true;
    CALL(bj_bt_cursor_open(&bt, true, &cur));
    copen = true;
    for (err = bj_bt_move_first(&cur); err >= 0; err = bj_bt_move_next(&cur)) {
        const uint8_t *k, *d;
        uint32_t cbk, cbd;
        CALL(bj_bt_get(&cur, &k, &cbk, &d, &cbd, NULL));
        uint64_t lid;
        bool fRoot;
        uint32_t off;
        if (bj_lv_parse_key(k, cbk, &lid, &fRoot, &off) < 0) {
            hexkey(k, cbk, kx, sizeof(kx));
            chk_fault(c, CHK_RECORDS, cur.pgno,
                      "%s: node with key %s is neither an LVROOT nor a chunk", lt->name, kx);
            continue;
        }
        if (fRoot) {
            lv_close_one(c, lt, m, &ps);
            ps.ix = -1;
            bj_lv_root root;
            if (bj_lv_root_decode(d, cbd, &root) < 0) {
                chk_fault(c, CHK_RECORDS, cur.pgno,
                          "%s: LID 0x%" PRIx64 ": LVROOT of %" PRIu32 " bytes (8 or 9 expected)",
                          lt->name, lid, cbd);
                continue;
            }
            if (m->n == m->cap) {
                uint32_t cap = m->cap ? 2 * m->cap : 256;
                lv_ent *v = bj_tool_realloc(m->v, (size_t)cap * sizeof(*v));
                if (!v)
                    ERR(JET_errOutOfMemory);
                m->v = v;
                m->cap = cap;
            }
            ps = (lv_pos){m->n, 0, 0};
            m->v[m->n++] = (lv_ent){lid, root.refcount, root.cbSize, 0, cur.pgno};
            c->nlvs++;
            continue;
        }
        if (ps.ix < 0 || m->v[ps.ix].lid != lid) {
            chk_fault(c, CHK_RECORDS, cur.pgno,
                      "%s: chunk of LID 0x%" PRIx64 " at offset %" PRIu32 " has no LVROOT",
                      lt->name, lid, off);
            continue;
        }
        if (off < ps.lo || off > ps.hi) {
            chk_fault(c, CHK_RECORDS, cur.pgno,
                      "%s: LID 0x%" PRIx64 ": chunk at offset %" PRIu32 ", expected offset %" PRIu32
                      " (missing chunk)",
                      lt->name, lid, off, ps.lo);
        }
        uint32_t lo, hi;
        chunk_span(d, cbd, off, m->v[ps.ix].cbSize, cbChunkMost, &lo, &hi);
        ps.lo = off + lo; /* resynchronised on the chunk's own offset: one fault per gap */
        ps.hi = off + hi;
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
        err = JET_errSuccess;
    if (err >= 0)
        lv_close_one(c, lt, m, &ps);
    /* keys of one tree are in order, but LID32/LID64 keys sort by bytes: sort by value */
    if (m->n)
        qsort(m->v, m->n, sizeof(*m->v), lv_cmp);
fail:
    if (copen)
        bj_bt_cursor_close(&cur);
    if (topen)
        bj_bt_close(&bt);
    return err;
}

/* Counts the separated-LV references of one (valid) record into m. */
static void record_lvs(chk *c, const chk_tree *tt, const bj_rec_schema *s, lv_map *m,
                       const uint8_t *key, uint32_t cbKey, const uint8_t *rec, uint32_t cbRec,
                       uint32_t pgno)
{
    uint32_t ntag = 0;
    char kx[64];
    if (bj_rec_tagged_count(s, rec, cbRec, &ntag) < 0)
        return;
    for (uint32_t i = 0; i < ntag; i++) {
        bj_rec_tagged_info info;
        if (bj_rec_tagged_at(s, rec, cbRec, i, &info) < 0)
            continue;
        for (uint32_t seq = 1; seq <= info.cValues; seq++) {
            bj_rec_value v;
            if (bj_rec_tagged_value_at(s, rec, cbRec, i, seq, &v) != JET_errSuccess)
                continue;
            if (!(v.flags & BJ_RECVAL_SEPARATED))
                continue;
            if (!m->usable)
                continue; /* reported once per table */
            lv_ent *e = lv_find(m, v.lid);
            if (!e) {
                hexkey(key, cbKey, kx, sizeof(kx));
                chk_fault(c, CHK_RECORDS, pgno,
                          "%s: record %s column %u references long value LID 0x%" PRIx64
                          ", which is not in the LV tree",
                          tt->name, kx, (unsigned)info.fid, v.lid);
                continue;
            }
            e->refs++;
        }
    }
}

/* Every record of a table tree against schema s; LV references into m. */
static JET_ERR check_table_records(chk *c, const chk_tree *tt, const bj_rec_schema *s, lv_map *m,
                                   chk_idx *ix)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree bt;
    bj_bt_cursor cur;
    bool topen = false, copen = false;
    char kx[64];
    CALL(bj_bt_open(&bt, &c->dbc, tt->pgnoRoot, tt->objid, tt->flags, NULL));
    topen = true;
    CALL(bj_bt_cursor_open(&bt, true, &cur));
    copen = true;
    for (err = bj_bt_move_first(&cur); err >= 0; err = bj_bt_move_next(&cur)) {
        const uint8_t *k, *d;
        uint32_t cbk, cbd;
        CALL(bj_bt_get(&cur, &k, &cbk, &d, &cbd, NULL));
        c->nrecords++;
        JET_ERR e = bj_rec_validate(s, d, cbd);
        if (e < 0) {
            hexkey(k, cbk, kx, sizeof(kx));
            chk_fault(c, CHK_RECORDS, cur.pgno,
                      "%s: record %s (page %" PRIu32 ") does not decode against the table's "
                      "schema: %s (%d)",
                      tt->name, kx, cur.pgno, bj_tool_err_name(e), (int)e);
            continue;
        }
        if (m)
            record_lvs(c, tt, s, m, k, cbk, d, cbd, cur.pgno);
        if (ix)
            CALL(chk_idx_record(ix, k, cbk, d, cbd, cur.pgno));
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
        err = JET_errSuccess;
fail:
    if (copen)
        bj_bt_cursor_close(&cur);
    if (topen)
        bj_bt_close(&bt);
    return err;
}

/* Every entry of a secondary index must name an existing record of its table; *pn = entries,
 * *pdangling = entries naming no record. */
static JET_ERR check_entries(chk *c, const chk_tree *tt, const chk_tree *it, uint64_t *pn,
                             uint32_t *pdangling)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree tbt, ibt;
    bj_bt_cursor tcur, icur;
    bool tto = false, tio = false, cto = false, cio = false;
    char kx[64], bx[64];
    CALL(bj_bt_open(&tbt, &c->dbc, tt->pgnoRoot, tt->objid, tt->flags, NULL));
    tto = true;
    CALL(bj_bt_open(&ibt, &c->dbc, it->pgnoRoot, it->objid, it->flags, NULL));
    tio = true;
    CALL(bj_bt_cursor_open(&tbt, true, &tcur));
    cto = true;
    CALL(bj_bt_cursor_open(&ibt, true, &icur));
    cio = true;
    for (err = bj_bt_move_first(&icur); err >= 0; err = bj_bt_move_next(&icur)) {
        const uint8_t *k, *d;
        uint32_t cbk, cbd;
        uint8_t nflags = 0;
        CALL(bj_bt_get(&icur, &k, &cbk, &d, &cbd, &nflags));
        c->nentries++;
        (*pn)++;
        JET_ERR e = cbd ? bj_bt_seek(&tcur, d, cbd, BJ_BT_SEEK_EQ) : JET_errRecordNotFound;
        if (e == JET_errRecordNotFound) {
            (*pdangling)++;
            hexkey(k, cbk, kx, sizeof(kx));
            hexkey(d, cbd, bx, sizeof(bx));
            chk_fault(c, CHK_RECORDS, icur.pgno,
                      "%s: entry %s (page %" PRIu32 ") points to record %s, which does not exist "
                      "in %s%s",
                      it->name, kx, icur.pgno, bx, tt->name,
                      (nflags & BJ_ND_VERSION) ? " (the entry is flagged fNDVersion: written by a "
                                                 "transaction not yet cleaned up)"
                                               : "");
        } else if (e < 0) {
            CALL(e);
        }
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
        err = JET_errSuccess;
fail:
    if (cio)
        bj_bt_cursor_close(&icur);
    if (cto)
        bj_bt_cursor_close(&tcur);
    if (tio)
        bj_bt_close(&ibt);
    if (tto)
        bj_bt_close(&tbt);
    return err;
}

/* Read errors of a sound tree (e.g. JET_errReadVerifyFailure) are faults; memory is fatal. */
static JET_ERR soft(chk *c, JET_ERR err, const chk_tree *t, const char *what)
{
    if (err >= 0 || err == JET_errOutOfMemory)
        return err;
    chk_fault(c, CHK_RECORDS, t->pgnoRoot, "%s: %s stopped: %s (%d)", t->name, what,
              bj_tool_err_name(err), (int)err);
    return JET_errSuccess;
}

static JET_ERR check_table(chk *c, const bj_cat_table *t)
{
    JET_ERR err = JET_errSuccess;
    lv_map m = {NULL, 0, 0, false};
    chk_idx *ix = NULL;
    const chk_tree *tt = chk_tree_by_root(c, t->pgnoFDP);
    if (!tt || !tt->ok) {
        chk_note(c, CHK_RECORDS, t->pgnoFDP,
                 "table '%s': records not checked (its tree failed the tree check)", t->szName);
        return JET_errSuccess;
    }
    const chk_tree *lt = t->pgnoLV ? chk_tree_by_root(c, t->pgnoLV) : NULL;
    if (lt && lt->ok) {
        uint32_t cbChunkMost = BJ_MAX(bj_lv_chunk_size(c->db.cbPage), t->cbLVChunkMax);
        CALL(soft(c, load_lvs(c, lt, cbChunkMost, &m), lt, "reading the long values"));
        m.usable = true;
    } else if (lt) {
        chk_note(c, CHK_RECORDS, t->pgnoLV,
                 "%s: long-value references not checked (the LV tree failed the tree check)",
                 lt->name);
    } else {
        m.usable = true; /* no LV tree: any separated reference is dangling */
    }
    CALL(chk_idx_open(c, t, tt, &ix));
    CALL(soft(c, check_table_records(c, tt, &t->schema, &m, ix), tt, "reading the records"));
    for (uint32_t i = 0; i < m.n; i++) {
        const lv_ent *e = &m.v[i];
        if (e->refs > e->refcount)
            chk_fault(c, CHK_RECORDS, e->pgno,
                      "%s: LID 0x%" PRIx64 ": refcount %" PRIu32 " but %" PRIu32
                      " references in records (refcount must be >= references)",
                      lt->name, e->lid, e->refcount, e->refs);
        else if (e->refs == 0)
            chk_note(c, CHK_RECORDS, e->pgno,
                     "%s: LID 0x%" PRIx64 " (refcount %" PRIu32 ") is referenced by no record "
                     "(orphaned LV: a warning in ESE's checker)",
                     lt->name, e->lid, e->refcount);
        else if (e->refs < e->refcount)
            chk_note(c, CHK_RECORDS, e->pgno,
                     "%s: LID 0x%" PRIx64 ": refcount %" PRIu32 ", %" PRIu32
                     " references (refcount too high: a warning in ESE's checker)",
                     lt->name, e->lid, e->refcount, e->refs);
    }
    for (uint32_t k = 0; k < t->cidx; k++) {
        const bj_cat_index *x = &t->rgidx[k];
        if (x->pgnoFDP == t->pgnoFDP)
            continue;
        const chk_tree *it = chk_tree_by_root(c, x->pgnoFDP);
        if (!it || !it->ok || it->objid != x->objid)
            continue; /* reported by phase 3 */
        uint64_t n = 0;
        uint32_t ndangling = 0;
        JET_ERR e = check_entries(c, tt, it, &n, &ndangling);
        CALL(soft(c, e, it, "reading the index entries"));
        if (e >= 0)
            chk_idx_entries(ix, x, n, ndangling);
    }
fail:
    chk_idx_close(ix);
    bj_tool_free(m.v);
    return err;
}

/* Whether the catalog describes the table rooted at pgno. */
static bool cat_has(const chk *c, uint32_t pgno)
{
    for (uint32_t i = 0; i < c->cat->ctbl; i++)
        if (c->cat->rgtbl[i]->pgnoFDP == pgno)
            return true;
    return false;
}

JET_ERR chk_records(chk *c)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_schema mso;
    bool msoInit = false;
    if (!c->cat)
        return JET_errSuccess;
    /* the catalog and its shadow describe themselves in the catalog (Windows files do); if
     * not, they are checked with MSysObjects' fixed schema and its two fixed indexes */
    CALL(bj_cat_mso_schema(&mso, c->db.cbPage));
    msoInit = true;
    static const uint32_t catRoots[] = {BJ_CAT_PGNO_MSO, BJ_CAT_PGNO_MSO_SHADOW};
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(catRoots); i++) {
        const chk_tree *tt = chk_tree_by_root(c, catRoots[i]);
        if (tt && tt->ok && !cat_has(c, catRoots[i]))
            CALL(soft(c, check_table_records(c, tt, &mso, NULL, NULL), tt, "reading the records"));
    }
    const chk_tree *msoTree = chk_tree_by_root(c, BJ_CAT_PGNO_MSO);
    static const uint32_t msoIdx[] = {7u, 10u}; /* Name, RootObjects (space.h's fixed layout) */
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(msoIdx) && !cat_has(c, BJ_CAT_PGNO_MSO); i++) {
        const chk_tree *it = chk_tree_by_root(c, msoIdx[i]);
        uint64_t n = 0;
        uint32_t nd = 0;
        if (msoTree && msoTree->ok && it && it->ok)
            CALL(soft(c, check_entries(c, msoTree, it, &n, &nd), it, "reading the index entries"));
    }
    for (uint32_t i = 0; i < c->cat->ctbl; i++)
        CALL(check_table(c, c->cat->rgtbl[i]));
fail:
    if (msoInit)
        bj_rec_schema_free(&mso);
    return err;
}
