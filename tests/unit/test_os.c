/* test_os.c: layer 1: the file backends (posix in a scratch folder, mem), errno mapping,
 * locks, folders, path helpers, threads, locks and clocks. The same behaviour checks run on
 * both backends, so the in-memory one stays faithful to the real one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "os/os.h"
#include "testlib.h"

/* A path under base. */
static const char *P(const char *base, const char *name)
{
    static char buf[8][BJ_PATH_MAX];
    static int i;
    char *b = buf[i++ % 8];
    if (bj_path_join(b, BJ_PATH_MAX, base, name) < 0)
        b[0] = 0;
    return b;
}

/* ---- the behaviour every backend shares ---- */

static void check_file_basics(bj_os *os, const char *dir)
{
    bj_file *f = NULL;
    uint8_t buf[9000], got[9000];
    size_t cb = 0;
    uint64_t size = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 1);

    REQUIRE_OK(bj_file_open(os, P(dir, "a.dat"), BJ_OPEN_CREATE, &f));
    CHECK_STR(f->path, P(dir, "a.dat"));
    CHECK(f->os == os);
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 0);
    CHECK_OK(bj_file_write(f, 100, buf, sizeof buf));
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 100 + sizeof buf);
    /* the hole before the write reads as zeros */
    CHECK_OK(bj_file_read(f, 0, got, 100, &cb));
    CHECK_EQ(cb, 100);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(got[i], 0);
    CHECK_OK(bj_file_read(f, 100, got, sizeof buf, &cb));
    CHECK_EQ(cb, sizeof buf);
    CHECK_MEM(got, buf, sizeof buf);
    /* a read crossing the end is short, not an error; one past the end reads nothing */
    CHECK_OK(bj_file_read(f, 9000, got, 500, &cb));
    CHECK_EQ(cb, 100);
    CHECK_MEM(got, buf + 8900, 100);
    CHECK_OK(bj_file_read(f, 20000, got, 10, &cb));
    CHECK_EQ(cb, 0);
    CHECK_ERR(bj_file_read_exact(f, 9000, got, 500), JET_errFileIOBeyondEOF);
    CHECK_OK(bj_file_read_exact(f, 9000, got, 100));
    CHECK_OK(bj_file_sync(f));
    /* set_size: growth reads as zeros, shrink cuts */
    CHECK_OK(bj_file_set_size(f, 65536));
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 65536);
    CHECK_OK(bj_file_read_exact(f, 60000, got, 1000));
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(got[i], 0);
    CHECK_OK(bj_file_set_size(f, 50));
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 50);
    CHECK_OK(bj_file_set_size(f, 200)); /* regrow: the cut part is zero, not old data */
    CHECK_OK(bj_file_read_exact(f, 50, got, 150));
    for (int i = 0; i < 150; i++)
        CHECK_EQ(got[i], 0);
    CHECK_OK(bj_file_sync(f));
    bj_file_close(f);

    /* reopen: the content is there; TRUNCATE empties it */
    REQUIRE_OK(bj_file_open(os, P(dir, "a.dat"), BJ_OPEN_READONLY, &f));
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 200);
    CHECK_OK(bj_file_read_exact(f, 0, got, 50));
    CHECK_MEM(got, (uint8_t[50]){0}, 50); /* the bytes before the first write */
    bj_file_close(f);
    REQUIRE_OK(bj_file_open(os, P(dir, "a.dat"), BJ_OPEN_TRUNCATE, &f));
    CHECK_OK(bj_file_size(f, &size));
    CHECK_EQ(size, 0);
    bj_file_close(f);
    bj_file_close(NULL); /* closing nothing is fine */
}

