/* redo.c: the scan and redo passes of crash recovery (see redo.h).
 *
 * Rules per record (pass 2), for a database open for redo:
 *   FPI     the page image replaces the page when the page cannot be read (torn, zero, past
 *           the end of the file) or is older (dbtime) than the image;
 *   PGOP    applied when the page's dbtime is older than the op's dbtimeAfter (bj_page_apply
 *           then checks dbtimeBefore: JET_errDbTimeCorrupted when the page is not the state
 *           the op was built on); an INIT op also applies to an unreadable page;
 *   SMO_IMAGE / SMO_UNDO (a page image applied as FPI / an inverse op), kept until SMO_END:
 *           a structure modification whose end is not in the log is taken back after the
 *           last record, newest change first (the tree as it was before it; pages it
 *           allocated stay allocated);
 *   EXTEND  the file grows to the logged size;
 *   ATTACH / DETACH open and close databases (a detach flushes and marks the file clean);
 *   VER / UNDO / COMMIT0 / TRXEND / INIT keep the table of unfinished transactions.
 * Pages changed by redo are dirty in the cache with the record's position (the log is already
 * durable, so the WAL rule holds) and are flushed at the end.
 * Not thread-safe: one recovery per instance, before the instance is in use.
 */
#include "recovery/redo.h"

#include <stdio.h>

#include "os/os.h"
#include "page/page.h"
#include "page/pgop.h"

/* ---- database headers ---- */

JET_ERR bj_redo_hdr_read(bj_file *f, bj_dbhdr *h, uint32_t *pcbPage)
{
    JET_ERR err = JET_errSuccess;
    size_t cb = 0;
    bool shadow;
    uint8_t *b = bj_malloc(2 * 32768);
    if (!b)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_read(f, 0, b, 2 * 32768, &cb));
    CALL(bj_dbhdr_choose(b, cb, pcbPage, h, &shadow));
fail:
    bj_free(b);
    return err;
}

JET_ERR bj_redo_hdr_write(bj_file *f, const bj_dbhdr *h, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *pg = bj_calloc(1, cbPage);
    if (!pg)
        ERR(JET_errOutOfMemory);
    CALL(bj_dbhdr_encode(h, pg, cbPage));
    CALL(bj_file_write(f, 0, pg, cbPage));
    CALL(bj_file_write(f, cbPage, pg, cbPage));
    CALL(bj_file_sync(f));
fail:
    bj_free(pg);
    return err;
}

/* ---- transactions ---- */

static bj_redo_trx *trx_find(bj_redo *r, uint64_t trxid, bool fCreate)
{
    for (uint32_t i = 0; i < r->ctrx; i++)
        if (r->rgtrx[i].trxid == trxid)
            return &r->rgtrx[i];
    if (!fCreate)
        return NULL;
    if (r->ctrx == r->ctrxAlloc) {
        uint32_t n = r->ctrxAlloc ? 2 * r->ctrxAlloc : 16;
        bj_redo_trx *rg = bj_realloc(r->rgtrx, n * sizeof(*rg));
        if (!rg)
            return NULL;
        r->rgtrx = rg;
        r->ctrxAlloc = n;
    }
    bj_redo_trx *t = &r->rgtrx[r->ctrx++];
    memset(t, 0, sizeof(*t));
    t->trxid = trxid;
    return t;
}

static void trx_drop(bj_redo *r, uint64_t trxid)
{
    for (uint32_t i = 0; i < r->ctrx; i++)
        if (r->rgtrx[i].trxid == trxid) {
            bj_redo_trx *t = &r->rgtrx[i];
            for (uint32_t j = 0; j < t->c; j++)
                bj_free(t->rg[j].body);
            bj_free(t->rg);
            memmove(t, t + 1, (r->ctrx - i - 1) * sizeof(*t)); /* keep first-record order */
            r->ctrx--;
            return;
        }
}

static void trx_drop_all(bj_redo *r)
{
    while (r->ctrx)
        trx_drop(r, r->rgtrx[r->ctrx - 1].trxid);
}

