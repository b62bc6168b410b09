#!/usr/bin/env python3
"""bench/debian_programs.py — real programs from Debian bookworm source packages, built with
any C compiler and flags, and their fixed workloads with an output check.

Nothing third-party is committed: sources come from `scripts/debian-source.sh PACKAGE`
(`apt-get source`, cached in build-src/); builds are cached in build-debian/ (override with
BENCH_DEBIAN_BUILD), keyed by program, compiler, flags and — for alaska-clang — the content of
the pass plugin, so a changed pass rebuilds and an unchanged one does not.

Library use (bench/overhead.py, bench/alloc.py ...):

    import debian_programs as dp
    b = dp.build("lua", cc="/path/alaska-clang", cflags=["-O2"], name="alaska")
    secs, output = dp.run("lua", b)          # whole-process user+sys CPU s, normalised output
    dp.PROGRAMS                              # the names known here

`build()` returns a dict with at least "dir" (the build directory) and "exe" (the main
binary); `run()` raises RuntimeError when the program fails or its output is not the
expected one (each workload checks its own result, e.g. zstd's round trip; callers compare
the normalised outputs of different builds). Builds run `BENCH_HEAVY` (e.g. a lock wrapper on
a shared machine) in front of the compiler commands when it is set.

Command line:  python3 bench/debian_programs.py build NAME CC [CFLAGS...]   (prints the dict)
               python3 bench/debian_programs.py run NAME CC [CFLAGS...]     (builds, runs once)
"""
import hashlib
import json
import os
import random
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_ROOT = os.environ.get("BENCH_DEBIAN_BUILD", os.path.join(ROOT, "build-debian"))
INPUTS = os.path.join(BUILD_ROOT, "inputs")
DATA = os.path.join(ROOT, "bench", "debian")  # committed workload scripts (ours)


def log(msg):
    print("debian-programs: " + msg, file=sys.stderr, flush=True)


def heavy():
    return shlex.split(os.environ.get("BENCH_HEAVY", ""))


