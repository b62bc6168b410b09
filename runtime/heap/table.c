/*
 * table.c — the handle table at ALASKA_TABLE_BASE and handle-id allocation.
 *
 * Ids are issued by a global bump counter one table page (ALASKA_ID_BATCH = 512 ids) at a
 * time, the page poisoned when issued, so every issued-but-free entry reads as poison. Each
 * thread keeps freed ids in its cache (`cache_t.ids`, a plain stack: no atomics); when that
 * overflows, half of it goes back to the global id pool. Id lists never live in the table
 * itself: a freed entry holds only the poison value, so a double free is recognised instead
 * of corrupting a list. Id 0 is never issued.
 *
 * Table memory follows the live handles (docs/design.md §3, "The handle table"):
 * - The pool keeps, per table page, a bitmap of its free ids, and hands out the lowest free
 *   ids first, so after a peak the live ids gather at the bottom and the pages above empty.
 * - A page whose 512 ids are all in the pool is released (MADV_DONTNEED): its entries read
 *   0 from then on, which translates to the low guard range [2 GiB, 4 GiB) (PROT_NONE, see
 *   low_guard_init) and which resolve()/alaska_translate report as a freed handle for ids
 *   below id_bump. Nobody writes the entry of a free id, so no barrier is needed. It is
 *   re-poisoned when its ids are handed out again. Released at once above the drain line,
 *   below it only while the pool holds more unreleased free ids than a slack of 1/16 of
 *   the held ids (so steady churn does not madvise and re-fault pages).
 * - Draining: when more ids are issued (unreleased) than the held ones need (held + 1/16 +
 *   two pages, hysteresis 1/16), ids from the drain line up are not kept in thread caches:
 *   each cache copies id_drain_tag at its slow paths, hfree's fast path leaves ids at or
 *   above it to the slow path, which buffers them (cache_t.drained) for the pool, and a
 *   cache whose tag was lowered moves such ids off its stack. Without this a thread that
 *   frees and allocates would rebind the same scattered ids forever.
 *
 * handles_peak without a cost on the fast paths: a cache's live count is id_base - id_count,
 * so its running maximum only grows when a pop takes id_count below the lowest it reached
 * since id_base last changed. The fast paths compare id_count against a window
 * [id_lo, id_hi] instead of [0, ALASKA_ID_CACHE] and step out at its edges, where the slow
 * path records the cache's new peak (exact: one thread's peak is the process's) or adds
 * the cache's drift to a global sum of live handles once it reaches
 * ALASKA_ID_PUBLISH_SLACK (that sum's maximum bounds the peak when several threads
 * allocate and free each other's objects, where the per-cache peaks only add up). A cache
 * whose own peak passes that bound (a producer whose objects other threads free) stops
 * tracking it: its peak becomes ALASKA_PEAK_UNTRACKED, so the bound is what is reported, and its
 * allocations stop stepping out at every new high (only every ALASKA_ID_PUBLISH_SLACK).
 */
#include <errno.h>
#include <string.h>

#include "heap/internal.h"
#include "os/os.h"

#define TABLE_PAGES (ALASKA_TABLE_ENTRIES / ALASKA_ID_BATCH)
#define PAGE_WORDS (ALASKA_ID_BATCH / 64) /* bitmap words per table page */
#define NO_DRAIN UINT32_MAX

_Atomic uint64_t id_bump;                   /* next never-issued id (heap/debug.c reads it) */
static os_dump_prefix_t table_dump;         /* core dumps include entries of issued ids */
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int64_t handles_published;   /* sum of every cache's `published` */
_Atomic int64_t handles_published_peak;     /* its maximum (heap/debug.c reads it) */
uint64_t alaska_max_handles = ALASKA_MAX_ID;

/* The id pool (under id_lock). Per table page P: pool_bits[P] has bit i set iff id
 * P * 512 + i is free in the pool; pool_count[P] counts those bits. Page maps over P:
 * with_free (pool_count > 0), all_free (pool_count == 512, not released) and released
 * (given back to the OS; pool_count 0, none of its ids issued to anyone). Reserved on
 * first use, touched in proportion to the ids issued. */
