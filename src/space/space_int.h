/* space_int.h: private to src/space: FDP handle, database state, space-tree helpers. */
#ifndef BJ_SPACE_INT_H
#define BJ_SPACE_INT_H

#include "space/space.h"
#include "space/space_format.h"

typedef struct sp_ext {
    uint32_t first, cpg;
} sp_ext;

typedef struct sp_extlist {
    sp_ext *a;
    uint32_t n, cap;
} sp_extlist;

struct bj_space_fdp {
    bj_space_db *sdb;
    bj_space_fdp *next;   /* sdb's list (under sdb->mu) */
    bj_space_fdp *parent; /* NULL for the DB root; one reference held */
    uint32_t pgno, objid, btflags;
    int refs;        /* under sdb->mu */
    bj_mutex mu;     /* the FDP's space mutex: everything below is under it */
    bj_bt_tree self; /* read-only handle on the root (the apply point for its header) */
    bool selfOpen;
    bool treesOpen;
    bj_bt_tree oe, ae; /* multi-extent: the space trees */
    sp_extlist pendOE; /* extents owned, not yet in the OE tree (see space.c) */
    sp_extlist pendAE; /* extents available, not yet in the AE tree: also the split reserve */
};

struct bj_space_db {
    bj_bt_dbctx *dbc;
    bj_file *file;
    uint32_t cbPage;
    uint32_t cpgExt;
    bj_mutex mu; /* the FDP list */
    bj_space_fdp *list;
    _Atomic uint32_t cExtensions;
};

#endif
