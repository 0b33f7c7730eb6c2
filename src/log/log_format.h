/* log_format.h: the on-disk layout of bluejet's log files and checkpoint file (byte offsets,
 * sizes, constants). Little-endian throughout; accessed only with bj_ld* / bj_st*.
 *
 * LOG FILE (every generation has the same size, cbLogFile, a multiple of 4096):
 *   [0, 12288)        header area: block 0 = the fixed header (ESE's LGFILEHDR_FIXED offsets
 *                     for the fields we have, file type 3 at 667), blocks 1-2 = attachments
 *   [12288, cbLogFile) data segments of 4096 bytes; segment index = file offset / 4096
 *
 * Block 0 (ESE LGFILEHDR_FIXED offsets, log.hxx):
 *     0 u32 checksum: bj_checksum_xor_old over block 0 (ESE's old header checksum)
 *     4 u32 lGeneration           8 u16 cbSec (512, the LGPOS sector unit)
 *    10 u16 csecHeader (24)      12 u16 csecLGFile (cbLogFile / 512; 0 when > 0xffff)
 *    14 u16 cbPageSize (database page size; 0 means 4096)
 *    16 LOGTIME tmCreate         24 LOGTIME tmPrevGen
 *    32 u32 ulMajor (0x4a42, "BJ": our own format, ESE cannot replay it)
 *    36 u32 ulMinor (1)          40 u32 ulUpdateMajor (0)
 *    44 SIGNATURE signLog (28 bytes)
 *    72..639 ESE's DBMS_PARAM: bluejet's own fields (all in the first 512-byte sector):
 *        72 u32 magic 'BJLG'     76 u32 cbSegment (4096)    80 u32 cbLogFile
 *        84 u32 cbHeaderArea     88 u32 cbDbPage            92 u32 attachment count
 *        96 u64 checksum of attachment block 1, 104 u64 of block 2 (bj_checksum_block, pgno =
 *           the block index, not a header block)
 *       112 u64 lsnPrevEnd: the end of the previous generation's data (0: unknown)
 *   639 u8 fLGFlags (0x01 reserve log used, 0x02 circular logging on)
 *   640 LGPOS lgposCheckpoint    648 u32 ulUpdateMinor (0)
 *   667 u32 file type = 3 (JET_filetypeLog)      671.. ESE's ATTACHINFO list: left zero (empty)
 *
 * Attachment area (blocks 1-2, 8192 bytes): entries one after another:
 *     u32 dbid, SIGNATURE signDb (28), u16 cbPath (<= 1023), cbPath bytes of path (no NUL).
 *
 * Segment (4096 bytes):
 *     0 u64 checksum: bj_checksum_block(segment, 4096, pgno = segment index, header block)
 *     8 u32 generation           12 u32 segment index
 *    16 u32 index of the first segment of the flush (write) that wrote this segment
 *    20 u16 bytes of record stream in this segment's payload (0..4064); the rest is padding
 *    22 u16 zero                 24 LOGTIME of the flush
 *    32.. payload (4064 bytes)
 * Records form a byte stream over the used payload bytes of consecutive segments (a record may
 * continue in the next segment's payload; a flush pads its last segment, so the next flush
 * starts at a fresh segment and a durable segment is never rewritten). A record never crosses
 * a generation. Record = 8-byte header + body:
 *     0 u8 type, 1 u8 0xb7, 2 u32 body length (<= BJ_LOG_RECORD_MAX),
 *     6 u16 header check: low 16 bits of (bj_log_rec_check over bytes 0..5 and the record's lsn)
 * A record's lsn is (gen << 32) | the file offset of its header's first byte; its end lsn is the
 * offset just after its last byte.
 *
 * CHECKPOINT FILE (<base>.chk): two copies of 12288 bytes at offsets 0 and 12288, written
 * alternately (each write fsynced); the valid copy with the higher sequence number wins.
 * Copy block 0 (ESE CHECKPOINT_FIXED offsets, log.hxx):
 *     0 u32 checksum (bj_checksum_xor_old over block 0)
 *     4 LGPOS lgposLastFullBackupCheckpoint (0)    12 LGPOS lgposCheckpoint
 *    20 SIGNATURE signLog
 *    48..615 DBMS_PARAM: bluejet's own: 48 u32 magic 'BJCK', 52 u64 sequence, 60 u32 genLast,
 *        64 u32 attachment count, 68 u64 + 76 u64 checksums of blocks 1-2, 84 u32 cbCopy
 *   647 u8 fVersion (0)    667 u32 file type = 4 (JET_filetypeCheckpoint)
 * Blocks 1-2: the attachment area, as in log files.
 */
