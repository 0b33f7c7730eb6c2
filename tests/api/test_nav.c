/* test_nav.c: index kinds and navigation through esent.h: unique secondary indexes, many
 * duplicates (primary-key order, SeekEQ on the first, JET_bitMoveKeyNE), NULL options
 * (IgnoreNull / IgnoreAnyNull / IgnoreFirstNull / DisallowNull), conditional columns on replace,
 * multi-valued indexes (one entry per value, JET_bitRetrieveFromIndex, CrossProduct), a table
 * without a primary index, bookmarks of secondary indexes, positions on 10 000 rows, JetMove by
 * n past the ends, JetRetrieveKey.
 *
 * Facts from ESE's source: ErrIsamMove (rec.cxx) leaves the cursor after the last entry when a
 * forward move fails (before the first for a backward one), so the opposite move lands on the
 * last (first) entry; ErrIsamGetBookmark (fldnorm.cxx) on a secondary index returns the primary
 * bookmark; record index keys follow ErrRECIRetrieveKey (recupd.cxx): IgnoreNull drops an
 * all-NULL key, IgnoreAnyNull any key with a NULL segment, IgnoreFirstNull a key whose first
 * segment is NULL, DisallowNull refuses a key with a NULL segment (JET_errNullKeyDisallowed).
 */
#include "test_keys_env.h"

enum { C_A = 2, C_B = 3, C_F = 4, C_MV = 256, C_MV2 = 257 };

static const kcol g_cols[] = {{"a", JET_coltypLong, 4, 0, 0},
                              {"b", JET_coltypLong, 4, 0, 0},
                              {"f", JET_coltypLong, 4, 0, 0},
                              {"mv", JET_coltypLong, 4, JET_bitColumnTagged | JET_bitColumnMultiValued, 0},
                              {"mv2", JET_coltypLong, 4, JET_bitColumnTagged | JET_bitColumnMultiValued, 0}};

