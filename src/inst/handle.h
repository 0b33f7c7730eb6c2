/* handle.h: generation-checked handle tables for JET_INSTANCE, JET_SESID, JET_TABLEID, JET_HANDLE.
 *
 * A handle is an opaque pointer-sized integer: kind (bits 56-62) | generation (bits 24-55) |
 * slot index + 1 (bits 0-23). 0 and ~0 (the Nil values) never decode. Each slot keeps one atomic
 * 64-bit state word: generation (high 32 bits), LIVE and DYING flags, and a count of short-lived
 * references (low 30 bits). A lookup is one load + one compare-and-swap on that word, with no lock:
 * it succeeds only when the generation matches and the slot is LIVE and not DYING. Retiring a
 * handle sets DYING (so no new reference can be taken), waits for the references other threads
 * hold to drain, then bumps the generation: every copy of the old handle is stale from then on.
 *
 * Slots live in chunks that are allocated on demand and never freed or moved, so a slot pointer
 * stays valid for the life of the process. Allocation and retirement take the table's mutex
 * (free list); lookups never do.
 */
#ifndef BJ_INST_HANDLE_H
#define BJ_INST_HANDLE_H

#include <stdatomic.h>

#include "common/common.h"
#include "os/os.h"

_Static_assert(sizeof(JET_API_PTR) == 8, "handles need 64-bit JET_API_PTR");

/* Kinds keep handles of one table from being accepted by another. */
enum {
    BJ_HKIND_INSTANCE = 0x11,
    BJ_HKIND_SESSION = 0x12,
    BJ_HKIND_TABLE = 0x13,
    BJ_HKIND_OTHER = 0x14,
};

#define BJ_HANDLE_CHUNK_BITS 10
#define BJ_HANDLE_CHUNK_SLOTS (1u << BJ_HANDLE_CHUNK_BITS)
#define BJ_HANDLE_MAX_CHUNKS 4096u /* 4M slots (the index field allows 16M) */

typedef struct bj_hslot {
    _Atomic uint64_t state; /* gen << 32 | LIVE | DYING | refs */
    _Atomic(void *) obj;
} bj_hslot;

typedef struct bj_handle_table {
    uint8_t kind;
    bj_mutex lock;                                     /* guards free list and next_unused */
    _Atomic(bj_hslot *) chunks[BJ_HANDLE_MAX_CHUNKS];  /* published once, never freed */
    uint32_t *free_idx;                                /* stack of retired slot indexes */
    uint32_t nfree, cap_free;
    uint32_t next_unused;                              /* slots below this were used once */
} bj_handle_table;

/* A static initialiser for a table of the given kind. */
#define BJ_HANDLE_TABLE_INIT(k) {.kind = (k), .lock = PTHREAD_MUTEX_INITIALIZER}

/* Publishes obj under a new handle (LIVE, no references); JET_errOutOfMemory when full. */
JET_ERR bj_handle_alloc(bj_handle_table *t, void *obj, JET_API_PTR *ph);
/* The object of a live handle with one reference taken, or NULL for a stale/garbage handle. */
void *bj_handle_acquire(bj_handle_table *t, JET_API_PTR h);
/* Drops a reference taken by bj_handle_acquire. */
void bj_handle_release(bj_handle_table *t, JET_API_PTR h);
/* Retires a live handle: false when it is not live (stale, garbage or retiring already). Waits
 * until the references held by others (all but own_refs, those of the caller) are released;
 * the caller's own references are gone with the handle. */
bool bj_handle_retire(bj_handle_table *t, JET_API_PTR h, uint32_t own_refs);
/* The object of a handle without taking a reference (caller guarantees liveness), or NULL. */
void *bj_handle_peek(bj_handle_table *t, JET_API_PTR h);

#endif /* BJ_INST_HANDLE_H */
