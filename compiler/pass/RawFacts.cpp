// RawFacts.cpp — the module-wide raw-pointer proofs of docs/design.md §5.4.
//
// Three kinds of facts, all computed together as a greatest fixpoint (start by assuming
// every candidate fact, drop those whose requirements fail, repeat until nothing changes):
//  * argument A of F is raw: F has local linkage (after LTO's internalisation: every
//    function the program does not export) and its address is never taken, so every call
//    is a direct call in this module, and every call passes a raw value for A;
//  * memory object O (a global or an alloca) holds only raw pointers: nothing outside the
//    uses below can reach it (a local-linkage global, or a constant one; an alloca), its
//    address never escapes (only loads, stores to it, comparisons, memset/memcpy), every
//    pointer stored into it is raw, every memcpy into it copies from raw-only memory that
//    receives no non-constant integer at all, and no non-constant integer is stored over
//    bytes a pointer is loaded from (type punning);
//  * function F returns only raw pointers: F's definition is the one that runs (exact,
//    not interposable) and every `ret` returns a raw value.
// "Raw" is isProvablyRaw (Common.cpp) under the facts assumed so far, so facts may depend
// on each other (a static allocator returning pointers into a static array, stored into a
// static global, loaded in a hot loop). Soundness: design.md §5.4.
#include "RawFacts.h"
#include "Common.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/CommandLine.h"

using namespace llvm;

