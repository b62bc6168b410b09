#!/usr/bin/env python3
"""Check that a library's dynamic symbol table defines exactly the names of an allow-list.

  check_exports.py NM LIBRARY ALLOWLIST     exit 0 if equal; else exit 1 naming every extra
                                            and every missing symbol
  check_exports.py --selftest NM LIBRARY ALLOWLIST
                                            the check must fail, naming both, for a list
                                            with one name removed and one internal added

The allow-list has one symbol per line; '#' starts a comment (the reason for a group).
"""
import os
import subprocess
import sys
import tempfile


def read_allowlist(path):
    names = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            name = line.split("#", 1)[0].strip()
            if not name:
                continue
            if any(c.isspace() for c in name):
                sys.exit("%s:%d: one symbol name per line, got %r" % (path, lineno, name))
            if name in names:
                sys.exit("%s:%d: %s is listed twice" % (path, lineno, name))
            names.append(name)
    return names


def dynamic_defined_symbols(nm, library):
    out = subprocess.run([nm, "-D", "--defined-only", library], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("%s -D --defined-only %s failed: %s" % (nm, library, out.stderr.strip()))
    names = set()
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 2:
            names.add(fields[-1].split("@", 1)[0])  # drop a version suffix (name@@VER)
    if not names:
        sys.exit("%s: no dynamic symbols read (not a shared library?)" % library)
    return names


def check(nm, library, allowlist):
    """Returns the error lines (empty when the library matches the list)."""
    allowed = set(read_allowlist(allowlist))
    exported = dynamic_defined_symbols(nm, library)
    errors = []
    for name in sorted(exported - allowed):
        errors.append("%s exports %s, which %s does not list (mark it ALASKA_API only if it "
                      "is part of the runtime's ABI, and list it with its reason)"
                      % (library, name, allowlist))
    for name in sorted(allowed - exported):
        errors.append("%s does not export %s, listed in %s" % (library, name, allowlist))
    return errors


def selftest(nm, library, allowlist):
    names = read_allowlist(allowlist)
    dropped = names[len(names) // 2]
    exported = dynamic_defined_symbols(nm, library)
    added = "alaska_selftest_not_exported"
    assert added not in exported
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("# selftest: one name dropped, one that is not exported added\n")
        for n in names:
            if n != dropped:
                f.write(n + "\n")
        f.write(added + "\n")
        path = f.name
    try:
        proc = subprocess.run([sys.executable, __file__, nm, library, path],
                              capture_output=True, text=True)
    finally:
        os.unlink(path)
    ok = (proc.returncode == 1 and ("exports %s," % dropped) in proc.stderr
          and ("does not export %s," % added) in proc.stderr)
    if not ok:
        sys.exit("selftest: expected exit 1 naming %s (extra) and %s (missing), got exit %d:\n%s"
                 % (dropped, added, proc.returncode, proc.stderr))
    print("selftest ok: the check fails naming %s and %s" % (dropped, added))


def main(argv):
    if len(argv) == 4 and argv[0] == "--selftest":
        selftest(*argv[1:])
        return 0
    if len(argv) != 3:
        sys.exit(__doc__)
    nm, library, allowlist = argv
    errors = check(nm, library, allowlist)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print("%s: %d dynamic symbols, as listed in %s"
          % (library, len(read_allowlist(allowlist)), allowlist))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
