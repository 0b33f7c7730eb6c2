/* handle.c: generation-checked handle tables (see handle.h for the encoding and the protocol).
 *
 * Invariants: a slot's generation only grows (0 is skipped on wrap); obj is written before the
 * state turns LIVE (release order) and read after a successful acquire (acquire order); a slot
 * is on the free list only while neither LIVE nor DYING. Lock order: the table mutex is a leaf.
 */
#include "inst/handle.h"

#include <sched.h>
#include <time.h>

#define ST_LIVE (1ull << 31)
#define ST_DYING (1ull << 30)
#define ST_REFS (ST_DYING - 1)
#define ST_GEN(s) ((uint32_t)((s) >> 32))

#define H_IDX_BITS 24
#define H_IDX_MASK ((1ull << H_IDX_BITS) - 1)

static bj_hslot *slot_of(bj_handle_table *t, JET_API_PTR h, uint32_t *gen)
{
    uint64_t v = (uint64_t)h;
    if ((v >> 56) != t->kind)
        return NULL;
    uint64_t idx1 = v & H_IDX_MASK;
    if (idx1 == 0)
        return NULL;
    uint64_t idx = idx1 - 1;
    if (idx >= (uint64_t)BJ_HANDLE_MAX_CHUNKS * BJ_HANDLE_CHUNK_SLOTS)
        return NULL;
    bj_hslot *chunk = atomic_load_explicit(&t->chunks[idx >> BJ_HANDLE_CHUNK_BITS],
                                           memory_order_acquire);
    if (!chunk)
        return NULL;
    *gen = (uint32_t)(v >> H_IDX_BITS);
    return &chunk[idx & (BJ_HANDLE_CHUNK_SLOTS - 1)];
}

static JET_API_PTR encode(uint8_t kind, uint32_t gen, uint32_t idx)
{
    return (JET_API_PTR)(((uint64_t)kind << 56) | ((uint64_t)gen << H_IDX_BITS) | (idx + 1u));
}

JET_ERR bj_handle_alloc(bj_handle_table *t, void *obj, JET_API_PTR *ph)
{
    JET_ERR err = JET_errSuccess;
    uint32_t idx;
    bj_mutex_lock(&t->lock);
    if (t->nfree > 0) {
        idx = t->free_idx[--t->nfree];
    } else {
        idx = t->next_unused;
        uint32_t c = idx >> BJ_HANDLE_CHUNK_BITS;
        if (c >= BJ_HANDLE_MAX_CHUNKS) {
            bj_mutex_unlock(&t->lock);
            ERR(JET_errOutOfMemory);
        }
        if (!atomic_load_explicit(&t->chunks[c], memory_order_relaxed)) {
            bj_hslot *chunk = bj_calloc(BJ_HANDLE_CHUNK_SLOTS, sizeof(bj_hslot));
            if (!chunk) {
                bj_mutex_unlock(&t->lock);
                ERR(JET_errOutOfMemory);
            }
            for (uint32_t i = 0; i < BJ_HANDLE_CHUNK_SLOTS; i++)
                atomic_init(&chunk[i].state, 1ull << 32); /* generation 1, free */
            atomic_store_explicit(&t->chunks[c], chunk, memory_order_release);
        }
        t->next_unused++;
    }
    bj_mutex_unlock(&t->lock);

    bj_hslot *s = &atomic_load_explicit(&t->chunks[idx >> BJ_HANDLE_CHUNK_BITS],
                                        memory_order_acquire)[idx & (BJ_HANDLE_CHUNK_SLOTS - 1)];
    uint64_t st = atomic_load_explicit(&s->state, memory_order_relaxed);
    uint32_t gen = ST_GEN(st);
    atomic_store_explicit(&s->obj, obj, memory_order_relaxed);
    atomic_store_explicit(&s->state, ((uint64_t)gen << 32) | ST_LIVE, memory_order_release);
    *ph = encode(t->kind, gen, idx);
fail:
    return err;
}

void *bj_handle_acquire(bj_handle_table *t, JET_API_PTR h)
{
    uint32_t gen;
    bj_hslot *s = slot_of(t, h, &gen);
    if (!s)
        return NULL;
    uint64_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    for (;;) {
        if (ST_GEN(st) != gen || !(st & ST_LIVE) || (st & ST_DYING) || (st & ST_REFS) == ST_REFS)
            return NULL;
        if (atomic_compare_exchange_weak_explicit(&s->state, &st, st + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return atomic_load_explicit(&s->obj, memory_order_relaxed);
    }
}

void bj_handle_release(bj_handle_table *t, JET_API_PTR h)
{
    uint32_t gen;
    bj_hslot *s = slot_of(t, h, &gen);
    if (s)
        atomic_fetch_sub_explicit(&s->state, 1, memory_order_acq_rel);
}

void *bj_handle_peek(bj_handle_table *t, JET_API_PTR h)
{
    uint32_t gen;
    bj_hslot *s = slot_of(t, h, &gen);
    if (!s)
        return NULL;
    uint64_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    if (ST_GEN(st) != gen || !(st & ST_LIVE))
        return NULL;
    return atomic_load_explicit(&s->obj, memory_order_relaxed);
}

static void pause_briefly(unsigned spins)
{
    if (spins < 64) {
        sched_yield();
    } else {
        struct timespec ts = {0, 100 * 1000}; /* 100 us */
        nanosleep(&ts, NULL);
    }
}

bool bj_handle_retire(bj_handle_table *t, JET_API_PTR h, uint32_t own_refs)
{
    uint32_t gen;
    bj_hslot *s = slot_of(t, h, &gen);
    if (!s)
        return false;
    uint64_t st = atomic_load_explicit(&s->state, memory_order_acquire);
    for (;;) {
        if (ST_GEN(st) != gen || !(st & ST_LIVE) || (st & ST_DYING))
            return false;
        if (atomic_compare_exchange_weak_explicit(&s->state, &st, st | ST_DYING,
                                                  memory_order_acq_rel, memory_order_acquire))
            break;
    }
    for (unsigned spins = 0;; spins++) {
        st = atomic_load_explicit(&s->state, memory_order_acquire);
        if ((st & ST_REFS) <= own_refs)
            break;
        pause_briefly(spins);
    }
    uint32_t next = gen + 1 ? gen + 1 : 1;
    atomic_store_explicit(&s->obj, NULL, memory_order_relaxed);
    atomic_store_explicit(&s->state, (uint64_t)next << 32, memory_order_release);

    uint32_t idx = (uint32_t)(((uint64_t)h & H_IDX_MASK) - 1);
    bj_mutex_lock(&t->lock);
    if (t->nfree == t->cap_free) {
        uint32_t cap = t->cap_free ? t->cap_free * 2 : 64;
        uint32_t *p = bj_realloc(t->free_idx, cap * sizeof(uint32_t));
        if (!p) {
            /* Out of memory: the slot is leaked (never reused), which is safe. */
            bj_mutex_unlock(&t->lock);
            return true;
        }
        t->free_idx = p;
        t->cap_free = cap;
    }
    t->free_idx[t->nfree++] = idx;
    bj_mutex_unlock(&t->lock);
    return true;
}
