/*
 * signals.c — sigaction, signal and sigset interposed: a program may not install a handler
 * for the barrier's signal (ALASKA_SIGNAL, docs/env.md). The program's handlers run through
 * a trampoline: it counts them (interop/signals.h: a blocking call interrupted by our signal
 * alone is resumed) and unparks a parked thread around them (mover/barrier.h: a handler is
 * compiled code and must not run while a barrier counts its thread as stopped). The heap-map
 * signal (ALASKA_HEAPMAP_SIGNAL) is refused like the barrier's.
 */
#include "interop/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mover/barrier.h"
#include "options.h"
#include "os/os.h"

__thread unsigned alaska_user_signals ALASKA_TLS_IE;

/* The program's handler of each signal, as it gave it: the kernel has the trampoline. */
typedef struct {
  _Atomic(void *) fn;
  _Atomic int flags; /* the program's sa_flags (SA_SIGINFO: fn takes three arguments) */
} user_handler_t;
static user_handler_t user_handlers[_NSIG];

static void trampoline(int signo, siginfo_t *info, void *uc) {
  alaska_user_signals++;
  alaska_nostop_t nostop = alaska_nostop_begin(uc);
  uintptr_t parked = alaska_park_suspend();
  void *fn = atomic_load_explicit(&user_handlers[signo].fn, memory_order_acquire);
  if (atomic_load_explicit(&user_handlers[signo].flags, memory_order_relaxed) & SA_SIGINFO)
    ((void (*)(int, siginfo_t *, void *))fn)(signo, info, uc);
  else
    ((void (*)(int))fn)(signo);
  alaska_park_resume(parked);
  alaska_nostop_end(nostop);
}

static int is_function(void (*h)(int)) { return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR; }

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef sighandler_t (*signal_fn)(int, sighandler_t);

static void refuse(int signo) {
  if (signo == alaska_options()->heapmap_signal)
    alaska_report("refusing to install a handler for signal %d: the Alaska runtime writes heap "
                  "maps on it (ALASKA_HEAPMAP_SIGNAL)", signo);
  else
    alaska_report("refusing to install a handler for signal %d: the Alaska runtime uses it for "
                  "its stop-the-world barrier (set ALASKA_SIGNAL to another signal number)",
                  signo);
}

static int is_barrier_signal(int signo) { /* or ALASKA_HEAPMAP_SIGNAL's: reserved too */
  alaska_barrier_init();
  return signo == alaska_barrier_signal() ||
         (signo > 0 && signo == alaska_options()->heapmap_signal);
}

ALASKA_API int sigaction(int signo, const struct sigaction *act, struct sigaction *old) {
  static _Atomic(sigaction_fn) real;
  sigaction_fn fn = atomic_load(&real);
  if (!fn) atomic_store(&real, fn = (sigaction_fn)next_symbol("sigaction"));
  if (act && is_barrier_signal(signo)) {
    refuse(signo);
    errno = EINVAL;
    return -1;
  }
  if (signo <= 0 || signo >= _NSIG) return fn(signo, act, old); /* libc says EINVAL */
  user_handler_t *u = &user_handlers[signo];
  void *prev_fn = atomic_load(&u->fn);
  int prev_flags = atomic_load(&u->flags);
  struct sigaction mine;
  if (act && is_function(act->sa_handler)) {
    mine = *act;
    mine.sa_flags |= SA_SIGINFO;
    mine.sa_sigaction = trampoline;
    sigaddset(&mine.sa_mask, alaska_barrier_signal()); /* until alaska_nostop_begin */
    /* Published before the kernel can run the trampoline for it. */
    atomic_store_explicit(&u->flags, act->sa_flags, memory_order_relaxed);
    atomic_store_explicit(&u->fn, (void *)act->sa_handler, memory_order_release);
    act = &mine;
  }
  int r = fn(signo, act, old);
  if (r == 0 && old && old->sa_sigaction == trampoline) { /* report what the program gave */
    old->sa_handler = (void (*)(int))prev_fn;
    old->sa_flags = prev_flags;
  }
  return r;
}

/* glibc's signal(): BSD semantics (SA_RESTART, the signal blocked in its handler). */
ALASKA_API sighandler_t signal(int signo, sighandler_t handler) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  if (signo > 0 && signo < _NSIG) sigaddset(&sa.sa_mask, signo);
  sa.sa_flags = SA_RESTART;
  if (sigaction(signo, &sa, &old) != 0) return SIG_ERR;
  return old.sa_handler;
}

ALASKA_API sighandler_t sigset(int signo, sighandler_t handler) {
  static _Atomic(signal_fn) real;
  signal_fn fn = atomic_load(&real);
  if (!fn) atomic_store(&real, fn = (signal_fn)next_symbol("sigset"));
  if (is_barrier_signal(signo)) {
    refuse(signo);
    errno = EINVAL;
    return SIG_ERR;
  }
  if (!is_function(handler) || signo <= 0 || signo >= _NSIG) return fn(signo, handler);
  /* System V sigset with a function: install it (no flags, empty mask) and unblock. */
  sigset_t blocked, one;
  sigprocmask(SIG_BLOCK, NULL, &blocked);
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signo, &sa, &old) != 0) return SIG_ERR;
  sigemptyset(&one);
  sigaddset(&one, signo);
  sigprocmask(SIG_UNBLOCK, &one, NULL);
  return sigismember(&blocked, signo) ? SIG_HOLD : old.sa_handler;
}
