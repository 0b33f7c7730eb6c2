/* api_ddl.c: Jet* entry points for DDL: JetCreateTable, JetCreateTableColumnIndex / 2 / 3 / 4,
 * JetDeleteTable, JetAddColumn, JetDeleteColumn / 2, JetCreateIndex / 2 / 3 / 4,
 * JetDeleteIndex. Each checks its arguments, resolves the session, database or table, and
 * calls src/cat/cat_ddl.c with the session's transaction (sess->ver_state, a bj_trx, when the
 * transaction layer has set it; else every DDL call is final at return).
 * A read-only database: JET_errPermissionDenied (ESE fcreate.cxx: FReadOnlyAttach()).
 * JetCreateTableColumnIndex* reports per column (columnid, err) and per index (err) and, as
 * ESE, takes the whole table back when any part fails.
 */
#include <stdio.h>

#include "api/api.h"
#include "inst/db.h"
#include "inst/tableid.h"
#include "ver/ver.h"

static struct bj_trx *sess_trx(bj_sess *s)
{
    return (struct bj_trx *)s->ver_state;
}

static JET_ERR ddl_of_dbid(bj_sess *s, JET_DBID dbid, bj_cat_db **pcdb)
{
    bj_db *db;
    JET_ERR err = bj_db_get(s, dbid, &db);
    if (err < 0)
        return err;
    *pcdb = bj_db_ddl(db);
    return *pcdb ? JET_errSuccess : BJ_ERR(JET_errPermissionDenied);
}

/* ---- tables ---- */

/* The common body of JetCreateTableColumnIndex*: idx is an array of cIndexes index
 * descriptions converted by the caller. */
typedef struct tcreate {
    const char *szTable, *szTemplate;
    uint32_t ulPages, ulDensity;
    JET_COLUMNCREATE_A *rgcol;
    uint32_t ccol;
    bj_cat_idxdef *rgidx;
    JET_ERR *rgidxerr; /* where each index's err goes */
    uint32_t cidx;
    JET_GRBIT grbit;
    JET_TABLEID *ptableid;
    uint32_t *pcCreated;
} tcreate;

static JET_ERR create_table_body(bj_sess *s, JET_DBID dbid, tcreate *tc)
{
    JET_ERR err = JET_errSuccess;
    bj_cat_db *cdb;
    bool fTable = false;
    uint32_t cCreated = 0;
    CALL(ddl_of_dbid(s, dbid, &cdb));
    if (tc->grbit & JET_bitTableCreateSystemTable)
        ERR(JET_errInvalidGrbit); /* ESE's own system tables only */
    if ((tc->ccol && !tc->rgcol) || (tc->cidx && !tc->rgidx))
        ERR(JET_errInvalidParameter);
    if (tc->szTemplate && tc->szTemplate[0])
        CALL(bj_cat_ddl_create_derived(cdb, sess_trx(s), tc->szTable, tc->szTemplate, tc->ulPages,
                                       tc->ulDensity, tc->grbit));
    else
        CALL(bj_cat_ddl_create_table(cdb, sess_trx(s), tc->szTable, tc->ulPages, tc->ulDensity,
                                     tc->grbit));
    fTable = true;
    cCreated = 1;
    for (uint32_t i = 0; i < tc->ccol; i++) {
        JET_COLUMNCREATE_A *cc = &tc->rgcol[i];
        if (cc->cbStruct != sizeof(*cc)) {
            cc->err = BJ_ERR(JET_errInvalidParameter);
            ERR(JET_errInvalidParameter);
        }
        bj_cat_coldef d = {cc->szColumnName, cc->coltyp,    cc->cbMax,     cc->grbit,
                           (uint16_t)cc->cp, cc->pvDefault, cc->cbDefault, BJ_CAT_DDL_CREATE};
        cc->err = bj_cat_ddl_add_column(cdb, sess_trx(s), tc->szTable, &d, &cc->columnid);
        CALL(cc->err);
        cCreated++;
    }
    for (uint32_t i = 0; i < tc->cidx; i++) {
        tc->rgidx[i].ddl = BJ_CAT_DDL_CREATE;
        tc->rgidxerr[i] = bj_cat_ddl_create_index(cdb, sess_trx(s), tc->szTable, &tc->rgidx[i]);
        CALL(tc->rgidxerr[i]);
        cCreated++;
    }
    if (tc->ptableid)
        CALL(bj_tableid_open(s, dbid, tc->szTable, 0, tc->ptableid));
fail:
    if (err < 0 && fTable)
        (void)bj_cat_ddl_delete_table(cdb, sess_trx(s), tc->szTable);
    if (tc->pcCreated)
        *tc->pcCreated = err < 0 ? 0 : cCreated;
    return err;
}

