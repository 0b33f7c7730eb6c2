/* bk_fakeimage.c: a backup set made the way a full backup makes it (see bk_fakeimage.h). */
#include "bk_fakeimage.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/bk_trailer.h"
#include "inst/inst.h"
#include "inst/inst_log.h"
#include "log/log.h"
#include "page/dbhdr.h"

bool bk_fake_roll_first;

JET_ERR bk_copy_file(const char *szFrom, const char *szTo)
{
    JET_ERR err = JET_errSuccess;
    int fi = open(szFrom, O_RDONLY), fo = -1;
    char buf[65536];
    if (fi < 0)
        return JET_errFileNotFound;
    fo = open(szTo, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0) {
        close(fi);
        return JET_errDiskIO;
    }
    for (;;) {
        ssize_t n = read(fi, buf, sizeof buf);
        if (n < 0) {
            err = JET_errDiskIO;
            break;
        }
        if (n == 0)
            break;
        if (write(fo, buf, (size_t)n) != n) {
            err = JET_errDiskIO;
            break;
        }
    }
    close(fi);
    close(fo);
    return err;
}

/* One database's image into szOut; returns its header and size through the outputs. */
static JET_ERR image_copy(const char *szDb, const char *szOut, const bj_bkinfo *bk,
                          uint32_t cbPage, bj_dbhdr *ph, uint32_t *ppgnoLast)
{
    JET_ERR err = JET_errSuccess;
    int fi = open(szDb, O_RDONLY), fo = -1;
    uint8_t *pg = malloc(2 * 32768);
    bool fShadow;
    uint32_t cbHdrPage = 0;
    if (fi < 0 || !pg) {
        err = JET_errFileNotFound;
        goto done;
    }
    /* the header snapshot first, then the size (as OpenFile does) */
    ssize_t n = pread(fi, pg, 2 * 32768, 0);
    if (n < 0 || bj_dbhdr_choose(pg, (size_t)n, &cbHdrPage, ph, &fShadow) < 0 ||
        cbHdrPage != cbPage) {
        err = JET_errDatabaseCorrupted;
        goto done;
    }
    struct stat st;
    if (fstat(fi, &st) != 0) {
        err = JET_errDiskIO;
        goto done;
    }
    const uint32_t pgnoLast = (uint32_t)(st.st_size / cbPage) - 2;
    bj_dbhdr h = *ph;
    h.bkinfoFullCur = *bk;
    fo = open(szOut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || bj_dbhdr_encode(&h, pg, cbPage) < 0 ||
        pwrite(fo, pg, cbPage, 0) != (ssize_t)cbPage ||
        pwrite(fo, pg, cbPage, cbPage) != (ssize_t)cbPage) {
        err = JET_errDiskIO;
        goto done;
    }
    for (uint32_t pgno = 1; pgno <= pgnoLast; pgno++) {
        off_t off = (off_t)(pgno + 1) * cbPage;
        ssize_t r = pread(fi, pg, cbPage, off);
        if (r < (ssize_t)cbPage)
            memset(pg + (r > 0 ? r : 0), 0, cbPage - (size_t)(r > 0 ? r : 0));
        if (pwrite(fo, pg, cbPage, off) != (ssize_t)cbPage) {
            err = JET_errDiskIO;
            goto done;
        }
    }
    *ppgnoLast = pgnoLast;
done:
    if (fi >= 0)
        close(fi);
    if (fo >= 0)
        close(fo);
    free(pg);
    return err;
}

static JET_ERR trailer_append(const char *szOut, const bj_dbhdr *h, const bj_bkinfo *bk,
                              const bj_signature *signLog, uint32_t pgnoLast, uint32_t cbPage)
{
    bj_bk_trailer t;
    memset(&t, 0, sizeof t);
    t.bkinfo = *bk;
    t.signDb = h->signDb;
    t.signLog = *signLog;
    t.genMinRequired = h->genMinRequired;
    t.genMaxRequired = bk->genHigh;
    t.genMaxCommitted = bk->genHigh;
    uint8_t *pg = calloc(1, cbPage);
    int fo = open(szOut, O_WRONLY);
    JET_ERR err = JET_errSuccess;
    if (!pg || fo < 0)
        err = JET_errDiskIO;
    else {
        bj_bk_trailer_encode(&t, pgnoLast, pg, cbPage);
        if (pwrite(fo, pg, cbPage, (off_t)(pgnoLast + 2) * cbPage) != (ssize_t)cbPage)
            err = JET_errDiskIO;
    }
    if (fo >= 0)
        close(fo);
    free(pg);
    return err;
}

