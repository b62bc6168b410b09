/*
 * stats.c — sums of the per-thread counters, the global slow-path counters, and the
 * `alaska-stats:` line with its registry of extra keys (stats.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

uint64_t alaska_stat_committed_pages;
uint64_t alaska_stat_pages_released;
uint64_t alaska_stat_objects_moved;
uint64_t alaska_stat_bytes_moved;
uint64_t alaska_stat_huge_allocs;

typedef struct provider {
  const char *key;
  uint64_t (*read_u64)(void);
  double (*read_double)(void);
} provider_t;

static provider_t providers[ALASKA_STATS_MAX_PROVIDERS];
static _Atomic int num_providers;

static int add_provider(provider_t p) {
  int i = atomic_fetch_add(&num_providers, 1);
  if (i >= ALASKA_STATS_MAX_PROVIDERS) {
    atomic_fetch_sub(&num_providers, 1);
    return -1;
  }
  providers[i] = p;
  return 0;
}

int alaska_stats_register_u64(const char *key, uint64_t (*read)(void)) {
  return add_provider((provider_t){key, read, NULL});
}
int alaska_stats_register_double(const char *key, double (*read)(void)) {
  return add_provider((provider_t){key, NULL, read});
}

/* The cache registry only grows and its links are published with a release fence, so it
 * can be walked without the lock; counters are owner-written aligned words. */
static void sum_caches(uint64_t *allocs, uint64_t *frees, int64_t *live) {
  uint64_t a = 0, f = 0;
  int64_t l = 0;
  cache_t *c = __atomic_load_n(&alaska_all_caches, __ATOMIC_ACQUIRE);
  for (; c; c = c->next_all) {
    for (unsigned cls = 0; cls < ALASKA_NUM_CLASSES; cls++) {
      uint64_t ca = __atomic_load_n(&c->cls_alloc[cls], __ATOMIC_RELAXED);
      uint64_t cf = __atomic_load_n(&c->cls_free[cls], __ATOMIC_RELAXED);
      a += ca;
      f += cf;
      /* per cache this can be negative (another thread freed what this one allocated) */
      l += (int64_t)(ca - cf) * (int64_t)alaska_class_size(cls);
    }
    uint64_t moves = __atomic_load_n(&c->realloc_moves, __ATOMIC_RELAXED);
    a += __atomic_load_n(&c->large_alloc, __ATOMIC_RELAXED) - moves;
    f += __atomic_load_n(&c->large_free, __ATOMIC_RELAXED) - moves;
    l += __atomic_load_n(&c->large_live_bytes, __ATOMIC_RELAXED);
  }
  *allocs = a;
  *frees = f;
  *live = l;
}

uint64_t alaska_live_bytes(void) {
  uint64_t a, f;
  int64_t l;
  sum_caches(&a, &f, &l);
  return l > 0 ? (uint64_t)l : 0;
}

uint64_t alaska_committed_bytes(void) {
  return __atomic_load_n(&alaska_stat_committed_pages, __ATOMIC_RELAXED) << ALASKA_PAGE_SHIFT;
}

uint64_t alaska_handles_live(void) {
  uint64_t a, f;
  int64_t l;
  sum_caches(&a, &f, &l);
  return a > f ? a - f : 0;
}

void alaska_get_stats(alaska_stats_t *out) {
  uint64_t a, f;
  int64_t l;
  sum_caches(&a, &f, &l);
  out->halloc = a;
  out->hfree = f;
  out->handles_live = a > f ? a - f : 0;
  uint64_t peak = id_handles_peak(); /* its counters are read after a and f */
  out->handles_peak = peak > out->handles_live ? peak : out->handles_live;
  out->heap_committed_bytes = alaska_committed_bytes();
  out->live_bytes = l > 0 ? (uint64_t)l : 0;
  out->pages_released = __atomic_load_n(&alaska_stat_pages_released, __ATOMIC_RELAXED);
}

/* Resident bytes of the runtime's two per-object metadata arrays (mincore). The slot map
 * directory changes under the heap lock; RT_ENTER: a barrier must not stop this thread
 * while it holds the lock. */
static void metadata_resident(uint64_t *table, uint64_t *slotmaps) {
  *table = table_resident_bytes();
  RT_ENTER();
  pthread_mutex_lock(&alaska_heap_lock);
  *slotmaps = ids_resident_bytes();
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
}

int alaska_stats_format(char *buf, int len) {
  alaska_stats_t s;
  alaska_get_stats(&s);
  uint64_t table_res, slotmap_res;
  metadata_resident(&table_res, &slotmap_res);
  int n = snprintf(buf, (size_t)len,
                   "alaska-stats: halloc=%llu hfree=%llu handles_live=%llu handles_peak=%llu "
                   "heap_committed_bytes=%llu live_bytes=%llu pages_released=%llu "
                   "objects_moved=%llu bytes_moved=%llu huge_allocs=%llu "
                   "table_resident_bytes=%llu table_pages_released=%llu "
                   "slotmap_resident_bytes=%llu",
                   (unsigned long long)s.halloc, (unsigned long long)s.hfree,
                   (unsigned long long)s.handles_live, (unsigned long long)s.handles_peak,
                   (unsigned long long)s.heap_committed_bytes, (unsigned long long)s.live_bytes,
                   (unsigned long long)s.pages_released,
                   (unsigned long long)alaska_stat_objects_moved,
                   (unsigned long long)alaska_stat_bytes_moved,
                   (unsigned long long)__atomic_load_n(&alaska_stat_huge_allocs, __ATOMIC_RELAXED),
                   (unsigned long long)table_res,
                   (unsigned long long)__atomic_load_n(&alaska_table_pages_released,
                                                       __ATOMIC_RELAXED),
                   (unsigned long long)slotmap_res);
  int np = atomic_load(&num_providers);
  for (int i = 0; i < np && n < len; i++) {
    if (providers[i].read_u64)
      n += snprintf(buf + n, (size_t)(len - n), " %s=%llu", providers[i].key,
                    (unsigned long long)providers[i].read_u64());
    else
      n += snprintf(buf + n, (size_t)(len - n), " %s=%.3f", providers[i].key,
                    providers[i].read_double());
  }
  return n < len ? n : len - 1;
}

void alaska_print_stats(void) {
  char buf[1024];
  int n = alaska_stats_format(buf, (int)sizeof buf - 1);
  buf[n++] = '\n';
  os_write_all(2, buf, (size_t)n);
}
