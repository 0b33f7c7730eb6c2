/* test_instance.c: instances and run modes through esent.h: the legacy / multi-instance rules of
 * src/inst/inst.c, bad handles, JetInit/JetTerm twice, JetTerm with sessions per grbit,
 * JetGetInstanceInfo, create/term loops. Every test leaves the process with no instance. */
#include <esent.h>

#include "testlib.h"

TEST(create_enters_multi_mode)
{
    JET_INSTANCE a = 0, b = 0;
    REQUIRE_OK(JetCreateInstance(&a, "a"));
    CHECK(a != 0 && a != JET_instanceNil);
    CHECK_ERR(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetCreateInstance(&b, "a"), JET_errInstanceNameInUse);
    CHECK_ERR(JetCreateInstance(NULL, "b"), JET_errInvalidParameter);
    REQUIRE_OK(JetCreateInstance2(&b, "b", "display b", 0));
    CHECK_ERR(JetStopService(), JET_errRunningInMultiInstanceMode);
    CHECK_ERR(JetTerm(0), JET_errInvalidParameter);
    CHECK_ERR(JetTerm(JET_instanceNil), JET_errInvalidParameter);
    CHECK_OK(JetInit(&a));
    CHECK_ERR(JetInit(&a), JET_errAlreadyInitialized);
    CHECK_OK(JetTerm(a));
    CHECK_OK(JetTerm(b)); /* never initialised: freed */
    CHECK_ERR(JetTerm(a), JET_errInvalidInstance);
    CHECK_ERR(JetTerm(b), JET_errInvalidInstance);
    /* back to no mode: legacy allowed again */
    REQUIRE_OK(JetInit(NULL));
    CHECK_OK(JetTerm(0));
}

TEST(legacy_mode_rules)
{
    JET_INSTANCE inst = 0, other = 0;
    REQUIRE_OK(JetInit(&inst)); /* &0 with no mode: legacy */
    CHECK(inst != 0 && inst != JET_instanceNil);
    CHECK_ERR(JetCreateInstance(&other, "x"), JET_errRunningInOneInstanceMode);
    CHECK_ERR(JetEnableMultiInstance(NULL, 0, NULL), JET_errRunningInOneInstanceMode);
    CHECK_ERR(JetInit(NULL), JET_errAlreadyInitialized);
    JET_SESID s = 0;
    CHECK_OK(JetBeginSession(0, &s, NULL, NULL)); /* 0 = the legacy instance */
    CHECK_OK(JetEndSession(s, 0));
    CHECK_ERR(JetBeginSession((JET_INSTANCE)0x12345678, &s, NULL, NULL), JET_errInvalidInstance);
    CHECK_OK(JetTerm(0));
    CHECK_ERR(JetTerm(0), JET_errInvalidParameter);
    CHECK_ERR(JetTerm(inst), JET_errInvalidInstance);
    CHECK_ERR(JetStopService(), JET_errInvalidParameter);
    /* after the last term the mode is free again */
    REQUIRE_OK(JetCreateInstance(&other, "x"));
    CHECK_OK(JetTerm(other));
}

TEST(init_null_instance_in_multi_mode_creates_one)
{
    JET_INSTANCE a = 0, n = 0;
    REQUIRE_OK(JetCreateInstance(&a, "a"));
    REQUIRE_OK(JetInit(&n)); /* *pinstance == 0: a new instance */
    CHECK(n != 0 && n != a);
    CHECK_OK(JetTerm(n));
    CHECK_OK(JetTerm(a));
}

