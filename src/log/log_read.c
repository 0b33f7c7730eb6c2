/* log_read.c: the log reader: walks the records of the generations in a log folder, in lsn
 * order, from a start position: archives <base>XXXXXXXX.log (or 5 digits), then <base>.log.
 *
 * One generation at a time is read whole into memory and checked before any of its records is
 * returned:
 *  - header: checksum and sizes (JET_errLogFileCorrupt), generation = the name's
 *    (JET_errLogGenerationMismatch), signature = the first file's (JET_errBadLogSignature),
 *    tmPrevGen = the previous generation's tmCreate (JET_errInvalidLogSequence), and the previous
 *    generation's data end = this header's lsnPrevEnd when recorded (JET_errLogFileCorrupt);
 *  - segments: the valid ones from the first data segment on. At the first bad one (checksum,
 *    generation, index, zeroed), a later valid segment written by a flush that began after it
 *    means a durable segment went bad: JET_errLogFileCorrupt. A later valid segment of a flush
 *    that began at or before it means the last write was torn: in <base>.log the data ends
 *    there; in an archive (finished and fsynced by its roll) it is JET_errLogFileCorrupt, as is
 *    a first bad segment that is not all zero.
 * Records: a bad record header inside valid data is JET_errLogFileCorrupt; a record running past
 * the valid data ends the log in <base>.log (torn) and is JET_errLogFileCorrupt in an archive.
 * A reader is used by one thread; errors are sticky.
 */
#include <stdio.h>
#include <stdlib.h>

#include "log/log_int.h"

struct bj_logr {
    bj_os *os;
    char *szLogPath;
    char **rgszBackup; /* hard restore: generations <= genBackupHigh come from these */
    uint32_t cBackup;
    uint32_t genBackupHigh;
    uint32_t genMaxLogPath; /* the highest generation in szLogPath (archives, <base>.log) */
    char base[4];
    bj_lsn lsnStart;
    uint32_t genLast;

    uint32_t *rgArch; /* archive generations found, sorted */
    uint32_t cArch, capArch;
    uint32_t genCurFile; /* <base>.log's header generation (0: none or unreadable) */
    JET_ERR errCurFile;  /* why <base>.log's header could not be read */
    bool fCurFile;       /* <base>.log exists */

    /* the generation being read */
    bool fLoaded, fIsCur, fEnd;
    uint32_t gen;
    bj_log_hdr hdr, hdrPrev;
    bool fHavePrev;
    bj_signature signFirst;
    bool fHaveSign;
    uint8_t *file;
    uint32_t cbFile;    /* bytes of file (the header's cbLogFile) */
    uint16_t *rgcbUsed; /* per segment */
    uint32_t isegEnd;   /* first segment after the valid data */
    uint32_t iseg, ib;  /* stream position */
    bj_lsn lsnEnd, lsnDataEnd;
    JET_ERR errSticky;
    uint8_t *body;
    bj_logr_cache *cache;
    bool fCacheFill;
};

/* ---- generations kept between two readers ---- */

typedef struct cache_gen {
    uint32_t gen;
    bool fIsCur;
    bj_log_hdr hdr;
    uint8_t *file;
    uint32_t cbFile;
    uint16_t *rgcbUsed;
    uint32_t isegEnd;
    bj_lsn lsnDataEnd;
} cache_gen;

struct bj_logr_cache {
    uint64_t cb, cbMax;
    cache_gen *rg;
    uint32_t n, cap;
};

bj_logr_cache *bj_logr_cache_new(uint64_t cbMax)
{
    bj_logr_cache *c = bj_calloc(1, sizeof(*c));
    if (c)
        c->cbMax = cbMax;
    return c;
}

void bj_logr_cache_free(bj_logr_cache *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < c->n; i++) {
        bj_free(c->rg[i].file);
        bj_free(c->rg[i].rgcbUsed);
    }
    bj_free(c->rg);
    bj_free(c);
}

