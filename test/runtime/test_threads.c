/* Thread caches: cross-thread frees with several threads, thread exit and page adoption. */
#include <alaska.h>
#include <pthread.h>

#include "harness.h"
#include "heap/heap.h"
#include "heap/internal.h"

#define THREADS 6

/* ---- producer/consumer ring: every object is freed by a thread that did not allocate it */
#define RING 4096
typedef struct channel {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  void *items[RING];
  int head, tail;
} channel_t;

static channel_t channels[THREADS];
static const int ROUNDS = 60000;

static void send(channel_t *ch, void *h) {
  pthread_mutex_lock(&ch->lock);
  while ((ch->tail + 1) % RING == ch->head) pthread_cond_wait(&ch->cond, &ch->lock);
  ch->items[ch->tail] = h;
  ch->tail = (ch->tail + 1) % RING;
  pthread_cond_broadcast(&ch->cond);
  pthread_mutex_unlock(&ch->lock);
}

static void *recv_item(channel_t *ch) {
  pthread_mutex_lock(&ch->lock);
  while (ch->head == ch->tail) pthread_cond_wait(&ch->cond, &ch->lock);
  void *h = ch->items[ch->head];
  ch->head = (ch->head + 1) % RING;
  pthread_cond_broadcast(&ch->cond);
  pthread_mutex_unlock(&ch->lock);
  return h;
}

static void *ring_worker(void *arg) {
  int me = (int)(intptr_t)arg;
  channel_t *out = &channels[(me + 1) % THREADS], *in = &channels[me];
  for (int i = 0; i < ROUNDS; i++) {
    size_t size = 8 + (size_t)((i * 7 + me * 13) % 700);
    uint32_t *h = halloc(size);
    CHECK(h != NULL);
    uint32_t *raw = alaska_translate(h);
    raw[0] = (uint32_t)me;
    raw[1] = (uint32_t)i;
    send(out, h);
    uint32_t *got = recv_item(in);
    uint32_t *graw = alaska_translate(got);
    CHECK_EQ(graw[0], (uint32_t)((me + THREADS - 1) % THREADS));
    CHECK_EQ(graw[1], (uint32_t)i);
    hfree(got); /* a remote free: the sender's cache owns the page */
  }
  return NULL;
}

static void test_cross_thread_frees(void) {
  alaska_stats_t before, after;
  alaska_get_stats(&before);
  for (int i = 0; i < THREADS; i++) {
    pthread_mutex_init(&channels[i].lock, NULL);
    pthread_cond_init(&channels[i].cond, NULL);
  }
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, ring_worker, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  alaska_get_stats(&after);
  CHECK_EQ(after.halloc - before.halloc, (uint64_t)THREADS * ROUNDS);
  CHECK_EQ(after.hfree - before.hfree, (uint64_t)THREADS * ROUNDS);
  CHECK_EQ(after.handles_live, before.handles_live);
  CHECK_EQ(after.live_bytes, before.live_bytes);
}

/* ---- many threads freeing a shared pool of objects concurrently */
#define SHARED 40000
static void *shared_objs[SHARED];

static void *free_stripe(void *arg) {
  int me = (int)(intptr_t)arg;
  for (int i = me; i < SHARED; i += THREADS) {
    uint64_t *raw = alaska_translate(shared_objs[i]);
    CHECK_EQ(raw[0], (uint64_t)i);
    hfree(shared_objs[i]);
  }
  /* and allocate again from the same classes in this thread */
  for (int i = 0; i < 1000; i++) hfree(halloc(16 + (size_t)i % 200));
  return NULL;
}

