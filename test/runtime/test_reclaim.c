/* Reclamation: empty pages go back to the OS (RSS drops) and are reused afterwards. */
#include <alaska.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"

#define N 1000000

static void *objs[N];

static size_t size_of(int i) { return 48 + (size_t)(i % 5) * 48; } /* 48..240 bytes */

static void fill(int from, int to) {
  for (int i = from; i < to; i++) {
    objs[i] = halloc(size_of(i));
    CHECK(objs[i] != NULL);
    memset(alaska_translate(objs[i]), i & 0xff, size_of(i));
  }
}

static void test_rss_goes_down(void) {
  size_t rss0 = harness_rss();
  fill(0, N);
  size_t rss_full = harness_rss();
  alaska_stats_t full;
  alaska_get_stats(&full);
  size_t grown = rss_full - rss0;
  CHECK(grown > (size_t)100 << 20); /* ~144 MB of objects + metadata */
  /* keep the first 1% (they share the first pages), free everything else */
  for (int i = N / 100; i < N; i++) hfree(objs[i]);
  size_t rss_after = harness_rss();
  alaska_stats_t after;
  alaska_get_stats(&after);
  printf("rss: before %zu MiB, full %zu MiB, after freeing 99%% %zu MiB; committed %llu -> %llu MiB,"
         " pages_released %llu\n",
         rss0 >> 20, rss_full >> 20, rss_after >> 20,
         (unsigned long long)(full.heap_committed_bytes >> 20),
         (unsigned long long)(after.heap_committed_bytes >> 20),
         (unsigned long long)after.pages_released);
  /* The table keeps 8 bytes per id ever used; everything else should be gone. */
  CHECK(rss_after < rss0 + grown / 4);
  CHECK(after.heap_committed_bytes < full.heap_committed_bytes / 10);
  CHECK(after.pages_released > full.pages_released);
  for (int i = 0; i < N / 100; i++) {
    unsigned char *raw = alaska_translate(objs[i]);
    CHECK_EQ(raw[0], (unsigned)(i & 0xff));
    CHECK_EQ(raw[size_of(i) - 1], (unsigned)(i & 0xff));
  }
  /* released pages are reused: refilling needs no more address space than before */
  fill(N / 100, N);
  alaska_stats_t refill;
  alaska_get_stats(&refill);
  CHECK(refill.heap_committed_bytes <= full.heap_committed_bytes + (8u << 20));
  for (int i = 0; i < N; i++) hfree(objs[i]);
}

static void test_large_objects_released(void) {
  size_t rss0 = harness_rss();
  void *hs[16];
  for (int i = 0; i < 16; i++) {
    hs[i] = halloc((size_t)8 << 20);
    memset(alaska_translate(hs[i]), 1, (size_t)8 << 20);
  }
  CHECK(harness_rss() > rss0 + ((size_t)100 << 20));
  for (int i = 0; i < 16; i++) hfree(hs[i]);
  CHECK(harness_rss() < rss0 + ((size_t)16 << 20));
}

int main(void) {
  RUN(test_rss_goes_down);
  RUN(test_large_objects_released);
  return 0;
}
