/*
 * init.c — runtime start-up: the ABI symbol, the handle table and heap reservations, the
 * SIGSEGV reporter for freed or untranslated handles, fork safety, and ALASKA_* variables
 * (docs/env.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap/internal.h"
#include "heap/stats.h"
#include "options.h"
#include "os/os.h"
#include "policy/heapmap_signal.h"

/* Referenced by every module the pass transforms: a pass/runtime ABI mismatch fails to link. */
ALASKA_API const int ALASKA_ABI_VAR = ALASKA_ABI_VERSION;

/* static: a second copy of the runtime in the process must run its own start-up (and fail). */
static int alaska_initialized;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* SIGSEGV: name the likely Alaska cause, then die of the signal as the program would have. */
static void segv_handler(int sig, siginfo_t *si, void *uctx) {
  (void)uctx;
  uintptr_t a = (uintptr_t)si->si_addr;
  if (a - ALASKA_POISON_BASE < ALASKA_POISON_BYTES) {
    alaska_report("use of freed handle (fault at %#lx)", (unsigned long)a);
  } else if (table_low_guard_contains(a)) { /* entry 0: a released table page (table.c) */
    alaska_report("use of freed handle (fault at %#lx: its table page was released; or a "
                  "handle that was never allocated)", (unsigned long)a);
  } else if (si->si_code == SI_KERNEL) {
    alaska_report("segmentation fault on a non-canonical address: likely a handle "
                  "dereferenced without translation (e.g. by code not compiled by Alaska)");
  } else if (a - ALASKA_TABLE_BASE < ALASKA_TABLE_BYTES) {
    alaska_report("segmentation fault inside the handle table at %#lx", (unsigned long)a);
  } else {
    alaska_report("segmentation fault at address %#lx", (unsigned long)a);
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, NULL); /* returning re-executes the access and dies of SIGSEGV */
}

static void install_segv_handler(void) {
  static char altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL); /* main thread: report stack overflows too */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = segv_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  struct sigaction old;
  if (sigaction(SIGSEGV, NULL, &old) == 0 && old.sa_handler != SIG_DFL) return; /* keep theirs */
  sigaction(SIGSEGV, &sa, NULL);
}

static void fork_prepare(void) {
  RT_ENTER(); /* holding alaska_heap_lock across fork: a barrier must not stop us here */
  pthread_mutex_lock(&alaska_heap_lock);
  table_lock_for_fork(1);
}
static void fork_parent(void) { /* also the child's handler */
  table_lock_for_fork(0);
  pthread_mutex_unlock(&alaska_heap_lock);
  RT_LEAVE();
}

static void print_stats_at_exit(void) {
  const char *map = alaska_options()->heapmap;
  if (map && *map && alaska_heapmap(map) != 0)
    alaska_report("cannot write the heap map ALASKA_HEAPMAP=%s: %s", map, strerror(errno));
  if (alaska_options()->stats) alaska_print_stats();
}

static void do_init(void) {
  alaska_max_handles = alaska_options()->max_handles; /* a malformed variable stops here */
  table_init();
  heap_region_init();
  cache_module_init();
  install_segv_handler();
  pthread_atfork(fork_prepare, fork_parent, fork_parent);
  atexit(print_stats_at_exit);
  alaska_heapmap_signal_init(); /* ALASKA_HEAPMAP_SIGNAL: its thread and handler */
  alaska_initialized = 1;
}

void alaska_init(void) {
  if (likely(alaska_initialized)) return;
  pthread_once(&init_once, do_init);
}

__attribute__((constructor(101))) static void alaska_constructor(void) { alaska_init(); }
