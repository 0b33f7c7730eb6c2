/* fuzz_file.c: libFuzzer target for a whole database read through the API and the checkers.
 * Input: u8 base file (0: Catalog1_rev14_4k.edb, 1: SRUDB_win_rev14_4k.dat, 4 KiB pages), then
 * up to 16 patches [u16 file page index][u16 offset][u8 len][u8 flags][len bytes]; flags bit1
 * copies the whole base-file page named by the first two patch bytes over the page instead
 * (misplaced pages: duplicated leaves, wrong children), bit0 then re-seals the page's checksum
 * (header pages: re-encodes the header) so the structural checks behind it are reached.
 * The patched image lives in a tmpfs file (/dev/shm, one per process and base; patched pages are
 * restored after each run). Each run: JetCreateInstance, JetInit, JetBeginSession,
 * JetAttachDatabase read-only, JetOpenDatabase, the tables listed from MSysObjects, every row
 * of every table (JetMove), every value of every column of the first rows and of every 32nd
 * (JetRetrieveColumn with growing buffers, long values and multi-values; JetRetrieveColumns), every
 * index (JetSetCurrentIndex, moves, JetRetrieveKey + JetMakeKey(normalised) + JetSeek); then below
 * the API: bj_cat_load, bj_bt_check and bj_bt_count on every tree and bj_space_check. Each call
 * must return; a row walk longer than the file could hold is a loop nobody detected (trap).
 */
#include <esent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cat/cat.h"
#include "fuzz_common.h"
#include "page/dbhdr.h"
#include "space/space.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CB_PAGE 4096u
#define FZ_PATCHES_MAX 16u
#define FZ_COLS_MAX 256u
#define FZ_TABLES_MAX 64u
#define FZ_ROWS_READ_ALL 24u   /* rows of each table whose every value is read ... */
#define FZ_ROWS_READ_EVERY 32u /* ... and then every 32nd row (speed: the walk visits all) */
#define FZ_NODES_PER_PAGE 700u /* more than a 4 KiB page can hold (6 bytes per node at least) */

typedef struct fz_base {
    const char *name;
    uint8_t *img;
    size_t cb;
    char path[256];
    int fd;
} fz_base;

static fz_base g_base[2] = {{.name = "Catalog1_rev14_4k.edb"}, {.name = "SRUDB_win_rev14_4k.dat"}};

