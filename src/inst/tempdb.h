/* tempdb.h: layer 9, the temporary database of an instance and the temporary tables in it
 * (JetOpenTempTable family; the list tables of the info calls).
 *
 * The temporary database is an ordinary database file (JET_paramTempPath, default "tmp.edb";
 * a path ending in a separator names a folder that gets "tmp.edb") in the instance's buffer
 * cache, created at the first temporary table and deleted at JetTerm. A temporary table is a
 * real table of it, made through the DDL path (catalog rows in the temporary database's
 * MSysObjects, so its descriptor, record layout and key are the engine's own), opened with the
 * engine's cursor; closing it deletes the table and frees its pages.
 *
 * ESE facts (sortapi.cxx ErrIsamOpenTempTable / ErrSORTTableOpen / ErrTTEndInsert /
 * ErrIsamSortMove / ErrIsamSortSeek, sort.cxx ErrSORTOpen):
 *  - JET_bitColumnTTKey columns, in JET_COLUMNDEF order, form a unique primary key (cbKeyMost
 *    0 = 255); JET_bitColumnTTDescending makes a segment descending; without key columns the
 *    records keep their insertion order;
 *  - a sort removes records whose key equals one already there silently, except a forward-only
 *    sort without JET_bitTTUnique, which keeps them; a materialised table (no key,
 *    JET_bitTTForceMaterialization = JET_bitTTErrorOnDuplicateInsertion, long values without
 *    JET_bitTTIntrinsicLVsOnly) returns JET_errKeyDuplicate instead;
 *  - ForwardOnly with Indexed/Updatable/Scrollable/ForceMaterialization, or a forward-only sort
 *    that must be materialised: JET_errCannotMaterializeForwardOnlySort;
 *  - JET_paramMaxTemporaryTables 0, or that many open: JET_errTooManySorts;
 *  - a sort is in its insert phase until the first move or seek; then, unless materialised,
 *    moving backwards, seeking and index ranges need TTScrollable or TTIndexed, and inserting,
 *    replacing and deleting need TTUpdatable: JET_errIllegalOperation otherwise.
 *
 * Writes to a temporary table are not part of the session's transactions (ESE's temporary
 * database has versioning off): each table has its own version store and transaction; every
 * write runs in a transaction of its own, committed at once, and the version store is cleaned
 * after it, so closing the table can free its pages at once.
 *
 * Lock order: bj_tempdb.lock -> the temporary database's DDL lock (cat_ddl.c).
 */
#ifndef BJ_INST_TEMPDB_H
#define BJ_INST_TEMPDB_H

#include "inst/tableid.h"

typedef struct bj_temptab bj_temptab;

/* What a temporary table is opened with (the JetOpenTemporaryTable facts). */
typedef struct bj_temp_def {
    const JET_COLUMNDEF *rgcol;
    uint32_t ccol;
    JET_GRBIT grbit;             /* JET_bitTT* */
    uint32_t lcid;               /* 0 = default */
    const char *szLocale;        /* NULL = none */
    uint32_t dwMapFlags;         /* 0 = default */
    uint32_t cbKeyMost;          /* 0 = 255 */
    uint32_t cbVarSegMac;        /* 0 = cbKeyMost */
    const char *const *rgszName; /* column names (NULL: "c1", "c2", ...) */
} bj_temp_def;

/* Opens a temporary table for sess: *ptableid and rgcolumnid[i] for each column (the order of
 * def->rgcol). Errors: see the header comment, JET_errInvalidParameter (cbKeyMost /
 * cbVarSegMac), DDL errors for bad column definitions. */
JET_ERR bj_temp_open(bj_sess *sess, const bj_temp_def *def, JET_TABLEID *ptableid,
                     JET_COLUMNID *rgcolumnid);
/* Closes a temporary table (called by tableid.c when its handle is closed). */
void bj_temp_close(bj_temptab *tt);
/* Deletes the instance's temporary database (JetTerm, after every session ended). */
void bj_tempdb_term(bj_inst *inst);
/* Pages of the temporary database's file (tests: it must not grow without bound). */
uint32_t bj_tempdb_pages(bj_inst *inst);

/* The version store a temporary table's reads snapshot. */
bj_ver *bj_temp_ver(bj_temptab *tt);

/* The operations the sort rules govern. */
typedef enum bj_temp_op {
    BJ_TEMP_MOVE_FWD,  /* JetMove next / first / last / 0 */
    BJ_TEMP_MOVE_BACK, /* JetMove with a negative count */
    BJ_TEMP_SEEK,      /* JetSeek, JetSetIndexRange, JetGotoBookmark */
    BJ_TEMP_INSERT,    /* JetPrepareUpdate(JET_prepInsert) */
    BJ_TEMP_WRITE,     /* replace, delete */
    BJ_TEMP_READ,      /* column retrieval */
} bj_temp_op;
/* Checks op against the sort rules and ends the insert phase for moves and seeks.
 * JET_errIllegalOperation. */
JET_ERR bj_temp_check(bj_temptab *tt, bj_temp_op op);
/* The table's own transaction (level 0 between calls). */
bj_trx *bj_temp_trx(bj_temptab *tt);
/* After a write ran in bj_temp_trx: maps err (a duplicate key in a sort is dropped silently),
 * commits or rolls back, and cleans the version store. */
JET_ERR bj_temp_write_end(bj_temptab *tt, bj_tbl *c, JET_ERR err);

#endif /* BJ_INST_TEMPDB_H */
