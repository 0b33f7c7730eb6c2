/* tool.h: the framework of the `bluejet` command-line tool (this engine's esentutl).
 *
 * Shape: `bluejet <command> [options] ARGS`. Each command lives in its own file
 * (tools/cmd_<name>.c) and exports one `const bj_tool_cmd bj_cmd_<name>`; tools/bluejet.c lists
 * them in its command table. A command's run() gets argv with argv[0] = the command name and
 * returns an exit status: BJ_EXIT_OK (0), BJ_EXIT_FAULTS (1: the check found faults) or
 * BJ_EXIT_ERROR (2: usage or I/O error). Output goes to stdout; every error goes to stderr as
 * `bluejet: <what>: JET_errName (number)` through bj_tool_err().
 *
 * Shared services: option parsing (bj_tool_parse, handles --help), error messages, a small
 * JSON writer (bj_json_*), hex dumps, ESE value formatting (LOGTIME, LGPOS, SIGNATURE) and a
 * read-only database file opened through the os layer (bj_tool_db_*, tool_db.c).
 * Single-threaded; no locks.
 */
#ifndef BJ_TOOL_H
#define BJ_TOOL_H

#include <stdio.h>

#include "common/common.h"

/* ---- commands ---- */
enum {
    BJ_EXIT_OK = 0,     /* success */
    BJ_EXIT_FAULTS = 1, /* the command ran and found faults (corrupt pages, ...) */
    BJ_EXIT_ERROR = 2,  /* usage error, unreadable file, I/O error */
};

typedef struct bj_tool_cmd {
    const char *name;    /* "header" */
    const char *summary; /* one line for `bluejet --help` */
    const char *usage;   /* full text for `bluejet <name> --help`, starts with "usage: ..." */
    int (*run)(int argc, char **argv); /* argv[0] = name; returns a BJ_EXIT_* status */
} bj_tool_cmd;

/* Every command, as listed in tools/bluejet.c. */
extern const bj_tool_cmd bj_cmd_header;
extern const bj_tool_cmd bj_cmd_pages;
extern const bj_tool_cmd bj_cmd_export;
extern const bj_tool_cmd bj_cmd_check;
extern const bj_tool_cmd bj_cmd_logs;
extern const bj_tool_cmd bj_cmd_recover;
extern const bj_tool_cmd bj_cmd_backup;
extern const bj_tool_cmd bj_cmd_restore;

/* ---- option parsing ---- */
typedef enum bj_tool_opt_kind {
    BJ_OPT_FLAG,  /* --x             dest: bool*, set true */
    BJ_OPT_U32,   /* --x N           dest: uint32_t* (decimal or 0x hex) */
    BJ_OPT_STR,   /* --x TEXT        dest: const char** */
    BJ_OPT_RANGE, /* --x A-B         dest: bj_tool_range* (A <= B; "A" alone means A-A) */
} bj_tool_opt_kind;

typedef struct bj_tool_range {
    uint32_t first, last;
} bj_tool_range;

typedef struct bj_tool_opt {
    const char *name; /* with its dashes: "--page" */
    bj_tool_opt_kind kind;
    void *dest;
    bool *seen; /* optional: set true when the option was given */
} bj_tool_opt;

#define BJ_TOOL_PARSED (-1) /* bj_tool_parse: go on with the command */

/* Parses argv[1..argc-1] of a command: options (anywhere; "--opt VALUE" or "--opt=VALUE"; "--"
 * ends them) and between npos_min and npos_max positional arguments, stored in pos[] with
 * their count in *pnpos. Returns BJ_TOOL_PARSED to go on, BJ_EXIT_OK after `--help` printed
 * the usage, or BJ_EXIT_ERROR after a usage error was reported on stderr. */
int bj_tool_parse(const bj_tool_cmd *cmd, int argc, char **argv, const bj_tool_opt *opts,
                  size_t nopts, const char **pos, int npos_min, int npos_max, int *pnpos);

/* Parses an unsigned 32-bit number (decimal or 0x hex, whole string). */
bool bj_tool_parse_u32(const char *s, uint32_t *out);

/* ---- messages ---- */
/* stderr: `bluejet: <what>: JET_errName (err)`; "(unknown)" for a code with no name. */
void bj_tool_err(const char *what, JET_ERR err);
/* stderr: `bluejet: <message>` (printf format), for errors that have no JET code. */
void bj_tool_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The name of err, or "(unknown)". */
const char *bj_tool_err_name(JET_ERR err);

/* ---- ESE value formatting (buffers of at least the given size) ---- */
#define BJ_TOOL_TIME_CCH 40
#define BJ_TOOL_SIG_CCH 96
/* LOGTIME (8 bytes at p) as ESE prints it: "MM/DD/YYYY HH:MM:SS.mmm UTC" (or LOC). */
void bj_tool_fmt_logtime(const uint8_t *p, char *out, size_t cch);
/* LOGTIME as ISO-like text for JSON: "YYYY-MM-DDTHH:MM:SS.mmm" + "Z" when marked UTC. */
void bj_tool_fmt_logtime_iso(const uint8_t *p, char *out, size_t cch);
/* Whether any byte of the LOGTIME is set. */
bool bj_tool_logtime_set(const uint8_t *p);
/* LGPOS (8 bytes: u16 ib, u16 isec, u32 gen) as ESE prints it: "(0xGEN,ISEC,IB)" in hex. */
void bj_tool_fmt_lgpos(const uint8_t *p, char *out, size_t cch);
/* SIGNATURE (28 bytes) as ESE prints it: "Create time:... Rand:N Computer:NAME". */
void bj_tool_fmt_sig(const uint8_t *p, char *out, size_t cch);
/* The computer name of a SIGNATURE (16 bytes, NUL-padded; non-printable bytes as '?'). */
void bj_tool_sig_computer(const uint8_t *p, char out[17]);

/* ---- hex ---- */
/* Writes cb bytes as lowercase hex with no separators (out needs 2*cb+1). */
void bj_tool_hex(const uint8_t *p, size_t cb, char *out);
/* Prints a classic hex dump (offset, 16 bytes, ASCII) with the given indent. */
void bj_tool_hexdump(FILE *f, const uint8_t *p, size_t cb, const char *indent);

/* ---- JSON writer (pretty-printed, 2-space indent; strings escaped) ---- */
#define BJ_JSON_DEPTH 16
typedef struct bj_json {
    FILE *f;
    int depth;
    bool first[BJ_JSON_DEPTH]; /* no member written yet at this depth */
} bj_json;

/* In every call, key is the member name inside an object and NULL inside an array / at top. */
void bj_json_init(bj_json *j, FILE *f);
void bj_json_obj_begin(bj_json *j, const char *key);
void bj_json_obj_end(bj_json *j);
void bj_json_arr_begin(bj_json *j, const char *key);
void bj_json_arr_end(bj_json *j);
void bj_json_u64(bj_json *j, const char *key, uint64_t v);
void bj_json_i64(bj_json *j, const char *key, int64_t v);
void bj_json_bool(bj_json *j, const char *key, bool v);
void bj_json_null(bj_json *j, const char *key);
void bj_json_str(bj_json *j, const char *key, const char *s);
/* Bytes as a lowercase hex string. */
void bj_json_hex(bj_json *j, const char *key, const uint8_t *p, size_t cb);
/* Ends the document (newline). */
void bj_json_finish(bj_json *j);

#endif /* BJ_TOOL_H */
