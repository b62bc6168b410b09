// cxx_support.cpp — libalaska_cxx.a: the few non-template libstdc++ functions that walk
// program-allocated objects (red-black tree and list nodes, std::string arguments of
// exception constructors), rewritten here and compiled BY the Alaska pass so that they
// translate the handles they find inside the nodes. Linked into C++ programs before
// libstdc++ (the executable's definitions preempt the shared library's). The pass treats
// these names as compiled (LibcTable.cpp: Effect::CompiledCopy). Written from the
// textbook algorithms (CLRS red-black trees) against libstdc++'s node layout.
#include <list>
#include <map>
#include <new>
#include <stdexcept>
#include <string>

namespace std {

// A child link, as a member pointer: the left/right mirror cases of rotation and of both
// rebalancing loops are one template each, instantiated for both sides at compile time.
using rb_link = _Rb_tree_node_base *_Rb_tree_node_base::*;
constexpr rb_link rb_L = &_Rb_tree_node_base::_M_left;
constexpr rb_link rb_R = &_Rb_tree_node_base::_M_right;

// Rotate x down towards Near: its Far child takes its place (rb_rotate<rb_L, rb_R> is the
// textbook left rotation).
template <rb_link Near, rb_link Far>
static inline void rb_rotate(_Rb_tree_node_base *x, _Rb_tree_node_base *&root) {
  _Rb_tree_node_base *y = x->*Far;
  x->*Far = y->*Near;
  if (y->*Near) (y->*Near)->_M_parent = x;
  y->_M_parent = x->_M_parent;
  if (x == root) root = y;
  else if (x == x->_M_parent->*Near) x->_M_parent->*Near = y;
  else x->_M_parent->*Far = y;
  y->*Near = x;
  x->_M_parent = y;
}

// One step of insertion's fix-up when x's parent is its grandparent's Near child; returns
// the node to continue from.
template <rb_link Near, rb_link Far>
static inline _Rb_tree_node_base *rb_insert_fixup(_Rb_tree_node_base *x,
                                                 _Rb_tree_node_base *&root) {
  _Rb_tree_node_base *const gp = x->_M_parent->_M_parent;
  _Rb_tree_node_base *const uncle = gp->*Far;
  if (uncle && uncle->_M_color == _S_red) {
    x->_M_parent->_M_color = _S_black;
    uncle->_M_color = _S_black;
    gp->_M_color = _S_red;
    return gp;
  }
  if (x == x->_M_parent->*Far) {
    x = x->_M_parent;
    rb_rotate<Near, Far>(x, root);
  }
  x->_M_parent->_M_color = _S_black;
  gp->_M_color = _S_red;
  rb_rotate<Far, Near>(gp, root);
  return x;
}

// One step of erasure's fix-up when x is x_parent's Near child. Returns false when the
// loop is done (the extra black was absorbed by a rotation).
template <rb_link Near, rb_link Far>
static inline bool rb_erase_fixup(_Rb_tree_node_base *&x, _Rb_tree_node_base *&x_parent,
                                  _Rb_tree_node_base *&root) {
  _Rb_tree_node_base *w = x_parent->*Far;
  if (w->_M_color == _S_red) {
    w->_M_color = _S_black;
    x_parent->_M_color = _S_red;
    rb_rotate<Near, Far>(x_parent, root);
    w = x_parent->*Far;
  }
  if ((!(w->*Near) || (w->*Near)->_M_color == _S_black) &&
      (!(w->*Far) || (w->*Far)->_M_color == _S_black)) {
    w->_M_color = _S_red;
    x = x_parent;
    x_parent = x_parent->_M_parent;
    return true;
  }
  if (!(w->*Far) || (w->*Far)->_M_color == _S_black) {
    (w->*Near)->_M_color = _S_black;
    w->_M_color = _S_red;
    rb_rotate<Far, Near>(w, root);
    w = x_parent->*Far;
  }
  w->_M_color = x_parent->_M_color;
  x_parent->_M_color = _S_black;
  if (w->*Far) (w->*Far)->_M_color = _S_black;
  rb_rotate<Near, Far>(x_parent, root);
  return false;
}

_Rb_tree_node_base *_Rb_tree_increment(_Rb_tree_node_base *x) throw() {
  if (x->_M_right) {
    x = x->_M_right;
    while (x->_M_left) x = x->_M_left;
    return x;
  }
  _Rb_tree_node_base *y = x->_M_parent;
  while (x == y->_M_right) {
    x = y;
    y = y->_M_parent;
  }
  // With a single node, root and header are each other's parent: stay on the header.
  if (x->_M_right != y) x = y;
  return x;
}

const _Rb_tree_node_base *_Rb_tree_increment(const _Rb_tree_node_base *x) throw() {
  return _Rb_tree_increment(const_cast<_Rb_tree_node_base *>(x));
}

_Rb_tree_node_base *_Rb_tree_decrement(_Rb_tree_node_base *x) throw() {
  // The header (end()) is the only red node whose grandparent is itself: go to rightmost.
  if (x->_M_color == _S_red && x->_M_parent->_M_parent == x) return x->_M_right;
  if (x->_M_left) {
    _Rb_tree_node_base *y = x->_M_left;
    while (y->_M_right) y = y->_M_right;
    return y;
  }
  _Rb_tree_node_base *y = x->_M_parent;
  while (x == y->_M_left) {
    x = y;
    y = y->_M_parent;
  }
  return y;
}

const _Rb_tree_node_base *_Rb_tree_decrement(const _Rb_tree_node_base *x) throw() {
  return _Rb_tree_decrement(const_cast<_Rb_tree_node_base *>(x));
}

void _Rb_tree_insert_and_rebalance(const bool insert_left, _Rb_tree_node_base *x,
                                   _Rb_tree_node_base *p, _Rb_tree_node_base &header) throw() {
  _Rb_tree_node_base *&root = header._M_parent;
  x->_M_parent = p;
  x->_M_left = nullptr;
  x->_M_right = nullptr;
  x->_M_color = _S_red;
  if (insert_left) {
    p->_M_left = x; // also sets leftmost when p is the header
    if (p == &header) {
      header._M_parent = x;
      header._M_right = x;
    } else if (p == header._M_left) {
      header._M_left = x;
    }
  } else {
    p->_M_right = x;
    if (p == header._M_right) header._M_right = x;
  }
  while (x != root && x->_M_parent->_M_color == _S_red)
    x = x->_M_parent == x->_M_parent->_M_parent->_M_left ? rb_insert_fixup<rb_L, rb_R>(x, root)
                                                          : rb_insert_fixup<rb_R, rb_L>(x, root);
  root->_M_color = _S_black;
}

_Rb_tree_node_base *_Rb_tree_rebalance_for_erase(_Rb_tree_node_base *const z,
                                                 _Rb_tree_node_base &header) throw() {
  _Rb_tree_node_base *&root = header._M_parent;
  _Rb_tree_node_base *&leftmost = header._M_left;
  _Rb_tree_node_base *&rightmost = header._M_right;
  _Rb_tree_node_base *y = z, *x = nullptr, *x_parent = nullptr;
  if (!y->_M_left) {
    x = y->_M_right;
  } else if (!y->_M_right) {
    x = y->_M_left;
  } else {
    y = y->_M_right; // z has two children: y = successor, which has no left child
    while (y->_M_left) y = y->_M_left;
    x = y->_M_right;
  }
  if (y != z) {
    // Put y where z was.
    z->_M_left->_M_parent = y;
    y->_M_left = z->_M_left;
    if (y != z->_M_right) {
      x_parent = y->_M_parent;
      if (x) x->_M_parent = y->_M_parent;
      y->_M_parent->_M_left = x;
      y->_M_right = z->_M_right;
      z->_M_right->_M_parent = y;
    } else {
      x_parent = y;
    }
    if (root == z) root = y;
    else if (z->_M_parent->_M_left == z) z->_M_parent->_M_left = y;
    else z->_M_parent->_M_right = y;
    y->_M_parent = z->_M_parent;
    _Rb_tree_color c = y->_M_color;
    y->_M_color = z->_M_color;
    z->_M_color = c;
    y = z; // y is the node actually removed
  } else {
    x_parent = y->_M_parent;
    if (x) x->_M_parent = y->_M_parent;
    if (root == z) root = x;
    else if (z->_M_parent->_M_left == z) z->_M_parent->_M_left = x;
    else z->_M_parent->_M_right = x;
    if (leftmost == z) leftmost = z->_M_right ? _Rb_tree_node_base::_S_minimum(x) : z->_M_parent;
    if (rightmost == z) rightmost = z->_M_left ? _Rb_tree_node_base::_S_maximum(x) : z->_M_parent;
  }
  if (y->_M_color != _S_red) {
    while (x != root && (!x || x->_M_color == _S_black))
      if (!(x == x_parent->_M_left ? rb_erase_fixup<rb_L, rb_R>(x, x_parent, root)
                                   : rb_erase_fixup<rb_R, rb_L>(x, x_parent, root)))
        break;
    if (x) x->_M_color = _S_black;
  }
  return y;
}

unsigned int _Rb_tree_black_count(const _Rb_tree_node_base *node,
                                  const _Rb_tree_node_base *root) throw() {
  if (!node) return 0;
  unsigned int sum = 0;
  for (;;) {
    if (node->_M_color == _S_black) ++sum;
    if (node == root) break;
    node = node->_M_parent;
  }
  return sum;
}

namespace __detail {

void _List_node_base::swap(_List_node_base &x, _List_node_base &y) noexcept {
  const bool x_empty = x._M_next == &x, y_empty = y._M_next == &y;
  if (!x_empty && !y_empty) {
    _List_node_base *n = x._M_next, *p = x._M_prev;
    x._M_next = y._M_next;
    x._M_prev = y._M_prev;
    y._M_next = n;
    y._M_prev = p;
    x._M_next->_M_prev = x._M_prev->_M_next = &x;
    y._M_next->_M_prev = y._M_prev->_M_next = &y;
  } else if (!x_empty) {
    y._M_next = x._M_next;
    y._M_prev = x._M_prev;
    y._M_next->_M_prev = y._M_prev->_M_next = &y;
    x._M_next = x._M_prev = &x;
  } else if (!y_empty) {
    x._M_next = y._M_next;
    x._M_prev = y._M_prev;
    x._M_next->_M_prev = x._M_prev->_M_next = &x;
    y._M_next = y._M_prev = &y;
  }
}

void _List_node_base::_M_transfer(_List_node_base *const first,
                                  _List_node_base *const last) noexcept {
  if (this == last) return;
  // Remove [first, last) from its list and splice it in before this.
  last->_M_prev->_M_next = this;
  first->_M_prev->_M_next = last;
  this->_M_prev->_M_next = first;
  _List_node_base *const before_this = this->_M_prev;
  this->_M_prev = last->_M_prev;
  last->_M_prev = first->_M_prev;
  first->_M_prev = before_this;
}

void _List_node_base::_M_reverse() noexcept {
  _List_node_base *n = this;
  do {
    _List_node_base *next = n->_M_next;
    n->_M_next = n->_M_prev;
    n->_M_prev = next;
    n = next;
  } while (n != this);
}

void _List_node_base::_M_hook(_List_node_base *const position) noexcept {
  this->_M_next = position;
  this->_M_prev = position->_M_prev;
  position->_M_prev->_M_next = this;
  position->_M_prev = this;
}

void _List_node_base::_M_unhook() noexcept {
  _List_node_base *const next = this->_M_next, *const prev = this->_M_prev;
  prev->_M_next = next;
  next->_M_prev = prev;
}

} // namespace __detail
} // namespace std