/* Inserts id with a, b, f (INT32_MIN = NULL). */
static JET_ERR ins(kenv *e, JET_TABLEID t, int32_t id, int32_t a, int32_t b, int32_t f)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    if (err >= 0 && a != INT32_MIN)
        err = JetSetColumn(e->ses, t, C_A, &a, 4, 0, NULL);
    if (err >= 0 && b != INT32_MIN)
        err = JetSetColumn(e->ses, t, C_B, &b, 4, 0, NULL);
    if (err >= 0 && f != INT32_MIN)
        err = JetSetColumn(e->ses, t, C_F, &f, 4, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

static JET_ERR seek_id(kenv *e, JET_TABLEID t, int32_t id)
{
    JET_ERR err = JetSetCurrentIndex(e->ses, t, "pk");
    if (err >= 0)
        err = JetMakeKey(e->ses, t, &id, 4, JET_bitNewKey);
    return err < 0 ? err : JetSeek(e->ses, t, JET_bitSeekEQ);
}

static JET_ERR replace_col(kenv *e, JET_TABLEID t, JET_COLUMNID col, int32_t v)
{
    /* a replace needs a transaction (ErrIsamPrepareUpdate: JET_errNotInTransaction) */
    JET_ERR err = JetBeginTransaction(e->ses);
    if (err < 0)
        return err;
    err = JetPrepareUpdate(e->ses, t, JET_prepReplace);
    if (err >= 0)
        err = v == INT32_MIN ? JetSetColumn(e->ses, t, col, NULL, 0, 0, NULL)
                             : JetSetColumn(e->ses, t, col, &v, 4, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    JET_ERR errT = err < 0 ? JetRollback(e->ses, 0) : JetCommitTransaction(e->ses, 0);
    return err < 0 ? err : errT;
}

static int count_index(kenv *e, JET_TABLEID t, const char *idx)
{
    if (JetSetCurrentIndex(e->ses, t, idx) < 0)
        return -2;
    return kscan(e, t, true, NULL, 0);
}

TEST(unique_and_duplicates)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "ud", "n.edb"));
    kidx idx[] = {{"ua", KKEY("+a\0"), JET_bitIndexUnique}, {"b", KKEY("+b\0"), 0}};
    REQUIRE_OK(ktable(&e, "N", g_cols, 5, true, idx, 2, ids, &t));
    REQUIRE(ids[0] == C_A && ids[3] == C_MV);
    /* ids inserted out of order; b: 7 for every odd id, 3 for every even id, id 100: b 5 */
    for (int32_t i = 40; i >= 1; i--)
        REQUIRE_OK(ins(&e, t, i, i * 10, i % 2 ? 7 : 3, INT32_MIN));
    REQUIRE_OK(ins(&e, t, 100, 5, 5, INT32_MIN));
    CHECK_ERR(ins(&e, t, 41, 10, 1, INT32_MIN), JET_errKeyDuplicate);
    REQUIRE_OK(seek_id(&e, t, 2));
    CHECK_ERR(replace_col(&e, t, C_A, 30), JET_errKeyDuplicate);
    CHECK_OK(replace_col(&e, t, C_A, 21)); /* not a duplicate */

    /* the duplicates come in primary-key order */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "b"));
    int32_t got[41];
    REQUIRE(kscan(&e, t, true, got, 41) == 41);
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(got[i], 2 * (i + 1));
        CHECK_EQ(got[21 + i], 2 * i + 1);
    }
    CHECK_EQ(got[20], 100);
    int32_t k = 7;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 1);
    k = 3;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGE));
    CHECK_EQ(kid(&e, t), 2);
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGT));
    CHECK_EQ(kid(&e, t), 100);
    k = 7;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 100);
    /* SeekEQ + range: all 20 duplicates */
    uint32_t c = 0;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ | JET_bitSetIndexRange));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 20);
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 5));
    CHECK_EQ(c, 5);

    /* JET_bitMoveKeyNE: from the first 3 to 5, then to the first 7; backwards to the last 3 */
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, JET_bitMoveKeyNE));
    CHECK_EQ(kid(&e, t), 100);
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, JET_bitMoveKeyNE));
    CHECK_EQ(kid(&e, t), 1);
    CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, JET_bitMoveKeyNE), JET_errNoCurrentRecord);
    CHECK_OK(JetMove(e.ses, t, JET_MovePrevious, 0));
    CHECK_EQ(kid(&e, t), 39);
    CHECK_OK(JetMove(e.ses, t, -2, JET_bitMoveKeyNE));
    CHECK_EQ(kid(&e, t), 40);

    /* JetMove by n, and past the ends */
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.ses, t, 5, 0));
    CHECK_EQ(kid(&e, t), 12);
    CHECK_OK(JetMove(e.ses, t, -3, 0));
    CHECK_EQ(kid(&e, t), 6);
    CHECK_ERR(JetMove(e.ses, t, 100, 0), JET_errNoCurrentRecord);
    CHECK_ERR(JetMove(e.ses, t, 0, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetMove(e.ses, t, JET_MovePrevious, 0));
    CHECK_EQ(kid(&e, t), 39);
    CHECK_ERR(JetMove(e.ses, t, -100, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_EQ(kid(&e, t), 2);

    /* JetRetrieveKey: the normalised key of the entry; RetrieveCopy: the key being made */
    uint8_t key[16];
    uint32_t cb = 0;
    static const uint8_t k3[] = {0x7f, 0x80, 0x00, 0x00, 0x03};
    CHECK_OK(JetRetrieveKey(e.ses, t, key, sizeof key, &cb, 0));
    CHECK_EQ(cb, 5);
    CHECK_MEM(key, k3, 5);
    k = -2;
    static const uint8_t km2[] = {0x7f, 0x7f, 0xff, 0xff, 0xfe};
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetRetrieveKey(e.ses, t, key, sizeof key, &cb, JET_bitRetrieveCopy));
    CHECK_EQ(cb, 5);
    CHECK_MEM(key, km2, 5);
    CHECK_ERR(JetRetrieveKey(e.ses, t, key, 2, &cb, 0), JET_wrnBufferTruncated);

    /* bookmarks: a secondary index's bookmark is the primary one; goto keeps the index */
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.ses, t, 3, 0)); /* id 8 */
    uint8_t bm[64], bmp[64];
    uint32_t cbBm = 0, cbBmp = 0;
    CHECK_OK(JetGetBookmark(e.ses, t, bm, sizeof bm, &cbBm));
    REQUIRE_OK(seek_id(&e, t, 8));
    CHECK_OK(JetGetBookmark(e.ses, t, bmp, sizeof bmp, &cbBmp));
    CHECK_EQ(cbBm, cbBmp);
    CHECK_MEM(bm, bmp, cbBm);
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "b"));
    CHECK_OK(JetGotoBookmark(e.ses, t, bm, cbBm));
    CHECK_EQ(kid(&e, t), 8);
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_EQ(kid(&e, t), 10);
    kenv_stop(&e);
}

