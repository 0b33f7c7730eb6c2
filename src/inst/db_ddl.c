/* db_ddl.c: tables as a session sees them while DDL runs in other transactions, and table
 * locks (JetOpenTable's deny modes), for one attached database.
 *
 * Visibility (ESE reads MSysObjects with the session's snapshot: ErrCATSeekTable,
 * ErrCATAccessTableColumn): the current catalog version holds every change, committed or not;
 * the DDL revision entries (cat_ddl.c) say what a reader must not see yet. The lookup and the
 * question run under the database's DDL mutex so a rollback cannot slip between them.
 * Table locks (ESE fileopen.cxx ErrFILEISetMode): one entry per open cursor (session, modes);
 * a deny-read cursor of another session -> JET_errTableLocked for every open; a deny-write
 * cursor of another session -> JET_errTableLocked for updatable opens; asking deny-write while
 * any cursor denies write or another session has an updatable cursor -> JET_errTableInUse;
 * asking deny-read while another session has any cursor -> JET_errTableInUse. JetDeleteTable
 * needs the table closed everywhere (its own session included): JET_errTableInUse.
 * FDPs DDL frees while cursors still use the table (rollback of a create, a deleted index)
 * are freed at the table's last close.
 * Lock order: db->ddl, then g_tlock (short; nothing is called under it).
 */
#include "inst/db.h"
#include "tbl/tbl_write.h"

typedef struct bj_db_tlock {
    uint32_t objid;
    bj_sess *sess;
    bool fDenyRead, fDenyWrite, fUpdatable;
    struct bj_db_tlock *next;
} bj_db_tlock;

typedef struct bj_db_deferred {
    uint32_t objid, pgno;
    struct bj_db_deferred *next;
} bj_db_deferred;

static bj_mutex g_tlock = PTHREAD_MUTEX_INITIALIZER;

/* The reader of sess: its transaction, or a registered snapshot (end with reader_end). */
typedef struct reader {
    bj_trx *trx;
    bj_ver_snap snap;
    bool fSnap;
} reader;

static void reader_begin(bj_db *db, bj_sess *sess, reader *r)
{
    r->trx = sess->ver_state;
    r->fSnap = false;
    r->snap.ts = 0;
    if ((!r->trx || bj_ver_trx_level(r->trx) == 0) && db->ver) {
        bj_ver_snap_begin(db->ver, &r->snap);
        r->fSnap = true;
    }
}

static void reader_end(bj_db *db, reader *r)
{
    if (r->fSnap)
        bj_ver_snap_end(db->ver, &r->snap);
}

/* Under db->ddl (writable databases). */
static JET_ERR find_seen(bj_db *db, reader *r, const char *szTable, const bj_cat_table **pt)
{
    const bj_cat_table *t = bj_cat_find_table(db->cat, szTable);
    bj_cat_db *cdb = bj_db_ddl(db);
    *pt = NULL;
    if (!cdb) {
        *pt = t;
        return t ? JET_errSuccess : BJ_ERR(JET_errObjectNotFound);
    }
    if (t &&
        bj_cat_ddl_row_seen(cdb, db->ver, r->trx, r->snap.ts, t->objid, BJ_CAT_TYPE_TABLE, t->objid,
                            true) &&
        !bj_cat_ddl_row_changed(cdb, db->ver, r->trx, r->snap.ts, t->objid, BJ_CAT_TYPE_TABLE,
                                t->objid)) { /* renamed by a transaction it must not see */
        *pt = t;
        return JET_errSuccess;
    }
    if (!t) {
        /* deleted by a transaction the reader must not see (ESE: FDeletePending, the deleter
         * holds it deny-read) -> JET_errTableLocked; for the deleter it is gone */
        uint32_t objid = bj_cat_ddl_deleted_table(cdb, szTable);
        if (objid && bj_cat_ddl_row_seen(cdb, db->ver, r->trx, r->snap.ts, objid, BJ_CAT_TYPE_TABLE,
                                         objid, false))
            return BJ_ERR(JET_errTableLocked);
    }
    return BJ_ERR(JET_errObjectNotFound);
}

JET_ERR bj_db_table_find(bj_db *db, bj_sess *sess, const char *szTable, const bj_cat_table **pt)
{
    JET_ERR err = JET_errSuccess;
    reader r;
    CALL(bj_cat_check_name(szTable));
    reader_begin(db, sess, &r);
    if (db->fDdlInit)
        bj_mutex_lock(&db->ddl);
    err = find_seen(db, &r, szTable, pt);
    if (db->fDdlInit)
        bj_mutex_unlock(&db->ddl);
    reader_end(db, &r);
fail:
    return err;
}

bool bj_db_row_seen(bj_db *db, bj_sess *sess, uint32_t objidTable, uint16_t type, uint32_t id)
{
    bj_cat_db *cdb = bj_db_ddl(db);
    if (!cdb)
        return true;
    reader r;
    reader_begin(db, sess, &r);
    bj_mutex_lock(&db->ddl);
    bool f = bj_cat_ddl_row_seen(cdb, db->ver, r.trx, r.snap.ts, objidTable, type, id, true);
    bj_mutex_unlock(&db->ddl);
    reader_end(db, &r);
    return f;
}