/* The reader's verified generation moves into the cache (within the budget). */
static void cache_put(bj_logr *r)
{
    bj_logr_cache *c = r->cache;
    if (!c || !r->fCacheFill || c->cb + r->cbFile > c->cbMax)
        return;
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? 2 * c->cap : 16;
        cache_gen *rg = bj_realloc(c->rg, cap * sizeof(*rg));
        if (!rg)
            return;
        c->rg = rg;
        c->cap = cap;
    }
    c->rg[c->n++] = (cache_gen){r->gen,    r->fIsCur,     r->hdr,        r->file,
                                r->cbFile, r->rgcbUsed,   r->isegEnd,    r->lsnDataEnd};
    c->cb += r->cbFile;
    r->file = NULL; /* the next generation gets new buffers */
    r->rgcbUsed = NULL;
    r->cbFile = 0;
}

/* Takes generation g from the cache into the reader (true), swapping buffers. */
static bool cache_take(bj_logr *r, uint32_t g)
{
    bj_logr_cache *c = r->cache;
    if (!c || r->fCacheFill)
        return false;
    for (uint32_t i = 0; i < c->n; i++) {
        cache_gen *e = &c->rg[i];
        if (e->gen != g)
            continue;
        uint8_t *file = r->file;
        uint16_t *used = r->rgcbUsed;
        uint32_t cbFile = r->cbFile;
        r->file = e->file;
        r->rgcbUsed = e->rgcbUsed;
        r->cbFile = e->cbFile;
        e->file = file;
        e->rgcbUsed = used;
        e->cbFile = cbFile;
        e->gen = 0; /* used */
        r->fIsCur = e->fIsCur;
        r->hdr = e->hdr;
        r->isegEnd = e->isegEnd;
        r->lsnDataEnd = e->lsnDataEnd;
        if (!r->fHaveSign) {
            r->signFirst = e->hdr.signLog;
            r->fHaveSign = true;
        }
        return true;
    }
    return false;
}