static void test_concurrent_remote_frees(void) {
  alaska_stats_t before, after;
  alaska_get_stats(&before);
  for (int i = 0; i < SHARED; i++) {
    shared_objs[i] = halloc(16 + (size_t)(i % 200));
    *(uint64_t *)alaska_translate(shared_objs[i]) = (uint64_t)i;
  }
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, free_stripe, (void *)(intptr_t)i);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  alaska_get_stats(&after);
  CHECK_EQ(after.handles_live, before.handles_live);
  /* the main thread gets its pages back: allocate a lot again, memory must not double */
  for (int i = 0; i < SHARED; i++) shared_objs[i] = halloc(16 + (size_t)(i % 200));
  alaska_stats_t again;
  alaska_get_stats(&again);
  CHECK(again.heap_committed_bytes <= after.heap_committed_bytes + (4u << 20));
  for (int i = 0; i < SHARED; i++) hfree(shared_objs[i]);
}

/* ---- thread exit: its pages are abandoned, then adopted by the next thread */
#define EXIT_OBJS 5000
static void *exit_objs[EXIT_OBJS];
static uintptr_t exited_cache;

static void *alloc_and_exit(void *arg) {
  (void)arg;
  for (int i = 0; i < EXIT_OBJS; i++) {
    exit_objs[i] = halloc(48);
    *(int *)alaska_translate(exit_objs[i]) = i;
  }
  exited_cache = (uintptr_t)alaska_tls_cache;
  return NULL;
}

static void *alloc_48(void *arg) {
  void **out = arg;
  *out = halloc(48);
  return NULL;
}

static void test_thread_exit_and_adoption(void) {
  pthread_t t;
  pthread_create(&t, NULL, alloc_and_exit, NULL);
  pthread_join(t, NULL);
  /* every page of the exited thread is ownerless and on the abandoned list */
  for (int i = 0; i < EXIT_OBJS; i++) {
    page_t *pg = page_of(alaska_translate(exit_objs[i]));
    CHECK(atomic_load(&pg->owner) == NULL);
    CHECK_EQ(pg->where, WHERE_ABANDONED);
    CHECK_EQ(*(int *)alaska_translate(exit_objs[i]), i);
  }
  /* free every other object from this thread: slots come free in the abandoned pages */
  for (int i = 0; i < EXIT_OBJS; i += 2) hfree(exit_objs[i]);
  /* a new thread (possibly reusing the retired cache) adopts one of those pages */
  void *h = NULL;
  pthread_create(&t, NULL, alloc_48, &h);
  pthread_join(t, NULL);
  page_t *adopted = page_of(alaska_translate(h));
  int from_exited = 0;
  for (int i = 1; i < EXIT_OBJS; i += 2)
    if (page_of(alaska_translate(exit_objs[i])) == adopted) from_exited = 1;
  CHECK(from_exited);
  hfree(h);
  for (int i = 1; i < EXIT_OBJS; i += 2) hfree(exit_objs[i]);
}

static void *churn_then_exit(void *arg) {
  void **keep = arg;
  static __thread void *tmp[2000];
  for (int i = 0; i < 2000; i++) tmp[i] = halloc(16 + (size_t)(i % 500));
  for (int i = 0; i < 2000; i++)
    if (i % 200 == 0) *keep++ = tmp[i];
    else hfree(tmp[i]);
  return NULL;
}

static void test_exiting_threads_do_not_leak_pages(void) {
  static void *kept[100][10];
  uint64_t committed_after_first = 0;
  for (int r = 0; r < 100; r++) {
    pthread_t t;
    pthread_create(&t, NULL, churn_then_exit, kept[r]);
    pthread_join(t, NULL);
    if (r == 0) committed_after_first = alaska_committed_bytes();
  }
  /* 100 threads each leave 10 objects behind: their pages are reused, not multiplied */
  CHECK(alaska_committed_bytes() <= committed_after_first + (16u << 20));
  for (int r = 0; r < 100; r++)
    for (int i = 0; i < 10; i++) hfree(kept[r][i]);
}

int main(void) {
  RUN(test_cross_thread_frees);
  RUN(test_concurrent_remote_frees);
  RUN(test_thread_exit_and_adoption);
  RUN(test_exiting_threads_do_not_leak_pages);
  return 0;
}
