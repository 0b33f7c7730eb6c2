/* tbl_nav.c: table cursors: open/close, current index, moves, seeks, index ranges, bookmarks,
 * positions. The "driver" cursor is the secondary index cursor when the current index is
 * secondary, else the primary tree cursor. Every landing on a driver entry goes through
 * tbl_land: visibility (bj_tbl_visible), the index range, then the record copy.
 * Invariant: state == BJ_TBL_ON iff key/bm/rec hold the current entry and record.
 */
#include "os/os.h"
#include "page/page.h"
#include "tbl/tbl.h"
#include "tbl/tbl_int.h"

bool bj_tbl_visible(const bj_tbl *c, uint8_t nflags)
{
    (void)c;
    return !(nflags & BJ_ND_DELETED);
}

static bj_bt_cursor *drv(bj_tbl *c)
{
    return c->fSecondary ? &c->cIndex : &c->cPrimary;
}

static JET_ERR tbl_open(bj_bt_dbctx *dbc, bj_tbl_db *tdb, const bj_cat_table *t, bj_tbl **pc)
{
    JET_ERR err = JET_errSuccess;
    bj_tbl *c = bj_calloc(1, sizeof(*c));
    bool fPrimary = false, fCur = false;
    *pc = NULL;
    if (!c)
        ERR(JET_errOutOfMemory);
    c->dbc = dbc;
    c->t = t;
    c->tdb = tdb;
    c->key = bj_malloc(dbc->cbPage);
    c->bm = bj_malloc(dbc->cbPage);
    c->rec = bj_malloc(dbc->cbPage);
    c->rangeKey = bj_malloc(BJ_KEY_CB_LIMIT_MOST_MOST);
    if (!c->key || !c->bm || !c->rec || !c->rangeKey)
        ERR(JET_errOutOfMemory);
    if (c->tdb) {
        c->img = bj_malloc(dbc->cbPage);
        if (!c->img)
            ERR(JET_errOutOfMemory);
        CALL(bj_tbl_db_tree(c->tdb, t->pgnoFDP, t->objid, &c->ptPrimary));
    } else {
        CALL(bj_bt_open(&c->trPrimary, dbc, t->pgnoFDP, t->objid, ~0u, NULL));
        c->ptPrimary = &c->trPrimary;
        fPrimary = true;
    }
    CALL(bj_bt_cursor_open(c->ptPrimary, false, &c->cPrimary));
    fCur = true;
    if (t->objidLV) {
        if (c->tdb) {
            CALL(bj_tbl_db_tree(c->tdb, t->pgnoLV, t->objidLV, &c->ptLV));
        } else {
            CALL(bj_bt_open(&c->trLV, dbc, t->pgnoLV, t->objidLV, ~0u, NULL));
            c->ptLV = &c->trLV;
        }
        c->fLVOpen = true;
    }
    c->idx = t->fHasPrimary ? &t->rgidx[0] : NULL;
    if (c->idx)
        bj_key_builder_init(&c->kb, &c->idx->key);
    c->state = BJ_TBL_BEFORE_FIRST;
    *pc = c;
    return JET_errSuccess;
fail:
    if (c) {
        if (fCur)
            bj_bt_cursor_close(&c->cPrimary);
        if (fPrimary)
            bj_bt_close(&c->trPrimary);
        bj_free(c->img);
        bj_free(c->key);
        bj_free(c->bm);
        bj_free(c->rec);
        bj_free(c->rangeKey);
        bj_free(c);
    }
    return err;
}

JET_ERR bj_tbl_open(bj_bt_dbctx *dbc, const bj_cat_table *t, bj_tbl **pc)
{
    return tbl_open(dbc, NULL, t, pc);
}

JET_ERR bj_tbl_open_db(bj_tbl_db *d, const bj_cat_table *t, bj_tbl **pc)
{
    return tbl_open(bj_tbl_db_dbc(d), d, t, pc);
}

