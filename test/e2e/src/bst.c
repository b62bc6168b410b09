/* Unbalanced BST and AVL tree with deletions; in-order walks, heights, range counts. */
#include "check.h"

typedef struct avl { int key, height; struct avl *left, *right; } avl;

static int height(avl *t) { return t ? t->height : 0; }
static int max(int a, int b) { return a > b ? a : b; }
static void fix(avl *t) { t->height = 1 + max(height(t->left), height(t->right)); }

static avl *rot_right(avl *y) { avl *x = y->left; y->left = x->right; x->right = y; fix(y); fix(x); return x; }
static avl *rot_left(avl *x) { avl *y = x->right; x->right = y->left; y->left = x; fix(x); fix(y); return y; }

static avl *balance(avl *t) {
  fix(t);
  int bf = height(t->left) - height(t->right);
  if (bf > 1) { if (height(t->left->left) < height(t->left->right)) t->left = rot_left(t->left); return rot_right(t); }
  if (bf < -1) { if (height(t->right->right) < height(t->right->left)) t->right = rot_right(t->right); return rot_left(t); }
  return t;
}

static avl *insert(avl *t, int key) {
  if (!t) { avl *n = calloc(1, sizeof *n); n->key = key; n->height = 1; return n; }
  if (key < t->key) t->left = insert(t->left, key);
  else if (key > t->key) t->right = insert(t->right, key);
  return balance(t);
}

static avl *remove_min(avl *t, avl **min) {
  if (!t->left) { *min = t; return t->right; }
  t->left = remove_min(t->left, min);
  return balance(t);
}

static avl *erase(avl *t, int key) {
  if (!t) return NULL;
  if (key < t->key) t->left = erase(t->left, key);
  else if (key > t->key) t->right = erase(t->right, key);
  else {
    avl *l = t->left, *r = t->right;
    free(t);
    if (!r) return l;
    avl *m;
    r = remove_min(r, &m);
    m->left = l; m->right = r;
    return balance(m);
  }
  return balance(t);
}

static int check(avl *t, int lo, int hi, long *sum, int *n) {
  if (!t) return 0;
  CHECK(t->key > lo && t->key < hi);
  int hl = check(t->left, lo, t->key, sum, n), hr = check(t->right, t->key, hi, sum, n);
  CHECK(hl - hr <= 1 && hr - hl <= 1);
  CHECK(t->height == 1 + max(hl, hr));
  *sum += t->key; (*n)++;
  return t->height;
}

static int range(avl *t, int lo, int hi) {
  if (!t) return 0;
  int c = (t->key >= lo && t->key <= hi);
  if (t->key > lo) c += range(t->left, lo, hi);
  if (t->key < hi) c += range(t->right, lo, hi);
  return c;
}

static void destroy(avl *t) { if (t) { destroy(t->left); destroy(t->right); free(t); } }

int main(void) {
  avl *t = NULL;
  unsigned s = 7;
  for (int i = 0; i < 20000; i++) { s = s * 1664525u + 1013904223u; t = insert(t, (int)(s % 50000)); }
  long sum = 0; int n = 0;
  int h = check(t, -1, 1 << 30, &sum, &n);
  printf("avl: n=%d sum=%ld height=%d range[1000,2000]=%d\n", n, sum, h, range(t, 1000, 2000));
  for (int k = 0; k < 50000; k += 3) t = erase(t, k);
  sum = 0; n = 0;
  h = check(t, -1, 1 << 30, &sum, &n);
  printf("after erase: n=%d sum=%ld height=%d range[1000,2000]=%d\n", n, sum, h, range(t, 1000, 2000));
  destroy(t);
  return 0;
}
