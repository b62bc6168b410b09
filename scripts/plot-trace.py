#!/usr/bin/env python3
"""Render ALASKA_TRACE CSV files (docs/design.md §7) to one PNG with gnuplot.

  python3 scripts/plot-trace.py -o out.png trace1.csv[=label] [trace2.csv[=label] ...]

Top panel: RSS (MiB) of every run over time, plus the live bytes of the first run (dashed);
bottom panel: fragmentation (committed / live) of every run. Runs are overlaid on the same
time axis (seconds since each process started). Labels default to the file name.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

HEADER = ["time_s", "rss_bytes", "live_bytes", "committed_bytes", "frag_ratio", "pauses",
          "max_pause_us"]


def load(path):
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != HEADER:
            sys.exit("%s: not an ALASKA_TRACE file (header %r)" % (path, header))
        return [[float(x) for x in row] for row in reader if row]


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--title", default="Alaska heap over time (ALASKA_TRACE)")
    ap.add_argument("traces", nargs="+", help="CSV file, optionally =label")
    args = ap.parse_args()
    if not shutil.which("gnuplot"):
        sys.exit("plot-trace: gnuplot not found (apt-get install gnuplot-nox)")

    runs = []
    for spec in args.traces:
        path, _, label = spec.partition("=")
        rows = load(path)
        if not rows:
            sys.exit("%s: no samples" % path)
        runs.append((label or os.path.splitext(os.path.basename(path))[0], rows))

    with tempfile.TemporaryDirectory() as tmp:
        data = []
        for i, (_, rows) in enumerate(runs):
            p = os.path.join(tmp, "run%d.dat" % i)
            # The ratio is noise while almost nothing is live (start-up, tear-down): leave it out.
            floor = 0.5 * max(r[2] for r in rows)
            with open(p, "w") as f:
                for r in rows:
                    frag = "%g" % r[4] if r[2] > floor and r[2] > 0 else "?"
                    f.write("%g %g %g %s\n" % (r[0], r[1] / 1048576.0, r[2] / 1048576.0, frag))
            data.append(p)
        cairo = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                               stderr=subprocess.DEVNULL).returncode == 0
        gp = [
            ("set terminal pngcairo size 1000,700 font ',11'" if cairo
             else "set terminal png size 1000,700"),
            "set output %s" % quote(args.output),
            "set datafile missing '?'",
            "set multiplot layout 2,1 title %s noenhanced" % quote(args.title),
            "set grid",
            "set key top right",
            "set ylabel 'MiB'",
            "set format x ''",
            "plot " + ", ".join(
                ["%s using 1:2 with lines lw 2 title %s noenhanced" % (quote(p), quote(lab + " RSS"))
                 for p, (lab, _) in zip(data, runs)] +
                ["%s using 1:3 with lines dt 2 lw 1 title %s noenhanced"
                 % (quote(data[0]), quote(runs[0][0] + " live"))]),
            "set format x '%g'",
            "set xlabel 'seconds since start'",
            "set ylabel 'committed / live'",
            "set yrange [0.9:*]",
            "plot " + ", ".join("%s using 1:4 with lines lw 2 title %s noenhanced"
                                % (quote(p), quote(lab)) for p, (lab, _) in zip(data, runs)),
            "unset multiplot",
        ]
        subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print("wrote %s" % args.output)


if __name__ == "__main__":
    main()
