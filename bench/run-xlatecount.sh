#!/usr/bin/env bash
# What executed translations hit (issue 14, levers 4 and 5): the overhead suite built with
# `-mllvm -alaska-count-translations` and bench/xlatecount/xlatecount.c; counts of raw,
# handle and large-object translations per program into the "xlatecount" section of
# docs/bench.md. Not a timing benchmark (no locks needed beyond BENCH_HEAVY for builds).
#   bash bench/run-xlatecount.sh [--programs a,b] [--flags 'EXTRA'] [--no-doc]
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(${BENCH_HEAVY:-} bash bench/build.sh alaska-toolchain)
exec python3 bench/xlatecount.py --build "$B" "$@"
