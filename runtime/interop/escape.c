/*
 * escape.c — runtime wrappers for library functions whose arguments cannot simply be
 * translated by the pass (see the declared table in compiler/pass/LibcTable.cpp and
 * docs/design.md §5.3): pointers to pointers, structures holding pointers, va_lists
 * holding handles, and program memory the library would reallocate.
 *
 * Each wrapper has the signature of the function it replaces and receives the program's
 * handles unchanged. Before it turns a handle into an address it stores the handle in a
 * slot of a pin frame on its stack (PIN): a barrier scanning this thread's stack then sees
 * the handle and does not move the object while the raw address is in use. Frames are
 * never cleared early: they die with the wrapper, after its last use of a raw address.
 * Wrappers never run inside a barrier, so the libc calls they make (which may use glibc
 * malloc) are fine.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wchar.h>

#include "alaska.h"
#include "os/os.h"

/* Pin slots are written, never read: the barrier's stack scan is their reader. */
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"

/* Record a handle in a slot of a pin frame (ALASKA_PIN_FRAME, alaska/abi.h: the format the
 * barrier's stack scan looks for) before translating it. */
#define PIN(slot, h)                                                                       \
  do {                                                                                     \
    (slot) = (uintptr_t)(h);                                                               \
    atomic_signal_fence(memory_order_seq_cst);                                             \
  } while (0)

static inline void *xlate(const void *p) { return alaska_translate_inline(p); }

/* A handle (or raw pointer) moved by the distance a library call moved its raw copy. */
static inline void *rebase(void *base, const void *raw_base, const void *raw_result) {
  return (void *)((uintptr_t)base + (uintptr_t)((const char *)raw_result - (const char *)raw_base));
}

/* ---- getline / getdelim: the library would realloc the program's buffer ---------------- */
static __thread char *line_buf;  /* glibc-owned scratch line, reused per thread */
static __thread size_t line_cap;

ALASKA_API ssize_t alaska_getdelim(char **lineptr, size_t *n, int delim, FILE *stream) {
  ALASKA_PIN_FRAME(pins, 3);
  if (lineptr == NULL || n == NULL) {
    errno = EINVAL;
    return -1;
  }
  PIN(pins[0], lineptr);
  PIN(pins[1], n);
  char **lp = xlate(lineptr);
  size_t *np = xlate(n);
  char *buf = *lp;
  /* A buffer the library allocated (or none yet): let the library manage it. */
  if (!alaska_is_handle(buf)) return getdelim(lp, np, delim, stream);
  ssize_t len = getdelim(&line_buf, &line_cap, delim, stream);
  if (len < 0) return len;
  size_t need = (size_t)len + 1;
  if (*np < need || alaska_usable_size(buf) < need) {
    char *grown = hrealloc(buf, need);
    if (grown == NULL) {
      errno = ENOMEM;
      return -1;
    }
    buf = grown;
    *lp = buf;
    *np = need;
  }
  PIN(pins[2], buf);
  memcpy(xlate(buf), line_buf, need);
  return len;
}

ALASKA_API ssize_t alaska_getline(char **lineptr, size_t *n, FILE *stream) {
  return alaska_getdelim(lineptr, n, '\n', stream);
}

/* ---- strtok / strtok_r / strsep: the continuation pointer is kept as a handle ---------- */
ALASKA_API char *alaska_strtok_r(char *s, const char *delim, char **saveptr) {
  ALASKA_PIN_FRAME(pins, 4);
  PIN(pins[0], saveptr);
  PIN(pins[1], delim);
  char **sp = xlate(saveptr);
  char *cur = s ? s : *sp;
  if (cur == NULL) return NULL;
  PIN(pins[2], cur);
  char *raw = xlate(cur);
  char *raw_save = NULL;
  char *tok = strtok_r(raw, xlate(delim), &raw_save);
  *sp = raw_save ? rebase(cur, raw, raw_save) : NULL;
  return tok ? rebase(cur, raw, tok) : NULL;
}

static __thread char *strtok_state;

ALASKA_API char *alaska_strtok(char *s, const char *delim) {
  return alaska_strtok_r(s, delim, &strtok_state);
}

