#!/usr/bin/env python3
"""Compile one e2e program with an Alaska driver and with plain clang, run both, compare.

A test passes when, for every optimisation level given, the Alaska build
  * compiles,
  * prints exactly the same stdout and exits with the same status as the native build,
  * really allocated through Alaska: with ALASKA_STATS=1 the runtime's `alaska-stats:` line on
    stderr shows halloc > 0 (a program silently left untransformed fails),
and the native build exits with --expect-exit (0 by default; programs self-check).

--uncompiled-lib SRC... builds a shared library from SRC with the native compiler only and
links it into both builds (a program compiled by Alaska using an uncompiled library).
--variant-lib SRC... builds a shared library from SRC with each build's own compiler (the
native build links the native one, the Alaska build the Alaska one).
--expect-alaska-failure MSG: a documented limit; the Alaska build must stop with a non-zero
status (or a signal) and MSG on stderr instead of matching the native build.

Two build styles:
  sources : run_e2e.py --name list --lang c --src list.c ...
  make    : run_e2e.py --name multi --make DIR --make-target prog [--make-var CFLAGS=-O2 ...]
            copies DIR into the work directory twice and runs `make CC=<driver>` / `make CC=clang`.

Reuse (stress suite): the environment is inherited, so `ALASKA_STRESS=1 run_e2e.py ...` runs the
same comparison under stress; `--require-stat NAME` additionally demands NAME > 0 in the stats
line; a later `--name X` overrides an earlier one (argparse keeps the last), which gives the
stressed run its own work directory.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

STATS_RE = re.compile(r"^alaska-stats:(.*)$", re.M)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def run(cmd, cwd=None, env=None, stdin_path=None, timeout=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, stdin=stdin, capture_output=True,
                              timeout=timeout)
    finally:
        if stdin_path:
            stdin.close()


def show(title, data, limit=4000):
    text = data.decode(errors="replace")
    if len(text) > limit:
        text = text[:limit] + f"\n... ({len(text) - limit} more bytes)"
    print(f"--- {title} ---\n{text}")


def parse_stats(stderr):
    """The last `alaska-stats: k=v k=v` line on stderr as a dict of ints (None if absent)."""
    lines = STATS_RE.findall(stderr.decode(errors="replace"))
    if not lines:
        return None
    stats = {}
    for field in lines[-1].split():
        if "=" in field:
            key, value = field.split("=", 1)
            try:
                stats[key] = int(value)
            except ValueError:
                pass
    return stats


def build_uncompiled_lib(args, opt, outdir):
    """--uncompiled-lib: a shared library built with the native compiler only, linked into
    both builds (returns the link arguments, or the failed compile's result)."""
    if not args.uncompiled_lib:
        return [], None
    lib = os.path.join(outdir, "libuncompiled.so")
    cmd = [args.native_cc, opt, "-fPIC", "-shared"] + args.uncompiled_lib + ["-o", lib]
    res = run(cmd, timeout=args.compile_timeout)
    if res.returncode != 0:
        return cmd, res
    return [lib, "-Wl,-rpath," + outdir], None


def build_variant_lib(args, compiler, opt, outdir):
    """--variant-lib: a shared library built with this build's compiler (link arguments,
    or the failed compile's command and result)."""
    if not args.variant_lib:
        return [], None
    lib = os.path.join(outdir, "libvariant.so")
    cmd = [compiler, opt, "-fPIC", "-shared"] + args.variant_lib + ["-o", lib]
    res = run(cmd, timeout=args.compile_timeout)
    if res.returncode != 0:
        return cmd, res
    return [lib, "-Wl,-rpath," + outdir], None


def build_sources(args, compiler, opt, outdir, lib_args):
    exe = os.path.join(outdir, "prog")
    cmd = [compiler, opt] + args.cflags + args.src + ["-o", exe] + lib_args + args.ldflags
    res = run(cmd, timeout=args.compile_timeout)
    return exe, cmd, res


def build_make(args, compiler, opt, outdir, lib_args):
    tree = os.path.join(outdir, "src")
    if os.path.exists(tree):
        shutil.rmtree(tree)
    shutil.copytree(args.make, tree)
    cmd = ["make", "-s", "-j1", f"CC={compiler}", f"CXX={compiler}", f"OPT={opt}"]
    cmd += args.make_var + [args.make_target]
    res = run(cmd, cwd=tree, timeout=args.compile_timeout)
    return os.path.join(tree, args.make_target), cmd, res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--outdir", required=True, help="work directory root (build dir)")
    ap.add_argument("--alaska-cc", required=True, help="alaska-clang or alaska-clang++")
    ap.add_argument("--native-cc", required=True, help="clang or clang++ to compare against")
    ap.add_argument("--src", nargs="+", action="extend", default=[],
                    help="source files (absolute paths)")
    ap.add_argument("--make", help="directory with a Makefile (uses $(CC) and $(OPT))")
    ap.add_argument("--make-target", default="prog")
    ap.add_argument("--make-var", action="append", default=[], help="VAR=VALUE for make")
    ap.add_argument("--uncompiled-lib", nargs="+", action="extend", default=[],
                    help="sources of a shared library built with --native-cc only and "
                         "linked into both builds (interop with uncompiled code)")
    ap.add_argument("--variant-lib", nargs="+", action="extend", default=[],
                    help="sources of a shared library built with each build's own compiler")
    ap.add_argument("--expect-alaska-failure", metavar="MSG",
                    help="the Alaska build must fail with MSG on stderr (a documented limit)")
    ap.add_argument("--opt", action="append", default=[], help="optimisation level(s)")
    ap.add_argument("--cflag", dest="cflags", action="append", default=[])
    ap.add_argument("--ldflag", dest="ldflags", action="append", default=[])
    ap.add_argument("--arg", dest="prog_args", action="append", default=[],
                    help="argument for the program")
    ap.add_argument("--stdin", help="file fed to the program's stdin")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--require-stat", action="append", default=[],
                    help="stats field that must be > 0 (halloc always is required)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per run, seconds")
    ap.add_argument("--compile-timeout", type=float, default=300.0)
    args = ap.parse_args()
    if not args.src and not args.make:
        fail("need --src or --make")
    opts = args.opt or ["-O2"]
    # make runs in a copy of the tree: a relative compiler path would not resolve there.
    for attr in ("alaska_cc", "native_cc"):
        if os.sep in getattr(args, attr):
            setattr(args, attr, os.path.abspath(getattr(args, attr)))
    required_stats = ["halloc"] + args.require_stat

    workdir = os.path.join(args.outdir, args.name)
    os.makedirs(workdir, exist_ok=True)
    build = build_make if args.make else build_sources

    for opt in opts:
        print(f"== {args.name} {opt}")
        results = {}
        libdir = os.path.join(workdir, f"uncompiled{opt}")
        os.makedirs(libdir, exist_ok=True)
        lib_args, lib_res = build_uncompiled_lib(args, opt, libdir)
        if lib_res is not None:
            print("$ " + " ".join(lib_args))
            show("compiler stderr", lib_res.stderr)
            fail(f"uncompiled library build failed at {opt} (exit {lib_res.returncode})")
        for kind, compiler in (("native", args.native_cc), ("alaska", args.alaska_cc)):
            outdir = os.path.join(workdir, f"{kind}{opt}")
            os.makedirs(outdir, exist_ok=True)
            vlib_args, vlib_res = build_variant_lib(args, compiler, opt, outdir)
            if vlib_res is not None:
                print("$ " + " ".join(vlib_args))
                show("compiler stderr", vlib_res.stderr)
                fail(f"{kind} library build failed at {opt} (exit {vlib_res.returncode})")
            exe, cmd, res = build(args, compiler, opt, outdir, lib_args + vlib_args)
            if res.returncode != 0:
                print("$ " + " ".join(cmd))
                show("compiler stdout", res.stdout)
                show("compiler stderr", res.stderr)
                fail(f"{kind} build failed at {opt} (exit {res.returncode})")
            env = dict(os.environ)
            if kind == "alaska":
                env["ALASKA_STATS"] = "1"
            try:
                res = run([exe] + args.prog_args, cwd=outdir, env=env, stdin_path=args.stdin,
                          timeout=args.timeout)
            except subprocess.TimeoutExpired:
                fail(f"{kind} run at {opt} timed out after {args.timeout:.0f}s")
            results[kind] = res

        native, alaska = results["native"], results["alaska"]
        if native.returncode != args.expect_exit:
            show("native stdout", native.stdout)
            show("native stderr", native.stderr)
            fail(f"native build exited {native.returncode}, expected {args.expect_exit}: "
                 "the program's self-check fails without Alaska")
        if args.expect_alaska_failure:
            if alaska.returncode == 0 or args.expect_alaska_failure.encode() not in alaska.stderr:
                show("alaska stdout", alaska.stdout)
                show("alaska stderr", alaska.stderr)
                fail(f"{args.name} {opt}: expected the Alaska build to fail with "
                     f"{args.expect_alaska_failure!r}; it exited {alaska.returncode}")
            print(f"ok: the Alaska build stops with exit {alaska.returncode} and "
                  f"{args.expect_alaska_failure!r}")
            continue
        problems = []
        if alaska.returncode != native.returncode:
            problems.append(f"exit status {alaska.returncode} under Alaska, "
                            f"{native.returncode} natively")
        if alaska.stdout != native.stdout:
            problems.append("stdout differs from the native build")
        stats = parse_stats(alaska.stderr)
        if stats is None:
            problems.append("no `alaska-stats:` line on stderr (runtime not loaded, "
                            "or the program died before exit)")
        else:
            for field in required_stats:
                if stats.get(field, 0) <= 0:
                    problems.append(f"alaska-stats {field}={stats.get(field)} (must be > 0): "
                                    + ("program not transformed?" if field == "halloc" else
                                       "expected activity did not happen"))
        if problems:
            show("native stdout", native.stdout)
            show("alaska stdout", alaska.stdout)
            show("alaska stderr", alaska.stderr)
            fail(f"{args.name} {opt}: " + "; ".join(problems))
        summary = " ".join(f"{k}={stats[k]}" for k in required_stats)
        print(f"ok: {len(native.stdout)} bytes of identical output, exit {native.returncode}, "
              f"{summary}")
    print(f"PASS: {args.name}")


if __name__ == "__main__":
    main()