static void base_load(fz_base *b)
{
    const char *shared = getenv("BJ_SHARED_DIR");
    char src[1024];
    snprintf(src, sizeof src, "%s/data/edb/%s", shared ? shared : "/work/shared", b->name);
    FILE *f = fopen(src, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_file: cannot open %s\n", src);
        abort();
    }
    fseek(f, 0, SEEK_END);
    b->cb = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b->img = malloc(b->cb);
    if (fread(b->img, 1, b->cb, f) != b->cb)
        abort();
    fclose(f);
    snprintf(b->path, sizeof b->path, "/dev/shm/bjfuzz-%d-%s", (int)getpid(), b->name);
    b->fd = open(b->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (b->fd < 0 || pwrite(b->fd, b->img, b->cb, 0) != (ssize_t)b->cb)
        abort();
}

static void cleanup(void)
{
    for (int i = 0; i < 2; i++)
        if (g_base[i].img) {
            close(g_base[i].fd);
            unlink(g_base[i].path);
            free(g_base[i].img);
            g_base[i].img = NULL;
        }
}

/* ---- the API walk ---- */

typedef struct fz_col {
    JET_COLUMNID id;
    uint32_t coltyp;
} fz_col;
typedef struct fz_table {
    char name[JET_cbNameMost + 1];
    fz_col cols[FZ_COLS_MAX];
    uint32_t ccol;
    char idx[16][JET_cbNameMost + 1];
    uint32_t cidx;
} fz_table;

static uint32_t ret_uint(JET_SESID s, JET_TABLEID t, JET_COLUMNID c, uint32_t cb)
{
    uint8_t b[4] = {0};
    uint32_t act = 0;
    if (JetRetrieveColumn(s, t, c, b, cb, &act, 0, NULL) != JET_errSuccess)
        return 0;
    return cb == 2 ? bj_ld16(b) : bj_ld32(b);
}

static uint32_t list_tables(JET_SESID s, JET_DBID db, fz_table *tb, uint64_t bound)
{
    JET_TABLEID t;
    uint32_t n = 0;
    if (JetOpenTable(s, db, "MSysObjects", NULL, 0, JET_bitTableReadOnly, &t) < 0)
        return 0;
    uint64_t moves = 0;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0)) {
        if (++moves > bound)
            __builtin_trap(); /* more rows than the file can hold: an undetected loop */
        uint32_t type = ret_uint(s, t, 2, 2);
        char name[JET_cbNameMost + 1] = {0};
        uint32_t cb = 0;
        if (JetRetrieveColumn(s, t, 128, name, JET_cbNameMost, &cb, 0, NULL) < 0)
            continue;
        if (type == 1 && n < FZ_TABLES_MAX) {
            memset(&tb[n], 0, sizeof tb[n]);
            memcpy(tb[n].name, name, sizeof name);
            n++;
        } else if (type == 2 && n > 0 && tb[n - 1].ccol < FZ_COLS_MAX) {
            fz_col *c = &tb[n - 1].cols[tb[n - 1].ccol++];
            c->id = ret_uint(s, t, 3, 4);
            c->coltyp = ret_uint(s, t, 4, 4);
        } else if (type == 3 && n > 0 && tb[n - 1].cidx < 16) {
            memcpy(tb[n - 1].idx[tb[n - 1].cidx++], name, sizeof name);
        }
    }
    JetCloseTable(s, t);
    return n;
}

static void read_row(JET_SESID s, JET_TABLEID t, const fz_table *tb, uint8_t **pbuf, uint32_t *pcb)
{
    for (uint32_t i = 0; i < tb->ccol; i++) {
        for (uint32_t itag = 1; itag < 1000; itag++) {
            JET_RETINFO ri = {sizeof(ri), 0, itag, 0};
            uint32_t cb = 0;
            JET_ERR err = JetRetrieveColumn(s, t, tb->cols[i].id, *pbuf, *pcb, &cb, 0, &ri);
            if (err == JET_wrnBufferTruncated && cb > *pcb && cb < (64u << 20)) {
                uint8_t *p = realloc(*pbuf, cb);
                if (!p)
                    abort();
                *pbuf = p;
                *pcb = cb;
                err = JetRetrieveColumn(s, t, tb->cols[i].id, *pbuf, *pcb, &cb, 0, &ri);
            }
            if (err < 0 || err == JET_wrnColumnNull)
                break;
            /* a long value read from the middle */
            ri.ibLongValue = 5;
            (void)JetRetrieveColumn(s, t, tb->cols[i].id, *pbuf, 16, &cb, 0, &ri);
        }
    }
    JET_RETRIEVECOLUMN rc[FZ_COLS_MAX];
    static uint8_t small[FZ_COLS_MAX][64];
    memset(rc, 0, sizeof rc);
    for (uint32_t i = 0; i < tb->ccol; i++) {
        rc[i].columnid = tb->cols[i].id;
        rc[i].pvData = small[i];
        rc[i].cbData = sizeof small[i];
        rc[i].itagSequence = 1;
    }
    (void)JetRetrieveColumns(s, t, rc, tb->ccol);
}

