/* rec.h: layer 6, the ESE record format (fixed, variable, tagged and multi-valued columns) and
 * the long-value format helpers, as bytes only: no B-tree, no I/O, no version store.
 *
 * A schema (bj_rec_schema, filled by the catalog layer) describes the columns; records are
 * untrusted bytes: every entry point validates the whole record first and returns
 * JET_errDatabaseCorrupted for a bad one, never reading outside [rec, rec + cbRec).
 * Values returned by retrieval point into the record (or into the schema's default bytes):
 * they live as long as those buffers.
 */
#ifndef BJ_REC_H
#define BJ_REC_H

#include "rec/rec_format.h"

/* ---------------------------------------------------------------- schema */

/* One column as the catalog describes it. */
typedef struct bj_rec_column {
    JET_COLUMNID columnid; /* fid in the low 16 bits (BJ_REC_COLUMNID_TEMPLATE bit ignored) */
    JET_COLTYP coltyp;
    uint32_t cbMax;          /* max length; fixed Text/Binary: the width; 0 = unlimited (LV) */
    JET_GRBIT grbit;         /* JET_bitColumn* */
    uint16_t cp;             /* code page of text columns (1200 Unicode, 1252 ASCII) */
    uint16_t ibRecordOffset; /* fixed: byte offset in the record (0 = compute from widths) */
    uint16_t cbFixed;        /* fixed: width (0 = compute from coltyp/cbMax) */
    bool fDerived;           /* tagged: template column of a derived table (TAGFLD 0x8000) */
    const void *pvDefault;   /* default value (copied by bj_rec_schema_add), NULL = none */
    uint32_t cbDefault;
} bj_rec_column;

typedef struct bj_rec_schema {
    uint32_t cbPage;         /* page size; > 8192 selects the large-page tagged layout */
    uint32_t cbKeyMost;      /* longest primary key (0 = no primary index: 4-byte DBK) */
    bool fWriteNullOverride; /* small pages: write the 0x2000 NULL TAGFLD to override a default
                                (ESE does; libesedb 20181229 does not understand it). When
                                false, setting NULL reverts to the default. Large pages always
                                use the header NULL bit. */
    uint8_t fidFixedLast;    /* 0 = no fixed column */
    uint8_t fidVarLast;      /* 127 = no variable column */
    uint16_t ibEndFixed[BJ_REC_FID_FIXED_LAST + 1];  /* [fid] = end offset of fixed column fid */
    bj_rec_column *fixed[BJ_REC_FID_FIXED_LAST + 1]; /* by fid, NULL = undefined */
    bj_rec_column *var[BJ_REC_FID_VAR_LAST - BJ_REC_FID_VAR_FIRST + 1];
    bj_rec_column **tagged; /* sorted by fid */
    uint32_t ctagged, ctaggedAlloc;
    bool fFinished;
} bj_rec_schema;

/* Width in bytes of a fixed-size coltyp (Bit 1 ... GUID 16), or 0 for Text/Binary/Long*. */
uint32_t bj_rec_coltyp_width(JET_COLTYP coltyp);
/* Is coltyp a long value (LongText / LongBinary)? */
bool bj_rec_coltyp_is_lv(JET_COLTYP coltyp);

/* Starts an empty schema for a page size (4096..32768). */
JET_ERR bj_rec_schema_init(bj_rec_schema *s, uint32_t cbPage);
/* Adds (copies) a column, its default bytes too. The class (fixed/var/tagged) comes from the
 * fid. JET_errInvalidParameter for a duplicate, an out-of-range id or a bad fixed layout. */
JET_ERR bj_rec_schema_add(bj_rec_schema *s, const bj_rec_column *col);
/* Computes fixed offsets (where 0) and checks they are dense and increasing; call once after
 * the last add and before any record operation. */
JET_ERR bj_rec_schema_finish(bj_rec_schema *s);
/* Frees what the schema owns. */
void bj_rec_schema_free(bj_rec_schema *s);
/* The column with this id, or NULL. */
const bj_rec_column *bj_rec_schema_column(const bj_rec_schema *s, JET_COLUMNID columnid);

/* ---------------------------------------------------------------- limits */

/* Largest record for a page size and primary-key size (REC::CbRecordMost; cbKeyMost 0 = DBK):
 * 4 KiB -> 3791, 8 KiB -> 7887 (keys <= 253 bytes), 32 KiB -> 32672 with a 4-byte DBK. */
uint32_t bj_rec_cb_record_most(uint32_t cbPage, uint32_t cbKeyMost);

/* ---------------------------------------------------------------- decoding */

/* Value flags. */
#define BJ_RECVAL_DEFAULT 0x01u    /* came from the schema default, not from the record */
#define BJ_RECVAL_LONG 0x02u       /* long-value column (TAGFLD header bit 0x01) */
#define BJ_RECVAL_SEPARATED 0x04u  /* pb/cb hold a LID (also in .lid): data is in the LV tree */
#define BJ_RECVAL_COMPRESSED 0x08u /* pb/cb hold compressed bytes (see bj_rec_decompress) */
#define BJ_RECVAL_ENCRYPTED 0x10u  /* encrypted long value (not supported further) */

