/*
 * cache.c — per-thread caches (Hoard/mimalloc model).
 *
 * A thread's cache owns pages: one current page per size class (allocation pops its local
 * free list), a partial list (owned pages that may have free blocks) and a full list. The
 * owner frees into its own pages without atomics; other threads push onto the page's atomic
 * remote_free stack, which the owner swaps in when its local list runs dry. A remote free
 * into a page on the owner's full list also raises the cache's full_hint for the class so
 * the owner looks at its full pages again (Dekker-style: the owner publishes in_full before
 * a last check of remote_free; the freer pushes before reading in_full).
 *
 * When a thread exits (pthread key destructor) its pages are abandoned to global per-class
 * lists and adopted by whichever thread next needs a page of that class; empty pages go
 * back to the page pool. The cache itself is kept for reuse by a later thread.
 */
#include <string.h>

#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

__thread cache_t *alaska_tls_cache ALASKA_TLS_IE;
pthread_mutex_t alaska_heap_lock = PTHREAD_MUTEX_INITIALIZER;
cache_t *alaska_all_caches;
static cache_t *retired_caches;
static page_list_t abandoned[ALASKA_NUM_CLASSES];
static pthread_key_t cache_key;

static void cache_key_destructor(void *arg) {
  cache_t *c = arg;
  if (c && c == alaska_tls_cache) {
    RT_ENTER(); /* takes alaska_heap_lock: a barrier must not stop this thread inside */
    cache_thread_exit(c);
    RT_LEAVE();
  }
}

void cache_module_init(void) {
  if (pthread_key_create(&cache_key, cache_key_destructor) != 0)
    alaska_fatal("cannot create the thread-cache key");
}

/* A page on c's full list has free blocks again: to the back of the partial queue. */
static void full_to_partial(cache_t *c, page_t *pg) {
  page_list_remove(&c->full[pg->size_class], pg);
  atomic_store_explicit(&pg->in_full, 0, memory_order_relaxed);
  pg->where = WHERE_PARTIAL;
  page_list_push_back(&c->partial[pg->size_class], pg);
}

cache_t *cache_get_slow(void) {
  alaska_init();
  pthread_mutex_lock(&alaska_heap_lock);
  cache_t *c = retired_caches;
  if (c) {
    retired_caches = c->next_retired;
  } else {
    c = os_reserve(sizeof(cache_t));
    if (!c) {
      pthread_mutex_unlock(&alaska_heap_lock);
      alaska_fatal("out of memory for a thread cache");
    }
    c->next_all = alaska_all_caches;
    atomic_thread_fence(memory_order_release);
    alaska_all_caches = c;
  }
  c->heap_base = HEAP_BASE;
  c->heap_reserve = HEAP_RESERVE;
  c->pages = HEAP_PAGES;
  for (unsigned i = 0; i < ALASKA_NUM_CLASSES; i++) {
    c->current[i] = &alaska_empty_page;
    c->partial[i] = (page_list_t){NULL, NULL};
    c->full[i] = (page_list_t){NULL, NULL};
    atomic_store_explicit(&c->full_hint[i], 0, memory_order_relaxed);
  }
  c->drain_tag = id_drain_tag_now(); /* a new or retired cache's stack is empty */
  id_window(c);
  c->alive = 1;
  pthread_mutex_unlock(&alaska_heap_lock);
  alaska_tls_cache = c;
  pthread_setspecific(cache_key, c);
  return c;
}

