; -alaska-uncompiled-lib=LIB.so: the functions LIB exports (read from its dynamic symbol
; table) are uncompiled in per-TU mode: their pointer arguments are escaped, and since the
; library may keep them, each object is pinned for life first. Other declarations are
; still assumed compiled; an unreadable library is an `alaska:` error.
; RUN: echo 'int ext_keep(char *p) { return *p; } int ext_data;' | clang -shared -fPIC -x c - -o %t.so
; RUN: %opt -passes=alaska-escape -alaska-uncompiled-lib=%t.so -S %s | FileCheck %s
; RUN: %opt -passes=alaska-escape -S %s | FileCheck %s --check-prefix=DEFAULT
; RUN: not %opt -passes=alaska-escape -alaska-uncompiled-lib=%t.missing.so -S %s 2>&1 | FileCheck %s --check-prefix=MISSING

declare i32 @ext_keep(ptr)
declare i32 @compiled_elsewhere(ptr)

; CHECK-LABEL: define i32 @f(
; CHECK: call void @alaska_pin_forever(ptr %p)
; CHECK-NEXT: %p.esc = call ptr @alaska.escape(ptr %p)
; CHECK-NEXT: %a = call i32 @ext_keep(ptr %p.esc)
; CHECK-NEXT: %b = call i32 @compiled_elsewhere(ptr %p)
; DEFAULT-LABEL: define i32 @f(
; DEFAULT-NOT: alaska_pin_forever
; DEFAULT: %a = call i32 @ext_keep(ptr %p)
; MISSING: alaska: cannot read -alaska-uncompiled-lib {{.*}}missing.so
define i32 @f(ptr %p) {
  %a = call i32 @ext_keep(ptr %p)
  %b = call i32 @compiled_elsewhere(ptr %p)
  %s = add i32 %a, %b
  ret i32 %s
}
