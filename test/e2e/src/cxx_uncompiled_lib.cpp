// A program compiled by Alaska linked with an uncompiled C++ shared library (built from
// uncompiled/cxxlib.cpp with plain clang++) that uses the same std::string / ostringstream /
// vector instantiations as the program itself. The program's own copies of them take and
// return handles; if the executable exported them, the dynamic linker would bind the
// library's references to them and the library would crash in its static initializer.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>
#include "check.hpp"
#include "uncompiled/cxxlib.h"

int main() {
  // The same templates the library uses, instantiated here and compiled by Alaska.
  std::string mine = "program side";
  mine += std::string(50, '-');
  mine.append(" grown past the small-string buffer");
  std::ostringstream os;
  os << mine.substr(0, 7) << ' ' << mine.size();
  std::vector<long> v;
  for (int i = 0; i < 1000; i++) v.push_back(i);
  std::printf("program: %s %zu\n", os.str().c_str(), v.size());

  std::printf("library init string: %zu bytes\n", cxxlib_init_length());
  // Only stack memory crosses: a per-TU build assumes an unlisted declaration is compiled by
  // Alaska (design.md §5.2), so heap pointers would reach the library as handles.
  char name[32], buf[4096];
  std::snprintf(name, sizeof name, "%s", mine.c_str() + 8);
  for (int n : {0, 3, 40, 200}) {
    size_t len = cxxlib_format(name, n, buf, sizeof buf);
    std::string got(buf);
    CHECK(len == got.size() || len >= sizeof buf);
    std::printf("format(%d): %zu %s\n", n, len, got.substr(0, 60).c_str());
  }
  for (int n : {1, 10, 10000}) std::printf("sum_squares(%d) = %ld\n", n, cxxlib_sum_squares(n));
  return 0;
}