#ifndef BJ_LOG_FORMAT_H
#define BJ_LOG_FORMAT_H

#include "page/dbhdr_format.h"

#define BJ_LOG_CB_SEGMENT 4096u
#define BJ_LOG_CB_BLOCK 4096u
#define BJ_LOG_CB_HDRAREA (3u * BJ_LOG_CB_BLOCK)
#define BJ_LOG_ISEG_FIRST (BJ_LOG_CB_HDRAREA / BJ_LOG_CB_SEGMENT)
#define BJ_LOG_CB_SECTOR 512u /* LGPOS unit */
#define BJ_LOG_CB_MIN (64u * 1024u)
#define BJ_LOG_CB_MAX (32u * 1024u * 1024u)

/* ---- header block 0 ---- */
#define BJ_LGH_IB_CHECKSUM 0u
#define BJ_LGH_IB_GEN 4u
#define BJ_LGH_IB_CBSEC 8u
#define BJ_LGH_IB_CSECHEADER 10u
#define BJ_LGH_IB_CSECLGFILE 12u
#define BJ_LGH_IB_CBPAGE 14u
#define BJ_LGH_IB_TMCREATE 16u
#define BJ_LGH_IB_TMPREVGEN 24u
#define BJ_LGH_IB_MAJOR 32u
#define BJ_LGH_IB_MINOR 36u
#define BJ_LGH_IB_UPDMAJOR 40u
#define BJ_LGH_IB_SIGNLOG 44u
#define BJ_LGH_IB_DBMSPARAM 72u
#define BJ_LGH_IB_MAGIC 72u
#define BJ_LGH_IB_CBSEGMENT 76u
#define BJ_LGH_IB_CBLOGFILE 80u
#define BJ_LGH_IB_CBHDRAREA 84u
#define BJ_LGH_IB_CBDBPAGE 88u
#define BJ_LGH_IB_CATTACH 92u
#define BJ_LGH_IB_CKATTACH 96u /* 2 x u64 */
#define BJ_LGH_IB_LSNPREVEND 112u
#define BJ_LGH_IB_PRIV_END 120u
#define BJ_LGH_IB_FLAGS 639u
#define BJ_LGH_IB_LGPOSCHK 640u
#define BJ_LGH_IB_UPDMINOR 648u
#define BJ_LGH_IB_FILETYPE 667u
#define BJ_LGH_IB_ATTACHINFO 671u

#define BJ_LGH_MAGIC 0x474c4a42u /* "BJLG" */
#define BJ_LGH_MAJOR 0x4a42u
#define BJ_LGH_MINOR 1u
#define BJ_LGH_FLAG_RESERVE 0x01u
#define BJ_LGH_FLAG_CIRCULAR 0x02u

_Static_assert(BJ_LGH_IB_SIGNLOG + BJ_SIGN_CB == BJ_LGH_IB_DBMSPARAM, "signLog ends at 72");
_Static_assert(BJ_LGH_IB_TMPREVGEN + BJ_LOGTIME_CB == BJ_LGH_IB_MAJOR, "tmPrevGen");
_Static_assert(BJ_LGH_IB_PRIV_END <= BJ_LOG_CB_SECTOR, "private fields in sector 0");
_Static_assert(BJ_LGH_IB_LGPOSCHK + BJ_LGPOS_CB == BJ_LGH_IB_UPDMINOR, "lgposCheckpoint");
_Static_assert(BJ_LGH_IB_FILETYPE == 667u, "file type at 667 as ESE");
_Static_assert(BJ_LGH_IB_FILETYPE + 4u == BJ_LGH_IB_ATTACHINFO, "attach info at 671");

