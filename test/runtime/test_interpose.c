/* Interop with uncompiled code (docs/design.md §4): system pointers through hfree/hrealloc,
 * raw heap addresses through free/realloc/malloc_usable_size, and the stats line. */
#include <alaska.h>
#include <malloc.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"

static const char *self;

static void test_system_pointers_forwarded(void) {
  char *s = strdup("from glibc"); /* uncompiled libc hands out system memory */
  CHECK(!alaska_is_handle(s) && !alaska_heap_contains(s));
  CHECK(alaska_usable_size(s) >= 11);
  s = hrealloc(s, 100000);
  CHECK(strcmp(s, "from glibc") == 0);
  hfree(s);
  FILE *f = fopen("/proc/self/statm", "r");
  char *line = NULL;
  size_t cap = 0;
  CHECK(getline(&line, &cap, f) > 0);
  fclose(f);
  hfree(line);
  void *m = malloc(1000); /* malloc stays glibc's */
  CHECK(!alaska_heap_contains(m));
  CHECK(malloc_usable_size(m) >= 1000);
  free(m);
}

static void test_raw_heap_addresses(void) {
  /* free(raw) from uncompiled code frees the handle */
  void *h = halloc(100);
  char *raw = alaska_translate(h);
  free(raw);
  CHECK_EQ(*table_entry(alaska_handle_id(h)), ALASKA_POISON_BASE);
  /* hfree/hrealloc/usable_size accept a raw address that came back from uncompiled code */
  h = halloc(200);
  raw = alaska_translate(h);
  strcpy(raw, "contents");
  CHECK(malloc_usable_size(raw) >= 200);
  CHECK(alaska_usable_size(raw + 10) == alaska_usable_size(h) - 10);
  void *h2 = hrealloc(raw, 5000);
  CHECK(h2 == h); /* the raw address is mapped to its handle */
  CHECK(strcmp(alaska_translate(h2), "contents") == 0);
  raw = alaska_translate(h2);
  hfree(raw);
  CHECK_EQ(*table_entry(alaska_handle_id(h)), ALASKA_POISON_BASE);
  /* realloc(raw) from uncompiled code returns a system allocation with the contents */
  h = halloc(64);
  raw = alaska_translate(h);
  strcpy(raw, "moving out");
  char *sys = realloc(raw, 4096);
  CHECK(sys != NULL && !alaska_heap_contains(sys) && !alaska_is_handle(sys));
  CHECK(strcmp(sys, "moving out") == 0);
  CHECK_EQ(*table_entry(alaska_handle_id(h)), ALASKA_POISON_BASE);
  free(sys);
  /* a handle reaching free() is freed as a handle */
  h = halloc(8);
  free(h);
  CHECK_EQ(*table_entry(alaska_handle_id(h)), ALASKA_POISON_BASE);
}

static void case_stats_line(void) {
  void *keep[10];
  for (int i = 0; i < 10; i++) keep[i] = halloc(100);
  for (int i = 0; i < 5; i++) hfree(keep[i]);
  (void)keep;
}

/* Counts are per size class on the fast paths and by bytes for large objects; a moving
 * hrealloc must count neither an allocation nor a free, and live_bytes must follow it
 * between classes and between small and large. */
static void test_stats_realloc_and_large(void) {
  alaska_stats_t a, b;
  alaska_get_stats(&a);
  void *h = halloc(100);   /* class 112 */
  void *g = halloc(40000); /* large */
  h = hrealloc(h, 3000);   /* small -> another class */
  CHECK(h != NULL);
  h = hrealloc(h, 50000);  /* small -> large */
  g = hrealloc(g, 200);    /* large -> small (shrinks below half: moves) */
  CHECK(h != NULL && g != NULL);
  alaska_get_stats(&b);
  CHECK_EQ(b.halloc - a.halloc, 2);
  CHECK_EQ(b.hfree - a.hfree, 0);
  CHECK_EQ(b.live_bytes - a.live_bytes, alaska_usable_size(h) + alaska_usable_size(g));
  CHECK(alaska_usable_size(h) >= 50000 && alaska_usable_size(g) == 224);
  hfree(h);
  hfree(g);
  alaska_get_stats(&b);
  CHECK_EQ(b.halloc - a.halloc, 2);
  CHECK_EQ(b.hfree - a.hfree, 2);
  CHECK_EQ(b.live_bytes, a.live_bytes);
}

static uint64_t answer(void) { return 42; }
static double ratio(void) { return 1.5; }

static void test_stats_line_at_exit(void) {
  char buf[4096];
  int status;
  CHECK(harness_spawn(self, "stats_line", "ALASKA_STATS=1", buf, sizeof buf, &status) == 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(strncmp(buf, "alaska-stats: halloc=10 hfree=5 handles_live=5 handles_peak=", 60) == 0);
  CHECK(strstr(buf, " live_bytes=560 ") != NULL); /* 5 live objects of class 112 */
  CHECK(strstr(buf, " heap_committed_bytes=") && strstr(buf, " pages_released="));
  CHECK(strchr(buf, '\n') == buf + strlen(buf) - 1); /* exactly one line */
  CHECK(harness_spawn(self, "stats_line", NULL, buf, sizeof buf, &status) == 0);
  CHECK_EQ(buf[0], 0); /* silent without ALASKA_STATS */
}

static void test_stats_registry(void) {
  CHECK_EQ(alaska_stats_register_u64("answer", answer), 0);
  CHECK_EQ(alaska_stats_register_double("ratio", ratio), 0);
  char line[1024];
  alaska_stats_format(line, sizeof line);
  CHECK(strstr(line, " answer=42") != NULL);
  CHECK(strstr(line, " ratio=1.500") != NULL);
}

static const harness_case_t cases[] = {{"stats_line", case_stats_line}, {NULL, NULL}};

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  self = argv[0];
  RUN(test_system_pointers_forwarded);
  RUN(test_raw_heap_addresses);
  RUN(test_stats_line_at_exit);
  RUN(test_stats_registry);
  RUN(test_stats_realloc_and_large);
  return 0;
}
