/*
 * defrag.c — the defragmentation service thread (defrag.h, docs/design.md §7).
 *
 * One runtime-internal thread (never registered, so barriers never stop it; it holds no
 * handles and never allocates) does two jobs on one timeline:
 *   - every ALASKA_TRACE_MS it appends a row to the ALASKA_TRACE file (trace.c);
 *   - once armed by alaska_module_init(), it reads live and committed bytes, asks the policy
 *     (defrag_policy.c) what to do, and runs compaction steps (stop the world, move at most
 *     the policy's adaptive budget, release), sleeping between them as the policy says.
 * It is started lazily: by ALASKA_TRACE at start-up, else only once the heap has
 * ALASKA_DEFRAG_MIN_EXCESS bytes committed (below that the policy never compacts), from the
 * allocation that commits the page (alaska_heap_on_committed). Small programs never start it.
 * It sleeps on a condition variable, so an idle program pays one wake-up per second at most
 * (the policy backs off) — or per trace period when tracing.
 */
#include "policy/defrag.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap/heap.h"
#include "heap/stats.h"
#include "mover/barrier.h"
#include "mover/threads.h"
#include "options.h"
#include "os/os.h"
#include "policy/trace.h"

#define NS_PER_S 1000000000ULL

uint64_t alaska_defrag_committed_in_use(void) { return alaska_pool_committed_in_use(NULL); }

double alaska_defrag_frag_ratio(void) {
  uint64_t live = alaska_live_bytes();
  return defrag_ratio(live, alaska_defrag_committed_in_use());
}

/* Barrier attempts per step while a mutator is inside the runtime. */
#define STEP_ATTEMPTS 4

static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t svc_cond; /* CLOCK_MONOTONIC, initialised in the constructor */
static int svc_started;          /* thread created (under svc_lock) */
static int svc_stopping;         /* exit in progress: no more barriers */
static int svc_step_running;     /* a compaction step is in progress */
static _Atomic int defrag_armed; /* a compiled module announced itself */
static int defrag_disabled;      /* ALASKA_DEFRAG=0 */
static defrag_config_t defrag_cfg;

/* Compaction steps that stopped the world: the stats line's defrag_runs. */
static _Atomic uint64_t st_runs;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* ---- configuration from the environment ----------------------------------------------- */

static void read_config(void) {
  const alaska_options_t *o = alaska_options();
  defrag_disabled = !o->defrag;
  defrag_config_from_options(&defrag_cfg, o);
}

/* ---- the service thread ------------------------------------------------------------------ */

/* One step: alaska_barrier_compact with the policy's budget. Its compaction time (what the
 * budget controls) is reported apart from the whole step's (stopping the threads too). */
static defrag_step_result_t run_step(uint64_t budget_bytes, uint64_t budget_ns) {
  uint64_t t0 = mono_ns();
  alaska_compact_step_t step;
  alaska_barrier_compact(budget_bytes, budget_ns, 0, STEP_ATTEMPTS, &step);
  defrag_step_result_t r = {.stopped = step.outcome == ALASKA_BARRIER_STOPPED,
                            .compact_ns = step.compact_ns,
                            .bytes_moved = step.bytes_moved,
                            .estimate_ns = step.estimate_ns,
                            .bytes_released = step.bytes_released};
  r.duration_ns = mono_ns() - t0;
  if (r.stopped) atomic_fetch_add(&st_runs, 1);
  return r;
}

static void wait_until_locked(uint64_t deadline_ns) {
  if (deadline_ns == UINT64_MAX) {
    pthread_cond_wait(&svc_cond, &svc_lock);
    return;
  }
  struct timespec ts = {(time_t)(deadline_ns / NS_PER_S), (long)(deadline_ns % NS_PER_S)};
  pthread_cond_timedwait(&svc_cond, &svc_lock, &ts);
}

