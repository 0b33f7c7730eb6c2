/* cmd_recover.c: `bluejet recover [--log DIR] [--system DIR] [--base NAME] [DIR]`, crash
 * recovery of a folder of logs and databases (esentutl /r for this engine).
 *
 * Recovery itself is the engine's: the command only runs it through the public API as an
 * application would (JetCreateInstance, JetSetSystemParameter, JetInit, JetTerm). Before, it
 * reads what the logs say, without changing anything: the log file size and database page size
 * from the newest log's header (the instance must use the sizes the logs were written with),
 * the checkpoint, the generations present, and the databases named in the checkpoint, the
 * newest header and the ATTACH records of every generation present. After JetTerm it reads each
 * named database's header with JetGetDatabaseFileInfo and reports its state.
 * Exit status: 0 recovered and every database found is Clean Shutdown; 1 JetInit failed with
 * a log or database error, or a database is not clean afterwards; 2 usage or I/O error.
 * Single-threaded; no locks.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "log/log.h"
#include "recovery/lrbody.h"
#include "tool.h"

#define REC_DB_MAX 32

typedef struct recover {
    bj_os *os;
    const char *logDir, *sysDir, *base;
    bj_log_hdr hdr; /* the newest log's header */
    bool fHdr;
    bj_chk_info chk;
    bool fChk;
    uint32_t genLow, genHigh; /* generations present (0: none) */
    uint64_t crecReplay;      /* records from the checkpoint on */
    char *rgdb[REC_DB_MAX];   /* database paths, as the logs name them */
    uint32_t cdb;
} recover;

static void add_db(recover *rc, const char *path, size_t cb)
{
    if (cb == 0)
        return;
    for (uint32_t i = 0; i < rc->cdb; i++)
        if (strlen(rc->rgdb[i]) == cb && memcmp(rc->rgdb[i], path, cb) == 0)
            return;
    if (rc->cdb == REC_DB_MAX)
        return;
    char *s = malloc(cb + 1);
    if (!s)
        return;
    memcpy(s, path, cb);
    s[cb] = '\0';
    rc->rgdb[rc->cdb++] = s;
}

static void on_entry(void *ctx, const char *name, bool is_dir)
{
    recover *rc = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, rc->base);
    if (g == 0)
        return;
    if (rc->genLow == 0 || g < rc->genLow)
        rc->genLow = g;
    if (g > rc->genHigh)
        rc->genHigh = g;
}

/* What the logs say (read only). Errors here are left for JetInit to report. */
static void survey(recover *rc)
{
    char path[BJ_PATH_MAX];
    bj_os_list_dir(rc->os, rc->logDir, on_entry, rc);
    if (bj_log_name_current(path, sizeof(path), rc->logDir, rc->base) >= 0 &&
        bj_log_read_header(rc->os, path, &rc->hdr) >= 0) {
        rc->fHdr = true;
        if (rc->genLow == 0 || rc->hdr.gen < rc->genLow)
            rc->genLow = rc->hdr.gen;
        if (rc->hdr.gen > rc->genHigh)
            rc->genHigh = rc->hdr.gen;
    }
    if (!rc->fHdr && rc->genHigh &&
        bj_log_name_gen(path, sizeof(path), rc->logDir, rc->base, rc->genHigh) >= 0 &&
        bj_log_read_header(rc->os, path, &rc->hdr) >= 0)
        rc->fHdr = true;
    rc->fChk = bj_chk_read(rc->os, rc->sysDir, rc->base, &rc->chk) >= 0;
    if (rc->fChk)
        for (uint32_t i = 0; i < rc->chk.cattach; i++)
            add_db(rc, rc->chk.rgattach[i].szPath, strlen(rc->chk.rgattach[i].szPath));
    if (rc->fHdr)
        for (uint32_t i = 0; i < rc->hdr.cattach; i++)
            add_db(rc, rc->hdr.rgattach[i].szPath, strlen(rc->hdr.rgattach[i].szPath));

    /* the databases every generation present attaches (the checkpoint may be past their
     * ATTACH records), and the records recovery will read from the checkpoint on */
    bj_logr *r = NULL;
    bj_logr_config cfg = {.os = rc->os, .szLogPath = rc->logDir, .szBaseName = rc->base};
    if (bj_logr_open(&cfg, &r) < 0)
        return;
    bj_logr_rec rec;
    bool fEnd = false;
    while (bj_logr_next(r, &rec, &fEnd) >= 0 && !fEnd) {
        if (!rc->fChk || rec.lsn >= rc->chk.lsnCheckpoint)
            rc->crecReplay++;
        bj_lr_attach a;
        if (rec.type == BJ_LR_ATTACH && bj_lr_attach_decode(rec.body, rec.cb, &a) >= 0)
            add_db(rc, a.path, a.cbPath);
    }
    bj_logr_close(r);
}

