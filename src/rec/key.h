/* key.h: layer 6, ESE key normalisation: column values -> normalised index-key bytes.
 *
 * A normalised key is the concatenation of one normalised segment per index column. Byte order
 * (memcmp, then length: bj_keycmp) is index order. Each segment is a prefix byte and a value:
 *   0x7f data, 0x00 NULL (0xc0 with JET_bitIndexSortNullsHigh), 0x40 zero-length text/binary;
 *   descending segments are the bitwise complement of the ascending bytes.
 * The rules per column type are those of ESE's fldnorm.cxx (see key_normalize.c); for integer,
 * float, date, GUID, binary and single-byte text keys the bytes are exactly Windows' bytes.
 *
 * UNICODE TEXT (code page 1200) IS NOT BYTE-IDENTICAL TO WINDOWS. ESE stores the Windows
 * LCMapStringEx(LCMAP_SORTKEY | flags) sort key, which needs Windows' NLS tables. bluejet uses
 * ICU collation sort keys instead (key_unicode.c): same shape (weights, 0x01 level separators,
 * 0x00 terminator), same ordering intent (locale, case/accent/symbol flags), different bytes.
 * So an index over a Unicode column written by Windows must be rebuilt before bluejet seeks or
 * updates it, and vice versa. LCMAP_UPPERCASE indexes (uppercased UTF-16BE) do match Windows
 * for the characters whose simple uppercase mapping is the same in ICU and Windows.
 *
 * Thread safety: every function here is reentrant; the ICU collator cache is internally locked.
 * Lock order: the collator-cache mutex is a leaf (nothing else is taken while it is held).
 */
#ifndef BJ_REC_KEY_H
#define BJ_REC_KEY_H

#include "common/common.h"

/* The JetMakeKey limit options (JET_bitFullColumnStartLimit .. JET_bitPartialColumnEndLimit). */
#define BJ_KEY_LIMIT_MASK 0x00000f00u

/* Windows LCMapString flag values (persisted in the catalog as an index's LCMapFlags). */
#define BJ_LCMAP_SORTKEY 0x00000400u
#define BJ_LCMAP_BYTEREV 0x00000800u
#define BJ_LCMAP_UPPERCASE 0x00000200u
#define BJ_NORM_IGNORECASE 0x00000001u
#define BJ_NORM_IGNORENONSPACE 0x00000002u
#define BJ_NORM_IGNORESYMBOLS 0x00000004u
#define BJ_SORT_DIGITSASNUMBERS 0x00000008u
#define BJ_LINGUISTIC_IGNORECASE 0x00000010u
#define BJ_LINGUISTIC_IGNOREDIACRITIC 0x00000020u
#define BJ_SORT_STRINGSORT 0x00001000u
#define BJ_NORM_IGNOREKANATYPE 0x00010000u
#define BJ_NORM_IGNOREWIDTH 0x00020000u
#define BJ_NORM_LINGUISTIC_CASING 0x08000000u
/* ESE's dwLCMapFlagsDefault (norm.cxx) = 0x00030401. */
#define BJ_KEY_LCMAP_DEFAULT                                                                       \
    (BJ_LCMAP_SORTKEY | BJ_NORM_IGNORECASE | BJ_NORM_IGNOREKANATYPE | BJ_NORM_IGNOREWIDTH)
#define BJ_KEY_LCID_DEFAULT 1033u  /* en-US */
#define BJ_KEY_LCID_INVARIANT 127u /* LOCALE_INVARIANT: ICU root collation */
#define BJ_KEY_CP_UNICODE 1200u    /* text is UTF-16LE; any other cp is single-byte text */
#define BJ_KEY_LOCALE_NAME_MAX 86u /* LOCALE_NAME_MAX_LENGTH (85) + NUL */

