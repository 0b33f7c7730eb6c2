/* test_check.c: `bluejet check`, run as a program ($BJ_TOOL) on the Windows sample databases
 * and on damaged copies of them (written to bj_test_tmpdir(); /work/shared is never touched).
 * The samples: SRUDB and WebCache are clean (only notes); Catalog1 has four genuine faults (a
 * copy taken while in use: three pages newer than the header's dbtime and an uncommitted index
 * entry whose record never reached its table page), asserted exactly.
 * Each damage is made on an in-memory image, re-sealed with bj_page_seal when only one check
 * should notice it, and must give exit 1 and the right fault line; unreadable files exit 2.
 * The tool runs under `timeout` so a hang fails the test; sanitizer reports fail it too.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "common/checksum.h"
#include "common/common.h"
#include "page/page.h"
#include "page/pgop.h"
#include "rec/rec.h"
#include "testlib.h"

/* ---------------------------------------------------------------- running the tool */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return calloc(1, 1);
    fseek(f, 0, SEEK_END);
    long cb = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)(cb > 0 ? cb : 0) + 1);
    size_t n = buf ? fread(buf, 1, (size_t)(cb > 0 ? cb : 0), f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

typedef struct run_result {
    int rc; /* exit status; -1 if the tool did not exit normally */
    char *out, *err;
} run_result;

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Runs `$BJ_TOOL check <args>` with a time limit and captures its output. */
static run_result run_check(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static run_result run_check(const char *fmt, ...)
{
    run_result r = {-1, NULL, NULL};
    const char *tool = getenv("BJ_TOOL");
    char args[4096], cmd[16384], outPath[4096], errPath[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(outPath, sizeof(outPath), "%s/check.out", bj_test_tmpdir());
    snprintf(errPath, sizeof(errPath), "%s/check.err", bj_test_tmpdir());
    if (!tool || !*tool) {
        bj_test_fail(__FILE__, __LINE__, "BJ_TOOL is not set");
        r.out = calloc(1, 1);
        r.err = calloc(1, 1);
        return r;
    }
    snprintf(cmd, sizeof(cmd),
             "ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99:halt_on_error=1 timeout 120 "
             "'%s' check %s >'%s' 2>'%s'",
             tool, args, outPath, errPath);
    int st = system(cmd);
    if (st != -1 && WIFEXITED(st))
        r.rc = WEXITSTATUS(st);
    r.out = slurp(outPath);
    r.err = slurp(errPath);
    if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error"))
        bj_test_fail(__FILE__, __LINE__, "sanitizer report from `bluejet check %s`:\n%s", args,
                     r.err);
    if (getenv("BJ_CHECK_VERBOSE")) /* debugging aid: show what the tool printed */
        fprintf(stderr, "--- bluejet check %s: exit %d\n%s%s", args, r.rc, r.out, r.err);
    if (r.rc == 124)
        bj_test_fail(__FILE__, __LINE__, "`bluejet check %s` hung", args);
    return r;
}

/* Number of lines of text containing every one of the given substrings (NULL-terminated). */
static int count_lines(const char *text, ...)
{
    int n = 0;
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = malloc(len + 1);
        memcpy(l, line, len);
        l[len] = '\0';
        bool all = true;
        va_list ap;
        va_start(ap, text);
        for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
            all = all && strstr(l, s) != NULL;
        va_end(ap);
        n += all;
        free(l);
        line = end ? end + 1 : NULL;
    }
    return n;
}

/* The number of faults in the summary line ("...: X faults (Y notes)"), or -1. */
static long summary_faults(const char *out)
{
    const char *p = strstr(out, " records checked: ");
    return p ? strtol(p + strlen(" records checked: "), NULL, 10) : -1;
}

/* ---------------------------------------------------------------- images */

typedef struct image {
    uint8_t *b;
    size_t cb;
    uint32_t cbPage;
    uint32_t cpg;
    char path[4096];
} image;

static bool image_load(image *im, const char *name, uint32_t cbPage)
{
    memset(im, 0, sizeof(*im));
    im->b = bj_test_load_edb(name, &im->cb);
    if (!im->b) {
        bj_test_fail(__FILE__, __LINE__, "sample %s missing", name);
        return false;
    }
    im->cbPage = cbPage;
    im->cpg = (uint32_t)(im->cb / cbPage - 2);
    snprintf(im->path, sizeof(im->path), "%s/%s", bj_test_tmpdir(), name);
    return true;
}

static uint8_t *pg(image *im, uint32_t pgno)
{
    return im->b + ((size_t)pgno + 1) * im->cbPage;
}

static void image_write(image *im, size_t cb)
{
    FILE *f = fopen(im->path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ(fwrite(im->b, 1, cb, f), cb);
    fclose(f);
}

static void image_free(image *im)
{
    free(im->b);
    im->b = NULL;
}

static void seal(image *im, uint32_t pgno)
{
    bj_page_seal(pg(im, pgno), im->cbPage, pgno);
}

static bool page_ok(image *im, uint32_t pgno)
{
    return !bj_page_is_zero(pg(im, pgno), im->cbPage) &&
           bj_checksum_page_ok(pg(im, pgno), im->cbPage, pgno);
}

/* Swaps the TAG entries of nodes a and b (their order on the page; the bytes stay). */
static void swap_tags(image *im, uint32_t pgno, uint32_t a, uint32_t b)
{
    uint8_t *p = pg(im, pgno);
    uint8_t *ta = p + im->cbPage - 4 * (a + 1), *tb = p + im->cbPage - 4 * (b + 1), t[4];
    memcpy(t, ta, 4);
    memcpy(ta, tb, 4);
    memcpy(tb, t, 4);
}

static uint32_t child(image *im, uint32_t pgno, uint32_t itag)
{
    bj_node nd;
    if (bj_page_get_node(pg(im, pgno), im->cbPage, itag, &nd) < 0 || nd.cbData != 4)
        return 0;
    return bj_ld32(nd.data);
}

/* A table root (no index/LV/space flags, objid > 5) whose children are >= 3 leaves. */
static uint32_t find_table_parent(image *im)
{
    for (uint32_t p = 1; p <= im->cpg; p++) {
        if (!page_ok(im, p))
            continue;
        uint32_t f = bj_page_flags(pg(im, p));
        if ((f & (BJ_PGF_ROOT | BJ_PGF_PARENT_OF_LEAF)) == (BJ_PGF_ROOT | BJ_PGF_PARENT_OF_LEAF) &&
            !(f & (BJ_PGF_INDEX | BJ_PGF_LONG_VALUE | BJ_PGF_SPACE_TREE)) &&
            bj_page_objid(pg(im, p)) > 5 && bj_page_ntags(pg(im, p)) >= 4)
            return p;
    }
    return 0;
}

/* A multi-extent FDP root (not the DB root) with parent pgnoParent; *poe = its OE root. */
static uint32_t find_multi_fdp(image *im, uint32_t pgnoParent, uint32_t minPgno, uint32_t *poe)
{
    for (uint32_t p = minPgno; p <= im->cpg; p++) {
        if (!page_ok(im, p))
            continue;
        uint8_t *x = pg(im, p);
        const uint8_t *ext;
        uint32_t cb;
        if (!(bj_page_flags(x) & BJ_PGF_ROOT) || (bj_page_flags(x) & BJ_PGF_SPACE_TREE) ||
            bj_page_get_ext_header(x, im->cbPage, &ext, &cb) < 0 || cb != 16)
            continue;
        if (bj_ld32(ext + 4) == pgnoParent && (bj_ld32(ext + 8) & 1)) {
            *poe = bj_ld32(ext + 12);
            return p;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- the samples */

TEST(samples_clean)
{
    image im;
    /* SRUDB: clean; notes for the unowned tail 143-158 and its 16 slack pages */
    if (image_load(&im, "SRUDB_win_rev14_4k.dat", 4096)) {
        image_write(&im, im.cb);
        run_result r = run_check("'%s'", im.path);
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(summary_faults(r.out), 0);
        CHECK_EQ(count_lines(r.out, ": fault: ", NULL), 0);
        CHECK_EQ(count_lines(r.out, "pages: note: page 1", "file slack, never read", NULL), 16);
        CHECK_EQ(count_lines(r.out, "space: note: 16 pages at the end of the file (143-158)", NULL),
                 1);
        CHECK_EQ(count_lines(r.out, "683 records checked: 0 faults (17 notes)", NULL), 1);
        run_free(&r);
        image_free(&im);
    }
    /* WebCache (32 KiB pages, 86 long values): clean; notes: the unowned tail and five
     * indexes over Unicode text whose record -> entry direction cannot be compared */
    if (image_load(&im, "WebCacheV01_rev6e_32k.dat", 32768)) {
        image_write(&im, im.cb);
        run_result r = run_check("--json '%s'", im.path);
        CHECK_EQ(r.rc, 0);
        CHECK(strstr(r.out, "\"faults\": 0,") != NULL);
        CHECK(strstr(r.out, "\"notes\": 6,") != NULL);
        CHECK(strstr(r.out, "\"recordKeysLookedUp\": 1100,") != NULL);
        CHECK(strstr(r.out, "\"longValues\": 86,") != NULL);
        CHECK(strstr(r.out, "\"records\": 2499,") != NULL);
        CHECK(strstr(r.out, "(527-814) are owned by no FDP") != NULL);
        run_free(&r);
        image_free(&im);
    }
}

TEST(catalog1_known_faults)
{
    image im;
    if (!image_load(&im, "Catalog1_rev14_4k.edb", 4096))
        return;
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(summary_faults(r.out), 4);
    CHECK_EQ(count_lines(r.out, "header: fault: page 49: dbtime 51543 is in the future", NULL), 1);
    CHECK_EQ(count_lines(r.out, "header: fault: page 50: dbtime 51633 is in the future", NULL), 1);
    CHECK_EQ(count_lines(r.out, "header: fault: page 51: dbtime 51629 is in the future", NULL), 1);
    CHECK_EQ(count_lines(r.out, "records: fault: table 'backupset' index 'timestampIndex'",
                         "points to record 7f80000097, which does not exist", "fNDVersion", NULL),
             1);
    CHECK_EQ(count_lines(r.out, "space: note: 256 pages at the end of the file (513-768)", NULL),
             1);
    CHECK_EQ(
        count_lines(r.out, "768 pages, 65 trees, 3625 records checked: 4 faults (3 notes)", NULL),
        1);
    CHECK_EQ(count_lines(r.out, "records: note: ", "Unicode text segment", NULL), 2);
    run_free(&r);
    /* --quiet: faults and the summary only */
    r = run_check("--quiet '%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, ": note: ", NULL), 0);
    CHECK_EQ(count_lines(r.out, ": fault: ", NULL), 4);
    run_free(&r);
    image_free(&im);
}

/* ---------------------------------------------------------------- page damage */

TEST(flipped_bit_is_correctable_checksum_fault)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t root = find_table_parent(&im);
    CHECK(root != 0);
    uint32_t leaf = child(&im, root, 1);
    CHECK(leaf != 0 && page_ok(&im, leaf));
    pg(&im, leaf)[100] ^= 0x10;
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "pages: fault: page %u: checksum mismatch, correctable", leaf);
    CHECK_EQ(count_lines(r.out, want, NULL), 1);
    run_free(&r);
    /* two flipped bits in different rows: not correctable */
    pg(&im, leaf)[300] ^= 0x01;
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    snprintf(want, sizeof(want), "pages: fault: page %u: checksum mismatch", leaf);
    CHECK_EQ(count_lines(r.out, want, NULL), 1);
    CHECK_EQ(count_lines(r.out, want, "correctable", NULL), 0);
    run_free(&r);
    image_free(&im);
}

TEST(broken_tag_array_is_structure_fault)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t root = find_table_parent(&im);
    uint32_t leaf = child(&im, root, 1);
    CHECK(leaf != 0);
    uint8_t *p = pg(&im, leaf);
    uint8_t *tag1 = p + im.cbPage - 8; /* TAG 1: u16 cb, u16 ib */
    bj_st16(tag1 + 2, (uint16_t)((bj_ld16(tag1 + 2) & 0xe000u) | 0x1ff0u));
    seal(&im, leaf);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "pages: fault: page %u: checksum verifies but the page structure",
             leaf);
    CHECK_EQ(count_lines(r.out, want, NULL), 1);
    CHECK_EQ(count_lines(r.out, "pages: fault: ", "checksum mismatch", NULL), 0);
    run_free(&r);
    image_free(&im);
}

TEST(swapped_leaf_keys)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t root = find_table_parent(&im);
    uint32_t leaf = child(&im, root, 1);
    CHECK(leaf != 0 && bj_page_ntags(pg(&im, leaf)) >= 4);
    swap_tags(&im, leaf, 1, 2);
    seal(&im, leaf);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "page %u node 2: key not greater than the previous", leaf);
    CHECK_EQ(count_lines(r.out, "trees: fault: table '", want, NULL), 1);
    CHECK_EQ(count_lines(r.out, "pages: fault:", NULL), 0);
    /* the tree is not read further: its records are skipped with a note */
    CHECK(count_lines(r.out, "records: note: table '", "records not checked", NULL) == 1);
    run_free(&r);
    image_free(&im);
}

TEST(broken_leaf_chain)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t root = find_table_parent(&im);
    uint32_t l1 = child(&im, root, 1), l2 = child(&im, root, 2), l3 = child(&im, root, 3);
    CHECK(l1 && l2 && l3);
    CHECK_EQ(bj_page_next(pg(&im, l1)), l2);
    bj_st32(pg(&im, l1) + 20, l3); /* pgnoNext */
    seal(&im, l1);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "leaf %u: next %u, tree order says %u", l1, l3, l2);
    CHECK_EQ(count_lines(r.out, "trees: fault: table '", want, NULL), 1);
    run_free(&r);
    /* a leaf chain that loops (next = itself) is reported, never followed */
    bj_st32(pg(&im, l1) + 20, l1);
    seal(&im, l1);
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    snprintf(want, sizeof(want), "leaf %u: next %u, tree order says %u", l1, l1, l2);
    CHECK_EQ(count_lines(r.out, want, NULL), 1);
    run_free(&r);
    image_free(&im);
}

