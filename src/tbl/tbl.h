/* tbl.h: layer 8, table cursors (ESE's FUCB for a table): the current index (primary/clustered
 * or secondary), navigation, seeks, index ranges, search keys, bookmarks, record positions, and
 * column retrieval (long values from the table's LV tree) from a private copy of the current
 * record.
 *
 * Format facts (ESE; ese-format.md §3.3-3.5): a primary (clustered) tree node is
 * key = normalised primary key (4-byte DBK without a primary index), data = record; a secondary
 * index node is key = normalised secondary key, data = the record's primary bookmark (non-unique
 * indexes may repeat a key, ordered by bookmark). LV tree: root node key = LID (BE), data =
 * LVROOT; chunk nodes key = LID || BE offset.
 *
 * Visibility: every "is this node visible to this cursor" decision goes through
 * bj_tbl_visible (one point where the version store will plug in). Today it hides nodes flagged
 * deleted.
 *
 * Search-key comparison (seeks, ranges) is "shortest": a search key K matches an index entry E
 * when K is a prefix of E (ESE: a key made from the first columns only finds the entries that
 * start with those columns).
 *
 * A cursor is used by one thread at a time (the session's); it holds no latch between calls.
 */
#ifndef BJ_TBL_H
#define BJ_TBL_H

#include "cat/cat.h"

typedef enum bj_tbl_state {
    BJ_TBL_NONE = 0,     /* no current record (after a failed seek) */
    BJ_TBL_BEFORE_FIRST, /* after open / set index: JetMove(Next) gives the first entry */
    BJ_TBL_ON,           /* on a record: the copy below is valid */
    BJ_TBL_AFTER_LAST,   /* moved past the end: JetMove(Previous) gives the last entry */
} bj_tbl_state;

typedef struct bj_tbl {
    bj_bt_dbctx *dbc;
    const bj_cat_table *t;
    const bj_cat_index *idx; /* current index; NULL = the table has no primary index (DBK order) */
    bool fSecondary;         /* idx is a secondary index (own tree) */
    bj_bt_tree trPrimary, trIndex, trLV;    /* private trees (read-only cursors) */
    bj_bt_tree *ptPrimary, *ptIndex, *ptLV; /* the trees in use: private or shared (tdb) */
    bool fIndexOpen, fLVOpen;
    bj_bt_cursor cPrimary, cIndex;
    bj_tbl_state state;
    /* the current entry and record (private copies) */
    uint8_t *key; /* current index entry key (cbPage) */
    uint32_t cbKey;
    uint8_t *bm; /* primary bookmark of the current record (cbPage) */
    uint32_t cbBm;
    uint8_t *rec; /* the current record (cbPage) */
    uint32_t cbRec;
    /* JetMakeKey state */
    bj_key_builder kb;
    /* index range */
    bool fRange, fRangeUpper, fRangeInclusive;
    uint8_t *rangeKey;
    uint32_t cbRangeKey;
    /* versioning and writes (tbl_write.h): NULL tdb = private trees, no version store */
    struct bj_tbl_db *tdb;
    struct bj_trx *trx; /* the reader's transaction for this call (NULL: snap_ts) */
    uint64_t snap_ts;
    uint8_t *img;           /* cbPage: a before-image from the version store */
    struct bj_tbl_upd *upd; /* the prepared update, NULL when none */
    bool fCurDeleted;       /* the current record was deleted through this cursor */
    /* tbl_column's cache: every column of colgen_t is in catalog generation colgen - 1 */
    const bj_cat_table *colgen_t;
    uint64_t colgen;
    /* between bj_tbl_retrieve_batch(c, true) and (c, false): the record copy parsed once */
    bool fBatch, fBatchParsed;
    bj_rec_layout batchLayout;
} bj_tbl;

/* Starts (fOn) or ends a run of retrievals from the current record copy that neither moves
 * the cursor nor changes the copy (JetRetrieveColumns): the record is parsed once for them. */
void bj_tbl_retrieve_batch(bj_tbl *c, bool fOn);

/* Is a node with these flags visible to the cursor? (versioning plugs in here) */
bool bj_tbl_visible(const bj_tbl *c, uint8_t nflags);

/* Opens a cursor on table t of the database behind dbc, on its primary index, before the
 * first record. JET_errDatabaseCorrupted for a bad root, JET_errOutOfMemory. */
JET_ERR bj_tbl_open(bj_bt_dbctx *dbc, const bj_cat_table *t, bj_tbl **pc);
void bj_tbl_close(bj_tbl *c);

/* The cursor reads t from now on: the same table (same objid) in a newer catalog version
 * (columns and indexes added by DDL since the cursor was opened; ESE's cursors share the
 * table's FCB and see them). The older version must outlive the cursor. */
void bj_tbl_retarget(bj_tbl *c, const bj_cat_table *t);
/* JetSetCurrentIndex: NULL/"" = primary. JET_bitMoveFirst (0) positions on the first entry
 * (no error on an empty index), JET_bitNoMove keeps the current record (JetSetCurrentIndex with
 * the same index is a no-op then). JET_errIndexNotFound, JET_errInvalidGrbit. */
