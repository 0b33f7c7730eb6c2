/* tool_db.h: a database file opened read-only for the bluejet tool's commands.
 *
 * bj_tool_db_open reads both header copies (offset 0 and offset cbPage) through the os layer,
 * lets the page layer choose the valid one (ESE's shadowed-header rules, dbhdr.h) and keeps it.
 * Pages are then read raw with bj_tool_db_read_page: no verification, so commands can report
 * bad pages instead of stopping. Every count derived from the file size is bounded.
 * Single-threaded; no locks.
 */
#ifndef BJ_TOOL_DB_H
#define BJ_TOOL_DB_H

#include "page/dbhdr.h"
#include "tool_io.h"

/* Which header copy was used and how the other one looked. */
typedef enum bj_tool_hdr_copy {
    BJ_TOOL_HDR_PRIMARY = 0, /* offset 0 */
    BJ_TOOL_HDR_SHADOW = 1,  /* offset cbPage */
} bj_tool_hdr_copy;

typedef struct bj_tool_db {
    bj_tool_file *file;
    const char *path;
    uint64_t cbFile;
    uint32_t cbPage;
    uint32_t cpg;           /* database pages in the file: whole pages after the 2 header pages */
    uint8_t *hdrPage;       /* the chosen header copy, cbPage bytes */
    bj_dbhdr hdr;           /* decoded from hdrPage */
    bj_tool_hdr_copy used;  /* which copy hdrPage is */
    bool primaryOk;         /* the primary copy verified */
    bool shadowOk;          /* the shadow copy verified */
    bool copiesIdentical;   /* both verified and are byte-identical */
    uint32_t cksPrimary[2]; /* stored, computed header checksum of the primary copy */
    uint32_t cksShadow[2];  /* stored, computed header checksum of the shadow copy */
} bj_tool_db;

/* Opens path read-only and chooses its header. On error reports `bluejet: <path>: ...` on
 * stderr (what = path) and returns the error; db is then closed. */
JET_ERR bj_tool_db_open(const char *path, bj_tool_db *db);
/* Reads database page pgno (1..cpg) raw into buf (cbPage bytes); JET_errInvalidParameter for a
 * pgno outside the file, an os error if the read fails. No checksum check. */
JET_ERR bj_tool_db_read_page(bj_tool_db *db, uint32_t pgno, uint8_t *buf);
/* Closes the file and frees the buffers (idempotent). */
void bj_tool_db_close(bj_tool_db *db);

#endif /* BJ_TOOL_DB_H */
