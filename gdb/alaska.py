# alaska.py — gdb extension for programs built with Alaska (alaska-clang / alaska-clang++).
#
# Alaska's malloc returns *handles* (bit 63 | 31-bit id | 32-bit offset biased by 2^31)
# that compiled code translates through a table before every access; gdb itself sees only
# the non-canonical handle values ("Cannot access memory at address 0x8000000180000000").
# This extension translates them:
#
#   $alaska(EXPR)          EXPR with a handle translated to the object's current address,
#                          type kept:  print *$alaska(p)   print $alaska(p)->v
#   alaska print EXPR, ap  print EXPR with every pointer it dereferences translated:
#                          ap p->next->name   ap/x *q   ap m (std::map with handle nodes)
#   alaska handle VALUE    id, offset, table entry, address, page, size class, usable size,
#                          live / freed / never issued, pinned
#   alaska stats           the runtime's counters (the ALASKA_STATS=1 line)
#   alaska heap [pages]    per size class page summary (or one line per page)
#   pretty printers        a handle-valued pointer prints as
#                          0x8000000180000000 -> 0x7ffff7a00000 (alaska id 1), and other
#                          printers (libstdc++'s std::map, std::string ...) see through handles
#
# Everything is read from the inferior's memory through the runtime's exported
# `alaska_debug_descriptor` (runtime/heap/debug.c): no inferior function calls (works on core
# files), no debug info needed for libalaska.so, no hard-coded addresses or layouts.
#
# Loading: programs linked by alaska-clang carry a .debug_gdb_scripts entry naming this file,
# so gdb auto-loads it once its directory is in `auto-load safe-path` (README "Debugging").
# Manually: `source <prefix>/share/alaska/gdb/alaska.py`.

import re
import struct

import gdb

DESCRIPTOR_SYMBOL = "alaska_debug_descriptor"
DESCRIPTOR_MAGIC = 0x4244414B53414C41  # the bytes "ALASKADB"
DESCRIPTOR_VERSIONS = (1,)  # meanings of the entries this file understands
U64 = (1 << 64) - 1


class AlaskaError(gdb.GdbError):
    """A user-facing failure; gdb prints it as the command's error message."""

    def __init__(self, msg):
        super().__init__("alaska: " + msg)


def _read(addr, size):
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def _u(data, off, size):
    return int.from_bytes(data[off:off + size], "little")


def _read_u(addr, size=8):
    return _u(_read(addr, size), 0, size)


def _read_cstring(addr, limit=256):
    out = b""
    while len(out) < limit:
        try:
            chunk = _read(addr + len(out), 64)
        except gdb.MemoryError:
            chunk = _read(addr + len(out), 1)
        nul = chunk.find(b"\0")
        if nul >= 0:
            return (out + chunk[:nul]).decode("utf-8", "replace")
        out += chunk
    return out.decode("utf-8", "replace")


# ---- the runtime's layout, from its debug descriptor ----------------------------------------


