/* test_stress_random.c: randomized multi-threaded transactions through esent.h, checked against
 * a model.
 *
 * Two tables A and B (primary "+id", unique "+u" IgnoreAnyNull, non-unique "+g", multi-valued
 * "+mv" IgnoreAnyNull, a long binary column of 0..40 KB, an escrow column, a LongLong balance).
 * N threads (BJ_STRESS_THREADS, default 4), one session each, run random transactions for
 * BJ_STRESS_SECONDS (default 20) from seed BJ_STRESS_SEED (default fixed; 0 = from the clock;
 * printed so a failure replays the same operation sequence):
 *   - on rows of their own key space (ids (tid+1)*1000000 + 0..K-1, u values in their own
 *     range): insert / replace / delete / seek / pk range scan / u and mv index ranges / escrow,
 *     every result compared exactly with the thread's model (read-your-writes included,
 *     JET_errKeyDuplicate predicted by the model);
 *   - on NX shared "transfer" rows of A: balance transfers (sum invariant), escrow deltas,
 *     long value rewrites; JET_errWriteConflict rolls back every level and retries;
 *   - nested levels (commit or roll back one level), JetRollback of all levels;
 *   - read-only transactions that read the transfer rows (sum check) and scan indexes twice and
 *     require both passes to be identical (snapshot isolation).
 * At the end: every row equals the model (every column), entry counts per index, every index
 * entry matches its record, the escrow total equals the committed deltas, and `bluejet check`
 * ($BJ_TOOL) passes on the detached database.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "esent.h"
#include "testlib.h"

#define NTAB 2
#define K 96  /* own rows per thread per table */
#define NX 12 /* transfer rows in table A */
#define BAL0 1000
#define MAXLV (40 * 1024)
#define MAXMV 3
#define MAXLVL 4
#define USPAN 48  /* own u values per thread */
#define MVSPAN 24 /* own mv values per thread */
#define MAXTHR 16

static const char *g_tabname[NTAB] = {"A", "B"};
static JET_COLUMNID c_id, c_u, c_g, c_mv, c_lv, c_esc, c_val;

typedef struct mrow {
    uint8_t present, has_u, nmv;
    int32_t u, g, esc;
    int32_t mv[MAXMV];
    uint32_t lvseed, lvlen;
} mrow;

typedef struct model {
    mrow r[NTAB][K];
    int64_t escx; /* escrow deltas on transfer rows */
} model;

typedef struct worker {
    int tid;
    uint64_t rs;
    JET_INSTANCE inst;
    const char *path;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t[NTAB];
    model cur;          /* the state this thread's transaction sees */
    model save[MAXLVL]; /* cur at the begin of each level */
    int level;
    int64_t escx_committed;
    uint8_t *buf, *exp;
    /* statistics */
    long commits, rollbacks, conflicts, dups, readonly, ops;
} worker;

static _Atomic int g_failed;
static _Atomic int g_stop;
static char g_failmsg[512];
static pthread_mutex_t g_failmu = PTHREAD_MUTEX_INITIALIZER;

#define WFAIL(w, ...)                                                                              \
    do {                                                                                           \
        wfail((w), __LINE__, __VA_ARGS__);                                                         \
        return -1;                                                                                 \
    } while (0)

__attribute__((format(printf, 3, 4))) static void wfail(worker *w, int line, const char *fmt, ...)
{
    pthread_mutex_lock(&g_failmu);
    if (!atomic_load(&g_failed)) {
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(g_failmsg, sizeof g_failmsg, "thread %d line %d (op %ld): %s", w->tid, line,
                 w->ops, msg);
        atomic_store(&g_failed, 1);
    }
    pthread_mutex_unlock(&g_failmu);
}

static uint32_t rnd(worker *w)
{
    uint64_t x = w->rs;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    w->rs = x;
    return (uint32_t)(x >> 16);
}

static uint32_t rndn(worker *w, uint32_t n)
{
    return rnd(w) % n;
}

static void lv_fill(uint8_t *p, uint32_t seed, uint32_t len)
{
    uint32_t x = seed * 2654435761u + 1;
    for (uint32_t i = 0; i < len; i++) {
        x = x * 1664525u + 1013904223u;
        p[i] = (uint8_t)(x >> 24);
    }
}

static uint64_t hash(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ^ n;
}

static int32_t own_id(int tid, int k)
{
    return (int32_t)((tid + 1) * 1000000 + k);
}

static int32_t own_u(int tid, int j)
{
    return (int32_t)((tid + 1) * 1000000 + j);
}

/* ---------------------------------------------------------------------------------------- */
/* record access */

static JET_ERR seek_pk(JET_SESID s, JET_TABLEID t, int32_t id)
{
    JET_ERR err = JetSetCurrentIndex(s, t, "pk");
    if (err >= 0)
        err = JetMakeKey(s, t, &id, 4, JET_bitNewKey);
    if (err >= 0)
        err = JetSeek(s, t, JET_bitSeekEQ);
    return err;
}

