/*
 * heapmap.c — a snapshot of every heap page (ALASKA_HEAPMAP=file at exit, alaska_heapmap()):
 * what fragmentation looks like, page by page. Format (docs/env.md "Heap map"):
 *
 *   alaska-heapmap 1 page_bytes=B pages=N live_bytes=L committed_bytes=C handles_live=H
 *   <index> <kind> <class> <block_size> <used> <capacity> <pinned> <state>
 *
 * one line per page handed out so far (indices 0..N-1); kind is small, large, large_tail,
 * free or free_tail; class and block_size are those of a small page (large: 0 and the
 * object's usable bytes); used/capacity count blocks (large head: 1/1, tails and free pages:
 * 0/0); pinned counts objects pinned forever; state is committed or released (a free span
 * madvised away, or being madvised; its tail pages say the same). The committed pages add up
 * to the header's committed_bytes. Written without malloc, under the heap lock:
 * small pages' `used` are their owners' counts (a remote free not yet collected still counts).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "heap/heap.h"
#include "heap/internal.h"
#include "heap/stats.h"
#include "os/os.h"

static const char *kind_name(uint8_t kind) {
  switch (kind) {
  case PAGE_SMALL: return "small";
  case PAGE_LARGE: return "large";
  case PAGE_LARGE_TAIL: return "large_tail";
  case PAGE_FREE: return "free";
  case PAGE_FREE_TAIL: return "free_tail";
  default: return "unused";
  }
}

/* Lines are gathered in a stack buffer and written a buffer at a time. */
typedef struct {
  int fd;
  size_t n;
  char buf[8192];
} out_t;

static void out_flush(out_t *o) {
  os_write_all(o->fd, o->buf, o->n);
  o->n = 0;
}

__attribute__((format(printf, 2, 3))) static void out_line(out_t *o, const char *fmt, ...) {
  if (o->n > sizeof o->buf - 256) out_flush(o);
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(o->buf + o->n, sizeof o->buf - o->n, fmt, ap);
  va_end(ap);
  if (k > 0) o->n += (size_t)k < sizeof o->buf - o->n ? (size_t)k : sizeof o->buf - o->n - 1;
}

int alaska_heapmap(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  RT_ENTER(); /* no barrier moves objects while the pages are listed */
  out_t o;
  o.fd = fd;
  o.n = 0;
  alaska_stats_t s;
  alaska_get_stats(&s);
  pthread_mutex_lock(&alaska_heap_lock);
  s.heap_committed_bytes = alaska_committed_bytes(); /* changes only under the lock */
  size_t pages = pool_pages_in_use();
  out_line(&o, "alaska-heapmap 1 page_bytes=%lu pages=%lu live_bytes=%llu committed_bytes=%llu "
           "handles_live=%llu\n", (unsigned long)ALASKA_PAGE_SIZE, (unsigned long)pages,
           (unsigned long long)s.live_bytes, (unsigned long long)s.heap_committed_bytes,
           (unsigned long long)s.handles_live);
  /* A span's head says whether its pages are committed; its tails carry no reliable state
   * (only the span's ends are kept up to date), so they take the last head's. */
  const char *state = "committed";
  for (size_t i = 0; i < pages; i++) {
    const page_t *pg = &HEAP_PAGES[i];
    if (pg->kind == PAGE_FREE) state = pg->dirty == SPAN_DIRTY ? "committed" : "released";
    else if (pg->kind != PAGE_FREE_TAIL && pg->kind != PAGE_LARGE_TAIL) state = "committed";
    unsigned cls = 0, used = 0, cap = 0;
    unsigned long long bsize = 0;
    if (pg->kind == PAGE_SMALL) {
      cls = pg->size_class;
      bsize = pg->block_size;
      used = pg->used;
      cap = pg->capacity;
    } else if (pg->kind == PAGE_LARGE) {
      bsize = pg->large_size;
      used = cap = 1;
    }
    out_line(&o, "%lu %s %u %llu %u %u %u %s\n", (unsigned long)i, kind_name(pg->kind), cls,
             bsize, used, cap, pg->pinned, state);
  }
  pthread_mutex_unlock(&alaska_heap_lock);
  out_flush(&o);
  RT_LEAVE();
  int err = close(fd) ? errno : 0;
  if (err) {
    errno = err;
    return -1;
  }
  return 0;
}
