/* The heap map (ALASKA_HEAPMAP, alaska_heapmap(); docs/env.md "Heap map"): one line per page
 * handed out, the header's totals equal to the stats, and the pages' own counts adding up to
 * the live bytes; written at exit by ALASKA_HEAPMAP; an unwritable file is reported without
 * changing the exit status. ALASKA_HEAPMAP_SIGNAL: each signal gives ALASKA_HEAPMAP.K with
 * the same checks, also when the signal interrupts a thread holding the heap lock, and the
 * variable's bad values stop the program with one line. */
#include <alaska.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "harness.h"

typedef struct {
  unsigned long long pages, live, committed, handles, sum_live, small, large, released, lines,
      committed_pages;
} map_t;

static void read_map(const char *path, map_t *m) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  memset(m, 0, sizeof *m);
  unsigned long long page_bytes = 0;
  CHECK(fscanf(f, "alaska-heapmap 1 page_bytes=%llu pages=%llu live_bytes=%llu "
               "committed_bytes=%llu handles_live=%llu\n", &page_bytes, &m->pages, &m->live,
               &m->committed, &m->handles) == 5);
  CHECK_EQ(page_bytes, 65536);
  unsigned long long idx, bsize;
  unsigned cls, used, cap, pinned;
  char kind[32], state[32];
  while (fscanf(f, "%llu %31s %u %llu %u %u %u %31s\n", &idx, kind, &cls, &bsize, &used, &cap,
                &pinned, state) == 8) {
    CHECK_EQ(idx, m->lines);
    m->lines++;
    CHECK(strcmp(state, "committed") == 0 || strcmp(state, "released") == 0);
    if (strcmp(kind, "small") == 0) {
      CHECK(used <= cap && cap > 0 && bsize > 0);
      m->sum_live += (unsigned long long)used * bsize;
      m->small++;
    } else if (strcmp(kind, "large") == 0) {
      CHECK(used == 1 && cap == 1);
      m->sum_live += bsize;
      m->large++;
    } else {
      CHECK(strcmp(kind, "large_tail") == 0 || strcmp(kind, "free") == 0 ||
            strcmp(kind, "free_tail") == 0);
      CHECK(used == 0 && cap == 0);
    }
    if (strcmp(state, "released") == 0) m->released++;
    else m->committed_pages++;
  }
  CHECK(feof(f));
  fclose(f);
}

static void *objs[20000];

/* The map in `path` against the stats now (the calling thread is the only one allocating). */
static void check_against_stats(const char *path) {
  alaska_stats_t s;
  alaska_get_stats(&s);
  map_t m;
  read_map(path, &m);
  CHECK_EQ(m.lines, m.pages);
  CHECK_EQ(m.live, s.live_bytes);
  CHECK_EQ(m.sum_live, s.live_bytes);
  CHECK_EQ(m.handles, s.handles_live);
  CHECK_EQ(m.committed_pages * 65536, m.committed);
  CHECK(m.small > 0);
}

static void case_snapshot(void) {
  for (int i = 0; i < 20000; i++) objs[i] = halloc(16 + (i % 40) * 24);
  for (int i = 0; i < 20000; i += 3) hfree(objs[i]);
  void *big[4];
  for (int i = 0; i < 4; i++) big[i] = halloc(100000 + i * 70000);
  hfree(big[1]);
  const char *path = getenv("MAP");
  CHECK(alaska_heapmap(path) == 0);
  check_against_stats(path);
  map_t m;
  read_map(path, &m);
  CHECK_EQ(m.large, 3);
  CHECK(alaska_heapmap("/nonexistent-dir/map") == -1 && errno == ENOENT);
}

/* ALASKA_HEAPMAP=file: written at exit */
static void case_at_exit(void) {
  for (int i = 0; i < 1000; i++) objs[i] = halloc(64);
}

