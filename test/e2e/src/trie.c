/* A 26-way trie of words generated from a seed: insert, prefix counts, delete with
 * pruning of empty nodes, longest common prefix. */
#include <string.h>
#include "check.h"

typedef struct trie { struct trie *kids[26]; int count, ends; } trie;
static long nodes_live = 0;

static trie *new_node(void) { nodes_live++; return calloc(1, sizeof(trie)); }

static void insert(trie *t, const char *w) {
  for (t->count++; *w; w++) {
    int c = *w - 'a';
    if (!t->kids[c]) t->kids[c] = new_node();
    t = t->kids[c];
    t->count++;
  }
  t->ends++;
}

static int prefix_count(trie *t, const char *p) {
  for (; *p && t; p++) t = t->kids[*p - 'a'];
  return t ? t->count : 0;
}

static int erase(trie *t, const char *w) { /* returns 1 if removed */
  trie *path[64];
  int depth = 0;
  trie *cur = t;
  for (const char *p = w; *p; p++) { path[depth++] = cur; cur = cur->kids[*p - 'a']; if (!cur) return 0; }
  if (!cur->ends) return 0;
  cur->ends--;
  t->count--;
  for (int i = depth - 1; i >= 0; i--) {
    trie *child = path[i]->kids[w[i] - 'a'];
    if (--child->count == 0) { free(child); nodes_live--; path[i]->kids[w[i] - 'a'] = NULL; }
  }
  return 1;
}

static void destroy(trie *t) { for (int i = 0; i < 26; i++) if (t->kids[i]) destroy(t->kids[i]); free(t); nodes_live--; }

int main(void) {
  trie *root = new_node();
  char **words = malloc(20000 * sizeof *words);
  unsigned s = 1;
  for (int i = 0; i < 20000; i++) {
    s = s * 214013u + 2531011u;
    int len = 3 + (int)((s >> 16) % 8);
    words[i] = malloc((size_t)len + 1);
    for (int k = 0; k < len; k++) { s = s * 214013u + 2531011u; words[i][k] = (char)('a' + (s >> 16) % 6); }
    words[i][len] = 0;
    insert(root, words[i]);
  }
  printf("nodes=%ld words=%d prefix(ab)=%d prefix(fff)=%d\n", nodes_live, root->count,
         prefix_count(root, "ab"), prefix_count(root, "fff"));
  int removed = 0;
  for (int i = 0; i < 20000; i += 2) removed += erase(root, words[i]);
  CHECK(!erase(root, "zzzz"));
  printf("removed=%d nodes=%ld words=%d prefix(ab)=%d\n", removed, nodes_live, root->count, prefix_count(root, "ab"));
  for (int i = 1; i < 20000; i += 2) CHECK(prefix_count(root, words[i]) > 0);
  destroy(root);
  CHECK(nodes_live == 0);
  for (int i = 0; i < 20000; i++) free(words[i]);
  free(words);
  return 0;
}
