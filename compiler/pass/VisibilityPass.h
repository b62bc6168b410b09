//==============================================================================
// VisibilityPass.h — alaska-visibility: the inline functions, template instantiations and
// vtables a module compiled by Alaska carries its own copy of get hidden visibility, so the
// dynamic linker never binds an uncompiled library's references to code that takes and
// returns handles (docs/design.md §5.6).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-visibility in.ll -S
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runVisibility(llvm::Module &M);

struct VisibilityPass : llvm::PassInfoMixin<VisibilityPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runVisibility(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
