#!/usr/bin/env bash
# check-install.sh — prove that `meson install` gives working drivers in a fresh prefix.
# Configures a separate build with --prefix=<temp dir>, installs, moves the build tree out of
# the way (so nothing can silently use build-tree paths), then compiles and runs a C and a
# C++ program with <prefix>/bin/alaska-clang[++] and checks they allocated through Alaska;
# then that gdb loads the installed extension for a program built with the installed
# alaska-clang: with README "Debugging"'s one gdbinit line (auto-load), and with its manual
# `source` line.
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
  for var in plugin runtime_libdir cxx_prelude cxx_support_lib gdb_autoload; do
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

# ---- gdb: the program names the installed extension; gdb loads it (README "Debugging") ----
script="$prefix/share/alaska/gdb/alaska.py"
[ -f "$script" ] || { echo "alaska: check-install: $script not installed" >&2; status=1; }
cat > "$work/g.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
struct pt { long x, y; struct pt *next; };
__attribute__((noinline)) long show(struct pt *p) { return p->x + p->next->y; }
int main(void) {
  struct pt *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  a->x = 3; a->y = 4; a->next = b; b->x = 5; b->y = 6; b->next = NULL;
  printf("%ld\n", show(a));
  free(b); free(a);
  return 0;
}
C
"$prefix/bin/alaska-clang" -g -O0 "$work/g.c" -o "$work/g.exe"
if ! readelf -p .debug_gdb_scripts "$work/g.exe" | grep -qF "$script"; then
  echo "alaska: check-install: g.exe has no .debug_gdb_scripts entry naming $script" >&2
  status=1
fi
# A fresh user: no gdbinit of their own (HOME is empty), Debian's system gdbinit kept.
home="$work/home"
rm -rf "$home"; mkdir -p "$home"
run_gdb() { # extra gdb arguments...; prints gdb's output
  HOME="$home" XDG_CONFIG_HOME="$home/.config" gdb -batch "$@" -iex 'set debuginfod enabled off' \
    -ex 'break show' -ex run -ex 'print *$alaska(p)' -ex 'ap p->next->y' \
    -ex 'info auto-load python-scripts' "$work/g.exe" 2>&1 || true
}
expect_session() { # name, output
  if ! grep -q '^\$1 = {x = 3, y = 4, next = 0x8000[0-9a-f]* -> 0x[0-9a-f]* (alaska id [0-9]*)}$' <<<"$2" ||
     ! grep -q '^\$2 = 6$' <<<"$2"; then
    echo "alaska: check-install: gdb ($1) did not see through handles:" >&2
    echo "$2" >&2
    status=1
  else
    echo "check-install: gdb ($1): print *\$alaska(p) and ap p->next->y work"
  fi
}
# 1. Debian's default auto-load safe-path ($debugdir:$datadir/auto-load) declines the script,
#    and says so, naming it: the section works, gdb's policy refuses files outside it.
out="$(run_gdb)"
if ! grep -qF "File \"$script\" auto-loading has been declined by your \`auto-load safe-path'" <<<"$out"; then
  echo "alaska: check-install: gdb without configuration did not name (and decline) $script:" >&2
  echo "$out" >&2
  status=1
else
  echo "check-install: gdb (default safe-path): declines $script, as documented"
fi
# 2. README's one line in ~/.config/gdb/gdbinit: auto-loaded from then on.
mkdir -p "$home/.config/gdb"
echo "add-auto-load-safe-path $prefix/share/alaska/gdb" > "$home/.config/gdb/gdbinit"
out="$(run_gdb)"
grep -qE "^Yes +$script" <<<"$out" || { echo "alaska: check-install: $script not auto-loaded" >&2; status=1; }
expect_session "auto-load, one gdbinit line" "$out"
rm -f "$home/.config/gdb/gdbinit"
# 3. The manual fallback: `source <prefix>/share/alaska/gdb/alaska.py`.
expect_session "manual source" "$(run_gdb -ex "source $script")"

mv "$work/build.hidden" "$work/build"
[ "$status" -eq 0 ] && echo "check-install: OK (prefix $prefix)"
exit "$status"