typedef struct bj_rec_value {
    const uint8_t *pb;
    uint32_t cb;
    uint32_t flags; /* BJ_RECVAL_* */
    uint64_t lid;   /* when SEPARATED */
} bj_rec_value;

/* Checks a whole record against the schema. JET_errDatabaseCorrupted when bad. */
JET_ERR bj_rec_validate(const bj_rec_schema *s, const void *rec, size_t cbRec);

/* Retrieves a column value. itagSequence is 1-based; 0 behaves as 1 (JetRetrieveColumn).
 * grbit: JET_bitRetrieveIgnoreDefault. Returns JET_errSuccess with *out filled, or
 * JET_wrnColumnNull (out->cb = 0), JET_errColumnNotFound (not in the schema),
 * JET_errDatabaseCorrupted. Absent columns give the schema default (flag DEFAULT). */
JET_ERR bj_rec_retrieve(const bj_rec_schema *s, const void *rec, size_t cbRec,
                        JET_COLUMNID columnid, uint32_t itagSequence, JET_GRBIT grbit,
                        bj_rec_value *out);

/* The parsed shape of a validated record (fields private to src/rec). Only bj_rec_parse
 * produces one; it holds pointers into the record, which must not change while it is used. */
typedef struct bj_rec_layout {
    const uint8_t *rec;
    uint32_t cb;
    bool large;           /* large-page tagged layout */
    uint8_t fidFixedLast; /* fidFixedLastInRec */
    uint8_t fidVarLast;   /* fidVarLastInRec */
    uint32_t ibBitmap;    /* start of the fixed NULL bitmap */
    uint32_t ibEndFixed;  /* start of the variable offsets */
    uint32_t ibVarData;   /* start of variable data */
    uint32_t ibTagged;    /* start of the tagged area (TAGFLD array) */
    uint32_t cbTagged;    /* bytes of the tagged area (to the end of the record) */
    uint32_t cTagfld;     /* TAGFLD entries */
} bj_rec_layout;

/* Parses and validates a record (schema may be NULL: structure only). */
JET_ERR bj_rec_parse(const bj_rec_schema *s, const void *rec, size_t cbRec, bj_rec_layout *l);
/* bj_rec_retrieve for several columns of one record: the record is parsed into *l on the first
 * call that needs it (*pfParsed false; set true on success) and reused while *pfParsed; the
 * caller keeps s, rec and cbRec the same across the calls that share l. */
JET_ERR bj_rec_retrieve_reuse(const bj_rec_schema *s, const void *rec, size_t cbRec,
                              bj_rec_layout *l, bool *pfParsed, JET_COLUMNID columnid,
                              uint32_t itagSequence, JET_GRBIT grbit, bj_rec_value *out);

/* Number of values of a column (ESE's UlColumnInstances): 0 when NULL, 1 for a set fixed or
 * variable column or a single tagged value, n for multi-values; an absent column with a default
 * counts 1 (unless JET_bitRetrieveIgnoreDefault). */
JET_ERR bj_rec_count_values(const bj_rec_schema *s, const void *rec, size_t cbRec,
                            JET_COLUMNID columnid, JET_GRBIT grbit, uint32_t *pcValues);

/* One tagged column present in a record (JetEnumerateColumns, RetrieveTag). */
typedef struct bj_rec_tagged_info {
    uint16_t fid;
    bool fDerived;
    bool fNull;      /* explicit NULL entry (overrides a default) */
    uint8_t bHeader; /* TAGFLD_HEADER byte, 0 when absent */
    uint32_t cValues;
} bj_rec_tagged_info;

/* Number of TAGFLD entries in the record. */
JET_ERR bj_rec_tagged_count(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t *pc);
/* The i-th TAGFLD entry (0-based, record order: derived columns first, then by fid). */
JET_ERR bj_rec_tagged_at(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t i,
                         bj_rec_tagged_info *info);
/* Value itagSequence (1-based) of the i-th TAGFLD entry; JET_wrnColumnNull past the end. */
JET_ERR bj_rec_tagged_value_at(const bj_rec_schema *s, const void *rec, size_t cbRec, uint32_t i,
                               uint32_t itagSequence, bj_rec_value *out);

/* Decompresses a compressed value (first byte = scheme). 7-bit ASCII and 7-bit Unicode are
 * implemented; Xpress/Xpress9/Xpress10/LZ4 return JET_errFeatureNotAvailable; anything else
 * JET_errDatabaseCorrupted. *pcbActual = full size; JET_wrnBufferTruncated if cbMax smaller. */
JET_ERR bj_rec_decompress(const void *pv, uint32_t cb, void *pvOut, uint32_t cbMax,
                          uint32_t *pcbActual);

/* ---------------------------------------------------------------- encoding */

/* Extra options of a set operation beyond JET_bitSet* grbits. */
#define BJ_RECSET_SEPARATED 0x01u  /* value is a LID (4 or 8 bytes LE) of a separated LV */
#define BJ_RECSET_COMPRESSED 0x02u /* value bytes are already compressed (LV columns) */

