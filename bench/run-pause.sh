#!/usr/bin/env bash
# Compaction pause benchmark: p50/p99/max of alaska_compact() vs live MiB to move (0.25, 1, 4)
# and worker threads (1, 2, 4, 8), busy and mixed workers. Builds the pass, runtime and driver
# in build-bench/ (release), compiles bench/pause/pause.c with alaska-clang, writes the table
# into docs/bench.md (section "pause"); plus budgeted barriers (0/256/1024/4096 KiB) from
# test/stress/pause_bench.
#   bash bench/run-pause.sh [--reps N] [--threads 1,8] [--mib 1] [--modes busy] [--ttsp none,qsort] [--no-doc]
# and a time-to-stop table (bench/pause/ttsp.c: 8 spinning threads plus one in qsort, memcpy,
# read or nanosleep).
set -euo pipefail
cd "$(dirname "$0")/.."
# (alaska-clang refuses to run without the C++ support library, even for C)
B=$(bash bench/build.sh alaska-toolchain)
# budgeted-barrier table: test/stress/pause_bench, if the tree has it
if meson introspect "$B" --targets | grep -q '"name": "pause_bench"'; then
  bash bench/build.sh test/stress/pause_bench >/dev/null
fi
exec python3 bench/pause.py --build "$B" "$@"
