/* bench/overhead/bfs.c — graph BFS on adjacency lists: every vertex is a malloc'd struct with
 * a realloc-grown neighbour array of vertex pointers. Args: vertices (default 300000),
 * average degree (default 8), BFS sources (default 12). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct vertex {
  struct vertex **adj;
  int deg, cap;
  int dist;
  long id;
} vertex;

static uint64_t rng = 0x853c49e6748fea9bULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void add_edge(vertex *a, vertex *b) {
  if (a->deg == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 2;
    a->adj = realloc(a->adj, sizeof(vertex *) * (size_t)a->cap);
    if (!a->adj) abort();
  }
  a->adj[a->deg++] = b;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 300000;
  int degree = argc > 2 ? atoi(argv[2]) : 8;
  int sources = argc > 3 ? atoi(argv[3]) : 12;
  vertex **v = malloc(sizeof(vertex *) * (size_t)n);
  for (long i = 0; i < n; i++) {
    v[i] = calloc(1, sizeof(vertex));
    v[i]->id = i;
  }
  long m = n * degree / 2;
  for (long e = 0; e < m; e++) {
    /* mostly local edges plus some long-range ones: a small-world-ish graph */
    long a = (long)(rnd() % (uint64_t)n);
    long b = (rnd() & 3) ? (a + 1 + (long)(rnd() % 64)) % n : (long)(rnd() % (uint64_t)n);
    add_edge(v[a], v[b]);
    add_edge(v[b], v[a]);
  }
  vertex **queue = malloc(sizeof(vertex *) * (size_t)n);
  uint64_t total = 0;
  for (int s = 0; s < sources; s++) {
    for (long i = 0; i < n; i++) v[i]->dist = -1;
    vertex *src = v[rnd() % (uint64_t)n];
    long qh = 0, qt = 0;
    src->dist = 0;
    queue[qt++] = src;
    int maxd = 0;
    while (qh < qt) {
      vertex *x = queue[qh++];
      for (int k = 0; k < x->deg; k++) {
        vertex *y = x->adj[k];
        if (y->dist < 0) {
          y->dist = x->dist + 1;
          if (y->dist > maxd) maxd = y->dist;
          queue[qt++] = y;
        }
      }
    }
    uint64_t sum = 0;
    for (long i = 0; i < n; i++) sum += (uint64_t)(v[i]->dist + 1) * (uint64_t)(i & 255);
    total += sum;
    printf("source %ld reached %ld maxdist %d sum %llu\n", src->id, qt, maxd,
           (unsigned long long)sum);
  }
  for (long i = 0; i < n; i++) {
    free(v[i]->adj);
    free(v[i]);
  }
  free(v);
  free(queue);
  printf("total %llu\n", (unsigned long long)total);
  return 0;
}
