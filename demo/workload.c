/* workload.c: the writers with an invariant and their verifier (see workload.h). Public esent.h
 * API only: this file must build against the installed header and library alone.
 *
 * Each writer thread owns one session, one database handle and three cursors; the caller sees
 * only the atomics of bj_wl (published seqs, commit count, stop flag). The monitor thread reads
 * the commit count only.
 */
#include "workload.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WL_PAGE 8192
#define WL_BATCH 1000

typedef struct wl_cols {
    JET_COLUMNID accId, accBal;
    JET_COLUMNID wrId, wrSeq;
    JET_COLUMNID hWriter, hSeq, hFrom, hTo, hAmount, hPad;
} wl_cols;

typedef struct wl_writer {
    struct bj_wl *wl;
    int id;
    pthread_t thread;
    bool started;
    JET_SESID ses;
    JET_DBID dbid;
    bool dbOpen;
    JET_TABLEID tAcc, tWr, tHist;
    uint64_t rng;
    uint64_t conflicts;
    JET_ERR err;
    _Atomic int64_t seq; /* published after each durable commit */
} wl_writer;

struct bj_wl {
    JET_INSTANCE inst;
    bj_wl_params p;
    char db[4096];
    wl_cols cols;
    uint8_t *pad;
    double t0;
    atomic_bool stop;
    _Atomic uint64_t commits;
    wl_writer w[BJ_WL_MAX_WRITERS];
    pthread_t monitor;
    bool monitorStarted;
    bj_wl_rate_fn fn;
    void *ctx;
    int intervalMs;
};

static double wl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bj_wl_params_fill(const bj_wl_params *p, bj_wl_params *out)
{
    bj_wl_params d = {0};
    if (p)
        d = *p;
    if (d.cAccounts <= 1)
        d.cAccounts = d.cAccounts == 1 ? 2 : 1000;
    if (d.initialBalance == 0)
        d.initialBalance = 1000;
    if (d.cWriters <= 0)
        d.cWriters = 4;
    if (d.cWriters > BJ_WL_MAX_WRITERS)
        d.cWriters = BJ_WL_MAX_WRITERS;
    if (d.maxAmount <= 0)
        d.maxAmount = 100;
    if (d.seed == 0)
        d.seed = 1;
    *out = d;
}

/* ---- instance and schema ---- */

static int wl_mkdir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

JET_ERR bj_wl_instance_open(const char *dir, const char *name, JET_INSTANCE *pinst)
{
    char path[4096];
    JET_INSTANCE inst = 0;
    JET_ERR err;
    size_t n = strlen(dir);
    if (n == 0 || n + 2 > sizeof path)
        return JET_errInvalidPath;
    if (wl_mkdir(dir) < 0)
        return JET_errInvalidPath;
    snprintf(path, sizeof path, "%s%s", dir, dir[n - 1] == '/' ? "" : "/");
    if ((err = JetCreateInstance(&inst, name)) < 0)
        return err;
    if ((err = JetSetSystemParameter(&inst, 0, JET_paramDatabasePageSize, WL_PAGE, NULL)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramMaxSessions, BJ_WL_MAX_WRITERS + 16,
                                     NULL)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramCircularLog, 0, NULL)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, path)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, path)) < 0 ||
        (err = JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, path)) < 0 ||
        (err = JetInit(&inst)) < 0) {
        JetTerm(inst);
        return err;
    }
    *pinst = inst;
    return JET_errSuccess;
}

#define COL(name_, typ_, cb_, bits_)                                                               \
    {                                                                                              \
        .cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = (name_), .coltyp = (typ_),           \
        .cbMax = (cb_), .grbit = (bits_)                                                           \
    }

static JET_ERR wl_create_table(JET_SESID ses, JET_DBID dbid, const char *name,
                               JET_COLUMNCREATE *cols, uint32_t ccol, char *key, uint32_t cbKey)
{
    JET_INDEXCREATE idx = {.cbStruct = sizeof(JET_INDEXCREATE),
                           .szIndexName = "pk",
                           .szKey = key,
                           .cbKey = cbKey,
                           .grbit = JET_bitIndexPrimary | JET_bitIndexUnique,
                           .ulDensity = 90};
    JET_TABLECREATE tc = {.cbStruct = sizeof tc,
                          .szTableName = (char *)name,
                          .ulPages = 4,
                          .ulDensity = 90,
                          .rgcolumncreate = cols,
                          .cColumns = ccol,
                          .rgindexcreate = &idx,
                          .cIndexes = 1};
    JET_ERR err = JetCreateTableColumnIndex(ses, dbid, &tc);
    if (err < 0)
        return err;
    for (uint32_t i = 0; i < ccol; i++)
        if (cols[i].err < 0)
            return cols[i].err;
    return JetCloseTable(ses, tc.tableid);
}

