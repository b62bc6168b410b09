; alaska-translate: which addresses are translated, and where the translation goes.
; RUN: %opt -passes=alaska-translate -S %s | FileCheck %s

declare ptr @compiled_get()
declare ptr @getenv(ptr)

; Provably raw addresses (alloca, global, result of uncompiled code) are not translated.
; CHECK-LABEL: define i32 @raw(
; CHECK-NOT: @alaska.translate
; CHECK: ret i32
@g = global i32 0
define i32 @raw() {
  %a = alloca i32
  store i32 1, ptr %a
  %x = load i32, ptr @g
  %e = call ptr @getenv(ptr null)
  %c = load i8, ptr %e
  %i = inttoptr i64 4096 to ptr
  %y = load i32, ptr %i
  ret i32 %x
}

; An argument is translated once at function entry; every access reuses it, GEP chains
; are rebuilt on the translation.
; CHECK-LABEL: define i32 @arg(
; CHECK-NEXT: %p.tr = call ptr @alaska.translate(ptr %p)
; CHECK-NEXT: %f = getelementptr i8, ptr %p, i64 8
; CHECK-NEXT: %f.tr = getelementptr i8, ptr %p.tr, i64 8
; CHECK-NEXT: %a = load i32, ptr %f.tr
; CHECK-NEXT: store i32 %a, ptr %p.tr
; CHECK-NOT: @alaska.translate
; CHECK: ret
define i32 @arg(ptr %p) {
  %f = getelementptr i8, ptr %p, i64 8
  %a = load i32, ptr %f
  store i32 %a, ptr %p
  ret i32 %a
}

; A pointer loaded from memory, or returned by a compiled function, is translated right
; after its definition.
; CHECK-LABEL: define i32 @loaded(
; CHECK: %q = load ptr, ptr %p.tr
; CHECK-NEXT: %q.tr = call ptr @alaska.translate(ptr %q)
; CHECK: %r = call ptr @compiled_get()
; CHECK-NEXT: %r.tr = call ptr @alaska.translate(ptr %r)
; CHECK: load i32, ptr %q.tr
; CHECK: load i32, ptr %r.tr
define i32 @loaded(ptr %p) {
  %q = load ptr, ptr %p
  %r = call ptr @compiled_get()
  %a = load i32, ptr %q
  %b = load i32, ptr %r
  %s = add i32 %a, %b
  ret i32 %s
}

; Atomics: the address operand is translated, the stored/compared handles are not.
; CHECK-LABEL: define void @atomics(
; CHECK-DAG: %p.tr = call ptr @alaska.translate(ptr %p)
; CHECK-DAG: %h.tr = call ptr @alaska.translate(ptr %h)
; CHECK: atomicrmw add ptr %p.tr, i64 1 seq_cst
; CHECK: cmpxchg ptr %p.tr, i64 0, i64 ptrtoint (ptr @g to i64) seq_cst seq_cst
; CHECK: cmpxchg ptr %h.tr, ptr %p, ptr null acq_rel monotonic
; CHECK: store atomic ptr %p, ptr %h.tr release
define void @atomics(ptr %p, ptr %h) {
  %old = atomicrmw add ptr %p, i64 1 seq_cst
  %x = cmpxchg ptr %p, i64 0, i64 ptrtoint (ptr @g to i64) seq_cst seq_cst
  %y = cmpxchg ptr %h, ptr %p, ptr null acq_rel monotonic
  store atomic ptr %p, ptr %h release, align 8
  ret void
}

; Memory intrinsics: both pointers; the call may not become a sibling call any more.
; CHECK-LABEL: define void @memops(
; CHECK: call void @llvm.memcpy.p0.p0.i64(ptr %d.tr, ptr %s.tr, i64 %n, i1 false)
; CHECK: call void @llvm.memmove.p0.p0.i64(ptr %d.tr, ptr %s.tr, i64 %n, i1 false)
; CHECK: call void @llvm.memset.p0.i64(ptr %d.tr, i8 0, i64 %n, i1 false)
; CHECK: call void @llvm.memcpy.inline.p0.p0.i64(ptr %d.tr, ptr %s.tr, i64 8, i1 false)
; CHECK-NOT: tail call
define void @memops(ptr %d, ptr %s, i64 %n) {
  call void @llvm.memcpy.p0.p0.i64(ptr %d, ptr %s, i64 %n, i1 false)
  call void @llvm.memmove.p0.p0.i64(ptr %d, ptr %s, i64 %n, i1 false)
  call void @llvm.memset.p0.i64(ptr %d, i8 0, i64 %n, i1 false)
  tail call void @llvm.memcpy.inline.p0.p0.i64(ptr %d, ptr %s, i64 8, i1 false)
  ret void
}

; Lifetime markers and pointer arithmetic intrinsics do not access memory.
; CHECK-LABEL: define ptr @nonaccess(
; CHECK-NOT: @alaska.translate
; CHECK: ret ptr
define ptr @nonaccess(ptr %p) {
  %m = call ptr @llvm.ptrmask.p0.i64(ptr %p, i64 -16)
  ret ptr %m
}

; byval copies the pointee at the call site: always translated, even to compiled code.
; CHECK-LABEL: define void @byval(
; CHECK: %p.tr = call ptr @alaska.translate(ptr %p)
; CHECK: call void @takes_struct(ptr byval([16 x i8]) %p.tr)
%struct.s = type { [16 x i8] }
declare void @takes_struct(ptr byval([16 x i8]))
define void @byval(ptr %p) {
  call void @takes_struct(ptr byval([16 x i8]) %p)
  ret void
}

; select and phi of handles are roots: translated once right after them.
; CHECK-LABEL: define i32 @select_phi(
; CHECK: %s = select i1 %c, ptr %a, ptr %b
; CHECK-NEXT: %s.tr = call ptr @alaska.translate(ptr %s)
; CHECK: %m = phi ptr [ %a, %l ], [ %b, %r ]
; CHECK-NEXT: %m.tr = call ptr @alaska.translate(ptr %m)
; CHECK: load i32, ptr %s.tr
; CHECK: load i32, ptr %m.tr
define i32 @select_phi(i1 %c, ptr %a, ptr %b) {
  %s = select i1 %c, ptr %a, ptr %b
  br i1 %c, label %l, label %r
l:
  br label %j
r:
  br label %j
j:
  %m = phi ptr [ %a, %l ], [ %b, %r ]
  %x = load i32, ptr %s
  %y = load i32, ptr %m
  %z = add i32 %x, %y
  ret i32 %z
}

; A select/phi of raw pointers only needs no translation.
; CHECK-LABEL: define i32 @select_raw(
; CHECK-NOT: @alaska.translate
; CHECK: ret i32
define i32 @select_raw(i1 %c) {
  %a = alloca i32
  %s = select i1 %c, ptr %a, ptr @g
  %x = load i32, ptr %s
  ret i32 %x
}

; Pointer <-> integer round trips: the inttoptr result may be a handle.
; CHECK-LABEL: define i64 @int_roundtrip(
; CHECK: %q = inttoptr i64 %k to ptr
; CHECK-NEXT: %q.tr = call ptr @alaska.translate(ptr %q)
; CHECK: load i64, ptr %q.tr
define i64 @int_roundtrip(ptr %p) {
  %i = ptrtoint ptr %p to i64
  %k = add i64 %i, 8
  %q = inttoptr i64 %k to ptr
  %v = load i64, ptr %q
  ret i64 %v
}

; switch default edges: a translation in the entry dominates accesses on every edge,
; including the default destination.
; CHECK-LABEL: define i32 @switch_default(
; CHECK: %p.tr = call ptr @alaska.translate(ptr %p)
; CHECK: sw.default:
; CHECK-NEXT: %d = load i32, ptr %p.tr
; CHECK: one:
; CHECK-NEXT: %o = load i32, ptr %p.tr
define i32 @switch_default(ptr %p, i32 %k) {
  switch i32 %k, label %sw.default [ i32 1, label %one ]
sw.default:
  %d = load i32, ptr %p
  ret i32 %d
one:
  %o = load i32, ptr %p
  ret i32 %o
}

; invoke result: translated at the start of its normal successor.
; CHECK-LABEL: define i32 @invoke_result(
; CHECK: %r = invoke ptr @compiled_get()
; CHECK: ok:
; CHECK-NEXT: %r.tr = call ptr @alaska.translate(ptr %r)
; CHECK-NEXT: %v = load i32, ptr %r.tr
declare i32 @__gxx_personality_v0(...)
define i32 @invoke_result() personality ptr @__gxx_personality_v0 {
  %r = invoke ptr @compiled_get() to label %ok unwind label %lp
ok:
  %v = load i32, ptr %r
  ret i32 %v
lp:
  %l = landingpad { ptr, i32 } cleanup
  ret i32 0
}

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memcpy.inline.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
declare ptr @llvm.ptrmask.p0.i64(ptr, i64)
