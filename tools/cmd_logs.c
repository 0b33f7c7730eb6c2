/* cmd_logs.c: `bluejet logs DIR|FILE [--headers] [--base NAME]`, the transaction log dump
 * (esentutl /ml for this engine).
 *
 * FILE: one log file (<base>.log, <base>XXXXXXXX.log, any *.log) or a checkpoint file (*.chk).
 * The log layer reads logs and checkpoints by folder and base name, so a single file is seen
 * through a private scratch folder holding one symbolic link to it, named as the log layer
 * expects (<base>XXXXXXXX.log with the generation of the file's own name for an archive, so
 * the reader still checks that the header agrees; edb.log otherwise; edb.chk for a
 * checkpoint). An archive is then read as an archive (a torn tail is corruption), edb.log as the
 * current log (a torn tail ends it quietly), exactly as recovery would read them.
 * DIR: every generation in order through one reader (which checks that the generations belong
 * together: signature, tmPrevGen, no gaps), each generation's header before its records, then
 * the checkpoint file <DIR>/<base>.chk if present.
 *
 * Every byte comes through the log layer's validating reader or through the record decoders
 * of lrbody.h, which check each length; a record whose body does not decode is reported as
 * JET_errLogFileCorrupt and the dump goes on. Exit status: 0 dumped, 1 corrupt or inconsistent
 * logs (reported on stderr as JET_errName (number)), 2 usage or I/O error.
 * Single-threaded; no locks.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "log/log.h"
#include "log/log_format.h"
#include "page/pgop.h"
#include "recovery/lrbody.h"
#include "tool.h"

/* ---------------------------------------------------------------- formatting */

/* "00000003:0008:01A0": ESE's lgpos (generation, 512-byte sector, byte in the sector). */
static void fmt_lsn(bj_lsn lsn, char *out, size_t cch)
{
    bj_lgpos p = bj_lsn_to_lgpos(lsn);
    snprintf(out, cch, "%08" PRIX32 ":%04X:%04X", p.gen, (unsigned)p.isec, (unsigned)p.ib);
}

static void print_time(const char *label, const bj_logtime *t)
{
    uint8_t b[BJ_LOGTIME_CB];
    char s[BJ_TOOL_TIME_CCH];
    bj_logtime_encode(t, b);
    bj_tool_fmt_logtime(b, s, sizeof(s));
    printf("%20s: %s\n", label, s);
}

static void print_sig(const char *label, const bj_signature *sg)
{
    uint8_t b[BJ_SIGN_CB];
    char s[BJ_TOOL_SIG_CCH];
    bj_signature_encode(sg, b);
    bj_tool_fmt_sig(b, s, sizeof(s));
    printf("%20s: %s\n", label, s);
}

static void print_lsn(const char *label, bj_lsn lsn)
{
    uint8_t b[BJ_LGPOS_CB];
    char s[48], l[32];
    bj_lgpos p = bj_lsn_to_lgpos(lsn);
    bj_lgpos_encode(&p, b);
    bj_tool_fmt_lgpos(b, s, sizeof(s));
    fmt_lsn(lsn, l, sizeof(l));
    printf("%20s: %s  %s\n", label, s, l);
}

static void print_attachments(uint32_t n, const bj_log_attach *rg)
{
    printf("%20s: %" PRIu32 "\n", "Attached databases", n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b[BJ_SIGN_CB];
        char s[BJ_TOOL_SIG_CCH];
        bj_signature_encode(&rg[i].signDb, b);
        bj_tool_fmt_sig(b, s, sizeof(s));
        printf("%20s  dbid %" PRIu32 ": %s\n", "", rg[i].dbid, rg[i].szPath);
        printf("%20s           signDb %s\n", "", s);
    }
}