JET_ERR bj_tbl_set_index(bj_tbl *c, const char *szIndex, JET_GRBIT grbit);
/* The current index's name ("" for a DBK table). */
const char *bj_tbl_index_name(const bj_tbl *c);

/* JetMove: JET_MoveFirst, JET_MoveLast, or n entries forward / backward; JET_bitMoveKeyNE skips
 * entries whose key equals the current one. JET_errNoCurrentRecord past either end. */
JET_ERR bj_tbl_move(bj_tbl *c, int32_t crow, JET_GRBIT grbit);

/* JetMakeKey on the current index (see bj_key_make). */
JET_ERR bj_tbl_make_key(bj_tbl *c, const void *pv, uint32_t cb, JET_GRBIT grbit);
/* JetSeek (exactly one of JET_bitSeekEQ/LT/LE/GE/GT, optionally JET_bitSetIndexRange with EQ):
 * JET_errKeyNotMade, JET_errRecordNotFound, JET_wrnSeekNotEqual (GE/LE landed elsewhere). */
JET_ERR bj_tbl_seek(bj_tbl *c, JET_GRBIT grbit);
/* JetSetIndexRange with the search key: JET_bitRangeUpperLimit, JET_bitRangeInclusive,
 * JET_bitRangeRemove. JET_errNoCurrentRecord if the current entry is outside the range. */
JET_ERR bj_tbl_set_index_range(bj_tbl *c, JET_GRBIT grbit);
/* JetIndexRecordCount: entries from the current one to the end (or the range end), at most
 * cMax (0 = no limit). */
JET_ERR bj_tbl_index_record_count(bj_tbl *c, uint32_t *pcrec, uint32_t cMax);

/* JetGetBookmark: the primary bookmark of the current record. */
JET_ERR bj_tbl_get_bookmark(bj_tbl *c, void *pv, uint32_t cbMax, uint32_t *pcbActual);
/* JetGotoBookmark: positions on the record (and, on a secondary index, its entry).
 * JET_errRecordDeleted when no record has this bookmark. */
JET_ERR bj_tbl_goto_bookmark(bj_tbl *c, const void *pv, uint32_t cb);
/* JetRetrieveKey: the current entry's key, or with JET_bitRetrieveCopy the search key made. */
JET_ERR bj_tbl_retrieve_key(bj_tbl *c, void *pv, uint32_t cbMax, uint32_t *pcbActual,
                            JET_GRBIT grbit);
/* JetGetRecordPosition / JetGotoPosition (fractional, as ESE). */
JET_ERR bj_tbl_get_position(bj_tbl *c, uint32_t *pcentryLT, uint32_t *pcentryTotal);
JET_ERR bj_tbl_goto_position(bj_tbl *c, uint32_t centryLT, uint32_t centryTotal);

/* JetRetrieveColumn for one column of the current record: itagSequence (1-based, 0 = 1),
 * ibLongValue (long values), grbit JET_bitRetrieveIgnoreDefault / RetrieveNull / RetrieveCopy
 * (no prepared update exists yet: same as the record) / RetrieveFromIndex /
 * RetrieveFromPrimaryBookmark (served from the record copy, which holds the same values).
 * Returns JET_errSuccess, JET_wrnColumnNull, JET_wrnBufferTruncated, JET_errColumnNotFound,
 * JET_errNoCurrentRecord, JET_errFeatureNotAvailable (Xpress-compressed values),
 * JET_errDatabaseCorrupted. *pcbActual = the value's full size from ibLongValue. */
JET_ERR bj_tbl_retrieve_column(bj_tbl *c, JET_COLUMNID columnid, void *pv, uint32_t cbMax,
                               uint32_t *pcbActual, JET_GRBIT grbit, uint32_t ibLongValue,
                               uint32_t itagSequence);
/* The number of values of a column in the current record (JetRetrieveColumn with
 * itagSequence 0 and JET_RETINFO asks this through JET_bitRetrieveTag callers). */
JET_ERR bj_tbl_count_values(bj_tbl *c, JET_COLUMNID columnid, JET_GRBIT grbit, uint32_t *pc);

/* Reads [ib, ib + cbMax) of separated long value lid into pv; *pcbTotal = its full size. */
JET_ERR bj_tbl_lv_read(bj_tbl *c, uint64_t lid, uint32_t ib, void *pv, uint32_t cbMax,
                       uint32_t *pcbTotal);

struct bj_tbl_db;
struct bj_ver_ops;
/* The version-store callbacks (client BJ_VER_CLIENT_TBL) of every RCE the table layer creates
 * for database d: crash recovery re-creates d's logged RCEs with them (valid while d is open). */
const struct bj_ver_ops *bj_tbl_db_ver_ops(struct bj_tbl_db *d);

#endif /* BJ_TBL_H */
