/* os_mem.c: the in-memory backend for tests, modelling durability so tests can simulate power
 * loss.
 *
 * Every file or folder is a node. A file node holds its current bytes, its durable bytes (as
 * of its last sync) and the list of changes since (writes and size changes, oldest first):
 * current == durable + changes, always. A folder node holds its current entries and its
 * durable entries (as of its last sync_dir). A node's reference count counts the entries
 * (current and durable) naming it and the open files on it; nodes reaching 0 are freed by
 * gc(). The root is a folder with one permanent reference. Power loss rebuilds every file
 * from its durable bytes plus a seed-chosen subset of its changes, resets every folder to its
 * durable entries, and kills every open file (epoch). One mutex guards everything; the write
 * hook and list_dir's callback run outside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "os/os_priv.h"

#define MEM_MAX_FILE (1ull << 34) /* larger files are "disk full" */
#define MEM_SECTOR 512u
#define MEM_MAX_DEPTH 256

typedef struct mem_change {
    struct mem_change *next;
    bool is_size; /* set_size to off; else a write of cb bytes at off */
    uint64_t off;
    size_t cb;
    uint8_t data[];
} mem_change;

typedef struct mem_node mem_node;
typedef struct mem_entry {
    char *name;
    mem_node *node;
} mem_entry;
typedef struct mem_entries {
    mem_entry *v;
    size_t n, cap;
} mem_entries;

typedef struct mem_bytes {
    uint8_t *p;
    uint64_t cb;
    size_t cap;
} mem_bytes;

struct mem_node {
    mem_node *next_all; /* every node, for power loss, gc and destroy */
    bool is_dir;
    int nref;
    mem_bytes cur, dur;              /* file */
    mem_change *chg_head, *chg_tail; /* file: changes since the last sync */
    int nshared, nexcl;              /* file: locks held by live files */
    mem_entries cur_ents, dur_ents;  /* folder */
};

typedef struct mem_fs {
    bj_os os;
    pthread_mutex_t lock;
    mem_node *all;
    mem_node *root;
    unsigned epoch;
    size_t nopen;
    bj_os_write_hook hook;
    void *hook_ctx;
} mem_fs;

typedef struct mem_file {
    bj_file base;
    mem_node *node;
    uint32_t flags;
    unsigned epoch;
    int lock; /* 0 none, 1 shared, 2 exclusive */
} mem_file;

/* ---- small helpers (allocation failure in the test backend aborts) ---- */

static void *xrealloc(void *p, size_t cb)
{
    void *q = realloc(p, cb ? cb : 1);
    if (!q) {
        fprintf(stderr, "bluejet os_mem: out of memory\n");
        abort();
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static mem_fs *fs_of(bj_os *os)
{
    return (mem_fs *)os->impl;
}

static void fs_lock(mem_fs *fs)
{
    bj_mutex_lock(&fs->lock);
}

static void fs_unlock(mem_fs *fs)
{
    bj_mutex_unlock(&fs->lock);
}

static mem_node *node_new(mem_fs *fs, bool is_dir)
{
    mem_node *n = xrealloc(NULL, sizeof *n);
    memset(n, 0, sizeof *n);
    n->is_dir = is_dir;
    n->next_all = fs->all;
    fs->all = n;
    return n;
}

/* Resizes b to cb bytes, zero-filling growth; false when too large. */
static bool bytes_resize(mem_bytes *b, uint64_t cb)
{
    if (cb > MEM_MAX_FILE)
        return false;
    if (cb > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < cb)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (cb > b->cb)
        memset(b->p + b->cb, 0, (size_t)(cb - b->cb));
    b->cb = cb;
    return true;
}

/* Applies one change to b (a write extends b as needed); false when too large. */
static bool bytes_apply(mem_bytes *b, const mem_change *c, size_t cb)
{
    if (c->is_size)
        return bytes_resize(b, c->off);
    if (c->off + cb > b->cb && !bytes_resize(b, c->off + cb))
        return false;
    memcpy(b->p + c->off, c->data, cb);
    return true;
}

static void bytes_copy(mem_bytes *dst, const mem_bytes *src)
{
    dst->cb = 0;
    bytes_resize(dst, src->cb);
    if (src->cb)
        memcpy(dst->p, src->p, (size_t)src->cb);
}

static void changes_free(mem_node *n)
{
    mem_change *c = n->chg_head;
    while (c) {
        mem_change *next = c->next;
        free(c);
        c = next;
    }
    n->chg_head = n->chg_tail = NULL;
}

static void change_append(mem_node *n, bool is_size, uint64_t off, const void *data, size_t cb)
{
    mem_change *c = xrealloc(NULL, sizeof *c + cb);
    c->next = NULL;
    c->is_size = is_size;
    c->off = off;
    c->cb = cb;
    if (cb)
        memcpy(c->data, data, cb);
    if (n->chg_tail)
        n->chg_tail->next = c;
    else
        n->chg_head = c;
    n->chg_tail = c;
}

/* ---- folder entries ---- */

static mem_entry *ents_find(mem_entries *e, const char *name, size_t len)
{
    for (size_t i = 0; i < e->n; i++)
        if (strlen(e->v[i].name) == len && memcmp(e->v[i].name, name, len) == 0)
            return &e->v[i];
    return NULL;
}

static void ents_add(mem_entries *e, const char *name, size_t len, mem_node *node)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->v = xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n].name = xstrndup(name, len);
    e->v[e->n].node = node;
    e->n++;
    node->nref++;
}

