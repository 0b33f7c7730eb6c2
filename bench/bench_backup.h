/* bench_backup.h: one engine of the online-backup benchmark (bench_backup.c drives them).
 *
 * An engine builds its data set once (prepare), then for each run the driver:
 *   1. copies the engine's data file like `cat` (read + write in 1 MiB chunks, fdatasync), the
 *      baseline the backup is compared with;
 *   2. starts the engine's writer, lets it warm up, counts its commits over a baseline period
 *      (commits/s without a backup);
 *   3. runs the backup of variant v to a file while the writer goes on (commits/s during the
 *      backup), then fsyncs the output; the time to the first byte is what the engine reports
 *      (>= 0), else when the output file first has a byte (polled every 0.2 ms);
 *   4. stops the writer.
 * Adding an engine is one more bench_backup_engine value and one line in bench_backup.c's table.
 */
#ifndef BENCH_BACKUP_H
#define BENCH_BACKUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_BACKUP_MAX_VARIANTS 4

typedef struct bench_backup_engine {
    const char *name;
    int cVariants;
    const char *variant[BENCH_BACKUP_MAX_VARIANTS]; /* "SQLite backup API", ... */
    /* Builds a data set of about cb bytes in folder dir (exists, empty); nWriters writer threads
     * later. 0 on success. */
    int (*prepare)(const char *dir, uint64_t cb, int nWriters, void **env);
    /* The data file `cat` copies (the file the backup streams). */
    const char *(*data_path)(void *env);
    int (*writer_start)(void *env);
    /* Commits so far (any thread may call). */
    uint64_t (*writer_commits)(void *env);
    /* Stops the writer; 0 when it ran without error. */
    int (*writer_stop)(void *env);
    /* Backs the data set up to out (variant v; a file, or a folder) while the writer runs;
     * *ptFirst = seconds from the call to the first byte of data available, or left < 0 for the
     * driver's poll; *pcbData = bytes of the database image (0: the driver takes out's size),
     * *pcbExtra = other bytes (logs); *psecData = seconds the image alone took, or left < 0
     * when it is the whole call. 0 on success. */
    int (*backup)(void *env, int v, const char *out, double *ptFirst, uint64_t *pcbData,
                  uint64_t *pcbExtra, double *psecData);
    void (*close)(void *env);
} bench_backup_engine;

extern const bench_backup_engine bench_backup_sqlite;
extern const bench_backup_engine bench_backup_lmdb;
extern const bench_backup_engine bench_backup_bluejet;

/* A peer's writer thread: main loops until stop, adding to commits; err = 0 when it ended
 * without an error. */
typedef struct bench_writer {
    pthread_t thread;
    bool running;
    atomic_bool stop;
    _Atomic uint64_t commits;
    int err;
} bench_writer;
/* Starts main(arg) as the writer thread (stop cleared); 0 on success. */
int bench_writer_start(bench_writer *w, void *(*main)(void *), void *arg);
/* Commits so far. */
uint64_t bench_writer_commits(bench_writer *w);
/* Stops and joins the thread (no-op when not running); returns its err. */
int bench_writer_stop(bench_writer *w);

/* --max-rate: bluejet copies at most this many MB a second (0: unpaced). */
extern uint32_t bench_backup_mb_per_sec;

/* Fills buf with cb incompressible bytes from state *x (xorshift). */
void bench_backup_random(uint64_t *x, void *buf, size_t cb);

#endif /* BENCH_BACKUP_H */
