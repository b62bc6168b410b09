/*
 * harness.h — a tiny unit-test harness for the runtime tests.
 *
 *   CHECK(cond)              fail the test (exit 1) with file:line and the condition
 *   CHECK_EQ(a, b)           same, printing both values
 *   RUN(fn)                  run one test function, print "ok fn"
 *   expect_failure(argv0, case, env, "message")
 *                            re-run this binary as `argv0 --case NAME` with extra environment
 *                            `env` ("K=V" or NULL), capture its stderr, and check that it
 *                            exited non-zero (or died of a signal) AND printed the message.
 *   expect_exit1_line(argv0, case, env, "line")   exit status 1 and stderr exactly "line\n"
 *   expect_success(argv0, case, env)              exit status 0 and nothing on stderr
 *   harness_main(argc, argv, cases)  dispatches `--case NAME` to the child functions.
 */
#ifndef ALASKA_TEST_HARNESS_H
#define ALASKA_TEST_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define CHECK_EQ(a, b)                                                                \
  do {                                                                                \
    unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);    \
    if (a_ != b_) {                                                                   \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %llu, %s == %llu\n", __FILE__,   \
              __LINE__, #a, a_, #b, b_);                                              \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define RUN(fn)                    \
  do {                             \
    fn();                          \
    printf("ok %s\n", #fn);        \
    fflush(stdout);                \
  } while (0)

typedef struct harness_case {
  const char *name;
  void (*fn)(void);
} harness_case_t;

static inline size_t harness_rss(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, rss = 0;
  if (!f) return 0;
  if (fscanf(f, "%lu %lu", &size, &rss) != 2) rss = 0;
  fclose(f);
  return rss * (size_t)sysconf(_SC_PAGESIZE);
}

/* Run `argv0 --case name` with optional extra env; return its stderr in buf. */
static inline int harness_spawn(const char *argv0, const char *name, const char *env, char *buf,
                                size_t len, int *status) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    if (env) putenv((char *)env);
    execl(argv0, argv0, "--case", name, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  size_t got = 0;
  ssize_t n;
  while ((n = read(fds[0], buf + got, len - 1 - got)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) got += (size_t)n;
  buf[got] = 0;
  close(fds[0]);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
  return 0;
}

static inline void expect_failure(const char *argv0, const char *name, const char *env,
                                  const char *message) {
  char buf[8192];
  int status = 0;
  CHECK(harness_spawn(argv0, name, env, buf, sizeof buf, &status) == 0);
  int failed = (WIFEXITED(status) && WEXITSTATUS(status) != 0) || WIFSIGNALED(status);
  if (!failed || !strstr(buf, message)) {
    fprintf(stderr, "case %s: expected failure with \"%s\"; got %s %d, stderr:\n%s\n", name,
            message, WIFEXITED(status) ? "exit" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), buf);
    exit(1);
  }
  printf("ok %s (fails with \"%s\")\n", name, message);
  fflush(stdout);
}

/* The child must exit with status 1 and print exactly `line` + newline on stderr. */
static inline void expect_exit1_line(const char *argv0, const char *name, const char *env,
                                     const char *line) {
  char buf[8192], want[1024];
  int status = 0;
  CHECK(harness_spawn(argv0, name, env, buf, sizeof buf, &status) == 0);
  snprintf(want, sizeof want, "%s\n", line);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || strcmp(buf, want) != 0) {
    fprintf(stderr, "case %s with %s: expected exit 1 and exactly \"%s\"; got %s %d, "
            "stderr:\n%s\n", name, env ? env : "(no env)", line,
            WIFEXITED(status) ? "exit" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), buf);
    exit(1);
  }
  printf("ok %s with %s (exit 1, \"%s\")\n", name, env ? env : "(no env)", line);
  fflush(stdout);
}

/* The child must exit 0 with nothing on stderr. */
static inline void expect_success(const char *argv0, const char *name, const char *env) {
  char buf[8192];
  int status = 0;
  CHECK(harness_spawn(argv0, name, env, buf, sizeof buf, &status) == 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || buf[0]) {
    fprintf(stderr, "case %s with %s: expected exit 0 and no stderr; got %s %d, stderr:\n%s\n",
            name, env ? env : "(no env)", WIFEXITED(status) ? "exit" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), buf);
    exit(1);
  }
  printf("ok %s with %s (exit 0)\n", name, env ? env : "(no env)");
  fflush(stdout);
}

/* Returns 1 if argv asked for a child case (and runs it, exiting 0 if it returns). */
static inline int harness_child(int argc, char **argv, const harness_case_t *cases) {
  if (argc < 3 || strcmp(argv[1], "--case") != 0) return 0;
  for (const harness_case_t *c = cases; c->name; c++)
    if (strcmp(c->name, argv[2]) == 0) {
      c->fn();
      exit(0);
    }
  fprintf(stderr, "unknown case %s\n", argv[2]);
  exit(2);
}

#endif