class Runtime:
    """The Alaska runtime of the selected inferior, as its debug descriptor describes it."""

    def __init__(self, addr):
        self.descriptor = addr
        head = _read(addr, 32)
        magic, version, entry_size, count, entries = struct.unpack("<QIIQQ", head)
        if magic != DESCRIPTOR_MAGIC:
            raise AlaskaError("%s at %#x has a wrong magic number %#x (not an Alaska runtime, "
                              "or its memory is not in this core file)"
                              % (DESCRIPTOR_SYMBOL, addr, magic))
        if version not in DESCRIPTOR_VERSIONS:
            raise AlaskaError("the runtime's debug descriptor is version %d, this alaska.py "
                              "understands %s: use the alaska.py installed with that libalaska.so"
                              % (version, ", ".join(map(str, DESCRIPTOR_VERSIONS))))
        if entry_size < 24 or count > 4096:
            raise AlaskaError("the runtime's debug descriptor is malformed (entry size %d, "
                              "%d entries)" % (entry_size, count))
        table = _read(entries, entry_size * count)
        self._fields = {}
        self.entries = {}
        for i in range(count):
            name_ptr, value, size = struct.unpack_from("<QQQ", table, i * entry_size)
            self.entries[_read_cstring(name_ptr)] = (value, size)
        c = self.const
        self.version = version
        self.table_base = c("table_base")
        self.table_entries = c("table_entries")
        self.poison_base = c("poison_base")
        self.poison_bytes = c("poison_bytes")
        self.id_bits = c("id_bits")
        self.offset_bits = c("offset_bits")
        self.handle_bit = 1 << (self.id_bits + self.offset_bits)
        self.handle_bias = c("handle_bias")  # offset field of an object's first byte
        self.id_mask = (1 << self.id_bits) - 1
        self.offset_mask = (1 << self.offset_bits) - 1
        self.page_shift = c("page_shift")
        self.num_classes = c("num_classes")
        self.slot_pin_bit = c("slot_pin_bit")
        self.slot_entry_bytes = c("slot_entry_bytes")
        self.pin_tag = c("pin_frame_tag")
        self.pin_count_bits = c("pin_frame_count_bits")
        self.pin_header_words = c("pin_frame_header_words")
        self.kinds = {c("kind." + k): k for k in
                      ("unused", "free", "free_tail", "small", "large", "large_tail")}
        self.kind = {k: v for v, k in self.kinds.items()}
        self.page_desc_size = self.type_size("page_t")
        self.cache_size = self.type_size("cache_t")

    # entry accessors: a missing entry means alaska.py and libalaska.so do not match
    def _entry(self, name):
        try:
            return self.entries[name]
        except KeyError:
            raise AlaskaError("the runtime's debug descriptor has no entry %r: this alaska.py "
                              "does not match the program's libalaska.so" % name) from None

    def const(self, name):
        return self._entry(name)[0]

    def type_size(self, name):
        return self._entry(name)[0]

    def field(self, name):
        return self._entry(name)

    def var_addr(self, name):
        return self._entry("&" + name)[0]

    def var(self, name):
        addr, size = self._entry("&" + name)
        return _read_u(addr, size)

    # decoded records
    def record(self, prefix, data, base=0):
        """All scalar fields `prefix.*` of one struct in `data` (at `base`), by name."""
        fields = self._fields.get(prefix)
        if fields is None:
            fields = self._fields[prefix] = [
                (name[len(prefix) + 1:], off, size) for name, (off, size) in self.entries.items()
                if name.startswith(prefix + ".") and size in (1, 2, 4, 8)]
        return {name: _u(data, base + off, size) for name, off, size in fields}

    # geometry (read fresh: these change while the program runs)
    def heap(self):
        base, reserve = self.var("heap_base"), self.var("heap_reserve")
        if reserve == 0:
            raise AlaskaError("the runtime has not reserved its heap yet (nothing allocated)")
        return base, reserve

    def page(self, index):
        pages = self.var("pages")
        data = _read(pages + index * self.page_desc_size, self.page_desc_size)
        return self.record("page", data)

    def pages(self, first, count):
        """Descriptors [first, first+count) read in bulk (for heap walks)."""
        pages = self.var("pages")
        out = []
        batch = max(1, 65536 // self.page_desc_size)
        for start in range(first, first + count, batch):
            n = min(batch, first + count - start)
            try:
                data = _read(pages + start * self.page_desc_size, n * self.page_desc_size)
            except gdb.MemoryError:
                break  # beyond what was ever handed out (not in a core file)
            out += [self.record("page", data, i * self.page_desc_size) for i in range(n)]
        return out

    def pages_in_use(self):
        """Pages handed out at least once (the pool's bump pointer)."""
        return self.var("pool_bump")

    def class_size(self, cls):
        return _read_u(self.var_addr("class_sizes") + 4 * cls, 4)

    # handles
    def is_handle(self, v):
        return bool(v & self.handle_bit)

    def split(self, h):
        """(id, offset from the object's start; negative below it)."""
        return ((h >> self.offset_bits) & self.id_mask,
                (h & self.offset_mask) - self.handle_bias)

    def make_handle(self, hid, offset=0):
        field = (offset + self.handle_bias) & self.offset_mask
        return self.handle_bit | (hid << self.offset_bits) | field

    def entry_addr(self, hid):
        return self.table_base + 8 * hid

    def entry(self, hid):
        """The table entry of `hid`, or None when its table page was never touched."""
        try:
            return _read_u(self.entry_addr(hid))
        except gdb.MemoryError:
            return None

    def entry_object(self, hid):
        """The object address the entry of `hid` names (entry + bias), or None."""
        e = self.entry(hid)
        return None if e is None else (e + self.handle_bias) & U64

    def ids_issued(self):
        """Ids below this were handed out to thread caches (the table's bump counter)."""
        return self.var("id_bump")

    def dead_reason(self, h):
        """Why handle `h` has no object ("freed", "never issued"), or None if it is live."""
        hid, _ = self.split(h)
        e = self.entry(hid)
        if e is None or hid == 0 or hid >= self.ids_issued():
            return "never issued"
        if e == self.poison_base or e == 0:  # 0: its table page was released (table.c)
            return "freed"
        return None

    def translate(self, h):
        """Current address for handle `h` (identity for plain pointers)."""
        h &= U64
        if not self.is_handle(h):
            return h
        reason = self.dead_reason(h)
        if reason:
            hid, _ = self.split(h)
            raise AlaskaError("%#x is a %s handle (id %d)" % (h, reason, hid))
        hid, off = self.split(h)
        return (self.entry_object(hid) + off) & U64

    def object_at(self, raw):
        """(page index, page, object start, handle id, usable size, slot) of the live object
        containing raw address `raw` (slot None for a large object), or None."""
        base, reserve = self.heap()
        if not (base <= raw < base + reserve):
            return None
        index = (raw - base) >> self.page_shift
        pg = self.page(index)
        kind = self.kinds.get(pg["kind"], "unknown")
        if kind == "large_tail":
            index = pg["span_head"]
            pg = self.page(index)
            kind = self.kinds.get(pg["kind"], "unknown")
        if kind == "large":
            start = base + (index << self.page_shift) + pg["large_offset"]
            if start <= raw < start + max(pg["large_size"], 1) and pg["large_id"]:
                return index, pg, start, pg["large_id"], pg["large_size"], None
            return None
        if kind != "small" or pg["block_size"] == 0:
            return None
        slot = (raw - pg["start"]) // pg["block_size"]
        if slot >= pg["capacity"]:
            return None
        start = pg["start"] + slot * pg["block_size"]
        hid = self.slot_entry(pg, slot) & ~self.slot_pin_bit
        if hid == 0 or self.entry_object(hid) != start:
            return None  # free slot (its last id was freed or now lives elsewhere)
        return index, pg, start, hid, pg["block_size"], slot

    def slot_entry(self, pg, slot):
        """The slot->id map entry of `slot` (id, and the pin-forever bit)."""
        size = self.slot_entry_bytes
        return _read_u(pg["ids"] + size * slot, size)

    def pinned_forever(self, pg, slot):
        if slot is None:
            return False
        return bool(self.slot_entry(pg, slot) & self.slot_pin_bit)


def _descriptor_address():
    try:
        return int(gdb.parse_and_eval("&" + DESCRIPTOR_SYMBOL)) & U64
    except gdb.error:
        return None


# (inferior number, pid) -> Runtime, or None when it has none; emptied whenever objfiles
# come or go or a process exits (a lookup of the descriptor symbol per value printed made
# printing a 10-element std::map take seconds).
_runtime_cache = {}


def runtime(required=True):
    """The selected inferior's Runtime, or None (required=False) if it has none."""
    inferior = gdb.selected_inferior()
    key = (inferior.num, inferior.pid)
    if key in _runtime_cache:
        rt = _runtime_cache[key]
    else:
        rt = _load_runtime(inferior)
        _runtime_cache[key] = rt
    if rt is None and required:
        raise AlaskaError("no Alaska runtime here: the program is not running (use `start`) "
                          "or does not use libalaska.so")
    if isinstance(rt, AlaskaError):
        if required:
            raise rt
        return None
    return rt


def _load_runtime(inferior):
    """Runtime, None (no runtime) or the AlaskaError that prevents reading it."""
    # pid 0: no process and no core file (memory would be read from the files on disk:
    # unrelocated, and no heap)
    addr = _descriptor_address() if inferior.pid != 0 else None
    if addr is None:
        return None
    try:
        return Runtime(addr)
    except (gdb.MemoryError, gdb.error) as e:
        return AlaskaError("cannot read %s: %s" % (DESCRIPTOR_SYMBOL, e))
    except AlaskaError as e:
        return e


def _forget_runtimes(_event=None):
    _runtime_cache.clear()


# ---- translating gdb values ------------------------------------------------------------------

_PTR = gdb.TYPE_CODE_PTR
_REFS = (gdb.TYPE_CODE_REF, gdb.TYPE_CODE_RVALUE_REF)


def _code(v):
    return v.type.strip_typedefs().code


def _address_of(v):
    """Address of lvalue `v` as an int, or None for non-lvalues."""
    try:
        a = v.address
    except gdb.error:
        return None
    return None if a is None else int(a) & U64


def translate_value(v, rt=None, values=True):
    """`v` with Alaska handles translated, type kept:
    a pointer holding a handle -> the same pointer type holding the current address;
    a reference, or an lvalue located at a handle -> the same object at its current address;
    an integer holding a handle -> the translated integer; anything else -> v.
    values=False: only relocate objects (references, lvalues), keep pointers and integers."""
    rt = rt or runtime()
    code = _code(v)
    if not values and code not in _REFS:
        addr = _address_of(v)
        if addr is not None and rt.is_handle(addr):
            return gdb.Value(rt.translate(addr)).cast(v.type.pointer()).dereference()
        return v
    if code == _PTR:
        h = int(v) & U64
        if rt.is_handle(h):
            return gdb.Value(rt.translate(h)).cast(v.type)
        return v
    if code in _REFS:
        v = v.referenced_value()
    elif code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL,
                  gdb.TYPE_CODE_CHAR):
        h = int(v) & U64
        if v.type.sizeof == 8 and rt.is_handle(h):
            return gdb.Value(rt.translate(h)).cast(v.type)
        return v
    addr = _address_of(v)
    if addr is not None and rt.is_handle(addr):
        return gdb.Value(rt.translate(addr)).cast(v.type.pointer()).dereference()
    return v


