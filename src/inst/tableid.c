/* tableid.c: JET_TABLEID handles (see tableid.h). An open table holds its database open
 * (db->cOpen) so JetDetachDatabase refuses it with JET_errDatabaseInUse meanwhile. */
#include "inst/tableid.h"
#include "inst/tempdb.h"
#include "tbl/tbl_write.h"

static bj_handle_table g_tables = BJ_HANDLE_TABLE_INIT(BJ_HKIND_TABLE);

JET_ERR bj_tableid_open(bj_sess *sess, JET_DBID dbid, const char *szTable, JET_GRBIT grbit,
                        JET_TABLEID *ptableid)
{
    JET_ERR err = JET_errSuccess;
    bj_db *db;
    bj_tableobj *o = NULL;
    const bj_cat_table *t;
    CALL(bj_db_get(sess, dbid, &db));
    o = bj_calloc(1, sizeof(*o));
    if (!o)
        ERR(JET_errOutOfMemory);
    o->db = db;
    CALL(bj_db_table_open(db, sess, szTable, grbit, &t, &o->tlock));
    o->sess = sess;
    o->dbid = dbid;
    o->grbit = grbit;
    o->ver = db->ver;
    CALL(bj_tbl_open_db(db->tdb, t, &o->tbl));
    CALL(bj_handle_alloc(&g_tables, o, &o->handle));
    atomic_fetch_add(&db->cOpen, 1);
    o->next = sess->cursors;
    sess->cursors = o;
    *ptableid = o->handle;
    o = NULL;
fail:
    if (o) {
        bj_tbl_close(o->tbl);
        bj_db_table_unlock(o->db, o->tlock);
        bj_free(o);
    }
    return err;
}

JET_ERR bj_tableid_adopt(bj_sess *sess, bj_db *db, bj_tbl *tbl, struct bj_temptab *tt,
                         JET_TABLEID *ptableid)
{
    JET_ERR err = JET_errSuccess;
    bj_tableobj *o = bj_calloc(1, sizeof(*o));
    if (!o)
        ERR(JET_errOutOfMemory);
    o->sess = sess;
    o->db = db;
    o->dbid = JET_dbidNil;
    o->tbl = tbl;
    o->tt = tt;
    o->ver = tt ? bj_temp_ver(tt) : db->ver;
    CALL(bj_handle_alloc(&g_tables, o, &o->handle));
    atomic_fetch_add(&db->cOpen, 1);
    o->next = sess->cursors;
    sess->cursors = o;
    *ptableid = o->handle;
    o = NULL;
fail:
    bj_free(o);
    return err;
}

/* DDL published a newer catalog version: the cursor sees the table's new columns and indexes
 * (what its session may not see yet is hidden by the table layer). */
static void refresh(bj_tableobj *o)
{
    if (o->tt || !o->db->fDdlInit)
        return;
    /* db->catgen moves after every swap of db->cat, both under catlock: unchanged since the
     * last read means no swap since (one under way is concurrent with this call) */
    if (o->catgen && o->catgen == atomic_load(&o->db->catgen) + 1)
        return;
    bj_mutex_lock(&o->db->catlock);
    const bj_cat *cat = o->db->cat;
    const uint64_t gen = atomic_load(&o->db->catgen);
    bj_mutex_unlock(&o->db->catlock);
    if (cat != o->cat) {
        const bj_cat_table *t = bj_cat_table_by_objid(cat, o->tbl->t->objid);
        if (t)
            bj_tbl_retarget(o->tbl, t);
        o->cat = cat;
    }
    o->catgen = gen + 1;
}

JET_ERR bj_tableid_get(bj_sess *sess, JET_TABLEID tableid, bj_tableobj **pobj)
{
    bj_tableobj *o = bj_handle_acquire(&g_tables, tableid);
    *pobj = NULL;
    if (!o)
        return BJ_ERR(JET_errInvalidTableId);
    if (o->sess != sess) { /* ESE: JET_VALIDATE_SESID_TABLEID (jetapi.cxx) */
        bj_handle_release(&g_tables, tableid);
        return BJ_ERR(JET_errSesidTableIdMismatch);
    }
    *pobj = o;
    bj_trx *trx = o->tt ? NULL : sess->ver_state; /* temp tables: outside transactions */
    if (trx && bj_ver_trx_level(trx) > 0) {
        bj_tbl_set_reader(o->tbl, trx, 0);
    } else if (o->ver) {
        bj_ver_snap_begin(o->ver, &o->snap);
        o->fSnap = true;
        bj_tbl_set_reader(o->tbl, trx, o->snap.ts);
    }
    refresh(o);
    return JET_errSuccess;
}

void bj_tableid_write_begin(bj_tableobj *o)
{
    if (o->tt || !o->db->fDdlInit || o->fWriting)
        return;
    bj_rwlock_rdlock(&o->db->schemalock);
    o->fWriting = true;
    refresh(o); /* an index build may have finished since bj_tableid_get */
}

void bj_tableid_write_end(bj_tableobj *o)
{
    if (!o->fWriting)
        return;
    o->fWriting = false;
    bj_rwlock_unlock(&o->db->schemalock);
}

JET_ERR bj_tableid_get_copy(bj_sess *sess, JET_TABLEID tableid, bj_tableobj **pobj)
{
    bj_tableobj *o = bj_handle_acquire(&g_tables, tableid);
    *pobj = NULL;
    if (!o)
        return BJ_ERR(JET_errInvalidTableId);
    if (o->sess != sess) { /* ESE: JET_VALIDATE_SESID_TABLEID (jetapi.cxx) */
        bj_handle_release(&g_tables, tableid);
        return BJ_ERR(JET_errSesidTableIdMismatch);
    }
    bj_trx *trx = o->tt ? NULL : sess->ver_state;
    if (trx && bj_ver_trx_level(trx) > 0)
        bj_tbl_set_reader(o->tbl, trx, 0);
    refresh(o); /* columns added by DDL since the last call */
    *pobj = o;
    return JET_errSuccess;
}

void bj_tableid_put(bj_tableobj *obj)
{
    if (!obj)
        return;
    if (obj->fSnap) {
        bj_ver_snap_end(obj->ver, &obj->snap);
        obj->fSnap = false;
    }
    bj_handle_release(&g_tables, obj->handle);
}

static void obj_free(bj_tableobj *o)
{
    if (o->fSnap)
        bj_ver_snap_end(o->ver, &o->snap);
    bj_tbl_close(o->tbl);
    bj_db_table_unlock(o->db, o->tlock);
    atomic_fetch_sub(&o->db->cOpen, 1);
    if (o->tt)
        bj_temp_close(o->tt); /* after the cursor: deletes the table */
    bj_free(o);
}

JET_ERR bj_tableid_close(bj_sess *sess, JET_TABLEID tableid)
{
    JET_ERR err = JET_errSuccess;
    bj_tableobj *o;
    CALL(bj_tableid_get(sess, tableid, &o));
    if (!bj_handle_retire(&g_tables, tableid, 1)) {
        bj_tableid_put(o);
        ERR(JET_errInvalidTableId);
    }
    for (bj_tableobj **pp = (bj_tableobj **)&sess->cursors; *pp; pp = &(*pp)->next) {
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    }
    obj_free(o);
fail:
    return err;
}

void bj_tableid_sess_end(bj_sess *sess)
{
    bj_tableobj *o = sess->cursors;
    while (o) {
        bj_tableobj *next = o->next;
        bj_handle_retire(&g_tables, o->handle, 0);
        obj_free(o);
        o = next;
    }
    sess->cursors = NULL;
}
