/*
 * blocking.c — calls that block in the kernel, interposed so that the calling thread parks
 * (mover/barrier.h alaska_park) for their duration: a barrier counts a parked thread as
 * stopped at this call and never sends it the barrier signal. Without this, every barrier
 * would interrupt them: nanosleep and its kin return early (Redis's `DEBUG SLEEP 0.05`
 * slept 2 ms under ALASKA_STRESS), poll/select/epoll_wait return EINTR, pause and
 * sigsuspend return, none of which the program sees natively. Each wrapper is a frame of
 * runtime code between compiled code and the kernel: every pin slot of the thread is above
 * it, which is what the barrier scans.
 * A barrier that saw the thread running a moment before it parked still signals it: the
 * call then fails with EINTR although no handler of the program ran (signals.h counts
 * them), and the wrapper resumes it for the time left, as if nothing had happened.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "interop/signals.h"
#include "mover/barrier.h"
#include "os/os.h"

/* The next definition of `name` (libc's), resolved once with `lookup`. */
#define REAL_BY(lookup, type, name)                                                     \
  static type real_##name;                                                              \
  if (!real_##name) real_##name = (type)lookup(#name)
#define REAL(type, name) REAL_BY(next_symbol, type, name)

/* Every wrapped call is a cancellation point: a thread cancelled in it must not unwind
 * into the program's cleanup handlers (compiled code) still counted as stopped. (The
 * handler reads only `parked_`, in memory: the timeouts that -Wclobbered warns about are
 * dead after a cancellation.) */
#pragma GCC diagnostic ignored "-Wclobbered"
static void unpark_on_cancel(void *parked) {
  if (*(int *)parked) alaska_unpark();
}

/* result = call, parked; `seen` = the program's handlers run on this thread before it
 * (compare with alaska_user_signals after: equal means only our signal came). errno is
 * the call's. */
#define PARKED(result, seen, call)                                                      \
  do {                                                                                  \
    seen = alaska_user_signals;                                                         \
    int parked_ = alaska_park(__builtin_frame_address(0));                             \
    pthread_cleanup_push(unpark_on_cancel, &parked_);                                   \
    result = call;                                                                      \
    pthread_cleanup_pop(0);                                                             \
    if (parked_) {                                                                      \
      int errno_ = errno;                                                               \
      alaska_unpark();                                                                  \
      errno = errno_;                                                                   \
    }                                                                                   \
  } while (0)

#define ONLY_OURS(seen) (alaska_user_signals == (seen))

/* Returns what `call` returns, parked once: for calls that never fail with EINTR. */
#define PARKED_ONCE(call)                                                                \
  do {                                                                                  \
    unsigned seen_;                                                                     \
    int r_;                                                                             \
    PARKED(r_, seen_, call);                                                            \
    (void)seen_;                                                                        \
    return r_;                                                                          \
  } while (0)

/* Returns what `call` returns, but first repeats it (after `next`, which shortens its
 * timeout) while it fails with EINTR from our signal alone. For calls whose failure is
 * -1/errno. */
#define RESUMED(call, next)                                                              \
  for (;;) {                                                                             \
    unsigned seen_;                                                                      \
    int r_;                                                                              \
    PARKED(r_, seen_, call);                                                             \
    if (r_ >= 0 || errno != EINTR || !ONLY_OURS(seen_)) return r_;                       \
    next;                                                                                \
  }

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Deadlines of calls resumed after our signal, for timeouts the kernel does not update. */
static int64_t deadline_ms(int timeout_ms) {
  return timeout_ms < 0 ? -1 : now_ns() + (int64_t)timeout_ms * 1000000;
}
static int ms_left(int64_t deadline) {
  if (deadline < 0) return -1;
  int64_t left = deadline - now_ns();
  return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}
static int64_t deadline_ts(const struct timespec *t) {
  return t ? now_ns() + (int64_t)t->tv_sec * 1000000000 + t->tv_nsec : -1;
}
static const struct timespec *ts_left(int64_t deadline, struct timespec *out) {
  if (deadline < 0) return NULL;
  int64_t left = deadline - now_ns();
  if (left < 0) left = 0;
  out->tv_sec = (time_t)(left / 1000000000);
  out->tv_nsec = (long)(left % 1000000000);
  return out;
}

typedef int (*nanosleep_fn)(const struct timespec *, struct timespec *);

/* nanosleep for *req; on the program's signal -1/EINTR and the time left in *left. */
static int sleep_for(struct timespec req, struct timespec *left) {
  REAL(nanosleep_fn, nanosleep);
  for (;;) {
    unsigned seen;
    int r;
    PARKED(r, seen, real_nanosleep(&req, left));
    if (r == 0 || errno != EINTR || !ONLY_OURS(seen)) return r;
    req = *left;
  }
}

ALASKA_API int nanosleep(const struct timespec *req, struct timespec *rem) {
  struct timespec left;
  int r = sleep_for(*req, &left);
  if (r != 0 && errno == EINTR && rem) *rem = left;
  return r;
}

typedef int (*clock_nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);
ALASKA_API int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                               struct timespec *rem) {
  REAL(clock_nanosleep_fn, clock_nanosleep);
  struct timespec want = *req, left;
  for (;;) {
    unsigned seen;
    int r;
    PARKED(r, seen, real_clock_nanosleep(clock, flags, &want, &left));
    if (r != EINTR || !ONLY_OURS(seen)) {
      if (r == EINTR && rem && !(flags & TIMER_ABSTIME)) *rem = left;
      return r;
    }
    if (!(flags & TIMER_ABSTIME)) want = left; /* an absolute deadline stays */
  }
}