static void ents_del(mem_entries *e, mem_entry *ent)
{
    ent->node->nref--;
    free(ent->name);
    *ent = e->v[--e->n];
}

static void ents_clear(mem_entries *e)
{
    while (e->n)
        ents_del(e, &e->v[e->n - 1]);
}

/* dst becomes a copy of src (references adjusted). */
static void ents_copy(mem_entries *dst, const mem_entries *src)
{
    for (size_t i = 0; i < src->n; i++) /* reference the new before releasing the old */
        src->v[i].node->nref++;
    ents_clear(dst);
    for (size_t i = 0; i < src->n; i++) {
        ents_add(dst, src->v[i].name, strlen(src->v[i].name), src->v[i].node);
        src->v[i].node->nref--;
    }
}

static void node_free(mem_node *n)
{
    ents_clear(&n->cur_ents);
    ents_clear(&n->dur_ents);
    free(n->cur_ents.v);
    free(n->dur_ents.v);
    changes_free(n);
    free(n->cur.p);
    free(n->dur.p);
    free(n);
}

/* Frees every node nobody references, until none is left to free. */
static void gc(mem_fs *fs)
{
    bool again = true;
    while (again) {
        again = false;
        for (mem_node **pp = &fs->all; *pp;) {
            mem_node *n = *pp;
            if (n->nref == 0) {
                *pp = n->next_all;
                node_free(n);
                again = true;
            } else {
                pp = &n->next_all;
            }
        }
    }
}

/* ---- path resolution over current entries ---- */

typedef struct mem_path {
    const char *comp[MEM_MAX_DEPTH];
    size_t len[MEM_MAX_DEPTH];
    size_t n;
} mem_path;

/* Splits path into components ("." dropped, ".." pops); false when too deep. */
static bool path_split(const char *path, mem_path *mp)
{
    mp->n = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - s);
        if (len == 0 || (len == 1 && s[0] == '.'))
            continue;
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (mp->n)
                mp->n--;
            continue;
        }
        if (mp->n == MEM_MAX_DEPTH)
            return false;
        mp->comp[mp->n] = s;
        mp->len[mp->n] = len;
        mp->n++;
    }
    return true;
}

/* The folder holding the last component of mp (mp->n > 0), or NULL with *err_no set. */
static mem_node *resolve_parent(mem_fs *fs, const mem_path *mp, int *err_no)
{
    mem_node *d = fs->root;
    for (size_t i = 0; i + 1 < mp->n; i++) {
        mem_entry *e = ents_find(&d->cur_ents, mp->comp[i], mp->len[i]);
        if (!e) {
            *err_no = ENOENT;
            return NULL;
        }
        if (!e->node->is_dir) {
            *err_no = ENOTDIR;
            return NULL;
        }
        d = e->node;
    }
    return d;
}

/* Errors for a path whose parent lookup failed: a missing folder is JET_errInvalidPath. */
static JET_ERR parent_err(int err_no)
{
    return bj_os_err_from_errno(err_no == ENOENT ? ENOTDIR : err_no);
}