static JET_ERR wl_create_schema(JET_SESID ses, JET_DBID dbid)
{
    JET_ERR err;
    JET_COLUMNCREATE acc[] = {COL("id", JET_coltypLong, 4, JET_bitColumnNotNULL),
                              COL("balance", JET_coltypLongLong, 8, JET_bitColumnNotNULL)};
    static char accKey[] = "+id\0";
    JET_COLUMNCREATE wr[] = {COL("id", JET_coltypLong, 4, JET_bitColumnNotNULL),
                             COL("seq", JET_coltypLongLong, 8, JET_bitColumnNotNULL)};
    static char wrKey[] = "+id\0";
    JET_COLUMNCREATE hist[] = {COL("writer", JET_coltypLong, 4, JET_bitColumnNotNULL),
                               COL("seq", JET_coltypLongLong, 8, JET_bitColumnNotNULL),
                               COL("from", JET_coltypLong, 4, JET_bitColumnNotNULL),
                               COL("to", JET_coltypLong, 4, JET_bitColumnNotNULL),
                               COL("amount", JET_coltypLongLong, 8, JET_bitColumnNotNULL),
                               COL("pad", JET_coltypLongBinary, 0, 0)};
    static char histKey[] = "+writer\0+seq\0";
    if ((err = wl_create_table(ses, dbid, "accounts", acc, 2, accKey, sizeof accKey)) < 0 ||
        (err = wl_create_table(ses, dbid, "writers", wr, 2, wrKey, sizeof wrKey)) < 0 ||
        (err = wl_create_table(ses, dbid, "history", hist, 6, histKey, sizeof histKey)) < 0)
        return err;
    return JET_errSuccess;
}

static JET_ERR wl_colid(JET_SESID ses, JET_DBID dbid, const char *table, const char *col,
                        JET_COLUMNID *pid)
{
    JET_COLUMNDEF def = {.cbStruct = sizeof def};
    JET_ERR err = JetGetColumnInfo(ses, dbid, table, col, &def, sizeof def, JET_ColInfo);
    if (err < 0)
        return err;
    *pid = def.columnid;
    return JET_errSuccess;
}

static JET_ERR wl_load_cols(JET_SESID ses, JET_DBID dbid, wl_cols *c)
{
    JET_ERR err;
    if ((err = wl_colid(ses, dbid, "accounts", "id", &c->accId)) < 0 ||
        (err = wl_colid(ses, dbid, "accounts", "balance", &c->accBal)) < 0 ||
        (err = wl_colid(ses, dbid, "writers", "id", &c->wrId)) < 0 ||
        (err = wl_colid(ses, dbid, "writers", "seq", &c->wrSeq)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "writer", &c->hWriter)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "seq", &c->hSeq)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "from", &c->hFrom)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "to", &c->hTo)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "amount", &c->hAmount)) < 0 ||
        (err = wl_colid(ses, dbid, "history", "pad", &c->hPad)) < 0)
        return err;
    return JET_errSuccess;
}

/* Inserts (id, value) rows id0..id1-1 into table of two columns, WL_BATCH per transaction. */
static JET_ERR wl_fill_pairs(JET_SESID ses, JET_DBID dbid, const char *table, JET_COLUMNID cId,
                             JET_COLUMNID cVal, int32_t count, int64_t value)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(ses, dbid, table, NULL, 0, 0, &t);
    if (err < 0)
        return err;
    for (int32_t i = 0; i < count && err >= 0; i += WL_BATCH) {
        if ((err = JetBeginTransaction(ses)) < 0)
            break;
        for (int32_t id = i; id < count && id < i + WL_BATCH && err >= 0; id++) {
            JET_SETCOLUMN set[2] = {{.columnid = cId, .pvData = &id, .cbData = 4},
                                    {.columnid = cVal, .pvData = &value, .cbData = 8}};
            if ((err = JetPrepareUpdate(ses, t, JET_prepInsert)) >= 0 &&
                (err = JetSetColumns(ses, t, set, 2)) >= 0)
                err = JetUpdate(ses, t, NULL, 0, NULL);
        }
        if (err >= 0)
            err = JetCommitTransaction(ses, 0);
        else
            JetRollback(ses, 0);
    }
    JET_ERR errClose = JetCloseTable(ses, t);
    return err < 0 ? err : errClose;
}

