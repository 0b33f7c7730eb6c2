/* bt_split.c: structure modifications that grow a tree: page splits (with ESE's append split),
 * root splits that keep the root pgno, and the page builder with ESE's prefix compression.
 *
 * Everything here runs with t->smo held exclusive, so no other thread is in the tree: latches
 * are still taken (exclusive, top-down, left-to-right) because the buffer cache requires them,
 * but no deadlock is possible. Splits rewrite both halves (INIT with the chosen TAG 0 prefix +
 * INSERT_RANGE, which compresses every node sharing > 2 bytes with the prefix).
 *
 * Split choice (after bt.cxx ErrBTISelectSplit / BTISelectAppend / FBTIAppend): an insert past
 * the last node of the rightmost leaf that does not fit, or that would leave less than the
 * tree's density free space, is an "append" split: the full page is left as it is and the new
 * page gets only the new node (TAG 0 = what it shares with the full page's last key), so
 * ascending inserts leave leaves at the density's fill, compressed; the parent levels of an
 * append split append too. Other splits cut where the two halves' byte sizes are closest. If the
 * new node cannot be placed in either half, the page is split without it and the write retries.
 * Separators (ErrBTIComputeSeparatorKey): leaf level = shortest prefix of the right half's
 * first key that is greater than the left half's last key; on a non-unique tree, when the two
 * keys are equal, the key + the common data prefix + the right data's next byte; internal
 * level = the key of the left half's last node, whose key becomes empty (+infinity) on the
 * left page. Prefix (BTISelectPrefix): the key of the node whose neighbourhood shares the most
 * bytes, cut to what it shares, when that saves more than TAG 0 costs; root pages never.
 */
#include "btree/bt_int.h"
#include "os/os.h"

/* A change to a page's node list: replace the data of node pos and/or insert a node before
 * it (pos = nnodes + 1 appends). */
typedef struct bt_oper {
    uint32_t pos;
    bool do_repl;
    const uint8_t *repl;
    uint32_t cbRepl;
    bool do_ins;
    bt_kd ins;
} bt_oper;

JET_ERR bt_alloc_page(bj_bt_tree *t, uint32_t near, bj_frame **pfr)
{
    JET_ERR err = JET_errSuccess;
    uint32_t pgno = 0;
    *pfr = NULL;
    if (!t->alloc.alloc)
        ERR(JET_errOutOfDatabaseSpace);
    CALL(t->alloc.alloc(t->alloc.ctx, t, near, &pgno));
    CALL(bj_buf_new(t->dbc->db, pgno, pfr));
fail:
    return err;
}

JET_ERR bt_free_page(bj_bt_tree *t, uint32_t pgno)
{
    bool fDeferred;
    if (!t->alloc.release)
        return JET_errSuccess;
    JET_ERR err = bt_smo_defer_free(t, pgno, &fDeferred);
    if (err < 0 || fDeferred)
        return err;
    return t->alloc.release(t->alloc.ctx, t, pgno);
}

static uint32_t bt_common(const bt_kd *a, const bt_kd *b)
{
    uint32_t n = 0, m = a->cbKey < b->cbKey ? a->cbKey : b->cbKey;
    if (m > BJ_ND_KEYLEN_MASK)
        m = BJ_ND_KEYLEN_MASK;
    while (n < m && a->key[n] == b->key[n])
        n++;
    return n;
}

/* Net bytes a prefix saves on a node sharing cb bytes with it (the node gains a u16 cbPrefix). */
static inline uint32_t bt_saving(uint32_t cb)
{
    return cb >= BJ_ND_PREFIX_MIN ? cb - BJ_ND_CB_KEYLEN : 0;
}

/* Nodes a candidate prefix is weighed against on each side (bounds the work per split; ESE
 * weighs the run of neighbours sharing bytes with the candidate). */
#define BT_PREFIX_REACH 128u

