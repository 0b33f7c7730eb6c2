/* key_unicode.c: Unicode (code page 1200) text normalisation with ICU, and the collator cache.
 *
 * ESE maps UTF-16 text with Windows LCMapStringEx(locale, LCMapFlags) (os/norm.cxx
 * ErrNORMMapString): a sort key (LCMAP_SORTKEY | flags), or, when the flags are exactly
 * LCMAP_UPPERCASE, the uppercased text as big-endian UTF-16 plus a 00 00 terminator. Windows'
 * sort keys need Windows' NLS tables, so bluejet uses ICU collation sort keys: NOT the same bytes
 * as Windows (see key.h). ICU sort keys have Windows' shape: weights with no 00 or 01 bytes,
 * 01 between levels, a final 00, so they concatenate and prefix-limit the same way.
 *
 * Flag mapping (what ICU can express):
 *   NORM_IGNORECASE / LINGUISTIC_IGNORECASE          -> strength secondary (also drops width
 *                                                      and kana-type differences, tertiary in ICU)
 *   NORM_IGNORENONSPACE / LINGUISTIC_IGNOREDIACRITIC -> strength primary (+ case level when case
 *                                                      is not ignored)
 *   NORM_IGNORESYMBOLS                               -> alternate = shifted (punctuation, symbols
 *                                                      and spaces ignored at these strengths)
 *   SORT_DIGITSASNUMBERS                             -> numeric collation
 *   NORM_IGNOREKANATYPE / NORM_IGNOREWIDTH alone, SORT_STRINGSORT, NORM_LINGUISTIC_CASING,
 *   LCMAP_BYTEREV                                    -> no ICU equivalent; accepted, no effect
 * Canonical-equivalence normalisation is always on (precomposed = decomposed, as in Windows).
 *
 * Collator cache: one entry per (locale name, lcid, flags) as given by the index, holding an
 * opened collator used only as a template and a small pool of clones. A caller takes a clone
 * from the pool (cloning a new one when the pool is empty) and gives it back, so no collator
 * is ever used by two threads at once. Entries live until bj_key_unicode_term.
 * Lock order: g_cache_lock is a leaf lock (held only around list and pool operations).
 */
#include "rec/key.h"

#include <pthread.h>
#include <stdlib.h>
#include <unicode/uchar.h>
#include <unicode/ucol.h>
#include <unicode/uloc.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

#define POOL_MAX 8
#define STACK_UNITS 256
#define STACK_KEY 1024

/* LCMapFlags ESE accepts with LCMAP_SORTKEY (norm.cxx ErrNORMCheckLCMapFlags). */
#define VALID_SORTKEY_FLAGS                                                                        \
    (BJ_LCMAP_BYTEREV | BJ_NORM_IGNORECASE | BJ_NORM_IGNORENONSPACE | BJ_NORM_IGNORESYMBOLS |      \
     BJ_LINGUISTIC_IGNORECASE | BJ_LINGUISTIC_IGNOREDIACRITIC | BJ_SORT_DIGITSASNUMBERS |          \
     BJ_NORM_IGNOREKANATYPE | BJ_NORM_IGNOREWIDTH | BJ_NORM_LINGUISTIC_CASING |                    \
     BJ_SORT_STRINGSORT)

typedef struct coll_entry {
    struct coll_entry *next;
    char szLocale[BJ_KEY_LOCALE_NAME_MAX];
    uint32_t lcid;
    uint32_t flags;
    UCollator *tmpl;
    UCollator *pool[POOL_MAX];
    int cpool;
} coll_entry;

static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static coll_entry *g_cache;

static uint32_t effective_flags(const bj_key_index *idx)
{
    return idx->dwLCMapFlags ? idx->dwLCMapFlags : BJ_KEY_LCMAP_DEFAULT;
}

static JET_ERR check_flags(uint32_t flags)
{
    if ((flags & ~VALID_SORTKEY_FLAGS) == BJ_LCMAP_SORTKEY || flags == BJ_LCMAP_UPPERCASE)
        return JET_errSuccess;
    return BJ_ERR(JET_errInvalidLCMapStringFlags);
}

/* The ICU locale id for the index's locale name or LCID (JET_errInvalidLanguageId if unknown). */
static JET_ERR resolve_locale(const bj_key_index *idx, char *id, size_t cbId)
{
    JET_ERR err = JET_errSuccess;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n;

    if (idx->szLocale[0]) {
        if (memchr(idx->szLocale, 0, sizeof(idx->szLocale)) == NULL)
            ERR(JET_errInvalidLanguageId);
        n = uloc_forLanguageTag(idx->szLocale, id, (int32_t)cbId, NULL, &st);
    } else {
        uint32_t lcid = idx->lcid ? idx->lcid : BJ_KEY_LCID_DEFAULT;
        if (lcid == BJ_KEY_LCID_INVARIANT) {
            id[0] = 0;
            return JET_errSuccess;
        }
        n = uloc_getLocaleForLCID(lcid, id, (int32_t)cbId, &st);
    }
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || n <= 0 || (size_t)n >= cbId)
        ERR(JET_errInvalidLanguageId);
    /* A well-formed tag for a language ICU does not know is still invalid. */
    if (uloc_getISO3Language(id)[0] == 0)
        ERR(JET_errInvalidLanguageId);
