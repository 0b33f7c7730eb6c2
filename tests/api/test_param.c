/* test_param.c: JetSetSystemParameter / JetGetSystemParameter through esent.h: defaults, round
 * trips, ranges, read-only after init, bad ids, strings and buffers, page-size dependents. */
#include <esent.h>

#include "testlib.h"

static JET_API_PTR get_int(JET_INSTANCE inst, uint32_t id)
{
    JET_API_PTR v = 0xabcdef;
    if (JetGetSystemParameter(inst, 0, id, &v, NULL, 0) < 0)
        return 0xdead;
    return v;
}

TEST(defaults)
{
    CHECK_EQ(get_int(0, JET_paramDatabasePageSize), 8192); /* ours; ESE's is 4096 */
    CHECK_EQ(get_int(0, JET_paramMaxSessions), 16);
    CHECK_EQ(get_int(0, JET_paramMaxInstances), 16);
    CHECK_EQ(get_int(0, JET_paramLogFileSize), 5120);
    CHECK_EQ(get_int(0, JET_paramMaxColtyp), JET_coltypMax);
    CHECK_EQ(get_int(0, JET_paramKeyMost), 2000);
    CHECK_EQ(get_int(0, JET_paramLVChunkSizeMost), 8110);
    CHECK_EQ(get_int(0, JET_paramEnableAdvanced), 1);
    char sz[64];
    CHECK_OK(JetGetSystemParameter(0, 0, JET_paramBaseName, NULL, sz, sizeof sz));
    CHECK_STR(sz, "edb");
    CHECK_OK(JetGetSystemParameterA(0, 0, JET_paramRecovery, NULL, sz, sizeof sz));
    CHECK_STR(sz, "on");
}

TEST(bad_ids_and_args)
{
    JET_API_PTR v;
    char sz[8];
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramMaxValueInvalid, &v, NULL, 0),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetSystemParameter(0, 0, 185, &v, NULL, 0), JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, 185, 1, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, 100000, 1, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramMaxSessions, NULL, NULL, 0),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramBaseName, NULL, NULL, 8),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramBaseName, NULL, sz, 0),
              JET_errInvalidParameter);
    /* read-only parameters */
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramKeyMost, 10, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramMaxColtyp, 10, NULL),
              JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramErrorToString, 10, NULL),
              JET_errInvalidParameter);
    /* a garbage instance */
    JET_INSTANCE garbage = (JET_INSTANCE)0x4242;
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "x"));
    CHECK_ERR(JetSetSystemParameter(&garbage, 0, JET_paramMaxSessions, 5, NULL),
              JET_errInvalidInstance);
    CHECK_ERR(JetGetSystemParameter(garbage, 0, JET_paramMaxSessions, &v, NULL, 0),
              JET_errInvalidInstance);
    CHECK_ERR(JetGetSystemParameter(0, (JET_SESID)0x77, JET_paramMaxSessions, &v, NULL, 0),
              JET_errInvalidSesid);
    CHECK_OK(JetTerm(a));
}

TEST(integer_round_trip_and_ranges)
{
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "r"));
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramMaxSessions, 100, NULL));
    CHECK_EQ(get_int(a, JET_paramMaxSessions), 100);
    CHECK_EQ(get_int(0, JET_paramMaxSessions), 16); /* process value untouched */
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramMaxSessions, 30001, NULL),
              JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramLogFileSize, 63, NULL),
              JET_errInvalidParameter);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramLogFileSize, 64, NULL));
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramCircularLog, 7, NULL));
    CHECK_EQ(get_int(a, JET_paramCircularLog), 1); /* booleans store 0/1 */
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramEnableIndexChecking, 2, NULL));
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramEnableIndexChecking, 3, NULL),
              JET_errInvalidParameter);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramRuntimeCallback, 0x1000, NULL));
    CHECK_EQ(get_int(a, JET_paramRuntimeCallback), 0x1000);
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramIndexTuplesLengthMin, 1, NULL),
              JET_errInvalidParameter);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramMaxTransactionSize, 50, NULL));
    CHECK_EQ(get_int(a, JET_paramMaxTransactionSize), 50);
    /* new instances copy the process values at creation */
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramMaxOpenTables, 1234, NULL));
    JET_INSTANCE b = 0;
    REQUIRE_OK(JetCreateInstance(&b, "r2"));
    CHECK_EQ(get_int(b, JET_paramMaxOpenTables), 1234);
    CHECK_EQ(get_int(a, JET_paramMaxOpenTables), 300);
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramMaxOpenTables, 300, NULL));
    /* advanced parameters are ignored while EnableAdvanced is off */
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramEnableAdvanced, 0, NULL));
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramMaxCursors, 5, NULL));
    CHECK_EQ(get_int(a, JET_paramMaxCursors), 1024);
    CHECK_OK(JetTerm(a));
    CHECK_OK(JetTerm(b));
}

TEST(read_only_after_init)
{
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "ro"));
    /* global-init parameters: fixed once the process has a mode */
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 16384, NULL),
              JET_errAlreadyInitialized);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramMaxInstances, 3, NULL),
              JET_errAlreadyInitialized);
    REQUIRE_OK(JetInit(&a));
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramMaxSessions, 20, NULL),
              JET_errAlreadyInitialized);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramMaxSessions, 16, NULL)); /* same value */
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramBaseName, 0, "abc"),
              JET_errAlreadyInitialized);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramDbExtensionSize, 512, NULL)); /* dynamic */
    CHECK_EQ(get_int(a, JET_paramDbExtensionSize), 512);
    CHECK_OK(JetTerm(a));
}