uint32_t bt_select_prefix(const bt_kd *b, uint32_t m, uint32_t *piPrefix, uint32_t *pcbPrefix)
{
    uint32_t best = 0;
    *piPrefix = 0;
    *pcbPrefix = 0;
    if (m < 2)
        return 0;
    /* cp[i] = bytes nodes i-1 and i share (i in 1..m-1); cp[0] = cp[m] = 0 */
    uint32_t *cp = bj_malloc(((size_t)m + 1) * sizeof(uint32_t));
    if (!cp)
        return 0; /* no compression; the page still fits uncompressed */
    cp[0] = cp[m] = 0;
    for (uint32_t i = 1; i < m; i++)
        cp[i] = bt_common(&b[i - 1], &b[i]);
    for (uint32_t i = 0; i < m; i++) {
        uint32_t L = cp[i] > cp[i + 1] ? cp[i] : cp[i + 1]; /* what node i shares at most */
        if (L < BJ_ND_PREFIX_MIN || (i + 1 < m && cp[i + 1] == L && cp[i] == L))
            continue; /* nothing to share, or the same prefix as node i+1 gives */
        /* prefix = key i cut to L: node j shares min(L, cp over the nodes between) bytes */
        uint64_t sav = bt_saving(L);
        uint32_t run = L;
        for (uint32_t j = i, k = 0; j >= 1 && k < BT_PREFIX_REACH; j--, k++) {
            run = cp[j] < run ? cp[j] : run;
            if (run < BJ_ND_PREFIX_MIN)
                break;
            sav += bt_saving(run);
        }
        run = L;
        for (uint32_t j = i + 1, k = 0; j < m && k < BT_PREFIX_REACH; j++, k++) {
            run = cp[j] < run ? cp[j] : run;
            if (run < BJ_ND_PREFIX_MIN)
                break;
            sav += bt_saving(run);
        }
        if (sav > L && sav - L > best) {
            best = (uint32_t)(sav - L);
            *piPrefix = i;
            *pcbPrefix = L;
        }
    }
    bj_free(cp);
    return best;
}

uint64_t bt_packed_size(const bj_bt_tree *t, const bt_kd *b, uint32_t m)
{
    uint64_t total = 0;
    uint32_t ip, cbp;
    for (uint32_t i = 0; i < m; i++)
        total += bt_node_size(t, b[i].cbKey, b[i].cbData);
    return total - bt_select_prefix(b, m, &ip, &cbp);
}

JET_ERR bt_build_page(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags, uint32_t prev, uint32_t next,
                      const bt_kd *b, uint32_t m)
{
    JET_ERR err = JET_errSuccess;
    uint32_t ip, cbp;
    uint8_t pre[BJ_ND_KEYLEN_MASK + 1];
    bt_select_prefix(b, m, &ip, &cbp);
    if (cbp)
        memcpy(pre, b[ip].key, cbp); /* b may point into the page being rebuilt */
    CALL(bt_op_init(t, fr, pgflags, prev, next, cbp ? pre : NULL, cbp));
    CALL(bt_op_append(t, fr, b, m));
fail:
    return err;
}

/* Moves every node of the root to a new child; the root becomes an internal page with one
 * node (empty key -> child) and keeps its external header. The path gains a level. */
