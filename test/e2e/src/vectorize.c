/* Loops the optimiser vectorises at -O3 over heap arrays (loads/stores of vectors, vector
 * reductions, loads of pointer vectors from a heap array of pointers), indirect indexing
 * through a heap index array, unions holding pointers, bitfields, large memcpy/memset. */
#include <stdint.h>
#include <string.h>
#include "check.h"

typedef union slot { int64_t i; double d; int32_t *p; } slot;
typedef struct flags { unsigned a : 3, b : 5, c : 12, d : 12; } flags;

int main(void) {
  enum { N = 1 << 16 };
  float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
  int32_t *idx = malloc(N * sizeof *idx), *ival = malloc(N * sizeof *ival);
  for (int i = 0; i < N; i++) { x[i] = (float)(i % 100) * 0.5f; y[i] = 1.0f; idx[i] = (i * 7919) % N; ival[i] = i ^ 0x55; }
  for (int rep = 0; rep < 10; rep++)
    for (int i = 0; i < N; i++) y[i] = 0.5f * y[i] + x[i]; /* saxpy-like */
  double ysum = 0;
  for (int i = 0; i < N; i++) ysum += y[i];
  int64_t gathered = 0;
  for (int i = 0; i < N; i++) gathered += ival[idx[i]];
  int32_t mx = 0;
  for (int i = 0; i < N; i++) mx = ival[i] > mx ? ival[i] : mx;
  printf("ysum=%.3f gathered=%lld max=%d\n", ysum, (long long)gathered, mx);

  int32_t **rows = malloc(256 * sizeof *rows);
  for (int r = 0; r < 256; r++) { rows[r] = malloc(64 * sizeof(int32_t)); for (int k = 0; k < 64; k++) rows[r][k] = r * k; }
  int64_t diag = 0;
  for (int r = 0; r < 256; r++) diag += rows[r][r % 64]; /* pointer loads from a heap array */
  int32_t **copy = malloc(256 * sizeof *copy);
  memcpy(copy, rows, 256 * sizeof *rows);
  for (int r = 0; r < 256; r++) CHECK(copy[r] == rows[r]);

  slot *slots = malloc(300 * sizeof *slots);
  for (int i = 0; i < 300; i++) {
    if (i % 3 == 0) slots[i].i = i;
    else if (i % 3 == 1) slots[i].d = i * 0.25;
    else slots[i].p = rows[i % 256];
  }
  double us = 0;
  for (int i = 0; i < 300; i++) us += i % 3 == 0 ? (double)slots[i].i : i % 3 == 1 ? slots[i].d : slots[i].p[1];
  flags *fl = calloc(1000, sizeof *fl);
  for (int i = 0; i < 1000; i++) { fl[i].a = (unsigned)i; fl[i].b = (unsigned)i * 3u; fl[i].c = (unsigned)i * 7u; fl[i].d = (unsigned)i * 11u; }
  unsigned long fs = 0;
  for (int i = 0; i < 1000; i++) fs += fl[i].a + fl[i].b + fl[i].c + fl[i].d;
  unsigned char *big = malloc(3 << 20), *big2 = malloc(3 << 20);
  memset(big, 0x5a, 3 << 20);
  for (int i = 0; i < (3 << 20); i += 4096) big[i] = (unsigned char)(i >> 12);
  memcpy(big2, big, 3 << 20);
  unsigned long bs = 0;
  for (int i = 0; i < (3 << 20); i += 511) bs += big2[i];
  printf("diag=%lld union=%.2f bitfields=%lu bigsum=%lu\n", (long long)diag, us, fs, bs);
  for (int r = 0; r < 256; r++) free(rows[r]);
  free(rows); free(copy); free(slots); free(fl); free(big); free(big2);
  free(x); free(y); free(idx); free(ival);
  return 0;
}
