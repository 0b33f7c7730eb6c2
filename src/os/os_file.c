/* os_file.c: backend-independent file helpers: exact reads and the errno -> JET_ERR table that
 * every backend uses (see the comment at the top of os.h). No state. */
#include <errno.h>

#include "os/os.h"

JET_ERR bj_os_err_from_errno(int e)
{
    switch (e) {
    case ENOENT:
        return BJ_ERR(JET_errFileNotFound);
    case EEXIST:
        return BJ_ERR(JET_errFileAlreadyExists);
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
    case EBADF:
    case ETXTBSY:
    case EWOULDBLOCK:
        return BJ_ERR(JET_errFileAccessDenied);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return BJ_ERR(JET_errDiskFull);
    case EMFILE:
    case ENFILE:
        return BJ_ERR(JET_errOutOfFileHandles);
    case ENOMEM:
        return BJ_ERR(JET_errOutOfMemory);
    case ENOTDIR:
    case ENAMETOOLONG:
    case ELOOP:
        return BJ_ERR(JET_errInvalidPath);
    default:
        return BJ_ERR(JET_errDiskIO);
    }
}

JET_ERR bj_file_read_exact(bj_file *f, uint64_t off, void *buf, size_t cb)
{
    JET_ERR err = JET_errSuccess;
    size_t got = 0;
    CALL(bj_file_read(f, off, buf, cb, &got));
    if (got != cb)
        ERR(JET_errFileIOBeyondEOF);
fail:
    return err;
}
