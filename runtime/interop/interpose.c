/*
 * interpose.c — `free`, `realloc`, `reallocarray` and `malloc_usable_size` for code the pass
 * did not compile (docs/design.md §4). Forwarding of system pointers to glibc: os/sysalloc.c.
 *
 * Uncompiled code only ever sees translated (raw) addresses of our objects: a raw address
 * inside the heap is mapped to its slot's handle. `realloc` of such an address returns a
 * fresh glibc allocation holding the contents and frees the handle (the caller gets a plain
 * pointer, which compiled code handles as well). Everything else goes to glibc untouched.
 */
#include <errno.h>
#include <string.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "os/os.h"

ALASKA_API void free(void *p) {
  if (p == NULL) return;
  if (alaska_is_handle(p) || heap_contains(p)) {
    hfree(p);
    return;
  }
  __libc_free(p);
}

ALASKA_API void *realloc(void *p, size_t n) {
  if (alaska_is_handle(p)) return hrealloc(p, n);
  if (p == NULL || !heap_contains(p)) return __libc_realloc(p, n);
  RT_ENTER(); /* the copy below reads the object at p: no barrier in between */
  uint32_t off;
  uint32_t id = alaska_handle_of_raw(p, &off);
  if (id == 0 || off != 0) {
    alaska_fatal("realloc of invalid pointer %#lx (inside the Alaska heap but not the start "
                 "of a live object)", (unsigned long)(uintptr_t)p);
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

ALASKA_API void *reallocarray(void *p, size_t nmemb, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(nmemb, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, total);
}

ALASKA_API size_t malloc_usable_size(void *p) {
  if (p == NULL) return 0;
  if (alaska_is_handle(p) || heap_contains(p)) return alaska_usable_size(p);
  return system_usable_size(p);
}
