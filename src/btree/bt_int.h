/* bt_int.h: private to src/btree: page access helpers, descent paths, node copies and the
 * page-operation builders (bt_ops.c, the only file that knows bj_pgop's fields).
 */
#ifndef BJ_BT_INT_H
#define BJ_BT_INT_H

#include "btree/btree.h"
#include "page/page.h"

#define BT_DEPTH_MAX 24u

/* Cursor states. */
enum { BT_CUR_NONE = 0, BT_CUR_ON = 1, BT_CUR_BEFORE_FIRST = 2, BT_CUR_AFTER_LAST = 3 };

/* One level of a descent: the page and the node followed (internal) or found (leaf). */
typedef struct bt_level {
    uint32_t pgno;
    uint32_t itag;
} bt_level;

typedef struct bt_path {
    uint32_t depth; /* levels used; lv[0] = root, lv[depth-1] = leaf */
    bt_level lv[BT_DEPTH_MAX];
} bt_path;

/* A node copied out of a page (or to be written): full key, data, flags. */
typedef struct bt_kd {
    const uint8_t *key;
    uint32_t cbKey;
    const uint8_t *data;
    uint32_t cbData;
    uint8_t flags; /* BJ_ND_VERSION | BJ_ND_DELETED only */
} bt_kd;

/* A search target ("bookmark"). Unique trees look at key only. Non-unique trees (ESE's
 * fPageNonUniqueKeys) order leaf nodes by (key, data) pairwise (node.cxx CmpKeyData: CmpKey on the
 * keys, then CmpData on the data, each memcmp-then-length) and compare an internal separator
 * with the concatenation key || data (daedef.hxx CmpKeyWithKeyData, used by node.cxx
 * IlineNDISeekGEQInternal). how selects the target in a non-unique tree:
 *   BT_BM_KD      the node (key, data);
 *   BT_BM_KEY_LO  the first node with this key (data = -infinity);
 *   BT_BM_KEY_HI  just past the last node with this key (data = +infinity). */
enum { BT_BM_KD = 0, BT_BM_KEY_LO = 1, BT_BM_KEY_HI = 2 };
typedef struct bt_bm {
    const uint8_t *key;
    uint32_t cbKey;
    const uint8_t *data;
    uint32_t cbData;
    int how;
} bt_bm;

static inline bool bt_nu(const bj_bt_tree *t)
{
    /* ESE (space.cxx): space-tree pages of a non-unique index carry fPageNonUniqueKeys, but their
     * keys are unique and are navigated as such */
    return (t->flags & BJ_BT_NON_UNIQUE) != 0 && !(t->flags & BJ_BT_SPACE_TREE);
}

static inline uint32_t bt_cbpage(const bj_bt_tree *t)
{
    return t->dbc->cbPage;
}
/* Page flags of the tree's pages besides root/leaf/parent-of-leaf. */
static inline uint32_t bt_base_flags(const bj_bt_tree *t)
{
    return BJ_PGF_NEW_RECORD_FORMAT | (t->flags & BJ_BT_KIND_MASK);
}
static inline bool bt_is_leaf(const uint8_t *pg)
{
    return (bj_page_flags(pg) & BJ_PGF_LEAF) != 0;
}
/* Number of nodes (TAGs besides TAG 0). */
static inline uint32_t bt_nnodes(const uint8_t *pg)
{
    uint32_t n = bj_page_ntags(pg);
    return n ? n - 1 : 0;
}

/* Latches pgno of t's database and checks that it is a page of t (objid, not empty/preinit).
 * JET_errDatabaseCorrupted otherwise. */
JET_ERR bt_get(bj_bt_tree *t, uint32_t pgno, bj_latch mode, bj_frame **out);
/* Leaf search: *pitag = first node >= key (nnodes+1 if none), *pfound = equal. */
JET_ERR bt_search_leaf(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                       uint32_t *pitag, bool *pfound);
/* Leaf search for bm in tree t (dispatches on uniqueness): *pitag = first node >= bm (nnodes+1
 * if none); *pfound = that node equals bm (KD: same key and data for non-unique trees, same key
 * for unique ones; KEY_LO: same key; KEY_HI: never). */
JET_ERR bt_search_leaf_bm(const bj_bt_tree *t, const uint8_t *pg, const bt_bm *bm, uint32_t *pitag,
                          bool *pfound);
/* Internal search for bm: the node whose child covers bm (first separator > bm). */
JET_ERR bt_search_internal_bm(const bj_bt_tree *t, const uint8_t *pg, const bt_bm *bm,
                              uint32_t *pitag);
/* bt_descend for a bookmark (dir 0). */
JET_ERR bt_descend_bm(bj_bt_tree *t, const bt_bm *bm, int dir, bj_latch mode, bt_path *path,
                      bj_frame **pleaf);
/* Internal search: the node whose child covers key (first separator > key; the last node
 * covers everything above). JET_errDatabaseCorrupted on an internal page without nodes. */
JET_ERR bt_search_internal(const uint8_t *pg, uint32_t cbPage, const uint8_t *key, uint32_t cbKey,
                           uint32_t *pitag);
/* Child pgno of internal node itag. */
JET_ERR bt_child(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint32_t *ppgno);
/* Descends from the root to the leaf covering key; latches the leaf in mode (*pleaf) and
 * records the path (may be NULL). Internal pages are latched shared one at a time.
 * key NULL with cbKey 0 and dir = -1/+1 descends to the first/last leaf instead. */
JET_ERR bt_descend(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, int dir, bj_latch mode,
                   bt_path *path, bj_frame **pleaf);
