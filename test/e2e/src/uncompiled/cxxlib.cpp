// cxxlib.cpp — an uncompiled C++ shared library using std::string, std::ostringstream and
// std::vector inline/template code, as libbenchmark.so or any Debian C++ library does. Its
// references to libstdc++'s instantiations (basic_string::_M_mutate, _M_append, the
// ostringstream vtable...) must bind to libstdc++, never to the copies an Alaska-compiled
// executable carries (those take and return handles). See docs/design.md §5.6.
#include "cxxlib.h"
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

// Runs before main, like benchmark's BoolFromEnv: heap strings built by uncompiled code.
static std::string init_string = [] {
  const char *env = std::getenv("CXXLIB_GREETING");
  std::string s = env ? env : "hello from an uncompiled library";
  s += std::string(40, '.');
  s.append(" and some more text to leave the small-string buffer");
  return s;
}();

extern "C" size_t cxxlib_format(const char *name, int n, char *out, size_t cap) {
  std::ostringstream os;
  os << init_string.substr(0, 10) << " / " << name << " x " << n;
  std::string s = os.str();
  for (int i = 0; i < n; i++) s += std::to_string(i * 7);
  if (cap == 0) return s.size();
  size_t len = s.size() < cap - 1 ? s.size() : cap - 1;
  std::memcpy(out, s.data(), len);
  out[len] = 0;
  return s.size();
}

extern "C" long cxxlib_sum_squares(int n) {
  std::vector<long> v;
  for (int i = 1; i <= n; i++) v.push_back(long(i) * i);
  long sum = 0;
  for (long x : v) sum += x;
  return sum;
}

extern "C" size_t cxxlib_init_length(void) { return init_string.size(); }
