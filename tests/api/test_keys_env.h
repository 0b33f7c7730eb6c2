/* test_keys_env.h: shared by the key / navigation conformance suites (test_keys*.c, test_nav*.c):
 * an instance + session + new database in the test's scratch folder, a table builder
 * ("id" Long NOT NULL primary key + columns + indexes), row inserts and index scans, all
 * through esent.h only.
 */
#ifndef BJ_TEST_KEYS_ENV_H
#define BJ_TEST_KEYS_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esent.h"
#include "testlib.h"

typedef struct kenv {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    char path[700];
} kenv;

/* Starts an instance named szInst with its files in a fresh folder and creates szDb there. */
static inline bool kenv_start(kenv *e, const char *szInst, const char *szDb)
{
    char dir[560];
    memset(e, 0, sizeof(*e));
    snprintf(dir, sizeof dir, "%s/%s/", bj_test_tmpdir(), szInst);
    char cmd[720];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd) != 0)
        return false;
    snprintf(e->path, sizeof e->path, "%s%s", dir, szDb);
    if (JetCreateInstance(&e->inst, szInst) < 0)
        return false;
    JetSetSystemParameter(&e->inst, 0, JET_paramSystemPath, 0, dir);
    JetSetSystemParameter(&e->inst, 0, JET_paramLogFilePath, 0, dir);
    JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, dir);
    if (JetInit(&e->inst) < 0)
        return false;
    if (JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return false;
    return JetCreateDatabase(e->ses, e->path, NULL, &e->db, 0) >= 0;
}

static inline void kenv_stop(kenv *e)
{
    if (!e->inst)
        return;
    CHECK_OK(JetTerm(e->inst));
    e->inst = 0;
}

typedef struct kcol {
    const char *name;
    JET_COLTYP coltyp;
    uint32_t cbMax;
    JET_GRBIT grbit;
    uint16_t cp;
} kcol;

typedef struct kidx {
    const char *name;
    const char *key; /* "+a\0-b\0" with its double NUL */
    uint32_t cbKey;
    JET_GRBIT grbit;
} kidx;

#define KKEY(s) s, sizeof(s)

/* Creates table szTable with "id" (column id 1, Long NOT NULL) then cols (ids 2.. for fixed,
 * 128.. variable, 256.. tagged in creation order), pk on +id when fPk, then the indexes;
 * the table is left open in *pt. JET_ERR of the first failure. */
static inline JET_ERR ktable(kenv *e, const char *szTable, const kcol *cols, uint32_t ccol,
                             bool fPk, const kidx *idx, uint32_t cidx, JET_COLUMNID *rgid,
                             JET_TABLEID *pt)
{
    JET_ERR err = JetCreateTable(e->ses, e->db, szTable, 0, 0, pt);
    JET_COLUMNDEF d = {sizeof d, 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnNotNULL};
    JET_COLUMNID id;
    if (err >= 0)
        err = JetAddColumn(e->ses, *pt, "id", &d, NULL, 0, &id);
    for (uint32_t i = 0; i < ccol && err >= 0; i++) {
        JET_COLUMNDEF c = {
            sizeof c, 0, cols[i].coltyp, 0, 0, cols[i].cp, 0, cols[i].cbMax, cols[i].grbit};
        err = JetAddColumn(e->ses, *pt, cols[i].name, &c, NULL, 0, &rgid[i]);
    }
    if (err >= 0 && fPk)
        err = JetCreateIndex(e->ses, *pt, "pk", JET_bitIndexPrimary, "+id\0", 5, 100);
    for (uint32_t i = 0; i < cidx && err >= 0; i++)
        err = JetCreateIndex(e->ses, *pt, idx[i].name, idx[i].grbit, idx[i].key, idx[i].cbKey, 100);
    if (err < 0)
        printf("ktable %s: %d\n", szTable, (int)err);
    return err;
}

/* The current record's id (column 1), or -1. */
static inline int32_t kid(kenv *e, JET_TABLEID t)
{
    int32_t id = -1;
    uint32_t cb = 0;
    if (JetRetrieveColumn(e->ses, t, 1, &id, 4, &cb, 0, NULL) != 0 || cb != 4)
        return -1;
    return id;
}

/* Scans the current index from the first (fForward) or last entry; ids into rg (at most cmax).
 * Returns the number of entries, or -1 on an unexpected error. */
static inline int kscan(kenv *e, JET_TABLEID t, bool fForward, int32_t *rg, int cmax)
{
    int n = 0;
    JET_ERR err = JetMove(e->ses, t, fForward ? JET_MoveFirst : JET_MoveLast, 0);
    while (err >= 0) {
        if (rg && n >= 0 && n < cmax)
            rg[n] = kid(e, t);
        n++;
        err = JetMove(e->ses, t, fForward ? JET_MoveNext : JET_MovePrevious, 0);
    }
    return err == JET_errNoCurrentRecord ? n : -1;
}

/* Counts the entries from the current one to the end of the index range by JetMove. */
static inline int kcount_moves(kenv *e, JET_TABLEID t, bool fForward)
{
    int n = 1;
    JET_ERR err;
    while ((err = JetMove(e->ses, t, fForward ? JET_MoveNext : JET_MovePrevious, 0)) >= 0)
        n++;
    return err == JET_errNoCurrentRecord ? n : -1;
}

static inline uint32_t krand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

#endif /* BJ_TEST_KEYS_ENV_H */
