/*
 * threads.c — registry of threads that may hold handles (pthread_create itself is
 * interposed in interop/pthread.c).
 * See threads.h and docs/design.md §6.2.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mover/threads.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heap/list.h"
#include "os/os.h"

/* Set by ld.so: the stack pointer at process entry, above every frame of the main thread. */
extern void *__libc_stack_end;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
ALASKA_LIST_DEFINE(thread_list, alaska_thread_t)
static thread_list_t registry;
static size_t registry_count;
static alaska_thread_t *free_records; /* recycled records (linked through next) */

/* initial-exec: reading it from the signal handler must not call __tls_get_addr. */
static __thread alaska_thread_t *self_record __attribute__((tls_model("initial-exec")));

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int main_registered;
int alaska_initial_thread_by_tid;

static _Atomic(pthread_create_fn) real_pthread_create;

static pid_t current_tid(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- record allocation (mmap'd, never malloc) ----------------------------------------- */

#define RECORDS_PER_CHUNK 64

alaska_thread_t *alloc_record_locked(void) {
  if (!free_records) {
    size_t bytes = RECORDS_PER_CHUNK * sizeof(alaska_thread_t);
    alaska_thread_t *chunk =
        mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (chunk == MAP_FAILED) return NULL;
    for (int i = 0; i < RECORDS_PER_CHUNK; i++) {
      chunk[i].next = free_records;
      free_records = &chunk[i];
    }
  }
  alaska_thread_t *t = free_records;
  free_records = t->next;
  memset(t, 0, sizeof *t);
  return t;
}

void free_record_locked(alaska_thread_t *t) {
  memset(t, 0, sizeof *t);
  t->next = free_records;
  free_records = t;
}

static void link_locked(alaska_thread_t *t) {
  thread_list_push_front(&registry, t);
  registry_count++;
}

static void unlink_locked(alaska_thread_t *t) {
  thread_list_remove(&registry, t);
  registry_count--;
}

/* ---- public registry API -------------------------------------------------------------- */

alaska_thread_t *alaska_thread_self(void) { return self_record; }
void alaska_threads_lock(void) { pthread_mutex_lock(&registry_lock); }
void alaska_threads_unlock(void) { pthread_mutex_unlock(&registry_lock); }
alaska_thread_t *alaska_threads_first(void) { return registry.head; }
size_t alaska_threads_count(void) { return registry_count; }

void alaska_threads_remove_dead_locked(alaska_thread_t *t) {
  unlink_locked(t);
  free_record_locked(t);
}

/* ---- thread exit: unregister as late as possible ------------------------------------- */

/* The destructor re-arms itself so that it runs in the last destructor round: other
 * keys' destructors (which may run compiled code holding pins) run while the thread is
 * still registered. glibc runs at most PTHREAD_DESTRUCTOR_ITERATIONS rounds. */
static __thread int exit_rounds __attribute__((tls_model("initial-exec")));

static void unregister_self(void) {
  alaska_thread_t *t = self_record;
  if (!t) return;
  alaska_threads_lock();
  self_record = NULL; /* under the lock: no barrier is between its signal and its ack */
  unlink_locked(t);
  free_record_locked(t);
  alaska_threads_unlock();
}

static void exit_key_destructor(void *value) {
  if (value != self_record) return;
  if (++exit_rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
    pthread_setspecific(exit_key, value);
    return;
  }
  unregister_self();
}

static void child_after_fork(void);
static void prepare_fork(void) { alaska_threads_lock(); }
static void parent_after_fork(void) { alaska_threads_unlock(); }

static void create_exit_key(void) {
  if (pthread_key_create(&exit_key, exit_key_destructor) != 0)
    alaska_fatal("cannot create the thread-exit key");
  pthread_atfork(prepare_fork, parent_after_fork, child_after_fork);
}

/* In a fork child only the forking thread exists, with a new tid. */
static void child_after_fork(void) {
  pthread_mutex_init(&registry_lock, NULL);
  alaska_thread_t *t = registry.head;
  while (t) {
    alaska_thread_t *next = t->next;
    if (t != self_record) alaska_threads_remove_dead_locked(t);
    t = next;
  }
  if (self_record) self_record->tid = current_tid();
}

int register_current(alaska_thread_t *t, uintptr_t stack_hi, size_t stack_size,
                     int is_main) {
  pthread_once(&exit_key_once, create_exit_key);
  t->tid = current_tid();
  t->is_main = is_main;
  t->stack_hi = stack_hi;
  t->stack_size = stack_size;
  alaska_threads_lock();
  link_locked(t);
  self_record = t;
  alaska_threads_unlock();
  exit_rounds = 0;
  pthread_setspecific(exit_key, t);
  return 0;
}

size_t main_stack_size(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) return rl.rlim_cur;
  return (size_t)1 << 30; /* unlimited: anything within 1 GiB below the top counts */
}

void alaska_threads_init(void) {
  if (__atomic_exchange_n(&main_registered, 1, __ATOMIC_ACQ_REL)) return;
  alaska_threads_lock();
  alaska_thread_t *t = alloc_record_locked();
  alaska_threads_unlock();
  if (!t) alaska_fatal("cannot allocate the thread registry");
  if (getpid() == current_tid()) {
    register_current(t, (uintptr_t)__libc_stack_end, main_stack_size(), 1);
    return;
  }
  /* Initialised from another thread: register the initial thread by tid. Its handler
   * finds the record by tid (self_record is per-thread and unset there). */
  pthread_once(&exit_key_once, create_exit_key);
  alaska_initial_thread_by_tid = 1;
  t->tid = getpid();
  t->is_main = 1;
  t->stack_hi = (uintptr_t)__libc_stack_end;
  t->stack_size = main_stack_size();
  alaska_threads_lock();
  link_locked(t);
  alaska_threads_unlock();
}

__attribute__((constructor(101))) static void threads_constructor(void) {
  alaska_threads_init();
}

/* ---- the real pthread_create ---------------------------------------------------------- */

pthread_create_fn resolve_real_pthread_create(void) {
  pthread_create_fn fn = atomic_load(&real_pthread_create);
  if (fn) return fn;
  fn = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
  if (!fn) alaska_fatal("cannot find the real pthread_create");
  atomic_store(&real_pthread_create, fn);
  return fn;
}

int alaska_threads_create_internal(pthread_t *thread, const pthread_attr_t *attr,
                                   void *(*start)(void *), void *arg) {
  return resolve_real_pthread_create()(thread, attr, start, arg);
}

/* ---- /proc/self/maps lookup without malloc -------------------------------------------- */

static int parse_hex(const char **p, const char *end, uintptr_t *out) {
  uintptr_t v = 0;
  int n = 0;
  while (*p < end) {
    char c = **p;
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else break;
    v = v * 16 + (uintptr_t)d;
    (*p)++;
    n++;
  }
  *out = v;
  return n > 0;
}

int alaska_find_mapping(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  size_t have = 0;
  int found = 0;
  for (;;) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += (size_t)n;
    /* Process every complete line in the buffer. */
    size_t start = 0;
    for (size_t i = 0; i < have; i++) {
      if (buf[i] != '\n') continue;
      const char *p = buf + start, *end = buf + i;
      uintptr_t a, b;
      if (parse_hex(&p, end, &a) && p < end && *p == '-' && (p++, parse_hex(&p, end, &b)) &&
          addr >= a && addr < b) {
        *lo = a;
        *hi = b;
        found = 1;
        break;
      }
      start = i + 1;
    }
    if (found) break;
    memmove(buf, buf + start, have - start);
    have -= start;
    if (have == sizeof buf) have = 0; /* absurdly long line: drop it */
  }
  close(fd);
  return found;
}
