/* test_session.c: sessions through esent.h: begin/dup/end, bad and stale handles, MaxSessions,
 * sharing violation from two threads, contexts, session parameters, a short stress. */
#include <esent.h>
#include <pthread.h>
#include <stdatomic.h>

#include "testlib.h"

static JET_INSTANCE start(const char *name)
{
    JET_INSTANCE a = 0;
    if (JetCreateInstance(&a, name) < 0 || JetInit(&a) < 0)
        return 0;
    return a;
}

TEST(begin_dup_end)
{
    JET_INSTANCE a = start("s");
    REQUIRE(a);
    JET_SESID s = 0, d = 0;
    REQUIRE_OK(JetBeginSessionA(a, &s, "user", "pw"));
    REQUIRE_OK(JetDupSession(s, &d));
    CHECK(d != s);
    uint32_t v = 0;
    CHECK_OK(JetGetVersion(d, &v));
    CHECK_ERR(JetGetVersion(d, NULL), JET_errInvalidParameter);
    CHECK_OK(JetEndSession(s, 0));
    CHECK_ERR(JetEndSession(s, 0), JET_errInvalidSesid);
    CHECK_ERR(JetGetVersion(s, &v), JET_errInvalidSesid);
    CHECK_ERR(JetDupSession(s, &d), JET_errInvalidSesid);
    CHECK_OK(JetEndSession(d, 0));
    CHECK_OK(JetTerm(a));
}

TEST(bad_session_handles)
{
    uint32_t v;
    JET_SESID d;
    JET_SESID bad[] = {0, JET_sesidNil, (JET_SESID)0x1234, (JET_SESID)0x1200000100000001ULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(JetGetVersion(bad[i], &v), JET_errInvalidSesid);
        CHECK_ERR(JetEndSession(bad[i], 0), JET_errInvalidSesid);
        CHECK_ERR(JetDupSession(bad[i], &d), JET_errInvalidSesid);
        CHECK_ERR(JetSetSessionContext(bad[i], 5), JET_errInvalidSesid);
        CHECK_ERR(JetResetSessionContext(bad[i]), JET_errInvalidSesid);
        CHECK_ERR(JetSetSessionParameter(bad[i], JET_sesparamCommitDefault, &v, 4),
                  JET_errInvalidSesid);
    }
    /* an instance handle is not a session handle */
    JET_INSTANCE a = start("b");
    REQUIRE(a);
    CHECK_ERR(JetGetVersion((JET_SESID)a, &v), JET_errInvalidSesid);
    CHECK_OK(JetTerm(a));
}

TEST(max_sessions)
{
    JET_INSTANCE a = 0;
    REQUIRE_OK(JetCreateInstance(&a, "m"));
    REQUIRE_OK(JetSetSystemParameter(&a, 0, JET_paramMaxSessions, 3, NULL));
    REQUIRE_OK(JetInit(&a));
    JET_SESID s[4];
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(JetBeginSession(a, &s[i], NULL, NULL));
    CHECK_ERR(JetBeginSession(a, &s[3], NULL, NULL), JET_errOutOfSessions);
    CHECK_ERR(JetDupSession(s[0], &s[3]), JET_errOutOfSessions);
    CHECK_OK(JetEndSession(s[1], 0));
    CHECK_OK(JetBeginSession(a, &s[1], NULL, NULL));
    CHECK_OK(JetTerm(a));
}

static atomic_int phase;
static JET_SESID shared_sesid;
static JET_ERR seen_err;

static void *ctx_holder(void *arg)
{
    /* A context set by this thread: the main thread can neither reset nor end the session. */
    (void)arg;
    seen_err = JetSetSessionContext(shared_sesid, 77);
    atomic_store(&phase, 1);
    while (atomic_load(&phase) != 2)
        ;
    seen_err = JetResetSessionContext(shared_sesid);
    return NULL;
}

