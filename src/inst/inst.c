/* inst.c: instances and the process's run mode (JetCreateInstance, JetInit, JetTerm,
 * JetEnableMultiInstance, JetStopServiceInstance, JetGetInstanceInfo, parameter routing).
 *
 * Run-mode rules, as ESE's jetapi.cxx has them (line numbers of HEAD in the local mirror):
 *
 *   call                                  | no mode yet         | one-instance (legacy) | multi-instance
 *   --------------------------------------+---------------------+-----------------------+----------------------------
 *   JetCreateInstance(2)  (21895-21950)   | -> multi, creates   | RunningInOneInstMode  | creates (TooManyInstances,
 *                                         |                     |   (-1080)             |   InstanceNameInUse)
 *   JetEnableMultiInstance (21135-21318)  | sets params -> multi| RunningInOneInstMode  | compare: SystemParamsAlreadySet
 *                                         |                     |                       |   or SystemParameterConflict
 *   JetInit(NULL) (21354-21420)           | -> legacy, creates  | AlreadyInitialized    | RunningInMultiInstanceMode
 *                                         |   + inits           |   (if one exists)     |   (-1081)
 *   JetInit(&0 or &Nil)                   | -> legacy, creates  | AlreadyInitialized    | creates + inits a new one
 *   JetInit(&inst)                        | -> legacy, creates  | creates a new one     | inits inst (AlreadyInitialized
 *                                         |   (value ignored)   |   (value ignored)     |   when done already)
 *   JetTerm / BeginSession(0 or Nil)      | InvalidParameter    | the legacy instance   | InvalidParameter
 *     (ErrFindPinst 3811-3860)            |                     |                       |
 *   JetSetSystemParameter(NULL,..)        | process value       | instance value for a  | process value (default of
 *     (20437-20535)                       |                     |   per-instance param  |   instances created later)
 *   JetStopService/JetStopBackup/JetRestore (ErrRUNINSTCheckOneInstMode 2970-2995)
 *                                         | InvalidParameter    | the legacy instance   | RunningInMultiInstanceMode
 *
 * The mode is left (back to "no mode") when the last instance is freed (FreePinst 3740-3782),
 * or when creating the first instance fails (ErrNewInst 3700-3717). JetEnableMultiInstance with
 * no instance created leaves the process in multi-instance mode. A non-null handle that is not
 * a live instance is JET_errInvalidInstance (JET_VALIDATE_INSTANCE, 5264); JetInit that fails
 * frees the instance (even one made by JetCreateInstance) except on AlreadyInitialized; JetTerm
 * of a created but never initialised instance frees it; JetTerm is JetTerm2(JET_bitTermAbrupt).
 *
 * Lock order: bj_inst_process_lock, then an instance's lock, then handle-table locks.
 */
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "backup/backup.h"
#include "buf/buf.h"
#include "inst/db.h"
#include "inst/inst_log.h"
#include "inst/inst_recover.h"
#include "inst/tempdb.h"
#include "page/page.h"
#include "ver/ver.h"

/* Frames of the instance's cache when JET_paramCacheSizeMax was left at its default. */
#define BJ_CACHE_FRAMES_DEFAULT_MAX 4096u
#include "inst/inst_priv.h"

/* Tests only: the file backend of instances created from now on (NULL: POSIX). */
static bj_os *g_test_os;
void bj_inst_test_set_os(bj_os *os)
{
    g_test_os = os;
}

bj_mutex bj_inst_process_lock = PTHREAD_MUTEX_INITIALIZER;

static bj_handle_table inst_handles = BJ_HANDLE_TABLE_INIT(BJ_HKIND_INSTANCE);

/* Process state (process lock). */
static _Atomic int run_mode = BJ_MODE_NONE;
static uint32_t ninst;      /* instances allocated (ESE's g_cpinstInit) */
static uint32_t max_inst;   /* limit for the current mode (ESE's g_cpinstMax) */
static bj_inst *inst_list;  /* every allocated instance */

bj_run_mode bj_inst_mode(void)
{
    return (bj_run_mode)atomic_load(&run_mode);
}