static JET_ERR bt_split_root(bj_bt_tree *t, bt_path *path)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = bt_cbpage(t);
    bj_frame *fr = NULL, *frc = NULL;
    uint8_t *buf = NULL;
    bt_kd *kd = NULL;
    uint8_t ext[256];
    uint32_t cbExt, used = 0;
    if (path->depth >= BT_DEPTH_MAX)
        ERR(JET_errDatabaseCorrupted);
    /* the new child first: the allocator may rewrite the root's external header (the space
     * layer's single-extent bitmap), so the root is latched (and its header copied) after */
    CALL(bt_alloc_page(t, t->pgnoRoot, &frc));
    CALL(bt_get(t, t->pgnoRoot, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    const uint8_t *pext;
    CALL(bj_page_get_ext_header(pg, cbPage, &pext, &cbExt));
    if (cbExt > sizeof(ext))
        ERR(JET_errDatabaseCorrupted);
    memcpy(ext, pext, cbExt);
    uint32_t n = bt_nnodes(pg), pf = bj_page_flags(pg);
    buf = bj_malloc(cbPage);
    kd = bj_calloc(n + 1, sizeof(*kd));
    if (!buf || !kd)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < n; i++)
        CALL(bt_copy_node(pg, cbPage, i + 1, buf, &used, &kd[i]));
    uint32_t pgnoC = bj_frame_pgno(frc);
    uint32_t keep = pf & (BJ_PGF_LEAF | BJ_PGF_PARENT_OF_LEAF);
    CALL(bt_build_page(t, frc, bt_base_flags(t) | keep, 0, 0, kd, n));
    uint32_t rf = bt_base_flags(t) | BJ_PGF_ROOT | ((pf & BJ_PGF_LEAF) ? BJ_PGF_PARENT_OF_LEAF : 0);
    CALL(bt_op_init(t, fr, rf, 0, 0, ext, cbExt));
    uint8_t child[4];
    bj_st32(child, pgnoC);
    bt_kd inf = {NULL, 0, child, 4, 0};
    CALL(bt_op_insert(t, fr, 1, &inf));
    memmove(&path->lv[1], &path->lv[0], path->depth * sizeof(path->lv[0]));
    path->depth++;
    path->lv[0].pgno = t->pgnoRoot;
    path->lv[0].itag = 1;
    path->lv[1].pgno = pgnoC;
fail:
    if (frc)
        bj_buf_release(frc);
    if (fr)
        bj_buf_release(fr);
    bj_free(buf);
    bj_free(kd);
    return err;
}

/* Bytes node kd takes (node + TAG) on a page whose TAG 0 is pre (cbPre bytes). */
static uint32_t bt_cost_with(const bj_bt_tree *t, const bt_kd *kd, const uint8_t *pre,
                             uint32_t cbPre)
{
    uint32_t n = 0, m = cbPre < kd->cbKey ? cbPre : kd->cbKey;
    while (n < m && pre[n] == kd->key[n])
        n++;
    uint32_t cost = bt_node_size(t, kd->cbKey, kd->cbData);
    return n >= BJ_ND_PREFIX_MIN ? cost - n + BJ_ND_CB_KEYLEN : cost;
}

/* Chooses the cut k (left = b[0..k-1], right = b[k..m-1]) or returns false, sizing the nodes
 * as they would be stored under TAG 0 = pre (cbPre 0: uncompressed, an upper bound for halves
 * that then get their own prefix). */
static bool bt_choose_split(const bj_bt_tree *t, const bt_kd *b, uint32_t m, bool leaf, bool append,
                            const uint8_t *pre, uint32_t cbPre, uint32_t *pk)
{
    uint32_t cap = bt_capacity(t, false, 0) - cbPre;
    uint64_t total = 0;
    for (uint32_t i = 0; i < m; i++)
        total += bt_cost_with(t, &b[i], pre, cbPre);
    bool have = false;
    uint64_t best = 0, left = 0;
    for (uint32_t k = 1; k < m; k++) {
        uint32_t c = bt_cost_with(t, &b[k - 1], pre, cbPre);
        left += c;
        /* internal: the left's last key becomes empty (+infinity), stored uncompressed */
        uint64_t l = leaf ? left : left - c + bt_node_size(t, 0, b[k - 1].cbData);
        uint64_t r = total - left;
        if (l > cap || r > cap)
            continue;
        if (append && k == m - 1) {
            *pk = k;
            return true;
        }
        uint64_t d = l > r ? l - r : r - l;
        if (!have || d < best) {
            have = true;
            best = d;
            *pk = k;
        }
    }
    return have;
}

/* Cut for b: uncompressed first (halves then choose their prefixes), else with the page's own
 * TAG 0 prefix pre (kept for both halves: *pkeep). */
static bool bt_choose_cut(const bj_bt_tree *t, const bt_kd *b, uint32_t m, bool leaf, bool append,
                          const uint8_t *pre, uint32_t cbPre, uint32_t *pk, bool *pkeep)
{
    *pkeep = false;
    if (bt_choose_split(t, b, m, leaf, append, NULL, 0, pk))
        return true;
    if (cbPre && bt_choose_split(t, b, m, leaf, append, pre, cbPre, pk)) {
        *pkeep = true;
        return true;
    }
    return false;
}

