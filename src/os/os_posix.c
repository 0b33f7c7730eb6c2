/* os_posix.c: the real file backend over POSIX (pread/pwrite/fdatasync/flock/rename/...).
 *
 * A file is an fd opened O_CLOEXEC plus its open flags. BJ_OPEN_LOCK takes a non-blocking
 * flock (shared when READONLY, else exclusive) right after open and before any truncation;
 * flock locks belong to the open file description, so two opens of one file in this process
 * conflict exactly as two processes do. The lock goes away with close. Reads and writes loop
 * over EINTR and short transfers. The backend has no state of its own: one static table.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/os_priv.h"

typedef struct posix_file {
    bj_file base;
    int fd;
    uint32_t flags;
} posix_file;

/* True when the folder holding path exists (or path has no folder part). */
static bool parent_exists(const char *path)
{
    char dir[BJ_PATH_MAX];
    struct stat st;
    if (bj_path_dir(dir, sizeof dir, path) < 0)
        return false;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

JET_ERR bj_os_posix_err_path(int e, const char *path)
{
    if (e == ENOENT && path && !parent_exists(path))
        return BJ_ERR(JET_errInvalidPath);
    return bj_os_err_from_errno(e);
}

static JET_ERR px_open(bj_os *os, const char *path, uint32_t flags, bj_file **out)
{
    JET_ERR err = JET_errSuccess;
    posix_file *pf = NULL;
    int fd = -1;
    int oflags = O_CLOEXEC | ((flags & BJ_OPEN_READONLY) ? O_RDONLY : O_RDWR);
    struct stat st;

    *out = NULL;
    if (flags & BJ_OPEN_CREATE)
        oflags |= O_CREAT | ((flags & BJ_OPEN_EXCLUSIVE) ? O_EXCL : 0);
    do {
        fd = open(path, oflags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        ERR(bj_os_posix_err_path(errno, path));
    if (fstat(fd, &st) != 0)
        ERR(bj_os_err_from_errno(errno));
    if (S_ISDIR(st.st_mode))
        ERR(JET_errFileAccessDenied);
    if (flags & BJ_OPEN_LOCK) {
        int op = ((flags & BJ_OPEN_READONLY) ? LOCK_SH : LOCK_EX) | LOCK_NB;
        int rc;
        do {
            rc = flock(fd, op);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0)
            ERR(errno == EWOULDBLOCK ? JET_errFileAccessDenied : bj_os_err_from_errno(errno));
    }
    if ((flags & BJ_OPEN_TRUNCATE) && !(flags & BJ_OPEN_READONLY) && ftruncate(fd, 0) != 0)
        ERR(bj_os_err_from_errno(errno));
    pf = bj_calloc(1, sizeof *pf);
    if (!pf)
        ERR(JET_errOutOfMemory);
    pf->base.path = bj_strdup(path);
    if (!pf->base.path)
        ERR(JET_errOutOfMemory);
    pf->base.os = os;
    pf->fd = fd;
    pf->flags = flags;
    *out = &pf->base;
    return JET_errSuccess;
fail:
    if (pf)
        bj_free(pf->base.path);
    bj_free(pf);
    if (fd >= 0)
        close(fd);
    return err;
}

static void px_close(bj_file *f)
{
    posix_file *pf = (posix_file *)f;
    close(pf->fd); /* never retried: on Linux the fd is gone even on EINTR */
    bj_free(pf->base.path);
    bj_free(pf);
}

static JET_ERR px_read(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead)
{
    posix_file *pf = (posix_file *)f;
    size_t got = 0;
    *pcbRead = 0;
    while (got < cb) {
        ssize_t n = pread(pf->fd, (char *)buf + got, cb - got, (off_t)(off + got));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return bj_os_err_from_errno(errno);
        }
        if (n == 0)
            break; /* end of file */
        got += (size_t)n;
    }
    *pcbRead = got;
    return JET_errSuccess;
}

static JET_ERR px_write(bj_file *f, uint64_t off, const void *buf, size_t cb)
{
    posix_file *pf = (posix_file *)f;
    size_t done = 0;
    if (pf->flags & BJ_OPEN_READONLY)
        return BJ_ERR(JET_errFileAccessDenied);
    while (done < cb) {
        ssize_t n = pwrite(pf->fd, (const char *)buf + done, cb - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return bj_os_err_from_errno(errno);
        }
        if (n == 0)
            return BJ_ERR(JET_errDiskFull); /* no progress and no error: treat as full */
        done += (size_t)n;
    }
    return JET_errSuccess;
}

static JET_ERR px_sync(bj_file *f)
{
    posix_file *pf = (posix_file *)f;
    int rc;
    do {
        rc = fdatasync(pf->fd);
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? JET_errSuccess : bj_os_err_from_errno(errno);
}

static JET_ERR px_size(bj_file *f, uint64_t *pcb)
{
    posix_file *pf = (posix_file *)f;
    struct stat st;
    if (fstat(pf->fd, &st) != 0)
        return bj_os_err_from_errno(errno);
    *pcb = (uint64_t)st.st_size;
    return JET_errSuccess;
}

static JET_ERR px_set_size(bj_file *f, uint64_t cb)
{
    posix_file *pf = (posix_file *)f;
    uint64_t cur = 0;
    JET_ERR err = JET_errSuccess;
    if (pf->flags & BJ_OPEN_READONLY)
        return BJ_ERR(JET_errFileAccessDenied);
    CALL(px_size(f, &cur));
    if (cb > cur) {
        /* Reserve real blocks so a later write cannot fail for space; the new range reads as
         * zeros. File systems without fallocate fall back to a sparse extension. */
        int rc;
        do {
            rc = posix_fallocate(pf->fd, (off_t)cur, (off_t)(cb - cur));
        } while (rc == EINTR);
        if (rc == 0)
            return JET_errSuccess;
        if (rc != EOPNOTSUPP && rc != EINVAL)
            ERR(bj_os_err_from_errno(rc));
    }
    if (cb != cur && ftruncate(pf->fd, (off_t)cb) != 0)
        ERR(bj_os_err_from_errno(errno));
fail:
    return err;
}

static JET_ERR px_remove(bj_os *os, const char *path)
{
    if (unlink(path) != 0)
        return bj_os_posix_err_path(errno, path);
    return JET_errSuccess;
}

static JET_ERR px_rename(bj_os *os, const char *from, const char *to)
{
    if (rename(from, to) != 0) {
        int e = errno;
        if (e == ENOENT && access(from, F_OK) == 0)
            return bj_os_posix_err_path(e, to); /* the target's folder is missing */
        return bj_os_posix_err_path(e, from);
    }
    return JET_errSuccess;
}

static JET_ERR px_mkdir(bj_os *os, const char *path)
{
    struct stat st;
    if (mkdir(path, 0755) == 0)
        return JET_errSuccess;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return JET_errSuccess;
    return bj_os_posix_err_path(errno, path);
}

static JET_ERR px_rmdir(bj_os *os, const char *path)
{
    if (rmdir(path) != 0)
        return bj_os_posix_err_path(errno, path);
    return JET_errSuccess;
}

static JET_ERR px_sync_dir(bj_os *os, const char *path)
{
    int fd, rc;
    do {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return bj_os_posix_err_path(errno, path);
    do {
        rc = fsync(fd);
    } while (rc != 0 && errno == EINTR);
    int e = errno;
    close(fd);
    /* Some file systems refuse fsync on a folder; their entries are then as durable as they get. */
    if (rc != 0 && e != EINVAL)
        return bj_os_err_from_errno(e);
    return JET_errSuccess;
}

static JET_ERR px_stat(bj_os *os, const char *path, bool *exists, bool *is_dir, uint64_t *cb)
{
    struct stat st;
    bool ex = false, dir = false;
    uint64_t size = 0;
    if (stat(path, &st) == 0) {
        ex = true;
        dir = S_ISDIR(st.st_mode);
        size = dir ? 0 : (uint64_t)st.st_size;
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return bj_os_err_from_errno(errno);
    }
    if (exists)
        *exists = ex;
    if (is_dir)
        *is_dir = dir;
    if (cb)
        *cb = size;
    return JET_errSuccess;
}

static JET_ERR px_list_dir(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return bj_os_posix_err_path(errno, path);
    for (;;) {
        errno = 0;
        e = readdir(d);
        if (!e)
            break;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        bool is_dir;
        if (e->d_type == DT_DIR) {
            is_dir = true;
        } else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
            struct stat st;
            is_dir = fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
        } else {
            is_dir = false;
        }
        fn(ctx, e->d_name, is_dir);
    }
    int err_no = errno;
    closedir(d);
    return err_no ? bj_os_err_from_errno(err_no) : JET_errSuccess;
}

static bj_os g_posix = {
    .name = "posix",
    .open = px_open,
    .close = px_close,
    .read = px_read,
    .write = px_write,
    .sync = px_sync,
    .size = px_size,
    .set_size = px_set_size,
    .remove = px_remove,
    .rename = px_rename,
    .mkdir = px_mkdir,
    .rmdir = px_rmdir,
    .sync_dir = px_sync_dir,
    .stat = px_stat,
    .list_dir = px_list_dir,
    .impl = NULL,
};

bj_os *bj_os_posix(void)
{
    return &g_posix;
}