/* Owner: put `pg` on the full list unless a racing remote free makes it non-full. */
static int cache_try_mark_full(cache_t *c, page_t *pg) {
  atomic_store_explicit(&pg->in_full, 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  if (page_collect_remote(pg)) {
    atomic_store_explicit(&pg->in_full, 0, memory_order_relaxed);
    return 0;
  }
  pg->where = WHERE_FULL;
  page_list_push_front(&c->full[pg->size_class], pg);
  return 1;
}

static void make_current(cache_t *c, unsigned cls, page_t *pg) {
  pg->where = WHERE_CURRENT;
  c->current[cls] = pg;
}

block_t *cache_alloc_block_slow(cache_t *c, unsigned cls, page_t **pg_out) {
  page_t *pg = c->current[cls];
  if (pg != &alaska_empty_page) {
    if (page_carve(pg) || page_collect_remote(pg)) goto got;
    c->current[cls] = &alaska_empty_page;
    /* Not straight to the full list (that costs a fence): to the back of the partial queue.
     * Under frees it has regained blocks by the time it comes round; if not, the walk
     * below marks it full then. */
    pg->where = WHERE_PARTIAL;
    page_list_push_back(&c->partial[cls], pg);
  }
  for (int attempt = 0; attempt < 2; attempt++) {
    while ((pg = c->partial[cls].head) != NULL) {
      page_list_remove(&c->partial[cls], pg);
      page_collect_remote(pg);
      if (page_has_free(pg)) goto make_cur;
      if (!cache_try_mark_full(c, pg)) goto make_cur;
    }
    /* Remote frees hit some of our full pages: move those back to the partial list. */
    if (attempt == 0 && atomic_exchange_explicit(&c->full_hint[cls], 0, memory_order_acq_rel)) {
      for (page_t *f = c->full[cls].head, *next; f; f = next) {
        next = f->next;
        if (atomic_load_explicit(&f->remote_free, memory_order_relaxed)) full_to_partial(c, f);
      }
      continue;
    }
    break;
  }
  /* Global heap: adopt an abandoned page of this class, else take a fresh page. */
  pthread_mutex_lock(&alaska_heap_lock);
  while ((pg = abandoned[cls].head) != NULL) {
    page_list_remove(&abandoned[cls], pg);
    atomic_store_explicit(&pg->owner, c, memory_order_relaxed);
    page_collect_remote(pg);
    if (page_has_free(pg)) {
      pthread_mutex_unlock(&alaska_heap_lock);
      goto make_cur;
    }
    if (!cache_try_mark_full(c, pg)) { /* a racing remote free made room */
      pthread_mutex_unlock(&alaska_heap_lock);
      goto make_cur;
    }
  }
  pg = pool_alloc_span(1);
  if (pg) {
    page_init_small(pg, cls);
    atomic_store_explicit(&pg->owner, c, memory_order_relaxed);
  }
  pthread_mutex_unlock(&alaska_heap_lock);
  pool_growth_poll();
  if (!pg) return NULL;
make_cur:
  make_current(c, cls, pg);
got:
  *pg_out = pg;
  return take_block(pg);
}

/* Owner freed into a page that is not its current one. */
void cache_page_not_full(cache_t *c, page_t *pg) {
  if (pg->where == WHERE_FULL) full_to_partial(c, pg);
  if (pg->used == 0 && pg->where == WHERE_PARTIAL) cache_page_became_empty(c, pg);
}

/* An owned, non-current page has no live blocks: return it to the pool. */
void cache_page_became_empty(cache_t *c, page_t *pg) {
  if (atomic_load_explicit(&pg->remote_free, memory_order_acquire) != NULL) page_collect_remote(pg);
  page_list_remove(&c->partial[pg->size_class], pg);
  pg->where = WHERE_NONE;
  atomic_store_explicit(&pg->owner, NULL, memory_order_relaxed);
  pthread_mutex_lock(&alaska_heap_lock);
  pool_free_span(pg);
  pthread_mutex_unlock(&alaska_heap_lock);
}

static void abandon_page(page_t *pg) {
  /* caller holds alaska_heap_lock and was the owner */
  page_collect_remote(pg);
  atomic_store_explicit(&pg->in_full, 0, memory_order_relaxed);
  atomic_store_explicit(&pg->owner, NULL, memory_order_relaxed);
  if (pg->used == 0) {
    pg->where = WHERE_NONE;
    pool_free_span(pg);
    return;
  }
  pg->where = WHERE_ABANDONED;
  page_list_push_front(&abandoned[pg->size_class], pg);
}

void cache_thread_exit(cache_t *c) {
  pthread_mutex_lock(&alaska_heap_lock);
  for (unsigned cls = 0; cls < ALASKA_NUM_CLASSES; cls++) {
    page_t *pg = c->current[cls];
    c->current[cls] = &alaska_empty_page;
    if (pg != &alaska_empty_page) abandon_page(pg);
    while ((pg = c->partial[cls].head) != NULL) {
      page_list_remove(&c->partial[cls], pg);
      abandon_page(pg);
    }
    while ((pg = c->full[cls].head) != NULL) {
      page_list_remove(&c->full[cls], pg);
      abandon_page(pg);
    }
  }
  id_spill(c, 0);
  c->alive = 0;
  c->next_retired = retired_caches;
  retired_caches = c;
  pthread_mutex_unlock(&alaska_heap_lock);
  alaska_tls_cache = NULL;
}

/* Visit every small page owned by a live cache or abandoned (compaction; world stopped). */
void cache_for_each_page(void (*fn)(page_t *pg, cache_t *owner, void *ctx), void *ctx) {
  for (cache_t *c = alaska_all_caches; c; c = c->next_all) {
    if (!c->alive) continue;
    for (unsigned cls = 0; cls < ALASKA_NUM_CLASSES; cls++) {
      if (c->current[cls] != &alaska_empty_page) fn(c->current[cls], c, ctx);
      for (page_t *p = c->partial[cls].head, *n; p; p = n) { n = p->next; fn(p, c, ctx); }
      for (page_t *p = c->full[cls].head, *n; p; p = n) { n = p->next; fn(p, c, ctx); }
    }
  }
  for (unsigned cls = 0; cls < ALASKA_NUM_CLASSES; cls++)
    for (page_t *p = abandoned[cls].head, *n; p; p = n) { n = p->next; fn(p, NULL, ctx); }
}

page_list_t *cache_abandoned_list(unsigned cls) { return &abandoned[cls]; }

/* Take `pg` off whatever list it is on (its owner's or the abandoned list). Only while the
 * owner cannot run in the runtime (compaction with the world stopped). */
void cache_detach_page(page_t *pg) {
  cache_t *c = atomic_load_explicit(&pg->owner, memory_order_relaxed);
  unsigned cls = pg->size_class;
  switch (pg->where) {
    case WHERE_CURRENT:
      if (c && c->current[cls] == pg) c->current[cls] = &alaska_empty_page;
      break;
    case WHERE_PARTIAL:
      if (c) page_list_remove(&c->partial[cls], pg);
      break;
    case WHERE_FULL:
      if (c) page_list_remove(&c->full[cls], pg);
      break;
    case WHERE_ABANDONED:
      page_list_remove(&abandoned[cls], pg);
      break;
    default:
      break;
  }
  pg->where = WHERE_NONE;
  atomic_store_explicit(&pg->in_full, 0, memory_order_relaxed);
  atomic_store_explicit(&pg->owner, NULL, memory_order_relaxed);
}

/* A page on its owner's full list got free blocks (compaction): make it partial again. */
void cache_unfull_page(page_t *pg) {
  cache_t *c = atomic_load_explicit(&pg->owner, memory_order_relaxed);
  if (pg->where == WHERE_FULL && c) full_to_partial(c, pg);
}