static void close_index(bj_tbl *c)
{
    if (c->fIndexOpen) {
        bj_bt_cursor_close(&c->cIndex);
        if (c->ptIndex == &c->trIndex)
            bj_bt_close(&c->trIndex);
        c->fIndexOpen = false;
    }
    c->fSecondary = false;
}

void bj_tbl_close(bj_tbl *c)
{
    if (!c)
        return;
    bj_tbl_update_free(c);
    close_index(c);
    if (c->fLVOpen && c->ptLV == &c->trLV)
        bj_bt_close(&c->trLV);
    bj_bt_cursor_close(&c->cPrimary);
    if (c->ptPrimary == &c->trPrimary)
        bj_bt_close(&c->trPrimary);
    bj_free(c->img);
    bj_free(c->key);
    bj_free(c->bm);
    bj_free(c->rec);
    bj_free(c->rangeKey);
    bj_free(c);
}

void bj_tbl_retarget(bj_tbl *c, const bj_cat_table *t)
{
    if (t == c->t || t->objid != c->t->objid)
        return;
    c->t = t;
    if (!c->idx) {
        /* a primary index created since (on the empty table): ESE's cursor on the clustered
         * index moves to it */
        if (t->fHasPrimary && !c->fSecondary &&
            tbl_row_seen(c, BJ_CAT_TYPE_INDEX, t->rgidx[0].objid)) {
            c->idx = &t->rgidx[0];
            bj_key_builder_init(&c->kb, &c->idx->key);
        }
        return;
    }
    for (uint32_t i = 0; i < t->cidx; i++) {
        if (t->rgidx[i].objid == c->idx->objid) {
            /* the same definition in the newer version: the key being made stays valid */
            c->idx = &t->rgidx[i];
            c->kb.idx = &c->idx->key;
            return;
        }
    }
    /* the current index is gone from the newer version (deleted): c->idx stays in the older
     * version, which lives as long as the database is attached */
}

const char *bj_tbl_index_name(const bj_tbl *c)
{
    return c->idx ? c->idx->szName : "";
}

/* ---- landing on an entry ---- */

/* Is the driver's current entry past the index range? */
static bool out_of_range(const bj_tbl *c, const uint8_t *key, uint32_t cbKey)
{
    if (!c->fRange)
        return false;
    /* the whole key, as ESE's ErrFUCBCheckIndexRange (CmpKey): a shorter limit key sorts
     * before the entries it is a prefix of (a prefix range needs a limit key) */
    int cmp = bj_keycmp(key, cbKey, c->rangeKey, c->cbRangeKey);
    if (c->fRangeUpper)
        return c->fRangeInclusive ? cmp > 0 : cmp >= 0;
    return c->fRangeInclusive ? cmp < 0 : cmp <= 0;
}

/* Reads the driver's entry: *pfVisible false when bj_tbl_visible hides it. Copies key and
 * bookmark; the record is loaded by tbl_load_record. */
static JET_ERR read_entry(bj_tbl *c, bool *pfVisible)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    const uint32_t objid = c->fSecondary ? c->idx->objid : c->t->objid;
    CALL(bj_tbl_see(c, drv(c), objid, &k, &cbK, &d, &cbD, pfVisible));
    if (!*pfVisible)
        goto fail;
    memcpy(c->key, k, cbK);
    c->cbKey = cbK;
    if (c->fSecondary) {
        if (cbD == 0 || cbD > c->dbc->cbPage)
            ERR(JET_errDatabaseCorrupted);
        memcpy(c->bm, d, cbD);
        c->cbBm = cbD;
    } else {
        memcpy(c->bm, k, cbK);
        c->cbBm = cbK;
        if (cbD > c->dbc->cbPage)
            ERR(JET_errDatabaseCorrupted);
        memcpy(c->rec, d, cbD);
        c->cbRec = cbD;
    }
fail:
    return err;
}