/* The node at path, or NULL with *perr set (JET_errFileNotFound or a path error). */
static mem_node *resolve(mem_fs *fs, const char *path, JET_ERR *perr)
{
    mem_path mp;
    int e = 0;
    if (!path_split(path, &mp)) {
        *perr = BJ_ERR(JET_errInvalidPath);
        return NULL;
    }
    if (mp.n == 0)
        return fs->root;
    mem_node *d = resolve_parent(fs, &mp, &e);
    if (!d) {
        *perr = parent_err(e);
        return NULL;
    }
    mem_entry *ent = ents_find(&d->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1]);
    if (!ent) {
        *perr = BJ_ERR(JET_errFileNotFound);
        return NULL;
    }
    return ent->node;
}

/* ---- the backend ---- */

static JET_ERR mem_open(bj_os *os, const char *path, uint32_t flags, bj_file **out)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    mem_path mp;
    int e = 0;
    mem_node *node = NULL;

    *out = NULL;
    fs_lock(fs);
    if (!path_split(path, &mp))
        ERR(JET_errInvalidPath);
    if (mp.n == 0) /* the root is a folder; "" names nothing */
        ERR(path[0] ? JET_errFileAccessDenied : JET_errFileNotFound);
    mem_node *dir = resolve_parent(fs, &mp, &e);
    if (!dir)
        ERR(parent_err(e));
    mem_entry *ent = ents_find(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1]);
    if (ent) {
        if ((flags & (BJ_OPEN_CREATE | BJ_OPEN_EXCLUSIVE)) == (BJ_OPEN_CREATE | BJ_OPEN_EXCLUSIVE))
            ERR(JET_errFileAlreadyExists);
        node = ent->node;
        if (node->is_dir)
            ERR(JET_errFileAccessDenied);
    } else {
        if (!(flags & BJ_OPEN_CREATE))
            ERR(JET_errFileNotFound);
        node = node_new(fs, false);
        ents_add(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1], node);
    }
    int lock = 0;
    if (flags & BJ_OPEN_LOCK) {
        if (flags & BJ_OPEN_READONLY) {
            if (node->nexcl)
                ERR(JET_errFileAccessDenied);
            lock = 1;
        } else {
            if (node->nexcl || node->nshared)
                ERR(JET_errFileAccessDenied);
            lock = 2;
        }
    }
    if ((flags & BJ_OPEN_TRUNCATE) && !(flags & BJ_OPEN_READONLY) && node->cur.cb) {
        bytes_resize(&node->cur, 0);
        change_append(node, true, 0, NULL, 0);
    }
    mem_file *mf = xrealloc(NULL, sizeof *mf);
    mf->base.os = os;
    mf->base.path = xstrndup(path, strlen(path));
    mf->node = node;
    mf->flags = flags;
    mf->epoch = fs->epoch;
    mf->lock = lock;
    if (lock == 1)
        node->nshared++;
    else if (lock == 2)
        node->nexcl++;
    node->nref++;
    fs->nopen++;
    *out = &mf->base;
fail:
    fs_unlock(fs);
    return err;
}

static void mem_close(bj_file *f)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    fs_lock(fs);
    if (mf->epoch == fs->epoch) { /* locks of dead files went with the power */
        if (mf->lock == 1)
            mf->node->nshared--;
        else if (mf->lock == 2)
            mf->node->nexcl--;
    }
    mf->node->nref--;
    fs->nopen--;
    gc(fs);
    fs_unlock(fs);
    free(mf->base.path);
    free(mf);
}