BJ_EXPORT JET_ERR JetCreateTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                 uint32_t lPages, uint32_t lDensity, JET_TABLEID *ptableid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!ptableid) {
        err = BJ_ERR(JET_errInvalidParameter);
    } else {
        tcreate tc = {0};
        tc.szTable = szTableName;
        tc.ulPages = lPages;
        tc.ulDensity = lDensity;
        tc.ptableid = ptableid;
        err = create_table_body(s, dbid, &tc);
    }
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetCreateTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName, uint32_t lPages,
                        uint32_t lDensity, JET_TABLEID *ptableid) BJ_ALIAS(JetCreateTable);

/* Converts one index description (the fields all JET_INDEXCREATE versions share). */
static void idxdef_from(bj_cat_idxdef *d, char *szLocale, const char *szName, const char *szKey,
                        uint32_t cbKey, JET_GRBIT grbit, uint32_t density, uint32_t lcid,
                        uint32_t mapflags, uint32_t cbVarSegMac, JET_CONDITIONALCOLUMN_A *rgcc,
                        uint32_t ccc, uint32_t cbKeyMost)
{
    memset(d, 0, sizeof(*d));
    d->szName = szName;
    d->szKey = szKey;
    d->cbKey = cbKey;
    d->grbit = grbit;
    d->density = density;
    d->lcid = lcid;
    d->szLocale = szLocale && szLocale[0] ? szLocale : NULL;
    d->dwLCMapFlags = mapflags;
    d->cbVarSegMac = (grbit & JET_bitIndexTupleLimits) ? 0 : cbVarSegMac;
    d->rgcond = rgcc;
    d->ccond = ccc;
    d->cbKeyMost = (grbit & JET_bitIndexKeyMost) ? cbKeyMost : 0;
}

static void idx1(bj_cat_idxdef *d, const JET_INDEXCREATE_A *ic)
{
    const bool fU = (ic->grbit & JET_bitIndexUnicode) && ic->pidxunicode;
    idxdef_from(d, NULL, ic->szIndexName, ic->szKey, ic->cbKey, ic->grbit, ic->ulDensity,
                fU ? ic->pidxunicode->lcid : (ic->grbit & JET_bitIndexUnicode ? 0 : ic->lcid),
                fU ? ic->pidxunicode->dwMapFlags : 0, ic->cbVarSegMac, ic->rgconditionalcolumn,
                ic->cConditionalColumn, ic->cbKeyMost);
}

static void idx2(bj_cat_idxdef *d, const JET_INDEXCREATE2_A *ic)
{
    const bool fU = (ic->grbit & JET_bitIndexUnicode) && ic->pidxunicode;
    idxdef_from(d, NULL, ic->szIndexName, ic->szKey, ic->cbKey, ic->grbit, ic->ulDensity,
                fU ? ic->pidxunicode->lcid : (ic->grbit & JET_bitIndexUnicode ? 0 : ic->lcid),
                fU ? ic->pidxunicode->dwMapFlags : 0, ic->cbVarSegMac, ic->rgconditionalcolumn,
                ic->cConditionalColumn, ic->cbKeyMost);
}

static void idx3(bj_cat_idxdef *d, char *loc, const JET_INDEXCREATE3_A *ic)
{
    loc[0] = 0;
    if ((ic->grbit & JET_bitIndexUnicode) && ic->pidxunicode && ic->pidxunicode->szLocaleName) {
        uint32_t n = 0;
        for (; n + 1 < BJ_KEY_LOCALE_NAME_MAX && ic->pidxunicode->szLocaleName[n]; n++)
            loc[n] = (char)ic->pidxunicode->szLocaleName[n];
        loc[n] = 0;
    }
    idxdef_from(d, loc, ic->szIndexName, ic->szKey, ic->cbKey, ic->grbit, ic->ulDensity, 0,
                (ic->grbit & JET_bitIndexUnicode) && ic->pidxunicode ? ic->pidxunicode->dwMapFlags
                                                                     : 0,
                ic->cbVarSegMac, ic->rgconditionalcolumn, ic->cConditionalColumn, ic->cbKeyMost);
}

