/* api_inst.c: Jet* entry points for instances: create, init, term, multi-instance mode, stop
 * service, instance enumeration, buffers. Argument checks only; the rules live in src/inst. */
#include "api/api.h"

BJ_EXPORT JET_ERR JetCreateInstance2(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName,
                                     JET_PCSTR szDisplayName, JET_GRBIT grbit)
{
    (void)grbit; /* unused by ESE too */
    return bj_inst_create(pinstance, szInstanceName, szDisplayName);
}
JET_ERR JetCreateInstance2A(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName,
                            JET_PCSTR szDisplayName, JET_GRBIT grbit) BJ_ALIAS(JetCreateInstance2);

BJ_EXPORT JET_ERR JetCreateInstance(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName)
{
    return bj_inst_create(pinstance, szInstanceName, NULL);
}
JET_ERR JetCreateInstanceA(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName)
    BJ_ALIAS(JetCreateInstance);

/* JET_RSTINFO: remapped soft recovery and a point-in-time stop (api_restore.c). */
BJ_EXPORT JET_ERR JetInit3(JET_INSTANCE *pinstance, JET_RSTINFO *prstInfo, JET_GRBIT grbit)
{
    if (prstInfo)
        return bj_api_init_rstinfo(pinstance, prstInfo, grbit);
    return bj_inst_init(pinstance, grbit);
}
JET_ERR JetInit3A(JET_INSTANCE *pinstance, JET_RSTINFO *prstInfo, JET_GRBIT grbit)
    BJ_ALIAS(JetInit3);

/* JET_RSTINFO2: JET_RSTMAP2 entries and an init callback (api_restore.c). */
BJ_EXPORT JET_ERR JetInit4(JET_INSTANCE *pinstance, JET_RSTINFO2 *prstInfo, JET_GRBIT grbit)
{
    if (prstInfo)
        return bj_api_init_rstinfo2(pinstance, prstInfo, grbit);
    return bj_inst_init(pinstance, grbit);
}
JET_ERR JetInit4A(JET_INSTANCE *pinstance, JET_RSTINFO2 *prstInfo, JET_GRBIT grbit)
    BJ_ALIAS(JetInit4);

/* ESE: JetInit2 adds JET_bitReplayMissingMapEntryDB. */
BJ_EXPORT JET_ERR JetInit2(JET_INSTANCE *pinstance, JET_GRBIT grbit)
{
    return bj_inst_init(pinstance, grbit | JET_bitReplayMissingMapEntryDB);
}

BJ_EXPORT JET_ERR JetInit(JET_INSTANCE *pinstance)
{
    return JetInit2(pinstance, 0);
}

/* ESE: JetTerm is JetTerm2 with JET_bitTermAbrupt. */
BJ_EXPORT JET_ERR JetTerm(JET_INSTANCE instance)
{
    return bj_inst_term(instance, JET_bitTermAbrupt);
}

BJ_EXPORT JET_ERR JetTerm2(JET_INSTANCE instance, JET_GRBIT grbit)
{
    return bj_inst_term(instance, grbit);
}

BJ_EXPORT JET_ERR JetEnableMultiInstance(JET_SETSYSPARAM *psetsysparam, uint32_t csetsysparam,
                                         uint32_t *pcsetsucceed)
{
    /* ESE's CAutoSETSYSPARAMW::ErrSet: array and count must agree. */
    if ((psetsysparam == NULL) != (csetsysparam == 0)) {
        if (pcsetsucceed)
            *pcsetsucceed = 0;
        return BJ_ERR(JET_errInvalidParameter);
    }
    return bj_inst_enable_multi(psetsysparam, csetsysparam, pcsetsucceed);
}
JET_ERR JetEnableMultiInstanceA(JET_SETSYSPARAM *psetsysparam, uint32_t csetsysparam,
                                uint32_t *pcsetsucceed) BJ_ALIAS(JetEnableMultiInstance);

BJ_EXPORT JET_ERR JetStopServiceInstance(JET_INSTANCE instance)
{
    return bj_inst_stop_service(instance, JET_bitStopServiceAll, true);
}

BJ_EXPORT JET_ERR JetStopServiceInstance2(JET_INSTANCE instance, const JET_GRBIT grbit)
{
    return bj_inst_stop_service(instance, grbit, false);
}

/* ESE: legal only in one-instance mode (ErrRUNINSTCheckOneInstMode). */
BJ_EXPORT JET_ERR JetStopService(void)
{
    if (bj_inst_mode() == BJ_MODE_MULTI)
        return BJ_ERR(JET_errRunningInMultiInstanceMode);
    if (bj_inst_mode() == BJ_MODE_NONE)
        return BJ_ERR(JET_errInvalidParameter);
    return bj_inst_stop_service(0, JET_bitStopServiceAll, true);
}

BJ_EXPORT JET_ERR JetGetInstanceInfo(uint32_t *pcInstanceInfo,
                                     JET_INSTANCE_INFO **paInstanceInfo)
{
    return bj_inst_get_info(pcInstanceInfo, paInstanceInfo);
}
JET_ERR JetGetInstanceInfoA(uint32_t *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo)
    BJ_ALIAS(JetGetInstanceInfo);

BJ_EXPORT JET_ERR JetFreeBuffer(char *pbBuf)
{
    bj_inst_free_buffer(pbBuf);
    return JET_errSuccess;
}
