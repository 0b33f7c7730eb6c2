/* os_priv.h: private to the os layer: the allocation-fault hook the fault wrapper installs,
 * and the errno mapping that knows about a missing parent folder. */
#ifndef BJ_OS_PRIV_H
#define BJ_OS_PRIV_H

#include "os/os.h"

/* Called for every allocation while installed; returns true to make that allocation fail.
 * Install and remove only while no other thread allocates through bj_malloc & co. */
typedef bool (*bj_alloc_hook_fn)(void *ctx);
void bj_alloc_set_hook(bj_alloc_hook_fn fn, void *ctx);

/* bj_os_err_from_errno(e), except that ENOENT for a path whose parent folder does not exist
 * (on the real file system) is JET_errInvalidPath. */
JET_ERR bj_os_posix_err_path(int e, const char *path);

#endif /* BJ_OS_PRIV_H */
