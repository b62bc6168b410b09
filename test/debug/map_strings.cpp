// Debug suite (run_debug.py): a std::map of std::string keys, whose tree nodes and long keys
// live behind handles. The test stops in inspect(), called from a method of a heap object
// (`this` is a handle), and checks that gdb prints the map, a vector and their strings
// (libstdc++'s pretty printers, through the Alaska extension) and the object's members
// against the `truth:` line this program prints.
#include <alaska.h>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

std::map<std::string, int> *g_map;  // a second map, itself on the heap
std::string *g_freed;               // dangling: deleted
std::vector<std::string> *g_names;  // on the heap, as are its elements' long buffers

__attribute__((noinline)) void inspect(const std::map<std::string, int> &m, const std::string &key,
                                       int value) {
  __asm__ volatile("" : : "r"(&m), "r"(&key), "r"(value) : "memory");
}

struct Counter {
  int hits;
  std::string label;
  // Uses `this` after the call, so that gdb can show it in this frame at -O2 too.
  __attribute__((noinline)) void report(const std::map<std::string, int> &m,
                                        const std::string &key, int value) {
    hits++;
    inspect(m, key, value);
    hits += value;
  }
};

static unsigned long bits(const void *p) { return (unsigned long)(uintptr_t)p; }

int main() {
  std::map<std::string, int> m;
  m["alpha"] = 1;
  m["a key that is long enough to live in its own heap block"] = 2;
  m["gamma"] = 3;
  g_map = new std::map<std::string, int>;
  for (int i = 0; i < 10; i++) (*g_map)["k" + std::to_string(i)] = i * i;
  g_names = new std::vector<std::string>{"x", "y", "a name that needs a heap buffer too"};
  Counter *counter = new Counter{41, "a label long enough for a heap buffer"};
  std::string *doomed = new std::string("soon to be freed");
  delete doomed;
  g_freed = doomed;
  auto it = m.find("gamma");
  std::printf("truth: size=%zu gmap=%#lx gmap_size=%zu freed=%#lx key=%#lx key_data=%#lx "
              "counter=%#lx counter_raw=%#lx\n",
              m.size(), bits(g_map), g_map->size(), bits(g_freed), bits(&it->first),
              bits(alaska_translate((void *)it->first.data())), bits(counter),
              bits(alaska_translate(counter)));
  std::fflush(stdout);
  alaska_print_stats();
  counter->report(m, it->first, it->second);
  std::printf("done: hits=%d\n", counter->hits);
  return counter->hits == 45 ? 0 : 1;
}