TEST(enable_multi_instance)
{
    JET_SETSYSPARAM sp[2] = {{JET_paramMaxInstances, 4, NULL, 1}, {JET_paramBaseName, 0, "abc", 1}};
    uint32_t ok = 99;
    CHECK_ERR(JetEnableMultiInstance(NULL, 1, &ok), JET_errInvalidParameter);
    REQUIRE_OK(JetEnableMultiInstance(sp, 2, &ok));
    CHECK_EQ(ok, 2);
    CHECK_EQ(sp[0].err, 0);
    CHECK_ERR(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    /* again: same values -> SystemParamsAlreadySet; different -> conflict */
    CHECK_ERR(JetEnableMultiInstance(sp, 2, &ok), JET_errSystemParamsAlreadySet);
    CHECK_EQ(ok, 2);
    JET_SETSYSPARAM bad = {JET_paramMaxInstances, 5, NULL, 0};
    CHECK_ERR(JetEnableMultiInstance(&bad, 1, &ok), JET_errSystemParameterConflict);
    CHECK_EQ(bad.err, JET_errSystemParameterConflict);
    CHECK_EQ(ok, 0);
    /* MaxInstances = 4 */
    JET_INSTANCE in[5];
    char name[8];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "i%d", i);
        REQUIRE_OK(JetCreateInstance(&in[i], name));
    }
    CHECK_ERR(JetCreateInstance(&in[4], "i4"), JET_errTooManyInstances);
    for (int i = 0; i < 4; i++)
        CHECK_OK(JetTerm(in[i]));
    /* no mode again: restore the defaults */
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramMaxInstances, 16, NULL));
    CHECK_OK(JetSetSystemParameter(NULL, 0, JET_paramBaseName, 0, "edb"));
    /* a bad parameter stops the list, mode stays unset */
    JET_SETSYSPARAM sp2[2] = {{JET_paramBaseName, 0, "abcd", 0}, {JET_paramMaxInstances, 2, NULL, 0}};
    CHECK_ERR(JetEnableMultiInstance(sp2, 2, &ok), JET_errInvalidParameter);
    CHECK_EQ(ok, 0);
    CHECK_EQ(sp2[0].err, JET_errInvalidParameter);
    REQUIRE_OK(JetInit(NULL));
    CHECK_OK(JetTerm(0));
}

TEST(bad_instance_handles)
{
    JET_SESID s = 0;
    JET_INSTANCE garbage = (JET_INSTANCE)0xdeadbeefULL;
    CHECK_ERR(JetBeginSession(0, &s, NULL, NULL), JET_errInvalidParameter);
    CHECK_ERR(JetBeginSession(garbage, &s, NULL, NULL), JET_errInvalidInstance);
    CHECK_ERR(JetTerm(garbage), JET_errInvalidInstance);
    CHECK_ERR(JetStopServiceInstance(garbage), JET_errInvalidInstance);
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "a"));
    CHECK_ERR(JetBeginSession(a, &s, NULL, NULL), JET_errNotInitialized);
    REQUIRE_OK(JetInit(&a));
    CHECK_ERR(JetBeginSession(a + 1, &s, NULL, NULL), JET_errInvalidInstance);
    CHECK_ERR(JetBeginSession(a, NULL, NULL, NULL), JET_errInvalidParameter);
    CHECK_OK(JetTerm(a));
    CHECK_ERR(JetBeginSession(a, &s, NULL, NULL), JET_errInvalidInstance);
    /* ESE does not validate JetInit's instance: with no mode, a stale value is ignored and a
     * legacy instance is made (JetInitEx allocates in one-instance mode). */
    JET_INSTANCE old = a;
    CHECK_OK(JetInit(&a));
    CHECK(a != old);
    CHECK_ERR(JetInit3(&a, NULL, 0), JET_errAlreadyInitialized);
    CHECK_OK(JetTerm(a));
}

TEST(init_with_rstinfo)
{
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "a"));
    JET_RSTINFO ri;
    memset(&ri, 0, sizeof ri);
    CHECK_ERR(JetInit3(&a, &ri, 0), JET_errInvalidParameter);
    ri.cbStruct = sizeof ri;
    ri.crstmap = 1; /* a count without a map */
    CHECK_ERR(JetInit3(&a, &ri, 0), JET_errInvalidParameter);
    ri.crstmap = 0;
    ri.lgposStop.isec = 3; /* a stop position without a generation */
    CHECK_ERR(JetInit3(&a, &ri, 0), JET_errInvalidParameter);
    ri.lgposStop.isec = 0;
    /* an empty JET_RSTINFO is a plain JetInit */
    CHECK_OK(JetInit3(&a, &ri, 0));
    CHECK_OK(JetTerm(a));
}