JET_ERR bk_fake_backup(JET_INSTANCE instance, const char *const *rgszDb, uint32_t cdb,
                       const char *szDir, bool fPat, uint32_t *pgenLow, uint32_t *pgenHigh)
{
    JET_ERR err = JET_errSuccess;
    bj_inst *inst = NULL;
    bj_chk_info *chk = calloc(1, sizeof *chk);
    bj_dbhdr *rgh = calloc(cdb ? cdb : 1, sizeof *rgh);
    uint32_t *rgpgno = calloc(cdb ? cdb : 1, sizeof *rgpgno);
    char sz[4096], szTo[4096];
    if (!chk || !rgh || !rgpgno) {
        err = JET_errOutOfMemory;
        goto done;
    }
    mkdir(szDir, 0755);
    if ((err = bj_inst_enter(instance, &inst)) < 0)
        goto done;
    bj_ilog_paths paths;
    bj_log_config lcfg;
    bj_ilog_config(inst, &paths, &lcfg);
    bj_log *log = bj_ilog_log(inst);
    if (!log) {
        err = JET_errLoggingDisabled;
        goto done;
    }
    if ((err = bj_chk_read(inst->os, paths.sys, paths.base, chk)) < 0)
        goto done;
    const uint32_t cbPage = bj_param_page_size();
    bj_bkinfo bk;
    memset(&bk, 0, sizeof bk);
    bk.lgposMark = bj_lsn_to_lgpos(bj_log_end(log));
    bj_logtime_now(&bk.logtimeMark);
    bk.genLow = BJ_LSN_GEN(chk->lsnCheckpoint);
    if (bk_fake_roll_first) {
        uint32_t g;
        if ((err = bj_log_roll(log, &g)) < 0)
            goto done;
    }
    for (uint32_t i = 0; i < cdb; i++) {
        snprintf(szTo, sizeof szTo, "%s/%s", szDir, bj_path_name(rgszDb[i]));
        if ((err = image_copy(rgszDb[i], szTo, &bk, cbPage, &rgh[i], &rgpgno[i])) < 0)
            goto done;
    }
    uint32_t genDone = 0;
    if ((err = bj_log_roll(log, &genDone)) < 0)
        goto done;
    bk.genHigh = genDone;
    bj_signature signLog;
    bj_log_signature(log, &signLog);
    for (uint32_t i = 0; i < cdb; i++) {
        snprintf(szTo, sizeof szTo, "%s/%s", szDir, bj_path_name(rgszDb[i]));
        if ((err = trailer_append(szTo, &rgh[i], &bk, &signLog, rgpgno[i], cbPage)) < 0)
            goto done;
        if (fPat) {
            const char *name = bj_path_name(rgszDb[i]);
            const char *dot = strrchr(name, '.');
            int cb = dot ? (int)(dot - name) : (int)strlen(name);
            snprintf(szTo, sizeof szTo, "%s/%.*s.pat", szDir, cb, name);
            int fd = open(szTo, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0)
                close(fd);
        }
    }
    for (uint32_t g = bk.genLow; g <= bk.genHigh; g++) {
        if ((err = bj_log_name_gen(sz, sizeof sz, paths.log, paths.base, g)) < 0 ||
            (err = bj_log_name_gen(szTo, sizeof szTo, szDir, paths.base, g)) < 0 ||
            (err = bk_copy_file(sz, szTo)) < 0)
            goto done;
    }
    if (pgenLow)
        *pgenLow = bk.genLow;
    if (pgenHigh)
        *pgenHigh = bk.genHigh;
done:
    if (inst)
        bj_inst_leave(inst);
    free(chk);
    free(rgh);
    free(rgpgno);
    return err;
}

JET_ERR bk_fake_log_position(JET_INSTANCE instance, uint32_t *pgen, uint64_t *plsnEnd)
{
    bj_inst *inst = NULL;
    JET_ERR err = bj_inst_enter(instance, &inst);
    if (err < 0)
        return err;
    bj_log *log = bj_ilog_log(inst);
    if (log) {
        if (pgen)
            *pgen = bj_log_generation(log);
        if (plsnEnd)
            *plsnEnd = bj_log_end(log);
    } else
        err = JET_errLoggingDisabled;
    bj_inst_leave(inst);
    return err;
}

JET_ERR bk_fake_roll(JET_INSTANCE instance)
{
    bj_inst *inst = NULL;
    JET_ERR err = bj_inst_enter(instance, &inst);
    if (err < 0)
        return err;
    bj_log *log = bj_ilog_log(inst);
    uint32_t g;
    err = log ? bj_log_roll(log, &g) : JET_errLoggingDisabled;
    bj_inst_leave(inst);
    return err;
}
