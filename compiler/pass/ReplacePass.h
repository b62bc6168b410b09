//==============================================================================
// ReplacePass.h — alaska-replace: malloc & co. and C++ operator new/delete become the
// runtime's handle allocators (names from include/alaska/abi.h).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-replace in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runReplace(llvm::Module &M);

struct ReplacePass : llvm::PassInfoMixin<ReplacePass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runReplace(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
