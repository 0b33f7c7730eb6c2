/* cat_load.c: MSysObjects rows -> table descriptors. Reads the catalog tree in key order,
 * parses and validates each row with the fixed MSysObjects schema, and attaches column, index
 * and LV rows to the table row before them (same ObjidTable). Template resolution and the
 * per-table record schema / key descriptions are built by cat_finish (cat_schema.c).
 * Invariant: every row is validated before it is used; a bad one fails the whole load with
 * JET_errCatalogCorrupted (nothing half-built escapes: the catalog is freed).
 */
#include <stdio.h>

#include "cat/cat_int.h"
#include "os/os.h"

/* MSysObjects column ids (cat.cxx fidMSO_*). */
enum {
    MSO_OBJIDTABLE = 1,
    MSO_TYPE = 2,
    MSO_ID = 3,
    MSO_COLTYP_PGNOFDP = 4,
    MSO_SPACEUSAGE = 5,
    MSO_FLAGS = 6,
    MSO_PAGES_LOCALE = 7,
    MSO_ROOTFLAG = 8,
    MSO_RECORDOFFSET = 9,
    MSO_LCMAPFLAGS = 10,
    MSO_KEYMOST = 11,
    MSO_LVCHUNKMAX = 12,
    MSO_NAME = 128,
    MSO_STATS = 129,
    MSO_TEMPLATE = 130,
    MSO_DEFAULT = 131,
    MSO_KEYFLDIDS = 132,
    MSO_VARSEGMAC = 133,
    MSO_CONDCOLS = 134,
    MSO_LOCALENAME = 261,
};

static JET_ERR mso_add(bj_rec_schema *s, JET_COLUMNID id, JET_COLTYP t, uint32_t cbMax)
{
    bj_rec_column c = {0};
    c.columnid = id;
    c.coltyp = t;
    c.cbMax = cbMax;
    c.cp = t == JET_coltypText ? BJ_REC_CP_ASCII : 0;
    return bj_rec_schema_add(s, &c);
}

JET_ERR bj_cat_mso_schema(bj_rec_schema *s, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    static const JET_COLTYP fixed[] = {JET_coltypLong,    JET_coltypShort,         JET_coltypLong,
                                       JET_coltypLong,    JET_coltypLong,          JET_coltypLong,
                                       JET_coltypLong,    JET_coltypBit,           JET_coltypShort,
                                       JET_coltypLong,    JET_coltypUnsignedShort, JET_coltypLong,
                                       JET_coltypLongLong /* 13 PgnoFDPLastSetTime (newest ESE) */};
    CALL(bj_rec_schema_init(s, cbPage));
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(fixed); i++)
        CALL(mso_add(s, i + 1, fixed[i], 0));
    for (JET_COLUMNID id = MSO_NAME; id <= 137; id++)
        CALL(mso_add(
            s, id, id == MSO_NAME || id == MSO_TEMPLATE ? JET_coltypText : JET_coltypBinary, 255));
    for (JET_COLUMNID id = 256; id <= MSO_LOCALENAME; id++)
        CALL(mso_add(s, id, JET_coltypLongBinary, 0));
    CALL(bj_rec_schema_finish(s));
fail:
    if (err < 0)
        bj_rec_schema_free(s);
    return err;
}

/* ---- one row ---- */

typedef struct cat_row {
    uint32_t objidTable, id, coltypOrPgno, spaceUsage, flags, pagesOrLocale, lcmapFlags;
    uint32_t keyMost, lvChunkMax;
    uint16_t type, recordOffset;
    bool fKeyMost, fRecordOffset;
    char szName[JET_cbNameMost + 1];
    char szTemplate[JET_cbNameMost + 1];
    bj_rec_value vDefault, vKeyFld, vVarSegMac, vCond, vLocale;
} cat_row;

