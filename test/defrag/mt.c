/*
 * mt.c — several threads fragment their own parts of the heap, then keep reading, checking
 * and replacing values (including cross-thread frees) while the defragmentation service
 * compacts under them. Every value is checked on every read and at the end.
 *   mt [seconds]      exit 0 = every check passed
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 4
#define PER_THREAD 60000
#define KEEP_ONE_IN 8

typedef struct value {
  uint32_t key;
  uint32_t len;
  unsigned char bytes[]; /* bytes[i] = key * 31 + i */
} value;

static value *slots[THREADS][PER_THREAD];
static double seconds;
static _Atomic unsigned long bad_reads, reads, replaced;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t size_of(uint32_t key) { return 24 + (key * 2654435761u >> 20) % 200; }

static value *make(uint32_t key) {
  uint32_t len = size_of(key);
  value *v = malloc(sizeof(value) + len);
  if (!v) abort();
  v->key = key;
  v->len = len;
  for (uint32_t i = 0; i < len; i++) v->bytes[i] = (unsigned char)(key * 31 + i);
  return v;
}

static int ok(const value *v, uint32_t key) {
  if (!v || v->key != key || v->len != size_of(key)) return 0;
  for (uint32_t i = 0; i < v->len; i++)
    if (v->bytes[i] != (unsigned char)(key * 31 + i)) return 0;
  return 1;
}

static pthread_barrier_t fragmented;

static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  for (uint32_t i = 0; i < PER_THREAD; i++) slots[t][i] = make(t * PER_THREAD + i);
  for (uint32_t i = 0; i < PER_THREAD; i++)
    if (i % KEEP_ONE_IN) free(slots[t][i]), slots[t][i] = NULL;
  pthread_barrier_wait(&fragmented);
  /* Serve: read kept values (own and, every 16th read, another thread's), occasionally
   * replace one of our own (the old copy freed, the new one allocated elsewhere). */
  uint64_t rng = 0x9e3779b97f4a7c15ULL * (t + 1);
  double end = now() + seconds;
  unsigned long n = 0;
  while (now() < end) {
    for (int k = 0; k < 1024; k++, n++) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      uint32_t i = (uint32_t)(rng % (PER_THREAD / KEEP_ONE_IN)) * KEEP_ONE_IN;
      int owner = (n % 16 == 0) ? (int)((rng >> 40) % THREADS) : t;
      if (owner == t && n % 64 == 1) {
        value *old = slots[t][i];
        slots[t][i] = make(t * PER_THREAD + i);
        free(old);
        replaced++;
        continue;
      }
      if (owner != t) continue; /* other threads replace their values: reading them races */
      if (!ok(slots[owner][i], owner * PER_THREAD + i)) bad_reads++;
      reads++;
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  seconds = argc > 1 ? atof(argv[1]) : 2.0;
  pthread_t th[THREADS];
  pthread_barrier_init(&fragmented, NULL, THREADS);
  for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  unsigned long bad_final = 0, kept = 0;
  for (int t = 0; t < THREADS; t++)
    for (uint32_t i = 0; i < PER_THREAD; i += KEEP_ONE_IN, kept++)
      if (!ok(slots[t][i], t * PER_THREAD + i)) bad_final++;
  printf("mt: threads=%d kept=%lu reads=%lu replaced=%lu bad_reads=%lu bad_final=%lu\n", THREADS,
         kept, (unsigned long)reads, (unsigned long)replaced, (unsigned long)bad_reads, bad_final);
  return bad_reads || bad_final;
}
