; alaska-lower: the inline translation sequence of docs/design.md §1, with the pin-slot
; store and the compiler fence before the table load (§6.1).
; RUN: %opt -passes=alaska-translate,alaska-pin,alaska-lower -S %s | FileCheck %s
; RUN: %opt -passes=alaska-translate,alaska-pin,alaska-lower -S %s | FileCheck %s --check-prefix=MARK
; RUN: %opt -passes=alaska-translate,alaska-pin,alaska-lower -alaska-pins=0 -S %s | FileCheck %s --check-prefix=NOPIN
; RUN: %opt -passes=alaska-translate,alaska-pin,alaska-lower -S %s | llc-19 -O2 -o - | FileCheck %s --check-prefix=ASM

; CHECK-LABEL: define i32 @get(
; CHECK-NEXT: %alaska.pins = alloca [2 x i64], align 16
; CHECK-NEXT: %local = alloca i32
; CHECK: store volatile i64 4186760688550543361, ptr %alaska.pins, align 16
; CHECK-NEXT: %alaska.pin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: %alaska.h = ptrtoint ptr %p to i64
; CHECK-NEXT: %alaska.is_handle = icmp slt i64 %alaska.h, 0
; CHECK-NEXT: br i1 %alaska.is_handle, label %[[SLOW:[0-9a-z.]+]], label %[[TAIL:[0-9a-z.]+]], !prof ![[LIKELY:[0-9]+]]
; CHECK: [[SLOW]]:
; CHECK-NEXT: store volatile i64 %alaska.h, ptr %alaska.pin, align 8
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: [[SH:%.*]] = lshr i64 %alaska.h, 29
; CHECK-NEXT: %alaska.entry = and i64 [[SH]], -8
; CHECK-NEXT: [[EP:%.*]] = inttoptr i64 %alaska.entry to ptr
; CHECK-NEXT: %alaska.base = load i64, ptr [[EP]], align 8
; CHECK-NEXT: [[OFF:%.*]] = and i64 %alaska.h, 4294967295
; CHECK-NEXT: %alaska.raw = add i64 %alaska.base, [[OFF]]
; CHECK-NEXT: [[RAW:%.*]] = inttoptr i64 %alaska.raw to ptr
; CHECK-NEXT: br label %[[TAIL]]
; CHECK: [[TAIL]]:
; CHECK-NEXT: %p.tr = phi ptr [ %p, %{{.*}} ], [ [[RAW]], %[[SLOW]] ]
; CHECK-NEXT: %v = load i32, ptr %p.tr
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: %alaska.unpin = getelementptr inbounds [2 x i64], ptr %alaska.pins, i64 0, i64 1
; CHECK-NEXT: store volatile i64 0, ptr %alaska.unpin
; CHECK-NOT: @alaska.translate
; NOPIN-LABEL: define i32 @get(
; NOPIN-NOT: alaska.pins
; NOPIN-NOT: store volatile
; NOPIN-NOT: fence
; NOPIN: %alaska.base = load i64
; The fence costs no instruction (MEMBARRIER); the pin store precedes the table load in
; machine code; translation is 4 instructions (x86 folds the shift+mask into the address).
; The frame header (tag | 1 slot, one store); then the pin store into the slot and, after
; the load, the clear of the same slot.
; ASM-LABEL: get:
; ASM: movabsq $4186760688550543361, %rax
; ASM-NEXT: movq %rax, [[HEADER:-?[0-9]+]](%rsp)
; ASM: testq %rdi, %rdi
; ASM: movq %rdi, [[SLOT:-?[0-9]+]](%rsp)
; ASM-NEXT: #MEMBARRIER
; ASM-NEXT: movq %rdi, %rax
; ASM-NEXT: shrq $32, %rax
; ASM-NEXT: movl %edi, %edi
; ASM-NEXT: addq (,%rax,8), %rdi
; ASM: movl (%rdi), %eax
; ASM-NEXT: #MEMBARRIER
; ASM-NEXT: movq $0, [[SLOT]](%rsp)
define i32 @get(ptr %p) {
  %local = alloca i32
  %v = load i32, ptr %p
  store i32 %v, ptr %local
  ret i32 %v
}

; CHECK: ![[LIKELY]] = !{!"branch_weights", i32 64, i32 1}

; Markers never survive lowering.
; MARK-NOT: @alaska.translate