/* A fixed column of width cb; *pf = present (not NULL). */
static JET_ERR row_fixed(const bj_rec_schema *s, const uint8_t *rec, uint32_t cbRec,
                         JET_COLUMNID id, uint32_t cb, uint32_t *pv, bool *pf)
{
    bj_rec_value v;
    JET_ERR err = bj_rec_retrieve(s, rec, cbRec, id, 1, 0, &v);
    *pv = 0;
    if (pf)
        *pf = false;
    if (err < 0)
        return BJ_ERR(JET_errCatalogCorrupted);
    if (err == JET_wrnColumnNull)
        return JET_errSuccess;
    if (v.cb != cb)
        return BJ_ERR(JET_errCatalogCorrupted);
    *pv = cb == 4 ? bj_ld32(v.pb) : cb == 2 ? bj_ld16(v.pb) : v.pb[0];
    if (pf)
        *pf = true;
    return JET_errSuccess;
}

/* A variable column (plain bytes only: a catalog value is never separated or compressed). */
static JET_ERR row_var(const bj_rec_schema *s, const uint8_t *rec, uint32_t cbRec, JET_COLUMNID id,
                       bj_rec_value *v)
{
    JET_ERR err = bj_rec_retrieve(s, rec, cbRec, id, 1, 0, v);
    if (err < 0 || (v->flags & (BJ_RECVAL_SEPARATED | BJ_RECVAL_COMPRESSED | BJ_RECVAL_ENCRYPTED)))
        return BJ_ERR(JET_errCatalogCorrupted);
    if (err == JET_wrnColumnNull)
        v->cb = 0;
    return JET_errSuccess;
}

/* A name column: 1..64 printable bytes. fRequired: NULL is corrupt; else NULL gives "". */
static JET_ERR row_name(const bj_rec_schema *s, const uint8_t *rec, uint32_t cbRec, JET_COLUMNID id,
                        bool fRequired, char *sz)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_value v;
    sz[0] = 0;
    CALL(row_var(s, rec, cbRec, id, &v));
    if (v.cb == 0) {
        if (fRequired)
            ERR(JET_errCatalogCorrupted);
        goto fail;
    }
    if (v.cb > JET_cbNameMost)
        ERR(JET_errCatalogCorrupted);
    memcpy(sz, v.pb, v.cb);
    sz[v.cb] = 0;
    if (bj_cat_check_name(sz) < 0)
        ERR(JET_errCatalogCorrupted);
fail:
    return err;
}

static JET_ERR row_parse(const bj_rec_schema *s, const uint8_t *rec, uint32_t cbRec, cat_row *r)
{
    JET_ERR err = JET_errSuccess;
    uint32_t v;
    bool f;
    memset(r, 0, sizeof(*r));
    if (bj_rec_validate(s, rec, cbRec) < 0)
        ERR(JET_errCatalogCorrupted);
    CALL(row_fixed(s, rec, cbRec, MSO_OBJIDTABLE, 4, &r->objidTable, &f));
    if (!f)
        ERR(JET_errCatalogCorrupted);
    CALL(row_fixed(s, rec, cbRec, MSO_TYPE, 2, &v, &f));
    if (!f)
        ERR(JET_errCatalogCorrupted);
    r->type = (uint16_t)v;
    CALL(row_fixed(s, rec, cbRec, MSO_ID, 4, &r->id, &f));
    if (!f)
        ERR(JET_errCatalogCorrupted);
    CALL(row_fixed(s, rec, cbRec, MSO_COLTYP_PGNOFDP, 4, &r->coltypOrPgno, NULL));
    CALL(row_fixed(s, rec, cbRec, MSO_SPACEUSAGE, 4, &r->spaceUsage, NULL));
    CALL(row_fixed(s, rec, cbRec, MSO_FLAGS, 4, &r->flags, NULL));
    CALL(row_fixed(s, rec, cbRec, MSO_PAGES_LOCALE, 4, &r->pagesOrLocale, NULL));
    CALL(row_fixed(s, rec, cbRec, MSO_RECORDOFFSET, 2, &v, &r->fRecordOffset));
    r->recordOffset = (uint16_t)v;
    CALL(row_fixed(s, rec, cbRec, MSO_LCMAPFLAGS, 4, &r->lcmapFlags, NULL));
    CALL(row_fixed(s, rec, cbRec, MSO_KEYMOST, 2, &r->keyMost, &r->fKeyMost));
    CALL(row_fixed(s, rec, cbRec, MSO_LVCHUNKMAX, 4, &r->lvChunkMax, NULL));
    CALL(row_name(s, rec, cbRec, MSO_NAME, true, r->szName));
    if (r->type == BJ_CAT_TYPE_TABLE)
        CALL(row_name(s, rec, cbRec, MSO_TEMPLATE, false, r->szTemplate));
    CALL(row_var(s, rec, cbRec, MSO_DEFAULT, &r->vDefault));
    CALL(row_var(s, rec, cbRec, MSO_KEYFLDIDS, &r->vKeyFld));
    CALL(row_var(s, rec, cbRec, MSO_VARSEGMAC, &r->vVarSegMac));
    CALL(row_var(s, rec, cbRec, MSO_CONDCOLS, &r->vCond));
    CALL(row_var(s, rec, cbRec, MSO_LOCALENAME, &r->vLocale));
fail:
    return err;
}

