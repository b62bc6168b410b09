; A program that defines its own malloc keeps it: only declarations are replaced.
; RUN: %opt -passes=alaska-replace -S %s | FileCheck %s

; CHECK-LABEL: define ptr @malloc(i64 %n)
define ptr @malloc(i64 %n) {
  ret ptr null
}

; CHECK-LABEL: define ptr @user(
; CHECK: call ptr @malloc(i64 4)
; CHECK-NOT: halloc
define ptr @user() {
  %p = call ptr @malloc(i64 4)
  ret ptr %p
}