static void check_errors(bj_os *os, const char *dir)
{
    bj_file *f = NULL;
    uint8_t b[4] = {1, 2, 3, 4};
    CHECK_ERR(bj_file_open(os, P(dir, "missing"), 0, &f), JET_errFileNotFound);
    CHECK(f == NULL);
    CHECK_ERR(bj_file_open(os, P(dir, "missing"), BJ_OPEN_READONLY, &f), JET_errFileNotFound);
    CHECK_ERR(bj_file_open(os, P(dir, "nodir/x"), BJ_OPEN_CREATE, &f), JET_errInvalidPath);
    CHECK_ERR(bj_file_open(os, P(dir, "nodir/x"), 0, &f), JET_errInvalidPath);

    REQUIRE_OK(bj_file_open(os, P(dir, "e"), BJ_OPEN_CREATE | BJ_OPEN_EXCLUSIVE, &f));
    CHECK_OK(bj_file_write(f, 0, b, 4));
    bj_file_close(f);
    CHECK_ERR(bj_file_open(os, P(dir, "e"), BJ_OPEN_CREATE | BJ_OPEN_EXCLUSIVE, &f),
              JET_errFileAlreadyExists);
    CHECK_ERR(bj_file_open(os, P(dir, "e/x"), BJ_OPEN_CREATE, &f), JET_errInvalidPath);
    REQUIRE_OK(bj_file_open(os, P(dir, "e"), BJ_OPEN_CREATE, &f)); /* CREATE alone opens */
    bj_file_close(f);

    REQUIRE_OK(bj_file_open(os, P(dir, "e"), BJ_OPEN_READONLY, &f));
    CHECK_ERR(bj_file_write(f, 0, b, 4), JET_errFileAccessDenied);
    CHECK_ERR(bj_file_set_size(f, 0), JET_errFileAccessDenied);
    CHECK_OK(bj_file_read_exact(f, 0, b, 4));
    bj_file_close(f);

    CHECK_OK(bj_os_mkdir(os, P(dir, "sub")));
    CHECK_ERR(bj_file_open(os, P(dir, "sub"), 0, &f), JET_errFileAccessDenied);
    CHECK_ERR(bj_file_open(os, P(dir, "sub"), BJ_OPEN_READONLY, &f), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_remove(os, P(dir, "sub")), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_remove(os, P(dir, "missing")), JET_errFileNotFound);
    CHECK_ERR(bj_os_remove(os, P(dir, "nodir/missing")), JET_errInvalidPath);
    CHECK_ERR(bj_os_rename(os, P(dir, "missing"), P(dir, "m2")), JET_errFileNotFound);
    CHECK_ERR(bj_os_rename(os, P(dir, "e"), P(dir, "nodir/e")), JET_errInvalidPath);
    CHECK_ERR(bj_os_rename(os, P(dir, "e"), P(dir, "sub")), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_mkdir(os, P(dir, "e")), JET_errFileAlreadyExists);
    CHECK_ERR(bj_os_mkdir(os, P(dir, "nodir/sub")), JET_errInvalidPath);
    CHECK_ERR(bj_os_rmdir(os, P(dir, "missing")), JET_errFileNotFound);
    CHECK_ERR(bj_os_rmdir(os, P(dir, "e")), JET_errInvalidPath);
    CHECK_ERR(bj_os_list_dir(os, P(dir, "missing"), NULL, NULL), JET_errFileNotFound);
    CHECK_ERR(bj_os_sync_dir(os, P(dir, "missing")), JET_errFileNotFound);
    REQUIRE_OK(bj_file_open(os, P(dir, "sub/in"), BJ_OPEN_CREATE, &f));
    bj_file_close(f);
    CHECK(bj_os_rmdir(os, P(dir, "sub")) < 0); /* not empty */
    CHECK_OK(bj_os_remove(os, P(dir, "sub/in")));
    CHECK_OK(bj_os_rmdir(os, P(dir, "sub")));
}

