/* backup_lmdb.c: LMDB in the online-backup benchmark (bench_backup.h).
 *
 * Data: one environment file (MDB_NOSUBDIR), map of twice the data plus 1 GiB, 8-byte
 * big-endian keys with 1000-byte incompressible values appended (MDB_APPEND) in transactions of
 * 10000 rows. Writer: one thread, one write transaction per 64-byte row (keys from 2^62 up),
 * default sync (an fsync per commit). Backup variants: mdb_env_copy (the map's pages as they are,
 * within one read transaction; writes the output with O_DIRECT where it can; mdb_env_copy2 with
 * flags 0 is the same call) and mdb_env_copy2 with MDB_CP_COMPACT (walks the trees, renumbers
 * pages, omits free ones). Neither streams to the caller: the time to the first byte is when the
 * output file first has one (the driver polls).
 * Threads: the writer thread owns its transactions; the counter is atomic.
 */
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_backup.h"
#include "bench_util.h"

#define LM_VALUE 1000
#define LM_BATCH 10000

typedef struct lm_env {
    char path[4200];
    MDB_env *env;
    MDB_dbi dbi;
    bench_writer w;
    uint64_t nextKey;
} lm_env;

static void lm_key(uint64_t k, uint8_t *out)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(k >> (56 - 8 * i));
}

static int lm_prepare(const char *dir, uint64_t cb, int nWriters, void **out)
{
    (void)nWriters;
    lm_env *e = calloc(1, sizeof *e);
    MDB_txn *txn = NULL;
    uint8_t v[LM_VALUE], kb[8];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int rc;
    if (!e)
        return -1;
    *out = e;
    snprintf(e->path, sizeof e->path, "%s/backup.mdb", dir);
    e->nextKey = (uint64_t)1 << 62;
    uint64_t rows = cb / (LM_VALUE + 24) + 1;
    if ((rc = mdb_env_create(&e->env)) ||
        (rc = mdb_env_set_mapsize(e->env, (size_t)(2 * cb + ((uint64_t)1 << 30)))) ||
        (rc = mdb_env_open(e->env, e->path, MDB_NOSUBDIR, 0644)))
        goto fail;
    for (uint64_t i = 0; i < rows; i += LM_BATCH) {
        if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)))
            goto fail;
        if (i == 0 && (rc = mdb_dbi_open(txn, NULL, 0, &e->dbi)))
            goto fail;
        for (uint64_t k = i; k < rows && k < i + LM_BATCH; k++) {
            bench_backup_random(&x, v, sizeof v);
            lm_key(k, kb);
            MDB_val mk = {8, kb}, mv = {sizeof v, v};
            if ((rc = mdb_put(txn, e->dbi, &mk, &mv, MDB_APPEND)))
                goto fail;
        }
        rc = mdb_txn_commit(txn);
        txn = NULL;
        if (rc)
            goto fail;
    }
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    fprintf(stderr, "lmdb prepare: %s\n", mdb_strerror(rc));
    return -1;
}

static const char *lm_data_path(void *env)
{
    return ((lm_env *)env)->path;
}

static void *lm_writer(void *arg)
{
    lm_env *e = arg;
    uint8_t v[64], kb[8];
    uint64_t x = 6789;
    int rc = 0;
    e->w.err = -1;
    while (!atomic_load(&e->w.stop)) {
        MDB_txn *txn;
        bench_backup_random(&x, v, sizeof v);
        lm_key(e->nextKey, kb);
        MDB_val mk = {8, kb}, mv = {sizeof v, v};
        if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)))
            break;
        if ((rc = mdb_put(txn, e->dbi, &mk, &mv, MDB_APPEND))) {
            mdb_txn_abort(txn);
            break;
        }
        if ((rc = mdb_txn_commit(txn)))
            break;
        e->nextKey++;
        atomic_fetch_add(&e->w.commits, 1);
    }
    if (rc)
        fprintf(stderr, "lmdb writer: %s\n", mdb_strerror(rc));
    else
        e->w.err = 0;
    return NULL;
}

static int lm_writer_start(void *env)
{
    return bench_writer_start(&((lm_env *)env)->w, lm_writer, env);
}

static uint64_t lm_writer_commits(void *env)
{
    return bench_writer_commits(&((lm_env *)env)->w);
}

static int lm_writer_stop(void *env)
{
    return bench_writer_stop(&((lm_env *)env)->w);
}

static int lm_backup(void *env, int v, const char *out, double *ptFirst, uint64_t *pcbData,
                     uint64_t *pcbExtra, double *psecData)
{
    (void)psecData;
    lm_env *e = env;
    (void)ptFirst; /* the driver polls the output file */
    int rc = v == 0 ? mdb_env_copy(e->env, out) : mdb_env_copy2(e->env, out, MDB_CP_COMPACT);
    if (rc) {
        fprintf(stderr, "lmdb copy: %s\n", mdb_strerror(rc));
        return -1;
    }
    *pcbData = 0; /* the driver takes the output's size */
    *pcbExtra = 0;
    return 0;
}

static void lm_close(void *env)
{
    lm_env *e = env;
    if (!e)
        return;
    lm_writer_stop(e);
    if (e->env)
        mdb_env_close(e->env);
    free(e);
}

const bench_backup_engine bench_backup_lmdb = {
    .name = "lmdb",
    .cVariants = 2,
    .variant = {"LMDB mdb_env_copy", "LMDB mdb_env_copy2 COMPACT"},
    .prepare = lm_prepare,
    .data_path = lm_data_path,
    .writer_start = lm_writer_start,
    .writer_commits = lm_writer_commits,
    .writer_stop = lm_writer_stop,
    .backup = lm_backup,
    .close = lm_close,
};
