/* test_keys_limits.c: multi-column keys with mixed directions, partial search keys, JetMakeKey
 * limits (StrLimit, SubStrLimit, Full/PartialColumnStart/EndLimit) on text and binary, index
 * ranges over them, Unicode text keys (case, locales, JET_bitIndexUnicode), key truncation at
 * cbKeyMost and long-value keys, all through esent.h.
 *
 * Facts from ESE's source: a search key matches an entry only when the whole normalised keys are
 * equal (ErrIsamSeek's CmpKey / FKeysEqual in rec.cxx, bt.cxx): a key made of fewer columns is a
 * proper prefix of the entries' keys and so sorts before them, SeekEQ fails on it and SeekGT
 * lands on the first of them (a 0xff is appended only for a key of every column, rec.cxx). Index
 * ranges compare the whole key too (ErrFUCBCheckIndexRange, fucb.cxx: CmpKey), so a prefix range
 * needs a limit key. JetSetIndexRange resets the search key (KSReset): a JetSeek after it without
 * a new JetMakeKey is JET_errKeyNotMade.
 */
#include "test_keys_env.h"

static JET_ERR mk_s(kenv *e, JET_TABLEID t, const char *s, JET_GRBIT grbit)
{
    return JetMakeKey(e->ses, t, s, (uint32_t)strlen(s), grbit);
}

static JET_ERR mk_n(kenv *e, JET_TABLEID t, int32_t n, JET_GRBIT grbit)
{
    return JetMakeKey(e->ses, t, &n, 4, grbit);
}

static JET_ERR ins_sn(kenv *e, JET_TABLEID t, int32_t id, const char *s, int32_t n,
                      const void *pb, uint32_t cb)
{
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    if (err >= 0 && s)
        err = JetSetColumn(e->ses, t, 128, s, (uint32_t)strlen(s), 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 2, &n, 4, 0, NULL);
    if (err >= 0 && pb)
        err = JetSetColumn(e->ses, t, 129, pb, cb, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

/* rows: s in {"ab","abc","abd","b"} x n in {1,2,3}; id = 10 * (index of s + 1) + n */
static const char *const g_s[] = {"ab", "abc", "abd", "b"};

static bool setup_sn(kenv *e, const char *name, JET_TABLEID *pt)
{
    if (!kenv_start(e, name, "l.edb"))
        return false;
    kcol cols[] = {{"n", JET_coltypLong, 4, 0, 0},
                   {"s", JET_coltypText, 255, 0, 1252},
                   {"b", JET_coltypBinary, 255, 0, 0}};
    kidx idx[] = {{"sn", KKEY("+s\0-n\0"), 0}, {"b", KKEY("+b\0"), 0}};
    JET_COLUMNID ids[3];
    if (ktable(e, "L", cols, 3, true, idx, 2, ids, pt) < 0)
        return false;
    if (ids[0] != 2 || ids[1] != 128 || ids[2] != 129)
        return false;
    for (int i = 0; i < 4; i++)
        for (int n = 1; n <= 3; n++)
            if (ins_sn(e, *pt, 10 * (i + 1) + n, g_s[i], n, NULL, 0) < 0)
                return false;
    return JetSetCurrentIndex(e->ses, *pt, "sn") >= 0;
}

TEST(partial_key_seeks_are_whole_key)
{
    kenv e;
    JET_TABLEID t;
    REQUIRE(setup_sn(&e, "pk", &t));
    /* scan order: s ascending, n descending */
    int32_t got[12];
    REQUIRE(kscan(&e, t, true, got, 12) == 12);
    static const int32_t want[12] = {13, 12, 11, 23, 22, 21, 33, 32, 31, 43, 42, 41};
    for (int i = 0; i < 12; i++)
        CHECK_EQ(got[i], want[i]);

    /* a one-column key is a proper prefix of every ("abc", n) entry */
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errRecordNotFound);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 23);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGT));
    CHECK_EQ(kid(&e, t), 23);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekLE), JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 11);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 11);

    /* whole keys: direction of the second column */
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, 0));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 22);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, 0));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGT));
    CHECK_EQ(kid(&e, t), 21);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, 0));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 23);
    CHECK_OK(mk_s(&e, t, "ABC", JET_bitNewKey)); /* cp1252 keys are case-insensitive */
    CHECK_OK(mk_n(&e, t, 5, 0));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 23);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 0, 0));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekLE), JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 21);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 0, 0));
    CHECK_ERR(JetMakeKey(e.ses, t, "x", 1, 0), JET_errKeyIsMade);
    kenv_stop(&e);
}

