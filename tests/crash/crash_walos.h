/* crash_walos.h: a test OS backend wrapping another (the in-memory one) that (1) simulates a
 * power loss at the Nth write or sync call and (2) checks the WAL rule on every database page
 * write.
 *
 * The WAL check (what exactly is asserted). The checker knows the database's dbtime counter
 * (the engine's bj_bt_dbctx.dbtime: the last dbtime handed out; every logged page operation
 * takes its dbtime before its record is appended, and the record carries it). It watches:
 *   - writes to log files (names ending in ".log"): before forwarding a write it samples the
 *     counter, D. Every record in that write was appended before the write was issued, so its
 *     dbtime is <= D. The file's "pending" bound becomes max(pending, D) when the write succeeds.
 *   - syncs of log files: when one succeeds, dSynced = max(dSynced, that file's pending bound)
 *     and the pending bound is reset. So a log record with dbtime d can be durable only if
 *     d <= dSynced (the converse need not hold: dSynced over-approximates what is durable).
 *   - writes to the database file (name ending in the configured name): for every whole page
 *     in the write past the two header pages, the page's dbtime d (page header) must satisfy
 *     d <= dSynced at the moment the write is issued. A page carrying d > dSynced is written
 *     while the record of the operation that stamped d cannot be durable yet: a WAL violation.
 * The assertion is sound (no false alarm) given that the counter is monotonic and a record
 * carries the dbtime its operation took. It is weaker than the full rule in two ways: it
 * counts a log write as covering every dbtime handed out before it (a record whose dbtime was
 * taken but which was appended after the write is missed), and it treats all log files alike
 * (a write to edbtmp.log counts). When the counter is not available (wal_dbtime NULL: between
 * a database's detach and the next enable), a log write counts as covering every dbtime.
 * Headers (pages 0 and 1 of the file) are not checked: they carry no page dbtime.
 *
 * Thread-safe: one mutex guards the checker state; the power-loss trigger is an atomic count.
 */
#ifndef BJ_TESTS_CRASH_WALOS_H
#define BJ_TESTS_CRASH_WALOS_H

#include <stdatomic.h>

#include "os/os.h"

typedef struct walos_stats {
    uint64_t pageWrites; /* database pages checked */
    uint64_t logWrites;  /* log file writes seen */
    uint64_t logSyncs;   /* log file syncs that succeeded */
    uint64_t violations; /* pages written ahead of the log */
    char first[512];     /* the first violation */
} walos_stats;

/* A wrapper over inner (not owned). dbName: the database file's name (suffix of its path). */
bj_os *walos_create(bj_os *inner, const char *dbName, uint32_t cbPage);
void walos_destroy(bj_os *os);
/* Starts checking with the database's dbtime counter (NULL: stop using it; see above);
 * dSynced starts at the counter's current value (everything before is taken as durable). */
void walos_enable(bj_os *os, const _Atomic uint64_t *dbtime);
/* Stops checking altogether. */
void walos_disable(bj_os *os);
/* The power goes now (see bj_os_mem_power_loss); every later change fails until
 * walos_arm_power_loss(os, 0, 0) (the reboot). */
void walos_power_loss_now(bj_os *os, uint64_t seed);
/* BJ_WO_TRACE: the last folder operations, for a failure's report. */
void walos_trace_note(const char *what);
void walos_trace_dump(void);
/* The database's counter is about to go away (detach / term): later log writes no longer read
 * it (no page of it can be written after that). */
void walos_forget_dbtime(bj_os *os);
void walos_get_stats(bj_os *os, walos_stats *st);
/* From now on, the nth write-or-sync call (1-based; 0: never) first calls
 * bj_os_mem_power_loss(inner, seed) and is then forwarded (and fails: the files are dead). */
void walos_arm_power_loss(bj_os *os, uint64_t nth, uint64_t seed);
/* Whether the armed power loss happened; write+sync calls counted since arming. */
bool walos_power_lost(bj_os *os);
uint64_t walos_calls(bj_os *os);

#endif
