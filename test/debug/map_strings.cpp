// Debug suite (run_debug.py): a std::map of std::string keys, whose tree nodes and long keys
// live behind handles. The test stops in inspect() and checks that gdb prints the map and its
// strings (libstdc++'s pretty printers, through the Alaska extension) against the `truth:`
// line this program prints.
#include <alaska.h>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

std::map<std::string, int> *g_map;  // a second map, itself on the heap
std::string *g_freed;               // dangling: deleted

__attribute__((noinline)) void inspect(const std::map<std::string, int> &m, const std::string &key,
                                       int value) {
  __asm__ volatile("" : : "r"(&m), "r"(&key), "r"(value) : "memory");
}

static unsigned long bits(const void *p) { return (unsigned long)(uintptr_t)p; }

int main() {
  std::map<std::string, int> m;
  m["alpha"] = 1;
  m["a key that is long enough to live in its own heap block"] = 2;
  m["gamma"] = 3;
  g_map = new std::map<std::string, int>;
  for (int i = 0; i < 10; i++) (*g_map)["k" + std::to_string(i)] = i * i;
  std::string *doomed = new std::string("soon to be freed");
  delete doomed;
  g_freed = doomed;
  auto it = m.find("gamma");
  std::printf("truth: size=%zu gmap=%#lx gmap_size=%zu freed=%#lx key=%#lx key_data=%#lx\n",
              m.size(), bits(g_map), g_map->size(), bits(g_freed), bits(&it->first),
              bits(alaska_translate((void *)it->first.data())));
  std::fflush(stdout);
  alaska_print_stats();
  inspect(m, it->first, it->second);
  std::printf("done\n");
  return 0;
}