TEST(null_options_and_conditions)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "nu", "n.edb"));
    kidx idx[] = {{"plain", KKEY("+a\0+b\0"), 0},
                  {"inull", KKEY("+a\0+b\0"), JET_bitIndexIgnoreNull},
                  {"ianynull", KKEY("+a\0+b\0"), JET_bitIndexIgnoreAnyNull},
                  {"ifirstnull", KKEY("+a\0+b\0"), JET_bitIndexIgnoreFirstNull}};
    REQUIRE_OK(ktable(&e, "N", g_cols, 5, true, idx, 4, ids, &t));
    JET_CONDITIONALCOLUMN cc = {sizeof cc, "f", JET_bitIndexColumnMustBeNonNull};
    JET_INDEXCREATE ic = {0};
    ic.cbStruct = sizeof ic;
    ic.szIndexName = "cond";
    ic.szKey = "+a\0";
    ic.cbKey = 4;
    ic.ulDensity = 100;
    ic.rgconditionalcolumn = &cc;
    ic.cConditionalColumn = 1;
    REQUIRE_OK(JetCreateIndex2(e.ses, t, &ic, 1));
    REQUIRE_OK(ins(&e, t, 1, 1, 1, 1));
    REQUIRE_OK(ins(&e, t, 2, INT32_MIN, 1, INT32_MIN));
    REQUIRE_OK(ins(&e, t, 3, 1, INT32_MIN, 1));
    REQUIRE_OK(ins(&e, t, 4, INT32_MIN, INT32_MIN, INT32_MIN));
    CHECK_EQ(count_index(&e, t, "plain"), 4);
    CHECK_EQ(count_index(&e, t, "inull"), 3);
    CHECK_EQ(count_index(&e, t, "ianynull"), 1);
    CHECK_EQ(count_index(&e, t, "ifirstnull"), 2);
    CHECK_EQ(count_index(&e, t, "cond"), 2);
    /* NULLs sort first in "plain": (NULL,NULL) id 4, (NULL,1) id 2, (1,NULL) id 3, (1,1) */
    int32_t got[4];
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "plain"));
    REQUIRE(kscan(&e, t, true, got, 4) == 4);
    CHECK(got[0] == 4 && got[1] == 2 && got[2] == 3 && got[3] == 1);

    /* conditional column: a row enters and leaves the index on replace */
    REQUIRE_OK(seek_id(&e, t, 2));
    CHECK_OK(replace_col(&e, t, C_F, 9));
    CHECK_EQ(count_index(&e, t, "cond"), 3);
    REQUIRE_OK(seek_id(&e, t, 1));
    CHECK_OK(replace_col(&e, t, C_F, INT32_MIN));
    CHECK_EQ(count_index(&e, t, "cond"), 2);
    REQUIRE_OK(seek_id(&e, t, 3));
    CHECK_OK(replace_col(&e, t, C_B, 5)); /* leaves ianynull's NULL rule */
    CHECK_EQ(count_index(&e, t, "ianynull"), 2);

    kenv_stop(&e);
}

TEST(disallow_null)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "dn", "n.edb"));
    kidx idx[] = {{"dn", KKEY("+a\0+b\0"), JET_bitIndexDisallowNull}};
    REQUIRE_OK(ktable(&e, "N", g_cols, 5, true, idx, 1, ids, &t));
    CHECK_OK(ins(&e, t, 1, 1, 1, 1));
    CHECK_ERR(ins(&e, t, 2, 1, INT32_MIN, 1), JET_errNullKeyDisallowed);
    CHECK_ERR(ins(&e, t, 3, INT32_MIN, INT32_MIN, 1), JET_errNullKeyDisallowed);
    REQUIRE_OK(seek_id(&e, t, 1));
    CHECK_ERR(replace_col(&e, t, C_A, INT32_MIN), JET_errNullKeyDisallowed);
    CHECK_EQ(count_index(&e, t, "dn"), 1);
    kenv_stop(&e);
}