static void set_mode(bj_run_mode m)
{
    atomic_store(&run_mode, (int)m);
    if (m == BJ_MODE_ONE)
        max_inst = 1;
    else if (m == BJ_MODE_MULTI)
        max_inst = (uint32_t)bj_param_process_values()[JET_paramMaxInstances].v;
    else
        max_inst = 0;
}

static void sleep_briefly(void)
{
    struct timespec ts = {0, 1000 * 1000}; /* 1 ms */
    nanosleep(&ts, NULL);
}

/* ---- the engine below the instance: started at JetInit, stopped at JetTerm ----
 * The buffer cache (inst->buf), the log and recovery (inst->ilog), the version store
 * (inst->ver) and the database table (inst->dbs) are started here by the tasks that build
 * them. Today an instance has none of them: JetInit only prepares the folders. */
static JET_ERR inst_start_engine(bj_inst *inst, JET_GRBIT grbit, bj_recover_opts *opts)
{
    JET_ERR err = JET_errSuccess;
    /* one buffer cache for every database of the instance: JET_paramCacheSizeMax pages (its
     * default, 2e9, is capped to BJ_CACHE_FRAMES_DEFAULT_MAX; a value set by the caller is
     * honoured) */
    {
        uintptr_t cFrames = bj_param_int(inst, JET_paramCacheSizeMax);
        bj_mutex_lock(&bj_inst_process_lock);
        const bool fWritten = bj_param_is_global(JET_paramCacheSizeMax)
                                  ? bj_param_process_values()[JET_paramCacheSizeMax].written
                                  : inst->params[JET_paramCacheSizeMax].written;
        bj_mutex_unlock(&bj_inst_process_lock);
        if (!fWritten)
            cFrames = BJ_MIN(cFrames, BJ_CACHE_FRAMES_DEFAULT_MAX);
        cFrames = BJ_MIN(BJ_MAX(cFrames, 16u), (uintptr_t)1 << 24);
        bj_buf_config cfg = {.cbPage = bj_param_page_size(),
                             .cFrames = (uint32_t)cFrames,
                             .verify = bj_page_verify,
                             .seal = bj_page_seal,
                             .log_flush = bj_ilog_buf_flush,
                             .log_ctx = inst};
        CALL(bj_buf_open(&cfg, &inst->buf));
        bj_ver_config vcfg = {0};
        const uint32_t cbBucket = bj_ver_bucket_size(
            (uint32_t)bj_param_int(inst, JET_paramVerPageSize), bj_param_page_size());
        vcfg.cbMax = (uint64_t)bj_param_int(inst, JET_paramMaxVerPages) * cbBucket;
        bj_ilog_ver_hooks(inst, &vcfg);
        CALL(bj_ver_init(&vcfg, &inst->ver));
        CALL(bj_ver_start_cleanup_thread(inst->ver));
    }
    if (bj_param_int(inst, JET_paramCreatePathIfNotExist)) {
        char path[BJ_PATH_MAX], dir[BJ_PATH_MAX];
        bj_param_str(inst, JET_paramSystemPath, path, sizeof path);
        CALL(bj_path_ensure_dir(inst->os, path, true));
        bj_param_str(inst, JET_paramLogFilePath, path, sizeof path);
        CALL(bj_path_ensure_dir(inst->os, path, true));
        bj_param_str(inst, JET_paramTempPath, path, sizeof path);
        if (strchr(path, '/')) {
            size_t n = strlen(path);
            if (n && path[n - 1] == '/')
                CALL(bj_path_ensure_dir(inst->os, path, true));
            else {
                CALL(bj_path_dir(dir, sizeof dir, path));
                CALL(bj_path_ensure_dir(inst->os, dir, true));
            }
        }
    }
    /* the log: crash recovery from it (if any), then normal logging */
    if (bj_ilog_enabled(inst)) {
        CALL(bj_inst_recover(inst, opts));
        if (!opts || !opts->fRecoverOnly)
            CALL(bj_ilog_begin_normal(inst));
    } else if (opts && opts->fRecoverOnly) {
        ERR(JET_errLoggingDisabled); /* a restore needs the log */
    }
fail:
    if (err < 0) {
        bj_ilog_stop_checkpoints(inst);
        bj_db_term(inst, false);
        bj_ilog_close(inst, false);
        if (inst->ver)
            bj_ver_term(inst->ver);
        inst->ver = NULL;
        bj_buf_close(inst->buf);
        inst->buf = NULL;
    }
    return err;
}