TEST(ranges_compare_whole_keys)
{
    kenv e;
    JET_TABLEID t;
    uint32_t c = 0;
    REQUIRE(setup_sn(&e, "rg", &t));

    /* upper limit "abc" without a limit option: ("abc", n) entries are greater than it */
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 13);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 3);
    /* the range consumed the search key */
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_errKeyNotMade);

    /* with a full-column end limit the whole "abc" group is inside */
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 6);
    CHECK_EQ(kcount_moves(&e, t, true), 6);

    /* SeekEQ + SetIndexRange on a whole key of a non-unique index */
    CHECK_OK(mk_s(&e, t, "abd", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 1, 0));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ | JET_bitSetIndexRange));
    CHECK_EQ(kid(&e, t), 31);
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 1);
    CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0), JET_errNoCurrentRecord);

    /* lower limit, moving backwards: from the last entry down to ("abc", 2) inclusive */
    CHECK_OK(JetMove(e.ses, t, JET_MoveLast, 0));
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, 0));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeInclusive));
    CHECK_EQ(kcount_moves(&e, t, false), 8);
    /* exclusive lower limit */
    CHECK_OK(JetMove(e.ses, t, JET_MoveLast, 0));
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, 0));
    CHECK_OK(JetSetIndexRange(e.ses, t, 0));
    CHECK_EQ(kcount_moves(&e, t, false), 7);

    /* JET_bitRangeRemove: without a range JET_errInvalidOperation; with one the moves go on */
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_ERR(JetSetIndexRange(e.ses, t, JET_bitRangeRemove), JET_errInvalidOperation);
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_EQ(kid(&e, t), 11);
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeRemove));
    CHECK_OK(JetMove(e.ses, t, JET_MoveNext, 0));
    CHECK_EQ(kid(&e, t), 23);
    /* instant duration: checks the current entry, keeps no range */
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_ERR(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive |
                                             JET_bitRangeInstantDuration),
              JET_errNoCurrentRecord);
    /* ... and, out of range, left the cursor after the last entry (ErrDIRICheckIndexRange) */
    CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0), JET_errNoCurrentRecord);
    CHECK_OK(JetMove(e.ses, t, JET_MovePrevious, 0));
    CHECK_EQ(kid(&e, t), 41);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
    CHECK_OK(mk_s(&e, t, "b", JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive |
                                            JET_bitRangeInstantDuration));
    CHECK_ERR(JetSetIndexRange(e.ses, t, JET_bitRangeRemove), JET_errInvalidOperation);
    CHECK_EQ(kcount_moves(&e, t, true), 9);
    kenv_stop(&e);
}

