/*
 * mt_churn.c — >= 8 threads allocate, share, resize and free handles across threads and
 * checksum every object's contents, while barriers move every unpinned object every
 * millisecond (run with ALASKA_STRESS=1 ALASKA_STRESS_MS=1). Fails on a corrupted or lost
 * object, on a handle leak, or if nothing moved.
 *
 *   mt_churn [threads] [seconds]     (defaults 8 and 10)
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

#define NSLOTS 4096
/* Shared slots hold handles (0 = empty); a thread owns an object while it holds it. */
static _Atomic uint64_t slots[NSLOTS];
static _Atomic int stop_flag;
static _Atomic uint64_t corrupted;

typedef struct {
  uint32_t size; /* bytes in the object, header included */
  uint32_t seed;
} header_t;

static uint8_t pattern_byte(uint32_t seed, uint32_t i) {
  return (uint8_t)((seed * 2654435761u + i * 40503u) >> 13);
}

static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static size_t pick_size(uint64_t *rng) {
  uint64_t r = rng_next(rng);
  if (r % 200 == 0) return 33000 + r % 30000; /* an occasional large object */
  return sizeof(header_t) + r % 1000;
}

static void fill(void *raw, uint32_t size, uint32_t seed) {
  header_t *h = raw;
  h->size = size;
  h->seed = seed;
  uint8_t *b = raw;
  for (uint32_t i = sizeof(header_t); i < size; i++) b[i] = pattern_byte(seed, i);
}

static int verify(const void *raw) {
  const header_t *h = raw;
  const uint8_t *b = raw;
  if (h->size < sizeof(header_t) || h->size > 70000) return 0;
  for (uint32_t i = sizeof(header_t); i < h->size; i++)
    if (b[i] != pattern_byte(h->seed, i)) return 0;
  return 1;
}

typedef struct {
  uint64_t rng;
  uint64_t allocs, frees, reallocs, verified;
} worker_t;

static void *alloc_object(worker_t *w) {
  size_t size = pick_size(&w->rng);
  void *h = halloc(size);
  if (!h) {
    fprintf(stderr, "mt_churn: halloc(%zu) failed\n", size);
    exit(1);
  }
  PIN_SLOT(pin);
  fill(pin_translate(pin, h), (uint32_t)size, (uint32_t)rng_next(&w->rng));
  unpin(pin);
  w->allocs++;
  return h;
}

