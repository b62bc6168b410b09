/*
 * internal.h — the Alaska runtime's core types and cross-file declarations.
 *
 * Glossary (one file per concern, mimalloc-style):
 *   handle    bit 63 | 31-bit id | 32-bit biased offset (include/alaska/abi.h). Never changes
 *             while the object lives; only its table entry does when the object moves.
 *   entry     8-byte word of the handle table at ALASKA_TABLE_BASE + id * 8: poison (free or
 *             never issued) or alaska_entry_of(the object's current address). Written only
 *             by allocation, free, realloc and a move (world stopped, or a release store).
 *   id        index into the handle table. Handed out from per-thread caches (`id_cache`)
 *             refilled from a global bump counter in batches; freed ids go back to the
 *             freeing thread's cache and overflow to a global list of `id_block`s. Id
 *             free lists live out of band (never in the table).            -> table.c
 *   page      ALASKA_PAGE_SIZE (64 KiB) piece of the heap region, described by a `page_t`
 *             in a parallel descriptor array. A small page holds blocks of one size class;
 *             a large object occupies a `span` of whole pages.  -> region.c, page.c
 *   block     a small page's unit of allocation, block_size bytes; a free one holds a
 *             block_t link (local_free or remote_free list), a used one an object.
 *   slot      the index of a block in its page. `slot_ids(page)[i]` is the id last allocated
 *             in slot i (0: never); hfree leaves it, so slot i is live iff that id's entry
 *             points back at it (slot_live_id). Compaction and raw-address lookups find an
 *             object's handle from its address through it.              -> slotmap.c
 *   class     size class: multiples of 16 up to 128, then 4 per doubling up to 32 KiB.
 *             Blocks of power-of-two classes are naturally aligned (pages are 64 KiB
 *             aligned), which is what posix_memalign & co. map onto.       -> internal.h
 *   cache     per-thread allocation state (`cache_t`): one current page per class, lists of
 *             owned pages, the id cache and sharded statistics. Pages an exiting thread
 *             still holds are abandoned to the global heap and adopted by others. -> cache.c
 *   span      run of contiguous pages: a large object (> 32 KiB), or free pages in the
 *             global pool (enum span_state: dirty = still committed, clean = madvised
 *             away, releasing = being madvised).                        -> pool.c/large.c
 *   pin       an object that must not move: named by a pin slot of a stopped thread's pin
 *             frame (the barrier's pinned set, mover/pinset.c), or pin_forever (ALASKA_PIN_BIT
 *             in its slot entry, page_t::pinned counts them).
 *   barrier   stop-the-world over the registered threads (mover/barrier.c); the heap's
 *             compaction moves objects only under one (alaska_heap_compact_stopped).
 *   os        every mmap/madvise/mprotect goes through os/os.h.         -> os/os.c
 *
 * Concurrency: the owner thread touches a page's local free list and counters without
 * atomics; other threads push freed blocks on the page's atomic `remote_free` stack. Global
 * structures (page pool, abandoned pages, cache registry) are protected by `alaska_heap_lock`;
 * id overflow blocks by their own lock. `alaska_rt_depth` > 0 while a thread is inside the
 * runtime: the barrier refuses to stop such a thread.
 */
#ifndef ALASKA_RUNTIME_INTERNAL_H
#define ALASKA_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "alaska.h"
#include "alaska/abi.h"
#include "heap/list.h"
#include "mover/safepoint.h"
#include "os/defs.h"

/* ---- geometry ------------------------------------------------------------------------ */
#define ALASKA_PAGE_SHIFT 16
#define ALASKA_PAGE_SIZE (1UL << ALASKA_PAGE_SHIFT)          /* 64 KiB */
#define ALASKA_MIN_BLOCK 16
#define ALASKA_SLOTS_PER_PAGE_MAX (ALASKA_PAGE_SIZE / ALASKA_MIN_BLOCK) /* 4096 */
/* Reserved (not committed) virtual size of the heap region: 1 TiB, or less when the address
 * space is limited (ulimit -v, valgrind): quartered down to ALASKA_HEAP_RESERVE_MIN. */
