/* test_update.c: record writes through esent.h: every column type inserted and read back,
 * NULLs, defaults, multi-values, long values (sizes and append/overwrite/size), replace, delete,
 * duplicate keys leaving no partial index entries, autoincrement / version / escrow columns,
 * tables without a primary index, and the error codes. */
#include "test_update_env.h"

TEST(insert_all_types_and_read_back)
{
    env e;
    {
        int rc_ = env_open(&e);
        if (rc_)
            printf("env_open %d\n", rc_);
        REQUIRE(rc_ == 0);
    }
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    int32_t id = 7, req = 1;
    uint8_t bit = 1, ub = 200;
    int16_t sh = -5;
    int64_t cur = -123456789012LL, ll = 0x1122334455667788LL;
    float f4 = 1.5f;
    double f8 = -2.25, dt = 45000.5;
    uint32_t ul = 0xfffffff0u;
    uint8_t guid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_REQ, &req, 4, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_BIT, &bit, 1, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_UB, &ub, 1, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_SH, &sh, 2, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_CUR, &cur, 8, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_F4, &f4, 4, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_F8, &f8, 8, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_DT, &dt, 8, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_UL, &ul, 4, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_LL, &ll, 8, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_GUID, guid, 16, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_TXT, "hello", 5, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_BIN, "\x00\x01\x02", 3, 0, NULL));
    int32_t mv[3] = {30, 10, 20};
    for (int i = 0; i < 3; i++)
        CHECK_OK(JetSetColumn(s, t, C_MV, &mv[i], 4, 0, NULL));
    CHECK_OK(JetSetColumn(s, t, C_LT, "short long text", 15, 0, NULL));
    /* the copy buffer reads back before the update */
    char buf[64];
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_TXT, buf, sizeof buf, &cb, JET_bitRetrieveCopy, NULL));
    CHECK(cb == 5 && !memcmp(buf, "hello", 5));
    CHECK_OK(JetRetrieveColumn(s, t, C_LT, buf, sizeof buf, &cb, JET_bitRetrieveCopy, NULL));
    CHECK(cb == 15 && !memcmp(buf, "short long text", 15));
    uint8_t bm[64];
    uint32_t cbBm = 0;
    CHECK_OK(JetUpdate(s, t, bm, sizeof bm, &cbBm));
    CHECK_EQ(cbBm, 5);
    CHECK_ERR(JetUpdate(s, t, NULL, 0, NULL), JET_errUpdateNotPrepared);

    REQUIRE_OK(seek_id(s, t, 7));
    CHECK_EQ(get_long(s, t, C_ID), 7);
    uint8_t b8[16];
    CHECK_OK(JetRetrieveColumn(s, t, C_BIT, b8, 1, &cb, 0, NULL));
    CHECK(cb == 1 && b8[0] != 0);
    CHECK_OK(JetRetrieveColumn(s, t, C_UB, b8, 1, &cb, 0, NULL));
    CHECK(b8[0] == 200);
    int16_t sh2 = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_SH, &sh2, 2, &cb, 0, NULL));
    CHECK_EQ(sh2, -5);
    int64_t v64 = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_CUR, &v64, 8, &cb, 0, NULL));
    CHECK_EQ(v64, cur);
    CHECK_OK(JetRetrieveColumn(s, t, C_LL, &v64, 8, &cb, 0, NULL));
    CHECK_EQ(v64, ll);
    float f = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_F4, &f, 4, &cb, 0, NULL));
    CHECK(f == 1.5f);
    double d = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_F8, &d, 8, &cb, 0, NULL));
    CHECK(d == -2.25);
    CHECK_OK(JetRetrieveColumn(s, t, C_DT, &d, 8, &cb, 0, NULL));
    CHECK(d == 45000.5);
    uint32_t u = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_UL, &u, 4, &cb, 0, NULL));
    CHECK_EQ(u, 0xfffffff0u);
    CHECK_OK(JetRetrieveColumn(s, t, C_GUID, b8, 16, &cb, 0, NULL));
    CHECK(cb == 16 && !memcmp(b8, guid, 16));
    CHECK_OK(JetRetrieveColumn(s, t, C_TXT, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 5 && !memcmp(buf, "hello", 5));
    CHECK_OK(JetRetrieveColumn(s, t, C_BIN, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 3 && !memcmp(buf, "\x00\x01\x02", 3));
    for (uint32_t i = 0; i < 3; i++) {
        JET_RETINFO ri = {sizeof ri, 0, i + 1, 0};
        int32_t v = 0;
        CHECK_OK(JetRetrieveColumn(s, t, C_MV, &v, 4, &cb, 0, &ri));
        CHECK_EQ(v, mv[i]);
    }
    CHECK_OK(JetRetrieveColumn(s, t, C_LT, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 15 && !memcmp(buf, "short long text", 15));
    /* NULL, default, escrow default, autoinc and version */
    CHECK_ERR(JetRetrieveColumn(s, t, C_LB, buf, sizeof buf, &cb, 0, NULL), JET_wrnColumnNull);
    CHECK_OK(JetRetrieveColumn(s, t, C_TDEF, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 4 && !memcmp(buf, "dflt", 4));
    CHECK_EQ(get_long(s, t, C_ESC), 0);
    CHECK_EQ(get_long(s, t, C_AI), 1);
    CHECK_EQ(get_long(s, t, C_VER), 0);
    /* bookmark from JetUpdate goes to the record */
    CHECK_OK(JetMove(s, t, JET_MoveFirst, 0));
    CHECK_OK(JetGotoBookmark(s, t, bm, cbBm));
    CHECK_EQ(get_long(s, t, C_ID), 7);
    /* every index sees it: txt, sh, and three multi-values */
    CHECK_EQ(count_index(s, t, "ix_txt"), 1);
    CHECK_EQ(count_index(s, t, "ux_sh"), 1);
    CHECK_EQ(count_index(s, t, "ix_mv"), 3);
    env_close(&e);
}

TEST(long_values_sizes_and_ops)
{
    env e;
    {
        int rc_ = env_open(&e);
        if (rc_)
            printf("env_open %d\n", rc_);
        REQUIRE(rc_ == 0);
    }
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    static const uint32_t sizes[] = {0, 1, 1023, 1024, 100 * 1024, 5 * 1024 * 1024};
    uint8_t *big = malloc(5 * 1024 * 1024 + 16), *got = malloc(5 * 1024 * 1024 + 16);
    for (uint32_t i = 0; i < 5 * 1024 * 1024 + 16; i++)
        big[i] = (uint8_t)(i * 7 + (i >> 11));
    for (uint32_t k = 0; k < BJ_ARRAY_LEN(sizes); k++) {
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        int32_t id = 100 + (int32_t)k, one = 1;
        CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
        CHECK_OK(JetSetColumn(s, t, C_REQ, &one, 4, 0, NULL));
        CHECK_OK(
            JetSetColumn(s, t, C_LB, big, sizes[k], sizes[k] ? 0 : JET_bitSetZeroLength, NULL));
        CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    }
    for (uint32_t k = 0; k < BJ_ARRAY_LEN(sizes); k++) {
        REQUIRE_OK(seek_id(s, t, 100 + (int32_t)k));
        uint32_t cb = 1;
        CHECK_OK(JetRetrieveColumn(s, t, C_LB, got, 5 * 1024 * 1024 + 16, &cb, 0, NULL));
        CHECK_EQ(cb, sizes[k]);
        CHECK(!memcmp(got, big, sizes[k]));
        /* offsets */
        if (sizes[k] > 10) {
            JET_RETINFO ri = {sizeof ri, sizes[k] - 10, 1, 0};
            CHECK_OK(JetRetrieveColumn(s, t, C_LB, got, 10, &cb, 0, &ri));
            CHECK(cb == 10 && !memcmp(got, big + sizes[k] - 10, 10));
        }
    }
    /* append, overwrite, size on the 100 KB value, in a replace */
    REQUIRE_OK(seek_id(s, t, 104));
    REQUIRE_OK(JetBeginTransaction(s));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplace));
    CHECK_OK(JetSetColumn(s, t, C_LB, "APPEND", 6, JET_bitSetAppendLV, NULL));
    JET_SETINFO si = {sizeof si, 10, 1};
    CHECK_OK(JetSetColumn(s, t, C_LB, "OVER", 4, JET_bitSetOverwriteLV, &si));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(s, 0));
    REQUIRE_OK(seek_id(s, t, 104));
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(s, t, C_LB, got, 200 * 1024, &cb, 0, NULL));
    CHECK_EQ(cb, 100 * 1024 + 6);
    CHECK(!memcmp(got, big, 10) && !memcmp(got + 10, "OVER", 4) &&
          !memcmp(got + 14, big + 14, 100 * 1024 - 14) && !memcmp(got + 100 * 1024, "APPEND", 6));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplaceNoLock));
    CHECK_OK(JetSetColumn(s, t, C_LB, NULL, 50, JET_bitSetSizeLV, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(JetRetrieveColumn(s, t, C_LB, got, 200 * 1024, &cb, 0, NULL));
    CHECK(cb == 50 && !memcmp(got, big, 10));
    /* separate even a small value; then set it to NULL */
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplaceNoLock));
    CHECK_OK(JetSetColumn(s, t, C_LT, "tiny", 4, JET_bitSetSeparateLV, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    char tb[8];
    CHECK_OK(JetRetrieveColumn(s, t, C_LT, tb, 8, &cb, 0, NULL));
    CHECK(cb == 4 && !memcmp(tb, "tiny", 4));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplaceNoLock));
    CHECK_OK(JetSetColumn(s, t, C_LT, NULL, 0, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_ERR(JetRetrieveColumn(s, t, C_LT, tb, 8, &cb, 0, NULL), JET_wrnColumnNull);
    /* delete the 5 MB record */
    REQUIRE_OK(seek_id(s, t, 105));
    CHECK_OK(JetDelete(s, t));
    CHECK_ERR(seek_id(s, t, 105), JET_errRecordNotFound);
    free(big);
    free(got);
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 5);
}

