; Unsupported IR is an error with an `alaska:` message and a non-zero exit, never a
; silently untransformed module.
; RUN: split-file %s %t
; RUN: not %opt -passes=alaska -disable-output %t/callbr.ll 2>&1 | FileCheck %s --check-prefix=CALLBR
; RUN: not %opt -passes=alaska -disable-output %t/musttail.ll 2>&1 | FileCheck %s --check-prefix=MUSTTAIL
; RUN: not %opt -passes=alaska -disable-output %t/prefix.ll 2>&1 | FileCheck %s --check-prefix=PREFIX

; CALLBR: alaska: asm goto (callbr) is not supported
; MUSTTAIL: alaska: musttail call in 'f' passes a translated pointer
; PREFIX: alaska: function 'g' already has prefix data (e.g. -fsanitize=function): unsupported

;--- callbr.ll
define void @f(ptr %p) {
  callbr void asm "", "r,!i"(ptr %p) to label %a [label %b]
a:
  ret void
b:
  ret void
}

;--- musttail.ll
declare i64 @strlen(ptr)
define i64 @f(ptr %p) {
  %r = musttail call i64 @strlen(ptr %p)
  ret i64 %r
}

;--- prefix.ll
define void @g() prefix i32 123 {
  ret void
}
