/* test_badargs_env.h: the fixture of the bad-argument suites: one instance with a database
 * holding table "t" (c1 Long = columnid 1, c2 Long = 2; secondary index "ix" on c1, no primary
 * index, so a fresh cursor has no current index), sessions A, B and C, live and stale handles
 * of each kind, and a per-call alarm that turns a hang into a failure naming the case. */
#ifndef BJ_TEST_BADARGS_ENV_H
#define BJ_TEST_BADARGS_ENV_H

#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "common/common.h"
#include "esent.h"
#include "testlib.h"

typedef struct ba_fx {
    JET_INSTANCE inst, instStale, instOut;
    JET_SESID sesA, sesB, sesC, sesStale, sesOut;
    JET_DBID dbid, dbidOut;
    JET_TABLEID tabA, tabB, tabStale, tabOfStale, tabOut;
    JET_COLUMNID colid;
    JET_COLUMNDEF cdef;
    JET_INDEXCREATE ic1;
    JET_INDEXCREATE2 ic2;
    JET_INDEXCREATE3 ic3;
    JET_TABLECREATE tc1;
    JET_TABLECREATE2 tc2;
    JET_TABLECREATE3 tc3;
    JET_TABLECREATE4 tc4;
    JET_OPENTEMPORARYTABLE ott;
    JET_OPENTEMPORARYTABLE2 ott2;
    JET_RECPOS recpos;
    JET_INSTANCE_INFO *instInfo;
    JET_API_PTR ptr;
    uint64_t u64;
    uint32_t cb, zero;
    int32_t i32;
    unsigned char buf[512];
    char path[512], pathNew[512], sys[512];
} ba_fx;

static const char *volatile g_ba_case = "";

static void ba_on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "\nHANG (alarm) in case: ";
    ssize_t w = write(2, msg, sizeof msg - 1);
    w = write(2, g_ba_case, strlen(g_ba_case));
    w = write(2, "\n", 1);
    (void)w;
    _exit(3);
}

/* Arms a 10-second alarm for the named case (the name must outlive the call). */
static inline void ba_arm(const char *label)
{
    static char copy[256];
    snprintf(copy, sizeof copy, "%s", label);
    g_ba_case = copy;
    signal(SIGALRM, ba_on_alarm);
    alarm(10);
}

static inline void ba_disarm(void)
{
    alarm(0);
}

static inline int ba_instance(ba_fx *f, JET_INSTANCE *pinst, const char *name)
{
    if (JetCreateInstance(pinst, name) < 0)
        return -1;
    JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, f->sys);
    JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, f->sys);
    JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, f->sys);
    return JetInit(pinst) < 0 ? -2 : 0;
}

/* Opens the fixture; 0 on success. */
static inline int ba_open(ba_fx *f)
{
    memset(f, 0, sizeof *f);
    const char *dir = bj_test_tmpdir();
    snprintf(f->sys, sizeof f->sys, "%s/", dir);
    snprintf(f->path, sizeof f->path, "%s/ba.edb", dir);
    snprintf(f->pathNew, sizeof f->pathNew, "%s/new.edb", dir);
    f->cdef = (JET_COLUMNDEF){.cbStruct = sizeof(JET_COLUMNDEF), .coltyp = JET_coltypLong};
    f->ic1.cbStruct = sizeof f->ic1;
    f->ic1.szIndexName = (char *)"ix2";
    f->ic1.szKey = (char *)"+c2\0";
    f->ic1.cbKey = 5;
    f->ic2.cbStruct = sizeof f->ic2;
    f->ic2.szIndexName = (char *)"ix2";
    f->ic2.szKey = (char *)"+c2\0";
    f->ic2.cbKey = 5;
    f->ic3.cbStruct = sizeof f->ic3;
    f->ic3.szIndexName = (char *)"ix2";
    f->ic3.szKey = (char *)"+c2\0";
    f->ic3.cbKey = 5;
    f->tc1 = (JET_TABLECREATE){.cbStruct = sizeof f->tc1, .szTableName = (char *)"tc"};
    f->tc2 = (JET_TABLECREATE2){.cbStruct = sizeof f->tc2, .szTableName = (char *)"tc"};
    f->tc3 = (JET_TABLECREATE3){.cbStruct = sizeof f->tc3, .szTableName = (char *)"tc"};
    f->tc4 = (JET_TABLECREATE4){.cbStruct = sizeof f->tc4, .szTableName = (char *)"tc"};
    f->ott.cbStruct = sizeof f->ott;
    f->ott.prgcolumndef = &f->cdef;
    f->ott.ccolumn = 1;
    f->ott.prgcolumnid = &f->colid;
    f->ott2.cbStruct = sizeof f->ott2;
    f->ott2.prgcolumndef = &f->cdef;
    f->ott2.ccolumn = 1;
    f->ott2.prgcolumnid = &f->colid;
    f->recpos.cbStruct = sizeof f->recpos;
    f->recpos.centriesTotal = 1;

    if (ba_instance(f, &f->instStale, "ba_stale") < 0 || JetTerm(f->instStale) < 0)
        return -1;
    if (ba_instance(f, &f->inst, "ba") < 0)
        return -2;
    if (JetBeginSession(f->inst, &f->sesA, NULL, NULL) < 0 ||
        JetBeginSession(f->inst, &f->sesB, NULL, NULL) < 0 ||
        JetBeginSession(f->inst, &f->sesC, NULL, NULL) < 0 ||
        JetBeginSession(f->inst, &f->sesStale, NULL, NULL) < 0)
        return -3;
    if (JetCreateDatabase(f->sesA, f->path, NULL, &f->dbid, 0) < 0)
        return -4;
    JET_TABLEID t;
    JET_COLUMNID c;
    if (JetCreateTable(f->sesA, f->dbid, "t", 0, 0, &t) < 0 ||
        JetAddColumn(f->sesA, t, "c1", &f->cdef, NULL, 0, &c) < 0 || c != 1 ||
        JetAddColumn(f->sesA, t, "c2", &f->cdef, NULL, 0, &c) < 0 || c != 2 ||
        JetCreateIndex(f->sesA, t, "ix", 0, "+c1\0", 5, 100) < 0 || JetCloseTable(f->sesA, t) < 0)
        return -5;
    if (JetOpenTable(f->sesA, f->dbid, "t", NULL, 0, 0, &f->tabA) < 0 ||
        JetOpenTable(f->sesA, f->dbid, "t", NULL, 0, 0, &f->tabStale) < 0 ||
        JetCloseTable(f->sesA, f->tabStale) < 0)
        return -6;
    JET_DBID d;
    if (JetOpenDatabase(f->sesB, f->path, NULL, &d, 0) < 0 ||
        JetOpenTable(f->sesB, d, "t", NULL, 0, 0, &f->tabB) < 0)
        return -7;
    if (JetOpenDatabase(f->sesC, f->path, NULL, &d, 0) < 0 || JetCloseDatabase(f->sesC, d, 0) < 0)
        return -8;
    if (JetOpenDatabase(f->sesStale, f->path, NULL, &d, 0) < 0 ||
        JetOpenTable(f->sesStale, d, "t", NULL, 0, 0, &f->tabOfStale) < 0 ||
        JetEndSession(f->sesStale, 0) < 0)
        return -9;
    return 0;
}

static inline void ba_close(ba_fx *f)
{
    if (f->inst) {
        JET_ERR err = JetTerm(f->inst);
        if (err < 0)
            bj_test_fail(__FILE__, __LINE__, "JetTerm: %d", (int)err);
    }
    f->inst = 0;
}

#endif
