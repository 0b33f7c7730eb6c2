/* tool_backup.c: instance start/stop on a folder of logs, folder helpers, and the restore and
 * verification of a chain of backup folders (tool_backup.h). */
#include "tool_backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "tool.h"
#include "tool_progress.h"

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

JET_ERR bj_tool_make_empty_dir(const char *dir, char *out, size_t cch)
{
    JET_ERR err = bj_path_ensure_dir(bj_os_posix(), dir, true);
    if (err >= 0)
        err = bj_path_absolute(out, cch, dir);
    if (err < 0) {
        bj_tool_err(dir, err);
        return err;
    }
    DIR *d = opendir(out);
    if (!d) {
        bj_tool_msg("%s: %s", out, strerror(errno));
        return BJ_ERR(JET_errInvalidPath);
    }
    struct dirent *e;
    bool fEmpty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fEmpty = false;
    closedir(d);
    if (!fEmpty) {
        bj_tool_msg("%s: the folder is not empty", out);
        return BJ_ERR(JET_errBackupDirectoryNotEmpty);
    }
    return JET_errSuccess;
}

/* Copies a file (hard link first when fLink: the source is never changed afterwards). */
static JET_ERR copy_file(const char *from, const char *to, bool fLink)
{
    if (fLink && link(from, to) == 0)
        return JET_errSuccess;
    JET_ERR err = JET_errSuccess;
    int in = open(from, O_RDONLY), out = -1;
    char *buf = malloc(1u << 20);
    if (in < 0 || !buf || (out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0) {
        err = buf ? bj_os_err_from_errno(errno) : BJ_ERR(JET_errOutOfMemory);
        goto done;
    }
    for (;;) {
        ssize_t n = read(in, buf, 1u << 20);
        if (n < 0) {
            err = bj_os_err_from_errno(errno);
            break;
        }
        if (n == 0)
            break;
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0) {
                err = bj_os_err_from_errno(errno);
                goto done;
            }
            w += k;
        }
    }
    if (err >= 0 && fsync(out) != 0)
        err = bj_os_err_from_errno(errno);
done:
    if (err < 0)
        bj_tool_msg("copying %s to %s: %s", from, to, bj_tool_err_name(err));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    free(buf);
    return err;
}

typedef struct rst_progress {
    bj_tool_progress prog;
    uint64_t cbTotal;
    bool fOn;
} rst_progress;

static rst_progress *g_rst_progress; /* the status callback has no context argument */

static JET_ERR JET_API on_status(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv)
{
    (void)sesid;
    rst_progress *p = g_rst_progress;
    if (!p || !p->fOn || snp != JET_snpRestore)
        return JET_errSuccess;
    if (snt == JET_sntProgress && pv) {
        const JET_SNPROG *sp = pv;
        if (sp->cunitTotal)
            bj_tool_progress_update(&p->prog,
                                    p->cbTotal * sp->cunitDone / sp->cunitTotal);
    }
    return JET_errSuccess;
}

static void remove_tree_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[BJ_PATH_MAX];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

