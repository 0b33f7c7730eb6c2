/* backup_bluejet.c: bluejet in the online-backup benchmark (bench_backup.h).
 *
 * Data: an instance folder with logging on (circular logging off), the demo workload's database
 * (demo/workload.h: accounts, writers, history) grown to the data-set size by bj_wl_fill (table
 * "filler", 64 KiB long values). Writer: the workload's writer threads (--writers, default 1),
 * each transaction a transfer, a seq update and a history row, committed durably
 * (JetCommitTransaction 0). Backup: a full external backup streamed into a folder
 * (backupset/backup_stream.c: JetBeginExternalBackupInstance, JetGetAttachInfoInstance,
 * JetOpenFileInstance / JetReadFileInstance in 1 MiB reads / JetCloseFileInstance, then the logs
 * through JetGetLogInfoInstance2, JetTruncateLogInstance, JetEndExternalBackupInstance2), each
 * file fdatasync'ed. The image's bytes are the database stream (two header copies, every page,
 * the trailer); the logs count apart. The time to the first byte runs from just before
 * JetBeginExternalBackupInstance to the first JetReadFileInstance that returned data.
 * --max-rate paces the copy (bj_bks_backup's mbPerSec).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup_stream.h"
#include "bench_backup.h"
#include "bench_util.h"
#include "workload.h"

typedef struct bjb_env {
    char dir[4200], db[4300];
    JET_INSTANCE inst;
    bj_wl_params p;
    bj_wl *wl;
} bjb_env;

static int bjb_fail(const char *what, JET_ERR err)
{
    fprintf(stderr, "bluejet: %s: %d\n", what, (int)err);
    return -1;
}

static int bjb_prepare(const char *dir, uint64_t cb, int nWriters, void **out)
{
    bjb_env *e = calloc(1, sizeof *e);
    JET_ERR err;
    if (!e)
        return -1;
    *out = e;
    snprintf(e->dir, sizeof e->dir, "%s/inst", dir);
    snprintf(e->db, sizeof e->db, "%s/bench.edb", e->dir);
    bj_wl_params in = {.cWriters = nWriters};
    bj_wl_params_fill(&in, &e->p);
    if ((err = bj_wl_instance_open(e->dir, "bench_backup", &e->inst)) < 0)
        return bjb_fail("instance", err);
    if ((err = bj_wl_setup(e->inst, e->db, &e->p)) < 0)
        return bjb_fail("bj_wl_setup", err);
    if ((err = bj_wl_fill(e->inst, e->db, cb)) < 0)
        return bjb_fail("bj_wl_fill", err);
    return 0;
}

static const char *bjb_data_path(void *env)
{
    return ((bjb_env *)env)->db;
}

static int bjb_writer_start(void *env)
{
    bjb_env *e = env;
    JET_ERR err = bj_wl_start(e->inst, e->db, &e->p, NULL, NULL, 0, &e->wl);
    return err < 0 ? bjb_fail("bj_wl_start", err) : 0;
}

static uint64_t bjb_writer_commits(void *env)
{
    bjb_env *e = env;
    return e->wl ? bj_wl_sample_now(e->wl).commits : 0;
}

static int bjb_writer_stop(void *env)
{
    bjb_env *e = env;
    bj_wl_stats st;
    if (!e->wl)
        return 0;
    JET_ERR err = bj_wl_stop(e->wl, &st);
    e->wl = NULL;
    return err < 0 ? bjb_fail("writer", err) : 0;
}

static int bjb_backup(void *env, int v, const char *out, double *ptFirst, uint64_t *pcbData,
                      uint64_t *pcbExtra, double *psecData)
{
    (void)v;
    bjb_env *e = env;
    bj_bks_stats st;
    JET_ERR err = bj_bks_backup(e->inst, 0, out, true, 0, bench_backup_mb_per_sec, NULL, NULL, &st);
    if (err < 0)
        return bjb_fail("external backup", err);
    *ptFirst = st.secFirstByte;
    *pcbData = st.cbDatabases;
    *pcbExtra = st.cbLogs;
    *psecData = st.secDatabases;
    return 0;
}

static void bjb_close(void *env)
{
    bjb_env *e = env;
    if (!e)
        return;
    bjb_writer_stop(e);
    if (e->inst)
        JetTerm(e->inst);
    free(e);
}

const bench_backup_engine bench_backup_bluejet = {
    .name = "bluejet",
    .cVariants = 1,
    .variant = {"bluejet external backup (full)"},
    .prepare = bjb_prepare,
    .data_path = bjb_data_path,
    .writer_start = bjb_writer_start,
    .writer_commits = bjb_writer_commits,
    .writer_stop = bjb_writer_stop,
    .backup = bjb_backup,
    .close = bjb_close,
};
