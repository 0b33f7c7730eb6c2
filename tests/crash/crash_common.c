/* crash_common.c: the shared workload, model and check of the crash suites (crash_common.h).
 * Workers share nothing but the instance; the sink serialises the events it receives. The model
 * and cw_check run on one thread.
 */
#include "crash_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---------------------------------------------------------------- helpers */

uint64_t cw_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t cw_env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

const char *cw_tool_path(void)
{
    const char *t = getenv("BJ_TOOL");
    if (t && *t)
        return t;
#ifdef BJ_TOOL_PATH
    return BJ_TOOL_PATH;
#else
    return NULL;
#endif
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return calloc(1, 1);
    fseek(f, 0, SEEK_END);
    long cb = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)(cb > 0 ? cb : 0) + 1);
    size_t n = buf ? fread(buf, 1, (size_t)(cb > 0 ? cb : 0), f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int cw_tool_check(const char *file, const char *tmpdir)
{
    const char *tool = cw_tool_path();
    if (!tool)
        return -1;
    char cmd[8192], outPath[2048], errPath[2048];
    snprintf(outPath, sizeof outPath, "%s/check.out", tmpdir);
    snprintf(errPath, sizeof errPath, "%s/check.err", tmpdir);
    snprintf(cmd, sizeof cmd,
             "ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99:halt_on_error=1 timeout 120 "
             "'%s' check --quiet '%s' >'%s' 2>'%s'",
             tool, file, outPath, errPath);
    int st = system(cmd);
    char *err = slurp(errPath);
    int rc = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (err && (strstr(err, "Sanitizer") || strstr(err, "runtime error")))
        rc = -2;
    if (rc != 0) {
        char *out = slurp(outPath);
        fprintf(stderr, "bluejet check %s: exit %d\n%s%s", file, rc, out ? out : "",
                err ? err : "");
        free(out);
    }
    free(err);
    return rc;
}

/* ---------------------------------------------------------------- map */

static size_t map_slot(const cw_map *mp, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29)) & (mp->cap - 1);
}

static void map_grow(cw_map *mp);

/* The slot holding key, or SIZE_MAX. */
static size_t map_find(const cw_map *mp, uint64_t key)
{
    if (!mp->cap)
        return SIZE_MAX;
    for (size_t i = map_slot(mp, key);; i = (i + 1) & (mp->cap - 1)) {
        if (mp->used[i] == 0)
            return SIZE_MAX;
        if (mp->used[i] == 1 && mp->keys[i] == key)
            return i;
    }
}

static void map_put(cw_map *mp, uint64_t key, int64_t val)
{
    size_t i = map_find(mp, key);
    if (i != SIZE_MAX) {
        mp->vals[i] = val;
        return;
    }
    if ((mp->n + mp->ntomb + 1) * 2 > mp->cap)
        map_grow(mp);
    for (i = map_slot(mp, key); mp->used[i] == 1; i = (i + 1) & (mp->cap - 1))
        ;
    if (mp->used[i] == 2)
        mp->ntomb--;
    mp->used[i] = 1;
    mp->keys[i] = key;
    mp->vals[i] = val;
    mp->n++;
}

static void map_del(cw_map *mp, uint64_t key)
{
    size_t i = map_find(mp, key);
    if (i == SIZE_MAX)
        return;
    mp->used[i] = 2;
    mp->n--;
    mp->ntomb++;
}

static void map_free(cw_map *mp)
{
    free(mp->keys);
    free(mp->vals);
    free(mp->used);
    memset(mp, 0, sizeof *mp);
}

static void map_grow(cw_map *mp)
{
    cw_map old = *mp;
    size_t cap = old.cap ? old.cap * 2 : 1024;
    while ((old.n + 1) * 2 > cap)
        cap *= 2;
    mp->keys = calloc(cap, sizeof *mp->keys);
    mp->vals = calloc(cap, sizeof *mp->vals);
    mp->used = calloc(cap, 1);
    if (!mp->keys || !mp->vals || !mp->used) {
        fprintf(stderr, "crash_common: out of memory\n");
        abort();
    }
    mp->cap = cap;
    mp->n = mp->ntomb = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.used[i] == 1)
            map_put(mp, old.keys[i], old.vals[i]);
    map_free(&old);
}

