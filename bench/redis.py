#!/usr/bin/env python3
"""Runs the real-Redis fragmentation benchmark (built by bench/run-redis.sh): one server per
configuration and fill mode, `maxmemory 100mb` + `allkeys-lru`, no persistence;
bench/redis_load.py drives the workload (filled by SET commands, or by one DEBUG POPULATE per
wave, which goes far past maxmemory before eviction catches up) and verifies every key. For every run: RSS, Redis's used_memory and
mem_fragmentation_ratio, and for Alaska runs the pauses and the resident bytes of the handle
table and the slot maps (ALASKA_STATS keys at exit). Then redis-benchmark SET/GET throughput
of the Alaska build against the glibc build, servers started fresh, rounds interleaved (ABBA).
Writes the "redis" section of docs/bench.md."""
import argparse
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

RUNS = [  # name, build, extra server config, environment
    ("glibc", "glibc", [], {}),
    ("jemalloc", "jemalloc", [], {}),
    # No jemalloc + activedefrag row: Debian's source has no usable bundled jemalloc, and
    # Redis refuses `activedefrag yes` with the system one ("requires a Redis server
    # compiled with a modified Jemalloc").
    ("alaska", "alaska", [], {"ALASKA_STATS": "1"}),
    ("alaska-defrag-off", "alaska", [], {"ALASKA_STATS": "1", "ALASKA_DEFRAG": "0"}),
]
# redis-benchmark: the same client (the glibc build's) against each server
THROUGHPUT = [("glibc", "glibc", {}), ("alaska", "alaska", {"ALASKA_STATS": "1"})]
SERVER_ARGS = ["--save", "", "--appendonly", "no"]
# fill mode of redis_load.py: (name in the table, extra server config)
FILLS = {"set": ("SET", []),
         "populate": ("DEBUG POPULATE", ["--enable-debug-command", "local"])}


def wait_port(port, deadline=10.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"redis.py: server on port {port} did not start")


