/* test_update_env.h: the table every write-path suite uses, and an instance/session/cursor
 * setup through esent.h on a database laid out by test_update_db.h. */
#ifndef BJ_TEST_UPDATE_ENV_H
#define BJ_TEST_UPDATE_ENV_H

#include "test_update_db.h"

enum {
    C_ID = 1,
    C_BIT,
    C_UB,
    C_SH,
    C_CUR,
    C_F4,
    C_F8,
    C_DT,
    C_UL,
    C_LL,
    C_GUID,
    C_ESC,
    C_VER,
    C_AI,
    C_REQ,
    C_TXT = 128,
    C_BIN,
    C_MV = 256,
    C_LT,
    C_LB,
    C_TDEF,
};

static const int32_t g_zero = 0;

typedef struct tcol {
    const char *name;
    JET_COLUMNID fid; /* the id ESE assigns in creation order */
    JET_COLTYP coltyp;
    uint32_t cbMax;
    JET_GRBIT grbit;
    uint16_t cp;
    const void *pvDefault;
    uint32_t cbDefault;
} tcol;

static const tcol g_cols[] = {
    {"id", C_ID, JET_coltypLong, 4, JET_bitColumnNotNULL, 0, NULL, 0},
    {"bit", C_BIT, JET_coltypBit, 1, 0, 0, NULL, 0},
    {"ub", C_UB, JET_coltypUnsignedByte, 1, 0, 0, NULL, 0},
    {"sh", C_SH, JET_coltypShort, 2, 0, 0, NULL, 0},
    {"cur", C_CUR, JET_coltypCurrency, 8, 0, 0, NULL, 0},
    {"f4", C_F4, JET_coltypIEEESingle, 4, 0, 0, NULL, 0},
    {"f8", C_F8, JET_coltypIEEEDouble, 8, 0, 0, NULL, 0},
    {"dt", C_DT, JET_coltypDateTime, 8, 0, 0, NULL, 0},
    {"ul", C_UL, JET_coltypUnsignedLong, 4, 0, 0, NULL, 0},
    {"ll", C_LL, JET_coltypLongLong, 8, 0, 0, NULL, 0},
    {"guid", C_GUID, JET_coltypGUID, 16, 0, 0, NULL, 0},
    {"esc", C_ESC, JET_coltypLong, 4, JET_bitColumnEscrowUpdate, 0, &g_zero, 4},
    {"ver", C_VER, JET_coltypLong, 4, JET_bitColumnVersion, 0, NULL, 0},
    {"ai", C_AI, JET_coltypLong, 4, JET_bitColumnAutoincrement, 0, NULL, 0},
    {"req", C_REQ, JET_coltypLong, 4, JET_bitColumnNotNULL, 0, NULL, 0},
    {"txt", C_TXT, JET_coltypText, 255, 0, 1252, NULL, 0},
    {"bin", C_BIN, JET_coltypBinary, 255, 0, 0, NULL, 0},
    {"mv", C_MV, JET_coltypLong, 4, JET_bitColumnTagged | JET_bitColumnMultiValued, 0, NULL, 0},
    {"lt", C_LT, JET_coltypLongText, 0, 0, 1252, NULL, 0},
    {"lb", C_LB, JET_coltypLongBinary, 0, 0, 0, NULL, 0},
    {"tdef", C_TDEF, JET_coltypText, 255, JET_bitColumnTagged, 1252, "dflt", 4},
};

typedef struct tidx {
    const char *name;
    JET_GRBIT grbit;
    const char *key; /* "+col\0\0" */
    uint32_t cbKey;
} tidx;

#define K(s) s, sizeof(s)
static const tidx g_idx[] = {
    {"pk", JET_bitIndexPrimary, K("+id\0")},
    {"ix_txt", 0, K("+txt\0")},
    {"ux_sh", JET_bitIndexUnique | JET_bitIndexIgnoreAnyNull, K("+sh\0")},
    {"ix_mv", 0, K("+mv\0")},
};

typedef struct fx_table {
    const tidx *idx;
    uint32_t cidx;
} fx_table;
static const fx_table g_table = {g_idx, BJ_ARRAY_LEN(g_idx)};
/* The same table without a primary index (records keyed by DBK). */
static const fx_table g_table_dbk = {g_idx + 1, BJ_ARRAY_LEN(g_idx) - 1};