TEST(replace_delete_and_cursor_state)
{
    env e;
    {
        int rc_ = env_open(&e);
        if (rc_)
            printf("env_open %d\n", rc_);
        REQUIRE(rc_ == 0);
    }
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    for (int i = 1; i <= 5; i++)
        REQUIRE_OK(ins(s, t, i, i % 2 ? "odd" : "even", (int16_t)i));
    REQUIRE_OK(seek_id(s, t, 3));
    REQUIRE_OK(JetBeginTransaction(s));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplace));
    CHECK_ERR(JetPrepareUpdate(s, t, JET_prepReplace), JET_errAlreadyPrepared);
    CHECK_OK(JetSetColumn(s, t, C_TXT, "changed", 7, 0, NULL));
    int16_t sh = 33;
    CHECK_OK(JetSetColumn(s, t, C_SH, &sh, 2, 0, NULL));
    int32_t v = 9;
    CHECK_ERR(JetSetColumn(s, t, C_VER, &v, 4, 0, NULL), JET_errInvalidColumnType);
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_EQ(get_long(s, t, C_VER), 1);
    /* the index entries moved */
    REQUIRE_OK(JetSetCurrentIndex(s, t, "ix_txt"));
    CHECK_OK(JetMakeKey(s, t, "changed", 7, JET_bitNewKey));
    CHECK_OK(JetSeek(s, t, JET_bitSeekEQ));
    CHECK_EQ(get_long(s, t, C_ID), 3);
    CHECK_OK(JetMakeKey(s, t, "odd", 3, JET_bitNewKey));
    CHECK_OK(JetSeek(s, t, JET_bitSeekEQ | JET_bitSetIndexRange));
    uint32_t n = 0;
    CHECK_OK(JetIndexRecordCount(s, t, &n, 0));
    CHECK_EQ(n, 2);
    /* primary key change */
    REQUIRE_OK(seek_id(s, t, 2));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplaceNoLock));
    int32_t id = 99;
    CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
    CHECK_ERR(JetUpdate(s, t, NULL, 0, NULL), JET_errRecordPrimaryChanged);
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepCancel));
    CHECK_ERR(JetPrepareUpdate(s, t, JET_prepCancel), JET_errUpdateNotPrepared);
    /* delete: the cursor stays on the deleted record; next works */
    CHECK_OK(JetDelete(s, t));
    CHECK_ERR(JetRetrieveColumn(s, t, C_ID, &v, 4, NULL, 0, NULL), JET_errRecordDeleted);
    CHECK_ERR(JetDelete(s, t), JET_errNoCurrentRecord);
    CHECK_ERR(JetPrepareUpdate(s, t, JET_prepReplace), JET_errNoCurrentRecord);
    CHECK_OK(JetMove(s, t, JET_MoveNext, 0));
    CHECK_EQ(get_long(s, t, C_ID), 3);
    CHECK_EQ(count_index(s, t, NULL), 4);
    CHECK_EQ(count_index(s, t, "ix_txt"), 4);
    CHECK_EQ(count_index(s, t, "ux_sh"), 4);
    /* insert copy (delete original) keeps values, takes a new key */
    REQUIRE_OK(seek_id(s, t, 4));
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsertCopyDeleteOriginal));
    id = 40;
    CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_ERR(seek_id(s, t, 4), JET_errRecordNotFound);
    REQUIRE_OK(seek_id(s, t, 40));
    char buf[16];
    uint32_t cb;
    CHECK_OK(JetRetrieveColumn(s, t, C_TXT, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 4 && !memcmp(buf, "even", 4));
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 4);
    CHECK_EQ(cent[1], 4);
    CHECK_EQ(cent[2], 4);
}