/* Waits (up to 20 s) for `path` to exist. */
static void wait_for(const char *path) {
  for (int i = 0; i < 2000; i++) {
    if (access(path, F_OK) == 0) return;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fprintf(stderr, "%s did not appear\n", path);
  exit(1);
}


/* ALASKA_HEAPMAP=MAP ALASKA_HEAPMAP_SIGNAL=SIGUSR2: raise it, MAP.1 appears; again: MAP.2 */
static void case_signal(void) {
  const char *base = getenv("ALASKA_HEAPMAP");
  char p1[300], p2[300], tmp[300];
  snprintf(p1, sizeof p1, "%s.1", base);
  snprintf(p2, sizeof p2, "%s.2", base);
  snprintf(tmp, sizeof tmp, "%s.1.tmp", base);
  for (int i = 0; i < 20000; i++) objs[i] = halloc(16 + (i % 40) * 24);
  for (int i = 0; i < 20000; i += 3) hfree(objs[i]);
  void *big = halloc(300000);
  CHECK(raise(SIGUSR2) == 0);
  wait_for(p1);
  CHECK(access(tmp, F_OK) != 0); /* renamed, not left behind */
  check_against_stats(p1);
  for (int i = 1; i < 20000; i += 3) hfree(objs[i]);
  hfree(big);
  CHECK(kill(getpid(), SIGUSR2) == 0);
  wait_for(p2);
  check_against_stats(p2);
  map_t m1, m2;
  read_map(p1, &m1);
  read_map(p2, &m2);
  CHECK(m2.live < m1.live && m1.large == 1 && m2.large == 0);
}

/* The signal sent to a thread that keeps taking the heap lock (large allocations): the
 * handler must not take it (a thread would deadlock on its own lock); the maps come out. */
static pthread_t victim;
static _Atomic int stop_alloc;
static void *sender(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; i++) {
    pthread_kill(victim, SIGUSR2);
    struct timespec ts = {0, 500 * 1000};
    nanosleep(&ts, NULL);
  }
  stop_alloc = 1;
  return NULL;
}
static void case_signal_locked(void) {
  const char *base = getenv("ALASKA_HEAPMAP");
  char p1[300];
  snprintf(p1, sizeof p1, "%s.1", base);
  victim = pthread_self();
  pthread_t th;
  CHECK(pthread_create(&th, NULL, sender, NULL) == 0);
  unsigned long rounds = 0;
  while (!stop_alloc) {
    void *a = halloc(40000 + (rounds % 7) * 20000), *b = halloc(100);
    hfree(a);
    hfree(b);
    rounds++;
  }
  pthread_join(th, NULL);
  wait_for(p1);
  map_t m; /* taken while the thread allocated: only the map's own structure holds */
  read_map(p1, &m);
  CHECK_EQ(m.lines, m.pages);
  CHECK_EQ(m.committed_pages * 65536, m.committed);
  printf("%lu allocation rounds under 200 signals\n", rounds);
}

/* The heap-map signal is reserved like the barrier's: the program's sigaction, signal and
 * sigset for it are refused (EINVAL, one line), and the runtime's handler keeps working. */
static void program_handler(int sig) { (void)sig; }
static void case_signal_reserved(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = program_handler;
  errno = 0;
  CHECK(sigaction(SIGUSR2, &sa, NULL) == -1);
  CHECK_EQ(errno, EINVAL);
  CHECK(signal(SIGUSR2, program_handler) == SIG_ERR);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" /* sigset is System V's */
  CHECK(sigset(SIGUSR2, program_handler) == SIG_ERR);
#pragma GCC diagnostic pop
  CHECK(sigaction(SIGUSR2, NULL, &sa) == 0); /* querying is allowed */
  char p1[300];
  snprintf(p1, sizeof p1, "%s.1", getenv("ALASKA_HEAPMAP"));
  for (int i = 0; i < 100; i++) objs[i] = halloc(48);
  CHECK(raise(SIGUSR2) == 0);
  wait_for(p1);
  check_against_stats(p1);
}