/* ---------------------------------------------------------------- protocol lines */

size_t cw_format(char *buf, size_t cb, char what, const cw_txn *t)
{
    int n =
        snprintf(buf, cb, "%c %" PRIu32 " %" PRIu64 " %" PRIu32, what, t->thread, t->id, t->nops);
    for (uint32_t i = 0; i < t->nops && n >= 0 && (size_t)n < cb; i++)
        n += snprintf(buf + n, cb - (size_t)n, " %u %" PRIu64 " %" PRId64, t->ops[i].kind,
                      t->ops[i].key, t->ops[i].val);
    if (n < 0 || (size_t)n + 1 >= cb)
        return 0;
    buf[n++] = '\n';
    buf[n] = 0;
    return (size_t)n;
}

bool cw_parse(const char *line, char *what, cw_txn *t)
{
    memset(t, 0, sizeof *t);
    int pos = 0;
    char c;
    if (sscanf(line, "%c %" SCNu32 " %" SCNu64 " %" SCNu32 "%n", &c, &t->thread, &t->id, &t->nops,
               &pos) != 4)
        return false;
    if (t->nops > CW_MAXOPS || t->thread >= CW_MAXTHR || !strchr("BCLR", c))
        return false;
    for (uint32_t i = 0; i < t->nops; i++) {
        unsigned kind;
        int adv = 0;
        if (sscanf(line + pos, " %u %" SCNu64 " %" SCNd64 "%n", &kind, &t->ops[i].key,
                   &t->ops[i].val, &adv) != 3 ||
            kind < CW_INS || kind > CW_DEL)
            return false;
        t->ops[i].kind = (uint8_t)kind;
        pos += adv;
    }
    *what = c;
    return true;
}

/* ---------------------------------------------------------------- model */

void cw_model_init(cw_model *m)
{
    memset(m, 0, sizeof *m);
}

void cw_model_free(cw_model *m)
{
    map_free(&m->rows);
}

static void apply_txn(cw_map *mp, const cw_txn *t)
{
    for (uint32_t i = 0; i < t->nops; i++) {
        const cw_op *o = &t->ops[i];
        if (o->kind == CW_DEL)
            map_del(mp, o->key);
        else
            map_put(mp, o->key, o->val);
    }
}

static void proto_err(cw_model *m, char what, const cw_txn *t, const char *why)
{
    if (!m->err[0])
        snprintf(m->err, sizeof m->err, "protocol: '%c' thread %" PRIu32 " txn %" PRIu64 ": %s",
                 what, t->thread, t->id, why);
}

void cw_model_event(cw_model *m, char what, const cw_txn *t)
{
    if (t->thread >= CW_MAXTHR) {
        proto_err(m, what, t, "thread out of range");
        return;
    }
    uint32_t th = t->thread;
    uint32_t *np = &m->npend[th];
    bool lastB = *np && m->pendKind[th][*np - 1] == 'B' && m->pend[th][*np - 1].id == t->id;
    switch (what) {
    case 'B':
        if (*np && m->pendKind[th][*np - 1] == 'B')
            proto_err(m, what, t, "a second transaction begun before the first ended");
        else if (*np == CW_MAXPEND)
            proto_err(m, what, t, "too many pending transactions");
        else {
            m->pend[th][*np] = *t;
            m->pendKind[th][(*np)++] = 'B';
        }
        break;
    case 'L':
        if (!lastB)
            proto_err(m, what, t, "not the transaction begun");
        else
            m->pendKind[th][*np - 1] = 'L';
        break;
    case 'C':
        if (!lastB) {
            proto_err(m, what, t, "not the transaction begun");
            break;
        }
        for (uint32_t i = 0; i < *np; i++)
            apply_txn(&m->rows, &m->pend[th][i]);
        *np = 0;
        m->ncommitted++;
        break;
    case 'R':
        if (!lastB)
            proto_err(m, what, t, "not the transaction begun");
        else
            (*np)--;
        m->nrolledback++;
        break;
    default:
        proto_err(m, what, t, "unknown event");
    }
}

