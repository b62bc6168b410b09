#!/usr/bin/env python3
"""bench/lru.py — the LRU fragmentation workload (examples/lru/lru.c) under glibc, jemalloc,
mimalloc and Alaska, one after the other in the same session; CSV traces of RSS over time in
bench/results/, one PNG with every run (docs/lru-rss.png, gnuplot), and the `lru` section of
docs/bench.md. Invoked by `bash bench/run-lru.sh [--runs-only a,b] [-- lru options]`."""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--only", default="", help="comma-separated subset of run names")
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--plot-only", action="store_true",
                help="re-render the PNGs from bench/results/*.csv without running anything")
ap.add_argument("--heapmaps", action="store_true",
                help="only the two Alaska runs, each writing heap maps at the end of the fill and "
                     "10 s later (ALASKA_HEAPMAP_SIGNAL); renders docs/img/lru-heapmap-{before,after}.png "
                     "and the lru-heapmap section of docs/bench.md (the lru section is left alone)")
ap.add_argument("lru_args", nargs="*", help="extra options for the lru program (after --)")
a = ap.parse_args()
HEAPMAP_SIGNAL = "12"  # SIGUSR2: the lru program does not use it

m = bl.machine()
B = os.path.abspath(a.build)
src = os.path.join(bl.ROOT, "examples", "lru", "lru.c")
out = os.path.join(B, "bench-lru")
res = os.path.join(bl.ROOT, "bench", "results")
os.makedirs(out, exist_ok=True)
os.makedirs(res, exist_ok=True)

# run name -> (binary, environment)
runs = {}
for name, libs in [("glibc", []), ("jemalloc", ["-ljemalloc"]), ("mimalloc", ["-lmimalloc"])]:
    exe = os.path.join(out, "lru-" + name)
    subprocess.run(["clang-19", "-O2", "-g", src, "-o", exe] + libs, check=True)
    runs[name] = (exe, {})
alaska_exe = os.path.join(B, "examples", "lru", "lru")
if os.path.exists(alaska_exe):
    runs["alaska"] = (alaska_exe, {"ALASKA_STATS": "1"})
    runs["alaska-defrag-off"] = (alaska_exe, {"ALASKA_STATS": "1", "ALASKA_DEFRAG": "0"})
# Redis's own accounting (usable sizes against the cap): the held key set then depends on the
# allocator's size classes. Not plotted; shown as extra rows.
USABLE = ["glibc-usable", "alaska-usable"]
runs["glibc-usable"] = (runs["glibc"][0], {})
if "alaska" in runs:
    runs["alaska-usable"] = (alaska_exe, {"ALASKA_STATS": "1"})
if a.heapmaps:
    if "alaska" not in runs:
        sys.exit("lru.py --heapmaps: %s not built" % alaska_exe)
    runs = {k: runs[k] for k in ["alaska-defrag-off", "alaska"]}
    for k, (exe, env) in runs.items():
        env = dict(env, ALASKA_HEAPMAP=os.path.join(out, "heapmap-%s" % k),
                   ALASKA_HEAPMAP_SIGNAL=HEAPMAP_SIGNAL)
        for suffix in ("", ".1", ".2"):
            if os.path.exists(env["ALASKA_HEAPMAP"] + suffix):
                os.unlink(env["ALASKA_HEAPMAP"] + suffix)
        runs[k] = (exe, env)
    uptime_start = bl.sh(["uptime"]).strip()
if a.only:
    keep = a.only.split(",")
    runs = {k: v for k, v in runs.items() if k in keep}

