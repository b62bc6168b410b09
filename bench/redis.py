#!/usr/bin/env python3
"""Runs the real-Redis fragmentation benchmark (built by bench/run-redis.sh): one server per
configuration, `maxmemory 100mb` + `allkeys-lru`, no persistence; bench/redis_load.py drives
the workload and verifies every key. Writes the "redis" section of docs/bench.md."""
import argparse
import os
import socket
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


def wait_port(port, deadline=10.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"redis.py: server on port {port} did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis", required=True)
    ap.add_argument("--version", default="redis")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    m = benchlib.machine()
    here = os.path.dirname(os.path.abspath(__file__))
    rows, results = [], {}
    for i, (name, build, extra, env) in enumerate(RUNS):
        if only and name not in only:
            continue
        port = 7400 + i
        server = os.path.join(a.redis, build, "src", "redis-server")
        full_env = dict(os.environ, **env)
        p = subprocess.Popen([server, "--port", str(port), "--maxmemory", "100mb",
                              "--maxmemory-policy", "allkeys-lru", "--save", "",
                              "--appendonly", "no"] + extra,
                             env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        wait_port(port)
        load = subprocess.run([sys.executable, os.path.join(here, "redis_load.py"), str(port),
                               str(p.pid), "--seconds", str(a.seconds)],
                              stdout=subprocess.PIPE, text=True)
        subprocess.run([os.path.join(a.redis, build, "src", "redis-cli"), "-p", str(port),
                        "shutdown", "nosave"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        _, err = p.communicate(timeout=60)
        line = [l for l in load.stdout.splitlines() if l.startswith("result:")]
        if load.returncode != 0 or not line:
            raise SystemExit(f"redis.py: {name}: workload failed (exit {load.returncode}):\n"
                             f"{load.stdout[-2000:]}")
        r = benchlib.parse_kv(line[0])
        st = benchlib.alaska_stats(err)
        results[name] = r
        pauses = ("%s / %s / %s" % (st.get("pause_p50_us"), st.get("pause_p99_us"),
                                    st.get("max_pause_us")) if st else "n/a")
        rows.append("| %s | %s | %s | %s | %s | %s/%s held OK, %s wrong | %s | %s |" % (
            name, r["rss_fill_mib"], r["rss_end_mib"], r["peak_mib"], r["used_mib"],
            r["keys_held"], r["keys_held"], r["keys_bad"], pauses,
            st.get("objects_moved", "n/a") if st else "n/a"))
        print(rows[-1], flush=True)
    lines = [
        "## Real Redis, unmodified, on the fragmentation workload (issue 6)",
        "",
        "Command: `bash bench/run-redis.sh` (Debian's `%s` source via `apt-get source redis`, "
        "needs a `deb-src` entry; built in `build-redis/` with `clang-19 -O2` for `MALLOC=libc` "
        "and the system jemalloc (`USE_SYSTEM_JEMALLOC=yes`, as Debian's package), and with `alaska-clang -O2` + `MALLOC=libc`; no source "
        "change)  " % a.version,
        "Machine: %s" % benchlib.machine_line(m, benchlib.load_now()),
        "",
        "Server: `--maxmemory 100mb --maxmemory-policy allkeys-lru --save '' --appendonly no`. "
        "Client `bench/redis_load.py`: SET 700,000 keys "
        "(128 characters) with 240-byte values, then 170,000 with 492-byte values, pipelined "
        "100 at a time; RSS of the server %g s after the fill; then GET of every key ever set: "
        "evicted or exactly the value written. `used` = Redis's own `used_memory`. No jemalloc + "
        "activedefrag row: Redis refuses `activedefrag yes` with the system jemalloc, and "
        "Debian's source cannot build the bundled one." % a.seconds,
        "",
        "| run | RSS after fill (MiB) | RSS %g s after the fill (MiB) | peak RSS (MiB) | used_memory (MiB) | keys verified | pauses p50 / p99 / max (us) | objects moved |" % a.seconds,
        "|---|---|---|---|---|---|---|---|",
    ] + rows
    if "glibc" in results and "alaska" in results:
        g, al = float(results["glibc"]["rss_end_mib"]), float(results["alaska"]["rss_end_mib"])
        lines += ["", "* alaska / glibc RSS %g s after the fill: **%.2fx**; alaska %.1f MiB = "
                  "%.1f MB (goal <= 135 MB)." % (a.seconds, al / g, al, al * 1.048576)]
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.no_doc:
        benchlib.update_doc("redis", text)


if __name__ == "__main__":
    main()
