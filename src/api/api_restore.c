/* api_restore.c: Jet* entry points of restore (ese-backup-spec.md §2.12-§2.14): JetRestore,
 * JetRestore2, JetRestoreInstance (a backup folder made by JetBackup: .pat markers),
 * JetExternalRestore, JetExternalRestore2 (a caller-placed set of images and logs), and JetInit3
 * / JetInit4 with a JET_RSTINFO / JET_RSTINFO2 (remapped soft recovery, point-in-time stop). Argument checks and the
 * JET_PFNSTATUS adapter only; the restore is src/inst/inst_restore.c (bj_restore_run).
 */
#include "api/api.h"
#include "inst/inst_recover.h"
#include "inst/restore.h"
#include "recovery/rst_check.h"

/* ESE's dbidMax (7) twice: the limit of a restore map. */
#define BJ_RSTMAP_MAX 14

typedef struct status_ctx {
    JET_PFNSTATUS pfn;
} status_ctx;

static JET_ERR status_adapter(void *ctx, JET_SNT snt, uint32_t cunitDone, uint32_t cunitTotal)
{
    status_ctx *s = ctx;
    JET_SNPROG prog = {sizeof(JET_SNPROG), cunitDone, cunitTotal};
    return s->pfn(0, JET_snpRestore, snt, snt == JET_sntProgress ? &prog : NULL);
}

static JET_ERR restore_instance(JET_INSTANCE instance, bool fLegacy, const char *sz,
                                const char *szDest, JET_PFNSTATUS pfn)
{
    status_ctx s = {pfn};
    if (!sz || !*sz)
        return BJ_ERR(JET_errInvalidParameter);
    bj_restore_params p = {.instance = instance,
                           .fLegacy = fLegacy,
                           .szTempName = "Restore",
                           .szBackupPath = sz,
                           .fPatFiles = true,
                           .szDest = szDest && *szDest ? szDest : NULL,
                           .pfnStatus = pfn ? status_adapter : NULL,
                           .ctxStatus = &s};
    return bj_restore_run(&p);
}

BJ_EXPORT JET_ERR JetRestoreInstance(JET_INSTANCE instance, JET_PCSTR sz, JET_PCSTR szDest,
                                     JET_PFNSTATUS pfn)
{
    return restore_instance(instance == JET_instanceNil ? 0 : instance, false, sz, szDest, pfn);
}
JET_ERR JetRestoreInstanceA(JET_INSTANCE instance, JET_PCSTR sz, JET_PCSTR szDest,
                            JET_PFNSTATUS pfn) BJ_ALIAS(JetRestoreInstance);

BJ_EXPORT JET_ERR JetRestore2(JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn)
{
    return restore_instance(0, true, sz, szDest, pfn);
}
JET_ERR JetRestore2A(JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn) BJ_ALIAS(JetRestore2);

BJ_EXPORT JET_ERR JetRestore(JET_PCSTR szSource, JET_PFNSTATUS pfn)
{
    return restore_instance(0, true, szSource, NULL, pfn);
}
JET_ERR JetRestoreA(JET_PCSTR szSource, JET_PFNSTATUS pfn) BJ_ALIAS(JetRestore);

