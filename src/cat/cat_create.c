/* cat_create.c: the catalog of a new database, as ESE's ErrCATCreate / ErrREPAIRCATCreate /
 * ErrCATPopulateCatalog write it (cat.cxx, _cat.cxx rgcdescMSO / rgidescMSO):
 *  - MSysObjects (objid 2, pgno 4) and MSysObjectsShadow (objid 3, pgno 24): a table row each
 *    (density 80, Flags JET_bitObjectSystem | JET_bitObjectTableFixedDDL, pages 20 resp.
 *    CpgCATShadowInitial, RootFlag set) followed by one row per catalog column: ObjidTable ..
 *    KeyMost (fixed 1..11), Name .. SortID (variable 128..137), CallbackData .. LocaleName
 *    (tagged 256..261); code page 1252 for every column, RecordOffset 4 for every fixed column
 *    (ESE computes the system tables' offsets at open time), NotNULL on the first eight;
 *  - index rows: "Id" on both (primary, DisallowNull: +ObjidTable +Type +Id), and on
 *    MSysObjects "Name" (objid 4, pgno 7: unique, DisallowNull: +ObjidTable +Type +Name) and
 *    "RootObjects" (objid 5, pgno 10: unique, IgnoreFirstNull: +RootFlag +Name); locale
 *    "en-US", LCMapFlags 0x30401, KeyMost NULL (255).
 * This matches the catalog rows of Windows-written Catalog1_rev14_4k.edb byte for byte in
 * every field libesedb reads. Not written (ESE does, after the catalog): MSysObjids and
 * MSysLocales (see the report / docs); column 12 LVChunkMax and 13 PgnoFDPLastSetTime rows.
 */
#include <stdio.h>

#include "cat/cat_ddl.h"
#include "os/os.h"
#include "space/space.h"

static const struct {
    const char *sz;
    uint16_t fid;
    JET_COLTYP coltyp;
    bool fNotNull;
} g_msocols[] = {
    {"ObjidTable", 1, JET_coltypLong, true},
    {"Type", 2, JET_coltypShort, true},
    {"Id", 3, JET_coltypLong, true},
    {"ColtypOrPgnoFDP", 4, JET_coltypLong, true},
    {"SpaceUsage", 5, JET_coltypLong, true},
    {"Flags", 6, JET_coltypLong, true},
    {"PagesOrLocale", 7, JET_coltypLong, true},
    {"RootFlag", 8, JET_coltypBit, false},
    {"RecordOffset", 9, JET_coltypShort, false},
    {"LCMapFlags", 10, JET_coltypLong, false},
    {"KeyMost", 11, JET_coltypUnsignedShort, false},
    {"Name", 128, JET_coltypText, true},
    {"Stats", 129, JET_coltypBinary, false},
    {"TemplateTable", 130, JET_coltypText, false},
    {"DefaultValue", 131, JET_coltypBinary, false},
    {"KeyFldIDs", 132, JET_coltypBinary, false},
    {"VarSegMac", 133, JET_coltypBinary, false},
    {"ConditionalColumns", 134, JET_coltypBinary, false},
    {"TupleLimits", 135, JET_coltypBinary, false},
    {"Version", 136, JET_coltypBinary, false},
    {"SortID", 137, JET_coltypBinary, false},
    {"CallbackData", 256, JET_coltypLongBinary, false},
    {"CallbackDependencies", 257, JET_coltypLongBinary, false},
    {"SeparateLV", 258, JET_coltypLongBinary, false},
    {"SpaceHints", 259, JET_coltypLongBinary, false},
    {"SpaceDeferredLVHints", 260, JET_coltypLongBinary, false},
    {"LocaleName", 261, JET_coltypLongBinary, false},
};

typedef struct rows {
    uint8_t **rg;
    uint32_t *rgcb;
    uint32_t c, cap;
} rows;

static JET_ERR rows_push(rows *r, const uint8_t *pb, size_t cb)
{
    if (r->c == r->cap) {
        uint32_t n = r->cap ? 2 * r->cap : 64;
        uint8_t **rg = bj_realloc(r->rg, n * sizeof(*rg));
        if (!rg)
            return BJ_ERR(JET_errOutOfMemory);
        r->rg = rg;
        uint32_t *rgcb = bj_realloc(r->rgcb, n * sizeof(*rgcb));
        if (!rgcb)
            return BJ_ERR(JET_errOutOfMemory);
        r->rgcb = rgcb;
        r->cap = n;
    }
    r->rg[r->c] = bj_malloc(cb);
    if (!r->rg[r->c])
        return BJ_ERR(JET_errOutOfMemory);
    memcpy(r->rg[r->c], pb, cb);
    r->rgcb[r->c++] = (uint32_t)cb;
    return JET_errSuccess;
}

static void rows_free(rows *r)
{
    for (uint32_t i = 0; i < r->c; i++)
        bj_free(r->rg[i]);
    bj_free(r->rg);
    bj_free(r->rgcb);
}

