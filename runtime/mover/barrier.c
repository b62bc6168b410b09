/*
 * barrier.c — the stop-the-world barrier: the signal handler, the poll at runtime exit, the
 * stop/release protocol, the stack scan into the pinned set, and compaction under a barrier
 * (alaska_compact). Protocol and soundness argument: docs/design.md §6.2. The pinned set
 * (pinset.c), pause histogram (pause.c) and stress timer (stress.c) are their own files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mover/barrier.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "alaska.h"
#include "heap/heap.h"
#include "heap/stats.h"
#include "mover/internal.h"
#include "mover/threads.h"
#include "options.h"
#include "os/os.h"

/* ---- configuration ------------------------------------------------------------------- */

static int barrier_signo;              /* 0 until init */
static uint64_t barrier_timeout_ns;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* ---- handshake state ---------------------------------------------------------------- */

static uint32_t gen_counter;             /* last generation used (initiator, under lock) */
static _Atomic uint32_t active_gen;      /* generation being answered; 0 = none */
/* Nonzero when RT_LEAVE (safepoint.h) must call alaska_barrier_poll on leaving the runtime:
 * REQ_BARRIER while a barrier waits for answers, REQ_STRESS in stress mode (count runtime
 * calls). Read on every exit from the runtime, so it has a cache line of its own. */
#define REQ_BARRIER 1u
#define REQ_STRESS 2u
__attribute__((visibility("hidden"))) _Alignas(64) _Atomic uint32_t alaska_barrier_requested;
/* This thread is running a barrier (stop .. release): never poll or initiate again. */
static __thread int running_barrier __attribute__((tls_model("initial-exec")));
static _Atomic uint32_t release_gen;     /* stopped threads of gen g wait until >= g */
static _Atomic uint32_t ack_seq;         /* bumped by every answer; the initiator waits on it */
static alaska_thread_t *initiator;       /* record of the initiating thread (or NULL) */
static int barrier_owned;                /* a successful stop not yet released */
static struct timespec stop_started;

/* Depth of runtime entry points on this thread's stack (mover/safepoint.h). */
__thread volatile int alaska_rt_depth ALASKA_TLS_IE;


/* A program's signal handler that interrupted compiled code runs with this thread's stack
 * pointer in [nostop_lo, nostop_hi): the interrupted frame may hold raw addresses that no
 * pin covers (design.md §6.2), so nothing may stop the thread until the handler returns.
 * A stack pointer outside the range means the handler left by longjmp. */
static __thread uintptr_t nostop_lo ALASKA_TLS_IE, nostop_hi ALASKA_TLS_IE;

static int in_nostop(uintptr_t sp) {
  if (!nostop_hi) return 0;
  if (sp >= nostop_lo && sp < nostop_hi) return 1;
  nostop_lo = nostop_hi = 0;
  return 0;
}

static uintptr_t interrupted_pc(const void *uc) {
#if defined(__x86_64__)
  return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)((const ucontext_t *)uc)->uc_mcontext.pc;
#else
#error "interrupted_pc: unsupported architecture"
#endif
}

/* ---- statistics ---------------------------------------------------------------------- */

/* Moves are the heap's own counters (heap/stats.h), read by alaska_barrier_get_stats. */
static _Atomic uint64_t st_attempts, st_barriers, st_busy, st_timeout, st_unscannable;
static _Atomic uint64_t st_pause_max_us, st_pause_total_us, st_stop_max_us;

/* ---- small helpers ------------------------------------------------------------------- */

static long futex_wait(_Atomic uint32_t *addr, uint32_t expected, const struct timespec *rel) {
  return syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, rel, NULL, 0);
}
static void futex_wake(_Atomic uint32_t *addr, int n) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}
/* One sample of a histogram (pause.c's buckets) and its running maximum. */
static void record_us(_Atomic uint64_t *hist, _Atomic uint64_t *max, uint64_t us) {
  atomic_fetch_add_explicit(&hist[pause_bucket(us)], 1, memory_order_relaxed);
  uint64_t m = atomic_load_explicit(max, memory_order_relaxed);
  while (us > m && !atomic_compare_exchange_weak_explicit(max, &m, us, memory_order_relaxed,
                                                          memory_order_relaxed)) {
  }
}

