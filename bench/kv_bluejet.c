/* kv_bluejet.c: bluejet for the key-value benchmark, through esent.h only, as a user program
 * would call it: one instance (8 KiB pages, JET_paramCacheSizeMax = cache_mb in pages, system
 * and temporary files in the bench folder), one session, one database with table "kv"
 * (k LongLong primary key, v Binary(100)). Loads and updates run in JetBeginTransaction /
 * JetCommitTransaction batches; lookups and the scan run outside transactions. bluejet has no
 * transaction log yet (issue 3): commits are in memory, pages reach the file at eviction and at
 * detach, so nothing is durable before JetTerm. */
#include <esent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bj.h"
#include "kv.h"

#define BJ_KV_PAGE 8192

typedef struct {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tab;
    JET_COLUMNID colK, colV;
} bj_kv_ctx;

static int bjkv_fail(const char *what, JET_ERR err)
{
    fprintf(stderr, "bluejet: %s: %d\n", what, (int)err);
    return -1;
}

#define TRY(what, call)                                                                            \
    do {                                                                                           \
        JET_ERR e_ = (call);                                                                       \
        if (e_ < 0)                                                                                \
            return bjkv_fail(what, e_);                                                            \
    } while (0)

static int bjkv_open(const char *dir, size_t cache_mb, void **out)
{
    bj_kv_ctx *c = calloc(1, sizeof *c);
    char sys[4096], db[4096];
    if (!c)
        return -1;
    snprintf(sys, sizeof sys, "%s/", dir);
    snprintf(db, sizeof db, "%s/bench.edb", dir);
    TRY("JetCreateInstance", JetCreateInstance(&c->inst, "bench"));
    TRY("page size",
        JetSetSystemParameter(&c->inst, 0, JET_paramDatabasePageSize, BJ_KV_PAGE, NULL));
    TRY("cache size", JetSetSystemParameter(&c->inst, 0, JET_paramCacheSizeMax,
                                            cache_mb * 1024 * 1024 / BJ_KV_PAGE, NULL));
    TRY("system path", JetSetSystemParameter(&c->inst, 0, JET_paramSystemPath, 0, sys));
    TRY("log path", JetSetSystemParameter(&c->inst, 0, JET_paramLogFilePath, 0, sys));
    TRY("temp path", JetSetSystemParameter(&c->inst, 0, JET_paramTempPath, 0, sys));
    TRY("JetInit", JetInit(&c->inst));
    TRY("JetBeginSession", JetBeginSession(c->inst, &c->ses, NULL, NULL));
    TRY("JetCreateDatabase", JetCreateDatabase(c->ses, db, NULL, &c->dbid, 0));

    TRY("JetCreateTableColumnIndex",
        bench_bj_create_kv(c->ses, c->dbid, BENCH_VALUE_SIZE, &c->tab, &c->colK, &c->colV));
    *out = c;
    return 0;
}

static int bjkv_load(void *ctx, const int64_t *keys, size_t n)
{
    bj_kv_ctx *c = ctx;
    uint8_t v[BENCH_VALUE_SIZE];
    TRY("JetBeginTransaction", JetBeginTransaction(c->ses));
    for (size_t i = 0; i < n; i++) {
        bench_value_of(keys[i], 0, v);
        JET_SETCOLUMN set[2] = {
            {.columnid = c->colK, .pvData = &keys[i], .cbData = sizeof keys[i]},
            {.columnid = c->colV, .pvData = v, .cbData = sizeof v},
        };
        TRY("JetPrepareUpdate", JetPrepareUpdate(c->ses, c->tab, JET_prepInsert));
        TRY("JetSetColumns", JetSetColumns(c->ses, c->tab, set, 2));
        TRY("JetUpdate", JetUpdate(c->ses, c->tab, NULL, 0, NULL));
    }
    TRY("JetCommitTransaction", JetCommitTransaction(c->ses, 0));
    return 0;
}

static int bjkv_seek(bj_kv_ctx *c, int64_t key)
{
    TRY("JetMakeKey", JetMakeKey(c->ses, c->tab, &key, sizeof key, JET_bitNewKey));
    JET_ERR err = JetSeek(c->ses, c->tab, JET_bitSeekEQ);
    return err < 0 ? bjkv_fail("JetSeek", err) : 0;
}

static int bjkv_lookup(void *ctx, int64_t key, uint8_t *out)
{
    bj_kv_ctx *c = ctx;
    uint32_t cb = 0;
    if (bjkv_seek(c, key))
        return -1;
    TRY("JetRetrieveColumn",
        JetRetrieveColumn(c->ses, c->tab, c->colV, out, BENCH_VALUE_SIZE, &cb, 0, NULL));
    return cb == BENCH_VALUE_SIZE ? 0 : -1;
}

static long bjkv_scan(void *ctx, uint64_t *sum)
{
    bj_kv_ctx *c = ctx;
    long n = 0;
    int64_t k;
    uint8_t v[BENCH_VALUE_SIZE];
    JET_ERR err = JetMove(c->ses, c->tab, JET_MoveFirst, 0);
    while (err >= 0) {
        JET_RETRIEVECOLUMN rc[2] = {
            {.columnid = c->colK, .pvData = &k, .cbData = sizeof k, .itagSequence = 1},
            {.columnid = c->colV, .pvData = v, .cbData = sizeof v, .itagSequence = 1},
        };
        err = JetRetrieveColumns(c->ses, c->tab, rc, 2);
        if (err < 0 || rc[0].err < 0 || rc[1].err < 0 || rc[1].cbActual != sizeof v)
            return bjkv_fail("JetRetrieveColumns", err < 0 ? err : rc[0].err ? rc[0].err : -1);
        *sum += (uint64_t)k + v[0];
        n++;
        err = JetMove(c->ses, c->tab, JET_MoveNext, 0);
    }
    return err == JET_errNoCurrentRecord ? n : bjkv_fail("JetMove", err);
}

static int bjkv_update(void *ctx, const int64_t *keys, size_t n, uint32_t salt)
{
    bj_kv_ctx *c = ctx;
    uint8_t v[BENCH_VALUE_SIZE];
    TRY("JetBeginTransaction", JetBeginTransaction(c->ses));
    for (size_t i = 0; i < n; i++) {
        bench_value_of(keys[i], salt, v);
        if (bjkv_seek(c, keys[i]))
            return -1;
        TRY("JetPrepareUpdate", JetPrepareUpdate(c->ses, c->tab, JET_prepReplace));
        TRY("JetSetColumn", JetSetColumn(c->ses, c->tab, c->colV, v, sizeof v, 0, NULL));
        TRY("JetUpdate", JetUpdate(c->ses, c->tab, NULL, 0, NULL));
    }
    TRY("JetCommitTransaction", JetCommitTransaction(c->ses, 0));
    return 0;
}

static void bjkv_close(void *ctx)
{
    bj_kv_ctx *c = ctx;
    JetCloseTable(c->ses, c->tab);
    JetEndSession(c->ses, 0);
    JetTerm(c->inst);
    free(c);
}

const bench_engine bench_engine_bluejet = {"bluejet", bjkv_open,   bjkv_load, bjkv_lookup,
                                           bjkv_scan, bjkv_update, bjkv_close};
