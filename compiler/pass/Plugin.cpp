//==============================================================================
// Plugin.cpp — registration of the Alaska passes and of the `alaska` and `alaska-lto`
// pipelines (docs/design.md §5.1).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska in.ll -S
//        opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-lto merged.bc -o out.bc
//        clang-19 -O2 -fpass-plugin=build/compiler/pass/AlaskaPass.so ...      (per TU)
//        clang-19 -flto -fuse-ld=lld -Wl,--load-pass-plugin=.../AlaskaPass.so   (LTO link)
//
// Pipeline `alaska` = alaska-replace, alaska-escape, alaska-translate, alaska-pin,
// alaska-lower, alaska-visibility, then marks the module (module flag alaska.transformed), makes it
// reference ALASKA_ABI_SYMBOL and (pins on) calls ALASKA_RT_MODULE_INIT from a constructor. A module carrying the flag is never transformed again.
// Registered at OptimizerLast (clang -fpass-plugin, every -O level).
//
// Pipeline `alaska-lto` = the same in whole-program mode (named metadata
// alaska.whole_program while it runs: every function not defined in the module is
// uncompiled, weak_odr copies are hidden too). Registered at FullLinkTimeOptimizationLast:
// `alaska-clang -flto` compiles without the plugin and links with -fuse-ld=lld
// -Wl,--load-pass-plugin=AlaskaPass.so, so lld runs it once, on the merged, internalised
// module, at the end of its full-LTO pipeline (lto<O2>), before code generation. Pass
// options at the link: -Wl,-mllvm,-alaska-...
// Under -flto the pre-link compile also reaches OptimizerLast (when given the plugin):
// modules being prepared for LTO (module flag "ThinLTO" / "EnableSplitLTOUnit" set by
// clang) are left alone there. ThinLTO back-ends never reach FullLinkTimeOptimizationLast:
// the driver turns -flto=thin into full LTO.
//==============================================================================
#include "Common.h"
#include "EscapePass.h"
#include "LowerPass.h"
#include "PinPass.h"
#include "ReplacePass.h"
#include "SafepointPass.h"
#include "TranslatePass.h"
#include "VisibilityPass.h"

