/* tool_io.c: the bluejet tool's file and memory access, through the os layer only (no stdio on
 * a database). It is the only tool file that includes os/os.h, so the other tool files do not
 * depend on the os layer's types. Read-only: the tool never writes a database here.
 * Single-threaded; no locks.
 */
#include "os/os.h"
#include "tool_io.h"

struct bj_tool_file {
    bj_file *f;
};

JET_ERR bj_tool_file_open(const char *path, bj_tool_file **out)
{
    JET_ERR err = JET_errSuccess;
    bj_tool_file *tf = NULL;
    *out = NULL;
    tf = bj_calloc(1, sizeof(*tf));
    if (!tf)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_open(bj_os_posix(), path, BJ_OPEN_READONLY, &tf->f));
    *out = tf;
    tf = NULL;
fail:
    bj_free(tf);
    return err;
}

JET_ERR bj_tool_file_read(bj_tool_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead)
{
    return bj_file_read(f->f, off, buf, cb, pcbRead);
}

JET_ERR bj_tool_file_size(bj_tool_file *f, uint64_t *pcb)
{
    return bj_file_size(f->f, pcb);
}

void bj_tool_file_close(bj_tool_file *f)
{
    if (!f)
        return;
    bj_file_close(f->f);
    bj_free(f);
}

void *bj_tool_alloc_page(uint32_t cb)
{
    size_t cbAlloc = ((size_t)cb + 4095u) & ~(size_t)4095u;
    void *p = bj_alloc_aligned(cbAlloc ? cbAlloc : 4096u);
    if (p)
        memset(p, 0, cbAlloc ? cbAlloc : 4096u);
    return p;
}

void bj_tool_free_page(void *p)
{
    bj_free_aligned(p);
}

void *bj_tool_malloc(size_t cb)
{
    return bj_malloc(cb);
}

void *bj_tool_realloc(void *p, size_t cb)
{
    return bj_realloc(p, cb);
}

void bj_tool_free(void *p)
{
    bj_free(p);
}
