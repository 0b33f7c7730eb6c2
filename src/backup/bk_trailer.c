/* bk_trailer.c: encoding and decoding of a backup image's trailer page (bk_trailer.h). */
#include "backup/bk_trailer.h"

#include <string.h>

#include "common/checksum.h"
#include "page/page.h"

void bj_bk_trailer_encode(const bj_bk_trailer *t, uint32_t pgnoLast, uint8_t *pg,
                          uint32_t cbPage)
{
    memset(pg, 0, cbPage);
    uint8_t *p = pg + bj_page_hdr_size(cbPage);
    bj_bkinfo_encode(&t->bkinfo, p + BJ_BKT_IB_BKINFO);
    bj_signature_encode(&t->signDb, p + BJ_BKT_IB_SIGNDB);
    bj_signature_encode(&t->signLog, p + BJ_BKT_IB_SIGNLOG);
    bj_st32(p + BJ_BKT_IB_GENMINREQ, t->genMinRequired);
    bj_st32(p + BJ_BKT_IB_GENMAXREQ, t->genMaxRequired);
    bj_st32(p + BJ_BKT_IB_GENMAXCOMMITTED, t->genMaxCommitted);
    bj_logtime_encode(&t->logtimeGenMaxRequired, p + BJ_BKT_IB_TMGENMAXREQ);
    bj_logtime_encode(&t->logtimeGenMaxCommitted, p + BJ_BKT_IB_TMGENMAXCOMMITTED);
    bj_page_seal(pg, cbPage, pgnoLast + 1);
}

JET_ERR bj_bk_trailer_decode(const uint8_t *pg, uint32_t cbPage, uint32_t pgnoLast,
                             bj_bk_trailer *t)
{
    if (bj_page_is_zero(pg, cbPage))
        return BJ_ERR(JET_errPageNotInitialized);
    if (!bj_checksum_page_ok(pg, cbPage, pgnoLast + 1))
        return BJ_ERR(JET_errReadVerifyFailure);
    const uint8_t *p = pg + bj_page_hdr_size(cbPage);
    memset(t, 0, sizeof(*t));
    bj_bkinfo_decode(p + BJ_BKT_IB_BKINFO, &t->bkinfo);
    bj_signature_decode(p + BJ_BKT_IB_SIGNDB, &t->signDb);
    bj_signature_decode(p + BJ_BKT_IB_SIGNLOG, &t->signLog);
    t->genMinRequired = bj_ld32(p + BJ_BKT_IB_GENMINREQ);
    t->genMaxRequired = bj_ld32(p + BJ_BKT_IB_GENMAXREQ);
    t->genMaxCommitted = bj_ld32(p + BJ_BKT_IB_GENMAXCOMMITTED);
    bj_logtime_decode(p + BJ_BKT_IB_TMGENMAXREQ, &t->logtimeGenMaxRequired);
    bj_logtime_decode(p + BJ_BKT_IB_TMGENMAXCOMMITTED, &t->logtimeGenMaxCommitted);
    return JET_errSuccess;
}
