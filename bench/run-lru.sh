#!/usr/bin/env bash
# LRU fragmentation workload (examples/lru): builds it with alaska-clang (build-bench/, release)
# and natively with clang-19 for glibc, jemalloc and mimalloc; runs each in turn (about 12 s
# each); writes RSS traces to bench/results/lru-*.csv, the plot docs/lru-rss.png and the table
# in docs/bench.md (section "lru").
#   bash bench/run-lru.sh [--only glibc,alaska] [--no-doc] [--plot-only] [--heapmaps] [-- LRU-OPTIONS]
# --heapmaps: only the two Alaska runs, with heap maps at the end of the fill and 10 s later
#   (docs/img/lru-heapmap-{before,after}.png, section lru-heapmap of docs/bench.md).
#   e.g. bash bench/run-lru.sh --no-doc -- --n1 20000 --n2 5000 --cap-mb 3 --seconds 1
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(bash bench/build.sh)
if meson introspect "$B" --targets | grep -q '"name": "lru"'; then
  bash bench/build.sh examples/lru/lru >/dev/null
fi
exec python3 bench/lru.py --build "$B" "$@"
