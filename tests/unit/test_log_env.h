/* test_log_env.h: helpers for the log suites: a log folder on the in-memory backend, records
 * whose bodies are a function of their index (so a reader can check every byte), file copy and
 * byte patching, and reading a whole log back.
 */
#ifndef BJ_TEST_LOG_ENV_H
#define BJ_TEST_LOG_ENV_H

#include "log/log.h"
#include "log/log_int.h"
#include "os/os.h"
#include "testlib.h"

#define LOGDIR "/logs"
#define SYSDIR "/sys"

static inline bj_log_config log_cfg(bj_os *os, uint32_t cbLogFile, bool fCircular)
{
    bj_log_config c;
    memset(&c, 0, sizeof(c));
    c.os = os;
    c.szLogPath = LOGDIR;
    c.szSystemPath = SYSDIR;
    c.szBaseName = "edb";
    c.cbLogFile = cbLogFile;
    c.cbDbPage = 8192;
    c.fCircular = fCircular;
    c.fCreatePath = true;
    return c;
}

static inline JET_ERR log_open_new(bj_os *os, uint32_t cbLogFile, bool fCircular, bj_log **plog)
{
    bj_log_config c = log_cfg(os, cbLogFile, fCircular);
    bj_log_start s;
    memset(&s, 0, sizeof(s));
    s.fNewStream = true;
    return bj_log_open(&c, &s, plog);
}

/* Body of record i (tag distinguishes writers): 8 bytes (tag, i) then a pattern. */
static inline uint32_t rec_size(uint64_t i)
{
    uint64_t h = i * 0x9e3779b97f4a7c15ull;
    switch ((h >> 60) & 7) {
    case 0:
        return (uint32_t)((h >> 20) % 20000) + 8;
    case 1:
        return 4064 - 8; /* exactly one payload */
    default:
        return (uint32_t)((h >> 20) % 300) + 8;
    }
}

static inline void rec_fill(uint8_t *p, uint32_t cb, uint32_t tag, uint32_t i)
{
    bj_st32(p, tag);
    bj_st32(p + 4, i);
    for (uint32_t j = 8; j < cb; j++)
        p[j] = (uint8_t)(i * 31 + j * 7 + tag);
}

static inline bool rec_ok(const bj_logr_rec *r, uint32_t *ptag, uint32_t *pi)
{
    if (r->cb < 8)
        return false;
    uint32_t tag = bj_ld32(r->body), i = bj_ld32(r->body + 4);
    for (uint32_t j = 8; j < r->cb; j++)
        if (r->body[j] != (uint8_t)(i * 31 + j * 7 + tag))
            return false;
    if (r->type != (bj_lrtype)(1 + (i + tag) % (BJ_LR_MAX - 1)))
        return false;
    *ptag = tag;
    *pi = i;
    return true;
}

static inline JET_ERR rec_append(bj_log *log, uint32_t tag, uint32_t i, uint32_t cb, bj_lsn *plsn,
                                 bj_lsn *plsnEnd)
{
    uint8_t *p = malloc(cb);
    rec_fill(p, cb, tag, i);
    /* two parts to exercise gathering */
    bj_log_part parts[2] = {{p, cb / 2}, {p + cb / 2, cb - cb / 2}};
    JET_ERR err =
        bj_log_append(log, (bj_lrtype)(1 + (i + tag) % (BJ_LR_MAX - 1)), parts, 2, plsn, plsnEnd);
    free(p);
    return err;
}

/* Reads the whole log from lsnStart; *pn = records read (each checked with rec_ok; order of i
 * increasing per tag checked when ordered). Returns the reader's error or 0. */
static inline JET_ERR read_all_cached(bj_os *os, bj_lsn lsnStart, uint32_t *pn,
                                      uint32_t tagOnly, bool *pbad, bj_lsn *plsnEnd,
                                      bj_logr_cache *cache, bool fFill)
{
    bj_logr_config rc = {.os = os,
                         .szLogPath = LOGDIR,
                         .szBaseName = "edb",
                         .lsnStart = lsnStart,
                         .cache = cache,
                         .fCacheFill = fFill};
    bj_logr *r = NULL;
    JET_ERR err = bj_logr_open(&rc, &r);
    uint32_t n = 0;
    bj_lsn prev = 0;
    *pbad = false;
    if (err < 0) {
        *pn = 0;
        return err;
    }
    for (;;) {
        bj_logr_rec rec;
        bool fEnd = false;
        uint32_t tag, i;
        err = bj_logr_next(r, &rec, &fEnd);
        if (err < 0 || fEnd)
            break;
        if (!rec_ok(&rec, &tag, &i) || rec.lsn <= prev || rec.lsnEnd <= rec.lsn)
            *pbad = true;
        else if (tag == tagOnly && i != n)
            *pbad = true;
        prev = rec.lsn;
        n++;
    }
    if (plsnEnd)
        *plsnEnd = bj_logr_end(r);
    bj_logr_close(r);
    *pn = n;
    return err;
}

static inline JET_ERR read_all(bj_os *os, bj_lsn lsnStart, uint32_t *pn, uint32_t tagOnly,
                               bool *pbad, bj_lsn *plsnEnd)
{
    return read_all_cached(os, lsnStart, pn, tagOnly, pbad, plsnEnd, NULL, false);
}

static inline void copy_file(bj_os *os, const char *from, const char *to)
{
    bj_file *f = NULL, *g = NULL;
    uint64_t cb = 0;
    size_t got = 0;
    if (bj_file_open(os, from, BJ_OPEN_READONLY, &f) < 0)
        return;
    bj_file_size(f, &cb);
    uint8_t *p = malloc(cb ? cb : 1);
    bj_file_read(f, 0, p, cb, &got);
    if (bj_file_open(os, to, BJ_OPEN_CREATE | BJ_OPEN_TRUNCATE, &g) == 0) {
        bj_file_write(g, 0, p, got);
        bj_file_sync(g);
        bj_file_close(g);
    }
    free(p);
    bj_file_close(f);
}

static inline void patch_file(bj_os *os, const char *path, uint64_t off, const void *pv, size_t cb)
{
    bj_file *f = NULL;
    if (bj_file_open(os, path, 0, &f) < 0)
        return;
    bj_file_write(f, off, pv, cb);
    bj_file_sync(f);
    bj_file_close(f);
}

static inline void gen_path(char *out, uint32_t gen)
{
    bj_log_name_gen(out, BJ_PATH_MAX, LOGDIR, "edb", gen);
}

#endif
