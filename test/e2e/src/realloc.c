/* realloc growth and shrink: a doubling vector, many small reallocs, realloc(NULL, n),
 * contents preserved at every step; calloc zeroing after reuse. */
#include <string.h>
#include <stdint.h>
#include "check.h"

typedef struct vec { uint64_t *data; size_t len, cap; } vec;

static void vpush(vec *v, uint64_t x) {
  if (v->len == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 1;
    uint64_t *nd = realloc(v->data, v->cap * sizeof *nd);
    CHECK(nd != NULL);
    v->data = nd;
  }
  v->data[v->len++] = x;
}

int main(void) {
  vec v = {0};
  for (uint64_t i = 0; i < 300000; i++) vpush(&v, i * i ^ 0x5bd1e995);
  uint64_t h = 0;
  for (size_t i = 0; i < v.len; i++) { CHECK(v.data[i] == ((uint64_t)i * i ^ 0x5bd1e995)); h = h * 31 + v.data[i]; }
  printf("vector len=%zu cap=%zu hash=%llu\n", v.len, v.cap, (unsigned long long)h);
  v.data = realloc(v.data, 1000 * sizeof *v.data); /* shrink */
  v.len = 1000;
  h = 0;
  for (size_t i = 0; i < v.len; i++) h += v.data[i];
  printf("shrunk sum=%llu\n", (unsigned long long)h);
  free(v.data);

  char *s = realloc(NULL, 1);
  s[0] = 0;
  for (int i = 1; i <= 5000; i++) {
    s = realloc(s, (size_t)i + 1);
    s[i - 1] = (char)('a' + i % 26);
    s[i] = 0;
  }
  size_t counts[26] = {0};
  for (char *p = s; *p; p++) counts[*p - 'a']++;
  printf("string len=%zu a=%zu z=%zu head=%.10s\n", strlen(s), counts[0], counts[25], s);
  free(s);

  /* many buffers growing at once interleaved, then large jumps across size classes */
  enum { K = 64 };
  unsigned char *bufs[K] = {0};
  size_t sizes[K] = {0};
  for (int round = 0; round < 40; round++)
    for (int k = 0; k < K; k++) {
      size_t ns = sizes[k] + (size_t)(k + 1) * (round + 1);
      bufs[k] = realloc(bufs[k], ns);
      for (size_t i = sizes[k]; i < ns; i++) bufs[k][i] = (unsigned char)(i * 7 + k);
      sizes[k] = ns;
    }
  unsigned long total = 0;
  for (int k = 0; k < K; k++)
    for (size_t i = 0; i < sizes[k]; i++) { CHECK(bufs[k][i] == (unsigned char)(i * 7 + k)); total += bufs[k][i]; }
  printf("interleaved total=%lu\n", total);
  for (int k = 0; k < K; k++) free(bufs[k]);
  char *big = malloc(16);
  memcpy(big, "0123456789abcde", 16);
  big = realloc(big, 1 << 20);
  big[(1 << 20) - 1] = 'Z';
  big = realloc(big, 3 << 20);
  printf("big keeps '%s' and %c\n", big, big[(1 << 20) - 1]);
  free(big);
  int *z = calloc(1000, sizeof *z);
  long zs = 0;
  for (int i = 0; i < 1000; i++) zs += z[i];
  printf("calloc zero sum=%ld\n", zs);
  free(z);
  return 0;
}
