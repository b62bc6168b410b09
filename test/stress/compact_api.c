/*
 * compact_api.c — the public entry point: after fragmenting the heap, alaska_compact()
 * moves objects out of sparse pages, returns the bytes it released, the committed heap
 * shrinks, and every object still holds its contents. An object whose handle sits in a pin
 * slot on this thread's stack stays where it is.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alaska.h"
#include "mover/barrier.h"
#include "pinning.h"

#define N 100000
static void *objs[N]; /* handles in a global: not pinned by the stack scan */
#include "check.h"

static size_t object_size(size_t i) { return 24 + i % 100; }

int main(void) {
  for (size_t i = 0; i < N; i++) {
    objs[i] = halloc(object_size(i));
    memset(alaska_translate(objs[i]), (int)(i & 0xff), object_size(i));
  }
  for (size_t i = 0; i < N; i++)
    if (i % 8 != 0) {
      hfree(objs[i]);
      objs[i] = NULL;
    }
  PIN_SLOT(pin); /* a pin frame on our stack, as the pass emits it */
  void *pinned_handle = halloc(64);
  void *pinned_raw = pin_translate(pin, pinned_handle);

  alaska_stats_t before, after;
  alaska_get_stats(&before);
  alaska_barrier_stats_t bb, ba;
  alaska_barrier_get_stats(&bb);
  size_t released = alaska_compact();
  alaska_get_stats(&after);
  alaska_barrier_get_stats(&ba);

  CHECK(released > 0, "alaska_compact released %zu bytes", released);
  CHECK(ba.objects_moved > bb.objects_moved, "objects moved");
  CHECK(after.heap_committed_bytes < before.heap_committed_bytes,
        "committed %llu -> %llu bytes", (unsigned long long)before.heap_committed_bytes,
        (unsigned long long)after.heap_committed_bytes);
  CHECK(alaska_translate(pinned_handle) == pinned_raw,
        "an object whose handle is in a pin slot did not move");
  unpin(pin);
  size_t bad = 0;
  for (size_t i = 0; i < N; i += 8) {
    const unsigned char *p = alaska_translate(objs[i]);
    for (size_t k = 0; k < object_size(i); k++) bad += p[k] != (unsigned char)(i & 0xff);
    hfree(objs[i]);
  }
  CHECK(bad == 0, "%zu corrupted bytes after compaction", bad);
  hfree(pinned_handle);
  printf("compact_api: released %zu bytes, committed %llu -> %llu, moved %llu objects\n",
         released, (unsigned long long)before.heap_committed_bytes,
         (unsigned long long)after.heap_committed_bytes,
         (unsigned long long)(ba.objects_moved - bb.objects_moved));
  return failures ? 1 : 0;
}