// Exception constructors taking a std::string read its heap buffer: construct through the
// const char * overloads instead (the pass passes c_str()'s translated address).
#define ALASKA_STRING_CTOR(Class)                                                          \
  extern "C" void alaska_cxx_##Class##_from_string(void *self, const std::string &what) {  \
    new (self) std::Class(what.c_str());                                                   \
  }
ALASKA_STRING_CTOR(logic_error)
ALASKA_STRING_CTOR(domain_error)
ALASKA_STRING_CTOR(invalid_argument)
ALASKA_STRING_CTOR(length_error)
ALASKA_STRING_CTOR(out_of_range)
ALASKA_STRING_CTOR(runtime_error)
ALASKA_STRING_CTOR(range_error)
ALASKA_STRING_CTOR(overflow_error)
ALASKA_STRING_CTOR(underflow_error)

// std::getline and operator>> for std::string are explicit specializations defined in
// libstdc++.so (not affected by the prelude): they write into the string's heap buffer.
// Same observable behaviour, written against the public streambuf interface.
#include <istream>
#include <limits>
#include <locale>

#pragma clang diagnostic ignored "-Wreturn-type-c-linkage" // only called from IR, by name

extern "C" std::istream &alaska_cxx_getline_delim(std::istream &in, std::string &str,
                                                  char delim) {
  typedef std::char_traits<char> traits;
  std::size_t extracted = 0;
  std::ios_base::iostate err = std::ios_base::goodbit;
  std::istream::sentry ok(in, true);
  if (ok) {
    str.erase();
    std::streambuf *sb = in.rdbuf();
    const traits::int_type idelim = traits::to_int_type(delim), eof = traits::eof();
    traits::int_type c = sb->sgetc();
    for (;;) {
      if (traits::eq_int_type(c, eof)) {
        err |= std::ios_base::eofbit;
        break;
      }
      if (traits::eq_int_type(c, idelim)) {
        ++extracted;
        sb->sbumpc();
        break;
      }
      if (str.size() == str.max_size()) {
        err |= std::ios_base::failbit;
        break;
      }
      str.push_back(traits::to_char_type(c));
      ++extracted;
      c = sb->snextc();
    }
  }
  if (!extracted) err |= std::ios_base::failbit;
  if (err) in.setstate(err);
  return in;
}