JET_ERR bj_wl_setup(JET_INSTANCE inst, const char *dbPath, const bj_wl_params *pIn)
{
    bj_wl_params p;
    JET_SESID ses = 0;
    JET_DBID dbid = 0;
    bool open = false;
    wl_cols c;
    JET_ERR err;
    bj_wl_params_fill(pIn, &p);
    if ((err = JetBeginSession(inst, &ses, NULL, NULL)) < 0)
        return err;
    if ((err = JetCreateDatabase(ses, dbPath, NULL, &dbid, 0)) < 0)
        goto fail;
    open = true;
    if ((err = wl_create_schema(ses, dbid)) < 0 || (err = wl_load_cols(ses, dbid, &c)) < 0)
        goto fail;
    if ((err = wl_fill_pairs(ses, dbid, "accounts", c.accId, c.accBal, p.cAccounts,
                             p.initialBalance)) < 0 ||
        (err = wl_fill_pairs(ses, dbid, "writers", c.wrId, c.wrSeq, p.cWriters, 0)) < 0)
        goto fail;
    open = false;
    err = JetCloseDatabase(ses, dbid, 0);
fail:
    if (open)
        JetCloseDatabase(ses, dbid, 0);
    JetEndSession(ses, 0);
    return err;
}

#define WL_FILL_ROW (64 * 1024)
#define WL_FILL_BATCH 16

JET_ERR bj_wl_fill(JET_INSTANCE inst, const char *dbPath, uint64_t cbTarget)
{
    JET_SESID ses = 0;
    JET_DBID dbid = 0;
    JET_TABLEID t = JET_tableidNil;
    JET_COLUMNID cId, cData;
    bool open = false, inTrx = false;
    JET_ERR err;
    uint64_t x = 0x243f6a8885a308d3ULL;
    int32_t cRow = (int32_t)((cbTarget + WL_FILL_ROW - 1) / WL_FILL_ROW), id;
    uint8_t *row = malloc(WL_FILL_ROW);
    if (!row)
        return JET_errOutOfMemory;
    if ((err = JetBeginSession(inst, &ses, NULL, NULL)) < 0)
        goto fail;
    if ((err = JetOpenDatabase(ses, dbPath, NULL, &dbid, 0)) < 0)
        goto fail;
    open = true;
    JET_COLUMNCREATE cols[] = {COL("id", JET_coltypLong, 4, JET_bitColumnNotNULL),
                               COL("data", JET_coltypLongBinary, 0, 0)};
    static char key[] = "+id\0";
    if ((err = JetOpenTable(ses, dbid, "filler", NULL, 0, 0, &t)) == JET_errObjectNotFound) {
        if ((err = wl_create_table(ses, dbid, "filler", cols, 2, key, sizeof key)) < 0)
            goto fail;
        err = JetOpenTable(ses, dbid, "filler", NULL, 0, 0, &t);
    }
    if (err < 0 || (err = wl_colid(ses, dbid, "filler", "id", &cId)) < 0 ||
        (err = wl_colid(ses, dbid, "filler", "data", &cData)) < 0)
        goto fail;
    /* after the rows already there */
    id = 0;
    if ((err = JetMove(ses, t, JET_MoveLast, 0)) >= 0) {
        int32_t last = 0;
        uint32_t cb = 0;
        if ((err = JetRetrieveColumn(ses, t, cId, &last, 4, &cb, 0, NULL)) < 0)
            goto fail;
        id = last + 1;
    } else if (err != JET_errNoCurrentRecord) {
        goto fail;
    }
    for (int32_t i = 0; i < cRow; i++, id++) {
        if (!inTrx) {
            if ((err = JetBeginTransaction(ses)) < 0)
                goto fail;
            inTrx = true;
        }
        for (size_t k = 0; k < WL_FILL_ROW; k += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(row + k, &x, 8);
        }
        JET_SETCOLUMN set[2] = {{.columnid = cId, .pvData = &id, .cbData = 4},
                                {.columnid = cData, .pvData = row, .cbData = WL_FILL_ROW}};
        if ((err = JetPrepareUpdate(ses, t, JET_prepInsert)) < 0)
            goto fail;
        if ((err = JetSetColumns(ses, t, set, 2)) < 0 ||
            (err = JetUpdate(ses, t, NULL, 0, NULL)) < 0) {
            JetPrepareUpdate(ses, t, JET_prepCancel);
            goto fail;
        }
        if ((i + 1) % WL_FILL_BATCH == 0 || i + 1 == cRow) {
            if ((err = JetCommitTransaction(ses, i + 1 == cRow ? 0 : JET_bitCommitLazyFlush)) < 0)
                goto fail;
            inTrx = false;
        }
    }
    err = JET_errSuccess;
fail:
    if (inTrx)
        JetRollback(ses, 0);
    if (t != JET_tableidNil)
        JetCloseTable(ses, t);
    if (open)
        JetCloseDatabase(ses, dbid, 0);
    if (ses)
        JetEndSession(ses, 0);
    free(row);
    return err;
}

