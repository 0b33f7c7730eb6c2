/* inst_priv.h: what the files of src/inst share and nobody else sees. */
#ifndef BJ_INST_PRIV_H
#define BJ_INST_PRIV_H

#include "inst/inst.h"

/* The process lock (ESE's g_critInst): instance registry, run mode, every parameter value. */
extern bj_mutex bj_inst_process_lock;

/* The process's parameter values (defaults for new instances, and the global parameters);
 * filled with the table's defaults on first use. Process lock held. */
bj_param_value *bj_param_process_values(void);
/* Copies every value of src into dst (strings duplicated); JET_errOutOfMemory. Lock held. */
JET_ERR bj_param_clone(bj_param_value *dst, const bj_param_value *src);
/* Frees the strings of a value array. */
void bj_param_free(bj_param_value *vals);
/* bj_param_set / bj_param_get with the process lock already held. */
JET_ERR bj_param_set_locked(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR lParam,
                            const char *sz);
JET_ERR bj_param_get_locked(bj_inst *inst, bj_sess *sess, uint32_t paramid,
                            JET_API_PTR *plParam, char *sz, uint32_t cbMax);
/* JetEnableMultiInstance when already in multi-instance mode: the given parameters must equal
 * the process's values (else JET_errSystemParameterConflict, recorded in the entry). Lock held. */
JET_ERR bj_param_compare(JET_SETSYSPARAM *psp, uint32_t csp, uint32_t *pcsucceed);
/* True when paramid is global (stored once per process). */
bool bj_param_is_global(uint32_t paramid);
/* Ends every session of an instance being terminated (JetTerm); the instance is quiet. */
void bj_sess_end_all(bj_inst *inst, bool dirty);
/* Sum of in_api over the instance's sessions, and whether one has an open transaction. */
void bj_sess_activity(bj_inst *inst, int32_t *pin_api, bool *ptrx);

#endif /* BJ_INST_PRIV_H */