ALASKA_API char *alaska_strsep(char **stringp, const char *delim) {
  ALASKA_PIN_FRAME(pins, 3);
  PIN(pins[0], stringp);
  PIN(pins[1], delim);
  char **sp = xlate(stringp);
  char *cur = *sp;
  if (cur == NULL) return NULL;
  PIN(pins[2], cur);
  char *raw = xlate(cur);
  char *next = raw;
  strsep(&next, xlate(delim));
  *sp = next ? rebase(cur, raw, next) : NULL;
  return cur;
}

/* ---- iovec arrays: writev / readv / pwritev / preadv --------------------------------- */
/* Copies the array with translated bases into `out`; the handles stay pinned in `pins`. */
static int translate_iov(const struct iovec *iov, int cnt, struct iovec *out,
                         volatile uint64_t *pins) {
  if (cnt < 0 || cnt > IOV_MAX) {
    errno = EINVAL;
    return -1;
  }
  const struct iovec *src = xlate(iov);
  for (int i = 0; i < cnt; i++) {
    PIN(pins[i], src[i].iov_base);
    out[i].iov_base = xlate(src[i].iov_base);
    out[i].iov_len = src[i].iov_len;
  }
  return 0;
}

#define IOV_WRAPPER(name, call)                                                            \
  {                                                                                        \
    ALASKA_PIN_FRAME(iov_pin, 1);                                                          \
    PIN(iov_pin[0], iov);                                                                  \
    if (iovcnt < 0 || iovcnt > IOV_MAX) {                                                  \
      errno = EINVAL;                                                                      \
      return -1;                                                                           \
    }                                                                                      \
    struct iovec local[iovcnt > 0 ? iovcnt : 1];                                           \
    ALASKA_PIN_FRAME(pins, iovcnt > 0 ? iovcnt : 1);                                       \
    if (translate_iov(iov, iovcnt, local, pins) < 0) return -1;                            \
    return call;                                                                           \
  }

ALASKA_API ssize_t alaska_writev(int fd, const struct iovec *iov, int iovcnt)
    IOV_WRAPPER(writev, writev(fd, local, iovcnt))
ALASKA_API ssize_t alaska_readv(int fd, const struct iovec *iov, int iovcnt)
    IOV_WRAPPER(readv, readv(fd, local, iovcnt))
ALASKA_API ssize_t alaska_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
    IOV_WRAPPER(pwritev, pwritev(fd, local, iovcnt, off))
ALASKA_API ssize_t alaska_preadv(int fd, const struct iovec *iov, int iovcnt, off_t off)
    IOV_WRAPPER(preadv, preadv(fd, local, iovcnt, off))

/* ---- sendmsg / recvmsg: a msghdr holds three pointers and an iovec array --------------- */
#define MSG_WRAPPER_PROLOGUE                                                               \
  ALASKA_PIN_FRAME(hdr_pins, 4);                                                           \
  PIN(hdr_pins[0], msg);                                                                   \
  struct msghdr m = *(struct msghdr *)xlate(msg);                                          \
  if (m.msg_iovlen > IOV_MAX) {                                                            \
    errno = EMSGSIZE;                                                                      \
    return -1;                                                                             \
  }                                                                                        \
  int cnt = (int)m.msg_iovlen;                                                             \
  struct iovec local[cnt > 0 ? cnt : 1];                                                   \
  ALASKA_PIN_FRAME(pins, cnt > 0 ? cnt : 1);                                               \
  PIN(hdr_pins[1], m.msg_name);                                                            \
  PIN(hdr_pins[2], m.msg_control);                                                         \
  PIN(hdr_pins[3], m.msg_iov);                                                             \
  if (translate_iov(m.msg_iov, cnt, local, pins) < 0) return -1;                           \
  m.msg_name = xlate(m.msg_name);                                                          \
  m.msg_control = xlate(m.msg_control);                                                    \
  m.msg_iov = local;

ALASKA_API ssize_t alaska_sendmsg(int fd, const struct msghdr *msg, int flags) {
  MSG_WRAPPER_PROLOGUE
  return sendmsg(fd, &m, flags);
}

ALASKA_API ssize_t alaska_recvmsg(int fd, struct msghdr *msg, int flags) {
  MSG_WRAPPER_PROLOGUE
  ssize_t r = recvmsg(fd, &m, flags);
  struct msghdr *out = xlate(msg);
  out->msg_namelen = m.msg_namelen;
  out->msg_controllen = m.msg_controllen;
  out->msg_flags = m.msg_flags;
  return r;
}

