/* Linux-style intrusive lists: a list_head embedded in heap structs, a global (non-heap)
 * sentinel, container_of arithmetic back from the member to the enclosing heap object, and
 * nodes moved between lists. Links mix the global sentinel's address and heap addresses. */
#include <stddef.h>
#include <string.h>
#include "check.h"

struct list_head { struct list_head *next, *prev; };
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define LIST_INIT(name) { &(name), &(name) }

struct task { int id; char name[20]; struct list_head run; double weight; struct list_head all; };

static struct list_head runqueue = LIST_INIT(runqueue); /* global sentinels */
static struct list_head everything = LIST_INIT(everything);

static void list_add_tail(struct list_head *n, struct list_head *head) {
  n->prev = head->prev; n->next = head; head->prev->next = n; head->prev = n;
}
static void list_del(struct list_head *n) { n->prev->next = n->next; n->next->prev = n->prev; n->next = n->prev = NULL; }
static int list_empty(const struct list_head *h) { return h->next == h; }

int main(void) {
  struct list_head *local_done = malloc(sizeof *local_done); /* a heap sentinel too */
  local_done->next = local_done->prev = local_done;
  for (int i = 0; i < 300; i++) {
    struct task *t = calloc(1, sizeof *t);
    t->id = i;
    t->weight = i * 0.5;
    snprintf(t->name, sizeof t->name, "task-%d", i);
    list_add_tail(&t->all, &everything);
    list_add_tail(&t->run, &runqueue);
  }
  int moved = 0;
  for (struct list_head *p = runqueue.next, *n = p->next; p != &runqueue; p = n, n = p->next) {
    struct task *t = container_of(p, struct task, run);
    CHECK(&t->run == p && t->id >= 0 && t->id < 300);
    if (t->id % 3 == 0) { list_del(p); list_add_tail(p, local_done); moved++; }
  }
  long runsum = 0, donesum = 0; double w = 0;
  for (struct list_head *p = runqueue.next; p != &runqueue; p = p->next) runsum += container_of(p, struct task, run)->id;
  for (struct list_head *p = local_done->prev; p != local_done; p = p->prev) {
    struct task *t = container_of(p, struct task, run);
    donesum += t->id; w += t->weight;
  }
  struct task *last = container_of(everything.prev, struct task, all);
  printf("moved=%d runsum=%ld donesum=%ld weight=%.1f last=%s\n", moved, runsum, donesum, w, last->name);
  while (!list_empty(&everything)) {
    struct task *t = container_of(everything.next, struct task, all);
    list_del(&t->all);
    free(t);
  }
  free(local_done);
  return 0;
}