static void *service_main(void *arg) {
  (void)arg;
  /* Signals are for the program's threads; this one must not take the barrier's or any
   * asynchronous signal the program expects to handle on its own threads. */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);

  defrag_policy_t policy;
  defrag_policy_init(&policy, &defrag_cfg);
  defrag_step_result_t result;
  int have_result = 0;
  uint64_t next_policy = 0, next_trace = 0;

  pthread_mutex_lock(&svc_lock);
  while (!svc_stopping) {
    uint64_t now = mono_ns();
    int tracing = alaska_trace_enabled();
    if (tracing && now >= next_trace) {
      pthread_mutex_unlock(&svc_lock);
      alaska_trace_sample();
      pthread_mutex_lock(&svc_lock);
      next_trace = (next_trace && next_trace + alaska_trace_period_ns() > now)
                       ? next_trace + alaska_trace_period_ns()
                       : now + alaska_trace_period_ns();
      continue;
    }
    int armed = atomic_load(&defrag_armed);
    if (armed && now >= next_policy) {
      defrag_reading_t r = {.now_ns = now,
                            .live_bytes = alaska_live_bytes(),
                            .committed_bytes = alaska_defrag_committed_in_use()};
      defrag_decision_t d = defrag_policy_decide(&policy, &r, have_result ? &result : NULL);
      have_result = 0;
      if (d.action == DEFRAG_COMPACT) {
        svc_step_running = 1;
        pthread_mutex_unlock(&svc_lock);
        result = run_step(d.budget_bytes, d.budget_ns);
        pthread_mutex_lock(&svc_lock);
        svc_step_running = 0;
        pthread_cond_broadcast(&svc_cond); /* an exiting thread may wait for the step */
        have_result = 1;
        next_policy = 0; /* report the result at once */
        continue;
      }
      next_policy = now + d.sleep_ns;
    }
    uint64_t wake = UINT64_MAX;
    if (armed && next_policy < wake) wake = next_policy;
    if (tracing && next_trace < wake) wake = next_trace;
    wait_until_locked(wake);
  }
  pthread_mutex_unlock(&svc_lock);
  return NULL;
}

static void start_locked(void) {
  if (svc_started || svc_stopping) return;
  pthread_t th;
  if (alaska_threads_create_internal(&th, NULL, service_main, NULL) != 0) {
    alaska_report("cannot start the defragmentation service thread");
    return; /* the program still works, it just is not defragmented */
  }
  pthread_detach(th);
  svc_started = 1;
}

void alaska_service_ensure_started(void) {
  pthread_mutex_lock(&svc_lock);
  start_locked();
  pthread_mutex_unlock(&svc_lock);
}

/* The heap reached the policy's excess floor (alaska_heap_on_committed): start the thread. */
static void heap_grew(void) {
  pthread_mutex_lock(&svc_lock);
  start_locked();
  pthread_cond_broadcast(&svc_cond);
  pthread_mutex_unlock(&svc_lock);
}

static pthread_once_t defrag_once = PTHREAD_ONCE_INIT;
static void defrag_init_once(void);

void alaska_module_init(void) {
  static _Atomic int seen;
  if (atomic_load_explicit(&seen, memory_order_acquire)) return;
  if (atomic_exchange(&seen, 1)) return;
  pthread_once(&defrag_once, defrag_init_once); /* in case a constructor ran before ours */
  if (defrag_disabled) return;
  pthread_mutex_lock(&svc_lock);
  atomic_store(&defrag_armed, 1);
  pthread_cond_broadcast(&svc_cond); /* a tracing thread may already run */
  pthread_mutex_unlock(&svc_lock);
  /* No thread yet: the policy never compacts while committed < live + min_excess, so the
   * thread is started (from the allocation that commits the page) only once the heap has
   * that many bytes committed. A program that stays small never starts it. */
  alaska_heap_on_committed(defrag_cfg.min_excess, heap_grew);
}

/* ---- exit, fork, start-up ------------------------------------------------------------------ */

/* Registered after the runtime's own atexit handler, so it runs first: no barrier may start
 * while exit handlers (and the stats printer) run. Waits for a step in progress (< 2 ms). */
static void service_at_exit(void) {
  pthread_mutex_lock(&svc_lock);
  svc_stopping = 1;
  pthread_cond_broadcast(&svc_cond);
  while (svc_step_running) pthread_cond_wait(&svc_cond, &svc_lock);
  pthread_mutex_unlock(&svc_lock);
  alaska_trace_sample(); /* the final state */
}

/* The child of fork() has no service thread; it runs without one (and does not block at
 * exit on a step that will never finish). */
static void service_fork_prepare(void) { pthread_mutex_lock(&svc_lock); }
static void service_fork_parent(void) { pthread_mutex_unlock(&svc_lock); }
static void service_fork_child(void) {
  alaska_trace_fork_child();
  svc_started = 0;
  svc_step_running = 0;
  svc_stopping = 1;
  pthread_mutex_unlock(&svc_lock);
}

static uint64_t read_defrag_runs(void) { return atomic_load(&st_runs); }
static double read_frag_ratio(void) { return alaska_defrag_frag_ratio(); }

static void defrag_init_once(void) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&svc_cond, &ca);
  pthread_condattr_destroy(&ca);
  read_config();
  alaska_stats_register_u64("defrag_runs", read_defrag_runs);
  alaska_stats_register_double("frag_ratio_last", read_frag_ratio);
  pthread_atfork(service_fork_prepare, service_fork_parent, service_fork_child);
  atexit(service_at_exit);
  if (alaska_trace_init()) alaska_service_ensure_started();
}

/* After the runtime (101) and the barrier (102) constructors. */
__attribute__((constructor(103))) static void defrag_constructor(void) {
  pthread_once(&defrag_once, defrag_init_once);
}