/* ---- building ---- */

static JET_ERR grow(void **pp, uint32_t *pcap, uint32_t n, size_t cbElem)
{
    if (n < *pcap)
        return JET_errSuccess;
    uint32_t cap = *pcap ? *pcap * 2 : 8;
    void *p = bj_realloc(*pp, cap * cbElem);
    if (!p)
        return BJ_ERR(JET_errOutOfMemory);
    memset((uint8_t *)p + *pcap * cbElem, 0, (cap - *pcap) * cbElem);
    *pp = p;
    *pcap = cap;
    return JET_errSuccess;
}

static bool coltyp_valid(uint32_t t)
{
    return t >= JET_coltypBit && t <= JET_coltypUnsignedShort && t != 13 /* SLV */;
}

static JET_ERR add_table(bj_cat *cat, uint32_t *pcap, uint32_t cpgDb, const cat_row *r,
                         bj_cat_table **pt)
{
    JET_ERR err = JET_errSuccess;
    if (r->id != r->objidTable || r->objidTable == 0 || r->coltypOrPgno == 0 ||
        (cpgDb && r->coltypOrPgno > cpgDb))
        ERR(JET_errCatalogCorrupted);
    for (uint32_t i = 0; i < cat->ctbl; i++) {
        if (cat->rgtbl[i]->objid == r->objidTable ||
            bj_cat_namecmp(cat->rgtbl[i]->szName, r->szName) == 0)
            ERR(JET_errCatalogCorrupted);
    }
    CALL(grow((void **)&cat->rgtbl, pcap, cat->ctbl, sizeof(bj_cat_table *)));
    bj_cat_table *t = bj_calloc(1, sizeof(*t));
    if (!t)
        ERR(JET_errOutOfMemory);
    cat->rgtbl[cat->ctbl++] = t;
    t->objid = r->objidTable;
    t->pgnoFDP = r->coltypOrPgno;
    memcpy(t->szName, r->szName, sizeof(t->szName));
    memcpy(t->szTemplate, r->szTemplate, sizeof(t->szTemplate));
    t->flags = r->flags;
    t->density = r->spaceUsage;
    t->cpgInitial = r->pagesOrLocale;
    t->cbLVChunkMax = r->lvChunkMax;
    *pt = t;
fail:
    return err;
}