TEST(separator_out_of_order)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t root = find_table_parent(&im);
    CHECK(root != 0);
    swap_tags(&im, root, 1, 2);
    seal(&im, root);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "root %u): page %u node 2: key not greater than the previous",
             root, root);
    CHECK_EQ(count_lines(r.out, "trees: fault: table '", want, NULL), 1);
    run_free(&r);
    /* a child pointer back to the root: a loop, reported as a revisit, no hang */
    bj_node nd;
    CHECK_OK(bj_page_get_node(pg(&im, root), im.cbPage, 1, &nd));
    bj_st32(pg(&im, root) + (nd.data - pg(&im, root)), root);
    seal(&im, root);
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    snprintf(want, sizeof(want), "page %u reached twice", root);
    CHECK(count_lines(r.out, "trees: fault: table '", want, NULL) >= 1);
    run_free(&r);
    image_free(&im);
}

/* ---------------------------------------------------------------- space damage */

TEST(page_owned_by_two_trees)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t oe = 0;
    uint32_t fdp = find_multi_fdp(&im, 1, 25, &oe); /* a table, after the catalog's pages */
    CHECK(fdp != 0 && oe != 0);
    bj_node nd;
    CHECK_OK(bj_page_get_node(pg(&im, oe), im.cbPage, 1, &nd));
    CHECK_EQ(bj_node_key_len(&nd), 4u);
    uint8_t key[4];
    bj_node_copy_key(&nd, key);
    uint32_t last = bj_ld32be(key);
    /* the table's first extent now reaches down to page 4, MSysObjects' pages */
    bj_st32(pg(&im, oe) + (nd.data - pg(&im, oe)), last - 3);
    seal(&im, oe);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "FDP %u owns a page FDP 4 owns too", fdp);
    CHECK(count_lines(r.out, "space: fault: page ", want, NULL) >= 1);
    CHECK_EQ(count_lines(r.out, "trees: fault:", NULL), 0);
    run_free(&r);
    image_free(&im);
}

