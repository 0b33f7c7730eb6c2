/* fuzz_catalog.c: libFuzzer target for building the catalog from MSysObjects rows (cat/cat.h).
 * Input: u8 page-size selector, u32 cpgDb, then [u16 len][row bytes]... (key order as stored).
 * bj_cat_build must build or fail with an error; a built catalog is looked through (tables by
 * name and objid, columns, indexes) and released. Rows are exact-size heap copies.
 */
#include "cat/cat.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ROWS_MAX 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in;
    fz_init(&in, data, size);
    uint32_t cbPage = fz_page_size(fz_u8(&in));
    uint32_t cpgDb = fz_u32(&in);
    uint8_t **rows = calloc(FZ_ROWS_MAX, sizeof *rows);
    uint32_t *cbs = calloc(FZ_ROWS_MAX, sizeof *cbs);
    uint32_t n = 0;
    while (fz_left(&in) >= 2 && n < FZ_ROWS_MAX) {
        size_t cb;
        const uint8_t *p = fz_bytes(&in, fz_u16(&in), &cb);
        rows[n] = malloc(cb ? cb : 1);
        memcpy(rows[n], p, cb);
        cbs[n++] = (uint32_t)cb;
    }
    bj_cat *cat = NULL;
    if (bj_cat_build(cbPage, cpgDb, (const uint8_t *const *)rows, cbs, n, &cat) >= 0) {
        for (uint32_t i = 0; i < cat->ctbl; i++) {
            const bj_cat_table *t = cat->rgtbl[i];
            (void)bj_cat_find_table(cat, t->szName);
            (void)bj_cat_table_by_objid(cat, t->objid);
            for (uint32_t c = 0; c < t->ccol; c++) {
                (void)bj_cat_find_column(t, t->rgcol[c].szName);
                (void)bj_cat_column_by_id(t, t->rgcol[c].columnid);
                (void)bj_rec_schema_column(&t->schema, t->rgcol[c].columnid);
            }
            for (uint32_t x = 0; x < t->cidx; x++)
                (void)bj_cat_find_index(t, t->rgidx[x].szName);
            (void)bj_cat_find_index(t, NULL);
        }
        bj_cat_release(cat);
    }
    for (uint32_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
    free(cbs);
    return 0;
}
