//==============================================================================
// EscapePass.h — alaska-escape: calls into code not compiled by Alaska (direct, indirect,
// invoke, inline asm, variadic arguments) get raw addresses instead of handles, with the
// library behaviours of the declared table (LibcTable.cpp) applied. Functions compiled by
// Alaska get the function magic as prefix data so indirect calls can tell them apart.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-escape in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runEscape(llvm::Module &M);

struct EscapePass : llvm::PassInfoMixin<EscapePass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runEscape(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
