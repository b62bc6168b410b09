/*
 * pause_bench.c — pause time of a compaction barrier vs bytes moved and thread count.
 *
 *   pause_bench [threads=8] [budget_kib=1024] [barriers=200]
 *
 * budget_kib = 0 measures the barrier alone (stop the world, build the pinned set, release;
 * no compaction), i.e. the part of the pause that does not depend on bytes moved.
 *
 * The heap is fragmented (many objects allocated, 3 of 4 freed, so pages are sparse), then
 * `barriers` compactions run, each with a budget of `budget_kib` KiB, while `threads`
 * threads run a mutator loop (allocate/translate/free with short naps, as an interactive
 * server would; 8 CPU-bound threads on a 2-core machine would measure the scheduler). The
 * heap is refragmented whenever a compaction found nothing to move. Prints one line:
 *
 *   pause_bench: threads=8 budget_kib=1024 barriers=200 gave_up=0 moved_kib_avg=... \
 *       p50_us=... p99_us=... max_us=...
 *
 * Pause = barrier signal sent to threads released (alaska_barrier_*; the per-barrier values
 * are exact here, not histogram buckets). Only barriers that moved >= half the budget count.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alaska.h"
#include "barrier.h"
#include "pinning.h"

static _Atomic int stop_flag;

static void *mutator(void *arg) {
  uint64_t rng = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
  void *mine[64] = {0};
  while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
    for (int k = 0; k < 32; k++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      int i = (int)(rng % 64);
      if (mine[i]) {
        PIN_SLOT(pin);
        volatile char *p = pin_translate(pin, mine[i]);
        p[0]++;
        unpin(pin);
        hfree(mine[i]);
      }
      mine[i] = halloc(16 + rng % 256);
    }
    struct timespec nap = {0, 200000};
    nanosleep(&nap, NULL);
  }
  for (int i = 0; i < 64; i++) hfree(mine[i]);
  return NULL;
}

#define FRAG_OBJECTS 200000
static void *frag[FRAG_OBJECTS];

/* Allocate FRAG_OBJECTS objects of mixed small sizes and free 3 of every 4; each call frees
 * a different 3 of 4 (the previous survivors included), so compacted pages become sparse. */
static unsigned frag_phase;
static void fragment(uint64_t *rng) {
  frag_phase++;
  for (size_t i = 0; i < FRAG_OBJECTS; i++) {
    if (frag[i]) continue;
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    frag[i] = halloc(32 + (*rng >> 33) % 200);
    memset(alaska_translate(frag[i]), (int)i, 32);
  }
  for (size_t i = 0; i < FRAG_OBJECTS; i++)
    if ((i + frag_phase) % 4 != 0) {
      hfree(frag[i]);
      frag[i] = NULL;
    }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  int nthreads = argc > 1 ? atoi(argv[1]) : 8;
  long budget_kib = argc > 2 ? atol(argv[2]) : 1024;
  int nbarriers = argc > 3 ? atoi(argv[3]) : 200;
  if (nthreads < 0 || nthreads > 256 || budget_kib < 0 || nbarriers < 1) {
    fprintf(stderr, "usage: pause_bench [threads 0..256] [budget_kib >= 0] [barriers >= 1]\n");
    return 2;
  }
  uint64_t rng = 42;
  fragment(&rng);
  pthread_t th[256];
  for (int i = 0; i < nthreads; i++) pthread_create(&th[i], NULL, mutator, (void *)(uintptr_t)(i + 1));

  uint64_t *pauses = calloc((size_t)nbarriers, sizeof *pauses);
  int counted = 0, gave_up = 0, attempts = 0;
  uint64_t moved_total = 0;
  size_t budget = (size_t)budget_kib * 1024;
  while (counted < nbarriers && attempts < nbarriers * 20) {
    attempts++;
    alaska_barrier_stats_t before, after;
    alaska_barrier_get_stats(&before);
    alaska_barrier_outcome_t o;
    if (budget == 0) {
      o = alaska_barrier_stop();
      if (o == ALASKA_BARRIER_STOPPED) alaska_barrier_release();
    } else {
      alaska_barrier_compact(budget, 0, 1, &o);
    }
    alaska_barrier_get_stats(&after);
    if (o != ALASKA_BARRIER_STOPPED) {
      gave_up++;
      struct timespec backoff = {0, 1000000}; /* as the defragmenter does: retry later */
      nanosleep(&backoff, NULL);
      continue;
    }
    uint64_t moved = after.bytes_moved - before.bytes_moved;
    if (budget && moved * 2 < budget) { /* heap compacted: make it sparse again */
      fragment(&rng);
      continue;
    }
    pauses[counted++] = after.pause_total_us - before.pause_total_us;
    moved_total += moved;
  }
  atomic_store(&stop_flag, 1);
  for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
  if (counted == 0) {
    fprintf(stderr, "pause_bench: no barrier moved half its budget (%d attempts, %d gave up)\n",
            attempts, gave_up);
    return 1;
  }
  qsort(pauses, (size_t)counted, sizeof *pauses, cmp_u64);
  size_t p99 = (size_t)((counted * 99 + 99) / 100) - 1;
  printf("pause_bench: threads=%d budget_kib=%ld barriers=%d gave_up=%d moved_kib_avg=%llu "
         "p50_us=%llu p99_us=%llu max_us=%llu\n",
         nthreads, budget_kib, counted, gave_up,
         (unsigned long long)(moved_total / (uint64_t)counted / 1024),
         (unsigned long long)pauses[counted / 2], (unsigned long long)pauses[p99],
         (unsigned long long)pauses[counted - 1]);
  free(pauses);
  return 0;
}
