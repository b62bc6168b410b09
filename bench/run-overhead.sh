#!/usr/bin/env bash
# Run-time overhead of Alaska: bench/overhead/*.c built with `alaska-clang -O2` and with
# `clang-19 -O2`, outputs compared, best of 5, per-program overhead, geomean and worst.
# Builds the pass plugin, runtime and driver in build-bench/ (release) first; writes the
# table into docs/bench.md (section "overhead").
#   bash bench/run-overhead.sh [--runs N] [--programs a,b] [--env-variant NAME:VAR=VAL]
#                              [--flag-variant 'NAME:FLAGS'] [--no-doc]
set -euo pipefail
cd "$(dirname "$0")/.."
# alaska-clang links the C++ support library (libalaska_cxx.a) into every program
B=$(bash bench/build.sh compiler/pass/AlaskaPass compiler/pass/alaska-cxx runtime/alaska)
exec python3 bench/overhead.py --build "$B" "$@"
