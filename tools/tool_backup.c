/* tool_backup.c: instance start/stop on a folder of logs, folder helpers, and the restore and
 * verification of a chain of backup folders (tool_backup.h). */
#include "tool_backup.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "tool.h"
#include "backup_restore.h"

uint64_t bj_tool_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A folder parameter with its trailing '/'. */
static void folder(const char *dir, char *out, size_t cch)
{
    size_t n = strlen(dir);
    snprintf(out, cch, "%s%s", dir, n && dir[n - 1] == '/' ? "" : "/");
}

typedef struct newest {
    const char *base;
    uint32_t gen;
} newest;

static void on_log(void *ctx, const char *name, bool is_dir)
{
    newest *n = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, n->base);
    if (g > n->gen)
        n->gen = g;
}

/* The sizes the folder's logs were written with (edb.log, else the newest archive). */
static bool log_sizes(const char *logDir, const char *base, uint32_t *pcbPage, uint32_t *pkb)
{
    bj_os *os = bj_os_posix();
    char path[BJ_PATH_MAX];
    bj_log_hdr h;
    if (bj_log_name_current(path, sizeof path, logDir, base) >= 0 &&
        bj_log_read_header(os, path, &h) >= 0)
        goto found;
    newest n = {base, 0};
    bj_os_list_dir(os, logDir, on_log, &n);
    if (n.gen && bj_log_name_gen(path, sizeof path, logDir, base, n.gen) >= 0 &&
        bj_log_read_header(os, path, &h) >= 0)
        goto found;
    return false;
found:
    *pcbPage = h.cbDbPage;
    *pkb = h.cbLogFile / 1024u;
    return true;
}

JET_ERR bj_tool_instance_start(bj_tool_instance *ti, const char *name, const char *logDir,
                               const char *sysDir, const char *base)
{
    JET_ERR err;
    char l[BJ_PATH_MAX + 2], s[BJ_PATH_MAX + 2];
    memset(ti, 0, sizeof(*ti));
    if (!log_sizes(logDir, base, &ti->cbPage, &ti->cbLogFileKb)) {
        bj_tool_msg("%s: no transaction log of base name %s", logDir, base);
        return BJ_ERR(JET_errFileNotFound);
    }
    folder(logDir, l, sizeof l);
    folder(sysDir, s, sizeof s);
    const char *what = "JET_paramDatabasePageSize";
    if ((err = JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, ti->cbPage, NULL)) < 0)
        goto fail;
    what = "JetCreateInstance";
    if ((err = JetCreateInstance(&ti->inst, name)) < 0)
        goto fail;
    what = "JetSetSystemParameter";
    if ((err = JetSetSystemParameter(&ti->inst, 0, JET_paramLogFilePath, 0, l)) < 0 ||
        (err = JetSetSystemParameter(&ti->inst, 0, JET_paramSystemPath, 0, s)) < 0 ||
        (err = JetSetSystemParameter(&ti->inst, 0, JET_paramTempPath, 0, s)) < 0 ||
        (err = JetSetSystemParameter(&ti->inst, 0, JET_paramBaseName, 0, base)) < 0 ||
        (err = JetSetSystemParameter(&ti->inst, 0, JET_paramLogFileSize, ti->cbLogFileKb,
                                     NULL)) < 0)
        goto fail;
    what = "JetInit (recovery)";
    if ((err = JetInit(&ti->inst)) < 0)
        goto fail;
    what = "JetBeginSession";
    if ((err = JetBeginSession(ti->inst, &ti->sesid, NULL, NULL)) < 0)
        goto fail;
    return JET_errSuccess;
fail:
    bj_tool_err(what, err);
    if (ti->inst)
        JetTerm(ti->inst);
    ti->inst = 0;
    return err;
}

void bj_tool_instance_stop(bj_tool_instance *ti)
{
    if (!ti->inst)
        return;
    if (ti->sesid)
        JetEndSession(ti->sesid, 0);
    JET_ERR err = JetTerm2(ti->inst, JET_bitTermComplete);
    if (err < 0)
        bj_tool_err("JetTerm2", err);
    ti->inst = 0;
}

static void remove_tree_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[BJ_PATH_MAX];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            bj_path_join(path, sizeof path, dir, e->d_name) >= 0)
            unlink(path);
    closedir(d);
    rmdir(dir);
}

int bj_tool_verify_chain(const char *const *dirs, uint32_t n)
{
    char msg[BJ_PATH_MAX + 256], scratch[BJ_PATH_MAX], target[BJ_PATH_MAX + 16];
    int rc = BJ_EXIT_OK;
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/bluejet-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        bj_tool_msg("%s: %s", scratch, strerror(errno));
        return BJ_EXIT_ERROR;
    }
    snprintf(target, sizeof target, "%s/restored", scratch);
    bj_bks_restored res;
    JET_ERR err = bj_bks_restore(dirs, n, target, NULL, NULL, NULL, &res, msg, sizeof msg);
    if (err == JET_errInvalidBackup) {
        printf("chain: FAILED: %s\n", msg);
        rc = BJ_EXIT_FAULTS;
    } else if (err < 0) {
        printf("chain: %u folder(s), log generations %u-%u\nrestore: FAILED: %s\n", n,
               res.genLow, res.genHigh, msg);
        rc = BJ_EXIT_FAULTS;
    } else {
        printf("chain: %u folder(s), log generations %u-%u contiguous, one log stream, %u"
               " image(s) within them\n",
               n, res.genLow, res.genHigh, res.cdb);
        printf("restore: replayed %u generation(s) in %.2f s\n", res.genHigh - res.genLow + 1,
               res.sec);
        for (uint32_t i = 0; i < res.cdb; i++) {
            char *argv[] = {(char *)"check", res.rgdb[i], NULL};
            fflush(stdout);
            int c = bj_cmd_check.run(2, argv);
            printf("check %s: %s\n", bj_path_name(res.rgdb[i]),
                   c == BJ_EXIT_OK ? "clean" : "FAULTS");
            if (c != BJ_EXIT_OK)
                rc = BJ_EXIT_FAULTS;
        }
    }
    /* the scratch restore is removed (its files lie one level below the target) */
    remove_tree_files(target);
    rmdir(scratch);
    printf("verify: %s\n", rc == BJ_EXIT_OK ? "the backup restores and checks clean" : "FAILED");
    return rc;
}
