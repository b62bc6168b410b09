#!/usr/bin/env bash
# Allocator microbenchmark: glibc / jemalloc / mimalloc / Alaska halloc+hfree on single-thread
# churn and cross-thread producer/consumer. Builds what it needs in build-bench/ (release),
# runs best of 5, prints a table and writes it into docs/bench.md (section "alloc").
#   bash bench/run-alloc.sh [--runs N] [--no-doc] [--alaska-variant NAME:BUILD_DIR] (A/B: another
#                           tree's build-bench with bench/alloc-alaska built)
# With --real: the real-program table instead (bench/alloc_real.py, section "alloc-real"):
# allocation-heavy programs from Debian sources (jq, lua, gawk, bc; bench/debian_programs.py)
# built with clang-19 (glibc), + -lmimalloc, + -ljemalloc and alaska-clang, CPU time and peak
# RSS of interleaved runs, outputs checked; and an empty program's start-up time.
#   bash bench/run-alloc.sh --real [--runs N] [--programs a,b] [--startup-runs N] [--no-doc]
# On a shared machine: BENCH_HEAVY=/work/tools/heavy BENCH_QUIET=/work/tools/heavy (builds'
# compiler commands / the one timed phase take the machine's lock).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--real" ]; then
  shift
  # alaska-clang: the pass plugin, the runtime, the C++ support library, the gdb auto-load object
  B=$(${BENCH_HEAVY:-} bash bench/build.sh alaska-toolchain)
  exec python3 bench/alloc_real.py --build "$B" "$@"
fi
B=$(bash bench/build.sh)
targets=()
for t in $(meson introspect "$B" --targets | python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(sys.stdin)))'); do
  case "$t" in alloc-*) targets+=("bench/$t") ;; esac
done
bash bench/build.sh "${targets[@]}" >/dev/null
exec python3 bench/alloc.py --build "$B" "$@"
