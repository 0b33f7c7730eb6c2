/* cmd_check.c: `bluejet check FILE [--json] [--quiet]`, the integrity checker (esentutl /g for
 * this engine): the command, its findings list and report, and phases 1 (header) and 2 (every
 * page). Phases 3-4 (trees, space) are in check_trees.c, phase 5 (records) in check_records.c.
 *
 * Invariants: the file is only ever opened read-only; every page is read raw and validated
 * (checksum, pgno, structure) before any of its bytes is interpreted, and the tree layers read
 * through the buffer cache, which verifies every page too. A phase that needs what an earlier
 * one could not provide (the catalog, a sound tree) is skipped for that object and says so.
 * Exit status: 0 clean (notes allowed), 1 faults, 2 the file cannot be read at all (no valid
 * header, truncated before the catalog, I/O error, out of memory).
 * Single-threaded; no locks.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "check.h"
#include "common/checksum.h"
#include "os/os.h"
#include "page/page.h"

static const char *const phase_name[CHK_NPHASES] = {"header", "pages", "trees", "space", "records"};

/* ---------------------------------------------------------------- findings */

static void add_finding(chk *c, chk_phase ph, bool fault, uint32_t pgno, const char *fmt,
                        va_list ap)
{
    if (fault)
        c->nfaults[ph]++;
    else
        c->nnotes[ph]++;
    if (c->nkept[ph][fault] >= CHK_KEEP_MAX)
        return;
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? 2 * c->cap : 64;
        chk_finding *v = bj_tool_realloc(c->v, (size_t)cap * sizeof(*v));
        if (!v) {
            c->oom = true;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    chk_finding *f = &c->v[c->n++];
    f->phase = ph;
    f->fault = fault;
    f->pgno = pgno;
    vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    c->nkept[ph][fault]++;
}

void chk_fault(chk *c, chk_phase ph, uint32_t pgno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_finding(c, ph, true, pgno, fmt, ap);
    va_end(ap);
}

void chk_note(chk *c, chk_phase ph, uint32_t pgno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_finding(c, ph, false, pgno, fmt, ap);
    va_end(ap);
}

void chk_skip(chk *c, chk_phase ph, const char *why)
{
    c->skipped[ph] = true;
    snprintf(c->skipWhy[ph], sizeof(c->skipWhy[ph]), "%s", why);
}

/* ---------------------------------------------------------------- phase 1: header */

/* Newest DB format revision (ulDaeUpdateMajor) this checker knows (Windows 11 files: 0x12c;
 * ese-format.md §1.4). */
#define CHK_UPDATE_MAJOR_MOST 0x200u

static void check_header(chk *c)
{
    const bj_tool_db *db = &c->db;
    const bj_dbhdr *h = &db->hdr;
    if (!db->primaryOk)
        chk_fault(c, CHK_HEADER, 0,
                  "primary header copy (offset 0): checksum mismatch (stored 0x%08" PRIx32
                  ", computed 0x%08" PRIx32 "); the shadow copy was used",
                  db->cksPrimary[0], db->cksPrimary[1]);
    if (!db->shadowOk)
        chk_fault(c, CHK_HEADER, 0,
                  "shadow header copy (offset %" PRIu32 "): checksum mismatch (stored 0x%08" PRIx32
                  ", computed 0x%08" PRIx32 ")",
                  db->cbPage, db->cksShadow[0], db->cksShadow[1]);
    if (db->primaryOk && db->shadowOk && !db->copiesIdentical)
        chk_fault(c, CHK_HEADER, 0, "the two header copies verify but differ");
    if (h->magic != BJ_DBH_MAGIC)
        chk_fault(c, CHK_HEADER, 0, "magic 0x%08" PRIx32 ", expected 0x%08x", h->magic,
                  BJ_DBH_MAGIC);
    if (h->version != BJ_DBH_VERSION)
        chk_fault(c, CHK_HEADER, 0, "format version 0x%" PRIx32 ", only 0x%x is supported",
                  h->version, BJ_DBH_VERSION);
    if (h->updateMajor > CHK_UPDATE_MAJOR_MOST)
        chk_fault(c, CHK_HEADER, 0, "format revision 0x%" PRIx32 " is newer than any known (0x%x)",
                  h->updateMajor, CHK_UPDATE_MAJOR_MOST);
    if (h->attrib != 0)
        chk_fault(c, CHK_HEADER, 0, "attrib %" PRIu32 " (0 for a database)", h->attrib);
    if (h->cbPageSize != 0 && h->cbPageSize != db->cbPage)
        chk_fault(c, CHK_HEADER, 0,
                  "page size field %" PRIu32 " but the header verifies at %" PRIu32, h->cbPageSize,
                  db->cbPage);
    if (!bj_page_size_valid(db->cbPage) || (db->cbPage < 4096 && h->updateMajor >= 0x11) ||
        (db->cbPage > 8192 && h->updateMajor < 0x11))
        chk_fault(c, CHK_HEADER, 0,
                  "page size %" PRIu32 " is not valid for format revision 0x%" PRIx32, db->cbPage,
                  h->updateMajor);
    if (h->dbstate < 1 || h->dbstate > 8)
        chk_fault(c, CHK_HEADER, 0, "database state %" PRIu32 " is not a known state", h->dbstate);
    else if (h->dbstate != 3)
        chk_note(c, CHK_HEADER, 0,
                 "database state %" PRIu32 " (not a clean shutdown): ESE would replay its logs "
                 "before checking; faults below may be work the logs would redo",
                 h->dbstate);
    if (db->cbFile % db->cbPage)
        chk_fault(c, CHK_HEADER, 0,
                  "file size %" PRIu64 " is not a whole number of %" PRIu32 "-byte pages "
                  "(truncated?)",
                  db->cbFile, db->cbPage);
}

/* After phases 2 and 3: dbtime and objidLast against what the pages and catalog hold. */
static void check_header_counters(chk *c)
{
    const bj_dbhdr *h = &c->db.hdr;
    if (c->objidMax > h->objidLast) {
        if (c->objidMaxWhere)
            chk_fault(c, CHK_HEADER, c->objidMaxWhere,
                      "objidLast %" PRIu32 " is below objid %" PRIu32 " of page %" PRIu32,
                      h->objidLast, c->objidMax, c->objidMaxWhere);
        else
            chk_fault(c, CHK_HEADER, 0,
                      "objidLast %" PRIu32 " is below objid %" PRIu32 " in the catalog",
                      h->objidLast, c->objidMax);
    }
}

/* ---------------------------------------------------------------- phase 2: pages */

#define CHK_DBTIME_MARKERS 0xfffffffffffffffbull /* dbtimeRevertRoot and above */

static bool bad_add(chk *c, uint32_t pgno, bool correctable)
{
    if (c->nbad == c->capbad) {
        uint32_t cap = c->capbad ? 2 * c->capbad : 64;
        uint32_t *v = bj_tool_realloc(c->badPages, (size_t)cap * sizeof(*v));
        if (!v)
            return false;
        c->badPages = v;
        bool *b = bj_tool_realloc(c->badCorrectable, (size_t)cap * sizeof(*b));
        if (!b)
            return false;
        c->badCorrectable = b;
        c->capbad = cap;
    }
    c->badPages[c->nbad] = pgno;
    c->badCorrectable[c->nbad] = correctable;
    c->nbad++;
    return true;
}

static JET_ERR check_pages(chk *c)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = c->db.cbPage;
    uint8_t *pg = bj_tool_alloc_page(cbPage);
    uint8_t *copy = bj_tool_alloc_page(cbPage);
    if (!pg || !copy)
        ERR(JET_errOutOfMemory);
    for (uint64_t p = 1; p <= c->db.cpg; p++) {
        uint32_t pgno = (uint32_t)p;
        CALL(bj_tool_db_read_page(&c->db, pgno, pg));
        if (bj_page_is_zero(pg, cbPage)) {
            c->cpgZero++;
            continue;
        }
        bool ok = bj_checksum_page_ok(pg, cbPage, pgno);
        if (ok && bj_page_is_large(cbPage) && bj_page_pgno_field(pg, cbPage) != pgno) {
            chk_fault(c, CHK_PAGES, pgno,
                      "page %" PRIu32 ": page number field says %" PRIu32 " (misplaced page)", pgno,
                      bj_page_pgno_field(pg, cbPage));
            continue;
        }
        if (!ok) {
            uint32_t ibit = 0;
            memcpy(copy, pg, cbPage);
            bool fixable =
                (bj_page_flags(pg) & BJ_PGF_NEW_CHECKSUM_FORMAT || bj_page_is_large(cbPage)) &&
                bj_checksum_page_correct(copy, cbPage, pgno, &ibit);
            if (!bad_add(c, pgno, fixable))
                ERR(JET_errOutOfMemory);
            continue; /* reported after phase 4, which says whether the page is in use */
        }
        c->cpgVerified++;
        JET_ERR e = bj_page_check_structure(pg, cbPage);
        if (e < 0) {
            chk_fault(c, CHK_PAGES, pgno,
                      "page %" PRIu32 ": checksum verifies but the page structure is bad "
                      "(tag array, free counts or node keys): %s (%d)",
                      pgno, bj_tool_err_name(e), (int)e);
        }
        uint64_t dbtime = bj_page_dbtime(pg);
        if (dbtime > c->dbtimeMax) {
            c->dbtimeMax = dbtime;
            c->dbtimeMaxPgno = pgno;
        }
        /* ESE's dbscan check (dbscan.cxx): a page newer than the database's dbtime is
         * corrupt, except the marker values dbtimeRevertRoot/Revert/Shrunk (daedef.hxx) */
        if (dbtime > c->db.hdr.dbtime && dbtime < CHK_DBTIME_MARKERS)
            chk_fault(c, CHK_HEADER, pgno,
                      "page %" PRIu32 ": dbtime %" PRIu64
                      " is in the future (header dbtime %" PRIu64 ")",
                      pgno, dbtime, c->db.hdr.dbtime);
        uint32_t objid = bj_page_objid(pg);
        if (objid > c->objidMax) {
            c->objidMax = objid;
            c->objidMaxWhere = pgno;
        }
    }
fail:
    bj_tool_free_page(pg);
    bj_tool_free_page(copy);
    return err;
}