/* The checks common to JetExternalRestore and JetExternalRestore2, then the restore. */
static JET_ERR external_restore(const char *szCheckpointFilePath, const char *szLogPath,
                                const JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                const char *szBackupLogPath, int32_t genLow, int32_t genHigh,
                                const char *szBaseName, JET_PFNSTATUS pfn)
{
    JET_ERR err = JET_errSuccess;
    status_ctx s = {pfn};
    bj_restore_map rgmap[BJ_RSTMAP_MAX];
    if ((rgrstmap == NULL) != (crstfilemap == 0))
        return BJ_ERR(JET_errInvalidParameter);
    if (crstfilemap < 0 || crstfilemap > BJ_RSTMAP_MAX)
        return BJ_ERR(JET_errInvalidParameter);
    if (bj_inst_mode() == BJ_MODE_ONE)
        return BJ_ERR(JET_errRunningInOneInstanceMode);
    if (!szBackupLogPath || !*szBackupLogPath || genLow < 0 || genHigh < 0 ||
        (genLow && genHigh && genLow > genHigh))
        return BJ_ERR(JET_errInvalidParameter);
    for (int32_t i = 0; i < crstfilemap; i++) {
        if (!rgrstmap[i].szDatabaseName || !*rgrstmap[i].szDatabaseName)
            return BJ_ERR(JET_errInvalidParameter);
        if (!rgrstmap[i].szNewDatabaseName || !*rgrstmap[i].szNewDatabaseName)
            return BJ_ERR(JET_errDatabaseInvalidName);
        rgmap[i] = (bj_restore_map){rgrstmap[i].szDatabaseName, rgrstmap[i].szNewDatabaseName};
    }
    bj_restore_params p = {.instance = 0,
                           .szTempName = "Restore",
                           .szBackupPath = szBackupLogPath,
                           .genLow = (uint32_t)genLow,
                           .genHigh = (uint32_t)genHigh,
                           .rgmap = rgmap,
                           .cmap = (uint32_t)crstfilemap,
                           .szLogPath = szLogPath && *szLogPath ? szLogPath : NULL,
                           .szSystemPath = szCheckpointFilePath && *szCheckpointFilePath
                                               ? szCheckpointFilePath
                                               : NULL,
                           .szBaseName = szBaseName && *szBaseName ? szBaseName : NULL,
                           .pfnStatus = pfn ? status_adapter : NULL,
                           .ctxStatus = &s};
    err = bj_restore_run(&p);
    return err;
}

BJ_EXPORT JET_ERR JetExternalRestore(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                     JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                     JET_PSTR szBackupLogPath, int32_t genLow, int32_t genHigh,
                                     JET_PFNSTATUS pfn)
{
    return external_restore(szCheckpointFilePath, szLogPath, rgrstmap, crstfilemap,
                            szBackupLogPath, genLow, genHigh, NULL, pfn);
}
JET_ERR JetExternalRestoreA(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                            JET_RSTMAP *rgrstmap, int32_t crstfilemap, JET_PSTR szBackupLogPath,
                            int32_t genLow, int32_t genHigh, JET_PFNSTATUS pfn)
    BJ_ALIAS(JetExternalRestore);

/* Whether an initialized instance is named szName. */
static bool instance_named(const char *szName, bool *pfRunning)
{
    uint32_t c = 0;
    JET_INSTANCE_INFO *rg = NULL;
    *pfRunning = false;
    if (bj_inst_get_info(&c, &rg) < 0)
        return false;
    bool f = false;
    for (uint32_t i = 0; i < c; i++)
        if (rg[i].szInstanceName && strcmp(rg[i].szInstanceName, szName) == 0)
            f = *pfRunning = true;
    bj_inst_free_buffer(rg);
    return f;
}

BJ_EXPORT JET_ERR JetExternalRestore2(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                      JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                      JET_PSTR szBackupLogPath, JET_LOGINFO *pLogInfo,
                                      JET_PSTR szTargetInstanceName,
                                      JET_PSTR szTargetInstanceLogPath,
                                      JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn)
{
    if (!pLogInfo || pLogInfo->cbSize != sizeof(JET_LOGINFO))
        return BJ_ERR(JET_errInvalidParameter);
    if ((szTargetInstanceLogPath == NULL) != (szTargetInstanceCheckpointPath == NULL))
        return BJ_ERR(JET_errInvalidParameter);
    if (szTargetInstanceName && szTargetInstanceLogPath)
        return BJ_ERR(JET_errInvalidParameter);
    if (pLogInfo->ulGenLow > 0x7fffffffu || pLogInfo->ulGenHigh > 0x7fffffffu)
        return BJ_ERR(JET_errInvalidParameter);
    char szBase[JET_BASE_NAME_LENGTH + 1];
    memcpy(szBase, pLogInfo->szBaseName, sizeof szBase);
    szBase[JET_BASE_NAME_LENGTH] = 0;
    if (szTargetInstanceName) {
        /* Rolling forward into a running target instance (ESE forces a log roll there and
         * replays its logs too) is not built: a running target is FeatureNotAvailable; a
         * named target that is not running is JET_errBadRestoreTargetInstance, as ESE. */
        bool fRunning;
        if (instance_named(szTargetInstanceName, &fRunning) && fRunning)
            return BJ_ERR(JET_errFeatureNotAvailable);
        return BJ_ERR(JET_errBadRestoreTargetInstance);
    }
    if (szTargetInstanceLogPath) {
        /* a target given by its folders and not running: the restore runs in them */
        szLogPath = szTargetInstanceLogPath;
        szCheckpointFilePath = szTargetInstanceCheckpointPath;
    }
    return external_restore(szCheckpointFilePath, szLogPath, rgrstmap, crstfilemap,
                            szBackupLogPath, (int32_t)pLogInfo->ulGenLow,
                            (int32_t)pLogInfo->ulGenHigh, szBase, pfn);
}
JET_ERR JetExternalRestore2A(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                             JET_RSTMAP *rgrstmap, int32_t crstfilemap, JET_PSTR szBackupLogPath,
                             JET_LOGINFO *pLogInfo, JET_PSTR szTargetInstanceName,
                             JET_PSTR szTargetInstanceLogPath,
                             JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn)
    BJ_ALIAS(JetExternalRestore2);

