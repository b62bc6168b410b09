#!/usr/bin/env bash
# Allocator microbenchmark: glibc / jemalloc / mimalloc / Alaska halloc+hfree on single-thread
# churn and cross-thread producer/consumer. Builds what it needs in build-bench/ (release),
# runs best of 5, prints a table and writes it into docs/bench.md (section "alloc").
#   bash bench/run-alloc.sh [--runs N] [--no-doc]
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(bash bench/build.sh)
targets=()
for t in $(meson introspect "$B" --targets | python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(sys.stdin)))'); do
  case "$t" in alloc-*) targets+=("bench/$t") ;; esac
done
bash bench/build.sh "${targets[@]}" >/dev/null
exec python3 bench/alloc.py --build "$B" "$@"
