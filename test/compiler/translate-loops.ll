; alaska-translate: loop hoisting and pointer-induction phi webs.
; RUN: %opt -passes=alaska-translate -S %s | FileCheck %s

; Loop-invariant base: translated once before the loop (at function entry), the loop body
; indexes the translated base and contains no translation.
; CHECK-LABEL: define i64 @sum_array(
; CHECK: entry:
; CHECK-NEXT: %a.tr = call ptr @alaska.translate(ptr %a)
; CHECK: loop:
; CHECK-NOT: @alaska.translate
; CHECK: %e.tr = getelementptr inbounds i64, ptr %a.tr, i64 %i
; CHECK-NEXT: %v = load i64, ptr %e.tr
; CHECK: exit:
define i64 @sum_array(ptr %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %s = phi i64 [ 0, %entry ], [ %s1, %loop ]
  %e = getelementptr inbounds i64, ptr %a, i64 %i
  %v = load i64, ptr %e
  %s1 = add i64 %s, %v
  %i1 = add i64 %i, 1
  %c = icmp ult i64 %i1, %n
  br i1 %c, label %loop, label %exit
exit:
  ret i64 %s1
}

; A base loaded before a loop nest (invariant in both loops) is translated right after
; the load, outside both loops.
; CHECK-LABEL: define i64 @nest(
; CHECK: %base = load ptr, ptr %pp.tr
; CHECK-NEXT: %base.tr = call ptr @alaska.translate(ptr %base)
; CHECK-NEXT: br label %outer
; CHECK: outer:
; CHECK-NOT: @alaska.translate
; CHECK: ret i64
define i64 @nest(ptr %pp, i64 %n) {
entry:
  %base = load ptr, ptr %pp
  br label %outer
outer:
  %i = phi i64 [ 0, %entry ], [ %i1, %outer.latch ]
  br label %inner
inner:
  %j = phi i64 [ 0, %outer ], [ %j1, %inner ]
  %k = add i64 %i, %j
  %e = getelementptr i64, ptr %base, i64 %k
  store i64 %k, ptr %e
  %j1 = add i64 %j, 1
  %cj = icmp ult i64 %j1, %n
  br i1 %cj, label %inner, label %outer.latch
outer.latch:
  %i1 = add i64 %i, 1
  %ci = icmp ult i64 %i1, %n
  br i1 %ci, label %outer, label %exit
exit:
  ret i64 %n
}

; Pointer induction (while (*p) p++): the phi web is rebuilt on the translated start
; pointer; no translation inside the loop.
; CHECK-LABEL: define i64 @my_strlen(
; CHECK: entry:
; CHECK-NEXT: %s.tr = call ptr @alaska.translate(ptr %s)
; CHECK: loop:
; CHECK: %p.tr = phi ptr [ %s.tr, %entry ], [ %p1.tr, %loop ]
; CHECK-NOT: @alaska.translate
; CHECK: %c = load i8, ptr %p.tr
; CHECK: %p1.tr = getelementptr i8, ptr %p.tr, i64 1
define i64 @my_strlen(ptr %s) {
entry:
  br label %loop
loop:
  %p = phi ptr [ %s, %entry ], [ %p1, %loop ]
  %c = load i8, ptr %p
  %p1 = getelementptr i8, ptr %p, i64 1
  %z = icmp eq i8 %c, 0
  br i1 %z, label %exit, label %loop
exit:
  %pi = ptrtoint ptr %p to i64
  %si = ptrtoint ptr %s to i64
  %d = sub i64 %pi, %si
  ret i64 %d
}

; Linked-list walk: the phi's outside root (the loaded next pointer) is redefined inside
; the loop, so the web is NOT rebuilt: the phi is translated each iteration.
; CHECK-LABEL: define i32 @list_sum(
; CHECK: loop:
; CHECK-NEXT: %n = phi ptr [ %head, %entry ], [ %next, %loop ]
; CHECK: %n.tr = call ptr @alaska.translate(ptr %n)
; CHECK: %next = load ptr, ptr %n.tr
; CHECK-NOT: %next.tr = call
define i32 @list_sum(ptr %head) {
entry:
  br label %loop
loop:
  %n = phi ptr [ %head, %entry ], [ %next, %loop ]
  %s = phi i32 [ 0, %entry ], [ %s1, %loop ]
  %vp = getelementptr i8, ptr %n, i64 8
  %v = load i32, ptr %vp
  %s1 = add i32 %s, %v
  %next = load ptr, ptr %n
  %z = icmp eq ptr %next, null
  br i1 %z, label %exit, label %loop
exit:
  ret i32 %s1
}

; Web whose outside root is defined in the outer loop but outside the inner loop: rebuilt
; for the inner loop (row pointer translated once per row, not per element).
; CHECK-LABEL: define void @rows(
; CHECK: outer:
; CHECK: %row = load ptr, ptr %rp.tr
; CHECK-NEXT: %row.tr = call ptr @alaska.translate(ptr %row)
; CHECK: inner:
; CHECK: %q.tr = phi ptr [ %row.tr, %outer ], [ %q1.tr, %inner ]
; CHECK-NOT: @alaska.translate
; CHECK: store i8 0, ptr %q.tr
define void @rows(ptr %rows, i64 %n) {
entry:
  br label %outer
outer:
  %i = phi i64 [ 0, %entry ], [ %i1, %latch ]
  %rp = getelementptr ptr, ptr %rows, i64 %i
  %row = load ptr, ptr %rp
  br label %inner
inner:
  %q = phi ptr [ %row, %outer ], [ %q1, %inner ]
  store i8 0, ptr %q
  %q1 = getelementptr i8, ptr %q, i64 1
  %d = icmp eq ptr %q1, null
  br i1 %d, label %latch, label %inner
latch:
  %i1 = add i64 %i, 1
  %ci = icmp ult i64 %i1, %n
  br i1 %ci, label %outer, label %exit
exit:
  ret void
}
