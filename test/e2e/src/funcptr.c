/* Function pointers: to libc (strcmp, strlen, memcmp, toupper, free), to our own functions,
 * stored in heap objects and called indirectly with heap arguments; dispatch tables. */
#include <string.h>
#include <ctype.h>
#include "check.h"

typedef int (*cmp_fn)(const char *, const char *);
typedef size_t (*len_fn)(const char *);
typedef struct op { const char *name; long (*apply)(long, long); } op;
typedef struct shape {
  double (*area)(const struct shape *);
  void (*scale)(struct shape *, double);
  double a, b;
} shape;

static long add(long a, long b) { return a + b; }
static long mul(long a, long b) { return a * b; }
static long sub(long a, long b) { return a - b; }
static int rev_cmp(const char *a, const char *b) { return -strcmp(a, b); }
static size_t my_len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static double rect_area(const shape *s) { return s->a * s->b; }
static double tri_area(const shape *s) { return s->a * s->b / 2; }
static void scale_both(shape *s, double k) { s->a *= k; s->b *= k; }
static void visit(char *s, int (*f)(int)) { for (; *s; s++) *s = (char)f((unsigned char)*s); }

int main(void) {
  char *x = strdup("pear"), *y = strdup("apple");
  cmp_fn *cmps = malloc(2 * sizeof *cmps);
  cmps[0] = strcmp;  /* libc */
  cmps[1] = rev_cmp; /* ours */
  volatile int pick = 0; /* defeat devirtualisation */
  printf("cmp libc=%d ours=%d\n", cmps[pick](x, y) > 0, cmps[pick + 1](x, y) > 0);
  len_fn lens[2] = {strlen, my_len};
  for (int i = 0; i < 2; i++) printf("len[%d]=%zu\n", i, lens[i + pick](y));
  int (*mc)(const void *, const void *, size_t) = memcmp;
  char *z = strdup("pear");
  printf("memcmp via pointer=%d\n", mc(x, z, 5));

  op *ops = malloc(3 * sizeof *ops);
  ops[0] = (op){"add", add}; ops[1] = (op){"mul", mul}; ops[2] = (op){"sub", sub};
  long acc = 1;
  for (int i = 0; i < 30; i++) acc = ops[i % 3].apply(acc, i + 2) % 1000003;
  printf("ops acc=%ld name=%s\n", acc, ops[(int)(acc % 3)].name);

  shape **shapes = malloc(4 * sizeof *shapes);
  for (int i = 0; i < 4; i++) {
    shapes[i] = malloc(sizeof(shape));
    shapes[i]->area = (i & 1) ? tri_area : rect_area;
    shapes[i]->scale = scale_both;
    shapes[i]->a = i + 1; shapes[i]->b = 2 * i + 1;
  }
  double total = 0;
  for (int i = 0; i < 4; i++) { shapes[i]->scale(shapes[i], 1.5); total += shapes[i]->area(shapes[i]); }
  printf("shapes total area=%.3f\n", total);

  int (*upper)(int) = toupper;
  visit(x, upper);
  visit(y, pick ? tolower : toupper);
  printf("visited %s %s\n", x, y);
  void (*release)(void *) = free;
  for (int i = 0; i < 4; i++) release(shapes[i]);
  release(shapes); release(ops); release(cmps);
  release(x); release(y); release(z);
  return 0;
}
