/* test_key_unicode.c: Unicode (cp 1200) key normalisation with ICU (src/rec/key_unicode.c):
 * ordering per locale and LCMapFlags, key shape, limits, errors, concurrent use. */
#include "testlib.h"

#include <pthread.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "rec/key.h"

typedef struct key {
    uint32_t cb;
    uint8_t b[BJ_KEY_CB_LIMIT_MOST_MOST];
} key;

static bj_key_index uindex(uint32_t flags, const char *locale, uint32_t lcid)
{
    bj_key_index idx;
    memset(&idx, 0, sizeof(idx));
    idx.cbKeyMost = 255;
    idx.cseg = 2;
    idx.rgseg[0].coltyp = JET_coltypLongText;
    idx.rgseg[0].cp = BJ_KEY_CP_UNICODE;
    idx.rgseg[1].coltyp = JET_coltypLong;
    idx.dwLCMapFlags = flags;
    idx.lcid = lcid;
    if (locale)
        snprintf(idx.szLocale, sizeof(idx.szLocale), "%s", locale);
    return idx;
}

/* UTF-8 -> UTF-16LE bytes; returns the byte count. */
static uint32_t utf16le(const char *s, uint8_t *out, uint32_t cbOut)
{
    UChar u[2048];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, 2048, &n, s, -1, &st);
    if (U_FAILURE(st) || (uint32_t)n * 2 > cbOut)
        return 0;
    for (int32_t i = 0; i < n; i++)
        bj_st16(out + 2 * i, u[i]);
    return (uint32_t)n * 2;
}

static JET_ERR ukey(const bj_key_index *idx, const char *s, key *k)
{
    uint8_t w[4096];
    uint32_t cb = utf16le(s, w, sizeof(w));
    bj_key_segout so;
    JET_ERR err =
        bj_key_normalize_segment(idx, 0, false, w, cb, k->b, bj_key_cb_key_most(idx), &so);
    k->cb = so.cb;
    return err;
}