/* Fetches the record of the current secondary entry by its primary bookmark. */
static JET_ERR load_record(bj_tbl *c)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    bool vis;
    c->fCurDeleted = false;
    if (!c->fSecondary)
        return JET_errSuccess;
    err = bj_bt_seek(&c->cPrimary, c->bm, c->cbBm, BJ_BT_SEEK_EQ);
    if (err == JET_errRecordNotFound)
        ERR(JET_errDatabaseCorrupted); /* an index entry without its record */
    CALL(err);
    CALL(bj_tbl_see(c, &c->cPrimary, c->t->objid, &k, &cbK, &d, &cbD, &vis));
    if (!vis)
        ERR(JET_errDatabaseCorrupted);
    memcpy(c->rec, d, cbD);
    c->cbRec = cbD;
fail:
    return err;
}

/* From the driver's position (err = result of the btree call that placed it), steps in
 * direction dir (+1/-1) over invisible entries and lands: range check, record copy.
 * JET_errNoCurrentRecord at the end (state AFTER_LAST / BEFORE_FIRST). */
static JET_ERR land(bj_tbl *c, JET_ERR errPos, int dir)
{
    JET_ERR err = errPos;
    bool vis = false;
    while (err >= 0) {
        CALL(read_entry(c, &vis));
        if (vis)
            break;
        err = dir > 0 ? bj_bt_move_next(drv(c)) : bj_bt_move_prev(drv(c));
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound) {
        c->state = dir > 0 ? BJ_TBL_AFTER_LAST : BJ_TBL_BEFORE_FIRST;
        ERR(JET_errNoCurrentRecord);
    }
    CALL(err);
    if (out_of_range(c, c->key, c->cbKey)) {
        c->state = dir > 0 ? BJ_TBL_AFTER_LAST : BJ_TBL_BEFORE_FIRST;
        ERR(JET_errNoCurrentRecord);
    }
    CALL(load_record(c));
    c->state = BJ_TBL_ON;
    err = JET_errSuccess;
fail:
    if (err < 0 && err != JET_errNoCurrentRecord)
        c->state = BJ_TBL_NONE;
    return err;
}

static JET_ERR move_first(bj_tbl *c)
{
    return land(c, bj_bt_move_first(drv(c)), +1);
}

static JET_ERR move_last(bj_tbl *c)
{
    return land(c, bj_bt_move_last(drv(c)), -1);
}

static JET_ERR move_step(bj_tbl *c, int dir)
{
    switch (c->state) {
    case BJ_TBL_BEFORE_FIRST:
        return dir > 0 ? move_first(c) : BJ_ERR(JET_errNoCurrentRecord);
    case BJ_TBL_AFTER_LAST:
        return dir < 0 ? move_last(c) : BJ_ERR(JET_errNoCurrentRecord);
    case BJ_TBL_ON:
        return land(c, dir > 0 ? bj_bt_move_next(drv(c)) : bj_bt_move_prev(drv(c)), dir);
    default:
        return BJ_ERR(JET_errNoCurrentRecord);
    }
}

JET_ERR bj_tbl_move(bj_tbl *c, int32_t crow, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    if (grbit & ~(JET_GRBIT)JET_bitMoveKeyNE)
        ERR(JET_errInvalidGrbit);
    if (crow == (int32_t)JET_MoveFirst) {
        c->fRange = false;
        CALL(move_first(c));
    } else if (crow == JET_MoveLast) {
        c->fRange = false;
        CALL(move_last(c));
    } else if (crow != 0) {
        const int dir = crow > 0 ? 1 : -1;
        uint32_t n = crow > 0 ? (uint32_t)crow : (uint32_t)(-(int64_t)crow);
        uint8_t *prev = NULL;
        uint32_t cbPrev = 0;
        if ((grbit & JET_bitMoveKeyNE) && c->state == BJ_TBL_ON) {
            prev = bj_malloc(c->cbKey ? c->cbKey : 1);
            if (!prev)
                ERR(JET_errOutOfMemory);
            memcpy(prev, c->key, c->cbKey);
            cbPrev = c->cbKey;
        }
        while (n > 0) {
            err = move_step(c, dir);
            if (err < 0)
                break;
            if (prev && bj_keycmp(prev, cbPrev, c->key, c->cbKey) == 0)
                continue;
            if (prev) {
                memcpy(prev, c->key, c->cbKey); /* cbKey <= cbPage; realloc-free: same key */
                cbPrev = c->cbKey;
            }
            n--;
        }
        bj_free(prev);
        CALL(err);
    } else if (c->state != BJ_TBL_ON) {
        ERR(JET_errNoCurrentRecord);
    }
fail:
    return err;
}