static void on_entry(void *ctx, const char *name, bool is_dir)
{
    bj_logr *r = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, r->base);
    if (g == 0)
        return;
    if (r->cArch == r->capArch) {
        uint32_t cap = r->capArch ? 2 * r->capArch : 32;
        uint32_t *rg = bj_realloc(r->rgArch, cap * sizeof(*rg));
        if (!rg) {
            r->errSticky = BJ_ERR(JET_errOutOfMemory);
            return;
        }
        r->rgArch = rg;
        r->capArch = cap;
    }
    r->rgArch[r->cArch++] = g;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool has_archive(const bj_logr *r, uint32_t g)
{
    uint32_t lo = 0, hi = r->cArch;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (r->rgArch[mid] == g)
            return true;
        if (r->rgArch[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The path of an archive with generation g in folder dir: the 8-digit name, else a 5-digit
 * one; *pfExists tells whether either exists (may be NULL). */
static JET_ERR archive_path_in(bj_logr *r, const char *dir, uint32_t g, char *out, size_t cb,
                               bool *pfExists)
{
    JET_ERR err = JET_errSuccess;
    bool exists = false;
    char name[32];
    CALL(bj_log_name_gen(out, cb, dir, r->base, g));
    CALL(bj_os_stat(r->os, out, &exists, NULL, NULL));
    if (exists || g > 0xfffffu)
        goto fail;
    snprintf(name, sizeof(name), "%s%05X.log", r->base, (unsigned)g);
    CALL(bj_path_join(out, cb, dir, name));
    CALL(bj_os_stat(r->os, out, &exists, NULL, NULL));
fail:
    if (pfExists)
        *pfExists = exists;
    return err;
}

static JET_ERR archive_path(bj_logr *r, uint32_t g, char *out, size_t cb)
{
    return archive_path_in(r, r->szLogPath, g, out, cb, NULL);
}

/* Whether generation g is one the backup folders supply. */
static bool from_backup(const bj_logr *r, uint32_t g)
{
    return r->cBackup && g <= r->genBackupHigh;
}

/* The path of backup generation g: the first backup folder that has it. */
static JET_ERR backup_path(bj_logr *r, uint32_t g, char *out, size_t cb, bool *pfExists)
{
    JET_ERR err = JET_errSuccess;
    *pfExists = false;
    for (uint32_t i = 0; i < r->cBackup && !*pfExists; i++)
        CALL(archive_path_in(r, r->rgszBackup[i], g, out, cb, pfExists));
fail:
    return err;
}

JET_ERR bj_logr_open(const bj_logr_config *cfg, bj_logr **pr)
{
    JET_ERR err = JET_errSuccess;
    bj_logr *r = NULL;
    char sz[BJ_PATH_MAX];
    uint32_t genStart;

    *pr = NULL;
    if (!cfg || !cfg->os || !cfg->szLogPath || !cfg->szBaseName || strlen(cfg->szBaseName) != 3)
        ERR(JET_errInvalidParameter);
    r = bj_calloc(1, sizeof(*r));
    if (!r)
        ERR(JET_errOutOfMemory);
    r->os = cfg->os;
    memcpy(r->base, cfg->szBaseName, 3);
    r->lsnStart = cfg->lsnStart;
    r->genLast = cfg->genLast;
    r->cache = cfg->cache;
    r->fCacheFill = cfg->fCacheFill;
    r->szLogPath = bj_strdup(cfg->szLogPath);
    if (cfg->cBackupPath) {
        r->rgszBackup = bj_calloc(cfg->cBackupPath, sizeof(char *));
        if (!r->rgszBackup)
            ERR(JET_errOutOfMemory);
        r->cBackup = cfg->cBackupPath;
        r->genBackupHigh = cfg->genBackupHigh;
        for (uint32_t i = 0; i < r->cBackup; i++)
            if (!(r->rgszBackup[i] = bj_strdup(cfg->rgszBackupPath[i])))
                ERR(JET_errOutOfMemory);
    }
    r->body = bj_malloc(BJ_LOG_RECORD_MAX + BJ_REC_CB_HDR);
    if (!r->szLogPath || !r->body)
        ERR(JET_errOutOfMemory);
    CALL(bj_os_list_dir(r->os, r->szLogPath, on_entry, r));
    CALL(r->errSticky);
    if (r->cArch)
        qsort(r->rgArch, r->cArch, sizeof(uint32_t), cmp_u32);
    CALL(bj_log_name_current(sz, sizeof(sz), r->szLogPath, r->base));
    CALL(bj_os_stat(r->os, sz, &r->fCurFile, NULL, NULL));
    if (r->fCurFile) {
        r->errCurFile = bj_log_read_header(r->os, sz, &r->hdr);
        if (r->errCurFile >= 0)
            r->genCurFile = r->hdr.gen;
    }
    r->genMaxLogPath = r->cArch ? r->rgArch[r->cArch - 1] : 0;
    if (r->genCurFile > r->genMaxLogPath)
        r->genMaxLogPath = r->genCurFile;
    genStart = BJ_LSN_GEN(r->lsnStart);
    if (from_backup(r, genStart)) {
        bool exists = false;
        CALL(backup_path(r, genStart, sz, sizeof sz, &exists));
        if (!exists)
            ERR(JET_errMissingPreviousLogFile);
        r->gen = genStart;
        r->lsnEnd = BJ_LSN_MAKE(genStart, BJ_LOG_CB_HDRAREA);
        *pr = r;
        r = NULL;
        goto fail;
    }
    if (genStart == 0) {
        genStart = r->cArch ? r->rgArch[0] : r->genCurFile;
        if (r->genCurFile && r->genCurFile < genStart)
            genStart = r->genCurFile;
    }
    if (genStart == 0 || (!has_archive(r, genStart) && r->genCurFile != genStart)) {
        if (genStart != 0 && r->fCurFile && r->errCurFile < 0 && !has_archive(r, genStart))
            ERR(r->errCurFile);
        ERR(JET_errMissingPreviousLogFile);
    }
    r->gen = genStart;
    r->lsnEnd = BJ_LSN_MAKE(genStart, BJ_LOG_CB_HDRAREA);
    *pr = r;
    r = NULL;
fail:
    bj_logr_close(r);
    return err;
}

void bj_logr_close(bj_logr *r)
{
    if (!r)
        return;
    bj_free(r->szLogPath);
    for (uint32_t i = 0; i < r->cBackup; i++)
        bj_free(r->rgszBackup[i]);
    bj_free(r->rgszBackup);
    bj_free(r->rgArch);
    bj_free(r->file);
    bj_free(r->rgcbUsed);
    bj_free(r->body);
    bj_free(r);
}

static bool all_zero(const uint8_t *p, size_t cb)
{
    for (size_t i = 0; i < cb; i++)
        if (p[i])
            return false;
    return true;
}

/* Reads generation r->gen (an archive, else <base>.log) and checks it (see the top). */
static JET_ERR load_gen(bj_logr *r)
{
    JET_ERR err = JET_errSuccess;
    char sz[BJ_PATH_MAX];
    bj_file *f = NULL;
    size_t cbRead = 0;
    uint8_t hdrArea[BJ_LOG_CB_HDRAREA];
    bj_log_hdr *h = &r->hdr;
    uint32_t g = r->gen, nseg, isegBad;

    if (r->fLoaded) {
        r->hdrPrev = r->hdr;
        r->fHavePrev = true;
    }
    r->fLoaded = false;
    if (cache_take(r, g)) { /* read and verified by the first reader */
        r->iseg = BJ_LOG_ISEG_FIRST;
        r->ib = 0;
        r->lsnEnd = BJ_LSN_MAKE(g, BJ_LOG_CB_HDRAREA);
        r->fLoaded = true;
        return JET_errSuccess;
    }
    if (from_backup(r, g)) {
        bool exists = false;
        CALL(backup_path(r, g, sz, sizeof(sz), &exists));
        if (!exists)
            ERR(JET_errMissingLogFile);
        r->fIsCur = false;
    } else if (has_archive(r, g)) {
        CALL(archive_path(r, g, sz, sizeof(sz)));
        r->fIsCur = false;
    } else if (r->fCurFile) {
        CALL(r->errCurFile);
        if (r->genCurFile != g)
            ERR(r->genCurFile < g ? JET_errInvalidLogSequence : JET_errMissingLogFile);
        CALL(bj_log_name_current(sz, sizeof(sz), r->szLogPath, r->base));
        r->fIsCur = true;
    } else {
        ERR(JET_errMissingLogFile);
    }
    CALL(bj_file_open(r->os, sz, BJ_OPEN_READONLY, &f));
    CALL(bj_file_read(f, 0, hdrArea, sizeof(hdrArea), &cbRead));
    CALL(bj_log_hdr_decode(hdrArea, cbRead, h));
    if (h->gen != g)
        ERR(JET_errLogGenerationMismatch);
    if (!r->fHaveSign) {
        r->signFirst = h->signLog;
        r->fHaveSign = true;
    } else if (memcmp(&r->signFirst, &h->signLog, sizeof(bj_signature)) != 0) {
        ERR(JET_errBadLogSignature);
    }
    if (r->fHavePrev && r->hdrPrev.gen + 1 == g) {
        if (memcmp(&h->tmPrevGen, &r->hdrPrev.tmCreate, sizeof(bj_logtime)) != 0)
            ERR(JET_errInvalidLogSequence);
        if (h->lsnPrevEnd != 0 && h->lsnPrevEnd != r->lsnDataEnd)
            ERR(JET_errLogFileCorrupt);
    }

    /* The whole file; a short file reads as zeroes. */
    if (r->cbFile < h->cbLogFile) {
        bj_free(r->file);
        bj_free(r->rgcbUsed);
        r->file = bj_malloc(h->cbLogFile);
        r->rgcbUsed = bj_malloc(h->cbLogFile / BJ_LOG_CB_SEGMENT * sizeof(uint16_t));
        r->cbFile = 0;
        if (!r->file || !r->rgcbUsed)
            ERR(JET_errOutOfMemory);
    }
    r->cbFile = BJ_MAX(r->cbFile, h->cbLogFile);
    CALL(bj_file_read(f, 0, r->file, h->cbLogFile, &cbRead));
    memset(r->file + cbRead, 0, h->cbLogFile - cbRead);

    nseg = h->cbLogFile / BJ_LOG_CB_SEGMENT;
    isegBad = BJ_LOG_ISEG_FIRST;
    r->lsnDataEnd = BJ_LSN_MAKE(g, BJ_LOG_CB_HDRAREA);
    for (; isegBad < nseg; isegBad++) {
        uint32_t isegFlush, cbUsed;
        if (!bj_log_seg_valid(r->file + (size_t)isegBad * BJ_LOG_CB_SEGMENT, g, isegBad, &isegFlush,
                              &cbUsed))
            break;
        r->rgcbUsed[isegBad] = (uint16_t)cbUsed;
        if (cbUsed)
            r->lsnDataEnd = BJ_LSN_MAKE(g, isegBad * BJ_LOG_CB_SEGMENT + BJ_SEG_CB_HDR + cbUsed);
    }
    if (isegBad < nseg) {
        bool fTorn = false;
        for (uint32_t j = isegBad + 1; j < nseg; j++) {
            uint32_t isegFlush, cbUsed;
            if (!bj_log_seg_valid(r->file + (size_t)j * BJ_LOG_CB_SEGMENT, g, j, &isegFlush,
                                  &cbUsed))
                continue;
            if (isegFlush > isegBad)
                ERR(JET_errLogFileCorrupt); /* a durable segment went bad */
            fTorn = true;
        }
        if (!r->fIsCur &&
            (fTorn || !all_zero(r->file + (size_t)isegBad * BJ_LOG_CB_SEGMENT, BJ_LOG_CB_SEGMENT)))
            ERR(JET_errLogFileCorrupt);
    }
    r->isegEnd = isegBad;
    r->iseg = BJ_LOG_ISEG_FIRST;
    r->ib = 0;
    r->lsnEnd = BJ_LSN_MAKE(g, BJ_LOG_CB_HDRAREA);
    r->fLoaded = true;
fail:
    bj_file_close(f);
    return err;
}

/* After a generation's records were all returned: the first reader keeps it for the second. */
static void gen_done(bj_logr *r)
{
    if (r->fLoaded && r->fCacheFill)
        cache_put(r);
}

/* Copies n stream bytes from the position into dst (NULL: skip); false when the valid data
 * ends first (the position is then unspecified). */
static bool stream_get(bj_logr *r, uint8_t *dst, uint32_t n)
{
    while (n > 0) {
        if (r->iseg >= r->isegEnd)
            return false;
        uint32_t cbUsed = r->rgcbUsed[r->iseg];
        if (r->ib >= cbUsed) {
            r->iseg++;
            r->ib = 0;
            continue;
        }
        uint32_t k = BJ_MIN(n, cbUsed - r->ib);
        if (dst) {
            memcpy(dst, r->file + (size_t)r->iseg * BJ_LOG_CB_SEGMENT + BJ_SEG_CB_HDR + r->ib, k);
            dst += k;
        }
        r->ib += k;
        n -= k;
    }
    return true;
}

/* Moves the position to the next stream byte; false at the end of the valid data. */
static bool stream_next(bj_logr *r)
{
    while (r->iseg < r->isegEnd && r->ib >= r->rgcbUsed[r->iseg]) {
        r->iseg++;
        r->ib = 0;
    }
    return r->iseg < r->isegEnd;
}

static bj_lsn stream_lsn(const bj_logr *r)
{
    return BJ_LSN_MAKE(r->gen, r->iseg * BJ_LOG_CB_SEGMENT + BJ_SEG_CB_HDR + r->ib);
}

/* The end of a generation's data: the next generation, or the end of the log. */
static JET_ERR next_gen(bj_logr *r, bool *pfEnd)
{
    JET_ERR err = JET_errSuccess;
    *pfEnd = false;
    gen_done(r);
    if (r->fIsCur || (r->genLast != 0 && r->gen >= r->genLast)) {
        *pfEnd = true;
        goto fail;
    }
    if (r->cBackup && r->gen >= r->genBackupHigh && r->genMaxLogPath <= r->gen) {
        *pfEnd = true; /* nothing in the log folder to roll forward with */
        goto fail;
    }
    if (!from_backup(r, r->gen + 1) && !r->fCurFile && !has_archive(r, r->gen + 1)) {
        /* No <base>.log and no later archive: either a roll stopped between its two renames
         * (edb.log -> archive done, edbtmp.log -> edb.log not; edbtmp.log then already says
         * it is the next generation, chained to this one), and the archive just read is the
         * end of the log, whole (it was flushed before the rename); or edb.log is missing. */
        char sz[BJ_PATH_MAX];
        bj_log_hdr ht;
        CALL(bj_log_name_tmp(sz, sizeof(sz), r->szLogPath, r->base));
        if (bj_log_read_header(r->os, sz, &ht) >= 0 && ht.gen == r->gen + 1 &&
            memcmp(&ht.tmPrevGen, &r->hdr.tmCreate, sizeof(bj_logtime)) == 0 &&
            memcmp(&ht.signLog, &r->hdr.signLog, sizeof(bj_signature)) == 0) {
            *pfEnd = true;
            goto fail;
        }
    }
    r->gen++;
    CALL(load_gen(r));
fail:
    return err;
}

JET_ERR bj_logr_next(bj_logr *r, bj_logr_rec *prec, bool *pfEnd)
{
    JET_ERR err = JET_errSuccess;
    uint8_t hdr[BJ_REC_CB_HDR];
    *pfEnd = false;
    CALL(r->errSticky);
    if (r->fEnd) {
        *pfEnd = true;
        goto fail;
    }
    if (!r->fLoaded)
        CALL(load_gen(r));
    for (;;) {
        if (!stream_next(r)) {
            bool fEnd;
            CALL(next_gen(r, &fEnd));
            if (fEnd) {
                r->fEnd = true;
                *pfEnd = true;
                goto fail;
            }
            continue;
        }
        bj_lsn lsn = stream_lsn(r);
        if (!stream_get(r, hdr, BJ_REC_CB_HDR))
            goto torn;
        uint32_t cb = bj_ld32(hdr + BJ_REC_IB_CB);
        if (hdr[BJ_REC_IB_MARK] != BJ_REC_MARK || hdr[BJ_REC_IB_TYPE] >= BJ_LR_MAX ||
            cb > BJ_LOG_RECORD_MAX || bj_ld16(hdr + BJ_REC_IB_CHECK) != bj_log_rec_check(hdr, lsn))
            ERR(JET_errLogFileCorrupt);
        if (!stream_get(r, r->body, cb))
            goto torn;
        r->lsnEnd = stream_lsn(r);
        if (lsn < r->lsnStart)
            continue;
        prec->type = (bj_lrtype)hdr[BJ_REC_IB_TYPE];
        prec->lsn = lsn;
        prec->lsnEnd = r->lsnEnd;
        prec->body = r->body;
        prec->cb = cb;
        goto fail;
    torn:
        /* A record running past the valid data. */
        if (!r->fIsCur)
            ERR(JET_errLogFileCorrupt);
        r->fEnd = true;
        *pfEnd = true;
        goto fail;
    }
fail:
    if (err < 0)
        r->errSticky = err;
    return err;
}

bj_lsn bj_logr_end(bj_logr *r)
{
    return r->lsnEnd;
}

const bj_log_hdr *bj_logr_last_header(bj_logr *r)
{
    return r->fLoaded ? &r->hdr : NULL;
}
