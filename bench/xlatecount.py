#!/usr/bin/env python3
"""bench/xlatecount.py — what executed translations hit (issue 14, levers 4 and 5): every
program of the overhead suite (bench/overhead/*.c and the Debian programs of
bench/debian_programs.py) is built with `alaska-clang -O2 -mllvm -alaska-count-translations`
and linked with bench/xlatecount/xlatecount.c, run once on its benchmark input, and the
counts go into the `xlatecount` section of docs/bench.md: translations executed, the share
that were of raw pointers (the fast path; what proving pointers raw at compile time can
remove) and the share of handle translations that hit large objects (> 32 KiB, on spans of
their own, never moved by the defragmenter: what handing large objects out as plain
pointers would remove). Invoked by `bash bench/run-xlatecount.sh [--programs a,b] [--no-doc]`."""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import debian_programs as dp  # noqa: E402

OWN = ["bintree", "list", "hashtab", "bfs", "matrix", "strbuild", "interp", "pqueue", "staticbuf"]

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--programs", default=",".join(OWN + dp.PROGRAMS))
ap.add_argument("--flags", default="", help="extra alaska-clang flags (e.g. a lever off)")
ap.add_argument("--no-doc", action="store_true")
a = ap.parse_args()

m = bl.machine()
B = os.path.abspath(a.build)
plugin = os.path.join(B, "compiler", "pass", "AlaskaPass.so")
cc = os.path.join(B, "compiler", "driver", "alaska-clang")
out = os.path.join(B, "bench-xlatecount")
os.makedirs(out, exist_ok=True)
lib = os.path.join(out, "libxlatecount.so")
subprocess.run(["clang-19", "-O2", "-fPIC", "-shared", "-I", os.path.join(bl.ROOT, "include"),
                os.path.join(bl.ROOT, "bench", "xlatecount", "xlatecount.c"), "-o", lib], check=True)
flags = ["-O2", "-Xclang", "-load", "-Xclang", plugin, "-mllvm", "-alaska-count-translations",
         "-L" + out, "-lxlatecount", "-Wl,-rpath," + out] + a.flags.split()

rows = []
for p in a.programs.split(","):
    countf = os.path.join(out, p + ".count")
    if os.path.exists(countf):
        os.unlink(countf)
    env = {"ALASKA_XLATE_COUNT": countf}
    if p in dp.PROGRAMS:
        b = dp.build(p, cc, flags, name="xlatecount")
        if p == "redis":
            b["client"] = dp.build("redis", "clang-19", ["-O2"], name="native")["benchmark"]
        dp.run(p, b, env=env)
    else:
        exe = os.path.join(out, p)
        subprocess.run(dp.heavy() + [cc] + flags + [os.path.join(bl.ROOT, "bench", "overhead", p + ".c"),
                                                    "-o", exe, "-lm"], check=True)
        dp.run_cpu([exe], env=env)
    tot = {}
    for line in open(countf):  # one line per process (zstd runs three)
        for k, v in bl.parse_kv(line).items():
            tot[k] = tot.get(k, 0) + int(v)
    rows.append((p, tot))
    print(p, tot, file=sys.stderr, flush=True)

lines = ["## What executed translations hit (issue 14, levers 4 and 5)\n",
         "Command: `bash bench/run-xlatecount.sh%s` (each program built with `alaska-clang -O2 -mllvm "
         "-alaska-count-translations` + `bench/xlatecount/xlatecount.c`, run once on the overhead "
         "suite's input)  " % ((" --flags '%s'" % a.flags) if a.flags else ""),
         "Machine: %s\n" % bl.machine_line(m, bl.load_now()),
         "`translations` = translation sequences executed (each is one check of bit 63); `raw` = "
         "those that found a plain pointer (fast path; what compile-time raw proofs remove); "
         "`handles` = those that loaded a table entry; `large` = handle translations of objects "
         "> 32 KiB (own spans, never moved by the defragmenter; sampled 1 in 8 and scaled).\n",
         "| program | translations | raw | handles | large (of handles) | large (of all) |",
         "|---|---|---|---|---|---|"]
for p, t in rows:
    n, h = t.get("translations", 0), t.get("handles", 0)
    large = t.get("large_est", 0)
    pct = lambda x, d: "%.1f %%" % (100.0 * x / d) if d else "-"
    lines.append("| %s | %d | %s | %d | %s | %s |" % (p, n, pct(n - h, n), h, pct(large, h), pct(large, n)))
text = "\n".join(lines)
print(text)
if not a.no_doc:
    bl.update_doc("xlatecount", text)
