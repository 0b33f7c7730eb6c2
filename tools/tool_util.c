/* tool_util.c: the shared services of the bluejet tool (see tool.h): option parsing, error
 * messages, ESE value formatting, hex output and the JSON writer.
 * Invariants: nothing here touches a database; every formatter bounds its output by cch.
 * Single-threaded; no locks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "tool.h"

/* ---------------------------------------------------------------- messages */

const char *bj_tool_err_name(JET_ERR err)
{
    const char *name = bj_err_name(err);
    return name ? name : "(unknown)";
}

void bj_tool_err(const char *what, JET_ERR err)
{
    fflush(stdout);
    fprintf(stderr, "bluejet: %s: %s (%d)\n", what, bj_tool_err_name(err), (int)err);
}

void bj_tool_msg(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bluejet: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---------------------------------------------------------------- options */

bool bj_tool_parse_u32(const char *s, uint32_t *out)
{
    char *end = NULL;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || !end || *end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_range(const char *s, bj_tool_range *r)
{
    char buf[64];
    const char *dash = strchr(s, '-');
    size_t n;
    if (!dash) {
        if (!bj_tool_parse_u32(s, &r->first))
            return false;
        r->last = r->first;
        return true;
    }
    n = (size_t)(dash - s);
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!bj_tool_parse_u32(buf, &r->first) || !bj_tool_parse_u32(dash + 1, &r->last))
        return false;
    return r->first <= r->last;
}

static void usage_hint(const bj_tool_cmd *cmd)
{
    fprintf(stderr, "Try 'bluejet %s --help'.\n", cmd->name);
}

/* Stores one option value; false (and a message) when it does not parse. */
static bool set_option(const bj_tool_cmd *cmd, const bj_tool_opt *o, const char *val)
{
    switch (o->kind) {
    case BJ_OPT_FLAG:
        *(bool *)o->dest = true;
        break;
    case BJ_OPT_U32:
        if (!bj_tool_parse_u32(val, (uint32_t *)o->dest)) {
            bj_tool_msg("%s: %s: not a number: '%s'", cmd->name, o->name, val);
            return false;
        }
        break;
    case BJ_OPT_STR:
        *(const char **)o->dest = val;
        break;
    case BJ_OPT_RANGE:
        if (!parse_range(val, (bj_tool_range *)o->dest)) {
            bj_tool_msg("%s: %s: not a range A-B: '%s'", cmd->name, o->name, val);
            return false;
        }
        break;
    }
    if (o->seen)
        *o->seen = true;
    return true;
}

int bj_tool_parse(const bj_tool_cmd *cmd, int argc, char **argv, const bj_tool_opt *opts,
                  size_t nopts, const char **pos, int npos_min, int npos_max, int *pnpos)
{
    bool options_done = false;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            if (npos >= npos_max) {
                bj_tool_msg("%s: unexpected argument '%s'", cmd->name, a);
                usage_hint(cmd);
                return BJ_EXIT_ERROR;
            }
            pos[npos++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(cmd->usage, stdout);
            return BJ_EXIT_OK;
        }
        const char *eq = strchr(a, '=');
        size_t cchName = eq ? (size_t)(eq - a) : strlen(a);
        const bj_tool_opt *o = NULL;
        for (size_t k = 0; k < nopts; k++) {
            if (strlen(opts[k].name) == cchName && !strncmp(opts[k].name, a, cchName)) {
                o = &opts[k];
                break;
            }
        }
        if (!o) {
            bj_tool_msg("%s: unknown option '%.*s'", cmd->name, (int)cchName, a);
            usage_hint(cmd);
            return BJ_EXIT_ERROR;
        }
        const char *val = NULL;
        if (o->kind == BJ_OPT_FLAG) {
            if (eq) {
                bj_tool_msg("%s: option %s takes no value", cmd->name, o->name);
                usage_hint(cmd);
                return BJ_EXIT_ERROR;
            }
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            bj_tool_msg("%s: option %s needs a value", cmd->name, o->name);
            usage_hint(cmd);
            return BJ_EXIT_ERROR;
        }
        if (!set_option(cmd, o, val)) {
            usage_hint(cmd);
            return BJ_EXIT_ERROR;
        }
    }
    if (npos < npos_min) {
        bj_tool_msg("%s: missing argument", cmd->name);
        usage_hint(cmd);
        return BJ_EXIT_ERROR;
    }
    *pnpos = npos;
    return BJ_TOOL_PARSED;
}

/* ---------------------------------------------------------------- ESE values */

/* LOGTIME: sec, min, hour, day, month, year-1900, then byte 6 = fUTC (bit 0) | ms low 7 bits,
 * byte 7 = fOSSnapshot (bit 0) | ms high 3 bits (bits 1..3). */
static unsigned logtime_ms(const uint8_t *p)
{
    return (unsigned)((p[6] >> 1) | (((p[7] >> 1) & 0x7u) << 7));
}

bool bj_tool_logtime_set(const uint8_t *p)
{
    for (int i = 0; i < 8; i++)
        if (p[i])
            return true;
    return false;
}

