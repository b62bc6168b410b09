/* Structs by value: large structs containing heap pointers passed byval and returned
 * (sret), assignment between heap objects, memcpy of struct arrays, nested aggregates. */
#include <string.h>
#include "check.h"

typedef struct big { long id; char label[40]; double w[6]; int *data; size_t n; } big;
typedef struct small { int a; short b; char c; } small;
typedef struct pair { big first; small second; } pair;

static long digest(big b) { /* byval: a copy; modifying it does not affect the caller */
  long s = b.id;
  for (size_t i = 0; i < b.n; i++) s = s * 31 + b.data[i];
  for (int i = 0; i < 6; i++) s += (long)(b.w[i] * 10);
  b.id = -1;
  b.label[0] = '#';
  return s + (long)strlen(b.label);
}

static big make_big(long id, size_t n) { /* returned through sret */
  big b;
  memset(&b, 0, sizeof b);
  b.id = id;
  snprintf(b.label, sizeof b.label, "big-%ld", id);
  for (int i = 0; i < 6; i++) b.w[i] = id * 0.25 + i;
  b.data = malloc(n * sizeof *b.data);
  for (size_t i = 0; i < n; i++) b.data[i] = (int)(id * 100 + i);
  b.n = n;
  return b;
}

static small bump(small s) { s.a++; s.b--; s.c ^= 1; return s; }
static pair swap_in(pair p, small s) { p.second = s; p.first.id += 1000; return p; }

int main(void) {
  big *heap = malloc(8 * sizeof *heap);
  for (int i = 0; i < 8; i++) heap[i] = make_big(i + 1, (size_t)(i + 3));
  long total = 0;
  for (int i = 0; i < 8; i++) total += digest(heap[i]);
  CHECK(heap[3].id == 4 && heap[3].label[0] == 'b');
  printf("digest total=%ld\n", total);

  big *copy = malloc(sizeof *copy);
  *copy = heap[5]; /* heap-to-heap struct assignment */
  copy->id = 99;
  printf("copy %s id=%ld shares data=%d data[2]=%d\n", copy->label, copy->id, copy->data == heap[5].data, copy->data[2]);

  big *arr2 = malloc(8 * sizeof *arr2);
  memcpy(arr2, heap, 8 * sizeof *heap);
  memmove(arr2 + 1, arr2, 7 * sizeof *arr2);
  printf("memmoved ids: %ld %ld %ld\n", arr2[0].id, arr2[1].id, arr2[7].id);

  small *sm = malloc(sizeof *sm);
  *sm = (small){10, 20, 'x'};
  for (int i = 0; i < 5; i++) *sm = bump(*sm);
  printf("small a=%d b=%d c=%c\n", sm->a, sm->b, sm->c);

  pair *pp = malloc(sizeof *pp);
  pp->first = make_big(77, 4);
  pp->second = *sm;
  pair q = swap_in(*pp, (small){1, 2, 'q'});
  *pp = q;
  printf("pair id=%ld label=%s second=%d,%d,%c data[3]=%d\n", pp->first.id, pp->first.label,
         pp->second.a, pp->second.b, pp->second.c, pp->first.data[3]);
  free(pp->first.data); free(pp); free(sm); free(arr2); free(copy);
  for (int i = 0; i < 8; i++) free(heap[i].data);
  free(heap);
  return 0;
}
