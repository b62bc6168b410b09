/*
 * alloc.c — the public allocation API (halloc, hfree, hrealloc, ... , alaska_translate).
 *
 * Fast path of halloc: size-class lookup, pop the current page's local free list, pop an id
 * from the thread's id cache, write the slot->id map and the table entry. No locks, no
 * atomics. hfree validates the handle against its table entry and the slot->id map (which
 * catches double frees and garbage) before giving the block back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "os/os.h"

#define PIN_BIT ALASKA_PIN_BIT

/* alaska_size_class((i - 1) * 16 + 1 .. i * 16) for i = 0..64 (test_classes checks it). */
const uint8_t alaska_class_lut[65] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19};

/* ---- id cache ------------------------------------------------------------------------- */
/* (The window [id_lo, id_hi] and its edges: table.c.) */
/* A pop at id_lo with n ids left makes a new peak of this cache. Record it here unless the
 * slow path has more to do (refill, publish). */
static inline int id_new_peak(cache_t *c, uint32_t n) {
  int64_t live = c->id_base - n + 1;
  if (n == 0 || live > c->published + ALASKA_ID_PUBLISH_SLACK) return 0;
  __atomic_store_n(&c->handles_peak, live, __ATOMIC_RELAXED);
  c->id_lo = n - 1;
  return 1;
}
static inline uint32_t id_pop(cache_t *c) {
  uint32_t n = c->id_count;
  if (likely(n > c->id_lo) || id_new_peak(c, n)) {
    c->id_count = n - 1;
    return id_untag(c->ids[n - 1]);
  }
  return id_pop_slow(c);
}
static inline void id_push(cache_t *c, uint32_t id) {
  if (unlikely(id_tag(id) >= c->drain_tag)) return id_push_drained(c, id);
  if (unlikely(c->id_count >= c->id_hi)) id_push_slow(c);
  c->ids[c->id_count++] = id_tag(id);
}

/* ---- blocks ---------------------------------------------------------------------------- */
static inline block_t *small_block_alloc(cache_t *c, unsigned cls, page_t **pg_out) {
  page_t *pg = c->current[cls];
  block_t *b = pg->local_free;
  if (likely(b != NULL)) {
    pg->local_free = b->next;
    pg->used++;
    *pg_out = pg;
    return b;
  }
  return cache_alloc_block_slow(c, cls, pg_out);
}

/* Return a small block (its slot->id entry already cleared) to its page. */
static inline void small_block_free(cache_t *c, page_t *pg, block_t *b) {
  if (atomic_load_explicit(&pg->owner, memory_order_relaxed) == c) {
    b->next = pg->local_free;
    pg->local_free = b;
    pg->used--;
    /* Only a full page (back to the partial queue) or an empty one (back to the pool)
     * needs list work; a partial page just gained a block. */
    if (unlikely(pg->where != WHERE_CURRENT) && (pg->where == WHERE_FULL || pg->used == 0))
      cache_page_not_full(c, pg);
    return;
  }
  block_t *old = atomic_load_explicit(&pg->remote_free, memory_order_relaxed);
  do b->next = old;
  while (!atomic_compare_exchange_weak_explicit(&pg->remote_free, &old, b, memory_order_release,
                                                memory_order_relaxed));
  atomic_thread_fence(memory_order_seq_cst);
  if (unlikely(atomic_load_explicit(&pg->in_full, memory_order_relaxed))) {
    cache_t *owner = atomic_load_explicit(&pg->owner, memory_order_relaxed);
    if (owner) atomic_store_explicit(&owner->full_hint[pg->size_class], 1, memory_order_release);
  }
}

/* Allocate raw storage for `size` bytes aligned to `align` for handle `id`; records the id
 * in the slot->id map (or the large descriptor). Returns NULL when out of memory. */
