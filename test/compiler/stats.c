// LLVM statistics of alaska-translate. Debian's LLVM 19 is a release build: `opt -stats`
// prints only "Statistics are disabled", but clang's -stats-file writes every
// ALWAYS_ENABLED_STATISTIC. Two loads through one pointer: two sites, one shared translation.
// RUN: %clang -O1 -Xclang -stats-file=%t.json -c %s -o %t.o
// RUN: FileCheck %s < %t.json
// CHECK-DAG: "alaska-translate.NumSites": 2
// CHECK-DAG: "alaska-translate.NumTranslated": 2
// CHECK-DAG: "alaska-translate.NumTranslations": 1
int f(int *p) { return p[1] + p[2]; }