def start_server(redis, build, port, extra, env):
    server = os.path.join(redis, build, "src", "redis-server")
    p = subprocess.Popen([server, "--port", str(port)] + SERVER_ARGS + extra,
                         env=dict(os.environ, **env), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    wait_port(port)
    return p


def stop_server(redis, build, port, p):
    subprocess.run([os.path.join(redis, build, "src", "redis-cli"), "-p", str(port),
                    "shutdown", "nosave"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, err = p.communicate(timeout=60)
    return err


def mib(st, key):
    return "%.1f" % (int(st[key]) / 1048576.0) if key in st else "n/a"


def redis_benchmark(redis, port, requests, clients, size):
    """requests/s of SET and GET (redis-benchmark --csv)."""
    exe = os.path.join(redis, "glibc", "src", "redis-benchmark")
    out = subprocess.run([exe, "-p", str(port), "-t", "set,get", "-n", str(requests),
                          "-c", str(clients), "-d", str(size), "-r", "100000", "--csv"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=True).stdout
    rps = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] in ("SET", "GET"):
            rps[row[0]] = float(row[1])
    if set(rps) != {"SET", "GET"}:
        raise SystemExit("redis.py: unexpected redis-benchmark output:\n" + out[-1000:])
    return rps


def user_args():
    """The options run-redis.sh passed on from its command line (not --redis/--version)."""
    out, args = [], sys.argv[1:]
    i = 0
    while i < len(args):
        if args[i] in ("--redis", "--version"):
            i += 2
            continue
        out.append(args[i])
        i += 1
    return "".join(" " + x for x in out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis", required=True)
    ap.add_argument("--version", default="redis")
    ap.add_argument("--only", default="", help="comma-separated runs of the workload table")
    ap.add_argument("--fills", default="set,populate",
                    help="comma-separated fill modes: set, populate (default both)")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="workload scale: keys of both waves and maxmemory (default 1: "
                         "700,000 + 170,000 keys, 100 MiB)")
    ap.add_argument("--bench-rounds", type=int, default=5,
                    help="redis-benchmark rounds per build, interleaved (0: none)")
    ap.add_argument("--bench-requests", type=int, default=200000)
    ap.add_argument("--bench-clients", type=int, default=50)
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    fills = [f for f in a.fills.split(",") if f]
    for f in fills:
        if f not in FILLS:
            raise SystemExit(f"redis.py: unknown fill mode {f!r} (set, populate)")
    m = benchlib.machine()
    uptime_start = benchlib.sh(["uptime"]).strip()
    here = os.path.dirname(os.path.abspath(__file__))
    n1, n2 = int(700000 * a.scale), int(170000 * a.scale)
    maxmem = "%dmb" % max(1, round(100 * a.scale))
    rows, results = [], {}
    runs = [(f, i, run) for f in fills for i, run in enumerate(RUNS)]
    for fill, i, (name, build, extra, env) in runs:
        if only and name not in only:
            continue
        port = 7400 + i + 10 * list(FILLS).index(fill)
        p = start_server(a.redis, build, port, ["--maxmemory", maxmem, "--maxmemory-policy",
                                                "allkeys-lru"] + FILLS[fill][1] + extra, env)
        load = subprocess.run([sys.executable, os.path.join(here, "redis_load.py"), str(port),
                               str(p.pid), "--seconds", str(a.seconds), "--n1", str(n1),
                               "--n2", str(n2), "--fill", fill],
                              stdout=subprocess.PIPE, text=True)
        err = stop_server(a.redis, build, port, p)
        line = [l for l in load.stdout.splitlines() if l.startswith("result:")]
        if load.returncode != 0 or not line:
            raise SystemExit(f"redis.py: {name}: workload failed (exit {load.returncode}):\n"
                             f"{load.stdout[-2000:]}")
        r = benchlib.parse_kv(line[0])
        st = benchlib.alaska_stats(err)
        results[(fill, name)] = r
        pauses = ("%s / %s / %s" % (st.get("pause_p50_us"), st.get("pause_p99_us"),
                                    st.get("max_pause_us")) if st else "n/a")
        stops = ("%s / %s / %s" % (st.get("stop_p50_us", "-"), st.get("stop_p99_us", "-"),
                                   st.get("max_stop_us", "-")) if st else "n/a")
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s/%s held OK, %s wrong | %s | %s | %s | %s | %s | %s |" % (
            FILLS[fill][0], name, r["rss_fill_mib"], r["rss_end_mib"], r["peak_mib"], r["used_mib"],
            r.get("mem_fragmentation_ratio", "n/a"), r["keys_held"], r["keys_held"],
            r["keys_bad"], pauses, stops, mib(st, "table_resident_bytes") if st else "n/a",
            mib(st, "slotmap_resident_bytes") if st else "n/a",
            st.get("handles_peak", "n/a") if st else "n/a",
            st.get("objects_moved", "n/a") if st else "n/a"))
        print(rows[-1], flush=True)
        if st:
            print("  alaska-stats: " + " ".join("%s=%s" % kv for kv in st.items()), flush=True)

    # ---- redis-benchmark, interleaved: round k runs the builds in order, then reversed ----
    tput = {name: {"SET": [], "GET": []} for name, _, _ in THROUGHPUT}
    tput_stats = {}
    for k in range(a.bench_rounds):
        order = THROUGHPUT if k % 2 == 0 else THROUGHPUT[::-1]
        for j, (name, build, env) in enumerate(order):
            port = 7500 + j
            p = start_server(a.redis, build, port, [], env)
            rps = redis_benchmark(a.redis, port, a.bench_requests, a.bench_clients, 240)
            err = stop_server(a.redis, build, port, p)
            for t in rps:
                tput[name][t].append(rps[t])
            st = benchlib.alaska_stats(err)
            if st:
                tput_stats[name] = st
            print("redis-benchmark round %d %s: SET %.0f/s GET %.0f/s" % (
                k + 1, name, rps["SET"], rps["GET"]), flush=True)

    lines = [
        "## Real Redis, unmodified, on the fragmentation workload (issue 6)",
        "",
        "Command: `bash bench/run-redis.sh%s` (Debian's `%s` source via `apt-get source redis`, "
        "needs a `deb-src` entry; built in `build-redis/` with `clang-19 -O2` for `MALLOC=libc` "
        "and the system jemalloc (`USE_SYSTEM_JEMALLOC=yes`, as Debian's package), and with `alaska-clang -O2` + `MALLOC=libc`; no source "
        "change)  " % (user_args(), a.version),
        "Machine: %s  " % benchlib.machine_line(m, benchlib.load_now()),
        "`uptime` at start: `%s`" % uptime_start,
        "",
        "Server: `--maxmemory %s --maxmemory-policy allkeys-lru --save '' --appendonly no`. "
        "Client `bench/redis_load.py`: %s keys "
        "with 240-byte values, then %s with 492-byte values, filled two ways: *SET*, SET "
        "commands (keys of 128 characters) pipelined 100 at a time, so eviction holds "
        "used_memory at maxmemory throughout; *DEBUG POPULATE*, one `DEBUG POPULATE N PREFIX "
        "SIZE` per wave (`--enable-debug-command local`; keys `PREFIX:I` of up to 127 "
        "characters, the longest Redis forms, same size class as the SET fill's; values "
        "`value:I` zero-padded), a single command each, so the heap goes far past maxmemory "
        "(as after an RDB load) and eviction catches up only afterwards. RSS of the server "
        "%g s after the fill; then GET of every key ever written: "
        "evicted or exactly the value written, and DBSIZE no larger than the keys found. `used_memory` and `mem_fragmentation_ratio` are "
        "Redis's own (`INFO memory` at the end of the wait; the ratio is Redis's RSS sample "
        "over used_memory). Pauses, table and slot-map resident bytes (`table_resident_bytes`, "
        "`slotmap_resident_bytes`, mincore) and `handles_peak` are the Alaska runtime's "
        "`ALASKA_STATS` line at shutdown (right after the check, the data set still loaded). No jemalloc + "
        "activedefrag row: Redis refuses `activedefrag yes` with the system jemalloc, and "
        "Debian's source cannot build the bundled one." % (
            maxmem, format(n1, ","), format(n2, ","), a.seconds),
        "",
        "| fill | run | RSS after fill (MiB) | RSS %g s after the fill (MiB) | peak RSS (MiB) | used_memory (MiB) | mem_fragmentation_ratio | keys verified | pauses p50 / p99 / max (us) | of which stopping p50 / p99 / max (us) | table resident (MiB) | slot maps resident (MiB) | handles_peak | objects moved |" % a.seconds,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ] + rows
    for fill in fills:
        if (fill, "glibc") in results and (fill, "alaska") in results:
            g = float(results[(fill, "glibc")]["rss_end_mib"])
            al = float(results[(fill, "alaska")]["rss_end_mib"])
            lines += ["", "* %s fill: alaska / glibc RSS %g s after the fill: **%.2fx**; alaska "
                      "%.1f MiB = %.1f MB." % (FILLS[fill][0], a.seconds, al / g, al, al * 1.048576)]
    if a.bench_rounds:
        lines += ["", "Throughput: `redis-benchmark -t set,get -n %d -c %d -d 240 -r 100000 --csv` "
                  "(the glibc build's client for both) against a fresh server of each build "
                  "(`--save '' --appendonly no`, no maxmemory), %d rounds interleaved "
                  "(glibc, alaska, then alaska, glibc, ...); median requests/s, every round "
                  "listed. Client and server share the 2 cores." % (
                      a.bench_requests, a.bench_clients, a.bench_rounds), "",
                  "| build | SET req/s (median) | GET req/s (median) | SET rounds | GET rounds |",
                  "|---|---|---|---|---|"]
        for name, _, _ in THROUGHPUT:
            t = tput[name]
            lines.append("| %s | %.0f | %.0f | %s | %s |" % (
                name, statistics.median(t["SET"]), statistics.median(t["GET"]),
                " ".join("%.0f" % x for x in t["SET"]), " ".join("%.0f" % x for x in t["GET"])))
        g, al = tput["glibc"], tput["alaska"]
        lines += ["", "* alaska / glibc throughput: SET **%.2fx**, GET **%.2fx** (target >= 0.95x)." % (
            statistics.median(al["SET"]) / statistics.median(g["SET"]),
            statistics.median(al["GET"]) / statistics.median(g["GET"]))]
        if "alaska" in tput_stats:
            st = tput_stats["alaska"]
            lines.append("* the Alaska server of the last round at shutdown: pauses p50 / p99 / max "
                         "%s / %s / %s us, table %s MiB, slot maps %s MiB resident." % (
                             st.get("pause_p50_us"), st.get("pause_p99_us"), st.get("max_pause_us"),
                             mib(st, "table_resident_bytes"), mib(st, "slotmap_resident_bytes")))
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.no_doc:
        benchlib.update_doc("redis", text)


if __name__ == "__main__":
    main()