static uint64_t (*pool_bits)[PAGE_WORDS];
static uint16_t *pool_count;
static uint64_t *with_free, *all_free, *released;
static uint64_t pool_ids;        /* free ids in the pool (unreleased pages) */
static uint64_t released_pages;  /* pages released now */
static uint64_t low_word;        /* with_free | released has no bit below this word */
static uint64_t all_free_top;    /* all_free has no bit above this word */
static uint64_t drain_page = NO_DRAIN; /* draining: ids of pages >= this go to the pool */
static _Atomic uint32_t id_drain_tag = NO_DRAIN; /* id_tag(drain_page * 512) or NO_DRAIN */
uint64_t alaska_table_pages_released; /* (for stats.c: released_pages, read racily) */

/* [2 GiB, 4 GiB): where a handle of a released entry (0) points, offset field added. */
#define LOW_GUARD_BASE (1ULL << 31)
#define LOW_GUARD_CHUNK (256ULL << 20)
#define LOW_GUARD_CHUNKS 8
static unsigned low_guard_mask; /* bit k: chunk k is our PROT_NONE reservation */

static void low_guard_init(void) {
  /* Chunk by chunk: whatever the program or a sanitizer already mapped there stays. */
  for (unsigned k = 0; k < LOW_GUARD_CHUNKS; k++) {
    void *at = (void *)(uintptr_t)(LOW_GUARD_BASE + k * LOW_GUARD_CHUNK);
    if (os_reserve_fixed(at, LOW_GUARD_CHUNK, 1) == 0) {
      os_exclude_from_dumps(at, LOW_GUARD_CHUNK);
      low_guard_mask |= 1u << k;
    }
  }
}

int table_low_guard_contains(uintptr_t a) {
  if (a - LOW_GUARD_BASE >= LOW_GUARD_CHUNK * LOW_GUARD_CHUNKS) return 0;
  return (low_guard_mask >> ((a - LOW_GUARD_BASE) / LOW_GUARD_CHUNK)) & 1;
}

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
  low_guard_init();
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

uint32_t id_drain_tag_now(void) {
  return atomic_load_explicit(&id_drain_tag, memory_order_relaxed);
}

/* ---- the pool (callers hold id_lock) ---------------------------------------------------- */
static inline void map_set(uint64_t *m, uint64_t p) { m[p >> 6] |= 1ULL << (p & 63); }
static inline void map_clear(uint64_t *m, uint64_t p) { m[p >> 6] &= ~(1ULL << (p & 63)); }
static inline int map_test(const uint64_t *m, uint64_t p) { return (m[p >> 6] >> (p & 63)) & 1; }

static void *pool_reserve(size_t bytes) {
  void *p = os_reserve(bytes);
  if (!p) alaska_fatal("out of memory for handle-id metadata");
  return p;
}

static void pool_init(void) {
  if (pool_bits) return;
  pool_count = pool_reserve(TABLE_PAGES * sizeof(uint16_t));
  with_free = pool_reserve(TABLE_PAGES / 8);
  all_free = pool_reserve(TABLE_PAGES / 8);
  released = pool_reserve(TABLE_PAGES / 8);
  pool_bits = pool_reserve(TABLE_PAGES * sizeof *pool_bits);
}

/* Map words that cover every page issued so far. */
static uint64_t words_issued(void) {
  uint64_t pages = (atomic_load_explicit(&id_bump, memory_order_relaxed) + ALASKA_ID_BATCH - 1) /
                   ALASKA_ID_BATCH;
  return (pages + 63) / 64;
}

static void page_release(uint64_t p) {
  os_release(table_entry((uint32_t)(p * ALASKA_ID_BATCH)), ALASKA_OS_PAGE_SIZE);
  memset(pool_bits[p], 0, sizeof pool_bits[p]);
  pool_count[p] = 0;
  pool_ids -= ALASKA_ID_BATCH;
  map_clear(with_free, p);
  map_clear(all_free, p);
  map_set(released, p);
  released_pages++;
  __atomic_store_n(&alaska_table_pages_released, released_pages, __ATOMIC_RELAXED);
}

/* A released page comes back: poison its entries (this faults in a fresh page). */
static void page_reissue(uint64_t p) {
  uint32_t first = (uint32_t)(p * ALASKA_ID_BATCH);
  for (uint32_t i = 0; i < ALASKA_ID_BATCH; i++) *table_entry(first + i) = ALASKA_POISON_BASE;
  memset(pool_bits[p], 0xff, sizeof pool_bits[p]);
  pool_count[p] = ALASKA_ID_BATCH;
  pool_ids += ALASKA_ID_BATCH;
  map_clear(released, p);
  map_set(with_free, p);
  map_set(all_free, p);
  if ((p >> 6) > all_free_top) all_free_top = p >> 6;
  released_pages--;
  __atomic_store_n(&alaska_table_pages_released, released_pages, __ATOMIC_RELAXED);
}