/* ---- the writers ---- */

static uint64_t wl_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static JET_ERR wl_seek(JET_SESID ses, JET_TABLEID t, int32_t id)
{
    JET_ERR err = JetMakeKey(ses, t, &id, sizeof id, JET_bitNewKey);
    if (err >= 0)
        err = JetSeek(ses, t, JET_bitSeekEQ);
    return err;
}

/* Replaces column col (LongLong) of the row with key id by its value + delta. */
static JET_ERR wl_add(JET_SESID ses, JET_TABLEID t, JET_COLUMNID col, int32_t id, int64_t delta,
                      int64_t *pnew)
{
    int64_t v = 0;
    uint32_t cb = 0;
    JET_ERR err;
    if ((err = wl_seek(ses, t, id)) < 0 ||
        (err = JetRetrieveColumn(ses, t, col, &v, sizeof v, &cb, 0, NULL)) < 0)
        return err;
    if (cb != sizeof v)
        return JET_errDatabaseCorrupted;
    if ((err = JetPrepareUpdate(ses, t, JET_prepReplace)) < 0)
        return err;
    v += delta;
    if ((err = JetSetColumn(ses, t, col, &v, sizeof v, 0, NULL)) < 0 ||
        (err = JetUpdate(ses, t, NULL, 0, NULL)) < 0) {
        JetPrepareUpdate(ses, t, JET_prepCancel);
        return err;
    }
    if (pnew)
        *pnew = v;
    return JET_errSuccess;
}

/* One transaction of writer w: the transfer, the seq, the history row; committed durably. */
static JET_ERR wl_transfer(wl_writer *w)
{
    const bj_wl_params *p = &w->wl->p;
    const wl_cols *c = &w->wl->cols;
    int32_t from = (int32_t)(wl_rand(&w->rng) % (uint64_t)p->cAccounts);
    int32_t to = (int32_t)(wl_rand(&w->rng) % (uint64_t)(p->cAccounts - 1));
    int64_t amount = 1 + (int64_t)(wl_rand(&w->rng) % (uint64_t)p->maxAmount);
    int64_t seq = 0;
    int32_t wid = w->id;
    JET_ERR err;
    if (to >= from)
        to++;
    if ((err = JetBeginTransaction(w->ses)) < 0)
        return err;
    if ((err = wl_add(w->ses, w->tAcc, c->accBal, from, -amount, NULL)) < 0 ||
        (err = wl_add(w->ses, w->tAcc, c->accBal, to, amount, NULL)) < 0 ||
        (err = wl_add(w->ses, w->tWr, c->wrSeq, wid, 1, &seq)) < 0)
        goto fail;
    JET_SETCOLUMN set[6] = {
        {.columnid = c->hWriter, .pvData = &wid, .cbData = 4},
        {.columnid = c->hSeq, .pvData = &seq, .cbData = 8},
        {.columnid = c->hFrom, .pvData = &from, .cbData = 4},
        {.columnid = c->hTo, .pvData = &to, .cbData = 4},
        {.columnid = c->hAmount, .pvData = &amount, .cbData = 8},
        {.columnid = c->hPad, .pvData = w->wl->pad, .cbData = p->cbHistoryPad},
    };
    if ((err = JetPrepareUpdate(w->ses, w->tHist, JET_prepInsert)) < 0)
        goto fail;
    if ((err = JetSetColumns(w->ses, w->tHist, set, p->cbHistoryPad ? 6 : 5)) < 0 ||
        (err = JetUpdate(w->ses, w->tHist, NULL, 0, NULL)) < 0) {
        JetPrepareUpdate(w->ses, w->tHist, JET_prepCancel);
        goto fail;
    }
    if ((err = JetCommitTransaction(w->ses, 0)) < 0)
        goto fail;
    atomic_store_explicit(&w->seq, seq, memory_order_release);
    atomic_fetch_add_explicit(&w->wl->commits, 1, memory_order_relaxed);
    return JET_errSuccess;
fail:
    JetRollback(w->ses, 0);
    return err;
}

static bool wl_is_conflict(JET_ERR err)
{
    return err == JET_errWriteConflict || err == JET_errWriteConflictPrimaryIndex ||
           err == JET_errSessionWriteConflict;
}

static void *wl_writer_main(void *arg)
{
    wl_writer *w = arg;
    while (!atomic_load_explicit(&w->wl->stop, memory_order_acquire)) {
        JET_ERR err = wl_transfer(w);
        if (err < 0 && wl_is_conflict(err)) {
            w->conflicts++;
            continue;
        }
        if (err < 0) {
            w->err = err;
            break;
        }
    }
    return NULL;
}

