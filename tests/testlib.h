/* testlib.h: the minimal test harness every suite uses (one executable per suite).
 *
 *   TEST(name) { CHECK(x); CHECK_EQ(a, b); CHECK_ERR(JetFoo(...), JET_errBar); }
 *   int main(int argc, char **argv) { return bj_test_main(argc, argv); }
 *
 * Tests register themselves; `suite NAME...` runs only those. Each failed check prints its file,
 * line and values, and marks the test failed; the closing line is "N passed, N failed".
 * BJ_SHARED_DIR (set by CTest) points at ../shared; bj_test_tmpdir() gives a fresh scratch folder.
 */
#ifndef BJ_TESTLIB_H
#define BJ_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*bj_test_fn)(void);
void bj_test_register(const char *name, bj_test_fn fn);
int bj_test_main(int argc, char **argv);
void bj_test_fail(const char *file, int line, const char *fmt, ...);
/* A fresh empty folder under $TMPDIR for the running test; removed when the test passes. */
const char *bj_test_tmpdir(void);
/* ../shared (from BJ_SHARED_DIR), or NULL when it is not there. */
const char *bj_test_shared_dir(void);
/* The bytes of shared/data/edb/NAME (malloc'ed; *pcb = size), or NULL when missing. */
unsigned char *bj_test_load_edb(const char *name, size_t *pcb);

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        bj_test_register(#name, test_##name);                                                      \
    }                                                                                              \
    static void test_##name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            bj_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                  \
    } while (0)
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            bj_test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_)                                                                            \
            bj_test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", #a, #b, va_, vb_);  \
    } while (0)
/* Asserts that an expression returns exactly the given JET_ERR. */
#define CHECK_ERR(expr, want)                                                                      \
    do {                                                                                           \
        long long got_ = (long long)(expr), want_ = (long long)(want);                             \
        if (got_ != want_)                                                                         \
            bj_test_fail(__FILE__, __LINE__, "%s returned %lld, expected %s (%lld)", #expr, got_,  \
                         #want, want_);                                                            \
    } while (0)
#define CHECK_OK(expr) CHECK_ERR(expr, 0)
#define REQUIRE_OK(expr)                                                                           \
    do {                                                                                           \
        long long got_ = (long long)(expr);                                                        \
        if (got_ != 0) {                                                                           \
            bj_test_fail(__FILE__, __LINE__, "%s returned %lld, expected success", #expr, got_);   \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define CHECK_MEM(a, b, n)                                                                         \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0)                                                            \
            bj_test_fail(__FILE__, __LINE__, "CHECK_MEM(%s, %s, %s) differs", #a, #b, #n);         \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                                                 \
            bj_test_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b,        \
                         sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                              \
    } while (0)

#endif
