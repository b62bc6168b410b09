; alaska-translate: module-wide raw-pointer proofs (RawFacts.cpp, docs/design.md §5.4) —
; arguments whose every caller passes raw pointers, loads from memory that only ever holds
; raw pointers, results of functions that only return raw pointers. One section per rule,
; each with the cases that must stay translated.
; RUN: rm -f %t.stats
; RUN: env ALASKA_PASS_STATS=%t.stats %opt -passes=alaska-translate -S %s | FileCheck %s
; RUN: FileCheck --check-prefix=STATS %s < %t.stats
; RUN: %opt -passes=alaska-translate -alaska-raw-proofs=0 -S %s | FileCheck --check-prefix=OFF %s
; RUN: %opt -passes=alaska-translate -alaska-raw-args=0 -S %s | FileCheck --check-prefix=NOARGS %s
; RUN: %opt -passes=alaska-translate -alaska-raw-loads=0 -S %s | FileCheck --check-prefix=NOLOADS %s
; RUN: %opt -passes=alaska-translate -alaska-raw-returns=0 -S %s | FileCheck --check-prefix=NORETS %s
; Measurement builds (bench/run-xlatecount.sh): a counter call before every translation.
; RUN: %opt -passes=alaska-translate -alaska-count-translations -S %s | FileCheck --check-prefix=COUNT %s

; STATS: alaska-pass-stats: module={{.*}} sites={{[0-9]+}} translated={{[0-9]+}} translations={{[0-9]+}} raw_base={{[0-9]+}} raw_new={{[1-9][0-9]*}} raw_arg={{[1-9][0-9]*}} raw_load={{[1-9][0-9]*}} raw_ret={{[1-9][0-9]*}}

declare ptr @compiled_get()
declare void @compiled_use(ptr)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

@pool = internal global [4096 x i8] zeroinitializer
@used = internal global i64 0

; ---- rule 1: arguments ----------------------------------------------------------------------

