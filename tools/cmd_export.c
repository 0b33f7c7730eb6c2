/* cmd_export.c: `bluejet export FILE [TABLE] [--out DIR]`: every table (or one) of a database as
 * CSV, through the public esent.h API only (as esentutl would): the page size comes from
 * JetGetDatabaseFileInfo, the database is attached read-only, tables and columns are listed
 * from MSysObjects rows (Type 1 = table, 2 = column: Id, ColtypOrPgnoFDP, PagesOrLocale = code
 * page, Name), each table is read with JetMove and JetRetrieveColumn.
 *
 * Format (RFC 4180): CRLF line ends; a field holding a comma, a double quote, CR or LF is
 * quoted, quotes doubled. Header = column names in column-id order. Values: integers decimal,
 * Currency as its 64-bit integer, floats with 9 / 17 significant digits (round-trip), Bit 0/1,
 * DateTime ISO-8601 from the OLE date (days since 1899-12-30), GUID {8-4-4-4-12} (first three
 * fields little-endian), Text cp 1200 UTF-16LE -> UTF-8, other text cp1252 -> UTF-8,
 * Binary/LongBinary lowercase hex, NULL empty, multi-valued columns: the values joined by ';'.
 */
#include <errno.h>
#include <esent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

static const char usage[] =
    "usage: bluejet export FILE [TABLE] [--out DIR]\n"
    "\n"
    "Writes every table of the database FILE (or only TABLE) as CSV: DIR/TABLE.csv for each\n"
    "table (DIR defaults to the current folder); with TABLE and no --out, the CSV goes to\n"
    "standard output. The file is attached read-only and never changed.\n"
    "\n"
    "CSV: RFC 4180 (CRLF, quoted fields when needed); header line of column names; integers\n"
    "decimal, floats round-trip, Bit 0/1, DateTime ISO-8601, GUID {...}, text as UTF-8,\n"
    "binary as hex, NULL empty, multi-valued columns as values joined by ';'.\n"
    "A summary line per table goes to stderr: 'TABLE: N rows'.\n";

typedef struct xcol {
    JET_COLUMNID id;
    JET_COLTYP coltyp;
    uint32_t cp;
    char name[JET_cbNameMost + 1];
} xcol;

typedef struct xtable {
    char name[JET_cbNameMost + 1];
    xcol *cols;
    uint32_t ccol, cap;
} xtable;

typedef struct xctx {
    JET_SESID ses;
    JET_DBID db;
    uint8_t *buf;
    uint32_t cbBuf;
    char *line; /* one formatted value */
    size_t cchLine, capLine;
} xctx;

/* ---- output helpers ---- */

static void lput(xctx *x, const char *s, size_t n)
{
    if (x->cchLine + n + 1 > x->capLine) {
        size_t cap = (x->cchLine + n + 1) * 2;
        char *p = realloc(x->line, cap);
        if (!p)
            abort();
        x->line = p;
        x->capLine = cap;
    }
    memcpy(x->line + x->cchLine, s, n);
    x->cchLine += n;
    x->line[x->cchLine] = 0;
}

