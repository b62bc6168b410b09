// bench/xlatecount/xlatecount.c — counter for measurement builds made with
// `-mllvm -alaska-count-translations` (TranslatePass.cpp): the pass calls
// alaska_bench_count_translation(h) before every translation it emits. Counts, per process,
// translations executed, how many were of handles (the rest: raw pointers on the fast
// path), and of those how many hit large objects (usable size > 32 KiB: their own spans,
// never moved by the defragmenter). The object size is looked up for every 8th handle
// translation (alaska_usable_size costs a runtime call), so `large` is a 1-in-8 sample,
// scaled. Printed at exit as one line on stderr, or appended to $ALASKA_XLATE_COUNT.
// Built with plain clang (not the pass) as libxlatecount.so by bench/xlatecount.py.
#include <alaska.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LARGE_OBJECT 32768
#define SAMPLE 8

// Relaxed atomics: exact across threads; the cost does not matter in a measurement build.
static uint64_t g_total, g_handles, g_sampled, g_large;
#define BUMP(x) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)

void alaska_bench_count_translation(void *p) {
  uintptr_t h = (uintptr_t)p;
  BUMP(g_total);
  if (!(h >> 63)) return;
  if ((BUMP(g_handles) - 1) % SAMPLE) return;
  BUMP(g_sampled);
  // the object's start: offset 0 of the same handle
  if (alaska_usable_size((void *)(h & ~(uintptr_t)0xffffffffu)) > LARGE_OBJECT) BUMP(g_large);
}

__attribute__((destructor)) static void report(void) {
  char line[256];
  double large_share = g_sampled ? (double)g_large / (double)g_sampled : 0.0;
  int n = snprintf(line, sizeof line,
                   "alaska-xlate-count: translations=%llu handles=%llu large_est=%llu "
                   "sampled=%llu large_sampled=%llu\n",
                   (unsigned long long)g_total, (unsigned long long)g_handles,
                   (unsigned long long)(large_share * (double)g_handles),
                   (unsigned long long)g_sampled, (unsigned long long)g_large);
  const char *path = getenv("ALASKA_XLATE_COUNT");
  int fd = path && *path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : 2;
  if (fd >= 0 && write(fd, line, (size_t)n) < 0) {
  }
  if (fd > 2) close(fd);
}
