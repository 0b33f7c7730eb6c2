/* inst_restore.c: hard restore on an instance (see restore.h). The steps, ESE's order
 * (ese-backup-spec.md §2.12, §2.13, §7):
 *  1. the backup set genLow..genHigh (found in the folder when not given) is checked (§7.2),
 *     then the logs already in the log folder (§7.2, second half);
 *  2. the databases: the caller's map, or (JetRestore) the .pat markers matched by name with
 *     the databases the backup set's logs name, whose images are copied to their destination;
 *     two images of one database are refused;
 *  3. every image is checked and its trailer merged (§7.3);
 *  4. edb.chk is deleted; recovery runs from genLow with the map (databases not in it are
 *     ignored), through the backup set and the log folder's contiguous generations, then undo
 *     and a clean detach; the log ends with TERM and a checkpoint (inst_recover.c);
 *  5. every restored database's backup records are zeroed.
 * The instance is marked restoring for the whole time and left not initialized.
 */
#include "inst/restore.h"

#include <stdio.h>

#include "inst/inst_log.h"
#include "inst/inst_recover.h"
#include "recovery/lrbody.h"
#include "recovery/rst_check.h"

/* A database the backup set's logs name. */
typedef struct rst_db {
    char szFrom[1024]; /* the logged path */
    char szTo[BJ_PATH_MAX];
    bj_signature signDb;
} rst_db;

typedef struct rst_ctx {
    const bj_restore_params *p;
    const char **rgszBak; /* szBackupPath (or its new/, old/), then rgszMoreBackupPaths */
    uint32_t cBak;
    char szBakSub[BJ_PATH_MAX];
    bj_restore_result res;
    rst_db *rgdb;
    uint32_t cdb;
    bj_log_hdr hdrLow, hdrHigh;
    uint32_t pctLast;
} rst_ctx;

static void status(rst_ctx *c, JET_SNT snt, uint32_t done)
{
    if (c->p->pfnStatus)
        (void)c->p->pfnStatus(c->p->ctxStatus, snt, done, 100);
}

static void on_progress(void *ctx, uint32_t gen, uint32_t genFirst, uint32_t genEnd)
{
    rst_ctx *c = ctx;
    uint32_t pct = genEnd > genFirst ? (uint32_t)((uint64_t)(gen - genFirst) * 100 /
                                                  (genEnd - genFirst + 1))
                                     : 0;
    if (pct > 99)
        pct = 99;
    if (pct > c->pctLast || gen == genFirst) {
        c->pctLast = pct;
        status(c, JET_sntProgress, pct);
    }
}

/* ---- the databases the backup set names (for the .pat markers) ---- */

static JET_ERR add_db(rst_ctx *c, const char *path, uint32_t cbPath, const bj_signature *sign)
{
    if (cbPath >= sizeof c->rgdb[0].szFrom)
        return BJ_ERR(JET_errLogFileCorrupt);
    for (uint32_t i = 0; i < c->cdb; i++)
        if (strlen(c->rgdb[i].szFrom) == cbPath && memcmp(c->rgdb[i].szFrom, path, cbPath) == 0)
            return JET_errSuccess;
    rst_db *rg = bj_realloc(c->rgdb, (c->cdb + 1) * sizeof(*rg));
    if (!rg)
        return BJ_ERR(JET_errOutOfMemory);
    c->rgdb = rg;
    rst_db *d = &c->rgdb[c->cdb++];
    memset(d, 0, sizeof(*d));
    memcpy(d->szFrom, path, cbPath);
    d->signDb = *sign;
    return JET_errSuccess;
}

static JET_ERR collect_logged_dbs(rst_ctx *c, bj_os *os, const char *szBase)
{
    JET_ERR err = JET_errSuccess;
    bj_logr *lr = NULL;
    for (uint32_t i = 0; i < c->hdrLow.cattach; i++) {
        const bj_log_attach *a = &c->hdrLow.rgattach[i];
        CALL(add_db(c, a->szPath, (uint32_t)strlen(a->szPath), &a->signDb));
    }
    bj_logr_config lc = {.os = os,
                         .szLogPath = c->rgszBak[0],
                         .szBaseName = szBase,
                         .lsnStart = BJ_LSN_MAKE(c->res.genLow, 0),
                         .genLast = c->res.genHigh,
                         .rgszBackupPath = c->rgszBak,
                         .cBackupPath = c->cBak,
                         .genBackupHigh = c->res.genHigh};
    CALL(bj_logr_open(&lc, &lr));
    for (;;) {
        bj_logr_rec rec;
        bool fEnd = false;
        CALL(bj_logr_next(lr, &rec, &fEnd));
        if (fEnd)
            break;
        if (rec.type == BJ_LR_ATTACH) {
            bj_lr_attach a;
            CALL(bj_lr_attach_decode(rec.body, rec.cb, &a));
            CALL(add_db(c, a.path, a.cbPath, &a.signDb));
        }
    }
fail:
    bj_logr_close(lr);
    return err;
}