static JET_ERR add_column(bj_cat_table *t, uint32_t *pcap, const cat_row *r)
{
    JET_ERR err = JET_errSuccess;
    const uint32_t fid = r->id;
    if (fid < BJ_REC_FID_FIXED_FIRST || fid > BJ_REC_FID_TAGGED_LAST ||
        !coltyp_valid(r->coltypOrPgno))
        ERR(JET_errCatalogCorrupted);
    const bool fFixed = fid <= BJ_REC_FID_FIXED_LAST, fTagged = fid >= BJ_REC_FID_TAGGED_FIRST;
    if (!fTagged && bj_rec_coltyp_is_lv(r->coltypOrPgno))
        ERR(JET_errCatalogCorrupted);
    if (fFixed && (!r->fRecordOffset || r->recordOffset < BJ_REC_CB_HEADER))
        ERR(JET_errCatalogCorrupted);
    if (r->coltypOrPgno == JET_coltypText || r->coltypOrPgno == JET_coltypLongText) {
        if (r->pagesOrLocale != 0 && r->pagesOrLocale != BJ_REC_CP_UNICODE &&
            r->pagesOrLocale != BJ_REC_CP_ASCII)
            ERR(JET_errCatalogCorrupted);
    }
    for (uint32_t i = 0; i < t->ccol; i++) {
        if (t->rgcol[i].columnid == fid || bj_cat_namecmp(t->rgcol[i].szName, r->szName) == 0)
            ERR(JET_errCatalogCorrupted);
    }
    CALL(grow((void **)&t->rgcol, pcap, t->ccol, sizeof(bj_cat_column)));
    bj_cat_column *c = &t->rgcol[t->ccol];
    memset(c, 0, sizeof(*c));
    c->columnid = fid;
    memcpy(c->szName, r->szName, sizeof(c->szName));
    c->coltyp = r->coltypOrPgno;
    c->cbMax = r->spaceUsage;
    c->ffield = r->flags & 0xffffu;
    c->cp = (uint16_t)r->pagesOrLocale;
    c->ibRecordOffset = fFixed ? r->recordOffset : 0;
    if (r->vDefault.cb) {
        c->pvDefault = bj_malloc(r->vDefault.cb);
        if (!c->pvDefault)
            ERR(JET_errOutOfMemory);
        memcpy(c->pvDefault, r->vDefault.pb, r->vDefault.cb);
        c->cbDefault = r->vDefault.cb;
    }
    t->ccol++;
fail:
    return err;
}