static JET_ERR mem_read(bj_file *f, uint64_t off, void *buf, size_t cb, size_t *pcbRead)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    JET_ERR err = JET_errSuccess;
    *pcbRead = 0;
    fs_lock(fs);
    if (mf->epoch != fs->epoch)
        ERR(JET_errDiskIO);
    const mem_bytes *b = &mf->node->cur;
    if (off < b->cb) {
        size_t n = (size_t)BJ_MIN((uint64_t)cb, b->cb - off);
        memcpy(buf, b->p + off, n);
        *pcbRead = n;
    }
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_write(bj_file *f, uint64_t off, const void *buf, size_t cb)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    JET_ERR err = JET_errSuccess;
    if (mf->flags & BJ_OPEN_READONLY)
        return BJ_ERR(JET_errFileAccessDenied);
    fs_lock(fs);
    bj_os_write_hook hook = mf->epoch == fs->epoch ? fs->hook : NULL;
    void *hook_ctx = fs->hook_ctx;
    fs_unlock(fs);
    if (hook)
        hook(hook_ctx, f->path, off, buf, cb);
    fs_lock(fs);
    if (mf->epoch != fs->epoch)
        ERR(JET_errDiskIO);
    if (off > MEM_MAX_FILE || cb > MEM_MAX_FILE - off)
        ERR(JET_errDiskFull);
    if (cb == 0)
        goto fail;
    mem_node *n = mf->node;
    if (off + cb > n->cur.cb && !bytes_resize(&n->cur, off + cb))
        ERR(JET_errDiskFull);
    memcpy(n->cur.p + off, buf, cb);
    change_append(n, false, off, buf, cb);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_sync(bj_file *f)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    JET_ERR err = JET_errSuccess;
    fs_lock(fs);
    if (mf->epoch != fs->epoch)
        ERR(JET_errDiskIO);
    mem_node *n = mf->node;
    for (mem_change *c = n->chg_head; c; c = c->next)
        bytes_apply(&n->dur, c, c->cb); /* cannot fail: cur already holds these sizes */
    changes_free(n);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_size(bj_file *f, uint64_t *pcb)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    JET_ERR err = JET_errSuccess;
    fs_lock(fs);
    if (mf->epoch != fs->epoch)
        ERR(JET_errDiskIO);
    *pcb = mf->node->cur.cb;
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_set_size(bj_file *f, uint64_t cb)
{
    mem_file *mf = (mem_file *)f;
    mem_fs *fs = fs_of(f->os);
    JET_ERR err = JET_errSuccess;
    if (mf->flags & BJ_OPEN_READONLY)
        return BJ_ERR(JET_errFileAccessDenied);
    fs_lock(fs);
    if (mf->epoch != fs->epoch)
        ERR(JET_errDiskIO);
    if (!bytes_resize(&mf->node->cur, cb))
        ERR(JET_errDiskFull);
    change_append(mf->node, true, cb, NULL, 0);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_remove(bj_os *os, const char *path)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    mem_path mp;
    int e = 0;
    fs_lock(fs);
    if (!path_split(path, &mp))
        ERR(JET_errInvalidPath);
    if (mp.n == 0)
        ERR(JET_errFileAccessDenied);
    mem_node *dir = resolve_parent(fs, &mp, &e);
    if (!dir)
        ERR(parent_err(e));
    mem_entry *ent = ents_find(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1]);
    if (!ent)
        ERR(JET_errFileNotFound);
    if (ent->node->is_dir)
        ERR(JET_errFileAccessDenied);
    ents_del(&dir->cur_ents, ent);
    gc(fs);
fail:
    fs_unlock(fs);
    return err;
}

/* True when a is d or inside d. */
static bool node_within(mem_node *a, mem_node *d)
{
    if (a == d)
        return true;
    for (size_t i = 0; i < d->cur_ents.n; i++)
        if (d->cur_ents.v[i].node->is_dir && node_within(a, d->cur_ents.v[i].node))
            return true;
    return false;
}

