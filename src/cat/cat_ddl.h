/* cat_ddl.h: layer 7, the writing half of the catalog: index entry keys of a record
 * (cat_idxkey.c), MSysObjects row encoding and the catalog writer (cat_write.c), the rows of a
 * new database's system tables (cat_create.c).
 *
 * Facts (ESE fldnorm.cxx ErrRECIRetrieveKey, recupd.cxx ErrRECIIterateIndexEntries /
 * KeySequence in rec.hxx, fcreate.cxx IDB::SetFlagsFromGrbit, cat.cxx ErrCATAddTable /
 * ErrCATAddTableColumn / ErrCATAddTableIndex / ErrCATPopulateCatalog, _cat.cxx rgcdescMSO /
 * rgidescMSO; checked against Catalog1_rev14_4k.edb):
 *  - multi-valued index columns: without JET_bitIndexCrossProduct only the first multi-valued
 *    segment is enumerated (one entry per value, the others use their first value); with it
 *    every combination (odometer, the last multi-valued segment fastest);
 *  - NULL rules per key: all segments NULL -> in the index iff !IgnoreNull; first segment NULL
 *    -> iff !IgnoreFirstNull; some segment NULL -> iff !IgnoreAnyNull; a key that is left out
 *    ends the enumeration; DisallowNull -> JET_errNullKeyDisallowed;
 *  - conditional columns: the record is in the index only when every must-be-null column is
 *    NULL and every must-be-non-null column is not;
 *  - tables without a primary index key their records by a DBK: 4 bytes big-endian, numbered
 *    from 1; the next is last-key + 1 (ESE ErrRECIInitDbkMost reads the last node, deleted
 *    ones included);
 *  - secondary index entries carry the record's primary bookmark (its primary key or DBK).
 */
#ifndef BJ_CAT_DDL_H
#define BJ_CAT_DDL_H

#include <stdatomic.h>

#include "cat/cat.h"
#include "ver/ver.h"

/* ---- index entry keys of a record (cat_idxkey.c) ---- */

/* Reads up to cbMax bytes of the separated long value lid into pv; *pcb = bytes read. */
typedef JET_ERR (*bj_cat_lv_read_fn)(void *ctx, uint64_t lid, uint8_t *pv, uint32_t cbMax,
                                     uint32_t *pcb);

/* The entry keys of one record in one index (distinct, in generation order). */
typedef struct bj_cat_keys {
    uint32_t ckey;
    uint32_t *rgib, *rgcb; /* key i = pb + rgib[i], rgcb[i] bytes */
    uint8_t *pb;
    uint32_t cbUsed, cbAlloc, ckeyAlloc;
} bj_cat_keys;

void bj_cat_keys_init(bj_cat_keys *k);
void bj_cat_keys_free(bj_cat_keys *k);

/* Every entry key record (rec, cbRec) has in index x of table t (ESE's rules above). ckey 0 =
 * the record is not in the index. lvread (may be NULL: separated values then give
 * JET_errFeatureNotAvailable) fetches separated long values. Errors: JET_errNullKeyDisallowed,
 * JET_errKeyTruncated (DisallowTruncation), JET_errDatabaseCorrupted (bad record),
 * JET_errOutOfMemory, key normalisation errors. */
JET_ERR bj_cat_index_keys(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                          size_t cbRec, bj_cat_lv_read_fn lvread, void *lvctx, bj_cat_keys *out);

/* Which values of the record made index entry key (ESE's KeySequence match in
 * ErrRECIRetrieveColumnFromKey's itag computation): rgitag[iseg] (x->cseg of them) = the
 * itagSequence each segment used; *pfFound false when no entry of the record has that key. */
JET_ERR bj_cat_index_key_itags(const bj_cat_table *t, const bj_cat_index *x, const void *rec,
                               size_t cbRec, bj_cat_lv_read_fn lvread, void *lvctx,
                               const void *key, uint32_t cbKey, uint32_t *rgitag, bool *pfFound);

/* The primary key of a record (table with a primary index): out must hold
 * JET_cbKeyMostMost bytes. A primary index is never multi-valued-enumerated (first values);
 * JET_errNullKeyDisallowed for a NULL segment under DisallowNull. */