/* ---------------------------------------------------------------- schema */

static JET_ERR add_col(JET_SESID s, JET_TABLEID t, const char *name, JET_COLTYP typ,
                       JET_COLUMNID *pid)
{
    JET_COLUMNDEF d;
    memset(&d, 0, sizeof d);
    d.cbStruct = sizeof d;
    d.coltyp = typ;
    d.grbit = JET_bitColumnFixed;
    return JetAddColumn(s, t, name, &d, NULL, 0, pid);
}

JET_ERR cw_create_schema(JET_SESID s, JET_DBID db)
{
    JET_ERR err;
    JET_TABLEID tr = 0, ta = 0;
    JET_COLUMNID ck, cv, cid, cbal;
    if ((err = JetBeginTransaction(s)) < 0)
        return err;
    if ((err = JetCreateTable(s, db, "rows", 16, 90, &tr)) < 0 ||
        (err = add_col(s, tr, "k", JET_coltypCurrency, &ck)) < 0 ||
        (err = add_col(s, tr, "v", JET_coltypCurrency, &cv)) < 0 ||
        (err = JetCreateIndex(s, tr, "pk", JET_bitIndexPrimary, "+k\0", 4, 90)) < 0)
        goto fail;
    if ((err = JetCreateTable(s, db, "accounts", 1, 90, &ta)) < 0 ||
        (err = add_col(s, ta, "id", JET_coltypLong, &cid)) < 0 ||
        (err = add_col(s, ta, "bal", JET_coltypCurrency, &cbal)) < 0 ||
        (err = JetCreateIndex(s, ta, "pk", JET_bitIndexPrimary, "+id\0", 5, 90)) < 0)
        goto fail;
    for (int32_t id = 0; id < CW_NACC; id++) {
        int64_t bal = CW_BAL0;
        if ((err = JetPrepareUpdate(s, ta, JET_prepInsert)) < 0 ||
            (err = JetSetColumn(s, ta, cid, &id, 4, 0, NULL)) < 0 ||
            (err = JetSetColumn(s, ta, cbal, &bal, 8, 0, NULL)) < 0 ||
            (err = JetUpdate(s, ta, NULL, 0, NULL)) < 0)
            goto fail;
    }
    JetCloseTable(s, tr);
    JetCloseTable(s, ta);
    return JetCommitTransaction(s, 0);
fail:
    if (tr)
        JetCloseTable(s, tr);
    if (ta)
        JetCloseTable(s, ta);
    JetRollback(s, 0);
    return err;
}

typedef struct cw_tables {
    JET_TABLEID tr, ta;
    JET_COLUMNID ck, cv, cid, cbal;
} cw_tables;

static JET_ERR col_id(JET_SESID s, JET_TABLEID t, const char *name, JET_COLUMNID *pid)
{
    JET_COLUMNDEF d;
    memset(&d, 0, sizeof d);
    JET_ERR err = JetGetTableColumnInfo(s, t, name, &d, sizeof d, JET_ColInfo);
    *pid = d.columnid;
    return err;
}

static JET_ERR open_tables(JET_SESID s, JET_DBID db, cw_tables *tb)
{
    JET_ERR err;
    memset(tb, 0, sizeof *tb);
    if ((err = JetOpenTable(s, db, "rows", NULL, 0, 0, &tb->tr)) < 0 ||
        (err = JetOpenTable(s, db, "accounts", NULL, 0, 0, &tb->ta)) < 0 ||
        (err = col_id(s, tb->tr, "k", &tb->ck)) < 0 ||
        (err = col_id(s, tb->tr, "v", &tb->cv)) < 0 ||
        (err = col_id(s, tb->ta, "id", &tb->cid)) < 0 ||
        (err = col_id(s, tb->ta, "bal", &tb->cbal)) < 0)
        return err;
    return JET_errSuccess;
}

