//==============================================================================
// SafepointPass.cpp — alaska-safepoint (see SafepointPass.h, docs/design.md §6.2).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-safepoint in.ll -S -o out.ll
//==============================================================================
#include "SafepointPass.h"
#include "Common.h"

#include "alaska/abi.h"

#include "llvm/ADT/SCCIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/CallGraph.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

#define DEBUG_TYPE "alaska-safepoint"
ALWAYS_ENABLED_STATISTIC(NumSafepointFunctions, "Functions compiled with safepoints");
ALWAYS_ENABLED_STATISTIC(NumBackedgePolls, "Polls on retreating edges");
ALWAYS_ENABLED_STATISTIC(NumEntryPolls, "Polls at function entries");
ALWAYS_ENABLED_STATISTIC(NumCountedInnerLoops, "Counted inner loops left to their parent's poll");

namespace alaska {

cl::opt<bool> SafepointsOpt("alaska-safepoints",
                            cl::desc("Stop compiled code only at polls and calls, and pin "
                                     "only translations live across them (default on)"),
                            cl::init(true));

GlobalVariable *getPollWord(Module &M) {
  if (GlobalVariable *W = M.getGlobalVariable(ALASKA_POLL_WORD, true)) return W;
  // One per executable or library (linkonce_odr in a comdat: the linker keeps one copy;
  // hidden: never shared with another object), reached RIP-relative by every poll.
  Type *I32 = Type::getInt32Ty(M.getContext());
  auto *W = new GlobalVariable(M, I32, false, GlobalValue::LinkOnceODRLinkage,
                               ConstantInt::get(I32, 0), ALASKA_POLL_WORD);
  W->setVisibility(GlobalValue::HiddenVisibility);
  W->setAlignment(Align(64)); // a line of its own: the barrier writes it, every loop reads it
  if (Triple(M.getTargetTriple()).supportsCOMDAT()) W->setComdat(M.getOrInsertComdat(ALASKA_POLL_WORD));
  return W;
}

bool hasSafepoints(const Function &F) {
  return SafepointsOpt && F.hasSection() && F.getSection() == ALASKA_TEXT_SECTION;
}

namespace {

bool wideInt(Type *T) {
  T = T->getScalarType();
  return T->isIntegerTy() && T->getIntegerBitWidth() > 64;
}

// Floating-point types the x86-64 backend implements with library calls.
bool softFloat(Type *T) {
  T = T->getScalarType();
  return T->isFP128Ty() || T->isPPC_FP128Ty() || T->isHalfTy() || T->isBFloatTy();
}

// Intrinsics that are always expanded inline (the others may become calls: memcpy,
// floor without SSE4.1, fma without FMA, pow, threadlocal.address -> __tls_get_addr ...).
bool intrinsicNeverCalls(const IntrinsicInst &II) {
  switch (II.getIntrinsicID()) {
  case Intrinsic::dbg_declare: case Intrinsic::dbg_value: case Intrinsic::dbg_label:
  case Intrinsic::dbg_assign: case Intrinsic::lifetime_start: case Intrinsic::lifetime_end:
  case Intrinsic::assume: case Intrinsic::expect: case Intrinsic::expect_with_probability:
  case Intrinsic::invariant_start: case Intrinsic::invariant_end:
  case Intrinsic::launder_invariant_group: case Intrinsic::strip_invariant_group:
  case Intrinsic::ptrmask: case Intrinsic::prefetch: case Intrinsic::experimental_noalias_scope_decl:
  case Intrinsic::var_annotation: case Intrinsic::ptr_annotation: case Intrinsic::annotation:
  case Intrinsic::objectsize: case Intrinsic::is_constant: case Intrinsic::sideeffect:
  case Intrinsic::pseudoprobe: case Intrinsic::donothing: case Intrinsic::stacksave:
  case Intrinsic::stackrestore: case Intrinsic::memcpy_inline: case Intrinsic::memset_inline:
  case Intrinsic::frameaddress: case Intrinsic::returnaddress: case Intrinsic::trap:
  case Intrinsic::ubsantrap: case Intrinsic::debugtrap:
  case Intrinsic::bswap: case Intrinsic::bitreverse: case Intrinsic::ctpop: case Intrinsic::ctlz:
  case Intrinsic::cttz: case Intrinsic::fshl: case Intrinsic::fshr: case Intrinsic::abs:
  case Intrinsic::smax: case Intrinsic::smin: case Intrinsic::umax: case Intrinsic::umin:
  case Intrinsic::sadd_with_overflow: case Intrinsic::uadd_with_overflow:
  case Intrinsic::ssub_with_overflow: case Intrinsic::usub_with_overflow:
  case Intrinsic::smul_with_overflow: case Intrinsic::umul_with_overflow:
  case Intrinsic::sadd_sat: case Intrinsic::uadd_sat: case Intrinsic::ssub_sat:
  case Intrinsic::usub_sat: case Intrinsic::fabs: case Intrinsic::copysign: case Intrinsic::sqrt:
  case Intrinsic::vector_reduce_add: case Intrinsic::vector_reduce_and:
  case Intrinsic::vector_reduce_or: case Intrinsic::vector_reduce_xor:
  case Intrinsic::vector_reduce_smax: case Intrinsic::vector_reduce_smin:
  case Intrinsic::vector_reduce_umax: case Intrinsic::vector_reduce_umin:
  case Intrinsic::masked_load: case Intrinsic::masked_store:
    break;
  default:
    return false;
  }
  // 128-bit overflow multiplies and the like are library calls.
  if (wideInt(II.getType()) || softFloat(II.getType())) return false;
  for (const Value *A : II.args())
    if (wideInt(A->getType()) || softFloat(A->getType())) return false;
  if (auto *ST = dyn_cast<StructType>(II.getType()))
    for (Type *E : ST->elements())
      if (wideInt(E)) return false;
  return true;
}

bool atomicTooWide(const Instruction &I) {
  Type *T = nullptr;
  if (auto *L = dyn_cast<LoadInst>(&I)) { if (L->isAtomic()) T = L->getType(); }
  else if (auto *S = dyn_cast<StoreInst>(&I)) { if (S->isAtomic()) T = S->getValueOperand()->getType(); }
  else if (auto *R = dyn_cast<AtomicRMWInst>(&I)) T = R->getValOperand()->getType();
  else if (auto *X = dyn_cast<AtomicCmpXchgInst>(&I)) T = X->getNewValOperand()->getType();
  if (!T) return false;
  const DataLayout &DL = I.getModule()->getDataLayout();
  return !T->isSized() || DL.getTypeStoreSize(T) > 8;
}

} // namespace

bool mayStopAt(const Instruction &I) {
  if (auto *CB = dyn_cast<CallBase>(&I)) {
    if (auto *II = dyn_cast<IntrinsicInst>(CB)) return !intrinsicNeverCalls(*II);
    if (isMarkerCall(CB, TranslateMarker) || isMarkerCall(CB, TranslatePinMarker)) return false;
    return true; // calls, invokes, callbr, inline asm
  }
  switch (I.getOpcode()) {
  case Instruction::SDiv: case Instruction::UDiv: case Instruction::SRem: case Instruction::URem:
    if (wideInt(I.getType())) return true; // __divti3 & co.
    break;
  case Instruction::Mul:
    if (I.getType()->getScalarSizeInBits() > 128) return true;
    break;
  case Instruction::FRem:
    return true;
  case Instruction::FPToSI: case Instruction::FPToUI:
    if (wideInt(I.getType())) return true;
    break;
  case Instruction::SIToFP: case Instruction::UIToFP:
    if (wideInt(I.getOperand(0)->getType())) return true;
    break;
  default:
    break;
  }
  if (softFloat(I.getType())) return true;
  for (const Value *Op : I.operands()) {
    if (softFloat(Op->getType())) return true;
    if (auto *G = dyn_cast<GlobalValue>(Op->stripPointerCasts()))
      if (G->isThreadLocal()) return true;
  }
  return atomicTooWide(I);
}

namespace {

void insertPoll(Instruction *Before, GlobalVariable *Word, FunctionCallee Poll) {
  IRBuilder<> B(Before);
  LoadInst *W = B.CreateAlignedLoad(B.getInt32Ty(), Word, Align(4), "alaska.poll_word");
  W->setAtomic(AtomicOrdering::Monotonic);
  Value *Requested = B.CreateICmpNE(W, B.getInt32(0), "alaska.poll_requested");
  MDNode *Never = MDBuilder(Before->getContext()).createBranchWeights(1, 1u << 20);
  Instruction *Then = SplitBlockAndInsertIfThen(Requested, Before, false, Never);
  Then->getParent()->setName("alaska.poll");
  B.SetInsertPoint(Then);
  CallInst *C = B.CreateCall(Poll);
  C->setDebugLoc(Before->getDebugLoc());
}

// Retreating edges (DFS from the entry): every cycle contains one.
SmallVector<std::pair<BasicBlock *, BasicBlock *>, 8> retreatingEdges(Function &F) {
  SmallVector<std::pair<BasicBlock *, BasicBlock *>, 8> Out;
  SmallPtrSet<BasicBlock *, 32> Visited, OnStack;
  SmallVector<std::pair<BasicBlock *, succ_iterator>, 32> Stack;
  BasicBlock *Entry = &F.getEntryBlock();
  Visited.insert(Entry);
  OnStack.insert(Entry);
  Stack.push_back({Entry, succ_begin(Entry)});
  while (!Stack.empty()) {
    auto &[BB, It] = Stack.back();
    if (It == succ_end(BB)) {
      OnStack.erase(BB);
      Stack.pop_back();
      continue;
    }
    BasicBlock *S = *It++;
    if (OnStack.count(S)) {
      Out.push_back({BB, S});
    } else if (Visited.insert(S).second) {
      OnStack.insert(S);
      Stack.push_back({S, succ_begin(S)});
    }
  }
  return Out;
}

// What a poll or pin at this loop depth costs relative to one outside loops: 8^depth.
unsigned loopWeight(unsigned Depth) { return 1u << (3 * std::min(Depth, 6u)); }

// A retreating edge into the header of an inner loop whose trip count is known on entry
// needs no poll: its parent loop polls every iteration, so the stop waits at most for one
// pass of the inner loop (and its vector body pays nothing per iteration).
bool countedInnerLatch(BasicBlock *Src, BasicBlock *Dst, LoopInfo &LI, ScalarEvolution &SE) {
  Loop *L = LI.getLoopFor(Dst);
  if (!L || L->getHeader() != Dst || !L->contains(Src) || !L->getParentLoop()) return false;
  return !isa<SCEVCouldNotCompute>(SE.getBackedgeTakenCount(L));
}

} // namespace

// Functions that may be re-entered before they return (recursion): in a cycle of the
// module's call graph, or calling what may call back — another module's function, an
// indirect call, a library function given a function pointer. Without loops, only these
// can run unboundedly long between polls, so only they poll at their entry.
SmallPtrSet<const Function *, 32> recursiveFunctions(Module &M) {
  SmallPtrSet<const Function *, 32> Out;
  CallGraph CG(M);
  for (scc_iterator<CallGraph *> I = scc_begin(&CG); !I.isAtEnd(); ++I)
    if (I.hasCycle())
      for (CallGraphNode *N : *I)
        if (Function *F = N->getFunction()) Out.insert(F);
  for (Function &F : M) {
    if (F.isDeclaration() || Out.count(&F)) continue;
    for (Instruction &I : instructions(F)) {
      auto *CB = dyn_cast<CallBase>(&I);
      if (!CB || isa<IntrinsicInst>(CB) || CB->isInlineAsm()) continue;
      CalleeKind K = classifyCall(*CB);
      const Function *Callee =
          dyn_cast<Function>(CB->getCalledOperand()->stripPointerCastsAndAliases());
      bool Calls = K == CalleeKind::Unknown ||
                   (K == CalleeKind::Compiled && Callee && Callee->isDeclaration());
      for (const Value *A : CB->args())
        Calls |= isa<Function>(A->stripPointerCasts());
      if (Calls) {
        Out.insert(&F);
        break;
      }
    }
  }
  return Out;
}

bool safepointEligible(const Function &F) {
  if (F.isDeclaration() || F.hasSection() || F.hasFnAttribute(Attribute::Naked)) return false;
  if (F.getName().starts_with("alaska.")) return false; // our own constructor
  for (const BasicBlock &BB : F)
    if (BB.isEHPad() && !BB.isLandingPad()) return false; // funclet EH: not on this target
  return true;
}

SafepointPlan planSafepoints(Function &F, const SmallPtrSetImpl<const Function *> &Recursive) {
  SafepointPlan P;
  DominatorTree DT(F);
  LoopInfo LI(DT);
  TargetLibraryInfoImpl TLII(Triple(F.getParent()->getTargetTriple()));
  TargetLibraryInfo TLI(TLII, &F);
  AssumptionCache AC(F);
  ScalarEvolution SE(F, TLI, AC, DT, LI);
  SmallPtrSet<BasicBlock *, 8> Polled;
  for (auto [Src, Dst] : retreatingEdges(F)) {
    if (countedInnerLatch(Src, Dst, LI, SE)) {
      ++P.CountedInner;
      continue;
    }
    if (!Polled.insert(Src).second) continue;
    P.Polls.push_back(Src->getTerminator());
    P.PollWeight += loopWeight(LI.getLoopDepth(Src));
  }
  if (Recursive.count(&F)) {
    P.Entry = &*entryInsertionPoint(F);
    P.Polls.push_back(P.Entry);
    P.PollWeight += 1;
  }
  for (Instruction *I : P.Polls) P.At.insert(I);
  for (BasicBlock &BB : F) P.Weight[&BB] = loopWeight(LI.getLoopDepth(&BB));
  return P;
}

void commitSafepoints(Function &F, const SafepointPlan &P) {
  Module &M = *F.getParent();
  LLVMContext &Ctx = M.getContext();
  GlobalVariable *Word = getPollWord(M);
  Function *PollFn = getOrDeclare(M, ALASKA_RT_POLL, FunctionType::get(Type::getVoidTy(Ctx), false));
  PollFn->addFnAttr(Attribute::Cold);
  PollFn->addFnAttr(Attribute::NoUnwind);
  F.setSection(ALASKA_TEXT_SECTION);
  ++NumSafepointFunctions;
  NumCountedInnerLoops += P.CountedInner;
  for (Instruction *I : P.Polls) {
    insertPoll(I, Word, PollFn);
    if (I == P.Entry) ++NumEntryPolls;
    else ++NumBackedgePolls;
  }
}

bool runSafepoint(Module &M) {
  if (!SafepointsOpt || !PinsOpt) return false;
  bool Changed = false;
  SmallPtrSet<const Function *, 32> Recursive = recursiveFunctions(M);
  for (Function &F : M) {
    if (!safepointEligible(F)) continue;
    commitSafepoints(F, planSafepoints(F, Recursive));
    Changed = true;
  }
  return Changed;
}

} // namespace alaska
