/* os_alloc.c: the engine's memory allocation (bj_malloc & co.) and its fault injection.
 *
 * Fault injection is process-wide. g_mode is MODE_OFF when off, so an allocation costs one
 * relaxed atomic load on top of malloc. When on, either a hook (installed by the fault wrapper,
 * which counts allocations in one sequence with its I/O calls) decides, or the counter here
 * does: every allocation takes the next number from g_count and the one numbered g_fail_at
 * fails (every one from g_fail_at on when sticky). The plain settings are written before the
 * release store that turns g_mode on; tests change them while the engine is idle.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "os/os_priv.h"

enum { MODE_OFF = 0, MODE_COUNTER = 1, MODE_HOOK = 2 };

static atomic_int g_mode;
static atomic_uint_fast64_t g_count;
static atomic_uint_fast64_t g_failures;
static uint64_t g_fail_at;
static bool g_sticky;
static bj_alloc_hook_fn g_hook;
static void *g_hook_ctx;

/* True when this allocation must fail. */
static bool alloc_should_fail(void)
{
    int mode = atomic_load_explicit(&g_mode, memory_order_relaxed);
    if (mode == MODE_OFF)
        return false;
    atomic_thread_fence(memory_order_acquire);
    if (mode == MODE_HOOK)
        return g_hook(g_hook_ctx);
    uint64_t n = atomic_fetch_add(&g_count, 1) + 1;
    bool fail = g_fail_at != 0 && (n == g_fail_at || (g_sticky && n > g_fail_at));
    if (fail)
        atomic_fetch_add(&g_failures, 1);
    return fail;
}

void bj_alloc_fault_set(uint64_t fail_at, bool sticky)
{
    atomic_store(&g_mode, MODE_OFF);
    atomic_store(&g_count, 0);
    atomic_store(&g_failures, 0);
    g_fail_at = fail_at;
    g_sticky = sticky;
    g_hook = NULL;
    g_hook_ctx = NULL;
    atomic_store_explicit(&g_mode, MODE_COUNTER, memory_order_release);
}

void bj_alloc_fault_clear(void)
{
    atomic_store(&g_mode, MODE_OFF);
    g_hook = NULL;
    g_hook_ctx = NULL;
}

uint64_t bj_alloc_fault_count(void)
{
    return atomic_load(&g_count);
}

uint64_t bj_alloc_fault_failures(void)
{
    return atomic_load(&g_failures);
}

void bj_alloc_set_hook(bj_alloc_hook_fn fn, void *ctx)
{
    atomic_store(&g_mode, MODE_OFF);
    g_hook = fn;
    g_hook_ctx = ctx;
    if (fn)
        atomic_store_explicit(&g_mode, MODE_HOOK, memory_order_release);
}

void *bj_malloc(size_t cb)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(cb ? cb : 1);
}

void *bj_calloc(size_t n, size_t cb)
{
    if (alloc_should_fail())
        return NULL;
    if (n == 0 || cb == 0)
        n = cb = 1;
    return calloc(n, cb);
}

void *bj_realloc(void *p, size_t cb)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(p, cb ? cb : 1);
}

void bj_free(void *p)
{
    free(p);
}

char *bj_strdup(const char *s)
{
    size_t cb = strlen(s) + 1;
    char *d = bj_malloc(cb);
    if (d)
        memcpy(d, s, cb);
    return d;
}

void *bj_alloc_aligned(size_t cb)
{
    void *p = NULL;
    if (alloc_should_fail())
        return NULL;
    if (posix_memalign(&p, 4096, cb ? cb : 1) != 0)
        return NULL;
    return p;
}

void bj_free_aligned(void *p)
{
    free(p);
}
