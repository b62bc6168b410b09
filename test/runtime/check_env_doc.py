#!/usr/bin/env python3
"""docs/env.md against runtime/options.inc, and the table as the only reader of ALASKA_*.

    check_env_doc.py SOURCE_ROOT

Fails (exit 1, one line per difference) when a row of options.inc has no row in the runtime
table of docs/env.md or one whose type, default or range differ, when env.md has a runtime
row the table lacks, when the two orders differ, or when a runtime/ file other than
options.c calls getenv.
"""
import os
import re
import sys

ROW_RE = re.compile(
    r'^ALASKA_OPTION\(\s*(\w+),\s*(\w+),\s*(\w+),\s*"([^"]*)",\s*"([^"]*)",\s*"([^"]*)",',
    re.M)
TYPES = {"flag", "bool", "int", "signal", "double", "fraction", "bytes", "path"}
BOUNDED = {"int", "signal", "double", "fraction", "bytes"}


def table_rows(text):
    rows = []
    for field, name, typ, dflt, lo, hi in ROW_RE.findall(text):
        rows.append({"name": name, "type": typ, "default": dflt or "unset",
                     "range": f"[{lo}, {hi}]" if lo or hi else
                     {"bool": "0 or 1", "flag": "any value", "path": "a file name"}.get(typ, "")})
        if typ not in TYPES:
            sys.exit(f"options.inc: {name}: unknown type {typ}")
        if typ in BOUNDED and not (lo and hi):
            sys.exit(f"options.inc: {name}: a {typ} needs both bounds")
    return rows


def doc_rows(text):
    """Rows of the first table under '## Runtime' whose first cell is `ALASKA_...`."""
    m = re.search(r"^## Runtime.*?\n(.*?)(?=^#)", text, re.M | re.S)
    if not m:
        sys.exit("docs/env.md: no '## Runtime' section")
    rows = []
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not cells[0].startswith("`ALASKA_"):
            continue
        first_code = re.match(r"`([^`]*)`", cells[2])
        rows.append({"name": cells[0].strip("`"), "type": cells[1].strip("`"),
                     "default": first_code.group(1) if first_code else cells[2],
                     "range": cells[3].replace("`", "")})
    return rows


def getenv_outside(root):
    bad = []
    rt = os.path.join(root, "runtime")
    for dirpath, _, names in os.walk(rt):
        for name in names:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, rt)
            if rel == "options.c":
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    if re.search(r"\bgetenv\s*\(", line):
                        bad.append(f"runtime/{rel}:{n}: getenv outside options.c (add a row "
                                   "to runtime/options.inc)")
    return bad


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    root = argv[1]
    with open(os.path.join(root, "runtime", "options.inc")) as f:
        table = table_rows(f.read())
    with open(os.path.join(root, "docs", "env.md")) as f:
        docs = doc_rows(f.read())
    problems = []
    by_name = {r["name"]: r for r in docs}
    for r in table:
        d = by_name.get(r["name"])
        if d is None:
            problems.append(f"docs/env.md: no row for {r['name']} (type {r['type']}, default "
                            f"{r['default']}, range {r['range']})")
            continue
        for key in ("type", "default", "range"):
            if d[key] != r[key]:
                problems.append(f"docs/env.md: {r['name']}: {key} is '{d[key]}', "
                                f"options.inc says '{r[key]}'")
    names = {r["name"] for r in table}
    for d in docs:
        if d["name"] not in names:
            problems.append(f"docs/env.md: {d['name']} is not in runtime/options.inc")
    if not problems and [r["name"] for r in table] != [d["name"] for d in docs]:
        problems.append("docs/env.md: rows are not in the order of runtime/options.inc")
    problems += getenv_outside(root)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"docs/env.md matches runtime/options.inc ({len(table)} variables)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
