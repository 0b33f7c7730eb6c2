/* test_temp.c: temporary tables through esent.h (JetOpenTempTable family): key order for key
 * types (ascending, descending, multi-column), duplicates (sorts drop them, forward-only keeps
 * them, materialised tables return JET_errKeyDuplicate), the sort rules (JET_errIllegalOperation,
 * JET_errCannotMaterializeForwardOnlySort), seeks and ranges, updates/deletes, long values, the
 * JET_paramMaxTemporaryTables limit (JET_errTooManySorts), the temporary database's size across
 * open/close cycles, and JetTerm deleting it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esent.h"
#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    char tmp[1024];
} env;

static bool env_start(env *e, uint32_t cMaxTemp)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->tmp, sizeof(e->tmp), "%s/", bj_test_tmpdir());
    if (JetCreateInstance(&e->inst, "temp") < 0)
        return false;
    if (JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, e->tmp) < 0)
        return false;
    if (cMaxTemp != ~0u &&
        JetSetSystemParameter(&e->inst, 0, JET_paramMaxTemporaryTables, cMaxTemp, NULL) < 0)
        return false;
    if (JetInit(&e->inst) < 0)
        return false;
    return JetBeginSession(e->inst, &e->ses, NULL, NULL) >= 0;
}

static void env_stop(env *e)
{
    CHECK_OK(JetEndSession(e->ses, 0));
    CHECK_OK(JetTerm(e->inst));
}

static JET_COLUMNDEF coldef(JET_COLTYP coltyp, JET_GRBIT grbit)
{
    JET_COLUMNDEF d = {0};
    d.cbStruct = sizeof(d);
    d.coltyp = coltyp;
    d.grbit = grbit;
    return d;
}

static JET_ERR insert2(env *e, JET_TABLEID t, const JET_COLUMNID *ids, const void *p0, uint32_t cb0,
                       const void *p1, uint32_t cb1)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err < 0)
        return err;
    if (p0 && (err = JetSetColumn(e->ses, t, ids[0], p0, cb0, 0, NULL)) < 0)
        return err;
    if (p1 && (err = JetSetColumn(e->ses, t, ids[1], p1, cb1, 0, NULL)) < 0)
        return err;
    return JetUpdate(e->ses, t, NULL, 0, NULL);
}

static int32_t get_long(env *e, JET_TABLEID t, JET_COLUMNID id)
{
    int32_t v = -999;
    uint32_t cb = 0;
    if (JetRetrieveColumn(e->ses, t, id, &v, sizeof(v), &cb, 0, NULL) < 0)
        return -998;
    return v;
}

TEST(sorted_long_ascending_and_descending)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    for (int desc = 0; desc < 2; desc++) {
        JET_COLUMNDEF cd[2] = {
            coldef(JET_coltypLong, JET_bitColumnTTKey | (desc ? JET_bitColumnTTDescending : 0)),
            coldef(JET_coltypText, 0)};
        JET_COLUMNID ids[2] = {0, 0};
        JET_TABLEID t;
        REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &t, ids));
        CHECK(ids[0] != 0 && ids[1] != 0 && ids[0] != ids[1]);
        int32_t vals[] = {5, -3, 100, 0, 42, -77, 7};
        for (int i = 0; i < 7; i++)
            CHECK_OK(insert2(&e, t, ids, &vals[i], 4, "x", 1));
        int32_t want[] = {-77, -3, 0, 5, 7, 42, 100};
        CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
        for (int i = 0; i < 7; i++) {
            CHECK_EQ(get_long(&e, t, ids[0]), want[desc ? 6 - i : i]);
            CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0), i == 6 ? JET_errNoCurrentRecord : 0);
        }
        CHECK_OK(JetCloseTable(e.ses, t));
    }
    env_stop(&e);
}

TEST(multi_column_key_text_and_long)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    JET_COLUMNDEF cd[2] = {coldef(JET_coltypText, JET_bitColumnTTKey),
                           coldef(JET_coltypLong, JET_bitColumnTTKey | JET_bitColumnTTDescending)};
    cd[0].cp = 1252;
    JET_COLUMNID ids[2];
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed | JET_bitTTScrollable, &t, ids));
    const char *names[] = {"pear", "apple", "pear", "fig", "apple"};
    int32_t nums[] = {1, 2, 3, 4, 1};
    for (int i = 0; i < 5; i++)
        CHECK_OK(insert2(&e, t, ids, names[i], (uint32_t)strlen(names[i]), &nums[i], 4));
    const char *wn[] = {"apple", "apple", "fig", "pear", "pear"};
    int32_t wv[] = {2, 1, 4, 3, 1};
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    for (int i = 0; i < 5; i++) {
        char buf[32] = {0};
        uint32_t cb = 0;
        CHECK_OK(JetRetrieveColumn(e.ses, t, ids[0], buf, sizeof(buf), &cb, 0, NULL));
        CHECK_EQ(strcmp(buf, wn[i]), 0);
        CHECK_EQ(get_long(&e, t, ids[1]), wv[i]);
        (void)JetMove(e.ses, t, JET_MoveNext, 0);
    }
    /* seek on the first key column only, and a range over it: ESE compares whole keys
     * (ErrSORTSeek / ErrIsamSeek: CmpKey), so a one-column key needs limits; an EQ seek on it
     * finds nothing */
    CHECK_OK(JetMakeKey(e.ses, t, "pear", 4, JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errRecordNotFound);
    CHECK_OK(JetMakeKey(e.ses, t, "pear", 4, JET_bitNewKey | JET_bitFullColumnStartLimit));
    CHECK(JetSeek(e.ses, t, JET_bitSeekGE) >= 0);
    CHECK_EQ(get_long(&e, t, ids[1]), 3);
    CHECK_OK(JetMakeKey(e.ses, t, "pear", 4, JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    uint32_t c = 0;
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 2u);
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetMakeKey(e.ses, t, "b", 1, JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    char buf[32] = {0};
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(e.ses, t, ids[0], buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(strcmp(buf, "fig"), 0);
    CHECK_OK(JetMakeKey(e.ses, t, "zzz", 3, JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errRecordNotFound);
    CHECK_OK(JetMove(e.ses, t, JET_MoveLast, 0));
    CHECK_OK(JetMove(e.ses, t, JET_MovePrevious, 0));
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);
}

TEST(duplicates_and_unique)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    JET_COLUMNDEF cd[2] = {coldef(JET_coltypLong, JET_bitColumnTTKey), coldef(JET_coltypLong, 0)};
    JET_COLUMNID ids[2];
    int32_t k[] = {3, 1, 3, 2, 1, 3}, v[] = {10, 11, 12, 13, 14, 15};
    /* a sort drops equal keys silently, with or without TTUnique (the first stays) */
    JET_GRBIT g[] = {JET_bitTTIndexed, JET_bitTTUnique | JET_bitTTScrollable};
    for (int j = 0; j < 2; j++) {
        JET_TABLEID t;
        REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, g[j], &t, ids));
        for (int i = 0; i < 6; i++)
            CHECK_OK(insert2(&e, t, ids, &k[i], 4, &v[i], 4));
        uint32_t c = 0;
        CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
        CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
        CHECK_EQ(c, 3u);
        CHECK_EQ(get_long(&e, t, ids[1]), 11);
        CHECK_OK(JetCloseTable(e.ses, t));
    }
    /* forward-only without TTUnique keeps them, in key order */
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTForwardOnly, &t, ids));
    for (int i = 0; i < 6; i++)
        CHECK_OK(insert2(&e, t, ids, &k[i], 4, &v[i], 4));
    int32_t wk[] = {1, 1, 2, 3, 3, 3};
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(get_long(&e, t, ids[0]), wk[i]);
        CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0), i == 5 ? JET_errNoCurrentRecord : 0);
    }
    CHECK_ERR(JetMove(e.ses, t, JET_MovePrevious, 0), JET_errIllegalOperation);
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errIllegalOperation);
    CHECK_OK(JetCloseTable(e.ses, t));
    /* forward-only + TTUnique drops them */
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTForwardOnly | JET_bitTTUnique, &t, ids));
    for (int i = 0; i < 6; i++)
        CHECK_OK(insert2(&e, t, ids, &k[i], 4, &v[i], 4));
    int n = 0;
    for (JET_ERR err = JetMove(e.ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e.ses, t, JET_MoveNext, 0))
        n++;
    CHECK_EQ(n, 3);
    CHECK_OK(JetCloseTable(e.ses, t));
    /* TTErrorOnDuplicateInsertion (= ForceMaterialization): JET_errKeyDuplicate at once */
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTErrorOnDuplicateInsertion, &t, ids));
    CHECK_OK(insert2(&e, t, ids, &k[0], 4, &v[0], 4));
    CHECK_ERR(insert2(&e, t, ids, &k[2], 4, &v[2], 4), JET_errKeyDuplicate);
    CHECK_OK(JetPrepareUpdate(e.ses, t, JET_prepCancel));
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);
}