static JET_ERR on_ver(bj_redo *r, const uint8_t *b, uint32_t cb)
{
    bj_lr_ver v;
    JET_ERR err = bj_lr_ver_decode(b, cb, &v);
    if (err < 0)
        return err;
    bj_redo_trx *t = trx_find(r, v.trxid, true);
    if (!t)
        return BJ_ERR(JET_errOutOfMemory);
    if (t->c == t->cAlloc) {
        uint32_t n = t->cAlloc ? 2 * t->cAlloc : 8;
        bj_redo_rce *rg = bj_realloc(t->rg, n * sizeof(*rg));
        if (!rg)
            return BJ_ERR(JET_errOutOfMemory);
        t->rg = rg;
        t->cAlloc = n;
    }
    uint8_t *copy = bj_malloc(cb);
    if (!copy)
        return BJ_ERR(JET_errOutOfMemory);
    memcpy(copy, b, cb);
    t->rg[t->c++] = (bj_redo_rce){v.rceid, copy, cb};
    return JET_errSuccess;
}

static JET_ERR on_undo(bj_redo *r, const uint8_t *b, uint32_t cb)
{
    uint64_t trxid, rceid;
    JET_ERR err = bj_lr_undo_decode(b, cb, &trxid, &rceid);
    if (err < 0)
        return err;
    bj_redo_trx *t = trx_find(r, trxid, false);
    if (!t)
        return JET_errSuccess;
    for (uint32_t i = 0; i < t->c; i++)
        if (t->rg[i].rceid == rceid) {
            bj_free(t->rg[i].body);
            memmove(&t->rg[i], &t->rg[i + 1], (t->c - i - 1) * sizeof(t->rg[0]));
            t->c--;
            break;
        }
    return JET_errSuccess;
}

/* ---- databases ---- */

