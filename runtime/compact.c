/*
 * compact.c — moving live objects so that whole pages can be returned to the OS.
 *
 * alaska_heap_compact runs while every other thread is stopped outside the runtime, so it
 * may touch any page's owner-private free list. Per size class it sorts the small pages by
 * occupancy and evacuates the sparsest ones into free slots of the densest ones, as long as
 * the denser pages can take a whole source page (a half-evacuated page releases nothing).
 * A move is: copy the block, point the handle's table entry at the copy, record the id in
 * the destination's slot->id map, push the old block on the source page's free list. The
 * handle itself never changes. Pages with a pinned object (pin_forever, or `is_pinned`
 * says so) are never sources. Emptied pages go back to the pool and are madvised away in
 * one batch at the end. Large objects are not moved.
 */
#include <string.h>

#include "heap.h"
#include "internal.h"
#include "os.h"
#include "stats.h"

typedef struct compact_ctx {
  page_t **pages;
  size_t count, cap;
  int (*is_pinned)(uint32_t id, void *ctx);
  void *pin_ctx;
  size_t budget;       /* bytes; SIZE_MAX when unlimited */
  size_t moved_bytes;
  size_t pages_freed;
} compact_ctx_t;

static void gather(page_t *pg, cache_t *owner, void *arg) {
  (void)owner;
  compact_ctx_t *cx = arg;
  if (pg->kind != PAGE_SMALL || cx->count == cx->cap) return;
  page_collect_remote(pg); /* owners are stopped: their remote frees are ours to settle */
  if (page_has_free(pg)) cache_unfull_page(pg); /* full pages that regained blocks */
  cx->pages[cx->count++] = pg;
}

/* Order: size class ascending, then occupancy ascending (sparsest first). */
static int page_less(const page_t *a, const page_t *b) {
  if (a->size_class != b->size_class) return a->size_class < b->size_class;
  return a->used < b->used;
}

/* Heapsort: no malloc (the runtime never calls it), O(n log n) worst case. */
static void sift(page_t **v, size_t n, size_t i) {
  for (;;) {
    size_t big = i, l = 2 * i + 1, r = l + 1;
    if (l < n && page_less(v[big], v[l])) big = l;
    if (r < n && page_less(v[big], v[r])) big = r;
    if (big == i) return;
    page_t *t = v[i];
    v[i] = v[big];
    v[big] = t;
    i = big;
  }
}
static void sort_pages(page_t **v, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift(v, n, i);
  for (size_t end = n; end > 1; end--) {
    page_t *t = v[0];
    v[0] = v[end - 1];
    v[end - 1] = t;
    sift(v, end - 1, 0);
  }
}

static int object_pinned(compact_ctx_t *cx, const page_t *pg, uint32_t slot, uint32_t id) {
  if (pg->ids[slot] & ALASKA_PIN_BIT) return 1;
  return cx->is_pinned && cx->is_pinned(id, cx->pin_ctx);
}

/* Does the page hold an object that must stay where it is? */
static int page_has_pinned(compact_ctx_t *cx, const page_t *pg) {
  for (uint32_t s = 0; s < pg->bump; s++) {
    uint32_t id = slot_live_id(pg, s);
    if (id && object_pinned(cx, pg, s, id)) return 1;
  }
  return 0;
}

static void move_object(page_t *src, uint32_t slot, uint32_t id, page_t *dst) {
  block_t *nb = take_block(dst);
  void *old = (void *)slot_addr(src, slot);
  memcpy(nb, old, src->block_size);
  dst->ids[slot_of(dst, (uintptr_t)nb)] = id;
  __atomic_store_n(table_entry(id), (uint64_t)(uintptr_t)nb, __ATOMIC_RELEASE);
  block_t *ob = old;
  ob->next = src->local_free;
  src->local_free = ob;
  src->used--;
  alaska_stat_objects_moved++;
  alaska_stat_bytes_moved += src->block_size;
}

static void release_page(compact_ctx_t *cx, page_t *pg) {
  cache_detach_page(pg);
  pool_free_span(pg);
  cx->pages_freed++;
}

/* Move every movable object of `src` into pages taken from `*dst_idx` downwards (the densest
 * end of the class); stops at `stop` or when the budget is spent. Returns 1 if src is empty. */
