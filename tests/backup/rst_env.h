/* rst_env.h: shared set-up of the restore suites (test_restore_*.c): an instance in its own
 * folder with small logs (256 KiB), a database with table "t" (id long primary key, v long),
 * row helpers, a backup made by bk_fakeimage.c, and checks of a restored database (dbstate,
 * backup records, rows, `bluejet check`). Static functions: included by one suite each. */
#ifndef RST_ENV_H
#define RST_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_fakeimage.h"
#include "esent.h"
#include "testlib.h"

typedef struct rst_env {
    char src[900], bak[1000], rst[900]; /* instance folder, backup folder, restore folder */
    char db[1000];                        /* src/test.edb */
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tbl;
    JET_COLUMNID colId, colV;
} rst_env;

static int g_rst_seq;

static inline void env_dirs(rst_env *e)
{
    memset(e, 0, sizeof *e);
    snprintf(e->src, sizeof e->src, "%s/src%d", bj_test_tmpdir(), g_rst_seq);
    snprintf(e->bak, sizeof e->bak, "%s/bak%d", bj_test_tmpdir(), g_rst_seq);
    snprintf(e->rst, sizeof e->rst, "%s/rst%d", bj_test_tmpdir(), g_rst_seq);
    g_rst_seq++;
    mkdir(e->src, 0755);
    mkdir(e->rst, 0755);
    snprintf(e->db, sizeof e->db, "%s/test.edb", e->src);
}

/* An instance whose log and checkpoint are in dir (name unique per call). */
static inline JET_ERR inst_start(const char *dir, JET_INSTANCE *pinst)
{
    static int n;
    char name[32], path[1200];
    JET_ERR err;
    snprintf(name, sizeof name, "rst%d", n++);
    snprintf(path, sizeof path, "%s/", dir);
    if ((err = JetCreateInstance(pinst, name)) < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, path)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, path)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, path)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, 256, NULL)) < 0 ||
        (err = JetSetSystemParameter(pinst, 0, JET_paramCreatePathIfNotExist, 1, NULL)) < 0 ||
        (err = JetInit(pinst)) < 0) {
        JetTerm(*pinst);
        return err;
    }
    return JET_errSuccess;
}

static inline JET_ERR row_insert(rst_env *e, int32_t id, int32_t v)
{
    JET_ERR err = JetBeginTransaction(e->ses);
    if (err >= 0)
        err = JetPrepareUpdate(e->ses, e->tbl, JET_prepInsert);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tbl, e->colId, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(e->ses, e->tbl, e->colV, &v, 4, 0, NULL);
    if (err >= 0)
        err = JetUpdate(e->ses, e->tbl, NULL, 0, NULL);
    if (err >= 0)
        return JetCommitTransaction(e->ses, 0);
    JetRollback(e->ses, 0);
    return err;
}

static inline JET_ERR rows_insert(rst_env *e, int32_t from, int32_t to)
{
    for (int32_t i = from; i <= to; i++) {
        JET_ERR err = row_insert(e, i, i * 3);
        if (err < 0)
            return err;
    }
    return JET_errSuccess;
}

/* The source: an instance in src with test.edb, table t and rows 1..nrows. */
static inline JET_ERR env_open(rst_env *e, int32_t nrows)
{
    JET_ERR err;
    if ((err = inst_start(e->src, &e->inst)) < 0)
        return err;
    if ((err = JetBeginSession(e->inst, &e->ses, NULL, NULL)) < 0 ||
        (err = JetCreateDatabase(e->ses, e->db, NULL, &e->dbid, 0)) < 0 ||
        (err = JetCreateTable(e->ses, e->dbid, "t", 0, 100, &e->tbl)) < 0)
        return err;
    JET_COLUMNDEF cd = {sizeof(cd), 0, JET_coltypLong, 0, 0, 0, 0, 4, JET_bitColumnFixed};
    if ((err = JetAddColumn(e->ses, e->tbl, "id", &cd, NULL, 0, &e->colId)) < 0 ||
        (err = JetAddColumn(e->ses, e->tbl, "v", &cd, NULL, 0, &e->colV)) < 0 ||
        (err = JetCreateIndex(e->ses, e->tbl, "pk", JET_bitIndexPrimary, "+id\0", 5, 100)) < 0)
        return err;
    return rows_insert(e, 1, nrows);
}

static inline void env_close(rst_env *e)
{
    if (e->inst) {
        if (e->tbl)
            JetCloseTable(e->ses, e->tbl);
        if (e->ses)
            JetEndSession(e->ses, 0);
        JetTerm(e->inst);
        e->inst = 0;
        e->ses = 0;
        e->tbl = 0;
    }
}

