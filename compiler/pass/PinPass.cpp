//==============================================================================
// PinPass.cpp — alaska-pin.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-pin in.ll -S -o out.ll
//
// Pin frame (docs/design.md §6.1, alaska/abi.h): every function with N pinned slots gets
// `alloca [N+1 x i64] alaska.pins` = { ALASKA_PIN_FRAME_TAG | N, slot 0 .. N-1 }. The entry
// block writes the header (one volatile store) before anything else runs, so the barrier's
// stack scan can find the frame; slots are not zeroed (what a slot holds before its first
// store in this call can only pin more).
//
// One slot per translation site: @alaska.translate(h) becomes
// @alaska.translate.pin(h, slot) (alaska-lower stores h there before the table load).
// The slot is rewritten only when the same site executes again, and by SSA every address
// derived from the previous execution is dead by then (translated values never flow
// through memory or loop-carried phis whose roots are redefined inside the loop; see
// TranslatePass.cpp). Sites that are cleared (below) and whose busy blocks are disjoint
// share a slot (fewer slots to zero at entry).
//
// Clearing: a handle needs its pin only while an address derived from its translation is
// live. The derived set of a site is the translation and everything computed from it
// (GEPs on it, casts, phis, selects, integers from ptrtoint and arithmetic on them, pointer
// results of calls that received it). Where that set stops being live — after its last use
// in a block it does not leave, or at the top of a successor it does not enter — the pass
// stores 0 into the slot, after a compiler-only fence (no access through the address moves
// below the clear). A use in a phi is a use at the end of the incoming block; a call that
// received the address is a use until it returns. If a derived value escapes where SSA
// liveness cannot follow it (stored to memory, returned, an instruction not understood
// here), the slot is never cleared: it lives as long as the frame, as before (over-pinning
// is safe). Functions calling setjmp-like (returns_twice) functions clear nothing: the
// second return revives values the CFG shows as dead. -alaska-pin-clear=0 turns clearing
// off.
//
// Safepoints (docs/design.md §6.3): in a function stoppable only at polls and calls, a site
// whose derived set is live across no such point (mayStopAt, or a planned poll) keeps the
// plain @alaska.translate (no slot, no fences, no clear). Given alaska-safepoint's plan for a
// function, runPin converts it only if the pins removed cost more than the polls added.
//==============================================================================
#include "PinPass.h"
#include "Common.h"
#include "SafepointPass.h"

#include "alaska/abi.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

#define DEBUG_TYPE "alaska-pin"
// ALWAYS_ENABLED: Debian's LLVM 19 is a release build (clang -Xclang -stats-file prints them).
ALWAYS_ENABLED_STATISTIC(NumFrames, "Pin frames emitted (functions with translations)");
ALWAYS_ENABLED_STATISTIC(NumSites, "Translation sites pinned");
ALWAYS_ENABLED_STATISTIC(NumSlots, "Pin slots allocated (after sharing)");
ALWAYS_ENABLED_STATISTIC(NumSitesCleared, "Sites whose slot is cleared where their addresses die");
ALWAYS_ENABLED_STATISTIC(NumClears, "Slot clears inserted");
ALWAYS_ENABLED_STATISTIC(NumNoClearFunctions, "Functions that clear nothing (they call setjmp & co.)");
ALWAYS_ENABLED_STATISTIC(NumSitesUnpinned, "Sites live across no safepoint: not pinned");
ALWAYS_ENABLED_STATISTIC(NumSafepointChosen, "Functions made stoppable only at polls (cheaper)");
ALWAYS_ENABLED_STATISTIC(NumSafepointDeclined, "Functions left stoppable anywhere (polls would cost more)");

