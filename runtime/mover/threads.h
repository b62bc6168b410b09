/*
 * threads.h — the registry of threads that may hold handles (docs/design.md §6.2).
 *
 * A thread is registered with the top of its stack (the scan stops there) and its stack
 * size (to tell "running on my stack" from "running on some other stack"). Registered:
 *   - the main thread, at runtime start (a constructor in threads.c; idempotent);
 *   - every thread created through pthread_create, which libalaska.so interposes: the
 *     start routine is wrapped so the thread registers itself before user code runs and
 *     unregisters in a thread-specific-data destructor at exit.
 * Records live in mmap'd memory (never malloc: the runtime is the allocator).
 *
 * Locking: the registry lock guards the list. The barrier initiator holds it for the
 * whole stop-the-world, so no thread registers or unregisters while threads are stopped.
 */
#ifndef ALASKA_THREADS_H
#define ALASKA_THREADS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "os/defs.h"

/* How a thread answered the barrier signal. */
enum alaska_ack {
  ALASKA_ACK_NONE = 0,
  ALASKA_ACK_STOPPED = 1,     /* stopped; scan ranges below are valid until release */
  /* (a thread inside the runtime does not answer: it stops later, in RT_LEAVE) */
  ALASKA_ACK_UNSCANNABLE = 2, /* running on a stack we cannot bound (coroutine): not stopped */
};

#define ALASKA_MAX_SCAN_RANGES 2

typedef struct alaska_thread {
  struct alaska_thread *next, *prev; /* registry list (under the registry lock) */
  pid_t tid;
  int is_main;
  uintptr_t stack_hi;   /* scan top (exclusive): above every frame that can hold a pin */
  size_t stack_size;    /* the stack is [stack_hi - stack_size, stack_hi) */
  /* Start routine of a thread being created (set by the pthread_create wrapper). */
  void *(*start_routine)(void *);
  void *start_arg;
  /* Barrier handshake: the thread's signal handler writes scan ranges, then ack_state,
   * then ack_gen (release order); the initiator reads ack_gen first (acquire). */
  _Atomic uint64_t ack_gen;
  _Atomic int ack_state;
  volatile uint32_t deferred_gen; /* its handler found it inside the runtime in this gen */
  /* Barrier signals sent (initiator) and taken (handler): while one is still pending no
   * other is queued, so a thread that blocks the signal holds at most one in the kernel's
   * real-time signal queue (a per-user limit shared by every process). */
  _Atomic uint64_t signals_sent, signals_taken;
  uint64_t signal_sent_ns; /* CLOCK_MONOTONIC time of the last one sent (initiator only) */
  int nranges;
  uintptr_t scan_lo[ALASKA_MAX_SCAN_RANGES], scan_hi[ALASKA_MAX_SCAN_RANGES];
  /* Parked in a blocking call (mover/barrier.h alaska_park): ALASKA_PARK_RUNNING, or
   * ALASKA_PARK_PARKED with park_lo = the wrapper's frame (every pin slot of the thread
   * is above it), or claimed by barrier generation g (ALASKA_PARK_CLAIMED(g)): counted
   * as stopped without a signal; the thread waits for g's release before it unparks. */
  _Atomic uint64_t park_state;
  uintptr_t park_lo;
} alaska_thread_t;

#define ALASKA_PARK_RUNNING 0u
#define ALASKA_PARK_PARKED 1u
#define ALASKA_PARK_CLAIMED(g) (((uint64_t)(g) << 1) | 0u) /* g != 0: even and >= 2 */

/* Registers the calling thread as the main thread (stack top = __libc_stack_end if the
 * caller is the process's initial thread). Idempotent; called by a constructor and may be
 * called again by runtime init. */
void alaska_threads_init(void);

/* Set when the runtime started on another thread than the initial one: the initial
 * thread's record is then found by tid (its TLS pointer is unset). */
extern int alaska_initial_thread_by_tid;

/* The calling thread's record, or NULL if it is not registered. Async-signal-safe. */
alaska_thread_t *alaska_thread_self(void);

/* Registry iteration: hold the lock while walking the list from alaska_threads_first(). */
void alaska_threads_lock(void);
void alaska_threads_unlock(void);
alaska_thread_t *alaska_threads_first(void);
size_t alaska_threads_count(void); /* registered threads (lock held or racy snapshot) */

/* Unregisters a record whose thread no longer exists (e.g. tgkill said ESRCH). Registry
 * lock must be held. */
void alaska_threads_remove_dead_locked(alaska_thread_t *t);

/* Creates a thread through the real pthread_create, NOT registered: for runtime-internal
 * threads (the stress timer) that never hold handles and must never be stopped. */
int alaska_threads_create_internal(pthread_t *thread, const pthread_attr_t *attr,
                                   void *(*start)(void *), void *arg);

/* Finds the mapping of /proc/self/maps containing addr, with raw syscalls only
 * (async-signal-safe, no malloc). Returns 1 and sets [*lo, *hi) on success. */
int alaska_find_mapping(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);

/* ---- for the pthread_create wrapper (interop/pthread.c) ------------------------------ */
typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                                 void *);
pthread_create_fn resolve_real_pthread_create(void) ALASKA_HIDDEN; /* libc's, via dlsym */
/* A zeroed record / back to the free records (registry lock held). NULL when out of memory. */
alaska_thread_t *alloc_record_locked(void) ALASKA_HIDDEN;
void free_record_locked(alaska_thread_t *t) ALASKA_HIDDEN;
/* Registers the calling thread with record t (takes the registry lock). */
int register_current(alaska_thread_t *t, uintptr_t stack_hi, size_t stack_size,
                     int is_main) ALASKA_HIDDEN;
/* RLIMIT_STACK, or 1 GiB when unlimited. */
size_t main_stack_size(void) ALASKA_HIDDEN;

#endif /* ALASKA_THREADS_H */
