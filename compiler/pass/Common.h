// Common.h — shared vocabulary of the Alaska passes: placeholder intrinsics used between
// passes, the classification of callees (compiled by Alaska / uncompiled / runtime), the
// "provably not a handle" test, and the command-line switches.
#pragma once

#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace alaska {

// Placeholders between passes (never reach code generation; alaska-lower removes them):
//   ptr @alaska.escape(ptr %p)    "%p is handed to uncompiled code here: use a raw address"
//                                 (alaska-escape emits, alaska-translate resolves)
//   ptr @alaska.translate(ptr %h) "translate the root handle %h" (alaska-translate emits)
//   ptr @alaska.translate.pin(ptr %h, ptr %slot)
//                                 same, recording %h in pin slot %slot first (alaska-pin)
// Every placeholder (and pass-made function) is named with this prefix; no C symbol can be.
constexpr const char *MarkerPrefix = "alaska.";
constexpr const char *EscapeMarker = "alaska.escape";
constexpr const char *TranslateMarker = "alaska.translate";
constexpr const char *TranslatePinMarker = "alaska.translate.pin";
// Module flag set once the whole pipeline has run (never transform twice).
constexpr const char *TransformedFlag = "alaska.transformed";
// IR metadata the passes leave for each other:
//   !alaska.rehandle   on the select that turns a library result back into a handle
//                      (alaska-escape puts it, alaska-pin does not pin through it)
//   !alaska.noxlate    on a load that reads code bytes (the function magic word), never a
//                      handle (alaska-escape puts it, alaska-translate skips the load)
//   !alaska.whole_program  named module metadata: the LTO link's whole-program mode
constexpr const char *RehandleMD = "alaska.rehandle";
constexpr const char *NoTranslateMD = "alaska.noxlate";
constexpr const char *WholeProgramMD = "alaska.whole_program";
// Runtime entry points the passes call besides the ALASKA_RT_* names of alaska/abi.h.
constexpr const char *CountTranslationFn = "alaska_bench_count_translation";
// 8-byte word placed right before the entry of every function compiled by Alaska; an
// indirect call compares the word before its target to decide whether the callee takes
// handles. (Also in include/alaska/abi.h as ALASKA_FUNCTION_MAGIC.)
constexpr uint64_t FunctionMagic = 0xA1A5CA0F0DE5A1A5ULL;

enum class Mode { Auto, PerTU, LTO, Off };
extern llvm::cl::opt<Mode> ModeOpt;
extern llvm::cl::opt<bool> PinsOpt;

// How a call's target treats pointers.
enum class CalleeKind {
  Compiled,   // compiled by Alaska: takes and returns handles
  Uncompiled, // system library / outside the LTO module: needs raw pointers
  Runtime,    // the Alaska runtime's own entry points (halloc, wrappers): take handles
  Intrinsic,  // LLVM intrinsic: alaska-translate handles the memory-touching ones
  Marker,     // one of our placeholders
  Unknown,    // indirect call: decided at run time (function magic)
};

// Whole-program (LTO link) mode: everything not defined in the module is uncompiled.
bool isWholeProgram(const llvm::Module &M);
void setWholeProgram(llvm::Module &M, bool On);

CalleeKind classifyFunction(const llvm::Function &F);
CalleeKind classifyCall(const llvm::CallBase &CB);
bool isRuntimeName(llvm::StringRef Name);
bool isSystemSymbol(llvm::StringRef Name);
// Exported by a library given with -alaska-uncompiled-lib: uncompiled, and may keep any
// pointer it is given (alaska-escape pins those objects for life).
bool isUncompiledLibSymbol(const llvm::Module &M, llvm::StringRef Name);

// True when V can never hold a handle (alloca, global, null, result of uncompiled code...,
// and the module-wide facts of RawFacts.h while a RawFactsScope is installed). RulesUsed
// gets the RawRule bits of the facts the proof needed.
bool isProvablyRaw(const llvm::Value *V, unsigned *RulesUsed = nullptr);
// Strip GEPs: the value whose translation every address derived from V shares.
llvm::Value *rootOf(llvm::Value *V);

llvm::Function *getOrDeclare(llvm::Module &M, llvm::StringRef Name, llvm::FunctionType *Ty);
llvm::Function *getEscapeMarker(llvm::Module &M);
llvm::Function *getTranslateMarker(llvm::Module &M);
llvm::Function *getTranslatePinMarker(llvm::Module &M);
bool isMarkerCall(const llvm::Value *V, llvm::StringRef Name);

// Report a fatal problem as an ordinary error diagnostic ("alaska: ..."): clang and opt
// exit non-zero, never leaving a silently untransformed module behind.
void fail(llvm::Module &M, const llvm::Twine &Msg);

// First point in F's entry block after its static allocas (splitting the entry block
// before an alloca would make it dynamic).
llvm::BasicBlock::iterator entryInsertionPoint(llvm::Function &F);
// Move every constant-size alloca of the entry block to its top.
void hoistStaticAllocas(llvm::Function &F);

} // namespace alaska