/* "name.ext" -> does "name" equal generic (the .pat file's name without ".pat")? */
static bool generic_match(const char *szFile, const char *generic, size_t cbGeneric)
{
    const char *dot = strrchr(szFile, '.');
    size_t n = dot ? (size_t)(dot - szFile) : strlen(szFile);
    return n == cbGeneric && memcmp(szFile, generic, n) == 0;
}

typedef struct pat_ctx {
    rst_ctx *c;
    uint32_t cpat;
    bool *rgfWanted;
} pat_ctx;

static void pat_fn(void *ctx, const char *name, bool is_dir)
{
    pat_ctx *pc = ctx;
    size_t n = strlen(name);
    if (is_dir || n < 5 || strcmp(name + n - 4, ".pat") != 0)
        return;
    pc->cpat++;
    for (uint32_t i = 0; i < pc->c->cdb; i++)
        if (generic_match(bj_path_name(pc->c->rgdb[i].szFrom), name, n - 4))
            pc->rgfWanted[i] = true;
}

static JET_ERR copy_file(bj_os *os, const char *szFrom, const char *szTo)
{
    JET_ERR err = JET_errSuccess;
    bj_file *fi = NULL, *fo = NULL;
    const size_t cbBuf = 1u << 20;
    uint8_t *buf = bj_malloc(cbBuf);
    uint64_t cb = 0;
    char szDir[BJ_PATH_MAX];
    if (!buf)
        ERR(JET_errOutOfMemory);
    CALL(bj_file_open(os, szFrom, BJ_OPEN_READONLY, &fi));
    CALL(bj_file_size(fi, &cb));
    CALL(bj_path_dir(szDir, sizeof szDir, szTo));
    CALL(bj_path_ensure_dir(os, szDir, true));
    CALL(bj_file_open(os, szTo, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE | BJ_OPEN_LOCK, &fo));
    for (uint64_t off = 0; off < cb;) {
        size_t n = (size_t)BJ_MIN((uint64_t)cbBuf, cb - off);
        CALL(bj_file_read_exact(fi, off, buf, n));
        CALL(bj_file_write(fo, off, buf, n));
        off += n;
    }
    CALL(bj_file_sync(fo));
fail:
    bj_file_close(fi);
    bj_file_close(fo);
    bj_free(buf);
    return err;
}

/* JetRestore: the databases of the .pat markers, their images copied into place. */
static JET_ERR map_from_pat(rst_ctx *c, bj_os *os, const char *szBase)
{
    JET_ERR err = JET_errSuccess;
    pat_ctx pc = {c, 0, NULL};
    rst_db *rgKeep = NULL;
    uint32_t cKeep = 0;
    CALL(collect_logged_dbs(c, os, szBase));
    pc.rgfWanted = bj_calloc(c->cdb + 1, sizeof(bool));
    if (!pc.rgfWanted)
        ERR(JET_errOutOfMemory);
    CALL(bj_os_list_dir(os, c->rgszBak[0], pat_fn, &pc));
    if (pc.cpat == 0)
        ERR(JET_errPatchFileMissing);
    rgKeep = bj_calloc(c->cdb + 1, sizeof(*rgKeep));
    if (!rgKeep)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < c->cdb; i++) {
        if (!pc.rgfWanted[i])
            continue; /* no marker: not restored */
        rst_db *d = &rgKeep[cKeep++];
        *d = c->rgdb[i];
        char szSrc[BJ_PATH_MAX];
        const char *szFile = bj_path_name(d->szFrom);
        CALL(bj_path_join(szSrc, sizeof szSrc, c->rgszBak[0], szFile));
        if (c->p->szDest)
            CALL(bj_path_join(d->szTo, sizeof d->szTo, c->p->szDest, szFile));
        else
            snprintf(d->szTo, sizeof d->szTo, "%s", d->szFrom);
        char a[BJ_PATH_MAX], b[BJ_PATH_MAX];
        CALL(bj_path_absolute(a, sizeof a, szSrc));
        CALL(bj_path_absolute(b, sizeof b, d->szTo));
        if (strcmp(a, b) != 0)
            CALL(copy_file(os, szSrc, d->szTo));
    }
    bj_free(c->rgdb);
    c->rgdb = rgKeep;
    c->cdb = cKeep;
    rgKeep = NULL;
