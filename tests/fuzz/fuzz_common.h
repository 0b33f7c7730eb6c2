/* fuzz_common.h: helpers shared by the libFuzzer targets and the seed extractor of tests/fuzz:
 * a bounds-checked reader over the fuzz input, the page-size selector, the encoding of a record
 * schema inside a fuzz input (so fuzz_rec builds its schema from the input), and opening a
 * database file read-only below the API (buffer cache + B-tree context).
 * Header-only (static functions): each target is one translation unit. No state, no locks.
 */
#ifndef BJ_FUZZ_COMMON_H
#define BJ_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btree/btree.h"
#include "buf/buf.h"
#include "common/common.h"
#include "os/os.h"
#include "page/page.h"
#include "rec/rec.h"

/* ---- input reader: every read past the end yields zeros and marks the reader empty ---- */

typedef struct fz_in {
    const uint8_t *p;
    size_t cb, ib;
} fz_in;

static inline void fz_init(fz_in *in, const uint8_t *p, size_t cb)
{
    in->p = p;
    in->cb = cb;
    in->ib = 0;
}
static inline size_t fz_left(const fz_in *in)
{
    return in->cb - in->ib;
}
static inline uint32_t fz_u8(fz_in *in)
{
    return in->ib < in->cb ? in->p[in->ib++] : 0;
}
static inline uint32_t fz_u16(fz_in *in)
{
    uint32_t lo = fz_u8(in);
    return lo | (fz_u8(in) << 8);
}
static inline uint32_t fz_u32(fz_in *in)
{
    uint32_t lo = fz_u16(in);
    return lo | (fz_u16(in) << 16);
}
/* Up to cb bytes (fewer at the end of the input); *pcb = how many. */
static inline const uint8_t *fz_bytes(fz_in *in, size_t cb, size_t *pcb)
{
    const uint8_t *p = in->p + in->ib;
    if (cb > fz_left(in))
        cb = fz_left(in);
    in->ib += cb;
    *pcb = cb;
    return p;
}

/* Page size from a selector byte: 2/4/8/16/32 KiB. */
static inline uint32_t fz_page_size(uint32_t sel)
{
    static const uint32_t sizes[5] = {2048, 4096, 8192, 16384, 32768};
    return sizes[sel % 5];
}
/* The selector of a page size (inverse of fz_page_size). */
static inline uint8_t fz_page_sel(uint32_t cbPage)
{
    return cbPage == 2048 ? 0 : cbPage == 4096 ? 1 : cbPage == 8192 ? 2 : cbPage == 16384 ? 3 : 4;
}

/* ---- schema encoding: u8 page selector, u8 ccol, then per column
 * u32 columnid, u8 coltyp, u32 cbMax, u32 grbit, u16 cp, u8 cbDefault, default bytes ---- */

#define FZ_SCHEMA_COL_FIXED 16u

/* Builds a schema from the input; false when the input describes no usable schema (the
 * schema is then freed). */
static inline bool fz_schema_read(fz_in *in, bj_rec_schema *s)
{
    uint32_t cbPage = fz_page_size(fz_u8(in));
    if (cbPage < 4096)
        cbPage = 4096;
    if (bj_rec_schema_init(s, cbPage) < 0)
        return false;
    uint32_t ccol = fz_u8(in);
    for (uint32_t i = 0; i < ccol && fz_left(in) >= FZ_SCHEMA_COL_FIXED; i++) {
        bj_rec_column c;
        memset(&c, 0, sizeof c);
        c.columnid = fz_u32(in);
        c.coltyp = (JET_COLTYP)(fz_u8(in) % 20);
        c.cbMax = fz_u32(in);
        c.grbit = fz_u32(in);
        c.cp = (uint16_t)fz_u16(in);
        size_t cbDef;
        const uint8_t *def = fz_bytes(in, fz_u8(in), &cbDef);
        if (cbDef) {
            c.pvDefault = def;
            c.cbDefault = (uint32_t)cbDef;
        }
        (void)bj_rec_schema_add(s, &c); /* bad columns are skipped, as a reader would refuse */
    }
    if (bj_rec_schema_finish(s) < 0) {
        bj_rec_schema_free(s);
        return false;
    }
    return true;
}

/* Appends one column's encoding to buf (cap bytes) at *pib; false when it does not fit. */
static inline bool fz_schema_put_col(uint8_t *buf, size_t cap, size_t *pib, const bj_rec_column *c)
{
    uint32_t cbDef = c->pvDefault ? (c->cbDefault > 255 ? 255 : c->cbDefault) : 0;
    if (*pib + FZ_SCHEMA_COL_FIXED + cbDef > cap)
        return false;
    uint8_t *p = buf + *pib;
    bj_st32(p, c->columnid);
    p[4] = (uint8_t)c->coltyp;
    bj_st32(p + 5, c->cbMax);
    bj_st32(p + 9, c->grbit);
    bj_st16(p + 13, c->cp);
    p[15] = (uint8_t)cbDef;
    if (cbDef)
        memcpy(p + 16, c->pvDefault, cbDef);
    *pib += FZ_SCHEMA_COL_FIXED + cbDef;
    return true;
}

/* ---- a database file opened read-only below the API ---- */

typedef struct fz_db {
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
} fz_db;

static inline JET_ERR fz_db_open(fz_db *d, const char *path, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    memset(d, 0, sizeof(*d));
    CALL(bj_file_open(bj_os_posix(), path, BJ_OPEN_READONLY, &d->file));
    bj_buf_config cfg = {.cbPage = cbPage, .cFrames = 256, .verify = bj_page_verify};
    CALL(bj_buf_open(&cfg, &d->buf));
    CALL(bj_buf_db_attach(d->buf, d->file, true, &d->db));
    bj_bt_dbctx_init(&d->dbc, d->db, cbPage, 0);
fail:
    return err;
}

static inline void fz_db_close(fz_db *d)
{
    if (d->db)
        bj_buf_db_detach(d->db, true);
    if (d->buf)
        bj_buf_close(d->buf);
    if (d->file)
        bj_file_close(d->file);
    memset(d, 0, sizeof(*d));
}

#endif /* BJ_FUZZ_COMMON_H */
