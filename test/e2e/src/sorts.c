/* Sorting with auxiliary heap buffers: merge sort (ping-pong buffers), heap sort, LSD radix
 * sort with per-pass count arrays, and sorting an array of pointers to heap records by a
 * field through a pointer-to-pointer comparison. Every result is checked against the others. */
#include <string.h>
#include <stdint.h>
#include "check.h"

static void merge_sort(uint32_t *a, uint32_t *tmp, size_t n) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    uint32_t *t = a; a = tmp; tmp = t;
    memcpy(tmp, a, n * sizeof *a); /* keep both buffers equal so the caller's copy is sorted */
  }
}
static void sift(uint32_t *a, size_t i, size_t n) {
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[i] >= a[c]) return;
    uint32_t t = a[i]; a[i] = a[c]; a[c] = t; i = c;
  }
}
static void heap_sort(uint32_t *a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (size_t end = n; end-- > 1;) { uint32_t t = a[0]; a[0] = a[end]; a[end] = t; sift(a, 0, end); }
}
static void radix_sort(uint32_t *a, size_t n) {
  uint32_t *out = malloc(n * sizeof *out);
  for (int shift = 0; shift < 32; shift += 8) {
    size_t *count = calloc(257, sizeof *count);
    for (size_t i = 0; i < n; i++) count[((a[i] >> shift) & 255) + 1]++;
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) out[count[(a[i] >> shift) & 255]++] = a[i];
    memcpy(a, out, n * sizeof *a);
    free(count);
  }
  free(out);
}
typedef struct person { char name[16]; int age; } person;

int main(void) {
  enum { N = 100000 };
  uint32_t *orig = malloc(N * sizeof *orig), *m = malloc(N * sizeof *m), *h = malloc(N * sizeof *h),
           *r = malloc(N * sizeof *r), *tmp = malloc(N * sizeof *tmp);
  uint32_t s = 2463534242u;
  for (size_t i = 0; i < N; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; orig[i] = s; }
  memcpy(m, orig, N * sizeof *m); memcpy(h, orig, N * sizeof *h); memcpy(r, orig, N * sizeof *r);
  merge_sort(m, tmp, N);
  heap_sort(h, N);
  radix_sort(r, N);
  CHECK(memcmp(m, h, N * sizeof *m) == 0 && memcmp(m, r, N * sizeof *m) == 0);
  uint64_t chk = 0;
  for (size_t i = 0; i < N; i++) { if (i) CHECK(m[i - 1] <= m[i]); chk = chk * 1000003 + m[i]; }
  printf("sorted %d: min=%u median=%u max=%u chk=%llu\n", N, m[0], m[N / 2], m[N - 1], (unsigned long long)chk);
  person **people = malloc(1000 * sizeof *people);
  for (int i = 0; i < 1000; i++) {
    people[i] = malloc(sizeof(person));
    people[i]->age = (i * 37) % 91;
    snprintf(people[i]->name, 16, "p%04d", i);
  }
  for (int i = 1; i < 1000; i++) { /* insertion sort of pointers by age, then name */
    person *key = people[i];
    int j = i - 1;
    while (j >= 0 && (people[j]->age > key->age || (people[j]->age == key->age && strcmp(people[j]->name, key->name) > 0))) { people[j + 1] = people[j]; j--; }
    people[j + 1] = key;
  }
  printf("youngest=%s(%d) oldest=%s(%d) middle=%s\n", people[0]->name, people[0]->age, people[999]->name, people[999]->age, people[500]->name);
  for (int i = 0; i < 1000; i++) free(people[i]);
  free(people); free(orig); free(m); free(h); free(r); free(tmp);
  return 0;
}