static uint64_t elapsed_ns(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)(now.tv_sec - since->tv_sec) * 1000000000ull +
         (uint64_t)(now.tv_nsec - since->tv_nsec);
}

/* ---- the signal handler (async-signal-safe only) ------------------------------------- */

/* The record of the interrupted thread. The initial thread may have been registered from
 * another thread (its TLS pointer unset): look it up by tid. The initiator holds the
 * registry lock while any generation is active, so the list is stable. */
static alaska_thread_t *handler_self(void) {
  alaska_thread_t *t = alaska_thread_self();
  if (t) return t;
  if (!alaska_initial_thread_by_tid) return NULL;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  /* Records are never unmapped, so a racy walk is memory-safe; bound it anyway. */
  int budget = 1 << 16;
  for (t = alaska_threads_first(); t && budget-- > 0; t = t->next)
    if (t->tid == tid && t->is_main) return t;
  return NULL;
}

/* Decides which stack ranges hold this thread's pins, given an address `here` in the
 * handler's own frame: everything from here up (our frame, the kernel-saved registers,
 * the interrupted red zone and frames) to the top of the stack we run on. */
static int compute_scan_ranges(alaska_thread_t *t, uintptr_t here) {
  here &= ~(uintptr_t)7;
  if (here < t->stack_hi && here >= t->stack_hi - t->stack_size) {
    t->scan_lo[0] = here;
    t->scan_hi[0] = t->stack_hi;
    t->nranges = 1;
    return ALASKA_ACK_STOPPED;
  }
  /* Running on the signal stack: scan it from here, plus the whole mapped part of the
   * thread's own stack (the interrupted frames' sp is not known; scanning dead frames
   * only pins more). */
  stack_t ss;
  if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)) {
    uintptr_t alt_lo = (uintptr_t)ss.ss_sp, alt_hi = alt_lo + ss.ss_size;
    uintptr_t map_lo, map_hi;
    if (here >= alt_lo && here < alt_hi &&
        alaska_find_mapping(t->stack_hi - 1, &map_lo, &map_hi)) {
      uintptr_t lo = t->stack_hi - t->stack_size;
      if (map_lo > lo) lo = map_lo;
      t->scan_lo[0] = here;
      t->scan_hi[0] = alt_hi & ~(uintptr_t)7;
      t->scan_lo[1] = (lo + 7) & ~(uintptr_t)7;
      t->scan_hi[1] = t->stack_hi;
      t->nranges = 2;
      return ALASKA_ACK_STOPPED;
    }
  }
  return ALASKA_ACK_UNSCANNABLE; /* a coroutine stack, or anything else we cannot bound */
}

/* Answer generation g and, if stopped, wait until it is released. Shared by the signal
 * handler and the poll at runtime exit. */
static void answer_and_wait(alaska_thread_t *t, uint32_t g, int state) {
  t->ack_state = state;
  atomic_store_explicit(&t->ack_gen, g, memory_order_release);
  atomic_fetch_add_explicit(&ack_seq, 1, memory_order_release);
  futex_wake(&ack_seq, 1);
  if (state != ALASKA_ACK_STOPPED) return;
  for (;;) {
    uint32_t r = atomic_load_explicit(&release_gen, memory_order_acquire);
    if ((int32_t)(r - g) >= 0) break;
    futex_wait(&release_gen, r, NULL);
  }
}

