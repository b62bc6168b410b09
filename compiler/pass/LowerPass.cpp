//==============================================================================
// LowerPass.cpp — alaska-lower.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-lower in.ll -S -o out.ll
//
//   head:   %hi = ptrtoint ptr %h to i64
//           %is = icmp slt i64 %hi, 0                 ; bit 63: handle
//           br i1 %is, label %slow, label %tail
//   slow:   store volatile i64 %hi, ptr %slot         ; pinned form only (§6.1)
//           fence syncscope("singlethread") seq_cst   ; table load stays below the store
//           %sh = lshr i64 %hi, 29
//           %e  = and i64 %sh, -8                     ; table base (2^34) + id * 8
//           %b  = load i64, ptr inttoptr %e
//           %o  = and i64 %hi, 4294967295             ; 32-bit offset
//           %r  = add i64 %b, %o
//   tail:   %t  = phi ptr [ %h, %head ], [ inttoptr %r, %slow ]
//
// Plain pointers skip the table (and the pin) entirely.
//==============================================================================
#include "LowerPass.h"
#include "Common.h"

#include "alaska/abi.h"

#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace alaska {

static void lowerOne(CallInst *CI, bool Pinned) {
  Value *H = CI->getArgOperand(0);
  IRBuilder<> B(CI);
  Type *I64 = B.getInt64Ty();
  Value *HI = B.CreatePtrToInt(H, I64, "alaska.h");
  Value *IsHandle = B.CreateICmpSLT(HI, B.getInt64(0), "alaska.is_handle");
  BasicBlock *Head = CI->getParent();
  // Translated values are mostly handles: lay the table path out as the fall-through.
  MDNode *Likely = MDBuilder(CI->getContext()).createBranchWeights(64, 1);
  Instruction *SlowTerm = SplitBlockAndInsertIfThen(IsHandle, CI, false, Likely);
  B.SetInsertPoint(SlowTerm);
  if (Pinned) {
    B.CreateAlignedStore(HI, CI->getArgOperand(1), Align(8), /*isVolatile=*/true);
    B.CreateFence(AtomicOrdering::SequentiallyConsistent, SyncScope::SingleThread);
  }
  Value *Entry = B.CreateAnd(B.CreateLShr(HI, ALASKA_ENTRY_SHIFT), B.getInt64(ALASKA_ENTRY_MASK),
                             "alaska.entry");
  LoadInst *Base = B.CreateAlignedLoad(I64, B.CreateIntToPtr(Entry, B.getPtrTy()), Align(8),
                                       "alaska.base");
  Value *Raw = B.CreateAdd(Base, B.CreateAnd(HI, B.getInt64(ALASKA_OFFSET_MASK)), "alaska.raw");
  Value *RawPtr = B.CreateIntToPtr(Raw, CI->getType());
  BasicBlock *Tail = CI->getParent();
  PHINode *Phi = PHINode::Create(CI->getType(), 2);
  Phi->insertInto(Tail, Tail->getFirstNonPHIIt()); // debug records stay on the next instr
  Phi->addIncoming(H, Head);
  Phi->addIncoming(RawPtr, SlowTerm->getParent());
  Phi->takeName(CI);
  CI->replaceAllUsesWith(Phi);
  CI->eraseFromParent();
}

bool runLower(Module &M) {
  bool Changed = false;
  for (const char *Name : {TranslateMarker, TranslatePinMarker}) {
    Function *Marker = M.getFunction(Name);
    if (!Marker) continue;
    SmallVector<CallInst *, 64> Calls;
    SmallPtrSet<Function *, 16> Funcs;
    for (User *U : Marker->users())
      if (auto *CI = dyn_cast<CallInst>(U)) {
        Calls.push_back(CI);
        Funcs.insert(CI->getFunction());
      }
    for (Function *F : Funcs) hoistStaticAllocas(*F);
    for (CallInst *CI : Calls) lowerOne(CI, Marker->getName() == TranslatePinMarker);
    Changed |= !Calls.empty();
    if (Marker->use_empty()) Marker->eraseFromParent();
  }
  if (Function *Esc = M.getFunction(EscapeMarker)) {
    if (!Esc->use_empty()) fail(M, "alaska: internal error: unresolved @alaska.escape marker");
    else Esc->eraseFromParent();
  }
  return Changed;
}

} // namespace alaska
