#!/usr/bin/env python3
"""bench/overhead.py — run-time overhead of alaska-clang -O2 vs clang-19 -O2 on the programs
in bench/overhead/ and on real programs built from Debian source packages
(bench/debian_programs.py: sqlite, lua, xz, zstd, gawk, redis), and the `overhead` section of
docs/bench.md. Invoked by `bash bench/run-overhead.sh [options]`.

Every program is built natively, with Alaska, and once per *lever variant* (Alaska with
extra compiler flags that turn one optimisation off, so each lever's effect is measured
alone as an A/B against the same Alaska build). Outputs must equal the native one (a
differing run is reported as WRONG and left out of the geomean). Runs are interleaved
(native, alaska, variants..., native, ...); cells are min / median of N whole-process CPU
times (user+sys of the process and all its threads). Also reported: `.text` size ratio, the
translation sites each raw-pointer rule of the pass removed (ALASKA_PASS_STATS), Redis
throughput, and the compile time of the SQLite amalgamation.

Shared machine: BENCH_HEAVY (e.g. `/work/tools/heavy`) wraps every build command,
BENCH_QUIET (e.g. `/work/tools/quiet`) wraps each timed phase (one per program, and the
compile-time measurement), so timings run alone and no phase holds the machine for long.

Adding a lever: append ("name", "-mllvm flags that turn it off") to LEVERS below, or pass
--flag-variant 'name:FLAGS' (FLAGS: extra alaska-clang arguments; `$PLUGIN` expands to the
pass plugin, which -mllvm options of the plugin need loaded early: `-Xclang -load -Xclang
$PLUGIN -mllvm -alaska-...`).

A/B of a change: --toolchain-variant 'name:DIR' adds an alaska build made by DIR's driver,
pass and runtime (another checkout's build-bench, e.g. `git worktree add ../old REV` and
`bash bench/build.sh alaska-toolchain`
there), timed interleaved with the rest."""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402
import debian_programs as dp  # noqa: E402

OWN = ["bintree", "list", "hashtab", "bfs", "matrix", "strbuild", "interp", "pqueue", "staticbuf"]
REAL = dp.PROGRAMS
# Lever variants: Alaska with one lever turned off (-mllvm options of the pass plugin).
LEVERS = [
    ("no-pins", "-mllvm -alaska-pins=0"),
    ("no-rawproofs", "-mllvm -alaska-raw-proofs=0"),
    ("no-safepoints", "-mllvm -alaska-safepoints=0"),
]

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--programs", default=",".join(OWN + REAL))
ap.add_argument("--env-variant", action="append", default=[],
                help="name:VAR=VAL[,VAR=VAL]: the alaska binaries run with extra environment")
ap.add_argument("--flag-variant", action="append", default=[],
                help="name:FLAGS: another alaska build with extra flags")
ap.add_argument("--toolchain-variant", action="append", default=[],
                help="name:BUILD_DIR: another alaska build made with BUILD_DIR's driver, pass "
                     "and runtime (e.g. an older revision's build-bench), for A/B of a change")
ap.add_argument("--no-levers", action="store_true", help="only native vs alaska (+ given variants)")
ap.add_argument("--compile-runs", type=int, default=5,
                help="runs of the SQLite amalgamation compile-time A/B (0: skip)")
ap.add_argument("--cflags", default="-O2")
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--phase", default="all", choices=["all", "time", "compile"], help=argparse.SUPPRESS)
ap.add_argument("--plan", help=argparse.SUPPRESS)
a = ap.parse_args()

B = os.path.abspath(a.build)
PLUGIN = os.path.join(B, "compiler", "pass", "AlaskaPass.so")
ALASKA_CC = os.path.join(B, "compiler", "driver", "alaska-clang")
NATIVE_CC = "clang-19"
OUT = os.path.join(B, "bench-overhead")
SRC = os.path.join(bl.ROOT, "bench", "overhead")
cflags = shlex.split(a.cflags)


def wrapper(var):
    return shlex.split(os.environ.get(var, ""))


def med(xs):
    return statistics.median(xs)


# ---- timed phases (run under BENCH_QUIET, one process per phase) -----------------------------

def time_program(plan, prog):
    """Interleaved runs of every config of one program; returns {config: [seconds]}, wrong,
    outputs, extra (redis rates)."""
    times = {c: [] for c in plan["configs"]}
    wrong, extra, expected = {}, {}, None
    for r in range(plan["runs"]):
        for c, cfg in plan["configs"].items():
            b = plan["builds"][cfg["build"]][prog]
            try:
                if prog in REAL:
                    res = dp.run(prog, b, env=cfg["env"])
                    secs, out = res[0], res[1]
                    if len(res) > 2:
                        extra.setdefault(c, []).append(res[2])
                else:
                    secs, out, _ = dp.run_cpu([b["exe"]], env=cfg["env"])
            except RuntimeError as e:
                wrong[c] = str(e).splitlines()[0][:200]
                continue
            if c == "native":
                expected = out
            elif out != expected:
                wrong[c] = "output differs from native"
            times[c].append(secs)
            print("%-9s %-14s run %d: %.3f s" % (prog, c, r + 1, secs), file=sys.stderr, flush=True)
    return {"times": times, "wrong": wrong, "extra": extra}


