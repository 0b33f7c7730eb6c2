/* tbl_int.h: what the files of src/tbl share and nobody else sees (writes and versioning). */
#ifndef BJ_TBL_INT_H
#define BJ_TBL_INT_H

#include "os/os.h"
#include "tbl/tbl_write.h"

struct bj_space_fdp;

typedef struct tbl_tree {
    bj_bt_tree tree;
    struct bj_tbl_db *d;
    struct tbl_tree *next;
} tbl_tree;

/* Per-table counters, initialised from the trees at first use (bj_tbl_db.lock). */
typedef struct tbl_tabstate {
    uint32_t objid;
    bool fAutoInit, fDbkInit, fLidInit;
    uint64_t autoincLast; /* last value handed out */
    uint32_t dbkLast;
    uint32_t lidLast;
    uint32_t pgnoLV, objidLV; /* the LV tree when created after the catalog was loaded */
    struct tbl_tabstate *next;
} tbl_tabstate;

struct bj_tbl_db {
    bj_bt_dbctx *dbc;
    struct bj_space_db *sdb;
    bj_ver *ver;
    uint32_t dbid;
    bj_mutex lock;
    tbl_tree *trees;
    tbl_tabstate *tabs;
    bj_ver_ops ops;        /* undo/cleanup of every RCE tbl creates (ctx = this) */
    struct bj_cat_db *cdb; /* DDL context (LV trees created on first use), NULL: none */
};

void tbl_ops_init(bj_tbl_db *d);
/* Opens c's LV tree when the table has one (also one created after c's catalog version was
 * loaded); fCreate: creates it first when it does not exist. */
JET_ERR tbl_lv_open(bj_tbl *c, bool fCreate);
/* Whether c's reader sees catalog row (c's table, type, id): columns and indexes added by
 * transactions it must not see are hidden (bj_cat_ddl_row_seen). True without a DDL context. */
bool tbl_row_seen(bj_tbl *c, uint16_t type, uint32_t id);
/* The column columnid of c's table as c's reader sees it, or NULL (JET_errColumnNotFound). */
const bj_cat_column *tbl_column(bj_tbl *c, JET_COLUMNID columnid);
tbl_tabstate *tbl_tabstate_get(bj_tbl_db *d, uint32_t objid);
uint32_t tbl_verkey(const bj_bt_tree *tr, const uint8_t *k, uint32_t cbK, const uint8_t *dt,
                    uint32_t cbD, uint8_t *buf);

#endif /* BJ_TBL_INT_H */