namespace alaska {

static cl::opt<bool> PinClearOpt("alaska-pin-clear",
                                 cl::desc("Clear a pin slot where the addresses derived "
                                          "from its translation die (default on)"),
                                 cl::init(true));

namespace {

// RehandleMD (Common.h) marks the select that turns a library result back into a handle:
// its value is a handle, or a pointer outside the translated object (design.md §5.3).

bool isPointerLike(Type *Ty) {
  return Ty->isPtrOrPtrVectorTy();
}

// The set of values derived from translation T. False when one escapes where liveness
// cannot follow it.
bool collectDerived(Instruction *T, SmallVectorImpl<Instruction *> &Derived,
                    SmallPtrSetImpl<Instruction *> &InSet) {
  Derived.push_back(T);
  InSet.insert(T);
  auto Add = [&](Instruction *I) {
    if (InSet.insert(I).second) Derived.push_back(I);
  };
  for (unsigned K = 0; K < Derived.size(); ++K) {
    Instruction *V = Derived[K];
    for (Use &U : V->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      if (isa<LoadInst>(I)) continue; // the address of a load (its value is not derived)
      if (auto *S = dyn_cast<StoreInst>(I)) {
        if (U.getOperandNo() != S->getPointerOperandIndex()) return false;
        continue;
      }
      if (auto *A = dyn_cast<AtomicRMWInst>(I)) {
        if (U.getOperandNo() != A->getPointerOperandIndex()) return false;
        continue;
      }
      if (auto *X = dyn_cast<AtomicCmpXchgInst>(I)) {
        if (U.getOperandNo() != X->getPointerOperandIndex()) return false;
        continue;
      }
      if (isa<CmpInst>(I)) continue; // an i1 is never an address
      if (auto *G = dyn_cast<GetElementPtrInst>(I)) {
        // As an index, a derived integer is an offset (Res - T of EscapePass's rehandle:
        // the only place raw addresses become integers) on a base that is not derived.
        if (U.getOperandNo() == GetElementPtrInst::getPointerOperandIndex()) Add(G);
        continue;
      }
      if (auto *Sel = dyn_cast<SelectInst>(I)) {
        if (Sel->getMetadata(RehandleMD)) continue; // a handle again (or not this object)
        if (U.getOperandNo() != 0) Add(Sel);
        continue;
      }
      if (auto *CB = dyn_cast<CallBase>(I)) {
        if (CB->isCallee(&U)) return false;
        // Arguments: in use until the call returns. A pointer result may point into the
        // object (a library function not in the table): derived.
        if (isPointerLike(CB->getType())) Add(CB);
        continue;
      }
      if (isa<PHINode>(I) || isa<CastInst>(I) || isa<BinaryOperator>(I) || isa<FreezeInst>(I) ||
          isa<InsertElementInst>(I) || isa<ExtractElementInst>(I) ||
          isa<ShuffleVectorInst>(I) || isa<InsertValueInst>(I) || isa<ExtractValueInst>(I)) {
        Add(I);
        continue;
      }
      return false; // ret, va_arg, anything else: keep the slot for the frame's lifetime
    }
  }
  return true;
}

// Where the derived set of one site stops being live; see the file comment.
class ClearPlacer {
public:
  ClearPlacer(const DenseMap<BasicBlock *, unsigned> &Order) : Order(Order) {}
  // Program points (insert-before positions) where the slot may be cleared.
  SmallVector<Instruction *, 8> run(ArrayRef<Instruction *> Derived,
                                    const SmallPtrSetImpl<Instruction *> &InSet);
  // Blocks holding a point where the set is live, is defined, or where run() clears it.
  // After run(): a point where a barrier may stop the thread (mayStopAt) lies where the set
  // is live — after a definition (or at a live-in block top) and up to a use (or the end
  // of a block it leaves). A call that uses the set counts: the callee runs while it is live.
  // Planned polls (not inserted yet) count too: one runs right before each instruction in At.
  bool crossesStop(ArrayRef<Instruction *> Derived, const SmallPtrSetImpl<Instruction *> &At) const;
  void occupied(ArrayRef<Instruction *> Points, SmallPtrSetImpl<BasicBlock *> &Out) const {
    for (auto &KV : Flags) Out.insert(KV.first);
    for (auto &KV : Last) Out.insert(KV.first);
    for (Instruction *I : Points) Out.insert(I->getParent());
  }

private:
  const DenseMap<BasicBlock *, unsigned> &Order;
  enum : uint8_t { LiveIn = 1, LiveOut = 2 };
  DenseMap<BasicBlock *, uint8_t> Flags;
  DenseMap<BasicBlock *, Instruction *> Last; // last use/def of the set in a block
  SmallPtrSet<BasicBlock *, 8> PhiLiveIn;     // a derived phi with uses starts here