TEST(duplicate_keys_leave_nothing)
{
    env e;
    {
        int rc_ = env_open(&e);
        if (rc_)
            printf("env_open %d\n", rc_);
        REQUIRE(rc_ == 0);
    }
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    REQUIRE_OK(ins(s, t, 1, "a", 10));
    CHECK_ERR(ins(s, t, 1, "b", 11), JET_errKeyDuplicate); /* primary */
    CHECK_ERR(ins(s, t, 2, "c", 10), JET_errKeyDuplicate); /* unique secondary */
    CHECK_EQ(count_index(s, t, NULL), 1);
    CHECK_EQ(count_index(s, t, "ix_txt"), 1); /* "c" was inserted, then undone */
    CHECK_EQ(count_index(s, t, "ux_sh"), 1);
    /* inside a transaction: the failed update is undone, the transaction goes on */
    REQUIRE_OK(JetBeginTransaction(s));
    CHECK_OK(ins(s, t, 3, "d", 12));
    CHECK_ERR(ins(s, t, 4, "e", 12), JET_errKeyDuplicate);
    CHECK_OK(JetCommitTransaction(s, 0));
    CHECK_EQ(count_index(s, t, "ix_txt"), 2);
    /* NOT NULL */
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    int32_t id = 5;
    CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
    CHECK_ERR(JetUpdate(s, t, NULL, 0, NULL), JET_errNullInvalid);
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepCancel));
    /* a deleted key can be inserted again */
    REQUIRE_OK(seek_id(s, t, 1));
    CHECK_OK(JetDelete(s, t));
    CHECK_OK(ins(s, t, 1, "again", 10));
    REQUIRE_OK(seek_id(s, t, 1));
    char buf[8];
    uint32_t cb;
    CHECK_OK(JetRetrieveColumn(s, t, C_TXT, buf, sizeof buf, &cb, 0, NULL));
    CHECK(cb == 5 && !memcmp(buf, "again", 5));
    env_close(&e);
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 2);
    CHECK_EQ(cent[1], 2);
    CHECK_EQ(cent[2], 2);
}

