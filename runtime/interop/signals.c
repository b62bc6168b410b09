/*
 * signals.c — sigaction, signal and sigset interposed: a program may not install a handler
 * for the barrier's signal (ALASKA_SIGNAL, docs/env.md); everything else goes to libc.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

#include "mover/barrier.h"
#include "os/os.h"

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef sighandler_t (*signal_fn)(int, sighandler_t);

static void refuse(int signo) {
  alaska_report("refusing to install a handler for signal %d: the Alaska runtime uses it for "
                "its stop-the-world barrier (set ALASKA_SIGNAL to another signal number)",
                signo);
}

static int is_barrier_signal(int signo) {
  alaska_barrier_init();
  return signo == alaska_barrier_signal();
}

int sigaction(int signo, const struct sigaction *act, struct sigaction *old) {
  static _Atomic(sigaction_fn) real;
  sigaction_fn fn = atomic_load(&real);
  if (!fn) atomic_store(&real, fn = (sigaction_fn)next_symbol("sigaction"));
  if (act && is_barrier_signal(signo)) {
    refuse(signo);
    errno = EINVAL;
    return -1;
  }
  return fn(signo, act, old);
}

sighandler_t signal(int signo, sighandler_t handler) {
  static _Atomic(signal_fn) real;
  signal_fn fn = atomic_load(&real);
  if (!fn) atomic_store(&real, fn = (signal_fn)next_symbol("signal"));
  if (is_barrier_signal(signo)) {
    refuse(signo);
    errno = EINVAL;
    return SIG_ERR;
  }
  return fn(signo, handler);
}

sighandler_t sigset(int signo, sighandler_t handler) {
  static _Atomic(signal_fn) real;
  signal_fn fn = atomic_load(&real);
  if (!fn) atomic_store(&real, fn = (signal_fn)next_symbol("sigset"));
  if (is_barrier_signal(signo)) {
    refuse(signo);
    errno = EINVAL;
    return SIG_ERR;
  }
  return fn(signo, handler);
}
