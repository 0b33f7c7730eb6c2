/* test_windows_read.c: reads the Windows-written databases of ../shared/data/edb through
 * esent.h only (copies in a scratch folder): attach read-only, list the tables from MSysObjects,
 * open every table, visit every row and retrieve every column (long values and multi-values
 * included), compare row counts with README.md, check a few known values, seek on primary and
 * secondary indexes with integer keys, and the API's errors on bad handles and calls out of
 * order.
 *
 * Unicode indexes: Windows keys are Windows NLS sort keys, ours are ICU sort keys (rec/key.h),
 * so a JetSeek with a key made by JetMakeKey on a Windows-written Unicode index compares
 * different bytes and may miss rows. The seeks here use integer keys only; navigation
 * (JetMove) and retrieval on Unicode indexes are unaffected.
 */
#include <esent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID db;
    char path[1024];
} env;

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    bool ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok;
}

static bool env_open(env *e, const char *name, uint32_t cbPage)
{
    char src[1024];
    memset(e, 0, sizeof(*e));
    if (!bj_test_shared_dir())
        return false;
    snprintf(src, sizeof src, "%s/data/edb/%s", bj_test_shared_dir(), name);
    snprintf(e->path, sizeof e->path, "%s/%s", bj_test_tmpdir(), name);
    if (!copy_file(src, e->path))
        return false;
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "winread") < 0 || JetInit(&e->inst) < 0)
        return false;
    if (JetBeginSession(e->inst, &e->ses, NULL, NULL) < 0)
        return false;
    JET_ERR err = JetAttachDatabase(e->ses, e->path, JET_bitDbReadOnly);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "attach %s: %d", name, err);
        return false;
    }
    err = JetOpenDatabase(e->ses, e->path, NULL, &e->db, JET_bitDbReadOnly);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "open %s: %d", name, err);
        return false;
    }
    return true;
}

static void env_close(env *e)
{
    if (e->ses) {
        CHECK_OK(JetCloseDatabase(e->ses, e->db, 0));
        CHECK_OK(JetDetachDatabase(e->ses, e->path));
        CHECK_OK(JetEndSession(e->ses, 0));
    }
    if (e->inst)
        CHECK_OK(JetTerm(e->inst));
}

/* ---- the catalog through the API ---- */

typedef struct colinfo {
    JET_COLUMNID id;
    JET_COLTYP coltyp;
    char name[65];
} colinfo;

typedef struct tblinfo {
    uint32_t objid;
    char name[65];
    colinfo cols[300];
    uint32_t ccol;
} tblinfo;

static uint32_t ret_u32(JET_SESID s, JET_TABLEID t, JET_COLUMNID c, uint32_t cb)
{
    uint8_t b[4] = {0};
    uint32_t act = 0;
    if (JetRetrieveColumn(s, t, c, b, cb, &act, 0, NULL) != JET_errSuccess)
        return 0;
    return cb == 4
               ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
               : (uint32_t)b[0] | (uint32_t)b[1] << 8;
}

/* Lists tables and their columns by reading MSysObjects (objid, Type, Id, coltyp, Name). */
static uint32_t list_tables(env *e, tblinfo *rg, uint32_t max)
{
    JET_TABLEID t;
    uint32_t n = 0;
    if (JetOpenTable(e->ses, e->db, "MSysObjects", NULL, 0, JET_bitTableReadOnly, &t) < 0) {
        bj_test_fail(__FILE__, __LINE__, "open MSysObjects");
        return 0;
    }
    for (JET_ERR err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        uint32_t type = ret_u32(e->ses, t, 2, 2);
        char name[65] = {0};
        uint32_t cb = 0;
        JetRetrieveColumn(e->ses, t, 128, name, 64, &cb, 0, NULL);
        if (type == 1 && n < max) {
            memset(&rg[n], 0, sizeof(rg[n]));
            rg[n].objid = ret_u32(e->ses, t, 1, 4);
            memcpy(rg[n].name, name, sizeof name);
            n++;
        } else if (type == 2 && n > 0 && rg[n - 1].ccol < 300) {
            colinfo *c = &rg[n - 1].cols[rg[n - 1].ccol++];
            c->id = ret_u32(e->ses, t, 3, 4);
            c->coltyp = ret_u32(e->ses, t, 4, 4);
            memcpy(c->name, name, sizeof name);
        }
    }
    CHECK_OK(JetCloseTable(e->ses, t));
    return n;
}

