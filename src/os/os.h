/* os.h: layer 1, everything the engine asks of the operating system: files, folders, threads,
 * time. File I/O goes through one table of function pointers (bj_os) so that tests can swap in
 * an in-memory backend, a fault-injecting one (the Nth call fails) or a crash-simulating one
 * (writes not yet fsynced are lost, the last one torn). Higher layers never call POSIX file
 * functions directly.
 *
 * Errors: every function returns a JET_ERR. errno maps to: ENOENT -> JET_errFileNotFound,
 * EEXIST -> JET_errFileAlreadyExists (-1814),
 * EACCES/EPERM/EROFS -> JET_errFileAccessDenied, ENOSPC/EDQUOT/EFBIG -> JET_errDiskFull,
 * EMFILE/ENFILE -> JET_errOutOfFileHandles, ENOMEM -> JET_errOutOfMemory, else JET_errDiskIO.
 * Also: EISDIR/EBADF/ETXTBSY/EWOULDBLOCK (a lock held elsewhere) -> JET_errFileAccessDenied,
 * ENOTDIR/ENAMETOOLONG/ELOOP -> JET_errInvalidPath, and ENOENT when the parent folder itself is
 * missing -> JET_errInvalidPath (as ESE maps ERROR_PATH_NOT_FOUND). Every backend follows these.
 * A short read past end of file is not an error: *pcbRead tells how much was read.
 *
 * Opening a folder as a file is JET_errFileAccessDenied. A write, set_size on a READONLY file is
 * JET_errFileAccessDenied. With BJ_OPEN_LOCK|BJ_OPEN_TRUNCATE the lock is taken before the
 * file is truncated, so a file in use elsewhere is never clobbered.
 */
#ifndef BJ_OS_H
#define BJ_OS_H

#include <pthread.h>

#include "common/common.h"

/* Not in every esent.h: ESE's code for "file already exists" (jethdr.w). */
#ifndef JET_errFileAlreadyExists
#define JET_errFileAlreadyExists (-1814)
#endif

typedef struct bj_os bj_os;
typedef struct bj_file bj_file;

/* Open flags. */
#define BJ_OPEN_READONLY 0x01u  /* open for reading only */
#define BJ_OPEN_CREATE 0x02u    /* create when missing */
#define BJ_OPEN_EXCLUSIVE 0x04u /* with CREATE: fail with JET_errFileAlreadyExists if present */
#define BJ_OPEN_TRUNCATE 0x08u  /* truncate to 0 bytes */
#define BJ_OPEN_LOCK 0x10u      /* take an advisory lock (shared if READONLY, else exclusive);
                                   JET_errFileAccessDenied when another process holds it */

/* One entry of a folder listing: names only (not "." or ".."). */
typedef void (*bj_os_dir_fn)(void *ctx, const char *name, bool is_dir);

/* The backend table. Every file opened through a backend keeps a pointer to it. */
struct bj_os {
    const char *name;
    JET_ERR (*open)(bj_os *os, const char *path, uint32_t flags, bj_file **out);
    void (*close)(bj_file *f);
    JET_ERR (*read)(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead);
    JET_ERR (*write)(bj_file *f, uint64_t off, const void *buf, size_t cb);
    JET_ERR (*sync)(bj_file *f);                       /* data + size durable (fdatasync) */
    JET_ERR (*size)(bj_file *f, uint64_t *pcb);
    JET_ERR (*set_size)(bj_file *f, uint64_t cb);      /* grow (zero-filled) or shrink */
    JET_ERR (*remove)(bj_os *os, const char *path);    /* file */
    JET_ERR (*rename)(bj_os *os, const char *from, const char *to); /* atomic replace */
    JET_ERR (*mkdir)(bj_os *os, const char *path);     /* one level; exists is success */
    JET_ERR (*rmdir)(bj_os *os, const char *path);
    JET_ERR (*sync_dir)(bj_os *os, const char *path);  /* make entries (create/rename) durable */
    JET_ERR (*stat)(bj_os *os, const char *path, bool *exists, bool *is_dir, uint64_t *cb);
    JET_ERR (*list_dir)(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx);
    void *impl; /* backend state */
};

/* Every backend's file starts with this. */
struct bj_file {
    bj_os *os;
    char *path; /* as opened (owned by the backend, freed at close) */
};

/* The real POSIX backend (process-wide singleton). */
bj_os *bj_os_posix(void);

/* Dispatch helpers: the only way layers above call file I/O. */
static inline JET_ERR bj_file_open(bj_os *os, const char *path, uint32_t flags, bj_file **out)
{
    return os->open(os, path, flags, out);
}
static inline void bj_file_close(bj_file *f)
{
    if (f)
        f->os->close(f);
}
static inline JET_ERR bj_file_read(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcb)
{
    return f->os->read(f, off, buf, cb, pcb);
}
static inline JET_ERR bj_file_write(bj_file *f, uint64_t off, const void *buf, size_t cb)
{
    return f->os->write(f, off, buf, cb);
}
static inline JET_ERR bj_file_sync(bj_file *f)
{
    return f->os->sync(f);
}
static inline JET_ERR bj_file_size(bj_file *f, uint64_t *pcb)
{
    return f->os->size(f, pcb);
}
static inline JET_ERR bj_file_set_size(bj_file *f, uint64_t cb)
{
    return f->os->set_size(f, cb);
}