static void pool_add(uint32_t id) {
  uint64_t p = id / ALASKA_ID_BATCH;
  unsigned i = id % ALASKA_ID_BATCH;
  uint64_t bit = 1ULL << (i & 63);
  if (pool_bits[p][i >> 6] & bit)
    alaska_fatal("internal error: handle id %u returned to the id pool twice", id);
  pool_bits[p][i >> 6] |= bit;
  pool_ids++;
  if (pool_count[p]++ == 0) {
    map_set(with_free, p);
    if ((p >> 6) < low_word) low_word = p >> 6;
  }
  if (pool_count[p] == ALASKA_ID_BATCH) {
    if (p >= drain_page) {
      page_release(p);
    } else {
      map_set(all_free, p);
      if ((p >> 6) > all_free_top) all_free_top = p >> 6;
    }
  }
}

/* Take up to `want` of the lowest free ids (released pages count as free). */
static uint32_t pool_take(uint32_t *out, uint32_t want) {
  if (!pool_bits) return 0;
  uint32_t got = 0;
  uint64_t words = words_issued();
  while (got < want) {
    uint64_t w = low_word, m = 0;
    while (w < words && (m = with_free[w] | released[w]) == 0) w++;
    low_word = w;
    if (w >= words) break;
    uint64_t p = w * 64 + (uint64_t)__builtin_ctzll(m);
    if (map_test(released, p)) page_reissue(p);
    if (pool_count[p] == ALASKA_ID_BATCH) map_clear(all_free, p);
    uint32_t before = got;
    for (unsigned k = 0; k < PAGE_WORDS && got < want; k++) {
      while (pool_bits[p][k] && got < want) {
        unsigned b = (unsigned)__builtin_ctzll(pool_bits[p][k]);
        pool_bits[p][k] &= pool_bits[p][k] - 1;
        out[got++] = (uint32_t)(p * ALASKA_ID_BATCH + k * 64 + b);
      }
    }
    pool_count[p] -= (uint16_t)(got - before);
    pool_ids -= got - before;
    if (pool_count[p] == 0) map_clear(with_free, p);
  }
  return got;
}

/* Release every all-free page at or above page `from`, and below it the highest ones while
 * the pool holds more than `keep_ids` free ids. */
static void release_all_free(uint64_t from, uint64_t keep_ids) {
  if (!pool_bits) return;
  for (uint64_t w = all_free_top + 1; w-- > 0;) {
    uint64_t m;
    while ((m = all_free[w]) != 0) {
      uint64_t p = w * 64 + 63 - (uint64_t)__builtin_clzll(m);
      if (p < from && pool_ids <= keep_ids) break;
      page_release(p);
    }
    if (w * 64 < from && pool_ids <= keep_ids) {
      all_free_top = w; /* nothing set above w */
      return;
    }
  }
  all_free_top = 0;
}

/* Held ids: issued (on pages not released) and not in the pool, i.e. live or in caches. */
static uint64_t ids_held(uint64_t *issued) {
  uint64_t bump = atomic_load_explicit(&id_bump, memory_order_relaxed);
  uint64_t limit = alaska_max_handles + 1;
  if (bump > limit) bump = limit;
  *issued = bump - released_pages * ALASKA_ID_BATCH;
  return *issued - pool_ids;
}

/* After ids came back: release what the policy gives back, move the drain line. */
static void pool_settle(void) {
  uint64_t issued, held = ids_held(&issued);
  uint64_t target = held + held / 16 + 2 * ALASKA_ID_BATCH;
  uint64_t line = drain_page;
  if (line == NO_DRAIN ? issued > target + target / 16 : issued > target)
    line = target / ALASKA_ID_BATCH + 1;
  else
    line = NO_DRAIN;
  /* Lowering the line by less than 1/32 is not worth every cache's purge. */
  if (line != NO_DRAIN && drain_page != NO_DRAIN && line < drain_page &&
      line + line / 32 >= drain_page)
    line = drain_page;
  if (line != drain_page) {
    drain_page = line;
    uint64_t first = line * ALASKA_ID_BATCH;
    uint32_t tag = line == NO_DRAIN ? NO_DRAIN
                   : first > ALASKA_MAX_ID ? NO_DRAIN
                                           : id_tag((uint32_t)first);
    atomic_store_explicit(&id_drain_tag, tag, memory_order_relaxed);
  }
  release_all_free(drain_page, held / 16 + 2 * ALASKA_ID_BATCH);
}

