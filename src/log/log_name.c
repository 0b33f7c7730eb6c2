/* log_name.c: the names of log, reserve and checkpoint files (ESE98 names, ese-backup-spec.md
 * §6): <base>.log, <base>XXXXXXXX.log (8 uppercase hex digits), <base>tmp.log,
 * <base>res00001.jrs, <base>.chk; and the parser of archive names (5 or 8 hex digits, either
 * case, extension .log in either case). No state.
 */
#include <ctype.h>
#include <strings.h>
#include <stdio.h>

#include "log/log_int.h"

static JET_ERR name_into(char *out, size_t cb, const char *szPath, const char *name)
{
    return bj_path_join(out, cb, szPath ? szPath : "", name);
}

static JET_ERR check_base(const char *szBase)
{
    if (!szBase || strlen(szBase) != 3 || strchr(szBase, '/'))
        return BJ_ERR(JET_errInvalidParameter);
    return JET_errSuccess;
}

/* <path>/<base><suffix>, the suffix made from fmt and one unsigned number. */
static JET_ERR name_of(char *out, size_t cb, const char *szPath, const char *szBase,
                       const char *fmt, unsigned n)
{
    JET_ERR err = JET_errSuccess;
    char name[32], suffix[24];
    CALL(check_base(szBase));
    snprintf(suffix, sizeof(suffix), fmt, n);
    snprintf(name, sizeof(name), "%s%s", szBase, suffix);
    CALL(name_into(out, cb, szPath, name));
fail:
    return err;
}

JET_ERR bj_log_name_current(char *out, size_t cb, const char *szPath, const char *szBase)
{
    return name_of(out, cb, szPath, szBase, ".log", 0);
}

JET_ERR bj_log_name_gen(char *out, size_t cb, const char *szPath, const char *szBase, uint32_t gen)
{
    if (gen == 0)
        return BJ_ERR(JET_errInvalidParameter);
    return name_of(out, cb, szPath, szBase, "%08X.log", (unsigned)gen);
}

JET_ERR bj_log_name_tmp(char *out, size_t cb, const char *szPath, const char *szBase)
{
    return name_of(out, cb, szPath, szBase, "tmp.log", 0);
}

JET_ERR bj_log_name_reserve(char *out, size_t cb, const char *szPath, const char *szBase,
                            uint32_t n)
{
    return name_of(out, cb, szPath, szBase, "res%05u.jrs", (unsigned)n);
}

JET_ERR bj_log_name_chk(char *out, size_t cb, const char *szPath, const char *szBase)
{
    return name_of(out, cb, szPath, szBase, ".chk", 0);
}

uint32_t bj_log_parse_gen(const char *szName, const char *szBase)
{
    size_t cbBase, cb, ndig;
    uint64_t gen = 0;
    if (!szName || !szBase)
        return 0;
    cbBase = strlen(szBase);
    cb = strlen(szName);
    if (cb < cbBase + 4 || strncasecmp(szName, szBase, cbBase) != 0)
        return 0;
    if (strcasecmp(szName + cb - 4, ".log") != 0)
        return 0;
    ndig = cb - cbBase - 4;
    if (ndig != 5 && ndig != 8)
        return 0;
    for (size_t i = 0; i < ndig; i++) {
        int c = (unsigned char)szName[cbBase + i];
        if (!isxdigit(c))
            return 0;
        gen = gen * 16 + (uint64_t)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    if (gen == 0 || gen > 0x7fffffffu)
        return 0;
    return (uint32_t)gen;
}