ALASKA_API int usleep(useconds_t usec) {
  struct timespec req = {(time_t)(usec / 1000000), (long)(usec % 1000000) * 1000}, left;
  return sleep_for(req, &left);
}

/* glibc's: the seconds left, rounded to nearest, when the program's signal cut it short. */
ALASKA_API unsigned sleep(unsigned seconds) {
  int saved = errno;
  struct timespec req = {(time_t)seconds, 0}, left;
  unsigned r = 0;
  if (sleep_for(req, &left) != 0) r = (unsigned)left.tv_sec + (left.tv_nsec >= 500000000L);
  errno = saved;
  return r;
}

typedef int (*pause_fn)(void);
ALASKA_API int pause(void) {
  REAL(pause_fn, pause);
  for (;;) {
    unsigned seen;
    int r;
    PARKED(r, seen, real_pause());
    if (!ONLY_OURS(seen)) return r;
  }
}

typedef int (*sigsuspend_fn)(const sigset_t *);
ALASKA_API int sigsuspend(const sigset_t *mask) {
  REAL(sigsuspend_fn, sigsuspend);
  sigset_t m = *mask;
  for (;;) {
    unsigned seen;
    int r;
    PARKED(r, seen, real_sigsuspend(&m));
    if (!ONLY_OURS(seen)) return r;
  }
}

typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
ALASKA_API int poll(struct pollfd *fds, nfds_t n, int timeout) {
  REAL(poll_fn, poll);
  int64_t deadline = deadline_ms(timeout);
  RESUMED(real_poll(fds, n, timeout), timeout = ms_left(deadline));
}

typedef int (*poll_chk_fn)(struct pollfd *, nfds_t, int, size_t);
ALASKA_API int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen) {
  REAL(poll_chk_fn, __poll_chk);
  int64_t deadline = deadline_ms(timeout);
  RESUMED(real___poll_chk(fds, n, timeout, fdslen), timeout = ms_left(deadline));
}

typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
ALASKA_API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                     const sigset_t *mask) {
  REAL(ppoll_fn, ppoll);
  int64_t deadline = deadline_ts(timeout);
  struct timespec left;
  RESUMED(real_ppoll(fds, n, timeout, mask), timeout = ts_left(deadline, &left));
}

typedef int (*ppoll_chk_fn)(struct pollfd *, nfds_t, const struct timespec *,
                            const sigset_t *, size_t);
ALASKA_API int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                           const sigset_t *mask, size_t fdslen) {
  REAL(ppoll_chk_fn, __ppoll_chk);
  int64_t deadline = deadline_ts(timeout);
  struct timespec left;
  RESUMED(real___ppoll_chk(fds, n, timeout, mask, fdslen),
          timeout = ts_left(deadline, &left));
}

/* Linux leaves the sets as given and the time left in *timeout when select fails: the
 * same call resumes it. */
typedef int (*select_fn)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
ALASKA_API int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout) {
  REAL(select_fn, select);
  RESUMED(real_select(n, rd, wr, ex, timeout), (void)0);
}

typedef int (*pselect_fn)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
                          const sigset_t *);
