/* err.c: where every JET error is born (see common.h), with optional tracing.
 * BLUEJET_TRACE_ERRORS=1 in the environment prints each error's code, name and origin to stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/common.h"

static int trace_state = -1; /* -1 unknown, 0 off, 1 on; a benign race: every reader agrees */

JET_ERR bj_err_born(JET_ERR err, const char *file, int line)
{
    if (trace_state < 0) {
        const char *env = getenv("BLUEJET_TRACE_ERRORS");
        trace_state = (env && *env && *env != '0') ? 1 : 0;
    }
    if (trace_state && err != JET_errSuccess) {
        const char *name = bj_err_name(err);
        fprintf(stderr, "bluejet: %s (%d) at %s:%d\n", name ? name : "?", (int)err, file, line);
    }
    return err;
}