static void *wl_monitor_main(void *arg)
{
    bj_wl *wl = arg;
    bj_wl_sample a = bj_wl_sample_now(wl);
    while (!atomic_load_explicit(&wl->stop, memory_order_acquire)) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
        bj_wl_sample b = bj_wl_sample_now(wl);
        if ((b.t - a.t) * 1000.0 >= wl->intervalMs) {
            wl->fn(wl->ctx, a.t, b.t, bj_wl_rate(a, b));
            a = b;
        }
    }
    return NULL;
}

static JET_ERR wl_writer_open(bj_wl *wl, wl_writer *w)
{
    JET_ERR err;
    if ((err = JetBeginSession(wl->inst, &w->ses, NULL, NULL)) < 0)
        return err;
    if ((err = JetOpenDatabase(w->ses, wl->db, NULL, &w->dbid, 0)) < 0)
        return err;
    w->dbOpen = true;
    if ((err = JetOpenTable(w->ses, w->dbid, "accounts", NULL, 0, 0, &w->tAcc)) < 0 ||
        (err = JetOpenTable(w->ses, w->dbid, "writers", NULL, 0, 0, &w->tWr)) < 0 ||
        (err = JetOpenTable(w->ses, w->dbid, "history", NULL, 0, 0, &w->tHist)) < 0)
        return err;
    return JET_errSuccess;
}

static void wl_writer_close(wl_writer *w)
{
    if (!w->ses)
        return;
    if (w->tHist != JET_tableidNil)
        JetCloseTable(w->ses, w->tHist);
    if (w->tWr != JET_tableidNil)
        JetCloseTable(w->ses, w->tWr);
    if (w->tAcc != JET_tableidNil)
        JetCloseTable(w->ses, w->tAcc);
    if (w->dbOpen)
        JetCloseDatabase(w->ses, w->dbid, 0);
    JetEndSession(w->ses, 0);
    w->ses = 0;
}

JET_ERR bj_wl_start(JET_INSTANCE inst, const char *dbPath, const bj_wl_params *p, bj_wl_rate_fn fn,
                    void *ctx, int intervalMs, bj_wl **pwl)
{
    JET_ERR err;
    bj_wl *wl = calloc(1, sizeof *wl);
    if (!wl)
        return JET_errOutOfMemory;
    wl->inst = inst;
    bj_wl_params_fill(p, &wl->p);
    snprintf(wl->db, sizeof wl->db, "%s", dbPath);
    wl->fn = fn;
    wl->ctx = ctx;
    wl->intervalMs = intervalMs < 10 ? 10 : intervalMs;
    atomic_init(&wl->stop, false);
    atomic_init(&wl->commits, 0);
    if (wl->p.cbHistoryPad) {
        if (!(wl->pad = malloc(wl->p.cbHistoryPad))) {
            free(wl);
            return JET_errOutOfMemory;
        }
        for (uint32_t i = 0; i < wl->p.cbHistoryPad; i++)
            wl->pad[i] = (uint8_t)(i * 131 + 7);
    }
    for (int i = 0; i < wl->p.cWriters; i++) {
        wl_writer *w = &wl->w[i];
        w->wl = wl;
        w->id = i;
        w->tAcc = w->tWr = w->tHist = JET_tableidNil;
        w->rng = ((uint64_t)wl->p.seed * 7919u + (uint64_t)i) * 0x9e3779b97f4a7c15ULL | 1;
        atomic_init(&w->seq, 0);
    }
    /* column ids through a writer's session, then every writer's handles, before any thread */
    for (int i = 0; i < wl->p.cWriters; i++)
        if ((err = wl_writer_open(wl, &wl->w[i])) < 0)
            goto fail;
    if ((err = wl_load_cols(wl->w[0].ses, wl->w[0].dbid, &wl->cols)) < 0)
        goto fail;
    for (int i = 0; i < wl->p.cWriters; i++) {
        int64_t seq = 0;
        uint32_t cb = 0;
        wl_writer *w = &wl->w[i];
        if ((err = wl_seek(w->ses, w->tWr, w->id)) < 0 ||
            (err = JetRetrieveColumn(w->ses, w->tWr, wl->cols.wrSeq, &seq, sizeof seq, &cb, 0,
                                     NULL)) < 0)
            goto fail;
        atomic_store(&w->seq, seq);
    }
    wl->t0 = wl_now();
    for (int i = 0; i < wl->p.cWriters; i++) {
        if (pthread_create(&wl->w[i].thread, NULL, wl_writer_main, &wl->w[i]) != 0) {
            err = JET_errOutOfThreads;
            goto fail;
        }
        wl->w[i].started = true;
    }
    if (fn) {
        if (pthread_create(&wl->monitor, NULL, wl_monitor_main, wl) != 0) {
            err = JET_errOutOfThreads;
            goto fail;
        }
        wl->monitorStarted = true;
    }
    *pwl = wl;
    return JET_errSuccess;
fail:
    bj_wl_stop(wl, NULL);
    return err;
}

