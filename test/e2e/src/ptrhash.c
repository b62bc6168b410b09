/* Open-addressing hash set keyed by object *pointers* (hashing pointer values), tombstone
 * deletes, pointer<->integer round trips, low-bit pointer tagging and an XOR linked list. */
#include <stddef.h>
#include <stdint.h>
#include "check.h"

typedef struct obj { int id; int payload[3]; } obj;
#define TOMB ((obj *)(uintptr_t)1)

typedef struct set { obj **slots; size_t cap, used; } set;

static size_t hptr(const void *p) {
  uintptr_t x = (uintptr_t)p;
  x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
  return (size_t)x;
}

static void set_add(set *s, obj *o) {
  size_t i = hptr(o) & (s->cap - 1);
  while (s->slots[i] && s->slots[i] != TOMB) { CHECK(s->slots[i] != o); i = (i + 1) & (s->cap - 1); }
  s->slots[i] = o;
  s->used++;
}

static int set_has(set *s, obj *o) {
  for (size_t i = hptr(o) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
    if (s->slots[i] == o) return 1;
  return 0;
}

static int set_del(set *s, obj *o) {
  for (size_t i = hptr(o) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
    if (s->slots[i] == o) { s->slots[i] = TOMB; s->used--; return 1; }
  return 0;
}

typedef struct xnode { int v; uintptr_t link; } xnode; /* link = prev ^ next */

int main(void) {
  enum { N = 4096 };
  obj **objs = malloc(N * sizeof *objs);
  set s = {calloc(2 * N, sizeof(obj *)), 2 * N, 0};
  for (int i = 0; i < N; i++) { objs[i] = malloc(sizeof(obj)); objs[i]->id = i; set_add(&s, objs[i]); }
  int dels = 0;
  for (int i = 0; i < N; i += 2) dels += set_del(&s, objs[i]);
  int present = 0;
  for (int i = 0; i < N; i++) present += set_has(&s, objs[i]);
  CHECK(present == N / 2 && s.used == (size_t)N / 2);
  printf("ptrset: dels=%d present=%d\n", dels, present);

  /* round trip through integers, including arithmetic on the integer */
  long idsum = 0;
  for (int i = 0; i < N; i++) {
    uintptr_t bits = (uintptr_t)objs[i];
    uintptr_t field = bits + offsetof(obj, payload) + sizeof(int);
    *(int *)field = i * 2;
    obj *back = (obj *)bits;
    idsum += back->id + back->payload[1];
  }
  printf("roundtrip: idsum=%ld\n", idsum);

  /* tag the low bit of an aligned heap pointer, strip before use */
  uintptr_t tagged = (uintptr_t)objs[5] | 1;
  CHECK(tagged & 1);
  obj *untagged = (obj *)(tagged & ~(uintptr_t)1);
  printf("tagged: id=%d\n", untagged->id);

  /* XOR linked list: only the XOR of neighbours is stored */
  xnode *xs[64];
  for (int i = 0; i < 64; i++) { xs[i] = malloc(sizeof(xnode)); xs[i]->v = i * i; }
  for (int i = 0; i < 64; i++)
    xs[i]->link = (i ? (uintptr_t)xs[i - 1] : 0) ^ (i < 63 ? (uintptr_t)xs[i + 1] : 0);
  long fwd = 0, bwd = 0;
  for (xnode *prev = NULL, *cur = xs[0]; cur;) {
    fwd += cur->v;
    xnode *next = (xnode *)(cur->link ^ (uintptr_t)prev);
    prev = cur; cur = next;
  }
  for (xnode *prev = NULL, *cur = xs[63]; cur;) {
    bwd = bwd * 3 % 1000003 + cur->v;
    xnode *next = (xnode *)(cur->link ^ (uintptr_t)prev);
    prev = cur; cur = next;
  }
  printf("xorlist: fwd=%ld bwd=%ld\n", fwd, bwd);
  for (int i = 0; i < 64; i++) free(xs[i]);
  for (int i = 0; i < N; i++) free(objs[i]);
  free(objs);
  free(s.slots);
  return 0;
}
