// RawFacts.h — module-wide proofs that values never hold a handle (docs/design.md §5.4,
// "raw-pointer proofs"): arguments of functions whose every caller passes raw pointers,
// pointers loaded from memory that only ever holds raw pointers, results of functions that
// only return raw pointers. Computed once per module as a greatest fixpoint; isProvablyRaw
// (Common.cpp) consults the facts installed by a RawFactsScope.
#pragma once

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

namespace alaska {

// Which rule a proof used (isProvablyRaw's RulesUsed bit mask).
enum RawRule : unsigned { RuleArg = 1, RuleLoad = 2, RuleRet = 4 };

class RawFacts {
public:
  void compute(llvm::Module &M);
  bool argIsRaw(const llvm::Argument *A) const { return Args.count(A); }
  bool returnsRaw(const llvm::Function *F) const { return Returns.count(F); }
  // A pointer (or vector of pointers) loaded by L comes from raw-only memory.
  bool loadIsRaw(const llvm::LoadInst *L) const;
  unsigned numArgs() const { return Args.size(); }
  unsigned numMemory() const { return Memory.size(); }
  unsigned numReturns() const { return Returns.size(); }

private:
  // What must stay raw for a fact to hold: values, and other memory objects (memcpy sources).
  struct Needs {
    llvm::SmallVector<const llvm::Value *, 4> Values;
    llvm::SmallVector<const llvm::Value *, 2> Memory;
  };
  llvm::DenseSet<const llvm::Argument *> Args;
  llvm::DenseSet<const llvm::Value *> Memory; // globals and allocas
  llvm::DenseSet<const llvm::Value *> NoIntegerStores; // ... receiving no integer at all
  llvm::DenseSet<const llvm::Function *> Returns;
  llvm::DenseMap<const void *, Needs> Requires;

  void addArgumentCandidates(llvm::Function &F);
  void addReturnCandidate(llvm::Function &F);
  void addMemoryCandidate(const llvm::Value *Obj, const llvm::DataLayout &DL);
  bool holds(const Needs &N) const;
};

// Makes isProvablyRaw use Facts while alive (one module is transformed at a time).
class RawFactsScope {
public:
  explicit RawFactsScope(const RawFacts &Facts);
  ~RawFactsScope();
};
const RawFacts *currentRawFacts();

} // namespace alaska
