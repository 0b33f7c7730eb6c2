/* log_int.h: private to src/log: encoding and checking of log headers, segments, records and
 * checkpoint copies (log_hdr.c), shared by the writer (log_write.c) and the reader
 * (log_read.c). Layouts: log_format.h. No state, no locks.
 */
#ifndef BJ_LOG_INT_H
#define BJ_LOG_INT_H

#include "log/log.h"
#include "log/log_format.h"

/* Encodes a whole header area (BJ_LOG_CB_HDRAREA bytes, zeroed first) from h. */
void bj_log_hdr_encode(const bj_log_hdr *h, uint8_t *area);
/* Decodes and verifies a header area of cb bytes (cb < the area size: corrupt).
 * JET_errLogFileCorrupt (checksums, magic, file type, sizes, attachments), JET_errBadLogVersion. */
JET_ERR bj_log_hdr_decode(const uint8_t *area, size_t cb, bj_log_hdr *h);

/* Fills a segment's header and checksum (payload already in place, padding zeroed). */
void bj_log_seg_seal(uint8_t *seg, uint32_t gen, uint32_t iseg, uint32_t isegFlush, uint32_t cbUsed,
                     const bj_logtime *tm);
/* Whether seg is a valid segment of generation gen at index iseg; then its flush start index and
 * used byte count (<= payload size, and flush start <= iseg). */
bool bj_log_seg_valid(const uint8_t *seg, uint32_t gen, uint32_t iseg, uint32_t *pisegFlush,
                      uint32_t *pcbUsed);

/* The record header check of bytes 0..5 of a record header at position lsn. */
uint16_t bj_log_rec_check(const uint8_t *hdr, bj_lsn lsn);
/* Writes a record header (type, body length, check) for a record at lsn. */
void bj_log_rec_header(uint8_t *hdr, bj_lrtype type, uint32_t cb, bj_lsn lsn);

/* Encodes one checkpoint copy (BJ_CHK_CB_COPY bytes) with sequence number seq. */
void bj_chk_encode(const bj_chk_info *info, uint64_t seq, uint8_t *copy);
/* Decodes and verifies one copy; false when it is not valid. */
bool bj_chk_decode(const uint8_t *copy, bj_chk_info *info, uint64_t *pseq);

/* Reads both copies of the checkpoint file szFile: the newest valid one and its sequence.
 * JET_errCheckpointFileNotFound, JET_errCheckpointCorrupt (no valid copy). */
JET_ERR bj_chk_read_seq(bj_os *os, const char *szFile, bj_chk_info *pinfo, uint64_t *pseq);

/* Reserve log names: <path>/<base>res0000N.jrs (N = 1, 2). */
JET_ERR bj_log_name_reserve(char *out, size_t cb, const char *szPath, const char *szBase,
                            uint32_t n);
/* <path>/<base>tmp.log. */
JET_ERR bj_log_name_tmp(char *out, size_t cb, const char *szPath, const char *szBase);

/* A new log stream signature: random, now, this computer's name. */
void bj_log_signature_new(bj_signature *sign);

/* Encodes / decodes an attachment area (BJ_ATT_CB_AREA bytes); decode validates. */
void bj_log_att_encode(const bj_log_attach *rg, uint32_t n, uint8_t *area);
bool bj_log_att_decode(const uint8_t *area, uint32_t n, bj_log_attach *rg);

#endif /* BJ_LOG_INT_H */
