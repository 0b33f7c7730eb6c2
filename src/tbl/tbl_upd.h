/* tbl_upd.h: private to src/tbl: versioned node writes (tbl_update.c) used by the record
 * operations (tbl_update_rec.c). Each creates its RCE in trx first, then changes the page. */
#ifndef BJ_TBL_UPD_H
#define BJ_TBL_UPD_H

#include "tbl/tbl_int.h"

JET_ERR tbl_node_insert(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                        const uint8_t *dt, uint32_t cbD);
JET_ERR tbl_node_delete(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                        const uint8_t *dt, uint32_t cbD, const uint32_t *rglid, uint32_t clid,
                        const bj_bt_tree *lv);
JET_ERR tbl_node_replace(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *k, uint32_t cbK,
                         const uint8_t *dt, uint32_t cbD, const uint32_t *rglid, uint32_t clid,
                         const bj_bt_tree *lv);
JET_ERR tbl_node_lock(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm, uint32_t cbBm,
                      bj_ver_kind kind);
JET_ERR tbl_node_delta(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm, uint32_t cbBm,
                       uint32_t ib, int32_t delta, bool fNoRollback, uint32_t *pold);
/* The error for writing a record found flag-deleted: JET_errWriteConflict when another
 * transaction's uncommitted (or newer) change holds it, else JET_errRecordDeleted. */
JET_ERR tbl_node_deleted_error(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *tr, const uint8_t *bm,
                               uint32_t cbBm);
JET_ERR tbl_lv_created(bj_tbl_db *d, bj_trx *trx, bj_bt_tree *lv, uint32_t lid);
JET_ERR tbl_lv_delete_now(bj_bt_tree *lv, uint32_t lid);

#endif /* BJ_TBL_UPD_H */
