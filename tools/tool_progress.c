/* tool_progress.c: the progress display of `bluejet backup` / `bluejet restore` (see
 * tool_progress.h): pure formatting of a bar or a line from (done, total, elapsed), and a
 * reporter that decides when to draw. Single-threaded, except that bj_progress_status() may be
 * called from the engine's thread that runs the backup or restore (the caller's thread in
 * JetBackupInstance and friends): the current reporter is then used by that thread only.
 */
#include "tool_progress.h"

#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_TTY_INTERVAL 0.1  /* seconds between redraws on a terminal */
#define PROGRESS_LINE_INTERVAL 1.0 /* at most one plain line a second */
#define PROGRESS_UNKNOWN_INTERVAL 10.0

/* Whole seconds, rounded up (s >= 0, finite). */
static unsigned long progress_ceil(double s)
{
    unsigned long t = (unsigned long)s;
    return (double)t < s ? t + 1 : t;
}

char *bj_progress_fmt_bytes(char *buf, size_t cb, uint64_t n)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    if (n < 1000) {
        snprintf(buf, cb, "%u B", (unsigned)n);
        return buf;
    }
    double v = (double)n / 1000.0;
    int u = 0;
    while (v >= 1000.0 && u < 4) {
        v /= 1000.0;
        u++;
    }
    /* three significant digits from GB up, one decimal below */
    if (u >= 2 && v < 10.0)
        snprintf(buf, cb, "%.2f %s", v, units[u]);
    else
        snprintf(buf, cb, "%.1f %s", v, units[u]);
    return buf;
}

char *bj_progress_fmt_eta(char *buf, size_t cb, double s)
{
    if (!(s >= 0) || !isfinite(s) || s > 99.0 * 3600.0) {
        snprintf(buf, cb, "--:--");
        return buf;
    }
    unsigned long t = progress_ceil(s);
    unsigned long h = t / 3600, m = (t / 60) % 60, sec = t % 60;
    if (h)
        snprintf(buf, cb, "%lu:%02lu:%02lu", h, m, sec);
    else
        snprintf(buf, cb, "%lu:%02lu", m, sec);
    return buf;
}

double bj_progress_rate(uint64_t done, double elapsed)
{
    return elapsed > 0 ? (double)done / elapsed : 0.0;
}

double bj_progress_eta(uint64_t done, uint64_t total, double elapsed)
{
    if (total == 0)
        return -1;
    if (done >= total)
        return 0;
    if (done == 0 || elapsed <= 0)
        return -1;
    return (double)(total - done) / bj_progress_rate(done, elapsed);
}

int bj_progress_percent(uint64_t done, uint64_t total)
{
    if (total == 0)
        return -1;
    if (done >= total)
        return 100;
    return (int)((double)done * 100.0 / (double)total);
}

static void fmt_rate(char *buf, size_t cb, uint64_t done, double elapsed)
{
    if (elapsed <= 0) {
        snprintf(buf, cb, "-- MB/s");
        return;
    }
    snprintf(buf, cb, "%.1f MB/s", bj_progress_rate(done, elapsed) / 1e6);
}

size_t bj_progress_fmt_bar(char *buf, size_t cb, const char *label, uint64_t done, uint64_t total,
                           double elapsed, int width)
{
    char sDone[32], sTotal[32], sRate[32], sEta[32], tail[160];
    int cols = (width < 20 ? 20 : width) - 1; /* never the last column: no wrap */
    if (cb == 0)
        return 0;
    bj_progress_fmt_bytes(sDone, sizeof sDone, done);
    fmt_rate(sRate, sizeof sRate, done, elapsed);
    if (total == 0) {
        snprintf(buf, cb, "%s  %s  %s", label, sDone, sRate);
    } else {
        int pct = bj_progress_percent(done, total);
        bj_progress_fmt_bytes(sTotal, sizeof sTotal, total);
        bj_progress_fmt_eta(sEta, sizeof sEta, bj_progress_eta(done, total, elapsed));
        snprintf(tail, sizeof tail, " %3d%%  %s / %s  %s  %s left", pct, sDone, sTotal, sRate,
                 sEta);
        int cBar = cols - (int)strlen(label) - 3 - (int)strlen(tail);
        if (cBar < 10) {
            snprintf(buf, cb, "%s%s", label, tail);
        } else {
            char bar[512];
            if (cBar > (int)sizeof bar - 1)
                cBar = (int)sizeof bar - 1;
            int cFull = (int)((double)cBar * pct / 100.0);
            for (int i = 0; i < cBar; i++)
                bar[i] = i < cFull ? '=' : ' ';
            if (cFull < cBar)
                bar[cFull] = '>';
            bar[cBar] = 0;
            snprintf(buf, cb, "%s [%s]%s", label, bar, tail);
        }
    }
    size_t n = strlen(buf);
    if (n > (size_t)cols) {
        n = (size_t)cols;
        buf[n] = 0;
    }
    return n;
}

