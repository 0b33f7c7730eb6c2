/* test_common.c: layer 0: byte order helpers, key comparison, error birth. */
#include "common/common.h"
#include "testlib.h"

TEST(byte_order_round_trips)
{
    uint8_t b[8];
    bj_st32(b, 0x89abcdef);
    CHECK_EQ(b[0], 0xef);
    CHECK_EQ(b[3], 0x89);
    CHECK_EQ(bj_ld32(b), 0x89abcdef);
    bj_st32be(b, 0x80000008);
    CHECK_EQ(b[0], 0x80);
    CHECK_EQ(bj_ld32be(b), 0x80000008);
    bj_st64(b, 0x0123456789abcdefULL);
    CHECK(bj_ld64(b) == 0x0123456789abcdefULL);
    bj_st64be(b, 0x0123456789abcdefULL);
    CHECK_EQ(b[0], 0x01);
    CHECK(bj_ld64be(b) == 0x0123456789abcdefULL);
    bj_st16be(b, 0x1234);
    CHECK_EQ(bj_ld16be(b), 0x1234);
    CHECK_EQ(bj_ld16(b), 0x3412);
}

TEST(keycmp_orders_prefix_first)
{
    CHECK(bj_keycmp("ab", 2, "abc", 3) < 0);
    CHECK(bj_keycmp("abc", 3, "ab", 2) > 0);
    CHECK(bj_keycmp("abc", 3, "abd", 3) < 0);
    CHECK(bj_keycmp("", 0, "", 0) == 0);
}

TEST(error_birth_returns_code)
{
    CHECK_EQ(BJ_ERR(JET_errInvalidParameter), JET_errInvalidParameter);
    CHECK_STR(bj_err_name(JET_errSuccess), "JET_errSuccess");
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
