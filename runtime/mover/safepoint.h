/*
 * safepoint.h — the only part of the mover layer the heap sees: the runtime-depth counter
 * every public entry point keeps, and the poll that answers a waiting barrier when a thread
 * leaves the runtime (docs/design.md §6.2). Everything else of the barrier is in barrier.h.
 */
#ifndef ALASKA_RUNTIME_MOVER_SAFEPOINT_H
#define ALASKA_RUNTIME_MOVER_SAFEPOINT_H

#include <stdatomic.h>
#include <stdint.h>

#include "os/defs.h"

/* Depth of runtime entry points on this thread's stack (0 = not inside the runtime). Every
 * public entry point increments it on entry and decrements it on exit; the barrier's signal
 * handler reads it and does not stop a thread that is inside the runtime. */
extern __thread volatile int alaska_rt_depth ALASKA_TLS_IE;
/* The compiler-only fences keep runtime loads/stores inside the depth window (a signal on
 * this thread must see the depth and the work in program order). Leaving to depth 0 while
 * a barrier waits answers it (barrier.c): busy threads stop there instead of failing it. */
extern __attribute__((visibility("hidden"))) _Atomic uint32_t alaska_barrier_requested;
void alaska_barrier_poll(void);
#define RT_ENTER() \
  do { alaska_rt_depth++; atomic_signal_fence(memory_order_seq_cst); } while (0)
#define RT_LEAVE()                                                                       \
  do {                                                                                   \
    atomic_signal_fence(memory_order_seq_cst);                                           \
    if (--alaska_rt_depth == 0) RT_POLL_OUTERMOST();                                     \
  } while (0)
/* Leaving the outermost runtime call: answer a barrier that arrived meanwhile. */
#define RT_POLL_OUTERMOST()                                                              \
  do {                                                                                   \
    atomic_signal_fence(memory_order_seq_cst);                                           \
    if (__builtin_expect(atomic_load_explicit(&alaska_barrier_requested,                  \
                                              memory_order_relaxed) != 0, 0))            \
      alaska_barrier_poll();                                                             \
  } while (0)

/* The same for the frameless fast paths: the depth is kept in a register, so leaving
 * stores it back without reloading it (one load fewer, no read-modify-write chain through
 * the TLS word from one call to the next). */
#define RT_ENTER_FAST(d)                                                                 \
  int d = alaska_rt_depth;                                                               \
  alaska_rt_depth = d + 1;                                                               \
  atomic_signal_fence(memory_order_seq_cst)
#define RT_LEAVE_FAST(d)                                                                 \
  do {                                                                                   \
    atomic_signal_fence(memory_order_seq_cst);                                           \
    alaska_rt_depth = d;                                                                 \
    if (d == 0) RT_POLL_OUTERMOST();                                                     \
  } while (0)

#endif /* ALASKA_RUNTIME_MOVER_SAFEPOINT_H */
