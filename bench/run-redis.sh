#!/usr/bin/env bash
# Real Redis on the fragmentation workload: Debian's redis source (scripts/debian-source.sh:
# `apt-get source redis` into build-src/, adding deb-src if needed; nothing is committed) built unmodified three ways
# in build-redis/ — clang-19 with MALLOC=libc (glibc), clang-19 with Debian's jemalloc
# (as Debian's redis-server package), alaska-clang with MALLOC=libc — and run by bench/redis.py; rewrites the "redis"
# section of docs/bench.md. Every run reports RSS, used_memory, mem_fragmentation_ratio and,
# under Alaska, pause p50/p99/max and handle-table / slot-map resident bytes (ALASKA_STATS);
# then redis-benchmark SET/GET throughput of the Alaska build vs the glibc build, interleaved.
#   bash bench/run-redis.sh [--no-doc] [--only glibc,alaska] [--fills set,populate] [--scale 0.25] [--seconds 10]
#                           [--bench-rounds 5] [--bench-requests 200000] [--bench-clients 50]
#   --only none --bench-rounds 0: only build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$(bash bench/build.sh alaska-toolchain)
R="${REDIS_BUILD:-build-redis}"
mkdir -p "$R"
SRC=$(bash scripts/debian-source.sh redis)
SRC=${SRC%/}
build() { # name CC MALLOC [make variables...]
  local dir="$R/$1"
  if [ ! -x "$dir/src/redis-server" ]; then
    rm -rf "$dir"
    cp -r "$SRC" "$dir"
    make -C "$dir" distclean >/dev/null 2>&1 || true
    echo "run-redis: building $1 (CC=$2 MALLOC=$3)" >&2
    make -C "$dir" -j2 CC="$2" MALLOC="$3" USE_SYSTEMD=no BUILD_TLS=no "${@:4}" >"$dir.build.log" 2>&1 || {
      echo "run-redis: build of $1 failed, see $dir.build.log" >&2
      exit 1
    }
  fi
}
build glibc /usr/lib/llvm-19/bin/clang libc
# Debian's source builds against the system jemalloc (libjemalloc-dev, 5.3), not deps/.
build jemalloc /usr/lib/llvm-19/bin/clang jemalloc USE_SYSTEM_JEMALLOC=yes
build alaska "$ROOT/$B/compiler/driver/alaska-clang" libc
exec python3 bench/redis.py --redis "$R" --version "$(basename "$SRC")" "$@"
