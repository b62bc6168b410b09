// cxxlib.h — C interface of an uncompiled C++ shared library (cxxlib.cpp, built with plain
// clang++ for both builds of cxx_uncompiled_lib.cpp). Only raw C types cross.
#pragma once
#include <cstddef>
extern "C" {
// "<greeting> / <name> x <n>" formatted through std::ostringstream and std::string
// appends inside the library; copied into out (at most cap bytes, NUL-terminated).
size_t cxxlib_format(const char *name, int n, char *out, size_t cap);
// Sum of the first n squares, computed through a std::vector<long> grown by push_back.
long cxxlib_sum_squares(int n);
// Length of the string the library built in its static initializer (before main).
size_t cxxlib_init_length(void);
}
