/*
 * pool.c — the global page pool.
 *
 * Pages are handed out as spans (1 page for a small page, n pages for a large
 * object) from bins of free spans or from a bump pointer. A freed span stays committed
 * ("dirty") so it can be reused without page faults; once more than ALASKA_DIRTY_LIMIT
 * pages are dirty, every dirty span is madvised away in one batch (together with its
 * slot->id maps, which are all zero for free pages). Adjacent free spans of the same
 * dirtiness coalesce. Callers hold alaska_heap_lock.
 */
#include <string.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

#define ALASKA_DIRTY_LIMIT 128 /* pages (8 MiB) kept committed before a purge */
#define NUM_BINS 33            /* bin n (1..32) holds spans of n pages; bin 0 the rest */

size_t pool_bump = 0;                /* pages [0, pool_bump) have been handed out once */
static page_list_t bins[NUM_BINS];
static size_t dirty_pages = 0;
static int purge_deferred; /* compaction batches its own purge */

/* alaska_heap_on_committed: the callback and its threshold in pages (SIZE_MAX: none). */
static _Atomic(void (*)(void)) growth_fn;
static _Atomic size_t growth_pages = SIZE_MAX;
_Atomic int pool_growth_pending;

static void growth_check_locked(void) {
  if (__builtin_expect(alaska_stat_committed_pages >=
                           atomic_load_explicit(&growth_pages, memory_order_relaxed), 0)) {
    atomic_store_explicit(&growth_pages, SIZE_MAX, memory_order_relaxed);
    atomic_store_explicit(&pool_growth_pending, 1, memory_order_release);
  }
}

void pool_growth_fire(void) {
  atomic_store_explicit(&pool_growth_pending, 0, memory_order_relaxed);
  void (*fn)(void) = atomic_exchange(&growth_fn, NULL);
  if (fn) fn();
}

void alaska_heap_on_committed(uint64_t bytes, void (*fn)(void)) {
  size_t pages = (size_t)((bytes + ALASKA_PAGE_SIZE - 1) >> ALASKA_PAGE_SHIFT);
  if (pages == 0) pages = 1;
  atomic_store(&growth_fn, fn);
  atomic_store(&growth_pages, pages);
  /* A page taken since the store above sets the flag itself; one taken before it did not:
   * look once. Whoever exchanges growth_fn first calls it. */
  if (__atomic_load_n(&alaska_stat_committed_pages, __ATOMIC_RELAXED) >= pages) {
    atomic_store(&growth_pages, SIZE_MAX);
    pool_growth_fire();
  }
}

void pool_defer_purge(int defer) { purge_deferred = defer; }

static unsigned bin_of(size_t npages) { return npages < NUM_BINS ? (unsigned)npages : 0; }

static void span_insert(page_t *head) { page_list_push_front(&bins[bin_of(head->span_pages)], head); }
static void span_remove(page_t *head) { page_list_remove(&bins[bin_of(head->span_pages)], head); }

/* Mark [head, head+n) as one free span. */
static void span_mark_free(page_t *head, size_t n, enum span_state state) {
  head->kind = PAGE_FREE;
  head->span_pages = n;
  head->dirty = (uint8_t)state;
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
  for (unsigned b = bin_of(n); b != 0 && b < NUM_BINS && !span; b++) span = bins[b].head;
  if (!span)
    for (page_t *s = bins[0].head; s; s = s->next)
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
    heap_region_in_use(pool_bump);
    alaska_stat_committed_pages += n;
    span->dirty = SPAN_CLEAN;
  }
  growth_check_locked();
  span->span_pages = n;
  /* span->dirty now tells the caller whether the memory may hold old data (calloc). */
  span->next = span->prev = NULL;
  return span;
}

void pool_free_span(page_t *head) {
  size_t n = head->span_pages;
  span_mark_free(head, n, SPAN_DIRTY);
  dirty_pages += n;
  head = span_coalesce(head);
  span_insert(head);
  if (dirty_pages > ALASKA_DIRTY_LIMIT && !purge_deferred) pool_purge();
}

/* Takes every dirty free span out of the bins; returns them linked through `next`. */
static page_t *unlink_dirty_spans(void) {
  page_t *todo = NULL;
  for (unsigned b = 0; b < NUM_BINS; b++) {
    page_t *s = bins[b].head;
    while (s) {
      page_t *next = s->next;
      if (s->dirty == SPAN_DIRTY) {
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
      if (s[i].ids_bytes >= IDS_RELEASE_MIN) os_release(s[i].ids, s[i].ids_bytes);
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
    s->dirty = SPAN_CLEAN;
    span_insert(span_coalesce(s));
  }
  ids_trim(pool_bump);
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
    s->dirty = SPAN_CLEAN;
    span_insert(span_coalesce(s));
  }
  ids_trim(pool_bump);
}

/* Relaxed: the compaction planner reads it without alaska_heap_lock. */
size_t pool_pages_in_use(void) { return __atomic_load_n(&pool_bump, __ATOMIC_RELAXED); }

/* Committed bytes of free spans the pool keeps for reuse (at most ALASKA_DIRTY_LIMIT pages):
 * a cache, not fragmentation — the defragmentation policy leaves it out (heap.h). */
uint64_t alaska_pool_dirty_bytes(void) {
  return (uint64_t)__atomic_load_n(&dirty_pages, __ATOMIC_RELAXED) << ALASKA_PAGE_SHIFT;
}

/* Under the lock: pool_free_span counts a freed span dirty before it purges, so two unlocked
 * reads could see the cache one span above its limit (and committed from before the free). */
uint64_t alaska_pool_committed_in_use(uint64_t *committed_bytes) {
  RT_ENTER();
  pthread_mutex_lock(&alaska_heap_lock);
  uint64_t committed = alaska_committed_bytes();
  uint64_t cached = (uint64_t)dirty_pages << ALASKA_PAGE_SHIFT;
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
  if (committed_bytes) *committed_bytes = committed;
  return committed > cached ? committed - cached : 0;
}
