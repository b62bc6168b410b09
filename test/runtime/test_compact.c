/* Compaction (single-threaded driver, fake is_pinned): contents intact after moves, handles
 * unchanged, pinned and pin_forever objects stay, RSS drops, free lists stay consistent
 * (including pages of a parked thread and of an exited one), the budget is respected. */
#include <alaska.h>
#include <pthread.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"

#define N 300000
#define OBJ 64

static void *objs[N];
static uintptr_t addr_before[N];

static void stamp(void *h, uint64_t v, size_t size) {
  uint64_t *p = alaska_translate(h);
  for (size_t i = 0; i < size / 8; i++) p[i] = v * 1000003 + i;
}
static void check_stamp(void *h, uint64_t v, size_t size) {
  uint64_t *p = alaska_translate(h);
  for (size_t i = 0; i < size / 8; i++) CHECK_EQ(p[i], v * 1000003 + i);
}

/* Fake pin set: every 1000th surviving object (one page in ten). */
static uint32_t pinned_ids[N / 1000 + 16];
static size_t n_pinned;
static int fake_is_pinned(uint32_t id, void *ctx) {
  CHECK(ctx == (void *)pinned_ids);
  for (size_t i = 0; i < n_pinned; i++)
    if (pinned_ids[i] == id) return 1;
  return 0;
}

static int surviving(int i) { return i % 10 == 0; }

static void test_compaction_moves_and_releases(void) {
  for (int i = 0; i < N; i++) {
    objs[i] = halloc(OBJ);
    stamp(objs[i], (uint64_t)i, OBJ);
  }
  for (int i = 0; i < N; i++)
    if (!surviving(i)) hfree(objs[i]);
  n_pinned = 0;
  int pinned_forever = 10 * 501;
  alaska_pin_forever(objs[pinned_forever]);
  for (int i = 0; i < N; i++) {
    if (!surviving(i)) continue;
    addr_before[i] = (uintptr_t)alaska_translate(objs[i]);
    if ((i / 10) % 1000 == 0) pinned_ids[n_pinned++] = alaska_handle_id(objs[i]);
  }
  size_t rss_before = harness_rss();
  uint64_t committed_before = alaska_committed_bytes();
  uint64_t moved_before = alaska_stat_objects_moved;
  uint64_t live_before = alaska_live_bytes();
  size_t released = alaska_heap_compact(0, fake_is_pinned, pinned_ids, 0);
  size_t rss_after = harness_rss();
  printf("compaction: released %zu KiB, moved %llu objects, rss %zu -> %zu MiB, committed %llu -> %llu MiB\n",
         released >> 10, (unsigned long long)(alaska_stat_objects_moved - moved_before),
         rss_before >> 20, rss_after >> 20, (unsigned long long)(committed_before >> 20),
         (unsigned long long)(alaska_committed_bytes() >> 20));
  CHECK(alaska_stat_objects_moved - moved_before > (uint64_t)N / 20);
  CHECK(released > (size_t)8 << 20);
  CHECK(rss_after + ((size_t)8 << 20) < rss_before);
  /* survivors are 10% of 300000 * 64 B = 1.9 MB (+ pinned pages); committed follows */
  CHECK(alaska_committed_bytes() < committed_before / 3);
  CHECK_EQ(alaska_live_bytes(), live_before);
  int moved = 0;
  for (int i = 0; i < N; i++) {
    if (!surviving(i)) continue;
    check_stamp(objs[i], (uint64_t)i, OBJ); /* same handle, same contents */
    uintptr_t now = (uintptr_t)alaska_translate(objs[i]);
    CHECK_EQ(alaska_handle_of_raw((void *)now, NULL), alaska_handle_id(objs[i]));
    if (now != addr_before[i]) moved++;
    if ((i / 10) % 1000 == 0 || i == pinned_forever) CHECK_EQ(now, addr_before[i]);
  }
  CHECK(moved > 0);
  /* the heap keeps working: new objects never overlap survivors */
  static void *more[N];
  for (int i = 0; i < N; i++) {
    more[i] = halloc(OBJ);
    stamp(more[i], (uint64_t)(N + i), OBJ);
  }
  for (int i = 0; i < N; i++)
    if (surviving(i)) check_stamp(objs[i], (uint64_t)i, OBJ);
  for (int i = 0; i < N; i++) check_stamp(more[i], (uint64_t)(N + i), OBJ);
  for (int i = 0; i < N; i++) hfree(more[i]);
  for (int i = 0; i < N; i++)
    if (surviving(i)) hfree(objs[i]);
}

static void test_budget_respected(void) {
  enum { M = 50000 };
  for (int i = 0; i < M; i++) objs[i] = halloc(200);
  for (int i = 0; i < M; i++)
    if (i % 8) hfree(objs[i]);
  uint64_t bytes0 = alaska_stat_bytes_moved;
  alaska_heap_compact(64 * 1024, NULL, NULL, 0);
  uint64_t moved = alaska_stat_bytes_moved - bytes0;
  CHECK(moved > 0);
  CHECK(moved <= 64 * 1024);
  for (int i = 0; i < M; i += 8) hfree(objs[i]);
}