TEST(available_page_used_by_a_tree)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    /* the DB root's AE (page 3) gets an extent {page 2}: page 2 is its OE's root, in use */
    uint8_t *p = pg(&im, 3);
    CHECK(bj_page_flags(p) & BJ_PGF_LEAF);
    uint8_t key[4], data[4];
    bj_st32be(key, 2);
    bj_st32(data, 1);
    uint32_t itag = 0;
    bool found = true;
    CHECK_OK(bj_page_seek(p, im.cbPage, key, 4, &itag, &found));
    CHECK(!found);
    bj_pgop op = {.kind = BJ_PGOP_INSERT,
                  .pgno = 3,
                  .dbtimeAfter = bj_page_dbtime(p),
                  .itag = itag,
                  .key = key,
                  .cbKey = 4,
                  .data = data,
                  .cbData = 4};
    CHECK_OK(bj_page_apply(p, im.cbPage, &op));
    seal(&im, 3);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "space: fault: page 2: page used by the tree of FDP 1 is available",
                         NULL),
             1);
    run_free(&r);
    image_free(&im);
}

/* ---------------------------------------------------------------- record damage */

TEST(var_offset_outside_record)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint32_t hit = 0;
    for (uint32_t p = 1; p <= im.cpg && !hit; p++) {
        if (!page_ok(&im, p))
            continue;
        uint8_t *x = pg(&im, p);
        uint32_t f = bj_page_flags(x);
        if (!(f & BJ_PGF_LEAF) || (f & (BJ_PGF_INDEX | BJ_PGF_LONG_VALUE | BJ_PGF_SPACE_TREE)) ||
            bj_page_objid(x) <= 5)
            continue;
        for (uint32_t i = 1; i < bj_page_ntags(x) && !hit; i++) {
            bj_node nd;
            if (bj_page_get_node(x, im.cbPage, i, &nd) < 0 || nd.cbData < 4)
                continue;
            uint32_t fidVar = nd.data[1], ibVar = bj_ld16(nd.data + 2);
            if (fidVar < 128 || fidVar == 255 || ibVar + 2 * (fidVar - 127) > nd.cbData)
                continue;
            uint8_t *last = x + (nd.data - x) + ibVar + 2 * (fidVar - 128);
            bj_st16(last, 0x7ff0); /* end offset far past the record, not NULL */
            seal(&im, p);
            hit = p;
        }
    }
    CHECK(hit != 0);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), "(page %u) does not decode against the table's schema", hit);
    CHECK_EQ(count_lines(r.out, "records: fault: table '", want, "JET_errDatabaseCorrupted", NULL),
             1);
    CHECK_EQ(summary_faults(r.out), 1);
    run_free(&r);
    image_free(&im);
}