; Every caller passes a global or an alloca: no translation.
; CHECK-LABEL: define internal i8 @arg_raw(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
; OFF-LABEL: define internal i8 @arg_raw(
; OFF: @alaska.translate(ptr %p)
; NOARGS-LABEL: define internal i8 @arg_raw(
; NOARGS: @alaska.translate(ptr %p)
define internal i8 @arg_raw(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}

; Recursion: the recursive call passes p + 1, the outside caller a global (greatest fixpoint).
; CHECK-LABEL: define internal i8 @arg_rec(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define internal i8 @arg_rec(ptr %p, i32 %n) {
  %v = load i8, ptr %p
  %z = icmp eq i32 %n, 0
  br i1 %z, label %done, label %more
more:
  %q = getelementptr i8, ptr %p, i64 1
  %m = sub i32 %n, 1
  %w = call i8 @arg_rec(ptr %q, i32 %m)
  br label %done
done:
  ret i8 %v
}

; One caller passes a pointer it got from compiled code: translated.
; CHECK-LABEL: define internal i8 @arg_mixed(
; CHECK: @alaska.translate(ptr %p)
; COUNT-LABEL: define internal i8 @arg_mixed(
; COUNT-NEXT: call void @alaska_bench_count_translation(ptr %p)
; COUNT-NEXT: %p.tr = call ptr @alaska.translate(ptr %p)
define internal i8 @arg_mixed(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}

; Address taken (may be called indirectly, with handles): translated.
; CHECK-LABEL: define internal i8 @arg_address_taken(
; CHECK: @alaska.translate(ptr %p)
@fnptr = global ptr @arg_address_taken
define internal i8 @arg_address_taken(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}

; Not internal (callers in other translation units): translated.
; CHECK-LABEL: define i8 @arg_external(
; CHECK: @alaska.translate(ptr %p)
define i8 @arg_external(ptr %p) {
  %v = load i8, ptr %p
  ret i8 %v
}

define i8 @arg_callers(ptr %h) {
  %a = alloca [8 x i8]
  %x = call i8 @arg_raw(ptr %a)
  %y = call i8 @arg_raw(ptr @pool)
  %r = call i8 @arg_rec(ptr @pool, i32 3)
  %m1 = call i8 @arg_mixed(ptr @pool)
  %m2 = call i8 @arg_mixed(ptr %h)
  %t = call i8 @arg_address_taken(ptr @pool)
  %e = call i8 @arg_external(ptr @pool)
  ret i8 %x
}

; ---- rule 3: results of functions that only return raw pointers ------------------------------

; A bump allocator over a static array (the QR encoder's): its result is raw.
define internal ptr @pool_alloc(i64 %n) {
  %u = load i64, ptr @used
  %p = getelementptr i8, ptr @pool, i64 %u
  %u2 = add i64 %u, %n
  store i64 %u2, ptr @used
  ret ptr %p
}

; CHECK-LABEL: define i8 @ret_raw(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
; NORETS-LABEL: define i8 @ret_raw(
; NORETS: @alaska.translate(ptr %p)
define i8 @ret_raw() {
  %p = call ptr @pool_alloc(i64 16)
  %v = load i8, ptr %p
  ret i8 %v
}

; A function that may return a compiled function's pointer: its result is translated.
define internal ptr @pool_or_heap(i1 %c) {
  br i1 %c, label %heap, label %pool
heap:
  %h = call ptr @compiled_get()
  ret ptr %h
pool:
  ret ptr @pool
}
; CHECK-LABEL: define i8 @ret_mixed(
; CHECK: @alaska.translate(ptr %p)
define i8 @ret_mixed(i1 %c) {
  %p = call ptr @pool_or_heap(i1 %c)
  %v = load i8, ptr %p
  ret i8 %v
}

; A definition another module may preempt (not dso_local) or replace (linkonce): translated.
define ptr @preemptible() {
  ret ptr @pool
}
define linkonce_odr ptr @replaceable() {
  ret ptr @pool
}
define dso_local ptr @local_def() {
  ret ptr @pool
}
; CHECK-LABEL: define i8 @ret_linkage(
; CHECK: @alaska.translate(ptr %p1)
; CHECK: @alaska.translate(ptr %p2)
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define i8 @ret_linkage() {
  %p1 = call ptr @preemptible()
  %v1 = load i8, ptr %p1
  %p2 = call ptr @replaceable()
  %v2 = load i8, ptr %p2
  %p3 = call ptr @local_def()
  %v3 = load i8, ptr %p3
  ret i8 %v1
}

; ---- rule 2: loads from memory that only ever holds raw pointers -----------------------------

; A static global set only from the static allocator, reloaded after a byte store (which may
; alias it): no translation of the reloads.
@qrframe = internal global ptr null
define void @qr_init() {
  %p = call ptr @pool_alloc(i64 256)
  store ptr %p, ptr @qrframe
  ret void
}
; CHECK-LABEL: define void @qr_loop(
; CHECK-NOT: @alaska.translate
; CHECK: ret void
; OFF-LABEL: define void @qr_loop(
; OFF: @alaska.translate
; NOLOADS-LABEL: define void @qr_loop(
; NOLOADS: @alaska.translate
define void @qr_loop(i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]
  %f = load ptr, ptr @qrframe
  %a = getelementptr i8, ptr %f, i64 %i
  %b = load i8, ptr %a
  %b1 = xor i8 %b, 1
  store i8 %b1, ptr %a
  %i1 = add i64 %i, 1
  %c = icmp ult i64 %i1, %n
  br i1 %c, label %loop, label %done
done:
  ret void
}

; Stored a pointer from compiled code: translated.
@maybe_handle = internal global ptr @pool
define void @set_maybe(ptr %h) {
  store ptr %h, ptr @maybe_handle
  ret void
}
; CHECK-LABEL: define i8 @load_maybe(
; CHECK: @alaska.translate
define i8 @load_maybe() {
  %p = load ptr, ptr @maybe_handle
  %v = load i8, ptr %p
  ret i8 %v
}

; Address escapes (a callee may store anything there): translated.
@escaped = internal global ptr @pool
define void @escape_it() {
  call void @compiled_use(ptr @escaped)
  ret void
}
; CHECK-LABEL: define i8 @load_escaped(
; CHECK: @alaska.translate
define i8 @load_escaped() {
  %p = load ptr, ptr @escaped
  %v = load i8, ptr %p
  ret i8 %v
}

; Type punning: an integer (maybe a handle's bits) stored over the pointer: translated.
@punned = internal global ptr @pool
define void @pun(i64 %bits) {
  store i64 %bits, ptr @punned
  ret void
}
; CHECK-LABEL: define i8 @load_punned(
; CHECK: @alaska.translate
define i8 @load_punned() {
  %p = load ptr, ptr @punned
  %v = load i8, ptr %p
  ret i8 %v
}

; A struct whose integer field is written at run time, its pointer field only with raw
; pointers: the pointer field is raw (byte ranges do not overlap).
@state = internal global { i32, ptr } { i32 0, ptr @pool }
define void @bump_count(i32 %n) {
  store i32 %n, ptr @state
  ret void
}
; CHECK-LABEL: define i8 @load_field(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define i8 @load_field() {
  %fp = getelementptr { i32, ptr }, ptr @state, i64 0, i32 1
  %p = load ptr, ptr %fp
  %v = load i8, ptr %p
  ret i8 %v
}

; memcpy'd into from memory that may hold handles: translated.
@copied = internal global ptr @pool
define void @copy_in(ptr %src) {
  call void @llvm.memcpy.p0.p0.i64(ptr @copied, ptr %src, i64 8, i1 false)
  ret void
}
; CHECK-LABEL: define i8 @load_copied(
; CHECK: @alaska.translate
define i8 @load_copied() {
  %p = load ptr, ptr @copied
  %v = load i8, ptr %p
  ret i8 %v
}

; Not internal (other modules, or uncompiled code, may store a handle): translated.
@exported = global ptr @pool
; CHECK-LABEL: define i8 @load_exported(
; CHECK: @alaska.translate
define i8 @load_exported() {
  %p = load ptr, ptr @exported
  %v = load i8, ptr %p
  ret i8 %v
}

; A constant table of pointers (never written): raw, whatever its linkage.
@names = constant [2 x ptr] [ptr @pool, ptr @used]
; CHECK-LABEL: define i8 @load_const(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define i8 @load_const(i64 %i) {
  %e = getelementptr [2 x ptr], ptr @names, i64 0, i64 %i
  %p = load ptr, ptr %e
  %v = load i8, ptr %p
  ret i8 %v
}

; A local array of pointers (not promoted to registers: dynamic index) filled with raw
; pointers, its address never escaping: raw. The same array given to a callee: translated.
; CHECK-LABEL: define i8 @load_alloca(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define i8 @load_alloca(i64 %i) {
  %arr = alloca [4 x ptr]
  store ptr @pool, ptr %arr
  %e = getelementptr [4 x ptr], ptr %arr, i64 0, i64 %i
  %p = load ptr, ptr %e
  %v = load i8, ptr %p
  ret i8 %v
}
; CHECK-LABEL: define i8 @load_alloca_escaped(
; CHECK: @alaska.translate
define i8 @load_alloca_escaped(i64 %i) {
  %arr = alloca [4 x ptr]
  store ptr @pool, ptr %arr
  call void @compiled_use(ptr %arr)
  %e = getelementptr [4 x ptr], ptr %arr, i64 0, i64 %i
  %p = load ptr, ptr %e
  %v = load i8, ptr %p
  ret i8 %v
}

; memcpy from raw-only memory that also receives integers (here a handle's bits in the
; integer field): the integer bytes may land on the pointer: translated.
@mixed = internal global { i64, ptr } { i64 0, ptr @pool }
@from_mixed = internal global ptr @pool
define void @launder(ptr %h) {
  %bits = ptrtoint ptr %h to i64
  store i64 %bits, ptr @mixed
  call void @llvm.memcpy.p0.p0.i64(ptr @from_mixed, ptr @mixed, i64 8, i1 false)
  ret void
}
; CHECK-LABEL: define i8 @load_laundered(
; CHECK: @alaska.translate
define i8 @load_laundered() {
  %p = load ptr, ptr @from_mixed
  %v = load i8, ptr %p
  ret i8 %v
}
; A copy from a constant table is fine.
@from_const = internal global ptr null
define void @copy_const() {
  call void @llvm.memcpy.p0.p0.i64(ptr @from_const, ptr @names, i64 8, i1 false)
  ret void
}
; CHECK-LABEL: define i8 @load_from_const(
; CHECK-NOT: @alaska.translate
; CHECK: ret i8
define i8 @load_from_const() {
  %p = load ptr, ptr @from_const
  %v = load i8, ptr %p
  ret i8 %v
}
