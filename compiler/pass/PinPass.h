//==============================================================================
// PinPass.h — alaska-pin: every translation records its handle in a per-frame pin slot
// (docs/design.md §6.1). Turns @alaska.translate(h) into @alaska.translate.pin(h, slot),
// one slot of `alloca [N x i64] alaska.pins` per translation site; alaska-lower emits the
// volatile store + compiler fence before the table load. -alaska-pins=0 disables it.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-pin in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runPin(llvm::Module &M);

struct PinPass : llvm::PassInfoMixin<PinPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runPin(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