static void print_log_header(const char *path, const bj_log_hdr *h)
{
    printf("\nLog file: %s\n", path);
    printf("%20s: %" PRIu32 " (0x%" PRIX32 ")\n", "lGeneration", h->gen, h->gen);
    print_sig("Signature", &h->signLog);
    print_time("tmCreate", &h->tmCreate);
    print_time("tmPrevGen", &h->tmPrevGen);
    printf("%20s: %" PRIu32 " bytes (%" PRIu32 " KiB)\n", "cbLogFile", h->cbLogFile,
           h->cbLogFile / 1024u);
    printf("%20s: %" PRIu32 "\n", "cbSegment", h->cbSegment);
    printf("%20s: %" PRIu32 "\n", "cbDbPage", h->cbDbPage);
    print_lsn("Checkpoint", h->lsnCheckpoint);
    printf("%20s: %s\n", "Circular logging", h->fCircular ? "on" : "off");
    printf("%20s: %s\n", "Reserve log used", h->fReserve ? "yes" : "no");
    if (h->lsnPrevEnd)
        print_lsn("Previous gen end", h->lsnPrevEnd);
    else
        printf("%20s: (not recorded)\n", "Previous gen end");
    print_attachments(h->cattach, h->rgattach);
}

static void print_chk(const char *path, const bj_chk_info *c)
{
    printf("\nCheckpoint file: %s\n", path);
    print_lsn("Checkpoint", c->lsnCheckpoint);
    print_sig("Signature", &c->signLog);
    printf("%20s: %" PRIu32 " (0x%" PRIX32 ")\n", "Last generation", c->genLast, c->genLast);
    print_attachments(c->cattach, c->rgattach);
}

static const char *pgop_kind_name(uint8_t k)
{
    static const char *const names[] = {"?",     "INIT",   "INSERT", "REPLACE",  "DELETE",  "FLAGS",
                                        "DELTA", "EXTHDR", "LINKS",  "DELRANGE", "INSRANGE"};
    return k < BJ_ARRAY_LEN(names) ? names[k] : "?";
}

/* The short decode of a record body after its type; false when the body is malformed. */
static bool decode_pgop(const uint8_t *b, uint32_t cb)
{
    uint32_t dbid;
    bj_pgop op;
    if (bj_lr_pgop_decode(b, cb, &dbid, &op) < 0)
        return false;
    printf(" dbid %" PRIu32 " pgno %" PRIu32 " %s itag %" PRIu32 " dbtime 0x%" PRIx64, dbid,
           op.pgno, pgop_kind_name(op.kind), op.itag, op.dbtimeAfter);
    return true;
}