  void markLiveIn(BasicBlock *BB, BasicBlock *DefBB);
  void noteLast(Instruction *I);
};

void ClearPlacer::noteLast(Instruction *I) {
  BasicBlock *BB = I->getParent();
  Instruction *&L = Last[BB];
  if (!L || L->comesBefore(I)) L = I;
}

// Live at the top of BB: live at the end of every predecessor, and above, up to DefBB.
void ClearPlacer::markLiveIn(BasicBlock *BB, BasicBlock *DefBB) {
  SmallVector<BasicBlock *, 16> Work{BB};
  while (!Work.empty()) {
    BasicBlock *B = Work.pop_back_val();
    uint8_t &F = Flags[B];
    if (F & LiveIn) continue;
    F |= LiveIn;
    for (BasicBlock *P : predecessors(B)) {
      uint8_t &PF = Flags[P];
      PF |= LiveOut;
      if (P != DefBB) Work.push_back(P);
    }
  }
}

SmallVector<Instruction *, 8> ClearPlacer::run(ArrayRef<Instruction *> Derived,
                                               const SmallPtrSetImpl<Instruction *> &InSet) {
  for (Instruction *V : Derived) {
    BasicBlock *DefBB = V->getParent();
    noteLast(V);
    if (auto *P = dyn_cast<PHINode>(V))
      if (!P->use_empty()) PhiLiveIn.insert(DefBB);
    for (Use &U : V->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      if (auto *P = dyn_cast<PHINode>(I)) {
        // A use at the end of the incoming block.
        BasicBlock *In = P->getIncomingBlock(U);
        Flags[In] |= LiveOut;
        if (In != DefBB) markLiveIn(In, DefBB);
        continue;
      }
      noteLast(I);
      if (I->getParent() != DefBB) markLiveIn(I->getParent(), DefBB);
    }
  }
  // Blocks that need the set at their top: live-in, or a derived phi with uses starts them.
  auto NeededAtTop = [&](BasicBlock *S) {
    auto It = Flags.find(S);
    return (It != Flags.end() && (It->second & LiveIn)) || PhiLiveIn.count(S);
  };
  SmallVector<BasicBlock *, 16> Touched;
  for (auto &KV : Flags) Touched.push_back(KV.first);
  for (auto &KV : Last)
    if (!Flags.count(KV.first)) Touched.push_back(KV.first);
  llvm::sort(Touched, [&](BasicBlock *A, BasicBlock *B) { return Order.lookup(A) < Order.lookup(B); });

  SmallVector<Instruction *, 8> Points;
  SmallPtrSet<BasicBlock *, 8> TopDone;
  auto ClearAtTop = [&](BasicBlock *S) {
    if (NeededAtTop(S) || !TopDone.insert(S).second) return;
    BasicBlock::iterator It = S->getFirstInsertionPt();
    if (It != S->end()) Points.push_back(&*It); // (catchswitch blocks: keep the pin)
  };
  for (BasicBlock *BB : Touched) {
    auto FIt = Flags.find(BB);
    bool Out = FIt != Flags.end() && (FIt->second & LiveOut);
    Instruction *L = Last.lookup(BB);
    if (!Out && L && !L->isTerminator()) {
      // After the last use or definition in a block the set does not leave.
      Points.push_back(isa<PHINode>(L) ? &*BB->getFirstInsertionPt() : L->getNextNode());
      continue;
    }
    // Live to the end of the block (or last used by the terminator): successors the set
    // does not enter get the clear at their top.
    for (BasicBlock *S : successors(BB)) {
      bool Enters = NeededAtTop(S);
      if (Out && !Enters)
        for (PHINode &P : S->phis()) {
          auto *V = dyn_cast<Instruction>(P.getIncomingValueForBlock(BB));
          if (V && InSet.count(V)) Enters = true;
        }
      if (!Enters) ClearAtTop(S);
    }
  }
  return Points;
}

bool ClearPlacer::crossesStop(ArrayRef<Instruction *> Derived,
                              const SmallPtrSetImpl<Instruction *> &At) const {
  DenseMap<BasicBlock *, Instruction *> First;
  for (Instruction *V : Derived) {
    Instruction *&F = First[V->getParent()];
    if (!F || V->comesBefore(F)) F = V;
  }
  SmallPtrSet<BasicBlock *, 16> Blocks;
  for (auto &KV : Flags) Blocks.insert(KV.first);
  for (auto &KV : First) Blocks.insert(KV.first);
  for (BasicBlock *BB : Blocks) {
    auto FIt = Flags.find(BB);
    uint8_t Fl = FIt == Flags.end() ? 0 : FIt->second;
    bool Started = Fl & LiveIn;
    Instruction *Start = Started ? nullptr : First.lookup(BB);
    if (!Started && !Start) continue;
    Instruction *End = (Fl & LiveOut) ? nullptr : Last.lookup(BB);
    for (Instruction &I : *BB) {
      if (!Started) {
        Started = &I == Start;
        continue;
      }
      if (mayStopAt(I) || At.count(&I)) return true;
      if (&I == End) break;
    }
  }
  return false;
}

// setjmp & co. return a second time, from a longjmp, with the registers of the first
// return: values live after the call on that path (the translated address of the object
// holding the jmp_buf, typically) come back although the CFG shows no edge from the code
// that ran in between. SSA liveness does not see that, so such a function keeps every
// slot for its frame's lifetime.
bool callsReturnsTwice(Function &F) {
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (auto *CB = dyn_cast<CallBase>(&I))
        if (CB->hasFnAttr(Attribute::ReturnsTwice)) return true;
  return false;
}

void insertClear(Instruction *Before, AllocaInst *Frame, ArrayType *FrameTy, unsigned Index) {
  IRBuilder<> B(Before);
  B.CreateFence(AtomicOrdering::SequentiallyConsistent, SyncScope::SingleThread);
  Value *Slot = B.CreateConstInBoundsGEP2_64(FrameTy, Frame, 0, Index, "alaska.unpin");
  B.CreateAlignedStore(B.getInt64(0), Slot, Align(8), /*isVolatile=*/true);
}

// Back to a plain translation: no slot, no fences.
void unpin(CallInst *P, Function *Marker) {
  IRBuilder<> B(P);
  CallInst *T = B.CreateCall(Marker, {P->getArgOperand(0)});
  T->takeName(P);
  T->setDebugLoc(P->getDebugLoc());
  P->replaceAllUsesWith(T);
  P->eraseFromParent();
}

} // namespace

bool runPin(Module &M, bool PlanSafepoints) {
  if (!PinsOpt) return false;
  PlanSafepoints &= SafepointsOpt;
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
  SmallPtrSet<const Function *, 32> Recursive;
  if (PlanSafepoints) Recursive = recursiveFunctions(M);
  Type *I64 = Type::getInt64Ty(M.getContext());
  constexpr unsigned H = ALASKA_PIN_FRAME_HEADER_WORDS;
  for (auto &[F, Calls] : Sites) {
    unsigned N = Calls.size();
    // Markers first (slot operands set once slots are assigned), then the analysis.
    IRBuilder<> B(M.getContext());
    Value *NoSlot = PoisonValue::get(PointerType::getUnqual(M.getContext()));
    SmallVector<CallInst *, 16> Pinned;
    for (CallInst *CI : Calls) {
      B.SetInsertPoint(CI);
      CallInst *P = B.CreateCall(PinMarker, {CI->getArgOperand(0), NoSlot});
      P->takeName(CI);
      CI->replaceAllUsesWith(P);
      CI->eraseFromParent();
      Pinned.push_back(P);
    }
    // Per site: whether it is live across a point where the thread may stop (safepoint
    // mode), where to clear, and the blocks its slot is busy in (all of them when the site
    // is never cleared).
    bool Planned = PlanSafepoints && safepointEligible(*F);
    SafepointPlan Plan;
    if (Planned) Plan = planSafepoints(*F, Recursive);
    bool Safepoints = Planned || hasSafepoints(*F);
    bool Clear = PinClearOpt && !callsReturnsTwice(*F);
    if (PinClearOpt && !Clear) ++NumNoClearFunctions;
    DenseMap<BasicBlock *, unsigned> Order;
    for (BasicBlock &BB : *F) Order[&BB] = Order.size();
    SmallVector<SmallVector<Instruction *, 8>, 16> Points(N);
    SmallVector<SmallPtrSet<BasicBlock *, 16>, 16> Busy(N);
    SmallVector<bool, 16> Cleared(N, false), Unpinned(N, false);
    for (unsigned I = 0; (Clear || Safepoints) && I < N; ++I) {
      SmallVector<Instruction *, 16> Derived;
      SmallPtrSet<Instruction *, 16> InSet;
      if (!collectDerived(Pinned[I], Derived, InSet)) continue; // escapes: pinned for life
      ClearPlacer Placer(Order);
      SmallVector<Instruction *, 8> At = Placer.run(Derived, InSet);
      Unpinned[I] = Safepoints && !Placer.crossesStop(Derived, Plan.At);
      if (!Clear) continue;
      Points[I] = std::move(At);
      Placer.occupied(Points[I], Busy[I]);
      Cleared[I] = true;
    }
    // A function becomes stoppable only at polls if that is cheaper. Costs in instructions,
    // each weighted 8^loop depth: a poll is a compare with memory and a branch (2); a pin
    // no longer needed saves the slot store, its clear and the two compiler fences that
    // keep the backend from moving accesses across them (3); no pin at all saves the frame
    // header at every call (3 stores and the zeroing of the slots: 4). Otherwise it stays stoppable
    // anywhere, every site pinned, no polls (also every function without translations).
    if (Planned) {
      unsigned Saved = 0, All = 1;
      for (unsigned I = 0; I < N; ++I) {
        if (Unpinned[I]) Saved += 3 * Plan.Weight.lookup(Pinned[I]->getParent());
        All &= Unpinned[I];
      }
      if (All) Saved += 4;
      if (Saved > 2 * Plan.PollWeight) {
        commitSafepoints(*F, Plan);
        ++NumSafepointChosen;
      } else {
        for (unsigned I = 0; I < N; ++I) Unpinned[I] = false;
        ++NumSafepointDeclined;
      }
    }
    for (unsigned I = 0; I < N; ++I) {
      if (Unpinned[I]) ++NumSitesUnpinned;
      else if (Cleared[I]) {
        ++NumSitesCleared;
        NumClears += Points[I].size();
      }
    }
    // Slot sharing: two cleared sites whose busy blocks are disjoint never have a derived
    // address live where the other writes or clears the slot (between a site's write and
    // any use of its translation, every block executed is busy for it), so they may share
    // a slot. Sites never cleared keep a slot of their own. Greedy, in program order.
    SmallVector<unsigned, 16> SlotOf(N);
    SmallVector<SmallVector<unsigned, 4>, 16> Members; // slot -> cleared sites in it
    for (unsigned I = 0; I < N; ++I) {
      if (Unpinned[I]) continue;
      unsigned Chosen = Members.size();
      if (Cleared[I])
        for (unsigned S = 0; S < Members.size() && Chosen == Members.size(); ++S) {
          bool Free = !Members[S].empty();
          for (unsigned J : Members[S])
            for (BasicBlock *BB : Busy[I])
              if (Busy[J].count(BB)) { Free = false; break; }
          if (Free) Chosen = S;
        }
      if (Chosen == Members.size()) Members.emplace_back();
      if (Cleared[I]) Members[Chosen].push_back(I);
      SlotOf[I] = Chosen;
    }
    uint64_t NSlots = Members.size();
    NumSites += N;
    if (NSlots == 0) { // nothing live across a safepoint: no frame at all
      for (unsigned I = 0; I < N; ++I) unpin(Pinned[I], Marker);
      continue;
    }
    ++NumFrames;
    NumSlots += NSlots;

    B.SetInsertPoint(&*F->getEntryBlock().getFirstInsertionPt());
    ArrayType *FrameTy = ArrayType::get(I64, NSlots + H);
    AllocaInst *Frame = B.CreateAlloca(FrameTy, nullptr, "alaska.pins");
    Frame->setAlignment(Align(16));
    // Header after the static allocas, before any translation can run (translations come
    // after their roots' definitions); volatile accesses keep program order.
    B.SetInsertPoint(&*entryInsertionPoint(*F));
    if (NSlots > ALASKA_PIN_FRAME_MAX_SLOTS)
      fail(M, "alaska: " + F->getName() + " needs more pin slots than a frame holds");
    B.CreateAlignedStore(B.getInt64(ALASKA_PIN_FRAME_HEADER(NSlots)), Frame, Align(16),
                         /*isVolatile=*/true);
    for (unsigned I = 0; I < N; ++I) {
      if (Unpinned[I]) continue;
      B.SetInsertPoint(Pinned[I]);
      Pinned[I]->setArgOperand(
          1, B.CreateConstInBoundsGEP2_64(FrameTy, Frame, 0, H + SlotOf[I], "alaska.pin"));
      for (Instruction *At : Points[I]) insertClear(At, Frame, FrameTy, H + SlotOf[I]);
    }
    // Last: a clear of another site may have been placed before an unpinned marker.
    for (unsigned I = 0; I < N; ++I)
      if (Unpinned[I]) unpin(Pinned[I], Marker);
  }
  return true;
}

} // namespace alaska
