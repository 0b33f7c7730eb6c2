/* test_tool_progress.c: the CLI's progress display (tools/tool_progress.c, compiled into this
 * suite): sizes, durations, rates and time left; the terminal bar and the plain line from
 * (done, total, elapsed); when the reporter draws (100 ms on a terminal, 10% steps at most once
 * a second elsewhere); the closing line; the JET_PFNSTATUS adapter. A fake clock drives time.
 */
#include "testlib.h"
#include "tool_progress.h"

TEST(fmt_bytes)
{
    char b[32];
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 0), "0 B");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 999), "999 B");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 1000), "1.0 kB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 12345), "12.3 kB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 512000000), "512.0 MB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 1073741824), "1.07 GB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 25000000000ULL), "25.0 GB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, 2500000000000ULL), "2.50 TB");
    CHECK_STR(bj_progress_fmt_bytes(b, sizeof b, UINT64_MAX), "18446.7 PB");
    char small[4];
    bj_progress_fmt_bytes(small, sizeof small, 512000000); /* truncated, terminated */
    CHECK_EQ(strlen(small), 3);
}

TEST(fmt_eta)
{
    char b[32];
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 0), "0:00");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 3.2), "0:04");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 754), "12:34");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 3723), "1:02:03");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, -1), "--:--");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 1e9), "--:--");
    CHECK_STR(bj_progress_fmt_eta(b, sizeof b, 0.0 / 0.0), "--:--");
}

TEST(rate_eta_percent)
{
    CHECK(bj_progress_rate(100000000, 2.0) == 50000000.0);
    CHECK(bj_progress_rate(100, 0) == 0.0);
    /* 250 MB of 1 GB in 5 s: 50 MB/s, 15 s left */
    CHECK(bj_progress_eta(250000000, 1000000000, 5.0) == 15.0);
    CHECK(bj_progress_eta(0, 1000, 5.0) == -1);
    CHECK(bj_progress_eta(10, 1000, 0) == -1);
    CHECK(bj_progress_eta(10, 0, 5.0) == -1);
    CHECK(bj_progress_eta(2000, 1000, 5.0) == 0);
    CHECK_EQ(bj_progress_percent(0, 1000), 0);
    CHECK_EQ(bj_progress_percent(999, 1000), 99);
    CHECK_EQ(bj_progress_percent(1000, 1000), 100);
    CHECK_EQ(bj_progress_percent(5000, 1000), 100);
    CHECK_EQ(bj_progress_percent(5, 0), -1);
    /* no overflow near 2^64 */
    CHECK_EQ(bj_progress_percent(UINT64_MAX / 2, UINT64_MAX), 50);
}

TEST(bar_line)
{
    char b[512];
    size_t n = bj_progress_fmt_bar(b, sizeof b, "backup", 250000000, 1000000000, 5.0, 80);
    printf("  [%s]\n", b);
    CHECK_EQ(n, strlen(b));
    CHECK_EQ(n, 79); /* fills the line but the last column */
    CHECK(strncmp(b, "backup [", 8) == 0);
    CHECK(strstr(b, "]  25%  250.0 MB / 1.00 GB  50.0 MB/s  0:15 left") != NULL);
    /* a quarter of the bar is full */
    const char *open = strchr(b, '['), *close = strchr(b, ']');
    int cBar = (int)(close - open - 1), cFull = 0;
    for (const char *c = open + 1; c < close; c++)
        cFull += *c == '=';
    CHECK_EQ(cFull, cBar / 4);
    CHECK_EQ(open[1 + cFull], '>');

    /* complete: a full bar, no arrow, 0:00 left */
    n = bj_progress_fmt_bar(b, sizeof b, "restore", 1000, 1000, 1.0, 72);
    CHECK_EQ(n, 71);
    CHECK(strstr(b, "=]") != NULL && strchr(b, '>') == NULL);
    CHECK(strstr(b, "100%") != NULL && strstr(b, "0:00 left") != NULL);

    /* too narrow for a bar: the figures alone, cut to the width */
    n = bj_progress_fmt_bar(b, sizeof b, "backup", 250000000, 1000000000, 5.0, 40);
    printf("  [%s]\n", b);
    CHECK(n <= 39);
    CHECK(strchr(b, '[') == NULL);
    CHECK(strncmp(b, "backup  25%  250.0 MB", 21) == 0);

    /* unknown total: done and rate; nothing elapsed yet: no rate, unknown time */
    bj_progress_fmt_bar(b, sizeof b, "backup", 3000000, 0, 2.0, 80);
    CHECK_STR(b, "backup  3.0 MB  1.5 MB/s");
    bj_progress_fmt_bar(b, sizeof b, "backup", 0, 1000, 0, 80);
    CHECK(strstr(b, "0%  0 B / 1.0 kB  -- MB/s  --:-- left") != NULL);

    /* a tiny buffer is filled and terminated */
    char t[8];
    n = bj_progress_fmt_bar(t, sizeof t, "backup", 1, 2, 1.0, 80);
    CHECK_EQ(n, 7);
    CHECK_STR(t, "backup ");
}

