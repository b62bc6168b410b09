// C++ exceptions: throw/catch of heap-carrying exception objects, destructors of heap
// owning RAII objects during unwinding, nested try, rethrow, std::exception hierarchy,
// exceptions crossing std::function and vector operations.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#include "check.hpp"

static int live = 0;
struct resource {
  std::string name;
  std::vector<int> data;
  explicit resource(std::string n) : name(std::move(n)), data(100, 7) { live++; }
  ~resource() { live--; }
};

struct parse_error : std::runtime_error {
  int where;
  std::vector<std::string> trail;
  parse_error(const std::string &what, int w) : std::runtime_error(what), where(w) {}
};

static int parse(const std::string &s, int depth) {
  auto guard = std::make_unique<resource>("depth" + std::to_string(depth));
  if (depth == (int)s.size()) return 0;
  if (s[depth] == '!') {
    parse_error e("bad char at " + std::to_string(depth), depth);
    e.trail.push_back(guard->name);
    throw e;
  }
  try {
    return (s[depth] - '0') + parse(s, depth + 1);
  } catch (parse_error &e) {
    e.trail.push_back(guard->name);
    throw; // rethrow the same object
  }
}

int main() {
  std::vector<std::string> inputs{"12345", "12!45", "!", "9999999999", "1234567!"};
  for (auto &in : inputs) {
    try {
      int v = parse(in, 0);
      std::printf("%s -> %d\n", in.c_str(), v);
    } catch (const parse_error &e) {
      std::string trail;
      for (auto &t : e.trail) trail += t + "<";
      std::printf("%s -> error '%s' where=%d trail=%s\n", in.c_str(), e.what(), e.where, trail.c_str());
    }
    CHECK(live == 0);
  }
  try {
    std::vector<int> v(10);
    (void)v.at(20);
  } catch (const std::out_of_range &) {
    std::printf("out_of_range caught\n");
  }
  std::function<int(int)> f = [](int x) -> int {
    resource r("lambda");
    if (x > 3) throw std::invalid_argument("too big: " + std::to_string(x));
    return x * 2;
  };
  int total = 0;
  for (int i = 0; i < 6; i++) {
    try { total += f(i); } catch (const std::exception &e) { std::printf("caught %s\n", e.what()); }
  }
  std::printf("total=%d live=%d\n", total, live);
  try {
    try {
      throw std::string(200, 'x');
    } catch (std::string &s) {
      s.resize(3);
      throw std::make_pair(s, 42);
    }
  } catch (std::pair<std::string, int> &p) {
    std::printf("pair %s %d\n", p.first.c_str(), p.second);
  }
  CHECK(live == 0);
  return 0;
}
