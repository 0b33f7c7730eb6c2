/* cat_schema.c: the second half of a catalog load (template resolution, record schemas, index
 * key descriptions, JET grbits from the persisted flags) and the lookups, names and reference
 * counting of a loaded bj_cat. A loaded catalog is immutable; only cref changes.
 */
#include "cat/cat_int.h"
#include "os/os.h"

/* ---- names ---- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int bj_cat_namecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = lower((unsigned char)*a), cb = lower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

JET_ERR bj_cat_check_name(const char *sz)
{
    if (!sz)
        return BJ_ERR(JET_errInvalidName);
    size_t n = strlen(sz);
    if (n == 0 || n > JET_cbNameMost)
        return BJ_ERR(JET_errInvalidName);
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)sz[i] < 0x20)
            return BJ_ERR(JET_errInvalidName);
    }
    return JET_errSuccess;
}

/* ---- lookups ---- */

const bj_cat_table *bj_cat_find_table(const bj_cat *cat, const char *szName)
{
    if (!cat || !szName)
        return NULL;
    for (uint32_t i = 0; i < cat->ctbl; i++) {
        if (bj_cat_namecmp(cat->rgtbl[i]->szName, szName) == 0)
            return cat->rgtbl[i];
    }
    return NULL;
}

const bj_cat_table *bj_cat_table_by_objid(const bj_cat *cat, uint32_t objid)
{
    for (uint32_t i = 0; cat && i < cat->ctbl; i++) {
        if (cat->rgtbl[i]->objid == objid)
            return cat->rgtbl[i];
    }
    return NULL;
}

const bj_cat_column *bj_cat_find_column(const bj_cat_table *t, const char *szName)
{
    for (uint32_t i = 0; t && szName && i < t->ccol; i++) {
        if (bj_cat_namecmp(t->rgcol[i].szName, szName) == 0)
            return &t->rgcol[i];
    }
    return NULL;
}

const bj_cat_column *bj_cat_column_by_id(const bj_cat_table *t, JET_COLUMNID columnid)
{
    for (uint32_t i = 0; t && i < t->ccol; i++) {
        if (t->rgcol[i].columnid == columnid)
            return &t->rgcol[i];
    }
    return NULL;
}

const bj_cat_index *bj_cat_find_index(const bj_cat_table *t, const char *szName)
{
    if (!t)
        return NULL;
    if (!szName || !szName[0])
        return t->fHasPrimary ? &t->rgidx[0] : NULL;
    for (uint32_t i = 0; i < t->cidx; i++) {
        if (bj_cat_namecmp(t->rgidx[i].szName, szName) == 0)
            return &t->rgidx[i];
    }
    return NULL;
}

/* ---- reference counting ---- */

static void table_free(bj_cat_table *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->ccol; i++)
        bj_free(t->rgcol[i].pvDefault);
    bj_free(t->rgcol);
    bj_free(t->rgidx);
    bj_rec_schema_free(&t->schema); /* safe on a zeroed schema */
    bj_free(t);
}

void bj_cat_addref(bj_cat *cat)
{
    atomic_fetch_add(&cat->cref, 1);
}

void bj_cat_release(bj_cat *cat)
{
    if (!cat || atomic_fetch_sub(&cat->cref, 1) != 1)
        return;
    for (uint32_t i = 0; i < cat->ctbl; i++)
        table_free(cat->rgtbl[i]);
    bj_free(cat->rgtbl);
    bj_free(cat);
}

/* ---- flags ---- */

/* JetGetColumnInfo's grbit (ESE info.cxx): the class from the id, then the FIELDFLAGs. */
static JET_GRBIT column_grbit(JET_COLUMNID columnid, uint32_t ffield)
{
    const uint32_t fid = columnid & 0xffffu;
    JET_GRBIT g = fid >= BJ_REC_FID_TAGGED_FIRST ? JET_bitColumnTagged
                  : fid <= BJ_REC_FID_FIXED_LAST ? JET_bitColumnFixed
                                                 : 0;
    static const struct {
        uint32_t ff;
        JET_GRBIT g;
    } map[] = {
        {BJ_FFIELD_NOT_NULL, JET_bitColumnNotNULL},
        {BJ_FFIELD_AUTOINC, JET_bitColumnAutoincrement},
        {BJ_FFIELD_VERSION, JET_bitColumnVersion},
        {BJ_FFIELD_MULTIVALUED, JET_bitColumnMultiValued},
        {BJ_FFIELD_ESCROW, JET_bitColumnEscrowUpdate},
        {BJ_FFIELD_FINALIZE, JET_bitColumnFinalize},
        {BJ_FFIELD_DELETE_ON_ZERO, JET_bitColumnDeleteOnZero},
        {BJ_FFIELD_USER_DEFAULT, JET_bitColumnUserDefinedDefault},
        {BJ_FFIELD_COMPRESSED, JET_bitColumnCompressed},
        {BJ_FFIELD_ENCRYPTED, JET_bitColumnEncrypted},
        {BJ_FFIELD_PK_PLACEHOLDER, JET_bitColumnRenameConvertToPrimaryIndexPlaceholder},
    };
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(map); i++) {
        if (ffield & map[i].ff)
            g |= map[i].g;
    }
    return g;
}

