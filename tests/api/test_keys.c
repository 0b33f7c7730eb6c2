/* test_keys.c: key order and seeks of single-column indexes through esent.h, for every column
 * type usable in an index, ascending and descending, over random values with NULLs, zero-length
 * values and extremes. The expected order is ESE's (fldnorm.cxx): NULL < zero-length < data in
 * an ascending segment (a descending segment is the complement, so NULL sorts last), integers
 * and floats by value, single-byte text by C-locale uppercase bytes, binary bytewise with a
 * prefix first, GUIDs in ESE's classic byte order; equal keys in primary-key (id) order. Seeks
 * follow ErrIsamSeek (rec.cxx): EQ/GE/GT land on the first entry in index order, LT/LE on the
 * last, JET_wrnSeekNotEqual for an inexact GE/LE, JET_errRecordNotFound when nothing fits.
 */
#include <math.h>

#include "test_keys_env.h"

typedef struct kval {
    bool fNull;
    uint32_t cb;
    uint8_t b[32];
} kval;

enum { NROW = 120, NPROBE = 60 };

static bool var_type(JET_COLTYP t)
{
    return t == JET_coltypText || t == JET_coltypBinary;
}

static uint32_t fixed_size(JET_COLTYP t)
{
    switch (t) {
    case JET_coltypBit:
    case JET_coltypUnsignedByte:
        return 1;
    case JET_coltypShort:
    case JET_coltypUnsignedShort:
        return 2;
    case JET_coltypLong:
    case JET_coltypUnsignedLong:
    case JET_coltypIEEESingle:
        return 4;
    case JET_coltypGUID:
        return 16;
    default:
        return 8;
    }
}

/* A random value of type t with cp (text). fAllowNull: may be NULL. */
static void gen(JET_COLTYP t, uint16_t cp, uint64_t *rs, bool fAllowNull, kval *v)
{
    memset(v, 0, sizeof(*v));
    uint32_t r = krand(rs);
    if (fAllowNull && r % 10 == 0) {
        v->fNull = true;
        return;
    }
    if (t == JET_coltypText) {
        /* cp1252: letters of both cases, digits, punctuation and a high byte; Unicode: letters
         * of both cases and digits (their ICU order is the case-folded ASCII order) */
        static const char a1252[] = "aAbBzZ09 _~\xe9\x7f";
        static const char a1200[] = "aAbBcCzZ019";
        uint32_t n = krand(rs) % 7;
        for (uint32_t i = 0; i < n; i++) {
            char c = cp == 1200 ? a1200[krand(rs) % (sizeof a1200 - 1)]
                                : a1252[krand(rs) % (sizeof a1252 - 1)];
            if (cp == 1200) {
                v->b[v->cb++] = (uint8_t)c;
                v->b[v->cb++] = 0;
            } else {
                v->b[v->cb++] = (uint8_t)c;
            }
        }
        return;
    }
    if (t == JET_coltypBinary) {
        static const uint8_t ab[] = {0x00, 0x01, 0x08, 0x09, 0x7f, 0x80, 0xfe, 0xff};
        v->cb = krand(rs) % 20;
        for (uint32_t i = 0; i < v->cb; i++)
            v->b[i] = ab[krand(rs) % sizeof ab];
        return;
    }
    v->cb = fixed_size(t);
    for (uint32_t i = 0; i < v->cb; i++)
        v->b[i] = (uint8_t)krand(rs);
    uint32_t pick = krand(rs) % 8;
    if (t == JET_coltypBit) {
        v->b[0] = (uint8_t)(r & 1);
    } else if (t == JET_coltypIEEESingle) {
        static const float af[] = {0.0f, 1.0f, -1.0f, 3.4e38f, -3.4e38f, 1e-40f, -1e-40f};
        float f = pick < 7 ? af[pick] : (float)((int32_t)krand(rs)) / 1000.0f;
        memcpy(v->b, &f, 4);
    } else if (t == JET_coltypIEEEDouble || t == JET_coltypDateTime) {
        static const double ad[] = {0.0, 1.0, -1.0, 1.7e308, -1.7e308, 4.9e-324, -2.5};
        double d = pick < 7 ? ad[pick] : (double)((int32_t)krand(rs)) / 7.0;
        memcpy(v->b, &d, 8);
    } else if (pick < 3 && t != JET_coltypGUID) {
        /* extremes: 0, all ones (-1 or max), the sign bit alone (min) */
        memset(v->b, pick == 0 ? 0x00 : 0xff, v->cb);
        if (pick == 2) {
            memset(v->b, 0, v->cb);
            v->b[v->cb - 1] = 0x80;
        }
    }
}