fail:
    return err;
}

JET_ERR bj_key_unicode_check(const bj_key_index *idx)
{
    JET_ERR err = JET_errSuccess;
    char id[ULOC_FULLNAME_CAPACITY];
    CALL(check_flags(effective_flags(idx)));
    CALL(resolve_locale(idx, id, sizeof(id)));
fail:
    return err;
}

static JET_ERR open_collator(const char *id, uint32_t flags, UCollator **pcoll)
{
    JET_ERR err = JET_errSuccess;
    UErrorCode st = U_ZERO_ERROR;
    bool fCase = (flags & (BJ_NORM_IGNORECASE | BJ_LINGUISTIC_IGNORECASE)) != 0;
    bool fAccent = (flags & (BJ_NORM_IGNORENONSPACE | BJ_LINGUISTIC_IGNOREDIACRITIC)) != 0;
    UCollator *c = ucol_open(id, &st);

    if (U_FAILURE(st) || c == NULL)
        ERR(st == U_MEMORY_ALLOCATION_ERROR ? JET_errOutOfMemory : JET_errInvalidLanguageId);
    ucol_setAttribute(c, UCOL_NORMALIZATION_MODE, UCOL_ON, &st);
    ucol_setStrength(c, fAccent ? UCOL_PRIMARY : (fCase ? UCOL_SECONDARY : UCOL_TERTIARY));
    if (fAccent && !fCase)
        ucol_setAttribute(c, UCOL_CASE_LEVEL, UCOL_ON, &st);
    if (flags & BJ_NORM_IGNORESYMBOLS)
        ucol_setAttribute(c, UCOL_ALTERNATE_HANDLING, UCOL_SHIFTED, &st);
    if (flags & BJ_SORT_DIGITSASNUMBERS)
        ucol_setAttribute(c, UCOL_NUMERIC_COLLATION, UCOL_ON, &st);
    if (U_FAILURE(st)) {
        ucol_close(c);
        ERR(JET_errUnicodeTranslationFail);
    }
    *pcoll = c;
fail:
    return err;
}

static UCollator *clone_collator(const UCollator *tmpl)
{
    UErrorCode st = U_ZERO_ERROR;
#if U_ICU_VERSION_MAJOR_NUM >= 71
    UCollator *c = ucol_clone(tmpl, &st);
#else
    UCollator *c = ucol_safeClone(tmpl, NULL, NULL, &st);
#endif
    if (U_FAILURE(st)) {
        if (c)
            ucol_close(c);
        return NULL;
    }
    return c;
}

/* Takes a collator for (idx's locale, flags) out of the cache for this caller's sole use. */
static JET_ERR collator_acquire(const bj_key_index *idx, uint32_t flags, coll_entry **ppe,
                                UCollator **pcoll)
{
    JET_ERR err = JET_errSuccess;
    coll_entry *e;
    UCollator *c = NULL;
    uint32_t lcid = idx->szLocale[0] ? 0 : idx->lcid;

    if (memchr(idx->szLocale, 0, sizeof(idx->szLocale)) == NULL)
        return BJ_ERR(JET_errInvalidLanguageId);
    pthread_mutex_lock(&g_cache_lock);
    for (e = g_cache; e; e = e->next) {
        if (e->flags == flags && e->lcid == lcid && strcmp(e->szLocale, idx->szLocale) == 0)
            break;
    }
    if (e == NULL) {
        char id[ULOC_FULLNAME_CAPACITY];
        UCollator *tmpl = NULL;
        CALL(resolve_locale(idx, id, sizeof(id)));
        CALL(open_collator(id, flags, &tmpl));
        e = calloc(1, sizeof(*e));
        if (e == NULL) {
            ucol_close(tmpl);
            ERR(JET_errOutOfMemory);
        }
        memcpy(e->szLocale, idx->szLocale, sizeof(e->szLocale));
        e->lcid = lcid;
        e->flags = flags;
        e->tmpl = tmpl;
        e->next = g_cache;
        g_cache = e;
    }
    if (e->cpool > 0) {
        c = e->pool[--e->cpool];
    } else {
        c = clone_collator(e->tmpl);
        if (c == NULL)
            ERR(JET_errOutOfMemory);
    }
    *ppe = e;
    *pcoll = c;
fail:
    pthread_mutex_unlock(&g_cache_lock);
    return err;
}

