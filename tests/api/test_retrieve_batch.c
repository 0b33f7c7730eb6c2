/* test_retrieve_batch.c: JetRetrieveColumns parses the current record once per call and reuses
 * the parse for every element (tbl_retrieve.c, bj_rec_retrieve_reuse). Every element must give
 * what JetRetrieveColumn gives for it, on rows of different shapes (NULL fixed / variable /
 * tagged columns, multi-values), across moves and after an update through the same cursor; an
 * error element stops the call and earlier elements keep their results.
 */
#include <stdbool.h>
#include <stdio.h>

#include "esent.h"
#include "testlib.h"

enum { NROW = 40, NCOL = 5 };

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    JET_TABLEID t;
    JET_COLUMNID col[NCOL]; /* id (fixed), n (fixed), name (var), blob (tagged), mv (tagged MV) */
    char path[1024];
} env;

static JET_ERR addcol(env *e, const char *name, JET_COLTYP coltyp, JET_GRBIT grbit, int i)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    d.grbit = grbit;
    return JetAddColumn(e->s, e->t, name, &d, NULL, 0, &e->col[i]);
}

/* Row i: n NULL when i % 3 == 0, name NULL when i % 4 == 1 (else i + 1 letters), blob only on
 * odd rows (2 * i bytes), i % 5 values in mv. */
static JET_ERR insert_row(env *e, int32_t i)
{
    char name[64];
    uint8_t blob[128];
    JET_ERR err = JetPrepareUpdate(e->s, e->t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->s, e->t, e->col[0], &i, 4, 0, NULL);
    int32_t n = 1000 + i;
    if (err >= 0 && i % 3)
        err = JetSetColumn(e->s, e->t, e->col[1], &n, 4, 0, NULL);
    for (int k = 0; k <= i; k++)
        name[k] = (char)('a' + (i + k) % 26);
    if (err >= 0 && i % 4 != 1)
        err = JetSetColumn(e->s, e->t, e->col[2], name, (uint32_t)i + 1, 0, NULL);
    for (int k = 0; k < 2 * i; k++)
        blob[k] = (uint8_t)(i * 7 + k);
    if (err >= 0 && (i & 1))
        err = JetSetColumn(e->s, e->t, e->col[3], blob, 2u * (uint32_t)i, 0, NULL);
    for (int32_t k = 0; err >= 0 && k < i % 5; k++) {
        int32_t v = i * 100 + k;
        JET_SETINFO si = {sizeof(si), 0, 0};
        err = JetSetColumn(e->s, e->t, e->col[4], &v, 4, 0, &si);
    }
    if (err >= 0)
        err = JetUpdate(e->s, e->t, NULL, 0, NULL);
    return err;
}

static bool env_start(env *e)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/batch.edb", bj_test_tmpdir());
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL) < 0 ||
        JetCreateInstance(&e->inst, "batch") < 0 || JetInit(&e->inst) < 0 ||
        JetBeginSession(e->inst, &e->s, NULL, NULL) < 0 ||
        JetCreateDatabase(e->s, e->path, NULL, &e->db, 0) < 0 ||
        JetCreateTable(e->s, e->db, "T", 0, 0, &e->t) < 0)
        return false;
    if (addcol(e, "id", JET_coltypLong, JET_bitColumnFixed, 0) < 0 ||
        addcol(e, "n", JET_coltypLong, JET_bitColumnFixed, 1) < 0 ||
        addcol(e, "name", JET_coltypText, 0, 2) < 0 ||
        addcol(e, "blob", JET_coltypLongBinary, JET_bitColumnTagged, 3) < 0 ||
        addcol(e, "mv", JET_coltypLong, JET_bitColumnTagged | JET_bitColumnMultiValued, 4) < 0)
        return false;
    if (JetCreateIndex(e->s, e->t, "pk", JET_bitIndexPrimary, "+id\0\0", 5, 100) < 0 ||
        JetBeginTransaction(e->s) < 0)
        return false;
    for (int32_t i = 0; i < NROW; i++)
        if (insert_row(e, i) < 0)
            return false;
    return JetCommitTransaction(e->s, 0) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetCloseTable(e->s, e->t));
    CHECK_OK(JetCloseDatabase(e->s, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->s, e->path));
    CHECK_OK(JetEndSession(e->s, 0));
    CHECK_OK(JetTerm(e->inst));
}