static void walk_table(JET_SESID s, JET_DBID db, const fz_table *tb, uint64_t bound)
{
    JET_TABLEID t;
    uint32_t cbBuf = 256;
    uint8_t *buf = malloc(cbBuf);
    if (JetOpenTable(s, db, tb->name, NULL, 0, JET_bitTableReadOnly, &t) < 0) {
        free(buf);
        return;
    }
    uint64_t moves = 0;
    for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
         err = JetMove(s, t, JET_MoveNext, 0)) {
        if (++moves > bound)
            __builtin_trap(); /* an undetected loop in the leaf chain */
        if (moves <= FZ_ROWS_READ_ALL || moves % FZ_ROWS_READ_EVERY == 0)
            read_row(s, t, tb, &buf, &cbBuf);
    }
    moves = 0;
    for (JET_ERR err = JetMove(s, t, JET_MoveLast, 0); err >= 0 && moves < 64;
         err = JetMove(s, t, JET_MovePrevious, 0))
        moves++;
    for (uint32_t x = 0; x < tb->cidx; x++) {
        if (JetSetCurrentIndex(s, t, tb->idx[x]) < 0)
            continue;
        static uint8_t keys[8][JET_cbKeyMostMost];
        uint32_t cbKeys[8], nkeys = 0;
        moves = 0;
        for (JET_ERR err = JetMove(s, t, JET_MoveFirst, 0); err >= 0;
             err = JetMove(s, t, JET_MoveNext, 0)) {
            if (++moves > bound)
                __builtin_trap(); /* an undetected loop in the index's leaf chain */
            if ((moves & 7) == 1 && nkeys < 8 &&
                JetRetrieveKey(s, t, keys[nkeys], JET_cbKeyMostMost, &cbKeys[nkeys], 0) >= 0)
                nkeys++;
        }
        for (uint32_t k = 0; k < nkeys; k++) {
            if (JetMakeKey(s, t, keys[k], cbKeys[k], JET_bitNormalizedKey) < 0)
                continue;
            if (JetSeek(s, t, (k & 1) ? JET_bitSeekGE : JET_bitSeekEQ) >= 0)
                (void)JetMove(s, t, JET_MoveNext, 0);
        }
    }
    JetCloseTable(s, t);
    free(buf);
}

static void api_run(const char *path, uint64_t bound)
{
    JET_INSTANCE inst = 0;
    JET_SESID s = 0;
    JET_DBID db = 0;
    bool attached = false, opened = false;
    static fz_table tables[FZ_TABLES_MAX];
    if (JetCreateInstance(&inst, "fuzz") < 0 ||
        JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "off") < 0) /* read-only runs */
        abort();
    if (JetInit(&inst) < 0 || JetBeginSession(inst, &s, NULL, NULL) < 0)
        goto done;
    if (JetAttachDatabase(s, path, JET_bitDbReadOnly) < 0)
        goto done;
    attached = true;
    if (JetOpenDatabase(s, path, NULL, &db, JET_bitDbReadOnly) < 0)
        goto done;
    opened = true;
    uint32_t n = list_tables(s, db, tables, bound);
    for (uint32_t i = 0; i < n; i++)
        walk_table(s, db, &tables[i], bound);
done:
    if (opened)
        JetCloseDatabase(s, db, 0);
    if (attached)
        JetDetachDatabase(s, path);
    if (s)
        JetEndSession(s, 0);
    JetTerm(inst);
}

/* ---- below the API: catalog, tree and space checkers ---- */

static void check_tree(fz_db *d, uint32_t pgno, uint32_t objid)
{
    bj_bt_tree t;
    if (bj_bt_open(&t, &d->dbc, pgno, objid, ~0u, NULL) < 0)
        return;
    uint64_t c = 0;
    (void)bj_bt_check(&t, NULL, NULL);
    (void)bj_bt_count(&t, false, &c);
    bj_bt_close(&t);
}

