/* bench/overhead/interp.c — a small tree-walking interpreter for a Lisp-like language:
 * malloc'd AST nodes, malloc'd call frames, boxed reference-counted values (every integer
 * result and every cons cell is a heap object). Runs fib, list building, map and fold.
 * Arg: fib argument (default 31); the list part maps and sums 1..5000 400 times. */
#include <stdio.h>
#include <stdlib.h>

enum { NUM, ARG, ADD, SUB, MUL, LT, IF, CALL, CONS, CAR, CDR, ISNIL, NIL };
enum { V_INT, V_CONS, V_NIL };

typedef struct val {
  int rc, tag;
  long i;
  struct val *car, *cdr;
} val;

typedef struct node {
  int kind, n; /* n: number / arg index / function index */
  struct node *a, *b, *c;
  struct node **args;
  int nargs;
} node;

typedef struct fn {
  int nparams;
  node *body;
} fn;

static fn funcs[8];
static val nil_v = {1 << 30, V_NIL, 0, NULL, NULL};
static long allocs;

static val *mkint(long i) {
  val *v = malloc(sizeof *v);
  v->rc = 1; v->tag = V_INT; v->i = i; v->car = v->cdr = NULL;
  allocs++;
  return v;
}
static val *incref(val *v) { v->rc++; return v; }
static void decref(val *v) {
  while (v && --v->rc == 0) {
    val *next = NULL;
    if (v->tag == V_CONS) {
      decref(v->car);
      next = v->cdr;
    }
    free(v);
    v = next;
  }
}

static node *mk(int kind, int n, node *a, node *b, node *c) {
  node *x = calloc(1, sizeof *x);
  x->kind = kind; x->n = n; x->a = a; x->b = b; x->c = c;
  return x;
}
static node *call(int f, int nargs, node *a0, node *a1) {
  node *x = mk(CALL, f, NULL, NULL, NULL);
  x->nargs = nargs;
  x->args = malloc(sizeof(node *) * (size_t)nargs);
  x->args[0] = a0;
  if (nargs > 1) x->args[1] = a1;
  return x;
}
static void free_node(node *x) {
  if (!x) return;
  free_node(x->a); free_node(x->b); free_node(x->c);
  for (int i = 0; i < x->nargs; i++) free_node(x->args[i]);
  free(x->args);
  free(x);
}