__attribute__((noinline)) static void barrier_handler(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)info;
  int saved_errno = errno;
  volatile uintptr_t marker = 0; /* its address bounds the scan from below */
  alaska_thread_t *t = handler_self();
  if (!t) {
    errno = saved_errno;
    return;
  }
  /* seq_cst pair with the initiator's store of active_gen / load of signals_taken: if it
   * saw this signal still pending, this load sees its generation. */
  atomic_fetch_add(&t->signals_taken, 1);
  uint32_t g = atomic_load(&active_gen);
  if (g == 0 ||
      atomic_load_explicit(&t->ack_gen, memory_order_relaxed) == g) {
    errno = saved_errno; /* stale signal of a finished barrier, or not ours */
    return;
  }
  if (alaska_rt_depth > 0 || alaska_in_compiled_text(interrupted_pc(uc)) ||
      in_nostop((uintptr_t)&marker)) {
    /* Inside the runtime (maybe holding its locks), or in compiled code between polls
     * (raw addresses in registers need not be pinned there), or in a handler that
     * interrupted such code: not here. The thread answers at its next poll: RT_LEAVE when
     * the depth returns to 0, alaska_poll in compiled code. */
    t->deferred_gen = g;
    errno = saved_errno;
    return;
  }
  answer_and_wait(t, g, compute_scan_ranges(t, (uintptr_t)&marker));
  errno = saved_errno;
}

/* Called by RT_LEAVE when the depth drops to 0 while a barrier is requested: the thread
 * holds no runtime lock and no raw address the runtime produced, the same state in which
 * the signal handler stops a thread. It may run before this thread's signal arrives; the
 * signal then finds the generation answered. */
static void answer_from_poll(void) {
  volatile uintptr_t marker = 0;
  uint32_t g = atomic_load_explicit(&active_gen, memory_order_acquire);
  alaska_thread_t *t;
  if (g == 0 || !(t = handler_self()) ||
      atomic_load_explicit(&t->ack_gen, memory_order_relaxed) == g ||
      in_nostop((uintptr_t)&marker))
    return;
  /* As in the handler (whose sa_mask does this): no handler of the program may run compiled
   * code on this thread while it counts as stopped and objects move. */
  sigset_t all, old;
  sigfillset(&all);
  static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
  for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) sigdelset(&all, faults[i]);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  answer_and_wait(t, g, compute_scan_ranges(t, (uintptr_t)&marker));
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

__attribute__((noinline)) void alaska_barrier_poll(void) {
  if (alaska_rt_depth != 0 || running_barrier) return;
  int saved_errno = errno;
  uint32_t req = atomic_load_explicit(&alaska_barrier_requested, memory_order_relaxed);
  if (req & REQ_BARRIER) answer_from_poll();
  if ((req & REQ_STRESS) && stress_every && stress_due())
    alaska_barrier_compact(SIZE_MAX, 0, 1, 3, NULL);
  errno = saved_errno;
}

/* The poll of compiled code (ALASKA_RT_POLL), called when its object's poll word is set: a call
 * site, so every raw address live across it is pinned in its frame's slots. */
ALASKA_API void alaska_poll(void) {
  if (alaska_rt_depth != 0 || running_barrier) return;
  int saved_errno = errno;
  answer_from_poll();
  errno = saved_errno;
}

alaska_nostop_t alaska_nostop_begin(const void *uc) {
  volatile uintptr_t marker = 0;
  alaska_nostop_t saved = {nostop_lo, nostop_hi};
  uintptr_t here = (uintptr_t)&marker;
  if (alaska_in_compiled_text(interrupted_pc(uc)) && !in_nostop(here)) {
    uintptr_t lo = 0; /* on the thread's own stack: everything below the trampoline */
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK)) lo = (uintptr_t)ss.ss_sp;
    nostop_lo = lo;
    nostop_hi = here;
  }
  /* sigaction (interop/signals.c) blocked the barrier signal on entry, so that it could not
   * stop the thread before the range was set. */
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, barrier_signo);
  pthread_sigmask(SIG_UNBLOCK, &one, NULL);
  return saved;
}

void alaska_nostop_end(alaska_nostop_t saved) {
  nostop_lo = saved.lo;
  nostop_hi = saved.hi;
}

/* ---- init ---------------------------------------------------------------------------- */

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