/* Prefix bytes (fldnorm.cxx). */
#define BJ_KEY_PREFIX_NULL 0x00u
#define BJ_KEY_PREFIX_ZERO_LENGTH 0x40u
#define BJ_KEY_PREFIX_NULL_HIGH 0xc0u
#define BJ_KEY_PREFIX_DATA 0x7fu
#define BJ_KEY_SENTINEL 0xffu /* fill byte of end-limit keys */

/* Largest key any index can have, and the largest search key (a limit key has one byte more). */
#define BJ_KEY_CB_MOST_MOST JET_cbKeyMostMost
#define BJ_KEY_CB_LIMIT_MOST_MOST (JET_cbKeyMostMost + 1)

/* One index column (IDXSEG + the column's FIELD facts ESE uses when normalising). */
typedef struct bj_key_seg {
    JET_COLTYP coltyp;
    uint16_t cp;      /* text columns: BJ_KEY_CP_UNICODE (1200) or a single-byte code page */
    bool fDescending; /* index segment is "-column" */
    bool fFixed;      /* fixed column: binary is not chunked; JetMakeKey data must be cbFixed
                         bytes (shorter fixed text is space padded) */
    uint16_t cbFixed; /* fixed columns: the column length; 0 = the coltyp's size */
} bj_key_seg;

/* An index's normalisation settings (IDB facts). Zero-initialise, then fill. */
typedef struct bj_key_index {
    uint32_t cbKeyMost;   /* 255 (legacy; 0 means 255) .. 2000 */
    uint32_t cbVarSegMac; /* per text/binary segment maximum; 0 or >= cbKeyMost = none */
    char szLocale[BJ_KEY_LOCALE_NAME_MAX]; /* locale name ("en-US"); "" = use lcid */
    uint32_t lcid;            /* when szLocale is "": 0 = 1033 en-US; 127 = invariant */
    uint32_t dwLCMapFlags;    /* 0 = BJ_KEY_LCMAP_DEFAULT */
    bool fSortNullsHigh;      /* JET_bitIndexSortNullsHigh */
    bool fDotNetGuid;         /* JET_bitIndexDotNetGuid / JET_bitTTDotNetGuid */
    bool fDisallowTruncation; /* JET_bitIndexDisallowTruncation (record keys only) */
    bool fPlaceholder;        /* primary index whose first segment is a placeholder Bit */
    uint32_t cseg;            /* 1 .. JET_ccolKeyMost */
    bj_key_seg rgseg[JET_ccolKeyMost];
} bj_key_index;

/* What one segment normalisation produced. */
typedef struct bj_key_segout {
    uint32_t cb;      /* bytes written */
    uint32_t ibDelim; /* variable binary: offset of the end of the data inside the segment
                         (where padding / the chunk count starts), 0 if not reached */
    bool fTruncated;  /* value did not fit in the key space (ESE's "key too big") */
} bj_key_segout;

/* Validates an index description: cbKeyMost range (JET_errInvalidParameter), segment count and
 * column types (JET_errInvalidColumnType), LCMapFlags (JET_errInvalidLCMapStringFlags) and,
 * when a segment is Unicode text, the locale (JET_errInvalidLanguageId). */
JET_ERR bj_key_index_check(const bj_key_index *idx);

/* The effective cbKeyMost (0 -> 255). */
uint32_t bj_key_cb_key_most(const bj_key_index *idx);


/* Normalises one value of segment iseg into out[0 .. cbAvail) (cbAvail = key space left, >= 1).
 * fNull: the column is NULL (pv/cb ignored). Else cb == 0 is a zero-length value (0x40 for
 * text/binary, the NULL prefix for other types); fixed-size types need cb == their size
 * (JET_errInvalidBufferSize otherwise). Applies the legacy 255-byte source truncation,
 * cbVarSegMac, truncation to cbAvail, and complements descending segments. No limit bytes.
 * Unicode failures: JET_errInvalidLanguageId, JET_errInvalidLCMapStringFlags,
 * JET_errUnicodeTranslationFail, JET_errOutOfMemory. */