TEST(sort_rules_and_errors)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    JET_COLUMNDEF cd[2] = {coldef(JET_coltypLong, JET_bitColumnTTKey), coldef(JET_coltypLong, 0)};
    JET_COLUMNID ids[2];
    JET_TABLEID t;
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, JET_bitTTForwardOnly | JET_bitTTScrollable, &t, ids),
              JET_errCannotMaterializeForwardOnlySort);
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, JET_bitTTForwardOnly | JET_bitTTUpdatable, &t, ids),
              JET_errCannotMaterializeForwardOnlySort);
    /* no key column: a table from the start, which forward-only cannot be */
    JET_COLUMNDEF nokey = coldef(JET_coltypLong, 0);
    CHECK_ERR(JetOpenTempTable(e.ses, &nokey, 1, JET_bitTTForwardOnly, &t, ids),
              JET_errCannotMaterializeForwardOnlySort);
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, 0x10000, &t, ids), JET_errInvalidGrbit);
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, 0, NULL, ids), JET_errInvalidParameter);
    JET_OPENTEMPORARYTABLE ot = {0};
    ot.cbStruct = sizeof(ot) - 1;
    CHECK_ERR(JetOpenTemporaryTable(e.ses, &ot), JET_errInvalidParameter);
    ot.cbStruct = sizeof(ot);
    ot.prgcolumndef = cd;
    ot.ccolumn = 2;
    ot.prgcolumnid = ids;
    ot.cbKeyMost = 100; /* below JET_cbKeyMostMin */
    CHECK_ERR(JetOpenTemporaryTable(e.ses, &ot), JET_errInvalidParameter);
    ot.cbKeyMost = 0;
    ot.cbVarSegMac = 300;
    CHECK_ERR(JetOpenTemporaryTable(e.ses, &ot), JET_errInvalidParameter);
    ot.cbVarSegMac = 0;
    ot.grbit = JET_bitTTIndexed;
    REQUIRE_OK(JetOpenTemporaryTable(e.ses, &ot));
    CHECK_OK(JetCloseTable(e.ses, ot.tableid));
    /* a plain sort: no moving back, seeking or updating once read */
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, 0, &t, ids));
    int32_t a = 2, b = 1;
    CHECK_OK(insert2(&e, t, ids, &a, 4, &a, 4));
    CHECK_OK(insert2(&e, t, ids, &b, 4, &b, 4));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_EQ(get_long(&e, t, ids[0]), 1);
    CHECK_ERR(JetMove(e.ses, t, JET_MovePrevious, 0), JET_errIllegalOperation);
    CHECK_ERR(JetPrepareUpdate(e.ses, t, JET_prepInsert), JET_errIllegalOperation);
    CHECK_ERR(JetDelete(e.ses, t), JET_errIllegalOperation);
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);
}