/* Window and publish bookkeeping: see the top. */
/* Keep a cache's window true to its id_base, handles_peak and published (see the top). */
void id_window(cache_t *c) {
  int64_t top = c->handles_peak < c->published + ALASKA_ID_PUBLISH_SLACK
                    ? c->handles_peak
                    : c->published + ALASKA_ID_PUBLISH_SLACK;
  int64_t lo = c->id_base - top, hi = c->id_base - c->published + ALASKA_ID_PUBLISH_SLACK;
  c->id_lo = lo > 0 ? (uint32_t)lo : 0;
  c->id_hi = hi < ALASKA_ID_CACHE ? (uint32_t)hi : ALASKA_ID_CACHE;
}

static void id_publish(cache_t *c, int64_t live) {
  int64_t delta = live - c->published;
  c->published = live;
  int64_t sum = atomic_fetch_add_explicit(&handles_published, delta, memory_order_relaxed) + delta;
  int64_t peak = atomic_load_explicit(&handles_published_peak, memory_order_relaxed);
  while (sum > peak && !atomic_compare_exchange_weak_explicit(&handles_published_peak, &peak, sum,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed)) {
  }
  if (c->handles_peak > (sum > peak ? sum : peak) + ALASKA_ID_PUBLISH_SLACK)
    __atomic_store_n(&c->handles_peak, ALASKA_PEAK_UNTRACKED, __ATOMIC_RELAXED);
}

/* table_resident_bytes: the table's resident memory as the kernel counts it (smaps; mincore
 * would count released pages that were read since, which map the shared zero page). */
uint64_t table_resident_bytes(void) {
  size_t rss = os_mapped_rss(ALASKA_TABLE_BASE, ALASKA_TABLE_BASE + ALASKA_TABLE_BYTES);
  if (rss != (size_t)-1) return rss;
  uint64_t ids = atomic_load_explicit(&id_bump, memory_order_relaxed);
  if (ids > ALASKA_TABLE_ENTRIES) ids = ALASKA_TABLE_ENTRIES;
  return os_resident_bytes((const void *)(uintptr_t)ALASKA_TABLE_BASE, ids * 8);
}

/* Exact when one thread allocates; otherwise at most the per-cache slack above the peak. */
uint64_t id_handles_peak(void) {
  int64_t sum = 0, caches = 0;
  for (cache_t *c = __atomic_load_n(&alaska_all_caches, __ATOMIC_ACQUIRE); c; c = c->next_all) {
    int64_t p = __atomic_load_n(&c->handles_peak, __ATOMIC_RELAXED);
    sum = p >= ALASKA_PEAK_UNTRACKED || sum >= ALASKA_PEAK_UNTRACKED ? ALASKA_PEAK_UNTRACKED : sum + p;
    caches++;
  }
  int64_t bound = atomic_load_explicit(&handles_published_peak, memory_order_relaxed) +
                  caches * ALASKA_ID_PUBLISH_SLACK;
  int64_t peak = sum < bound ? sum : bound;
  return peak > 0 ? (uint64_t)peak : 0;
}

/* Move ids at or above the cache's drain tag off its stack into the pool (lock held). */
static void id_purge_locked(cache_t *c) {
  uint32_t kept = 0, tag = c->drain_tag;
  for (uint32_t i = 0; i < c->id_count; i++) {
    if (c->ids[i] >= tag) pool_add(id_untag(c->ids[i]));
    else c->ids[kept++] = c->ids[i];
  }
  c->id_base -= c->id_count - kept;
  c->id_count = kept;
}

static void id_flush_drained_locked(cache_t *c) {
  for (uint32_t i = 0; i < c->drained_count; i++) pool_add(c->drained[i]);
  c->drained_count = 0;
}

