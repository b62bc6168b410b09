#!/usr/bin/env bash
# Installs everything Alaska needs to build, test and benchmark on Debian 12 (bookworm).
# Idempotent; run as root (CI and the dev machines are root) or with sudo available.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
PKGS=(
  llvm-19-dev clang-19 lld-19 llvm-19-tools   # the compiler we plug into
  meson ninja-build pkg-config python3        # build
  libmimalloc-dev libjemalloc-dev             # allocators we benchmark against
  gcc-12-source xz-utils                      # GCC torture suite (extracted by the test)
  gnuplot-nox                                 # plots in docs/
  gdb                                         # debug suite (gdb/alaska.py, live and core files)
  dpkg-dev tcl tcl-dev cmake                  # realworld suite: Debian sources (SQLite's
  googletest libgtest-dev libgmock-dev        #   testfixture links Tcl; Redis's runtest is
  libbenchmark-dev                            #   Tcl; leveldb: CMake, gtest/gmock, benchmark)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
