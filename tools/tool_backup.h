/* tool_backup.h: what `bluejet backup` and `bluejet restore` share: an instance started on a
 * folder of logs (its sizes read from the logs), the clock, and `bluejet backup verify`. The
 * backup folders themselves (manifest, streaming, chain checks, restore) are backupset/'s.
 * Single-threaded; no locks.
 */
#ifndef BJ_TOOL_BACKUP_H
#define BJ_TOOL_BACKUP_H

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

/* Monotonic clock in nanoseconds. */
uint64_t bj_tool_now_ns(void);

/* `bluejet backup verify`: chain check, restore into a scratch folder, `bluejet check` on
 * each database. Returns a BJ_EXIT_* status. */
int bj_tool_verify_chain(const char *const *dirs, uint32_t n);

#endif /* BJ_TOOL_BACKUP_H */