static JET_ERR ins_mv(kenv *e, JET_TABLEID t, int32_t id, const int32_t *rg, int n,
                      const int32_t *rg2, int n2)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    for (int i = 0; i < n && err >= 0; i++) {
        JET_SETINFO si = {sizeof si, 0, 0};
        err = JetSetColumn(e->ses, t, C_MV, &rg[i], 4, 0, &si);
    }
    for (int i = 0; i < n2 && err >= 0; i++) {
        JET_SETINFO si = {sizeof si, 0, 0};
        err = JetSetColumn(e->ses, t, C_MV2, &rg2[i], 4, 0, &si);
    }
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

TEST(multi_valued_indexes)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "mv", "m.edb"));
    kidx idx[] = {{"mv", KKEY("+mv\0"), 0},
                  {"mvd", KKEY("-mv\0"), 0},
                  {"x", KKEY("+mv\0+mv2\0"), JET_bitIndexCrossProduct},
                  {"nx", KKEY("+mv\0+mv2\0"), 0}};
    REQUIRE_OK(ktable(&e, "M", g_cols, 5, true, idx, 4, ids, &t));
    static const int32_t v1[] = {5, 3, 9}, v2[] = {4}, w1[] = {1, 2};
    REQUIRE_OK(ins_mv(&e, t, 1, v1, 3, w1, 2));
    REQUIRE_OK(ins_mv(&e, t, 2, v2, 1, NULL, 0));
    /* one entry per value, in value order */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "mv"));
    static const int32_t wv[] = {3, 4, 5, 9}, wid[] = {1, 2, 1, 1};
    int i = 0;
    for (JET_ERR err = JetMove(e.ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e.ses, t, JET_MoveNext, 0), i++) {
        int32_t v = 0;
        uint32_t cb = 0;
        REQUIRE(i < 4);
        CHECK_EQ(kid(&e, t), wid[i]);
        CHECK_OK(JetRetrieveColumn(e.ses, t, C_MV, &v, 4, &cb, JET_bitRetrieveFromIndex, NULL));
        CHECK_EQ(v, wv[i]); /* the value of this index entry (fldext.cxx) */
        /* the record's first value is still itagSequence 1 */
        JET_RETINFO ri = {sizeof ri, 0, 1, 0};
        CHECK_OK(JetRetrieveColumn(e.ses, t, C_MV, &v, 4, &cb, 0, &ri));
        CHECK_EQ(v, wid[i] == 1 ? 5 : 4);
    }
    CHECK_EQ(i, 4);
    /* descending */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "mvd"));
    int32_t got[8];
    REQUIRE(kscan(&e, t, true, got, 8) == 4);
    CHECK(got[0] == 1 && got[1] == 1 && got[2] == 2 && got[3] == 1);
    int32_t k = 5;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    int32_t v = 0;
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(e.ses, t, C_MV, &v, 4, &cb, JET_bitRetrieveFromIndex, NULL));
    CHECK_EQ(v, 5); /* the entry of value 5 is row 1, whose first value is 5 too */
    /* a column outside the current index: JET_errColumnNotFound (fldext.cxx) */
    CHECK_ERR(JetRetrieveColumn(e.ses, t, C_A, &v, 4, &cb, JET_bitRetrieveFromIndex, NULL),
              JET_errColumnNotFound);
    /* cross product: 3 x 2 + 1 x NULL; without it only the first multi-valued column varies */
    CHECK_EQ(count_index(&e, t, "x"), 7);
    int nx = count_index(&e, t, "nx");
    CHECK_EQ(nx, 4);
    kenv_stop(&e);
}

/* A record may put any number of entries into a multi-valued index (no fixed cap): 300 values
 * give 300 entries, and replacing the record with half of them removes the other half. */