static bool decode_body(bj_lrtype type, const uint8_t *b, uint32_t cb)
{
    switch (type) {
    case BJ_LR_INIT:
        if (cb < 4)
            return false;
        printf(" version %" PRIu32, bj_ld32(b));
        return true;
    case BJ_LR_TERM:
    case BJ_LR_NOP:
        return true;
    case BJ_LR_CREATEDB:
    case BJ_LR_ATTACH: {
        bj_lr_attach a;
        if (bj_lr_attach_decode(b, cb, &a) < 0)
            return false;
        printf(" dbid %" PRIu32 " dbtime 0x%" PRIx64 " cbPage %" PRIu32 " path %.*s", a.dbid,
               a.dbtime, a.cbPage, (int)a.cbPath, a.path);
        return true;
    }
    case BJ_LR_DETACH: {
        uint32_t dbid;
        uint64_t dbtime;
        if (bj_lr_detach_decode(b, cb, &dbid, &dbtime) < 0)
            return false;
        printf(" dbid %" PRIu32 " dbtime 0x%" PRIx64, dbid, dbtime);
        return true;
    }
    case BJ_LR_PGOP:
        return decode_pgop(b, cb);
    case BJ_LR_PGOP_VER: {
        bj_lrtype t;
        const uint8_t *first, *pgop;
        uint32_t cbFirst, cbPgop;
        if (bj_lr_pgopver_split(b, cb, &t, &first, &cbFirst, &pgop, &cbPgop) < 0 ||
            !decode_body(t, first, cbFirst))
            return false;
        printf(" +");
        return decode_pgop(pgop, cbPgop);
    }
    case BJ_LR_VER: {
        bj_lr_ver v;
        if (bj_lr_ver_decode(b, cb, &v) < 0)
            return false;
        printf(" VER trx %" PRIu64 " rce %" PRIu64 " dbid %" PRIu32 " objid %" PRIu32 " kind %u",
               v.trxid, v.rceid, v.dbid, v.objid, (unsigned)v.kind);
        return true;
    }
    case BJ_LR_UNDO: {
        uint64_t trxid, rceid;
        if (bj_lr_undo_decode(b, cb, &trxid, &rceid) < 0)
            return false;
        printf(" UNDO trx %" PRIu64 " rce %" PRIu64, trxid, rceid);
        return true;
    }
    case BJ_LR_COMMIT0:
    case BJ_LR_TRXEND: {
        uint64_t trxid;
        if (bj_lr_trxid_decode(b, cb, &trxid) < 0)
            return false;
        printf(" trx %" PRIu64, trxid);
        return true;
    }
    case BJ_LR_FPI:
        if (cb < 8)
            return false;
        printf(" dbid %" PRIu32 " pgno %" PRIu32 " page %" PRIu32 " bytes", bj_ld32(b),
               bj_ld32(b + 4), cb - 8);
        return true;
    case BJ_LR_SMO_IMAGE:
        if (cb < 16)
            return false;
        printf(" dbid %" PRIu32 " pgno %" PRIu32 " smo %" PRIu64 " page %" PRIu32 " bytes",
               bj_ld32(b), bj_ld32(b + 4), bj_ld64(b + 8), cb - 16);
        return true;
    case BJ_LR_SMO_END:
        if (cb < 12)
            return false;
        printf(" dbid %" PRIu32 " smo %" PRIu64, bj_ld32(b), bj_ld64(b + 4));
        return true;
    case BJ_LR_EXTEND:
        if (cb < 8)
            return false;
        printf(" dbid %" PRIu32 " cpg %" PRIu32, bj_ld32(b), bj_ld32(b + 4));
        return true;
    default:
        return true;
    }
}

/* ---------------------------------------------------------------- the dump */

typedef struct dump {
    bj_os *os;
    const char *dir, *base;
    const char *fileShown; /* the user's file (a single FILE dump) */
    uint32_t genLast;      /* a single FILE dump: its generation (the reader stops there) */
    bool headersOnly;
    uint32_t cgen;
    uint64_t crec, cbRec, cbad;
    uint64_t cType[BJ_LR_MAX];
    uint32_t *rgArch; /* archive generations in dir, sorted */
    uint32_t cArch, capArch;
    bool oom;
} dump;

static bool corrupt_family(JET_ERR err)
{
    switch (err) {
    case JET_errLogFileCorrupt:
    case JET_errBadLogSignature:
    case JET_errInvalidLogSequence:
    case JET_errLogGenerationMismatch:
    case JET_errMissingLogFile:
    case JET_errMissingPreviousLogFile:
    case JET_errBadLogVersion:
    case JET_errCheckpointCorrupt:
        return true;
    default:
        return false;
    }
}

static int exit_for(JET_ERR err)
{
    return corrupt_family(err) ? BJ_EXIT_FAULTS : BJ_EXIT_ERROR;
}

static void on_entry(void *ctx, const char *name, bool is_dir)
{
    dump *d = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, d->base);
    if (g == 0 || d->oom)
        return;
    if (d->cArch == d->capArch) {
        uint32_t cap = d->capArch ? 2 * d->capArch : 32;
        uint32_t *rg = realloc(d->rgArch, cap * sizeof(*rg));
        if (!rg) {
            d->oom = true;
            return;
        }
        d->rgArch = rg;
        d->capArch = cap;
    }
    d->rgArch[d->cArch++] = g;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool is_archive(const dump *d, uint32_t g)
{
    for (uint32_t i = 0; i < d->cArch; i++)
        if (d->rgArch[i] == g)
            return true;
    return false;
}

/* The file that holds generation g: its archive if there is one, else <base>.log. */
static void gen_path(const dump *d, uint32_t g, char *out, size_t cch)
{
    if (d->fileShown) {
        snprintf(out, cch, "%s", d->fileShown);
        return;
    }
    if (!is_archive(d, g) || bj_log_name_gen(out, cch, d->dir, d->base, g) < 0)
        bj_log_name_current(out, cch, d->dir, d->base);
}