/* bt_build_page with a given TAG 0 prefix. */
static JET_ERR bt_build_with(bj_bt_tree *t, bj_frame *fr, uint32_t pgflags, uint32_t prev,
                             uint32_t next, const bt_kd *b, uint32_t m, const uint8_t *pre,
                             uint32_t cbPre)
{
    JET_ERR err = JET_errSuccess;
    CALL(bt_op_init(t, fr, pgflags, prev, next, cbPre ? pre : NULL, cbPre));
    CALL(bt_op_append(t, fr, b, m));
fail:
    return err;
}

static JET_ERR bt_apply_oper(bj_bt_tree *t, bj_frame *fr, const bt_oper *op)
{
    JET_ERR err = JET_errSuccess;
    if (op->do_repl)
        CALL(bt_op_replace(t, fr, op->pos, op->repl, op->cbRepl));
    if (op->do_ins)
        CALL(bt_op_insert(t, fr, op->pos, &op->ins));
fail:
    return err;
}

static bool bt_oper_fits(bj_bt_tree *t, const uint8_t *pg, const bt_oper *op)
{
    uint32_t cbPage = bt_cbpage(t);
    if (op->do_repl && op->do_ins) {
        /* replace keeps the size here (a u32 child pgno) */
        return bt_fits_insert(pg, cbPage, op->pos, &op->ins);
    }
    if (op->do_repl)
        return bt_fits_replace(pg, cbPage, op->pos, op->repl, op->cbRepl);
    return bt_fits_insert(pg, cbPage, op->pos, &op->ins);
}

/* Splits the page at path level lvl while applying op to its nodes; then posts the separator
 * to the parent (splitting it in turn). *pretry: op could not be placed; the page was split
 * without it. */