static const harness_case_t cases[] = {
    {"snapshot", case_snapshot},
    {"at_exit", case_at_exit},
    {"signal", case_signal},
    {"signal_locked", case_signal_locked},
    {"signal_reserved", case_signal_reserved},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  char path[256], env[300];
  snprintf(path, sizeof path, "/tmp/alaska-heapmap-test-%d", (int)getpid());
  snprintf(env, sizeof env, "MAP=%s", path);
  expect_success(argv[0], "snapshot", env);
  unlink(path);
  snprintf(env, sizeof env, "ALASKA_HEAPMAP=%s", path);
  expect_success(argv[0], "at_exit", env);
  map_t m;
  read_map(path, &m);
  CHECK_EQ(m.handles, 1000);
  CHECK_EQ(m.live, 64000);
  CHECK_EQ(m.sum_live, 64000);
  CHECK_EQ(m.committed_pages * 65536, m.committed);
  unlink(path);
  printf("ok at_exit (1000 handles, 64000 live bytes in the map)\n");
  char buf[8192];
  int status = 0;
  CHECK(harness_spawn(argv[0], "at_exit", "ALASKA_HEAPMAP=/nonexistent-dir/map", buf, sizeof buf,
                      &status) == 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(strstr(buf, "alaska: cannot write the heap map ALASKA_HEAPMAP=/nonexistent-dir/map: "
                    "No such file or directory\n") != NULL);
  printf("ok unwritable map reported, exit status 0 kept\n");

  /* ALASKA_HEAPMAP_SIGNAL: the parent sets ALASKA_HEAPMAP for the children (its own runtime
   * read the environment at start-up already). */
  char p1[300], p2[300];
  snprintf(p1, sizeof p1, "%s.1", path);
  snprintf(p2, sizeof p2, "%s.2", path);
  CHECK(setenv("ALASKA_HEAPMAP", path, 1) == 0);
  expect_success(argv[0], "signal", "ALASKA_HEAPMAP_SIGNAL=12");
  read_map(p2, &m); /* the child's checks held; the files stay complete after it exits */
  CHECK_EQ(m.lines, m.pages);
  unlink(p1);
  unlink(p2);
  unlink(path);
  expect_success(argv[0], "signal_locked", "ALASKA_HEAPMAP_SIGNAL=12");
  for (int k = 1; k < 1000; k++) { /* every snapshot, however many the signals gave */
    char pk[300];
    snprintf(pk, sizeof pk, "%s.%d", path, k);
    if (access(pk, F_OK) != 0) break;
    read_map(pk, &m);
    CHECK_EQ(m.lines, m.pages);
    CHECK_EQ(m.committed_pages * 65536, m.committed);
    unlink(pk);
  }
  unlink(path);
  CHECK(harness_spawn(argv[0], "signal_reserved", "ALASKA_HEAPMAP_SIGNAL=12", buf, sizeof buf,
                      &status) == 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(strstr(buf, "alaska: refusing to install a handler for signal 12: the Alaska runtime "
                    "writes heap maps on it (ALASKA_HEAPMAP_SIGNAL)\n") != NULL);
  snprintf(p1, sizeof p1, "%s.1", path);
  unlink(p1);
  unlink(path);
  printf("ok the heap-map signal is reserved: sigaction, signal, sigset refused\n");
  /* bad values: one line, exit 1, before main */
  expect_exit1_line(argv[0], "at_exit", "ALASKA_HEAPMAP_SIGNAL=SIGRTMIN+5",
                    "alaska: ALASKA_HEAPMAP_SIGNAL=SIGRTMIN+5 is the barrier's signal "
                    "(ALASKA_SIGNAL=SIGRTMIN+5): pick another");
  CHECK(setenv("ALASKA_SIGNAL", "12", 1) == 0);
  expect_exit1_line(argv[0], "at_exit", "ALASKA_HEAPMAP_SIGNAL=12",
                    "alaska: ALASKA_HEAPMAP_SIGNAL=12 is the barrier's signal "
                    "(ALASKA_SIGNAL=12): pick another");
  CHECK(unsetenv("ALASKA_SIGNAL") == 0);
  static const char *const malformed[] = {"9", "19", "11", "0", "65", "SIGRTMIN+40", "SIGUSR2"};
  for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
    char env[64], line[256];
    snprintf(env, sizeof env, "ALASKA_HEAPMAP_SIGNAL=%s", malformed[i]);
    snprintf(line, sizeof line, "alaska: ALASKA_HEAPMAP_SIGNAL=%s is not a signal number in "
             "[1, SIGRTMAX] other than SIGKILL, SIGSTOP, SIGSEGV", malformed[i]);
    expect_exit1_line(argv[0], "at_exit", env, line);
  }
  CHECK(unsetenv("ALASKA_HEAPMAP") == 0);
  expect_exit1_line(argv[0], "at_exit", "ALASKA_HEAPMAP_SIGNAL=12",
                    "alaska: ALASKA_HEAPMAP_SIGNAL=12 needs ALASKA_HEAPMAP=file (the snapshots "
                    "are file.1, file.2, ...)");
  expect_success(argv[0], "at_exit", "ALASKA_HEAPMAP_SIGNAL="); /* empty: unset */
  return 0;
}
