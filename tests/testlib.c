/* testlib.c: registration, running, failure reporting and scratch folders for test suites. */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

#define MAX_TESTS 1024

static struct {
    const char *name;
    bj_test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int current_failed;
static const char *current_name;
static char tmpdir[4096];

void bj_test_register(const char *name, bj_test_fn fn)
{
    if (ntests < MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    }
}

void bj_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  FAIL %s:%d [%s] ", file, line, current_name ? current_name : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed = 1;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

const char *bj_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/bjtest.XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *bj_test_shared_dir(void)
{
    const char *dir = getenv("BJ_SHARED_DIR");
    struct stat st;
    if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    return NULL;
}

unsigned char *bj_test_load_edb(const char *name, size_t *pcb)
{
    char path[4096];
    const char *dir = bj_test_shared_dir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/data/edb/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *b = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        *pcb = (size_t)n;
    return b;
}

int bj_test_main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; a++)
                if (!strcmp(argv[a], tests[i].name))
                    wanted = 1;
            if (!wanted)
                continue;
        }
        current_name = tests[i].name;
        current_failed = 0;
        tmpdir[0] = 0;
        fprintf(stderr, "[ RUN  ] %s\n", tests[i].name);
        /* each test runs in its own scratch folder: an instance with the default paths ("./")
         * keeps its log and checkpoint there, apart from every other test */
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd) || chdir(bj_test_tmpdir()) != 0) {
            perror("chdir");
            exit(2);
        }
        tests[i].fn();
        if (chdir(cwd) != 0) {
            perror("chdir");
            exit(2);
        }
        if (current_failed) {
            failed++;
            fprintf(stderr, "[ FAIL ] %s (scratch kept: %s)\n", tests[i].name,
                    tmpdir[0] ? tmpdir : "none");
        } else {
            passed++;
            if (tmpdir[0])
                remove_tree(tmpdir);
            fprintf(stderr, "[  OK  ] %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
