#!/usr/bin/env bash
# Run-time overhead of Alaska (issues 4, 14): bench/overhead/*.c and real programs from Debian
# source packages (sqlite, lua, xz, zstd, gawk, redis: bench/debian_programs.py, sources via
# scripts/debian-source.sh, nothing committed) built with `clang-19 -O2`, `alaska-clang -O2`
# and one Alaska build per lever variant; outputs checked; min and median of N interleaved
# runs of whole-process CPU time, .text ratio, translation sites per raw-pointer rule, Redis
# throughput, SQLite amalgamation compile time. Builds the pass plugin, runtime and driver in
# build-bench/ (release) first; the Debian programs are cached in build-debian/. Rewrites the
# "overhead" section of docs/bench.md.
#   bash bench/run-overhead.sh [--runs N] [--programs a,b] [--flag-variant 'NAME:FLAGS']
#                              [--toolchain-variant NAME:BUILD_DIR] (another tree's build-bench)
#                              [--env-variant NAME:VAR=VAL] [--no-levers] [--compile-runs N]
#                              [--no-doc]
# On a shared machine: BENCH_HEAVY=/work/tools/heavy BENCH_QUIET=/work/tools/quiet wrap the
# builds and each timed phase (one per program) in the machine's locks.
set -euo pipefail
cd "$(dirname "$0")/.."
# alaska-clang links the C++ support library and the gdb auto-load object into every program
B=$(${BENCH_HEAVY:-} bash bench/build.sh alaska-toolchain)
exec python3 bench/overhead.py --build "$B" "$@"
