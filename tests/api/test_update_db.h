/* test_update_db.h: shared by the write-path API suites (test_update, test_trx, test_isolation,
 * test_concurrency): lays out a database file with one user table (columns, a primary index or
 * none, secondary indexes, an LV tree) through the engine's internal layers (space + catalog
 * rows), until JetCreateDatabase / JetCreateTable exist; and checks a detached database
 * (bj_bt_check on every tree, index entries = records) the same way.
 */
#ifndef BJ_TEST_UPDATE_DB_H
#define BJ_TEST_UPDATE_DB_H

#include <pthread.h>

#include "buf/buf.h"
#include "cat/cat.h"
#include "esent.h"
#include "page/dbhdr.h"
#include "page/dbhdr_format.h"
#include "page/page.h"
#include "space/space.h"
#include "testlib.h"

typedef struct fx_col {
    const char *name;
    JET_COLUMNID fid;
    JET_COLTYP coltyp;
    uint32_t cbMax;
    uint32_t ffield; /* BJ_FFIELD_* */
    uint16_t cp;
    const void *pvDefault;
    uint32_t cbDefault;
} fx_col;

typedef struct fx_idx {
    const char *name;
    uint32_t fidb;          /* BJ_FIDB_*; BJ_FIDB_PRIMARY for the primary index */
    JET_COLUMNID segs[4];   /* fids; a negative fid... not used: ascending only */
    uint32_t cseg;
} fx_idx;

typedef struct fx_table {
    const char *name;
    const fx_col *cols;
    uint32_t ccol;
    const fx_idx *idx; /* primary (if any) first */
    uint32_t cidx;
} fx_table;

#define FX_OBJID_TABLE 100u
#define FX_NULLS (BJ_FIDB_ALLOW_ALL_NULLS | BJ_FIDB_ALLOW_FIRST_NULL | BJ_FIDB_ALLOW_SOME_NULLS)

static void fx_key_long(uint8_t **pp, int32_t v)
{
    *(*pp)++ = 0x7f;
    bj_st32be(*pp, (uint32_t)v ^ 0x80000000u);
    *pp += 4;
}

/* Inserts one MSysObjects row: (objidTable, type, id) + fields set by the caller in rec. */
static int fx_row(bj_bt_tree *mso, const bj_rec_schema *s, uint8_t *rec, size_t cbRec,
                  uint32_t objidTable, int16_t type, int32_t id)
{
    uint8_t key[16], *p = key;
    fx_key_long(&p, (int32_t)objidTable);
    *p++ = 0x7f;
    bj_st16be(p, (uint16_t)type ^ 0x8000u);
    p += 2;
    fx_key_long(&p, id);
    (void)s;
    return bj_bt_insert(mso, key, (uint32_t)(p - key), rec, (uint32_t)cbRec, 0) < 0 ? -1 : 0;
}

/* Sets one MSO column into rec (in place through a scratch buffer). */
static int fx_set(const bj_rec_schema *s, uint8_t *rec, size_t *pcb, JET_COLUMNID fid,
                  const void *pv, uint32_t cb, uint32_t cbPage)
{
    uint8_t *tmp = malloc(cbPage);
    size_t cbOut = 0;
    JET_ERR err = bj_rec_set(s, rec, *pcb, fid, 1, pv, cb, 0, 0, tmp, cbPage, &cbOut);
    if (err >= 0) {
        memcpy(rec, tmp, cbOut);
        *pcb = cbOut;
    }
    free(tmp);
    return err < 0 ? -1 : 0;
}

static int fx_set32(const bj_rec_schema *s, uint8_t *rec, size_t *pcb, JET_COLUMNID fid,
                    uint32_t v, uint32_t cbPage)
{
    uint8_t b[4];
    bj_st32(b, v);
    return fx_set(s, rec, pcb, fid, b, 4, cbPage);
}

static int fx_set16(const bj_rec_schema *s, uint8_t *rec, size_t *pcb, JET_COLUMNID fid,
                    uint16_t v, uint32_t cbPage)
{
    uint8_t b[2];
    bj_st16(b, v);
    return fx_set(s, rec, pcb, fid, b, 2, cbPage);
}

