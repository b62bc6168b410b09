#!/usr/bin/env python3
"""debug suite: gdb on programs built with alaska-clang, live and on a core file.

Builds PROGRAM with the Alaska driver (-g and the given -O level), runs it under
`gdb -batch` to a breakpoint in inspect(), runs the checks below, writes a core file with
`gcore`, then runs the same checks on the core in a second gdb. The extension must come in
through the program's .debug_gdb_scripts entry (auto-load), with only the script's directory
added to `auto-load safe-path`, as README "Debugging" tells users to do.

Every expected value is derived from the `truth:` and `alaska-stats:` lines the program
prints from the runtime's own API (alaska_translate, alaska_usable_size, alaska_print_stats)
just before the breakpoint, so a change of the runtime's layouts that the extension does not
follow fails here, loudly.

  usage: run_debug.py --program list|map --name NAME --src FILE --alaska-cc DRIVER
                      --opt=-O0 --include DIR --script-dir DIR --outdir DIR [--gdb gdb]
         run_debug.py --rewrite-cases FILE --script-dir DIR [--gdb gdb]
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time

# A core of these small programs is a few MiB; without the runtime's MADV_DONTDUMP on its
# unused reservations gcore would write ~1 TiB. The limit turns that into a failure.
CORE_LIMIT = 1 << 30
MARK = "@@alaska-check "


def fail(msg):
    print("alaska: debug: " + msg, file=sys.stderr)
    sys.exit(1)


# Checks: (name, gdb command, [regex templates]). Templates are formatted with the truth
# values (and `re.escape`d pieces); every regex must match the command's output.
def list_checks(t):
    second_id = int(t["second"], 16) >> 32 & 0x7FFFFFFF
    head_id = int(t["head"], 16) >> 32 & 0x7FFFFFFF
    dead_id = int(t["dead"], 16) >> 32 & 0x7FFFFFFF
    return [
        ("pointer printer", "print head",
         [r"= %s -> %s \(alaska id %d\)$" % (t["head"], t["head_raw"], head_id)]),
        ("*$alaska(p)", "print *$alaska(head)",
         [r'= \{v = 1, name = "node-1(\\000)*", next = %s -> %s \(alaska id %d\)\}' % (
             t["second"], t["second_raw"], second_id)]),
        ("$alaska(p)->v", "print $alaska(head)->v", [r"= 1$"]),
        ("$alaska nested", "print $alaska($alaska(head)->next)->v", [r"= 2$"]),
        ("ap p->next->v", "ap head->next->v", [r"= 2$"]),
        ("ap deep member", "ap head->next->next->name", [r'= "node-3(\\000)*"$']),
        ("ap global chain", "ap g_head->next->next->next->next->v", [r"= 5$"]),
        ("ap *p->next", "ap *head->next", [r'= \{v = 2, name = "node-2']),
        ("ap/x", "ap/x head->next->next->next->v", [r"= 0x4$"]),
        ("ap [] and &", "ap (&head->next->name[0])[5]", [r"= 50 '2'$"]),
        ("handle live", "alaska handle head",
         [r"handle +%s: id %d, offset 0" % (t["head"], head_id),
          r"address +%s$" % t["head_raw"],
          r"size class 1 \(32-byte blocks\), usable size %s;" % t["head_usable"],
          r"state +live$",
          r"pinned +pin frame slot 0x[0-9a-f]+ in touch \(thread 1, frame #\d+\)"]),
        ("handle freed", "alaska handle dead",
         [r"handle +%s: id %d" % (t["dead"], dead_id), r"state +freed"]),
        ("freed pointer printer", "print dead",
         [r"= %s -> <freed> \(alaska id %d\)$" % (t["dead"], dead_id)]),
        ("ap of a freed handle", "ap dead->v",
         [r"alaska: %s is a freed handle \(id %d\)" % (t["dead"], dead_id)]),
        ("handle class", "alaska handle g_label",
         [r"usable size %s;" % t["label_usable"], r"state +live$",
          r"pinned +no: a barrier may move it"]),
        ("handle large", "alaska handle g_big",
         [r"large object, usable size %s;" % t["big_usable"], r"state +live$"]),
        ("handle pinned forever", "alaska handle g_pinned", [r"pinned +forever"]),
        ("handle never issued", "alaska handle (void *)0x8000123480000000",
         [r"handle +0x8000123480000000: id 4660, offset 0", r"state +never issued"]),
        ("handle of a raw address", "alaska handle &g_head->next->name[3]",
         [r"raw address inside the object of handle %s \(id %d\), offset 11" % (
             t["second"], second_id), r"state +live$"]),
        ("stats", "alaska stats", ["STATS"]),
        ("heap pages", "alaska heap pages",
         [r"^page +0 0x[0-9a-f]+ +small +class 1 \(32 B\): %s/2048 used, \d+ carved, 1 pinned$"
          % t["nodes"],
          r"^page +2 0x[0-9a-f]+ +large +large object id %d, %s bytes, \d+ pages$" % (
              int(t["big"], 16) >> 32 & 0x7FFFFFFF, t["big_usable"])]),
        ("heap", "alaska heap",
         [r"^ +1 +32 +1 +\d+ +%s +[\d.]+%% +1$" % t["nodes"],
          r"^ +6 +112 +1 +\d+ +1 +[\d.]+% +0$",
          r"^large: 1 object in \d+ pages \(%s bytes usable\)" % t["big_usable"],
          "HEAP_TOTAL"]),
    ]


def map_checks(t):
    keys = ('\\{\\["a key that is long enough to live in its own heap block"\\] = 2, '
            '\\["alpha"\\] = 1, \\["gamma"\\] = 3\\}')
    gmap = ", ".join('\\["k%d"\\] = %d' % (i, i * i) for i in range(10))
    key_id = int(t["key"], 16) >> 32 & 0x7FFFFFFF
    freed_id = int(t["freed"], 16) >> 32 & 0x7FFFFFFF
    counter_id = int(t["counter"], 16) >> 32 & 0x7FFFFFFF
    return [
        ("print std::map", "print m", [r"= std::map with 3 elements = " + keys + "$"]),
        ("ap std::map", "ap m", [r"= std::map with 3 elements = " + keys + "$"]),
        ("print std::string&", "print key", [r'= "gamma"$']),
        ("ap heap std::map", "ap *g_map", [r"= std::map with 10 elements = \{" + gmap + r"\}$"]),
        ("*$alaska(map)", "print *$alaska(g_map)", [r"= std::map with 10 elements = \{"]),
        ("xmethod through ap", "ap g_map->size()", [r"= 10$"]),
        ("handle of a key", "alaska handle &key",
         [r"handle +%s: id %d, offset 32" % (t["key"], key_id), r"state +live$"]),
        ("handle of SSO data", "alaska handle key._M_dataplus._M_p",
         [r"address +%s$" % t["key_data"]]),
        ("handle freed", "alaska handle g_freed",
         [r"handle +%s: id %d" % (t["freed"], freed_id), r"state +freed"]),
        ("print std::vector", "ap *g_names",
         [r'= std::vector of length 3, capacity 3 = \{"x", "y", '
          r'"a name that needs a heap buffer too"\}$']),
        ("method frame", "frame function Counter::report",
         [r"Counter::report \(this=(this@entry=)?%s -> %s \(alaska id %d\)" % (
             t["counter"], t["counter_raw"], counter_id)]),
        ("implicit this->member", "ap hits", [r"= 42$"]),
        ("implicit this->string", "ap label", [r'= "a label long enough for a heap buffer"$']),
        ("*this", "ap *this",
         [r'= \{hits = 42, label = "a label long enough for a heap buffer"\}$']),
        ("back to frame 0", "frame 0", [r"^#0 +inspect "]),
        ("stats", "alaska stats", ["STATS"]),
        ("heap", "alaska heap", ["HEAP_TOTAL"]),
    ]


def parse_kv(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:])


def gdb_cmd(args, extra):
    base = [args.gdb, "-batch", "-nx",
            "-iex", "add-auto-load-safe-path " + args.script_dir,
            "-iex", "set pagination off", "-iex", "set width 0",
            "-iex", "set debuginfod enabled off"]
    return base + extra


def run_gdb(cmd, what):
    start = time.monotonic()
    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (CORE_LIMIT, CORE_LIMIT))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", timeout=240, preexec_fn=limit_file_size,
                          stdin=subprocess.DEVNULL)
    print("gdb %s session: %.1f s" % (what, time.monotonic() - start))
    return proc.returncode, proc.stdout


def sections(out):
    """Output of each marked command: {name: text}."""
    parts = {}
    current = None
    for line in out.splitlines():
        if line.startswith(MARK):
            current = line[len(MARK):]
            parts[current] = []
        elif current is not None:
            parts[current].append(line)
    return {k: "\n".join(v) for k, v in parts.items()}


def check(session, checks, out, truth, stats):
    got = sections(out)
    errors = []
    if not re.search(r"^Yes\s+\S*alaska\.py\s*$", got.get("autoload", ""), re.M):
        errors.append("%s: alaska.py was not auto-loaded:\n%s" % (session, got.get("autoload")))
    for name, cmd, patterns in checks:
        text = got.get(name)
        if text is None:
            errors.append("%s: %s: no output section (gdb stopped early?)" % (session, name))
            continue
        for pat in patterns:
            if pat == "STATS":
                m = re.search(r"^alaska-stats: .*$", text, re.M)
                mine = parse_kv(m.group(0)) if m else {}
                want = {k: stats[k] for k in mine} if mine else None
                if not mine or len(mine) < 9 or mine != want:
                    errors.append("%s: %s: `%s` gave\n  %s\nthe program printed\n  %s" % (
                        session, name, cmd, text.strip(), " ".join(
                            "%s=%s" % kv for kv in stats.items())))
            elif pat == "HEAP_TOTAL":
                # small blocks + large usable bytes = live_bytes of the stats line
                m1 = re.search(r"^small: \d+ pages?, \d+ blocks? in use \((\d+) bytes\)", text,
                               re.M)
                m2 = re.search(r"^large: \d+ objects? in \d+ pages? \((\d+) bytes usable\)",
                               text, re.M)
                total = int(m1.group(1)) + int(m2.group(1)) if m1 and m2 else None
                if total != int(stats["live_bytes"]):
                    errors.append("%s: %s: small + large bytes = %s, the program's live_bytes = "
                                  "%s:\n%s" % (session, name, total, stats["live_bytes"], text))
            elif not re.search(pat, text, re.M):
                errors.append("%s: %s: `%s` output does not match /%s/:\n%s" % (
                    session, name, cmd, pat, text))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--program", choices=["list", "map"])
    ap.add_argument("--name")
    ap.add_argument("--src")
    ap.add_argument("--alaska-cc")
    ap.add_argument("--opt")
    ap.add_argument("--include")
    ap.add_argument("--script-dir", required=True)
    ap.add_argument("--outdir")
    ap.add_argument("--gdb", default="gdb")
    ap.add_argument("--rewrite-cases", help="only run this gdb script after alaska.py")
    args = ap.parse_args()
    if shutil.which(args.gdb) is None:
        fail("%s not found: the debug suite needs Debian's gdb (bash scripts/install-deps.sh)"
             % args.gdb)
    if args.rewrite_cases:
        r = subprocess.run([args.gdb, "-batch", "-nx", "-x",
                            os.path.join(args.script_dir, "alaska.py"), "-x", args.rewrite_cases])
        sys.exit(r.returncode)
    if not all((args.program, args.name, args.src, args.alaska_cc, args.opt, args.include,
                args.outdir)):
        fail("--program, --name, --src, --alaska-cc, --opt, --include and --outdir are needed")

    work = os.path.join(args.outdir, args.name)
    os.makedirs(work, exist_ok=True)
    exe = os.path.join(work, "prog")
    core = os.path.join(work, "prog.core")
    for f in (core,):
        if os.path.exists(f):
            os.unlink(f)
    build = [args.alaska_cc, "-g", args.opt, "-I", args.include, args.src, "-o", exe]
    r = subprocess.run(build, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        fail("build failed: %s\n%s" % (" ".join(build), r.stdout))

    # The checks need the truth values, which the live run prints before the breakpoint:
    # so the live session first stops and prints them, then runs the checks, then gcore.
    probe = gdb_cmd(args, ["-ex", "break inspect", "-ex", "run", "-ex", "kill", exe])
    code, out = run_gdb(probe, "probe")
    m = re.search(r"^truth: .*$", out, re.M)
    s = re.search(r"^alaska-stats: .*$", out, re.M)
    if not m or not s:
        fail("the program did not reach its truth line under gdb:\n" + out)
    truth, stats = parse_kv(m.group(0)), parse_kv(s.group(0))
    checks = (list_checks if args.program == "list" else map_checks)(truth)

    def commands():
        cmds = ["-ex", "echo " + MARK + "autoload\\n", "-ex", "info auto-load python-scripts"]
        for name, cmd, _ in checks:
            cmds += ["-ex", "echo " + MARK + name + "\\n", "-ex", cmd]
        return cmds + ["-ex", "echo " + MARK + "end\\n"]

    live = gdb_cmd(args, ["-ex", "break inspect", "-ex", "run"] + commands() +
                   ["-ex", "gcore " + core, "-ex", "kill", exe])
    code, out_live = run_gdb(live, "live")
    m2 = re.search(r"^truth: .*$", out_live, re.M)
    if not m2 or parse_kv(m2.group(0)) != truth:
        fail("the live run printed a different truth line than the probe (address space "
             "layout randomisation not disabled?):\n%s\n%s" % (m.group(0), out_live))
    errors = check("live", checks, out_live, truth, stats)

    if not os.path.exists(core):
        errors.append("gcore wrote no core file:\n" + out_live[-3000:])
    else:
        size = os.path.getsize(core)
        print("core file: %d bytes (%.1f MiB)" % (size, size / 2**20))
        if size >= CORE_LIMIT:
            os.unlink(core)
            errors.append("gcore reached the %d MiB file size limit: the runtime's unused "
                          "address space reservations are not excluded from core dumps"
                          % (CORE_LIMIT >> 20))
        else:
            code, out_core = run_gdb(gdb_cmd(args, commands() + [exe, core]), "core")
            errors += check("core", checks, out_core, truth, stats)
            if not errors:
                os.unlink(core)  # a few MiB each; kept only for failures

    if errors:
        print("\n\n".join(errors), file=sys.stderr)
        print("\n--- live session ---\n" + out_live, file=sys.stderr)
        fail("%d check(s) failed (%s %s)" % (len(errors), args.name, args.opt))
    print("debug %s: %d checks passed live and on the core file" % (args.name, len(checks)))


if __name__ == "__main__":
    main()
