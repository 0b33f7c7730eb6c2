/* tbl_write.h: layer 8, the writing half of table cursors: the per-database shared state
 * (one B-tree handle per tree, so every writer of a tree shares its structure lock; per-table
 * counters for autoincrement, DBKs and LIDs), snapshot-isolated visibility through the version
 * store, prepared updates (the copy buffer), record insert/replace/delete with secondary-index
 * and long-value maintenance, escrow updates and record locks.
 *
 * Versioning rules (ver.h): every page change has its RCE first (bj_ver_modify), created by the
 * session's transaction; a node changed under versioning carries BJ_ND_VERSION, set by the
 * same or an earlier page operation than the data change, so a reader never sees changed data
 * without the flag. Deletes only flag nodes (BJ_ND_DELETED); the RCE's cleanup removes them.
 * Long values are immutable once written: a changed value gets a new LID, the old one is freed
 * by the cleanup of the replace/delete that dropped it (when no snapshot can see it).
 * Readers (tbl_version.c) ask the version store only for flagged nodes, and re-read the node
 * after asking: if the page changed meanwhile (its dbtime moved), they ask again, so a
 * rollback that restored the page between the read and the question is never missed.
 *
 * Lock order: a tree's structure lock and page latches (btree) -> version store stripes (ver);
 * the per-database mutex (tree registry, table counters) is taken alone.
 */
#ifndef BJ_TBL_WRITE_H
#define BJ_TBL_WRITE_H

#include "tbl/tbl.h"
#include "ver/ver.h"

struct bj_space_db;
typedef struct bj_tbl_db bj_tbl_db;
typedef struct bj_tbl_upd bj_tbl_upd;

/* The shared state of one attached database. sdb NULL (read-only database): updates return
 * JET_errPermissionDenied. ver: the instance's version store. */
JET_ERR bj_tbl_db_open(bj_bt_dbctx *dbc, struct bj_space_db *sdb, bj_ver *ver, uint32_t dbid,
                       bj_tbl_db **out);
/* Closes every shared tree (no cursor may still use them). NULL is ignored. */
void bj_tbl_db_close(bj_tbl_db *d);
struct bj_cat_db;
/* Gives d the database's DDL context, through which a table's LV tree is created (catalog row
 * + new catalog version) when its first separated long value is written. */
void bj_tbl_db_set_ddl(bj_tbl_db *d, struct bj_cat_db *cdb);
/* The database context d serves. */
bj_bt_dbctx *bj_tbl_db_dbc(bj_tbl_db *d);
/* Closes the shared handles of the tree rooted at pgnoFDP, if open, before DDL frees that FDP
 * (no cursor may still use it). Unknown roots and d NULL are ignored. */
void bj_tbl_db_forget(bj_tbl_db *d, uint32_t pgnoFDP);
/* The shared handle of the tree rooted at pgnoFDP (opened on first use, with its allocator). */
JET_ERR bj_tbl_db_tree(bj_tbl_db *d, uint32_t pgnoFDP, uint32_t objid, bj_bt_tree **pt);

/* Opens a cursor (as bj_tbl_open) on the shared trees of d, with versioning. */
JET_ERR bj_tbl_open_db(bj_tbl_db *d, const bj_cat_table *t, bj_tbl **pc);
/* Sets who reads through the cursor for the next calls: the session's transaction (NULL or at
 * level 0: the snapshot snap_ts, registered by the caller for the call's duration). */
void bj_tbl_set_reader(bj_tbl *c, bj_trx *trx, uint64_t snap_ts);

/* The node the btree cursor cur is on, as the cursor's reader sees it: *pvis, and (when
 * visible) key and data (the data may be a before-image from the version store). objid and
 * fNonUnique name the tree for the version store. */
JET_ERR bj_tbl_see(bj_tbl *c, bj_bt_cursor *cur, uint32_t objid, const uint8_t **pk, uint32_t *pcbK,
                   const uint8_t **pd, uint32_t *pcbD, bool *pvis);

/* ---- prepared updates and record writes (tbl_update.c) ---- */

/* JetPrepareUpdate: JET_prepInsert, JET_prepReplace (takes a write lock: JET_errWriteConflict
 * when another transaction holds or changed the record), JET_prepReplaceNoLock,
 * JET_prepInsertCopy, JET_prepInsertCopyDeleteOriginal, JET_prepCancel. Errors:
 * JET_errAlreadyPrepared, JET_errUpdateNotPrepared (cancel without one), JET_errNoCurrentRecord,
 * JET_errNotInTransaction (replace with lock at level 0), JET_errPermissionDenied. */
JET_ERR bj_tbl_prepare_update(bj_tbl *c, uint32_t prep);
/* JetSetColumn into the copy buffer: grbit JET_bitSet*, ibLongValue and itagSequence from
 * JET_SETINFO (NULL: 0, 0). */
JET_ERR bj_tbl_set_column(bj_tbl *c, JET_COLUMNID columnid, const void *pv, uint32_t cb,
                          JET_GRBIT grbit, uint32_t ibLongValue, uint32_t itagSequence);
/* JetRetrieveColumn with JET_bitRetrieveCopy: reads the copy buffer. */
JET_ERR bj_tbl_retrieve_copy(bj_tbl *c, JET_COLUMNID columnid, void *pv, uint32_t cbMax,
                             uint32_t *pcbActual, JET_GRBIT grbit, uint32_t ibLongValue,
                             uint32_t itagSequence);
/* True when an update is prepared. */
bool bj_tbl_update_prepared(const bj_tbl *c);
/* JetUpdate: writes the copy buffer (insert or replace) atomically (a nested level: any error
 * undoes all of it). pvBm/cbBm/pcbBm: the record's bookmark. JET_errUpdateNotPrepared,
 * JET_errNullInvalid, JET_errRecordTooBig, JET_errKeyDuplicate, JET_errRecordPrimaryChanged,
 * JET_errWriteConflict, JET_errNotInTransaction (caller wraps level 0 calls). */
JET_ERR bj_tbl_update(bj_tbl *c, void *pvBm, uint32_t cbBm, uint32_t *pcbBm);
/* JetDelete of the current record (flag-delete + index entries + long values). */
JET_ERR bj_tbl_delete(bj_tbl *c);
/* JetEscrowUpdate: adds the 4-byte delta pv to escrow column columnid of the current record;
 * pvOld gets the value before. JET_bitEscrowNoRollback: the change survives a rollback. */
JET_ERR bj_tbl_escrow_update(bj_tbl *c, JET_COLUMNID columnid, const void *pv, uint32_t cb,
                             void *pvOld, uint32_t cbOldMax, uint32_t *pcbOldActual,
                             JET_GRBIT grbit);
/* JetGetLock: JET_bitReadLock / JET_bitWriteLock on the current record. */
JET_ERR bj_tbl_get_lock(bj_tbl *c, JET_GRBIT grbit);
/* Drops a prepared update (rollback, close); frees what it holds. */
void bj_tbl_update_free(bj_tbl *c);

#endif /* BJ_TBL_WRITE_H */
