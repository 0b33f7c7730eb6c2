/* btree.h: layer 4, ESE B+trees on pages: create, cursors (seek/move/get/position), leaf writes
 * (insert/replace/delete/flag/delta), splits and empty-page merges, and a structural checker.
 *
 * Tree format (ese-format.md §2.3-2.4): leaves chained by pgnoPrev/pgnoNext (0 at both ends);
 * internal pages have prev = next = 0 and nodes (separator key -> u32 child pgno) with
 *   keys of child i < sep_i <= keys of child i+1,
 * the last node of an internal page covering everything above the previous separator (we write
 * it with an empty key, as ESE does; a non-empty last key written by ESE is read as a bound).
 * Root page keeps its pgno forever: a root split moves its nodes to a new child. TAG 0 of the
 * root holds the 16-byte external (space) header. Pages a split or merge builds (never the root)
 * get ESE's TAG 0 key prefix and compressed nodes (bt.cxx BTISelectPrefix).
 *
 * Non-unique trees (BJ_BT_NON_UNIQUE, ESE's secondary indexes without JET_bitIndexUnique): a
 * node's identity is (key, data) (key = normalised index key, data = primary bookmark); many
 * nodes may share a key. Leaves are ordered by (key, data) pairwise (node.cxx CmpKeyData);
 * internal separators are compared with key || data concatenated (daedef.hxx
 * CmpKeyWithKeyData, node.cxx IlineNDISeekGEQInternal), and a split between equal keys puts
 * key + common data prefix + 1 byte into the parent (bt.cxx ErrBTIComputeSeparatorKey). The
 * two orders agree only for prefix-free keys, which ESE's normalised keys are: callers must
 * not mix a key with its own proper prefix in one non-unique tree.
 *
 * Density (bt.cxx CbBTIFreeDensity/FBTIAppend): an insert past the end of the last leaf that
 * would leave less than (100 - density)% of the page free is an append split; merges leave the
 * same room on leaves (BTICheckMergeable). Merges: a leaf left under half full after a delete
 * moves all its nodes into its right sibling, else its left one, when they fit together and
 * share the parent (bt.cxx ErrBTIMergeOrEmptyPage, full right/left merges); empty leaves are
 * removed.
 *
 * Concurrency protocol (one per tree; see bt_core.c):
 *  1. Each tree has a structure-modification rwlock (writer-preferring). Reads and leaf writes
 *     that fit hold it shared for the duration of one call; splits/merges hold it exclusive.
 *  2. Internal pages and leaf links change only under the exclusive lock, so a shared holder
 *     descends latching one page at a time (no latch coupling), shared on internal pages.
 *  3. Leaves are latched shared to read and exclusive to write; a write that does not fit
 *     releases everything, takes the lock exclusive, re-descends and splits.
 *  4. Latch order: top-down, then left-to-right among siblings. No latch outlives a call.
 *  5. Cursors keep (pgno, itag, page dbtime, key copy); a call re-latches the leaf and, if the
 *     page's dbtime moved, re-seeks by the saved key (a deleted node leaves a gap next/prev use).
 */
#ifndef BJ_BTREE_H
#define BJ_BTREE_H

#include <pthread.h>
#include <stdatomic.h>

#include "buf/buf.h"
#include "common/common.h"

/* ---- database context: the buffer-cache handle and the dbtime counter ---- */

/* One per attached database: every tree of that database shares it. The buffer cache has no
 * dbtime counter, so it lives here (the log layer will hook into bj_bt_apply). */
struct bj_pgop;
struct bj_bt_dbctx;
/* The log hook of bj_bt_apply (the WAL side of "one way to change a page"): pgBefore non-NULL
 * asks for a full page image first (the page was clean: its first change since it was last
 * written; or, with smoid != 0, the page as it was before structure modification smoid);
 * undo non-NULL (with smoid) asks for the op that takes this change back, for recovery to
 * undo an unfinished SMO; then the op (already applied to the page). *plsnFirst / *plsn: the
 * positions of the first and the last record written. An error means nothing more may reach
 * the disk. */
typedef JET_ERR (*bj_bt_log_fn)(void *ctx, struct bj_bt_dbctx *dbc, const uint8_t *pgBefore,
                                uint64_t smoid, const struct bj_pgop *undo,
                                const struct bj_pgop *op, uint64_t *plsnFirst, uint64_t *plsn);

