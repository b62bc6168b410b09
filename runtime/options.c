/*
 * options.c — parsing of the ALASKA_* environment variables (docs/env.md).
 */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/os.h"

long env_long(const char *name, long dflt, long min, long max) {
  const char *s = getenv(name);
  if (!s || !*s) return dflt;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max)
    alaska_fatal("%s=%s is not a number in [%ld, %ld]", name, s, min, max);
  return v;
}

/* Decimal in [min, max], else `alaska: NAME=value is not a number in [min, max]` (env.md). */
uint64_t parse_u64(const char *name, const char *v, uint64_t min, uint64_t max) {
  uint64_t n = 0;
  int ok = *v != 0;
  for (const char *s = v; *s && ok; s++) {
    if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10) ok = 0;
    else n = n * 10 + (uint64_t)(*s - '0');
  }
  if (!ok || n < min || n > max)
    alaska_fatal("%s=%s is not a number in [%lu, %lu]", name, v, (unsigned long)min,
                 (unsigned long)max);
  return n;
}

__attribute__((noreturn)) void bad_env(const char *name, const char *value,
                                const char *expect) {
  alaska_fatal("%s=%s is not %s", name, value, expect);
}

double env_double(const char *name, double dflt, double min, double max) {
  const char *v = getenv(name);
  if (!v || !*v) return dflt;
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  int percent = *end == '%';
  if (percent) end++;
  if (errno || end == v || *end) bad_env(name, v, "a number (or a percentage for ALASKA_DEFRAG_CPU)");
  if (percent) d /= 100.0;
  if (!(d >= min && d <= max)) {
    char expect[96];
    snprintf(expect, sizeof expect, "a number in [%g, %g]", min, max);
    bad_env(name, v, expect);
  }
  return d;
}

/* Bytes, with an optional K/M/G suffix (powers of 1024). */
uint64_t env_bytes(const char *name, uint64_t dflt, uint64_t min) {
  const char *v = getenv(name);
  if (!v || !*v) return dflt;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno || end == v || v[0] == '-') bad_env(name, v, "a byte count like 1048576 or 1M");
  switch (*end) {
  case 'k': case 'K': n <<= 10; end++; break;
  case 'm': case 'M': n <<= 20; end++; break;
  case 'g': case 'G': n <<= 30; end++; break;
  default: break;
  }
  if (*end || n < min) bad_env(name, v, "a byte count like 1048576 or 1M");
  return n;
}

