/* os_thread.c: threads, mutexes, reader/writer locks, condition variables, clocks, the
 * machine's name and OS randomness, as thin wrappers over pthreads and POSIX clocks.
 *
 * A pthread error in lock/unlock/wait/init/destroy can only come from a programming error
 * (uninitialised lock, unlock by a non-owner, destroy while held), so it aborts with a message
 * naming the call; nothing here returns an error except bj_thread_start. Condition variables
 * wait on CLOCK_MONOTONIC so a wall-clock change never stretches or cuts a timed wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "os/os.h"

/* Aborts on a pthread error that only a programming error can cause. */
static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bluejet: %s failed: %s\n", what, strerror(rc));
        abort();
    }
}

void bj_mutex_init(bj_mutex *m)
{
    check(pthread_mutex_init(m, NULL), "pthread_mutex_init");
}
void bj_mutex_destroy(bj_mutex *m)
{
    check(pthread_mutex_destroy(m), "pthread_mutex_destroy");
}
void bj_mutex_lock(bj_mutex *m)
{
    check(pthread_mutex_lock(m), "pthread_mutex_lock");
}
void bj_mutex_unlock(bj_mutex *m)
{
    check(pthread_mutex_unlock(m), "pthread_mutex_unlock");
}

void bj_rwlock_init(bj_rwlock *l)
{
    check(pthread_rwlock_init(l, NULL), "pthread_rwlock_init");
}
void bj_rwlock_destroy(bj_rwlock *l)
{
    check(pthread_rwlock_destroy(l), "pthread_rwlock_destroy");
}
void bj_rwlock_rdlock(bj_rwlock *l)
{
    int rc;
    /* EAGAIN: the reader count overflowed (only with absurd recursion); retry. */
    while ((rc = pthread_rwlock_rdlock(l)) == EAGAIN)
        sched_yield();
    check(rc, "pthread_rwlock_rdlock");
}
void bj_rwlock_wrlock(bj_rwlock *l)
{
    check(pthread_rwlock_wrlock(l), "pthread_rwlock_wrlock");
}
bool bj_rwlock_tryrdlock(bj_rwlock *l)
{
    int rc = pthread_rwlock_tryrdlock(l);
    if (rc == EBUSY || rc == EAGAIN)
        return false;
    check(rc, "pthread_rwlock_tryrdlock");
    return true;
}
bool bj_rwlock_trywrlock(bj_rwlock *l)
{
    int rc = pthread_rwlock_trywrlock(l);
    if (rc == EBUSY)
        return false;
    check(rc, "pthread_rwlock_trywrlock");
    return true;
}
void bj_rwlock_unlock(bj_rwlock *l)
{
    check(pthread_rwlock_unlock(l), "pthread_rwlock_unlock");
}

void bj_cond_init(bj_cond *c)
{
    pthread_condattr_t a;
    check(pthread_condattr_init(&a), "pthread_condattr_init");
    check(pthread_condattr_setclock(&a, CLOCK_MONOTONIC), "pthread_condattr_setclock");
    check(pthread_cond_init(c, &a), "pthread_cond_init");
    pthread_condattr_destroy(&a);
}
void bj_cond_destroy(bj_cond *c)
{
    check(pthread_cond_destroy(c), "pthread_cond_destroy");
}
void bj_cond_wait(bj_cond *c, bj_mutex *m)
{
    check(pthread_cond_wait(c, m), "pthread_cond_wait");
}
bool bj_cond_timedwait(bj_cond *c, bj_mutex *m, uint32_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    int rc = pthread_cond_timedwait(c, m, &ts);
    if (rc == ETIMEDOUT)
        return false;
    check(rc, "pthread_cond_timedwait");
    return true;
}
void bj_cond_signal(bj_cond *c)
{
    check(pthread_cond_signal(c), "pthread_cond_signal");
}
void bj_cond_broadcast(bj_cond *c)
{
    check(pthread_cond_broadcast(c), "pthread_cond_broadcast");
}

JET_ERR bj_thread_start(bj_thread *t, void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(t, NULL, fn, arg);
    if (rc == EAGAIN)
        return BJ_ERR(JET_errOutOfThreads);
    if (rc == ENOMEM)
        return BJ_ERR(JET_errOutOfMemory);
    check(rc, "pthread_create");
    return JET_errSuccess;
}
void bj_thread_join(bj_thread t)
{
    check(pthread_join(t, NULL), "pthread_join");
}

uint64_t bj_time_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t bj_time_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

void bj_logtime_now(bj_logtime *t)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t sec = ts.tv_sec;
    gmtime_r(&sec, &tm);
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000L);
    t->sec = (uint8_t)tm.tm_sec;
    t->min = (uint8_t)tm.tm_min;
    t->hour = (uint8_t)tm.tm_hour;
    t->day = (uint8_t)tm.tm_mday;
    t->month = (uint8_t)(tm.tm_mon + 1);
    t->year_since_1900 = (uint8_t)tm.tm_year;
    t->filler1 = (uint8_t)(1u | ((ms & 0x7fu) << 1)); /* fTimeIsUTC, milliseconds low 7 bits */
    t->filler2 = (uint8_t)(((ms >> 7) & 0x7u) << 1);  /* milliseconds high 3 bits */
}

void bj_os_computer_name(char *buf, size_t cb)
{
    char host[256];
    if (cb == 0)
        return;
    if (gethostname(host, sizeof host) != 0)
        host[0] = 0;
    host[sizeof host - 1] = 0;
    size_t n = strcspn(host, ".");
    if (n > cb - 1)
        n = cb - 1;
    memcpy(buf, host, n);
    buf[n] = 0;
}

/* Fills buf from /dev/urandom; false when that fails. */
static bool urandom_fill(void *buf, size_t cb)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t got = 0;
    while (got < cb) {
        ssize_t n = read(fd, (char *)buf + got, cb - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == cb;
}

uint32_t bj_os_random32(void)
{
    uint32_t v = 0;
    ssize_t n;
    do {
        n = getrandom(&v, sizeof v, 0);
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof v)
        return v;
    if (urandom_fill(&v, sizeof v))
        return v;
    /* Last resort: mix the clocks and the process id (only for signatures, never secrets). */
    uint64_t x = bj_time_ns() ^ ((uint64_t)bj_time_unix() << 20) ^ (uint64_t)getpid();
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}
