/* libc string functions on heap strings; every pointer a libc function derives from its
 * argument (strchr, strrchr, strstr, memchr, strpbrk, strtok, strtok_r, strtol/strtod end
 * pointers) is compared with and subtracted from the heap pointer it came from. */
#define _GNU_SOURCE
#include <string.h>
#include <ctype.h>
#include "check.h"

int main(void) {
  const char *text = "the quick brown fox jumps over the lazy dog; 12345 -678 0x1f 3.25e2 rest";
  char *s = malloc(strlen(text) + 1);
  strcpy(s, text);
  size_t len = strlen(s);

  char *q = strchr(s, 'q');
  CHECK(q != NULL && q > s && q < s + len && *q == 'q');
  printf("strchr offset=%td\n", q - s);
  char *last_the = NULL;
  for (char *p = s; (p = strstr(p, "the")) != NULL; p++) last_the = p;
  printf("strstr last 'the' at %td, same as s+31: %d\n", last_the - s, last_the == s + 31);
  char *r = strrchr(s, 'o');
  printf("strrchr 'o' at %td\n", r - s);
  char *semi = memchr(s, ';', len);
  CHECK(semi && semi[0] == ';' && semi == s + (strchr(text, ';') - text));
  char *digit = strpbrk(s, "0123456789");
  printf("strpbrk digit at %td = '%c', memchr ';' at %td\n", digit - s, *digit, semi - s);
  printf("strspn=%zu strcspn=%zu\n", strspn(s, "the qu"), strcspn(s, ";"));

  char *end;
  long a = strtol(digit, &end, 10);
  CHECK(end > digit && end <= s + len);
  long b = strtol(end, &end, 10);
  long c = strtol(end, &end, 16);
  double d = strtod(end, &end);
  printf("numbers %ld %ld %ld %.1f, rest '%s' at %td\n", a, b, c, d, end + 1, end - s);
  CHECK(end == s + len - 5);
  unsigned long long big = strtoull("18446744073709551615", NULL, 10);
  printf("strtoull max=%llu\n", big);

  /* strtok over a heap copy: every token pointer lies inside the heap buffer */
  char *copy = strdup(text);
  int ntok = 0; size_t toklen = 0;
  for (char *tok = strtok(copy, " ;"); tok; tok = strtok(NULL, " ;")) {
    CHECK(tok >= copy && tok < copy + len);
    ntok++; toklen += strlen(tok);
    if (ntok == 4) printf("4th token '%s' at %td\n", tok, tok - copy);
  }
  printf("strtok tokens=%d chars=%zu\n", ntok, toklen);
  free(copy);
  char *copy2 = strndup(text, 19), *save = NULL;
  for (char *tok = strtok_r(copy2, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    CHECK(save == NULL || (save >= copy2 && save <= copy2 + 20));
    printf("[%s]", tok);
  }
  printf("\n");
  free(copy2);

  /* sprintf/snprintf into heap buffers, strcat growth, memmove overlap, case mapping */
  char *buf = malloc(64);
  int n = snprintf(buf, 64, "%s|%5d|%-6s|%08.3f|%x", "ab", 42, "cd", 3.14159, 255u);
  printf("snprintf n=%d '%s'\n", n, buf);
  n = snprintf(buf, 8, "%s", "truncated output");
  printf("truncated n=%d '%s'\n", n, buf);
  char *acc = calloc(1, 1); size_t cap = 1;
  for (int i = 0; i < 200; i++) {
    char piece[16];
    int k = sprintf(piece, "%d,", i * i);
    acc = realloc(acc, cap + k); cap += k;
    strcat(acc, piece);
  }
  printf("strcat len=%zu tail=%s\n", strlen(acc), acc + strlen(acc) - 12);
  memmove(acc + 3, acc, 20);
  memmove(acc, acc + 5, 20);
  acc[24] = 0;
  printf("memmove '%s'\n", acc);
  for (char *p = acc; *p; p++) *p = (char)toupper((unsigned char)*p);
  printf("cmp=%d ncmp=%d casecmp=%d\n", strcmp(buf, acc) > 0, strncmp(acc, acc, 5),
         strcasecmp("HeLLo", "hello"));
  char *dup = strdup(s);
  CHECK(memcmp(dup, s, len + 1) == 0 && dup != s);
  char *found = memmem(dup, len, "lazy", 4);
  printf("memmem at %td\n", found - dup);
  char *st = stpcpy(buf, "abc");
  CHECK(st == buf + 3);
  free(dup); free(acc); free(buf); free(s);
  return 0;
}
