/* api_param.c: Jet* entry points for system parameters. Which instance a call addresses, and
 * every value rule, live in src/inst (inst.c param routing, param.c table). */
#include "api/api.h"

BJ_EXPORT JET_ERR JetSetSystemParameter(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                                        JET_API_PTR lParam, JET_PCSTR szParam)
{
    return bj_inst_set_param(pinstance, sesid, paramid, lParam, szParam);
}
JET_ERR JetSetSystemParameterA(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                               JET_API_PTR lParam, JET_PCSTR szParam)
    BJ_ALIAS(JetSetSystemParameter);

BJ_EXPORT JET_ERR JetGetSystemParameter(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                                        JET_API_PTR *plParam, JET_PSTR szParam, uint32_t cbMax)
{
    return bj_inst_get_param(instance, sesid, paramid, plParam, szParam, cbMax);
}
JET_ERR JetGetSystemParameterA(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                               JET_API_PTR *plParam, JET_PSTR szParam, uint32_t cbMax)
    BJ_ALIAS(JetGetSystemParameter);
