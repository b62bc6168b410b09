// Numbers written into heap-allocated string streams whose memory was dirty before
// (design.md §5.5): libstdc++'s num_put facet (uncompiled) calls the stringbuf's virtual
// xsputn/overflow with its raw address; the stringbuf's string then compares a handle
// self-pointer with a raw one and misreads stale bytes as its capacity. Reduced from
// leveldb's db_test (gtest's Message << int after libbenchmark ran).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>
#include "check.hpp"

int main() {
  unsigned long sum = 0;
  for (int i = 0; i < 300; i++) {
    // Leave garbage where the next stream will live (same size class).
    for (size_t sz : {sizeof(std::stringstream), sizeof(std::ostringstream)}) {
      void *dirty = std::malloc(sz);
      std::memset(dirty, 0xA5, sz);
      std::free(dirty);
    }
    auto *ss = new std::stringstream;
    *ss << std::setprecision(6) << i << ' ' << 3.25 * i << ' ' << (i % 2 == 0) << ' '
        << static_cast<unsigned long long>(i) * 1000003ULL << ' ' << -i * 7L;
    auto *os = new std::ostringstream;
    *os << std::hex << i * 4099 << '/' << std::dec << static_cast<short>(i) << '/'
        << 1.0L * i / 3;
    std::string line = ss->str() + " | " + os->str();
    for (char c : line) sum = sum * 131 + static_cast<unsigned char>(c);
    if (i % 50 == 0) std::printf("%s\n", line.c_str());
    delete ss;
    delete os;
  }
  std::vector<std::ostringstream> many(100);
  for (size_t k = 0; k < many.size(); k++) many[k] << k << ':' << k * k;
  std::printf("%s %s checksum=%lu\n", many[7].str().c_str(), many[99].str().c_str(), sum);
  return 0;
}
