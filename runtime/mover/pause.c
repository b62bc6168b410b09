/*
 * pause.c — the histograms of stop-the-world pauses and of the time threads take to stop
 * (log-linear buckets) and their percentiles,
 * for the alaska-stats line and ALASKA_TRACE.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "mover/barrier.h"
#include "mover/internal.h"

_Atomic uint64_t pause_hist[ALASKA_PAUSE_BUCKETS];
_Atomic uint64_t stop_hist[ALASKA_PAUSE_BUCKETS];

/* Log-linear histogram: values < 16 µs exact, then 8 buckets per power of two. */
unsigned pause_bucket(uint64_t us) {
  if (us < 16) return (unsigned)us;
  unsigned e = 63u - (unsigned)__builtin_clzll(us); /* e >= 4 */
  unsigned idx = 16u + (e - 4u) * 8u + (unsigned)((us >> (e - 3u)) & 7u);
  return idx < ALASKA_PAUSE_BUCKETS ? idx : ALASKA_PAUSE_BUCKETS - 1;
}
static uint64_t bucket_upper_us(unsigned idx) {
  if (idx < 16) return idx;
  unsigned e = 4u + (idx - 16u) / 8u, sub = (idx - 16u) % 8u;
  return ((8ull + sub + 1) << (e - 3u)) - 1;
}

uint64_t hist_percentile(const uint64_t *hist, uint64_t total, double q) {
  if (total == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)total + 0.999999), seen = 0;
  if (rank == 0) rank = 1;
  for (unsigned i = 0; i < ALASKA_PAUSE_BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return bucket_upper_us(i);
  }
  return bucket_upper_us(ALASKA_PAUSE_BUCKETS - 1);
}
