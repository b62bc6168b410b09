//==============================================================================
// PinPass.h — alaska-pin: every translation records its handle in a slot of the function's
// pin frame (docs/design.md §6.1): `alloca [N+2 x i64] alaska.pins` = {magic, N, slots},
// header written at entry. Turns @alaska.translate(h) into @alaska.translate.pin(h, slot)
// (alaska-lower emits the volatile store + compiler fence before the table load) and stores
// 0 into the slot where the addresses derived from the translation die.
// In the whole pipeline it also decides, per function, whether alaska-safepoint's polls are
// cheaper than its pins (docs/design.md §6.3); a function so converted keeps slots only for
// the translations live across a call or poll, and no frame if none is.
// -alaska-pins=0 disables it; -alaska-pin-clear=0 keeps frames but never clears.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-pin in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/IR/PassManager.h"

namespace alaska {
// PlanSafepoints (the whole pipeline): also decide per function whether it becomes
// stoppable only at polls (alaska-safepoint's plan, inserted here if chosen).
bool runPin(llvm::Module &M, bool PlanSafepoints = false);

struct PinPass : llvm::PassInfoMixin<PinPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runPin(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
