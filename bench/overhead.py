#!/usr/bin/env python3
"""bench/overhead.py — run-time overhead of alaska-clang -O2 vs clang-19 -O2 on the
pointer-heavy programs in bench/overhead/, and the `overhead` section of docs/bench.md.
Invoked by `bash bench/run-overhead.sh [options]`.

Every program is built natively and with Alaska; their outputs must be identical (a program
whose Alaska output differs is reported as WRONG and left out of the geomean). Runs are
interleaved (native, alaska, variants..., native, ...) and the best of N is reported.
Variants: --env-variant 'name:VAR=VAL[,VAR=VAL]' runs the Alaska binary with extra environment
(e.g. defrag-off:ALASKA_DEFRAG=0); --flag-variant 'name:FLAGS' builds another Alaska binary with
extra compiler flags (e.g. a pass switch that disables pin tracking)."""
import argparse
import os
import shlex
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

PROGRAMS = ["bintree", "list", "hashtab", "bfs", "matrix", "strbuild", "interp", "pqueue"]

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--programs", default=",".join(PROGRAMS))
ap.add_argument("--env-variant", action="append", default=[])
ap.add_argument("--flag-variant", action="append", default=[])
ap.add_argument("--cflags", default="-O2")
ap.add_argument("--wall", action="store_true", help="time wall clock instead of user+sys CPU")
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--no-variants", action="store_true",
                help="only native vs alaska (default also runs defrag-off and no-pins)")
a = ap.parse_args()

m = bl.machine()
B = os.path.abspath(a.build)
src = os.path.join(bl.ROOT, "bench", "overhead")
out = os.path.join(B, "bench-overhead")
alaska_cc = os.path.join(B, "compiler", "driver", "alaska-clang")
native_cc = "clang-19"
cflags = shlex.split(a.cflags)
if not a.no_variants:
    # ALASKA_DEFRAG=0: the defragmentation service off (docs/design.md section 7).
    a.env_variant.insert(0, "defrag-off:ALASKA_DEFRAG=0")
    # Pin tracking off: the pass option -alaska-pins=0. clang parses -mllvm options before
    # it loads -fpass-plugin plugins, so the plugin is loaded early too (docs/design.md §5).
    plugin = os.path.join(B, "compiler", "pass", "AlaskaPass.so")
    a.flag_variant.append("no-pins:-Xclang -load -Xclang %s -mllvm -alaska-pins=0" % plugin)
programs = a.programs.split(",")

# configs: name -> (binary dir, extra env)
if not os.path.exists(alaska_cc):
    sys.exit("overhead bench: %s not found (is the driver built?)" % alaska_cc)
builds = {"native": (native_cc, []), "alaska": (alaska_cc, [])}
if not a.no_variants:
    # The same native code on mimalloc: how much of "alaska vs native" is just the allocator.
    builds["native-mimalloc"] = (native_cc, ["-lmimalloc"])
for v in a.flag_variant:
    name, flags = v.split(":", 1)
    builds[name] = (alaska_cc, shlex.split(flags))
configs = {name: (name, {}) for name in builds}
for v in a.env_variant:
    name, envs = v.split(":", 1)
    configs[name] = ("alaska", dict(kv.split("=", 1) for kv in envs.split(",")))
if "native-mimalloc" in configs:  # last column
    configs["native-mimalloc"] = configs.pop("native-mimalloc")