/* Builds the record an insert starts from (ESE's PrepareInsert): an empty record with the
 * fixed and variable default values burst in. *pcbOut <= cbOutMax. */
JET_ERR bj_rec_init_insert(const bj_rec_schema *s, void *out, size_t cbOutMax, size_t *pcbOut);

/* Writes into out a copy of rec (cbRec = 0: the minimal empty record) with one column set:
 * pv/cb the value; cb == 0 without JET_bitSetZeroLength (or pv NULL) means NULL. Tagged:
 * itagSequence 0 appends (sets instance 1 of a column without JET_bitColumnMultiValued), n
 * replaces instance n (n > count appends), NULL at n deletes it.
 * grbit: JET_bitSetZeroLength, JET_bitSetUniqueMultiValues, JET_bitSetRevertToDefaultValue;
 * opts: BJ_RECSET_*. Errors: JET_errColumnNotFound, JET_errInvalidBufferSize (wrong size for a
 * fixed-size type, fixed Text/Binary longer than its width), JET_errColumnTooBig (tagged value
 * longer than cbMax), JET_errMultiValuedDuplicate, JET_errRecordTooBig (over
 * bj_rec_cb_record_most), JET_errBufferTooSmall (cbOutMax), JET_errDatabaseCorrupted.
 * Variable values longer than cbMax are truncated with JET_wrnColumnMaxTruncated (as ESE).
 * out must not overlap rec. NotNULL is not checked here: see bj_rec_find_null_notnull. */
JET_ERR bj_rec_set(const bj_rec_schema *s, const void *rec, size_t cbRec, JET_COLUMNID columnid,
                   uint32_t itagSequence, const void *pv, uint32_t cb, JET_GRBIT grbit,
                   uint32_t opts, void *out, size_t cbOutMax, size_t *pcbOut);

/* Finds the first NotNULL column whose value (default included) is NULL: *pcolumnid = it,
 * or 0 when none. The caller returns JET_errNullInvalid at update time. */
JET_ERR bj_rec_find_null_notnull(const bj_rec_schema *s, const void *rec, size_t cbRec,
                                 JET_COLUMNID *pcolumnid);

/* ---------------------------------------------------------------- long values */

/* Chunk size (JET_paramLVChunkSizeMost) for a page size: small pages cbPage - 82
 * (4 KiB -> 4014, 8 KiB -> 8110), 16 KiB -> 4050, 32 KiB -> 8150. */
uint32_t bj_lv_chunk_size(uint32_t cbPage);
/* The intrinsic limit cbLVIntrinsicMost (1023) unless a table preference (nonzero) is given. */
uint32_t bj_lv_intrinsic_most(uint32_t cbPreferred);

/* A LID as a key: 4 bytes BE for LID32, 8 bytes BE (bit 63 set) for LID64. Returns the size. */
uint32_t bj_lv_root_key(uint64_t lid, uint8_t key[8]);
/* Chunk key LID || u32 BE offset: 8 or 12 bytes. Returns the size. */
uint32_t bj_lv_chunk_key(uint64_t lid, uint32_t offset, uint8_t key[12]);
/* Parses an LV-tree key: a root key (4 or 8 bytes) or a chunk key (8 or 12 bytes). An 8-byte key
 * is a LID64 root when its top bit is set, else a LID32 chunk key. JET_errDatabaseCorrupted for
 * any other size or an invalid LID. */
JET_ERR bj_lv_parse_key(const void *key, uint32_t cbKey, uint64_t *plid, bool *pfRoot,
                        uint32_t *poffset);
/* Reads a LID stored in a record (4 or 8 bytes LE); JET_errDatabaseCorrupted when invalid. */
JET_ERR bj_lv_lid_from_record(const void *pv, uint32_t cb, uint64_t *plid);
/* Writes a LID as stored in a record; returns 4 or 8. */
uint32_t bj_lv_lid_to_record(uint64_t lid, uint8_t out[8]);

typedef struct bj_lv_root {
    uint32_t refcount;
    uint32_t cbSize;
    uint8_t flags; /* LVROOT2 flags (0 for an 8-byte LVROOT) */
} bj_lv_root;
/* Encodes the 8-byte LVROOT (flags must be 0). */
void bj_lv_root_encode(const bj_lv_root *root, uint8_t out[BJ_LV_CB_LVROOT]);
/* Decodes an 8-byte LVROOT or 9-byte LVROOT2; JET_errDatabaseCorrupted for other sizes. */
JET_ERR bj_lv_root_decode(const void *pv, uint32_t cb, bj_lv_root *root);

/* Chunks covering a read of [ib, ib+cb) of a long value of cbLV bytes with chunk size cbChunk:
 * *pibFirst = offset key of the first chunk, *pcChunks = how many (0 when nothing to read),
 * *pibInFirst = where the read starts inside the first chunk. The read is clipped to cbLV. */
JET_ERR bj_lv_chunks_for_read(uint32_t cbLV, uint32_t cbChunk, uint32_t ib, uint32_t cb,
                              uint32_t *pibFirst, uint32_t *pcChunks, uint32_t *pibInFirst);

#endif /* BJ_REC_H */