JET_ERR bj_cat_primary_key(const bj_cat_table *t, const void *rec, size_t cbRec,
                           bj_cat_lv_read_fn lvread, void *lvctx, uint8_t *out, uint32_t *pcb);

/* The key of DBK dbk (tables without a primary index): 4 bytes big-endian. */
void bj_cat_dbk_key(uint32_t dbk, uint8_t key[4]);

/* IDBFLAG (low 16 bits) | IDXFLAG (high 16, fIDXExtendedColumns always set) for JET_bitIndex*
 * grbits, as ESE's IDB::SetFlagsFromGrbit persists them. */
uint32_t bj_cat_index_flags_from_grbit(JET_GRBIT grbit);

/* ---- catalog rows and the catalog writer (cat_write.c) ---- */

/* MSysObjects column ids (ESE's fidMSO_*). Rows we write use fixed columns 1..11 only (12
 * LVChunkMax when a table sets it); column 13 (PgnoFDPLastSetTime) is never written: Debian's
 * libesedb 20181229 rejects catalog rows with 13 fixed columns. */
enum {
    BJ_MSO_OBJIDTABLE = 1,
    BJ_MSO_TYPE = 2,
    BJ_MSO_ID = 3,
    BJ_MSO_COLTYP_PGNOFDP = 4,
    BJ_MSO_SPACEUSAGE = 5,
    BJ_MSO_FLAGS = 6,
    BJ_MSO_PAGES_LOCALE = 7,
    BJ_MSO_ROOTFLAG = 8,
    BJ_MSO_RECORDOFFSET = 9,
    BJ_MSO_LCMAPFLAGS = 10,
    BJ_MSO_KEYMOST = 11,
    BJ_MSO_LVCHUNKMAX = 12,
    BJ_MSO_NAME = 128,
    BJ_MSO_STATS = 129,
    BJ_MSO_TEMPLATE = 130,
    BJ_MSO_DEFAULT = 131,
    BJ_MSO_KEYFLDIDS = 132,
    BJ_MSO_VARSEGMAC = 133,
    BJ_MSO_CONDCOLS = 134,
    BJ_MSO_TUPLELIMITS = 135,
    BJ_MSO_VERSION = 136,
    BJ_MSO_SORTID = 137,
    BJ_MSO_CALLBACKDATA = 256,
    BJ_MSO_LOCALENAME = 261,
};

#define BJ_CAT_DENSITY_DEFAULT 80u /* ulFILEDefaultDensity */
#define BJ_CAT_DENSITY_MOST 100u   /* ulFILEDensityMost (LV trees) */
#define BJ_CAT_LV_NAME "LV"        /* szLVRoot */

/* Encoders of one MSysObjects row each, as ESE's ErrCATAddTable / ErrCATAddTableColumn /
 * ErrCATAddTableIndex / ErrCATIAddTableLV write them; mso = bj_cat_mso_schema(). out holds
 * cbMax bytes (a page is always enough); *pcb = the row size. */
JET_ERR bj_cat_row_table(const bj_rec_schema *mso, const bj_cat_table *t, uint8_t *out,
                         size_t cbMax, size_t *pcb);
JET_ERR bj_cat_row_column(const bj_rec_schema *mso, uint32_t objidTable, const bj_cat_column *c,
                          uint8_t *out, size_t cbMax, size_t *pcb);
JET_ERR bj_cat_row_index(const bj_rec_schema *mso, uint32_t objidTable, const bj_cat_index *x,
                         uint8_t *out, size_t cbMax, size_t *pcb);
JET_ERR bj_cat_row_lv(const bj_rec_schema *mso, uint32_t objidTable, uint32_t objidLV,
                      uint32_t pgnoLV, uint8_t *out, size_t cbMax, size_t *pcb);

struct bj_space_db;
typedef struct bj_cat_writer bj_cat_writer;

/* A writer of catalog rows for one database: MSysObjects (pgno 4) with its Name (7) and
 * RootObjects (10) indexes and MSysObjectsShadow (24). cat must describe MSysObjects (the
 * writer keeps a reference). One writer is used by one thread at a time (the database's DDL
 * lock). */
JET_ERR bj_cat_writer_open(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_cat *cat,
                           bj_cat_writer **pw);
