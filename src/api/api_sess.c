/* api_sess.c: Jet* entry points for sessions: begin, dup, end, version, contexts, session
 * parameters. Each resolves its handle with bj_inst_enter / bj_sess_enter and calls src/inst. */
#include "api/api.h"

/* Reported by JetGetVersion: ESENT's layout (major << 28 | minor << 24 | build << 8 | sp) with
 * bluejet's own numbers. */
#define BJ_VERSION_MAJOR 0
#define BJ_VERSION_MINOR 1
#define BJ_VERSION_BUILD 0

BJ_EXPORT JET_ERR JetBeginSession(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                                  JET_PCSTR szPassword)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    (void)szUserName; /* ESE ignores user and password */
    (void)szPassword;
    CALL(bj_inst_enter(instance, &inst));
    err = bj_sess_begin(inst, psesid);
    bj_inst_leave(inst);
fail:
    return err;
}
JET_ERR JetBeginSessionA(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                         JET_PCSTR szPassword) BJ_ALIAS(JetBeginSession);

BJ_EXPORT JET_ERR JetDupSession(JET_SESID sesid, JET_SESID *psesid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_sess_begin(s->inst, psesid);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetEndSession(JET_SESID sesid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, BJ_SESS_IGNORE_STOP, &s));
    err = bj_sess_end(s, grbit);
    if (err < 0)
        bj_sess_leave(s); /* still alive */
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGetVersion(JET_SESID sesid, uint32_t *pwVersion)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!pwVersion)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        *pwVersion = ((uint32_t)BJ_VERSION_MAJOR << 28) | ((uint32_t)BJ_VERSION_MINOR << 24) |
                     ((uint32_t)BJ_VERSION_BUILD << 8);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSetSessionContext(JET_SESID sesid, JET_API_PTR ulContext)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_sess_set_context(s, ulContext);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetResetSessionContext(JET_SESID sesid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, BJ_SESS_IGNORE_STOP, &s));
    err = bj_sess_reset_context(s);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetSetSessionParameter(JET_SESID sesid, uint32_t sesparamid, void *pvParam,
                                         uint32_t cbParam)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_sess_set_param(s, sesparamid, pvParam, cbParam);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetGetSessionParameter(JET_SESID sesid, uint32_t sesparamid, void *pvParam,
                                         uint32_t cbParamMax, uint32_t *pcbParamActual)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_sess_get_param(s, sesparamid, pvParam, cbParamMax, pcbParamActual);
    bj_sess_leave(s);
fail:
    return err;
}
