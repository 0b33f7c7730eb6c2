/* inst_log.c: an instance's transaction logging (see inst_log.h for the rules it keeps).
 *
 * State: one bj_ilog per instance (inst->ilog): the writer, the open transactions that logged
 * something (id -> position of their first record, for the checkpoint), the databases being
 * logged (for header updates at each new generation), the checkpoint thread, and recovery's
 * id maps. The per-thread pending VER/UNDO record lives in thread-local storage.
 *
 * Lock order: a page latch (bj_bt_apply's caller) -> ilog->mu (short, no I/O) ; ilog->hdrmu
 * is taken with no page latch by the roll callback and attach/detach (it covers header writes
 * of logged databases). The log's own locks are below all of these.
 */
#include <stdatomic.h>

#include "buf/buf.h"
#include "inst/inst_log.h"
#include "os/os.h"
#include "page/pgop.h"
#include "recovery/lrbody.h"

typedef struct atrx {
    uint64_t trxid;
    bj_lsn lsnFirst;
} atrx;

typedef struct rmap {
    uint64_t idNew, trxOld, rceOld;
} rmap;

struct bj_ilog {
    bj_inst *inst;
    bj_log *log;
    bj_ilog_paths paths;
    bj_mutex mu; /* trx table and recovery maps */
    atrx *rgtrx;
    uint32_t ctrx, ctrxAlloc;
    rmap *rgrce, *rgtrxmap;
    uint32_t crce, crceAlloc, ctrxmap, ctrxmapAlloc;
    bj_mutex hdrmu; /* logged databases and their header writes */
    bj_db *rgdb[BJ_DB_MAX];
    bj_thread chk;
    bool fChk;
    bool fStop;
    bj_mutex chkmu;
    bj_cond chkcv;
    uint64_t cbDepth; /* JET_paramCheckpointDepthMax */
    _Atomic bj_lsn lsnChk; /* the last checkpoint written */
};

static bj_ilog *ilog_of(bj_inst *inst)
{
    return inst ? inst->ilog : NULL;
}

bool bj_ilog_enabled(bj_inst *inst)
{
    char sz[32];
    bj_param_str(inst, JET_paramRecovery, sz, sizeof sz);
    return !(sz[0] && (sz[0] == 'o' || sz[0] == 'O') && (sz[1] == 'f' || sz[1] == 'F'));
}

void bj_ilog_config(bj_inst *inst, bj_ilog_paths *p, bj_log_config *cfg)
{
    bj_param_str(inst, JET_paramLogFilePath, p->log, sizeof p->log);
    bj_param_str(inst, JET_paramSystemPath, p->sys, sizeof p->sys);
    bj_param_str(inst, JET_paramBaseName, p->base, sizeof p->base);
    memset(cfg, 0, sizeof(*cfg));
    cfg->os = inst->os;
    cfg->szLogPath = p->log;
    cfg->szSystemPath = p->sys;
    cfg->szBaseName = p->base;
    cfg->cbLogFile = (uint32_t)bj_param_int(inst, JET_paramLogFileSize) * 1024u;
    cfg->cbDbPage = bj_param_page_size();
    cfg->fCircular = bj_param_int(inst, JET_paramCircularLog) != 0;
    cfg->fCreatePath = bj_param_int(inst, JET_paramCreatePathIfNotExist) != 0;
}

bj_log *bj_ilog_log(bj_inst *inst)
{
    bj_ilog *il = ilog_of(inst);
    return il ? il->log : NULL;
}

JET_ERR bj_ilog_error(bj_inst *inst)
{
    bj_log *log = bj_ilog_log(inst);
    return log ? bj_log_error(log) : JET_errSuccess;
}

/* ---- pending undo information (per thread) ---- */

typedef struct pending {
    bj_ilog *owner;
    uint8_t type; /* BJ_LR_VER / BJ_LR_UNDO; 0 = none */
    bool fDelta;  /* about an escrow delta: goes only with the delta's own page change */
    uint8_t *buf;
    uint32_t cb, cap;
} pending;

static _Thread_local pending t_pend;
/* The buffer is freed when its thread ends (a key with a destructor). */
static pthread_key_t g_pend_key;
static pthread_once_t g_pend_once = PTHREAD_ONCE_INIT;

static void pend_key_make(void)
{
    (void)pthread_key_create(&g_pend_key, bj_free);
}

static JET_ERR pend_reserve(uint32_t cb)
{
    if (t_pend.cap >= cb)
        return JET_errSuccess;
    uint32_t cap = BJ_MAX(cb, 1024u);
    uint8_t *p = bj_realloc(t_pend.buf, cap);
    if (!p)
        return BJ_ERR(JET_errOutOfMemory);
    (void)pthread_once(&g_pend_once, pend_key_make);
    (void)pthread_setspecific(g_pend_key, p);
    t_pend.buf = p;
    t_pend.cap = cap;
    return JET_errSuccess;
}