def time_compile(plan):
    """SQLite amalgamation, `-O2 -c sqlite3.c`, clang-19 vs alaska-clang, interleaved; wall
    time would include waiting for the CPU, so this is the compiler's user+sys CPU time."""
    amal = plan["amalgamation"]
    res = {"clang-19": [], "alaska-clang": []}
    obj = os.path.join(OUT, "sqlite3-compile.o")
    for r in range(plan["compile_runs"]):
        for name, cc in (("clang-19", [NATIVE_CC]), ("alaska-clang", [ALASKA_CC])):
            secs, _, _ = dp.run_cpu(cc + cflags + ["-c", amal, "-o", obj])
            res[name].append(secs)
            print("compile %-12s run %d: %.2f s" % (name, r + 1, secs), file=sys.stderr, flush=True)
    return res


if a.phase != "all":
    with open(a.plan) as f:
        plan = json.load(f)
    if a.phase == "time":
        result = {p: time_program(plan, p) for p in plan["programs"]}
    else:
        result = time_compile(plan)
    with open(a.plan + ".%s.out" % a.phase, "w") as f:
        json.dump(result, f)
    sys.exit(0)

# ---- builds -------------------------------------------------------------------------------------

if not os.path.exists(ALASKA_CC):
    sys.exit("overhead bench: %s not found (is the driver built?)" % ALASKA_CC)
m = bl.machine()
programs = a.programs.split(",")
for p in programs:
    if p not in OWN and p not in REAL:
        sys.exit("overhead bench: unknown program %s (known: %s)" % (p, ", ".join(OWN + REAL)))
builds = {"native": (NATIVE_CC, [])}
builds["alaska"] = (ALASKA_CC, [])
variants = [] if a.no_levers else ["%s:%s" % lv for lv in LEVERS]
variants += a.flag_variant
plugin_load = ["-Xclang", "-load", "-Xclang", PLUGIN]
for v in variants:
    name, flags = v.split(":", 1)
    flags = shlex.split(flags.replace("$PLUGIN", PLUGIN))
    if "-mllvm" in flags and PLUGIN not in flags:
        flags = plugin_load + flags  # clang parses -mllvm before it loads -fpass-plugin plugins
    builds[name] = (ALASKA_CC, flags)
for v in a.toolchain_variant:
    name, other = v.split(":", 1)
    other_cc = os.path.join(os.path.abspath(other), "compiler", "driver", "alaska-clang")
    if not os.path.exists(other_cc):
        sys.exit("overhead bench: %s not found (build that tree's driver first)" % other_cc)
    builds[name] = (other_cc, [])
configs = {name: {"build": name, "env": {}} for name in builds}
for v in a.env_variant:
    name, envs = v.split(":", 1)
    configs[name] = {"build": "alaska", "env": dict(kv.split("=", 1) for kv in envs.split(","))}


def text_size(exe):
    out = subprocess.run(["size", "-A", exe], text=True, stdout=subprocess.PIPE).stdout
    return sum(int(l.split()[1]) for l in out.splitlines() if l.startswith(".text"))


def pass_stats(path):
    """Sum the alaska-pass-stats lines a build appended to path."""
    tot = {}
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("alaska-pass-stats:"):
                for k, v in bl.parse_kv(line).items():
                    if v.isdigit():
                        tot[k] = tot.get(k, 0) + int(v)
    return tot


built = {}
stats = {}
hv = wrapper("BENCH_HEAVY")
for bname, (cc, extra) in builds.items():
    built[bname] = {}
    for p in programs:
        if p in REAL:
            info = dp.build(p, cc, cflags + extra, name=bname)
            stats_file = os.path.join(info["dir"], "pass-stats.txt")
        else:
            d = os.path.join(OUT, bname)
            os.makedirs(d, exist_ok=True)
            exe = os.path.join(d, p)
            stats_file = exe + ".pass-stats.txt"
            if os.path.exists(stats_file):
                os.unlink(stats_file)
            env = dict(os.environ, ALASKA_PASS_STATS=stats_file)
            cmd = hv + [cc] + cflags + [os.path.join(SRC, p + ".c"), "-o", exe, "-lm"] + extra
            r = subprocess.run(cmd, text=True, stderr=subprocess.PIPE, env=env)
            if r.returncode != 0:
                sys.exit("overhead bench: build failed: %s\n%s" % (" ".join(cmd), r.stderr))
            info = {"exe": exe}
        info["text"] = text_size(info["exe"])
        built[bname][p] = info
        stats[(bname, p)] = pass_stats(stats_file)
    print("overhead bench: built %s" % bname, file=sys.stderr, flush=True)

