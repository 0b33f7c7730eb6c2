/* cmd_backup.c: `bluejet backup [--kind K] [...] INSTDIR BACKUPDIR`, an online backup of an
 * instance's folder through the engine's external backup API, and `bluejet backup verify
 * DIR...`, the proof that a chain of backup folders restores.
 *
 * backup: the command runs the instance as an application would (JetInit recovers it first),
 * attaches its databases and streams them with JetBeginExternalBackupInstance, JetGetAttach-
 * InfoInstance, JetOpenFileInstance / JetReadFileInstance / JetCloseFileInstance, then the logs
 * JetGetLogInfoInstance2 lists, then truncates (full, incremental) and ends the backup. The
 * folder it writes is described in backup_set.h.
 *
 * verify: checks the chain (backup_set.c), restores it into a scratch folder (backup_restore.c)
 * and runs `bluejet check` on every restored database. Exit status: 0 the chain restores and
 * checks clean, 1 it does not, 2 usage or I/O error. Single-threaded; no locks.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "backup_set.h"
#include "tool.h"
#include "tool_backup.h"
#include "tool_progress.h"

#define BK_CHUNK (1u << 20) /* bytes per JetReadFileInstance */

typedef struct bk_db_list {
    char rg[BJ_BKSET_DB_MAX][BJ_PATH_MAX];
    uint32_t c;
} bk_db_list;

static void on_db_entry(void *ctx, const char *name, bool is_dir)
{
    bk_db_list *l = ctx;
    size_t n = strlen(name);
    if (is_dir || n < 5 || strcmp(name + n - 4, ".edb") || !strcmp(name, "tmp.edb"))
        return;
    if (l->c < BJ_BKSET_DB_MAX)
        snprintf(l->rg[l->c++], BJ_PATH_MAX, "%s", name);
}

/* Streams one file of the backup (a database or a log) into out. */
static JET_ERR stream_file(JET_INSTANCE inst, const char *name, const char *out, uint8_t *buf,
                           bj_tool_progress *prog, uint64_t *pcb)
{
    JET_HANDLE h = 0;
    uint32_t lo = 0, hi = 0;
    JET_ERR err = JetOpenFileInstance(inst, name, &h, &lo, &hi);
    if (err < 0) {
        bj_tool_err(name, err);
        return err;
    }
    FILE *f = fopen(out, "wb");
    if (!f) {
        bj_tool_msg("%s: %s", out, strerror(errno));
        JetCloseFileInstance(inst, h);
        return BJ_ERR(JET_errDiskIO);
    }
    for (;;) {
        uint32_t cb = 0;
        err = JetReadFileInstance(inst, h, buf, BK_CHUNK, &cb);
        if (err < 0) {
            bj_tool_err(name, err);
            break;
        }
        if (cb == 0)
            break;
        if (fwrite(buf, 1, cb, f) != cb) {
            bj_tool_msg("%s: %s", out, strerror(errno));
            err = BJ_ERR(JET_errDiskIO);
            break;
        }
        *pcb += cb;
        bj_tool_progress_update(prog, *pcb);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        if (err >= 0) {
            bj_tool_msg("%s: %s", out, strerror(errno));
            err = BJ_ERR(JET_errDiskIO);
        }
    }
    fclose(f);
    /* a database whose stream failed was closed by the engine: close answers 0 or an error */
    JET_ERR errClose = JetCloseFileInstance(inst, h);
    if (err >= 0 && errClose < 0)
        err = errClose;
    return err;
}

