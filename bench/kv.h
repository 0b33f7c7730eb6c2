/* kv.h: the engine-neutral interface the key-value benchmark drives (bench_kv.c).
 * Each engine (bluejet, SQLite, LMDB) implements one bench_engine in its own file.
 * Rows: 8-byte integer key, fixed-size binary value.
 */
#ifndef BJ_BENCH_KV_H
#define BJ_BENCH_KV_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_VALUE_SIZE 100

typedef struct bench_engine {
    const char *name;
    /* Opens a fresh store in dir (an empty folder); cache_mb bounds the engine's cache. */
    int (*open)(const char *dir, size_t cache_mb, void **ctx);
    /* Inserts rows keys[0..n) in one transaction; value_of(key) gives the bytes. */
    int (*load_batch)(void *ctx, const int64_t *keys, size_t n);
    /* Looks up one key; copies the value into out (BENCH_VALUE_SIZE bytes). 0 = found. */
    int (*lookup)(void *ctx, int64_t key, uint8_t *out);
    /* Reads every row in key order; returns the row count (or -1), and sums bytes into *sum. */
    long (*scan)(void *ctx, uint64_t *sum);
    /* Updates n rows (each its own transaction unless the engine batches: see bench_kv.c). */
    int (*update_batch)(void *ctx, const int64_t *keys, size_t n, uint32_t salt);
    void (*close)(void *ctx);
} bench_engine;

/* The value stored for a key (deterministic, so lookups can be checked). */
void bench_value_of(int64_t key, uint32_t salt, uint8_t *out);

extern const bench_engine bench_engine_sqlite;
extern const bench_engine bench_engine_lmdb;
extern const bench_engine bench_engine_bluejet;

#endif
