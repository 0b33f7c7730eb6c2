/* cmd_pages.c: `bluejet pages FILE [--page N | --range A-B] [--nodes] [--hex]`, a page-level dump
 * of a database for debugging.
 *
 * Per page: pgno, checksum status, dbtime, objid, prev, next, flags by name, cbFree, ibMicFree,
 * tag count; with --nodes every node (flags, key in hex, data size; data in hex with --hex).
 * Runs of all-zero pages are folded into one line. The last lines summarise the pages by
 * checksum status and by tree (objid of the pages whose checksum verified).
 * Checksum status of a page:
 *   zero           every byte is 0 (never written);
 *   ok             new-format (XOR+ECC) checksum verifies (large pages: and the pgno field);
 *   old-format ok  old XOR checksum verifies (small pages without flag 0x2000);
 *   bad            the checksum fails but the header and tags look like an ESE page;
 *   not an ESE page  the checksum fails and the header is not a page's (unknown flag bits or
 *                  tag array / free counts out of bounds), e.g. slack bytes past the used pages.
 * Invariants: every page is read raw and validated by the page layer before any TAG or node is
 * followed; a bad page is reported and the dump goes on. Exit status 1 when any page is bad,
 * not an ESE page or has a structure error.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "common/checksum.h"
#include "page/page.h"
#include "tool_db.h"

typedef enum pg_status {
    PG_OK,
    PG_OLD_OK,
    PG_BAD,
    PG_NOT_ESE,
    PG_ZERO,
    PG_NSTATUS,
} pg_status;

static const char *const status_text[PG_NSTATUS] = {"ok", "old-format ok", "bad", "not an ESE page",
                                                    "zero"};
static const char *const status_key[PG_NSTATUS] = {"ok", "old-ok", "bad", "not-ese", "zero"};

/* Page flag names (cpage.hxx), in bit order; the flush type is printed separately. */
static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    {BJ_PGF_ROOT, "root"},
    {BJ_PGF_LEAF, "leaf"},
    {BJ_PGF_PARENT_OF_LEAF, "parent-of-leaf"},
    {BJ_PGF_EMPTY, "empty"},
    {BJ_PGF_REPAIR, "repair"},
    {BJ_PGF_SPACE_TREE, "space-tree"},
    {BJ_PGF_INDEX, "index"},
    {BJ_PGF_LONG_VALUE, "long-value"},
    {0x00100u, "slv-avail"},     /* obsolete SLV flags, still named */
    {0x00200u, "slv-owner-map"}, /* obsolete */
    {BJ_PGF_NON_UNIQUE_KEYS, "non-unique"},
    {BJ_PGF_NEW_RECORD_FORMAT, "new-record-format"},
    {BJ_PGF_NEW_CHECKSUM_FORMAT, "new-checksum"},
    {BJ_PGF_SCRUBBED, "scrubbed"},
    {BJ_PGF_PREINIT, "pre-init"},
    {BJ_PGF_FDP_DELETE, "fdp-delete"},
};

static uint32_t known_flags(void)
{
    uint32_t m = BJ_PGF_FLUSH_TYPE_MASK;
    for (size_t i = 0; i < BJ_ARRAY_LEN(flag_names); i++)
        m |= flag_names[i].bit;
    return m;
}

/* "root|leaf|new-checksum|flush-type=1|unknown=0x1000" (or "none"). */
static void fmt_flags(uint32_t flags, char *out, size_t cch)
{
    size_t n = 0;
    out[0] = '\0';
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < cch) {                                                                             \
            int w_ = snprintf(out + n, cch - n, __VA_ARGS__);                                      \
            n += w_ > 0 ? (size_t)w_ : 0;                                                          \
        }                                                                                          \
    } while (0)
    for (size_t i = 0; i < BJ_ARRAY_LEN(flag_names); i++)
        if (flags & flag_names[i].bit)
            APPEND("%s%s", n ? "|" : "", flag_names[i].name);
    if (flags & BJ_PGF_FLUSH_TYPE_MASK)
        APPEND("%sflush-type=%" PRIu32, n ? "|" : "",
               (flags & BJ_PGF_FLUSH_TYPE_MASK) >> BJ_PGF_FLUSH_TYPE_SHIFT);
    if (flags & ~known_flags())
        APPEND("%sunknown=0x%" PRIx32, n ? "|" : "", flags & ~known_flags());
    if (!n)
        APPEND("none");
