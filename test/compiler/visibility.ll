; alaska-visibility: per-user copies (linkonce_odr functions and vtables) become hidden so
; an uncompiled DSO never binds to them; data shared with uncompiled code and explicit
; instantiations keep their visibility. In whole-program mode weak_odr (what the LTO link
; turns kept linkonce_odr into) is hidden too. The full pipeline runs it last.
; RUN: %opt -passes=alaska-visibility -S %s | FileCheck %s
; RUN: %opt -passes=alaska-visibility -alaska-mode=lto -S %s | FileCheck %s --check-prefix=LTO
; RUN: %opt -passes=alaska -S %s | FileCheck %s

; Vtables, VTTs and construction vtables of implicit instantiations: hidden.
; CHECK-DAG: @_ZTVN4test3BoxIiEE = linkonce_odr hidden unnamed_addr constant
; CHECK-DAG: @_ZTTN4test3BoxIiEE = linkonce_odr hidden unnamed_addr constant
; CHECK-DAG: @_ZTCN4test3BoxIiEE0_NS_4BaseE = linkonce_odr hidden unnamed_addr constant
; Typeinfo, a static local and its guard, a template static member: one per process.
; CHECK-DAG: @_ZTIN4test3BoxIiEE = linkonce_odr constant
; CHECK-DAG: @_ZZN4test3getEvE1x = linkonce_odr global i32
; CHECK-DAG: @_ZGVZN4test3getEvE1x = linkonce_odr global i64
; CHECK-DAG: @_ZN4test3BoxIiE2idE = linkonce_odr global i64
; Already hidden or protected, internal, external: unchanged.
; CHECK-DAG: @_ZTVN4test5OwnedE = unnamed_addr constant
; CHECK-DAG: @_ZTVN4test8ExplicitE = weak_odr unnamed_addr constant

@_ZTVN4test3BoxIiEE = linkonce_odr unnamed_addr constant [3 x ptr] [ptr null, ptr @_ZTIN4test3BoxIiEE, ptr @_ZN4test3BoxIiE3getEv]
@_ZTTN4test3BoxIiEE = linkonce_odr unnamed_addr constant [1 x ptr] [ptr @_ZTVN4test3BoxIiEE]
@_ZTCN4test3BoxIiEE0_NS_4BaseE = linkonce_odr unnamed_addr constant [1 x ptr] [ptr null]
@_ZTIN4test3BoxIiEE = linkonce_odr constant [2 x ptr] [ptr null, ptr null]
@_ZZN4test3getEvE1x = linkonce_odr global i32 0
@_ZGVZN4test3getEvE1x = linkonce_odr global i64 0
@_ZN4test3BoxIiE2idE = linkonce_odr global i64 0
@_ZTVN4test5OwnedE = unnamed_addr constant [1 x ptr] [ptr null]
@_ZTVN4test8ExplicitE = weak_odr unnamed_addr constant [1 x ptr] [ptr null]

; CHECK-DAG: define linkonce_odr hidden ptr @_ZN4test3BoxIiE3getEv(
; LTO-DAG: define linkonce_odr hidden ptr @_ZN4test3BoxIiE3getEv(
define linkonce_odr ptr @_ZN4test3BoxIiE3getEv(ptr %this) {
  %p = call ptr @malloc(i64 16)
  ret ptr %p
}

; An explicit instantiation definition stays exported in per-TU mode (another DSO's extern
; template declaration may need it); hidden in whole-program mode.
; CHECK-DAG: define weak_odr ptr @_ZN4test8ExplicitIiE3getEv(
; LTO-DAG: define weak_odr hidden ptr @_ZN4test8ExplicitIiE3getEv(
; LTO-DAG: @_ZTVN4test8ExplicitE = weak_odr hidden unnamed_addr constant
define weak_odr ptr @_ZN4test8ExplicitIiE3getEv(ptr %this) {
  ret ptr %this
}

; CHECK-DAG: define linkonce_odr protected void @_ZN4test9protectedEv(
define linkonce_odr protected void @_ZN4test9protectedEv() {
  ret void
}

; The program's own functions and plain weak definitions (meant to be overridden): exported.
; CHECK-DAG: define void @_ZN4test6strongEv(
; CHECK-DAG: define weak void @_ZN4test4weakEv(
; LTO-DAG: define void @_ZN4test6strongEv(
; LTO-DAG: define weak void @_ZN4test4weakEv(
define void @_ZN4test6strongEv() {
  ret void
}
define weak void @_ZN4test4weakEv() {
  ret void
}

declare ptr @malloc(i64)
