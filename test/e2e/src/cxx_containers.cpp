// std::list, std::deque, std::priority_queue, std::function/lambdas capturing heap state,
// std::optional/variant holding heap strings, a template class with its own heap buffer.
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <variant>
#include <vector>
#include "check.hpp"

template <typename T> class ring {
  T *buf_; size_t cap_, head_ = 0, size_ = 0;
 public:
  explicit ring(size_t cap) : buf_(new T[cap]), cap_(cap) {}
  ~ring() { delete[] buf_; }
  ring(const ring &) = delete;
  void push(T v) { buf_[(head_ + size_) % cap_] = std::move(v); if (size_ < cap_) size_++; else head_ = (head_ + 1) % cap_; }
  const T &operator[](size_t i) const { return buf_[(head_ + i) % cap_]; }
  size_t size() const { return size_; }
};

int main() {
  std::list<std::string> l;
  for (int i = 0; i < 1000; i++) (i % 2 ? l.push_back(std::to_string(i)) : l.push_front(std::to_string(i)));
  l.remove_if([](const std::string &s) { return s.back() == '5'; });
  l.sort();
  l.unique();
  std::printf("list size=%zu front=%s back=%s\n", l.size(), l.front().c_str(), l.back().c_str());
  std::deque<int> d;
  for (int i = 0; i < 50000; i++) { if (i % 3) d.push_back(i); else d.push_front(-i); if (i % 7 == 0) d.pop_front(); }
  long ds = 0;
  for (int x : d) ds += x;
  std::printf("deque size=%zu sum=%ld d[100]=%d\n", d.size(), ds, d[100]);
  std::priority_queue<std::pair<int, std::string>> pq;
  for (int i = 0; i < 500; i++) pq.emplace((i * 7919) % 1009, "task" + std::to_string(i));
  std::string top3;
  for (int i = 0; i < 3; i++) { top3 += pq.top().second + "(" + std::to_string(pq.top().first) + ") "; pq.pop(); }
  std::printf("pq top: %s\n", top3.c_str());

  auto counter = std::make_shared<int>(0);
  std::vector<std::function<int(int)>> fs;
  for (int k = 1; k <= 5; k++) {
    std::string label = "f" + std::to_string(k);
    fs.push_back([k, counter, label](int x) { (*counter)++; return x * k + int(label.size()); });
  }
  int acc = 0;
  for (int r = 0; r < 10; r++) for (auto &f : fs) acc = f(acc) % 100003;
  std::printf("functions acc=%d calls=%d\n", acc, *counter);

  std::vector<std::variant<int, std::string, std::vector<int>>> vs;
  for (int i = 0; i < 30; i++) {
    if (i % 3 == 0) vs.emplace_back(i);
    else if (i % 3 == 1) vs.emplace_back(std::string(size_t(i), 'v'));
    else vs.emplace_back(std::vector<int>(size_t(i), i));
  }
  long vsum = 0;
  for (auto &v : vs) {
    if (auto *pi = std::get_if<int>(&v)) vsum += *pi;
    else if (auto *ps = std::get_if<std::string>(&v)) vsum += long(ps->size()) * 100;
    else for (int x : std::get<std::vector<int>>(v)) vsum += x * 10000L;
  }
  std::optional<std::string> maybe;
  CHECK(!maybe);
  maybe = std::string(64, 'o');
  std::printf("variant sum=%ld optional len=%zu\n", vsum, maybe->size());
  ring<std::string> rg(16);
  for (int i = 0; i < 100; i++) rg.push("r" + std::to_string(i * i));
  std::printf("ring size=%zu first=%s last=%s\n", rg.size(), rg[0].c_str(), rg[rg.size() - 1].c_str());
  return 0;
}
