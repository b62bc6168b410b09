//==============================================================================
// TranslatePass.cpp — alaska-translate.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-translate in.ll -S -o out.ll
//
// Strategy (docs/design.md §5.4):
//  * An address is traced through GEPs to its root. Provably raw roots (allocas, globals,
//    results of uncompiled code...) are left alone.
//  * A root is translated ONCE, right after its definition (arguments: at function entry,
//    phis: after the block's phis, invoke results: at the start of the normal successor).
//    Every access the root dominates reuses that translation; GEP chains are rebuilt on the
//    translated root next to the original GEPs. A root defined outside a loop is therefore
//    translated outside it (in the preheader or earlier): hoisting falls out of placement.
//    Translation never faults (the table is a readable NORESERVE mapping), so translating
//    on paths that do not access the object is safe.
//  * Pointer-induction phi webs (p = phi [a, pre], [gep p, 1, latch]) whose outside roots
//    are defined outside the web's outermost loop are rebuilt in translated space: the
//    outside roots are translated once and the loop carries raw addresses.
//  * Vectors of pointers (gather/scatter) are translated per lane unless they are a vector
//    GEP over a scalar root.
//  * Module-wide raw-pointer proofs (RawFacts.cpp) are computed first: arguments, loads and
//    call results proven raw need no translation either.
//  * ALASKA_PASS_STATS=file: one line per module, `alaska-pass-stats: module=... sites=N
//    translated=N translations=N raw_base=N raw_new=N raw_arg=N raw_load=N raw_ret=N ...`
//    (address operands looked at, those using a translation, markers emitted, operands proven
//    raw without / with the module-wide facts, and per fact kind a proof needed; one proof
//    may need several kinds).
//==============================================================================
#include "TranslatePass.h"
#include "Common.h"
#include "RawFacts.h"

#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include <cstdlib>

using namespace llvm;

namespace alaska {
namespace {

// Measurement build only (bench/xlatecount/): every executed translation first calls
// alaska_bench_count_translation(h), which counts raw pointers, handles and handles of large
// objects (docs/bench.md, lever 5).
cl::opt<bool> CountTranslationsOpt(
    "alaska-count-translations",
    cl::desc("Alaska: call alaska_bench_count_translation(h) before every translation "
             "(measurement builds; link bench/xlatecount)"),
    cl::init(false));

struct SiteStats {
  uint64_t Sites = 0, Translated = 0, Translations = 0, RawBase = 0, RawNew = 0, RawArg = 0,
           RawLoad = 0, RawRet = 0;
  void count(bool Raw, unsigned Rules) {
    ++Sites;
    if (!Raw) {
      ++Translated;
      return;
    }
    if (!Rules) {
      ++RawBase;
      return;
    }
    ++RawNew;
    RawArg += (Rules & RuleArg) != 0;
    RawLoad += (Rules & RuleLoad) != 0;
    RawRet += (Rules & RuleRet) != 0;
  }
};

class FunctionTranslator {
public:
  FunctionTranslator(Function &F, SiteStats &Stats) : F(F), M(*F.getParent()), Stats(Stats) {}
  bool run();

private:
  Function &F;
  Module &M;
  SiteStats &Stats;
  bool LastRaw = false;   // translatedAddress found the address provably raw
  unsigned LastRules = 0; // ... using these RawRule facts
  DominatorTree DT;
  LoopInfo LI;
  DenseMap<Value *, Value *> RootTranslation; // root -> translated root
  DenseMap<Value *, Value *> Rebuilt;         // GEP on a root -> GEP on translated root
  bool Changed = false;