/* Copies node itag (full key, data, flags without COMPRESSED) into buf at *pused (the bt_kd
 * points into buf). */
JET_ERR bt_copy_node(const uint8_t *pg, uint32_t cbPage, uint32_t itag, uint8_t *buf,
                     uint32_t *pused, bt_kd *out);
/* Bytes a page of this tree can give to nodes (and their TAGs) when it has no nodes;
 * root pages lose the external header. */
uint32_t bt_capacity(const bj_bt_tree *t, bool root, uint32_t cbExt);
/* Bytes node kd takes on a page (node + TAG), uncompressed. */
uint32_t bt_node_size(const bj_bt_tree *t, uint32_t cbKey, uint32_t cbData);

/* ---- page operations (bt_ops.c); each goes through bj_bt_apply ---- */
JET_ERR bt_op_init(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags, uint32_t prev, uint32_t next,
                   const uint8_t *ext, uint32_t cbExt);
JET_ERR bt_op_insert(bj_bt_tree *t, bj_frame *fr, uint32_t itag, const bt_kd *kd);
JET_ERR bt_op_append(bj_bt_tree *t, bj_frame *fr, const bt_kd *kd, uint32_t n);
JET_ERR bt_op_replace(bj_bt_tree *t, bj_frame *fr, uint32_t itag, const uint8_t *data,
                      uint32_t cbData);
JET_ERR bt_op_delete(bj_bt_tree *t, bj_frame *fr, uint32_t itag);
JET_ERR bt_op_delete_range(bj_bt_tree *t, bj_frame *fr, uint32_t itagFirst, uint32_t n);
JET_ERR bt_op_nflags(bj_bt_tree *t, bj_frame *fr, uint32_t itag, uint8_t nflags);
JET_ERR bt_op_delta(bj_bt_tree *t, bj_frame *fr, uint32_t itag, uint32_t ib, int32_t delta);
JET_ERR bt_op_links(bj_bt_tree *t, bj_frame *fr, uint32_t prev, uint32_t next);
JET_ERR bt_op_pgflags(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags);

/* Whether an insert / replace would fit the page as it is. */
bool bt_fits_insert(const uint8_t *pg, uint32_t cbPage, uint32_t itag, const bt_kd *kd);
bool bt_fits_replace(const uint8_t *pg, uint32_t cbPage, uint32_t itag, const uint8_t *data,
                     uint32_t cbData);

/* bj_bt_walk_pages without taking the lock (the caller holds it). */
JET_ERR bt_walk_nolock(bj_bt_tree *t, bj_bt_page_fn fn, void *ctx);

/* ---- structure modifications (bt_split.c); caller holds no latch and not the lock ---- */
/* Insert (do_insert) or replace that did not fit: takes the lock exclusive and splits. */
JET_ERR bt_smo_write(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                     uint32_t cbData, uint8_t nflags, bool do_insert);
/* Removes the leaf covering bm if it is empty (and not the root), or merges it into a sibling
 * when their nodes fit one page with the tree's density free space left (bt_merge.c). */
JET_ERR bt_smo_shrink(bj_bt_tree *t, const bt_bm *bm);
/* Brackets of a structure modification of t (bt_ops.c): the pages it changes are logged
 * before their first change in it, and its end is logged (recovery undoes an unfinished one).
 * Call with t->smo held exclusive; bt_smo_end returns the log's error. */
void bt_smo_begin(bj_bt_tree *t);
JET_ERR bt_smo_end(bj_bt_tree *t);
/* Inside a logged SMO of t: pgno is given back at the SMO's end (*pfDeferred); else nothing. */
JET_ERR bt_smo_defer_free(bj_bt_tree *t, uint32_t pgno, bool *pfDeferred);
/* Whether an insert of kd at itag of leaf pg must be an append split under the tree's density
 * (bt.cxx FBTIAppend): last leaf, past its last node, and the page would keep less than
 * cbDensityFree + the node's size free. */
bool bt_density_append(const bj_bt_tree *t, const uint8_t *pg, uint32_t itag, const bt_kd *kd);
/* Bytes node (key, data) costs on pg (node + TAG) with pg's TAG 0 prefix compression. */
uint32_t bt_node_cost(const bj_bt_tree *t, const uint8_t *pg, const uint8_t *key, uint32_t cbKey,
                      uint32_t cbData);
/* ESE's prefix choice (bt.cxx BTISelectPrefix) for nodes b[0..m) of a non-root page:
 * *pcbPrefix bytes of b[*piPrefix].key go to TAG 0; returns the bytes saved net of TAG 0 (0 and
 * *pcbPrefix = 0 when compression does not pay). */
uint32_t bt_select_prefix(const bt_kd *b, uint32_t m, uint32_t *piPrefix, uint32_t *pcbPrefix);
/* Formats fr as a non-root page (pgflags, links) holding b[0..m), with a prefix chosen by
 * bt_select_prefix. */
JET_ERR bt_build_page(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags, uint32_t prev, uint32_t next,
                      const bt_kd *b, uint32_t m);
/* Bytes b[0..m) take on an empty non-root page with the chosen prefix. */
uint64_t bt_packed_size(const bj_bt_tree *t, const bt_kd *b, uint32_t m);
JET_ERR bt_alloc_page(bj_bt_tree *t, uint32_t near, bj_frame **pfr);
JET_ERR bt_free_page(bj_bt_tree *t, uint32_t pgno);
/* Removes node itag of the internal page at path level lvl (its child is gone). */
JET_ERR bt_remove_child(bj_bt_tree *t, const bt_path *path, uint32_t lvl);

#endif /* BJ_BT_INT_H */
