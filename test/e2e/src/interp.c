/* A tiny expression language: tokenizer (strtol end pointers into a heap source string),
 * recursive-descent parser building a heap AST, variables in a heap symbol table,
 * tree-walking evaluator and a compiler to a heap bytecode array run by a stack VM. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include "check.h"

typedef enum { NUM, VAR, BIN, ASSIGN } kind;
typedef struct ast { kind k; long num; char op; char *name; struct ast *l, *r; } ast;
typedef struct sym { char *name; long value; struct sym *next; } sym;
typedef struct parser { const char *src, *p; } parser;

static sym *symbols;
static long *lookup(const char *name) {
  for (sym *s = symbols; s; s = s->next) if (!strcmp(s->name, name)) return &s->value;
  sym *s = malloc(sizeof *s); s->name = strdup(name); s->value = 0; s->next = symbols; symbols = s;
  return &s->value;
}
static ast *node(kind k) { ast *a = calloc(1, sizeof *a); a->k = k; return a; }
static void skip(parser *ps) { while (isspace((unsigned char)*ps->p)) ps->p++; }
static ast *expr(parser *ps);
static ast *primary(parser *ps) {
  skip(ps);
  if (*ps->p == '(') { ps->p++; ast *e = expr(ps); skip(ps); CHECK(*ps->p == ')'); ps->p++; return e; }
  if (isdigit((unsigned char)*ps->p)) {
    char *end;
    ast *a = node(NUM);
    a->num = strtol(ps->p, &end, 10);
    CHECK(end > ps->p);
    ps->p = end;
    return a;
  }
  const char *start = ps->p;
  while (isalpha((unsigned char)*ps->p)) ps->p++;
  CHECK(ps->p > start);
  ast *a = node(VAR);
  a->name = strndup(start, (size_t)(ps->p - start));
  skip(ps);
  if (*ps->p == '=' ) { ps->p++; ast *as = node(ASSIGN); as->name = a->name; free(a); as->r = expr(ps); return as; }
  return a;
}
static ast *term(parser *ps) {
  ast *l = primary(ps);
  for (skip(ps); *ps->p == '*' || *ps->p == '/' || *ps->p == '%'; skip(ps)) {
    ast *b = node(BIN); b->op = *ps->p++; b->l = l; b->r = primary(ps); l = b;
  }
  return l;
}
static ast *expr(parser *ps) {
  ast *l = term(ps);
  for (skip(ps); *ps->p == '+' || *ps->p == '-'; skip(ps)) {
    ast *b = node(BIN); b->op = *ps->p++; b->l = l; b->r = term(ps); l = b;
  }
  return l;
}
static long apply(char op, long a, long b) {
  switch (op) { case '+': return a + b; case '-': return a - b; case '*': return a * b; case '/': return b ? a / b : 0; default: return b ? a % b : 0; }
}
static long eval(ast *a) {
  switch (a->k) {
  case NUM: return a->num;
  case VAR: return *lookup(a->name);
  case ASSIGN: { long v = eval(a->r); *lookup(a->name) = v; return v; }
  default: return apply(a->op, eval(a->l), eval(a->r));
  }
}
typedef struct code { long *ops; size_t len, cap; } code; /* opcode, operand pairs */
static void emit(code *c, long op, long arg) {
  if (c->len + 2 > c->cap) { c->cap = c->cap ? c->cap * 2 : 8; c->ops = realloc(c->ops, c->cap * sizeof *c->ops); }
  c->ops[c->len++] = op; c->ops[c->len++] = arg;
}
static void compile(ast *a, code *c) {
  switch (a->k) {
  case NUM: emit(c, 'n', a->num); break;
  case VAR: emit(c, 'v', (long)(intptr_t)lookup(a->name)); break; /* pointer stored as integer */
  case ASSIGN: compile(a->r, c); emit(c, 's', (long)(intptr_t)lookup(a->name)); break;
  default: compile(a->l, c); compile(a->r, c); emit(c, 'o', a->op);
  }
}
static long run(code *c) {
  long *stack = malloc(64 * sizeof *stack); size_t sp = 0;
  for (size_t i = 0; i < c->len; i += 2) {
    long op = c->ops[i], arg = c->ops[i + 1];
    if (op == 'n') stack[sp++] = arg;
    else if (op == 'v') stack[sp++] = *(long *)(intptr_t)arg;
    else if (op == 's') *(long *)(intptr_t)arg = stack[sp - 1];
    else { sp--; stack[sp - 1] = apply((char)arg, stack[sp - 1], stack[sp]); }
  }
  long r = stack[sp - 1];
  free(stack);
  return r;
}
static void free_ast(ast *a) { if (a) { free_ast(a->l); free_ast(a->r); free(a->name); free(a); } }

int main(void) {
  const char *programs[] = {"x = 6 * 7", "y = x - 2 * (x % 5)", "z = (x + y) * (x - y) / 3",
                            "x = x + y + z", "w = ((((1+2)*3+4)*5+6)*7) % 1000", "x * 2 + w"};
  for (int i = 0; i < 6; i++) {
    char *src = strdup(programs[i]);
    parser ps = {src, src};
    ast *a = expr(&ps);
    CHECK(*ps.p == 0 && ps.p == src + strlen(src));
    long tree = eval(a);
    code c = {0};
    compile(a, &c);
    long vm = run(&c);
    printf("%-40s tree=%ld vm=%ld ops=%zu\n", src, tree, vm, c.len / 2);
    free(c.ops); free_ast(a); free(src);
  }
  return 0;
}