/* Reports the checksum failures of phase 2, now that phase 4 told where the owned space ends:
 * a page past the DB root's last owned page is file slack ESE never reads (a note). */
static void report_bad_pages(chk *c)
{
    for (uint32_t i = 0; i < c->nbad; i++) {
        uint32_t pgno = c->badPages[i];
        if (c->lastOwned && pgno > c->lastOwned) {
            chk_note(c, CHK_PAGES, pgno,
                     "page %" PRIu32 ": not a valid page, but it lies past the last page the "
                     "database owns (%" PRIu32 "): file slack, never read",
                     pgno, c->lastOwned);
        } else if (c->badCorrectable[i]) {
            chk_fault(c, CHK_PAGES, pgno,
                      "page %" PRIu32 ": checksum mismatch, correctable (a single flipped bit "
                      "the ECC locates; ESE repairs it on read)",
                      pgno);
        } else {
            chk_fault(c, CHK_PAGES, pgno, "page %" PRIu32 ": checksum mismatch", pgno);
        }
    }
}

/* ---------------------------------------------------------------- output */

static void print_text(chk *c, uint64_t nfaults, uint64_t nnotes)
{
    printf("%s: page size %" PRIu32 ", %" PRIu32 " database pages, format 0x%" PRIx32 "/0x%" PRIx32
           ", state %" PRIu32 "\n",
           c->db.path, c->db.cbPage, c->db.cpg, c->db.hdr.version, c->db.hdr.updateMajor,
           c->db.hdr.dbstate);
    for (int ph = 0; ph < CHK_NPHASES; ph++) {
        if (!c->quiet) {
            if (c->skipped[ph])
                printf("%s: skipped: %s\n", phase_name[ph], c->skipWhy[ph]);
            else
                printf("%s: %s (%" PRIu32 " faults, %" PRIu32 " notes)\n", phase_name[ph],
                       c->nfaults[ph] ? "FAULTS" : "ok", c->nfaults[ph], c->nnotes[ph]);
            if (ph == CHK_PAGES && !c->skipped[ph])
                printf("  pages: %" PRIu32 " verified, %" PRIu32 " zero, %" PRIu32
                       " failing their checksum\n",
                       c->cpgVerified, c->cpgZero, c->nbad);
            if (ph == CHK_RECORDS && !c->skipped[ph])
                printf("  records: %" PRIu64 " records, %" PRIu64 " long values, %" PRIu64
                       " index entries -> records, %" PRIu64 " record keys -> entries\n",
                       c->nrecords, c->nlvs, c->nentries, c->nkeysLooked);
        }
        for (uint32_t i = 0; i < c->n; i++) {
            const chk_finding *f = &c->v[i];
            if ((int)f->phase != ph || (c->quiet && !f->fault))
                continue;
            printf("  %s: %s: %s\n", phase_name[ph], f->fault ? "fault" : "note", f->msg);
        }
        for (int k = 0; k < 2; k++) {
            uint32_t total = k ? c->nfaults[ph] : c->nnotes[ph];
            if (total > c->nkept[ph][k] && (k || !c->quiet))
                printf("  %s: ... %" PRIu32 " more %s not shown\n", phase_name[ph],
                       total - c->nkept[ph][k], k ? "faults" : "notes");
        }
    }
    printf("%" PRIu32 " pages, %" PRIu32 " trees, %" PRIu64 " records checked: %" PRIu64
           " faults (%" PRIu64 " notes)\n",
           c->db.cpg, c->ntrees, c->nrecords, nfaults, nnotes);
}

