/* cat.h: layer 7, the catalog. Loads MSysObjects (the clustered tree at pgno 4) of a database
 * into read-only table descriptors: tables, columns, indexes, LV trees, template/derived tables,
 * each table's record schema (bj_rec_schema) and each index's key description (bj_key_index).
 *
 * Facts (ESE cat.cxx, tdb.hxx, idb.hxx, daedef.hxx; ese-format.md §3.1-3.2):
 *  - rows are keyed (ObjidTable, Type, Id): a table row (Type 1) precedes its columns (2),
 *    indexes (3), LV tree (4) and callbacks (5);
 *  - a column row's Flags are FIELDFLAGs (ffieldNotNull 0x1, Version 0x2, Autoincrement 0x4,
 *    Multivalued 0x8, Default 0x10, EscrowUpdate 0x20, Finalize 0x40, UserDefinedDefault 0x80,
 *    TemplateColumnESE98 0x100, DeleteOnZero 0x200, PrimaryIndexPlaceholder 0x800,
 *    Compressed 0x1000, Encrypted 0x2000), not JET_bitColumn* grbits;
 *  - an index row's Flags are (u16 IDBFLAG) | (u16 IDXFLAG << 16); IDXFLAG 0x1
 *    (fIDXExtendedColumns, set on every index ESE writes today) means KeyFldIDs is an array of
 *    4-byte LE_IDXSEG {u8 flags (0x80 template column, 0x40 descending, 0x20 must-be-null),
 *    u8 reserved, u16 fid}; without it, an array of signed 16-bit fids (negative = descending);
 *  - KeyMost NULL = 255 (JET_cbKeyMost_OLD); VarSegMac NULL = KeyMost;
 *  - names compare case-insensitively in ASCII (ESE's UtilCmpName is _stricmp).
 * Every value read is validated: a bad row is JET_errCatalogCorrupted, a bad tree
 * JET_errDatabaseCorrupted (from the B-tree layer); never an assert.
 *
 * Concurrency: a loaded bj_cat is immutable and shared by the sessions of a database through
 * its reference count (bj_cat_addref / bj_cat_release are thread-safe). No locks.
 */
#ifndef BJ_CAT_H
#define BJ_CAT_H

#include <stdatomic.h>

#include "btree/btree.h"
#include "rec/key.h"
#include "rec/rec.h"

/* Fixed objects (ESE's pgnoFDPMSO / objidFDPMSO ...). */
#define BJ_CAT_PGNO_MSO 4u
#define BJ_CAT_OBJID_MSO 2u
#define BJ_CAT_PGNO_MSO_SHADOW 24u
#define BJ_CAT_OBJID_MSO_SHADOW 3u

/* Catalog row types (sysobj). */
#define BJ_CAT_TYPE_TABLE 1
#define BJ_CAT_TYPE_COLUMN 2
#define BJ_CAT_TYPE_INDEX 3
#define BJ_CAT_TYPE_LV 4
#define BJ_CAT_TYPE_CALLBACK 5

/* FIELDFLAG (persisted column flags, tdb.hxx). */
#define BJ_FFIELD_NOT_NULL 0x0001u
#define BJ_FFIELD_VERSION 0x0002u
#define BJ_FFIELD_AUTOINC 0x0004u
#define BJ_FFIELD_MULTIVALUED 0x0008u
#define BJ_FFIELD_DEFAULT 0x0010u
#define BJ_FFIELD_ESCROW 0x0020u
#define BJ_FFIELD_FINALIZE 0x0040u
#define BJ_FFIELD_USER_DEFAULT 0x0080u
#define BJ_FFIELD_TEMPLATE_ESE98 0x0100u
#define BJ_FFIELD_DELETE_ON_ZERO 0x0200u
#define BJ_FFIELD_PK_PLACEHOLDER 0x0800u
#define BJ_FFIELD_COMPRESSED 0x1000u
#define BJ_FFIELD_ENCRYPTED 0x2000u

/* IDBFLAG (persisted index flags, idb.hxx). */
#define BJ_FIDB_UNIQUE 0x0001u
#define BJ_FIDB_ALLOW_ALL_NULLS 0x0002u
#define BJ_FIDB_ALLOW_FIRST_NULL 0x0004u
#define BJ_FIDB_ALLOW_SOME_NULLS 0x0008u
#define BJ_FIDB_NO_NULL_SEG 0x0010u
#define BJ_FIDB_PRIMARY 0x0020u
#define BJ_FIDB_LOCALE_SET 0x0040u
#define BJ_FIDB_MULTIVALUED 0x0080u
#define BJ_FIDB_TEMPLATE_INDEX 0x0100u
#define BJ_FIDB_DERIVED_INDEX 0x0200u
#define BJ_FIDB_LOCALIZED_TEXT 0x0400u
#define BJ_FIDB_SORT_NULLS_HIGH 0x0800u
#define BJ_FIDB_CROSS_PRODUCT 0x2000u
#define BJ_FIDB_DISALLOW_TRUNCATION 0x4000u
#define BJ_FIDB_NESTED_TABLE 0x8000u
/* IDXFLAG (high 16 bits of the catalog Flags). */
#define BJ_FIDX_EXTENDED_COLUMNS 0x0001u
#define BJ_FIDX_DOTNET_GUID 0x0002u
#define BJ_FIDX_DEFERRED_POPULATE 0x0004u
/* LE_IDXSEG flags. */
#define BJ_IDXSEG_TEMPLATE 0x80u
#define BJ_IDXSEG_DESCENDING 0x40u
#define BJ_IDXSEG_MUST_BE_NULL 0x20u

