/* Processes and signals with heap data: fork (the child reads and writes the parent's heap
 * objects, copy-on-write), a pipe carrying heap buffers, a SIGUSR1 handler reading a heap
 * object through a global pointer, popen output read into a growing heap buffer. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

typedef struct state { int values[64]; char label[32]; } state;
static state *volatile shared_state;
static volatile sig_atomic_t handler_sum;

static void on_usr1(int sig) {
  (void)sig;
  int s = 0;
  for (int i = 0; i < 64; i++) s += shared_state->values[i];
  handler_sum = s;
}

int main(void) {
  state *st = malloc(sizeof *st);
  for (int i = 0; i < 64; i++) st->values[i] = i * 3;
  strcpy(st->label, "parent");
  shared_state = st;

  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) { /* child: use and modify the inherited heap, allocate more */
    close(fds[0]);
    strcpy(st->label, "child");
    char *msg = malloc(128);
    int total = 0;
    for (int i = 0; i < 64; i++) total += st->values[i];
    int len = snprintf(msg, 128, "%s saw total %d", st->label, total);
    char **many = malloc(100 * sizeof *many);
    for (int i = 0; i < 100; i++) { many[i] = malloc(40); snprintf(many[i], 40, "%d", i); }
    len += snprintf(msg + len, 128 - (size_t)len, " and built %s", many[99]);
    CHECK(write(fds[1], msg, (size_t)len) == len);
    _exit(7);
  }
  close(fds[1]);
  char *buf = calloc(1, 256);
  size_t got = 0;
  ssize_t r;
  while ((r = read(fds[0], buf + got, 255 - got)) > 0) got += (size_t)r;
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("child said '%s', exit %d; parent label still '%s'\n", buf, WEXITSTATUS(status), st->label);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("signal handler sum=%d\n", (int)handler_sum);

  FILE *p = popen("seq 1 2000", "r");
  CHECK(p != NULL);
  size_t cap = 16, len = 0;
  char *out = malloc(cap);
  int ch;
  while ((ch = fgetc(p)) != EOF) {
    if (len + 1 == cap) { cap *= 2; out = realloc(out, cap); }
    out[len++] = (char)ch;
  }
  out[len] = 0;
  pclose(p);
  long sum = 0;
  for (char *tok = strtok(out, "\n"); tok; tok = strtok(NULL, "\n")) sum += strtol(tok, NULL, 10);
  printf("popen bytes=%zu sum=%ld\n", len, sum);
  free(out); free(buf); free(st);
  return 0;
}
