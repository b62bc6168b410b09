/*
 * trace.c — ALASKA_TRACE CSV time series (trace.h, docs/design.md §7). No malloc: rows are
 * formatted on the stack and written with one write(2) each.
 */
#include "policy/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap/heap.h"
#include "mover/barrier.h"
#include "options.h"
#include "os/os.h"
#include "policy/defrag_policy.h"

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static int trace_fd = -1;
static _Atomic int trace_on;
static uint64_t trace_period_ns = 100ULL * 1000 * 1000;
static struct timespec trace_t0;

static int init_body(void) {
  const alaska_options_t *o = alaska_options();
  const char *path = o->trace;
  if (!path) return 0;
  trace_period_ns = o->trace_ms * 1000000ULL;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    alaska_report("cannot open ALASKA_TRACE file '%s': %s", path, strerror(errno));
    return 0; /* tracing is diagnostics: do not kill the program over it */
  }
  clock_gettime(CLOCK_MONOTONIC, &trace_t0);
  os_write_all(fd, ALASKA_TRACE_HEADER, strlen(ALASKA_TRACE_HEADER));
  trace_fd = fd;
  return 1;
}

int alaska_trace_init(void) {
  static int done;
  pthread_mutex_lock(&trace_lock);
  if (!done) {
    done = 1;
    atomic_store(&trace_on, init_body());
  }
  pthread_mutex_unlock(&trace_lock);
  return atomic_load(&trace_on);
}

int alaska_trace_enabled(void) { return atomic_load_explicit(&trace_on, memory_order_relaxed); }

uint64_t alaska_trace_period_ns(void) { return trace_period_ns; }

void alaska_trace_sample(void) {
  if (!alaska_trace_enabled()) return;
  /* The whole sample under the lock: two samplers (the service thread, the exit) must not
   * write their rows in another order than they took their times. */
  pthread_mutex_lock(&trace_lock);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double t = (double)(now.tv_sec - trace_t0.tv_sec) + (double)(now.tv_nsec - trace_t0.tv_nsec) * 1e-9;
  uint64_t live = alaska_live_bytes(), committed;
  /* One reading of committed for both columns: a purge between two readings (the program
   * freeing its cache on the way out) would make frag_ratio disagree with committed_bytes. */
  uint64_t in_use = alaska_pool_committed_in_use(&committed);
  uint64_t rss = os_rss_bytes();
  alaska_barrier_stats_t b;
  alaska_barrier_get_stats(&b);
  char row[256];
  int n = snprintf(row, sizeof row, "%.3f,%llu,%llu,%llu,%.4f,%llu,%llu\n", t,
                   (unsigned long long)rss, (unsigned long long)live,
                   (unsigned long long)committed, defrag_ratio(live, in_use),
                   (unsigned long long)b.barriers, (unsigned long long)b.pause_max_us);
  if (n > 0 && n < (int)sizeof row && trace_fd >= 0) os_write_all(trace_fd, row, (size_t)n);
  pthread_mutex_unlock(&trace_lock);
}

void alaska_trace_fork_child(void) { atomic_store(&trace_on, 0); }