class AlaskaFunction(gdb.Function):
    """$alaska(EXPR): EXPR with an Alaska handle translated to the object's current address,
    the type kept. `print *$alaska(p)`, `print $alaska(p)->v`; every handle needs its own
    $alaska: `print $alaska($alaska(p)->next)->v`, or use `ap p->next->v`."""

    def __init__(self):
        super().__init__("alaska")

    def invoke(self, value, *rest):
        if rest:
            raise AlaskaError("$alaska takes one argument")
        return translate_value(value)


AlaskaFunction()


# ---- alaska print: rewrite EXPR so that every dereferenced operand goes through $alaska -----

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[uUlLfF]*)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<chr>'(?:[^'\\]|\\.)*')
  | (?P<name>\$?[A-Za-z_][A-Za-z0-9_]*|\$[0-9$]*)
  | (?P<op>->\*|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|::|[-+*/%&|^~!<>=?:,.()\[\]{}@])
""", re.VERBOSE)

_TYPE_WORDS = {"struct", "union", "enum", "class", "const", "volatile", "unsigned", "signed",
               "int", "char", "short", "long", "float", "double", "void", "_Bool", "bool",
               "wchar_t", "char8_t", "char16_t", "char32_t", "__int128", "typename"}
_BINARY = [  # lowest to highest precedence (c-exp.y's order, '@' included)
    ("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="),
    ("<<", ">>"), ("@",), ("+", "-"), ("*", "/", "%")]
_ASSIGN = ("=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=")


def _wrap(text):
    return "$alaska(%s)" % text


class _Rewriter:
    """A recursive-descent parser over gdb's C/C++ expression syntax that emits the same
    expression with `$alaska(...)` around the operand of every `->`, `.`, unary `*`, `[]`
    and `{type}`; everything else (casts, calls, operators, sizeof) is kept as written."""

    def __init__(self, text):
        self.text = text
        self.toks = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise AlaskaError("cannot parse %r at %r" % (text, text[pos:pos + 10]))
            pos = m.end()
            if m.lastgroup != "ws":
                self.toks.append((m.lastgroup, m.group(), m.start(), m.end()))
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j][1] if j < len(self.toks) else None

    def kind(self, k=0):
        j = self.i + k
        return self.toks[j][0] if j < len(self.toks) else None

    def take(self, expect=None):
        if self.i >= len(self.toks):
            raise AlaskaError("unexpected end of expression %r" % self.text)
        tok = self.toks[self.i]
        if expect is not None and tok[1] != expect:
            raise AlaskaError("expected %r, found %r in %r" % (expect, tok[1], self.text))
        self.i += 1
        return tok[1]

    def balanced(self, open_, close):
        """Raw text from the current `open_` to its matching `close` (exclusive of both)."""
        start = self.toks[self.i][3]
        self.take(open_)
        depth = 1
        while True:
            t = self.take()
            if t in ("(", "[", "{"):
                depth += 1
            elif t in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return self.text[start:self.toks[self.i - 1][2]].strip()

    def parse(self):
        out = self.comma()
        if self.i != len(self.toks):
            raise AlaskaError("unexpected %r in %r" % (self.peek(), self.text))
        return out

    def comma(self):
        out = self.assign()
        while self.peek() == ",":
            self.take()
            out += ", " + self.assign()
        return out

    def assign(self):
        left = self.ternary()
        if self.peek() in _ASSIGN:
            op = self.take()
            return "%s %s %s" % (left, op, self.assign())
        return left

    def ternary(self):
        cond = self.binary(0)
        if self.peek() == "?":
            self.take()
            a = self.comma()
            self.take(":")
            return "%s ? %s : %s" % (cond, a, self.ternary())
        return cond

    def binary(self, level):
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _BINARY[level] and self.kind() == "op":
            op = self.take()
            left = "%s %s %s" % (left, op, self.binary(level + 1))
        return left

    def looks_like_type(self, text):
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_:<>, ]*", text)
        if not words:
            return False
        first = words[0].split()[0]
        if first in _TYPE_WORDS:
            return True
        base = re.sub(r"[\s*&]+$", "", re.sub(r"^\s*(const|volatile)\s+", "", text))
        base = re.sub(r"\s+(const|volatile)$", "", base)
        try:
            gdb.lookup_type(base)
            return True
        except gdb.error:
            return False

    def unary(self):
        t, k = self.peek(), self.kind()
        if k == "op" and t in ("*",):
            self.take()
            return "*" + _wrap(self.unary())
        if k == "op" and t in ("&", "-", "+", "!", "~", "++", "--"):
            self.take()
            return t + self.unary()
        if k == "name" and t in ("sizeof", "alignof", "_Alignof", "typeof", "decltype"):
            # Unevaluated: gdb reads no memory there, and $alaska would be a call.
            start = self.toks[self.i][2]
            self.take()
            if self.peek() == "(":
                self.balanced("(", ")")
            else:
                self.unary()
            return self.text[start:self.toks[self.i - 1][3]]
        if t == "{":
            type_text = self.balanced("{", "}")
            return "{%s} %s" % (type_text, _wrap(self.unary()))
        if t == "(":
            save = self.i
            inner = self.balanced("(", ")")
            follows = self.peek()
            starts_operand = follows is not None and (
                self.kind() in ("name", "num", "str", "chr") or follows in
                ("(", "*", "&", "-", "+", "!", "~", "{", "++", "--"))
            if starts_operand and self.looks_like_type(inner):
                return "(%s) %s" % (inner, self.unary())
            self.i = save
        return self.postfix()

    def postfix(self):
        out = self.primary()
        while True:
            t = self.peek()
            if t in ("->", "."):
                self.take()
                member = self.take()
                out = "%s%s%s" % (_wrap(out), t, member)
            elif t == "[":
                self.take()
                index = self.comma()
                self.take("]")
                out = "%s[%s]" % (_wrap(out), index)
            elif t == "(":
                self.take()
                args = []
                while self.peek() != ")":
                    args.append(self.assign())
                    if self.peek() == ",":
                        self.take()
                self.take(")")
                out = "%s(%s)" % (out, ", ".join(args))
            elif t in ("++", "--"):
                self.take()
                out += t
            else:
                return out

    def primary(self):
        k, t = self.kind(), self.peek()
        if t == "(":
            self.take()
            inner = self.comma()
            self.take(")")
            return "(%s)" % inner
        if k in ("num", "str", "chr"):
            self.take()
            # gdb's 'file.c'::name and adjacent string literals
            while self.kind() == "str" and k == "str":
                t += " " + self.take()
            if k == "chr" and self.peek() == "::":
                return t + self.scoped()
            return t
        if k == "name" or t == "::":
            name = self.take() if k == "name" else ""
            name += self.scoped()
            return self.implicit_this(name)
        raise AlaskaError("unexpected %r in %r" % (t, self.text))

    def scoped(self):
        out = ""
        while self.peek() == "::":
            out += self.take()
            out += self.take()
        return out

    def implicit_this(self, name):
        """A bare member name inside a C++ method means this->name: translate `this`."""
        if name.startswith("$") or "::" in name:
            return name
        try:
            sym, is_member = gdb.lookup_symbol(name)
        except gdb.error:
            return name
        if sym is None and is_member:
            return "%s->%s" % (_wrap("this"), name)
        return name


def rewrite(expr):
    """EXPR with `$alaska(...)` around every dereferenced operand (see _Rewriter)."""
    return _Rewriter(expr).parse()


def _split_print_args(arg):
    """'/x -pretty -- EXPR' -> ('/x -pretty --', 'EXPR')."""
    arg = arg.strip()
    opts = ""
    if arg.startswith("/"):
        fmt, _, arg = arg.partition(" ")
        opts = fmt + " "
        arg = arg.strip()
    if arg.startswith("-"):
        before, sep, after = arg.partition(" -- ")
        if sep:
            opts += before + " -- "
            arg = after
    return opts, arg


def _evaluate(expr):
    """gdb.parse_and_eval, failing like gdb's own commands (the message only)."""
    try:
        return gdb.parse_and_eval(expr)
    except gdb.GdbError:
        raise
    except gdb.error as e:
        raise gdb.GdbError(str(e)) from None


