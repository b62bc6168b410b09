; alaska-pin: one pin slot per translation site, in one entry-block alloca.
; RUN: %opt -passes=alaska-translate,alaska-pin -S %s | FileCheck %s
; RUN: %opt -passes=alaska-translate,alaska-pin -alaska-pins=0 -S %s | FileCheck %s --check-prefix=OFF

; CHECK-LABEL: define i32 @two_roots(
; CHECK-NEXT: %alaska.pins = alloca [2 x i64], align 8
; CHECK: %alaska.pin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 0
; CHECK-NEXT: %p.tr = call ptr @alaska.translate.pin(ptr %p, ptr %alaska.pin)
; CHECK: %alaska.pin1 = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: %q.tr = call ptr @alaska.translate.pin(ptr %q, ptr %alaska.pin1)
; CHECK-NOT: call ptr @alaska.translate(
; OFF-LABEL: define i32 @two_roots(
; OFF-NOT: alaska.pins
; OFF: %p.tr = call ptr @alaska.translate(ptr %p)
; OFF-NOT: alaska.translate.pin
define i32 @two_roots(ptr %p) {
  %q = load ptr, ptr %p
  %v = load i32, ptr %q
  ret i32 %v
}

; No translation, no slots.
; CHECK-LABEL: define i32 @no_roots(
; CHECK-NOT: alaska.pins
; CHECK: ret i32
define i32 @no_roots() {
  %a = alloca i32
  %v = load i32, ptr %a
  ret i32 %v
}