/* Reads exactly cb bytes at off; a short read is JET_errFileIOBeyondEOF. */
JET_ERR bj_file_read_exact(bj_file *f, uint64_t off, void *buf, size_t cb);

/* The JET_ERR for an errno value, per the table at the top of this file (0 -> JET_errDiskIO). */
JET_ERR bj_os_err_from_errno(int e);

/* Convenience wrappers over the table, for symmetry with bj_file_*. */
static inline JET_ERR bj_os_remove(bj_os *os, const char *path)
{
    return os->remove(os, path);
}
static inline JET_ERR bj_os_rename(bj_os *os, const char *from, const char *to)
{
    return os->rename(os, from, to);
}
static inline JET_ERR bj_os_mkdir(bj_os *os, const char *path)
{
    return os->mkdir(os, path);
}
static inline JET_ERR bj_os_rmdir(bj_os *os, const char *path)
{
    return os->rmdir(os, path);
}
static inline JET_ERR bj_os_sync_dir(bj_os *os, const char *path)
{
    return os->sync_dir(os, path);
}
/* Any of exists/is_dir/cb may be NULL; a missing path is success with *exists = false. */
static inline JET_ERR bj_os_stat(bj_os *os, const char *path, bool *exists, bool *is_dir,
                                 uint64_t *cb)
{
    return os->stat(os, path, exists, is_dir, cb);
}
static inline JET_ERR bj_os_list_dir(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx)
{
    return os->list_dir(os, path, fn, ctx);
}

/* ---- in-memory backend (tests): files and folders in memory, durability modelled ----
 * Each file keeps its durable content (as of its last sync) and the unsynced changes since;
 * each folder keeps its durable entries (as of its last sync_dir) and its current ones. Paths
 * are '/'-separated; a leading '/' is ignored (one root); the root always exists. Thread-safe. */
bj_os *bj_os_mem_create(void);
/* Frees the backend; every file must be closed first. */
void bj_os_mem_destroy(bj_os *os);
/* Simulated power loss: every folder falls back to its durable entries and every file to its
 * durable content plus, chosen by seed, some of its unsynced changes (the last unsynced write
 * of a file may survive torn: a prefix ending on a 512-byte boundary of the file). seed == 0
 * is the strict case: every unsynced change is lost. Files still open become dead: every later
 * call on them but close fails with JET_errDiskIO and changes nothing. */
void bj_os_mem_power_loss(bj_os *os, uint64_t seed);
/* Called (outside the backend's lock) before every write through a live file of this backend,
 * with the path as opened; NULL hook removes it. For checkers such as the WAL rule's. */
typedef void (*bj_os_write_hook)(void *ctx, const char *path, uint64_t off, const void *buf,
                                 size_t cb);
void bj_os_mem_set_write_hook(bj_os *os, bj_os_write_hook hook, void *ctx);

/* ---- fault-injecting wrapper (tests) ---- */
#define BJ_FAULT_READ 0x01u
#define BJ_FAULT_WRITE 0x02u
#define BJ_FAULT_SYNC 0x04u /* file sync */
#define BJ_FAULT_OPEN 0x08u
#define BJ_FAULT_SET_SIZE 0x10u
#define BJ_FAULT_ALLOC 0x20u     /* bj_malloc & co. (process-wide: one wrapper at a time) */
#define BJ_FAULT_DIR 0x40u       /* remove, rename, mkdir, rmdir, sync_dir */
#define BJ_FAULT_STAT 0x80u      /* size, stat, list_dir */
#define BJ_FAULT_ALL_KINDS 0xffu /* every kind above */
#define BJ_FAULT_STICKY 0x100u   /* fail the Nth call and every later one of the kinds */
/* A backend that forwards to inner (which it does not own) and can fail calls on demand. */
bj_os *bj_os_fault_create(bj_os *inner);
/* Frees the wrapper (its files must be closed); clears its allocation hook if set. */
void bj_os_fault_destroy(bj_os *os);
/* Resets the counter; from now on calls of the kinds in kinds_mask are counted from 1 and the
 * fail_at-th fails without reaching inner (fail_at == 0: count only). The failure returns err
 * when it is negative, the mapping of errno err when positive, JET_errDiskIO when 0; failed
 * allocations return NULL. Call while no other thread uses the wrapper. */
void bj_os_fault_set(bj_os *os, uint64_t fail_at, JET_ERR err, uint32_t kinds_mask);
/* Calls counted since the last bj_os_fault_set (failed ones included). */
uint64_t bj_os_fault_count(bj_os *os);
/* Calls failed since the last bj_os_fault_set. */
uint64_t bj_os_fault_failures(bj_os *os);