/* ---- current index ---- */

JET_ERR bj_tbl_set_index(bj_tbl *c, const char *szIndex, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    if (grbit != JET_bitMoveFirst && grbit != JET_bitNoMove)
        ERR(JET_errInvalidGrbit);
    const bj_cat_index *x = NULL;
    if (szIndex && szIndex[0]) {
        x = bj_cat_find_index(c->t, szIndex);
        /* an index another transaction is creating (or has not committed) is not there yet */
        if (!x || !tbl_row_seen(c, BJ_CAT_TYPE_INDEX, x->objid))
            ERR(JET_errIndexNotFound);
    } else {
        x = c->t->fHasPrimary ? &c->t->rgidx[0] : NULL;
    }
    if ((x ? x->objid : 0) == (c->idx ? c->idx->objid : 0) && grbit == JET_bitNoMove)
        goto fail; /* same index: nothing changes */
    const bool wasOn = c->state == BJ_TBL_ON;
    uint8_t *bm = NULL;
    uint32_t cbBm = c->cbBm;
    if (wasOn && grbit == JET_bitNoMove) {
        bm = bj_malloc(cbBm ? cbBm : 1);
        if (!bm)
            ERR(JET_errOutOfMemory);
        memcpy(bm, c->bm, cbBm);
    }
    close_index(c);
    c->fRange = false;
    c->idx = x;
    if (x && x->pgnoFDP != c->t->pgnoFDP) {
        if (c->tdb) {
            err = bj_tbl_db_tree(c->tdb, x->pgnoFDP, x->objid, &c->ptIndex);
            if (err >= 0)
                err = bj_bt_cursor_open(c->ptIndex, false, &c->cIndex);
        } else {
            err = bj_bt_open(&c->trIndex, c->dbc, x->pgnoFDP, x->objid, ~0u, NULL);
            c->ptIndex = &c->trIndex;
            if (err >= 0) {
                err = bj_bt_cursor_open(&c->trIndex, false, &c->cIndex);
                if (err < 0)
                    bj_bt_close(&c->trIndex);
            }
        }
        if (err < 0) {
            bj_free(bm);
            c->idx = c->t->fHasPrimary ? &c->t->rgidx[0] : NULL;
            goto fail;
        }
        c->fIndexOpen = true;
        c->fSecondary = true;
    }
    if (x)
        bj_key_builder_init(&c->kb, &x->key);
    else
        memset(&c->kb, 0, sizeof(c->kb));
    c->state = BJ_TBL_BEFORE_FIRST;
    if (bm) {
        err = bj_tbl_goto_bookmark(c, bm, cbBm);
        bj_free(bm);
        CALL(err);
    } else if (grbit == JET_bitMoveFirst) {
        err = move_first(c);
        if (err == JET_errNoCurrentRecord)
            err = JET_errSuccess; /* an empty index: no error, no current record */
        CALL(err);
    }
fail:
    return err;
}

/* ---- keys, seeks, ranges ---- */

JET_ERR bj_tbl_make_key(bj_tbl *c, const void *pv, uint32_t cb, JET_GRBIT grbit)
{
    if (!c->idx)
        return BJ_ERR(JET_errNoCurrentIndex);
    return bj_key_make(&c->kb, pv, cb, grbit);
}

/* Positions the driver on the first visible entry >= key (shortest compare not needed: a
 * prefix sorts before its extensions). Returns as land(). */
