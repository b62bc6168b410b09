/* Debug suite (run_debug.py): a singly linked list of heap nodes walked through handles.
 * The test stops in inspect(), called back from bsearch while touch() has lent bsearch a raw
 * pointer into the head node (so the head's handle sits in touch's pin frame), and checks
 * what gdb prints against the `truth:` line this program prints from the runtime's API. */
#include <alaska.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  long v;
  char name[16];
  struct node *next;
}; /* 32 bytes: size class 1 */

struct node *g_head;  /* the list: v = 1..NODES, name "node-<v>" */
struct node *g_freed; /* dangling: its node was freed */
char *g_label;        /* a 100-byte string (class 6, 112-byte blocks) */
char *g_big;          /* a large object (> 32 KiB) */
struct node *g_pinned; /* the third node, pinned forever */

#define NODES 5

static unsigned long bits(const void *p) { return (unsigned long)(uintptr_t)p; }

__attribute__((noinline)) void inspect(struct node *head, struct node *dead) {
  __asm__ volatile("" : : "r"(head), "r"(dead) : "memory");
}

/* bsearch (uncompiled libc) gets the raw address of p->name: touch keeps p in its pin frame
 * across the call, so the stop in inspect (called back from bsearch) sees p pinned. */
static int compare_names(const void *key, const void *elem) {
  inspect(g_head, g_freed);
  return memcmp(key, elem, 1);
}

__attribute__((noinline)) long touch(struct node *p) {
  const char key = 'n';
  return bsearch(&key, p->name, 1, 1, compare_names) != NULL;
}

int main(void) {
  struct node *head = NULL;
  for (long v = NODES; v >= 1; v--) {
    struct node *n = malloc(sizeof *n);
    n->v = v;
    snprintf(n->name, sizeof n->name, "node-%ld", v);
    n->next = head;
    head = n;
  }
  struct node *extra = malloc(sizeof *extra); /* freed last: g_freed dangles */
  extra->v = 99;
  g_head = head;
  g_pinned = head->next->next;
  alaska_pin_forever(g_pinned);
  g_label = malloc(100);
  strcpy(g_label, "a label of one hundred bytes");
  g_big = malloc(100000);
  memset(g_big, 'x', 100000);
  free(extra); /* after the last allocation, so that no new object reuses its id */
  g_freed = extra;

  long sum = 0;
  for (struct node *p = head; p; p = p->next) sum += p->v;
  printf("truth: head=%#lx head_raw=%#lx head_usable=%zu second=%#lx second_raw=%#lx "
         "dead=%#lx label=%#lx label_usable=%zu big=%#lx big_usable=%zu pinned=%#lx "
         "nodes=%d sum=%ld\n",
         bits(head), bits(alaska_translate(head)), alaska_usable_size(head), bits(head->next),
         bits(alaska_translate(head->next)), bits(g_freed), bits(g_label),
         alaska_usable_size(g_label), bits(g_big), alaska_usable_size(g_big), bits(g_pinned),
         NODES, sum);
  fflush(stdout);
  alaska_print_stats();
  long found = touch(head);
  printf("done: found=%ld\n", found);
  return found == 1 ? 0 : 1;
}
