#!/usr/bin/env python3
"""bench/alloc.py — runs the allocator microbenchmark (bench/alloc/alloc.c) for every
allocator that was built and writes the `alloc` section of docs/bench.md.
Invoked by `bash bench/run-alloc.sh [--runs N] [--no-doc]`."""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--churn-ops", default="10000000")
ap.add_argument("--churn-slots", default="100000")
ap.add_argument("--xthread-objs", default="4000000")
ap.add_argument("--xthread-pairs", default="2")
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--alaska-variant", action="append", default=[],
                help="NAME:BUILD_DIR: also time BUILD_DIR's alloc-alaska (another revision's "
                     "build-bench), interleaved: A/B of a runtime change")
ap.add_argument("--wall", action="store_true",
                help="time churn by wall clock too (default: process CPU time for churn, "
                     "wall clock for xthread)")
a = ap.parse_args()

m = bl.machine()
B = a.build
order = ["glibc", "jemalloc", "mimalloc", "alaska"]
bins = {n: os.path.join(B, "bench", "alloc-" + n) for n in order
        if os.path.exists(os.path.join(B, "bench", "alloc-" + n))}
for v in a.alaska_variant:
    vname, vdir = v.split(":", 1)
    exe = os.path.join(os.path.abspath(vdir), "bench", "alloc-alaska")
    if not os.path.exists(exe):
        sys.exit("alloc bench: %s not found (build bench/alloc-alaska in that tree)" % exe)
    bins[vname] = exe
    order.append(vname)
if "mimalloc" not in bins:
    sys.exit("alloc bench: mimalloc variant missing (install libmimalloc-dev)")
workloads = {
    "churn": [a.churn_ops, a.churn_slots],
    "xthread": [a.xthread_objs, a.xthread_pairs],
}
times = {w: {n: [] for n in bins} for w in workloads}
checks = {w: {} for w in workloads}
for w, args in workloads.items():
    for r in range(a.runs):
        for n, exe in bins.items():  # interleaved, so load changes hit every allocator alike
            _, out, _ = bl.run_timed([exe, w] + args)
            kv = bl.parse_kv(out)
            key = "seconds" if (w == "xthread" or a.wall) else "cpu_seconds"
            times[w][n].append(float(kv[key]))
            checks[w][n] = kv["check"]
            print("%-8s %-9s run %d: %.3f s" % (w, n, r + 1, times[w][n][-1]), file=sys.stderr)
    if len(set(checks[w].values())) != 1:
        sys.exit("alloc bench: check values differ between allocators: %s" % checks[w])
load_end = bl.load_now()

lines = []
lines.append("## Allocator microbenchmark (issue 3)\n")
# the exact command that reproduces this table (non-default options included)
cmd_opts = (" --runs %d" % a.runs if a.runs != 5 else "") + (" --wall" if a.wall else "") + \
    "".join(" --alaska-variant " + v for v in a.alaska_variant)
lines.append("Command: `bash bench/run-alloc.sh%s` (best of %d, runs interleaved across allocators; churn "
             "timed by %s, xthread by wall clock)  " % (cmd_opts, a.runs,
                                                        "wall clock" if a.wall else "process CPU time"))
lines.append("Machine: %s\n" % bl.machine_line(m, load_end))
lines.append("* churn: 1 thread, %s slots, %s ops; each op frees a random slot's object and allocates "
             "16-512 B, writing one word (Alaska: through `alaska_translate`)." % (a.churn_slots, a.churn_ops))
lines.append("* xthread: %s producer/consumer pairs, %s objects per producer, batches of 256 passed "
             "through SPSC rings; every free is a remote free.\n" % (a.xthread_pairs, a.xthread_objs))
lines.append("| allocator | churn best (s) | churn median | churn / mimalloc | xthread best (s) | xthread median | xthread / mimalloc |")
lines.append("|---|---|---|---|---|---|---|")
for n in bins:
    row = ["%s" % n]
    for w in workloads:
        best = min(times[w][n])
        row += ["%.3f" % best, "%.3f" % statistics.median(times[w][n]),
                "%.2fx" % (best / min(times[w]["mimalloc"]))]
    lines.append("| " + " | ".join(row) + " |")
if "alaska" not in bins:
    lines.append("\n(Alaska variant not built: the runtime was not available in this build.)")
else:
    c = min(times["churn"]["alaska"]) / min(times["churn"]["mimalloc"])
    g = min(times["churn"]["alaska"]) / min(times["churn"]["glibc"])
    lines.append("\nTarget (issue 3): Alaska churn <= 1.25x mimalloc and faster than glibc. "
                 "Measured: %.2fx mimalloc, %.2fx glibc -> %s." % (
                     c, g, "met" if c <= 1.25 and g < 1 else "NOT met"))
text = "\n".join(lines)
print(text)
raw = {"machine": m, "times": times}
with open(os.path.join(B, "bench-alloc.json"), "w") as f:
    json.dump(raw, f, indent=1)
if not a.no_doc:
    bl.update_doc("alloc", text)
