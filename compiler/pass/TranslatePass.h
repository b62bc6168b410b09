//==============================================================================
// TranslatePass.h — alaska-translate: every address that may be a handle is replaced by
// its translation before a memory access (load, store, atomicrmw, cmpxchg, memory
// intrinsics, masked/gather/scatter, byval arguments) or an escape to uncompiled code
// (@alaska.escape markers left by alaska-escape). Emits @alaska.translate(root) markers
// that alaska-pin and alaska-lower turn into the inline sequence.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-translate in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
bool runTranslate(llvm::Module &M);

struct TranslatePass : llvm::PassInfoMixin<TranslatePass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runTranslate(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
