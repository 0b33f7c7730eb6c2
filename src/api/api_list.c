/* api_list.c: the list tables of the info calls: the builder (a temporary table of the session
 * filled row by row through the engine's temporary-table, record and cursor code), the column
 * list (JET_ColInfoList, JET_ColInfoListCompact, JET_ColInfoListSortColumnid) and the index
 * list (JET_IdxInfo, JET_IdxInfoList). See api_list.h for the ESE facts.
 *
 * Invariants: a list table belongs to the entered session s; it is either handed to the caller
 * (positioned on its first row) or closed before returning an error, so no list table leaks.
 */
#include "api/api_list.h"
#include "inst/tableid.h"
#include "inst/tempdb.h"
#include "tbl/tbl_write.h"
#include "ver/ver.h"

/* ---- the builder ---- */

JET_ERR bj_list_open(bj_sess *s, const JET_COLUMNDEF *rgcol, uint32_t ccol, bj_list *l)
{
    memset(l, 0, sizeof(*l));
    l->s = s;
    l->tableid = JET_tableidNil;
    if (ccol > BJ_LIST_COLS_MAX)
        return BJ_ERR(JET_errInvalidParameter);
    bj_temp_def def = {.rgcol = rgcol,
                       .ccol = ccol,
                       .grbit = JET_bitTTScrollable | JET_bitTTIndexed,
                       .cbKeyMost = JET_cbKeyMost_OLD,
                       .cbVarSegMac = JET_cbKeyMost_OLD};
    return bj_temp_open(s, &def, &l->tableid, l->rgcolumnid);
}

JET_ERR bj_list_insert(bj_list *l, const bj_list_val *rgval, uint32_t cval)
{
    JET_ERR err = JET_errSuccess;
    bj_tableobj *o = NULL;
    bool fPrepared = false;
    CALL(bj_tableid_get(l->s, l->tableid, &o));
    CALL(bj_temp_check(o->tt, BJ_TEMP_INSERT));
    CALL(bj_tbl_prepare_update(o->tbl, JET_prepInsert));
    fPrepared = true;
    for (uint32_t i = 0; i < cval; i++) {
        if (!rgval[i].pv || rgval[i].icol >= BJ_LIST_COLS_MAX)
            continue;
        CALL(bj_tbl_set_column(o->tbl, l->rgcolumnid[rgval[i].icol], rgval[i].pv, rgval[i].cb, 0, 0,
                               0));
    }
    /* a write of a temporary table runs in the table's own transaction (tempdb.h) */
    bj_trx *trx = bj_temp_trx(o->tt);
    CALL(bj_ver_trx_begin(trx));
    bj_tbl_set_reader(o->tbl, trx, 0);
    err = bj_tbl_update(o->tbl, NULL, 0, NULL);
    fPrepared = err < 0;
    CALL(bj_temp_write_end(o->tt, o->tbl, err));
    l->crow++;
fail:
    if (fPrepared && o)
        bj_tbl_update_free(o->tbl);
    if (o)
        bj_tableid_put(o);
    return err;
}

JET_ERR bj_list_finish(bj_list *l)
{
    JET_ERR err = JET_errSuccess;
    bj_tableobj *o = NULL;
    CALL(bj_tableid_get(l->s, l->tableid, &o));
    CALL(bj_temp_check(o->tt, BJ_TEMP_MOVE_FWD));
    err = bj_tbl_move(o->tbl, (int32_t)JET_MoveFirst, 0);
    if (err == JET_errNoCurrentRecord)
        err = JET_errSuccess;
fail:
    if (o)
        bj_tableid_put(o);
    return err;
}

void bj_list_abort(bj_list *l)
{
    if (l->tableid != JET_tableidNil)
        (void)bj_tableid_close(l->s, l->tableid);
    l->tableid = JET_tableidNil;
}

/* ---- the column list ---- */

/* rgcolumndefGetColumnInfo_A: PresentationOrder, ColumnName (the key), ColumnId, ColumnType,
 * Country, Langid, Cp, Collate, cbMax, grbit, Default, BaseTableName, BaseColumnName. */
enum {
    COL_PORDER,
    COL_NAME,
    COL_ID,
    COL_TYPE,
    COL_COUNTRY,
    COL_LANGID,
    COL_CP,
    COL_COLLATE,
    COL_CBMAX,
    COL_GRBIT,
    COL_DEFAULT,
    COL_TABLE,
    COL_COLUMN,
    COL_COUNT
};

#define LISTCOL(t, g)                                                                              \
    {                                                                                              \
        sizeof(JET_COLUMNDEF), 0, (t), 0, 0, 0, 0, 0, (g)                                          \
    }