typedef struct stats {
    uint64_t values, lvBytes, multi, xpress, nulls;
} stats;

/* Visits every row of a table and retrieves every value of every column. Returns rows. */
static uint32_t scan_table(env *e, const tblinfo *ti, stats *st)
{
    JET_TABLEID t;
    uint32_t rows = 0;
    static uint8_t buf[1 << 20];
    JET_ERR err = JetOpenTable(e->ses, e->db, ti->name, NULL, 0, JET_bitTableReadOnly, &t);
    if (err < 0) {
        bj_test_fail(__FILE__, __LINE__, "open %s: %d", ti->name, err);
        return 0;
    }
    for (err = JetMove(e->ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e->ses, t, JET_MoveNext, 0)) {
        rows++;
        for (uint32_t i = 0; i < ti->ccol; i++) {
            for (uint32_t itag = 1; itag <= 64; itag++) {
                JET_RETINFO ri = {sizeof(ri), 0, itag, 0};
                uint32_t cb = 0;
                JET_ERR e2 =
                    JetRetrieveColumn(e->ses, t, ti->cols[i].id, buf, sizeof buf, &cb, 0, &ri);
                if (e2 == JET_wrnColumnNull) {
                    if (itag == 1)
                        st->nulls++;
                    break;
                }
                if (e2 == JET_errFeatureNotAvailable) {
                    st->xpress++;
                    break;
                }
                if (e2 != JET_errSuccess) {
                    bj_test_fail(__FILE__, __LINE__, "%s.%s row %u itag %u: %d", ti->name,
                                 ti->cols[i].name, rows, itag, e2);
                    break;
                }
                st->values++;
                if (itag > 1)
                    st->multi++;
                if (ti->cols[i].coltyp == JET_coltypLongBinary ||
                    ti->cols[i].coltyp == JET_coltypLongText) {
                    st->lvBytes += cb;
                    /* a read at an offset returns the tail */
                    if (cb > 10) {
                        uint8_t tail[16];
                        uint32_t cb2 = 0;
                        JET_RETINFO r2 = {sizeof(r2), cb - 10, itag, 0};
                        CHECK_OK(
                            JetRetrieveColumn(e->ses, t, ti->cols[i].id, tail, 10, &cb2, 0, &r2));
                        CHECK_EQ(cb2, 10);
                        CHECK(memcmp(tail, buf + cb - 10, 10) == 0);
                    }
                }
            }
        }
    }
    CHECK_ERR(err, JET_errNoCurrentRecord);
    /* backwards gives the same count */
    uint32_t back = 0;
    for (err = JetMove(e->ses, t, JET_MoveLast, 0); err >= 0;
         err = JetMove(e->ses, t, JET_MovePrevious, 0))
        back++;
    if (back != rows)
        bj_test_fail(__FILE__, __LINE__, "%s: %u rows forward, %u backward", ti->name, rows, back);
    CHECK_OK(JetCloseTable(e->ses, t));
    return rows;
}

typedef struct want {
    const char *name;
    uint32_t rows;
} want;

