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
#include "cat/cat.h"
#include "inst/inst.h"
#include "page/dbhdr.h"
#include "ver/ver.h"

#define BJ_DB_MAX 7 /* user databases per instance (ESE's dbidMax - 1) */

typedef struct bj_db {
    JET_DBID dbid;
    char path[BJ_PATH_MAX];
    bool fReadOnly;
    bj_file *file;
    bj_buf_db *bdb; /* in the instance's cache (inst->buf) */
    struct bj_space_db *sdb; /* page allocation (NULL when read-only) */
    struct bj_tbl_db *tdb;   /* shared trees and versioning of table cursors */
    bj_ver *ver;
    bj_bt_dbctx dbc;
    bj_cat *cat;
    bj_dbhdr hdr;
    uint32_t cbPage;
    uint64_t cbFile;
    _Atomic uint32_t cOpen; /* JetOpenDatabase calls not yet closed, over all sessions */
} bj_db;

typedef struct bj_dbtable {
    bj_mutex lock;
    bj_db *rgdb[BJ_DB_MAX];
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
/* JetDetachDatabase2: szFile NULL or "" detaches every database. JET_errDatabaseNotFound,
 * JET_errDatabaseInUse (a session still has it open). */
JET_ERR bj_db_detach(bj_inst *inst, const char *szFile, JET_GRBIT grbit);
/* Detaches everything regardless of opens (JetTerm) and frees the database table. */
void bj_db_term(bj_inst *inst);
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

#endif /* BJ_INST_DB_H */
