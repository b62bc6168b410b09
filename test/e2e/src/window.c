/* Pointers below an object's start, as compressors compute them (zstd's window:
 * `base = src - dictLimit`, then `base[index]` for index >= dictLimit; a reverse scan whose
 * cursor ends one before the buffer). The handle of such a pointer must keep its id and
 * translate to the right address (design.md §1: biased offsets). */
#include <stdint.h>
#include <string.h>
#include "check.h"

typedef struct window {
  const unsigned char *base; /* src - low: points below the buffer */
  uint32_t low, high;        /* valid indexes [low, high) */
} window;

static uint32_t opaque(uint32_t v) {
  volatile uint32_t x = v;
  return x;
}

static unsigned long sum_window(const window *w) {
  unsigned long s = 0;
  for (uint32_t i = w->low; i < w->high; i++) s += w->base[i] * (i - w->low + 1);
  return s;
}

static long last_zero_reverse(const unsigned char *start, const unsigned char *end) {
  for (const unsigned char *p = end - 1; p >= start; p--) /* ends at start - 1 */
    if (*p == 0) return p - start;
  return -1;
}

int main(void) {
  const uint32_t sizes[] = {1, 64, 4096, 100000, 1u << 20};
  const uint32_t lows[] = {1, 7, 4096, 65536, 1u << 20, 1u << 28};
  for (unsigned si = 0; si < sizeof sizes / sizeof *sizes; si++) {
    uint32_t n = sizes[si];
    unsigned char *buf = malloc(n);
    CHECK(buf != NULL);
    for (uint32_t i = 0; i < n; i++) buf[i] = (unsigned char)((i * 7 + 3) | 1); /* never 0 */
    unsigned long expect = 0;
    for (uint32_t i = 0; i < n; i++) expect += buf[i] * (unsigned long)(i + 1);
    window *w = malloc(sizeof *w); /* the below-start pointer lives in heap memory */
    CHECK(w != NULL);
    for (unsigned li = 0; li < sizeof lows / sizeof *lows; li++) {
      uint32_t low = opaque(lows[li]);
      w->base = buf - low;
      w->low = low;
      w->high = low + n;
      CHECK(sum_window(w) == expect);
      CHECK(&w->base[low] == buf);
      CHECK(memcmp(w->base + low, buf, n) == 0);
    }
    buf[0] = 0;
    CHECK(last_zero_reverse(buf, buf + n) == 0);
    free(w);
    free(buf);
  }
  puts("window ok");
  return 0;
}
