/*
 * idle.c — a compiled program with a sizeable but unfragmented heap: it allocates ~24 MiB
 * of equal-sized objects, keeps all of them, idles, and verifies them. The defragmentation
 * service must find nothing to do here (no barrier) with the default policy.
 *   idle [seconds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OBJECTS 96100 /* not a multiple of a page's 256 slots: one page stays partial */
#define OBJECT_BYTES 256

static unsigned char expected_byte(size_t i, size_t j) { return (unsigned char)(i * 131 + j * 7); }

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.5;
  unsigned char **objs = malloc(sizeof(unsigned char *) * OBJECTS);
  if (!objs) return 2;
  for (size_t i = 0; i < OBJECTS; i++) {
    objs[i] = malloc(OBJECT_BYTES);
    if (!objs[i]) return 2;
    for (size_t j = 0; j < OBJECT_BYTES; j++) objs[i][j] = expected_byte(i, j);
  }
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) != 0) { /* barrier signals interrupt the sleep */
  }
  size_t bad = 0;
  for (size_t i = 0; i < OBJECTS; i++)
    for (size_t j = 0; j < OBJECT_BYTES; j++) bad += objs[i][j] != expected_byte(i, j);
  /* No frees: a heap emptied just before exit would look fragmented for a moment. */
  printf("idle: %zu objects of %d bytes, %zu bad bytes\n", (size_t)OBJECTS, OBJECT_BYTES, bad);
  return bad != 0;
}
