/*
 * interpose.c — `free`, `realloc`, `reallocarray` and `malloc_usable_size` for code the pass
 * did not compile (docs/design.md §4), and forwarding of system pointers to glibc.
 *
 * Uncompiled code only ever sees translated (raw) addresses of our objects: a raw address
 * inside the heap is mapped to its slot's handle. `realloc` of such an address returns a
 * fresh glibc allocation holding the contents and frees the handle (the caller gets a plain
 * pointer, which compiled code handles as well). Everything else goes to glibc untouched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "heap.h"
#include "internal.h"
#include "os.h"

extern void __libc_free(void *);
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);

static size_t (*libc_usable_size)(void *);

void interpose_init(void) {
  /* glibc exports no __libc_ alias for malloc_usable_size. */
  libc_usable_size = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
}

void system_free(void *p) { __libc_free(p); }
void *system_realloc(void *p, size_t n) { return __libc_realloc(p, n); }
size_t system_usable_size(void *p) {
  if (!libc_usable_size) interpose_init(); /* called before our constructor ran */
  if (!libc_usable_size) alaska_fatal("malloc_usable_size of glibc not found");
  return libc_usable_size(p);
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

void free(void *p) {
  if (p == NULL) return;
  if (alaska_is_handle(p) || heap_contains(p)) {
    hfree(p);
    return;
  }
  __libc_free(p);
}

void *realloc(void *p, size_t n) {
  if (alaska_is_handle(p)) return hrealloc(p, n);
  if (p == NULL || !heap_contains(p)) return __libc_realloc(p, n);
  RT_ENTER(); /* the copy below reads the object at p: no barrier in between */
  uint32_t off;
  uint32_t id = alaska_handle_of_raw(p, &off);
  if (id == 0 || off != 0) {
    os_write_str("alaska: realloc of invalid pointer ");
    os_write_hex((uint64_t)(uintptr_t)p);
    alaska_fatal_end(" (inside the Alaska heap but not the start of a live object)");
  }
  void *h = alaska_make_handle(id, 0);
  void *fresh = NULL;
  if (n != 0 && (fresh = __libc_malloc(n)) != NULL) {
    size_t old = alaska_usable_size(h);
    memcpy(fresh, p, old < n ? old : n);
  }
  if (n == 0 || fresh) hfree(h); /* realloc(p, 0) frees; a failed realloc keeps p */
  RT_LEAVE();
  return fresh;
}

void *reallocarray(void *p, size_t nmemb, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(nmemb, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, total);
}

size_t malloc_usable_size(void *p) {
  if (p == NULL) return 0;
  if (alaska_is_handle(p) || heap_contains(p)) return alaska_usable_size(p);
  return system_usable_size(p);
}
