/* Pointers that are sometimes heap and sometimes not, through the same variable: the
 * small-buffer optimisation (stack buffer or malloc), selects between a global table and a
 * heap copy, a function receiving either kind, and copies between stack and heap. */
#include <string.h>
#include "check.h"

static const char *const builtin_names[] = {"zero", "one", "two", "three"};
static char global_buf[64];

static size_t count_vowels(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += strchr("aeiou", *s) != NULL;
  return n;
}

static char *build(size_t len, char *small, size_t small_len) {
  char *buf = len < small_len ? small : malloc(len + 1); /* phi of stack and heap */
  for (size_t i = 0; i < len; i++) buf[i] = (char)('a' + (i * 7) % 26);
  buf[len] = 0;
  return buf;
}

int main(void) {
  size_t total = 0, heap_used = 0;
  for (size_t len = 1; len < 400; len += 13) {
    char small[48];
    char *s = build(len, small, sizeof small);
    total += count_vowels(s) + strlen(s);
    if (s != small) { heap_used++; free(s); }
  }
  printf("sbo: total=%zu heap_used=%zu\n", total, heap_used);

  const char **names = malloc(8 * sizeof *names);
  for (int i = 0; i < 8; i++) {
    if (i < 4) names[i] = builtin_names[i];  /* global strings */
    else { char *d = malloc(16); snprintf(d, 16, "dyn%d", i); names[i] = d; }
  }
  size_t nlen = 0;
  for (int i = 0; i < 8; i++) nlen += strlen(names[i]) + count_vowels(names[i]);
  const char *pick = nlen % 2 ? names[1] : names[6];
  printf("names len=%zu pick=%s\n", nlen, pick);

  char *heap = malloc(64);
  strcpy(global_buf, "global->heap");
  memcpy(heap, global_buf, strlen(global_buf) + 1);
  char stackcopy[64];
  memcpy(stackcopy, heap, 64);
  char *either[3] = {global_buf, heap, stackcopy};
  for (int i = 0; i < 3; i++) either[i][0] = (char)('A' + i);
  printf("either: %s %s %s\n", either[0], either[1], either[2]);
  struct { char *p; int n; } pairs[2] = {{heap, 1}, {stackcopy, 2}};
  char *sel = pairs[total % 2].p;
  printf("selected %s n=%d\n", sel, pairs[total % 2].n);
  for (int i = 4; i < 8; i++) free((void *)names[i]);
  free(names); free(heap);
  return 0;
}
