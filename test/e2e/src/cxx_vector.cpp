// std::vector of ints, structs and strings: growth, insert/erase in the middle, sort,
// reserve/shrink_to_fit, vector of vectors, move semantics.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>
#include "check.hpp"

struct item { int key; std::string name; std::vector<int> tags; };

int main() {
  std::vector<int> v;
  for (int i = 0; i < 100000; i++) v.push_back((i * 7919) % 100003);
  std::sort(v.begin(), v.end());
  CHECK(std::is_sorted(v.begin(), v.end()));
  v.erase(std::remove_if(v.begin(), v.end(), [](int x) { return x % 3 == 0; }), v.end());
  long sum = std::accumulate(v.begin(), v.end(), 0L);
  std::printf("ints: size=%zu sum=%ld front=%d back=%d\n", v.size(), sum, v.front(), v.back());
  v.insert(v.begin() + 10, 5, -1);
  v.shrink_to_fit();
  std::printf("after insert: v[9..15]=%d %d %d %d %d %d %d\n", v[9], v[10], v[11], v[12], v[13], v[14], v[15]);

  std::vector<item> items;
  for (int i = 0; i < 2000; i++) {
    item it{i, "item-" + std::to_string(i * 37 % 2000), {}};
    for (int k = 0; k < i % 5; k++) it.tags.push_back(k * i);
    items.push_back(std::move(it));
  }
  std::sort(items.begin(), items.end(), [](const item &a, const item &b) { return a.name < b.name; });
  long tagsum = 0;
  for (auto &it : items) for (int t : it.tags) tagsum += t;
  std::printf("items: first=%s last=%s tagsum=%ld\n", items.front().name.c_str(), items.back().name.c_str(), tagsum);
  items.erase(items.begin() + 100, items.begin() + 1900);
  CHECK(items.size() == 200);

  std::vector<std::vector<double>> grid(50, std::vector<double>(40, 1.5));
  for (size_t r = 0; r < grid.size(); r++)
    for (size_t c = 0; c < grid[r].size(); c++) grid[r][c] *= double(r + c);
  double g = 0;
  for (auto &row : grid) g += std::accumulate(row.begin(), row.end(), 0.0);
  std::printf("grid sum=%.1f\n", g);
  std::vector<std::string> words{"delta", "alpha", "charlie", "bravo"};
  words.emplace_back(30, 'z');
  std::sort(words.begin(), words.end());
  std::string joined;
  for (auto &w : words) joined += w.substr(0, 3) + ",";
  std::printf("words: %s\n", joined.c_str());
  return 0;
}