#define ALASKA_HEAP_RESERVE_MAX (1ULL << 40)
#define ALASKA_HEAP_RESERVE_MIN (1ULL << 32)
#define ALASKA_SMALL_MAX 32768UL /* larger objects are spans of whole pages */
/* Largest alignment a small class serves (a larger one takes a span of whole pages). */
#define ALASKA_SMALL_ALIGN_MAX 4096UL
/* Fresh slots are carved onto the free list one OS page at a time (first touch). */
#define ALASKA_CARVE_BYTES ALASKA_OS_PAGE_SIZE

/* ---- size classes ---------------------------------------------------------------------- */
/* 16..128 step 16 (classes 0..7), then 4 classes per doubling: 160 192 224 256 320 ... 32768. */
#define ALASKA_NUM_CLASSES 40

#ifdef ALASKA_RUNTIME_BUILD
/* Class of (size + 15) / 16 for sizes up to 1024 (alloc.c). */
extern const uint8_t alaska_class_lut[65] ALASKA_HIDDEN;
#endif
static inline unsigned alaska_size_class_computed(size_t size) {
  if (size <= 128) return size == 0 ? 0 : (unsigned)((size - 1) >> 4);
  size_t w = size - 1;
  unsigned b = 63u - (unsigned)__builtin_clzl(w); /* 2^b <= w < 2^(b+1), b >= 7 */
  return 8u + 4u * (b - 7u) + (unsigned)((w >> (b - 2u)) & 3u);
}
static inline unsigned alaska_size_class(size_t size) {
#ifdef ALASKA_RUNTIME_BUILD
  if (size <= 1024) return alaska_class_lut[(size + 15) >> 4];
#endif
  return alaska_size_class_computed(size);
}

static inline size_t alaska_class_size(unsigned cls) {
  if (cls < 8) return (size_t)(cls + 1) * 16;
  unsigned b = 7u + (cls - 8u) / 4u, q = (cls - 8u) % 4u;
  return ((size_t)1 << b) + (size_t)(q + 1) * ((size_t)1 << (b - 2u));
}

/* ---- pages ------------------------------------------------------------------------------ */
typedef struct block { struct block *next; } block_t; /* a free block's first word */

enum page_kind {
  PAGE_UNUSED = 0,  /* beyond the pool's bump pointer, never handed out */
  PAGE_FREE,        /* head of a free span in the pool (span_pages, dirty) */
  PAGE_FREE_TAIL,   /* non-head page of a free span (span_head) */
  PAGE_SMALL,       /* holds blocks of one size class */
  PAGE_LARGE,       /* head page of a large object */
  PAGE_LARGE_TAIL,  /* non-head page of a large object (span_head) */
};

enum span_state { /* page_t::dirty of a free span's head */
  SPAN_CLEAN = 0,     /* madvised away: reads as zeros, costs no memory */
  SPAN_DIRTY = 1,     /* still committed, may hold old data: reused first */
  SPAN_RELEASING = 2, /* being madvised without the heap lock: in no bin (pool.c) */
};

enum page_where { /* which list a small page is on */
  WHERE_NONE = 0,
  WHERE_CURRENT,   /* a cache's current page of its class */
  WHERE_PARTIAL,   /* a cache's list of pages with (maybe) free blocks */
  WHERE_FULL,      /* a cache's list of full pages */
  WHERE_ABANDONED, /* global list: owner thread exited */
};

struct cache;

