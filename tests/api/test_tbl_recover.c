/* test_tbl_recover.c: crash recovery's undo half on a real database, through the API and the
 * instance internals: the version store's log_rce hook captures every logged RCE (fields and
 * payload bytes) of a transaction with inserts, replaces, deletes, a re-insert of a deleted
 * key, an escrow update, long values and DDL; the transaction then "crashes" (its RCEs are
 * dropped without undo, the pages keep the changes); the captured RCEs are re-created with
 * the ops found by client and rolled back as recovery does: the table must equal its state
 * before the transaction (all indexes), the DDL must be gone. Also: RCEs whose page changes
 * never happened (a transaction rolled back normally, then "recovered" again), and a second
 * recovery rollback of the same RCEs. */
#include "test_update_env.h"

#include "cat/cat_ddl.h"
#include "inst/db.h"
#include "inst/inst.h"
#include "tbl/tbl.h"
#include "ver/ver_priv.h"

/* ---- the captured log ---- */

typedef struct cap {
    uint32_t dbid, objid, client;
    bj_ver_kind kind;
    uint8_t *bm, *before, *payload;
    uint32_t cbBm, cbBefore, cbPayload;
    uint32_t delta_off, delta_size;
    int64_t delta;
} cap;

#define NCAP 4096
static cap g_cap[NCAP];
static int g_ncap;
static bool g_capture;

static uint8_t *dup(const void *pv, uint32_t cb)
{
    uint8_t *p = malloc(cb ? cb : 1);
    if (cb)
        memcpy(p, pv, cb);
    return p;
}

static JET_ERR cap_rce(void *ctx, bj_trx *trx, const bj_rce *rce)
{
    (void)ctx;
    (void)trx;
    if (!g_capture || g_ncap == NCAP)
        return JET_errSuccess;
    cap *c = &g_cap[g_ncap++];
    c->dbid = rce->dbid;
    c->objid = rce->objid;
    c->client = rce->ops ? rce->ops->client : 0;
    c->kind = rce->kind;
    c->bm = dup(rce->bm, rce->cbBm);
    c->cbBm = rce->cbBm;
    c->before = dup(rce->before, rce->cbBefore);
    c->cbBefore = rce->cbBefore;
    c->payload = dup(rce->payload, rce->cbPayload);
    c->cbPayload = rce->cbPayload;
    c->delta_off = rce->delta_off;
    c->delta_size = rce->delta_size;
    c->delta = rce->delta;
    return JET_errSuccess;
}

static void cap_free(void)
{
    for (int i = 0; i < g_ncap; i++) {
        free(g_cap[i].bm);
        free(g_cap[i].before);
        free(g_cap[i].payload);
    }
    g_ncap = 0;
}

/* ---- the environment's internals ---- */

typedef struct internals {
    bj_sess *s;
    bj_ver *ver;
    bj_db *db;
} internals;

static void enter(env *e, internals *in)
{
    REQUIRE_OK(bj_sess_enter(e->ses, 0, &in->s));
    in->ver = in->s->inst->ver;
    REQUIRE_OK(bj_db_get(in->s, e->dbid, &in->db));
    bj_sess_leave(in->s);
}

static void hooks_on(internals *in)
{
    in->ver->cfg.log_rce = cap_rce; /* single-threaded test: set before any use */
    g_capture = true;
}

/* The process dies: the session's transaction ends without undo. */
static void crash(env *e, internals *in)
{
    bj_sess *s;
    REQUIRE_OK(bj_sess_enter(e->ses, 0, &s));
    bj_ver_trx_abandon(s->ver_state);
    s->trx_level = 0;
    bj_sess_leave(s);
    (void)in;
}

/* Recovery: the captured RCEs [from, n) (deltas only when fDeltas) re-created in one
 * transaction with logging off, then rolled back. */
