// std::thread, std::mutex / std::condition_variable living in heap objects, std::async,
// std::call_once, std::shared_mutex, thread_local, jthread-like join patterns.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>
#include "check.hpp"

struct Queue { // heap-allocated: the mutex and condition variable are inside a handle
  std::mutex mu;
  std::condition_variable cv;
  std::queue<std::string> items;
  bool closed = false;
  void push(std::string s) {
    { std::lock_guard<std::mutex> g(mu); items.push(std::move(s)); }
    cv.notify_one();
  }
  bool pop(std::string &out) {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [&] { return closed || !items.empty(); });
    if (items.empty()) return false;
    out = std::move(items.front());
    items.pop();
    return true;
  }
  void close() {
    { std::lock_guard<std::mutex> g(mu); closed = true; }
    cv.notify_all();
  }
};

static std::once_flag once;
static int once_count = 0;
thread_local std::string tls_name;

int main() {
  auto q = std::make_unique<Queue>();
  std::vector<long> sums(4, 0);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; w++)
    workers.emplace_back([&, w] {
      std::call_once(once, [] { once_count++; });
      tls_name = "worker-" + std::to_string(w) + std::string(30, '.');
      std::string s;
      while (q->pop(s)) sums[w] += (long)s.size() + tls_name.size();
    });
  for (int i = 0; i < 20000; i++) q->push(std::string(i % 100 + 1, 'x'));
  q->close();
  for (auto &t : workers) t.join();
  long total = 0;
  for (long s : sums) total += s;
  std::printf("total=%ld once=%d\n", total, once_count);

  auto fut = std::async(std::launch::async, [] {
    std::vector<std::string> v;
    for (int i = 0; i < 1000; i++) v.push_back(std::to_string(i));
    size_t n = 0;
    for (auto &s : v) n += s.size();
    return n;
  });
  std::printf("async=%zu\n", fut.get());

  std::promise<std::string> p;
  std::thread producer([&] { p.set_value(std::string(100, 'p') + "!"); });
  std::string got = p.get_future().get();
  producer.join();
  std::printf("promise=%zu\n", got.size());

  auto rw = std::make_unique<std::shared_mutex>();
  long shared_total = 0;
  std::mutex total_mu;
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; r++)
    readers.emplace_back([&] {
      for (int i = 0; i < 1000; i++) {
        std::shared_lock<std::shared_mutex> lk(*rw);
        std::lock_guard<std::mutex> g(total_mu);
        shared_total++;
      }
    });
  for (auto &t : readers) t.join();
  CHECK(shared_total == 3000);
  std::timed_mutex tm;
  CHECK(tm.try_lock_for(std::chrono::milliseconds(10)));
  tm.unlock();
  std::printf("shared=%ld\n", shared_total);
  return 0;
}