extern "C" std::istream &alaska_cxx_getline(std::istream &in, std::string &str) {
  return alaska_cxx_getline_delim(in, str, in.widen('\n'));
}

extern "C" std::istream &alaska_cxx_extract_string(std::istream &in, std::string &str) {
  typedef std::char_traits<char> traits;
  std::size_t extracted = 0;
  std::ios_base::iostate err = std::ios_base::goodbit;
  std::istream::sentry ok(in, false); // skips leading whitespace
  if (ok) {
    str.erase();
    const std::streamsize w = in.width();
    const std::size_t n = w > 0 ? static_cast<std::size_t>(w) : str.max_size();
    const std::ctype<char> &ct = std::use_facet<std::ctype<char>>(in.getloc());
    std::streambuf *sb = in.rdbuf();
    const traits::int_type eof = traits::eof();
    traits::int_type c = sb->sgetc();
    while (extracted < n && !traits::eq_int_type(c, eof) &&
           !ct.is(std::ctype_base::space, traits::to_char_type(c))) {
      str.push_back(traits::to_char_type(c));
      ++extracted;
      c = sb->snextc();
    }
    if (traits::eq_int_type(c, eof)) err |= std::ios_base::eofbit;
    in.width(0);
  }
  if (!extracted) err |= std::ios_base::failbit;
  if (err) in.setstate(err);
  return in;
}