static void print_json(chk *c, uint64_t nfaults, uint64_t nnotes)
{
    bj_json j;
    bj_json_init(&j, stdout);
    bj_json_obj_begin(&j, NULL);
    bj_json_str(&j, "file", c->db.path);
    bj_json_u64(&j, "pageSize", c->db.cbPage);
    bj_json_u64(&j, "pages", c->db.cpg);
    bj_json_u64(&j, "zeroPages", c->cpgZero);
    bj_json_u64(&j, "trees", c->ntrees);
    bj_json_u64(&j, "records", c->nrecords);
    bj_json_u64(&j, "longValues", c->nlvs);
    bj_json_u64(&j, "indexEntries", c->nentries);
    bj_json_u64(&j, "recordKeysLookedUp", c->nkeysLooked);
    bj_json_u64(&j, "faults", nfaults);
    bj_json_u64(&j, "notes", nnotes);
    bj_json_arr_begin(&j, "phases");
    for (int ph = 0; ph < CHK_NPHASES; ph++) {
        bj_json_obj_begin(&j, NULL);
        bj_json_str(&j, "phase", phase_name[ph]);
        bj_json_bool(&j, "skipped", c->skipped[ph]);
        if (c->skipped[ph])
            bj_json_str(&j, "skipReason", c->skipWhy[ph]);
        bj_json_u64(&j, "faults", c->nfaults[ph]);
        bj_json_u64(&j, "notes", c->nnotes[ph]);
        bj_json_arr_begin(&j, "findings");
        for (uint32_t i = 0; i < c->n; i++) {
            const chk_finding *f = &c->v[i];
            if ((int)f->phase != ph || (c->quiet && !f->fault))
                continue;
            bj_json_obj_begin(&j, NULL);
            bj_json_str(&j, "kind", f->fault ? "fault" : "note");
            if (f->pgno)
                bj_json_u64(&j, "pgno", f->pgno);
            else
                bj_json_null(&j, "pgno");
            bj_json_str(&j, "message", f->msg);
            bj_json_obj_end(&j);
        }
        bj_json_arr_end(&j);
        bj_json_obj_end(&j);
    }
    bj_json_arr_end(&j);
    bj_json_obj_end(&j);
    bj_json_finish(&j);
}

