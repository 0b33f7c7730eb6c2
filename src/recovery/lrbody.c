/* lrbody.c: encoding and decoding of the engine's log record bodies (layouts in lrbody.h).
 * No state. Every decoder checks every length against the body size first.
 */
#include "recovery/lrbody.h"

#include "os/os.h"

#define NEED(n)                                                                                   \
    do {                                                                                          \
        if (cb < (n))                                                                             \
            return BJ_ERR(JET_errLogFileCorrupt);                                                 \
    } while (0)

uint32_t bj_lr_init_encode(uint8_t *buf, uint32_t cap)
{
    if (cap < 4 + BJ_LOGTIME_CB)
        return 0;
    bj_logtime t;
    bj_logtime_now(&t);
    bj_st32(buf, BJ_LR_VERSION);
    bj_logtime_encode(&t, buf + 4);
    return 4 + BJ_LOGTIME_CB;
}

uint32_t bj_lr_attach_encode(const bj_lr_attach *a, uint8_t *buf, uint32_t cap)
{
    uint32_t cb = BJ_LR_ATTACH_FIXED + a->cbPath;
    if (cap < cb || a->cbPath > 0xffff)
        return 0;
    bj_st32(buf, a->dbid);
    bj_signature_encode(&a->signDb, buf + 4);
    bj_st64(buf + 32, a->dbtime);
    bj_st32(buf + 40, a->cbPage);
    bj_st16(buf + 44, (uint16_t)a->cbPath);
    memcpy(buf + 46, a->path, a->cbPath);
    return cb;
}

JET_ERR bj_lr_attach_decode(const uint8_t *b, uint32_t cb, bj_lr_attach *a)
{
    NEED(BJ_LR_ATTACH_FIXED);
    a->dbid = bj_ld32(b);
    bj_signature_decode(b + 4, &a->signDb);
    a->dbtime = bj_ld64(b + 32);
    a->cbPage = bj_ld32(b + 40);
    a->cbPath = bj_ld16(b + 44);
    NEED(BJ_LR_ATTACH_FIXED + a->cbPath);
    a->path = (const char *)b + 46;
    return JET_errSuccess;
}

uint32_t bj_lr_detach_encode(uint32_t dbid, uint64_t dbtime, uint8_t *buf, uint32_t cap)
{
    if (cap < 12)
        return 0;
    bj_st32(buf, dbid);
    bj_st64(buf + 4, dbtime);
    return 12;
}

JET_ERR bj_lr_detach_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, uint64_t *pdbtime)
{
    NEED(12);
    *pdbid = bj_ld32(b);
    *pdbtime = bj_ld64(b + 4);
    return JET_errSuccess;
}

JET_ERR bj_lr_pgop_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, bj_pgop *op)
{
    NEED(4);
    *pdbid = bj_ld32(b);
    JET_ERR err = bj_pgop_decode(b + 4, cb - 4, op);
    return err < 0 ? BJ_ERR(JET_errLogFileCorrupt) : err;
}

JET_ERR bj_lr_fpi_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, uint32_t *ppgno,
                         const uint8_t **ppage, uint32_t *pcbPage)
{
    NEED(8 + 4096);
    *pdbid = bj_ld32(b);
    *ppgno = bj_ld32(b + 4);
    *ppage = b + 8;
    *pcbPage = cb - 8;
    return JET_errSuccess;
}

uint32_t bj_lr_ver_size(const bj_lr_ver *v)
{
    return BJ_LR_VER_FIXED + v->cbBm + v->cbBefore + v->cbPayload;
}

uint32_t bj_lr_ver_encode(const bj_lr_ver *v, uint8_t *buf, uint32_t cap)
{
    const uint32_t cb = bj_lr_ver_size(v);
    if (cap < cb || v->cbBm > 0xffff)
        return 0;
    bj_st64(buf, v->trxid);
    bj_st64(buf + 8, v->rceid);
    bj_st32(buf + 16, v->dbid);
    bj_st32(buf + 20, v->objid);
    buf[24] = v->kind;
    buf[25] = v->client;
    bj_st16(buf + 26, (uint16_t)v->cbBm);
    bj_st32(buf + 28, v->cbBefore);
    bj_st32(buf + 32, v->delta_off);
    buf[36] = v->delta_size;
    bj_st64(buf + 37, (uint64_t)v->delta);
    bj_st32(buf + 45, v->cbPayload);
    uint8_t *w = buf + BJ_LR_VER_FIXED;
    if (v->cbBm)
        memcpy(w, v->bm, v->cbBm);
    w += v->cbBm;
    if (v->cbBefore)
        memcpy(w, v->before, v->cbBefore);
    w += v->cbBefore;
    if (v->cbPayload)
        memcpy(w, v->payload, v->cbPayload);
    return cb;
}

