/* test_libesedb_rows.c: rows bluejet writes, read back by Debian's libesedb 20181229.
 *
 * A database (4, 8, 16 and 32 KiB pages) with four tables: "Types" (every column type, fixed /
 * variable / tagged, NULLs, a default, multi-values, intrinsic long values; primary index,
 * unique ascending and non-unique descending secondary indexes), "Big" (20 000 rows: a
 * multi-level tree; every 7th row deleted, every 11th replaced before detach), "NoPk" (no
 * primary index: records in insertion (DBK) order) and "Lv" (separated long values of 20 KB
 * and 200 KB and an intrinsic one). After JetDetachDatabase/JetTerm:
 *   - esedbinfo exits 0 and lists every table and column;
 *   - esedbexport -t exits 0 and each table's file has exactly our rows, in key order, with
 *     every value equal to what we stored, in libesedb's print format;
 *   - esechk.py finds no bad checksum; `bluejet check` exits 0.
 * libesedb 20181229 limitations (see the source of esedbtools/export_handle.c and
 * libesedb_record.c of that release) are asserted as what it prints, not skipped silently:
 *   - IEEESingle prints "0.000000" whatever the value (its 32-bit float conversion);
 *   - DateTime is read as a FILETIME (ESE stores an OLE date double): for our values it prints
 *     the two 32-bit halves "(0xHI 0xLO)";
 *   - Currency prints as an unsigned 64-bit integer;
 *   - multi-values of non-text columns print empty (export_handle tests a size it never sets),
 *     and exactly-two-value columns (TAGFLD flag 0x10) print empty ("TODO handle 0x10");
 *   - separated long values print empty: 20181229 builds the B-tree keys it searches the LV
 *     tree with from the wrong bytes (libesedb_page_tree_read_page appends the node's key from
 *     the start of the node, i.e. from its cbKey/cbPrefix fields, and libesedb_key_append_data
 *     appends nothing when the suffix is not longer than the prefix), so the LV root of a LID is
 *     never found (or a chunk is returned in its place: "unsupported long values data size").
 *     Our LV layout is ESE's (lv.hxx LVKEY32, rec.hxx LidOfSeparatedLV); libesedb fixed both
 *     in commit 47d9555 (2019-12-19). docs/compat.md has the full analysis. We assert the exact
 *     failure signature (one "Unable to retrieve long value" log line per separated value, and
 *     none for intrinsic ones) and check the values through our own API and `bluejet check`.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "esent.h"
#include "testlib.h"

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    fclose(f);
    p[got] = 0;
    return p;
}

/* ---- expected lines ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static void sb_hex(sbuf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_add(b, "%02x", p[i]);
}

/* A table's expected export: the header line and one line per row, in key order. */
typedef struct want {
    sbuf text;
    long rows;
} want;

/* Compares an exported table file with the expected text line by line (reports the first
 * difference only). */
static void check_export(const char *dir, const char *table, int idx, const want *w)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.%d", dir, table, idx);
    char *got = slurp(path);
    if (!got) {
        bj_test_fail(__FILE__, __LINE__, "no export file %s", path);
        return;
    }
    long lines = 0;
    for (char *q = got; *q; q++)
        lines += *q == '\n';
    if (lines != w->rows + 1)
        bj_test_fail(__FILE__, __LINE__, "%s: %ld rows exported, %ld stored", table, lines - 1,
                     w->rows);
    const char *a = got, *b = w->text.p;
    long line = 0;
    while (*a || *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) {
            /* the first differing field */
            const char *fa = a, *fb = b;
            int field = 0;
            for (;;) {
                size_t na = strcspn(fa, "\t\n"), nb = strcspn(fb, "\t\n");
                if (na != nb || memcmp(fa, fb, na) != 0 || fa[na] != '\t' || fb[nb] != '\t') {
                    bj_test_fail(__FILE__, __LINE__,
                                 "%s line %ld field %d:\n  got  %.*s\n  want %.*s", table, line,
                                 field, (int)(na > 300 ? 300 : na), fa, (int)(nb > 300 ? 300 : nb),
                                 fb);
                    break;
                }
                fa += na + 1;
                fb += nb + 1;
                field++;
            }
            break;
        }
        a += la + (ea != NULL);
        b += lb + (eb != NULL);
        line++;
    }
    free(got);
}