TEST(multi_valued_index_many_values)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "mvmany", "mm.edb"));
    kidx idx[] = {{"mv", KKEY("+mv\0"), 0}};
    REQUIRE_OK(ktable(&e, "M", g_cols, 5, true, idx, 1, ids, &t));
    int32_t rg[300];
    for (int i = 0; i < 300; i++)
        rg[i] = 1000 - i;
    REQUIRE_OK(ins_mv(&e, t, 1, rg, 300, NULL, 0));
    CHECK_EQ(count_index(&e, t, "mv"), 300);
    /* keep only the first 150 values */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, NULL));
    REQUIRE_OK(JetBeginTransaction(e.ses));
    REQUIRE_OK(seek_id(&e, t, 1));
    REQUIRE_OK(JetPrepareUpdate(e.ses, t, JET_prepReplace));
    for (int i = 300; i > 150; i--) {
        JET_SETINFO si = {sizeof si, 0, (uint32_t)i};
        CHECK_OK(JetSetColumn(e.ses, t, C_MV, NULL, 0, 0, &si)); /* deletes value i */
    }
    REQUIRE_OK(JetUpdate(e.ses, t, NULL, 0, NULL));
    REQUIRE_OK(JetCommitTransaction(e.ses, 0));
    CHECK_EQ(count_index(&e, t, "mv"), 150);
    kenv_stop(&e);
}

TEST(no_primary_index_and_positions)
{
    kenv e;
    JET_TABLEID t;
    JET_COLUMNID ids[5];
    REQUIRE(kenv_start(&e, "np", "p.edb"));
    kidx idx[] = {{"a", KKEY("-a\0"), 0}};
    REQUIRE_OK(ktable(&e, "P", g_cols, 5, false, idx, 1, ids, &t));
    enum { N = 10000 };
    REQUIRE_OK(JetBeginTransaction(e.ses));
    for (int32_t i = 0; i < N; i++) {
        int32_t id = (int32_t)((i * 7919) % N) + 1; /* a permutation of 1..N */
        REQUIRE_OK(ins(&e, t, id, id, 0, 0));
        if (i % 1000 == 999) {
            REQUIRE_OK(JetCommitTransaction(e.ses, 0));
            REQUIRE_OK(JetBeginTransaction(e.ses));
        }
    }
    REQUIRE_OK(JetCommitTransaction(e.ses, 0));
    /* sequential order = insertion order */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, NULL));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_EQ(kid(&e, t), 1);
    CHECK_OK(JetMove(e.ses, t, 1, 0));
    CHECK_EQ(kid(&e, t), 7920);
    CHECK_OK(JetMove(e.ses, t, JET_MoveLast, 0));
    CHECK_EQ(kid(&e, t), (int32_t)(((N - 1) * 7919) % N) + 1);

    /* positions on the secondary index (a descending: id N first) */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "a"));
    for (uint32_t f = 0; f < 10; f++) {
        JET_RECPOS rp = {sizeof rp, f * 1000, 0, N};
        CHECK_OK(JetGotoPosition(e.ses, t, &rp));
        int32_t id = kid(&e, t);
        int32_t want = N - (int32_t)(f * 1000);
        if (abs(id - want) > N / 20)
            bj_test_fail(__FILE__, __LINE__, "JetGotoPosition %u/10: id %d, expected ~%d",
                         (unsigned)f, (int)id, (int)want);
        JET_RECPOS got = {0};
        CHECK_OK(JetGetRecordPosition(e.ses, t, &got, sizeof got));
        CHECK(got.centriesTotal > N / 2 && got.centriesTotal < N * 2);
        double frac = got.centriesTotal ? (double)got.centriesLT / got.centriesTotal : -1;
        if (frac < f / 10.0 - 0.05 || frac > f / 10.0 + 0.05)
            bj_test_fail(__FILE__, __LINE__, "JetGetRecordPosition at %u/10: %u/%u", (unsigned)f,
                         (unsigned)got.centriesLT, (unsigned)got.centriesTotal);
    }
    /* an out-of-range fraction */
    JET_RECPOS bad = {sizeof bad, 5, 0, 0};
    CHECK(JetGotoPosition(e.ses, t, &bad) < 0);
    uint32_t c = 0;
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, N);
    kenv_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
