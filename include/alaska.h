/*
 * alaska.h — public C API of the Alaska runtime.
 *
 * Programs built with alaska-clang never need this header: the pass rewrites malloc & co.
 * into these functions. Include it to allocate handles explicitly (hand-written code, or
 * tests of the runtime), to translate a handle by hand, or to read statistics.
 *
 *   cc prog.c $(pkg-config --cflags --libs alaska)
 *
 * Semantics follow the malloc family: NULL + errno=ENOMEM on exhaustion; objects a handle
 * cannot address (>= 2 GiB) are system allocations returned as raw pointers. Bad input
 * (double free, free of a pointer that is neither a live handle nor a system allocation, use of a freed handle) is reported as
 * "alaska: ..." on stderr and the process exits non-zero.
 */
#ifndef ALASKA_H
#define ALASKA_H

#include <stddef.h>
#include <stdint.h>

#include "alaska/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocate `size` bytes; returns a handle (bit 63 set). */
ALASKA_API void *halloc(size_t size);
/* Zeroed array allocation; overflow of nmemb * size gives NULL + ENOMEM. */
ALASKA_API void *hcalloc(size_t nmemb, size_t size);
/* Resize; contents up to the smaller size survive. hrealloc(NULL, n) == halloc(n).
 * Accepts pointers from the system allocator too (forwarded to libc realloc). */
ALASKA_API void *hrealloc(void *ptr, size_t size);
/* Free a handle. NULL is a no-op; system-allocator pointers are forwarded to libc free. */
ALASKA_API void hfree(void *ptr);
/* Usable bytes behind a handle (>= the requested size). */
ALASKA_API size_t alaska_usable_size(void *ptr);
/* Current address of the object behind a handle plus its offset; identity for plain
 * pointers. The address is valid until the object moves (see docs/design.md). */
ALASKA_API void *alaska_translate(void *ptr);

/* The other entry points the pass calls (names in alaska/abi.h). They take and return
 * handles like their libc counterparts take and return pointers. */
ALASKA_API char *alaska_strdup(const char *s);
ALASKA_API char *alaska_strndup(const char *s, size_t n);
ALASKA_API int alaska_posix_memalign(void **out, size_t align, size_t size);
ALASKA_API void *alaska_aligned_alloc(size_t align, size_t size);
ALASKA_API void *alaska_memalign(size_t align, size_t size);
ALASKA_API void *alaska_reallocarray(void *ptr, size_t nmemb, size_t size);
/* C++ operator new: never NULL; prints "alaska: out of memory in operator new" and exits. */
ALASKA_API void *alaska_new(size_t size);
ALASKA_API void *alaska_new_nothrow(size_t size);
ALASKA_API void *alaska_new_aligned(size_t size, size_t align);
ALASKA_API void *alaska_new_aligned_nothrow(size_t size, size_t align);
/* Never move this object again (uncompiled code keeps its address). */
ALASKA_API void alaska_pin_forever(void *ptr);

/* Counters, also printed at exit with ALASKA_STATS=1 as one `alaska-stats:` line. */
typedef struct alaska_stats {
  uint64_t halloc;               /* allocations served (all entry points) */
  uint64_t hfree;                /* frees served */
  uint64_t handles_live;         /* handle ids currently in use */
  uint64_t handles_peak;         /* high-water mark of handles_live */
  uint64_t heap_committed_bytes; /* bytes of heap pages currently backed by memory */
  uint64_t live_bytes;           /* bytes in live objects (usable sizes) */
  uint64_t pages_released;       /* heap pages returned to the OS so far */
} alaska_stats_t;

ALASKA_API void alaska_get_stats(alaska_stats_t *out);

/* Stop every thread (docs/design.md §6.2), move unpinned objects out of sparse pages and
 * return emptied pages to the OS. Returns the bytes released; 0 if nothing could be
 * released or the world could not be stopped (a thread stayed inside the runtime or did
 * not answer within ALASKA_BARRIER_TIMEOUT_US): nothing moves then, try again later. */
ALASKA_API size_t alaska_compact(void);
/* Print the `alaska-stats:` line to stderr now. */
ALASKA_API void alaska_print_stats(void);
/* Write a snapshot of every heap page to `path` (format: docs/env.md, "Heap map"); 0, or -1
 * with errno set. ALASKA_HEAPMAP=path writes one at exit. */
ALASKA_API int alaska_heapmap(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ALASKA_H */