typedef struct bj_bt_dbctx {
    bj_buf_db *db;
    uint32_t cbPage;
    _Atomic uint64_t dbtime; /* last dbtime handed out; the next change gets dbtime + 1 */
    uint32_t dbid;           /* the instance's id of the database (log records) */
    bj_bt_log_fn log;        /* NULL: changes are not logged (temporary database, no log) */
    /* a structure modification (split, merge) of several pages ended: recovery takes back
     * the pages of one whose end is not in the log (their images before it were logged) */
    JET_ERR (*log_smo_end)(void *ctx, struct bj_bt_dbctx *dbc, uint64_t smoid);
    /* the file grows to cpg database pages (logged before the file changes) */
    JET_ERR (*log_extend)(void *ctx, struct bj_bt_dbctx *dbc, uint32_t cpg);
    void *log_ctx;
} bj_bt_dbctx;

/* Initialises ctx for db with page size cbPage and the database header's dbtimeDirtied. */
void bj_bt_dbctx_init(bj_bt_dbctx *ctx, bj_buf_db *db, uint32_t cbPage, uint64_t dbtimeLast);
/* The last dbtime handed out (for the database header at flush/detach). */
uint64_t bj_bt_dbctx_dbtime(bj_bt_dbctx *ctx);

/* ---- trees ---- */

typedef struct bj_bt_tree bj_bt_tree;

/* Page allocation, supplied by the space layer. alloc returns a free page of the database
 * (near pgnoNear if it can) that the tree may format; release takes back a page the tree no
 * longer uses (its content is dead). */
typedef struct bj_bt_alloc {
    JET_ERR (*alloc)(void *ctx, bj_bt_tree *t, uint32_t pgnoNear, uint32_t *ppgno);
    JET_ERR (*release)(void *ctx, bj_bt_tree *t, uint32_t pgno);
    void *ctx;
} bj_bt_alloc;

/* Tree kind flags: the page flags every page of the tree carries (besides root/leaf/parent). */
#define BJ_BT_SPACE_TREE 0x20u  /* fPageSpaceTree */
#define BJ_BT_INDEX 0x40u       /* fPageIndex */
#define BJ_BT_LONG_VALUE 0x80u  /* fPageLongValue */
#define BJ_BT_NON_UNIQUE 0x400u /* fPageNonUniqueKeys */
#define BJ_BT_KIND_MASK (BJ_BT_SPACE_TREE | BJ_BT_INDEX | BJ_BT_LONG_VALUE | BJ_BT_NON_UNIQUE)

struct bj_bt_tree {
    bj_bt_dbctx *dbc;
    uint32_t pgnoRoot;
    uint32_t objid;
    uint32_t flags;         /* BJ_BT_* kind flags */
    bj_bt_alloc alloc;      /* may be all NULL for read-only use (writes that split then fail) */
    uint32_t cbDensityFree; /* bytes to leave free on leaves (see bj_bt_set_density) */
    pthread_rwlock_t smo;   /* structure-modification lock (see the protocol above) */
    /* Optional, set by the owner after bj_bt_open: asked with a leaf latched when a cursor
     * loads a node flagged BJ_ND_VERSION; true = no node of the tree needs a version check
     * now (the cursor's quiet flag). */
    bool (*quiet)(void *ctx);
    void *quiet_ctx;
};

/* Formats pgnoRoot as the empty root leaf of a new tree (objid, kind flags, external header
 * ext/cbExt placed in TAG 0, normally the 16-byte space header). */
JET_ERR bj_bt_create(bj_bt_dbctx *dbc, uint32_t pgnoRoot, uint32_t objid, uint32_t flags,
                     const uint8_t *ext, uint32_t cbExt);
/* Opens a tree handle. objid 0 = take it from the root page; flags ~0u = take the kind flags
 * from the root page. Reads and checks the root (JET_errDatabaseCorrupted if not a root of
 * objid). alloc may be NULL (read-only). */
JET_ERR bj_bt_open(bj_bt_tree *t, bj_bt_dbctx *dbc, uint32_t pgnoRoot, uint32_t objid,
                   uint32_t flags, const bj_bt_alloc *alloc);
/* ESE's default table density (daeconst.hxx ulFILEDefaultDensity) and its bounds. */
#define BJ_BT_DENSITY_DEFAULT 80u
#define BJ_BT_DENSITY_LEAST 20u
#define BJ_BT_DENSITY_MOST 100u
/* Sets the tree's density in percent (JET_TABLECREATE ulDensity; 0 = default 80): leaves keep
 * (100 - pct) * cbPage / 100 bytes free on append splits and merges (fcb.hxx
 * CbReservedBytesFromDensity). bj_bt_open sets 80, or 100 for space and long-value trees (ESE
 * keeps those full). JET_errDensityInvalid outside 20..100. Call before the tree is shared. */
