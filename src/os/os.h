/* os.h: layer 1, everything the engine asks of the operating system: files, folders, threads,
 * time. File I/O goes through one table of function pointers (bj_os) so that tests can swap in
 * an in-memory backend, a fault-injecting one (the Nth call fails) or a crash-simulating one
 * (writes not yet fsynced are lost, the last one torn). Higher layers never call POSIX file
 * functions directly.
 *
 * Errors: every function returns a JET_ERR. errno maps to: ENOENT -> JET_errFileNotFound,
 * EEXIST -> JET_errFileAlreadyExists (-1814),
 * EACCES/EPERM/EROFS -> JET_errFileAccessDenied, ENOSPC/EDQUOT -> JET_errDiskFull,
 * EMFILE/ENFILE -> JET_errOutOfFileHandles, ENOMEM -> JET_errOutOfMemory, else JET_errDiskIO.
 * A short read past end of file is not an error: *pcbRead tells how much was read.
 */
#ifndef BJ_OS_H
#define BJ_OS_H

#include <pthread.h>

#include "common/common.h"

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

/* ---- threads and locks (thin, named wrappers over pthreads) ---- */
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
/* Waits at most ms milliseconds; returns false on time-out. */
bool bj_cond_timedwait(bj_cond *c, bj_mutex *m, uint32_t ms);
void bj_cond_signal(bj_cond *c);
void bj_cond_broadcast(bj_cond *c);
JET_ERR bj_thread_start(bj_thread *t, void *(*fn)(void *), void *arg);
void bj_thread_join(bj_thread t);

/* ---- time ---- */
uint64_t bj_time_ns(void);    /* monotonic nanoseconds */
int64_t bj_time_unix(void);   /* wall clock, seconds since 1970 UTC */

/* A wall-clock time split as ESE's LOGTIME stores it (UTC). */
typedef struct bj_logtime {
    uint8_t sec, min, hour, day, month, year_since_1900, filler1, filler2;
} bj_logtime;
void bj_logtime_now(bj_logtime *t);
/* The machine's name, at most cb-1 bytes, NUL-terminated (for SIGNATURE.computer). */
void bj_os_computer_name(char *buf, size_t cb);
/* Random 32 bits from the OS (for signatures). */
uint32_t bj_os_random32(void);

#endif /* BJ_OS_H */
