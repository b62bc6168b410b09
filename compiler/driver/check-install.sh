#!/usr/bin/env bash
# check-install.sh — prove that `meson install` gives working drivers in a fresh prefix.
# Configures a separate build with --prefix=<temp dir>, installs, moves the build tree out of
# the way (so nothing can silently use build-tree paths), then compiles and runs a C and a
# C++ program with <prefix>/bin/alaska-clang[++] and checks they allocated through Alaska.
#   usage: bash compiler/driver/check-install.sh [workdir]     (default: /tmp/alaska-install-check)
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-/tmp/alaska-install-check}"
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
meson setup "$work/build" "$src" --prefix="$prefix" >/dev/null
meson compile -C "$work/build" -j 2 >/dev/null
meson install -C "$work/build" >/dev/null
mv "$work/build" "$work/build.hidden"   # installed drivers must not need the build tree
# Every Alaska path baked into an installed driver must lie in the prefix.
for d in alaska-clang alaska-clang++; do
  for var in plugin runtime_libdir cxx_prelude cxx_support_lib; do
    value="$(sed -n "s/^$var='\(.*\)'\$/\1/p" "$prefix/bin/$d")"
    case "$value" in
      "$prefix"/*) ;;
      *) echo "alaska: check-install: $d: $var='$value' is not under $prefix" >&2; exit 1 ;;
    esac
  done
done

cat > "$work/t.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) { char *s = strdup("installed alaska-clang works"); puts(s); free(s); return 0; }
C
cat > "$work/t.cpp" <<'CXX'
#include <cstdio>
#include <map>
#include <string>
int main() { std::map<int, std::string> m;   // rb-tree nodes: needs the installed libalaska_cxx.a
  for (int i = 0; i < 100; i++) m[i % 10] += "x";
  auto *s = new std::string("installed alaska-clang++ works");
  if (m.size() != 10 || m[3].size() != 10) return 1;
  std::puts(s->c_str()); delete s; return 0; }
CXX
status=0
for pair in "alaska-clang t.c" "alaska-clang++ t.cpp"; do
  set -- $pair
  "$prefix/bin/$1" --version | grep '^Alaska' 
  "$prefix/bin/$1" -O2 "$work/$2" -o "$work/$2.exe"
  out="$(ALASKA_STATS=1 "$work/$2.exe" 2>"$work/$2.err")"
  echo "$out"
  if ! grep -Eq '^alaska-stats: halloc=[1-9]' "$work/$2.err"; then
    echo "alaska: check-install: $1: program did not allocate through Alaska" >&2
    cat "$work/$2.err" >&2
    status=1
  fi
  if ldd "$work/$2.exe" | grep -q "$work/build"; then
    echo "alaska: check-install: $1: binary refers to the build tree" >&2
    status=1
  fi
done
mv "$work/build.hidden" "$work/build"
[ "$status" -eq 0 ] && echo "check-install: OK (prefix $prefix)"
exit "$status"
