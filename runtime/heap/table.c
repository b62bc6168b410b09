/*
 * table.c — the handle table at ALASKA_TABLE_BASE and handle-id allocation.
 *
 * Ids come from a global bump counter in batches of ALASKA_ID_BATCH (one 4 KiB table page,
 * poisoned when the batch is taken, so every issued-but-free entry reads as poison). Each
 * thread keeps freed ids in its cache (`cache_t.ids`, a plain stack: no atomics); when that
 * overflows, half of it moves to a global stack of `id_block`s. Id lists never live in the
 * table itself: a freed entry holds only the poison value, so a double free is recognised
 * instead of corrupting a list. Id 0 is never issued.
 *
 * handles_peak without a cost on the fast paths: a cache's live count is id_base - id_count,
 * so its running maximum only grows when a pop takes id_count below the lowest it reached
 * since id_base last changed. The fast paths compare id_count against a window
 * [id_lo, id_hi] instead of [0, ALASKA_ID_CACHE] and step out at its edges, where the slow
 * path records the cache's new peak (exact: one thread's peak is the process's) or adds
 * the cache's drift to a global sum of live handles once it reaches
 * ALASKA_ID_PUBLISH_SLACK (that sum's maximum bounds the peak when several threads
 * allocate and free each other's objects, where the per-cache peaks only add up). A cache
 * whose own peak passes that bound (a producer whose objects other threads free) stops
 * tracking it: its peak becomes ALASKA_PEAK_UNTRACKED, so the bound is what is reported, and its
 * allocations stop stepping out at every new high (only every ALASKA_ID_PUBLISH_SLACK).
 */
#include <errno.h>
#include <string.h>

#include "heap/internal.h"
#include "os/os.h"

typedef struct id_block {
  struct id_block *next;
  uint32_t count;
  uint32_t ids[ALASKA_ID_BATCH];
} id_block_t;

_Atomic uint64_t id_bump;                   /* next never-issued id (heap/debug.c reads it) */
static os_dump_prefix_t table_dump;         /* core dumps include entries of issued ids */
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static id_block_t *full_blocks;             /* ids freed and spilled by caches */
static id_block_t *spare_blocks;            /* empty id_block_t memory for reuse */
static _Atomic int64_t handles_published;   /* sum of every cache's `published` */
_Atomic int64_t handles_published_peak;     /* its maximum (heap/debug.c reads it) */
uint64_t alaska_max_handles = ALASKA_MAX_ID;

void table_init(void) {
  int err = os_reserve_fixed((void *)(uintptr_t)ALASKA_TABLE_BASE, ALASKA_TABLE_BYTES, 0);
  if (err == EEXIST)
    alaska_fatal("another Alaska runtime already owns the handle table (cannot reserve the "
                 "handle table at 0x400000000: the range is already mapped)");
  if (err) alaska_fatal("cannot reserve the handle table at 0x400000000: %s", strerror(err));
  err = os_reserve_fixed((void *)(uintptr_t)ALASKA_POISON_BASE, ALASKA_POISON_BYTES, 1);
  if (err)
    alaska_fatal("cannot reserve the poison range for freed handles at 0x800000000: %s",
                 strerror(err));
  /* Neither goes into core dumps beyond the entries of issued ids (os.h). */
  os_exclude_from_dumps((void *)(uintptr_t)ALASKA_POISON_BASE, ALASKA_POISON_BYTES);
  os_exclude_from_dumps((void *)(uintptr_t)ALASKA_TABLE_BASE, ALASKA_TABLE_BYTES);
  table_dump = (os_dump_prefix_t){ALASKA_TABLE_BASE, ALASKA_TABLE_BYTES, 0};
  os_dump_prefix_grow(&table_dump, 8);
  /* Entry 0 is never issued; make a stray id-0 handle fault as a freed one. */
  *table_entry(0) = ALASKA_POISON_BASE;
}

uint64_t id_issued_limit(void) {
  uint64_t b = atomic_load_explicit(&id_bump, memory_order_relaxed);
  return b < 1 ? 1 : b;
}

static id_block_t *block_new(void) {
  /* caller holds id_lock */
  if (!spare_blocks) {
    size_t chunk = 1 << 20;
    char *mem = os_reserve(chunk);
    if (!mem) alaska_fatal("out of memory for handle-id metadata");
    for (size_t off = 0; off + sizeof(id_block_t) <= chunk; off += sizeof(id_block_t)) {
      id_block_t *b = (id_block_t *)(mem + off);
      b->next = spare_blocks;
      spare_blocks = b;
    }
  }
  id_block_t *b = spare_blocks;
  spare_blocks = b->next;
  b->count = 0;
  return b;
}

/* Keep a cache's window true to its id_base, handles_peak and published (see the top). */
void id_window(cache_t *c) {
  int64_t top = c->handles_peak < c->published + ALASKA_ID_PUBLISH_SLACK
                    ? c->handles_peak
                    : c->published + ALASKA_ID_PUBLISH_SLACK;
  int64_t lo = c->id_base - top, hi = c->id_base - c->published + ALASKA_ID_PUBLISH_SLACK;
  c->id_lo = lo > 0 ? (uint32_t)lo : 0;
  c->id_hi = hi < ALASKA_ID_CACHE ? (uint32_t)hi : ALASKA_ID_CACHE;
}