JET_ERR bj_tool_restore_chain(const bj_bkset *rg, uint32_t n, const char *target,
                              const bj_tool_stop *stop, bool fProgress)
{
    JET_ERR err;
    char msg[BJ_PATH_MAX + 256], dir[BJ_PATH_MAX], stage[BJ_PATH_MAX];
    uint32_t genLow = 0, genHigh = 0;
    bj_os *os = bj_os_posix();
    if (!bj_bkset_check_chain(os, rg, n, &genLow, &genHigh, msg, sizeof msg)) {
        bj_tool_msg("%s", msg);
        return BJ_ERR(JET_errInvalidBackup);
    }
    if ((err = bj_tool_make_empty_dir(target, dir, sizeof dir)) < 0)
        return err;
    snprintf(stage, sizeof stage, "%s/restore-logs", dir);
    if ((err = bj_os_mkdir(os, stage)) < 0) {
        bj_tool_err(stage, err);
        return err;
    }
    JET_RSTMAP map[BJ_BKSET_DB_MAX];
    char newPath[BJ_BKSET_DB_MAX][BJ_PATH_MAX];
    const bj_bkset *full = &rg[0];
    for (uint32_t i = 0; i < full->cdb; i++) {
        char from[BJ_PATH_MAX];
        bj_bkset_image_path(full, i, from, sizeof from);
        snprintf(newPath[i], BJ_PATH_MAX, "%s/%s", dir, bj_path_name(full->rgdb[i]));
        if ((err = copy_file(from, newPath[i], false)) < 0)
            goto done;
        map[i].szDatabaseName = (char *)full->rgdb[i];
        map[i].szNewDatabaseName = newPath[i];
    }
    uint64_t cbLogs = 0;
    for (uint32_t g = genLow; g <= genHigh; g++) {
        const bj_bkset *s = bj_bkset_chain_log_owner(rg, n, g);
        char from[BJ_PATH_MAX], to[BJ_PATH_MAX];
        if ((err = bj_log_name_gen(from, sizeof from, s->dir, s->base, g)) < 0 ||
            (err = bj_log_name_gen(to, sizeof to, stage, s->base, g)) < 0 ||
            (err = copy_file(from, to, true)) < 0)
            goto done;
        cbLogs += (uint64_t)s->cbLogFileKb * 1024u;
    }
    if ((err = JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, full->cbPage, NULL)) <
            0 ||
        (err = JetSetSystemParameter(NULL, 0, JET_paramLogFileSize, full->cbLogFileKb, NULL)) <
            0) {
        bj_tool_err("JetSetSystemParameter", err);
        goto done;
    }
    rst_progress rp = {.cbTotal = cbLogs, .fOn = fProgress};
    if (fProgress)
        bj_tool_progress_begin(&rp.prog, "restore", cbLogs);
    g_rst_progress = &rp;
    char l[BJ_PATH_MAX + 2], st[BJ_PATH_MAX + 2];
    folder(dir, l, sizeof l);
    folder(stage, st, sizeof st);
    JET_LOGINFO li = {.cbSize = sizeof li, .ulGenLow = genLow, .ulGenHigh = genHigh};
    memcpy(li.szBaseName, full->base, 4);
    if (stop && (stop->fLgpos || stop->fTime))
        err = bj_tool_restore_pit(l, l, map, full->cdb, st, genLow, genHigh, stop, on_status);
    else
        err = JetExternalRestore2(l, l, map, (int32_t)full->cdb, st, &li, NULL, NULL, NULL,
                                  on_status);
    g_rst_progress = NULL;
    if (fProgress)
        bj_tool_progress_end(&rp.prog, err >= 0 ? cbLogs : 0);
    if (err < 0)
        bj_tool_err("restore", err);
done:
    remove_tree_files(stage);
    return err;
}

int bj_tool_verify_chain(const char *const *dirs, uint32_t n)
{
    bj_bkset *rg = calloc(n, sizeof(*rg));
    char msg[BJ_PATH_MAX + 256], scratch[BJ_PATH_MAX];
    int rc = BJ_EXIT_OK;
    uint32_t genLow = 0, genHigh = 0;
    if (!rg)
        return BJ_EXIT_ERROR;
    for (uint32_t i = 0; i < n; i++)
        if (bj_bkset_read(dirs[i], &rg[i], msg, sizeof msg) < 0) {
            bj_tool_msg("%s", msg);
            free(rg);
            return BJ_EXIT_FAULTS;
        }
    if (!bj_bkset_check_chain(bj_os_posix(), rg, n, &genLow, &genHigh, msg, sizeof msg)) {
        printf("chain: FAILED: %s\n", msg);
        free(rg);
        return BJ_EXIT_FAULTS;
    }
    printf("chain: %u folder(s), log generations %u-%u contiguous, one log stream, %u image(s)"
           " within them\n",
           n, genLow, genHigh, rg[0].cdb);
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/bluejet-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        bj_tool_msg("%s: %s", scratch, strerror(errno));
        free(rg);
        return BJ_EXIT_ERROR;
    }
    char target[BJ_PATH_MAX];
    snprintf(target, sizeof target, "%s/restored", scratch);
    JET_ERR err = bj_tool_restore_chain(rg, n, target, NULL, false);
    if (err < 0) {
        printf("restore: FAILED (%s)\n", bj_tool_err_name(err));
        rc = BJ_EXIT_FAULTS;
    } else {
        printf("restore: replayed into %s\n", target);
        for (uint32_t i = 0; i < rg[0].cdb; i++) {
            char path[BJ_PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", target, bj_path_name(rg[0].rgdb[i]));
            char *argv[] = {(char *)"check", path, NULL};
            fflush(stdout);
            int c = bj_cmd_check.run(2, argv);
            printf("check %s: %s\n", bj_path_name(path), c == BJ_EXIT_OK ? "clean" : "FAULTS");
            if (c != BJ_EXIT_OK)
                rc = BJ_EXIT_FAULTS;
        }
    }
    /* the scratch restore is removed (its files only: one level below the target) */
    remove_tree_files(target);
    rmdir(scratch);
    printf("verify: %s\n", rc == BJ_EXIT_OK ? "the backup restores and checks clean" : "FAILED");
    free(rg);
    return rc;
}
