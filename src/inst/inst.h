/* inst.h: layer 9, instances, sessions, system parameters and handle tables.
 *
 * The API layer (src/api) resolves every JET_INSTANCE / JET_SESID through this header and calls
 * the bj_inst_* / bj_sess_* / bj_param_* functions below; later layers read their parameters
 * with bj_param_int / bj_param_str and hang their state on the fields of bj_inst and bj_sess
 * that are named for them (buffer cache, log, version store, database table, cursors).
 *
 * Entering and leaving: every call that works on a session runs between bj_sess_enter and
 * bj_sess_leave. bj_sess_enter takes a reference on the session's handle (so the session cannot
 * be freed under the call) and marks the session "in the API"; a second thread entering the same
 * session meanwhile gets JET_errSessionSharingViolation, as ESE's APICALL_SESID::FEnter does.
 * Instance calls run between bj_inst_enter and bj_inst_leave. Neither takes a global lock.
 *
 * Lock order: the process lock (instance registry, run mode, parameters; bj_inst.c) before an
 * instance's lock (its session list) before a handle table's lock.
 */
#ifndef BJ_INST_H
#define BJ_INST_H

#include <stdatomic.h>

#include "common/common.h"
#include "inst/handle.h"
#include "os/os.h"

/* ---- system parameters ---- */

#define BJ_PARAM_COUNT JET_paramMaxValueInvalid /* ids 0 .. JET_paramMaxValueInvalid-1 */

/* Our default database page size: 8 KiB (ESE's g_cbPageDefault is 4 KiB; our issue asks 8). */
#define BJ_PAGE_SIZE_DEFAULT 8192

/* One parameter's value in one scope (the process's defaults or one instance). */
typedef struct bj_param_value {
    uintptr_t v;  /* integer, boolean, grbit, pointer, block size (atomic loads by readers) */
    char *s;      /* string, folder and path parameters (owned) */
    bool written; /* set by a caller (not the default) */
} bj_param_value;

typedef struct bj_inst bj_inst;
typedef struct bj_sess bj_sess;

/* The current integer value of a parameter for inst (NULL: the process's value). Global
 * parameters always come from the process's values. */
uintptr_t bj_param_int(const bj_inst *inst, uint32_t paramid);
/* Copies the current string value of a parameter into buf (truncated to cb-1 bytes). */
void bj_param_str(const bj_inst *inst, uint32_t paramid, char *buf, size_t cb);
/* The database page size in bytes (JET_paramDatabasePageSize, process-wide). */
uint32_t bj_param_page_size(void);

/* JetSetSystemParameter: pinst NULL sets the process's value (the default for instances
 * created later); sess may be NULL. */
JET_ERR bj_param_set(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR lParam,
                     const char *sz);
/* JetGetSystemParameter: integers into *plParam, strings into sz (cbMax bytes with the NUL;
 * JET_errBufferTooSmall when it does not fit, sz untouched). */
JET_ERR bj_param_get(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR *plParam,
                     char *sz, uint32_t cbMax);

/* ---- instances ---- */

/* What later layers attach to an instance at JetInit and detach at JetTerm. Each is NULL until
 * the task that owns it wires it in bj_inst.c (inst_start_engine / inst_stop_engine). */
struct bj_buf;     /* buffer cache (src/buf) */
struct bj_ilog;    /* transaction logging (inst_log.h) */
struct bj_ver;     /* version store (src/ver) */
struct bj_dbtable; /* attached databases of the instance (attach/create/detach) */
struct bj_backup;  /* online backup context (src/backup/backup.h) */

struct bj_inst {
    JET_INSTANCE handle;
    char *name;         /* JetCreateInstance's szInstanceName (NULL: none) */
    char *display_name; /* szDisplayName, else the name */
    bj_inst *next;      /* process registry (process lock) */

    _Atomic bool initialized;      /* JetInit succeeded and JetTerm has not finished */
    _Atomic bool init_in_progress; /* JetInit running */
    _Atomic bool term_in_progress; /* JetTerm running: new calls get JET_errTermInProgress */
    _Atomic bool stop_service;     /* JetStopServiceInstance: calls get ClientRequestToStop */
    _Atomic bool restore_in_progress; /* a restore runs on it: calls get RestoreInProgress */
    JET_GRBIT stopped_grbit;       /* JET_bitStopService* in force (process lock) */
    _Atomic int32_t api_calls;     /* instance-level calls in flight (bj_inst_enter) */

    bj_mutex lock;      /* sessions list */
    bj_sess *sessions;  /* open sessions (doubly linked) */
    uint32_t nsessions;

    bj_param_value params[BJ_PARAM_COUNT]; /* per-instance values (process lock) */

    bj_os *os;                 /* file backend (bj_os_posix unless a test swaps it) */
    struct bj_buf *buf;        /* buffer cache: branch buf */
    struct bj_ilog *ilog;      /* transaction logging (inst_log.h); NULL when off */
    struct bj_ver *ver;        /* version store: src/ver */
    struct bj_dbtable *dbs;    /* database table: attach/create/detach task */
    struct bj_tempdb *tempdb;  /* the temporary database (tempdb.h), made at first use */
    struct bj_backup *backup;  /* backup context: made by JetInit, freed at JetTerm */
};

/* The process's run mode (ESE's RUNINSTMODE). */
typedef enum bj_run_mode {
    BJ_MODE_NONE = 0, /* runInstModeNoSet */
    BJ_MODE_ONE,      /* runInstModeOneInst: legacy, one implicit instance */
    BJ_MODE_MULTI,    /* runInstModeMultiInst */
} bj_run_mode;
bj_run_mode bj_inst_mode(void);