TEST(plain_line_and_end)
{
    char b[256];
    bj_progress_fmt_line(b, sizeof b, "backup", 480000000, 1000000000, 4.0);
    CHECK_STR(b, "backup: 48% (480.0 MB of 1.00 GB), 120.0 MB/s, 5 s left");
    bj_progress_fmt_line(b, sizeof b, "restore", 0, 1000000000, 0.5);
    CHECK_STR(b, "restore: 0% (0 B of 1.00 GB), 0.0 MB/s, time left unknown");
    bj_progress_fmt_line(b, sizeof b, "restore", 7000000, 0, 2.0);
    CHECK_STR(b, "restore: 7.0 MB, 3.5 MB/s");
    bj_progress_fmt_end(b, sizeof b, "backup", 1073741824, 8.7, true);
    CHECK_STR(b, "backup: done, 1.07 GB in 8.7 s, 123.4 MB/s");
    bj_progress_fmt_end(b, sizeof b, "backup", 5000000, 2.0, false);
    CHECK_STR(b, "backup: failed after 5.0 MB in 2.0 s, 2.5 MB/s");
}

static double g_now;
static double fake_clock(void)
{
    return g_now;
}

/* A reporter on a temporary file (not a terminal) with the fake clock. */
static FILE *plain_reporter(bj_progress *p, uint64_t total)
{
    FILE *f = tmpfile();
    g_now = 100.0;
    bj_progress_begin(p, f, "backup", total);
    p->clock = fake_clock;
    p->t0 = g_now;
    return f;
}

static int count_lines(FILE *f, char *last, size_t cb)
{
    char line[512];
    int n = 0;
    rewind(f);
    while (fgets(line, sizeof line, f)) {
        n++;
        snprintf(last, cb, "%s", line);
    }
    return n;
}

TEST(plain_reporter_steps)
{
    bj_progress p;
    char last[512];
    FILE *f = plain_reporter(&p, 1000);
    REQUIRE(f);
    CHECK(!p.tty);
    /* 5% after 2 s: no step yet */
    g_now += 2;
    bj_progress_update(&p, 50);
    CHECK_EQ(count_lines(f, last, sizeof last), 0);
    /* 12%: the 10% step */
    g_now += 0.5;
    bj_progress_update(&p, 120);
    CHECK_EQ(count_lines(f, last, sizeof last), 1);
    CHECK(strncmp(last, "backup: 12% (120 B of 1.0 kB)", 29) == 0);
    /* 25% only 0.5 s later: held back (at most one line a second) */
    g_now += 0.5;
    CHECK(!bj_progress_due(&p, 250, g_now));
    bj_progress_update(&p, 250);
    CHECK_EQ(count_lines(f, last, sizeof last), 1);
    /* 1 s after the last line: printed (20%'s step, reaching 26%) */
    g_now += 0.6;
    bj_progress_update(&p, 260);
    CHECK_EQ(count_lines(f, last, sizeof last), 2);
    CHECK(strncmp(last, "backup: 26%", 11) == 0);
    /* 29% a while later: still the 20% step, nothing */
    g_now += 5;
    bj_progress_update(&p, 290);
    CHECK_EQ(count_lines(f, last, sizeof last), 2);
    /* 100%: the closing line tells it, no 100% step line */
    g_now += 5;
    bj_progress_update(&p, 1000);
    CHECK_EQ(count_lines(f, last, sizeof last), 2);
    bj_progress_end(&p, true);
    CHECK_EQ(count_lines(f, last, sizeof last), 3);
    CHECK(strncmp(last, "backup: done, 1.0 kB in 13.6 s", 30) == 0);
    fclose(f);
}

TEST(plain_reporter_unknown_total_and_quiet)
{
    bj_progress p;
    char last[512];
    FILE *f = plain_reporter(&p, 0);
    REQUIRE(f);
    g_now += 9;
    bj_progress_update(&p, 1000);
    CHECK_EQ(count_lines(f, last, sizeof last), 0);
    g_now += 1.5;
    bj_progress_add(&p, 1000);
    CHECK_EQ(p.done, 2000);
    CHECK_EQ(count_lines(f, last, sizeof last), 1);
    CHECK_STR(last, "backup: 2.0 kB, 0.0 MB/s\n");
    /* a total learnt later: steps from there */
    bj_progress_set_total(&p, 4000);
    g_now += 2;
    bj_progress_update(&p, 2100);
    CHECK_EQ(count_lines(f, last, sizeof last), 1); /* still the 50% step it started in */
    g_now += 2;
    bj_progress_update(&p, 2500);
    CHECK_EQ(count_lines(f, last, sizeof last), 2);
    CHECK(strncmp(last, "backup: 62%", 11) == 0);
    bj_progress_end(&p, false);
    CHECK_EQ(count_lines(f, last, sizeof last), 3);
    CHECK(strncmp(last, "backup: failed after 2.5 kB", 27) == 0);
    fclose(f);

    f = plain_reporter(&p, 100);
    p.quiet = true;
    g_now += 50;
    bj_progress_update(&p, 50);
    bj_progress_end(&p, true);
    CHECK_EQ(count_lines(f, last, sizeof last), 0);
    fclose(f);
}