static void lputf(xctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lputf(xctx *x, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    lput(x, tmp, n > 0 ? (size_t)n : 0);
}

static void put_utf8(xctx *x, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    lput(x, b, n);
}

/* Windows-1252 0x80..0x9f (0 = undefined: kept as U+0080.. as Windows' best fit does). */
static const uint16_t cp1252_hi[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

static void fmt_text(xctx *x, const uint8_t *p, uint32_t cb, uint32_t cp)
{
    if (cp == 1200) {
        for (uint32_t i = 0; i + 1 < cb; i += 2) {
            uint32_t u = p[i] | (uint32_t)p[i + 1] << 8;
            if (u >= 0xd800 && u < 0xdc00 && i + 3 < cb) {
                uint32_t lo = p[i + 2] | (uint32_t)p[i + 3] << 8;
                if (lo >= 0xdc00 && lo < 0xe000) {
                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    i += 2;
                } else {
                    u = 0xfffd;
                }
            } else if (u >= 0xd800 && u < 0xe000) {
                u = 0xfffd;
            }
            if (u == 0 && i + 2 >= cb)
                break; /* a terminating NUL */
            put_utf8(x, u);
        }
        return;
    }
    for (uint32_t i = 0; i < cb; i++) {
        uint32_t c = p[i];
        if (c == 0 && i + 1 == cb)
            break;
        if (c >= 0x80 && c < 0xa0 && cp1252_hi[c - 0x80])
            c = cp1252_hi[c - 0x80];
        put_utf8(x, c);
    }
}

/* OLE automation date -> ISO-8601 (days since 1899-12-30; the fraction is the time of day,
 * taken as absolute for dates before the epoch). */
static void fmt_date(xctx *x, double d)
{
    if (!(d >= -657435.0 && d <= 2958466.0)) { /* also NaN: years 100..9999 only */
        lputf(x, "%.17g", d);
        return;
    }
    double days = (double)(int64_t)d; /* truncation toward zero (no libm) */
    double frac = d - days < 0 ? days - d : d - days;
    int64_t ms = (int64_t)(frac * 86400000.0 + 0.5);
    int64_t z = (int64_t)days + ms / 86400000;
    ms %= 86400000;
    /* days from 1899-12-30 to civil date (H. Hinnant's algorithm, epoch 1970-01-01) */
    z += -25569 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    y += mm <= 2;
    lputf(x, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)mm,
          (long long)dd, (long long)(ms / 3600000), (long long)(ms / 60000 % 60),
          (long long)(ms / 1000 % 60));
    if (ms % 1000)
        lputf(x, ".%03lld", (long long)(ms % 1000));
}

static uint64_t ld(const uint8_t *p, uint32_t cb)
{
    uint64_t v = 0;
    for (uint32_t i = cb; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void fmt_value(xctx *x, const xcol *c, const uint8_t *p, uint32_t cb)
{
    switch (c->coltyp) {
    case JET_coltypBit:
        lput(x, cb && p[0] ? "1" : "0", 1);
        return;
    case JET_coltypUnsignedByte:
    case JET_coltypUnsignedShort:
    case JET_coltypUnsignedLong:
        lputf(x, "%llu", (unsigned long long)ld(p, BJ_MIN(cb, 8u)));
        return;
    case JET_coltypShort:
        lputf(x, "%d", cb >= 2 ? (int16_t)ld(p, 2) : 0);
        return;
    case JET_coltypLong:
        lputf(x, "%d", cb >= 4 ? (int32_t)ld(p, 4) : 0);
        return;
    case JET_coltypLongLong:
    case JET_coltypCurrency:
        lputf(x, "%lld", cb >= 8 ? (long long)(int64_t)ld(p, 8) : 0LL);
        return;
    case JET_coltypIEEESingle: {
        float f = 0;
        if (cb >= 4)
            memcpy(&f, p, 4);
        lputf(x, "%.9g", (double)f);
        return;
    }
    case JET_coltypIEEEDouble:
    case JET_coltypDateTime: {
        double d = 0;
        if (cb >= 8)
            memcpy(&d, p, 8);
        if (c->coltyp == JET_coltypDateTime)
            fmt_date(x, d);
        else
            lputf(x, "%.17g", d);
        return;
    }
    case JET_coltypGUID:
        if (cb == 16) {
            lputf(x, "{%08x-%04x-%04x-", (unsigned)ld(p, 4), (unsigned)ld(p + 4, 2),
                  (unsigned)ld(p + 6, 2));
            for (int i = 8; i < 16; i++)
                lputf(x, i == 10 ? "-%02x" : "%02x", p[i]);
            lput(x, "}", 1);
            return;
        }
        break;
    case JET_coltypText:
    case JET_coltypLongText:
        fmt_text(x, p, cb, c->cp);
        return;
    default:
        break;
    }
    for (uint32_t i = 0; i < cb; i++)
        lputf(x, "%02x", p[i]);
}

static void csv_field(FILE *f, const char *s, size_t n)
{
    bool q = false;
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!q) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* ---- catalog through the API ---- */

static uint32_t ret_uint(xctx *x, JET_TABLEID t, JET_COLUMNID c, uint32_t cb)
{
    uint8_t b[4] = {0};
    uint32_t act = 0;
    if (JetRetrieveColumn(x->ses, t, c, b, cb, &act, 0, NULL) != JET_errSuccess)
        return 0;
    return (uint32_t)ld(b, BJ_MIN(act, cb));
}

static JET_ERR list_tables(xctx *x, xtable **prg, uint32_t *pn)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(x->ses, x->db, "MSysObjects", NULL, 0, JET_bitTableReadOnly, &t);
    xtable *rg = NULL;
    uint32_t n = 0, cap = 0;
    if (err < 0)
        return err;
    for (err = JetMove(x->ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(x->ses, t, JET_MoveNext, 0)) {
        uint32_t type = ret_uint(x, t, 2, 2);
        char name[JET_cbNameMost + 1] = {0};
        uint32_t cb = 0;
        if (JetRetrieveColumn(x->ses, t, 128, name, JET_cbNameMost, &cb, 0, NULL) < 0)
            continue;
        if (type == 1) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                xtable *p = realloc(rg, cap * sizeof(*rg));
                if (!p)
                    abort();
                rg = p;
            }
            memset(&rg[n], 0, sizeof(rg[n]));
            memcpy(rg[n].name, name, sizeof name);
            n++;
        } else if (type == 2 && n > 0) {
            xtable *tb = &rg[n - 1];
            if (tb->ccol == tb->cap) {
                tb->cap = tb->cap ? tb->cap * 2 : 16;
                xcol *p = realloc(tb->cols, tb->cap * sizeof(*p));
                if (!p)
                    abort();
                tb->cols = p;
            }
            xcol *c = &tb->cols[tb->ccol++];
            c->id = ret_uint(x, t, 3, 4);
            c->coltyp = ret_uint(x, t, 4, 4);
            c->cp = ret_uint(x, t, 7, 4);
            memcpy(c->name, name, sizeof name);
        }
    }
    JetCloseTable(x->ses, t);
    *prg = rg;
    *pn = n;
    return err == JET_errNoCurrentRecord ? JET_errSuccess : err;
}

/* Retrieves value itag of column c into x->buf (grown as needed). */
static JET_ERR get_value(xctx *x, JET_TABLEID t, const xcol *c, uint32_t itag, uint32_t *pcb)
{
    for (;;) {
        JET_RETINFO ri = {sizeof(ri), 0, itag, 0};
        JET_ERR err = JetRetrieveColumn(x->ses, t, c->id, x->buf, x->cbBuf, pcb, 0, &ri);
        if (err != JET_wrnBufferTruncated)
            return err;
        uint8_t *p = realloc(x->buf, *pcb);
        if (!p)
            return JET_errOutOfMemory;
        x->buf = p;
        x->cbBuf = *pcb;
    }
}

static JET_ERR export_table(xctx *x, const xtable *tb, FILE *f, uint64_t *prows)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(x->ses, x->db, tb->name, NULL, 0, JET_bitTableReadOnly, &t);
    *prows = 0;
    if (err < 0)
        return err;
    for (uint32_t i = 0; i < tb->ccol; i++) {
        if (i)
            fputc(',', f);
        csv_field(f, tb->cols[i].name, strlen(tb->cols[i].name));
    }
    fputs("\r\n", f);
    for (err = JetMove(x->ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(x->ses, t, JET_MoveNext, 0)) {
        for (uint32_t i = 0; i < tb->ccol && err >= 0; i++) {
            x->cchLine = 0;
            if (x->line)
                x->line[0] = 0;
            for (uint32_t itag = 1;; itag++) {
                uint32_t cb = 0;
                JET_ERR e2 = get_value(x, t, &tb->cols[i], itag, &cb);
                if (e2 == JET_wrnColumnNull)
                    break;
                if (e2 < 0) {
                    bj_tool_msg("%s.%s: cannot read a value", tb->name, tb->cols[i].name);
                    bj_tool_err("JetRetrieveColumn", e2);
                    err = e2;
                    break;
                }
                if (itag > 1)
                    lput(x, ";", 1);
                fmt_value(x, &tb->cols[i], x->buf, cb);
            }
            if (i)
                fputc(',', f);
            csv_field(f, x->line ? x->line : "", x->cchLine);
        }
        if (err < 0)
            break;
        fputs("\r\n", f);
        (*prows)++;
    }
    JetCloseTable(x->ses, t);
    return err == JET_errNoCurrentRecord ? JET_errSuccess : err;
}

static int run_export(int argc, char **argv)
{
    const char *outdir = NULL, *pos[2];
    bool seenOut = false;
    int npos = 0;
    const bj_tool_opt opts[] = {{"--out", BJ_OPT_STR, &outdir, &seenOut}};
    int rc = bj_tool_parse(&bj_cmd_export, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 2, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    const char *file = pos[0], *only = npos > 1 ? pos[1] : NULL;
    JET_INSTANCE inst = 0;
    xctx x;
    memset(&x, 0, sizeof x);
    xtable *rg = NULL;
    uint32_t n = 0, cbPage = 0, found = 0;
    JET_ERR err;
    bool fOpened = false;
    rc = BJ_EXIT_ERROR;
    if ((err = JetGetDatabaseFileInfo(file, &cbPage, sizeof cbPage, JET_DbInfoPageSize)) < 0) {
        bj_tool_msg("%s: not a readable database", file);
        bj_tool_err("JetGetDatabaseFileInfo", err);
        return BJ_EXIT_ERROR;
    }
    if ((err = JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL)) < 0 ||
        (err = JetCreateInstance(&inst, "bluejet-export")) < 0 ||
        /* a reader: no log (nothing is written, and no log files appear where it runs) */
        (err = JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "off")) < 0 ||
        (err = JetInit(&inst)) < 0 ||
        (err = JetBeginSession(inst, &x.ses, NULL, NULL)) < 0) {
        bj_tool_err("starting the engine", err);
        goto done;
    }
    if ((err = JetAttachDatabase(x.ses, file, JET_bitDbReadOnly)) < 0 ||
        (err = JetOpenDatabase(x.ses, file, NULL, &x.db, JET_bitDbReadOnly)) < 0) {
        bj_tool_msg("%s: cannot attach", file);
        bj_tool_err("JetAttachDatabase", err);
        goto done;
    }
    fOpened = true;
    if ((err = list_tables(&x, &rg, &n)) < 0) {
        bj_tool_err("reading the catalog", err);
        goto done;
    }
    if (seenOut && mkdir(outdir, 0777) < 0 && errno != EEXIST) {
        bj_tool_msg("%s: cannot create the folder", outdir);
        goto done;
    }
    x.cbBuf = 65536;
    x.buf = malloc(x.cbBuf);
    rc = BJ_EXIT_OK;
    for (uint32_t i = 0; i < n; i++) {
        if (only && strcmp(only, rg[i].name) != 0)
            continue;
        found++;
        FILE *f = stdout;
        char path[4200];
        if (!only || seenOut) {
            char safe[JET_cbNameMost + 1];
            strcpy(safe, rg[i].name);
            for (char *p = safe; *p; p++)
                if (*p == '/' || *p == '\\')
                    *p = '_';
            snprintf(path, sizeof path, "%s/%s.csv", seenOut ? outdir : ".", safe);
            f = fopen(path, "wb");
            if (!f) {
                bj_tool_msg("%s: cannot create", path);
                rc = BJ_EXIT_ERROR;
                continue;
            }
        }
        uint64_t rows = 0;
        err = export_table(&x, &rg[i], f, &rows);
        if (f != stdout && fclose(f) != 0)
            err = JET_errDiskIO;
        if (err < 0) {
            bj_tool_msg("%s: export failed", rg[i].name);
            rc = BJ_EXIT_ERROR;
        }
        fprintf(stderr, "%s: %llu rows\n", rg[i].name, (unsigned long long)rows);
    }
    if (only && !found) {
        bj_tool_msg("%s: no such table", only);
        rc = BJ_EXIT_ERROR;
    }
done:
    for (uint32_t i = 0; i < n; i++)
        free(rg[i].cols);
    free(rg);
    free(x.buf);
    free(x.line);
    if (x.ses) {
        if (fOpened)
            JetCloseDatabase(x.ses, x.db, 0);
        JetDetachDatabase(x.ses, file);
        JetEndSession(x.ses, 0);
    }
    if (inst)
        JetTerm(inst);
    return rc;
}

const bj_tool_cmd bj_cmd_export = {
    "export",
    "tables as CSV through the esent.h API (esedbexport -t)",
    usage,
    run_export,
};
