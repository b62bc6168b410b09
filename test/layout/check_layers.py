#!/usr/bin/env python3
"""The runtime's layer rule (docs/design.md §3), checked over every `#include "..."` line.

    check_layers.py RUNTIME_DIR INCLUDE_DIR   check the tree; exit 1 naming each violation
    check_layers.py --selftest                prove the check fails on a violating fixture

Layers, lowest first: os < options < heap < mover < policy, interop < init.c. A file may
include headers of its own layer and of the layers listed for it below, and the public
headers of include/ (alaska.h, alaska/abi.h). The heap sees of the mover only
mover/safepoint.h (RT_ENTER/RT_LEAVE and the poll). policy and interop are peers: neither
includes the other. A new folder or root file must be added here before it builds.
"""
import os
import re
import subprocess
import sys
import tempfile

# layer -> the layers whose headers it may include (besides its own)
ALLOWED = {
    "os": set(),
    "options": {"os"},
    "heap": {"os", "options"},
    "mover": {"os", "options", "heap"},
    "policy": {"os", "options", "heap", "mover"},
    "interop": {"os", "options", "heap", "mover"},
    "init": {"os", "options", "heap", "mover", "policy", "interop"},
}
# single headers a lower layer may include from a higher one: (layer, header)
EXCEPTIONS = {("heap", "mover/safepoint.h")}
# root files and the layer they belong to
ROOT_FILES = {"options.c": "options", "options.h": "options", "options.inc": "options",
              "init.c": "init"}
FOLDERS = {"os", "heap", "mover", "policy", "interop"}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def layer_of(rel):
    """Layer of a path relative to runtime/, or None if it is in no layer."""
    parts = rel.split("/")
    if len(parts) == 1:
        return ROOT_FILES.get(parts[0])
    return parts[0] if parts[0] in FOLDERS else None


def check(runtime_dir, include_dir):
    errors = []
    for dirpath, _, names in os.walk(runtime_dir):
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".inc")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, runtime_dir).replace(os.sep, "/")
            src = layer_of(rel)
            if src is None:
                errors.append(f"{rel}: in no layer (add it to test/layout/check_layers.py "
                              "and docs/design.md §3)")
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if os.path.isfile(os.path.join(include_dir, target)):
                        continue  # public header
                    if not os.path.isfile(os.path.join(runtime_dir, target)):
                        errors.append(f"{rel}:{lineno}: #include \"{target}\" is neither a "
                                      "runtime/ header nor a public one (write it as "
                                      "layer/file.h)")
                        continue
                    dst = layer_of(target)
                    if dst == src or dst in ALLOWED[src] or (src, target) in EXCEPTIONS:
                        continue
                    errors.append(f"{rel}:{lineno}: layer {src} includes \"{target}\" of "
                                  f"layer {dst} (allowed: {', '.join(sorted(ALLOWED[src])) or 'none'})")
    return errors


def selftest():
    """A fixture with one allowed and one violating include must fail, naming file and line."""
    with tempfile.TemporaryDirectory() as tmp:
        rt, inc = os.path.join(tmp, "runtime"), os.path.join(tmp, "include")
        files = {
            "runtime/os/os.h": "#pragma once\n",
            "runtime/mover/safepoint.h": '#include "os/os.h"\n',
            "runtime/mover/barrier.h": '#include "os/os.h"\n',
            "runtime/heap/ok.c": '#include "alaska.h"\n#include "mover/safepoint.h"\n',
            "runtime/heap/bad.c": '#include "os/os.h"\n\n#include "mover/barrier.h"\n',
            "include/alaska.h": "\n",
        }
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w") as f:
                f.write(text)
        run = subprocess.run([sys.executable, os.path.abspath(__file__), rt, inc],
                             capture_output=True, text=True)
    want = 'heap/bad.c:3: layer heap includes "mover/barrier.h" of layer mover'
    lines = run.stdout.splitlines()
    if run.returncode != 1 or not lines or not lines[0].startswith(want) or len(lines) != 2:
        print(f"selftest: expected exit 1 and one violation starting with:\n  {want}")
        print(f"got exit {run.returncode}:\n{run.stdout}{run.stderr}")
        return 1
    print("selftest: the violating fixture fails as it should:\n  " + lines[0])
    return 0


def main(argv):
    if argv[1:] == ["--selftest"]:
        return selftest()
    if len(argv) != 3:
        print(__doc__)
        return 2
    errors = check(argv[1], argv[2])
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} layer violation(s); the rule is in docs/design.md §3")
        return 1
    print("runtime layers: every include respects the rule")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