/* The current record into *r (present = 1), its id in *pid, its long value in buf. */
static JET_ERR read_row(JET_SESID s, JET_TABLEID t, int32_t *pid, mrow *r, uint8_t *buf,
                        int64_t *pval)
{
    memset(r, 0, sizeof *r);
    r->present = 1;
    uint32_t cb = 0;
    JET_ERR err = JetRetrieveColumn(s, t, c_id, pid, 4, &cb, 0, NULL);
    if (err != JET_errSuccess || cb != 4)
        return err < 0 ? err : -9001;
    err = JetRetrieveColumn(s, t, c_u, &r->u, 4, &cb, 0, NULL);
    if (err == JET_wrnColumnNull)
        r->u = 0;
    else if (err != JET_errSuccess || cb != 4)
        return err < 0 ? err : -9002;
    else
        r->has_u = 1;
    err = JetRetrieveColumn(s, t, c_g, &r->g, 4, &cb, 0, NULL);
    if (err != JET_errSuccess || cb != 4)
        return err < 0 ? err : -9003;
    err = JetRetrieveColumn(s, t, c_esc, &r->esc, 4, &cb, 0, NULL);
    if (err != JET_errSuccess || cb != 4)
        return err < 0 ? err : -9004;
    for (uint32_t i = 0;; i++) {
        JET_RETINFO ri = {sizeof ri, 0, i + 1, 0};
        int32_t v = 0;
        err = JetRetrieveColumn(s, t, c_mv, &v, 4, &cb, 0, &ri);
        if (err == JET_wrnColumnNull)
            break;
        if (err != JET_errSuccess || cb != 4 || i >= MAXMV)
            return err < 0 ? err : -9005;
        r->mv[r->nmv++] = v;
    }
    err = JetRetrieveColumn(s, t, c_lv, buf, MAXLV + 16, &cb, 0, NULL);
    if (err == JET_wrnColumnNull)
        cb = 0;
    else if (err != JET_errSuccess)
        return err < 0 ? err : -9006;
    r->lvlen = cb;
    if (pval) {
        err = JetRetrieveColumn(s, t, c_val, pval, 8, &cb, 0, NULL);
        if (err != JET_errSuccess || cb != 8)
            return err < 0 ? err : -9007;
    }
    return JET_errSuccess;
}

/* 0 when the read record equals the model row (the long value in buf). */
static int row_diff(const mrow *got, const uint8_t *buf, const mrow *want, uint8_t *exp, char *why,
                    size_t cbwhy)
{
    if (got->has_u != want->has_u || (want->has_u && got->u != want->u)) {
        snprintf(why, cbwhy, "u %d/%d want %d/%d", got->has_u, got->u, want->has_u, want->u);
        return 1;
    }
    if (got->g != want->g || got->esc != want->esc) {
        snprintf(why, cbwhy, "g %d esc %d want g %d esc %d", got->g, got->esc, want->g, want->esc);
        return 1;
    }
    if (got->nmv != want->nmv || memcmp(got->mv, want->mv, sizeof(int32_t) * want->nmv)) {
        snprintf(why, cbwhy, "mv count %d want %d", got->nmv, want->nmv);
        return 1;
    }
    if (got->lvlen != want->lvlen) {
        snprintf(why, cbwhy, "lv length %u want %u", got->lvlen, want->lvlen);
        return 1;
    }
    lv_fill(exp, want->lvseed, want->lvlen);
    if (memcmp(buf, exp, want->lvlen)) {
        snprintf(why, cbwhy, "lv bytes differ (len %u)", want->lvlen);
        return 1;
    }
    return 0;
}

/* Writes the columns of r (old: the row being replaced, NULL on insert). */
static JET_ERR put_cols(worker *w, JET_TABLEID t, const mrow *r, const mrow *old)
{
    JET_SESID s = w->s;
    JET_ERR err = JET_errSuccess;
    if (r->has_u)
        err = JetSetColumn(s, t, c_u, &r->u, 4, 0, NULL);
    else if (old)
        err = JetSetColumn(s, t, c_u, NULL, 0, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, c_g, &r->g, 4, 0, NULL);
    for (uint32_t i = 0; old && i < old->nmv && err >= 0; i++) {
        JET_SETINFO si = {sizeof si, 0, 1};
        err = JetSetColumn(s, t, c_mv, NULL, 0, 0, &si);
    }
    for (uint32_t i = 0; i < r->nmv && err >= 0; i++) {
        JET_SETINFO si = {sizeof si, 0, 0};
        err = JetSetColumn(s, t, c_mv, &r->mv[i], 4, 0, &si);
    }
    if (err >= 0 && r->lvlen) {
        lv_fill(w->exp, r->lvseed, r->lvlen);
        err = JetSetColumn(s, t, c_lv, w->exp, r->lvlen, 0, NULL);
    } else if (err >= 0 && old)
        err = JetSetColumn(s, t, c_lv, NULL, 0, 0, NULL);
    return err;
}

static void random_row(worker *w, mrow *r)
{
    memset(r, 0, sizeof *r);
    r->present = 1;
    r->has_u = rndn(w, 4) != 0;
    r->u = r->has_u ? own_u(w->tid, (int)rndn(w, USPAN)) : 0;
    r->g = (int32_t)rndn(w, 16);
    r->nmv = (uint8_t)rndn(w, MAXMV + 1);
    for (uint32_t i = 0; i < r->nmv; i++) {
        int32_t v;
        bool dup;
        do {
            v = own_u(w->tid, (int)rndn(w, MVSPAN));
            dup = false;
            for (uint32_t j = 0; j < i; j++)
                dup |= r->mv[j] == v;
        } while (dup);
        r->mv[i] = v;
    }
    r->lvseed = rnd(w);
    uint32_t pick = rndn(w, 8);
    r->lvlen = pick < 2 ? 0 : pick < 5 ? rndn(w, 1500) : rndn(w, MAXLV + 1);
}

