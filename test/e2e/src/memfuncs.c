/* The whole allocation family: calloc zeroing, posix_memalign/aligned_alloc/memalign
 * alignment, strdup/strndup, reallocarray, malloc_usable_size, memset/memcpy/memmove/memcmp
 * on heap buffers, and libc's own allocations (realpath, asprintf) released with free. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include "check.h"

int main(void) {
  size_t aligns[] = {8, 16, 32, 64, 256, 4096};
  for (int i = 0; i < 6; i++) {
    void *p = NULL;
    CHECK(posix_memalign(&p, aligns[i], 100 + i) == 0);
    CHECK(((uintptr_t)p & (aligns[i] - 1)) == 0);
    memset(p, i, 100 + i);
    void *q = aligned_alloc(aligns[i], aligns[i] * ((128 + aligns[i] - 1) / aligns[i]));
    CHECK(q && ((uintptr_t)q & (aligns[i] - 1)) == 0);
    memcpy(q, p, 100);
    CHECK(memcmp(p, q, 100) == 0);
    void *r = memalign(aligns[i], 10);
    CHECK(r && ((uintptr_t)r & (aligns[i] - 1)) == 0);
    free(p); free(q); free(r);
  }
  printf("alignment ok\n");
  for (int round = 0; round < 3; round++) {
    unsigned char *dirty = malloc(4096);
    memset(dirty, 0xab, 4096);
    free(dirty);
    unsigned char *z = calloc(512, 8);
    size_t nz = 0;
    for (int i = 0; i < 4096; i++) nz += z[i] != 0;
    CHECK(nz == 0);
    free(z);
  }
  size_t sizes[] = {1, 7, 24, 100, 1000, 5000, 70000, 1 << 20};
  size_t ok = 0;
  for (int i = 0; i < 8; i++) {
    char *p = malloc(sizes[i]);
    size_t u = malloc_usable_size(p);
    ok += u >= sizes[i];
    memset(p, 'x', sizes[i]); /* (writing up to u is legal for glibc, but _FORTIFY_SOURCE checks the request) */
    free(p);
  }
  printf("usable_size ok=%zu\n", ok);
  int *arr = reallocarray(NULL, 100, sizeof(int));
  for (int i = 0; i < 100; i++) arr[i] = i;
  arr = reallocarray(arr, 200, sizeof(int));
  long s = 0;
  for (int i = 0; i < 100; i++) s += arr[i];
  CHECK(reallocarray(arr, SIZE_MAX / 2, 4) == NULL); /* overflow: NULL, arr untouched */
  printf("reallocarray sum=%ld\n", s);
  free(arr);
  char *d = strdup("duplicate me"), *nd = strndup("truncate here", 8);
  printf("strdup '%s' strndup '%s'\n", d, nd);
  free(d); free(nd);
  char *buf = malloc(100);
  for (int i = 0; i < 100; i++) buf[i] = (char)i;
  memmove(buf + 10, buf, 50);
  memmove(buf, buf + 20, 50);
  unsigned chk = 0;
  for (int i = 0; i < 100; i++) chk = chk * 7 + buf[i];
  printf("memmove checksum=%u\n", chk);
  free(buf);
  char *rp = realpath("/", NULL); /* allocated inside libc */
  char *fmt = NULL;
  CHECK(asprintf(&fmt, "root=%s n=%d", rp, 5) > 0);
  printf("libc allocations: %s\n", fmt);
  free(rp); free(fmt);
  void *m0 = malloc(0);
  free(m0);
  free(NULL);
  return 0;
}