static int ucmp(const bj_key_index *idx, const char *a, const char *b)
{
    key ka, kb;
    if (ukey(idx, a, &ka) < 0 || ukey(idx, b, &kb) < 0)
        return 99;
    int c = bj_keycmp(ka.b, ka.cb, kb.b, kb.cb);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

TEST(default_en_us_case_insensitive)
{
    bj_key_index idx = uindex(0, NULL, 0); /* defaults: en-US, 0x00030401 */
    CHECK_EQ(ucmp(&idx, "a", "B"), -1);
    CHECK_EQ(ucmp(&idx, "B", "c"), -1);
    CHECK_EQ(ucmp(&idx, "abc", "ABC"), 0);
    CHECK_EQ(ucmp(&idx, "ab", "abc"), -1);
    CHECK_EQ(ucmp(&idx, "e", "\xc3\xa9"), -1);        /* e < e-acute */
    CHECK_EQ(ucmp(&idx, "\xc3\xa9", "f"), -1);        /* e-acute < f */
    CHECK_EQ(ucmp(&idx, "\xc3\xa9", "E\xcc\x81"), 0); /* precomposed = decomposed, any case */
    CHECK_EQ(ucmp(&idx, "\xef\xbd\x81", "a"), 0);     /* fullwidth a = a (width ignored) */
    CHECK_EQ(ucmp(&idx, "\xe3\x81\x82", "\xe3\x82\xa2"), 0); /* hiragana a = katakana a */

    /* the key: 7f, then an ICU sort key whose only 0x00 is the last byte */
    key k;
    CHECK_OK(ukey(&idx, "Hello, W\xc3\xb6rld", &k));
    CHECK_EQ(k.b[0], 0x7f);
    CHECK_EQ(k.b[k.cb - 1], 0x00);
    CHECK(memchr(k.b + 1, 0, k.cb - 2) == NULL);

    /* the same through an explicit locale name and LCID */
    bj_key_index byname = uindex(BJ_KEY_LCMAP_DEFAULT, "en-US", 0);
    bj_key_index bylcid = uindex(BJ_KEY_LCMAP_DEFAULT, NULL, 1033);
    key k2, k3;
    CHECK_OK(ukey(&byname, "Hello, W\xc3\xb6rld", &k2));
    CHECK_OK(ukey(&bylcid, "Hello, W\xc3\xb6rld", &k3));
    CHECK(bj_keycmp(k.b, k.cb, k2.b, k2.cb) == 0);
    CHECK(bj_keycmp(k.b, k.cb, k3.b, k3.cb) == 0);
}

TEST(flags)
{
    bj_key_index cs = uindex(BJ_LCMAP_SORTKEY, "en-US", 0); /* case-sensitive */
    CHECK(ucmp(&cs, "abc", "ABC") != 0);
    CHECK_EQ(ucmp(&cs, "abc", "ABD"), -1); /* still alphabetical first */
    bj_key_index nonspace = uindex(BJ_KEY_LCMAP_DEFAULT | BJ_NORM_IGNORENONSPACE, "en-US", 0);
    CHECK_EQ(ucmp(&nonspace, "resume", "R\xc3\xa9sum\xc3\xa9"), 0);
    bj_key_index nonspace_cs = uindex(BJ_LCMAP_SORTKEY | BJ_NORM_IGNORENONSPACE, "en-US", 0);
    CHECK_EQ(ucmp(&nonspace_cs, "resume", "r\xc3\xa9sum\xc3\xa9"), 0);
    CHECK(ucmp(&nonspace_cs, "resume", "Resume") != 0); /* case still counts */
    bj_key_index sym = uindex(BJ_KEY_LCMAP_DEFAULT | BJ_NORM_IGNORESYMBOLS, "en-US", 0);
    CHECK_EQ(ucmp(&sym, "a-b c", "ABC"), 0);
    bj_key_index plain = uindex(0, NULL, 0);
    CHECK(ucmp(&plain, "a-b c", "abc") != 0);
    bj_key_index num = uindex(BJ_KEY_LCMAP_DEFAULT | BJ_SORT_DIGITSASNUMBERS, "en-US", 0);
    CHECK_EQ(ucmp(&num, "a2", "a10"), -1);
    CHECK_EQ(ucmp(&plain, "a2", "a10"), 1);

    /* Swedish: o-umlaut after z; English: before */
    bj_key_index sv = uindex(0, "sv-SE", 0);
    bj_key_index sv_lcid = uindex(0, NULL, 1053);
    CHECK_EQ(ucmp(&sv, "z", "\xc3\xb6"), -1);
    CHECK_EQ(ucmp(&sv_lcid, "z", "\xc3\xb6"), -1);
    CHECK_EQ(ucmp(&plain, "z", "\xc3\xb6"), 1);
    bj_key_index inv = uindex(0, NULL, BJ_KEY_LCID_INVARIANT);
    CHECK_EQ(ucmp(&inv, "a", "B"), -1);
}

TEST(errors)
{
    key k;
    bj_key_index bad = uindex(BJ_LCMAP_SORTKEY | 0x40000000u, NULL, 0);
    CHECK_ERR(ukey(&bad, "a", &k), JET_errInvalidLCMapStringFlags);
    CHECK_ERR(bj_key_index_check(&bad), JET_errInvalidLCMapStringFlags);
    bad = uindex(BJ_NORM_IGNORECASE, NULL, 0); /* no LCMAP_SORTKEY */
    CHECK_ERR(ukey(&bad, "a", &k), JET_errInvalidLCMapStringFlags);
    bad = uindex(BJ_LCMAP_UPPERCASE | BJ_NORM_IGNORECASE, NULL, 0);
    CHECK_ERR(ukey(&bad, "a", &k), JET_errInvalidLCMapStringFlags);
    bad = uindex(0, NULL, 0x9999);
    CHECK_ERR(ukey(&bad, "a", &k), JET_errInvalidLanguageId);
    CHECK_ERR(bj_key_index_check(&bad), JET_errInvalidLanguageId);
    bad = uindex(0, "zz-ZZ", 0);
    CHECK_ERR(ukey(&bad, "a", &k), JET_errInvalidLanguageId);
    bj_key_index good = uindex(0, "de-DE", 0);
    CHECK_OK(bj_key_index_check(&good));

    /* odd byte counts: the last odd byte is ignored; one byte alone cannot be mapped */
    bj_key_index idx = uindex(0, NULL, 0);
    bj_key_segout so;
    key a, b;
    CHECK_OK(bj_key_normalize_segment(&idx, 0, false, "a\0b", 3, a.b, 255, &so));
    a.cb = so.cb;
    CHECK_OK(ukey(&idx, "a", &b));
    CHECK(bj_keycmp(a.b, a.cb, b.b, b.cb) == 0);
    CHECK_ERR(bj_key_normalize_segment(&idx, 0, false, "a", 1, a.b, 255, &so),
              JET_errUnicodeTranslationFail);
}

TEST(uppercase_mode)
{
    bj_key_index idx = uindex(BJ_LCMAP_UPPERCASE, NULL, 0);
    key k;
    CHECK_OK(ukey(&idx, "ab\xc3\xa9", &k));
    static const uint8_t want[] = {0x7f, 0x00, 'A', 0x00, 'B', 0x00, 0xc9, 0x00, 0x00};
    CHECK_EQ(k.cb, sizeof(want));
    CHECK_MEM(k.b, want, sizeof(want));
    CHECK_EQ(ucmp(&idx, "abc", "ABC"), 0);
    CHECK_EQ(ucmp(&idx, "ab", "abc"), -1);
}

TEST(random_order_matches_icu)
{
    /* key order == ICU collation order of the same collator settings, on random strings */
    static const char *alphabet[] = {"a", "A", "b",        "B", "e", "\xc3\xa9", "\xc3\x89",    " ",
                                     "-", "z", "\xc3\xb6", "1", "2", "\xce\xa9", "\xe6\x97\xa5"};
    bj_key_index idx = uindex(0, NULL, 0);
    UErrorCode st = U_ZERO_ERROR;
    UCollator *c = ucol_open("en_US", &st);
    REQUIRE(U_SUCCESS(st));
    ucol_setAttribute(c, UCOL_NORMALIZATION_MODE, UCOL_ON, &st);
    ucol_setStrength(c, UCOL_SECONDARY);
    uint32_t seed = 7;
    for (int iter = 0; iter < 1500; iter++) {
        char s[2][64];
        for (int j = 0; j < 2; j++) {
            s[j][0] = 0;
            seed = seed * 1103515245u + 12345u;
            int n = 1 + (int)((seed >> 16) % 6);
            for (int i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                strcat(s[j], alphabet[(seed >> 16) % 15]);
            }
        }
        UCollationResult r = ucol_strcollUTF8(c, s[0], -1, s[1], -1, &st);
        int want = r == UCOL_LESS ? -1 : (r == UCOL_GREATER ? 1 : 0);
        int got = ucmp(&idx, s[0], s[1]);
        if (want != got) {
            bj_test_fail(__FILE__, __LINE__, "\"%s\" vs \"%s\": key %d, ICU %d", s[0], s[1], got,
                         want);
            break;
        }
    }
    ucol_close(c);
}

static void record2(const bj_key_index *idx, const char *s, int32_t v, key *k)
{
    uint8_t w[512];
    uint32_t cb = utf16le(s, w, sizeof(w));
    bj_key_builder kb;
    bj_key_record_begin(&kb, idx);
    CHECK_OK(bj_key_record_add(&kb, cb == 0, w, cb));
    CHECK_OK(bj_key_record_add(&kb, false, &v, 4));
    k->cb = kb.cb;
    memcpy(k->b, kb.rgb, kb.cb);
}

static int kcmp(const key *a, const key *b)
{
    return bj_keycmp(a->b, a->cb, b->b, b->cb);
}

TEST(multi_segment_and_limits)
{
    for (int desc = 0; desc < 2; desc++) {
        bj_key_index idx = uindex(0, NULL, 0);
        idx.rgseg[0].fDescending = desc != 0;
        key k[5];
        record2(&idx, "ab", 2, &k[0]);
        record2(&idx, "abc", 1, &k[1]);
        record2(&idx, "ABD", -7, &k[2]);
        record2(&idx, "ab\xc3\xa9", 0, &k[3]);
        record2(&idx, "AB", 3, &k[4]);
        if (desc)
            CHECK(kcmp(&k[0], &k[1]) > 0 && kcmp(&k[1], &k[2]) > 0);
        else
            CHECK(kcmp(&k[0], &k[1]) < 0 && kcmp(&k[1], &k[2]) < 0 && kcmp(&k[0], &k[4]) < 0);

        uint8_t w[16];
        uint32_t cb = utf16le("ab", w, sizeof(w));
        bj_key_builder s, e;
        bj_key_builder_init(&s, &idx);
        bj_key_builder_init(&e, &idx);
        CHECK_OK(bj_key_make(&s, w, cb, JET_bitNewKey | JET_bitPartialColumnStartLimit));
        CHECK_OK(bj_key_make(&e, w, cb, JET_bitNewKey | JET_bitPartialColumnEndLimit));
        CHECK(e.fLimit && e.cb == 256);
        key ks = {s.cb, {0}}, ke = {e.cb, {0}};
        memcpy(ks.b, s.rgb, s.cb);
        memcpy(ke.b, e.rgb, e.cb);
        for (int i = 0; i < 5; i++) {
            if (kcmp(&ks, &k[i]) > 0 || kcmp(&k[i], &ke) > 0)
                bj_test_fail(__FILE__, __LINE__, "desc %d: key %d outside the \"ab\" prefix", desc,
                             i);
        }
        key out1, out2;
        record2(&idx, "aa", 0, &out1);
        record2(&idx, "ac", 0, &out2);
        if (desc)
            CHECK(kcmp(&out2, &ks) < 0 && kcmp(&ke, &out1) < 0);
        else
            CHECK(kcmp(&out1, &ks) < 0 && kcmp(&ke, &out2) < 0);
    }
}

TEST(truncation)
{
    char s[2000];
    bj_key_index idx = uindex(0, NULL, 0);
    key k, k127;
    bj_key_builder kb;
    static uint8_t w[4096];

    /* legacy 255-byte keys normalise only the first 255 source bytes (127 characters) */
    memset(s, 'x', 600);
    s[600] = 0;
    CHECK_OK(ukey(&idx, s, &k));
    s[127] = 0;
    CHECK_OK(ukey(&idx, s, &k127));
    CHECK(bj_keycmp(k.b, k.cb, k127.b, k127.cb) == 0);
    memset(s, 'x', 600);

    /* CJK text has 3-byte weights: 127 characters overflow 255 bytes */
    s[0] = 0;
    for (int i = 0; i < 600; i++)
        strcat(s, "\xe6\x97\xa5");
    uint32_t cb = utf16le(s, w, sizeof(w));
    CHECK_EQ(cb, 1200);
    bj_key_record_begin(&kb, &idx);
    CHECK_OK(bj_key_record_add(&kb, false, w, cb));
    CHECK_EQ(kb.cb, 255);
    CHECK(kb.fTooBig);
    idx.cbKeyMost = 1000;
    bj_key_record_begin(&kb, &idx);
    CHECK_OK(bj_key_record_add(&kb, false, w, cb));
    CHECK_EQ(kb.cb, 1000);
    CHECK(kb.fTooBig);
    idx.fDisallowTruncation = true;
    bj_key_record_begin(&kb, &idx);
    CHECK_ERR(bj_key_record_add(&kb, false, w, cb), JET_errKeyTruncated);

    /* a large key holds all 600 Latin characters */
    idx.cbKeyMost = 2000;
    memset(s, 'x', 600);
    s[600] = 0;
    CHECK_OK(ukey(&idx, s, &k));
    CHECK(k.cb > 600 && k.cb < 2000);
    CHECK(bj_keycmp(k.b, k.cb, k127.b, k127.cb) > 0);
}

/* ---- concurrency: two threads normalise with shared cached collators ---- */

#define NWORDS 64
static const bj_key_index *g_idx[2];
static key g_expect[2][NWORDS];
static char g_words[NWORDS][32];

static void *worker(void *arg)
{
    int failures = 0;
    (void)arg;
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < NWORDS; i++) {
            int which = (i + round) & 1;
            key k;
            if (ukey(g_idx[which], g_words[i], &k) < 0 ||
                bj_keycmp(k.b, k.cb, g_expect[which][i].b, g_expect[which][i].cb) != 0)
                failures++;
        }
    }
    return (void *)(intptr_t)failures;
}

TEST(concurrent)
{
    static bj_key_index en, sv;
    en = uindex(0, NULL, 0);
    sv = uindex(BJ_LCMAP_SORTKEY, "sv-SE", 0);
    g_idx[0] = &en;
    g_idx[1] = &sv;
    for (int i = 0; i < NWORDS; i++) {
        snprintf(g_words[i], sizeof(g_words[i]), "W\xc3\xb6rd %d \xc3\xa9t\xc3\xa9 %x", i * 37,
                 i * 91);
        for (int j = 0; j < 2; j++)
            REQUIRE_OK(ukey(g_idx[j], g_words[i], &g_expect[j][i]));
    }
    bj_key_unicode_term(); /* start from an empty cache: both threads race to fill it */
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&t[i], NULL, worker, NULL) == 0);
    for (int i = 0; i < 2; i++) {
        void *r;
        pthread_join(t[i], &r);
        CHECK_EQ((intptr_t)r, 0);
    }
    bj_key_unicode_term();
}

int main(int argc, char **argv)
{
    int rc = bj_test_main(argc, argv);
    bj_key_unicode_term();
    return rc;
}
