#!/usr/bin/env python3
"""End-to-end tests of the defragmentation service (docs/design.md §7).

  defrag_test.py lru  LRU_BINARY  WORKDIR   fragmentation workload: fragments without the
                                            service, drops below the lower bound with it
  defrag_test.py idle IDLE_BINARY WORKDIR   nothing to do: zero service barriers
  defrag_test.py handwritten BINARY WORKDIR a fragmented program not compiled by the pass
                                            (halloc + raw pointers): never defragmented
  defrag_test.py mt   MT_BINARY   WORKDIR   4 threads read, check and replace values while
                                            the service compacts under them
  defrag_test.py lazy LAZY_BINARY WORKDIR   the service thread starts only once the heap
                                            has ALASKA_DEFRAG_MIN_EXCESS bytes committed

The lru, idle, mt and lazy binaries are built with alaska-clang, handwritten with plain cc. Assertions read the ALASKA_TRACE CSV, the
program's own trace/summary and the `alaska-stats:` line. Exit status 0 = pass.
"""
import csv
import os
import re
import subprocess
import sys

UPPER = 1.2   # the runtime's default upper bound (runtime/policy/defrag_policy.c)
# The default lower bound is 1.02. After compaction the LRU heap keeps ~0.9 MiB more than its
# live bytes whatever its size (a partially used page or two per size class, the dict table
# and buffers): 3 % of a 25 MiB heap, 8 % of a 10 MiB one. So the test runs the workload at
# 1/4 scale and asserts 1.05 (Redis's own defrag test: <= 1.1).
LOWER = 1.05
MIB = 1024 * 1024
# The LRU workload (examples/lru, Redis-like) at 1/4 scale: 175,000 x 240 B then
# 42,500 x 492 B in a 25 MiB cache (~0.5 s of fill).
LRU_ARGS = ["--n1", "175000", "--size1", "240", "--n2", "42500", "--size2", "492",
            "--cap-mb", "25", "--sample-ms", "50"]
SETTLE_SECONDS = 3.0       # fragmentation must be below LOWER this long after the fill
MAX_PAUSE_US = 50000       # generous: the machine running the tests may be oversubscribed

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cmd, env_extra, timeout=120):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("ALASKA_"):
            del env[k]  # a stray setting in the caller's environment must not change the test
    env.update(env_extra)
    shown = " ".join("%s=%s" % kv for kv in env_extra.items()) + " " + " ".join(cmd)
    print("$ " + shown, flush=True)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(p.stdout)
    sys.stdout.write(p.stderr)
    return p


def stats_of(stderr):
    lines = [l for l in stderr.splitlines() if l.startswith("alaska-stats:")]
    if not lines:
        return {}
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", lines[-1])}


