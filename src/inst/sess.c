/* sess.c: sessions (ESE's PIB): JetBeginSession, JetDupSession, JetEndSession, session
 * contexts, session parameters, and the enter/leave protocol every session call follows.
 *
 * Entering (ESE's APICALL_SESID::FEnter, jetapi.cxx 4293-4420): a handle reference keeps the
 * session's memory alive for the call; in_api 0 -> 1 claims the session for this thread, and a
 * second claimant gets JET_errSessionSharingViolation. term_in_progress is checked again after
 * the claim (both sides use sequentially consistent atomics), so JetTerm, which sets
 * term_in_progress and then waits for every in_api to drop, never misses a call.
 *
 * Contexts (pib.hxx ErrPIBSetSessionContext/PIBResetSessionContext, pib.cxx 942-965): a non-zero
 * context other than ~0 binds the session's transactions to the context instead of a thread; only
 * the thread that set it can reset it; JetEndSession while a context is set is
 * JET_errSessionInUse (tm.cxx ErrIsamEndSession marks the session ~0 while it ends).
 *
 * Lock order: the instance lock (session list) before handle-table locks.
 */
#include <pthread.h>

#include "inst/inst_priv.h"
#include "inst/tableid.h"

bj_handle_table bj_sess_handles = BJ_HANDLE_TABLE_INIT(BJ_HKIND_SESSION);

#define CONTEXT_ENDING (~(uintptr_t)0)

uint64_t bj_thread_self_id(void)
{
    static _Atomic uint64_t next_id = 1;
    static _Thread_local uint64_t id;
    if (!id)
        id = atomic_fetch_add(&next_id, 1);
    return id;
}

JET_ERR bj_sess_enter(JET_SESID sesid, uint32_t flags, bj_sess **psess)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    if (sesid == 0 || sesid == JET_sesidNil)
        return BJ_ERR(JET_errInvalidSesid);
    s = bj_handle_acquire(&bj_sess_handles, sesid);
    if (!s)
        return BJ_ERR(JET_errInvalidSesid);
    bj_inst *inst = s->inst;
    if (atomic_load(&inst->stop_service) && !(flags & BJ_SESS_IGNORE_STOP))
        ERR(JET_errClientRequestToStopJetService);
    if (atomic_load(&inst->term_in_progress))
        ERR(JET_errTermInProgress);
    int32_t expect = 0;
    if (!atomic_compare_exchange_strong(&s->in_api, &expect, 1))
        ERR(JET_errSessionSharingViolation);
    if (atomic_load(&inst->term_in_progress)) {
        atomic_store(&s->in_api, 0);
        ERR(JET_errTermInProgress);
    }
    *psess = s;
fail:
    if (err < 0)
        bj_handle_release(&bj_sess_handles, sesid);
    return err;
}

void bj_sess_leave(bj_sess *s)
{
    JET_SESID h = s->handle;
    atomic_store(&s->in_api, 0);
    bj_handle_release(&bj_sess_handles, h);
}

JET_ERR bj_sess_begin(bj_inst *inst, JET_SESID *psesid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bool listed = false;
    if (!psesid)
        return BJ_ERR(JET_errInvalidParameter);
    s = bj_calloc(1, sizeof *s);
    if (!s)
        ERR(JET_errOutOfMemory);
    s->inst = inst;
    s->commit_default = (JET_GRBIT)bj_param_int(inst, JET_paramCommitDefault);
    bj_mutex_lock(&inst->lock);
    if (inst->nsessions >= bj_param_int(inst, JET_paramMaxSessions)) {
        bj_mutex_unlock(&inst->lock);
        ERR(JET_errOutOfSessions);
    }
    s->next = inst->sessions;
    if (s->next)
        s->next->prev = s;
    inst->sessions = s;
    inst->nsessions++;
    listed = true;
    bj_mutex_unlock(&inst->lock);
    CALL(bj_handle_alloc(&bj_sess_handles, s, &s->handle));
    *psesid = s->handle;
    s = NULL;
fail:
    if (s) {
        if (listed) {
            bj_mutex_lock(&inst->lock);
            if (s->prev)
                s->prev->next = s->next;
            else
                inst->sessions = s->next;
            if (s->next)
                s->next->prev = s->prev;
            inst->nsessions--;
            bj_mutex_unlock(&inst->lock);
        }
        bj_free(s);
    }
    return err;
}

