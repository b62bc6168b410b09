/* bench/overhead/matrix.c — matrices as arrays of malloc'd rows (double **): multiply,
 * transpose, row swaps (LU-style elimination with partial pivoting). Arg: n (default 720). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double **alloc_mat(int n) {
  double **m = malloc(sizeof(double *) * (size_t)n);
  for (int i = 0; i < n; i++) m[i] = malloc(sizeof(double) * (size_t)n);
  return m;
}

static void free_mat(double **m, int n) {
  for (int i = 0; i < n; i++) free(m[i]);
  free(m);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 720;
  double **a = alloc_mat(n), **b = alloc_mat(n), **c = alloc_mat(n);
  unsigned s = 12345;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      s = s * 1103515245u + 12345u;
      a[i][j] = (double)((s >> 16) % 1000) / 1000.0 + (i == j ? n : 0);
      s = s * 1103515245u + 12345u;
      b[i][j] = (double)((s >> 16) % 1000) / 1000.0;
    }
  double tr = 0;
  for (int rep = 0; rep < 8; rep++) {
    /* c = a * b, i-k-j order through the row pointers */
    for (int i = 0; i < n; i++) {
      double *ci = c[i];
      for (int j = 0; j < n; j++) ci[j] = 0;
      for (int k = 0; k < n; k++) {
        double aik = a[i][k];
        double *bk = b[k];
        for (int j = 0; j < n; j++) ci[j] += aik * bk[j];
      }
    }
    for (int i = 0; i < n; i++) tr += c[i][i];
    /* b = c^T scaled, allocating fresh rows (rows move around in memory) */
    double **nb = alloc_mat(n);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) nb[j][i] = c[i][j] / (n * 10.0);
    free_mat(b, n);
    b = nb;
  }
  /* Gaussian elimination with partial pivoting on a copy of a: swaps row pointers */
  double **lu = alloc_mat(n);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) lu[i][j] = a[i][j] + b[i][j];
  double logdet = 0;
  for (int k = 0; k < n; k++) {
    int p = k;
    for (int i = k + 1; i < n; i++)
      if (fabs(lu[i][k]) > fabs(lu[p][k])) p = i;
    double *t = lu[k];
    lu[k] = lu[p];
    lu[p] = t;
    double piv = lu[k][k];
    logdet += log(fabs(piv));
    for (int i = k + 1; i < n; i++) {
      double f = lu[i][k] / piv;
      double *li = lu[i], *lk = lu[k];
      for (int j = k; j < n; j++) li[j] -= f * lk[j];
    }
  }
  printf("trace %.6e logdet %.6f\n", tr, logdet);
  free_mat(a, n);
  free_mat(b, n);
  free_mat(c, n);
  free_mat(lu, n);
  return 0;
}