static void read_all(const char *file, uint32_t cbPage, uint32_t ctables, const want *w,
                     uint32_t cw)
{
    env e;
    if (!env_open(&e, file, cbPage)) {
        env_close(&e);
        return;
    }
    tblinfo *rg = calloc(64, sizeof(tblinfo));
    uint32_t n = list_tables(&e, rg, 64);
    CHECK_EQ(n, ctables);
    stats st = {0};
    for (uint32_t i = 0; i < n; i++) {
        uint32_t rows = scan_table(&e, &rg[i], &st);
        for (uint32_t k = 0; k < cw; k++) {
            if (strcmp(w[k].name, rg[i].name) == 0 && w[k].rows != rows)
                bj_test_fail(__FILE__, __LINE__, "%s: %u rows, README says %u", rg[i].name, rows,
                             w[k].rows);
        }
    }
    printf("  %s: %u tables, %llu values, %llu LV bytes, %llu extra multi-values, %llu Xpress "
           "values refused\n",
           file, n, (unsigned long long)st.values, (unsigned long long)st.lvBytes,
           (unsigned long long)st.multi, (unsigned long long)st.xpress);
    CHECK(st.values > 0);
    free(rg);
    env_close(&e);
}

TEST(srudb_read_all)
{
    static const want w[] = {{"MSysObjects", 161},
                             {"MSysObjectsShadow", 161},
                             {"MSysObjids", 28},
                             {"MSysLocales", 7},
                             {"SruDbIdMapTable", 106},
                             {"SruDbCheckpointTable", 0},
                             {"{17F4D97B-F26A-5E79-3A82-90040A47D13D}", 6},
                             {"{841A7317-3805-518B-C2EA-AD224CB4AF84}", 3},
                             {"{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", 203},
                             {"{DC3D3B50-BB90-5066-FA4E-A5F90DD8B677}", 3},
                             {"{DD6636C4-8929-4683-974E-22C046A43763}", 3},
                             {"{EEE2F477-0659-5C47-EF03-6D6BEFD441B3}", 2}};
    read_all("SRUDB_win_rev14_4k.dat", 4096, 12, w, (uint32_t)(sizeof(w) / sizeof(w[0])));
}

TEST(catalog1_read_all)
{
    static const want w[] = {{"MSysObjects", 128}, {"MSysObjectsShadow", 0}, {"MSysObjids", 26},
                             {"MSysLocales", 8},   {"namespace", 1373},      {"string", 994},
                             {"file", 912},        {"backupset", 150},       {"global", 20},
                             {"library", 14}};
    read_all("Catalog1_rev14_4k.edb", 4096, 10, w, (uint32_t)(sizeof(w) / sizeof(w[0])));
}

TEST(webcache_read_all)
{
    static const want w[] = {{"MSysObjects", 841},
                             {"MSysObjectsShadow", 841},
                             {"MSysObjids", 85},
                             {"Containers", 19},
                             {"Container_21", 339}};
    read_all("WebCacheV01_rev6e_32k.dat", 32768, 46, w, (uint32_t)(sizeof(w) / sizeof(w[0])));
}

/* ---- seeks with integer keys ---- */