/* ---- attachment area (blocks 1-2 of a log header area or checkpoint copy) ---- */
#define BJ_ATT_IB_AREA BJ_LOG_CB_BLOCK
#define BJ_ATT_CB_AREA (2u * BJ_LOG_CB_BLOCK)
#define BJ_ATT_NBLOCKS 2u
#define BJ_ATT_IB_DBID 0u
#define BJ_ATT_IB_SIGN 4u
#define BJ_ATT_IB_CBPATH 32u
#define BJ_ATT_IB_PATH 34u
#define BJ_ATT_CB_PATH_MAX 1023u
_Static_assert(BJ_ATT_IB_SIGN + BJ_SIGN_CB == BJ_ATT_IB_CBPATH, "attachment entry");
_Static_assert(7u * (BJ_ATT_IB_PATH + BJ_ATT_CB_PATH_MAX) <= BJ_ATT_CB_AREA, "7 attachments fit");
_Static_assert(BJ_ATT_IB_AREA + BJ_ATT_CB_AREA == BJ_LOG_CB_HDRAREA, "header area");

/* ---- segment ---- */
#define BJ_SEG_IB_CHECKSUM 0u
#define BJ_SEG_IB_GEN 8u
#define BJ_SEG_IB_ISEG 12u
#define BJ_SEG_IB_ISEGFLUSH 16u
#define BJ_SEG_IB_CBUSED 20u
#define BJ_SEG_IB_ZERO 22u
#define BJ_SEG_IB_LOGTIME 24u
#define BJ_SEG_CB_HDR 32u
#define BJ_SEG_CB_PAYLOAD (BJ_LOG_CB_SEGMENT - BJ_SEG_CB_HDR)
_Static_assert(BJ_SEG_IB_LOGTIME + BJ_LOGTIME_CB == BJ_SEG_CB_HDR, "segment header 32 bytes");
_Static_assert(BJ_SEG_CB_PAYLOAD <= 0xffffu, "cbUsed fits u16");

/* ---- record header ---- */
#define BJ_REC_IB_TYPE 0u
#define BJ_REC_IB_MARK 1u
#define BJ_REC_IB_CB 2u
#define BJ_REC_IB_CHECK 6u
#define BJ_REC_CB_HDR 8u
#define BJ_REC_MARK 0xb7u

/* ---- checkpoint copy ---- */
#define BJ_CHK_IB_CHECKSUM 0u
#define BJ_CHK_IB_LGPOSFULLBK 4u
#define BJ_CHK_IB_LGPOSCHK 12u
#define BJ_CHK_IB_SIGNLOG 20u
#define BJ_CHK_IB_MAGIC 48u
#define BJ_CHK_IB_SEQ 52u
#define BJ_CHK_IB_GENLAST 60u
#define BJ_CHK_IB_CATTACH 64u
#define BJ_CHK_IB_CKATTACH 68u /* 2 x u64 */
#define BJ_CHK_IB_CBCOPY 84u
#define BJ_CHK_IB_PRIV_END 88u
#define BJ_CHK_IB_FVERSION 647u
#define BJ_CHK_IB_FILETYPE 667u
#define BJ_CHK_CB_COPY BJ_LOG_CB_HDRAREA
#define BJ_CHK_NCOPIES 2u
#define BJ_CHK_MAGIC 0x4b434a42u /* "BJCK" */
_Static_assert(BJ_CHK_IB_LGPOSCHK + BJ_LGPOS_CB == BJ_CHK_IB_SIGNLOG, "lgposCheckpoint");
_Static_assert(BJ_CHK_IB_SIGNLOG + BJ_SIGN_CB == BJ_CHK_IB_MAGIC, "signLog ends at 48");
_Static_assert(BJ_CHK_IB_PRIV_END <= BJ_LOG_CB_SECTOR, "private fields in sector 0");
_Static_assert(BJ_CHK_IB_FILETYPE == 667u, "file type at 667 as ESE");

#endif /* BJ_LOG_FORMAT_H */
