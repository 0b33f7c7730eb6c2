/* bench_bj.c: the key/value table of the bluejet benchmark drivers (see bench_bj.h). */
#include "bench_bj.h"

JET_ERR bench_bj_create_kv(JET_SESID ses, JET_DBID dbid, uint32_t cbValue, JET_TABLEID *ptab,
                           JET_COLUMNID *pcolK, JET_COLUMNID *pcolV)
{
    JET_COLUMNCREATE cols[2] = {
        {.cbStruct = sizeof(JET_COLUMNCREATE),
         .szColumnName = "k",
         .coltyp = JET_coltypLongLong,
         .cbMax = 8,
         .grbit = JET_bitColumnNotNULL},
        {.cbStruct = sizeof(JET_COLUMNCREATE),
         .szColumnName = "v",
         .coltyp = JET_coltypBinary,
         .cbMax = cbValue},
    };
    static char key[] = "+k\0";
    JET_INDEXCREATE idx = {.cbStruct = sizeof(JET_INDEXCREATE),
                           .szIndexName = "pk",
                           .szKey = key,
                           .cbKey = sizeof key,
                           .grbit = JET_bitIndexPrimary | JET_bitIndexUnique,
                           .ulDensity = 100};
    JET_TABLECREATE tc = {.cbStruct = sizeof tc,
                          .szTableName = "kv",
                          .ulPages = 16,
                          .ulDensity = 100,
                          .rgcolumncreate = cols,
                          .cColumns = 2,
                          .rgindexcreate = &idx,
                          .cIndexes = 1};
    JET_ERR err = JetCreateTableColumnIndex(ses, dbid, &tc);
    if (err < 0)
        return err;
    *ptab = tc.tableid;
    *pcolK = cols[0].columnid;
    *pcolV = cols[1].columnid;
    return JET_errSuccess;
}
