/* Word frequencies over a generated text: tokens point into text.c's heap copy, records
 * live in store.c's table reached through a global defined there, a visitor callback
 * defined here is called from store.c, and sorted record pointers come back across TUs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store.h"
#include "text.h"

static const char *vocabulary[] = {"alpha", "beta", "gamma", "delta", "handle", "table",
                                   "compact", "move", "pin", "heap", "page", "object"};

static int count_long(const record *r, void *ctx) {
  if (strlen(r->word) > 4) { *(long *)ctx += r->count; return 1; }
  return 0;
}

int main(void) {
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  unsigned s = 5;
  for (int i = 0; i < 6000; i++) {
    s = s * 1103515245u + 12345u;
    const char *w = vocabulary[(s >> 8) % 12];
    len += (size_t)snprintf(text + len, cap - len, "%s%s", w, (s >> 4) % 9 ? " " : ". ");
  }
  tokens t = tokenize(text);
  free(text); /* tokens point into tokenize's own copy */
  global_store = store_new(31);
  for (size_t i = 0; i < t.len; i++) store_bump(global_store, t.items[i].start, t.items[i].len);
  char *head = join_upper(&t, 0, 5, '_');
  printf("tokens=%zu distinct=%zu head=%s\n", t.len, global_store->size, head);
  long long_total = 0;
  int long_words = store_visit(global_store, count_long, &long_total);
  printf("long words=%d occurrences=%ld\n", long_words, long_total);
  record **sorted = store_sorted(global_store);
  for (int i = 0; sorted[i] && i < 4; i++) printf("  %-8s %ld\n", sorted[i]->word, sorted[i]->count);
  free(sorted);
  int removed = store_remove(global_store, "pin") + store_remove(global_store, "nothere");
  printf("removed=%d distinct=%zu\n", removed, global_store->size);
  if (global_store->size != 11) return 1;
  free(head);
  tokens_free(&t);
  store_free(global_store);
  return 0;
}