/* Creates path as a new clean database with table t. 0 on success. */
static int fx_create_db(const char *path, uint32_t cbPage, const fx_table *t)
{
    int rc = -1;
    bj_os *os = bj_os_posix();
    bj_file *file = NULL;
    bj_buf *buf = NULL;
    bj_buf_db *bdb = NULL;
    bj_space_db *sdb = NULL;
    bj_space_fdp *root = NULL, *ftab = NULL, *fmso = NULL;
    bj_bt_dbctx dbc;
    bj_bt_tree mso;
    bool fMso = false;
    bj_rec_schema s;
    bool fS = false;
    uint8_t *rec = malloc(cbPage), *hdr = calloc(1, cbPage);
    if (bj_file_open(os, path, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &file) < 0)
        goto done;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 1024, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &buf) < 0 || bj_buf_db_attach(buf, file, false, &bdb) < 0)
        goto done;
    bj_bt_dbctx_init(&dbc, bdb, cbPage, 1);
    if (bj_space_db_open(&dbc, file, 0, &sdb) < 0 || bj_space_create_db(sdb, 0) < 0)
        goto done;
    if (bj_space_fdp_open(sdb, BJ_PGNO_SYSTEM_ROOT, &root) < 0)
        goto done;
    uint32_t pgnoT, objid = FX_OBJID_TABLE;
    if (bj_space_create_fdp(root, 16, objid, 0, 0, 0, &pgnoT) < 0)
        goto done;
    if (bj_space_fdp_open(sdb, pgnoT, &ftab) < 0 || bj_space_fdp_open(sdb, 4, &fmso) < 0)
        goto done;
    bj_bt_alloc alloc = bj_space_fdp_allocator(fmso);
    if (bj_bt_open(&mso, &dbc, 4, 2, ~0u, &alloc) < 0)
        goto done;
    fMso = true;
    if (bj_cat_mso_schema(&s, cbPage) < 0)
        goto done;
    fS = true;
    size_t cb;
    /* table row */
    if (bj_rec_init_insert(&s, rec, cbPage, &cb) < 0 || fx_set32(&s, rec, &cb, 1, objid, cbPage) ||
        fx_set16(&s, rec, &cb, 2, 1, cbPage) || fx_set32(&s, rec, &cb, 3, objid, cbPage) ||
        fx_set32(&s, rec, &cb, 4, pgnoT, cbPage) || fx_set32(&s, rec, &cb, 5, 80, cbPage) ||
        fx_set32(&s, rec, &cb, 6, 0, cbPage) || fx_set32(&s, rec, &cb, 7, 16, cbPage) ||
        fx_set(&s, rec, &cb, 128, t->name, (uint32_t)strlen(t->name), cbPage) ||
        fx_row(&mso, &s, rec, cb, objid, 1, (int32_t)objid))
        goto done;
    /* columns: fixed offsets cumulative */
    uint32_t ib = 4;
    for (uint32_t i = 0; i < t->ccol; i++) {
        const fx_col *c = &t->cols[i];
        if (bj_rec_init_insert(&s, rec, cbPage, &cb) < 0 ||
            fx_set32(&s, rec, &cb, 1, objid, cbPage) || fx_set16(&s, rec, &cb, 2, 2, cbPage) ||
            fx_set32(&s, rec, &cb, 3, c->fid, cbPage) ||
            fx_set32(&s, rec, &cb, 4, c->coltyp, cbPage) ||
            fx_set32(&s, rec, &cb, 5, c->cbMax, cbPage) ||
            fx_set32(&s, rec, &cb, 6, c->ffield | (c->pvDefault ? BJ_FFIELD_DEFAULT : 0), cbPage) ||
            fx_set32(&s, rec, &cb, 7, c->cp, cbPage) ||
            fx_set(&s, rec, &cb, 128, c->name, (uint32_t)strlen(c->name), cbPage))
            goto done;
        if (c->fid <= BJ_REC_FID_FIXED_LAST) {
            if (fx_set16(&s, rec, &cb, 9, (uint16_t)ib, cbPage))
                goto done;
            uint32_t w = bj_rec_coltyp_width(c->coltyp);
            ib += w ? w : c->cbMax;
        }
        if (c->pvDefault && fx_set(&s, rec, &cb, 131, c->pvDefault, c->cbDefault, cbPage))
            goto done;
        if (fx_row(&mso, &s, rec, cb, objid, 2, (int32_t)c->fid))
            goto done;
    }
    /* indexes */
    for (uint32_t i = 0; i < t->cidx; i++) {
        const fx_idx *x = &t->idx[i];
        uint32_t pgnoX = pgnoT, objidX = objid;
        if (!(x->fidb & BJ_FIDB_PRIMARY)) {
            objidX = objid + 1 + i;
            uint32_t btf = BJ_BT_INDEX | ((x->fidb & BJ_FIDB_UNIQUE) ? 0 : BJ_BT_NON_UNIQUE);
            if (bj_space_create_fdp(ftab, 4, objidX, btf, 0, 0, &pgnoX) < 0)
                goto done;
        }
        uint8_t segs[16];
        for (uint32_t k = 0; k < x->cseg; k++) {
            segs[4 * k] = 0;
            segs[4 * k + 1] = 0;
            bj_st16(segs + 4 * k + 2, (uint16_t)x->segs[k]);
        }
        if (bj_rec_init_insert(&s, rec, cbPage, &cb) < 0 ||
            fx_set32(&s, rec, &cb, 1, objid, cbPage) || fx_set16(&s, rec, &cb, 2, 3, cbPage) ||
            fx_set32(&s, rec, &cb, 3, objidX, cbPage) || fx_set32(&s, rec, &cb, 4, pgnoX, cbPage) ||
            fx_set32(&s, rec, &cb, 5, 80, cbPage) ||
            fx_set32(&s, rec, &cb, 6, x->fidb | (BJ_FIDX_EXTENDED_COLUMNS << 16), cbPage) ||
            fx_set32(&s, rec, &cb, 7, 1033, cbPage) || fx_set32(&s, rec, &cb, 10, 0x30401, cbPage) ||
            fx_set16(&s, rec, &cb, 11, 255, cbPage) ||
            fx_set(&s, rec, &cb, 128, x->name, (uint32_t)strlen(x->name), cbPage) ||
            fx_set(&s, rec, &cb, 132, segs, 4 * x->cseg, cbPage) ||
            fx_row(&mso, &s, rec, cb, objid, 3, (int32_t)objidX))
            goto done;
    }
    /* LV tree */
    {
        uint32_t pgnoLV, objidLV = objid + 50;
        if (bj_space_create_fdp(ftab, 4, objidLV, BJ_BT_LONG_VALUE, 0, 0, &pgnoLV) < 0)
            goto done;
        if (bj_rec_init_insert(&s, rec, cbPage, &cb) < 0 ||
            fx_set32(&s, rec, &cb, 1, objid, cbPage) || fx_set16(&s, rec, &cb, 2, 4, cbPage) ||
            fx_set32(&s, rec, &cb, 3, objidLV, cbPage) ||
            fx_set32(&s, rec, &cb, 4, pgnoLV, cbPage) ||
            fx_set(&s, rec, &cb, 128, "LV", 2, cbPage) ||
            fx_row(&mso, &s, rec, cb, objid, 4, (int32_t)objidLV))
            goto done;
    }
    rc = 0;
