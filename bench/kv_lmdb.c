/* kv_lmdb.c: LMDB peer for the key-value benchmark: default sync, integer keys (MDB_INTEGERKEY),
 * reads in read-only transactions. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

typedef struct {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rtxn; /* one long read transaction for the lookup phase, renewed per phase */
} lm_ctx;

static int lm_open(const char *dir, size_t cache_mb, void **out)
{
    lm_ctx *c = calloc(1, sizeof *c);
    MDB_txn *txn;
    if (!c || mdb_env_create(&c->env) || mdb_env_set_mapsize(c->env, (size_t)8 << 30) ||
        mdb_env_open(c->env, dir, 0, 0644) || mdb_txn_begin(c->env, NULL, 0, &txn) ||
        mdb_dbi_open(txn, NULL, MDB_INTEGERKEY, &c->dbi) || mdb_txn_commit(txn))
        return -1;
    *out = c;
    return 0;
}

static int lm_load(void *ctx, const int64_t *keys, size_t n)
{
    lm_ctx *c = ctx;
    MDB_txn *txn;
    uint8_t v[BENCH_VALUE_SIZE];
    if (mdb_txn_begin(c->env, NULL, 0, &txn))
        return -1;
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {sizeof keys[i], (void *)&keys[i]}, d = {sizeof v, v};
        bench_value_of(keys[i], 0, v);
        if (mdb_put(txn, c->dbi, &k, &d, 0)) {
            mdb_txn_abort(txn);
            return -1;
        }
    }
    return mdb_txn_commit(txn) ? -1 : 0;
}

static int lm_lookup(void *ctx, int64_t key, uint8_t *out)
{
    lm_ctx *c = ctx;
    MDB_val k = {sizeof key, &key}, d;
    int rc;
    if (!c->rtxn && mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rtxn))
        return -1;
    rc = mdb_get(c->rtxn, c->dbi, &k, &d);
    if (rc || d.mv_size != BENCH_VALUE_SIZE)
        return -1;
    memcpy(out, d.mv_data, BENCH_VALUE_SIZE);
    return 0;
}

static void lm_end_read(lm_ctx *c)
{
    if (c->rtxn) {
        mdb_txn_abort(c->rtxn);
        c->rtxn = NULL;
    }
}

static long lm_scan(void *ctx, uint64_t *sum)
{
    lm_ctx *c = ctx;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, d;
    long n = 0;
    lm_end_read(c);
    if (mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) || mdb_cursor_open(txn, c->dbi, &cur))
        return -1;
    for (int rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
        int64_t key;
        memcpy(&key, k.mv_data, sizeof key);
        *sum += (uint64_t)key + ((const uint8_t *)d.mv_data)[0];
        n++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return n;
}

static int lm_update(void *ctx, const int64_t *keys, size_t n, uint32_t salt)
{
    lm_ctx *c = ctx;
    MDB_txn *txn;
    uint8_t v[BENCH_VALUE_SIZE];
    lm_end_read(c);
    if (mdb_txn_begin(c->env, NULL, 0, &txn))
        return -1;
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {sizeof keys[i], (void *)&keys[i]}, d = {sizeof v, v};
        bench_value_of(keys[i], salt, v);
        if (mdb_put(txn, c->dbi, &k, &d, 0)) {
            mdb_txn_abort(txn);
            return -1;
        }
    }
    return mdb_txn_commit(txn) ? -1 : 0;
}

static void lm_close(void *ctx)
{
    lm_ctx *c = ctx;
    lm_end_read(c);
    mdb_env_close(c->env);
    free(c);
}

const bench_engine bench_engine_lmdb = {"lmdb", lm_open, lm_load, lm_lookup,
                                        lm_scan, lm_update, lm_close};