void bj_wl_committed(const bj_wl *wl, int64_t *seqs)
{
    for (int i = 0; i < wl->p.cWriters; i++)
        seqs[i] = atomic_load_explicit(&((bj_wl *)wl)->w[i].seq, memory_order_acquire);
}

bj_wl_sample bj_wl_sample_now(const bj_wl *wl)
{
    bj_wl_sample s;
    s.commits = atomic_load_explicit(&((bj_wl *)wl)->commits, memory_order_relaxed);
    s.t = wl_now();
    return s;
}

double bj_wl_rate(bj_wl_sample a, bj_wl_sample b)
{
    double dt = b.t - a.t;
    if (dt <= 0)
        return 0;
    return (double)(b.commits - a.commits) / dt;
}

JET_ERR bj_wl_stop(bj_wl *wl, bj_wl_stats *stats)
{
    bj_wl_stats s = {.err = JET_errSuccess, .errWriter = -1};
    atomic_store_explicit(&wl->stop, true, memory_order_release);
    if (wl->monitorStarted)
        pthread_join(wl->monitor, NULL);
    for (int i = 0; i < wl->p.cWriters; i++) {
        wl_writer *w = &wl->w[i];
        if (w->started)
            pthread_join(w->thread, NULL);
        wl_writer_close(w);
        if (w->err < 0 && s.err == JET_errSuccess) {
            s.err = w->err;
            s.errWriter = i;
        }
        s.conflicts += w->conflicts;
        s.seq[i] = atomic_load(&w->seq);
    }
    s.commits = atomic_load(&wl->commits);
    s.seconds = wl->t0 > 0 ? wl_now() - wl->t0 : 0;
    free(wl->pad);
    free(wl);
    if (stats)
        *stats = s;
    return s.err;
}

/* ---- the verifier ---- */

static bool wl_fault(bj_wl_verdict *v, bj_wl_fault f, int writer, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool wl_fault(bj_wl_verdict *v, bj_wl_fault f, int writer, const char *fmt, ...)
{
    va_list ap;
    v->fault = f;
    v->writer = writer;
    va_start(ap, fmt);
    vsnprintf(v->msg, sizeof v->msg, fmt, ap);
    va_end(ap);
    return false;
}

static bool wl_engine(bj_wl_verdict *v, JET_ERR err, const char *what)
{
    v->err = err;
    return wl_fault(v, BJ_WL_ENGINE, -1, "engine error %d in %s", (int)err, what);
}

/* Reads an integer column of 4 or 8 bytes into *pv; false when it is absent or of another size. */
static JET_ERR wl_get(JET_SESID ses, JET_TABLEID t, JET_COLUMNID col, uint32_t cbWant, int64_t *pv)
{
    int64_t v64 = 0;
    int32_t v32 = 0;
    uint32_t cb = 0;
    JET_ERR err = JetRetrieveColumn(ses, t, col, cbWant == 4 ? (void *)&v32 : (void *)&v64, cbWant,
                                    &cb, 0, NULL);
    if (err < 0)
        return err;
    if (err == JET_wrnColumnNull || cb != cbWant)
        return JET_errDatabaseCorrupted;
    *pv = cbWant == 4 ? v32 : v64;
    return JET_errSuccess;
}

typedef struct wl_scan {
    JET_SESID ses;
    JET_TABLEID t;
    JET_ERR err;
    bool first;
} wl_scan;

/* Moves to the first, then the next row; false at the end or on error (s->err). */
static bool wl_next(wl_scan *s)
{
    JET_ERR err = JetMove(s->ses, s->t, s->first ? JET_MoveFirst : JET_MoveNext, 0);
    s->first = false;
    if (err == JET_errNoCurrentRecord)
        return false;
    if (err < 0) {
        s->err = err;
        return false;
    }
    return true;
}

static bool wl_check_accounts(JET_SESID ses, JET_DBID dbid, const wl_cols *c, const bj_wl_params *p,
                              bj_wl_verdict *v)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(ses, dbid, "accounts", NULL, 0, JET_bitTableReadOnly, &t);
    if (err < 0)
        return wl_engine(v, err, "opening accounts");
    wl_scan s = {ses, t, JET_errSuccess, true};
    int64_t id, bal, total = 0;
    int32_t n = 0;
    while (wl_next(&s)) {
        if ((err = wl_get(ses, t, c->accId, 4, &id)) < 0 ||
            (err = wl_get(ses, t, c->accBal, 8, &bal)) < 0)
            break;
        total += bal;
        n++;
    }
    JetCloseTable(ses, t);
    if (err < 0 || s.err < 0)
        return wl_engine(v, err < 0 ? err : s.err, "reading accounts");
    v->total = total;
    v->cAccounts = n;
    if (n != p->cAccounts)
        return wl_fault(v, BJ_WL_SHAPE, -1, "%d accounts, expected %d", (int)n, (int)p->cAccounts);
    int64_t want = (int64_t)p->cAccounts * p->initialBalance;
    if (total != want)
        return wl_fault(v, BJ_WL_TOTAL, -1, "sum of balances %lld, expected %lld", (long long)total,
                        (long long)want);
    return true;
}

