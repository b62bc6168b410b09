/* libc calls that keep or produce pointers: setenv/getenv/putenv with heap strings (putenv
 * keeps the heap string itself), atexit handlers reading heap state, sscanf into heap
 * targets, strftime into a heap buffer, strerror, getenv results used after other calls. */
#define _GNU_SOURCE
#include <string.h>
#include <time.h>
#include "check.h"

static char **messages;
static int nmessages;
static void report(void) {
  for (int i = 0; i < nmessages; i++) printf("atexit: %s\n", messages[i]);
}

int main(void) {
  messages = malloc(4 * sizeof *messages);
  for (int i = 0; i < 4; i++) { messages[i] = malloc(24); snprintf(messages[i], 24, "message %d", i); }
  nmessages = 4;
  atexit(report);

  char *name = strdup("ALASKA_E2E_VAR"), *value = strdup("heap value 1");
  CHECK(setenv(name, value, 1) == 0);
  free(value);
  printf("getenv=%s\n", getenv("ALASKA_E2E_VAR"));
  char *kv = malloc(64);
  strcpy(kv, "ALASKA_E2E_PUT=first");
  CHECK(putenv(kv) == 0); /* kv now belongs to the environment */
  char *seen = getenv("ALASKA_E2E_PUT");
  printf("putenv=%s\n", seen);
  for (int i = 0; i < 100; i++) free(malloc(64)); /* churn the heap */
  strcpy(kv + strlen("ALASKA_E2E_PUT="), "second"); /* changes the variable in place */
  printf("putenv after edit=%s\n", getenv("ALASKA_E2E_PUT"));
  unsetenv("ALASKA_E2E_PUT");
  CHECK(getenv("ALASKA_E2E_PUT") == NULL);
  free(name);

  char *input = strdup("id=42 name=widget price=19.75 tags=a,b,c");
  int *id = malloc(sizeof *id);
  char *nm = malloc(32), *tags = malloc(32);
  double *price = malloc(sizeof *price);
  int consumed = 0;
  int got = sscanf(input, "id=%d name=%31s price=%lf tags=%31s%n", id, nm, price, tags, &consumed);
  printf("sscanf got=%d id=%d name=%s price=%.2f tags=%s consumed=%d\n", got, *id, nm, *price, tags, consumed);

  struct tm *tmv = malloc(sizeof *tmv);
  memset(tmv, 0, sizeof *tmv);
  tmv->tm_year = 124; tmv->tm_mon = 1; tmv->tm_mday = 29; tmv->tm_hour = 13; tmv->tm_min = 5;
  char *out = malloc(64);
  size_t n = strftime(out, 64, "%Y-%m-%d %H:%M %j", tmv);
  printf("strftime(%zu)=%s\n", n, out);
  time_t t = 86400 * 365;
  struct tm *g = gmtime_r(&t, tmv);
  CHECK(g == tmv);
  printf("gmtime year=%d yday=%d\n", tmv->tm_year + 1900, tmv->tm_yday);
  char *err = strdup(strerror(2));
  printf("strerror(2)=%s\n", err);
  free(err); free(out); free(tmv); free(input); free(id); free(nm); free(tags); free(price);
  return 0;
}