size_t bj_progress_fmt_line(char *buf, size_t cb, const char *label, uint64_t done, uint64_t total,
                            double elapsed)
{
    char sDone[32], sTotal[32], sRate[32], sEta[32];
    if (cb == 0)
        return 0;
    bj_progress_fmt_bytes(sDone, sizeof sDone, done);
    fmt_rate(sRate, sizeof sRate, done, elapsed);
    if (total == 0) {
        snprintf(buf, cb, "%s: %s, %s", label, sDone, sRate);
    } else {
        double eta = bj_progress_eta(done, total, elapsed);
        bj_progress_fmt_bytes(sTotal, sizeof sTotal, total);
        if (eta < 0)
            snprintf(sEta, sizeof sEta, "time left unknown");
        else
            snprintf(sEta, sizeof sEta, "%lu s left", progress_ceil(eta));
        snprintf(buf, cb, "%s: %d%% (%s of %s), %s, %s", label, bj_progress_percent(done, total),
                 sDone, sTotal, sRate, sEta);
    }
    return strlen(buf);
}

size_t bj_progress_fmt_end(char *buf, size_t cb, const char *label, uint64_t done, double elapsed,
                           bool ok)
{
    char sDone[32], sRate[32];
    if (cb == 0)
        return 0;
    bj_progress_fmt_bytes(sDone, sizeof sDone, done);
    fmt_rate(sRate, sizeof sRate, done, elapsed);
    snprintf(buf, cb, "%s: %s %s in %.1f s, %s", label, ok ? "done," : "failed after", sDone,
             elapsed < 0 ? 0.0 : elapsed, sRate);
    return strlen(buf);
}

size_t bj_progress_fmt_pct(char *buf, size_t cb, const char *label, int pct, double elapsed,
                           bool tty, int width)
{
    char sEta[32], tail[64], bar[512];
    int cols = (width < 20 ? 20 : width) - 1;
    if (cb == 0)
        return 0;
    pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
    /* time left at the average rate in percent per second */
    double eta = pct > 0 && elapsed > 0 ? elapsed * (100 - pct) / pct : -1;
    if (!tty) {
        if (eta < 0)
            snprintf(buf, cb, "%s: %d%%, time left unknown", label, pct);
        else
            snprintf(buf, cb, "%s: %d%%, %lu s left", label, pct, progress_ceil(eta));
        return strlen(buf);
    }
    bj_progress_fmt_eta(sEta, sizeof sEta, eta);
    snprintf(tail, sizeof tail, " %3d%%  %s left", pct, sEta);
    int cBar = cols - (int)strlen(label) - 3 - (int)strlen(tail);
    if (cBar < 10) {
        snprintf(buf, cb, "%s%s", label, tail);
    } else {
        if (cBar > (int)sizeof bar - 1)
            cBar = (int)sizeof bar - 1;
        int cFull = cBar * pct / 100;
        for (int i = 0; i < cBar; i++)
            bar[i] = i < cFull ? '=' : ' ';
        if (cFull < cBar)
            bar[cFull] = '>';
        bar[cBar] = 0;
        snprintf(buf, cb, "%s [%s]%s", label, bar, tail);
    }
    size_t n = strlen(buf);
    if (n > (size_t)cols) {
        n = (size_t)cols;
        buf[n] = 0;
    }
    return n;
}

size_t bj_progress_fmt_end_pct(char *buf, size_t cb, const char *label, double elapsed, bool ok)
{
    if (cb == 0)
        return 0;
    snprintf(buf, cb, "%s: %s %.1f s", label, ok ? "done in" : "failed after",
             elapsed < 0 ? 0.0 : elapsed);
    return strlen(buf);
}

/* ---- the reporter ---- */