static JET_ERR seek_ge(bj_tbl *c, const uint8_t *key, uint32_t cbKey)
{
    JET_ERR err = bj_bt_seek(drv(c), key, cbKey, BJ_BT_SEEK_GE);
    if (err == JET_wrnSeekNotEqual)
        err = JET_errSuccess;
    return land(c, err, +1);
}

JET_ERR bj_tbl_seek(bj_tbl *c, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    const JET_GRBIT modes =
        JET_bitSeekEQ | JET_bitSeekLT | JET_bitSeekLE | JET_bitSeekGE | JET_bitSeekGT;
    const JET_GRBIT mode = grbit & modes;
    if (!mode)
        ERR(JET_errInvalidParameter);
    if ((mode & (mode - 1)) || (grbit & ~(modes | JET_bitSetIndexRange)) ||
        ((grbit & JET_bitSetIndexRange) && mode != JET_bitSeekEQ))
        ERR(JET_errInvalidGrbit);
    if (!c->idx || !c->kb.fPrepared)
        ERR(JET_errKeyNotMade);
    uint8_t k[BJ_KEY_CB_LIMIT_MOST_MOST];
    const uint32_t cbK = c->kb.cb;
    memcpy(k, c->kb.rgb, cbK);
    c->fRange = false;
    err = seek_ge(c, k, cbK);
    const bool fOn = err >= 0;
    if (err < 0 && err != JET_errNoCurrentRecord)
        goto fail;
    /* an entry matches only when the whole keys are equal (ErrIsamSeek: CmpKey / FKeysEqual):
     * a key of fewer columns sorts before the entries it is a prefix of */
    const bool fEq = fOn && bj_keycmp(c->key, c->cbKey, k, cbK) == 0;
    switch (mode) {
    case JET_bitSeekEQ:
        if (!fEq)
            ERR(JET_errRecordNotFound);
        err = JET_errSuccess;
        if (grbit & JET_bitSetIndexRange) {
            memcpy(c->rangeKey, k, cbK);
            c->cbRangeKey = cbK;
            c->fRange = c->fRangeUpper = c->fRangeInclusive = true;
        }
        break;
    case JET_bitSeekGE:
        if (!fOn)
            ERR(JET_errRecordNotFound);
        err = fEq ? JET_errSuccess : JET_wrnSeekNotEqual;
        break;
    case JET_bitSeekGT:
        err = fOn ? JET_errSuccess : JET_errNoCurrentRecord;
        while (err >= 0 && bj_keycmp(c->key, c->cbKey, k, cbK) == 0)
            err = move_step(c, +1);
        if (err == JET_errNoCurrentRecord)
            ERR(JET_errRecordNotFound);
        CALL(err);
        break;
    case JET_bitSeekLE:
    case JET_bitSeekLT: {
        bool fAnyEq = false;
        err = fOn ? JET_errSuccess : JET_errNoCurrentRecord;
        if (mode == JET_bitSeekLE) {
            while (err >= 0 && bj_keycmp(c->key, c->cbKey, k, cbK) == 0) {
                fAnyEq = true;
                err = move_step(c, +1);
            }
        }
        if (err < 0 && err != JET_errNoCurrentRecord)
            goto fail;
        if (err == JET_errNoCurrentRecord)
            c->state = BJ_TBL_AFTER_LAST;
        err = move_step(c, -1);
        if (err == JET_errNoCurrentRecord)
            ERR(JET_errRecordNotFound);
        CALL(err);
        err = mode == JET_bitSeekLE && !fAnyEq ? JET_wrnSeekNotEqual : JET_errSuccess;
        break;
    }
    }
fail:
    if (err == JET_errRecordNotFound)
        c->state = BJ_TBL_NONE;
    return err;
}