/* Retrieves every column (and mv's 2nd value) in one call and each one alone; compares. */
static void check_row(env *e)
{
    uint8_t bufs[NCOL + 1][160], one[160];
    JET_RETRIEVECOLUMN rc[NCOL + 1];
    memset(rc, 0, sizeof(rc));
    for (int i = 0; i <= NCOL; i++) {
        rc[i].columnid = e->col[i < NCOL ? i : 4];
        rc[i].pvData = bufs[i];
        rc[i].cbData = sizeof(bufs[i]);
        rc[i].itagSequence = i < NCOL ? 1 : 2;
    }
    JET_ERR err = JetRetrieveColumns(e->s, e->t, rc, NCOL + 1);
    CHECK(err >= 0);
    for (int i = 0; i <= NCOL; i++) {
        uint32_t cb = 0;
        JET_RETINFO ri = {sizeof(ri), 0, rc[i].itagSequence, 0};
        memset(one, 0, sizeof(one));
        JET_ERR e1 = JetRetrieveColumn(e->s, e->t, rc[i].columnid, one, sizeof(one), &cb, 0, &ri);
        CHECK_EQ(rc[i].err, e1);
        CHECK_EQ(rc[i].cbActual, cb);
        if (e1 == JET_errSuccess)
            CHECK(memcmp(one, bufs[i], cb) == 0);
    }
}

TEST(retrieve_columns_matches_retrieve_column)
{
    env e;
    REQUIRE(env_start(&e));
    int32_t seen = 0;
    JET_ERR err = JetMove(e.s, e.t, JET_MoveFirst, 0);
    while (err >= 0) {
        int32_t id = -1;
        uint32_t cb;
        CHECK_OK(JetRetrieveColumn(e.s, e.t, e.col[0], &id, 4, &cb, 0, NULL));
        CHECK_EQ(id, seen);
        check_row(&e);
        seen++;
        err = JetMove(e.s, e.t, JET_MoveNext, 0);
    }
    CHECK_ERR(err, JET_errNoCurrentRecord);
    CHECK_EQ(seen, NROW);
    /* backwards too: each call sees the record it is on */
    err = JetMove(e.s, e.t, JET_MoveLast, 0);
    while (err >= 0) {
        check_row(&e);
        err = JetMove(e.s, e.t, JET_MovePrevious, 0);
    }
    env_stop(&e);
}

TEST(retrieve_columns_after_update_and_error_element)
{
    env e;
    REQUIRE(env_start(&e));
    int32_t id = 5, n = 0;
    CHECK_OK(JetMakeKey(e.s, e.t, &id, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.s, e.t, JET_bitSeekEQ));
    check_row(&e);
    /* a replace through this cursor changes the record's shape (name and blob grow) */
    char name[100];
    memset(name, 'z', sizeof(name));
    uint8_t blob[150];
    memset(blob, 0x5a, sizeof(blob));
    CHECK_OK(JetBeginTransaction(e.s));
    CHECK_OK(JetPrepareUpdate(e.s, e.t, JET_prepReplace));
    CHECK_OK(JetSetColumn(e.s, e.t, e.col[2], name, sizeof(name), 0, NULL));
    CHECK_OK(JetSetColumn(e.s, e.t, e.col[3], blob, sizeof(blob), 0, NULL));
    CHECK_OK(JetSetColumn(e.s, e.t, e.col[1], NULL, 0, 0, NULL));
    CHECK_OK(JetUpdate(e.s, e.t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e.s, 0));
    check_row(&e);
    uint8_t b2[160] = {0};
    char nm[160] = {0};
    JET_RETRIEVECOLUMN rc[4] = {
        {.columnid = e.col[2], .pvData = nm, .cbData = sizeof(nm), .itagSequence = 1},
        {.columnid = e.col[1], .pvData = &n, .cbData = 4, .itagSequence = 1},
        {.columnid = 999, .pvData = b2, .cbData = sizeof(b2), .itagSequence = 1},
        {.columnid = e.col[3], .pvData = b2, .cbData = sizeof(b2), .itagSequence = 1},
    };
    rc[3].err = 12345;
    CHECK_ERR(JetRetrieveColumns(e.s, e.t, rc, 4), JET_errColumnNotFound);
    CHECK_EQ(rc[0].err, JET_errSuccess);
    CHECK_EQ(rc[0].cbActual, sizeof(name));
    CHECK(memcmp(nm, name, sizeof(name)) == 0);
    CHECK_EQ(rc[1].err, JET_wrnColumnNull);
    CHECK_ERR(rc[2].err, JET_errColumnNotFound);
    CHECK_EQ(rc[3].err, 12345); /* not reached */
    /* the next call on the same record still works (nothing left over from the failed one) */
    rc[2].columnid = e.col[4];
    rc[2].cbData = 4;
    CHECK_EQ(JetRetrieveColumns(e.s, e.t, rc, 4), JET_wrnColumnNull); /* the last warning */
    CHECK_EQ(rc[3].cbActual, sizeof(blob));
    CHECK(memcmp(b2, blob, sizeof(blob)) == 0);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