/* ---------------------------------------------------------------- the command */

static const char usage[] =
    "usage: bluejet check FILE [--json] [--quiet]\n"
    "\n"
    "Checks the integrity of a database read-only (as esentutl /g does), in phases:\n"
    "  header   both header copies (checksum, agreement), version 0x620 and a known\n"
    "           format revision, page size, state; dbtime >= every page's dbtime,\n"
    "           objidLast >= every objid seen on a page or in the catalog\n"
    "  pages    every page: checksum (old and new formats; a single flipped bit the\n"
    "           ECC can correct is reported as 'correctable', still a fault), the page\n"
    "           number of large pages, page structure (tags, free counts, node keys);\n"
    "           all-zero pages are counted (unused pages are zero)\n"
    "  trees    every B-tree: DB root, MSysObjects and its shadow, MSysObjects' Name\n"
    "           and RootObjects indexes, every table, secondary index and long-value\n"
    "           tree in the catalog, and the OE/AE space trees of each: key order in and\n"
    "           across pages, separators, leaf chain, levels, objid, flags, loops\n"
    "  space    every page owned once down the FDP hierarchy, no page both used and\n"
    "           available, every tree page inside its owner's extents\n"
    "  records  every record decodes against its table's schema; every separated long\n"
    "           value exists with chunks covering its LVROOT size and a refcount >= the\n"
    "           references found; every secondary index entry points to a record,\n"
    "           every record has the entries its columns make (ESE's null, condition\n"
    "           and multi-value rules) and is stored under its primary key; an index\n"
    "           holds as many entries as its records make keys. Not compared: keys\n"
    "           with a Unicode text segment (Windows' sort keys cannot be made here),\n"
    "           tuple indexes, keys over separated long values (noted)\n"
    "\n"
    "Faults are what ESE's own checker (repair.cxx, dbscan.cxx) treats as corruption.\n"
    "Notes are what it reports as warnings or does not check:\n"
    "  - the unowned tail past the DB root's last owned page ('database file is too\n"
    "    big', a warning; files are preextended, Windows' own files have it), and\n"
    "    invalid pages there (slack ESE never reads);\n"
    "  - leaked pages (owned by an FDP, neither used nor available: not checked by\n"
    "    ESE);\n"
    "  - orphaned long values and LV refcounts above the references (warnings);\n"
    "  - a database not shut down cleanly (ESE would replay its logs first).\n"
    "A tree that fails its check is not read further: its records, index entries\n"
    "and space accounting are skipped (with a note) and its pages count as leaked.\n"
    "\n"
    "options:\n"
    "  --json    machine-readable report\n"
    "  --quiet   faults and the summary only\n"
    "  --help    this text\n"
    "\n"
    "exit status: 0 no fault (notes allowed), 1 faults found, 2 the file cannot be read\n"
    "(no valid header, truncated before the catalog, I/O error; the JET error on stderr)\n";

