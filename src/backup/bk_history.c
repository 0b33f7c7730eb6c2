/* bk_history.c: the backup history in the database headers (ese-backup-spec.md §2.9, §4):
 * what End(Normal) records, and the checks of an incremental backup against it.
 *
 * Slots: a full backup whose logs were truncated (TruncateLog or JET_bitBackupTruncateDone)
 * goes to bkinfoFullPrev and clears IncPrev, DiffPrev (and their types) and SnapshotCur; one
 * not truncated goes to CopyPrev. An incremental goes to IncPrev when truncated, else to
 * DiffPrev. A slot is overwritten only if its stored mark is not after the new one. Only
 * databases whose stream was read completely (full) or that were enrolled (incremental) change.
 * bkinfoType* = 0 (backupNormal).
 */
#include "backup/bk_int.h"

#define BK_TYPE_NORMAL 0u

typedef struct hist_upd {
    bj_bkinfo bk;
    bool full, truncated;
} hist_upd;

static bool mark_allows(const bj_bkinfo *stored, const bj_bkinfo *now)
{
    return bj_lgpos_cmp(&stored->lgposMark, &now->lgposMark) <= 0;
}

static void apply(bj_dbhdr *h, void *ctx)
{
    const hist_upd *u = ctx;
    if (u->full && u->truncated) {
        if (!mark_allows(&h->bkinfoFullPrev, &u->bk))
            return;
        h->bkinfoFullPrev = u->bk;
        h->bkinfoTypeFullPrev = BK_TYPE_NORMAL;
        memset(&h->bkinfoIncPrev, 0, sizeof(h->bkinfoIncPrev));
        memset(&h->bkinfoDiffPrev, 0, sizeof(h->bkinfoDiffPrev));
        h->bkinfoTypeIncPrev = h->bkinfoTypeDiffPrev = 0;
        memset(&h->bkinfoSnapshotCur, 0, sizeof(h->bkinfoSnapshotCur));
    } else if (u->full) {
        if (!mark_allows(&h->bkinfoCopyPrev, &u->bk))
            return;
        h->bkinfoCopyPrev = u->bk;
        h->bkinfoTypeCopyPrev = BK_TYPE_NORMAL;
    } else if (u->truncated) {
        if (!mark_allows(&h->bkinfoIncPrev, &u->bk))
            return;
        h->bkinfoIncPrev = u->bk;
        h->bkinfoTypeIncPrev = BK_TYPE_NORMAL;
    } else {
        if (!mark_allows(&h->bkinfoDiffPrev, &u->bk))
            return;
        h->bkinfoDiffPrev = u->bk;
        h->bkinfoTypeDiffPrev = BK_TYPE_NORMAL;
    }
}

JET_ERR bk_history_update(bj_backup *bk, bool fTruncated)
{
    JET_ERR err = JET_errSuccess;
    hist_upd u;
    memset(&u, 0, sizeof(u));
    u.bk.lgposMark = bk->mark;
    u.bk.logtimeMark = bk->markTime;
    u.bk.genLow = bk->copyMic;
    u.bk.genHigh = bk->copyMac - 1;
    u.full = bk->full;
    u.truncated = fTruncated;
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = bk_db(bk, i);
        if (!db || !bk->dbIn[i] || (bk->full && !bk->dbDone[i]))
            continue;
        const JET_ERR e = bj_ilog_db_header_update(db, apply, &u);
        if (e < 0 && err >= 0)
            err = e; /* ESE: an event only; the other databases are still updated */
    }
    return err;
}

JET_ERR bk_history_check_incremental(bj_backup *bk)
{
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = bk_db(bk, i);
        if (!db)
            continue;
        bj_dbhdr h;
        bj_ilog_db_header_snapshot(db, &h);
        if (h.bkinfoFullPrev.genLow == 0 || h.bkinfoTypeFullPrev != BK_TYPE_NORMAL)
            return BJ_ERR(JET_errMissingFullBackup);
    }
    return JET_errSuccess;
}

JET_ERR bk_history_check_continuity(bj_backup *bk, uint32_t genLow)
{
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = bk_db(bk, i);
        if (!db || !bk->dbIn[i])
            continue;
        bj_dbhdr h;
        bj_ilog_db_header_snapshot(db, &h);
        const uint32_t genHigh = BJ_MAX(h.bkinfoFullPrev.genHigh, h.bkinfoIncPrev.genHigh);
        if (genLow > genHigh + 1)
            return BJ_ERR(JET_errMissingFileToBackup);
    }
    return JET_errSuccess;
}

uint32_t bk_history_delete_limit(bj_backup *bk, uint32_t deleteMac)
{
    for (uint32_t i = 0; i < BJ_DB_MAX; i++) {
        bj_db *db = bk_db(bk, i);
        if (!db || bk->dbDone[i])
            continue;
        bj_dbhdr h;
        bj_ilog_db_header_snapshot(db, &h);
        deleteMac = BJ_MIN(deleteMac, h.bkinfoFullPrev.genHigh);
    }
    return deleteMac;
}
