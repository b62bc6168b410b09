/*
 * cxx_prelude.h — force-included (-include) by alaska-clang++ into every C++ translation
 * unit. libstdc++ declares `extern template` for std::string, streams and friends, so their
 * members would be called in libstdc++.so (not compiled by Alaska) with objects that hold
 * handles. Turning _GLIBCXX_EXTERN_TEMPLATE off makes every such template instantiate in
 * the translation unit, where the pass compiles it. (c++config.h defines the macro
 * unconditionally, hence include it first and redefine.) See docs/design.md §5.5.
 */
#if defined(__cplusplus) && __has_include(<bits/c++config.h>)
#include <bits/c++config.h>
#undef _GLIBCXX_EXTERN_TEMPLATE
#define _GLIBCXX_EXTERN_TEMPLATE 0
#endif