static void recover_range(internals *in, int from, int n, bool fDeltas)
{
    bj_trx *t = NULL;
    bj_ver_set_logging(in->ver, false);
    REQUIRE_OK(bj_ver_trx_create(in->ver, &t));
    CHECK_OK(bj_ver_trx_begin(t));
    for (int i = from; i < n; i++) {
        const cap *c = &g_cap[i];
        if (c->kind == BJ_VER_READ_LOCK || c->kind == BJ_VER_WRITE_LOCK)
            continue;
        if (c->kind == BJ_VER_DELTA && !fDeltas)
            continue;
        const bj_ver_ops *ops = c->client == BJ_VER_CLIENT_TBL ? bj_tbl_db_ver_ops(in->db->tdb)
                                : c->client == BJ_VER_CLIENT_DDL
                                    ? bj_cat_ddl_ver_ops(bj_db_ddl(in->db))
                                    : NULL;
        CHECK(ops != NULL);
        bj_ver_key key = {c->dbid, c->objid, c->bm, c->cbBm};
        bj_rce *rce = NULL;
        if (c->kind == BJ_VER_DELTA) {
            CHECK_OK(bj_ver_modify_delta(t, &key, c->delta_off, c->delta_size, c->delta, ops,
                                         c->payload, c->cbPayload, &rce));
            if (rce)
                bj_ver_rce_set_applied(rce, true);
        } else {
            CHECK_OK(bj_ver_modify(t, &key, c->kind, c->before, c->cbBefore, ops, c->payload,
                                   c->cbPayload, &rce));
        }
    }
    CHECK_OK(bj_ver_trx_rollback(t, JET_bitRollbackAll));
    bj_ver_trx_destroy(t);
    bj_ver_set_logging(in->ver, true);
}

static void recover(internals *in, int n, bool fDeltas)
{
    recover_range(in, 0, n, fDeltas);
}

/* ---- the table's state ---- */

static const char *const g_ix[] = {"pk", "ix_txt", "ux_sh", "ix_mv"};

static void append(char **pp, size_t *pleft, const char *fmt, long a, long b)
{
    int n = snprintf(*pp, *pleft, fmt, a, b);
    if (n > 0 && (size_t)n < *pleft) {
        *pp += n;
        *pleft -= (size_t)n;
    }
}

/* Every index's entries in order with the record's columns (long text: size and a checksum). */
static void dump(env *e, char *out, size_t cb)
{
    static uint8_t buf[16384];
    char *p = out;
    size_t left = cb;
    out[0] = 0;
    for (size_t x = 0; x < BJ_ARRAY_LEN(g_ix); x++) {
        append(&p, &left, "[%ld]%ld", (long)x, 0);
        CHECK_OK(JetSetCurrentIndex(e->ses, e->tab, g_ix[x]));
        JET_ERR err = JetMove(e->ses, e->tab, JET_MoveFirst, 0);
        while (err >= 0) {
            uint32_t cbT = 0, cbL = 0;
            int16_t sh = 0;
            uint32_t cbS = 0;
            append(&p, &left, " id%ld esc%ld", get_long(e->ses, e->tab, C_ID),
                   get_long(e->ses, e->tab, C_ESC));
            JetRetrieveColumn(e->ses, e->tab, C_SH, &sh, 2, &cbS, 0, NULL);
            append(&p, &left, " sh%ld/%ld", sh, (long)cbS);
            memset(buf, 0, sizeof(buf));
            JetRetrieveColumn(e->ses, e->tab, C_TXT, buf, 255, &cbT, 0, NULL);
            append(&p, &left, " t%ld:%ld", (long)cbT, (long)buf[0]);
            JetRetrieveColumn(e->ses, e->tab, C_LT, buf, sizeof(buf), &cbL, 0, NULL);
            uint32_t sum = 0;
            for (uint32_t i = 0; i < cbL && i < sizeof(buf); i++)
                sum = sum * 31u + buf[i];
            append(&p, &left, " lt%ld:%ld", (long)cbL, (long)(sum & 0xffffffu));
            err = JetMove(e->ses, e->tab, JET_MoveNext, 0);
        }
        CHECK_ERR(err, JET_errNoCurrentRecord);
    }
}

