/* api_backup.c: Jet* entry points of online backup (ese-backup-spec.md §2.0-§2.11): the
 * external (streaming) backup family, JetStopBackup and JetBackup. Each enters the instance
 * (bj_inst_enter: JET_errInvalidInstance, JET_errNotInitialized, JET_errTermInProgress, ...),
 * takes its backup context and calls src/backup/backup.h. The variants without an instance
 * argument work in one-instance (legacy) mode only: JET_errRunningInMultiInstanceMode in
 * multi-instance mode, JET_errInvalidParameter when no mode is set yet. A and plain names are
 * the same functions (char strings).
 */
#include <unistd.h>

#include "api/api.h"
#include "backup/backup.h"

/* The legacy variants' mode rule, then the legacy instance (handle 0). */
static JET_ERR legacy(JET_INSTANCE *pinstance)
{
    if (bj_inst_mode() == BJ_MODE_MULTI)
        return BJ_ERR(JET_errRunningInMultiInstanceMode);
    if (bj_inst_mode() == BJ_MODE_NONE)
        return BJ_ERR(JET_errInvalidParameter);
    *pinstance = 0;
    return JET_errSuccess;
}

/* Enters the instance; *pbk = its backup context (JET_errBackupNotAllowedYet without one). */
static JET_ERR enter(JET_INSTANCE instance, bj_inst **pinst, bj_backup **pbk)
{
    JET_ERR err = bj_inst_enter(instance, pinst);
    if (err < 0)
        return err;
    *pbk = (*pinst)->backup;
    if (!*pbk) {
        bj_inst_leave(*pinst);
        return BJ_ERR(JET_errBackupNotAllowedYet);
    }
    return JET_errSuccess;
}

BJ_EXPORT JET_ERR JetBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_begin(bk, grbit);
    bj_inst_leave(inst);
    return err;
}

BJ_EXPORT JET_ERR JetBeginExternalBackup(JET_GRBIT grbit)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetBeginExternalBackupInstance(inst, grbit);
}

BJ_EXPORT JET_ERR JetGetAttachInfoInstance(JET_INSTANCE instance, JET_PSTR szzDatabases,
                                           uint32_t cbMax, uint32_t *pcbActual)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_attach_info(bk, szzDatabases, cbMax, pcbActual);
    bj_inst_leave(inst);
    return err;
}
JET_ERR JetGetAttachInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzDatabases, uint32_t cbMax,
                                  uint32_t *pcbActual) BJ_ALIAS(JetGetAttachInfoInstance);

BJ_EXPORT JET_ERR JetGetAttachInfo(JET_PSTR szzDatabases, uint32_t cbMax, uint32_t *pcbActual)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetGetAttachInfoInstance(inst, szzDatabases, cbMax, pcbActual);
}
JET_ERR JetGetAttachInfoA(JET_PSTR szzDatabases, uint32_t cbMax, uint32_t *pcbActual)
    BJ_ALIAS(JetGetAttachInfo);

BJ_EXPORT JET_ERR JetOpenFileInstance(JET_INSTANCE instance, JET_PCSTR szFileName,
                                      JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                                      uint32_t *pulFileSizeHigh)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_open_file(bk, szFileName, 0, phfFile, pulFileSizeLow, pulFileSizeHigh);
    bj_inst_leave(inst);
    return err;
}

/* ESE: more than one section is not built (JET_wrnNyi, before the instance is looked at);
 * ibRead resumes a stream. */
BJ_EXPORT JET_ERR JetOpenFileSectionInstance(JET_INSTANCE instance, JET_PSTR szFile,
                                             JET_HANDLE *phFile, int32_t iSection,
                                             int32_t cSections, uint64_t ibRead,
                                             uint32_t *pulSectionSizeLow,
                                             int32_t *plSectionSizeHigh)
{
    bj_inst *inst;
    bj_backup *bk;
    (void)iSection;
    if (cSections > 1)
        return JET_wrnNyi;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_open_file(bk, szFile, ibRead, phFile, pulSectionSizeLow,
                          (uint32_t *)plSectionSizeHigh);
    bj_inst_leave(inst);
    return err;
}
JET_ERR JetOpenFileSectionInstanceA(JET_INSTANCE instance, JET_PSTR szFile, JET_HANDLE *phFile,
                                    int32_t iSection, int32_t cSections, uint64_t ibRead,
                                    uint32_t *pulSectionSizeLow, int32_t *plSectionSizeHigh)
    BJ_ALIAS(JetOpenFileSectionInstance);
JET_ERR JetOpenFileInstanceA(JET_INSTANCE instance, JET_PCSTR szFileName, JET_HANDLE *phfFile,
                             uint32_t *pulFileSizeLow, uint32_t *pulFileSizeHigh)
    BJ_ALIAS(JetOpenFileInstance);

BJ_EXPORT JET_ERR JetOpenFile(JET_PCSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                              uint32_t *pulFileSizeHigh)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0
               ? err
               : JetOpenFileInstance(inst, szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh);
}
JET_ERR JetOpenFileA(JET_PCSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                     uint32_t *pulFileSizeHigh) BJ_ALIAS(JetOpenFile);