TEST(page_size)
{
    JET_API_PTR sizes_ok[] = {4096, 8192, 16384, 32768};
    JET_API_PTR sizes_bad[] = {2048, 1024, 12288, 65536, 0};
    for (size_t i = 0; i < 5; i++)
        CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, sizes_bad[i], NULL),
                  JET_errInvalidParameter);
    JET_API_PTR key[] = {1000, 2000, 2000, 2000}, lv[] = {4014, 8110, 4050, 8150};
    JET_API_PTR rec[] = {4052, 8148, 16300, 32684};
    for (size_t i = 0; i < 4; i++) {
        CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, sizes_ok[i], NULL));
        CHECK_EQ(get_int(0, JET_paramDatabasePageSize), sizes_ok[i]);
        CHECK_EQ(get_int(0, JET_paramKeyMost), key[i]);
        CHECK_EQ(get_int(0, JET_paramLVChunkSizeMost), lv[i]);
        CHECK_EQ(get_int(0, JET_paramRecordSizeMost), rec[i]);
    }
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL));
}

TEST(strings_and_paths)
{
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "str"));
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramBaseName, 0, "ab"), JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramBaseName, 0, "abcd"),
              JET_errInvalidParameter);
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramBaseName, 0, NULL), JET_errInvalidParameter);
    CHECK_OK(JetSetSystemParameterA(&a, 0, JET_paramBaseName, 0, "xyz"));
    char sz[300];
    CHECK_OK(JetGetSystemParameter(a, 0, JET_paramBaseName, NULL, sz, sizeof sz));
    CHECK_STR(sz, "xyz");
    memset(sz, 'Q', sizeof sz);
    CHECK_ERR(JetGetSystemParameter(a, 0, JET_paramBaseName, NULL, sz, 3), JET_errBufferTooSmall);
    CHECK_EQ(sz[0], 'Q'); /* untouched */
    CHECK_OK(JetGetSystemParameter(a, 0, JET_paramBaseName, NULL, sz, 4));
    CHECK_STR(sz, "xyz");
    /* folders become absolute with a trailing '/' */
    const char *tmp = bj_test_tmpdir();
    char dir[512];
    snprintf(dir, sizeof dir, "%s/a/b", tmp);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramSystemPath, 0, dir));
    CHECK_OK(JetGetSystemParameter(a, 0, JET_paramSystemPath, NULL, sz, sizeof sz));
    char want[600];
    snprintf(want, sizeof want, "%s/", dir);
    CHECK(sz[0] == '/');
    CHECK(strlen(sz) > 0 && sz[strlen(sz) - 1] == '/');
    CHECK(strstr(sz, "/a/b/") != NULL);
    snprintf(dir, sizeof dir, "%s/logs", tmp);
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramLogFilePath, 0, dir));
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramTempPath, 0, "scratch.edb"));
    CHECK_OK(JetGetSystemParameter(a, 0, JET_paramTempPath, NULL, sz, sizeof sz));
    CHECK_STR(sz, "scratch.edb"); /* bare file names are kept */
    char longp[400];
    memset(longp, 'x', sizeof longp);
    longp[0] = '/';
    longp[sizeof longp - 1] = 0;
    CHECK_ERR(JetSetSystemParameter(&a, 0, JET_paramSystemPath, 0, longp),
              JET_errInvalidParameter);
    /* CreatePathIfNotExist: JetInit makes the folders */
    CHECK_OK(JetSetSystemParameter(&a, 0, JET_paramCreatePathIfNotExist, 1, NULL));
    REQUIRE_OK(JetInit(&a));
    snprintf(dir, sizeof dir, "%s/a/b", tmp);
    FILE *f;
    char probe[600];
    snprintf(probe, sizeof probe, "%s/probe", dir);
    f = fopen(probe, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    snprintf(probe, sizeof probe, "%s/logs/probe", tmp);
    f = fopen(probe, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK_OK(JetTerm(a));
}

TEST(error_to_string)
{
    char sz[128];
    JET_API_PTR e = (JET_API_PTR)(uint32_t)JET_errRecordNotFound;
    CHECK_OK(JetGetSystemParameter(0, 0, JET_paramErrorToString, &e, sz, sizeof sz));
    CHECK_STR(sz, "JET_errRecordNotFound");
    e = (JET_API_PTR)(uint32_t)JET_errInvalidParameter;
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramErrorToString, &e, sz, 5),
              JET_errBufferTooSmall);
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramErrorToString, NULL, sz, sizeof sz),
              JET_errInvalidParameter);
    CHECK_ERR(JetGetSystemParameter(0, 0, JET_paramErrorToString, &e, NULL, 0),
              JET_errInvalidParameter);
}

TEST(legacy_mode_parameters)
{
    /* before JetInit: process values; after: the legacy instance's */
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramMaxSessions, 4, NULL));
    JET_INSTANCE inst = 0;
    REQUIRE_OK(JetInit(&inst));
    CHECK_EQ(get_int(0, JET_paramMaxSessions), 4);
    CHECK_ERR(JetSetSystemParameter(NULL, 0, JET_paramMaxSessions, 5, NULL),
              JET_errAlreadyInitialized);
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramDbExtensionSize, 64, NULL));
    CHECK_EQ(get_int(0, JET_paramDbExtensionSize), 64);
    CHECK_OK(JetTerm(inst));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramMaxSessions, 16, NULL));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