/* Headers only: every archive in order, then <base>.log. */
static int dump_headers(dump *d)
{
    char path[BJ_PATH_MAX];
    bj_log_hdr h;
    JET_ERR err;
    bool exists = false;
    int rc = BJ_EXIT_OK;
    for (uint32_t i = 0; i < d->cArch; i++) {
        if (bj_log_name_gen(path, sizeof(path), d->dir, d->base, d->rgArch[i]) < 0)
            continue;
        bool e8 = false;
        bj_os_stat(d->os, path, &e8, NULL, NULL);
        if (!e8) { /* a 5-digit name */
            char name[32];
            snprintf(name, sizeof(name), "%s%05" PRIX32 ".log", d->base, d->rgArch[i]);
            bj_path_join(path, sizeof(path), d->dir, name);
        }
        if ((err = bj_log_read_header(d->os, path, &h)) < 0) {
            bj_tool_err(path, err);
            rc = BJ_MAX(rc, exit_for(err));
            continue;
        }
        print_log_header(path, &h);
        d->cgen++;
    }
    bj_log_name_current(path, sizeof(path), d->dir, d->base);
    bj_os_stat(d->os, path, &exists, NULL, NULL);
    if (exists) {
        if ((err = bj_log_read_header(d->os, path, &h)) < 0) {
            bj_tool_err(path, err);
            rc = BJ_MAX(rc, exit_for(err));
        } else {
            print_log_header(path, &h);
            d->cgen++;
        }
    }
    return rc;
}

/* Headers and records of every generation through one reader. */
static int dump_records(dump *d)
{
    bj_logr *r = NULL;
    bj_logr_rec rec;
    bool fEnd = false;
    uint32_t genShown = 0;
    char path[BJ_PATH_MAX], pos[32];
    JET_ERR err;
    bj_logr_config cfg = {.os = d->os, .szLogPath = d->dir, .szBaseName = d->base, .genLast = d->genLast};
    if ((err = bj_logr_open(&cfg, &r)) < 0) {
        bj_tool_err(d->dir, err);
        return exit_for(err);
    }
    for (;;) {
        err = bj_logr_next(r, &rec, &fEnd);
        const bj_log_hdr *h = bj_logr_last_header(r);
        /* a generation's header before its first record (or at the end for one without) */
        if (h && h->gen != genShown) {
            for (uint32_t g = genShown ? genShown + 1 : h->gen; g < h->gen; g++) {
                bj_log_hdr hg; /* a generation without records in between */
                gen_path(d, g, path, sizeof(path));
                if (bj_log_read_header(d->os, path, &hg) >= 0) {
                    print_log_header(path, &hg);
                    printf("  (no records)\n");
                    d->cgen++;
                }
            }
            gen_path(d, h->gen, path, sizeof(path));
            print_log_header(path, h);
            printf("Records:\n");
            genShown = h->gen;
            d->cgen++;
        }
        if (err < 0 || fEnd)
            break;
        fmt_lsn(rec.lsn, pos, sizeof(pos));
        printf("  %s %-9s %7" PRIu32 " ", pos, bj_lr_name(rec.type), rec.cb);
        if (!decode_body(rec.type, rec.body, rec.cb)) {
            printf(" (malformed body)");
            d->cbad++;
        }
        printf("\n");
        d->crec++;
        d->cbRec += BJ_REC_CB_HDR + (uint64_t)rec.cb;
        d->cType[rec.type]++;
    }
    fmt_lsn(bj_logr_end(r), pos, sizeof(pos));
    bj_logr_close(r);
    if (err < 0) {
        char what[BJ_PATH_MAX + 64];
        snprintf(what, sizeof(what), "%s: after %s", d->fileShown ? d->fileShown : d->dir, pos);
        bj_tool_err(what, err);
        return exit_for(err);
    }
    printf("End of log: %s\n", pos);
    if (d->cbad) {
        char what[64];
        snprintf(what, sizeof(what), "%" PRIu64 " malformed record bodies", d->cbad);
        bj_tool_err(what, BJ_ERR(JET_errLogFileCorrupt));
        return BJ_EXIT_FAULTS;
    }
    return BJ_EXIT_OK;
}

