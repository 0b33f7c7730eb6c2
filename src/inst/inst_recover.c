/* inst_recover.c: crash recovery at JetInit (ESE's soft recovery), the instance's half:
 *  1. redo (src/recovery/redo.c) from the checkpoint to the end of the log;
 *  2. the log writer opens a new generation continuing the stream;
 *  3. each database the log left attached is attached for recovery (a DirtyShutdown one is
 *     accepted here only), the revision entries of every unfinished transaction are re-created
 *     in the version store with the callbacks of their database, and those transactions are
 *     rolled back by the normal rollback code (its changes and undo records are logged, with
 *     the original ids, so a crash during this step is recovered again the same way);
 *  4. every database is detached: flushed, DETACH logged, header CleanShutdown.
 * Normal operation then begins (bj_ilog_begin_normal logs INIT and the checkpoint).
 */
#include "inst/inst_recover.h"

#include "inst/inst_log.h"
#include "recovery/redo.h"
#include "tbl/tbl.h"

/* The attached database (after step 3) whose path is path, or NULL. */
static bj_db *db_by_path(bj_inst *inst, const char *path)
{
    if (!inst->dbs)
        return NULL;
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = inst->dbs->rgdb[i];
        if (db && strcmp(db->path, path) == 0)
            return db;
    }
    return NULL;
}

/* Re-creates one logged revision entry on trx (logging off). */
static JET_ERR rce_recreate(bj_inst *inst, bj_trx *trx, bj_db *db, const bj_redo_rce *x,
                            uint64_t trxidOld)
{
    JET_ERR err = JET_errSuccess;
    bj_lr_ver v;
    bj_rce *rce = NULL;
    CALL(bj_lr_ver_decode(x->body, x->cb, &v));
    const bj_ver_ops *ops = NULL;
    if (v.client == BJ_VER_CLIENT_TBL)
        ops = bj_tbl_db_ver_ops(db->tdb);
    else if (v.client == BJ_VER_CLIENT_DDL && bj_db_ddl(db))
        ops = bj_cat_ddl_ver_ops(bj_db_ddl(db));
    if (!ops)
        ERR(JET_errLogFileCorrupt);
    bj_ver_key key = {.dbid = db->dbid, .objid = v.objid, .bm = v.bm, .cbBm = v.cbBm};
    if (v.kind == BJ_VER_DELTA) {
        CALL(bj_ver_modify_delta(trx, &key, v.delta_off, v.delta_size, v.delta, ops, v.payload,
                                 v.cbPayload, &rce));
        bj_ver_rce_set_applied(rce, true);
    } else {
        CALL(bj_ver_modify(trx, &key, (bj_ver_kind)v.kind, v.before, v.cbBefore, ops, v.payload,
                           v.cbPayload, &rce));
    }
    CALL(bj_ilog_recovery_map(inst, rce->id, trxidOld, v.rceid));
fail:
    return err;
}

/* Rolls back one unfinished transaction (step 3). */
static JET_ERR undo_trx(bj_inst *inst, const bj_redo *r, const bj_redo_trx *t)
{
    JET_ERR err = JET_errSuccess;
    bj_trx *trx = NULL;
    CALL(bj_ver_trx_create(inst->ver, &trx));
    CALL(bj_ver_trx_begin(trx));
    CALL(bj_ilog_recovery_map_trx(inst, bj_ver_trx_id(trx), t->trxid));
    bj_ver_set_logging(inst->ver, false);
    for (uint32_t i = 0; i < t->c && err >= 0; i++) {
        bj_lr_ver v;
        err = bj_lr_ver_decode(t->rg[i].body, t->rg[i].cb, &v);
        if (err < 0 || v.dbid >= BJ_LOG_ATTACH_MAX)
            break;
        const bj_redo_db *d = &r->rgdb[v.dbid];
        bj_db *db = d->fUsed && !d->fMissing ? db_by_path(inst, d->path) : NULL;
        if (db) /* a database that is gone takes its undo with it */
            err = rce_recreate(inst, trx, db, &t->rg[i], t->trxid);
    }
    bj_ver_set_logging(inst->ver, true);
    CALL(err);
    CALL(bj_ver_trx_rollback(trx, JET_bitRollbackAll));
fail:
    if (trx) {
        if (err < 0)
            bj_ver_set_logging(inst->ver, false); /* whatever is left is not undone now */
        bj_ver_trx_destroy(trx);
        bj_ver_set_logging(inst->ver, true);
    }
    return err;
}