/* JetGetIndexInfo's grbit (ESE's IDB::GrbitFromFlags). */
static JET_GRBIT index_grbit(const bj_cat_index *x)
{
    JET_GRBIT g = 0;
    if (x->fidb & BJ_FIDB_PRIMARY)
        g |= JET_bitIndexPrimary;
    if (x->fidb & BJ_FIDB_UNIQUE)
        g |= JET_bitIndexUnique;
    if (x->fidb & BJ_FIDB_CROSS_PRODUCT)
        g |= JET_bitIndexCrossProduct;
    if (x->fidb & BJ_FIDB_NESTED_TABLE)
        g |= JET_bitIndexNestedTable;
    if (x->fidx & BJ_FIDX_DOTNET_GUID)
        g |= JET_bitIndexDotNetGuid;
    if (x->fidx & BJ_FIDX_DEFERRED_POPULATE)
        g |= JET_bitIndexDeferredPopulateCreate;
    if (x->fidb & BJ_FIDB_DISALLOW_TRUNCATION)
        g |= JET_bitIndexDisallowTruncation;
    if (x->fidb & BJ_FIDB_NO_NULL_SEG) {
        g |= JET_bitIndexDisallowNull;
    } else {
        if (!(x->fidb & BJ_FIDB_ALLOW_ALL_NULLS))
            g |= JET_bitIndexIgnoreNull;
        if (!(x->fidb & BJ_FIDB_ALLOW_FIRST_NULL))
            g |= JET_bitIndexIgnoreFirstNull;
        if (!(x->fidb & BJ_FIDB_ALLOW_SOME_NULLS))
            g |= JET_bitIndexIgnoreAnyNull;
        if (x->fidb & BJ_FIDB_SORT_NULLS_HIGH)
            g |= JET_bitIndexSortNullsHigh;
    }
    if (x->cbKeyMost > JET_cbKeyMost)
        g |= JET_bitIndexKeyMost;
    return g;
}

/* ---- finishing a table ---- */

/* Prepends the template's columns (template bit set) to a derived table's own columns. */
static JET_ERR inherit_columns(bj_cat_table *t, const bj_cat_table *tmpl)
{
    JET_ERR err = JET_errSuccess;
    uint32_t n = tmpl->ccol + t->ccol;
    bj_cat_column *rg = bj_calloc(n ? n : 1, sizeof(*rg));
    if (!rg)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < tmpl->ccol; i++) {
        rg[i] = tmpl->rgcol[i];
        rg[i].columnid |= BJ_REC_COLUMNID_TEMPLATE;
        rg[i].pvDefault = NULL;
        if (tmpl->rgcol[i].cbDefault) {
            rg[i].pvDefault = bj_malloc(tmpl->rgcol[i].cbDefault);
            if (!rg[i].pvDefault) {
                for (uint32_t j = 0; j < i; j++)
                    bj_free(rg[j].pvDefault);
                bj_free(rg);
                ERR(JET_errOutOfMemory);
            }
            memcpy(rg[i].pvDefault, tmpl->rgcol[i].pvDefault, tmpl->rgcol[i].cbDefault);
        }
        /* a derived table's own fixed/variable columns continue after the template's */
        for (uint32_t j = 0; j < t->ccol; j++) {
            uint32_t fid = t->rgcol[j].columnid & 0xffffu;
            if (fid == (tmpl->rgcol[i].columnid & 0xffffu) && fid < BJ_REC_FID_TAGGED_FIRST) {
                for (uint32_t k = 0; k <= i; k++)
                    bj_free(rg[k].pvDefault);
                bj_free(rg);
                ERR(JET_errCatalogCorrupted);
            }
        }
    }
    if (t->ccol)
        memcpy(rg + tmpl->ccol, t->rgcol, t->ccol * sizeof(*rg));
    bj_free(t->rgcol);
    t->rgcol = rg;
    t->ccol = n;
fail:
    return err;
}

