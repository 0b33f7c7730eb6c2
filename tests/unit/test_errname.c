/* test_errname.c: bj_err_name() names every result code of esent.h with ESE's primary name.
 *
 * errname_table.inc (generated from esent.h at build time) lists each value once with its
 * primary name, and each alias with the name it stands for. The checks compare the generated
 * names with the compiler's view of the header's macros, so a stale or wrong table fails.
 */
#include "common/common.h"
#include "testlib.h"

typedef struct {
    long long code;
    const char *name;
} errname_row;

#define BJ_ERRNAME(code, name) {(code), (name)},
#define BJ_ERRALIAS(alias, primary)
static const errname_row primaries[] = {
#include "errname_table.inc"
};
#undef BJ_ERRNAME
#undef BJ_ERRALIAS

#define BJ_ERRNAME(code, name)
#define BJ_ERRALIAS(alias, primary) {(alias), #primary},
static const errname_row aliases[] = {
#include "errname_table.inc"
};
#undef BJ_ERRNAME
#undef BJ_ERRALIAS

TEST(sample_of_names)
{
    CHECK_STR(bj_err_name(JET_errSuccess), "JET_errSuccess");
    CHECK_STR(bj_err_name(JET_wrnNyi), "JET_wrnNyi");
    CHECK_STR(bj_err_name(-1), "JET_wrnNyi");
    CHECK_STR(bj_err_name(1004), "JET_wrnColumnNull");
    CHECK_STR(bj_err_name(1006), "JET_wrnBufferTruncated");
    CHECK_STR(bj_err_name(-501), "JET_errLogFileCorrupt");
    CHECK_STR(bj_err_name(-528), "JET_errMissingLogFile");
    CHECK_STR(bj_err_name(-530), "JET_errBadLogSignature");
    CHECK_STR(bj_err_name(-543), "JET_errRequiredLogFilesMissing");
    CHECK_STR(bj_err_name(-801), "JET_errBackupAbortByServer");
    CHECK_STR(bj_err_name(-1003), "JET_errInvalidParameter");
    CHECK_STR(bj_err_name(-1018), "JET_errReadVerifyFailure");
    CHECK_STR(bj_err_name(-1081), "JET_errRunningInMultiInstanceMode");
    CHECK_STR(bj_err_name(-1102), "JET_errWriteConflict");
    CHECK_STR(bj_err_name(-1206), "JET_errDatabaseCorrupted");
    CHECK_STR(bj_err_name(-1601), "JET_errRecordNotFound");
    CHECK_STR(bj_err_name(-1814), "JET_errFileAlreadyExists");
    CHECK_STR(bj_err_name(-4005), "JET_errFileCompressed");
    CHECK_STR(bj_err_name(-537), "JET_errBadSLVSignature");
}

TEST(aliases_get_the_primary_name)
{
    CHECK_STR(bj_err_name(JET_errDatabaseInconsistent), "JET_errDatabaseDirtyShutdown");
    CHECK_STR(bj_err_name(JET_errColumnIllegalNull), "JET_errNullInvalid");
    CHECK_STR(bj_err_name(JET_wrnRecordFoundGreater), "JET_wrnSeekNotEqual");
    CHECK_STR(bj_err_name(JET_wrnRecordFoundLess), "JET_wrnSeekNotEqual");
    CHECK_STR(bj_err_name(JET_errIndexTuplesOneColumnOnly), "JET_errIndexTuplesTooManyColumns");
    CHECK_STR(bj_err_name(JET_errIndexTuplesTextColumnsOnly),
              "JET_errIndexTuplesTextBinaryColumnsOnly");
}

TEST(unknown_codes_have_no_name)
{
    CHECK(bj_err_name(-2) == NULL);
    CHECK(bj_err_name(-99999) == NULL);
    CHECK(bj_err_name(7) == NULL);
    CHECK(bj_err_name(INT32_MIN) == NULL);
    CHECK(bj_err_name(INT32_MAX) == NULL);
}

TEST(every_code_of_the_header_has_its_name)
{
    size_t n = BJ_ARRAY_LEN(primaries);
    CHECK(n > 480); /* ESE defines about 490 distinct result codes */
    for (size_t i = 0; i < n; i++) {
        const char *got = bj_err_name((JET_ERR)primaries[i].code);
        CHECK_STR(got, primaries[i].name);
        CHECK(strncmp(primaries[i].name, "JET_err", 7) == 0 ||
              strncmp(primaries[i].name, "JET_wrn", 7) == 0);
        if (i > 0)
            CHECK(primaries[i - 1].code < primaries[i].code); /* sorted, one name per value */
    }
    for (size_t i = 0; i < BJ_ARRAY_LEN(aliases); i++)
        CHECK_STR(bj_err_name((JET_ERR)aliases[i].code), aliases[i].name);
}

/* The table is generated from the header in the source tree, so it can never go stale; this
 * checks that a name the header gained recently is present, and that the bootstrap set is. */
TEST(table_covers_new_and_old_codes)
{
    static const JET_ERR codes[] = {
        JET_errLogFileNotCopied,
        JET_errSurrogateBackupInProgress,
        JET_errDatabaseAttachedForRecovery,
        JET_errEngineFormatVersionNoLongerSupportedTooLow,
        JET_wrnTargetInstanceRunning,
        JET_errCallbackNotResolved,
        JET_errOSSnapshotInvalidSnapId,
        JET_errLSNotSet,
        JET_errFileIOFail,
        JET_errRfsFailure,
    };
    for (size_t i = 0; i < BJ_ARRAY_LEN(codes); i++)
        CHECK(bj_err_name(codes[i]) != NULL);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
