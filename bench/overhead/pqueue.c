/* bench/overhead/pqueue.c — discrete-event simulation: a binary heap of pointers to malloc'd
 * events (each with a malloc'd payload); every popped event schedules 0-2 new ones.
 * Arg: events to process (default 3000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct event {
  double time;
  int kind;
  uint32_t *payload;
  int plen;
} event;

typedef struct {
  event **h;
  size_t n, cap;
} heap;

static void push(heap *q, event *e) {
  if (q->n == q->cap) {
    q->cap = q->cap ? q->cap * 2 : 64;
    q->h = realloc(q->h, sizeof(event *) * q->cap);
  }
  size_t i = q->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (q->h[p]->time <= e->time) break;
    q->h[i] = q->h[p];
    i = p;
  }
  q->h[i] = e;
}

static event *pop(heap *q) {
  event *top = q->h[0], *last = q->h[--q->n];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    double mt = last->time;
    if (l < q->n && q->h[l]->time < mt) { m = l; mt = q->h[l]->time; }
    if (r < q->n && q->h[r]->time < mt) m = r;
    if (m == i) break;
    q->h[i] = q->h[m];
    i = m;
  }
  if (q->n) q->h[i] = last;
  return top;
}

static uint64_t rng = 0xda3e39cb94b95bdbULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static event *mkevent(double t, int kind) {
  event *e = malloc(sizeof *e);
  e->time = t;
  e->kind = kind;
  e->plen = 1 + (int)(rnd() % 12);
  e->payload = malloc(sizeof(uint32_t) * (size_t)e->plen);
  for (int i = 0; i < e->plen; i++) e->payload[i] = (uint32_t)rnd();
  return e;
}

int main(int argc, char **argv) {
  long todo = argc > 1 ? atol(argv[1]) : 3000000;
  heap q = {0};
  for (int i = 0; i < 50000; i++) push(&q, mkevent((double)(rnd() % 1000000) / 1000.0, i % 3));
  uint64_t sum = 0;
  long done = 0;
  double now = 0;
  while (q.n && done < todo) {
    event *e = pop(&q);
    if (e->time < now) { puts("heap order violated"); return 1; }
    now = e->time;
    for (int i = 0; i < e->plen; i++) sum += e->payload[i] ^ (uint32_t)e->kind;
    int spawn = (int)(rnd() % 5); /* 0..4 -> 0,1,1,2,2 children: slowly growing queue */
    int children = spawn == 0 ? 0 : spawn < 3 ? 1 : 2;
    if (q.n > 200000) children = children ? children - 1 : 0;
    for (int c = 0; c < children; c++)
      push(&q, mkevent(now + 0.001 + (double)(rnd() % 100000) / 1000.0, (e->kind + c) % 3));
    free(e->payload);
    free(e);
    done++;
  }
  printf("processed %ld left %zu now %.3f sum %llu\n", done, q.n, now, (unsigned long long)sum);
  while (q.n) {
    event *e = pop(&q);
    free(e->payload);
    free(e);
  }
  free(q.h);
  return 0;
}