TEST(text_limits)
{
    kenv e;
    JET_TABLEID t;
    uint32_t c = 0;
    REQUIRE(setup_sn(&e, "tl", &t));
    /* StrLimit: just past every "ab" entry (the terminator stays): SeekLT -> last "ab" */
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey | JET_bitStrLimit));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 11);
    /* SubStrLimit: past every string starting with "ab" */
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey | JET_bitSubStrLimit));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 31);
    /* a prefix range: PartialColumnStartLimit .. PartialColumnEndLimit */
    CHECK_OK(mk_s(&e, t, "AB", JET_bitNewKey | JET_bitPartialColumnStartLimit));
    JET_ERR err = JetSeek(e.ses, t, JET_bitSeekGE);
    CHECK(err == JET_errSuccess || err == JET_wrnSeekNotEqual);
    CHECK_EQ(kid(&e, t), 13);
    CHECK_OK(mk_s(&e, t, "ab", JET_bitNewKey | JET_bitPartialColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 9);
    /* "abc" prefix: SeekGE on a partial start limit, range to the partial end limit */
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey | JET_bitPartialColumnStartLimit));
    err = JetSeek(e.ses, t, JET_bitSeekGE);
    CHECK(err >= 0);
    CHECK_EQ(kid(&e, t), 23);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey | JET_bitPartialColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_EQ(kcount_moves(&e, t, true), 3);
    /* the last entry of a group: SeekLT on a full-column end limit of the next column */
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey));
    CHECK_OK(mk_n(&e, t, 2, JET_bitFullColumnEndLimit));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 22);
    CHECK_OK(mk_s(&e, t, "abc", JET_bitNewKey | JET_bitFullColumnEndLimit));
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekLE), JET_wrnSeekNotEqual); /* no entry is the limit */
    CHECK_EQ(kid(&e, t), 21);
    /* two limits, or a partial limit on a fixed column, are JET_errInvalidGrbit */
    CHECK_ERR(mk_s(&e, t, "a", JET_bitNewKey | JET_bitFullColumnEndLimit |
                                   JET_bitPartialColumnStartLimit),
              JET_errInvalidGrbit);
    CHECK_OK(mk_s(&e, t, "a", JET_bitNewKey));
    CHECK_ERR(mk_n(&e, t, 1, JET_bitPartialColumnEndLimit), JET_errInvalidGrbit);
    /* a key made with a limit is complete */
    CHECK_OK(mk_s(&e, t, "a", JET_bitNewKey | JET_bitFullColumnStartLimit));
    CHECK_ERR(mk_n(&e, t, 1, 0), JET_errKeyIsMade);
    kenv_stop(&e);
}