TEST(catalog1_seeks)
{
    env e;
    if (!env_open(&e, "Catalog1_rev14_4k.edb", 4096)) {
        env_close(&e);
        return;
    }
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "namespace", NULL, 0, 0, &t));
    char idx[JET_cbNameMost + 1];
    CHECK_OK(JetGetCurrentIndex(e.ses, t, idx, sizeof idx));
    CHECK_STR(idx, "pkIndex");
    /* full scan: ids (primary, ascending) and parentIds */
    static int32_t ids[4096], parents[4096];
    uint32_t n = 0, cb;
    for (JET_ERR err = JetMove(e.ses, t, JET_MoveFirst, 0); err >= 0 && n < 4096;
         err = JetMove(e.ses, t, JET_MoveNext, 0)) {
        CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &ids[n], 4, &cb, 0, NULL));
        CHECK_OK(JetRetrieveColumn(e.ses, t, 2, &parents[n], 4, &cb, 0, NULL));
        if (n > 0)
            CHECK(ids[n] > ids[n - 1]);
        n++;
    }
    CHECK_EQ(n, 1373);
    /* primary seeks: EQ on every 7th id, GE/GT/LE/LT around it */
    for (uint32_t i = 1; i + 1 < n; i += 7) {
        int32_t v, got;
        CHECK_OK(JetMakeKey(e.ses, t, &ids[i], 4, JET_bitNewKey));
        CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
        CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL));
        CHECK_EQ(got, ids[i]);
        CHECK_OK(JetMakeKey(e.ses, t, &ids[i], 4, JET_bitNewKey));
        CHECK_OK(JetSeek(e.ses, t, JET_bitSeekGT));
        CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL));
        CHECK_EQ(got, ids[i + 1]);
        CHECK_OK(JetMakeKey(e.ses, t, &ids[i], 4, JET_bitNewKey));
        CHECK_OK(JetSeek(e.ses, t, JET_bitSeekLT));
        CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL));
        CHECK_EQ(got, ids[i - 1]);
        if (ids[i] + 1 < ids[i + 1]) {
            v = ids[i] + 1; /* absent: GE finds the next, LE the previous, EQ fails */
            CHECK_OK(JetMakeKey(e.ses, t, &v, 4, JET_bitNewKey));
            CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekGE), JET_wrnSeekNotEqual);
            CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL));
            CHECK_EQ(got, ids[i + 1]);
            CHECK_OK(JetMakeKey(e.ses, t, &v, 4, JET_bitNewKey));
            CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekLE), JET_wrnSeekNotEqual);
            CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL));
            CHECK_EQ(got, ids[i]);
            CHECK_OK(JetMakeKey(e.ses, t, &v, 4, JET_bitNewKey));
            CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errRecordNotFound);
            CHECK_ERR(JetRetrieveColumn(e.ses, t, 1, &got, 4, &cb, 0, NULL),
                      JET_errNoCurrentRecord);
        }
    }
    /* bookmarks round-trip */
    uint8_t bm[64];
    uint32_t cbBm = 0;
    CHECK_OK(JetMove(e.ses, t, JET_MoveLast, 0));
    CHECK_OK(JetGetBookmark(e.ses, t, bm, sizeof bm, &cbBm));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetGotoBookmark(e.ses, t, bm, cbBm));
    int32_t last;
    CHECK_OK(JetRetrieveColumn(e.ses, t, 1, &last, 4, &cb, 0, NULL));
    CHECK_EQ(last, ids[n - 1]);
    /* secondary non-unique index parentIdIndex: EQ + range = rows with that parentId */
    CHECK_OK(JetSetCurrentIndex(e.ses, t, "parentIdIndex"));
    for (uint32_t i = 0; i < n; i += 97) {
        uint32_t nwant = 0, got = 0, counted = 0;
        for (uint32_t k = 0; k < n; k++)
            nwant += parents[k] == parents[i];
        CHECK_OK(JetMakeKey(e.ses, t, &parents[i], 4, JET_bitNewKey));
        REQUIRE_OK(JetSeek(e.ses, t, JET_bitSeekEQ | JET_bitSetIndexRange));
        CHECK_OK(JetIndexRecordCount(e.ses, t, &counted, 0));
        JET_ERR err = JET_errSuccess;
        for (; err >= 0; err = JetMove(e.ses, t, JET_MoveNext, 0)) {
            int32_t p;
            CHECK_OK(JetRetrieveColumn(e.ses, t, 2, &p, 4, &cb, 0, NULL));
            CHECK_EQ(p, parents[i]);
            got++;
        }
        CHECK_ERR(err, JET_errNoCurrentRecord);
        CHECK_EQ(got, nwant);
        CHECK_EQ(counted, nwant);
    }
    /* the secondary index visits every row, in parentId order */
    uint32_t m = 0;
    int32_t prev = INT32_MIN;
    for (JET_ERR err = JetMove(e.ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e.ses, t, JET_MoveNext, 0)) {
        int32_t p;
        CHECK_OK(JetRetrieveColumn(e.ses, t, 2, &p, 4, &cb, 0, NULL));
        CHECK(p >= prev);
        prev = p;
        m++;
    }
    CHECK_EQ(m, n);
    CHECK_OK(JetCloseTable(e.ses, t));
    env_close(&e);
}