#undef APPEND
}

/* The checksum status of a page read from pgno (see the file comment). */
static pg_status classify(const uint8_t *pg, uint32_t cbPage, uint32_t pgno)
{
    if (bj_page_is_zero(pg, cbPage))
        return PG_ZERO;
    uint32_t flags = bj_page_flags(pg);
    bool cksOk = bj_checksum_page_ok(pg, cbPage, pgno);
    if (cksOk && bj_page_is_large(cbPage) && bj_page_pgno_field(pg, cbPage) != pgno)
        cksOk = false;
    if (cksOk)
        return (!bj_page_is_large(cbPage) && !(flags & BJ_PGF_NEW_CHECKSUM_FORMAT)) ? PG_OLD_OK
                                                                                    : PG_OK;
    if ((flags & ~known_flags()) || bj_page_check_structure(pg, cbPage) < 0)
        return PG_NOT_ESE;
    return PG_BAD;
}

/* ---------------------------------------------------------------- per-objid counts */

typedef struct objid_count {
    uint32_t objid;
    uint64_t cpg;
} objid_count;

typedef struct objid_table {
    objid_count *v;
    size_t n, cap;
} objid_table;

/* Adds one page to objid's count (sorted array, binary search). False when out of memory. */
static bool objid_add(objid_table *t, uint32_t objid)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->v[mid].objid < objid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && t->v[lo].objid == objid) {
        t->v[lo].cpg++;
        return true;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        objid_count *v = bj_tool_realloc(t->v, cap * sizeof(*v));
        if (!v)
            return false;
        t->v = v;
        t->cap = cap;
    }
    memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
    t->v[lo].objid = objid;
    t->v[lo].cpg = 1;
    t->n++;
    return true;
}

/* ---------------------------------------------------------------- printing */

typedef struct pages_opts {
    bool nodes;
    bool hex;
} pages_opts;

static void print_key_hex(const uint8_t *key, uint32_t cb)
{
    for (uint32_t i = 0; i < cb; i++)
        printf("%02x", key[i]);
}

/* Every node of a page whose structure was checked; a bad node is reported, the rest go on.
 * Returns the number of nodes that failed. */
static uint32_t print_nodes(const uint8_t *pg, uint32_t cbPage, const pages_opts *o,
                            uint8_t *keybuf)
{
    uint32_t nbad = 0;
    uint32_t ntags = bj_page_ntags(pg);
    const uint8_t *ext = NULL;
    uint32_t cbExt = 0;
    JET_ERR err = bj_page_get_ext_header(pg, cbPage, &ext, &cbExt);
    if (err < 0) {
        printf("    tag 0: %s (%d)\n", bj_tool_err_name(err), (int)err);
        nbad++;
    } else if (ntags > 0) {
        printf("    tag 0 (external header): %" PRIu32 " bytes", cbExt);
        if (cbExt && cbExt <= 64) {
            printf(" ");
            print_key_hex(ext, cbExt);
        }
        printf("\n");
        if (o->hex && cbExt > 64)
            bj_tool_hexdump(stdout, ext, cbExt, "      ");
    }
    for (uint32_t itag = 1; itag < ntags; itag++) {
        bj_node nd;
        err = bj_page_get_node(pg, cbPage, itag, &nd);
        if (err < 0) {
            printf("    node %" PRIu32 ": %s (%d)\n", itag, bj_tool_err_name(err), (int)err);
            nbad++;
            continue;
        }
        uint32_t cbKey = bj_node_key_len(&nd);
        bj_node_copy_key(&nd, keybuf);
        printf("    node %" PRIu32 ": flags 0x%x%s%s%s key(%" PRIu32 ") ", itag, nd.flags,
               (nd.flags & BJ_ND_VERSION) ? " version" : "",
               (nd.flags & BJ_ND_DELETED) ? " deleted" : "",
               (nd.flags & BJ_ND_COMPRESSED) ? " compressed" : "", cbKey);
        print_key_hex(keybuf, cbKey);
        if (nd.flags & BJ_ND_COMPRESSED)
            printf(" prefix %" PRIu32, nd.cbPrefix);
        printf(" data %" PRIu32 " bytes\n", nd.cbData);
        if (o->hex && nd.cbData)
            bj_tool_hexdump(stdout, nd.data, nd.cbData, "      ");
    }
    return nbad;
}