static JET_ERR mem_rename(bj_os *os, const char *from, const char *to)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    mem_path mf, mt;
    int e = 0;
    fs_lock(fs);
    if (!path_split(from, &mf) || !path_split(to, &mt))
        ERR(JET_errInvalidPath);
    if (mf.n == 0 || mt.n == 0)
        ERR(JET_errFileAccessDenied);
    mem_node *dfrom = resolve_parent(fs, &mf, &e);
    if (!dfrom)
        ERR(parent_err(e));
    mem_entry *src = ents_find(&dfrom->cur_ents, mf.comp[mf.n - 1], mf.len[mf.n - 1]);
    if (!src)
        ERR(JET_errFileNotFound);
    mem_node *dto = resolve_parent(fs, &mt, &e);
    if (!dto)
        ERR(parent_err(e));
    mem_node *node = src->node;
    if (node->is_dir && node_within(dto, node))
        ERR(JET_errInvalidPath); /* a folder into itself (EINVAL) */
    mem_entry *dst = ents_find(&dto->cur_ents, mt.comp[mt.n - 1], mt.len[mt.n - 1]);
    if (dst && dst->node == node)
        goto fail; /* the same file: nothing to do */
    if (dst) {
        if (!node->is_dir && dst->node->is_dir)
            ERR(JET_errFileAccessDenied); /* EISDIR */
        if (node->is_dir && !dst->node->is_dir)
            ERR(JET_errInvalidPath); /* ENOTDIR */
        if (dst->node->is_dir && dst->node->cur_ents.n)
            ERR(JET_errDiskIO); /* ENOTEMPTY */
    }
    node->nref++; /* keep it alive between the two entry changes */
    ents_del(&dfrom->cur_ents, src);
    dst = ents_find(&dto->cur_ents, mt.comp[mt.n - 1], mt.len[mt.n - 1]);
    if (dst)
        ents_del(&dto->cur_ents, dst);
    ents_add(&dto->cur_ents, mt.comp[mt.n - 1], mt.len[mt.n - 1], node);
    node->nref--;
    gc(fs);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_mkdir(bj_os *os, const char *path)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    mem_path mp;
    int e = 0;
    fs_lock(fs);
    if (!path_split(path, &mp))
        ERR(JET_errInvalidPath);
    if (mp.n == 0)
        goto fail; /* the root exists */
    mem_node *dir = resolve_parent(fs, &mp, &e);
    if (!dir)
        ERR(parent_err(e));
    mem_entry *ent = ents_find(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1]);
    if (ent) {
        if (!ent->node->is_dir)
            ERR(JET_errFileAlreadyExists);
        goto fail;
    }
    ents_add(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1], node_new(fs, true));
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_rmdir(bj_os *os, const char *path)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    mem_path mp;
    int e = 0;
    fs_lock(fs);
    if (!path_split(path, &mp))
        ERR(JET_errInvalidPath);
    if (mp.n == 0)
        ERR(JET_errDiskIO); /* EBUSY: the root */
    mem_node *dir = resolve_parent(fs, &mp, &e);
    if (!dir)
        ERR(parent_err(e));
    mem_entry *ent = ents_find(&dir->cur_ents, mp.comp[mp.n - 1], mp.len[mp.n - 1]);
    if (!ent)
        ERR(JET_errFileNotFound);
    if (!ent->node->is_dir)
        ERR(JET_errInvalidPath); /* ENOTDIR */
    if (ent->node->cur_ents.n)
        ERR(JET_errDiskIO); /* ENOTEMPTY */
    ents_del(&dir->cur_ents, ent);
    gc(fs);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_sync_dir(bj_os *os, const char *path)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    fs_lock(fs);
    mem_node *d = resolve(fs, path, &err);
    if (!d)
        goto fail;
    if (!d->is_dir)
        ERR(JET_errInvalidPath); /* ENOTDIR */
    ents_copy(&d->dur_ents, &d->cur_ents);
    gc(fs);
fail:
    fs_unlock(fs);
    return err;
}

static JET_ERR mem_stat(bj_os *os, const char *path, bool *exists, bool *is_dir, uint64_t *cb)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    fs_lock(fs);
    mem_node *n = resolve(fs, path, &err);
    if (!n && err != JET_errFileNotFound && err != JET_errInvalidPath) {
        fs_unlock(fs);
        return err;
    }
    if (exists)
        *exists = n != NULL;
    if (is_dir)
        *is_dir = n && n->is_dir;
    if (cb)
        *cb = n && !n->is_dir ? n->cur.cb : 0;
    fs_unlock(fs);
    return JET_errSuccess;
}

static JET_ERR mem_list_dir(bj_os *os, const char *path, bj_os_dir_fn fn, void *ctx)
{
    mem_fs *fs = fs_of(os);
    JET_ERR err = JET_errSuccess;
    char **names = NULL;
    bool *dirs = NULL;
    size_t n = 0;
    fs_lock(fs);
    mem_node *d = resolve(fs, path, &err);
    if (!d) {
        fs_unlock(fs);
        return err;
    }
    if (!d->is_dir) {
        fs_unlock(fs);
        return BJ_ERR(JET_errInvalidPath); /* ENOTDIR */
    }
    n = d->cur_ents.n;
    names = xrealloc(NULL, n * sizeof *names);
    dirs = xrealloc(NULL, n * sizeof *dirs);
    for (size_t i = 0; i < n; i++) {
        names[i] = xstrndup(d->cur_ents.v[i].name, strlen(d->cur_ents.v[i].name));
        dirs[i] = d->cur_ents.v[i].node->is_dir;
    }
    fs_unlock(fs);
    for (size_t i = 0; i < n; i++) {
        fn(ctx, names[i], dirs[i]);
        free(names[i]);
    }
    free(names);
    free(dirs);
    return err;
}

