/*
 * stress.c — stress mode (ALASKA_STRESS=1, docs/env.md): a timer thread that runs a
 * move-everything barrier every ALASKA_STRESS_MS milliseconds, and the count of runtime
 * calls that makes a thread leaving the runtime initiate one (stress_due).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "mover/barrier.h"
#include "mover/internal.h"
#include "mover/threads.h"
#include "os/os.h"

int stress_enabled;
unsigned stress_period_ms = 1;
static __thread uint64_t stress_calls __attribute__((tls_model("initial-exec")));
uint64_t stress_every = 4096;

/* Stress mode: a move-everything barrier after this thread's 1st, 2nd, 4th, ... runtime
 * call and then every ALASKA_STRESS_EVERY calls, so even short programs see objects move.
 * Initiating here is sound: depth is 0, so the runtime holds no lock and no raw address;
 * the caller's pins are on this stack, which the initiator scans. */
int stress_due(void) {
  uint64_t n = ++stress_calls;
  return n < stress_every ? (n & (n - 1)) == 0 : n % stress_every == 0;
}

int alaska_stress_enabled(void) {
  alaska_barrier_init();
  return stress_enabled;
}

static void *stress_main(void *arg) {
  (void)arg;
  /* This thread holds no handles and is unregistered: it is never stopped. */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  struct timespec period = {(time_t)(stress_period_ms / 1000),
                            (long)(stress_period_ms % 1000) * 1000000L};
  for (;;) {
    nanosleep(&period, NULL);
    alaska_barrier_compact(SIZE_MAX, 0, 1, 3, NULL);
  }
  return NULL;
}

void alaska_stress_start(void) {
  static _Atomic int started;
  if (!alaska_stress_enabled() || atomic_exchange(&started, 1)) return;
  pthread_t th;
  if (alaska_threads_create_internal(&th, NULL, stress_main, NULL) != 0) {
    alaska_fatal("cannot start the ALASKA_STRESS timer thread");
  }
  pthread_detach(th);
}
