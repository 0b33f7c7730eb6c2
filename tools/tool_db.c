/* tool_db.c: opening a database file for the bluejet tool: reads the first two pages, lets the
 * page layer choose the header copy (bj_dbhdr_choose, ESE's shadowed-header rule), records how
 * the other copy looked, and reads pages raw.
 * Invariants: after a successful open, cbPage is a valid page size, the file holds both header
 * pages, and cpg = whole database pages in the file. Single-threaded; no locks.
 */
#include <inttypes.h>

#include "common/checksum.h"
#include "page/page.h"
#include "tool_db.h"

#define CB_HEADER_READ (2u * 32768u) /* two copies of the largest page size */

void bj_tool_db_close(bj_tool_db *db)
{
    bj_tool_file_close(db->file);
    db->file = NULL;
    bj_tool_free_page(db->hdrPage);
    db->hdrPage = NULL;
}

/* Reports `bluejet: <path>[: why]: JET_errX (n)`. */
static void report(const char *path, const char *why, JET_ERR err)
{
    char what[512];
    if (why)
        snprintf(what, sizeof(what), "%s: %s", path, why);
    else
        snprintf(what, sizeof(what), "%s", path);
    bj_tool_err(what, err);
}

JET_ERR bj_tool_db_open(const char *path, bj_tool_db *db)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *first = NULL;
    size_t cbRead = 0;
    bool shadowUsed = false;
    const char *why = NULL;

    memset(db, 0, sizeof(*db));
    db->path = path;
    CALL(bj_tool_file_open(path, &db->file));
    CALL(bj_tool_file_size(db->file, &db->cbFile));
    first = bj_tool_alloc_page(CB_HEADER_READ);
    if (!first)
        ERR(JET_errOutOfMemory);
    why = "reading the header";
    CALL(bj_tool_file_read(db->file, 0, first, CB_HEADER_READ, &cbRead));
    if (cbRead < BJ_DBH_CB) {
        why = "too short for a database header";
        ERR(JET_errFileIOBeyondEOF);
    }
    why = "no valid header copy";
    CALL(bj_dbhdr_choose(first, cbRead, &db->cbPage, &db->hdr, &shadowUsed));
    why = NULL;
    if (!bj_page_size_valid(db->cbPage)) {
        why = "header states an unknown page size";
        ERR(JET_errDatabaseCorrupted);
    }
    if (db->cbFile < 2ull * db->cbPage || cbRead < 2u * (size_t)db->cbPage) {
        why = "file is shorter than its two header pages (truncated)";
        ERR(JET_errFileIOBeyondEOF);
    }
    db->cpg = (uint32_t)BJ_MIN(db->cbFile / db->cbPage - 2, (uint64_t)UINT32_MAX);
    db->used = shadowUsed ? BJ_TOOL_HDR_SHADOW : BJ_TOOL_HDR_PRIMARY;

    const uint8_t *prim = first, *shad = first + db->cbPage;
    db->primaryOk = bj_dbhdr_verify(prim, db->cbPage);
    db->shadowOk = bj_dbhdr_verify(shad, db->cbPage);
    db->copiesIdentical = db->primaryOk && db->shadowOk && !memcmp(prim, shad, db->cbPage);
    db->cksPrimary[0] = bj_ld32(prim);
    db->cksPrimary[1] = bj_checksum_xor_old(prim, db->cbPage);
    db->cksShadow[0] = bj_ld32(shad);
    db->cksShadow[1] = bj_checksum_xor_old(shad, db->cbPage);

    db->hdrPage = bj_tool_alloc_page(db->cbPage);
    if (!db->hdrPage)
        ERR(JET_errOutOfMemory);
    memcpy(db->hdrPage, shadowUsed ? shad : prim, db->cbPage);

fail:
    bj_tool_free_page(first);
    if (err < 0) {
        report(path, why, err);
        bj_tool_db_close(db);
    }
    return err;
}

JET_ERR bj_tool_db_read_page(bj_tool_db *db, uint32_t pgno, uint8_t *buf)
{
    JET_ERR err = JET_errSuccess;
    size_t cbRead = 0;
    if (pgno < 1 || pgno > db->cpg)
        ERR(JET_errInvalidParameter);
    CALL(bj_tool_file_read(db->file, ((uint64_t)pgno + 1) * db->cbPage, buf, db->cbPage, &cbRead));
    if (cbRead != db->cbPage)
        ERR(JET_errFileIOBeyondEOF); /* the file shrank under us */
fail:
    return err;
}
