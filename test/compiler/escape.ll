; alaska-escape: calls into uncompiled code get raw addresses; the libc table applies.
; RUN: %opt -passes=alaska-escape -S %s | FileCheck %s
; RUN: %opt -passes=alaska-escape -S %s | FileCheck %s --check-prefix=MAGIC
; RUN: %opt -passes=alaska-escape,alaska-translate -S %s | FileCheck %s --check-prefix=XL

declare i64 @strlen(ptr)
declare ptr @strchr(ptr, i32)
declare i64 @strtol(ptr, ptr, i32)
declare i32 @setvbuf(ptr, ptr, i32, i64)
declare i64 @getline(ptr, ptr, ptr)
declare i32 @printf(ptr, ...)
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare ptr @bsearch(ptr, ptr, i64, i64, ptr)
declare void @compiled_fn(ptr)
declare i32 @__gxx_personality_v0(...)

; Plain uncompiled call: the argument is escaped (translated later), a compiled callee
; gets the handle.
; CHECK-LABEL: define i64 @direct(
; CHECK: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %n = call i64 @strlen(ptr %p.esc)
; CHECK-NEXT: call void @compiled_fn(ptr %p)
; XL-LABEL: define i64 @direct(
; XL: %p.tr = call ptr @alaska.translate(ptr %p)
; XL: call i64 @strlen(ptr %p.tr)
; XL-NOT: call ptr @alaska.escape
define i64 @direct(ptr %p) {
  %n = call i64 @strlen(ptr %p)
  call void @compiled_fn(ptr %p)
  ret i64 %n
}

; strchr's result points into its argument: re-handled (NULL and out-of-object results
; are left alone by the select).
; CHECK-LABEL: define ptr @result_from_arg(
; CHECK: %s.esc = call ptr @alaska.escape(ptr %s)
; CHECK-NEXT: %r = call ptr @strchr(ptr %s.esc, i32 47)
; CHECK-DAG: [[TI:%.*]] = ptrtoint ptr %s.esc to i64
; CHECK-DAG: [[RI:%.*]] = ptrtoint ptr %r to i64
; CHECK-NEXT: %alaska.delta = sub i64 [[RI]], [[TI]]
; CHECK-NEXT: [[HI:%.*]] = ptrtoint ptr %s to i64
; CHECK-NEXT: [[ISH:%.*]] = icmp slt i64 [[HI]], 0
; CHECK-NEXT: [[SUM:%.*]] = add i64 [[HI]], %alaska.delta
; CHECK-NEXT: [[X:%.*]] = xor i64 [[SUM]], [[HI]]
; CHECK-NEXT: [[HIGH:%.*]] = lshr i64 [[X]], 32
; CHECK-NEXT: [[IN:%.*]] = icmp eq i64 [[HIGH]], 0
; CHECK-NEXT: [[OK:%.*]] = and i1 [[ISH]], [[IN]]
; CHECK-NEXT: %alaska.rehandled = getelementptr i8, ptr %s, i64 %alaska.delta
; CHECK-NEXT: [[SEL:%.*]] = select i1 [[OK]], ptr %alaska.rehandled, ptr %r
; CHECK-NEXT: ret ptr [[SEL]]
define ptr @result_from_arg(ptr %s) {
  %r = call ptr @strchr(ptr %s, i32 47)
  ret ptr %r
}

; strtol's end pointer is written through its second argument: re-handled after the
; call (here the out pointer is an alloca: no NULL check needed).
; CHECK-LABEL: define i64 @outptr(
; CHECK: %v = call i64 @strtol(ptr %s.esc, ptr %end, i32 10)
; CHECK-NEXT: %alaska.endptr = load ptr, ptr %end
; CHECK: getelementptr i8, ptr %s, i64 %alaska.delta
; CHECK: store ptr %{{.*}}, ptr %end
define i64 @outptr(ptr %s) {
  %end = alloca ptr
  %v = call i64 @strtol(ptr %s, ptr %end, i32 10)
  ret i64 %v
}

; setvbuf keeps the buffer after returning: pinned forever, then passed raw.
; CHECK-LABEL: define i32 @retained(
; CHECK: call void @alaska_pin_forever(ptr %buf)
; CHECK-NEXT: %buf.esc = call ptr @alaska.escape(ptr %buf)
; CHECK-NEXT: call i32 @setvbuf(ptr %f.esc, ptr %buf.esc, i32 0, i64 4096)
define i32 @retained(ptr %f, ptr %buf) {
  %r = call i32 @setvbuf(ptr %f, ptr %buf, i32 0, i64 4096)
  ret i32 %r
}

; getline reallocates program memory through a pointer to a pointer: runtime wrapper,
; called with the handles unchanged.
; CHECK-LABEL: define i64 @wrapped(
; CHECK-NEXT: %n = call i64 @alaska_getline(ptr %lp, ptr %np, ptr %f)
; CHECK-NOT: @alaska.escape
define i64 @wrapped(ptr %lp, ptr %np, ptr %f) {
  %n = call i64 @getline(ptr %lp, ptr %np, ptr %f)
  ret i64 %n
}

; Opaque cookies (pthread_create's argument, bsearch's key) are handed back to compiled
; code: passed as handles. bsearch's result points into its base (argument 1).
; CHECK-LABEL: define ptr @opaque(
; CHECK: call i32 @pthread_create(ptr %t.esc, ptr null, ptr @compiled_fn, ptr %arg)
; CHECK: %r = call ptr @bsearch(ptr %arg, ptr %base.esc, i64 4, i64 8, ptr @compiled_fn)
; CHECK: getelementptr i8, ptr %base, i64 %alaska.delta
define ptr @opaque(ptr %t, ptr %arg, ptr %base) {
  %c = call i32 @pthread_create(ptr %t, ptr null, ptr @compiled_fn, ptr %arg)
  %r = call ptr @bsearch(ptr %arg, ptr %base, i64 4, i64 8, ptr @compiled_fn)
  ret ptr %r
}

; Variadic arguments are escaped like fixed ones; raw pointers (globals) need nothing.
; CHECK-LABEL: define void @varargs(
; CHECK: %s.esc = call ptr @alaska.escape(ptr %s)
; CHECK-NEXT: call i32 (ptr, ...) @printf(ptr @fmt, ptr %s.esc, i32 3)
@fmt = constant [6 x i8] c"%s %d\00"
define void @varargs(ptr %s) {
  call i32 (ptr, ...) @printf(ptr @fmt, ptr %s, i32 3)
  ret void
}

; Inline asm is uncompiled code: its pointer operands are translated.
; CHECK-LABEL: define void @asm_mem(
; CHECK: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %p.esc1 = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: call void asm sideeffect "incl $0", "=*m,*m"(ptr elementtype(i32) %p.esc, ptr elementtype(i32) %p.esc1)
define void @asm_mem(ptr %p) {
  call void asm sideeffect "incl $0", "=*m,*m"(ptr elementtype(i32) %p, ptr elementtype(i32) %p)
  ret void
}

; Indirect call: compare the word before the target with the function magic. Compiled
; target -> the original call with handles; otherwise a copy with escaped arguments.
; CHECK-LABEL: define i32 @indirect(
; CHECK: %alaska.magic.addr = getelementptr i8, ptr %fp, i64 -8
; CHECK-NEXT: %alaska.magic = load i64, ptr %alaska.magic.addr, align 1, !alaska.noxlate
; CHECK-NEXT: %alaska.compiled = icmp eq i64 %alaska.magic, -6798805896439422555
; CHECK-NEXT: br i1 %alaska.compiled, label %[[THEN:.*]], label %[[ELSE:.*]]
; CHECK: [[THEN]]:
; CHECK-NEXT: %r = call i32 %fp(ptr %p, i64 1)
; CHECK: [[ELSE]]:
; CHECK-NEXT: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %[[R2:.*]] = call i32 %fp(ptr %p.esc, i64 1)
; CHECK: %r.merged = phi i32 [ %r, %[[THEN]] ], [ %[[R2]], %[[ELSE]] ]
; CHECK-NEXT: ret i32 %r.merged
define i32 @indirect(ptr %fp, ptr %p) {
  %r = call i32 %fp(ptr %p, i64 1)
  ret i32 %r
}

; Indirect call without pointer arguments: untouched.
; CHECK-LABEL: define i32 @indirect_noptr(
; CHECK-NOT: alaska.magic
; CHECK: ret i32
define i32 @indirect_noptr(ptr %fp) {
  %r = call i32 %fp(i64 1)
  ret i32 %r
}

; Indirect invoke: both versions invoke with the original unwind destination; results
; merge before the normal destination.
; CHECK-LABEL: define i32 @indirect_invoke(
; CHECK: br i1 %alaska.compiled, label %alaska.icall.compiled, label %alaska.icall.uncompiled
; CHECK: alaska.icall.compiled:
; CHECK-NEXT: %r = invoke i32 %fp(ptr %p)
; CHECK-NEXT: to label %alaska.icall.merge unwind label %lp
; CHECK: alaska.icall.uncompiled:
; CHECK-NEXT: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %[[R2:.*]] = invoke i32 %fp(ptr %p.esc)
; CHECK-NEXT: to label %alaska.icall.merge unwind label %lp
; CHECK: alaska.icall.merge:
; CHECK-NEXT: %r.merged = phi i32 [ %r, %alaska.icall.compiled ], [ %[[R2]], %alaska.icall.uncompiled ]
; CHECK-NEXT: br label %ok
; CHECK: ok:
; CHECK-NEXT: ret i32 %r.merged
; CHECK: lp:
; CHECK-NEXT: %x = phi i32 [ 1, %alaska.icall.compiled ], [ 1, %alaska.icall.uncompiled ]
define i32 @indirect_invoke(ptr %fp, ptr %p) personality ptr @__gxx_personality_v0 {
entry:
  %r = invoke i32 %fp(ptr %p) to label %ok unwind label %lp
ok:
  ret i32 %r
lp:
  %x = phi i32 [ 1, %entry ]
  %l = landingpad { ptr, i32 } cleanup
  ret i32 %x
}

; Direct invoke of an uncompiled function: escaped like a call.
; CHECK-LABEL: define i64 @direct_invoke(
; CHECK: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %n = invoke i64 @strlen(ptr %p.esc)
define i64 @direct_invoke(ptr %p) personality ptr @__gxx_personality_v0 {
  %n = invoke i64 @strlen(ptr %p) to label %ok unwind label %lp
ok:
  ret i64 %n
lp:
  %l = landingpad { ptr, i32 } cleanup
  ret i64 0
}

; Every defined function gets the magic as prefix data.
; MAGIC: define i64 @direct(ptr %p) prefix [2 x i64] [i64 -6798805896439422555, i64 -6798805896439422555]

; pthread_getspecific hands back the handle given to pthread_setspecific (Opaque): its
; result may be a handle and is translated; other library results (getenv) are raw.
; XL-LABEL: define i32 @opaque_back(
; XL: %v = call ptr @pthread_getspecific(i32 %k)
; XL-NEXT: %v.tr = call ptr @alaska.translate(ptr %v)
; XL: load i32, ptr %v.tr
; XL: %e = call ptr @getenv(
; XL-NOT: %e.tr
; XL: ret i32
declare ptr @pthread_getspecific(i32)
declare ptr @getenv(ptr)
define i32 @opaque_back(i32 %k) {
  %v = call ptr @pthread_getspecific(i32 %k)
  %x = load i32, ptr %v
  %e = call ptr @getenv(ptr @fmt)
  %y = load i8, ptr %e
  ret i32 %x
}

; A call handing a translated pointer to uncompiled code loses `tail`: the caller's frame
; and its pin slots must outlive the call. A call that needs no translation keeps it.
; XL-LABEL: define i64 @tail_escape(
; XL: %n = call i64 @strlen(ptr %p.tr)
; XL: %m = tail call i64 @strlen(ptr @fmt)
define i64 @tail_escape(ptr %p) {
  %n = tail call i64 @strlen(ptr %p)
  %m = tail call i64 @strlen(ptr @fmt)
  %s = add i64 %n, %m
  ret i64 %s
}