def read_trace(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        out.append({k: float(v) for k, v in r.items()})
    return out


def check_trace_format(path):
    with open(path) as f:
        header = f.readline().strip()
    check(header == "time_s,rss_bytes,live_bytes,committed_bytes,frag_ratio,pauses,max_pause_us",
          "trace header is the documented one")
    rows = read_trace(path)
    check(len(rows) >= 5, "trace has rows (%d)" % len(rows))
    times = [r["time_s"] for r in rows]
    check(all(b >= a for a, b in zip(times, times[1:])), "trace time_s is non-decreasing")
    # frag_ratio leaves out the free pages the pool keeps for reuse (at most 8 MiB).
    for r in rows:
        if r["live_bytes"] > 0:
            hi = r["committed_bytes"] / r["live_bytes"]
            lo = (r["committed_bytes"] - 8 * MIB) / r["live_bytes"]
            if not (lo - 0.001 <= r["frag_ratio"] <= hi * 1.001 + 0.0001):
                check(False, "frag_ratio in [(committed - 8 MiB)/live, committed/live] (row %r)" % r)
                break
    return rows


def serving_window(lru_trace):
    """(start, end) of the serving phase in seconds since the program started, from the lru
    program's own trace (t_s,phase,...): the first and the last sample of phase 3. The
    runtime's clock starts a little before main (constructors), so runtime times are >= lru
    times for the same instant: rows with start + margin <= time_s <= end are inside the
    phase (after the fill, before lru frees its cache on the way out)."""
    with open(lru_trace) as f:
        rows = [r for r in csv.DictReader(f) if int(r["phase"]) == 3]
    if not rows:
        sys.exit("%s: no serving-phase samples" % lru_trace)
    return float(rows[0]["t_s"]), float(rows[-1]["t_s"])


def serving_rows(rows, window):
    start, end = window
    return [r for r in rows if start + 0.05 <= r["time_s"] <= end]


def test_lru(binary, work):
    # 1. Without the service the workload leaves the heap fragmented.
    off_trace = os.path.join(work, "defrag-off.csv")
    off_lru_trace = os.path.join(work, "defrag-off-lru.csv")
    p = run([binary] + LRU_ARGS + ["--seconds", "1", "--trace", off_lru_trace],
            {"ALASKA_DEFRAG": "0", "ALASKA_TRACE": off_trace, "ALASKA_TRACE_MS": "50",
             "ALASKA_STATS": "1"})
    check(p.returncode == 0, "defrag off: lru exits 0 (every retained value verified)")
    rows = check_trace_format(off_trace)
    serving = serving_rows(rows, serving_window(off_lru_trace))
    check(len(serving) >= 5, "defrag off: trace covers the serving phase (%d rows)" % len(serving))
    last = serving[-1] if serving else rows[-1]
    check(all(r["frag_ratio"] > UPPER for r in serving),
          "defrag off: fragmentation after the workload stays > upper bound %.2f (last %.3f)"
          % (UPPER, last["frag_ratio"]))
    excess = (last["frag_ratio"] - 1) * last["live_bytes"]  # the policy's committed - live
    check(excess >= 4 * MIB,
          "defrag off: excess committed bytes %.1f MiB >= 4 MiB (the service's floor)"
          % (excess / MIB))
    st = stats_of(p.stderr)
    check(st.get("defrag_runs") == "0", "defrag off: defrag_runs=0 (got %s)" % st.get("defrag_runs"))

    # 2. With the service (default policy) it drops below the lower bound within seconds.
    on_trace = os.path.join(work, "defrag-on.csv")
    lru_trace = os.path.join(work, "defrag-on-lru.csv")
    p = run([binary] + LRU_ARGS + ["--seconds", "4", "--trace", lru_trace],
            {"ALASKA_TRACE": on_trace, "ALASKA_TRACE_MS": "50", "ALASKA_STATS": "1"})
    check(p.returncode == 0, "defrag on: lru exits 0 (every retained value verified)")
    check(re.search(r"^lru:", p.stdout, re.M) is not None, "defrag on: lru printed its summary")
    rows = check_trace_format(on_trace)
    window = serving_window(lru_trace)
    t_fill = window[0]
    after = serving_rows(rows, window)
    check(len(after) >= 10, "defrag on: trace covers the serving phase (%d rows)" % len(after))
    peak = max(r["frag_ratio"] for r in rows)
    print("info peak fragmentation during the run %.3f, at fill end %.3f, final %.3f"
          % (peak, after[0]["frag_ratio"] if after else -1, rows[-1]["frag_ratio"]))
    settled = [r for r in after if r["frag_ratio"] <= LOWER]
    check(bool(settled) and settled[0]["time_s"] <= t_fill + SETTLE_SECONDS,
          "defrag on: fragmentation <= %.2f within %.1f s of the fill (first at %s s after)"
          % (LOWER, SETTLE_SECONDS,
             "%.2f" % (settled[0]["time_s"] - t_fill) if settled else "never"))
    tail = [r for r in after if r["time_s"] >= t_fill + SETTLE_SECONDS]
    check(bool(tail) and all(r["frag_ratio"] <= LOWER for r in tail),
          "defrag on: stays <= %.2f for the rest of the run" % LOWER)
    st = stats_of(p.stderr)
    runs = int(st.get("defrag_runs", "0"))
    check(runs > 0, "defrag on: defrag_runs=%d > 0" % runs)
    # (lru frees everything before exit, so the ratio at exit says nothing: presence only)
    check(re.fullmatch(r"[0-9.]+", st.get("frag_ratio_last", "")) is not None,
          "defrag on: stats line has frag_ratio_last (%s)" % st.get("frag_ratio_last"))
    check("pause_p99_us" in st, "defrag on: stats line has pause_p99_us (%s)" % st.get("pause_p99_us"))
    max_pause = rows[-1]["max_pause_us"]
    check(0 < max_pause <= MAX_PAUSE_US, "defrag on: longest pause %d us <= %d us"
          % (max_pause, MAX_PAUSE_US))
    # 3. The plot command renders both traces on one chart.
    png = os.path.join(work, "defrag-rss.png")
    plot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                        "plot-trace.py")
    if os.path.exists(png):
        os.unlink(png)
    p = subprocess.run([sys.executable, plot, "-o", png, on_trace + "=defrag on",
                        off_trace + "=defrag off"], capture_output=True, text=True, timeout=60)
    sys.stdout.write(p.stdout + p.stderr)
    with open(png, "rb") if os.path.exists(png) else open(os.devnull, "rb") as f:
        magic = f.read(8)
    check(p.returncode == 0 and magic == b"\x89PNG\r\n\x1a\n",
          "scripts/plot-trace.py renders the two traces to a PNG")
    if after:
        check(after[-1]["committed_bytes"] < last["committed_bytes"],
              "defrag on: committed %.1f MiB < %.1f MiB without the service"
              % (after[-1]["committed_bytes"] / MIB, last["committed_bytes"] / MIB))