static int dump_chk(dump *d, bool fRequired)
{
    char path[BJ_PATH_MAX];
    bool exists = false;
    bj_chk_info c;
    JET_ERR err;
    if (bj_log_name_chk(path, sizeof(path), d->dir, d->base) < 0)
        return BJ_EXIT_ERROR;
    bj_os_stat(d->os, path, &exists, NULL, NULL);
    if (!exists && !fRequired)
        return BJ_EXIT_OK;
    if ((err = bj_chk_read(d->os, d->dir, d->base, &c)) < 0) {
        bj_tool_err(path, err);
        return exit_for(err);
    }
    print_chk(path, &c);
    return BJ_EXIT_OK;
}

static void print_summary(const dump *d, bool headersOnly)
{
    printf("\nSummary: %" PRIu32 " generation%s", d->cgen, d->cgen == 1 ? "" : "s");
    if (!headersOnly) {
        printf(", %" PRIu64 " records, %" PRIu64 " bytes", d->crec, d->cbRec);
        bool first = true;
        for (uint32_t t = 0; t < BJ_LR_MAX; t++) {
            if (!d->cType[t])
                continue;
            printf("%s%s %" PRIu64, first ? " (" : ", ", bj_lr_name(t), d->cType[t]);
            first = false;
        }
        if (!first)
            printf(")");
    }
    printf("\n");
}

/* ---------------------------------------------------------------- a single file */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The scratch folder with one link to the file (see the top). */
typedef struct stage {
    char dir[PATH_MAX], link[PATH_MAX + 32];
    bool fDir, fLink;
} stage;

static void stage_drop(stage *s)
{
    if (s->fLink)
        unlink(s->link);
    if (s->fDir)
        rmdir(s->dir);
    s->fLink = s->fDir = false;
}

