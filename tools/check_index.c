/* check_index.c: the record -> index direction of phase 5 of `bluejet check`: for every record
 * of a table, the keys it must have in each secondary index (bj_cat_index_keys: ESE's null,
 * condition and multi-value rules) are looked up in that index as (key, primary bookmark), and
 * the record's own key is compared with the primary key its columns make (bj_cat_primary_key).
 * After the scan, an index whose entries all name records must hold exactly as many entries as
 * the records make keys (an extra entry with a wrong key is caught there).
 *
 * Left out, with a note: indexes with a Unicode text segment (Windows stores LCMapStringEx sort
 * keys, which we cannot reproduce: rec/key.h), tuple indexes, keys over separated long values.
 * Indexes whose tree failed phase 3 are not read. Single-threaded; no locks.
 */
#include <inttypes.h>

#include "cat/cat_ddl.h"
#include "check.h"

typedef struct idx_state {
    const bj_cat_index *x;
    const chk_tree *it;
    bj_bt_tree bt;
    bj_bt_cursor cur;
    bool topen, copen;
    bool countable; /* every record's keys were made: the entry count must match */
    uint64_t nkeys;
    uint32_t nmissing;
} idx_state;

struct chk_idx {
    chk *c;
    const bj_cat_table *t;
    const chk_tree *tt;
    idx_state *v;
    uint32_t n;
    bool primary; /* compare each record's key with its primary key */
    bj_cat_keys keys;
    uint8_t *pk; /* JET_cbKeyMostMost bytes */
};

/* Whether one of the index's segments is Unicode text. */
static bool has_unicode(const bj_cat_table *t, const bj_cat_index *x)
{
    for (uint32_t i = 0; i < x->cseg && i < JET_ccolKeyMost; i++) {
        const bj_cat_column *col = bj_cat_column_by_id(t, x->rgcolumnid[i]);
        if (!col)
            return true; /* unknown column: treat as not comparable */
        bool text = col->coltyp == JET_coltypText || col->coltyp == JET_coltypLongText;
        if (text && col->cp == BJ_KEY_CP_UNICODE)
            return true;
    }
    return false;
}

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

JET_ERR chk_idx_open(chk *c, const bj_cat_table *t, const chk_tree *tt, chk_idx **out)
{
    JET_ERR err = JET_errSuccess;
    chk_idx *ix = bj_tool_malloc(sizeof(*ix));
    *out = NULL;
    if (!ix)
        return BJ_ERR(JET_errOutOfMemory);
    memset(ix, 0, sizeof(*ix));
    ix->c = c;
    ix->t = t;
    ix->tt = tt;
    bj_cat_keys_init(&ix->keys);
    ix->pk = bj_tool_malloc(JET_cbKeyMostMost + 8);
    ix->v = bj_tool_malloc(((size_t)t->cidx + 1) * sizeof(*ix->v));
    if (!ix->pk || !ix->v)
        ERR(JET_errOutOfMemory);
    if (t->fHasPrimary && t->cidx > 0) {
        if (has_unicode(t, &t->rgidx[0]))
            chk_note(c, CHK_RECORDS, t->pgnoFDP,
                     "%s: record keys not compared with their primary key columns (Unicode "
                     "text: Windows sort keys cannot be reproduced here)",
                     tt->name);
        else
            ix->primary = true;
    }
    for (uint32_t k = 0; k < t->cidx; k++) {
        const bj_cat_index *x = &t->rgidx[k];
        if (x->pgnoFDP == t->pgnoFDP)
            continue;
        const chk_tree *it = chk_tree_by_root(c, x->pgnoFDP);
        if (!it || !it->ok || it->objid != x->objid)
            continue; /* phase 3 reported it */
        const char *why = NULL;
        if (x->grbit & JET_bitIndexTuples)
            why = "tuple index";
        else if (has_unicode(t, x))
            why = "Unicode text segment: Windows sort keys cannot be reproduced here";
        if (why) {
            chk_note(c, CHK_RECORDS, x->pgnoFDP, "%s: records not checked for their entries (%s)",
                     it->name, why);
            continue;
        }
        idx_state *s = &ix->v[ix->n];
        memset(s, 0, sizeof(*s));
        s->x = x;
        s->it = it;
        s->countable = true;
        CALL(bj_bt_open(&s->bt, &c->dbc, it->pgnoRoot, it->objid, it->flags, NULL));
        s->topen = true;
        ix->n++;
        CALL(bj_bt_cursor_open(&s->bt, true, &s->cur));
        s->copen = true;
    }
    *out = ix;
    return JET_errSuccess;
fail:
    chk_idx_close(ix);
    return err;
}

void chk_idx_close(chk_idx *ix)
{
    if (!ix)
        return;
    for (uint32_t i = 0; i < ix->n; i++) {
        if (ix->v[i].copen)
            bj_bt_cursor_close(&ix->v[i].cur);
        if (ix->v[i].topen)
            bj_bt_close(&ix->v[i].bt);
    }
    bj_cat_keys_free(&ix->keys);
    bj_tool_free(ix->pk);
    bj_tool_free(ix->v);
    bj_tool_free(ix);
}