static void check_locks(bj_os *os, const char *dir)
{
    bj_file *a = NULL, *b = NULL, *c = NULL;
    uint64_t size = 0;
    uint8_t x[10] = {0};
    REQUIRE_OK(bj_file_open(os, P(dir, "db"), BJ_OPEN_CREATE | BJ_OPEN_LOCK, &a));
    CHECK_OK(bj_file_write(a, 0, x, sizeof x));
    /* a second open in the same process conflicts, whatever its mode */
    CHECK_ERR(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK, &b), JET_errFileAccessDenied);
    CHECK_ERR(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK | BJ_OPEN_READONLY, &b),
              JET_errFileAccessDenied);
    /* a conflicting TRUNCATE open does not clobber the file */
    CHECK_ERR(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK | BJ_OPEN_TRUNCATE, &b),
              JET_errFileAccessDenied);
    CHECK_OK(bj_file_size(a, &size));
    CHECK_EQ(size, sizeof x);
    /* an open without LOCK is not refused (advisory) */
    REQUIRE_OK(bj_file_open(os, P(dir, "db"), BJ_OPEN_READONLY, &b));
    bj_file_close(b);
    bj_file_close(a);

    /* shared locks coexist; an exclusive one conflicts with them */
    REQUIRE_OK(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK | BJ_OPEN_READONLY, &a));
    REQUIRE_OK(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK | BJ_OPEN_READONLY, &b));
    CHECK_ERR(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK, &c), JET_errFileAccessDenied);
    bj_file_close(a);
    CHECK_ERR(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK, &c), JET_errFileAccessDenied);
    bj_file_close(b);
    /* closing releases */
    REQUIRE_OK(bj_file_open(os, P(dir, "db"), BJ_OPEN_LOCK, &c));
    bj_file_close(c);
}

typedef struct listing {
    char names[16][64];
    bool dirs[16];
    int n;
} listing;

static void collect(void *ctx, const char *name, bool is_dir)
{
    listing *l = ctx;
    if (l->n < 16) {
        snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
        l->dirs[l->n] = is_dir;
        l->n++;
    }
}

static int find_in(const listing *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->names[i], name))
            return i;
    return -1;
}

static void check_dirs(bj_os *os, const char *dir)
{
    bj_file *f = NULL;
    bool ex = true, isdir = true;
    uint64_t cb = 1;
    uint8_t v = 0;
    listing l = {0};

    CHECK_OK(bj_os_stat(os, P(dir, "missing"), &ex, &isdir, &cb));
    CHECK(!ex);
    CHECK(!isdir);
    CHECK_EQ(cb, 0);
    CHECK_OK(bj_os_stat(os, P(dir, "missing/deeper"), &ex, NULL, NULL));
    CHECK(!ex);
    CHECK_OK(bj_os_mkdir(os, P(dir, "d")));
    CHECK_OK(bj_os_mkdir(os, P(dir, "d"))); /* exists is success */
    CHECK_OK(bj_os_stat(os, P(dir, "d"), &ex, &isdir, NULL));
    CHECK(ex && isdir);
    CHECK_OK(bj_os_stat(os, dir, &ex, &isdir, NULL));
    CHECK(ex && isdir);
    REQUIRE_OK(bj_file_open(os, P(dir, "d/one"), BJ_OPEN_CREATE, &f));
    v = 1;
    CHECK_OK(bj_file_write(f, 0, &v, 1));
    bj_file_close(f);
    REQUIRE_OK(bj_file_open(os, P(dir, "d/two"), BJ_OPEN_CREATE, &f));
    v = 2;
    CHECK_OK(bj_file_write(f, 0, &v, 1));
    CHECK_OK(bj_file_write(f, 1, &v, 1));
    bj_file_close(f);
    CHECK_OK(bj_os_mkdir(os, P(dir, "d/sub")));
    CHECK_OK(bj_os_stat(os, P(dir, "d/two"), &ex, &isdir, &cb));
    CHECK(ex && !isdir);
    CHECK_EQ(cb, 2);
    CHECK_OK(bj_os_sync_dir(os, P(dir, "d")));

    CHECK_OK(bj_os_list_dir(os, P(dir, "d"), collect, &l));
    CHECK_EQ(l.n, 3);
    CHECK(find_in(&l, "one") >= 0 && !l.dirs[find_in(&l, "one")]);
    CHECK(find_in(&l, "two") >= 0 && !l.dirs[find_in(&l, "two")]);
    CHECK(find_in(&l, "sub") >= 0 && l.dirs[find_in(&l, "sub")]);

    /* rename replaces the target atomically */
    CHECK_OK(bj_os_rename(os, P(dir, "d/one"), P(dir, "d/two")));
    CHECK_OK(bj_os_stat(os, P(dir, "d/one"), &ex, NULL, NULL));
    CHECK(!ex);
    REQUIRE_OK(bj_file_open(os, P(dir, "d/two"), BJ_OPEN_READONLY, &f));
    CHECK_OK(bj_file_read_exact(f, 0, &v, 1));
    CHECK_EQ(v, 1);
    CHECK_OK(bj_file_size(f, &cb));
    CHECK_EQ(cb, 1);
    bj_file_close(f);
    /* folders rename with their content */
    CHECK_OK(bj_os_rename(os, P(dir, "d"), P(dir, "e")));
    CHECK_OK(bj_os_stat(os, P(dir, "e/two"), &ex, NULL, NULL));
    CHECK(ex);
    CHECK_OK(bj_os_sync_dir(os, dir));
    CHECK_OK(bj_os_remove(os, P(dir, "e/two")));
    CHECK_OK(bj_os_rmdir(os, P(dir, "e/sub")));
    CHECK_OK(bj_os_rmdir(os, P(dir, "e")));
    l.n = 0;
    CHECK_OK(bj_os_list_dir(os, dir, collect, &l));
    CHECK_EQ(l.n, 0);
}