void bj_tool_fmt_logtime(const uint8_t *p, char *out, size_t cch)
{
    snprintf(out, cch, "%02u/%02u/%04u %02u:%02u:%02u.%03u %s", p[4], p[3], 1900u + p[5], p[2],
             p[1], p[0], logtime_ms(p), (p[6] & 1) ? "UTC" : "LOC");
}

void bj_tool_fmt_logtime_iso(const uint8_t *p, char *out, size_t cch)
{
    snprintf(out, cch, "%04u-%02u-%02uT%02u:%02u:%02u.%03u%s", 1900u + p[5], p[4], p[3], p[2], p[1],
             p[0], logtime_ms(p), (p[6] & 1) ? "Z" : "");
}

void bj_tool_fmt_lgpos(const uint8_t *p, char *out, size_t cch)
{
    snprintf(out, cch, "(0x%" PRIX32 ",%" PRIX16 ",%" PRIX16 ")", bj_ld32(p + 4), bj_ld16(p + 2),
             bj_ld16(p));
}

void bj_tool_sig_computer(const uint8_t *p, char out[17])
{
    int i;
    for (i = 0; i < 16 && p[12 + i]; i++)
        out[i] = (p[12 + i] >= 0x20 && p[12 + i] < 0x7f) ? (char)p[12 + i] : '?';
    out[i] = '\0';
}

void bj_tool_fmt_sig(const uint8_t *p, char *out, size_t cch)
{
    char computer[17];
    const uint8_t *t = p + 4;
    bj_tool_sig_computer(p, computer);
    snprintf(out, cch,
             "Create time:%02u/%02u/%04u %02u:%02u:%02u.%03u Rand:%" PRIu32 " Computer:%s", t[4],
             t[3], 1900u + t[5], t[2], t[1], t[0], logtime_ms(t), bj_ld32(p), computer);
}

/* ---------------------------------------------------------------- hex */

void bj_tool_hex(const uint8_t *p, size_t cb, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < cb; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    out[2 * cb] = '\0';
}

void bj_tool_hexdump(FILE *f, const uint8_t *p, size_t cb, const char *indent)
{
    for (size_t off = 0; off < cb; off += 16) {
        size_t n = BJ_MIN((size_t)16, cb - off);
        fprintf(f, "%s%04zx ", indent, off);
        for (size_t i = 0; i < 16; i++) {
            if (i < n)
                fprintf(f, " %02x", p[off + i]);
            else
                fputs("   ", f);
        }
        fputs("  ", f);
        for (size_t i = 0; i < n; i++)
            fputc((p[off + i] >= 0x20 && p[off + i] < 0x7f) ? p[off + i] : '.', f);
        fputc('\n', f);
    }
}

/* ---------------------------------------------------------------- JSON */

void bj_json_init(bj_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = true;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c < 0x20 || *c >= 0x7f)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/* Separator, newline, indent and "key": before a value. */
static void json_member(bj_json *j, const char *key)
{
    if (j->depth > 0) {
        if (!j->first[j->depth])
            fputc(',', j->f);
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    j->first[j->depth] = false;
    if (key) {
        json_string(j->f, key);
        fputs(": ", j->f);
    }
}

static void json_open(bj_json *j, const char *key, char c)
{
    json_member(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < BJ_JSON_DEPTH)
        j->depth++;
    j->first[j->depth] = true;
}

static void json_close(bj_json *j, char c)
{
    bool empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    fputc(c, j->f);
}

void bj_json_obj_begin(bj_json *j, const char *key)
{
    json_open(j, key, '{');
}
void bj_json_obj_end(bj_json *j)
{
    json_close(j, '}');
}
void bj_json_arr_begin(bj_json *j, const char *key)
{
    json_open(j, key, '[');
}
void bj_json_arr_end(bj_json *j)
{
    json_close(j, ']');
}

void bj_json_u64(bj_json *j, const char *key, uint64_t v)
{
    json_member(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void bj_json_i64(bj_json *j, const char *key, int64_t v)
{
    json_member(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void bj_json_bool(bj_json *j, const char *key, bool v)
{
    json_member(j, key);
    fputs(v ? "true" : "false", j->f);
}

void bj_json_null(bj_json *j, const char *key)
{
    json_member(j, key);
    fputs("null", j->f);
}

void bj_json_str(bj_json *j, const char *key, const char *s)
{
    json_member(j, key);
    json_string(j->f, s);
}

void bj_json_hex(bj_json *j, const char *key, const uint8_t *p, size_t cb)
{
    static const char digits[] = "0123456789abcdef";
    json_member(j, key);
    fputc('"', j->f);
    for (size_t i = 0; i < cb; i++) {
        fputc(digits[p[i] >> 4], j->f);
        fputc(digits[p[i] & 0xf], j->f);
    }
    fputc('"', j->f);
}

void bj_json_finish(bj_json *j)
{
    fputc('\n', j->f);
    fflush(j->f);
}
