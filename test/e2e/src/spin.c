/* Safepoints (docs/design.md §6.3): a thread spinning in compiled loops that make no call is
 * stopped at its polls, and a signal handler that interrupts compiled code (and walks heap
 * objects itself) is never stopped while it runs. Under ALASKA_STRESS (a barrier every
 * millisecond) the stress suite demands barriers > 0 and objects moved; the sums must match
 * the native build's. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef struct node {
  struct node *next;
  long val;
} node;

static node *make_list(int n, long base) {
  node *h = NULL;
  for (int i = 0; i < n; i++) {
    node *x = malloc(sizeof *x);
    x->val = base + i;
    x->next = h;
    h = x;
  }
  return h;
}

__attribute__((noinline)) static long walk(const node *x, long k) {
  long s = 0;
  for (; x; x = x->next) s += x->val * k;
  return s;
}

static node *worker_list, *handler_list;
static volatile long handler_bad, handler_runs;

static void on_alarm(int sig) {
  (void)sig;
  if (walk(handler_list, 1) != 64L * 63 / 2 + 64L * 1000) handler_bad++;
  handler_runs++;
}

static void *worker(void *arg) {
  long rounds = (long)arg, total = 0;
  for (long r = 0; r < rounds; r++) total += walk(worker_list, r) & 0xff;
  return (void *)total;
}

int main(void) {
  worker_list = make_list(2000, 0);
  handler_list = make_list(64, 1000);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 200}, {0, 200}};
  setitimer(ITIMER_REAL, &it, NULL);
  pthread_t t;
  pthread_create(&t, NULL, worker, (void *)20000L);
  long own = 0;
  for (int r = 0; r < 20000; r++) own += walk(worker_list, r + 1) & 0xff;
  void *ret;
  pthread_join(t, &ret);
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("worker %ld main %ld list %ld handler %s\n", (long)ret, own, walk(worker_list, 1),
         handler_bad ? "WRONG" : "ok");
  return handler_bad != 0;
}