static double progress_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int progress_step(const bj_progress *p, uint64_t done)
{
    int pct = bj_progress_percent(done, p->total);
    return pct < 0 ? -1 : pct / 10;
}

void bj_progress_begin(bj_progress *p, FILE *out, const char *label, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->out = out ? out : stderr;
    p->tty = isatty(fileno(p->out)) == 1;
    p->width = 80;
    if (p->tty) {
        struct winsize ws;
        if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
            p->width = ws.ws_col;
    }
    snprintf(p->label, sizeof p->label, "%s", label ? label : "progress");
    p->total = total;
    p->clock = progress_clock;
    p->t0 = p->clock();
    p->tLast = -1;
    p->lastStep = 0;
}

void bj_progress_set_total(bj_progress *p, uint64_t total)
{
    p->total = total;
    p->lastStep = progress_step(p, p->done);
    if (p->lastStep < 0)
        p->lastStep = 0;
}

bool bj_progress_due(const bj_progress *p, uint64_t done, double now)
{
    double since = p->tLast < 0 ? now - p->t0 : now - p->tLast;
    if (p->quiet)
        return false;
    if (p->tty)
        return p->tLast < 0 || since >= PROGRESS_TTY_INTERVAL;
    if (p->total == 0)
        return since >= PROGRESS_UNKNOWN_INTERVAL;
    int step = progress_step(p, done);
    /* a new 10% step, not the last one (the closing line tells 100%), at most once a second */
    return step > p->lastStep && step < 10 && since >= PROGRESS_LINE_INTERVAL;
}

void bj_progress_update(bj_progress *p, uint64_t done)
{
    char line[512];
    double now = p->clock();
    p->done = done;
    if (!bj_progress_due(p, done, now))
        return;
    p->tLast = now;
    if (p->percent)
        bj_progress_fmt_pct(line, sizeof line, p->label, bj_progress_percent(done, p->total),
                            now - p->t0, p->tty, p->width);
    else if (p->tty)
        bj_progress_fmt_bar(line, sizeof line, p->label, done, p->total, now - p->t0, p->width);
    else
        bj_progress_fmt_line(line, sizeof line, p->label, done, p->total, now - p->t0);
    if (p->tty) {
        fprintf(p->out, "\r%s\033[K", line);
        p->drawn = true;
    } else {
        int step = progress_step(p, done);
        if (step > p->lastStep)
            p->lastStep = step;
        fprintf(p->out, "%s\n", line);
    }
    fflush(p->out);
}

void bj_progress_add(bj_progress *p, uint64_t cb)
{
    bj_progress_update(p, p->done + cb);
}

void bj_progress_end(bj_progress *p, bool ok)
{
    char line[512];
    double elapsed = p->clock() - p->t0;
    if (p->quiet)
        return;
    if (p->tty) {
        if (ok && p->total) {
            if (p->percent)
                bj_progress_fmt_pct(line, sizeof line, p->label,
                                    bj_progress_percent(p->done, p->total), elapsed, true,
                                    p->width);
            else
                bj_progress_fmt_bar(line, sizeof line, p->label, p->done, p->total, elapsed,
                                    p->width);
            fprintf(p->out, "\r%s\033[K\n", line);
        } else if (p->drawn) {
            fputc('\n', p->out);
        }
    }
    if (p->percent)
        bj_progress_fmt_end_pct(line, sizeof line, p->label, elapsed, ok);
    else
        bj_progress_fmt_end(line, sizeof line, p->label, p->done, elapsed, ok);
    fprintf(p->out, "%s\n", line);
    fflush(p->out);
}

/* ---- the engine's status callback ---- */

static bj_progress *g_current;

void bj_progress_set_current(bj_progress *p)
{
    g_current = p;
}

JET_ERR JET_API bj_progress_status(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv)
{
    (void)sesid;
    (void)snp;
    bj_progress *p = g_current;
    const JET_SNPROG *prog = pv;
    if (!p || snt != JET_sntProgress || !prog || prog->cunitTotal == 0)
        return JET_errSuccess;
    uint64_t scale = p->total ? p->total : 100;
    uint64_t done = (uint64_t)((double)scale * (double)prog->cunitDone / (double)prog->cunitTotal);
    if (!p->total) {
        p->percent = true;
        bj_progress_set_total(p, 100);
    }
    bj_progress_update(p, done > scale ? scale : done);
    return JET_errSuccess;
}
