/* inst_recover.h: crash recovery at JetInit (inst_recover.c). Private to src/inst. */
#ifndef BJ_INST_RECOVER_H
#define BJ_INST_RECOVER_H

#include "inst/db.h"

/* Replays the instance's log folder (if any), undoes unfinished transactions, leaves every
 * database detached and CleanShutdown, and opens the log writer (inst->ilog) continuing the
 * stream (or a new stream when there is no log). The caller then calls bj_ilog_begin_normal.
 * On error the instance's files are as redo's first pass found them when the log is bad;
 * otherwise the error of the step that failed. */
JET_ERR bj_inst_recover(bj_inst *inst);

#endif /* BJ_INST_RECOVER_H */
