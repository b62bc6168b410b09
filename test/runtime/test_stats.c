/* The ALASKA_STATS line (docs/env.md): one `alaska-stats:` line at exit in which every key
 * appears exactly once (the pause percentiles once appeared under two names each), with the
 * heap's own keys, the barrier's and the huge-object counter. The metadata keys: 100,000
 * live 64-byte objects at exit need 800,000 bytes of table entries and 400,000 of slot maps
 * (4 bytes per block) in memory, and not much more. */
#include <alaska.h>

#include "harness.h"

static int child(void) {
  void *h = halloc(100);
  hfree(h);
  void *big = halloc(5ULL << 30); /* >= 2 GiB: a system allocation, counted in huge_allocs */
  CHECK(big != NULL);
  hfree(big);
  for (int i = 0; i < 100000; i++) CHECK(halloc(64) != NULL); /* live at exit */
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--child") == 0) return child();
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "ALASKA_STATS=1 '%s' --child 2>&1 >/dev/null", argv[0]);
  FILE *p = popen(cmd, "r");
  CHECK(p != NULL);
  char line[4096], stats[4096] = "";
  int lines = 0;
  while (fgets(line, sizeof line, p))
    if (strncmp(line, "alaska-stats:", 13) == 0) {
      lines++;
      snprintf(stats, sizeof stats, "%s", line);
    }
  CHECK(pclose(p) == 0);
  CHECK_EQ(lines, 1);
  char keys[64][64];
  unsigned long long vals[64];
  int n = 0;
  for (char *tok = strtok(stats + 13, " \n"); tok; tok = strtok(NULL, " \n")) {
    char *eq = strchr(tok, '=');
    CHECK(eq != NULL && eq > tok && n < 64);
    *eq = 0;
    for (int i = 0; i < n; i++)
      if (strcmp(keys[i], tok) == 0) {
        fprintf(stderr, "key %s appears twice on the stats line\n", tok);
        exit(1);
      }
    snprintf(keys[n], sizeof keys[0], "%s", tok);
    vals[n++] = strtoull(eq + 1, NULL, 10);
  }
  const char *expected[] = {"halloc", "hfree", "handles_live", "handles_peak", "huge_allocs",
                            "objects_moved", "barriers", "max_pause_us", "pause_p50_us",
                            "pause_p99_us", "max_stop_us", "stop_p50_us", "stop_p99_us",
                            "table_resident_bytes", "slotmap_resident_bytes"};
  for (size_t e = 0; e < sizeof expected / sizeof *expected; e++) {
    int found = 0;
    for (int i = 0; i < n; i++) found |= strcmp(keys[i], expected[e]) == 0;
    if (!found) fprintf(stderr, "key %s missing from the stats line\n", expected[e]);
    CHECK(found);
  }
  unsigned long long table = 0, slotmaps = 0;
  for (int i = 0; i < n; i++) {
    if (strcmp(keys[i], "table_resident_bytes") == 0) table = vals[i];
    if (strcmp(keys[i], "slotmap_resident_bytes") == 0) slotmaps = vals[i];
  }
  /* ids issued: the live ones, a cache's stack (1024) and one batch (512) at most beyond */
  if (table < 800000 || table > (100000 + 1024 + 512) * 8 + 4096 ||
      slotmaps < 400000 || slotmaps > 2 * 400000 + 65536) {
    fprintf(stderr, "table_resident_bytes=%llu slotmap_resident_bytes=%llu for 100000 live "
            "64-byte objects\n", table, slotmaps);
    exit(1);
  }
  printf("ok stats line: %d keys, each once; table %llu, slot maps %llu bytes resident\n", n,
         table, slotmaps);
  return 0;
}