/* ---- the "Types" table ---- */

enum { TY_ROWS = 300 };

static const JET_COLUMNCREATE g_types_cols[] = {
    /* fixed */
    {sizeof(JET_COLUMNCREATE), "Id", JET_coltypLong, 0, JET_bitColumnNotNULL, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Bit", JET_coltypBit, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "UByte", JET_coltypUnsignedByte, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Short", JET_coltypShort, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Cur", JET_coltypCurrency, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Single", JET_coltypIEEESingle, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Double", JET_coltypIEEEDouble, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Date", JET_coltypDateTime, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "ULong", JET_coltypUnsignedLong, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "LLong", JET_coltypLongLong, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Guid", JET_coltypGUID, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "UShort", JET_coltypUnsignedShort, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Dflt", JET_coltypLong, 0, 0, "\x2a\0\0\0", 4, 0, 0, 0},
    /* variable */
    {sizeof(JET_COLUMNCREATE), "Bin", JET_coltypBinary, 255, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Ansi", JET_coltypText, 255, 0, NULL, 0, 1252, 0, 0},
    {sizeof(JET_COLUMNCREATE), "Uni", JET_coltypText, 255, 0, NULL, 0, 1200, 0, 0},
    /* tagged */
    {sizeof(JET_COLUMNCREATE), "LBin", JET_coltypLongBinary, 0, 0, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "LText", JET_coltypLongText, 0, 0, NULL, 0, 1252, 0, 0},
    {sizeof(JET_COLUMNCREATE), "LUni", JET_coltypLongText, 0, 0, NULL, 0, 1200, 0, 0},
    {sizeof(JET_COLUMNCREATE), "MvText", JET_coltypText, 64,
     JET_bitColumnTagged | JET_bitColumnMultiValued, NULL, 0, 1200, 0, 0},
    {sizeof(JET_COLUMNCREATE), "MvLong", JET_coltypLong, 0,
     JET_bitColumnTagged | JET_bitColumnMultiValued, NULL, 0, 0, 0, 0},
    {sizeof(JET_COLUMNCREATE), "TagLong", JET_coltypLong, 0, JET_bitColumnTagged, NULL, 0, 0, 0, 0},
};
enum { TY_NCOLS = sizeof g_types_cols / sizeof g_types_cols[0] };

/* Row r's value for the Types column c (version v: 0 inserted, 1 replaced). Returns its size
 * (0 = NULL) in buf and appends libesedb's printed form to out. Multi-values are handled by
 * the caller. */
static uint32_t ty_value(int r, int v, int c, uint8_t *buf, sbuf *out)
{
    bool null = (r % 5 == 3) && c != 0 && c != 12; /* every 5th row: NULLs (not Id, Dflt) */
    int x = r * 37 + v * 1000;
    if (null && c < 12) {
        /* libesedb ignores the fixed-column null bitmap and prints the slot's bytes, which ESE
         * fills with chRECFill '*' (0x2a) (daedef.hxx, fldmod.cxx); the Dflt column's default
         * makes every fixed slot present in the record */
        static const char *star[12] = {"",
                                       "true",
                                       "42",
                                       "10794",
                                       "3038287259199220266",
                                       "0.000000",
                                       "0.000000",
                                       "(0x2a2a2a2a 0x2a2a2a2a)",
                                       "707406378",
                                       "3038287259199220266",
                                       "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a",
                                       "10794"};
        sb_add(out, "%s", star[c]);
        return 0;
    }
    switch (c) {
    case 0: {
        int32_t id = r;
        memcpy(buf, &id, 4);
        sb_add(out, "%d", id);
        return 4;
    }
    case 1:
        if (null)
            return 0;
        buf[0] = (x & 1) ? 0xff : 0;
        sb_add(out, "%s", (x & 1) ? "true" : "false");
        return 1;
    case 2:
        if (null)
            return 0;
        buf[0] = (uint8_t)x;
        sb_add(out, "%u", (unsigned)(uint8_t)x);
        return 1;
    case 3: {
        if (null)
            return 0;
        int16_t s = (int16_t)(x * 7 - 20000);
        memcpy(buf, &s, 2);
        sb_add(out, "%d", s);
        return 2;
    }
    case 4: {
        if (null)
            return 0;
        int64_t m = (int64_t)x * 10000 - 5000000;
        memcpy(buf, &m, 8);
        sb_add(out, "%" PRIu64, (uint64_t)m);
        return 8;
    }
    case 5: {
        if (null)
            return 0;
        float f = (float)x / 4.0f;
        memcpy(buf, &f, 4);
        sb_add(out, "0.000000");
        return 4;
    }
    case 6: {
        if (null)
            return 0;
        double d = (double)x / 8.0 - 1000.0;
        memcpy(buf, &d, 8);
        sb_add(out, "%f", d);
        return 8;
    }
    case 7: {
        if (null)
            return 0;
        double d = 40000.0 + x / 4.0;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        memcpy(buf, &d, 8);
        sb_add(out, "(0x%08x 0x%08x)", (unsigned)(bits >> 32), (unsigned)bits);
        return 8;
    }
    case 8: {
        if (null)
            return 0;
        uint32_t u = 0xfffff000u + (uint32_t)x;
        memcpy(buf, &u, 4);
        sb_add(out, "%u", u);
        return 4;
    }
    case 9: {
        if (null)
            return 0;
        int64_t l = ((int64_t)x << 33) - 0x123456789LL;
        memcpy(buf, &l, 8);
        sb_add(out, "%" PRId64, l);
        return 8;
    }
    case 10:
        if (null)
            return 0;
        for (int i = 0; i < 16; i++) /* unique: x in the first 4 bytes */
            buf[i] = i < 4 ? (uint8_t)((uint32_t)x >> (8 * i)) : (uint8_t)(x + i * 17);
        sb_hex(out, buf, 16);
        return 16;
    case 11: {
        if (null)
            return 0;
        uint16_t u = (uint16_t)(60000 + x);
        memcpy(buf, &u, 2);
        sb_add(out, "%u", u);
        return 2;
    }
    case 12: { /* default 42 unless every 4th row sets it */
        int32_t d = (r % 4 == 0) ? -x : 42;
        memcpy(buf, &d, 4);
        sb_add(out, "%d", d);
        return (r % 4 == 0) ? 4 : 0;
    }
    case 13: {
        if (null)
            return 0;
        uint32_t n = 1 + (uint32_t)(x % 40);
        for (uint32_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(x * 3 + i);
        sb_hex(out, buf, n);
        return n;
    }
    case 14: {
        if (null)
            return 0;
        /* Windows-1252 text with é (0xe9) */
        int n = snprintf((char *)buf, 64, "ansi %d caf\xe9 v%d", r, v);
        sb_add(out, "ansi %d caf\xc3\xa9 v%d", r, v);
        return (uint32_t)n;
    }
    case 15: {
        if (null)
            return 0;
        /* UTF-16LE: "uni <r> " + U+263B + "ü" */
        char a[32];
        int n = snprintf(a, sizeof a, "uni %d v%d ", r, v);
        for (int i = 0; i < n; i++) {
            buf[2 * i] = (uint8_t)a[i];
            buf[2 * i + 1] = 0;
        }
        buf[2 * n] = 0x3b;
        buf[2 * n + 1] = 0x26;
        buf[2 * n + 2] = 0xfc;
        buf[2 * n + 3] = 0x00;
        sb_add(out, "%s\xe2\x98\xbb\xc3\xbc", a);
        return (uint32_t)(2 * n + 4);
    }
    case 16: { /* intrinsic long binary, up to 900 bytes */
        if (null || r % 3 == 0)
            return 0;
        uint32_t n = 1 + (uint32_t)(x * 13 % 900);
        for (uint32_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(i * 5 + x);
        sb_hex(out, buf, n);
        return n;
    }
    case 17: { /* intrinsic long text */
        if (null)
            return 0;
        uint32_t n = 1 + (uint32_t)(x % 700);
        for (uint32_t i = 0; i < n; i++)
            buf[i] = (uint8_t)('a' + (i + (uint32_t)x) % 26);
        sb_add(out, "%.*s", (int)n, (const char *)buf);
        return n;
    }
    case 18: { /* intrinsic long Unicode text */
        if (null)
            return 0;
        char a[32];
        int n = snprintf(a, sizeof a, "long uni %d", x);
        for (int i = 0; i < n; i++) {
            buf[2 * i] = (uint8_t)a[i];
            buf[2 * i + 1] = 0;
        }
        sb_add(out, "%s", a);
        return (uint32_t)(2 * n);
    }
    case 21: {
        if (null || r % 2)
            return 0;
        int32_t t = -x;
        memcpy(buf, &t, 4);
        sb_add(out, "%d", t);
        return 4;
    }
    }
    return 0;
}

static uint32_t g_cbPage; /* the page size being tested */

/* Sets every column of Types row r (version v) into the prepared update; appends its line. */
static void ty_row(JET_SESID s, JET_TABLEID t, const JET_COLUMNID *ids, int r, int v, sbuf *out)
/* (a replace (v = 1) keeps the multi-values: only their expected text is produced) */
{
    static uint8_t buf[1024];
    for (int c = 0; c < TY_NCOLS; c++) {
        if (c)
            sb_add(out, "\t");
        if (c == 19) { /* MvText: 3 values on even rows (printed "a; b; c"), 2 on odd: empty on
                        * small pages, where two values use TAGFLD flag 0x10 */
            if (r % 5 == 3)
                continue;
            int nv = (r % 2) ? 2 : 3;
            for (int i = 0; i < nv; i++) {
                char a[16];
                int n = snprintf(a, sizeof a, "mv%d.%d", r, i);
                for (int k = 0; k < n; k++) {
                    buf[2 * k] = (uint8_t)a[k];
                    buf[2 * k + 1] = 0;
                }
                if (!v)
                    CHECK_OK(JetSetColumn(s, t, ids[c], buf, (uint32_t)(2 * n), 0, NULL));
                if (nv == 3 || g_cbPage > 8192)
                    sb_add(out, "%s%s", i ? "; " : "", a);
            }
            continue;
        }
        if (c == 20) { /* MvLong: libesedb prints non-text multi-values empty */
            if (r % 5 == 3 || v)
                continue;
            for (int i = 0; i < 3; i++) {
                int32_t m = r * 10 + i;
                CHECK_OK(JetSetColumn(s, t, ids[c], &m, 4, 0, NULL));
            }
            continue;
        }
        uint32_t cb = ty_value(r, v, c, buf, out);
        if (cb)
            CHECK_OK(JetSetColumn(s, t, ids[c], buf, cb, 0, NULL));
        else if (v && c != 12)
            CHECK_OK(JetSetColumn(s, t, ids[c], NULL, 0, 0, NULL));
    }
    sb_add(out, "\n");
}

/* ---- the build ---- */

static JET_ERR seek_long(JET_SESID s, JET_TABLEID t, int64_t id, uint32_t cb)
{
    JET_ERR err = JetMakeKey(s, t, &id, cb, JET_bitNewKey);
    if (err)
        return err;
    return JetSeek(s, t, JET_bitSeekEQ);
}

enum { BIG_ROWS = 20000, NOPK_ROWS = 60 };

static void build_and_check(uint32_t cbPage)
{
    sbuf lines[TY_ROWS] = {{0}};
    char path[1024], out[1100];
    snprintf(path, sizeof path, "%s/rows%u.edb", bj_test_tmpdir(), cbPage);
    g_cbPage = cbPage;
    snprintf(out, sizeof out, "%s/x", bj_test_tmpdir());
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    REQUIRE_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, cbPage, NULL));
    REQUIRE_OK(JetCreateInstance(&inst, "rows"));
    REQUIRE_OK(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, bj_test_tmpdir()));
    REQUIRE_OK(JetInit(&inst));
    REQUIRE_OK(JetBeginSession(inst, &s, NULL, NULL));
    REQUIRE_OK(JetCreateDatabase(s, path, NULL, &db, 0));

    /* Types: JetCreateTableColumnIndex with three indexes */
    want wty = {{0}, 0};
    JET_COLUMNCREATE cols[TY_NCOLS];
    memcpy(cols, g_types_cols, sizeof cols);
    JET_INDEXCREATE idx[3] = {{0}};
    idx[0].cbStruct = sizeof idx[0];
    idx[0].szIndexName = "PK";
    idx[0].szKey = "+Id\0";
    idx[0].cbKey = 5;
    idx[0].grbit = JET_bitIndexPrimary;
    idx[1].cbStruct = sizeof idx[1];
    idx[1].szIndexName = "ByAnsiDesc";
    idx[1].szKey = "-Ansi\0";
    idx[1].cbKey = 7;
    idx[2].cbStruct = sizeof idx[2];
    idx[2].szIndexName = "ByGuid";
    idx[2].szKey = "+Guid\0";
    idx[2].cbKey = 7;
    idx[2].grbit = JET_bitIndexUnique | JET_bitIndexIgnoreAnyNull;
    JET_TABLECREATE tc = {0};
    tc.cbStruct = sizeof tc;
    tc.szTableName = "Types";
    tc.rgcolumncreate = cols;
    tc.cColumns = TY_NCOLS;
    tc.rgindexcreate = idx;
    tc.cIndexes = 3;
    REQUIRE_OK(JetCreateTableColumnIndex(s, db, &tc));
    JET_COLUMNID tyids[TY_NCOLS];
    for (int c = 0; c < TY_NCOLS; c++)
        tyids[c] = cols[c].columnid;
    JET_TABLEID t = tc.tableid;
    for (int c = 0; c < TY_NCOLS; c++)
        sb_add(&wty.text, "%s%s", c ? "\t" : "", g_types_cols[c].szColumnName);
    sb_add(&wty.text, "\n");
    /* rows in a few transactions; every 9th deleted, every 10th replaced (version 1) */
    REQUIRE_OK(JetBeginTransaction(s));
    for (int r = 0; r < TY_ROWS; r++) {
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        ty_row(s, t, tyids, r, 0, &lines[r]);
        REQUIRE_OK(JetUpdate(s, t, NULL, 0, NULL));
        if (r % 100 == 99) {
            REQUIRE_OK(JetCommitTransaction(s, 0));
            REQUIRE_OK(JetBeginTransaction(s));
        }
    }
    REQUIRE_OK(JetCommitTransaction(s, 0));
    REQUIRE_OK(JetBeginTransaction(s));
    for (int r = 0; r < TY_ROWS; r++) {
        if (r % 9 == 4) {
            REQUIRE_OK(seek_long(s, t, r, 4));
            CHECK_OK(JetDelete(s, t));
        } else if (r % 10 == 6) {
            REQUIRE_OK(seek_long(s, t, r, 4));
            REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplace));
            lines[r].n = 0;
            ty_row(s, t, tyids, r, 1, &lines[r]);
            CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
            /* a non-multi-valued tagged column set again holds one value (it once got two) */
            JET_RETINFO ri = {sizeof ri, 0, 2, 0};
            int32_t v2;
            uint32_t cb2;
            REQUIRE_OK(seek_long(s, t, r, 4));
            CHECK_EQ(JetRetrieveColumn(s, t, tyids[21], &v2, 4, &cb2, 0, &ri), JET_wrnColumnNull);
        }
    }
    REQUIRE_OK(JetCommitTransaction(s, 0));
    for (int r = 0; r < TY_ROWS; r++) {
        if (r % 9 != 4) {
            sb_add(&wty.text, "%s", lines[r].p);
            wty.rows++;
        }
    }
    CHECK_OK(JetCloseTable(s, t));

    /* Big: JetCreateTable + JetAddColumn + JetCreateIndex, 20 000 rows */
    want wbig = {{0}, 0};
    JET_COLUMNID bid, btxt, bval;
    REQUIRE_OK(JetCreateTable(s, db, "Big", 16, 100, &t));
    JET_COLUMNDEF cd;
    memset(&cd, 0, sizeof cd);
    cd.cbStruct = sizeof cd;
    cd.coltyp = JET_coltypLongLong;
    cd.grbit = JET_bitColumnNotNULL;
    REQUIRE_OK(JetAddColumn(s, t, "Key", &cd, NULL, 0, &bid));
    cd.coltyp = JET_coltypText;
    cd.cp = 1252;
    cd.cbMax = 100;
    cd.grbit = 0;
    REQUIRE_OK(JetAddColumn(s, t, "Name", &cd, NULL, 0, &btxt));
    cd.coltyp = JET_coltypLong;
    cd.cp = 0;
    cd.cbMax = 0;
    REQUIRE_OK(JetAddColumn(s, t, "Val", &cd, NULL, 0, &bval));
    REQUIRE_OK(JetCreateIndex(s, t, "PK", JET_bitIndexPrimary, "+Key\0", 6, 100));
    REQUIRE_OK(JetCreateIndex(s, t, "ByName", 0, "+Name\0", 7, 90));
    /* the cursor from JetCreateTable does not see columns added through it: reopen */
    CHECK_OK(JetCloseTable(s, t));
    REQUIRE_OK(JetOpenTable(s, db, "Big", NULL, 0, 0, &t));
    sb_add(&wbig.text, "Key\tVal\tName\n");
    REQUIRE_OK(JetBeginTransaction(s));
    for (int r = 0; r < BIG_ROWS; r++) {
        int64_t k = (int64_t)r * 3 + 1000000000000LL;
        int32_t val = r ^ 0x5555;
        char name[64];
        int n = snprintf(name, sizeof name, "name-%05d-%s", (r * 7919) % BIG_ROWS,
                         (r % 3) ? "abcdefghijklmnop" : "x");
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        CHECK_OK(JetSetColumn(s, t, bid, &k, 8, 0, NULL));
        CHECK_OK(JetSetColumn(s, t, btxt, name, (uint32_t)n, 0, NULL));
        CHECK_OK(JetSetColumn(s, t, bval, &val, 4, 0, NULL));
        REQUIRE_OK(JetUpdate(s, t, NULL, 0, NULL));
        if (r % 2000 == 1999) {
            REQUIRE_OK(JetCommitTransaction(s, 0));
            REQUIRE_OK(JetBeginTransaction(s));
        }
    }
    REQUIRE_OK(JetCommitTransaction(s, 0));
    REQUIRE_OK(JetBeginTransaction(s));
    for (int r = 0; r < BIG_ROWS; r++) {
        int64_t k = (int64_t)r * 3 + 1000000000000LL;
        if (r % 1000 == 999) { /* keep the version store small */
            REQUIRE_OK(JetCommitTransaction(s, 0));
            REQUIRE_OK(JetBeginTransaction(s));
        }
        if (r % 7 == 2) {
            REQUIRE_OK(seek_long(s, t, k, 8));
            CHECK_OK(JetDelete(s, t));
            continue;
        }
        int32_t val = r ^ 0x5555;
        char name[64];
        snprintf(name, sizeof name, "name-%05d-%s", (r * 7919) % BIG_ROWS,
                 (r % 3) ? "abcdefghijklmnop" : "x");
        if (r % 11 == 5) {
            REQUIRE_OK(seek_long(s, t, k, 8));
            REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepReplace));
            int n = snprintf(name, sizeof name, "replaced-%d", r);
            val = -r;
            CHECK_OK(JetSetColumn(s, t, btxt, name, (uint32_t)n, 0, NULL));
            CHECK_OK(JetSetColumn(s, t, bval, &val, 4, 0, NULL));
            CHECK_OK(JetUpdate(s, t, NULL, 0, NULL));
        }
        sb_add(&wbig.text, "%" PRId64 "\t%d\t%s\n", k, val, name);
        wbig.rows++;
    }
    REQUIRE_OK(JetCommitTransaction(s, 0));
    CHECK_OK(JetCloseTable(s, t));

    /* NoPk: no primary index; records in insertion order */
    want wnp = {{0}, 0};
    JET_COLUMNID nid, ntxt;
    REQUIRE_OK(JetCreateTable(s, db, "NoPk", 0, 0, &t));
    cd.coltyp = JET_coltypShort;
    REQUIRE_OK(JetAddColumn(s, t, "N", &cd, NULL, 0, &nid));
    cd.coltyp = JET_coltypLongText;
    cd.cp = 1200;
    REQUIRE_OK(JetAddColumn(s, t, "Note", &cd, NULL, 0, &ntxt));
    REQUIRE_OK(JetCreateIndex(s, t, "ByN", 0, "-N\0", 4, 100));
    CHECK_OK(JetCloseTable(s, t));
    REQUIRE_OK(JetOpenTable(s, db, "NoPk", NULL, 0, 0, &t));
    sb_add(&wnp.text, "N\tNote\n");
    for (int r = 0; r < NOPK_ROWS; r++) {
        int16_t nv = (int16_t)(1000 - r * 31);
        char a[32];
        uint8_t u[64];
        int n = snprintf(a, sizeof a, "note %d", r);
        for (int i = 0; i < n; i++) {
            u[2 * i] = (uint8_t)a[i];
            u[2 * i + 1] = 0;
        }
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        CHECK_OK(JetSetColumn(s, t, nid, &nv, 2, 0, NULL));
        if (r % 4)
            CHECK_OK(JetSetColumn(s, t, ntxt, u, (uint32_t)(2 * n), 0, NULL));
        REQUIRE_OK(JetUpdate(s, t, NULL, 0, NULL));
        sb_add(&wnp.text, "%d\t%s\n", nv, (r % 4) ? a : "");
        wnp.rows++;
    }
    CHECK_OK(JetCloseTable(s, t));

    /* Lv: separated long values (20 KB, 200 KB) and an intrinsic one */
    want wlv = {{0}, 0};
    JET_COLUMNID lid, lbin;
    static const uint32_t lvsizes[] = {20 * 1024, 200 * 1024, 700, 0, 20 * 1024 + 5};
    enum { NLV = sizeof lvsizes / sizeof lvsizes[0] };
    unsigned nsep = 0;
    REQUIRE_OK(JetCreateTable(s, db, "Lv", 0, 0, &t));
    cd.coltyp = JET_coltypLong;
    cd.cp = 0;
    REQUIRE_OK(JetAddColumn(s, t, "Id", &cd, NULL, 0, &lid));
    cd.coltyp = JET_coltypLongBinary;
    REQUIRE_OK(JetAddColumn(s, t, "Data", &cd, NULL, 0, &lbin));
    REQUIRE_OK(JetCreateIndex(s, t, "PK", JET_bitIndexPrimary, "+Id\0", 5, 100));
    CHECK_OK(JetCloseTable(s, t));
    REQUIRE_OK(JetOpenTable(s, db, "Lv", NULL, 0, 0, &t));
    sb_add(&wlv.text, "Id\tData\n");
    uint8_t *big = malloc(200 * 1024 + 16), *got = malloc(200 * 1024 + 16);
    for (uint32_t k = 0; k < NLV; k++) {
        int32_t id = (int32_t)k;
        for (uint32_t i = 0; i < lvsizes[k]; i++)
            big[i] = (uint8_t)(i * 11 + k + (i >> 9));
        REQUIRE_OK(JetPrepareUpdate(s, t, JET_prepInsert));
        CHECK_OK(JetSetColumn(s, t, lid, &id, 4, 0, NULL));
        if (lvsizes[k])
            CHECK_OK(JetSetColumn(s, t, lbin, big, lvsizes[k], 0, NULL));
        REQUIRE_OK(JetUpdate(s, t, NULL, 0, NULL));
        sb_add(&wlv.text, "%d\t", id);
        if (lvsizes[k] && lvsizes[k] < 1024)
            sb_hex(&wlv.text, big, lvsizes[k]);
        else if (lvsizes[k])
            nsep++; /* separated: printed empty by libesedb 20181229 */
        sb_add(&wlv.text, "\n");
        wlv.rows++;
    }
    /* our own reading of the separated values */
    for (uint32_t k = 0; k < NLV; k++) {
        REQUIRE_OK(seek_long(s, t, k, 4));
        uint32_t cb = 0;
        JET_ERR err = JetRetrieveColumn(s, t, lbin, got, 200 * 1024 + 16, &cb, 0, NULL);
        CHECK_EQ(err, lvsizes[k] ? 0 : JET_wrnColumnNull);
        for (uint32_t i = 0; i < lvsizes[k]; i++)
            big[i] = (uint8_t)(i * 11 + k + (i >> 9));
        if (lvsizes[k])
            CHECK(cb == lvsizes[k] && !memcmp(got, big, cb));
    }
    free(big);
    free(got);
    CHECK_OK(JetCloseTable(s, t));

    CHECK_OK(JetCloseDatabase(s, db, 0));
    CHECK_OK(JetDetachDatabase(s, path));
    CHECK_OK(JetEndSession(s, 0));
    CHECK_OK(JetTerm(inst));

    /* the independent readers */
    if (bj_test_shared_dir())
        CHECK_EQ(run("python3 '%s/tools/esechk.py' '%s' > '%s.chk' 2>&1 && ! grep -q _bad '%s.chk'",
                     bj_test_shared_dir(), path, path, path),
                 0);
    const char *tool = getenv("BJ_TOOL");
    if (tool)
        CHECK_EQ(run("'%s' check '%s' >/dev/null 2>&1", tool, path), 0);
    if (run("command -v esedbexport >/dev/null 2>&1") != 0) {
        printf("  (esedbexport not installed: libesedb checks skipped)\n");
        goto done;
    }
    CHECK_EQ(run("esedbinfo '%s' > '%s.info' 2>&1", path, path), 0);
    CHECK_EQ(run("grep -qP '^\\tNumber of tables:\\t+8$' '%s.info'", path), 0);
    static const char *tables[] = {"Types", "Big", "NoPk", "Lv"};
    /* tables 1-4 are MSysObjects, MSysObjectsShadow, MSysObjids, MSysLocales */
    for (int i = 0; i < 4; i++)
        CHECK_EQ(run("grep -qP '^Table: %d\\t+%s \\(' '%s.info'", i + 5, tables[i], path), 0);
    for (int c = 0; c < TY_NCOLS; c++)
        CHECK_EQ(run("grep -qP '^\\t%d\\t%u\\t%s\\t' '%s.info'", c + 1, (unsigned)tyids[c],
                     g_types_cols[c].szColumnName, path),
                 0);
    CHECK_EQ(run("esedbexport -l '%s.lv' -t '%s' '%s' > '%s.log' 2>&1", path, out, path, path),
             0);
    /* libesedb 20181229's LV key bug (see the top of this file): every separated value, and
     * only those, fails to be found and is logged; on 16/32 KiB pages the garbage key of the
     * first LID's root happens to compare equal, libesedb then finds none of its chunks and
     * returns a 0-byte value (printed empty, not logged). A change here means libesedb or our
     * LV layout changed. */
    unsigned nlog = nsep - (cbPage >= 16384 ? 1u : 0u);
    CHECK_EQ(run("test \"$(grep -c '^Unable to retrieve long value of record entry: 1\\.$' "
                 "'%s.lv')\" = %u",
                 path, nlog),
             0);
    CHECK_EQ(run("test \"$(grep -c 'Unable' '%s.lv')\" = %u", path, nlog), 0);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s.export", out);
    /* esedbexport numbers files by catalog order from 0; 0-3 are the system tables */
    check_export(dir, "Types", 4, &wty);
    check_export(dir, "Big", 5, &wbig);
    check_export(dir, "NoPk", 6, &wnp);
    check_export(dir, "Lv", 7, &wlv);
done:
    for (int r = 0; r < TY_ROWS; r++)
        free(lines[r].p);
    free(wty.text.p);
    free(wbig.text.p);
    free(wnp.text.p);
    free(wlv.text.p);
}

TEST(rows_4k)
{
    build_and_check(4096);
}
TEST(rows_8k)
{
    build_and_check(8192);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
TEST(rows_16k)
{
    build_and_check(16384);
}
TEST(rows_32k)
{
    build_and_check(32768);
}
