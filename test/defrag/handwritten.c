/*
 * handwritten.c — a program NOT compiled by the Alaska pass that uses halloc and keeps raw
 * pointers from alaska_translate (unpinned, as hand-written code does). Its heap is badly
 * fragmented, yet the defragmentation service must never arm (no compiled module called
 * alaska_module_init), so the raw pointers stay valid. With ALASKA_TRACE the trace is still
 * written (the service thread samples without compacting).
 *   handwritten [seconds]
 */
#include <alaska.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OBJECTS 200000
#define OBJECT_BYTES 128

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  static void *handles[OBJECTS];
  static unsigned char *raw[OBJECTS];
  for (int i = 0; i < OBJECTS; i++) {
    handles[i] = halloc(OBJECT_BYTES);
    if (!handles[i]) return 2;
    raw[i] = alaska_translate(handles[i]);
    memset(raw[i], i & 0xff, OBJECT_BYTES);
  }
  /* Keep one object in 16: committed/live ~ 16 (~24 MiB committed for ~1.5 MiB live). */
  for (int i = 0; i < OBJECTS; i++)
    if (i % 16) hfree(handles[i]), handles[i] = NULL, raw[i] = NULL;
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) != 0) {
  }
  size_t bad = 0;
  for (int i = 0; i < OBJECTS; i += 16) {
    if (alaska_translate(handles[i]) != raw[i]) bad++; /* moved behind our back */
    for (int j = 0; j < OBJECT_BYTES; j++) bad += raw[i][j] != (unsigned char)(i & 0xff);
  }
  printf("handwritten: %d objects kept, %zu bad\n", OBJECTS / 16, bad);
  return bad != 0;
}