// Formatted numeric extraction: the num_get facet (in libstdc++.so, uncompiled) reads the
// stream buffer's get area through inline sgetc(); a string stream's get area is a handle.
// So the number's characters are first copied from the get area (compiled code: translated)
// into a raw stack buffer, parsed there by the facet, and then consumed from the real
// stream. The table redirects basic_istream<char>::_M_extract<T> and operator>>(int&/short&)
// here.
namespace {
struct GetArea : std::streambuf {
  static char *cur(std::streambuf *b) { return static_cast<GetArea *>(b)->gptr(); }
  static char *end(std::streambuf *b) { return static_cast<GetArea *>(b)->egptr(); }
};
// A raw (stack) window on the real stream buffer's get area. The facet reads the window;
// when it runs out, underflow() consumes what was read from the real buffer, lets the real
// buffer refill (a stringbuf extends its get area lazily) and copies the next chunk.
struct RawWindow : std::streambuf {
  static constexpr std::size_t Size = 512;
  std::streambuf *real;
  char buf[Size];
  explicit RawWindow(std::streambuf *r) : real(r) { setg(buf, buf, buf); }
  void consume() {
    for (char *p = eback(); p < gptr(); ++p) real->sbumpc();
    setg(buf, buf, buf);
  }
  int_type underflow() override {
    consume();
    const int_type next = real->sgetc();
    if (traits_type::eq_int_type(next, traits_type::eof())) return traits_type::eof();
    const char *cur = GetArea::cur(real), *end = GetArea::end(real);
    std::size_t n = static_cast<std::size_t>(end - cur);
    if (n > Size) n = Size;
    for (std::size_t i = 0; i < n; i++) buf[i] = cur[i];
    if (n == 0) { // unbuffered (std::cin's stdio_sync_filebuf): one character at a time
      buf[0] = traits_type::to_char_type(next);
      n = 1;
    }
    setg(buf, buf, buf + n);
    return traits_type::to_int_type(buf[0]);
  }
};

// Returns false when the sentry failed (it set the stream state; v is left untouched).
template <class T>
bool extract_core(std::istream &in, T &v, std::ios_base::iostate &err) {
  err = std::ios_base::goodbit;
  std::istream::sentry ok(in, false);
  if (!ok) return false;
  RawWindow window(in.rdbuf());
  const std::num_get<char> &ng = std::use_facet<std::num_get<char>>(in.getloc());
  ng.get(std::istreambuf_iterator<char>(&window), std::istreambuf_iterator<char>(), in, err, v);
  window.consume();
  return true;
}

template <class T> std::istream &extract(std::istream &in, T &v) {
  std::ios_base::iostate err;
  extract_core(in, v, err);
  if (err) in.setstate(err);
  return in;
}

// operator>>(int&) / (short&) parse a long and clamp, as libstdc++ does.
template <class Narrow> std::istream &extract_narrow(std::istream &in, Narrow &v) {
  long l = 0;
  std::ios_base::iostate err;
  if (!extract_core(in, l, err)) return in;
  if (l < std::numeric_limits<Narrow>::min()) {
    err |= std::ios_base::failbit;
    v = std::numeric_limits<Narrow>::min();
  } else if (l > std::numeric_limits<Narrow>::max()) {
    err |= std::ios_base::failbit;
    v = std::numeric_limits<Narrow>::max();
  } else {
    v = static_cast<Narrow>(l);
  }
  if (err) in.setstate(err);
  return in;
}
} // namespace

