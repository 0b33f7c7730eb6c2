/* errname.c: names of JET result codes for messages (bootstrap: filled from esent.h). */
#include "common/common.h"

const char *bj_err_name(JET_ERR err)
{
    switch (err) {
    case JET_errSuccess:
        return "JET_errSuccess";
    default:
        return NULL;
    }
}
