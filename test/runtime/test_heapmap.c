/* The heap map (ALASKA_HEAPMAP, alaska_heapmap(); docs/env.md "Heap map"): one line per page
 * handed out, the header's totals equal to the stats, and the pages' own counts adding up to
 * the live bytes; written at exit by ALASKA_HEAPMAP; an unwritable file is reported without
 * changing the exit status. */
#include <alaska.h>

#include "harness.h"

typedef struct {
  unsigned long long pages, live, committed, handles, sum_live, small, large, released, lines,
      committed_pages;
} map_t;

static void read_map(const char *path, map_t *m) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  memset(m, 0, sizeof *m);
  unsigned long long page_bytes = 0;
  CHECK(fscanf(f, "alaska-heapmap 1 page_bytes=%llu pages=%llu live_bytes=%llu "
               "committed_bytes=%llu handles_live=%llu\n", &page_bytes, &m->pages, &m->live,
               &m->committed, &m->handles) == 5);
  CHECK_EQ(page_bytes, 65536);
  unsigned long long idx, bsize;
  unsigned cls, used, cap, pinned;
  char kind[32], state[32];
  while (fscanf(f, "%llu %31s %u %llu %u %u %u %31s\n", &idx, kind, &cls, &bsize, &used, &cap,
                &pinned, state) == 8) {
    CHECK_EQ(idx, m->lines);
    m->lines++;
    CHECK(strcmp(state, "committed") == 0 || strcmp(state, "released") == 0);
    if (strcmp(kind, "small") == 0) {
      CHECK(used <= cap && cap > 0 && bsize > 0);
      m->sum_live += (unsigned long long)used * bsize;
      m->small++;
    } else if (strcmp(kind, "large") == 0) {
      CHECK(used == 1 && cap == 1);
      m->sum_live += bsize;
      m->large++;
    } else {
      CHECK(strcmp(kind, "large_tail") == 0 || strcmp(kind, "free") == 0 ||
            strcmp(kind, "free_tail") == 0);
      CHECK(used == 0 && cap == 0);
    }
    if (strcmp(state, "released") == 0) m->released++;
    else m->committed_pages++;
  }
  CHECK(feof(f));
  fclose(f);
}

static void *objs[20000];

static void case_snapshot(void) {
  for (int i = 0; i < 20000; i++) objs[i] = halloc(16 + (i % 40) * 24);
  for (int i = 0; i < 20000; i += 3) hfree(objs[i]);
  void *big[4];
  for (int i = 0; i < 4; i++) big[i] = halloc(100000 + i * 70000);
  hfree(big[1]);
  const char *path = getenv("MAP");
  CHECK(alaska_heapmap(path) == 0);
  alaska_stats_t s;
  alaska_get_stats(&s);
  map_t m;
  read_map(path, &m);
  CHECK_EQ(m.lines, m.pages);
  CHECK_EQ(m.live, s.live_bytes);
  CHECK_EQ(m.committed_pages * 65536, m.committed);
  CHECK_EQ(m.handles, s.handles_live);
  CHECK_EQ(m.sum_live, s.live_bytes);
  CHECK(m.small > 0 && m.large == 3);
  CHECK(alaska_heapmap("/nonexistent-dir/map") == -1 && errno == ENOENT);
}

/* ALASKA_HEAPMAP=file: written at exit */
static void case_at_exit(void) {
  for (int i = 0; i < 1000; i++) objs[i] = halloc(64);
}

static const harness_case_t cases[] = {
    {"snapshot", case_snapshot},
    {"at_exit", case_at_exit},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  harness_child(argc, argv, cases);
  char path[256], env[300];
  snprintf(path, sizeof path, "/tmp/alaska-heapmap-test-%d", (int)getpid());
  snprintf(env, sizeof env, "MAP=%s", path);
  expect_success(argv[0], "snapshot", env);
  unlink(path);
  snprintf(env, sizeof env, "ALASKA_HEAPMAP=%s", path);
  expect_success(argv[0], "at_exit", env);
  map_t m;
  read_map(path, &m);
  CHECK_EQ(m.handles, 1000);
  CHECK_EQ(m.live, 64000);
  CHECK_EQ(m.sum_live, 64000);
  CHECK_EQ(m.committed_pages * 65536, m.committed);
  unlink(path);
  printf("ok at_exit (1000 handles, 64000 live bytes in the map)\n");
  char buf[8192];
  int status = 0;
  CHECK(harness_spawn(argv[0], "at_exit", "ALASKA_HEAPMAP=/nonexistent-dir/map", buf, sizeof buf,
                      &status) == 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(strstr(buf, "alaska: cannot write the heap map ALASKA_HEAPMAP=/nonexistent-dir/map: "
                    "No such file or directory\n") != NULL);
  printf("ok unwritable map reported, exit status 0 kept\n");
  return 0;
}