JET_ERR bj_lr_ver_decode(const uint8_t *b, uint32_t cb, bj_lr_ver *v)
{
    NEED(BJ_LR_VER_FIXED);
    v->trxid = bj_ld64(b);
    v->rceid = bj_ld64(b + 8);
    v->dbid = bj_ld32(b + 16);
    v->objid = bj_ld32(b + 20);
    v->kind = b[24];
    v->client = b[25];
    v->cbBm = bj_ld16(b + 26);
    v->cbBefore = bj_ld32(b + 28);
    v->delta_off = bj_ld32(b + 32);
    v->delta_size = b[36];
    v->delta = (int64_t)bj_ld64(b + 37);
    v->cbPayload = bj_ld32(b + 45);
    const uint64_t total = (uint64_t)BJ_LR_VER_FIXED + v->cbBm + v->cbBefore + v->cbPayload;
    if (total > cb)
        return BJ_ERR(JET_errLogFileCorrupt);
    v->bm = b + BJ_LR_VER_FIXED;
    v->before = v->bm + v->cbBm;
    v->payload = v->before + v->cbBefore;
    return JET_errSuccess;
}

uint32_t bj_lr_undo_encode(uint64_t trxid, uint64_t rceid, uint8_t *buf, uint32_t cap)
{
    if (cap < 16)
        return 0;
    bj_st64(buf, trxid);
    bj_st64(buf + 8, rceid);
    return 16;
}

JET_ERR bj_lr_undo_decode(const uint8_t *b, uint32_t cb, uint64_t *ptrxid, uint64_t *prceid)
{
    NEED(16);
    *ptrxid = bj_ld64(b);
    *prceid = bj_ld64(b + 8);
    return JET_errSuccess;
}

uint32_t bj_lr_commit_encode(uint64_t trxid, uint8_t *buf, uint32_t cap)
{
    if (cap < 8 + BJ_LOGTIME_CB)
        return 0;
    bj_logtime t;
    bj_logtime_now(&t);
    bj_st64(buf, trxid);
    bj_logtime_encode(&t, buf + 8);
    return 8 + BJ_LOGTIME_CB;
}

uint32_t bj_lr_trxend_encode(uint64_t trxid, uint8_t *buf, uint32_t cap)
{
    if (cap < 8)
        return 0;
    bj_st64(buf, trxid);
    return 8;
}

JET_ERR bj_lr_trxid_decode(const uint8_t *b, uint32_t cb, uint64_t *ptrxid)
{
    NEED(8);
    *ptrxid = bj_ld64(b);
    return JET_errSuccess;
}

JET_ERR bj_lr_pgopver_split(const uint8_t *b, uint32_t cb, bj_lrtype *ptype,
                            const uint8_t **pfirst, uint32_t *pcbFirst, const uint8_t **ppgop,
                            uint32_t *pcbPgop)
{
    NEED(5);
    const uint8_t t = b[0];
    const uint32_t cbFirst = bj_ld32(b + 1);
    if (t != BJ_LR_VER && t != BJ_LR_UNDO)
        return BJ_ERR(JET_errLogFileCorrupt);
    if ((uint64_t)cbFirst + 5 > cb)
        return BJ_ERR(JET_errLogFileCorrupt);
    *ptype = (bj_lrtype)t;
    *pfirst = b + 5;
    *pcbFirst = cbFirst;
    *ppgop = b + 5 + cbFirst;
    *pcbPgop = cb - 5 - cbFirst;
    return JET_errSuccess;
}

const char *bj_lr_name(uint32_t type)
{
    static const char *const names[] = {"NOP",    "INIT", "TERM",    "CREATEDB", "ATTACH",
                                        "DETACH", "PGOP", "VER",     "UNDO",     "COMMIT0",
                                        "TRXEND", "PGOP_VER", "FPI",  "EXTEND",
                                        "SMO_IMAGE", "SMO_END", "SMO_UNDO"};
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