fail:
    bj_free(rgKeep);
    bj_free(pc.rgfWanted);
    return err;
}

static JET_ERR map_from_caller(rst_ctx *c)
{
    const bj_restore_params *p = c->p;
    if (p->cmap == 0)
        return JET_errSuccess;
    c->rgdb = bj_calloc(p->cmap, sizeof(*c->rgdb));
    if (!c->rgdb)
        return BJ_ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < p->cmap; i++) {
        const bj_restore_map *m = &p->rgmap[i];
        if (!m->szFrom || !m->szTo || !*m->szFrom || !*m->szTo)
            return BJ_ERR(JET_errInvalidParameter);
        if (strlen(m->szFrom) >= sizeof c->rgdb[0].szFrom ||
            strlen(m->szTo) >= sizeof c->rgdb[0].szTo)
            return BJ_ERR(JET_errInvalidPath);
        strcpy(c->rgdb[i].szFrom, m->szFrom);
        strcpy(c->rgdb[i].szTo, m->szTo);
    }
    c->cdb = p->cmap;
    return JET_errSuccess;
}

/* ---- the restore on the instance ---- */

static JET_ERR restore_on(bj_inst *inst, void *ctx)
{
    JET_ERR err = JET_errSuccess;
    rst_ctx *c = ctx;
    const bj_restore_params *p = c->p;
    bj_redo_map *rgmap = NULL;
    bj_ilog_paths paths;
    bj_log_config lcfg;
    char sz[BJ_PATH_MAX];

    if (p->szLogPath)
        CALL(bj_param_set(inst, NULL, JET_paramLogFilePath, 0, p->szLogPath));
    if (p->szSystemPath) {
        CALL(bj_param_set(inst, NULL, JET_paramSystemPath, 0, p->szSystemPath));
        CALL(bj_param_set(inst, NULL, JET_paramTempPath, 0, p->szSystemPath));
    }
    if (p->szBaseName)
        CALL(bj_param_set(inst, NULL, JET_paramBaseName, 0, p->szBaseName));
    if (!bj_ilog_enabled(inst))
        ERR(JET_errLoggingDisabled);
    bj_ilog_config(inst, &paths, &lcfg);
    /* rolling forward into a running instance's log (ESE's target instance) is not built */
    if (bj_inst_log_path_in_use(inst, paths.log))
        ERR(JET_errFeatureNotAvailable);
    status(c, JET_sntBegin, 0);

    /* 1: the backup set and the log folder */
    c->res.genLow = p->genLow;
    c->res.genHigh = p->genHigh;
    if (!c->res.genLow || !c->res.genHigh) {
        uint32_t lo, hi;
        CALL(bj_rst_find_range(inst->os, c->rgszBak, c->cBak, paths.base, &lo, &hi));
        /* JetRestore: JetBackup's atomic layout keeps the set in new/ or old/ */
        static const char *const rgszSub[] = {"new", "old"};
        for (uint32_t i = 0; !lo && p->fPatFiles && i < BJ_ARRAY_LEN(rgszSub); i++) {
            CALL(bj_path_join(c->szBakSub, sizeof c->szBakSub, p->szBackupPath, rgszSub[i]));
            c->rgszBak[0] = c->szBakSub;
            CALL(bj_rst_find_range(inst->os, c->rgszBak, c->cBak, paths.base, &lo, &hi));
        }
        if (!lo)
            c->rgszBak[0] = p->szBackupPath;
        if (!lo)
            ERR(JET_errFileNotFound);
        if (!c->res.genLow)
            c->res.genLow = lo;
        if (!c->res.genHigh)
            c->res.genHigh = hi;
    }
    CALL(bj_rst_check_backup_logs(inst->os, c->rgszBak, c->cBak, paths.base, c->res.genLow,
                                  c->res.genHigh, &c->hdrLow, &c->hdrHigh));
    CALL(bj_path_ensure_dir(inst->os, paths.log, true));
    CALL(bj_path_ensure_dir(inst->os, paths.sys, true));
    CALL(bj_rst_check_log_path(inst->os, paths.log, paths.base, &c->hdrLow, &c->hdrHigh));

    /* 2, 3: the databases and their images */
    if (p->fPatFiles)
        CALL(map_from_pat(c, inst->os, paths.base));
    else
        CALL(map_from_caller(c));
    for (uint32_t i = 0; i < c->cdb; i++) {
        CALL(bj_rst_check_image(inst->os, c->rgdb[i].szTo, &c->hdrLow.signLog, c->res.genLow,
                                c->res.genHigh, p->lsnStop != 0 || p->fTimeStop,
                                &c->rgdb[i].signDb));
        for (uint32_t j = 0; j < i; j++)
            if (memcmp(&c->rgdb[j].signDb, &c->rgdb[i].signDb, sizeof(bj_signature)) == 0)
                ERR(JET_errInvalidParameter); /* two images of one database */
    }

    /* 4: replay from genLow */
    CALL(bj_log_name_chk(sz, sizeof sz, paths.sys, paths.base));
    {
        bool fExists = false;
        CALL(bj_os_stat(inst->os, sz, &fExists, NULL, NULL));
        if (fExists)
            CALL(bj_os_remove(inst->os, sz));
    }
    rgmap = bj_calloc(c->cdb + 1, sizeof(*rgmap));
    if (!rgmap)
        ERR(JET_errOutOfMemory);
    for (uint32_t i = 0; i < c->cdb; i++)
        rgmap[i] = (bj_redo_map){.szFrom = c->rgdb[i].szFrom, .szTo = c->rgdb[i].szTo};
    bj_recover_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.redo.rgmap = rgmap;
    opts.redo.cmap = c->cdb;
    opts.redo.fMapOnly = true;
    opts.redo.lsnStart = BJ_LSN_MAKE(c->res.genLow, 0);
    opts.redo.rgattachStart = c->hdrLow.rgattach;
    opts.redo.cattachStart = c->hdrLow.cattach;
    opts.redo.signLogStart = c->hdrLow.signLog;
    opts.redo.rgszBackupPath = c->rgszBak;
    opts.redo.cBackupPath = c->cBak;
    opts.redo.genBackupHigh = c->res.genHigh;
    opts.redo.lsnStop = p->lsnStop;
    opts.redo.fTimeStop = p->fTimeStop;
    opts.redo.tmStop = p->tmStop;
    opts.redo.pfnProgress = on_progress;
    opts.redo.ctxProgress = c;
    CALL(bj_inst_recover_offline(inst, &opts));
    c->res.lsnEnd = opts.lsnEnd;
    c->res.fStopped = opts.fStopped;
    c->res.genNext = opts.genNext;
    c->res.cRecords = opts.cRecords;
    c->res.cbReplayed = opts.cbReplayed;

    /* 5: the restored databases carry no backup history */
    for (uint32_t i = 0; i < c->cdb; i++)
        CALL(bj_rst_clear_bkinfo(inst->os, c->rgdb[i].szTo));
    c->res.cdb = c->cdb;
    status(c, JET_sntComplete, 100);
fail:
    if (err < 0)
        status(c, JET_sntFail, c->pctLast);
    bj_free(rgmap);
    return err;
}

