// iostreams with heap data: std::cout of heap strings and numbers with manipulators,
// std::getline over an istringstream, a user operator<< for a heap-linked structure,
// std::ofstream/ifstream round trip through a temp file.
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include "check.hpp"

struct chain { int v; std::unique_ptr<chain> next; };
static std::ostream &operator<<(std::ostream &os, const chain &c) {
  os << '[';
  for (const chain *p = &c; p; p = p->next.get()) os << p->v << (p->next ? "->" : "");
  return os << ']';
}

int main() {
  auto head = std::make_unique<chain>();
  chain *tail = head.get();
  for (int i = 1; i < 8; i++) { tail->next = std::make_unique<chain>(); tail = tail->next.get(); tail->v = i * i; }
  std::cout << "chain " << *head << '\n';
  auto name = std::make_unique<std::string>("alaska");
  std::cout << std::setw(10) << *name << '|' << std::left << std::setw(8) << 42 << '|' << std::right
            << std::setprecision(4) << std::fixed << 3.14159265 << '|' << std::hex << 255 << std::dec << '\n';
  std::istringstream text("line one\nsecond line here\n\nlast");
  std::string line; int n = 0; size_t chars = 0;
  while (std::getline(text, line)) { n++; chars += line.size(); }
  std::cout << "lines=" << n << " chars=" << chars << std::endl;
  char tmpl[] = "/tmp/alaska-e2e-ios-XXXXXX";
  int fd = mkstemp(tmpl);
  CHECK(fd >= 0);
  close(fd);
  {
    std::ofstream out(tmpl);
    for (int i = 0; i < 100; i++) out << "row " << i << ' ' << std::string(size_t(i % 10), '*') << '\n';
  }
  std::ifstream in(tmpl);
  std::string word; int idx; std::string stars; long total = 0; int rows = 0;
  while (in >> word >> idx) { std::getline(in, stars); total += idx + long(stars.size()); rows++; }
  std::remove(tmpl);
  std::cout << "file rows=" << rows << " total=" << total << '\n';
  std::ostringstream os;
  os << *head << " " << *name;
  std::string s = os.str();
  std::cout << "ostringstream size=" << s.size() << " text=" << s << '\n';
  return 0;
}