static const JET_COLUMNDEF rgcolColumnList[COL_COUNT] = {
    LISTCOL(JET_coltypLong, JET_bitColumnFixed | JET_bitColumnTTKey),
    LISTCOL(JET_coltypText, JET_bitColumnTTKey),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLongBinary, 0),
    LISTCOL(JET_coltypText, 0),
    LISTCOL(JET_coltypText, 0),
};

/* rgcolumndefGetColumnInfoCompact_A: no key (insertion order), a short Binary default. */
static const JET_COLUMNDEF rgcolColumnListCompact[COL_COUNT] = {
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypText, 0),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypBinary, 0),
    LISTCOL(JET_coltypText, 0),
    LISTCOL(JET_coltypText, 0),
};

#define COLINFO_GRBITS                                                                             \
    (JET_ColInfoGrbitNonDerivedColumnsOnly | JET_ColInfoGrbitMinimalInfo |                         \
     JET_ColInfoGrbitSortByColumnid | JET_ColInfoGrbitCompacting)

/* ESE reports countryDefault and the LANGID of the instance's default locale (en-US). */
#define LIST_COUNTRY_DEFAULT 1u
#define LIST_LANGID_DEFAULT 1033u

bool bj_api_column_list_level(uint32_t level)
{
    const uint32_t base = level & ~(uint32_t)COLINFO_GRBITS;
    return base == JET_ColInfoList || base == JET_ColInfoListCompact ||
           base == JET_ColInfoListSortColumnid;
}

/* One row of the column list (ESE's ErrINFOSetTableColumnInfoList). */
static JET_ERR column_row(bj_list *l, const bj_cat_table *t, const bj_cat_column *c,
                          JET_GRBIT grbitExtra, bool fSortId, bool fMinimal)
{
    const uint16_t country = LIST_COUNTRY_DEFAULT, langid = LIST_LANGID_DEFAULT, collate = 0;
    const uint16_t cp = c->cp;
    const JET_COLUMNID columnid = c->columnid;
    const uint32_t coltyp = c->coltyp, cbMax = c->cbMax;
    const JET_GRBIT grbit = c->grbit | grbitExtra;
    /* a user-defined default is a JET_USERDEFINEDDEFAULT with pointers: not listed here */
    const bool fDefault = c->cbDefault && !(c->ffield & BJ_FFIELD_USER_DEFAULT);
    const bj_list_val rgv[] = {
        {COL_PORDER, fSortId ? &columnid : NULL, sizeof(columnid)},
        {COL_NAME, c->szName, (uint32_t)strlen(c->szName)},
        {COL_ID, &columnid, sizeof(columnid)},
        {COL_TYPE, &coltyp, sizeof(coltyp)},
        {COL_COUNTRY, &country, sizeof(country)},
        {COL_LANGID, &langid, sizeof(langid)},
        {COL_CP, &cp, sizeof(cp)},
        {COL_CBMAX, &cbMax, sizeof(cbMax)},
        {COL_GRBIT, &grbit, sizeof(grbit)},
        {COL_COLLATE, &collate, sizeof(collate)},
        {COL_DEFAULT, fDefault ? c->pvDefault : NULL, c->cbDefault},
        {COL_TABLE, t->szName, (uint32_t)strlen(t->szName)},
        {COL_COLUMN, c->szName, (uint32_t)strlen(c->szName)},
    };
    /* MinimalInfo: the order, the name and the columnid only */
    return bj_list_insert(l, rgv, fMinimal ? 3 : (uint32_t)(sizeof(rgv) / sizeof(rgv[0])));
}

