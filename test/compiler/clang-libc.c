// Real C through clang-19 -O2 -fpass-plugin: allocation replaced, libc table applied,
// loop translation hoisted out of the loop.
// RUN: %clang -O2 -fno-discard-value-names -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang -O0 -fno-discard-value-names -S -emit-llvm %s -o - | FileCheck %s --check-prefix=O0
// With debug info (debug records must stay off the phis the passes create):
// RUN: %clang -O2 -g -c %s -o /dev/null
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CHECK-LABEL: define {{.*}}ptr @make(
// CHECK: call {{.*}}ptr @halloc(i64 {{(noundef )?}}64)
// CHECK-NOT: @malloc
// O0-LABEL: define {{.*}}ptr @make(
// O0: call ptr @halloc(i64 {{(noundef )?}}64)
char *make(void) { return malloc(64); }

// CHECK-LABEL: define {{.*}}ptr @find_slash(
// CHECK: call ptr @strchr(
// CHECK: %alaska.rehandled = getelementptr i8, ptr %s
char *find_slash(char *s) { return strchr(s, '/'); }

// CHECK-LABEL: define {{.*}}void @buffered(
// CHECK: call void @alaska_pin_forever(ptr
// CHECK: call i32 @setvbuf(
void buffered(FILE *f, char *buf) { setvbuf(f, buf, _IOFBF, 4096); }

// CHECK-LABEL: define {{.*}}i64 @read_line(
// CHECK: call {{.*}}i64 @alaska_{{getline|getdelim}}(
// CHECK-NOT: call {{.*}}@getline(
long read_line(char **line, size_t *cap, FILE *f) { return getline(line, cap, f); }

// One table load for the whole loop: the translation of `a` sits before the loop.
// CHECK-LABEL: define {{.*}}i64 @sum(
// CHECK-COUNT-1: %alaska.base{{[0-9]*}} = load i64
// CHECK-NOT: %alaska.base{{[0-9]*}} = load i64
// CHECK: ret i64
long sum(long *a, long n) {
  long s = 0;
  for (long i = 0; i < n; i++) s += a[i];
  return s;
}

// Pointer induction: the loop runs on a translated phi web.
// CHECK-LABEL: define {{.*}}i64 @count_spaces(
// CHECK: phi ptr
// CHECK: ret i64
long count_spaces(const char *s) {
  long n = 0;
  for (; *s; s++) n += *s == ' ';
  return n;
}