TEST(binary_limits)
{
    kenv e;
    JET_TABLEID t;
    REQUIRE(setup_sn(&e, "bl", &t));
    static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const uint8_t b13[] = {1, 3};
    REQUIRE_OK(ins_sn(&e, t, 101, "z", 0, b, 2));
    REQUIRE_OK(ins_sn(&e, t, 102, "z", 0, b, 3));
    REQUIRE_OK(ins_sn(&e, t, 103, "z", 0, b, 9));
    REQUIRE_OK(ins_sn(&e, t, 104, "z", 0, b, 11));
    REQUIRE_OK(ins_sn(&e, t, 105, "z", 0, b13, 2));
    REQUIRE_OK(ins_sn(&e, t, 106, "z", 0, b, 1));
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "b"));
    /* NULLs (12 rows) first, then {1} < {1,2} < {1,2,3} < ... < {1,3} */
    int32_t got[18];
    REQUIRE(kscan(&e, t, true, got, 18) == 18);
    static const int32_t want[6] = {106, 101, 102, 103, 104, 105};
    for (int i = 0; i < 6; i++)
        CHECK_EQ(got[12 + i], want[i]);

    /* prefix {1,2}: partial start .. partial end limit = 4 rows */
    CHECK_OK(JetMakeKey(e.ses, t, b, 2, JET_bitNewKey | JET_bitPartialColumnStartLimit));
    CHECK(JetSeek(e.ses, t, JET_bitSeekGE) >= 0);
    CHECK_EQ(kid(&e, t), 101);
    CHECK_OK(JetMakeKey(e.ses, t, b, 2, JET_bitNewKey | JET_bitPartialColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_EQ(kcount_moves(&e, t, true), 4);
    /* prefix of 9 bytes (two chunks) */
    CHECK_OK(JetMakeKey(e.ses, t, b, 9, JET_bitNewKey | JET_bitPartialColumnStartLimit));
    CHECK(JetSeek(e.ses, t, JET_bitSeekGE) >= 0);
    CHECK_EQ(kid(&e, t), 103);
    CHECK_OK(JetMakeKey(e.ses, t, b, 9, JET_bitNewKey | JET_bitPartialColumnEndLimit));
    CHECK_OK(JetSetIndexRange(e.ses, t, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    CHECK_EQ(kcount_moves(&e, t, true), 2);
    /* StrLimit on binary is the partial end limit: SeekLT lands on the last {1,2,...} */
    CHECK_OK(JetMakeKey(e.ses, t, b, 2, JET_bitNewKey | JET_bitStrLimit));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
    CHECK_EQ(kid(&e, t), 104);
    /* the whole value {1,2}: EQ finds exactly it */
    CHECK_OK(JetMakeKey(e.ses, t, b, 2, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 101);
    CHECK_OK(JetMakeKey(e.ses, t, b, 2, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGT));
    CHECK_EQ(kid(&e, t), 102);
    kenv_stop(&e);
}

/* UTF-16LE of an ASCII / Latin-1 string into buf; returns the byte count. */
static uint32_t u16(const char *s, uint8_t *buf)
{
    uint32_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        buf[n++] = *p;
        buf[n++] = 0;
    }
    return n;
}

static JET_ERR ins_u(kenv *e, JET_TABLEID t, int32_t id, const char *s)
{
    uint8_t buf[128];
    uint32_t cb = u16(s, buf);
    JET_ERR err = JetPrepareUpdate(e->ses, t, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 1, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, t, 128, buf, cb, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(e->ses, t, JET_prepCancel);
    return err;
}

static JET_ERR seek_u(kenv *e, JET_TABLEID t, const char *s, JET_GRBIT grbit)
{
    uint8_t buf[128];
    uint32_t cb = u16(s, buf);
    JET_ERR err = JetMakeKey(e->ses, t, buf, cb, JET_bitNewKey);
    return err < 0 ? err : JetSeek(e->ses, t, grbit);
}

TEST(unicode_case_and_locales)
{
    kenv e;
    REQUIRE(kenv_start(&e, "uc", "u.edb"));
    kcol col = {"u", JET_coltypText, 255, 0, 1200};
    JET_COLUMNID cid;
    JET_TABLEID t;
    kidx idx[] = {{"en", KKEY("+u\0"), 0}};
    REQUIRE_OK(ktable(&e, "U", &col, 1, true, idx, 1, &cid, &t));
    REQUIRE(cid == 128);
    /* Swedish (1053): a-ring and a-diaeresis sort after z; en-US (1033): next to a */
    JET_UNICODEINDEX sv = {1053, 0x00030401}, us = {1033, 0x00030401};
    JET_INDEXCREATE ic = {0};
    ic.cbStruct = sizeof ic;
    ic.szIndexName = "sv";
    ic.szKey = "+u\0";
    ic.cbKey = 4;
    ic.grbit = JET_bitIndexUnicode;
    ic.ulDensity = 100;
    ic.pidxunicode = &sv;
    REQUIRE_OK(JetCreateIndex2(e.ses, t, &ic, 1));
    ic.szIndexName = "us";
    ic.pidxunicode = &us;
    REQUIRE_OK(JetCreateIndex2(e.ses, t, &ic, 1));
    static const char *const words[] = {"ABC", "abd", "\xe4pple", "zebra", "Apple", "b"};
    for (int i = 0; i < 6; i++)
        REQUIRE_OK(ins_u(&e, t, i + 1, words[i]));

    /* default LCMapFlags ignore case: "abc" finds "ABC" */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "en"));
    CHECK_OK(seek_u(&e, t, "abc", JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 1);
    CHECK_OK(seek_u(&e, t, "APPLE", JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 5);
    CHECK_ERR(seek_u(&e, t, "abcd", JET_bitSeekEQ), JET_errRecordNotFound);

    int32_t got[6];
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "us"));
    REQUIRE(kscan(&e, t, true, got, 6) == 6);
    /* en-US: ABC abd Apple a-diaeresis-pple b zebra */
    static const int32_t wus[6] = {1, 2, 5, 3, 6, 4};
    for (int i = 0; i < 6; i++)
        CHECK_EQ(got[i], wus[i]);
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "sv"));
    REQUIRE(kscan(&e, t, true, got, 6) == 6);
    static const int32_t wsv[6] = {1, 2, 5, 6, 4, 3};
    for (int i = 0; i < 6; i++)
        CHECK_EQ(got[i], wsv[i]);
    /* a Swedish index still finds "ABC" from "abc" */
    CHECK_OK(seek_u(&e, t, "abc", JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 1);
    /* an odd byte count is not UTF-16 */
    CHECK_ERR(JetMakeKey(e.ses, t, "a", 1, JET_bitNewKey), JET_errUnicodeTranslationFail);
    kenv_stop(&e);
}

TEST(truncation_and_long_values)
{
    kenv e;
    REQUIRE(kenv_start(&e, "tr", "t.edb"));
    kcol cols[] = {{"t", JET_coltypLongText, 0, 0, 1252}, {"b", JET_coltypLongBinary, 0, 0, 0}};
    JET_COLUMNID ids[2];
    JET_TABLEID t;
    kidx idx[] = {{"t", KKEY("+t\0"), 0}, {"b", KKEY("+b\0"), 0}};
    REQUIRE_OK(ktable(&e, "T", cols, 2, true, idx, 2, ids, &t));
    /* an index that refuses truncation, with a 1000-byte key limit */
    JET_INDEXCREATE ic = {0};
    ic.cbStruct = sizeof ic;
    ic.szIndexName = "tnt";
    ic.szKey = "+t\0";
    ic.cbKey = 4;
    ic.grbit = JET_bitIndexDisallowTruncation | JET_bitIndexKeyMost;
    ic.ulDensity = 100;
    ic.cbKeyMost = 1000;
    REQUIRE_OK(JetCreateIndex2(e.ses, t, &ic, 1));

    char big[3000];
    memset(big, 'q', sizeof big);
    /* rows 1..3: 2000 chars sharing 1500 leading chars (equal keys under 255 / 1000 bytes) */
    for (int32_t id = 1; id <= 3; id++) {
        big[1600] = (char)('a' + 3 - id);
        REQUIRE_OK(JetPrepareUpdate(e.ses, t, JET_prepInsert));
        REQUIRE_OK(JetSetColumn(e.ses, t, 1, &id, 4, 0, NULL));
        REQUIRE_OK(JetSetColumn(e.ses, t, ids[0], big, 900, 0, NULL));
        REQUIRE_OK(JetSetColumn(e.ses, t, ids[1], big, 2000, 0, NULL));
        REQUIRE_OK(JetUpdate(e.ses, t, NULL, 0, NULL));
    }
    /* a text longer than the 1000-byte key is refused by the no-truncation index */
    int32_t id4 = 4;
    REQUIRE_OK(JetPrepareUpdate(e.ses, t, JET_prepInsert));
    REQUIRE_OK(JetSetColumn(e.ses, t, 1, &id4, 4, 0, NULL));
    REQUIRE_OK(JetSetColumn(e.ses, t, ids[0], big, 1500, 0, NULL));
    CHECK_ERR(JetUpdate(e.ses, t, NULL, 0, NULL), JET_errKeyTruncated);
    CHECK_OK(JetPrepareUpdate(e.ses, t, JET_prepCancel));

    /* the truncated keys are equal: the scan is in id order, SeekEQ lands on the first */
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "b"));
    int32_t got[3];
    REQUIRE(kscan(&e, t, true, got, 3) == 3);
    CHECK(got[0] == 1 && got[1] == 2 && got[2] == 3);
    REQUIRE_OK(JetMakeKey(e.ses, t, big, 2000, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 1);
    uint8_t key[JET_cbKeyMostMost + 1];
    uint32_t cbKey = 0;
    CHECK_OK(JetRetrieveKey(e.ses, t, key, sizeof key, &cbKey, 0));
    CHECK_EQ(cbKey, JET_cbKeyMost);
    REQUIRE_OK(JetSetCurrentIndex(e.ses, t, "t"));
    REQUIRE_OK(JetMakeKey(e.ses, t, big, 900, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    CHECK_EQ(kid(&e, t), 1);
    uint32_t c = 0;
    CHECK_OK(JetMakeKey(e.ses, t, big, 900, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ | JET_bitSetIndexRange));
    CHECK_OK(JetIndexRecordCount(e.ses, t, &c, 0));
    CHECK_EQ(c, 3);
    kenv_stop(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