static void init_once_body(void) {
  alaska_threads_init();
  const alaska_options_t *o = alaska_options();
  barrier_signo = o->signal;
  barrier_timeout_ns = o->barrier_timeout_us * 1000;
  stress_enabled = o->stress;
  stress_period_ms = (unsigned)o->stress_ms;
  stress_every = o->stress_every;
  if (stress_enabled)
    atomic_fetch_or_explicit(&alaska_barrier_requested, REQ_STRESS, memory_order_relaxed);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = barrier_handler;
  /* SA_RESTART: interrupted read/write/... resume. No SA_ONSTACK: the handler runs on the
   * stack the thread is using, which is the one we must scan. */
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  /* No handler of the program may run on a stopped thread (it would use the heap while
   * objects move): every other signal waits until release. Faults stay deliverable. */
  sigfillset(&sa.sa_mask);
  static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
  for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) sigdelset(&sa.sa_mask, faults[i]);
  sigaction_fn real = (sigaction_fn)next_symbol("sigaction");
  if (real(barrier_signo, &sa, NULL) != 0) {
    alaska_fatal("cannot install the barrier signal handler");
  }
}

void alaska_barrier_init(void) {
  static _Atomic int done;
  if (atomic_load_explicit(&done, memory_order_acquire)) return;
  /* pthread_once is not re-entrant: is_barrier_signal may call us from sigaction while
   * init_once_body itself calls the real sigaction, which never recurses into ours. */
  pthread_once(&init_once, init_once_body);
  atomic_store_explicit(&done, 1, memory_order_release);
}

int alaska_barrier_signal(void) {
  alaska_barrier_init();
  return barrier_signo;
}

/* Pin frames (alaska/abi.h) in [lo, hi): every header word starts a frame whose count is
 * bounded by the range (a stale or garbage header, or a slot not yet written that looks like
 * one, can only pin more). The walk does not skip a frame's slots: a stale header must never
 * hide a live one behind it. Handles anywhere else on the stack, and in
 * registers, do not pin: they are translated again before use (design.md §6.1).
 * A stopped thread's handler may still update its own locals, which are never pins, so a
 * racy word read is harmless; volatile keeps it a plain load. Returns the handles seen. */
static size_t scan_pin_frames(uintptr_t lo, uintptr_t hi, int insert) {
  size_t n = 0;
  const volatile uint64_t *end = (const volatile uint64_t *)hi;
  for (const volatile uint64_t *w = (const volatile uint64_t *)lo;
       w + ALASKA_PIN_FRAME_HEADER_WORDS <= end; w++) {
    uint64_t header = *w;
    if (!alaska_is_pin_frame_header(header)) continue;
    const volatile uint64_t *slots = w + ALASKA_PIN_FRAME_HEADER_WORDS;
    uint64_t count = alaska_pin_frame_count(header), room = (uint64_t)(end - slots);
    if (count > room) count = room;
    for (uint64_t i = 0; i < count; i++) {
      uint64_t v = slots[i];
      if ((int64_t)v >= 0) continue;
      n++;
      if (insert) pin_insert(alaska_handle_id((void *)(uintptr_t)v));
    }
  }
  return n;
}

/* The initiator's own pins: the pin frames of its callers. */
__attribute__((noinline)) static int collect_pins(void) {
  volatile uintptr_t marker = 0;
  /* The initiator's ranges, like a stopped thread's (it may run on its signal stack). An
   * unregistered initiator (the runtime's own threads) holds no handles. */
  if (initiator &&
      compute_scan_ranges(initiator, (uintptr_t)&marker) != ALASKA_ACK_STOPPED)
    return 0;
  size_t candidates = 0;
  for (alaska_thread_t *t = alaska_threads_first(); t; t = t->next)
    for (int r = 0; r < t->nranges; r++)
      candidates += scan_pin_frames(t->scan_lo[r], t->scan_hi[r], 0);
  pin_table_reset(candidates);
  for (alaska_thread_t *t = alaska_threads_first(); t; t = t->next)
    for (int r = 0; r < t->nranges; r++) scan_pin_frames(t->scan_lo[r], t->scan_hi[r], 1);
  return 1;
}

