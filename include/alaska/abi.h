/*
 * alaska/abi.h — the handle ABI shared by the compiler pass (C++) and the runtime (C).
 *
 * Everything the pass emits and the runtime relies on is named here: the handle layout,
 * the handle-table address, the poison value of a freed entry, and the name of every
 * runtime entry point the pass may call (ASan-style named constants). Change one and you
 * must bump ALASKA_ABI_VERSION: every module the pass transforms references the symbol
 * ALASKA_ABI_SYMBOL, which only a runtime of the same version defines, so a mismatched
 * pass/runtime pair fails at link time instead of corrupting memory at run time.
 *
 * Handle layout (64 bits):
 *
 *    63  62 ............ 32  31 ............ 0
 *   [ 1 |   handle id (31)  | biased offset (32)]
 *
 * A value with bit 63 clear is an ordinary pointer and translates to itself. Pointer
 * arithmetic on a handle changes the offset field only. The field is biased: the handle of
 * an object's first byte has offset field ALASKA_HANDLE_BIAS (2^31), and the table entry
 * holds the object's address minus the bias, so a handle addresses [start - 2 GiB,
 * start + 2 GiB): C code that computes a pointer below a buffer's start and adds back
 * (zstd, many codecs: `p = buf - k; ... p[k]`) keeps its id and translates right. Objects
 * are < 2 GiB (larger ones are system allocations, raw pointers). On x86-64 a handle is a
 * non-canonical address, so dereferencing one without translation faults.
 *
 * Translation (≈6 instructions, emitted inline by the pass):
 *
 *   if ((int64_t)h >= 0) return h;                         // plain pointer
 *   entry = (uint64_t *)((h >> ALASKA_ENTRY_SHIFT) & ALASKA_ENTRY_MASK);
 *   return *entry + (uint32_t)h;                           // base + offset
 *
 * The shift moves bit 63 to bit 34, which *is* ALASKA_TABLE_BASE (2^34), and the id
 * to bits 3..33 (id * 8); the mask clears the three offset bits that leak into 0..2.
 */
#ifndef ALASKA_ABI_H
#define ALASKA_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- exports --------------------------------------------------------------------------- */
/* libalaska.so is built with hidden visibility: only declarations marked ALASKA_API are in
 * its dynamic symbol table (the list and the reason for each: test/runtime/exports.txt,
 * docs/design.md §2). Nothing else a program defines can take the place of a runtime
 * function, and the runtime's internal names never bind to a program's. */
#define ALASKA_API __attribute__((visibility("default")))

/* ---- versioning -------------------------------------------------------------------- */
#define ALASKA_ABI_VERSION 5
/* Defined (as a global) only by the runtime of this ABI version; referenced by every
 * transformed module. ALASKA_ABI_VAR is the C identifier of the same symbol. */
#define ALASKA_ABI_CONCAT_(a, b) a##b
#define ALASKA_ABI_CONCAT(a, b) ALASKA_ABI_CONCAT_(a, b)
#define ALASKA_ABI_STRING_(x) #x
#define ALASKA_ABI_STRING(x) ALASKA_ABI_STRING_(x)
#define ALASKA_ABI_VAR ALASKA_ABI_CONCAT(__alaska_abi_version_, ALASKA_ABI_VERSION)
#define ALASKA_ABI_SYMBOL ALASKA_ABI_STRING(ALASKA_ABI_VAR)

/* ---- handle layout ------------------------------------------------------------------ */
#define ALASKA_HANDLE_BIT (1ULL << 63)
#define ALASKA_ID_BITS 31
#define ALASKA_OFFSET_BITS 32
#define ALASKA_OFFSET_MASK 0xffffffffULL
#define ALASKA_MAX_ID ((1ULL << ALASKA_ID_BITS) - 1)
/* Offset field of the handle of an object's first byte; entry = address - bias. */
#define ALASKA_HANDLE_BIAS (1ULL << 31)
/* Objects of this size and more are not handles (system allocations, raw pointers): one
 * past the end of a larger object would wrap the biased offset field. */
#define ALASKA_MAX_HANDLE_OBJECT ALASKA_HANDLE_BIAS