static int sgn(long double d)
{
    return d < 0 ? -1 : d > 0 ? 1 : 0;
}

static int cmp_bytes(const uint8_t *a, uint32_t cba, const uint8_t *b, uint32_t cbb)
{
    uint32_t n = cba < cbb ? cba : cbb;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? (c < 0 ? -1 : 1) : (cba < cbb ? -1 : cba > cbb ? 1 : 0);
}

/* ESE's ascending order of two values of type t. */
static int cmp_val(JET_COLTYP t, uint16_t cp, const kval *a, const kval *b)
{
    int ra = a->fNull ? 0 : a->cb == 0 ? 1 : 2, rb = b->fNull ? 0 : b->cb == 0 ? 1 : 2;
    if (ra != rb || ra < 2)
        return ra < rb ? -1 : ra > rb ? 1 : 0;
    int64_t i64a, i64b;
    switch (t) {
    case JET_coltypBit:
        return sgn((a->b[0] != 0) - (b->b[0] != 0));
    case JET_coltypUnsignedByte:
        return sgn(a->b[0] - b->b[0]);
    case JET_coltypShort: {
        int16_t x, y;
        memcpy(&x, a->b, 2), memcpy(&y, b->b, 2);
        return sgn(x - y);
    }
    case JET_coltypUnsignedShort: {
        uint16_t x, y;
        memcpy(&x, a->b, 2), memcpy(&y, b->b, 2);
        return sgn(x - y);
    }
    case JET_coltypLong: {
        int32_t x, y;
        memcpy(&x, a->b, 4), memcpy(&y, b->b, 4);
        return x < y ? -1 : x > y;
    }
    case JET_coltypUnsignedLong: {
        uint32_t x, y;
        memcpy(&x, a->b, 4), memcpy(&y, b->b, 4);
        return x < y ? -1 : x > y;
    }
    case JET_coltypLongLong:
    case JET_coltypCurrency:
        memcpy(&i64a, a->b, 8), memcpy(&i64b, b->b, 8);
        return i64a < i64b ? -1 : i64a > i64b;
    case JET_coltypIEEESingle: {
        float x, y;
        memcpy(&x, a->b, 4), memcpy(&y, b->b, 4);
        return sgn((long double)x - (long double)y);
    }
    case JET_coltypIEEEDouble:
    case JET_coltypDateTime: {
        double x, y;
        memcpy(&x, a->b, 8), memcpy(&y, b->b, 8);
        return x < y ? -1 : x > y;
    }
    case JET_coltypGUID: {
        static const uint8_t classic[16] = {10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3};
        for (int i = 0; i < 16; i++)
            if (a->b[classic[i]] != b->b[classic[i]])
                return a->b[classic[i]] < b->b[classic[i]] ? -1 : 1;
        return 0;
    }
    case JET_coltypText: {
        uint8_t ua[32], ub[32];
        uint32_t na = 0, nb = 0, step = cp == 1200 ? 2 : 1;
        for (uint32_t i = 0; i < a->cb; i += step)
            ua[na++] = (a->b[i] >= 'a' && a->b[i] <= 'z') ? a->b[i] - 32 : a->b[i];
        for (uint32_t i = 0; i < b->cb; i += step)
            ub[nb++] = (b->b[i] >= 'a' && b->b[i] <= 'z') ? b->b[i] - 32 : b->b[i];
        return cmp_bytes(ua, na, ub, nb);
    }
    default:
        return cmp_bytes(a->b, a->cb, b->b, b->cb);
    }
}

