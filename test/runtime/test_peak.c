/* handles_peak (ALASKA_STATS, alaska_get_stats) is the high-water mark of handles_live:
 * exact when one thread allocates, whatever the path (fast, slow, refill, spill, large
 * objects, realloc, the other entry points); with threads, exact for threads that each
 * hold their own objects, and within the documented slack of the true peak when one thread
 * frees what another allocates (where adding up per-thread peaks would report every
 * allocation ever made). Each case runs in a fresh process. */
#include <alaska.h>
#include <pthread.h>

#include "harness.h"

static uint64_t live(void) {
  alaska_stats_t s;
  alaska_get_stats(&s);
  return s.handles_live;
}
static uint64_t peak(void) {
  alaska_stats_t s;
  alaska_get_stats(&s);
  return s.handles_peak;
}

#define EXPECT_PEAK(base, n)                                                                 \
  do {                                                                                       \
    uint64_t got_ = peak(), want_ = (base) + (n);                                            \
    if (got_ != want_) {                                                                     \
      fprintf(stderr, "%s:%d: handles_peak %llu, expected %llu\n", __FILE__, __LINE__,       \
              (unsigned long long)got_, (unsigned long long)want_);                          \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

/* The peak of the process before the case (the harness and libc may hold a few). */
static uint64_t start(void) {
  uint64_t b = live();
  CHECK_EQ(peak(), b);
  return b;
}

static void case_one(void) {
  uint64_t b = start();
  hfree(halloc(24));
  EXPECT_PEAK(b, 1);
  CHECK_EQ(live(), b);
}

/* More than the thread's id stack holds (1024): refills from fresh batches, spills to the
 * global list and refills from it, each of which moves the window. */
static void case_many(void) {
  enum { N = 5000 };
  static void *h[2 * N];
  uint64_t b = start();
  for (int i = 0; i < N; i++) h[i] = halloc(16 + i % 200);
  EXPECT_PEAK(b, N);
  for (int i = 0; i < N; i++) hfree(h[i]);
  EXPECT_PEAK(b, N);
  for (int i = 0; i < 10; i++) h[i] = halloc(32);
  EXPECT_PEAK(b, N);
  for (int i = 10; i < N; i++) h[i] = halloc(32); /* back to the peak, not past it */
  EXPECT_PEAK(b, N);
  for (int i = N; i < N + 7; i++) h[i] = halloc(32);
  EXPECT_PEAK(b, N + 7);
  /* frees in another order, then a peak reached again one by one */
  for (int i = N + 6; i >= 0; i -= 2) hfree(h[i]);
  for (int i = N + 6; i >= 0; i -= 2) h[i] = halloc(48);
  EXPECT_PEAK(b, N + 7);
  h[N + 7] = halloc(48);
  EXPECT_PEAK(b, N + 8);
  for (int i = 0; i < N + 8; i++) hfree(h[i]);
  CHECK_EQ(live(), b);
  EXPECT_PEAK(b, N + 8);
}

static void case_large(void) {
  uint64_t b = start();
  void *a = halloc(100000), *c = halloc(100000), *d = halloc(100000);
  EXPECT_PEAK(b, 3);
  hfree(a);
  hfree(c);
  a = halloc(100000);
  EXPECT_PEAK(b, 3);
  hfree(a);
  hfree(d);
  EXPECT_PEAK(b, 3);
}

/* A moving realloc keeps its handle: one handle however far it grows. */
static void case_realloc(void) {
  uint64_t b = start();
  void *h = halloc(16);
  for (size_t n = 32; n <= (1u << 20); n *= 2) h = hrealloc(h, n);
  h = hrealloc(h, 8);
  EXPECT_PEAK(b, 1);
  hfree(h);
  EXPECT_PEAK(b, 1);
}

static void case_entry_points(void) {
  uint64_t b = start();
  void *p[5];
  p[0] = hcalloc(10, 10);
  p[1] = alaska_aligned_alloc(256, 512);
  CHECK(alaska_posix_memalign(&p[2], 64, 100) == 0);
  p[3] = alaska_strdup("handles");
  p[4] = hrealloc(NULL, 40);
  EXPECT_PEAK(b, 5);
  for (int i = 0; i < 5; i++) hfree(p[i]);
  EXPECT_PEAK(b, 5);
}

/* Four threads each hold 1000 objects at once (synchronised), then free them. */
enum { HOLDERS = 4, HELD = 1000 };
static pthread_barrier_t all_hold;
static void *holder(void *arg) {
  (void)arg;
  static __thread void *mine[HELD];
  for (int i = 0; i < HELD; i++) mine[i] = halloc(64);
  pthread_barrier_wait(&all_hold);
  pthread_barrier_wait(&all_hold);
  for (int i = 0; i < HELD; i++) hfree(mine[i]);
  return NULL;
}
static void case_threads_hold(void) {
  uint64_t b = start();
  pthread_t t[HOLDERS];
  pthread_barrier_init(&all_hold, NULL, HOLDERS + 1);
  for (int i = 0; i < HOLDERS; i++) CHECK(pthread_create(&t[i], NULL, holder, NULL) == 0);
  pthread_barrier_wait(&all_hold);
  EXPECT_PEAK(b, HOLDERS * HELD);
  pthread_barrier_wait(&all_hold);
  for (int i = 0; i < HOLDERS; i++) pthread_join(t[i], NULL);
  CHECK_EQ(live(), b);
  EXPECT_PEAK(b, HOLDERS * HELD);
}

/* A producer allocates 200,000 objects that a consumer frees, never more than QUEUE alive
 * at once: the peak is at most QUEUE + a few in flight, and may exceed it only by the
 * per-thread slack (256 per cache, three caches); far from 200,000. */
enum { TOTAL = 200000, QUEUE = 256 };
static void *queue[QUEUE];
static unsigned head, tail; /* producer writes head, consumer tail */
static void *consumer(void *arg) {
  (void)arg;
  for (unsigned n = 0; n < TOTAL; n++) {
    while (__atomic_load_n(&head, __ATOMIC_ACQUIRE) == tail) sched_yield();
    hfree(queue[tail % QUEUE]);
    __atomic_store_n(&tail, tail + 1, __ATOMIC_RELEASE);
  }
  return NULL;
}
static void case_producer_consumer(void) {
  uint64_t b = start();
  pthread_t t;
  CHECK(pthread_create(&t, NULL, consumer, NULL) == 0);
  for (unsigned n = 0; n < TOTAL; n++) {
    while (head - __atomic_load_n(&tail, __ATOMIC_ACQUIRE) == QUEUE) sched_yield();
    queue[head % QUEUE] = halloc(32);
    __atomic_store_n(&head, head + 1, __ATOMIC_RELEASE);
  }
  pthread_join(t, NULL);
  uint64_t p = peak();
  CHECK_EQ(live(), b);
  if (p < b + 1 || p > b + QUEUE + 3 * 256) {
    fprintf(stderr, "handles_peak %llu after a producer/consumer that held at most %d: "
            "expected %llu..%llu\n", (unsigned long long)p, QUEUE, (unsigned long long)b + 1,
            (unsigned long long)(b + QUEUE + 3 * 256));
    exit(1);
  }
}

/* The stats line at exit says the same. */
static void case_line(void) {
  for (int i = 0; i < 3; i++) hfree(halloc(8));
  void *keep[2] = {halloc(8), halloc(8)};
  (void)keep;
}

static const harness_case_t cases[] = {
    {"one", case_one},
    {"many", case_many},
    {"large", case_large},
    {"realloc", case_realloc},
    {"entry_points", case_entry_points},
    {"threads_hold", case_threads_hold},
    {"producer_consumer", case_producer_consumer},
    {"line", case_line},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  for (int i = 0; cases[i].name && strcmp(cases[i].name, "line") != 0; i++)
    expect_success(argv[0], cases[i].name, NULL);
  char buf[8192];
  int status = 0;
  CHECK(harness_spawn(argv[0], "line", "ALASKA_STATS=1", buf, sizeof buf, &status) == 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(strstr(buf, " halloc=5 hfree=3 handles_live=2 handles_peak=2 ") != NULL ||
        (fprintf(stderr, "stats line: %s\n", buf), 0));
  printf("ok line (%s)\n", "handles_peak=2 on the stats line");
  return 0;
}
