/* C11 atomics on heap objects shared by 4 threads: fetch_add counters, a CAS-based
 * lock-free (Treiber) stack of heap nodes, atomic exchange flags, a spin lock. */
#include <pthread.h>
#include <stdatomic.h>
#include "check.h"

typedef struct node { long value; struct node *next; } node;
typedef struct state {
  atomic_long counter;
  _Atomic(node *) top;
  atomic_int spin;
  long guarded;
  atomic_uint flags[4];
} state;

enum { THREADS = 4, PER = 20000 };
static state *st;

static void *pusher(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < PER; i++) {
    atomic_fetch_add_explicit(&st->counter, 1, memory_order_relaxed);
    if (i % 4 == 0) {
      node *n = malloc(sizeof *n);
      n->value = id * PER + i;
      node *old = atomic_load(&st->top);
      do n->next = old; while (!atomic_compare_exchange_weak(&st->top, &old, n));
    }
    while (atomic_exchange_explicit(&st->spin, 1, memory_order_acquire)) {}
    st->guarded += i;
    atomic_store_explicit(&st->spin, 0, memory_order_release);
  }
  atomic_fetch_or(&st->flags[id], 1u << id);
  return NULL;
}

int main(void) {
  st = calloc(1, sizeof *st);
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, pusher, (void *)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  long n = 0, sum = 0;
  for (node *p = atomic_load(&st->top); p;) { node *next = p->next; n++; sum += p->value; free(p); p = next; }
  unsigned f = 0;
  for (int i = 0; i < THREADS; i++) f |= atomic_load(&st->flags[i]);
  printf("counter=%ld nodes=%ld sum=%ld guarded=%ld flags=%x\n", atomic_load(&st->counter), n, sum,
         st->guarded, f);
  CHECK(atomic_load(&st->counter) == THREADS * PER && n == THREADS * PER / 4);
  long expect = (long)THREADS * PER * (PER - 1) / 2;
  CHECK(st->guarded == expect);
  free(st);
  return 0;
}