size_of = {}
for name, (cc, extra) in builds.items():
    os.makedirs(os.path.join(out, name), exist_ok=True)
    for p in programs:
        exe = os.path.join(out, name, p)
        cmd = ([] if cc == native_cc or os.access(cc, os.X_OK) else ["bash"]) + [cc] + cflags + [
            os.path.join(src, p + ".c"), "-o", exe, "-lm"] + extra
        r = subprocess.run(cmd, text=True, stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.exit("overhead bench: build failed: %s\n%s" % (" ".join(cmd), r.stderr))
        text = subprocess.run(["size", "-A", exe], text=True, stdout=subprocess.PIPE).stdout
        size_of[(name, p)] = sum(int(l.split()[1]) for l in text.splitlines()
                                 if l.startswith(".text"))

times = {(c, p): [] for c in configs for p in programs}
wrong = {}
expected = {}
for p in programs:
    for r in range(a.runs):
        for c, (bname, env) in configs.items():
            exe = os.path.join(out, bname, p)
            try:
                t, so, se = bl.run_timed([exe], env=env, cpu=not a.wall)
            except RuntimeError as e:
                wrong[(c, p)] = str(e).splitlines()[0]
                continue
            if c == "native":
                expected[p] = so
            elif so != expected.get(p):
                wrong[(c, p)] = "output differs from native"
            times[(c, p)].append(t)
            print("%-9s %-12s run %d: %.3f s" % (p, c, r + 1, t), file=sys.stderr)
load_end = bl.load_now()

cnames = [c for c in configs if c != "native"]
med = lambda xs: statistics.median(xs)
lines = ["## Run-time overhead: `alaska-clang %s` vs `clang-19 %s` (issue 4)\n" % (a.cflags, a.cflags)]
cmdline = "bash bench/run-overhead.sh" + "".join(" " + shlex.quote(x) for x in sys.argv[3:] if x != "--no-doc")
variants_note = []
if "native-mimalloc" in configs:
    variants_note.append("`native-mimalloc` = `clang-19 %s ... -lmimalloc` (allocator effect alone)" % a.cflags)
for v in a.env_variant:
    variants_note.append("`%s` = the alaska binary run with `%s`" % tuple(v.split(":", 1)))
for v in a.flag_variant:
    variants_note.append("`%s` = built with `alaska-clang %s %s`" % (v.split(":", 1)[0], a.cflags,
                         v.split(":", 1)[1].replace(B + "/", "$BUILD/")))
lines.append("Command: `%s` (%d runs each, interleaved; %s; cells are best / median)  " % (
    cmdline.strip(), a.runs, "wall-clock time" if a.wall else "user+sys CPU time of the process"))
lines.append("Machine: %s\n" % bl.machine_line(m, load_end))
if variants_note:
    lines.append("Variants: " + "; ".join(variants_note) + ".\n")
hdr = "| program | native (s) | " + " | ".join("%s (s) | %s overhead" % (c, c) for c in cnames) + " | .text alaska/native |"
lines.append(hdr)
lines.append("|---" * (2 + 2 * len(cnames) + 1) + "|")
ratios = {c: [] for c in cnames}
mratios = {c: [] for c in cnames}
for p in programs:
    nt = times[("native", p)]
    if not nt:
        lines.append("| %s | FAILED natively |" % p)
        continue
    row = [p, "%.3f / %.3f" % (min(nt), med(nt))]
    for c in cnames:
        if (c, p) in wrong:
            row += ["WRONG", wrong[(c, p)]]
            continue
        ct = times[(c, p)]
        rb, rm = min(ct) / min(nt), med(ct) / med(nt)
        row += ["%.3f / %.3f" % (min(ct), med(ct)), "%+.1f %% / %+.1f %%" % ((rb - 1) * 100, (rm - 1) * 100)]
        ratios[c].append((rb, p))
        mratios[c].append((rm, p))
    row.append("%.2fx" % (size_of[("alaska", p)] / size_of[("native", p)]))
    lines.append("| " + " | ".join(row) + " |")
lines.append("")
for c in cnames:
    if ratios[c]:
        g, gm = bl.geomean([r for r, _ in ratios[c]]), bl.geomean([r for r, _ in mratios[c]])
        worst, wm = max(ratios[c]), max(mratios[c])
        lines.append("* **%s**: geomean overhead %+.1f %% (best-of) / %+.1f %% (median); worst %+.1f %% (%s) / "
                     "%+.1f %% (%s); %d/%d programs correct." % (
                         c, (g - 1) * 100, (gm - 1) * 100, (worst[0] - 1) * 100, worst[1],
                         (wm[0] - 1) * 100, wm[1], len(ratios[c]), len(programs)))
lines.append("* Target (issue 4 / REFERENCE): geomean <= 4 %, none > 20 %.")
lines.append("* Noise: on this shared 2-core VM, two runs of the *same* binary differ by up to ~15 % "
             "(bimodal, e.g. strbuild 0.70 s vs 0.84 s, also with ASLR off), so single-program "
             "differences below ~10 % are not significant.")
text = "\n".join(lines)
print(text)
if not a.no_doc:
    bl.update_doc("overhead", text)