ALASKA_API int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex,
                       const struct timespec *timeout, const sigset_t *mask) {
  REAL(pselect_fn, pselect);
  int64_t deadline = deadline_ts(timeout);
  struct timespec left;
  RESUMED(real_pselect(n, rd, wr, ex, timeout, mask),
          timeout = ts_left(deadline, &left));
}

typedef int (*epoll_wait_fn)(int, struct epoll_event *, int, int);
ALASKA_API int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout) {
  REAL(epoll_wait_fn, epoll_wait);
  int64_t deadline = deadline_ms(timeout);
  RESUMED(real_epoll_wait(epfd, events, max, timeout), timeout = ms_left(deadline));
}

typedef int (*epoll_pwait_fn)(int, struct epoll_event *, int, int, const sigset_t *);
ALASKA_API int epoll_pwait(int epfd, struct epoll_event *events, int max, int timeout,
                           const sigset_t *mask) {
  REAL(epoll_pwait_fn, epoll_pwait);
  int64_t deadline = deadline_ms(timeout);
  RESUMED(real_epoll_pwait(epfd, events, max, timeout, mask), timeout = ms_left(deadline));
}

/* Semaphores. sem_wait restarts after a handler (SA_RESTART), but the timed waits fail with
 * EINTR; all three park, so a barrier neither wakes them nor waits for them. Their deadlines
 * are absolute: the same call resumes them. */
typedef int (*sem_wait_fn)(sem_t *);
ALASKA_API int sem_wait(sem_t *sem) {
  REAL(sem_wait_fn, sem_wait);
  RESUMED(real_sem_wait(sem), (void)0);
}

typedef int (*sem_timedwait_fn)(sem_t *, const struct timespec *);
ALASKA_API int sem_timedwait(sem_t *sem, const struct timespec *abstime) {
  REAL(sem_timedwait_fn, sem_timedwait);
  RESUMED(real_sem_timedwait(sem, abstime), (void)0);
}

typedef int (*sem_clockwait_fn)(sem_t *, clockid_t, const struct timespec *);
ALASKA_API int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime) {
  REAL(sem_clockwait_fn, sem_clockwait);
  RESUMED(real_sem_clockwait(sem, clock, abstime), (void)0);
}

/* sigwaitinfo / sigtimedwait fail with EINTR when a handler of a signal outside the set runs;
 * the barrier's must not count. sigtimedwait's timeout is relative and not updated: resumed
 * with the time left. */
typedef int (*sigtimedwait_fn)(const sigset_t *, siginfo_t *, const struct timespec *);
ALASKA_API int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout) {
  REAL(sigtimedwait_fn, sigtimedwait);
  int64_t deadline = deadline_ts(timeout);
  struct timespec left;
  RESUMED(real_sigtimedwait(set, info, timeout), timeout = ts_left(deadline, &left));
}

typedef int (*sigwaitinfo_fn)(const sigset_t *, siginfo_t *);
ALASKA_API int sigwaitinfo(const sigset_t *set, siginfo_t *info) {
  REAL(sigwaitinfo_fn, sigwaitinfo);
  RESUMED(real_sigwaitinfo(set, info), (void)0);
}

/* Condition variables: never EINTR (glibc retries), but a barrier signal would still have to
 * wake the waiter and wait for the scheduler to run its handler: on a loaded machine that
 * was most of a barrier's time to stop (Redis's bio threads: up to 4.7 ms). Parked, the
 * waiter is claimed at once. The default (GLIBC_2.3.2) versions, which compiled code and
 * current libraries bind to. */
static void *next_cond_symbol(const char *name) {
  void *f = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
  return f ? f : next_symbol(name);
}

typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
ALASKA_API int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex) {
  REAL_BY(next_cond_symbol, cond_wait_fn, pthread_cond_wait);
  PARKED_ONCE(real_pthread_cond_wait(cond, mutex));
}

typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
ALASKA_API int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
                                      const struct timespec *abstime) {
  REAL_BY(next_cond_symbol, cond_timedwait_fn, pthread_cond_timedwait);
  PARKED_ONCE(real_pthread_cond_timedwait(cond, mutex, abstime));
}

typedef int (*cond_clockwait_fn)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
                                 const struct timespec *);
ALASKA_API int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
                                      clockid_t clock, const struct timespec *abstime) {
  REAL(cond_clockwait_fn, pthread_cond_clockwait);
  PARKED_ONCE(real_pthread_cond_clockwait(cond, mutex, clock, abstime));
}
