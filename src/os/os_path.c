/* os_path.c: path strings ('/'-separated): join, folder and name parts, normalisation, the
 * absolute form of a relative path, and making sure a folder path exists (creating it when
 * asked, through any backend). Results go into caller buffers; a result that does not fit is
 * JET_errInvalidPath and leaves out[0] = 0. No state.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "os/os_priv.h"

/* The result that does not fit. */
static JET_ERR too_long(char *out, size_t cb)
{
    if (cb)
        out[0] = 0;
    return BJ_ERR(JET_errInvalidPath);
}

/* Copies n bytes of s and a NUL into out; JET_errInvalidPath when that does not fit. */
static JET_ERR put(char *out, size_t cb, const char *s, size_t n)
{
    if (n + 1 > cb)
        return too_long(out, cb);
    memmove(out, s, n);
    out[n] = 0;
    return JET_errSuccess;
}

JET_ERR bj_path_join(char *out, size_t cb, const char *a, const char *b)
{
    char tmp[BJ_PATH_MAX]; /* out may alias a or b */
    size_t na = strlen(a), nb = strlen(b);
    if (b[0] == '/' || na == 0)
        return put(out, cb, b, nb);
    size_t slash = a[na - 1] != '/';
    if (na + slash + nb + 1 > sizeof tmp)
        return too_long(out, cb);
    memcpy(tmp, a, na);
    if (slash)
        tmp[na] = '/';
    memcpy(tmp + na + slash, b, nb);
    return put(out, cb, tmp, na + slash + nb);
}

JET_ERR bj_path_dir(char *out, size_t cb, const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') /* trailing slashes do not name a part */
        n--;
    while (n > 0 && path[n - 1] != '/') /* the name */
        n--;
    if (n == 0)
        return put(out, cb, ".", 1);
    while (n > 1 && path[n - 1] == '/') /* the slashes before the name */
        n--;
    return put(out, cb, path, n);
}

const char *bj_path_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

JET_ERR bj_path_normalize(char *out, size_t cb, const char *path, bool trailing_slash)
{
    char tmp[BJ_PATH_MAX];
    size_t n = 0;
    const char *p = path;
    bool abs = path[0] == '/';
    if (abs)
        tmp[n++] = '/';
    while (*p) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - s);
        if (len == 0 || (len == 1 && s[0] == '.'))
            continue;
        if (n + len + 2 > sizeof tmp)
            return too_long(out, cb);
        if (n > 0 && tmp[n - 1] != '/')
            tmp[n++] = '/';
        memcpy(tmp + n, s, len);
        n += len;
    }
    if (n == 0)
        tmp[n++] = '.';
    if (trailing_slash && tmp[n - 1] != '/')
        tmp[n++] = '/';
    return put(out, cb, tmp, n);
}

JET_ERR bj_path_ensure_dir(bj_os *os, const char *path, bool create)
{
    JET_ERR err = JET_errSuccess;
    char norm[BJ_PATH_MAX], parent[BJ_PATH_MAX];
    bool exists = false, is_dir = false;

    CALL(bj_path_normalize(norm, sizeof norm, path, false));
    CALL(bj_os_stat(os, norm, &exists, &is_dir, NULL));
    if (exists && is_dir)
        goto fail; /* success */
    if (exists || !create)
        ERR(JET_errInvalidPath);
    CALL(bj_path_dir(parent, sizeof parent, norm));
    if (strcmp(parent, norm) != 0) /* "/" and "." are their own parents */
        CALL(bj_path_ensure_dir(os, parent, true));
    CALL(bj_os_mkdir(os, norm));
    CALL(bj_os_sync_dir(os, parent));
fail:
    return err;
}

JET_ERR bj_path_absolute(char *out, size_t cb, const char *path)
{
    JET_ERR err = JET_errSuccess;
    char norm[BJ_PATH_MAX], dir[BJ_PATH_MAX], res[PATH_MAX], tmp[BJ_PATH_MAX];

    CALL(bj_path_normalize(norm, sizeof norm, path, false));
    if (norm[0] == '/')
        return put(out, cb, norm, strlen(norm));
    CALL(bj_path_dir(dir, sizeof dir, norm));
    const char *name = bj_path_name(norm);
    if (realpath(dir, res)) {
        CALL(bj_path_join(tmp, sizeof tmp, res, name));
    } else {
        if (!getcwd(res, sizeof res))
            ERR(errno == ERANGE ? JET_errInvalidPath : bj_os_err_from_errno(errno));
        CALL(bj_path_join(tmp, sizeof tmp, res, norm));
    }
    CALL(bj_path_normalize(out, cb, tmp, false));
fail:
    if (err < 0 && cb)
        out[0] = 0;
    return err;
}