/* ---- handle table ------------------------------------------------------------------- */
/* One 8-byte entry per id holding the object's current address. Reserved at this fixed
 * address with MAP_FIXED_NOREPLACE | MAP_NORESERVE (16 GiB of address space, committed
 * lazily by the kernel); the runtime aborts with a message if the range is taken. */
#define ALASKA_TABLE_BASE (1ULL << 34)
#define ALASKA_TABLE_ENTRIES (1ULL << ALASKA_ID_BITS)
#define ALASKA_TABLE_BYTES (ALASKA_TABLE_ENTRIES * 8ULL)
#define ALASKA_ENTRY_SHIFT 29
#define ALASKA_ENTRY_MASK (~7ULL)

/* A freed (or never handed out) entry holds ALASKA_POISON_BASE. A use of a freed handle
 * therefore touches [POISON_BASE, POISON_BASE + 4 GiB), a PROT_NONE reservation; the
 * runtime's SIGSEGV handler recognises the address and reports "use of freed handle". */
#define ALASKA_POISON_BASE (1ULL << 35)
#define ALASKA_POISON_BYTES (1ULL << 32)

static inline int alaska_is_handle(const void *p) { return (int64_t)(uintptr_t)p < 0; }
static inline uint32_t alaska_handle_id(const void *p) {
  return (uint32_t)(((uintptr_t)p >> ALASKA_OFFSET_BITS) & ALASKA_MAX_ID);
}
/* Byte offset from the object's start, in [-2^31, 2^31). */
static inline int64_t alaska_handle_offset(const void *p) {
  return (int64_t)((uintptr_t)p & ALASKA_OFFSET_MASK) - (int64_t)ALASKA_HANDLE_BIAS;
}
static inline void *alaska_make_handle(uint32_t id, int64_t offset) {
  uint32_t field = (uint32_t)((uint64_t)offset + ALASKA_HANDLE_BIAS);
  return (void *)(uintptr_t)(ALASKA_HANDLE_BIT | ((uint64_t)id << ALASKA_OFFSET_BITS) | field);
}
/* Table entry <-> object address. */
static inline uint64_t alaska_entry_of(uint64_t address) { return address - ALASKA_HANDLE_BIAS; }
static inline uint64_t alaska_entry_address(uint64_t entry) { return entry + ALASKA_HANDLE_BIAS; }
/* The same sequence the pass emits inline. */
static inline void *alaska_translate_inline(const void *p) {
  uint64_t v = (uint64_t)(uintptr_t)p;
  if ((int64_t)v >= 0) return (void *)(uintptr_t)v;
  uint64_t base = *(volatile uint64_t *)(uintptr_t)((v >> ALASKA_ENTRY_SHIFT) & ALASKA_ENTRY_MASK);
  return (void *)(uintptr_t)(base + (uint32_t)v);
}

/* ---- runtime entry points the pass calls ------------------------------------------- */
/* Allocation replacement (see compiler/pass/Replace*). Signatures match the C functions
 * they replace unless noted. */
#define ALASKA_RT_MALLOC "halloc"                 /* void *(size_t) */
#define ALASKA_RT_CALLOC "hcalloc"                /* void *(size_t, size_t) */
#define ALASKA_RT_REALLOC "hrealloc"              /* void *(void *, size_t) */
#define ALASKA_RT_FREE "hfree"                    /* void (void *) */
#define ALASKA_RT_USABLE_SIZE "alaska_usable_size" /* size_t (void *) */
#define ALASKA_RT_STRDUP "alaska_strdup"          /* char *(const char *) */
#define ALASKA_RT_STRNDUP "alaska_strndup"        /* char *(const char *, size_t) */
#define ALASKA_RT_POSIX_MEMALIGN "alaska_posix_memalign" /* int (void **, size_t, size_t) */
#define ALASKA_RT_ALIGNED_ALLOC "alaska_aligned_alloc"   /* void *(size_t align, size_t) */
#define ALASKA_RT_MEMALIGN "alaska_memalign"      /* void *(size_t align, size_t) */
#define ALASKA_RT_REALLOCARRAY "alaska_reallocarray" /* void *(void *, size_t, size_t) */
/* C++: operator new never returns NULL (reports and exits on exhaustion, as the runtime
 * cannot throw from C); the nothrow variants may. delete of any variant is hfree. */