/* ---- exec*: NULL-terminated arrays of strings -------------------------------------- */
#define MAX_EXEC_STRINGS 65536

static int count_strings(char *const *arr) {
  if (arr == NULL) return 0;
  char *const *raw = xlate(arr);
  int n = 0;
  while (raw[n] != NULL) {
    if (++n >= MAX_EXEC_STRINGS) return -1;
  }
  return n;
}

static void translate_strings(char *const *arr, int n, char **out, volatile uint64_t *pins) {
  char *const *raw = xlate(arr);
  for (int i = 0; i < n; i++) {
    PIN(pins[i], raw[i]);
    out[i] = xlate(raw[i]);
  }
  out[n] = NULL;
}

ALASKA_API int alaska_execve(const char *path, char *const argv[], char *const envp[]) {
  ALASKA_PIN_FRAME(top, 3);
  PIN(top[0], path);
  PIN(top[1], argv);
  PIN(top[2], envp);
  int na = count_strings(argv), ne = count_strings(envp);
  if (na < 0 || ne < 0) {
    errno = E2BIG;
    return -1;
  }
  char *args[na + 1], *envs[ne + 1];
  ALASKA_PIN_FRAME(pa, na + 1);
  ALASKA_PIN_FRAME(pe, ne + 1);
  args[0] = envs[0] = NULL;
  if (argv) translate_strings(argv, na, args, pa);
  if (envp) translate_strings(envp, ne, envs, pe);
  return execve(xlate(path), args, envs);
}

ALASKA_API int alaska_execv(const char *path, char *const argv[]) {
  extern char **environ;
  return alaska_execve(path, argv, environ);
}

ALASKA_API int alaska_execvp(const char *file, char *const argv[]) {
  ALASKA_PIN_FRAME(top, 2);
  PIN(top[0], file);
  PIN(top[1], argv);
  int na = count_strings(argv);
  if (na < 0) {
    errno = E2BIG;
    return -1;
  }
  char *args[na + 1];
  ALASKA_PIN_FRAME(pa, na + 1);
  args[0] = NULL;
  if (argv) translate_strings(argv, na, args, pa);
  return execvp(xlate(file), args);
}

/* ---- v*printf: a va_list built by compiled code holds handles ----------------------- */
/* Output goes to one of four sinks; `total` counts every character produced (the return
 * value), whatever the sink kept. */
enum sink_kind { SINK_FILE, SINK_FD, SINK_BUFFER, SINK_COUNT };
struct sink {
  enum sink_kind kind;
  FILE *file;
  int fd;
  char *buf;      /* raw */
  size_t cap;     /* bytes available in buf, including the terminating NUL */
  size_t total;
  int failed;
};

static void sink_put(struct sink *s, const char *p, size_t n) {
  switch (s->kind) {
  case SINK_FILE:
    if (n && fwrite(p, 1, n, s->file) != n) s->failed = 1;
    break;
  case SINK_FD:
    for (size_t done = 0; done < n;) {
      ssize_t w = write(s->fd, p + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        s->failed = 1;
        break;
      }
      done += (size_t)w;
    }
    break;
  case SINK_BUFFER:
    if (s->cap > 0 && s->total < s->cap - 1) {
      size_t room = s->cap - 1 - s->total;
      memcpy(s->buf + s->total, p, n < room ? n : room);
    }
    break;
  case SINK_COUNT:
    break;
  }
  s->total += n;
}

/* Format one conversion with the C library into a scratch buffer and emit it. */
#define EMIT_ONE(s, spec, ...)                                                            \
  do {                                                                                     \
    char small[256];                                                                       \
    int len = snprintf(small, sizeof small, spec, __VA_ARGS__);                            \
    if (len < 0) {                                                                         \
      (s)->failed = 1;                                                                     \
    } else if ((size_t)len < sizeof small) {                                               \
      sink_put((s), small, (size_t)len);                                                   \
    } else {                                                                               \
      char *big = malloc((size_t)len + 1);                                                 \
      if (!big) {                                                                          \
        (s)->failed = 1;                                                                   \
        break;                                                                             \
      }                                                                                    \
      snprintf(big, (size_t)len + 1, spec, __VA_ARGS__);                                   \
      sink_put((s), big, (size_t)len);                                                     \
      free(big);                                                                           \
    }                                                                                      \
  } while (0)

