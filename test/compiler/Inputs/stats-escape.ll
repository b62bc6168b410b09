; Input of stats.c (alaska-escape's statistics): one call of each kind the pass treats.
target triple = "x86_64-pc-linux-gnu"
declare i64 @strlen(ptr)
declare ptr @strchr(ptr, i32)
declare i64 @strtol(ptr, ptr, i32)
declare i32 @setvbuf(ptr, ptr, i32, i64)
declare i64 @getline(ptr, ptr, ptr)
declare ptr @_ZNSi10_M_extractIlEERSiRT_(ptr, ptr)

define i64 @esc(ptr %s, ptr %buf, ptr %f, ptr %fp, ptr %is, ptr %lv) {
  %end = alloca ptr
  %line = alloca ptr
  %cap = alloca i64
  %n = call i64 @strlen(ptr %s)                          ; no table entry: s escapes
  %c = call ptr @strchr(ptr %s, i32 47)                  ; ResultFrom 0: rehandled
  %v = call i64 @strtol(ptr %s, ptr %end, i32 10)        ; OutPtrFrom 1,0: rehandled
  %r = call i32 @setvbuf(ptr %f, ptr %buf, i32 0, i64 64) ; PinForever 1: f and buf escape
  %g = call i64 @getline(ptr %line, ptr %cap, ptr %f)    ; Wrap: the wrapper takes handles
  call void %fp(ptr %s)                                  ; indirect: magic check, s escapes
  %x = call ptr @_ZNSi10_M_extractIlEERSiRT_(ptr %is, ptr %lv) ; Redirect
  %sum = add i64 %n, %v
  ret i64 %sum
}
