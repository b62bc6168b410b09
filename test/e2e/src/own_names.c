/* A program that uses the runtime's internal names for its own functions and globals
 * (table_init, take_block, page_carve, os_reserve, system_free, cache_get_slow, ...). They
 * must stay the program's: libalaska.so exports only its API (test/runtime/exports.txt), so
 * the runtime never calls these functions nor uses these variables. Each function aborts
 * when called from outside the program's own code, each variable keeps its value, and the
 * program allocates, frees, compacts (alaska_compact when it runs under Alaska) and checks
 * every surviving object. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

/* Defined by the runtime under Alaska; a null address in the native build. */
extern size_t alaska_compact(void) __attribute__((weak));

extern char __executable_start[], etext[];

static void called_from_outside(const char *name, void *from) {
  char msg[160];
  int n = snprintf(msg, sizeof msg, "own_names: %s, a function of this program, was called "
                   "from outside it (%p)\n", name, from);
  if (write(2, msg, (size_t)n) < 0) abort();
  abort();
}
/* First statement of each of the program's functions: only the program calls them. */
#define OWN(name)                                                                   \
  do {                                                                              \
    char *from_ = __builtin_return_address(0);                                      \
    if (from_ < __executable_start || from_ >= etext) called_from_outside(name, from_); \
    calls++;                                                                        \
  } while (0)
#define NOINLINE __attribute__((noinline))
static long calls;

/* ---- globals with the runtime's old names: nothing but the program touches them ------- */
uintptr_t alaska_heap_base = 0x1111;
void *alaska_pages = (void *)0x2222;
int alaska_max_handles = 3333;
uint64_t alaska_stat_objects_moved = 4444;
int alaska_heap_lock = 5555;
__thread void *alaska_tls_cache;

/* ---- the program's own memory pool, under the same names as the runtime's internals --- */
typedef struct block { struct block *next; uint32_t id; uint32_t check; char name[32]; } block;
typedef struct pool { block *free_list; long taken; } pool;
typedef struct table { block **slots; size_t nslots; } table;

NOINLINE void *os_reserve(size_t bytes) { OWN("os_reserve"); return calloc(1, bytes); }
NOINLINE void os_release(void *p) { OWN("os_release"); free(p); }
NOINLINE void os_unmap(void *p, size_t bytes) { OWN("os_unmap"); (void)bytes; free(p); }
NOINLINE void *system_alloc(size_t bytes) { OWN("system_alloc"); return malloc(bytes); }
NOINLINE void system_free(void *p) { OWN("system_free"); free(p); }
NOINLINE void *system_realloc(void *p, size_t bytes) { OWN("system_realloc"); return realloc(p, bytes); }
NOINLINE size_t system_usable_size(size_t bytes) { OWN("system_usable_size"); return bytes; }
NOINLINE void *large_alloc(size_t bytes) { OWN("large_alloc"); return system_alloc(bytes); }
NOINLINE void large_free(void *p) { OWN("large_free"); system_free(p); }
NOINLINE void *huge_alloc(size_t bytes) { OWN("huge_alloc"); return large_alloc(bytes); }
NOINLINE void heap_region_init(pool *p) { OWN("heap_region_init"); p->free_list = NULL; p->taken = 0; }
NOINLINE void interpose_init(void) { OWN("interpose_init"); }
NOINLINE void table_lock_for_fork(table *t) { OWN("table_lock_for_fork"); (void)t; }

NOINLINE block *page_carve(block *blocks, size_t n) {
  OWN("page_carve");
  for (size_t i = 0; i + 1 < n; i++) blocks[i].next = &blocks[i + 1];
  blocks[n - 1].next = NULL;
  return blocks;
}
NOINLINE block *page_init_small(size_t n) { OWN("page_init_small"); return page_carve(os_reserve(n * sizeof(block)), n); }
NOINLINE int page_has_free(const pool *p) { OWN("page_has_free"); return p->free_list != NULL; }
NOINLINE block *take_block(pool *p) {
  OWN("take_block");
  block *b = p->free_list;
  p->free_list = b->next;
  p->taken++;
  return b;
}
NOINLINE block *cache_alloc_block_slow(pool *p) {
  OWN("cache_alloc_block_slow");
  if (!page_has_free(p)) p->free_list = page_init_small(64);
  return take_block(p);
}
NOINLINE block *pool_alloc_span(pool *p) { OWN("pool_alloc_span"); return cache_alloc_block_slow(p); }
NOINLINE void pool_free_span(pool *p, block *b) { OWN("pool_free_span"); b->next = p->free_list; p->free_list = b; p->taken--; }
NOINLINE void pool_purge(pool *p) { OWN("pool_purge"); (void)p; }