/* The highest generation in the log folder (archives and <base>.log), 0 when none. */
typedef struct maxgen_ctx {
    const char *base;
    uint32_t gen;
} maxgen_ctx;

static void maxgen_fn(void *ctx, const char *name, bool is_dir)
{
    maxgen_ctx *c = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, c->base);
    if (g > c->gen)
        c->gen = g;
}

static uint32_t max_generation(bj_os *os, const bj_ilog_paths *paths)
{
    maxgen_ctx c = {paths->base, 0};
    char sz[BJ_PATH_MAX];
    bj_log_hdr h;
    (void)bj_os_list_dir(os, paths->log, maxgen_fn, &c);
    if (bj_log_name_current(sz, sizeof sz, paths->log, paths->base) >= 0 &&
        bj_log_read_header(os, sz, &h) >= 0 && h.gen > c.gen)
        c.gen = h.gen;
    return c.gen;
}

JET_ERR bj_inst_recover(bj_inst *inst, bj_recover_opts *opts)
{
    JET_ERR err = JET_errSuccess;
    bj_redo *r = NULL;
    bj_ilog_paths paths;
    bj_log_config lcfg;
    bj_ilog_config(inst, &paths, &lcfg);
    bj_redo_config rc = {0};
    if (opts)
        rc = opts->redo;
    rc.os = inst->os;
    rc.buf = inst->buf;
    rc.szLogPath = paths.log;
    rc.szSystemPath = paths.sys;
    rc.szBaseName = paths.base;
    rc.cbPage = bj_param_page_size();
    CALL(bj_redo_run(&rc, &r));
    bj_log_start start = {0};
    if (!r->fLogs)
        start.fNewStream = true;
    else if (r->fStopped) {
        /* Point in time: the records after the stop must never reach these databases. The
         * writer begins a new stream (a new signature) at the next free generation, so the
         * databases, detached clean with the new signLog, no longer match the old tail. */
        start.signLog.random = bj_os_random32();
        bj_logtime_now(&start.signLog.created);
        char szHost[16];
        bj_os_computer_name(szHost, sizeof szHost);
        memcpy(start.signLog.computer, szHost, sizeof start.signLog.computer);
        start.genNext = BJ_MAX(max_generation(inst->os, &paths), r->hdrLast.gen) + 1;
    } else {
        start.signLog = r->hdrLast.signLog;
        start.genNext = r->hdrLast.gen + 1;
        start.tmPrevGen = r->hdrLast.tmCreate;
    }
    if (opts) {
        opts->fStopped = r->fStopped;
        opts->lsnEnd = r->lsnEnd;
        opts->cRecords = r->cRecords;
        opts->cbReplayed = r->cbReplayed;
    }
    CALL(bj_ilog_open(inst, &start));
    if (opts) {
        opts->genNext = bj_log_generation(bj_ilog_log(inst));
        bj_log_signature(bj_ilog_log(inst), &opts->signLog);
    }
    /* step 3: databases the log left attached */
    for (uint32_t i = 0; i < BJ_LOG_ATTACH_MAX; i++) {
        const bj_redo_db *d = &r->rgdb[i];
        if (!d->fUsed || d->fMissing || d->fDetached)
            continue;
        err = bj_db_attach(inst, d->path, BJ_ATTACH_RECOVERY);
        if (err == JET_wrnDatabaseAttached)
            err = JET_errSuccess;
        CALL(err);
    }
    for (uint32_t i = 0; i < r->ctrx; i++)
        CALL(undo_trx(inst, r, &r->rgtrx[i]));
    bj_ver_cleanup(inst->ver);
    /* step 4 */
    CALL(bj_db_detach(inst, NULL, 0));
    bj_ilog_recovery_map_clear(inst);
fail:
    bj_redo_free(r);
    return err;
}