/* JetCreateTableColumnIndex 1..4: version v, the struct pv. */
static JET_ERR create_tci(JET_SESID sesid, JET_DBID dbid, int v, void *pv)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    tcreate tc = {0};
    bj_cat_idxdef *rgidx = NULL;
    JET_ERR **rgperr = NULL;
    JET_ERR *rgerr = NULL;
    char(*rgloc)[BJ_KEY_LOCALE_NAME_MAX] = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!pv) {
        err = BJ_ERR(JET_errInvalidParameter);
        goto leave;
    }
    switch (v) {
#define COMMON(T)                                                                                  \
    do {                                                                                           \
        T *p = pv;                                                                                 \
        if (p->cbStruct != sizeof(*p)) {                                                           \
            err = BJ_ERR(JET_errInvalidParameter);                                                 \
            goto leave;                                                                            \
        }                                                                                          \
        tc.szTable = p->szTableName;                                                               \
        tc.szTemplate = p->szTemplateTableName;                                                    \
        tc.ulPages = p->ulPages;                                                                   \
        tc.ulDensity = p->ulDensity;                                                               \
        tc.rgcol = p->rgcolumncreate;                                                              \
        tc.ccol = p->cColumns;                                                                     \
        tc.cidx = p->cIndexes;                                                                     \
        tc.grbit = p->grbit;                                                                       \
        tc.ptableid = &p->tableid;                                                                 \
        tc.pcCreated = &p->cCreated;                                                               \
    } while (0)
    case 1:
        COMMON(JET_TABLECREATE_A);
        break;
    case 2:
        COMMON(JET_TABLECREATE2_A);
        break;
    case 3:
        COMMON(JET_TABLECREATE3_A);
        break;
    default:
        COMMON(JET_TABLECREATE4_A);
        break;
#undef COMMON
    }
    rgidx = bj_calloc(tc.cidx + 1, sizeof(*rgidx));
    rgerr = bj_calloc(tc.cidx + 1, sizeof(*rgerr));
    rgperr = bj_calloc(tc.cidx + 1, sizeof(*rgperr));
    rgloc = bj_calloc(tc.cidx + 1, sizeof(*rgloc));
    if (!rgidx || !rgerr || !rgperr || !rgloc) {
        err = BJ_ERR(JET_errOutOfMemory);
        goto leave;
    }
    for (uint32_t i = 0; i < tc.cidx; i++) {
        if (v <= 2) {
            JET_INDEXCREATE_A *ic = ((JET_TABLECREATE_A *)pv)->rgindexcreate;
            if (v == 2)
                ic = ((JET_TABLECREATE2_A *)pv)->rgindexcreate;
            if (!ic || ic[i].cbStruct != sizeof(ic[i])) {
                err = BJ_ERR(JET_errInvalidParameter);
                goto leave;
            }
            idx1(&rgidx[i], &ic[i]);
            rgperr[i] = &ic[i].err;
        } else if (v == 3) {
            JET_INDEXCREATE2_A *ic = ((JET_TABLECREATE3_A *)pv)->rgindexcreate;
            if (!ic || ic[i].cbStruct != sizeof(ic[i])) {
                err = BJ_ERR(JET_errInvalidParameter);
                goto leave;
            }
            idx2(&rgidx[i], &ic[i]);
            rgperr[i] = &ic[i].err;
        } else {
            JET_INDEXCREATE3_A *ic = ((JET_TABLECREATE4_A *)pv)->rgindexcreate;
            if (!ic || ic[i].cbStruct != sizeof(ic[i])) {
                err = BJ_ERR(JET_errInvalidParameter);
                goto leave;
            }
            idx3(&rgidx[i], rgloc[i], &ic[i]);
            rgperr[i] = &ic[i].err;
        }
    }
    tc.rgidx = rgidx;
    tc.rgidxerr = rgerr;
    err = create_table_body(s, dbid, &tc);
    for (uint32_t i = 0; i < tc.cidx; i++)
        *rgperr[i] = rgerr[i];
leave:
    bj_sess_leave(s);
fail:
    bj_free(rgidx);
    bj_free(rgerr);
    bj_free(rgperr);
    bj_free(rgloc);
    return err;
}

