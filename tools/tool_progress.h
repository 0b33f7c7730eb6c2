/* tool_progress.h: the progress display of `bluejet backup` and `bluejet restore`.
 *
 * On a terminal (isatty of the output stream) one line is redrawn in place ("\r", the line,
 * erase to end of line), at most every 100 ms:
 *     backup [=============>             ]  48%  512.0 MB / 1.07 GB  123.4 MB/s  0:04 left
 * Elsewhere (a log file, a pipe) plain lines are written, one per 10% step and at most one a
 * second (every 10 s when the total is unknown):
 *     backup: 48% (512.0 MB of 1.07 GB), 123.4 MB/s, 4 s left
 * and a closing line in both modes:
 *     backup: done, 1.07 GB in 8.7 s, 123.4 MB/s
 * Sizes and rates are decimal (1 MB = 10^6 bytes). The rate is the average since the start.
 *
 * The formatting functions are pure (text from done, total, elapsed), for the unit tests. A
 * reporter is single-threaded; bj_progress_status() adapts an engine JET_PFNSTATUS callback to
 * the one reporter made current by bj_progress_set_current() (JET_PFNSTATUS has no context).
 */
#ifndef BJ_TOOL_PROGRESS_H
#define BJ_TOOL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <esent.h>

/* ---- pure formatting ---- */

/* n bytes as "999 B", "12.3 kB", "512.0 MB", "1.07 GB", "2.50 TB" into buf; returns buf. */
char *bj_progress_fmt_bytes(char *buf, size_t cb, uint64_t n);
/* A duration as "0:04", "12:34", "1:02:03" (seconds rounded up); "--:--" when s < 0 or not
 * finite or above 99 hours. Returns buf. */
char *bj_progress_fmt_eta(char *buf, size_t cb, double s);
/* Bytes per second over elapsed seconds (0 when elapsed <= 0). */
double bj_progress_rate(uint64_t done, double elapsed);
/* Seconds left at the average rate so far; -1 when unknown (no total, nothing done yet, or no
 * time passed). 0 when done >= total. */
double bj_progress_eta(uint64_t done, uint64_t total, double elapsed);
/* Percent done, 0..100 (done beyond total counts as 100; -1 when total is 0 = unknown). */
int bj_progress_percent(uint64_t done, uint64_t total);
/* The terminal line (no "\r", no newline), cut to width columns (>= 20); returns its length. */
size_t bj_progress_fmt_bar(char *buf, size_t cb, const char *label, uint64_t done, uint64_t total,
                           double elapsed, int width);
/* The plain line (no newline); returns its length. */
size_t bj_progress_fmt_line(char *buf, size_t cb, const char *label, uint64_t done, uint64_t total,
                            double elapsed);
/* The closing line (no newline): "label: done, ..." or, when !ok, "label: failed after ...". */
size_t bj_progress_fmt_end(char *buf, size_t cb, const char *label, uint64_t done, double elapsed,
                           bool ok);

/* For progress counted in percent (an engine's JET_SNPROG, whatever its units): the terminal
 * line ("restore [=====>     ]  48%  0:04 left", cut to width) or, with tty false, the plain
 * line ("restore: 48%, 4 s left"); pct in 0..100. Returns the length. */
size_t bj_progress_fmt_pct(char *buf, size_t cb, const char *label, int pct, double elapsed,
                           bool tty, int width);
/* The closing line in percent mode: "label: done in 8.7 s" or "label: failed after 8.7 s". */
size_t bj_progress_fmt_end_pct(char *buf, size_t cb, const char *label, double elapsed, bool ok);

/* ---- the reporter ---- */

typedef struct bj_progress {
    FILE *out;
    bool tty;   /* redraw one line in place */
    bool quiet; /* print nothing */
    int width;  /* terminal columns */
    char label[32];
    uint64_t total; /* 0: unknown */
    uint64_t done;
    double t0;             /* start, on clock() */
    double tLast;          /* last output, on clock(); < 0 before the first */
    int lastStep;          /* plain mode: last 10% step printed */
    bool drawn;            /* tty: a bar is on the screen (end needs a newline) */
    bool percent;          /* done / total are percent units (bj_progress_status), not bytes */
    double (*clock)(void); /* seconds, monotonic; tests may replace it */
} bj_progress;

/* Starts a reporter on out (stderr when NULL): tty mode when out is a terminal, then its width
 * from the terminal (80 when unknown). total 0 = unknown. */
void bj_progress_begin(bj_progress *p, FILE *out, const char *label, uint64_t total);
/* Sets or changes the total (e.g. once the backup knows its files' sizes). */
void bj_progress_set_total(bj_progress *p, uint64_t total);
/* Records done bytes so far, and draws or prints when it is time (see the header comment). */
void bj_progress_update(bj_progress *p, uint64_t done);
/* Adds cb to the done bytes (bj_progress_update(done + cb)). */
void bj_progress_add(bj_progress *p, uint64_t cb);
/* Whether an update at time now (clock seconds) with done bytes would write output: the rule
 * of bj_progress_update, pure on p. */
bool bj_progress_due(const bj_progress *p, uint64_t done, double now);
/* Ends the display: the final bar (tty) and the closing line. */
void bj_progress_end(bj_progress *p, bool ok);

/* ---- the engine's status callback ---- */

/* Makes p the reporter bj_progress_status() feeds (NULL: none). */
void bj_progress_set_current(bj_progress *p);
/* A JET_PFNSTATUS for JetBackupInstance / JetRestoreInstance / JetExternalRestore2 / JetInit3:
 * JET_sntProgress with a JET_SNPROG maps cunitDone / cunitTotal onto the current reporter's
 * total (bytes), or, when it has none, switches it to percent mode (total 100, lines without
 * bytes or rate); other notifications change nothing. Returns JET_errSuccess (never cancels). */
JET_ERR JET_API bj_progress_status(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv);

#endif /* BJ_TOOL_PROGRESS_H */