/* `ap` is the program's va_list: a pointer (x86-64 va_list is an array parameter) that may
 * itself be a handle when the program keeps its va_list in the heap. The areas it points
 * to (register save area, stack arguments) are on the stack: raw. */
static void format_to(struct sink *s, const char *fmt_handle, va_list ap) {
  int saved_errno = errno;
  ALASKA_PIN_FRAME(pins, 3);
  PIN(pins[2], ap);
  ap = xlate(ap);
  PIN(pins[0], fmt_handle);
  const char *f = xlate(fmt_handle);
  while (*f) {
    if (*f != '%') {
      const char *lit = f;
      while (*f && *f != '%') f++;
      sink_put(s, lit, (size_t)(f - lit));
      continue;
    }
    /* spec := % flags width precision length conversion */
    char spec[64];
    size_t k = 0;
    spec[k++] = *f++;
    int width = 0, prec = 0, star_w = 0, star_p = 0;
    while (*f && strchr("-+ #0'I", *f) && k < 40) spec[k++] = *f++;
    if (*f >= '1' && *f <= '9') {
      const char *q = f;
      while (*q >= '0' && *q <= '9') q++;
      if (*q == '$') {
        alaska_fatal("positional arguments (%%n$) in v*printf are not supported");
      }
    }
    if (*f == '*') {
      star_w = 1;
      width = va_arg(ap, int);
      spec[k++] = *f++;
    } else
      while (*f >= '0' && *f <= '9' && k < 48) spec[k++] = *f++;
    if (*f == '.') {
      spec[k++] = *f++;
      if (*f == '*') {
        star_p = 1;
        prec = va_arg(ap, int);
        spec[k++] = *f++;
      } else
        while (*f >= '0' && *f <= '9' && k < 56) spec[k++] = *f++;
    }
    /* length modifier */
    int len_h = 0, len_l = 0, len_L = 0, len_j = 0, len_z = 0, len_t = 0;
    for (;;) {
      if (*f == 'h') len_h++;
      else if (*f == 'l') len_l++;
      else if (*f == 'L' || *f == 'q') len_L = 1, len_l = 2;
      else if (*f == 'j') len_j = 1;
      else if (*f == 'z' || *f == 'Z') len_z = 1;
      else if (*f == 't') len_t = 1;
      else break;
      if (k < 60) spec[k++] = *f;
      f++;
    }
    char conv = *f;
    if (conv == 0) {
      spec[k] = 0;
      sink_put(s, spec, k);
      break;
    }
    f++;
    spec[k++] = conv;
    spec[k] = 0;
#define WITH_STARS(...)                                                                   \
  do {                                                                                     \
    if (star_w && star_p) EMIT_ONE(s, spec, width, prec, __VA_ARGS__);                     \
    else if (star_w) EMIT_ONE(s, spec, width, __VA_ARGS__);                                \
    else if (star_p) EMIT_ONE(s, spec, prec, __VA_ARGS__);                                 \
    else EMIT_ONE(s, spec, __VA_ARGS__);                                                   \
  } while (0)
    switch (conv) {
    case '%':
      sink_put(s, "%", 1);
      break;
    case 'm': /* glibc: strerror(errno), no argument */
      errno = saved_errno;
      WITH_STARS(0);
      break;
    case 'd': case 'i':
      if (len_j) WITH_STARS(va_arg(ap, intmax_t));
      else if (len_z) WITH_STARS(va_arg(ap, ssize_t));
      else if (len_t) WITH_STARS(va_arg(ap, ptrdiff_t));
      else if (len_l >= 2) WITH_STARS(va_arg(ap, long long));
      else if (len_l == 1) WITH_STARS(va_arg(ap, long));
      else WITH_STARS(va_arg(ap, int));
      break;
    case 'u': case 'o': case 'x': case 'X': case 'b': case 'B':
      if (len_j) WITH_STARS(va_arg(ap, uintmax_t));
      else if (len_z) WITH_STARS(va_arg(ap, size_t));
      else if (len_t) WITH_STARS(va_arg(ap, ptrdiff_t));
      else if (len_l >= 2) WITH_STARS(va_arg(ap, unsigned long long));
      else if (len_l == 1) WITH_STARS(va_arg(ap, unsigned long));
      else WITH_STARS(va_arg(ap, unsigned int));
      break;
    case 'c':
      if (len_l) WITH_STARS(va_arg(ap, wint_t));
      else WITH_STARS(va_arg(ap, int));
      break;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
      if (len_L) WITH_STARS(va_arg(ap, long double));
      else WITH_STARS(va_arg(ap, double));
      break;
    case 's': case 'S': {
      void *h = va_arg(ap, void *);
      PIN(pins[1], h);
      WITH_STARS(xlate(h));
      break;
    }
    case 'p':
      WITH_STARS(va_arg(ap, void *)); /* the value the program holds */
      break;
    case 'n': {
      void *h = va_arg(ap, void *);
      void *p = xlate(h);
      if (len_h == 2) *(signed char *)p = (signed char)s->total;
      else if (len_h == 1) *(short *)p = (short)s->total;
      else if (len_l >= 2 || len_j) *(long long *)p = (long long)s->total;
      else if (len_l == 1 || len_z || len_t) *(long *)p = (long)s->total;
      else *(int *)p = (int)s->total;
      break;
    }
    default:
      /* unknown conversion: print it literally, as glibc does */
      sink_put(s, spec, k);
      break;
    }
#undef WITH_STARS
  }
}