TEST(srudb_known_values)
{
    env e;
    if (!env_open(&e, "SRUDB_win_rev14_4k.dat", 4096)) {
        env_close(&e);
        return;
    }
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "MSysObjects", NULL, 0, 0, &t));
    /* the catalog's primary key is (ObjidTable, Type, Id): seek the row of table objid 8 */
    int32_t objid = 8, id = 8;
    int16_t type = 1;
    CHECK_OK(JetMakeKey(e.ses, t, &objid, 4, JET_bitNewKey));
    CHECK_OK(JetMakeKey(e.ses, t, &type, 2, 0));
    CHECK_OK(JetMakeKey(e.ses, t, &id, 4, 0));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    char name[65] = {0};
    uint32_t cb = 0;
    CHECK_OK(JetRetrieveColumn(e.ses, t, 128, name, 64, &cb, 0, NULL));
    CHECK_STR(name, "SruDbIdMapTable");
    CHECK_OK(JetCloseTable(e.ses, t));
    /* SruDbIdMapTable: IdBlob (tagged long binary) of a row found by its IdIndex key */
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "SruDbIdMapTable", NULL, 0, 0, &t));
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    int32_t idx;
    CHECK_OK(JetRetrieveColumn(e.ses, t, 2, &idx, 4, &cb, 0, NULL));
    CHECK_OK(JetMakeKey(e.ses, t, &idx, 4, JET_bitNewKey));
    CHECK_OK(JetSeek(e.ses, t, JET_bitSeekEQ));
    uint8_t blob[4096];
    JET_ERR err = JetRetrieveColumn(e.ses, t, 256, blob, sizeof blob, &cb, 0, NULL);
    CHECK(err == JET_errSuccess || err == JET_wrnColumnNull);
    /* truncation warning and pcbActual */
    if (err == JET_errSuccess && cb > 2) {
        uint32_t cb2 = 0;
        CHECK_ERR(JetRetrieveColumn(e.ses, t, 256, blob, 2, &cb2, 0, NULL), JET_wrnBufferTruncated);
        CHECK_EQ(cb2, cb);
    }
    CHECK_OK(JetCloseTable(e.ses, t));
    env_close(&e);
}

/* ---- API errors ---- */

