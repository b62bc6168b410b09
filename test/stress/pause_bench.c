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
 *
 * Every object carries a seed (its index, or a random number) and bytes derived from it,
 * checked before each free and at the end: a lost or
 * corrupted object makes it print `pause_bench: N corrupted objects` and exit 1, so a short
 * run is also a test of budgeted compaction racing mutators (meson suite stress).
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
#include "mover/barrier.h"
#include "pinning.h"

static _Atomic int stop_flag;
static _Atomic uint64_t corrupted;

static unsigned char pattern(uint32_t seed, size_t i) { return (unsigned char)((seed * 2654435761u + i * 40503u) >> 11); }
/* Object layout: 4-byte seed, then pattern(seed, i) at a few offsets i >= 4 (the start, the
 * middle, the end: a move that copies the wrong block or too few bytes shows; checking every
 * byte would make the mutators CPU-bound and change what the benchmark measures). */
static void offsets(size_t size, size_t at[4]) {
  at[0] = 4, at[1] = 5, at[2] = size / 2, at[3] = size - 1;
}
/* Both hold the raw address in a pin slot, as compiled code would: a barrier may stop the
 * thread between the translation and the accesses. */
static void stamp(void *h, size_t size, uint32_t seed) {
  PIN_SLOT(pin);
  unsigned char *p = pin_translate(pin, h);
  size_t at[4];
  offsets(size, at);
  memcpy(p, &seed, 4);
  for (int k = 0; k < 4; k++) p[at[k]] = pattern(seed, at[k]);
  unpin(pin);
}
static void check(void *h, size_t size) {
  PIN_SLOT(pin);
  const unsigned char *p = pin_translate(pin, h);
  uint32_t seed;
  size_t at[4];
  offsets(size, at);
  memcpy(&seed, p, 4);
  int bad = 0;
  for (int k = 0; k < 4; k++) bad |= p[at[k]] != pattern(seed, at[k]);
  unpin(pin);
  if (bad) atomic_fetch_add(&corrupted, 1);
}

static void *mutator(void *arg) {
  uint64_t rng = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
  void *mine[64] = {0};
  size_t size[64] = {0};
  while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
    for (int k = 0; k < 32; k++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      int i = (int)(rng % 64);
      if (mine[i]) {
        PIN_SLOT(pin); /* a pinned raw pointer held across a possible barrier */
        volatile char *p = pin_translate(pin, mine[i]);
        p[size[i] - 1] ^= 0x5a;
        p[size[i] - 1] ^= 0x5a;
        unpin(pin);
        check(mine[i], size[i]);
        hfree(mine[i]);
      }
      size[i] = 16 + rng % 256;
      mine[i] = halloc(size[i]);
      stamp(mine[i], size[i], (uint32_t)rng);
    }
    struct timespec nap = {0, 200000};
    nanosleep(&nap, NULL);
  }
  for (int i = 0; i < 64; i++) {
    if (!mine[i]) continue; /* the run may end before this thread got that far */
    check(mine[i], size[i]);
    hfree(mine[i]);
  }
  return NULL;
}

#define FRAG_OBJECTS 200000
static void *frag[FRAG_OBJECTS];
static uint16_t frag_size[FRAG_OBJECTS];

/* Allocate FRAG_OBJECTS objects of mixed small sizes and free 3 of every 4; each call frees
 * a different 3 of 4 (the previous survivors included), so compacted pages become sparse. */
static unsigned frag_phase;
static void fragment(uint64_t *rng) {
  frag_phase++;
  for (size_t i = 0; i < FRAG_OBJECTS; i++) {
    if (frag[i]) continue;
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    frag_size[i] = (uint16_t)(32 + (*rng >> 33) % 200);
    frag[i] = halloc(frag_size[i]);
    stamp(frag[i], frag_size[i], (uint32_t)i);
  }
  for (size_t i = 0; i < FRAG_OBJECTS; i++)
    if ((i + frag_phase) % 4 != 0) {
      check(frag[i], frag_size[i]);
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
      alaska_compact_step_t step;
      alaska_barrier_compact(budget, 0, 0, 1, &step);
      o = step.outcome;
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
  for (size_t i = 0; i < FRAG_OBJECTS; i++)
    if (frag[i]) check(frag[i], frag_size[i]);
  if (atomic_load(&corrupted)) {
    fprintf(stderr, "pause_bench: %llu corrupted objects\n", (unsigned long long)atomic_load(&corrupted));
    return 1;
  }
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