namespace alaska {

static cl::opt<bool> RawProofsOpt(
    "alaska-raw-proofs",
    cl::desc("Alaska: prove arguments, loads and call results raw module-wide (default on)"),
    cl::init(true));
static cl::opt<bool> RawArgsOpt("alaska-raw-args",
                                cl::desc("Alaska: raw-pointer rule for arguments"), cl::init(true));
static cl::opt<bool> RawLoadsOpt("alaska-raw-loads",
                                 cl::desc("Alaska: raw-pointer rule for loads from raw-only memory"),
                                 cl::init(true));
static cl::opt<bool> RawReturnsOpt("alaska-raw-returns",
                                   cl::desc("Alaska: raw-pointer rule for call results"),
                                   cl::init(true));

static thread_local const RawFacts *Current = nullptr;
RawFactsScope::RawFactsScope(const RawFacts &Facts) { Current = &Facts; }
RawFactsScope::~RawFactsScope() { Current = nullptr; }
const RawFacts *currentRawFacts() { return Current; }

static bool isPointerLike(Type *T) {
  if (auto *VT = dyn_cast<VectorType>(T)) T = VT->getElementType();
  return T->isPointerTy() && T->getPointerAddressSpace() == 0;
}

// A constant can hold a handle only as an inttoptr of a value with bit 63 set (a handle is a
// run-time value; anything else in a constant is an address or plain data).
static bool constantHoldsNoHandle(const Constant *C, unsigned Depth = 0) {
  if (Depth > 16) return false;
  if (const auto *CE = dyn_cast<ConstantExpr>(C)) {
    if (CE->getOpcode() == Instruction::IntToPtr) {
      const auto *CI = dyn_cast<ConstantInt>(CE->getOperand(0));
      return CI && !CI->isNegative();
    }
  }
  for (const Use &U : C->operands())
    if (const auto *Op = dyn_cast<Constant>(U.get()))
      if (!isa<GlobalValue>(Op) && !constantHoldsNoHandle(Op, Depth + 1)) return false;
  return true;
}

// The memory object a pointer is derived from by constant or instruction GEPs and casts.
static const Value *memoryObjectOf(const Value *P) {
  for (unsigned I = 0; I < 32; ++I) {
    if (const auto *G = dyn_cast<GEPOperator>(P)) {
      P = G->getPointerOperand();
      continue;
    }
    if (const auto *O = dyn_cast<Operator>(P))
      if (O->getOpcode() == Instruction::BitCast || O->getOpcode() == Instruction::AddrSpaceCast) {
        P = O->getOperand(0);
        continue;
      }
    break;
  }
  if (isa<GlobalVariable>(P) || isa<AllocaInst>(P)) return P;
  return nullptr;
}

bool RawFacts::loadIsRaw(const LoadInst *L) const {
  if (!isPointerLike(L->getType())) return false;
  const Value *Obj = memoryObjectOf(L->getPointerOperand());
  return Obj && Memory.count(Obj);
}

void RawFacts::addArgumentCandidates(Function &F) {
  // Address taken in any way (assume-like intrinsics included): callers we cannot see,
  // e.g. an indirect call from compiled code passing handles.
  if (!F.hasLocalLinkage() || F.hasAddressTaken(nullptr, false, false)) return;
  for (Argument &A : F.args()) {
    if (!isPointerLike(A.getType()) || isProvablyRaw(&A)) continue; // byval: raw anyway
    Needs N;
    for (const Use &U : F.uses()) {
      const auto *CB = dyn_cast<CallBase>(U.getUser());
      if (!CB) continue; // blockaddress: not a call
      if (!CB->isCallee(&U) || A.getArgNo() >= CB->arg_size()) return;
      N.Values.push_back(CB->getArgOperand(A.getArgNo()));
    }
    Args.insert(&A);
    Requires[&A] = std::move(N);
  }
}

void RawFacts::addReturnCandidate(Function &F) {
  if (!isPointerLike(F.getReturnType()) || !F.hasExactDefinition()) return;
  if (!F.hasLocalLinkage() && !F.isDSOLocal()) return; // may be preempted by another DSO
  Needs N;
  for (BasicBlock &BB : F)
    if (auto *R = dyn_cast<ReturnInst>(BB.getTerminator()))
      if (Value *V = R->getReturnValue()) N.Values.push_back(V);
  Returns.insert(&F);
  Requires[&F] = std::move(N);
}

namespace {
struct ByteRange {
  bool Known;
  int64_t Lo, Hi; // [Lo, Hi)
  bool overlaps(const ByteRange &O) const {
    return !Known || !O.Known || (Lo < O.Hi && O.Lo < Hi);
  }
};
} // namespace

void RawFacts::addMemoryCandidate(const Value *Obj, const DataLayout &DL) {
  Needs N;
  SmallVector<ByteRange, 8> PointerLoads, IntegerStores;
  // (pointer derived from Obj, its offset if known)
  SmallVector<std::pair<const Value *, ByteRange>, 16> Work{{Obj, {true, 0, 0}}};
  SmallPtrSet<const Value *, 16> Seen{Obj};
  auto Size = [&](Type *T) { return int64_t(DL.getTypeStoreSize(T).getKnownMinValue()); };
  auto At = [](ByteRange Base, int64_t Len) {
    return ByteRange{Base.Known, Base.Lo, Base.Lo + Len};
  };
  auto StoredValue = [&](const Value *V, ByteRange R) {
    if (isPointerLike(V->getType())) {
      N.Values.push_back(V);
      return true;
    }
    if (const auto *C = dyn_cast<Constant>(V)) return constantHoldsNoHandle(C);
    IntegerStores.push_back(R); // integer/FP bits over pointer bytes: type punning
    return true;
  };
  while (!Work.empty()) {
    auto [P, Off] = Work.pop_back_val();
    if (Seen.size() > 512) return; // huge use web: not worth proving
    for (const Use &U : P->uses()) {
      const User *Usr = U.getUser();
      if (const auto *G = dyn_cast<GEPOperator>(Usr)) {
        if (G->getPointerOperand() != P) return; // used as an index?!
        APInt Delta(DL.getIndexTypeSizeInBits(G->getType()), 0);
        ByteRange R = Off;
        if (Off.Known && G->accumulateConstantOffset(DL, Delta))
          R.Lo = R.Hi = Off.Lo + Delta.getSExtValue();
        else
          R.Known = false;
        if (Seen.insert(G).second) Work.push_back({G, R});
        continue;
      }
      if (const auto *O = dyn_cast<Operator>(Usr))
        if (O->getOpcode() == Instruction::BitCast || O->getOpcode() == Instruction::AddrSpaceCast) {
          if (Seen.insert(O).second) Work.push_back({O, Off});
          continue;
        }
      if (const auto *L = dyn_cast<LoadInst>(Usr)) {
        if (isPointerLike(L->getType())) PointerLoads.push_back(At(Off, Size(L->getType())));
        continue;
      }
      if (const auto *S = dyn_cast<StoreInst>(Usr)) {
        if (U.getOperandNo() != StoreInst::getPointerOperandIndex()) return; // address stored
        if (!StoredValue(S->getValueOperand(), At(Off, Size(S->getValueOperand()->getType()))))
          return;
        continue;
      }
      if (const auto *X = dyn_cast<AtomicCmpXchgInst>(Usr)) {
        if (U.getOperandNo() != AtomicCmpXchgInst::getPointerOperandIndex()) return;
        if (!StoredValue(X->getNewValOperand(), At(Off, Size(X->getNewValOperand()->getType()))))
          return;
        continue;
      }
      if (const auto *A = dyn_cast<AtomicRMWInst>(Usr)) {
        if (U.getOperandNo() != AtomicRMWInst::getPointerOperandIndex()) return;
        if (A->getOperation() == AtomicRMWInst::Xchg && isPointerLike(A->getType())) {
          N.Values.push_back(A->getValOperand());
          continue;
        }
        IntegerStores.push_back(At(Off, Size(A->getType())));
        continue;
      }
      if (isa<ICmpInst>(Usr)) continue;
      if (const auto *II = dyn_cast<IntrinsicInst>(Usr)) {
        switch (II->getIntrinsicID()) {
        case Intrinsic::lifetime_start:
        case Intrinsic::lifetime_end:
          continue;
        default:
          break;
        }
        if (const auto *MS = dyn_cast<MemSetInst>(II)) {
          if (U.getOperandNo() != 0) return;
          if (!isa<Constant>(MS->getValue())) {
            const auto *Len = dyn_cast<ConstantInt>(MS->getLength());
            IntegerStores.push_back(Len ? At(Off, Len->getSExtValue()) : ByteRange{false, 0, 0});
          }
          continue;
        }
        if (const auto *MT = dyn_cast<MemTransferInst>(II)) {
          if (U.getOperandNo() == 1) continue; // copied from: a read
          if (U.getOperandNo() != 0) return;
          const Value *Src = memoryObjectOf(MT->getRawSource());
          if (!Src) return; // copied from memory that may hold handles
          // The copy may move any of Src's bytes over our pointer bytes, so Src must be
          // raw-only *and* free of integer stores (which may carry a handle's bits).
          N.Memory.push_back(Src);
          continue;
        }
      }
      return; // anything else: the address escapes (call argument, phi, ptrtoint...)
    }
  }
  if (PointerLoads.empty()) return; // nothing loaded from it needs the fact
  for (const ByteRange &S : IntegerStores)
    for (const ByteRange &L : PointerLoads)
      if (S.overlaps(L)) return;
  Memory.insert(Obj);
  if (IntegerStores.empty()) NoIntegerStores.insert(Obj);
  Requires[Obj] = std::move(N);
}

bool RawFacts::holds(const Needs &N) const {
  for (const Value *V : N.Values)
    if (!isProvablyRaw(V)) return false;
  for (const Value *O : N.Memory)
    if (!Memory.count(O) || !NoIntegerStores.count(O)) return false;
  return true;
}

void RawFacts::compute(Module &M) {
  Args.clear();
  Memory.clear();
  NoIntegerStores.clear();
  Returns.clear();
  Requires.clear();
  if (!RawProofsOpt) return;
  RawFactsScope Scope(*this); // the candidates' requirements are checked under the facts
  const DataLayout &DL = M.getDataLayout();
  if (RawLoadsOpt) {
    for (GlobalVariable &G : M.globals()) {
      if (G.isDeclaration() || !G.hasDefinitiveInitializer() || G.isExternallyInitialized() ||
          G.isThreadLocal() || G.getAddressSpace() != 0)
        continue;
      if (!constantHoldsNoHandle(G.getInitializer())) continue;
      if (G.isConstant()) {
        // Never written: what its initializer holds is all it ever holds.
        Memory.insert(&G);
        NoIntegerStores.insert(&G);
        Requires[&G] = Needs();
        continue;
      }
      if (G.hasLocalLinkage()) addMemoryCandidate(&G, DL);
    }
  }
  for (Function &F : M) {
    if (F.isDeclaration() || F.getName().starts_with(MarkerPrefix)) continue;
    if (RawArgsOpt) addArgumentCandidates(F);
    if (RawReturnsOpt) addReturnCandidate(F);
    if (RawLoadsOpt)
      for (Instruction &I : F.getEntryBlock())
        if (auto *AI = dyn_cast<AllocaInst>(&I))
          if (AI->getAddressSpace() == 0) addMemoryCandidate(AI, DL);
  }
  // Greatest fixpoint: drop facts whose requirements fail under the others, until stable.
  for (bool Changed = true; Changed;) {
    Changed = false;
    SmallVector<const void *, 16> Drop;
    for (auto &[Key, N] : Requires)
      if (!holds(N)) Drop.push_back(Key);
    for (const void *Key : Drop) {
      Requires.erase(Key);
      Args.erase(static_cast<const Argument *>(Key));
      Memory.erase(static_cast<const Value *>(Key));
      Returns.erase(static_cast<const Function *>(Key));
      Changed = true;
    }
  }
}

} // namespace alaska
