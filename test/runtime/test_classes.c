/* Size classes, slot arithmetic and alignment guarantees. */
#include <alaska.h>

#include "harness.h"
#include "heap/internal.h"

static void test_class_mapping(void) {
  unsigned prev = 0;
  for (size_t s = 1; s <= ALASKA_SMALL_MAX; s++) {
    unsigned c = alaska_size_class(s);
    CHECK(c < ALASKA_NUM_CLASSES);
    CHECK(c >= prev); /* monotonic */
    prev = c;
    CHECK(alaska_class_size(c) >= s); /* fits */
    if (c > 0) CHECK(alaska_class_size(c - 1) < s); /* smallest that fits */
    CHECK_EQ(alaska_class_size(c) % 16, 0);
  }
  CHECK_EQ(alaska_class_size(ALASKA_NUM_CLASSES - 1), ALASKA_SMALL_MAX);
  /* at most 25% internal waste above 128 bytes */
  for (size_t s = 129; s <= ALASKA_SMALL_MAX; s++)
    CHECK(alaska_class_size(alaska_size_class(s)) * 4 <= s * 5 + 16 * 4);
}

/* The runtime's fast path uses a lookup table for sizes <= 1024: it must agree. */
static void test_usable_size_matches_class(void) {
  for (size_t s = 0; s <= 2048; s++) {
    void *h = halloc(s);
    CHECK_EQ(alaska_usable_size(h), alaska_class_size(alaska_size_class(s)));
    hfree(h);
  }
}

static void test_slot_division_exact(void) {
  for (unsigned c = 0; c < ALASKA_NUM_CLASSES; c++) {
    page_t pg;
    memset(&pg, 0, sizeof pg);
    page_init_small(&pg, c);
    for (uint64_t off = 0; off < ALASKA_PAGE_SIZE; off++) {
      uint32_t idx = (uint32_t)((off * pg.div_magic) >> 32);
      CHECK_EQ(idx, off / pg.block_size);
    }
  }
}

static void check_aligned(void *h, size_t align) {
  CHECK(h != NULL);
  CHECK_EQ((uintptr_t)alaska_translate(h) % align, 0);
}

static void test_alignment(void) {
  for (size_t align = 8; align <= (1u << 20); align <<= 1) {
    for (size_t size = 1; size <= 3 * align; size += align / 2 + 7) {
      void *h = NULL;
      CHECK_EQ(alaska_posix_memalign(&h, align, size), 0);
      check_aligned(h, align);
      CHECK(alaska_usable_size(h) >= size);
      memset(alaska_translate(h), 0xab, size);
      hfree(h);
      h = alaska_aligned_alloc(align, size);
      check_aligned(h, align);
      hfree(h);
      h = alaska_memalign(align, size);
      check_aligned(h, align);
      hfree(h);
    }
  }
  void *h;
  CHECK_EQ(alaska_posix_memalign(&h, 24, 10), EINVAL);
  CHECK_EQ(alaska_posix_memalign(&h, 4, 10), EINVAL);
  CHECK(alaska_aligned_alloc(3, 10) == NULL && errno == EINVAL);
  /* default alignment is 16 */
  for (size_t s = 1; s < 5000; s += 13) {
    h = halloc(s);
    check_aligned(h, 16);
    hfree(h);
  }
}

int main(void) {
  RUN(test_class_mapping);
  RUN(test_usable_size_matches_class);
  RUN(test_slot_division_exact);
  RUN(test_alignment);
  return 0;
}
