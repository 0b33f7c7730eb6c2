/* api_list.h: private header of the list forms of the info calls (api_list.c, api_list_info.c,
 * api_list_obj.c). ESE answers JET_ColInfoList*, JET_IdxInfo / JET_IdxInfoList and
 * JET_ObjInfoList* with a temporary table the caller reads with JetMove / JetRetrieveColumn and
 * closes with JetCloseTable; these functions build those tables with the engine's own temporary
 * tables (inst/tempdb.h), record writes (tbl_write.h) and cursor moves.
 *
 * Facts (ESE info.cxx rgcolumndefGetColumnInfo_A / rgcolumndefGetIndexInfo_A /
 * rgcolumndefGetObjectInfo_A, ErrInfoGetTableColumnInfoList, ErrINFOGetTableIndexInfo,
 * ErrInfoGetObjectInfoList; jetapi.cxx JetGet*InfoEx for the size checks):
 *  - the list tables are opened JET_bitTTScrollable | JET_bitTTIndexed with key limits 255;
 *    their JET_TTKey columns order the rows; the cursor is left on the first row;
 *  - a buffer smaller than the level's structure is JET_errBufferTooSmall (index lists accept
 *    the original JET_INDEXLIST without columnidLCMapFlags, 4 bytes shorter, and then report
 *    that cbStruct), an unknown level JET_errInvalidParameter.
 */
#ifndef BJ_API_LIST_H
#define BJ_API_LIST_H

#include "api/api.h"
#include "cat/cat.h"
#include "inst/db.h"

/* ---- the list-table builder (api_list.c) ---- */

#define BJ_LIST_COLS_MAX 16

typedef struct bj_list {
    bj_sess *s; /* the entered session the table belongs to */
    JET_TABLEID tableid;
    JET_COLUMNID rgcolumnid[BJ_LIST_COLS_MAX];
    uint32_t crow; /* rows inserted */
} bj_list;

/* One value of a row: the list column's index and its bytes (pv NULL: the column stays NULL). */
typedef struct bj_list_val {
    uint32_t icol;
    const void *pv;
    uint32_t cb;
} bj_list_val;

/* Opens a list table of s with these columns (ccol <= BJ_LIST_COLS_MAX). Temporary-table
 * errors (JET_errTooManySorts, JET_errOutOfMemory, I/O). */
JET_ERR bj_list_open(bj_sess *s, const JET_COLUMNDEF *rgcol, uint32_t ccol, bj_list *l);
/* Inserts one row (each value set in the copy buffer, then the record written in the table's
 * own transaction, as JetPrepareUpdate / JetSetColumn / JetUpdate do on a temporary table). */
JET_ERR bj_list_insert(bj_list *l, const bj_list_val *rgval, uint32_t cval);
/* Ends the insert phase and moves to the first row (an empty table is not an error). */
JET_ERR bj_list_finish(bj_list *l);
/* Closes the list table after a failure (pages freed). */
void bj_list_abort(bj_list *l);

/* ---- the lists ---- */

/* True for the column levels answered with a list table (JET_ColInfoList, ListCompact,
 * ListSortColumnid, with or without the JET_ColInfoGrbit* bits). */
/* The JET_OBJECTINFO of table t (JetGetObjectInfo JET_ObjInfo, JetGetTableInfo JET_TblInfo);
 * fUpdatable false leaves JET_bitTableInfoUpdatable out (a read-only cursor). */
void bj_api_table_object_info(const bj_db *db, const bj_cat_table *t, bool fUpdatable,
                              JET_OBJECTINFO *oi);
bool bj_api_column_list_level(uint32_t level);
/* JET_ColInfoList* of table t: fUpdatable (a writable cursor through JetGetTableColumnInfo)
 * adds JET_bitColumnUpdatable to each column's grbit as ESE does. Fills a JET_COLUMNLIST.
 * JET_errBufferTooSmall, JET_errInvalidParameter (pv NULL). */
JET_ERR bj_api_column_list(bj_sess *s, const bj_cat_table *t, bool fUpdatable, void *pv,
                           uint32_t cbMax, uint32_t level);
/* True for JET_IdxInfo and JET_IdxInfoList. */
bool bj_api_index_list_level(uint32_t level);
/* JET_IdxInfo / JET_IdxInfoList of table t: one row per key segment of the index szIndex, or of
 * every index when szIndex is NULL or "". Fills a JET_INDEXLIST. JET_errBufferTooSmall,
 * JET_errInvalidParameter, JET_errInvalidName, JET_errIndexNotFound. */
JET_ERR bj_api_index_list(bj_sess *s, const bj_cat_table *t, const char *szIndex, void *pv,
                          uint32_t cb);

#endif /* BJ_API_LIST_H */
