/* qsort/bsearch with our own comparators on heap arrays of structs and of heap strings;
 * bsearch's result is compared with and subtracted from the heap array. */
#include <string.h>
#include "check.h"

typedef struct rec { int key; double weight; char name[16]; } rec;

static int by_key(const void *a, const void *b) {
  const rec *x = a, *y = b;
  return (x->key > y->key) - (x->key < y->key);
}
static int by_name_desc(const void *a, const void *b) {
  return strcmp(((const rec *)b)->name, ((const rec *)a)->name);
}
static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}
static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void) {
  enum { N = 3000 };
  rec *rs = malloc(N * sizeof *rs);
  unsigned s = 99;
  for (int i = 0; i < N; i++) {
    s = s * 1103515245u + 12345u;
    rs[i].key = (int)((s >> 4) % 100000);
    rs[i].weight = i * 0.5;
    snprintf(rs[i].name, sizeof rs[i].name, "n%05u", (s >> 3) % 77777);
  }
  qsort(rs, N, sizeof *rs, by_key);
  for (int i = 1; i < N; i++) CHECK(rs[i - 1].key <= rs[i].key);
  rec probe = {rs[1234].key, 0, ""};
  rec *hit = bsearch(&probe, rs, N, sizeof *rs, by_key);
  CHECK(hit != NULL && hit >= rs && hit < rs + N && hit->key == probe.key);
  printf("bsearch index ok=%d key=%d\n", rs[hit - rs].key == probe.key, hit->key);
  probe.key = -1;
  CHECK(bsearch(&probe, rs, N, sizeof *rs, by_key) == NULL);
  qsort(rs, N, sizeof *rs, by_name_desc);
  printf("name desc: first=%s last=%s\n", rs[0].name, rs[N - 1].name);

  char **words = malloc(N * sizeof *words);
  for (int i = 0; i < N; i++) {
    words[i] = malloc(12);
    snprintf(words[i], 12, "w%d", (i * 7919) % N);
  }
  qsort(words, N, sizeof *words, by_string);
  for (int i = 1; i < N; i++) CHECK(strcmp(words[i - 1], words[i]) < 0);
  char *key = "w2024";
  char **found = bsearch(&key, words, N, sizeof *words, by_string);
  CHECK(found && strcmp(*found, "w2024") == 0);
  printf("words: first=%s last=%s w2024 at %td\n", words[0], words[N - 1], found - words);

  int *ints = malloc(1000 * sizeof *ints);
  for (int i = 0; i < 1000; i++) ints[i] = (i * 389) % 1000;
  qsort(ints, 1000, sizeof *ints, cmp_int);
  int target = 555;
  int *at = bsearch(&target, ints, 1000, sizeof *ints, cmp_int);
  printf("ints: at=%td value=%d\n", at - ints, *at);
  for (int i = 0; i < N; i++) free(words[i]);
  free(words); free(rs); free(ints);
  return 0;
}
