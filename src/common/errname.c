/* errname.c: the JET_err / JET_wrn name of every result code of include/esent.h.
 *
 * The table comes from errname_table.inc, which the build generates from esent.h with
 * scripts/gen_errname.py: one entry per value, sorted by value, named by ESE's primary name
 * (aliases such as JET_errDatabaseInconsistent map to the name they stand for). The table is
 * constant; lookups are a binary search and need no lock.
 */
#include "common/common.h"

typedef struct {
    JET_ERR code;
    const char *name;
} bj_errname_entry;

#define BJ_ERRNAME(code, name) {(code), (name)},
#define BJ_ERRALIAS(alias, primary)
static const bj_errname_entry errname_table[] = {
#include "errname_table.inc"
};
#undef BJ_ERRNAME
#undef BJ_ERRALIAS

const char *bj_err_name(JET_ERR err)
{
    size_t lo = 0, hi = BJ_ARRAY_LEN(errname_table);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (errname_table[mid].code == err)
            return errname_table[mid].name;
        if (errname_table[mid].code < err)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
