// LLVM statistics of alaska-translate, alaska-pin and alaska-escape. Debian's LLVM 19 is a
// release build: `opt -stats` prints nothing, but clang's -stats-file writes every
// ALWAYS_ENABLED_STATISTIC. ({{,?$}}: the whole number, not a prefix of a longer one.)
//
// This file: two loads through one pointer: two sites, one shared translation; stoppable
// anywhere (-alaska-safepoints=0): one pin frame with one slot, cleared once after the
// second load; with safepoints (SP): live across no safepoint, so not pinned at all.
// RUN: %clang -O1 -Xclang -load -Xclang %plugin -mllvm -alaska-safepoints=0 -Xclang -stats-file=%t.json -c %s -o %t.o
// RUN: FileCheck %s < %t.json
// RUN: %clang -O1 -Xclang -stats-file=%t.sp.json -c %s -o %t.sp.o
// RUN: FileCheck %s --check-prefix=SP < %t.sp.json
// SP-DAG: "alaska-safepoint.NumSafepointFunctions": 1{{,?$}}
// SP-DAG: "alaska-pin.NumSites": 1{{,?$}}
// SP-DAG: "alaska-pin.NumSitesUnpinned": 1{{,?$}}
// SP-NOT: "alaska-pin.NumFrames"
// SP-NOT: "alaska-safepoint.NumBackedgePolls"
// CHECK-DAG: "alaska-translate.NumSites": 2{{,?$}}
// CHECK-DAG: "alaska-translate.NumTranslated": 2{{,?$}}
// CHECK-DAG: "alaska-translate.NumTranslations": 1{{,?$}}
// CHECK-DAG: "alaska-pin.NumFrames": 1{{,?$}}
// CHECK-DAG: "alaska-pin.NumSites": 1{{,?$}}
// CHECK-DAG: "alaska-pin.NumSlots": 1{{,?$}}
// CHECK-DAG: "alaska-pin.NumSitesCleared": 1{{,?$}}
// CHECK-DAG: "alaska-pin.NumClears": 1{{,?$}}
//
// Inputs/stats-pin.ll (-O0: the IR as written): a shared slot, a site never cleared, a
// setjmp caller.
// RUN: %clang -O0 -Xclang -load -Xclang %plugin -mllvm -alaska-safepoints=0 -Wno-override-module -Xclang -stats-file=%t.pin.json -c %S/Inputs/stats-pin.ll -o %t.pin.o
// RUN: FileCheck %s --check-prefix=PIN < %t.pin.json
// PIN-DAG: "alaska-pin.NumFrames": 3{{,?$}}
// PIN-DAG: "alaska-pin.NumSites": 5{{,?$}}
// PIN-DAG: "alaska-pin.NumSlots": 4{{,?$}}
// PIN-DAG: "alaska-pin.NumSitesCleared": 2{{,?$}}
// PIN-DAG: "alaska-pin.NumClears": 2{{,?$}}
// PIN-DAG: "alaska-pin.NumNoClearFunctions": 1{{,?$}}
//
// Inputs/stats-escape.ll: one call of each kind alaska-escape handles.
// RUN: %clang -O0 -Wno-override-module -Xclang -stats-file=%t.esc.json -c %S/Inputs/stats-escape.ll -o %t.esc.o
// RUN: FileCheck %s --check-prefix=ESC < %t.esc.json
// ESC-DAG: "alaska-escape.NumUncompiledCalls": 5{{,?$}}
// ESC-DAG: "alaska-escape.NumEscapedArgs": 6{{,?$}}
// ESC-DAG: "alaska-escape.NumTableHits": 4{{,?$}}
// ESC-DAG: "alaska-escape.NumWrapped": 1{{,?$}}
// ESC-DAG: "alaska-escape.NumRedirected": 1{{,?$}}
// ESC-DAG: "alaska-escape.NumRehandled": 2{{,?$}}
// ESC-DAG: "alaska-escape.NumPinnedForever": 1{{,?$}}
// ESC-DAG: "alaska-escape.NumIndirectCalls": 1{{,?$}}
// ESC-DAG: "alaska-escape.NumMagicFunctions": 1{{,?$}}
int f(int *p) { return p[1] + p[2]; }
