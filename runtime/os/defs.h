/*
 * defs.h — compiler attributes every layer of the runtime uses.
 */
#ifndef ALASKA_RUNTIME_OS_DEFS_H
#define ALASKA_RUNTIME_OS_DEFS_H

#include "alaska/abi.h" /* ALASKA_API: the only symbols libalaska.so exports */

#define ALASKA_TLS_IE __attribute__((tls_model("initial-exec")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALASKA_NOINLINE __attribute__((noinline))
#define ALASKA_COLD __attribute__((cold, noinline))
/* Shared between the runtime's files, never exported from libalaska.so. */
#define ALASKA_HIDDEN __attribute__((visibility("hidden")))

/* The OS page (x86-64 Linux): the unit of mmap, madvise and page faults. */
#define ALASKA_OS_PAGE_SIZE 4096UL

#endif /* ALASKA_RUNTIME_OS_DEFS_H */