static void close_tables(JET_SESID s, cw_tables *tb)
{
    if (tb->tr)
        JetCloseTable(s, tb->tr);
    if (tb->ta)
        JetCloseTable(s, tb->ta);
    memset(tb, 0, sizeof *tb);
}

/* ---------------------------------------------------------------- worker */

static JET_ERR seek_key(JET_SESID s, JET_TABLEID t, const void *key, uint32_t cb)
{
    JET_ERR err = JetMakeKey(s, t, key, cb, JET_bitNewKey);
    return err < 0 ? err : JetSeek(s, t, JET_bitSeekEQ);
}

static JET_ERR do_op(JET_SESID s, const cw_tables *tb, const cw_op *o)
{
    JET_ERR err;
    int64_t k = (int64_t)o->key;
    if (o->kind == CW_INS) {
        if ((err = JetPrepareUpdate(s, tb->tr, JET_prepInsert)) < 0 ||
            (err = JetSetColumn(s, tb->tr, tb->ck, &k, 8, 0, NULL)) < 0 ||
            (err = JetSetColumn(s, tb->tr, tb->cv, &o->val, 8, 0, NULL)) < 0)
            goto fail;
        return JetUpdate(s, tb->tr, NULL, 0, NULL);
    }
    if ((err = seek_key(s, tb->tr, &k, 8)) < 0)
        return err;
    if (o->kind == CW_DEL)
        return JetDelete(s, tb->tr);
    if ((err = JetPrepareUpdate(s, tb->tr, JET_prepReplace)) < 0 ||
        (err = JetSetColumn(s, tb->tr, tb->cv, &o->val, 8, 0, NULL)) < 0)
        goto fail;
    return JetUpdate(s, tb->tr, NULL, 0, NULL);
fail:
    JetPrepareUpdate(s, tb->tr, JET_prepCancel);
    return err;
}

/* Moves amt from account a to account b (inside the caller's transaction). */
static JET_ERR do_transfer(JET_SESID s, const cw_tables *tb, int32_t a, int32_t b, int64_t amt)
{
    const int32_t ids[2] = {a, b};
    const int64_t delta[2] = {-amt, amt};
    for (int i = 0; i < 2; i++) {
        JET_ERR err;
        int64_t bal = 0;
        uint32_t cb = 0;
        if ((err = seek_key(s, tb->ta, &ids[i], 4)) < 0 ||
            (err = JetPrepareUpdate(s, tb->ta, JET_prepReplace)) < 0)
            return err;
        if ((err = JetRetrieveColumn(s, tb->ta, tb->cbal, &bal, 8, &cb, JET_bitRetrieveCopy,
                                     NULL)) < 0 ||
            (bal += delta[i], (err = JetSetColumn(s, tb->ta, tb->cbal, &bal, 8, 0, NULL)) < 0) ||
            (err = JetUpdate(s, tb->ta, NULL, 0, NULL)) < 0) {
            JetPrepareUpdate(s, tb->ta, JET_prepCancel);
            return err;
        }
    }
    return JET_errSuccess;
}

static void live_add(cw_worker *w, uint64_t key, int64_t val)
{
    if (w->nlive == w->caplive) {
        uint32_t cap = w->caplive ? 2 * w->caplive : 64;
        uint64_t *k = realloc(w->live, cap * sizeof *k);
        if (k)
            w->live = k;
        int64_t *v = realloc(w->liveVal, cap * sizeof *v);
        if (v)
            w->liveVal = v;
        if (!k || !v)
            abort();
        w->caplive = cap;
    }
    w->live[w->nlive] = key;
    w->liveVal[w->nlive++] = val;
}

static void live_apply(cw_worker *w, const cw_txn *t)
{
    for (uint32_t i = 0; i < t->nops; i++) {
        const cw_op *o = &t->ops[i];
        if (o->kind == CW_INS) {
            live_add(w, o->key, o->val);
            continue;
        }
        for (uint32_t j = 0; j < w->nlive; j++)
            if (w->live[j] == o->key) {
                if (o->kind == CW_UPD)
                    w->liveVal[j] = o->val;
                else {
                    w->live[j] = w->live[--w->nlive];
                    w->liveVal[j] = w->liveVal[w->nlive];
                }
                break;
            }
    }
}

