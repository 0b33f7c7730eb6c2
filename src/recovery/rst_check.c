/* rst_check.c: the file checks of a hard restore and the trailer merge (see rst_check.h).
 * ESE's counterparts: ErrLGRSTCheckSignaturesLogSequence (backup set and existing logs) and
 * ErrLGCheckDBFiles (images) in logutil.cxx; the codes and order are ese-backup-spec.md §7.
 */
#include "recovery/rst_check.h"

#include <stdio.h>

#include "backup/bk_trailer.h"
#include "recovery/redo.h"

/* ---- log folders ---- */

typedef struct range_ctx {
    const char *base;
    uint32_t lo, hi;
    uint32_t *rg; /* optional: every generation found */
    uint32_t n, cap;
    bool fOom;
} range_ctx;

static void range_fn(void *ctx, const char *name, bool is_dir)
{
    range_ctx *c = ctx;
    uint32_t g = is_dir ? 0 : bj_log_parse_gen(name, c->base);
    if (!g)
        return;
    if (!c->lo || g < c->lo)
        c->lo = g;
    if (g > c->hi)
        c->hi = g;
    if (c->cap || c->rg) {
        if (c->n == c->cap) {
            uint32_t cap = c->cap * 2;
            uint32_t *rg = bj_realloc(c->rg, cap * sizeof(*rg));
            if (!rg) {
                c->fOom = true;
                return;
            }
            c->rg = rg;
            c->cap = cap;
        }
        c->rg[c->n++] = g;
    }
}

JET_ERR bj_rst_find_range(bj_os *os, const char *const *rgdir, uint32_t cdir, const char *szBase,
                          uint32_t *pgenLow, uint32_t *pgenHigh)
{
    range_ctx c = {szBase, 0, 0, NULL, 0, 0, false};
    JET_ERR err = JET_errSuccess;
    for (uint32_t i = 0; i < cdir && err >= 0; i++) {
        err = bj_os_list_dir(os, rgdir[i], range_fn, &c);
        if (err == JET_errFileNotFound || err == JET_errInvalidPath)
            err = JET_errSuccess;
    }
    *pgenLow = c.lo;
    *pgenHigh = c.hi;
    return err;
}

/* The header of generation g in dir (8-digit name, else 5-digit); JET_errFileNotFound. */
static JET_ERR read_gen(bj_os *os, const char *dir, const char *szBase, uint32_t g,
                        bj_log_hdr *h)
{
    JET_ERR err = JET_errSuccess;
    char sz[BJ_PATH_MAX], name[32];
    bool fExists = false;
    CALL(bj_log_name_gen(sz, sizeof sz, dir, szBase, g));
    CALL(bj_os_stat(os, sz, &fExists, NULL, NULL));
    if (!fExists && g <= 0xfffffu) {
        snprintf(name, sizeof name, "%s%05X.log", szBase, (unsigned)g);
        CALL(bj_path_join(sz, sizeof sz, dir, name));
        CALL(bj_os_stat(os, sz, &fExists, NULL, NULL));
    }
    if (!fExists)
        ERR(JET_errFileNotFound);
    CALL(bj_log_read_header(os, sz, h));
    if (h->gen != g)
        ERR(JET_errLogGenerationMismatch);
fail:
    return err;
}