/* Whether (key, bookmark) is an entry of the index. */
static JET_ERR has_entry(idx_state *s, const uint8_t *key, uint32_t cbKey, const uint8_t *bm,
                         uint32_t cbBm, bool *pfound)
{
    const uint8_t *k, *d;
    uint32_t cbk, cbd;
    *pfound = false;
    JET_ERR err = bj_bt_seek_kd(&s->cur, key, cbKey, bm, cbBm, BJ_BT_SEEK_EQ);
    if (err == JET_errRecordNotFound)
        return JET_errSuccess;
    if (err < 0)
        return err;
    err = bj_bt_get(&s->cur, &k, &cbk, &d, &cbd, NULL);
    if (err < 0)
        return err;
    *pfound = cbk == cbKey && cbd == cbBm && !memcmp(k, key, cbKey) && !memcmp(d, bm, cbBm);
    return JET_errSuccess;
}

JET_ERR chk_idx_record(chk_idx *ix, const uint8_t *bm, uint32_t cbBm, const uint8_t *rec,
                       uint32_t cbRec, uint32_t pgno)
{
    chk *c = ix->c;
    char bx[64], kx[64];
    JET_ERR e;
    if (ix->primary) {
        uint32_t cbPk = 0;
        e = bj_cat_primary_key(ix->t, rec, cbRec, NULL, NULL, ix->pk, &cbPk);
        if (e == JET_errOutOfMemory)
            return e;
        if (e >= 0 && (cbPk != cbBm || memcmp(ix->pk, bm, cbBm) != 0)) {
            hexkey(bm, cbBm, bx, sizeof(bx));
            hexkey(ix->pk, cbPk, kx, sizeof(kx));
            chk_fault(c, CHK_RECORDS, pgno,
                      "%s: record %s (page %" PRIu32 ") is stored under a key its primary key "
                      "columns do not make (%s)",
                      ix->tt->name, bx, pgno, kx);
        }
    }
    for (uint32_t i = 0; i < ix->n; i++) {
        idx_state *s = &ix->v[i];
        e = bj_cat_index_keys(ix->t, s->x, rec, cbRec, NULL, NULL, &ix->keys);
        if (e == JET_errOutOfMemory)
            return e;
        if (e == JET_errNullKeyDisallowed || e == JET_errKeyTruncated) {
            hexkey(bm, cbBm, bx, sizeof(bx));
            chk_fault(c, CHK_RECORDS, pgno,
                      "%s: record %s (page %" PRIu32 ") cannot be in this index: %s (%d)",
                      s->it->name, bx, pgno, bj_tool_err_name(e), (int)e);
            s->countable = false;
            continue;
        }
        if (e < 0) {
            s->countable = false; /* e.g. a key over a separated long value */
            continue;
        }
        for (uint32_t k = 0; k < ix->keys.ckey; k++) {
            const uint8_t *key = ix->keys.pb + ix->keys.rgib[k];
            uint32_t cbKey = ix->keys.rgcb[k];
            bool found = false;
            s->nkeys++;
            c->nkeysLooked++;
            e = has_entry(s, key, cbKey, bm, cbBm, &found);
            if (e == JET_errOutOfMemory)
                return e;
            if (e < 0) {
                chk_fault(c, CHK_RECORDS, s->it->pgnoRoot, "%s: lookup failed: %s (%d)",
                          s->it->name, bj_tool_err_name(e), (int)e);
                s->countable = false;
                continue;
            }
            if (!found) {
                s->nmissing++;
                hexkey(bm, cbBm, bx, sizeof(bx));
                hexkey(key, cbKey, kx, sizeof(kx));
                chk_fault(c, CHK_RECORDS, pgno,
                          "%s: record %s (page %" PRIu32 ") has no index entry with key %s",
                          s->it->name, bx, pgno, kx);
            }
        }
    }
    return JET_errSuccess;
}

void chk_idx_entries(chk_idx *ix, const bj_cat_index *x, uint64_t nentries, uint32_t ndangling)
{
    for (uint32_t i = 0; i < ix->n; i++) {
        idx_state *s = &ix->v[i];
        if (s->x != x || !s->countable || s->nmissing || ndangling)
            continue;
        if (nentries != s->nkeys)
            chk_fault(ix->c, CHK_RECORDS, s->it->pgnoRoot,
                      "%s: %" PRIu64 " entries, but the table's records make %" PRIu64
                      " keys (entries with wrong keys)",
                      s->it->name, nentries, s->nkeys);
    }
}

bool chk_idx_covers(const chk_idx *ix, const bj_cat_index *x)
{
    for (uint32_t i = 0; ix && i < ix->n; i++)
        if (ix->v[i].x == x)
            return true;
    return false;
}