JET_ERR bj_key_normalize_segment(const bj_key_index *idx, uint32_t iseg, bool fNull, const void *pv,
                                 uint32_t cb, uint8_t *out, uint32_t cbAvail, bj_key_segout *pso);

/* ---- building keys ---- */

/* A key in progress: JetMakeKey's search-key state (or a record's index key). */
typedef struct bj_key_builder {
    const bj_key_index *idx;
    uint32_t cb;        /* key bytes so far */
    uint32_t cseg;      /* segments made (ESE's cColumnsInSearchKey) */
    bool fPrepared;     /* a key has been started (JET_bitNewKey or JET_bitNormalizedKey) */
    bool fLimit;        /* a limit was applied: the key is complete (JET_errKeyIsMade) */
    bool fTooBig;       /* a segment was truncated: later segments add nothing */
    bool fAllNull;      /* record keys: every segment so far was NULL */
    bool fNullFirstSeg; /* record keys: the first segment was NULL */
    bool fNullSeg;      /* record keys: some segment was NULL */
    uint8_t rgb[BJ_KEY_CB_LIMIT_MOST_MOST];
} bj_key_builder;

/* Binds a builder to an index with no key made (the next bj_key_make needs JET_bitNewKey). */
void bj_key_builder_init(bj_key_builder *kb, const bj_key_index *idx);

/* JetMakeKey on kb: adds the next segment (or a whole normalised key) with ESE's grbits:
 * JET_bitNewKey (start over), JET_bitNormalizedKey (pv is a finished key), JET_bitKeyDataZeroLength
 * (cb 0 means zero-length, not NULL), JET_bitStrLimit / JET_bitSubStrLimit, and one of the
 * BJ_KEY_LIMIT_MASK limits. Errors: JET_errKeyNotMade (no key started), JET_errKeyIsMade
 * (all segments made, or a limit already applied), JET_errInvalidGrbit (two limit options, or a
 * partial limit on a column that is neither text nor variable binary), JET_errInvalidBufferSize
 * (wrong length for a fixed column / fixed-size type, zero-length on such a column),
 * JET_errInvalidParameter (normalised key longer than cbKeyMost + 1 and 255), Unicode errors. */
JET_ERR bj_key_make(bj_key_builder *kb, const void *pv, uint32_t cb, JET_GRBIT grbit);

/* Starts a record's index key (all NULL flags set, empty key). */
void bj_key_record_begin(bj_key_builder *kb, const bj_key_index *idx);

/* Appends the next segment of a record's index key (ErrRECIRetrieveKey's rules): fNull for a
 * NULL column, else the value's bytes (cb 0 = zero-length). Once the key is full or a value was
 * truncated, later segments add nothing. JET_errKeyTruncated when truncation is needed and the
 * index has fDisallowTruncation; JET_errKeyIsMade past the last segment. */
JET_ERR bj_key_record_add(bj_key_builder *kb, bool fNull, const void *pv, uint32_t cb);

/* Frees the cached ICU collators (engine shutdown, tests). Safe when nothing is cached; must not
 * run concurrently with normalisation. */
void bj_key_unicode_term(void);

/* ---- internal to src/rec/key_*.c ---- */

/* Resolves the index's locale and flags and writes the Unicode normalisation of the UTF-16LE
 * text (pb, cb even and > 0) to out[0 .. cbMax): a sort key (ends 0x00) or, for LCMAP_UPPERCASE,
 * uppercase UTF-16BE + 00 00. *pcbOut = bytes written; *pfTooBig when it was cut at cbMax. */
JET_ERR bj_key_unicode_map(const bj_key_index *idx, const uint8_t *pb, uint32_t cb, uint8_t *out,
                           uint32_t cbMax, uint32_t *pcbOut, bool *pfTooBig);
/* Validates flags (JET_errInvalidLCMapStringFlags) and the locale (JET_errInvalidLanguageId). */
JET_ERR bj_key_unicode_check(const bj_key_index *idx);

#endif /* BJ_REC_KEY_H */
