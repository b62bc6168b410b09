//==============================================================================
// ReplacePass.cpp — alaska-replace.
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-replace in.ll -S -o out.ll
//
// Only *declarations* are replaced: a program that defines its own malloc keeps it.
// Direct calls (call and invoke) are rewritten to the runtime function, keeping the
// arguments it needs (e.g. sized delete drops the size). Any other use (the function as a
// value: function pointers, initializers) is redirected to the runtime function when the
// types agree, or to an internal thunk with the original signature.
//==============================================================================
#include "ReplacePass.h"
#include "Common.h"

#include "alaska/abi.h"

#include "llvm/IR/Instructions.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;

namespace alaska {
namespace {

// Which original arguments the runtime function receives, in order.
struct Replacement {
  const char *From;
  const char *To;
  std::initializer_list<int> Args;
};

const Replacement Replacements[] = {
    {"malloc", ALASKA_RT_MALLOC, {0}},
    {"calloc", ALASKA_RT_CALLOC, {0, 1}},
    {"realloc", ALASKA_RT_REALLOC, {0, 1}},
    {"free", ALASKA_RT_FREE, {0}},
    {"cfree", ALASKA_RT_FREE, {0}},
    {"malloc_usable_size", ALASKA_RT_USABLE_SIZE, {0}},
    {"strdup", ALASKA_RT_STRDUP, {0}},
    {"__strdup", ALASKA_RT_STRDUP, {0}},
    {"strndup", ALASKA_RT_STRNDUP, {0, 1}},
    {"__strndup", ALASKA_RT_STRNDUP, {0, 1}},
    {"posix_memalign", ALASKA_RT_POSIX_MEMALIGN, {0, 1, 2}},
    {"aligned_alloc", ALASKA_RT_ALIGNED_ALLOC, {0, 1}},
    {"memalign", ALASKA_RT_MEMALIGN, {0, 1}},
    {"reallocarray", ALASKA_RT_REALLOCARRAY, {0, 1, 2}},
    // operator new / new[] (plain, nothrow, aligned, aligned nothrow)
    {"_Znwm", ALASKA_RT_NEW, {0}},
    {"_Znam", ALASKA_RT_NEW, {0}},
    {"_ZnwmRKSt9nothrow_t", ALASKA_RT_NEW_NOTHROW, {0}},
    {"_ZnamRKSt9nothrow_t", ALASKA_RT_NEW_NOTHROW, {0}},
    {"_ZnwmSt11align_val_t", ALASKA_RT_NEW_ALIGNED, {0, 1}},
    {"_ZnamSt11align_val_t", ALASKA_RT_NEW_ALIGNED, {0, 1}},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", ALASKA_RT_NEW_ALIGNED_NOTHROW, {0, 1}},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", ALASKA_RT_NEW_ALIGNED_NOTHROW, {0, 1}},
    // operator delete / delete[] (plain, sized, aligned, sized aligned, nothrow variants)
    {"_ZdlPv", ALASKA_RT_FREE, {0}},
    {"_ZdaPv", ALASKA_RT_FREE, {0}},
    {"_ZdlPvm", ALASKA_RT_FREE, {0}},
    {"_ZdaPvm", ALASKA_RT_FREE, {0}},
    {"_ZdlPvSt11align_val_t", ALASKA_RT_FREE, {0}},
    {"_ZdaPvSt11align_val_t", ALASKA_RT_FREE, {0}},
    {"_ZdlPvmSt11align_val_t", ALASKA_RT_FREE, {0}},
    {"_ZdaPvmSt11align_val_t", ALASKA_RT_FREE, {0}},
    {"_ZdlPvRKSt9nothrow_t", ALASKA_RT_FREE, {0}},
    {"_ZdaPvRKSt9nothrow_t", ALASKA_RT_FREE, {0}},
    {"_ZdlPvSt11align_val_tRKSt9nothrow_t", ALASKA_RT_FREE, {0}},
    {"_ZdaPvSt11align_val_tRKSt9nothrow_t", ALASKA_RT_FREE, {0}},
};

// Runtime function type: the original's return type, the kept parameters' types.
FunctionType *runtimeType(FunctionType *Orig, const Replacement &R) {
  SmallVector<Type *, 4> Params;
  for (int A : R.Args) Params.push_back(Orig->getParamType(A));
  return FunctionType::get(Orig->getReturnType(), Params, false);
}

Value *castTo(IRBuilder<> &B, Value *V, Type *Ty) {
  if (V->getType() == Ty) return V;
  if (V->getType()->isIntegerTy() && Ty->isIntegerTy()) return B.CreateZExtOrTrunc(V, Ty);
  return B.CreateBitOrPointerCast(V, Ty);
}

// Rewrite one direct call/invoke of Orig.
void rewriteCall(CallBase *CB, FunctionType *RTy, Function *RT, const Replacement &R) {
  IRBuilder<> B(CB);
  SmallVector<Value *, 4> Args;
  unsigned I = 0;
  for (int A : R.Args) {
    if (unsigned(A) >= CB->arg_size()) {
      fail(*CB->getModule(), Twine("alaska: call to ") + R.From + " has too few arguments");
      return;
    }
    Args.push_back(castTo(B, CB->getArgOperand(A), RTy->getParamType(I++)));
  }
  SmallVector<OperandBundleDef, 1> Bundles;
  CB->getOperandBundlesAsDefs(Bundles);
  CallBase *New;
  if (auto *II = dyn_cast<InvokeInst>(CB))
    New = B.CreateInvoke(RTy, RT, II->getNormalDest(), II->getUnwindDest(), Args, Bundles);
  else
    New = B.CreateCall(RTy, RT, Args, Bundles);
  New->setDebugLoc(CB->getDebugLoc());
  New->takeName(CB);
  if (!CB->getType()->isVoidTy()) {
    Value *Result = New;
    if (New->getType() != CB->getType()) {
      fail(*CB->getModule(), Twine("alaska: call to ") + R.From + " has an unexpected type");
      return;
    }
    CB->replaceAllUsesWith(Result);
  }
  CB->eraseFromParent();
}

// Internal function with Orig's signature forwarding to RT (for address-taken uses whose
// type differs from the runtime function's, e.g. sized delete).
Function *makeThunk(Module &M, Function *Orig, FunctionType *RTy, Function *RT,
                    const Replacement &R) {
  Function *Thunk = Function::Create(Orig->getFunctionType(), GlobalValue::InternalLinkage,
                                     Twine("alaska.thunk.") + R.From, M);
  BasicBlock *BB = BasicBlock::Create(M.getContext(), "entry", Thunk);
  IRBuilder<> B(BB);
  SmallVector<Value *, 4> Args;
  unsigned I = 0;
  for (int A : R.Args)
    Args.push_back(castTo(B, Thunk->getArg(A), RTy->getParamType(I++)));
  CallInst *C = B.CreateCall(RTy, RT, Args);
  if (Thunk->getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(C);
  return Thunk;
}

} // namespace

bool runReplace(Module &M) {
  bool Changed = false;
  for (const Replacement &R : Replacements) {
    Function *Orig = M.getFunction(R.From);
    if (!Orig || !Orig->isDeclaration()) continue;
    FunctionType *OT = Orig->getFunctionType();
    if (OT->getNumParams() <= unsigned(*std::max_element(R.Args.begin(), R.Args.end()))) {
      fail(M, Twine("alaska: '") + R.From + "' is declared with too few parameters");
      continue;
    }
    FunctionType *RTy = runtimeType(OT, R);
    Function *RT = getOrDeclare(M, R.To, RTy);
    // Direct calls first (collect: rewriting mutates the use list).
    SmallVector<CallBase *, 16> Calls;
    for (Use &U : Orig->uses())
      if (auto *CB = dyn_cast<CallBase>(U.getUser()))
        if (CB->isCallee(&U) && CB->getFunctionType() == OT) Calls.push_back(CB);
    for (CallBase *CB : Calls) rewriteCall(CB, RTy, RT, R);
    Changed |= !Calls.empty();
    // Remaining uses: the function as a value (or called with a mismatched type).
    if (!Orig->use_empty()) {
      Function *Target = (RTy == OT && RT->getFunctionType() == OT)
                             ? RT
                             : makeThunk(M, Orig, RTy, RT, R);
      Orig->replaceAllUsesWith(Target);
      Changed = true;
    }
    if (Orig->use_empty()) Orig->eraseFromParent();
  }
  return Changed;
}

} // namespace alaska