done:
    if (fS)
        bj_rec_schema_free(&s);
    if (fMso)
        bj_bt_close(&mso);
    bj_space_fdp_close(fmso);
    bj_space_fdp_close(ftab);
    bj_space_fdp_close(root);
    bj_space_db_close(sdb);
    uint64_t dbtime = bj_bt_dbctx_dbtime(&dbc);
    if (bdb && bj_buf_db_detach(bdb, rc != 0) < 0)
        rc = -1;
    bj_buf_close(buf);
    if (rc == 0) {
        bj_dbhdr h;
        memset(&h, 0, sizeof h);
        h.magic = BJ_DBH_MAGIC;
        h.version = BJ_DBH_VERSION;
        h.updateMajor = 0x14;
        h.createVersion = BJ_DBH_VERSION;
        h.createUpdate = 0x14;
        h.dbtime = dbtime;
        h.dbstate = 3;
        h.cbPageSize = cbPage;
        h.objidLast = FX_OBJID_TABLE + 60;
        if (bj_dbhdr_encode(&h, hdr, cbPage) < 0 || bj_file_write(file, 0, hdr, cbPage) < 0 ||
            bj_file_write(file, cbPage, hdr, cbPage) < 0 || bj_file_sync(file) < 0)
            rc = -1;
    }
    if (file)
        bj_file_close(file);
    free(rec);
    free(hdr);
    return rc;
}

/* Checks a detached database: every tree of every table passes bj_bt_check, and every index
 * has exactly one live entry per record that belongs in it (nonnull == the expected count
 * of entries when known, else the record count). *pcrec = live records. 0 when clean. */
static int fx_check_db(const char *path, uint32_t cbPage, uint64_t *pcrec, uint64_t *rgcent,
                       uint32_t cidxMax)
{
    int rc = -1;
    bj_os *os = bj_os_posix();
    bj_file *file = NULL;
    bj_buf *buf = NULL;
    bj_buf_db *bdb = NULL;
    bj_cat *cat = NULL;
    bj_bt_dbctx dbc;
    if (bj_file_open(os, path, BJ_OPEN_READONLY, &file) < 0)
        goto done;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 1024, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &buf) < 0 || bj_buf_db_attach(buf, file, true, &bdb) < 0)
        goto done;
    bj_bt_dbctx_init(&dbc, bdb, cbPage, 1);
    if (bj_cat_load(&dbc, &cat) < 0)
        goto done;
    const bj_cat_table *t = bj_cat_table_by_objid(cat, FX_OBJID_TABLE);
    if (!t)
        goto done;
    rc = 0;
    for (uint32_t i = 0; i < t->cidx + 2 && rc == 0; i++) {
        uint32_t pgno = i < t->cidx ? t->rgidx[i].pgnoFDP : (i == t->cidx ? t->pgnoFDP : t->pgnoLV);
        bj_bt_tree tr;
        if (bj_bt_open(&tr, &dbc, pgno, 0, ~0u, NULL) < 0) {
            rc = -1;
            break;
        }
        uint64_t n = 0;
        if (bj_bt_check(&tr, NULL, NULL) < 0 || bj_bt_count(&tr, true, &n) < 0)
            rc = -1;
        if (i < t->cidx && i < cidxMax)
            rgcent[i] = n;
        if (i == t->cidx)
            *pcrec = n;
        bj_bt_close(&tr);
    }
done:
    bj_cat_release(cat);
    if (bdb)
        bj_buf_db_detach(bdb, true);
    bj_buf_close(buf);
    if (file)
        bj_file_close(file);
    return rc;
}

#endif /* BJ_TEST_UPDATE_DB_H */