#define ALASKA_EXTRACT(name, T)                                                            \
  extern "C" std::istream &alaska_cxx_extract_##name(std::istream &in, T &v) {             \
    return extract(in, v);                                                                 \
  }
ALASKA_EXTRACT(long, long)
ALASKA_EXTRACT(ushort, unsigned short)
ALASKA_EXTRACT(uint, unsigned int)
ALASKA_EXTRACT(ulong, unsigned long)
ALASKA_EXTRACT(llong, long long)
ALASKA_EXTRACT(ullong, unsigned long long)
ALASKA_EXTRACT(bool, bool)
ALASKA_EXTRACT(float, float)
ALASKA_EXTRACT(double, double)
ALASKA_EXTRACT(ldouble, long double)
ALASKA_EXTRACT(ptr, void *)
extern "C" std::istream &alaska_cxx_extract_int(std::istream &in, int &v) {
  return extract_narrow(in, v);
}
extern "C" std::istream &alaska_cxx_extract_short(std::istream &in, short &v) {
  return extract_narrow(in, v);
}

// std::thread's constructor hands libstdc++'s _M_start_thread a unique_ptr holding the
// thread state, a compiled object (a handle); libstdc++ starts the thread in its own
// execute_native_thread_routine, which dereferences it. Same steps as libstdc++
// (src/c++11/thread.cc), with the routine compiled here: pthread_create passes the state
// through untouched (LibcTable: Opaque) and the new thread runs it as compiled code.
#include <condition_variable>
#include <pthread.h>
#include <system_error>
#include <thread>