/* Writes this thread's pending record alone (no page change came after it). A record of
 * another instance (the thread moved on to another instance's session) is dropped: that
 * instance may be gone. */
static JET_ERR pend_flush(bj_ilog *il)
{
    JET_ERR err = JET_errSuccess;
    if (t_pend.type && t_pend.owner == il && il->log) {
        bj_log_part part = {t_pend.buf, t_pend.cb};
        err = bj_log_append(il->log, (bj_lrtype)t_pend.type, &part, 1, NULL, NULL);
    }
    t_pend.type = 0;
    t_pend.owner = NULL;
    return err;
}

/* ---- open transactions (first record position) ---- */

static JET_ERR trx_note(bj_ilog *il, uint64_t trxid)
{
    JET_ERR err = JET_errSuccess;
    bj_mutex_lock(&il->mu);
    for (uint32_t i = 0; i < il->ctrx; i++)
        if (il->rgtrx[i].trxid == trxid)
            goto done;
    if (il->ctrx == il->ctrxAlloc) {
        uint32_t n = il->ctrxAlloc ? 2 * il->ctrxAlloc : 16;
        atrx *rg = bj_realloc(il->rgtrx, n * sizeof(*rg));
        if (!rg) {
            err = BJ_ERR(JET_errOutOfMemory);
            goto done;
        }
        il->rgtrx = rg;
        il->ctrxAlloc = n;
    }
    il->rgtrx[il->ctrx].trxid = trxid;
    il->rgtrx[il->ctrx].lsnFirst = bj_log_end(il->log);
    il->ctrx++;
done:
    bj_mutex_unlock(&il->mu);
    return err;
}

/* Forgets trxid; true when it had logged something. */
static bool trx_forget(bj_ilog *il, uint64_t trxid)
{
    bool found = false;
    bj_mutex_lock(&il->mu);
    for (uint32_t i = 0; i < il->ctrx; i++)
        if (il->rgtrx[i].trxid == trxid) {
            il->rgtrx[i] = il->rgtrx[--il->ctrx];
            found = true;
            break;
        }
    bj_mutex_unlock(&il->mu);
    return found;
}

static bj_lsn trx_oldest(bj_ilog *il)
{
    bj_lsn m = 0;
    bj_mutex_lock(&il->mu);
    for (uint32_t i = 0; i < il->ctrx; i++)
        if (!m || il->rgtrx[i].lsnFirst < m)
            m = il->rgtrx[i].lsnFirst;
    bj_mutex_unlock(&il->mu);
    return m;
}

/* ---- recovery id maps ---- */

static JET_ERR map_add(rmap **prg, uint32_t *pc, uint32_t *pcAlloc, rmap m)
{
    if (*pc == *pcAlloc) {
        uint32_t n = *pcAlloc ? 2 * *pcAlloc : 64;
        rmap *rg = bj_realloc(*prg, n * sizeof(*rg));
        if (!rg)
            return BJ_ERR(JET_errOutOfMemory);
        *prg = rg;
        *pcAlloc = n;
    }
    (*prg)[(*pc)++] = m;
    return JET_errSuccess;
}

JET_ERR bj_ilog_recovery_map(bj_inst *inst, uint64_t rceidNew, uint64_t trxidOld,
                             uint64_t rceidOld)
{
    bj_ilog *il = ilog_of(inst);
    if (!il)
        return JET_errSuccess;
    bj_mutex_lock(&il->mu);
    JET_ERR err =
        map_add(&il->rgrce, &il->crce, &il->crceAlloc, (rmap){rceidNew, trxidOld, rceidOld});
    bj_mutex_unlock(&il->mu);
    return err;
}

JET_ERR bj_ilog_recovery_map_trx(bj_inst *inst, uint64_t trxidNew, uint64_t trxidOld)
{
    bj_ilog *il = ilog_of(inst);
    if (!il)
        return JET_errSuccess;
    bj_mutex_lock(&il->mu);
    JET_ERR err =
        map_add(&il->rgtrxmap, &il->ctrxmap, &il->ctrxmapAlloc, (rmap){trxidNew, trxidOld, 0});
    bj_mutex_unlock(&il->mu);
    return err;
}

void bj_ilog_recovery_map_clear(bj_inst *inst)
{
    bj_ilog *il = ilog_of(inst);
    if (!il)
        return;
    bj_mutex_lock(&il->mu);
    il->crce = il->ctrxmap = 0;
    bj_mutex_unlock(&il->mu);
}