static JET_ERR add_index(bj_cat_table *t, uint32_t *pcap, uint32_t cpgDb, const cat_row *r)
{
    JET_ERR err = JET_errSuccess;
    const uint16_t fidb = (uint16_t)r->flags, fidx = (uint16_t)(r->flags >> 16);
    const bool fExt = fidx & BJ_FIDX_EXTENDED_COLUMNS;
    const uint32_t cbSeg = fExt ? 4 : 2;
    if (r->id == 0 || r->coltypOrPgno == 0 || (cpgDb && r->coltypOrPgno > cpgDb))
        ERR(JET_errCatalogCorrupted);
    if ((fidb & BJ_FIDB_PRIMARY) && (r->id != t->objid || r->coltypOrPgno != t->pgnoFDP))
        ERR(JET_errCatalogCorrupted);
    if (!(fidb & BJ_FIDB_PRIMARY) && (r->id == t->objid || r->coltypOrPgno == t->pgnoFDP))
        ERR(JET_errCatalogCorrupted);
    if (r->vKeyFld.cb == 0 || r->vKeyFld.cb % cbSeg || r->vKeyFld.cb / cbSeg > JET_ccolKeyMost)
        ERR(JET_errCatalogCorrupted);
    if (r->vCond.cb % cbSeg || r->vCond.cb / cbSeg > JET_ccolKeyMost)
        ERR(JET_errCatalogCorrupted);
    if (r->fKeyMost && (r->keyMost == 0 || r->keyMost > JET_cbKeyMostMost))
        ERR(JET_errCatalogCorrupted);
    for (uint32_t i = 0; i < t->cidx; i++) {
        if (bj_cat_namecmp(t->rgidx[i].szName, r->szName) == 0 ||
            ((fidb & BJ_FIDB_PRIMARY) && (t->rgidx[i].fidb & BJ_FIDB_PRIMARY)))
            ERR(JET_errCatalogCorrupted);
    }
    CALL(grow((void **)&t->rgidx, pcap, t->cidx, sizeof(bj_cat_index)));
    bj_cat_index *x = &t->rgidx[t->cidx];
    memset(x, 0, sizeof(*x));
    x->objid = r->id;
    x->pgnoFDP = r->coltypOrPgno;
    memcpy(x->szName, r->szName, sizeof(x->szName));
    x->fidb = fidb;
    x->fidx = fidx;
    x->density = r->spaceUsage;
    x->lcid = r->pagesOrLocale;
    x->dwLCMapFlags = r->lcmapFlags;
    x->cbKeyMost = r->fKeyMost ? r->keyMost : JET_cbKeyMost;
    x->cbVarSegMac = x->cbKeyMost;
    if (r->vVarSegMac.cb) {
        if (r->vVarSegMac.cb != 2)
            ERR(JET_errCatalogCorrupted);
        x->cbVarSegMac = bj_ld16(r->vVarSegMac.pb);
        if (x->cbVarSegMac == 0 || x->cbVarSegMac > JET_cbKeyMostMost)
            ERR(JET_errCatalogCorrupted);
    }
    /* key and conditional columns */
    for (uint32_t k = 0; k < 2; k++) {
        const bj_rec_value *v = k == 0 ? &r->vKeyFld : &r->vCond;
        const uint32_t n = v->cb / cbSeg;
        for (uint32_t i = 0; i < n; i++) {
            JET_COLUMNID col;
            bool flag;
            if (fExt) {
                const uint8_t fl = v->pb[4 * i];
                col = bj_ld16(v->pb + 4 * i + 2);
                if (fl & BJ_IDXSEG_TEMPLATE)
                    col |= BJ_REC_COLUMNID_TEMPLATE;
                flag = k == 0 ? (fl & BJ_IDXSEG_DESCENDING) : (fl & BJ_IDXSEG_MUST_BE_NULL);
            } else {
                const int16_t s = (int16_t)bj_ld16(v->pb + 2 * i);
                flag = s < 0;
                col = (JET_COLUMNID)(s < 0 ? -(int32_t)s : s);
            }
            if ((col & 0xffffu) == 0)
                ERR(JET_errCatalogCorrupted);
            if (k == 0) {
                x->rgcolumnid[i] = col;
                x->rgfDescending[i] = flag;
            } else {
                x->rgcolumnidCond[i] = col;
                x->rgfMustBeNull[i] = flag;
            }
        }
        if (k == 0)
            x->cseg = n;
        else
            x->ccond = n;
    }
    if (r->vLocale.cb) {
        /* UTF-16LE locale name, maybe NUL-terminated: keep the ASCII characters */
        if (r->vLocale.cb % 2 || r->vLocale.cb / 2 >= BJ_KEY_LOCALE_NAME_MAX)
            ERR(JET_errCatalogCorrupted);
        uint32_t n = 0;
        for (uint32_t i = 0; i < r->vLocale.cb / 2; i++) {
            uint16_t ch = bj_ld16(r->vLocale.pb + 2 * i);
            if (ch == 0)
                break;
            if (ch < 0x20 || ch > 0x7e)
                ERR(JET_errCatalogCorrupted);
            x->szLocale[n++] = (char)ch;
        }
        x->szLocale[n] = 0;
    }
    t->cidx++;
fail:
    return err;
}