TEST(session_context)
{
    JET_INSTANCE a = start("c");
    REQUIRE(a);
    REQUIRE_OK(JetBeginSession(a, &shared_sesid, NULL, NULL));
    CHECK_ERR(JetSetSessionContext(shared_sesid, 0), JET_errInvalidParameter);
    CHECK_ERR(JetSetSessionContext(shared_sesid, (JET_API_PTR)~(uintptr_t)0),
              JET_errInvalidParameter);
    CHECK_ERR(JetResetSessionContext(shared_sesid), JET_errSessionContextNotSetByThisThread);
    atomic_store(&phase, 0);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, ctx_holder, NULL) == 0);
    while (atomic_load(&phase) != 1)
        ;
    CHECK_EQ(seen_err, 0);
    CHECK_ERR(JetSetSessionContext(shared_sesid, 78), JET_errSessionContextAlreadySet);
    CHECK_ERR(JetResetSessionContext(shared_sesid), JET_errSessionContextNotSetByThisThread);
    CHECK_ERR(JetEndSession(shared_sesid, 0), JET_errSessionInUse);
    atomic_store(&phase, 2);
    pthread_join(t, NULL);
    CHECK_EQ(seen_err, 0);
    CHECK_OK(JetEndSession(shared_sesid, 0));
    CHECK_OK(JetTerm(a));
}

TEST(session_parameters)
{
    JET_INSTANCE a = start("p");
    REQUIRE(a);
    JET_SESID s;
    REQUIRE_OK(JetBeginSession(a, &s, NULL, NULL));
    JET_GRBIT g = JET_bitCommitLazyFlush, out = 0;
    uint32_t cb = 0;
    CHECK_OK(JetSetSessionParameter(s, JET_sesparamCommitDefault, &g, sizeof g));
    CHECK_ERR(JetSetSessionParameter(s, JET_sesparamCommitDefault, &g, 2),
              JET_errInvalidBufferSize);
    CHECK_OK(JetGetSessionParameter(s, JET_sesparamCommitDefault, &out, sizeof out, &cb));
    CHECK_EQ(out, JET_bitCommitLazyFlush);
    CHECK_EQ(cb, 4);
    CHECK_OK(JetGetSessionParameter(s, JET_sesparamTransactionLevel, &out, sizeof out, &cb));
    CHECK_EQ(out, 0);
    CHECK_ERR(JetSetSessionParameter(s, 1, &g, 4), JET_errInvalidParameter);
    JET_API_PTR lvl = 9;
    CHECK_OK(JetGetSystemParameter(a, s, JET_paramTransactionLevel, &lvl, NULL, 0));
    CHECK_EQ(lvl, 0);
    CHECK_OK(JetTerm(a));
}

/* Two threads on one session: the one that finds the other inside gets a sharing violation. */
static atomic_int violations, successes, stop_flag;
static void *hammer(void *arg)
{
    JET_SESID s = *(JET_SESID *)arg;
    uint32_t v;
    while (!atomic_load(&stop_flag)) {
        JET_ERR e = JetGetVersion(s, &v);
        if (e == JET_errSessionSharingViolation)
            atomic_fetch_add(&violations, 1);
        else if (e == 0)
            atomic_fetch_add(&successes, 1);
        else
            atomic_fetch_add(&violations, 1000000);
    }
    return NULL;
}

TEST(sharing_violation_two_threads)
{
    JET_INSTANCE a = start("v");
    REQUIRE(a);
    JET_SESID s;
    REQUIRE_OK(JetBeginSession(a, &s, NULL, NULL));
    pthread_t t[2];
    atomic_store(&stop_flag, 0);
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&t[i], NULL, hammer, &s) == 0);
    for (int i = 0; i < 2000 && atomic_load(&violations) == 0; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&stop_flag, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(atomic_load(&violations) > 0);
    CHECK(atomic_load(&violations) < 1000000);
    CHECK(atomic_load(&successes) > 0);
    CHECK_OK(JetTerm(a));
}

static JET_INSTANCE stress_inst;
static void *begin_end(void *arg)
{
    (void)arg;
    for (int i = 0; i < 500; i++) {
        JET_SESID s;
        JET_ERR e = JetBeginSession(stress_inst, &s, NULL, NULL);
        if (e == JET_errOutOfSessions)
            continue;
        if (e < 0 || JetEndSession(s, 0) < 0)
            atomic_fetch_add(&violations, 1);
    }
    return NULL;
}

TEST(begin_end_stress)
{
    stress_inst = start("stress");
    REQUIRE(stress_inst);
    atomic_store(&violations, 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(pthread_create(&t[i], NULL, begin_end, NULL) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(atomic_load(&violations), 0);
    CHECK_OK(JetTerm(stress_inst));
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
