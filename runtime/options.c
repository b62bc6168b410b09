/*
 * options.c — parsing of the ALASKA_* variables from the table in options.inc (docs/env.md).
 * Runs at most once, possibly before malloc works or from a thread being created: it reads
 * getenv and the table only, with no allocation and no lock (no strtod: glibc may malloc).
 */
#include "options.h"

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "os/os.h"

typedef enum option_type {
  OPTION_flag, OPTION_bool, OPTION_int, OPTION_signal,
  OPTION_double, OPTION_fraction, OPTION_bytes, OPTION_path,
} option_type_t;

typedef struct option_row {
  const char *name;
  option_type_t type;
  const char *dflt, *min, *max; /* as in the environment; "" = unset / no bound */
  size_t offset;                /* of the field in alaska_options_t */
} option_row_t;

static const option_row_t rows[] = {
#define ALASKA_OPTION(field, name, type, dflt, min, max, doc)                                \
  {#name, OPTION_##type, dflt, min, max, offsetof(alaska_options_t, field)},
#include "options.inc"
#undef ALASKA_OPTION
};
#define N_ROWS (sizeof rows / sizeof rows[0])

/* A parsed value: `u` for int and bytes, `i` for flag, bool and signal, `d` for doubles. */
typedef struct value {
  uint64_t u;
  int i;
  double d;
} value_t;

/* Decimal digits at *s (at least one), advancing *s; 0 on overflow or no digit. */
static int take_digits(const char **s, uint64_t *out) {
  const char *p = *s;
  uint64_t n = 0;
  if (*p < '0' || *p > '9') return 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (n > (UINT64_MAX - 9) / 10) return 0;
    n = n * 10 + (uint64_t)(*p - '0');
  }
  *s = p;
  *out = n;
  return 1;
}

static int parse_uint(const char *s, uint64_t *out) { return take_digits(&s, out) && !*s; }

static int parse_bytes(const char *s, uint64_t *out) {
  uint64_t n;
  if (!take_digits(&s, &n)) return 0;
  int shift = 0;
  switch (*s) {
  case 'k': case 'K': shift = 10; s++; break;
  case 'm': case 'M': shift = 20; s++; break;
  case 'g': case 'G': shift = 30; s++; break;
  case 't': case 'T': shift = 40; s++; break;
  default: break;
  }
  if (*s || (shift && n > UINT64_MAX >> shift)) return 0;
  *out = n << shift;
  return 1;
}

/* A number, SIGRTMIN[+n] or SIGRTMAX[-n]. */
static int parse_signal(const char *s, int *out) {
  uint64_t n = 0;
  long v;
  if (strncmp(s, "SIGRTMIN", 8) == 0 || strncmp(s, "SIGRTMAX", 8) == 0) {
    int is_min = s[6] == 'I';
    s += 8;
    if (*s) {
      if (*s != (is_min ? '+' : '-')) return 0;
      s++;
      if (!take_digits(&s, &n) || *s || n > 1024) return 0;
    }
    v = is_min ? SIGRTMIN + (long)n : SIGRTMAX - (long)n;
  } else {
    if (!parse_uint(s, &n) || n > 1024) return 0;
    v = (long)n;
  }
  *out = (int)v;
  return 1;
}

/* digits[.digits][e[+-]digits][%]: the value is mantissa * 10^exponent, computed with
 * exact powers of ten, so short decimals round as strtod rounds them. */
static int parse_double(const char *s, double *out, int allow_percent) {
  uint64_t mant = 0;
  int exp10 = 0, digits = 0;
  for (; *s >= '0' && *s <= '9'; s++, digits++) {
    if (mant < UINT64_MAX / 10) mant = mant * 10 + (uint64_t)(*s - '0');
    else exp10++; /* beyond 19 digits: the rest only scales */
  }
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++, digits++)
      if (mant < UINT64_MAX / 10) mant = mant * 10 + (uint64_t)(*s - '0'), exp10--;
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    int negative = *s == '-';
    if (*s == '-' || *s == '+') s++;
    uint64_t e;
    if (!take_digits(&s, &e) || e > 400) return 0;
    exp10 += negative ? -(int)e : (int)e;
  }
  if (allow_percent && *s == '%') s++, exp10 -= 2;
  if (*s) return 0;
  double d = (double)mant, scale = 1;
  for (int k = exp10 < 0 ? -exp10 : exp10; k > 0; k--) scale *= 10;
  *out = exp10 < 0 ? d / scale : d * scale;
  return 1;
}

static int parse(const option_row_t *r, const char *s, value_t *v) {
  switch (r->type) {
  case OPTION_flag: v->i = *s && strcmp(s, "0") != 0; return 1;
  case OPTION_bool: v->i = s[0] == '1'; return (s[0] == '0' || s[0] == '1') && !s[1];
  case OPTION_int: return parse_uint(s, &v->u);
  case OPTION_signal: return parse_signal(s, &v->i);
  case OPTION_double: return parse_double(s, &v->d, 0);
  case OPTION_fraction: return parse_double(s, &v->d, 1);
  case OPTION_bytes: return parse_bytes(s, &v->u);
  case OPTION_path: return 1;
  }
  return 0;
}