/* A live key not yet used by t (UINT64_MAX when none). */
static uint64_t pick_live(cw_worker *w, const cw_txn *t)
{
    if (!w->nlive)
        return UINT64_MAX;
    for (int tries = 0; tries < 8; tries++) {
        uint64_t k = w->live[cw_rand(&w->rng) % w->nlive];
        bool used = false;
        for (uint32_t i = 0; i < t->nops; i++)
            used |= t->ops[i].key == k;
        if (!used)
            return k;
    }
    return UINT64_MAX;
}

void *cw_worker_main(void *arg)
{
    cw_worker *w = arg;
    JET_SESID s = 0;
    JET_DBID db = 0;
    bool dbOpen = false;
    cw_tables tb;
    memset(&tb, 0, sizeof tb);
    uint64_t seq = 0, txnid = 0;
    uint32_t nlazy = 0;
    JET_ERR err;
    if ((err = JetBeginSession(w->inst, &s, NULL, NULL)) < 0) {
        s = 0;
        goto done;
    }
    if ((err = JetOpenDatabase(s, w->dbpath, NULL, &db, 0)) < 0)
        goto done;
    dbOpen = true;
    if ((err = open_tables(s, db, &tb)) < 0)
        goto done;
    err = JET_errSuccess;
    for (uint32_t n = 0; !w->maxTxns || n < w->maxTxns; n++) {
        if (w->stop && atomic_load(w->stop))
            break;
        cw_txn t;
        memset(&t, 0, sizeof t);
        t.thread = w->thread;
        t.id = ++txnid;
        uint32_t r = (uint32_t)(cw_rand(&w->rng) % 100);
        bool transfer = false, rollback = false;
        uint64_t base = ((uint64_t)w->round << 40) | ((uint64_t)w->thread << 32);
#define NEWKEY() (base | ++seq)
#define VAL() ((int64_t)(cw_rand(&w->rng) % 1000000007))
        if (r < 30) { /* one insert */
            t.ops[t.nops++] = (cw_op){CW_INS, NEWKEY(), VAL()};
        } else if (r < 45) { /* multi-statement: two inserts and a transfer */
            t.ops[t.nops++] = (cw_op){CW_INS, NEWKEY(), VAL()};
            t.ops[t.nops++] = (cw_op){CW_INS, NEWKEY(), VAL()};
            transfer = true;
        } else if (r < 60) { /* a transfer alone */
            transfer = true;
        } else if (r < 72) { /* an update (and a transfer, sometimes) */
            uint64_t k = pick_live(w, &t);
            if (k != UINT64_MAX)
                t.ops[t.nops++] = (cw_op){CW_UPD, k, VAL()};
            transfer = r & 1;
        } else if (r < 82) { /* a delete */
            uint64_t k = pick_live(w, &t);
            if (k != UINT64_MAX)
                t.ops[t.nops++] = (cw_op){CW_DEL, k, 0};
        } else if (r < 92) { /* rolled back on purpose */
            t.ops[t.nops++] = (cw_op){CW_INS, NEWKEY(), VAL()};
            uint64_t k = pick_live(w, &t);
            if (k != UINT64_MAX)
                t.ops[t.nops++] = (cw_op){CW_UPD, k, VAL()};
            transfer = true;
            rollback = true;
        } else { /* mixed: insert, update, delete */
            t.ops[t.nops++] = (cw_op){CW_INS, NEWKEY(), VAL()};
            uint64_t k = pick_live(w, &t);
            if (k != UINT64_MAX)
                t.ops[t.nops++] = (cw_op){CW_UPD, k, VAL()};
            k = pick_live(w, &t);
            if (k != UINT64_MAX)
                t.ops[t.nops++] = (cw_op){CW_DEL, k, 0};
        }
#undef NEWKEY
#undef VAL
        w->sink(w->ctx, 'B', &t);
        if ((err = JetBeginTransaction(s)) < 0) {
            w->sink(w->ctx, 'R', &t);
            break;
        }
        for (uint32_t i = 0; i < t.nops && err >= 0; i++)
            err = do_op(s, &tb, &t.ops[i]);
        if (err >= 0 && transfer) {
            int32_t a = (int32_t)(cw_rand(&w->rng) % CW_NACC);
            int32_t b = (int32_t)((a + 1 + cw_rand(&w->rng) % (CW_NACC - 1)) % CW_NACC);
            err = do_transfer(s, &tb, a, b, (int64_t)(cw_rand(&w->rng) % 50 + 1));
        }
        if (err < 0 || rollback) {
            JetRollback(s, 0); /* may fail after an I/O error; never committed either way */
            w->sink(w->ctx, 'R', &t);
            if (err == JET_errWriteConflict) {
                w->nconflict++;
                err = JET_errSuccess;
            }
            w->nrollback++;
            if (err < 0)
                break;
            continue;
        }
        bool lazy = w->lazy && nlazy < 4 && cw_rand(&w->rng) % 4 == 0;
        if ((err = JetCommitTransaction(s, lazy ? JET_bitCommitLazyFlush : 0)) < 0) {
            JetRollback(s, 0); /* outcome unknown: no event */
            break;
        }
        nlazy = lazy ? nlazy + 1 : 0;
        w->sink(w->ctx, lazy ? 'L' : 'C', &t);
        live_apply(w, &t);
        w->ncommit++;
    }
done:
    w->err = err;
    if (s) {
        close_tables(s, &tb);
        if (dbOpen)
            JetCloseDatabase(s, db, 0);
        JetEndSession(s, 0);
    }
    free(w->live);
    free(w->liveVal);
    w->live = NULL;
    w->liveVal = NULL;
    w->nlive = w->caplive = 0;
    return NULL;
}