#include "alaska/abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace alaska {
namespace {

enum class Phase { Default, CompileStep, LTOLink };

bool isTransformed(const Module &M) { return M.getModuleFlag(TransformedFlag) != nullptr; }

// Keep a relocation against the runtime's ABI symbol so a mismatched runtime fails to link.
void referenceAbiSymbol(Module &M) {
  LLVMContext &Ctx = M.getContext();
  PointerType *P = PointerType::getUnqual(Ctx);
  GlobalVariable *Abi = M.getGlobalVariable(ALASKA_ABI_SYMBOL);
  if (!Abi)
    Abi = new GlobalVariable(M, Type::getInt8Ty(Ctx), true, GlobalValue::ExternalLinkage,
                             nullptr, ALASKA_ABI_SYMBOL);
  auto *Ref = new GlobalVariable(M, P, true, GlobalValue::InternalLinkage, Abi,
                                 "alaska.abi_ref");
  appendToUsed(M, {Ref});
}

// Arm automatic defragmentation (docs/design.md §7): only modules whose translations are
// pinned may see their objects moved. The runtime function is referenced weakly (called
// only if present) so a runtime without it still links.
// The linker defines __start_/__stop_ of a section named like a C identifier, per executable
// or library: the range of every function alaska-safepoint placed there (weak: 0 if none).
void registerText(Module &M, IRBuilder<> &B) {
  bool Any = false;
  for (Function &F : M) Any |= !F.isDeclaration() && hasSafepoints(F);
  if (!Any) return;
  LLVMContext &Ctx = M.getContext();
  PointerType *P = PointerType::getUnqual(Ctx);
  auto Bound = [&](const char *Prefix) {
    std::string Name = std::string(Prefix) + ALASKA_TEXT_SECTION;
    GlobalVariable *G = M.getGlobalVariable(Name);
    if (!G) {
      G = new GlobalVariable(M, Type::getInt8Ty(Ctx), true, GlobalValue::ExternalWeakLinkage,
                             nullptr, Name);
      G->setVisibility(GlobalValue::HiddenVisibility);
    }
    return G;
  };
  FunctionType *Ty = FunctionType::get(Type::getVoidTy(Ctx), {P, P, P}, false);
  Function *Register = getOrDeclare(M, ALASKA_RT_REGISTER_TEXT, Ty);
  if (Register->isDeclaration()) Register->setLinkage(GlobalValue::ExternalWeakLinkage);
  B.CreateCall(Ty, Register, {Bound("__start_"), Bound("__stop_"), getPollWord(M)});
}

void callModuleInit(Module &M) {
  if (!PinsOpt) return;
  LLVMContext &Ctx = M.getContext();
  FunctionType *Ty = FunctionType::get(Type::getVoidTy(Ctx), false);
  Function *Init = getOrDeclare(M, ALASKA_RT_MODULE_INIT, Ty);
  if (Init->isDeclaration()) Init->setLinkage(GlobalValue::ExternalWeakLinkage);
  Function *Ctor = Function::Create(Ty, GlobalValue::InternalLinkage, "alaska.module_ctor", M);
  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", Ctor);
  BasicBlock *Call = BasicBlock::Create(Ctx, "call", Ctor);
  BasicBlock *Done = BasicBlock::Create(Ctx, "done", Ctor);
  IRBuilder<> B(Entry);
  B.CreateCondBr(B.CreateIsNotNull(Init), Call, Done);
  B.SetInsertPoint(Call);
  registerText(M, B);
  B.CreateCall(Ty, Init);
  B.CreateBr(Done);
  B.SetInsertPoint(Done);
  B.CreateRetVoid();
  appendToGlobalCtors(M, Ctor, 0);
}

struct PipelinePass : PassInfoMixin<PipelinePass> {
  Phase When;
  explicit PipelinePass(Phase When) : When(When) {}

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    if (ModeOpt == Mode::Off || isTransformed(M)) return PreservedAnalyses::all();
    if (When == Phase::CompileStep &&
        (M.getModuleFlag("ThinLTO") || M.getModuleFlag("EnableSplitLTOUnit")))
      return PreservedAnalyses::all(); // -flto pre-link: transformed at the link
    if (When == Phase::LTOLink) setWholeProgram(M, true);
    runReplace(M);
    runEscape(M);
    runTranslate(M);
    runPin(M, /*PlanSafepoints=*/true);
    runLower(M);
    runVisibility(M);
    setWholeProgram(M, false);
    M.addModuleFlag(Module::Max, TransformedFlag, 1);
    referenceAbiSymbol(M);
    callModuleInit(M);
    if (verifyModule(M, &errs()))
      fail(M, "alaska: internal error: the transformed module does not verify");
    return PreservedAnalyses::none();
  }
  static bool isRequired() { return true; }
};

} // namespace
} // namespace alaska

using namespace alaska;

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Alaska", "0.1.0", [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name == "alaska") MPM.addPass(PipelinePass(Phase::Default));
                  else if (Name == "alaska-lto") MPM.addPass(PipelinePass(Phase::LTOLink));
                  else if (Name == "alaska-replace") MPM.addPass(ReplacePass());
                  else if (Name == "alaska-escape") MPM.addPass(EscapePass());
                  else if (Name == "alaska-translate") MPM.addPass(TranslatePass());
                  else if (Name == "alaska-safepoint") MPM.addPass(SafepointPass());
                  else if (Name == "alaska-pin") MPM.addPass(PinPass());
                  else if (Name == "alaska-lower") MPM.addPass(LowerPass());
                  else if (Name == "alaska-visibility") MPM.addPass(VisibilityPass());
                  else return false;
                  return true;
                });
            PB.registerOptimizerLastEPCallback([](ModulePassManager &MPM, OptimizationLevel) {
              MPM.addPass(PipelinePass(Phase::CompileStep));
            });
            PB.registerFullLinkTimeOptimizationLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(PipelinePass(Phase::LTOLink));
                });
          }};
}
