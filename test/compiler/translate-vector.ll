; alaska-translate: vectors of pointers (masked load/store, gather/scatter).
; RUN: %opt -passes=alaska-translate -S %s | FileCheck %s

; Masked load/store take a scalar base: translated like any address.
; CHECK-LABEL: define <4 x i32> @masked(
; CHECK: %p.tr = call ptr @alaska.translate(ptr %p)
; CHECK: call <4 x i32> @llvm.masked.load.v4i32.p0(ptr %p.tr,
; CHECK: call void @llvm.masked.store.v4i32.p0(<4 x i32> %v, ptr %p.tr,
define <4 x i32> @masked(ptr %p, <4 x i1> %m) {
  %v = call <4 x i32> @llvm.masked.load.v4i32.p0(ptr %p, i32 4, <4 x i1> %m, <4 x i32> zeroinitializer)
  call void @llvm.masked.store.v4i32.p0(<4 x i32> %v, ptr %p, i32 4, <4 x i1> %m)
  ret <4 x i32> %v
}

; Gather through a vector GEP over one scalar base: the base's translation is shared.
; CHECK-LABEL: define <4 x i32> @gather_base(
; CHECK: %b.tr = call ptr @alaska.translate(ptr %b)
; CHECK: %vp.tr = getelementptr i32, ptr %b.tr, <4 x i64> %idx
; CHECK: call <4 x i32> @llvm.masked.gather.v4i32.v4p0(<4 x ptr> %vp.tr,
define <4 x i32> @gather_base(ptr %b, <4 x i64> %idx, <4 x i1> %m) {
  %vp = getelementptr i32, ptr %b, <4 x i64> %idx
  %v = call <4 x i32> @llvm.masked.gather.v4i32.v4p0(<4 x ptr> %vp, i32 4, <4 x i1> %m, <4 x i32> zeroinitializer)
  ret <4 x i32> %v
}

; Scatter through an arbitrary vector of pointers: every lane translated.
; CHECK-LABEL: define void @scatter_lanes(
; CHECK-COUNT-2: call ptr @alaska.translate(ptr
; CHECK: call void @llvm.masked.scatter.v2i32.v2p0(<2 x i32> %v, <2 x ptr> %{{.*}},
define void @scatter_lanes(ptr %pp, <2 x i32> %v) {
  %ptrs = load <2 x ptr>, ptr %pp
  call void @llvm.masked.scatter.v2i32.v2p0(<2 x i32> %v, <2 x ptr> %ptrs, i32 4, <2 x i1> <i1 true, i1 true>)
  ret void
}

declare <4 x i32> @llvm.masked.load.v4i32.p0(ptr, i32, <4 x i1>, <4 x i32>)
declare void @llvm.masked.store.v4i32.p0(<4 x i32>, ptr, i32, <4 x i1>)
declare <4 x i32> @llvm.masked.gather.v4i32.v4p0(<4 x ptr>, i32, <4 x i1>, <4 x i32>)
declare void @llvm.masked.scatter.v2i32.v2p0(<2 x i32>, <2 x ptr>, i32, <2 x i1>)