TEST(autoinc_escrow_errors)
{
    env e;
    {
        int rc_ = env_open(&e);
        if (rc_)
            printf("env_open %d\n", rc_);
        REQUIRE(rc_ == 0);
    }
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    for (int i = 1; i <= 3; i++)
        REQUIRE_OK(ins(s, t, i, NULL, 0));
    REQUIRE_OK(seek_id(s, t, 3));
    CHECK_EQ(get_long(s, t, C_AI), 3);
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    int32_t ai = 50;
    CHECK_ERR(JetSetColumn(s, t, C_AI, &ai, 4, 0, NULL), JET_errInvalidColumnType);
    CHECK_OK(JetPrepareUpdate(s, t, JET_prepCancel));
    /* escrow */
    int32_t delta = 5, old = -1;
    uint32_t cbOld = 0;
    CHECK_OK(JetEscrowUpdate(s, t, C_ESC, &delta, 4, &old, 4, &cbOld, 0));
    CHECK_EQ(old, 0);
    CHECK_OK(JetEscrowUpdate(s, t, C_ESC, &delta, 4, &old, 4, &cbOld, 0));
    CHECK_EQ(old, 5);
    CHECK_ERR(JetEscrowUpdate(s, t, C_ID, &delta, 4, NULL, 0, NULL, 0), JET_errInvalidOperation);
    CHECK_ERR(JetEscrowUpdate(s, t, C_ESC, &delta, 2, NULL, 0, NULL, 0), JET_errInvalidBufferSize);
    REQUIRE_OK(seek_id(s, t, 3));
    CHECK_EQ(get_long(s, t, C_ESC), 10);
    REQUIRE_OK(JetBeginTransaction(s));
    CHECK_OK(JetEscrowUpdate(s, t, C_ESC, &delta, 4, NULL, 0, NULL, JET_bitEscrowNoRollback));
    CHECK_OK(JetEscrowUpdate(s, t, C_ESC, &delta, 4, NULL, 0, NULL, 0));
    CHECK_OK(JetRollback(s, 0));
    REQUIRE_OK(seek_id(s, t, 3));
    CHECK_EQ(get_long(s, t, C_ESC), 15);
    /* errors */
    CHECK_ERR(JetSetColumn(s, t, C_TXT, "x", 1, 0, NULL), JET_errUpdateNotPrepared);
    CHECK_ERR(JetUpdate(s, t, NULL, 0, NULL), JET_errUpdateNotPrepared);
    CHECK_ERR(JetPrepareUpdate(s, t, JET_prepReplace), JET_errNotInTransaction);
    CHECK_ERR(JetPrepareUpdate(s, t, 77), JET_errInvalidParameter);
    CHECK_ERR(JetPrepareUpdate(s, (JET_TABLEID)12345, JET_prepInsert), JET_errInvalidTableId);
    CHECK_ERR(JetPrepareUpdate(0, t, JET_prepInsert), JET_errInvalidSesid);
    REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
    CHECK_ERR(JetSetColumn(s, t, C_ID, "ab", 2, 0, NULL), JET_errInvalidBufferSize);
    CHECK_ERR(JetSetColumn(s, t, 999, "ab", 2, 0, NULL), JET_errColumnNotFound);
    CHECK_ERR(JetSetColumn(s, t, C_TXT, "ab", 2, 0x80000000u, NULL), JET_errInvalidGrbit);
    JET_SETCOLUMN sc[2] = {{C_ID, &ai, 4, 0, 0, 0, 0}, {C_TXT, "zz", 2, 0, 0, 0, 0}};
    CHECK_OK(JetSetColumns(s, t, sc, 2));
    int32_t one = 1;
    CHECK_OK(JetSetColumn(s, t, C_REQ, &one, 4, 0, NULL));
    CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
    CHECK_OK(seek_id(s, t, 50));
    CHECK_EQ(get_long(s, t, C_AI), 5); /* the cancelled insert consumed 4, as in ESE */
    CHECK_ERR(JetGetLock(s, t, JET_bitReadLock), JET_errNotInTransaction);
    env_close(&e);
}

