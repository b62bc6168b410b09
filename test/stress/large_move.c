/*
 * large_move.c — stress barriers move large objects (> 32 KiB spans) too: each unpinned one
 * lands at a new address with its contents, its handle follows, an object in a pin slot
 * and one pinned forever stay put, an object aligned beyond a page is left alone, and hfree/hrealloc
 * work on moved objects.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alaska.h"
#include "mover/barrier.h"
#include "check.h"
#include "pinning.h"

static const size_t sizes[] = {40 << 10, 100 << 10, 1 << 20, 3 << 20};
#define NSIZES (sizeof sizes / sizeof sizes[0])
static void *objs[NSIZES]; /* handles in a global: not pinned */

/* Raw addresses are used under a pin, as compiled code does (ALASKA_STRESS=1 barriers may
 * run at any time). */
static void fill(void *h, size_t n, unsigned seed) {
  PIN_SLOT(pin);
  unsigned char *p = pin_translate(pin, h);
  for (size_t k = 0; k < n; k++) p[k] = (unsigned char)(k * 31 + seed);
  unpin(pin);
}
static size_t bad_bytes(void *h, size_t n, unsigned seed) {
  PIN_SLOT(pin);
  const unsigned char *p = pin_translate(pin, h);
  size_t bad = 0;
  for (size_t k = 0; k < n; k++) bad += p[k] != (unsigned char)(k * 31 + seed);
  unpin(pin);
  return bad;
}

int main(void) {
  void *before[NSIZES];
  for (size_t i = 0; i < NSIZES; i++) {
    objs[i] = halloc(sizes[i]);
    fill(objs[i], sizes[i], (unsigned)i);
    before[i] = alaska_translate(objs[i]);
  }
  PIN_SLOT(pin);
  void *pinned = halloc(64 << 10);
  void *pinned_raw = pin_translate(pin, pinned);
  void *forever = halloc(64 << 10);
  alaska_pin_forever(forever);
  void *forever_raw = alaska_translate(forever);
  void *aligned = NULL;
  CHECK(alaska_posix_memalign(&aligned, 1 << 18, 48 << 10) == 0, "posix_memalign");
  void *aligned_raw = alaska_translate(aligned);

  alaska_barrier_stats_t bs, as;
  alaska_barrier_get_stats(&bs);
  alaska_barrier_compact(0, 0, 1, 10, NULL); /* budget 0 = unlimited, move everything */
  alaska_barrier_get_stats(&as);
  CHECK(as.objects_moved >= bs.objects_moved + NSIZES, "moved %llu objects, want >= %zu",
        (unsigned long long)(as.objects_moved - bs.objects_moved), NSIZES);
  for (size_t i = 0; i < NSIZES; i++) {
    CHECK(alaska_translate(objs[i]) != before[i], "large object %zu (%zu B) moved", i, sizes[i]);
    CHECK(bad_bytes(objs[i], sizes[i], (unsigned)i) == 0, "contents of object %zu", i);
    CHECK(alaska_usable_size(objs[i]) >= sizes[i], "usable size of object %zu", i);
  }
  CHECK(alaska_translate(pinned) == pinned_raw, "the object in a pin slot stayed");
  CHECK(alaska_translate(forever) == forever_raw, "the object pinned forever stayed");
  CHECK(alaska_translate(aligned) == aligned_raw, "the 256 KiB-aligned object stayed");
  unpin(pin);

  /* Moved objects are ordinary objects afterwards: grow one, free the rest. */
  objs[2] = hrealloc(objs[2], 2 << 20);
  CHECK(bad_bytes(objs[2], sizes[2], 2) == 0, "contents after hrealloc of a moved object");
  for (size_t i = 0; i < NSIZES; i++) hfree(objs[i]);
  hfree(pinned);
  hfree(aligned);
  if (failures) return 1;
  printf("large_move: ok\n");
  return 0;
}
