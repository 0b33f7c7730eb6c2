/* backup_set.c: backup folder manifests and chain checks (backup_set.h). */
#include "backup_set.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recovery/rst_check.h"

static const char *const kind_names[] = {"full", "incremental", "differential", "copy"};

const char *bj_bkset_kind_name(bj_bkset_kind k)
{
    return (unsigned)k < BJ_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

bool bj_bkset_kind_parse(const char *s, bj_bkset_kind *pk)
{
    for (size_t i = 0; i < BJ_ARRAY_LEN(kind_names); i++)
        if (!strcmp(s, kind_names[i])) {
            *pk = (bj_bkset_kind)i;
            return true;
        }
    return false;
}

bool bj_bkset_has_images(bj_bkset_kind k)
{
    return k == BJ_BKSET_FULL || k == BJ_BKSET_COPY;
}

static void say(char *msg, size_t cch, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t cch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cch, fmt, ap);
    va_end(ap);
}

JET_ERR bj_bkset_write(const bj_bkset *s)
{
    char path[BJ_PATH_MAX];
    if (bj_path_join(path, sizeof path, s->dir, BJ_BKSET_MANIFEST) < 0)
        return BJ_ERR(JET_errInvalidPath);
    FILE *f = fopen(path, "w");
    if (!f)
        return bj_os_err_from_errno(errno);
    fprintf(f, "format bluejet-backup 1\nkind %s\nbase %s\npage_size %u\nlog_file_kb %u\n",
            bj_bkset_kind_name(s->kind), s->base, s->cbPage, s->cbLogFileKb);
    fprintf(f, "gen_low %u\ngen_high %u\ntime %s\n", s->genLow, s->genHigh, s->time);
    for (uint32_t i = 0; i < s->cdb; i++)
        fprintf(f, "db %s\n", s->rgdb[i]);
    const bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    const int e = errno;
    if (fclose(f) != 0 || !ok)
        return bj_os_err_from_errno(ok ? errno : e);
    return JET_errSuccess;
}

static bool parse_u32(const char *v, uint32_t *out)
{
    char *end;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || x > UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

JET_ERR bj_bkset_read(const char *dir, bj_bkset *s, char *msg, size_t cch)
{
    char path[BJ_PATH_MAX], line[BJ_PATH_MAX + 64];
    memset(s, 0, sizeof(*s));
    if (bj_path_normalize(s->dir, sizeof s->dir, dir, false) < 0 ||
        bj_path_join(path, sizeof path, s->dir, BJ_BKSET_MANIFEST) < 0) {
        say(msg, cch, "%s: path too long", dir);
        return BJ_ERR(JET_errInvalidPath);
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        say(msg, cch, "%s: not a bluejet backup folder (no %s)", dir, BJ_BKSET_MANIFEST);
        return BJ_ERR(JET_errFileNotFound);
    }
    JET_ERR err = JET_errSuccess;
    bool fFormat = false, fKind = false, fLow = false, fHigh = false;
    uint32_t lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        char *v = strchr(line, ' ');
        if (!n || !v)
            goto bad;
        *v++ = '\0';
        bool ok = true;
        if (!strcmp(line, "format"))
            ok = fFormat = !strcmp(v, "bluejet-backup 1");
        else if (!strcmp(line, "kind"))
            ok = fKind = bj_bkset_kind_parse(v, &s->kind);
        else if (!strcmp(line, "base"))
            ok = strlen(v) == 3 && (memcpy(s->base, v, 4), true);
        else if (!strcmp(line, "page_size"))
            ok = parse_u32(v, &s->cbPage);
        else if (!strcmp(line, "log_file_kb"))
            ok = parse_u32(v, &s->cbLogFileKb);
        else if (!strcmp(line, "gen_low"))
            ok = fLow = parse_u32(v, &s->genLow);
        else if (!strcmp(line, "gen_high"))
            ok = fHigh = parse_u32(v, &s->genHigh);
        else if (!strcmp(line, "time"))
            snprintf(s->time, sizeof s->time, "%s", v);
        else if (!strcmp(line, "db")) {
            ok = s->cdb < BJ_BKSET_DB_MAX && strlen(v) < BJ_PATH_MAX;
            if (ok)
                memcpy(s->rgdb[s->cdb++], v, strlen(v) + 1);
        } /* other keys: written by a later version, ignored */
        if (!ok)
            goto bad;
    }
    if (!fFormat || !fKind || !fLow || !fHigh || !s->base[0] || !s->cbPage || !s->genLow ||
        s->genHigh < s->genLow) {
        say(msg, cch, "%s: incomplete manifest", path);
        err = BJ_ERR(JET_errInvalidParameter);
    }
    fclose(f);
    return err;
bad:
    say(msg, cch, "%s: line %u is malformed", path, lineno);
    fclose(f);
    return BJ_ERR(JET_errInvalidParameter);
}