static const char *state_name(uint32_t s)
{
    switch (s) {
    case JET_dbstateJustCreated:
        return "Just Created";
    case JET_dbstateDirtyShutdown:
        return "Dirty Shutdown";
    case JET_dbstateCleanShutdown:
        return "Clean Shutdown";
    case JET_dbstateBeingConverted:
        return "Being Converted";
    case JET_dbstateForceDetach:
        return "Force Detach Replay Error";
    default:
        return "Illegal";
    }
}

/* Prints a database's state; *pfClean = whether it is Clean Shutdown. False when unreadable. */
static bool report_db(const char *path, const char *when, bool *pfClean)
{
    JET_DBINFOMISC4 misc;
    JET_ERR err = JetGetDatabaseFileInfo(path, &misc, sizeof(misc), JET_DbInfoMisc);
    if (err < 0) {
        printf("  %s: %s (%d)\n", path, bj_tool_err_name(err), (int)err);
        return false;
    }
    printf("  %s: %s %s, log required %" PRIu32 "-%" PRIu32 "\n", path, when,
           state_name(misc.dbstate), misc.genMinRequired, misc.genMaxRequired);
    *pfClean = misc.dbstate == JET_dbstateCleanShutdown;
    return true;
}

/* A folder parameter with its trailing '/'. */
static void folder(const char *dir, char *out, size_t cch)
{
    size_t n = strlen(dir);
    snprintf(out, cch, "%s%s", dir, n && dir[n - 1] == '/' ? "" : "/");
}

static int run_jet(recover *rc)
{
    JET_INSTANCE inst = 0;
    JET_ERR err;
    char logDir[BJ_PATH_MAX + 2], sysDir[BJ_PATH_MAX + 2];
    folder(rc->logDir, logDir, sizeof(logDir));
    folder(rc->sysDir, sysDir, sizeof(sysDir));
    if (rc->fHdr && rc->hdr.cbDbPage &&
        (err = JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, rc->hdr.cbDbPage, NULL)) <
            0) {
        bj_tool_err("JET_paramDatabasePageSize", err);
        return BJ_EXIT_ERROR;
    }
    if ((err = JetCreateInstance(&inst, "bluejet-recover")) < 0) {
        bj_tool_err("JetCreateInstance", err);
        return BJ_EXIT_ERROR;
    }
    const char *what = "JetSetSystemParameter";
    if ((err = JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, logDir)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, sysDir)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, sysDir)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, rc->base)) < 0 ||
        (rc->fHdr && (err = JetSetSystemParameter(&inst, 0, JET_paramLogFileSize,
                                                  rc->hdr.cbLogFile / 1024u, NULL)) < 0)) {
        bj_tool_err(what, err);
        JetTerm(inst);
        return BJ_EXIT_ERROR;
    }
    if ((err = JetInit(&inst)) < 0) {
        bj_tool_err("recovery (JetInit)", err);
        JetTerm(inst);
        return err == JET_errOutOfMemory || err == JET_errDiskIO ? BJ_EXIT_ERROR : BJ_EXIT_FAULTS;
    }
    if ((err = JetTerm(inst)) < 0) {
        bj_tool_err("JetTerm", err);
        return BJ_EXIT_FAULTS;
    }
    return BJ_EXIT_OK;
}