#define ALASKA_RT_NEW "alaska_new"                /* void *(size_t) */
#define ALASKA_RT_NEW_NOTHROW "alaska_new_nothrow" /* void *(size_t) */
#define ALASKA_RT_NEW_ALIGNED "alaska_new_aligned" /* void *(size_t, size_t align) */
#define ALASKA_RT_NEW_ALIGNED_NOTHROW "alaska_new_aligned_nothrow" /* void *(size_t, size_t) */

/* Out-of-line translation (identity for plain pointers). The pass emits translation
 * inline; this is for escape wrappers and tests. */
#define ALASKA_RT_TRANSLATE "alaska_translate"    /* void *(void *) */
/* The object behind this handle will be referenced by uncompiled code after the call
 * returns (setvbuf, pthread_create's argument, putenv, ...): never move it again. */
#define ALASKA_RT_PIN_FOREVER "alaska_pin_forever" /* void (void *) */
/* Called by a constructor (llvm.global_ctors) the pass emits in every module it transforms:
 * the program keeps pin slots, so the runtime may move its objects. Arms the automatic
 * defragmentation service (docs/design.md §7); idempotent and cheap. */
#define ALASKA_RT_MODULE_INIT "alaska_module_init" /* void (void) */

/* ---- safepoints (docs/design.md §6.3) --------------------------------------------------- */
/* Every function the pass compiles (in safepoint mode) is placed in this section. The module
 * constructor passes the linker's __start_/__stop_ symbols of it and the address of the
 * object's poll word (one per executable or library: a hidden linkonce global of this name)
 * to ALASKA_RT_REGISTER_TEXT. A barrier's signal that interrupts code in a registered range
 * does not stop the thread there: it runs on to its next poll. */
#define ALASKA_TEXT_SECTION "alaska_text"
#define ALASKA_POLL_WORD "alaska.poll_word"
#define ALASKA_RT_REGISTER_TEXT "alaska_register_text" /* void (const void *, const void *, uint32_t *) */
/* A poll: `if (atomic_load_relaxed(&poll_word)) ALASKA_RT_POLL();` on every loop back-edge
 * (but counted inner loops) and at the entry of functions that may recurse. The word is
 * nonzero while a barrier waits for threads; the call is where such a thread stops. */
#define ALASKA_RT_POLL "alaska_poll" /* void (void) */

/* ---- libc escape wrappers (runtime/interop/escape.c) ------------------------------------- */
/* Same signatures as the libc functions they replace; the pass calls them with the
 * program's handles unchanged (pointers to pointers, structs of pointers, reallocation of
 * program memory; see the table in compiler/pass/LibcTable.cpp). */
#define ALASKA_RT_GETLINE "alaska_getline"
#define ALASKA_RT_GETDELIM "alaska_getdelim"
#define ALASKA_RT_STRTOK "alaska_strtok"
#define ALASKA_RT_STRTOK_R "alaska_strtok_r"
#define ALASKA_RT_STRSEP "alaska_strsep"
#define ALASKA_RT_WRITEV "alaska_writev"
#define ALASKA_RT_READV "alaska_readv"
#define ALASKA_RT_PWRITEV "alaska_pwritev"
#define ALASKA_RT_PREADV "alaska_preadv"
#define ALASKA_RT_SENDMSG "alaska_sendmsg"
#define ALASKA_RT_RECVMSG "alaska_recvmsg"
#define ALASKA_RT_EXECV "alaska_execv"
#define ALASKA_RT_EXECVP "alaska_execvp"
#define ALASKA_RT_EXECVE "alaska_execve"
#define ALASKA_RT_VPRINTF "alaska_vprintf"
#define ALASKA_RT_VFPRINTF "alaska_vfprintf"
#define ALASKA_RT_VSPRINTF "alaska_vsprintf"
#define ALASKA_RT_VSNPRINTF "alaska_vsnprintf"
#define ALASKA_RT_VASPRINTF "alaska_vasprintf"
#define ALASKA_RT_VDPRINTF "alaska_vdprintf"
#define ALASKA_RT_VFPRINTF_CHK "alaska_vfprintf_chk" /* _FORTIFY_SOURCE variants */
#define ALASKA_RT_VPRINTF_CHK "alaska_vprintf_chk"
#define ALASKA_RT_VDPRINTF_CHK "alaska_vdprintf_chk"
#define ALASKA_RT_VASPRINTF_CHK "alaska_vasprintf_chk"
#define ALASKA_RT_VSNPRINTF_CHK "alaska_vsnprintf_chk"
#define ALASKA_RT_VSPRINTF_CHK "alaska_vsprintf_chk"
#define ALASKA_RT_VSSCANF "alaska_vsscanf"
#define ALASKA_RT_VFSCANF "alaska_vfscanf"
#define ALASKA_RT_VSCANF "alaska_vscanf"