TEST(index_entry_to_missing_record)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    /* MSysObjects' Name index (unique, root 7): the last entry of its rightmost leaf */
    uint32_t p = 7;
    for (int depth = 0; depth < 8 && !(bj_page_flags(pg(&im, p)) & BJ_PGF_LEAF); depth++)
        p = child(&im, p, bj_page_ntags(pg(&im, p)) - 1);
    CHECK(bj_page_flags(pg(&im, p)) & BJ_PGF_LEAF);
    CHECK(!(bj_page_flags(pg(&im, p)) & BJ_PGF_NON_UNIQUE_KEYS));
    bj_node nd;
    CHECK_OK(bj_page_get_node(pg(&im, p), im.cbPage, bj_page_ntags(pg(&im, p)) - 1, &nd));
    CHECK(nd.cbData > 0);
    memset(pg(&im, p) + (nd.data - pg(&im, p)), 0xff, nd.cbData);
    seal(&im, p);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(
        count_lines(r.out, "records: fault: catalog MSysObjects index 'Name' (objid 4, root 7)",
                    "points to record ffff", "which does not exist in catalog MSysObjects", NULL),
        1);
    /* and the record the entry named has lost its entry */
    CHECK_EQ(count_lines(r.out,
                         "records: fault: catalog MSysObjects index 'Name' (objid 4, root 7)",
                         "has no index entry with key", NULL),
             1);
    CHECK_EQ(summary_faults(r.out), 2);
    run_free(&r);
    image_free(&im);
}