JET_ERR bj_bt_set_density(bj_bt_tree *t, uint32_t pct);
/* Releases what bj_bt_open set up (no cursor may still use t). */
void bj_bt_close(bj_bt_tree *t);

/* Largest key and (for that key length) node data a tree on this page size accepts. */
uint32_t bj_bt_key_most(uint32_t cbPage);
uint32_t bj_bt_data_most(uint32_t cbPage, uint32_t cbKey);

/* ---- writes: each is one short operation; no latch is held on return ---- */

/* Inserts a node. JET_errKeyDuplicate if a node with this key exists (non-unique trees: with
 * this key and this data); JET_errRecordDeleted if the existing equal node is flagged deleted
 * (the caller may reuse it: replace + set flags, or set flags on a non-unique tree);
 * JET_errKeyTooBig / JET_errRecordTooBig for sizes over the limits above. */
JET_ERR bj_bt_insert(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                     uint32_t cbData, uint8_t nflags);
/* The key-only writes below (replace, delete, set_flags, delta) return JET_errInvalidParameter
 * on a non-unique tree, where a key does not name one node: use the _kd forms. */
/* Replaces the data of the node with key (flags kept). JET_errRecordNotFound if absent. */
JET_ERR bj_bt_replace(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                      uint32_t cbData);
/* Physically deletes the node with key; a leaf left empty is unlinked and freed.
 * JET_errRecordNotFound if absent. */
JET_ERR bj_bt_delete(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey);
/* Sets the node flags (BJ_ND_VERSION | BJ_ND_DELETED) of the node with key. */
JET_ERR bj_bt_set_flags(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, uint8_t nflags);
/* Deletes / sets the flags of the node (key, data) of a non-unique tree (on a unique tree data
 * is ignored: same as bj_bt_delete / bj_bt_set_flags). JET_errRecordNotFound if absent. */
JET_ERR bj_bt_delete_kd(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                        uint32_t cbData);
JET_ERR bj_bt_set_flags_kd(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                           uint32_t cbData, uint8_t nflags);
/* bj_bt_delete_kd only if pred(ctx, node flags) is true, evaluated under the leaf's exclusive
 * latch (pred must take no page latch); *pdeleted tells whether it deleted. RecordNotFound if
 * absent. */
JET_ERR bj_bt_delete_kd_if(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                           uint32_t cbData, bool (*pred)(void *ctx, uint8_t nflags), void *ctx,
                           bool *pdeleted);
/* Adds delta to the little-endian 32-bit value at offset ib of the node's data (ESE's
 * DELTA); *pold (may be NULL) gets the value before. JET_errRecordNotFound if absent,
 * JET_errInvalidParameter if ib + 4 > data size. */
JET_ERR bj_bt_delta(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, uint32_t ib, int32_t delta,
                    uint32_t *pold);

/* ---- cursors ---- */

typedef enum bj_bt_seek_mode {
    BJ_BT_SEEK_EQ = 0, /* exactly key, else JET_errRecordNotFound */
    BJ_BT_SEEK_GE = 1, /* first node >= key (JET_wrnSeekNotEqual if greater) */
    BJ_BT_SEEK_LE = 2, /* last node <= key (JET_wrnSeekNotEqual if smaller) */
} bj_bt_seek_mode;

/* A cursor is used by one thread at a time; it holds no latch between calls. */
typedef struct bj_bt_cursor {
    bj_bt_tree *t;
    int state;           /* BT_CUR_* (bt_int.h) */
    bool skip_deleted;   /* moves and seeks pass over nodes flagged BJ_ND_DELETED */
    uint32_t pgno, itag; /* leaf and node of the position */
    uint64_t dbtime;     /* the leaf's dbtime when the position was taken */
    uint8_t *key;        /* copy of the current key (cbPage bytes) */
    uint32_t cbKey;
    uint8_t *data; /* copy of the current data (cbPage bytes) */
    uint32_t cbData;
    uint8_t nflags; /* flags of the current node */
    bool gap;       /* the saved node is gone: (pgno, itag) is the first node after it */
    bool quiet;     /* when the copy was taken, the tree's quiet hook said no version check */
} bj_bt_cursor;

/* Opens an unpositioned cursor on t; skip_deleted as above. */
JET_ERR bj_bt_cursor_open(bj_bt_tree *t, bool skip_deleted, bj_bt_cursor *c);
void bj_bt_cursor_close(bj_bt_cursor *c);