static JET_ERR ins_lt(env *e, int32_t id, const char *txt, int16_t sh, uint32_t cbLt, int seed)
{
    static char lt[12000];
    for (uint32_t i = 0; i < cbLt; i++)
        lt[i] = (char)('a' + (i * 7 + (uint32_t)seed) % 26);
    JET_ERR err = JetPrepareUpdate(e->ses, e->tab, JET_prepInsert);
    int32_t one = 1;
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tab, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tab, C_REQ, &one, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tab, C_TXT, txt, (uint32_t)strlen(txt), 0, NULL);
    if (err >= 0 && sh)
        err = JetSetColumn(e->ses, e->tab, C_SH, &sh, 2, 0, NULL);
    if (err >= 0 && cbLt)
        err = JetSetColumn(e->ses, e->tab, C_LT, lt, cbLt, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, e->tab, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, e->tab, JET_prepCancel);
    return err;
}

static JET_ERR replace_row(env *e, int32_t id, const char *txt, uint32_t cbLt)
{
    static char lt[12000];
    memset(lt, 'z', sizeof(lt));
    JET_ERR err = seek_id(e->ses, e->tab, id);
    if (err >= 0)
        err = JetPrepareUpdate(e->ses, e->tab, JET_prepReplace);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tab, C_TXT, txt, (uint32_t)strlen(txt), 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tab, C_LT, lt, cbLt, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, e->tab, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, e->tab, JET_prepCancel);
    return err;
}

static JET_ERR delete_row(env *e, int32_t id)
{
    JET_ERR err = seek_id(e->ses, e->tab, id);
    return err < 0 ? err : JetDelete(e->ses, e->tab);
}

/* Committed rows 1..6: some with separated long values. */
static void fill(env *e)
{
    CHECK_OK(JetBeginTransaction(e->ses));
    for (int32_t id = 1; id <= 6; id++) {
        char txt[8];
        snprintf(txt, sizeof txt, "r%d", (int)id);
        CHECK_OK(ins_lt(e, id, txt, (int16_t)(100 + id), id % 2 ? 5000 : 20, (int)id));
    }
    CHECK_OK(JetCommitTransaction(e->ses, 0));
}

/* DDL inside the open transaction: a new table, a column and an index on T. */
static void ddl(env *e, const char *szTable)
{
    JET_TABLEID t2;
    JET_COLUMNDEF def = {sizeof def, 0, JET_coltypLong, 0, 0, 0, 0, 4, 0};
    JET_COLUMNID cid;
    CHECK_OK(JetCreateTable(e->ses, e->dbid, szTable, 0, 0, &t2));
    CHECK_OK(JetAddColumn(e->ses, t2, "c", &def, NULL, 0, &cid));
    CHECK_OK(JetCloseTable(e->ses, t2));
    CHECK_OK(JetAddColumn(e->ses, e->tab, "newcol", &def, NULL, 0, &cid));
    CHECK_OK(JetCreateIndex(e->ses, e->tab, "ix_ul", 0, "+ul\0", 5, 100));
}

static void check_ddl_gone(env *e, const char *szTable)
{
    JET_TABLEID t2;
    JET_COLUMNDEF def;
    CHECK_ERR(JetOpenTable(e->ses, e->dbid, szTable, NULL, 0, 0, &t2), JET_errObjectNotFound);
    CHECK_ERR(JetGetTableColumnInfo(e->ses, e->tab, "newcol", &def, sizeof def, JET_ColInfo),
              JET_errColumnNotFound);
    CHECK_ERR(JetSetCurrentIndex(e->ses, e->tab, "ix_ul"), JET_errIndexNotFound);
}

/* The transaction every test runs (after fill). */
static void work(env *e, const char *szTable)
{
    CHECK_OK(ins_lt(e, 10, "new10", 210, 6000, 10));
    CHECK_OK(ins_lt(e, 11, "new11", 0, 0, 11));
    CHECK_OK(replace_row(e, 2, "changed", 7000)); /* index entry moves, a new LV */
    CHECK_OK(delete_row(e, 3));
    CHECK_OK(ins_lt(e, 3, "again3", 303, 10, 3)); /* reuses the flag-deleted node */
    CHECK_OK(delete_row(e, 5));                   /* with its LV */
    CHECK_OK(seek_id(e->ses, e->tab, 4));
    int32_t d = 5;
    CHECK_OK(JetEscrowUpdate(e->ses, e->tab, C_ESC, &d, 4, NULL, 0, NULL, 0));
    ddl(e, szTable);
    CHECK_OK(ins_lt(e, 12, "after_ddl", 0, 4000, 12));
}