TEST(updatable_replace_delete_bookmarks_long_values)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    JET_COLUMNDEF cd[2] = {coldef(JET_coltypLong, JET_bitColumnTTKey),
                           coldef(JET_coltypLongBinary, 0)};
    JET_COLUMNID ids[2];
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed | JET_bitTTUpdatable, &t, ids));
    uint8_t *big = malloc(100000);
    REQUIRE(big);
    for (int i = 0; i < 100000; i++)
        big[i] = (uint8_t)(i * 7);
    for (int32_t i = 0; i < 50; i++)
        CHECK_OK(insert2(&e, t, ids, &i, 4, big, (uint32_t)(10 + 4 * i)));
    /* replace the value of key 10, delete key 20 */
    int32_t k = 10;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    uint8_t bm[64];
    uint32_t cbBm = 0;
    CHECK_OK(JetGetBookmark(e.ses, t, bm, sizeof(bm), &cbBm));
    CHECK_OK(JetPrepareUpdate(e.ses, t, JET_prepReplace));
    CHECK_OK(JetSetColumn(e.ses, t, ids[1], "hello", 5, 0, NULL));
    CHECK_OK(JetUpdate(e.ses, t, NULL, 0, NULL));
    k = 20;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_OK(JetDelete(e.ses, t));
    CHECK_OK(JetGotoBookmark(e.ses, t, bm, cbBm));
    char buf[16] = {0};
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(e.ses, t, ids[1], buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(cb, 5u);
    CHECK_EQ(memcmp(buf, "hello", 5), 0);
    /* a long value read back whole (intrinsic: separated values need an LV tree, which
     * tables made by DDL do not get yet) */
    k = 45;
    CHECK_OK(JetMakeKey(e.ses, t, &k, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    uint8_t *out = malloc(100000);
    REQUIRE(out);
    CHECK_OK(JetRetrieveColumn(e.ses, t, ids[1], out, 100000, &cb, 0, NULL));
    CHECK_EQ(cb, 190u);
    CHECK_EQ(memcmp(out, big, 190), 0);
    uint32_t c = 0;
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 49u);
    /* the session's transactions do not reach temporary tables */
    CHECK_OK(JetBeginTransaction(e.ses));
    CHECK_OK(JetDelete(e.ses, t));
    CHECK_OK(JetRollback(e.ses, 0));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 48u);
    CHECK_OK(JetCloseTable(e.ses, t));
    free(big);
    free(out);
    env_stop(&e);
}