/* Seeks by key. JET_errRecordNotFound when no node qualifies (cursor unpositioned). On a
 * non-unique tree EQ and GE land on the first (lowest-data) node of the key, LE on the last
 * (highest-data) node with key <= key. */
JET_ERR bj_bt_seek(bj_bt_cursor *c, const uint8_t *key, uint32_t cbKey, bj_bt_seek_mode mode);
/* Seeks by (key, data) in (key, data) order (ESE's bookmark seek on a non-unique tree): EQ the
 * node itself, GE the first node >= it, LE the last node <= it (JET_wrnSeekNotEqual when not
 * equal). On a unique tree data is ignored (same as bj_bt_seek). */
JET_ERR bj_bt_seek_kd(bj_bt_cursor *c, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                      uint32_t cbData, bj_bt_seek_mode mode);
/* First / last node; JET_errRecordNotFound on an empty tree. */
JET_ERR bj_bt_move_first(bj_bt_cursor *c);
JET_ERR bj_bt_move_last(bj_bt_cursor *c);
/* Next / previous node; JET_errNoCurrentRecord past the end (cursor then after last / before
 * first, from where prev / next return the last / first node). Works from a node deleted
 * meanwhile: next returns the first node > its key, prev the last node < its key. */
JET_ERR bj_bt_move_next(bj_bt_cursor *c);
JET_ERR bj_bt_move_prev(bj_bt_cursor *c);
/* The current node, re-read from the page: key, data (cursor-owned copies valid until the
 * next call on c) and flags. JET_errNoCurrentRecord if unpositioned; JET_errRecordDeleted if
 * the node was physically deleted since the cursor reached it. */
JET_ERR bj_bt_get(bj_bt_cursor *c, const uint8_t **pkey, uint32_t *pcbKey, const uint8_t **pdata,
                  uint32_t *pcbData, uint8_t *pnflags);
/* The current node as the cursor's last seek, move or get copied it (no page access): for a
 * caller that has just positioned c. JET_errNoCurrentRecord if unpositioned,
 * JET_errRecordDeleted if the node was gone at the last get. */
JET_ERR bj_bt_current(const bj_bt_cursor *c, const uint8_t **pkey, uint32_t *pcbKey,
                      const uint8_t **pdata, uint32_t *pcbData, uint8_t *pnflags);

/* ESE's fractional position (ErrBTGetPosition): *plt over *ptotal approximates the fraction of the
 * tree before the current node, from the node counts of the pages on the path. */
JET_ERR bj_bt_get_position(bj_bt_cursor *c, uint64_t *plt, uint64_t *ptotal);
/* Positions on the node at about lt/total of the tree (descending by fractions; skips
 * forward over deleted nodes when skip_deleted). JET_errRecordNotFound on an empty tree. */
JET_ERR bj_bt_goto_position(bj_bt_cursor *c, uint64_t lt, uint64_t total);
/* Exact count of leaf nodes (walk of the leaf chain); deleted-flagged ones only if !skip. */
JET_ERR bj_bt_count(bj_bt_tree *t, bool skip_deleted, uint64_t *pcount);

/* ---- the single point of change ---- */

struct bj_pgop;
/* Takes the next dbtime, applies op to the exclusively latched frame with bj_page_apply,
 * marks the frame dirty. Every page change of the tree goes through here (the log hook). */
JET_ERR bj_bt_apply(bj_bt_tree *t, bj_frame *fr, struct bj_pgop *op);

/* ---- validation ---- */

/* One fault found by bj_bt_check: the page and a message. */
typedef void (*bj_bt_report_fn)(void *ctx, uint32_t pgno, const char *msg);
/* Walks the whole tree (takes the lock shared) and checks: key order within and across pages,
 * separators bounding their children, leaf chain = tree order, internal links 0, objid, flags
 * by level, no page reached twice, equal leaf depth. JET_errDatabaseCorrupted on any fault
 * (each reported through fn, which may be NULL). */
JET_ERR bj_bt_check(bj_bt_tree *t, bj_bt_report_fn fn, void *ctx);
/* Calls fn for every page the tree owns (root, internal, leaves), top-down. */
typedef JET_ERR (*bj_bt_page_fn)(void *ctx, uint32_t pgno, uint32_t pageflags);
JET_ERR bj_bt_walk_pages(bj_bt_tree *t, bj_bt_page_fn fn, void *ctx);

#endif /* BJ_BTREE_H */
