/* db.h: layer 9, the databases of an instance: attach / detach (JetAttachDatabase2,
 * JetDetachDatabase2), per-session open database ids (JetOpenDatabase / JetCloseDatabase), and
 * the header facts JetGetDatabaseInfo / JetGetDatabaseFileInfo report. Databases live in the
 * instance's one buffer cache (inst->buf); one attached without JET_bitDbReadOnly is writable:
 * its header says dirty (dbstate 2) while attached and clean (3, with the last dbtime) after a
 * detach that flushed every page. Updates of a read-only one: JET_errPermissionDenied.
 *
 * Lock order: the instance's database table lock (bj_dbtable.lock) is taken alone, for attach,
 * detach, open and close; cursors hold a database open (cOpen) so it cannot be detached under
 * them (JET_errDatabaseInUse).
 */
#ifndef BJ_INST_DB_H
#define BJ_INST_DB_H

#include "btree/btree.h"
#include "cat/cat_ddl.h"
#include "inst/inst.h"
#include "page/dbhdr.h"
#include "ver/ver.h"

#define BJ_DB_MAX 7 /* user databases per instance (ESE's dbidMax - 1) */

typedef struct bj_db {
    JET_DBID dbid;
    char path[BJ_PATH_MAX];
    bool fReadOnly;
    bj_file *file;
    bj_buf_db *bdb;        /* in the instance's cache (inst->buf) */
    struct bj_tbl_db *tdb; /* shared trees and versioning of table cursors */
    bj_ver *ver;
    bj_bt_dbctx dbc;
    bj_cat *cat;
    bj_dbhdr hdr;
    uint32_t cbPage;
    uint64_t cbFile;
    _Atomic uint32_t cOpen; /* JetOpenDatabase calls not yet closed, over all sessions */
    /* write path (db_create.c); all NULL/0 on a read-only attach */
    struct bj_space_db *sdb;    /* page allocation */
    struct bj_cat_writer *catw; /* MSysObjects + indexes + shadow */
    bj_mutex ddl;               /* serialises DDL, objid allocation, catalog publication */
    bool fDdlInit;
    uint32_t objidLast; /* under ddl; saved in the header */
    bj_cat_db cdb;      /* what src/cat's DDL needs (cat_ddl.h) */
    bj_cat **rgcatOld;  /* catalog versions replaced by DDL, freed at detach */
    uint32_t ccatOld, ccatOldAlloc;
    bj_rwlock schemalock; /* writes of records (read) vs index builds (write); fDdlInit */
    bj_mutex catlock;     /* guards the db->cat pointer swap (fDdlInit) */
    _Atomic uint64_t catgen; /* bumped after each db->cat swap (under catlock): bj_tableid_get */
    /* db_ddl.c: open cursors per table (deny modes), FDPs to free at a table's last close */
    struct bj_db_tlock *tlocks;
    struct bj_db_deferred *deferred;
} bj_db;

typedef struct bj_dbtable {
    bj_mutex lock;
    bj_db *rgdb[BJ_DB_MAX];
    /* attaches/detaches past their backup check (under lock): a backup's Begin sets its
     * active flag, then waits for 0 without taking lock (held long by checkpoint flushes) */
    _Atomic uint32_t cChanging;
} bj_dbtable;

/* Per-session open counts by dbid (sess->open_dbs). */
typedef struct bj_sess_dbs {
    uint32_t cOpen[BJ_DB_MAX];
} bj_sess_dbs;

/* JetAttachDatabase2: JET_bitDbReadOnly; JET_errFileNotFound, JET_errFileAccessDenied (locked
 * by another process), JET_errPageSizeMismatch, JET_errDatabaseDirtyShutdown,
 * JET_wrnDatabaseAttached (already attached), JET_errTooManyAttachedDatabases, header and
 * catalog errors. */
JET_ERR bj_db_attach(bj_inst *inst, const char *szFile, JET_GRBIT grbit);
/* Internal attach grbit (never from the API): recovery attaches a DirtyShutdown database. */
#define BJ_ATTACH_RECOVERY 0x40000000u
/* JetDetachDatabase2: szFile NULL or "" detaches every database. JET_errDatabaseNotFound,
 * JET_errDatabaseInUse (a session still has it open). */
JET_ERR bj_db_detach(bj_inst *inst, const char *szFile, JET_GRBIT grbit);
/* Detaches everything regardless of opens (JetTerm) and frees the database table; fDirty
 * (JET_bitTermDirty): nothing is flushed, headers stay DirtyShutdown (recovery's job). */
void bj_db_term(bj_inst *inst, bool fDirty);
/* JetOpenDatabase for an attached database: *pdbid. JET_errDatabaseNotFound. */
JET_ERR bj_db_open(bj_sess *sess, const char *szFile, JET_GRBIT grbit, JET_DBID *pdbid);
/* JetCloseDatabase. JET_errInvalidDatabaseId when the session has not opened dbid. */
JET_ERR bj_db_close(bj_sess *sess, JET_DBID dbid);
/* The database a session has open under dbid (JET_errInvalidDatabaseId otherwise). */
JET_ERR bj_db_get(bj_sess *sess, JET_DBID dbid, bj_db **pdb);
/* Closes every database a session still has open (JetEndSession). */
void bj_db_sess_end(bj_sess *sess);
/* Reads and checks the header of a database file that need not be attached (JetGetDatabase-
 * FileInfo): *pcbFile = file size. */