static void *raw_alloc(cache_t *c, size_t size, size_t align, uint32_t id, size_t *usable) {
  if (size <= ALASKA_SMALL_MAX && align <= ALASKA_SMALL_ALIGN_MAX) {
    unsigned cls = alaska_size_class(size < align ? align : size);
    if (align > 16) /* every class is a multiple of 16 */
      while (cls < ALASKA_NUM_CLASSES && alaska_class_size(cls) % align != 0) cls++;
    if (cls < ALASKA_NUM_CLASSES) {
      page_t *pg;
      block_t *b = small_block_alloc(c, cls, &pg);
      if (!b) return NULL;
      slot_ids(pg)[slot_of(pg, (uintptr_t)b)] = id;
      *usable = pg->block_size;
      c->cls_alloc[cls]++;
      return b;
    }
  }
  void *p = large_alloc(size, align, id);
  if (p) {
    *usable = large_head(page_of(p))->large_size;
    c->large_alloc++;
    c->large_live_bytes += (int64_t)*usable;
  }
  return p;
}

/* The object a live handle refers to, validated; dies with a message on bad input. */
typedef struct resolved {
  uint32_t id;
  uintptr_t raw;  /* object start */
  page_t *pg;     /* small page, or large head */
  uint32_t slot;  /* small only */
} resolved_t;

ALASKA_COLD static void bad_pointer(const char *what, const void *p) {
  fflush(stdout); /* not in a signal handler: keep the program's output before dying */
  alaska_fatal("%s of invalid pointer %#lx (not a live Alaska object or system allocation)",
               what, (unsigned long)(uintptr_t)p);
}

ALASKA_COLD static void double_free(const void *h) {
  fflush(stdout);
  alaska_fatal("double free of handle %#lx", (unsigned long)(uintptr_t)h);
}

static inline void resolve(const void *h, resolved_t *r, const char *what) {
  uint32_t id = alaska_handle_id(h);
  if (unlikely(id == 0)) bad_pointer(what, h);
  uint64_t entry = *table_entry(id);
  /* poison, or 0 on a released table page (an issued id: see table.c) */
  if (unlikely(entry == ALASKA_POISON_BASE || (entry == 0 && id < id_issued_limit()))) {
    if (what[0] == 'f') double_free(h);
    fflush(stdout);
    alaska_fatal("%s of freed handle %#lx", what[0] == 'u' ? "use" : what,
                 (unsigned long)(uintptr_t)h);
  }
  uint64_t raw = alaska_entry_address(entry);
  if (unlikely(alaska_handle_offset(h) != 0 || !heap_contains((void *)raw))) bad_pointer(what, h);
  page_t *pg = page_of((void *)raw);
  r->id = id;
  r->raw = raw;
  if (likely(pg->kind == PAGE_SMALL)) {
    uint32_t slot = slot_of(pg, raw);
    if (unlikely((slot_ids(pg)[slot] & ~PIN_BIT) != id || !slot_aligned(pg, raw)))
      bad_pointer(what, h);
    r->pg = pg;
    r->slot = slot;
    return;
  }
  if (pg->kind == PAGE_LARGE_TAIL) pg = large_head(pg); /* alignment padding > 1 page */
  if (pg->kind == PAGE_LARGE && pg->large_id == id && page_start(pg) + pg->large_offset == raw) {
    r->pg = pg;
    r->slot = 0;
    return;
  }
  bad_pointer(what, h);
}

/* Free the storage of a resolved object (not its id). Returns its usable size. */
static inline size_t raw_free(cache_t *c, resolved_t *r) {
  page_t *pg = r->pg;
  if (likely(pg->kind == PAGE_SMALL)) {
    uint32_t *sid = &slot_ids(pg)[r->slot];
    if (unlikely(*sid & PIN_BIT)) {
      __atomic_fetch_sub(&pg->pinned, 1, __ATOMIC_RELAXED);
      *sid &= ~PIN_BIT;
    }
    size_t block_size = pg->block_size;
    c->cls_free[pg->size_class]++;
    small_block_free(c, pg, (block_t *)r->raw);
    return block_size;
  }
  size_t sz = pg->large_size;
  large_free(pg);
  c->large_free++;
  c->large_live_bytes -= (int64_t)sz;
  return sz;
}

