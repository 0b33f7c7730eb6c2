/* tool_io.h: the bluejet tool's file and memory access (tool_io.c), a thin read-only wrapper
 * over the os layer. Kept apart from tool_db.h so that tool_io.c, the only tool file that
 * includes os/os.h, needs no page-layer header. Single-threaded; no locks.
 */
#ifndef BJ_TOOL_IO_H
#define BJ_TOOL_IO_H

#include "tool.h"

typedef struct bj_tool_file bj_tool_file;
/* Opens path read-only through the os layer's POSIX backend. */
JET_ERR bj_tool_file_open(const char *path, bj_tool_file **out);
/* Reads up to cb bytes at off; *pcbRead = bytes read (short at end of file). */
JET_ERR bj_tool_file_read(bj_tool_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead);
JET_ERR bj_tool_file_size(bj_tool_file *f, uint64_t *pcb);
void bj_tool_file_close(bj_tool_file *f);
/* Page buffers (aligned; size rounded up to 4 KiB) and plain memory, from the os layer. */
void *bj_tool_alloc_page(uint32_t cb);
void bj_tool_free_page(void *p);
void *bj_tool_malloc(size_t cb);
void *bj_tool_realloc(void *p, size_t cb);
void bj_tool_free(void *p);

#endif /* BJ_TOOL_IO_H */
