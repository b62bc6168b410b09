/* check.h — self-check helper shared by the e2e programs: a failed CHECK prints where and
 * exits 3, so a wrong result is never mistaken for matching output. */
#ifndef E2E_CHECK_H
#define E2E_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "CHECK failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      exit(3);                                                                   \
    }                                                                            \
  } while (0)
#endif