TEST(record_without_its_index_entry)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    /* MSysObjects' RootObjects index (root 10): delete one entry of its first leaf */
    uint32_t p = 10;
    for (int depth = 0; depth < 8 && !(bj_page_flags(pg(&im, p)) & BJ_PGF_LEAF); depth++)
        p = child(&im, p, 1);
    CHECK(bj_page_flags(pg(&im, p)) & BJ_PGF_LEAF);
    CHECK(bj_page_ntags(pg(&im, p)) >= 3);
    bj_node nd;
    CHECK_OK(bj_page_get_node(pg(&im, p), im.cbPage, 2, &nd));
    char bm[64] = "";
    for (uint32_t i = 0; i < nd.cbData && i < 24; i++)
        snprintf(bm + 2 * i, sizeof(bm) - 2 * i, "%02x", nd.data[i]);
    bj_pgop op = {
        .kind = BJ_PGOP_DELETE, .pgno = p, .dbtimeAfter = bj_page_dbtime(pg(&im, p)), .itag = 2};
    CHECK_OK(bj_page_apply(pg(&im, p), im.cbPage, &op));
    seal(&im, p);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    char want[128];
    snprintf(want, sizeof(want), ": record %s (page ", bm);
    CHECK_EQ(count_lines(r.out, "records: fault: catalog MSysObjects index 'RootObjects'", want,
                         "has no index entry with key", NULL),
             1);
    CHECK_EQ(summary_faults(r.out), 1);
    run_free(&r);
    image_free(&im);
}