JET_ERR bj_db_read_header(bj_os *os, const char *szFile, bj_dbhdr *phdr, uint32_t *pcbPage,
                          uint64_t *pcbFile);

/* ---- write path (db_create.c) ---- */

/* JetCreateDatabase2: creates szFile (JET_bitDbOverwriteExisting replaces an existing file, else
 * JET_errDatabaseDuplicate; a missing folder is JET_errInvalidPath), lays out and catalogs a new
 * database of the instance's page size, attaches it for writing and opens it for sess (*pdbid).
 * The header says DirtyShutdown while attached; detach flushes every page, then writes a
 * CleanShutdown header. JET_errTooManyAttachedDatabases, I/O errors. */
JET_ERR bj_db_create(bj_sess *sess, const char *szFile, uint32_t cpgMax, JET_GRBIT grbit,
                     JET_DBID *pdbid);
/* A writable database created at szFile (overwritten) that no table lists and no session can
 * open by name (the temporary database): dbid names it in its header and version keys. */
JET_ERR bj_db_create_private(bj_inst *inst, const char *szFile, uint32_t dbid, bj_db **pdb);
/* Frees a database of bj_db_create_private without flushing; fDelete removes its file. */
void bj_db_free_private(bj_db *db, bool fDelete, bj_os *os);
/* Sets up the write path of a database attached without JET_bitDbReadOnly (buffer cache opened
 * writable): space, catalog writer, DirtyShutdown header on disk. */
JET_ERR bj_db_write_open(bj_db *db, bj_inst *inst);
/* Before freeing a writable database: flush every page, sync, write the CleanShutdown header,
 * sync; then releases the write path. Errors leave the file DirtyShutdown. */
JET_ERR bj_db_write_close(bj_db *db);
/* Writes both header copies of db->hdr (with the current dbtime and objidLast) and syncs. */
JET_ERR bj_db_write_header(bj_db *db);
/* The database's DDL context (NULL for a read-only attach: JET_errPermissionDenied). */
bj_cat_db *bj_db_ddl(bj_db *db);
/* The database's current catalog with a reference (release with bj_cat_release). */
bj_cat *bj_db_cat_get(bj_db *db);
/* Publishes cat (takes the caller's reference) as the database's catalog; the old version is
 * kept until detach (cursors may still use its descriptors). Caller holds db->ddl. */
JET_ERR bj_db_cat_publish(bj_db *db, bj_cat *cat);

/* ---- tables as a session sees them, table locks (db_ddl.c) ---- */

struct bj_db_tlock;

/* JetOpenTable's catalog side: the table named szTable as sess sees it (a table created by a
 * transaction it must not see: JET_errObjectNotFound; deleted but not purged: JET_errTableLocked)
 * and the deny modes of ESE's ErrFILEISetMode: JET_bitTableDenyRead / DenyWrite / ReadOnly /
 * Updatable / PermitDDL -> JET_errTableLocked (another session denies it), JET_errTableInUse (a
 * deny mode cannot be had), JET_errInvalidGrbit. *plock: release with bj_db_table_unlock. */
JET_ERR bj_db_table_open(bj_db *db, bj_sess *sess, const char *szTable, JET_GRBIT grbit,
                         const bj_cat_table **pt, struct bj_db_tlock **plock);
/* A cursor closed: drops its lock; the table's last close frees FDPs DDL deferred. */
void bj_db_table_unlock(bj_db *db, struct bj_db_tlock *lock);
/* The table named szTable as sess sees it (no lock). JET_errObjectNotFound. */
JET_ERR bj_db_table_find(bj_db *db, bj_sess *sess, const char *szTable, const bj_cat_table **pt);
/* Whether sess sees catalog row (objidTable, type, id) of t's current version (columns,
 * indexes added or deleted by transactions it must not see). */
bool bj_db_row_seen(bj_db *db, bj_sess *sess, uint32_t objidTable, uint16_t type, uint32_t id);
/* cdb callbacks (cat_ddl.h): forget (false = freed at the table's last close), in_use. */
bool bj_db_ddl_forget(bj_db *db, uint32_t objidTable, uint32_t pgnoFDP);
bool bj_db_ddl_in_use(bj_db *db, uint32_t objid);
/* Index builds over existing rows exclude record writes (bj_tableid_write_begin) meanwhile,
 * so no record written through an older table descriptor misses the new index. */
void bj_db_schema_lock(bj_db *db);
void bj_db_schema_unlock(bj_db *db);
/* MSysObjids and MSysLocales of a new database with their rows (db_sysobj.c). */
JET_ERR bj_db_sysobj_create(bj_db *db);
/* bj_cat_db.objids: the MSysObjids row of a B-tree, inserted or deleted in trx (NULL or level
 * 0: a transaction of its own). No-op without MSysObjids. Caller holds db->ddl. */
JET_ERR bj_db_objids_row(bj_db *db, bj_trx *trx, bool fInsert, uint32_t objid, uint32_t objidTable,
                         uint16_t type);
/* Frees the lock and deferred lists (detach). */
void bj_db_ddl_free(bj_db *db);

#endif /* BJ_INST_DB_H */
