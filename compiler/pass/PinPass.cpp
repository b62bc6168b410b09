//==============================================================================
// PinPass.cpp — alaska-pin.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-pin in.ll -S -o out.ll
//
// One slot per translation site: the slot is rewritten only when the same site executes
// again, and by SSA every address derived from the previous execution is dead by then
// (a use always refers to the latest execution of the translation that defines it, and
// translated values never flow through memory or loop-carried phis whose roots are
// redefined inside the loop; see TranslatePass.cpp). Slots live as long as the frame,
// so they cover calls into uncompiled code that received a translated pointer.
//==============================================================================
#include "PinPass.h"
#include "Common.h"

#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace alaska {

bool runPin(Module &M) {
  if (!PinsOpt) return false;
  Function *Marker = M.getFunction(TranslateMarker);
  if (!Marker) return false;
  // Slots numbered in program order (deterministic output).
  SmallVector<std::pair<Function *, SmallVector<CallInst *, 16>>, 16> Sites;
  for (Function &F : M) {
    SmallVector<CallInst *, 16> Calls;
    for (BasicBlock &BB : F)
      for (Instruction &I : BB)
        if (isMarkerCall(&I, TranslateMarker)) Calls.push_back(cast<CallInst>(&I));
    if (!Calls.empty()) Sites.push_back({&F, std::move(Calls)});
  }
  if (Sites.empty()) return false;
  Function *PinMarker = getTranslatePinMarker(M);
  Type *I64 = Type::getInt64Ty(M.getContext());
  for (auto &[F, Calls] : Sites) {
    IRBuilder<> B(&*F->getEntryBlock().getFirstInsertionPt());
    ArrayType *SlotsTy = ArrayType::get(I64, Calls.size());
    AllocaInst *Slots = B.CreateAlloca(SlotsTy, nullptr, "alaska.pins");
    for (unsigned I = 0; I < Calls.size(); ++I) {
      CallInst *CI = Calls[I];
      B.SetInsertPoint(CI);
      Value *Slot = B.CreateConstInBoundsGEP2_64(SlotsTy, Slots, 0, I, "alaska.pin");
      CallInst *Pinned = B.CreateCall(PinMarker, {CI->getArgOperand(0), Slot});
      Pinned->takeName(CI);
      CI->replaceAllUsesWith(Pinned);
      CI->eraseFromParent();
    }
  }
  return true;
}

} // namespace alaska
