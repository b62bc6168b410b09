#!/usr/bin/env python3
"""The GCC torture suite again under ALASKA_STRESS=1 (test/torture/run_torture.py, reused).

Same arguments as run_torture.py. Every Alaska run gets ALASKA_STRESS=1 and ALASKA_STATS=1;
on top of run_torture.py's verdict (stdout and exit status equal to the native build), a
program whose `alaska-stats:` line shows halloc > 0 must also show objects_moved > 0:
stress barriers really moved its objects while they were live. Only pin slots pin (docs/
design.md §6.1), so an object whose handle is held in a local is movable at a barrier.
Large objects (> 32 KiB) move too: stress barriers copy them to new spans.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torture"))
import run_torture  # noqa: E402

STATS_RE = re.compile(r"alaska-stats:([^\n]*)")
summary = {"allocating": 0, "moved": 0}


def stats_of(stderr_tail):
    # The runner keeps only stderr's tail: a long stats line may have lost its prefix, so
    # take the last line that carries the keys we need.
    lines = [l for l in (stderr_tail or "").splitlines()
             if "halloc=" in l and "objects_moved=" in l]
    if not lines:
        return None
    out = {}
    for field in STATS_RE.sub(r"\1", lines[-1]).split():
        key, _, value = field.partition("=")
        if value.isdigit():
            out[key] = int(value)
    return out


original_one = run_torture.one


def one_under_stress(name, src, args, native_cache):
    name, status, native, alaska, why = original_one(name, src, args, native_cache)
    if status != "passed":
        return name, status, native, alaska, why
    stats = stats_of(alaska.get("detail"))
    if stats is None:
        return name, "failed", native, alaska, "no alaska-stats line under ALASKA_STATS=1"
    if stats.get("halloc", 0) > 0:
        summary["allocating"] += 1
        if stats.get("objects_moved", 0) == 0:
            return name, "failed", native, alaska, \
                f"allocates (halloc={stats['halloc']}) but no object moved " \
                f"(barriers={stats.get('barriers', 0)})"
        summary["moved"] += 1
    return name, status, native, alaska, why


def main():
    os.environ["ALASKA_STRESS"] = "1"
    os.environ["ALASKA_STATS"] = "1"
    run_torture.one = one_under_stress
    try:
        run_torture.main()
    finally:
        print(f"stress: {summary['allocating']} passing programs allocate, "
              f"{summary['moved']} of them had objects moved")


if __name__ == "__main__":
    main()
