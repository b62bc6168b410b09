/* bench/overhead/strbuild.c — string building: growable strings (realloc), formatting numbers
 * by hand, concatenation, splitting into malloc'd words, strcmp/strlen/memcpy through libc,
 * qsort of the words. Arg: rounds (default 80). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *s;
  size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    while (b->len + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 16;
    b->s = realloc(b->s, b->cap);
    if (!b->s) abort();
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void sb_num(sbuf *b, unsigned long x) {
  char tmp[24];
  int i = 23;
  tmp[i] = 0;
  do { tmp[--i] = (char)('0' + x % 10); x /= 10; } while (x);
  sb_put(b, tmp + i, (size_t)(23 - i));
}

static int cmpstr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                              "golf", "hotel", "india", "juliet", "kilo", "lima"};

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 80;
  unsigned long rng = 7, total = 0;
  for (int r = 0; r < rounds; r++) {
    sbuf b = {0};
    for (int i = 0; i < 40000; i++) {
      rng = rng * 6364136223846793005UL + 1442695040888963407UL;
      const char *w = words[(rng >> 33) % 12];
      sb_put(&b, w, strlen(w));
      sb_num(&b, (rng >> 40) % 100000);
      sb_put(&b, " ", 1);
    }
    /* split into malloc'd words */
    size_t nw = 0, cw = 1024;
    char **ws = malloc(sizeof(char *) * cw);
    for (char *p = b.s; *p;) {
      char *sp = strchr(p, ' ');
      size_t n = sp ? (size_t)(sp - p) : strlen(p);
      if (nw == cw) ws = realloc(ws, sizeof(char *) * (cw *= 2));
      ws[nw] = malloc(n + 1);
      memcpy(ws[nw], p, n);
      ws[nw][n] = 0;
      nw++;
      p += n + (sp ? 1 : 0);
    }
    qsort(ws, nw, sizeof(char *), cmpstr);
    /* rebuild a string of the unique words, reversed */
    sbuf u = {0};
    for (size_t i = 0; i < nw; i++) {
      if (i && strcmp(ws[i], ws[i - 1]) == 0) continue;
      size_t n = strlen(ws[i]);
      char *rev = malloc(n + 1);
      for (size_t j = 0; j < n; j++) rev[j] = ws[i][n - 1 - j];
      rev[n] = 0;
      sb_put(&u, rev, n);
      sb_put(&u, ",", 1);
      free(rev);
    }
    unsigned long h = 5381;
    for (size_t i = 0; i < u.len; i++) h = h * 33 + (unsigned char)u.s[i];
    total += h ^ nw ^ u.len;
    for (size_t i = 0; i < nw; i++) free(ws[i]);
    free(ws);
    free(b.s);
    free(u.s);
  }
  printf("total %lu\n", total);
  return 0;
}
