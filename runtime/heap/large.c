/*
 * large.c — objects above ALASKA_SMALL_MAX: one span of whole pages each, taken from the
 * page pool. The head page's descriptor records the handle id, the object's offset in the
 * span (alignment padding) and its usable size; tail pages point at the head so a raw
 * address anywhere inside finds its object.
 *
 * Large objects do not fragment the heap (a freed span is whole pages, coalesced and
 * purged), so the defragmentation plan never moves them. Stress mode does
 * (large_move_all): a handle of a large object must survive a move like any other.
 */
#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

#include <string.h>

/* Head and tail descriptors of a fresh span holding one large object. */
static void large_init_span(page_t *head, size_t npages, uint32_t id, uint32_t offset,
                            int overaligned) {
  head->kind = PAGE_LARGE;
  head->large_overaligned = (uint8_t)overaligned;
  head->large_id = id;
  head->large_offset = offset;
  head->large_size = (npages << ALASKA_PAGE_SHIFT) - offset;
  head->pinned = 0;
  head->where = WHERE_NONE;
  atomic_store_explicit(&head->owner, NULL, memory_order_relaxed);
  for (size_t i = 1; i < npages; i++) {
    head[i].kind = PAGE_LARGE_TAIL;
    head[i].span_head = page_index(head);
  }
}

void *large_alloc(size_t size, size_t align, uint32_t id) {
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
  large_init_span(head, npages, id, (uint32_t)(obj - start), align > ALASKA_PAGE_SIZE);
  pthread_mutex_unlock(&alaska_heap_lock);
  pool_growth_poll();
  return (void *)obj;
}

/* Objects of ALASKA_MAX_HANDLE_OBJECT (2 GiB) and more: a handle's biased 32-bit offset
 * cannot address them (h + size must stay a valid pointer), so they are system allocations
 * (glibc maps them with mmap) handed out as raw pointers. Compiled code translates a raw
 * pointer to itself; hfree, hrealloc and alaska_usable_size already forward system pointers
 * to glibc, as the interposed free/realloc/malloc_usable_size do for uncompiled code. Such
 * an object never moves and is not in the heap statistics; ENOMEM comes from the system only. */
void *huge_alloc(size_t size, size_t align, int zero) {
  void *p = system_alloc(size, align, zero);
  if (p) __atomic_fetch_add(&alaska_stat_huge_allocs, 1, __ATOMIC_RELAXED);
  return p;
}

void large_free(page_t *head) {
  pthread_mutex_lock(&alaska_heap_lock);
  pool_free_span(head);
  pthread_mutex_unlock(&alaska_heap_lock);
}

/* Stress mode, world stopped, alaska_heap_lock held: copy every large object that is not
 * pinned (pin_forever, or `is_pinned`) to a new span and point its handle there, while the
 * bytes moved stay within `budget`. The new span is taken before the old one is freed, so
 * the object always lands at a different address. Spans are page aligned, which satisfies
 * any alignment up to a page; objects allocated with a larger alignment stay in place. */
#define LARGE_MOVES_PER_BARRIER 64
size_t large_move_all(size_t budget, int (*is_pinned)(uint32_t id, void *ctx), void *ctx) {
  size_t moved = 0, nnew = 0;
  page_t *fresh[LARGE_MOVES_PER_BARRIER]; /* new spans further on must not be moved again */
  size_t end = pool_pages_in_use();
  for (size_t i = 0; i < end && nnew < LARGE_MOVES_PER_BARRIER; i++) {
    page_t *old = &HEAP_PAGES[i];
    if (old->kind != PAGE_LARGE) continue;
    int is_fresh = 0;
    for (size_t k = 0; k < nnew; k++) is_fresh |= fresh[k] == old;
    if (is_fresh) {
      i += old->span_pages - 1;
      continue;
    }
    size_t npages = old->span_pages;
    uint32_t id = old->large_id;
    uintptr_t from = page_start(old) + old->large_offset;
    if (old->pinned || old->large_overaligned || (is_pinned && is_pinned(id, ctx))) {
      i += npages - 1;
      continue;
    }
    if (moved + old->large_size > budget) break;
    page_t *head = pool_alloc_span(npages);
    if (!head) break; /* out of address space: leave the rest in place */
    large_init_span(head, npages, id, 0, 0);
    memcpy((void *)page_start(head), (const void *)from, old->large_size);
    __atomic_store_n(table_entry(id), alaska_entry_of(page_start(head)), __ATOMIC_RELEASE);
    pool_free_span(old);
    fresh[nnew++] = head;
    moved += head->large_size;
    alaska_stat_objects_moved++;
    alaska_stat_bytes_moved += head->large_size;
    i += npages - 1;
  }
  return moved;
}
