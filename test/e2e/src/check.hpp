// check.hpp — self-check helper for the C++ e2e programs (see check.h).
#pragma once
#include <cstdio>
#include <cstdlib>
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::exit(3);                                                              \
    }                                                                            \
  } while (0)
