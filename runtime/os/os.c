/* os.c — the runtime's only contact with the virtual-memory system calls. */
#include "os/os.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

size_t os_resident_bytes(const void *addr, size_t bytes) {
  uintptr_t lo = (uintptr_t)addr & ~(ALASKA_OS_PAGE_SIZE - 1);
  uintptr_t hi = ((uintptr_t)addr + bytes + ALASKA_OS_PAGE_SIZE - 1) & ~(ALASKA_OS_PAGE_SIZE - 1);
  unsigned char vec[4096];
  size_t resident = 0;
  while (lo < hi) {
    size_t pages = (hi - lo) / ALASKA_OS_PAGE_SIZE;
    if (pages > sizeof vec) pages = sizeof vec;
    if (mincore((void *)lo, pages * ALASKA_OS_PAGE_SIZE, vec) == 0)
      for (size_t i = 0; i < pages; i++) resident += vec[i] & 1;
    lo += pages * ALASKA_OS_PAGE_SIZE;
  }
  return resident * ALASKA_OS_PAGE_SIZE;
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

static uintptr_t parse_hex(const char **s) {
  uintptr_t v = 0;
  for (;; (*s)++) {
    char ch = **s;
    if (ch >= '0' && ch <= '9') v = v * 16 + (uintptr_t)(ch - '0');
    else if (ch >= 'a' && ch <= 'f') v = v * 16 + (uintptr_t)(ch - 'a' + 10);
    else return v;
  }
}

/* One line of /proc/self/smaps: a mapping's header ("start-end perms ...", lower-case hex)
 * or one of its fields ("Rss:   12 kB", capitalised). */
static void smaps_line(const char *s, uintptr_t lo, uintptr_t hi, int *inside, size_t *kb) {
  if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')) {
    uintptr_t start = parse_hex(&s);
    if (*s != '-') return;
    s++;
    uintptr_t end = parse_hex(&s);
    *inside = start < hi && end > lo;
  } else if (*inside && strncmp(s, "Rss:", 4) == 0) {
    s += 4;
    while (*s == ' ') s++;
    size_t n = 0;
    while (*s >= '0' && *s <= '9') n = n * 10 + (size_t)(*s++ - '0');
    *kb += n;
  }
}

size_t os_mapped_rss(uintptr_t lo, uintptr_t hi) {
  int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return (size_t)-1;
  char buf[4096];
  size_t have = 0, kb = 0;
  int inside = 0, skip = 0; /* skip: the rest of a line longer than the buffer */
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
    if (r <= 0) break;
    have += (size_t)r;
    buf[have] = 0;
    char *line = buf, *nl;
    while ((nl = memchr(line, '\n', (size_t)(buf + have - line))) != NULL) {
      *nl = 0;
      if (!skip) smaps_line(line, lo, hi, &inside, &kb);
      skip = 0;
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
    if (have == sizeof buf - 1) {
      have = 0;
      skip = 1;
    }
  }
  close(fd);
  return kb << 10;
}

void os_write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    p += w;
    n -= (size_t)w;
  }
}

typedef struct line {
  char buf[1024];
  size_t len;
} line_t;

static void put_str(line_t *l, const char *s) {
  while (*s && l->len < sizeof l->buf) l->buf[l->len++] = *s++;
}

static void put_num(line_t *l, unsigned long long v, int base, int negative, int prefix) {
  char digits[24];
  int i = 0;
  do {
    digits[i++] = "0123456789abcdef"[v % (unsigned)base];
    v /= (unsigned)base;
  } while (v);
  if (negative) put_str(l, "-");
  if (prefix) put_str(l, "0x");
  while (i > 0 && l->len < sizeof l->buf) l->buf[l->len++] = digits[--i];
}

/* The printf subset of os.h; an unknown conversion is copied as written. */
static void format_line(line_t *l, const char *fmt, va_list ap) {
  for (const char *f = fmt; *f && l->len < sizeof l->buf; f++) {
    if (*f != '%') {
      l->buf[l->len++] = *f;
      continue;
    }
    const char *spec = f++;
    int prefix = 0, longs = 0, size = 0;
    if (*f == '#') prefix = 1, f++;
    while (*f == 'l') longs++, f++;
    if (*f == 'z') size = 1, f++;
    switch (*f) {
    case 's': {
      const char *s = va_arg(ap, const char *);
      put_str(l, s ? s : "(null)");
      break;
    }
    case 'c': {
      char c[2] = {(char)va_arg(ap, int), 0};
      put_str(l, c);
      break;
    }
    case 'd': {
      long long v = size ? (long long)va_arg(ap, ssize_t)
                    : longs ? (longs > 1 ? va_arg(ap, long long) : va_arg(ap, long))
                            : va_arg(ap, int);
      put_num(l, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10, v < 0, 0);
      break;
    }
    case 'u':
    case 'x': {
      unsigned long long v = size ? va_arg(ap, size_t)
                             : longs ? (longs > 1 ? va_arg(ap, unsigned long long)
                                                  : va_arg(ap, unsigned long))
                                     : va_arg(ap, unsigned);
      put_num(l, v, *f == 'x' ? 16 : 10, 0, prefix);
      break;
    }
    case '%':
      put_str(l, "%");
      break;
    default: /* not in the subset: show it rather than guess at the arguments */
      while (spec <= f && *spec && l->len < sizeof l->buf) l->buf[l->len++] = *spec++;
      if (!*f) return;
      break;
    }
  }
}

static void report(const char *fmt, va_list ap) {
  line_t l = {.len = 0};
  int saved_errno = errno;
  put_str(&l, "alaska: ");
  format_line(&l, fmt, ap);
  if (l.len == sizeof l.buf) l.len--; /* room for the newline */
  l.buf[l.len++] = '\n';
  os_write_all(2, l.buf, l.len);
  errno = saved_errno;
}

void alaska_report(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(fmt, ap);
  va_end(ap);
}

void alaska_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(fmt, ap);
  va_end(ap);
  _exit(1);
}

void *next_symbol(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p) alaska_fatal("cannot find the real %s", name);
  return p;
}
