/*
 * test_table_shrink.c — handle-table memory follows the live handles (table.c, design.md §3).
 *
 * 2 M handles up, then back down to 200 k: the table's resident memory (smaps, read here
 * independently of the runtime) must come back to <= 1.25 x 8 B x live handles, both when
 * the newest survive and when random ones do and the program keeps turning objects over
 * (FIFO: free the oldest, allocate a new one). Random survivors without turnover cannot
 * drain: each keeps its id, and 200 k of them touch every table page. And a freed handle
 * whose table page went back to the OS still fails as a freed handle.
 */
#include <alaska.h>
#include <stdint.h>

#include "harness.h"

enum { PEAK = 2000000, LIVE = 200000 };
static const char *self;
static void *hs[PEAK];

static size_t table_rss(void) {
  FILE *f = fopen("/proc/self/smaps", "r");
  CHECK(f != NULL);
  char line[512];
  size_t kb = 0;
  int inside = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi, n;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && line[0] != 'R')
      inside = lo < ALASKA_TABLE_BASE + ALASKA_TABLE_BYTES && hi > ALASKA_TABLE_BASE;
    else if (inside && sscanf(line, "Rss: %lu kB", &n) == 1)
      kb += n;
  }
  fclose(f);
  return kb << 10;
}

static void check_table_follows(const char *what, size_t live) {
  size_t rss = table_rss(), bound = live * 8 * 5 / 4;
  printf("%s: table resident %zu bytes for %zu live handles (bound %zu)\n", what, rss, live,
         bound);
  CHECK(rss <= bound);
}

static void fill(void) {
  for (int i = 0; i < PEAK; i++) {
    hs[i] = halloc(16);
    CHECK(hs[i] != NULL);
    *(int *)alaska_translate(hs[i]) = i;
  }
  CHECK(table_rss() >= (size_t)PEAK * 8); /* the peak really was resident */
}

static void test_newest_survive(void) {
  fill();
  for (int i = 0; i < PEAK - LIVE; i++) hfree(hs[i]);
  check_table_follows("newest 200k", LIVE);
  for (int i = PEAK - LIVE; i < PEAK; i++) CHECK_EQ(*(int *)alaska_translate(hs[i]), i);
  for (int i = PEAK - LIVE; i < PEAK; i++) hfree(hs[i]);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void test_random_survivors_turn_over(void) {
  fill();
  /* keep a random tenth (Fisher-Yates prefix), in a FIFO ring of LIVE */
  for (int i = 0; i < LIVE; i++) {
    int j = i + (int)(next_random() % (uint64_t)(PEAK - i));
    void *t = hs[i];
    hs[i] = hs[j];
    hs[j] = t;
  }
  for (int i = LIVE; i < PEAK; i++) hfree(hs[i]);
  size_t scattered = table_rss();
  printf("random 200k, before turnover: table resident %zu bytes\n", scattered);
  for (int round = 0; round < 3 * LIVE; round++) {
    int slot = round % LIVE;
    hfree(hs[slot]);
    hs[slot] = halloc(16);
    CHECK(hs[slot] != NULL);
    *(int *)alaska_translate(hs[slot]) = round;
  }
  check_table_follows("random 200k after 3 turnovers", LIVE);
  for (int i = 0; i < LIVE; i++) CHECK_EQ(*(int *)alaska_translate(hs[i]), 2 * LIVE + i);
  for (int i = 0; i < LIVE; i++) hfree(hs[i]);
}

/* The highest handle of a 2 M peak, freed with everything else: its page is released. */
static void *freed_on_released_page(void) {
  fill();
  for (int i = 0; i < PEAK; i++) hfree(hs[i]);
  CHECK(table_rss() < (size_t)PEAK * 8 / 4);
  return hs[PEAK - 1];
}
static void case_translate_released(void) { alaska_translate(freed_on_released_page()); }
static void case_inline_released(void) {
  volatile int *p = alaska_translate_inline(freed_on_released_page());
  *p = 1;
}
static void case_free_released(void) { hfree(freed_on_released_page()); }
static void case_realloc_released(void) { hrealloc(freed_on_released_page(), 64); }

static const harness_case_t cases[] = {
    {"translate_released", case_translate_released},
    {"inline_released", case_inline_released},
    {"free_released", case_free_released},
    {"realloc_released", case_realloc_released},
    {NULL, NULL},
};

static void test_freed_handle_on_released_page(void) {
  expect_failure(self, "translate_released", NULL, "alaska: use of freed handle 0x8");
  expect_failure(self, "inline_released", NULL, "alaska: use of freed handle (fault at 0x8");
  expect_failure(self, "free_released", NULL, "alaska: double free of handle 0x8");
  expect_failure(self, "realloc_released", NULL, "alaska: realloc of freed handle 0x8");
}

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  self = argv[0];
  RUN(test_newest_survive);
  RUN(test_random_survivors_turn_over);
  RUN(test_freed_handle_on_released_page);
  return 0;
}