typedef struct page {
  /* --- first cache line: the owner's fast path (no atomics) --- */
  block_t *local_free;      /* thread-private free list */
  uintptr_t start;          /* address of the page (cached: no index arithmetic) */
  uint32_t *ids;            /* slot->id map of the page */
  _Atomic(struct cache *) owner;      /* set only while a cache holds this small page
                                         (current/partial/full); NULL otherwise: hfree
                                         relies on owner == c meaning PAGE_SMALL */
  uint32_t used;            /* live blocks, minus remote frees not yet collected */
  uint32_t bump;            /* slots carved so far (fresh pages are carved lazily) */
  uint32_t capacity;        /* slots in the page */
  uint32_t block_size;
  uint32_t div_magic;       /* slot index = (offset * div_magic) >> 32 */
  uint8_t size_class;
  uint8_t kind;             /* enum page_kind */
  uint8_t where;            /* enum page_where */
  uint8_t dirty;            /* enum span_state: free span: committed or not; in use:
                               nonzero = may hold old data (calloc must clear it) */
  uint32_t pinned;          /* objects in this page marked pin_forever */
  uint32_t ids_bytes;       /* size of the slot->id map `ids` points at (0: none yet) */
  /* --- second cache line: written by other threads, and list/span bookkeeping --- */
  _Alignas(64) _Atomic(block_t *) remote_free; /* blocks freed by other threads */
  _Atomic(uint8_t) in_full;           /* on its owner's full list (remote free sets hint) */
  uint8_t large_overaligned;          /* PAGE_LARGE: alignment > a page; never moved */
  struct page *next, *prev;           /* links of the list `where` says */
  uint64_t span_pages;      /* PAGE_FREE / PAGE_LARGE: pages in the span */
  uint64_t span_head;       /* *_TAIL: index of the head page */
  uint32_t large_id;        /* handle id of the large object */
  uint32_t large_offset;    /* object start - span start (alignment padding) */
  uint64_t large_size;      /* usable bytes of the large object */
} page_t;

ALASKA_LIST_DEFINE(page_list, page_t) /* page_list_t: see heap/list.h */

/* Layouts the design relies on (docs/design.md §3): a descriptor is two cache lines, the
 * owner's fast-path fields in the first, what other threads write in the second. */
_Static_assert(sizeof(page_t) == 128, "page_t is two cache lines");
_Static_assert(offsetof(page_t, remote_free) == 64, "remote_free starts the second line");
_Static_assert(ALASKA_SMALL_MAX <= ALASKA_PAGE_SIZE / 2, "a small page holds two blocks");
_Static_assert(ALASKA_SMALL_ALIGN_MAX <= ALASKA_PAGE_SIZE, "pages align small blocks");

/* The entry of an id holds poison (freed/never issued) or alaska_entry_of(the object's
 * address): read addresses with entry_address, write them with entry_set. */
_Static_assert(sizeof(uint64_t) == 8, "a table entry is 8 bytes (tag * 8 addresses it)");
static inline uint64_t *table_entry(uint32_t id) {
  return (uint64_t *)(uintptr_t)(ALASKA_TABLE_BASE + (uint64_t)id * 8);
}
static inline uint64_t entry_address(uint32_t id) { return alaska_entry_address(*table_entry(id)); }
static inline void entry_set(uint32_t id, uint64_t address) {
  *table_entry(id) = alaska_entry_of(address);
}

extern uintptr_t alaska_heap_base;     /* 64 KiB aligned start of the heap region */
extern uint64_t alaska_heap_reserve;   /* bytes reserved for the heap region */
extern uint64_t alaska_heap_pages;     /* alaska_heap_reserve / ALASKA_PAGE_SIZE */
extern page_t *alaska_pages;           /* descriptor array, alaska_heap_pages entries */
/* (No hidden aliases for these: a test executable that reads them gets a copy relocation,
 * and a hidden alias inside the library would then read a different copy.) */
#define HEAP_BASE alaska_heap_base
#define HEAP_RESERVE alaska_heap_reserve
#define HEAP_PAGES alaska_pages
extern page_t alaska_empty_page;       /* sentinel current page: never has free blocks */

static inline int heap_contains(const void *raw) {
  return (uintptr_t)raw - HEAP_BASE < HEAP_RESERVE;
}
static inline size_t page_index_of(const void *raw) {
  return ((uintptr_t)raw - HEAP_BASE) >> ALASKA_PAGE_SHIFT;
}
static inline page_t *page_of(const void *raw) { return &HEAP_PAGES[page_index_of(raw)]; }
static inline size_t page_index(const page_t *pg) { return (size_t)(pg - HEAP_PAGES); }
static inline uintptr_t page_start(const page_t *pg) {
  return HEAP_BASE + (page_index(pg) << ALASKA_PAGE_SHIFT);
}
/* Small pages only (fields set by page_init_small). */
static inline uint32_t *slot_ids(const page_t *pg) { return pg->ids; }
static inline uint32_t slot_of(const page_t *pg, uintptr_t raw) {
  return (uint32_t)(((uint64_t)(raw - pg->start) * pg->div_magic) >> 32);
}
/* Is raw the first byte of a slot? (offset * magic has a small low half exactly for
 * multiples of block_size: offsets < 2^16 and block sizes <= 2^15.) */