static void checkers_run(const char *path)
{
    fz_db d;
    bj_cat *cat = NULL;
    uint32_t *fdps = NULL, cfdp = 0;
    if (fz_db_open(&d, path, FZ_CB_PAGE) < 0)
        abort();
    check_tree(&d, BJ_CAT_PGNO_MSO, BJ_CAT_OBJID_MSO);
    check_tree(&d, BJ_CAT_PGNO_MSO_SHADOW, BJ_CAT_OBJID_MSO_SHADOW);
    if (bj_cat_load(&d.dbc, &cat) >= 0) {
        uint32_t cap = 0;
        for (uint32_t i = 0; i < cat->ctbl; i++)
            cap += 2 + cat->rgtbl[i]->cidx;
        fdps = calloc(cap ? cap : 1, sizeof *fdps);
        for (uint32_t i = 0; i < cat->ctbl; i++) {
            const bj_cat_table *t = cat->rgtbl[i];
            check_tree(&d, t->pgnoFDP, t->objid);
            fdps[cfdp++] = t->pgnoFDP;
            if (t->pgnoLV) {
                check_tree(&d, t->pgnoLV, t->objidLV);
                fdps[cfdp++] = t->pgnoLV;
            }
            for (uint32_t x = 0; x < t->cidx; x++)
                if (t->rgidx[x].pgnoFDP != t->pgnoFDP) {
                    check_tree(&d, t->rgidx[x].pgnoFDP, t->rgidx[x].objid);
                    fdps[cfdp++] = t->rgidx[x].pgnoFDP;
                }
        }
    }
    bj_space_check_stats st;
    (void)bj_space_check(&d.dbc, fdps, cfdp, NULL, NULL, &st);
    free(fdps);
    bj_cat_release(cat);
    fz_db_close(&d);
}

/* ---- one run ---- */

/* Recomputes the checksum of file page ipg (header pages: re-encodes the header). */
static void reseal(uint8_t *pg, uint32_t ipg)
{
    if (ipg < 2) {
        bj_dbhdr h;
        if (bj_dbhdr_decode(pg, FZ_CB_PAGE, &h) >= 0)
            (void)bj_dbhdr_encode(&h, pg, FZ_CB_PAGE);
    } else {
        bj_page_seal(pg, FZ_CB_PAGE, ipg - 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool inited;
    if (!inited) {
        inited = true;
        base_load(&g_base[0]);
        base_load(&g_base[1]);
        atexit(cleanup);
        if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, FZ_CB_PAGE, NULL) < 0 ||
            JetSetSystemParameter(NULL, 0, JET_paramCacheSizeMax, 512, NULL) < 0)
            abort();
    }
    fz_in in;
    fz_init(&in, data, size);
    fz_base *b = &g_base[fz_u8(&in) & 1];
    uint32_t cpgFile = (uint32_t)(b->cb / FZ_CB_PAGE);
    uint32_t touched[FZ_PATCHES_MAX], ntouched = 0;
    uint8_t pg[FZ_CB_PAGE];
    for (uint32_t i = 0; i < FZ_PATCHES_MAX && fz_left(&in) >= 6; i++) {
        uint32_t ipg = fz_u16(&in) % cpgFile, off = fz_u16(&in) % FZ_CB_PAGE;
        uint32_t len = fz_u8(&in), flags = fz_u8(&in);
        size_t cb;
        const uint8_t *p = fz_bytes(&in, len, &cb);
        if (pread(b->fd, pg, FZ_CB_PAGE, (off_t)ipg * FZ_CB_PAGE) != FZ_CB_PAGE)
            abort();
        if ((flags & 2) && cb >= 2) /* copy a whole page of the base file over this one */
            memcpy(pg, b->img + (size_t)(bj_ld16(p) % cpgFile) * FZ_CB_PAGE, FZ_CB_PAGE);
        else
            memcpy(pg + off, p, BJ_MIN(cb, (size_t)(FZ_CB_PAGE - off)));
        if (flags & 1)
            reseal(pg, ipg);
        if (pwrite(b->fd, pg, FZ_CB_PAGE, (off_t)ipg * FZ_CB_PAGE) != FZ_CB_PAGE)
            abort();
        touched[ntouched++] = ipg;
    }
    uint64_t bound = (uint64_t)cpgFile * FZ_NODES_PER_PAGE;
    api_run(b->path, bound);
    checkers_run(b->path);
    for (uint32_t i = 0; i < ntouched; i++) {
        size_t o = (size_t)touched[i] * FZ_CB_PAGE;
        if (pwrite(b->fd, b->img + o, FZ_CB_PAGE, (off_t)o) != FZ_CB_PAGE)
            abort();
    }
    return 0;
}
