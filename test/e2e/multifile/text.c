#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"

tokens tokenize(const char *text) {
  tokens t = {NULL, 0, 0, strdup(text)};
  for (const char *p = t.text; *p;) {
    while (*p && !isalpha((unsigned char)*p)) p++;
    const char *start = p;
    while (isalpha((unsigned char)*p)) p++;
    if (p == start) continue;
    if (t.len == t.cap) {
      t.cap = t.cap ? 2 * t.cap : 8;
      t.items = realloc(t.items, t.cap * sizeof *t.items);
    }
    t.items[t.len++] = (token){start, (size_t)(p - start)};
  }
  return t;
}

void tokens_free(tokens *t) {
  free(t->items);
  free(t->text);
  t->items = NULL;
  t->text = NULL;
}

char *join_upper(const tokens *t, size_t first, size_t n, char sep) {
  size_t total = 1;
  for (size_t i = first; i < first + n && i < t->len; i++) total += t->items[i].len + 1;
  char *out = malloc(total), *w = out;
  for (size_t i = first; i < first + n && i < t->len; i++) {
    for (size_t k = 0; k < t->items[i].len; k++) *w++ = (char)toupper((unsigned char)t->items[i].start[k]);
    *w++ = sep;
  }
  if (w > out) w--;
  *w = 0;
  return out;
}
