#!/usr/bin/env bash
# bench/build.sh TARGET... — configure the benchmarks' own meson build directory (release)
# if needed and build the given targets (at most -j2: the machine is shared).
# BENCH_BUILD overrides the directory (default: build-bench at the top of the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
B="${BENCH_BUILD:-build-bench}"
if [ ! -f "$B/build.ninja" ]; then
  meson setup "$B" --buildtype=release >/dev/null
fi
if [ "$#" -gt 0 ]; then
  ninja -C "$B" build.ninja >/dev/null # regenerate first: `meson compile` resolves targets from it
  meson compile -C "$B" -j "${BENCH_JOBS:-2}" "$@" >&2
fi
echo "$B"
