/* bkt.h: helpers of the backup API suites (test_backup_*.c): an instance in its own folder
 * with small logs, a database with one table of (id, payload) rows, streaming a backup file
 * into memory, reading a database header's backup history. Header-only (static functions).
 */
#ifndef BKT_H
#define BKT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esent.h"
#include "testlib.h"

typedef struct bkt {
    char dir[1024], db[1100];
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID dbid;
    JET_TABLEID t;
    JET_COLUMNID cId, cPay;
} bkt;

/* JET_paramCheckpointDepthMax of instances bkt_open makes (0: the default). */
static uint32_t g_bkt_chk_depth;

/* Creates the instance (logs, checkpoint and database in a fresh folder; 256 KiB logs). */
static inline JET_ERR bkt_open(bkt *b, const char *name, bool fCircular)
{
    JET_ERR err;
    char dir[1100];
    snprintf(b->dir, sizeof b->dir, "%s", bj_test_tmpdir());
    snprintf(b->db, sizeof b->db, "%s/main.edb", b->dir);
    snprintf(dir, sizeof dir, "%s/", b->dir);
    if ((err = JetCreateInstance(&b->inst, name)) < 0)
        return err;
    if ((err = JetSetSystemParameter(&b->inst, 0, JET_paramLogFilePath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramSystemPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramTempPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramCircularLog, fCircular, NULL)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramCacheSizeMax, 256, NULL)) < 0)
        return err;
    if (g_bkt_chk_depth && (err = JetSetSystemParameter(&b->inst, 0, JET_paramCheckpointDepthMax,
                                                        g_bkt_chk_depth, NULL)) < 0)
        return err;
    if ((err = JetInit(&b->inst)) < 0)
        return err;
    return JetBeginSession(b->inst, &b->s, NULL, NULL);
}

/* Creates main.edb with table "t" (id long primary key, payload binary). */
static inline JET_ERR bkt_create_db(bkt *b)
{
    JET_ERR err = JetCreateDatabase(b->s, b->db, NULL, &b->dbid, 0);
    JET_COLUMNDEF cd = {sizeof(cd), 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnFixed};
    JET_COLUMNDEF cp = {sizeof(cp), 0, JET_coltypLongBinary, 0, 0, 0, 0, 0, JET_bitColumnTagged};
    if (err >= 0)
        err = JetCreateTable(b->s, b->dbid, "t", 0, 100, &b->t);
    if (err >= 0)
        err = JetAddColumn(b->s, b->t, "id", &cd, NULL, 0, &b->cId);
    if (err >= 0)
        err = JetAddColumn(b->s, b->t, "pay", &cp, NULL, 0, &b->cPay);
    if (err >= 0)
        err = JetCreateIndex(b->s, b->t, "pk", JET_bitIndexPrimary, "+id\0", 5, 100);
    return err;
}

/* Inserts rows [first, first + n) with cbPay-byte payloads, one transaction each. */
static inline JET_ERR bkt_insert(JET_SESID s, JET_TABLEID t, JET_COLUMNID cId, JET_COLUMNID cPay,
                                 int32_t first, int32_t n, uint32_t cbPay)
{
    static char pay[4000];
    memset(pay, 'p', sizeof pay);
    JET_ERR err = JET_errSuccess;
    for (int32_t id = first; id < first + n && err >= 0; id++) {
        err = JetBeginTransaction(s);
        if (err >= 0)
            err = JetPrepareUpdate(s, t, JET_prepInsert);
        if (err >= 0)
            err = JetSetColumn(s, t, cId, &id, 4, 0, NULL);
        if (err >= 0)
            err = JetSetColumn(s, t, cPay, pay, cbPay < sizeof pay ? cbPay : sizeof pay, 0, NULL);
        if (err >= 0)
            err = JetUpdate(s, t, NULL, 0, NULL);
        if (err >= 0)
            err = JetCommitTransaction(s, 0);
    }
    return err;
}