  void splitInvokeEdges();
  Instruction *placementFor(Value *Root);
  Value *translatedRoot(Value *Root, Instruction *UseSite);
  Value *translatedAddress(Value *Addr, Instruction *UseSite);
  Value *translatedVector(Value *Addr, Instruction *UseSite);
  Value *translateAt(Value *V, Instruction *Before);
  bool tryPhiWeb(PHINode *P);
  void translateOperand(Instruction *I, unsigned OpIdx);
  void keepFrameDuringCall(Instruction *I);
};

Value *FunctionTranslator::translateAt(Value *V, Instruction *Before) {
  IRBuilder<> B(Before);
  Changed = true;
  ++Stats.Translations;
  if (CountTranslationsOpt) {
    Type *Void = B.getVoidTy();
    FunctionType *CountTy = FunctionType::get(Void, {V->getType()}, false);
    B.CreateCall(getOrDeclare(M, CountTranslationFn, CountTy), {V});
  }
  return B.CreateCall(getTranslateMarker(M), {V}, V->getName() + ".tr");
}

// An invoke result is translated at the start of its normal successor, which must then
// have the invoke as its only predecessor.
void FunctionTranslator::splitInvokeEdges() {
  SmallVector<InvokeInst *, 8> Invokes;
  for (BasicBlock &BB : F)
    if (auto *II = dyn_cast<InvokeInst>(BB.getTerminator()))
      if (II->getType()->isPointerTy() && !II->getNormalDest()->getSinglePredecessor())
        Invokes.push_back(II);
  for (InvokeInst *II : Invokes) {
    SplitEdge(II->getParent(), II->getNormalDest());
    Changed = true;
  }
}

// Where the translation of Root goes, or null when it must be translated at each use.
Instruction *FunctionTranslator::placementFor(Value *Root) {
  if (isa<Argument>(Root)) return &*entryInsertionPoint(F);
  auto *I = dyn_cast<Instruction>(Root);
  if (!I) return nullptr;
  if (auto *II = dyn_cast<InvokeInst>(I)) {
    BasicBlock *Normal = II->getNormalDest();
    if (!Normal->getSinglePredecessor()) return nullptr;
    BasicBlock::iterator It = Normal->getFirstInsertionPt();
    return It == Normal->end() ? nullptr : &*It;
  }
  if (I->isTerminator()) return nullptr; // callbr
  if (isa<PHINode>(I) || I->isEHPad()) {
    BasicBlock::iterator It = I->getParent()->getFirstInsertionPt();
    return It == I->getParent()->end() ? nullptr : &*It;
  }
  return I->getNextNode();
}

Value *FunctionTranslator::translatedRoot(Value *Root, Instruction *UseSite) {
  auto It = RootTranslation.find(Root);
  if (It != RootTranslation.end()) return It->second;
  if (auto *P = dyn_cast<PHINode>(Root))
    if (tryPhiWeb(P)) return RootTranslation[Root];
  Instruction *At = placementFor(Root);
  if (!At) return translateAt(Root, UseSite); // rare: callbr results, odd constants
  Value *T = translateAt(Root, At);
  RootTranslation[Root] = T;
  return T;
}

// Rebuild the GEP chain from Addr down to its root on top of the root's translation.
Value *FunctionTranslator::translatedAddress(Value *Addr, Instruction *UseSite) {
  LastRaw = false;
  LastRules = 0;
  auto It = Rebuilt.find(Addr);
  if (It != Rebuilt.end()) return It->second;
  Value *Root = rootOf(Addr);
  if (isProvablyRaw(Root, &LastRules)) {
    LastRaw = true;
    return Addr;
  }
  SmallVector<GetElementPtrInst *, 4> Chain;
  for (Value *V = Addr; V != Root; V = cast<GetElementPtrInst>(V)->getPointerOperand())
    Chain.push_back(cast<GetElementPtrInst>(V));
  Value *Cur = translatedRoot(Root, UseSite);
  bool RootAtUse = !RootTranslation.count(Root);
  for (auto G = Chain.rbegin(); G != Chain.rend(); ++G) {
    auto Known = Rebuilt.find(*G);
    if (Known != Rebuilt.end() && !RootAtUse) {
      Cur = Known->second;
      continue;
    }
    auto *Clone = cast<GetElementPtrInst>((*G)->clone());
    Clone->setOperand(GetElementPtrInst::getPointerOperandIndex(), Cur);
    Clone->setName((*G)->getName() + ".tr");
    if (RootAtUse)
      Clone->insertBefore(UseSite);
    else {
      Clone->insertAfter(*G);
      Rebuilt[*G] = Clone;
    }
    Cur = Clone;
  }
  return Cur;
}

// Vector of pointers: a vector GEP over a scalar root shares the root's translation;
// anything else is translated lane by lane.
Value *FunctionTranslator::translatedVector(Value *Addr, Instruction *UseSite) {
  if (auto *G = dyn_cast<GetElementPtrInst>(Addr)) {
    Value *Base = G->getPointerOperand();
    Value *TB = Base->getType()->isVectorTy() ? translatedVector(Base, UseSite)
                                              : translatedAddress(Base, UseSite);
    if (TB == Base) return Addr;
    auto *Clone = cast<GetElementPtrInst>(G->clone());
    Clone->setOperand(GetElementPtrInst::getPointerOperandIndex(), TB);
    Clone->setName(G->getName() + ".tr");
    Clone->insertBefore(UseSite);
    return Clone;
  }
  if (isProvablyRaw(Addr)) return Addr;
  auto *VT = cast<FixedVectorType>(Addr->getType());
  IRBuilder<> B(UseSite);
  Value *Result = PoisonValue::get(VT);
  for (unsigned Lane = 0; Lane < VT->getNumElements(); ++Lane) {
    Value *P = B.CreateExtractElement(Addr, B.getInt64(Lane));
    Value *T = translateAt(P, UseSite);
    B.SetInsertPoint(UseSite);
    Result = B.CreateInsertElement(Result, T, B.getInt64(Lane));
  }
  return Result;
}

// Pointer-induction web: the phis reachable from P through incoming GEP chains. Rebuilt
// with translated phis when every root entering the web from outside is defined outside
// the web's outermost loop (so its translation, and the pin slot holding its handle, is
// not overwritten while the web is live).
bool FunctionTranslator::tryPhiWeb(PHINode *P) {
  SmallVector<PHINode *, 8> Web{P};
  SmallPtrSet<PHINode *, 8> InWeb{P};
  SmallVector<Value *, 8> Outside;
  for (unsigned I = 0; I < Web.size(); ++I) {
    if (Web.size() > 16) return false;
    for (Value *In : Web[I]->incoming_values()) {
      Value *R = rootOf(In);
      if (auto *RP = dyn_cast<PHINode>(R)) {
        if (RootTranslation.count(RP)) { Outside.push_back(RP); continue; }
        if (InWeb.insert(RP).second) Web.push_back(RP);
        continue;
      }
      Outside.push_back(R);
    }
  }
  // Loops whose iterations the web's values live across: the innermost loop of each phi.
  SmallVector<Loop *, 8> Loops;
  for (PHINode *W : Web)
    if (Loop *L = LI.getLoopFor(W->getParent())) Loops.push_back(L);
  if (Loops.empty()) return false; // no loop: translating the phi itself costs the same
  auto InsideWebLoop = [&](Instruction *I) {
    for (Loop *L : Loops)
      if (L->contains(I)) return true;
    return false;
  };
  for (Value *R : Outside) {
    if (isProvablyRaw(R) || isa<Argument>(R)) continue;
    if (RootTranslation.count(R)) {
      auto *T = dyn_cast<Instruction>(RootTranslation[R]);
      if (!T || InsideWebLoop(T)) return false;
      continue;
    }
    auto *I = dyn_cast<Instruction>(R);
    if (!I || InsideWebLoop(I) || !placementFor(R)) return false;
  }
  // Create the translated phis first (cycles), then fill their incoming values.
  SmallVector<std::pair<PHINode *, PHINode *>, 8> Pairs;
  for (PHINode *W : Web) {
    PHINode *T = PHINode::Create(W->getType(), W->getNumIncomingValues(),
                                 W->getName() + ".tr");
    T->insertInto(W->getParent(), W->getParent()->getFirstNonPHIIt()); // not onto dbg records
    RootTranslation[W] = T;
    Pairs.push_back({W, T});
  }
  for (auto &[W, T] : Pairs)
    for (unsigned I = 0; I < W->getNumIncomingValues(); ++I) {
      BasicBlock *From = W->getIncomingBlock(I);
      T->addIncoming(translatedAddress(W->getIncomingValue(I), From->getTerminator()), From);
    }
  Changed = true;
  return true;
}

void FunctionTranslator::translateOperand(Instruction *I, unsigned OpIdx) {
  Value *V = I->getOperand(OpIdx);
  Type *Ty = V->getType();
  Value *T;
  if (auto *VT = dyn_cast<VectorType>(Ty)) {
    if (!VT->getElementType()->isPointerTy() || VT->getElementType()->getPointerAddressSpace())
      return;
    if (!isa<FixedVectorType>(VT)) {
      fail(M, "alaska: scalable vectors of pointers are not supported");
      return;
    }
    T = translatedVector(V, I);
    Stats.count(T == V, 0);
  } else {
    if (!Ty->isPointerTy() || Ty->getPointerAddressSpace() != 0) return;
    T = translatedAddress(V, I);
    Stats.count(LastRaw, LastRules);
  }
  if (T == V) return;
  I->setOperand(OpIdx, T);
  Changed = true;
  keepFrameDuringCall(I);
}

// A callee that receives a translated address must run while the caller's frame (and its
// pin slots) is alive: no sibling call.
void FunctionTranslator::keepFrameDuringCall(Instruction *I) {
  auto *CI = dyn_cast<CallInst>(I);
  if (!CI) return;
  if (CI->isMustTailCall())
    fail(M, "alaska: musttail call in '" + F.getName() + "' passes a translated pointer");
  else
    CI->setTailCallKind(CallInst::TCK_None);
}

// Intrinsics that take pointers but never dereference them.
bool isNonAccessingIntrinsic(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::lifetime_start:
  case Intrinsic::lifetime_end:
  case Intrinsic::invariant_start:
  case Intrinsic::invariant_end:
  case Intrinsic::launder_invariant_group:
  case Intrinsic::strip_invariant_group:
  case Intrinsic::objectsize:
  case Intrinsic::ptrmask:
  case Intrinsic::assume:
  case Intrinsic::var_annotation:
  case Intrinsic::ptr_annotation:
  case Intrinsic::is_constant:
  case Intrinsic::stackrestore:
  case Intrinsic::dbg_declare:
  case Intrinsic::dbg_value:
  case Intrinsic::dbg_assign:
  case Intrinsic::dbg_label:
  case Intrinsic::experimental_noalias_scope_decl:
  case Intrinsic::pseudoprobe:
  case Intrinsic::type_test:
  case Intrinsic::public_type_test:
  case Intrinsic::type_checked_load:
  case Intrinsic::icall_branch_funnel:
  case Intrinsic::experimental_gc_statepoint:
  case Intrinsic::eh_typeid_for:
    return true;
  default:
    return false;
  }
}

bool FunctionTranslator::run() {
  splitInvokeEdges();
  DT.recalculate(F);
  LI.analyze(DT);

  struct Work {
    Instruction *I;
    unsigned Op;
  };
  SmallVector<Work, 64> Sites;
  SmallVector<CallInst *, 16> Escapes;
  for (BasicBlock &BB : F)
    for (Instruction &I : BB) {
      if (I.getMetadata(NoTranslateMD)) continue; // reads code bytes (function magic)
      if (auto *L = dyn_cast<LoadInst>(&I))
        Sites.push_back({L, L->getPointerOperandIndex()});
      else if (auto *S = dyn_cast<StoreInst>(&I))
        Sites.push_back({S, S->getPointerOperandIndex()});
      else if (auto *A = dyn_cast<AtomicRMWInst>(&I))
        Sites.push_back({A, A->getPointerOperandIndex()});
      else if (auto *X = dyn_cast<AtomicCmpXchgInst>(&I))
        Sites.push_back({X, X->getPointerOperandIndex()});
      else if (auto *CB = dyn_cast<CallBase>(&I)) {
        if (isMarkerCall(CB, EscapeMarker)) {
          Escapes.push_back(cast<CallInst>(CB));
          continue;
        }
        if (auto *II = dyn_cast<IntrinsicInst>(CB)) {
          if (isNonAccessingIntrinsic(II->getIntrinsicID()) || II->doesNotAccessMemory())
            continue;
          for (unsigned A = 0; A < II->arg_size(); ++A) Sites.push_back({II, A});
          continue;
        }
        // byval/inalloca/preallocated: the call copies the pointee in the caller.
        for (unsigned A = 0; A < CB->arg_size(); ++A)
          if (CB->isByValArgument(A) || CB->isInAllocaArgument(A) ||
              CB->isPassPointeeByValueArgument(A))
            Sites.push_back({CB, A});
      }
    }
  for (Work &W : Sites) translateOperand(W.I, W.Op);
  for (CallInst *E : Escapes) {
    Value *V = E->getArgOperand(0);
    Value *T = translatedAddress(V, E);
    Stats.count(LastRaw, LastRules);
    if (T != V)
      for (User *U : E->users()) keepFrameDuringCall(cast<Instruction>(U));
    E->replaceAllUsesWith(T);
    E->eraseFromParent();
    Changed = true;
  }
  return Changed;
}

} // namespace

