/*
 * bench/alloc/alloc.c — allocator microbenchmark (issue 3).
 *
 * One source, compiled several times:
 *   -DBENCH_ALASKA      halloc/hfree from libalaska, every access through alaska_translate
 *   (default)           malloc/free; linked against glibc, -lmimalloc or -ljemalloc, which
 *                       interpose malloc/free when linked (Debian builds them that way)
 * Compiled with the plain C compiler (not alaska-clang): this measures the allocator, and
 * the Alaska variant pays one out-of-line alaska_translate per access, as issue 3 asks.
 * (Its raw addresses are not pinned, so it must not run with ALASKA_STRESS=1; the
 * defragmentation service is not armed for code the pass did not compile.)
 *
 * Workloads (select with argv[1]):
 *   churn  [ops] [slots]          single thread: a working set of `slots` slots; each op picks
 *                                 a random slot, frees what is there, allocates a random size
 *                                 in [16, 512] and writes one word into it.
 *   xthread [objs] [pairs]        `pairs` producer threads allocate `objs` objects each and
 *                                 pass them in batches through an SPSC ring to their consumer
 *                                 thread, which reads one word and frees them (all frees are
 *                                 remote frees).
 *
 * Output: one line `<workload> seconds=<wall s> cpu_seconds=<process CPU s> check=<n>`; `check` depends only on the random
 * sequence, so it must be identical for every allocator.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef BENCH_ALASKA
#include <alaska.h>
#define B_ALLOC(n) halloc(n)
#define B_FREE(p) hfree(p)
#define B_ADDR(p) ((uint64_t *)alaska_translate(p))
#define B_NAME "alaska"
#else
#define B_ALLOC(n) malloc(n)
#define B_FREE(p) free(p)
#define B_ADDR(p) ((uint64_t *)(p))
#define B_NAME "malloc"
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static void oom(void) {
  fprintf(stderr, "alloc bench: allocation failed\n");
  exit(2);
}

/* ---------------------------------------------------------------- churn ---------- */
static int churn(long ops, long slots) {
  void **slot = calloc((size_t)slots, sizeof(void *)); /* bookkeeping: system malloc */
  if (!slot) oom();
  uint64_t rng = 0x9e3779b97f4a7c15ULL, check = 0;
  double t0 = now(), c0 = cpu_now();
  for (long i = 0; i < ops; i++) {
    uint64_t r = xorshift(&rng);
    long k = (long)(r % (uint64_t)slots);
    if (slot[k]) {
      check += *B_ADDR(slot[k]);
      B_FREE(slot[k]);
    }
    size_t sz = 16 + (size_t)((r >> 32) % 497); /* 16..512 */
    void *p = B_ALLOC(sz);
    if (!p) oom();
    *B_ADDR(p) = sz;
    slot[k] = p;
  }
  for (long k = 0; k < slots; k++)
    if (slot[k]) {
      check += *B_ADDR(slot[k]);
      B_FREE(slot[k]);
    }
  double t1 = now(), c1 = cpu_now();
  free(slot);
  printf("churn seconds=%.4f cpu_seconds=%.4f check=%llu\n", t1 - t0, c1 - c0,
         (unsigned long long)check);
  return 0;
}

/* ---------------------------------------------------------------- xthread -------- */
#define BATCH 256
#define RING 64 /* batches in flight per pair */

typedef struct {
  void *p[BATCH];
  int n;
} batch_t;

typedef struct {
  batch_t ring[RING];
  _Alignas(64) atomic_long head; /* written by the producer */
  _Alignas(64) atomic_long tail; /* written by the consumer */
  long objs;
  uint64_t seed;
  uint64_t check;
} pair_t;

static void *producer(void *arg) {
  pair_t *q = arg;
  uint64_t rng = q->seed;
  long made = 0;
  while (made < q->objs) {
    long h = atomic_load_explicit(&q->head, memory_order_relaxed);
    while (h - atomic_load_explicit(&q->tail, memory_order_acquire) >= RING) sched_yield();
    batch_t *b = &q->ring[h % RING];
    int n = 0;
    for (; n < BATCH && made < q->objs; n++, made++) {
      uint64_t r = xorshift(&rng);
      size_t sz = 16 + (size_t)(r % 497);
      void *p = B_ALLOC(sz);
      if (!p) oom();
      *B_ADDR(p) = sz;
      b->p[n] = p;
    }
    b->n = n;
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
  }
  return NULL;
}

static void *consumer(void *arg) {
  pair_t *q = arg;
  long got = 0;
  uint64_t check = 0;
  while (got < q->objs) {
    long t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    while (atomic_load_explicit(&q->head, memory_order_acquire) == t) sched_yield();
    batch_t *b = &q->ring[t % RING];
    for (int i = 0; i < b->n; i++) {
      check += *B_ADDR(b->p[i]);
      B_FREE(b->p[i]);
    }
    got += b->n;
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
  }
  q->check = check;
  return NULL;
}

static int xthread(long objs, int pairs) {
  pair_t *q = aligned_alloc(64, sizeof(pair_t) * (size_t)pairs);
  pthread_t *th = calloc((size_t)pairs * 2, sizeof(pthread_t));
  if (!q || !th) oom();
  memset(q, 0, sizeof(pair_t) * (size_t)pairs);
  double t0 = now(), c0 = cpu_now();
  for (int i = 0; i < pairs; i++) {
    q[i].objs = objs;
    q[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
    pthread_create(&th[2 * i], NULL, producer, &q[i]);
    pthread_create(&th[2 * i + 1], NULL, consumer, &q[i]);
  }
  uint64_t check = 0;
  for (int i = 0; i < 2 * pairs; i++) pthread_join(th[i], NULL);
  double t1 = now(), c1 = cpu_now();
  for (int i = 0; i < pairs; i++) check += q[i].check;
  printf("xthread seconds=%.4f cpu_seconds=%.4f check=%llu\n", t1 - t0, c1 - c0,
         (unsigned long long)check);
  free(q);
  free(th);
  return 0;
}

int main(int argc, char **argv) {
  const char *w = argc > 1 ? argv[1] : "churn";
  if (!strcmp(w, "churn"))
    return churn(argc > 2 ? atol(argv[2]) : 10000000L, argc > 3 ? atol(argv[3]) : 100000L);
  if (!strcmp(w, "xthread"))
    return xthread(argc > 2 ? atol(argv[2]) : 4000000L, argc > 3 ? atoi(argv[3]) : 2);
  if (!strcmp(w, "name")) {
    puts(B_NAME);
    return 0;
  }
  fprintf(stderr, "usage: %s churn [ops] [slots] | xthread [objs-per-producer] [pairs]\n",
          argv[0]);
  return 2;
}