static JET_ERR inst_stop_engine(bj_inst *inst, JET_GRBIT grbit)
{
    /* databases flushed and detached (or dropped: JET_bitTermDirty), the log stopped, the
     * version store and the buffer cache freed */
    if (inst->ver) {
        /* every session is gone: nothing can see old versions any more */
        bj_ver_stop_cleanup_thread(inst->ver);
        bj_ver_cleanup(inst->ver);
    }
    bj_bk_free(inst->backup); /* a backup still running ends, aborted by the server */
    inst->backup = NULL;
    bj_ilog_stop_checkpoints(inst);
    bj_tempdb_term(inst); /* the temporary database: deleted */
    const bool fDirty = (grbit & JET_bitTermDirty) != 0;
    bj_db_term(inst, fDirty); /* attached databases: flushed and closed (unless dirty) */
    bj_ilog_close(inst, !fDirty); /* TERM and the checkpoint at the end (unless dirty) */
    if (inst->ver) /* the databases are gone: cleanup left over (I/O errors) is dropped */
        bj_ver_term_discard(inst->ver);
    inst->ver = NULL;
    bj_buf_close(inst->buf);
    inst->buf = NULL;
    return JET_errSuccess;
}

/* ---- allocation ---- */

static void inst_destroy(bj_inst *inst)
{
    if (!inst)
        return;
    bj_param_free(inst->params);
    bj_mutex_destroy(&inst->lock);
    bj_free(inst->name);
    bj_free(inst->display_name);
    bj_free(inst);
}

static bool same_name(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcmp(a, b) == 0;
}

/* ESE's ErrNewInst: process lock held, mode already set. */
static JET_ERR inst_new(const char *name, const char *display, bj_inst **pinst)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    if (ninst >= max_inst)
        ERR(JET_errTooManyInstances);
    for (bj_inst *p = inst_list; p; p = p->next)
        if (same_name(p->name, name))
            ERR(JET_errInstanceNameInUse);
    inst = bj_calloc(1, sizeof *inst);
    if (!inst)
        ERR(JET_errOutOfMemory);
    bj_mutex_init(&inst->lock);
    inst->os = g_test_os ? g_test_os : bj_os_posix();
    if (name && !(inst->name = bj_strdup(name)))
        ERR(JET_errOutOfMemory);
    if ((display || name) && !(inst->display_name = bj_strdup(display ? display : name)))
        ERR(JET_errOutOfMemory);
    CALL(bj_param_clone(inst->params, bj_param_process_values()));
    CALL(bj_handle_alloc(&inst_handles, inst, &inst->handle));
    inst->next = inst_list;
    inst_list = inst;
    ninst++;
    *pinst = inst;
    inst = NULL;
fail:
    if (inst) {
        /* params are zeroed by calloc or freed by a failed clone */
        inst_destroy(inst);
    }
    if (err < 0 && ninst == 0)
        set_mode(BJ_MODE_NONE);
    return err;
}

/* ESE's FreePinst: unlinks and frees; the last one returns the process to "no mode".
 * own_refs: handle references the caller holds. Process lock held. */
static void inst_free(bj_inst *inst, uint32_t own_refs)
{
    for (bj_inst **pp = &inst_list; *pp; pp = &(*pp)->next) {
        if (*pp == inst) {
            *pp = inst->next;
            break;
        }
    }
    bj_handle_retire(&inst_handles, inst->handle, own_refs);
    inst_destroy(inst);
    if (--ninst == 0)
        set_mode(BJ_MODE_NONE);
}

