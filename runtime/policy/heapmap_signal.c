/*
 * heapmap_signal.c — ALASKA_HEAPMAP_SIGNAL=N (heapmap_signal.h, docs/env.md "Heap map").
 *
 * The handler may interrupt a thread holding the heap lock (or any libc lock), so it does
 * nothing but write one byte to a non-blocking pipe. A runtime-internal thread (never
 * registered, so never stopped by a barrier; all signals blocked, so no handler of the
 * program runs on it) reads the pipe and writes the snapshot with alaska_heapmap(), which
 * takes the heap lock like any allocation. Snapshot K (1, 2, ...) is written to
 * ALASKA_HEAPMAP.K.tmp and renamed to ALASKA_HEAPMAP.K, so a file of that name is always
 * complete. Signals that arrive while a snapshot is written give one more snapshot, not one
 * each. A fork child inherits the handler but not the thread: there the signal is ignored
 * (the handler compares getpid() with the process that started the thread).
 */
#include "policy/heapmap_signal.h"

#include <alaska.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mover/threads.h"
#include "options.h"
#include "os/os.h"

static int pipe_rd = -1, pipe_wr = -1;
static pid_t owner_pid;

static void on_signal(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)info;
  (void)uc;
  int saved_errno = errno;
  if (getpid() == owner_pid) {
    char c = 1;
    if (write(pipe_wr, &c, 1) < 0) { /* pipe full: a snapshot is due anyway */
    }
  }
  errno = saved_errno;
}

static void *writer_main(void *arg) {
  (void)arg;
  const char *base = alaska_options()->heapmap;
  unsigned long k = 0;
  for (;;) {
    char buf[256];
    ssize_t n = read(pipe_rd, buf, sizeof buf); /* every pending request: one snapshot */
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    k++;
    char path[4096], tmp[4100];
    if (snprintf(path, sizeof path, "%s.%lu", base, k) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
      alaska_report("cannot write the heap map ALASKA_HEAPMAP=%s.%lu: file name too long",
                    base, k);
      continue;
    }
    if (alaska_heapmap(tmp) != 0 || rename(tmp, path) != 0) {
      int err = errno;
      unlink(tmp);
      alaska_report("cannot write the heap map %s (ALASKA_HEAPMAP_SIGNAL): %s", path,
                    strerror(err));
    }
  }
}

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

void alaska_heapmap_signal_init(void) {
  const alaska_options_t *o = alaska_options();
  int signo = o->heapmap_signal;
  if (!signo) return; /* options.c: set only together with ALASKA_HEAPMAP */
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    alaska_report("ALASKA_HEAPMAP_SIGNAL: cannot create a pipe: %s", strerror(errno));
    return;
  }
  fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK); /* the handler never blocks */
  pipe_rd = fds[0];
  pipe_wr = fds[1];
  owner_pid = getpid();
  /* The thread inherits a mask blocking every signal: none is ever delivered to it. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t th;
  int started = alaska_threads_create_internal(&th, NULL, writer_main, NULL) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (!started) {
    alaska_report("ALASKA_HEAPMAP_SIGNAL: cannot start the heap map thread");
    return; /* the program's own disposition of the signal stays */
  }
  pthread_detach(th);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  /* The real sigaction: the interposed one (interop/signals.c) would route the handler
   * through the program-handler trampoline. */
  sigaction_fn real = (sigaction_fn)next_symbol("sigaction");
  if (real(signo, &sa, NULL) != 0)
    alaska_report("ALASKA_HEAPMAP_SIGNAL=%d: cannot install the handler: %s", signo,
                  strerror(errno));
}