# Redis: one client for every server (the native build's redis-benchmark).
if "redis" in programs:
    for bname in built:
        built[bname]["redis"]["client"] = built["native"]["redis"]["benchmark"]

# ---- timing ---------------------------------------------------------------------------------

plan_path = os.path.join(OUT, "plan.json")
plan = {"configs": configs, "builds": built, "runs": a.runs, "compile_runs": a.compile_runs}
results = {}
quiet = wrapper("BENCH_QUIET")
load_start = bl.load_now()
for p in programs:
    plan["programs"] = [p]
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    subprocess.run(quiet + [sys.executable, os.path.abspath(__file__), "--build", B, "--phase",
                            "time", "--plan", plan_path], check=True)
    with open(plan_path + ".time.out") as f:
        results.update(json.load(f))
compile_res = None
if a.compile_runs > 0:
    plan["amalgamation"] = os.path.join(dp.BUILD_ROOT, "sqlite-amalgamation", "sqlite3.c")
    if not os.path.exists(plan["amalgamation"]):
        dp.build("sqlite", NATIVE_CC, cflags, name="native")
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    subprocess.run(quiet + [sys.executable, os.path.abspath(__file__), "--build", B, "--phase",
                            "compile", "--plan", plan_path], check=True)
    with open(plan_path + ".compile.out") as f:
        compile_res = json.load(f)
load_end = bl.load_now()

# ---- report ---------------------------------------------------------------------------------

cnames = [c for c in configs if c != "native"]
lever_names = [c for c in cnames if c != "alaska"]
lines = ["## Run-time overhead: `alaska-clang %s` vs `clang-19 %s` (issues 4, 14)\n" % (a.cflags, a.cflags)]
cmdline = "bash bench/run-overhead.sh" + "".join(
    " " + shlex.quote(x) for x in sys.argv[3:] if x != "--no-doc")
lines.append("Command: `%s` (%d runs per program, configurations interleaved; whole-process "
             "user+sys CPU time; cells are min / median)  " % (cmdline.strip(), a.runs))
lines.append("Machine: %s (load avg before the timed phases %s)\n" % (bl.machine_line(m, load_end), load_start))
notes = []
for c in lever_names:
    if configs[c]["env"]:
        notes.append("`%s` = the alaska binaries run with `%s`" % (
            c, ",".join("%s=%s" % kv for kv in configs[c]["env"].items())))
    else:
        notes.append("`%s` = `alaska-clang %s %s`" % (c, a.cflags, " ".join(builds[c][1]).replace(
            " ".join(plugin_load) + " ", "").replace(B + "/", "$BUILD/")))
if notes:
    lines.append("Lever variants (Alaska with one lever off; column *alaska vs X* = median alaska "
                 "time / median X time - 1: positive = what X turns off costs time, negative = "
                 "what it turns off saves time): " + "; ".join(notes) + ".\n")
lines.append("Real programs (Debian bookworm sources, `bench/debian_programs.py`, built with the "
             "same flags): " + "; ".join(
                 "**%s** %s" % (p, dp.WORKLOADS[p] % built["native"][p].get("source", "")
                                if "%s" in dp.WORKLOADS[p] else dp.WORKLOADS[p])
                 for p in programs if p in REAL) + ".\n")
hdr = "| program | native (s) | alaska (s) | alaska overhead | " + " | ".join(
    "%s (s) | alaska vs %s" % (c, c) for c in lever_names) + " | .text alaska/native |"
lines.append(hdr)
lines.append("|---" * (5 + 2 * len(lever_names)) + "|")
ratios = {c: [] for c in cnames}
mratios = {c: [] for c in cnames}
text_ratios = []
for p in programs:
    res = results[p]
    nt = res["times"]["native"]
    if not nt:
        lines.append("| %s | FAILED natively: %s |" % (p, res["wrong"].get("native", "")))
        continue
    row = [p, "%.3f / %.3f" % (min(nt), med(nt))]
    at = res["times"]["alaska"]
    for c in cnames:
        ct = res["times"][c]
        if c in res["wrong"] or not ct:
            row += ["WRONG", res["wrong"].get(c, "no run")]
            continue
        rb, rm = min(ct) / min(nt), med(ct) / med(nt)
        ratios[c].append((rb, p))
        mratios[c].append((rm, p))
        if c == "alaska":
            row += ["%.3f / %.3f" % (min(ct), med(ct)), "%+.1f %% / %+.1f %%" % ((rb - 1) * 100, (rm - 1) * 100)]
        else:
            eff = "%+.1f %%" % ((med(at) / med(ct) - 1) * 100) if at and "alaska" not in res["wrong"] else "-"
            row += ["%.3f / %.3f" % (min(ct), med(ct)), eff]
    tr = built["alaska"][p]["text"] / built["native"][p]["text"]
    text_ratios.append(tr)
    row.append("%.2fx" % tr)
    lines.append("| " + " | ".join(row) + " |")