/* ESE's ErrFindPinst with JET_VALIDATE_INSTANCE in front: takes a handle reference. Lock held. */
static JET_ERR inst_find(JET_INSTANCE instance, bj_inst **pinst)
{
    bool nil = instance == 0 || instance == JET_instanceNil;
    if (!nil) {
        bj_inst *inst = bj_handle_acquire(&inst_handles, instance);
        if (!inst)
            return BJ_ERR(JET_errInvalidInstance);
        if (bj_inst_mode() == BJ_MODE_ONE || bj_inst_mode() == BJ_MODE_MULTI) {
            *pinst = inst;
            return JET_errSuccess;
        }
        bj_handle_release(&inst_handles, instance);
        return BJ_ERR(JET_errInvalidParameter);
    }
    if (bj_inst_mode() == BJ_MODE_ONE && inst_list) {
        if (!bj_handle_acquire(&inst_handles, inst_list->handle))
            return BJ_ERR(JET_errInvalidParameter);
        *pinst = inst_list;
        return JET_errSuccess;
    }
    return BJ_ERR(JET_errInvalidParameter);
}

/* ---- public entry points ---- */

JET_ERR bj_inst_create(JET_INSTANCE *pinstance, const char *name, const char *display_name)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    if (!pinstance)
        return BJ_ERR(JET_errInvalidParameter);
    *pinstance = JET_instanceNil;
    bj_mutex_lock(&bj_inst_process_lock);
    bj_param_process_values();
    if (bj_inst_mode() == BJ_MODE_ONE)
        ERR(JET_errRunningInOneInstanceMode);
    if (bj_inst_mode() == BJ_MODE_NONE)
        set_mode(BJ_MODE_MULTI);
    CALL(inst_new(name, display_name, &inst));
    *pinstance = inst->handle;
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

JET_ERR bj_inst_init(JET_INSTANCE *pinstance, JET_GRBIT grbit)
{
    return bj_inst_init_opts(pinstance, grbit, NULL);
}

JET_ERR bj_inst_init_opts(JET_INSTANCE *pinstance, JET_GRBIT grbit, bj_recover_opts *opts)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bool allocate = !pinstance || *pinstance == 0 || *pinstance == JET_instanceNil;
    bool created = false, holds_ref = false;

    if (allocate && pinstance)
        *pinstance = JET_instanceNil;
    bj_mutex_lock(&bj_inst_process_lock);
    bj_param_process_values();
    if (bj_inst_mode() == BJ_MODE_MULTI && !pinstance)
        ERR(JET_errRunningInMultiInstanceMode);
    if (bj_inst_mode() == BJ_MODE_ONE && ninst != 0)
        ERR(JET_errAlreadyInitialized);
    if (bj_inst_mode() == BJ_MODE_NONE)
        set_mode(BJ_MODE_ONE);
    if (allocate || bj_inst_mode() == BJ_MODE_ONE) {
        allocate = true;
        CALL(inst_new(NULL, NULL, &inst));
        created = true;
    } else {
        CALL(inst_find(*pinstance, &inst));
        holds_ref = true;
    }
    if (atomic_load(&inst->restore_in_progress))
        ERR(JET_errRestoreInProgress);
    if (atomic_load(&inst->initialized))
        ERR(JET_errAlreadyInitialized);
    if (atomic_load(&inst->init_in_progress))
        ERR(JET_errInitInProgress);
    if (atomic_load(&inst->term_in_progress))
        ERR(JET_errTermInProgress);
    atomic_store(&inst->init_in_progress, true);
    bj_mutex_unlock(&bj_inst_process_lock);

    err = inst_start_engine(inst, grbit, opts);
    if (err >= 0) {
        err = bj_bk_new(inst, &inst->backup);
        if (err < 0)
            inst_stop_engine(inst, JET_bitTermAbrupt);
    }

    bj_mutex_lock(&bj_inst_process_lock);
    atomic_store(&inst->init_in_progress, false);
    if (err >= 0) {
        atomic_store(&inst->initialized, true);
        if (allocate && pinstance)
            *pinstance = inst->handle;
    } else {
        /* ESE frees an instance whose JetInit failed, also one made by JetCreateInstance. */
        inst_free(inst, holds_ref ? 1 : 0);
        holds_ref = false;
        inst = NULL;
        if (pinstance)
            *pinstance = 0;
    }