def source(pkg):
    """Unpacked Debian source tree of pkg (fetched once by scripts/debian-source.sh)."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "debian-source.sh"), pkg],
                       text=True, stdout=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("cannot get the Debian source of %s (see above)" % pkg)
    return r.stdout.strip().rstrip("/")


def _sh(cmd, cwd, logf, env=None, use_heavy=True, stats=True):
    """Run one build step (under BENCH_HEAVY). stats: the pass (alaska-clang) appends its
    per-module translation statistics to DIR/pass-stats.txt of the build (not for configure
    steps, whose test programs are not the program)."""
    full = dict(os.environ)
    full.pop("ALASKA_PASS_STATS", None)
    if stats:
        full["ALASKA_PASS_STATS"] = os.path.join(os.path.dirname(logf), "pass-stats.txt")
    full.update(env or {})
    with open(logf, "a") as f:
        f.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
        f.flush()
        r = subprocess.run((heavy() if use_heavy else []) + cmd, cwd=cwd, env=full,
                           stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("build step failed (exit %d): %s\n  log: %s" % (
            r.returncode, " ".join(cmd), logf))


def _file_digest(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _compiler_identity(cc):
    """What a build depends on besides its flags: the compiler, and for alaska-clang the
    pass plugin it loads (read off the driver script)."""
    path = shutil.which(cc) or cc
    ident = [os.path.realpath(path)]
    try:
        with open(path, errors="replace") as f:
            head = f.read(20000)
        for line in head.splitlines():
            if line.startswith("plugin=") or line.startswith("cxx_support_lib="):
                p = line.split("=", 1)[1].strip("'\"")
                if os.path.exists(p):
                    ident.append(_file_digest(p))
    except (OSError, UnicodeDecodeError):
        pass
    return ident


# ---- builds ---------------------------------------------------------------------------------

def _cc_cmd(cc):
    return ([] if os.access(cc, os.X_OK) or shutil.which(cc) else ["bash"]) + [cc]


def _build_sqlite(src, cc, cflags, d, logf):
    amal = _sqlite_amalgamation(src)
    exe = os.path.join(d, "speedtest1")
    _sh(_cc_cmd(cc) + cflags + ["-I", amal, "-DSQLITE_OMIT_LOAD_EXTENSION",
                                "-DSQLITE_THREADSAFE=0", os.path.join(src, "test", "speedtest1.c"),
                                os.path.join(amal, "sqlite3.c"), "-o", exe, "-lm"], d, logf)
    return {"exe": exe, "amalgamation": os.path.join(amal, "sqlite3.c")}


def _sqlite_amalgamation(src):
    """sqlite3.c generated from the Debian tree once (configure + make sqlite3.c, needs tclsh)."""
    out = os.path.join(BUILD_ROOT, "sqlite-amalgamation")
    if os.path.exists(os.path.join(out, "sqlite3.c")):
        return out
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, symlinks=True)
    logf = out + ".log"
    log("generating the SQLite amalgamation (log %s)" % logf)
    _sh(["./configure", "CC=clang-19"], tmp, logf, stats=False)
    _sh(["make", "sqlite3.c"], tmp, logf, stats=False)
    os.makedirs(out, exist_ok=True)
    for f in ("sqlite3.c", "sqlite3.h", "sqlite3ext.h"):
        shutil.copy(os.path.join(tmp, f), out)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _build_lua(src, cc, cflags, d, logf):
    exe = os.path.join(d, "lua")
    s = os.path.join(src, "src")
    files = sorted(os.path.join(s, f) for f in os.listdir(s)
                   if f.endswith(".c") and f != "luac.c")
    # Debian's luaconf.h includes a header its packaging generates.
    with open(os.path.join(d, "lua5.4-deb-multiarch.h"), "w") as f:
        f.write('#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"\n')
    _sh(_cc_cmd(cc) + cflags + ["-DLUA_USE_LINUX", "-I", d, "-I", s] + files + ["-o", exe, "-lm", "-ldl",
                                                                     "-Wl,-E"], d, logf)
    return {"exe": exe}


def _build_zstd(src, cc, cflags, d, logf):
    exe = os.path.join(d, "zstd")
    lib = os.path.join(src, "lib")
    files = []
    for sub in ("common", "compress", "decompress"):
        files += sorted(os.path.join(lib, sub, f) for f in os.listdir(os.path.join(lib, sub))
                        if f.endswith(".c"))
    prog = os.path.join(src, "programs")
    files += [os.path.join(prog, f) for f in ("zstdcli.c", "util.c", "fileio.c",
                                              "fileio_asyncio.c", "timefn.c")]
    # No assembly (huf_decompress_amd64.S): hand-written code the pass cannot see would be
    # given handles in per-TU mode. Single-threaded, no benchmark/dictionary/trace modes.
    _sh(_cc_cmd(cc) + cflags + ["-DZSTD_DISABLE_ASM", "-DZSTD_NOBENCH", "-DZSTD_NODICT",
                                "-DZSTD_NOTRACE", "-DZSTD_LEGACY_SUPPORT=0", "-I", lib,
                                "-I", os.path.join(lib, "common")] + files + ["-o", exe], d, logf)
    return {"exe": exe}


def _build_configured(src, cc, cflags, d, logf, configure, make_dirs, product):
    """Autoconf program: configure (CC/CFLAGS, no pass statistics: its test programs are
    not the program) and make in a copy of the tree; keep only the product binary."""
    tree = os.path.join(d, "src")
    shutil.copytree(src, tree, symlinks=True)
    flags = " ".join(shlex.quote(f) for f in cflags)
    _sh(["./configure"] + configure + ["CC=" + cc, "CFLAGS=" + flags], tree, logf, stats=False)
    for sub, target in make_dirs:
        _sh(["make", "-j2", "-C", sub] + ([target] if target else []), tree, logf)
    exe = os.path.join(d, os.path.basename(product))
    shutil.copy(os.path.join(tree, product), exe)
    shutil.rmtree(tree)
    return {"exe": exe}


def _build_gawk(src, cc, cflags, d, logf):
    return _build_configured(src, cc, cflags, d, logf,
                             ["--disable-extensions", "--disable-nls", "--without-readline",
                              "--without-mpfr"], [("support", None), (".", "gawk")], "gawk")


def _build_xz(src, cc, cflags, d, logf):
    # Static liblzma (compiled with the program), no assembler (hand-written code the pass
    # cannot see), single-threaded.
    return _build_configured(src, cc, cflags, d, logf,
                             ["--disable-shared", "--disable-nls", "--disable-assembler",
                              "--disable-threads", "--disable-xzdec", "--disable-lzmadec",
                              "--disable-lzmainfo", "--disable-scripts", "--disable-doc"],
                             [("src/liblzma", None), ("src/xz", None)], "src/xz/xz")


def _build_redis(src, cc, cflags, d, logf):
    tree = os.path.join(d, "src")
    shutil.copytree(src, tree, symlinks=True)
    subprocess.run(["make", "distclean"], cwd=tree, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    flags = " ".join(shlex.quote(f) for f in cflags)
    # OPTIMIZATION=-O2 is Debian's default; CFLAGS carries the variant's extra flags (Redis
    # appends its own). redis-benchmark/cli are built too (the client is always the native
    # build's).
    _sh(["make", "-j2", "CC=" + cc, "MALLOC=libc", "USE_SYSTEMD=no", "BUILD_TLS=no",
         "CFLAGS=" + flags, "LDFLAGS=" + flags, "OPTIMIZATION=-O2"], tree, logf)
    keep = {}
    for b in ("redis-server", "redis-benchmark"):
        keep[b] = os.path.join(d, b)
        shutil.copy(os.path.join(tree, "src", b), keep[b])
    shutil.rmtree(tree)
    return {"exe": keep["redis-server"], "benchmark": keep["redis-benchmark"]}


def _build_jq(src, cc, cflags, d, logf):
    """jq 1.6 without autotools (the Debian tree has no configure; its lexer and parser are
    pre-generated): every src/*.c of the jq binary in one compiler command, with the
    definitions configure would give on glibc. No oniguruma (libonig-dev is not installed:
    regular-expression builtins report an error; the workload uses none)."""
    s = os.path.join(src, "src")
    gen = os.path.join(d, "gen", "src")
    os.makedirs(gen, exist_ok=True)
    with open(os.path.join(s, "builtin.jq")) as f, open(os.path.join(gen, "builtin.inc"), "w") as g:
        for line in f.read().splitlines():  # Makefile.am's sed: each line as a C string
            g.write('"%s\\n"\n' % line.replace("\\", "\\\\").replace('"', '\\"'))
    with open(os.path.join(gen, "version.h"), "w") as f:
        f.write('#define JQ_VERSION "1.6"\n')
    with open(os.path.join(s, "libm.h")) as f:
        libm = sorted(set(w for w in f.read().split() if w.startswith("HAVE_")))
    # pow10 left glibc in 2.27; every other libm.h function is in glibc 2.36.
    defs = ["-D" + m for m in libm if m != "HAVE_POW10"] + ["-D" + m for m in (
        "IEEE_8087", "HAVE_ALLOCA_H", "HAVE_TIMEGM", "HAVE_TM_TM_GMT_OFF", "HAVE_STRPTIME",
        "HAVE_GMTIME_R", "HAVE_GMTIME", "HAVE_LOCALTIME_R", "HAVE_STRFTIME", "HAVE_GETTIMEOFDAY",
        "HAVE_FREXP", "HAVE_MODF", "HAVE_LGAMMA_R", "HAVE___THREAD", "HAVE_SETLOCALE",
        "HAVE_ISATTY", "HAVE_MKSTEMP")]
    files = [os.path.join(s, f + ".c") for f in (
        "builtin", "bytecode", "compile", "execute", "jq_test", "jv", "jv_alloc", "jv_aux",
        "jv_dtoa", "jv_file", "jv_parse", "jv_print", "jv_unicode", "linker", "locfile", "util",
        "lexer", "parser", "main")]
    exe = os.path.join(d, "jq")
    _sh(_cc_cmd(cc) + cflags + ["-w", "-I", os.path.dirname(gen), "-I", s] + defs + files
        + ["-o", exe, "-lm"], d, logf)
    return {"exe": exe}


def _build_bc(src, cc, cflags, d, logf):
    """GNU bc 1.07.1: configure and make lib/ and bc/ (bc/libmath.h is generated by a first
    bc built with the same compiler). The Debian patches leave Makefile.am newer than
    Makefile.in, and bc.c/scan.c are shipped generated: no autotools, yacc or lex are run."""
    tree = os.path.join(d, "src")
    shutil.copytree(src, tree, symlinks=True)
    flags = " ".join(shlex.quote(f) for f in cflags)
    _sh(["./configure", "--without-readline", "--without-libedit", "CC=" + cc, "CFLAGS=" + flags],
        tree, logf, stats=False)
    noregen = ["AUTOMAKE=:", "ACLOCAL=:", "AUTOCONF=:", "AUTOHEADER=:", "MAKEINFO=:", "YACC=:",
               "LEX=:"]
    for sub in ("lib", "bc"):
        _sh(["make", "-C", sub] + noregen, tree, logf)
    exe = os.path.join(d, "bc")
    shutil.copy(os.path.join(tree, "bc", "bc"), exe)
    shutil.rmtree(tree)
    return {"exe": exe}


BUILDERS = {
    "sqlite": ("sqlite3", _build_sqlite),
    "lua": ("lua5.4", _build_lua),
    "zstd": ("libzstd", _build_zstd),
    "xz": ("xz-utils", _build_xz),
    "gawk": ("gawk", _build_gawk),
    "redis": ("redis", _build_redis),
    "jq": ("jq", _build_jq),
    "bc": ("bc", _build_bc),
}
# The default suite. zstd is left out: under Alaska it compresses differently (and a
# one-shot ZSTD_compress faults) because it keeps pointers *below* the start of its buffers
# (window->base = ip - distance) and translates them as roots: the handle's offset borrows
# from the id, and the translation reads the wrong table entry (docs/bench.md, overhead notes).
PROGRAMS = ["sqlite", "lua", "xz", "zstd", "gawk", "redis"]
# The allocation-heavy set of bench/run-alloc.sh --real (issue 10).
ALLOC_PROGRAMS = ["jq", "lua", "gawk", "bc"]


def build(prog, cc, cflags=("-O2",), name=None):
    """Build prog with cc + cflags into build-debian/PROG/KEY (cached; name is a label for
    logs); returns a dict with "dir", "exe" and program-specific paths."""
    pkg, fn = BUILDERS[prog]
    cflags = list(cflags)
    key = hashlib.sha1(json.dumps([prog, _compiler_identity(cc), cflags]).encode()).hexdigest()[:12]
    # The directory depends on what is built, not on the caller's name for it, so every
    # benchmark reuses the same build.
    d = os.path.join(BUILD_ROOT, prog, key)
    stamp = os.path.join(d, "build.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            return json.load(f)
    src = source(pkg)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    logf = os.path.join(d, "build.log")
    log("building %s with %s %s (log %s)" % (prog, cc, " ".join(cflags), logf))
    t0 = time.time()
    info = fn(src, cc, cflags, d, logf)
    info.update({"dir": d, "name": name, "cc": cc, "cflags": cflags, "source": os.path.basename(src),
                 "build_seconds": round(time.time() - t0, 1)})
    with open(stamp, "w") as f:
        json.dump(info, f, indent=1)
    return info


# ---- fixed inputs ---------------------------------------------------------------------------

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
         "rho sigma tau upsilon phi chi psi omega alaska handle table pointer object heap page "
         "span slot barrier compact move pin frame thread cache class size free list tree node "
         "key value hash string buffer query reply client server command argument").split()


def _text_input(path, megabytes, seed):
    """A deterministic text file: records of words, numbers and identifiers (compressible like
    logs/CSV, not trivially)."""
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = random.Random(seed)
    target = megabytes << 20
    out, size, n = [], 0, 0
    while size < target:
        n += 1
        line = "%d,%s,%s%d,%d.%02d,%s\n" % (
            n, rng.choice(WORDS), rng.choice(WORDS), rng.randrange(1000),
            rng.randrange(100000), rng.randrange(100),
            " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12))))
        out.append(line)
        size += len(line)
    with open(path + ".tmp", "w") as f:
        f.writelines(out)
    os.rename(path + ".tmp", path)
    return path


def _json_input(path, records, seed):
    """A deterministic JSON array of `records` objects (nested objects, arrays, strings,
    integers and floats), ~190 bytes each."""
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rng = random.Random(seed)
    with open(path + ".tmp", "w") as f:
        f.write("[\n")
        for i in range(records):
            rec = {"id": i, "user": "%s%d" % (rng.choice(WORDS), rng.randrange(500)),
                   "score": round(rng.random() * 1000, 3),
                   "tags": [rng.choice(WORDS) for _ in range(rng.randrange(1, 7))],
                   "meta": {"kind": rng.choice(WORDS[:12]), "n": rng.randrange(100000),
                            "ok": rng.random() < 0.5},
                   "text": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 10)))}
            f.write(json.dumps(rec, separators=(",", ":")))
            f.write(",\n" if i + 1 < records else "\n")
        f.write("]\n")
    os.rename(path + ".tmp", path)
    return path


# ---- workloads ------------------------------------------------------------------------------

def run_cpu(cmd, env=None, cwd=None, timeout=900, stdin=None, stdout_path=None):
    """Run cmd to completion; returns (user+sys CPU seconds of the process, stdout, stderr);
    stdout_path: write stdout to that file instead. Raises RuntimeError on a non-zero exit."""
    full = dict(os.environ)
    full.update(env or {})
    rss_file = None
    if _measure_rss:
        # wait4's ru_maxrss of a child forked by this (large) Python process starts at
        # Python's own RSS; GNU time forks the program from a small process. Its CPU time is
        # in the wait4 below too (well under a millisecond).
        rss_file = os.path.join(INPUTS, ".maxrss.%d" % os.getpid())
        os.makedirs(INPUTS, exist_ok=True)
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + list(cmd)
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    try:
        fout = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
        p = subprocess.Popen(cmd, env=full, cwd=cwd, stdin=fin, stdout=fout,
                             stderr=subprocess.PIPE)
    finally:
        if stdin:
            fin.close()
        if stdout_path:
            fout.close()
    import threading
    bufs = {}

    def drain(name, stream):
        bufs[name] = stream.read()
    bufs["o"] = b""
    ts = [threading.Thread(target=drain, args=(n, s)) for n, s in (("o", p.stdout), ("e", p.stderr))
          if s is not None]
    for t in ts:
        t.start()
    deadline = time.time() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise RuntimeError("%s: timed out after %d s" % (cmd[0], timeout))
        time.sleep(0.002)
    for t in ts:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    out, err = bufs["o"].decode(errors="replace"), bufs["e"].decode(errors="replace")
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, err[-2000:]))
    if rss_file:
        global _peak_rss_kb
        with open(rss_file) as f:
            _peak_rss_kb = max(_peak_rss_kb, int(f.read().split()[-1]))
        os.unlink(rss_file)
    return ru.ru_utime + ru.ru_stime, out, err


_peak_rss_kb = 0
_measure_rss = False


def _run_sqlite(b, env, work):
    cpu, out, _ = run_cpu([b["exe"], "--size", "30", "--memdb", "--verify", "--singlethread"],
                          env=env, cwd=work)
    # Timings vary; the test list, the result hashes and the verification hash must not.
    lines = []
    for line in out.splitlines():
        if line.startswith("-- ") or "TOTAL" in line:
            continue
        lines.append(line.rsplit(".", 1)[0].rstrip(". 0123456789s") if line[:4].strip().isdigit()
                     else line)
    if not any(l.startswith("Verification Hash:") for l in lines):
        raise RuntimeError("speedtest1: no verification hash in the output")
    return cpu, "\n".join(lines)


def _run_lua(b, env, work):
    cpu, out, _ = run_cpu([b["exe"], os.path.join(DATA, "lua-bench.lua")], env=env, cwd=work)
    if "lua-bench: ok" not in out:
        raise RuntimeError("lua-bench.lua did not finish: " + out[-500:])
    return cpu, out


def _round_trip(name, original, comp, back, cpu):
    """A compressor's result: the round trip must give the original back; the compressed
    size is the output compared between builds."""
    if _file_digest(back) != _file_digest(original):
        raise RuntimeError("%s: decompressed file differs from the input" % name)
    size = os.path.getsize(comp)
    os.unlink(comp)
    os.unlink(back)
    return cpu, "compressed %d bytes, round trip OK\n" % size


def _run_zstd(b, env, work):
    src = _text_input(os.path.join(INPUTS, "text-24m.txt"), 24, 14)
    comp, back = os.path.join(work, "in.zst"), os.path.join(work, "out.txt")
    c1, _, _ = run_cpu([b["exe"], "-q", "-f", "-9", src, "-o", comp], env=env)
    c2, _, _ = run_cpu([b["exe"], "-q", "-f", "-d", comp, "-o", back], env=env)
    c3, _, _ = run_cpu([b["exe"], "-q", "-f", "-d", comp, "-o", back], env=env)
    return _round_trip("zstd", src, comp, back, c1 + c2 + c3)


GAWK_PROGRAM = r"""
BEGIN { FS = "," }
{ count[$2]++; total[$2] += $4; n = split($5, w, " "); for (i = 1; i <= n; i++) words[w[i]]++
  ids[$3] = ids[$3] + length($5); if ($4 > max) max = $4 }
END {
  PROCINFO["sorted_in"] = "@ind_str_asc"
  for (k in count) printf "%s %d %.2f\n", k, count[k], total[k]
  for (k in words) printf "w %s %d\n", k, words[k]
  s = 0; for (k in ids) s += ids[k] * length(k)
  printf "ids %d sum %d max %.2f\n", length(ids), s, max
}
"""


def _run_xz(b, env, work):
    src = _text_input(os.path.join(INPUTS, "text-24m.txt"), 24, 14)
    part = os.path.join(INPUTS, "text-4m.txt")
    if not os.path.exists(part):
        with open(src, "rb") as f, open(part + ".tmp", "wb") as g:
            g.write(f.read(4 << 20))
        os.rename(part + ".tmp", part)
    comp, back = os.path.join(work, "in.xz"), os.path.join(work, "out.txt")
    c1, _, _ = run_cpu([b["exe"], "-q", "-k", "-f", "-1", "-T1", "-c", part], env=env,
                       stdout_path=comp)
    c2, _, _ = run_cpu([b["exe"], "-q", "-d", "-f", "-c", comp], env=env, stdout_path=back)
    c3, _, _ = run_cpu([b["exe"], "-q", "-d", "-f", "-c", comp], env=env, stdout_path=back)
    return _round_trip("xz", part, comp, back, c1 + c2 + c3)


def _run_gawk(b, env, work):
    src = _text_input(os.path.join(INPUTS, "text-24m.txt"), 24, 14)
    cpu, out, _ = run_cpu([b["exe"], GAWK_PROGRAM, src], env=env)
    if "ids " not in out:
        raise RuntimeError("gawk: no summary line")
    return cpu, out


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _resp(sock, *args):
    """Send one command, return its reply (integer, status or bulk string) as text."""
    msg = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in args)
    sock.sendall(msg.encode())
    f = sock.makefile("rb")
    line = f.readline().decode().rstrip("\r\n")
    if line.startswith("$") and int(line[1:]) >= 0:
        line = f.read(int(line[1:]) + 2).decode().rstrip("\r\n")
    return line


REDIS_TESTS = "set,get,lpush,lrange_100"


def _run_redis(b, env, work, client=None):
    """Server CPU time (user+sys of redis-server) over a fixed redis-benchmark run; the client
    is the native build's redis-benchmark (client= overrides)."""
    client = client or b.get("client") or b["benchmark"]
    port = _free_port()
    full = dict(os.environ)
    full.update(env or {})
    srv = subprocess.Popen([b["exe"], "--port", str(port), "--save", "", "--appendonly", "no",
                            "--bind", "127.0.0.1", "--dir", work], env=full,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(500):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if srv.poll() is not None:
                    raise RuntimeError("redis-server exited: %s" % srv.stderr.read().decode()[-500:])
                time.sleep(0.01)
        else:
            raise RuntimeError("redis-server did not start")
        r = subprocess.run([client, "-p", str(port), "-t", REDIS_TESTS, "-n", "100000", "-P", "16",
                            "-c", "20", "-q", "--csv"], text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("redis-benchmark failed: " + r.stderr[-500:])
        rates = {}
        for line in r.stdout.splitlines():
            parts = [p.strip('"') for p in line.split(",")]
            if len(parts) >= 2 and parts[0] != "test":
                rates[parts[0]] = float(parts[1])
        check = "llen mylist %s; dbsize %s; get %s" % (
            _resp(sock, "LLEN", "mylist"), _resp(sock, "DBSIZE"),
            _resp(sock, "GET", "key:__rand_int__"))
        sock.close()
    finally:
        srv.send_signal(signal.SIGTERM)
        _, status, ru = os.wait4(srv.pid, 0)
        srv.returncode = os.waitstatus_to_exitcode(status)
    if len(rates) < 4:
        raise RuntimeError("redis-benchmark: expected 4+ results, got %r" % r.stdout[-500:])
    return ru.ru_utime + ru.ru_stime, check + "\n", rates


JQ_PROGRAM = (
    'group_by(.meta.kind) | map({kind: .[0].meta.kind, n: length, '
    'score: (map(.score) | add | floor), users: (map(.user) | unique | length), '
    'tags: ([.[].tags[]] | group_by(.) | map([.[0], length]) | sort_by(-.[1]) | .[0:3]), '
    'words: (map(.text | split(" ") | length) | add), '
    'ok: (map(select(.meta.ok)) | length), '
    'top: (sort_by(-.meta.n) | .[0:2] | map(.id)), '
    'joined: (map(.user + ":" + (.id | tostring)) | join(",") | length)})')


def _run_jq(b, env, work):
    src = _json_input(os.path.join(INPUTS, "records-60k.json"), 60000, 10)
    cpu, out, _ = run_cpu([b["exe"], "-c", JQ_PROGRAM, src], env=env)
    if '"kind"' not in out:
        raise RuntimeError("jq: no result objects")
    return cpu, out


BC_PROGRAM = """scale = 1400
p = 4 * a(1)
e = e(1)
define f(n) { auto r, i; r = 1; for (i = 2; i <= n; i++) r *= i; return (r); }
scale = 0
x = f(1500)
length(x)
x % 1000000007
scale = 1400
p
e
"""


def _run_bc(b, env, work):
    script = os.path.join(work, "bench.bc")
    with open(script, "w") as f:
        f.write(BC_PROGRAM)
    cpu, out, _ = run_cpu([b["exe"], "-l", "-q", script], env=env)
    if not out.startswith("4115\n") or "3.14159265358979" not in out:
        raise RuntimeError("bc: unexpected output: " + out[:200])
    return cpu, out


RUNNERS = {"sqlite": _run_sqlite, "lua": _run_lua, "zstd": _run_zstd, "xz": _run_xz, "gawk": _run_gawk,
           "redis": _run_redis, "jq": _run_jq, "bc": _run_bc}

WORKLOADS = {
    "sqlite": "`speedtest1 --size 30 --memdb --verify --singlethread` (SQLite %s amalgamation + test/speedtest1.c)",
    "lua": "`lua bench/debian/lua-bench.lua` (CPU-bound script: tables, strings, closures, GC)",
    "zstd": "`zstd -9` of a generated 24 MiB text file, then 2x `zstd -d`, round trip checked",
    "xz": "`xz -1 -T1` of the first 4 MiB of that file, then 2x `xz -d`, round trip checked",
    "gawk": "word/field statistics over the same 24 MiB file, sorted output",
    "jq": "`jq -c` grouping, sorting and string building over a generated 60,000-record JSON array (11 MiB)",
    "bc": "`bc -l`: pi (`4*a(1)`) and e to 1400 digits, 1500! exactly",
    "redis": "server CPU during `redis-benchmark -t " + REDIS_TESTS + " -n 100000 -P 16 -c 20` (native client)",
}


def run_rss(prog, b, env=None, work=None):
    """run(), plus the largest peak RSS (KiB: GNU time's %M, the program's ru_maxrss) of the
    workload's processes: (CPU seconds, normalised output, peak KiB). Not for redis (a
    server it does not start through run_cpu)."""
    global _peak_rss_kb, _measure_rss
    _peak_rss_kb, _measure_rss = 0, True
    try:
        res = run(prog, b, env=env, work=work)
    finally:
        _measure_rss = False
    if not _peak_rss_kb:
        raise RuntimeError("%s: no peak RSS measured" % prog)
    return res[0], res[1], _peak_rss_kb


def run(prog, b, env=None, work=None):
    """Run prog's fixed workload once with build b; returns (CPU seconds, normalised output)
    — for redis a third element, requests/s per test."""
    work = work or os.path.join(BUILD_ROOT, "work", prog)
    os.makedirs(work, exist_ok=True)
    return RUNNERS[prog](b, env or {}, work)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    info = build(sys.argv[2], sys.argv[3], sys.argv[4:] or ["-O2"])
    if sys.argv[1] == "build":
        print(json.dumps(info, indent=1))
    else:
        res = run(sys.argv[2], info)
        print("%.3f s CPU\n%s" % (res[0], res[1]))