static void id_publish(cache_t *c, int64_t live) {
  int64_t delta = live - c->published;
  c->published = live;
  int64_t sum = atomic_fetch_add_explicit(&handles_published, delta, memory_order_relaxed) + delta;
  int64_t peak = atomic_load_explicit(&handles_published_peak, memory_order_relaxed);
  while (sum > peak && !atomic_compare_exchange_weak_explicit(&handles_published_peak, &peak, sum,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed)) {
  }
  if (c->handles_peak > (sum > peak ? sum : peak) + ALASKA_ID_PUBLISH_SLACK)
    __atomic_store_n(&c->handles_peak, ALASKA_PEAK_UNTRACKED, __ATOMIC_RELAXED);
}

/* table_resident_bytes: entries of every id issued so far ([0, id_bump), each batch's poisoned
 * when taken, so written) that are in memory. Entries beyond id_bump were never written. */
uint64_t table_resident_bytes(void) {
  uint64_t ids = atomic_load_explicit(&id_bump, memory_order_relaxed);
  if (ids > ALASKA_TABLE_ENTRIES) ids = ALASKA_TABLE_ENTRIES;
  return os_resident_bytes((const void *)(uintptr_t)ALASKA_TABLE_BASE, ids * 8);
}

/* Exact when one thread allocates; otherwise at most the per-cache slack above the peak. */
uint64_t id_handles_peak(void) {
  int64_t sum = 0, caches = 0;
  for (cache_t *c = __atomic_load_n(&alaska_all_caches, __ATOMIC_ACQUIRE); c; c = c->next_all) {
    int64_t p = __atomic_load_n(&c->handles_peak, __ATOMIC_RELAXED);
    sum = p >= ALASKA_PEAK_UNTRACKED || sum >= ALASKA_PEAK_UNTRACKED ? ALASKA_PEAK_UNTRACKED : sum + p;
    caches++;
  }
  int64_t bound = atomic_load_explicit(&handles_published_peak, memory_order_relaxed) +
                  caches * ALASKA_ID_PUBLISH_SLACK;
  int64_t peak = sum < bound ? sum : bound;
  return peak > 0 ? (uint64_t)peak : 0;
}

void id_spill(cache_t *c, uint32_t keep) {
  c->id_base -= c->id_count > keep ? c->id_count - keep : 0;
  pthread_mutex_lock(&id_lock);
  while (c->id_count > keep) {
    id_block_t *b = block_new();
    while (c->id_count > keep && b->count < ALASKA_ID_BATCH) b->ids[b->count++] = c->ids[--c->id_count];
    b->next = full_blocks;
    full_blocks = b;
  }
  pthread_mutex_unlock(&id_lock);
  id_window(c);
}

/* Fill an empty id stack from the spilled ids, else from a fresh batch. */
static void id_refill(cache_t *c) {
  pthread_mutex_lock(&id_lock);
  id_block_t *b = full_blocks;
  if (b) {
    full_blocks = b->next;
    memcpy(c->ids, b->ids, b->count * sizeof(uint32_t));
    c->id_count = b->count;
    b->next = spare_blocks;
    spare_blocks = b;
    pthread_mutex_unlock(&id_lock);
    c->id_base += c->id_count;
    return;
  }
  pthread_mutex_unlock(&id_lock);

  uint64_t start = atomic_fetch_add_explicit(&id_bump, ALASKA_ID_BATCH, memory_order_relaxed);
  uint64_t limit = alaska_max_handles + 1; /* ids 1..max_handles are valid */
  if (start >= limit) {
    atomic_store_explicit(&id_bump, limit, memory_order_relaxed);
    alaska_fatal("handle table exhausted: all %lu handle ids are in use",
                 (unsigned long)alaska_max_handles);
  }
  uint64_t end = start + ALASKA_ID_BATCH;
  if (end > limit) end = limit;
  if (!os_dump_prefix_covers(&table_dump, end * 8)) {
    pthread_mutex_lock(&id_lock);
    os_dump_prefix_grow(&table_dump, end * 8);
    pthread_mutex_unlock(&id_lock);
  }
  for (uint64_t id = start; id < end; id++) *table_entry((uint32_t)id) = ALASKA_POISON_BASE;
  /* Push in descending order so ids are handed out ascending. */
  c->id_count = 0;
  for (uint64_t id = end; id-- > start;)
    if (id != 0) c->ids[c->id_count++] = id_tag((uint32_t)id);
  if (c->id_count == 0) return id_refill(c); /* the batch held only id 0 */
  c->id_base += c->id_count;
}

uint32_t id_pop_slow(cache_t *c) {
  if (c->id_count == 0) id_refill(c);
  uint32_t tag = c->ids[--c->id_count];
  int64_t live = c->id_base - c->id_count;
  if (live > c->handles_peak) __atomic_store_n(&c->handles_peak, live, __ATOMIC_RELAXED);
  if (live > c->published + ALASKA_ID_PUBLISH_SLACK) id_publish(c, live);
  id_window(c);
  return id_untag(tag);
}

void id_push_slow(cache_t *c) {
  if (c->id_count == ALASKA_ID_CACHE) id_spill(c, ALASKA_ID_CACHE / 2);
  int64_t live_after = c->id_base - c->id_count - 1;
  if (live_after < c->published - ALASKA_ID_PUBLISH_SLACK) id_publish(c, live_after);
  id_window(c);
}

void table_lock_for_fork(int lock) {
  if (lock) pthread_mutex_lock(&id_lock);
  else pthread_mutex_unlock(&id_lock);
}
