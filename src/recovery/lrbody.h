/* lrbody.h: layer 8, the bodies of the log records the engine writes (log.h stores a type and
 * opaque bytes; this file says what the bytes are), encoded and decoded in one place so the
 * writer (inst_log.c) and recovery (redo.c, inst_recover.c) agree. Little-endian fields.
 *
 *   INIT     u32 version, logtime
 *   TERM     (empty)
 *   ATTACH   u32 dbid, signature signDb (28), u64 dbtime, u32 cbPage, u16 cbPath, path bytes
 *   DETACH   u32 dbid, u64 dbtime
 *   PGOP     u32 dbid, encoded bj_pgop (bj_pgop_encode)
 *   FPI      u32 dbid, u32 pgno, page bytes (the rest of the body)
 *   VER      u64 trxid, u64 rceid, u32 dbid, u32 objid, u8 kind, u8 client, u16 cbBm,
 *            u32 cbBefore, u32 delta_off, u8 delta_size, i64 delta, u32 cbPayload,
 *            bookmark, before-image, payload
 *   UNDO     u64 trxid, u64 rceid
 *   COMMIT0  u64 trxid, logtime
 *   TRXEND   u64 trxid
 *   SMO_IMAGE u32 dbid, u32 pgno, u64 smoid, page bytes
 *   SMO_END  u32 dbid, u64 smoid
 *   SMO_UNDO u32 dbid, u32 pgno, u64 smoid, encoded bj_pgop (the inverse of the next change)
 *   EXTEND   u32 dbid, u32 cpg (the database's size in pages after the growth)
 *   PGOP_VER u8 type of the first part (VER or UNDO), u32 its size, that body, then a PGOP body
 * Decoders validate every length against the body size: JET_errLogFileCorrupt when malformed.
 */
#ifndef BJ_LRBODY_H
#define BJ_LRBODY_H

#include "log/log.h"
#include "page/pgop.h"

#define BJ_LR_VERSION 1u

typedef struct bj_lr_attach {
    uint32_t dbid;
    bj_signature signDb;
    uint64_t dbtime;
    uint32_t cbPage;
    const char *path; /* not NUL-terminated in a decoded record: use cbPath */
    uint32_t cbPath;
} bj_lr_attach;

typedef struct bj_lr_ver {
    uint64_t trxid, rceid;
    uint32_t dbid, objid;
    uint8_t kind, client;
    const uint8_t *bm;
    uint32_t cbBm;
    const uint8_t *before;
    uint32_t cbBefore;
    uint32_t delta_off;
    uint8_t delta_size;
    int64_t delta;
    const uint8_t *payload;
    uint32_t cbPayload;
} bj_lr_ver;

#define BJ_LR_VER_FIXED 49u
#define BJ_LR_ATTACH_FIXED 46u

/* Encoders write into buf (cap bytes) and return the size, 0 when cap is short. */
uint32_t bj_lr_init_encode(uint8_t *buf, uint32_t cap);
uint32_t bj_lr_attach_encode(const bj_lr_attach *a, uint8_t *buf, uint32_t cap);
uint32_t bj_lr_detach_encode(uint32_t dbid, uint64_t dbtime, uint8_t *buf, uint32_t cap);
uint32_t bj_lr_ver_size(const bj_lr_ver *v);
uint32_t bj_lr_ver_encode(const bj_lr_ver *v, uint8_t *buf, uint32_t cap);
uint32_t bj_lr_undo_encode(uint64_t trxid, uint64_t rceid, uint8_t *buf, uint32_t cap);
uint32_t bj_lr_commit_encode(uint64_t trxid, uint8_t *buf, uint32_t cap);
uint32_t bj_lr_trxend_encode(uint64_t trxid, uint8_t *buf, uint32_t cap);

JET_ERR bj_lr_attach_decode(const uint8_t *b, uint32_t cb, bj_lr_attach *a);
JET_ERR bj_lr_detach_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, uint64_t *pdbtime);
/* PGOP: *pdbid and the op (pointing into b). */
JET_ERR bj_lr_pgop_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, bj_pgop *op);
/* FPI: *pdbid, *ppgno, the page (*ppage points into b, *pcbPage its size). */
JET_ERR bj_lr_fpi_decode(const uint8_t *b, uint32_t cb, uint32_t *pdbid, uint32_t *ppgno,
                         const uint8_t **ppage, uint32_t *pcbPage);
JET_ERR bj_lr_ver_decode(const uint8_t *b, uint32_t cb, bj_lr_ver *v);
JET_ERR bj_lr_undo_decode(const uint8_t *b, uint32_t cb, uint64_t *ptrxid, uint64_t *prceid);
/* COMMIT0 / TRXEND: the transaction id. */
JET_ERR bj_lr_trxid_decode(const uint8_t *b, uint32_t cb, uint64_t *ptrxid);
/* PGOP_VER: the first part's type (BJ_LR_VER or BJ_LR_UNDO) and body, and the PGOP body. */
JET_ERR bj_lr_pgopver_split(const uint8_t *b, uint32_t cb, bj_lrtype *ptype,
                            const uint8_t **pfirst, uint32_t *pcbFirst, const uint8_t **ppgop,
                            uint32_t *pcbPgop);

/* The record type's name ("PGOP", ...) for tools. */
const char *bj_lr_name(uint32_t type);

#endif /* BJ_LRBODY_H */
