/*
 * check.h — the stress tests' assertion: report a failed condition with a printf-style
 * explanation and keep going, so one run lists every broken invariant; main() returns
 * non-zero when `failures` is not zero.
 */
#ifndef ALASKA_TEST_CHECK_H
#define ALASKA_TEST_CHECK_H

#include <stdio.h>

static int failures;
#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fprintf(stderr, "\n");                                          \
      failures++;                                                     \
    }                                                                 \
  } while (0)

#endif /* ALASKA_TEST_CHECK_H */
