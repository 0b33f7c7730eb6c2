/* test_key.c: key normalisation for fixed-size types, binary, single-byte text, the JetMakeKey
 * state machine, limits and record keys (src/rec/key*.c). Unicode text: test_key_unicode.c. */
#include "testlib.h"

#include <math.h>

#include "rec/key.h"
#include "rec/rec.h"

static bj_key_index index_of(uint32_t cseg, const JET_COLTYP *types, const bool *desc)
{
    bj_key_index idx;
    memset(&idx, 0, sizeof(idx));
    idx.cbKeyMost = 255;
    idx.cseg = cseg;
    for (uint32_t i = 0; i < cseg; i++) {
        idx.rgseg[i].coltyp = types[i];
        idx.rgseg[i].cp = 1252;
        idx.rgseg[i].fDescending = desc ? desc[i] : false;
    }
    return idx;
}

static bj_key_index index1(JET_COLTYP t, bool fDesc)
{
    return index_of(1, &t, &fDesc);
}

/* Normalises one value of a one-segment index; returns the segment length (0 on error). */
static uint32_t norm1(const bj_key_index *idx, const void *pv, uint32_t cb, uint8_t *out)
{
    bj_key_segout so;
    JET_ERR err =
        bj_key_normalize_segment(idx, 0, pv == NULL, pv, cb, out, bj_key_cb_key_most(idx), &so);
    return err == JET_errSuccess ? so.cb : 0;
}

typedef struct key {
    uint32_t cb;
    uint8_t b[BJ_KEY_CB_LIMIT_MOST_MOST];
} key;

/* Checks keys[i] < keys[i+1] for all i (strictly increasing, memcmp then length). */
static void check_increasing(const key *k, int n, const char *what)
{
    for (int i = 0; i + 1 < n; i++) {
        if (bj_keycmp(k[i].b, k[i].cb, k[i + 1].b, k[i + 1].cb) >= 0)
            bj_test_fail(__FILE__, __LINE__, "%s: key %d not below key %d", what, i, i + 1);
    }
}

static void check_decreasing(const key *k, int n, const char *what)
{
    for (int i = 0; i + 1 < n; i++) {
        if (bj_keycmp(k[i].b, k[i].cb, k[i + 1].b, k[i + 1].cb) <= 0)
            bj_test_fail(__FILE__, __LINE__, "%s: key %d not above key %d", what, i, i + 1);
    }
}

/* Normalises values (each of size cb, consecutive in vals) ascending and descending, checks the
 * order, and checks NULL sorts first (ascending) / last (descending). */
static void check_order(JET_COLTYP t, const void *vals, uint32_t cb, int n, const char *what)
{
    key k[40], kd[40];
    REQUIRE(n < 39);
    for (int pass = 0; pass < 2; pass++) {
        bj_key_index idx = index1(t, pass == 1);
        key *out = pass ? kd : k;
        out[0].cb = norm1(&idx, NULL, 0, out[0].b); /* NULL */
        CHECK_EQ(out[0].cb, 1);
        for (int i = 0; i < n; i++) {
            out[i + 1].cb = norm1(&idx, (const uint8_t *)vals + (size_t)i * cb, cb, out[i + 1].b);
            CHECK_EQ(out[i + 1].cb, cb + 1);
        }
        if (pass == 0)
            check_increasing(k, n + 1, what);
        else
            check_decreasing(kd, n + 1, what);
    }
}

TEST(integer_orders)
{
    uint8_t ub[] = {0, 1, 127, 128, 254, 255};
    check_order(JET_coltypUnsignedByte, ub, 1, 6, "UnsignedByte");
    uint8_t bits[] = {0, 1};
    check_order(JET_coltypBit, bits, 1, 2, "Bit");
    int16_t s[] = {INT16_MIN, -300, -1, 0, 1, 255, 256, INT16_MAX};
    check_order(JET_coltypShort, s, 2, 8, "Short");
    uint16_t us[] = {0, 1, 255, 256, 0x7fff, 0x8000, 0xffff};
    check_order(JET_coltypUnsignedShort, us, 2, 7, "UnsignedShort");
    int32_t l[] = {INT32_MIN, -65536, -2, -1, 0, 1, 2, 65536, INT32_MAX};
    check_order(JET_coltypLong, l, 4, 9, "Long");
    uint32_t ul[] = {0, 1, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu};
    check_order(JET_coltypUnsignedLong, ul, 4, 6, "UnsignedLong");
    int64_t ll[] = {INT64_MIN, -4294967296LL, -1, 0, 1, 4294967296LL, INT64_MAX};
    check_order(JET_coltypLongLong, ll, 8, 7, "LongLong");
    check_order(JET_coltypCurrency, ll, 8, 7, "Currency");
    uint64_t ull[] = {0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX};
    check_order(JET_coltypUnsignedLongLong, ull, 8, 5, "UnsignedLongLong");
}

