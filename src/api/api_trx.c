/* api_trx.c: Jet* entry points for transactions: JetBeginTransaction / 2 / 3,
 * JetCommitTransaction / 2, JetRollback. The session's bj_trx (src/ver) lives in
 * sess->ver_state; sess->trx_level mirrors its level and sess->trx_context records the thread
 * or session context that began level 0 (only it may continue the transaction: others get
 * JET_errSessionSharingViolation, ESE's FPIBCheckTrxContext).
 * ESE facts (tm.cxx ErrIsamCommitTransaction): JET_bitWaitAllLevel0Commit and
 * JET_bitWaitLastLevel0Commit need no transaction and must come alone (else
 * JET_errInvalidGrbit); they make every commit so far durable. JET_bitCommitLazyFlush is accepted.
 */
#include "api/api.h"
#include "inst/inst_log.h"
#include "inst/tableid.h"
#include "tbl/tbl_write.h"
#include "ver/ver.h"

#define COMMIT_GRBITS                                                                              \
    (JET_bitCommitLazyFlush | JET_bitWaitLastLevel0Commit | JET_bitWaitAllLevel0Commit |           \
     JET_bitForceNewLog)

JET_ERR bj_api_sess_trx(bj_sess *s, bj_trx **ptrx)
{
    if (!s->ver_state) {
        if (!s->inst->ver)
            return BJ_ERR(JET_errNotInitialized);
        JET_ERR err = bj_ver_trx_create(s->inst->ver, (bj_trx **)&s->ver_state);
        if (err < 0)
            return err;
    }
    *ptrx = s->ver_state;
    return JET_errSuccess;
}

/* Cancels the prepared updates of the session's cursors (after a rollback, as ESE resets the
 * copy buffers of the session's cursors). */
static void cancel_updates(bj_sess *s)
{
    for (bj_tableobj *o = s->cursors; o; o = o->next)
        bj_tbl_update_free(o->tbl);
}

BJ_EXPORT JET_ERR JetBeginTransaction3(JET_SESID sesid, int64_t trxid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_trx *trx = NULL;
    (void)trxid; /* a trace identifier only */
    CALL(bj_sess_enter(sesid, 0, &s));
    if (grbit & ~(JET_GRBIT)JET_bitTransactionReadOnly) {
        err = BJ_ERR(JET_errInvalidGrbit);
        goto leave;
    }
    if (s->trx_level > 0 && !bj_sess_check_trx_context(s)) {
        err = BJ_ERR(JET_errSessionSharingViolation);
        goto leave;
    }
    err = bj_api_sess_trx(s, &trx);
    if (err >= 0)
        err = bj_ver_trx_begin(trx);
    if (err >= 0) {
        if (s->trx_level == 0)
            s->trx_context = bj_sess_trx_context(s);
        s->trx_level = bj_ver_trx_level(trx);
    }
leave:
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetBeginTransaction2(JET_SESID sesid, JET_GRBIT grbit)
{
    return JetBeginTransaction3(sesid, 0, grbit);
}

BJ_EXPORT JET_ERR JetBeginTransaction(JET_SESID sesid)
{
    return JetBeginTransaction3(sesid, 0, 0);
}

BJ_EXPORT JET_ERR JetCommitTransaction2(JET_SESID sesid, JET_GRBIT grbit,
                                        uint32_t cmsecDurableCommit, JET_COMMIT_ID *pCommitId)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    (void)cmsecDurableCommit;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (pCommitId)
        memset(pCommitId, 0, sizeof(*pCommitId));
    if (grbit & ~(JET_GRBIT)COMMIT_GRBITS) {
        err = BJ_ERR(JET_errInvalidGrbit);
        goto leave;
    }
    if (grbit & (JET_bitWaitAllLevel0Commit | JET_bitWaitLastLevel0Commit)) {
        /* every commit so far is made durable (the last one of this session among them) */
        if (grbit != JET_bitWaitAllLevel0Commit && grbit != JET_bitWaitLastLevel0Commit)
            err = BJ_ERR(JET_errInvalidGrbit);
        else
            err = bj_ilog_flush_all(s->inst);
        goto leave;
    }
    if (s->trx_level == 0 || !s->ver_state) {
        err = BJ_ERR(JET_errNotInTransaction);
        goto leave;
    }
    if (!bj_sess_check_trx_context(s)) {
        err = BJ_ERR(JET_errSessionSharingViolation);
        goto leave;
    }
    err = bj_ver_trx_commit(s->ver_state, grbit);
    s->trx_level = bj_ver_trx_level(s->ver_state);
    if (s->trx_level == 0)
        s->trx_context = 0;
leave:
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetCommitTransaction(JET_SESID sesid, JET_GRBIT grbit)
{
    return JetCommitTransaction2(sesid, grbit, 0, NULL);
}

BJ_EXPORT JET_ERR JetRollback(JET_SESID sesid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (grbit & ~(JET_GRBIT)JET_bitRollbackAll) {
        err = BJ_ERR(JET_errInvalidGrbit);
        goto leave;
    }
    if (s->trx_level == 0 || !s->ver_state) {
        err = BJ_ERR(JET_errNotInTransaction);
        goto leave;
    }
    if (!bj_sess_check_trx_context(s)) {
        err = BJ_ERR(JET_errSessionSharingViolation);
        goto leave;
    }
    err = bj_ver_trx_rollback(s->ver_state, grbit);
    s->trx_level = bj_ver_trx_level(s->ver_state);
    if (s->trx_level == 0)
        s->trx_context = 0;
    cancel_updates(s);
leave:
    bj_sess_leave(s);
fail:
    return err;
}