/* The ids a record about (trxid, rceid) must carry (recovery's originals, else the same). */
static void ids_logged(bj_ilog *il, uint64_t *ptrxid, uint64_t *prceid)
{
    bj_mutex_lock(&il->mu);
    if (prceid)
        for (uint32_t i = 0; i < il->crce; i++)
            if (il->rgrce[i].idNew == *prceid) {
                *prceid = il->rgrce[i].rceOld;
                *ptrxid = il->rgrce[i].trxOld;
                bj_mutex_unlock(&il->mu);
                return;
            }
    for (uint32_t i = 0; i < il->ctrxmap; i++)
        if (il->rgtrxmap[i].idNew == *ptrxid) {
            *ptrxid = il->rgtrxmap[i].trxOld;
            break;
        }
    bj_mutex_unlock(&il->mu);
}

/* ---- version store hooks ---- */

static bool logged_db(bj_ilog *il, uint32_t dbid)
{
    return dbid < BJ_DB_MAX && il->inst->dbs && il->inst->dbs->rgdb[dbid] &&
           il->inst->dbs->rgdb[dbid]->dbc.log;
}

static JET_ERR hook_rce(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(ctx);
    if (!il || !il->log || !logged_db(il, rce->dbid))
        return JET_errSuccess;
    CALL(pend_flush(il));
    uint64_t trxid = bj_ver_trx_id(trx);
    CALL(trx_note(il, trxid));
    bj_lr_ver v = {.trxid = trxid,
                   .rceid = rce->id,
                   .dbid = rce->dbid,
                   .objid = rce->objid,
                   .kind = (uint8_t)rce->kind,
                   .client = (uint8_t)(rce->ops ? rce->ops->client : 0),
                   .bm = rce->bm,
                   .cbBm = rce->cbBm,
                   .before = rce->before,
                   .cbBefore = rce->cbBefore,
                   .delta_off = rce->delta_off,
                   .delta_size = (uint8_t)rce->delta_size,
                   .delta = rce->delta,
                   .payload = rce->payload,
                   .cbPayload = rce->cbPayload};
    const uint32_t cb = bj_lr_ver_size(&v);
    if (cb > BJ_LOG_RECORD_MAX / 2)
        ERR(JET_errVersionStoreEntryTooBig);
    CALL(pend_reserve(cb));
    t_pend.cb = bj_lr_ver_encode(&v, t_pend.buf, t_pend.cap);
    t_pend.type = BJ_LR_VER;
    t_pend.fDelta = rce->kind == BJ_VER_DELTA;
    t_pend.owner = il;
fail:
    return err;
}

/* Before an undo callback: an escrow delta's undo record waits for the undo's delta change
 * (one record with it, the delta is not idempotent); any other undo's record is written when
 * the undo is complete (hook_undone). */
static JET_ERR hook_undo(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(ctx);
    if (!il || !il->log || !logged_db(il, rce->dbid))
        return JET_errSuccess;
    CALL(pend_flush(il));
    if (rce->kind != BJ_VER_DELTA)
        return JET_errSuccess;
    uint64_t trxid = bj_ver_trx_id(trx), rceid = rce->id;
    ids_logged(il, &trxid, &rceid);
    CALL(pend_reserve(16));
    t_pend.cb = bj_lr_undo_encode(trxid, rceid, t_pend.buf, t_pend.cap);
    t_pend.type = BJ_LR_UNDO;
    t_pend.fDelta = true;
    t_pend.owner = il;
fail:
    return err;
}

/* The undo is complete, under the latch of its last page change and before any other
 * transaction can change the record: its UNDO record goes in now (after every page change of
 * the undo: a crash before it undoes again, which is idempotent; and before any later change
 * of the record by another transaction, which a second undo must never overwrite). An escrow
 * delta's went with the delta, or goes now if the undo changed nothing. */
static void hook_undone(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    bj_ilog *il = ilog_of(ctx);
    if (!il || !il->log || !logged_db(il, rce->dbid))
        return;
    if (rce->kind == BJ_VER_DELTA) {
        if (t_pend.type == BJ_LR_UNDO && t_pend.owner == il && t_pend.cb >= 16 &&
            bj_ld64(t_pend.buf + 8) == rce->id) /* the delta change did not happen */
            (void)pend_flush(il);
        return;
    }
    uint64_t trxid = bj_ver_trx_id(trx), rceid = rce->id;
    ids_logged(il, &trxid, &rceid);
    uint8_t b[16];
    bj_log_part part = {b, bj_lr_undo_encode(trxid, rceid, b, sizeof b)};
    (void)bj_log_append(il->log, BJ_LR_UNDO, &part, 1, NULL, NULL); /* failing: the log is down */
}

