/*
 * table.c — the handle table at ALASKA_TABLE_BASE and handle-id allocation.
 *
 * Ids come from a global bump counter in batches of ALASKA_ID_BATCH (one 4 KiB table page,
 * poisoned when the batch is taken, so every issued-but-free entry reads as poison). Each
 * thread keeps freed ids in its cache (`cache_t.ids`, a plain stack: no atomics); when that
 * overflows, half of it moves to a global stack of `id_block`s. Id lists never live in the
 * table itself: a freed entry holds only the poison value, so a double free is recognised
 * instead of corrupting a list. Id 0 is never issued.
 */
#include <errno.h>
#include <string.h>

#include "heap/internal.h"
#include "os/os.h"

void stats_sample_peak(void);

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

void id_spill(cache_t *c, uint32_t keep) {
  pthread_mutex_lock(&id_lock);
  while (c->id_count > keep) {
    id_block_t *b = block_new();
    while (c->id_count > keep && b->count < ALASKA_ID_BATCH) b->ids[b->count++] = c->ids[--c->id_count];
    b->next = full_blocks;
    full_blocks = b;
  }
  pthread_mutex_unlock(&id_lock);
}

uint32_t id_refill(cache_t *c) {
  pthread_mutex_lock(&id_lock);
  id_block_t *b = full_blocks;
  if (b) {
    full_blocks = b->next;
    memcpy(c->ids, b->ids, b->count * sizeof(uint32_t));
    c->id_count = b->count;
    b->next = spare_blocks;
    spare_blocks = b;
    pthread_mutex_unlock(&id_lock);
    return id_untag(c->ids[--c->id_count]);
  }
  pthread_mutex_unlock(&id_lock);

  uint64_t start = atomic_fetch_add_explicit(&id_bump, ALASKA_ID_BATCH, memory_order_relaxed);
  uint64_t limit = alaska_max_handles + 1; /* ids 1..max_handles are valid */
  if (start >= limit) {
    atomic_store_explicit(&id_bump, limit, memory_order_relaxed);
    alaska_fatal("handle table exhausted: all %lu handle ids are in use",
                 (unsigned long)alaska_max_handles);
  }
  stats_sample_peak();
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
  if (c->id_count == 0) return id_refill(c);
  return id_untag(c->ids[--c->id_count]);
}

void table_lock_for_fork(int lock) {
  if (lock) pthread_mutex_lock(&id_lock);
  else pthread_mutex_unlock(&id_lock);
}