static void check_ensure_dir(bj_os *os, const char *dir)
{
    bool ex = false, isdir = false;
    bj_file *f = NULL;
    CHECK_ERR(bj_path_ensure_dir(os, P(dir, "x/y/z"), false), JET_errInvalidPath);
    CHECK_OK(bj_path_ensure_dir(os, P(dir, "x/y/z/"), true));
    CHECK_OK(bj_os_stat(os, P(dir, "x/y/z"), &ex, &isdir, NULL));
    CHECK(ex && isdir);
    CHECK_OK(bj_path_ensure_dir(os, P(dir, "x/y"), false));
    REQUIRE_OK(bj_file_open(os, P(dir, "x/file"), BJ_OPEN_CREATE, &f));
    bj_file_close(f);
    CHECK_ERR(bj_path_ensure_dir(os, P(dir, "x/file"), true), JET_errInvalidPath);
    CHECK_ERR(bj_path_ensure_dir(os, P(dir, "x/file/sub"), true), JET_errInvalidPath);
}

/* ---- posix ---- */

TEST(posix_file_basics)
{
    check_file_basics(bj_os_posix(), bj_test_tmpdir());
    CHECK(bj_os_posix() == bj_os_posix());
    CHECK_STR(bj_os_posix()->name, "posix");
}
TEST(posix_errors)
{
    check_errors(bj_os_posix(), bj_test_tmpdir());
}
TEST(posix_locks)
{
    check_locks(bj_os_posix(), bj_test_tmpdir());
}
TEST(posix_dirs)
{
    check_dirs(bj_os_posix(), bj_test_tmpdir());
}
TEST(posix_ensure_dir)
{
    check_ensure_dir(bj_os_posix(), bj_test_tmpdir());
}

