#include <stdlib.h>
#include <string.h>
#include "store.h"

store *global_store;

static unsigned long hash(const char *w, size_t len) {
  unsigned long h = 14695981039346656037UL;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)w[i]) * 1099511628211UL;
  return h;
}

store *store_new(size_t nbuckets) {
  store *s = malloc(sizeof *s);
  s->buckets = calloc(nbuckets, sizeof *s->buckets);
  s->nbuckets = nbuckets;
  s->size = 0;
  return s;
}

record *store_bump(store *s, const char *word, size_t len) {
  record **slot = &s->buckets[hash(word, len) % s->nbuckets];
  for (record *r = *slot; r; r = r->next)
    if (strlen(r->word) == len && memcmp(r->word, word, len) == 0) { r->count++; return r; }
  record *r = malloc(sizeof *r);
  r->word = strndup(word, len);
  r->count = 1;
  r->next = *slot;
  *slot = r;
  s->size++;
  return r;
}

int store_remove(store *s, const char *word) {
  for (record **pp = &s->buckets[hash(word, strlen(word)) % s->nbuckets]; *pp; pp = &(*pp)->next)
    if (strcmp((*pp)->word, word) == 0) {
      record *r = *pp;
      *pp = r->next;
      free(r->word);
      free(r);
      s->size--;
      return 1;
    }
  return 0;
}

int store_visit(const store *s, record_visitor visit, void *ctx) {
  int n = 0;
  for (size_t i = 0; i < s->nbuckets; i++)
    for (record *r = s->buckets[i]; r; r = r->next) n += visit(r, ctx);
  return n;
}

static int by_count_then_word(const void *a, const void *b) {
  const record *x = *(record *const *)a, *y = *(record *const *)b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->word, y->word);
}

record **store_sorted(const store *s) {
  record **all = malloc((s->size + 1) * sizeof *all);
  size_t n = 0;
  for (size_t i = 0; i < s->nbuckets; i++)
    for (record *r = s->buckets[i]; r; r = r->next) all[n++] = r;
  qsort(all, n, sizeof *all, by_count_then_word);
  all[n] = NULL;
  return all;
}

void store_free(store *s) {
  for (size_t i = 0; i < s->nbuckets; i++)
    for (record *r = s->buckets[i], *next; r; r = next) { next = r->next; free(r->word); free(r); }
  free(s->buckets);
  free(s);
}