NOINLINE void table_init(table *t, size_t nslots) {
  OWN("table_init");
  t->nslots = nslots;
  t->slots = os_reserve(nslots * sizeof *t->slots);
}
NOINLINE void id_spill(table *t, block *b) { OWN("id_spill"); t->slots[b->id % t->nslots] = b; }
NOINLINE block *id_refill(table *t, uint32_t id) { OWN("id_refill"); return t->slots[id % t->nslots]; }
NOINLINE block *cache_get_slow(table *t, uint32_t id) {
  OWN("cache_get_slow");
  block *b = id_refill(t, id);
  return b && b->id == id ? b : NULL;
}
NOINLINE void cache_thread_exit(table *t) { OWN("cache_thread_exit"); (void)t; }
NOINLINE void cache_page_became_empty(pool *p) { OWN("cache_page_became_empty"); (void)p; }
NOINLINE void stats_sample_peak(long *peak, long now) { OWN("stats_sample_peak"); if (now > *peak) *peak = now; }
NOINLINE double defrag_ratio(long live, long total) { OWN("defrag_ratio"); return total ? (double)live / (double)total : 0.0; }
NOINLINE int defrag_policy_decide(double ratio) { OWN("defrag_policy_decide"); return ratio < 0.5; }
NOINLINE void alaska_threads_lock(void) { OWN("alaska_threads_lock"); }
NOINLINE void alaska_threads_unlock(void) { OWN("alaska_threads_unlock"); }

static uint32_t check_of(uint32_t id) { return id * 2654435761u ^ 0x5bd1e995u; }

#define OBJECTS 24000
#define SLOTS 32768

/* A second thread allocating and freeing through malloc: the runtime's thread paths run. */
static void *worker(void *arg) {
  long sum = 0;
  for (int round = 0; round < 20; round++) {
    char *bufs[200];
    for (int i = 0; i < 200; i++) {
      bufs[i] = malloc(24 + (size_t)i % 200);
      snprintf(bufs[i], 24, "w%d-%d", round, i);
    }
    for (int i = 0; i < 200; i++) {
      sum += (long)strlen(bufs[i]);
      free(bufs[i]);
    }
  }
  *(long *)arg = sum;
  return NULL;
}

int main(void) {
  pool p;
  table t;
  long peak = 0;
  heap_region_init(&p);
  interpose_init();
  table_init(&t, SLOTS);

  /* The objects themselves are the runtime's: one malloc each, names via strdup. */
  block **objs = malloc(OBJECTS * sizeof *objs);
  char **names = malloc(OBJECTS * sizeof *names);
  for (uint32_t i = 0; i < OBJECTS; i++) {
    objs[i] = malloc(sizeof(block));
    objs[i]->id = i;
    objs[i]->check = check_of(i);
    snprintf(objs[i]->name, sizeof objs[i]->name, "object-%u", i);
    names[i] = strdup(objs[i]->name);
    id_spill(&t, objs[i]);
    stats_sample_peak(&peak, (long)i + 1);
  }
  /* Keep one object in eight: sparse pages for the compaction to empty. */
  long live = 0;
  for (uint32_t i = 0; i < OBJECTS; i++) {
    if (i % 8 == 0) { live++; continue; }
    t.slots[i % SLOTS] = NULL;
    free(objs[i]);
    free(names[i]);
    objs[i] = NULL;
    names[i] = NULL;
  }

  /* The program's own pool, under the runtime's names. */
  block *mine[300];
  for (int i = 0; i < 300; i++) {
    mine[i] = pool_alloc_span(&p);
    mine[i]->id = (uint32_t)i;
  }
  for (int i = 0; i < 300; i += 2) pool_free_span(&p, mine[i]);
  cache_page_became_empty(&p);
  pool_purge(&p);

  long worker_sum = 0;
  pthread_t th;
  alaska_threads_lock();
  CHECK(pthread_create(&th, NULL, worker, &worker_sum) == 0);
  alaska_threads_unlock();
  CHECK(pthread_join(th, NULL) == 0);
  cache_thread_exit(&t);

  if (alaska_compact) alaska_compact();
  table_lock_for_fork(&t);

  long found = 0, name_bytes = 0;
  for (uint32_t i = 0; i < OBJECTS; i += 8) {
    block *b = cache_get_slow(&t, i);
    CHECK(b == objs[i]);
    CHECK(b->id == i && b->check == check_of(i));
    char expect[32];
    snprintf(expect, sizeof expect, "object-%u", i);
    CHECK(strcmp(b->name, expect) == 0 && strcmp(names[i], expect) == 0);
    name_bytes += (long)strlen(names[i]);
    found++;
  }
  CHECK(found == live);
  for (int i = 1; i < 300; i += 2) CHECK(mine[i]->id == (uint32_t)i);

  char *big = large_alloc(1 << 20);
  memset(big, 7, 1 << 20);
  big = system_realloc(big, 2 << 20);
  CHECK(big[12345] == 7 && system_usable_size(2 << 20) == (size_t)2 << 20);
  large_free(big);
  char *huge = huge_alloc(64);
  os_release(huge);
  void *res = os_reserve(4096);
  os_unmap(res, 4096);

  double ratio = defrag_ratio(live, OBJECTS);
  int decide = defrag_policy_decide(ratio);

  CHECK(alaska_heap_base == 0x1111 && alaska_pages == (void *)0x2222);
  CHECK(alaska_max_handles == 3333 && alaska_stat_objects_moved == 4444);
  CHECK(alaska_heap_lock == 5555 && alaska_tls_cache == NULL);

  for (uint32_t i = 0; i < OBJECTS; i += 8) {
    free(objs[i]);
    free(names[i]);
  }
  free(objs);
  free(names);
  free(t.slots);

  printf("live %ld of %d, name bytes %ld, peak %ld\n", found, OBJECTS, name_bytes, peak);
  printf("pool taken %ld, worker %ld\n", p.taken, worker_sum);
  printf("ratio %.3f decide %d, own calls %ld\n", ratio, decide, calls);
  return 0;
}
