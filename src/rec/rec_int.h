/* rec_int.h: private to src/rec: the parsed shape of a validated record, shared by decoding
 * (rec_decode.c, rec_tagged.c) and encoding (rec_update.c).
 *
 * Invariant: a bj_rec_layout (rec.h) is only produced by bj_rec_parse, which has checked every
 * offset of the record (header, fixed area, variable offsets, TAGFLD array, tagged values); code
 * that holds one may index the record without further bounds checks.
 */
#ifndef BJ_REC_INT_H
#define BJ_REC_INT_H

#include "rec/rec.h"

/* One TAGFLD entry, decoded. ib/cb are relative to the tagged area and cover the header byte. */
typedef struct bj_rec_tagfld {
    uint16_t fid;
    bool fDerived;
    bool fNull;   /* explicit NULL (small: 0x2000 bit; large: header 0x20) */
    bool fHeader; /* a TAGFLD_HEADER byte starts the data */
    uint8_t bHeader;
    uint32_t ib;
    uint32_t cb;
} bj_rec_tagfld;

/* Validates the tagged area of a parsed layout (called by bj_rec_parse). */
JET_ERR bj_rec_parse_tagged(bj_rec_layout *l);
/* Decodes TAGFLD i of a validated layout. */
void bj_rec_tagfld_get(const bj_rec_layout *l, uint32_t i, bj_rec_tagfld *t);
/* Finds the TAGFLD of (fid, fDerived): its index, or the insertion point with *pfFound false. */
uint32_t bj_rec_tagfld_find(const bj_rec_layout *l, uint16_t fid, bool fDerived, bool *pfFound);
/* Number of values stored in a TAGFLD (0 for an explicit NULL). */
uint32_t bj_rec_tagfld_cvalues(const bj_rec_layout *l, const bj_rec_tagfld *t);
/* Value itag (1-based) of a TAGFLD; JET_wrnColumnNull when there is no such value. */
JET_ERR bj_rec_tagfld_value(const bj_rec_layout *l, const bj_rec_tagfld *t, uint32_t itag,
                            bj_rec_value *out);
/* TAGFLD order: derived entries first, each group by increasing fid. */
static inline int bj_rec_tagfld_cmp(uint16_t fid1, bool d1, uint16_t fid2, bool d2)
{
    if (d1 != d2)
        return d1 ? -1 : 1;
    return fid1 < fid2 ? -1 : (fid1 > fid2 ? 1 : 0);
}
static inline bool bj_rec_is_large(uint32_t cbPage)
{
    return cbPage > BJ_REC_SMALL_PAGE_MAX;
}
static inline uint16_t bj_rec_fid(JET_COLUMNID columnid)
{
    return (uint16_t)(columnid & 0xffffu);
}
/* Is bit (fid-1) of the NULL bitmap set? (the layout must contain fid) */
static inline bool bj_rec_fixed_null(const bj_rec_layout *l, uint32_t fid)
{
    uint32_t i = fid - 1;
    return (l->rec[l->ibBitmap + i / 8] >> (i % 8)) & 1;
}

#endif /* BJ_REC_INT_H */
