//==============================================================================
// EscapePass.cpp — alaska-escape.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-escape in.ll -S -o out.ll
//
// For each call:
//  * callee compiled by Alaska or a runtime entry point: nothing (handles are passed).
//  * callee not compiled by Alaska (Common.cpp: classifyFunction), or inline asm: every
//    pointer argument that may be a handle, variadic ones included, is wrapped in an
//    @alaska.escape marker, which alaska-translate turns into the translated address; then
//    the rules of the declared table (LibcTable.cpp) apply: re-handle results / out
//    pointers, pin retained buffers forever, pass opaque cookies as handles, or call a
//    runtime wrapper instead.
//  * indirect call with pointer arguments: the 8 bytes before the target are compared
//    with the function magic (prefix data of every function compiled by Alaska); equal ->
//    the original call with handles, different -> a copy of the call with escaped
//    arguments.
//==============================================================================
#include "EscapePass.h"
#include "Common.h"
#include "LibcTable.h"

#include "alaska/abi.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

#define DEBUG_TYPE "alaska-escape"
// ALWAYS_ENABLED: Debian's LLVM 19 is a release build (clang -Xclang -stats-file prints them).
ALWAYS_ENABLED_STATISTIC(NumUncompiledCalls, "Direct calls into uncompiled code (and inline asm)");
ALWAYS_ENABLED_STATISTIC(NumEscapedArgs, "Pointer arguments passed translated (@alaska.escape)");
ALWAYS_ENABLED_STATISTIC(NumTableHits, "Calls the libc table has rules for");
ALWAYS_ENABLED_STATISTIC(NumWrapped, "Calls sent to a runtime wrapper (Wrap)");
ALWAYS_ENABLED_STATISTIC(NumRedirected, "Calls redirected to libalaska_cxx (Redirect)");
ALWAYS_ENABLED_STATISTIC(NumRehandled, "Results and out pointers made handles again (ResultFrom, OutPtrFrom)");
ALWAYS_ENABLED_STATISTIC(NumPinnedForever, "Arguments pinned forever (PinForever, -alaska-uncompiled-lib)");
ALWAYS_ENABLED_STATISTIC(NumIndirectCalls, "Indirect calls dispatched on the function magic");
ALWAYS_ENABLED_STATISTIC(NumMagicFunctions, "Functions given the function magic as prefix data");