TEST(term_with_open_sessions)
{
    JET_GRBIT grbits[] = {0, JET_bitTermComplete, JET_bitTermAbrupt, JET_bitTermStopBackup,
                          JET_bitTermDirty};
    for (size_t g = 0; g < sizeof grbits / sizeof grbits[0]; g++) {
        JET_INSTANCE a = 0;
        JET_SESID s1 = 0, s2 = 0;
        REQUIRE_OK(JetCreateInstance(&a, "t"));
        REQUIRE_OK(JetInit(&a));
        REQUIRE_OK(JetBeginSession(a, &s1, "", ""));
        REQUIRE_OK(JetBeginSession(a, &s2, "", ""));
        JET_ERR want = grbits[g] & JET_bitTermDirty ? JET_errDirtyShutdown : JET_errSuccess;
        CHECK_ERR(JetTerm2(a, grbits[g]), want);
        /* sessions are gone with the instance */
        CHECK_ERR(JetEndSession(s1, 0), JET_errInvalidSesid);
        CHECK_ERR(JetEndSession(s2, 0), JET_errInvalidSesid);
        CHECK_ERR(JetTerm2(a, grbits[g]), JET_errInvalidInstance);
    }
}

TEST(instance_info)
{
    uint32_t n = 99;
    JET_INSTANCE_INFO *info = (JET_INSTANCE_INFO *)1;
    CHECK_ERR(JetGetInstanceInfo(NULL, &info), JET_errInvalidParameter);
    CHECK_OK(JetGetInstanceInfo(&n, &info));
    CHECK_EQ(n, 0);
    CHECK(info == NULL);
    JET_INSTANCE a = 0, b = 0;
    REQUIRE_OK(JetCreateInstance(&a, "first"));
    REQUIRE_OK(JetCreateInstance(&b, NULL));
    REQUIRE_OK(JetInit(&b));
    REQUIRE_OK(JetGetInstanceInfoA(&n, &info));
    CHECK_EQ(n, 2);
    int seen = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (info[i].hInstanceId == a) {
            CHECK_STR(info[i].szInstanceName, "first");
            seen |= 1;
        } else if (info[i].hInstanceId == b) {
            CHECK(info[i].szInstanceName == NULL);
            seen |= 2;
        }
        CHECK_EQ(info[i].cDatabases, 0);
    }
    CHECK_EQ(seen, 3);
    CHECK_OK(JetFreeBuffer((char *)info));
    CHECK_OK(JetTerm(a));
    CHECK_OK(JetTerm(b));
}

TEST(stop_service)
{
    JET_INSTANCE a = 0;
    JET_SESID s = 0;
    REQUIRE_OK(JetCreateInstance(&a, "s"));
    REQUIRE_OK(JetInit(&a));
    REQUIRE_OK(JetBeginSession(a, &s, NULL, NULL));
    CHECK_ERR(JetStopServiceInstance2(a, 0x100), JET_errInvalidGrbit);
    CHECK_OK(JetStopServiceInstance2(a, JET_bitStopServiceBackgroundUserTasks));
    CHECK_OK(JetStopServiceInstance2(a, JET_bitStopServiceResume));
    uint32_t v;
    CHECK_OK(JetGetVersion(s, &v));
    CHECK_OK(JetStopServiceInstance(a));
    CHECK_ERR(JetGetVersion(s, &v), JET_errClientRequestToStopJetService);
    CHECK_ERR(JetBeginSession(a, &s, NULL, NULL), JET_errClientRequestToStopJetService);
    CHECK_ERR(JetStopServiceInstance2(a, JET_bitStopServiceResume),
              JET_errClientRequestToStopJetService);
    CHECK_OK(JetEndSession(s, 0)); /* allowed after stop */
    CHECK_OK(JetTerm(a));
}

TEST(create_term_loop)
{
    for (int i = 0; i < 300; i++) {
        JET_INSTANCE a = 0;
        JET_SESID s = 0;
        REQUIRE_OK(JetCreateInstance(&a, "loop"));
        if (i % 2) {
            REQUIRE_OK(JetInit(&a));
            REQUIRE_OK(JetBeginSession(a, &s, NULL, NULL));
        }
        REQUIRE_OK(JetTerm(a));
    }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
