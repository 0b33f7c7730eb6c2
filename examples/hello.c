/* hello.c: a first bluejet program, written as for Windows ESE: create a database with one table
 * (a primary and a secondary index), insert rows in a transaction, seek one row by its key and
 * scan an index range. Usage: hello [FOLDER]  (creates FOLDER/hello.edb, default ".")
 * Build: cc hello.c $(pkg-config --cflags --libs bluejet) -o hello */
#include <stdio.h>
#include <string.h>

#include <esent.h>

/* Call(): run a JET call; on an error print its name (e.g. JET_errKeyDuplicate) and clean up. */
#define Call(expr)                                                                                 \
    do {                                                                                           \
        err = (expr);                                                                              \
        if (err < 0) {                                                                             \
            JET_API_PTR code_ = (JET_API_PTR)(uint32_t)err;                                        \
            char name_[128] = "";                                                                  \
            JetGetSystemParameter(0, 0, JET_paramErrorToString, &code_, name_, sizeof name_);      \
            fprintf(stderr, "%s:%d: %s failed: %d %s\n", __FILE__, __LINE__, #expr, err, name_);   \
            goto HandleError;                                                                      \
        }                                                                                          \
    } while (0)

static const struct bird {
    int32_t id;
    const char *name;
    int32_t wingspan_cm;
} g_birds[] = {{1, "Robin", 22}, {2, "Swift", 42}, {3, "Kestrel", 76},
               {4, "Heron", 175}, {5, "Magpie", 56}, {6, "Buzzard", 120}};

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char sysPath[512], dbPath[512];
    snprintf(sysPath, sizeof sysPath, "%s/", dir); /* a folder: ends with a separator */
    snprintf(dbPath, sizeof dbPath, "%s/hello.edb", dir);
    JET_INSTANCE inst = 0;
    JET_SESID ses = JET_sesidNil;
    JET_DBID db = JET_dbidNil;
    JET_TABLEID tab = JET_tableidNil;
    JET_ERR err;

    /* Process-wide parameters first, then the instance's own. */
    Call(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL));
    Call(JetCreateInstance(&inst, "hello"));
    Call(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, sysPath));
    Call(JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, sysPath));
    Call(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, sysPath));
    Call(JetInit(&inst));
    Call(JetBeginSession(inst, &ses, NULL, NULL));
    Call(JetCreateDatabase(ses, dbPath, NULL, &db, JET_bitDbOverwriteExisting));

    /* One call creates the table, its columns and its indexes. Keys: "+col\0...\0\0". */
    JET_COLUMNCREATE cols[] = {
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "id", .coltyp = JET_coltypLong,
         .grbit = JET_bitColumnNotNULL},
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "name", .coltyp = JET_coltypText,
         .cbMax = 64, .cp = 1252},
        {.cbStruct = sizeof(JET_COLUMNCREATE), .szColumnName = "wingspan",
         .coltyp = JET_coltypLong},
    };
    JET_INDEXCREATE idx[] = {
        {.cbStruct = sizeof(JET_INDEXCREATE), .szIndexName = "primary", .szKey = "+id\0",
         .cbKey = sizeof "+id\0", .grbit = JET_bitIndexPrimary, .ulDensity = 100},
        {.cbStruct = sizeof(JET_INDEXCREATE), .szIndexName = "bySpan", .szKey = "+wingspan\0",
         .cbKey = sizeof "+wingspan\0", .ulDensity = 100},
    };
    JET_TABLECREATE tc = {.cbStruct = sizeof tc, .szTableName = "Birds", .ulDensity = 100,
                          .rgcolumncreate = cols, .cColumns = 3,
                          .rgindexcreate = idx, .cIndexes = 2};
    Call(JetCreateTableColumnIndex(ses, db, &tc));
    tab = tc.tableid; /* left open by the call */
    const JET_COLUMNID colId = cols[0].columnid, colName = cols[1].columnid,
                       colSpan = cols[2].columnid;

    /* Insert every row in one transaction: all or nothing. */
    Call(JetBeginTransaction(ses));
    for (size_t i = 0; i < sizeof g_birds / sizeof g_birds[0]; i++) {
        const struct bird *b = &g_birds[i];
        JET_SETCOLUMN set[3] = {
            {.columnid = colId, .pvData = &b->id, .cbData = sizeof b->id},
            {.columnid = colName, .pvData = b->name, .cbData = (uint32_t)strlen(b->name)},
            {.columnid = colSpan, .pvData = &b->wingspan_cm, .cbData = sizeof b->wingspan_cm},
        };
        Call(JetPrepareUpdate(ses, tab, JET_prepInsert));
        Call(JetSetColumns(ses, tab, set, 3));
        Call(JetUpdate(ses, tab, NULL, 0, NULL));
    }
    Call(JetCommitTransaction(ses, 0));
    printf("inserted %zu birds\n", sizeof g_birds / sizeof g_birds[0]);

    /* Seek one row by its primary key. */
    char name[65];
    uint32_t cb;
    int32_t key = 3, span;
    Call(JetSetCurrentIndex(ses, tab, "primary"));
    Call(JetMakeKey(ses, tab, &key, sizeof key, JET_bitNewKey));
    Call(JetSeek(ses, tab, JET_bitSeekEQ));
    Call(JetRetrieveColumn(ses, tab, colName, name, sizeof name - 1, &cb, 0, NULL));
    name[cb] = '\0';
    printf("id 3 is %s\n", name);

    /* Scan the secondary index from 40 cm up to 130 cm inclusive, in wingspan order. */
    int32_t lo = 40, hi = 130;
    Call(JetSetCurrentIndex(ses, tab, "bySpan"));
    Call(JetMakeKey(ses, tab, &lo, sizeof lo, JET_bitNewKey));
    Call(JetSeek(ses, tab, JET_bitSeekGE));
    Call(JetMakeKey(ses, tab, &hi, sizeof hi, JET_bitNewKey));
    Call(JetSetIndexRange(ses, tab, JET_bitRangeUpperLimit | JET_bitRangeInclusive));
    printf("wingspan %d..%d cm:\n", lo, hi);
    do {
        Call(JetRetrieveColumn(ses, tab, colName, name, sizeof name - 1, &cb, 0, NULL));
        name[cb] = '\0';
        Call(JetRetrieveColumn(ses, tab, colSpan, &span, sizeof span, &cb, 0, NULL));
        printf("  %-8s %4d cm\n", name, span);
    } while ((err = JetMove(ses, tab, JET_MoveNext, 0)) == JET_errSuccess);
    if (err != JET_errNoCurrentRecord) /* NoCurrentRecord: we moved past the range's end */
        Call(err);

    Call(JetCloseTable(ses, tab));
    Call(JetCloseDatabase(ses, db, 0));
    Call(JetDetachDatabase(ses, dbPath));
    Call(JetEndSession(ses, 0));
    Call(JetTerm(inst));
    printf("done\n");
    return 0;

HandleError:
    if (inst)
        JetTerm2(inst, JET_bitTermAbrupt); /* closes what is still open */
    return 1;
}