uint64_t bj_logtime_key(const bj_logtime *t)
{
    const uint32_t ms = ((uint32_t)(t->filler1 >> 1) & 0x7fu) | (((uint32_t)(t->filler2 >> 1) & 0x7u) << 7);
    return ((((((uint64_t)t->year_since_1900 * 16 + t->month) * 32 + t->day) * 32 + t->hour) * 64 +
             t->min) * 64 + t->sec) * 1024 + ms;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The file redo uses for the database the log names path (cbPath bytes) with signDb into
 * out: its map entry's, else the path itself; false when the map is exclusive and has no
 * entry. */
static bool map_path(const bj_redo_config *cfg, const char *path, uint32_t cbPath,
                     const bj_signature *signDb, char *out, size_t cbOut)
{
    char sz[1024];
    if (cbPath >= sizeof sz)
        return false;
    memcpy(sz, path, cbPath);
    sz[cbPath] = 0;
    for (uint32_t i = 0; i < cfg->cmap; i++) {
        const bj_redo_map *m = &cfg->rgmap[i];
        bool f;
        if (!m->szFrom)
            f = m->fBySign && memcmp(&m->signDb, signDb, sizeof(*signDb)) == 0;
        else
            f = m->fBaseName ? strcmp(base_name(m->szFrom), base_name(sz)) == 0
                             : strcmp(m->szFrom, sz) == 0;
        if (f && strlen(m->szTo) < cbOut) {
            strcpy(out, m->szTo);
            return true;
        }
    }
    if (cfg->fMapOnly || cbPath >= cbOut)
        return false;
    strcpy(out, sz);
    return true;
}

static JET_ERR db_close(bj_redo *r, bj_redo_db *d, bool fClean)
{
    JET_ERR err = JET_errSuccess;
    (void)r;
    if (!d->fOpen)
        return JET_errSuccess;
    bj_dbhdr h;
    uint32_t cbPage;
    CALL(bj_buf_flush_db(d->bdb));
    CALL(bj_redo_hdr_read(d->file, &h, &cbPage));
    if (d->dbtime > h.dbtime)
        h.dbtime = d->dbtime;
    if (fClean) {
        h.dbstate = BJ_DBSTATE_CLEAN_SHUTDOWN;
        h.genMinRequired = h.genMaxRequired = 0;
    }
    CALL(bj_redo_hdr_write(d->file, &h, cbPage));
    CALL(bj_buf_db_detach(d->bdb, false));
    d->bdb = NULL;
    bj_file_close(d->file);
    d->file = NULL;
    d->fOpen = false;
fail:
    return err;
}

/* Opens (for redo) the database the log knows as dbid at path with signDb; a missing file
 * or another database there: its changes are skipped (fMissing). */
static JET_ERR db_open(bj_redo *r, const bj_redo_config *cfg, uint32_t dbid, const char *path,
                       uint32_t cbPath, const bj_signature *signDb)
{
    JET_ERR err = JET_errSuccess;
    char szMapped[1024];
    if (dbid >= BJ_LOG_ATTACH_MAX || cbPath >= sizeof(r->rgdb[0].path))
        return BJ_ERR(JET_errLogFileCorrupt);
    bj_redo_db *d = &r->rgdb[dbid];
    const bool fMapped = map_path(cfg, path, cbPath, signDb, szMapped, sizeof szMapped);
    if (d->fOpen && fMapped && strcmp(d->path, szMapped) == 0 &&
        memcmp(&d->signDb, signDb, sizeof(*signDb)) == 0)
        return JET_errSuccess; /* already open (checkpoint list, then ATTACH) */
    CALL(db_close(r, d, false));
    memset(d, 0, sizeof(*d));
    d->fUsed = true;
    d->dbid = dbid;
    d->signDb = *signDb;
    if (!fMapped) { /* not restored: its changes are skipped */
        memcpy(d->path, path, cbPath);
        d->fMissing = true;
        return JET_errSuccess;
    }
    strcpy(d->path, szMapped);
    bool fExists = false, fDir = false;
    CALL(bj_os_stat(cfg->os, d->path, &fExists, &fDir, NULL));
    if (!fExists || fDir) {
        d->fMissing = true;
        return JET_errSuccess;
    }
    CALL(bj_file_open(cfg->os, d->path, BJ_OPEN_LOCK, &d->file));
    bj_dbhdr h;
    uint32_t cbPage = 0;
    err = bj_redo_hdr_read(d->file, &h, &cbPage);
    if (err < 0 || memcmp(&h.signDb, signDb, sizeof(*signDb)) != 0) {
        bj_file_close(d->file); /* not the database the log changed */
        d->file = NULL;
        d->fMissing = true;
        return JET_errSuccess;
    }
    if (cbPage != cfg->cbPage)
        ERR(JET_errPageSizeMismatch);
    d->dbtime = h.dbtime;
    CALL(bj_buf_db_attach(cfg->buf, d->file, false, &d->bdb));
    d->fOpen = true;
fail:
    if (err < 0 && d->file && !d->fOpen) {
        bj_file_close(d->file);
        d->file = NULL;
    }
    return err;
}

static bj_redo_db *db_of(bj_redo *r, uint32_t dbid)
{
    if (dbid >= BJ_LOG_ATTACH_MAX || !r->rgdb[dbid].fOpen)
        return NULL;
    return &r->rgdb[dbid];
}

static JET_ERR grow(bj_redo_db *d, uint32_t cpg, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    if (cpg > bj_buf_db_size(d->bdb)) {
        CALL(bj_file_set_size(d->file, ((uint64_t)cpg + 2) * cbPage));
        bj_buf_db_set_size(d->bdb, cpg);
    }
fail:
    return err;
}

/* ---- page records ---- */

/* Latches pgno for redo; *pfUnreadable when its disk copy cannot be used (then the frame is a
 * zeroed new page, only for callers that replace the whole page: fWhole). */
static JET_ERR page_get(bj_redo_db *d, uint32_t pgno, uint32_t cbPage, bool fWhole,
                        bj_frame **pfr, bool *pfUnreadable)
{
    JET_ERR err = JET_errSuccess;
    *pfUnreadable = false;
    if (pgno == 0 || pgno > 0x7fffffffu)
        return BJ_ERR(JET_errLogFileCorrupt);
    if (fWhole)
        CALL(grow(d, pgno, cbPage));
    err = bj_buf_get(d->bdb, pgno, BJ_LATCH_EXCLUSIVE, pfr);
    if (err >= 0)
        return err;
    if (!fWhole || err == JET_errOutOfMemory || err == JET_errOutOfBuffers ||
        err == JET_errDiskIO)
        goto fail;
    *pfUnreadable = true; /* torn, zero or never written: the record supplies the page */
    err = bj_buf_new(d->bdb, pgno, pfr);
fail:
    return err;
}

static JET_ERR redo_pgop(bj_redo *r, const uint8_t *b, uint32_t cb, bj_lsn lsn, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    uint32_t dbid;
    bj_pgop op;
    bj_frame *fr = NULL;
    bool fUnreadable;
    CALL(bj_lr_pgop_decode(b, cb, &dbid, &op));
    bj_redo_db *d = db_of(r, dbid);
    if (!d)
        return JET_errSuccess;
    if (op.dbtimeAfter > d->dbtime)
        d->dbtime = op.dbtimeAfter;
    CALL(page_get(d, op.pgno, cbPage, op.kind == BJ_PGOP_INIT, &fr, &fUnreadable));
    uint8_t *pg = bj_frame_data(fr);
    if (!fUnreadable && bj_page_dbtime(pg) >= op.dbtimeAfter)
        goto fail; /* the page already has it */
    CALL(bj_page_apply(pg, cbPage, &op));
    bj_buf_dirty(fr, lsn);
    r->cApplied++;
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* Puts image (the page pgno of d as a record saw it) on the page when the page cannot be read
 * or is older; fForce: always (an unfinished SMO taken back). */
static JET_ERR put_image(bj_redo *r, bj_redo_db *d, uint32_t pgno, const uint8_t *image,
                         bj_lsn lsn, uint32_t cbPage, bool fForce)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    bool fUnreadable;
    const uint64_t dbtime = bj_page_dbtime(image);
    if (dbtime > d->dbtime)
        d->dbtime = dbtime;
    CALL(page_get(d, pgno, cbPage, true, &fr, &fUnreadable));
    uint8_t *pg = bj_frame_data(fr);
    if (!fForce && !fUnreadable && bj_page_dbtime(pg) >= dbtime)
        goto fail;
    memcpy(pg, image, cbPage);
    bj_buf_dirty(fr, lsn);
    r->cApplied++;
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

static JET_ERR redo_fpi(bj_redo *r, const uint8_t *b, uint32_t cb, bj_lsn lsn, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    uint32_t dbid, pgno, cbImage;
    const uint8_t *image;
    CALL(bj_lr_fpi_decode(b, cb, &dbid, &pgno, &image, &cbImage));
    bj_redo_db *d = db_of(r, dbid);
    if (!d)
        return JET_errSuccess;
    if (cbImage != cbPage)
        ERR(JET_errLogFileCorrupt);
    CALL(put_image(r, d, pgno, image, lsn, cbPage, false));
fail:
    return err;
}

/* Keeps an undo entry of an SMO (a copy of bytes). */
static JET_ERR smo_keep(bj_redo *r, uint64_t smoid, uint32_t dbid, uint32_t pgno, bool fOp,
                        const uint8_t *bytes, uint32_t cb)
{
    if (r->csmo == r->csmoAlloc) {
        uint32_t n = r->csmoAlloc ? 2 * r->csmoAlloc : 16;
        bj_redo_smo *rg = bj_realloc(r->rgsmo, n * sizeof(*rg));
        if (!rg)
            return BJ_ERR(JET_errOutOfMemory);
        r->rgsmo = rg;
        r->csmoAlloc = n;
    }
    uint8_t *copy = bj_malloc(cb);
    if (!copy)
        return BJ_ERR(JET_errOutOfMemory);
    memcpy(copy, bytes, cb);
    r->rgsmo[r->csmo++] = (bj_redo_smo){smoid, dbid, pgno, fOp, copy, cb};
    return JET_errSuccess;
}

static JET_ERR redo_smo_image(bj_redo *r, const uint8_t *b, uint32_t cb, bj_lsn lsn,
                              uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    if (cb != 16 + cbPage)
        return BJ_ERR(JET_errLogFileCorrupt);
    const uint32_t dbid = bj_ld32(b), pgno = bj_ld32(b + 4);
    const uint64_t smoid = bj_ld64(b + 8);
    const uint8_t *image = b + 16;
    bj_redo_db *d = db_of(r, dbid);
    if (!d)
        return JET_errSuccess;
    CALL(put_image(r, d, pgno, image, lsn, cbPage, false));
    CALL(smo_keep(r, smoid, dbid, pgno, false, image, cbPage));
fail:
    return err;
}

static JET_ERR redo_smo_undo(bj_redo *r, const uint8_t *b, uint32_t cb)
{
    bj_pgop op;
    if (cb < 17 || bj_pgop_decode(b + 16, cb - 16, &op) < 0)
        return BJ_ERR(JET_errLogFileCorrupt);
    const uint32_t dbid = bj_ld32(b), pgno = bj_ld32(b + 4);
    if (!db_of(r, dbid))
        return JET_errSuccess;
    return smo_keep(r, bj_ld64(b + 8), dbid, pgno, true, b + 16, cb - 16);
}

/* Drops the kept images of smoid (0: all). */
static void smo_drop(bj_redo *r, uint64_t smoid)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < r->csmo; i++) {
        if (!smoid || r->rgsmo[i].smoid == smoid)
            bj_free(r->rgsmo[i].bytes);
        else
            r->rgsmo[j++] = r->rgsmo[i];
    }
    r->csmo = j;
}