static JET_ERR stage_file(stage *s, const char *file, const char *linkName)
{
    char target[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    if (!realpath(file, target))
        return BJ_ERR(JET_errFileNotFound);
    snprintf(s->dir, sizeof(s->dir), "%s/bluejet-logs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir))
        return BJ_ERR(JET_errDiskIO);
    s->fDir = true;
    snprintf(s->link, sizeof(s->link), "%s/%s", s->dir, linkName);
    if (symlink(target, s->link) != 0)
        return BJ_ERR(JET_errDiskIO);
    s->fLink = true;
    return JET_errSuccess;
}

static int dump_file(dump *d, const char *file)
{
    stage s = {.fDir = false, .fLink = false};
    const char *name = strrchr(file, '/');
    char linkName[32];
    int rc;
    JET_ERR err;
    name = name ? name + 1 : file;
    bool fChk = ends_with(name, ".chk");
    if (fChk) {
        snprintf(linkName, sizeof(linkName), "edb.chk");
    } else {
        char base[4] = {0};
        uint32_t g = 0;
        if (strlen(name) > 3) {
            memcpy(base, name, 3);
            g = bj_log_parse_gen(name, base);
        }
        if (g)
            snprintf(linkName, sizeof(linkName), "edb%08" PRIX32 ".log", g);
        else
            snprintf(linkName, sizeof(linkName), "edb.log");
    }
    if ((err = stage_file(&s, file, linkName)) < 0) {
        bj_tool_err(file, err);
        stage_drop(&s);
        return BJ_EXIT_ERROR;
    }
    d->dir = s.dir;
    d->base = "edb";
    d->fileShown = file;
    if (fChk) {
        bj_chk_info c;
        if ((err = bj_chk_read(d->os, s.dir, "edb", &c)) < 0) {
            bj_tool_err(file, err);
            rc = exit_for(err);
        } else {
            print_chk(file, &c);
            rc = BJ_EXIT_OK;
        }
        stage_drop(&s);
        return rc;
    }
    bj_log_hdr h;
    if ((err = bj_log_read_header(d->os, s.link, &h)) < 0) {
        bj_tool_err(file, err);
        stage_drop(&s);
        return exit_for(err);
    }
    if (d->headersOnly) {
        print_log_header(file, &h);
        d->cgen = 1;
        rc = BJ_EXIT_OK;
    } else {
        on_entry(d, linkName, false);
        d->genLast = h.gen;
        rc = dump_records(d);
    }
    print_summary(d, d->headersOnly);
    stage_drop(&s);
    return rc;
}

/* ---------------------------------------------------------------- the command */

static const char usage[] =
    "usage: bluejet logs DIR|FILE [--headers] [--base NAME]\n"
    "\n"
    "Dumps transaction log files (esentutl /ml). For a FILE (a log file such as\n"
    "edb.log or edb00000003.log, or a checkpoint file such as edb.chk): its header\n"
    "(generation, log signature, tmCreate, tmPrevGen, sizes, database page size,\n"
    "checkpoint, circular logging, attached databases), then its records, one a\n"
    "line: the position as ESE's lgpos GGGGGGGG:SSSS:BBBB (generation, 512-byte\n"
    "sector, byte; hex), the type, the body length, and a short decode (PGOP: dbid,\n"
    "pgno, operation, dbtime after; FPI/SMO_IMAGE: dbid, pgno; VER/UNDO/COMMIT0/\n"
    "TRXEND: transaction id, revision id; ATTACH: dbid, path; ...).\n"
    "For a DIR: every generation in order (archives, then <base>.log; the reader\n"
    "checks that they belong together) and the checkpoint file <DIR>/<base>.chk.\n"
    "A summary line ends the dump: generations, records, record bytes, per type.\n"
    "\n"
    "options:\n"
    "  --headers     headers only, no records\n"
    "  --base NAME   the log base name in DIR (3 characters; default edb)\n"
    "  --help        this text\n"
    "\n"
    "exit status: 0 dumped, 1 corrupt or inconsistent logs (JET_errLogFileCorrupt,\n"
    "JET_errMissingLogFile, JET_errBadLogSignature, ...), 2 usage or I/O error\n";

static int run_logs(int argc, char **argv)
{
    bool headers = false;
    const char *base = "edb";
    const bj_tool_opt opts[] = {
        {"--headers", BJ_OPT_FLAG, &headers, NULL},
        {"--base", BJ_OPT_STR, &base, NULL},
    };
    const char *pos[1];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_logs, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 1, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    if (strlen(base) != 3) {
        bj_tool_msg("--base: a base name has 3 characters");
        return BJ_EXIT_ERROR;
    }
    dump d;
    memset(&d, 0, sizeof(d));
    d.os = bj_os_posix();
    d.headersOnly = headers;
    bool exists = false, isDir = false;
    JET_ERR err = bj_os_stat(d.os, pos[0], &exists, &isDir, NULL);
    if (err >= 0 && !exists)
        err = BJ_ERR(JET_errFileNotFound);
    if (err < 0) {
        bj_tool_err(pos[0], err);
        return BJ_EXIT_ERROR;
    }
    if (!isDir) {
        rc = dump_file(&d, pos[0]);
        free(d.rgArch);
        return rc;
    }
    d.dir = pos[0];
    d.base = base;
    if ((err = bj_os_list_dir(d.os, d.dir, on_entry, &d)) < 0 || d.oom) {
        bj_tool_err(d.dir, err < 0 ? err : BJ_ERR(JET_errOutOfMemory));
        free(d.rgArch);
        return BJ_EXIT_ERROR;
    }
    if (d.cArch)
        qsort(d.rgArch, d.cArch, sizeof(uint32_t), cmp_u32);
    rc = headers ? dump_headers(&d) : dump_records(&d);
    rc = BJ_MAX(rc, dump_chk(&d, false));
    print_summary(&d, headers);
    free(d.rgArch);
    return rc;
}

const bj_tool_cmd bj_cmd_logs = {
    "logs",
    "transaction log and checkpoint dump (esentutl /ml)",
    usage,
    run_logs,
};