/* ---- JetInit3 / JetInit4 with a JET_RSTINFO / JET_RSTINFO2 ---- */

typedef struct init_status {
    JET_PFNSTATUS pfn;              /* JET_RSTINFO's */
    JET_PFNINITCALLBACK pfnInit;    /* JET_RSTINFO2's */
    void *pvContext;
    uint32_t pctLast;
} init_status;

static void init_notify(init_status *s, JET_SNT snt, void *pv)
{
    if (s->pfn)
        (void)s->pfn(0, JET_snpRestore, snt, pv);
    else if (s->pfnInit)
        (void)s->pfnInit(JET_snpRestore, snt, pv, s->pvContext);
}

static void init_progress(void *ctx, uint32_t gen, uint32_t genFirst, uint32_t genEnd)
{
    init_status *s = ctx;
    uint32_t pct = genEnd > genFirst
                       ? (uint32_t)((uint64_t)(gen - genFirst) * 100 / (genEnd - genFirst + 1))
                       : 0;
    if (pct > 99)
        pct = 99;
    if (gen == genFirst)
        init_notify(s, JET_sntBegin, NULL);
    if (pct > s->pctLast || gen == genFirst) {
        s->pctLast = pct;
        JET_SNPROG prog = {sizeof(JET_SNPROG), pct, 100};
        init_notify(s, JET_sntProgress, &prog);
    }
}

/* One map entry (ESE's ErrBuildRstmapForSoftRecovery): a new name is required; no source
 * name means "the database whose signature the file at the new name has". */
static JET_ERR map_entry(const char *szFrom, const char *szTo, JET_GRBIT grbit,
                         bj_redo_map *m)
{
    JET_ERR err = JET_errSuccess;
    if (!szTo || !*szTo)
        return BJ_ERR(JET_errDatabaseInvalidName);
    if (grbit & ~(JET_GRBIT)(JET_bitRestoreMapIgnoreWhenMissing |
                             JET_bitRestoreMapFailWhenMissing |
                             JET_bitRestoreMapOverwriteOnCreate))
        return BJ_ERR(JET_errInvalidGrbit);
    memset(m, 0, sizeof(*m));
    m->szTo = szTo;
    if (szFrom && *szFrom)
        m->szFrom = szFrom;
    if (!m->szFrom || (grbit & JET_bitRestoreMapFailWhenMissing)) {
        bj_dbhdr h;
        uint32_t cbPage;
        err = bj_rst_read_dbhdr(bj_os_posix(), szTo, &h, &cbPage);
        if (err < 0 && (grbit & JET_bitRestoreMapFailWhenMissing))
            return err;
        if (err >= 0 && !m->szFrom) {
            m->fBySign = true;
            m->signDb = h.signDb;
        }
        err = JET_errSuccess; /* a missing file: the entry maps nothing */
    }
    return err;
}

