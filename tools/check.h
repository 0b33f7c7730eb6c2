/* check.h: private to `bluejet check` (cmd_check.c, check_trees.c, check_records.c): the
 * checker's shared state, its findings list and the phases' entry points.
 *
 * A finding is a fault (corruption: exit status 1) or a note (a fact worth knowing that ESE
 * does not treat as corruption). Findings are kept per phase, in the order found, and printed
 * at the end grouped by phase; past CHK_KEEP_MAX per phase only the counts grow.
 * The database is opened twice, both read-only: raw page reads (tool_db.h) for the header and
 * page phases, and the buffer cache + B-tree layer (with bj_page_verify on every read) for the
 * tree, space and record phases. Single-threaded; no locks.
 */
#ifndef BJ_TOOL_CHECK_H
#define BJ_TOOL_CHECK_H

#include "btree/btree.h"
#include "cat/cat.h"
#include "tool_db.h"

typedef enum chk_phase {
    CHK_HEADER,
    CHK_PAGES,
    CHK_TREES,
    CHK_SPACE,
    CHK_RECORDS,
    CHK_NPHASES,
} chk_phase;

#define CHK_KEEP_MAX 1000u /* findings kept (printed) per phase and kind */
#define CHK_MSG_CCH 320u

typedef struct chk_finding {
    chk_phase phase;
    bool fault;
    uint32_t pgno; /* 0 = not about one page */
    char msg[CHK_MSG_CCH];
} chk_finding;

/* One B-tree the checker knows: its name for messages and what phase 3 found. */
typedef struct chk_tree {
    char name[200]; /* "table 'foo' index 'bar' (objid 12, root 57)" */
    uint32_t pgnoRoot;
    uint32_t objid;
    uint32_t flags; /* expected BJ_BT_* kind flags */
    bool fdp;       /* an FDP (has a space header), not a space tree */
    bool ok;        /* opened and bj_bt_check found nothing */
    bool checked;   /* phase 3 ran on it */
} chk_tree;

typedef struct chk {
    /* options */
    bool json, quiet;
    /* the file, raw */
    bj_tool_db db;
    /* the file through the engine's layers */
    struct bj_file *file;
    bj_buf *buf;
    bj_buf_db *bdb;
    bj_bt_dbctx dbc;
    bj_cat *cat; /* NULL when the catalog could not be loaded */
    /* findings */
    chk_finding *v;
    uint32_t n, cap;
    uint32_t nfaults[CHK_NPHASES], nnotes[CHK_NPHASES];
    uint32_t nkept[CHK_NPHASES][2];
    bool skipped[CHK_NPHASES];
    char skipWhy[CHK_NPHASES][160];
    /* facts gathered on the way */
    uint64_t dbtimeMax; /* newest page dbtime seen (verified pages) */
    uint32_t dbtimeMaxPgno;
    uint32_t objidMax;      /* largest objid seen (verified pages, catalog) */
    uint32_t objidMaxWhere; /* pgno (pages) where objidMax was seen, 0 = catalog */
    uint32_t *badPages;     /* pages whose checksum failed (phase 2), classified after phase 4 */
    bool *badCorrectable;
    uint32_t nbad, capbad;
    uint32_t cpgZero, cpgVerified;
    uint32_t lastOwned; /* last page the DB root owns (phase 4), 0 = unknown */
    chk_tree *trees;
    uint32_t ntrees, captrees;
    uint64_t nrecords, nlvs, nentries;
    uint64_t nkeysLooked; /* record -> index entry lookups made */
    bool oom;             /* out of memory somewhere: the run is incomplete (exit 2) */
} chk;

/* Records a finding (printf format). */
void chk_fault(chk *c, chk_phase ph, uint32_t pgno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void chk_note(chk *c, chk_phase ph, uint32_t pgno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Marks a phase as not run, with the reason. */
void chk_skip(chk *c, chk_phase ph, const char *why);

/* Phase 3: builds the list of trees (fixed catalog trees, then the catalog's) and runs
 * bj_bt_check on each; also the OE/AE trees of every multi-extent FDP. */
JET_ERR chk_trees(chk *c);
/* Phase 4: bj_space_check over every FDP whose trees passed phase 3. */
JET_ERR chk_space(chk *c);
/* Phase 5: records against their schema, long values, index entries -> records. */
JET_ERR chk_records(chk *c);
/* Phase 5, record -> index direction (check_index.c), per table: open before the record
 * scan, feed every valid record (bm = its key in the table tree), then give each checked
 * index its entry count (and how many entries named no record) to compare. */
typedef struct chk_idx chk_idx;
JET_ERR chk_idx_open(chk *c, const bj_cat_table *t, const chk_tree *tt, chk_idx **out);
JET_ERR chk_idx_record(chk_idx *ix, const uint8_t *bm, uint32_t cbBm, const uint8_t *rec,
                       uint32_t cbRec, uint32_t pgno);
void chk_idx_entries(chk_idx *ix, const bj_cat_index *x, uint64_t nentries, uint32_t ndangling);
bool chk_idx_covers(const chk_idx *ix, const bj_cat_index *x);
void chk_idx_close(chk_idx *ix);
/* The tree whose root is pgno, or NULL. */
chk_tree *chk_tree_by_root(chk *c, uint32_t pgno);

#endif /* BJ_TOOL_CHECK_H */