/* The backup itself, on an initialized instance with its databases attached. */
static JET_ERR run_backup_api(JET_INSTANCE inst, bj_bkset *s, uint64_t *pcbTotal)
{
    JET_ERR err;
    const bool fInc = s->kind == BJ_BKSET_INCREMENTAL || s->kind == BJ_BKSET_DIFFERENTIAL;
    const bool fTruncate = s->kind == BJ_BKSET_FULL || s->kind == BJ_BKSET_INCREMENTAL;
    uint8_t *buf = NULL;
    char *list = NULL;
    bj_tool_progress prog;
    bj_tool_progress_begin(&prog, "backup", 0);
    if ((err = JetBeginExternalBackupInstance(inst, fInc ? JET_bitBackupIncremental : 0)) < 0) {
        bj_tool_err("JetBeginExternalBackupInstance", err);
        return err;
    }
    buf = aligned_alloc(1u << 16, BK_CHUNK);
    if (!buf) {
        err = BJ_ERR(JET_errOutOfMemory);
        goto fail;
    }
    uint32_t cb = 0;
    if (!fInc) {
        if ((err = JetGetAttachInfoInstance(inst, NULL, 0, &cb)) < 0 ||
            !(list = calloc(1, cb + 2)) ||
            (err = JetGetAttachInfoInstance(inst, list, cb, &cb)) < 0) {
            bj_tool_err("JetGetAttachInfoInstance", err < 0 ? err : JET_errOutOfMemory);
            err = err < 0 ? err : BJ_ERR(JET_errOutOfMemory);
            goto fail;
        }
        for (const char *p = list; *p; p += strlen(p) + 1) {
            char out[BJ_PATH_MAX];
            if (s->cdb == BJ_BKSET_DB_MAX)
                break;
            snprintf(s->rgdb[s->cdb++], BJ_PATH_MAX, "%s", p);
            snprintf(out, sizeof out, "%s/%s", s->dir, bj_path_name(p));
            if ((err = stream_file(inst, p, out, buf, &prog, pcbTotal)) < 0)
                goto fail;
        }
        free(list);
        list = NULL;
    }
    JET_LOGINFO li = {.cbSize = sizeof li};
    if ((err = JetGetLogInfoInstance2(inst, NULL, 0, &cb, &li)) < 0 ||
        !(list = calloc(1, cb + 2)) ||
        (err = JetGetLogInfoInstance2(inst, list, cb, &cb, &li)) < 0) {
        bj_tool_err("JetGetLogInfoInstance2", err < 0 ? err : JET_errOutOfMemory);
        err = err < 0 ? err : BJ_ERR(JET_errOutOfMemory);
        goto fail;
    }
    s->genLow = li.ulGenLow;
    s->genHigh = li.ulGenHigh;
    for (const char *p = list; *p; p += strlen(p) + 1) {
        char out[BJ_PATH_MAX];
        snprintf(out, sizeof out, "%s/%s", s->dir, bj_path_name(p));
        if ((err = stream_file(inst, p, out, buf, &prog, pcbTotal)) < 0)
            goto fail;
    }
    if (fTruncate && (err = JetTruncateLogInstance(inst)) < 0) {
        bj_tool_err("JetTruncateLogInstance", err);
        goto fail;
    }
    err = JetEndExternalBackupInstance2(inst, JET_bitBackupEndNormal);
    if (err < 0)
        bj_tool_err("JetEndExternalBackupInstance2", err);
    bj_tool_progress_end(&prog, *pcbTotal);
    free(list);
    free(buf);
    return err;
fail:
    JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
    bj_tool_progress_end(&prog, *pcbTotal);
    free(list);
    free(buf);
    return err;
}

static const char usage[] =
    "usage: bluejet backup [--kind full|incremental|differential|copy] [--log DIR]\n"
    "                      [--system DIR] [--base NAME] [--db FILE] INSTDIR BACKUPDIR\n"
    "       bluejet backup verify BACKUPDIR [INCDIR...]\n"
    "\n"
    "Backs up an instance's databases and logs through the engine's online backup\n"
    "API (JetBeginExternalBackupInstance and the calls after it) into BACKUPDIR, a\n"
    "new or empty folder: the database images (full and copy backups), the log\n"
    "generations that make them consistent, and a manifest (bluejet-backup.txt).\n"
    "The instance is started on INSTDIR first (JetInit runs crash recovery) and its\n"
    "databases attached: every *.edb in INSTDIR, or the one --db names.\n"
    "  full          images + logs; the logs no longer needed are deleted (truncated)\n"
    "  copy          a full backup that truncates nothing\n"
    "  incremental   the logs since the last full or incremental backup; truncates\n"
    "  differential  the logs since the last full backup; truncates nothing\n"
    "\n"
    "`bluejet backup verify` proves a chain restores: a full (or copy) backup folder\n"
    "then incremental/differential ones in order. It checks the chain (generations\n"
    "contiguous, one log stream, images and trailers within the logs), restores it\n"
    "into a scratch folder and runs `bluejet check` on each restored database.\n"
    "\n"
    "options:\n"
    "  --kind K       full (default), incremental, differential or copy\n"
    "  --log DIR      the folder of the log files (default INSTDIR)\n"
    "  --system DIR   the folder of the checkpoint file (default INSTDIR)\n"
    "  --base NAME    the log base name (default edb)\n"
    "  --db FILE      back up this database only\n"
    "  --help         this text\n"
    "\n"
    "exit status: 0 done (verify: the chain restores and checks clean), 1 the backup\n"
    "failed (the error's name is printed) or verify found a fault, 2 usage or I/O error\n";

