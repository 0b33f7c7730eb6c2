/* kv_sqlite.c: SQLite peer for the key-value benchmark: WAL mode, synchronous=NORMAL, one
 * table with an INTEGER PRIMARY KEY (the rowid, SQLite's fastest layout) and a BLOB value. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *ins, *get, *upd, *scan;
} sq_ctx;

static int sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int sq_open(const char *dir, size_t cache_mb, void **out)
{
    sq_ctx *c = calloc(1, sizeof *c);
    char path[4096], pragma[128];
    snprintf(path, sizeof path, "%s/bench.sqlite", dir);
    if (!c || sqlite3_open(path, &c->db) != SQLITE_OK)
        return -1;
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%zu", cache_mb * 1024);
    if (sq_exec(c->db, "PRAGMA journal_mode=WAL") || sq_exec(c->db, "PRAGMA synchronous=NORMAL") ||
        sq_exec(c->db, pragma) ||
        sq_exec(c->db, "CREATE TABLE kv(k INTEGER PRIMARY KEY, v BLOB NOT NULL)"))
        return -1;
    if (sqlite3_prepare_v2(c->db, "INSERT INTO kv(k, v) VALUES(?, ?)", -1, &c->ins, NULL) ||
        sqlite3_prepare_v2(c->db, "SELECT v FROM kv WHERE k = ?", -1, &c->get, NULL) ||
        sqlite3_prepare_v2(c->db, "UPDATE kv SET v = ? WHERE k = ?", -1, &c->upd, NULL) ||
        sqlite3_prepare_v2(c->db, "SELECT k, v FROM kv ORDER BY k", -1, &c->scan, NULL))
        return -1;
    *out = c;
    return 0;
}

static int sq_load(void *ctx, const int64_t *keys, size_t n)
{
    sq_ctx *c = ctx;
    uint8_t v[BENCH_VALUE_SIZE];
    if (sq_exec(c->db, "BEGIN"))
        return -1;
    for (size_t i = 0; i < n; i++) {
        bench_value_of(keys[i], 0, v);
        sqlite3_bind_int64(c->ins, 1, keys[i]);
        sqlite3_bind_blob(c->ins, 2, v, sizeof v, SQLITE_STATIC);
        if (sqlite3_step(c->ins) != SQLITE_DONE)
            return -1;
        sqlite3_reset(c->ins);
    }
    return sq_exec(c->db, "COMMIT");
}

static int sq_lookup(void *ctx, int64_t key, uint8_t *out)
{
    sq_ctx *c = ctx;
    int rc = -1;
    sqlite3_bind_int64(c->get, 1, key);
    if (sqlite3_step(c->get) == SQLITE_ROW && sqlite3_column_bytes(c->get, 0) == BENCH_VALUE_SIZE) {
        memcpy(out, sqlite3_column_blob(c->get, 0), BENCH_VALUE_SIZE);
        rc = 0;
    }
    sqlite3_reset(c->get);
    return rc;
}

static long sq_scan(void *ctx, uint64_t *sum)
{
    sq_ctx *c = ctx;
    long n = 0;
    while (sqlite3_step(c->scan) == SQLITE_ROW) {
        const uint8_t *v = sqlite3_column_blob(c->scan, 1);
        *sum += (uint64_t)sqlite3_column_int64(c->scan, 0) + v[0];
        n++;
    }
    sqlite3_reset(c->scan);
    return n;
}

static int sq_update(void *ctx, const int64_t *keys, size_t n, uint32_t salt)
{
    sq_ctx *c = ctx;
    uint8_t v[BENCH_VALUE_SIZE];
    if (sq_exec(c->db, "BEGIN"))
        return -1;
    for (size_t i = 0; i < n; i++) {
        bench_value_of(keys[i], salt, v);
        sqlite3_bind_blob(c->upd, 1, v, sizeof v, SQLITE_STATIC);
        sqlite3_bind_int64(c->upd, 2, keys[i]);
        if (sqlite3_step(c->upd) != SQLITE_DONE || sqlite3_changes(c->db) != 1)
            return -1;
        sqlite3_reset(c->upd);
    }
    return sq_exec(c->db, "COMMIT");
}

static void sq_close(void *ctx)
{
    sq_ctx *c = ctx;
    sqlite3_finalize(c->ins);
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->upd);
    sqlite3_finalize(c->scan);
    sqlite3_close(c->db);
    free(c);
}

const bench_engine bench_engine_sqlite = {"sqlite", sq_open, sq_load, sq_lookup,
                                          sq_scan,  sq_update, sq_close};
