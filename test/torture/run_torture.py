#!/usr/bin/env python3
"""GCC torture `execute` programs: every program that passes natively must pass under Alaska.

For each gcc.c-torture/execute/*.c (the top level: builtins/ and ieee/ need GCC's own
harness files and are not run), compile with `clang-19 -O2` and with `alaska-clang -O2` using
REFERENCE.md's flags for GCC-dialect sources, run both with a timeout, and classify:
  native-failure  clang-19 alone cannot compile or run it (GCC extensions ...): not counted
  passed          the Alaska build compiles, exits 0 and prints what the native build prints
  failed          the native build passes and the Alaska build does not
  excluded        listed in EXCLUDED below with a reason (still run and reported)
The suite fails if anything failed. The tests come from Debian's gcc-12-source tarball,
extracted into the work directory on first use (never committed).

Reuse: the environment is inherited, so `ALASKA_STRESS=1 run_torture.py --workdir OTHER ...`
repeats the same runs under stress. Native results are cached in the work directory (keyed by
source content, compiler and flags; --native-cache can point at another suite's), so a rerun
only pays for the Alaska side.
"""
import argparse
import concurrent.futures
import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

TARBALL = "/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz"
MEMBER = "gcc-12.2.0/gcc/testsuite/gcc.c-torture/execute"
FLAGS = ["-O2", "-w", "-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int",
         "-Wno-error=int-conversion", "-Wno-error=incompatible-pointer-types",
         "-Wno-error=return-type"]
LIBS = ["-lm"]

# Programs that pass natively but may fail under Alaska for a reason that is not a bug.
# name (without .c) -> reason. Keep this list short and every reason true.
EXCLUDED = {
}


def extract(workdir, tarball):
    """Extract the execute/ directory once; a lock keeps concurrent suites from racing."""
    target = os.path.join(workdir, MEMBER)
    stamp = os.path.join(workdir, ".extracted")
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, ".extract.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(stamp):
            if not os.path.exists(tarball):
                print(f"alaska: torture: {tarball} not found (apt-get install gcc-12-source)")
                sys.exit(1)
            t0 = time.time()
            subprocess.run(["tar", "-xJf", tarball, "-C", workdir, "--wildcards", MEMBER + "/*"],
                           check=True)
            open(stamp, "w").close()
            print(f"extracted {MEMBER} in {time.time() - t0:.1f}s")
    return target


def run(cmd, timeout, env=None, cwd=None):
    """(exit status or 'timeout', stdout, stderr) — never raises for the child's failures."""
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, cwd=cwd,
                           stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""


def describe_exit(code):
    if isinstance(code, int) and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def tail(data, n=600):
    text = data.decode(errors="replace").strip()
    return text[-n:]


def native_key(src, native_cc, flags):
    with open(src, "rb") as f:
        content = f.read()
    return hashlib.sha1(content + repr((native_cc, flags, LIBS)).encode()).hexdigest()


def build_and_run(compiler, src, exe, timeout, env, compile_timeout, flags):
    code, out, err = run([compiler] + flags + [src, "-o", exe] + LIBS, compile_timeout)
    if code != 0:
        return {"stage": "compile", "exit": code, "stdout": "", "detail": tail(err)}
    code, out, err = run([exe], timeout, env=env, cwd=os.path.dirname(exe))
    return {"stage": "run", "exit": code, "stdout": out.decode(errors="replace"),
            "detail": tail(err)}