static int evacuate(compact_ctx_t *cx, page_t *src, page_t **v, size_t *dst_idx, size_t stop) {
  for (uint32_t s = 0; s < src->bump && src->used > 0; s++) {
    uint32_t id = slot_live_id(src, s);
    if (!id || object_pinned(cx, src, s, id)) continue;
    if (cx->moved_bytes + src->block_size > cx->budget) return 0;
    while (*dst_idx > stop && !page_has_free(v[*dst_idx])) (*dst_idx)--;
    if (*dst_idx <= stop) return 0;
    move_object(src, s, id, v[*dst_idx]);
    cx->moved_bytes += src->block_size;
  }
  return src->used == 0;
}

/* One size class, v[0..n) sorted sparsest first. */
static void compact_class(compact_ctx_t *cx, page_t **v, size_t n) {
  size_t room = 0; /* free slots in v[src+1 .. n) */
  for (size_t i = 1; i < n; i++) room += v[i]->capacity - v[i]->used;
  size_t dst = n - 1;
  for (size_t src = 0; src < dst; src++) {
    page_t *sp = v[src];
    if (src > 0) room -= sp->capacity - sp->used;
    if (sp->used == 0) {
      if (sp->where != WHERE_CURRENT) release_page(cx, sp);
      continue;
    }
    if (room < sp->used) break; /* denser pages cannot absorb this page: done */
    if (cx->moved_bytes + (size_t)sp->used * sp->block_size > cx->budget) break;
    if (page_has_pinned(cx, sp)) continue;
    uint32_t before = sp->used;
    int emptied = evacuate(cx, sp, v, &dst, src);
    room -= before - sp->used;
    if (emptied) release_page(cx, sp);
    else cache_unfull_page(sp);
    if (!emptied) break;
  }
}

/* move_everything: every movable object goes to a fresh page of its class. */
static void move_class_to_fresh_pages(compact_ctx_t *cx, page_t **v, size_t n) {
  page_t *fresh = NULL;
  for (size_t i = 0; i < n; i++) {
    page_t *sp = v[i];
    for (uint32_t s = 0; s < sp->bump && sp->used > 0; s++) {
      uint32_t id = slot_live_id(sp, s);
      if (!id || object_pinned(cx, sp, s, id)) continue;
      if (cx->moved_bytes + sp->block_size > cx->budget) break;
      if (!fresh || !page_has_free(fresh)) {
        fresh = pool_alloc_span(1);
        if (!fresh) return; /* out of address space: leave the rest in place */
        page_init_small(fresh, sp->size_class);
        fresh->where = WHERE_ABANDONED; /* ownerless: the next thread needing one adopts it */
        cache_list_push(cache_abandoned_list(sp->size_class), fresh);
      }
      move_object(sp, s, id, fresh);
      cx->moved_bytes += sp->block_size;
    }
    if (sp->used == 0 && sp->where != WHERE_CURRENT) release_page(cx, sp);
    else cache_unfull_page(sp);
  }
}

size_t alaska_heap_compact(size_t budget_bytes, int (*is_pinned)(uint32_t id, void *ctx),
                           void *ctx, int move_everything) {
  RT_ENTER();
  pthread_mutex_lock(&alaska_heap_lock);
  compact_ctx_t cx = {0};
  cx.cap = pool_pages_in_use();
  cx.is_pinned = is_pinned;
  cx.pin_ctx = ctx;
  cx.budget = budget_bytes ? budget_bytes : SIZE_MAX;
  size_t scratch_bytes = (cx.cap ? cx.cap : 1) * sizeof(page_t *);
  cx.pages = os_reserve(scratch_bytes);
  if (!cx.pages) {
    pthread_mutex_unlock(&alaska_heap_lock);
    RT_LEAVE();
    return 0;
  }
  pool_defer_purge(1);
  uint64_t released_before = alaska_stat_pages_released;
  cache_for_each_page(gather, &cx);
  sort_pages(cx.pages, cx.count);
  for (size_t lo = 0; lo < cx.count;) {
    size_t hi = lo;
    while (hi < cx.count && cx.pages[hi]->size_class == cx.pages[lo]->size_class) hi++;
    if (move_everything) move_class_to_fresh_pages(&cx, cx.pages + lo, hi - lo);
    else compact_class(&cx, cx.pages + lo, hi - lo);
    lo = hi;
  }
  pool_defer_purge(0);
  pool_purge(); /* one batch of madvise for everything emptied */
  size_t released = (size_t)(alaska_stat_pages_released - released_before) << ALASKA_PAGE_SHIFT;
  pthread_mutex_unlock(&alaska_heap_lock);
  os_unmap(cx.pages, scratch_bytes);
  RT_LEAVE();
  return released;
}
