/* api.h: private header of the API layer (src/api). Every Jet* entry point checks its arguments,
 * resolves its handles through src/inst, and calls one function there; nothing else. */
#ifndef BJ_API_H
#define BJ_API_H

#include "common/common.h"
#include "inst/inst.h"

/* Marks a Jet* definition exported from the shared library (built with -fvisibility=hidden). */
#define BJ_EXPORT __attribute__((visibility("default")))
/* Exports name as another name for the plain function target (the A forms of esent.h). */
#define BJ_ALIAS(target) __attribute__((alias(#target), visibility("default")))

struct bj_trx;
/* The session's transaction state (created on first use; api_trx.c). JET_errOutOfMemory. */
JET_ERR bj_api_sess_trx(bj_sess *s, struct bj_trx **ptrx);

struct bj_tableobj;
/* How bj_api_table_enter resolves the table. */
#define BJ_API_TABLE_COPY 0x1u      /* reads only the cursor's copies (bj_tableid_get_copy) */
#define BJ_API_TABLE_TRX_OWNER 0x2u /* the caller must own the open transaction (writes) */
/* Enters the session and resolves the table (JET_errInvalidSesid, JET_errInvalidTableId,
 * JET_errSesidTableIdMismatch, JET_errSessionSharingViolation); on success
 * bj_api_table_leave must follow. */
JET_ERR bj_api_table_enter(JET_SESID sesid, JET_TABLEID tableid, uint32_t flags, bj_sess **ps,
                           struct bj_tableobj **po);
void bj_api_table_leave(bj_sess *s, struct bj_tableobj *o);

/* JetInit3 with a JET_RSTINFO (api_restore.c): checks it (cbStruct, map, lgposStop), then
 * initializes with remapped databases and an optional point-in-time stop. */
JET_ERR bj_api_init_rstinfo(JET_INSTANCE *pinstance, const JET_RSTINFO *prstInfo,
                            JET_GRBIT grbit);
/* JetInit4 with a JET_RSTINFO2: the same with JET_RSTMAP2 entries (grbits checked; database
 * parameters checked, not applied) and a JET_PFNINITCALLBACK for progress. */
JET_ERR bj_api_init_rstinfo2(JET_INSTANCE *pinstance, const JET_RSTINFO2 *prstInfo,
                             JET_GRBIT grbit);

#endif /* BJ_API_H */