def one(name, src, args, native_cache):
    outdir = os.path.join(args.workdir, "out", name)
    os.makedirs(outdir, exist_ok=True)
    flags = FLAGS + args.flag
    key = native_key(src, args.native_cc, flags)
    native = native_cache.get(key)
    if native is None:
        native = build_and_run(args.native_cc, src, os.path.join(outdir, "native"),
                               args.timeout, None, args.compile_timeout, flags)
        native["key"] = key
    if native["stage"] != "run" or native["exit"] != 0:
        return name, "native-failure", native, None, f"native {native['stage']} " \
                                                     f"{describe_exit(native['exit'])}"
    env = dict(os.environ)
    alaska = build_and_run(args.alaska_cc, src, os.path.join(outdir, "alaska"),
                           args.timeout, env, args.compile_timeout, flags)
    if alaska["stage"] == "compile":
        return name, "failed", native, alaska, f"alaska compile failed: {alaska['detail']}"
    if alaska["exit"] != 0:
        return name, "failed", native, alaska, f"{describe_exit(alaska['exit'])} under Alaska: " \
                                               f"{alaska['detail']}"
    if alaska["stdout"] != native["stdout"]:
        # Some programs print addresses (return-addr prints stack pointers, which ASLR moves):
        # if the native build itself prints something else on a second run, the output is
        # not comparable and the exit status decides.
        again = build_and_run(args.native_cc, src, os.path.join(outdir, "native"),
                              args.timeout, None, args.compile_timeout, flags)
        if again["stage"] == "run" and again["exit"] == 0 and again["stdout"] == native["stdout"]:
            return name, "failed", native, alaska, "stdout differs from the native build"
        return name, "passed", native, alaska, "nondeterministic output: exit status compared"
    return name, "passed", native, alaska, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alaska-cc", required=True)
    ap.add_argument("--native-cc", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--tarball", default=TARBALL)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20.0, help="per run, seconds")
    ap.add_argument("--compile-timeout", type=float, default=120.0)
    ap.add_argument("--flag", action="append", default=[],
                    help="extra compiler flag for both builds, after the standard ones "
                         "(e.g. --flag=-g, --flag=-O0 to override -O2)")
    ap.add_argument("--only", help="regular expression selecting test names (debugging)")
    ap.add_argument("--native-cache", help="native results cache (JSON) to read and update; "
                    "default WORKDIR/native-cache.json. Keyed by source, compiler and flags, "
                    "so suites may share one (the stress suite reuses the torture suite's)")
    args = ap.parse_args()
    # meson test sets MALLOC_PERTURB_, which makes glibc fill fresh malloc memory with a
    # pattern. Programs that read uninitialised heap memory (941014-2) then print that pattern
    # natively but zeroes under Alaska (fresh pages): not a difference the comparison is about.
    os.environ.pop("MALLOC_PERTURB_", None)
    args.workdir = os.path.abspath(args.workdir)
    for attr in ("alaska_cc", "native_cc"):
        if os.sep in getattr(args, attr):
            setattr(args, attr, os.path.abspath(getattr(args, attr)))

    srcdir = extract(args.workdir, args.tarball)
    names = sorted(f[:-2] for f in os.listdir(srcdir) if f.endswith(".c"))
    if args.only:
        names = [n for n in names if re.search(args.only, n)]
    for n in EXCLUDED:
        if not os.path.exists(os.path.join(srcdir, n + ".c")):
            print(f"alaska: torture: excluded test {n} does not exist")
            sys.exit(1)

    cache_path = args.native_cache or os.path.join(args.workdir, "native-cache.json")
    try:
        with open(cache_path) as f:
            native_cache = json.load(f)
    except (OSError, ValueError):
        native_cache = {}

    t0 = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(one, n, os.path.join(srcdir, n + ".c"), args, native_cache)
                   for n in names]
        for fut in concurrent.futures.as_completed(futures):
            name, status, native, alaska, why = fut.result()
            results[name] = (status, why)
            native_cache[native["key"]] = native

    tmp = cache_path + f".{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(native_cache, f)
    os.replace(tmp, cache_path)

    counts = {"passed": 0, "failed": 0, "excluded": 0, "native-failure": 0}
    report = []
    for name in sorted(results):
        status, why = results[name]
        if status == "failed" and name in EXCLUDED:
            status = "excluded"
            why = f"{why} [excluded: {EXCLUDED[name]}]"
        elif name in EXCLUDED:
            print(f"note: excluded test {name} passed ({status}); consider removing it from "
                  "EXCLUDED")
        counts[status] += 1
        report.append(f"{status}\t{name}\t{why}")
        if status in ("failed", "excluded"):
            print(f"{status.upper()}: {name}: {why}")
    with open(os.path.join(args.workdir, "results.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print(f"torture: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['excluded']} excluded, {counts['native-failure']} native-failures "
          f"({len(names)} programs, {time.time() - t0:.0f}s; details in "
          f"{os.path.join(args.workdir, 'results.txt')})")
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
