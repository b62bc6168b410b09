; alaska-safepoint: compiled functions go to section alaska_text; a poll (relaxed load of
; the object's hidden alaska.poll_word, never-taken call of alaska_poll) on the source of every retreating edge
; and at the entry of functions that call. alaska-pin then pins only translations live
; across a point where the thread may stop (design.md §6.2).
; RUN: %opt -passes=alaska-safepoint -S %s | FileCheck %s
; RUN: %opt -passes=alaska-translate,alaska-safepoint,alaska-pin -S %s | FileCheck %s --check-prefix=PIN
; RUN: %opt -passes=alaska-translate,alaska-safepoint,alaska-pin -alaska-safepoints=0 -S %s | FileCheck %s --check-prefix=OFF
; RUN: %opt -passes=alaska -S %s | FileCheck %s --check-prefix=CTOR
; The whole pipeline makes a function stoppable only at polls where that is cheaper than
; its pins (alaska-pin weighs the plan): the list walk's per-node pin is dearer than the
; poll; @irreducible translates nothing and stays stoppable anywhere, with no poll.
; RUN: %opt -passes=alaska -S %s | FileCheck %s --check-prefix=CHOOSE
; CHOOSE-LABEL: define i64 @walk(ptr %h) section "alaska_text"
; CHOOSE: call void @alaska_poll()
; CHOOSE-NOT: store volatile
; CHOOSE: ret i64
; CHOOSE-LABEL: define void @irreducible(i1 %c, ptr %p) prefix
; CHOOSE-NOT: alaska_poll
; CHOOSE: ret void

declare void @g()
declare i64 @strlen(ptr)

; One poll word per object, hidden, a cache line of its own.
; CHECK: @alaska.poll_word = linkonce_odr hidden global i32 0, comdat, align 64

; A leaf without loops: no poll, but in the section.
; CHECK-LABEL: define i32 @leaf(ptr %p) section "alaska_text"
; CHECK-NOT: alaska_poll
; CHECK: ret i32
; PIN-LABEL: define i32 @leaf(
; PIN-NOT: alaska.pins
; PIN: call ptr @alaska.translate(ptr %p)
; PIN-NOT: store volatile
; PIN: ret i32
; OFF-LABEL: define i32 @leaf(
; OFF: alaska.pins
; OFF: call ptr @alaska.translate.pin(
define i32 @leaf(ptr %p) {
  %v = load i32, ptr %p
  ret i32 %v
}

; A loop: one poll on the latch, none at the entry (no call).
; CHECK-LABEL: define i64 @walk(
; CHECK-NOT: alaska_poll
; CHECK: loop:
; CHECK: %alaska.poll_word = load atomic i32, ptr @alaska.poll_word monotonic, align 4
; CHECK-NEXT: %alaska.poll_requested = icmp ne i32 %alaska.poll_word, 0
; CHECK-NEXT: br i1 %alaska.poll_requested, label %alaska.poll, label %{{.*}}, !prof ![[NEVER:[0-9]+]]
; CHECK: alaska.poll:
; CHECK-NEXT: call void @alaska_poll()
; CHECK-NOT: alaska_poll
; CHECK: ret i64
; The translation of the node dies before the poll: not pinned.
; PIN-LABEL: define i64 @walk(
; PIN-NOT: alaska.pins
; PIN: call ptr @alaska.translate(ptr %x)
; PIN-NOT: translate.pin
; PIN: ret i64
define i64 @walk(ptr %h) {
entry:
  br label %loop
loop:
  %x = phi ptr [ %h, %entry ], [ %n, %loop ]
  %s = phi i64 [ 0, %entry ], [ %s2, %loop ]
  %vp = getelementptr i8, ptr %x, i64 8
  %v = load i64, ptr %vp
  %s2 = add i64 %s, %v
  %n = load ptr, ptr %x
  %c = icmp eq ptr %n, null
  br i1 %c, label %done, label %loop
done:
  ret i64 %s2
}

; Irreducible: two blocks entered from outside jump to each other; the DFS finds the
; retreating edge of the cycle and polls there.
; CHECK-LABEL: define void @irreducible(
; CHECK: call void @alaska_poll()
define void @irreducible(i1 %c, ptr %p) {
entry:
  br i1 %c, label %a, label %b
a:
  store volatile i32 1, ptr %p
  br label %b
b:
  %v = load volatile i32, ptr %p
  %z = icmp eq i32 %v, 0
  br i1 %z, label %out, label %a
out:
  ret void
}

; A function that calls polls at its entry; the translation live across the call is
; pinned (frame, slot, clear after its last use), the one used before it is not.
; CHECK-LABEL: define i32 @across(
; CHECK-NEXT: %alaska.poll_word = load atomic i32
; PIN-LABEL: define i32 @across(
; PIN: %alaska.pins = alloca [2 x i64]
; PIN: call ptr @alaska.translate.pin(ptr %p, ptr %alaska.pin)
; PIN: call ptr @alaska.translate(ptr %q)
; PIN: call void @g()
; PIN: store volatile i64 0, ptr %alaska.unpin
; PIN: ret i32
define i32 @across(ptr %p, ptr %q) {
  %w = load i32, ptr %q
  %a = load i32, ptr %p
  call void @g()
  %pp = getelementptr i8, ptr %p, i64 4
  %b = load i32, ptr %pp
  %r = add i32 %a, %b
  %r2 = add i32 %r, %w
  ret i32 %r2
}

; A raw address passed to a call is live while the callee runs: pinned. A call of a
; library function cannot come back here: no entry poll.
; CHECK-LABEL: define i64 @arg(
; CHECK-NOT: alaska_poll
; CHECK: ret i64
; PIN-LABEL: define i64 @arg(
; PIN: call ptr @alaska.translate.pin(ptr %p,
; PIN: call i64 @strlen(
define i64 @arg(ptr %p) {
  %t = call ptr @alaska.translate(ptr %p)
  %n = call i64 @strlen(ptr %t)
  ret i64 %n
}
declare ptr @alaska.translate(ptr)

; A counted inner loop leaves polling to its parent (the outer latch polls once per row).
; CHECK-LABEL: define void @nest(
; CHECK-COUNT-1: call void @alaska_poll()
; CHECK-NOT: call void @alaska_poll()
; CHECK: ret void
define void @nest(ptr %a, i64 %n) {
entry:
  br label %outer
outer:
  %i = phi i64 [ 0, %entry ], [ %i1, %outer.latch ]
  br label %inner
inner:
  %j = phi i64 [ 0, %outer ], [ %j1, %inner ]
  %k = mul i64 %i, %n
  %ij = add i64 %k, %j
  %p = getelementptr i8, ptr %a, i64 %ij
  store i8 0, ptr %p
  %j1 = add nuw i64 %j, 1
  %jd = icmp eq i64 %j1, %n
  br i1 %jd, label %outer.latch, label %inner
outer.latch:
  %i1 = add nuw i64 %i, 1
  %id = icmp eq i64 %i1, %n
  br i1 %id, label %done, label %outer
done:
  ret void
}

; Recursion polls at the entry.
; CHECK-LABEL: define i64 @fib(
; CHECK-NEXT: %alaska.poll_word = load atomic i32
define i64 @fib(i64 %n) {
  %small = icmp ult i64 %n, 2
  br i1 %small, label %leaf, label %rec
leaf:
  ret i64 %n
rec:
  %a1 = sub i64 %n, 1
  %a = call i64 @fib(i64 %a1)
  %b1 = sub i64 %n, 2
  %b = call i64 @fib(i64 %b1)
  %r = add i64 %a, %b
  ret i64 %r
}

; 128-bit division is a library call (__divti3): a point where the thread may stop.
; PIN-LABEL: define i128 @wide(
; PIN: call ptr @alaska.translate.pin(ptr %p,
define i128 @wide(ptr %p, i128 %d) {
  %a = load i128, ptr %p
  %q = sdiv i128 %a, %d
  %bp = getelementptr i8, ptr %p, i64 16
  %b = load i128, ptr %bp
  %r = add i128 %q, %b
  ret i128 %r
}

; A function with a section of its own stays stoppable anywhere: no poll, every
; translation pinned.
; CHECK-LABEL: define i32 @own_section(ptr %p) section "mine"
; CHECK-NOT: alaska_poll
; CHECK: ret i32
; PIN-LABEL: define i32 @own_section(
; PIN: call ptr @alaska.translate.pin(
define i32 @own_section(ptr %p) section "mine" {
  %v = load i32, ptr %p
  ret i32 %v
}

; The constructor registers the section's bounds before arming the runtime.
; CTOR: @__start_alaska_text = extern_weak hidden constant i8
; CTOR: @__stop_alaska_text = extern_weak hidden constant i8
; CTOR: define internal void @alaska.module_ctor()
; CTOR: call void @alaska_register_text(ptr @__start_alaska_text, ptr @__stop_alaska_text, ptr @alaska.poll_word)
; CTOR-NEXT: call void @alaska_module_init()

; CHECK: ![[NEVER]] = !{!"branch_weights", i32 1, i32 1048576}