static val *eval(node *x, val **frame) {
  switch (x->kind) {
  case NUM: return mkint(x->n);
  case ARG: return incref(frame[x->n]);
  case NIL: return incref(&nil_v);
  case ADD: case SUB: case MUL: case LT: {
    val *l = eval(x->a, frame), *r = eval(x->b, frame);
    long v = x->kind == ADD ? l->i + r->i : x->kind == SUB ? l->i - r->i
           : x->kind == MUL ? l->i * r->i : l->i < r->i;
    decref(l); decref(r);
    return mkint(v);
  }
  case IF: {
    val *c = eval(x->a, frame);
    int t = c->tag == V_INT ? c->i != 0 : c->tag == V_CONS;
    decref(c);
    return eval(t ? x->b : x->c, frame);
  }
  case CALL: {
    fn *f = &funcs[x->n];
    val **nf = malloc(sizeof(val *) * (size_t)f->nparams);
    for (int i = 0; i < f->nparams; i++) nf[i] = eval(x->args[i], frame);
    val *r = eval(f->body, nf);
    for (int i = 0; i < f->nparams; i++) decref(nf[i]);
    free(nf);
    return r;
  }
  case CONS: {
    val *v = malloc(sizeof *v);
    v->rc = 1; v->tag = V_CONS; v->i = 0;
    v->car = eval(x->a, frame);
    v->cdr = eval(x->b, frame);
    allocs++;
    return v;
  }
  case CAR: case CDR: {
    val *l = eval(x->a, frame);
    val *r = incref(x->kind == CAR ? l->car : l->cdr);
    decref(l);
    return r;
  }
  case ISNIL: {
    val *l = eval(x->a, frame);
    long t = l->tag == V_NIL;
    decref(l);
    return mkint(t);
  }
  }
  abort();
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 31;
  enum { FIB, RANGE, MAPSQ, SUM };
  /* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2) */
  funcs[FIB] = (fn){1, mk(IF, 0, mk(LT, 0, mk(ARG, 0, 0, 0, 0), mk(NUM, 2, 0, 0, 0), 0),
                          mk(ARG, 0, 0, 0, 0),
                          mk(ADD, 0, call(FIB, 1, mk(SUB, 0, mk(ARG, 0, 0, 0, 0), mk(NUM, 1, 0, 0, 0), 0), 0),
                             call(FIB, 1, mk(SUB, 0, mk(ARG, 0, 0, 0, 0), mk(NUM, 2, 0, 0, 0), 0), 0), 0))};
  /* range(n, acc) = n < 1 ? acc : range(n-1, cons(n, acc)) */
  funcs[RANGE] = (fn){2, mk(IF, 0, mk(LT, 0, mk(ARG, 0, 0, 0, 0), mk(NUM, 1, 0, 0, 0), 0),
                            mk(ARG, 1, 0, 0, 0),
                            call(RANGE, 2, mk(SUB, 0, mk(ARG, 0, 0, 0, 0), mk(NUM, 1, 0, 0, 0), 0),
                                 mk(CONS, 0, mk(ARG, 0, 0, 0, 0), mk(ARG, 1, 0, 0, 0), 0)))};
  /* mapsq(l) = isnil(l) ? nil : cons(car l * car l, mapsq(cdr l)) */
  funcs[MAPSQ] = (fn){1, mk(IF, 0, mk(ISNIL, 0, mk(ARG, 0, 0, 0, 0), 0, 0), mk(NIL, 0, 0, 0, 0),
                            mk(CONS, 0, mk(MUL, 0, mk(CAR, 0, mk(ARG, 0, 0, 0, 0), 0, 0),
                                           mk(CAR, 0, mk(ARG, 0, 0, 0, 0), 0, 0), 0),
                               call(MAPSQ, 1, mk(CDR, 0, mk(ARG, 0, 0, 0, 0), 0, 0), 0), 0))};
  /* sum(l, acc) = isnil(l) ? acc : sum(cdr l, acc + car l) */
  funcs[SUM] = (fn){2, mk(IF, 0, mk(ISNIL, 0, mk(ARG, 0, 0, 0, 0), 0, 0), mk(ARG, 1, 0, 0, 0),
                          call(SUM, 2, mk(CDR, 0, mk(ARG, 0, 0, 0, 0), 0, 0),
                               mk(ADD, 0, mk(ARG, 1, 0, 0, 0), mk(CAR, 0, mk(ARG, 0, 0, 0, 0), 0, 0), 0)))};
  node *prog_fib = call(FIB, 1, mk(NUM, scale, 0, 0, 0), 0);
  int len = 5000;
  node *prog_list = call(SUM, 2, call(MAPSQ, 1, call(RANGE, 2, mk(NUM, len, 0, 0, 0), mk(NIL, 0, 0, 0, 0)), 0),
                         mk(NUM, 0, 0, 0, 0));
  val *r1 = eval(prog_fib, NULL);
  printf("fib(%d) = %ld\n", scale, r1->i);
  decref(r1);
  long acc = 0;
  for (int rep = 0; rep < 400; rep++) {
    val *r2 = eval(prog_list, NULL);
    acc += r2->i;
    decref(r2);
  }
  printf("sum of squares 1..%d (x400) = %ld, boxed allocations %ld\n", len, acc, allocs);
  free_node(prog_fib);
  free_node(prog_list);
  for (int i = 0; i < 4; i++) free_node(funcs[i].body);
  return 0;
}