/* ESE's ErrFILEISetMode over the cursors of table objid; under g_tlock. */
static JET_ERR set_mode(bj_db *db, bj_db_tlock *me)
{
    for (bj_db_tlock *l = db->tlocks; l; l = l->next) {
        if (l->objid != me->objid)
            continue;
        const bool fOther = l->sess != me->sess;
        if (fOther && l->fDenyRead)
            return BJ_ERR(JET_errTableLocked);
        if (me->fUpdatable && fOther && l->fDenyWrite)
            return BJ_ERR(JET_errTableLocked);
    }
    for (bj_db_tlock *l = db->tlocks; l; l = l->next) {
        if (l->objid != me->objid)
            continue;
        const bool fOther = l->sess != me->sess;
        if (me->fDenyWrite && (l->fDenyWrite || (fOther && l->fUpdatable)))
            return BJ_ERR(JET_errTableInUse);
        if (me->fDenyRead && fOther)
            return BJ_ERR(JET_errTableInUse);
    }
    return JET_errSuccess;
}

JET_ERR bj_db_table_open(bj_db *db, bj_sess *sess, const char *szTable, JET_GRBIT grbit,
                         const bj_cat_table **pt, bj_db_tlock **plock)
{
    JET_ERR err = JET_errSuccess;
    reader r;
    bool fLocked = false, fReader = false;
    bj_db_tlock *lk = NULL;
    *plock = NULL;
    CALL(bj_cat_check_name(szTable));
    if ((grbit & JET_bitTableReadOnly) && (grbit & (JET_bitTableUpdatable | JET_bitTableDenyRead)))
        ERR(JET_errInvalidGrbit);
    if ((grbit & JET_bitTablePermitDDL) && !(grbit & JET_bitTableDenyRead))
        ERR(JET_errInvalidGrbit);
    if ((grbit & JET_bitTableUpdatable) && db->fReadOnly)
        ERR(JET_errPermissionDenied);
    lk = bj_calloc(1, sizeof(*lk));
    if (!lk)
        ERR(JET_errOutOfMemory);
    reader_begin(db, sess, &r);
    fReader = true;
    if (db->fDdlInit) {
        bj_mutex_lock(&db->ddl);
        fLocked = true;
    }
    CALL(find_seen(db, &r, szTable, pt));
    lk->objid = (*pt)->objid;
    lk->sess = sess;
    lk->fDenyRead = grbit & JET_bitTableDenyRead;
    lk->fDenyWrite = grbit & JET_bitTableDenyWrite;
    lk->fUpdatable = !db->fReadOnly && !(grbit & JET_bitTableReadOnly);
    bj_mutex_lock(&g_tlock);
    err = set_mode(db, lk);
    if (err >= 0) {
        lk->next = db->tlocks;
        db->tlocks = lk;
        *plock = lk;
        lk = NULL;
    }
    bj_mutex_unlock(&g_tlock);
fail:
    if (fLocked)
        bj_mutex_unlock(&db->ddl);
    if (fReader)
        reader_end(db, &r);
    bj_free(lk);
    return err;
}

static bool table_open_locked(bj_db *db, uint32_t objid)
{
    for (bj_db_tlock *l = db->tlocks; l; l = l->next)
        if (l->objid == objid)
            return true;
    return false;
}

void bj_db_table_unlock(bj_db *db, bj_db_tlock *lock)
{
    if (!lock)
        return;
    bj_db_deferred *todo = NULL;
    if (db->fDdlInit)
        bj_mutex_lock(&db->ddl);
    bj_mutex_lock(&g_tlock);
    for (bj_db_tlock **pp = &db->tlocks; *pp; pp = &(*pp)->next) {
        if (*pp == lock) {
            *pp = lock->next;
            break;
        }
    }
    if (!table_open_locked(db, lock->objid)) {
        for (bj_db_deferred **pp = &db->deferred; *pp;) {
            bj_db_deferred *d = *pp;
            if (d->objid == lock->objid) {
                *pp = d->next;
                d->next = todo;
                todo = d;
            } else {
                pp = &d->next;
            }
        }
    }
    bj_mutex_unlock(&g_tlock);
    bj_cat_db *cdb = bj_db_ddl(db);
    while (todo) {
        bj_db_deferred *d = todo;
        todo = d->next;
        bj_tbl_db_forget(db->tdb, d->pgno);
        if (cdb)
            (void)bj_cat_ddl_free_fdp(cdb, d->pgno); /* an error leaves the pages unused */
        bj_free(d);
    }
    if (db->fDdlInit)
        bj_mutex_unlock(&db->ddl);
    bj_free(lock);
}

/* bj_cat_db.forget (under db->ddl). */
bool bj_db_ddl_forget(bj_db *db, uint32_t objidTable, uint32_t pgnoFDP)
{
    bool fNow = true;
    bj_mutex_lock(&g_tlock);
    if (table_open_locked(db, objidTable)) {
        bj_db_deferred *d = bj_calloc(1, sizeof(*d));
        if (d) {
            d->objid = objidTable;
            d->pgno = pgnoFDP;
            d->next = db->deferred;
            db->deferred = d;
            fNow = false;
        }
    }
    bj_mutex_unlock(&g_tlock);
    if (fNow)
        bj_tbl_db_forget(db->tdb, pgnoFDP);
    return fNow;
}

void bj_db_schema_lock(bj_db *db)
{
    if (db->fDdlInit)
        bj_rwlock_wrlock(&db->schemalock);
}

void bj_db_schema_unlock(bj_db *db)
{
    if (db->fDdlInit)
        bj_rwlock_unlock(&db->schemalock);
}

/* bj_cat_db.in_use (under db->ddl). */
bool bj_db_ddl_in_use(bj_db *db, uint32_t objid)
{
    bj_mutex_lock(&g_tlock);
    bool f = table_open_locked(db, objid);
    bj_mutex_unlock(&g_tlock);
    return f;
}

void bj_db_ddl_free(bj_db *db)
{
    while (db->deferred) {
        bj_db_deferred *d = db->deferred;
        db->deferred = d->next;
        bj_free(d);
    }
    if (db->catw || db->fDdlInit)
        bj_cat_ddl_db_free(&db->cdb);
}