/* ---- pin frames (docs/design.md §6.1, §6.2) ------------------------------------------ */
/* Every function that keeps translated handles pinned keeps them in one *pin frame* on its
 * stack:
 *
 *   word 0: ALASKA_PIN_FRAME_TAG | N (N < 2^20)   words 1 .. N: slots
 *
 * The header is written at function entry (one volatile store) before any slot. A slot
 * holds the handle of a translation whose raw address may still be used, 0 once it is dead,
 * or — before its first store in this call — whatever the stack held (compiled frames are
 * not zeroed: a stale or garbage word can only pin more). The barrier's stack scan looks for
 * header words, reads N (bounded by the end of the scanned range) and pins the handles in
 * those N slots only: handles in other locals and registers do not pin. A stale frame left
 * in dead stack memory can only pin more. A header has bit 63 clear (never a handle), is
 * non-canonical (never a pointer) and is not a small integer. */
#define ALASKA_PIN_FRAME_TAG 0x3A1A5CA9F0A00000ULL
#define ALASKA_PIN_FRAME_COUNT_BITS 20
#define ALASKA_PIN_FRAME_MAX_SLOTS ((1ULL << ALASKA_PIN_FRAME_COUNT_BITS) - 1)
#define ALASKA_PIN_FRAME_HEADER_WORDS 1
#define ALASKA_PIN_FRAME_HEADER(n) (ALASKA_PIN_FRAME_TAG | (uint64_t)(n))
static inline int alaska_is_pin_frame_header(uint64_t w) {
  return (w >> ALASKA_PIN_FRAME_COUNT_BITS) == (ALASKA_PIN_FRAME_TAG >> ALASKA_PIN_FRAME_COUNT_BITS);
}
static inline uint64_t alaska_pin_frame_count(uint64_t header) {
  return header & ALASKA_PIN_FRAME_MAX_SLOTS;
}

/* For hand-written code (runtime wrappers, tests): declares a pin frame of n slots on the
 * stack and makes `name` point at its slots (volatile uint64_t *). Store a handle in a
 * slot, then a compiler-only fence, before translating it; store 0 (after a fence) once
 * the raw address is dead, or let the frame die with the function. */
static inline volatile uint64_t *alaska_pin_frame_init(volatile uint64_t *words, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) words[ALASKA_PIN_FRAME_HEADER_WORDS + i] = 0;
  words[0] = ALASKA_PIN_FRAME_HEADER(n); /* last: the slots are 0 once the header is seen */
  return words + ALASKA_PIN_FRAME_HEADER_WORDS;
}
#define ALASKA_PIN_FRAME(name, n)                                                          \
  volatile uint64_t name##_pin_frame[ALASKA_PIN_FRAME_HEADER_WORDS + (n)];                 \
  volatile uint64_t *const name = alaska_pin_frame_init(name##_pin_frame, (uint64_t)(n))

/* Word placed right before the entry of every function compiled by Alaska (LLVM prefix
 * data). An indirect call reads the 8 bytes before its target: equal -> the callee takes
 * handles; otherwise pointer arguments are translated (docs/design.md §5). */
#define ALASKA_FUNCTION_MAGIC 0xA1A5CA0F0DE5A1A5ULL

#ifdef __cplusplus
}
#endif

#endif /* ALASKA_ABI_H */