TEST(api_errors)
{
    env e;
    if (!env_open(&e, "SRUDB_win_rev14_4k.dat", 4096)) {
        env_close(&e);
        return;
    }
    JET_TABLEID t, bad = (JET_TABLEID)0x1234567;
    uint32_t cb;
    uint8_t b[8];
    /* bad handles */
    CHECK_ERR(JetMove(e.ses, bad, JET_MoveFirst, 0), JET_errInvalidTableId);
    CHECK_ERR(JetMove(0, bad, JET_MoveFirst, 0), JET_errInvalidSesid);
    CHECK_ERR(JetRetrieveColumn(e.ses, 0, 1, b, 4, &cb, 0, NULL), JET_errInvalidTableId);
    CHECK_ERR(JetOpenTable(e.ses, 99, "MSysObjects", NULL, 0, 0, &t), JET_errInvalidDatabaseId);
    CHECK_ERR(JetOpenTable(e.ses, e.db, "NoSuchTable", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_ERR(JetOpenTable(e.ses, e.db, "", NULL, 0, 0, &t), JET_errInvalidName);
    CHECK_ERR(JetOpenTable(e.ses, e.db, "MSysObjects", NULL, 0, 0, NULL), JET_errInvalidParameter);
    /* attach errors */
    CHECK_ERR(JetAttachDatabase(e.ses, e.path, JET_bitDbReadOnly), JET_wrnDatabaseAttached);
    char missing[1100];
    snprintf(missing, sizeof missing, "%s.missing", e.path);
    CHECK_ERR(JetAttachDatabase(e.ses, missing, JET_bitDbReadOnly), JET_errFileNotFound);
    CHECK_ERR(JetDetachDatabase(e.ses, missing), JET_errDatabaseNotFound);
    /* out of order */
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "SruDbIdMapTable", NULL, 0, 0, &t));
    CHECK_ERR(JetRetrieveColumn(e.ses, t, 1, b, 4, &cb, 0, NULL), JET_errNoCurrentRecord);
    CHECK_ERR(JetMove(e.ses, t, JET_MovePrevious, 0), JET_errNoCurrentRecord);
    CHECK_ERR(JetSeek(e.ses, t, JET_bitSeekEQ), JET_errKeyNotMade);
    CHECK_ERR(JetSeek(e.ses, t, 0), JET_errInvalidParameter);
    CHECK_ERR(JetGetBookmark(e.ses, t, b, 8, &cb), JET_errNoCurrentRecord);
    CHECK_ERR(JetMakeKey(e.ses, t, b, 4, 0), JET_errKeyNotMade);
    CHECK_ERR(JetSetCurrentIndex(e.ses, t, "nope"), JET_errIndexNotFound);
    CHECK_ERR(JetSetCurrentIndex2(e.ses, t, NULL, 0x100), JET_errInvalidGrbit);
    CHECK_ERR(JetMove(e.ses, t, JET_MoveNext, 0x100), JET_errInvalidGrbit);
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_ERR(JetRetrieveColumn(e.ses, t, 999, b, 4, &cb, 0, NULL), JET_errColumnNotFound);
    CHECK_ERR(JetRetrieveColumn(e.ses, t, 1, b, 4, &cb, 0x40000000, NULL), JET_errInvalidGrbit);
    CHECK_ERR(JetSetIndexRange(e.ses, t, JET_bitRangeRemove), JET_errInvalidOperation);
    CHECK_ERR(JetDetachDatabase(e.ses, e.path), JET_errDatabaseInUse);
    CHECK_OK(JetCloseTable(e.ses, t));
    CHECK_ERR(JetCloseTable(e.ses, t), JET_errInvalidTableId);
    CHECK_ERR(JetMove(e.ses, t, JET_MoveFirst, 0), JET_errInvalidTableId);
    CHECK_ERR(JetCloseDatabase(e.ses, 5, 0), JET_errInvalidDatabaseId);
    /* file info on a file that is not attached */
    uint32_t cbPage = 0;
    CHECK_OK(JetGetDatabaseFileInfo(e.path, &cbPage, sizeof cbPage, JET_DbInfoPageSize));
    CHECK_EQ(cbPage, 4096);
    JET_DBINFOMISC misc;
    CHECK_OK(JetGetDatabaseFileInfo(e.path, &misc, sizeof misc, JET_DbInfoMisc));
    CHECK_EQ(misc.dbstate, 3);
    CHECK_EQ(misc.cbPageSize, 4096);
    CHECK_ERR(JetGetDatabaseFileInfo(missing, &cbPage, sizeof cbPage, JET_DbInfoPageSize),
              JET_errFileNotFound);
    env_close(&e);
}