static void *worker(void *arg) {
  worker_t *w = arg;
  for (unsigned long iter = 1; !atomic_load_explicit(&stop_flag, memory_order_relaxed); iter++) {
    /* Nap now and then: 8 CPU-bound threads on a 2-core machine would make every barrier
     * wait for the scheduler (a stopped thread must first get a CPU to take the signal),
     * leaving few barriers to test against. Naps are also interrupted by them (EINTR). */
    if (iter % 64 == 0) {
      struct timespec nap = {0, 100000};
      nanosleep(&nap, NULL);
    }
    size_t i = rng_next(&w->rng) % NSLOTS;
    void *h = (void *)(uintptr_t)atomic_exchange(&slots[i], 0);
    if (!h) {
      h = alloc_object(w);
    } else {
      PIN_SLOT(pin);
      void *raw = pin_translate(pin, h);
      if (!verify(raw)) atomic_fetch_add(&corrupted, 1);
      w->verified++;
      uint64_t action = rng_next(&w->rng) % 8;
      if (action == 0) { /* free it here: it may have been allocated by another thread */
        unpin(pin);
        hfree(h);
        w->frees++;
        continue;
      }
      if (action == 1) { /* rewrite it with a new seed */
        header_t *hd = raw;
        fill(raw, hd->size, (uint32_t)rng_next(&w->rng));
      }
      unpin(pin);
      if (action == 2) { /* resize: the old contents must survive, then refill */
        size_t size = pick_size(&w->rng);
        void *nh = hrealloc(h, size);
        if (!nh) {
          fprintf(stderr, "mt_churn: hrealloc failed\n");
          exit(1);
        }
        raw = pin_translate(pin, nh);
        header_t *hd = raw;
        uint32_t kept = hd->size < size ? hd->size : (uint32_t)size;
        const uint8_t *b = raw;
        for (uint32_t k = sizeof(header_t); k < kept; k++)
          if (b[k] != pattern_byte(hd->seed, k)) {
            atomic_fetch_add(&corrupted, 1);
            break;
          }
        fill(raw, (uint32_t)size, (uint32_t)rng_next(&w->rng));
        unpin(pin);
        h = nh;
        w->reallocs++;
      }
    }
    /* Share it: put it in a random empty slot, else drop it. */
    size_t j = rng_next(&w->rng) % NSLOTS;
    uint64_t expected = 0;
    if (!atomic_compare_exchange_strong(&slots[j], &expected, (uint64_t)(uintptr_t)h)) {
      hfree(h);
      w->frees++;
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  int nthreads = argc > 1 ? atoi(argv[1]) : 8;
  int seconds = argc > 2 ? atoi(argv[2]) : 10;
  if (nthreads < 1 || nthreads > 256 || seconds < 1) {
    fprintf(stderr, "usage: mt_churn [threads 1..256] [seconds >= 1]\n");
    return 2;
  }
  if (!alaska_stress_enabled())
    fprintf(stderr, "mt_churn: note: ALASKA_STRESS is not set, objects only move if "
                    "something else compacts\n");
  alaska_stats_t s0;
  alaska_get_stats(&s0);

  pthread_t th[256];
  worker_t ws[256];
  for (int i = 0; i < nthreads; i++) {
    memset(&ws[i], 0, sizeof ws[i]);
    ws[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
    pthread_create(&th[i], NULL, worker, &ws[i]);
  }
  /* Barrier signals cut sleeps short (EINTR, see docs/design.md §6.2): sleep until a
   * deadline instead. */
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += seconds;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) != 0) {
  }
  atomic_store(&stop_flag, 1);
  uint64_t allocs = 0, frees = 0, reallocs = 0, verified = 0;
  for (int i = 0; i < nthreads; i++) {
    pthread_join(th[i], NULL);
    allocs += ws[i].allocs;
    frees += ws[i].frees;
    reallocs += ws[i].reallocs;
    verified += ws[i].verified;
  }

  /* Every object still in a slot must be intact; then free them all. */
  uint64_t remaining = 0;
  for (size_t i = 0; i < NSLOTS; i++) {
    void *h = (void *)(uintptr_t)atomic_load(&slots[i]);
    if (!h) continue;
    PIN_SLOT(pin);
    if (!verify(pin_translate(pin, h))) atomic_fetch_add(&corrupted, 1);
    unpin(pin);
    remaining++;
  }
  int failed = 0;
  if (allocs != frees + remaining) {
    fprintf(stderr, "mt_churn: FAIL lost objects: %llu allocated, %llu freed, %llu left\n",
            (unsigned long long)allocs, (unsigned long long)frees,
            (unsigned long long)remaining);
    failed = 1;
  }
  alaska_stats_t s1;
  alaska_get_stats(&s1);
  if (s1.handles_live - s0.handles_live != remaining) {
    fprintf(stderr, "mt_churn: FAIL runtime reports %llu live handles, the test holds %llu\n",
            (unsigned long long)(s1.handles_live - s0.handles_live),
            (unsigned long long)remaining);
    failed = 1;
  }
  for (size_t i = 0; i < NSLOTS; i++) {
    void *h = (void *)(uintptr_t)atomic_load(&slots[i]);
    if (h) hfree(h);
  }
  alaska_barrier_stats_t b;
  alaska_barrier_get_stats(&b);
  printf("mt_churn: %d threads %d s: %llu allocs %llu frees %llu reallocs %llu verified; "
         "%llu barriers (given up: %llu busy, %llu timeout, %llu unscannable), %llu objects / %llu bytes moved, pause p50 %llu us "
         "p99 %llu us max %llu us\n",
         nthreads, seconds, (unsigned long long)allocs, (unsigned long long)frees,
         (unsigned long long)reallocs, (unsigned long long)verified,
         (unsigned long long)b.barriers,
         (unsigned long long)b.gave_up_busy, (unsigned long long)b.gave_up_timeout,
         (unsigned long long)b.gave_up_unscannable,
         (unsigned long long)b.objects_moved, (unsigned long long)b.bytes_moved,
         (unsigned long long)b.pause_p50_us, (unsigned long long)b.pause_p99_us,
         (unsigned long long)b.pause_max_us);
  if (atomic_load(&corrupted)) {
    fprintf(stderr, "mt_churn: FAIL %llu corrupted objects\n",
            (unsigned long long)atomic_load(&corrupted));
    failed = 1;
  }
  if (alaska_stress_enabled() && b.objects_moved == 0) {
    fprintf(stderr, "mt_churn: FAIL stress mode moved no object\n");
    failed = 1;
  }
  return failed;
}