/* After the last record: unfinished structure modifications are taken back, their changes
 * newest first (an image puts a page back as it was; an inverse op takes one change back). */
static JET_ERR smo_undo_unfinished(bj_redo *r, uint32_t cbPage)
{
    JET_ERR err = JET_errSuccess;
    bj_frame *fr = NULL;
    for (uint32_t i = r->csmo; i-- > 0;) {
        const bj_redo_smo *x = &r->rgsmo[i];
        bj_redo_db *d = db_of(r, x->dbid);
        if (!d)
            continue;
        if (!x->fOp) {
            CALL(put_image(r, d, x->pgno, x->bytes, r->lsnEnd, cbPage, true));
        } else {
            bj_pgop op;
            bool fUnreadable;
            CALL(bj_pgop_decode(x->bytes, x->cb, &op));
            CALL(page_get(d, x->pgno, cbPage, false, &fr, &fUnreadable));
            /* only onto the page exactly as the change left it (its dbtime): a change that
             * never reached the page, or was already taken back, is skipped */
            if (op.dbtimeBefore != 0 && bj_page_dbtime(bj_frame_data(fr)) == op.dbtimeBefore) {
                CALL(bj_page_apply(bj_frame_data(fr), cbPage, &op));
                bj_buf_dirty(fr, r->lsnEnd);
            }
            bj_buf_release(fr);
            fr = NULL;
        }
        r->cSmoUndone++;
    }
fail:
    if (fr)
        bj_buf_release(fr);
    return err;
}

