; Old-style C declarations (`char *malloc();` -> varargs, `int` arguments) are replaced
; through the runtime's real signature, converting arguments and results.
; RUN: %opt -passes=alaska-replace -S %s | FileCheck %s

declare ptr @malloc(...)
declare i32 @free(...)

; CHECK-LABEL: define i32 @f(i32 %n)
; CHECK-NEXT: [[N:%.*]] = zext i32 %n to i64
; CHECK-NEXT: %p = call ptr @halloc(i64 [[N]])
; CHECK-NEXT: call void @hfree(ptr %p)
; CHECK-NEXT: ret i32 0
define i32 @f(i32 %n) {
  %p = call ptr (i32, ...) @malloc(i32 %n)
  %r = call i32 (ptr, ...) @free(ptr %p)
  ret i32 0
}
