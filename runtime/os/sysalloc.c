/*
 * sysalloc.c — forwarding to glibc's allocator for the pointers it handed out (docs/design.md
 * §4): free, realloc and malloc_usable_size of system pointers, the check that a pointer
 * outside our heap looks like a live glibc chunk before we pass it on, and the allocation of
 * objects too large for a handle (§1: >= 2 GiB, runtime/heap/large.c).
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "os/os.h"

typedef size_t (*usable_size_fn)(void *);
static _Atomic(usable_size_fn) libc_usable_size;

/* Looked up on first use, not at start-up (a dlsym every process would pay). */
void interpose_init(void) {
  /* glibc exports no __libc_ alias for malloc_usable_size. */
  atomic_store_explicit(&libc_usable_size,
                        (usable_size_fn)dlsym(RTLD_NEXT, "malloc_usable_size"),
                        memory_order_release);
}

void *system_alloc(size_t size, size_t align, int zero) {
  if (align <= 16) return zero ? __libc_calloc(1, size) : __libc_malloc(size);
  void *p = __libc_memalign(align, size);
  if (p && zero) memset(p, 0, size);
  return p;
}

void system_free(void *p) { __libc_free(p); }
void *system_realloc(void *p, size_t n) { return __libc_realloc(p, n); }
size_t system_usable_size(void *p) {
  usable_size_fn fn = atomic_load_explicit(&libc_usable_size, memory_order_acquire);
  if (!fn) {
    interpose_init();
    fn = atomic_load_explicit(&libc_usable_size, memory_order_acquire);
  }
  if (!fn) alaska_fatal("malloc_usable_size of glibc not found");
  return fn(p);
}

/* Does `p` look like a live glibc malloc chunk? Reads the chunk header without faulting:
 * 16-byte aligned, a sane size, and either an mmapped chunk with page-aligned bounds or an
 * arena chunk whose successor says "previous chunk in use". */
int system_plausible_chunk(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if ((a & 15) != 0 || a < 4096) return 0;
  uint64_t hdr[2]; /* prev_size, size|flags */
  if (!os_safe_read((const char *)p - 16, hdr, sizeof hdr)) return 0;
  uint64_t size = hdr[1] & ~7ULL;
  if (hdr[1] & 2) /* IS_MMAPPED */
    return size >= 4096 && ((a - 16 - hdr[0]) & 4095) == 0 && ((hdr[0] + size) & 4095) == 0;
  if (size < 32 || (size & 15) != 0 || size > (1ULL << 40)) return 0;
  uint64_t next;
  if (!os_safe_read((const char *)p - 16 + size + 8, &next, sizeof next)) return 0;
  return (next & 1) != 0 && (next & ~7ULL) >= 16;
}