TEST(float_orders)
{
    float f[] = {-INFINITY, -1e30f, -1.5f, -1.0f, -1e-30f, -0.0f,
                 0.0f,      1e-30f, 1.0f,  1.5f,  1e30f,   INFINITY};
    check_order(JET_coltypIEEESingle, f, 4, 12, "IEEESingle");
    double d[] = {-INFINITY, -1e300, -2.0, -1.0, -1e-300, -0.0,
                  0.0,       1e-300, 1.0,  2.0,  1e300,   INFINITY};
    check_order(JET_coltypIEEEDouble, d, 8, 12, "IEEEDouble");
    double dt[] = {-657434.0, -1.0, 0.0, 0.5, 1.0, 36526.25, 2958465.99};
    check_order(JET_coltypDateTime, dt, 8, 7, "DateTime");

    /* NaN as ESE orders it: by bit pattern, positive NaN above +inf, negative NaN below -inf */
    bj_key_index idx = index1(JET_coltypIEEESingle, false);
    float pinf = INFINITY, ninf = -INFINITY, pnan = NAN, nnan = -NAN;
    key a, b;
    a.cb = norm1(&idx, &pnan, 4, a.b);
    b.cb = norm1(&idx, &pinf, 4, b.b);
    CHECK(bj_keycmp(a.b, a.cb, b.b, b.cb) > 0);
    a.cb = norm1(&idx, &nnan, 4, a.b);
    b.cb = norm1(&idx, &ninf, 4, b.b);
    CHECK(bj_keycmp(a.b, a.cb, b.b, b.cb) < 0);

    /* exact bytes: 1.0f = 3f800000 -> 7f bf800000; -1.0f = bf800000 -> 7f 407fffff;
     * +0.0 -> 7f 80000000, -0.0 -> 7f 7fffffff */
    float one = 1.0f, mone = -1.0f, z = 0.0f, nz = -0.0f;
    static const uint8_t k1[] = {0x7f, 0xbf, 0x80, 0x00, 0x00};
    static const uint8_t km1[] = {0x7f, 0x40, 0x7f, 0xff, 0xff};
    static const uint8_t kz[] = {0x7f, 0x80, 0x00, 0x00, 0x00};
    static const uint8_t knz[] = {0x7f, 0x7f, 0xff, 0xff, 0xff};
    CHECK_EQ(norm1(&idx, &one, 4, a.b), 5);
    CHECK_MEM(a.b, k1, 5);
    norm1(&idx, &mone, 4, a.b);
    CHECK_MEM(a.b, km1, 5);
    norm1(&idx, &z, 4, a.b);
    CHECK_MEM(a.b, kz, 5);
    norm1(&idx, &nz, 4, a.b);
    CHECK_MEM(a.b, knz, 5);

    bj_key_index idd = index1(JET_coltypIEEEDouble, false);
    double two = 2.0; /* 4000000000000000 -> c000000000000000 */
    static const uint8_t k2[] = {0x7f, 0xc0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_EQ(norm1(&idd, &two, 8, a.b), 9);
    CHECK_MEM(a.b, k2, 9);
}

TEST(exact_integer_bytes)
{
    uint8_t out[32];
    bj_key_index il = index1(JET_coltypLong, false);
    int32_t eight = 8, mone = -1;
    static const uint8_t k8[] = {0x7f, 0x80, 0x00, 0x00, 0x08};
    static const uint8_t km1[] = {0x7f, 0x7f, 0xff, 0xff, 0xff};
    CHECK_EQ(norm1(&il, &eight, 4, out), 5);
    CHECK_MEM(out, k8, 5);
    norm1(&il, &mone, 4, out);
    CHECK_MEM(out, km1, 5);

    bj_key_index is = index1(JET_coltypShort, false);
    int16_t one = 1;
    static const uint8_t ks1[] = {0x7f, 0x80, 0x01};
    CHECK_EQ(norm1(&is, &one, 2, out), 3);
    CHECK_MEM(out, ks1, 3);

    bj_key_index iu = index1(JET_coltypUnsignedLong, false);
    uint32_t u = 0x01020304;
    static const uint8_t ku[] = {0x7f, 0x01, 0x02, 0x03, 0x04};
    norm1(&iu, &u, 4, out);
    CHECK_MEM(out, ku, 5);

    bj_key_index ib = index1(JET_coltypBit, false);
    uint8_t b5 = 5, b0 = 0;
    static const uint8_t kb1[] = {0x7f, 0xff}, kb0[] = {0x7f, 0x00};
    CHECK_EQ(norm1(&ib, &b5, 1, out), 2);
    CHECK_MEM(out, kb1, 2);
    norm1(&ib, &b0, 1, out);
    CHECK_MEM(out, kb0, 2);

    bj_key_index ic = index1(JET_coltypCurrency, false);
    int64_t c = -2; /* fffffffffffffffe -> 7ffffffffffffffe */
    static const uint8_t kc[] = {0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    CHECK_EQ(norm1(&ic, &c, 8, out), 9);
    CHECK_MEM(out, kc, 9);

    /* descending: the complement, prefix included */
    bj_key_index ild = index1(JET_coltypLong, true);
    static const uint8_t k8d[] = {0x80, 0x7f, 0xff, 0xff, 0xf7};
    norm1(&ild, &eight, 4, out);
    CHECK_MEM(out, k8d, 5);

    /* wrong size for a fixed-size type */
    bj_key_segout so;
    CHECK_ERR(bj_key_normalize_segment(&il, 0, false, &eight, 2, out, 255, &so),
              JET_errInvalidBufferSize);
}

TEST(catalog_key)
{
    /* MSysObjects' primary key (ObjidTable, Type, Id) = (8, 1, 8) */
    JET_COLTYP t[] = {JET_coltypLong, JET_coltypShort, JET_coltypLong};
    bj_key_index idx = index_of(3, t, NULL);
    static const uint8_t want[] = {0x7f, 0x80, 0,    0, 0x08, 0x7f, 0x80,
                                   0x01, 0x7f, 0x80, 0, 0,    0x08};
    int32_t objid = 8, id = 8;
    int16_t type = 1;
    bj_key_builder kb;
    bj_key_record_begin(&kb, &idx);
    CHECK_OK(bj_key_record_add(&kb, false, &objid, 4));
    CHECK_OK(bj_key_record_add(&kb, false, &type, 2));
    CHECK_OK(bj_key_record_add(&kb, false, &id, 4));
    CHECK_EQ(kb.cb, sizeof(want));
    CHECK_MEM(kb.rgb, want, sizeof(want));
    CHECK(!kb.fAllNull && !kb.fNullSeg && !kb.fTooBig);
    CHECK_ERR(bj_key_record_add(&kb, false, &id, 4), JET_errKeyIsMade);

    /* the same key through JetMakeKey */
    bj_key_builder mk;
    bj_key_builder_init(&mk, &idx);
    CHECK_OK(bj_key_make(&mk, &objid, 4, JET_bitNewKey));
    CHECK_OK(bj_key_make(&mk, &type, 2, 0));
    CHECK_OK(bj_key_make(&mk, &id, 4, 0));
    CHECK_EQ(mk.cb, sizeof(want));
    CHECK_MEM(mk.rgb, want, sizeof(want));
}

TEST(guid_orders)
{
    uint8_t g[16], out[17];
    for (int i = 0; i < 16; i++)
        g[i] = (uint8_t)i;
    bj_key_index idx = index1(JET_coltypGUID, false);
    static const uint8_t classic[] = {0x7f, 10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3};
    static const uint8_t dotnet[] = {0x7f, 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    CHECK_EQ(norm1(&idx, g, 16, out), 17);
    CHECK_MEM(out, classic, 17);
    idx.fDotNetGuid = true;
    CHECK_EQ(norm1(&idx, g, 16, out), 17);
    CHECK_MEM(out, dotnet, 17);

    /* .NET order compares Data1 as an unsigned integer first: 00000002-... > 00000001-ffff */
    uint8_t a[16] = {1, 0, 0, 0, 0xff, 0xff}, b[16] = {2, 0, 0, 0};
    key ka, kb2;
    ka.cb = norm1(&idx, a, 16, ka.b);
    kb2.cb = norm1(&idx, b, 16, kb2.b);
    CHECK(bj_keycmp(ka.b, ka.cb, kb2.b, kb2.cb) < 0);
    /* classic order compares the last 6 bytes (the node) first */
    idx.fDotNetGuid = false;
    uint8_t c[16] = {0xff}, d[16] = {0};
    d[15] = 1;
    ka.cb = norm1(&idx, c, 16, ka.b);
    kb2.cb = norm1(&idx, d, 16, kb2.b);
    CHECK(bj_keycmp(ka.b, ka.cb, kb2.b, kb2.cb) < 0);
}

TEST(null_and_zero_length)
{
    uint8_t out[32];
    bj_key_segout so;
    bj_key_index it = index1(JET_coltypText, false);
    bj_key_index il = index1(JET_coltypLong, false);
    bj_key_index ib = index1(JET_coltypLongBinary, false);
    int32_t v = INT32_MIN;

    CHECK_OK(bj_key_normalize_segment(&it, 0, true, NULL, 0, out, 255, &so));
    CHECK_EQ(so.cb, 1);
    CHECK_EQ(out[0], 0x00);
    CHECK_OK(bj_key_normalize_segment(&it, 0, false, "", 0, out, 255, &so));
    CHECK_EQ(so.cb, 1);
    CHECK_EQ(out[0], 0x40);
    CHECK_OK(bj_key_normalize_segment(&ib, 0, false, "", 0, out, 255, &so));
    CHECK_EQ(out[0], 0x40);
    /* a zero-length value of a fixed-size type normalises as NULL */
    CHECK_OK(bj_key_normalize_segment(&il, 0, false, &v, 0, out, 255, &so));
    CHECK_EQ(so.cb, 1);
    CHECK_EQ(out[0], 0x00);
    /* sort-nulls-high */
    il.fSortNullsHigh = true;
    CHECK_OK(bj_key_normalize_segment(&il, 0, true, NULL, 0, out, 255, &so));
    CHECK_EQ(out[0], 0xc0);
    uint8_t data[8];
    CHECK_OK(bj_key_normalize_segment(&il, 0, false, &v, 4, data, 255, &so));
    CHECK(data[0] < out[0]); /* every value below a high NULL */
    /* descending NULL = ff, sorts after every descending value */
    il.fSortNullsHigh = false;
    il.rgseg[0].fDescending = true;
    CHECK_OK(bj_key_normalize_segment(&il, 0, true, NULL, 0, out, 255, &so));
    CHECK_EQ(out[0], 0xff);
}

/* ---- binary ---- */

static uint32_t norm_bin(const bj_key_index *idx, const void *pv, uint32_t cb, uint8_t *out)
{
    bj_key_segout so;
    if (bj_key_normalize_segment(idx, 0, false, pv, cb, out, bj_key_cb_key_most(idx), &so) < 0)
        return 0;
    return so.cb;
}

TEST(binary_exact)
{
    uint8_t out[300];
    bj_key_index idx = index1(JET_coltypBinary, false);
    static const uint8_t kab[] = {0x7f, 'a', 'b', 0, 0, 0, 0, 0, 0, 2};
    CHECK_EQ(norm_bin(&idx, "ab", 2, out), 10);
    CHECK_MEM(out, kab, 10);
    static const uint8_t k8[] = {0x7f, '1', '2', '3', '4', '5', '6', '7', '8', 8};
    CHECK_EQ(norm_bin(&idx, "12345678", 8, out), 10);
    CHECK_MEM(out, k8, 10);
    static const uint8_t k9[] = {0x7f, '1', '2', '3', '4', '5', '6', '7', '8', 9,
                                 '9',  0,   0,   0,   0,   0,   0,   0,   1};
    CHECK_EQ(norm_bin(&idx, "123456789", 9, out), 19);
    CHECK_MEM(out, k9, 19);
    /* fixed binary column: prefix + raw bytes */
    idx.rgseg[0].fFixed = true;
    idx.rgseg[0].cbFixed = 3;
    static const uint8_t kf[] = {0x7f, 'x', 0, 'y'};
    CHECK_EQ(norm_bin(&idx, "x\0y", 3, out), 4);
    CHECK_MEM(out, kf, 4);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) & 0xffffff;
}

TEST(binary_random_order)
{
    bj_key_index idx = index1(JET_coltypLongBinary, false);
    bj_key_index idd = index1(JET_coltypLongBinary, true);
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t a[40], b[40];
        uint32_t ca = rnd() % 30, cb = rnd() % 30;
        for (uint32_t i = 0; i < ca; i++)
            a[i] = (uint8_t)(rnd() % 3); /* small alphabet with zeros: many prefixes */
        if (rnd() % 2) {
            memcpy(b, a, ca);
            cb = ca + rnd() % 10; /* b extends a */
            for (uint32_t i = ca; i < cb; i++)
                b[i] = (uint8_t)(rnd() % 3);
        } else {
            for (uint32_t i = 0; i < cb; i++)
                b[i] = (uint8_t)(rnd() % 3);
        }
        int want = bj_keycmp(a, ca, b, cb);
        key ka, kb2;
        bj_key_segout so;
        bool fa = ca == 0, fb = cb == 0;
        bj_key_normalize_segment(&idx, 0, false, fa ? "" : (void *)a, ca, ka.b, 255, &so);
        ka.cb = so.cb;
        bj_key_normalize_segment(&idx, 0, false, fb ? "" : (void *)b, cb, kb2.b, 255, &so);
        kb2.cb = so.cb;
        int got = bj_keycmp(ka.b, ka.cb, kb2.b, kb2.cb);
        if ((want < 0) != (got < 0) || (want == 0) != (got == 0)) {
            bj_test_fail(__FILE__, __LINE__, "binary order differs (%u vs %u bytes)", ca, cb);
            return;
        }
        /* descending reverses */
        bj_key_normalize_segment(&idd, 0, false, fa ? "" : (void *)a, ca, ka.b, 255, &so);
        ka.cb = so.cb;
        bj_key_normalize_segment(&idd, 0, false, fb ? "" : (void *)b, cb, kb2.b, 255, &so);
        kb2.cb = so.cb;
        got = bj_keycmp(ka.b, ka.cb, kb2.b, kb2.cb);
        if ((want > 0) != (got < 0) || (want == 0) != (got == 0)) {
            bj_test_fail(__FILE__, __LINE__, "descending binary order wrong");
            return;
        }
    }
}

/* ---- single-byte text ---- */

TEST(ansi_text)
{
    uint8_t out[300];
    bj_key_index idx = index1(JET_coltypText, false);
    static const uint8_t kabc[] = {0x7f, 'A', 'B', 'C', 0};
    CHECK_EQ(norm_bin(&idx, "abc", 3, out), 5);
    CHECK_MEM(out, kabc, 5);
    CHECK_EQ(norm_bin(&idx, "ABC", 3, out), 5);
    CHECK_MEM(out, kabc, 5);
    CHECK_EQ(norm_bin(&idx, "aBc\0zzz", 7, out), 5); /* stops at NUL */
    CHECK_MEM(out, kabc, 5);
    /* only a-z are uppercased (C locale): e-acute (0xe9 in cp1252) stays */
    static const uint8_t ke[] = {0x7f, 0xe9, 'X', 0};
    CHECK_EQ(norm_bin(&idx, "\xe9x", 2, out), 4);
    CHECK_MEM(out, ke, 4);

    /* order: case-insensitive, shorter prefix first */
    const char *w[] = {"", "A", "a0", "AB", "ab\x01", "abc", "ABD", "b", "Z", "[", "\x80"};
    key k[12];
    for (int i = 0; i < 11; i++) {
        bj_key_segout so;
        CHECK_OK(bj_key_normalize_segment(&idx, 0, false, w[i], (uint32_t)strlen(w[i]), k[i].b, 255,
                                          &so));
        k[i].cb = so.cb;
    }
    check_increasing(k, 11, "ansi");
}

TEST(ansi_truncation_quirk)
{
    /* 300 x '{' in a 255-byte key: 253 '{' kept, the last byte is '{' - 0x20 (CRT _toupper) */
    uint8_t text[300], out[300];
    memset(text, '{', sizeof(text));
    bj_key_index idx = index1(JET_coltypText, false);
    bj_key_segout so;
    CHECK_OK(bj_key_normalize_segment(&idx, 0, false, text, 300, out, 255, &so));
    CHECK_EQ(so.cb, 255);
    CHECK(so.fTruncated);
    CHECK_EQ(out[0], 0x7f);
    CHECK_EQ(out[253], '{');
    CHECK_EQ(out[254], '{' - 0x20);
    /* text that exactly fits is not truncated */
    CHECK_OK(bj_key_normalize_segment(&idx, 0, false, text, 253, out, 255, &so));
    CHECK_EQ(so.cb, 255);
    CHECK(!so.fTruncated);
    CHECK_EQ(out[254], 0);
}

/* ---- multi-segment ---- */

static void record_key(const bj_key_index *idx, const void *v0, uint32_t c0, int32_t v1, key *k)
{
    bj_key_builder kb;
    bj_key_record_begin(&kb, idx);
    CHECK_OK(bj_key_record_add(&kb, false, v0, c0));
    CHECK_OK(bj_key_record_add(&kb, false, &v1, 4));
    k->cb = kb.cb;
    memcpy(k->b, kb.rgb, kb.cb);
}

TEST(multi_segment_order)
{
    JET_COLTYP types[][2] = {{JET_coltypText, JET_coltypLong},
                             {JET_coltypLongBinary, JET_coltypLong},
                             {JET_coltypBinary, JET_coltypLong}};
    for (int t = 0; t < 3; t++) {
        bj_key_index idx = index_of(2, types[t], NULL);
        key k[6];
        record_key(&idx, "", 0, 5, &k[0]);
        record_key(&idx, "a", 1, 9, &k[1]);
        record_key(&idx, "ab", 2, 1, &k[2]);
        record_key(&idx, "ab", 2, 2, &k[3]);
        record_key(&idx, "abc", 3, -5, &k[4]);
        record_key(&idx, "abd", 3, -9, &k[5]);
        check_increasing(k, 6, "two segments");
    }
}

/* ---- truncation, cbKeyMost, cbVarSegMac ---- */

TEST(truncation)
{
    JET_COLTYP t[] = {JET_coltypLongBinary, JET_coltypLong};
    bj_key_index idx = index_of(2, t, NULL);
    uint8_t big[1200];
    for (int i = 0; i < 1200; i++)
        big[i] = (uint8_t)(i * 7);
    int32_t v = 3;
    bj_key_builder kb;

    bj_key_record_begin(&kb, &idx);
    CHECK_OK(bj_key_record_add(&kb, false, big, 1000));
    CHECK_EQ(kb.cb, 255);
    CHECK(kb.fTooBig);
    CHECK_OK(bj_key_record_add(&kb, false, &v, 4)); /* adds nothing */
    CHECK_EQ(kb.cb, 255);

    idx.fDisallowTruncation = true;
    bj_key_record_begin(&kb, &idx);
    CHECK_ERR(bj_key_record_add(&kb, false, big, 1000), JET_errKeyTruncated);

    /* legacy 255: bytes past the 255th source byte do not count */
    idx.fDisallowTruncation = false;
    bj_key_index one = index1(JET_coltypLongBinary, false);
    uint8_t big2[1200];
    memcpy(big2, big, sizeof(big));
    big2[270] ^= 1;
    key a, b;
    a.cb = norm_bin(&one, big, 300, a.b);
    b.cb = norm_bin(&one, big2, 300, b.b);
    CHECK_EQ(a.cb, 255);
    CHECK(bj_keycmp(a.b, a.cb, b.b, b.cb) == 0);
    /* larger keys: the whole value counts, 300 bytes = 38 chunks = 343 bytes */
    one.cbKeyMost = 1000;
    a.cb = norm_bin(&one, big, 300, a.b);
    b.cb = norm_bin(&one, big2, 300, b.b);
    CHECK_EQ(a.cb, 343);
    CHECK(bj_keycmp(a.b, a.cb, b.b, b.cb) != 0);
    one.cbKeyMost = 2000;
    a.cb = norm_bin(&one, big, 1200, a.b);
    CHECK_EQ(a.cb, 1351);

    /* a fixed-size value that does not fit is cut at cbKeyMost */
    JET_COLTYP tl[] = {JET_coltypText, JET_coltypLongLong};
    bj_key_index il = index_of(2, tl, NULL);
    char text[260];
    memset(text, 'q', sizeof(text));
    int64_t ll = 1;
    bj_key_record_begin(&kb, &il);
    CHECK_OK(bj_key_record_add(&kb, false, text, 250)); /* 252 bytes */
    CHECK(!kb.fTooBig);
    CHECK_OK(bj_key_record_add(&kb, false, &ll, 8));
    CHECK_EQ(kb.cb, 255);
    CHECK(kb.fTooBig);
}

TEST(var_seg_mac)
{
    JET_COLTYP t[] = {JET_coltypText, JET_coltypLong};
    bj_key_index idx = index_of(2, t, NULL);
    idx.cbVarSegMac = 5;
    int32_t v = 8;
    bj_key_builder kb;
    bj_key_record_begin(&kb, &idx);
    CHECK_OK(bj_key_record_add(&kb, false, "abcdefgh", 8));
    CHECK(!kb.fTooBig); /* limited by cbVarSegMac: not a truncation */
    CHECK_OK(bj_key_record_add(&kb, false, &v, 4));
    static const uint8_t want[] = {0x7f, 'A', 'B', 'C', 'D', 0x7f, 0x80, 0, 0, 8};
    CHECK_EQ(kb.cb, sizeof(want));
    CHECK_MEM(kb.rgb, want, sizeof(want));

    /* binary: cut at cbVarSegMac too (inside a chunk) */
    JET_COLTYP tb[] = {JET_coltypBinary, JET_coltypLong};
    bj_key_index ib = index_of(2, tb, NULL);
    ib.cbVarSegMac = 4;
    bj_key_record_begin(&kb, &ib);
    CHECK_OK(bj_key_record_add(&kb, false, "abcdefgh", 8));
    CHECK_OK(bj_key_record_add(&kb, false, &v, 4));
    static const uint8_t wantb[] = {0x7f, 'a', 'b', 'c', 0x7f, 0x80, 0, 0, 8};
    CHECK_EQ(kb.cb, sizeof(wantb));
    CHECK_MEM(kb.rgb, wantb, sizeof(wantb));
}

/* ---- JetMakeKey ---- */

TEST(make_key_states)
{
    JET_COLTYP t[] = {JET_coltypLong, JET_coltypText};
    bj_key_index idx = index_of(2, t, NULL);
    bj_key_builder kb;
    int32_t v = 1;
    bj_key_builder_init(&kb, &idx);
    CHECK_ERR(bj_key_make(&kb, &v, 4, 0), JET_errKeyNotMade);
    CHECK_OK(bj_key_make(&kb, &v, 4, JET_bitNewKey));
    CHECK_OK(bj_key_make(&kb, "x", 1, 0));
    CHECK_ERR(bj_key_make(&kb, "x", 1, 0), JET_errKeyIsMade);
    CHECK_EQ(kb.cseg, 2);
    CHECK_OK(bj_key_make(&kb, &v, 4, JET_bitNewKey)); /* starts over */
    CHECK_EQ(kb.cb, 5);
    CHECK_EQ(kb.cseg, 1);

    /* grbit checks */
    CHECK_ERR(bj_key_make(&kb, &v, 4,
                          JET_bitNewKey | JET_bitFullColumnStartLimit | JET_bitFullColumnEndLimit),
              JET_errInvalidGrbit);
    CHECK_ERR(bj_key_make(&kb, &v, 4, 0), JET_errKeyNotMade); /* the failed NewKey reset it */
    CHECK_ERR(bj_key_make(&kb, &v, 4, JET_bitNewKey | JET_bitPartialColumnEndLimit),
              JET_errInvalidGrbit);
    CHECK_ERR(bj_key_make(&kb, NULL, 0, JET_bitNewKey | JET_bitKeyDataZeroLength),
              JET_errInvalidBufferSize);
    CHECK_ERR(bj_key_make(&kb, &v, 2, JET_bitNewKey), JET_errInvalidBufferSize);

    /* NULL and zero-length */
    CHECK_OK(bj_key_make(&kb, NULL, 0, JET_bitNewKey));
    CHECK_OK(bj_key_make(&kb, NULL, 0, JET_bitKeyDataZeroLength));
    static const uint8_t knz[] = {0x00, 0x40};
    CHECK_EQ(kb.cb, 2);
    CHECK_MEM(kb.rgb, knz, 2);

    /* a limit completes the key */
    CHECK_OK(bj_key_make(&kb, &v, 4, JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK(kb.fLimit);
    CHECK_EQ(kb.cb, 256); /* 5 bytes + 0xff to cbKeyMost + 1 */
    CHECK_EQ(kb.rgb[255], 0xff);
    CHECK_ERR(bj_key_make(&kb, "x", 1, 0), JET_errKeyIsMade);

    /* normalised keys */
    uint8_t nk[300];
    memset(nk, 0x7f, sizeof(nk));
    CHECK_OK(bj_key_make(&kb, nk, 10, JET_bitNormalizedKey));
    CHECK_EQ(kb.cb, 10);
    CHECK(kb.fPrepared && !kb.fLimit);
    CHECK_OK(bj_key_make(&kb, "x", 1, 0)); /* may continue after a normalised key */
    CHECK_OK(bj_key_make(&kb, nk, 256, JET_bitNormalizedKey));
    CHECK(kb.fLimit);
    CHECK_ERR(bj_key_make(&kb, nk, 257, JET_bitNormalizedKey), JET_errInvalidParameter);
}

TEST(make_key_fixed_text_and_placeholder)
{
    JET_COLTYP t[] = {JET_coltypText};
    bj_key_index idx = index_of(1, t, NULL);
    idx.rgseg[0].fFixed = true;
    idx.rgseg[0].cbFixed = 5;
    bj_key_builder a, b;
    bj_key_builder_init(&a, &idx);
    bj_key_builder_init(&b, &idx);
    CHECK_OK(bj_key_make(&a, "ab", 2, JET_bitNewKey));
    CHECK_OK(bj_key_make(&b, "ab   ", 5, JET_bitNewKey));
    CHECK_EQ(a.cb, 7);
    CHECK(bj_keycmp(a.rgb, a.cb, b.rgb, b.cb) == 0);
    CHECK_ERR(bj_key_make(&a, "abcdef", 6, JET_bitNewKey), JET_errInvalidBufferSize);

    /* primary index placeholder: a Bit 0 segment is made for the caller */
    JET_COLTYP tp[] = {JET_coltypBit, JET_coltypLong};
    bj_key_index ip = index_of(2, tp, NULL);
    ip.fPlaceholder = true;
    ip.rgseg[0].fFixed = true;
    int32_t v = 5;
    bj_key_builder_init(&a, &ip);
    CHECK_OK(bj_key_make(&a, &v, 4, JET_bitNewKey));
    static const uint8_t want[] = {0x7f, 0x00, 0x7f, 0x80, 0, 0, 5};
    CHECK_EQ(a.cb, sizeof(want));
    CHECK_MEM(a.rgb, want, sizeof(want));
    uint8_t bit = 1;
    CHECK_OK(bj_key_make(&a, &bit, 1, JET_bitNewKey | JET_bitKeyOverridePrimaryIndexPlaceholder));
    CHECK_EQ(a.cb, 2);
    CHECK_EQ(a.rgb[1], 0xff);
}

/* ---- limits ---- */

static void make2(const bj_key_index *idx, const void *v0, uint32_t c0, JET_GRBIT g0, key *k)
{
    bj_key_builder kb;
    bj_key_builder_init(&kb, idx);
    CHECK_OK(bj_key_make(&kb, v0, c0, JET_bitNewKey | g0));
    k->cb = kb.cb;
    memcpy(k->b, kb.rgb, kb.cb);
}

static int cmpk(const key *a, const key *b)
{
    return bj_keycmp(a->b, a->cb, b->b, b->cb);
}

/* For a text or binary first segment: the record keys with first value starting with "ab" lie in
 * [partial start, partial end]; "aa..." below, "ac" above. Full and Str limits cover "ab" only. */
static void check_limits(JET_COLTYP t0, bool fDesc)
{
    JET_COLTYP t[] = {t0, JET_coltypLong};
    bool d[] = {fDesc, false};
    bj_key_index idx = index_of(2, t, d);
    key in[8], below, above, exact[2];
    record_key(&idx, "ab", 2, INT32_MIN, &in[0]);
    record_key(&idx, "ab", 2, INT32_MAX, &in[1]);
    record_key(&idx, "ab\0", 3, 0, &in[2]);
    record_key(&idx, "abc", 3, 0, &in[3]);
    record_key(&idx, "ABzzzzzzzzzzzzzzzzzz", 20, 0, &in[4]);
    record_key(&idx, "ab\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11, 0, &in[5]);
    record_key(&idx, "abababababababab", 16, 7, &in[6]);
    record_key(&idx, "abababab", 8, 7, &in[7]);
    record_key(&idx, "aazzzzzzzzzzzzzzzzzzzzzz", 24, 0, fDesc ? &above : &below);
    record_key(&idx, "ac", 2, INT32_MIN, fDesc ? &below : &above);
    record_key(&idx, "ab", 2, 0, &exact[0]);
    record_key(&idx, "ab", 2, 1, &exact[1]);
    bool fText = t0 == JET_coltypText;
    int nin = 8;

    key ps, pe;
    make2(&idx, "ab", 2, JET_bitPartialColumnStartLimit, &ps);
    make2(&idx, "ab", 2, JET_bitPartialColumnEndLimit, &pe);
    CHECK(cmpk(&below, &ps) < 0);
    CHECK(cmpk(&pe, &above) < 0);
    for (int i = 0; i < nin; i++) {
        if (!fText && i == 4)
            continue; /* binary is case-sensitive: "AB..." is not "ab..." */
        if (cmpk(&ps, &in[i]) > 0 || cmpk(&in[i], &pe) > 0)
            bj_test_fail(__FILE__, __LINE__, "coltyp %u desc %d: value %d outside partial limits",
                         t0, fDesc, i);
    }
    if (fText) {
        key sub;
        make2(&idx, "ab", 2, JET_bitSubStrLimit, &sub);
        CHECK(cmpk(&sub, &pe) == 0);
    }

    /* full-column and StrLimit: exactly "ab" with any second segment */
    key fs, fe, sl;
    make2(&idx, "ab", 2, JET_bitFullColumnStartLimit, &fs);
    make2(&idx, "ab", 2, JET_bitFullColumnEndLimit, &fe);
    make2(&idx, "ab", 2, JET_bitStrLimit, &sl);
    for (int i = 0; i < 2; i++) {
        CHECK(cmpk(&fs, &exact[i]) < 0);
        CHECK(cmpk(&exact[i], &fe) < 0);
        CHECK(cmpk(&exact[i], &sl) < 0);
    }
    CHECK(cmpk(&below, &fs) < 0);
    CHECK(cmpk(&fe, &above) < 0);
    if (!fDesc)
        CHECK(cmpk(&fe, &in[3]) < 0); /* "abc" is beyond the "ab" full-column range */
    /* StrLimit: on text a full-column end limit; on variable binary a prefix (partial) one */
    if (fText)
        CHECK(cmpk(&sl, &fe) == 0);
    else
        CHECK(cmpk(&sl, &pe) == 0);
}

TEST(limit_keys)
{
    check_limits(JET_coltypText, false);
    check_limits(JET_coltypText, true);
    check_limits(JET_coltypLongBinary, false);
    check_limits(JET_coltypLongBinary, true);

    /* exact bytes: text partial start drops the terminator, end fills with 0xff */
    JET_COLTYP t = JET_coltypText;
    bj_key_index idx = index_of(1, &t, NULL);
    key k;
    make2(&idx, "ab", 2, JET_bitPartialColumnStartLimit, &k);
    static const uint8_t ps[] = {0x7f, 'A', 'B'};
    CHECK_EQ(k.cb, 3);
    CHECK_MEM(k.b, ps, 3);
    make2(&idx, "ab", 2, JET_bitPartialColumnEndLimit, &k);
    CHECK_EQ(k.cb, 256);
    CHECK_MEM(k.b, ps, 3);
    CHECK_EQ(k.b[3], 0xff);
    CHECK_EQ(k.b[255], 0xff);
    /* binary partial end: 0xff from the end of the data to one past the segment */
    t = JET_coltypBinary;
    idx = index_of(1, &t, NULL);
    make2(&idx, "ab", 2, JET_bitPartialColumnEndLimit, &k);
    static const uint8_t pb[] = {0x7f, 'a', 'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(k.cb, sizeof(pb));
    CHECK_MEM(k.b, pb, sizeof(pb));
    make2(&idx, "ab", 2, JET_bitPartialColumnStartLimit, &k);
    CHECK_EQ(k.cb, 3);

    /* integer full-column limits, ascending and descending */
    for (int desc = 0; desc < 2; desc++) {
        JET_COLTYP tl[] = {JET_coltypLong, JET_coltypLong};
        bool dd[] = {desc != 0, false};
        bj_key_index il = index_of(2, tl, dd);
        int32_t five = 5;
        key lo, hi, r4, r5a, r5b, r6;
        make2(&il, &five, 4, JET_bitFullColumnStartLimit, &lo);
        make2(&il, &five, 4, JET_bitFullColumnEndLimit, &hi);
        int32_t four = 4, six = 6;
        record_key(&il, &four, 4, INT32_MAX, &r4);
        record_key(&il, &five, 4, INT32_MIN, &r5a);
        record_key(&il, &five, 4, INT32_MAX, &r5b);
        record_key(&il, &six, 4, INT32_MIN, &r6);
        CHECK(cmpk(&lo, &r5a) < 0 && cmpk(&r5b, &hi) < 0);
        if (desc)
            CHECK(cmpk(&r6, &lo) < 0 && cmpk(&hi, &r4) < 0);
        else
            CHECK(cmpk(&r4, &lo) < 0 && cmpk(&hi, &r6) < 0);
    }
}

TEST(bounds_small_key_space)
{
    /* every type, every key space from 1 byte, every limit grbit: output stays in bounds */
    static const JET_COLTYP types[] = {
        JET_coltypBit,           JET_coltypUnsignedByte,    JET_coltypShort,
        JET_coltypLong,          JET_coltypCurrency,        JET_coltypIEEESingle,
        JET_coltypIEEEDouble,    JET_coltypDateTime,        JET_coltypBinary,
        JET_coltypText,          JET_coltypLongBinary,      JET_coltypLongText,
        JET_coltypUnsignedLong,  JET_coltypLongLong,        JET_coltypGUID,
        JET_coltypUnsignedShort, JET_coltypUnsignedLongLong};
    static const JET_GRBIT limits[] = {0,
                                       JET_bitStrLimit,
                                       JET_bitSubStrLimit,
                                       JET_bitFullColumnStartLimit,
                                       JET_bitFullColumnEndLimit,
                                       JET_bitPartialColumnStartLimit,
                                       JET_bitPartialColumnEndLimit};
    uint8_t val[64];
    for (size_t i = 0; i < sizeof(val); i++)
        val[i] = (uint8_t)(0x61 + i % 26);
    for (size_t t = 0; t < BJ_ARRAY_LEN(types); t++) {
        uint32_t size = bj_rec_coltyp_width(types[t]);
        for (int desc = 0; desc < 2; desc++) {
            bj_key_index idx = index1(types[t], desc != 0);
            for (uint32_t cbAvail = 1; cbAvail < 40; cbAvail++) {
                for (uint32_t cb = 0; cb < (size ? 1u : 30u); cb++) {
                    uint32_t n = size ? size : cb;
                    uint8_t *out = malloc(cbAvail);
                    bj_key_segout so;
                    CHECK_OK(bj_key_normalize_segment(&idx, 0, false, val, n, out, cbAvail, &so));
                    CHECK(so.cb >= 1 && so.cb <= cbAvail);
                    free(out);
                }
            }
            /* JetMakeKey with every limit after a prefix that leaves 0..20 bytes of space */
            JET_COLTYP t2[] = {JET_coltypText, types[t]}; /* prefix: n + 2 bytes */
            bool d2[] = {false, desc != 0};
            bj_key_index i2 = index_of(2, t2, d2);
            for (uint32_t cbPre = 225; cbPre < 258; cbPre++) {
                for (size_t l = 0; l < BJ_ARRAY_LEN(limits); l++) {
                    bj_key_builder kb;
                    uint8_t pre[300];
                    memset(pre, 1, sizeof(pre));
                    bj_key_builder_init(&kb, &i2);
                    CHECK_OK(bj_key_make(&kb, pre, cbPre, JET_bitNewKey));
                    JET_ERR err = bj_key_make(&kb, val, size ? size : 20, limits[l]);
                    CHECK(err == JET_errSuccess || err == JET_errInvalidGrbit);
                    CHECK(kb.cb <= 256);
                }
            }
        }
    }
}

TEST(index_check)
{
    JET_COLTYP t = JET_coltypLong;
    bj_key_index idx = index_of(1, &t, NULL);
    CHECK_OK(bj_key_index_check(&idx));
    idx.cbKeyMost = 2001;
    CHECK_ERR(bj_key_index_check(&idx), JET_errInvalidParameter);
    idx.cbKeyMost = 0;
    CHECK_OK(bj_key_index_check(&idx));
    idx.cseg = 0;
    CHECK_ERR(bj_key_index_check(&idx), JET_errInvalidParameter);
    idx.cseg = 1;
    idx.rgseg[0].coltyp = JET_coltypSLV;
    CHECK_ERR(bj_key_index_check(&idx), JET_errInvalidColumnType);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