/* Creates table T on (ses, dbid). 0 on success. */
static int fx_create_table(JET_SESID ses, JET_DBID dbid, const fx_table *tbl)
{
    JET_TABLEID t;
    if (JetCreateTable(ses, dbid, FX_TABLE, 0, 0, &t) < 0)
        return -1;
    int rc = 0;
    for (uint32_t i = 0; i < BJ_ARRAY_LEN(g_cols) && rc == 0; i++) {
        const tcol *c = &g_cols[i];
        JET_COLUMNDEF def = {sizeof def, 0, c->coltyp, 0, 0, c->cp, 0, c->cbMax, c->grbit};
        JET_COLUMNID id = 0;
        JET_ERR err = JetAddColumn(ses, t, c->name, &def, c->pvDefault, c->cbDefault, &id);
        if (err < 0 || id != c->fid) {
            printf("JetAddColumn %s: %d, id %u\n", c->name, (int)err, (unsigned)id);
            rc = -2;
        }
    }
    for (uint32_t i = 0; i < tbl->cidx && rc == 0; i++) {
        const tidx *x = &tbl->idx[i];
        JET_ERR err = JetCreateIndex(ses, t, x->name, x->grbit, x->key, x->cbKey, 100);
        if (err < 0) {
            printf("JetCreateIndex %s: %d\n", x->name, (int)err);
            rc = -3;
        }
    }
    JetCloseTable(ses, t);
    return rc;
}

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tab;
    char path[512];
} env;

/* Creates the database with table T (tbl) and opens T on a session; grbitAttach
 * JET_bitDbReadOnly: detached after creation and attached again read-only. */
static int env_open_t(env *e, const fx_table *tbl, JET_GRBIT grbitAttach)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof e->path, "%s/w.edb", bj_test_tmpdir());
    char sys[600];
    snprintf(sys, sizeof sys, "%s/", bj_test_tmpdir());
    if (JetCreateInstance(&e->inst, NULL) < 0)
        return -2;
    JetSetSystemParameter(&e->inst, 0, JET_paramSystemPath, 0, sys);
    JetSetSystemParameter(&e->inst, 0, JET_paramLogFilePath, 0, sys);
    JetSetSystemParameter(&e->inst, 0, JET_paramTempPath, 0, sys);
    if (JetInit(&e->inst) < 0)
        return -3;
    if (JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return -4;
    if (JetCreateDatabase(e->ses, e->path, NULL, &e->dbid, 0) < 0)
        return -5;
    if (fx_create_table(e->ses, e->dbid, tbl))
        return -6;
    if (grbitAttach) {
        if (JetCloseDatabase(e->ses, e->dbid, 0) < 0 || JetDetachDatabase(e->ses, e->path) < 0 ||
            JetAttachDatabase(e->ses, e->path, grbitAttach) < 0 ||
            JetOpenDatabase(e->ses, e->path, NULL, &e->dbid, 0) < 0)
            return -7;
    }
    if (JetOpenTable(e->ses, e->dbid, FX_TABLE, NULL, 0, 0, &e->tab) < 0)
        return -8;
    return 0;
}

static inline int env_open(env *e)
{
    return env_open_t(e, &g_table, 0);
}

static inline void env_close(env *e)
{
    if (e->inst) {
        JET_ERR errT = JetTerm(e->inst);
        if (errT < 0)
            bj_test_fail(__FILE__, __LINE__, "JetTerm: %d", (int)errT);
    }
    e->inst = 0;
}

/* Inserts (id, req, txt, sh) on tab. */
static inline JET_ERR ins(JET_SESID s, JET_TABLEID t, int32_t id, const char *txt, int16_t sh)
{
    JET_ERR err = JetPrepareUpdate(s, t, JET_prepInsert);
    int32_t one = 1;
    if (err >= 0)
        err = JetSetColumn(s, t, C_ID, &id, 4, 0, NULL);
    if (err >= 0)
        err = JetSetColumn(s, t, C_REQ, &one, 4, 0, NULL);
    if (err >= 0 && txt)
        err = JetSetColumn(s, t, C_TXT, txt, (uint32_t)strlen(txt), 0, NULL);
    if (err >= 0 && sh)
        err = JetSetColumn(s, t, C_SH, &sh, 2, 0, NULL);
    if (err >= 0)
        err = JetUpdate(s, t, NULL, 0, NULL);
    if (err < 0)
        JetPrepareUpdate(s, t, JET_prepCancel);
    return err;
}

static inline JET_ERR seek_id(JET_SESID s, JET_TABLEID t, int32_t id)
{
    JET_ERR err = JetSetCurrentIndex(s, t, "pk");
    if (err >= 0)
        err = JetMakeKey(s, t, &id, 4, JET_bitNewKey);
    if (err >= 0)
        err = JetSeek(s, t, JET_bitSeekEQ);
    return err;
}

static inline int32_t get_long(JET_SESID s, JET_TABLEID t, JET_COLUMNID c)
{
    int32_t v = -999;
    uint32_t cb = 0;
    if (JetRetrieveColumn(s, t, c, &v, 4, &cb, 0, NULL) != JET_errSuccess || cb != 4)
        return -999;
    return v;
}

/* Number of entries visible on index (NULL = primary), by a full scan. */
static inline int count_index(JET_SESID s, JET_TABLEID t, const char *idx)
{
    if (JetSetCurrentIndex(s, t, idx) < 0)
        return -1;
    int n = 0;
    JET_ERR err = JetMove(s, t, JET_MoveFirst, 0);
    while (err >= 0) {
        n++;
        err = JetMove(s, t, JET_MoveNext, 0);
    }
    return err == JET_errNoCurrentRecord ? n : -2;
}

#endif /* BJ_TEST_UPDATE_ENV_H */