/* Unlinks and frees a session whose handle is retired. */
static void sess_free(bj_sess *s)
{
    bj_inst *inst = s->inst;
    bj_mutex_lock(&inst->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        inst->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    inst->nsessions--;
    bj_mutex_unlock(&inst->lock);
    bj_free(s);
}

/* What ending a session undoes, in ESE's order (tm.cxx ErrIsamEndSession): roll back every
 * transaction level, close the databases it opened, close its cursors. The transaction layer
 * (src/ver) and the table/database tasks fill these in; until then a session can hold none. */
static JET_ERR sess_release_resources(bj_sess *s, bool rollback)
{
    JET_ERR err = JET_errSuccess;
    (void)rollback; /* without a log, a dirty term rolls back in memory too */
    if (s->ver_state) {
        bj_ver_trx_destroy(s->ver_state); /* rolls back every open level */
        s->ver_state = NULL;
        s->trx_level = 0;
    }
    bj_tableid_sess_end(s); /* read path: open tables, then open databases */
    bj_db_sess_end(s);
    return err;
}

JET_ERR bj_sess_end(bj_sess *s, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    uintptr_t expect = 0;
    (void)grbit; /* JET_bitForceSessionClosed: nothing more to force yet */
    if (!atomic_compare_exchange_strong(&s->context, &expect, CONTEXT_ENDING))
        ERR(JET_errSessionInUse);
    err = sess_release_resources(s, true);
    if (err < 0) {
        atomic_store(&s->context, 0);
        goto fail;
    }
    /* Our own handle reference and in_api go with the handle. */
    bj_handle_retire(&bj_sess_handles, s->handle, 1);
    sess_free(s);
fail:
    return err;
}

void bj_sess_end_all(bj_inst *inst, bool dirty)
{
    for (;;) {
        bj_mutex_lock(&inst->lock);
        bj_sess *s = inst->sessions;
        bj_mutex_unlock(&inst->lock);
        if (!s)
            break;
        (void)sess_release_resources(s, !dirty);
        bj_handle_retire(&bj_sess_handles, s->handle, 0);
        sess_free(s);
    }
}

void bj_sess_activity(bj_inst *inst, int32_t *pin_api, bool *ptrx)
{
    int32_t n = 0;
    bool trx = false;
    bj_mutex_lock(&inst->lock);
    for (bj_sess *s = inst->sessions; s; s = s->next) {
        n += atomic_load(&s->in_api);
        trx |= s->trx_level > 0;
    }
    bj_mutex_unlock(&inst->lock);
    *pin_api = n;
    *ptrx = trx;
}

JET_ERR bj_sess_set_context(bj_sess *s, JET_API_PTR context)
{
    uintptr_t expect = 0;
    if (context == 0 || context == CONTEXT_ENDING)
        return BJ_ERR(JET_errInvalidParameter);
    if (!atomic_compare_exchange_strong(&s->context, &expect, (uintptr_t)context))
        return BJ_ERR(JET_errSessionContextAlreadySet);
    atomic_store(&s->context_thread, bj_thread_self_id());
    return JET_errSuccess;
}

JET_ERR bj_sess_reset_context(bj_sess *s)
{
    uintptr_t c = atomic_load(&s->context);
    if (c == 0 || c == CONTEXT_ENDING || atomic_load(&s->context_thread) != bj_thread_self_id())
        return BJ_ERR(JET_errSessionContextNotSetByThisThread);
    atomic_store(&s->context_thread, 0);
    atomic_store(&s->context, 0);
    return JET_errSuccess;
}

uint64_t bj_sess_trx_context(const bj_sess *s)
{
    uintptr_t c = atomic_load(&s->context);
    if (c && c != CONTEXT_ENDING)
        return (uint64_t)c;
    return bj_thread_self_id();
}

bool bj_sess_check_trx_context(const bj_sess *s)
{
    uintptr_t c = atomic_load(&s->context);
    if (c && c != CONTEXT_ENDING)
        return s->trx_context == (uint64_t)c &&
               atomic_load(&s->context_thread) == bj_thread_self_id();
    return s->trx_context == bj_thread_self_id();
}

/* Session parameters (tm.cxx ErrIsamSetSessionParameter / ErrIsamGetSessionParameter): only the
 * simple ones; the others are JET_errInvalidParameter. */
JET_ERR bj_sess_set_param(bj_sess *s, uint32_t id, const void *pv, uint32_t cb)
{
    if (!pv && cb != 0)
        return BJ_ERR(JET_errInvalidParameter);
    switch (id) {
    case JET_sesparamCommitDefault:
        if (cb != sizeof(JET_GRBIT))
            return BJ_ERR(JET_errInvalidBufferSize);
        memcpy(&s->commit_default, pv, sizeof(JET_GRBIT));
        return JET_errSuccess;
    case JET_sesparamCorrelationID:
        if (cb != sizeof(uint32_t))
            return BJ_ERR(JET_errInvalidBufferSize);
        memcpy(&s->correlation_id, pv, sizeof(uint32_t));
        return JET_errSuccess;
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
}

JET_ERR bj_sess_get_param(bj_sess *s, uint32_t id, void *pv, uint32_t cbMax,
                          uint32_t *pcbActual)
{
    uint32_t v;
    switch (id) {
    case JET_sesparamCommitDefault:
        v = s->commit_default;
        break;
    case JET_sesparamTransactionLevel:
        v = s->trx_level;
        break;
    case JET_sesparamCorrelationID:
        v = s->correlation_id;
        break;
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
    if (pcbActual)
        *pcbActual = sizeof v;
    if (!pv || cbMax < sizeof v)
        return BJ_ERR(JET_errInvalidBufferSize);
    memcpy(pv, &v, sizeof v);
    return JET_errSuccess;
}