static bool same_sign(const bj_signature *a, const bj_signature *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static bool same_time(const bj_logtime *a, const bj_logtime *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

JET_ERR bj_rst_check_backup_logs(bj_os *os, const char *const *rgdir, uint32_t cdir,
                                 const char *szBase, uint32_t genLow, uint32_t genHigh,
                                 bj_log_hdr *phdrLow, bj_log_hdr *phdrHigh)
{
    JET_ERR err = JET_errSuccess;
    bj_log_hdr *prev = NULL, *cur = NULL;
    if (genLow == 0 || genLow > genHigh)
        return BJ_ERR(JET_errInvalidParameter);
    prev = bj_malloc(sizeof(*prev));
    cur = bj_malloc(sizeof(*cur));
    if (!prev || !cur)
        ERR(JET_errOutOfMemory);
    for (uint32_t g = genLow; g <= genHigh; g++) {
        err = JET_errFileNotFound;
        for (uint32_t i = 0; i < cdir && err == JET_errFileNotFound; i++)
            err = read_gen(os, rgdir[i], szBase, g, cur);
        if (err == JET_errFileNotFound)
            ERR(JET_errMissingRestoreLogFiles);
        CALL(err);
        if (g == genLow)
            *phdrLow = *cur;
        else {
            if (!same_sign(&cur->signLog, &phdrLow->signLog))
                ERR(JET_errGivenLogFileHasBadSignature);
            if (!same_time(&cur->tmPrevGen, &prev->tmCreate))
                ERR(JET_errGivenLogFileIsNotContiguous);
        }
        bj_log_hdr *t = prev;
        prev = cur;
        cur = t;
    }
    *phdrHigh = *prev;
fail:
    bj_free(prev);
    bj_free(cur);
    return err;
}

JET_ERR bj_rst_check_log_path(bj_os *os, const char *szLogPath, const char *szBase,
                              const bj_log_hdr *hdrLow, const bj_log_hdr *hdrHigh)
{
    JET_ERR err = JET_errSuccess;
    range_ctx c = {szBase, 0, 0, NULL, 0, 16, false};
    bj_log_hdr *h = bj_malloc(sizeof(*h)), *prev = bj_malloc(sizeof(*prev));
    char sz[BJ_PATH_MAX];
    bool fCur = false, fPrev = false;
    c.rg = bj_malloc(c.cap * sizeof(uint32_t));
    if (!h || !prev || !c.rg)
        ERR(JET_errOutOfMemory);
    err = bj_os_list_dir(os, szLogPath, range_fn, &c);
    if (err == JET_errFileNotFound || err == JET_errInvalidPath) {
        err = JET_errSuccess;
        goto fail; /* no folder yet: nothing to check */
    }
    CALL(err);
    if (c.fOom)
        ERR(JET_errOutOfMemory);
    /* <base>.log: the current generation, after the archives */
    CALL(bj_log_name_current(sz, sizeof sz, szLogPath, szBase));
    CALL(bj_os_stat(os, sz, &fCur, NULL, NULL));
    for (uint32_t i = 0; i < c.n + (fCur ? 1u : 0u); i++) {
        uint32_t g;
        if (i < c.n) {
            /* sorted order: the smallest generation not visited yet */
            uint32_t k = i;
            for (uint32_t j = i + 1; j < c.n; j++)
                if (c.rg[j] < c.rg[k])
                    k = j;
            g = c.rg[k];
            c.rg[k] = c.rg[i];
            c.rg[i] = g;
            CALL(read_gen(os, szLogPath, szBase, g, h));
        } else {
            CALL(bj_log_read_header(os, sz, h));
            g = h->gen;
        }
        if (!same_sign(&h->signLog, &hdrLow->signLog))
            ERR(JET_errExistingLogFileHasBadSignature);
        if (g + 1 == hdrLow->gen && !same_time(&hdrLow->tmPrevGen, &h->tmCreate))
            ERR(JET_errExistingLogFileIsNotContiguous);
        if ((g == hdrLow->gen && !same_time(&h->tmCreate, &hdrLow->tmCreate)) ||
            (g == hdrHigh->gen && !same_time(&h->tmCreate, &hdrHigh->tmCreate)))
            ERR(JET_errExistingLogFileIsNotContiguous);
        if (g > hdrHigh->gen) {
            const uint32_t gPrev = fPrev ? prev->gen : hdrHigh->gen;
            if (g != gPrev + 1)
                ERR(JET_errMissingCurrentLogFiles);
            if (!same_time(&h->tmPrevGen, fPrev ? &prev->tmCreate : &hdrHigh->tmCreate))
                ERR(JET_errExistingLogFileIsNotContiguous);
            *prev = *h;
            fPrev = true;
        }
    }
fail:
    bj_free(c.rg);
    bj_free(h);
    bj_free(prev);
    return err;
}

/* ---- database images ---- */

static JET_ERR read_hdr(bj_file *f, bj_dbhdr *h, uint32_t *pcbPage)
{
    /* I/O errors as they are; a header that does not verify is a corrupt database */
    JET_ERR err = bj_redo_hdr_read(f, h, pcbPage);
    if (err >= 0 || err == JET_errOutOfMemory || err == JET_errDiskIO)
        return err;
    return BJ_ERR(JET_errDatabaseCorrupted);
}

/* A database or image file opened with flags (JET_errFileNotFound when missing). */
static JET_ERR image_open(bj_os *os, const char *szImage, uint32_t flags, bj_file **pf)
{
    JET_ERR err = JET_errSuccess;
    bool fExists = false, fDir = false;
    CALL(bj_os_stat(os, szImage, &fExists, &fDir, NULL));
    if (!fExists || fDir)
        ERR(JET_errFileNotFound);
    CALL(bj_file_open(os, szImage, flags, pf));
fail:
    return err;
}

JET_ERR bj_rst_read_dbhdr(bj_os *os, const char *szDb, bj_dbhdr *h, uint32_t *pcbPage)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    CALL(image_open(os, szDb, BJ_OPEN_READONLY, &f));
    CALL(read_hdr(f, h, pcbPage));
fail:
    bj_file_close(f);
    return err;
}

/* What an open image needs (§7.3 steps 1-5): *pimgLow..*pimgHigh its generations, *pfTrailer
 * whether its trailer is still there (not merged), *pcbFile its size. */
static JET_ERR image_range(bj_file *f, const bj_signature *signLog, bj_dbhdr *h,
                           uint32_t *pcbPage, uint64_t *pcbFile, uint32_t *pimgLow,
                           uint32_t *pimgHigh, bool *pfTrailer)
{
    JET_ERR err = JET_errSuccess;
    uint8_t *pg = NULL;
    *pfTrailer = false;
    CALL(read_hdr(f, h, pcbPage));
    const uint32_t cbPage = *pcbPage;
    const bj_lgpos lgposZero = {0, 0, 0};
    if (bj_lgpos_cmp(&h->bkinfoSnapshotCur.lgposMark, &lgposZero) > 0) {
        /* an OS-snapshot image: no trailer */
        if (!same_sign(&h->signLog, signLog))
            ERR(JET_errDatabasePatchFileMismatch);
        *pimgLow = h->bkinfoSnapshotCur.genLow;
        *pimgHigh = h->bkinfoSnapshotCur.genHigh;
    } else if (h->bkinfoFullCur.genLow == 0) {
        ERR(JET_errRestoreOfNonBackupDatabase);
    } else if (h->bkinfoFullCur.genHigh != 0) {
        /* merged by an earlier restore of this image (a retry) */
        if (!same_sign(&h->signLog, signLog))
            ERR(JET_errDatabasePatchFileMismatch);
        *pimgLow = h->bkinfoFullCur.genLow;
        *pimgHigh = h->bkinfoFullCur.genHigh;
    } else {
        bj_bk_trailer t;
        CALL(bj_file_size(f, pcbFile));
        if (*pcbFile % cbPage != 0 || *pcbFile < 4ull * cbPage)
            ERR(JET_errDatabasePatchFileMismatch);
        const uint32_t pgnoLast = (uint32_t)(*pcbFile / cbPage - 3);
        pg = bj_malloc(cbPage);
        if (!pg)
            ERR(JET_errOutOfMemory);
        CALL(bj_file_read_exact(f, *pcbFile - cbPage, pg, cbPage));
        if (bj_bk_trailer_decode(pg, cbPage, pgnoLast, &t) < 0)
            ERR(JET_errDatabasePatchFileMismatch);
        if (!same_sign(&t.signDb, &h->signDb) || !same_sign(&t.signLog, signLog) ||
            !same_sign(&h->signLog, signLog) ||
            bj_lgpos_cmp(&t.bkinfo.lgposMark, &h->bkinfoFullCur.lgposMark) != 0)
            ERR(JET_errDatabasePatchFileMismatch);
        *pimgLow = h->bkinfoFullCur.genLow;
        *pimgHigh = t.bkinfo.genHigh;
        *pfTrailer = true;
    }
fail:
    bj_free(pg);
    return err;
}

JET_ERR bj_rst_image_range(bj_os *os, const char *szImage, const bj_signature *signLog,
                           uint32_t *pimgLow, uint32_t *pimgHigh)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    bj_dbhdr h;
    uint32_t cbPage = 0;
    uint64_t cbFile = 0;
    bool fTrailer;
    CALL(image_open(os, szImage, BJ_OPEN_READONLY, &f));
    CALL(image_range(f, signLog, &h, &cbPage, &cbFile, pimgLow, pimgHigh, &fTrailer));
fail:
    bj_file_close(f);
    return err;
}

