/*
 * page.c — the heap region, page descriptors, slot->id maps and the global page pool.
 *
 * The heap is one MAP_NORESERVE reservation of up to 1 TiB cut into 64 KiB
 * pages. Pages are handed out as spans (1 page for a small page, n pages for a large
 * object) from bins of free spans or from a bump pointer. A freed span stays committed
 * ("dirty") so it can be reused without page faults; once more than ALASKA_DIRTY_LIMIT
 * pages are dirty, every dirty span is madvised away in one batch (together with its
 * slot->id maps, which are all zero for free pages). Adjacent free spans of the same
 * dirtiness coalesce. Callers hold alaska_heap_lock.
 */
#include <string.h>

#include "internal.h"
#include "os.h"
#include "stats.h"

#define ALASKA_DIRTY_LIMIT 128 /* pages (8 MiB) kept committed before a purge */
#define NUM_BINS 33            /* bin n (1..32) holds spans of n pages; bin 0 the rest */

uintptr_t alaska_heap_base;
page_t *alaska_pages;
page_t alaska_empty_page; /* kind PAGE_UNUSED, no free blocks, used as "no current page" */

static size_t pool_bump = 0;         /* pages [0, pool_bump) have been handed out once */
static page_t *bins[NUM_BINS];
static size_t dirty_pages = 0;
static int purge_deferred; /* compaction batches its own purge */
static void ids_map_release_released(page_t *pg);

void pool_defer_purge(int defer) { purge_deferred = defer; }

uint64_t alaska_heap_reserve; /* 0 until reserved: heap_contains is false for everything */
uint64_t alaska_heap_pages;

void heap_region_init(void) {
  for (uint64_t size = ALASKA_HEAP_RESERVE_MAX; size >= ALASKA_HEAP_RESERVE_MIN; size /= 4) {
    uint64_t pages = size >> ALASKA_PAGE_SHIFT;
    void *mem = os_reserve(size + ALASKA_PAGE_SIZE);
    void *desc = mem ? os_reserve(pages * sizeof(page_t)) : NULL;
    if (desc) {
      alaska_pages = desc;
      alaska_heap_pages = pages;
      alaska_heap_base = ((uintptr_t)mem + ALASKA_PAGE_SIZE - 1) & ~(uintptr_t)(ALASKA_PAGE_SIZE - 1);
      alaska_heap_reserve = size;
      return;
    }
    if (mem) os_unmap(mem, size + ALASKA_PAGE_SIZE);
  }
  alaska_fatal("cannot reserve the heap region (even 4 GiB of address space, MAP_NORESERVE)");
}

static unsigned bin_of(size_t npages) { return npages < NUM_BINS ? (unsigned)npages : 0; }

static void span_insert(page_t *head) {
  unsigned b = bin_of(head->span_pages);
  head->prev = NULL;
  head->next = bins[b];
  if (bins[b]) bins[b]->prev = head;
  bins[b] = head;
}

static void span_remove(page_t *head) {
  unsigned b = bin_of(head->span_pages);
  if (head->prev) head->prev->next = head->next;
  else bins[b] = head->next;
  if (head->next) head->next->prev = head->prev;
  head->next = head->prev = NULL;
}

/* Mark [head, head+n) as one free span. */
static void span_mark_free(page_t *head, size_t n, int dirty) {
  head->kind = PAGE_FREE;
  head->span_pages = n;
  head->dirty = (uint8_t)dirty;
  head->where = WHERE_NONE;
  atomic_store_explicit(&head->owner, NULL, memory_order_relaxed);
  for (size_t i = 1; i < n; i++) {
    head[i].kind = PAGE_FREE_TAIL;
    head[i].span_head = page_index(head);
  }
}

/* Merge `head` with free neighbours of the same dirtiness; returns the merged head. */
static page_t *span_coalesce(page_t *head) {
  size_t idx = page_index(head);
  if (idx > 0) {
    page_t *left = &alaska_pages[idx - 1];
    page_t *lh = left->kind == PAGE_FREE ? left
               : left->kind == PAGE_FREE_TAIL ? &alaska_pages[left->span_head] : NULL;
    if (lh && lh->kind == PAGE_FREE && lh->dirty == head->dirty) {
      span_remove(lh);
      size_t n = lh->span_pages + head->span_pages;
      head->kind = PAGE_FREE_TAIL;
      head[head->span_pages - 1].span_head = page_index(lh); /* new last page */
      head->span_head = page_index(lh);
      lh->span_pages = n;
      head = lh;
    }
  }
  size_t ridx = page_index(head) + head->span_pages;
  if (ridx < pool_bump) {
    page_t *right = &alaska_pages[ridx];
    if (right->kind == PAGE_FREE && right->dirty == head->dirty) {
      span_remove(right);
      size_t rn = right->span_pages;
      right->kind = PAGE_FREE_TAIL;
      right->span_head = page_index(head);
      right[rn - 1].span_head = page_index(head);
      head->span_pages += rn;
    }
  }
  return head;
}