/* The first LV-tree node (in page order) of WebCache that is a root (wantRoot) or a chunk at an
 * offset >= minOff; *pitag = its node. 0 when none. */
static uint32_t find_lv_node(image *im, bool wantRoot, uint32_t minOff, uint32_t *pitag)
{
    for (uint32_t p = 1; p <= im->cpg; p++) {
        if (!page_ok(im, p))
            continue;
        uint8_t *x = pg(im, p);
        if (!(bj_page_flags(x) & BJ_PGF_LONG_VALUE) || !(bj_page_flags(x) & BJ_PGF_LEAF) ||
            (bj_page_flags(x) & BJ_PGF_SPACE_TREE) || bj_page_ntags(x) < 4)
            continue;
        for (uint32_t i = 1; i < bj_page_ntags(x); i++) {
            bj_node nd;
            uint8_t key[16];
            uint64_t lid;
            uint32_t off = 0;
            bool fRoot = false;
            if (bj_page_get_node(x, im->cbPage, i, &nd) < 0 || bj_node_key_len(&nd) > 16)
                continue;
            bj_node_copy_key(&nd, key);
            if (bj_lv_parse_key(key, bj_node_key_len(&nd), &lid, &fRoot, &off) < 0)
                continue;
            if (fRoot == wantRoot && (wantRoot || off >= minOff)) {
                *pitag = i;
                return p;
            }
        }
    }
    return 0;
}

static void delete_node(image *im, uint32_t pgno, uint32_t itag)
{
    bj_pgop op = {.kind = BJ_PGOP_DELETE,
                  .pgno = pgno,
                  .dbtimeAfter = bj_page_dbtime(pg(im, pgno)),
                  .itag = itag};
    CHECK_OK(bj_page_apply(pg(im, pgno), im->cbPage, &op));
    seal(im, pgno);
}

TEST(missing_lv_chunk)
{
    image im;
    if (!image_load(&im, "WebCacheV01_rev6e_32k.dat", 32768))
        return;
    uint8_t *orig = malloc(im.cb);
    memcpy(orig, im.b, im.cb);
    /* the first chunk of an LV (offset 0) */
    uint32_t itag = 0, p = find_lv_node(&im, false, 0, &itag);
    CHECK(p != 0);
    delete_node(&im, p, itag);
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "records: fault: table '", "long values (objid", "LID 0x",
                         "missing", NULL),
             1);
    CHECK_EQ(summary_faults(r.out), 1);
    run_free(&r);
    /* a later chunk of a multi-chunk LV */
    memcpy(im.b, orig, im.cb);
    p = find_lv_node(&im, false, 1, &itag);
    CHECK(p != 0);
    delete_node(&im, p, itag);
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "records: fault: table '", "long values (objid", "LID 0x",
                         "missing", NULL),
             1);
    run_free(&r);
    /* an LVROOT whose refcount is below the references (ESE: "LV refcount too low") */
    memcpy(im.b, orig, im.cb);
    p = find_lv_node(&im, true, 0, &itag);
    CHECK(p != 0);
    bj_node nd;
    CHECK_OK(bj_page_get_node(pg(&im, p), im.cbPage, itag, &nd));
    bj_st32(pg(&im, p) + (nd.data - pg(&im, p)), 0);
    seal(&im, p);
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "records: fault: table '", ": refcount 0 but 1 references", NULL),
             1);
    CHECK_EQ(summary_faults(r.out), 1);
    run_free(&r);
    free(orig);
    image_free(&im);
}