/* ---- the passes ---- */

static JET_ERR attach_rec(bj_redo *r, const bj_redo_config *cfg, const uint8_t *b, uint32_t cb)
{
    bj_lr_attach a;
    JET_ERR err = bj_lr_attach_decode(b, cb, &a);
    if (err < 0)
        return err;
    return db_open(r, cfg, a.dbid, a.path, a.cbPath, &a.signDb);
}

static JET_ERR apply(bj_redo *r, const bj_redo_config *cfg, const bj_logr_rec *rec)
{
    JET_ERR err = JET_errSuccess;
    switch (rec->type) {
    case BJ_LR_PGOP:
        return redo_pgop(r, rec->body, rec->cb, rec->lsn, cfg->cbPage);
    case BJ_LR_FPI:
        return redo_fpi(r, rec->body, rec->cb, rec->lsn, cfg->cbPage);
    case BJ_LR_PGOP_VER: {
        bj_lrtype t;
        const uint8_t *first, *pgop;
        uint32_t cbFirst, cbPgop;
        CALL(bj_lr_pgopver_split(rec->body, rec->cb, &t, &first, &cbFirst, &pgop, &cbPgop));
        CALL(t == BJ_LR_VER ? on_ver(r, first, cbFirst) : on_undo(r, first, cbFirst));
        return redo_pgop(r, pgop, cbPgop, rec->lsn, cfg->cbPage);
    }
    case BJ_LR_SMO_IMAGE:
        return redo_smo_image(r, rec->body, rec->cb, rec->lsn, cfg->cbPage);
    case BJ_LR_SMO_UNDO:
        return redo_smo_undo(r, rec->body, rec->cb);
    case BJ_LR_SMO_END:
        if (rec->cb < 12)
            ERR(JET_errLogFileCorrupt);
        smo_drop(r, bj_ld64(rec->body + 4));
        break;
    case BJ_LR_VER:
        return on_ver(r, rec->body, rec->cb);
    case BJ_LR_UNDO:
        return on_undo(r, rec->body, rec->cb);
    case BJ_LR_COMMIT0:
    case BJ_LR_TRXEND: {
        uint64_t trxid;
        CALL(bj_lr_trxid_decode(rec->body, rec->cb, &trxid));
        trx_drop(r, trxid);
        break;
    }
    case BJ_LR_INIT: /* a run began: everything before it was finished (or undone) */
        trx_drop_all(r);
        smo_drop(r, 0);
        break;
    case BJ_LR_ATTACH:
        return attach_rec(r, cfg, rec->body, rec->cb);
    case BJ_LR_DETACH: {
        uint32_t dbid;
        uint64_t dbtime;
        CALL(bj_lr_detach_decode(rec->body, rec->cb, &dbid, &dbtime));
        bj_redo_db *d = db_of(r, dbid);
        if (d) {
            if (dbtime > d->dbtime)
                d->dbtime = dbtime;
            CALL(db_close(r, d, true));
            d->fDetached = true;
        }
        break;
    }
    case BJ_LR_EXTEND: {
        if (rec->cb < 8)
            ERR(JET_errLogFileCorrupt);
        bj_redo_db *d = db_of(r, bj_ld32(rec->body));
        if (d)
            CALL(grow(d, bj_ld32(rec->body + 4), cfg->cbPage));
        break;
    }
    default:
        break;
    }
fail:
    return err;
}