/* ---------------------------------------------------------------- check */

static void key_name(char *buf, size_t cb, uint64_t k)
{
    snprintf(buf, cb, "key %" PRIu64 " (round %" PRIu64 " thread %" PRIu64 " seq %" PRIu64 ")", k,
             k >> 40, (k >> 32) & 0xff, k & 0xffffffffu);
}

/* Whether the keys touched by pending transactions of thread th are, in found, as the model
 * with the first p of them applied. */
static bool prefix_matches(const cw_model *m, uint32_t th, uint32_t p, const cw_map *found)
{
    cw_map exp;
    memset(&exp, 0, sizeof exp);
    /* expected state of each touched key: start from the model */
    for (uint32_t i = 0; i < m->npend[th]; i++)
        for (uint32_t j = 0; j < m->pend[th][i].nops; j++) {
            uint64_t k = m->pend[th][i].ops[j].key;
            size_t at = map_find(&m->rows, k);
            if (at != SIZE_MAX)
                map_put(&exp, k, m->rows.vals[at]);
        }
    for (uint32_t i = 0; i < p; i++)
        apply_txn(&exp, &m->pend[th][i]);
    bool ok = true;
    for (uint32_t i = 0; i < m->npend[th] && ok; i++)
        for (uint32_t j = 0; j < m->pend[th][i].nops && ok; j++) {
            uint64_t k = m->pend[th][i].ops[j].key;
            size_t e = map_find(&exp, k), f = map_find(found, k);
            ok = (e == SIZE_MAX) == (f == SIZE_MAX) &&
                 (e == SIZE_MAX || exp.vals[e] == found->vals[f]);
        }
    map_free(&exp);
    return ok;
}