static bool wl_check_writers(JET_SESID ses, JET_DBID dbid, const wl_cols *c, const bj_wl_params *p,
                             bj_wl_verdict *v)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(ses, dbid, "writers", NULL, 0, JET_bitTableReadOnly, &t);
    if (err < 0)
        return wl_engine(v, err, "opening writers");
    wl_scan s = {ses, t, JET_errSuccess, true};
    int64_t id, seq;
    int n = 0;
    bool shape = true;
    while (wl_next(&s)) {
        if ((err = wl_get(ses, t, c->wrId, 4, &id)) < 0 ||
            (err = wl_get(ses, t, c->wrSeq, 8, &seq)) < 0)
            break;
        if (id != n) /* rows come in key order: ids 0, 1, ... */
            shape = false;
        if (n < BJ_WL_MAX_WRITERS)
            v->seq[n] = seq;
        n++;
    }
    JetCloseTable(ses, t);
    if (err < 0 || s.err < 0)
        return wl_engine(v, err < 0 ? err : s.err, "reading writers");
    v->cWriters = n;
    if (!shape || n != p->cWriters)
        return wl_fault(v, BJ_WL_SHAPE, -1, "%d writer rows (ids %s), expected 0..%d", n,
                        shape ? "in order" : "not 0..n-1", p->cWriters - 1);
    return true;
}

/* history in key order (writer, seq): every writer's seqs must be exactly 1..writers.seq. */
static bool wl_check_history(JET_SESID ses, JET_DBID dbid, const wl_cols *c, const bj_wl_params *p,
                             bj_wl_verdict *v)
{
    JET_TABLEID t;
    JET_ERR err = JetOpenTable(ses, dbid, "history", NULL, 0, JET_bitTableReadOnly, &t);
    if (err < 0)
        return wl_engine(v, err, "opening history");
    wl_scan s = {ses, t, JET_errSuccess, true};
    int64_t wr, seq, from, to, amount;
    int64_t maxSeq[BJ_WL_MAX_WRITERS] = {0};
    bool ok = true;
    while (ok && wl_next(&s)) {
        if ((err = wl_get(ses, t, c->hWriter, 4, &wr)) < 0 ||
            (err = wl_get(ses, t, c->hSeq, 8, &seq)) < 0 ||
            (err = wl_get(ses, t, c->hFrom, 4, &from)) < 0 ||
            (err = wl_get(ses, t, c->hTo, 4, &to)) < 0 ||
            (err = wl_get(ses, t, c->hAmount, 8, &amount)) < 0)
            break;
        v->cHistoryAll++;
        if (wr < 0 || wr >= p->cWriters) {
            ok = wl_fault(v, BJ_WL_SHAPE, -1, "history row of writer %lld", (long long)wr);
            break;
        }
        int w = (int)wr;
        if (seq != v->cHistory[w] + 1) {
            ok = wl_fault(v, BJ_WL_PARTIAL, w, "writer %d: history seq %lld follows %lld", w,
                          (long long)seq, (long long)v->cHistory[w]);
            break;
        }
        if (from == to || from < 0 || from >= p->cAccounts || to < 0 || to >= p->cAccounts ||
            amount < 1 || amount > p->maxAmount) {
            ok = wl_fault(v, BJ_WL_SHAPE, w, "writer %d seq %lld: bad transfer %lld->%lld of %lld",
                          w, (long long)seq, (long long)from, (long long)to, (long long)amount);
            break;
        }
        v->cHistory[w]++;
        maxSeq[w] = seq;
    }
    JetCloseTable(ses, t);
    if (!ok)
        return false;
    if (err < 0 || s.err < 0)
        return wl_engine(v, err < 0 ? err : s.err, "reading history");
    for (int w = 0; w < p->cWriters; w++)
        if (v->seq[w] != v->cHistory[w] || v->seq[w] != maxSeq[w])
            return wl_fault(v, BJ_WL_PARTIAL, w,
                            "writer %d: writers.seq %lld, %lld history rows, max seq %lld", w,
                            (long long)v->seq[w], (long long)v->cHistory[w], (long long)maxSeq[w]);
    return true;
}

