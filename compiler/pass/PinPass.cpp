//==============================================================================
// PinPass.cpp — alaska-pin.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-pin \
//            in.ll -S -o out.ll
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
  DenseMap<Function *, SmallVector<CallInst *, 16>> Sites;
  for (User *U : Marker->users())
    if (auto *CI = dyn_cast<CallInst>(U)) Sites[CI->getFunction()].push_back(CI);
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
