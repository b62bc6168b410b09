; -flto: the pre-link compile (module flag "ThinLTO" set by clang) is left alone at
; OptimizerLast; the FullLTO link (lto<O2>) transforms once in whole-program mode, where
; any function not defined in the module is uncompiled.
; (stdin: the ModuleID line holds the input's path, which may contain "alaska")
; RUN: %opt -passes='default<O2>' -S < %s | FileCheck %s --check-prefix=PRELINK
; RUN: %opt -passes='lto<O2>' -S %s | FileCheck %s --check-prefix=LINK
; RUN: %opt -passes=alaska -S %s | FileCheck %s --check-prefix=PERTU
; alaska-lto alone (what the link runs after lto<O2>): whole-program mode too.
; RUN: %opt -passes=alaska-lto -S %s | FileCheck %s --check-prefix=LINK

; PRELINK-NOT: alaska

; LINK-LABEL: define {{.*}}i64 @f(
; LINK: call i64 @not_in_module(ptr {{.*}}%p.tr)
; LINK: !"alaska.transformed"

; In per-TU mode an unknown declaration is assumed compiled by Alaska: gets the handle.
; PERTU-LABEL: define {{.*}}i64 @f(
; PERTU: call i64 @not_in_module(ptr %p)

define i64 @f(ptr %p) {
  %n = call i64 @not_in_module(ptr %p)
  ret i64 %n
}
declare i64 @not_in_module(ptr)

!llvm.module.flags = !{!0}
!0 = !{i32 1, !"ThinLTO", i32 0}