/* The time budget (estimated moving time, heap.h's model): a compaction stays within it,
 * except that its first source page always fits, so even a tiny budget empties a page. */
static void test_time_budget(void) {
  enum { M = 50000 };
  for (int i = 0; i < M; i++) objs[i] = halloc(16);
  for (int i = 0; i < M; i++)
    if (i % 4) hfree(objs[i]); /* pages a quarter full: ~1,000 objects each */
  for (int pass = 0; pass < 2; pass++) {
    uint64_t budget_ns = pass == 0 ? 1 : 200000;
    uint64_t objects0 = alaska_stat_objects_moved, bytes0 = alaska_stat_bytes_moved;
    alaska_compaction_t cx;
    alaska_heap_compact_prepare(&cx, 0, budget_ns, 0);
    alaska_heap_compact_stopped(&cx, NULL, NULL);
    CHECK(cx.pages_emptied >= 1);
    uint64_t objects = alaska_stat_objects_moved - objects0;
    uint64_t bytes = alaska_stat_bytes_moved - bytes0;
    CHECK(objects > 0);
    CHECK_EQ(cx.moved_objects, objects);
    uint64_t estimate = alaska_move_estimate_ns(objects, bytes); /* per-object rounding: */
    CHECK(cx.moved_ns <= estimate && estimate - cx.moved_ns <= objects);
    /* One page at most past the budget: the first one, or none. */
    CHECK(cx.moved_ns <= budget_ns || objects <= ALASKA_SLOTS_PER_PAGE_MAX);
    if (pass == 1) CHECK(cx.moved_ns <= budget_ns);
    alaska_heap_compact_finish(&cx);
  }
  for (int i = 0; i < M; i += 4) hfree(objs[i]);
}

/* A parked thread (outside the runtime) owns pages that compaction rewrites; afterwards it
 * keeps allocating and freeing from them. An exited thread's abandoned pages move too. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static int phase;
static void *parked_objs[20000];

static void *parked_thread(void *arg) {
  (void)arg;
  for (int i = 0; i < 20000; i++) {
    parked_objs[i] = halloc(96);
    stamp(parked_objs[i], (uint64_t)i, 96);
  }
  for (int i = 0; i < 20000; i++)
    if (i % 16) hfree(parked_objs[i]);
  pthread_mutex_lock(&park_lock);
  phase = 1;
  pthread_cond_broadcast(&park_cond);
  while (phase != 2) pthread_cond_wait(&park_cond, &park_lock);
  pthread_mutex_unlock(&park_lock);
  /* after compaction: use the (rewritten) free lists of our own pages */
  static void *again[20000];
  for (int i = 0; i < 20000; i++) {
    again[i] = halloc(96);
    stamp(again[i], (uint64_t)(100000 + i), 96);
  }
  for (int i = 0; i < 20000; i += 16) check_stamp(parked_objs[i], (uint64_t)i, 96);
  for (int i = 0; i < 20000; i++) check_stamp(again[i], (uint64_t)(100000 + i), 96);
  for (int i = 0; i < 20000; i++) hfree(again[i]);
  return NULL;
}

static void *exiting_thread(void *arg) {
  void **out = arg;
  for (int i = 0; i < 5000; i++) {
    out[i] = halloc(96);
    stamp(out[i], (uint64_t)(200000 + i), 96);
  }
  return NULL;
}

static void test_threads_pages_move(void) {
  static void *exited_objs[5000];
  pthread_t ex, parked;
  pthread_create(&ex, NULL, exiting_thread, exited_objs);
  pthread_join(ex, NULL);
  for (int i = 0; i < 5000; i++)
    if (i % 16) hfree(exited_objs[i]); /* remote frees into abandoned pages */
  pthread_create(&parked, NULL, parked_thread, NULL);
  pthread_mutex_lock(&park_lock);
  while (phase != 1) pthread_cond_wait(&park_cond, &park_lock);
  pthread_mutex_unlock(&park_lock);
  uint64_t moved0 = alaska_stat_objects_moved;
  alaska_heap_compact(0, NULL, NULL, 1); /* move everything movable */
  CHECK(alaska_stat_objects_moved - moved0 >= 20000 / 16 + 5000 / 16);
  for (int i = 0; i < 5000; i += 16) check_stamp(exited_objs[i], (uint64_t)(200000 + i), 96);
  pthread_mutex_lock(&park_lock);
  phase = 2;
  pthread_cond_broadcast(&park_cond);
  pthread_mutex_unlock(&park_lock);
  pthread_join(parked, NULL);
  for (int i = 0; i < 20000; i += 16) hfree(parked_objs[i]);
  for (int i = 0; i < 5000; i += 16) hfree(exited_objs[i]);
  /* and a plain compaction with nothing to do is harmless */
  alaska_heap_compact(0, NULL, NULL, 0);
}

int main(void) {
  RUN(test_compaction_moves_and_releases);
  RUN(test_budget_respected);
  RUN(test_time_budget);
  RUN(test_threads_pages_move);
  return 0;
}