fail:
    if (err < 0 && created && inst) {
        inst_free(inst, 0);
        inst = NULL;
    }
    if (holds_ref && inst)
        bj_handle_release(&inst_handles, inst->handle);
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

JET_ERR bj_inst_term(JET_INSTANCE instance, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bj_mutex_lock(&bj_inst_process_lock);
    CALL(inst_find(instance, &inst));
    if (atomic_load(&inst->restore_in_progress)) {
        bj_handle_release(&inst_handles, inst->handle);
        ERR(JET_errRestoreInProgress);
    }
    if (atomic_load(&inst->init_in_progress)) {
        bj_handle_release(&inst_handles, inst->handle);
        ERR(JET_errInitInProgress);
    }
    if (atomic_load(&inst->term_in_progress)) {
        bj_handle_release(&inst_handles, inst->handle);
        ERR(JET_errTermInProgress);
    }
    if (!atomic_load(&inst->initialized)) {
        /* Created but never initialised: just freed (ESE's ErrTermComplete). */
        inst_free(inst, 1);
        goto fail;
    }
    atomic_store(&inst->term_in_progress, true);
    bj_mutex_unlock(&bj_inst_process_lock);

    /* Wait for the calls in flight, as ESE waits for m_cInJetAPI of every session. */
    for (;;) {
        int32_t in_api;
        bool trx;
        bj_sess_activity(inst, &in_api, &trx);
        if (in_api == 0 && atomic_load(&inst->api_calls) == 0)
            break;
        sleep_briefly();
    }
    /* ESE's ErrINSTTerm: open transactions fail a clean or abrupt term. */
    int32_t in_api;
    bool trx;
    bj_sess_activity(inst, &in_api, &trx);
    /* ESE's JetTermEx: Abrupt or StopBackup end a running backup (as aborted by the server);
     * a clean term with a backup running fails */
    if (grbit & (JET_bitTermStopBackup | JET_bitTermAbrupt))
        bj_bk_abort(inst->backup);
    else if (bj_bk_active(inst->backup)) {
        atomic_store(&inst->term_in_progress, false);
        bj_mutex_lock(&bj_inst_process_lock);
        bj_handle_release(&inst_handles, inst->handle);
        ERR(JET_errBackupInProgress);
    }
    if (trx && !(grbit & JET_bitTermDirty)) {
        atomic_store(&inst->term_in_progress, false);
        bj_mutex_lock(&bj_inst_process_lock);
        bj_handle_release(&inst_handles, inst->handle);
        ERR(JET_errTooManyActiveUsers);
    }
    bj_sess_end_all(inst, (grbit & JET_bitTermDirty) != 0);
    err = inst_stop_engine(inst, grbit);
    if (err >= 0 && (grbit & JET_bitTermDirty))
        err = BJ_ERR(JET_errDirtyShutdown);

    bj_mutex_lock(&bj_inst_process_lock);
    atomic_store(&inst->initialized, false);
    inst_free(inst, 1);
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

/* ---- restore ---- */

JET_ERR bj_inst_restore(JET_INSTANCE instance, bool fLegacy, const char *szTempName,
                        bj_inst_restore_fn fn, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bool fTemp = instance == 0 || instance == JET_instanceNil;
    bool fRef = false;
    char szName[64];
    bj_mutex_lock(&bj_inst_process_lock);
    bj_param_process_values();
    if (fLegacy) { /* ESE's ErrRUNINSTCheckAndSetOneInstMode, then the legacy instance */
        if (bj_inst_mode() == BJ_MODE_MULTI)
            ERR(JET_errRunningInMultiInstanceMode);
        if (bj_inst_mode() == BJ_MODE_NONE)
            set_mode(BJ_MODE_ONE);
        fTemp = inst_list == NULL;
        instance = fTemp ? 0 : inst_list->handle;
    }
    if (fTemp) {
        if (bj_inst_mode() == BJ_MODE_NONE)
            set_mode(BJ_MODE_MULTI);
        /* a unique name: "Restore" then "Restore0001".. when taken */
        snprintf(szName, sizeof szName, "%s", szTempName);
        for (uint32_t i = 1; i < 10000; i++) {
            bool fTaken = false;
            for (bj_inst *p = inst_list; p; p = p->next)
                fTaken |= same_name(p->name, szName);
            if (!fTaken)
                break;
            snprintf(szName, sizeof szName, "%.40s%04u", szTempName, (unsigned)i);
        }
        CALL(inst_new(szName, NULL, &inst));
    } else {
        CALL(inst_find(instance, &inst));
        fRef = true;
    }
    if (atomic_load(&inst->restore_in_progress))
        ERR(JET_errRestoreInProgress);
    if (atomic_load(&inst->initialized) || atomic_load(&inst->init_in_progress))
        ERR(JET_errAlreadyInitialized);
    if (atomic_load(&inst->term_in_progress))
        ERR(JET_errTermInProgress);
    atomic_store(&inst->restore_in_progress, true);
    bj_mutex_unlock(&bj_inst_process_lock);

    err = fn(inst, ctx);

    bj_mutex_lock(&bj_inst_process_lock);
    atomic_store(&inst->restore_in_progress, false);
fail:
    if (fLegacy && !inst && ninst == 0)
        set_mode(BJ_MODE_NONE); /* as ESE: nothing was made, no mode is left set */
    if (inst && fTemp)
        inst_free(inst, 0);
    else if (inst && fRef)
        bj_handle_release(&inst_handles, inst->handle);
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

bool bj_inst_log_path_in_use(const bj_inst *self, const char *szLogPath)
{
    char a[BJ_PATH_MAX], b[BJ_PATH_MAX], sz[BJ_PATH_MAX];
    bool f = false;
    if (bj_path_absolute(a, sizeof a, szLogPath) < 0)
        return false;
    bj_mutex_lock(&bj_inst_process_lock);
    for (bj_inst *p = inst_list; p && !f; p = p->next) {
        if (p == self || !(atomic_load(&p->initialized) || atomic_load(&p->init_in_progress)))
            continue;
        /* a per-instance parameter: read in place (bj_param_str takes this lock) */
        const char *v = p->params[JET_paramLogFilePath].s;
        snprintf(sz, sizeof sz, "%s", v ? v : "");
        f = bj_path_absolute(b, sizeof b, sz) >= 0 && strcmp(a, b) == 0;
    }
    bj_mutex_unlock(&bj_inst_process_lock);
    return f;
}

JET_ERR bj_inst_recover_offline(bj_inst *inst, bj_recover_opts *opts)
{
    JET_ERR err = JET_errSuccess;
    opts->fRecoverOnly = true;
    CALL(inst_start_engine(inst, 0, opts));
    /* the databases are detached clean; the log ends with TERM and a checkpoint after it */
    CALL(inst_stop_engine(inst, 0));
fail:
    return err;
}

JET_ERR bj_inst_enable_multi(JET_SETSYSPARAM *psp, uint32_t csp, uint32_t *pcsucceed)
{
    JET_ERR err = JET_errSuccess;
    uint32_t csucceed = 0;
    bj_mutex_lock(&bj_inst_process_lock);
    bj_param_process_values();
    if (csp && !psp)
        ERR(JET_errInvalidParameter);
    if (bj_inst_mode() == BJ_MODE_ONE)
        ERR(JET_errRunningInOneInstanceMode);
    if (bj_inst_mode() == BJ_MODE_MULTI)
        CALL(bj_param_compare(psp, csp, &csucceed));
    for (uint32_t i = 0; i < csp; i++) {
        psp[i].err = bj_param_set_locked(NULL, NULL, psp[i].paramid, psp[i].lParam, psp[i].sz);
        CALL(psp[i].err);
        csucceed++;
    }
    set_mode(BJ_MODE_MULTI);
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    if (pcsucceed)
        *pcsucceed = csucceed;
    return err;
}

JET_ERR bj_inst_stop_service(JET_INSTANCE instance, JET_GRBIT grbit, bool old_style)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    const JET_GRBIT resumable = JET_bitStopServiceBackgroundUserTasks |
                                JET_bitStopServiceQuiesceCaches;
    const JET_GRBIT valid = resumable | JET_bitStopServiceStopAndEmitLog |
                            JET_bitStopServiceResume;
    bj_mutex_lock(&bj_inst_process_lock);
    CALL(inst_find(instance, &inst));
    if (old_style) {
        atomic_store(&inst->stop_service, true);
        inst->stopped_grbit |= resumable;
        goto fail;
    }
    if (grbit & ~valid)
        ERR(JET_errInvalidGrbit);
    if (grbit & JET_bitStopServiceResume) {
        JET_GRBIT g = grbit & ~JET_bitStopServiceResume;
        if (!g)
            g = inst->stopped_grbit;
        if (g & (JET_bitStopServiceStopAndEmitLog))
            ERR(JET_errInvalidGrbit);
        if (atomic_load(&inst->stop_service))
            ERR(JET_errClientRequestToStopJetService); /* a full stop cannot be resumed */
        inst->stopped_grbit &= ~(g & resumable);
    } else if (grbit & JET_bitStopServiceStopAndEmitLog) {
        if (grbit != JET_bitStopServiceStopAndEmitLog)
            ERR(JET_errInvalidGrbit);
        /* Rolls a log file once the log exists (issue 3); nothing to emit before that. */
    } else {
        /* Background tasks and cache quiescing have nothing to pause yet: the flags record
         * the request for the tasks that will honour them. */
        inst->stopped_grbit |= grbit ? grbit : resumable;
        if (grbit == JET_bitStopServiceAll)
            atomic_store(&inst->stop_service, true);
    }
fail:
    if (inst)
        bj_handle_release(&inst_handles, inst->handle);
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

JET_ERR bj_inst_get_info(uint32_t *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo)
{
    JET_ERR err = JET_errSuccess;
    if (!pcInstanceInfo || !paInstanceInfo)
        return BJ_ERR(JET_errInvalidParameter);
    bj_mutex_lock(&bj_inst_process_lock);
    uint32_t n = 0;
    size_t cb_names = 0;
    for (bj_inst *p = inst_list; p; p = p->next) {
        n++;
        if (p->name)
            cb_names += strlen(p->name) + 1;
    }
    *pcInstanceInfo = 0;
    *paInstanceInfo = NULL;
    if (n == 0)
        goto fail;
    /* One block: the array, then the names (databases: added by the database task). */
    JET_INSTANCE_INFO *a = bj_calloc(1, n * sizeof(JET_INSTANCE_INFO) + cb_names);
    if (!a)
        ERR(JET_errOutOfMemory);
    char *names = (char *)(a + n);
    uint32_t i = 0;
    for (bj_inst *p = inst_list; p; p = p->next, i++) {
        a[i].hInstanceId = p->handle;
        if (p->name) {
            size_t len = strlen(p->name) + 1;
            memcpy(names, p->name, len);
            a[i].szInstanceName = names;
            names += len;
        }
        a[i].cDatabases = 0;
    }
    *pcInstanceInfo = n;
    *paInstanceInfo = a;
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

void bj_inst_free_buffer(void *p)
{
    bj_free(p);
}

JET_ERR bj_inst_enter(JET_INSTANCE instance, bj_inst **pinst)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    if (instance == 0 || instance == JET_instanceNil) {
        bj_mutex_lock(&bj_inst_process_lock);
        err = inst_find(instance, &inst);
        bj_mutex_unlock(&bj_inst_process_lock);
        CALL(err);
    } else {
        /* The hot path: no process lock. */
        inst = bj_handle_acquire(&inst_handles, instance);
        if (!inst)
            ERR(JET_errInvalidInstance);
    }
    atomic_fetch_add(&inst->api_calls, 1);
    if (atomic_load(&inst->stop_service))
        err = BJ_ERR(JET_errClientRequestToStopJetService);
    else if (atomic_load(&inst->term_in_progress))
        err = BJ_ERR(JET_errTermInProgress);
    else if (atomic_load(&inst->restore_in_progress))
        err = BJ_ERR(JET_errRestoreInProgress);
    else if (!atomic_load(&inst->initialized))
        err = BJ_ERR(atomic_load(&inst->init_in_progress) ? JET_errInitInProgress
                                                           : JET_errNotInitialized);
    if (err < 0) {
        atomic_fetch_sub(&inst->api_calls, 1);
        bj_handle_release(&inst_handles, inst->handle);
        goto fail;
    }
    *pinst = inst;
fail:
    return err;
}

void bj_inst_leave(bj_inst *inst)
{
    JET_INSTANCE h = inst->handle;
    atomic_fetch_sub(&inst->api_calls, 1);
    bj_handle_release(&inst_handles, h);
}

/* Which instance a parameter call addresses (ESE's JetSetSystemParameterEx 20437-20535):
 * returns a referenced instance or NULL for the process's values. Process lock held. */
static JET_ERR param_target(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                            bj_inst **pinst, bj_sess **psess)
{
    *pinst = NULL;
    *psess = NULL;
    if (bj_inst_mode() == BJ_MODE_ONE) {
        if (!bj_param_is_global(paramid) && inst_list) {
            if (bj_handle_acquire(&inst_handles, inst_list->handle))
                *pinst = inst_list;
        }
    } else if (bj_inst_mode() == BJ_MODE_MULTI) {
        if (sesid && sesid != JET_sesidNil) {
            bj_sess *s = bj_handle_acquire(&bj_sess_handles, sesid);
            if (!s)
                return BJ_ERR(JET_errInvalidSesid);
            if (!bj_handle_acquire(&inst_handles, s->inst->handle)) {
                bj_handle_release(&bj_sess_handles, sesid);
                return BJ_ERR(JET_errInvalidSesid);
            }
            *pinst = s->inst;
            *psess = s;
        } else if (instance && instance != JET_instanceNil) {
            bj_inst *inst = bj_handle_acquire(&inst_handles, instance);
            if (!inst)
                return BJ_ERR(JET_errInvalidInstance);
            *pinst = inst;
        }
    }
    if (*pinst) {
        if (atomic_load(&(*pinst)->term_in_progress) || atomic_load(&(*pinst)->init_in_progress)) {
            JET_ERR e = atomic_load(&(*pinst)->term_in_progress) ? JET_errTermInProgress
                                                                  : JET_errInitInProgress;
            bj_handle_release(&inst_handles, (*pinst)->handle);
            if (*psess)
                bj_handle_release(&bj_sess_handles, (*psess)->handle);
            *pinst = NULL;
            *psess = NULL;
            return BJ_ERR(e);
        }
    }
    return JET_errSuccess;
}

static void param_untarget(bj_inst *inst, bj_sess *sess)
{
    if (sess)
        bj_handle_release(&bj_sess_handles, sess->handle);
    if (inst)
        bj_handle_release(&inst_handles, inst->handle);
}

JET_ERR bj_inst_set_param(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                          JET_API_PTR lParam, const char *sz)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bj_sess *sess = NULL;
    bj_mutex_lock(&bj_inst_process_lock);
    CALL(param_target(pinstance ? *pinstance : 0, sesid, paramid, &inst, &sess));
    err = bj_param_set_locked(inst, sess, paramid, lParam, sz);
    param_untarget(inst, sess);
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

JET_ERR bj_inst_get_param(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                          JET_API_PTR *plParam, char *sz, uint32_t cbMax)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bj_sess *sess = NULL;
    bj_mutex_lock(&bj_inst_process_lock);
    CALL(param_target(instance, sesid, paramid, &inst, &sess));
    err = bj_param_get_locked(inst, sess, paramid, plParam, sz, cbMax);
    param_untarget(inst, sess);
fail:
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}