static inline size_t resolved_usable(const resolved_t *r) {
  return r->pg->kind == PAGE_SMALL ? r->pg->block_size : r->pg->large_size;
}

/* ---- core entry points ---------------------------------------------------------------------- */
void *alaska_alloc_aligned(size_t size, size_t align, int zero) {
  if (unlikely(size >= ALASKA_MAX_HANDLE_OBJECT)) return huge_alloc(size, align, zero);
  cache_t *c = cache_get();
  int64_t peak_before = c->handles_peak;
  uint32_t id = id_pop(c);
  size_t usable;
  void *raw = raw_alloc(c, size, align, id, &usable);
  if (unlikely(!raw)) {
    *table_entry(id) = ALASKA_POISON_BASE;
    id_push(c, id);
    c->handles_peak = peak_before; /* the id never made a handle */
    id_window(c);
    errno = ENOMEM;
    return NULL;
  }
  if (zero) {
    page_t *pg = large_head(page_of(raw));
    if (pg->kind != PAGE_LARGE || pg->dirty) memset(raw, 0, size);
  }
  entry_set(id, (uint64_t)(uintptr_t)raw);
  return alaska_make_handle(id, 0);
}

/* halloc when the current page's list is empty or the id cache is: same steps, with refills. */
ALASKA_NOINLINE static void *halloc_slow(size_t size) {
  if (size > ALASKA_SMALL_MAX) return alaska_alloc_aligned(size, 1, 0);
  cache_t *c = cache_get();
  page_t *pg;
  unsigned cls = alaska_size_class(size);
  block_t *b = small_block_alloc(c, cls, &pg);
  if (unlikely(b == NULL)) {
    errno = ENOMEM;
    return NULL;
  }
  uint32_t id = id_pop(c);
  pg->ids[slot_of(pg, (uintptr_t)b)] = id;
  entry_set(id, (uint64_t)(uintptr_t)b);
  c->cls_alloc[cls]++;
  return alaska_make_handle(id, 0);
}

ALASKA_NOINLINE static void *halloc_slow_leave(size_t size) {
  void *h = halloc_slow(size);
  RT_LEAVE();
  return h;
}

void *halloc(size_t size) {
  RT_ENTER_FAST(depth);
  cache_t *c = alaska_tls_cache;
  unsigned cls;
  /* the table lookup first: the common sizes fall straight through */
  if (likely(size <= 1024)) cls = alaska_class_lut[(size + 15) >> 4];
  else if (size <= ALASKA_SMALL_MAX) cls = alaska_size_class_computed(size);
  else goto slow;
  if (likely(c != NULL)) {
    page_t *pg = c->current[cls];
    block_t *b = pg->local_free;
    uint32_t n = c->id_count;
    if (likely(b != NULL && (n > c->id_lo || id_new_peak(c, n)))) {
      block_t *next = b->next;
      pg->local_free = next;
      pg->used++;
      /* The next allocation of this class pops `next` and loads its link: in a page that
       * gathered random frees that line is cold (the load of b->next above is where this
       * path waits). Fetch it now, while the caller works. (Prefetching its slot->id entry
       * too cost more instructions than it saved.) */
      if (next != NULL) __builtin_prefetch(next, 1);
      uint32_t tag = c->ids[n - 1];
      c->id_count = n - 1;
      slot_ids(pg)[slot_of(pg, (uintptr_t)b)] = id_untag(tag);
      *tag_entry(tag) = alaska_entry_of((uint64_t)(uintptr_t)b);
      c->cls_alloc[cls]++;
      RT_LEAVE_FAST(depth);
      /* bit 31 of the tag is the handle bit */
      return (void *)(((uintptr_t)tag << 32) | ALASKA_HANDLE_BIAS);
    }
  }
slow:
  return halloc_slow_leave(size);
}