static char g_before[65536], g_after[65536];

TEST(crash_then_recovery_rollback_restores_the_table)
{
    env e;
    internals in;
    REQUIRE(env_open(&e) == 0);
    enter(&e, &in);
    fill(&e);
    dump(&e, g_before, sizeof g_before);
    hooks_on(&in);
    g_ncap = 0;
    CHECK_OK(JetBeginTransaction(e.ses));
    work(&e, "t2");
    g_capture = false;
    CHECK(g_ncap > 10);
    bool fDdl = false, fTbl = false, fDelta = false;
    for (int i = 0; i < g_ncap; i++) {
        fDdl |= g_cap[i].client == BJ_VER_CLIENT_DDL;
        fTbl |= g_cap[i].client == BJ_VER_CLIENT_TBL;
        fDelta |= g_cap[i].kind == BJ_VER_DELTA;
        CHECK(g_cap[i].kind != BJ_VER_READ_LOCK && g_cap[i].kind != BJ_VER_WRITE_LOCK);
    }
    CHECK(fDdl && fTbl && fDelta);
    crash(&e, &in);
    /* the changes are on the pages */
    CHECK_OK(seek_id(e.ses, e.tab, 10));
    recover(&in, g_ncap, true);
    dump(&e, g_after, sizeof g_after);
    CHECK_STR(g_after, g_before);
    check_ddl_gone(&e, "t2");
    /* a crash during the recovery rollback: recovery again (deltas whose undo was logged are
     * not re-created: their undo is atomic with its record) */
    recover(&in, g_ncap, false);
    dump(&e, g_after, sizeof g_after);
    CHECK_STR(g_after, g_before);
    check_ddl_gone(&e, "t2");
    /* the database works on: the same transaction again, committed */
    CHECK_OK(JetBeginTransaction(e.ses));
    g_capture = false;
    work(&e, "t2");
    CHECK_OK(JetCommitTransaction(e.ses, 0));
    CHECK_OK(seek_id(e.ses, e.tab, 12));
    CHECK_EQ(count_index(e.ses, e.tab, "ix_ul"), count_index(e.ses, e.tab, "pk"));
    cap_free();
    env_close(&e);
}

TEST(page_changes_that_never_happened)
{
    env e;
    internals in;
    REQUIRE(env_open(&e) == 0);
    enter(&e, &in);
    fill(&e);
    dump(&e, g_before, sizeof g_before);
    hooks_on(&in);
    g_ncap = 0;
    CHECK_OK(JetBeginTransaction(e.ses));
    work(&e, "t3");
    g_capture = false;
    /* a normal rollback undoes every page change ... */
    CHECK_OK(JetRollback(e.ses, 0));
    dump(&e, g_after, sizeof g_after);
    CHECK_STR(g_after, g_before);
    /* ... so recovery re-creates RCEs none of whose changes is on the pages (the escrow delta
     * excepted: its RCE and page change are one log record) */
    recover(&in, g_ncap, false);
    dump(&e, g_after, sizeof g_after);
    CHECK_STR(g_after, g_before);
    check_ddl_gone(&e, "t3");
    /* a crash where only the last logged RCE's page change never happened */
    cap_free();
    g_capture = true;
    CHECK_OK(JetBeginTransaction(e.ses));
    work(&e, "t3");
    g_capture = false;
    const int n = g_ncap;
    CHECK(n > 1 && g_cap[n - 1].kind != BJ_VER_DELTA);
    crash(&e, &in);
    recover_range(&in, n - 1, n, true); /* takes that one change off the pages */
    recover(&in, n, true);
    dump(&e, g_after, sizeof g_after);
    CHECK_STR(g_after, g_before);
    cap_free();
    env_close(&e);
}

int main(int argc, char **argv)
{
    (void)fx_check_db;
    return bj_test_main(argc, argv);
}