static int finish(struct sink *s) {
  if (s->failed) return -1;
  if (s->total > INT_MAX) {
    errno = EOVERFLOW;
    return -1;
  }
  return (int)s->total;
}

ALASKA_API int alaska_vfprintf(FILE *stream, const char *fmt, va_list ap) {
  struct sink s = {.kind = SINK_FILE, .file = stream};
  flockfile(stream);
  format_to(&s, fmt, ap);
  funlockfile(stream);
  return finish(&s);
}

ALASKA_API int alaska_vprintf(const char *fmt, va_list ap) { return alaska_vfprintf(stdout, fmt, ap); }

ALASKA_API int alaska_vdprintf(int fd, const char *fmt, va_list ap) {
  struct sink s = {.kind = SINK_FD, .fd = fd};
  format_to(&s, fmt, ap);
  return finish(&s);
}

ALASKA_API int alaska_vsnprintf(char *str, size_t size, const char *fmt, va_list ap) {
  ALASKA_PIN_FRAME(pin, 1);
  PIN(pin[0], str);
  struct sink s = {.kind = SINK_BUFFER, .buf = size ? xlate(str) : NULL, .cap = size};
  format_to(&s, fmt, ap);
  if (size) s.buf[s.total < size ? s.total : size - 1] = 0;
  return finish(&s);
}

ALASKA_API int alaska_vsprintf(char *str, const char *fmt, va_list ap) {
  return alaska_vsnprintf(str, (size_t)INT_MAX + 1, fmt, ap);
}

/* The result is a glibc allocation (raw); hfree/free forward it to glibc. */
ALASKA_API int alaska_vasprintf(char **strp, const char *fmt, va_list ap) {
  ALASKA_PIN_FRAME(pin, 1);
  PIN(pin[0], ap);
  ap = xlate(ap);
  va_list again;
  va_copy(again, ap);
  struct sink count = {.kind = SINK_COUNT};
  format_to(&count, fmt, ap);
  if (count.failed) {
    va_end(again);
    return -1;
  }
  char *buf = malloc(count.total + 1);
  if (!buf) {
    va_end(again);
    return -1;
  }
  struct sink s = {.kind = SINK_BUFFER, .buf = buf, .cap = count.total + 1};
  format_to(&s, fmt, again);
  va_end(again);
  buf[count.total] = 0;
  *(char **)xlate(strp) = buf;
  return finish(&s);
}

/* ---- v*scanf: every conversion's destination in the va_list is a (possibly handle)
 * pointer. The destinations are translated and passed to the variadic scanf (extra
 * arguments are evaluated and ignored, as C allows), so up to MAX_SCAN_ARGS conversions. */
#define MAX_SCAN_ARGS 32

/* Number of arguments the format consumes (assignment-suppressed and %% consume none;
 * `*` widths do not exist in scanf). Returns -1 when there are too many. */