/* ---- paths ('/'-separated; results into caller buffers; too long -> JET_errInvalidPath) ---- */
#define BJ_PATH_MAX 4096
/* a joined with b by one '/'; b alone when b is absolute or a is empty. */
JET_ERR bj_path_join(char *out, size_t cb, const char *a, const char *b);
/* The folder part of path: "a/b" -> "a", "b" -> ".", "/b" -> "/", "a/b/" -> "a". */
JET_ERR bj_path_dir(char *out, size_t cb, const char *path);
/* The name part of path (a pointer into path after its last '/'). */
const char *bj_path_name(const char *path);
/* Repeated '/' collapsed, "." components dropped, trailing '/' removed, then one added when
 * trailing_slash (the root stays "/"; an empty path becomes "."). ".." is kept as is. */
JET_ERR bj_path_normalize(char *out, size_t cb, const char *path, bool trailing_slash);
/* Success when path is a folder; when missing: creates it and its missing parents when create
 * (each creation made durable with sync_dir of its parent), else JET_errInvalidPath; a file in
 * the way is JET_errInvalidPath. */
JET_ERR bj_path_ensure_dir(bj_os *os, const char *path, bool create);
/* The absolute, normalised form of path on the real file system: realpath of its folder when
 * that exists, joined with its name; else the current folder joined with path. */
JET_ERR bj_path_absolute(char *out, size_t cb, const char *path);

/* ---- memory ---- */
/* Allocation that can be made to fail by the fault backend: NULL means out of memory. */
void *bj_malloc(size_t cb);
void *bj_calloc(size_t n, size_t cb);
void *bj_realloc(void *p, size_t cb);
void bj_free(void *p);
char *bj_strdup(const char *s);
/* Page-aligned allocation for page buffers (aligned to 4096). */
void *bj_alloc_aligned(size_t cb);
void bj_free_aligned(void *p);
/* Allocation fault injection (tests; process-wide, atomic; one relaxed load when off): resets
 * the counter, then allocations are counted from 1 and the fail_at-th returns NULL (every one
 * from the fail_at-th on when sticky); fail_at == 0 counts only. */
void bj_alloc_fault_set(uint64_t fail_at, bool sticky);
void bj_alloc_fault_clear(void);        /* stop counting and failing */
uint64_t bj_alloc_fault_count(void);    /* allocations counted since bj_alloc_fault_set */
uint64_t bj_alloc_fault_failures(void); /* allocations failed since bj_alloc_fault_set */

/* ---- threads and locks (thin, named wrappers over pthreads) ----
 * An error from pthreads in init/lock/unlock/wait/destroy (EINVAL, EDEADLK, EPERM, ...) can
 * only be a programming error (a bad or unowned lock), so these abort with a message. Read
 * locks follow the pthread default (readers preferred, a thread may re-take a read lock). */
typedef pthread_mutex_t bj_mutex;
typedef pthread_rwlock_t bj_rwlock;
typedef pthread_cond_t bj_cond;
typedef pthread_t bj_thread;
void bj_mutex_init(bj_mutex *m);
void bj_mutex_destroy(bj_mutex *m);
void bj_mutex_lock(bj_mutex *m);
void bj_mutex_unlock(bj_mutex *m);
void bj_rwlock_init(bj_rwlock *l);
void bj_rwlock_destroy(bj_rwlock *l);
void bj_rwlock_rdlock(bj_rwlock *l);
void bj_rwlock_wrlock(bj_rwlock *l);
bool bj_rwlock_tryrdlock(bj_rwlock *l);
bool bj_rwlock_trywrlock(bj_rwlock *l);
void bj_rwlock_unlock(bj_rwlock *l);
void bj_cond_init(bj_cond *c);
void bj_cond_destroy(bj_cond *c);
void bj_cond_wait(bj_cond *c, bj_mutex *m);
/* Waits at most ms milliseconds (CLOCK_MONOTONIC); returns false on time-out. Wake-ups may
 * be spurious: recheck the condition. */
bool bj_cond_timedwait(bj_cond *c, bj_mutex *m, uint32_t ms);
void bj_cond_signal(bj_cond *c);
void bj_cond_broadcast(bj_cond *c);
/* JET_errOutOfThreads when the system refuses a thread. */
JET_ERR bj_thread_start(bj_thread *t, void *(*fn)(void *), void *arg);
void bj_thread_join(bj_thread t);

/* ---- time ---- */
uint64_t bj_time_ns(void);    /* monotonic nanoseconds */
int64_t bj_time_unix(void);   /* wall clock, seconds since 1970 UTC */

/* Fills t with the current UTC time (bj_logtime: common/common.h). */
void bj_logtime_now(bj_logtime *t);
/* The machine's name up to its first '.', at most cb-1 bytes, NUL-terminated (pass 16 for
 * SIGNATURE's computer name field: 15 characters + NUL). */
void bj_os_computer_name(char *buf, size_t cb);
/* Random 32 bits from the OS (getrandom, else /dev/urandom; for signatures). */
uint32_t bj_os_random32(void);

#endif /* BJ_OS_H */
