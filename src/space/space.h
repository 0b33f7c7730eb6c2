/* space.h: layer 5, page ownership and allocation with ESE's owned/available extent trees.
 *
 * Every B-tree (table, secondary index, long-value tree) is an FDP ("father data page"): its
 * root page carries a SPACE_HEADER (space_format.h) saying which pages it owns. Small FDPs are
 * single-extent: they own pgnoFDP .. pgnoFDP + cpgPrimary - 1 and a 32-bit bitmap in the header
 * says which are available. Larger ones are multi-extent: an OE tree lists the extents owned,
 * an AE tree the owned extents not in use. Ownership nests: the DB root (pgno 1) owns every
 * page of the file; tables carve their extents out of the DB root's available space; indexes
 * and LV trees out of their table's (as ESE does).
 *
 * Lock order (deadlock freedom): tree structure lock and page latches of tree T -> T's FDP
 * space mutex -> latches on that FDP's root and space-tree pages -> parent FDP's space mutex
 * -> ... -> DB root's space mutex (file growth happens under it). A thread only ever takes FDP
 * mutexes upward in the ownership hierarchy, and the space layer latches only FDP roots and
 * space-tree pages, never a data page of a tree: so a split of tree A (holding A's latches,
 * waiting for A's FDP mutex) can never wait on a thread that waits for A's latches. The B-tree
 * calls the allocator with no latch on its own root (bt_split_root allocates the new child
 * first), so updating a single-extent bitmap in the root's TAG 0 cannot self-deadlock. No
 * space mutex is held on return from any function here (never across a user-level wait).
 * FDP handles are shared: bj_space_fdp_open returns the one cached handle per root pgno.
 */
#ifndef BJ_SPACE_H
#define BJ_SPACE_H

#include "btree/btree.h"
#include "common/common.h"
#include "os/os.h"

/* ---- fixed layout of a new database (ESE cat.hxx, db.cxx, daeconst.hxx) ---- */
#define BJ_PGNO_SYSTEM_ROOT 1u      /* pgnoSystemRoot: DB root, objid 1; OE 2, AE 3 */
#define BJ_PGNO_FDP_MSO 4u          /* pgnoFDPMSO: MSysObjects, objid 2; OE 5, AE 6 */
#define BJ_CPG_MSO_INITIAL 20u      /* cpgMSOInitial */
#define BJ_PGNO_FDP_MSO_NAME 7u     /* pgnoFDPMSO_NameIndex: objid 4; OE 8, AE 9 */
#define BJ_PGNO_FDP_MSO_ROOTOBJ 10u /* pgnoFDPMSO_RootObjectIndex: objid 5; OE 11, AE 12 */
#define BJ_CPG_MSO_INDEX 3u         /* cpgMultipleExtentMin: root + OE + AE */
#define BJ_PGNO_FDP_MSO_SHADOW 24u  /* pgnoFDPMSOShadow: objid 3; OE 25, AE 26 */
#define BJ_OBJID_SYSTEM_ROOT 1u
#define BJ_OBJID_MSO 2u
#define BJ_OBJID_MSO_SHADOW 3u
#define BJ_OBJID_MSO_NAME 4u
#define BJ_OBJID_MSO_ROOTOBJ 5u
#define BJ_CPG_DB_EXTENSION_DEFAULT 256u /* JET_paramDbExtensionSize default (pages) */
#define BJ_CPG_DB_INITIAL_DEFAULT 254u   /* CpgDBInitialUserDatabaseSize: 256 with hdr+shadow */
#define BJ_CPG_DB_MIN 30u                /* CpgDBDatabaseMinMin (4 KiB+; 2 KiB: 31) */

/* MSysObjectsShadow's primary extent for a page size (CpgCATShadowInitial). */
uint32_t bj_space_cpg_shadow(uint32_t cbPage);

/* ---- databases and FDP handles ---- */

typedef struct bj_space_db bj_space_db;
typedef struct bj_space_fdp bj_space_fdp;

/* Space state of one attached database. file (may be NULL) is the database file, grown with
 * bj_file_set_size when the DB root runs out of space; the buffer cache's size is kept in
 * step (bj_buf_db_set_size). cpgExtension = JET_paramDbExtensionSize (0 = default 256). */
JET_ERR bj_space_db_open(bj_bt_dbctx *dbc, bj_file *file, uint32_t cpgExtension, bj_space_db **out);
/* Frees sdb; every FDP handle must be closed. NULL is ignored. */
void bj_space_db_close(bj_space_db *sdb);
/* Number of times the file was extended by this sdb (tests, statistics). */
uint32_t bj_space_db_extensions(const bj_space_db *sdb);