void *hcalloc(size_t nmemb, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(nmemb, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  RT_ENTER();
  void *h = alaska_alloc_aligned(total, 1, 1);
  RT_LEAVE();
  return h;
}

void alaska_free_handle(void *h, const char *what) {
  resolved_t r;
  resolve(h, &r, what);
  cache_t *c = cache_get();
  *table_entry(r.id) = ALASKA_POISON_BASE;
  raw_free(c, &r);
  id_push(c, r.id);
}

/* A non-NULL pointer with bit 63 clear: a raw address inside our heap, or a system one. */
static void free_plain(void *p) {
  if (heap_contains(p)) {
    uint32_t off;
    uint32_t id = alaska_handle_of_raw(p, &off);
    if (id == 0 || off != 0) bad_pointer("free", p);
    alaska_free_handle(alaska_make_handle(id, 0), "free");
    return;
  }
  if (!system_plausible_chunk(p)) bad_pointer("free", p);
  system_free(p);
}

/* Everything hfree's fast path does not handle; the caller already did RT_ENTER. */
ALASKA_NOINLINE static void hfree_slow_leave(void *p) {
  if (alaska_is_handle(p)) {
    cache_t *c = alaska_tls_cache;
    uint32_t id = alaska_handle_id(p);
    uint64_t raw = entry_address(id);
    /* A small object: its page is another thread's (remote free), full, or emptied. */
    if (c != NULL && alaska_handle_offset(p) == 0 && heap_contains((void *)raw)) {
      page_t *pg = page_of((void *)raw);
      /* (No slot->id load or store: see slot_live_id. Id 0's entry is poison, outside the
       * heap; a table entry always points at a slot start, which resolve() double-checks
       * on the other path. Pinned pages go there too: it keeps the page's pin count.) */
      if (pg->kind == PAGE_SMALL && pg->pinned == 0) {
        *table_entry(id) = ALASKA_POISON_BASE;
        c->cls_free[pg->size_class]++; /* before: pg may be reused once the block is out */
        small_block_free(c, pg, (block_t *)raw);
        id_push(c, id);
        RT_LEAVE();
        return;
      }
    }
    alaska_free_handle(p, "free");
  } else if (p != NULL) {
    free_plain(p);
  }
  RT_LEAVE();
}

void hfree(void *p) {
  RT_ENTER_FAST(depth);
  cache_t *c = alaska_tls_cache;
  if (likely(alaska_is_handle(p) && alaska_handle_offset(p) == 0 && c != NULL)) {
    uint32_t tag = (uint32_t)((uintptr_t)p >> 32); /* = id_tag(id) */
    uint64_t raw = alaska_entry_address(*tag_entry(tag));
    /* heap_contains/page_of on the cache's copy of the geometry (no GOT loads); poison,
     * id 0 and never-issued entries name addresses outside the heap (region.c) */
    uint64_t off = raw - c->heap_base;
    if (likely(off < c->heap_reserve)) {
      page_t *pg = &c->pages[off >> ALASKA_PAGE_SHIFT];
      uint32_t n = c->id_count;
      /* Fast path: an unpinned object in a page of ours (owner == c only for a cache's
       * small pages) that stays on its list (current or partial, and keeps a live block:
       * a partial page whose last block goes returns to the pool), room in the id window,
       * an id below the drain line (table.c). */
      if (likely(atomic_load_explicit(&pg->owner, memory_order_relaxed) == c &&
                 pg->pinned == 0 && pg->where != WHERE_FULL && pg->used > 1 &&
                 n < c->id_hi && tag < c->drain_tag)) {
        *tag_entry(tag) = ALASKA_POISON_BASE;
        block_t *b = (block_t *)(uintptr_t)raw;
        b->next = pg->local_free;
        pg->local_free = b;
        pg->used--;
        c->ids[n] = tag;
        c->id_count = n + 1;
        c->cls_free[pg->size_class]++;
        RT_LEAVE_FAST(depth); /* the rare poll becomes a tail call */
        return;
      }
    }
  }
  hfree_slow_leave(p);
}

static void *realloc_handle(void *h, size_t size) {
  resolved_t r;
  resolve(h, &r, "realloc");
  size_t old = resolved_usable(&r);
  if (size <= old && (size >= old / 2 || old <= 64)) return h;
  if (size >= ALASKA_MAX_HANDLE_OBJECT) { /* grows past what a handle addresses */
    void *big = huge_alloc(size, 1, 0);
    if (!big) return NULL;
    memcpy(big, (void *)r.raw, old);
    alaska_free_handle(h, "realloc");
    return big;
  }
  cache_t *c = cache_get();
  size_t usable;
  void *raw = raw_alloc(c, size, 1, r.id, &usable);
  if (!raw) {
    errno = ENOMEM;
    return NULL;
  }
  memcpy(raw, (void *)r.raw, size < old ? size : old);
  entry_set(r.id, (uint64_t)(uintptr_t)raw);
  raw_free(c, &r);
  c->realloc_moves++; /* raw_alloc/raw_free counted it as an allocation and a free */
  return h; /* the handle (and its id) survive; only the table entry changed */
}

void *hrealloc(void *p, size_t size) {
  if (p == NULL) return halloc(size);
  RT_ENTER();
  void *result;
  if (!alaska_is_handle(p)) {
    if (heap_contains(p)) {
      uint32_t off;
      uint32_t id = alaska_handle_of_raw(p, &off);
      if (id == 0 || off != 0) bad_pointer("realloc", p);
      p = alaska_make_handle(id, 0);
    } else {
      if (!system_plausible_chunk(p)) bad_pointer("realloc", p);
      result = system_realloc(p, size);
      RT_LEAVE();
      return result;
    }
  }
  if (size == 0) { /* like glibc: realloc(p, 0) frees p */
    alaska_free_handle(p, "realloc");
    result = NULL;
  } else {
    result = realloc_handle(p, size);
  }
  RT_LEAVE();
  return result;
}

void *alaska_reallocarray(void *p, size_t nmemb, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(nmemb, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return hrealloc(p, total);
}

size_t alaska_usable_size(void *p) {
  if (p == NULL) return 0;
  RT_ENTER();
  size_t n;
  if (alaska_is_handle(p) || heap_contains(p)) {
    int64_t off = alaska_handle_offset(p);
    if (!alaska_is_handle(p)) {
      uint32_t raw_off;
      uint32_t id = alaska_handle_of_raw(p, &raw_off);
      off = raw_off;
      if (id == 0) bad_pointer("malloc_usable_size", p);
      p = alaska_make_handle(id, 0);
    } else {
      p = alaska_make_handle(alaska_handle_id(p), 0);
    }
    resolved_t r;
    resolve(p, &r, "malloc_usable_size");
    n = resolved_usable(&r);
    n = off >= 0 && (uint64_t)off < n ? n - (size_t)off : 0;
  } else {
    n = system_usable_size(p);
  }
  RT_LEAVE();
  return n;
}

ALASKA_COLD static void *translate_bad(void *p, uint64_t raw) {
  if (raw == 0 && alaska_handle_id(p) >= id_issued_limit())
    alaska_fatal("use of a handle that was never allocated %#lx", (unsigned long)(uintptr_t)p);
  alaska_fatal("use of freed handle %#lx", (unsigned long)(uintptr_t)p);
  return NULL;
}

void *alaska_translate(void *p) {
  if (!alaska_is_handle(p)) return p;
  uint64_t entry = *table_entry(alaska_handle_id(p));
  /* entry is 0 (never issued, or its table page released) or the poison value iff no bit
   * but bit 35 is set; a tail call keeps the fast path frameless */
  if (unlikely((entry & ~ALASKA_POISON_BASE) == 0)) return translate_bad(p, entry);
  return (void *)(uintptr_t)(entry + ((uintptr_t)p & ALASKA_OFFSET_MASK));
}

/* ---- strings, alignment, C++ ------------------------------------------------------------- */
char *alaska_strdup(const char *s) { return alaska_strndup(s, (size_t)-1); }

char *alaska_strndup(const char *s, size_t n) {
  RT_ENTER(); /* no barrier between the translations and the copy */
  size_t len = strnlen(alaska_translate((void *)s), n);
  char *h = halloc(len + 1);
  if (h) {
    char *dst = alaska_translate(h);
    memcpy(dst, alaska_translate((void *)s), len);
    dst[len] = 0;
  }
  RT_LEAVE();
  return h;
}

static int valid_alignment(size_t align) { return align != 0 && (align & (align - 1)) == 0; }

int alaska_posix_memalign(void **out, size_t align, size_t size) {
  if (!valid_alignment(align) || align < sizeof(void *)) return EINVAL;
  int saved = errno;
  RT_ENTER();
  void *h = alaska_alloc_aligned(size, align, 0);
  if (h) *(void **)alaska_translate(out) = h;
  RT_LEAVE();
  if (!h) return ENOMEM;
  errno = saved;
  return 0;
}

void *alaska_aligned_alloc(size_t align, size_t size) {
  if (!valid_alignment(align)) {
    errno = EINVAL;
    return NULL;
  }
  RT_ENTER();
  void *h = alaska_alloc_aligned(size, align, 0);
  RT_LEAVE();
  return h;
}

void *alaska_memalign(size_t align, size_t size) {
  /* glibc rounds a non-power-of-two alignment up */
  size_t a = 1;
  while (a < align) a <<= 1;
  return alaska_aligned_alloc(a, size);
}

void *alaska_new_nothrow(size_t size) { return halloc(size ? size : 1); }

void *alaska_new(size_t size) {
  void *h = halloc(size ? size : 1);
  if (!h) alaska_fatal("out of memory in operator new");
  return h;
}

void *alaska_new_aligned_nothrow(size_t size, size_t align) {
  return alaska_aligned_alloc(align, size ? size : 1);
}

void *alaska_new_aligned(size_t size, size_t align) {
  void *h = alaska_new_aligned_nothrow(size, align);
  if (!h) alaska_fatal("out of memory in operator new");
  return h;
}

void alaska_pin_forever(void *p) {
  if (p == NULL) return;
  RT_ENTER();
  uint32_t id = 0, off;
  if (alaska_is_handle(p)) id = alaska_handle_id(p);
  else if (heap_contains(p)) id = alaska_handle_of_raw(p, &off);
  if (id != 0) {
    resolved_t r;
    resolve(alaska_make_handle(id, 0), &r, "use");
    if (r.pg->kind == PAGE_SMALL) {
      uint32_t *sid = &slot_ids(r.pg)[r.slot];
      if (!(*sid & PIN_BIT)) {
        *sid |= PIN_BIT;
        __atomic_fetch_add(&r.pg->pinned, 1, __ATOMIC_RELAXED);
      }
    } else {
      r.pg->pinned = 1;
    }
  }
  RT_LEAVE();
}

/* ---- raw address -> handle -------------------------------------------------------------------- */
int alaska_heap_contains(const void *raw) { return heap_contains(raw); }

uint32_t alaska_handle_of_raw(const void *raw, uint32_t *offset_out) {
  if (!heap_contains(raw)) return 0;
  page_t *pg = page_of(raw);
  uintptr_t a = (uintptr_t)raw;
  if (pg->kind == PAGE_SMALL) {
    uint32_t slot = slot_of(pg, a);
    if (slot >= pg->capacity) return 0;
    uint32_t id = slot_live_id(pg, slot);
    if (id && offset_out) *offset_out = (uint32_t)(a - slot_addr(pg, slot));
    return id;
  }
  if (pg->kind == PAGE_LARGE || pg->kind == PAGE_LARGE_TAIL) {
    page_t *head = large_head(pg);
    uintptr_t start = page_start(head) + head->large_offset;
    if (a < start || a - start >= head->large_size) return 0;
    if (offset_out) *offset_out = (uint32_t)(a - start);
    return head->large_id;
  }
  return 0;
}

int alaska_is_pinned_forever(uint32_t id) {
  uint64_t raw = entry_address(id);
  if (!heap_contains((void *)raw)) return 0;
  page_t *pg = large_head(page_of((void *)raw));
  if (pg->kind == PAGE_SMALL) return (slot_ids(pg)[slot_of(pg, raw)] & PIN_BIT) != 0;
  return pg->kind == PAGE_LARGE && pg->pinned;
}
