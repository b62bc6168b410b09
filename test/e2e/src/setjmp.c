/* setjmp/longjmp across frames that own heap objects; a jmp_buf living in a heap object;
 * error recovery with a cleanup list. */
#include <setjmp.h>
#include <string.h>
#include "check.h"

typedef struct ctx { jmp_buf env; int depth; char *msg; } ctx;
typedef struct cleanup { void *ptr; struct cleanup *next; } cleanup;

static cleanup *pending;
static void track(void *p) { cleanup *c = malloc(sizeof *c); c->ptr = p; c->next = pending; pending = c; }
static int release_all(void) {
  int n = 0;
  while (pending) { cleanup *c = pending; pending = c->next; free(c->ptr); free(c); n++; }
  return n;
}

static void descend(ctx *c, int level, int fail_at) {
  char *frame = malloc(32);
  snprintf(frame, 32, "frame-%d", level);
  track(frame);
  c->depth = level;
  if (level == fail_at) {
    c->msg = strdup(frame);
    longjmp(c->env, level);
  }
  descend(c, level + 1, fail_at);
}

static jmp_buf top;
static int parse_digit(const char *s) {
  if (*s < '0' || *s > '9') longjmp(top, 1);
  return *s - '0';
}

int main(void) {
  ctx *c = calloc(1, sizeof *c);
  int results = 0;
  for (int fail_at = 1; fail_at <= 6; fail_at++) {
    int r = setjmp(c->env);
    if (r == 0) {
      descend(c, 1, fail_at);
      CHECK(0 && "descend returned");
    }
    CHECK(r == fail_at && c->depth == fail_at);
    int freed = release_all();
    printf("caught at %d msg=%s freed=%d\n", r, c->msg, freed);
    results += freed;
    free(c->msg);
  }
  char *input = strdup("1234x6");
  volatile int sum = 0, i = 0;
  if (setjmp(top) == 0) {
    for (; input[i]; i++) sum += parse_digit(input + i);
  }
  printf("parsed sum=%d stopped at %d ('%c') results=%d\n", sum, i, input[i], results);
  free(input);
  free(c);
  return 0;
}
