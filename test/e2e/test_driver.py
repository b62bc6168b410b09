#!/usr/bin/env python3
"""Behaviour of the alaska-clang / alaska-clang++ drivers themselves (e2e suite, test `driver`).

usage: test_driver.py --cc build/compiler/driver/alaska-clang --cxx .../alaska-clang++
                      --llvm-prefix /usr/lib/llvm-19 --workdir DIR --version 0.1.0
Every check runs the real driver and inspects what it produced; the first failure is reported
with the command, its output, and a non-zero exit.
"""
import argparse
import os
import shutil
import subprocess
import sys

FAILURES = []


def sh(cmd, env=None, cwd=None, stdin=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, env=merged, cwd=cwd,
                           input=stdin, timeout=300)


def check(name, ok, res=None, why=""):
    if ok:
        print(f"ok   {name}")
        return
    print(f"FAIL {name}: {why}")
    if res is not None:
        print("  $ " + " ".join(res.args))
        print(f"  exit {res.returncode}\n  stdout: {res.stdout[-2000:]}\n  stderr: {res.stderr[-2000:]}")
    FAILURES.append(name)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


ALLOC_C = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>
char *make(const char *s) { char *p = malloc(strlen(s) + 1); strcpy(p, s); return p; }
#ifndef NO_MAIN
int main(void) { char *p = make(MSG); puts(p); free(p); return 0; }
#endif
"""

LIB_C = """#include <stdlib.h>
#include <string.h>
char *lib_copy(const char *s) { char *p = malloc(strlen(s) + 1); strcpy(p, s); return p; }
"""

USE_LIB_C = """#include <stdio.h>
#include <stdlib.h>
char *lib_copy(const char *s);
int main(void) { char *p = lib_copy("from the library"); puts(p); free(p); return 0; }
"""

MAP_CPP = """#include <cstdio>
#include <map>
int main() { std::map<int, int> m; for (int i = 0; i < 1000; i++) m[(i * 7) % 1000] = i;
  long s = 0; for (auto &kv : m) s += kv.first * kv.second; m.erase(m.begin(), m.find(500));
  std::printf("%zu %ld\\n", m.size(), s); return 0; }
"""

# An uncompiled library that keeps the pointer it is given (like a Tcl command's clientData).
KEEPER_C = """#include <string.h>
static const char *kept;
void keeper_keep(const char *p) { kept = p; }
size_t keeper_len(void) { return strlen(kept); }
const char *keeper_get(void) { return kept; }
"""

USE_KEEPER_C = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
void keeper_keep(const char *p);
size_t keeper_len(void);
const char *keeper_get(void);
/* Accesses in their own frames: main's pin slots would otherwise hold s for good. */
__attribute__((noinline)) static void set_first(char *s, char c) { s[0] = c; }
__attribute__((noinline)) static char first(const char *s) { return s[0]; }
__attribute__((noinline)) static char *make(void) {
  char *s = malloc(100);
  strcpy(s, "kept by an uncompiled library");
  keeper_keep(s);
  return s;
}
int main(void) {
  char *junk[2000];
  for (int i = 0; i < 2000; i++) junk[i] = malloc(64);  /* neighbours that may move */
  char *s = make();
  for (int i = 0; i < 2000; i += 2) free(junk[i]);
  int stale = 0;
  for (int round = 0; round < 20; round++) {
    set_first(s, (char)('a' + round)); /* seen through the library's pointer unless moved */
    for (int i = 0; i < 200; i++) free(malloc(32));
    usleep(3000);                   /* stress barriers move every unpinned object */
    stale += keeper_get()[0] != first(s);
  }
  printf("%zu %s stale=%d\\n", keeper_len(), keeper_get(), stale);
  return 0;
}
"""

SHARED_CPP = """#include <string>
#include <vector>
extern "C" long shared_api(int n) { std::string s; std::vector<int> v;
  for (int i = 0; i < n; i++) { s += std::to_string(i); v.push_back(i); }
  return (long)s.size() + (long)v.size(); }
"""

