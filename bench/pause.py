#!/usr/bin/env python3
"""bench/pause.py — stop-the-world pause of alaska_compact() vs bytes moved and thread count
(bench/pause/pause.c, issue 5) and the `pause` section of docs/bench.md.
Invoked by `bash bench/run-pause.sh [--reps N] [--threads 1,2,4,8] [--mib 0.25,1,4]
[--modes busy,mixed] [--ttsp none,qsort,memcpy,read,sleep] [--spinners 8] [--no-doc]`; the
time-to-stop table is bench/pause/ttsp.c (issue 14)."""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--reps", default="50")
ap.add_argument("--threads", default="1,2,4,8")
ap.add_argument("--mib", default="0.25,1,4")
ap.add_argument("--modes", default="busy,mixed")
ap.add_argument("--no-doc", action="store_true")
ap.add_argument("--budgets", default="0,256,1024,4096",
                help="KiB budgets for test/stress/pause_bench (budgeted barriers)")
ap.add_argument("--barriers", default="200")
ap.add_argument("--ttsp", default="none,qsort,memcpy,read,sleep",
                help="time-to-stop scenarios of bench/pause/ttsp.c ('' = skip)")
ap.add_argument("--spinners", default="8")
a = ap.parse_args()

m = bl.machine()
B = os.path.abspath(a.build)
cc = os.path.join(B, "compiler", "driver", "alaska-clang")
out = os.path.join(B, "bench-pause")
os.makedirs(out, exist_ok=True)
exe = os.path.join(out, "pause")
subprocess.run(([] if os.access(cc, os.X_OK) else ["bash"]) +
               [cc, "-O2", os.path.join(bl.ROOT, "bench", "pause", "pause.c"), "-o", exe], check=True)

rows = []
for mode in a.modes.split(","):
    for mib in a.mib.split(","):
        for t in a.threads.split(","):
            cmd = [exe, "--threads", t, "--mib", mib, "--reps", a.reps, "--mode", mode]
            try:
                _, so, se = bl.run_timed(cmd, env={"ALASKA_STATS": "1", "ALASKA_DEFRAG": "0"}, timeout=600)
                kv = bl.parse_kv([l for l in so.splitlines() if l.startswith("pause:")][-1])
            except (RuntimeError, IndexError) as e:
                kv = {"result": "FAILED", "err": str(e).splitlines()[0]}
                se = ""
            st = bl.alaska_stats(se)
            kv["stats"] = st
            rows.append((mode, mib, t, kv))
            print("%s mib=%s threads=%s: %s | %s" % (mode, mib, t, " ".join(
                "%s=%s" % x for x in kv.items() if x[0] != "stats"),
                " ".join("%s=%s" % x for x in st.items())), file=sys.stderr)
# Budgeted barriers: test/stress/pause_bench (written with the barrier; measures exactly the
# barrier + budgeted compaction, per barrier, from inside the runtime).
pb = os.path.join(B, "test", "stress", "pause_bench")
pb_rows = []
if os.path.exists(pb):
    for budget in a.budgets.split(","):
        for t in a.threads.split(","):
            try:
                _, so, se = bl.run_timed([pb, t, budget, a.barriers], env={"ALASKA_DEFRAG": "0"}, timeout=600)
                kv = bl.parse_kv([l for l in so.splitlines() if l.startswith("pause_bench:")][-1])
            except (RuntimeError, IndexError) as e:
                kv = {"result": "FAILED: %s" % str(e).splitlines()[0]}
            pb_rows.append((budget, t, kv))
            print("pause_bench budget=%s threads=%s: %s" % (budget, t, kv), file=sys.stderr)
# Time to stop (issue 14): bench/pause/ttsp.c, spinning threads plus one in a long call.
ttsp_rows = []
scenarios = [x for x in a.ttsp.split(",") if x]
if scenarios:
    texe = os.path.join(out, "ttsp")
    subprocess.run(([] if os.access(cc, os.X_OK) else ["bash"]) +
                   [cc, "-O2", "-pthread", os.path.join(bl.ROOT, "bench", "pause", "ttsp.c"), "-o", texe],
                   check=True)
    for sc in scenarios:
        cmd = [texe, "--spinners", a.spinners, "--extra", sc, "--barriers", a.barriers]
        try:
            _, so, se = bl.run_timed(cmd, env={"ALASKA_STATS": "1", "ALASKA_DEFRAG": "0"}, timeout=900)
            kv = bl.parse_kv([l for l in so.splitlines() if l.startswith("ttsp:")][-1])
        except (RuntimeError, IndexError) as e:
            kv = {"result": "FAILED: %s" % str(e).splitlines()[0]}
            se = ""
        st = bl.alaska_stats(se)
        ttsp_rows.append((sc, kv, st))
        print("ttsp %s: %s | %s" % (sc, kv, " ".join("%s=%s" % x for x in st.items())), file=sys.stderr)
load_end = bl.load_now()

lines = ["## Compaction pauses (issue 5)\n"]
lines.append("Command: `bash bench/run-pause.sh%s`  " % "".join(
    " " + x for x in sys.argv[3:] if x != "--no-doc"))
lines.append("Machine: %s\n" % bl.machine_line(m, load_end))
lines.append("`bench/pause/pause.c` built with `alaska-clang -O2`, run with `ALASKA_DEFRAG=0` "
             "(only explicit `alaska_compact()` calls). Per repetition, T worker threads allocate "
             "M MiB x 8 of 64-byte objects and free 7 of every 8, leaving ~M MiB live in pages 1/8 "
             "full; the main thread times `alaska_compact()` while the workers keep reading their "
             "objects (busy: spinning; mixed: 200 us reading / 200 us sleeping); the workers then "
             "verify every object. %s repetitions per row. p50/p99/max = wall time of the call as the "
             "caller sees it, which includes planning before the stop and returning the emptied pages "
             "to the OS after the world is released; the pause itself (stop to release) is the "
             "runtime's own histogram (`pause_p99_us`, `max_pause_us` of `ALASKA_STATS`, log-linear "
             "buckets), shown next to it; a call whose barrier gave up (a thread did not stop "
             "within the timeout) moves nothing but still counts in the caller's numbers. Note: 8 threads on 2 cores are oversubscribed.\n" % a.reps)
