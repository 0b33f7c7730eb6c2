/* cmd_restore.c: `bluejet restore --to DIR [--stop-at G:S:B | --stop-time T] BACKUPDIR
 * [INCDIR...]`, restore of a chain of backup folders (written by `bluejet backup`) into a new
 * folder through the engine's restore (JetExternalRestore2; with a stop, the engine's point-in-
 * time restore). The databases end Clean Shutdown in DIR, whose log stream continues there, so
 * an application can JetInit on DIR. Exit status: 0 restored, 1 the restore failed (the error's
 * name is printed), 2 usage or I/O error. Single-threaded; no locks.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "backup_restore.h"
#include "tool.h"
#include "tool_backup.h"
#include "tool_progress.h"

static const char usage[] =
    "usage: bluejet restore --to DIR [--stop-at GEN:ISEC:IB | --stop-time TIME]\n"
    "                       BACKUPDIR [INCDIR...]\n"
    "\n"
    "Restores a chain of backup folders written by `bluejet backup`: a full (or copy)\n"
    "backup, then incremental or differential ones in the order they were taken.\n"
    "The images are copied into DIR (a new or empty folder) under their file names,\n"
    "the chain's log generations are replayed onto them by the engine, unfinished\n"
    "transactions are taken back, and the databases end Clean Shutdown. The log\n"
    "stream continues in DIR: an application can run JetInit there.\n"
    "\n"
    "Point in time (bluejet goes beyond ESE here): replay can stop at a log position\n"
    "or after the last commit made at or before a time; the databases are consistent\n"
    "there (transactions not committed by then are taken back).\n"
    "\n"
    "options:\n"
    "  --to DIR          where the databases go (required)\n"
    "  --stop-at G:S:B   stop at log position generation G, sector S, byte B (hex as\n"
    "                    `bluejet logs` prints them: 0x1A:0x10:0x0, or decimal)\n"
    "  --stop-time TIME  stop after the last commit at or before TIME, UTC:\n"
    "                    YYYY-MM-DDTHH:MM:SS (a trailing Z is accepted)\n"
    "  --quiet           no progress display\n"
    "  --help            this text\n"
    "\n"
    "exit status: 0 restored, 1 the restore failed, 2 usage or I/O error\n";

static bool parse_lgpos(const char *s, bj_bks_stop *st)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *a = buf, *b = strchr(a, ':'), *c = b ? strchr(b + 1, ':') : NULL;
    if (!b || !c)
        return false;
    *b++ = '\0';
    *c++ = '\0';
    return bj_tool_parse_u32(a, &st->gen) && bj_tool_parse_u32(b, &st->isec) &&
           bj_tool_parse_u32(c, &st->ib) && st->gen && st->isec <= 0xffff && st->ib <= 0xffff;
}

/* UTC "YYYY-MM-DDTHH:MM:SS[.mmm][Z]" (or a space for the T) into milliseconds since 1970. */
static bool parse_time(const char *s, int64_t *pms)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (!end)
        return false;
    int64_t ms = 0;
    if (*end == '.') {
        char *e2;
        long v = strtol(end + 1, &e2, 10);
        if (e2 - (end + 1) != 3 || v < 0)
            return false;
        ms = v;
        end = e2;
    }
    if (*end && strcmp(end, "Z"))
        return false;
    *pms = (int64_t)timegm(&tm) * 1000 + ms;
    return true;
}

static void on_pct(void *ctx, uint32_t pct)
{
    bj_progress_update(ctx, pct);
}

static int run_restore(int argc, char **argv)
{
    const char *to = NULL, *stopAt = NULL, *stopTime = NULL;
    bool fQuiet = false;
    const bj_tool_opt opts[] = {
        {"--to", BJ_OPT_STR, &to, NULL},
        {"--stop-at", BJ_OPT_STR, &stopAt, NULL},
        {"--stop-time", BJ_OPT_STR, &stopTime, NULL},
        {"--quiet", BJ_OPT_FLAG, &fQuiet, NULL},
    };
    const char *pos[16];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_restore, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 16,
                           &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    if (!to) {
        bj_tool_msg("--to DIR is required");
        return BJ_EXIT_ERROR;
    }
    bj_bks_stop stop;
    memset(&stop, 0, sizeof stop);
    if (stopAt && stopTime) {
        bj_tool_msg("--stop-at and --stop-time exclude each other");
        return BJ_EXIT_ERROR;
    }
    if (stopAt && !(stop.fLgpos = parse_lgpos(stopAt, &stop))) {
        bj_tool_msg("--stop-at: GEN:ISEC:IB, e.g. 0x1A:0x10:0x0");
        return BJ_EXIT_ERROR;
    }
    if (stopTime && !(stop.fTime = parse_time(stopTime, &stop.msUtc))) {
        bj_tool_msg("--stop-time: YYYY-MM-DDTHH:MM:SS[.mmm] (UTC)");
        return BJ_EXIT_ERROR;
    }
    bj_progress prog;
    bj_progress_begin(&prog, stderr, "restore", 100);
    prog.quiet = fQuiet;
    prog.percent = true; /* the engine reports percent of the generations replayed */
    bj_bks_restored res;
    char msg[BJ_PATH_MAX + 256];
    JET_ERR err = bj_bks_restore(pos, (uint32_t)npos, to, &stop, on_pct, &prog, &res, msg,
                                 sizeof msg);
    bj_progress_end(&prog, err >= 0);
    if (err < 0) {
        bj_tool_msg("%s", msg);
        return err == JET_errFileNotFound || err == JET_errBackupDirectoryNotEmpty ||
                       err == JET_errInvalidPath
                   ? BJ_EXIT_ERROR
                   : BJ_EXIT_FAULTS;
    }
    const double mb = (double)res.cbReplayed / 1e6;
    printf("restored %u database(s) into %s: log generations %u-%u, %llu records (%.1f MB)"
           " replayed in %.2f s (%.1f MB/s)%s\n",
           res.cdb, to, res.genLow, res.genHigh, (unsigned long long)res.cRecords, mb, res.sec,
           res.sec > 0 ? mb / res.sec : 0.0,
           res.fStopped ? ", stopped at the point in time asked (a new log stream begins)" : "");
    for (uint32_t i = 0; i < res.cdb; i++)
        printf("  %s\n", res.rgdb[i]);
    return BJ_EXIT_OK;
}

const bj_tool_cmd bj_cmd_restore = {
    "restore",
    "restore a chain of backup folders into a new folder, optionally to a point in time",
    usage,
    run_restore,
};