static void hook_cancel(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)trx;
    bj_ilog *il = ilog_of(ctx);
    /* the page change failed: its VER (still pending) must not reach the log */
    if (il && t_pend.owner == il && t_pend.type == BJ_LR_VER && t_pend.cb >= 16 &&
        bj_ld64(t_pend.buf + 8) == rce->id)
        t_pend.type = 0;
}

static JET_ERR hook_trx_end(void *ctx, bj_trx *trx)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(ctx);
    if (!il || !il->log)
        return JET_errSuccess;
    CALL(pend_flush(il));
    uint64_t trxid = bj_ver_trx_id(trx);
    if (!trx_forget(il, trxid)) {
        uint64_t old = trxid;
        ids_logged(il, &old, NULL);
        if (old == trxid)
            return JET_errSuccess; /* nothing of it was logged */
        trxid = old;
    }
    uint8_t b[16];
    bj_log_part part = {b, bj_lr_trxend_encode(trxid, b, sizeof b)};
    CALL(bj_log_append(il->log, BJ_LR_TRXEND, &part, 1, NULL, NULL));
fail:
    return err;
}

static JET_ERR hook_commit(void *ctx, bj_trx *trx, JET_GRBIT grbit, bool has_changes)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(ctx);
    (void)has_changes;
    if (!il || !il->log)
        return JET_errSuccess;
    CALL(pend_flush(il));
    const uint64_t trxid = bj_ver_trx_id(trx);
    bj_mutex_lock(&il->mu);
    bool logged = false;
    for (uint32_t i = 0; i < il->ctrx && !logged; i++)
        logged = il->rgtrx[i].trxid == trxid;
    bj_mutex_unlock(&il->mu);
    if (!logged)
        return JET_errSuccess; /* read-only, or only the temporary database */
    uint8_t b[32];
    bj_lsn lsnEnd;
    bj_log_part part = {b, bj_lr_commit_encode(trxid, b, sizeof b)};
    CALL(bj_log_append(il->log, BJ_LR_COMMIT0, &part, 1, NULL, &lsnEnd));
    if (!(grbit & JET_bitCommitLazyFlush))
        CALL(bj_log_flush(il->log, lsnEnd));
    trx_forget(il, trxid); /* after the record: the checkpoint stays before its changes */
fail:
    return err;
}

void bj_ilog_ver_hooks(bj_inst *inst, bj_ver_config *cfg)
{
    cfg->commit_hook = hook_commit;
    cfg->commit_hook_ctx = inst;
    cfg->log_rce = hook_rce;
    cfg->log_undo = hook_undo;
    cfg->log_cancel = hook_cancel;
    cfg->log_trx_end = hook_trx_end;
    cfg->log_undone = hook_undone;
    cfg->log_ctx = inst;
}

/* ---- page changes (bj_bt_apply) ---- */

static JET_ERR hook_page(void *ctx, bj_bt_dbctx *dbc, const uint8_t *pgBefore, uint64_t smoid,
                         const bj_pgop *undo, const bj_pgop *op, uint64_t *plsnFirst,
                         uint64_t *plsn)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ctx;
    uint8_t stack[512], *body = stack;
    *plsnFirst = *plsn = 0;
    if (!il->log)
        ERR(JET_errLogWriteFail);
    if (pgBefore) {
        uint8_t hdr16[16];
        bj_st32(hdr16, dbc->dbid);
        bj_st32(hdr16 + 4, op->pgno);
        bj_st64(hdr16 + 8, smoid);
        bj_log_part parts[2] = {{hdr16, smoid ? 16u : 8u}, {pgBefore, dbc->cbPage}};
        CALL(bj_log_append(il->log, smoid ? BJ_LR_SMO_IMAGE : BJ_LR_FPI, parts, 2, plsnFirst,
                           NULL));
    }
    if (undo && smoid) {
        const uint32_t cbUndo = bj_pgop_encoded_size(undo);
        uint8_t *u = bj_malloc(16 + cbUndo);
        if (!u)
            ERR(JET_errOutOfMemory);
        bj_st32(u, dbc->dbid);
        bj_st32(u + 4, op->pgno);
        bj_st64(u + 8, smoid);
        if (bj_pgop_encode(undo, u + 16, cbUndo) != cbUndo) {
            bj_free(u);
            ERR(JET_errInvalidParameter);
        }
        bj_log_part part = {u, 16 + cbUndo};
        err = bj_log_append(il->log, BJ_LR_SMO_UNDO, &part, 1, *plsnFirst ? NULL : plsnFirst,
                            NULL);
        bj_free(u);
        CALL(err);
    }
    const uint32_t cbOp = bj_pgop_encoded_size(op);
    if (4 + cbOp > sizeof stack && !(body = bj_malloc(4 + cbOp)))
        ERR(JET_errOutOfMemory);
    bj_st32(body, dbc->dbid);
    if (bj_pgop_encode(op, body + 4, cbOp) != cbOp)
        ERR(JET_errInvalidParameter);
    /* the pending undo information goes with this change; an escrow delta's only with the
     * delta itself (its version flag may be set by an earlier op) */
    if (t_pend.type && t_pend.owner == il && (!t_pend.fDelta || op->kind == BJ_PGOP_DELTA)) {
        uint8_t pre[5];
        pre[0] = t_pend.type;
        bj_st32(pre + 1, t_pend.cb);
        bj_log_part parts[3] = {{pre, 5}, {t_pend.buf, t_pend.cb}, {body, 4 + cbOp}};
        t_pend.type = 0;
        CALL(bj_log_append(il->log, BJ_LR_PGOP_VER, parts, 3, plsn, NULL));
    } else {
        bj_log_part part = {body, 4 + cbOp};
        CALL(bj_log_append(il->log, BJ_LR_PGOP, &part, 1, plsn, NULL));
    }
    if (!*plsnFirst)
        *plsnFirst = *plsn;