results = {}
if a.plot_only:
    results = {n: {} for n in ["glibc", "jemalloc", "mimalloc", "alaska", "alaska-defrag-off"]
               if os.path.exists(os.path.join(res, "lru-%s.csv" % n))}
    runs = {}
    a.no_doc = True
    import datetime
    m["date"] = datetime.datetime.fromtimestamp(os.path.getmtime(os.path.join(res, "lru-glibc.csv")),
                                                datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
for name, (exe, env) in runs.items():
    trace = os.path.join(out, "lru-%s.csv" % name)
    env = dict(env)
    if name.startswith("alaska"):
        env["ALASKA_TRACE"] = os.path.join(out, "alaska-trace-%s.csv" % name)
    cmd = [exe, "--label", name, "--trace", trace] + a.lru_args
    if a.heapmaps:
        cmd += ["--heapmap-signal", HEAPMAP_SIGNAL]
    if name in USABLE:
        cmd += ["--used-memory", "usable"]
    print("running %s: %s %s" % (name, " ".join("%s=%s" % kv for kv in env.items()), " ".join(cmd)),
          file=sys.stderr)
    try:
        _, so, se = bl.run_timed(cmd, env=env, timeout=900)
    except RuntimeError as e:
        print("  FAILED: %s" % e, file=sys.stderr)
        results[name] = {"result": "FAILED (%s)" % str(e).splitlines()[0]}
        continue
    summary = [l for l in so.splitlines() if l.startswith("lru:")]
    kv = bl.parse_kv(summary[-1]) if summary else {"result": "no summary"}
    kv["stats"] = bl.alaska_stats(se)
    results[name] = kv
    print("  " + (summary[-1] if summary else so[-300:]), file=sys.stderr)
    if kv["stats"]:
        print("  alaska-stats: " + " ".join("%s=%s" % x for x in kv["stats"].items()), file=sys.stderr)
    if a.heapmaps:
        continue  # bench/results/ holds the lru section's traces: left alone
    shutil.copy(trace, os.path.join(res, "lru-%s.csv" % name))
    if "ALASKA_TRACE" in env and os.path.exists(env["ALASKA_TRACE"]):
        shutil.copy(env["ALASKA_TRACE"], os.path.join(res, "alaska-trace-%s.csv" % name))
load_end = bl.load_now()


def heapmap_report():
    """Totals of the four snapshots, the two PNGs, the lru-heapmap section of docs/bench.md."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "plot_heapmap", os.path.join(bl.ROOT, "scripts", "plot-heapmap.py"))
    ph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ph)
    img = os.path.join(bl.ROOT, "docs", "img")
    os.makedirs(img, exist_ok=True)
    rows, maps = [], {}
    for name, k, when in [("alaska-defrag-off", 1, "end of the fill"),
                          ("alaska-defrag-off", 2, "after the GETs"),
                          ("alaska", 1, "end of the fill"),
                          ("alaska", 2, "after the GETs")]:
        path = "%s.%d" % (runs[name][1]["ALASKA_HEAPMAP"], k)
        if name not in results or "FAILED" in results[name].get("result", "") \
                or not os.path.exists(path):
            rows.append("| %s | %s | missing (run failed) | | | | | | | |" % (name, when))
            continue
        totals, pages = ph.load(path)
        maps[(name, k)] = path
        small = [p for p in pages if p[0] == "small"]
        sparse = sum(1 for p in small if p[2] and p[1] * 2 < p[2])
        free_c = sum(1 for p in pages if p[0] in ("free", "free_tail") and p[4] == "committed")
        released = sum(1 for p in pages if p[4] == "released")
        large = sum(1 for p in pages if p[0] in ("large", "large_tail"))
        live, committed = totals["live_bytes"], totals["committed_bytes"]
        rows.append("| %s | %s | %d | %.1f | %.1f | %.3f | %d | %d | %d | %d free committed, %d released |" % (
            name, when, len(pages), committed / 1048576.0, live / 1048576.0,
            committed / live if live else 0.0, len(small), sparse, large, free_c, released))
    pngs = []
    for (name, k), png, label in [(("alaska-defrag-off", 1), "lru-heapmap-before.png",
                                   "LRU run, defrag off, end of the fill (before)"),
                                  (("alaska", 2), "lru-heapmap-after.png",
                                   "LRU run, defrag on, 10 s after the fill (after)")]:
        if (name, k) not in maps:
            continue
        outp = os.path.join(img, png)
        subprocess.run([sys.executable, os.path.join(bl.ROOT, "scripts", "plot-heapmap.py"),
                        "-o", outp, "--title", "%s, %s" % (label, m["date"]), maps[(name, k)]],
                       check=True)
        pngs.append((png, label, os.path.getsize(outp)))
    lines = ["## Heap maps of the LRU run, before and after defragmentation (issue 11)\n"]
    lines.append("Command: `bash bench/run-lru.sh --heapmaps%s`: the `alaska-defrag-off` and "
                 "`alaska` runs of the [lru](#lru-fragmentation-workload-issue-6) section, each with "
                 "`ALASKA_HEAPMAP=build-bench/bench-lru/heapmap-RUN ALASKA_HEAPMAP_SIGNAL=%s` and "
                 "`lru --heapmap-signal %s` (the program raises the signal at the end of the fill "
                 "and after the 10 s of GETs and waits for `RUN.1` / `RUN.2`, docs/env.md \"Heap "
                 "map\"); pictures by `scripts/plot-heapmap.py`  " % (
                     (" -- " + " ".join(a.lru_args)) if a.lru_args else "", HEAPMAP_SIGNAL,
                     HEAPMAP_SIGNAL))
    lines.append("Machine: %s  " % bl.machine_line(m, load_end))
    lines.append("`uptime` at start: `%s`\n" % uptime_start)
    lines.append("| run | snapshot | pages | committed (MiB) | live (MiB) | committed / live | small pages | < half full | large pages | free pages |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    lines += rows
    lines.append("")
    for png, label, size in pngs:
        lines.append("![%s](img/%s)\n" % (label, png))
    lines.append("Cells: one 64 KiB page each, row by row; small pages red (empty) to green "
                 "(full) by occupancy, large objects blue, free committed pages grey, released "
                 "pages white, a black dot for a page with objects pinned forever. PNG sizes: %s." % (
                     ", ".join("%s %d KB" % (p, sz // 1000) for p, _, sz in pngs)))
    text = "\n".join(lines)
    print(text)
    for name, kv in results.items():
        print("  %s: %s" % (name, " ".join("%s=%s" % x for x in kv.items() if x[0] != "stats")),
              file=sys.stderr)
    if not a.no_doc:
        bl.update_doc("lru-heapmap", text)


if a.heapmaps:
    heapmap_report()
    sys.exit(0 if all("FAILED" not in r.get("result", "") for r in results.values()) else 1)

# ---- plot ---------------------------------------------------------------------------------
png = os.path.join(bl.ROOT, "docs", "lru-rss.png")
gp_term = "set terminal png size 1000,560"
if shutil.which("gnuplot") and subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                                              stderr=subprocess.DEVNULL).returncode == 0:
    gp_term = "set terminal pngcairo size 1000,560 font ',11'"
plotted = [n for n in results if os.path.exists(os.path.join(res, "lru-%s.csv" % n))
           and "FAILED" not in results[n].get("result", "") and n not in USABLE]
if plotted and shutil.which("gnuplot"):
    gp = [gp_term,
          "set output '%s'" % png,
          "set datafile separator ','",
          "set title 'LRU fragmentation workload: RSS over time (%s)'" % m["date"],
          "set xlabel 'time since start (s)'",
          "set ylabel 'MiB'",
          "set key bottom right",
          "set offsets 0, 0, 15, 0",
          "set grid"]
    series = []
    for n in plotted:
        series.append("'%s' using 1:3 every ::1 with lines lw 2 title '%s RSS'" % (
            os.path.join(res, "lru-%s.csv" % n), n))
    series.append("'%s' using 1:4 every ::1 with lines dt 2 lc rgb 'black' title 'used memory counted by the cache (requested bytes; cap 100 MiB)'" % (
        os.path.join(res, "lru-%s.csv" % plotted[0])))
    gp.append("plot " + ", \\\n     ".join(series))
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print("wrote %s" % png, file=sys.stderr)

# The runtime's own trace of the Alaska run: RSS, committed and live bytes.
atrace = os.path.join(res, "alaska-trace-alaska.csv")
png2 = os.path.join(bl.ROOT, "docs", "lru-alaska-trace.png")
if "alaska" in results and os.path.exists(atrace) and shutil.which("gnuplot"):
    gp = [gp_term, "set termoption noenhanced", "set output '%s'" % png2, "set datafile separator ','",
          "set title 'LRU workload, Alaska run: ALASKA_TRACE (%s)'" % m["date"],
          "set xlabel 'time since start (s)'", "set ylabel 'MiB'", "set y2label 'pauses so far'",
          "set y2tics", "set key bottom right", "set offsets 0, 0, 15, 0", "set grid",
          "plot '%s' using 1:($2/1048576) every ::1 with lines lw 2 title 'RSS', "
          "'' using 1:($4/1048576) every ::1 with lines lw 2 title 'heap committed', "
          "'' using 1:($3/1048576) every ::1 with lines lw 2 title 'live (usable sizes)', "
          "'' using 1:6 every ::1 axes x1y2 with steps lc rgb 'gray' title 'pauses (right axis)'" % atrace]
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print("wrote %s" % png2, file=sys.stderr)

# ---- report -------------------------------------------------------------------------------
def f(kv, k, fmt="%s"):
    return fmt % float(kv[k]) if k in kv else "-"

lines = ["## LRU fragmentation workload (issue 6)\n"]
lines.append("Command: `bash bench/run-lru.sh%s` (each run once, one after the other)  " % (
    (" -- " + " ".join(a.lru_args)) if a.lru_args else ""))
lines.append("Machine: %s\n" % bl.machine_line(m, load_end))
lines.append("Workload: `examples/lru/lru.c`, a model of Redis 7.0 serving `SET`/`GET` with "
             "`maxmemory 100mb` (100 MiB) and `allkeys-lru`: the same allocations per command as "
             "Redis (RESP query buffer, argv string objects, sds key copy, 24-byte dictEntry, "
             "16-byte robj + sds value, incremental rehashing, a 16-entry eviction pool filled "
             "with 5 sampled keys per eviction, LRU clock of 1 s resolution on a logical clock of "
             "10,000 commands/s). Fill 700,000 x 240 B values, then 170,000 x 492 B, 128-character "
             "keys (as the Alaska artifact's Redis script), then 10 s of GETs of held keys; every "
             "key ever set is then checked (evicted: absent; else present with its value). Used "
             "memory = bytes requested by the server (default; every allocator holds exactly the "
             "same keys) or, in the `-usable` rows, `malloc_usable_size` as Redis's zmalloc counts "
             "it. Native builds: `clang-19 -O2` (+ `-ljemalloc` / `-lmimalloc`); Alaska: "
             "`alaska-clang -O2`.\n")
lines.append("| run | RSS after fill (MiB) | RSS 10 s after the fill (MiB) | peak RSS (MiB) | RSS / used | keys held | SETs/s | GETs/s | keys verified | pauses p50 / p99 / max (us) | objects moved |")
lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
for n, kv in results.items():
    st = kv.get("stats", {})
    def first(*keys):
        return next((st[k] for k in keys if k in st), "-")
    pauses = " / ".join([first("pause_p50_us", "p50_pause_us"), first("pause_p99_us", "p99_pause_us"),
                         first("max_pause_us", "pause_max_us")]) if st else "n/a"
    checked = "-"
    if "verified" in kv:
        checked = "%s held + %s evicted" % (kv["verified"], kv.get("absent_ok", "?"))
    lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s %s | %s | %s |" % (
        n, f(kv, "rss_after_fill_mb", "%.1f"), f(kv, "final_rss_mb", "%.1f"), f(kv, "peak_rss_mb", "%.1f"),
        f(kv, "frag", "%.2f"), kv.get("items", "-"), f(kv, "sets_per_s", "%.0f"),
        f(kv, "gets_per_s", "%.0f"), checked, kv.get("result", "-"), pauses,
        st.get("objects_moved", "n/a" if not st else "-")))
def ratio_line(al, gl):
    if al in results and gl in results and "final_rss_mb" in results[al] \
            and "final_rss_mb" in results[gl]:
        a_mib = float(results[al]["final_rss_mb"])
        g_mib = float(results[gl]["final_rss_mb"])
        lines.append("* %s / %s RSS 10 s after the fill: **%.2fx** (target <= 0.55x); %s: %.1f MiB "
                     "= %.1f MB (goal <= 135 MB); %s: RSS / used memory %.2f." % (
                         al, gl, a_mib / g_mib, al, a_mib, a_mib * 1.048576, gl,
                         float(results[gl].get("frag", "0"))))


lines.append("")
ratio_line("alaska", "glibc")
ratio_line("alaska-usable", "glibc-usable")
lines.append("\n![RSS over time](lru-rss.png)\n")
if "alaska" in results and os.path.exists(png2):
    lines.append("![Alaska run: RSS, committed and live bytes, pauses](lru-alaska-trace.png)\n")
lines.append("Traces: `bench/results/lru-<run>.csv` (t_s, phase, rss_mb, counted_mb, items; "
             "phase 1/2 = fill waves, 3 = GETs); the Alaska runtime's own `ALASKA_TRACE` in "
             "`bench/results/alaska-trace-<run>.csv`.")
text = "\n".join(lines)
print(text)
if not a.no_doc:
    bl.update_doc("lru", text)
