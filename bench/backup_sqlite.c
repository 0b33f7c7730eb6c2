/* backup_sqlite.c: SQLite in the online-backup benchmark (bench_backup.h).
 *
 * Data: one database file, WAL mode, table kv(k INTEGER PRIMARY KEY, v BLOB) of 1000-byte
 * incompressible values, loaded in transactions of 10000 rows and checkpointed (TRUNCATE) so the
 * main file holds everything. Writer: its own connection, synchronous=FULL (a durable commit:
 * fsync of the WAL), one 64-byte row per transaction into table w, busy_timeout 60 s.
 * Backup: a third connection on the source, sqlite3_backup_init to a new database file,
 * sqlite3_backup_step(1) (the time to the first page), then step(-1): one step holds the source's
 * read transaction to the end, so in WAL mode the writer goes on and the backup never restarts
 * (in chunks, every commit of another connection restarts it from page 1), then
 * sqlite3_backup_finish. The copy is a snapshot of the start of step(-1).
 * Threads: the writer thread owns its connection; the counter is atomic.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_backup.h"
#include "bench_util.h"

#define SQ_VALUE 1000
#define SQ_BATCH 10000

typedef struct sq_env {
    char path[4200];
    bench_writer w;
    int64_t nextKey;
} sq_env;

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

static int sq_prepare(const char *dir, uint64_t cb, int nWriters, void **out)
{
    (void)nWriters;
    sq_env *e = calloc(1, sizeof *e);
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    uint8_t v[SQ_VALUE];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int rc = -1;
    if (!e)
        return -1;
    *out = e;
    snprintf(e->path, sizeof e->path, "%s/backup.sqlite", dir);
    int64_t rows = (int64_t)(cb / (SQ_VALUE + 30)) + 1;
    if (sqlite3_open(e->path, &db) != SQLITE_OK || sq_exec(db, "PRAGMA journal_mode=WAL") ||
        sq_exec(db, "PRAGMA synchronous=OFF") ||
        sq_exec(db, "CREATE TABLE kv(k INTEGER PRIMARY KEY, v BLOB NOT NULL)") ||
        sq_exec(db, "CREATE TABLE w(k INTEGER PRIMARY KEY, v BLOB NOT NULL)") ||
        sqlite3_prepare_v2(db, "INSERT INTO kv(k, v) VALUES(?, ?)", -1, &ins, NULL))
        goto fail;
    for (int64_t i = 0; i < rows; i += SQ_BATCH) {
        if (sq_exec(db, "BEGIN"))
            goto fail;
        for (int64_t k = i; k < rows && k < i + SQ_BATCH; k++) {
            bench_backup_random(&x, v, sizeof v);
            sqlite3_bind_int64(ins, 1, k);
            sqlite3_bind_blob(ins, 2, v, sizeof v, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                goto fail;
            sqlite3_reset(ins);
        }
        if (sq_exec(db, "COMMIT"))
            goto fail;
    }
    if (sq_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"))
        goto fail;
    rc = 0;
fail:
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return rc;
}

static const char *sq_data_path(void *env)
{
    return ((sq_env *)env)->path;
}

static void *sq_writer(void *arg)
{
    sq_env *e = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    uint8_t v[64];
    uint64_t x = 12345;
    e->w.err = -1;
    if (sqlite3_open(e->path, &db) != SQLITE_OK || sq_exec(db, "PRAGMA synchronous=FULL") ||
        sqlite3_busy_timeout(db, 60000) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO w(k, v) VALUES(?, ?)", -1, &ins, NULL))
        goto fail;
    while (!atomic_load(&e->w.stop)) {
        bench_backup_random(&x, v, sizeof v);
        sqlite3_bind_int64(ins, 1, e->nextKey);
        sqlite3_bind_blob(ins, 2, v, sizeof v, SQLITE_STATIC);
        /* autocommit: one durable transaction per row */
        if (sqlite3_step(ins) != SQLITE_DONE) {
            fprintf(stderr, "sqlite writer: %s\n", sqlite3_errmsg(db));
            goto fail;
        }
        sqlite3_reset(ins);
        e->nextKey++;
        atomic_fetch_add(&e->w.commits, 1);
    }
    e->w.err = 0;
fail:
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return NULL;
}

static int sq_writer_start(void *env)
{
    return bench_writer_start(&((sq_env *)env)->w, sq_writer, env);
}

static uint64_t sq_writer_commits(void *env)
{
    return bench_writer_commits(&((sq_env *)env)->w);
}

static int sq_writer_stop(void *env)
{
    return bench_writer_stop(&((sq_env *)env)->w);
}

static int sq_backup(void *env, int v, const char *out, double *ptFirst, uint64_t *pcbData,
                     uint64_t *pcbExtra, double *psecData)
{
    (void)psecData;
    (void)v;
    sq_env *e = env;
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = -1, st;
    double t0 = bench_now();
    if (sqlite3_open(e->path, &src) != SQLITE_OK || sqlite3_busy_timeout(src, 60000) ||
        sqlite3_open(out, &dst) != SQLITE_OK)
        goto fail;
    if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
        fprintf(stderr, "sqlite backup_init: %s\n", sqlite3_errmsg(dst));
        goto fail;
    }
    st = sqlite3_backup_step(b, 1);
    *ptFirst = bench_now() - t0;
    while (st == SQLITE_OK || st == SQLITE_BUSY || st == SQLITE_LOCKED)
        st = sqlite3_backup_step(b, -1);
    if (st != SQLITE_DONE) {
        fprintf(stderr, "sqlite backup_step: %d\n", st);
        goto fail;
    }
    *pcbData = 0; /* the driver takes the output file's size */
    *pcbExtra = 0;
    rc = 0;
fail:
    if (b && sqlite3_backup_finish(b) != SQLITE_OK && rc == 0) {
        fprintf(stderr, "sqlite backup_finish: %s\n", sqlite3_errmsg(dst));
        rc = -1;
    }
    sqlite3_close(dst);
    sqlite3_close(src);
    return rc;
}

static void sq_close(void *env)
{
    sq_env *e = env;
    if (!e)
        return;
    sq_writer_stop(e);
    free(e);
}

const bench_backup_engine bench_backup_sqlite = {
    .name = "sqlite",
    .cVariants = 1,
    .variant = {"SQLite backup API (step -1)"},
    .prepare = sq_prepare,
    .data_path = sq_data_path,
    .writer_start = sq_writer_start,
    .writer_commits = sq_writer_commits,
    .writer_stop = sq_writer_stop,
    .backup = sq_backup,
    .close = sq_close,
};