/* ---- parked threads (blocked in a wrapped call, interop/blocking.c) --------------------- */

int alaska_park(const void *frame) {
  if (alaska_rt_depth != 0 || running_barrier || in_nostop((uintptr_t)frame)) return 0;
  alaska_thread_t *t = handler_self();
  uintptr_t lo = (uintptr_t)frame & ~(uintptr_t)7;
  if (!t || lo >= t->stack_hi || lo < t->stack_hi - t->stack_size) return 0;
  t->park_lo = lo;
  /* seq_cst: the pin slots and park_lo written before are seen by the claiming initiator. */
  atomic_store(&t->park_state, ALASKA_PARK_PARKED);
  return 1;
}

void alaska_unpark(void) {
  alaska_thread_t *t = handler_self();
  uint64_t v = atomic_load(&t->park_state);
  for (;;) {
    if (v == ALASKA_PARK_RUNNING) return; /* a signal handler unparked us and left by longjmp */
    if (v != ALASKA_PARK_PARKED) {
      /* Claimed by barrier g: nothing of ours may run until g is released. A newer barrier
       * may claim us again meanwhile; the CAS below then fails and we wait for it too. */
      uint32_t g = (uint32_t)(v >> 1);
      for (;;) {
        uint32_t r = atomic_load_explicit(&release_gen, memory_order_acquire);
        if ((int32_t)(r - g) >= 0) break;
        futex_wait(&release_gen, r, NULL);
      }
    }
    if (atomic_compare_exchange_strong(&t->park_state, &v, ALASKA_PARK_RUNNING)) return;
  }
}

uintptr_t alaska_park_suspend(void) {
  alaska_thread_t *t = handler_self();
  if (!t || atomic_load(&t->park_state) == ALASKA_PARK_RUNNING) return 0;
  uintptr_t lo = t->park_lo;
  alaska_unpark();
  return lo;
}

void alaska_park_resume(uintptr_t frame) {
  if (frame) alaska_park((const void *)frame);
}

/* Registry lock held, generation g active. A parked thread (or one still claimed by an
 * earlier, released barrier: it has not woken up yet) is stopped at its wrapped call: its
 * scan range starts at the wrapper's frame. Fails if it unparked meanwhile (signal it). */
static int claim_parked(alaska_thread_t *t, uint32_t g) {
  uint64_t v = atomic_load(&t->park_state);
  if (v == ALASKA_PARK_RUNNING ||
      !atomic_compare_exchange_strong(&t->park_state, &v, ALASKA_PARK_CLAIMED(g)))
    return 0;
  t->scan_lo[0] = t->park_lo;
  t->scan_hi[0] = t->stack_hi;
  t->nranges = 1;
  t->ack_state = ALASKA_ACK_STOPPED;
  atomic_store_explicit(&t->ack_gen, g, memory_order_release);
  return 1;
}

/* ---- stop / release ------------------------------------------------------------------- */

/* A thread that deferred (in compiled code or the runtime) may have gone on into code
 * that never polls — a long loop in a library, a blocking call — before reaching a poll:
 * signal it again there (where the handler stops it), or claim it if it parked. */
#define RESIGNAL_NS 200000u

static void resignal_deferred(uint32_t g, pid_t pid) {
  struct timespec now_ts;
  clock_gettime(CLOCK_MONOTONIC, &now_ts);
  uint64_t now = (uint64_t)now_ts.tv_sec * 1000000000ull + (uint64_t)now_ts.tv_nsec;
  for (alaska_thread_t *t = alaska_threads_first(); t; t = t->next) {
    if (t == initiator || t->deferred_gen != g ||
        atomic_load_explicit(&t->ack_gen, memory_order_acquire) == g)
      continue;
    if (claim_parked(t, g)) {
      atomic_fetch_add_explicit(&ack_seq, 1, memory_order_release);
      continue;
    }
    if (atomic_load(&t->signals_taken) != atomic_load(&t->signals_sent) ||
        now - t->signal_sent_ns < RESIGNAL_NS)
      continue;
    if (syscall(SYS_tgkill, pid, t->tid, barrier_signo) == 0) {
      t->signal_sent_ns = now;
      atomic_fetch_add(&t->signals_sent, 1);
    }
  }
}