static JET_ERR build_key(const bj_cat_table *t, bj_cat_index *x)
{
    JET_ERR err = JET_errSuccess;
    bj_key_index *k = &x->key;
    memset(k, 0, sizeof(*k));
    k->cbKeyMost = x->cbKeyMost;
    k->cbVarSegMac = x->cbVarSegMac >= x->cbKeyMost ? 0 : x->cbVarSegMac;
    memcpy(k->szLocale, x->szLocale, sizeof(k->szLocale));
    k->lcid = x->lcid;
    k->dwLCMapFlags = x->dwLCMapFlags;
    k->fSortNullsHigh = x->fidb & BJ_FIDB_SORT_NULLS_HIGH;
    k->fDotNetGuid = x->fidx & BJ_FIDX_DOTNET_GUID;
    k->fDisallowTruncation = x->fidb & BJ_FIDB_DISALLOW_TRUNCATION;
    k->cseg = x->cseg;
    for (uint32_t i = 0; i < x->cseg; i++) {
        const bj_cat_column *c = bj_cat_column_by_id(t, x->rgcolumnid[i]);
        if (!c)
            ERR(JET_errCatalogCorrupted);
        bj_key_seg *s = &k->rgseg[i];
        s->coltyp = c->coltyp;
        s->cp = c->cp == BJ_REC_CP_UNICODE ? BJ_KEY_CP_UNICODE : c->cp ? c->cp : BJ_REC_CP_ASCII;
        s->fDescending = x->rgfDescending[i];
        s->fFixed = (c->columnid & 0xffffu) <= BJ_REC_FID_FIXED_LAST;
        s->cbFixed = s->fFixed ? (uint16_t)c->cbMax : 0;
        if (i == 0 && (c->ffield & BJ_FFIELD_PK_PLACEHOLDER))
            k->fPlaceholder = true;
    }
    for (uint32_t i = 0; i < x->ccond; i++) {
        if (!bj_cat_column_by_id(t, x->rgcolumnidCond[i]))
            ERR(JET_errCatalogCorrupted);
    }
    x->grbit = index_grbit(x);
fail:
    return err;
}

static JET_ERR build_table(bj_cat *cat, bj_cat_table *t)
{
    JET_ERR err = JET_errSuccess;
    if (t->szTemplate[0]) {
        const bj_cat_table *tmpl = bj_cat_find_table(cat, t->szTemplate);
        if (!tmpl || tmpl == t || tmpl->szTemplate[0])
            ERR(JET_errCatalogCorrupted);
        t->ptemplate = tmpl;
        CALL(inherit_columns(t, tmpl));
    } else if (t->flags & JET_bitObjectTableTemplate) {
        /* a template's own columns are template columns (ESE: FCOLUMNIDTemplateColumn of
         * every columnid of a template table) */
        for (uint32_t i = 0; i < t->ccol; i++)
            t->rgcol[i].columnid |= BJ_REC_COLUMNID_TEMPLATE;
    }
    /* the primary index first */
    for (uint32_t i = 0; i < t->cidx; i++) {
        if (t->rgidx[i].fidb & BJ_FIDB_PRIMARY) {
            bj_cat_index x = t->rgidx[i];
            memmove(t->rgidx + 1, t->rgidx, i * sizeof(x));
            t->rgidx[0] = x;
            t->fHasPrimary = true;
            break;
        }
    }
    for (uint32_t i = 0; i < t->ccol; i++)
        t->rgcol[i].grbit = column_grbit(t->rgcol[i].columnid, t->rgcol[i].ffield);
    for (uint32_t i = 0; i < t->cidx; i++)
        CALL(build_key(t, &t->rgidx[i]));
    if (bj_rec_schema_init(&t->schema, cat->cbPage) < 0)
        ERR(JET_errCatalogCorrupted);
    t->schema.cbKeyMost = t->fHasPrimary ? t->rgidx[0].cbKeyMost : 0;
    for (uint32_t i = 0; i < t->ccol; i++) {
        const bj_cat_column *c = &t->rgcol[i];
        bj_rec_column rc = {0};
        rc.columnid = c->columnid;
        rc.coltyp = c->coltyp;
        rc.cbMax = c->cbMax;
        rc.grbit = c->grbit;
        rc.cp = c->cp;
        /* ESE defines the system tables' schemas in code; their catalog rows carry
         * RecordOffset 4 for every fixed column, so offsets are computed from the widths */
        rc.ibRecordOffset = (t->flags & JET_bitObjectSystem) ? 0 : c->ibRecordOffset;
        rc.fDerived = t->ptemplate && (c->columnid & BJ_REC_COLUMNID_TEMPLATE) &&
                      (c->columnid & 0xffffu) >= BJ_REC_FID_TAGGED_FIRST;
        rc.pvDefault = c->pvDefault;
        rc.cbDefault = c->cbDefault;
        if (bj_rec_schema_add(&t->schema, &rc) < 0)
            ERR(JET_errCatalogCorrupted);
    }
    if (bj_rec_schema_finish(&t->schema) < 0)
        ERR(JET_errCatalogCorrupted);
fail:
    return err;
}

JET_ERR cat_finish(bj_cat *cat)
{
    JET_ERR err = JET_errSuccess;
    /* templates before the tables derived from them */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < cat->ctbl; i++) {
            if ((cat->rgtbl[i]->szTemplate[0] != 0) == (pass == 1))
                CALL(build_table(cat, cat->rgtbl[i]));
        }
    }
fail:
    return err;
}