JET_ERR bj_rst_check_image(bj_os *os, const char *szImage, const bj_signature *signLog,
                           uint32_t genLow, uint32_t genHigh, bool fStop, bj_signature *psignDb)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    uint8_t *pg = NULL;
    bj_dbhdr h;
    uint32_t cbPage = 0, imgLow = 0, imgHigh = 0;
    uint64_t cbFile = 0;
    bool fTrailer = false;
    CALL(image_open(os, szImage, BJ_OPEN_LOCK, &f));
    CALL(image_range(f, signLog, &h, &cbPage, &cbFile, &imgLow, &imgHigh, &fTrailer));
    *psignDb = h.signDb;
    if (imgLow < genLow)
        ERR(JET_errStartingRestoreLogTooHigh);
    if (imgHigh > genHigh)
        ERR(JET_errEndingRestoreLogTooLow);
    if (!fTrailer)
        goto fail; /* nothing to merge */
    /* ESE raises the need to the whole set (a restore must not end early); a point-in-time
     * restore ends early on purpose, so the image needs only its own generations */
    const uint32_t genNeed = fStop ? imgHigh : genHigh;
    h.bkinfoFullCur.genHigh = genNeed;
    if (h.genMaxRequired < genNeed)
        h.genMaxRequired = genNeed;
    if (h.genMaxCommitted < genNeed)
        h.genMaxCommitted = genNeed;
    memset(&h.logtimeGenMaxCreate, 0, sizeof h.logtimeGenMaxCreate);
    memset(&h.logtimeGenMaxRequired, 0, sizeof h.logtimeGenMaxRequired);
    CALL(bj_redo_hdr_write(f, &h, cbPage));
    CALL(bj_file_sync(f));
    /* the trailer: zeroed, then cut off (the file is the live layout again) */
    pg = bj_calloc(1, cbPage);
    if (!pg)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_write(f, cbFile - cbPage, pg, cbPage));
    CALL(bj_file_set_size(f, cbFile - cbPage));
    CALL(bj_file_sync(f));