BJ_EXPORT JET_ERR JetReadFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile, void *pv,
                                      uint32_t cb, uint32_t *pcbActual)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    /* ESE's fix for unaligned buffers: pv must be aligned to the OS memory page */
    const long pagesz = sysconf(_SC_PAGESIZE);
    if (pv && pagesz > 0 && (uintptr_t)pv % (uintptr_t)pagesz) {
        if (pcbActual)
            *pcbActual = 0;
        err = bj_bk_active(bk) ? BJ_ERR(JET_errInvalidParameter) : BJ_ERR(JET_errNoBackup);
    } else
        err = bj_bk_read_file(bk, hfFile, pv, cb, pcbActual);
    bj_inst_leave(inst);
    return err;
}

BJ_EXPORT JET_ERR JetReadFile(JET_HANDLE hfFile, void *pv, uint32_t cb, uint32_t *pcbActual)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetReadFileInstance(inst, hfFile, pv, cb, pcbActual);
}

BJ_EXPORT JET_ERR JetCloseFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_close_file(bk, hfFile);
    bj_inst_leave(inst);
    return err;
}

BJ_EXPORT JET_ERR JetCloseFile(JET_HANDLE hfFile)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetCloseFileInstance(inst, hfFile);
}

BJ_EXPORT JET_ERR JetGetLogInfoInstance2(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                         uint32_t *pcbActual, JET_LOGINFO *pLogInfo)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_log_info(bk, szzLogs, cbMax, pcbActual, pLogInfo);
    bj_inst_leave(inst);
    return err;
}
JET_ERR JetGetLogInfoInstance2A(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                uint32_t *pcbActual, JET_LOGINFO *pLogInfo)
    BJ_ALIAS(JetGetLogInfoInstance2);

BJ_EXPORT JET_ERR JetGetLogInfoInstance(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                        uint32_t *pcbActual)
{
    return JetGetLogInfoInstance2(instance, szzLogs, cbMax, pcbActual, NULL);
}
JET_ERR JetGetLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                               uint32_t *pcbActual) BJ_ALIAS(JetGetLogInfoInstance);

BJ_EXPORT JET_ERR JetGetLogInfo(JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetGetLogInfoInstance2(inst, szzLogs, cbMax, pcbActual, NULL);
}
JET_ERR JetGetLogInfoA(JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual)
    BJ_ALIAS(JetGetLogInfo);

BJ_EXPORT JET_ERR JetGetTruncateLogInfoInstance(JET_INSTANCE instance, JET_PSTR szzLogs,
                                                uint32_t cbMax, uint32_t *pcbActual)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_truncate_info(bk, szzLogs, cbMax, pcbActual);
    bj_inst_leave(inst);
    return err;
}
JET_ERR JetGetTruncateLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                       uint32_t *pcbActual) BJ_ALIAS(JetGetTruncateLogInfoInstance);

BJ_EXPORT JET_ERR JetTruncateLogInstance(JET_INSTANCE instance)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_truncate(bk);
    bj_inst_leave(inst);
    return err;
}

BJ_EXPORT JET_ERR JetTruncateLog(void)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetTruncateLogInstance(inst);
}

BJ_EXPORT JET_ERR JetEndExternalBackupInstance2(JET_INSTANCE instance, JET_GRBIT grbit)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_end(bk, grbit);
    bj_inst_leave(inst);
    return err;
}

BJ_EXPORT JET_ERR JetEndExternalBackupInstance(JET_INSTANCE instance)
{
    return JetEndExternalBackupInstance2(instance, JET_bitBackupEndNormal);
}

BJ_EXPORT JET_ERR JetEndExternalBackup(void)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetEndExternalBackupInstance2(inst, JET_bitBackupEndNormal);
}

BJ_EXPORT JET_ERR JetStopBackupInstance(JET_INSTANCE instance)
{
    bj_inst *inst;
    JET_ERR err = bj_inst_enter(instance, &inst);
    if (err < 0)
        return err;
    bj_bk_stop(inst->backup);
    bj_inst_leave(inst);
    return JET_errSuccess;
}

BJ_EXPORT JET_ERR JetStopBackup(void)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetStopBackupInstance(inst);
}

BJ_EXPORT JET_ERR JetBackupInstance(JET_INSTANCE instance, JET_PCSTR szBackupPath, JET_GRBIT grbit,
                                    JET_PFNSTATUS pfnStatus)
{
    bj_inst *inst;
    bj_backup *bk;
    JET_ERR err = enter(instance, &inst, &bk);
    if (err < 0)
        return err;
    err = bj_bk_backup_to(bk, szBackupPath, grbit, pfnStatus);
    bj_inst_leave(inst);
    return err;
}
JET_ERR JetBackupInstanceA(JET_INSTANCE instance, JET_PCSTR szBackupPath, JET_GRBIT grbit,
                           JET_PFNSTATUS pfnStatus) BJ_ALIAS(JetBackupInstance);

BJ_EXPORT JET_ERR JetBackup(JET_PCSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus)
{
    JET_INSTANCE inst;
    JET_ERR err = legacy(&inst);
    return err < 0 ? err : JetBackupInstance(inst, szBackupPath, grbit, pfnStatus);
}
JET_ERR JetBackupA(JET_PCSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus)
    BJ_ALIAS(JetBackup);
