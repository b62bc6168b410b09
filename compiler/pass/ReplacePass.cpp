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
// Sig: the runtime function's C signature, return type first: p = pointer, z = size_t,
// i = int, v = void (e.g. "pzz" = void *(size_t, size_t)).
struct Replacement {
  const char *From;
  const char *To;
  std::initializer_list<int> Args;
  const char *Sig;
};

const Replacement Replacements[] = {
    {"malloc", ALASKA_RT_MALLOC, {0}, "pz"},
    {"calloc", ALASKA_RT_CALLOC, {0, 1}, "pzz"},
    {"realloc", ALASKA_RT_REALLOC, {0, 1}, "ppz"},
    {"free", ALASKA_RT_FREE, {0}, "vp"},
    {"cfree", ALASKA_RT_FREE, {0}, "vp"},
    {"malloc_usable_size", ALASKA_RT_USABLE_SIZE, {0}, "zp"},
    {"strdup", ALASKA_RT_STRDUP, {0}, "pp"},
    {"__strdup", ALASKA_RT_STRDUP, {0}, "pp"},
    {"strndup", ALASKA_RT_STRNDUP, {0, 1}, "ppz"},
    {"__strndup", ALASKA_RT_STRNDUP, {0, 1}, "ppz"},
    {"posix_memalign", ALASKA_RT_POSIX_MEMALIGN, {0, 1, 2}, "ipzz"},
    {"aligned_alloc", ALASKA_RT_ALIGNED_ALLOC, {0, 1}, "pzz"},
    {"memalign", ALASKA_RT_MEMALIGN, {0, 1}, "pzz"},
    {"reallocarray", ALASKA_RT_REALLOCARRAY, {0, 1, 2}, "ppzz"},
    // operator new / new[] (plain, nothrow, aligned, aligned nothrow)
    {"_Znwm", ALASKA_RT_NEW, {0}, "pz"},
    {"_Znam", ALASKA_RT_NEW, {0}, "pz"},
    {"_ZnwmRKSt9nothrow_t", ALASKA_RT_NEW_NOTHROW, {0}, "pz"},
    {"_ZnamRKSt9nothrow_t", ALASKA_RT_NEW_NOTHROW, {0}, "pz"},
    {"_ZnwmSt11align_val_t", ALASKA_RT_NEW_ALIGNED, {0, 1}, "pzz"},
    {"_ZnamSt11align_val_t", ALASKA_RT_NEW_ALIGNED, {0, 1}, "pzz"},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", ALASKA_RT_NEW_ALIGNED_NOTHROW, {0, 1}, "pzz"},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", ALASKA_RT_NEW_ALIGNED_NOTHROW, {0, 1}, "pzz"},
    // operator delete / delete[] (plain, sized, aligned, sized aligned, nothrow variants)
    {"_ZdlPv", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPv", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdlPvm", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPvm", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdlPvSt11align_val_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPvSt11align_val_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdlPvmSt11align_val_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPvmSt11align_val_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdlPvRKSt9nothrow_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPvRKSt9nothrow_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdlPvSt11align_val_tRKSt9nothrow_t", ALASKA_RT_FREE, {0}, "vp"},
    {"_ZdaPvSt11align_val_tRKSt9nothrow_t", ALASKA_RT_FREE, {0}, "vp"},
};

// The runtime function's type, from its C signature.
FunctionType *runtimeType(LLVMContext &Ctx, const Replacement &R) {
  auto TypeOf = [&](char C) -> Type * {
    switch (C) {
    case 'p': return PointerType::getUnqual(Ctx);
    case 'z': return Type::getInt64Ty(Ctx);
    case 'i': return Type::getInt32Ty(Ctx);
    default: return Type::getVoidTy(Ctx);
    }
  };
  SmallVector<Type *, 4> Params;
  for (const char *C = R.Sig + 1; *C; ++C) Params.push_back(TypeOf(*C));
  return FunctionType::get(TypeOf(R.Sig[0]), Params, false);
}

// Old-style declarations (`char *malloc();`, `int free();`) call with other types.
Value *castTo(IRBuilder<> &B, Value *V, Type *Ty) {
  if (V->getType() == Ty) return V;
  if (V->getType()->isIntegerTy() && Ty->isIntegerTy()) return B.CreateZExtOrTrunc(V, Ty);
  if (V->getType()->isIntegerTy() && Ty->isPointerTy()) return B.CreateIntToPtr(V, Ty);
  if (V->getType()->isPointerTy() && Ty->isIntegerTy()) return B.CreatePtrToInt(V, Ty);
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
  if (!New->getType()->isVoidTy()) New->takeName(CB);
  if (!CB->getType()->isVoidTy() && !CB->use_empty()) {
    if (New->getType()->isVoidTy()) {
      fail(*CB->getModule(), Twine("alaska: the result of ") + R.From + " is used");
      return;
    }
    Value *Result = New;
    if (New->getType() != CB->getType()) {
      if (isa<InvokeInst>(New)) {
        fail(*CB->getModule(), Twine("alaska: invoke of ") + R.From + " with an unexpected type");
        return;
      }
      IRBuilder<> After(New->getNextNode());
      Result = castTo(After, New, CB->getType());
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
    B.CreateRet(castTo(B, C, Thunk->getReturnType()));
  return Thunk;
}

} // namespace

bool runReplace(Module &M) {
  bool Changed = false;
  for (const Replacement &R : Replacements) {
    Function *Orig = M.getFunction(R.From);
    if (!Orig || !Orig->isDeclaration()) continue;
    FunctionType *RTy = runtimeType(M.getContext(), R);
    Function *RT = getOrDeclare(M, R.To, RTy);
    // Direct calls (any call-site type: old-style declarations included).
    SmallVector<CallBase *, 16> Calls;
    for (Use &U : Orig->uses())
      if (auto *CB = dyn_cast<CallBase>(U.getUser()))
        if (CB->isCallee(&U)) Calls.push_back(CB);
    for (CallBase *CB : Calls) rewriteCall(CB, RTy, RT, R);
    Changed |= !Calls.empty();
    // Remaining uses: the function as a value.
    if (!Orig->use_empty()) {
      FunctionType *OT = Orig->getFunctionType();
      Function *Target;
      if (OT == RTy && RT->getFunctionType() == RTy)
        Target = RT;
      else if (!OT->isVarArg() &&
               OT->getNumParams() > unsigned(*std::max_element(R.Args.begin(), R.Args.end())))
        Target = makeThunk(M, Orig, RTy, RT, R);
      else {
        fail(M, Twine("alaska: '") + R.From +
                    "' is used as a value with an old-style declaration: unsupported");
        continue;
      }
      Orig->replaceAllUsesWith(Target);
      Changed = true;
    }
    if (Orig->use_empty()) Orig->eraseFromParent();
  }
  return Changed;
}

} // namespace alaska
