/* bench/overhead/list.c — doubly linked lists: build in shuffled allocation order, traverse,
 * splice, delete every k-th node, merge-sort by key. Arg: nodes (default 300000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
  struct node *next, *prev;
  uint64_t key;
  uint64_t payload[2];
} node;

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static node *merge(node *a, node *b) {
  node head, *t = &head;
  while (a && b) {
    if (a->key <= b->key) {
      t->next = a;
      a = a->next;
    } else {
      t->next = b;
      b = b->next;
    }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static node *msort(node *h) {
  if (!h || !h->next) return h;
  node *slow = h, *fast = h->next;
  while (fast && fast->next) {
    slow = slow->next;
    fast = fast->next->next;
  }
  node *b = slow->next;
  slow->next = NULL;
  return merge(msort(h), msort(b));
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 300000;
  /* allocate nodes, then link them in a random order so traversal jumps around the heap */
  node **pool = malloc(sizeof(node *) * (size_t)n);
  for (long i = 0; i < n; i++) {
    pool[i] = malloc(sizeof(node));
    pool[i]->key = rnd() % 1000003;
    pool[i]->payload[0] = (uint64_t)i;
    pool[i]->payload[1] = (uint64_t)i * 7;
  }
  for (long i = n - 1; i > 0; i--) {
    long j = (long)(rnd() % (uint64_t)(i + 1));
    node *t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  node *head = NULL, *tail = NULL;
  for (long i = 0; i < n; i++) {
    node *x = pool[i];
    x->next = NULL;
    x->prev = tail;
    if (tail) tail->next = x; else head = x;
    tail = x;
  }
  free(pool);
  uint64_t sum = 0;
  for (int pass = 0; pass < 10; pass++) {
    for (node *x = head; x; x = x->next) {
      x->payload[0] += x->key ^ (uint64_t)pass;
      sum += x->payload[0];
    }
    for (node *x = tail; x; x = x->prev) sum ^= x->payload[1] + x->key;
  }
  /* delete every 3rd node, insert a new one after every 5th */
  long k = 0;
  for (node *x = head; x;) {
    node *nx = x->next;
    if (k % 3 == 0) {
      if (x->prev) x->prev->next = x->next; else head = x->next;
      if (x->next) x->next->prev = x->prev; else tail = x->prev;
      free(x);
    } else if (k % 5 == 0) {
      node *y = malloc(sizeof(node));
      y->key = rnd() % 1000003;
      y->payload[0] = y->payload[1] = (uint64_t)k;
      y->prev = x;
      y->next = x->next;
      if (x->next) x->next->prev = y; else tail = y;
      x->next = y;
    }
    k++;
    x = nx;
  }
  for (int r = 0; r < 3; r++) {
    head = msort(head);
    uint64_t prevk = 0;
    long cnt = 0;
    for (node *x = head; x; x = x->next) {
      if (x->key < prevk) { puts("not sorted"); return 1; }
      prevk = x->key;
      sum += x->key * (uint64_t)(cnt++);
      x->key = (x->key * 2654435761u + (uint64_t)r) % 1000003;
    }
  }
  long cnt = 0;
  for (node *x = head; x;) {
    node *nx = x->next;
    free(x);
    x = nx;
    cnt++;
  }
  printf("nodes %ld sum %llu\n", cnt, (unsigned long long)sum);
  return 0;
}
