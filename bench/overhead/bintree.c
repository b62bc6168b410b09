/* bench/overhead/bintree.c — binary trees (allocation-heavy, short-lived + one long-lived
 * tree), in the style of the benchmarks-game program. Arg: max depth (default 17). */
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
  struct node *l, *r;
  long v;
} node;

static node *make(int d, long v) {
  node *n = malloc(sizeof *n);
  if (!n) abort();
  n->v = v;
  if (d > 0) {
    n->l = make(d - 1, 2 * v - 1);
    n->r = make(d - 1, 2 * v);
  } else {
    n->l = n->r = NULL;
  }
  return n;
}

static long check(const node *n) {
  if (!n->l) return n->v;
  return n->v + check(n->l) - check(n->r);
}

static void drop(node *n) {
  if (n->l) {
    drop(n->l);
    drop(n->r);
  }
  free(n);
}

int main(int argc, char **argv) {
  int maxd = argc > 1 ? atoi(argv[1]) : 17;
  if (maxd < 6) maxd = 6;
  node *stretch = make(maxd + 1, 0);
  printf("stretch depth %d check %ld\n", maxd + 1, check(stretch));
  drop(stretch);
  node *longlived = make(maxd, 0);
  long total = 0;
  for (int d = 4; d <= maxd; d += 2) {
    long iters = 1L << (maxd - d + 4), c = 0;
    for (long i = 1; i <= iters; i++) {
      node *a = make(d, i), *b = make(d, -i);
      c += check(a) + check(b);
      drop(a);
      drop(b);
    }
    printf("%ld trees of depth %d check %ld\n", 2 * iters, d, c);
    total += c;
  }
  printf("long lived depth %d check %ld total %ld\n", maxd, check(longlived), total);
  drop(longlived);
  return 0;
}
