"""bench/benchlib.py — shared helpers of the benchmark runners (bench/*.py).

Machine description, best-of-N timing, and updating one section of docs/bench.md between
`<!-- BEGIN name -->` / `<!-- END name -->` markers (other sections are left untouched).
"""
import datetime
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "bench.md")


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, text=True,
                          stdout=subprocess.PIPE, **kw).stdout


def machine():
    model = "?"
    try:
        for line in sh(["lscpu"]).splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except Exception:
        pass
    try:
        commit = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).strip()
        dirty = sh(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).strip()
        if dirty:
            commit += " (+ uncommitted changes in the tree)"
    except Exception:
        commit = "?"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "load": "%.2f %.2f %.2f" % os.getloadavg(),
        "commit": commit,
    }


def machine_line(m, load_end=None):
    s = "%s; %s, %s cores, Linux %s; load avg at start %s" % (
        m["date"], m["cpu"], m["cores"], m["kernel"], m["load"])
    if load_end:
        s += ", at end %s" % load_end
    return s + "; commit %s" % m["commit"]


def load_now():
    return "%.2f %.2f %.2f" % os.getloadavg()


def run_timed(cmd, env=None, timeout=600, cpu=False):
    """Run cmd, return (seconds, stdout, stderr); raises on non-zero exit. Seconds are wall
    clock, or with cpu=True the child's user+sys CPU time (less disturbed by other load on a
    shared machine; includes every thread of the child)."""
    import resource
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=full_env, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    if cpu:
        return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p.stdout, p.stderr
    return t1 - t0, p.stdout, p.stderr


def parse_kv(line):
    """'a=1 b=x' -> {'a': '1', 'b': 'x'}"""
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))


def alaska_stats(stderr):
    """The last `alaska-stats:` line of stderr as a dict (empty if none)."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("alaska-stats:"):
            out = parse_kv(line)
    return out


def update_doc(section, text):
    """Replace the text between the section's markers in docs/bench.md (append if absent)."""
    begin, end = "<!-- BEGIN %s -->" % section, "<!-- END %s -->" % section
    doc = open(DOC).read() if os.path.exists(DOC) else "# Benchmarks\n"
    block = "%s\n%s\n%s" % (begin, text.rstrip(), end)
    if begin in doc and end in doc:
        pre, rest = doc.split(begin, 1)
        _, post = rest.split(end, 1)
        doc = pre + block + post
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    with open(DOC, "w") as f:
        f.write(doc)
    print("updated section '%s' of %s" % (section, os.path.relpath(DOC, ROOT)), file=sys.stderr)


def geomean(xs):
    import math
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")