static void print_page_line(uint32_t pgno, const uint8_t *pg, uint32_t cbPage, pg_status st)
{
    char flags[256];
    uint32_t f = bj_page_flags(pg);
    fmt_flags(f, flags, sizeof(flags));
    uint64_t dbtime = bj_page_dbtime(pg);
    printf("pgno %" PRIu32 ": %s dbtime %" PRIu64 " (0x%" PRIx64 ") objid %" PRIu32 " prev %" PRIu32
           " next %" PRIu32 " cbFree %" PRIu32 " ibMicFree %" PRIu32 " tags %" PRIu32
           " flags 0x%" PRIx32 " %s\n",
           pgno, status_text[st], dbtime, dbtime, bj_page_objid(pg), bj_page_prev(pg),
           bj_page_next(pg), bj_page_cbfree(pg), bj_page_ibmicfree(pg), bj_page_ntags(pg), f,
           flags);
}

static void print_zero_run(uint32_t first, uint32_t last)
{
    if (first == last)
        printf("pgno %" PRIu32 ": zero\n", first);
    else
        printf("pgno %" PRIu32 "-%" PRIu32 ": zero (%" PRIu32 " pages)\n", first, last,
               last - first + 1);
}

/* ---------------------------------------------------------------- the command */

static const char usage[] =
    "usage: bluejet pages FILE [--page N | --range A-B] [--nodes] [--hex]\n"
    "\n"
    "Dumps the database pages of FILE (all of them unless --page or --range):\n"
    "pgno, checksum status (ok, old-format ok, bad, not an ESE page, zero), dbtime,\n"
    "objid, prev, next, cbFree, ibMicFree, tag count and the page flags by name.\n"
    "Runs of zero pages are folded; the last lines count the pages by checksum\n"
    "status and by tree (objid of the pages whose checksum verified).\n"
    "\n"
    "options:\n"
    "  --page N      only page N (1 = first database page after the two headers)\n"
    "  --range A-B   pages A to B\n"
    "  --nodes       every node: flags, key (hex), data size\n"
    "  --hex         with --nodes: node data in hex (implies --nodes)\n"
    "  --help        this text\n"
    "\n"
    "exit status: 0 every page is zero or verifies, 1 some page is bad, not an ESE\n"
    "page or structurally corrupt, 2 usage or I/O error\n";