BJ_EXPORT JET_ERR JetCreateTableColumnIndex(JET_SESID sesid, JET_DBID dbid,
                                            JET_TABLECREATE *ptablecreate)
{
    return create_tci(sesid, dbid, 1, ptablecreate);
}
JET_ERR JetCreateTableColumnIndexA(JET_SESID sesid, JET_DBID dbid, JET_TABLECREATE *ptablecreate)
    BJ_ALIAS(JetCreateTableColumnIndex);
BJ_EXPORT JET_ERR JetCreateTableColumnIndex2(JET_SESID sesid, JET_DBID dbid,
                                             JET_TABLECREATE2 *ptablecreate)
{
    return create_tci(sesid, dbid, 2, ptablecreate);
}
JET_ERR JetCreateTableColumnIndex2A(JET_SESID sesid, JET_DBID dbid, JET_TABLECREATE2 *ptablecreate)
    BJ_ALIAS(JetCreateTableColumnIndex2);
BJ_EXPORT JET_ERR JetCreateTableColumnIndex3(JET_SESID sesid, JET_DBID dbid,
                                             JET_TABLECREATE3 *ptablecreate)
{
    return create_tci(sesid, dbid, 3, ptablecreate);
}
JET_ERR JetCreateTableColumnIndex3A(JET_SESID sesid, JET_DBID dbid, JET_TABLECREATE3 *ptablecreate)
    BJ_ALIAS(JetCreateTableColumnIndex3);
BJ_EXPORT JET_ERR JetCreateTableColumnIndex4(JET_SESID sesid, JET_DBID dbid,
                                             JET_TABLECREATE4 *ptablecreate)
{
    return create_tci(sesid, dbid, 4, ptablecreate);
}
JET_ERR JetCreateTableColumnIndex4A(JET_SESID sesid, JET_DBID dbid, JET_TABLECREATE4 *ptablecreate)
    BJ_ALIAS(JetCreateTableColumnIndex4);

BJ_EXPORT JET_ERR JetDeleteTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_cat_db *cdb;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = ddl_of_dbid(s, dbid, &cdb);
    if (err >= 0)
        err = bj_cat_ddl_delete_table(cdb, sess_trx(s), szTableName);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetDeleteTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName)
    BJ_ALIAS(JetDeleteTable);

/* ---- columns and indexes (on an open table) ---- */

/* Who asks for DDL through cursor o: JET_bitTablePermitDDL lifts fixed DDL (cat_ddl.h). */
static uint8_t cursor_ddl(const bj_tableobj *o)
{
    return (o->grbit & JET_bitTablePermitDDL) ? BJ_CAT_DDL_PERMIT : BJ_CAT_DDL_USER;
}

static JET_ERR ddl_of_tableid(bj_sess *s, JET_TABLEID tableid, bj_tableobj **po, bj_cat_db **pcdb,
                              char *szTable)
{
    JET_ERR err = bj_tableid_get(s, tableid, po);
    if (err < 0)
        return err;
    *pcdb = bj_db_ddl((*po)->db);
    snprintf(szTable, JET_cbNameMost + 1, "%s", (*po)->tbl->t->szName);
    if (!*pcdb) {
        bj_tableid_put(*po);
        *po = NULL;
        return BJ_ERR(JET_errPermissionDenied);
    }
    return JET_errSuccess;
}

BJ_EXPORT JET_ERR JetAddColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                               const JET_COLUMNDEF *pcolumndef, const void *pvDefault,
                               uint32_t cbDefault, JET_COLUMNID *pcolumnid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    bj_cat_db *cdb;
    char szTable[JET_cbNameMost + 1];
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!pcolumndef || pcolumndef->cbStruct < sizeof(JET_COLUMNDEF) || (cbDefault && !pvDefault))
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = ddl_of_tableid(s, tableid, &o, &cdb, szTable);
    if (err >= 0) {
        bj_cat_coldef d = {szColumnName,   pcolumndef->coltyp, pcolumndef->cbMax, pcolumndef->grbit,
                           pcolumndef->cp, pvDefault,          cbDefault,         cursor_ddl(o)};
        err = bj_cat_ddl_add_column(cdb, sess_trx(s), szTable, &d, pcolumnid);
    }
    bj_tableid_put(o);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetAddColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                      const JET_COLUMNDEF *pcolumndef, const void *pvDefault, uint32_t cbDefault,
                      JET_COLUMNID *pcolumnid) BJ_ALIAS(JetAddColumn);

