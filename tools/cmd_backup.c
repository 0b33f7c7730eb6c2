/* cmd_backup.c: `bluejet backup [--kind K] [...] INSTDIR BACKUPDIR`, an online backup of an
 * instance's folder through the engine's external backup API, and `bluejet backup verify
 * DIR...`, the proof that a chain of backup folders restores.
 *
 * backup: the command runs the instance as an application would (JetInit recovers it first),
 * attaches its databases and streams them (backupset/backup_stream.h: JetBeginExternalBackup-
 * Instance and the calls after it), then the logs, truncates (full, incremental) and ends the
 * backup. The folder it writes is described in backupset/backup_set.h.
 *
 * verify: checks the chain and restores it into a scratch folder (backupset/backup_restore.h)
 * and runs `bluejet check` on every restored database. Exit status: 0 the chain restores and
 * checks clean, 1 it does not, 2 usage or I/O error. Single-threaded; no locks.
 */
#include "backup_set.h"
#include "backup_stream.h"
#include "tool.h"
#include "tool_backup.h"
#include "tool_progress.h"

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

static void on_progress(void *ctx, uint64_t done, uint64_t known)
{
    bj_progress *p = ctx;
    if (known != p->total)
        bj_progress_set_total(p, known);
    bj_progress_update(p, done);
}

static const char usage[] =
    "usage: bluejet backup [--kind full|incremental|differential|copy] [--log DIR]\n"
    "                      [--system DIR] [--base NAME] [--db FILE] [--max-rate MB]\n"
    "                      INSTDIR BACKUPDIR\n"
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
    "  --quiet        no progress display\n"
    "  --max-rate MB  copy at most MB megabytes a second (0: no limit): a copy onto the\n"
    "                 disk of the logs leaves the instance's commits their rate\n"
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
    const char *szKind = "full", *logDir = NULL, *sysDir = NULL, *base = "edb", *db = NULL;
    bool fQuiet = false;
    uint32_t maxRate = 0;
    const bj_tool_opt opts[] = {
        {"--kind", BJ_OPT_STR, &szKind, NULL},   {"--log", BJ_OPT_STR, &logDir, NULL},
        {"--system", BJ_OPT_STR, &sysDir, NULL}, {"--base", BJ_OPT_STR, &base, NULL},
        {"--db", BJ_OPT_STR, &db, NULL},         {"--quiet", BJ_OPT_FLAG, &fQuiet, NULL},
        {"--max-rate", BJ_OPT_U32, &maxRate, NULL},
    };
    const char *pos[2];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_backup, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 2, 2, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    bj_bkset_kind kind;
    char dir[BJ_PATH_MAX], msg[BJ_PATH_MAX + 64];
    if (!bj_bkset_kind_parse(szKind, &kind)) {
        bj_tool_msg("--kind: full, incremental, differential or copy");
        return BJ_EXIT_ERROR;
    }
    if (strlen(base) != 3) {
        bj_tool_msg("--base: a base name has 3 characters");
        return BJ_EXIT_ERROR;
    }
    const char *instDir = pos[0];
    if (bj_bkset_empty_dir(pos[1], dir, sizeof dir, msg, sizeof msg) < 0) {
        bj_tool_msg("%s", msg);
        return BJ_EXIT_ERROR;
    }

    bk_db_list dbs;
    memset(&dbs, 0, sizeof dbs);
    if (db)
        snprintf(dbs.rg[dbs.c++], BJ_PATH_MAX, "%s", db);
    else {
        bj_os_list_dir(bj_os_posix(), instDir, on_db_entry, &dbs);
        for (uint32_t i = 0; i < dbs.c; i++) {
            char tmp[BJ_PATH_MAX];
            snprintf(tmp, sizeof tmp, "%s", dbs.rg[i]);
            if (bj_path_join(dbs.rg[i], BJ_PATH_MAX, instDir, tmp) < 0) {
                bj_tool_msg("%s/%s: path too long", instDir, tmp);
                return BJ_EXIT_ERROR;
            }
        }
    }
    if (dbs.c == 0 && bj_bkset_has_images(kind)) {
        bj_tool_msg("%s: no database (*.edb) to back up", instDir);
        return BJ_EXIT_ERROR;
    }

    bj_tool_instance ti;
    JET_ERR err = bj_tool_instance_start(&ti, "bluejet-backup", logDir ? logDir : instDir,
                                         sysDir ? sysDir : instDir, base);
    if (err < 0)
        return BJ_EXIT_FAULTS;
    for (uint32_t i = 0; i < dbs.c && err >= 0; i++) {
        char abs[BJ_PATH_MAX];
        if ((err = bj_path_absolute(abs, sizeof abs, dbs.rg[i])) < 0 ||
            (err = JetAttachDatabase(ti.sesid, abs, 0)) < 0)
            bj_tool_err(dbs.rg[i], err);
    }
    const bool fInc = kind == BJ_BKSET_INCREMENTAL || kind == BJ_BKSET_DIFFERENTIAL;
    const bool fTruncate = kind == BJ_BKSET_FULL || kind == BJ_BKSET_INCREMENTAL;
    bj_bks_stats st;
    memset(&st, 0, sizeof st);
    if (err >= 0) {
        bj_progress prog;
        bj_progress_begin(&prog, stderr, "backup", 0);
        prog.quiet = fQuiet;
        err = bj_bks_backup(ti.inst, fInc ? JET_bitBackupIncremental : 0, dir, fTruncate, 0,
                            maxRate, on_progress, &prog, &st);
        bj_progress_end(&prog, err >= 0);
        if (err < 0)
            bj_tool_err("backup", err);
    }
    bj_tool_instance_stop(&ti);
    if (err < 0)
        return BJ_EXIT_FAULTS;
    const uint64_t cb = st.cbDatabases + st.cbLogs;
    printf("%s backup of %s into %s: %d database(s) (%.1f MB), log generations %u-%u (%.1f MB),"
           " %.2f s, %.1f MB/s; first byte after %.2f ms\n",
           bj_bkset_kind_name(kind), instDir, dir, st.cDatabases, (double)st.cbDatabases / 1e6,
           st.genLow, st.genHigh, (double)st.cbLogs / 1e6, st.secTotal,
           st.secTotal > 0 ? (double)cb / 1e6 / st.secTotal : 0.0, st.secFirstByte * 1e3);
    return BJ_EXIT_OK;
}

const bj_tool_cmd bj_cmd_backup = {
    "backup",
    "online backup of an instance (full, incremental, differential, copy); verify a chain",
    usage,
    run_backup,
};