TEST(schema_info)
{
    env e;
    if (!env_open(&e, "SRUDB_win_rev14_4k.dat", 4096)) {
        env_close(&e);
        return;
    }
    JET_TABLEID t;
    REQUIRE_OK(JetOpenTable(e.ses, e.db, "SruDbIdMapTable", NULL, 0, 0, &t));
    JET_COLUMNDEF cd;
    CHECK_OK(JetGetTableColumnInfo(e.ses, t, "IdBlob", &cd, sizeof cd, JET_ColInfo));
    CHECK_EQ(cd.columnid, 256);
    CHECK_EQ(cd.coltyp, JET_coltypLongBinary);
    CHECK(cd.grbit & JET_bitColumnTagged);
    JET_COLUMNID id = 1;
    CHECK_OK(
        JetGetTableColumnInfo(e.ses, t, (const char *)&id, &cd, sizeof cd, JET_ColInfoByColid));
    CHECK_EQ(cd.coltyp, JET_coltypUnsignedByte);
    CHECK(cd.grbit & JET_bitColumnFixed);
    JET_COLUMNBASE cb;
    CHECK_OK(JetGetColumnInfo(e.ses, e.db, "SruDbIdMapTable", "IdIndex", &cb, sizeof cb,
                              JET_ColInfoBase));
    CHECK_STR(cb.szBaseTableName, "SruDbIdMapTable");
    CHECK_STR(cb.szBaseColumnName, "IdIndex");
    CHECK_ERR(JetGetTableColumnInfo(e.ses, t, "nope", &cd, sizeof cd, JET_ColInfo),
              JET_errColumnNotFound);
    CHECK_ERR(JetGetTableColumnInfo(e.ses, t, "IdBlob", &cd, 4, JET_ColInfo),
              JET_errBufferTooSmall);
    /* a JET_COLUMNDEF is smaller than the JET_COLUMNLIST the list level fills */
    CHECK_ERR(JetGetTableColumnInfo(e.ses, t, NULL, &cd, sizeof cd, JET_ColInfoList),
              JET_errBufferTooSmall);
    int32_t cidx = 0;
    CHECK_OK(JetGetTableIndexInfo(e.ses, t, NULL, &cidx, sizeof cidx, JET_IdxInfoCount));
    CHECK_EQ(cidx, 2);
    uint16_t keyMost = 0;
    CHECK_OK(JetGetTableIndexInfo(e.ses, t, "IdTypeIdBlob", &keyMost, sizeof keyMost,
                                  JET_IdxInfoKeyMost));
    CHECK(keyMost >= 255);
    CHECK_ERR(JetGetIndexInfo(e.ses, e.db, "SruDbIdMapTable", "nope", &keyMost, sizeof keyMost,
                              JET_IdxInfoKeyMost),
              JET_errIndexNotFound);
    CHECK_ERR(JetGetIndexInfo(e.ses, e.db, "NoTable", NULL, &cidx, sizeof cidx, JET_IdxInfoCount),
              JET_errObjectNotFound);
    char name[JET_cbNameMost + 1];
    CHECK_OK(JetGetTableInfo(e.ses, t, name, sizeof name, JET_TblInfoName));
    CHECK_STR(name, "SruDbIdMapTable");
    JET_DBID dbids[2];
    CHECK_OK(JetGetTableInfo(e.ses, t, dbids, sizeof dbids, JET_TblInfoDbid));
    CHECK_EQ(dbids[0], e.db);
    /* secondary index on a tagged long binary + the bookmark keeps the current record */
    uint8_t bm[64];
    uint32_t cbBm, cbBm2;
    CHECK_OK(JetMove(e.ses, t, JET_MoveFirst, 0));
    CHECK_OK(JetMove(e.ses, t, 5, 0));
    CHECK_OK(JetGetBookmark(e.ses, t, bm, sizeof bm, &cbBm));
    CHECK_OK(JetSetCurrentIndex2(e.ses, t, "IdTypeIdBlob", JET_bitNoMove));
    uint8_t bm2[64];
    CHECK_OK(JetGetBookmark(e.ses, t, bm2, sizeof bm2, &cbBm2));
    CHECK_EQ(cbBm2, cbBm);
    CHECK(memcmp(bm, bm2, cbBm) == 0);
    CHECK_STR((JetGetCurrentIndex(e.ses, t, name, sizeof name), name), "IdTypeIdBlob");
    uint32_t n = 0;
    for (JET_ERR err = JetMove(e.ses, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(e.ses, t, JET_MoveNext, 0))
        n++;
    CHECK_EQ(n, 106);
    CHECK_OK(JetCloseTable(e.ses, t));
    env_close(&e);
}

TEST(page_size_mismatch)
{
    env e;
    if (!env_open(&e, "SRUDB_win_rev14_4k.dat", 4096)) {
        env_close(&e);
        return;
    }
    char other[1100];
    snprintf(other, sizeof other, "%s/WebCacheV01_rev6e_32k.dat", bj_test_tmpdir());
    char src[1024];
    snprintf(src, sizeof src, "%s/data/edb/WebCacheV01_rev6e_32k.dat", bj_test_shared_dir());
    REQUIRE(copy_file(src, other));
    CHECK_ERR(JetAttachDatabase(e.ses, other, JET_bitDbReadOnly), JET_errPageSizeMismatch);
    env_close(&e);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
