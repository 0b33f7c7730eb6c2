/* test_space_edb.c: bj_space_check on the real Windows-written databases (read-only), with the
 * FDP list taken from each file's catalog (MSysObjects at pgno 4: Type 1 table rows, Type 3 index
 * rows and Type 4 long-value rows carry the tree's root pgno in ColtypOrPgnoFDP).
 */
#include <string.h>

#include "btree/btree.h"
#include "buf/buf.h"
#include "os/os.h"
#include "page/page.h"
#include "space/space.h"
#include "testlib.h"

/* MSysObjects fixed columns (ese-format.md §3.2): after the 4-byte record header,
 * ObjidTable u32, Type u16, Id u32, ColtypOrPgnoFDP u32. */
#define MSO_TYPE_OFF 8u
#define MSO_PGNO_OFF 14u

typedef struct edb {
    bj_file *file;
    bj_buf *buf;
    bj_buf_db *db;
    bj_bt_dbctx dbc;
} edb;

static bool edb_open(edb *e, const char *name, uint32_t cbPage)
{
    char path[1024];
    const char *shared = bj_test_shared_dir();
    memset(e, 0, sizeof(*e));
    if (!shared)
        return false;
    snprintf(path, sizeof(path), "%s/data/edb/%s", shared, name);
    if (bj_file_open(bj_os_posix(), path, BJ_OPEN_READONLY, &e->file) < 0)
        return false;
    bj_buf_config cfg = {.cbPage = cbPage, .cFrames = 512, .verify = bj_page_verify};
    if (bj_buf_open(&cfg, &e->buf) < 0)
        return false;
    if (bj_buf_db_attach(e->buf, e->file, true, &e->db) < 0)
        return false;
    bj_bt_dbctx_init(&e->dbc, e->db, cbPage, 0);
    return true;
}

static void edb_close(edb *e)
{
    if (e->db)
        bj_buf_db_detach(e->db, true);
    bj_buf_close(e->buf);
    bj_file_close(e->file);
}

static int g_faults;
static void report(void *ctx, uint32_t pgno, const char *msg)
{
    g_faults++;
    fprintf(stderr, "  %s: page %u: %s\n", (const char *)ctx, pgno, msg);
}

/* Every FDP root the catalog names (tables, indexes, LV trees), deduplicated. */
static JET_ERR catalog_fdps(edb *e, uint32_t *fdps, uint32_t cap, uint32_t *pn)
{
    JET_ERR err = JET_errSuccess;
    bj_bt_tree cat;
    bj_bt_cursor c;
    uint32_t n = 0;
    CALL(bj_bt_open(&cat, &e->dbc, 4, 2, ~0u, NULL));
    err = bj_bt_cursor_open(&cat, true, &c);
    if (err < 0) {
        bj_bt_close(&cat);
        goto fail;
    }
    for (err = bj_bt_move_first(&c); err >= 0; err = bj_bt_move_next(&c)) {
        const uint8_t *k, *d;
        uint32_t cbk, cbd;
        if ((err = bj_bt_get(&c, &k, &cbk, &d, &cbd, NULL)) < 0)
            break;
        if (cbd < MSO_PGNO_OFF + 4 || d[0] < 4)
            continue;
        uint16_t type = bj_ld16(d + MSO_TYPE_OFF);
        uint32_t pgno = bj_ld32(d + MSO_PGNO_OFF);
        if ((type != 1 && type != 3 && type != 4) || pgno == 0)
            continue;
        bool dup = false;
        for (uint32_t i = 0; i < n; i++)
            dup = dup || fdps[i] == pgno;
        if (!dup && n < cap)
            fdps[n++] = pgno;
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound)
        err = JET_errSuccess;
    bj_bt_cursor_close(&c);
    bj_bt_close(&cat);
    *pn = n;
fail:
    return err;
}

static void check_file(const char *name, uint32_t cbPage, uint32_t wantTail, uint32_t minFdps)
{
    edb e;
    if (!edb_open(&e, name, cbPage)) {
        bj_test_fail(__FILE__, __LINE__, "cannot open %s", name);
        edb_close(&e);
        return;
    }
    uint32_t fdps[1024], n = 0;
    CHECK_OK(catalog_fdps(&e, fdps, 1024, &n));
    CHECK(n >= minFdps);
    bj_space_check_stats st;
    g_faults = 0;
    JET_ERR err = bj_space_check(&e.dbc, fdps, n, report, (void *)name, &st);
    fprintf(stderr,
            "  %s: %u FDPs, file %u pages, DB root owns %u, available %u, used %u, leaked %u, "
            "unowned tail %u, faults %u (err %d)\n",
            name, n, st.cpgFile, st.cpgOwned, st.cpgAvail, st.cpgUsed, st.cpgLeaked,
            st.cpgUnownedTail, st.cFaults, err);
    CHECK_OK(err);
    CHECK_EQ(g_faults, 0);
    CHECK_EQ(st.cpgUnownedTail, wantTail);
    CHECK_EQ(st.cpgOwned + st.cpgUnownedTail, st.cpgFile);
    edb_close(&e);
}

TEST(catalog1_space)
{
    check_file("Catalog1_rev14_4k.edb", 4096, 256, 20);
}

TEST(srudb_space)
{
    check_file("SRUDB_win_rev14_4k.dat", 4096, 16, 12); /* 143-158: slack, not ESE pages */
}

TEST(webcache_space)
{
    check_file("WebCacheV01_rev6e_32k.dat", 32768, 288, 20); /* file preextended */
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