NEW_CPP = """#include <cstdio>
#include <string>
#include <vector>
int main() { auto *v = new std::vector<int>(100, 1); int s = 0; for (int x : *v) s += x;
  delete v; std::printf("%d\\n", s); return 0; }
"""


def stats_halloc(stderr):
    for line in stderr.splitlines():
        if line.startswith("alaska-stats:"):
            for field in line.split():
                if field.startswith("halloc="):
                    return int(field.split("=", 1)[1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", required=True)
    ap.add_argument("--cxx", required=True)
    ap.add_argument("--llvm-prefix", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()
    cc, cxx = os.path.abspath(a.cc), os.path.abspath(a.cxx)
    w = os.path.abspath(a.workdir)
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    src = write(os.path.join(w, "alloc.c"), ALLOC_C)
    llvm_dis = os.path.join(a.llvm_prefix, "bin", "llvm-dis")
    nm = os.path.join(a.llvm_prefix, "bin", "llvm-nm")
    readelf = os.path.join(a.llvm_prefix, "bin", "llvm-readelf")

    r = sh([cc, "--version"])
    first = r.stdout.splitlines()[0] if r.stdout else ""
    check("--version: clang's identity first (build systems parse it), then Alaska's",
          r.returncode == 0 and "clang version 19" in first
          and f"\nAlaska {a.version} (" in r.stdout, r)

    for opt in ("-O0", "-O2"):
        r = sh([cc, opt, "-DNO_MAIN", "-S", "-emit-llvm", src, "-o", "-"])
        check(f"{opt} -S -emit-llvm prints transformed IR (halloc, no malloc)",
              r.returncode == 0 and "@halloc(" in r.stdout and "@malloc(" not in r.stdout, r)

    # Every argument reaches clang unchanged, including spaces and both kinds of quotes.
    msg = "two  words 'single' \"double\" $HOME \\ back"
    c_literal = '"' + msg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    exe = os.path.join(w, "quoted")
    r = sh([cc, "-O2", f"-DMSG={c_literal}", src, "-o", exe])
    check("compile+link with a quoted -D", r.returncode == 0, r)
    if r.returncode == 0:
        r = sh([exe], env={"ALASKA_STATS": "1"})
        check("quoted argument arrives intact and the program allocates through Alaska",
              r.returncode == 0 and r.stdout == msg + "\n" and (stats_halloc(r.stderr) or 0) > 0,
              r)

    obj = os.path.join(w, "alloc.o")
    r = sh([cc, "-O2", "-DMSG=\"obj\"", "-c", src, "-o", obj], env={"ALASKA_VERBOSE": "1"})
    check("-c compiles only; ALASKA_VERBOSE prints the command with the plugin",
          r.returncode == 0 and os.path.exists(obj) and "-fpass-plugin=" in r.stderr
          and "-lalaska" not in r.stderr, r)
    # Response files (meson/ninja use them): their -c must be seen, so no link flags.
    rsp = write(os.path.join(w, "compile.rsp"), f'-O2 -c\n"{src}" -DMSG=\\"rsp\\"\n')
    rsp_obj = os.path.join(w, "rsp.o")
    r = sh([cc, "@" + rsp, "-o", rsp_obj], env={"ALASKA_VERBOSE": "1"})
    check("@response file with -c: compile only, with the plugin",
          r.returncode == 0 and os.path.exists(rsp_obj) and "-fpass-plugin=" in r.stderr
          and "-lalaska" not in r.stderr and "unused" not in r.stderr, r)

    exe = os.path.join(w, "from_obj")
    r = sh([cc, obj, "-o", exe])
    run = sh([exe], env={"ALASKA_STATS": "1"}) if r.returncode == 0 else r
    check("link-only from an object adds the runtime",
          r.returncode == 0 and run.stdout == "obj\n" and (stats_halloc(run.stderr) or 0) > 0, run)

    # -flto: the pre-link bitcode is untransformed, the link (lld + plugin) transforms it.
    bc = os.path.join(w, "lto.o")
    r = sh([cc, "-O2", "-flto", "-DMSG=\"lto\"", "-c", src, "-o", bc])
    dis = sh([llvm_dis, bc, "-o", "-"]) if r.returncode == 0 else r
    check("-flto -c emits untransformed bitcode (transformed once, at link)",
          r.returncode == 0 and dis.returncode == 0 and "@malloc(" in dis.stdout
          and "@halloc(" not in dis.stdout, dis)
    exe = os.path.join(w, "lto")
    r = sh([cc, "-O2", "-flto", bc, "-o", exe])
    run = sh([exe], env={"ALASKA_STATS": "1"}) if r.returncode == 0 else r
    check("-flto link transforms the program",
          r.returncode == 0 and run.stdout == "lto\n" and (stats_halloc(run.stderr) or 0) > 0, run)

    # -shared -fPIC: the library needs libalaska.so and carries no runtime copy.
    lib = os.path.join(w, "libcopy.so")
    r = sh([cc, "-O2", "-fPIC", "-shared", write(os.path.join(w, "lib.c"), LIB_C), "-o", lib])
    check("-shared -fPIC builds", r.returncode == 0, r)
    if r.returncode == 0:
        dyn = sh([readelf, "-d", lib])
        syms = sh([nm, "-D", "--defined-only", lib])
        check("shared library depends on libalaska.so.0 and defines no allocator",
              "libalaska.so.0" in dyn.stdout and " halloc" not in syms.stdout
              and " hfree" not in syms.stdout, syms, dyn.stdout[-800:])
        exe = os.path.join(w, "uselib")
        r = sh([cc, "-O2", write(os.path.join(w, "uselib.c"), USE_LIB_C), "-L" + w, "-lcopy",
                "-Wl,-rpath," + w, "-o", exe])
        run = sh([exe], env={"ALASKA_STATS": "1"}) if r.returncode == 0 else r
        check("program using the shared library runs",
              r.returncode == 0 and run.returncode == 0 and run.stdout == "from the library\n"
              and (stats_halloc(run.stderr) or 0) > 0, run)

    # ALASKA_UNCOMPILED_LIBS: functions of a library built without Alaska get raw pointers
    # and what they may keep stays where it is (pinned), even under stress barriers.
    keeper = os.path.join(w, "libkeeper.so")
    r = sh([os.path.join(a.llvm_prefix, "bin", "clang"), "-O2", "-fPIC", "-shared",
            write(os.path.join(w, "keeper.c"), KEEPER_C), "-o", keeper])
    check("uncompiled keeper library builds", r.returncode == 0, r)
    exe = os.path.join(w, "use_keeper")
    r = sh([cc, "-O2", write(os.path.join(w, "use_keeper.c"), USE_KEEPER_C), keeper,
            "-Wl,-rpath," + w, "-o", exe], env={"ALASKA_UNCOMPILED_LIBS": keeper})
    run = sh([exe], env={"ALASKA_STATS": "1", "ALASKA_STRESS": "1"}) if r.returncode == 0 else r
    check("ALASKA_UNCOMPILED_LIBS: the library gets raw, pinned pointers (under stress)",
          r.returncode == 0 and run.returncode == 0
          and run.stdout == "29 tept by an uncompiled library stale=0\n"
          and (stats_halloc(run.stderr) or 0) > 0, run)
    r = sh([cc, "-O2", "-c", src, "-o", os.path.join(w, "x.o")],
           env={"ALASKA_UNCOMPILED_LIBS": os.path.join(w, "no-such-lib.so")})
    check("ALASKA_UNCOMPILED_LIBS naming a missing library is an alaska: error",
          r.returncode != 0 and "alaska:" in r.stderr and "no-such-lib.so" in r.stderr, r)

    # A C++ -shared library exports its API only, never its copies of inline functions and
    # template instantiations (design.md §5.6): a library later in the lookup order,
    # libstdc++ included, would otherwise bind to code taking handles.
    lib = os.path.join(w, "libcxxapi.so")
    r = sh([cxx, "-O2", "-fPIC", "-shared", write(os.path.join(w, "shared.cpp"), SHARED_CPP),
            "-o", lib])
    syms = sh([nm, "-D", "--defined-only", lib]) if r.returncode == 0 else r
    # GNU ld exports the bounds of the alaska_text section it defines (__start_/__stop_,
    # design.md §6.2) from shared libraries whatever their references' visibility: addresses,
    # not functions.
    funcs = [l for l in syms.stdout.splitlines() if l.split()[1:2] and l.split()[1] in "TW"
             and not l.split()[-1] in ("__start_alaska_text", "__stop_alaska_text")]
    check("C++ -shared library exports no inline/template functions",
          r.returncode == 0 and [l.split()[-1] for l in funcs] == ["shared_api"], syms)

    r = sh([cxx, "-O2", "-S", "-emit-llvm", write(os.path.join(w, "new.cpp"), NEW_CPP), "-o", "-"])
    check("alaska-clang++ replaces operator new",
          r.returncode == 0 and "@_Znwm(" not in r.stdout and "@alaska_new(" in r.stdout, r)

    # -flto=thin becomes full LTO (ThinLTO back-ends never run the whole-program pass).
    exe = os.path.join(w, "thin")
    r = sh([cc, "-O2", "-flto=thin", "-DMSG=\"thin\"", src, "-o", exe])
    run = sh([exe], env={"ALASKA_STATS": "1"}) if r.returncode == 0 else r
    check("-flto=thin builds a transformed program",
          r.returncode == 0 and run.stdout == "thin\n" and (stats_halloc(run.stderr) or 0) > 0,
          run)

    # C++ through the C driver with an explicit -lstdc++: libalaska_cxx.a must come first,
    # or libstdc++.so's rb-tree functions would walk handle-linked nodes.
    exe = os.path.join(w, "map_via_cc")
    r = sh([cc, "-O2", write(os.path.join(w, "map.cpp"), MAP_CPP), "-lstdc++", "-o", exe])
    run = sh([exe], env={"ALASKA_STATS": "1"}) if r.returncode == 0 else r
    check("alaska-clang + -lstdc++ links the C++ support library first",
          r.returncode == 0 and run.returncode == 0 and run.stdout == "500 261762500\n"
          and (stats_halloc(run.stderr) or 0) > 0, run)

    r = sh([cc, "-static", obj, "-o", os.path.join(w, "static")])
    check("-static is refused with an alaska: message",
          r.returncode != 0 and "alaska:" in r.stderr, r)
    r = sh([cc, "-c", write(os.path.join(w, "bad.c"), "int f( { return 0; }\n"), "-o",
            os.path.join(w, "bad.o")])
    check("a compile error is propagated", r.returncode != 0 and "error" in r.stderr, r)
    r = sh([cc, "-c", src, "-o", os.path.join(w, "x.o")], env={"ALASKA_CLANG": "/nonexistent/clang"})
    check("a missing clang is reported", r.returncode != 0 and "alaska:" in r.stderr, r)
    # A pass failure is an error, never a silently untransformed object: the pass documents
    # `asm goto` as unsupported and reports it through the LLVM context.
    out = os.path.join(w, "asmgoto.o")
    r = sh([cc, "-O2", "-c", write(os.path.join(w, "asmgoto.c"),
            "int f(int x) { asm goto(\"jmp %l0\" :::: out); return x; out: return -x; }\n"),
            "-o", out])
    check("a pass failure fails the compile with an alaska: message",
          r.returncode != 0 and "alaska:" in r.stderr and not os.path.exists(out), r)

    if FAILURES:
        print(f"driver: {len(FAILURES)} check(s) failed: {', '.join(FAILURES)}")
        sys.exit(1)
    print("driver: all checks passed")


if __name__ == "__main__":
    main()