static int run_pages(int argc, char **argv)
{
    uint32_t onePage = 0;
    bj_tool_range range = {0, 0};
    bool seenPage = false, seenRange = false;
    pages_opts o = {false, false};
    const bj_tool_opt opts[] = {
        {"--page", BJ_OPT_U32, &onePage, &seenPage},
        {"--range", BJ_OPT_RANGE, &range, &seenRange},
        {"--nodes", BJ_OPT_FLAG, &o.nodes, NULL},
        {"--hex", BJ_OPT_FLAG, &o.hex, NULL},
    };
    const char *pos[1];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_pages, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 1, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    if (seenPage && seenRange) {
        bj_tool_msg("pages: --page and --range exclude each other");
        return BJ_EXIT_ERROR;
    }
    if (o.hex)
        o.nodes = true;

    bj_tool_db db;
    uint8_t *pg = NULL, *keybuf = NULL;
    objid_table objids = {NULL, 0, 0};
    uint64_t count[PG_NSTATUS] = {0};
    uint64_t nstruct = 0, nnodebad = 0;
    JET_ERR err = bj_tool_db_open(pos[0], &db);
    if (err < 0)
        return BJ_EXIT_ERROR;
    rc = BJ_EXIT_ERROR;

    uint32_t first = 1, last = db.cpg;
    if (seenPage)
        first = last = onePage;
    else if (seenRange)
        first = range.first, last = range.last;
    if (first < 1 || last > db.cpg || first > last) {
        bj_tool_msg("pages: %s has database pages 1-%" PRIu32 "; asked for %" PRIu32 "-%" PRIu32,
                    pos[0], db.cpg, first, last);
        goto done;
    }
    pg = bj_tool_alloc_page(db.cbPage);
    keybuf = bj_tool_malloc(2u * db.cbPage);
    if (!pg || !keybuf) {
        bj_tool_err("pages", JET_errOutOfMemory);
        goto done;
    }

    printf("%s: page size %" PRIu32 ", %" PRIu32 " database pages", pos[0], db.cbPage, db.cpg);
    if (db.cbFile % db.cbPage)
        printf(", %" PRIu64 " trailing bytes after the last whole page", db.cbFile % db.cbPage);
    printf("\n");

    uint32_t zeroFirst = 0; /* start of the current run of zero pages, 0 if none */
    for (uint64_t p = first; p <= last; p++) {
        uint32_t pgno = (uint32_t)p;
        err = bj_tool_db_read_page(&db, pgno, pg);
        if (err < 0) {
            if (zeroFirst)
                print_zero_run(zeroFirst, pgno - 1);
            char what[64];
            snprintf(what, sizeof(what), "pages: reading page %" PRIu32, pgno);
            bj_tool_err(what, err);
            goto done;
        }
        pg_status st = classify(pg, db.cbPage, pgno);
        count[st]++;
        if (st == PG_ZERO) {
            if (!zeroFirst)
                zeroFirst = pgno;
            continue;
        }
        if (zeroFirst) {
            print_zero_run(zeroFirst, pgno - 1);
            zeroFirst = 0;
        }
        print_page_line(pgno, pg, db.cbPage, st);
        if (st == PG_OK || st == PG_OLD_OK) {
            if (!objid_add(&objids, bj_page_objid(pg))) {
                bj_tool_err("pages", JET_errOutOfMemory);
                goto done;
            }
            err = bj_page_check_structure(pg, db.cbPage);
            if (err < 0) {
                nstruct++;
                printf("    structure: %s (%d)\n", bj_tool_err_name(err), (int)err);
            }
        }
        if (o.nodes) {
            if (st == PG_NOT_ESE)
                printf("    (nodes not shown: not an ESE page)\n");
            else
                nnodebad += print_nodes(pg, db.cbPage, &o, keybuf);
        }
    }
    if (zeroFirst)
        print_zero_run(zeroFirst, last);

    printf("summary: pages=%" PRIu64, (uint64_t)last - first + 1);
    for (int s = 0; s < PG_NSTATUS; s++)
        printf(" %s=%" PRIu64, status_key[s], count[s]);
    printf(" structure-errors=%" PRIu64 "\n", nstruct);
    printf("objids:");
    for (size_t i = 0; i < objids.n; i++)
        printf(" %" PRIu32 "=%" PRIu64, objids.v[i].objid, objids.v[i].cpg);
    printf("\n");
    BJ_UNUSED(nnodebad); /* node errors of a verified page are already structure errors */
    rc = (count[PG_BAD] || count[PG_NOT_ESE] || nstruct) ? BJ_EXIT_FAULTS : BJ_EXIT_OK;

done:
    bj_tool_free(objids.v);
    bj_tool_free(keybuf);
    bj_tool_free_page(pg);
    bj_tool_db_close(&db);
    return rc;
}

const bj_tool_cmd bj_cmd_pages = {
    "pages",
    "page-level dump: checksum status, header fields, flags, nodes",
    usage,
    run_pages,
};
