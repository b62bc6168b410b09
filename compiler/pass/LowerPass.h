//==============================================================================
// LowerPass.h — alaska-lower: expands the @alaska.translate / @alaska.translate.pin
// markers into the inline translation of docs/design.md §1 (no call on the fast path).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-lower in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runLower(llvm::Module &M);

struct LowerPass : llvm::PassInfoMixin<LowerPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runLower(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
