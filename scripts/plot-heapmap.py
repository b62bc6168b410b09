#!/usr/bin/env python3
"""Draw an ALASKA_HEAPMAP snapshot (docs/env.md "Heap map") as one PNG with gnuplot.

  python3 scripts/plot-heapmap.py -o map.png SNAPSHOT [--title TEXT] [--columns N]

One cell per 64 KiB heap page, row by row: small pages coloured by occupancy (used /
capacity: red = nearly empty, i.e. fragmented, to green = full), large objects blue, free
committed pages grey, pages released to the OS white; a black dot marks a page holding
objects pinned forever. The title gives the totals: pages, committed and live bytes,
committed / live, and how many small pages are less than half full.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile


def load(path):
    with open(path) as f:
        head = f.readline().split()
        if head[:2] != ["alaska-heapmap", "1"]:
            sys.exit("%s: not an ALASKA_HEAPMAP snapshot (header %r)" % (path, " ".join(head)))
        totals = {k: int(v) for k, v in (t.split("=", 1) for t in head[2:])}
        pages = []
        for line in f:
            idx, kind, cls, bsize, used, cap, pinned, state = line.split()
            pages.append((kind, int(used), int(cap), int(pinned), state))
    if len(pages) != totals["pages"]:
        sys.exit("%s: %d page lines, header says %d" % (path, len(pages), totals["pages"]))
    return totals, pages


def colour(kind, used, cap, state):
    if state == "released":
        return (255, 255, 255)
    if kind == "small":
        x = used / cap if cap else 0.0
        return (int(220 * (1 - x)) + 20, int(200 * x) + 30, 40)
    if kind in ("large", "large_tail"):
        return (60, 90, 220)
    return (170, 170, 170)  # free, still committed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--title", default=None)
    ap.add_argument("--columns", type=int, default=0, help="cells per row (default: square)")
    args = ap.parse_args()
    if not shutil.which("gnuplot"):
        sys.exit("plot-heapmap: gnuplot not found (apt-get install gnuplot-nox)")
    totals, pages = load(args.snapshot)
    cols = args.columns or max(1, math.ceil(math.sqrt(len(pages))))
    rows = max(1, math.ceil(len(pages) / cols))
    small = [p for p in pages if p[0] == "small"]
    sparse = sum(1 for p in small if p[2] and p[1] * 2 < p[2])
    live, committed = totals["live_bytes"], totals["committed_bytes"]
    title = args.title or os.path.basename(args.snapshot)
    title += "\n%d pages, committed %.1f MiB, live %.1f MiB (%.2fx), %d of %d small pages < half full" % (
        len(pages), committed / 1048576.0, live / 1048576.0, committed / live if live else 0.0,
        sparse, len(small))
    with tempfile.TemporaryDirectory() as tmp:
        cells, pins = os.path.join(tmp, "cells.dat"), os.path.join(tmp, "pins.dat")
        with open(cells, "w") as fc, open(pins, "w") as fp:
            for i, (kind, used, cap, pinned, state) in enumerate(pages):
                x, y = i % cols, i // cols
                fc.write("%d %d %d %d %d\n" % ((x, y) + colour(kind, used, cap, state)))
                if pinned:
                    fp.write("%d %d\n" % (x, y))
            for i in range(len(pages), rows * cols):  # rgbimage wants a whole grid
                fc.write("%d %d 240 240 255\n" % (i % cols, i // cols))
            fp.write("-10 -10\n")  # gnuplot refuses an empty file
        size = (max(900, min(1600, cols * 12 + 100)), max(300, min(1600, rows * 12 + 120)))
        cairo = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                               stderr=subprocess.DEVNULL).returncode == 0
        gp = [
            ("set terminal pngcairo size %d,%d font ',10'" if cairo
             else "set terminal png size %d,%d") % size,
            "set output '%s'" % args.output.replace("'", "''"),
            "set title \"%s\" noenhanced" % title.replace("\\", "").replace('"', "'").replace("\n", "\\n"),
            "unset key", "unset xtics", "unset ytics", "unset colorbox",
            "set xrange [-0.5:%g]" % (cols - 0.5),
            "set yrange [%g:-0.5]" % (rows - 0.5),
            "set size ratio -1",
            "plot '%s' using 1:2:3:4:5 with rgbimage, '%s' using 1:2 with points pt 7 ps 0.3 lc rgb 'black'"
            % (cells, pins),
        ]
        subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print("wrote %s" % args.output)


if __name__ == "__main__":
    main()