static void sys_index(bj_cat_index *x, const char *sz, uint32_t objid, uint32_t pgno,
                      JET_GRBIT grbit, const uint16_t *rgfid, uint32_t cseg)
{
    memset(x, 0, sizeof(*x));
    snprintf(x->szName, sizeof(x->szName), "%s", sz);
    x->objid = objid;
    x->pgnoFDP = pgno;
    const uint32_t fl = bj_cat_index_flags_from_grbit(grbit);
    x->fidb = (uint16_t)fl;
    x->fidx = (uint16_t)(fl >> 16);
    x->density = BJ_CAT_DENSITY_DEFAULT;
    snprintf(x->szLocale, sizeof(x->szLocale), "en-US");
    x->dwLCMapFlags = BJ_KEY_LCMAP_DEFAULT;
    x->cbKeyMost = JET_cbKeyMost;
    x->cbVarSegMac = JET_cbKeyMost;
    x->cseg = cseg;
    for (uint32_t i = 0; i < cseg; i++)
        x->rgcolumnid[i] = rgfid[i];
}

/* The rows of one system catalog table, in key order. */
static JET_ERR table_rows(const bj_rec_schema *mso, uint32_t cbPage, bool fShadow, rows *r)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *buf = bj_malloc(cbPage);
    bj_cat_table *t = bj_calloc(1, sizeof(*t));
    size_t cb;
    if (!buf || !t)
        ERR(JET_errOutOfMemory);
    t->objid = fShadow ? BJ_OBJID_MSO_SHADOW : BJ_OBJID_MSO;
    t->pgnoFDP = fShadow ? BJ_PGNO_FDP_MSO_SHADOW : BJ_PGNO_FDP_MSO;
    snprintf(t->szName, sizeof(t->szName), "%s", fShadow ? "MSysObjectsShadow" : "MSysObjects");
    t->flags = JET_bitObjectSystem | JET_bitObjectTableFixedDDL;
    t->density = BJ_CAT_DENSITY_DEFAULT;
    t->cpgInitial = fShadow ? bj_space_cpg_shadow(cbPage) : BJ_CPG_MSO_INITIAL;
    CALL(bj_cat_row_table(mso, t, buf, cbPage, &cb));
    CALL(rows_push(r, buf, cb));
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(g_msocols); i++) {
        bj_cat_column c = {0};
        c.columnid = g_msocols[i].fid;
        snprintf(c.szName, sizeof(c.szName), "%s", g_msocols[i].sz);
        c.coltyp = g_msocols[i].coltyp;
        uint32_t w = bj_rec_coltyp_width(c.coltyp);
        c.cbMax = w ? w : bj_rec_coltyp_is_lv(c.coltyp) ? 0 : 255;
        c.ffield = g_msocols[i].fNotNull ? BJ_FFIELD_NOT_NULL : 0;
        c.cp = BJ_REC_CP_ASCII;
        c.ibRecordOffset = BJ_REC_CB_HEADER;
        CALL(bj_cat_row_column(mso, t->objid, &c, buf, cbPage, &cb));
        CALL(rows_push(r, buf, cb));
    }
    static const uint16_t kId[] = {1, 2, 3}, kName[] = {1, 2, 128}, kRoot[] = {8, 128};
    bj_cat_index x;
    sys_index(&x, "Id", t->objid, t->pgnoFDP, JET_bitIndexPrimary | JET_bitIndexDisallowNull, kId,
              3);
    CALL(bj_cat_row_index(mso, t->objid, &x, buf, cbPage, &cb));
    CALL(rows_push(r, buf, cb));
    if (!fShadow) {
        sys_index(&x, "Name", BJ_OBJID_MSO_NAME, BJ_PGNO_FDP_MSO_NAME,
                  JET_bitIndexUnique | JET_bitIndexDisallowNull, kName, 3);
        CALL(bj_cat_row_index(mso, t->objid, &x, buf, cbPage, &cb));
        CALL(rows_push(r, buf, cb));
        sys_index(&x, "RootObjects", BJ_OBJID_MSO_ROOTOBJ, BJ_PGNO_FDP_MSO_ROOTOBJ,
                  JET_bitIndexUnique | JET_bitIndexIgnoreFirstNull, kRoot, 2);
        CALL(bj_cat_row_index(mso, t->objid, &x, buf, cbPage, &cb));
        CALL(rows_push(r, buf, cb));
    }
fail:
    bj_free(t);
    bj_free(buf);
    return err;
}

JET_ERR bj_cat_create(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_cat **pcat)
{
    JET_ERR err = JET_errSuccess;
    bj_rec_schema mso;
    bool fMso = false;
    rows r = {0};
    bj_cat *cat = NULL;
    bj_cat_writer *w = NULL;
    *pcat = NULL;
    CALL(bj_cat_mso_schema(&mso, dbc->cbPage));
    fMso = true;
    CALL(table_rows(&mso, dbc->cbPage, false, &r));
    CALL(table_rows(&mso, dbc->cbPage, true, &r));
    CALL(bj_cat_build(dbc->cbPage, bj_buf_db_size(dbc->db), (const uint8_t *const *)r.rg, r.rgcb,
                      r.c, &cat));
    CALL(bj_cat_writer_open(dbc, sdb, cat, &w));
    for (uint32_t i = 0; i < r.c; i++)
        CALL(bj_cat_writer_insert(w, r.rg[i], r.rgcb[i]));
    *pcat = cat;
    cat = NULL;
fail:
    bj_cat_writer_close(w);
    bj_cat_release(cat);
    rows_free(&r);
    if (fMso)
        bj_rec_schema_free(&mso);
    return err;
}