/* Reads every row of table t of the database at path in a fresh instance with its log in dir:
 * *pc rows, every row's v = 3 * id checked (*pfOk), and bitmap rgf[id] for ids < cmax. */
static inline JET_ERR db_rows(const char *dir, const char *path, uint32_t *pc, bool *rgf, int32_t cmax,
                       bool *pfOk)
{
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_DBID db = 0;
    JET_TABLEID t = 0;
    JET_COLUMNDEF cdId, cdV;
    JET_ERR err;
    *pc = 0;
    *pfOk = true;
    if ((err = inst_start(dir, &inst)) < 0)
        return err;
    if ((err = JetBeginSession(inst, &s, NULL, NULL)) < 0 ||
        (err = JetAttachDatabase(s, path, JET_bitDbReadOnly)) < 0 ||
        (err = JetOpenDatabase(s, path, NULL, &db, JET_bitDbReadOnly)) < 0 ||
        (err = JetOpenTable(s, db, "t", NULL, 0, JET_bitTableReadOnly, &t)) < 0 ||
        (err = JetGetTableColumnInfo(s, t, "id", &cdId, sizeof cdId, JET_ColInfo)) < 0 ||
        (err = JetGetTableColumnInfo(s, t, "v", &cdV, sizeof cdV, JET_ColInfo)) < 0)
        goto done;
    for (err = JetMove(s, t, JET_MoveFirst, 0); err >= 0; err = JetMove(s, t, JET_MoveNext, 0)) {
        int32_t id = 0, v = 0;
        uint32_t cb;
        JetRetrieveColumn(s, t, cdId.columnid, &id, 4, &cb, 0, NULL);
        JetRetrieveColumn(s, t, cdV.columnid, &v, 4, &cb, 0, NULL);
        if (v != id * 3)
            *pfOk = false;
        if (id >= 0 && id < cmax)
            rgf[id] = true;
        (*pc)++;
    }
    if (err == JET_errNoCurrentRecord)
        err = JET_errSuccess;
done:
    if (t)
        JetCloseTable(s, t);
    if (db)
        JetCloseDatabase(s, db, 0);
    if (s) {
        JetDetachDatabase(s, path);
        JetEndSession(s, 0);
    }
    JetTerm(inst);
    return err;
}

/* dbstate and whether every backup record is zero, from JetGetDatabaseFileInfo. */
static inline JET_ERR db_state(const char *path, uint32_t *pstate, bool *pfBkZero)
{
    JET_DBINFOMISC4 m;
    memset(&m, 0, sizeof m);
    JET_ERR err = JetGetDatabaseFileInfo(path, &m, sizeof m, JET_DbInfoMisc);
    if (err < 0)
        return err;
    *pstate = m.dbstate;
    static const JET_BKINFO zero;
    *pfBkZero = !memcmp(&m.bkinfoFullPrev, &zero, sizeof zero) &&
                !memcmp(&m.bkinfoIncPrev, &zero, sizeof zero) &&
                !memcmp(&m.bkinfoFullCur, &zero, sizeof zero) &&
                !memcmp(&m.bkinfoCopyPrev, &zero, sizeof zero) &&
                !memcmp(&m.bkinfoDiffPrev, &zero, sizeof zero);
    return JET_errSuccess;
}

/* `bluejet check path` exits 0. */
static inline bool tool_check(const char *path)
{
    const char *tool = getenv("BJ_TOOL");
    if (!tool)
        return true;
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "'%s' check '%s' >/dev/null 2>&1", tool, path);
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

/* Copies the log files (archives and edb.log) with generations > genAfter from dir to dirTo. */
static inline JET_ERR copy_logs_after(const char *dir, const char *dirTo, uint32_t genAfter)
{
    char a[1200], b[1200];
    for (uint32_t g = genAfter + 1; g < genAfter + 1000; g++) {
        snprintf(a, sizeof a, "%s/edb%08X.log", dir, g);
        if (access(a, F_OK) != 0)
            break;
        snprintf(b, sizeof b, "%s/edb%08X.log", dirTo, g);
        JET_ERR err = bk_copy_file(a, b);
        if (err < 0)
            return err;
    }
    snprintf(a, sizeof a, "%s/edb.log", dir);
    snprintf(b, sizeof b, "%s/edb.log", dirTo);
    return bk_copy_file(a, b);
}

#endif /* RST_ENV_H */
