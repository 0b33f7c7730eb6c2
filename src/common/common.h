/* common.h: layer 0 for every other layer: the error idiom, byte order, small helpers.
 *
 * Errors are JET_ERR values all the way down: negative = error, 0 = success, positive = warning.
 * Every error is born through BJ_ERR() (so one breakpoint on bj_err_born, or the environment
 * variable BLUEJET_TRACE_ERRORS=1, catches each one where it starts). The idiom is:
 *
 *     JET_ERR err = JET_errSuccess;
 *     CALL(bj_x_do(...));              // jumps to fail on a negative result, keeps warnings
 *     if (bad) ERR(JET_errInvalidParameter);
 *   fail:
 *     cleanup...;
 *     return err;
 *
 * On-disk integers are little-endian unless a format says otherwise; they are read and written
 * only through the bj_ld / bj_st helpers below, never by casting packed structures.
 */
#ifndef BJ_COMMON_H
#define BJ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "esent.h"

/* Birth of an error: returns err unchanged; traces it when tracing is on. */
JET_ERR bj_err_born(JET_ERR err, const char *file, int line);

#define BJ_ERR(e) bj_err_born((e), __FILE__, __LINE__)
#define ERR(e)                                                                                     \
    do {                                                                                           \
        err = BJ_ERR(e);                                                                           \
        goto fail;                                                                                 \
    } while (0)
#define CALL(expr)                                                                                 \
    do {                                                                                           \
        err = (expr);                                                                              \
        if (err < 0)                                                                               \
            goto fail;                                                                             \
    } while (0)

/* The JET_err / JET_wrn name of a code ("JET_errRecordNotFound"), or NULL when unknown. */
const char *bj_err_name(JET_ERR err);

/* A wall-clock time split as ESE's LOGTIME stores it (UTC): month 1-12, day 1-31; filler1
 * bit 0 = fTimeIsUTC, bits 1-7 = milliseconds & 0x7f; filler2 bits 1-3 = milliseconds >> 7. */
typedef struct bj_logtime {
    uint8_t sec, min, hour, day, month, year_since_1900, filler1, filler2;
} bj_logtime;

#define BJ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BJ_MIN(a, b) ((a) < (b) ? (a) : (b))
#define BJ_MAX(a, b) ((a) > (b) ? (a) : (b))
#define BJ_UNUSED(x) ((void)(x))

/* ---- byte order: little-endian (on-disk default) ---- */
static inline uint16_t bj_ld16(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t bj_ld32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline uint64_t bj_ld64(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)bj_ld32(b) | ((uint64_t)bj_ld32(b + 4) << 32);
}
static inline void bj_st16(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void bj_st32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
static inline void bj_st64(void *p, uint64_t v)
{
    bj_st32(p, (uint32_t)v);
    bj_st32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* ---- byte order: big-endian (keys) ---- */
static inline uint16_t bj_ld16be(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)((b[0] << 8) | b[1]);
}
static inline uint32_t bj_ld32be(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}
static inline uint64_t bj_ld64be(const void *p)
{
    const uint8_t *b = p;
    return ((uint64_t)bj_ld32be(b) << 32) | (uint64_t)bj_ld32be(b + 4);
}
static inline void bj_st16be(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}
static inline void bj_st32be(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}
static inline void bj_st64be(void *p, uint64_t v)
{
    bj_st32be(p, (uint32_t)(v >> 32));
    bj_st32be((uint8_t *)p + 4, (uint32_t)v);
}

/* Lexicographic comparison of two byte strings (memcmp, then length): ESE key order. */
static inline int bj_keycmp(const void *a, size_t cba, const void *b, size_t cbb)
{
    size_t n = cba < cbb ? cba : cbb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return cba < cbb ? -1 : (cba > cbb ? 1 : 0);
}

#endif /* BJ_COMMON_H */