JET_ERR bj_api_column_list(bj_sess *s, const bj_cat_table *t, bool fUpdatable, void *pv,
                           uint32_t cbMax, uint32_t level)
{
    JET_ERR err = JET_errSuccess;
    bj_list l = {.tableid = JET_tableidNil, .s = s};
    const uint32_t grbit = level & COLINFO_GRBITS;
    const uint32_t base = level & ~(uint32_t)COLINFO_GRBITS;
    if (!bj_api_column_list_level(level))
        return BJ_ERR(JET_errInvalidParameter);
    if (cbMax < sizeof(JET_COLUMNLIST))
        return BJ_ERR(JET_errBufferTooSmall);
    if (!pv)
        return BJ_ERR(JET_errInvalidParameter);
    const bool fCompact = base == JET_ColInfoListCompact || (grbit & JET_ColInfoGrbitCompacting);
    const bool fSortId =
        base == JET_ColInfoListSortColumnid || (grbit & JET_ColInfoGrbitSortByColumnid);
    const bool fMinimal = grbit & JET_ColInfoGrbitMinimalInfo;
    const bool fNonDerived = grbit & JET_ColInfoGrbitNonDerivedColumnsOnly;
    const JET_GRBIT grbitExtra = fUpdatable ? JET_bitColumnUpdatable : 0;
    CALL(bj_list_open(s, fCompact ? rgcolColumnListCompact : rgcolColumnList, COL_COUNT, &l));
    /* a derived table's template columns come first (rgcol keeps them first), then its own by
     * columnid (fixed, variable, tagged) */
    for (uint32_t i = 0; i < t->ccol; i++) {
        const bj_cat_column *c = &t->rgcol[i];
        const bool fDerived = t->ptemplate && (c->columnid & BJ_REC_COLUMNID_TEMPLATE);
        if (fDerived && (fNonDerived || fCompact))
            continue;
        if (fCompact && (c->ffield & BJ_FFIELD_PK_PLACEHOLDER))
            continue;
        CALL(column_row(&l, t, c, grbitExtra, fSortId, fMinimal));
    }
    CALL(bj_list_finish(&l));
    JET_COLUMNLIST *cl = pv;
    memset(cl, 0, sizeof(*cl));
    cl->cbStruct = sizeof(*cl);
    cl->tableid = l.tableid;
    cl->cRecord = l.crow;
    cl->columnidPresentationOrder = l.rgcolumnid[COL_PORDER];
    cl->columnidcolumnname = l.rgcolumnid[COL_NAME];
    cl->columnidcolumnid = l.rgcolumnid[COL_ID];
    cl->columnidcoltyp = l.rgcolumnid[COL_TYPE];
    cl->columnidCountry = l.rgcolumnid[COL_COUNTRY];
    cl->columnidLangid = l.rgcolumnid[COL_LANGID];
    cl->columnidCp = l.rgcolumnid[COL_CP];
    cl->columnidCollate = l.rgcolumnid[COL_COLLATE];
    cl->columnidcbMax = l.rgcolumnid[COL_CBMAX];
    cl->columnidgrbit = l.rgcolumnid[COL_GRBIT];
    cl->columnidDefault = l.rgcolumnid[COL_DEFAULT];
    cl->columnidBaseTableName = l.rgcolumnid[COL_TABLE];
    cl->columnidBaseColumnName = l.rgcolumnid[COL_COLUMN];
    cl->columnidDefinitionName = l.rgcolumnid[COL_NAME];
    return JET_errSuccess;
fail:
    bj_list_abort(&l);
    return err;
}

/* ---- the index list ---- */

/* rgcolumndefGetIndexInfo_A: IndexName and iColumn form the key. */
enum {
    IDX_NAME,
    IDX_GRBIT,
    IDX_CKEY,
    IDX_CENTRY,
    IDX_CPAGE,
    IDX_CCOL,
    IDX_ICOL,
    IDX_COLID,
    IDX_COLTYP,
    IDX_COUNTRY,
    IDX_LANGID,
    IDX_CP,
    IDX_COLLATE,
    IDX_COLBITS,
    IDX_COLNAME,
    IDX_LCMAP,
    IDX_COUNT
};

static const JET_COLUMNDEF rgcolIndexList[IDX_COUNT] = {
    LISTCOL(JET_coltypText, JET_bitColumnTTKey),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed | JET_bitColumnTTKey),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypShort, JET_bitColumnFixed),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
    LISTCOL(JET_coltypText, 0),
    LISTCOL(JET_coltypLong, JET_bitColumnFixed),
};

/* The smallest JET_INDEXLIST ESE accepts: sizeof less cbIDXLISTNewMembersSinceOriginalFormat
 * (4, columnidLCMapFlags). */
#define INDEXLIST_CB_OLD (sizeof(JET_INDEXLIST) - 4u)

bool bj_api_index_list_level(uint32_t level)
{
    return level == JET_IdxInfo || level == JET_IdxInfoList;
}