static void chk_close(chk *c)
{
    bj_cat_release(c->cat);
    if (c->bdb)
        bj_buf_db_detach(c->bdb, true);
    bj_buf_close(c->buf);
    bj_file_close(c->file);
    bj_tool_db_close(&c->db);
    bj_tool_free(c->v);
    bj_tool_free(c->badPages);
    bj_tool_free(c->badCorrectable);
    bj_tool_free(c->trees);
}

/* Opens the file a second time for the engine layers: buffer cache with page verification. */
static JET_ERR open_engine(chk *c, const char *path)
{
    JET_ERR err = JET_errSuccess;
    CALL(bj_file_open(bj_os_posix(), path, BJ_OPEN_READONLY, &c->file));
    bj_buf_config cfg = {.cbPage = c->db.cbPage, .cFrames = 256, .verify = bj_page_verify};
    CALL(bj_buf_open(&cfg, &c->buf));
    CALL(bj_buf_db_attach(c->buf, c->file, true, &c->bdb));
    bj_bt_dbctx_init(&c->dbc, c->bdb, c->db.cbPage, c->db.hdr.dbtime);
fail:
    return err;
}

static int run_check(int argc, char **argv)
{
    chk c;
    memset(&c, 0, sizeof(c));
    const bj_tool_opt opts[] = {
        {"--json", BJ_OPT_FLAG, &c.json, NULL},
        {"--quiet", BJ_OPT_FLAG, &c.quiet, NULL},
    };
    const char *pos[1];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_check, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 1, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;
    const char *path = pos[0];
    JET_ERR err = bj_tool_db_open(path, &c.db);
    if (err < 0)
        return BJ_EXIT_ERROR;
    rc = BJ_EXIT_ERROR;
    char what[600];
    /* the file must at least hold the fixed catalog: DB root 1 .. MSysObjectsShadow 24 */
    if (c.db.cpg < BJ_CAT_PGNO_MSO_SHADOW) {
        snprintf(what, sizeof(what),
                 "%s: file holds %" PRIu32 " database pages, fewer than the catalog's fixed "
                 "pages 1-%u (truncated)",
                 path, c.db.cpg, BJ_CAT_PGNO_MSO_SHADOW);
        bj_tool_err(what, JET_errFileIOBeyondEOF);
        goto done;
    }
    err = open_engine(&c, path);
    if (err < 0) {
        snprintf(what, sizeof(what), "%s: opening through the buffer cache", path);
        bj_tool_err(what, err);
        goto done;
    }

    check_header(&c);
    err = check_pages(&c);
    if (err < 0) {
        snprintf(what, sizeof(what), "%s: reading the pages", path);
        bj_tool_err(what, err);
        goto done;
    }
    if ((err = chk_trees(&c)) < 0 || (err = chk_space(&c)) < 0 || (err = chk_records(&c)) < 0) {
        snprintf(what, sizeof(what), "%s: checking", path);
        bj_tool_err(what, err);
        goto done;
    }
    report_bad_pages(&c);
    check_header_counters(&c);
    if (c.oom) {
        bj_tool_err("check", JET_errOutOfMemory);
        goto done;
    }

    uint64_t nfaults = 0, nnotes = 0;
    for (int ph = 0; ph < CHK_NPHASES; ph++) {
        nfaults += c.nfaults[ph];
        nnotes += c.nnotes[ph];
    }
    if (c.json)
        print_json(&c, nfaults, nnotes);
    else
        print_text(&c, nfaults, nnotes);
    rc = nfaults ? BJ_EXIT_FAULTS : BJ_EXIT_OK;
done:
    chk_close(&c);
    return rc;
}

const bj_tool_cmd bj_cmd_check = {
    "check",
    "integrity check: header, pages, trees, space, records (esentutl /g)",
    usage,
    run_check,
};
