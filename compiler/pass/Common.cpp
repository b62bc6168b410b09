// Common.cpp — callee classification, the "provably raw" test and shared helpers.
#include "Common.h"
#include "LibcTable.h"
#include "RawFacts.h"
#include "SystemSymbols.h"

#include "alaska/abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Object/ELFObjectFile.h"

#include <algorithm>
#include <cstring>

using namespace llvm;

namespace alaska {

cl::opt<Mode> ModeOpt(
    "alaska-mode", cl::desc("Alaska: which functions count as compiled by Alaska"),
    cl::init(Mode::Auto),
    cl::values(clEnumValN(Mode::Auto, "auto", "per-TU, or whole-program at the LTO link"),
               clEnumValN(Mode::PerTU, "tu", "declarations exported by system libraries are uncompiled"),
               clEnumValN(Mode::LTO, "lto", "everything not defined in the module is uncompiled"),
               clEnumValN(Mode::Off, "off", "do not transform (the pipeline is a no-op)")));

cl::opt<bool> PinsOpt("alaska-pins",
                      cl::desc("Alaska: record translated handles in pin slots (default on)"),
                      cl::init(true));

static cl::list<std::string> ExtraUncompiled(
    "alaska-uncompiled",
    cl::desc("Alaska: extra function names to treat as not compiled by Alaska"),
    cl::CommaSeparated);

static cl::list<std::string> UncompiledLibs(
    "alaska-uncompiled-lib",
    cl::desc("Alaska: shared libraries not compiled by Alaska: the functions they export are "
             "uncompiled and objects passed to them are pinned for life (they may keep "
             "pointers)"),
    cl::CommaSeparated);


bool isWholeProgram(const Module &M) {
  if (ModeOpt == Mode::LTO) return true;
  if (ModeOpt == Mode::PerTU) return false;
  return M.getNamedMetadata(WholeProgramMD) != nullptr;
}

void setWholeProgram(Module &M, bool On) {
  if (On)
    M.getOrInsertNamedMetadata(WholeProgramMD);
  else if (NamedMDNode *N = M.getNamedMetadata(WholeProgramMD))
    M.eraseNamedMetadata(N);
}

bool isRuntimeName(StringRef Name) {
  // Every runtime entry point the pass may call is named alaska_* or h*alloc/hfree (abi.h).
  static const char *const Exact[] = {ALASKA_RT_MALLOC, ALASKA_RT_CALLOC, ALASKA_RT_REALLOC,
                                      ALASKA_RT_FREE};
  for (const char *E : Exact)
    if (Name == E) return true;
  return Name.starts_with("alaska_");
}

bool isSystemSymbol(StringRef Name) {
  const char *const *Begin = SystemSymbols, *const *End = SystemSymbols + NumSystemSymbols;
  auto It = std::lower_bound(Begin, End, Name,
                             [](const char *A, StringRef B) { return StringRef(A) < B; });
  if (It != End && Name == *It) return true;
  for (const std::string &S : ExtraUncompiled)
    if (Name == S) return true;
  return false;
}

// Function names exported by the -alaska-uncompiled-lib libraries, read once per process
// from their dynamic symbol tables. An unreadable library is a compile error.
static const StringSet<> &uncompiledLibSymbols(const Module &M) {
  static StringSet<> Names;
  static bool Loaded = false;
  if (Loaded) return Names;
  Loaded = true;
  for (const std::string &Path : UncompiledLibs) {
    auto Bin = object::ObjectFile::createObjectFile(Path);
    if (!Bin) {
      fail(const_cast<Module &>(M), "alaska: cannot read -alaska-uncompiled-lib " + Path +
                                        ": " + toString(Bin.takeError()));
      continue;
    }
    auto *Elf = dyn_cast<object::ELFObjectFileBase>(Bin->getBinary());
    if (!Elf) {
      fail(const_cast<Module &>(M),
           "alaska: -alaska-uncompiled-lib " + Path + " is not an ELF shared library");
      continue;
    }
    for (const object::ELFSymbolRef &Sym : Elf->getDynamicSymbolIterators()) {
      Expected<uint32_t> Flags = Sym.getFlags();
      Expected<object::SymbolRef::Type> Type = Sym.getType();
      Expected<StringRef> Name = Sym.getName();
      if (!Flags || !Type || !Name) {
        consumeError(Flags.takeError());
        consumeError(Type.takeError());
        consumeError(Name.takeError());
        continue;
      }
      if ((*Flags & object::SymbolRef::SF_Undefined) || *Type != object::SymbolRef::ST_Function)
        continue;
      Names.insert(Name->split('@').first);
    }
  }
  return Names;
}

bool isUncompiledLibSymbol(const Module &M, StringRef Name) {
  return !UncompiledLibs.empty() && uncompiledLibSymbols(M).contains(Name);
}

CalleeKind classifyFunction(const Function &F) {
  if (F.isIntrinsic()) return CalleeKind::Intrinsic;
  StringRef Name = F.getName();
  if (Name.starts_with(MarkerPrefix)) return CalleeKind::Marker;
  if (isRuntimeName(Name)) return CalleeKind::Runtime;
  // A definition in this module wins (programs may define their own strchr...).
  if (!F.isDeclarationForLinker()) return CalleeKind::Compiled;
  LibcRules Rules = findLibcRules(Name);
  for (unsigned I = 0; I < Rules.Count; ++I)
    if (Rules.First[I].Kind == Effect::CompiledCopy || Rules.First[I].Kind == Effect::Redirect)
      return CalleeKind::Compiled;
  if (Rules.Count != 0) return CalleeKind::Uncompiled;
  if (isWholeProgram(*F.getParent())) return CalleeKind::Uncompiled;
  if (isUncompiledLibSymbol(*F.getParent(), Name)) return CalleeKind::Uncompiled;
  return isSystemSymbol(Name) ? CalleeKind::Uncompiled : CalleeKind::Compiled;
}

CalleeKind classifyCall(const CallBase &CB) {
  if (CB.isInlineAsm()) return CalleeKind::Uncompiled;
  const Value *Callee = CB.getCalledOperand()->stripPointerCastsAndAliases();
  if (const auto *F = dyn_cast<Function>(Callee)) return classifyFunction(*F);
  return CalleeKind::Unknown;
}

static bool isRawLeaf(const Value *V, unsigned &RulesUsed) {
  if (isa<AllocaInst>(V) || isa<GlobalValue>(V)) return true;
  if (isa<ConstantPointerNull>(V) || isa<UndefValue>(V)) return true;
  if (const auto *CE = dyn_cast<ConstantExpr>(V)) {
    if (CE->getOpcode() == Instruction::IntToPtr) {
      if (const auto *CI = dyn_cast<ConstantInt>(CE->getOperand(0)))
        return !CI->isNegative(); // bit 63 clear: not a handle
      return false;
    }
    if (CE->getOpcode() == Instruction::GetElementPtr)
      return isRawLeaf(CE->getOperand(0), RulesUsed);
    return false;
  }
  if (isa<Constant>(V)) return true; // aggregates/vectors of globals, null, undef
  if (const auto *I2P = dyn_cast<IntToPtrInst>(V))
    if (const auto *CI = dyn_cast<ConstantInt>(I2P->getOperand(0))) return !CI->isNegative();
  const RawFacts *Facts = currentRawFacts();
  if (const auto *A = dyn_cast<Argument>(V)) {
    if (A->hasByValAttr() || A->hasInAllocaAttr() || A->hasPreallocatedAttr()) return true;
    if (Facts && Facts->argIsRaw(A)) {
      RulesUsed |= RuleArg;
      return true;
    }
    return false;
  }
  if (const auto *L = dyn_cast<LoadInst>(V)) {
    if (Facts && Facts->loadIsRaw(L)) {
      RulesUsed |= RuleLoad;
      return true;
    }
    return false;
  }
  if (const auto *CB = dyn_cast<CallBase>(V)) {
    if (const auto *II = dyn_cast<IntrinsicInst>(CB)) {
      switch (II->getIntrinsicID()) {
      case Intrinsic::stacksave:
      case Intrinsic::threadlocal_address:
      case Intrinsic::frameaddress:
      case Intrinsic::returnaddress:
      case Intrinsic::sponentry:
        return true;
      default:
        return false;
      }
    }
    // Pointers returned by uncompiled code are raw (results derived from a handle
    // argument were re-handled by alaska-escape and are no longer calls), except values the
    // library hands back (the table's ReturnsOpaque).
    if (Facts)
      if (const auto *F = dyn_cast<Function>(CB->getCalledOperand()))
        if (Facts->returnsRaw(F)) {
          RulesUsed |= RuleRet;
          return true;
        }
    if (classifyCall(*CB) != CalleeKind::Uncompiled) return false;
    if (const Function *F = CB->getCalledFunction()) {
      LibcRules Rules = findLibcRules(F->getName());
      for (unsigned I = 0; I < Rules.Count; ++I)
        if (Rules.First[I].Kind == Effect::ReturnsOpaque) return false;
    }
    return true;
  }
  return false;
}

// Raw iff every leaf reachable through GEPs, phis, selects and casts is raw.
bool isProvablyRaw(const Value *V, unsigned *RulesUsedOut) {
  unsigned RulesUsed = 0;
  SmallVector<const Value *, 8> Work{V};
  SmallPtrSet<const Value *, 16> Seen;
  while (!Work.empty()) {
    const Value *Cur = Work.pop_back_val();
    if (!Seen.insert(Cur).second) continue;
    if (Seen.size() > 64) return false; // give up on huge webs: translating is always safe
    if (const auto *G = dyn_cast<GEPOperator>(Cur)) {
      Work.push_back(G->getPointerOperand());
      continue;
    }
    if (const auto *P = dyn_cast<PHINode>(Cur)) {
      for (const Value *In : P->incoming_values()) Work.push_back(In);
      continue;
    }
    if (const auto *S = dyn_cast<SelectInst>(Cur)) {
      Work.push_back(S->getTrueValue());
      Work.push_back(S->getFalseValue());
      continue;
    }
    if (const auto *C = dyn_cast<AddrSpaceCastInst>(Cur)) {
      Work.push_back(C->getOperand(0));
      continue;
    }
    if (!isRawLeaf(Cur, RulesUsed)) return false;
  }
  if (RulesUsedOut) *RulesUsedOut |= RulesUsed;
  return true;
}

Value *rootOf(Value *V) {
  while (auto *G = dyn_cast<GetElementPtrInst>(V)) {
    if (G->getPointerOperandType()->isVectorTy()) break;
    V = G->getPointerOperand();
  }
  return V;
}

Function *getOrDeclare(Module &M, StringRef Name, FunctionType *Ty) {
  // An existing declaration with another type (K&R C) is returned as is: callers call it
  // through their own FunctionType (pointers are opaque).
  if (Function *F = M.getFunction(Name)) return F;
  return Function::Create(Ty, GlobalValue::ExternalLinkage, Name, M);
}

Function *getEscapeMarker(Module &M) {
  PointerType *P = PointerType::getUnqual(M.getContext());
  return getOrDeclare(M, EscapeMarker, FunctionType::get(P, {P}, false));
}
Function *getTranslateMarker(Module &M) {
  PointerType *P = PointerType::getUnqual(M.getContext());
  return getOrDeclare(M, TranslateMarker, FunctionType::get(P, {P}, false));
}
Function *getTranslatePinMarker(Module &M) {
  PointerType *P = PointerType::getUnqual(M.getContext());
  return getOrDeclare(M, TranslatePinMarker, FunctionType::get(P, {P, P}, false));
}

bool isMarkerCall(const Value *V, StringRef Name) {
  const auto *CI = dyn_cast<CallInst>(V);
  if (!CI) return false;
  const Function *F = CI->getCalledFunction();
  return F && F->getName() == Name;
}

void fail(Module &M, const Twine &Msg) { M.getContext().emitError(Msg); }

BasicBlock::iterator entryInsertionPoint(Function &F) {
  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock::iterator It = Entry.getFirstInsertionPt();
  while (It != Entry.end() && isa<AllocaInst>(&*It)) ++It;
  return It;
}

void hoistStaticAllocas(Function &F) {
  BasicBlock &Entry = F.getEntryBlock();
  Instruction *InsertBefore = &*Entry.getFirstInsertionPt();
  SmallVector<AllocaInst *, 16> Move;
  bool SeenNonAlloca = false;
  for (Instruction &I : Entry) {
    auto *AI = dyn_cast<AllocaInst>(&I);
    if (!AI) {
      SeenNonAlloca = true;
      continue;
    }
    if (SeenNonAlloca && AI->isStaticAlloca()) Move.push_back(AI);
  }
  for (AllocaInst *AI : Move) AI->moveBefore(InsertBefore);
}

} // namespace alaska