fail:
    bj_free(pg);
    bj_file_close(f);
    return err;
}

JET_ERR bj_rst_clear_bkinfo(bj_os *os, const char *szDb)
{
    JET_ERR err = JET_errSuccess;
    bj_file *f = NULL;
    bj_dbhdr h;
    uint32_t cbPage = 0;
    CALL(bj_file_open(os, szDb, BJ_OPEN_LOCK, &f));
    CALL(read_hdr(f, &h, &cbPage));
    memset(&h.bkinfoFullPrev, 0, sizeof h.bkinfoFullPrev);
    memset(&h.bkinfoIncPrev, 0, sizeof h.bkinfoIncPrev);
    memset(&h.bkinfoCopyPrev, 0, sizeof h.bkinfoCopyPrev);
    memset(&h.bkinfoDiffPrev, 0, sizeof h.bkinfoDiffPrev);
    memset(&h.bkinfoFullCur, 0, sizeof h.bkinfoFullCur);
    memset(&h.bkinfoSnapshotCur, 0, sizeof h.bkinfoSnapshotCur);
    h.bkinfoTypeFullPrev = h.bkinfoTypeIncPrev = 0;
    h.bkinfoTypeCopyPrev = h.bkinfoTypeDiffPrev = 0;
    CALL(bj_redo_hdr_write(f, &h, cbPage));
    CALL(bj_file_sync(f));
fail:
    bj_file_close(f);
    return err;
}
