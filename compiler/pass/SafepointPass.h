//==============================================================================
// SafepointPass.h — alaska-safepoint: compiled code can be stopped by a barrier only at
// polls and inside calls (docs/design.md §6.2). Every function it compiles goes to the
// section ALASKA_TEXT_SECTION (registered by the module constructor, so the barrier's
// signal handler knows the thread is in compiled code and lets it run on to a poll), and
// gets a poll — a relaxed load of the object's ALASKA_POLL_WORD and a never-taken call of
// ALASKA_RT_POLL — on the source of every retreating CFG edge (so every cycle, reducible or
// not, has one; counted inner loops excepted) and at its entry if it may recurse. alaska-pin then pins only the
// translations live across a safepoint (mayStopAt). Functions with a section of their own
// or naked stay stoppable anywhere (every translation pinned). -alaska-safepoints=0 turns
// it off (every function stoppable anywhere, as before).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-safepoint in.ll -S -o out.ll
//==============================================================================
#pragma once

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/PassManager.h"

namespace alaska {
bool runSafepoint(llvm::Module &M);

// Where a function's polls would go, and what they would cost (8^loop depth each), before
// anything is inserted: alaska-pin weighs them against the pins they make unnecessary.
struct SafepointPlan {
  llvm::SmallVector<llvm::Instruction *, 8> Polls; // insert a poll before each
  llvm::SmallPtrSet<llvm::Instruction *, 8> At;     // the same, for lookups
  llvm::Instruction *Entry = nullptr;               // the entry poll, if any
  llvm::DenseMap<const llvm::BasicBlock *, unsigned> Weight; // 8^loop depth per block
  unsigned PollWeight = 0, CountedInner = 0;
};
bool safepointEligible(const llvm::Function &F);
llvm::SmallPtrSet<const llvm::Function *, 32> recursiveFunctions(llvm::Module &M);
SafepointPlan planSafepoints(llvm::Function &F,
                             const llvm::SmallPtrSetImpl<const llvm::Function *> &Recursive);
// Inserts the polls and moves F to ALASKA_TEXT_SECTION.
void commitSafepoints(llvm::Function &F, const SafepointPlan &P);
extern llvm::cl::opt<bool> SafepointsOpt;
// The object's poll word (ALASKA_POLL_WORD), created on first use.
llvm::GlobalVariable *getPollWord(llvm::Module &M);
// F is compiled in safepoint mode: a barrier stops it only at mayStopAt instructions.
bool hasSafepoints(const llvm::Function &F);
// A barrier may stop the thread while I executes: a call (other than our markers and the
// intrinsics that never become calls), or an instruction the backend may lower to a call
// into code we did not compile (128-bit division, frem, fp128 and half arithmetic, large
// atomics, thread-local addresses).
bool mayStopAt(const llvm::Instruction &I);

struct SafepointPass : llvm::PassInfoMixin<SafepointPass> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return runSafepoint(M) ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};
} // namespace alaska