TEST(tty_reporter_redraws)
{
    bj_progress p;
    char buf[4096];
    FILE *f = plain_reporter(&p, 1000);
    REQUIRE(f);
    p.tty = true; /* as if on a terminal */
    p.width = 70;
    bj_progress_update(&p, 10); /* the first update draws at once */
    g_now += 0.05;
    bj_progress_update(&p, 20); /* 50 ms later: not yet */
    g_now += 0.06;
    bj_progress_update(&p, 30); /* 110 ms after the first: redrawn */
    bj_progress_end(&p, true);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    int cr = 0;
    for (size_t i = 0; i < n; i++)
        cr += buf[i] == '\r';
    CHECK_EQ(cr, 3); /* two redraws and the final bar */
    CHECK(strstr(buf, "\033[K") != NULL);
    CHECK(strstr(buf, "  2%") == NULL); /* the 20-byte update was not drawn */
    CHECK(strstr(buf, "  3%") != NULL);
    /* the final bar shows done as last recorded, then the closing line */
    const char *end = strrchr(buf, '\r');
    CHECK(strstr(end, "  3%") != NULL);
    CHECK(strstr(buf, "\nbackup: done, 30 B in 0.1 s") != NULL);
    fclose(f);
}

TEST(status_callback)
{
    bj_progress p;
    char last[512];
    FILE *f = plain_reporter(&p, 2000000);
    REQUIRE(f);
    JET_SNPROG prog = {.cbStruct = sizeof prog, .cunitDone = 30, .cunitTotal = 100};
    /* no current reporter: nothing */
    CHECK_OK(bj_progress_status(0, JET_snpBackup, JET_sntProgress, &prog));
    CHECK_EQ(p.done, 0);
    bj_progress_set_current(&p);
    g_now += 2;
    CHECK_OK(bj_progress_status(0, JET_snpBackup, JET_sntProgress, &prog));
    CHECK_EQ(p.done, 600000);
    CHECK_EQ(count_lines(f, last, sizeof last), 1);
    CHECK(strncmp(last, "backup: 30% (600.0 kB of 2.0 MB)", 32) == 0);
    /* other notifications and a missing or empty JET_SNPROG change nothing */
    CHECK_OK(bj_progress_status(0, JET_snpBackup, JET_sntBegin, NULL));
    CHECK_OK(bj_progress_status(0, JET_snpBackup, JET_sntProgress, NULL));
    prog.cunitTotal = 0;
    CHECK_OK(bj_progress_status(0, JET_snpBackup, JET_sntProgress, &prog));
    CHECK_EQ(p.done, 600000);
    /* a reporter without a total gets percent units */
    fclose(f);
    f = plain_reporter(&p, 0);
    prog.cunitDone = 7;
    prog.cunitTotal = 10;
    g_now += 2;
    CHECK_OK(bj_progress_status(0, JET_snpRestore, JET_sntProgress, &prog));
    CHECK_EQ(p.total, 100);
    CHECK_EQ(p.done, 70);
    CHECK(p.percent);
    CHECK_EQ(count_lines(f, last, sizeof last), 1);
    CHECK_STR(last, "backup: 70%, 1 s left\n"); /* 70% in 2 s: 0.86 s more */
    g_now += 1;
    bj_progress_end(&p, true);
    CHECK_EQ(count_lines(f, last, sizeof last), 2);
    CHECK_STR(last, "backup: done in 3.0 s\n");
    bj_progress_set_current(NULL);
    fclose(f);
}

TEST(percent_lines)
{
    char b[256];
    bj_progress_fmt_pct(b, sizeof b, "restore", 25, 3.0, false, 80);
    CHECK_STR(b, "restore: 25%, 9 s left");
    bj_progress_fmt_pct(b, sizeof b, "restore", 0, 3.0, false, 80);
    CHECK_STR(b, "restore: 0%, time left unknown");
    size_t n = bj_progress_fmt_pct(b, sizeof b, "restore", 50, 4.0, true, 60);
    CHECK_EQ(n, 59);
    CHECK(strncmp(b, "restore [", 9) == 0);
    CHECK(strstr(b, "]  50%  0:04 left") != NULL);
    bj_progress_fmt_pct(b, sizeof b, "restore", 150, 4.0, true, 60); /* clamped */
    CHECK(strstr(b, "] 100%  0:00 left") != NULL && strchr(b, '>') == NULL);
    bj_progress_fmt_end_pct(b, sizeof b, "restore", 8.66, false);
    CHECK_STR(b, "restore: failed after 8.7 s");
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
