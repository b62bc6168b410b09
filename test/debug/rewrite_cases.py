# debug suite, `debug-rewrite`: how `alaska print` rewrites expressions (gdb/alaska.py's
# _Rewriter), without a program: gdb -batch -nx -x gdb/alaska.py -x this file.
import gdb

CASES = [
    ("p", "p"),
    ("p->next->v", "$alaska($alaska(p)->next)->v"),
    ("*p", "*$alaska(p)"),
    ("**pp", "*$alaska(*$alaska(pp))"),
    ("a[i].x", "$alaska($alaska(a)[i]).x"),
    ("a[b[1]]", "$alaska(a)[$alaska(b)[1]]"),
    ("&p->name[3]", "&$alaska($alaska(p)->name)[3]"),
    ("(struct node *)q->next", "(struct node *) $alaska(q)->next"),
    ("((struct node *)q)->v", "$alaska(((struct node *) q))->v"),
    ("(char *)p + 8", "(char *) p + 8"),
    ("(unsigned long)*p", "(unsigned long) *$alaska(p)"),
    ("(a)*b", "(a) * b"),
    ("(a) - p->v", "(a) - $alaska(p)->v"),
    ("sizeof(*p) + sizeof p->v", "sizeof(*p) + sizeof p->v"),
    ("*p@3", "*$alaska(p) @ 3"),
    ("{int} p", "{int} $alaska(p)"),
    ("f(p->x, 2)", "f($alaska(p)->x, 2)"),
    ("x ? p->a : q->b", "x ? $alaska(p)->a : $alaska(q)->b"),
    ("p->v = 5", "$alaska(p)->v = 5"),
    ("p->v += q->v", "$alaska(p)->v += $alaska(q)->v"),
    ("-p->v", "-$alaska(p)->v"),
    ("!p || p->next == 0", "!p || $alaska(p)->next == 0"),
    ("$1->next", "$alaska($1)->next"),
    ("$alaska(p)->v", "$alaska($alaska(p))->v"),
    ("'list.c'::g_head->v", "$alaska('list.c'::g_head)->v"),
    ("ns::obj.field", "$alaska(ns::obj).field"),
    ("p->s.len", "$alaska($alaska(p)->s).len"),
    ("\"ab\"[1]", "$alaska(\"ab\")[1]"),
    ("1.5e3 * p->v", "1.5e3 * $alaska(p)->v"),
    ("p->v, q->v", "$alaska(p)->v, $alaska(q)->v"),
]

failures = 0
for expr, want in CASES:
    got = rewrite(expr)  # noqa: F821 (defined by gdb/alaska.py, sourced first)
    if got != want:
        failures += 1
        print("FAIL %-28r -> %r, want %r" % (expr, got, want))
for bad in ["p->", "(p", "p ? q", "p @@ q"]:
    try:
        rewrite(bad)  # noqa: F821
        failures += 1
        print("FAIL %r: accepted" % bad)
    except gdb.GdbError as e:
        if not str(e).startswith("alaska: "):
            failures += 1
            print("FAIL %r: message %r" % (bad, str(e)))
print("rewrite: %d cases, %d failures" % (len(CASES) + 4, failures))
if failures:
    gdb.execute("quit 1")