/* The rows of one index: one per key segment. */
static JET_ERR index_rows(bj_list *l, const bj_cat_table *t, const bj_cat_index *x)
{
    JET_ERR err = JET_errSuccess;
    const JET_GRBIT grbit = x->grbit;
    /* statistics live in the catalog's Stats column (JetComputeStats); not loaded: 0 */
    const int32_t zero = 0;
    const uint32_t ccol = x->cseg;
    const uint16_t country = LIST_COUNTRY_DEFAULT, collate = 0;
    const uint16_t langid = (uint16_t)((x->lcid ? x->lcid : BJ_KEY_LCID_DEFAULT) & 0xffffu);
    const uint32_t lcmap = x->dwLCMapFlags ? x->dwLCMapFlags : BJ_KEY_LCMAP_DEFAULT;
    for (uint32_t i = 0; i < x->cseg; i++) {
        const JET_COLUMNID columnid = x->rgcolumnid[i];
        const bj_cat_column *c = bj_cat_column_by_id(t, columnid);
        if (!c)
            ERR(JET_errCatalogCorrupted);
        const uint32_t coltyp = c->coltyp;
        const uint16_t cp = c->cp;
        const JET_GRBIT grbitCol = x->rgfDescending[i] ? JET_bitKeyDescending : JET_bitKeyAscending;
        const bj_list_val rgv[] = {
            {IDX_NAME, x->szName, (uint32_t)strlen(x->szName)},
            {IDX_GRBIT, &grbit, sizeof(grbit)},
            {IDX_CKEY, &zero, sizeof(zero)},
            {IDX_CENTRY, &zero, sizeof(zero)},
            {IDX_CPAGE, &zero, sizeof(zero)},
            {IDX_CCOL, &ccol, sizeof(ccol)},
            {IDX_ICOL, &i, sizeof(i)},
            {IDX_COLID, &columnid, sizeof(columnid)},
            {IDX_COLTYP, &coltyp, sizeof(coltyp)},
            {IDX_COUNTRY, &country, sizeof(country)},
            {IDX_LANGID, &langid, sizeof(langid)},
            {IDX_LCMAP, &lcmap, sizeof(lcmap)},
            {IDX_CP, &cp, sizeof(cp)},
            {IDX_COLLATE, &collate, sizeof(collate)},
            {IDX_COLBITS, &grbitCol, sizeof(grbitCol)},
            {IDX_COLNAME, c->szName, (uint32_t)strlen(c->szName)},
        };
        CALL(bj_list_insert(l, rgv, (uint32_t)(sizeof(rgv) / sizeof(rgv[0]))));
    }
fail:
    return err;
}

JET_ERR bj_api_index_list(bj_sess *s, const bj_cat_table *t, const char *szIndex, void *pv,
                          uint32_t cb)
{
    JET_ERR err = JET_errSuccess;
    bj_list l = {.tableid = JET_tableidNil, .s = s};
    const bj_cat_index *xOnly = NULL;
    if (cb < INDEXLIST_CB_OLD)
        return BJ_ERR(JET_errBufferTooSmall);
    if (!pv)
        return BJ_ERR(JET_errInvalidParameter);
    if (szIndex && szIndex[0]) {
        CALL(bj_cat_check_name(szIndex));
        xOnly = bj_cat_find_index(t, szIndex);
        if (!xOnly && t->ptemplate)
            xOnly = bj_cat_find_index(t->ptemplate, szIndex);
        if (!xOnly)
            ERR(JET_errIndexNotFound);
    }
    CALL(bj_list_open(s, rgcolIndexList, IDX_COUNT, &l));
    /* a derived table has its template's indexes too (ESE's FCB chain holds them); their
     * segments name template columns, which t's columns include */
    for (const bj_cat_table *u = t->ptemplate ? t->ptemplate : t; u; u = u == t ? NULL : t) {
        for (uint32_t i = 0; i < u->cidx; i++) {
            if (u == t && t->ptemplate && u->rgidx[i].fFromTemplate)
                continue; /* already listed from the template */
            if (!xOnly || xOnly == &u->rgidx[i])
                CALL(index_rows(&l, t, &u->rgidx[i]));
        }
    }
    CALL(bj_list_finish(&l));
    JET_INDEXLIST *il = pv;
    const uint32_t cbOut =
        cb < sizeof(JET_INDEXLIST) ? (uint32_t)INDEXLIST_CB_OLD : (uint32_t)sizeof(JET_INDEXLIST);
    /* ESE writes the members one by one: a short buffer's last bytes stay as they were */
    il->cbStruct = cbOut;
    il->tableid = l.tableid;
    il->cRecord = l.crow;
    il->columnidindexname = l.rgcolumnid[IDX_NAME];
    il->columnidgrbitIndex = l.rgcolumnid[IDX_GRBIT];
    il->columnidcKey = l.rgcolumnid[IDX_CKEY];
    il->columnidcEntry = l.rgcolumnid[IDX_CENTRY];
    il->columnidcPage = l.rgcolumnid[IDX_CPAGE];
    il->columnidcColumn = l.rgcolumnid[IDX_CCOL];
    il->columnidiColumn = l.rgcolumnid[IDX_ICOL];
    il->columnidcolumnid = l.rgcolumnid[IDX_COLID];
    il->columnidcoltyp = l.rgcolumnid[IDX_COLTYP];
    il->columnidCountry = l.rgcolumnid[IDX_COUNTRY];
    il->columnidLangid = l.rgcolumnid[IDX_LANGID];
    il->columnidCp = l.rgcolumnid[IDX_CP];
    il->columnidCollate = l.rgcolumnid[IDX_COLLATE];
    il->columnidgrbitColumn = l.rgcolumnid[IDX_COLBITS];
    il->columnidcolumnname = l.rgcolumnid[IDX_COLNAME];
    if (cbOut == sizeof(JET_INDEXLIST))
        il->columnidLCMapFlags = l.rgcolumnid[IDX_LCMAP];
    return JET_errSuccess;
fail:
    bj_list_abort(&l);
    return err;
}
