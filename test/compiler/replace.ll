; alaska-replace: allocation functions become the runtime's handle allocators.
; RUN: %opt -passes=alaska-replace -S %s | FileCheck %s
; RUN: %opt -passes=alaska-replace -S %s | FileCheck %s --check-prefix=GONE

; GONE-NOT: @malloc(
; GONE-NOT: @free(
; GONE-NOT: @_Znwm(
; GONE-NOT: @_ZdlPvm(
; GONE-NOT: @posix_memalign(

; Functions used as values: same type -> the runtime function, otherwise a thunk.
; CHECK: @table = global [2 x ptr] [ptr @halloc, ptr @alaska.thunk._ZdlPvm]
@table = global [2 x ptr] [ptr @malloc, ptr @_ZdlPvm]

declare ptr @malloc(i64)
declare ptr @calloc(i64, i64)
declare ptr @realloc(ptr, i64)
declare void @free(ptr)
declare ptr @strdup(ptr)
declare ptr @strndup(ptr, i64)
declare i32 @posix_memalign(ptr, i64, i64)
declare ptr @aligned_alloc(i64, i64)
declare ptr @memalign(i64, i64)
declare ptr @reallocarray(ptr, i64, i64)
declare i64 @malloc_usable_size(ptr)
declare ptr @_Znwm(i64)
declare ptr @_ZnamRKSt9nothrow_t(i64, ptr)
declare ptr @_ZnwmSt11align_val_t(i64, i64)
declare void @_ZdlPvm(ptr, i64)
declare void @_ZdaPvSt11align_val_t(ptr, i64)
declare i32 @__gxx_personality_v0(...)

; CHECK-LABEL: define ptr @all(
; CHECK: call ptr @halloc(i64 10)
; CHECK: call ptr @hcalloc(i64 2, i64 3)
; CHECK: call ptr @hrealloc(ptr %a, i64 20)
; CHECK: call ptr @alaska_strdup(ptr %s)
; CHECK: call ptr @alaska_strndup(ptr %s, i64 4)
; CHECK: call i32 @alaska_posix_memalign(ptr %out, i64 64, i64 100)
; CHECK: call ptr @alaska_aligned_alloc(i64 64, i64 128)
; CHECK: call ptr @alaska_memalign(i64 32, i64 8)
; CHECK: call ptr @alaska_reallocarray(ptr %b, i64 4, i64 5)
; CHECK: call i64 @alaska_usable_size(ptr %c)
; CHECK: call void @hfree(ptr %d)
define ptr @all(ptr %s, ptr %out) {
  %a = call ptr @malloc(i64 10)
  %b = call ptr @calloc(i64 2, i64 3)
  %c = call ptr @realloc(ptr %a, i64 20)
  %d = call ptr @strdup(ptr %s)
  %e = call ptr @strndup(ptr %s, i64 4)
  %f = call i32 @posix_memalign(ptr %out, i64 64, i64 100)
  %g = call ptr @aligned_alloc(i64 64, i64 128)
  %h = call ptr @memalign(i64 32, i64 8)
  %i = call ptr @reallocarray(ptr %b, i64 4, i64 5)
  %j = call i64 @malloc_usable_size(ptr %c)
  call void @free(ptr %d)
  ret ptr %e
}

; C++: all operator new/delete variants; sized and aligned delete drop their extra
; arguments; an invoke stays an invoke.
; CHECK-LABEL: define void @cxx(
; CHECK: invoke ptr @alaska_new(i64 16)
; CHECK-NEXT: to label %ok unwind label %lp
; CHECK: call ptr @alaska_new_nothrow(i64 8)
; CHECK: call ptr @alaska_new_aligned(i64 64, i64 32)
; CHECK: call void @hfree(ptr %p)
; CHECK: call void @hfree(ptr %q)
define void @cxx() personality ptr @__gxx_personality_v0 {
  %p = invoke ptr @_Znwm(i64 16) to label %ok unwind label %lp
ok:
  %q = call ptr @_ZnamRKSt9nothrow_t(i64 8, ptr null)
  %r = call ptr @_ZnwmSt11align_val_t(i64 64, i64 32)
  call void @_ZdlPvm(ptr %p, i64 16)
  call void @_ZdaPvSt11align_val_t(ptr %q, i64 32)
  ret void
lp:
  %l = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %l
}

; CHECK-LABEL: define internal void @alaska.thunk._ZdlPvm(ptr %0, i64 %1)
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @hfree(ptr %0)
