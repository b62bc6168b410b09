/* Graph algorithms on heap adjacency lists: BFS, iterative DFS with a heap stack, and
 * Dijkstra with a heap-allocated binary heap that grows by realloc. */
#include <limits.h>
#include "check.h"

typedef struct edge { int to, w; struct edge *next; } edge;
typedef struct graph { int n; edge **adj; } graph;
typedef struct hitem { long dist; int v; } hitem;
typedef struct pq { hitem *a; int len, cap; } pq;

static void add_edge(graph *g, int u, int v, int w) {
  edge *e = malloc(sizeof *e);
  e->to = v; e->w = w; e->next = g->adj[u]; g->adj[u] = e;
}
static void pq_push(pq *q, long d, int v) {
  if (q->len == q->cap) { q->cap = q->cap ? 2 * q->cap : 4; q->a = realloc(q->a, (size_t)q->cap * sizeof *q->a); }
  int i = q->len++;
  while (i > 0 && q->a[(i - 1) / 2].dist > d) { q->a[i] = q->a[(i - 1) / 2]; i = (i - 1) / 2; }
  q->a[i] = (hitem){d, v};
}
static hitem pq_pop(pq *q) {
  hitem top = q->a[0], last = q->a[--q->len];
  int i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= q->len) break;
    if (c + 1 < q->len && q->a[c + 1].dist < q->a[c].dist) c++;
    if (q->a[c].dist >= last.dist) break;
    q->a[i] = q->a[c]; i = c;
  }
  if (q->len) q->a[i] = last;
  return top;
}

int main(void) {
  graph g = {5000, NULL};
  g.adj = calloc((size_t)g.n, sizeof *g.adj);
  unsigned s = 3;
  for (int u = 0; u < g.n; u++)
    for (int k = 0; k < 4; k++) {
      s = s * 1103515245u + 12345u;
      int v = (int)((s >> 8) % (unsigned)g.n);
      add_edge(&g, u, v, 1 + (int)((s >> 3) % 100));
      add_edge(&g, v, u, 1 + (int)((s >> 5) % 100));
    }
  int *dist = malloc((size_t)g.n * sizeof *dist), *queue = malloc((size_t)g.n * sizeof *queue);
  for (int i = 0; i < g.n; i++) dist[i] = -1;
  int head = 0, tail = 0, maxd = 0;
  dist[0] = 0; queue[tail++] = 0;
  while (head < tail) {
    int u = queue[head++];
    for (edge *e = g.adj[u]; e; e = e->next)
      if (dist[e->to] < 0) { dist[e->to] = dist[u] + 1; if (dist[e->to] > maxd) maxd = dist[e->to]; queue[tail++] = e->to; }
  }
  printf("bfs reached=%d maxdepth=%d\n", tail, maxd);

  char *seen = calloc((size_t)g.n, 1);
  int *stack = malloc(sizeof *stack), sp = 0, scap = 1, order = 0;
  long osum = 0;
  stack[sp++] = 0;
  while (sp) {
    int u = stack[--sp];
    if (seen[u]) continue;
    seen[u] = 1; osum += (long)u * (order++ % 7);
    for (edge *e = g.adj[u]; e; e = e->next)
      if (!seen[e->to]) { if (sp == scap) { scap *= 2; stack = realloc(stack, (size_t)scap * sizeof *stack); } stack[sp++] = e->to; }
  }
  printf("dfs visited=%d osum=%ld\n", order, osum);

  long *best = malloc((size_t)g.n * sizeof *best);
  for (int i = 0; i < g.n; i++) best[i] = LONG_MAX;
  pq q = {0};
  best[0] = 0; pq_push(&q, 0, 0);
  while (q.len) {
    hitem it = pq_pop(&q);
    if (it.dist > best[it.v]) continue;
    for (edge *e = g.adj[it.v]; e; e = e->next)
      if (it.dist + e->w < best[e->to]) { best[e->to] = it.dist + e->w; pq_push(&q, best[e->to], e->to); }
  }
  long far = 0, total = 0;
  for (int i = 0; i < g.n; i++) if (best[i] != LONG_MAX) { total += best[i]; if (best[i] > far) far = best[i]; }
  printf("dijkstra total=%ld farthest=%ld pqcap=%d\n", total, far, q.cap);
  for (int u = 0; u < g.n; u++) for (edge *e = g.adj[u], *n; e; e = n) { n = e->next; free(e); }
  free(g.adj); free(dist); free(queue); free(seen); free(stack); free(best); free(q.a);
  return 0;
}