int cw_check(cw_model *m, JET_SESID s, JET_DBID db, char *why, size_t cbWhy)
{
    int rc = 1;
    cw_tables tb;
    cw_map found;
    memset(&found, 0, sizeof found);
    char kn[128];
    JET_ERR err;
    why[0] = 0;
    if (m->err[0]) {
        snprintf(why, cbWhy, "%s", m->err);
        return 1;
    }
    if ((err = open_tables(s, db, &tb)) < 0) {
        snprintf(why, cbWhy, "opening the tables: %d", (int)err);
        goto done;
    }
    /* every row */
    for (err = JetMove(s, tb.tr, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, tb.tr, JET_MoveNext, 0)) {
        int64_t k = 0, v = 0;
        uint32_t cb = 0;
        JET_ERR e1 = JetRetrieveColumn(s, tb.tr, tb.ck, &k, 8, &cb, 0, NULL);
        JET_ERR e2 = JetRetrieveColumn(s, tb.tr, tb.cv, &v, 8, &cb, 0, NULL);
        if (e1 != 0 || e2 != 0) {
            snprintf(why, cbWhy, "retrieving a row: %d %d", (int)e1, (int)e2);
            goto done;
        }
        if (map_find(&found, (uint64_t)k) != SIZE_MAX) {
            key_name(kn, sizeof kn, (uint64_t)k);
            snprintf(why, cbWhy, "%s found twice", kn);
            goto done;
        }
        map_put(&found, (uint64_t)k, v);
    }
    if (err != JET_errNoCurrentRecord) {
        snprintf(why, cbWhy, "scanning rows: %d", (int)err);
        goto done;
    }
    /* pending transactions: a prefix of each thread's, whole */
    for (uint32_t th = 0; th < CW_MAXTHR; th++) {
        if (!m->npend[th])
            continue;
        int32_t p;
        for (p = (int32_t)m->npend[th]; p >= 0; p--)
            if (prefix_matches(m, th, (uint32_t)p, &found))
                break;
        if (p < 0) {
            const cw_txn *t0 = &m->pend[th][0];
            snprintf(why, cbWhy,
                     "thread %u: the %u pending transactions (from txn %" PRIu64
                     ") are in no prefix state: a partial transaction or out of order",
                     th, m->npend[th], t0->id);
            goto done;
        }
        for (uint32_t i = 0; i < (uint32_t)p; i++)
            apply_txn(&m->rows, &m->pend[th][i]);
        m->npend[th] = 0;
    }
    /* now the model and the rows must be equal */
    for (size_t i = 0; i < found.cap; i++) {
        if (found.used[i] != 1)
            continue;
        size_t at = map_find(&m->rows, found.keys[i]);
        key_name(kn, sizeof kn, found.keys[i]);
        if (at == SIZE_MAX) {
            snprintf(why, cbWhy,
                     "%s is there, but no committed transaction wrote it (rolled back "
                     "or never committed)",
                     kn);
            goto done;
        }
        if (m->rows.vals[at] != found.vals[i]) {
            snprintf(why, cbWhy, "%s holds %" PRId64 ", committed %" PRId64, kn, found.vals[i],
                     m->rows.vals[at]);
            goto done;
        }
    }
    if (found.n != m->rows.n) {
        for (size_t i = 0; i < m->rows.cap; i++)
            if (m->rows.used[i] == 1 && map_find(&found, m->rows.keys[i]) == SIZE_MAX) {
                key_name(kn, sizeof kn, m->rows.keys[i]);
                snprintf(why, cbWhy,
                         "%s is missing: an acknowledged commit was lost (%zu rows, "
                         "%zu expected)",
                         kn, found.n, m->rows.n);
                break;
            }
        goto done;
    }
    /* accounts */
    int64_t sum = 0;
    int32_t nacc = 0;
    for (err = JetMove(s, tb.ta, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, tb.ta, JET_MoveNext, 0)) {
        int64_t bal = 0;
        uint32_t cb = 0;
        if ((err = JetRetrieveColumn(s, tb.ta, tb.cbal, &bal, 8, &cb, 0, NULL)) != 0)
            break;
        sum += bal;
        nacc++;
    }
    if (err != JET_errNoCurrentRecord) {
        snprintf(why, cbWhy, "scanning accounts: %d", (int)err);
        goto done;
    }
    if (nacc != CW_NACC || sum != (int64_t)CW_NACC * CW_BAL0) {
        snprintf(why, cbWhy,
                 "accounts: %d rows summing to %" PRId64 ", expected %d summing to %d "
                 "(a partial transfer)",
                 nacc, sum, CW_NACC, CW_NACC * CW_BAL0);
        goto done;
    }
    rc = 0;
done:
    close_tables(s, &tb);
    map_free(&found);
    return rc;
}