void bj_cat_writer_close(bj_cat_writer *w);
/* Inserts a row into MSysObjects, the index entries it has, and the shadow. Duplicate
 * (ObjidTable, Type, Id) or (ObjidTable, Type, Name) or table name: JET_errKeyDuplicate, with
 * nothing left behind. */
JET_ERR bj_cat_writer_insert(bj_cat_writer *w, const uint8_t *row, uint32_t cb);
/* Deletes the row (ObjidTable, Type, Id) from all four trees. JET_errRecordNotFound. */
JET_ERR bj_cat_writer_delete(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id);
/* Crash-tolerant forms for undo (also in crash recovery, where a change may be partly made and
 * an undo may run twice): remove deletes whatever the four trees hold of row (ObjidTable, Type,
 * Id) (index entries only when they point to it; absent: success); restore inserts the row into
 * each tree that lacks it (present: success). */
JET_ERR bj_cat_writer_remove(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id);
JET_ERR bj_cat_writer_restore(bj_cat_writer *w, const uint8_t *row, uint32_t cb);
/* Reads the row (ObjidTable, Type, Id) into out (cbMax bytes). JET_errRecordNotFound. */
JET_ERR bj_cat_writer_read(bj_cat_writer *w, uint32_t objidTable, uint16_t type, uint32_t id,
                           uint8_t *out, uint32_t cbMax, uint32_t *pcb);

/* ---- a new database's system tables (cat_create.c) ---- */

/* Writes the catalog of a new database laid out by bj_space_create_db: the rows of
 * MSysObjects (objid 2: table, 25 columns, indexes Id/Name/RootObjects) and MSysObjectsShadow
 * (objid 3: table, 25 columns, index Id), in both catalog trees, with the Name and RootObjects
 * entries. *pcat = the loaded catalog. */
JET_ERR bj_cat_create(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_cat **pcat);

/* ---- DDL (cat_ddl.c) ---- */

struct bj_trx;

/* What DDL needs of a database; lives as long as the attached database (RCE undo callbacks
 * keep a pointer). Every DDL call and undo runs under *lock. Catalog versions are immutable:
 * each change loads the new catalog and hands it to publish (which takes the reference). */
typedef struct bj_cat_db {
    bj_bt_dbctx *dbc;
    struct bj_space_db *sdb;
    bj_cat_writer *w;
    bj_mutex *lock;
    uint32_t *pobjidLast;
    uint32_t dbid;
    bj_cat **pcat; /* the current version */
    JET_ERR (*publish)(void *ctx, bj_cat *cat);
    /* Bumped (under *lock) before every publish: readers that validated a descriptor against
     * *pcat cache the generation they saw (tbl_column's fast path). */
    _Atomic uint64_t gen;
    /* DDL RCEs in the version store: raised before one is created, lowered once its undo or
     * cleanup callback succeeded (never too low; too high only costs the fast path). */
    _Atomic int64_t cRce;
    void *ctx;
    /* Before the FDP pgnoFDP of table objidTable (the table's or one of its trees) is freed:
     * true = the upper layer dropped its handles on it, free it now; false = cursors still use
     * the table: the upper layer frees it later with bj_cat_ddl_free_fdp. NULL = free now. */
    bool (*forget)(void *ctx, uint32_t objidTable, uint32_t pgnoFDP);
    /* Tables deleted inside transactions whose FDPs are not yet freed (ESE's FDeletePending:
     * opens get JET_errTableLocked); under *lock. */
    struct bj_cat_dead *dead;
    /* Whether any cursor has table objid open (JetDeleteTable: JET_errTableInUse); NULL =
     * never. Called under *lock. */
    bool (*in_use)(void *ctx, uint32_t objid);
    /* Separated long values of table t for index builds: lv_open gives a reader context for
     * lv_read, lv_close ends it. NULL = none (separated values: JET_errFeatureNotAvailable). */
    JET_ERR (*lv_open)(void *ctx, const bj_cat_table *t, void **plv);
    void (*lv_close)(void *lv);
    bj_cat_lv_read_fn lv_read;
    /* MSysObjids upkeep (ESE cat.cxx ErrCATInsertMSObjidsRecord / ErrCATDeleteMSObjidsRecord):
     * inserts or deletes the row (objid, objidTable, type) of a B-tree (table, secondary index,
     * LV tree) in trx (not in a transaction: at once). A database without MSysObjids: no-op.
     * NULL = none. Called under *lock. */
    JET_ERR (*objids)
    (void *ctx, struct bj_trx *trx, bool fInsert, uint32_t objid, uint32_t objidTable,
     uint16_t type);
    /* Private: the version-store callbacks of this database's DDL RCEs (ctx = this cdb), see
     * bj_cat_ddl_ver_ops. */
    bj_ver_ops ver_ops;
} bj_cat_db;

