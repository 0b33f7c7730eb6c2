/* bench_bj.h: what every bluejet benchmark driver shares: the key/value table (an 8-byte
 * LongLong key "k" with a unique primary index, a Binary value "v"), made in one call. */
#ifndef BENCH_BJ_H
#define BENCH_BJ_H

#include <stdint.h>

#include <esent.h>

/* Creates table "kv" in dbid (values up to cbValue bytes): *ptab (open), *pcolK, *pcolV. */
JET_ERR bench_bj_create_kv(JET_SESID ses, JET_DBID dbid, uint32_t cbValue, JET_TABLEID *ptab,
                           JET_COLUMNID *pcolK, JET_COLUMNID *pcolV);

#endif /* BENCH_BJ_H */