typedef struct scan_state {
    bj_redo *r;
    const bj_redo_config *cfg;
    bj_signature signLog;
    bool fSign;
    uint32_t genComplete; /* every generation up to this one is replayed */
} scan_state;

/* Pass 1 check of one database named by the checkpoint or an ATTACH record: a dirty one of
 * another stream, or one needing generations beyond the log's end, stops recovery. */
static JET_ERR scan_db(scan_state *s, const char *path, uint32_t cbPath,
                       const bj_signature *signDb)
{
    JET_ERR err = JET_errSuccess;
    char sz[1024];
    bj_file *f = NULL;
    bool fExists = false, fDir = false;
    if (cbPath >= sizeof sz)
        return BJ_ERR(JET_errLogFileCorrupt);
    if (!map_path(s->cfg, path, cbPath, signDb, sz, sizeof sz))
        return JET_errSuccess; /* ignored */
    CALL(bj_os_stat(s->cfg->os, sz, &fExists, &fDir, NULL));
    if (!fExists || fDir)
        return JET_errSuccess;
    if (bj_file_open(s->cfg->os, sz, BJ_OPEN_READONLY, &f) < 0)
        return JET_errSuccess;
    bj_dbhdr h;
    uint32_t cbPage;
    if (bj_redo_hdr_read(f, &h, &cbPage) < 0)
        goto fail;
    /* a streamed backup image whose trailer no restore merged: only a hard restore may use it */
    if (h.bkinfoFullCur.genLow != 0 && h.bkinfoFullCur.genHigh == 0)
        ERR(JET_errSoftRecoveryOnBackupDatabase);
    if (h.dbstate == BJ_DBSTATE_DIRTY_SHUTDOWN) {
        if (s->fSign && h.signLog.random &&
            memcmp(&h.signLog, &s->signLog, sizeof(h.signLog)) != 0)
            ERR(JET_errDatabaseLogSetMismatch);
        if (h.genMaxRequired > s->genComplete)
            ERR(JET_errRequiredLogFilesMissing);
    } else if (s->r->fStopped && h.dbstate == BJ_DBSTATE_CLEAN_SHUTDOWN &&
               bj_lgpos_to_lsn(&h.lgposConsistent) > s->r->lsnEnd && s->fSign &&
               memcmp(&h.signLog, &s->signLog, sizeof(h.signLog)) == 0) {
        /* a point-in-time stop before a state the file already holds */
        ERR(JET_errRequiredLogFilesMissing);
    }
fail:
    if (f)
        bj_file_close(f);
    return err;
}

/* Whether a point-in-time stop ends replay before rec. */
static bool is_stop(const bj_redo_config *cfg, const bj_logr_rec *rec)
{
    if (cfg->lsnStop && rec->lsn >= cfg->lsnStop)
        return true;
    if (cfg->fTimeStop && rec->type == BJ_LR_COMMIT0 && rec->cb >= 8 + BJ_LOGTIME_CB) {
        bj_logtime t;
        bj_logtime_decode(rec->body + 8, &t);
        return bj_logtime_key(&t) > bj_logtime_key(&cfg->tmStop);
    }
    return false;
}