JET_ERR bj_restore_run(const bj_restore_params *p)
{
    JET_ERR err = JET_errSuccess;
    rst_ctx c;
    memset(&c, 0, sizeof c);
    if (!p || !p->szBackupPath || !*p->szBackupPath || (p->cmap && !p->rgmap))
        return BJ_ERR(JET_errInvalidParameter);
    if (p->genLow && p->genHigh && p->genLow > p->genHigh)
        return BJ_ERR(JET_errInvalidParameter);
    c.p = p;
    c.rgszBak = bj_calloc(1 + p->cMoreBackupPaths, sizeof(char *));
    if (!c.rgszBak)
        return BJ_ERR(JET_errOutOfMemory);
    c.rgszBak[c.cBak++] = p->szBackupPath;
    for (uint32_t i = 0; i < p->cMoreBackupPaths; i++) {
        if (!p->rgszMoreBackupPaths || !p->rgszMoreBackupPaths[i]) {
            bj_free(c.rgszBak);
            return BJ_ERR(JET_errInvalidParameter);
        }
        c.rgszBak[c.cBak++] = p->rgszMoreBackupPaths[i];
    }
    err = bj_inst_restore(p->instance, p->fLegacy, p->szTempName ? p->szTempName : "Restore", restore_on, &c);
    if (p->presult)
        *p->presult = c.res;
    bj_free(c.rgdb);
    bj_free(c.rgszBak);
    return err;
}