lines.append("| mode | live MiB to move | threads | p50 (us) | p99 (us) | max (us) | runtime p99 / max (us) | barriers given up | moved per barrier (MiB) | released per call (MiB) | verified |")
lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
for mode, mib, t, kv in rows:
    st = kv["stats"]
    moved = "-"
    if st.get("bytes_moved") and st.get("barriers") and int(st["barriers"]) > 0:
        moved = "%.2f" % (int(st["bytes_moved"]) / int(st["barriers"]) / 1048576.0)
    lines.append("| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s |" % (
        mode, mib, t, kv.get("p50_us", "-"), kv.get("p99_us", "-"), kv.get("max_us", "-"),
        st.get("pause_p99_us", "-"), st.get("max_pause_us", "-"),
        "%s / %s" % (st.get("barriers_given_up", "-"), a.reps), moved,
        kv.get("released_mib_avg", "-"), kv.get("result", "-")))
if pb_rows:
    lines.append("\n### Budgeted barriers (`test/stress/pause_bench`)\n")
    lines.append("`build-bench/test/stress/pause_bench THREADS BUDGET_KIB %s` (mutator threads "
                 "allocate/pin/translate/free with short naps and check every object's contents; each "
                 "barrier compacts at most the budget, back to back; budget 0 = stop the world and release "
                 "only; only barriers that moved >= half the budget count; pause = barrier signal sent to "
                 "threads released, exact per barrier; planning and the madvise of emptied pages happen "
                 "outside it).\n" % a.barriers)
    lines.append("| budget (KiB) | threads | moved per barrier (KiB) | p50 (us) | p99 (us) | max (us) | gave up |")
    lines.append("|---|---|---|---|---|---|---|")
    for budget, t, kv in pb_rows:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (budget, t, kv.get("moved_kib_avg", "-"),
                     kv.get("p50_us", "-"), kv.get("p99_us", "-"), kv.get("max_us", "-"),
                     kv.get("gave_up", kv.get("result", "-"))))
    t8 = [kv for budget, t, kv in pb_rows if budget == "1024" and t == "8"]
    if t8 and "p99_us" in t8[0]:
        lines.append("\nTarget (issue 5): p99 <= 2 ms for a barrier moving 1 MiB with 8 threads. Measured "
                     "(budget 1024 KiB, 8 threads): p99 %s us, p50 %s us -> %s." % (
                         t8[0]["p99_us"], t8[0]["p50_us"], "met" if float(t8[0]["p99_us"]) <= 2000 else "NOT met"))
if ttsp_rows:
    what = {"none": "nothing else", "qsort": "`qsort` of 8 M ints, compiled comparator",
            "memcpy": "`memcpy` of 1 GiB between heap objects", "read": "`read` of an empty pipe",
            "sleep": "`nanosleep` 50 ms in a loop (parked)"}
    lines.append("\n### Time to stop (`bench/pause/ttsp.c`, issue 14)\n")
    lines.append("`ttsp --spinners %s --extra X --barriers %s`, built with `alaska-clang -O2`, run with "
                 "`ALASKA_DEFRAG=0 ALASKA_STATS=1`: %s threads spin in tight compiled loops with no "
                 "calls (each iteration updates a heap object), plus one thread in X; the main thread "
                 "calls `alaska_compact()` %s times, 2 ms apart; every thread checks its work at the "
                 "end. Time to stop = the barrier's signals sent to every thread stopped (the runtime's "
                 "histogram: `stop_p50_us stop_p99_us max_stop_us`, log-linear buckets, upper bounds), "
                 "of barriers that stopped the world; a barrier gives up after "
                 "`ALASKA_BARRIER_TIMEOUT_US` (5 ms). 2 cores: the spinners are oversubscribed.\n"
                 % (a.spinners, a.barriers, a.spinners, a.barriers))
    lines.append("| extra thread in | barriers stopped / given up | stop p50 / p99 / max (us) | pause p99 / max (us) | checked |")
    lines.append("|---|---|---|---|---|")
    for sc, kv, st in ttsp_rows:
        lines.append("| %s | %s / %s | %s / %s / %s | %s / %s | %s |" % (
            what.get(sc, sc), st.get("barriers", "-"), st.get("barriers_given_up", "-"),
            st.get("stop_p50_us", "-"), st.get("stop_p99_us", "-"), st.get("max_stop_us", "-"),
            st.get("pause_p99_us", "-"), st.get("max_pause_us", "-"), kv.get("result", "-")))
    lines.append("\nTarget (issue 14): stop p99 <= 1 ms with 8 spinning threads; a thread in uncompiled "
                 "code or the kernel does not delay the barrier.")
target = [kv for mode, mib, t, kv in rows if mode == "busy" and mib == "1" and t == "8"]
if target and "p99_us" in target[0]:
    moved_ok = target[0]["stats"].get("bytes_moved", "0") not in ("0", "")
    lines.append("\nFull-compaction harness (first table), busy, 8 threads, 1 MiB: p99 %s us%s." % (
                     target[0]["p99_us"], "" if moved_ok else
                     " — but nothing was moved (bytes_moved=0), so this only measures the barrier"))
text = "\n".join(lines)
print(text)
if not a.no_doc:
    bl.update_doc("pause", text)