/* true when another present row of table ti (not k) has unique value u */
static bool u_taken(const model *m, int ti, int k, int32_t u)
{
    for (int j = 0; j < K; j++)
        if (j != k && m->r[ti][j].present && m->r[ti][j].has_u && m->r[ti][j].u == u)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* operations: return 0 done, 1 write conflict (caller rolls back all), -1 failure */

static int conflict_or_fail(worker *w, JET_ERR err, const char *what, int line)
{
    if (err == JET_errWriteConflict)
        return 1;
    wfail(w, line, "%s: unexpected %d", what, (int)err);
    return -1;
}
#define CONFLICT_OR_FAIL(w, err, what) conflict_or_fail((w), (err), (what), __LINE__)

static int op_insert(worker *w, int ti, int k)
{
    JET_TABLEID t = w->t[ti];
    mrow r;
    random_row(w, &r);
    int32_t id = own_id(w->tid, k);
    bool dup = w->cur.r[ti][k].present || (r.has_u && u_taken(&w->cur, ti, k, r.u));
    JET_ERR err = JetPrepareUpdate(w->s, t, JET_prepInsert);
    if (err < 0)
        WFAIL(w, "prepare insert %d", (int)err);
    err = JetSetColumn(w->s, t, c_id, &id, 4, 0, NULL);
    if (err >= 0)
        err = put_cols(w, t, &r, NULL);
    if (err >= 0)
        err = JetUpdate(w->s, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(w->s, t, JET_prepCancel);
    if (dup) {
        if (err != JET_errKeyDuplicate)
            WFAIL(w, "insert %s k %d: %d, expected KeyDuplicate", g_tabname[ti], k, (int)err);
        w->dups++;
        return 0;
    }
    if (err < 0)
        WFAIL(w, "insert %s k %d: %d", g_tabname[ti], k, (int)err);
    w->cur.r[ti][k] = r;
    return 0;
}

static int op_replace(worker *w, int ti, int k)
{
    JET_TABLEID t = w->t[ti];
    const mrow *old = &w->cur.r[ti][k];
    JET_ERR err = seek_pk(w->s, t, own_id(w->tid, k));
    if (!old->present) {
        if (err != JET_errRecordNotFound)
            WFAIL(w, "seek absent %s k %d: %d", g_tabname[ti], k, (int)err);
        return 0;
    }
    if (err < 0)
        WFAIL(w, "seek %s k %d: %d", g_tabname[ti], k, (int)err);
    mrow r;
    random_row(w, &r);
    r.esc = old->esc;
    /* keep some columns */
    if (rndn(w, 3) == 0) {
        r.lvseed = old->lvseed;
        r.lvlen = old->lvlen;
    }
    if (rndn(w, 3) == 0) {
        r.has_u = old->has_u;
        r.u = old->u;
    }
    bool dup = r.has_u && u_taken(&w->cur, ti, k, r.u);
    err = JetPrepareUpdate(w->s, t, JET_prepReplace);
    if (err < 0)
        return CONFLICT_OR_FAIL(w, err, "prepare replace");
    err = put_cols(w, t, &r, old);
    if (err >= 0)
        err = JetUpdate(w->s, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(w->s, t, JET_prepCancel);
    if (dup) {
        if (err != JET_errKeyDuplicate)
            WFAIL(w, "replace %s k %d: %d, expected KeyDuplicate", g_tabname[ti], k, (int)err);
        w->dups++;
        return 0;
    }
    if (err < 0)
        WFAIL(w, "replace %s k %d: %d", g_tabname[ti], k, (int)err);
    w->cur.r[ti][k] = r;
    return 0;
}

static int op_delete(worker *w, int ti, int k)
{
    JET_TABLEID t = w->t[ti];
    JET_ERR err = seek_pk(w->s, t, own_id(w->tid, k));
    if (!w->cur.r[ti][k].present) {
        if (err != JET_errRecordNotFound)
            WFAIL(w, "seek deleted %s k %d: %d", g_tabname[ti], k, (int)err);
        return 0;
    }
    if (err < 0)
        WFAIL(w, "seek %s k %d: %d", g_tabname[ti], k, (int)err);
    err = JetDelete(w->s, t);
    if (err < 0)
        WFAIL(w, "delete %s k %d: %d", g_tabname[ti], k, (int)err);
    memset(&w->cur.r[ti][k], 0, sizeof(mrow));
    return 0;
}

static int op_seek(worker *w, int ti, int k)
{
    JET_TABLEID t = w->t[ti];
    const mrow *m = &w->cur.r[ti][k];
    JET_ERR err = seek_pk(w->s, t, own_id(w->tid, k));
    if (!m->present) {
        if (err != JET_errRecordNotFound)
            WFAIL(w, "seek absent %s k %d: %d", g_tabname[ti], k, (int)err);
        return 0;
    }
    if (err < 0)
        WFAIL(w, "seek %s k %d: %d", g_tabname[ti], k, (int)err);
    mrow got;
    int32_t id = 0;
    char why[160];
    err = read_row(w->s, t, &id, &got, w->buf, NULL);
    if (err < 0)
        WFAIL(w, "read %s k %d: %d", g_tabname[ti], k, (int)err);
    if (id != own_id(w->tid, k) || row_diff(&got, w->buf, m, w->exp, why, sizeof why))
        WFAIL(w, "row %s k %d differs from the model: %s", g_tabname[ti], k,
              id != own_id(w->tid, k) ? "id" : why);
    return 0;
}

/* Positions on the first entry >= lo of index idx and sets the range <= hi. Returns the
 * JetSeek / JetSetIndexRange error (JET_errRecordNotFound / JET_errNoCurrentRecord: empty). */
static JET_ERR range(JET_SESID s, JET_TABLEID t, const char *idx, int32_t lo, int32_t hi)
{
    JET_ERR err = JetSetCurrentIndex(s, t, idx);
    if (err >= 0)
        err = JetMakeKey(s, t, &lo, 4, JET_bitNewKey);
    if (err >= 0)
        err = JetSeek(s, t, JET_bitSeekGE);
    if (err < 0)
        return err;
    err = JetMakeKey(s, t, &hi, 4, JET_bitNewKey);
    if (err >= 0)
        err = JetSetIndexRange(s, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive);
    return err;
}

/* pk range over the own key space: exactly the present model rows, in order, equal. */
static int op_scan_pk(worker *w, int ti)
{
    JET_TABLEID t = w->t[ti];
    JET_ERR err = range(w->s, t, "pk", own_id(w->tid, 0), own_id(w->tid, K - 1));
    int k = 0;
    char why[160];
    while (err >= 0) {
        mrow got;
        int32_t id;
        err = read_row(w->s, t, &id, &got, w->buf, NULL);
        if (err < 0)
            WFAIL(w, "scan read: %d", (int)err);
        while (k < K && !w->cur.r[ti][k].present)
            k++;
        if (k == K || id != own_id(w->tid, k))
            WFAIL(w, "pk scan %s: got id %d, model next k %d", g_tabname[ti], id, k);
        if (row_diff(&got, w->buf, &w->cur.r[ti][k], w->exp, why, sizeof why))
            WFAIL(w, "pk scan %s k %d: %s", g_tabname[ti], k, why);
        k++;
        err = JetMove(w->s, t, JET_MoveNext, 0);
    }
    if (err != JET_errNoCurrentRecord && err != JET_errRecordNotFound)
        WFAIL(w, "pk scan end: %d", (int)err);
    while (k < K && !w->cur.r[ti][k].present)
        k++;
    if (k != K)
        WFAIL(w, "pk scan %s: model row k %d missing", g_tabname[ti], k);
    return 0;
}

/* u index range over the own u values: one entry per present row with u, in u order. */
static int op_scan_u(worker *w, int ti)
{
    JET_TABLEID t = w->t[ti];
    int want = 0;
    for (int k = 0; k < K; k++)
        want += w->cur.r[ti][k].present && w->cur.r[ti][k].has_u;
    JET_ERR err = range(w->s, t, "ux", own_u(w->tid, 0), own_u(w->tid, USPAN - 1));
    int n = 0;
    int32_t prev = INT32_MIN;
    while (err >= 0) {
        int32_t id = 0, u = 0, ux = 0;
        uint32_t cb;
        if (JetRetrieveColumn(w->s, t, c_id, &id, 4, &cb, 0, NULL) != 0 ||
            JetRetrieveColumn(w->s, t, c_u, &u, 4, &cb, 0, NULL) != 0 ||
            JetRetrieveColumn(w->s, t, c_u, &ux, 4, &cb, JET_bitRetrieveFromIndex, NULL) != 0)
            WFAIL(w, "u scan retrieve");
        int k = id - own_id(w->tid, 0);
        if (k < 0 || k >= K || !w->cur.r[ti][k].present || !w->cur.r[ti][k].has_u ||
            w->cur.r[ti][k].u != u || ux != u || u <= prev)
            WFAIL(w, "u scan %s: entry id %d u %d (index %d) not in the model", g_tabname[ti], id,
                  u, ux);
        prev = u;
        n++;
        err = JetMove(w->s, t, JET_MoveNext, 0);
    }
    if (err != JET_errNoCurrentRecord && err != JET_errRecordNotFound)
        WFAIL(w, "u scan end: %d", (int)err);
    if (n != want)
        WFAIL(w, "u scan %s: %d entries, model %d", g_tabname[ti], n, want);
    return 0;
}

/* mv index range over one own mv value: the present rows holding it. */
static int op_scan_mv(worker *w, int ti)
{
    JET_TABLEID t = w->t[ti];
    int32_t v = own_u(w->tid, (int)rndn(w, MVSPAN));
    int want = 0;
    for (int k = 0; k < K; k++)
        for (int i = 0; i < w->cur.r[ti][k].nmv; i++)
            want += w->cur.r[ti][k].present && w->cur.r[ti][k].mv[i] == v;
    JET_ERR err = range(w->s, t, "ixmv", v, v);
    int n = 0;
    while (err >= 0) {
        int32_t id = 0, x = 0;
        uint32_t cb;
        if (JetRetrieveColumn(w->s, t, c_id, &id, 4, &cb, 0, NULL) != 0 ||
            JetRetrieveColumn(w->s, t, c_mv, &x, 4, &cb, JET_bitRetrieveFromIndex, NULL) != 0)
            WFAIL(w, "mv scan retrieve");
        int k = id - own_id(w->tid, 0);
        bool has = false;
        for (int i = 0; k >= 0 && k < K && i < w->cur.r[ti][k].nmv; i++)
            has |= w->cur.r[ti][k].mv[i] == v;
        if (x != v || !has)
            WFAIL(w, "mv scan %s: entry id %d value %d, want %d", g_tabname[ti], id, x, v);
        n++;
        err = JetMove(w->s, t, JET_MoveNext, 0);
    }
    if (err != JET_errNoCurrentRecord && err != JET_errRecordNotFound)
        WFAIL(w, "mv scan end: %d", (int)err);
    if (n != want)
        WFAIL(w, "mv scan %s value %d: %d entries, model %d", g_tabname[ti], v, n, want);
    return 0;
}

static int op_escrow_own(worker *w, int ti, int k)
{
    JET_TABLEID t = w->t[ti];
    JET_ERR err = seek_pk(w->s, t, own_id(w->tid, k));
    if (!w->cur.r[ti][k].present)
        return err == JET_errRecordNotFound ? 0 : (wfail(w, __LINE__, "escrow seek %d", err), -1);
    if (err < 0)
        WFAIL(w, "escrow seek %d", (int)err);
    int32_t d = (int32_t)rndn(w, 21) - 10, old = 0;
    uint32_t cbOld = 0;
    err = JetEscrowUpdate(w->s, t, c_esc, &d, 4, &old, 4, &cbOld, 0);
    if (err < 0)
        WFAIL(w, "escrow own: %d", (int)err);
    if (cbOld != 4 || old != w->cur.r[ti][k].esc)
        WFAIL(w, "escrow own old value %d, model %d", old, w->cur.r[ti][k].esc);
    w->cur.r[ti][k].esc += d;
    return 0;
}

static int op_escrow_x(worker *w)
{
    JET_TABLEID t = w->t[0];
    JET_ERR err = seek_pk(w->s, t, (int32_t)rndn(w, NX));
    if (err < 0)
        WFAIL(w, "escrow seek transfer row: %d", (int)err);
    int32_t d = (int32_t)rndn(w, 9) + 1;
    err = JetEscrowUpdate(w->s, t, c_esc, &d, 4, NULL, 0, NULL, 0);
    if (err < 0)
        return CONFLICT_OR_FAIL(w, err, "escrow transfer row");
    w->cur.escx += d;
    return 0;
}

/* Adds amt to the balance of transfer row id (maybe rewriting its long value). */
static int xfer_add(worker *w, int32_t id, int64_t amt)
{
    JET_TABLEID t = w->t[0];
    JET_ERR err = seek_pk(w->s, t, id);
    if (err < 0)
        WFAIL(w, "seek transfer row %d: %d", id, (int)err);
    err = JetPrepareUpdate(w->s, t, JET_prepReplace);
    if (err < 0)
        return CONFLICT_OR_FAIL(w, err, "prepare transfer");
    int64_t bal = 0;
    uint32_t cb = 0;
    err = JetRetrieveColumn(w->s, t, c_val, &bal, 8, &cb, JET_bitRetrieveCopy, NULL);
    if (err >= 0) {
        bal += amt;
        err = JetSetColumn(w->s, t, c_val, &bal, 8, 0, NULL);
    }
    if (err >= 0 && rndn(w, 3) == 0) {
        uint32_t len = rndn(w, 2) ? rndn(w, 1200) : rndn(w, MAXLV + 1);
        lv_fill(w->exp, rnd(w), len);
        err = JetSetColumn(w->s, t, c_lv, len ? w->exp : NULL, len, 0, NULL);
    }
    if (err >= 0)
        err = JetUpdate(w->s, t, NULL, 0, NULL);
    if (err < 0) {
        JetPrepareUpdate(w->s, t, JET_prepCancel);
        return CONFLICT_OR_FAIL(w, err, "transfer update");
    }
    return 0;
}

static int op_transfer(worker *w)
{
    int32_t a = (int32_t)rndn(w, NX), b = (int32_t)rndn(w, NX - 1);
    if (b >= a)
        b++;
    int64_t amt = (int64_t)rndn(w, 100) - 50;
    int rc = xfer_add(w, a, -amt);
    if (rc == 0)
        rc = xfer_add(w, b, amt);
    return rc == 0 ? 0 : rc;
}

/* The transfer rows as one transaction sees them: sum of balances, and a digest. */
static int read_xfer(worker *w, uint64_t *pdigest)
{
    JET_TABLEID t = w->t[0];
    JET_ERR err = range(w->s, t, "pk", 0, NX - 1);
    int64_t sum = 0;
    uint64_t dg = 0;
    int n = 0;
    while (err >= 0) {
        mrow r;
        int32_t id;
        int64_t bal;
        err = read_row(w->s, t, &id, &r, w->buf, &bal);
        if (err < 0)
            WFAIL(w, "read transfer row: %d", (int)err);
        if (id != n)
            WFAIL(w, "transfer row %d where %d expected", id, n);
        sum += bal;
        if (getenv("BJ_STRESS_DEBUG"))
            fprintf(stderr, "t%d xfer %d bal %lld esc %d lv %u %llx\n", w->tid, id, (long long)bal,
                    r.esc, r.lvlen, (unsigned long long)hash(w->buf, r.lvlen));
        dg = dg * 31 + hash(w->buf, r.lvlen) + (uint64_t)bal * 7 + (uint64_t)(uint32_t)r.esc;
        n++;
        err = JetMove(w->s, t, JET_MoveNext, 0);
    }
    if (err != JET_errNoCurrentRecord || n != NX)
        WFAIL(w, "transfer scan: %d rows, end %d", n, (int)err);
    if (sum != (int64_t)NX * BAL0)
        WFAIL(w, "transfer sum %lld, expected %lld", (long long)sum, (long long)NX * BAL0);
    *pdigest = dg;
    return 0;
}

/* A full scan of a secondary index of table ti: entry count and a digest of (key, id). */
static int scan_index(worker *w, int ti, const char *idx, JET_COLUMNID col, uint64_t *pdigest)
{
    JET_TABLEID t = w->t[ti];
    JET_ERR err = JetSetCurrentIndex(w->s, t, idx);
    if (err >= 0)
        err = JetMove(w->s, t, JET_MoveFirst, 0);
    uint64_t dg = 0;
    long n = 0;
    while (err >= 0) {
        int32_t id = 0, x = 0;
        uint32_t cb;
        if (JetRetrieveColumn(w->s, t, c_id, &id, 4, &cb, 0, NULL) != 0 ||
            JetRetrieveColumn(w->s, t, col, &x, 4, &cb, JET_bitRetrieveFromIndex, NULL) != 0)
            WFAIL(w, "index %s scan retrieve", idx);
        dg = dg * 1000003u + (uint64_t)(uint32_t)id * 31 + (uint32_t)x;
        n++;
        err = JetMove(w->s, t, JET_MoveNext, 0);
    }
    if (err != JET_errNoCurrentRecord)
        WFAIL(w, "index %s scan end: %d", idx, (int)err);
    *pdigest = dg ^ (uint64_t)n;
    return 0;
}

static int read_pass(worker *w, uint64_t dg[4])
{
    if (read_xfer(w, &dg[0]) || scan_index(w, 1, "ixg", c_g, &dg[1]) ||
        scan_index(w, 0, "ixmv", c_mv, &dg[2]) || scan_index(w, 1, "ux", c_u, &dg[3]))
        return -1;
    return 0;
}

/* A read-only transaction: two passes must see the same data. */
static int txn_readonly(worker *w)
{
    uint64_t a[4], b[4];
    if (JetBeginTransaction(w->s) < 0)
        WFAIL(w, "begin");
    int rc = read_pass(w, a);
    if (rc == 0) {
        for (int i = 0, n = (int)rndn(w, 3); i < n; i++)
            sched_yield();
        if (rndn(w, 4) == 0)
            usleep(rndn(w, 3000));
        rc = read_pass(w, b);
    }
    if (rc == 0 && memcmp(a, b, sizeof a))
        WFAIL(w, "repeated reads differ in one transaction (%d %d %d %d)", a[0] != b[0],
              a[1] != b[1], a[2] != b[2], a[3] != b[3]);
    if (JetCommitTransaction(w->s, 0) < 0)
        WFAIL(w, "commit read-only");
    w->readonly++;
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* transactions */

static int begin_level(worker *w)
{
    JET_ERR err = JetBeginTransaction(w->s);
    if (err < 0)
        WFAIL(w, "begin level %d: %d", w->level, (int)err);
    w->save[w->level++] = w->cur;
    return 0;
}

static int commit_level(worker *w)
{
    JET_ERR err = JetCommitTransaction(w->s, rndn(w, 2) ? JET_bitCommitLazyFlush : 0);
    if (err < 0)
        WFAIL(w, "commit level %d: %d", w->level, (int)err);
    w->level--;
    if (w->level == 0) {
        w->escx_committed += w->cur.escx - w->save[0].escx;
        w->commits++;
    }
    return 0;
}

static int rollback_level(worker *w, bool all)
{
    JET_ERR err = JetRollback(w->s, all ? JET_bitRollbackAll : 0);
    if (err < 0)
        WFAIL(w, "rollback level %d: %d", w->level, (int)err);
    int to = all ? 0 : w->level - 1;
    w->cur = w->save[to];
    w->level = to;
    if (to == 0)
        w->rollbacks++;
    return 0;
}

static int random_op(worker *w)
{
    int ti = (int)rndn(w, NTAB), k = (int)rndn(w, K);
    uint32_t p = rndn(w, 100);
    w->ops++;
    if (p < 22)
        return op_insert(w, ti, k);
    if (p < 38)
        return op_replace(w, ti, k);
    if (p < 48)
        return op_delete(w, ti, k);
    if (p < 60)
        return op_seek(w, ti, k);
    if (p < 64)
        return op_scan_pk(w, ti);
    if (p < 69)
        return op_scan_u(w, ti);
    if (p < 74)
        return op_scan_mv(w, ti);
    if (p < 80)
        return op_escrow_own(w, ti, k);
    if (p < 86)
        return op_escrow_x(w);
    uint64_t dg;
    if (p < 92)
        return read_xfer(w, &dg);
    return op_transfer(w);
}

static int txn_random(worker *w)
{
    if (begin_level(w))
        return -1;
    int nops = 1 + (int)rndn(w, 12);
    for (int i = 0; i < nops; i++) {
        uint32_t p = rndn(w, 100);
        int rc = 0;
        if (p < 8 && w->level < MAXLVL)
            rc = begin_level(w);
        else if (p < 12 && w->level > 1)
            rc = commit_level(w);
        else if (p < 15 && w->level > 1)
            rc = rollback_level(w, false);
        else
            rc = random_op(w);
        if (rc == 1) {
            w->conflicts++;
            return rollback_level(w, true);
        }
        if (rc < 0)
            return -1;
    }
    uint32_t p = rndn(w, 100);
    if (p < 8)
        return rollback_level(w, true);
    if (p < 16 && w->level > 1 && rollback_level(w, false))
        return -1;
    while (w->level > 0)
        if (commit_level(w))
            return -1;
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    while (!atomic_load(&g_stop) && !atomic_load(&g_failed)) {
        int rc = rndn(w, 10) == 0 ? txn_readonly(w) : txn_random(w);
        if (rc < 0)
            break;
    }
    if (w->level)
        rollback_level(w, true);
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* setup and the final check */

static JET_ERR add_col(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP typ,
                       JET_GRBIT grbit, const void *pvDef, uint32_t cbDef, JET_COLUMNID *pid)
{
    JET_COLUMNDEF def = {sizeof def, 0, typ, 0, 0, 0, 0, 0, grbit};
    return JetAddColumn(s, t, name, &def, pvDef, cbDef, pid);
}

static int make_schema(JET_SESID s, JET_DBID db)
{
    static const int32_t zero = 0;
    for (int ti = 0; ti < NTAB; ti++) {
        JET_TABLEID t;
        if (JetCreateTable(s, db, g_tabname[ti], 0, 0, &t) < 0)
            return -1;
        if (add_col(s, t, "id", JET_coltypLong, JET_bitColumnNotNULL, NULL, 0, &c_id) < 0 ||
            add_col(s, t, "u", JET_coltypLong, 0, NULL, 0, &c_u) < 0 ||
            add_col(s, t, "g", JET_coltypLong, 0, NULL, 0, &c_g) < 0 ||
            add_col(s, t, "esc", JET_coltypLong, JET_bitColumnEscrowUpdate, &zero, 4, &c_esc) < 0 ||
            add_col(s, t, "val", JET_coltypLongLong, 0, NULL, 0, &c_val) < 0 ||
            add_col(s, t, "mv", JET_coltypLong, JET_bitColumnTagged | JET_bitColumnMultiValued,
                    NULL, 0, &c_mv) < 0 ||
            add_col(s, t, "lv", JET_coltypLongBinary, 0, NULL, 0, &c_lv) < 0)
            return -2;
        if (JetCreateIndex(s, t, "pk", JET_bitIndexPrimary, "+id\0", 5, 90) < 0 ||
            JetCreateIndex(s, t, "ux", JET_bitIndexUnique | JET_bitIndexIgnoreAnyNull, "+u\0", 4,
                           90) < 0 ||
            JetCreateIndex(s, t, "ixg", 0, "+g\0", 4, 90) < 0 ||
            JetCreateIndex(s, t, "ixmv", JET_bitIndexIgnoreAnyNull, "+mv\0", 5, 90) < 0)
            return -3;
        JetCloseTable(s, t);
    }
    return 0;
}

static int insert_transfer_rows(JET_SESID s, JET_TABLEID t, uint8_t *buf)
{
    for (int32_t id = 0; id < NX; id++) {
        int64_t bal = BAL0;
        int32_t g = id % 16;
        uint32_t len = (uint32_t)id * 3001 % (MAXLV + 1);
        lv_fill(buf, (uint32_t)id, len);
        if (JetPrepareUpdate(s, t, JET_prepInsert) < 0 ||
            JetSetColumn(s, t, c_id, &id, 4, 0, NULL) < 0 ||
            JetSetColumn(s, t, c_g, &g, 4, 0, NULL) < 0 ||
            JetSetColumn(s, t, c_val, &bal, 8, 0, NULL) < 0 ||
            JetSetColumn(s, t, c_lv, buf, len, 0, NULL) < 0 || JetUpdate(s, t, NULL, 0, NULL) < 0)
            return -1;
    }
    return 0;
}

static int tool_check(const char *path)
{
    const char *tool = getenv("BJ_TOOL");
    char cmd[4096];
    if (!tool)
        return -1;
    snprintf(cmd, sizeof(cmd), "'%s' check '%s'", tool, path);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Index idx of table ti: entry count, every entry's key column value present in its record. */
static long check_index(JET_SESID s, JET_TABLEID t, const char *idx, JET_COLUMNID col, bool multi)
{
    if (JetSetCurrentIndex(s, t, idx) < 0)
        return -1;
    long n = 0;
    JET_ERR err = JetMove(s, t, JET_MoveFirst, 0);
    for (; err >= 0; err = JetMove(s, t, JET_MoveNext, 0)) {
        int32_t x = 0, v = 0;
        uint32_t cb = 0;
        if (JetRetrieveColumn(s, t, col, &x, 4, &cb, JET_bitRetrieveFromIndex, NULL) != 0)
            return -2;
        bool found = false;
        for (uint32_t i = 1; i <= (multi ? MAXMV : 1u); i++) {
            JET_RETINFO ri = {sizeof ri, 0, i, 0};
            if (JetRetrieveColumn(s, t, col, &v, 4, &cb, 0, &ri) != 0)
                break;
            found |= v == x;
        }
        if (!found) {
            printf("  index %s entry %d has no match in its record\n", idx, x);
            return -3;
        }
        n++;
    }
    return err == JET_errNoCurrentRecord ? n : -4;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

TEST(random_transactions_match_the_model)
{
    uint64_t seed = env_u64("BJ_STRESS_SEED", 20240611);
    if (!seed)
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
    uint64_t secs = env_u64("BJ_STRESS_SECONDS", 20);
    int nthr = (int)env_u64("BJ_STRESS_THREADS", 4);
    if (nthr < 1 || nthr > MAXTHR)
        nthr = 4;
    printf("  BJ_STRESS_SEED=%llu BJ_STRESS_SECONDS=%llu BJ_STRESS_THREADS=%d\n",
           (unsigned long long)seed, (unsigned long long)secs, nthr);
    fflush(stdout);

    char path[600], sys[600];
    snprintf(path, sizeof path, "%s/stress.edb", bj_test_tmpdir());
    snprintf(sys, sizeof sys, "%s/", bj_test_tmpdir());
    JET_INSTANCE inst = 0;
    JET_SESID s;
    JET_DBID db;
    REQUIRE_OK(JetCreateInstance(&inst, "stress"));
    JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, sys);
    JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, sys);
    JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, sys);
    REQUIRE_OK(JetInit(&inst));
    REQUIRE_OK(JetBeginSession(inst, &s, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(s, path, NULL, &db, 0));
    REQUIRE_OK(make_schema(s, db));
    uint8_t *tmp = malloc(MAXLV + 16);
    REQUIRE(tmp);
    JET_TABLEID ta;
    REQUIRE_OK(JetOpenTable(s, db, "A", NULL, 0, 0, &ta));
    REQUIRE_OK(insert_transfer_rows(s, ta, tmp));

    worker *w = calloc((size_t)nthr, sizeof(worker));
    pthread_t th[MAXTHR];
    REQUIRE(w);
    atomic_store(&g_failed, 0);
    atomic_store(&g_stop, 0);
    for (int i = 0; i < nthr; i++) {
        w[i].tid = i;
        w[i].rs = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i * 0x100000001b3ull + 1;
        w[i].buf = malloc(MAXLV + 16);
        w[i].exp = malloc(MAXLV + 16);
        REQUIRE(w[i].buf && w[i].exp);
        REQUIRE_OK(JetBeginSession(inst, &w[i].s, NULL, NULL));
        REQUIRE_OK(JetOpenDatabase(w[i].s, path, NULL, &w[i].db, 0));
        for (int ti = 0; ti < NTAB; ti++)
            REQUIRE_OK(JetOpenTable(w[i].s, w[i].db, g_tabname[ti], NULL, 0, 0, &w[i].t[ti]));
    }
    for (int i = 0; i < nthr; i++)
        REQUIRE(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        usleep(50 * 1000);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (!atomic_load(&g_failed) && (uint64_t)(now.tv_sec - t0.tv_sec) < secs);
    atomic_store(&g_stop, 1);
    for (int i = 0; i < nthr; i++)
        pthread_join(th[i], NULL);
    if (atomic_load(&g_failed))
        bj_test_fail(__FILE__, __LINE__, "seed %llu: %s", (unsigned long long)seed, g_failmsg);
    long commits = 0, rollbacks = 0, conflicts = 0, dups = 0, ro = 0, ops = 0;
    int64_t escx = 0;
    for (int i = 0; i < nthr; i++) {
        commits += w[i].commits;
        rollbacks += w[i].rollbacks;
        conflicts += w[i].conflicts;
        dups += w[i].dups;
        ro += w[i].readonly;
        ops += w[i].ops;
        escx += w[i].escx_committed;
    }
    printf("  ops %ld, commits %ld, rollbacks %ld (conflicts %ld), key duplicates %ld, "
           "read-only %ld\n",
           ops, commits, rollbacks, conflicts, dups, ro);

    /* the final check, on a fresh session */
    JET_TABLEID t[NTAB];
    for (int ti = 0; ti < NTAB; ti++)
        REQUIRE_OK(JetOpenTable(s, db, g_tabname[ti], NULL, 0, 0, &t[ti]));
    for (int ti = 0; ti < NTAB; ti++) {
        long nrow = ti == 0 ? NX : 0, nu = 0, nmv = 0;
        for (int i = 0; i < nthr; i++)
            for (int k = 0; k < K; k++) {
                const mrow *m = &w[i].cur.r[ti][k];
                nrow += m->present;
                nu += m->present && m->has_u;
                nmv += m->present ? m->nmv : 0;
                if (!m->present)
                    continue;
                mrow got;
                int32_t id = 0;
                char why[160] = "";
                if (seek_pk(s, t[ti], own_id(i, k)) != 0 ||
                    read_row(s, t[ti], &id, &got, tmp, NULL) != 0 ||
                    row_diff(&got, tmp, m, w[i].exp, why, sizeof why))
                    bj_test_fail(__FILE__, __LINE__, "table %s thread %d k %d: %s", g_tabname[ti],
                                 i, k, why);
            }
        long cpk = check_index(s, t[ti], "pk", c_id, false);
        CHECK_EQ(cpk, nrow);
        CHECK_EQ(check_index(s, t[ti], "ux", c_u, false), nu);
        CHECK_EQ(check_index(s, t[ti], "ixg", c_g, false), nrow);
        CHECK_EQ(check_index(s, t[ti], "ixmv", c_mv, true), nmv);
    }
    /* transfer rows: balance sum and escrow total */
    int64_t sum = 0, esc = 0;
    for (int32_t id = 0; id < NX; id++) {
        int64_t bal = 0;
        int32_t e = 0;
        CHECK_OK(seek_pk(s, t[0], id));
        CHECK_OK(JetRetrieveColumn(s, t[0], c_val, &bal, 8, NULL, 0, NULL));
        CHECK_OK(JetRetrieveColumn(s, t[0], c_esc, &e, 4, NULL, 0, NULL));
        sum += bal;
        esc += e;
    }
    CHECK_EQ(sum, (int64_t)NX * BAL0);
    CHECK_EQ(esc, escx);
    for (int i = 0; i < nthr; i++) {
        CHECK_OK(JetEndSession(w[i].s, 0));
        free(w[i].buf);
        free(w[i].exp);
    }
    free(w);
    free(tmp);
    for (int ti = 0; ti < NTAB; ti++)
        CHECK_OK(JetCloseTable(s, t[ti]));
    CHECK_OK(JetCloseTable(s, ta));
    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));
    if (getenv("BJ_TOOL"))
        CHECK_EQ(tool_check(path), 0);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