fail:
    if (body != stack)
        bj_free(body);
    return err;
}

static JET_ERR hook_smo_end(void *ctx, bj_bt_dbctx *dbc, uint64_t smoid)
{
    bj_ilog *il = ctx;
    uint8_t b[12];
    if (!il->log)
        return BJ_ERR(JET_errLogWriteFail);
    bj_st32(b, dbc->dbid);
    bj_st64(b + 4, smoid);
    bj_log_part part = {b, 12};
    return bj_log_append(il->log, BJ_LR_SMO_END, &part, 1, NULL, NULL);
}

static JET_ERR hook_extend(void *ctx, bj_bt_dbctx *dbc, uint32_t cpg)
{
    bj_ilog *il = ctx;
    uint8_t b[8];
    if (!il->log)
        return BJ_ERR(JET_errLogWriteFail);
    bj_st32(b, dbc->dbid);
    bj_st32(b + 4, cpg);
    bj_log_part part = {b, 8};
    return bj_log_append(il->log, BJ_LR_EXTEND, &part, 1, NULL, NULL);
}

/* ---- databases ---- */

/* hdrmu held: the logged databases change; the log's list of attachments (in every new
 * generation's header and in the checkpoint file, where recovery finds the databases whose
 * ATTACH record lies before the checkpoint) follows. */
static void db_register(bj_ilog *il, bj_db *db, bool on)
{
    if (db->dbid >= BJ_DB_MAX)
        return;
    il->rgdb[db->dbid] = on ? db : NULL;
    bj_log_attach rg[BJ_LOG_ATTACH_MAX];
    uint32_t n = 0;
    for (uint32_t i = 0; i < BJ_DB_MAX && n < BJ_LOG_ATTACH_MAX; i++) {
        const bj_db *d = il->rgdb[i];
        if (!d || strlen(d->path) >= sizeof(rg[0].szPath))
            continue;
        rg[n].dbid = d->dbid;
        rg[n].signDb = d->hdr.signDb;
        memcpy(rg[n].szPath, d->path, strlen(d->path) + 1);
        n++;
    }
    (void)bj_log_set_attachments(il->log, rg, n); /* only fails on a bad argument */
}