BJ_EXPORT JET_ERR JetDeleteColumn2(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                   const JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    bj_cat_db *cdb;
    char szTable[JET_cbNameMost + 1];
    CALL(bj_sess_enter(sesid, 0, &s));
    if (grbit & ~(JET_GRBIT)JET_bitDeleteColumnIgnoreTemplateColumns)
        err = BJ_ERR(JET_errInvalidGrbit);
    else
        err = ddl_of_tableid(s, tableid, &o, &cdb, szTable);
    if (err >= 0)
        err = bj_cat_ddl_delete_column(cdb, sess_trx(s), szTable, szColumnName);
    bj_tableid_put(o);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetDeleteColumn2A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                          const JET_GRBIT grbit) BJ_ALIAS(JetDeleteColumn2);
BJ_EXPORT JET_ERR JetDeleteColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName)
{
    return JetDeleteColumn2(sesid, tableid, szColumnName, 0);
}
JET_ERR JetDeleteColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName)
    BJ_ALIAS(JetDeleteColumn);

/* Creates n indexes described by rgdef on the open table; rgperr[i] (may be NULL) get the
 * per-index results. */
static JET_ERR create_indexes(JET_SESID sesid, JET_TABLEID tableid, bj_cat_idxdef *rgdef,
                              JET_ERR **rgperr, uint32_t n)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    bj_cat_db *cdb;
    char szTable[JET_cbNameMost + 1];
    CALL(bj_sess_enter(sesid, 0, &s));
    err = ddl_of_tableid(s, tableid, &o, &cdb, szTable);
    const bool fLocked = err >= 0;
    if (fLocked)
        bj_db_schema_lock(o->db); /* no record write slips past the builds */
    for (uint32_t i = 0; err >= 0 && i < n; i++) {
        rgdef[i].ddl = cursor_ddl(o);
        err = bj_cat_ddl_create_index(cdb, sess_trx(s), szTable, &rgdef[i]);
        if (rgperr && rgperr[i])
            *rgperr[i] = err;
    }
    if (fLocked)
        bj_db_schema_unlock(o->db);
    bj_tableid_put(o);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetCreateIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                 JET_GRBIT grbit, const char *szKey, uint32_t cbKey,
                                 uint32_t lDensity)
{
    bj_cat_idxdef d;
    idxdef_from(&d, NULL, szIndexName, szKey, cbKey, grbit, lDensity, 0, 0, 0, NULL, 0, 0);
    return create_indexes(sesid, tableid, &d, NULL, 1);
}
JET_ERR JetCreateIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                        JET_GRBIT grbit, const char *szKey, uint32_t cbKey, uint32_t lDensity)
    BJ_ALIAS(JetCreateIndex);

#define CREATE_INDEX_N(NAME, T, CONV)                                                              \
    BJ_EXPORT JET_ERR NAME(JET_SESID sesid, JET_TABLEID tableid, T *pindexcreate,                  \
                           uint32_t cIndexCreate)                                                  \
    {                                                                                              \
        JET_ERR err = JET_errSuccess;                                                              \
        bj_cat_idxdef *rg = NULL;                                                                  \
        JET_ERR **rgperr = NULL;                                                                   \
        char(*rgloc)[BJ_KEY_LOCALE_NAME_MAX] = NULL;                                               \
        if (!pindexcreate && cIndexCreate)                                                         \
            return BJ_ERR(JET_errInvalidParameter);                                                \
        rg = bj_calloc(cIndexCreate + 1, sizeof(*rg));                                             \
        rgperr = bj_calloc(cIndexCreate + 1, sizeof(*rgperr));                                     \
        rgloc = bj_calloc(cIndexCreate + 1, sizeof(*rgloc));                                       \
        if (!rg || !rgperr || !rgloc)                                                              \
            ERR(JET_errOutOfMemory);                                                               \
        for (uint32_t i = 0; i < cIndexCreate; i++) {                                              \
            if (pindexcreate[i].cbStruct != sizeof(T))                                             \
                ERR(JET_errInvalidParameter);                                                      \
            CONV;                                                                                  \
            rgperr[i] = &pindexcreate[i].err;                                                      \
        }                                                                                          \
        err = create_indexes(sesid, tableid, rg, rgperr, cIndexCreate);                            \
    fail:                                                                                          \
        bj_free(rg);                                                                               \
        bj_free(rgperr);                                                                           \
        bj_free(rgloc);                                                                            \
        return err;                                                                                \
    }