def alaska_print(arg, from_tty):
    opts, expr = _split_print_args(arg)
    if not expr:
        raise AlaskaError("usage: alaska print [/FMT] EXPR")
    rt = runtime()
    # The result itself is shown as `print` shows it (a handle stays a handle, printed with
    # its translation); only a reference to an object behind a handle is followed.
    value = translate_value(_evaluate(rewrite(expr)), rt, values=False)
    gdb.set_convenience_variable("_alaska_print", value)
    gdb.execute("print %s$_alaska_print" % opts, from_tty)


class AlaskaPrefix(gdb.Command):
    """Inspect an Alaska program: see through handles.
alaska print EXPR   (also: ap EXPR) print EXPR with every dereferenced handle translated
alaska handle VALUE describe a handle or a raw heap address
alaska stats        the runtime's counters
alaska heap [pages] per size class page summary (or one line per page)
$alaska(EXPR)       EXPR with a handle translated, type kept: print *$alaska(p)"""

    def __init__(self):
        super().__init__("alaska", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, prefix=True)


class AlaskaPrint(gdb.Command):
    """alaska print [/FMT] EXPR: print EXPR with every pointer it dereferences translated
from an Alaska handle to the object's current address (->, ., *, [] at any depth):
  alaska print p->next->name     alaska print/x *q     alaska print m
Short form: ap EXPR."""

    def __init__(self, name):
        super().__init__(name, gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        alaska_print(arg, from_tty)


# ---- alaska handle -----------------------------------------------------------------------------


def _frames_of_thread():
    """(sp, frame) of every frame of the selected thread, newest first."""
    out = []
    frame = gdb.newest_frame()
    while frame is not None and len(out) < 10000:
        try:
            out.append((int(frame.read_register("sp")) & U64, frame))
            frame = frame.older()
        except gdb.error:
            break
    return out


def pin_frames_holding(rt, hid):
    """[(thread num, frame level, function, slot address)] of every pin frame slot on any
    thread's stack holding a handle with id `hid` (what the barrier scans: design.md §6.1)."""
    found = []
    tag = rt.pin_tag >> rt.pin_count_bits
    count_mask = (1 << rt.pin_count_bits) - 1
    inferior = gdb.selected_inferior()
    old_thread = gdb.selected_thread()
    try:
        old_frame = gdb.selected_frame()
    except gdb.error:
        old_frame = None
    try:
        for thread in inferior.threads():
            thread.switch()
            frames = _frames_of_thread()
            if not frames:
                continue
            lo = frames[0][0] & ~7
            hi = max(sp for sp, _ in frames) + 4096
            hi = min(hi, lo + (64 << 20))
            stack = _read_readable(lo, hi)
            words = [w for (w,) in struct.iter_unpack("<Q", stack[:len(stack) // 8 * 8])]
            for i, w in enumerate(words):
                if w >> rt.pin_count_bits != tag:
                    continue
                first = i + rt.pin_header_words
                count = min(w & count_mask, len(words) - first)
                for k in range(count):
                    v = words[first + k]
                    if rt.is_handle(v) and rt.split(v)[0] == hid:
                        addr = lo + 8 * (first + k)
                        level, name = _frame_containing(frames, addr)
                        found.append((thread.num, level, name, addr))
    finally:
        if old_thread is not None and old_thread.is_valid():
            old_thread.switch()
            if old_frame is not None and old_frame.is_valid():
                old_frame.select()
    return found


def _read_readable(lo, hi):
    """The bytes of [lo, hi) up to the first unreadable page (the end of a stack mapping)."""
    try:
        return _read(lo, hi - lo)
    except gdb.MemoryError:
        pass
    out = b""
    addr = lo
    while addr < hi:
        end = min((addr | 4095) + 1, hi)
        try:
            out += _read(addr, end - addr)
        except gdb.MemoryError:
            break
        addr = end
    return out


def _frame_containing(frames, addr):
    """Level and function name of the frame whose stack area holds `addr`."""
    for level in range(len(frames) - 1, -1, -1):
        sp, frame = frames[level]
        if sp <= addr:
            name = frame.name() or "??"
            return level, name
    return 0, frames[0][1].name() or "??"


def _count(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def _size(n):
    for unit, shift in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d bytes" % n


def describe(rt, value):
    """Lines describing `value` (handle, raw heap address or plain pointer)."""
    v = value & U64
    lines = []
    if not rt.is_handle(v):
        found = rt.object_at(v)
        if found is None:
            base, reserve = rt.heap()
            where = "inside" if base <= v < base + reserve else "outside"
            return ["%#x is not an Alaska handle (bit 63 clear), and no live object of the "
                    "Alaska heap contains it (%s the heap region)" % (v, where)]
        _, _, start, hid, _, _ = found
        h = rt.make_handle(hid, v - start)
        lines.append("%#x is a raw address inside the object of handle %#x (id %d), "
                     "offset %d" % (v, rt.make_handle(hid), hid, v - start))
        v = h
    hid, off = rt.split(v)
    lines.append("handle       %#x: id %d, offset %d" % (v, hid, off))
    e = rt.entry(hid)
    entry_text = "not mapped (never touched)" if e is None else "%#x" % e
    if e == rt.poison_base:
        entry_text += " (the poison value)"
    elif e == 0 and 0 < hid < rt.ids_issued():
        entry_text += " (its table page was given back to the OS: all its ids are free)"
    lines.append("table entry  %#x = %s" % (rt.entry_addr(hid), entry_text))
    reason = rt.dead_reason(v)
    if reason == "freed":
        lines.append("state        freed (the entry holds the poison value: a use of the "
                     "handle faults)")
        return lines
    if reason:
        lines.append("state        never issued: id %d was never handed out (ids issued so "
                     "far: 1..%d)" % (hid, rt.ids_issued() - 1))
        return lines
    obj = rt.entry_object(hid)
    addr = (obj + off) & U64
    lines.append("address      %#x" % addr)
    found = rt.object_at(obj)
    if found is None or found[3] != hid:
        lines.append("object       %#x is not the start of a live Alaska heap object "
                     "(table entry corrupt?)" % obj)
        lines.append("state        inconsistent")
        return lines
    index, pg, start, _, usable, slot = found
    if slot is None:
        lines.append("object       large object, usable size %d; span of %d pages from page %d "
                     "at %#x" % (usable, pg["span_pages"], index,
                                 rt.heap()[0] + (index << rt.page_shift)))
    else:
        cls = pg["size_class"]
        lines.append("object       size class %d (%d-byte blocks), usable size %d; slot %d of "
                     "small page %d at %#x (%d of %d slots in use)" % (
                         cls, pg["block_size"], usable, slot, index, pg["start"], pg["used"],
                         pg["capacity"]))
    if off >= usable or off < 0:
        lines.append("warning      offset %d is outside the object's %d usable bytes"
                     % (off, usable))
    lines.append("state        live")
    pins = []
    if rt.pinned_forever(pg, slot):
        pins.append("forever (alaska_pin_forever: uncompiled code holds its address)")
    try:
        for thread, level, name, where in pin_frames_holding(rt, hid):
            pins.append("pin frame slot %#x in %s (thread %d, frame #%d)" % (
                where, name, thread, level))
    except gdb.error as err:
        pins.append("(stacks not scanned: %s)" % err)
    if pins:
        lines.append("pinned       " + ("\n             ".join(pins)))
    else:
        lines.append("pinned       no: a barrier may move it")
    return lines


class AlaskaHandle(gdb.Command):
    """alaska handle VALUE: describe an Alaska handle (or a raw address in the Alaska heap):
id and offset, table entry, current address, size class and usable size, page and slot,
whether it is live, freed or never issued, and whether it is pinned (forever, or by a pin
frame on some thread's stack, which keeps the mover away from it)."""

    def __init__(self):
        super().__init__("alaska handle", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise AlaskaError("usage: alaska handle VALUE")
        rt = runtime()
        # As `alaska print` evaluates it: p->next is the handle stored in *p
        value = _evaluate(rewrite(arg))
        if _code(value) in _REFS:
            value = value.referenced_value()
        if _code(value) in (_PTR, gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR,
                            gdb.TYPE_CODE_BOOL):
            v = int(value)
        else:
            addr = _address_of(value)
            if addr is None:
                raise AlaskaError("%s is neither a pointer, an integer nor an lvalue" % arg)
            v = addr  # an object: describe where it lives
        for line in describe(rt, v):
            gdb.write(line + "\n")


# ---- alaska stats / alaska heap ------------------------------------------------------------------


def _caches(rt):
    """Every thread cache ever made (the runtime's registry), as raw bytes."""
    out = []
    c = rt.var("all_caches")
    next_off, next_size = rt.field("cache.next_all")
    while c and len(out) < 1 << 20:
        data = _read(c, rt.cache_size)
        out.append(data)
        c = _u(data, next_off, next_size)
    return out


def _array(rt, data, name, count):
    off, size = rt.field(name)
    width = size // count
    return [_u(data, off + i * width, width) for i in range(count)]


def _signed(v, bits=64):
    return v - (1 << bits) if v >> (bits - 1) else v


def read_stats(rt):
    """The runtime's counters, computed as runtime/heap/stats.c does (same keys, same order)."""
    n = rt.num_classes
    sizes = [rt.class_size(cls) for cls in range(n)]
    allocs = frees = live = peaks = 0
    caches = _caches(rt)
    for data in caches:
        ca = _array(rt, data, "cache.cls_alloc", n)
        cf = _array(rt, data, "cache.cls_free", n)
        allocs += sum(ca)
        frees += sum(cf)
        live += sum((a - f) * s for a, f, s in zip(ca, cf, sizes))
        rec = rt.record("cache", data)
        moves = rec["realloc_moves"]
        allocs += rec["large_alloc"] - moves
        frees += rec["large_free"] - moves
        live += _signed(rec["large_live_bytes"])
        peaks += min(_signed(rec["handles_peak"]), rt.const("peak_untracked"))
    handles_live = max(allocs - frees, 0)
    # heap/table.c id_handles_peak: the caches' peaks, bounded by the published sum's peak
    bound = _signed(rt.var("handles_published_peak")) + len(caches) * rt.const("id_publish_slack")
    return [
        ("halloc", allocs), ("hfree", frees), ("handles_live", handles_live),
        ("handles_peak", max(min(peaks, bound), handles_live)),
        ("heap_committed_bytes", rt.var("stat.committed_pages") << rt.page_shift),
        ("live_bytes", max(live, 0)),
        ("pages_released", rt.var("stat.pages_released")),
        ("objects_moved", rt.var("stat.objects_moved")),
        ("bytes_moved", rt.var("stat.bytes_moved")),
    ]


class AlaskaStats(gdb.Command):
    """alaska stats: the runtime's counters read from memory (no function call: works on core
files), in the format of the ALASKA_STATS=1 line. Keys that other parts of the runtime
register at run time need a call and are not shown."""

    def __init__(self):
        super().__init__("alaska stats", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        rt = runtime()
        gdb.write("alaska-stats: %s\n" % " ".join("%s=%d" % kv for kv in read_stats(rt)))


def heap_summary(rt):
    base, reserve = rt.heap()
    in_use = rt.pages_in_use()
    pages = rt.pages(0, in_use)
    classes = {}
    large = [0, 0, 0]  # objects, pages, usable bytes
    free = [0, 0, 0]  # spans, pages, dirty pages
    kind = rt.kinds
    for pg in pages:
        k = kind.get(pg["kind"], "unknown")
        if k == "small":
            c = classes.setdefault(pg["size_class"], [pg["block_size"], 0, 0, 0, 0])
            c[1] += 1
            c[2] += pg["capacity"]
            c[3] += pg["used"]
            c[4] += pg["pinned"]
        elif k == "large":
            large[0] += 1
            large[1] += pg["span_pages"]
            large[2] += pg["large_size"]
        elif k == "free":
            free[0] += 1
            free[1] += pg["span_pages"]
            if pg["dirty"]:
                free[2] += pg["span_pages"]
    return base, reserve, in_use, classes, large, free


class AlaskaHeap(gdb.Command):
    """alaska heap: the Alaska heap per size class (pages, slots, used blocks, fill, objects
pinned forever), large objects and free spans, read from the page descriptors (no function
call: works on core files). `alaska heap pages` lists every page handed out so far."""

    def __init__(self):
        super().__init__("alaska heap", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        rt = runtime()
        arg = arg.strip()
        if arg == "pages":
            return self.list_pages(rt)
        if arg:
            raise AlaskaError("usage: alaska heap [pages]")
        base, reserve, in_use, classes, large, free = heap_summary(rt)
        page = 1 << rt.page_shift
        w = gdb.write
        w("alaska heap: %s reserved at %#x, %s of %s handed out so far\n" % (
            _size(reserve), base, _count(in_use, "page"), _size(page)))
        w("%5s %7s %6s %8s %8s %6s %7s\n" % ("class", "size", "pages", "slots", "used", "fill",
                                             "pinned"))
        blocks = used_bytes = 0
        for cls in sorted(classes):
            size, npages, slots, used, pinned = classes[cls]
            w("%5d %7d %6d %8d %8d %5.1f%% %7d\n" % (
                cls, size, npages, slots, used, 100.0 * used / slots if slots else 0, pinned))
            blocks += used
            used_bytes += used * size
        w("small: %s, %s in use (%d bytes)\n" % (
            _count(sum(c[1] for c in classes.values()), "page"), _count(blocks, "block"),
            used_bytes))
        w("large: %s in %s (%d bytes usable)\n" % (
            _count(large[0], "object"), _count(large[1], "page"), large[2]))
        w("free:  %s, %s (%d committed, %d released to the OS)\n" % (
            _count(free[0], "span"), _count(free[1], "page"), free[2], free[1] - free[2]))

    def list_pages(self, rt):
        base, _ = rt.heap()
        page = 1 << rt.page_shift
        for index, pg in enumerate(rt.pages(0, rt.pages_in_use())):
            k = rt.kinds.get(pg["kind"], "unknown")
            addr = base + index * page
            if k == "small":
                detail = "class %d (%d B): %d/%d used, %d carved%s" % (
                    pg["size_class"], pg["block_size"], pg["used"], pg["capacity"], pg["bump"],
                    ", %d pinned" % pg["pinned"] if pg["pinned"] else "")
            elif k == "large":
                detail = "large object id %d, %d bytes, %d pages" % (
                    pg["large_id"], pg["large_size"], pg["span_pages"])
            elif k == "free":
                detail = "free span of %d pages (%s)" % (
                    pg["span_pages"], "committed" if pg["dirty"] else "released")
            elif k in ("large_tail", "free_tail"):
                continue
            else:
                detail = k
            gdb.write("page %6d %#x  %-6s %s\n" % (index, addr, k, detail))


# ---- pretty printers ----------------------------------------------------------------------------


class HandlePointerPrinter:
    """0x8000000180000000 -> 0x7ffff7a00000 (alaska id 1)"""

    def __init__(self, rt, value):
        self.rt = rt
        self.value = value

    def to_string(self):
        rt = self.rt
        h = int(self.value) & U64
        hid, off = rt.split(h)
        ident = "alaska id %d" % hid + (" %+d" % off if off else "")
        reason = rt.dead_reason(h)
        if reason:
            return "%#x -> <%s> (%s)" % (h, reason, ident)
        raw = gdb.Value(rt.translate(h)).cast(self.value.type)
        return "%#x -> %s (%s)" % (h, raw.format_string(raw=True), ident)


class HandleReferencePrinter:
    """A reference bound to an object behind a handle: @0x8000... -> {the object}."""

    def __init__(self, rt, value):
        self.rt = rt
        self.value = value

    def to_string(self):
        h = int(self.value.referenced_value().address) & U64
        reason = self.rt.dead_reason(h)
        if reason:
            return "@%#x: <%s handle>" % (h, reason)
        return translate_value(self.value, self.rt)


class Translated(gdb.Value):
    """A gdb.Value whose dereferences, member and element reads and string reads see through
    Alaska handles. Other extensions' pretty printers (libstdc++'s std::map, std::string,
    ...) are handed these, so they walk the program's handle-linked structures unchanged."""

    def _base(self):
        """This value as gdb would see it natively, with a handle translated."""
        v = gdb.Value(self)
        if _code(v) in (_PTR, gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION,
                        gdb.TYPE_CODE_ARRAY) + _REFS:
            return translate_value(v)
        return v

    def dereference(self):
        return Translated(self._base().dereference())

    def referenced_value(self):
        if _code(self) == _PTR:
            return self.dereference()
        return Translated(self._base())

    def __getitem__(self, key):
        return Translated(gdb.Value.__getitem__(self._base(), key))

    def cast(self, t):
        v = gdb.Value(self)
        if _code(v) == _PTR and t.strip_typedefs().code == _PTR:
            rt = runtime()
            h = int(v) & U64
            if rt.is_handle(h):
                # A C++ down-cast reads the object (to find the base's offset): do it on the
                # translated pointer, then apply the same adjustment to the handle, so that
                # the printer keeps comparing handles with the handles stored in memory.
                raw = translate_value(v, rt)
                delta = int(gdb.Value.cast(raw, t)) - int(raw)
                return Translated(gdb.Value((h + delta) & U64).cast(t))
        return Translated(gdb.Value.cast(v, t))

    def reinterpret_cast(self, t):
        return Translated(gdb.Value.reinterpret_cast(self, t))

    def dynamic_cast(self, t):
        return Translated(gdb.Value.dynamic_cast(self, t))

    def __add__(self, other):
        return Translated(gdb.Value.__add__(gdb.Value(self), other))

    def __radd__(self, other):
        return Translated(gdb.Value.__radd__(gdb.Value(self), other))

    def __sub__(self, other):
        return Translated(gdb.Value.__sub__(gdb.Value(self), other))

    def string(self, *args, **kwargs):
        return self._base().string(*args, **kwargs)

    def lazy_string(self, *args, **kwargs):
        return self._base().lazy_string(*args, **kwargs)


class AlaskaPrinters:
    """Registered first: prints handle pointers, and hands every other printer a Translated
    value. Inactive (returns None at once) in programs without the Alaska runtime."""

    name = "alaska"

    def __init__(self):
        self.enabled = True
        self.subprinters = None
        self.busy = False

    def others(self):
        for objfile in gdb.objfiles():
            for p in objfile.pretty_printers:
                yield p
        for p in gdb.current_progspace().pretty_printers:
            yield p
        for p in gdb.pretty_printers:
            yield p

    def __call__(self, value):
        if self.busy:
            return None
        code = _code(value)
        if code not in (_PTR, gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) + _REFS:
            return None
        rt = runtime(required=False)
        if rt is None:
            return None
        if code == _PTR:
            try:
                if rt.is_handle(int(value) & U64):
                    return HandlePointerPrinter(rt, value)
            except gdb.error:
                pass
            return None
        self.busy = True
        try:
            translated = Translated(value)
            for p in self.others():
                if p is self or not getattr(p, "enabled", True):
                    continue
                try:
                    found = p(translated)
                except Exception:
                    continue  # a lookup that cannot take our value: gdb asks it itself
                if found is not None:
                    return found
        finally:
            self.busy = False
        if code in _REFS:
            try:
                if rt.is_handle(int(value.referenced_value().address) & U64):
                    return HandleReferencePrinter(rt, value)
            except gdb.error:
                pass
        return None


_printers = AlaskaPrinters()


def _register_printers(_event=None):
    """Keep our lookup first: gdb asks objfiles' printers in order before the progspace's,
    so it goes at the front of the first objfile (the executable) of the progspace."""
    objfiles = gdb.objfiles()
    if not objfiles:
        return
    first = objfiles[0]
    if first.pretty_printers[:1] != [_printers]:
        if _printers in first.pretty_printers:
            first.pretty_printers.remove(_printers)
        first.pretty_printers.insert(0, _printers)


def _install():
    """Connect the event handlers, replacing those of an earlier load of this file (a
    `source` after the auto-load, or a newer copy): one set of printers and handlers."""
    old = getattr(gdb, "_alaska_extension", None)
    if old is not None:
        for registry, handler in old["handlers"]:
            registry.disconnect(handler)
        for objfile in gdb.objfiles():
            if old["printers"] in objfile.pretty_printers:
                objfile.pretty_printers.remove(old["printers"])
    handlers = [(gdb.events.new_objfile, _forget_runtimes),
                (gdb.events.clear_objfiles, _forget_runtimes),
                (gdb.events.exited, _forget_runtimes),
                (gdb.events.new_objfile, _register_printers)]
    for registry, handler in handlers:
        registry.connect(handler)
    gdb._alaska_extension = {"handlers": handlers, "printers": _printers}
    _register_printers()


_install()
AlaskaPrefix()
AlaskaPrint("alaska print")
AlaskaPrint("ap")
AlaskaHandle()
AlaskaStats()
AlaskaHeap()
