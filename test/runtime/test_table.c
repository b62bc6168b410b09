/* Handle table and id allocation: layout, poisoning, reuse, id 0, many batches. */
#include <alaska.h>

#include "harness.h"
#include "heap/internal.h"

extern const int ALASKA_ABI_VAR;

static void test_abi_symbol(void) { CHECK_EQ(ALASKA_ABI_VAR, 5); }

static void test_handle_layout(void) {
  void *h = halloc(24);
  CHECK(h != NULL);
  CHECK(alaska_is_handle(h));
  CHECK(alaska_handle_id(h) != 0);
  CHECK_EQ(alaska_handle_offset(h), 0);
  CHECK_EQ((uintptr_t)h & ALASKA_OFFSET_MASK, ALASKA_HANDLE_BIAS); /* biased offset field */
  uint64_t entry = *table_entry(alaska_handle_id(h));
  CHECK_EQ((uintptr_t)alaska_translate(h), entry + ALASKA_HANDLE_BIAS);
  CHECK_EQ(alaska_entry_address(entry), (uintptr_t)alaska_translate(h));
  /* the pass's inline sequence agrees with the out-of-line one, offsets included */
  char *h5 = (char *)h + 5;
  CHECK(alaska_translate_inline(h5) == (char *)alaska_translate(h) + 5);
  CHECK(alaska_translate(h5) == (char *)alaska_translate(h) + 5);
  /* entry address = (h >> 29) & ~7 lands in the table at 2^34 */
  CHECK_EQ(((uintptr_t)h5 >> ALASKA_ENTRY_SHIFT) & ALASKA_ENTRY_MASK,
           ALASKA_TABLE_BASE + 8ULL * alaska_handle_id(h));
  hfree(h);
}

/* A pointer computed below an object's start (zstd: `base = src - k; base[k]`) keeps the
 * handle's id and translates to the address below the object; so does one far above it. */
static void test_pointer_below_start(void) {
  char *h = halloc(64);
  char *raw = alaska_translate(h);
  for (long d = 1; d <= (1L << 30); d <<= 1) {
    char *below = h - d;
    CHECK_EQ(alaska_handle_id(below), alaska_handle_id(h));
    CHECK_EQ(alaska_handle_offset(below), -d);
    CHECK(alaska_translate(below) == raw - d);
    CHECK(alaska_translate_inline(below) == raw - d);
    CHECK(alaska_translate(below + d) == raw); /* and back */
    CHECK(alaska_translate(h + d) == raw + d);
  }
  CHECK(alaska_make_handle(alaska_handle_id(h), -5) == h - 5);
  hfree(h);
}

static void test_plain_pointer_identity(void) {
  int x;
  CHECK(alaska_translate(&x) == (void *)&x);
  CHECK(alaska_translate(NULL) == NULL);
}

static void test_freed_entry_is_poison_and_id_reused(void) {
  void *h = halloc(40);
  uint32_t id = alaska_handle_id(h);
  hfree(h);
  CHECK_EQ(*table_entry(id), ALASKA_POISON_BASE);
  void *h2 = halloc(40);
  CHECK_EQ(alaska_handle_id(h2), id); /* LIFO reuse from the thread's id cache */
  CHECK(*table_entry(id) != ALASKA_POISON_BASE);
  hfree(h2);
}

static void test_many_ids_unique(void) {
  enum { N = 5000 }; /* spans several id batches and overflows the id cache on free */
  static void *hs[N];
  static unsigned char seen[1u << 20];
  for (int i = 0; i < N; i++) {
    hs[i] = halloc(16);
    uint32_t id = alaska_handle_id(hs[i]);
    CHECK(id != 0 && id < (1u << 20));
    CHECK(!seen[id]);
    seen[id] = 1;
    *(int *)alaska_translate(hs[i]) = i;
  }
  for (int i = 0; i < N; i++) CHECK_EQ(*(int *)alaska_translate(hs[i]), i);
  for (int i = 0; i < N; i++) hfree(hs[i]);
  /* poison, or 0 where the whole table page went back to the OS (table.c) */
  for (int i = 0; i < N; i++) {
    uint64_t e = *table_entry(alaska_handle_id(hs[i]));
    CHECK(e == ALASKA_POISON_BASE || e == 0);
  }
  /* spilled ids come back: a second round needs no new ids beyond the first round's */
  uint64_t limit = id_issued_limit();
  for (int i = 0; i < N; i++) hs[i] = halloc(16);
  CHECK(id_issued_limit() <= limit + ALASKA_ID_BATCH);
  for (int i = 0; i < N; i++) hfree(hs[i]);
}

static void test_unissued_entries(void) {
  CHECK_EQ(*table_entry(0), ALASKA_POISON_BASE); /* id 0 never issued, looks freed */
}

int main(void) {
  RUN(test_abi_symbol);
  RUN(test_handle_layout);
  RUN(test_pointer_below_start);
  RUN(test_plain_pointer_identity);
  RUN(test_freed_entry_is_poison_and_id_reused);
  RUN(test_many_ids_unique);
  RUN(test_unissued_entries);
  return 0;
}