TEST(insertion_order_without_key)
{
    env e;
    REQUIRE(env_start(&e, ~0u));
    JET_COLUMNDEF cd = coldef(JET_coltypLong, 0);
    JET_COLUMNID id;
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTempTable(e.ses, &cd, 1, 0, &t, &id));
    int32_t v[] = {9, 3, 7, 3};
    for (int i = 0; i < 4; i++)
        CHECK_OK(insert2(&e, t, &id, &v[i], 4, NULL, 0));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(get_long(&e, t, id), v[i]);
        (void)JetMove(e.ses, t, JET_MoveNext, 0);
    }
    CHECK_OK(JetCloseTable(e.ses, t));
    env_stop(&e);
}

TEST(limit_space_reuse_and_term)
{
    env e;
    REQUIRE(env_start(&e, 5));
    JET_COLUMNDEF cd[2] = {coldef(JET_coltypLong, JET_bitColumnTTKey), coldef(JET_coltypBinary, 0)};
    JET_COLUMNID ids[2];
    JET_TABLEID t[6];
    for (int i = 0; i < 5; i++)
        REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &t[i], ids));
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &t[5], ids), JET_errTooManySorts);
    for (int i = 0; i < 5; i++)
        CHECK_OK(JetCloseTable(e.ses, t[i]));
    char path[1100];
    snprintf(path, sizeof(path), "%stmp.edb", e.tmp);
    struct stat st;
    off_t cbAfterFirst = 0;
    uint8_t blob[200];
    memset(blob, 0x5a, sizeof(blob));
    for (int cycle = 0; cycle < 30; cycle++) {
        JET_TABLEID tt;
        REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &tt, ids));
        for (int32_t i = 0; i < 300; i++)
            CHECK_OK(insert2(&e, tt, ids, &i, 4, blob, sizeof(blob)));
        CHECK_OK(JetCloseTable(e.ses, tt));
        REQUIRE(stat(path, &st) == 0);
        if (cycle == 2)
            cbAfterFirst = st.st_size;
    }
    CHECK(st.st_size <= cbAfterFirst); /* freed pages are reused */
    /* tables left open are closed by JetEndSession; JetTerm deletes the file */
    JET_TABLEID left;
    REQUIRE_OK(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &left, ids));
    env_stop(&e);
    CHECK(stat(path, &st) != 0);
    /* JET_paramMaxTemporaryTables 0: no temporary tables at all */
    REQUIRE(env_start(&e, 0));
    CHECK_ERR(JetOpenTempTable(e.ses, cd, 2, JET_bitTTIndexed, &left, ids), JET_errTooManySorts);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