static void release_locked(uint32_t g) {
  atomic_store_explicit(&active_gen, 0, memory_order_release);
  alaska_poll_request(0);
  atomic_fetch_and_explicit(&alaska_barrier_requested, ~REQ_BARRIER, memory_order_relaxed);
  atomic_store_explicit(&release_gen, g, memory_order_release);
  futex_wake(&release_gen, INT_MAX);
}

alaska_barrier_outcome_t alaska_barrier_stop(void) {
  alaska_barrier_init();
  alaska_threads_lock();
  atomic_fetch_add_explicit(&st_attempts, 1, memory_order_relaxed);
  clock_gettime(CLOCK_MONOTONIC, &stop_started);
  if (++gen_counter == 0) gen_counter = 1;
  uint32_t g = gen_counter;
  pid_t pid = getpid(), my_tid = (pid_t)syscall(SYS_gettid);
  initiator = NULL;
  /* A thread that has not taken a barrier signal sent longer than a timeout ago has it
   * blocked (or cannot run): give up before stopping anyone, so that such a thread costs
   * one timeout, not one per attempt, with everybody else stopped. */
  uint64_t now_ns = (uint64_t)stop_started.tv_sec * 1000000000ull + (uint64_t)stop_started.tv_nsec;
  for (alaska_thread_t *t = alaska_threads_first(); t; t = t->next)
    if (t->tid != my_tid && atomic_load(&t->signals_taken) != atomic_load(&t->signals_sent) &&
        now_ns - t->signal_sent_ns > barrier_timeout_ns) {
      alaska_threads_unlock();
      atomic_fetch_add_explicit(&st_timeout, 1, memory_order_relaxed);
      return ALASKA_BARRIER_TIMEOUT;
    }
  atomic_store(&active_gen, g); /* seq_cst: see the handler */
  atomic_fetch_or_explicit(&alaska_barrier_requested, REQ_BARRIER, memory_order_release);
  alaska_poll_request(1);

  size_t expected = 0;
  alaska_thread_t *t = alaska_threads_first();
  while (t) {
    /* Never reset t's answer fields here: a stale signal of an earlier, abandoned
     * generation may already have made t answer this one (it reads active_gen). */
    alaska_thread_t *next = t->next;
    if (t->tid == my_tid) {
      initiator = t;
    } else if (atomic_load(&t->signals_taken) != atomic_load(&t->signals_sent)) {
      expected++; /* an earlier signal is still pending: it will answer this generation */
    } else if (claim_parked(t, g)) {
      expected++; /* blocked in the kernel at a wrapped call: stopped there, no signal */
    } else if (syscall(SYS_tgkill, pid, t->tid, barrier_signo) == 0) {
      t->signal_sent_ns = now_ns;
      atomic_fetch_add(&t->signals_sent, 1);
      expected++;
    } else if (errno == ESRCH) {
      alaska_threads_remove_dead_locked(t); /* exited without unregistering */
    } else {
      expected++; /* EAGAIN (signal queue full): it cannot answer; the wait times out */
    }
    t = next;
  }

  /* Wait for every answer, the first refusal, or the deadline. */
  alaska_barrier_outcome_t outcome = ALASKA_BARRIER_STOPPED;
  for (;;) {
    uint32_t seq = atomic_load_explicit(&ack_seq, memory_order_acquire);
    size_t stopped = 0, deferred = 0;
    for (t = alaska_threads_first(); t && outcome == ALASKA_BARRIER_STOPPED; t = t->next) {
      deferred += t != initiator && t->deferred_gen == g &&
                  atomic_load_explicit(&t->ack_gen, memory_order_acquire) != g;
      if (t == initiator || atomic_load_explicit(&t->ack_gen, memory_order_acquire) != g)
        continue;
      if (t->ack_state == ALASKA_ACK_STOPPED) stopped++;
      else outcome = ALASKA_BARRIER_UNSCANNABLE;
    }
    if (outcome != ALASKA_BARRIER_STOPPED || stopped == expected) break;
    uint64_t spent = elapsed_ns(&stop_started);
    if (spent >= barrier_timeout_ns) {
      outcome = deferred ? ALASKA_BARRIER_BUSY : ALASKA_BARRIER_TIMEOUT;
      break;
    }
    if (deferred) resignal_deferred(g, pid);
    uint64_t left = barrier_timeout_ns - spent;
    if (deferred && left > RESIGNAL_NS) left = RESIGNAL_NS;
    struct timespec rel = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
    futex_wait(&ack_seq, seq, &rel);
  }

  if (outcome != ALASKA_BARRIER_STOPPED) {
    release_locked(g);
    alaska_threads_unlock();
    _Atomic uint64_t *counter = outcome == ALASKA_BARRIER_BUSY      ? &st_busy
                                : outcome == ALASKA_BARRIER_TIMEOUT ? &st_timeout
                                                                    : &st_unscannable;
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
    return outcome;
  }
  /* Time to stop, before the stack scan: what safepoint placement and parking decide. */
  record_us(stop_hist, &st_stop_max_us, elapsed_ns(&stop_started) / 1000);
  if (!collect_pins()) { /* the initiator itself runs on a stack we cannot bound */
    release_locked(g);
    alaska_threads_unlock();
    atomic_fetch_add_explicit(&st_unscannable, 1, memory_order_relaxed);
    return ALASKA_BARRIER_UNSCANNABLE;
  }
  barrier_owned = 1;
  running_barrier++; /* RT_LEAVE in the heap's compaction must not poll or nest */
  return ALASKA_BARRIER_STOPPED;
}

