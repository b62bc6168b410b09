/* Compaction with many threads' heaps: workers allocate, verify, resize and free objects
 * (many freed by a thread other than the allocating one) and meet at a pthread barrier every
 * few hundred operations, where one of them compacts (alternately sparse-into-dense and
 * move-everything) while the others wait outside the runtime holding no raw addresses.
 * Every object's contents are checked after every move, and the heap's counters must add up. */
#include <alaska.h>
#include <pthread.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"

#define THREADS 6
#define SLOTS 8192
#define ROUNDS 150
#define OPS_PER_ROUND 600

static _Atomic(uint64_t) slots[SLOTS]; /* shared handles, 0 = empty */
static pthread_barrier_t meet;
static _Atomic uint64_t corrupted, compactions;

typedef struct { uint32_t size, seed; } header_t;

static uint8_t pattern(uint32_t seed, uint32_t i) { return (uint8_t)((seed * 2654435761u + i * 40503u) >> 13); }

static void fill(void *h, uint32_t size, uint32_t seed) {
  uint8_t *b = alaska_translate(h);
  header_t *hd = (header_t *)b;
  hd->size = size;
  hd->seed = seed;
  for (uint32_t i = sizeof *hd; i < size; i++) b[i] = pattern(seed, i);
}

static int intact(void *h) {
  const uint8_t *b = alaska_translate(h);
  const header_t *hd = (const header_t *)b;
  if (hd->size < sizeof *hd || hd->size > 70000) return 0;
  for (uint32_t i = sizeof *hd; i < hd->size; i++)
    if (b[i] != pattern(hd->seed, i)) return 0;
  return 1;
}

static uint64_t rng(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static uint32_t pick_size(uint64_t *s) {
  uint64_t r = rng(s);
  return r % 100 == 0 ? 33000 + (uint32_t)(r % 30000) : (uint32_t)sizeof(header_t) + (uint32_t)(r % 700);
}

static void *worker(void *arg) {
  uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)((intptr_t)arg + 1);
  for (int round = 0; round < ROUNDS; round++) {
    for (int op = 0; op < OPS_PER_ROUND; op++) {
      size_t i = rng(&s) % SLOTS;
      void *h = (void *)(uintptr_t)atomic_exchange(&slots[i], 0);
      if (!h) {
        uint32_t size = pick_size(&s);
        h = halloc(size);
        CHECK(h != NULL);
        fill(h, size, (uint32_t)rng(&s));
      } else {
        if (!intact(h)) atomic_fetch_add(&corrupted, 1);
        uint64_t action = rng(&s) % 6;
        if (action == 0) {
          hfree(h); /* often allocated by another thread: a remote free */
          continue;
        }
        if (action == 1) {
          uint32_t size = pick_size(&s);
          h = hrealloc(h, size);
          CHECK(h != NULL);
          const header_t *hd = alaska_translate(h);
          uint32_t kept = hd->size < size ? hd->size : size;
          const uint8_t *b = alaska_translate(h);
          for (uint32_t k = sizeof *hd; k < kept; k++)
            if (b[k] != pattern(hd->seed, k)) {
              atomic_fetch_add(&corrupted, 1);
              break;
            }
          fill(h, size, (uint32_t)rng(&s));
        }
      }
      uint64_t expected = 0;
      if (!atomic_compare_exchange_strong(&slots[rng(&s) % SLOTS], &expected, (uint64_t)(uintptr_t)h))
        hfree(h);
    }
    /* Everyone is outside the runtime here: the one the barrier picks compacts. */
    if (pthread_barrier_wait(&meet) == PTHREAD_BARRIER_SERIAL_THREAD) {
      alaska_heap_compact(0, NULL, NULL, round % 2);
      atomic_fetch_add(&compactions, 1);
    }
    pthread_barrier_wait(&meet);
  }
  return NULL;
}

static void test_compaction_with_thread_heaps(void) {
  pthread_barrier_init(&meet, NULL, THREADS);
  uint64_t moved0 = alaska_stat_objects_moved;
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  printf("compactions %llu, objects moved %llu, corrupted %llu\n",
         (unsigned long long)compactions, (unsigned long long)(alaska_stat_objects_moved - moved0),
         (unsigned long long)corrupted);
  CHECK_EQ(compactions, ROUNDS);
  CHECK(alaska_stat_objects_moved - moved0 > 10000);
  CHECK_EQ(corrupted, 0);
  /* all threads have exited: their pages were abandoned; the survivors are still intact */
  alaska_heap_compact(0, NULL, NULL, 0);
  size_t live = 0;
  for (size_t i = 0; i < SLOTS; i++) {
    void *h = (void *)(uintptr_t)slots[i];
    if (!h) continue;
    CHECK(intact(h));
    live++;
    hfree(h);
  }
  alaska_stats_t st;
  alaska_get_stats(&st);
  CHECK_EQ(st.handles_live, 0);
  CHECK_EQ(st.live_bytes, 0);
  CHECK(live > 0);
}

int main(void) {
  RUN(test_compaction_with_thread_heaps);
  return 0;
}
