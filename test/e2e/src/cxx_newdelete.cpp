// new/delete in all shapes: scalar and array new, virtual classes through base pointers,
// placement new, nothrow new, over-aligned new, unique_ptr/shared_ptr/weak_ptr, a class
// with its own operator new forwarding to ::operator new.
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>
#include "check.hpp"

struct animal {
  std::string name;
  explicit animal(std::string n) : name(std::move(n)) {}
  virtual ~animal() = default;
  virtual std::string speak() const = 0;
};
struct dog : animal { int tricks; dog(int t) : animal("dog"), tricks(t) {} std::string speak() const override { return name + " woofs x" + std::to_string(tricks); } };
struct cat : animal { cat() : animal("cat") {} std::string speak() const override { return name + " meows"; } };

struct alignas(64) aligned_block { double v[8]; };
static int pool_news = 0;
struct pooled {
  int a, b;
  static void *operator new(std::size_t n) { pool_news++; return ::operator new(n); }
  static void operator delete(void *p) { ::operator delete(p); }
};

int main() {
  std::vector<animal *> zoo;
  for (int i = 0; i < 10; i++) zoo.push_back(i % 3 ? static_cast<animal *>(new dog(i)) : new cat());
  std::string all;
  for (auto *a : zoo) all += a->speak() + ";";
  for (auto *a : zoo) delete a;
  std::printf("%s\n", all.c_str());

  int *arr = new int[1000];
  for (int i = 0; i < 1000; i++) arr[i] = i * 3;
  long s = 0;
  for (int i = 0; i < 1000; i++) s += arr[i];
  delete[] arr;
  std::string *strs = new std::string[5]{"a", "bb", "ccc", "dddd", std::string(100, 'e')};
  size_t total = 0;
  for (int i = 0; i < 5; i++) total += strs[i].size();
  delete[] strs;
  std::printf("array sum=%ld strings=%zu\n", s, total);

  void *raw = ::operator new(sizeof(dog));
  dog *d = new (raw) dog(42);
  std::printf("placement: %s\n", d->speak().c_str());
  d->~dog();
  ::operator delete(raw);

  int *nt = new (std::nothrow) int[16]();
  CHECK(nt != nullptr && nt[15] == 0);
  delete[] nt;

  aligned_block *ab = new aligned_block[3];
  for (int i = 0; i < 3; i++) for (int k = 0; k < 8; k++) ab[i].v[k] = i + k * 0.5;
  double as = 0;
  for (int i = 0; i < 3; i++) for (int k = 0; k < 8; k++) as += ab[i].v[k];
  delete[] ab;
  auto single = std::make_unique<aligned_block>();
  single->v[7] = 2.5;
  std::printf("aligned sum=%.1f last=%.1f\n", as, single->v[7]);

  pooled *p = new pooled{1, 2};
  delete p;
  std::shared_ptr<std::vector<int>> sp = std::make_shared<std::vector<int>>(50, 4);
  std::weak_ptr<std::vector<int>> wp = sp;
  {
    auto sp2 = sp;
    sp2->push_back(9);
    std::printf("shared use_count=%ld size=%zu\n", sp.use_count(), sp->size());
  }
  sp.reset();
  std::printf("weak expired=%d pool_news=%d\n", wp.expired() ? 1 : 0, pool_news);
  std::unique_ptr<int[]> up(new int[64]);
  for (int i = 0; i < 64; i++) up[i] = i;
  std::printf("unique[63]=%d\n", up[63]);
  return 0;
}
