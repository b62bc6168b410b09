/* Pages: slot->id maps, raw-address lookups, realloc, calloc, large objects, pinning. */
#include <alaska.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"

static void test_slot_maps_to_handle(void) {
  enum { N = 3000 };
  static void *hs[N];
  for (int i = 0; i < N; i++) {
    size_t size = 1 + (size_t)(i * 37) % 3000;
    hs[i] = halloc(size);
    char *raw = alaska_translate(hs[i]);
    CHECK(alaska_heap_contains(raw));
    uint32_t off = 99;
    CHECK_EQ(alaska_handle_of_raw(raw, &off), alaska_handle_id(hs[i]));
    CHECK_EQ(off, 0);
    CHECK_EQ(alaska_handle_of_raw(raw + size - 1, &off), alaska_handle_id(hs[i]));
    CHECK_EQ(off, size - 1);
    page_t *pg = page_of(raw);
    CHECK_EQ(pg->kind, PAGE_SMALL);
    CHECK_EQ(slot_ids(pg)[slot_of(pg, (uintptr_t)raw)], alaska_handle_id(hs[i]));
  }
  for (int i = 0; i < N; i++) {
    char *raw = alaska_translate(hs[i]);
    page_t *pg = page_of(raw);
    uint32_t slot = slot_of(pg, (uintptr_t)raw);
    hfree(hs[i]);
    CHECK_EQ(slot_live_id(pg, slot), 0); /* a freed slot maps to no handle */
    CHECK_EQ(alaska_handle_of_raw(raw, NULL), 0);
  }
  int local;
  CHECK(!alaska_heap_contains(&local));
  CHECK_EQ(alaska_handle_of_raw(&local, NULL), 0);
}

static void test_realloc_keeps_contents_and_handle(void) {
  unsigned char *h = halloc(10);
  for (int i = 0; i < 10; i++) ((unsigned char *)alaska_translate(h))[i] = (unsigned char)i;
  size_t sizes[] = {20, 100, 3000, 40000, 200000, 50, 5, 70000, 16};
  size_t have = 10;
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    void *n = hrealloc(h, sizes[k]);
    CHECK(n == (void *)h); /* the handle survives; only its table entry changes */
    unsigned char *raw = alaska_translate(n);
    size_t keep = have < sizes[k] ? have : sizes[k];
    for (size_t i = 0; i < keep; i++) CHECK_EQ(raw[i], (unsigned char)i);
    for (size_t i = keep; i < sizes[k]; i++) raw[i] = (unsigned char)i;
    CHECK(alaska_usable_size(n) >= sizes[k]);
    have = sizes[k];
  }
  CHECK(hrealloc(h, 0) == NULL); /* frees, like glibc */
  void *fresh = hrealloc(NULL, 33);
  CHECK(alaska_is_handle(fresh));
  hfree(fresh);
}

static void test_calloc_zeroes_reused_memory(void) {
  for (int round = 0; round < 3; round++) {
    size_t sizes[] = {16, 200, 4096, 30000, 100000, 3 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
      void *h = halloc(sizes[k]);
      memset(alaska_translate(h), 0xff, sizes[k]);
      hfree(h);
      unsigned char *z = alaska_translate(hcalloc(1, sizes[k]));
      for (size_t i = 0; i < sizes[k]; i++) CHECK_EQ(z[i], 0);
      hfree((void *)alaska_make_handle(alaska_handle_of_raw(z, NULL), 0));
    }
  }
}

static void test_large_objects(void) {
  size_t size = 5 * ALASKA_PAGE_SIZE + 123;
  char *h = halloc(size);
  char *raw = alaska_translate(h);
  CHECK(alaska_heap_contains(raw));
  CHECK_EQ(page_of(raw)->kind, PAGE_LARGE);
  CHECK(alaska_usable_size(h) >= size);
  uint32_t off;
  CHECK_EQ(alaska_handle_of_raw(raw + size - 1, &off), alaska_handle_id(h));
  CHECK_EQ(off, size - 1);
  memset(raw, 7, size);
  uint64_t committed = alaska_committed_bytes();
  CHECK(committed >= size);
  hfree(h);
  CHECK_EQ(alaska_handle_of_raw(raw, NULL), 0);
  /* a 1 GiB object works and its pages come back */
  void *g = halloc((size_t)1 << 30);
  CHECK(g != NULL);
  ((char *)alaska_translate(g))[((size_t)1 << 30) - 1] = 1;
  hfree(g);
}

static void test_pin_forever_flag(void) {
  void *h = halloc(64);
  uint32_t id = alaska_handle_id(h);
  CHECK(!alaska_is_pinned_forever(id));
  alaska_pin_forever(h);
  CHECK(alaska_is_pinned_forever(id));
  CHECK_EQ(alaska_handle_of_raw(alaska_translate(h), NULL), id); /* flag is not in the id */
  hfree(h); /* a pinned object can still be freed */
  void *big = halloc(100000);
  alaska_pin_forever(alaska_translate(big)); /* raw address works too */
  CHECK(alaska_is_pinned_forever(alaska_handle_id(big)));
  hfree(big);
}

static void test_strings_and_new(void) {
  char *s = alaska_strdup("hello, alaska");
  CHECK(alaska_is_handle(s));
  CHECK(strcmp(alaska_translate(s), "hello, alaska") == 0);
  char *t = alaska_strndup(s, 5); /* accepts a handle as source */
  CHECK(strcmp(alaska_translate(t), "hello") == 0);
  hfree(s);
  hfree(t);
  void *n = alaska_new(0);
  CHECK(alaska_is_handle(n));
  hfree(n);
  n = alaska_new_aligned(100, 256);
  CHECK_EQ((uintptr_t)alaska_translate(n) % 256, 0);
  hfree(n);
  void *r = alaska_reallocarray(NULL, 10, 10);
  CHECK(alaska_usable_size(r) >= 100);
  CHECK(alaska_reallocarray(r, SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
  hfree(r);
}

int main(void) {
  RUN(test_slot_maps_to_handle);
  RUN(test_realloc_keeps_contents_and_handle);
  RUN(test_calloc_zeroes_reused_memory);
  RUN(test_large_objects);
  RUN(test_pin_forever_flag);
  RUN(test_strings_and_new);
  return 0;
}
