/* Our own variadic functions taking heap pointers (va_arg of char*, struct*, double),
 * va_copy, vsnprintf into heap buffers, printf("%s") of heap strings. */
#include <stdarg.h>
#include <string.h>
#include "check.h"

typedef struct pt { int x, y; } pt;

static long sum_ints(int n, ...) {
  va_list ap;
  va_start(ap, n);
  long s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

/* fmt: 's' heap string, 'p' heap point, 'd' double, 'i' int */
static char *describe(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  size_t need = 1;
  for (const char *f = fmt; *f; f++) {
    switch (*f) {
    case 's': need += strlen(va_arg(ap, char *)) + 1; break;
    case 'p': (void)va_arg(ap, pt *); need += 24; break;
    case 'd': (void)va_arg(ap, double); need += 32; break;
    case 'i': (void)va_arg(ap, int); need += 12; break;
    }
  }
  va_end(ap);
  char *out = malloc(need);
  size_t used = 0;
  out[0] = 0;
  for (const char *f = fmt; *f; f++) {
    switch (*f) {
    case 's': used += sprintf(out + used, "%s ", va_arg(ap2, char *)); break;
    case 'p': { pt *p = va_arg(ap2, pt *); used += sprintf(out + used, "(%d,%d) ", p->x, p->y); break; }
    case 'd': used += sprintf(out + used, "%.3f ", va_arg(ap2, double)); break;
    case 'i': used += sprintf(out + used, "%d ", va_arg(ap2, int)); break;
    }
  }
  va_end(ap2);
  CHECK(used < need);
  return out;
}

static char *format_heap(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *buf = malloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(buf, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return buf;
}

static void log_line(FILE *f, const char *prefix, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(prefix, f);
  vfprintf(f, fmt, ap);
  fputc('\n', f);
  va_end(ap);
}

int main(void) {
  printf("sum=%ld\n", sum_ints(6, 1, 2, 3, 4, 5, 600));
  char *name = strdup("alaska");
  pt *p = malloc(sizeof *p);
  p->x = 3; p->y = -4;
  char *d = describe("sipdsi", name, 7, p, 2.5, "literal", -1);
  printf("describe: %s\n", d);
  char *f = format_heap("%s/%s:%d %5.2f [%c]", name, d, 42, 1.0 / 3, name[0]);
  printf("format_heap: %s (len %zu)\n", f, strlen(f));
  log_line(stdout, name, " says %s %d %s", "hello", 5, f + 7);
  char **many = malloc(10 * sizeof *many);
  for (int i = 0; i < 10; i++) many[i] = format_heap("item%d", i);
  printf("%s %s %s %s %s %s %s %s %s %s\n", many[0], many[1], many[2], many[3], many[4],
         many[5], many[6], many[7], many[8], many[9]);
  fprintf(stdout, "%.*s|%-8s|%8.3s|\n", 3, name, many[9], name);
  for (int i = 0; i < 10; i++) free(many[i]);
  free(many); free(f); free(d); free(p); free(name);
  return 0;
}