bool bj_wl_verify_open(JET_SESID ses, JET_DBID dbid, const bj_wl_expect *exp, bj_wl_verdict *v)
{
    bj_wl_params p;
    wl_cols c;
    JET_ERR err;
    bool ok = false;
    memset(v, 0, sizeof *v);
    v->writer = -1;
    bj_wl_params_fill(&exp->params, &p);
    if ((err = wl_load_cols(ses, dbid, &c)) < 0) {
        if (err == JET_errObjectNotFound || err == JET_errColumnNotFound)
            return wl_fault(v, BJ_WL_SHAPE, -1, "a table or column is missing (%d)", (int)err);
        return wl_engine(v, err, "reading the schema");
    }
    if ((err = JetBeginTransaction(ses)) < 0)
        return wl_engine(v, err, "JetBeginTransaction");
    ok = wl_check_accounts(ses, dbid, &c, &p, v) && wl_check_writers(ses, dbid, &c, &p, v) &&
         wl_check_history(ses, dbid, &c, &p, v);
    JetRollback(ses, 0);
    if (!ok)
        return false;
    for (int w = 0; w < p.cWriters; w++) {
        if (exp->seqMin && v->seq[w] < exp->seqMin[w])
            return wl_fault(v, BJ_WL_BELOW_MIN, w, "writer %d: seq %lld below the minimum %lld", w,
                            (long long)v->seq[w], (long long)exp->seqMin[w]);
        if (exp->seqMax && v->seq[w] > exp->seqMax[w])
            return wl_fault(v, BJ_WL_ABOVE_MAX, w, "writer %d: seq %lld above the maximum %lld", w,
                            (long long)v->seq[w], (long long)exp->seqMax[w]);
    }
    snprintf(v->msg, sizeof v->msg, "ok: %d accounts, total %lld, %d writers, %llu transactions",
             (int)v->cAccounts, (long long)v->total, v->cWriters,
             (unsigned long long)v->cHistoryAll);
    return true;
}

static int wl_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

bool bj_wl_verify(const char *dbPath, const char *instDir, const bj_wl_expect *exp,
                  bj_wl_verdict *v)
{
    static _Atomic unsigned serial;
    char tmp[4096], name[64];
    const char *dir = instDir;
    JET_INSTANCE inst = 0;
    JET_SESID ses = 0;
    JET_DBID dbid = 0;
    JET_ERR err;
    bool ok = false, attached = false, open = false;
    memset(v, 0, sizeof *v);
    v->writer = -1;
    if (!dir) {
        const char *base = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/bjwlverify.XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmp))
            return wl_engine(v, JET_errInvalidPath, "making a scratch folder");
        dir = tmp;
    }
    snprintf(name, sizeof name, "bjwlverify%u.%u", (unsigned)getpid(),
             atomic_fetch_add(&serial, 1));
    if ((err = bj_wl_instance_open(dir, name, &inst)) < 0) {
        wl_engine(v, err, "opening the verifier's instance");
        goto fail;
    }
    if ((err = JetBeginSession(inst, &ses, NULL, NULL)) < 0) {
        wl_engine(v, err, "JetBeginSession");
        goto fail;
    }
    if ((err = JetAttachDatabase(ses, dbPath, JET_bitDbReadOnly)) < 0) {
        wl_engine(v, err, "JetAttachDatabase");
        goto fail;
    }
    attached = true;
    if ((err = JetOpenDatabase(ses, dbPath, NULL, &dbid, JET_bitDbReadOnly)) < 0) {
        wl_engine(v, err, "JetOpenDatabase");
        goto fail;
    }
    open = true;
    ok = bj_wl_verify_open(ses, dbid, exp, v);
fail:
    if (open)
        JetCloseDatabase(ses, dbid, 0);
    if (attached && (err = JetDetachDatabase(ses, dbPath)) < 0 && ok)
        ok = wl_engine(v, err, "JetDetachDatabase");
    if (ses)
        JetEndSession(ses, 0);
    if (inst && (err = JetTerm(inst)) < 0 && ok)
        ok = wl_engine(v, err, "JetTerm");
    if (!instDir)
        nftw(tmp, wl_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return ok;
}
