/* Singly and doubly linked lists: build, reverse, merge sort, delete by value, splice. */
#include <stdint.h>
#include "check.h"

typedef struct node { long value; struct node *next; } node;
typedef struct dnode { int key; struct dnode *prev, *next; char tag[12]; } dnode;

static node *push(node *head, long v) {
  node *n = malloc(sizeof *n);
  CHECK(n != NULL);
  n->value = v;
  n->next = head;
  return n;
}

static node *reverse(node *h) {
  node *prev = NULL;
  while (h) { node *next = h->next; h->next = prev; prev = h; h = next; }
  return prev;
}

static node *merge(node *a, node *b) {
  node dummy = {0, NULL}, *tail = &dummy; /* stack node linked to heap nodes */
  while (a && b) {
    if (a->value <= b->value) { tail->next = a; a = a->next; }
    else { tail->next = b; b = b->next; }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return dummy.next;
}

static node *msort(node *h) {
  if (!h || !h->next) return h;
  node *slow = h, *fast = h->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  node *second = slow->next;
  slow->next = NULL;
  return merge(msort(h), msort(second));
}

static node *delete_all(node *h, long v, int *removed) {
  node **pp = &h; /* pointer to a heap field, then to the stack variable */
  while (*pp) {
    if ((*pp)->value == v) { node *dead = *pp; *pp = dead->next; free(dead); (*removed)++; }
    else pp = &(*pp)->next;
  }
  return h;
}

int main(void) {
  node *h = NULL;
  uint32_t seed = 12345;
  for (int i = 0; i < 5000; i++) {
    seed = seed * 1103515245u + 12345u;
    h = push(h, (seed >> 8) % 1000);
  }
  h = reverse(h);
  long sum = 0; int n = 0;
  for (node *p = h; p; p = p->next) { sum += p->value; n++; }
  printf("singly: n=%d sum=%ld first=%ld\n", n, sum, h->value);
  h = msort(h);
  for (node *p = h; p && p->next; p = p->next) CHECK(p->value <= p->next->value);
  int removed = 0;
  for (long v = 0; v < 1000; v += 7) h = delete_all(h, v, &removed);
  long sum2 = 0; n = 0;
  for (node *p = h; p; p = p->next) { sum2 += p->value; n++; CHECK(p->value % 7 != 0); }
  printf("sorted+deleted: n=%d removed=%d sum=%ld min=%ld\n", n, removed, sum2, h->value);
  while (h) { node *next = h->next; free(h); h = next; }

  /* circular doubly linked list with a heap sentinel */
  dnode *sent = calloc(1, sizeof *sent);
  sent->prev = sent->next = sent;
  for (int i = 0; i < 100; i++) {
    dnode *d = malloc(sizeof *d);
    d->key = i;
    snprintf(d->tag, sizeof d->tag, "k%03d", i);
    d->prev = sent->prev; d->next = sent; sent->prev->next = d; sent->prev = d;
  }
  for (dnode *d = sent->next; d != sent;) { /* unlink odd keys */
    dnode *next = d->next;
    if (d->key & 1) { d->prev->next = d->next; d->next->prev = d->prev; free(d); }
    d = next;
  }
  int count = 0, ksum = 0;
  for (dnode *d = sent->prev; d != sent; d = d->prev) { count++; ksum += d->key; }
  printf("doubly: count=%d keysum=%d first=%s last=%s\n", count, ksum, sent->next->tag,
         sent->prev->tag);
  CHECK(count == 50 && ksum == 2450);
  while (sent->next != sent) { dnode *d = sent->next; sent->next = d->next; free(d); }
  free(sent);
  return 0;
}