static void collator_release(coll_entry *e, UCollator *c)
{
    pthread_mutex_lock(&g_cache_lock);
    if (e->cpool < POOL_MAX) {
        e->pool[e->cpool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&g_cache_lock);
    if (c)
        ucol_close(c);
}

void bj_key_unicode_term(void)
{
    pthread_mutex_lock(&g_cache_lock);
    coll_entry *e = g_cache;
    g_cache = NULL;
    pthread_mutex_unlock(&g_cache_lock);
    while (e) {
        coll_entry *next = e->next;
        for (int i = 0; i < e->cpool; i++)
            ucol_close(e->pool[i]);
        ucol_close(e->tmpl);
        free(e);
        e = next;
    }
}

/* LCMAP_UPPERCASE: simple uppercase mapping per code point, written as UTF-16BE + 00 00
 * (ErrNORMMapString). When it does not fit, ESE's bytes are undefined (it copies nothing);
 * bluejet writes the leading uppercase units and flags the truncation. */
static void map_uppercase(const UChar *u, int32_t cu, uint8_t *out, uint32_t cbMax,
                          uint32_t *pcbOut, bool *pfTooBig)
{
    uint32_t cbUpper = 0, ib = 0;
    /* first pass: the size of the uppercased text */
    for (int32_t i = 0; i < cu;) {
        UChar32 c;
        U16_NEXT(u, i, cu, c);
        cbUpper += 2u * (uint32_t)U16_LENGTH(u_toupper(c));
    }
    *pfTooBig = cbUpper + 2 > cbMax;
    for (int32_t i = 0; i < cu;) {
        UChar32 c;
        UChar w[2];
        U16_NEXT(u, i, cu, c);
        c = u_toupper(c);
        int32_t n = 0;
        UBool fErr = false;
        U16_APPEND(w, n, 2, c, fErr);
        (void)fErr;
        for (int32_t k = 0; k < n && ib + 2 <= cbMax; k++, ib += 2)
            bj_st16be(out + ib, w[k]);
    }
    if (!*pfTooBig) {
        bj_st16be(out + ib, 0);
        ib += 2;
    } else if (ib < cbMax) {
        out[ib++] = 0; /* odd space left: pad, as a cut key still fills cbMax */
    }
    *pcbOut = ib;
}

JET_ERR bj_key_unicode_map(const bj_key_index *idx, const uint8_t *pb, uint32_t cb, uint8_t *out,
                           uint32_t cbMax, uint32_t *pcbOut, bool *pfTooBig)
{
    JET_ERR err = JET_errSuccess;
    uint32_t flags = effective_flags(idx);
    UChar stackUnits[STACK_UNITS];
    uint8_t stackKey[STACK_KEY];
    UChar *u = stackUnits;
    uint8_t *key = stackKey;
    int32_t cu = (int32_t)(cb / 2);
    coll_entry *e = NULL;
    UCollator *coll = NULL;

    *pcbOut = 0;
    *pfTooBig = false;
    if (cb < 2 || cb > 0x7ffffffe)
        ERR(JET_errUnicodeTranslationFail);
    CALL(check_flags(flags));
    if ((uint32_t)cu > STACK_UNITS) {
        u = malloc((size_t)cu * sizeof(UChar));
        if (u == NULL)
            ERR(JET_errOutOfMemory);
    }
    for (int32_t i = 0; i < cu; i++)
        u[i] = bj_ld16(pb + 2 * (size_t)i); /* UTF-16LE (Windows WCHAR) */

    if (flags == BJ_LCMAP_UPPERCASE) {
        char id[ULOC_FULLNAME_CAPACITY];
        CALL(resolve_locale(idx, id, sizeof(id))); /* ESE validates the locale here too */
        map_uppercase(u, cu, out, cbMax, pcbOut, pfTooBig);
        goto fail;
    }

    CALL(collator_acquire(idx, flags, &e, &coll));
    int32_t cbKey = ucol_getSortKey(coll, u, cu, key, STACK_KEY);
    if (cbKey > STACK_KEY) {
        key = malloc((size_t)cbKey);
        if (key == NULL)
            ERR(JET_errOutOfMemory);
        if (ucol_getSortKey(coll, u, cu, key, cbKey) != cbKey)
            ERR(JET_errUnicodeTranslationFail);
    }
    if (cbKey <= 0)
        ERR(JET_errUnicodeTranslationFail);
    if ((uint32_t)cbKey > cbMax) {
        *pfTooBig = true;
        *pcbOut = cbMax;
    } else {
        *pcbOut = (uint32_t)cbKey;
    }
    memcpy(out, key, *pcbOut);
fail:
    if (coll)
        collator_release(e, coll);
    if (u != stackUnits)
        free(u);
    if (key != stackKey)
        free(key);
    return err;
}
