/* buf_range.c: backup page-range locks of a database (buf.h, buf_int.h bj_buf_ranges).
 *
 * A backup reader copies pages straight from the file; the cache must not write a page while
 * the reader copies it. The reader locks a page range; a write of a page in a locked range
 * waits; a range is granted only when no write of a page inside it is in flight.
 *
 * Fast path (no range held, the common case): a writer increments nfast, reads nlocks == 0 and
 * writes; afterwards it decrements nfast. A reader increments nlocks, then waits (under mu)
 * until nfast == 0: with sequentially consistent atomics, either the writer sees the reader's
 * nlocks or the reader sees the writer's nfast. A writer that sees nlocks > 0 takes the slow
 * path: under mu it waits while its pgno is inside a held range, then registers its pgno in a
 * slot of writing[] (so a reader arriving later waits for exactly the writes inside its range).
 *
 * Invariants (under mu): a pgno in writing[] is outside every held range that was granted
 * before it was registered; a granted range has no registered write inside it.
 * Lock order: mu is a leaf (no other lock is taken under it; no I/O under it).
 */
#include "buf/buf_int.h"

void bj_buf_ranges_init(bj_buf_ranges *r)
{
    memset(r, 0, sizeof(*r));
    bj_mutex_init(&r->mu);
    bj_cond_init(&r->cv);
}

void bj_buf_ranges_destroy(bj_buf_ranges *r)
{
    bj_cond_destroy(&r->cv);
    bj_mutex_destroy(&r->mu);
}

/* mu held: whether pgno lies inside a held range. */
static bool locked(const bj_buf_ranges *r, uint32_t pgno)
{
    for (uint32_t i = 0; i < BJ_BUF_RANGES_MAX; i++)
        if (r->last[i] && pgno >= r->first[i] && pgno <= r->last[i])
            return true;
    return false;
}

uint32_t bj_buf_range_write_begin(bj_buf_ranges *r, uint32_t pgno)
{
    atomic_fetch_add(&r->nfast, 1);
    if (atomic_load(&r->nlocks) == 0)
        return 0;
    /* a range is held: leave the fast path (a reader may be waiting for nfast) */
    bj_mutex_lock(&r->mu);
    atomic_fetch_sub(&r->nfast, 1);
    bj_cond_broadcast(&r->cv);
    for (;;) {
        if (!locked(r, pgno)) {
            for (uint32_t i = 0; i < BJ_BUF_RANGE_WRITES_MAX; i++) {
                if (r->writing[i] == 0) {
                    r->writing[i] = pgno ? pgno : UINT32_MAX;
                    bj_mutex_unlock(&r->mu);
                    return i + 1;
                }
            }
        }
        bj_cond_wait(&r->cv, &r->mu);
    }
}

void bj_buf_range_write_end(bj_buf_ranges *r, uint32_t token)
{
    if (token == 0) {
        atomic_fetch_sub(&r->nfast, 1);
        if (atomic_load(&r->nlocks) == 0)
            return;
        bj_mutex_lock(&r->mu);
        bj_cond_broadcast(&r->cv);
        bj_mutex_unlock(&r->mu);
        return;
    }
    bj_mutex_lock(&r->mu);
    r->writing[token - 1] = 0;
    bj_cond_broadcast(&r->cv);
    bj_mutex_unlock(&r->mu);
}

/* mu held: whether a write in flight touches [first, last]. */
static bool writes_inside(const bj_buf_ranges *r, uint32_t first, uint32_t last)
{
    if (atomic_load(&r->nfast) != 0)
        return true;
    for (uint32_t i = 0; i < BJ_BUF_RANGE_WRITES_MAX; i++)
        if (r->writing[i] && r->writing[i] >= first && r->writing[i] <= last)
            return true;
    return false;
}

JET_ERR bj_buf_range_lock(bj_buf_db *db, uint32_t first, uint32_t last, uint32_t *ptoken)
{
    bj_buf_ranges *r = &db->ranges;
    if (first == 0 || first > last)
        return BJ_ERR(JET_errInvalidParameter);
    bj_mutex_lock(&r->mu);
    uint32_t slot;
    for (;;) {
        for (slot = 0; slot < BJ_BUF_RANGES_MAX && r->last[slot]; slot++)
            ;
        if (slot < BJ_BUF_RANGES_MAX)
            break;
        bj_cond_wait(&r->cv, &r->mu);
    }
    r->first[slot] = first;
    r->last[slot] = last;
    atomic_fetch_add(&r->nlocks, 1);
    while (writes_inside(r, first, last))
        bj_cond_wait(&r->cv, &r->mu);
    bj_mutex_unlock(&r->mu);
    *ptoken = slot + 1;
    return JET_errSuccess;
}

void bj_buf_range_unlock(bj_buf_db *db, uint32_t token)
{
    bj_buf_ranges *r = &db->ranges;
    if (token == 0 || token > BJ_BUF_RANGES_MAX)
        return;
    bj_mutex_lock(&r->mu);
    r->first[token - 1] = r->last[token - 1] = 0;
    atomic_fetch_sub(&r->nlocks, 1);
    bj_cond_broadcast(&r->cv);
    bj_mutex_unlock(&r->mu);
}
