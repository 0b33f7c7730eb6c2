/* tableid.h: layer 9, JET_TABLEID handles: an open table of a session (a src/tbl cursor on a
 * database the session opened). Handles come from a generation-checked table (handle.h);
 * a session keeps its open tables in a list (sess->cursors) that JetEndSession closes.
 * Only the thread inside the session uses its tables, so the list needs no lock.
 */
#ifndef BJ_INST_TABLEID_H
#define BJ_INST_TABLEID_H

#include "inst/db.h"
#include "tbl/tbl.h"

typedef struct bj_tableobj {
    JET_TABLEID handle;
    bj_sess *sess;
    bj_db *db;
    JET_DBID dbid;
    JET_GRBIT grbit; /* JetOpenTable's */
    bj_tbl *tbl;
    bj_ver_snap snap; /* a call's snapshot outside a transaction (bj_tableid_get/put) */
    bool fSnap;
    struct bj_db_tlock *tlock; /* the cursor's table lock (db_ddl.c) */
    bj_ver *ver;               /* the version store reads snapshot (db->ver or a temp table's) */
    struct bj_temptab *tt;     /* a temporary table (tempdb.h), closed with the handle */
    bool fWriting;             /* bj_tableid_write_begin holds db->schemalock (read) */
    const bj_cat *cat;         /* the catalog version tbl's descriptor is from (NULL: unknown) */
    uint64_t catgen;           /* db->catgen + 1 when cat was read (0: never) */
    struct bj_tableobj *next;  /* the session's list */
} bj_tableobj;

/* JetOpenTable on an entered session: JET_errInvalidDatabaseId, JET_errObjectNotFound,
 * JET_errInvalidName, tree errors. */
JET_ERR bj_tableid_open(bj_sess *sess, JET_DBID dbid, const char *szTable, JET_GRBIT grbit,
                        JET_TABLEID *ptableid);
/* Registers an open cursor tbl on db (a temporary table tt: its own version store, no
 * session transaction) as a table of sess. On failure the caller still owns tbl and tt. */
JET_ERR bj_tableid_adopt(bj_sess *sess, bj_db *db, bj_tbl *tbl, struct bj_temptab *tt,
                         JET_TABLEID *ptableid);
/* Around a record write through o (JetUpdate, JetDelete, JetEscrowUpdate): excludes index
 * builds and brings the cursor to the current catalog version. end without begin: no-op. */
void bj_tableid_write_begin(bj_tableobj *o);
void bj_tableid_write_end(bj_tableobj *o);
/* Resolves a table handle of this session (one reference; bj_tableid_put drops it), and sets
 * the cursor's reader: the session's transaction, or outside one a snapshot registered until
 * bj_tableid_put (readers outside a transaction read as of "now" per call).
 * JET_errInvalidTableId for a stale or garbage handle, JET_errSesidTableIdMismatch for another
 * session's. */
JET_ERR bj_tableid_get(bj_sess *sess, JET_TABLEID tableid, bj_tableobj **pobj);
/* As bj_tableid_get for calls that use only the cursor's copies (current record, key,
 * bookmark, copy buffer; long values, which are never versioned): no snapshot is registered
 * (inside a transaction the reader is the transaction as usual). */
JET_ERR bj_tableid_get_copy(bj_sess *sess, JET_TABLEID tableid, bj_tableobj **pobj);
void bj_tableid_put(bj_tableobj *obj);
/* JetCloseTable. */
JET_ERR bj_tableid_close(bj_sess *sess, JET_TABLEID tableid);
/* Closes every table of the session (JetEndSession). */
void bj_tableid_sess_end(bj_sess *sess);

#endif /* BJ_INST_TABLEID_H */
