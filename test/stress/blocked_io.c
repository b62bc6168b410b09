/*
 * blocked_io.c — compaction while threads are where no compiled code runs:
 *   1. a thread blocked in read() on a pipe, into a translated heap buffer (its handle in
 *      a pin slot, as the pass emits it): compactions that move every other object must
 *      leave that buffer where it is, and the read must land in the object;
 *   2. a thread with the barrier signal blocked: alaska_compact gives up within the
 *      timeout instead of hanging, and the give-up is visible in the statistics.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alaska.h"
#include "mover/barrier.h"
#include "pinning.h"

#define BUF 4096
#include "check.h"

static int pipe_fds[2];
static void *reader_buffer;              /* the handle the reader reads into */
static _Atomic(void *) reader_raw;       /* where it was when read() started */
static _Atomic int reader_done;
static ssize_t reader_got;

static void *reader(void *arg) {
  (void)arg;
  PIN_SLOT(pin);
  char *raw = pin_translate(pin, reader_buffer);
  atomic_store(&reader_raw, raw);
  size_t got = 0;
  while (got < BUF) { /* uncompiled code (the kernel) holds `raw` for the whole call */
    ssize_t n = read(pipe_fds[0], raw + got, BUF - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  unpin(pin);
  reader_got = (ssize_t)got;
  atomic_store(&reader_done, 1);
  return NULL;
}

static uint64_t moved_objects(void) {
  alaska_barrier_stats_t s;
  alaska_barrier_get_stats(&s);
  return s.objects_moved;
}

static void test_blocked_read(void) {
  CHECK(pipe(pipe_fds) == 0, "pipe");
  reader_buffer = halloc(BUF);
  memset(alaska_translate(reader_buffer), 0, BUF);
  /* Other objects, unpinned (their handles are in a global, not on any stack), which a
   * move-everything compaction moves. */
  enum { N = 256 };
  static void *others[N];
  for (int i = 0; i < N; i++) {
    others[i] = halloc(BUF);
    memset(alaska_translate(others[i]), i & 0xff, BUF);
  }
  pthread_t th;
  pthread_create(&th, NULL, reader, NULL);
  while (!atomic_load(&reader_raw)) sched_yield();
  usleep(20000); /* let it block in read() */

  uint64_t moved_before = moved_objects();
  int compacted = 0;
  for (int round = 0; round < 5; round++) {
    alaska_compact_step_t step;
    alaska_barrier_compact(SIZE_MAX, 0, 1, 50, &step);
    compacted += step.outcome == ALASKA_BARRIER_STOPPED;
  }
  CHECK(compacted > 0, "no compaction could stop the world");
  CHECK(moved_objects() > moved_before, "unpinned objects moved");
  CHECK(alaska_translate(reader_buffer) == atomic_load(&reader_raw),
        "the buffer held by the blocked read() did not move");

  /* Feed the pipe in two halves with a compaction in between. */
  char msg[BUF];
  for (int i = 0; i < BUF; i++) msg[i] = (char)('a' + i % 26);
  CHECK(write(pipe_fds[1], msg, BUF / 2) == BUF / 2, "write 1");
  usleep(10000);
  alaska_barrier_compact(SIZE_MAX, 0, 1, 50, NULL);
  CHECK(write(pipe_fds[1], msg + BUF / 2, BUF / 2) == BUF / 2, "write 2");
  pthread_join(th, NULL);
  CHECK(reader_got == BUF, "read %zd bytes", reader_got);
  CHECK(memcmp(alaska_translate(reader_buffer), msg, BUF) == 0,
        "the data read() stored is in the object");
  for (int i = 0; i < N; i++) {
    const unsigned char *p = alaska_translate(others[i]);
    int ok = 1;
    for (int k = 0; k < BUF; k++) ok &= p[k] == (unsigned char)(i & 0xff);
    CHECK(ok, "moved object %d intact", i);
    hfree(others[i]);
  }
  hfree(reader_buffer);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

static volatile int release_blocker;
static _Atomic int blocker_ready;
static void *blocker(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, alaska_barrier_signal());
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  atomic_store(&blocker_ready, 1);
  /* Spin, never sleep: a sleeping thread parks and is stopped without the signal. */
  while (!release_blocker) sched_yield();
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_blocked_signal(void) {
  pthread_t th;
  pthread_create(&th, NULL, blocker, NULL);
  while (!atomic_load(&blocker_ready)) sched_yield();
  alaska_barrier_stats_t before, after;
  alaska_barrier_get_stats(&before);
  double t0 = now_ms();
  size_t released = alaska_compact();
  double took = now_ms() - t0;
  alaska_barrier_get_stats(&after);
  CHECK(released == 0, "nothing released while a thread cannot be stopped");
  CHECK(after.gave_up_timeout > before.gave_up_timeout, "the give-up is in the statistics");
  CHECK(after.barriers == before.barriers, "no barrier completed");
  CHECK(took < 2000, "alaska_compact returned after %.1f ms", took);
  release_blocker = 1;
  pthread_join(th, NULL);
  alaska_compact_step_t step;
  alaska_barrier_compact(SIZE_MAX, 0, 0, 50, &step);
  CHECK(step.outcome == ALASKA_BARRIER_STOPPED,
        "compaction works again once the thread is gone (%d)", step.outcome);
}

int main(void) {
  test_blocked_read();
  test_blocked_signal();
  alaska_print_stats();
  if (failures) {
    fprintf(stderr, "blocked_io: %d failure(s)\n", failures);
    return 1;
  }
  printf("blocked_io: all passed\n");
  return 0;
}
