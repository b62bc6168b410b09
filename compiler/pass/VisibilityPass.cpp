//==============================================================================
// VisibilityPass.cpp — alaska-visibility (docs/design.md §5.6).
//
// usage: opt -load-pass-plugin build/compiler/pass/AlaskaPass.so -passes=alaska-visibility in.ll -S
//
// A C++ module compiled by alaska-clang++ defines its own copies of libstdc++'s templates
// (the prelude turns extern templates off) and of every inline function it uses. With
// default visibility an executable exports those a shared library on its link line also
// references, and the dynamic linker then binds the uncompiled library's calls (libstdc++'s
// own included) to our copies: uncompiled code runs code that allocates handles and
// dereferences them. Every user of such a definition emits its own copy (the ODR says they
// are equivalent), so hiding ours changes only which copy each DSO runs:
//   * linkonce_odr functions (inline functions, implicit instantiations) and vtables,
//     VTTs and construction vtables (_ZTV/_ZTT/_ZTC: they point at those functions) become
//     hidden.
//   * In whole-program mode (LTO link) the linker has already turned the linkonce_odr
//     definitions it keeps into weak_odr, so weak_odr is hidden too.
//   * Data keeps its visibility: static locals of inline functions, guard variables,
//     template static members (std::locale::id of a facet) and typeinfo must stay one object
//     per process, shared with uncompiled code.
//   * weak_odr in per-TU mode (explicit instantiation definitions, `template class X<int>;`)
//     stays exported: other DSOs' `extern template` declarations need it.
//==============================================================================
#include "VisibilityPass.h"
#include "Common.h"

#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace alaska {

static bool isPerUserCopy(const GlobalValue &GV, bool WholeProgram) {
  if (GV.isDeclaration() || !GV.hasDefaultVisibility()) return false;
  if (GV.hasLinkOnceODRLinkage()) return true;
  return WholeProgram && GV.hasWeakODRLinkage();
}

static bool isVirtualTable(const GlobalVariable &GV) {
  StringRef N = GV.getName();
  return N.starts_with("_ZTV") || N.starts_with("_ZTT") || N.starts_with("_ZTC");
}

bool runVisibility(Module &M) {
  bool WholeProgram = isWholeProgram(M);
  bool Changed = false;
  auto Hide = [&](GlobalValue &GV) {
    GV.setVisibility(GlobalValue::HiddenVisibility);
    GV.setDSOLocal(true);
    Changed = true;
  };
  for (Function &F : M)
    if (isPerUserCopy(F, WholeProgram)) Hide(F);
  for (GlobalVariable &GV : M.globals())
    if (isVirtualTable(GV) && isPerUserCopy(GV, WholeProgram)) Hide(GV);
  return Changed;
}

} // namespace alaska