static int scan_arg_count(const char *f) {
  int n = 0;
  while (*f) {
    if (*f++ != '%') continue;
    if (*f == '%') {
      f++;
      continue;
    }
    int suppressed = 0;
    const char *q = f;
    while (*q >= '0' && *q <= '9') q++;
    if (*q == '$') f = q + 1; /* positional: still one argument per conversion */
    if (*f == '*') suppressed = 1, f++;
    while ((*f >= '0' && *f <= '9') || *f == 'm' || *f == '\'') f++;
    while (*f && strchr("hlLqjzt", *f)) f++;
    if (*f == '[') { /* scanset: ']' right after '[' or '[^' is part of the set */
      f++;
      if (*f == '^') f++;
      if (*f == ']') f++;
      while (*f && *f != ']') f++;
    }
    if (*f) f++;
    if (!suppressed) n++;
  }
  return n <= MAX_SCAN_ARGS ? n : -1;
}

enum scan_source { SCAN_STRING, SCAN_FILE };

static int scan_translated(enum scan_source kind, void *src, const char *fmt_handle,
                           va_list ap) {
  ALASKA_PIN_FRAME(pins, MAX_SCAN_ARGS + 3);
  PIN(pins[MAX_SCAN_ARGS], ap);
  ap = xlate(ap);
  PIN(pins[MAX_SCAN_ARGS + 1], fmt_handle);
  PIN(pins[MAX_SCAN_ARGS + 2], src);
  const char *fmt = xlate(fmt_handle);
  int n = scan_arg_count(fmt);
  if (n < 0) {
    alaska_fatal("v*scanf with more than 32 conversions is not supported");
  }
  void *p[MAX_SCAN_ARGS] = {0};
  for (int i = 0; i < n; i++) {
    void *h = va_arg(ap, void *);
    PIN(pins[i], h);
    p[i] = xlate(h);
  }
#define SCAN_ARGS                                                                          \
  p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],  \
      p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21], p[22], p[23], p[24], p[25],  \
      p[26], p[27], p[28], p[29], p[30], p[31]
  if (kind == SCAN_STRING) return sscanf(xlate(src), fmt, SCAN_ARGS);
  return fscanf((FILE *)src, fmt, SCAN_ARGS);
#undef SCAN_ARGS
}

ALASKA_API int alaska_vsscanf(const char *str, const char *fmt, va_list ap) {
  return scan_translated(SCAN_STRING, (void *)str, fmt, ap);
}
ALASKA_API int alaska_vfscanf(FILE *stream, const char *fmt, va_list ap) {
  return scan_translated(SCAN_FILE, stream, fmt, ap);
}
ALASKA_API int alaska_vscanf(const char *fmt, va_list ap) {
  return scan_translated(SCAN_FILE, stdin, fmt, ap);
}

/* ---- _FORTIFY_SOURCE variants of v*printf (extra flag / object-size arguments) ------- */
static void fortify_fail(void) {
  alaska_report("*** buffer overflow detected ***: terminated");
  abort(); /* as glibc's __chk_fail: SIGABRT, a core dump */
}

ALASKA_API int alaska_vfprintf_chk(FILE *stream, int flag, const char *fmt, va_list ap) {
  (void)flag;
  return alaska_vfprintf(stream, fmt, ap);
}
ALASKA_API int alaska_vprintf_chk(int flag, const char *fmt, va_list ap) {
  (void)flag;
  return alaska_vfprintf(stdout, fmt, ap);
}
ALASKA_API int alaska_vdprintf_chk(int fd, int flag, const char *fmt, va_list ap) {
  (void)flag;
  return alaska_vdprintf(fd, fmt, ap);
}
ALASKA_API int alaska_vasprintf_chk(char **strp, int flag, const char *fmt, va_list ap) {
  (void)flag;
  return alaska_vasprintf(strp, fmt, ap);
}
ALASKA_API int alaska_vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt,
                                va_list ap) {
  (void)flag;
  if (slen < maxlen) fortify_fail();
  return alaska_vsnprintf(s, maxlen, fmt, ap);
}
ALASKA_API int alaska_vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap) {
  (void)flag;
  if (slen == 0) fortify_fail();
  int n = alaska_vsnprintf(s, slen, fmt, ap);
  if (n >= 0 && (size_t)n >= slen) fortify_fail();
  return n;
}
