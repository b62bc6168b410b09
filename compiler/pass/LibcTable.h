// LibcTable.h — the ONE declared table of libc/libstdc++ behaviours that naive argument
// translation gets wrong (docs/design.md §5.3). alaska-escape applies it; nothing else in
// the pass special-cases a libc function by name.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace alaska {

enum class Effect {
  // The result points into argument A (strchr, memchr, bsearch...): turn it back into a
  // handle: A_handle + (result - A_translated) when A is a handle and the result lies
  // within the range A's handle addresses (same id); otherwise (NULL, static strings) unchanged.
  ResultFrom,
  // *(argument A) (a char **) is set to point into argument B (strtol's end pointer):
  // re-handle the stored pointer the same way after the call (A may be NULL).
  OutPtrFrom,
  // Argument A is referenced by the library after the call returns (setvbuf's buffer):
  // pin the object forever (ALASKA_RT_PIN_FOREVER), then pass the raw address.
  PinForever,
  // Argument A is never dereferenced by the library, only handed back to compiled code
  // (pthread_create's arg, bsearch's key, pthread_setspecific's value): pass the handle.
  Opaque,
  // Pointers to pointers / structs of pointers, or reallocation of program memory
  // (getline, writev, strtok...): call the runtime wrapper `Wrapper` (runtime/interop/escape.c),
  // same signature, which receives the handles unchanged.
  Wrap,
  // libstdc++ code that walks program-allocated nodes (red-black tree rebalancing, list
  // splicing): libalaska_cxx.a (compiler/pass/cxx/, compiled by this pass) defines the
  // same symbol, so the call is treated as a call to compiled code (handles passed).
  CompiledCopy,
  // Every direct call to this function, even to a definition in the module (a libstdc++
  // template instantiated in the TU), goes to `Wrapper` (libalaska_cxx.a): for library
  // code whose helpers in libstdc++.so would read program memory (numeric extraction).
  Redirect,
  // The result may be a handle the program gave the library earlier through an Opaque
  // argument (pthread_getspecific): not "provably raw" like other library results.
  ReturnsOpaque,
};

struct LibcRule {
  const char *Function;
  Effect Kind;
  int A;
  int B;
  const char *Wrapper;
};

struct LibcRules {
  const LibcRule *First;
  unsigned Count;
};

// All rules for a function name (sorted table, binary search).
LibcRules findLibcRules(llvm::StringRef Name);

} // namespace alaska