static JET_ERR bt_split_level(bj_bt_tree *t, bt_path *path, uint32_t lvl, const bt_oper *op,
                              bool append, bool *pretry)
{
    JET_ERR err = JET_errSuccess;
    uint32_t cbPage = bt_cbpage(t);
    bj_frame *fr = NULL, *frn = NULL, *frx = NULL;
    uint8_t *buf = NULL;
    bt_kd *b = NULL;
    uint32_t used = 0, k = 0;
    if (lvl == 0) {
        CALL(bt_split_root(t, path));
        lvl = 1;
    }
    uint32_t pgno = path->lv[lvl].pgno;
    CALL(bt_get(t, pgno, BJ_LATCH_EXCLUSIVE, &fr));
    const uint8_t *pg = bj_frame_data(fr);
    uint32_t n = bt_nnodes(pg), pf = bj_page_flags(pg);
    bool leaf = (pf & BJ_PGF_LEAF) != 0;
    uint32_t prev = bj_page_prev(pg), next = bj_page_next(pg);
    buf = bj_malloc(2 * (size_t)cbPage + 16);
    b = bj_calloc(n + 2, sizeof(*b));
    if (!buf || !b)
        ERR(JET_errOutOfMemory);
    /* b = the page's nodes with op applied; a = the page's nodes as they are (b + n + 1) */
    uint32_t m = 0;
    for (uint32_t i = 1; i <= n + 1; i++) {
        if (op->do_ins && i == op->pos)
            b[m++] = op->ins;
        if (i > n)
            break;
        CALL(bt_copy_node(pg, cbPage, i, buf, &used, &b[m]));
        if (op->do_repl && i == op->pos) {
            b[m].data = op->repl;
            b[m].cbData = op->cbRepl;
        }
        m++;
    }
    bool app = false;
    if (leaf)
        app =
            op->do_ins && op->pos == n + 1 && next == 0; /* FBTIAppend: does not fit, or density */
    else
        app = append && op->do_ins && op->pos == n;
    /* the page's own prefix (TAG 0 of a non-root page), copied out before rewrites */
    uint8_t pre[BJ_ND_KEYLEN_MASK + 1];
    uint32_t cbPre = 0;
    bool keep = false;
    if (!(pf & BJ_PGF_ROOT)) {
        const uint8_t *p0;
        CALL(bj_page_get_prefix(pg, cbPage, &p0, &cbPre));
        if (cbPre > BJ_ND_KEYLEN_MASK)
            ERR(JET_errDatabaseCorrupted);
        memcpy(pre, p0, cbPre);
    }
    if (leaf && app &&
        bt_node_size(t, b[m - 1].cbKey, b[m - 1].cbData) <= bt_capacity(t, false, 0)) {
        k = m - 1; /* append: the page as it is stays, the new node goes alone */
    } else if (!bt_choose_cut(t, b, m, leaf, app, pre, cbPre, &k, &keep)) {
        /* the op does not fit either half: split the page as it is, retry from the root */
        if (n < 2)
            ERR(JET_errRecordTooBig);
        m = 0;
        used = 0;
        for (uint32_t i = 1; i <= n; i++)
            CALL(bt_copy_node(pg, cbPage, i, buf, &used, &b[m++]));
        if (!bt_choose_cut(t, b, m, leaf, false, pre, cbPre, &k, &keep))
            ERR(JET_errDatabaseCorrupted);
        *pretry = true;
        app = false;
    }
    /* separator, copied to the end of buf before the page is rewritten */
    uint8_t *sep = buf + used;
    uint32_t cbSep;
    if (leaf) {
        const bt_kd *l = &b[k - 1], *r = &b[k];
        uint32_t c = 0;
        while (c < l->cbKey && c < r->cbKey && l->key[c] == r->key[c])
            c++;
        if (bt_nu(t) && c == l->cbKey && c == r->cbKey) {
            /* equal keys: key + common data + the right data's first differing byte */
            uint32_t d = 0;
            while (d < l->cbData && d < r->cbData && l->data[d] == r->data[d])
                d++;
            if (d >= r->cbData) /* r <= l */
                ERR(JET_errDatabaseCorrupted);
            memcpy(sep, r->key, c);
            memcpy(sep + c, r->data, d + 1);
            cbSep = c + d + 1;
        } else {
            if (c >= r->cbKey) /* r <= l: keys out of order */
                ERR(JET_errDatabaseCorrupted);
            cbSep = c + 1;
            memcpy(sep, r->key, cbSep);
        }
    } else {
        cbSep = b[k - 1].cbKey;
        memcpy(sep, b[k - 1].key, cbSep);
        if (cbSep == 0)
            ERR(JET_errDatabaseCorrupted);
    }
    CALL(bt_alloc_page(t, pgno, &frn));
    uint32_t pgnoN = bj_frame_pgno(frn);
    if (leaf && app && k == m - 1 && !*pretry) {
        /* leaf append (BTISelectAppend): the full page keeps its nodes as they are; the new
         * last page gets the new node and, as TAG 0, what it shares with the page's last key,
         * so the nodes appended next are stored compressed */
        uint32_t c = bt_common(&b[k - 1], &b[k]);
        if (c < BJ_ND_PREFIX_MIN)
            c = 0;
        CALL(bt_op_init(t, frn, pf, pgno, next, c ? b[k].key : NULL, c));
        CALL(bt_op_insert(t, frn, 1, &b[k]));
        CALL(bt_op_links(t, fr, prev, pgnoN));
    } else if (keep) {
        CALL(bt_build_with(t, frn, pf, leaf ? pgno : 0, leaf ? next : 0, b + k, m - k, pre, cbPre));
        if (!leaf) {
            b[k - 1].key = NULL;
            b[k - 1].cbKey = 0;
        }
        CALL(bt_build_with(t, fr, pf, leaf ? prev : 0, leaf ? pgnoN : 0, b, k, pre, cbPre));
    } else {
        CALL(bt_build_page(t, frn, pf, leaf ? pgno : 0, leaf ? next : 0, b + k, m - k));
        if (!leaf) {
            b[k - 1].key = NULL;
            b[k - 1].cbKey = 0;
        }
        CALL(bt_build_page(t, fr, pf, leaf ? prev : 0, leaf ? pgnoN : 0, b, k));
    }
    if (leaf && next) {
        CALL(bt_get(t, next, BJ_LATCH_EXCLUSIVE, &frx));
        CALL(bt_op_links(t, frx, pgnoN, bj_page_next(bj_frame_data(frx))));
        bj_buf_release(frx);
        frx = NULL;
    }
    bj_buf_release(frn);
    frn = NULL;
    bj_buf_release(fr);
    fr = NULL;

    /* parent: node pos pointed at pgno with the page's upper bound; now it points at the new
     * right page, and (sep -> pgno) goes in before it */
    uint8_t pgnoLE[4], pgnoNLE[4];
    bj_st32(pgnoLE, pgno);
    bj_st32(pgnoNLE, pgnoN);
    bt_oper pop = {.pos = path->lv[lvl - 1].itag,
                   .do_repl = true,
                   .repl = pgnoNLE,
                   .cbRepl = 4,
                   .do_ins = true,
                   .ins = {sep, cbSep, pgnoLE, 4, 0}};
    CALL(bt_get(t, path->lv[lvl - 1].pgno, BJ_LATCH_EXCLUSIVE, &frx));
    if (bt_oper_fits(t, bj_frame_data(frx), &pop)) {
        CALL(bt_apply_oper(t, frx, &pop));
    } else {
        bj_buf_release(frx);
        frx = NULL;
        bool r2 = false;
        CALL(bt_split_level(t, path, lvl - 1, &pop, app, &r2));
        if (r2)
            ERR(JET_errDatabaseCorrupted); /* internal nodes always fit a half page */
    }
fail:
    if (frx)
        bj_buf_release(frx);
    if (frn)
        bj_buf_release(frn);
    if (fr)
        bj_buf_release(fr);
    bj_free(buf);
    bj_free(b);
    return err;
}