static const char usage[] =
    "usage: bluejet recover [--log DIR] [--system DIR] [--base NAME] [DIR]\n"
    "\n"
    "Runs crash recovery (esentutl /r): replays the transaction logs from the\n"
    "checkpoint onto the databases they name, takes back transactions that never\n"
    "committed, and leaves every database Clean Shutdown. DIR (default: the current\n"
    "folder) holds the logs and the checkpoint unless --log / --system say otherwise.\n"
    "Runs through the public API (JetCreateInstance, JetSetSystemParameter with the\n"
    "log file size and page size the logs were written with, JetInit, JetTerm), then\n"
    "prints each database's state (JetGetDatabaseFileInfo). Databases are found\n"
    "where the logs name them (paths as the application gave them).\n"
    "\n"
    "options:\n"
    "  --log DIR      the folder of the log files (JET_paramLogFilePath)\n"
    "  --system DIR   the folder of the checkpoint file (JET_paramSystemPath)\n"
    "  --base NAME    the log base name (JET_paramBaseName; default edb)\n"
    "  --help         this text\n"
    "\n"
    "exit status: 0 recovered and every database clean, 1 recovery failed (the\n"
    "error's name is printed, e.g. JET_errLogFileCorrupt) or a database is not\n"
    "clean, 2 usage or I/O error\n";

static int run_recover(int argc, char **argv)
{
    const char *logDir = NULL, *sysDir = NULL, *base = "edb";
    const bj_tool_opt opts[] = {
        {"--log", BJ_OPT_STR, &logDir, NULL},
        {"--system", BJ_OPT_STR, &sysDir, NULL},
        {"--base", BJ_OPT_STR, &base, NULL},
    };
    const char *pos[1] = {"."};
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_recover, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 0, 1, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    if (strlen(base) != 3) {
        bj_tool_msg("--base: a base name has 3 characters");
        return BJ_EXIT_ERROR;
    }
    const char *dir = npos ? pos[0] : ".";
    recover r;
    memset(&r, 0, sizeof(r));
    r.os = bj_os_posix();
    r.logDir = logDir ? logDir : dir;
    r.sysDir = sysDir ? sysDir : dir;
    r.base = base;
    bool exists = false, isDir = false;
    JET_ERR err = bj_os_stat(r.os, r.logDir, &exists, &isDir, NULL);
    if (err >= 0 && (!exists || !isDir))
        err = BJ_ERR(JET_errInvalidPath);
    if (err < 0) {
        bj_tool_err(r.logDir, err);
        return BJ_EXIT_ERROR;
    }

    survey(&r);
    printf("Log folder: %s, system folder: %s, base name: %s\n", r.logDir, r.sysDir, r.base);
    if (r.genHigh)
        printf("Generations present: %" PRIu32 "-%" PRIu32 " (0x%" PRIX32 "-0x%" PRIX32 ")\n",
               r.genLow, r.genHigh, r.genLow, r.genHigh);
    else
        printf("Generations present: none\n");
    if (r.fHdr)
        printf("Log file size: %" PRIu32 " KiB, database page size: %" PRIu32 "\n",
               r.hdr.cbLogFile / 1024u, r.hdr.cbDbPage);
    if (r.fChk) {
        bj_lgpos p = bj_lsn_to_lgpos(r.chk.lsnCheckpoint);
        printf("Checkpoint: %08" PRIX32 ":%04X:%04X; replaying generations %" PRIu32 "-%" PRIu32
               " (%" PRIu64 " records)\n",
               p.gen, (unsigned)p.isec, (unsigned)p.ib, p.gen, BJ_MAX(p.gen, r.genHigh),
               r.crecReplay);
    } else {
        printf("Checkpoint: none; replaying from the first generation (%" PRIu64 " records)\n",
               r.crecReplay);
    }
    printf("Databases named by the logs: %" PRIu32 "\n", r.cdb);
    for (uint32_t i = 0; i < r.cdb; i++) {
        bool fClean = false;
        report_db(r.rgdb[i], "before:", &fClean);
    }

    rc = run_jet(&r);
    if (rc == BJ_EXIT_OK) {
        printf("Recovery finished.\n");
        for (uint32_t i = 0; i < r.cdb; i++) {
            bool fClean = false;
            if (report_db(r.rgdb[i], "now", &fClean) && !fClean) {
                bj_tool_msg("%s is not clean after recovery", r.rgdb[i]);
                rc = BJ_EXIT_FAULTS;
            }
        }
    }
    for (uint32_t i = 0; i < r.cdb; i++)
        free(r.rgdb[i]);
    return rc;
}

const bj_tool_cmd bj_cmd_recover = {
    "recover",
    "crash recovery of a folder of logs and databases (esentutl /r)",
    usage,
    run_recover,
};
