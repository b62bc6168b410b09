/* Arbitrary precision decimal arithmetic in realloc'd digit arrays: 300!, 2^1000,
 * Fibonacci(2000), digit sums; converting to heap strings. */
#include <string.h>
#include "check.h"

typedef struct big { unsigned *d; size_t n; } big; /* base 10^9, little endian */
#define BASE 1000000000u

static big *big_from(unsigned v) { big *b = malloc(sizeof *b); b->d = malloc(sizeof *b->d); b->d[0] = v; b->n = 1; return b; }
static void big_mul_small(big *b, unsigned m) {
  unsigned long long carry = 0;
  for (size_t i = 0; i < b->n; i++) { carry += (unsigned long long)b->d[i] * m; b->d[i] = (unsigned)(carry % BASE); carry /= BASE; }
  while (carry) { b->d = realloc(b->d, (b->n + 1) * sizeof *b->d); b->d[b->n++] = (unsigned)(carry % BASE); carry /= BASE; }
}
static big *big_add(const big *a, const big *b) {
  size_t n = a->n > b->n ? a->n : b->n;
  big *r = malloc(sizeof *r);
  r->d = calloc(n + 1, sizeof *r->d);
  unsigned carry = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned long long s = (unsigned long long)carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
    r->d[i] = (unsigned)(s % BASE); carry = (unsigned)(s / BASE);
  }
  r->d[n] = carry;
  r->n = carry ? n + 1 : n;
  return r;
}
static char *big_str(const big *b) {
  char *s = malloc(b->n * 9 + 1);
  int len = sprintf(s, "%u", b->d[b->n - 1]);
  for (size_t i = b->n - 1; i-- > 0;) len += sprintf(s + len, "%09u", b->d[i]);
  return s;
}
static void big_free(big *b) { free(b->d); free(b); }
static int digit_sum(const char *s) { int t = 0; for (; *s; s++) t += *s - '0'; return t; }

int main(void) {
  big *f = big_from(1);
  for (unsigned i = 2; i <= 300; i++) big_mul_small(f, i);
  char *fs = big_str(f);
  printf("300! digits=%zu digitsum=%d head=%.20s\n", strlen(fs), digit_sum(fs), fs);
  big *p = big_from(1);
  for (int i = 0; i < 1000; i++) big_mul_small(p, 2);
  char *ps = big_str(p);
  printf("2^1000 digits=%zu digitsum=%d tail=%s\n", strlen(ps), digit_sum(ps), ps + strlen(ps) - 10);
  CHECK(digit_sum(ps) == 1366);
  big *a = big_from(0), *b = big_from(1);
  for (int i = 0; i < 2000; i++) { big *c = big_add(a, b); big_free(a); a = b; b = c; }
  char *fib = big_str(a);
  printf("fib(2000) digits=%zu head=%.15s\n", strlen(fib), fib);
  free(fs); free(ps); free(fib);
  big_free(f); big_free(p); big_free(a); big_free(b);
  return 0;
}
