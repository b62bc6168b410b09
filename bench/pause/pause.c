/*
 * bench/pause/pause.c — stop-the-world pause of alaska_compact() vs bytes moved and thread
 * count (issue 5). Build with alaska-clang (it calls the runtime's alaska_compact()).
 *
 *   pause [--threads T] [--mib M] [--keep K] [--size S] [--reps R] [--mode busy|mixed]
 *
 * Every repetition: each of T worker threads allocates (M MiB * K / T) of S-byte objects and
 * frees all but one in K, so ~M MiB of live objects are left scattered over pages that are
 * 1/K full; the main thread then calls alaska_compact() and times it (wall clock around the
 * call: stop the world + move + release + resume) while the workers keep reading their
 * surviving objects (mode busy: spinning; mode mixed: 200 us of reads, 200 us asleep). The
 * workers then verify every surviving object's contents and free them.
 * Output: one line `pause: ... p50_us= p99_us= max_us= released_mib_avg= result=OK|FAIL`.
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

size_t alaska_compact(void); /* libalaska (include/alaska.h) */

static int threads = 8, keep = 8, reps = 50, busy = 1;
static double mib = 1.0;
static size_t objsize = 64;
static pthread_barrier_t bar;
static atomic_int phase_stop;
static atomic_long bad;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t pattern(long t, long i, long w) {
  return (uint64_t)t * 0x9e3779b97f4a7c15ULL ^ (uint64_t)i * 0xbf58476d1ce4e5b9ULL ^ (uint64_t)w;
}

static void *worker(void *arg) {
  long t = (long)(intptr_t)arg;
  size_t total = (size_t)(mib * 1048576.0 * keep / threads);
  long n = (long)(total / objsize);
  long words = (long)(objsize / 8);
  uint64_t **all = malloc(sizeof(uint64_t *) * (size_t)n);
  uint64_t **live = malloc(sizeof(uint64_t *) * (size_t)(n / keep + 1));
  for (int r = 0; r < reps; r++) {
    long nl = 0;
    for (long i = 0; i < n; i++) {
      all[i] = malloc(objsize);
      for (long w = 0; w < words; w++) all[i][w] = pattern(t, i, w);
    }
    for (long i = 0; i < n; i++) {
      if (i % keep == 0)
        live[nl++] = all[i];
      else
        free(all[i]);
    }
    pthread_barrier_wait(&bar); /* A: heap prepared */
    uint64_t sum = 0;
    while (!atomic_load_explicit(&phase_stop, memory_order_acquire)) {
      double until = now() + 200e-6;
      do {
        for (long j = 0; j < nl && j < 4096; j++) sum += live[(j * 7919) % nl][0];
      } while (busy == 0 && now() < until);
      if (!busy) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
      }
    }
    pthread_barrier_wait(&bar); /* B: compaction done */
    for (long j = 0; j < nl; j++) {
      long i = j * keep;
      for (long w = 0; w < words; w++)
        if (live[j][w] != pattern(t, i, w)) {
          atomic_fetch_add(&bad, 1);
          break;
        }
      free(live[j]);
    }
    if (sum == 42) puts(""); /* keep the reads */
    pthread_barrier_wait(&bar); /* C: verified and freed */
  }
  free(all);
  free(live);
  return NULL;
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--mib")) mib = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--keep")) keep = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--size")) objsize = (size_t)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--mode")) busy = strcmp(argv[i + 1], "mixed") != 0;
    else {
      fprintf(stderr, "usage: %s [--threads T] [--mib M] [--keep K] [--size S] [--reps R] "
                      "[--mode busy|mixed]\n", argv[0]);
      return 2;
    }
  }
  if (threads < 1 || keep < 1 || reps < 1 || objsize < 8 || mib <= 0) return 2;
  objsize &= ~(size_t)7;
  pthread_barrier_init(&bar, NULL, (unsigned)threads + 1);
  pthread_t *th = malloc(sizeof(pthread_t) * (size_t)threads);
  for (long t = 0; t < threads; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
  double *pause = malloc(sizeof(double) * (size_t)reps);
  double released = 0;
  for (int r = 0; r < reps; r++) {
    atomic_store(&phase_stop, 0);
    pthread_barrier_wait(&bar); /* A */
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL); /* let the workers get going */
    double t0 = now();
    size_t rel = alaska_compact();
    double t1 = now();
    pause[r] = (t1 - t0) * 1e6;
    released += (double)rel;
    atomic_store_explicit(&phase_stop, 1, memory_order_release);
    pthread_barrier_wait(&bar); /* B */
    pthread_barrier_wait(&bar); /* C */
  }
  for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
  qsort(pause, (size_t)reps, sizeof(double), cmpd);
  int i99 = (int)(0.99 * (reps - 1) + 0.5);
  printf("pause: threads=%d mode=%s target_mib=%.2f keep=1/%d size=%zu reps=%d p50_us=%.0f "
         "p99_us=%.0f max_us=%.0f released_mib_avg=%.2f bad=%ld result=%s\n",
         threads, busy ? "busy" : "mixed", mib, keep, objsize, reps, pause[reps / 2], pause[i99],
         pause[reps - 1], released / reps / 1048576.0, atomic_load(&bad),
         atomic_load(&bad) ? "FAIL" : "OK");
  free(pause);
  free(th);
  return atomic_load(&bad) ? 1 : 0;
}
