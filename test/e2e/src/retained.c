/* libc functions that hold on to our pointers or hand them back later: tsearch/tfind/
 * tdelete/twalk with heap keys and our comparator, lsearch/lfind, qsort_r with a heap
 * context, pthread_setspecific/getspecific with heap values, on_exit-style callbacks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <search.h>
#include <string.h>
#include "check.h"

typedef struct item { int key; char name[12]; } item;
static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static int cmp_item(const void *a, const void *b) { return ((const item *)a)->key - ((const item *)b)->key; }
static long walk_sum;
static int walk_nodes;
static void walker(const void *node, VISIT which, int depth) {
  (void)depth;
  if (which == postorder || which == leaf) { walk_sum += (*(item *const *)node)->key; walk_nodes++; }
}
typedef struct ctx { int calls; int descending; } ctx;
static int cmp_r(const void *a, const void *b, void *arg) {
  ctx *c = arg;
  c->calls++;
  int d = *(const int *)a - *(const int *)b;
  return c->descending ? -d : d;
}
static pthread_key_t key;
static void destroy_value(void *v) { free(v); }
static void *tls_worker(void *arg) {
  int *mine = malloc(sizeof *mine);
  *mine = (int)(long)arg * 11;
  pthread_setspecific(key, mine);
  for (int i = 0; i < 1000; i++) free(malloc(32)); /* heap activity while libc holds `mine` */
  int *back = pthread_getspecific(key);
  CHECK(back == mine);
  return (void *)(long)*back;
}

int main(void) {
  void *root = NULL;
  item **items = malloc(200 * sizeof *items);
  for (int i = 0; i < 200; i++) {
    items[i] = malloc(sizeof(item));
    items[i]->key = (i * 37) % 200;
    snprintf(items[i]->name, sizeof items[i]->name, "item%d", items[i]->key);
    item **slot = tsearch(items[i], &root, cmp_item);
    CHECK(slot && *slot == items[i]); /* libc hands back exactly our pointer */
  }
  item probe = {42, ""};
  item **found = tfind(&probe, &root, cmp_item);
  CHECK(found && strcmp((*found)->name, "item42") == 0);
  printf("tfind: %s\n", (*found)->name); /* before tdelete may reuse the node */
  for (int i = 0; i < 200; i += 2) CHECK(tdelete(items[i], &root, cmp_item) != NULL);
  twalk(root, walker);
  printf("tsearch: nodes=%d sum=%ld\n", walk_nodes, walk_sum);
  for (int i = 1; i < 200; i += 2) tdelete(items[i], &root, cmp_item);
  CHECK(root == NULL);

  int *table = malloc(64 * sizeof *table);
  size_t n = 0;
  for (int i = 0; i < 100; i++) { int v = (i * 13) % 40; lsearch(&v, table, &n, sizeof *table, cmp_int); }
  int want = 26;
  int *hit = lfind(&want, table, &n, sizeof *table, cmp_int);
  printf("lsearch: n=%zu hit at %td\n", n, hit ? hit - table : -1);

  ctx *c = calloc(1, sizeof *c);
  c->descending = 1;
  int *vals = malloc(500 * sizeof *vals);
  for (int i = 0; i < 500; i++) vals[i] = (i * 7919) % 1000;
  qsort_r(vals, 500, sizeof *vals, cmp_r, c);
  for (int i = 1; i < 500; i++) CHECK(vals[i - 1] >= vals[i]);
  printf("qsort_r: first=%d last=%d calls>0=%d\n", vals[0], vals[499], c->calls > 0);

  pthread_key_create(&key, destroy_value);
  pthread_t t[4];
  long total = 0;
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, tls_worker, (void *)(i + 1));
  for (int i = 0; i < 4; i++) { void *r; pthread_join(t[i], &r); total += (long)r; }
  printf("pthread_setspecific: total=%ld\n", total);
  for (int i = 0; i < 200; i++) free(items[i]);
  free(items); free(table); free(c); free(vals);
  return 0;
}
