/* fuzz_page.c: libFuzzer target for one page (page/page.h) and page operations (page/pgop.h).
 * Input: u8 page-size selector (2/4/8/16/32 KiB), u8 mode, then
 *  mode bit0 = 0 (checks): u32 pgno, u8 cbKey, key bytes, page bytes (zero-padded to the page
 *    size); mode bit1 reseals the page first (so the structural checks are reached). Runs
 *    bj_page_verify, bj_page_check_structure, bj_page_get_node on every tag, the external
 *    header and prefix, and bj_page_seek with the key.
 *  mode bit0 = 1 (apply): u8 node count of a valid base page built with INIT + INSERT ops, then
 *    [u16 len][bj_pgop encoding]...: each decoded op is applied to the page; a refused op must
 *    leave the page unchanged, an applied op must leave a structurally valid page.
 * Pages are exact-size heap buffers, so ASan sees every read or write past the page.
 */
#include "fuzz_common.h"
#include "page/pgop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_checks(fz_in *in, uint32_t cbPage, uint32_t mode)
{
    uint32_t pgno = fz_u32(in);
    size_t cbKey, cbPg;
    const uint8_t *key = fz_bytes(in, fz_u8(in), &cbKey);
    uint8_t *kcopy = malloc(cbKey ? cbKey : 1);
    memcpy(kcopy, key, cbKey);
    uint8_t *pg = calloc(1, cbPage);
    const uint8_t *src = fz_bytes(in, cbPage, &cbPg);
    memcpy(pg, src, cbPg);
    if (mode & 2)
        bj_page_seal(pg, cbPage, pgno);
    (void)bj_page_verify(pg, cbPage, pgno);
    JET_ERR errStruct = bj_page_check_structure(pg, cbPage);
    uint32_t ntags = bj_page_ntags(pg);
    const uint8_t *p;
    uint32_t cb;
    if (bj_page_get_ext_header(pg, cbPage, &p, &cb) >= 0 && cb)
        (void)p[cb - 1];
    if (bj_page_get_prefix(pg, cbPage, &p, &cb) >= 0 && cb)
        (void)p[cb - 1];
    for (uint32_t itag = 0; itag <= ntags; itag++) {
        bj_node n;
        if (bj_page_get_node(pg, cbPage, itag, &n) < 0) {
            if (errStruct >= 0 && itag >= 1 && itag < ntags)
                __builtin_trap(); /* the structure check passed but a node is bad */
            continue;
        }
        uint32_t cbk = bj_node_key_len(&n);
        uint8_t *k = malloc(cbk ? cbk : 1);
        bj_node_copy_key(&n, k);
        (void)bj_node_keycmp(&n, kcopy, (uint32_t)cbKey);
        volatile uint8_t sink = 0;
        for (uint32_t i = 0; i < n.cbData; i++)
            sink ^= n.data[i];
        (void)sink;
        free(k);
    }
    uint32_t itag = 0;
    bool found = false;
    (void)bj_page_seek(pg, cbPage, kcopy, (uint32_t)cbKey, &itag, &found);
    (void)bj_page_node_cost(pg, cbPage, (uint32_t)cbKey, 10);
    free(pg);
    free(kcopy);
}

static void run_apply(fz_in *in, uint32_t cbPage)
{
    uint8_t *pg = calloc(1, cbPage), *before = malloc(cbPage);
    bj_pgop op;
    memset(&op, 0, sizeof op);
    op.kind = BJ_PGOP_INIT;
    op.pgno = 10;
    op.dbtimeAfter = 1;
    op.objid = 7;
    op.pageFlags = BJ_PGF_ROOT | BJ_PGF_LEAF;
    if (bj_page_apply(pg, cbPage, &op) < 0)
        __builtin_trap();
    uint32_t nnodes = fz_u8(in) % 64;
    for (uint32_t i = 0; i < nnodes; i++) {
        uint8_t key[8], val[24];
        snprintf((char *)key, sizeof key, "k%04u", i * 2);
        memset(val, (int)('a' + i % 26), sizeof val);
        memset(&op, 0, sizeof op);
        op.kind = BJ_PGOP_INSERT;
        op.pgno = 10;
        op.dbtimeAfter = 2 + i;
        op.itag = 1 + i;
        op.key = key;
        op.cbKey = 5;
        op.data = val;
        op.cbData = 8 + i % 16;
        if (bj_page_apply(pg, cbPage, &op) < 0)
            break; /* page full */
    }
    while (fz_left(in) >= 2) {
        size_t cbOp;
        const uint8_t *src = fz_bytes(in, fz_u16(in), &cbOp);
        uint8_t *enc = malloc(cbOp ? cbOp : 1);
        memcpy(enc, src, cbOp);
        if (bj_pgop_decode(enc, (uint32_t)cbOp, &op) >= 0) {
            memcpy(before, pg, cbPage);
            JET_ERR errFits = bj_pgop_fits(pg, cbPage, &op);
            if (memcmp(before, pg, cbPage) != 0)
                __builtin_trap(); /* fits must not change the page */
            JET_ERR err = bj_page_apply(pg, cbPage, &op);
            if (err < 0 && memcmp(before, pg, cbPage) != 0)
                __builtin_trap(); /* a refused op changed the page */
            if ((err >= 0) != (errFits >= 0))
                __builtin_trap(); /* fits and apply disagree */
            if (err >= 0 && op.kind != BJ_PGOP_INIT && bj_page_check_structure(pg, cbPage) < 0)
                __builtin_trap(); /* an applied op left a bad page */
        }
        free(enc);
    }
    free(before);
    free(pg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in;
    fz_init(&in, data, size);
    uint32_t cbPage = fz_page_size(fz_u8(&in));
    uint32_t mode = fz_u8(&in);
    if (mode & 1)
        run_apply(&in, cbPage);
    else
        run_checks(&in, cbPage, mode);
    return 0;
}
