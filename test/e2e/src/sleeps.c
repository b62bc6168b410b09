/* sleeps.c — calls that block in the kernel behave as natively while barriers run (under
 * ALASKA_STRESS a barrier every millisecond): sleeps last their whole time, poll/select/
 * epoll_wait, sem_timedwait/sem_clockwait and sigtimedwait time out instead of returning
 * EINTR, sem_wait waits for its post, pause/sigsuspend return only for the
 * program's own signal. Their arguments live in heap objects, and other threads keep
 * allocating so barriers have objects to move. */
#define _GNU_SOURCE
#include <poll.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static atomic_int stop_churn;
static void *churn(void *arg) {
  (void)arg;
  /* The timer's SIGALRM is for main's pause/sigsuspend: never taken here. */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  char *keep[64] = {0};
  unsigned i = 0;
  while (!atomic_load(&stop_churn)) {
    unsigned k = i++ % 64;
    free(keep[k]);
    keep[k] = malloc(16 + k * 8);
    memset(keep[k], (int)k, 16 + k * 8);
  }
  for (int k = 0; k < 64; k++) free(keep[k]);
  return NULL;
}

/* Posts *arg after 50 ms. */
static void *post_later(void *arg) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  usleep(50000);
  CHECK(sem_post(arg) == 0);
  return NULL;
}

static struct timespec *deadline_in_ms(clockid_t clock, int ms) {
  struct timespec *t = malloc(sizeof *t);
  CHECK(clock_gettime(clock, t) == 0);
  t->tv_nsec += (long)ms * 1000000L;
  t->tv_sec += t->tv_nsec / 1000000000L;
  t->tv_nsec %= 1000000000L;
  return t;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }
static void arm_alarm_ms(int ms) {
  struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
  CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

/* Elapsed time of a blocking call must be at least what was asked (a little slack for
 * clock granularity). */
#define LASTED(start, ms) CHECK(now_ms() - (start) >= (ms) - 1.0)

int main(void) {
  pthread_t th;
  CHECK(pthread_create(&th, NULL, churn, NULL) == 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  CHECK(sigaction(SIGALRM, &sa, NULL) == 0);

  for (int round = 0; round < 3; round++) {
    struct timespec *req = malloc(sizeof *req), *rem = malloc(sizeof *rem);
    req->tv_sec = 0;
    req->tv_nsec = 60 * 1000000L;
    double t0 = now_ms();
    CHECK(nanosleep(req, rem) == 0);
    LASTED(t0, 60);

    t0 = now_ms();
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem) == 0);
    LASTED(t0, 60);

    t0 = now_ms();
    CHECK(usleep(40000) == 0);
    LASTED(t0, 40);

    int *fds = malloc(2 * sizeof *fds);
    CHECK(pipe(fds) == 0);
    struct pollfd *pfd = malloc(sizeof *pfd);
    pfd->fd = fds[0];
    pfd->events = POLLIN;
    t0 = now_ms();
    CHECK(poll(pfd, 1, 50) == 0);
    LASTED(t0, 50);

    t0 = now_ms();
    CHECK(ppoll(pfd, 1, req, NULL) == 0);
    LASTED(t0, 60);

    fd_set *rd = malloc(sizeof *rd);
    FD_ZERO(rd);
    FD_SET(fds[0], rd);
    struct timeval *tv = malloc(sizeof *tv);
    tv->tv_sec = 0;
    tv->tv_usec = 50000;
    t0 = now_ms();
    CHECK(select(fds[0] + 1, rd, NULL, NULL, tv) == 0);
    LASTED(t0, 50);

    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    struct epoll_event *ev = malloc(4 * sizeof *ev);
    ev[0].events = EPOLLIN;
    ev[0].data.u64 = 42;
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev[0]) == 0);
    t0 = now_ms();
    CHECK(epoll_wait(ep, ev, 4, 50) == 0);
    LASTED(t0, 50);
    /* Data arrives: the same calls report it, into their heap buffers. */
    CHECK(write(fds[1], "x", 1) == 1);
    CHECK(epoll_wait(ep, ev, 4, 1000) == 1 && ev[0].data.u64 == 42);
    CHECK(poll(pfd, 1, 1000) == 1 && (pfd->revents & POLLIN));

    /* Semaphores in a heap object: a timed wait times out (ETIMEDOUT, never EINTR), an
     * untimed one returns 0 when the post comes. */
    sem_t *sem = malloc(sizeof *sem);
    CHECK(sem_init(sem, 0, 0) == 0);
    struct timespec *abs = deadline_in_ms(CLOCK_REALTIME, 50);
    t0 = now_ms();
    errno = 0;
    CHECK(sem_timedwait(sem, abs) == -1 && errno == ETIMEDOUT);
    LASTED(t0, 50);
    free(abs);
    abs = deadline_in_ms(CLOCK_MONOTONIC, 50);
    t0 = now_ms();
    errno = 0;
    CHECK(sem_clockwait(sem, CLOCK_MONOTONIC, abs) == -1 && errno == ETIMEDOUT);
    LASTED(t0, 50);
    free(abs);
    pthread_t poster;
    t0 = now_ms();
    CHECK(pthread_create(&poster, NULL, post_later, sem) == 0);
    CHECK(sem_wait(sem) == 0);
    LASTED(t0, 50);
    pthread_join(poster, NULL);
    CHECK(sem_trywait(sem) == -1 && errno == EAGAIN);
    CHECK(sem_destroy(sem) == 0);
    free(sem);

    /* sigtimedwait for a signal that never comes times out with EAGAIN. */
    sigset_t *usr = malloc(sizeof *usr), *old_mask = malloc(sizeof *old_mask);
    sigemptyset(usr);
    sigaddset(usr, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, usr, old_mask) == 0);
    t0 = now_ms();
    errno = 0;
    CHECK(sigtimedwait(usr, NULL, req) == -1 && errno == EAGAIN);
    LASTED(t0, 60);
    CHECK(sigprocmask(SIG_SETMASK, old_mask, NULL) == 0);
    free(usr);
    free(old_mask);

    /* pause and sigsuspend return for the program's own signal, and only for it. The
     * timer repeats for pause (a first alarm may come before pause starts); sigsuspend
     * has SIGALRM blocked until it waits. */
    int before = alarms;
    struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
    CHECK(pause() == -1);
    CHECK(alarms > before);
    CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0);
    sigset_t *mask = malloc(sizeof *mask), *alrm = malloc(sizeof *alrm);
    sigemptyset(alrm);
    sigaddset(alrm, SIGALRM);
    CHECK(sigprocmask(SIG_BLOCK, alrm, mask) == 0);
    sigdelset(mask, SIGALRM);
    before = alarms;
    t0 = now_ms();
    arm_alarm_ms(50);
    CHECK(sigsuspend(mask) == -1);
    CHECK(alarms == before + 1);
    LASTED(t0, 50);
    CHECK(sigprocmask(SIG_UNBLOCK, alrm, NULL) == 0);
    free(alrm);

    close(ep);
    close(fds[0]);
    close(fds[1]);
    free(mask);
    free(ev);
    free(tv);
    free(rd);
    free(pfd);
    free(fds);
    free(req);
    free(rem);
    printf("round %d: every blocking call lasted its time\n", round);
  }
  double t0 = now_ms();
  CHECK(sleep(1) == 0);
  LASTED(t0, 1000);
  atomic_store(&stop_churn, 1);
  pthread_join(th, NULL);
  printf("ok\n");
  return 0;
}