namespace alaska {
namespace {

static_assert(ALASKA_FUNCTION_MAGIC == FunctionMagic, "abi.h and Common.h disagree");

bool needsEscape(Value *Arg) {
  Type *Ty = Arg->getType();
  return Ty->isPointerTy() && Ty->getPointerAddressSpace() == 0 && !isProvablyRaw(Arg);
}

bool isPassedByValue(CallBase &CB, unsigned A) {
  return CB.isByValArgument(A) || CB.isInAllocaArgument(A) || CB.isPassPointeeByValueArgument(A);
}

// First instruction executed after CB returns normally (splits an invoke's normal edge
// when its successor has other predecessors).
Instruction *afterCall(CallBase *CB) {
  if (auto *II = dyn_cast<InvokeInst>(CB)) {
    BasicBlock *Normal = II->getNormalDest();
    if (!Normal->getSinglePredecessor()) Normal = SplitEdge(II->getParent(), Normal);
    return &*Normal->getFirstInsertionPt();
  }
  return CB->getNextNode();
}

// Result of a library call that points into the object of H (translated as T) becomes a
// handle again: H + (Res - T) when H is a handle and that sum keeps H's id (the biased
// offset field did not wrap: Res lies within the 2 GiB either side of the object's start
// that a handle addresses).
Value *rehandle(IRBuilder<> &B, Value *Res, Value *H, Value *T) {
  Type *I64 = B.getInt64Ty();
  Value *Delta = B.CreateSub(B.CreatePtrToInt(Res, I64), B.CreatePtrToInt(T, I64),
                             "alaska.delta");
  Value *HI = B.CreatePtrToInt(H, I64);
  Value *IsHandle = B.CreateICmpSLT(HI, B.getInt64(0));
  Value *SameId = B.CreateICmpEQ(
      B.CreateLShr(B.CreateXor(B.CreateAdd(HI, Delta), HI), ALASKA_OFFSET_BITS),
      B.getInt64(0));
  Value *Ok = B.CreateAnd(IsHandle, SameId);
  Value *Rebuilt = B.CreateGEP(B.getInt8Ty(), H, Delta, "alaska.rehandled");
  Value *Sel = B.CreateSelect(Ok, Rebuilt, Res);
  // A handle again, or a pointer outside T's object: where alaska-pin stops following
  // addresses derived from T (PinPass.cpp).
  if (auto *I = dyn_cast<Instruction>(Sel))
    I->setMetadata(RehandleMD, MDNode::get(B.getContext(), {}));
  return Sel;
}

class Escaper {
public:
  explicit Escaper(Module &M) : M(M) {}
  void escapeDirect(CallBase *CB, StringRef Name);
  void escapeIndirect(CallBase *CB);
  bool Changed = false;

private:
  Module &M;
  Value *escapeArg(CallBase *CB, unsigned A);
};

Value *Escaper::escapeArg(CallBase *CB, unsigned A) {
  Value *Arg = CB->getArgOperand(A);
  IRBuilder<> B(CB);
  CallInst *Marker = B.CreateCall(getEscapeMarker(M), {Arg}, Arg->getName() + ".esc");
  CB->setArgOperand(A, Marker);
  Changed = true;
  ++NumEscapedArgs;
  return Marker;
}

void Escaper::escapeDirect(CallBase *CB, StringRef Name) {
  LibcRules Rules = findLibcRules(Name);
  if (Rules.Count) ++NumTableHits;
  for (unsigned R = 0; R < Rules.Count; ++R)
    if (Rules.First[R].Kind == Effect::Wrap) {
      FunctionType *FTy = CB->getFunctionType();
      Function *W = getOrDeclare(M, Rules.First[R].Wrapper, FTy);
      CB->setCalledOperand(W);
      Changed = true;
      ++NumWrapped;
      return; // the wrapper takes handles
    }
  auto HasRule = [&](Effect K, unsigned A) {
    for (unsigned R = 0; R < Rules.Count; ++R)
      if (Rules.First[R].Kind == K && Rules.First[R].A == int(A)) return true;
    return false;
  };
  // A library listed with -alaska-uncompiled-lib has no table entry saying what it keeps:
  // every object it is given is pinned for life (its raw address stays valid).
  bool MayRetain = Rules.Count == 0 && !Name.empty() && isUncompiledLibSymbol(M, Name);
  SmallVector<Value *, 8> Handle(CB->arg_size(), nullptr), Translated(CB->arg_size(), nullptr);
  for (unsigned A = 0; A < CB->arg_size(); ++A) {
    Value *Arg = CB->getArgOperand(A);
    if (isPassedByValue(*CB, A) || !needsEscape(Arg) || HasRule(Effect::Opaque, A)) continue;
    if (MayRetain || HasRule(Effect::PinForever, A)) {
      PointerType *P = PointerType::getUnqual(M.getContext());
      FunctionType *PinTy = FunctionType::get(Type::getVoidTy(M.getContext()), {P}, false);
      IRBuilder<> B(CB);
      B.CreateCall(PinTy, getOrDeclare(M, ALASKA_RT_PIN_FOREVER, PinTy), {Arg});
      ++NumPinnedForever;
    }
    Handle[A] = Arg;
    Translated[A] = escapeArg(CB, A);
  }
  // Results derived from an argument.
  for (unsigned R = 0; R < Rules.Count; ++R) {
    const LibcRule &Rule = Rules.First[R];
    if (Rule.Kind != Effect::ResultFrom) continue;
    if (unsigned(Rule.A) >= CB->arg_size() || !Translated[Rule.A] ||
        !CB->getType()->isPointerTy())
      continue;
    IRBuilder<> B(afterCall(CB));
    SmallVector<Use *, 8> Uses;
    for (Use &U : CB->uses()) Uses.push_back(&U);
    Value *New = rehandle(B, CB, Handle[Rule.A], Translated[Rule.A]);
    for (Use *U : Uses) U->set(New);
    Changed = true;
    ++NumRehandled;
  }
  // Out pointers (char **endptr) set to point into an argument.
  for (unsigned R = 0; R < Rules.Count; ++R) {
    const LibcRule &Rule = Rules.First[R];
    if (Rule.Kind != Effect::OutPtrFrom) continue;
    if (unsigned(Rule.A) >= CB->arg_size() || unsigned(Rule.B) >= CB->arg_size() ||
        !Translated[Rule.B])
      continue;
    Value *Out = Translated[Rule.A] ? Translated[Rule.A] : CB->getArgOperand(Rule.A);
    Instruction *At = afterCall(CB);
    if (!isa<AllocaInst>(Out)) {
      IRBuilder<> B(At);
      Value *NonNull = B.CreateIsNotNull(Out);
      At = SplitBlockAndInsertIfThen(NonNull, At, false);
    }
    IRBuilder<> B(At);
    PointerType *P = PointerType::getUnqual(M.getContext());
    Value *Stored = B.CreateLoad(P, Out, "alaska.endptr");
    B.CreateStore(rehandle(B, Stored, Handle[Rule.B], Translated[Rule.B]), Out);
    Changed = true;
    ++NumRehandled;
  }
}

void Escaper::escapeIndirect(CallBase *CB) {
  bool Any = false;
  for (unsigned A = 0; A < CB->arg_size(); ++A)
    Any |= !isPassedByValue(*CB, A) && needsEscape(CB->getArgOperand(A));
  if (!Any) return;
  LLVMContext &Ctx = M.getContext();
  IRBuilder<> B(CB);
  Value *Callee = CB->getCalledOperand();
  Value *MagicAddr = B.CreateGEP(B.getInt8Ty(), Callee, B.getInt64(-8), "alaska.magic.addr");
  LoadInst *Word = B.CreateAlignedLoad(B.getInt64Ty(), MagicAddr, Align(1), "alaska.magic");
  Word->setMetadata(NoTranslateMD, MDNode::get(Ctx, {}));
  Value *Compiled = B.CreateICmpEQ(Word, B.getInt64(FunctionMagic), "alaska.compiled");
  Changed = true;
  ++NumIndirectCalls;

  if (auto *CI = dyn_cast<CallInst>(CB)) {
    Instruction *ThenTerm, *ElseTerm;
    SplitBlockAndInsertIfThenElse(Compiled, CI, &ThenTerm, &ElseTerm);
    auto *Escaped = cast<CallInst>(CI->clone());
    Escaped->insertBefore(ElseTerm);
    CI->moveBefore(ThenTerm);
    if (!CI->getType()->isVoidTy()) {
      PHINode *Phi = PHINode::Create(CI->getType(), 2, CI->getName() + ".merged");
      BasicBlock *Tail = ThenTerm->getSuccessor(0);
      Phi->insertInto(Tail, Tail->getFirstNonPHIIt()); // keeps debug records off the phi
      CI->replaceAllUsesWith(Phi);
      Phi->addIncoming(CI, CI->getParent());
      Phi->addIncoming(Escaped, Escaped->getParent());
    }
    escapeDirect(Escaped, "");
    return;
  }
  auto *II = cast<InvokeInst>(CB);
  BasicBlock *BB = II->getParent();
  BasicBlock *Normal = II->getNormalDest(), *Unwind = II->getUnwindDest();
  Function *F = BB->getParent();
  BasicBlock *ThenBB = BasicBlock::Create(Ctx, "alaska.icall.compiled", F, Normal);
  BasicBlock *ElseBB = BasicBlock::Create(Ctx, "alaska.icall.uncompiled", F, Normal);
  BasicBlock *Merge = BasicBlock::Create(Ctx, "alaska.icall.merge", F, Normal);
  auto *Escaped = cast<InvokeInst>(II->clone());
  II->removeFromParent();
  II->insertInto(ThenBB, ThenBB->end());
  Escaped->insertInto(ElseBB, ElseBB->end());
  II->setNormalDest(Merge);
  Escaped->setNormalDest(Merge);
  BranchInst::Create(ThenBB, ElseBB, Compiled, BB);
  // The unwind destination now has two predecessors instead of BB.
  for (PHINode &P : Unwind->phis()) {
    Value *V = P.getIncomingValueForBlock(BB);
    P.setIncomingBlock(P.getBasicBlockIndex(BB), ThenBB);
    P.addIncoming(V, ElseBB);
  }
  BranchInst::Create(Normal, Merge);
  for (PHINode &P : Normal->phis()) P.replaceIncomingBlockWith(BB, Merge);
  if (!II->getType()->isVoidTy()) {
    PHINode *Phi = PHINode::Create(II->getType(), 2, II->getName() + ".merged");
    Phi->insertBefore(Merge->getTerminator());
    II->replaceAllUsesWith(Phi);
    Phi->addIncoming(II, ThenBB);
    Phi->addIncoming(Escaped, ElseBB);
  }
  escapeDirect(Escaped, "");
}

void addFunctionMagic(Module &M) {
  Type *I64 = Type::getInt64Ty(M.getContext());
  // Two words keep the entry 16-byte aligned; the word right before the entry is checked.
  Constant *Prefix = ConstantArray::get(ArrayType::get(I64, 2),
                                        {ConstantInt::get(I64, FunctionMagic),
                                         ConstantInt::get(I64, FunctionMagic)});
  for (Function &F : M) {
    if (F.isDeclarationForLinker() || F.getName().starts_with(MarkerPrefix)) continue;
    if (F.hasPrefixData()) {
      if (F.getPrefixData() == Prefix) continue;
      fail(M, "alaska: function '" + F.getName() +
                  "' already has prefix data (e.g. -fsanitize=function): unsupported");
      continue;
    }
    F.setPrefixData(Prefix);
    ++NumMagicFunctions;
  }
}

// Effect::Redirect: the call goes to the wrapper whatever the callee's kind.
bool redirect(Module &M, CallBase &CB) {
  auto *F = dyn_cast<Function>(CB.getCalledOperand()->stripPointerCastsAndAliases());
  if (!F || F->isIntrinsic()) return false;
  LibcRules Rules = findLibcRules(F->getName());
  for (unsigned R = 0; R < Rules.Count; ++R)
    if (Rules.First[R].Kind == Effect::Redirect) {
      CB.setCalledOperand(getOrDeclare(M, Rules.First[R].Wrapper, CB.getFunctionType()));
      ++NumRedirected;
      return true;
    }
  return false;
}

} // namespace

bool runEscape(Module &M) {
  Escaper E(M);
  SmallVector<std::pair<CallBase *, CalleeKind>, 64> Calls;
  for (Function &F : M) {
    if (F.isDeclaration()) continue;
    for (BasicBlock &BB : F)
      for (Instruction &I : BB)
        if (auto *CB = dyn_cast<CallBase>(&I)) {
          if (redirect(M, *CB)) continue; // now a runtime (libalaska_cxx) function
          CalleeKind K = classifyCall(*CB);
          if (K == CalleeKind::Uncompiled || K == CalleeKind::Unknown) Calls.push_back({CB, K});
        }
  }
  for (auto &[CB, K] : Calls) {
    if (isa<CallBrInst>(CB)) {
      fail(M, "alaska: asm goto (callbr) is not supported");
      continue;
    }
    if (K == CalleeKind::Unknown) {
      E.escapeIndirect(CB);
      continue;
    }
    ++NumUncompiledCalls;
    StringRef Name;
    if (auto *F = dyn_cast<Function>(CB->getCalledOperand()->stripPointerCastsAndAliases()))
      Name = F->getName();
    E.escapeDirect(CB, Name);
  }
  addFunctionMagic(M);
  return true;
}

} // namespace alaska