static JET_ERR scan(bj_redo *r, const bj_redo_config *cfg, const bj_chk_info *chk,
                    bj_logr_cache *cache)
{
    JET_ERR err = JET_errSuccess;
    bj_logr *lr = NULL;
    bj_logr_config lc = {cfg->os, cfg->szLogPath, cfg->szBaseName, r->lsnCheckpoint, 0,
                         cache,   true,           cfg->rgszBackupPath, cfg->cBackupPath,
                         cfg->genBackupHigh};
    scan_state s = {r, cfg, {0}, false, 0};
    typedef struct scan_path {
        char sz[1024];
        bj_signature signDb;
    } scan_path;
    scan_path *paths = NULL;
    uint32_t cpath = 0, cpathAlloc = 0;
    CALL(bj_logr_open(&lc, &lr));
    for (;;) {
        bj_logr_rec rec;
        bool fEnd = false;
        CALL(bj_logr_next(lr, &rec, &fEnd));
        if (fEnd)
            break;
        if (is_stop(cfg, &rec)) {
            r->fStopped = true;
            r->lsnEnd = rec.lsn;
            break;
        }
        r->cRecords++;
        r->cbReplayed += rec.cb;
        if (rec.type == BJ_LR_ATTACH) {
            bj_lr_attach a;
            CALL(bj_lr_attach_decode(rec.body, rec.cb, &a));
            if (a.cbPath >= 1024)
                ERR(JET_errLogFileCorrupt);
            if (cpath == cpathAlloc) {
                uint32_t n = cpathAlloc ? 2 * cpathAlloc : 8;
                scan_path *p = bj_realloc(paths, n * sizeof(*p));
                if (!p)
                    ERR(JET_errOutOfMemory);
                paths = p;
                cpathAlloc = n;
            }
            memcpy(paths[cpath].sz, a.path, a.cbPath);
            paths[cpath].sz[a.cbPath] = 0;
            paths[cpath].signDb = a.signDb;
            cpath++;
        }
    }
    if (!r->fStopped)
        r->lsnEnd = bj_logr_end(lr);
    r->hdrLast = *bj_logr_last_header(lr);
    s.signLog = r->hdrLast.signLog;
    s.fSign = true;
    s.genComplete = BJ_LSN_GEN(r->lsnEnd);
    if (r->fStopped)
        s.genComplete--; /* stopped inside (or at the start of) that generation */
    if (chk && memcmp(&chk->signLog, &s.signLog, sizeof(s.signLog)) != 0)
        ERR(JET_errBadLogSignature);
    if (chk)
        for (uint32_t i = 0; i < chk->cattach; i++)
            CALL(scan_db(&s, chk->rgattach[i].szPath, (uint32_t)strlen(chk->rgattach[i].szPath),
                         &chk->rgattach[i].signDb));
    for (uint32_t i = 0; i < cpath; i++)
        CALL(scan_db(&s, paths[i].sz, (uint32_t)strlen(paths[i].sz), &paths[i].signDb));
fail:
    bj_free(paths);
    bj_logr_close(lr);
    return err;
}

/* Finds the lowest generation in the log folder (no checkpoint file): 0 when none. */
typedef struct lowest_ctx {
    const char *base;
    uint32_t gen;
    bool fCurrent;
    char szCurrent[64];
} lowest_ctx;

static void lowest_fn(void *ctx, const char *name, bool is_dir)
{
    lowest_ctx *c = ctx;
    if (is_dir)
        return;
    uint32_t g = bj_log_parse_gen(name, c->base);
    if (g && (!c->gen || g < c->gen))
        c->gen = g;
    if (strcmp(name, c->szCurrent) == 0)
        c->fCurrent = true;
}