/* The stop of a JET_RSTINFO(2) into o. */
static JET_ERR stop_opts(const JET_LGPOS *l, const JET_LOGTIME *tm, bj_recover_opts *o)
{
    if (l->lGeneration || l->isec || l->ib) {
        if (l->lGeneration <= 0)
            return BJ_ERR(JET_errInvalidParameter);
        bj_lgpos p = {l->ib, l->isec, (uint32_t)l->lGeneration};
        o->redo.lsnStop = bj_lgpos_to_lsn(&p);
    }
    static const uint8_t zero[sizeof(JET_LOGTIME)];
    if (memcmp(tm, zero, sizeof zero) != 0) {
        _Static_assert(sizeof(JET_LOGTIME) == sizeof(bj_logtime), "LOGTIME");
        memcpy(&o->redo.tmStop, tm, sizeof(bj_logtime));
        o->redo.fTimeStop = true;
    }
    return JET_errSuccess;
}

static JET_ERR init_with(JET_INSTANCE *pinstance, JET_GRBIT grbit, bj_recover_opts *o,
                         init_status *s)
{
    if (s->pfn || s->pfnInit) {
        o->redo.pfnProgress = init_progress;
        o->redo.ctxProgress = s;
    }
    JET_ERR err = bj_inst_init_opts(pinstance, grbit, o);
    if (s->pfn || s->pfnInit)
        init_notify(s, err < 0 ? JET_sntFail : JET_sntComplete, NULL);
    return err;
}

JET_ERR bj_api_init_rstinfo(JET_INSTANCE *pinstance, const JET_RSTINFO *ri, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_redo_map rgmap[BJ_RSTMAP_MAX];
    bj_recover_opts o;
    init_status s = {ri->pfnStatus, NULL, NULL, 0};
    memset(&o, 0, sizeof o);
    if (ri->cbStruct != sizeof(JET_RSTINFO))
        return BJ_ERR(JET_errInvalidParameter);
    if (ri->crstmap < 0 || ri->crstmap > BJ_RSTMAP_MAX ||
        (ri->rgrstmap == NULL) != (ri->crstmap == 0))
        return BJ_ERR(JET_errInvalidParameter);
    for (int32_t i = 0; i < ri->crstmap; i++)
        CALL(map_entry(ri->rgrstmap[i].szDatabaseName, ri->rgrstmap[i].szNewDatabaseName, 0,
                       &rgmap[i]));
    o.redo.rgmap = rgmap;
    o.redo.cmap = (uint32_t)ri->crstmap;
    CALL(stop_opts(&ri->lgposStop, &ri->logtimeStop, &o));
    err = init_with(pinstance, grbit, &o, &s);
fail:
    return err;
}

JET_ERR bj_api_init_rstinfo2(JET_INSTANCE *pinstance, const JET_RSTINFO2 *ri, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_redo_map rgmap[BJ_RSTMAP_MAX];
    bj_recover_opts o;
    init_status s = {NULL, ri->pfnCallback, ri->pvCallbackContext, 0};
    memset(&o, 0, sizeof o);
    if (ri->cbStruct != sizeof(JET_RSTINFO2))
        return BJ_ERR(JET_errInvalidParameter);
    if (ri->crstmap < 0 || ri->crstmap > BJ_RSTMAP_MAX ||
        (ri->rgrstmap == NULL) != (ri->crstmap == 0))
        return BJ_ERR(JET_errInvalidParameter);
    for (int32_t i = 0; i < ri->crstmap; i++) {
        const JET_RSTMAP2 *m = &ri->rgrstmap[i];
        /* database parameters of a map entry are checked, not applied */
        if (m->csetdbparam > 0 && !m->rgsetdbparam)
            return BJ_ERR(JET_errInvalidParameter);
        CALL(map_entry(m->szDatabaseName, m->szNewDatabaseName, m->grbit, &rgmap[i]));
    }
    o.redo.rgmap = rgmap;
    o.redo.cmap = (uint32_t)ri->crstmap;
    CALL(stop_opts(&ri->lgposStop, &ri->logtimeStop, &o));
    err = init_with(pinstance, grbit, &o, &s);
fail:
    return err;
}
