/* api_enter.c: the one way an entry point that takes a JET_TABLEID enters its session and
 * resolves the table (api.h). */
#include "api/api.h"
#include "inst/tableid.h"

JET_ERR bj_api_table_enter(JET_SESID sesid, JET_TABLEID tableid, uint32_t flags, bj_sess **ps,
                           struct bj_tableobj **po)
{
    JET_ERR err = bj_sess_enter(sesid, 0, ps);
    if (err < 0)
        return err;
    err = (flags & BJ_API_TABLE_COPY) ? bj_tableid_get_copy(*ps, tableid, po)
                                      : bj_tableid_get(*ps, tableid, po);
    if (err < 0) {
        bj_sess_leave(*ps);
    } else if ((flags & BJ_API_TABLE_TRX_OWNER) && (*ps)->trx_level > 0 &&
               !bj_sess_check_trx_context(*ps)) {
        bj_tableid_put(*po);
        bj_sess_leave(*ps);
        err = BJ_ERR(JET_errSessionSharingViolation);
    }
    return err;
}

void bj_api_table_leave(bj_sess *s, struct bj_tableobj *o)
{
    bj_tableid_put(o);
    bj_sess_leave(s);
}
