// std::map, std::set, std::multimap and std::unordered_map/set with string keys:
// insert, lookup, erase while iterating, ordered traversal, rehash growth.
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include "check.hpp"

int main() {
  std::map<std::string, int> m;
  for (int i = 0; i < 20000; i++) m["k" + std::to_string((i * 31) % 20000)] += i;
  for (auto it = m.begin(); it != m.end();) {
    if (it->second % 3 == 0) it = m.erase(it); else ++it;
  }
  long s = 0;
  for (auto &kv : m) s += kv.second;
  std::printf("map: size=%zu sum=%ld first=%s last=%s\n", m.size(), s, m.begin()->first.c_str(), m.rbegin()->first.c_str());
  auto lb = m.lower_bound("k5");
  std::printf("lower_bound(k5)=%s\n", lb->first.c_str());

  std::set<int> st;
  for (int i = 0; i < 50000; i++) st.insert((i * 104729) % 65536);
  for (int i = 0; i < 65536; i += 2) st.erase(i);
  std::printf("set: size=%zu min=%d max=%d count(4097)=%zu\n", st.size(), *st.begin(), *st.rbegin(), st.count(4097));

  std::multimap<int, std::string> mm;
  for (int i = 0; i < 100; i++) mm.emplace(i % 7, std::string(size_t(i % 5 + 1), char('a' + i % 26)));
  auto range = mm.equal_range(3);
  size_t len = 0;
  for (auto it = range.first; it != range.second; ++it) len += it->second.size();
  std::printf("multimap: count(3)=%zu len=%zu\n", mm.count(3), len);

  std::unordered_map<std::string, std::string> um;
  for (int i = 0; i < 30000; i++) um.emplace("key" + std::to_string(i), std::string("value") + std::to_string(i * 2));
  for (int i = 0; i < 30000; i += 4) um.erase("key" + std::to_string(i));
  CHECK(um.find("key8") == um.end() && um.at("key9") == "value18");
  size_t total = 0;
  for (auto &kv : um) total += kv.first.size() + kv.second.size();
  std::printf("unordered_map: size=%zu total=%zu\n", um.size(), total);
  std::unordered_set<long> us;
  for (long i = 0; i < 10000; i++) us.insert(i * i % 9973);
  std::printf("unordered_set: size=%zu\n", us.size());
  std::map<int, std::map<int, int>> nested;
  for (int i = 0; i < 300; i++) nested[i % 10][i] = i * i;
  long ns = 0;
  for (auto &o : nested) for (auto &in : o.second) ns += in.second;
  std::printf("nested: outer=%zu sum=%ld\n", nested.size(), ns);
  return 0;
}
