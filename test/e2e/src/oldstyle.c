/* Pre-ANSI code: the allocation functions declared without prototypes (`char *malloc();`),
 * as old programs and autoconf's AC_CHECK_FUNCS link tests do, and called correctly.
 * Compiled as C17 (unprototyped declarations are still valid there). */
char *malloc();
char *realloc();
void free();
char *strdup();
char *calloc();
int printf(const char *, ...);
unsigned long strlen();

struct cell { int value; struct cell *next; };

static struct cell *cons(value, next)
  int value;
  struct cell *next;
{
  struct cell *c = (struct cell *)malloc(sizeof(struct cell));
  c->value = value;
  c->next = next;
  return c;
}

int main() {
  struct cell *list = 0, *c;
  long sum = 0;
  int i;
  char *s, *t;
  int *z;
  for (i = 0; i < 1000; i++) list = cons(i, list);
  for (c = list; c; c = c->next) sum += c->value;
  s = strdup("old style");
  s = realloc(s, 64);
  t = s + strlen(s);
  t[0] = '!';
  t[1] = 0;
  z = (int *)calloc(10, sizeof(int));
  printf("sum=%ld s=%s z9=%d\n", sum, s, z[9]);
  while (list) { c = list->next; free(list); list = c; }
  free(s);
  free(z);
  return 0;
}