JET_ERR bj_tbl_set_index_range(bj_tbl *c, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    const JET_GRBIT all = JET_bitRangeInclusive | JET_bitRangeUpperLimit |
                          JET_bitRangeInstantDuration | JET_bitRangeRemove;
    if (grbit & ~all)
        ERR(JET_errInvalidGrbit);
    if (grbit & JET_bitRangeRemove) {
        if (!c->fRange)
            ERR(JET_errInvalidOperation);
        c->fRange = false;
        goto fail;
    }
    if (!c->idx || !c->kb.fPrepared)
        ERR(JET_errKeyNotMade);
    memcpy(c->rangeKey, c->kb.rgb, c->kb.cb);
    c->cbRangeKey = c->kb.cb;
    /* ESE's ErrIsamSetIndexRange consumes the search key (KSReset), hit or not */
    bj_key_builder_init(&c->kb, &c->idx->key);
    if (c->state != BJ_TBL_ON)
        ERR(JET_errNoCurrentRecord);
    c->fRangeUpper = grbit & JET_bitRangeUpperLimit;
    c->fRangeInclusive = grbit & JET_bitRangeInclusive;
    c->fRange = true;
    if (out_of_range(c, c->key, c->cbKey)) {
        /* ErrDIRICheckIndexRange: no range, the cursor past the end the limit is on */
        c->fRange = false;
        c->state = c->fRangeUpper ? BJ_TBL_AFTER_LAST : BJ_TBL_BEFORE_FIRST;
        ERR(JET_errNoCurrentRecord);
    }
    if (grbit & JET_bitRangeInstantDuration)
        c->fRange = false;
fail:
    return err;
}

JET_ERR bj_tbl_index_record_count(bj_tbl *c, uint32_t *pcrec, uint32_t cMax)
{
    JET_ERR err = JET_errSuccess;
    uint32_t n = 0;
    *pcrec = 0;
    if (c->state != BJ_TBL_ON)
        ERR(JET_errNoCurrentRecord);
    /* walk a second cursor so the current position stays */
    bj_bt_cursor cur;
    bj_bt_tree *tr = c->fSecondary ? c->ptIndex : c->ptPrimary;
    CALL(bj_bt_cursor_open(tr, false, &cur));
    for (err = bj_bt_seek(&cur, c->key, c->cbKey, BJ_BT_SEEK_GE); err >= 0;
         err = bj_bt_move_next(&cur)) {
        const uint8_t *k, *d;
        uint32_t cbK, cbD;
        bool vis;
        err = bj_tbl_see(c, &cur, c->fSecondary ? c->idx->objid : c->t->objid, &k, &cbK, &d, &cbD,
                         &vis);
        if (err < 0)
            break;
        if (!vis)
            continue;
        if (out_of_range(c, k, cbK))
            break;
        /* on a non-unique index, equal keys before ours (smaller bookmarks) are not counted */
        if (n == 0 && c->fSecondary && bj_keycmp(k, cbK, c->key, c->cbKey) == 0 &&
            bj_keycmp(d, cbD, c->bm, c->cbBm) < 0)
            continue;
        n++;
        if (cMax && n >= cMax)
            break;
    }
    bj_bt_cursor_close(&cur);
    if (err < 0 && err != JET_errNoCurrentRecord && err != JET_errRecordNotFound)
        goto fail;
    err = JET_errSuccess;
    *pcrec = n;
fail:
    return err;
}

/* ---- bookmarks and positions ---- */

JET_ERR bj_tbl_get_bookmark(bj_tbl *c, void *pv, uint32_t cbMax, uint32_t *pcbActual)
{
    JET_ERR err = JET_errSuccess;
    if (c->state != BJ_TBL_ON)
        ERR(JET_errNoCurrentRecord);
    if (pcbActual)
        *pcbActual = c->cbBm;
    if (pv)
        memcpy(pv, c->bm, BJ_MIN(cbMax, c->cbBm));
    if (cbMax < c->cbBm)
        err = pv ? JET_wrnBufferTruncated : BJ_ERR(JET_errBufferTooSmall);
fail:
    return err;
}