static int run_verify(int argc, char **argv)
{
    const char *pos[16];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_backup, argc, argv, NULL, 0, pos, 1, 16, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    return bj_tool_verify_chain(pos, (uint32_t)npos);
}

static int run_backup(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "verify"))
        return run_verify(argc - 1, argv + 1);
    const char *kind = "full", *logDir = NULL, *sysDir = NULL, *base = "edb", *db = NULL;
    const bj_tool_opt opts[] = {
        {"--kind", BJ_OPT_STR, &kind, NULL},   {"--log", BJ_OPT_STR, &logDir, NULL},
        {"--system", BJ_OPT_STR, &sysDir, NULL}, {"--base", BJ_OPT_STR, &base, NULL},
        {"--db", BJ_OPT_STR, &db, NULL},
    };
    const char *pos[2];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_backup, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 2, 2, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    bj_bkset s;
    memset(&s, 0, sizeof s);
    if (!bj_bkset_kind_parse(kind, &s.kind)) {
        bj_tool_msg("--kind: full, incremental, differential or copy");
        return BJ_EXIT_ERROR;
    }
    if (strlen(base) != 3) {
        bj_tool_msg("--base: a base name has 3 characters");
        return BJ_EXIT_ERROR;
    }
    const char *instDir = pos[0];
    if (bj_tool_make_empty_dir(pos[1], s.dir, sizeof s.dir) < 0)
        return BJ_EXIT_ERROR;
    memcpy(s.base, base, 4);

    bk_db_list dbs;
    memset(&dbs, 0, sizeof dbs);
    if (db)
        snprintf(dbs.rg[dbs.c++], BJ_PATH_MAX, "%s", db);
    else {
        bj_os_list_dir(bj_os_posix(), instDir, on_db_entry, &dbs);
        for (uint32_t i = 0; i < dbs.c; i++) {
            char tmp[BJ_PATH_MAX];
            snprintf(tmp, sizeof tmp, "%s", dbs.rg[i]);
            snprintf(dbs.rg[i], BJ_PATH_MAX, "%s/%s", instDir, tmp);
        }
    }
    if (dbs.c == 0 && bj_bkset_has_images(s.kind)) {
        bj_tool_msg("%s: no database (*.edb) to back up", instDir);
        return BJ_EXIT_ERROR;
    }

    bj_tool_instance ti;
    JET_ERR err = bj_tool_instance_start(&ti, "bluejet-backup", logDir ? logDir : instDir,
                                         sysDir ? sysDir : instDir, base);
    if (err < 0)
        return BJ_EXIT_FAULTS;
    s.cbPage = ti.cbPage;
    s.cbLogFileKb = ti.cbLogFileKb;
    for (uint32_t i = 0; i < dbs.c && err >= 0; i++) {
        char abs[BJ_PATH_MAX];
        if ((err = bj_path_absolute(abs, sizeof abs, dbs.rg[i])) < 0 ||
            (err = JetAttachDatabase(ti.sesid, abs, 0)) < 0)
            bj_tool_err(dbs.rg[i], err);
    }
    uint64_t cbTotal = 0;
    const uint64_t t0 = bj_tool_now_ns();
    if (err >= 0)
        err = run_backup_api(ti.inst, &s, &cbTotal);
    const double sec = (double)(bj_tool_now_ns() - t0) / 1e9;
    bj_tool_instance_stop(&ti);
    if (err < 0)
        return BJ_EXIT_FAULTS;
    time_t now = time(NULL);
    strftime(s.time, sizeof s.time, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    if ((err = bj_bkset_write(&s)) < 0) {
        bj_tool_err(BJ_BKSET_MANIFEST, err);
        return BJ_EXIT_ERROR;
    }
    printf("%s backup of %s into %s: %u database(s), log generations %u-%u, %.1f MB in %.2f s"
           " (%.1f MB/s)\n",
           bj_bkset_kind_name(s.kind), instDir, s.dir, s.cdb, s.genLow, s.genHigh,
           (double)cbTotal / 1e6, sec, sec > 0 ? (double)cbTotal / 1e6 / sec : 0.0);
    return BJ_EXIT_OK;
}

const bj_tool_cmd bj_cmd_backup = {
    "backup",
    "online backup of an instance (full, incremental, differential, copy); verify a chain",
    usage,
    run_backup,
};
