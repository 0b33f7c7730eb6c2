/* os_fault.c: a fault-injecting wrapper over any backend, for tests that fail the Nth call.
 *
 * Each call of a kind selected by the mask takes the next number from an atomic counter; the
 * call numbered fail_at (and every later one when BJ_FAULT_STICKY) returns the configured
 * error without reaching the inner backend. With BJ_FAULT_ALLOC the wrapper also installs the
 * process-wide allocation hook, so bj_malloc & co. are counted in the same sequence as the I/O
 * calls (one wrapper at a time may do so). Files opened through the wrapper wrap the inner
 * backend's files. Configuration changes happen while no other thread uses the wrapper; the
 * wrapper's own bookkeeping allocates with plain malloc so it never perturbs the count.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "os/os_priv.h"

typedef struct fault_os {
    bj_os os;
    bj_os *inner;
    uint64_t fail_at;
    JET_ERR err;
    uint32_t kinds;
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t failures;
} fault_os;

typedef struct fault_file {
    bj_file base;
    bj_file *inner;
} fault_file;

static fault_os *fo_of(bj_os *os)
{
    return (fault_os *)os->impl;
}

/* True when this call, of kind, must fail. */
static bool should_fail(fault_os *fo, uint32_t kind)
{
    if (!(fo->kinds & kind))
        return false;
    uint64_t n = atomic_fetch_add(&fo->count, 1) + 1;
    bool fail = fo->fail_at != 0 &&
                (n == fo->fail_at || ((fo->kinds & BJ_FAULT_STICKY) && n > fo->fail_at));
    if (fail)
        atomic_fetch_add(&fo->failures, 1);
    return fail;
}

/* The configured error. */
static JET_ERR fault_err(fault_os *fo)
{
    if (fo->err < 0)
        return BJ_ERR(fo->err);
    return bj_os_err_from_errno(fo->err); /* an errno value; 0 gives JET_errDiskIO */
}

static bool alloc_hook(void *ctx)
{
    return should_fail(ctx, BJ_FAULT_ALLOC);
}

#define FAULT_CHECK(fo, kind)                                                                      \
    do {                                                                                           \
        if (should_fail((fo), (kind)))                                                             \
            return fault_err(fo);                                                                  \
    } while (0)

static JET_ERR fo_open(bj_os *os, const char *path, uint32_t flags, bj_file **out)
{
    fault_os *fo = fo_of(os);
    bj_file *in = NULL;
    *out = NULL;
    FAULT_CHECK(fo, BJ_FAULT_OPEN);
    JET_ERR err = fo->inner->open(fo->inner, path, flags, &in);
    if (err < 0)
        return err;
    fault_file *ff = malloc(sizeof *ff);
    char *p = strdup(path);
    if (!ff || !p) {
        free(ff);
        free(p);
        bj_file_close(in);
        return BJ_ERR(JET_errOutOfMemory);
    }
    ff->base.os = os;
    ff->base.path = p;
    ff->inner = in;
    *out = &ff->base;
    return err;
}

static void fo_close(bj_file *f)
{
    fault_file *ff = (fault_file *)f;
    bj_file_close(ff->inner);
    free(ff->base.path);
    free(ff);
}

static JET_ERR fo_read(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead)
{
    *pcbRead = 0;
    FAULT_CHECK(fo_of(f->os), BJ_FAULT_READ);
    return bj_file_read(((fault_file *)f)->inner, off, buf, cb, pcbRead);
}

static JET_ERR fo_write(bj_file *f, uint64_t off, const void *buf, size_t cb)
{
    FAULT_CHECK(fo_of(f->os), BJ_FAULT_WRITE);
    return bj_file_write(((fault_file *)f)->inner, off, buf, cb);
}

static JET_ERR fo_sync(bj_file *f)
{
    FAULT_CHECK(fo_of(f->os), BJ_FAULT_SYNC);
    return bj_file_sync(((fault_file *)f)->inner);
}

static JET_ERR fo_size(bj_file *f, uint64_t *pcb)
{
    FAULT_CHECK(fo_of(f->os), BJ_FAULT_STAT);
    return bj_file_size(((fault_file *)f)->inner, pcb);
}

static JET_ERR fo_set_size(bj_file *f, uint64_t cb)
{
    FAULT_CHECK(fo_of(f->os), BJ_FAULT_SET_SIZE);
    return bj_file_set_size(((fault_file *)f)->inner, cb);
}

static JET_ERR fo_remove(bj_os *os, const char *path)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_DIR);
    return bj_os_remove(fo_of(os)->inner, path);
}

static JET_ERR fo_rename(bj_os *os, const char *from, const char *to)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_DIR);
    return bj_os_rename(fo_of(os)->inner, from, to);
}

static JET_ERR fo_mkdir(bj_os *os, const char *path)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_DIR);
    return bj_os_mkdir(fo_of(os)->inner, path);
}

static JET_ERR fo_rmdir(bj_os *os, const char *path)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_DIR);
    return bj_os_rmdir(fo_of(os)->inner, path);
}

static JET_ERR fo_sync_dir(bj_os *os, const char *path)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_DIR);
    return bj_os_sync_dir(fo_of(os)->inner, path);
}

static JET_ERR fo_stat(bj_os *os, const char *path, bool *exists, bool *is_dir, uint64_t *cb)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_STAT);
    return bj_os_stat(fo_of(os)->inner, path, exists, is_dir, cb);
}

static JET_ERR fo_list_dir(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx)
{
    FAULT_CHECK(fo_of(os), BJ_FAULT_STAT);
    return bj_os_list_dir(fo_of(os)->inner, path, fn, ctx);
}

bj_os *bj_os_fault_create(bj_os *inner)
{
    fault_os *fo = calloc(1, sizeof *fo);
    if (!fo) {
        fprintf(stderr, "bluejet os_fault: out of memory\n");
        abort();
    }
    fo->inner = inner;
    fo->os = (bj_os){
        .name = "fault",
        .open = fo_open,
        .close = fo_close,
        .read = fo_read,
        .write = fo_write,
        .sync = fo_sync,
        .size = fo_size,
        .set_size = fo_set_size,
        .remove = fo_remove,
        .rename = fo_rename,
        .mkdir = fo_mkdir,
        .rmdir = fo_rmdir,
        .sync_dir = fo_sync_dir,
        .stat = fo_stat,
        .list_dir = fo_list_dir,
        .impl = fo,
    };
    return &fo->os;
}

void bj_os_fault_destroy(bj_os *os)
{
    if (!os)
        return;
    fault_os *fo = fo_of(os);
    if (fo->kinds & BJ_FAULT_ALLOC)
        bj_alloc_set_hook(NULL, NULL);
    free(fo);
}

void bj_os_fault_set(bj_os *os, uint64_t fail_at, JET_ERR err, uint32_t kinds_mask)
{
    fault_os *fo = fo_of(os);
    if (fo->kinds & BJ_FAULT_ALLOC)
        bj_alloc_set_hook(NULL, NULL);
    fo->fail_at = fail_at;
    fo->err = err;
    fo->kinds = kinds_mask;
    atomic_store(&fo->count, 0);
    atomic_store(&fo->failures, 0);
    if (kinds_mask & BJ_FAULT_ALLOC)
        bj_alloc_set_hook(alloc_hook, fo);
}

uint64_t bj_os_fault_count(bj_os *os)
{
    return atomic_load(&fo_of(os)->count);
}

uint64_t bj_os_fault_failures(bj_os *os)
{
    return atomic_load(&fo_of(os)->failures);
}
