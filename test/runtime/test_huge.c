/* Objects of 2 GiB and more (docs/design.md §1, §3; tested mostly at 4-6 GiB, the sizes real
 * programs' large-memory tests use): a handle's biased 32-bit offset cannot address them, so the runtime hands them to the system allocator and returns a raw pointer, which
 * compiled code translates to itself and which never moves. Every entry point must work on
 * them as natively: halloc/hcalloc/alaska_aligned_alloc/posix_memalign/memalign, hrealloc
 * across 4 GiB both ways, hfree, alaska_usable_size, and the interposed free/realloc/
 * malloc_usable_size that uncompiled code calls. ENOMEM only when the system says so.
 * Memory is touched sparsely (one byte per 1 MiB) so the test needs little RAM. */
#include <alaska.h>
#include <malloc.h>
#include <sys/resource.h>

#include "harness.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static void write_pattern(unsigned char *p, size_t size, unsigned seed) {
  for (size_t off = 0; off < size; off += MiB) p[off] = (unsigned char)(off / MiB + seed);
  p[size - 1] = (unsigned char)(0x5a + seed);
}

static int check_pattern(const unsigned char *p, size_t size, unsigned seed) {
  for (size_t off = 0; off < size; off += MiB)
    if (p[off] != (unsigned char)(off / MiB + seed)) return 0;
  return p[size - 1] == (unsigned char)(0x5a + seed);
}

/* The acceptance case: 5 GiB malloc + write + read, realloc to 6 GiB and back, free. */
static void test_five_gib_lifecycle(void) {
  size_t five = 5 * GiB, six = 6 * GiB;
  unsigned char *p = halloc(five);
  CHECK(p != NULL);
  CHECK(!alaska_is_handle(p));          /* raw: bit 63 clear, translates to itself */
  CHECK(alaska_translate(p) == p);
  CHECK(alaska_usable_size(p) >= five);
  write_pattern(p, five, 1);
  CHECK(check_pattern(p, five, 1));
  p = hrealloc(p, six);
  CHECK(p != NULL && !alaska_is_handle(p));
  CHECK(alaska_usable_size(p) >= six);
  CHECK(check_pattern(p, five, 1));     /* contents kept */
  p[six - 1] = 7;
  p = hrealloc(p, five);
  CHECK(p != NULL && check_pattern(p, five, 1));
  hfree(p);
}

/* A handle object grown past 4 GiB keeps its bytes; shrunk below it again, it still works
 * (it stays a system allocation: nothing addresses it as a handle any more). */
static void test_realloc_across_4gib(void) {
  size_t small = 3 * MiB;
  unsigned char *h = halloc(small);
  CHECK(alaska_is_handle(h));
  unsigned char *r = alaska_translate(h);
  write_pattern(r, small, 2);
  unsigned char *big = hrealloc(h, 4 * GiB + 4096);
  CHECK(big != NULL && !alaska_is_handle(big));
  CHECK(check_pattern(big, small, 2));
  big[4 * GiB] = 9;
  unsigned char *back = hrealloc(big, small);
  CHECK(back != NULL);
  CHECK(check_pattern(alaska_translate(back), small, 2));
  CHECK(alaska_usable_size(back) >= small);
  hfree(back);
  /* exactly 2 GiB: the first size a handle cannot address (its biased offset field would
   * wrap one past the end) */
  unsigned char *edge = halloc(2 * GiB);
  CHECK(edge != NULL && !alaska_is_handle(edge));
  edge[2 * GiB - 1] = 1;
  hfree(edge);
  unsigned char *under = halloc(2 * GiB - 4096);
  CHECK(under != NULL && alaska_is_handle(under));
  unsigned char *end = alaska_translate(under + (2 * GiB - 4096)); /* one past the end */
  CHECK(end == (unsigned char *)alaska_translate(under) + 2 * GiB - 4096);
  hfree(under);
}

static void test_calloc_and_aligned(void) {
  size_t n = 4 * GiB + 123;
  unsigned char *z = hcalloc(1, n);
  CHECK(z != NULL && !alaska_is_handle(z));
  for (size_t off = 0; off < n; off += 64 * MiB) CHECK(z[off] == 0);
  CHECK(z[n - 1] == 0);
  hfree(z);
  z = hcalloc(4, GiB + 1); /* nmemb * size past 4 GiB */
  CHECK(z != NULL && z[4 * GiB + 3] == 0);
  hfree(z);
  void *a = alaska_aligned_alloc(1 << 16, 5 * GiB);
  CHECK(a != NULL && ((uintptr_t)a & 0xffff) == 0 && !alaska_is_handle(a));
  ((char *)a)[5 * GiB - 1] = 3;
  hfree(a);
  void *m = NULL;
  CHECK_EQ(alaska_posix_memalign(&m, 4096, 4 * GiB + 1), 0);
  CHECK(m != NULL && ((uintptr_t)m & 4095) == 0);
  hfree(m);
  m = alaska_memalign(256, 4 * GiB);
  CHECK(m != NULL && ((uintptr_t)m & 255) == 0);
  hfree(m);
}

/* Uncompiled code sees the same raw pointer: its free/realloc/malloc_usable_size work. */
static void test_uncompiled_side(void) {
  char *p = halloc(4 * GiB + 10);
  CHECK(p != NULL);
  CHECK(malloc_usable_size(p) >= 4 * GiB + 10);
  p = realloc(p, 5 * GiB);
  CHECK(p != NULL);
  p[5 * GiB - 1] = 1;
  free(p);
}

/* Only the system may say no: with the address space capped, a huge request fails with
 * ENOMEM (and a later small one still works). */
static void test_enomem_from_system(void) {
  struct rlimit old, cap;
  CHECK(getrlimit(RLIMIT_AS, &old) == 0);
  cap = old;
  cap.rlim_cur = 0; /* set below: current usage + 2 GiB */
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  CHECK(f && fscanf(f, "%lu", &pages) == 1);
  fclose(f);
  cap.rlim_cur = pages * 4096 + 2 * GiB;
  CHECK(setrlimit(RLIMIT_AS, &cap) == 0);
  errno = 0;
  void *p = halloc(8 * GiB);
  int err = errno;
  CHECK(setrlimit(RLIMIT_AS, &old) == 0);
  CHECK(p == NULL);
  CHECK_EQ(err, ENOMEM);
  p = halloc(100);
  CHECK(p != NULL);
  hfree(p);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  RUN(test_five_gib_lifecycle);
  RUN(test_realloc_across_4gib);
  RUN(test_calloc_and_aligned);
  RUN(test_uncompiled_side);
  RUN(test_enomem_from_system);
  return 0;
}