static inline bool bkt_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Clean JetTerm and JetInit again on the same folders (the checkpoint moves to the end of the
 * log), main.edb attached and table "t" open. */
static inline JET_ERR bkt_reopen(bkt *b, const char *name)
{
    JET_ERR err;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/", b->dir);
    JetCloseTable(b->s, b->t);
    JetEndSession(b->s, 0);
    if ((err = JetTerm2(b->inst, JET_bitTermComplete)) < 0)
        return err;
    if ((err = JetCreateInstance(&b->inst, name)) < 0)
        return err;
    if ((err = JetSetSystemParameter(&b->inst, 0, JET_paramLogFilePath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramSystemPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramTempPath, 0, dir)) < 0 ||
        (err = JetSetSystemParameter(&b->inst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetInit(&b->inst)) < 0 || (err = JetBeginSession(b->inst, &b->s, NULL, NULL)) < 0 ||
        (err = JetAttachDatabase(b->s, b->db, 0)) < 0 ||
        (err = JetOpenDatabase(b->s, b->db, NULL, &b->dbid, 0)) < 0 ||
        (err = JetOpenTable(b->s, b->dbid, "t", NULL, 0, 0, &b->t)) < 0)
        return err;
    return JET_errSuccess;
}

/* GetTruncateLogInfo, TruncateLog, then: every listed log is gone. Returns how many. */
static inline int bkt_truncate_checked(bkt *b)
{
    uint32_t cb = 0;
    CHECK_OK(JetGetTruncateLogInfoInstance(b->inst, NULL, 0, &cb));
    char *del = calloc(1, cb + 1);
    CHECK_OK(JetGetTruncateLogInfoInstance(b->inst, del, cb, &cb));
    for (const char *p = del; *p; p += strlen(p) + 1)
        CHECK(bkt_exists(p));
    CHECK_OK(JetTruncateLogInstance(b->inst));
    int n = 0;
    for (const char *p = del; *p; p += strlen(p) + 1, n++)
        CHECK(!bkt_exists(p));
    free(del);
    return n;
}

static inline void bkt_close(bkt *b)
{
    JetEndSession(b->s, 0);
    JetTerm2(b->inst, JET_bitTermStopBackup);
}

/* Streams an opened backup file completely into a malloc'd buffer; *pcb = bytes. Returns the
 * first error of JetReadFileInstance (the buffer holds what came before). */
static inline JET_ERR bkt_read_all(JET_INSTANCE inst, JET_HANDLE h, uint32_t cbChunk, uint8_t **ppv,
                                   uint64_t *pcb)
{
    uint8_t *chunk = aligned_alloc(4096, cbChunk);
    uint8_t *all = NULL;
    uint64_t cb = 0;
    JET_ERR err = JET_errSuccess;
    for (;;) {
        uint32_t got = 0;
        err = JetReadFileInstance(inst, h, chunk, cbChunk, &got);
        if (err < 0 || got == 0)
            break;
        all = realloc(all, cb + got);
        memcpy(all + cb, chunk, got);
        cb += got;
    }
    free(chunk);
    *ppv = all;
    *pcb = cb;
    return err;
}

/* The database's header as JetGetDatabaseFileInfo reports it (JET_DBINFOMISC4). */
static inline JET_ERR bkt_misc(const char *db, JET_DBINFOMISC4 *m)
{
    memset(m, 0, sizeof(*m));
    return JetGetDatabaseFileInfo(db, m, sizeof(*m), JET_DbInfoMisc);
}

/* <dir>/edbXXXXXXXX.log */
static inline void bkt_log_name(const bkt *b, uint32_t gen, char *out, size_t cb)
{
    snprintf(out, cb, "%s/edb%08X.log", b->dir, gen);
}

/* Number of entries of a multi-string. */
static inline int bkt_multi_count(const char *szz)
{
    int n = 0;
    for (const char *p = szz; *p; p += strlen(p) + 1)
        n++;
    return n;
}

#endif /* BKT_H */