typedef struct kctx {
    JET_COLTYP t;
    uint16_t cp;
    int dir; /* +1 ascending index, -1 descending */
    const kval *v;
} kctx;

/* Index order of rows i and j: key, then id (= row index + 1). */
static int cmp_rows(const kctx *k, int i, int j)
{
    int c = k->dir * cmp_val(k->t, k->cp, &k->v[i], &k->v[j]);
    return c ? c : (i < j ? -1 : i > j);
}

static void sort_rows(const kctx *k, int *ord, int n)
{
    for (int i = 0; i < n; i++)
        ord[i] = i;
    for (int i = 1; i < n; i++) { /* insertion sort: n is small */
        int x = ord[i], j = i - 1;
        while (j >= 0 && cmp_rows(k, ord[j], x) > 0) {
            ord[j + 1] = ord[j];
            j--;
        }
        ord[j + 1] = x;
    }
}

static JET_ERR insert_row(kenv *e, JET_TABLEID t, JET_COLUMNID col, int32_t id, const kval *v)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    if (err >= 0 && !v->fNull)
        err = JetSetColumn(e->ses, t, col, v->b, v->cb, v->cb ? 0 : JET_bitSetZeroLength, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

static JET_ERR make_key(kenv *e, JET_TABLEID t, const kval *p, JET_GRBIT grbit)
{
    return JetMakeKey(e->ses, t, p->fNull ? NULL : p->b, p->fNull ? 0 : p->cb,
                      JET_bitNewKey | (!p->fNull && p->cb == 0 ? JET_bitKeyDataZeroLength : 0) |
                          grbit);
}

/* Checks JetSeek(mode) for probe p against the model (ord = rows in index order). */
static void check_seek(kenv *e, JET_TABLEID t, const kctx *k, const int *ord, const kval *p,
                       JET_GRBIT mode, const char *what)
{
    int first_ge = -1, first_gt = -1, last_le = -1, last_lt = -1;
    bool fAnyEq = false;
    for (int i = 0; i < NROW; i++) {
        int c = k->dir * cmp_val(k->t, k->cp, &k->v[ord[i]], p);
        if (c >= 0 && first_ge < 0)
            first_ge = i;
        if (c > 0 && first_gt < 0)
            first_gt = i;
        if (c <= 0)
            last_le = i;
        if (c < 0)
            last_lt = i;
        if (c == 0)
            fAnyEq = true;
    }
    JET_ERR want = JET_errSuccess;
    int land = -1;
    switch (mode) {
    case JET_bitSeekEQ:
        land = fAnyEq ? first_ge : -1;
        break;
    case JET_bitSeekGE:
        land = first_ge;
        want = fAnyEq ? JET_errSuccess : JET_wrnSeekNotEqual;
        break;
    case JET_bitSeekGT:
        land = first_gt;
        break;
    case JET_bitSeekLE:
        land = last_le;
        want = fAnyEq ? JET_errSuccess : JET_wrnSeekNotEqual;
        break;
    case JET_bitSeekLT:
        land = last_lt;
        break;
    }
    if (land < 0)
        want = JET_errRecordNotFound;
    if (make_key(e, t, p, 0) < 0) {
        bj_test_fail(__FILE__, __LINE__, "%s: JetMakeKey failed", what);
        return;
    }
    JET_ERR err = JetSeek(e->ses, t, mode);
    if (err != want) {
        bj_test_fail(__FILE__, __LINE__, "%s: JetSeek(0x%x) = %d, expected %d", what,
                     (unsigned)mode, (int)err, (int)want);
        return;
    }
    if (land < 0)
        return;
    int32_t id = kid(e, t);
    if (mode == JET_bitSeekLE && fAnyEq) {
        /* ESE lands on an equal entry (which of several duplicates: see the report) */
        if (id < 1 || k->dir * cmp_val(k->t, k->cp, &k->v[id - 1], p) != 0)
            bj_test_fail(__FILE__, __LINE__, "%s: SeekLE landed on id %d, not an equal key", what,
                         (int)id);
        return;
    }
    if (id != ord[land] + 1)
        bj_test_fail(__FILE__, __LINE__, "%s: JetSeek(0x%x) landed on id %d, expected %d", what,
                     (unsigned)mode, (int)id, ord[land] + 1);
}

/* Index range [lo, hi] (upper inclusive or not) counted by JetIndexRecordCount and JetMove. */
static void check_range(kenv *e, JET_TABLEID t, const kctx *k, const int *ord, const kval *lo,
                        const kval *hi, bool fIncl, const char *what)
{
    int want = 0;
    for (int i = 0; i < NROW; i++) {
        int cl = k->dir * cmp_val(k->t, k->cp, &k->v[ord[i]], lo);
        int ch = k->dir * cmp_val(k->t, k->cp, &k->v[ord[i]], hi);
        if (cl >= 0 && (fIncl ? ch <= 0 : ch < 0))
            want++;
    }
    if (make_key(e, t, lo, 0) < 0)
        return;
    JET_ERR err = JetSeek(e->ses, t, JET_bitSeekGE);
    if (err < 0) {
        CHECK(want == 0);
        return;
    }
    CHECK_OK(make_key(e, t, hi, 0));
    err = JetSetIndexRange(e->ses, t, JET_bitRangeUpperLimit | (fIncl ? JET_bitRangeInclusive : 0));
    if (want == 0) {
        if (err != JET_errNoCurrentRecord)
            bj_test_fail(__FILE__, __LINE__, "%s: empty range: JetSetIndexRange %d", what, (int)err);
        return;
    }
    if (err != JET_errSuccess) {
        bj_test_fail(__FILE__, __LINE__, "%s: JetSetIndexRange %d (want %d rows)", what, (int)err,
                     want);
        return;
    }
    uint32_t c = 0;
    CHECK_OK(JetIndexRecordCount(e->ses, t, &c, 0));
    if ((int)c != want)
        bj_test_fail(__FILE__, __LINE__, "%s: JetIndexRecordCount %u, expected %d", what,
                     (unsigned)c, want);
    int n = kcount_moves(e, t, true);
    if (n != want)
        bj_test_fail(__FILE__, __LINE__, "%s: moves in range %d, expected %d", what, n, want);
    /* the range is gone after it was hit; a move from "after the range" keeps failing */
    CHECK_ERR(JetMove(e->ses, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
}

static void run_type(JET_COLTYP t, uint16_t cp, uint32_t cbMax, uint64_t seed)
{
    kenv e;
    char name[64];
    snprintf(name, sizeof name, "k%d_%u", (int)t, (unsigned)cp);
    REQUIRE(kenv_start(&e, name, "k.edb"));
    kcol col = {"v", t, cbMax, 0, cp};
    kidx idx[] = {{"asc", KKEY("+v\0"), 0}, {"desc", KKEY("-v\0"), 0}};
    JET_COLUMNID cid;
    JET_TABLEID tab;
    REQUIRE_OK(ktable(&e, "K", &col, 1, true, idx, 2, &cid, &tab));

    kval v[NROW];
    uint64_t rs = seed;
    for (int i = 0; i < NROW; i++) {
        gen(t, cp, &rs, true, &v[i]);
        if (i > 0 && krand(&rs) % 8 == 0)
            v[i] = v[krand(&rs) % i]; /* duplicates */
        if (!var_type(t) && !v[i].fNull && v[i].cb == 0)
            v[i].fNull = true;
        REQUIRE_OK(JetBeginTransaction(e.ses));
        REQUIRE_OK(insert_row(&e, tab, cid, i + 1, &v[i]));
        REQUIRE_OK(JetCommitTransaction(e.ses, 0));
    }
    kval probes[NPROBE];
    for (int i = 0; i < NPROBE; i++) {
        if (i % 2)
            probes[i] = v[krand(&rs) % NROW];
        else
            gen(t, cp, &rs, false, &probes[i]);
        if (probes[i].fNull || (var_type(t) && probes[i].cb == 0))
            gen(t, cp, &rs, false, &probes[i]);
        if (var_type(t) && probes[i].cb == 0) {
            probes[i].cb = cp == 1200 ? 2 : 1; /* "a" */
            probes[i].b[0] = 'a';
            probes[i].b[1] = 0;
        }
    }

    for (int d = 0; d < 2; d++) {
        kctx k = {t, cp, d ? -1 : 1, v};
        int ord[NROW];
        int32_t got[NROW];
        char what[96];
        sort_rows(&k, ord, NROW);
        REQUIRE_OK(JetSetCurrentIndex(e.ses, tab, idx[d].name));
        int n = kscan(&e, tab, true, got, NROW);
        CHECK_EQ(n, NROW);
        for (int i = 0; i < NROW && n == NROW; i++) {
            if (got[i] != ord[i] + 1) {
                bj_test_fail(__FILE__, __LINE__, "coltyp %d cp %u %s: entry %d is id %d, expected %d",
                             (int)t, (unsigned)cp, idx[d].name, i, (int)got[i], ord[i] + 1);
                break;
            }
        }
        n = kscan(&e, tab, false, got, NROW);
        CHECK_EQ(n, NROW);
        for (int i = 0; i < NROW && n == NROW; i++) {
            if (got[i] != ord[NROW - 1 - i] + 1) {
                bj_test_fail(__FILE__, __LINE__, "coltyp %d %s reverse: entry %d is id %d",
                             (int)t, idx[d].name, i, (int)got[i]);
                break;
            }
        }
        static const JET_GRBIT modes[] = {JET_bitSeekEQ, JET_bitSeekGE, JET_bitSeekGT,
                                          JET_bitSeekLE, JET_bitSeekLT};
        for (int p = 0; p < NPROBE; p++) {
            for (int m = 0; m < 5; m++) {
                snprintf(what, sizeof what, "coltyp %d cp %u %s probe %d", (int)t, (unsigned)cp,
                         idx[d].name, p);
                check_seek(&e, tab, &k, ord, &probes[p], modes[m], what);
            }
        }
        for (int p = 0; p + 1 < NPROBE; p += 2) {
            const kval *lo = &probes[p], *hi = &probes[p + 1];
            if (k.dir * cmp_val(t, cp, lo, hi) > 0) {
                const kval *x = lo;
                lo = hi;
                hi = x;
            }
            snprintf(what, sizeof what, "coltyp %d %s range %d", (int)t, idx[d].name, p);
            check_range(&e, tab, &k, ord, lo, hi, p % 4 == 0, what);
        }
    }
    JetCloseTable(e.ses, tab);
    kenv_stop(&e);
}

TEST(order_bit) { run_type(JET_coltypBit, 0, 1, 1); }
TEST(order_unsigned_byte) { run_type(JET_coltypUnsignedByte, 0, 1, 2); }
TEST(order_short) { run_type(JET_coltypShort, 0, 2, 3); }
TEST(order_long) { run_type(JET_coltypLong, 0, 4, 4); }
TEST(order_currency) { run_type(JET_coltypCurrency, 0, 8, 5); }
TEST(order_ieee_single) { run_type(JET_coltypIEEESingle, 0, 4, 6); }
TEST(order_ieee_double) { run_type(JET_coltypIEEEDouble, 0, 8, 7); }
TEST(order_datetime) { run_type(JET_coltypDateTime, 0, 8, 8); }
TEST(order_binary) { run_type(JET_coltypBinary, 0, 255, 9); }
TEST(order_text_1252) { run_type(JET_coltypText, 1252, 255, 10); }
TEST(order_text_unicode) { run_type(JET_coltypText, 1200, 255, 11); }
TEST(order_unsigned_long) { run_type(JET_coltypUnsignedLong, 0, 4, 12); }
TEST(order_long_long) { run_type(JET_coltypLongLong, 0, 8, 13); }
TEST(order_guid) { run_type(JET_coltypGUID, 0, 16, 14); }
TEST(order_unsigned_short) { run_type(JET_coltypUnsignedShort, 0, 2, 15); }

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
