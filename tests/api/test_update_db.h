/* test_update_db.h: shared by the write-path API suites (test_update, test_trx, test_isolation,
 * test_concurrency): checks a detached database through the engine's internal layers
 * (bj_bt_check on every tree of table T, entry counts of every index and of the table).
 */
#ifndef BJ_TEST_UPDATE_DB_H
#define BJ_TEST_UPDATE_DB_H

#include <pthread.h>

#include "buf/buf.h"
#include "cat/cat.h"
#include "esent.h"
#include "page/dbhdr.h"
#include "page/dbhdr_format.h"
#include "page/page.h"
#include "space/space.h"
#include "testlib.h"

#define FX_TABLE "T"

/* Checks a detached database: every tree of every table passes bj_bt_check, and every index
 * has exactly one live entry per record that belongs in it (nonnull == the expected count
 * of entries when known, else the record count). *pcrec = live records. 0 when clean. */
static int fx_check_db(const char *path, uint32_t cbPage, uint64_t *pcrec, uint64_t *rgcent,
                       uint32_t cidxMax)
{
    int rc = -1;
    bj_os *os = bj_os_posix();
    bj_file *file = NULL;
    bj_buf *buf = NULL;
    bj_buf_db *bdb = NULL;
    bj_cat *cat = NULL;
    bj_bt_dbctx dbc;
    if (bj_file_open(os, path, BJ_OPEN_READONLY, &file) < 0)
        goto done;
    bj_buf_config cfg = {
        .cbPage = cbPage, .cFrames = 1024, .verify = bj_page_verify, .seal = bj_page_seal};
    if (bj_buf_open(&cfg, &buf) < 0 || bj_buf_db_attach(buf, file, true, &bdb) < 0)
        goto done;
    bj_bt_dbctx_init(&dbc, bdb, cbPage, 1);
    if (bj_cat_load(&dbc, &cat) < 0)
        goto done;
    const bj_cat_table *t = bj_cat_find_table(cat, FX_TABLE);
    if (!t)
        goto done;
    rc = 0;
    for (uint32_t i = 0; i < t->cidx + 2 && rc == 0; i++) {
        uint32_t pgno = i < t->cidx ? t->rgidx[i].pgnoFDP : (i == t->cidx ? t->pgnoFDP : t->pgnoLV);
        if (!pgno)
            continue; /* no LV tree */
        bj_bt_tree tr;
        if (bj_bt_open(&tr, &dbc, pgno, 0, ~0u, NULL) < 0) {
            rc = -1;
            break;
        }
        uint64_t n = 0;
        if (bj_bt_check(&tr, NULL, NULL) < 0 || bj_bt_count(&tr, true, &n) < 0)
            rc = -1;
        if (i < t->cidx && i < cidxMax)
            rgcent[i] = n;
        if (i == t->cidx)
            *pcrec = n;
        bj_bt_close(&tr);
    }
done:
    bj_cat_release(cat);
    if (bdb)
        bj_buf_db_detach(bdb, true);
    bj_buf_close(buf);
    if (file)
        bj_file_close(file);
    return rc;
}

#endif /* BJ_TEST_UPDATE_DB_H */
