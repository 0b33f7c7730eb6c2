/* tool_backup.h: what `bluejet backup` and `bluejet restore` share: an instance started on a
 * folder of logs (its sizes read from the logs), folder helpers, and the restore of a chain of
 * backup folders (also run by `bluejet backup verify`). Single-threaded; no locks.
 */
#ifndef BJ_TOOL_BACKUP_H
#define BJ_TOOL_BACKUP_H

#include "backup_set.h"
#include "common/common.h"

typedef struct bj_tool_instance {
    JET_INSTANCE inst;
    JET_SESID sesid;
    uint32_t cbPage, cbLogFileKb; /* as the folder's logs were written */
} bj_tool_instance;

/* Creates and initializes an instance on logDir/sysDir (JetInit recovers it) with the page
 * and log file sizes of the folder's newest log, and begins a session. Errors are printed. */
JET_ERR bj_tool_instance_start(bj_tool_instance *ti, const char *name, const char *logDir,
                               const char *sysDir, const char *base);
/* Ends the session, detaches everything and terminates the instance. */
void bj_tool_instance_stop(bj_tool_instance *ti);

/* dir made if missing; it must then be empty. *out = its absolute path. Errors printed. */
JET_ERR bj_tool_make_empty_dir(const char *dir, char *out, size_t cch);
/* Monotonic clock in nanoseconds. */
uint64_t bj_tool_now_ns(void);

/* Where a restore stops (both 0: replay everything). */
typedef struct bj_tool_stop {
    bool fLgpos;
    uint32_t gen, isec, ib; /* replay up to this log position */
    bool fTime;
    int64_t timeUtc;        /* replay the commits made at or before this time (seconds) */
} bj_tool_stop;

/* Restores the chain rg[0..n) into target (made empty): the images of the first set are
 * copied there under their file names, the chain's logs staged in a sub-folder, and the
 * engine replays them (JetExternalRestore2, or the point-in-time restore with a stop). On
 * success the target holds the databases, clean, and a log stream that continues there;
 * prgdb[i] (optional) receive the restored database paths. Errors printed. */
JET_ERR bj_tool_restore_chain(const bj_bkset *rg, uint32_t n, const char *target,
                              const bj_tool_stop *stop, bool fProgress);
/* The point-in-time restore (the engine's internal entry): logs genLow..genHigh in stageDir,
 * databases mapped by map[0..cmap), replay stopped where stop says. */
JET_ERR bj_tool_restore_pit(const char *sysDir, const char *logDir, const JET_RSTMAP *map,
                            uint32_t cmap, const char *stageDir, uint32_t genLow,
                            uint32_t genHigh, const bj_tool_stop *stop, JET_PFNSTATUS pfn);
/* `bluejet backup verify`: chain check, restore into a scratch folder, `bluejet check` on
 * each database. Returns a BJ_EXIT_* status. */
int bj_tool_verify_chain(const char *const *dirs, uint32_t n);

#endif /* BJ_TOOL_BACKUP_H */
