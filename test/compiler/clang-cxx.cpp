// C++ through clang++-19 -O2 -fpass-plugin with the prelude: libstdc++ node algorithms are
// called with handles (compiled copies in libalaska_cxx.a), string-taking exception
// constructors and numeric extraction are redirected, std::string code is in the TU.
// RUN: %clangxx -O2 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clangxx -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=STR
// RUN: %clangxx -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=NODE
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

// Node insertion: the node comes from operator new -> alaska_new, and the rebalancing
// call keeps its `tail` marker: it receives handles (a call given translated pointers
// loses `tail`).
// NODE-LABEL: define {{.*}}@_ZNSt8_Rb_tree{{.*}}_M_emplace_hint_unique
// NODE: call {{.*}}@alaska_new(i64 40)
// NODE: tail call void @_ZSt29_Rb_tree_insert_and_rebalancebPSt18_Rb_tree_node_baseS0_RS_(
void insert(std::map<int, int> &m, int k) { m[k] = k; }

// CHECK-LABEL: define {{.*}}@_Z4failRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE(
// CHECK: invoke void @alaska_cxx_runtime_error_from_string(
void fail(const std::string &s) { throw std::runtime_error(s); }

// CHECK-LABEL: define {{.*}}@_Z5parseRNSt7__cxx1119basic_istringstreamIcSt11char_traitsIcESaIcEEE(
// CHECK: call {{.*}}@alaska_cxx_extract_int(
int parse(std::istringstream &in) { int x = 0; in >> x; return x; }

// The prelude instantiates std::string members in the TU: none is left to libstdc++.so
// (without it, _M_construct and _M_replace are declarations).
// STR-NOT: declare {{.*}}@_ZNSt7__cxx1112basic_string
std::string grow(std::string s) { return s + std::string(100, 'x'); }