JET_ERR bt_smo_write(bj_bt_tree *t, const uint8_t *key, uint32_t cbKey, const uint8_t *data,
                     uint32_t cbData, uint8_t nflags, bool do_insert)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bt_path path;
    bt_bm bm = {key, cbKey, data, cbData, BT_BM_KD};
    pthread_rwlock_wrlock(&t->smo);
    bt_smo_begin(t);
    for (int round = 0;; round++) {
        if (round > 64)
            ERR(JET_errDatabaseCorrupted);
        CALL(bt_descend_bm(t, &bm, 0, BJ_LATCH_EXCLUSIVE, &path, &fr));
        const uint8_t *pg = bj_frame_data(fr);
        uint32_t itag;
        bool found;
        CALL(bt_search_leaf_bm(t, pg, &bm, &itag, &found));
        bt_oper op = {.pos = itag};
        if (do_insert) {
            if (found) {
                bj_node n;
                CALL(bj_page_get_node(pg, bt_cbpage(t), itag, &n));
                ERR((n.flags & BJ_ND_DELETED) ? JET_errRecordDeleted : JET_errKeyDuplicate);
            }
            op.do_ins = true;
            op.ins = (bt_kd){key, cbKey, data, cbData,
                             (uint8_t)(nflags & (BJ_ND_VERSION | BJ_ND_DELETED))};
        } else {
            if (!found)
                ERR(JET_errRecordNotFound);
            op.do_repl = true;
            op.repl = data;
            op.cbRepl = cbData;
        }
        if (bt_oper_fits(t, pg, &op) && !(do_insert && bt_density_append(t, pg, itag, &op.ins))) {
            CALL(bt_apply_oper(t, fr, &op));
            break;
        }
        bj_buf_release(fr);
        fr = NULL;
        bool retry = false;
        CALL(bt_split_level(t, &path, path.depth - 1, &op, false, &retry));
        if (!retry)
            break;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    {
        JET_ERR e2 = bt_smo_end(t);
        if (err >= 0 && e2 < 0)
            err = e2;
    }
    pthread_rwlock_unlock(&t->smo);
    return err;
}
