/* crash_walos.c: the power-loss trigger and WAL-rule checker wrapper (crash_walos.h). Files
 * opened through it wrap the inner backend's files; folder calls are forwarded unchanged. Lock
 * order: the wrapper's mutex is never held across a call into the inner backend.
 */
#include "crash_walos.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page/page.h"

typedef struct walos {
    bj_os os;
    bj_os *inner;
    char dbName[256];
    uint32_t cbPage;
    pthread_mutex_t lock;
    bool on;
    const _Atomic uint64_t *dbtime; /* NULL: unknown (a log write covers everything) */
    uint64_t dSynced;
    walos_stats st;
    atomic_uint_fast64_t calls;
    uint64_t lossAt, lossSeed;
    atomic_bool lost;
} walos;

typedef struct walos_file {
    bj_file base;
    bj_file *inner;
    bool isLog, isDb;
    uint64_t pending; /* log: bound on dbtimes written since the last sync */
} walos_file;

static walos *wo_of(bj_os *os)
{
    return (walos *)os->impl;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static void trace(const char *op, const char *a, const char *b, JET_ERR err);

/* The power loss and the changes are atomic with each other: a change runs under the read
 * side (and then sees the power gone, or completes before it and is rolled back by it), the
 * power loss under the write side. */
static pthread_rwlock_t g_power = PTHREAD_RWLOCK_INITIALIZER;

/* After the power loss nothing changes any more (the machine is off) until the test
 * disarms the trigger (the reboot): every call that would change a file or a folder fails. */
static bool dead(walos *wo)
{
    return atomic_load(&wo->lost);
}

/* Counts a write or sync call; fires the armed power loss on the nth. */
static void count_call(walos *wo)
{
    uint64_t n = atomic_fetch_add(&wo->calls, 1) + 1;
    if (wo->lossAt && n == wo->lossAt) {
        pthread_rwlock_wrlock(&g_power);
        trace("POWER-LOSS", NULL, NULL, 0);
        bj_os_mem_power_loss(wo->inner, wo->lossSeed);
        atomic_store(&wo->lost, true);
        pthread_rwlock_unlock(&g_power);
    }
}

static JET_ERR wo_open(bj_os *os, const char *path, uint32_t flags, bj_file **out)
{
    walos *wo = wo_of(os);
    bj_file *in = NULL;
    *out = NULL;
    pthread_rwlock_rdlock(&g_power);
    JET_ERR err = dead(wo) ? JET_errDiskIO : wo->inner->open(wo->inner, path, flags, &in);
    pthread_rwlock_unlock(&g_power);
    if (flags & BJ_OPEN_CREATE)
        trace("create", path, NULL, err);
    if (err < 0)
        return err;
    walos_file *wf = calloc(1, sizeof *wf);
    char *p = strdup(path);
    if (!wf || !p) {
        free(wf);
        free(p);
        bj_file_close(in);
        return JET_errOutOfMemory;
    }
    wf->base.os = os;
    wf->base.path = p;
    wf->inner = in;
    wf->isLog = ends_with(path, ".log");
    wf->isDb = ends_with(path, wo->dbName);
    *out = &wf->base;
    return err;
}

static void wo_close(bj_file *f)
{
    walos_file *wf = (walos_file *)f;
    bj_file_close(wf->inner);
    free(wf->base.path);
    free(wf);
}

static JET_ERR wo_read(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead)
{
    return bj_file_read(((walos_file *)f)->inner, off, buf, cb, pcbRead);
}

/* The WAL check of a database write: every whole page past the header pages. */
static void check_db_write(walos *wo, uint64_t off, const uint8_t *buf, size_t cb)
{
    uint64_t cbPage = wo->cbPage;
    uint64_t first = (off + cbPage - 1) / cbPage;
    if (first < 2)
        first = 2;
    pthread_mutex_lock(&wo->lock);
    for (uint64_t ipg = first; (ipg + 1) * cbPage <= off + cb && wo->on; ipg++) {
        const uint8_t *pg = buf + (ipg * cbPage - off);
        uint64_t d = bj_page_dbtime(pg);
        wo->st.pageWrites++;
        if (d > wo->dSynced) {
            if (!wo->st.violations)
                snprintf(wo->st.first, sizeof wo->st.first,
                         "page %" PRIu64 " written with dbtime %" PRIu64
                         " while the log was synced only up to dbtime %" PRIu64,
                         ipg - 1, d, wo->dSynced);
            wo->st.violations++;
        }
    }
    pthread_mutex_unlock(&wo->lock);
}

static JET_ERR wo_write(bj_file *f, uint64_t off, const void *buf, size_t cb)
{
    if (dead(wo_of(f->os)))
        return JET_errDiskIO;
    walos_file *wf = (walos_file *)f;
    walos *wo = wo_of(f->os);
    count_call(wo);
    uint64_t d = 0;
    if (getenv("BJ_WO_DEBUG"))
        fprintf(stderr, "write %s off %llu cb %zu isDb %d on %d\n", wf->base.path,
                (unsigned long long)off, cb, wf->isDb, wo->on);
    if (wf->isDb)
        check_db_write(wo, off, buf, cb);
    if (wf->isLog) {
        pthread_mutex_lock(&wo->lock);
        d = wo->dbtime ? atomic_load(wo->dbtime) : UINT64_MAX;
        pthread_mutex_unlock(&wo->lock);
    }
    JET_ERR err = bj_file_write(wf->inner, off, buf, cb);
    if (wf->isLog && err >= 0) {
        pthread_mutex_lock(&wo->lock);
        wo->st.logWrites++;
        if (d > wf->pending)
            wf->pending = d;
        pthread_mutex_unlock(&wo->lock);
    }
    return err;
}

static JET_ERR wo_sync(bj_file *f)
{
    if (dead(wo_of(f->os)))
        return JET_errDiskIO;
    walos_file *wf = (walos_file *)f;
    walos *wo = wo_of(f->os);
    count_call(wo);
    pthread_mutex_lock(&wo->lock);
    uint64_t pending = wf->pending; /* what was written before this sync began */
    pthread_mutex_unlock(&wo->lock);
    JET_ERR err = bj_file_sync(wf->inner);
    if (wf->isLog && err >= 0) {
        pthread_mutex_lock(&wo->lock);
        wo->st.logSyncs++;
        if (pending > wo->dSynced)
            wo->dSynced = pending;
        pthread_mutex_unlock(&wo->lock);
    }
    return err;
}

static JET_ERR wo_size(bj_file *f, uint64_t *pcb)
{
    return bj_file_size(((walos_file *)f)->inner, pcb);
}

static JET_ERR wo_set_size(bj_file *f, uint64_t cb)
{
    if (dead(wo_of(f->os)))
        return JET_errDiskIO;
    return bj_file_set_size(((walos_file *)f)->inner, cb);
}

/* A trace of folder operations (BJ_WO_TRACE): the last 200, printed by walos_trace_dump. */
#define WO_TRACE 200
static char g_trace[WO_TRACE][160];
static _Atomic uint32_t g_ntrace;
static void trace(const char *op, const char *a, const char *b, JET_ERR err)
{
    static int on = -1;
    if (on < 0)
        on = getenv("BJ_WO_TRACE") != NULL;
    if (!on)
        return;
    uint32_t i = atomic_fetch_add(&g_ntrace, 1) % WO_TRACE;
    snprintf(g_trace[i], sizeof g_trace[i], "%s %s %s -> %d", op, a ? strrchr(a, '/') ? strrchr(a, '/') + 1 : a : "",
             b ? strrchr(b, '/') ? strrchr(b, '/') + 1 : b : "", (int)err);
}

void walos_trace_note(const char *what)
{
    trace("NOTE", what, NULL, 0);
}

void walos_trace_dump(void)
{
    uint32_t n = atomic_load(&g_ntrace);
    for (uint32_t k = n > WO_TRACE ? n - WO_TRACE : 0; k < n; k++)
        fprintf(stderr, "  trace %u: %s\n", k, g_trace[k % WO_TRACE]);
}

static JET_ERR wo_remove(bj_os *os, const char *path)
{
    pthread_rwlock_rdlock(&g_power);
    JET_ERR e = dead(wo_of(os)) ? JET_errDiskIO : bj_os_remove(wo_of(os)->inner, path);
    pthread_rwlock_unlock(&g_power);
    trace("remove", path, NULL, e);
    return e;
}

static JET_ERR wo_rename(bj_os *os, const char *from, const char *to)
{
    pthread_rwlock_rdlock(&g_power);
    JET_ERR e = dead(wo_of(os)) ? JET_errDiskIO : bj_os_rename(wo_of(os)->inner, from, to);
    pthread_rwlock_unlock(&g_power);
    trace("rename", from, to, e);
    return e;
}

static JET_ERR wo_mkdir(bj_os *os, const char *path)
{
    if (dead(wo_of(os)))
        return JET_errDiskIO;
    return bj_os_mkdir(wo_of(os)->inner, path);
}

static JET_ERR wo_rmdir(bj_os *os, const char *path)
{
    if (dead(wo_of(os)))
        return JET_errDiskIO;
    return bj_os_rmdir(wo_of(os)->inner, path);
}

static JET_ERR wo_sync_dir(bj_os *os, const char *path)
{
    pthread_rwlock_rdlock(&g_power);
    JET_ERR e = dead(wo_of(os)) ? JET_errDiskIO : bj_os_sync_dir(wo_of(os)->inner, path);
    pthread_rwlock_unlock(&g_power);
    trace("sync_dir", path, NULL, e);
    return e;
}

static JET_ERR wo_stat(bj_os *os, const char *path, bool *exists, bool *is_dir, uint64_t *cb)
{
    return bj_os_stat(wo_of(os)->inner, path, exists, is_dir, cb);
}

static JET_ERR wo_list_dir(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx)
{
    return bj_os_list_dir(wo_of(os)->inner, path, fn, ctx);
}

bj_os *walos_create(bj_os *inner, const char *dbName, uint32_t cbPage)
{
    walos *wo = calloc(1, sizeof *wo);
    if (!wo)
        abort();
    wo->inner = inner;
    snprintf(wo->dbName, sizeof wo->dbName, "%s", dbName);
    wo->cbPage = cbPage;
    pthread_mutex_init(&wo->lock, NULL);
    wo->os = (bj_os){
        .name = "walos",
        .open = wo_open,
        .close = wo_close,
        .read = wo_read,
        .write = wo_write,
        .sync = wo_sync,
        .size = wo_size,
        .set_size = wo_set_size,
        .remove = wo_remove,
        .rename = wo_rename,
        .mkdir = wo_mkdir,
        .rmdir = wo_rmdir,
        .sync_dir = wo_sync_dir,
        .stat = wo_stat,
        .list_dir = wo_list_dir,
        .impl = wo,
    };
    return &wo->os;
}

void walos_destroy(bj_os *os)
{
    if (!os)
        return;
    walos *wo = wo_of(os);
    pthread_mutex_destroy(&wo->lock);
    free(wo);
}

void walos_enable(bj_os *os, const _Atomic uint64_t *dbtime)
{
    walos *wo = wo_of(os);
    pthread_mutex_lock(&wo->lock);
    wo->on = true;
    wo->dbtime = dbtime;
    if (dbtime)
        wo->dSynced = atomic_load(dbtime);
    pthread_mutex_unlock(&wo->lock);
}

void walos_forget_dbtime(bj_os *os)
{
    walos *wo = wo_of(os);
    pthread_mutex_lock(&wo->lock);
    wo->dbtime = NULL;
    pthread_mutex_unlock(&wo->lock);
}

void walos_disable(bj_os *os)
{
    walos *wo = wo_of(os);
    pthread_mutex_lock(&wo->lock);
    wo->on = false;
    wo->dbtime = NULL;
    pthread_mutex_unlock(&wo->lock);
}

void walos_get_stats(bj_os *os, walos_stats *st)
{
    walos *wo = wo_of(os);
    pthread_mutex_lock(&wo->lock);
    *st = wo->st;
    pthread_mutex_unlock(&wo->lock);
}

void walos_arm_power_loss(bj_os *os, uint64_t nth, uint64_t seed)
{
    walos *wo = wo_of(os);
    wo->lossAt = 0;
    atomic_store(&wo->calls, 0);
    atomic_store(&wo->lost, false);
    wo->lossSeed = seed;
    wo->lossAt = nth;
}

void walos_power_loss_now(bj_os *os, uint64_t seed)
{
    walos *wo = wo_of(os);
    pthread_rwlock_wrlock(&g_power);
    trace("POWER-LOSS(now)", NULL, NULL, 0);
    bj_os_mem_power_loss(wo->inner, seed);
    atomic_store(&wo->lost, true);
    pthread_rwlock_unlock(&g_power);
}

bool walos_power_lost(bj_os *os)
{
    return atomic_load(&wo_of(os)->lost);
}

uint64_t walos_calls(bj_os *os)
{
    return atomic_load(&wo_of(os)->calls);
}