JET_ERR bj_tbl_goto_bookmark(bj_tbl *c, const void *pv, uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *k, *d;
    uint32_t cbK, cbD;
    if (cb == 0 || cb > c->dbc->cbPage)
        ERR(JET_errInvalidBookmark);
    err = bj_bt_seek(&c->cPrimary, pv, cb, BJ_BT_SEEK_EQ);
    if (err == JET_errRecordNotFound)
        ERR(JET_errRecordDeleted);
    CALL(err);
    bool vis;
    CALL(bj_tbl_see(c, &c->cPrimary, c->t->objid, &k, &cbK, &d, &cbD, &vis));
    if (!vis)
        ERR(JET_errRecordDeleted);
    c->fCurDeleted = false;
    if (!c->fSecondary) {
        c->state = BJ_TBL_ON;
        memcpy(c->key, k, cbK);
        c->cbKey = cbK;
        memcpy(c->bm, k, cbK);
        c->cbBm = cbK;
        memcpy(c->rec, d, cbD);
        c->cbRec = cbD;
        goto fail;
    }
    /* secondary: find the index entry whose bookmark is this record's (a scan: the index key
     * of a Windows-written Unicode index cannot be rebuilt here, see key.h) */
    for (err = bj_bt_move_first(&c->cIndex); err >= 0; err = bj_bt_move_next(&c->cIndex)) {
        CALL(bj_tbl_see(c, &c->cIndex, c->idx->objid, &k, &cbK, &d, &cbD, &vis));
        if (vis && bj_keycmp(d, cbD, pv, cb) == 0)
            break;
    }
    if (err == JET_errNoCurrentRecord)
        ERR(JET_errRecordDeleted); /* the record is not in this index (e.g. NULL keys) */
    CALL(err);
    CALL(read_entry(c, &vis));
    CALL(load_record(c));
    c->state = BJ_TBL_ON;
fail:
    return err;
}

JET_ERR bj_tbl_retrieve_key(bj_tbl *c, void *pv, uint32_t cbMax, uint32_t *pcbActual,
                            JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    const uint8_t *k;
    uint32_t cb;
    if (grbit & ~(JET_GRBIT)JET_bitRetrieveCopy)
        ERR(JET_errInvalidGrbit);
    if (grbit & JET_bitRetrieveCopy) {
        if (!c->idx || !c->kb.fPrepared)
            ERR(JET_errKeyNotMade);
        k = c->kb.rgb;
        cb = c->kb.cb;
    } else {
        if (c->state != BJ_TBL_ON)
            ERR(JET_errNoCurrentRecord);
        k = c->key;
        cb = c->cbKey;
    }
    if (pcbActual)
        *pcbActual = cb;
    if (pv)
        memcpy(pv, k, BJ_MIN(cb, cbMax));
    if (cbMax < cb)
        err = JET_wrnBufferTruncated;
fail:
    return err;
}

JET_ERR bj_tbl_get_position(bj_tbl *c, uint32_t *pcentryLT, uint32_t *pcentryTotal)
{
    JET_ERR err = JET_errSuccess;
    uint64_t lt = 0, total = 0;
    if (c->state != BJ_TBL_ON)
        ERR(JET_errNoCurrentRecord);
    CALL(bj_bt_get_position(drv(c), &lt, &total));
    while (total > UINT32_MAX) {
        lt >>= 1;
        total >>= 1;
    }
    *pcentryLT = (uint32_t)lt;
    *pcentryTotal = (uint32_t)total;
fail:
    return err;
}

JET_ERR bj_tbl_goto_position(bj_tbl *c, uint32_t centryLT, uint32_t centryTotal)
{
    JET_ERR err = JET_errSuccess;
    if (centryTotal == 0 || centryLT >= centryTotal)
        ERR(JET_errInvalidParameter);
    c->fRange = false;
    err = bj_bt_goto_position(drv(c), centryLT, centryTotal);
    if (err == JET_errRecordNotFound)
        err = BJ_ERR(JET_errNoCurrentRecord);
    err = land(c, err, +1);
fail:
    return err;
}
