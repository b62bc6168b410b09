; Input of stats.c (alaska-pin's statistics).
target triple = "x86_64-pc-linux-gnu"
@gp = external global ptr
@gq = external global ptr
@saved = external global ptr

; Two sites in disjoint blocks, each cleared after its load: one shared slot.
define i32 @share(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %p = load ptr, ptr @gp
  %x = load i32, ptr %p
  br label %m
b:
  %q = load ptr, ptr @gq
  %y = load i32, ptr %q
  br label %m
m:
  %r = phi i32 [ %x, %a ], [ %y, %b ]
  ret i32 %r
}

; getenv's result may point into s's object and is stored: never cleared, own slot.
declare ptr @getenv(ptr)
define void @keep(ptr %s) {
  %r = call ptr @getenv(ptr %s)
  store ptr %r, ptr @saved
  ret void
}

; A setjmp caller clears nothing: two sites (buf escapes, p is loaded), two slots.
declare i32 @_setjmp(ptr) returns_twice
define i32 @sj(ptr %p, ptr %buf) {
  %c = call i32 @_setjmp(ptr %buf) returns_twice
  %x = load i32, ptr %p
  ret i32 %x
}
