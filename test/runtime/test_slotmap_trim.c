/*
 * test_slotmap_trim.c — slot maps follow the pages in use after a peak (slotmap.c ids_trim).
 *
 * Maps smaller than an OS page share pages with each other, so freeing one gives nothing
 * back; after a peak of 1.2 M 200-byte objects (~3,800 pages, 2 KiB maps) falls to 20 k,
 * the free maps' pages must go back to the OS: slot-map memory comes down to the OS pages of
 * the maps still attached to pages plus the 1 MiB of free maps below which no trim runs. Growing again reuses the given-back maps, and every object keeps
 * its contents throughout.
 */
#include <pthread.h>
#include <stdint.h>
#include <alaska.h>

#include "harness.h"
#include "heap/internal.h"

enum { PEAK = 1200000, LIVE = 20000, SIZE = 200 };
static void *hs[PEAK];

static size_t maps_resident(void) {
  pthread_mutex_lock(&alaska_heap_lock);
  size_t r = ids_resident_bytes();
  pthread_mutex_unlock(&alaska_heap_lock);
  return r;
}

static void fill(int from) {
  for (int i = from; i < PEAK; i++) {
    hs[i] = halloc(SIZE);
    CHECK(hs[i] != NULL);
    *(int *)alaska_translate(hs[i]) = i;
  }
}

int main(void) {
  fill(0);
  size_t peak = maps_resident();
  printf("peak: slot maps resident %zu bytes\n", peak);
  CHECK(peak >= (size_t)PEAK / (ALASKA_PAGE_SIZE / 256) * 1024); /* >= 1 KiB per page */
  for (int i = LIVE; i < PEAK; i++) hfree(hs[i]);
  size_t after = maps_resident();
  /* The OS pages of the maps of the live pages and of the pool's dirty pages (they keep
   * theirs), the current chunk page, and the trim's threshold. */
  size_t pages = (size_t)LIVE / (ALASKA_PAGE_SIZE / 224) + 2;
  size_t bound = (pages + 128 + 1) * ALASKA_OS_PAGE_SIZE + (1u << 20);
  printf("after: slot maps resident %zu bytes (bound %zu)\n", after, bound);
  CHECK(after <= bound);
  for (int i = 0; i < LIVE; i++) CHECK_EQ(*(int *)alaska_translate(hs[i]), i);
  fill(LIVE); /* the maps given back are handed out again */
  for (int i = 0; i < PEAK; i++) CHECK_EQ(*(int *)alaska_translate(hs[i]), i);
  for (int i = 0; i < PEAK; i++) hfree(hs[i]);
  printf("ok\n");
  return 0;
}