static inline int slot_aligned(const page_t *pg, uintptr_t raw) {
  return (uint32_t)((uint64_t)(raw - pg->start) * pg->div_magic) < pg->div_magic;
}
static inline uintptr_t slot_addr(const page_t *pg, uint32_t slot) {
  return pg->start + (uintptr_t)slot * pg->block_size;
}

/* The slot->id map is written on allocation (and move) only; hfree does not clear it, to keep
 * a cache miss off the free path. A slot is live iff the id it names points back at it:
 * a freed id holds poison, a reused id points elsewhere, and a page is re-laid-out for
 * another size class only once it is empty. Bit 31 of an entry marks pin_forever. */
#define ALASKA_PIN_BIT 0x80000000u
static inline uint32_t slot_live_id(const page_t *pg, uint32_t slot) {
  uint32_t id = pg->ids[slot] & ~ALASKA_PIN_BIT;
  if (id == 0 || entry_address(id) != (uint64_t)slot_addr(pg, slot)) return 0;
  return id;
}

/* region.c: the heap's reservation (init.c calls it once) */
void heap_region_init(void);
void heap_region_in_use(size_t pages) ALASKA_HIDDEN; /* pages [0, pages) handed out */

/* pool.c: the global page pool (callers hold alaska_heap_lock) */
page_t *pool_alloc_span(size_t npages);        /* committed-on-touch, kind set by caller */
void pool_free_span(page_t *head);            /* keeps it dirty; purges above the limit */
void pool_purge(void);                        /* madvise every dirty free span away */
void pool_defer_purge(int defer);             /* hold purges back (one batch later) */
size_t pool_pages_in_use(void);               /* pages ever handed out (pool bump) */
extern size_t pool_bump ALASKA_HIDDEN;        /* (the variable: for heap/debug.c) */
size_t pool_release_dirty(void);              /* pool_purge without the lock held */
/* The committed-bytes notification (heap.h, alaska_heap_on_committed): pool_alloc_span sets
 * the flag under alaska_heap_lock; page takers call pool_growth_poll() after unlocking. */
extern _Atomic int pool_growth_pending ALASKA_HIDDEN;
void pool_growth_fire(void) ALASKA_HIDDEN;
static inline void pool_growth_poll(void) {
  if (__builtin_expect(atomic_load_explicit(&pool_growth_pending, memory_order_relaxed), 0))
    pool_growth_fire();
}

/* slotmap.c: slot->id maps, 2^(IDS_MIN_SHIFT + bin) bytes each (callers hold the heap lock) */
#define IDS_MIN_SHIFT 6
#define IDS_BINS 9 /* 64 B .. 16 KiB */
#define IDS_MAX_BYTES (1u << (IDS_MIN_SHIFT + IDS_BINS - 1))
/* Maps this big start on an OS page (smaller ones on their own size), so that a purge can
 * hand maps of at least IDS_RELEASE_MIN bytes back to the OS whole. */
#define IDS_ALIGN_MAX ALASKA_OS_PAGE_SIZE
#define IDS_RELEASE_MIN ALASKA_OS_PAGE_SIZE
_Static_assert(IDS_RELEASE_MIN >= IDS_ALIGN_MAX && IDS_ALIGN_MAX == ALASKA_OS_PAGE_SIZE,
               "released maps cover whole OS pages");
unsigned ids_bin(uint32_t bytes) ALASKA_HIDDEN;  /* smallest bin holding `bytes` */
uint32_t *ids_alloc(unsigned bin) ALASKA_HIDDEN;
void ids_map_release(page_t *pg);             /* give a free page's slot map back */
/* The same after the caller gave the map's OS pages back itself. */
void ids_map_release_released(page_t *pg) ALASKA_HIDDEN;
/* Once more than 1 MiB of small maps is free: give back the OS pages of the map chunks that
 * hold no map of page descriptors [0, npages). Returns the bytes given back. */