CREATE_INDEX_N(JetCreateIndex2, JET_INDEXCREATE_A, idx1(&rg[i], &pindexcreate[i]))
JET_ERR JetCreateIndex2A(JET_SESID sesid, JET_TABLEID tableid, JET_INDEXCREATE_A *pindexcreate,
                         uint32_t cIndexCreate) BJ_ALIAS(JetCreateIndex2);
CREATE_INDEX_N(JetCreateIndex3, JET_INDEXCREATE2_A, idx2(&rg[i], &pindexcreate[i]))
JET_ERR JetCreateIndex3A(JET_SESID sesid, JET_TABLEID tableid, JET_INDEXCREATE2_A *pindexcreate,
                         uint32_t cIndexCreate) BJ_ALIAS(JetCreateIndex3);
CREATE_INDEX_N(JetCreateIndex4, JET_INDEXCREATE3_A, idx3(&rg[i], rgloc[i], &pindexcreate[i]))
JET_ERR JetCreateIndex4A(JET_SESID sesid, JET_TABLEID tableid, JET_INDEXCREATE3_A *pindexcreate,
                         uint32_t cIndexCreate) BJ_ALIAS(JetCreateIndex4);

BJ_EXPORT JET_ERR JetDeleteIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    bj_cat_db *cdb;
    char szTable[JET_cbNameMost + 1];
    CALL(bj_sess_enter(sesid, 0, &s));
    err = ddl_of_tableid(s, tableid, &o, &cdb, szTable);
    if (err >= 0)
        err = bj_cat_ddl_delete_index(cdb, sess_trx(s), szTable, szIndexName);
    bj_tableid_put(o);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetDeleteIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName)
    BJ_ALIAS(JetDeleteIndex);

/* ---- renames and default values ---- */

BJ_EXPORT JET_ERR JetRenameTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szName,
                                 JET_PCSTR szNameNew)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_cat_db *cdb;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = ddl_of_dbid(s, dbid, &cdb);
    if (err >= 0)
        err = bj_cat_ddl_rename_table(cdb, sess_trx(s), szName, szNameNew);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetRenameTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szName, JET_PCSTR szNameNew)
    BJ_ALIAS(JetRenameTable);

BJ_EXPORT JET_ERR JetRenameColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szName,
                                  JET_PCSTR szNameNew, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_tableobj *o = NULL;
    bj_cat_db *cdb;
    char szTable[JET_cbNameMost + 1];
    CALL(bj_sess_enter(sesid, 0, &s));
    if (grbit)
        err = BJ_ERR(JET_errInvalidGrbit);
    else if (!szName || !szNameNew)
        err = BJ_ERR(JET_errInvalidParameter);
    else if (s->trx_level > 0)
        err = BJ_ERR(JET_errInTransaction); /* ESE's ErrIsamRenameColumn */
    else
        err = ddl_of_tableid(s, tableid, &o, &cdb, szTable);
    if (err >= 0)
        err = bj_cat_ddl_rename_column(cdb, sess_trx(s), szTable, szName, szNameNew);
    bj_tableid_put(o);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetRenameColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szName,
                         JET_PCSTR szNameNew, JET_GRBIT grbit) BJ_ALIAS(JetRenameColumn);

BJ_EXPORT JET_ERR JetSetColumnDefaultValue(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                           JET_PCSTR szColumnName, const void *pvData,
                                           const uint32_t cbData, const JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_cat_db *cdb;
    (void)grbit; /* ESE's ErrIsamSetColumnDefaultValue does not look at it */
    CALL(bj_sess_enter(sesid, 0, &s));
    err = ddl_of_dbid(s, dbid, &cdb);
    if (err >= 0)
        err = bj_cat_ddl_set_default(cdb, sess_trx(s), szTableName, szColumnName, pvData, cbData);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetSetColumnDefaultValueA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                  JET_PCSTR szColumnName, const void *pvData, const uint32_t cbData,
                                  const JET_GRBIT grbit) BJ_ALIAS(JetSetColumnDefaultValue);
