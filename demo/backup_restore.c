/* backup_restore.c: restore of a backup set made by bj_bks_backup into a new folder (see
 * backup_stream.h): the files are copied into place, then JetExternalRestore2 replays the logs.
 * Needs JetExternalRestore2 (issue 4, helper `rst`). Single-threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup_stream.h"

static int rs_copy_file(const char *src, const char *dst)
{
    char buf[1 << 16];
    int in = open(src, O_RDONLY), out = -1, rc = -1;
    if (in < 0 || (out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
        goto fail;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail;
        if (n == 0)
            break;
        if (write(out, buf, (size_t)n) != n)
            goto fail;
    }
    rc = fsync(out);
fail:
    if (out >= 0)
        close(out);
    if (in >= 0)
        close(in);
    return rc;
}

/* Copies every *.log of folder src into folder dst; 0 on success. */
static int rs_copy_logs(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    struct dirent *de;
    char a[PATH_MAX + 256], b[PATH_MAX + 256];
    int rc = 0;
    if (!d)
        return -1;
    while (rc == 0 && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".log") != 0)
            continue;
        snprintf(a, sizeof a, "%s/%s", src, de->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, de->d_name);
        rc = rs_copy_file(a, b);
    }
    closedir(d);
    return rc;
}

static double rs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

JET_ERR bj_bks_restore(const char *const *backupDirs, int cDirs, const char *origDb,
                       const char *destDir, uint32_t genLow, uint32_t genHigh, JET_PFNSTATUS pfn,
                       char *dbOut, size_t cbDbOut, double *psec)
{
    char logs[PATH_MAX], img[PATH_MAX], src[PATH_MAX], orig[PATH_MAX];
    char destSlash[PATH_MAX + 2], logsSlash[PATH_MAX + 2];
    const char *base = strrchr(origDb, '/');
    base = base ? base + 1 : origDb;
    *psec = 0;
    if (cDirs < 1)
        return JET_errInvalidParameter;
    snprintf(logs, sizeof logs, "%s/logs", destDir);
    if ((mkdir(destDir, 0755) != 0 && errno != EEXIST) ||
        (mkdir(logs, 0755) != 0 && errno != EEXIST))
        return JET_errInvalidPath;
    for (int i = 0; i < cDirs; i++)
        if (rs_copy_logs(backupDirs[i], logs) != 0)
            return JET_errDiskIO;
    snprintf(src, sizeof src, "%s/%s", backupDirs[0], base);
    snprintf(img, sizeof img, "%s/%s", destDir, base);
    if (rs_copy_file(src, img) != 0)
        return JET_errFileNotFound;
    /* the name the engine logged: an absolute path as given, a relative one made absolute */
    if (origDb[0] == '/' || !realpath(origDb, orig))
        snprintf(orig, sizeof orig, "%s", origDb);
    snprintf(destSlash, sizeof destSlash, "%s/", destDir);
    snprintf(logsSlash, sizeof logsSlash, "%s/", logs);
    JET_RSTMAP map = {.szDatabaseName = orig, .szNewDatabaseName = img};
    JET_LOGINFO li = {.cbSize = sizeof li, .ulGenLow = genLow, .ulGenHigh = genHigh};
    snprintf(li.szBaseName, sizeof li.szBaseName, "edb");
    double t0 = rs_now();
    JET_ERR err =
        JetExternalRestore2(destSlash, destSlash, &map, 1, logsSlash, &li, NULL, NULL, NULL, pfn);
    *psec = rs_now() - t0;
    if (err >= 0)
        snprintf(dbOut, cbDbOut, "%s", img);
    return err;
}