JET_ERR bj_ilog_db_attached(bj_inst *inst, bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(inst);
    if (!il || !il->log)
        return JET_errSuccess;
    uint8_t *b = NULL;
    const uint32_t cbPath = (uint32_t)strlen(db->path);
    bj_lr_attach a = {.dbid = db->dbid,
                      .signDb = db->hdr.signDb,
                      .dbtime = bj_bt_dbctx_dbtime(&db->dbc),
                      .cbPage = db->cbPage,
                      .path = db->path,
                      .cbPath = cbPath};
    b = bj_malloc(BJ_LR_ATTACH_FIXED + cbPath);
    if (!b)
        ERR(JET_errOutOfMemory);
    bj_lsn lsn, lsnEnd;
    bj_log_part part = {b, bj_lr_attach_encode(&a, b, BJ_LR_ATTACH_FIXED + cbPath)};
    /* in the log's attachment list before the ATTACH record: a checkpoint written after the
     * record then names the database */
    bj_mutex_lock(&il->hdrmu);
    db_register(il, db, true);
    bj_mutex_unlock(&il->hdrmu);
    err = bj_log_append(il->log, BJ_LR_ATTACH, &part, 1, &lsn, &lsnEnd);
    if (err >= 0)
        err = bj_log_flush(il->log, lsnEnd);
    if (err < 0) {
        bj_mutex_lock(&il->hdrmu);
        db_register(il, db, false);
        bj_mutex_unlock(&il->hdrmu);
        goto fail;
    }
    bj_mutex_lock(&il->hdrmu);
    const uint32_t gen = bj_log_generation(il->log);
    db->hdr.dbstate = BJ_DBSTATE_DIRTY_SHUTDOWN;
    db->hdr.lgposAttach = bj_lsn_to_lgpos(lsn);
    bj_log_signature(il->log, &db->hdr.signLog);
    if (!db->hdr.genMinRequired || db->hdr.genMinRequired > gen)
        db->hdr.genMinRequired = BJ_LSN_GEN(lsn);
    db->hdr.genMaxRequired = BJ_MAX(db->hdr.genMaxRequired, gen);
    db->hdr.genMaxCommitted = BJ_MAX(db->hdr.genMaxCommitted, gen);
    bj_logtime_now(&db->hdr.logtimeAttach);
    err = bj_db_write_header(db);
    if (err >= 0) {
        db->dbc.dbid = db->dbid;
        db->dbc.log_ctx = il;
        db->dbc.log_extend = hook_extend;
        db->dbc.log_smo_end = hook_smo_end;
        db->dbc.log = hook_page;
    } else
        db_register(il, db, false);
    bj_mutex_unlock(&il->hdrmu);
fail:
    bj_free(b);
    return err;
}

JET_ERR bj_ilog_db_detaching(bj_db *db)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = db->dbc.log_ctx;
    if (!il || !il->log || !db->dbc.log)
        return JET_errSuccess;
    bj_mutex_lock(&il->hdrmu);
    db_register(il, db, false);
    bj_mutex_unlock(&il->hdrmu);
    uint8_t b[16];
    bj_lsn lsn, lsnEnd;
    bj_log_part part = {b, bj_lr_detach_encode(db->dbid, bj_bt_dbctx_dbtime(&db->dbc), b, 16)};
    CALL(bj_log_append(il->log, BJ_LR_DETACH, &part, 1, &lsn, &lsnEnd));
    CALL(bj_log_flush(il->log, lsnEnd));
    db->hdr.lgposConsistent = bj_lsn_to_lgpos(lsn);
    db->hdr.lgposDetach = db->hdr.lgposConsistent;
    bj_logtime_now(&db->hdr.logtimeConsistent);
    db->hdr.logtimeDetach = db->hdr.logtimeConsistent;
    db->hdr.genMinRequired = db->hdr.genMaxRequired = 0;
    db->hdr.genMaxCommitted = BJ_LSN_GEN(lsn);
    db->dbc.log = NULL;
    db->dbc.log_extend = NULL;
    db->dbc.log_smo_end = NULL;
fail:
    return err;
}

void bj_ilog_db_forget(bj_db *db)
{
    bj_ilog *il = db->dbc.log_ctx;
    if (il) {
        bj_mutex_lock(&il->hdrmu);
        db_register(il, db, false);
        bj_mutex_unlock(&il->hdrmu);
    }
    db->dbc.log = NULL;
    db->dbc.log_extend = NULL;
    db->dbc.log_smo_end = NULL;
}

void bj_ilog_db_header_snapshot(bj_db *db, bj_dbhdr *phdr)
{
    bj_ilog *il = db->dbc.log_ctx;
    if (il)
        bj_mutex_lock(&il->hdrmu);
    *phdr = db->hdr;
    phdr->dbtime = bj_bt_dbctx_dbtime(&db->dbc);
    if (db->objidLast > phdr->objidLast)
        phdr->objidLast = db->objidLast;
    if (il)
        bj_mutex_unlock(&il->hdrmu);
}

JET_ERR bj_ilog_db_header_update(bj_db *db, void (*fn)(bj_dbhdr *hdr, void *ctx), void *ctx)
{
    bj_ilog *il = db->dbc.log_ctx;
    if (il)
        bj_mutex_lock(&il->hdrmu);
    fn(&db->hdr, ctx);
    JET_ERR err = bj_db_write_header(db);
    if (il)
        bj_mutex_unlock(&il->hdrmu);
    return err;
}