size_t ids_trim(size_t npages) ALASKA_HIDDEN;

/* page.c: operations on one small page (its owner, or the heap lock held) */
void page_init_small(page_t *pg, unsigned cls);
size_t page_collect_remote(page_t *pg);        /* owner: move remote frees to local list */
int page_carve(page_t *pg);
int page_has_free(page_t *pg);
block_t *take_block(page_t *pg);                 /* pops a free block; page must have one */

/* ---- handle table ----------------------------------------------------------------------- */
/* The id cache stores ids with bit 31 set, i.e. the high word of the id's handle: then the
 * handle is tag << 32 and the table entry is at tag * 8 (bit 31 * 8 = 2^34, the table
 * base), which saves the fast paths their masking. */
#define ALASKA_ID_TAG 0x80000000u
static inline uint32_t id_tag(uint32_t id) { return id | ALASKA_ID_TAG; }
static inline uint32_t id_untag(uint32_t tag) { return tag & ~ALASKA_ID_TAG; }
static inline uint64_t *tag_entry(uint32_t tag) { return (uint64_t *)((uintptr_t)tag << 3); }

#define ALASKA_ID_CACHE 1024
#define ALASKA_ID_BATCH 512 /* ids per bump batch = one OS page of table entries */
/* A cache publishes its live-handle count into the global sum when it drifts this far
 * from what it last published (so the global peak is within this much per cache). */
#define ALASKA_ID_PUBLISH_SLACK 256
/* Freed ids above the drain line are buffered this many at a time for the pool. */
#define ALASKA_ID_DRAINED 64
/* cache_t.handles_peak of a cache that stopped tracking its peak (table.c): larger than any
 * count, and adding a few does not overflow */
#define ALASKA_PEAK_UNTRACKED (INT64_MAX / 2)
_Static_assert(ALASKA_ID_BATCH * 8 == ALASKA_OS_PAGE_SIZE, "an id batch is one table page");

void table_init(void);
void table_lock_for_fork(int lock);            /* fork: hold the id lock across it */
uint32_t id_pop_slow(struct cache *c);          /* id_pop at the window's low edge */
void id_push_slow(struct cache *c);             /* make room for one push at the high edge */
void id_window(struct cache *c);                /* recompute id_lo/id_hi */
void id_spill(struct cache *c, uint32_t keep); /* move ids above `keep` to the id pool */
void id_push_drained(struct cache *c, uint32_t id); /* a freed id at/above c->drain_tag */
uint32_t id_drain_tag_now(void) ALASKA_HIDDEN;  /* the current drain line's tag */
int table_low_guard_contains(uintptr_t a) ALASKA_HIDDEN; /* where released entries point */
extern uint64_t alaska_table_pages_released ALASKA_HIDDEN; /* table pages released now */
uint64_t table_resident_bytes(void) ALASKA_HIDDEN; /* resident table memory (smaps) */
uint64_t ids_resident_bytes(void) ALASKA_HIDDEN; /* slot map chunks (mincore; heap lock held) */
uint64_t id_handles_peak(void);                /* handles_peak: see table.c */
uint64_t id_issued_limit(void);                /* ids < this have been issued to caches */
extern _Atomic uint64_t id_bump ALASKA_HIDDEN;  /* (the variable: for heap/debug.c) */
extern _Atomic int64_t handles_published_peak ALASKA_HIDDEN; /* (for heap/debug.c) */

