/* Dense linear algebra over heap arrays of row pointers: multiply, transpose, LU
 * decomposition with partial pivoting (row pointer swaps), determinant, solve. */
#include <math.h>
#include "check.h"

static double **alloc_matrix(int n) {
  double **m = malloc((size_t)n * sizeof *m);
  for (int i = 0; i < n; i++) m[i] = calloc((size_t)n, sizeof **m);
  return m;
}
static void free_matrix(double **m, int n) { for (int i = 0; i < n; i++) free(m[i]); free(m); }

int main(void) {
  enum { N = 120 };
  double **a = alloc_matrix(N), **b = alloc_matrix(N), **c = alloc_matrix(N);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) { a[i][j] = ((i * 31 + j * 17) % 23) - 11 + (i == j ? 40 : 0); b[j][i] = (i + 1) * 0.01 * ((j % 5) - 2); }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) { double aik = a[i][k]; for (int j = 0; j < N; j++) c[i][j] += aik * b[k][j]; }
  double trace = 0;
  for (int i = 0; i < N; i++) trace += c[i][i];
  printf("trace(AB)=%.6f\n", trace);
  double **lu = alloc_matrix(N);
  for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) lu[i][j] = a[i][j];
  int *perm = malloc(N * sizeof *perm), swaps = 0;
  for (int i = 0; i < N; i++) perm[i] = i;
  for (int k = 0; k < N; k++) {
    int p = k;
    for (int i = k + 1; i < N; i++) if (fabs(lu[i][k]) > fabs(lu[p][k])) p = i;
    if (p != k) { double *t = lu[p]; lu[p] = lu[k]; lu[k] = t; int tp = perm[p]; perm[p] = perm[k]; perm[k] = tp; swaps++; }
    for (int i = k + 1; i < N; i++) {
      lu[i][k] /= lu[k][k];
      for (int j = k + 1; j < N; j++) lu[i][j] -= lu[i][k] * lu[k][j];
    }
  }
  double logdet = 0; int sign = swaps % 2 ? -1 : 1;
  for (int i = 0; i < N; i++) { logdet += log(fabs(lu[i][i])); if (lu[i][i] < 0) sign = -sign; }
  double *x = malloc(N * sizeof *x), *rhs = malloc(N * sizeof *rhs);
  for (int i = 0; i < N; i++) rhs[i] = 0;
  for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) rhs[i] += a[i][j] * (j + 1); /* solution is 1..N */
  for (int i = 0; i < N; i++) { x[i] = rhs[perm[i]]; for (int j = 0; j < i; j++) x[i] -= lu[i][j] * x[j]; }
  for (int i = N - 1; i >= 0; i--) { for (int j = i + 1; j < N; j++) x[i] -= lu[i][j] * x[j]; x[i] /= lu[i][i]; }
  double err = 0;
  for (int i = 0; i < N; i++) err = fmax(err, fabs(x[i] - (i + 1)));
  CHECK(err < 1e-6);
  printf("sign=%d logdet=%.4f swaps=%d solve ok x[0]=%.3f x[%d]=%.3f\n", sign, logdet, swaps, x[0], N - 1, x[N - 1]);
  free_matrix(a, N); free_matrix(b, N); free_matrix(c, N); free_matrix(lu, N);
  free(perm); free(x); free(rhs);
  return 0;
}