JET_ERR bj_ilog_paths_abs(bj_inst *inst, bj_ilog_paths *paths)
{
    JET_ERR err = JET_errSuccess;
    bj_log_config cfg;
    bj_ilog_paths rel;
    bj_ilog_config(inst, &rel, &cfg);
    CALL(bj_path_absolute(paths->log, sizeof(paths->log), rel.log));
    CALL(bj_path_absolute(paths->sys, sizeof(paths->sys), rel.sys));
    memcpy(paths->base, rel.base, sizeof(paths->base));
fail:
    return err;
}

/* A new generation began: databases being logged may now get pages of it. */
static void on_roll(void *ctx, uint32_t genNew)
{
    bj_ilog *il = ctx;
    bj_mutex_lock(&il->hdrmu);
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = il->rgdb[i];
        if (!db)
            continue;
        db->hdr.genMaxRequired = BJ_MAX(db->hdr.genMaxRequired, genNew);
        db->hdr.genMaxCommitted = BJ_MAX(db->hdr.genMaxCommitted, genNew);
        /* the oldest generation recovery needs: the last checkpoint's (ESE moves it too) */
        const uint32_t genChk = BJ_LSN_GEN(atomic_load(&il->lsnChk));
        if (genChk > db->hdr.genMinRequired && genChk <= genNew)
            db->hdr.genMinRequired = genChk;
        (void)bj_db_write_header(db); /* a failure here shows up as the database's I/O error */
    }
    bj_mutex_unlock(&il->hdrmu);
}

JET_ERR bj_ilog_buf_flush(void *ctx, uint64_t lsn)
{
    bj_log *log = bj_ilog_log(ctx);
    if (lsn == UINT64_MAX) /* a change the log never took: the page must not be written */
        return BJ_ERR(JET_errLogWriteFail);
    if (!log || lsn == 0)
        return JET_errSuccess; /* no log, or redo's pages before the writer opened */
    if (lsn <= bj_log_durable(log))
        return JET_errSuccess; /* also redo's pages: their generations precede the writer's */
    return bj_log_flush(log, lsn);
}

JET_ERR bj_ilog_flush_all(bj_inst *inst)
{
    bj_log *log = bj_ilog_log(inst);
    if (!log)
        return JET_errSuccess;
    return bj_log_flush(log, bj_log_end(log));
}

/* ---- checkpoint ---- */

/* Computes and writes a checkpoint (see the file comment); fFlush first writes every dirty
 * page (the checkpoint then reaches the end of the log, open transactions permitting). */
static JET_ERR checkpoint_now(bj_ilog *il, bool fFlush)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = il->inst;
    bj_dbtable *tab = inst->dbs;
    /* the database table lock keeps the databases attached meanwhile; page latches may be
     * waited for under it (never under hdrmu: a latch holder may be rolling the log, and the
     * roll callback takes hdrmu) */
    if (tab)
        bj_mutex_lock(&tab->lock);
    if (fFlush && tab)
        for (uint32_t i = 0; i < BJ_DB_MAX && err >= 0; i++)
            if (tab->rgdb[i] && tab->rgdb[i]->dbc.log)
                err = bj_buf_flush_db(tab->rgdb[i]->bdb);
    bj_lsn c = bj_log_end(il->log);
    const bj_lsn dirty = bj_buf_oldest_dirty_lsn(inst->buf);
    const bj_lsn trx = trx_oldest(il);
    if (dirty && dirty < c)
        c = dirty;
    if (trx && trx < c)
        c = trx;
    /* pages written before this point are durable now; later ones began their dirty period
     * with a full image or an INIT at or after c */
    if (tab)
        for (uint32_t i = 0; i < BJ_DB_MAX && err >= 0; i++)
            if (tab->rgdb[i] && tab->rgdb[i]->dbc.log)
                err = bj_file_sync(tab->rgdb[i]->file);
    if (tab)
        bj_mutex_unlock(&tab->lock);
    CALL(err);
    CALL(bj_log_checkpoint(il->log, c));
    atomic_store(&il->lsnChk, c);
fail:
    return err;
}