lines.append("")
for c in cnames:
    if ratios[c]:
        g, gm = bl.geomean([r for r, _ in ratios[c]]), bl.geomean([r for r, _ in mratios[c]])
        worst, wm = max(ratios[c]), max(mratios[c])
        lines.append("* **%s** vs native: geomean %+.1f %% (min) / %+.1f %% (median); worst %+.1f %% (%s) / "
                     "%+.1f %% (%s); %d/%d programs correct." % (
                         c, (g - 1) * 100, (gm - 1) * 100, (worst[0] - 1) * 100, worst[1],
                         (wm[0] - 1) * 100, wm[1], len(ratios[c]), len(programs)))
lines.append("* `.text` alaska/native: geomean %.2fx (goal <= 1.3x)." % bl.geomean(text_ratios))
lines.append("* Goal (issue 14): geomean <= 4 %, no program above +20 % (min of >= 5 runs).")

# translation sites per rule (ALASKA_PASS_STATS of the alaska builds)
RULES = [("raw_base", "alloca/global/null/uncompiled result"), ("raw_arg", "argument"),
         ("raw_load", "loaded from raw-only memory"), ("raw_ret", "returned by a raw-returning function")]
if any(stats.get(("alaska", p)) for p in programs):
    lines.append("")
    lines.append("Address operands the pass looked at (`sites`) and how they were resolved, alaska "
                 "build (`ALASKA_PASS_STATS`, design.md §5.4): `translated` = operands that use a "
                 "translation (`translations` = translation sequences emitted; one serves "
                 "every operand its root dominates); `raw_base` = proven raw by the local "
                 "rules (allocas, globals, uncompiled results...); `raw_new` = proven raw only "
                 "with the module-wide facts, and of those, the proofs that needed an argument "
                 "fact (`raw_arg`), a raw-only-memory fact (`raw_load`) or a raw-return fact "
                 "(`raw_ret`; one proof may need several).\n")
    lines.append("| program | sites | translated | translations | raw_base | raw_new | " +
                 " | ".join(r for r, _ in RULES[1:]) + " | share of sites raw_new |")
    lines.append("|---" * (7 + len(RULES) - 1) + "|")
    for p in programs:
        s = stats.get(("alaska", p), {})
        if not s.get("sites"):
            continue
        lines.append("| %s | %d | %d | %d | %d | %d | %s | %.1f %% |" % (
            p, s["sites"], s.get("translated", 0), s.get("translations", 0), s.get("raw_base", 0),
            s.get("raw_new", 0), " | ".join(str(s.get(r, 0)) for r, _ in RULES[1:]),
            100.0 * s.get("raw_new", 0) / s["sites"]))

if "redis" in programs and results["redis"]["extra"]:
    lines.append("")
    lines.append("Redis throughput (requests/s, median of the runs; the client is the native "
                 "`redis-benchmark`):\n")
    ex = results["redis"]["extra"]
    tests = list(ex.get("native", [{}])[0].keys())
    lines.append("| test | " + " | ".join(c for c in ["native"] + cnames if c in ex) + " |")
    lines.append("|---" * (1 + len([c for c in ["native"] + cnames if c in ex])) + "|")
    for t in tests:
        lines.append("| %s | %s |" % (t, " | ".join("%.0f" % med([r[t] for r in ex[c] if t in r])
                                                   for c in ["native"] + cnames if c in ex)))

if compile_res:
    cn, ca = compile_res["clang-19"], compile_res["alaska-clang"]
    lines.append("")
    lines.append("Compile time of the SQLite amalgamation (`%s -c sqlite3.c`, %d interleaved runs, "
                 "compiler user+sys CPU): clang-19 %.2f / %.2f s, alaska-clang %.2f / %.2f s (min / "
                 "median) = **%.2fx / %.2fx** (goal <= 1.10x)." % (
                     a.cflags, len(cn), min(cn), med(cn), min(ca), med(ca), min(ca) / min(cn),
                     med(ca) / med(cn)))
lines.append("")
lines.append("* Noise: on this shared 2-core VM, two runs of the *same* binary differ by up to ~15 % "
             "(bimodal, e.g. strbuild 0.70 s vs 0.84 s, also with ASLR off), so single-program "
             "differences below ~10 % are not significant.")
text = "\n".join(lines)
print(text)
if not a.no_doc:
    bl.update_doc("overhead", text)