TEST(posix_lock_conflicts_with_another_process)
{
    bj_os *os = bj_os_posix();
    const char *path = P(bj_test_tmpdir(), "db");
    bj_file *f = NULL;
    REQUIRE_OK(bj_file_open(os, path, BJ_OPEN_CREATE | BJ_OPEN_LOCK, &f));
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        bj_file *g = NULL;
        JET_ERR e1 = bj_file_open(os, path, BJ_OPEN_LOCK, &g);
        JET_ERR e2 = bj_file_open(os, path, BJ_OPEN_LOCK | BJ_OPEN_READONLY, &g);
        _exit(e1 == JET_errFileAccessDenied && e2 == JET_errFileAccessDenied ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    bj_file_close(f);
}

TEST(posix_files_close_on_exec)
{
    bj_file *f = NULL;
    REQUIRE_OK(bj_file_open(bj_os_posix(), P(bj_test_tmpdir(), "c"), BJ_OPEN_CREATE, &f));
    /* find the descriptor through /proc and check its close-on-exec flag */
    int found = 0;
    for (int fd = 3; fd < 1024; fd++) {
        char link[64], target[BJ_PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = 0;
        if (strstr(target, "/c") && strstr(target, bj_path_name(bj_test_tmpdir()))) {
            int fl = fcntl(fd, F_GETFD);
            CHECK(fl >= 0 && (fl & FD_CLOEXEC));
            found = 1;
        }
    }
    CHECK(found);
    bj_file_close(f);
}

TEST(errno_mapping)
{
    CHECK_ERR(bj_os_err_from_errno(ENOENT), JET_errFileNotFound);
    CHECK_ERR(bj_os_err_from_errno(EEXIST), JET_errFileAlreadyExists);
    CHECK_ERR(bj_os_err_from_errno(EACCES), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_err_from_errno(EPERM), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_err_from_errno(EROFS), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_err_from_errno(EWOULDBLOCK), JET_errFileAccessDenied);
    CHECK_ERR(bj_os_err_from_errno(ENOSPC), JET_errDiskFull);
    CHECK_ERR(bj_os_err_from_errno(EDQUOT), JET_errDiskFull);
    CHECK_ERR(bj_os_err_from_errno(EMFILE), JET_errOutOfFileHandles);
    CHECK_ERR(bj_os_err_from_errno(ENFILE), JET_errOutOfFileHandles);
    CHECK_ERR(bj_os_err_from_errno(ENOMEM), JET_errOutOfMemory);
    CHECK_ERR(bj_os_err_from_errno(ENOTDIR), JET_errInvalidPath);
    CHECK_ERR(bj_os_err_from_errno(EIO), JET_errDiskIO);
    CHECK_ERR(bj_os_err_from_errno(0), JET_errDiskIO);
    CHECK_EQ(JET_errFileAlreadyExists, -1814);
}

/* ---- mem: the same behaviour ---- */

TEST(mem_file_basics)
{
    bj_os *os = bj_os_mem_create();
    CHECK_STR(os->name, "mem");
    CHECK_OK(bj_os_mkdir(os, "/t"));
    check_file_basics(os, "/t");
    bj_os_mem_destroy(os);
}
TEST(mem_errors)
{
    bj_os *os = bj_os_mem_create();
    CHECK_OK(bj_os_mkdir(os, "/t"));
    check_errors(os, "/t");
    bj_os_mem_destroy(os);
}
TEST(mem_locks)
{
    bj_os *os = bj_os_mem_create();
    CHECK_OK(bj_os_mkdir(os, "t"));
    check_locks(os, "t");
    bj_os_mem_destroy(os);
}
TEST(mem_dirs)
{
    bj_os *os = bj_os_mem_create();
    CHECK_OK(bj_os_mkdir(os, "/t"));
    check_dirs(os, "/t");
    bj_os_mem_destroy(os);
    os = bj_os_mem_create();
    check_dirs(os, "/"); /* the root works as a folder too */
    bj_os_mem_destroy(os);
}
TEST(mem_ensure_dir)
{
    bj_os *os = bj_os_mem_create();
    check_ensure_dir(os, "/a/b");
    bj_os_mem_destroy(os);
}
TEST(mem_paths_are_normalised)
{
    bj_os *os = bj_os_mem_create();
    bj_file *f = NULL;
    bool ex = false;
    CHECK_OK(bj_os_mkdir(os, "/t/"));
    REQUIRE_OK(bj_file_open(os, "//t/./x", BJ_OPEN_CREATE, &f));
    bj_file_close(f);
    CHECK_OK(bj_os_stat(os, "t/x", &ex, NULL, NULL));
    CHECK(ex);
    CHECK_OK(bj_os_stat(os, "/t/../t/x", &ex, NULL, NULL));
    CHECK(ex);
    CHECK_ERR(bj_file_open(os, "", 0, &f), JET_errFileNotFound);
    CHECK_ERR(bj_file_open(os, "/", 0, &f), JET_errFileAccessDenied);
    bj_os_mem_destroy(os);
}

/* ---- path helpers ---- */

TEST(path_join_dir_name)
{
    char b[BJ_PATH_MAX];
    CHECK_OK(bj_path_join(b, sizeof b, "a", "b"));
    CHECK_STR(b, "a/b");
    CHECK_OK(bj_path_join(b, sizeof b, "a/", "b"));
    CHECK_STR(b, "a/b");
    CHECK_OK(bj_path_join(b, sizeof b, "a", "/b"));
    CHECK_STR(b, "/b");
    CHECK_OK(bj_path_join(b, sizeof b, "", "b"));
    CHECK_STR(b, "b");
    CHECK_ERR(bj_path_join(b, 4, "ab", "cd"), JET_errInvalidPath);
    CHECK_STR(b, "");
    strcpy(b, "x");
    CHECK_OK(bj_path_join(b, sizeof b, b, "y")); /* out may be an input */
    CHECK_STR(b, "x/y");

    CHECK_OK(bj_path_dir(b, sizeof b, "a/b/c"));
    CHECK_STR(b, "a/b");
    CHECK_OK(bj_path_dir(b, sizeof b, "c"));
    CHECK_STR(b, ".");
    CHECK_OK(bj_path_dir(b, sizeof b, "/c"));
    CHECK_STR(b, "/");
    CHECK_OK(bj_path_dir(b, sizeof b, "a/b/"));
    CHECK_STR(b, "a");
    CHECK_OK(bj_path_dir(b, sizeof b, "a//b"));
    CHECK_STR(b, "a");
    CHECK_OK(bj_path_dir(b, sizeof b, "/"));
    CHECK_STR(b, "/");
    CHECK_ERR(bj_path_dir(b, 2, "abc/d"), JET_errInvalidPath);

    CHECK_STR(bj_path_name("a/b/c.edb"), "c.edb");
    CHECK_STR(bj_path_name("c.edb"), "c.edb");
    CHECK_STR(bj_path_name("a/"), "");
}

TEST(path_normalize)
{
    char b[BJ_PATH_MAX];
    CHECK_OK(bj_path_normalize(b, sizeof b, "a//b/./c/", false));
    CHECK_STR(b, "a/b/c");
    CHECK_OK(bj_path_normalize(b, sizeof b, "a//b/./c", true));
    CHECK_STR(b, "a/b/c/");
    CHECK_OK(bj_path_normalize(b, sizeof b, "///", false));
    CHECK_STR(b, "/");
    CHECK_OK(bj_path_normalize(b, sizeof b, "/", true));
    CHECK_STR(b, "/");
    CHECK_OK(bj_path_normalize(b, sizeof b, "", false));
    CHECK_STR(b, ".");
    CHECK_OK(bj_path_normalize(b, sizeof b, "./", true));
    CHECK_STR(b, "./");
    CHECK_OK(bj_path_normalize(b, sizeof b, "/x/../y", false));
    CHECK_STR(b, "/x/../y");
    CHECK_ERR(bj_path_normalize(b, 3, "abc", false), JET_errInvalidPath);
}

TEST(path_absolute)
{
    char b[BJ_PATH_MAX], cwd[BJ_PATH_MAX], real[PATH_MAX], want[BJ_PATH_MAX + 64];
    const char *dir = bj_test_tmpdir();
    REQUIRE(getcwd(cwd, sizeof cwd));
    REQUIRE(realpath(dir, real) && strlen(real) < 1000);
    CHECK_OK(bj_path_absolute(b, sizeof b, "/x//y/"));
    CHECK_STR(b, "/x/y");
    REQUIRE(chdir(dir) == 0);
    CHECK_OK(bj_os_mkdir(bj_os_posix(), "sub"));
    CHECK_OK(bj_path_absolute(b, sizeof b, "sub/file.edb"));
    snprintf(want, sizeof want, "%s/sub/file.edb", real);
    CHECK_STR(b, want);
    CHECK_OK(bj_path_absolute(b, sizeof b, "nosuch/deeper/file.edb"));
    snprintf(want, sizeof want, "%s/nosuch/deeper/file.edb", real);
    CHECK_STR(b, want);
    CHECK_OK(bj_path_absolute(b, sizeof b, "."));
    CHECK_STR(b, real);
    CHECK_OK(bj_path_absolute(b, sizeof b, "sub/"));
    snprintf(want, sizeof want, "%s/sub", real);
    CHECK_STR(b, want);
    REQUIRE(chdir(cwd) == 0);
}

/* ---- threads, locks, time ---- */

typedef struct shared {
    bj_mutex m;
    bj_cond c;
    bj_rwlock rw;
    long counter;
    long counter2; /* under rw */
    bool flag;
} shared;

static void *adder(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < 20000; i++) {
        bj_mutex_lock(&s->m);
        s->counter++;
        bj_mutex_unlock(&s->m);
    }
    for (int i = 0; i < 2000; i++) {
        bj_rwlock_wrlock(&s->rw);
        s->counter2++;
        bj_rwlock_unlock(&s->rw);
        bj_rwlock_rdlock(&s->rw);
        bj_rwlock_unlock(&s->rw);
    }
    return NULL;
}

TEST(threads_run_and_mutexes_exclude)
{
    shared s = {0};
    bj_thread t[4];
    bj_mutex_init(&s.m);
    bj_rwlock_init(&s.rw);
    for (int i = 0; i < 4; i++)
        REQUIRE_OK(bj_thread_start(&t[i], adder, &s));
    for (int i = 0; i < 4; i++)
        bj_thread_join(t[i]);
    CHECK_EQ(s.counter, 4 * 20000);
    CHECK_EQ(s.counter2, 4 * 2000);
    bj_rwlock_destroy(&s.rw);
    bj_mutex_destroy(&s.m);
}

static void *try_locks(void *arg)
{
    shared *s = arg;
    bool r = bj_rwlock_tryrdlock(&s->rw);
    if (r)
        bj_rwlock_unlock(&s->rw);
    bool w = bj_rwlock_trywrlock(&s->rw);
    if (w)
        bj_rwlock_unlock(&s->rw);
    s->counter = (r ? 1 : 0) + (w ? 2 : 0);
    return NULL;
}

TEST(rwlock_try)
{
    shared s = {0};
    bj_thread t;
    bj_rwlock_init(&s.rw);
    bj_rwlock_rdlock(&s.rw); /* readers share, a writer waits */
    REQUIRE_OK(bj_thread_start(&t, try_locks, &s));
    bj_thread_join(t);
    CHECK_EQ(s.counter, 1);
    bj_rwlock_unlock(&s.rw);
    bj_rwlock_wrlock(&s.rw); /* a writer excludes both */
    REQUIRE_OK(bj_thread_start(&t, try_locks, &s));
    bj_thread_join(t);
    CHECK_EQ(s.counter, 0);
    bj_rwlock_unlock(&s.rw);
    CHECK(bj_rwlock_trywrlock(&s.rw));
    bj_rwlock_unlock(&s.rw);
    CHECK(bj_rwlock_tryrdlock(&s.rw));
    bj_rwlock_unlock(&s.rw);
    bj_rwlock_destroy(&s.rw);
}

static void *signaller(void *arg)
{
    shared *s = arg;
    bj_mutex_lock(&s->m);
    s->flag = true;
    bj_cond_signal(&s->c);
    bj_mutex_unlock(&s->m);
    return NULL;
}

TEST(cond_timedwait_times_out_and_wakes)
{
    shared s = {0};
    bj_thread t;
    bj_mutex_init(&s.m);
    bj_cond_init(&s.c);
    bj_mutex_lock(&s.m);
    uint64_t t0 = bj_time_ns();
    bool woke = false;
    while (!s.flag && bj_cond_timedwait(&s.c, &s.m, 50))
        woke = true;
    uint64_t waited = bj_time_ns() - t0;
    CHECK(!s.flag);
    CHECK(waited >= 45000000u); /* it waited out (about) the 50 ms, not returned early */
    BJ_UNUSED(woke);
    CHECK(!bj_cond_timedwait(&s.c, &s.m, 0));
    REQUIRE_OK(bj_thread_start(&t, signaller, &s));
    bool in_time = true;
    while (!s.flag && in_time)
        in_time = bj_cond_timedwait(&s.c, &s.m, 30000);
    CHECK(s.flag);
    CHECK(in_time);
    bj_mutex_unlock(&s.m);
    bj_thread_join(t);
    /* broadcast and plain wait */
    s.flag = false;
    bj_mutex_lock(&s.m);
    REQUIRE_OK(bj_thread_start(&t, signaller, &s));
    while (!s.flag)
        bj_cond_wait(&s.c, &s.m);
    bj_cond_broadcast(&s.c);
    bj_mutex_unlock(&s.m);
    bj_thread_join(t);
    bj_cond_destroy(&s.c);
    bj_mutex_destroy(&s.m);
}

TEST(clocks_logtime_name_random)
{
    uint64_t a = bj_time_ns(), b = bj_time_ns();
    CHECK(b >= a);
    CHECK(bj_time_unix() > 1600000000);
    bj_logtime lt;
    time_t before = time(NULL);
    bj_logtime_now(&lt);
    struct tm tm;
    gmtime_r(&before, &tm);
    setenv("TZ", "America/New_York", 1); /* a local time that differs from UTC */
    tzset();
    CHECK(lt.sec <= 60 && lt.min < 60 && lt.hour < 24);
    CHECK(lt.day >= 1 && lt.day <= 31);
    CHECK(lt.month >= 1 && lt.month <= 12);
    CHECK_EQ(lt.year_since_1900, tm.tm_year);
    CHECK_EQ(lt.filler1 & 1, 1); /* fTimeIsUTC */
    CHECK_EQ(lt.filler2 & 0xf1, 0);
    unsigned ms = (unsigned)(lt.filler1 >> 1) | ((unsigned)(lt.filler2 >> 1) << 7);
    CHECK(ms < 1000);
    /* the fields are UTC: as a UTC time they are now (within a few seconds) */
    struct tm back = {.tm_sec = lt.sec,
                      .tm_min = lt.min,
                      .tm_hour = lt.hour,
                      .tm_mday = lt.day,
                      .tm_mon = lt.month - 1,
                      .tm_year = lt.year_since_1900};
    long long diff = (long long)timegm(&back) - (long long)before;
    CHECK(diff >= 0 && diff <= 5);

    char name[16];
    memset(name, 'x', sizeof name);
    bj_os_computer_name(name, sizeof name);
    CHECK(strlen(name) <= 15);
    CHECK(strchr(name, '.') == NULL);
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    CHECK(strncmp(host, name, strlen(name)) == 0);
    char tiny[4];
    bj_os_computer_name(tiny, sizeof tiny);
    CHECK(strlen(tiny) <= 3);

    uint32_t r[8];
    int distinct = 0;
    for (int i = 0; i < 8; i++) {
        r[i] = bj_os_random32();
        distinct += i == 0 || r[i] != r[0];
    }
    CHECK(distinct > 1);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