JET_ERR bj_redo_run(const bj_redo_config *cfg, bj_redo **pr)
{
    JET_ERR err = JET_errSuccess;
    bj_redo *r = bj_calloc(1, sizeof(*r));
    bj_chk_info *chk = bj_calloc(1, sizeof(*chk));
    bj_logr *lr = NULL;
    bj_logr_cache *cache = NULL;
    *pr = NULL;
    if (!r || !chk)
        ERR(JET_errOutOfMemory);
    if (cfg->lsnStart) { /* hard restore: a checkpoint made at the start generation */
        if (cfg->cattachStart > BJ_LOG_ATTACH_MAX)
            ERR(JET_errInvalidParameter);
        chk->lsnCheckpoint = cfg->lsnStart;
        chk->signLog = cfg->signLogStart;
        chk->cattach = cfg->cattachStart;
        for (uint32_t i = 0; i < cfg->cattachStart; i++)
            chk->rgattach[i] = cfg->rgattachStart[i];
        err = JET_errSuccess;
    } else
        err = bj_chk_read(cfg->os, cfg->szSystemPath, cfg->szBaseName, chk);
    if (err == JET_errCheckpointFileNotFound || err == JET_errFileNotFound ||
        err == JET_errCheckpointCorrupt) {
        /* no checkpoint (or none readable, e.g. its first write failed): start at the lowest
         * generation there is, if any (replaying more than needed is harmless: dbtimes) */
        bj_free(chk);
        chk = NULL;
        lowest_ctx lc = {cfg->szBaseName, 0, false, {0}};
        snprintf(lc.szCurrent, sizeof lc.szCurrent, "%s.log", cfg->szBaseName);
        err = bj_os_list_dir(cfg->os, cfg->szLogPath, lowest_fn, &lc);
        if (err == JET_errFileNotFound || err == JET_errInvalidPath)
            err = JET_errSuccess;
        CALL(err);
        if (!lc.gen && lc.fCurrent) {
            char sz[BJ_PATH_MAX];
            bj_log_hdr h;
            CALL(bj_log_name_current(sz, sizeof sz, cfg->szLogPath, cfg->szBaseName));
            CALL(bj_log_read_header(cfg->os, sz, &h));
            lc.gen = h.gen;
        }
        if (!lc.gen) { /* nothing to recover: a new stream */
            *pr = r;
            return JET_errSuccess;
        }
        r->lsnCheckpoint = BJ_LSN_MAKE(lc.gen, 0);
    } else {
        CALL(err);
        r->lsnCheckpoint = chk->lsnCheckpoint;
    }
    r->fLogs = true;
    /* pass 1: nothing is changed before the whole log reads; what it verified (up to 512 MB)
     * is kept for pass 2, which then reads and checksums nothing again */
    cache = bj_logr_cache_new(512ull << 20);
    if (!cache)
        ERR(JET_errOutOfMemory);
    CALL(scan(r, cfg, chk, cache));
    r->cRecords = r->cbReplayed = 0;
    if (chk)
        for (uint32_t i = 0; i < chk->cattach; i++) {
            const bj_log_attach *a = &chk->rgattach[i];
            CALL(db_open(r, cfg, a->dbid, a->szPath, (uint32_t)strlen(a->szPath), &a->signDb));
        }
    bj_logr_config lc = {cfg->os, cfg->szLogPath, cfg->szBaseName, r->lsnCheckpoint, 0,
                         cache,   false,          cfg->rgszBackupPath, cfg->cBackupPath,
                         cfg->genBackupHigh};
    CALL(bj_logr_open(&lc, &lr));
    uint32_t genSeen = 0;
    for (;;) {
        bj_logr_rec rec;
        bool fEnd = false;
        CALL(bj_logr_next(lr, &rec, &fEnd));
        if (fEnd || (r->fStopped && rec.lsn >= r->lsnEnd))
            break;
        if (cfg->pfnProgress && BJ_LSN_GEN(rec.lsn) != genSeen) {
            genSeen = BJ_LSN_GEN(rec.lsn);
            cfg->pfnProgress(cfg->ctxProgress, genSeen, BJ_LSN_GEN(r->lsnCheckpoint),
                             BJ_LSN_GEN(r->lsnEnd));
        }
        r->cRecords++;
        r->cbReplayed += rec.cb;
        CALL(apply(r, cfg, &rec));
    }
    CALL(smo_undo_unfinished(r, cfg->cbPage));
    for (uint32_t i = 0; i < BJ_LOG_ATTACH_MAX; i++)
        CALL(db_close(r, &r->rgdb[i], false));
    *pr = r;
    r = NULL;
fail:
    bj_logr_close(lr);
    bj_logr_cache_free(cache);
    bj_free(chk);
    if (r) {
        for (uint32_t i = 0; i < BJ_LOG_ATTACH_MAX; i++)
            if (r->rgdb[i].fOpen) { /* drop what redo did in the cache: files unchanged */
                (void)bj_buf_db_detach(r->rgdb[i].bdb, true);
                bj_file_close(r->rgdb[i].file);
                r->rgdb[i].fOpen = false;
            }
        bj_redo_free(r);
    }
    return err;
}

void bj_redo_free(bj_redo *r)
{
    if (!r)
        return;
    trx_drop_all(r);
    bj_free(r->rgtrx);
    smo_drop(r, 0);
    bj_free(r->rgsmo);
    bj_free(r);
}