void alaska_barrier_release(void) {
  if (!barrier_owned) {
    alaska_fatal("alaska_barrier_release without a successful alaska_barrier_stop");
  }
  barrier_owned = 0;
  running_barrier--;
  /* Measured before waking anyone: woken threads may preempt us. */
  uint64_t pause_us = elapsed_ns(&stop_started) / 1000;
  release_locked(gen_counter);
  alaska_threads_unlock();
  atomic_fetch_add_explicit(&st_barriers, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&st_pause_total_us, pause_us, memory_order_relaxed);
  record_us(pause_hist, &st_pause_max_us, pause_us);
}

/* ---- compaction under a barrier ------------------------------------------------------ */

/* Retry i of a stop that found a thread inside the runtime waits i * this first. */
#define BUSY_BACKOFF_NS 20000L

size_t alaska_barrier_compact(size_t budget, uint64_t budget_ns, int move_everything, int attempts,
                              alaska_compact_step_t *step_out) {
  alaska_compact_step_t step = {.outcome = ALASKA_BARRIER_BUSY};
  if (running_barrier) { /* e.g. the heap called back into the runtime */
    if (step_out) *step_out = step;
    return 0;
  }
  running_barrier = 1;
  /* Planning and pre-faulting happen before the stop, with everybody running. */
  alaska_compaction_t cx;
  alaska_heap_compact_prepare(&cx, budget, budget_ns, move_everything);
  for (int i = 0; i < (attempts > 0 ? attempts : 1); i++) {
    step.outcome = alaska_barrier_stop();
    if (step.outcome != ALASKA_BARRIER_BUSY) break;
    /* Someone is inside the runtime: let it leave, then retry. */
    struct timespec backoff = {0, BUSY_BACKOFF_NS * (i + 1)};
    nanosleep(&backoff, NULL);
  }
  if (step.outcome == ALASKA_BARRIER_STOPPED) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    alaska_heap_compact_stopped(&cx, alaska_barrier_is_pinned, NULL);
    step.compact_ns = elapsed_ns(&t0);
    step.bytes_moved = cx.moved_bytes;
    step.estimate_ns = cx.moved_ns;
    alaska_barrier_release();
  }
  running_barrier = 0;
  /* The madvise of the emptied pages runs after the release, outside the pause. */
  step.bytes_released = alaska_heap_compact_finish(&cx);
  if (step_out) *step_out = step;
  return step.bytes_released;
}