TEST(read_only_database)
{
    env e;
    REQUIRE(env_open_t(&e, &g_table, JET_bitDbReadOnly) == 0);
    CHECK_ERR(JetPrepareUpdate(e.ses, e.tab, JET_prepInsert), JET_errPermissionDenied);
    env_close(&e);
}

TEST(table_without_primary_index)
{
    env e;
    REQUIRE(env_open_t(&e, &g_table_dbk, 0) == 0);
    JET_SESID s = e.ses;
    JET_TABLEID t = e.tab;
    uint8_t bm[8];
    uint32_t cb = 0;
    for (int i = 1; i <= 3; i++) {
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        int32_t one = 1, id = i * 10;
        CHECK_OK(JetSetColumn(s, t, C_ID, &id, 4, 0, NULL));
        CHECK_OK(JetSetColumn(s, t, C_REQ, &one, 4, 0, NULL));
        CHECK_OK(JetUpdate(s, t, bm, sizeof bm, &cb));
        /* DBKs: 4 bytes big-endian from 1 */
        CHECK_EQ(cb, 4);
        CHECK_EQ(bj_ld32be(bm), (uint32_t)i);
    }
    CHECK_EQ(count_index(s, t, NULL), 3);
    CHECK_OK(JetGotoBookmark(s, t, bm, 4));
    CHECK_EQ(get_long(s, t, C_ID), 30);
    env_close(&e);
}

