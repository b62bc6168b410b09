; The `alaska` pipeline: runs every pass, marks the module, references the ABI symbol,
; never transforms twice; extension points of clang's -O pipelines and of the LTO link.
; RUN: %opt -passes=alaska -S %s | FileCheck %s
; RUN: %opt -passes=alaska -S %s | %opt -passes=alaska -S | FileCheck %s --check-prefix=TWICE
; RUN: %opt -passes='default<O0>' -S %s | FileCheck %s
; RUN: %opt -passes='default<O2>' -S %s | FileCheck %s --check-prefix=O2
; The module is read from stdin where a check says `-NOT: alaska`: the ModuleID line holds
; the input's path, which may contain "alaska" (a clone in a folder of that name).
; RUN: %opt -passes=alaska -alaska-mode=off -S < %s | FileCheck %s --check-prefix=OFF
; RUN: %opt -passes=alaska -S %s | FileCheck %s --check-prefix=DECL
; RUN: %opt -passes=alaska -alaska-pins=0 -S %s | FileCheck %s --check-prefix=NOPINS

; DECL: declare extern_weak void @alaska_module_init()

; Without pins nothing may move: defragmentation is not armed.
; NOPINS-NOT: alaska_module_init
; NOPINS-NOT: store volatile

; CHECK: @__alaska_abi_version_5 = external constant i8
; CHECK: @alaska.abi_ref = internal constant ptr @__alaska_abi_version_5
; CHECK: @llvm.used = appending global [1 x ptr] [ptr @alaska.abi_ref]
; CHECK: @llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 0, ptr @alaska.module_ctor, ptr null }]
; CHECK-LABEL: define i32 @f(ptr %p)
; CHECK-SAME: section "alaska_text" prefix [2 x i64]
; CHECK: %alaska.base{{[0-9]*}} = load i64
; CHECK: call ptr @halloc(i64 8)
; CHECK-NOT: @alaska.translate
; CHECK-NOT: @alaska.escape
; CHECK-NOT: @malloc
; CHECK: define internal void @alaska.module_ctor()
; CHECK: icmp ne ptr @alaska_module_init, null
; CHECK: call void @alaska_register_text(ptr @__start_alaska_text, ptr @__stop_alaska_text, ptr @alaska.poll_word)
; CHECK: call void @alaska_module_init()
; CHECK: !{i32 7, !"alaska.transformed", i32 1}

; Running the pipeline on its own output changes nothing: one table load, one flag.
; TWICE-COUNT-1: @alaska.abi_ref{{[.0-9]*}} = internal
; TWICE-NOT: @alaska.abi_ref{{[.0-9]*}} = internal
; TWICE-COUNT-2: %alaska.base{{[0-9]*}} = load i64
; TWICE-NOT: %alaska.base{{[0-9]*}} = load i64

; O2: define {{.*}}i32 @f(ptr {{.*}}%p)
; O2: %alaska.base{{[0-9]*}} = load i64
; O2: !"alaska.transformed"

; OFF-NOT: alaska
define i32 @f(ptr %p) {
  %v = load i32, ptr %p
  %m = call ptr @malloc(i64 8)
  store i32 %v, ptr %m
  ret i32 %v
}
declare ptr @malloc(i64)