size_t alaska_compact(void) {
  return alaska_barrier_compact(SIZE_MAX, 0, 0, 20, NULL);
}

/* ---- statistics ----------------------------------------------------------------------- */

static void percentiles(_Atomic uint64_t *src, uint64_t *p50, uint64_t *p99) {
  uint64_t hist[ALASKA_PAUSE_BUCKETS], total = 0;
  for (unsigned i = 0; i < ALASKA_PAUSE_BUCKETS; i++) total += hist[i] = atomic_load(&src[i]);
  *p50 = hist_percentile(hist, total, 0.50);
  *p99 = hist_percentile(hist, total, 0.99);
}

void alaska_barrier_get_stats(alaska_barrier_stats_t *out) {
  memset(out, 0, sizeof *out);
  out->attempts = atomic_load(&st_attempts);
  out->barriers = atomic_load(&st_barriers);
  out->gave_up_busy = atomic_load(&st_busy);
  out->gave_up_timeout = atomic_load(&st_timeout);
  out->gave_up_unscannable = atomic_load(&st_unscannable);
  out->objects_moved = __atomic_load_n(&alaska_stat_objects_moved, __ATOMIC_RELAXED);
  out->bytes_moved = __atomic_load_n(&alaska_stat_bytes_moved, __ATOMIC_RELAXED);
  out->pause_max_us = atomic_load(&st_pause_max_us);
  out->pause_total_us = atomic_load(&st_pause_total_us);
  percentiles(pause_hist, &out->pause_p50_us, &out->pause_p99_us);
  out->stop_max_us = atomic_load(&st_stop_max_us);
  percentiles(stop_hist, &out->stop_p50_us, &out->stop_p99_us);
}

static uint64_t read_barriers(void) { return atomic_load(&st_barriers); }
static uint64_t read_given_up(void) {
  return atomic_load(&st_busy) + atomic_load(&st_timeout) + atomic_load(&st_unscannable);
}
static uint64_t read_max_pause(void) { return atomic_load(&st_pause_max_us); }
static alaska_barrier_stats_t stats_now(void) {
  alaska_barrier_stats_t s;
  alaska_barrier_get_stats(&s);
  return s;
}
static uint64_t read_p50_pause(void) { return stats_now().pause_p50_us; }
static uint64_t read_p99_pause(void) { return stats_now().pause_p99_us; }
static uint64_t read_max_stop(void) { return atomic_load(&st_stop_max_us); }
static uint64_t read_p50_stop(void) { return stats_now().stop_p50_us; }
static uint64_t read_p99_stop(void) { return stats_now().stop_p99_us; }

__attribute__((constructor(102))) static void barrier_constructor(void) {
  alaska_barrier_init();
  /* objects_moved and bytes_moved are the heap's own keys on the line; the pause keys are
   * this histogram's only (each key appears once on the line). */
  alaska_stats_register_u64("barriers", read_barriers);
  alaska_stats_register_u64("barriers_given_up", read_given_up);
  alaska_stats_register_u64("max_pause_us", read_max_pause);
  alaska_stats_register_u64("pause_p50_us", read_p50_pause);
  alaska_stats_register_u64("pause_p99_us", read_p99_pause);
  alaska_stats_register_u64("max_stop_us", read_max_stop);
  alaska_stats_register_u64("stop_p50_us", read_p50_stop);
  alaska_stats_register_u64("stop_p99_us", read_p99_stop);
  alaska_stress_start();
}