/* Tests only: instances created after this call use os as their file backend (NULL: POSIX
 * again). Not exported from the shared library. */
void bj_inst_test_set_os(bj_os *os);
/* JetCreateInstance2. */
JET_ERR bj_inst_create(JET_INSTANCE *pinstance, const char *name, const char *display_name);
/* JetInit3 with a NULL JET_RSTINFO: pinstance may be NULL (legacy mode). */
JET_ERR bj_inst_init(JET_INSTANCE *pinstance, JET_GRBIT grbit);
/* JetTerm2 (JetTerm is JetTerm2 with JET_bitTermAbrupt, as in ESE). */
JET_ERR bj_inst_term(JET_INSTANCE instance, JET_GRBIT grbit);
/* JetEnableMultiInstance. */
JET_ERR bj_inst_enable_multi(JET_SETSYSPARAM *psetsysparam, uint32_t csetsysparam,
                             uint32_t *pcsetsucceed);
/* JetStopServiceInstance2 (JET_bitStopService*); instance 0 in legacy mode = the instance. */
JET_ERR bj_inst_stop_service(JET_INSTANCE instance, JET_GRBIT grbit, bool old_style);
/* JetGetInstanceInfo: one allocation, freed with bj_inst_free_buffer. */
JET_ERR bj_inst_get_info(uint32_t *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo);
void bj_inst_free_buffer(void *p);

/* The live instance for a handle (0/Nil: the legacy instance in one-instance mode), entered
 * for an instance-level call that needs JetInit done. JET_errInvalidInstance for a stale or
 * garbage handle, JET_errInvalidParameter for 0/Nil outside legacy mode, JET_errNotInitialized,
 * JET_errTermInProgress, JET_errClientRequestToStopJetService. */
JET_ERR bj_inst_enter(JET_INSTANCE instance, bj_inst **pinst);
void bj_inst_leave(bj_inst *inst);

/* Parameter entry points resolve their instance as ESE does (mode, session, handle). */
JET_ERR bj_inst_set_param(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                          JET_API_PTR lParam, const char *sz);
JET_ERR bj_inst_get_param(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                          JET_API_PTR *plParam, char *sz, uint32_t cbMax);

/* ---- sessions ---- */

struct bj_sess {
    JET_SESID handle;
    bj_inst *inst;
    bj_sess *next, *prev; /* instance's list (instance lock) */

    _Atomic int32_t in_api;           /* 1 while a thread is inside a call on this session */
    _Atomic uintptr_t context;        /* JetSetSessionContext value (0: none; ~0: ending) */
    _Atomic uint64_t context_thread;  /* thread that set the context */

    JET_GRBIT commit_default; /* JET_sesparamCommitDefault */
    uint32_t correlation_id;  /* JET_sesparamCorrelationID */

    /* Transaction layer (src/ver): nesting depth and the thread or context that began level 0
     * (ESE's dwTrxContext; see bj_sess_trx_context). JetEndSession rolls back when > 0. */
    uint32_t trx_level;
    uint64_t trx_context;
    void *ver_state; /* the version store's per-session state */
    void *cursors;   /* open tables and cursors (JET_TABLEID task) */
    void *open_dbs;  /* databases opened by this session (JetOpenDatabase task) */
};

#define BJ_SESS_IGNORE_STOP 0x1u /* enter even after JetStopService (ESE's fIgnoreStopService) */

/* Resolves and enters a session: JET_errInvalidSesid (0, Nil, stale, garbage),
 * JET_errTermInProgress, JET_errClientRequestToStopJetService,
 * JET_errSessionSharingViolation (another thread is inside a call on it). */
JET_ERR bj_sess_enter(JET_SESID sesid, uint32_t flags, bj_sess **psess);
void bj_sess_leave(bj_sess *sess);

/* JetBeginSession on an entered instance. */
JET_ERR bj_sess_begin(bj_inst *inst, JET_SESID *psesid);
/* JetEndSession on an entered session; on success the session is gone (do not leave it). */
JET_ERR bj_sess_end(bj_sess *sess, JET_GRBIT grbit);
/* JetSetSessionContext / JetResetSessionContext on an entered session. */
JET_ERR bj_sess_set_context(bj_sess *sess, JET_API_PTR context);
JET_ERR bj_sess_reset_context(bj_sess *sess);
/* The value a transaction's level 0 records as its owner: the session context when one is set
 * by this thread, else this thread's id (ESE's PIBSetTrxContext). */
uint64_t bj_sess_trx_context(const bj_sess *sess);
/* True when the calling thread may continue the session's open transaction
 * (ESE's FPIBCheckTrxContext); false means JET_errSessionSharingViolation. */
bool bj_sess_check_trx_context(const bj_sess *sess);
/* JetSetSessionParameter / JetGetSessionParameter on an entered session. */
JET_ERR bj_sess_set_param(bj_sess *sess, uint32_t id, const void *pv, uint32_t cb);
JET_ERR bj_sess_get_param(bj_sess *sess, uint32_t id, void *pv, uint32_t cbMax,
                          uint32_t *pcbActual);
/* A number naming the calling thread (never 0). */
uint64_t bj_thread_self_id(void);

/* The session handle table (JET_TABLEID uses the same mechanism with BJ_HKIND_TABLE). */
extern bj_handle_table bj_sess_handles;

#endif /* BJ_INST_H */
