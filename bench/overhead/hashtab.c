/* bench/overhead/hashtab.c — chained hash table with malloc'd string keys: insert, lookup,
 * update, delete, resize. Arg: operations (default 5000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ent {
  struct ent *next;
  char *key;
  uint64_t hash;
  long val;
} ent;

typedef struct {
  ent **b;
  size_t nb, n;
} table;

static uint64_t hstr(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

static void grow(table *t) {
  size_t nb = t->nb * 2;
  ent **b = calloc(nb, sizeof(ent *));
  for (size_t i = 0; i < t->nb; i++)
    for (ent *e = t->b[i], *nx; e; e = nx) {
      nx = e->next;
      e->next = b[e->hash & (nb - 1)];
      b[e->hash & (nb - 1)] = e;
    }
  free(t->b);
  t->b = b;
  t->nb = nb;
}

static ent *find(table *t, const char *k, uint64_t h) {
  for (ent *e = t->b[h & (t->nb - 1)]; e; e = e->next)
    if (e->hash == h && strcmp(e->key, k) == 0) return e;
  return NULL;
}

static void put(table *t, const char *k, long v) {
  uint64_t h = hstr(k);
  ent *e = find(t, k, h);
  if (e) { e->val += v; return; }
  if (t->n >= t->nb) grow(t);
  e = malloc(sizeof *e);
  size_t len = strlen(k);
  e->key = malloc(len + 1);
  memcpy(e->key, k, len + 1);
  e->hash = h;
  e->val = v;
  e->next = t->b[h & (t->nb - 1)];
  t->b[h & (t->nb - 1)] = e;
  t->n++;
}

static int del(table *t, const char *k) {
  uint64_t h = hstr(k);
  for (ent **pp = &t->b[h & (t->nb - 1)]; *pp; pp = &(*pp)->next) {
    ent *e = *pp;
    if (e->hash == h && strcmp(e->key, k) == 0) {
      *pp = e->next;
      free(e->key);
      free(e);
      t->n--;
      return 1;
    }
  }
  return 0;
}

static void mkkey(char *buf, uint64_t x) {
  static const char dig[] = "abcdefghijklmnopqrstuvwxyz012345";
  int i = 0;
  buf[i++] = 'k';
  do { buf[i++] = dig[x & 31]; x >>= 5; } while (x);
  buf[i] = 0;
}

int main(int argc, char **argv) {
  long ops = argc > 1 ? atol(argv[1]) : 5000000;
  table t = {calloc(16, sizeof(ent *)), 16, 0};
  uint64_t rng = 0x2545F4914F6CDD1DULL, sum = 0;
  long hits = 0, dels = 0;
  char key[32];
  for (long i = 0; i < ops; i++) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    uint64_t k = rng % 400000;
    mkkey(key, k);
    switch (rng >> 61) {
    case 0: case 1: case 2:
      put(&t, key, (long)(k & 1023));
      break;
    case 3:
      dels += del(&t, key);
      break;
    default: {
      ent *e = find(&t, key, hstr(key));
      if (e) { hits++; sum += (uint64_t)e->val + e->key[1]; }
    }
    }
  }
  size_t n = t.n;
  for (size_t i = 0; i < t.nb; i++)
    for (ent *e = t.b[i], *nx; e; e = nx) {
      nx = e->next;
      sum += (uint64_t)e->val;
      free(e->key);
      free(e);
    }
  free(t.b);
  printf("entries %zu hits %ld dels %ld sum %llu\n", n, hits, dels, (unsigned long long)sum);
  return 0;
}
