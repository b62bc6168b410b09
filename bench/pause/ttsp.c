/*
 * bench/pause/ttsp.c — time to stop: from a barrier's signals to every thread stopped
 * (issue 14). Build with alaska-clang; run with ALASKA_STATS=1 ALASKA_DEFRAG=0, which prints
 * the runtime's own histogram of it (`stop_p50_us stop_p99_us max_stop_us`).
 *
 *   ttsp [--spinners N] [--extra none|qsort|memcpy|read|sleep] [--barriers K]
 *
 * N threads spin in tight compiled loops with no calls (each iteration updates a heap
 * object, so the loop holds a translated handle); one more thread, unless `none`, spends the
 * run in: `qsort` of 8 M ints with a compiled comparator (uncompiled code calling back into
 * compiled code), `memcpy` of 1 GiB between heap objects (uncompiled code, long), a `read`
 * of a pipe nobody writes to (blocked in the kernel), or `nanosleep` (parked). The main
 * thread calls alaska_compact() K times, 2 ms apart. Every thread checks its own work at the
 * end. Output: `ttsp: spinners=N extra=X barriers=K result=OK|FAIL`.
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
#include <unistd.h>

size_t alaska_compact(void); /* libalaska (include/alaska.h) */

static atomic_int done;
static atomic_int failures;
static atomic_int running;

typedef struct spin_state {
  uint64_t x, sum;
} spin_state_t;

static void *spinner(void *arg) {
  spin_state_t *s = malloc(sizeof *s);
  s->x = (uint64_t)(uintptr_t)arg * 2654435761u + 1;
  s->sum = 0;
  uint64_t iters = 0, expect = 0, x = s->x;
  atomic_fetch_add(&running, 1);
  while (!atomic_load_explicit(&done, memory_order_relaxed)) {
    s->x = s->x * 6364136223846793005ull + 1442695040888963407ull;
    s->sum += s->x >> 33;
    iters++;
  }
  for (uint64_t i = 0; i < iters; i++) { /* the same sequence, from local state */
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    expect += x >> 33;
  }
  if (expect != s->sum) atomic_fetch_add(&failures, 1);
  free(s);
  return NULL;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void *in_qsort(void *arg) {
  (void)arg;
  size_t n = 8u << 20;
  int *v = malloc(n * sizeof *v);
  atomic_fetch_add(&running, 1);
  while (!atomic_load(&done)) {
    uint32_t r = 12345;
    for (size_t i = 0; i < n; i++) v[i] = (int)((r = r * 1103515245u + 12345u) >> 1);
    qsort(v, n, sizeof *v, cmp_int);
    for (size_t i = 1; i < n; i++)
      if (v[i - 1] > v[i]) {
        atomic_fetch_add(&failures, 1);
        break;
      }
  }
  free(v);
  return NULL;
}

static void *in_memcpy(void *arg) {
  (void)arg;
  size_t n = (size_t)1 << 30;
  unsigned char *a = malloc(n), *b = malloc(n);
  memset(a, 0x5a, n);
  atomic_fetch_add(&running, 1);
  unsigned char k = 0;
  while (!atomic_load(&done)) {
    a[(size_t)k * 4096] = k;
    memcpy(b, a, n);
    if (b[(size_t)k * 4096] != k || b[n - 1] != 0x5a) atomic_fetch_add(&failures, 1);
    k++;
  }
  free(a);
  free(b);
  return NULL;
}

static int never_written[2];
static void *in_read(void *arg) {
  (void)arg;
  char *buf = malloc(16);
  atomic_fetch_add(&running, 1);
  ssize_t r = read(never_written[0], buf, 16); /* until main writes at the end */
  if (r != 1 || buf[0] != 'x') atomic_fetch_add(&failures, 1);
  free(buf);
  return NULL;
}

static void *in_sleep(void *arg) {
  (void)arg;
  atomic_fetch_add(&running, 1);
  while (!atomic_load(&done)) {
    struct timespec t = {0, 50 * 1000 * 1000};
    if (nanosleep(&t, NULL) != 0) atomic_fetch_add(&failures, 1);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int spinners = 8, barriers = 200;
  const char *extra = "none";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--spinners")) spinners = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--extra")) extra = argv[i + 1];
    else if (!strcmp(argv[i], "--barriers")) barriers = atoi(argv[i + 1]);
    else {
      fprintf(stderr, "ttsp: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  void *(*extra_fn)(void *) = NULL;
  if (!strcmp(extra, "qsort")) extra_fn = in_qsort;
  else if (!strcmp(extra, "memcpy")) extra_fn = in_memcpy;
  else if (!strcmp(extra, "read")) extra_fn = in_read;
  else if (!strcmp(extra, "sleep")) extra_fn = in_sleep;
  else if (strcmp(extra, "none")) {
    fprintf(stderr, "ttsp: unknown --extra %s\n", extra);
    return 2;
  }
  if (pipe(never_written) != 0) return 2;
  pthread_t th[65];
  int n = 0;
  for (; n < spinners && n < 64; n++) pthread_create(&th[n], NULL, spinner, (void *)(uintptr_t)n);
  if (extra_fn) pthread_create(&th[n++], NULL, extra_fn, NULL);
  while (atomic_load(&running) < n) usleep(1000);
  usleep(50000); /* the extra thread is deep in its call */
  for (int b = 0; b < barriers; b++) {
    alaska_compact();
    usleep(2000);
  }
  atomic_store(&done, 1);
  if (write(never_written[1], "x", 1) != 1) return 2;
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  int f = atomic_load(&failures);
  printf("ttsp: spinners=%d extra=%s barriers=%d result=%s\n", spinners, extra, barriers,
         f ? "FAIL" : "OK");
  return f ? 1 : 0;
}