static void *alaska_cxx_thread_routine(void *state) {
  std::thread::_State_ptr owned{static_cast<std::thread::_State *>(state)};
  owned->_M_run();
  return nullptr;
}

extern "C" void alaska_cxx_thread_start(std::thread *self, std::thread::_State_ptr state,
                                        void (*)()) {
  // std::thread is exactly its id, which is exactly a pthread_t (libstdc++ on glibc).
  static_assert(sizeof(std::thread) == sizeof(pthread_t), "std::thread layout");
  int err = pthread_create(reinterpret_cast<pthread_t *>(self), nullptr,
                           alaska_cxx_thread_routine, state.get());
  if (err) std::__throw_system_error(err);
  state.release(); // the new thread owns it now
}

// condition_variable::wait(unique_lock<mutex>&) is out of line in libstdc++ and reads the
// lock's mutex pointer, a handle when the mutex lives in a heap object.
extern "C" void alaska_cxx_condvar_wait(std::condition_variable *cv,
                                        std::unique_lock<std::mutex> &lock) {
  int err = pthread_cond_wait(cv->native_handle(), lock.mutex()->native_handle());
  (void)err; // as libstdc++: only EINVAL/EPERM, i.e. a caller that does not hold the lock
}

// ostream << number: libstdc++'s num_put facet (uncompiled) writes the digits through an
// ostreambuf_iterator, i.e. calls the stream buffer's virtual xsputn/overflow with the raw
// address of a compiled object. A std::stringbuf reached that way compares its string's
// self-pointer (stored as a handle) with the raw address of its local buffer, takes a short
// string for a heap one and corrupts its put area (seen in leveldb's db_test, design.md
// §5.5). The table redirects basic_ostream<char>::_M_insert<T> here: the facet formats into a
// raw stack buffer, and compiled code hands the characters to the real buffer.
#include <ostream>
namespace {
struct RawSink : std::streambuf {
  char buf[256];
  std::streambuf *real;
  bool failed = false;
  explicit RawSink(std::streambuf *r) : real(r) { setp(buf, buf + sizeof buf); }
  void drain() {
    std::streamsize n = pptr() - pbase();
    if (n > 0 && real->sputn(pbase(), n) != n) failed = true;
    setp(buf, buf + sizeof buf);
  }
  int_type overflow(int_type c) override {
    drain();
    if (failed) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
};

template <class T> std::ostream &insert(std::ostream &os, T v) {
  std::ostream::sentry ok(os);
  if (!ok) return os;
  try {
    RawSink sink(os.rdbuf());
    const std::num_put<char> &np = std::use_facet<std::num_put<char>>(os.getloc());
    bool bad = np.put(std::ostreambuf_iterator<char>(&sink), os, os.fill(), v).failed();
    sink.drain();
    if (bad || sink.failed) os.setstate(std::ios_base::badbit);
  } catch (std::ios_base::failure &) {
    throw; // setstate above, with badbit in exceptions()
  } catch (...) {
    os.setstate(std::ios_base::badbit);
  }
  return os;
}
} // namespace

#define ALASKA_INSERT(name, T)                                                             \
  extern "C" std::ostream &alaska_cxx_insert_##name(std::ostream &os, T v) {               \
    return insert(os, v);                                                                  \
  }
ALASKA_INSERT(long, long)
ALASKA_INSERT(ulong, unsigned long)
ALASKA_INSERT(llong, long long)
ALASKA_INSERT(ullong, unsigned long long)
ALASKA_INSERT(bool, bool)
ALASKA_INSERT(double, double)
ALASKA_INSERT(ldouble, long double)
ALASKA_INSERT(ptr, const void *)
