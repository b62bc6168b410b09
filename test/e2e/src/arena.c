/* A program-level allocator on top of malloc: one big heap arena carved into blocks, with
 * an intrusive free list of *interior* pointers stored inside the arena itself, and objects
 * linked through interior pointers (what custom allocators in real programs do). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "check.h"

typedef struct block { struct block *next_free; size_t size; } block;
typedef struct arena { unsigned char *base; size_t cap, used; block *free_list; } arena;
typedef struct rec { int id; struct rec *peer; char text[20]; } rec;

static void *arena_alloc(arena *a, size_t n) {
  n = (n + sizeof(block) + 15) & ~(size_t)15;
  for (block **pp = &a->free_list; *pp; pp = &(*pp)->next_free)
    if ((*pp)->size >= n) { block *b = *pp; *pp = b->next_free; return b + 1; }
  if (a->used + n > a->cap) return NULL;
  block *b = (block *)(a->base + a->used);
  a->used += n;
  b->size = n;
  return b + 1;
}
static void arena_free(arena *a, void *p) {
  block *b = (block *)p - 1;
  CHECK((unsigned char *)b >= a->base && (unsigned char *)b < a->base + a->used);
  b->next_free = a->free_list;
  a->free_list = b;
}

int main(void) {
  arena a = {malloc(1 << 20), 1 << 20, 0, NULL};
  rec *live[500] = {0};
  long made = 0;
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 500; i++) {
      if (live[i] && (i + round) % 3 == 0) { arena_free(&a, live[i]); live[i] = NULL; }
      if (!live[i]) {
        live[i] = arena_alloc(&a, sizeof(rec));
        CHECK(live[i] != NULL);
        live[i]->id = round * 1000 + i;
        snprintf(live[i]->text, sizeof live[i]->text, "r%d-%d", round, i);
        made++;
      }
    }
    for (int i = 0; i < 500; i++) live[i]->peer = live[(i * 7 + round) % 500];
  }
  long idsum = 0, peersum = 0; size_t textlen = 0;
  for (int i = 0; i < 500; i++) {
    idsum += live[i]->id;
    peersum += live[i]->peer->id;
    textlen += strlen(live[i]->peer->text);
    ptrdiff_t off = (unsigned char *)live[i] - a.base; /* interior offset is stable */
    CHECK(off > 0 && (size_t)off < a.used && (rec *)(a.base + off) == live[i]);
  }
  size_t nfree = 0;
  for (block *b = a.free_list; b; b = b->next_free) nfree++;
  printf("made=%ld used=%zu free_blocks=%zu idsum=%ld peersum=%ld textlen=%zu\n", made, a.used, nfree, idsum, peersum, textlen);
  free(a.base);
  return 0;
}