/* ---- power loss ---- */

/* splitmix64: a small, good, seedable generator. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* How many bytes of write c survive when it is torn: a prefix ending on a sector boundary
 * of the file, chosen by rng (0 when the write lies inside one sector). */
static size_t torn_prefix(const mem_change *c, uint64_t *rng)
{
    uint64_t first = (c->off / MEM_SECTOR + 1) * MEM_SECTOR; /* first boundary after off */
    uint64_t end = c->off + c->cb;
    if (first >= end)
        return 0;
    uint64_t nb = (end - 1 - first) / MEM_SECTOR + 1; /* boundaries strictly inside */
    return (size_t)(first + (rng_next(rng) % nb) * MEM_SECTOR - c->off);
}

/* Rebuilds a file from its durable bytes plus the changes the seed lets survive. */
static void file_power_loss(mem_node *n, uint64_t seed, uint64_t *rng)
{
    mem_change *last_write = NULL;
    for (mem_change *c = n->chg_head; c; c = c->next)
        if (!c->is_size)
            last_write = c;
    if (seed != 0) {
        for (mem_change *c = n->chg_head; c; c = c->next) {
            uint64_t r = rng_next(rng);
            if (c != last_write) {
                if (r & 1)
                    bytes_apply(&n->dur, c, c->cb);
                continue;
            }
            switch (r % 3) {
            case 0: /* lost */
                break;
            case 1: /* whole */
                bytes_apply(&n->dur, c, c->cb);
                break;
            default: { /* torn */
                size_t keep = torn_prefix(c, rng);
                if (keep)
                    bytes_apply(&n->dur, c, keep);
                break;
            }
            }
        }
    }
    changes_free(n);
    bytes_copy(&n->cur, &n->dur);
    n->nshared = n->nexcl = 0;
}

void bj_os_mem_power_loss(bj_os *os, uint64_t seed)
{
    mem_fs *fs = fs_of(os);
    uint64_t rng = seed;
    fs_lock(fs);
    fs->epoch++;
    for (mem_node *n = fs->all; n; n = n->next_all) {
        if (n->is_dir)
            ents_copy(&n->cur_ents, &n->dur_ents);
        else
            file_power_loss(n, seed, &rng);
    }
    gc(fs);
    fs_unlock(fs);
}

void bj_os_mem_set_write_hook(bj_os *os, bj_os_write_hook hook, void *ctx)
{
    mem_fs *fs = fs_of(os);
    fs_lock(fs);
    fs->hook = hook;
    fs->hook_ctx = ctx;
    fs_unlock(fs);
}

bj_os *bj_os_mem_create(void)
{
    mem_fs *fs = xrealloc(NULL, sizeof *fs);
    memset(fs, 0, sizeof *fs);
    bj_mutex_init(&fs->lock);
    fs->os = (bj_os){
        .name = "mem",
        .open = mem_open,
        .close = mem_close,
        .read = mem_read,
        .write = mem_write,
        .sync = mem_sync,
        .size = mem_size,
        .set_size = mem_set_size,
        .remove = mem_remove,
        .rename = mem_rename,
        .mkdir = mem_mkdir,
        .rmdir = mem_rmdir,
        .sync_dir = mem_sync_dir,
        .stat = mem_stat,
        .list_dir = mem_list_dir,
        .impl = fs,
    };
    fs->root = node_new(fs, true);
    fs->root->nref = 1; /* permanent */
    return &fs->os;
}

void bj_os_mem_destroy(bj_os *os)
{
    if (!os)
        return;
    mem_fs *fs = fs_of(os);
    if (fs->nopen) {
        fprintf(stderr, "bluejet os_mem: destroyed with %zu file(s) still open\n", fs->nopen);
        abort();
    }
    /* Drop every entry, then every node is unreferenced but the root. */
    for (mem_node *n = fs->all; n; n = n->next_all) {
        ents_clear(&n->cur_ents);
        ents_clear(&n->dur_ents);
    }
    fs->root->nref = 0;
    gc(fs);
    bj_mutex_destroy(&fs->lock);
    free(fs);
}