TEST(one_small_cache_for_two_databases)
{
    /* 64 pages for the whole instance, two databases of several hundred pages each */
    JET_API_PTR old = 0;
    REQUIRE_OK(JetGetSystemParameter(0, 0, JET_paramCacheSizeMax, &old, NULL, 0));
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, 64, NULL));
    env e;
    int rc = env_open(&e);
    REQUIRE(rc == 0);
    char path2[600];
    snprintf(path2, sizeof path2, "%s/second.edb", bj_test_tmpdir());
    JET_DBID db2;
    JET_TABLEID t2;
    REQUIRE_OK(JetCreateDatabase(e.ses, path2, NULL, &db2, 0));
    REQUIRE(fx_create_table(e.ses, db2, &g_table) == 0);
    REQUIRE_OK(JetOpenTable(e.ses, db2, FX_TABLE, NULL, 0, 0, &t2));
    static char pad[200];
    memset(pad, 'p', sizeof pad);
    for (int32_t i = 0; i < 3000; i++) {
        for (int k = 0; k < 2; k++) {
            JET_TABLEID t = k ? t2 : e.tab;
            int32_t one = 1, id = k ? -i : i;
            REQUIRE_OK(JetPrepareUpdate(e.ses, t, JET_prepInsert));
            CHECK_OK(JetSetColumn(e.ses, t, C_ID, &id, 4, 0, NULL));
            CHECK_OK(JetSetColumn(e.ses, t, C_REQ, &one, 4, 0, NULL));
            CHECK_OK(JetSetColumn(e.ses, t, C_BIN, pad, sizeof pad, 0, NULL));
            REQUIRE_OK(JetUpdate(e.ses, t, NULL, 0, NULL));
        }
    }
    CHECK_EQ(count_index(e.ses, e.tab, NULL), 3000);
    CHECK_EQ(count_index(e.ses, t2, NULL), 3000);
    REQUIRE_OK(seek_id(e.ses, t2, -1234));
    CHECK_EQ(get_long(e.ses, t2, C_ID), -1234);
    env_close(&e);
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, old, NULL));
    uint64_t crec = 0, cent[4] = {0};
    CHECK_OK(fx_check_db(e.path, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 3000);
    CHECK_OK(fx_check_db(path2, 8192, &crec, cent, 4));
    CHECK_EQ(crec, 3000);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