JET_ERR bj_bkset_empty_dir(const char *dir, char *out, size_t cch, char *msg, size_t cchMsg)
{
    JET_ERR err = bj_path_ensure_dir(bj_os_posix(), dir, true);
    if (err >= 0)
        err = bj_path_absolute(out, cch, dir);
    if (err < 0) {
        say(msg, cchMsg, "%s: %s", dir, bj_err_name(err));
        return err;
    }
    DIR *d = opendir(out);
    if (!d) {
        say(msg, cchMsg, "%s: %s", out, strerror(errno));
        return BJ_ERR(JET_errInvalidPath);
    }
    struct dirent *e;
    bool fEmpty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fEmpty = false;
    closedir(d);
    if (!fEmpty) {
        say(msg, cchMsg, "%s: the folder is not empty", out);
        return BJ_ERR(JET_errBackupDirectoryNotEmpty);
    }
    return JET_errSuccess;
}

void bj_bkset_image_path(const bj_bkset *s, uint32_t i, char *out, size_t cch)
{
    snprintf(out, cch, "%s/%s", s->dir, bj_path_name(s->rgdb[i]));
}

const bj_bkset *bj_bkset_chain_log_owner(const bj_bkset *rg, uint32_t n, uint32_t gen)
{
    for (uint32_t i = 0; i < n; i++)
        if (gen >= rg[i].genLow && gen <= rg[i].genHigh)
            return &rg[i];
    return NULL;
}

bool bj_bkset_check_chain(bj_os *os, const bj_bkset *rg, uint32_t n, uint32_t *pgenLow,
                          uint32_t *pgenHigh, char *msg, size_t cch)
{
    if (n == 0) {
        say(msg, cch, "no backup folder");
        return false;
    }
    if (!bj_bkset_has_images(rg[0].kind)) {
        say(msg, cch, "%s: a chain starts with a full or copy backup, not %s", rg[0].dir,
            bj_bkset_kind_name(rg[0].kind));
        return false;
    }
    uint32_t high = rg[0].genHigh;
    for (uint32_t i = 1; i < n; i++) {
        if (bj_bkset_has_images(rg[i].kind)) {
            say(msg, cch, "%s: a %s backup can only start a chain", rg[i].dir,
                bj_bkset_kind_name(rg[i].kind));
            return false;
        }
        if (strcmp(rg[i].base, rg[0].base) || rg[i].cbPage != rg[0].cbPage ||
            rg[i].cbLogFileKb != rg[0].cbLogFileKb) {
            say(msg, cch, "%s: another instance's backup (base name or sizes differ)", rg[i].dir);
            return false;
        }
        if (rg[i].genLow > high + 1) {
            say(msg, cch, "%s: starts at generation %u, after a gap (the chain ends at %u)",
                rg[i].dir, rg[i].genLow, high);
            return false;
        }
        if (rg[i].genHigh > high)
            high = rg[i].genHigh;
    }
    /* the engine's own checks, which change nothing: the logs (each generation from the
     * first folder that has it), then each image against them */
    const uint32_t low = rg[0].genLow;
    const char *rgdir[BJ_BKSET_CHAIN_MAX];
    bj_log_hdr hLow, hHigh;
    if (n > BJ_BKSET_CHAIN_MAX) {
        say(msg, cch, "a chain has at most %d folders", BJ_BKSET_CHAIN_MAX);
        return false;
    }
    for (uint32_t i = 0; i < n; i++)
        rgdir[i] = rg[i].dir;
    JET_ERR err = bj_rst_check_backup_logs(os, rgdir, n, rg[0].base, low, high, &hLow, &hHigh);
    if (err < 0) {
        say(msg, cch, "log generations %u-%u: %s%s", low, high, bj_err_name(err),
            err == JET_errMissingRestoreLogFiles ? " (a generation is missing)" : "");
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t d = 0; d < rg[i].cdb; d++) {
            char path[BJ_PATH_MAX];
            uint32_t imgLow = 0, imgHigh = 0;
            bj_bkset_image_path(&rg[i], d, path, sizeof path);
            err = bj_rst_image_range(os, path, &hLow.signLog, &imgLow, &imgHigh);
            if (err < 0) {
                say(msg, cch, "%s: %s", path, bj_err_name(err));
                return false;
            }
            if (imgLow < low || imgHigh > high) {
                say(msg, cch, "%s: needs log generations %u-%u, the chain has %u-%u", path,
                    imgLow, imgHigh, low, high);
                return false;
            }
        }
    }
    *pgenLow = low;
    *pgenHigh = high;
    return true;
}