#define DEBUG_TYPE "alaska-translate"
// `opt -stats` / `clang -mllvm -stats`: ALWAYS_ENABLED so a release build of LLVM counts them.
ALWAYS_ENABLED_STATISTIC(NumSites, "Memory accesses and escapes looked at");
ALWAYS_ENABLED_STATISTIC(NumTranslated, "Sites that need a translation");
ALWAYS_ENABLED_STATISTIC(NumTranslations, "Translations emitted (after hoisting and sharing)");
ALWAYS_ENABLED_STATISTIC(NumRawProved, "Sites proved raw (no translation)");

static void appendStats(const Module &M, const SiteStats &S, const RawFacts &Facts) {
  NumSites += S.Sites;
  NumTranslated += S.Translated;
  NumTranslations += S.Translations;
  NumRawProved += S.RawBase + S.RawNew;
  const char *Path = std::getenv("ALASKA_PASS_STATS");
  if (!Path || !*Path) return;
  std::error_code EC;
  raw_fd_ostream Out(Path, EC, sys::fs::OF_Append | sys::fs::OF_Text);
  if (EC) return; // statistics are best effort; never fail a compile for them
  std::string Line;
  raw_string_ostream L(Line);
  L << "alaska-pass-stats: module=" << M.getModuleIdentifier() << " sites=" << S.Sites
    << " translated=" << S.Translated << " translations=" << S.Translations
    << " raw_base=" << S.RawBase << " raw_new=" << S.RawNew << " raw_arg=" << S.RawArg
    << " raw_load=" << S.RawLoad << " raw_ret=" << S.RawRet << " facts_args=" << Facts.numArgs()
    << " facts_memory=" << Facts.numMemory() << " facts_returns=" << Facts.numReturns() << "\n";
  Out << L.str(); // one write(2) with O_APPEND: parallel compiles do not interleave
}

bool runTranslate(Module &M) {
  bool Changed = false;
  RawFacts Facts;
  Facts.compute(M);
  RawFactsScope Scope(Facts);
  SiteStats Stats;
  for (Function &F : M) {
    if (F.isDeclaration() || F.getName().starts_with(MarkerPrefix)) continue;
    Changed |= FunctionTranslator(F, Stats).run();
  }
  appendStats(M, Stats, Facts);
  return Changed;
}

} // namespace alaska
