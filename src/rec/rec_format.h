/* rec_format.h: the on-disk layout of an ESE record (fixed, variable, tagged columns) and of the
 * long-value tree (LID keys, chunk keys, LVROOT), as named constants. Bytes only.
 *
 * Record = RECHDR (4 bytes) | fixed values | fixed NULL bitmap | u16 var end-offsets | var data |
 * tagged area (TAGFLD array + values). Facts from ESE's rec.hxx, tagfld.hxx, lv.hxx, cpage.hxx and
 * the ESE format notes (../shared/ref/ese-format.md §3.3-3.5). All integers little-endian except
 * long-value keys (big-endian).
 */
#ifndef BJ_REC_FORMAT_H
#define BJ_REC_FORMAT_H

#include "common/common.h"

/* ---- column ids ---- */
#define BJ_REC_FID_FIXED_FIRST 1
#define BJ_REC_FID_FIXED_LAST 127
#define BJ_REC_FID_VAR_FIRST 128
#define BJ_REC_FID_VAR_LAST 255
#define BJ_REC_FID_TAGGED_FIRST 256
#define BJ_REC_FID_TAGGED_LAST 65535
#define BJ_REC_FID_FIXED_NONE 0 /* fidFixedLastInRec when no fixed column is present */
#define BJ_REC_FID_VAR_NONE 127 /* fidVarLastInRec when no variable column is present */
#define BJ_REC_COLUMNID_TEMPLATE 0x80000000u /* columnid bit of a template-table column */

/* ---- RECHDR ---- */
#define BJ_REC_OFF_FIDFIXEDLAST 0 /* u8 */
#define BJ_REC_OFF_FIDVARLAST 1   /* u8 */
#define BJ_REC_OFF_IBENDFIXED 2   /* u16: offset of the variable-offset array */
#define BJ_REC_CB_HEADER 4        /* = cbRecordMin; also ibRECStartFixedColumns */
_Static_assert(BJ_REC_OFF_IBENDFIXED + 2 == BJ_REC_CB_HEADER, "RECHDR is 4 bytes");

/* ---- variable columns ---- */
#define BJ_REC_VAR_NULL 0x8000u   /* offset entry flag: column is NULL */
#define BJ_REC_VAR_IBMASK 0x7fffu /* end offset relative to start of variable data */
#define BJ_REC_CB_VAROFFSET 2

/* ---- fill bytes (daedef.hxx) ---- */
#define BJ_REC_FILL '*'     /* chRECFill: new space in record reorganisations */
#define BJ_REC_TEXT_PAD ' ' /* chRECFixedColAndKeyFill: tail of fixed text columns */
#define BJ_REC_CP_UNICODE 1200
#define BJ_REC_CP_ASCII 1252

/* ---- tagged columns: TAGFLD = u16 fid, u16 ib ---- */
#define BJ_TAGFLD_CB 4
#define BJ_TAGFLD_OFF_FID 0
#define BJ_TAGFLD_OFF_IB 2
_Static_assert(BJ_TAGFLD_OFF_IB + 2 == BJ_TAGFLD_CB, "TAGFLD is 4 bytes");
#define BJ_TAGFLD_DERIVED 0x8000u       /* column belongs to the template table */
#define BJ_TAGFLD_EXTINFO_SMALL 0x4000u /* small pages: value starts with a header byte */
#define BJ_TAGFLD_NULL_SMALL 0x2000u    /* small pages: explicit NULL overriding a default */
#define BJ_TAGFLD_IBMASK_SMALL 0x1fffu
#define BJ_TAGFLD_IBMASK_LARGE 0x7fffu

/* TAGFLD_HEADER byte */
#define BJ_TAGHDR_LONGVALUE 0x01u
#define BJ_TAGHDR_COMPRESSED 0x02u
#define BJ_TAGHDR_SEPARATED 0x04u
#define BJ_TAGHDR_MULTIVALUES 0x08u
#define BJ_TAGHDR_TWOVALUES 0x10u
#define BJ_TAGHDR_NULL 0x20u /* large pages only */
#define BJ_TAGHDR_ENCRYPTED 0x40u
#define BJ_TAGHDR_MASK 0x7fu
#define BJ_TAGHDR_CB 1

/* multi-values: u16 offsets (relative to the first offset), count = off[0] / 2 */
#define BJ_MV_SEPARATED 0x8000u
#define BJ_MV_IBMASK 0x7fffu
#define BJ_MV_CB_OFFSET 2
/* two-values: header, u8 length of the first value, value 1, value 2 */
#define BJ_TV_CB_LENGTH 1

/* ---- page geometry used for the record / chunk limits (cpage.hxx, node.hxx) ---- */
#define BJ_REC_SMALL_PAGE_MAX 8192 /* pages <= 8 KiB are "small" */
#define BJ_REC_CB_PGHDR_SMALL 40
#define BJ_REC_CB_PGHDR_LARGE 80
#define BJ_REC_CB_TAG 4      /* page TAG; one reserved TAG (legacy) + one for insertion */
#define BJ_REC_CB_KEYCOUNT 2 /* cbKeyCount */
#define BJ_REC_CB_DBK 4      /* sizeof(DBK): key of a table without primary index */

/* ---- long values (lv.hxx, rec.hxx) ---- */
#define BJ_LV_CB_LID32 4
#define BJ_LV_CB_LID64 8
#define BJ_LV_LID64_FLAG 0x8000000000000000ull /* bit 63 marks a 64-bit LID */
#define BJ_LV_LID32_MAX 0x7fffffffu
#define BJ_LV_LID64_MAX 0x80ffffffffffffffull
#define BJ_LV_CB_LVROOT 8  /* u32 refcount, u32 size */
#define BJ_LV_CB_LVROOT2 9 /* + u8 flags */
#define BJ_LV_OFF_REFCOUNT 0
#define BJ_LV_OFF_SIZE 4
#define BJ_LV_OFF_FLAGS 8
#define BJ_LV_ROOTFLAG_ENCRYPTED 0x01u
#define BJ_LV_CB_INTRINSIC_MOST 1023   /* cbLVIntrinsicMost */
#define BJ_LV_CHUNK_OVERHEAD_COMMON 42 /* LVChunkOverheadCommon */
#define BJ_LV_CHUNK_16K 4050
#define BJ_LV_CHUNK_32K 8150
_Static_assert(BJ_LV_OFF_FLAGS + 1 == BJ_LV_CB_LVROOT2, "LVROOT2 is 9 bytes");

/* ---- compression (compression.cxx): first byte = scheme << 3 | scheme data ---- */
#define BJ_CMP_7BITASCII 1
#define BJ_CMP_7BITUNICODE 2
#define BJ_CMP_XPRESS 3
#define BJ_CMP_SCRUB 4
#define BJ_CMP_XPRESS9 5
#define BJ_CMP_XPRESS10 6
#define BJ_CMP_LZ4 7

#endif /* BJ_REC_FORMAT_H */
