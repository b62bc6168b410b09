/* Chained hash table with string keys: insert, update, delete, grow (rehash), iterate. */
#include <string.h>
#include "check.h"

typedef struct entry { char *key; long value; struct entry *next; } entry;
typedef struct table { entry **buckets; size_t nbuckets, count; } table;

static unsigned long hash(const char *s) {
  unsigned long h = 5381;
  while (*s) h = h * 33 + (unsigned char)*s++;
  return h;
}

static void grow(table *t) {
  size_t nb = t->nbuckets * 2;
  entry **b = calloc(nb, sizeof *b);
  for (size_t i = 0; i < t->nbuckets; i++)
    for (entry *e = t->buckets[i], *next; e; e = next) {
      next = e->next;
      size_t j = hash(e->key) % nb;
      e->next = b[j];
      b[j] = e;
    }
  free(t->buckets);
  t->buckets = b;
  t->nbuckets = nb;
}

static void put(table *t, const char *key, long value) {
  size_t i = hash(key) % t->nbuckets;
  for (entry *e = t->buckets[i]; e; e = e->next)
    if (strcmp(e->key, key) == 0) { e->value = value; return; }
  entry *e = malloc(sizeof *e);
  e->key = strdup(key);
  e->value = value;
  e->next = t->buckets[i];
  t->buckets[i] = e;
  if (++t->count > t->nbuckets * 2) grow(t);
}

static entry *get(table *t, const char *key) {
  for (entry *e = t->buckets[hash(key) % t->nbuckets]; e; e = e->next)
    if (!strcmp(e->key, key)) return e;
  return NULL;
}

static int del(table *t, const char *key) {
  for (entry **pp = &t->buckets[hash(key) % t->nbuckets]; *pp; pp = &(*pp)->next)
    if (!strcmp((*pp)->key, key)) {
      entry *e = *pp;
      *pp = e->next;
      free(e->key);
      free(e);
      t->count--;
      return 1;
    }
  return 0;
}

int main(void) {
  table t = {calloc(8, sizeof(entry *)), 8, 0};
  char key[32];
  for (int i = 0; i < 30000; i++) { sprintf(key, "key-%d", i); put(&t, key, i * 3L); }
  for (int i = 0; i < 30000; i += 5) { sprintf(key, "key-%d", i); put(&t, key, -i); }
  int deleted = 0;
  for (int i = 0; i < 30000; i += 3) { sprintf(key, "key-%d", i); deleted += del(&t, key); }
  CHECK(!del(&t, "key-0") && !del(&t, "absent"));
  long total = 0; size_t seen = 0, longest = 0;
  for (size_t i = 0; i < t.nbuckets; i++) {
    size_t chain = 0;
    for (entry *e = t.buckets[i]; e; e = e->next) { total += e->value; seen++; chain++; }
    if (chain > longest) longest = chain;
  }
  CHECK(seen == t.count);
  entry *e = get(&t, "key-10");
  CHECK(e && e->value == -10);
  CHECK(get(&t, "key-9") == NULL);
  printf("count=%zu deleted=%d buckets=%zu total=%ld key-10=%ld longest<=%d\n", t.count, deleted,
         t.nbuckets, total, e->value, longest <= 16);
  for (size_t i = 0; i < t.nbuckets; i++)
    for (entry *e2 = t.buckets[i], *next; e2; e2 = next) { next = e2->next; free(e2->key); free(e2); }
  free(t.buckets);
  return 0;
}
