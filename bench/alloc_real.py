#!/usr/bin/env python3
"""bench/alloc_real.py — the real-program table of the allocator benchmark (issue 10):
allocation-heavy programs from Debian bookworm sources (bench/debian_programs.py, nothing
committed) built four ways — clang-19 -O2 (glibc malloc), + -lmimalloc, + -ljemalloc, and
alaska-clang -O2 — run interleaved; whole-process user+sys CPU time (min and median), peak
RSS (wait4), outputs checked equal to the glibc build's. Plus a start-up row: an empty
`main` (bench/alloc/empty.c) spawned N times per variant, interleaved (wall and CPU per run).
Writes the `alloc-real` section of docs/bench.md.

Invoked by `bash bench/run-alloc.sh --real [--runs N] [--programs a,b] [--startup-runs N]
[--no-doc]`. BENCH_HEAVY wraps the compiler commands, BENCH_QUIET the timed phase (one
process), as in bench/run-overhead.sh.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import debian_programs as dp  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--programs", default=",".join(dp.ALLOC_PROGRAMS))
ap.add_argument("--startup-runs", type=int, default=200)
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--phase", default="all", choices=["all", "time"], help=argparse.SUPPRESS)
ap.add_argument("--plan", help=argparse.SUPPRESS)
a = ap.parse_args()

B = os.path.abspath(a.build)
ALASKA_CC = os.path.join(B, "compiler", "driver", "alaska-clang")
NATIVE_CC = "clang-19"
# name -> (compiler, flags, shared library the binary must load)
VARIANTS = {
    "glibc": (NATIVE_CC, ["-O2"], None),
    "mimalloc": (NATIVE_CC, ["-O2", "-lmimalloc"], "libmimalloc.so"),
    "jemalloc": (NATIVE_CC, ["-O2", "-ljemalloc"], "libjemalloc.so"),
    "alaska": (ALASKA_CC, ["-O2"], "libalaska.so"),
}
EMPTY = os.path.join(bl.ROOT, "bench", "alloc", "empty.c")


def wrapper(var):
    return shlex.split(os.environ.get(var, ""))


def check_linked(exe, lib):
    if lib is None:
        return
    out = subprocess.run(["ldd", exe], text=True, stdout=subprocess.PIPE).stdout
    if lib not in out:
        sys.exit("alloc-real bench: %s does not load %s (ldd):\n%s" % (exe, lib, out))


# ---- timed phase (one process, under BENCH_QUIET) ------------------------------------------

def time_startup(exes, runs):
    """Interleaved spawns of the empty program; per-run wall (spawn to reaped) and CPU."""
    res = {v: {"wall": [], "cpu": []} for v in exes}
    env = dict(os.environ)
    for _ in range(runs):
        for v, exe in exes.items():
            t0 = time.perf_counter()
            pid = os.posix_spawn(exe, [exe], env)
            _, status, ru = os.wait4(pid, 0)
            t1 = time.perf_counter()
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("alloc-real bench: %s (empty main) exited %d" % (exe, status))
            res[v]["wall"].append((t1 - t0) * 1e3)
            res[v]["cpu"].append((ru.ru_utime + ru.ru_stime) * 1e3)
    return res


def time_phase(plan):
    out = {"programs": {}, "load_start": bl.load_now()}
    for p in plan["programs"]:
        r = {v: {"cpu": [], "rss": []} for v in plan["variants"]}
        expected = None
        for i in range(plan["runs"]):
            for v in plan["variants"]:  # interleaved: load changes hit every variant alike
                try:
                    cpu, text, rss = dp.run_rss(p, plan["builds"][v][p])
                except RuntimeError as e:
                    sys.exit("alloc-real bench: %s (%s build) failed: %s" % (p, v, e))
                if v == "glibc":
                    expected = text
                elif text != expected:
                    sys.exit("alloc-real bench: %s: the %s build's output differs from the glibc "
                             "build's (first 300 characters:\n%s\n--- vs ---\n%s)" % (
                                 p, v, text[:300], expected[:300]))
                r[v]["cpu"].append(cpu)
                r[v]["rss"].append(rss)
                print("%-5s %-9s run %d: %.3f s  %.1f MiB" % (p, v, i + 1, cpu, rss / 1024),
                      file=sys.stderr, flush=True)
        out["programs"][p] = r
    out["startup"] = time_startup(plan["startup"], plan["startup_runs"])
    out["load_end"] = bl.load_now()
    return out


if a.phase == "time":
    with open(a.plan) as f:
        plan = json.load(f)
    res = time_phase(plan)
    with open(a.plan + ".out", "w") as f:
        json.dump(res, f)
    sys.exit(0)

# ---- builds ---------------------------------------------------------------------------------

if not os.access(ALASKA_CC, os.X_OK):
    sys.exit("alloc-real bench: %s not found (is the driver built?)" % ALASKA_CC)
programs = [p for p in a.programs.split(",") if p]
for p in programs:
    if p not in dp.BUILDERS:
        sys.exit("alloc-real bench: unknown program %r (known: %s)" % (p, ", ".join(dp.BUILDERS)))
m = bl.machine()
builds = {v: {} for v in VARIANTS}
startup = {}
sdir = os.path.join(dp.BUILD_ROOT, "startup")
os.makedirs(sdir, exist_ok=True)
for v, (cc, flags, lib) in VARIANTS.items():
    for p in programs:
        info = dp.build(p, cc, flags, name=v)
        check_linked(info["exe"], lib)
        builds[v][p] = info
    exe = os.path.join(sdir, "empty-" + v)
    cmd = wrapper("BENCH_HEAVY") + [cc] + flags[:1] + [EMPTY, "-o", exe] + flags[1:]
    if subprocess.run(cmd).returncode != 0:
        sys.exit("alloc-real bench: build failed: %s" % " ".join(cmd))
    check_linked(exe, lib)
    startup[v] = exe
    print("alloc-real bench: built %s" % v, file=sys.stderr, flush=True)

plan = {"programs": programs, "variants": list(VARIANTS), "builds": builds, "runs": a.runs,
        "startup": startup, "startup_runs": a.startup_runs}
plan_path = os.path.join(dp.BUILD_ROOT, "alloc-real-plan.json")
with open(plan_path, "w") as f:
    json.dump(plan, f)
subprocess.run(wrapper("BENCH_QUIET") + [sys.executable, os.path.abspath(__file__), "--build", B,
                                         "--phase", "time", "--plan", plan_path], check=True)
with open(plan_path + ".out") as f:
    res = json.load(f)
m["load"] = res["load_start"]

# ---- table ----------------------------------------------------------------------------------

med = statistics.median
lines = ["## Real programs: glibc, mimalloc, jemalloc, Alaska (issue 10)\n"]
opts = "".join([" --runs %d" % a.runs if a.runs != 5 else "",
                " --programs %s" % a.programs if programs != dp.ALLOC_PROGRAMS else "",
                " --startup-runs %d" % a.startup_runs if a.startup_runs != 200 else ""])
lines.append("Command: `bash bench/run-alloc.sh --real%s` (%d runs per variant, interleaved; user+sys "
             "CPU time of the whole process; cells are min / median; peak RSS = the program's "
             "ru_maxrss as GNU time reports it, median)  " % (opts, a.runs))
lines.append("Machine: %s\n" % bl.machine_line(m, res["load_end"]))
lines.append("Builds: `clang-19 -O2` (glibc 2.36 malloc), `clang-19 -O2 ... -lmimalloc` (Debian "
             "libmimalloc 2.0.9), `clang-19 -O2 ... -ljemalloc` (Debian libjemalloc 5.3), "
             "`alaska-clang -O2` (defaults: defragmentation on). Sources: Debian bookworm "
             "(`scripts/debian-source.sh`); every variant's output equals the glibc build's.\n")
for p in programs:
    w = dp.WORKLOADS[p]
    src = builds["glibc"][p].get("source", "")
    lines.append("* **%s** (%s): %s" % (p, src, w % src if "%s" in w else w))
lines.append("")
hdr = ["program"] + ["%s CPU (s)" % v for v in VARIANTS] + [
    "alaska / glibc", "alaska / mimalloc"] + ["peak RSS %s (MiB)" % v for v in VARIANTS] + [
    "RSS alaska / glibc"]
lines.append("| " + " | ".join(hdr) + " |")
lines.append("|" + "---|" * len(hdr))
ratios = {"glibc": ([], []), "mimalloc": ([], [])}
rss_ratio = []
for p in programs:
    r = res["programs"][p]
    row = [p]
    for v in VARIANTS:
        row.append("%.3f / %.3f" % (min(r[v]["cpu"]), med(r[v]["cpu"])))
    for base in ("glibc", "mimalloc"):
        rmin = min(r["alaska"]["cpu"]) / min(r[base]["cpu"])
        rmed = med(r["alaska"]["cpu"]) / med(r[base]["cpu"])
        ratios[base][0].append(rmin)
        ratios[base][1].append(rmed)
        row.append("%.2fx / %.2fx" % (rmin, rmed))
    for v in VARIANTS:
        row.append("%.1f" % (med(r[v]["rss"]) / 1024))
    rr = med(r["alaska"]["rss"]) / med(r["glibc"]["rss"])
    rss_ratio.append(rr)
    row.append("%.2fx" % rr)
    lines.append("| " + " | ".join(row) + " |")
gm = {b: (bl.geomean(ratios[b][0]), bl.geomean(ratios[b][1])) for b in ratios}
worst = max(zip(ratios["mimalloc"][1], programs))
lines.append("")
lines.append("* Geomean alaska / glibc: **%.2fx** (min) / **%.2fx** (median); alaska / mimalloc: "
             "**%.2fx** / **%.2fx**; worst vs mimalloc (median): %.2fx (%s)." % (
                 gm["glibc"][0], gm["glibc"][1], gm["mimalloc"][0], gm["mimalloc"][1],
                 worst[0], worst[1]))
met = (gm["glibc"][1] <= 1.00 and gm["mimalloc"][1] <= 1.10 and worst[0] <= 1.25
       and max(rss_ratio) <= 1.0)
lines.append("* Target (issue 10): geomean <= 1.00x glibc and <= 1.10x mimalloc, no program above "
             "1.25x mimalloc, peak RSS no worse than glibc's (largest: %.2fx) -> %s (medians)." % (
                 max(rss_ratio), "met" if met else "NOT met"))

st = res["startup"]
lines.append("\nStart-up: `bench/alloc/empty.c` (`int main(void) { return 0; }`) built the same four "
             "ways, spawned %d times per variant, interleaved (wall = `posix_spawn` to reaped, as "
             "seen from the Python runner, so it includes the spawn itself; CPU = the child's "
             "user+sys).\n" % a.startup_runs)
lines.append("| variant | wall min (ms) | wall median (ms) | CPU min (ms) | CPU median (ms) | "
             "median wall - glibc (ms) |")
lines.append("|---|---|---|---|---|---|")
base_wall = med(st["glibc"]["wall"])
for v in VARIANTS:
    s = st[v]
    lines.append("| %s | %.3f | %.3f | %.3f | %.3f | %+.3f |" % (
        v, min(s["wall"]), med(s["wall"]), min(s["cpu"]), med(s["cpu"]),
        med(s["wall"]) - base_wall))
d = med(st["alaska"]["wall"]) - base_wall
lines.append("\n* Target (issue 10): empty program <= native + 0.2 ms (median): %+.3f ms -> %s." % (
    d, "met" if d <= 0.2 else "NOT met"))
text = "\n".join(lines)
print(text)
with open(os.path.join(B, "bench-alloc-real.json"), "w") as f:
    json.dump({"machine": m, "results": res}, f, indent=1)
if not a.no_doc:
    bl.update_doc("alloc-real", text)