def test_idle(binary, work):
    p = run([binary, "1.5"], {"ALASKA_STATS": "1", "ALASKA_TRACE": os.path.join(work, "idle.csv")})
    check(p.returncode == 0, "idle: exits 0 (values verified)")
    st = stats_of(p.stderr)
    check(st.get("defrag_runs") == "0", "idle: defrag_runs=0 (got %s)" % st.get("defrag_runs"))
    check(st.get("barriers") in ("0", None), "idle: no barrier at all (barriers=%s)" % st.get("barriers"))
    check(float(st.get("frag_ratio_last", "99")) < UPPER,
          "idle: frag_ratio_last=%s below the upper bound" % st.get("frag_ratio_last"))
    # Control: the same binary with bounds that make its heap count as fragmented does run
    # barriers, so the zero above is the policy's decision, not a service that never ran.
    p = run([binary, "1.5"], {"ALASKA_STATS": "1", "ALASKA_DEFRAG_UPPER": "1.0",
                              "ALASKA_DEFRAG_LOWER": "1.0", "ALASKA_DEFRAG_MIN_EXCESS": "0"})
    check(p.returncode == 0, "idle control: exits 0 (values verified after compaction attempts)")
    st = stats_of(p.stderr)
    check(int(st.get("defrag_runs", "0")) > 0,
          "idle control: defrag_runs=%s > 0 with upper=1.0" % st.get("defrag_runs"))


def test_handwritten(binary, work):
    trace = os.path.join(work, "handwritten.csv")
    p = run([binary, "1.0"], {"ALASKA_STATS": "1", "ALASKA_TRACE": trace, "ALASKA_TRACE_MS": "50"})
    check(p.returncode == 0, "handwritten: exits 0 (raw pointers still valid, contents intact)")
    rows = check_trace_format(trace)
    peak = max(r["frag_ratio"] for r in rows)
    check(peak > 4 * UPPER, "handwritten: the heap is fragmented (peak ratio %.2f)" % peak)
    st = stats_of(p.stderr)
    check(st.get("defrag_runs") == "0", "handwritten: defrag_runs=0 (got %s)" % st.get("defrag_runs"))
    check(st.get("objects_moved") == "0", "handwritten: objects_moved=0 (got %s)"
          % st.get("objects_moved"))


def test_mt(binary, work):
    trace = os.path.join(work, "mt.csv")
    p = run([binary, "4"], {"ALASKA_STATS": "1", "ALASKA_TRACE": trace, "ALASKA_TRACE_MS": "50"})
    check(p.returncode == 0, "mt: exits 0 (no bad read, every kept value intact at the end)")
    check(re.search(r"bad_reads=0 bad_final=0", p.stdout) is not None, "mt: summary says 0 bad")
    st = stats_of(p.stderr)
    check(int(st.get("defrag_runs", "0")) > 0 and int(st.get("objects_moved", "0")) > 0,
          "mt: the service moved objects under the threads (defrag_runs=%s objects_moved=%s)"
          % (st.get("defrag_runs"), st.get("objects_moved")))
    rows = check_trace_format(trace)
    peak = max(r["committed_bytes"] for r in rows)
    last = [r for r in rows if r["live_bytes"] > 0][-1]
    # How far it gets depends on how often 4 busy threads can be stopped within the barrier
    # timeout, i.e. on the machine's load: only require progress.
    check(last["committed_bytes"] < 0.9 * peak,
          "mt: committed fell from %.1f MiB to %.1f MiB" % (peak / MIB, last["committed_bytes"] / MIB))


def test_lazy(binary, work):
    def counts(env):
        p = run([binary], env)
        m = re.search(r"threads start=(\d+) small=(\d+) big=(\d+) (\w+)", p.stdout)
        check(p.returncode == 0 and m is not None and m.group(4) == "ok",
              "lazy %s: exits 0, objects intact" % env)
        return tuple(int(x) for x in m.groups()[:3]) if m else None
    c = counts({})
    check(c == (1, 1, 2), "lazy: no thread at start-up nor with 1 MiB of heap, the service "
          "thread once 17 MiB are committed (threads %s)" % (c,))
    c = counts({"ALASKA_DEFRAG": "0"})
    check(c == (1, 1, 1), "lazy: ALASKA_DEFRAG=0 never starts it (threads %s)" % (c,))
    c = counts({"ALASKA_DEFRAG_MIN_EXCESS": "0"})
    check(c == (1, 2, 2), "lazy: ALASKA_DEFRAG_MIN_EXCESS=0 starts it with the first heap page "
          "(threads %s)" % (c,))
    c = counts({"ALASKA_DEFRAG_MIN_EXCESS": "64M"})
    check(c == (1, 1, 1), "lazy: ALASKA_DEFRAG_MIN_EXCESS=64M: not below 64 MiB (threads %s)" % (c,))
    c = counts({"ALASKA_TRACE": os.path.join(work, "lazy.csv")})
    check(c == (2, 2, 2), "lazy: ALASKA_TRACE starts it at start-up (threads %s)" % (c,))
    # That a thread started this way compacts: defrag-lru and defrag-mt (heaps > 4 MiB).


def main():
    tests = {"lru": test_lru, "idle": test_idle, "handwritten": test_handwritten, "mt": test_mt,
             "lazy": test_lazy}
    if len(sys.argv) != 4 or sys.argv[1] not in tests:
        sys.exit(__doc__)
    mode, binary, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    tests[mode](os.path.abspath(binary), work)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