page_t *pool_alloc_span(size_t n) {
  page_t *span = NULL;
  for (unsigned b = bin_of(n); b != 0 && b < NUM_BINS && !span; b++) span = bins[b];
  if (!span)
    for (page_t *s = bins[0]; s; s = s->next)
      if (s->span_pages >= n) { span = s; break; }
  if (span) {
    span_remove(span);
    if (!span->dirty) alaska_stat_committed_pages += span->span_pages;
    else dirty_pages -= span->span_pages;
    if (span->span_pages > n) { /* split: the rest stays free with the same dirtiness */
      page_t *rest = span + n;
      if (span->dirty) dirty_pages += span->span_pages - n;
      else alaska_stat_committed_pages -= span->span_pages - n;
      span_mark_free(rest, span->span_pages - n, span->dirty);
      span_insert(rest);
    }
  } else {
    if (pool_bump + n > alaska_heap_pages) return NULL;
    span = &alaska_pages[pool_bump];
    __atomic_store_n(&pool_bump, pool_bump + n, __ATOMIC_RELAXED);
    alaska_stat_committed_pages += n;
    span->dirty = 0;
  }
  span->span_pages = n;
  /* span->dirty now tells the caller whether the memory may hold old data (calloc). */
  span->next = span->prev = NULL;
  return span;
}

void pool_free_span(page_t *head) {
  size_t n = head->span_pages;
  span_mark_free(head, n, 1);
  dirty_pages += n;
  head = span_coalesce(head);
  span_insert(head);
  if (dirty_pages > ALASKA_DIRTY_LIMIT && !purge_deferred) pool_purge();
}

/* Takes every dirty free span out of the bins; returns them linked through `next`. */
static page_t *unlink_dirty_spans(void) {
  page_t *todo = NULL;
  for (unsigned b = 0; b < NUM_BINS; b++) {
    page_t *s = bins[b];
    while (s) {
      page_t *next = s->next;
      if (s->dirty) {
        span_remove(s);
        s->next = todo;
        todo = s;
      }
      s = next;
    }
  }
  return todo;
}

/* Like pool_purge, for a caller that does not hold alaska_heap_lock: the madvise calls (the
 * expensive part) run without it. The dirty spans are unlinked under the lock and marked
 * SPAN_RELEASING, which no allocation sees (they are in no bin) and no neighbour coalesces
 * with (coalescing needs equal dirtiness); they go back to the bins clean afterwards.
 * Returns the number of pages released. */
#define SPAN_RELEASING 2
size_t pool_release_dirty(void) {
  RT_ENTER(); /* a barrier must not stop this thread while it holds the heap lock */
  pthread_mutex_lock(&alaska_heap_lock);
  page_t *todo = unlink_dirty_spans();
  for (page_t *s = todo; s; s = s->next) {
    s->dirty = SPAN_RELEASING;
    /* Leave committed and dirty together: committed minus dirty (what the defrag policy
     * reads) does not change while the madvise runs. */
    dirty_pages -= s->span_pages;
    alaska_stat_committed_pages -= s->span_pages;
  }
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
  if (!todo) return 0;
  size_t released = 0;
  for (page_t *s = todo; s; s = s->next) {
    os_release((void *)page_start(s), s->span_pages << ALASKA_PAGE_SHIFT);
    for (size_t i = 0; i < s->span_pages; i++)
      if (s[i].ids_bytes >= 4096) os_release(s[i].ids, s[i].ids_bytes);
    released += s->span_pages;
  }
  RT_ENTER();
  pthread_mutex_lock(&alaska_heap_lock);
  while (todo) {
    page_t *s = todo;
    todo = s->next;
    size_t n = s->span_pages;
    for (size_t i = 0; i < n; i++) ids_map_release_released(&s[i]);
    alaska_stat_pages_released += n;
    s->dirty = 0;
    span_insert(span_coalesce(s));
  }
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
  return released;
}