TEST(header_counters_behind_the_pages)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    /* both header copies: objidLast 5 and dbtimeDirtied 100, re-checksummed */
    for (int copy = 0; copy < 2; copy++) {
        uint8_t *h = im.b + (size_t)copy * im.cbPage;
        bj_st32(h + 212, 5);
        bj_st64(h + 16, 100);
        bj_st32(h, bj_checksum_xor_old(h, im.cbPage));
    }
    image_write(&im, im.cb);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "header: fault: objidLast 5 is below objid ", NULL), 1);
    CHECK(count_lines(r.out, "header: fault: page ", "is in the future (header dbtime 100)", NULL) >
          10);
    CHECK_EQ(count_lines(r.out, "trees: fault:", NULL), 0);
    run_free(&r);
    image_free(&im);
}

/* ---------------------------------------------------------------- unreadable files */

TEST(truncated_and_headerless_files_exit_2)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    /* shorter than the catalog's fixed pages */
    image_write(&im, 12 * (size_t)im.cbPage);
    run_result r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 2);
    CHECK(strstr(r.err, "JET_errFileIOBeyondEOF (-4001)") != NULL);
    CHECK(strstr(r.err, "truncated") != NULL);
    run_free(&r);
    /* shorter than one header page */
    image_write(&im, 1000);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 2);
    CHECK(strstr(r.err, "JET_err") != NULL);
    run_free(&r);
    /* cut in the middle of the used pages: readable, trees reach past the end (faults) */
    image_write(&im, 100 * (size_t)im.cbPage);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out,
                         "space: fault: the file is too small: the database owns pages up "
                         "to 142 but the file holds 98 (truncated)",
                         NULL),
             1);
    run_free(&r);
    /* both header copies damaged */
    im.b[100] ^= 0x55;
    im.b[im.cbPage + 100] ^= 0x55;
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 2);
    CHECK(strstr(r.err, "JET_errReadVerifyFailure (-1018)") != NULL);
    run_free(&r);
    /* one header copy damaged: the shadow is used, the damage is a fault */
    im.b[im.cbPage + 100] ^= 0x55;
    image_write(&im, im.cb);
    r = run_check("'%s'", im.path);
    CHECK_EQ(r.rc, 1);
    CHECK_EQ(count_lines(r.out, "header: fault: primary header copy (offset 0): checksum mismatch",
                         NULL),
             1);
    run_free(&r);
    /* usage */
    r = run_check("--bogus '%s'", im.path);
    CHECK_EQ(r.rc, 2);
    run_free(&r);
    r = run_check("--help");
    CHECK_EQ(r.rc, 0);
    CHECK(strstr(r.out, "usage: bluejet check FILE") != NULL);
    CHECK(strstr(r.out, "leaked pages") != NULL);
    run_free(&r);
    image_free(&im);
}

/* ---------------------------------------------------------------- robustness */

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xffffffu;
}

TEST(random_damage_never_crashes)
{
    image im;
    if (!image_load(&im, "SRUDB_win_rev14_4k.dat", 4096))
        return;
    uint8_t *orig = malloc(im.cb);
    memcpy(orig, im.b, im.cb);
    uint32_t seed = 12345;
    for (int round = 0; round < 24; round++) {
        memcpy(im.b, orig, im.cb);
        for (int k = 0; k < 3; k++) {
            uint32_t p = 1 + rnd(&seed) % 142;
            if (bj_page_is_zero(pg(&im, p), im.cbPage))
                continue;
            for (int n = 0; n < 1 + (int)(rnd(&seed) % 8); n++)
                pg(&im, p)[rnd(&seed) % im.cbPage] = (uint8_t)rnd(&seed);
            if (round % 2 == 0)
                seal(&im, p); /* get past the checksum into the structure checks */
        }
        image_write(&im, im.cb);
        run_result r = run_check("--json '%s'", im.path);
        CHECK(r.rc == 0 || r.rc == 1 || r.rc == 2);
        run_free(&r);
    }
    free(orig);
    image_free(&im);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
