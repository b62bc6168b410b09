/*
 * compiled_text.c — where the code compiled by Alaska lies, so the barrier's signal handler
 * can tell a thread interrupted in compiled code (it runs on to its next poll) from one in
 * any other code (it is stopped where it is). Protocol: docs/design.md §6.2.
 *
 * The pass puts every function it transforms in the section ALASKA_TEXT_SECTION; each
 * module's constructor registers its object's [__start, __stop) range and its poll word
 * (ALASKA_POLL_WORD: one hidden word per executable or library, read RIP-relative by every
 * poll; all modules of one object name the same range and word: registered once). A
 * barrier sets every registered word while it waits (alaska_poll_request). Lookups run in the signal
 * handler: no locks, ranges are only ever appended. A range stays after dlclose: code later
 * mapped there counts as compiled, which only defers a stop (see barrier.c), never unsafe.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "alaska/abi.h"
#include "mover/barrier.h"
#include "os/os.h"

#define MAX_TEXT_RANGES 1024 /* compiled executables and libraries in one process */

typedef struct {
  _Atomic uintptr_t start, end;
  _Atomic uint32_t *poll_word; /* the object's own (hidden) poll word */
} text_range_t;

static text_range_t ranges[MAX_TEXT_RANGES];
static _Atomic unsigned nranges;
static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t poll_requested; /* what every poll word holds (under register_lock) */

ALASKA_API void alaska_register_text(const void *start, const void *end, uint32_t *poll_word) {
  uintptr_t lo = (uintptr_t)start, hi = (uintptr_t)end;
  if (lo >= hi || !poll_word) return; /* no compiled function in this object */
  pthread_mutex_lock(&register_lock);
  unsigned n = atomic_load_explicit(&nranges, memory_order_relaxed);
  for (unsigned i = 0; i < n; i++)
    if (atomic_load_explicit(&ranges[i].start, memory_order_relaxed) == lo &&
        atomic_load_explicit(&ranges[i].end, memory_order_relaxed) == hi) {
      pthread_mutex_unlock(&register_lock);
      return;
    }
  if (n == MAX_TEXT_RANGES)
    alaska_fatal("more than %d executables and libraries compiled by Alaska in one process",
                 MAX_TEXT_RANGES);
  atomic_store_explicit(&ranges[n].start, lo, memory_order_relaxed);
  atomic_store_explicit(&ranges[n].end, hi, memory_order_relaxed);
  ranges[n].poll_word = (_Atomic uint32_t *)poll_word;
  atomic_store_explicit(ranges[n].poll_word, poll_requested, memory_order_relaxed);
  atomic_store_explicit(&nranges, n + 1, memory_order_release); /* published complete */
  pthread_mutex_unlock(&register_lock);
}

void alaska_poll_request(int on) {
  pthread_mutex_lock(&register_lock);
  poll_requested = on ? 1 : 0;
  unsigned n = atomic_load_explicit(&nranges, memory_order_relaxed);
  for (unsigned i = 0; i < n; i++)
    atomic_store_explicit(ranges[i].poll_word, poll_requested, memory_order_release);
  pthread_mutex_unlock(&register_lock);
}

int alaska_in_compiled_text(uintptr_t pc) {
  unsigned n = atomic_load_explicit(&nranges, memory_order_acquire);
  for (unsigned i = 0; i < n; i++)
    if (pc >= atomic_load_explicit(&ranges[i].start, memory_order_relaxed) &&
        pc < atomic_load_explicit(&ranges[i].end, memory_order_relaxed))
      return 1;
  return 0;
}