/* Follow a moved drain line (owner, at its slow paths). */
static void id_sync_drain(cache_t *c) {
  uint32_t tag = atomic_load_explicit(&id_drain_tag, memory_order_relaxed);
  if (tag == c->drain_tag) return;
  int lowered = tag < c->drain_tag;
  c->drain_tag = tag;
  if (!lowered) return;
  pthread_mutex_lock(&id_lock);
  pool_init();
  id_purge_locked(c);
  id_flush_drained_locked(c);
  pool_settle();
  pthread_mutex_unlock(&id_lock);
}

void id_spill(cache_t *c, uint32_t keep) {
  pthread_mutex_lock(&id_lock);
  pool_init();
  id_flush_drained_locked(c);
  if (c->drain_tag != NO_DRAIN) id_purge_locked(c);
  if (c->id_count > keep) {
    c->id_base -= c->id_count - keep;
    while (c->id_count > keep) pool_add(id_untag(c->ids[--c->id_count]));
  }
  pool_settle();
  pthread_mutex_unlock(&id_lock);
  id_window(c);
}

void id_push_drained(cache_t *c, uint32_t id) {
  c->drained[c->drained_count++] = id;
  c->id_base--; /* counted as returned now (live here = id_base - id_count) */
  if (c->drained_count == ALASKA_ID_DRAINED) {
    pthread_mutex_lock(&id_lock);
    pool_init();
    id_flush_drained_locked(c);
    pool_settle();
    pthread_mutex_unlock(&id_lock);
    id_sync_drain(c);
  }
  int64_t live = c->id_base - c->id_count;
  if (live < c->published - ALASKA_ID_PUBLISH_SLACK) id_publish(c, live);
  id_window(c);
}

/* Fill an empty id stack with the pool's lowest free ids, else a fresh batch. */
static void id_refill(cache_t *c) {
  uint32_t got[ALASKA_ID_BATCH];
  pthread_mutex_lock(&id_lock);
  uint32_t n = pool_take(got, ALASKA_ID_BATCH);
  if (n) pool_settle();
  pthread_mutex_unlock(&id_lock);
  if (n) {
    /* Pushed in descending order so ids are handed out ascending. */
    for (uint32_t i = 0; i < n; i++) c->ids[i] = id_tag(got[n - 1 - i]);
    c->id_count = n;
    c->id_base += n;
    return;
  }

  uint64_t start = atomic_fetch_add_explicit(&id_bump, ALASKA_ID_BATCH, memory_order_relaxed);
  uint64_t limit = alaska_max_handles + 1; /* ids 1..max_handles are valid */
  if (start >= limit) {
    atomic_store_explicit(&id_bump, limit, memory_order_relaxed);
    alaska_fatal("handle table exhausted: all %lu handle ids are in use",
                 (unsigned long)alaska_max_handles);
  }
  uint64_t end = start + ALASKA_ID_BATCH;
  if (end > limit) end = limit;
  if (!os_dump_prefix_covers(&table_dump, end * 8)) {
    pthread_mutex_lock(&id_lock);
    os_dump_prefix_grow(&table_dump, end * 8);
    pthread_mutex_unlock(&id_lock);
  }
  for (uint64_t id = start; id < end; id++) *table_entry((uint32_t)id) = ALASKA_POISON_BASE;
  c->id_count = 0;
  for (uint64_t id = end; id-- > start;)
    if (id != 0) c->ids[c->id_count++] = id_tag((uint32_t)id);
  if (c->id_count == 0) return id_refill(c); /* the batch held only id 0 */
  c->id_base += c->id_count;
}

uint32_t id_pop_slow(cache_t *c) {
  id_sync_drain(c);
  if (c->id_count == 0) id_refill(c);
  uint32_t tag = c->ids[--c->id_count];
  int64_t live = c->id_base - c->id_count;
  if (live > c->handles_peak) __atomic_store_n(&c->handles_peak, live, __ATOMIC_RELAXED);
  if (live > c->published + ALASKA_ID_PUBLISH_SLACK) id_publish(c, live);
  id_window(c);
  return id_untag(tag);
}

void id_push_slow(cache_t *c) {
  id_sync_drain(c);
  if (c->id_count == ALASKA_ID_CACHE) id_spill(c, ALASKA_ID_CACHE / 2);
  int64_t live_after = c->id_base - c->id_count - 1;
  if (live_after < c->published - ALASKA_ID_PUBLISH_SLACK) id_publish(c, live_after);
  id_window(c);
}

void table_lock_for_fork(int lock) {
  if (lock) pthread_mutex_lock(&id_lock);
  else pthread_mutex_unlock(&id_lock);
}