static void *chk_main(void *arg)
{
    bj_ilog *il = arg;
    bj_mutex_lock(&il->chkmu);
    while (!il->fStop) {
        bj_cond_timedwait(&il->chkcv, &il->chkmu, 1000);
        if (il->fStop)
            break;
        bj_mutex_unlock(&il->chkmu);
        if (!bj_log_error(il->log)) {
            /* beyond the checkpoint depth: write every dirty page so the checkpoint advances
             * (ESE's checkpoint depth; recovery then replays at most about that much) */
            const bj_lsn end = bj_log_end(il->log);
            const bj_lsn dirty = bj_buf_oldest_dirty_lsn(il->inst->buf);
            const uint64_t cbLog = (uint64_t)bj_param_int(il->inst, JET_paramLogFileSize) * 1024;
            bool fFlush = false;
            if (dirty && dirty < end) {
                const uint64_t gens = BJ_LSN_GEN(end) - BJ_LSN_GEN(dirty);
                const uint64_t cb = gens * cbLog + BJ_LSN_OFF(end) - BJ_LSN_OFF(dirty);
                /* A flush makes every page clean, and the next change of each logs the page's
                 * image (8 KiB for a few bytes): flushing again before the log has grown by
                 * twice the dirty pages' bytes would spend most of the log on images. So the
                 * depth is at least that (PostgreSQL's checkpoints face the same trade). */
                bj_buf_stats bs;
                bj_buf_get_stats(il->inst->buf, &bs);
                const uint64_t cbDirty = bs.dirty * (uint64_t)bj_buf_page_size(il->inst->buf);
                fFlush = cb > BJ_MAX(il->cbDepth, 2 * cbDirty);
            }
            (void)checkpoint_now(il, fFlush);
        }
        bj_mutex_lock(&il->chkmu);
    }
    bj_mutex_unlock(&il->chkmu);
    return NULL;
}

/* ---- life ---- */

JET_ERR bj_ilog_open(bj_inst *inst, const bj_log_start *start)
{
    JET_ERR err = JET_errSuccess;
    bj_log_config cfg;
    bj_ilog *il = bj_calloc(1, sizeof(*il));
    if (!il)
        ERR(JET_errOutOfMemory);
    il->inst = inst;
    bj_mutex_init(&il->mu);
    bj_mutex_init(&il->hdrmu);
    bj_mutex_init(&il->chkmu);
    bj_cond_init(&il->chkcv);
    il->cbDepth = BJ_MAX((uint64_t)bj_param_int(inst, JET_paramCheckpointDepthMax), 1u << 20);
    bj_ilog_config(inst, &il->paths, &cfg);
    CALL(bj_log_open(&cfg, start, &il->log));
    bj_log_set_roll_callback(il->log, on_roll, il);
    inst->ilog = il;
    il = NULL;
fail:
    if (il) {
        bj_mutex_destroy(&il->mu);
        bj_mutex_destroy(&il->hdrmu);
        bj_mutex_destroy(&il->chkmu);
        bj_cond_destroy(&il->chkcv);
        bj_free(il);
    }
    return err;
}

JET_ERR bj_ilog_begin_normal(bj_inst *inst)
{
    JET_ERR err = JET_errSuccess;
    bj_ilog *il = ilog_of(inst);
    if (!il)
        return JET_errSuccess;
    uint8_t b[32];
    bj_lsn lsnEnd;
    bj_log_part part = {b, bj_lr_init_encode(b, sizeof b)};
    CALL(bj_log_append(il->log, BJ_LR_INIT, &part, 1, NULL, &lsnEnd));
    CALL(bj_log_flush(il->log, lsnEnd));
    CALL(bj_log_checkpoint(il->log, lsnEnd));
    atomic_store(&il->lsnChk, lsnEnd);
    CALL(bj_thread_start(&il->chk, chk_main, il));
    il->fChk = true;
fail:
    return err;
}

void bj_ilog_stop_checkpoints(bj_inst *inst)
{
    bj_ilog *il = ilog_of(inst);
    if (!il || !il->fChk)
        return;
    bj_mutex_lock(&il->chkmu);
    il->fStop = true;
    bj_cond_broadcast(&il->chkcv);
    bj_mutex_unlock(&il->chkmu);
    bj_thread_join(il->chk);
    il->fChk = false;
}

void bj_ilog_close(bj_inst *inst, bool fClean)
{
    bj_ilog *il = ilog_of(inst);
    if (!il)
        return;
    bj_ilog_stop_checkpoints(inst);
    if (t_pend.owner == il)
        t_pend.type = 0;
    if (fClean && !bj_log_error(il->log)) {
        bj_lsn lsnEnd;
        bj_log_part part = {NULL, 0};
        if (bj_log_append(il->log, BJ_LR_TERM, &part, 0, NULL, &lsnEnd) >= 0 &&
            bj_log_flush(il->log, lsnEnd) >= 0)
            (void)bj_log_checkpoint(il->log, lsnEnd);
    }
    bj_log_close(il->log);
    inst->ilog = NULL;
    bj_free(il->rgtrx);
    bj_free(il->rgrce);
    bj_free(il->rgtrxmap);
    bj_mutex_destroy(&il->mu);
    bj_mutex_destroy(&il->hdrmu);
    bj_mutex_destroy(&il->chkmu);
    bj_cond_destroy(&il->chkcv);
    bj_free(il);
}