void pool_purge(void) {
  /* Unlink every dirty span first: releasing and coalescing reshapes the bins. */
  page_t *todo = unlink_dirty_spans();
  while (todo) {
    page_t *s = todo;
    todo = s->next;
    size_t n = s->span_pages;
    os_release((void *)page_start(s), n << ALASKA_PAGE_SHIFT);
    for (size_t i = 0; i < n; i++) ids_map_release(&s[i]);
    dirty_pages -= n;
    alaska_stat_committed_pages -= n;
    alaska_stat_pages_released += n;
    s->dirty = 0;
    span_insert(span_coalesce(s));
  }
}

/* ---- slot->id maps ---------------------------------------------------------------------
 * Each small page points at a map of exactly the size its class needs (4 bytes per slot,
 * rounded up to a power of two >= 64 B), carved from 1 MiB mmap'd chunks and recycled
 * through per-size free lists. Dense maps keep the map writes of halloc on few cache lines
 * and OS pages (a fixed 16 KiB-per-page layout put every map on its own OS page). A page
 * keeps its map while free and reuses it when its next class fits; purging a free page
 * gives its map back to the free lists (and the OS pages of maps >= 4 KiB to the OS).
 * Callers hold alaska_heap_lock. */
#define IDS_MIN_SHIFT 6
#define IDS_BINS 9 /* 64 B .. 16 KiB */
#define IDS_MAX_BYTES (1u << (IDS_MIN_SHIFT + IDS_BINS - 1))
static uint32_t *ids_free[IDS_BINS];
static char *ids_chunk, *ids_chunk_end;

static unsigned ids_bin(uint32_t bytes) {
  unsigned b = 0;
  while ((1u << (IDS_MIN_SHIFT + b)) < bytes) b++;
  return b;
}

static uint32_t *ids_alloc(unsigned bin) {
  uint32_t *m = ids_free[bin];
  if (m) {
    ids_free[bin] = *(uint32_t **)m;
    return m;
  }
  size_t bytes = (size_t)1 << (IDS_MIN_SHIFT + bin);
  size_t align = bytes < 4096 ? bytes : 4096; /* big maps on whole OS pages: releasable */
  ids_chunk = (char *)(((uintptr_t)ids_chunk + align - 1) & ~(uintptr_t)(align - 1));
  if (!ids_chunk || (size_t)(ids_chunk_end - ids_chunk) < bytes) {
    /* A largest map's worth of slack after the chunk: the compaction planner reads maps
     * racily (compact.c) and may pair a page's new, smaller map with its old class's
     * length; the read then stays inside this mapping. */
    ids_chunk = os_reserve((1 << 20) + IDS_MAX_BYTES);
    if (!ids_chunk) alaska_fatal("out of memory for slot maps");
    ids_chunk_end = ids_chunk + (1 << 20);
  }
  m = (uint32_t *)ids_chunk;
  ids_chunk += bytes;
  return m;
}

/* os_released: the caller already gave a map of >= 4 KiB back to the OS. */
static void ids_put(uint32_t *m, uint32_t bytes, int os_released) {
  if (bytes >= 4096 && !os_released) os_release(m, bytes);
  unsigned bin = ids_bin(bytes);
  *(uint32_t **)m = ids_free[bin];
  ids_free[bin] = m;
}

void ids_map_release(page_t *pg) {
  if (pg->ids_bytes == 0) return;
  ids_put(pg->ids, pg->ids_bytes, 0);
  pg->ids = NULL;
  pg->ids_bytes = 0;
}

static void ids_map_release_released(page_t *pg) {
  if (pg->ids_bytes == 0) return;
  ids_put(pg->ids, pg->ids_bytes, 1);
  pg->ids = NULL;
  pg->ids_bytes = 0;
}

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

/* Relaxed: the compaction planner reads it without alaska_heap_lock. */
size_t pool_pages_in_use(void) { return __atomic_load_n(&pool_bump, __ATOMIC_RELAXED); }

/* Committed bytes of free spans the pool keeps for reuse (at most ALASKA_DIRTY_LIMIT pages):
 * a cache, not fragmentation — the defragmentation policy leaves it out (heap.h). */
uint64_t alaska_pool_dirty_bytes(void) {
  return (uint64_t)__atomic_load_n(&dirty_pages, __ATOMIC_RELAXED) << ALASKA_PAGE_SHIFT;
}
