/*
 * os.h — every mmap/madvise/mprotect the runtime makes, plus the one error path (every
 * `alaska: ...` message; neither malloc nor stdio, so usable in signal handlers and barriers).
 */
#ifndef ALASKA_RUNTIME_OS_H
#define ALASKA_RUNTIME_OS_H

#include <stddef.h>
#include <stdint.h>

#include "os/defs.h"

/* Reserve `bytes` of read/write address space committed lazily by the kernel
 * (MAP_NORESERVE). Returns NULL on failure. */
void *os_reserve(size_t bytes);
/* Reserve at exactly `addr` with MAP_FIXED_NOREPLACE; `prot_none` for guard regions.
 * Returns 0, or the errno of the failure (EEXIST when the range is taken). */
int os_reserve_fixed(void *addr, size_t bytes, int prot_none);
/* Unmap a region from os_reserve. */
void os_unmap(void *addr, size_t bytes);
/* Give the physical memory of [addr, addr+bytes) back; it reads as zero afterwards. */
void os_release(void *addr, size_t bytes);
/* Bytes of [addr, addr+bytes) (rounded out to OS pages) resident in memory (mincore; no
 * malloc, a stack vector per 16 MiB). 0 for an unmapped range. */
size_t os_resident_bytes(const void *addr, size_t bytes);
/* Make [addr, addr+bytes) resident and writable without changing its contents
 * (MADV_POPULATE_WRITE), so that later writes take no page fault. Best effort: does nothing
 * on kernels without it. */
void os_prefault(void *addr, size_t bytes);
/* Core dumps. gdb's gcore writes every byte of each mapping it dumps (no sparse output in
 * gdb 13) and the kernel pipes the whole range to systemd-coredump & co., so a 1 TiB
 * reservation must not be dumped beyond what the runtime uses: exclude it, then let a
 * prefix that covers the used part grow (by at least a quarter each time: few madvise
 * calls). Best effort: both do nothing where madvise refuses. */
void os_exclude_from_dumps(void *addr, size_t bytes);       /* MADV_DONTDUMP */
typedef struct os_dump_prefix {
  uintptr_t base;   /* start of the reservation */
  size_t reserved;  /* its size */
  size_t dumped;    /* [base, base + dumped) is included in core dumps */
} os_dump_prefix_t;
/* Include at least [base, base + bytes) in core dumps. Callers serialise calls on one
 * prefix; `dumped` may be read racily (atomically) to skip the call. */
void os_dump_prefix_grow(os_dump_prefix_t *d, size_t bytes);
static inline int os_dump_prefix_covers(const os_dump_prefix_t *d, size_t bytes) {
  return bytes <= __atomic_load_n(&d->dumped, __ATOMIC_RELAXED);
}

/* Resident bytes of the mappings inside [lo, hi) as /proc/self/smaps counts them ("Rss"):
 * unlike mincore it does not count pages that only map the shared zero page (reads of
 * released memory). (size_t)-1 if smaps is unreadable. No malloc. */
size_t os_mapped_rss(uintptr_t lo, uintptr_t hi);
/* Copy `bytes` from `addr` into `out` without faulting; returns 0 if unreadable. */
int os_safe_read(const void *addr, void *out, size_t bytes);
/* Resident set size of this process in bytes (/proc/self/statm), 0 if unknown. */
size_t os_rss_bytes(void);

/* Every message the runtime prints is one line `alaska: <message>` on stderr, formatted on
 * the stack and written with one write(2): async-signal-safe (no malloc, no stdio, no
 * locks), so usable in signal handlers, barriers and before the heap exists. The format is
 * a printf subset: %s %c %d %u %x with the length modifiers l, ll, z, the # flag (0x
 * prefix) and %%; a message longer than 1 KiB is cut. */
void alaska_report(const char *fmt, ...) __attribute__((cold, format(printf, 1, 2)));
/* alaska_report, then _exit(1). */
__attribute__((noreturn, cold, format(printf, 1, 2))) void alaska_fatal(const char *fmt, ...);
/* write(2) all of buf to fd, retrying after EINTR and short writes; gives up on an error. */
void os_write_all(int fd, const void *buf, size_t n);

/* dlsym(RTLD_NEXT, name): the libc function we interpose; dies with a message if missing. */
void *next_symbol(const char *name) ALASKA_HIDDEN;

/* ---- the system allocator (sysalloc.c): glibc's malloc, for pointers it handed out ---- */
extern void __libc_free(void *);
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_memalign(size_t, size_t);
void interpose_init(void);              /* looks up glibc's malloc_usable_size (on first use) */
void *system_alloc(size_t size, size_t align, int zero); /* glibc; NULL + errno from it */
void system_free(void *p);
void *system_realloc(void *p, size_t n);
size_t system_usable_size(void *p);
int system_plausible_chunk(const void *p); /* does p look like a live glibc chunk? */

#endif