/* Is v inside [min, max]? (Bounds are parsed as the value is; "" is no bound.) */
static int in_range(const option_row_t *r, const value_t *v) {
  value_t b;
  for (int upper = 0; upper < 2; upper++) {
    const char *bound = upper ? r->max : r->min;
    if (!*bound) continue;
    if (!parse(r, bound, &b)) alaska_fatal("options.inc: bad bound %s of %s", bound, r->name);
    int sign;
    switch (r->type) {
    case OPTION_int: case OPTION_bytes: sign = (v->u > b.u) - (v->u < b.u); break;
    case OPTION_signal: sign = (v->i > b.i) - (v->i < b.i); break;
    case OPTION_double: case OPTION_fraction: sign = (v->d > b.d) - (v->d < b.d); break;
    default: sign = 0; break;
    }
    if (upper ? sign > 0 : sign < 0) return 0;
  }
  if (r->type == OPTION_signal && (v->i == SIGKILL || v->i == SIGSTOP || v->i == SIGSEGV))
    return 0;
  return 1;
}

/* The one message of a malformed value (docs/env.md). */
__attribute__((noreturn)) static void malformed(const option_row_t *r, const char *s) {
  switch (r->type) {
  case OPTION_bool: alaska_fatal("%s=%s is not 0 or 1", r->name, s);
  case OPTION_signal:
    alaska_fatal("%s=%s is not a signal number in [%s, %s] other than SIGKILL, SIGSTOP, "
                 "SIGSEGV", r->name, s, r->min, r->max);
  case OPTION_fraction:
    alaska_fatal("%s=%s is not a number in [%s, %s] or a percentage", r->name, s, r->min,
                 r->max);
  case OPTION_bytes:
    alaska_fatal("%s=%s is not a byte count in [%s, %s] (K/M/G/T suffixes)", r->name, s,
                 r->min, r->max);
  default: alaska_fatal("%s=%s is not a number in [%s, %s]", r->name, s, r->min, r->max);
  }
}

static alaska_options_t options;
static const char *texts[N_ROWS]; /* the text each value was parsed from */

static void store(const option_row_t *r, const char *s, const value_t *v) {
  char *field = (char *)&options + r->offset;
  switch (r->type) {
  case OPTION_flag: case OPTION_bool: case OPTION_signal: *(int *)field = v->i; break;
  case OPTION_int: case OPTION_bytes: *(uint64_t *)field = v->u; break;
  case OPTION_double: case OPTION_fraction: *(double *)field = v->d; break;
  case OPTION_path: *(const char **)field = *s ? s : NULL; break;
  }
}

static const char *text_of(const char *name) {
  for (size_t i = 0; i < N_ROWS; i++)
    if (strcmp(rows[i].name, name) == 0) return texts[i];
  return "";
}

static void parse_all(void) {
  for (size_t i = 0; i < N_ROWS; i++) {
    const option_row_t *r = &rows[i];
    const char *s = getenv(r->name);
    int from_env = s && *s;
    if (!from_env) s = r->dflt;
    value_t v = {0, 0, 0};
    if (r->type == OPTION_signal && !*s) { /* a signal row whose default is unset: 0 */
      texts[i] = s;
      store(r, s, &v);
      continue;
    }
    if (!parse(r, s, &v) || !in_range(r, &v)) {
      if (!from_env) alaska_fatal("options.inc: bad default %s of %s", s, r->name);
      malformed(r, s);
    }
    texts[i] = s;
    store(r, s, &v);
  }
  /* The constraints between rows. */
  if (options.defrag_lower > options.defrag_upper)
    alaska_fatal("ALASKA_DEFRAG_LOWER=%s is not <= ALASKA_DEFRAG_UPPER=%s",
                 text_of("ALASKA_DEFRAG_LOWER"), text_of("ALASKA_DEFRAG_UPPER"));
  if (options.heapmap_signal && options.heapmap_signal == options.signal)
    alaska_fatal("ALASKA_HEAPMAP_SIGNAL=%s is the barrier's signal (ALASKA_SIGNAL=%s): pick "
                 "another", text_of("ALASKA_HEAPMAP_SIGNAL"), text_of("ALASKA_SIGNAL"));
  if (options.heapmap_signal && !options.heapmap)
    alaska_fatal("ALASKA_HEAPMAP_SIGNAL=%s needs ALASKA_HEAPMAP=file (the snapshots are "
                 "file.1, file.2, ...)", text_of("ALASKA_HEAPMAP_SIGNAL"));
}

const alaska_options_t *alaska_options(void) {
  static _Atomic int state; /* 0: not parsed, 1: being parsed, 2: parsed */
  if (atomic_load_explicit(&state, memory_order_acquire) == 2) return &options;
  int expected = 0;
  if (atomic_compare_exchange_strong(&state, &expected, 1)) {
    parse_all();
    atomic_store_explicit(&state, 2, memory_order_release);
  } else {
    while (atomic_load_explicit(&state, memory_order_acquire) != 2) {
    }
  }
  return &options;
}