/* The callbacks (client BJ_VER_CLIENT_DDL, ctx = cdb) of every DDL RCE of cdb's database: crash
 * recovery re-creates logged DDL RCEs with them. The first call fills them in (DDL calls it
 * under cdb->lock; call it once at setup before DDL can run concurrently). The undo of a
 * re-created RCE reads the catalog version *cdb->pcat (load it after redo). */
const bj_ver_ops *bj_cat_ddl_ver_ops(bj_cat_db *cdb);

/* Who asks for a column or index (ESE's FixedDDL rules, fcreate.cxx ErrIsamAddColumn /
 * ErrIsamCreateIndex): a plain cursor, a cursor opened with JET_bitTablePermitDDL (FixedDDL
 * tables take columns; template tables tagged ones only, and no index), or the table's own
 * creation (JetCreateTableColumnIndex: anything). */
enum { BJ_CAT_DDL_USER = 0, BJ_CAT_DDL_PERMIT = 1, BJ_CAT_DDL_CREATE = 2 };

/* One column to add (JET_COLUMNDEF / JET_COLUMNCREATE facts). */
typedef struct bj_cat_coldef {
    const char *szName;
    JET_COLTYP coltyp;
    uint32_t cbMax;
    JET_GRBIT grbit; /* JET_bitColumn* */
    uint16_t cp;
    const void *pvDefault;
    uint32_t cbDefault;
    uint8_t ddl; /* BJ_CAT_DDL_* */
} bj_cat_coldef;

/* One index to create (JET_INDEXCREATE* facts). */
typedef struct bj_cat_idxdef {
    const char *szName;
    const char *szKey; /* "+a\0-b\0\0" */
    uint32_t cbKey;
    JET_GRBIT grbit;
    uint32_t density;      /* 0 = 80 */
    uint32_t lcid;         /* 0 = none given */
    const char *szLocale;  /* ASCII locale name or NULL */
    uint32_t dwLCMapFlags; /* 0 = default */
    uint32_t cbVarSegMac;  /* 0 = none */
    uint32_t cbKeyMost;    /* 0 = 255 */
    const JET_CONDITIONALCOLUMN_A *rgcond;
    uint32_t ccond;
    uint8_t ddl;   /* BJ_CAT_DDL_* */
    bool fDerived; /* internal: a derived table's copy of a template index */
} bj_cat_idxdef;

/* Each call below: trx NULL or at level 0 = the change is final at return; otherwise it is
 * undone by rolling back trx (a revision entry keyed (dbid, objid 2, row key), created before
 * the change's first page write, whose undo tolerates a partly made change;
 * concurrent DDL on the same object by two transactions: JET_errWriteConflict).
 * Errors are ESE's (fcreate.cxx, cat.cxx): JET_errInvalidName, JET_errTableDuplicate,
 * JET_errObjectNotFound, JET_errColumnDuplicate, JET_errInvalidColumnType,
 * JET_errInvalidCodePage, JET_errInvalidGrbit, JET_errMultiValuedColumnMustBeTagged,
 * JET_errCannotBeTagged, JET_errDefaultValueTooBig, JET_errTooManyColumns,
 * JET_errIndexDuplicate, JET_errIndexHasPrimary, JET_errIndexInvalidDef, JET_errColumnNotFound,
 * JET_errTableNotEmpty (new primary index on a non-empty table), JET_errKeyDuplicate (unique
 * index over duplicates), JET_errIndexNotFound, JET_errColumnInUse. */
