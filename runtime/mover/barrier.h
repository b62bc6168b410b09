/*
 * barrier.h — stop-the-world barrier over the registered threads, the pinned set, and
 * compaction entry points (docs/design.md §6.2).
 *
 * Protocol in one paragraph: one barrier at a time (the registry lock). The initiator
 * bumps the barrier generation and sends the barrier signal to every other registered
 * thread. Each handler either answers BUSY (inside the runtime) and returns, or records
 * the stack ranges to scan (from its own frame, which lies below the interrupted red zone
 * and the kernel-saved registers, up to the stack top), answers STOPPED and waits on a
 * futex until released. If every thread answered STOPPED within the timeout the initiator
 * scans those ranges (and its own stack) into the pinned set; otherwise it releases
 * everyone and gives up: nothing moves.
 */
#ifndef ALASKA_BARRIER_H
#define ALASKA_BARRIER_H

#include <stddef.h>
#include <stdint.h>

#include "alaska/abi.h"

typedef enum alaska_barrier_outcome {
  ALASKA_BARRIER_STOPPED = 0,     /* every registered thread is stopped; pinned set built */
  ALASKA_BARRIER_BUSY = 1,        /* a thread was inside the runtime */
  ALASKA_BARRIER_TIMEOUT = 2,     /* a thread did not answer in time (signal blocked?) */
  ALASKA_BARRIER_UNSCANNABLE = 3, /* a thread runs on a stack we cannot bound */
} alaska_barrier_outcome_t;

/* Reads ALASKA_SIGNAL / ALASKA_BARRIER_TIMEOUT_US and installs the signal handler.
 * Idempotent (also run by a constructor). */
void alaska_barrier_init(void);
/* The signal the barrier uses (after init). */
int alaska_barrier_signal(void);

/* Stops the world. On ALASKA_BARRIER_STOPPED the caller owns the barrier and must call
 * alaska_barrier_release(); on any other outcome everyone was already released. */
alaska_barrier_outcome_t alaska_barrier_stop(void);
/* Valid between a successful stop and release. ctx is ignored (callback shape). */
int alaska_barrier_is_pinned(uint32_t id, void *ctx);
size_t alaska_barrier_pinned_count(void);
void alaska_barrier_release(void);

/* What one alaska_barrier_compact cycle did. */
typedef struct alaska_compact_step {
  alaska_barrier_outcome_t outcome; /* STOPPED: the compaction ran */
  uint64_t compact_ns;              /* the moving alone (what a budget controls), not the stop */
  size_t bytes_moved;
  uint64_t estimate_ns;             /* of the moves made, by the heap's cost model (heap.h) */
  size_t bytes_released;            /* madvised after the release */
} alaska_compact_step_t;

/* The whole cycle, the only one in the runtime: plan, stop (retrying up to `attempts` times
 * with a short back-off while a thread is busy in the runtime), compact with `budget` bytes
 * of moves and `budget_ns` of their estimated time (heap.h's cost model) at most (0 or
 * SIZE_MAX / UINT64_MAX: no limit; move_everything: every unpinned object, the stress
 * mode), release, madvise. Returns bytes released to the OS; *step (if non-NULL) says
 * what ran. alaska_compact, stress mode and the defragmentation service call it. */
size_t alaska_barrier_compact(size_t budget, uint64_t budget_ns, int move_everything, int attempts,
                              alaska_compact_step_t *step);

/* Statistics (also printed on the alaska-stats line). Pause = from sending the signals
 * to releasing the threads, of barriers that stopped the world. */
#define ALASKA_PAUSE_BUCKETS 320
typedef struct alaska_barrier_stats {
  uint64_t attempts;         /* alaska_barrier_stop calls */
  uint64_t barriers;         /* of which stopped the world */
  uint64_t gave_up_busy, gave_up_timeout, gave_up_unscannable;
  uint64_t objects_moved, bytes_moved; /* the heap's counters: every compaction's moves */
  uint64_t pause_max_us, pause_total_us;
  uint64_t pause_p50_us, pause_p99_us; /* upper bucket bounds, within 12.5 % */
  uint64_t stop_max_us, stop_p50_us, stop_p99_us; /* time to stop, same buckets */
} alaska_barrier_stats_t;
void alaska_barrier_get_stats(alaska_barrier_stats_t *out);

/* A registered thread about to block in the kernel (sleep, poll, epoll_wait, pause...)
 * parks: while parked, a barrier counts it as stopped at this call without sending it the
 * signal (which would cut a sleep short or make poll return EINTR where the program never
 * sees a signal natively), and scans its stack from `frame` (an address in the caller's
 * frame: every pin slot of the thread lies above it) up. alaska_unpark waits for the end
 * of a barrier that claimed the thread before it returns to compiled code. alaska_park
 * returns 0 (and alaska_unpark must not be called) when the thread cannot park: not
 * registered, or running on another stack (a signal handler on its sigaltstack). */
int alaska_park(const void *frame);
void alaska_unpark(void);
/* A signal handler of the program runs compiled code: on a parked thread it first unparks
 * (waiting out a barrier that claimed it) and parks again when it returns. suspend returns
 * the frame to resume with (0: was not parked). */
uintptr_t alaska_park_suspend(void);
void alaska_park_resume(uintptr_t frame);

/* Safepoints of compiled code (design.md §6.2). The pass registers each compiled object's
 * text and poll word (compiled_text.c) and polls that word on loop back-edges and at the entry of
 * functions that call; a barrier's signal that lands in compiled text does not stop the
 * thread there: it answers at its next alaska_poll. */
ALASKA_API void alaska_register_text(const void *start, const void *end, uint32_t *poll_word);
int alaska_in_compiled_text(uintptr_t pc); /* async-signal-safe */
void alaska_poll_request(int on);         /* set (1) or clear (0) every poll word */
ALASKA_API void alaska_poll(void);
/* The trampoline of the program's signal handlers (interop/signals.c) brackets each
 * handler with these: a handler that interrupted compiled code cannot be stopped until it
 * returns or leaves by longjmp (the interrupted frame's raw addresses are not pinned).
 * begin unblocks the barrier signal, which sigaction blocks on the handler's entry. */
typedef struct alaska_nostop {
  uintptr_t lo, hi;
} alaska_nostop_t;
alaska_nostop_t alaska_nostop_begin(const void *uc);
void alaska_nostop_end(alaska_nostop_t saved);

/* Stress mode (ALASKA_STRESS=1): starts the timer thread that runs a move-everything
 * barrier every ALASKA_STRESS_MS milliseconds. Called by runtime init; idempotent. */
void alaska_stress_start(void);
int alaska_stress_enabled(void);

#endif /* ALASKA_BARRIER_H */
