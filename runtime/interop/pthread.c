/*
 * pthread.c — pthread_create interposed: the new thread registers itself with the thread
 * registry (mover/threads.h) before its start routine runs, so barriers stop and scan it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "mover/threads.h"

__attribute__((noinline)) static void *registered_thread_start(void *arg) {
  alaska_thread_t *t = arg;
  /* Every frame that can hold a pin slot is below this one. */
  uintptr_t stack_hi = (uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *);
  register_current(t, stack_hi, t->stack_size, 0);
  void *(*start)(void *) = t->start_routine;
  void *start_arg = t->start_arg;
  void *result = start(start_arg);
  __asm__ volatile("" : "+r"(result)); /* no tail call: this frame bounds the scan */
  return result;
}

ALASKA_API int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                              void *(*start)(void *), void *arg) {
  pthread_create_fn real = resolve_real_pthread_create();
  size_t stack_size = 0;
  if (attr) pthread_attr_getstacksize(attr, &stack_size);
  if (stack_size == 0) {
    pthread_attr_t def;
    if (pthread_getattr_default_np(&def) == 0) {
      pthread_attr_getstacksize(&def, &stack_size);
      pthread_attr_destroy(&def);
    }
  }
  if (stack_size == 0) stack_size = main_stack_size();

  alaska_threads_lock();
  alaska_thread_t *t = alloc_record_locked();
  alaska_threads_unlock();
  if (!t) return EAGAIN;
  t->start_routine = start;
  t->start_arg = arg;
  t->stack_size = stack_size;
  int rc = real(thread, attr, registered_thread_start, t);
  if (rc != 0) {
    alaska_threads_lock();
    free_record_locked(t);
    alaska_threads_unlock();
  }
  return rc;
}