JET_ERR bj_cat_ddl_create_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                uint32_t cpg, uint32_t density, JET_GRBIT grbit);
/* A table derived from template table szTemplate (ESE fcreate.cxx ErrFILECreateTable,
 * ErrFILEIInheritIndexes): its row names the template, flags Derived (| FixedDDL when asked);
 * it gets a copy of every template index (DerivedIndex flag; own trees for secondary ones).
 * JET_errObjectNotFound (no such template), JET_errDDLNotInheritable (not a template),
 * JET_errCannotNestDDL (JET_bitTableCreateTemplateTable too), JET_errInvalidGrbit. */
JET_ERR bj_cat_ddl_create_derived(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                  const char *szTemplate, uint32_t cpg, uint32_t density,
                                  JET_GRBIT grbit);
/* *pcolumnid = the new column's id (may be NULL). A JET_wrnColumnMaxTruncated warning when
 * cbMax was cut to 255. */
JET_ERR bj_cat_ddl_add_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                              const bj_cat_coldef *def, JET_COLUMNID *pcolumnid);
JET_ERR bj_cat_ddl_create_index(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                const bj_cat_idxdef *def);
JET_ERR bj_cat_ddl_delete_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable);
JET_ERR bj_cat_ddl_delete_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                 const char *szColumn);
JET_ERR bj_cat_ddl_delete_index(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                const char *szIndex);

/* JetRenameTable: JET_errObjectNotFound, JET_errTableDuplicate, JET_errTableInUse (a cursor has
 * it open), JET_errCannotDeleteSystemTable (system tables), JET_errInvalidName. */
JET_ERR bj_cat_ddl_rename_table(bj_cat_db *cdb, struct bj_trx *trx, const char *szName,
                                const char *szNameNew);
/* JetRenameColumn: JET_errColumnNotFound, JET_errColumnDuplicate, JET_errFixedDDL (a template
 * column of a derived table). */
JET_ERR bj_cat_ddl_rename_column(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                                 const char *szName, const char *szNameNew);
/* JetSetColumnDefaultValue (ESE fldmod.cxx ErrIsamSetColumnDefaultValue): JET_errNullInvalid
 * (no data), JET_errDefaultValueTooBig, JET_errColumnNotFound, JET_errColumnInUse (an index
 * column), JET_errTableInUse (a cursor has the table open), JET_errInvalidParameter (a fixed
 * type of another size). */
JET_ERR bj_cat_ddl_set_default(bj_cat_db *cdb, struct bj_trx *trx, const char *szTable,
                               const char *szColumn, const void *pv, uint32_t cb);

/* ---- what other sessions see of uncommitted DDL ---- */

/* The objid of a table named sz deleted in a transaction and not yet purged (0: none).
 * Call under cdb->lock. */
uint32_t bj_cat_ddl_deleted_table(const bj_cat_db *cdb, const char *sz);
/* Gives back the space of FDP pgno (deferred by forget). Call under cdb->lock. */
JET_ERR bj_cat_ddl_free_fdp(bj_cat_db *cdb, uint32_t pgno);
/* Frees what cdb accumulated (at detach). */
void bj_cat_ddl_db_free(bj_cat_db *cdb);

/* Whether a reader (trx, or outside a transaction the registered snapshot snap_ts) sees the
 * catalog row (objidTable, type, id) of cdb's database: fInCatalog = the row is in the current
 * catalog version. A row created by a transaction the reader must not see is absent for it; a
 * row deleted by one is still present (ESE: uncommitted DDL is invisible to other sessions).
 * Call under cdb->lock (so a rollback cannot run between the catalog read and this). */
bool bj_cat_ddl_row_seen(const bj_cat_db *cdb, bj_ver *ver, const struct bj_trx *trx,
                         uint64_t snap_ts, uint32_t objidTable, uint16_t type, uint32_t id,
                         bool fInCatalog);
/* Whether the row was replaced (rename, new default) by a transaction the reader must not see
 * (it then sees the version before). Call under cdb->lock. */
bool bj_cat_ddl_row_changed(const bj_cat_db *cdb, bj_ver *ver, const struct bj_trx *trx,
                            uint64_t snap_ts, uint32_t objidTable, uint16_t type, uint32_t id);

#endif /* BJ_CAT_DDL_H */
