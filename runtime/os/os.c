/* os.c — the runtime's only contact with the virtual-memory system calls. */
#include "os/os.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

void *os_reserve(size_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

int os_reserve_fixed(void *addr, size_t bytes, int prot_none) {
  int prot = prot_none ? PROT_NONE : PROT_READ | PROT_WRITE;
  void *p = mmap(addr, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
                 MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED) return errno ? errno : EINVAL;
  if (p != addr) { /* kernels before 4.17 treat the flag as a hint */
    munmap(p, bytes);
    return EEXIST;
  }
  return 0;
}

void os_exclude_from_dumps(void *addr, size_t bytes) {
  if (addr && bytes) (void)madvise(addr, bytes, MADV_DONTDUMP);
}

#define DUMP_PREFIX_MIN (64u << 10)
void os_dump_prefix_grow(os_dump_prefix_t *d, size_t bytes) {
  size_t dumped = d->dumped;
  if (bytes <= dumped) return;
  size_t want = dumped + dumped / 4;
  if (want < bytes) want = bytes;
  if (want < DUMP_PREFIX_MIN) want = DUMP_PREFIX_MIN;
  want = (want + 4095) & ~(size_t)4095;
  if (want > d->reserved) want = d->reserved;
  (void)madvise((void *)(d->base + dumped), want - dumped, MADV_DODUMP);
  __atomic_store_n(&d->dumped, want, __ATOMIC_RELAXED);
}

void os_unmap(void *addr, size_t bytes) {
  if (addr) munmap(addr, bytes);
}

void os_release(void *addr, size_t bytes) {
  if (bytes) madvise(addr, bytes, MADV_DONTNEED);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
static int prefault_unsupported;
void os_prefault(void *addr, size_t bytes) {
  if (!bytes || __atomic_load_n(&prefault_unsupported, __ATOMIC_RELAXED)) return;
  if (madvise(addr, bytes, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
    __atomic_store_n(&prefault_unsupported, 1, __ATOMIC_RELAXED); /* older kernel */
}

int os_safe_read(const void *addr, void *out, size_t bytes) {
  struct iovec local = {out, bytes};
  struct iovec remote = {(void *)addr, bytes};
  ssize_t n = syscall(SYS_process_vm_readv, getpid(), &local, 1UL, &remote, 1UL, 0UL);
  return n == (ssize_t)bytes;
}

size_t os_rss_bytes(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char *s = buf;
  while (*s && *s != ' ') s++; /* skip total size */
  while (*s == ' ') s++;
  size_t pages = 0;
  while (*s >= '0' && *s <= '9') pages = pages * 10 + (size_t)(*s++ - '0');
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

void os_write_str(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    s += w;
    n -= (size_t)w;
  }
}

void os_write_hex(uint64_t v) {
  char buf[19];
  int i = 18;
  buf[i] = 0;
  do {
    buf[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  buf[--i] = 'x';
  buf[--i] = '0';
  os_write_str(buf + i);
}

void os_write_dec(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  os_write_str(buf + i);
}

void alaska_fatal(const char *msg) {
  os_write_str("alaska: ");
  os_write_str(msg);
  os_write_str("\n");
  _exit(1);
}

void alaska_fatal_end(const char *msg) {
  os_write_str(msg);
  os_write_str("\n");
  _exit(1);
}

void alaska_fatal_hex(const char *msg, uint64_t value) {
  os_write_str("alaska: ");
  os_write_str(msg);
  os_write_hex(value);
  os_write_str("\n");
  _exit(1);
}

void write_stderr(const char *msg) {
  ssize_t ignored = write(2, msg, strlen(msg));
  (void)ignored;
}

void *next_symbol(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p) {
    write_stderr("alaska: cannot find the real ");
    write_stderr(name);
    write_stderr("\n");
    _exit(1);
  }
  return p;
}