JET_ERR bj_cat_build(uint32_t cbPage, uint32_t cpgDb, const uint8_t *const *rgrec,
                     const uint32_t *rgcb, uint32_t crec, bj_cat **out)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_schema mso;
    bool fMso = false;
    bj_cat *cat = NULL;
    bj_cat_table *t = NULL;
    uint32_t capTbl = 0, capCol = 0, capIdx = 0, typeLast = 0;
    cat_row r;
    *out = NULL;
    CALL(bj_cat_mso_schema(&mso, cbPage));
    fMso = true;
    cat = bj_calloc(1, sizeof(*cat));
    if (!cat)
        ERR(JET_errOutOfMemory);
    atomic_init(&cat->cref, 1);
    cat->cbPage = cbPage;
    for (uint32_t i = 0; i < crec; i++) {
        CALL(row_parse(&mso, rgrec[i], rgcb[i], &r));
        if (r.type == BJ_CAT_TYPE_TABLE) {
            CALL(add_table(cat, &capTbl, cpgDb, &r, &t));
            capCol = capIdx = 0;
            typeLast = r.type;
            continue;
        }
        /* every other row belongs to the table row before it, in (Type, Id) order */
        if (!t || r.objidTable != t->objid || r.type < typeLast)
            ERR(JET_errCatalogCorrupted);
        typeLast = r.type;
        switch (r.type) {
        case BJ_CAT_TYPE_COLUMN:
            CALL(add_column(t, &capCol, &r));
            break;
        case BJ_CAT_TYPE_INDEX:
            CALL(add_index(t, &capIdx, cpgDb, &r));
            break;
        case BJ_CAT_TYPE_LV:
            if (t->objidLV || r.id == 0 || r.coltypOrPgno == 0 || (cpgDb && r.coltypOrPgno > cpgDb))
                ERR(JET_errCatalogCorrupted);
            t->objidLV = r.id;
            t->pgnoLV = r.coltypOrPgno;
            break;
        case BJ_CAT_TYPE_CALLBACK:
        case 6: /* SLV avail / owner map (obsolete): nothing to read */
        case 7:
            break;
        default:
            ERR(JET_errCatalogCorrupted);
        }
    }
    CALL(cat_finish(cat));
    *out = cat;
    cat = NULL;
fail:
    if (fMso)
        bj_rec_schema_free(&mso);
    bj_cat_release(cat);
    return err;
}

JET_ERR bj_cat_load(bj_bt_dbctx *dbc, bj_cat **out)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree tree;
    bool fTree = false, fCur = false;
    bj_bt_cursor c;
    uint8_t **rgrec = NULL;
    uint32_t *rgcb = NULL, crec = 0, cap = 0, capcb = 0;
    *out = NULL;
    CALL(bj_bt_open(&tree, dbc, BJ_CAT_PGNO_MSO, BJ_CAT_OBJID_MSO, ~0u, NULL));
    fTree = true;
    CALL(bj_bt_cursor_open(&tree, true, &c));
    fCur = true;
    for (err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *pb;
        uint32_t cb;
        CALL(bj_bt_get(&c, NULL, NULL, &pb, &cb, NULL));
        CALL(grow((void **)&rgrec, &cap, crec, sizeof(uint8_t *)));
        CALL(grow((void **)&rgcb, &capcb, crec, sizeof(uint32_t)));
        rgrec[crec] = bj_malloc(cb ? cb : 1);
        if (!rgrec[crec])
            ERR(JET_errOutOfMemory);
        memcpy(rgrec[crec], pb, cb);
        rgcb[crec++] = cb;
    }
    if (err != JET_errNoCurrentRecord && err != JET_errRecordNotFound)
        goto fail;
    err = bj_cat_build(dbc->cbPage, bj_buf_db_size(dbc->db), (const uint8_t *const *)rgrec, rgcb,
                       crec, out);
fail:
    for (uint32_t i = 0; i < crec; i++)
        bj_free(rgrec[i]);
    bj_free(rgrec);
    bj_free(rgcb);
    if (fCur)
        bj_bt_cursor_close(&c);
    if (fTree)
        bj_bt_close(&tree);
    return err;
}