/* Lays out a new database of cpgInitial pages (0 = BJ_CPG_DB_INITIAL_DEFAULT, at least 33):
 * the DB root with OE/AE, MSysObjects (4..23) with its Name (7..9) and RootObjects (10..12)
 * index FDPs, MSysObjectsShadow (24..) as empty B-tree roots with their space; the DB root's
 * AE holds the rest. Catalog rows are the catalog layer's job. The buffer cache must be empty
 * for this database. */
JET_ERR bj_space_create_db(bj_space_db *sdb, uint32_t cpgInitial);

/* Opens (or shares) the handle of the FDP whose root is pgnoFDP, and of its ancestors.
 * JET_errSPOwnExtCorrupted if the root's space header is not valid. */
JET_ERR bj_space_fdp_open(bj_space_db *sdb, uint32_t pgnoFDP, bj_space_fdp **out);
/* Drops one reference from bj_space_fdp_open. NULL is ignored. */
void bj_space_fdp_close(bj_space_fdp *f);
/* The allocator to pass to bj_bt_open for the tree rooted at this FDP (valid while f is). */
bj_bt_alloc bj_space_fdp_allocator(bj_space_fdp *f);
uint32_t bj_space_fdp_pgno(const bj_space_fdp *f);

/* Flags of bj_space_create_fdp. */
#define BJ_SPACE_MULTI_EXTENT 0x1u /* OE/AE trees from the start (ESE's fSPMultipleExtent) */

/* Creates a new FDP under parent: carves cpgPrimary contiguous pages (near pgnoNear if it
 * can; 0 = anywhere) from the parent's available space (growing the parent, or the file),
 * formats the root as an empty B-tree (objid, kind flags BJ_BT_* of btree.h) with its space
 * header: single-extent with a free bitmap when cpgPrimary <= 33 and no BJ_SPACE_MULTI_EXTENT,
 * otherwise multi-extent with OE at root+1, AE at root+2 (cpgPrimary >= 3). Non-unique index
 * roots (BJ_BT_NON_UNIQUE) get fSPHNonUnique. *ppgnoRoot = the root page. */
JET_ERR bj_space_create_fdp(bj_space_fdp *parent, uint32_t cpgPrimary, uint32_t objid,
                            uint32_t btflags, uint32_t spflags, uint32_t pgnoNear,
                            uint32_t *ppgnoRoot);

/* A page for the FDP's tree (near pgnoNear if it can): from its own available space, else a
 * new secondary extent from the parent (single-extent FDPs are converted to multi-extent
 * then), else, for the DB root, by growing the file by the extension size. */
JET_ERR bj_space_alloc_page(bj_space_fdp *f, uint32_t pgnoNear, uint32_t *ppgno);
/* Returns a page of f back to its available space (merged with adjacent available extents of
 * the same owned extent). JET_errSPAvailExtCorrupted if pgno is not owned by f or already
 * available. */
JET_ERR bj_space_free_page(bj_space_fdp *f, uint32_t pgno);
/* Gives every extent f owns back to its parent's available space (delete table/index/LV).
 * f must be the only reference (and no FDP under f may be open); f is closed by the call. */
JET_ERR bj_space_free_fdp(bj_space_fdp *f);

/* ---- checking ---- */

/* One fault: page (0 = not page-specific) and message. */
typedef void (*bj_space_report_fn)(void *ctx, uint32_t pgno, const char *msg);

typedef struct bj_space_check_stats {
    uint32_t cpgFile;        /* pages in the file (buffer cache's notion) */
    uint32_t cpgOwned;       /* pages the DB root owns */
    uint32_t cpgAvail;       /* pages available somewhere (general pool) */
    uint32_t cpgUsed;        /* pages used by a tree (incl. space trees) */
    uint32_t cpgLeaked;      /* owned by an FDP, neither used nor available */
    uint32_t cpgUnownedTail; /* pages after the DB root's last owned page */
    uint32_t cFaults;
} bj_space_check_stats;

/* Checks ownership of every page (read-only): the DB root's OE covers pages 1..n with no
 * overlap; each FDP in fdps[] (every table, index and LV root; the DB root is implied) owns
 * extents inside its parent's owned space and outside the parent's available space and other
 * children's; available pages are owned by that FDP and used by no tree; every page a tree
 * uses (bj_bt_walk_pages on the tree and its OE/AE) is owned by that FDP, not available, and
 * used once. Leaked pages (owned, unused, unavailable) and an unowned file tail are counted in
 * st (not faults). Returns JET_errSPOwnExtCorrupted / JET_errSPAvailExtCorrupted /
 * JET_errDatabaseCorrupted for the first kind of fault found (each reported through fn, which
 * may be NULL), JET_errSuccess when clean. st may be NULL. */
JET_ERR bj_space_check(bj_bt_dbctx *dbc, const uint32_t *fdps, uint32_t cfdp, bj_space_report_fn fn,
                       void *ctx, bj_space_check_stats *st);

#endif /* BJ_SPACE_H */
