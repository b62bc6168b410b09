/*
 * large.c — objects above ALASKA_SMALL_MAX: one span of whole pages each, taken from the
 * page pool. The head page's descriptor records the handle id, the object's offset in the
 * span (alignment padding) and its usable size; tail pages point at the head so a raw
 * address anywhere inside finds its object.
 */
#include "internal.h"
#include "os.h"

void *large_alloc(cache_t *c, size_t size, size_t align, uint32_t id) {
  (void)c;
  size_t extra = align > ALASKA_PAGE_SIZE ? align - ALASKA_PAGE_SIZE : 0;
  size_t npages = (size + extra + ALASKA_PAGE_SIZE - 1) >> ALASKA_PAGE_SHIFT;
  pthread_mutex_lock(&alaska_heap_lock);
  page_t *head = pool_alloc_span(npages);
  if (!head) {
    pthread_mutex_unlock(&alaska_heap_lock);
    return NULL;
  }
  uintptr_t start = page_start(head);
  uintptr_t obj = align > 1 ? (start + align - 1) & ~(uintptr_t)(align - 1) : start;
  head->kind = PAGE_LARGE;
  head->large_id = id;
  head->large_offset = (uint32_t)(obj - start);
  head->large_size = (npages << ALASKA_PAGE_SHIFT) - head->large_offset;
  head->pinned = 0;
  head->where = WHERE_NONE;
  atomic_store_explicit(&head->owner, NULL, memory_order_relaxed);
  for (size_t i = 1; i < npages; i++) {
    head[i].kind = PAGE_LARGE_TAIL;
    head[i].span_head = page_index(head);
  }
  pthread_mutex_unlock(&alaska_heap_lock);
  return (void *)obj;
}

void large_free(page_t *head) {
  pthread_mutex_lock(&alaska_heap_lock);
  pool_free_span(head);
  pthread_mutex_unlock(&alaska_heap_lock);
}