/* ---- thread caches ---------------------------------------------------------------------- */
typedef struct cache {
  /* Heap geometry copied when the cache is set up (fixed after start-up): hfree's fast
   * path reads it from this hot line instead of three exported globals through the GOT. */
  uintptr_t heap_base;
  uint64_t heap_reserve;
  page_t *pages;
  /* The id stack's window: the fast paths pop while id_count > id_lo and push while
   * id_count < id_hi; at an edge the slow path records a new peak or publishes the live
   * count (table.c keeps both in step with id_base, handles_peak and published). */
  uint32_t id_count;
  uint32_t id_lo, id_hi;
  uint32_t drain_tag;                          /* ids with id_tag(id) >= this drain to the
                                                  pool, not this stack (table.c); copied
                                                  from id_drain_tag at slow paths */
  page_t *current[ALASKA_NUM_CLASSES];         /* never NULL: &alaska_empty_page */
  page_list_t partial[ALASKA_NUM_CLASSES];     /* owned pages with free blocks, FIFO: the
                                                  longest-waiting page has gathered most */
  page_list_t full[ALASKA_NUM_CLASSES];        /* owned pages without free blocks */
  _Atomic(uint8_t) full_hint[ALASKA_NUM_CLASSES]; /* a remote free hit a full page */
  uint32_t ids[ALASKA_ID_CACHE];               /* thread-local free ids (a stack), each
                                                  stored as id_tag(id): see below */
  /* Statistics, owner-written, summed by readers (benign races on aligned words; stats.c).
   * Small objects are counted per class, one increment per fast path (live bytes = sum of
   * (alloc - free) * class size); large objects by count and bytes. A moving hrealloc
   * counts an allocation and a free there, and once in realloc_moves, which readers
   * subtract so that halloc/hfree count calls. */
  uint64_t cls_alloc[ALASKA_NUM_CLASSES];
  uint64_t cls_free[ALASKA_NUM_CLASSES];
  uint64_t large_alloc, large_free, realloc_moves;
  int64_t large_live_bytes;
  /* Handle ids: live here = id_base - id_count (ids taken from the global pool minus those
   * given back, less those on the stack; negative when this thread frees others' handles).
   * handles_peak is the maximum of that; published the value last added to the global sum. */
  int64_t id_base, handles_peak, published;
  uint32_t drained_count;                      /* freed ids waiting for the pool: */
  uint32_t drained[ALASKA_ID_DRAINED];         /* ids at or above drain_tag */
  struct cache *next_all;                      /* registry of every cache ever made */
  struct cache *next_retired;                  /* free caches waiting for a new thread */
  int alive;
} cache_t;

extern __thread cache_t *alaska_tls_cache ALASKA_TLS_IE;
extern pthread_mutex_t alaska_heap_lock;
extern cache_t *alaska_all_caches;              /* registry, under alaska_heap_lock */

void cache_module_init(void);                   /* the thread-exit key (init.c) */
cache_t *cache_get_slow(void);                  /* create (and init the runtime) */
static inline cache_t *cache_get(void) {
  cache_t *c = alaska_tls_cache;
  return likely(c != NULL) ? c : cache_get_slow();
}
block_t *cache_alloc_block_slow(cache_t *c, unsigned cls, page_t **pg_out);
void cache_page_became_empty(cache_t *c, page_t *pg);
void cache_page_not_full(cache_t *c, page_t *pg);
void cache_thread_exit(cache_t *c);
void cache_for_each_page(void (*fn)(page_t *pg, cache_t *owner, void *ctx), void *ctx);
page_list_t *cache_abandoned_list(unsigned cls);
void cache_detach_page(page_t *pg);
void cache_unfull_page(page_t *pg);

/* ---- large objects (large.c) ------------------------------------------------------------- */
void *large_alloc(size_t size, size_t align, uint32_t id);
void large_free(page_t *head);
void *huge_alloc(size_t size, size_t align, int zero); /* >= 2 GiB: a raw system allocation */
/* Stress mode: move every unpinned large object (world stopped, heap lock held). */
size_t large_move_all(size_t budget, int (*is_pinned)(uint32_t id, void *ctx), void *ctx);
static inline page_t *large_head(page_t *pg) {
  return pg->kind == PAGE_LARGE_TAIL ? &HEAP_PAGES[pg->span_head] : pg;
}

/* ---- allocation core (alloc.c) ------------------------------------------------------------- */
void *alaska_alloc_aligned(size_t size, size_t align, int zero);
void alaska_free_handle(void *h, const char *what);

/* ---- start-up (init.c) ------------------------------------------------------------------- */
/* The heap's one call up: the first allocation may come before the runtime's constructor. */
void alaska_init(void);
extern uint64_t alaska_max_handles; /* table.c: ALASKA_MAX_HANDLES (testing knob), default 2^31-1 */

#endif /* ALASKA_RUNTIME_INTERNAL_H */