typedef struct bj_cat_column {
    JET_COLUMNID columnid; /* fid, | BJ_REC_COLUMNID_TEMPLATE for a template table's column */
    char szName[JET_cbNameMost + 1];
    JET_COLTYP coltyp;
    uint32_t cbMax;  /* catalog SpaceUsage: fixed width / max length, 0 = unlimited */
    uint32_t ffield; /* BJ_FFIELD_* as stored */
    JET_GRBIT grbit; /* JET_bitColumn* as JetGetColumnInfo reports it (not Updatable) */
    uint16_t cp;     /* code page (1200, 1252, 0) */
    uint16_t ibRecordOffset;
    uint8_t *pvDefault; /* default value bytes, NULL = none */
    uint32_t cbDefault;
} bj_cat_column;

typedef struct bj_cat_index {
    uint32_t objid;   /* = table objid for the primary (clustered) index */
    uint32_t pgnoFDP; /* = table root for the primary index */
    char szName[JET_cbNameMost + 1];
    uint16_t fidb;   /* BJ_FIDB_* */
    uint16_t fidx;   /* BJ_FIDX_* */
    JET_GRBIT grbit; /* JET_bitIndex* (ESE's IDB::GrbitFromFlags) */
    uint32_t density;
    uint32_t lcid;
    char szLocale[BJ_KEY_LOCALE_NAME_MAX];
    uint32_t dwLCMapFlags;
    uint32_t cbKeyMost;
    uint32_t cbVarSegMac;
    uint32_t cseg;
    JET_COLUMNID rgcolumnid[JET_ccolKeyMost];
    bool rgfDescending[JET_ccolKeyMost];
    uint32_t ccond;
    JET_COLUMNID rgcolumnidCond[JET_ccolKeyMost];
    bool rgfMustBeNull[JET_ccolKeyMost];
    bool fFromTemplate; /* inherited by a derived table from its template */
    bj_key_index key;   /* normalisation settings for rec/key.h */
} bj_cat_index;

typedef struct bj_cat_table {
    uint32_t objid;
    uint32_t pgnoFDP;
    char szName[JET_cbNameMost + 1];
    char szTemplate[JET_cbNameMost + 1]; /* "" unless derived */
    JET_GRBIT flags;                     /* JET_bitObject* / JET_bitTable* as stored */
    uint32_t density;
    uint32_t cpgInitial;
    uint32_t cbLVChunkMax; /* catalog LVChunkMax, 0 = the page size's default */
    bj_cat_column *rgcol;  /* template columns first, then by columnid */
    uint32_t ccol;
    bj_cat_index *rgidx; /* the primary index (if any) first */
    uint32_t cidx;
    bool fHasPrimary; /* rgidx[0] is the primary index; else records are keyed by DBK */
    uint32_t objidLV; /* 0 = no LV tree */
    uint32_t pgnoLV;
    const struct bj_cat_table *ptemplate; /* resolved template table, or NULL */
    bj_rec_schema schema;
} bj_cat_table;

typedef struct bj_cat {
    _Atomic uint32_t cref;
    uint32_t cbPage;
    bj_cat_table **rgtbl; /* catalog (objid) order */
    uint32_t ctbl;
} bj_cat;

/* Loads the catalog of the database behind dbc (pgno 4, objid 2). The result has one
 * reference. JET_errCatalogCorrupted for invalid rows, JET_errDatabaseCorrupted /
 * JET_errReadVerifyFailure from the trees, JET_errOutOfMemory. */
JET_ERR bj_cat_load(bj_bt_dbctx *dbc, bj_cat **out);
/* Builds a catalog from MSysObjects records given in key order (used by bj_cat_load and by
 * tests that feed corrupt rows). cbPage selects the record layout; cpgDb bounds every pgno
 * (0 = no bound). */
JET_ERR bj_cat_build(uint32_t cbPage, uint32_t cpgDb, const uint8_t *const *rgrec,
                     const uint32_t *rgcb, uint32_t crec, bj_cat **out);
/* Takes one more reference. */
void bj_cat_addref(bj_cat *cat);
/* Drops one reference; frees the catalog when it was the last. NULL is ignored. */
void bj_cat_release(bj_cat *cat);

/* ESE's name comparison (ASCII case-insensitive, _stricmp): <0, 0, >0. */
int bj_cat_namecmp(const char *a, const char *b);
/* Checks an object name as ESE does for lookups: 1..64 bytes, no control characters.
 * JET_errInvalidName otherwise. */
JET_ERR bj_cat_check_name(const char *sz);

/* The table with this name (case-insensitive), or NULL. */
const bj_cat_table *bj_cat_find_table(const bj_cat *cat, const char *szName);
/* The table with this objid, or NULL. */
const bj_cat_table *bj_cat_table_by_objid(const bj_cat *cat, uint32_t objid);
/* The column with this name in t (template columns included), or NULL. */
const bj_cat_column *bj_cat_find_column(const bj_cat_table *t, const char *szName);
/* The column with this id (the template bit must match for derived tables), or NULL. */
const bj_cat_column *bj_cat_column_by_id(const bj_cat_table *t, JET_COLUMNID columnid);
/* The index with this name, or NULL; NULL/"" names the primary index (NULL if none). */
const bj_cat_index *bj_cat_find_index(const bj_cat_table *t, const char *szName);

/* The MSysObjects record schema (fixed: ObjidTable .. LVChunkMax; variable: Name ..;
 * tagged: CallbackData .. LocaleName) for a page size. Caller frees with bj_rec_schema_free. */
JET_ERR bj_cat_mso_schema(bj_rec_schema *s, uint32_t cbPage);

#endif /* BJ_CAT_H */
