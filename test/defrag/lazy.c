/*
 * lazy.c — when the defragmentation service thread starts: not at start-up, only once the
 * heap has ALASKA_DEFRAG_MIN_EXCESS (default 4 MiB) committed. Prints the process's thread
 * count (/proc/self/status) at main, after 1 MiB of objects, and after 16 MiB more (every
 * other object then freed, so the service has work), then verifies the survivors.
 *   lazy   ->   "threads start=N small=N big=N ok"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int threads(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  int n = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Threads:", 8) == 0) n = atoi(line + 8);
  if (f) fclose(f);
  return n;
}

#define SMALL (1 << 20) / 128
#define BIG (16 << 20) / 128

int main(void) {
  int start = threads();
  char **small = malloc(sizeof(char *) * SMALL);
  for (int i = 0; i < SMALL; i++) memset(small[i] = malloc(128), i & 0x7f, 128);
  int after_small = threads();
  char **big = malloc(sizeof(char *) * BIG);
  for (int i = 0; i < BIG; i++) memset(big[i] = malloc(128), i & 0x7f, 128);
  int after_big = threads();
  for (int i = 0; i < BIG; i += 2) free(big[i]);
  int bad = 0;
  for (int i = 1; i < BIG; i += 2)
    for (int j = 0; j < 128; j++) bad += big[i][j] != (char)(i & 0x7f);
  for (int i = 0; i < SMALL; i++)
    for (int j = 0; j < 128; j++) bad += small[i][j] != (char)(i & 0x7f);
  printf("threads start=%d small=%d big=%d %s\n", start, after_small, after_big, bad ? "BAD" : "ok");
  return bad != 0;
}
