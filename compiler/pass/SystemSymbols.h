// SystemSymbols.h — names of the functions exported by libc, libm, libstdc++ and libgcc_s
// on the build machine (sorted; generated at build time by gen_system_symbols.py).
#pragma once

namespace alaska {
extern const char *const SystemSymbols[];
extern const unsigned NumSystemSymbols;
}
