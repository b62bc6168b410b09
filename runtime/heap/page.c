/*
 * page.c — operations on one small page: laying it out for a size class, carving never-used
 * slots onto its local free list, taking a block, and collecting the blocks other threads
 * freed into it (its atomic remote_free stack).
 */
#include "heap/internal.h"

void page_init_small(page_t *pg, unsigned cls) {
  size_t bs = alaska_class_size(cls);
  pg->kind = PAGE_SMALL;
  pg->start = page_start(pg);
  uint32_t need = (uint32_t)(ALASKA_PAGE_SIZE / bs) * sizeof(uint32_t);
  unsigned bin = ids_bin(need);
  if (pg->ids_bytes != (1u << (IDS_MIN_SHIFT + bin))) {
    ids_map_release(pg);
    pg->ids = ids_alloc(bin);
    pg->ids_bytes = 1u << (IDS_MIN_SHIFT + bin);
  }
  pg->size_class = (uint8_t)cls;
  pg->block_size = (uint32_t)bs;
  pg->capacity = (uint32_t)(ALASKA_PAGE_SIZE / bs);
  pg->div_magic = (uint32_t)(((1ULL << 32) + bs - 1) / bs);
  pg->local_free = NULL;
  pg->used = 0;
  pg->bump = 0;
  pg->pinned = 0;
  pg->where = WHERE_NONE;
  pg->span_pages = 1;
  atomic_store_explicit(&pg->remote_free, NULL, memory_order_relaxed);
  atomic_store_explicit(&pg->in_full, 0, memory_order_relaxed);
}

size_t page_collect_remote(page_t *pg) {
  if (atomic_load_explicit(&pg->remote_free, memory_order_relaxed) == NULL) return 0;
  block_t *list = atomic_exchange_explicit(&pg->remote_free, NULL, memory_order_acquire);
  if (!list) return 0;
  size_t n = 1;
  block_t *tail = list;
  while (tail->next) {
    tail = tail->next;
    n++;
  }
  tail->next = pg->local_free;
  pg->local_free = list;
  pg->used -= (uint32_t)n;
  return n;
}

/* Carve up to one OS page worth of never-used slots onto the local free list. */
int page_carve(page_t *pg) {
  if (pg->bump >= pg->capacity) return 0;
  uint32_t n = (uint32_t)(ALASKA_CARVE_BYTES / pg->block_size);
  if (n == 0) n = 1;
  if (n > pg->capacity - pg->bump) n = pg->capacity - pg->bump;
  uintptr_t start = slot_addr(pg, pg->bump);
  block_t *head = pg->local_free;
  for (uint32_t i = n; i-- > 0;) {
    block_t *b = (block_t *)(start + (uintptr_t)i * pg->block_size);
    b->next = head;
    head = b;
  }
  pg->local_free = head;
  pg->bump += n;
  return 1;
}

int page_has_free(page_t *pg) {
  return pg->local_free != NULL || pg->bump < pg->capacity;
}

block_t *take_block(page_t *pg) {
  if (!pg->local_free) page_carve(pg);
  block_t *b = pg->local_free;
  pg->local_free = b->next;
  pg->used++;
  return b;
}

