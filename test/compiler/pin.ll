; alaska-pin: one pin frame per function ({tag | N, N slots} in one entry-block alloca,
; header written before any translation, slots not zeroed), one slot per translation site, and the slot
; cleared where the addresses derived from its translation die (design.md §6.1).
; RUN: %opt -passes=alaska-translate,alaska-pin -S %s | FileCheck %s
; RUN: %opt -passes=alaska-translate,alaska-pin -alaska-pins=0 -S %s | FileCheck %s --check-prefix=OFF
; RUN: %opt -passes=alaska-translate,alaska-pin -alaska-pin-clear=0 -S %s | FileCheck %s --check-prefix=NOCLEAR
; RUN: %opt -passes=alaska-escape,alaska-translate,alaska-pin -S %s | FileCheck %s --check-prefix=ESC

declare void @g()
declare ptr @strchr(ptr, i32)
declare i32 @__gxx_personality_v0(...)

; Header: one store of tag | count (slots not zeroed); then the slots; each slot cleared
; after the last use of its translation.
; CHECK-LABEL: define i32 @two_roots(
; CHECK-NEXT: %alaska.pins = alloca [3 x i64], align 16
; CHECK-NEXT: store volatile i64 4186760688550543362, ptr %alaska.pins, align 16
; CHECK-NEXT: %alaska.pin = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: %p.tr = call ptr @alaska.translate.pin(ptr %p, ptr %alaska.pin)
; CHECK-NEXT: %q = load ptr, ptr %p.tr
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0, ptr %alaska.unpin, align 8
; CHECK-NEXT: %alaska.pin1 = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 2
; CHECK-NEXT: %q.tr = call ptr @alaska.translate.pin(ptr %q, ptr %alaska.pin1)
; CHECK-NEXT: %v = load i32, ptr %q.tr
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin2 = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 2
; CHECK-NEXT: store volatile i64 0, ptr %alaska.unpin2, align 8
; CHECK-NEXT: ret i32 %v
; CHECK-NOT: call ptr @alaska.translate(
; OFF-LABEL: define i32 @two_roots(
; OFF-NOT: alaska.pins
; OFF: %p.tr = call ptr @alaska.translate(ptr %p)
; OFF-NOT: alaska.translate.pin
; OFF-NOT: store volatile
; NOCLEAR-LABEL: define i32 @two_roots(
; NOCLEAR: store volatile i64 4186760688550543362
; NOCLEAR-NOT: store volatile
; NOCLEAR: ret i32
define i32 @two_roots(ptr %p) {
  %q = load ptr, ptr %p
  %v = load i32, ptr %q
  ret i32 %v
}

; A translation hoisted out of a loop stays pinned through the whole loop (the call may
; run a barrier) and is cleared on the exit edge, before the call after the loop.
; CHECK-LABEL: define i32 @loop(
; CHECK: %a.tr = call ptr @alaska.translate.pin(ptr %a, ptr %alaska.pin)
; CHECK-NEXT: br label %l
; CHECK: l:
; CHECK-NOT: store volatile
; CHECK: br i1 %c, label %l, label %done
; CHECK: done:
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0, ptr %alaska.unpin
; CHECK-NEXT: call void @g()
define i32 @loop(ptr %a, i64 %n) {
entry:
  br label %l
l:
  %i = phi i64 [0, %entry], [%i1, %l]
  %s = phi i32 [0, %entry], [%s1, %l]
  %e = getelementptr i32, ptr %a, i64 %i
  %x = load i32, ptr %e
  %s1 = add i32 %s, %x
  call void @g()
  %i1 = add i64 %i, 1
  %c = icmp ult i64 %i1, %n
  br i1 %c, label %l, label %done
done:
  call void @g()
  ret i32 %s1
}

; A pointer-induction web (translated phis): the root's slot stays set while the web is
; live, i.e. through the loop, and is cleared at the exit.
; CHECK-LABEL: define void @web(
; CHECK: %a.tr = call ptr @alaska.translate.pin(ptr %a, ptr %alaska.pin)
; CHECK: l:
; CHECK-NEXT: %p = phi
; CHECK-NEXT: %p.tr = phi ptr [ %a.tr, %entry ], [ %p1.tr, %l ]
; CHECK-NOT: store volatile i64 0
; CHECK: br i1 %c, label %l, label %done
; CHECK: done:
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0, ptr %alaska.unpin
; CHECK-NEXT: call void @g()
define void @web(ptr %a, ptr %end) {
entry:
  br label %l
l:
  %p = phi ptr [%a, %entry], [%p1, %l]
  store i8 0, ptr %p
  call void @g()
  %p1 = getelementptr i8, ptr %p, i64 1
  %c = icmp ne ptr %p1, %end
  br i1 %c, label %l, label %done
done:
  call void @g()
  ret void
}

; Branches: the translation is live into %t only; it is cleared at the top of %f (the edge
; it does not take) and after its last use in %t.
; CHECK-LABEL: define i32 @edge(
; CHECK: %a.tr = call ptr @alaska.translate.pin(ptr %a, ptr %alaska.pin)
; CHECK-NEXT: %x = load i32, ptr %a.tr
; CHECK-NEXT: br i1 %c, label %t, label %f
; CHECK: t:
; CHECK-NEXT: %y = load i32, ptr %a.tr
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0
; CHECK-NEXT: call void @g()
; CHECK: f:
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0
; CHECK-NEXT: call void @g()
define i32 @edge(ptr %a, i1 %c) {
entry:
  %x = load i32, ptr %a
  br i1 %c, label %t, label %f
t:
  %y = load i32, ptr %a
  call void @g()
  ret i32 %y
f:
  call void @g()
  ret i32 %x
}

; A web phi fed by two roots: each slot is cleared on the path that does not feed it
; (the web then carries the other root's address), and both stay set through the loop.
; CHECK-LABEL: define void @web2(
; CHECK: %b.tr = call ptr @alaska.translate.pin(ptr %b, ptr %alaska.pin)
; CHECK: %a.tr = call ptr @alaska.translate.pin(ptr %a, ptr %alaska.pin{{[0-9]+}})
; CHECK: ea:
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0
; CHECK-NEXT: br label %l
; CHECK: eb:
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 2
; CHECK-NEXT: store volatile i64 0
; CHECK-NEXT: br label %l
; CHECK: l:
; CHECK: %p.tr = phi ptr [ %a.tr, %ea ], [ %b.tr, %eb ], [ %p1.tr, %l ]
; CHECK-NOT: store volatile i64 0
; CHECK: br i1 %d, label %l, label %done
; CHECK: done:
; CHECK-DAG: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-DAG: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [3 x i64], ptr %alaska.pins, i64 0, i64 2
; CHECK: call void @g()
define void @web2(ptr %a, ptr %b, i1 %c, ptr %end) {
entry:
  br i1 %c, label %ea, label %eb
ea:
  br label %l
eb:
  br label %l
l:
  %p = phi ptr [%a, %ea], [%b, %eb], [%p1, %l]
  store i8 0, ptr %p
  call void @g()
  %p1 = getelementptr i8, ptr %p, i64 1
  %d = icmp ne ptr %p1, %end
  br i1 %d, label %l, label %done
done:
  call void @g()
  ret void
}

; An invoke that receives the translated address (uncompiled callee) uses it until it
; returns: the clear is at the top of both successors (after the landingpad).
; ESC-LABEL: define void @inv(
; ESC: invoke ptr @strchr(ptr %s.tr, i32 58)
; ESC-NEXT: to label %[[NORMAL:.*]] unwind label %lp
; ESC: lp:
; ESC-NEXT: landingpad
; ESC-NEXT: cleanup
; ESC-NEXT: fence syncscope("singlethread") seq_cst
; ESC-NEXT: %alaska.unpin{{[0-9]*}} = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; ESC-NEXT: store volatile i64 0
; ESC-NEXT: call void @g()
define void @inv(ptr %s) personality ptr @__gxx_personality_v0 {
entry:
  %r = invoke ptr @strchr(ptr %s, i32 58) to label %ok unwind label %lp
ok:
  call void @g()
  ret void
lp:
  %l = landingpad { ptr, i32 } cleanup
  call void @g()
  resume { ptr, i32 } %l
}

; A library result pointing into the argument is turned back into a handle; the slot is
; cleared once that is done (the rehandle select ends the derived set).
; ESC-LABEL: define ptr @lib(
; ESC: %s.tr = call ptr @alaska.translate.pin(ptr %s, ptr %alaska.pin)
; ESC-NEXT: %r = call ptr @strchr(ptr %s.tr, i32 58)
; ESC: select i1 {{.*}}, ptr %alaska.rehandled, ptr %r, !alaska.rehandle
; ESC-NEXT: fence syncscope("singlethread") seq_cst
; ESC-NEXT: %alaska.unpin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; ESC-NEXT: store volatile i64 0, ptr %alaska.unpin
; ESC-NEXT: call void @g()
define ptr @lib(ptr %s) {
  %r = call ptr @strchr(ptr %s, i32 58)
  call void @g()
  ret ptr %r
}

; A raw address that reaches memory (here: an unknown library result stored away) cannot
; be followed: that slot is never cleared.
; ESC-LABEL: define void @escapes(
; ESC: %s.tr = call ptr @alaska.translate.pin(ptr %s, ptr %alaska.pin)
; ESC-NOT: store volatile i64 0
; ESC: ret void
declare ptr @unknown_lib(ptr)
@keep = global ptr null
define void @escapes(ptr %s) {
  %r = call ptr @getenv(ptr %s)
  store ptr %r, ptr @keep
  call void @g()
  ret void
}
declare ptr @getenv(ptr)

; No translation, no frame.
; CHECK-LABEL: define i32 @no_roots(
; CHECK-NOT: alaska.pins
; CHECK: ret i32
define i32 @no_roots() {
  %a = alloca i32
  %v = load i32, ptr %a
  ret i32 %v
}

; setjmp returns a second time with the registers of its first return (the translated
; %buf lives again): a function calling a returns_twice function never clears a slot.
; CHECK-LABEL: define i32 @sj(
; CHECK: %buf.tr = call ptr @alaska.translate.pin(ptr %buf, ptr %alaska.pin)
; CHECK-NOT: store volatile i64 0
; CHECK: ret i32
declare i32 @setjmp(ptr) returns_twice
define i32 @sj(ptr %buf) {
  %r = call i32 @setjmp(ptr %buf) returns_twice
  call void @g()
  %v = load i32, ptr %buf
  %s = add i32 %r, %v
  ret i32 %s
}

; Slot sharing: two cleared sites whose live blocks are disjoint use one slot (the frame
; has one slot for two translation sites).
; CHECK-LABEL: define i32 @share(
; CHECK: %alaska.pins = alloca [2 x i64], align 16
; CHECK: store volatile i64 4186760688550543361, ptr %alaska.pins
; CHECK: t:
; CHECK: %alaska.pin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: %p.tr = call ptr @alaska.translate.pin(ptr %p, ptr %alaska.pin)
; CHECK: f:
; CHECK: %alaska.pin{{[0-9]+}} = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: %q.tr = call ptr @alaska.translate.pin(ptr %q, ptr %alaska.pin{{[0-9]+}})
; NOCLEAR-LABEL: define i32 @share(
; NOCLEAR: %alaska.pins = alloca [3 x i64], align 16
@gp = global ptr null
@gq = global ptr null
define i32 @share(i1 %c) {
entry:
  br i1 %c, label %t, label %f
t:
  %p = load ptr, ptr @gp
  %x = load i32, ptr %p
  call void @g()
  ret i32 %x
f:
  %q = load ptr, ptr @gq
  %y = load i32, ptr %q
  call void @g()
  ret i32 %y
}
